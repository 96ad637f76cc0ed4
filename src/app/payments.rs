//! ABB's payment commands: moving a payment through its states (approve, mark as paid,
//! cancel) by the domain's payment state machine, version-checked and audited, with the
//! safeguards of issue 22: a cancellation needs a reason, marking as paid records the payment
//! day and the bank's reference, and the person who approved a payment cannot mark it as paid
//! (four eyes, [`crate::domain::payments::may_mark_paid`]).

use super::{Caller, Error, Result, Work};
use crate::domain::payments::{
    PaymentState, PaymentStep, StepInput, StepRecord, may_mark_paid, next_payment_state, read_step,
};
use crate::policy::Action;
use crate::state::AppState;
use crate::store::followup::{PaymentListRow, payment_row, payment_state, stored_payment_state};
use crate::store::payments;

/// The message of a payment someone else changed meanwhile.
pub const PAYMENT_STALE: &str = "Iemand anders wijzigde deze betaling intussen. Open de lijst \
    opnieuw en kijk de huidige status na.";

/// The message when the step is not one the payment's state allows.
fn step_of(code: &str) -> Result<PaymentStep> {
    PaymentStep::parse(code.trim())
        .ok_or_else(|| Error::field("step", "Kies wat er met de betaling moet gebeuren."))
}

/// A payment and the step the caller asks to confirm, as the confirmation page shows it.
pub struct Pending {
    pub row: PaymentListRow,
    pub step: PaymentStep,
    /// Why the caller cannot take the step (four eyes), when they cannot.
    pub refusal: Option<&'static str>,
    /// The account the payee gave for its payments, if it gave one.
    pub account: Option<entity::bank_account::Model>,
}

/// Payment `id` with `step` (its code) for its confirmation page: the step must fit the
/// payment's state and the caller; a caller the four-eyes rule stops gets the page with the
/// refusal instead of a form.
pub async fn pending(state: &AppState, caller: &Caller, id: i64, step: &str) -> Result<Pending> {
    caller.may(state, Action::ManagePayments, None).await?;
    let row = payment_row(&state.db, id).await?.ok_or(Error::NotFound)?;
    let step = step_of(step)?;
    next_payment_state(payment_state(row.payment.state), step, caller.party())
        .map_err(|e| Error::Conflict(e.to_string()))?;
    let refusal = four_eyes(caller, &row.payment, step).err();
    let account = crate::store::bank_accounts::of_payee(
        &state.db,
        row.payment.payee_municipality_id,
        row.payment.payee_partner_organisation_id,
    )
    .await?;
    Ok(Pending {
        row,
        step,
        refusal,
        account,
    })
}

fn four_eyes(
    caller: &Caller,
    payment: &entity::payment::Model,
    step: PaymentStep,
) -> std::result::Result<(), &'static str> {
    match (step, &caller.user) {
        (PaymentStep::Pay, Some(user)) => may_mark_paid(payment.approved_by, user.id),
        _ => Ok(()),
    }
}

/// Moves payment `id` one `step` (its code: `approve`, `pay`, `cancel`) if the state machine
/// lets the caller do it, the four-eyes rule allows it, what the step needs was typed in
/// `input` (a payment day and the bank's reference, a reason) and nobody changed the payment
/// since `version` was read. Returns the new state. Unknown steps and missing fields are field
/// errors.
pub async fn change_state(
    state: &AppState,
    caller: &Caller,
    id: i64,
    step: &str,
    version: i32,
    input: &StepInput,
) -> Result<PaymentState> {
    caller.may(state, Action::ManagePayments, None).await?;
    let found = payments::find(&state.db, id)
        .await?
        .ok_or(Error::NotFound)?;
    let step = step_of(step)?;
    let to = next_payment_state(payment_state(found.state), step, caller.party())
        .map_err(|e| Error::Conflict(e.to_string()))?;
    four_eyes(caller, &found, step).map_err(|refusal| Error::Conflict(refusal.into()))?;
    let today = crate::domain::time::brussels_date(caller.now);
    let record = read_step(step, input, today).map_err(Error::Invalid)?;
    let by = caller.user.as_ref().map(|u| u.id);
    let mut work = Work::begin(state).await?;
    if !payments::move_state(work.txn(), found.id, version, to, &record, by).await? {
        work.rollback().await?;
        return Err(Error::Conflict(PAYMENT_STALE.into()));
    }
    let recorded = match &record {
        StepRecord::Approval => serde_json::json!({"approved_by": by}),
        StepRecord::Paid { on, bank_reference } => {
            serde_json::json!({"paid_on": on, "bank_reference": bank_reference})
        }
        StepRecord::Cancelled { reason } => serde_json::json!({"cancel_reason": reason}),
    };
    let mut after = serde_json::json!({"state": stored_payment_state(to)});
    if let (Some(after), Some(recorded)) = (after.as_object_mut(), recorded.as_object()) {
        after.extend(recorded.clone());
    }
    work.audit(
        caller
            .audit(&format!("payment.{}", step.code()), "payment", found.id)
            .before(serde_json::json!({"state": found.state, "version": found.version}))
            .after(after),
    );
    work.commit().await?;
    Ok(to)
}
