//! The sections of a dossier the applicant fills in, one topic per page: general information,
//! actions (with reach and money), KPIs, budget, declarations. Every save persists at once
//! ("save and continue later"); input that cannot be read comes back with a Dutch message per
//! field and nothing saved; rule violations are shown on the page where they are fixed.
//! Concurrent edits are detected through each row's `version`.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use serde::Deserialize;

use entity::{application, application_action, kpi};

use crate::app::dossier::{ActionAdded, chosen_action, chosen_kpi};
use crate::app::{self, Caller};
use crate::domain::fields::{ActionInput, GeneralInput, KpiInput};
use crate::domain::parts::Part;
use crate::domain::{Cents, KpiValue};
use crate::error::AppError;
use crate::state::AppState;
use crate::store::drafts::{ChosenAction, DossierContent};
use crate::web::RouteTable;
use crate::web::context::PageContext;
use crate::web::dossier_view::{
    DossierHeader, ShownResult, action_results, header, kpi_results, shown,
};
use crate::web::extract::{FlashRedirect, Id, Ids};
use crate::web::filters;
use crate::web::form::FormErrors;
use crate::web::form::{Form, RawForm};
use crate::web::full_view::{cents, kpi_text, kpi_value};
use crate::web::pages::{Layout, render};
use crate::web::routes::{BodyLimit, OFFICIALS};
use chrono::NaiveDate;

pub fn routes() -> RouteTable {
    RouteTable::new()
        .get("/dossiers/{id}/algemeen", OFFICIALS, general_page)
        .post("/dossiers/{id}/algemeen", OFFICIALS, save_general)
        .get("/dossiers/{id}/acties", OFFICIALS, actions_page)
        .post("/dossiers/{id}/acties", OFFICIALS, add_action)
        .post("/dossiers/{id}/acties/tabel", OFFICIALS, save_table)
        .limit(BodyLimit::LargeForm)
        .get("/dossiers/{id}/acties/{action}", OFFICIALS, action_page)
        .post("/dossiers/{id}/acties/{action}", OFFICIALS, save_action)
        .limit(BodyLimit::LargeForm)
        .post(
            "/dossiers/{id}/acties/{action}/verwijderen",
            OFFICIALS,
            delete_action,
        )
        .post("/dossiers/{id}/acties/{action}/kpis", OFFICIALS, add_kpi)
        .get("/dossiers/{id}/kpis/{kpi}", OFFICIALS, kpi_page)
        .post("/dossiers/{id}/kpis/{kpi}", OFFICIALS, save_kpi)
        .post(
            "/dossiers/{id}/kpis/{kpi}/verwijderen",
            OFFICIALS,
            delete_kpi,
        )
        .get("/dossiers/{id}/begroting", OFFICIALS, budget_page)
        .get("/dossiers/{id}/verklaringen", OFFICIALS, declarations_page)
        .post("/dossiers/{id}/verklaringen", OFFICIALS, save_declarations)
}

pub const CONFLICT_MESSAGE: &str = "Iemand anders bewaarde dit deel intussen. Uw invoer staat hieronder en is nog niet bewaard: vergelijk met de huidige gegevens (open de pagina opnieuw in een ander tabblad) en bewaar opnieuw.";

/// Loads the dossier for changing `part`: the lead's officials only, and only while it is open
/// ([`app::dossier::part_for_editing`]).
/// The dossier `id` whose `part` the page shows (the commands load their own content).
async fn editable(
    state: &AppState,
    caller: &Caller,
    ctx: &PageContext,
    id: i64,
    part: Part,
) -> Result<DossierContent, AppError> {
    Ok(app::dossier::part_for_reading(state, caller, id, part, &ctx.reference).await?)
}

/// A redirect to `to` with `message`, as a response.
fn flash(to: String, message: impl Into<String>) -> Response {
    FlashRedirect::new(to, message).into_response()
}

// ------------------------------------------------------------------ general information

#[derive(Template)]
#[template(path = "dossier/general.html")]
pub struct GeneralPage {
    pub layout: Layout,
    pub dossier: DossierHeader,
    pub errors: FormErrors,
    pub form: GeneralForm,
    pub years: Vec<u16>,
    /// The years the first project year can be: from the open round's year on, for a draft.
    pub first_years: Vec<u16>,
    pub results: Vec<ShownResult>,
}

#[derive(Debug, Deserialize, Default, Clone)]
pub struct GeneralForm {
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub summary: String,
    #[serde(default)]
    pub contact_name: String,
    #[serde(default)]
    pub contact_email: String,
    #[serde(default)]
    pub contact_phone: String,
    #[serde(default)]
    pub first_project_year: String,
    #[serde(default)]
    pub last_project_year: String,
    #[serde(default)]
    pub version: String,
}

impl GeneralForm {
    fn input(&self) -> GeneralInput {
        GeneralInput {
            title: self.title.clone(),
            summary: self.summary.clone(),
            contact_name: self.contact_name.clone(),
            contact_email: self.contact_email.clone(),
            contact_phone: self.contact_phone.clone(),
            first_project_year: self.first_project_year.clone(),
            last_project_year: self.last_project_year.clone(),
        }
    }

    fn from_row(app: &application::Model) -> Self {
        Self {
            title: app.title.clone(),
            summary: app.summary.clone().unwrap_or_default(),
            contact_name: app.contact_name.clone().unwrap_or_default(),
            contact_email: app.contact_email.clone().unwrap_or_default(),
            contact_phone: app.contact_phone.clone().unwrap_or_default(),
            first_project_year: app.first_project_year.to_string(),
            last_project_year: app.last_project_year.to_string(),
            version: app.version.to_string(),
        }
    }
}

async fn general_view(
    state: &AppState,
    ctx: &PageContext,
    content: &DossierContent,
    form: GeneralForm,
    errors: FormErrors,
) -> Result<Html<String>, AppError> {
    let report = content.report_cached(&state.db, &ctx.reference).await?;
    render(&GeneralPage {
        layout: ctx.layout("Algemene gegevens"),
        dossier: header(content, true),
        errors,
        form,
        years: content
            .call
            .rules
            .project_years
            .iter()
            .map(|y| y.year)
            .collect(),
        // A draft starts no earlier than the round taking submissions (yearly rounds).
        first_years: {
            let from = content.draft_round_year(state.clock.now()).unwrap_or(0);
            content
                .call
                .rules
                .project_years
                .iter()
                .map(|y| y.year)
                .filter(|y| *y >= from)
                .collect()
        },
        results: report
            .results
            .iter()
            .filter(|r| {
                r.field
                    .is_some_and(|f| f.section == crate::domain::Section::ProjectYears)
                    && r.outcome != crate::domain::Outcome::Pass
            })
            .map(shown)
            .collect(),
    })
}

async fn general_page(
    State(state): State<AppState>,
    caller: Caller,
    ctx: PageContext,
    Id(id): Id,
) -> Result<Html<String>, AppError> {
    let content = editable(&state, &caller, &ctx, id, Part::General).await?;
    let form = GeneralForm::from_row(&content.dossier.application);
    general_view(&state, &ctx, &content, form, FormErrors::default()).await
}

/// Adapter: the general form → [`app::dossier::save_general`] → the dossier, or the form again
/// with its messages (422) or, after a concurrent change, with the newest version (409).
async fn save_general(
    State(state): State<AppState>,
    caller: Caller,
    ctx: PageContext,
    Id(id): Id,
    Form(mut form): Form<GeneralForm>,
) -> Result<Response, AppError> {
    let version: i32 = form.version.trim().parse().unwrap_or(-1);
    let (status, errors) =
        match app::dossier::save_general(&state, &caller, id, &form.input(), version).await {
            Ok(()) => {
                return Ok(flash(
                    format!("/dossiers/{id}"),
                    "Algemene gegevens bewaard.",
                ));
            }
            Err(app::Error::Invalid(errors)) => (StatusCode::UNPROCESSABLE_ENTITY, errors),
            Err(app::Error::Stale) => (StatusCode::CONFLICT, conflict("title")),
            Err(other) => return Err(other.into()),
        };
    let content = editable(&state, &caller, &ctx, id, Part::General).await?;
    if status == StatusCode::CONFLICT {
        form.version = content.dossier.application.version.to_string();
    }
    let page = general_view(&state, &ctx, &content, form, errors).await?;
    Ok((status, page).into_response())
}

/// The conflict message on `field`.
fn conflict(field: &str) -> FormErrors {
    let mut errors = FormErrors::default();
    errors.add(field, CONFLICT_MESSAGE);
    errors
}

// ------------------------------------------------------------------ actions

/// One line of the call's table as the actions page shows it, with what was typed or saved.
pub struct TableRow {
    pub no: u16,
    /// The theme above this line, when it starts a new theme.
    pub theme: Option<String>,
    /// The objective (or the action's title) above this line, when it starts a new one.
    pub heading: Option<String>,
    pub call_action_id: i64,
    pub code: String,
    pub group: String,
    pub max_reach: i32,
    pub per_unit: Cents,
    pub baseline: String,
    pub planned: String,
    pub priority: String,
    pub version: Option<i32>,
    /// The Flemish contribution per project year of a taken line, as saved.
    pub contribution: Option<Cents>,
    /// The dossier's row of a taken line (its details page).
    pub chosen_id: Option<i64>,
    pub problems: usize,
    pub baseline_field: String,
    pub planned_field: String,
    pub priority_field: String,
}

#[derive(Template)]
#[template(path = "dossier/actions.html")]
pub struct ActionsPage {
    pub layout: Layout,
    pub dossier: DossierHeader,
    pub errors: FormErrors,
    pub rows: Vec<TableRow>,
    pub taken: usize,
    pub flemish_per_year: Cents,
    pub own_per_year: Cents,
    pub results: Vec<ShownResult>,
}

// Longer than 50 lines: one line per column of the table (typed or saved values, problems).
async fn actions_view(
    state: &AppState,
    ctx: &PageContext,
    content: &DossierContent,
    typed: &[app::dossier::PostedLine],
    errors: FormErrors,
) -> Result<Html<String>, AppError> {
    use crate::domain::reach::LineField;
    let report = content.report_cached(&state.db, &ctx.reference).await?;
    let mut rows = Vec::new();
    let (mut theme, mut heading) = (None::<String>, None::<String>);
    for (no, ca, a) in app::dossier::table_lines(&content.call) {
        let chosen = content.actions.iter().find(|c| c.call_action.id == ca.id);
        let posted = typed.iter().find(|p| p.call_action_id == ca.id);
        let (baseline, planned, priority) = match (posted, chosen) {
            (Some(p), _) => (
                p.input.baseline.clone(),
                p.input.planned.clone(),
                p.input.priority.clone(),
            ),
            (None, Some(c)) => (
                c.row.baseline_reach.to_string(),
                c.row.planned_reach.to_string(),
                c.row.priority_rank.to_string(),
            ),
            (None, None) => Default::default(),
        };
        let this_theme = ca.theme.clone();
        let this_heading = ca.objective.clone().unwrap_or_else(|| {
            format!("Actie {}", crate::domain::ActionCode::action_text(&a.code))
        });
        rows.push(TableRow {
            no,
            theme: (this_theme != theme).then(|| this_theme.clone()).flatten(),
            heading: (Some(&this_heading) != heading.as_ref()).then(|| this_heading.clone()),
            call_action_id: ca.id,
            code: a.code.clone(),
            group: crate::store::sections::plural(ca).to_owned(),
            max_reach: ca.max_reach,
            // The amount of the dossier's first project year (yearly rounds).
            per_unit: cents(
                content
                    .call
                    .unit_cost_in(ca, content.dossier.application.first_project_year),
            ),
            baseline,
            planned,
            priority,
            version: chosen.map(|c| c.row.version),
            contribution: chosen.map(|c| cents(c.row.grant_cents)),
            chosen_id: chosen.map(|c| c.row.id),
            problems: chosen.map_or(0, |c| {
                action_results(&report, &c.action.code).1.len()
                    + c.kpis
                        .iter()
                        .enumerate()
                        .map(|(i, _)| kpi_results(&report, &c.action.code, i).len())
                        .sum::<usize>()
            }),
            baseline_field: app::dossier::line_field(ca.id, LineField::Baseline),
            planned_field: app::dossier::line_field(ca.id, LineField::Planned),
            priority_field: app::dossier::line_field(ca.id, LineField::Priority),
        });
        theme = this_theme;
        heading = Some(this_heading);
    }
    let flemish_per_year =
        crate::domain::money::sum_cents(content.actions.iter().map(|a| a.row.grant_cents));
    render(&ActionsPage {
        layout: ctx.layout("Acties en bereik"),
        dossier: header(content, true),
        errors,
        taken: content.actions.len(),
        flemish_per_year: cents(flemish_per_year),
        own_per_year: content.own_contribution_per_year(),
        rows,
        results: report
            .results
            .iter()
            .filter(|r| r.outcome != crate::domain::Outcome::Pass)
            .filter(|r| {
                r.field.is_some_and(|f| {
                    f.action.is_none()
                        && matches!(
                            f.section,
                            crate::domain::Section::Actions
                                | crate::domain::Section::Budget
                                | crate::domain::Section::Kpis
                        )
                })
            })
            .map(shown)
            .collect(),
    })
}

async fn actions_page(
    State(state): State<AppState>,
    caller: Caller,
    ctx: PageContext,
    Id(id): Id,
) -> Result<Html<String>, AppError> {
    let content = editable(&state, &caller, &ctx, id, Part::Actions).await?;
    actions_view(&state, &ctx, &content, &[], FormErrors::default()).await
}

/// The table as posted: `b{id}`, `p{id}`, `r{id}` (baseline, planned reach, priority) and `v{id}`
/// (the version of a taken line) per call action `id`.
fn posted_lines(pairs: &[(String, String)]) -> Vec<app::dossier::PostedLine> {
    let mut lines: Vec<app::dossier::PostedLine> = Vec::new();
    for (key, value) in pairs {
        let Some(kind) = key.chars().next() else {
            continue;
        };
        let Ok(id) = key[kind.len_utf8()..].parse::<i64>() else {
            continue;
        };
        if !matches!(kind, 'b' | 'p' | 'r' | 'v') {
            continue;
        }
        let index = match lines.iter().position(|l| l.call_action_id == id) {
            Some(index) => index,
            None => {
                lines.push(app::dossier::PostedLine {
                    call_action_id: id,
                    input: Default::default(),
                    version: None,
                });
                lines.len() - 1
            }
        };
        let line = &mut lines[index];
        match kind {
            'b' => line.input.baseline = value.clone(),
            'p' => line.input.planned = value.clone(),
            'r' => line.input.priority = value.clone(),
            _ => line.version = value.trim().parse().ok(),
        }
    }
    lines
}

/// Adapter: the table of reach lines → [`app::dossier::save_table`] → the table again, with what
/// changed, or with the messages at their fields (422) or after a concurrent change (409).
async fn save_table(
    State(state): State<AppState>,
    caller: Caller,
    ctx: PageContext,
    Id(id): Id,
    RawForm(raw): RawForm,
) -> Result<Response, AppError> {
    let posted = posted_lines(&crate::auth::csrf::form_urlencoded_pairs(&raw));
    let (status, errors) = match app::dossier::save_table(&state, &caller, id, &posted).await {
        Ok(saved) => {
            return Ok(flash(
                format!("/dossiers/{id}/acties"),
                table_saved_message(saved),
            ));
        }
        Err(app::Error::Invalid(errors)) => (StatusCode::UNPROCESSABLE_ENTITY, errors),
        Err(app::Error::Stale) => {
            let mut errors = FormErrors::default();
            errors.add("tabel", CONFLICT_MESSAGE);
            (StatusCode::CONFLICT, errors)
        }
        Err(other) => return Err(other.into()),
    };
    let content = editable(&state, &caller, &ctx, id, Part::Actions).await?;
    // After a conflict the form carries the current versions, so saving again is possible.
    let typed: Vec<app::dossier::PostedLine> = posted
        .into_iter()
        .map(|mut line| {
            line.version = content
                .actions
                .iter()
                .find(|c| c.call_action.id == line.call_action_id)
                .map(|c| c.row.version);
            line
        })
        .collect();
    let page = actions_view(&state, &ctx, &content, &typed, errors).await?;
    Ok((status, page).into_response())
}

fn table_saved_message(saved: app::dossier::TableSaved) -> String {
    let count = |n: usize| {
        if n == 1 {
            "lijn".to_owned()
        } else {
            "lijnen".to_owned()
        }
    };
    let mut parts = Vec::new();
    if saved.added > 0 {
        parts.push(format!("{} {} opgenomen", saved.added, count(saved.added)));
    }
    if saved.changed > 0 {
        parts.push(format!(
            "{} {} gewijzigd",
            saved.changed,
            count(saved.changed)
        ));
    }
    if saved.removed > 0 {
        parts.push(format!(
            "{} {} geschrapt",
            saved.removed,
            count(saved.removed)
        ));
    }
    if parts.is_empty() {
        "De tabel is bewaard; er was niets gewijzigd.".to_owned()
    } else {
        format!(
            "De tabel is bewaard: {}. De bijdrage van Vlaanderen per lijn staat in de laatste kolom.",
            crate::domain::dutch::join_names(&parts)
        )
    }
}

#[derive(Debug, Deserialize)]
pub struct AddActionForm {
    #[serde(default)]
    pub call_action_id: String,
}

/// Adapter: adding one action by its call action (kept for forms and scripts that post it) →
/// [`app::dossier::add_action`] → the new action's form.
async fn add_action(
    State(state): State<AppState>,
    caller: Caller,
    ctx: PageContext,
    Id(id): Id,
    Form(form): Form<AddActionForm>,
) -> Result<Response, AppError> {
    let call_action_id = form.call_action_id.trim().parse::<i64>().ok();
    match app::dossier::add_action(&state, &caller, id, call_action_id).await {
        Ok(ActionAdded::Added { action_id, code }) => Ok(flash(
            format!("/dossiers/{id}/acties/{action_id}"),
            format!(
                "Actie {code} toegevoegd. Vul het bereik, de eigen inbreng en de beschrijving in."
            ),
        )),
        Ok(ActionAdded::AlreadyThere) => Ok(flash(
            format!("/dossiers/{id}/acties"),
            "Deze actie stond al in uw dossier.",
        )),
        Err(app::Error::Invalid(errors)) => {
            let content = editable(&state, &caller, &ctx, id, Part::Actions).await?;
            let page = actions_view(&state, &ctx, &content, &[], errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(other) => Err(other.into()),
    }
}

#[derive(Template)]
#[template(path = "dossier/action.html")]
pub struct ActionPage {
    pub layout: Layout,
    pub dossier: DossierHeader,
    pub errors: FormErrors,
    pub form: ActionForm,
    pub action_id: i64,
    pub code: String,
    pub title: String,
    pub objectives: String,
    pub unit_label: String,
    pub unit_cost: Cents,
    pub max_reach: i32,
    pub grant: Cents,
    pub required_own: Option<Cents>,
    pub baseline_hint: String,
    pub planned_hint: String,
    pub results: Vec<ShownResult>,
    pub kpis: Vec<KpiRow>,
    pub new_kpi: KpiForm,
    pub kpi_errors: FormErrors,
}

pub struct KpiRow {
    pub id: i64,
    pub indicator: String,
    pub unit: String,
    pub baseline: KpiValue,
    pub target: KpiValue,
    pub target_date: NaiveDate,
    pub measurement: String,
    pub is_reach: bool,
    /// The value should go down (the target lies below the baseline).
    pub falling: bool,
    pub results: Vec<ShownResult>,
}

#[derive(Debug, Deserialize, Default, Clone)]
pub struct ActionForm {
    #[serde(default)]
    pub priority: String,
    #[serde(default)]
    pub baseline_reach: String,
    #[serde(default)]
    pub planned_reach: String,
    #[serde(default)]
    pub own_contribution: String,
    #[serde(default)]
    pub own_staff: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub partners: String,
    #[serde(default)]
    pub version: String,
}

impl ActionForm {
    fn input(&self) -> ActionInput {
        ActionInput {
            priority: self.priority.clone(),
            baseline_reach: self.baseline_reach.clone(),
            planned_reach: self.planned_reach.clone(),
            own_contribution: self.own_contribution.clone(),
            own_staff: self.own_staff.clone(),
            description: self.description.clone(),
            partners: self.partners.clone(),
        }
    }

    fn from_row(row: &application_action::Model) -> Self {
        Self {
            priority: row.priority_rank.to_string(),
            baseline_reach: row.baseline_reach.to_string(),
            planned_reach: row.planned_reach.to_string(),
            own_contribution: Cents::new(row.own_contribution_cents)
                .map(|c| c.to_plain_string())
                .unwrap_or_default(),
            own_staff: Cents::new(row.own_staff_cents)
                .filter(|c| *c > Cents::ZERO)
                .map(|c| c.to_plain_string())
                .unwrap_or_default(),
            description: row.description.clone(),
            partners: row.partners.clone().unwrap_or_default(),
            version: row.version.to_string(),
        }
    }
}

#[allow(clippy::too_many_arguments)]
// Longer than 50 lines: one line per field of the action page and its KPI rows.
async fn action_view(
    state: &AppState,
    ctx: &PageContext,
    content: &DossierContent,
    chosen: &ChosenAction,
    form: ActionForm,
    errors: FormErrors,
    new_kpi: KpiForm,
    kpi_errors: FormErrors,
) -> Result<Html<String>, AppError> {
    let report = content.report_cached(&state.db, &ctx.reference).await?;
    // The rules show once, each linked to its field, and only once the action was saved (a
    // freshly added action is not "wrong" yet); the error summary is for what a save refused.
    let (_, mut results) = action_results(&report, &chosen.action.code);
    if chosen.row.version <= 1 {
        results.clear();
    }
    let money_line = chosen
        .code()
        .and_then(|code| report.actions.iter().find(|m| m.code == code));
    let grant = money_line
        .and_then(|m| m.grant_per_year.first().map(|(_, c)| *c))
        .unwrap_or_default();
    let required_own = content.call.rules.required_own_contribution(grant);
    render(&ActionPage {
        layout: ctx.layout(format!("Actie {}", chosen.action.code)),
        dossier: header(content, true),
        errors,
        form,
        action_id: chosen.row.id,
        code: chosen.action.code.clone(),
        title: chosen.action.title.clone(),
        objectives: chosen.action.objectives.clone(),
        unit_label: chosen.call_action.unit_label.clone(),
        unit_cost: cents(content.call.unit_cost_in(
            &chosen.call_action,
            content.dossier.application.first_project_year,
        )),
        max_reach: chosen.call_action.max_reach,
        grant,
        required_own,
        baseline_hint: format!(
            "Aantal {} dat u vandaag al bereikt.",
            crate::store::sections::plural(&chosen.call_action)
        ),
        planned_hint: format!(
            "Aantal {} dat u met de subsidie bijkomend bereikt, hoogstens {}.",
            crate::store::sections::plural(&chosen.call_action),
            chosen.call_action.max_reach
        ),
        results,
        kpis: chosen
            .kpis
            .iter()
            .enumerate()
            .map(|(i, k)| KpiRow {
                id: k.id,
                indicator: k.indicator.clone(),
                unit: k.unit.clone(),
                baseline: kpi_value(k.baseline),
                target: kpi_value(k.target),
                target_date: k.target_date,
                measurement: k.measurement.clone(),
                is_reach: k.is_reach_kpi,
                falling: k.direction == "falling",
                results: kpi_results(&report, &chosen.action.code, i),
            })
            .collect(),
        new_kpi,
        kpi_errors,
    })
}

async fn action_page(
    State(state): State<AppState>,
    caller: Caller,
    ctx: PageContext,
    Ids(id, action_id): Ids,
) -> Result<Html<String>, AppError> {
    let content = editable(&state, &caller, &ctx, id, Part::Actions).await?;
    let chosen = chosen_action(&content, action_id)?;
    let form = ActionForm::from_row(&chosen.row);
    action_view(
        &state,
        &ctx,
        &content,
        chosen,
        form,
        FormErrors::default(),
        KpiForm::fresh(&content),
        FormErrors::default(),
    )
    .await
}

/// Adapter: the action form → [`app::dossier::save_action`] → the action, or its form again with
/// the messages (422) or, after a concurrent change, with the newest version (409).
async fn save_action(
    State(state): State<AppState>,
    caller: Caller,
    ctx: PageContext,
    Ids(id, action_id): Ids,
    Form(mut form): Form<ActionForm>,
) -> Result<Response, AppError> {
    let version: i32 = form.version.trim().parse().unwrap_or(-1);
    let saved =
        app::dossier::save_action(&state, &caller, id, action_id, &form.input(), version).await;
    let (status, errors) = match saved {
        Ok(code) => {
            return Ok(flash(
                format!("/dossiers/{id}/acties/{action_id}"),
                format!("Actie {code} bewaard."),
            ));
        }
        Err(app::Error::Invalid(errors)) => (StatusCode::UNPROCESSABLE_ENTITY, errors),
        Err(app::Error::Stale) => (StatusCode::CONFLICT, conflict("priority")),
        Err(other) => return Err(other.into()),
    };
    let content = editable(&state, &caller, &ctx, id, Part::Actions).await?;
    let chosen = chosen_action(&content, action_id)?;
    if status == StatusCode::CONFLICT {
        form.version = chosen.row.version.to_string();
    }
    let new_kpi = KpiForm::fresh(&content);
    let page = action_view(
        &state,
        &ctx,
        &content,
        chosen,
        form,
        errors,
        new_kpi,
        FormErrors::default(),
    )
    .await?;
    Ok((status, page).into_response())
}

async fn delete_action(
    State(state): State<AppState>,
    caller: Caller,
    Ids(id, action_id): Ids,
) -> Result<Response, AppError> {
    let code = app::dossier::delete_action(&state, &caller, id, action_id).await?;
    Ok(flash(
        format!("/dossiers/{id}/acties"),
        format!("Actie {code} verwijderd."),
    ))
}

// ------------------------------------------------------------------ KPIs

#[derive(Debug, Deserialize, Default, Clone)]
pub struct KpiForm {
    #[serde(default)]
    pub indicator: String,
    #[serde(default)]
    pub unit: String,
    #[serde(default)]
    pub baseline: String,
    #[serde(default)]
    pub target: String,
    #[serde(default)]
    pub target_date: String,
    #[serde(default)]
    pub measurement: String,
    /// `rising` or `falling`.
    #[serde(default)]
    pub direction: String,
    #[serde(default)]
    pub version: String,
}

impl KpiForm {
    fn fresh(content: &DossierContent) -> Self {
        Self {
            target_date: content.default_target_date().format("%Y-%m-%d").to_string(),
            direction: "rising".into(),
            version: "1".into(),
            ..Self::default()
        }
    }

    fn from_row(row: &kpi::Model) -> Self {
        Self {
            indicator: row.indicator.clone(),
            unit: row.unit.clone(),
            baseline: kpi_text(row.baseline),
            target: kpi_text(row.target),
            target_date: row.target_date.format("%Y-%m-%d").to_string(),
            measurement: row.measurement.clone(),
            direction: row.direction.clone(),
            version: row.version.to_string(),
        }
    }
}

impl KpiForm {
    fn input(&self) -> KpiInput {
        KpiInput {
            indicator: self.indicator.clone(),
            unit: self.unit.clone(),
            baseline: self.baseline.clone(),
            target: self.target.clone(),
            target_date: self.target_date.clone(),
            measurement: self.measurement.clone(),
            direction: self.direction.clone(),
        }
    }
}

/// Adapter: the action page's KPI form → [`app::dossier::add_kpi`] → the action, or its page
/// again with the KPI form's messages (422).
async fn add_kpi(
    State(state): State<AppState>,
    caller: Caller,
    ctx: PageContext,
    Ids(id, action_id): Ids,
    Form(form): Form<KpiForm>,
) -> Result<Response, AppError> {
    match app::dossier::add_kpi(&state, &caller, id, action_id, &form.input()).await {
        Ok(()) => Ok(flash(
            format!("/dossiers/{id}/acties/{action_id}"),
            "KPI toegevoegd.",
        )),
        Err(app::Error::Invalid(errors)) => {
            let content = editable(&state, &caller, &ctx, id, Part::Actions).await?;
            let chosen = chosen_action(&content, action_id)?;
            let page = action_view(
                &state,
                &ctx,
                &content,
                chosen,
                ActionForm::from_row(&chosen.row),
                FormErrors::default(),
                form,
                errors,
            )
            .await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(other) => Err(other.into()),
    }
}

#[derive(Template)]
#[template(path = "dossier/kpi.html")]
pub struct KpiPage {
    pub layout: Layout,
    pub dossier: DossierHeader,
    pub errors: FormErrors,
    pub form: KpiForm,
    pub kpi_id: i64,
    pub action_id: i64,
    pub action_code: String,
    pub is_reach: bool,
    pub results: Vec<ShownResult>,
}

async fn kpi_view(
    state: &AppState,
    ctx: &PageContext,
    content: &DossierContent,
    kpi_id: i64,
    form: KpiForm,
    errors: FormErrors,
) -> Result<Html<String>, AppError> {
    let (chosen, index, row) = chosen_kpi(content, kpi_id)?;
    let report = content.report_cached(&state.db, &ctx.reference).await?;
    // Each rule once, in the list linked to its field; the error summary is for a refused save.
    let results = kpi_results(&report, &chosen.action.code, index);
    render(&KpiPage {
        layout: ctx.layout("KPI"),
        dossier: header(content, true),
        errors,
        form,
        kpi_id: row.id,
        action_id: chosen.row.id,
        action_code: chosen.action.code.clone(),
        is_reach: row.is_reach_kpi,
        results,
    })
}

async fn kpi_page(
    State(state): State<AppState>,
    caller: Caller,
    ctx: PageContext,
    Ids(id, kpi_id): Ids,
) -> Result<Html<String>, AppError> {
    let content = editable(&state, &caller, &ctx, id, Part::Actions).await?;
    let (_, _, row) = chosen_kpi(&content, kpi_id)?;
    let form = KpiForm::from_row(row);
    kpi_view(&state, &ctx, &content, kpi_id, form, FormErrors::default()).await
}

/// Adapter: the KPI form → [`app::dossier::save_kpi`] → its action, or the form again with its
/// messages (422) or, after a concurrent change, with the newest version (409).
async fn save_kpi(
    State(state): State<AppState>,
    caller: Caller,
    ctx: PageContext,
    Ids(id, kpi_id): Ids,
    Form(mut form): Form<KpiForm>,
) -> Result<Response, AppError> {
    let version: i32 = form.version.trim().parse().unwrap_or(-1);
    let (status, errors) =
        match app::dossier::save_kpi(&state, &caller, id, kpi_id, &form.input(), version).await {
            Ok(action_id) => {
                return Ok(flash(
                    format!("/dossiers/{id}/acties/{action_id}"),
                    "KPI bewaard.",
                ));
            }
            Err(app::Error::Invalid(errors)) => (StatusCode::UNPROCESSABLE_ENTITY, errors),
            Err(app::Error::Stale) => (StatusCode::CONFLICT, conflict("indicator")),
            Err(other) => return Err(other.into()),
        };
    let content = editable(&state, &caller, &ctx, id, Part::Actions).await?;
    if status == StatusCode::CONFLICT {
        form.version = chosen_kpi(&content, kpi_id)?.2.version.to_string();
    }
    let page = kpi_view(&state, &ctx, &content, kpi_id, form, errors).await?;
    Ok((status, page).into_response())
}

async fn delete_kpi(
    State(state): State<AppState>,
    caller: Caller,
    Ids(id, kpi_id): Ids,
) -> Result<Response, AppError> {
    let action_id = app::dossier::delete_kpi(&state, &caller, id, kpi_id).await?;
    Ok(flash(
        format!("/dossiers/{id}/acties/{action_id}"),
        "KPI verwijderd.",
    ))
}

// ------------------------------------------------------------------ budget

#[derive(Template)]
#[template(path = "dossier/budget.html")]
pub struct BudgetPage {
    pub layout: Layout,
    pub view: crate::web::full_view::FullView,
    pub results: Vec<ShownResult>,
}

async fn budget_page(
    State(state): State<AppState>,
    caller: Caller,
    ctx: PageContext,
    Id(id): Id,
) -> Result<Html<String>, AppError> {
    let content = editable(&state, &caller, &ctx, id, Part::Actions).await?;
    let report = content.report_cached(&state.db, &ctx.reference).await?;
    render(&BudgetPage {
        layout: ctx.layout("Begroting"),
        results: report
            .in_section(crate::domain::Section::Budget)
            .map(shown)
            .collect(),
        view: crate::web::full_view::full_view(&content, &report),
    })
}

// ------------------------------------------------------------------ declarations

#[derive(Template)]
#[template(path = "dossier/declarations.html")]
pub struct DeclarationsPage {
    pub layout: Layout,
    pub dossier: DossierHeader,
    pub errors: FormErrors,
    pub accepted: bool,
    /// Which boxes are ticked: all when the declarations were accepted, else as the user sent
    /// them (`truthful`, `mandate`, `cofinancing`), so a form with an error keeps its ticks.
    pub ticked: [bool; 3],
    pub version: i32,
}

pub use crate::domain::fields::DECLARATIONS;

async fn declarations_page(
    State(state): State<AppState>,
    caller: Caller,
    ctx: PageContext,
    Id(id): Id,
) -> Result<Html<String>, AppError> {
    let content = editable(&state, &caller, &ctx, id, Part::Declarations).await?;
    let accepted = content
        .dossier
        .application
        .declarations_accepted_at
        .is_some();
    render(&DeclarationsPage {
        layout: ctx.layout("Verklaringen"),
        dossier: header(&content, true),
        errors: FormErrors::default(),
        accepted,
        ticked: [accepted; 3],
        version: content.dossier.application.version,
    })
}

#[derive(Debug, Deserialize, Default)]
pub struct DeclarationsForm {
    #[serde(default)]
    pub truthful: Option<String>,
    #[serde(default)]
    pub mandate: Option<String>,
    #[serde(default)]
    pub cofinancing: Option<String>,
    #[serde(default)]
    pub version: String,
}

/// Adapter: the declarations form → [`app::dossier::accept_declarations`] → the dossier, or the
/// form again with its messages (422, 409 after a concurrent change).
async fn save_declarations(
    State(state): State<AppState>,
    caller: Caller,
    ctx: PageContext,
    Id(id): Id,
    Form(form): Form<DeclarationsForm>,
) -> Result<Response, AppError> {
    let given = [
        form.truthful.is_some(),
        form.mandate.is_some(),
        form.cofinancing.is_some(),
    ];
    let version: i32 = form.version.trim().parse().unwrap_or(-1);
    let (status, errors) =
        match app::dossier::accept_declarations(&state, &caller, id, given, version).await {
            Ok(()) => return Ok(flash(format!("/dossiers/{id}"), "Verklaringen bewaard.")),
            Err(app::Error::Invalid(errors)) => (StatusCode::UNPROCESSABLE_ENTITY, errors),
            Err(app::Error::Stale) => (StatusCode::CONFLICT, conflict("truthful")),
            Err(other) => return Err(other.into()),
        };
    let content = editable(&state, &caller, &ctx, id, Part::Declarations).await?;
    let page = render(&DeclarationsPage {
        layout: ctx.layout("Verklaringen"),
        dossier: header(&content, true),
        errors,
        accepted: false,
        ticked: given,
        version: content.dossier.application.version,
    })?;
    Ok((status, page).into_response())
}
