//! The background worker that empties the outbox.

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use sea_orm::DatabaseConnection;
use tokio::sync::{Notify, watch};
use tokio::task::JoinHandle;

use super::{Mailer, deliver_due};

/// How often the worker looks for due rows when nobody wakes it.
pub const POLL_INTERVAL: Duration = Duration::from_secs(1);

/// Starts the worker: it delivers due rows every `interval`, and at once when `wakeup` is
/// notified (call `notify_one` after committing a transaction that queued mail). It stops when
/// `shutdown` turns true (or its sender is dropped), after finishing the batch in hand.
pub fn spawn_worker(
    db: DatabaseConnection,
    mailer: Mailer,
    from: String,
    wakeup: Arc<Notify>,
    interval: Duration,
    mut shutdown: watch::Receiver<bool>,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        tracing::info!(?mailer, "e-mail outbox worker started");
        while !*shutdown.borrow() {
            let more = match deliver_due(&db, &mailer, &from, Utc::now()).await {
                // A batch that went through may have left more due rows behind.
                Ok(report) => report.sent + report.failed > 0 && report.retrying == 0,
                Err(err) => {
                    tracing::warn!(error = %err, "e-mail outbox: database error, will retry");
                    false
                }
            };
            if more {
                continue;
            }
            tokio::select! {
                changed = shutdown.changed() => {
                    if changed.is_err() {
                        break;
                    }
                }
                () = wakeup.notified() => {}
                () = tokio::time::sleep(interval) => {}
            }
        }
        tracing::info!("e-mail outbox worker stopped");
    })
}
