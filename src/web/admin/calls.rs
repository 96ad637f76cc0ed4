//! Call administration (admins, `/beheer/oproepen`): the list of calls with exports, creating and
//! editing a call from a form (parsed by `domain::call_draft` into a valid call, errors on their
//! fields with every typed value kept, concurrent edits detected through `version`), and the
//! operations, each with a required reason, audited and mailed to the people concerned: open,
//! close, extend the deadline, let one dossier submit late, give a decided or withdrawn dossier
//! back to its applicant. A call with submitted dossiers keeps the rules they were checked
//! against (see [`crate::domain::call_draft::locked_changes`]).

use std::collections::HashMap;

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Deserialize;

use entity::action;
use entity::application::ApplicationState;
use entity::call::CallState;

use crate::app::calls::{CallInput, Operation, OperationInput};
use crate::app::{self, Caller};
use crate::auth::csrf::form_urlencoded_pairs;
use crate::domain::call_draft::{
    CallActionForm, CallForm, ProjectYearForm, show_coverage_aim, show_moment, show_moment_input,
};
use crate::domain::workflow::{self, Party, Transition};
use crate::domain::{BasisPoints, Cents, dutch};
use crate::error::AppError;
use crate::export::{self, Cell, Kind, Table};
use crate::state::AppState;
use crate::store::call_admin::{self, CallRecord};
use crate::store::calls;
use crate::web::RouteTable;
use crate::web::context::PageContext;
use crate::web::extract::{FlashRedirect, Id};
use crate::web::filters;
use crate::web::form::{FieldError, FormErrors};
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
        .post("/beheer/oproepen/{id}/ronde", ADMINS, set_round)
        .post("/beheer/oproepen/{id}/bedrag", ADMINS, set_unit_amount)
}

/// How many empty project-year rows the form offers beyond the existing ones.
const SPARE_YEARS: usize = 2;
/// The most project years a call has.
const MAX_YEARS: usize = 10;

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

// ------------------------------------------------------------------ list

pub struct CallRow {
    pub id: i64,
    pub code: String,
    pub title: String,
    pub plan: String,
    pub state_label: &'static str,
    pub opens: DateTime<Utc>,
    /// The opening is assumed, not published.
    pub opens_illustrative: bool,
    pub closes: DateTime<Utc>,
    pub years: usize,
    pub envelope: i64,
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
            opens: s.call.submission_opens_at,
            opens_illustrative: s.call.submission_opens_illustrative,
            closes: s.call.submission_closes_at,
            years: s.project_years.len(),
            envelope: s.total_envelope_cents(),
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
    /// The error summary: each message once, naming its field ([`summary_of`]).
    pub summary: Vec<FieldError>,
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

// Longer than 50 lines: maps every parameter, project year and catalog action of a stored call
// to its form field one by one.
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
        four_eyes_threshold: plain_money(c.four_eyes_threshold_cents),
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
                let chosen = record
                    .actions
                    .iter()
                    .find(|ca| ca.action_id == a.id && ca.line_number <= 1);
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
        four_eyes_threshold: "0,00".into(),
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

// Longer than 50 lines: reads every posted field of the call form (the named ones, each project
// year's and each catalog action's) one by one.
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
        four_eyes_threshold: get("four_eyes_threshold"),
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

/// The project-year rows of the form: trailing empty rows trimmed, then spare ones added.
fn pad_years(years: &mut Vec<ProjectYearForm>) {
    while years.last().is_some_and(|y| {
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
        years.pop();
    }
    let wanted = (years.len() + SPARE_YEARS).min(MAX_YEARS);
    while years.len() < wanted {
        years.push(ProjectYearForm::default());
    }
}

/// The form's cells per project year.
fn year_rows(years: &[ProjectYearForm]) -> Vec<YearRow> {
    years
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
        .collect()
}

/// The form's row per catalog action.
fn action_rows(actions: &[CallActionForm]) -> Vec<ActionRow> {
    actions
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
        .collect()
}

// Longer than 50 lines: one short label per field of the call form, the project-year and
// catalog-action fields by their pattern.
/// The label the error summary names a field of the call form by (`field` is the input's id).
fn field_label(field: &str, actions: &[CallActionForm]) -> String {
    let named = match field {
        "code" => "Code",
        "title" => "Titel",
        "plan_id" => "Beleidsplan",
        "period_start" => "Eerste dag van de oproepperiode",
        "period_end" => "Laatste dag van de oproepperiode",
        "submission_opens" => "Indienen kan vanaf",
        "submission_closes" => "Deadline voor indienen",
        "reference_year" => "Referentiejaar",
        "single_applicant_min" => "Drempel om zelfstandig in te dienen",
        "pooled_min" => "Drempel voor een samenwerking",
        "incentive_min_share" => "Minimumaandeel voor de incentive",
        "incentive_per_project_year" => "Incentive per projectjaar",
        "cofinancing_share" => "Cofinanciering",
        "advance_share" => "Voorschot",
        "continuation_share" => "Voortzetting",
        "review_days" => "Beoordelingstermijn",
        "four_eyes_threshold" => "Vier ogen",
        "coverage_aim" => "Bereiksdoel",
        "named_applicants" => "Bij naam genoemde indieners",
        "notes" => "Toelichting",
        "parameters_source" => "Bron van de parameters",
        "actions" => "Acties",
        _ => "",
    };
    if !named.is_empty() {
        return named.to_owned();
    }
    if let Some((n, name)) = field
        .strip_prefix('y')
        .and_then(|rest| rest.split_once('_'))
        .filter(|(n, _)| n.parse::<usize>().is_ok())
    {
        let what = match name {
            "starts_on" => "Eerste dag",
            "ends_on" => "Laatste dag",
            "envelope" => "Enveloppe",
            "interim_report_due" => "Tussentijds rapport",
            "year_report_due" => "Jaarrapport",
            _ => "Gegevens",
        };
        return format!("{what} projectjaar {n}");
    }
    if let Some((id, name)) = field
        .strip_prefix('a')
        .and_then(|rest| rest.split_once('_'))
        .and_then(|(id, name)| Some((id.parse::<i64>().ok()?, name)))
    {
        let code = actions
            .iter()
            .find(|a| a.action_id == id)
            .map(|a| a.code.as_str())
            .unwrap_or_default();
        let what = match name {
            "unit_cost" => "Eenheidskost",
            "max_reach" => "Maximaal bereik",
            "unit_label" => "Eenheid",
            _ => "Keuze",
        };
        return format!("{what} actie {code}");
    }
    field.to_owned()
}

/// The error summary of the call form: every message once, prefixed with the label of its
/// field ("Titel: vul dit veld in."), linked to the field by its id.
fn summary_of(errors: &FormErrors, actions: &[CallActionForm]) -> Vec<FieldError> {
    let mut seen = std::collections::HashSet::new();
    errors
        .items
        .iter()
        .filter_map(|e| {
            let message = format!(
                "{}: {}",
                field_label(&e.field, actions),
                lower_first(&e.message)
            );
            seen.insert(message.clone()).then(|| FieldError {
                field: e.field.clone(),
                message,
            })
        })
        .collect()
}

/// `text` with its first letter in lower case, unless it starts an abbreviation ("NIS-code").
fn lower_first(text: &str) -> String {
    let mut chars = text.chars();
    match (chars.next(), chars.next()) {
        (Some(first), Some(second)) if first.is_uppercase() && !second.is_uppercase() => {
            first.to_lowercase().chain(text.chars().skip(1)).collect()
        }
        _ => text.to_owned(),
    }
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
    pad_years(&mut form.years);
    let years = year_rows(&form.years);
    let actions = action_rows(&form.actions);
    let title = match call_id {
        Some(_) => format!("Oproep {} bewerken", form.code),
        None => "Nieuwe oproep".to_owned(),
    };
    render(&CallFormPage {
        layout: ctx.layout(title),
        summary: summary_of(&errors, &form.actions),
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

async fn create(
    State(state): State<AppState>,
    caller: Caller,
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
    let input = CallInput {
        form,
        fictitious,
        version: 0,
    };
    match app::calls::create(&state, &caller, input.clone()).await {
        Ok(created) => Ok(FlashRedirect::new(
            format!("/beheer/oproepen/{}", created.id),
            format!(
                "Oproep {} aangemaakt (in voorbereiding). Open ze wanneer ze klaar is.",
                created.code
            ),
        )
        .into_response()),
        Err(app::Error::Invalid(errors)) => {
            let page =
                form_page(&state, &ctx, None, 0, input.form, fictitious, errors, false).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(other) => Err(other.into()),
    }
}

async fn load(state: &AppState, id: i64) -> Result<(CallRecord, Vec<action::Model>), AppError> {
    let record = call_admin::record(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let catalog = call_admin::catalog(&state.db, record.call.plan_id).await?;
    Ok((record, catalog))
}

async fn edit_page(
    State(state): State<AppState>,
    ctx: PageContext,
    Id(id): Id,
) -> Result<Html<String>, AppError> {
    let (record, catalog) = load(&state, id).await?;
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

/// The flash message after saving a call's form.
fn saved_message(updated: &app::calls::Updated) -> &'static str {
    if updated.envelopes_proposed.is_empty() {
        "De oproep is bewaard. De regels gelden meteen voor de controles en beslissingen."
    } else {
        "De oproep is bewaard. De nieuwe enveloppe wacht op bevestiging door een andere \
         beheerder (vier ogen); tot dan geldt de huidige."
    }
}

async fn update(
    State(state): State<AppState>,
    caller: Caller,
    ctx: PageContext,
    Id(id): Id,
    RawForm(raw): RawForm,
) -> Result<Response, AppError> {
    let (record, catalog) = load(&state, id).await?;
    let pairs = form_urlencoded_pairs(&raw);
    let (mut form, fictitious, version) = form_from_pairs(&pairs, &catalog);
    // The plan of a call does not change: its catalog is what the dossiers chose from.
    form.plan_id = record.call.plan_id.to_string();
    let input = CallInput {
        form,
        fictitious,
        version,
    };
    match app::calls::update(&state, &caller, id, input.clone()).await {
        Ok(updated) => Ok(FlashRedirect::new(
            format!("/beheer/oproepen/{id}"),
            saved_message(&updated),
        )
        .into_response()),
        Err(app::Error::Invalid(errors)) => {
            let locked = call_admin::has_submissions(&state.db, id).await?;
            let page = form_page(
                &state,
                &ctx,
                Some(id),
                version,
                input.form,
                fictitious,
                errors,
                locked,
            )
            .await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(other) => Err(other.into()),
    }
}

// ------------------------------------------------------------------ show and operations

pub struct YearLine {
    pub number: i32,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub envelope: i64,
    pub interim_due: NaiveDate,
    pub year_due: NaiveDate,
    /// The report dates were derived, not published.
    pub dues_illustrative: bool,
    /// The round's own submission window, as a Dutch phrase (yearly rounds); empty for a
    /// project year without one.
    pub round: String,
}

/// A reach line as the amount form and table show it.
pub struct AmountLine {
    pub id: i64,
    pub label: String,
    /// The line's own amount, and its changes from later project years on.
    pub unit_cost: i64,
    pub changes: Vec<(u16, i64)>,
}

pub struct ActionLine {
    pub code: String,
    pub title: String,
    pub unit_cost: i64,
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
    pub year: String,
    pub opens: String,
    pub line: String,
    pub amount: String,
}

#[derive(Template)]
#[template(path = "admin/call_show.html")]
pub struct CallShowPage {
    pub layout: Layout,
    /// Envelope changes waiting for a second admin (four eyes).
    pub pending_envelopes: Option<crate::web::four_eyes::PendingEnvelopes>,
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
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub opens: DateTime<Utc>,
    /// The opening is assumed, not published.
    pub opens_illustrative: bool,
    pub closes: DateTime<Utc>,
    /// The extend form's starting value (what the input holds).
    pub closes_input: String,
    pub reference_year: i32,
    pub single_min: i64,
    pub pooled_min: i64,
    /// Shares in basis points.
    pub incentive_share: i32,
    pub cofinancing: i32,
    pub incentive: i64,
    pub advance: i32,
    pub continuation: i32,
    pub review_days: i32,
    /// Above this amount a second person confirms (0: always).
    pub four_eyes_threshold: i64,
    pub coverage_aim: String,
    pub named: String,
    pub years: Vec<YearLine>,
    pub actions: Vec<ActionLine>,
    pub locked: bool,
    pub dossier_count: usize,
    pub late_choices: Vec<DossierChoice>,
    pub return_choices: Vec<DossierChoice>,
    /// The partner organisations' separate agreements the call's data attaches (read-only).
    pub agreements: Vec<crate::web::allocation::AttachedRow>,
    /// The call's reach lines with their amounts per project year (yearly rounds).
    pub amount_lines: Vec<AmountLine>,
    /// The project years after the first: those can have a round and amounts of their own.
    pub later_years: Vec<i32>,
}

/// What the call's page offers to do with its dossiers.
struct Operations {
    locked: bool,
    dossier_count: usize,
    late_choices: Vec<DossierChoice>,
    return_choices: Vec<DossierChoice>,
}

/// The call's drafts (which may be allowed a late submission) and the dossiers that can go back
/// to their applicant, labelled for the operations' lists.
fn dossier_choices(
    dossiers: &[(entity::application::Model, String)],
) -> (Vec<DossierChoice>, Vec<DossierChoice>) {
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
    (late_choices, return_choices)
}

/// The call with its operations.
async fn show_page(
    state: &AppState,
    ctx: &PageContext,
    id: i64,
    errors: FormErrors,
    input: OpInput,
) -> Result<Html<String>, AppError> {
    let (record, catalog) = load(state, id).await?;
    let locked = call_admin::has_submissions(&state.db, record.call.id).await?;
    let dossiers = call_admin::dossiers_of_call(&state.db, record.call.id).await?;
    let (late_choices, return_choices) = dossier_choices(&dossiers);
    let ops = Operations {
        locked,
        dossier_count: dossiers.len(),
        late_choices,
        return_choices,
    };
    let layout = ctx.layout(format!("Oproep {}", record.call.code));
    let mut page = call_view(layout, &record, &catalog, errors, input, ops);
    let by = ctx.user.as_ref().map(|u| u.user.id);
    page.pending_envelopes = crate::web::four_eyes::pending_envelopes(state, by, id).await?;
    page.agreements = crate::store::agreements::of_call(&state.db, id)
        .await?
        .iter()
        .map(crate::web::allocation::AttachedRow::from)
        .collect();
    if let Some(context) = crate::store::rules::call_context(&state.db, id).await? {
        show_lines(&mut page, &context);
    }
    render(&page)
}

/// The call's reach lines on its page: every line as the call offers it (an action with several
/// lines once per line), and the amounts per unit that change from a later project year on.
fn show_lines(page: &mut CallShowPage, context: &crate::store::rules::CallContext) {
    // Every reach line, as the call offers it (an action with several lines once per line).
    page.actions = context
        .actions
        .iter()
        .map(|(ca, a)| ActionLine {
            code: a.code.clone(),
            title: a.title.clone(),
            unit_cost: ca.unit_cost_cents,
            max_reach: ca.max_reach,
            unit_label: crate::store::sections::plural(ca).to_owned(),
        })
        .collect();
    page.amount_lines = context
        .actions
        .iter()
        .map(|(ca, a)| AmountLine {
            id: ca.id,
            label: format!("{} {}", a.code, a.title),
            unit_cost: ca.unit_cost_cents,
            changes: context
                .amounts
                .get(&ca.id)
                .into_iter()
                .flatten()
                .map(|(y, c)| (*y, c.get()))
                .collect(),
        })
        .collect();
}

// Longer than 50 lines: the page shows every parameter, project year and action of the call;
// this maps them one by one.
/// The call's page from its record.
fn call_view(
    layout: Layout,
    record: &CallRecord,
    catalog: &[action::Model],
    errors: FormErrors,
    input: OpInput,
    ops: Operations,
) -> CallShowPage {
    let c = &record.call;
    CallShowPage {
        layout,
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
        period_start: c.period_start,
        period_end: c.period_end,
        opens: c.submission_opens_at,
        opens_illustrative: c.submission_opens_illustrative,
        closes: c.submission_closes_at,
        closes_input: show_moment_input(c.submission_closes_at),
        reference_year: c.reference_year,
        single_min: c.single_applicant_min_exclusive,
        pooled_min: c.pooled_min_inclusive,
        incentive_share: c.incentive_min_share_bp,
        cofinancing: c.cofinancing_bp,
        incentive: c.incentive_cents_per_project_year,
        advance: c.advance_bp,
        continuation: c.continuation_min_bp,
        review_days: c.review_days,
        four_eyes_threshold: c.four_eyes_threshold_cents,
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
                starts_on: y.starts_on,
                ends_on: y.ends_on,
                envelope: y.envelope_cents,
                interim_due: y.interim_report_due,
                year_due: y.year_report_due,
                dues_illustrative: y.report_dates_illustrative,
                round: match (y.submission_opens_at, y.submission_closes_at) {
                    (Some(opens), Some(closes)) => {
                        format!("van {} tot {}", show_moment(opens), show_moment(closes))
                    }
                    _ => String::new(),
                },
            })
            .collect(),
        later_years: record
            .years
            .iter()
            .map(|y| y.year_number)
            .filter(|n| Some(*n) != record.years.iter().map(|y| y.year_number).min())
            .collect(),
        actions: catalog
            .iter()
            .filter_map(|a| {
                let ca = record.actions.iter().find(|ca| ca.action_id == a.id)?;
                Some(ActionLine {
                    code: a.code.clone(),
                    title: a.title.clone(),
                    unit_cost: ca.unit_cost_cents,
                    max_reach: ca.max_reach,
                    unit_label: ca.unit_label.clone(),
                })
            })
            .collect(),
        locked: ops.locked,
        dossier_count: ops.dossier_count,
        late_choices: ops.late_choices,
        return_choices: ops.return_choices,
        pending_envelopes: None,
        agreements: Vec::new(),
        amount_lines: Vec::new(),
    }
}

async fn show(
    State(state): State<AppState>,
    ctx: PageContext,
    Id(id): Id,
) -> Result<Html<String>, AppError> {
    show_page(&state, &ctx, id, FormErrors::default(), OpInput::default()).await
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
    #[serde(default)]
    pub year: String,
    #[serde(default)]
    pub opens: String,
    #[serde(default)]
    pub line: String,
    #[serde(default)]
    pub amount: String,
}

/// Shows the call again with the operation's form as typed and its messages (field ids are per
/// operation, so two forms on one page never share an id).
async fn refused(
    state: &AppState,
    ctx: &PageContext,
    id: i64,
    op: &str,
    form: &OpForm,
    problems: FormErrors,
    status: StatusCode,
) -> Result<Response, AppError> {
    let mut errors = FormErrors::default();
    for p in problems.items {
        errors.add(&format!("{op}_{}", p.field), p.message);
    }
    let input = OpInput {
        op: op.to_owned(),
        reason: form.reason.clone(),
        moment: form.moment.clone(),
        application_id: form.application_id.clone(),
        year: form.year.clone(),
        opens: form.opens.clone(),
        line: form.line.clone(),
        amount: form.amount.clone(),
    };
    let page = show_page(state, ctx, id, errors, input).await?;
    Ok((status, page).into_response())
}

/// Adapter of every operation (`op` is the last part of its URL) → its command in
/// [`app::calls`]; back to the call with the command's sentence, or the form with its messages.
async fn operation(
    state: AppState,
    caller: Caller,
    ctx: PageContext,
    id: i64,
    form: OpForm,
    op: &'static str,
) -> Result<Response, AppError> {
    let input = OperationInput {
        reason: form.reason.clone(),
        version: form.version.trim().parse().unwrap_or(-1),
        moment: form.moment.clone(),
        application_id: form.application_id.clone(),
        year: form.year.clone(),
        opens: form.opens.clone(),
        line: form.line.clone(),
        amount: form.amount.clone(),
    };
    let done = match op {
        "openen" => app::calls::operate(&state, &caller, id, Operation::Open, &input).await,
        "sluiten" => app::calls::operate(&state, &caller, id, Operation::Close, &input).await,
        "verlengen" => app::calls::operate(&state, &caller, id, Operation::Extend, &input).await,
        "laattijdig" => app::calls::allow_late_submission(&state, &caller, id, &input).await,
        "ronde" => app::calls::set_round(&state, &caller, id, &input).await,
        "bedrag" => app::calls::set_unit_amount(&state, &caller, id, &input).await,
        _ => app::calls::give_back(&state, &caller, id, &input).await,
    };
    match done {
        Ok(text) => Ok(FlashRedirect::new(format!("/beheer/oproepen/{id}"), text).into_response()),
        Err(app::Error::Invalid(errors)) => {
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            refused(&state, &ctx, id, op, &form, errors, status).await
        }
        Err(app::Error::Conflict(message)) => {
            // The dossier's state does not allow it: a conflict, shown on the page.
            let mut errors = FormErrors::default();
            errors.add("application_id", message);
            refused(&state, &ctx, id, op, &form, errors, StatusCode::CONFLICT).await
        }
        Err(other) => Err(other.into()),
    }
}

async fn open(
    State(state): State<AppState>,
    caller: Caller,
    ctx: PageContext,
    Id(id): Id,
    Form(form): Form<OpForm>,
) -> Result<Response, AppError> {
    operation(state, caller, ctx, id, form, "openen").await
}

async fn close(
    State(state): State<AppState>,
    caller: Caller,
    ctx: PageContext,
    Id(id): Id,
    Form(form): Form<OpForm>,
) -> Result<Response, AppError> {
    operation(state, caller, ctx, id, form, "sluiten").await
}

async fn extend(
    State(state): State<AppState>,
    caller: Caller,
    ctx: PageContext,
    Id(id): Id,
    Form(form): Form<OpForm>,
) -> Result<Response, AppError> {
    operation(state, caller, ctx, id, form, "verlengen").await
}

async fn late_submission(
    State(state): State<AppState>,
    caller: Caller,
    ctx: PageContext,
    Id(id): Id,
    Form(form): Form<OpForm>,
) -> Result<Response, AppError> {
    operation(state, caller, ctx, id, form, "laattijdig").await
}

async fn set_round(
    State(state): State<AppState>,
    caller: Caller,
    ctx: PageContext,
    Id(id): Id,
    Form(form): Form<OpForm>,
) -> Result<Response, AppError> {
    operation(state, caller, ctx, id, form, "ronde").await
}

async fn set_unit_amount(
    State(state): State<AppState>,
    caller: Caller,
    ctx: PageContext,
    Id(id): Id,
    Form(form): Form<OpForm>,
) -> Result<Response, AppError> {
    operation(state, caller, ctx, id, form, "bedrag").await
}

async fn give_back(
    State(state): State<AppState>,
    caller: Caller,
    ctx: PageContext,
    Id(id): Id,
    Form(form): Form<OpForm>,
) -> Result<Response, AppError> {
    operation(state, caller, ctx, id, form, "teruggeven").await
}
