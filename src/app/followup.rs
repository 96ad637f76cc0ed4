//! The follow-up commands: the lead fills in (saves) and submits a progress report and adds or
//! removes its files; ABB accepts a report or sends it back, decides on a continuation proposal
//! and on a proposed reclaim.
//!
//! Every command loads the dossier once, asks the policy, checks the input with the domain's
//! rules ([`crate::domain::followup`], Dutch field messages), and in one [`Work`] writes the
//! change version-checked, audits it, and mails the parties the domain's [`recipients`] rule
//! names (texts from `templates/mail/`).

use askama::Template;
use entity::four_eyes_proposal::ProposalKind;
use entity::progress_report;
use entity::reclaim::ReclaimState;

use super::notify::DossierLine;
use super::{Caller, Error, Result, Work};
use crate::domain::Cents;
use crate::domain::KpiValue;
use crate::domain::fields::FieldErrors;
use crate::domain::followup::{
    ContinuationChoice, ContinuationError, ReclaimVerdict, ReportState, ReportStep,
    continuation_outcome, next_report_state, reclaim_reason_check,
};
use crate::domain::four_eyes;
use crate::domain::payments::check_reclaim_amount;
use crate::domain::recipients::{self, News};
use crate::mail::OutgoingMail;
use crate::policy::Action;
use crate::state::AppState;
use crate::store::applications::DossierWithParties;
use crate::store::followup::{self as store, FollowUp, ReclaimDecision, ReportReview};
use crate::store::reports::{self, ReadValue, report_title};

/// The longest note or reason ABB gives with a decision on the results.
pub const MAX_TEXT: usize = 5000;

/// Why members of a cooperation get the follow-up's news.
pub const MEMBER_PREAMBLE: &str = "U krijgt dit bericht omdat uw gemeente deelneemt aan dit \
    samenwerkingsverband. De trekker van het samenwerkingsverband handelt de opvolging af; u \
    hoeft zelf niets te doen.";

// ------------------------------------------------------------------ reading

/// A report with its dossier and the dossier's follow-up.
pub struct ReportOf {
    pub dossier: DossierWithParties,
    pub fu: FollowUp,
    pub report: progress_report::Model,
}

/// Dossier `id` with its follow-up for `caller` doing `action` (whether followed or not).
pub async fn followup_of(
    state: &AppState,
    caller: &Caller,
    id: i64,
    action: Action,
) -> Result<(DossierWithParties, FollowUp)> {
    let dossier = crate::store::applications::with_parties(&state.db, id)
        .await?
        .ok_or(Error::NotFound)?;
    caller
        .may(state, action, Some((id, &dossier.parties)))
        .await?;
    let fu = store::load(&state.db, id).await?.ok_or(Error::NotFound)?;
    Ok((dossier, fu))
}

/// Report `report_id` of followed dossier `id`, for `caller` doing `action`.
pub async fn report_of(
    state: &AppState,
    caller: &Caller,
    id: i64,
    report_id: i64,
    action: Action,
) -> Result<ReportOf> {
    let (dossier, fu) = followup_of(state, caller, id, action).await?;
    let report = fu
        .reports
        .iter()
        .find(|r| r.id == report_id)
        .cloned()
        .ok_or(Error::NotFound)?;
    if !fu.is_followed() {
        return Err(Error::NotFound);
    }
    Ok(ReportOf {
        dossier,
        fu,
        report,
    })
}

/// Whether `caller` may fill in the reports of `dossier` (the lead's officials).
pub fn may_edit(caller: &Caller, dossier: &DossierWithParties) -> bool {
    caller.user.as_ref().is_some_and(|user| {
        crate::policy::decide(
            &crate::policy::Actor::from(user),
            Action::EditDossier,
            Some(&dossier.parties),
        )
        .is_ok()
    })
}

/// Report `report_id` for ABB's review: the policy decides through its dossier.
pub async fn report_for_review(
    state: &AppState,
    caller: &Caller,
    report_id: i64,
) -> Result<ReportOf> {
    let row = store::report_by_id(&state.db, report_id)
        .await?
        .ok_or(Error::NotFound)?;
    let (dossier, fu) =
        followup_of(state, caller, row.application_id, Action::ReviewDossier).await?;
    if !fu.is_followed() {
        return Err(Error::NotFound);
    }
    Ok(ReportOf {
        dossier,
        fu,
        report: row,
    })
}

/// The interim report on whose page ABB decides continuation `id`.
pub async fn continuation_report(state: &AppState, caller: &Caller, id: i64) -> Result<ReportOf> {
    let (_, interim) = store::continuation_with_report(&state.db, id)
        .await?
        .ok_or(Error::NotFound)?;
    report_for_review(state, caller, interim.id).await
}

/// The year report on whose page ABB decides reclaim `id`.
pub async fn reclaim_report(state: &AppState, caller: &Caller, id: i64) -> Result<ReportOf> {
    let found = store::reclaim_by_id(&state.db, id)
        .await?
        .ok_or(Error::NotFound)?;
    report_for_review(state, caller, found.progress_report_id).await
}

// ------------------------------------------------------------------ the lead's report

/// What was typed for one KPI: the measured value as text and the motivation.
#[derive(Debug, Clone, Default)]
pub struct KpiTyped {
    pub kpi_id: i64,
    pub actual: String,
    pub motivation: String,
}

/// A report's values as the lead gave them.
#[derive(Debug, Clone, Default)]
pub struct ReportInput {
    /// Submit (or resubmit) after saving.
    pub submit: bool,
    /// The report's version as it was read.
    pub version: i32,
    pub results: Vec<KpiTyped>,
    /// The API's reading: a KPI that is not given keeps its saved value, and a KPI the report
    /// does not cover (or given twice) is an error on `results[i].kpi_id`. The form's reading
    /// (`false`): a KPI not given is empty, others are ignored.
    pub partial: bool,
}

/// A saved report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReportSaved {
    pub report_id: i64,
    pub version: i32,
    pub state: ReportState,
}

/// Saves report `report_id` of dossier `id` with `input` (and submits it when asked): the
/// receipt goes to the lead's side, the news to the assigned reviewer.
pub async fn save_report(
    state: &AppState,
    caller: &Caller,
    id: i64,
    report_id: i64,
    input: ReportInput,
) -> Result<ReportSaved> {
    let ReportOf {
        dossier,
        fu,
        report,
    } = report_of(state, caller, id, report_id, Action::EditDossier).await?;
    let (step, to) =
        reports::next_step(&report, input.submit).map_err(|e| Error::Conflict(e.to_string()))?;
    let values = read_report(&fu, &report, &input)?;

    let mut work = Work::begin(state).await?;
    let change = reports::ReportChange {
        values: &values,
        step,
        to,
        version: input.version,
    };
    if !reports::save(work.txn(), &fu, &report, &change, caller.now).await? {
        return Err(Error::Stale);
    }
    let title = report_title(report.kind, report.year_number);
    work.audit(
        caller
            .audit(&format!("report.{}", step.code()), "progress_report", report.id)
            .before(serde_json::json!({"state": report.state}))
            .after(serde_json::json!({
                "state": store::stored_report_state(to),
                "results": values.iter().map(|v| serde_json::json!({"kpi": v.kpi_id, "actual": v.actual, "motivation": v.motivation})).collect::<Vec<_>>(),
            }))
            .details(format!("dossier {}: {title}", fu.app.reference)),
    );
    if step != ReportStep::Save {
        let author = caller.user.as_ref().map(|u| u.name.as_str()).unwrap_or("");
        let date = crate::domain::dutch::format_date(caller.today());
        tell(
            state,
            &mut work,
            &dossier,
            News::ReportReceipt,
            "rapport ingediend",
            ("progress_report", report.id),
            |dossier| {
                crate::mail::render_text(&SubmittedMail {
                    dossier,
                    author,
                    title: &title,
                    date: &date,
                })
            },
        )
        .await?;
        if let Some(reviewer) = store::assigned_reviewer(work.txn(), &fu.app).await? {
            let body = crate::mail::render_text(&ToReviewMail {
                name: &reviewer.name,
                lead: &dossier.lead_name,
                title: &title,
                reference: &fu.app.reference,
                link: &format!(
                    "{}/opvolging/rapporten/{}",
                    state.config.public_url, report.id
                ),
            })?;
            work.mail(OutgoingMail {
                to: reviewer.email,
                subject: format!("Samenleven: rapport te beoordelen ({})", fu.app.reference),
                body_text: body,
                related: Some(("progress_report".into(), report.id.to_string())),
            });
        }
    }
    work.commit().await?;
    Ok(ReportSaved {
        report_id: report.id,
        version: input.version + 1,
        state: to,
    })
}

/// Reads `input` against the KPIs the report covers (field errors in Dutch).
fn read_report(
    fu: &FollowUp,
    report: &progress_report::Model,
    input: &ReportInput,
) -> Result<Vec<ReadValue>> {
    let mut errors = FieldErrors::default();
    if input.partial {
        let covered: Vec<i64> = fu
            .actions_in(report.year_number)
            .iter()
            .flat_map(|a| a.kpis.iter().map(|k| k.id))
            .collect();
        for (i, r) in input.results.iter().enumerate() {
            if !covered.contains(&r.kpi_id) {
                errors.add(
                    &format!("results[{i}].kpi_id"),
                    "Dit rapport heeft geen KPI met dit id.",
                );
            } else if input.results[..i].iter().any(|g| g.kpi_id == r.kpi_id) {
                errors.add(
                    &format!("results[{i}].kpi_id"),
                    "Deze KPI staat al eerder in de lijst.",
                );
            }
        }
    }
    let typed = |kpi: i64| -> (String, String) {
        match input.results.iter().find(|g| g.kpi_id == kpi) {
            Some(g) => (g.actual.clone(), g.motivation.clone()),
            None if input.partial => {
                let saved = fu.result(report.id, kpi);
                (
                    saved
                        .and_then(|r| r.actual_value)
                        .and_then(|v| u64::try_from(v).ok())
                        .map(|v| KpiValue::from_thousandths(v).to_string())
                        .unwrap_or_default(),
                    saved.and_then(|r| r.motivation.clone()).unwrap_or_default(),
                )
            }
            None => Default::default(),
        }
    };
    match reports::read_values(fu, report, typed, input.submit) {
        Ok(values) if errors.is_empty() => Ok(values),
        Ok(_) => Err(Error::Invalid(errors)),
        Err(read) => {
            errors.items.extend(read.items);
            Err(Error::Invalid(errors))
        }
    }
}

/// Refuses a change to the files of `report` once it is submitted or accepted (`verb`:
/// "toevoegen", "verwijderen").
pub fn ensure_files_open(report: &progress_report::Model, verb: &str) -> Result<()> {
    let current = store::report_state(report.state);
    if current.is_editable() {
        Ok(())
    } else {
        Err(Error::Conflict(format!(
            "Het rapport is {}: bijlagen {verb} kan niet meer.",
            current.label()
        )))
    }
}

/// A removed file: its name, and where it was stored (for the caller to remove the file).
pub struct RemovedFile {
    pub name: String,
    pub stored_name: String,
}

/// Removes file `attachment_id` from report `report_id` of dossier `id`.
pub async fn delete_report_file(
    state: &AppState,
    caller: &Caller,
    id: i64,
    report_id: i64,
    attachment_id: i64,
) -> Result<RemovedFile> {
    let found = report_of(state, caller, id, report_id, Action::EditDossier).await?;
    ensure_files_open(&found.report, "verwijderen")?;
    let file = store::report_attachment(&state.db, found.report.id, attachment_id)
        .await?
        .ok_or(Error::NotFound)?;
    let mut work = Work::begin(state).await?;
    if !store::delete_attachment(work.txn(), file.id).await? {
        return Err(Error::NotFound);
    }
    work.audit(
        caller
            .audit("attachment.deleted", "attachment", file.id)
            .details(format!(
                "dossier {}: {}",
                found.fu.app.reference, file.original_name
            )),
    );
    work.commit().await?;
    Ok(RemovedFile {
        name: file.original_name,
        stored_name: file.stored_name,
    })
}

// ------------------------------------------------------------------ ABB: the report

/// ABB's decision on a report as typed.
#[derive(Debug, Clone, Default)]
pub struct ReportDecisionInput {
    /// `aanvaarden` or `terugsturen`.
    pub outcome: String,
    pub note: String,
    /// Per missed KPI of a year report (form field `accepted_{kpi}`): `ja` or `nee`.
    pub judgements: Vec<(i64, String)>,
    /// The report's version as ABB read it.
    pub version: i32,
}

/// The form field of ABB's judgement of a missed KPI's motivation.
pub fn judgement_field(kpi_id: i64) -> String {
    format!("accepted_{kpi_id}")
}

/// Accepts report `report_id` or sends it back. Accepting a year report judges the motivation
/// of every missed KPI; an accepted report has its consequences (continuation proposals, the
/// balance, reclaims). [`Error::Stale`] when the report changed since ABB read it.
pub async fn decide_report(
    state: &AppState,
    caller: &Caller,
    report_id: i64,
    input: ReportDecisionInput,
) -> Result<ReportStep> {
    let ReportOf {
        dossier,
        fu,
        report,
    } = report_for_review(state, caller, report_id).await?;
    let note = input.note.trim().to_owned();
    let mut errors = FieldErrors::default();
    let step = match input.outcome.trim() {
        "aanvaarden" => Some(ReportStep::Accept),
        "terugsturen" => Some(ReportStep::SendBack),
        _ => {
            errors.add("outcome", "Kies: het rapport aanvaarden of terugsturen.");
            None
        }
    };
    if note.chars().count() > MAX_TEXT {
        errors.add(
            "note",
            format!(
                "De opmerking mag hoogstens {} tellen.",
                crate::domain::dutch::characters(MAX_TEXT)
            ),
        );
    }
    if step == Some(ReportStep::SendBack) && note.is_empty() {
        errors.add("note", "Schrijf wat de gemeente moet aanpassen.");
    }
    let mut judgements: Vec<(i64, bool)> = Vec::new();
    if step == Some(ReportStep::Accept) && report.kind == progress_report::ReportKind::Year {
        for (a, k) in fu.missed_kpis(&report) {
            let typed = input
                .judgements
                .iter()
                .find(|(id, _)| *id == k.id)
                .map(|(_, v)| v.trim())
                .unwrap_or("");
            match typed {
                "ja" => judgements.push((k.id, true)),
                "nee" => judgements.push((k.id, false)),
                _ => errors.add(
                    &judgement_field(k.id),
                    format!(
                        "Actie {}, KPI \"{}\": oordeel of de motivatie aanvaard wordt.",
                        a.code, k.indicator
                    ),
                ),
            }
        }
    }
    Error::unless_invalid(errors)?;
    let step = step.ok_or_else(|| Error::field("outcome", "Kies een beslissing."))?;
    let to = next_report_state(store::report_state(report.state), step, caller.party())
        .map_err(|e| Error::Conflict(e.to_string()))?;

    let mut work = Work::begin(state).await?;
    let review = ReportReview {
        to,
        reviewer_id: caller.user_id(),
        at: caller.now,
        note: &note,
        version: input.version,
        judgements: &judgements,
    };
    if !store::review_report(work.txn(), report.id, &review).await? {
        return Err(Error::Stale);
    }
    let title = report_title(report.kind, report.year_number);
    // Recorded before the consequences, which audit their own changes after it.
    crate::audit::record(
        work.txn(),
        caller
            .audit(&format!("report.{}", step.code()), "progress_report", report.id)
            .before(serde_json::json!({"state": report.state}))
            .after(serde_json::json!({"state": store::stored_report_state(to), "note": note, "motivations_accepted": judgements}))
            .details(format!("dossier {}: {title}", fu.app.reference)),
    )
    .await?;
    let lines = if step == ReportStep::Accept {
        store::after_acceptance(work.txn(), report.id, caller.now, &caller.by())
            .await?
            .lines
    } else {
        Vec::new()
    };
    let accepted = step == ReportStep::Accept;
    tell(
        state,
        &mut work,
        &dossier,
        News::ResultsDecision,
        if accepted {
            "rapport aanvaard"
        } else {
            "rapport teruggestuurd"
        },
        ("progress_report", report.id),
        |dossier| {
            crate::mail::render_text(&ReportDecidedMail {
                dossier,
                accepted,
                title: &title,
                note: &note,
                lines: &lines,
            })
        },
    )
    .await?;
    work.commit().await?;
    Ok(step)
}

// ------------------------------------------------------------------ ABB: continuation

/// ABB's decision on a continuation proposal as typed.
#[derive(Debug, Clone, Default)]
pub struct ContinuationInput {
    /// `bevestigen` or `positief`.
    pub decision: String,
    pub note: String,
    pub version: i32,
}

/// The form fields of the decision on continuation `id`: the choice and the note.
pub fn continuation_fields(id: i64) -> (String, String) {
    (format!("decision_{id}"), format!("note_{id}"))
}

/// Decides on continuation proposal `id`; returns the interim report it belongs to. What the
/// next year is worth may change: its advance is recomputed while it is only scheduled.
pub async fn decide_continuation(
    state: &AppState,
    caller: &Caller,
    id: i64,
    input: ContinuationInput,
) -> Result<i64> {
    let (found, interim) = store::continuation_with_report(&state.db, id)
        .await?
        .ok_or(Error::NotFound)?;
    let ReportOf {
        dossier,
        fu,
        report,
    } = report_for_review(state, caller, interim.id).await?;
    if found.confirmed.is_some() {
        return Err(Error::Conflict(
            "Over deze voortzetting is al beslist.".into(),
        ));
    }
    let (decision_name, note_name) = continuation_fields(id);
    let note = input.note.trim().to_owned();
    let mut errors = FieldErrors::default();
    let outcome = continuation_outcome(
        found.proposed,
        ContinuationChoice::parse(&input.decision),
        &note,
    );
    match outcome {
        Err(ContinuationError::ReasonMissing) => errors.add(&note_name, outcome_message(outcome)),
        Err(_) => errors.add(&decision_name, outcome_message(outcome)),
        Ok(_) => {}
    }
    if note.chars().count() > MAX_TEXT {
        errors.add(
            &note_name,
            format!(
                "De reden mag hoogstens {} tellen.",
                crate::domain::dutch::characters(MAX_TEXT)
            ),
        );
    }
    Error::unless_invalid(errors)?;
    let continues = outcome.unwrap_or(false);

    let mut work = Work::begin(state).await?;
    let decided = store::decide_continuation(
        work.txn(),
        found.id,
        input.version,
        continues,
        caller.user_id(),
        caller.now,
        &note,
    )
    .await?;
    if !decided {
        return Err(Error::Conflict(
            "Iemand anders besliste intussen over deze voortzetting. Open de pagina opnieuw."
                .into(),
        ));
    }
    let code = fu
        .actions
        .iter()
        .find(|a| a.row.id == found.application_action_id)
        .map(|a| a.code.clone())
        .unwrap_or_default();
    let what = match (found.proposed, continues) {
        (true, _) => format!(
            "Actie {code} loopt door in projectjaar {} (voorstel bevestigd).",
            found.year_number
        ),
        (false, true) => format!(
            "Actie {code} loopt door in projectjaar {} na een positieve beoordeling door ABB: {note}",
            found.year_number
        ),
        (false, false) => format!(
            "Actie {code} stopt na projectjaar {}: {}",
            found.year_number - 1,
            found.reason
        ),
    };
    // Recorded before the advance is recomputed, which audits its own change.
    crate::audit::record(
        work.txn(),
        caller
            .audit("continuation.decided", "continuation", found.id)
            .before(serde_json::json!({"proposed": found.proposed, "confirmed": null}))
            .after(serde_json::json!({"confirmed": continues, "note": note}))
            .details(format!("dossier {}: {what}", fu.app.reference)),
    )
    .await?;
    if let Some(fresh) = store::load(work.txn(), fu.app.id).await? {
        store::refresh_advance(
            work.txn(),
            &fresh,
            found.year_number,
            caller.now,
            &caller.by(),
        )
        .await?;
    }
    tell(
        state,
        &mut work,
        &dossier,
        News::ResultsDecision,
        "beslissing over de voortzetting",
        ("continuation", found.id),
        |dossier| {
            crate::mail::render_text(&ResultsMail {
                dossier,
                text: &what,
            })
        },
    )
    .await?;
    work.commit().await?;
    Ok(report.id)
}

fn outcome_message(outcome: std::result::Result<bool, ContinuationError>) -> String {
    outcome.err().map(|e| e.to_string()).unwrap_or_default()
}

// ------------------------------------------------------------------ ABB: reclaim

/// ABB's decision on a proposed reclaim as typed.
#[derive(Debug, Clone, Default)]
pub struct ReclaimInput {
    /// `bevestigen` or `kwijtschelden`.
    pub decision: String,
    pub amount: String,
    pub reason: String,
    pub version: i32,
}

/// The form fields of the decision on reclaim `id`: the choice, the amount, the reason.
pub fn reclaim_fields(id: i64) -> (String, String, String) {
    (
        format!("decision_{id}"),
        format!("amount_{id}"),
        format!("reason_{id}"),
    )
}

/// What a reclaim decision came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReclaimDecided {
    /// The year report the reclaim belongs to.
    pub report_id: i64,
    /// The amount reclaimed; `None` when waived.
    pub amount: Option<Cents>,
    /// Stored as a proposal that another member of ABB confirms (four eyes); nothing else
    /// changed yet.
    pub proposed: bool,
}

/// A reclaim decision as a pending proposal stores it (replayed on confirmation).
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct ProposedReclaim {
    /// `bevestigen` or `kwijtschelden`.
    pub decision: String,
    /// The amount to reclaim (plain, "1.250,00"); empty when waived.
    pub amount: String,
    pub reason: String,
}

impl ProposedReclaim {
    pub fn read(proposal: &entity::four_eyes_proposal::Model) -> Result<Self> {
        serde_json::from_str(&proposal.input).map_err(Error::internal)
    }
}

/// A reclaim decision checked against the reclaim's bounds.
struct CheckedReclaim {
    amount: Option<Cents>,
    reason: String,
    max: Cents,
}

/// Checks ABB's decision on reclaim `found` as typed (`id`'s form fields).
fn check_reclaim(found: &entity::reclaim::Model, input: &ReclaimInput) -> Result<CheckedReclaim> {
    let (decision_name, amount_name, reason_name) = reclaim_fields(found.id);
    let reason = input.reason.trim().to_owned();
    let max = Cents::new(found.max_cents).unwrap_or_default();
    let mut errors = FieldErrors::default();
    let verdict = match input.decision.trim() {
        "bevestigen" => match Cents::parse(input.amount.trim()) {
            Ok(a) => match check_reclaim_amount(a, max) {
                Ok(()) => Some(ReclaimVerdict::Confirm(a)),
                Err(e) => {
                    errors.add(&amount_name, e.to_string());
                    None
                }
            },
            Err(e) => {
                errors.add(&amount_name, format!("Bedrag: {e}"));
                None
            }
        },
        "kwijtschelden" => Some(ReclaimVerdict::Waive),
        _ => {
            errors.add(
                &decision_name,
                "Kies: de terugvordering bevestigen of niet terugvorderen.",
            );
            None
        }
    };
    if let Some(Err(missing)) = verdict.map(|v| reclaim_reason_check(v, max, &reason)) {
        errors.add(&reason_name, missing.to_string());
    }
    if reason.chars().count() > MAX_TEXT {
        errors.add(
            &reason_name,
            format!(
                "De reden mag hoogstens {} tellen.",
                crate::domain::dutch::characters(MAX_TEXT)
            ),
        );
    }
    Error::unless_invalid(errors)?;
    let amount = match verdict {
        Some(ReclaimVerdict::Confirm(a)) => Some(a),
        _ => None,
    };
    Ok(CheckedReclaim {
        amount,
        reason,
        max,
    })
}

/// Decides on proposed reclaim `id`: confirm an amount within the computed bounds (less than
/// computed needs a reason) and schedule its payment, or waive it with a reason. When the call
/// asks a second person for the amount at stake (the amount reclaimed, or the maximum a waiver
/// forgoes), the decision is stored as a proposal and nothing else changes (four eyes).
pub async fn decide_reclaim(
    state: &AppState,
    caller: &Caller,
    id: i64,
    input: ReclaimInput,
) -> Result<ReclaimDecided> {
    let found = store::reclaim_by_id(&state.db, id)
        .await?
        .ok_or(Error::NotFound)?;
    let of = report_for_review(state, caller, found.progress_report_id).await?;
    if found.state != ReclaimState::Proposed {
        return Err(Error::Conflict(
            "Over deze terugvordering is al beslist.".into(),
        ));
    }
    let checked = check_reclaim(&found, &input)?;
    let at_stake = checked.amount.unwrap_or(checked.max);
    let threshold = Cents::new(of.fu.call.four_eyes_threshold_cents).unwrap_or_default();
    if caller.user.is_none() || !four_eyes::needs_second_person(threshold, at_stake) {
        return record_reclaim(state, caller, of, &found, &checked, input.version, None).await;
    }
    let stored = ProposedReclaim {
        decision: if checked.amount.is_some() {
            "bevestigen"
        } else {
            "kwijtschelden"
        }
        .into(),
        amount: checked
            .amount
            .map(Cents::to_plain_string)
            .unwrap_or_default(),
        reason: checked.reason.clone(),
    };
    let mut work = Work::begin(state).await?;
    let subject = super::four_eyes::Subject {
        kind: ProposalKind::Reclaim,
        id: found.id,
        call_id: of.fu.call.id,
    };
    let input = serde_json::to_value(stored).map_err(Error::internal)?;
    if let Err(err) =
        super::four_eyes::propose(&mut work, caller, subject, at_stake.get(), input).await
    {
        work.rollback().await?;
        return Err(err);
    }
    work.commit().await?;
    Ok(ReclaimDecided {
        report_id: of.report.id,
        amount: checked.amount,
        proposed: true,
    })
}

/// Confirms the reclaim decision proposed in pending proposal `proposal_id` on reclaim `id`:
/// anyone of ABB but the proposer; checked again against the reclaim as it is now (what no
/// longer fits is a conflict), then taken as [`decide_reclaim`] takes it.
pub async fn confirm_reclaim(
    state: &AppState,
    caller: &Caller,
    id: i64,
    proposal_id: i64,
) -> Result<ReclaimDecided> {
    let found = store::reclaim_by_id(&state.db, id)
        .await?
        .ok_or(Error::NotFound)?;
    let of = report_for_review(state, caller, found.progress_report_id).await?;
    let proposal =
        super::four_eyes::pending_one(state, ProposalKind::Reclaim, id, proposal_id).await?;
    super::four_eyes::may_confirm(caller, &proposal).map_err(|r| Error::Conflict(r.into()))?;
    if found.state != ReclaimState::Proposed {
        return Err(Error::Conflict(
            "Over deze terugvordering is al beslist.".into(),
        ));
    }
    let stored = ProposedReclaim::read(&proposal)?;
    let input = ReclaimInput {
        decision: stored.decision,
        amount: stored.amount,
        reason: stored.reason,
        version: found.version,
    };
    let checked = check_reclaim(&found, &input).map_err(|_| {
        Error::Conflict(
            "Het voorstel past niet meer bij deze terugvordering. Stuur het terug zodat een \
             nieuw voorstel gedaan kan worden."
                .into(),
        )
    })?;
    record_reclaim(
        state,
        caller,
        of,
        &found,
        &checked,
        found.version,
        Some(&proposal),
    )
    .await
}

/// The pending reclaim proposal `proposal_id` on reclaim `id` (staff who may review it).
pub async fn pending_reclaim(
    state: &AppState,
    caller: &Caller,
    id: i64,
    proposal_id: i64,
) -> Result<(i64, entity::four_eyes_proposal::Model)> {
    let of = reclaim_report(state, caller, id).await?;
    let proposal =
        super::four_eyes::pending_one(state, ProposalKind::Reclaim, id, proposal_id).await?;
    Ok((of.report.id, proposal))
}

/// Takes the checked decision on reclaim `found` in one [`Work`]: the reclaim payment, the
/// decision, the audit entry, the mails; a confirmed `proposal` is settled with it.
async fn record_reclaim(
    state: &AppState,
    caller: &Caller,
    of: ReportOf,
    found: &entity::reclaim::Model,
    checked: &CheckedReclaim,
    version: i32,
    proposal: Option<&entity::four_eyes_proposal::Model>,
) -> Result<ReclaimDecided> {
    let ReportOf {
        dossier,
        fu,
        report,
    } = of;
    let (amount, reason, max) = (checked.amount, &checked.reason, checked.max);
    let mut work = Work::begin(state).await?;
    if let Some(proposal) = proposal
        && let Err(err) = super::four_eyes::settle_confirmed(&mut work, caller, proposal).await
    {
        work.rollback().await?;
        return Err(err);
    }
    let payment = match amount {
        Some(a) => {
            let computation = format!(
                "{} Bevestigd door ABB: {a}.{}",
                found.computation,
                if reason.is_empty() {
                    String::new()
                } else {
                    format!(" Reden: {reason}")
                }
            );
            Some(
                store::schedule_reclaim_payment(
                    work.txn(),
                    &fu,
                    found.year_number,
                    a,
                    computation,
                    caller.now,
                    &caller.by(),
                )
                .await?,
            )
        }
        None => None,
    };
    let decision = ReclaimDecision {
        amount,
        reason,
        decided_by: caller.user_id(),
        at: caller.now,
        payment_id: payment.as_ref().map(|p| p.id),
        version,
    };
    if !store::decide_reclaim(work.txn(), found.id, &decision).await? {
        return Err(Error::Conflict(
            "Iemand anders besliste intussen over deze terugvordering. Open de pagina opnieuw."
                .into(),
        ));
    }
    work.audit(
        caller
            .audit(
                if amount.is_some() { "reclaim.confirmed" } else { "reclaim.waived" },
                "reclaim",
                found.id,
            )
            .before(serde_json::json!({"state": found.state, "max_cents": found.max_cents}))
            .after(serde_json::json!({"amount_cents": amount.map(|a| a.get()), "reason": reason, "payment_id": payment.as_ref().map(|p| p.id), "proposed_by": proposal.map(|p| p.proposed_by)}))
            .details(format!("dossier {}", fu.app.reference)),
    );
    let amount_text = amount.map(|a| a.to_string()).unwrap_or_default();
    let max_text = max.to_string();
    tell(
        state,
        &mut work,
        &dossier,
        News::ResultsDecision,
        "beslissing over een terugvordering",
        ("reclaim", found.id),
        |dossier| {
            crate::mail::render_text(&ReclaimMail {
                dossier,
                confirmed: amount.is_some(),
                amount: &amount_text,
                max: &max_text,
                year: found.year_number,
                computation: &found.computation,
                reason,
            })
        },
    )
    .await?;
    work.commit().await?;
    Ok(ReclaimDecided {
        report_id: report.id,
        amount,
        proposed: false,
    })
}

// ------------------------------------------------------------------ e-mails

/// Queues `news` about the follow-up of `dossier` for everyone the domain's rule names, each
/// copy rendered by `body` (members' copies with the follow-up's preamble); the link goes to
/// the follow-up page.
async fn tell<F>(
    state: &AppState,
    work: &mut Work,
    dossier: &DossierWithParties,
    news: News,
    subject: &str,
    related: (&str, i64),
    body: F,
) -> Result<()>
where
    F: Fn(&DossierLine<'_>) -> std::result::Result<String, askama::Error>,
{
    let app = &dossier.application;
    let parties = crate::store::recipients::parties(work.txn(), app).await?;
    let link = format!("{}/dossiers/{}/opvolging", state.config.public_url, app.id);
    for recipient in recipients::recipients(news, &parties) {
        let line = DossierLine {
            reference: &app.reference,
            title: &app.title,
            lead: &dossier.lead_name,
            link: &link,
            member: recipient.side == recipients::Side::Member,
            member_preamble: MEMBER_PREAMBLE,
        };
        work.mail(OutgoingMail {
            to: recipient.email,
            subject: format!("Samenleven: {subject} ({})", app.reference),
            body_text: body(&line)?,
            related: Some((related.0.to_owned(), related.1.to_string())),
        });
    }
    Ok(())
}

#[derive(Template)]
#[template(path = "mail/report_submitted.txt")]
struct SubmittedMail<'a> {
    dossier: &'a DossierLine<'a>,
    author: &'a str,
    title: &'a str,
    date: &'a str,
}

#[derive(Template)]
#[template(path = "mail/report_to_review.txt")]
struct ToReviewMail<'a> {
    name: &'a str,
    lead: &'a str,
    title: &'a str,
    reference: &'a str,
    link: &'a str,
}

#[derive(Template)]
#[template(path = "mail/report_decided.txt")]
struct ReportDecidedMail<'a> {
    dossier: &'a DossierLine<'a>,
    accepted: bool,
    title: &'a str,
    note: &'a str,
    lines: &'a [String],
}

#[derive(Template)]
#[template(path = "mail/results_decision.txt")]
struct ResultsMail<'a> {
    dossier: &'a DossierLine<'a>,
    text: &'a str,
}

#[derive(Template)]
#[template(path = "mail/reclaim_decided.txt")]
struct ReclaimMail<'a> {
    dossier: &'a DossierLine<'a>,
    confirmed: bool,
    amount: &'a str,
    max: &'a str,
    year: i32,
    computation: &'a str,
    reason: &'a str,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(member: bool) -> DossierLine<'static> {
        DossierLine {
            reference: "SL-2022-0001",
            title: "Samen sterker",
            lead: "Willebroek",
            link: "https://samenleven.test/dossiers/1/opvolging",
            member,
            member_preamble: MEMBER_PREAMBLE,
        }
    }

    #[test]
    fn an_accepted_report_mail_carries_the_note_and_the_consequences() {
        let text = crate::mail::render_text(&ReportDecidedMail {
            dossier: &line(true),
            accepted: true,
            title: "Projectjaar 1 · jaarrapport",
            note: "Goed werk.",
            lines: &["Het saldo wordt betaald.".into()],
        })
        .unwrap();
        assert!(text.starts_with("Beste,\n"), "{text}");
        assert!(text.contains("handelt de opvolging af"), "{text}");
        assert!(
            text.contains("ABB aanvaardt het rapport \"Projectjaar 1 · jaarrapport\"."),
            "{text}"
        );
        assert!(text.contains("Opmerking van ABB: Goed werk."), "{text}");
        assert!(text.contains("Het saldo wordt betaald."), "{text}");
        assert!(
            text.contains("De opvolging van dossier SL-2022-0001"),
            "{text}"
        );
        assert!(!text.contains("\n\n\n\n"), "{text}");
    }

    #[test]
    fn a_reclaim_mail_says_what_is_paid_back_or_why_not() {
        let mail = |confirmed, reason| {
            crate::mail::render_text(&ReclaimMail {
                dossier: &line(false),
                confirmed,
                amount: "€ 4.000,00",
                max: "€ 5.000,00",
                year: 1,
                computation: "Berekening.",
                reason,
            })
            .unwrap()
        };
        let confirmed = mail(true, "Deels overmacht.");
        assert!(confirmed.contains("ABB vordert € 4.000,00 terug voor projectjaar 1. De trekker betaalt dit bedrag terug."), "{confirmed}");
        assert!(confirmed.contains("Reden: Deels overmacht."), "{confirmed}");
        assert!(!mail(true, "").contains("Reden:"));
        let waived = mail(false, "Overmacht.");
        assert!(
            waived.contains(
                "ABB vordert niets terug voor projectjaar 1 (voorgesteld: hoogstens € 5.000,00)."
            ),
            "{waived}"
        );
        assert!(!waived.contains("handelt de opvolging af"));
    }
}
