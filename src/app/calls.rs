//! Call administration (admins): create and edit a call from its form, open, close and extend
//! it, let one dossier submit late, and give a decided or withdrawn dossier back to its
//! applicant. Every operation takes a reason, is audited and tells the people concerned.
//!
//! The rules live in `domain::call_draft` (what a form means, what a call with submitted
//! dossiers keeps, what an operation allows), `domain::workflow` (where a given-back dossier
//! goes) and `domain::decision::lapses` (whose decision no longer stands); the rows in
//! `store::call_admin`.

use askama::Template;
use chrono::{DateTime, Utc};

use entity::application::ApplicationState;
use entity::call::CallState;
use entity::four_eyes_proposal::ProposalKind;

use super::{Caller, Error, Result, Work};
use crate::domain::Cents;
use crate::domain::call_draft::{self, CallDraft, CallForm, CallSpec, DraftContext, FieldProblem};
use crate::domain::decision;
use crate::domain::fields::FieldErrors;
use crate::domain::four_eyes::{self, EnvelopeChange};
use crate::domain::workflow::{self, DossierState, Party, Transition};
use crate::mail::OutgoingMail;
use crate::policy::Action;
use crate::state::AppState;
use crate::store::call_admin::{self, WriteError};
use crate::store::followup;

/// Shown on the code field when someone else saved the call meanwhile.
pub const CALL_CHANGED: &str = "Iemand anders bewaarde deze oproep intussen. Uw invoer staat hieronder en is nog niet bewaard: open de oproep opnieuw in een ander tabblad, vergelijk en bewaar opnieuw.";

/// Shown on an operation's reason when someone else changed the call meanwhile.
pub const OPERATION_CONFLICT: &str =
    "Iemand anders wijzigde de oproep intussen. Bekijk de pagina opnieuw en probeer het nog eens.";

/// A call's form as posted.
#[derive(Debug, Clone, Default)]
pub struct CallInput {
    pub form: CallForm,
    pub fictitious: bool,
    /// The version the form was read at (edits only).
    pub version: i32,
}

/// A call that was created.
#[derive(Debug, Clone)]
pub struct Created {
    pub id: i64,
    pub code: String,
}

/// What a call operation typed.
#[derive(Debug, Clone, Default)]
pub struct OperationInput {
    pub reason: String,
    pub version: i32,
    /// A moment in Brussels time: the new deadline, the end of a late submission, or the end
    /// of a later round.
    pub moment: String,
    pub application_id: String,
    /// A later round: its project year and when it opens (Brussels time).
    pub year: String,
    pub opens: String,
    /// A changed amount per unit: the reach line (`call_action` id) and the amount in euro.
    pub line: String,
    pub amount: String,
}

/// The operations on the call itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    Open,
    Close,
    Extend,
}

fn invalid(problems: Vec<FieldProblem>) -> Error {
    let mut errors = FieldErrors::default();
    for p in problems {
        errors.add(&p.field, p.message);
    }
    Error::Invalid(errors)
}

fn write_error(err: WriteError) -> Error {
    match err {
        WriteError::Field { field, message } => Error::field(&field, message),
        WriteError::Conflict => Error::field("code", CALL_CHANGED),
        WriteError::Db(e) => Error::Db(e),
    }
}

/// Creates a call (in preparation) from its form.
pub async fn create(state: &AppState, caller: &Caller, input: CallInput) -> Result<Created> {
    caller.may(state, Action::AdministerCalls, None).await?;
    let context = DraftContext {
        plan_ids: call_admin::plans(&state.db)
            .await?
            .iter()
            .map(|p| p.id)
            .collect(),
        stored_moments: None,
    };
    let draft = CallDraft::parse(&input.form, &context).map_err(invalid)?;
    let mut work = Work::begin(state).await?;
    let created = call_admin::create(work.txn(), draft.spec(), input.fictitious, caller.now)
        .await
        .map_err(write_error)?;
    work.audit(
        caller
            .audit("call.created", "call", created.id)
            .after(audit_json(draft.spec(), input.fictitious)),
    );
    work.commit().await?;
    Ok(Created {
        id: created.id,
        code: created.code,
    })
}

/// What saving a call's form did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Updated {
    /// Envelope changes stored as a proposal that another admin confirms (four eyes); the
    /// rest of the form was saved.
    pub envelopes_proposed: Vec<EnvelopeChange>,
}

/// Saves an edit of call `id`; a call with submitted dossiers keeps the rules they were checked
/// against ([`call_draft::locked_changes`]) and no envelope falls below what its project year
/// already granted ([`call_draft::envelopes_cover_granted`]). A project year's envelope changed
/// beyond the call's four-eyes threshold is not saved but proposed: another admin confirms it
/// ([`confirm_envelopes`]); every other field is saved at once.
pub async fn update(
    state: &AppState,
    caller: &Caller,
    id: i64,
    input: CallInput,
) -> Result<Updated> {
    caller.may(state, Action::AdministerCalls, None).await?;
    let record = call_admin::record(&state.db, id)
        .await?
        .ok_or(Error::NotFound)?;
    let catalog = call_admin::catalog(&state.db, record.call.plan_id).await?;
    let mut form = input.form;
    // The plan of a call does not change: its catalog is what the dossiers chose from.
    form.plan_id = record.call.plan_id.to_string();
    let locked = call_admin::has_submissions(&state.db, id).await?;
    let context = DraftContext {
        plan_ids: vec![record.call.plan_id],
        stored_moments: Some((
            record.call.submission_opens_at,
            record.call.submission_closes_at,
        )),
    };
    let before = call_admin::spec_of(&record, &catalog)?;
    let draft = CallDraft::parse(&form, &context).map_err(|mut p| {
        p.dedup();
        invalid(p)
    })?;
    let used = call_admin::used_action_ids(&state.db, id).await?;
    let mut problems = call_draft::locked_changes(&before, draft.spec(), locked, &used);
    let granted = granted_by_year(state, id).await?;
    problems.extend(call_draft::envelopes_cover_granted(draft.spec(), &granted));
    if !problems.is_empty() {
        problems.dedup();
        return Err(invalid(problems));
    }
    let threshold = before.four_eyes_threshold;
    let changes = if caller.user.is_some() {
        four_eyes::envelope_changes(&before, draft.spec(), threshold)
    } else {
        Vec::new()
    };
    let spec = four_eyes::keep_envelopes(draft.into_spec(), &changes);
    let mut work = Work::begin(state).await?;
    call_admin::update(
        work.txn(),
        id,
        input.version,
        &spec,
        input.fictitious,
        caller.now,
    )
    .await
    .map_err(write_error)?;
    work.audit(
        caller
            .audit("call.updated", "call", id)
            .before(audit_json(&before, record.call.parameters_fictitious))
            .after(audit_json(&spec, input.fictitious)),
    );
    if !changes.is_empty() {
        let subject = super::four_eyes::Subject {
            kind: ProposalKind::Envelope,
            id,
            call_id: id,
        };
        let size = four_eyes::envelope_changes_size(&changes).get();
        let stored = serde_json::to_value(&changes).map_err(Error::internal)?;
        match super::four_eyes::propose(&mut work, caller, subject, size, stored).await {
            Ok(_) => {}
            Err(Error::Conflict(message)) => {
                work.rollback().await?;
                let field = format!("y{}_envelope", changes[0].year);
                return Err(Error::field(&field, message));
            }
            Err(other) => {
                work.rollback().await?;
                return Err(other);
            }
        }
    }
    work.commit().await?;
    Ok(Updated {
        envelopes_proposed: changes,
    })
}

/// What each project year of call `id` granted in its standing decisions.
async fn granted_by_year(
    state: &AppState,
    id: i64,
) -> Result<std::collections::BTreeMap<i32, Cents>> {
    Ok(crate::store::calls::granted_by_year(&state.db, id)
        .await?
        .into_iter()
        .map(|(year, cents)| (year, Cents::new(cents.max(0)).unwrap_or_default()))
        .collect())
}

/// The envelope changes proposed on call `id` and waiting for a second admin, if any.
pub async fn pending_envelopes(
    state: &AppState,
    call_id: i64,
) -> Result<Option<(entity::four_eyes_proposal::Model, Vec<EnvelopeChange>)>> {
    let Some(p) =
        crate::store::four_eyes::pending(&state.db, ProposalKind::Envelope, call_id).await?
    else {
        return Ok(None);
    };
    let changes = serde_json::from_str(&p.input).map_err(Error::internal)?;
    Ok(Some((p, changes)))
}

/// The pending envelope proposal `proposal_id` on call `id` (admins).
pub async fn envelope_proposal(
    state: &AppState,
    caller: &Caller,
    id: i64,
    proposal_id: i64,
) -> Result<entity::four_eyes_proposal::Model> {
    caller.may(state, Action::AdministerCalls, None).await?;
    super::four_eyes::pending_one(state, ProposalKind::Envelope, id, proposal_id).await
}

/// Confirms the envelope changes proposed in `proposal_id` on call `id`: another admin than the
/// proposer ([`four_eyes::REFUSAL`]); each envelope must still be what the proposal changes and
/// the new one must cover what its year granted (else a conflict in plain Dutch). Audited.
pub async fn confirm_envelopes(
    state: &AppState,
    caller: &Caller,
    id: i64,
    proposal_id: i64,
) -> Result<Vec<EnvelopeChange>> {
    let proposal = envelope_proposal(state, caller, id, proposal_id).await?;
    super::four_eyes::may_confirm(caller, &proposal).map_err(|r| Error::Conflict(r.into()))?;
    let changes: Vec<EnvelopeChange> =
        serde_json::from_str(&proposal.input).map_err(Error::internal)?;
    let record = call_admin::record(&state.db, id)
        .await?
        .ok_or(Error::NotFound)?;
    let granted = granted_by_year(state, id).await?;
    for c in &changes {
        let number = i32::from(c.year);
        let current = record.years.iter().find(|y| y.year_number == number);
        if current.map(|y| y.envelope_cents) != Some(c.before.get()) {
            return Err(Error::Conflict(format!(
                "De enveloppe van projectjaar {} veranderde intussen. Stuur het voorstel terug \
                 zodat een nieuw voorstel gedaan kan worden.",
                c.year
            )));
        }
        if let Some(g) = granted.get(&number).filter(|g| c.after < **g) {
            return Err(Error::Conflict(format!(
                "De nieuwe enveloppe van projectjaar {} ({}) is kleiner dan wat voor dat jaar al \
                 toegekend is ({}). Stuur het voorstel terug.",
                c.year, c.after, g
            )));
        }
    }
    let mut work = Work::begin(state).await?;
    if let Err(err) = super::four_eyes::settle_confirmed(&mut work, caller, &proposal).await {
        work.rollback().await?;
        return Err(err);
    }
    for c in &changes {
        call_admin::set_envelope(work.txn(), id, i32::from(c.year), c.after.get(), caller.now)
            .await?;
    }
    work.audit(
        caller
            .audit("call.envelope_changed", "call", id)
            .before(serde_json::json!(
                changes
                    .iter()
                    .map(|c| serde_json::json!({"year": c.year, "envelope_cents": c.before.get()}))
                    .collect::<Vec<_>>()
            ))
            .after(serde_json::json!(
                changes
                    .iter()
                    .map(|c| serde_json::json!({"year": c.year, "envelope_cents": c.after.get()}))
                    .collect::<Vec<_>>()
            ))
            .details(format!(
                "voorgesteld door gebruiker {}",
                proposal.proposed_by
            )),
    );
    work.commit().await?;
    Ok(changes)
}

/// Opens, closes or extends call `id`; answers the sentence that tells what happened (the
/// flash message and the mail's text). Field errors name `reason` and `moment`.
pub async fn operate(
    state: &AppState,
    caller: &Caller,
    id: i64,
    operation: Operation,
    input: &OperationInput,
) -> Result<String> {
    caller.may(state, Action::AdministerCalls, None).await?;
    let record = call_admin::record(&state.db, id)
        .await?
        .ok_or(Error::NotFound)?;
    let c = &record.call;
    let now = caller.now;
    let reason = call_draft::check_reason(&input.reason).map_err(|p| invalid(vec![p]))?;
    let status = call_admin::status(c.state);
    let refused = |m: String| Error::field("reason", m);
    let (new_state, new_closes, action, text) = match operation {
        Operation::Open => {
            call_draft::check_open(status, c.submission_closes_at, now).map_err(refused)?;
            (
                CallState::Open,
                c.submission_closes_at,
                "call.opened",
                format!(
                    "De oproep {} is open voor indiening tot {} (Brusselse tijd).",
                    c.title,
                    call_draft::show_moment(c.submission_closes_at)
                ),
            )
        }
        Operation::Close => {
            call_draft::check_close(status).map_err(refused)?;
            (
                CallState::Closed,
                c.submission_closes_at,
                "call.closed",
                format!(
                    "De oproep {} is gesloten: er kunnen geen nieuwe dossiers meer ingediend worden.",
                    c.title
                ),
            )
        }
        Operation::Extend => {
            let new = call_draft::check_new_deadline(
                &input.moment,
                c.submission_closes_at,
                now,
                "moment",
            )
            .map_err(|p| invalid(vec![p]))?;
            (
                c.state,
                new,
                "call.deadline_extended",
                format!(
                    "De indieningstermijn van de oproep {} is verlengd tot {} (Brusselse tijd).",
                    c.title,
                    call_draft::show_moment(new)
                ),
            )
        }
    };
    let mut work = Work::begin(state).await?;
    match call_admin::set_state_and_deadline(
        work.txn(),
        c.id,
        input.version,
        new_state,
        new_closes,
        now,
    )
    .await
    {
        Ok(()) => {}
        Err(WriteError::Db(e)) => return Err(e.into()),
        Err(_) => return Err(Error::field("reason", OPERATION_CONFLICT)),
    }
    work.audit(
        caller
            .audit(action, "call", c.id)
            .before(serde_json::json!({"state": c.state, "submission_closes_at": c.submission_closes_at}))
            .after(serde_json::json!({"state": new_state, "submission_closes_at": new_closes}))
            .details(reason.clone()),
    );
    let to = call_admin::call_recipients(work.txn(), c.id).await?;
    let mail = Notice {
        text: &text,
        reason: &reason,
        link: None,
    };
    notify(
        &mut work,
        to,
        &format!("oproep {}", c.title),
        &mail,
        ("call", c.id),
    )?;
    work.commit().await?;
    Ok(text)
}

/// The dossier chosen in an operation's form, if it belongs to the call.
async fn chosen_dossier(
    state: &AppState,
    call_id: i64,
    input: &OperationInput,
) -> Result<Option<entity::application::Model>> {
    let Ok(app_id) = input.application_id.trim().parse::<i64>() else {
        return Ok(None);
    };
    Ok(call_admin::dossier_of_call(&state.db, call_id, app_id).await?)
}

/// Lets one dossier (a draft) of call `id` submit after the call's deadline, until the moment
/// typed. Field errors name `reason`, `moment` and `application_id`.
pub async fn allow_late_submission(
    state: &AppState,
    caller: &Caller,
    id: i64,
    input: &OperationInput,
) -> Result<String> {
    caller.may(state, Action::AdministerCalls, None).await?;
    let record = call_admin::record(&state.db, id)
        .await?
        .ok_or(Error::NotFound)?;
    let c = &record.call;
    let now = caller.now;
    let mut problems = Vec::new();
    let reason = call_draft::check_reason(&input.reason)
        .map_err(|p| problems.push(p))
        .ok();
    let until = call_draft::parse_brussels_moment(&input.moment)
        .map_err(|m| FieldProblem::new("moment", m))
        .and_then(|u| call_draft::check_late_until(u, now, "moment"))
        .map_err(|p| problems.push(p))
        .ok();
    let app = chosen_dossier(state, c.id, input).await?;
    match &app {
        None => problems.push(FieldProblem::new(
            "application_id",
            "Kies een dossier van deze oproep.",
        )),
        Some(a) if a.state != ApplicationState::Draft => problems.push(FieldProblem::new(
            "application_id",
            "Alleen een dossier in ontwerp kan laattijdig ingediend worden.",
        )),
        Some(_) => {}
    }
    let (Some(reason), Some(until), Some(app), true) = (reason, until, app, problems.is_empty())
    else {
        return Err(invalid(problems));
    };
    let mut work = Work::begin(state).await?;
    match call_admin::set_late_submission(work.txn(), app.id, app.version, until, now).await {
        Ok(()) => {}
        Err(WriteError::Db(e)) => return Err(e.into()),
        Err(_) => {
            return Err(Error::field(
                "application_id",
                "Het dossier veranderde intussen. Probeer opnieuw.",
            ));
        }
    }
    work.audit(
        caller
            .audit("application.late_submission_allowed", "application", app.id)
            .before(serde_json::json!({"late_submission_until": app.late_submission_until, "call_closes_at": c.submission_closes_at}))
            .after(serde_json::json!({"late_submission_until": until}))
            .details(reason.clone()),
    );
    let text = format!(
        "ABB laat dossier {} (\"{}\") van de oproep {} laattijdig indienen, tot {} (Brusselse tijd).",
        app.reference,
        app.title,
        c.title,
        call_draft::show_moment(until)
    );
    tell_dossier(
        state,
        &mut work,
        &app,
        "laattijdig indienen",
        &text,
        &reason,
    )
    .await?;
    work.commit().await?;
    Ok(text)
}

/// Gives a decided or withdrawn dossier of call `id` back to its applicant: a decided one to
/// "changes requested" with every part open again (its decision lapses and what it scheduled
/// and was not paid is cancelled), a withdrawn one to "draft". A state that does not allow it
/// is an [`Error::Conflict`]; field errors name `reason` and `application_id`.
pub async fn give_back(
    state: &AppState,
    caller: &Caller,
    id: i64,
    input: &OperationInput,
) -> Result<String> {
    caller.may(state, Action::AdministerCalls, None).await?;
    let record = call_admin::record(&state.db, id)
        .await?
        .ok_or(Error::NotFound)?;
    let c = &record.call;
    let now = caller.now;
    let mut problems = Vec::new();
    let reason = call_draft::check_reason(&input.reason)
        .map_err(|p| problems.push(p))
        .ok();
    let app = chosen_dossier(state, c.id, input).await?;
    let next = match &app {
        None => {
            problems.push(FieldProblem::new(
                "application_id",
                "Kies een dossier van deze oproep.",
            ));
            None
        }
        Some(a) => Some(
            workflow::next(
                DossierState::from(a.state),
                Transition::ReturnToApplicant,
                Party::Admin,
            )
            .map_err(|e| Error::Conflict(e.to_string()))?,
        ),
    };
    let (Some(reason), Some(app), Some(next), true) = (reason, app, next, problems.is_empty())
    else {
        return Err(invalid(problems));
    };
    let to_state = ApplicationState::from(next);
    let mut work = Work::begin(state).await?;
    match call_admin::move_dossier(work.txn(), app.id, app.state, to_state, now).await {
        Ok(()) => {}
        Err(WriteError::Db(e)) => return Err(e.into()),
        Err(_) => {
            return Err(Error::field(
                "application_id",
                "Het dossier veranderde intussen van status. Probeer opnieuw.",
            ));
        }
    }
    if decision::lapses(DossierState::from(app.state), next) {
        lapse_decision(&work, caller, app.id, &reason, now).await?;
    }
    if to_state == ApplicationState::ChangesRequested {
        // Every part opens again, with the reason as ABB's message.
        call_admin::reopen_every_part(
            work.txn(),
            app.id,
            caller.user_id().unwrap_or_default(),
            &reason,
            now,
        )
        .await?;
    }
    work.audit(
        caller
            .audit(
                &format!("application.{}", Transition::ReturnToApplicant.code()),
                "application",
                app.id,
            )
            .before(serde_json::json!({"state": app.state}))
            .after(serde_json::json!({"state": to_state, "call": c.code}))
            .details(reason.clone()),
    );
    let text = format!(
        "ABB geeft dossier {} (\"{}\") terug aan de aanvrager: het staat weer op \"{}\" en kan aangepast en opnieuw ingediend worden.",
        app.reference,
        app.title,
        next.label()
    );
    tell_dossier(
        state,
        &mut work,
        &app,
        "dossier teruggegeven",
        &text,
        &reason,
    )
    .await?;
    work.commit().await?;
    Ok(text)
}

/// Mails the parties of dossier `app` (the recipients rule's "call changed") that ABB did
/// `text` for `reason`, with a link to the dossier; subject `{subject} ({reference})`.
async fn tell_dossier(
    state: &AppState,
    work: &mut Work,
    app: &entity::application::Model,
    subject: &str,
    text: &str,
    reason: &str,
) -> Result<()> {
    let to = crate::store::recipients::addresses(
        work.txn(),
        app,
        crate::domain::recipients::News::CallChanged,
    )
    .await?;
    let link = dossier_link(state, app.id);
    let mail = Notice {
        text,
        reason,
        link: Some(&link),
    };
    notify(
        work,
        to,
        &format!("{subject} ({})", app.reference),
        &mail,
        ("application", app.id),
    )
}

/// The decision given back no longer stands: the letter says it was reopened, and what it
/// scheduled and was not paid is cancelled (the next decision schedules anew).
async fn lapse_decision(
    work: &Work,
    caller: &Caller,
    application_id: i64,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    crate::store::decisions::lapse(work.txn(), application_id, caller.user_id(), reason, now)
        .await?;
    followup::cancel_unpaid(
        work.txn(),
        application_id,
        &super::review::lapsed_payment_reason(now, reason),
        &caller.by(),
    )
    .await?;
    Ok(())
}

fn dossier_link(state: &AppState, application_id: i64) -> String {
    format!("{}/dossiers/{application_id}", state.config.public_url)
}

/// News about a call or one of its dossiers, with the reason.
#[derive(Template)]
#[template(path = "mail/call_notice.txt")]
struct Notice<'a> {
    text: &'a str,
    reason: &'a str,
    link: Option<&'a str>,
}

/// Queues `mail` for every address in `to`.
fn notify(
    work: &mut Work,
    to: Vec<String>,
    subject: &str,
    mail: &Notice<'_>,
    related: (&str, i64),
) -> Result<()> {
    let body = crate::mail::render_text(mail)?;
    for address in to {
        work.mail(OutgoingMail {
            to: address,
            subject: format!("Samenleven: {subject}"),
            body_text: body.clone(),
            related: Some((related.0.to_owned(), related.1.to_string())),
        });
    }
    Ok(())
}

/// The call as the audit trail keeps it.
fn audit_json(spec: &CallSpec, fictitious: bool) -> serde_json::Value {
    serde_json::json!({
        "code": spec.code,
        "title": spec.title,
        "plan_id": spec.plan_id,
        "period": [spec.period_start, spec.period_end],
        "submission": [spec.submission_opens_at, spec.submission_closes_at],
        "reference_year": spec.reference_year.get(),
        "single_applicant_min_exclusive": spec.single_applicant_min_exclusive,
        "pooled_min_inclusive": spec.pooled_min_inclusive,
        "incentive_min_share_bp": spec.incentive_min_share.get(),
        "cofinancing_bp": spec.cofinancing.get(),
        "incentive_cents_per_project_year": spec.incentive_per_project_year.get(),
        "advance_bp": spec.advance.get(),
        "continuation_min_bp": spec.continuation_min.get(),
        "review_days": spec.review_days,
        "four_eyes_threshold_cents": spec.four_eyes_threshold.get(),
        "coverage_aim": spec.coverage_aim.map(|r| format!("{}/{}", r.numerator(), r.denominator())),
        "named_applicants": spec.named_applicants.iter().map(|n| n.get()).collect::<Vec<_>>(),
        "project_years": spec.project_years.iter().map(|y| serde_json::json!({
            "year": y.number, "starts_on": y.starts_on, "ends_on": y.ends_on,
            "envelope_cents": y.envelope.get(), "interim_report_due": y.interim_report_due,
            "year_report_due": y.year_report_due,
        })).collect::<Vec<_>>(),
        "actions": spec.actions.iter().map(|a| serde_json::json!({
            "code": a.code, "unit_cost_cents": a.unit_cost.get(),
            "max_reach": a.max_reach.get(), "unit_label": a.unit_label,
        })).collect::<Vec<_>>(),
        "parameters_fictitious": fictitious,
    })
}

/// The call's project years as numbers.
fn year_numbers(years: &[entity::call_project_year::Model]) -> Vec<u16> {
    years
        .iter()
        .filter_map(|y| u16::try_from(y.year_number).ok())
        .collect()
}

/// Field errors from the rounds' checks.
fn round_problem(p: crate::domain::rounds::RoundFieldProblem) -> FieldProblem {
    FieldProblem::new(p.field, p.message)
}

/// Opens (or moves) the round of a later project year of call `id` (yearly rounds): its own
/// submission window, in which new municipalities apply from that year on and cooperations take
/// in new members. With the reason in the audit log.
pub async fn set_round(
    state: &AppState,
    caller: &Caller,
    id: i64,
    input: &OperationInput,
) -> Result<String> {
    use crate::domain::rounds;
    caller.may(state, Action::AdministerCalls, None).await?;
    let record = call_admin::record(&state.db, id)
        .await?
        .ok_or(Error::NotFound)?;
    let mut problems = Vec::new();
    let reason = call_draft::check_reason(&input.reason)
        .map_err(|p| problems.push(p))
        .ok();
    let year = rounds::check_later_year(&input.year, &year_numbers(&record.years))
        .map_err(|p| problems.push(round_problem(p)))
        .ok();
    let opens = call_draft::parse_brussels_moment(&input.opens)
        .map_err(|m| problems.push(FieldProblem::new("opens", m)))
        .ok();
    let closes = call_draft::parse_brussels_moment(&input.moment)
        .map_err(|m| problems.push(FieldProblem::new("moment", m)))
        .ok();
    if let (Some(opens), Some(closes)) = (opens, closes) {
        rounds::check_round_window(opens, closes, record.call.submission_closes_at)
            .map_err(|p| problems.push(round_problem(p)))
            .ok();
    }
    let (Some(reason), Some(year), Some(opens), Some(closes), true) =
        (reason, year, opens, closes, problems.is_empty())
    else {
        return Err(invalid(problems));
    };
    let Some(row) = record
        .years
        .iter()
        .find(|y| y.year_number == i32::from(year))
    else {
        return Err(Error::NotFound);
    };
    let mut work = Work::begin(state).await?;
    match call_admin::set_round_window(work.txn(), row, opens, closes).await {
        Ok(()) => {}
        Err(WriteError::Db(e)) => return Err(e.into()),
        Err(_) => {
            return Err(Error::field(
                "year",
                "Het projectjaar veranderde intussen. Open de pagina opnieuw.",
            ));
        }
    }
    work.audit(
        caller
            .audit("call.round_set", "call", id)
            .before(serde_json::json!({"year": year, "submission_opens_at": row.submission_opens_at, "submission_closes_at": row.submission_closes_at}))
            .after(serde_json::json!({"year": year, "submission_opens_at": opens, "submission_closes_at": closes}))
            .details(reason),
    );
    work.commit().await?;
    Ok(format!(
        "De ronde voor projectjaar {year} van {} loopt van {} tot {} (Brusselse tijd).",
        record.call.title,
        call_draft::show_moment(opens),
        call_draft::show_moment(closes)
    ))
}

/// Changes the amount per unit of one reach line of call `id` from a later project year on
/// (yearly rounds): that year and the next take the new amount, earlier years keep theirs. The
/// requested grants of the dossiers follow on their next save; decisions keep theirs. With the
/// reason (where the amount comes from) in the audit log and beside the amount.
pub async fn set_unit_amount(
    state: &AppState,
    caller: &Caller,
    id: i64,
    input: &OperationInput,
) -> Result<String> {
    use crate::domain::rounds;
    caller.may(state, Action::AdministerCalls, None).await?;
    let Some(context) = crate::store::rules::call_context(&state.db, id).await? else {
        return Err(Error::NotFound);
    };
    let mut problems = Vec::new();
    let reason = call_draft::check_reason(&input.reason)
        .map_err(|p| problems.push(p))
        .ok();
    let year = rounds::check_later_year(&input.year, &year_numbers(&context.years))
        .map_err(|p| problems.push(round_problem(p)))
        .ok();
    let line = input
        .line
        .trim()
        .parse::<i64>()
        .ok()
        .and_then(|line_id| context.actions.iter().find(|(ca, _)| ca.id == line_id));
    if line.is_none() {
        problems.push(FieldProblem::new(
            "line",
            "Kies een bereiklijn van de oproep.",
        ));
    }
    let amount = Cents::parse(&input.amount)
        .map_err(|e| problems.push(FieldProblem::new("amount", e.to_string())))
        .ok();
    if let (Some((ca, _)), Some(year), Some(amount)) = (line, year, amount) {
        let current = Cents::new(context.unit_cost_in(ca, i32::from(year))).unwrap_or_default();
        rounds::check_amount(amount, current)
            .map_err(|p| problems.push(round_problem(p)))
            .ok();
    }
    let (Some(reason), Some(year), Some((ca, a)), Some(amount), true) =
        (reason, year, line, amount, problems.is_empty())
    else {
        return Err(invalid(problems));
    };
    let before = context.unit_cost_in(ca, i32::from(year));
    let mut work = Work::begin(state).await?;
    call_admin::set_unit_amount(work.txn(), ca.id, i32::from(year), amount.get(), &reason).await?;
    work.audit(
        caller
            .audit("call.unit_amount_set", "call", id)
            .before(serde_json::json!({"line": a.code, "from_year": year, "unit_cost_cents": before}))
            .after(serde_json::json!({"line": a.code, "from_year": year, "unit_cost_cents": amount.get()}))
            .details(reason),
    );
    work.commit().await?;
    Ok(format!(
        "Lijn {} krijgt vanaf projectjaar {year} {amount} per {}; de eerdere projectjaren houden hun bedrag.",
        a.code, ca.unit_label
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_notice_reads_as_the_mails_of_the_call_operations_always_did() {
        let with_link = crate::mail::render_text(&Notice {
            text: "De oproep X is gesloten.",
            reason: "Termijn verstreken",
            link: Some("https://samenleven.test/dossiers/7"),
        })
        .unwrap();
        assert_eq!(
            with_link,
            "Beste,\n\nDe oproep X is gesloten.\n\nReden: Termijn verstreken\n\n\
             https://samenleven.test/dossiers/7\n\nMet vriendelijke groeten,\n\
             Agentschap Binnenlands Bestuur — Samenleven\n"
        );
        let without = crate::mail::render_text(&Notice {
            text: "De oproep X is gesloten.",
            reason: "Termijn verstreken",
            link: None,
        })
        .unwrap();
        assert_eq!(
            without,
            "Beste,\n\nDe oproep X is gesloten.\n\nReden: Termijn verstreken\n\n\
             Met vriendelijke groeten,\nAgentschap Binnenlands Bestuur — Samenleven\n"
        );
    }
}
