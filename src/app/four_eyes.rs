//! Four eyes (issue 22): the steps every kind of proposal shares. A command that finds a
//! second person is needed ([`crate::domain::four_eyes::needs_second_person`]) stores its
//! validated input with [`propose`] instead of acting; another ABB staff member confirms it
//! (the kind's own command replays the input and calls [`settle_confirmed`] in its
//! transaction), or sends it back with a reason ([`send_back`], the proposer is mailed); the
//! proposer may withdraw it ([`withdraw`]). Every step is audited as
//! `four_eyes.<kind>.<step>`. Storage: [`crate::store::four_eyes`].

use askama::Template;

use entity::four_eyes_proposal::{Model as Proposal, ProposalKind, ProposalState};

use super::{Caller, Error, Result, Work};
use crate::domain::four_eyes::{self, Kind};
use crate::state::AppState;
use crate::store::four_eyes::{self as store, NewProposal, Settlement};

/// The domain's kind of a stored proposal.
pub fn kind_of(kind: ProposalKind) -> Kind {
    match kind {
        ProposalKind::Decision => Kind::Decision,
        ProposalKind::Envelope => Kind::Envelope,
        ProposalKind::Reclaim => Kind::Reclaim,
    }
}

fn audit_action(kind: ProposalKind, step: &str) -> String {
    format!("four_eyes.{}.{step}", kind_of(kind).code())
}

/// What a proposal is about, for its audit entry.
#[derive(Debug, Clone, Copy)]
pub struct Subject {
    pub kind: ProposalKind,
    pub id: i64,
    pub call_id: i64,
}

/// Stores `input` as the caller's proposal of `subject` for `amount` cents, in `work`: refused
/// while another proposal of the subject waits ([`four_eyes::ALREADY_PENDING`]). Audited.
pub async fn propose(
    work: &mut Work,
    caller: &Caller,
    subject: Subject,
    amount: i64,
    input: serde_json::Value,
) -> Result<Proposal> {
    let by = caller.user_id().ok_or(Error::Forbidden)?;
    if store::pending(work.txn(), subject.kind, subject.id)
        .await?
        .is_some()
    {
        return Err(Error::Conflict(four_eyes::ALREADY_PENDING.into()));
    }
    let saved = store::insert(
        work.txn(),
        NewProposal {
            kind: subject.kind,
            subject_id: subject.id,
            call_id: subject.call_id,
            amount_cents: amount,
            input: input.clone(),
            proposed_by: by,
            proposed_at: caller.now,
        },
    )
    .await?;
    work.audit(
        caller
            .audit(
                &audit_action(subject.kind, "proposed"),
                "four_eyes_proposal",
                saved.id,
            )
            .after(serde_json::json!({
                "subject_id": subject.id,
                "call_id": subject.call_id,
                "amount_cents": amount,
                "input": input,
            })),
    );
    Ok(saved)
}

/// The pending proposal `id` of `kind` on `subject_id`: [`Error::NotFound`] when there is no
/// such proposal, [`Error::Conflict`] ([`four_eyes::SETTLED`]) when it was settled already.
pub async fn pending_one(
    state: &AppState,
    kind: ProposalKind,
    subject_id: i64,
    id: i64,
) -> Result<Proposal> {
    let found = store::find(&state.db, id)
        .await?
        .filter(|p| p.kind == kind && p.subject_id == subject_id)
        .ok_or(Error::NotFound)?;
    if found.state != ProposalState::Pending {
        return Err(Error::Conflict(four_eyes::SETTLED.into()));
    }
    Ok(found)
}

/// Whether the caller may confirm `proposal`: [`four_eyes::REFUSAL`] for its proposer.
pub fn may_confirm(caller: &Caller, proposal: &Proposal) -> std::result::Result<(), &'static str> {
    match caller.user_id() {
        Some(by) => four_eyes::may_confirm(proposal.proposed_by, by),
        None => Ok(()),
    }
}

/// Marks `proposal` (read at its version) confirmed by the caller in `work`, after
/// [`may_confirm`]; [`Error::Conflict`] when someone settled it meanwhile. Audited.
pub async fn settle_confirmed(work: &mut Work, caller: &Caller, proposal: &Proposal) -> Result<()> {
    may_confirm(caller, proposal).map_err(|r| Error::Conflict(r.into()))?;
    let settled = store::settle(
        work.txn(),
        proposal.id,
        proposal.version,
        Settlement {
            state: ProposalState::Confirmed,
            by: caller.user_id().unwrap_or(proposal.proposed_by),
            at: caller.now,
            reason: None,
        },
    )
    .await?;
    if !settled {
        return Err(Error::Conflict(four_eyes::SETTLED.into()));
    }
    work.audit(
        caller
            .audit(
                &audit_action(proposal.kind, "confirmed"),
                "four_eyes_proposal",
                proposal.id,
            )
            .before(serde_json::json!({"state": "pending", "proposed_by": proposal.proposed_by}))
            .after(serde_json::json!({"state": "confirmed", "subject_id": proposal.subject_id})),
    );
    Ok(())
}

/// Sends pending proposal `proposal` (read at `version`) back to its proposer with `reason`
/// (required: [`four_eyes::REASON_NEEDED`] on field `reason`); the proposer is mailed with
/// `link` to where the proposal was made. Anyone of ABB but the proposer (who withdraws).
pub async fn send_back(
    state: &AppState,
    caller: &Caller,
    proposal: &Proposal,
    version: i32,
    reason: &str,
    link: &str,
) -> Result<()> {
    let reason = four_eyes::refusal_reason(reason).map_err(|m| Error::field("reason", m))?;
    if caller.user_id() == Some(proposal.proposed_by) {
        return Err(Error::Conflict(
            "U kunt uw eigen voorstel niet terugsturen: trek het in.".into(),
        ));
    }
    let proposer = crate::store::users::find(&state.db, proposal.proposed_by).await?;
    let mut work = Work::begin(state).await?;
    let settled = store::settle(
        work.txn(),
        proposal.id,
        version,
        Settlement {
            state: ProposalState::Refused,
            by: caller.user_id().unwrap_or_default(),
            at: caller.now,
            reason: Some(&reason),
        },
    )
    .await?;
    if !settled {
        work.rollback().await?;
        return Err(Error::Conflict(four_eyes::SETTLED.into()));
    }
    work.audit(
        caller
            .audit(
                &audit_action(proposal.kind, "refused"),
                "four_eyes_proposal",
                proposal.id,
            )
            .before(serde_json::json!({"state": "pending"}))
            .after(serde_json::json!({"state": "refused", "subject_id": proposal.subject_id}))
            .details(reason.clone()),
    );
    if let Some(proposer) = proposer {
        let what = kind_of(proposal.kind).label().to_lowercase();
        let body = crate::mail::render_text(&RefusedMail {
            name: &proposer.name,
            by: caller
                .user
                .as_ref()
                .map_or(caller.label.as_str(), |u| u.name.as_str()),
            what: &what,
            reason: &reason,
            link,
        })
        .map_err(Error::internal)?;
        work.mail(crate::mail::OutgoingMail {
            to: proposer.email,
            subject: format!("Samenleven: uw voorstel ({what}) werd teruggestuurd"),
            body_text: body,
            related: Some(("four_eyes_proposal".into(), proposal.id.to_string())),
        });
    }
    Ok(work.commit().await?)
}

/// Withdraws pending proposal `proposal` (read at `version`): its proposer only. Audited.
pub async fn withdraw(
    state: &AppState,
    caller: &Caller,
    proposal: &Proposal,
    version: i32,
) -> Result<()> {
    let by = caller.user_id().ok_or(Error::Forbidden)?;
    four_eyes::may_withdraw(proposal.proposed_by, by).map_err(|m| Error::Conflict(m.into()))?;
    let mut work = Work::begin(state).await?;
    let settled = store::settle(
        work.txn(),
        proposal.id,
        version,
        Settlement {
            state: ProposalState::Withdrawn,
            by,
            at: caller.now,
            reason: None,
        },
    )
    .await?;
    if !settled {
        work.rollback().await?;
        return Err(Error::Conflict(four_eyes::SETTLED.into()));
    }
    work.audit(
        caller
            .audit(
                &audit_action(proposal.kind, "withdrawn"),
                "four_eyes_proposal",
                proposal.id,
            )
            .before(serde_json::json!({"state": "pending"}))
            .after(serde_json::json!({"state": "withdrawn", "subject_id": proposal.subject_id})),
    );
    Ok(work.commit().await?)
}

#[derive(Template)]
#[template(path = "mail/four_eyes_refused.txt")]
struct RefusedMail<'a> {
    name: &'a str,
    by: &'a str,
    what: &'a str,
    reason: &'a str,
    link: &'a str,
}
