//! Outgoing e-mail through a transactional outbox.
//!
//! A notification is never sent from a request handler. The handler writes it to the
//! `email_outbox` table with [`enqueue`], **in the same transaction** as the change that causes
//! it, so a rolled-back change never mails anyone and a committed change always does. A
//! background worker ([`spawn_worker`], started by [`crate::startup::Application::run_until`])
//! sends due rows with [`deliver_due`]; an SMTP outage only delays mail: failed attempts are
//! retried with exponential back-off ([`backoff`]) until [`MAX_ATTEMPTS`], after which the row is
//! `failed` and shows up in [`outbox_counts`] for the administrators.
//!
//! Every row is claimed before it is sent (an atomic `UPDATE ... WHERE state = 'pending'`), so
//! several instances on one PostgreSQL database never send the same row twice; a claim left by a
//! crashed instance expires after [`CLAIM_LEASE`]. The Message-ID is derived from the outbox id,
//! so the rare duplicate after such a crash is recognisable.
//!
//! # Writing a new e-mail
//!
//! 1. Add a Dutch text template under `templates/mail/`, ending in `.txt` (askama then escapes
//!    nothing) and closing with `{% include "mail/_voettekst.txt" %}`:
//!
//!    ```text
//!    Beste {{ naam }},
//!
//!    Uw wachtwoord kan opnieuw ingesteld worden via {{ link }}
//!    {% include "mail/_voettekst.txt" %}
//!    ```
//!
//! 2. Add a struct for it (next to the feature that sends it) and implement [`MailTemplate`] for
//!    the subject:
//!
//!    ```ignore
//!    #[derive(askama::Template)]
//!    #[template(path = "mail/wachtwoord_herstellen.txt")]
//!    pub struct WachtwoordHerstellen<'a> { pub naam: &'a str, pub link: &'a str }
//!
//!    impl MailTemplate for WachtwoordHerstellen<'_> {
//!        fn subject(&self) -> String { "Uw wachtwoord opnieuw instellen".into() }
//!    }
//!    ```
//!
//! 3. In the service function, inside the transaction of the change, compose and enqueue it;
//!    after the commit, wake the worker so the mail leaves at once instead of at the next poll:
//!
//!    ```ignore
//!    let txn = db.begin().await?;
//!    // ... the change itself ...
//!    let mail = compose(&user.email, &WachtwoordHerstellen { naam, link }, Some(("app_user", user.id)))?;
//!    mail::enqueue(&txn, mail).await?;
//!    txn.commit().await?;
//!    state.mail_wakeup.notify_one();
//!    ```
//!
//! [`render_text`] renders a template on its own (for previews or tests).

mod outbox;
mod templates;
mod transport;
mod worker;

pub use outbox::{
    CLAIM_LEASE, DeliveryReport, MAX_ATTEMPTS, OutboxCounts, OutgoingMail, backoff, deliver_due,
    enqueue, outbox_counts, requeue_failed,
};
pub use templates::{MailTemplate, TestMail, compose, render_text};
pub use transport::Mailer;
pub use worker::{POLL_INTERVAL, spawn_worker};

/// Why one e-mail could not be built or delivered. The text is stored in `last_error` and shown
/// to administrators; it never contains the SMTP password.
#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error("ongeldig e-mailadres als {role}: {address}")]
    Address {
        role: &'static str,
        address: String,
        #[source]
        source: lettre::address::AddressError,
    },
    #[error(
        "ongeldig e-mailadres als {role}: {address:?} (geen adres dat een e-mailprovider \
         aanneemt); niet verstuurd"
    )]
    Undeliverable { role: &'static str, address: String },
    #[error("het bericht kan niet opgebouwd worden")]
    Build(#[source] lettre::error::Error),
    #[error("de SMTP-verbinding kan niet ingesteld worden")]
    Setup(#[source] lettre::transport::smtp::Error),
    #[error("de SMTP-verbinding moet binnen een Tokio-runtime ingesteld worden")]
    NoRuntime,
    #[error("de SMTP-server weigerde of faalde")]
    Smtp(#[source] lettre::transport::smtp::Error),
    #[error("de SMTP-server antwoordde niet binnen {0:?}")]
    Timeout(std::time::Duration),
    #[error("kan het bericht niet wegschrijven naar {path}")]
    Io {
        path: std::path::PathBuf,
        #[source]
        source: std::io::Error,
    },
}

impl MailError {
    /// True when retrying cannot help (a malformed address or message): the row fails at once.
    /// Every SMTP or file error is retried, because a fixed server or configuration makes it work.
    pub fn is_permanent(&self) -> bool {
        matches!(
            self,
            Self::Address { .. } | Self::Undeliverable { .. } | Self::Build(_)
        )
    }
}
