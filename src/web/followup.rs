//! The municipality's follow-up of an approved dossier: the overview (`/dossiers/{id}/opvolging`:
//! reports with their deadlines, each KPI's target against its measurements as a chart with a
//! data table, continuation decisions, payments and reclaims) and the progress report form
//! (actual value per KPI, a motivation where a target is missed, attachments; save as draft,
//! submit). The lead's officials fill in reports; members and ABB read them. Everything is
//! decided by the domain ([`crate::domain::followup`]) and stored through
//! [`crate::store::followup`].

use std::collections::HashMap;

use askama::Template;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use chrono::NaiveDate;

use entity::progress_report::{self, ReportKind as StoredKind};
use entity::reclaim::ReclaimState;

use crate::app::{self, Caller, followup};
use crate::auth::csrf::form_urlencoded_pairs;
use crate::domain::fields::FieldErrors;
use crate::domain::followup::{assess_kpi, is_overdue};
use crate::domain::{Cents, KpiValue};
use crate::error::AppError;
use crate::policy::Action;
use crate::state::AppState;
use crate::store::followup::{
    self as store, FollowUp, payment_state, plan_of, report_kind, report_state, tranche,
};
use crate::store::reports;
use crate::web::attachments::{
    max_size_label, read_form, record_report_file, remove_file, validate_report_file,
};
use crate::web::chart::{self, KpiChart, Point};
use crate::web::context::PageContext;
use crate::web::extract::{FlashRedirect, Id, Ids, parse_id};
use crate::web::filters;
use crate::web::form::FormErrors;
use crate::web::form::RawForm;
use crate::web::full_view::kpi_text;
use crate::web::pages::{Layout, render};
use crate::web::routes::OFFICIALS;
use crate::web::sections::CONFLICT_MESSAGE;
use crate::web::{Access, BodyLimit, RouteTable};

pub fn routes() -> RouteTable {
    RouteTable::new()
        .get("/dossiers/{id}/opvolging", Access::SignedIn, overview)
        .get(
            "/dossiers/{id}/rapporten/{report}",
            Access::SignedIn,
            report_page,
        )
        .post("/dossiers/{id}/rapporten/{report}", OFFICIALS, save_report)
        .limit(BodyLimit::LargeForm)
        .post(
            "/dossiers/{id}/rapporten/{report}/bijlagen",
            OFFICIALS,
            upload,
        )
        .limit(BodyLimit::Upload)
        .post(
            "/dossiers/{id}/rapporten/{report}/bijlagen/{attachment}/verwijderen",
            OFFICIALS,
            delete_attachment,
        )
}

pub use crate::store::reports::report_title;

fn moment_label(kind: StoredKind, year: i32) -> String {
    match kind {
        StoredKind::Interim => format!("Jaar {year} tussentijds"),
        StoredKind::Year => format!("Jaar {year} einde"),
    }
}

// ------------------------------------------------------------------ overview

pub struct ReportRow {
    pub id: i64,
    pub title: String,
    pub due: NaiveDate,
    /// Why the deadline is illustrative, when it is.
    pub due_note: Option<String>,
    pub state_label: &'static str,
    pub overdue: bool,
    pub needed: bool,
}

pub struct TableRow {
    pub moment: String,
    /// The measured value in thousandths; `None` before it was measured.
    pub value: Option<u64>,
    /// The share of the planned improvement reached, in basis points.
    pub achievement: Option<u64>,
}

pub struct KpiBlock {
    pub action: String,
    pub indicator: String,
    pub unit: String,
    /// Thousandths.
    pub baseline: i64,
    pub target: i64,
    pub svg: String,
    pub rows: Vec<TableRow>,
}

pub struct ContinuationRow {
    pub action: String,
    pub year: i32,
    pub proposal: &'static str,
    pub reason: String,
    pub decision: String,
    pub note: String,
}

pub struct PaymentLine {
    pub year: i32,
    pub tranche: &'static str,
    /// Cents.
    pub amount: i64,
    pub state: &'static str,
    pub due: Option<NaiveDate>,
    pub computation: String,
    pub owed_back: bool,
}

pub struct ReclaimLine {
    pub action: String,
    pub year: i32,
    pub state: &'static str,
    /// Cents.
    pub max: i64,
    /// Cents, once ABB decided.
    pub amount: Option<i64>,
    pub computation: String,
    pub reason: String,
}

#[derive(Template)]
#[template(path = "followup/overview.html")]
pub struct OverviewPage {
    pub layout: Layout,
    pub id: i64,
    pub reference: String,
    pub title: String,
    pub lead: String,
    pub followed: bool,
    pub reports: Vec<ReportRow>,
    pub kpis: Vec<KpiBlock>,
    pub continuations: Vec<ContinuationRow>,
    pub payments: Vec<PaymentLine>,
    pub reclaims: Vec<ReclaimLine>,
    /// Cents.
    pub paid_total: i64,
    pub owed_total: i64,
}

pub fn payment_lines(fu: &FollowUp) -> Vec<PaymentLine> {
    fu.payments
        .iter()
        .map(|p| PaymentLine {
            year: p.year_number,
            tranche: tranche(p.tranche).code(),
            amount: p.amount_cents,
            state: payment_state(p.state).label(),
            due: p.due_on,
            computation: p.computation.clone().unwrap_or_default(),
            owed_back: tranche(p.tranche).is_owed_back(),
        })
        .collect()
}

pub fn reclaim_lines(fu: &FollowUp) -> Vec<ReclaimLine> {
    fu.reclaims
        .iter()
        .map(|r| ReclaimLine {
            action: fu
                .actions
                .iter()
                .find(|a| a.row.id == r.application_action_id)
                .map(|a| a.code.clone())
                .unwrap_or_default(),
            year: r.year_number,
            state: reclaim_state_label(r.state),
            max: r.max_cents,
            amount: r.amount_cents,
            computation: r.computation.clone(),
            reason: r.reason.clone().unwrap_or_default(),
        })
        .collect()
}

pub fn reclaim_state_label(state: ReclaimState) -> &'static str {
    match state {
        ReclaimState::Proposed => "voorgesteld, ABB beslist nog",
        ReclaimState::Confirmed => "bevestigd",
        ReclaimState::Waived => "niet teruggevorderd",
    }
}

pub fn continuation_rows(fu: &FollowUp) -> Vec<ContinuationRow> {
    fu.continuations
        .iter()
        .map(|c| ContinuationRow {
            action: fu
                .actions
                .iter()
                .find(|a| a.row.id == c.application_action_id)
                .map(|a| a.code.clone())
                .unwrap_or_default(),
            year: c.year_number,
            proposal: if c.proposed { "voortzetten" } else { "stoppen" },
            reason: c.reason.clone(),
            decision: match (c.confirmed, c.proposed) {
                (None, _) => "ABB beslist nog".into(),
                (Some(true), true) => "voortgezet (voorstel bevestigd)".into(),
                (Some(true), false) => "voortgezet na positieve beoordeling door ABB".into(),
                (Some(false), _) => "gestopt".into(),
            },
            note: c.decision_note.clone().unwrap_or_default(),
        })
        .collect()
}

fn kpi_blocks(fu: &FollowUp) -> Vec<KpiBlock> {
    fu.actions
        .iter()
        .filter(|a| {
            fu.project_years()
                .any(|y| fu.granted(a.row.id, y) > Cents::ZERO)
        })
        .flat_map(|a| a.kpis.iter().map(move |k| kpi_block(fu, a, k)))
        .collect()
}

/// One KPI of a granted action: its chart and its table, one point and row per report.
fn kpi_block(fu: &FollowUp, a: &store::FollowedAction, k: &entity::kpi::Model) -> KpiBlock {
    let mut points = Vec::new();
    let mut rows = Vec::new();
    for r in &fu.reports {
        let value = fu
            .result(r.id, k.id)
            .and_then(|x| x.actual_value)
            .and_then(|v| u64::try_from(v).ok());
        let label = moment_label(r.kind, r.year_number);
        points.push(Point {
            label: label.clone(),
            value,
        });
        rows.push(TableRow {
            moment: label,
            value,
            achievement: fu.achievement(r, k),
        });
    }
    KpiBlock {
        action: format!("{} {}", a.code, a.title),
        indicator: k.indicator.clone(),
        unit: k.unit.clone(),
        baseline: k.baseline,
        target: k.target,
        svg: chart::svg(&KpiChart {
            id: format!("kpi-{}", k.id),
            title: format!("Actie {}: {} ({})", a.code, k.indicator, k.unit),
            unit: k.unit.clone(),
            baseline: u64::try_from(k.baseline).unwrap_or(0),
            target: u64::try_from(k.target).unwrap_or(0),
            points,
        }),
        rows,
    }
}

fn sum_cents<'a>(rows: impl Iterator<Item = &'a entity::payment::Model>) -> i64 {
    crate::domain::money::sum_cents(rows.map(|p| p.amount_cents))
}

async fn overview(
    State(state): State<AppState>,
    caller: Caller,
    ctx: PageContext,
    Id(id): Id,
) -> Result<Html<String>, AppError> {
    let (dossier, fu) = followup::followup_of(&state, &caller, id, Action::ViewDossier).await?;
    render(&overview_page(
        &ctx,
        &dossier.lead_name,
        &fu,
        caller.today(),
    ))
}

fn overview_page(ctx: &PageContext, lead: &str, fu: &FollowUp, today: NaiveDate) -> OverviewPage {
    let followed = fu.is_followed();
    use entity::payment::{PaymentState as PS, Tranche as T};
    OverviewPage {
        layout: ctx.layout(format!("Opvolging {}", fu.app.reference)),
        id: fu.app.id,
        reference: fu.app.reference.clone(),
        title: fu.app.title.clone(),
        lead: lead.to_owned(),
        followed,
        reports: if followed {
            fu.reports
                .iter()
                .map(|r| ReportRow {
                    id: r.id,
                    title: report_title(r.kind, r.year_number),
                    due: r.due_on,
                    due_note: fu.due_standing(r).note(),
                    state_label: report_state(r.state).label(),
                    overdue: is_overdue(report_state(r.state), r.due_on, today),
                    needed: !fu.actions_in(r.year_number).is_empty(),
                })
                .collect()
        } else {
            Vec::new()
        },
        kpis: if followed { kpi_blocks(fu) } else { Vec::new() },
        continuations: continuation_rows(fu),
        payments: payment_lines(fu),
        reclaims: reclaim_lines(fu),
        paid_total: sum_cents(
            fu.payments
                .iter()
                .filter(|p| p.state == PS::Paid && p.tranche != T::Reclaim),
        ),
        owed_total: sum_cents(
            fu.payments
                .iter()
                .filter(|p| p.state != PS::Cancelled && p.tranche == T::Reclaim),
        ),
    }
}

// ------------------------------------------------------------------ the report form

pub struct KpiField {
    pub id: i64,
    pub indicator: String,
    pub unit: String,
    /// Thousandths.
    pub baseline: i64,
    pub target: i64,
    pub actual_name: String,
    pub actual: String,
    pub motivation_name: String,
    pub motivation: String,
    /// The assessment of the saved or typed value, if any.
    pub assessment: String,
    pub missed: bool,
    /// ABB's judgement of the motivation, if any.
    pub judgement: &'static str,
}

pub struct ActionFields {
    pub code: String,
    pub title: String,
    pub kpis: Vec<KpiField>,
}

pub struct AttachmentLine {
    pub id: i64,
    pub name: String,
    /// Bytes.
    pub size: u64,
}

#[derive(Template)]
#[template(path = "followup/report.html")]
pub struct ReportPage {
    pub layout: Layout,
    pub app_id: i64,
    pub report_id: i64,
    pub reference: String,
    pub dossier_title: String,
    pub heading: String,
    pub due: NaiveDate,
    /// Why the deadline is illustrative, when it is.
    pub due_note: Option<String>,
    pub state_label: &'static str,
    pub overdue: bool,
    pub editable: bool,
    pub review_note: String,
    pub version: i32,
    pub actions: Vec<ActionFields>,
    pub errors: FormErrors,
    pub attachments: Vec<AttachmentLine>,
    pub max_size: String,
    pub interim: bool,
    /// The continuation threshold in basis points.
    pub threshold: u32,
}

/// The values the form shows: typed ones when given, else the saved ones.
pub(crate) fn action_fields(
    fu: &FollowUp,
    report: &progress_report::Model,
    typed: Option<&HashMap<String, String>>,
) -> Vec<ActionFields> {
    fu.actions_in(report.year_number)
        .into_iter()
        .map(|a| ActionFields {
            code: a.code.clone(),
            title: a.title.clone(),
            kpis: a
                .kpis
                .iter()
                .map(|k| kpi_field(fu, report, typed, k))
                .collect(),
        })
        .collect()
}

/// One KPI's fields of the report form, with the assessment of the value shown.
fn kpi_field(
    fu: &FollowUp,
    report: &progress_report::Model,
    typed: Option<&HashMap<String, String>>,
    k: &entity::kpi::Model,
) -> KpiField {
    let kind = report_kind(report.kind);
    let saved = fu.result(report.id, k.id);
    let actual_name = reports::actual_field(k.id);
    let motivation_name = reports::motivation_field(k.id);
    let actual = match typed {
        Some(t) => t.get(&actual_name).cloned().unwrap_or_default(),
        None => saved
            .and_then(|r| r.actual_value)
            .map(kpi_text)
            .unwrap_or_default(),
    };
    let motivation = match typed {
        Some(t) => t.get(&motivation_name).cloned().unwrap_or_default(),
        None => saved.and_then(|r| r.motivation.clone()).unwrap_or_default(),
    };
    let assessed = KpiValue::parse(&actual)
        .ok()
        .map(|v| assess_kpi(plan_of(k), v, kind, fu.continuation_min_bp()));
    KpiField {
        id: k.id,
        indicator: k.indicator.clone(),
        unit: k.unit.clone(),
        baseline: k.baseline,
        target: k.target,
        actual_name,
        actual,
        motivation_name,
        motivation,
        assessment: assessed
            .as_ref()
            .map(|a| a.explanation.clone())
            .unwrap_or_default(),
        missed: assessed.as_ref().is_some_and(|a| a.missed),
        judgement: match saved.and_then(|r| r.motivation_accepted) {
            Some(true) => "ABB aanvaardde de motivatie.",
            Some(false) => "ABB aanvaardde de motivatie niet.",
            None => "",
        },
    }
}

/// The report form of `found`: with the typed values and their messages when given, else the
/// saved values.
async fn report_view(
    state: &AppState,
    ctx: &PageContext,
    caller: &Caller,
    found: &followup::ReportOf,
    typed: Option<&HashMap<String, String>>,
    errors: FormErrors,
    version: i32,
) -> Result<Html<String>, AppError> {
    let (fu, report) = (&found.fu, &found.report);
    let attachments = store::report_attachments(&state.db, report.id)
        .await?
        .into_iter()
        .map(|a| AttachmentLine {
            id: a.id,
            name: a.original_name,
            size: u64::try_from(a.size_bytes).unwrap_or(0),
        })
        .collect();
    let today = caller.today();
    render(&ReportPage {
        layout: ctx.layout(report_title(report.kind, report.year_number)),
        app_id: fu.app.id,
        report_id: report.id,
        reference: fu.app.reference.clone(),
        dossier_title: fu.app.title.clone(),
        heading: report_title(report.kind, report.year_number),
        due: report.due_on,
        due_note: fu.due_standing(report).note(),
        state_label: report_state(report.state).label(),
        overdue: is_overdue(report_state(report.state), report.due_on, today),
        editable: followup::may_edit(caller, &found.dossier)
            && report_state(report.state).is_editable(),
        review_note: report.review_note.clone().unwrap_or_default(),
        version,
        actions: action_fields(fu, report, typed),
        errors,
        attachments,
        max_size: max_size_label(state),
        interim: report.kind == StoredKind::Interim,
        threshold: fu.continuation_min_bp(),
    })
}

async fn report_page(
    State(state): State<AppState>,
    caller: Caller,
    ctx: PageContext,
    Ids(id, report): Ids,
) -> Result<Html<String>, AppError> {
    let found = followup::report_of(&state, &caller, id, report, Action::ViewDossier).await?;
    let version = found.report.version;
    report_view(
        &state,
        &ctx,
        &caller,
        &found,
        None,
        FormErrors::default(),
        version,
    )
    .await
}

/// The report form as typed: `actual_{kpi}`, `motivation_{kpi}`, `version`, and `action`
/// (`indienen` submits).
fn report_input(typed: &HashMap<String, String>) -> followup::ReportInput {
    let kpi_ids = typed.keys().filter_map(|k| {
        k.strip_prefix("actual_")
            .or_else(|| k.strip_prefix("motivation_"))
            .and_then(|id| id.parse::<i64>().ok())
    });
    let mut ids: Vec<i64> = kpi_ids.collect();
    ids.sort_unstable();
    ids.dedup();
    let field = |name: String| typed.get(&name).cloned().unwrap_or_default();
    followup::ReportInput {
        submit: typed.get("action").map(String::as_str) == Some("indienen"),
        version: typed
            .get("version")
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(-1),
        results: ids
            .into_iter()
            .map(|kpi_id| followup::KpiTyped {
                kpi_id,
                actual: field(reports::actual_field(kpi_id)),
                motivation: field(reports::motivation_field(kpi_id)),
            })
            .collect(),
        partial: false,
    }
}

/// Adapter: the report form → [`followup::save_report`]; the form again with its messages
/// (422), or with the newest values and a conflict message when someone saved meanwhile (409).
async fn save_report(
    State(state): State<AppState>,
    caller: Caller,
    ctx: PageContext,
    Ids(id, report): Ids,
    RawForm(raw): RawForm,
) -> Result<Response, AppError> {
    let typed: HashMap<String, String> = form_urlencoded_pairs(&raw).into_iter().collect();
    let input = report_input(&typed);
    let (submit, version) = (input.submit, input.version);
    let (status, errors) = match followup::save_report(&state, &caller, id, report, input).await {
        Ok(_) => {
            return Ok(FlashRedirect::new(
                format!("/dossiers/{id}/rapporten/{report}"),
                if submit {
                    "Het rapport is ingediend. U krijgt een bevestiging per e-mail."
                } else {
                    "Het rapport is bewaard als ontwerp."
                },
            )
            .into_response());
        }
        Err(app::Error::Invalid(errors)) => (StatusCode::UNPROCESSABLE_ENTITY, errors),
        Err(app::Error::Stale) => (StatusCode::CONFLICT, FieldErrors::default()),
        Err(other) => return Err(other.into()),
    };
    let found = followup::report_of(&state, &caller, id, report, Action::EditDossier).await?;
    let (errors, version) = if status == StatusCode::CONFLICT {
        let mut errors = errors;
        let first = found
            .fu
            .actions_in(found.report.year_number)
            .first()
            .and_then(|a| a.kpis.first())
            .map(|k| reports::actual_field(k.id))
            .unwrap_or_else(|| "version".into());
        errors.add(&first, CONFLICT_MESSAGE);
        (errors, found.report.version)
    } else {
        (errors, version)
    };
    let page = report_view(&state, &ctx, &caller, &found, Some(&typed), errors, version).await?;
    Ok((status, page).into_response())
}

// ------------------------------------------------------------------ attachments of a report

async fn upload(
    State(state): State<AppState>,
    caller: Caller,
    ctx: PageContext,
    Ids(id, report): Ids,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, AppError> {
    let found = followup::report_of(&state, &caller, id, report, Action::EditDossier).await?;
    followup::ensure_files_open(&found.report, "toevoegen")?;
    let max = state.config.max_upload_bytes;
    let form = read_form(multipart, &state.config).await?;
    let file = match validate_report_file(form, max, &max_size_label(&state)) {
        Ok(accepted) => accepted,
        Err((status, errors)) => {
            let version = found.report.version;
            let page = report_view(&state, &ctx, &caller, &found, None, errors, version).await?;
            return Ok((status, page).into_response());
        }
    };
    record_report_file(&state, &found.fu.app, &found.report, &file, &caller.by()).await?;
    Ok(FlashRedirect::new(
        format!("/dossiers/{id}/rapporten/{report}"),
        format!("Bijlage “{}” is toegevoegd aan het rapport.", file.name),
    )
    .into_response())
}

async fn delete_attachment(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, report, attachment)): Path<(String, String, String)>,
) -> Result<Response, AppError> {
    let (id, report, attachment) = (parse_id(&id)?, parse_id(&report)?, parse_id(&attachment)?);
    let removed = followup::delete_report_file(&state, &caller, id, report, attachment).await?;
    remove_file(&state.config.upload_dir(), &removed.stored_name).await;
    Ok(FlashRedirect::new(
        format!("/dossiers/{id}/rapporten/{report}"),
        format!("Bijlage “{}” is verwijderd.", removed.name),
    )
    .into_response())
}
