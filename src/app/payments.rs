//! ABB's payment commands: moving a payment through its states (approve, mark as paid,
//! cancel) by the domain's payment state machine, version-checked and audited.

use super::{Caller, Error, Result, Work};
use crate::domain::payments::{PaymentState, PaymentStep, next_payment_state};
use crate::policy::Action;
use crate::state::AppState;
use crate::store::followup::{payment_state, stored_payment_state};
use crate::store::payments;

/// The message of a payment someone else changed meanwhile.
pub const PAYMENT_STALE: &str = "Iemand anders wijzigde deze betaling intussen. Open de lijst \
    opnieuw en kijk de huidige status na.";

/// Moves payment `id` one `step` (its code: `approve`, `pay`, `cancel`…) if the state machine
/// lets the caller do it and nobody changed the payment since `version` was read. Returns the
/// new state. An unknown step is a field error (`step`).
pub async fn change_state(
    state: &AppState,
    caller: &Caller,
    id: i64,
    step: &str,
    version: i32,
) -> Result<PaymentState> {
    caller.may(state, Action::ManagePayments, None).await?;
    let found = payments::find(&state.db, id)
        .await?
        .ok_or(Error::NotFound)?;
    let step = PaymentStep::parse(step.trim())
        .ok_or_else(|| Error::field("step", "Kies wat er met de betaling moet gebeuren."))?;
    let to = next_payment_state(payment_state(found.state), step, caller.party())
        .map_err(|e| Error::Conflict(e.to_string()))?;
    let mut work = Work::begin(state).await?;
    let today = caller.now.date_naive();
    if !payments::move_state(work.txn(), found.id, version, to, today).await? {
        work.rollback().await?;
        return Err(Error::Conflict(PAYMENT_STALE.into()));
    }
    work.audit(
        caller
            .audit(&format!("payment.{}", step.code()), "payment", found.id)
            .before(serde_json::json!({"state": found.state, "version": found.version}))
            .after(serde_json::json!({"state": stored_payment_state(to)})),
    );
    work.commit().await?;
    Ok(to)
}
