//! Call administration (admins, `/beheer/oproepen`): the list of calls with exports, creating and
//! editing a call from a form (parsed by `domain::call_draft` into a valid call, errors on their
//! fields with every typed value kept, concurrent edits detected through `version`), and the
//! operations, each with a required reason, audited and mailed to the people concerned: open,
//! close, extend the deadline, let one dossier submit late, give a decided or withdrawn dossier
//! back to its applicant. A call with submitted dossiers keeps the rules they were checked
//! against (see [`crate::domain::call_draft::locked_changes`]).

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, Set,
};
use serde::Deserialize;

use entity::application::ApplicationState;
use entity::call::CallState;
use entity::{action, change_request};

use crate::audit::{self, AuditEntry};
use crate::auth::csrf::form_urlencoded_pairs;
use crate::auth::session::{CurrentUser, SessionUser, redirect_with_flash};
use crate::domain::call_draft::{
    self, CallActionForm, CallDraft, CallForm, CallSpec, DraftContext, FieldProblem,
    ProjectYearForm, show_coverage_aim, show_moment, show_moment_input,
};
use crate::domain::workflow::{self, Party, Transition};
use crate::domain::{BasisPoints, Cents, dutch};
use crate::error::AppError;
use crate::export::{self, Cell, Kind, Table};
use crate::mail::{self, OutgoingMail};
use crate::state::AppState;
use crate::store::call_admin::{self, CallRecord, WriteError};
use crate::store::calls;
use crate::web::RouteTable;
use crate::web::context::PageContext;
use crate::web::form::FormErrors;
use crate::web::home::call_state_label;
use crate::web::pages::{Layout, render};
use crate::web::routes::{ADMINS, BodyLimit};

pub fn routes() -> RouteTable {
    RouteTable::new()
        .get("/beheer/oproepen", ADMINS, list)
        .get("/beheer/oproepen/export", ADMINS, list_export)
        .get("/beheer/oproepen/nieuw", ADMINS, new_page)
        .post("/beheer/oproepen", ADMINS, create)
        .limit(BodyLimit::LargeForm)
        .get("/beheer/oproepen/{id}", ADMINS, show)
        .get("/beheer/oproepen/{id}/bewerken", ADMINS, edit_page)
        .post("/beheer/oproepen/{id}", ADMINS, update)
        .limit(BodyLimit::LargeForm)
        .post("/beheer/oproepen/{id}/openen", ADMINS, open)
        .post("/beheer/oproepen/{id}/sluiten", ADMINS, close)
        .post("/beheer/oproepen/{id}/verlengen", ADMINS, extend)
        .post("/beheer/oproepen/{id}/laattijdig", ADMINS, late_submission)
        .post("/beheer/oproepen/{id}/teruggeven", ADMINS, give_back)
}

/// How many empty project-year rows the form offers beyond the existing ones.
const SPARE_YEARS: usize = 2;
/// The most project years a call has.
const MAX_YEARS: usize = 10;

use crate::domain::dutch::format_money as money;
use crate::web::form::{Form, Query, RawForm};

fn plain_money(cents: i64) -> String {
    Cents::new(cents)
        .map(Cents::to_plain_string)
        .unwrap_or_default()
}

fn percent(bp: i32) -> String {
    u32::try_from(bp)
        .ok()
        .and_then(BasisPoints::new)
        .map(|b| {
            let v = b.get();
            if v % 100 == 0 {
                format!("{}", v / 100)
            } else {
                format!("{},{:02}", v / 100, v % 100)
            }
        })
        .unwrap_or_default()
}

fn problems_to_errors(problems: Vec<FieldProblem>) -> FormErrors {
    let mut errors = FormErrors::default();
    for p in problems {
        errors.add(&p.field, p.message);
    }
    errors
}

fn parse_id(id: &str) -> Result<i64, AppError> {
    id.parse().map_err(|_| AppError::NotFound)
}

// ------------------------------------------------------------------ list

pub struct CallRow {
    pub id: i64,
    pub code: String,
    pub title: String,
    pub plan: String,
    pub state_label: &'static str,
    pub opens: String,
    pub closes: String,
    pub years: usize,
    pub envelope: String,
    pub actions: usize,
    pub dossiers: usize,
    pub fictitious: bool,
}

#[derive(Template)]
#[template(path = "admin/calls.html")]
pub struct CallsPage {
    pub layout: Layout,
    pub rows: Vec<CallRow>,
}

struct ListData {
    summaries: Vec<calls::CallSummary>,
    plans: HashMap<i64, String>,
    dossiers: HashMap<i64, usize>,
}

async fn list_data(state: &AppState) -> Result<ListData, AppError> {
    let summaries = calls::list_summaries(&state.db).await?;
    let plans = call_admin::plans(&state.db)
        .await?
        .into_iter()
        .map(|p| (p.id, p.title))
        .collect();
    let mut dossiers = HashMap::new();
    for s in &summaries {
        dossiers.insert(
            s.call.id,
            call_admin::dossiers_of_call(&state.db, s.call.id)
                .await?
                .len(),
        );
    }
    Ok(ListData {
        summaries,
        plans,
        dossiers,
    })
}

async fn list(State(state): State<AppState>, ctx: PageContext) -> Result<Html<String>, AppError> {
    let data = list_data(&state).await?;
    let rows = data
        .summaries
        .iter()
        .map(|s| CallRow {
            id: s.call.id,
            code: s.call.code.clone(),
            title: s.call.title.clone(),
            plan: data.plans.get(&s.call.plan_id).cloned().unwrap_or_default(),
            state_label: call_state_label(s.call.state),
            opens: show_moment(s.call.submission_opens_at),
            closes: show_moment(s.call.submission_closes_at),
            years: s.project_years.len(),
            envelope: money(s.total_envelope_cents()),
            actions: s.action_count,
            dossiers: data.dossiers.get(&s.call.id).copied().unwrap_or(0),
            fictitious: s.call.parameters_fictitious,
        })
        .collect();
    render(&CallsPage {
        layout: ctx.layout("Oproepen"),
        rows,
    })
}

#[derive(Debug, Deserialize, Default)]
pub struct ExportQuery {
    #[serde(default)]
    pub formaat: String,
}

async fn list_export(
    State(state): State<AppState>,
    Query(query): Query<ExportQuery>,
) -> Result<Response, AppError> {
    let format = export::format_from(&query.formaat)
        .ok_or_else(|| AppError::BadRequest("Kies formaat=csv of formaat=xlsx.".into()))?;
    let data = list_data(&state).await?;
    let mut table = Table::new(
        "Oproepen",
        &[
            ("Code", Kind::Text),
            ("Titel", Kind::Text),
            ("Beleidsplan", Kind::Text),
            ("Status", Kind::Text),
            ("Indienen vanaf (UTC)", Kind::Moment),
            ("Indienen tot (UTC)", Kind::Moment),
            ("Projectjaren", Kind::Count),
            ("Enveloppe totaal", Kind::Money),
            ("Acties", Kind::Count),
            ("Dossiers", Kind::Count),
            ("Parameters fictief", Kind::Text),
        ],
    );
    for s in &data.summaries {
        table.push(vec![
            s.call.code.clone().into(),
            s.call.title.clone().into(),
            data.plans.get(&s.call.plan_id).cloned().into(),
            call_state_label(s.call.state).into(),
            Cell::Moment(s.call.submission_opens_at),
            Cell::Moment(s.call.submission_closes_at),
            Cell::Count(i64::try_from(s.project_years.len()).unwrap_or(0)),
            Cell::Money(s.total_envelope_cents()),
            Cell::Count(i64::try_from(s.action_count).unwrap_or(0)),
            Cell::Count(
                i64::try_from(data.dossiers.get(&s.call.id).copied().unwrap_or(0)).unwrap_or(0),
            ),
            (if s.call.parameters_fictitious {
                "ja (demo)"
            } else {
                "nee"
            })
            .into(),
        ]);
    }
    Ok(export::download(&table, format))
}

// ------------------------------------------------------------------ the form

pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

pub struct YearCell {
    pub id: String,
    pub label: String,
    pub kind: &'static str,
    pub value: String,
}

pub struct YearRow {
    pub n: usize,
    pub cells: Vec<YearCell>,
}

pub struct ActionRow {
    pub code: String,
    pub title: String,
    pub selected: bool,
    pub sel: String,
    pub cost: String,
    pub reach: String,
    pub unit: String,
    pub unit_cost: String,
    pub max_reach: String,
    pub unit_label: String,
}

#[derive(Template)]
#[template(path = "admin/call_form.html")]
pub struct CallFormPage {
    pub layout: Layout,
    pub errors: FormErrors,
    pub is_new: bool,
    pub call_id: i64,
    pub version: i32,
    pub plans: Vec<Choice>,
    pub plan_title: String,
    pub form: CallForm,
    pub fictitious: bool,
    pub years: Vec<YearRow>,
    pub actions: Vec<ActionRow>,
    pub locked: bool,
}

/// The form's values for a stored call.
fn form_of(record: &CallRecord, catalog: &[action::Model]) -> CallForm {
    let c = &record.call;
    CallForm {
        code: c.code.clone(),
        title: c.title.clone(),
        plan_id: c.plan_id.to_string(),
        period_start: c.period_start.format("%Y-%m-%d").to_string(),
        period_end: c.period_end.format("%Y-%m-%d").to_string(),
        submission_opens: show_moment_input(c.submission_opens_at),
        submission_closes: show_moment_input(c.submission_closes_at),
        reference_year: c.reference_year.to_string(),
        single_applicant_min: dutch::format_count(
            u64::try_from(c.single_applicant_min_exclusive).unwrap_or(0),
        ),
        pooled_min: dutch::format_count(u64::try_from(c.pooled_min_inclusive).unwrap_or(0)),
        incentive_min_share: percent(c.incentive_min_share_bp),
        cofinancing_share: percent(c.cofinancing_bp),
        incentive_per_project_year: plain_money(c.incentive_cents_per_project_year),
        advance_share: percent(c.advance_bp),
        continuation_share: percent(c.continuation_min_bp),
        review_days: c.review_days.to_string(),
        coverage_aim: show_coverage_aim(c.coverage_aim_numerator.zip(c.coverage_aim_denominator)),
        named_applicants: record
            .named
            .iter()
            .map(|n| n.nis_code.to_string())
            .collect::<Vec<_>>()
            .join(", "),
        notes: c.notes.clone().unwrap_or_default(),
        parameters_source: c.parameters_source.clone().unwrap_or_default(),
        years: record
            .years
            .iter()
            .map(|y| ProjectYearForm {
                starts_on: y.starts_on.format("%Y-%m-%d").to_string(),
                ends_on: y.ends_on.format("%Y-%m-%d").to_string(),
                envelope: plain_money(y.envelope_cents),
                interim_report_due: y.interim_report_due.format("%Y-%m-%d").to_string(),
                year_report_due: y.year_report_due.format("%Y-%m-%d").to_string(),
            })
            .collect(),
        actions: catalog
            .iter()
            .map(|a| {
                let chosen = record.actions.iter().find(|ca| ca.action_id == a.id);
                CallActionForm {
                    action_id: a.id,
                    code: a.code.clone(),
                    title: a.title.clone(),
                    selected: chosen.is_some(),
                    unit_cost: chosen
                        .map(|c| plain_money(c.unit_cost_cents))
                        .unwrap_or_default(),
                    max_reach: chosen.map(|c| c.max_reach.to_string()).unwrap_or_default(),
                    unit_label: chosen.map(|c| c.unit_label.clone()).unwrap_or_default(),
                }
            })
            .collect(),
    }
}

/// A new call's form: the plan's catalog, the usual parameters of the provisie filled in.
fn blank_form(plan_id: i64, catalog: &[action::Model]) -> CallForm {
    CallForm {
        plan_id: plan_id.to_string(),
        single_applicant_min: "7.500".into(),
        pooled_min: "7.500".into(),
        incentive_min_share: "15".into(),
        cofinancing_share: "50".into(),
        incentive_per_project_year: "10.000,00".into(),
        advance_share: "80".into(),
        continuation_share: "25".into(),
        review_days: "42".into(),
        coverage_aim: "2/3".into(),
        actions: catalog
            .iter()
            .map(|a| CallActionForm {
                action_id: a.id,
                code: a.code.clone(),
                title: a.title.clone(),
                ..Default::default()
            })
            .collect(),
        ..Default::default()
    }
}

/// The form as posted: named fields, `y{n}_…` per project year, `a{id}_…` per catalog action.
fn form_from_pairs(pairs: &[(String, String)], catalog: &[action::Model]) -> (CallForm, bool, i32) {
    let map: HashMap<&str, &str> = pairs
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let get = |name: &str| map.get(name).map(|v| (*v).to_owned()).unwrap_or_default();
    let years = (1..=MAX_YEARS)
        .map(|n| ProjectYearForm {
            starts_on: get(&format!("y{n}_starts_on")),
            ends_on: get(&format!("y{n}_ends_on")),
            envelope: get(&format!("y{n}_envelope")),
            interim_report_due: get(&format!("y{n}_interim_report_due")),
            year_report_due: get(&format!("y{n}_year_report_due")),
        })
        .collect();
    let actions = catalog
        .iter()
        .map(|a| CallActionForm {
            action_id: a.id,
            code: a.code.clone(),
            title: a.title.clone(),
            selected: map.contains_key(format!("a{}_selected", a.id).as_str()),
            unit_cost: get(&format!("a{}_unit_cost", a.id)),
            max_reach: get(&format!("a{}_max_reach", a.id)),
            unit_label: get(&format!("a{}_unit_label", a.id)),
        })
        .collect();
    let form = CallForm {
        code: get("code"),
        title: get("title"),
        plan_id: get("plan_id"),
        period_start: get("period_start"),
        period_end: get("period_end"),
        submission_opens: get("submission_opens"),
        submission_closes: get("submission_closes"),
        reference_year: get("reference_year"),
        single_applicant_min: get("single_applicant_min"),
        pooled_min: get("pooled_min"),
        incentive_min_share: get("incentive_min_share"),
        cofinancing_share: get("cofinancing_share"),
        incentive_per_project_year: get("incentive_per_project_year"),
        advance_share: get("advance_share"),
        continuation_share: get("continuation_share"),
        review_days: get("review_days"),
        coverage_aim: get("coverage_aim"),
        named_applicants: get("named_applicants"),
        notes: get("notes"),
        parameters_source: get("parameters_source"),
        years,
        actions,
    };
    let fictitious = map.contains_key("parameters_fictitious");
    let version = get("version").trim().parse().unwrap_or(-1);
    (form, fictitious, version)
}

#[allow(clippy::too_many_arguments)]
async fn form_page(
    state: &AppState,
    ctx: &PageContext,
    call_id: Option<i64>,
    version: i32,
    mut form: CallForm,
    fictitious: bool,
    errors: FormErrors,
    locked: bool,
) -> Result<Html<String>, AppError> {
    let plans = call_admin::plans(&state.db).await?;
    let plan_id: i64 = form.plan_id.trim().parse().unwrap_or(0);
    let plan_title = plans
        .iter()
        .find(|p| p.id == plan_id)
        .map(|p| p.title.clone())
        .unwrap_or_default();
    // Trailing empty rows are trimmed, then spare ones added.
    while form.years.last().is_some_and(|y| {
        [
            &y.starts_on,
            &y.ends_on,
            &y.envelope,
            &y.interim_report_due,
            &y.year_report_due,
        ]
        .iter()
        .all(|v| v.trim().is_empty())
    }) {
        form.years.pop();
    }
    let wanted = (form.years.len() + SPARE_YEARS).min(MAX_YEARS);
    while form.years.len() < wanted {
        form.years.push(ProjectYearForm::default());
    }
    let years = form
        .years
        .iter()
        .enumerate()
        .map(|(i, y)| {
            let n = i + 1;
            let cell = |name: &str, label: &str, kind: &'static str, value: &str| YearCell {
                id: format!("y{n}_{name}"),
                label: format!("{label} projectjaar {n}"),
                kind,
                value: value.to_owned(),
            };
            YearRow {
                n,
                cells: vec![
                    cell("starts_on", "Eerste dag", "date", &y.starts_on),
                    cell("ends_on", "Laatste dag", "date", &y.ends_on),
                    cell("envelope", "Enveloppe", "text", &y.envelope),
                    cell(
                        "interim_report_due",
                        "Tussentijds rapport tegen",
                        "date",
                        &y.interim_report_due,
                    ),
                    cell(
                        "year_report_due",
                        "Jaarrapport tegen",
                        "date",
                        &y.year_report_due,
                    ),
                ],
            }
        })
        .collect();
    let actions = form
        .actions
        .iter()
        .map(|a| ActionRow {
            code: a.code.clone(),
            title: a.title.clone(),
            selected: a.selected,
            sel: format!("a{}_selected", a.action_id),
            cost: format!("a{}_unit_cost", a.action_id),
            reach: format!("a{}_max_reach", a.action_id),
            unit: format!("a{}_unit_label", a.action_id),
            unit_cost: a.unit_cost.clone(),
            max_reach: a.max_reach.clone(),
            unit_label: a.unit_label.clone(),
        })
        .collect();
    let title = match call_id {
        Some(_) => format!("Oproep {} bewerken", form.code),
        None => "Nieuwe oproep".to_owned(),
    };
    render(&CallFormPage {
        layout: ctx.layout(title),
        errors,
        is_new: call_id.is_none(),
        call_id: call_id.unwrap_or(0),
        version,
        plans: plans
            .iter()
            .map(|p| Choice {
                value: p.id.to_string(),
                label: p.title.clone(),
                selected: p.id == plan_id,
            })
            .collect(),
        plan_title,
        form,
        fictitious,
        years,
        actions,
        locked,
    })
}

#[derive(Debug, Deserialize, Default)]
pub struct NewQuery {
    #[serde(default)]
    pub plan: Option<String>,
}

async fn new_page(
    State(state): State<AppState>,
    ctx: PageContext,
    Query(query): Query<NewQuery>,
) -> Result<Html<String>, AppError> {
    let plans = call_admin::plans(&state.db).await?;
    let plan_id = query
        .plan
        .and_then(|p| p.trim().parse::<i64>().ok())
        .filter(|id| plans.iter().any(|p| p.id == *id))
        .or_else(|| plans.last().map(|p| p.id))
        .unwrap_or(0);
    let catalog = call_admin::catalog(&state.db, plan_id).await?;
    form_page(
        &state,
        &ctx,
        None,
        0,
        blank_form(plan_id, &catalog),
        false,
        FormErrors::default(),
        false,
    )
    .await
}

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

fn write_problem(err: WriteError) -> Result<FieldProblem, AppError> {
    match err {
        WriteError::Field { field, message } => Ok(FieldProblem { field, message }),
        WriteError::Conflict => Ok(FieldProblem {
            field: "code".into(),
            message: "Iemand anders bewaarde deze oproep intussen. Uw invoer staat hieronder en is nog niet bewaard: open de oproep opnieuw in een ander tabblad, vergelijk en bewaar opnieuw.".into(),
        }),
        WriteError::Db(e) => Err(e.into()),
    }
}

async fn create(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ctx: PageContext,
    RawForm(raw): RawForm,
) -> Result<Response, AppError> {
    let pairs = form_urlencoded_pairs(&raw);
    let plan_id: i64 = pairs
        .iter()
        .find(|(k, _)| k == "plan_id")
        .and_then(|(_, v)| v.trim().parse().ok())
        .unwrap_or(0);
    let catalog = call_admin::catalog(&state.db, plan_id).await?;
    let (form, fictitious, _) = form_from_pairs(&pairs, &catalog);
    let context = DraftContext {
        plan_ids: call_admin::plans(&state.db)
            .await?
            .iter()
            .map(|p| p.id)
            .collect(),
        stored_moments: None,
    };
    let draft = match CallDraft::parse(&form, &context) {
        Ok(d) => d,
        Err(problems) => {
            let page = form_page(
                &state,
                &ctx,
                None,
                0,
                form,
                fictitious,
                problems_to_errors(problems),
                false,
            )
            .await?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    let now = Utc::now();
    let txn = crate::db::begin_write(&state.db).await?;
    let created = match call_admin::create(&txn, draft.spec(), fictitious, now).await {
        Ok(c) => c,
        Err(err) => {
            let problem = write_problem(err)?;
            drop(txn);
            let page = form_page(
                &state,
                &ctx,
                None,
                0,
                form,
                fictitious,
                problems_to_errors(vec![problem]),
                false,
            )
            .await?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    audit::record(
        &txn,
        AuditEntry::new("call.created", "call", Some(created.id.to_string()))
            .by(Some(user.user.id), user.label())
            .from_ip(ctx.ip.clone())
            .after(audit_json(draft.spec(), fictitious)),
    )
    .await?;
    txn.commit().await?;
    Ok(redirect_with_flash(
        &format!("/beheer/oproepen/{}", created.id),
        &format!(
            "Oproep {} aangemaakt (in voorbereiding). Open ze wanneer ze klaar is.",
            created.code
        ),
        state.config.secure_cookies(),
    ))
}

async fn load(state: &AppState, id: &str) -> Result<(CallRecord, Vec<action::Model>), AppError> {
    let id = parse_id(id)?;
    let record = call_admin::record(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let catalog = call_admin::catalog(&state.db, record.call.plan_id).await?;
    Ok((record, catalog))
}

async fn edit_page(
    State(state): State<AppState>,
    ctx: PageContext,
    Path(id): Path<String>,
) -> Result<Html<String>, AppError> {
    let (record, catalog) = load(&state, &id).await?;
    let locked = call_admin::has_submissions(&state.db, record.call.id).await?;
    form_page(
        &state,
        &ctx,
        Some(record.call.id),
        record.call.version,
        form_of(&record, &catalog),
        record.call.parameters_fictitious,
        FormErrors::default(),
        locked,
    )
    .await
}

async fn update(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ctx: PageContext,
    Path(id): Path<String>,
    RawForm(raw): RawForm,
) -> Result<Response, AppError> {
    let (record, catalog) = load(&state, &id).await?;
    let call_id = record.call.id;
    let pairs = form_urlencoded_pairs(&raw);
    let (mut form, fictitious, version) = form_from_pairs(&pairs, &catalog);
    // The plan of a call does not change: its catalog is what the dossiers chose from.
    form.plan_id = record.call.plan_id.to_string();
    let locked = call_admin::has_submissions(&state.db, call_id).await?;
    let context = DraftContext {
        plan_ids: vec![record.call.plan_id],
        stored_moments: Some((
            record.call.submission_opens_at,
            record.call.submission_closes_at,
        )),
    };
    let before = call_admin::spec_of(&record, &catalog)?;
    let mut problems = match CallDraft::parse(&form, &context) {
        Ok(draft) => {
            let used = call_admin::used_action_ids(&state.db, call_id).await?;
            let p = call_draft::locked_changes(&before, draft.spec(), locked, &used);
            if p.is_empty() {
                let now = Utc::now();
                let txn = crate::db::begin_write(&state.db).await?;
                match call_admin::update(&txn, call_id, version, draft.spec(), fictitious, now)
                    .await
                {
                    Ok(()) => {
                        audit::record(
                            &txn,
                            AuditEntry::new("call.updated", "call", Some(call_id.to_string()))
                                .by(Some(user.user.id), user.label())
                                .from_ip(ctx.ip.clone())
                                .before(audit_json(&before, record.call.parameters_fictitious))
                                .after(audit_json(draft.spec(), fictitious)),
                        )
                        .await?;
                        txn.commit().await?;
                        return Ok(redirect_with_flash(
                            &format!("/beheer/oproepen/{call_id}"),
                            "De oproep is bewaard. De regels gelden meteen voor de controles en beslissingen.",
                            state.config.secure_cookies(),
                        ));
                    }
                    Err(err) => vec![write_problem(err)?],
                }
            } else {
                p
            }
        }
        Err(p) => p,
    };
    problems.dedup();
    let page = form_page(
        &state,
        &ctx,
        Some(call_id),
        version,
        form,
        fictitious,
        problems_to_errors(problems),
        locked,
    )
    .await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

// ------------------------------------------------------------------ show and operations

pub struct YearLine {
    pub number: i32,
    pub period: String,
    pub envelope: String,
    pub interim_due: String,
    pub year_due: String,
}

pub struct ActionLine {
    pub code: String,
    pub title: String,
    pub unit_cost: String,
    pub max_reach: i32,
    pub unit_label: String,
}

pub struct DossierChoice {
    pub id: i64,
    pub label: String,
}

/// What was typed into an operation's form that came back with an error.
#[derive(Debug, Clone, Default)]
pub struct OpInput {
    pub op: String,
    pub reason: String,
    pub moment: String,
    pub application_id: String,
}

#[derive(Template)]
#[template(path = "admin/call_show.html")]
pub struct CallShowPage {
    pub layout: Layout,
    pub errors: FormErrors,
    pub input: OpInput,
    pub id: i64,
    pub version: i32,
    pub code: String,
    pub title: String,
    pub plan: String,
    pub state_label: &'static str,
    pub is_open: bool,
    pub fictitious: bool,
    pub parameters_source: String,
    pub notes: String,
    pub period: String,
    pub opens: String,
    pub closes: String,
    pub closes_input: String,
    pub reference_year: i32,
    pub single_min: String,
    pub pooled_min: String,
    pub incentive_share: String,
    pub cofinancing: String,
    pub incentive: String,
    pub advance: String,
    pub continuation: String,
    pub review_days: i32,
    pub coverage_aim: String,
    pub named: String,
    pub years: Vec<YearLine>,
    pub actions: Vec<ActionLine>,
    pub locked: bool,
    pub dossier_count: usize,
    pub late_choices: Vec<DossierChoice>,
    pub return_choices: Vec<DossierChoice>,
}

async fn show_page(
    state: &AppState,
    ctx: &PageContext,
    id: &str,
    errors: FormErrors,
    input: OpInput,
) -> Result<Html<String>, AppError> {
    let (record, catalog) = load(state, id).await?;
    let c = &record.call;
    let locked = call_admin::has_submissions(&state.db, c.id).await?;
    let dossiers = call_admin::dossiers_of_call(&state.db, c.id).await?;
    let label = |a: &entity::application::Model, lead: &str| {
        format!(
            "{} — {} ({}){}",
            a.reference,
            lead,
            crate::web::dossiers::state_label(a.state),
            a.late_submission_until
                .map(|u| format!(", mag laattijdig indienen tot {}", show_moment(u)))
                .unwrap_or_default()
        )
    };
    let late_choices = dossiers
        .iter()
        .filter(|(a, _)| a.state == ApplicationState::Draft)
        .map(|(a, lead)| DossierChoice {
            id: a.id,
            label: label(a, lead),
        })
        .collect();
    let return_choices = dossiers
        .iter()
        .filter(|(a, _)| {
            workflow::available(
                crate::domain::workflow::DossierState::from(a.state),
                Party::Admin,
            )
            .contains(&Transition::ReturnToApplicant)
        })
        .map(|(a, lead)| DossierChoice {
            id: a.id,
            label: label(a, lead),
        })
        .collect();
    let bp_text = |v: i32| format!("{}%", percent(v));
    render(&CallShowPage {
        layout: ctx.layout(format!("Oproep {}", c.code)),
        errors,
        input,
        id: c.id,
        version: c.version,
        code: c.code.clone(),
        title: c.title.clone(),
        plan: record.plan.title.clone(),
        state_label: call_state_label(c.state),
        is_open: c.state == CallState::Open,
        fictitious: c.parameters_fictitious,
        parameters_source: c.parameters_source.clone().unwrap_or_default(),
        notes: c.notes.clone().unwrap_or_default(),
        period: format!(
            "{} tot en met {}",
            c.period_start.format("%d-%m-%Y"),
            c.period_end.format("%d-%m-%Y")
        ),
        opens: show_moment(c.submission_opens_at),
        closes: show_moment(c.submission_closes_at),
        closes_input: show_moment_input(c.submission_closes_at),
        reference_year: c.reference_year,
        single_min: format!(
            "meer dan {}",
            dutch::format_count(u64::try_from(c.single_applicant_min_exclusive).unwrap_or(0))
        ),
        pooled_min: format!(
            "minstens {}",
            dutch::format_count(u64::try_from(c.pooled_min_inclusive).unwrap_or(0))
        ),
        incentive_share: bp_text(c.incentive_min_share_bp),
        cofinancing: bp_text(c.cofinancing_bp),
        incentive: money(c.incentive_cents_per_project_year),
        advance: bp_text(c.advance_bp),
        continuation: bp_text(c.continuation_min_bp),
        review_days: c.review_days,
        coverage_aim: show_coverage_aim(c.coverage_aim_numerator.zip(c.coverage_aim_denominator)),
        named: record
            .named
            .iter()
            .map(|n| format!("{} ({})", n.name, n.nis_code))
            .collect::<Vec<_>>()
            .join(", "),
        years: record
            .years
            .iter()
            .map(|y| YearLine {
                number: y.year_number,
                period: format!(
                    "{} tot en met {}",
                    y.starts_on.format("%d-%m-%Y"),
                    y.ends_on.format("%d-%m-%Y")
                ),
                envelope: money(y.envelope_cents),
                interim_due: y.interim_report_due.format("%d-%m-%Y").to_string(),
                year_due: y.year_report_due.format("%d-%m-%Y").to_string(),
            })
            .collect(),
        actions: catalog
            .iter()
            .filter_map(|a| {
                let ca = record.actions.iter().find(|ca| ca.action_id == a.id)?;
                Some(ActionLine {
                    code: a.code.clone(),
                    title: a.title.clone(),
                    unit_cost: money(ca.unit_cost_cents),
                    max_reach: ca.max_reach,
                    unit_label: ca.unit_label.clone(),
                })
            })
            .collect(),
        locked,
        dossier_count: dossiers.len(),
        late_choices,
        return_choices,
    })
}

async fn show(
    State(state): State<AppState>,
    ctx: PageContext,
    Path(id): Path<String>,
) -> Result<Html<String>, AppError> {
    show_page(&state, &ctx, &id, FormErrors::default(), OpInput::default()).await
}

#[derive(Debug, Deserialize, Default)]
pub struct OpForm {
    #[serde(default)]
    pub reason: String,
    #[serde(default)]
    pub version: String,
    #[serde(default)]
    pub moment: String,
    #[serde(default)]
    pub application_id: String,
}

async fn refused(
    state: &AppState,
    ctx: &PageContext,
    id: &str,
    op: &str,
    form: &OpForm,
    problems: Vec<FieldProblem>,
) -> Result<Response, AppError> {
    // Field ids are per operation so two forms on one page never share an id.
    let errors = problems_to_errors(
        problems
            .into_iter()
            .map(|p| FieldProblem {
                field: format!("{op}_{}", p.field),
                message: p.message,
            })
            .collect(),
    );
    let page = show_page(
        state,
        ctx,
        id,
        errors,
        OpInput {
            op: op.to_owned(),
            reason: form.reason.clone(),
            moment: form.moment.clone(),
            application_id: form.application_id.clone(),
        },
    )
    .await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

fn problem(field: &str, message: impl Into<String>) -> FieldProblem {
    FieldProblem {
        field: field.to_owned(),
        message: message.into(),
    }
}

const CONFLICT: &str =
    "Iemand anders wijzigde de oproep intussen. Bekijk de pagina opnieuw en probeer het nog eens.";

async fn enqueue_all<C: ConnectionTrait>(
    txn: &C,
    to: Vec<String>,
    subject: &str,
    body: &str,
    related: (&str, String),
) -> Result<(), DbErr> {
    for address in to {
        mail::enqueue(
            txn,
            OutgoingMail {
                to: address,
                subject: format!("Samenleven: {subject}"),
                body_text: format!(
                    "Beste,\n\n{body}\n\nMet vriendelijke groeten,\nAgentschap Binnenlands Bestuur — Samenleven\n"
                ),
                related: Some((related.0.to_owned(), related.1.clone())),
            },
        )
        .await?;
    }
    Ok(())
}

/// Open, close and extend: change the call's state and/or deadline, audit, mail.
async fn call_operation(
    state: AppState,
    user: SessionUser,
    ctx: PageContext,
    id: String,
    form: OpForm,
    op: &'static str,
) -> Result<Response, AppError> {
    let (record, _) = load(&state, &id).await?;
    let c = &record.call;
    let now = Utc::now();
    let reason = match call_draft::check_reason(&form.reason) {
        Ok(r) => r,
        Err(p) => return refused(&state, &ctx, &id, op, &form, vec![p]).await,
    };
    let status = call_admin::status(c.state);
    let (new_state, new_closes, action, text) = match op {
        "openen" => {
            if let Err(m) = call_draft::check_open(status, c.submission_closes_at, now) {
                return refused(&state, &ctx, &id, op, &form, vec![problem("reason", m)]).await;
            }
            (
                CallState::Open,
                c.submission_closes_at,
                "call.opened",
                format!(
                    "De oproep {} is open voor indiening tot {} (Brusselse tijd).",
                    c.title,
                    show_moment(c.submission_closes_at)
                ),
            )
        }
        "sluiten" => {
            if let Err(m) = call_draft::check_close(status) {
                return refused(&state, &ctx, &id, op, &form, vec![problem("reason", m)]).await;
            }
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
        _ => {
            let new = match call_draft::check_new_deadline(
                &form.moment,
                c.submission_closes_at,
                now,
                "moment",
            ) {
                Ok(n) => n,
                Err(p) => return refused(&state, &ctx, &id, op, &form, vec![p]).await,
            };
            (
                c.state,
                new,
                "call.deadline_extended",
                format!(
                    "De indieningstermijn van de oproep {} is verlengd tot {} (Brusselse tijd).",
                    c.title,
                    show_moment(new)
                ),
            )
        }
    };
    let version: i32 = form.version.trim().parse().unwrap_or(-1);
    let txn = crate::db::begin_write(&state.db).await?;
    match call_admin::set_state_and_deadline(&txn, c.id, version, new_state, new_closes, now).await
    {
        Ok(()) => {}
        Err(WriteError::Db(e)) => return Err(e.into()),
        Err(_) => {
            drop(txn);
            return refused(
                &state,
                &ctx,
                &id,
                op,
                &form,
                vec![problem("reason", CONFLICT)],
            )
            .await;
        }
    }
    audit::record(
        &txn,
        AuditEntry::new(action, "call", Some(c.id.to_string()))
            .by(Some(user.user.id), user.label())
            .from_ip(ctx.ip.clone())
            .before(serde_json::json!({"state": c.state, "submission_closes_at": c.submission_closes_at}))
            .after(serde_json::json!({"state": new_state, "submission_closes_at": new_closes}))
            .details(reason.clone()),
    )
    .await?;
    let to = call_admin::call_recipients(&txn, c.id).await?;
    enqueue_all(
        &txn,
        to,
        &format!("oproep {}", c.title),
        &format!("{text}\n\nReden: {reason}"),
        ("call", c.id.to_string()),
    )
    .await?;
    txn.commit().await?;
    state.mail_wakeup.notify_one();
    Ok(redirect_with_flash(
        &format!("/beheer/oproepen/{}", c.id),
        &text,
        state.config.secure_cookies(),
    ))
}

async fn open(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ctx: PageContext,
    Path(id): Path<String>,
    Form(form): Form<OpForm>,
) -> Result<Response, AppError> {
    call_operation(state, user, ctx, id, form, "openen").await
}

async fn close(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ctx: PageContext,
    Path(id): Path<String>,
    Form(form): Form<OpForm>,
) -> Result<Response, AppError> {
    call_operation(state, user, ctx, id, form, "sluiten").await
}

async fn extend(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ctx: PageContext,
    Path(id): Path<String>,
    Form(form): Form<OpForm>,
) -> Result<Response, AppError> {
    call_operation(state, user, ctx, id, form, "verlengen").await
}

/// The dossier chosen in an operation's form, if it belongs to the call.
async fn chosen_dossier(
    state: &AppState,
    call_id: i64,
    form: &OpForm,
) -> Result<Option<entity::application::Model>, AppError> {
    let Ok(app_id) = form.application_id.trim().parse::<i64>() else {
        return Ok(None);
    };
    Ok(entity::application::Entity::find_by_id(app_id)
        .filter(entity::application::Column::CallId.eq(call_id))
        .one(&state.db)
        .await?)
}

async fn late_submission(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ctx: PageContext,
    Path(id): Path<String>,
    Form(form): Form<OpForm>,
) -> Result<Response, AppError> {
    let op = "laattijdig";
    let (record, _) = load(&state, &id).await?;
    let c = &record.call;
    let now = Utc::now();
    let mut problems = Vec::new();
    let reason = call_draft::check_reason(&form.reason)
        .map_err(|p| problems.push(p))
        .ok();
    let until = call_draft::parse_brussels_moment(&form.moment)
        .map_err(|m| problem("moment", m))
        .and_then(|u| call_draft::check_late_until(u, now, "moment"))
        .map_err(|p| problems.push(p))
        .ok();
    let app = chosen_dossier(&state, c.id, &form).await?;
    match &app {
        None => problems.push(problem(
            "application_id",
            "Kies een dossier van deze oproep.",
        )),
        Some(a) if a.state != ApplicationState::Draft => problems.push(problem(
            "application_id",
            "Alleen een dossier in ontwerp kan laattijdig ingediend worden.",
        )),
        Some(_) => {}
    }
    let (Some(reason), Some(until), Some(app), true) = (reason, until, app, problems.is_empty())
    else {
        return refused(&state, &ctx, &id, op, &form, problems).await;
    };
    let txn = crate::db::begin_write(&state.db).await?;
    match call_admin::set_late_submission(&txn, app.id, app.version, until, now).await {
        Ok(()) => {}
        Err(WriteError::Db(e)) => return Err(e.into()),
        Err(_) => {
            drop(txn);
            return refused(
                &state,
                &ctx,
                &id,
                op,
                &form,
                vec![problem(
                    "application_id",
                    "Het dossier veranderde intussen. Probeer opnieuw.",
                )],
            )
            .await;
        }
    }
    audit::record(
        &txn,
        AuditEntry::new("application.late_submission_allowed", "application", Some(app.id.to_string()))
            .by(Some(user.user.id), user.label())
            .from_ip(ctx.ip.clone())
            .before(serde_json::json!({"late_submission_until": app.late_submission_until, "call_closes_at": c.submission_closes_at}))
            .after(serde_json::json!({"late_submission_until": until}))
            .details(reason.clone()),
    )
    .await?;
    let text = format!(
        "ABB laat dossier {} (\"{}\") van de oproep {} laattijdig indienen, tot {} (Brusselse tijd).",
        app.reference,
        app.title,
        c.title,
        show_moment(until)
    );
    let to = call_admin::dossier_recipients(&txn, &app).await?;
    enqueue_all(
        &txn,
        to,
        &format!("laattijdig indienen ({})", app.reference),
        &format!(
            "{text}\n\nReden: {reason}\n\n{}/dossiers/{}",
            state.config.public_url, app.id
        ),
        ("application", app.id.to_string()),
    )
    .await?;
    txn.commit().await?;
    state.mail_wakeup.notify_one();
    Ok(redirect_with_flash(
        &format!("/beheer/oproepen/{}", c.id),
        &text,
        state.config.secure_cookies(),
    ))
}

async fn give_back(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ctx: PageContext,
    Path(id): Path<String>,
    Form(form): Form<OpForm>,
) -> Result<Response, AppError> {
    let op = "teruggeven";
    let (record, _) = load(&state, &id).await?;
    let c = &record.call;
    let now = Utc::now();
    let mut problems = Vec::new();
    let reason = call_draft::check_reason(&form.reason)
        .map_err(|p| problems.push(p))
        .ok();
    let app = chosen_dossier(&state, c.id, &form).await?;
    let next = match &app {
        None => {
            problems.push(problem(
                "application_id",
                "Kies een dossier van deze oproep.",
            ));
            None
        }
        Some(a) => match workflow::next(
            crate::domain::workflow::DossierState::from(a.state),
            Transition::ReturnToApplicant,
            Party::Admin,
        ) {
            Ok(n) => Some(n),
            Err(e) => {
                // The dossier's state does not allow it: a conflict, shown on the page.
                let page = refused(
                    &state,
                    &ctx,
                    &id,
                    op,
                    &form,
                    vec![problem("application_id", e.to_string())],
                )
                .await?;
                let (_, body) = page.into_parts();
                return Ok((StatusCode::CONFLICT, body).into_response());
            }
        },
    };
    let (Some(reason), Some(app), Some(next), true) = (reason, app, next, problems.is_empty())
    else {
        return refused(&state, &ctx, &id, op, &form, problems).await;
    };
    let to_state = ApplicationState::from(next);
    let txn = crate::db::begin_write(&state.db).await?;
    match call_admin::move_dossier(&txn, app.id, app.state, to_state, now).await {
        Ok(()) => {}
        Err(WriteError::Db(e)) => return Err(e.into()),
        Err(_) => {
            drop(txn);
            return refused(
                &state,
                &ctx,
                &id,
                op,
                &form,
                vec![problem(
                    "application_id",
                    "Het dossier veranderde intussen van status. Probeer opnieuw.",
                )],
            )
            .await;
        }
    }
    // A decision given back no longer stands; the letter says it was reopened, and what it
    // scheduled and was not paid is cancelled (the next decision schedules anew).
    crate::store::decisions::lapse(&txn, app.id, Some(user.user.id), &reason, now).await?;
    crate::store::followup::cancel_unpaid(
        &txn,
        app.id,
        &crate::app::review::lapsed_payment_reason(now, &reason),
        &crate::store::followup::By::of(&user, ctx.ip.clone()),
    )
    .await?;
    if to_state == ApplicationState::ChangesRequested {
        // Every section opens again, with the reason as ABB's message.
        let sections: Vec<&str> = crate::web::review::SECTIONS
            .iter()
            .map(|(c, _)| *c)
            .collect();
        change_request::ActiveModel {
            application_id: Set(app.id),
            requested_by: Set(user.user.id),
            sections: Set(serde_json::to_string(&sections).unwrap_or_default()),
            message: Set(reason.clone()),
            requested_at: Set(now),
            resolved_at: Set(None),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
    }
    audit::record(
        &txn,
        AuditEntry::new(
            &format!("application.{}", Transition::ReturnToApplicant.code()),
            "application",
            Some(app.id.to_string()),
        )
        .by(Some(user.user.id), user.label())
        .from_ip(ctx.ip.clone())
        .before(serde_json::json!({"state": app.state}))
        .after(serde_json::json!({"state": to_state, "call": c.code}))
        .details(reason.clone()),
    )
    .await?;
    let text = format!(
        "ABB geeft dossier {} (\"{}\") terug aan de aanvrager: het staat weer op \"{}\" en kan aangepast en opnieuw ingediend worden.",
        app.reference,
        app.title,
        next.label()
    );
    let to = call_admin::dossier_recipients(&txn, &app).await?;
    enqueue_all(
        &txn,
        to,
        &format!("dossier teruggegeven ({})", app.reference),
        &format!(
            "{text}\n\nReden: {reason}\n\n{}/dossiers/{}",
            state.config.public_url, app.id
        ),
        ("application", app.id.to_string()),
    )
    .await?;
    txn.commit().await?;
    state.mail_wakeup.notify_one();
    Ok(redirect_with_flash(
        &format!("/beheer/oproepen/{}", c.id),
        &text,
        state.config.secure_cookies(),
    ))
}
