//! The state every handler can reach.

use std::sync::Arc;

use sea_orm::DatabaseConnection;

use crate::config::Config;

#[derive(Clone)]
pub struct AppState {
    pub db: DatabaseConnection,
    pub config: Arc<Config>,
    /// Wakes the e-mail outbox worker; call `notify_one()` after committing queued mail.
    pub mail_wakeup: Arc<tokio::sync::Notify>,
}

impl AppState {
    pub fn new(db: DatabaseConnection, config: Config) -> Self {
        Self {
            db,
            config: Arc::new(config),
            mail_wakeup: Arc::default(),
        }
    }
}
