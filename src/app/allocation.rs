//! The allocation commands: propose (the engine's allocation of a project year's envelope),
//! adjust one line within the rules, confirm (admins). Each is one [`Work`] with its audit
//! entry; the bounds of an adjustment, the engine's allocation and when a proposal is stale are
//! the domain's ([`crate::domain::allocation`]), the rows the store's
//! ([`crate::store::allocations`]).

use entity::allocation::AllocationState;

use super::{Caller, Error, Result, Work};
use crate::domain::Cents;
use crate::domain::allocation::ProposalInputs;
use crate::domain::four_eyes;
use crate::domain::money::sum_cents;
use crate::state::AppState;
use crate::store::allocations::{self, AdjustError, ProposeError};

/// The form field that takes a proposal's refusal.
pub const PROPOSAL_FIELD: &str = "voorstel";
/// The form field that takes a confirmation's refusal.
pub const CONFIRM_FIELD: &str = "bevestigen";

/// The form field of an allocation line's adjusted amount.
pub fn line_field(line_id: i64) -> String {
    format!("bedrag-{line_id}")
}

/// What a proposal came to.
#[derive(Debug, Clone, Copy)]
pub struct Proposed {
    pub dossiers: usize,
    pub granted: Cents,
    pub requested: Cents,
    pub envelope: Cents,
}

/// Computes and stores a proposal for `year` of call `call_id`, replacing earlier proposals of
/// that year. Refused as [`Error::Conflict`] when the year has a confirmed allocation, and as a
/// field error ([`PROPOSAL_FIELD`]) when the engine cannot allocate.
pub async fn propose(
    state: &AppState,
    caller: &Caller,
    call_id: i64,
    year: i32,
) -> Result<Proposed> {
    allocations::call(&state.db, call_id)
        .await?
        .ok_or(Error::NotFound)?;
    // The engine runs outside the transaction that stores its result (see `compute`).
    let computed = allocations::compute(&state.db, call_id, year)
        .await
        .map_err(propose_error)?;
    let mut work = Work::begin(state).await?;
    let proposal = allocations::store_proposal(work.txn(), computed, caller.user_id(), caller.now)
        .await
        .map_err(propose_error)?;
    let outcome = &proposal.outcome;
    work.audit(
        caller
            .audit("allocation.proposed", "allocation", proposal.allocation.id)
            .after(serde_json::json!({
                "call_id": call_id,
                "year_number": year,
                "envelope_cents": proposal.allocation.envelope_cents,
                "requested_cents": outcome.requested.get(),
                "granted_cents": outcome.granted.get(),
                "incentives_granted_cents": outcome.incentives_granted.get(),
                "agreements_granted_cents": outcome.agreements_granted.get(),
                "unallocated_cents": outcome.unallocated.get(),
                "applications": outcome.applications.len(),
                "replaced": proposal.replaced,
            }))
            .details(outcome.summary.clone()),
    );
    work.commit().await?;
    Ok(Proposed {
        dossiers: outcome.applications.len(),
        granted: outcome.granted,
        requested: outcome.requested,
        envelope: outcome.envelope,
    })
}

fn propose_error(err: ProposeError) -> Error {
    match err {
        ProposeError::Db(err) => Error::Db(err),
        ProposeError::AlreadyConfirmed => Error::Conflict(err.to_string()),
        other => Error::field(PROPOSAL_FIELD, other.to_string()),
    }
}

/// Sets line `line_id` of allocation `id` to the amount `typed` (Belgian notation), if the
/// allocation is still at `version` (`None`: as read now) and proposed. Refusals that depend on
/// the allocation's state are [`Error::Conflict`]; those of the amount a field error
/// ([`line_field`]). Returns the amount.
pub async fn adjust(
    state: &AppState,
    caller: &Caller,
    id: i64,
    line_id: i64,
    typed: &str,
    version: Option<i32>,
) -> Result<Cents> {
    let current = allocations::find(&state.db, id)
        .await?
        .ok_or(Error::NotFound)?;
    if !allocations::lines(&state.db, current.id)
        .await?
        .iter()
        .any(|l| l.id == line_id)
    {
        return Err(Error::NotFound);
    }
    if current.state == AllocationState::Confirmed {
        return Err(Error::Conflict(AdjustError::Confirmed.to_string()));
    }
    let amount =
        Cents::parse(typed).map_err(|err| Error::field(&line_field(line_id), err.to_string()))?;
    let version = version.unwrap_or(current.version);
    let mut work = Work::begin(state).await?;
    let (before, after) = match allocations::adjust(
        work.txn(),
        &current,
        line_id,
        version,
        amount.get(),
        caller.user_id(),
    )
    .await
    {
        Ok(changed) => changed,
        Err(AdjustError::Db(err)) => return Err(err.into()),
        Err(err @ (AdjustError::Conflict | AdjustError::Confirmed)) => {
            work.rollback().await?;
            return Err(Error::Conflict(err.to_string()));
        }
        Err(err) => {
            work.rollback().await?;
            return Err(Error::field(&line_field(line_id), err.to_string()));
        }
    };
    work.audit(
        caller
            .audit("allocation.adjusted", "allocation", current.id)
            .before(serde_json::json!({
                "line_id": before.id,
                "application_action_id": before.application_action_id,
                "proposed_cents": before.proposed_cents,
                "adjusted_cents": before.adjusted_cents,
            }))
            .after(serde_json::json!({
                "line_id": after.id,
                "application_action_id": after.application_action_id,
                "proposed_cents": after.proposed_cents,
                "adjusted_cents": after.adjusted_cents,
            })),
    );
    work.commit().await?;
    Ok(amount)
}

/// Why proposal `allocation` no longer matches its inputs (the envelope, the dossiers of the
/// year and their requests), in Dutch; `None` while it does, and for a confirmed allocation.
/// Reads every dossier of the year, outside any transaction.
pub async fn staleness(
    state: &AppState,
    allocation: &entity::allocation::Model,
) -> Result<Option<String>> {
    if allocation.state == AllocationState::Confirmed {
        return Ok(None);
    }
    let Some((envelope, fingerprint)) =
        allocations::current_inputs(&state.db, allocation.call_id, allocation.year_number).await?
    else {
        return Ok(None);
    };
    let cents = |c: i64| Cents::new(c.max(0)).unwrap_or_default();
    Ok(crate::domain::allocation::staleness(
        ProposalInputs {
            envelope: cents(allocation.envelope_cents),
            fingerprint: allocation.inputs_fingerprint.as_deref(),
        },
        ProposalInputs {
            envelope: cents(envelope),
            fingerprint: Some(&fingerprint),
        },
    ))
}

/// Why user `by` cannot confirm allocation `allocation` (four eyes: who computed or last
/// adjusted it, when the total it grants is above the call's threshold), if they cannot.
pub async fn refusal(
    state: &AppState,
    by: Option<i64>,
    allocation: &entity::allocation::Model,
) -> Result<Option<&'static str>> {
    let Some(by) = by else {
        return Ok(None);
    };
    let threshold = allocations::call(&state.db, allocation.call_id)
        .await?
        .map(|c| c.four_eyes_threshold_cents)
        .unwrap_or_default();
    let lines = allocations::lines(&state.db, allocation.id).await?;
    let total = sum_cents(lines.iter().map(allocations::effective))
        .saturating_add(allocation.incentives_cents);
    let cents = |c: i64| Cents::new(c.max(0)).unwrap_or_default();
    if !four_eyes::needs_second_person(cents(threshold), cents(total)) {
        return Ok(None);
    }
    Ok(four_eyes::may_confirm_allocation(allocation.created_by, allocation.adjusted_by, by).err())
}

async fn four_eyes(
    state: &AppState,
    caller: &Caller,
    allocation: &entity::allocation::Model,
) -> Result<()> {
    match refusal(state, caller.user_id(), allocation).await? {
        Some(refusal) => Err(Error::Conflict(refusal.into())),
        None => Ok(()),
    }
}

/// Confirms allocation `id` if it is still at `version` (`None`: as read now), proposed, and
/// not stale ([`staleness`]: a proposal computed on another envelope or other requests is
/// refused as [`Error::Conflict`]). Returns the total it grants.
pub async fn confirm(
    state: &AppState,
    caller: &Caller,
    id: i64,
    version: Option<i32>,
) -> Result<Cents> {
    let current = allocations::find(&state.db, id)
        .await?
        .ok_or(Error::NotFound)?;
    if current.state == AllocationState::Confirmed {
        return Err(Error::Conflict("Deze toewijzing is al bevestigd.".into()));
    }
    if let Some(stale) = staleness(state, &current).await? {
        return Err(Error::Conflict(stale));
    }
    four_eyes(state, caller, &current).await?;
    let version = version.unwrap_or(current.version);
    let mut work = Work::begin(state).await?;
    let by = caller.user_id().unwrap_or_default();
    if !allocations::confirm(work.txn(), current.id, version, by, caller.now).await? {
        work.rollback().await?;
        return Err(Error::Conflict(
            "Iemand anders wijzigde deze toewijzing intussen. Bekijk de huidige bedragen en \
             bevestig opnieuw."
                .into(),
        ));
    }
    let lines = allocations::lines(work.txn(), current.id).await?;
    let total: i64 = sum_cents(lines.iter().map(allocations::effective));
    work.audit(
        caller
            .audit("allocation.confirmed", "allocation", current.id)
            .before(serde_json::json!({ "state": "proposed" }))
            .after(serde_json::json!({
                "state": "confirmed",
                "granted_cents": total,
                "envelope_cents": current.envelope_cents,
                "lines": lines.len(),
            })),
    );
    work.commit().await?;
    Ok(Cents::new(total).unwrap_or_default())
}
