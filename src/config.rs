//! Typed configuration, read from environment variables and an optional `KEY=VALUE` file.
//!
//! Every setting has a default that makes `cargo run` work on a fresh machine: an embedded SQLite
//! database and an outbox directory under `./data/`, and a session secret generated on first run.
//! Secrets are wrapped in [`Secret`], whose `Debug` and `Display` never print the value.

use std::collections::HashMap;
use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use rand::RngCore;

use crate::auth::client_ip::{ProxyHeader, TrustedProxies};

/// A value that must never appear in logs or error messages.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The secret itself. Call sites are easy to grep for.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret([verborgen])")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[verborgen]")
    }
}

/// How outgoing e-mail leaves the application.
#[derive(Debug, Clone)]
pub enum MailTransport {
    /// Write every message as an `.eml` file into a directory (the default for a local run).
    Directory(PathBuf),
    /// Send through an SMTP server.
    Smtp(SmtpConfig),
}

#[derive(Debug, Clone)]
pub struct SmtpConfig {
    pub host: String,
    pub port: u16,
    /// `none` (plain, for a local relay), `starttls` or `tls`.
    pub security: SmtpSecurity,
    pub username: Option<String>,
    pub password: Option<Secret>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpSecurity {
    None,
    StartTls,
    Tls,
}

#[derive(Debug, Clone)]
pub struct Config {
    pub database_url: Secret,
    pub bind_address: SocketAddr,
    /// The address users reach the app at; used in e-mail links and to decide on `Secure` cookies.
    pub public_url: String,
    pub data_dir: PathBuf,
    pub mail: MailTransport,
    pub mail_from: String,
    pub session_secret: Secret,
    /// Load the demo data set (accounts, fictitious figures) when the database is empty.
    pub seed_demo: bool,
    /// With the demo data, also load the approved demo dossiers of the follow-up.
    pub seed_demo_followup: bool,
    /// Maximum size of one uploaded attachment in bytes.
    pub max_upload_bytes: usize,
    /// How many uploads are received at the same time; more answer 503 with `Retry-After`.
    pub max_concurrent_uploads: usize,
    pub log_json: bool,
    /// Signing in through the Flemish government (ACM/IDM) over OpenID Connect, when configured.
    pub oidc: Option<crate::auth::oidc::OidcSettings>,
    /// Whether the sign-in page offers e-mail and password (`PASSWORD_LOGIN`, on by default).
    pub password_login: bool,
    /// The reverse proxies in front of the app (`TRUSTED_PROXIES`, addresses and CIDR ranges;
    /// empty by default). Only for a request from one of them is the client's address read from
    /// the forwarding header; it is used for throttling and in the audit log.
    pub trusted_proxies: TrustedProxies,
    /// The header those proxies write (`TRUSTED_PROXY_HEADER`: `X-Forwarded-For`, the default,
    /// or `Forwarded`); the other one is never read.
    pub trusted_proxy_header: ProxyHeader,
}

/// How many uploads are received at the same time unless `MAX_CONCURRENT_UPLOADS` says otherwise.
pub const DEFAULT_MAX_CONCURRENT_UPLOADS: usize = 8;

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("configuratiebestand {path} kan niet gelezen worden")]
    ReadFile {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("ongeldige waarde voor {key}: {reason}")]
    Invalid { key: &'static str, reason: String },
    #[error("kan de map {path} niet aanmaken of het sessiegeheim niet bewaren")]
    DataDir {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// Where the settings come from: the process environment, overlaid on an optional file.
#[derive(Debug, Default, Clone)]
pub struct Sources {
    values: HashMap<String, String>,
}

impl Sources {
    /// Environment variables win over the file named by `SAMENLEVEN_CONFIG` (if any).
    pub fn from_env() -> Result<Self, ConfigError> {
        let mut values = HashMap::new();
        if let Ok(path) = std::env::var("SAMENLEVEN_CONFIG") {
            values.extend(read_env_file(Path::new(&path))?);
        }
        values.extend(std::env::vars());
        Ok(Self { values })
    }

    pub fn from_pairs<I, K, V>(pairs: I) -> Self
    where
        I: IntoIterator<Item = (K, V)>,
        K: Into<String>,
        V: Into<String>,
    {
        Self {
            values: pairs
                .into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
        }
    }

    fn get(&self, key: &str) -> Option<&str> {
        self.values
            .get(key)
            .map(String::as_str)
            .filter(|v| !v.trim().is_empty())
    }
}

fn read_env_file(path: &Path) -> Result<HashMap<String, String>, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::ReadFile {
        path: path.to_owned(),
        source,
    })?;
    Ok(text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().trim_matches('"').to_owned()))
        .collect())
}

impl Config {
    /// Builds the configuration. Creates the data directory and, when no `SESSION_SECRET` is
    /// given, generates one and stores it in `DATA_DIR/session_secret` for the next start.
    pub fn load(sources: &Sources) -> Result<Self, ConfigError> {
        let data_dir = PathBuf::from(sources.get("DATA_DIR").unwrap_or("./data"));
        std::fs::create_dir_all(&data_dir).map_err(|source| ConfigError::DataDir {
            path: data_dir.clone(),
            source,
        })?;

        let database_url = match sources.get("DATABASE_URL") {
            Some(url) => url.to_owned(),
            None => format!(
                "sqlite://{}?mode=rwc",
                data_dir.join("samenleven.db").display()
            ),
        };

        let bind_address = sources
            .get("BIND_ADDRESS")
            .unwrap_or("127.0.0.1:3000")
            .parse::<SocketAddr>()
            .map_err(|e| ConfigError::Invalid {
                key: "BIND_ADDRESS",
                reason: e.to_string(),
            })?;

        let public_url = sources
            .get("PUBLIC_URL")
            .map(|u| u.trim_end_matches('/').to_owned())
            .unwrap_or_else(|| format!("http://{bind_address}"));

        let mail = match sources.get("SMTP_HOST") {
            None => MailTransport::Directory(
                sources
                    .get("MAIL_OUTBOX_DIR")
                    .map(PathBuf::from)
                    .unwrap_or_else(|| data_dir.join("outbox")),
            ),
            Some(host) => {
                let security = match sources.get("SMTP_SECURITY").unwrap_or("starttls") {
                    "none" => SmtpSecurity::None,
                    "starttls" => SmtpSecurity::StartTls,
                    "tls" => SmtpSecurity::Tls,
                    other => {
                        return Err(ConfigError::Invalid {
                            key: "SMTP_SECURITY",
                            reason: format!("'{other}' is geen van none, starttls, tls"),
                        });
                    }
                };
                let default_port = match security {
                    SmtpSecurity::None => 25,
                    SmtpSecurity::StartTls => 587,
                    SmtpSecurity::Tls => 465,
                };
                let port = match sources.get("SMTP_PORT") {
                    Some(p) => p.parse().map_err(|_| ConfigError::Invalid {
                        key: "SMTP_PORT",
                        reason: format!("'{p}' is geen poortnummer"),
                    })?,
                    None => default_port,
                };
                MailTransport::Smtp(SmtpConfig {
                    host: host.to_owned(),
                    port,
                    security,
                    username: sources.get("SMTP_USERNAME").map(str::to_owned),
                    password: sources.get("SMTP_PASSWORD").map(Secret::new),
                })
            }
        };

        let session_secret = match sources.get("SESSION_SECRET") {
            Some(s) if s.len() >= 32 => Secret::new(s),
            Some(_) => {
                return Err(ConfigError::Invalid {
                    key: "SESSION_SECRET",
                    reason: "minstens 32 tekens".into(),
                });
            }
            None => load_or_create_secret(&data_dir.join("session_secret"))?,
        };

        let max_upload_bytes = match sources.get("MAX_UPLOAD_BYTES") {
            Some(v) => v.parse().map_err(|_| ConfigError::Invalid {
                key: "MAX_UPLOAD_BYTES",
                reason: format!("'{v}' is geen aantal bytes"),
            })?,
            None => 10 * 1024 * 1024,
        };

        let oidc = crate::auth::oidc::OidcSettings::from_sources(|k| sources.get(k), &public_url)?;
        let password_login = parse_bool(sources.get("PASSWORD_LOGIN"), true);
        if !password_login && oidc.is_none() {
            return Err(ConfigError::Invalid {
                key: "PASSWORD_LOGIN",
                reason: "zonder OpenID Connect (OIDC_DISCOVERY_URL, …) kan niemand zich nog \
                         aanmelden"
                    .into(),
            });
        }
        let trusted_proxies = TrustedProxies::parse(sources.get("TRUSTED_PROXIES").unwrap_or(""))
            .map_err(|reason| ConfigError::Invalid {
            key: "TRUSTED_PROXIES",
            reason,
        })?;
        let trusted_proxy_header = match sources.get("TRUSTED_PROXY_HEADER") {
            None => ProxyHeader::default(),
            Some(v) => ProxyHeader::parse(v).ok_or_else(|| ConfigError::Invalid {
                key: "TRUSTED_PROXY_HEADER",
                reason: format!("'{v}' is geen van X-Forwarded-For, Forwarded"),
            })?,
        };
        let max_concurrent_uploads = match sources.get("MAX_CONCURRENT_UPLOADS") {
            Some(v) => match v.parse::<usize>() {
                Ok(n) if n > 0 => n,
                _ => {
                    return Err(ConfigError::Invalid {
                        key: "MAX_CONCURRENT_UPLOADS",
                        reason: format!("'{v}' is geen aantal groter dan nul"),
                    });
                }
            },
            None => DEFAULT_MAX_CONCURRENT_UPLOADS,
        };

        Ok(Self {
            database_url: Secret::new(database_url),
            bind_address,
            public_url,
            data_dir,
            mail,
            mail_from: sources
                .get("MAIL_FROM")
                .unwrap_or("Samenleven <noreply@samenleven.test>")
                .to_owned(),
            session_secret,
            seed_demo: parse_bool(sources.get("SEED_DEMO"), true),
            seed_demo_followup: parse_bool(sources.get("SEED_DEMO_FOLLOWUP"), true),
            max_upload_bytes,
            max_concurrent_uploads,
            log_json: sources.get("LOG_FORMAT") == Some("json"),
            oidc,
            password_login,
            trusted_proxies,
            trusted_proxy_header,
        })
    }

    /// Cookies get the `Secure` flag when users reach the app over HTTPS.
    pub fn secure_cookies(&self) -> bool {
        self.public_url.starts_with("https://")
    }

    /// Directory where uploaded attachments are stored, outside any web root.
    pub fn upload_dir(&self) -> PathBuf {
        self.data_dir.join("uploads")
    }

    /// Directory where uploads are received (streamed to a temporary file) before they are
    /// checked and moved into [`Config::upload_dir`]; on the same disk, under the data directory.
    pub fn incoming_dir(&self) -> PathBuf {
        self.data_dir.join("incoming")
    }

    /// The database URL with any password removed, safe to log.
    pub fn database_url_for_logs(&self) -> String {
        redact_url(self.database_url.expose())
    }
}

fn parse_bool(value: Option<&str>, default: bool) -> bool {
    match value.map(str::to_ascii_lowercase).as_deref() {
        Some("1" | "true" | "yes" | "ja") => true,
        Some("0" | "false" | "no" | "nee") => false,
        _ => default,
    }
}

fn load_or_create_secret(path: &Path) -> Result<Secret, ConfigError> {
    let io_err = |source| ConfigError::DataDir {
        path: path.to_owned(),
        source,
    };
    if let Ok(existing) = std::fs::read_to_string(path) {
        let existing = existing.trim();
        if existing.len() >= 32 {
            return Ok(Secret::new(existing));
        }
    }
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    let secret = hex::encode(bytes);
    write_private(path, &secret).map_err(io_err)?;
    Ok(Secret::new(secret))
}

#[cfg(unix)]
fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(contents.as_bytes())
}

#[cfg(not(unix))]
fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
    std::fs::write(path, contents)
}

/// Removes the password from a URL such as `postgres://user:pw@host/db`.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let userinfo = &url[scheme_end + 3..at];
            match userinfo.split_once(':') {
                Some((user, _)) => format!("{}{}:***{}", &url[..scheme_end + 3], user, &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config_with(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let dir = std::env::temp_dir().join(format!("samenleven-config-{}", uuid::Uuid::new_v4()));
        let mut all: Vec<(String, String)> = vec![("DATA_DIR".into(), dir.display().to_string())];
        all.extend(pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        Config::load(&Sources::from_pairs(all))
    }

    #[test]
    fn defaults_give_an_embedded_sqlite_database_and_a_mail_directory() {
        let config = config_with(&[]).unwrap();
        assert!(config.database_url.expose().starts_with("sqlite://"));
        assert_eq!(config.bind_address.to_string(), "127.0.0.1:3000");
        assert!(matches!(config.mail, MailTransport::Directory(_)));
        assert!(!config.secure_cookies());
    }

    #[test]
    fn a_generated_session_secret_is_stored_and_reused() {
        let dir = std::env::temp_dir().join(format!("samenleven-config-{}", uuid::Uuid::new_v4()));
        let sources = Sources::from_pairs([("DATA_DIR", dir.display().to_string())]);
        let first = Config::load(&sources).unwrap();
        let second = Config::load(&sources).unwrap();
        assert_eq!(first.session_secret, second.session_secret);
        assert!(first.session_secret.expose().len() >= 32);
    }

    #[test]
    fn secrets_never_print() {
        let config = config_with(&[
            ("SESSION_SECRET", "0123456789abcdef0123456789abcdef-geheim"),
            ("SMTP_HOST", "mail.example"),
            ("SMTP_PASSWORD", "hunter2"),
        ])
        .unwrap();
        let printed = format!("{config:?}");
        assert!(!printed.contains("geheim"), "{printed}");
        assert!(!printed.contains("hunter2"), "{printed}");
    }

    #[test]
    fn a_database_password_is_redacted_for_logs() {
        assert_eq!(
            redact_url("postgres://app:s3cret@db:5432/samenleven"),
            "postgres://app:***@db:5432/samenleven"
        );
        assert_eq!(redact_url("sqlite://./data/x.db"), "sqlite://./data/x.db");
    }

    #[test]
    fn bad_values_are_refused_with_the_setting_named() {
        let err = config_with(&[("BIND_ADDRESS", "nergens")]).unwrap_err();
        assert!(err.to_string().contains("BIND_ADDRESS"));
        let err = config_with(&[("SMTP_HOST", "x"), ("SMTP_SECURITY", "ssl3")]).unwrap_err();
        assert!(err.to_string().contains("SMTP_SECURITY"));
        let err = config_with(&[("SESSION_SECRET", "kort")]).unwrap_err();
        assert!(err.to_string().contains("SESSION_SECRET"));
        let err = config_with(&[("MAX_CONCURRENT_UPLOADS", "0")]).unwrap_err();
        assert!(err.to_string().contains("MAX_CONCURRENT_UPLOADS"));
        let err = config_with(&[("TRUSTED_PROXIES", "10.0.0.0/8, loadbalancer")]).unwrap_err();
        assert!(err.to_string().contains("TRUSTED_PROXIES"), "{err}");
        assert!(err.to_string().contains("loadbalancer"), "{err}");
        let err = config_with(&[("TRUSTED_PROXY_HEADER", "X-Real-IP")]).unwrap_err();
        assert!(err.to_string().contains("TRUSTED_PROXY_HEADER"), "{err}");
    }

    #[test]
    fn no_proxy_is_trusted_unless_configured() {
        let config = config_with(&[]).unwrap();
        assert!(config.trusted_proxies.is_empty());
        assert_eq!(config.trusted_proxy_header, ProxyHeader::XForwardedFor);
        let config = config_with(&[
            ("TRUSTED_PROXIES", "10.0.0.0/8 192.168.1.10"),
            ("TRUSTED_PROXY_HEADER", "forwarded"),
        ])
        .unwrap();
        assert!(
            config
                .trusted_proxies
                .contains("10.20.30.40".parse().unwrap())
        );
        assert!(
            !config
                .trusted_proxies
                .contains("192.168.1.11".parse().unwrap())
        );
        assert_eq!(config.trusted_proxy_header, ProxyHeader::Forwarded);
    }
}
