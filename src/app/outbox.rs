//! The e-mail outbox (admins): putting a failed mail back in the queue.

use entity::email_outbox::OutboxState;

use super::{Caller, Error, Result, Work};
use crate::policy::Action;
use crate::state::AppState;

/// What became of a requeue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Requeued {
    /// Back in the queue; the mail's recipient.
    Queued { to: String },
    /// The mail had not failed: nothing to send again.
    NotFailed,
    /// Someone else put it back in the queue meanwhile.
    AlreadyQueued,
}

/// Puts failed mail `id` back in the queue (its attempts start over), audited, and wakes the
/// mail worker.
pub async fn requeue(state: &AppState, caller: &Caller, id: i64) -> Result<Requeued> {
    caller.may(state, Action::ManageUsers, None).await?;
    let mail = crate::store::outbox::find(&state.db, id)
        .await?
        .ok_or(Error::NotFound)?;
    if mail.state != OutboxState::Failed {
        return Ok(Requeued::NotFailed);
    }
    let mut work = Work::begin(state).await?;
    if !crate::mail::requeue_failed(work.txn(), id, caller.now).await? {
        work.rollback().await?;
        return Ok(Requeued::AlreadyQueued);
    }
    work.audit(
        caller
            .audit("mail.requeued", "email_outbox", id)
            .before(serde_json::json!({
                "state": "failed",
                "attempts": mail.attempts,
                "last_error": mail.last_error,
            }))
            .after(serde_json::json!({ "state": "pending", "attempts": 0 }))
            .details(format!("aan {}", mail.to_address)),
    );
    work.commit().await?;
    state.mail_wakeup.notify_one();
    Ok(Requeued::Queued {
        to: mail.to_address,
    })
}
