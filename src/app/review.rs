//! ABB's review commands: take a dossier in review, assign it, write a note or a message, save
//! the checklist, request changes, decide, reopen a decision, and recheck a call's rules.
//!
//! [`decide`] is the worked example of the layer (ARCHITECTURE.md walks through it): the caller
//! and typed input come in; the command loads the dossier once, asks the policy, checks the
//! input with the domain's rules (Dutch field messages), and in one [`Work`] moves the state
//! through the workflow, records the decision, schedules the follow-up, audits and mails the
//! parties the domain's [`recipients`] rule names.

use askama::Template;

use entity::application::ApplicationState;
use entity::four_eyes_proposal::ProposalKind;

use super::notify::{DossierLine, tell};
use super::{Caller, Error, Result, Work, dossier_for};
use crate::domain::Cents;
use crate::domain::decision::{self, GrantBounds, Outcome, Verdict};
use crate::domain::fields::FieldErrors;
use crate::domain::four_eyes;
use crate::domain::recipients::News;
use crate::domain::workflow::{self, Transition};
use crate::policy::Action;
use crate::state::AppState;
use crate::store::drafts::DossierContent;
use crate::store::{allocations, decisions, followup, review};

/// The longest motivation a decision takes.
pub const MOTIVATION_MAX_CHARS: usize = 5000;

/// A decision as ABB typed it.
#[derive(Debug, Clone, Default)]
pub struct DecisionInput {
    /// `None` when neither approve nor reject was chosen.
    pub verdict: Option<Verdict>,
    pub motivation: String,
    /// The grant per project year as typed, per application action id (form field
    /// `grant_{id}`); only read when approving.
    pub grants: Vec<(i64, String)>,
}

/// What a decision came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decided {
    pub application_id: i64,
    pub outcome: Outcome,
    /// Over every project year, the incentive included.
    pub total: Cents,
}

/// What "decide" did: took the decision, or (four eyes) stored it as a proposal that another
/// member of ABB confirms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Taken(Decided),
    Proposed(Decided),
}

/// A decision as stored in a pending proposal: the input that is replayed on confirmation and
/// what it came to when it was proposed (the review page shows it).
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct ProposedDecision {
    /// `approve` or `reject`.
    pub verdict: String,
    pub motivation: String,
    /// Per application action: its grant per project year (plain, "50000,00").
    pub grants: Vec<(i64, String)>,
    /// What it came to: `approved`, `partly_approved`, `rejected`.
    pub outcome: String,
    pub total_cents: i64,
    pub incentive_cents: i64,
}

impl ProposedDecision {
    /// The input to replay.
    pub fn input(&self) -> DecisionInput {
        DecisionInput {
            verdict: match self.verdict.as_str() {
                "approve" => Some(Verdict::Approve),
                "reject" => Some(Verdict::Reject),
                _ => None,
            },
            motivation: self.motivation.clone(),
            grants: self.grants.clone(),
        }
    }

    /// The outcome it came to.
    pub fn outcome(&self) -> Outcome {
        match self.outcome.as_str() {
            "approved" => Outcome::Approved,
            "partly_approved" => Outcome::PartlyApproved,
            _ => Outcome::Rejected,
        }
    }

    /// Reads a stored proposal's input.
    pub fn read(proposal: &entity::four_eyes_proposal::Model) -> Result<Self> {
        serde_json::from_str(&proposal.input).map_err(Error::internal)
    }
}

/// The form field of an action's grant.
pub fn grant_field(application_action_id: i64) -> String {
    format!("grant_{application_action_id}")
}

/// A decision checked against the dossier's current data, ready to record.
struct Checked {
    verdict: Verdict,
    outcome: Outcome,
    motivation: String,
    /// `(application action, requested, granted per year)`.
    granted: Vec<(i64, Cents, Cents)>,
    /// The incentive of the first project year (the decision's `incentive_cents`).
    incentive: Cents,
    /// The incentive of each project year.
    incentives: Vec<(i32, Cents)>,
    total: Cents,
    /// `(application action, project year, granted)`: a year whose amount per unit differs
    /// gets the same share of its own request ([`crate::domain::rounds::grant_in_year`]).
    lines: Vec<(i64, i32, Cents)>,
}

impl Checked {
    fn step(&self) -> Transition {
        match self.outcome {
            Outcome::Rejected => Transition::Reject,
            Outcome::Approved => Transition::Approve,
            Outcome::PartlyApproved => Transition::PartlyApprove,
        }
    }

    fn stored(&self) -> ProposedDecision {
        ProposedDecision {
            verdict: match self.verdict {
                Verdict::Approve => "approve",
                Verdict::Reject => "reject",
            }
            .into(),
            motivation: self.motivation.clone(),
            grants: self
                .granted
                .iter()
                .map(|(id, _, amount)| (*id, amount.to_plain_string()))
                .collect(),
            outcome: match self.outcome {
                Outcome::Approved => "approved",
                Outcome::PartlyApproved => "partly_approved",
                Outcome::Rejected => "rejected",
            }
            .into(),
            total_cents: self.total.get(),
            incentive_cents: self.incentive.get(),
        }
    }
}

/// Checks `input` against the dossier's current data (motivation, grants within their bounds,
/// the total); field errors for what cannot stand.
async fn check(
    state: &AppState,
    content: &DossierContent,
    input: &DecisionInput,
) -> Result<Checked> {
    let app = &content.dossier.application;
    let motivation = input.motivation.trim().to_owned();
    let years: Vec<i32> = (app.first_project_year..=app.last_project_year).collect();

    let mut errors = FieldErrors::default();
    if motivation.is_empty() || motivation.chars().count() > MOTIVATION_MAX_CHARS {
        errors.add(
            "motivation",
            format!("Motiveer de beslissing (hoogstens {MOTIVATION_MAX_CHARS} tekens)."),
        );
    }
    let granted = match input.verdict {
        Some(Verdict::Approve) => read_grants(state, content, &years, input, &mut errors).await?,
        Some(Verdict::Reject) => Vec::new(),
        None => {
            errors.add("outcome", "Kies goedkeuren of afwijzen.");
            Vec::new()
        }
    };
    Error::unless_invalid(errors)?;
    let verdict = input.verdict.unwrap_or(Verdict::Reject);

    let requested_and_granted: Vec<(Cents, Cents)> = granted
        .iter()
        .map(|(_, requested, amount)| (*requested, *amount))
        .collect();
    let outcome = decision::outcome(verdict, &requested_and_granted);
    // The incentive of each project year, with the members that take part in it.
    let incentives: Vec<(i32, Cents)> = if outcome == Outcome::Rejected {
        years.iter().map(|y| (*y, Cents::ZERO)).collect()
    } else {
        content.incentive_by_year(&state.db).await?
    };
    let incentive = incentives.first().map_or(Cents::ZERO, |(_, c)| *c);
    let lines = granted_by_year(content, &granted, &years);
    let per_line: Vec<Cents> = lines.iter().map(|(_, _, amount)| *amount).collect();
    let per_year_incentive: Vec<Cents> = incentives.iter().map(|(_, c)| *c).collect();
    let total = decision::total(outcome, &per_line, &per_year_incentive)
        .ok_or_else(|| Error::field("outcome", "Het totaal van deze beslissing is te groot."))?;
    Ok(Checked {
        verdict,
        outcome,
        motivation,
        granted,
        incentive,
        incentives,
        total,
        lines,
    })
}

/// What a decision grants each action in each project year: the amount granted for the
/// dossier's first year, and in a later year whose amount per unit differs the same share of
/// that year's request (the amount of each round applies; earlier rounds keep theirs).
fn granted_by_year(
    content: &DossierContent,
    granted: &[(i64, Cents, Cents)],
    years: &[i32],
) -> Vec<(i64, i32, Cents)> {
    let first = content.dossier.application.first_project_year;
    granted
        .iter()
        .flat_map(|(id, requested, amount)| {
            let chosen = content.actions.iter().find(|a| a.row.id == *id);
            years.iter().map(move |year| {
                let in_year = match chosen {
                    Some(a)
                        if content.call.unit_cost_in(&a.call_action, *year)
                            != content.call.unit_cost_in(&a.call_action, first) =>
                    {
                        let asked = Cents::new(content.call.requested_in(
                            &a.call_action,
                            a.row.planned_reach,
                            *year,
                        ))
                        .unwrap_or_default();
                        crate::domain::rounds::grant_in_year(*amount, *requested, asked)
                    }
                    _ => *amount,
                };
                (*id, *year, in_year)
            })
        })
        .collect()
}

/// Decides on dossier `id`: approve (with a grant per action within the domain's bounds) or
/// reject, with a motivation. When the call asks a second person for this amount (four eyes,
/// [`four_eyes::needs_second_person`]), the checked decision is stored as a proposal and
/// nothing else changes (no state move, no mails, no follow-up): [`Decision::Proposed`].
pub async fn decide(
    state: &AppState,
    caller: &Caller,
    id: i64,
    input: DecisionInput,
) -> Result<Decision> {
    let content = dossier_for(state, caller, id, Action::ReviewDossier).await?;
    let checked = check(state, &content, &input).await?;
    let app = &content.dossier.application;
    let threshold = Cents::new(content.call.call.four_eyes_threshold_cents).unwrap_or_default();
    if caller.user.is_none() || !four_eyes::needs_second_person(threshold, checked.total) {
        return record(state, caller, &content, &checked, None)
            .await
            .map(Decision::Taken);
    }
    // The workflow must allow the decision now, so nobody confirms what cannot be taken.
    workflow::next(app.state.into(), checked.step(), caller.party())
        .map_err(|e| Error::Conflict(e.to_string()))?;
    let mut work = Work::begin(state).await?;
    let subject = super::four_eyes::Subject {
        kind: ProposalKind::Decision,
        id: app.id,
        call_id: app.call_id,
    };
    let stored = serde_json::to_value(checked.stored()).map_err(Error::internal)?;
    let proposal =
        super::four_eyes::propose(&mut work, caller, subject, checked.total.get(), stored).await;
    if let Err(err) = proposal {
        work.rollback().await?;
        return Err(err);
    }
    work.commit().await?;
    Ok(Decision::Proposed(Decided {
        application_id: app.id,
        outcome: checked.outcome,
        total: checked.total,
    }))
}

/// The message when a proposed decision no longer fits the dossier's data.
pub const PROPOSAL_STALE: &str = "Het voorstel past niet meer bij de huidige gegevens van het \
    dossier. Stuur het terug zodat een nieuw voorstel gedaan kan worden.";

/// Confirms the decision proposed in pending proposal `proposal_id` on dossier `id`: anyone of
/// ABB but the proposer ([`four_eyes::REFUSAL`] as [`Error::Conflict`]); the proposal is checked
/// again against the dossier's current data (what no longer fits is a conflict,
/// [`PROPOSAL_STALE`]) and then taken as [`decide`] takes a decision, recording who proposed.
pub async fn confirm_decision(
    state: &AppState,
    caller: &Caller,
    id: i64,
    proposal_id: i64,
) -> Result<Decided> {
    let content = dossier_for(state, caller, id, Action::ReviewDossier).await?;
    let proposal =
        super::four_eyes::pending_one(state, ProposalKind::Decision, id, proposal_id).await?;
    super::four_eyes::may_confirm(caller, &proposal).map_err(|r| Error::Conflict(r.into()))?;
    let stored = ProposedDecision::read(&proposal)?;
    let checked = match check(state, &content, &stored.input()).await {
        Ok(checked) => checked,
        Err(Error::Invalid(errors)) => {
            let first = errors
                .items
                .first()
                .map(|e| format!(" {}", e.message))
                .unwrap_or_default();
            return Err(Error::Conflict(format!("{PROPOSAL_STALE}{first}")));
        }
        Err(other) => return Err(other),
    };
    if checked.total.get() != stored.total_cents {
        return Err(Error::Conflict(PROPOSAL_STALE.into()));
    }
    record(state, caller, &content, &checked, Some(&proposal)).await
}

/// The pending decision proposal `proposal_id` on dossier `id`, for its confirmation, its
/// return or its withdrawal (staff who may review the dossier).
pub async fn pending_decision(
    state: &AppState,
    caller: &Caller,
    id: i64,
    proposal_id: i64,
) -> Result<(DossierContent, entity::four_eyes_proposal::Model)> {
    let content = dossier_for(state, caller, id, Action::ReviewDossier).await?;
    let proposal =
        super::four_eyes::pending_one(state, ProposalKind::Decision, id, proposal_id).await?;
    Ok((content, proposal))
}

/// Sends the decision proposed in `proposal_id` on dossier `id` back to its proposer with
/// `reason` (mailed); nothing else changes.
pub async fn send_back_decision(
    state: &AppState,
    caller: &Caller,
    id: i64,
    proposal_id: i64,
    version: i32,
    reason: &str,
) -> Result<()> {
    let (_, proposal) = pending_decision(state, caller, id, proposal_id).await?;
    let link = format!("{}/beoordeling/{id}", state.config.public_url);
    super::four_eyes::send_back(state, caller, &proposal, version, reason, &link).await
}

/// Withdraws the decision proposed in `proposal_id` on dossier `id` (its proposer only).
pub async fn withdraw_decision(
    state: &AppState,
    caller: &Caller,
    id: i64,
    proposal_id: i64,
    version: i32,
) -> Result<()> {
    let (_, proposal) = pending_decision(state, caller, id, proposal_id).await?;
    super::four_eyes::withdraw(state, caller, &proposal, version).await
}

/// Takes the checked decision on the dossier of `content`: in one [`Work`] the state moves
/// through the workflow, the decision is recorded, the follow-up scheduled, the parties told;
/// a confirmed `proposal` is settled with it and its proposer recorded.
async fn record(
    state: &AppState,
    caller: &Caller,
    content: &DossierContent,
    checked: &Checked,
    proposal: Option<&entity::four_eyes_proposal::Model>,
) -> Result<Decided> {
    let app = content.dossier.application.clone();
    let (outcome, total, motivation) = (checked.outcome, checked.total, &checked.motivation);
    let step = checked.step();
    let mut work = Work::begin(state).await?;
    if let Some(proposal) = proposal
        && let Err(err) = super::four_eyes::settle_confirmed(&mut work, caller, proposal).await
    {
        work.rollback().await?;
        return Err(err);
    }
    let to = match move_through(&work, caller, &app, step).await {
        Ok(to) => to,
        Err(err) => {
            work.rollback().await?;
            return Err(err);
        }
    };
    work.audit(
        caller
            .audit(
                &format!("application.{}", step.code()),
                "application",
                app.id,
            )
            .before(serde_json::json!({"state": app.state}))
            .after(serde_json::json!({"state": to}))
            .details(motivation.clone()),
    );
    decisions::insert(
        work.txn(),
        decisions::NewDecision {
            application_id: app.id,
            outcome,
            motivation,
            decided_by: caller.user_id().unwrap_or_default(),
            proposed_by: proposal.map(|p| p.proposed_by),
            decided_at: caller.now,
            total_granted_cents: total.get(),
            incentive_cents: checked.incentive.get(),
            incentive_by_year: decision::incentive_by_year_text(&checked.incentives),
            lines: checked
                .lines
                .iter()
                .map(|(action_id, year, amount)| (*action_id, *year, amount.get()))
                .collect(),
        },
    )
    .await?;
    // Follow-up: the reports and advances of the approved project years (or cancellations).
    followup::on_decision(work.txn(), app.id, &caller.by(), caller.now).await?;
    let letter_link = format!("{}/dossiers/{}/beslissing", state.config.public_url, app.id);
    tell(
        state,
        &mut work,
        content,
        News::Decision,
        "beslissing over uw dossier",
        |dossier| {
            crate::mail::render_text(&DecisionMail {
                dossier,
                rejected: outcome == Outcome::Rejected,
                outcome: match outcome {
                    Outcome::PartlyApproved => "gedeeltelijk goed",
                    _ => "goed",
                },
                total: &total.to_string(),
                motivation,
                letter_link: &letter_link,
            })
        },
    )
    .await?;
    work.commit().await?;
    Ok(Decided {
        application_id: app.id,
        outcome,
        total,
    })
}

/// The confirmed allocation of application action `id` in each of `years` that has one.
fn confirmed_in(
    confirmed: &std::collections::BTreeMap<(i64, i32), i64>,
    id: i64,
    years: &[i32],
) -> Vec<(i32, Cents)> {
    years
        .iter()
        .filter_map(|year| {
            confirmed
                .get(&(id, *year))
                .and_then(|c| Cents::new(*c))
                .map(|c| (*year, c))
        })
        .collect()
}

/// What the decision form proposes per application action of `content`: the confirmed
/// allocation when there is one, else the request ([`decision::proposed_grant`]).
pub async fn proposals(
    state: &AppState,
    content: &DossierContent,
) -> Result<Vec<(i64, decision::Proposal)>> {
    let app = &content.dossier.application;
    let years: Vec<i32> = (app.first_project_year..=app.last_project_year).collect();
    let ids: Vec<i64> = content.actions.iter().map(|a| a.row.id).collect();
    let confirmed = allocations::confirmed_amounts(&state.db, &ids).await?;
    Ok(content
        .actions
        .iter()
        .map(|a| {
            let requested = Cents::new(a.row.grant_cents).unwrap_or_default();
            let proposal = decision::proposed_grant(
                requested,
                &confirmed_in(&confirmed, a.row.id, years.as_slice()),
            );
            (a.row.id, proposal)
        })
        .collect())
}

/// A chosen action's own share per project year: money and staff time.
fn own_share(row: &entity::application_action::Model) -> Cents {
    Cents::new(row.own_contribution_cents)
        .unwrap_or_default()
        .saturating_add(Cents::new(row.own_staff_cents).unwrap_or_default())
}

/// Reads the grant of every action of the dossier against its bounds; field errors for what
/// cannot stand. Returns `(application action, requested, granted)` per action.
async fn read_grants(
    state: &AppState,
    content: &DossierContent,
    years: &[i32],
    input: &DecisionInput,
    errors: &mut FieldErrors,
) -> Result<Vec<(i64, Cents, Cents)>> {
    if content.actions.is_empty() {
        errors.add(
            "outcome",
            "Een dossier zonder acties kan niet goedgekeurd worden.",
        );
        return Ok(Vec::new());
    }
    let ids: Vec<i64> = content.actions.iter().map(|a| a.row.id).collect();
    let confirmed = allocations::confirmed_amounts(&state.db, &ids).await?;
    let mut granted = Vec::new();
    for a in &content.actions {
        let field = grant_field(a.row.id);
        let typed = input
            .grants
            .iter()
            .find(|(id, _)| *id == a.row.id)
            .map(|(_, text)| text.as_str())
            .unwrap_or("");
        let amount = match Cents::parse(typed) {
            Ok(amount) => amount,
            Err(e) => {
                errors.add(&field, format!("Actie {}: {e}", a.action.code));
                continue;
            }
        };
        let bounds = GrantBounds {
            code: a.action.code.clone(),
            requested: Cents::new(a.row.grant_cents).unwrap_or_default(),
            own_contribution: own_share(&a.row),
            confirmed: confirmed_in(&confirmed, a.row.id, years),
        };
        let problems = decision::grant_problems(amount, &bounds);
        if let Some(first) = problems.first() {
            errors.add(&field, first.to_string());
            continue;
        }
        granted.push((a.row.id, bounds.requested, amount));
    }
    if errors.is_empty() {
        let total = Cents::checked_sum(granted.iter().map(|(_, _, amount)| *amount));
        let own = Cents::checked_sum(content.actions.iter().map(|a| own_share(&a.row)));
        if let (Some(total), Some(own)) = (total, own)
            && let Some(problem) =
                decision::dossier_cofinancing_problem(total, own, &content.call.rules)
            && let Some(first) = content.actions.first()
        {
            errors.add(&grant_field(first.row.id), problem.to_string());
        }
    }
    Ok(granted)
}

/// Reopens the standing decision on dossier `id` (admins): the dossier goes back to review, the
/// decision lapses with the reason, and what it scheduled and was not paid is cancelled so
/// nobody pays out a decision that no longer stands; a new decision schedules anew.
pub async fn reopen(state: &AppState, caller: &Caller, id: i64, reason: &str) -> Result<()> {
    let content = dossier_for(state, caller, id, Action::AdministerCalls).await?;
    let app = content.dossier.application.clone();
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(Error::field(
            "reason",
            "Geef de reden op waarom de beslissing heropend wordt.",
        ));
    }
    let mut work = Work::begin(state).await?;
    let to = move_through(&work, caller, &app, Transition::Reopen).await?;
    work.audit(
        caller
            .audit("application.reopen", "application", app.id)
            .before(serde_json::json!({"state": app.state}))
            .after(serde_json::json!({"state": to}))
            .details(reason.to_owned()),
    );
    let moved = Move {
        application_id: app.id,
        from: app.state,
        to,
    };
    lapse_decision(work.txn(), caller, moved, reason).await?;
    tell(
        state,
        &mut work,
        &content,
        News::Decision,
        "beslissing heropend",
        |dossier| crate::mail::render_text(&ReopenedMail { dossier, reason }),
    )
    .await?;
    Ok(work.commit().await?)
}

/// Why the payments of a decision that no longer stands were cancelled, as the payment list
/// shows it (the rule: [`decision::lapsed_payment_reason`]).
pub fn lapsed_payment_reason(now: chrono::DateTime<chrono::Utc>, reason: &str) -> String {
    decision::lapsed_payment_reason(crate::domain::time::brussels_date(now), reason)
}

/// A dossier's move that may lapse its decision: from the state it was read in to the new one.
#[derive(Debug, Clone, Copy)]
pub struct Move {
    pub application_id: i64,
    pub from: ApplicationState,
    pub to: ApplicationState,
}

/// Applies the rule [`decision::lapses`] to `moved`: when the dossier leaves a decided state,
/// its standing decision is marked lapsed (who, when, why) and what it scheduled and was not
/// paid is cancelled with the reason the payment list shows; a new decision schedules anew.
/// Called inside the command's transaction by the review's reopen and (uc-admin) by the call
/// administration's "give back". Returns whether the decision lapsed.
pub async fn lapse_decision<C: sea_orm::ConnectionTrait>(
    db: &C,
    caller: &Caller,
    moved: Move,
    reason: &str,
) -> Result<bool> {
    if !decision::lapses(moved.from.into(), moved.to.into()) {
        return Ok(false);
    }
    let id = moved.application_id;
    decisions::lapse(db, id, caller.user_id(), reason, caller.now).await?;
    let why = lapsed_payment_reason(caller.now, reason);
    followup::cancel_unpaid(db, id, &why, &caller.by()).await?;
    Ok(true)
}

/// Takes dossier `id` in review: the workflow's `start_review`; the caller becomes its reviewer
/// when nobody was assigned; the parties are told.
pub async fn start(state: &AppState, caller: &Caller, id: i64) -> Result<()> {
    let content = dossier_for(state, caller, id, Action::ReviewDossier).await?;
    let app = &content.dossier.application;
    let mut work = Work::begin(state).await?;
    step_audited(&mut work, caller, app, Transition::StartReview, None).await?;
    if let (None, Some(me)) = (app.assigned_reviewer_id, caller.user_id()) {
        review::assign(work.txn(), app.id, me).await?;
    }
    tell(
        state,
        &mut work,
        &content,
        News::ReviewStarted,
        "uw dossier is in beoordeling",
        |dossier| crate::mail::render_text(&ReviewStartedMail { dossier }),
    )
    .await?;
    Ok(work.commit().await?)
}

/// Assigns dossier `id`: a reviewer takes it; an admin may name any active ABB colleague
/// (`reviewer`). Returns the name of the one it is assigned to.
pub async fn assign(
    state: &AppState,
    caller: &Caller,
    id: i64,
    reviewer: Option<i64>,
) -> Result<String> {
    let content = dossier_for(state, caller, id, Action::ReviewDossier).await?;
    let app = &content.dossier.application;
    let me = caller.user.clone().ok_or(Error::Forbidden)?;
    let reviewer = match (me.role, reviewer) {
        (entity::app_user::UserRole::Admin, Some(rid)) => {
            review::active_staff_member(&state.db, rid)
                .await?
                .ok_or_else(|| Error::field("reviewer_id", "Kies een beoordelaar van ABB."))?
        }
        _ => me,
    };
    let mut work = Work::begin(state).await?;
    review::assign(work.txn(), app.id, reviewer.id).await?;
    work.audit(
        caller
            .audit("application.assigned", "application", app.id)
            .before(serde_json::json!({"assigned_reviewer_id": app.assigned_reviewer_id}))
            .after(serde_json::json!({"assigned_reviewer_id": reviewer.id})),
    );
    work.commit().await?;
    Ok(reviewer.name)
}

/// The longest message or note (the domain's [`crate::domain::messages::MESSAGE_MAX_CHARS`]).
pub const MESSAGE_MAX_CHARS: usize = crate::domain::messages::MESSAGE_MAX_CHARS;

/// A message to the applicant, or an internal note (ABB only).
#[derive(Debug, Clone, Default)]
pub struct MessageInput {
    pub body: String,
    pub internal: bool,
}

/// Writes a note (`internal`) or a message on dossier `id`; a message is mailed to the parties.
/// The body follows the domain's rule ([`crate::domain::messages::message_body`]).
pub async fn write(state: &AppState, caller: &Caller, id: i64, input: MessageInput) -> Result<()> {
    let content = dossier_for(state, caller, id, Action::ReviewDossier).await?;
    let app = &content.dossier.application;
    let input = MessageInput {
        body: crate::domain::messages::message_body(&input.body)
            .map_err(|e| Error::field("body", e.to_string()))?,
        ..input
    };
    let mut work = Work::begin(state).await?;
    review::add_message(
        work.txn(),
        app.id,
        caller.user_id(),
        input.internal,
        &input.body,
        caller.now,
    )
    .await?;
    let action = if input.internal {
        "application.note"
    } else {
        "application.message"
    };
    work.audit(caller.audit(action, "application", app.id));
    if !input.internal {
        tell(
            state,
            &mut work,
            &content,
            News::Message,
            "bericht van ABB",
            |dossier| {
                crate::mail::render_text(&MessageMail {
                    dossier,
                    body: &input.body,
                })
            },
        )
        .await?;
    }
    Ok(work.commit().await?)
}

/// The message of a checklist someone else saved meanwhile.
pub const CHECKLIST_STALE: &str =
    "Iemand anders bewaarde de checklist intussen. Bekijk de huidige stand en bewaar opnieuw.";

/// Saves the checklist of dossier `id` (one per dossier, shared by ABB) with `marks` per
/// criterion code, if nobody saved it since `version` was read (0: not saved yet); otherwise
/// [`Error::Stale`].
pub async fn save_checklist(
    state: &AppState,
    caller: &Caller,
    id: i64,
    version: i32,
    marks: &std::collections::BTreeMap<String, String>,
) -> Result<()> {
    let content = dossier_for(state, caller, id, Action::ReviewDossier).await?;
    let app = &content.dossier.application;
    let checklist = serde_json::to_string(marks).map_err(Error::internal)?;
    let mut work = Work::begin(state).await?;
    let existing = review::checklist(work.txn(), app.id).await?;
    let saved = review::save_checklist(
        work.txn(),
        existing.as_ref(),
        app.id,
        caller.user_id().unwrap_or_default(),
        version,
        &checklist,
        caller.now,
    )
    .await?;
    if !saved {
        work.rollback().await?;
        return Err(Error::Stale);
    }
    work.audit(
        caller
            .audit("application.checklist", "application", app.id)
            .before(
                existing
                    .and_then(|r| serde_json::from_str(&r.checklist).ok())
                    .unwrap_or(serde_json::Value::Null),
            )
            .after(serde_json::from_str(&checklist).unwrap_or(serde_json::Value::Null)),
    );
    Ok(work.commit().await?)
}

/// ABB's request for changes, as typed.
#[derive(Debug, Clone, Default)]
pub struct ChangeRequestInput {
    /// The part codes ticked (unknown codes are ignored).
    pub parts: Vec<String>,
    pub message: String,
    /// "Antwoord verwacht uiterlijk", as typed (empty: the default,
    /// [`crate::domain::messages::default_answer_due`]).
    pub answer_due: String,
}

/// Sends dossier `id` back for changes to the named parts (only those open again), with ABB's
/// message and the day it expects the answer ([`crate::domain::messages::answer_due`], on the
/// Brussels day of the request); the parties are told.
pub async fn request_changes(
    state: &AppState,
    caller: &Caller,
    id: i64,
    input: ChangeRequestInput,
) -> Result<()> {
    let content = dossier_for(state, caller, id, Action::ReviewDossier).await?;
    let app = &content.dossier.application;
    let parts = crate::domain::parts::parse_codes(input.parts.iter().map(String::as_str));
    let message = input.message.trim();
    let mut errors = FieldErrors::default();
    if parts.is_empty() {
        errors.add(
            "sections",
            "Kies de onderdelen die de gemeente moet aanpassen.",
        );
    }
    if message.is_empty() {
        errors.add("message", "Leg uit wat er aangepast moet worden.");
    }
    let today = crate::domain::time::brussels_date(caller.now);
    let due = crate::domain::messages::answer_due(&input.answer_due, today);
    if let Err(problem) = &due {
        errors.add("answer_due", problem.to_string());
    }
    Error::unless_invalid(errors)?;
    let due = due.unwrap_or_else(|_| crate::domain::messages::default_answer_due(today));
    let mut work = Work::begin(state).await?;
    step_audited(
        &mut work,
        caller,
        app,
        Transition::RequestChanges,
        Some(message.to_owned()),
    )
    .await?;
    review::request_changes(
        work.txn(),
        review::NewChangeRequest {
            application_id: app.id,
            requested_by: caller.user_id().unwrap_or_default(),
            parts: &parts,
            message,
            answer_due_on: due,
        },
        caller.now,
    )
    .await?;
    let due_text = crate::domain::time::date_long(due);
    let names: Vec<&str> = parts.iter().map(|p| p.label()).collect();
    let names = names.join(", ");
    tell(
        state,
        &mut work,
        &content,
        News::ChangesRequested,
        "ABB vraagt aanpassingen",
        |dossier| {
            crate::mail::render_text(&ChangesRequestedMail {
                dossier,
                parts: &names,
                message,
                due: &due_text,
            })
        },
    )
    .await?;
    Ok(work.commit().await?)
}

/// Runs the rules engine again over every dossier of call `call_id` (admins; after an import of
/// figures or a merger), so the inbox's "rule findings" filter reflects today's data.
pub async fn recheck(
    state: &AppState,
    caller: &Caller,
    call_id: i64,
) -> Result<crate::store::inbox::RecheckSummary> {
    caller.may(state, Action::AdministerCalls, None).await?;
    // The stored findings are a cache of the engine's verdict: each dossier's row is updated on
    // its own, so a long recheck never holds the write lock for the whole call.
    let summary = crate::store::inbox::recheck_call(&state.db, call_id, caller.now).await?;
    crate::audit::record(
        &state.db,
        caller
            .audit("call.rules_rechecked", "call", call_id)
            .after(serde_json::json!({
                "checked": summary.checked,
                "with_failures": summary.with_failures,
                "with_warnings": summary.with_warnings,
            })),
    )
    .await?;
    Ok(summary)
}

/// [`move_through`] with the audit entry of the step (`application.<step>`, the states before
/// and after, and `details`).
async fn step_audited(
    work: &mut Work,
    caller: &Caller,
    app: &entity::application::Model,
    step: Transition,
    details: Option<String>,
) -> Result<ApplicationState> {
    let to = move_through(work, caller, app, step).await?;
    let mut entry = caller
        .audit(
            &format!("application.{}", step.code()),
            "application",
            app.id,
        )
        .before(serde_json::json!({"state": app.state}))
        .after(serde_json::json!({"state": to}));
    if let Some(details) = details {
        entry = entry.details(details);
    }
    work.audit(entry);
    Ok(to)
}

/// Moves the dossier through `step` if the workflow lets the caller's party do it and nobody
/// changed its state meanwhile. Returns the new state.
async fn move_through(
    work: &Work,
    caller: &Caller,
    app: &entity::application::Model,
    step: Transition,
) -> Result<ApplicationState> {
    let next = workflow::next(
        crate::domain::workflow::DossierState::from(app.state),
        step,
        caller.party(),
    )
    .map_err(|e| Error::Conflict(e.to_string()))?;
    let to = ApplicationState::from(next);
    if !decisions::move_state(work.txn(), app, to, next.is_decided(), caller.now).await? {
        return Err(Error::Conflict(
            "Het dossier veranderde intussen van status. Open het opnieuw.".into(),
        ));
    }
    Ok(to)
}

#[derive(Template)]
#[template(path = "mail/decision.txt")]
struct DecisionMail<'a> {
    dossier: &'a DossierLine<'a>,
    rejected: bool,
    outcome: &'a str,
    total: &'a str,
    motivation: &'a str,
    letter_link: &'a str,
}

#[derive(Template)]
#[template(path = "mail/decision_reopened.txt")]
struct ReopenedMail<'a> {
    dossier: &'a DossierLine<'a>,
    reason: &'a str,
}

#[derive(Template)]
#[template(path = "mail/review_started.txt")]
struct ReviewStartedMail<'a> {
    dossier: &'a DossierLine<'a>,
}

#[derive(Template)]
#[template(path = "mail/review_message.txt")]
struct MessageMail<'a> {
    dossier: &'a DossierLine<'a>,
    body: &'a str,
}

#[derive(Template)]
#[template(path = "mail/changes_requested.txt")]
struct ChangesRequestedMail<'a> {
    dossier: &'a DossierLine<'a>,
    parts: &'a str,
    message: &'a str,
    /// The day ABB expects the answer: "20 december 2026".
    due: &'a str,
}
