//! Turning an outbox row into a MIME message and handing it to SMTP or to a directory.

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use entity::email_outbox;
use lettre::message::header::ContentType;
use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::PoolConfig;
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use super::MailError;
use crate::config::{Config, MailTransport, Secret, SmtpSecurity};

/// Time-out of one SMTP command (connect, greeting, each command).
const SMTP_COMMAND_TIMEOUT: Duration = Duration::from_secs(10);

/// Longest one whole send may take; well below [`super::CLAIM_LEASE`].
const SEND_TIMEOUT: Duration = Duration::from_secs(60);

/// Sends outbox rows, through SMTP or as `.eml` files. Cheap to clone (SMTP connections are
/// pooled and shared).
#[derive(Clone)]
pub struct Mailer {
    kind: Kind,
}

#[derive(Clone)]
enum Kind {
    Directory(PathBuf),
    Smtp {
        transport: AsyncSmtpTransport<Tokio1Executor>,
        /// Only to make sure it never ends up in a stored error text.
        password: Option<Secret>,
        host: String,
        port: u16,
    },
}

impl fmt::Debug for Mailer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            Kind::Directory(dir) => f.debug_tuple("Mailer::Directory").field(dir).finish(),
            Kind::Smtp { host, port, .. } => f
                .debug_struct("Mailer::Smtp")
                .field("host", host)
                .field("port", port)
                .finish_non_exhaustive(),
        }
    }
}

impl Mailer {
    /// The mailer the configuration asks for. Connects to nothing yet, but an SMTP mailer
    /// starts its connection pool's housekeeping task, so it must be built inside a Tokio
    /// runtime (and is refused otherwise).
    pub fn from_config(config: &Config) -> Result<Self, MailError> {
        let kind = match &config.mail {
            MailTransport::Directory(dir) => Kind::Directory(dir.clone()),
            MailTransport::Smtp(smtp) => {
                tokio::runtime::Handle::try_current().map_err(|_| MailError::NoRuntime)?;
                let builder = match smtp.security {
                    SmtpSecurity::None => {
                        AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&smtp.host)
                    }
                    SmtpSecurity::StartTls => {
                        AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&smtp.host)
                            .map_err(MailError::Setup)?
                    }
                    SmtpSecurity::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(&smtp.host)
                        .map_err(MailError::Setup)?,
                };
                let mut builder = builder
                    .port(smtp.port)
                    .timeout(Some(SMTP_COMMAND_TIMEOUT))
                    .pool_config(
                        PoolConfig::new()
                            .min_idle(0)
                            .max_size(4)
                            .idle_timeout(Duration::from_secs(30)),
                    );
                if let (Some(user), Some(password)) = (&smtp.username, &smtp.password) {
                    builder = builder
                        .credentials(Credentials::new(user.clone(), password.expose().to_owned()));
                }
                Kind::Smtp {
                    transport: builder.build(),
                    password: smtp.password.clone(),
                    host: smtp.host.clone(),
                    port: smtp.port,
                }
            }
        };
        Ok(Self { kind })
    }

    /// A mailer that writes `.eml` files into `dir` (created when missing).
    pub fn directory(dir: impl Into<PathBuf>) -> Self {
        Self {
            kind: Kind::Directory(dir.into()),
        }
    }

    /// Sends one outbox row from `from` (e.g. `Samenleven <noreply@samenleven.test>`). The
    /// Message-ID is `<outbox-<id>.<queued at, Unix seconds>@<domain of from>>` (the moment keeps
    /// it unique should SQLite ever reuse an id) and the Date the moment the row was queued, so
    /// every attempt for a row produces the same message.
    pub async fn send(&self, from: &str, mail: &email_outbox::Model) -> Result<(), MailError> {
        let message = build_message(from, mail)?;
        match &self.kind {
            Kind::Directory(dir) => write_eml(dir, mail, &message.formatted()).await,
            Kind::Smtp { transport, .. } => {
                match tokio::time::timeout(SEND_TIMEOUT, transport.send(message)).await {
                    Ok(Ok(_response)) => Ok(()),
                    Ok(Err(err)) => Err(MailError::Smtp(err)),
                    Err(_elapsed) => Err(MailError::Timeout(SEND_TIMEOUT)),
                }
            }
        }
    }

    /// The error with its causes on one line, for `last_error` and the logs; the SMTP password
    /// is blanked should a server ever echo it.
    pub fn describe(&self, err: &MailError) -> String {
        let mut text = err.to_string();
        let mut source = std::error::Error::source(err);
        while let Some(cause) = source {
            text.push_str(": ");
            text.push_str(&cause.to_string());
            source = cause.source();
        }
        if let Kind::Smtp {
            password: Some(password),
            ..
        } = &self.kind
            && !password.expose().is_empty()
        {
            text = text.replace(password.expose(), "[verborgen]");
        }
        text
    }
}

fn build_message(from: &str, mail: &email_outbox::Model) -> Result<Message, MailError> {
    let from_box: Mailbox = from.parse().map_err(|source| MailError::Address {
        role: "afzender",
        address: from.to_owned(),
        source,
    })?;
    // Only an address the platform would have accepted as typed goes into the `To` header;
    // anything else (stored before the check existed, or by hand) fails for good here.
    if !crate::domain::email::is_deliverable(&mail.to_address) {
        return Err(MailError::Undeliverable {
            role: "ontvanger",
            address: mail.to_address.clone(),
        });
    }
    let to_box: Mailbox = mail
        .to_address
        .parse()
        .map_err(|source| MailError::Address {
            role: "ontvanger",
            address: mail.to_address.clone(),
            source,
        })?;
    let builder = Message::builder()
        .message_id(Some(format!(
            "<outbox-{}.{}@{}>",
            mail.id,
            mail.created_at.timestamp(),
            from_box.email.domain()
        )))
        .date(SystemTime::from(mail.created_at))
        .from(from_box)
        .to(to_box)
        .subject(mail.subject.clone());
    let message = match &mail.body_html {
        Some(html) => builder.multipart(MultiPart::alternative_plain_html(
            mail.body_text.clone(),
            html.clone(),
        )),
        None => builder
            .header(ContentType::TEXT_PLAIN)
            .body(mail.body_text.clone()),
    };
    message.map_err(MailError::Build)
}

/// Writes `<id>-<slug>.eml` into `dir` through a temporary file, so a reader never sees half a
/// message; a retry overwrites the same file.
async fn write_eml(dir: &Path, mail: &email_outbox::Model, bytes: &[u8]) -> Result<(), MailError> {
    let io = |path: &Path| {
        let path = path.to_owned();
        move |source| MailError::Io { path, source }
    };
    tokio::fs::create_dir_all(dir).await.map_err(io(dir))?;
    let path = dir.join(format!("{}-{}.eml", mail.id, slug(&mail.subject)));
    let partial = path.with_extension("eml.part");
    tokio::fs::write(&partial, bytes)
        .await
        .map_err(io(&partial))?;
    tokio::fs::rename(&partial, &path).await.map_err(io(&path))
}

/// A file-name-safe version of a subject: lower-case ASCII letters and digits joined by `-`,
/// accents dropped, at most 50 characters.
fn slug(subject: &str) -> String {
    let mut slug = String::new();
    for c in subject.chars().map(fold_accent) {
        if c.is_ascii_alphanumeric() {
            slug.push(c.to_ascii_lowercase());
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
        if slug.len() >= 50 {
            break;
        }
    }
    let slug = slug.trim_end_matches('-');
    if slug.is_empty() {
        "bericht".to_owned()
    } else {
        slug.to_owned()
    }
}

fn fold_accent(c: char) -> char {
    match c {
        'à' | 'á' | 'â' | 'ä' | 'ã' | 'å' => 'a',
        'À' | 'Á' | 'Â' | 'Ä' | 'Ã' | 'Å' => 'A',
        'è' | 'é' | 'ê' | 'ë' => 'e',
        'È' | 'É' | 'Ê' | 'Ë' => 'E',
        'ì' | 'í' | 'î' | 'ï' => 'i',
        'Ì' | 'Í' | 'Î' | 'Ï' => 'I',
        'ò' | 'ó' | 'ô' | 'ö' | 'õ' => 'o',
        'Ò' | 'Ó' | 'Ô' | 'Ö' | 'Õ' => 'O',
        'ù' | 'ú' | 'û' | 'ü' => 'u',
        'Ù' | 'Ú' | 'Û' | 'Ü' => 'U',
        'ç' => 'c',
        'Ç' => 'C',
        'ñ' => 'n',
        'Ñ' => 'N',
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::SmtpConfig;

    fn row(id: i64, to: &str, subject: &str) -> email_outbox::Model {
        let at = chrono::DateTime::parse_from_rfc3339("2026-01-02T10:00:00Z")
            .unwrap()
            .to_utc();
        email_outbox::Model {
            id,
            created_at: at,
            to_address: to.to_owned(),
            subject: subject.to_owned(),
            body_text: "Beste Zoë,\nalles is in orde.\n".to_owned(),
            body_html: None,
            state: email_outbox::OutboxState::Sending,
            attempts: 1,
            next_attempt_at: at,
            last_error: None,
            sent_at: None,
            related_type: None,
            related_id: None,
            claimed_until: None,
            claim_token: None,
        }
    }

    fn smtp_config() -> Config {
        let dir = std::env::temp_dir().join(format!("samenleven-mail-{}", uuid::Uuid::new_v4()));
        let mut config = Config::load(&crate::config::Sources::from_pairs([(
            "DATA_DIR",
            dir.display().to_string(),
        )]))
        .unwrap();
        config.mail = MailTransport::Smtp(SmtpConfig {
            host: "127.0.0.1".into(),
            port: 2525,
            security: SmtpSecurity::None,
            username: Some("gebruiker".into()),
            password: Some(Secret::new("hunter2-geheim")),
        });
        config
    }

    #[test]
    fn slugs_are_short_ascii_and_never_empty() {
        assert_eq!(
            slug("Uw aanvraag is geëvalueerd!"),
            "uw-aanvraag-is-geevalueerd"
        );
        assert_eq!(slug("✓✓✓"), "bericht");
        assert!(slug(&"lang ".repeat(40)).len() <= 50);
    }

    #[test]
    fn the_message_id_comes_from_the_outbox_id_and_the_sender_domain() {
        let message = build_message(
            "Samenleven <noreply@samenleven.test>",
            &row(42, "zoe@example.be", "Hallo"),
        )
        .unwrap();
        let text = String::from_utf8(message.formatted()).unwrap();
        assert!(
            text.contains("Message-ID: <outbox-42.1767348000@samenleven.test>"),
            "{text}"
        );
        assert!(text.contains("To: zoe@example.be"), "{text}");
        assert!(text.contains("charset=utf-8"), "{text}");
    }

    #[test]
    fn a_malformed_recipient_is_a_permanent_error() {
        let err = build_message("noreply@samenleven.test", &row(1, "geen adres", "x")).unwrap_err();
        assert!(err.is_permanent());
        assert!(err.to_string().contains("ontvanger"), "{err}");
    }

    #[test]
    fn an_address_a_provider_would_refuse_never_reaches_the_to_header() {
        for to in [
            "evil@example.com>",
            "a\"b@example.com",
            "x@[127.0.0.1]",
            "x@localhost",
            "a@example.com, b@example.com",
            "a@example.com\r\nBcc: b@example.com",
        ] {
            let err = build_message("noreply@samenleven.test", &row(1, to, "x")).unwrap_err();
            assert!(err.is_permanent(), "{to:?}");
            assert!(
                matches!(err, MailError::Undeliverable { .. }),
                "{to:?}: {err}"
            );
        }
    }

    #[test]
    fn an_smtp_mailer_outside_a_runtime_is_refused_not_a_panic() {
        let err = Mailer::from_config(&smtp_config()).unwrap_err();
        assert!(matches!(err, MailError::NoRuntime), "{err}");
    }

    #[tokio::test]
    async fn the_smtp_password_never_appears_in_debug_or_error_texts() {
        let mailer = Mailer::from_config(&smtp_config()).unwrap();
        assert!(!format!("{mailer:?}").contains("hunter2"));
        let err = MailError::Io {
            path: "/x".into(),
            source: std::io::Error::other("server zei hunter2-geheim"),
        };
        let text = mailer.describe(&err);
        assert!(!text.contains("hunter2"), "{text}");
        assert!(text.contains("[verborgen]"), "{text}");
    }
}
