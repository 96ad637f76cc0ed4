//! The state every handler can reach.

use std::sync::Arc;

use sea_orm::DatabaseConnection;

use crate::clock::Clock;
use crate::config::Config;
use crate::store::reference_cache::{Reference, ReferenceCache};

#[derive(Clone)]
pub struct AppState {
    pub db: DatabaseConnection,
    pub config: Arc<Config>,
    /// Wakes the e-mail outbox worker; call `notify_one()` after committing queued mail.
    pub mail_wakeup: Arc<tokio::sync::Notify>,
    /// The reference data this instance read, per reference version.
    pub reference: Arc<ReferenceCache>,
    /// The one clock: commands and pages ask it for the time (tests can set it).
    pub clock: Clock,
    /// The OpenID provider (ACM/IDM), when configured.
    pub oidc: Option<Arc<crate::auth::oidc::OidcProvider>>,
    /// One permit per upload being received (`Config::max_concurrent_uploads`).
    pub upload_slots: Arc<tokio::sync::Semaphore>,
}

impl AppState {
    pub fn new(db: DatabaseConnection, config: Config) -> Self {
        let oidc = config.oidc.clone().and_then(|settings| {
            crate::auth::oidc::OidcProvider::new(settings)
                .map_err(|err| tracing::error!(error = %err, "OpenID Connect is not available"))
                .ok()
                .map(Arc::new)
        });
        Self {
            oidc,
            db,
            upload_slots: Arc::new(tokio::sync::Semaphore::new(config.max_concurrent_uploads)),
            config: Arc::new(config),
            mail_wakeup: Arc::default(),
            reference: Arc::default(),
            clock: Clock::system(),
        }
    }

    /// The reference data as of now (one statement; see [`ReferenceCache`]).
    pub async fn reference(&self) -> Result<Reference, sea_orm::DbErr> {
        self.reference.current(&self.db).await
    }
}
