//! ABB's review commands: decide on a dossier, reopen a decision.
//!
//! [`decide`] is the worked example of the layer (ARCHITECTURE.md walks through it): the caller
//! and typed input come in; the command loads the dossier once, asks the policy, checks the
//! input with the domain's rules (Dutch field messages), and in one [`Work`] moves the state
//! through the workflow, records the decision, schedules the follow-up, audits and mails the
//! parties the domain's [`recipients`] rule names.

use askama::Template;

use entity::application::ApplicationState;

use super::notify::{DossierLine, tell};
use super::{Caller, Error, Result, Work, dossier_for};
use crate::domain::Cents;
use crate::domain::decision::{self, GrantBounds, Outcome, Verdict};
use crate::domain::fields::FieldErrors;
use crate::domain::recipients::News;
use crate::domain::workflow::{self, Transition};
use crate::policy::Action;
use crate::state::AppState;
use crate::store::drafts::DossierContent;
use crate::store::{allocations, decisions, followup};

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

/// The form field of an action's grant.
pub fn grant_field(application_action_id: i64) -> String {
    format!("grant_{application_action_id}")
}

/// Decides on dossier `id`: approve (with a grant per action within the domain's bounds) or
/// reject, with a motivation.
pub async fn decide(
    state: &AppState,
    caller: &Caller,
    id: i64,
    input: DecisionInput,
) -> Result<Decided> {
    let content = dossier_for(state, caller, id, Action::ReviewDossier).await?;
    let app = content.dossier.application.clone();
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
        Some(Verdict::Approve) => read_grants(state, &content, &years, &input, &mut errors).await?,
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
    let incentive = if outcome == Outcome::Rejected {
        Cents::ZERO
    } else {
        content.report(&state.db).await?.incentive_per_project_year
    };
    let per_year: Vec<Cents> = granted.iter().map(|(_, _, amount)| *amount).collect();
    let total = decision::total(outcome, &per_year, incentive, years.len() as u64)
        .ok_or_else(|| Error::field("outcome", "Het totaal van deze beslissing is te groot."))?;

    let step = match outcome {
        Outcome::Rejected => Transition::Reject,
        Outcome::Approved => Transition::Approve,
        Outcome::PartlyApproved => Transition::PartlyApprove,
    };
    let mut work = Work::begin(state).await?;
    let to = move_through(&work, caller, &app, step).await?;
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
            motivation: &motivation,
            decided_by: caller.user_id().unwrap_or_default(),
            decided_at: caller.now,
            total_granted_cents: total.get(),
            incentive_cents: incentive.get(),
            lines: granted
                .iter()
                .flat_map(|(action_id, _, amount)| {
                    years
                        .iter()
                        .map(move |year| (*action_id, *year, amount.get()))
                })
                .collect(),
        },
    )
    .await?;
    // Follow-up: the reports and advances of the approved project years (or cancellations).
    followup::on_decision(work.txn(), app.id, &caller.by()).await?;
    let letter_link = format!("{}/dossiers/{}/beslissing", state.config.public_url, app.id);
    tell(
        state,
        &mut work,
        &content,
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
                motivation: &motivation,
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
            own_contribution: Cents::new(a.row.own_contribution_cents).unwrap_or_default(),
            confirmed: years
                .iter()
                .filter_map(|year| {
                    confirmed
                        .get(&(a.row.id, *year))
                        .and_then(|c| Cents::new(*c))
                        .map(|c| (*year, c))
                })
                .collect(),
        };
        let problems = decision::grant_problems(amount, &bounds, &content.call.rules);
        if let Some(first) = problems.first() {
            errors.add(&field, first.to_string());
            continue;
        }
        granted.push((a.row.id, bounds.requested, amount));
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
    decisions::lapse(work.txn(), app.id, caller.user_id(), reason, caller.now).await?;
    followup::cancel_unpaid(
        work.txn(),
        app.id,
        &lapsed_payment_reason(caller.now, reason),
        &caller.by(),
    )
    .await?;
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
/// shows it.
pub fn lapsed_payment_reason(now: chrono::DateTime<chrono::Utc>, reason: &str) -> String {
    format!(
        "Beslissing heropend op {}: {reason}",
        crate::domain::time::date_long(crate::domain::time::brussels_date(now))
    )
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
