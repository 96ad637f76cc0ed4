//! The sections of a dossier the applicant fills in, one topic per page: general information,
//! actions (with reach and money), KPIs, budget, declarations. Every save persists at once
//! ("save and continue later"); input that cannot be read comes back with a Dutch message per
//! field and nothing saved; rule violations are shown on the page where they are fixed.
//! Concurrent edits are detected through each row's `version`.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use chrono::{NaiveDate, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, SimpleExpr};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, Set,
};
use serde::Deserialize;

use entity::{application, application_action, kpi};

use crate::audit::{self, AuditEntry};
use crate::auth::session::redirect_with_flash;
use crate::auth::session::{CurrentUser, SessionUser};
use crate::domain::{Cents, KpiValue, Reach};
use crate::error::AppError;
use crate::policy::Action;
use crate::state::AppState;
use crate::store::drafts::{self, ChosenAction, DossierContent};
use crate::web::RouteTable;
use crate::web::context::PageContext;
use crate::web::dossier_view::{
    DossierHeader, ShownResult, action_results, header, kpi_results, shown,
};
use crate::web::dossiers::{ensure_editable, load_for};
use crate::web::form::FormErrors;
use crate::web::full_view::{kpi_text, money};
use crate::web::pages::{Layout, render};
use crate::web::routes::OFFICIALS;

pub fn routes() -> RouteTable {
    RouteTable::new()
        .get("/dossiers/{id}/algemeen", OFFICIALS, general_page)
        .post("/dossiers/{id}/algemeen", OFFICIALS, save_general)
        .get("/dossiers/{id}/acties", OFFICIALS, actions_page)
        .post("/dossiers/{id}/acties", OFFICIALS, add_action)
        .get("/dossiers/{id}/acties/{action}", OFFICIALS, action_page)
        .post("/dossiers/{id}/acties/{action}", OFFICIALS, save_action)
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
const MAX_TEXT: usize = 5000;

/// Loads the dossier for editing: the lead's officials only, and only while it is editable.
async fn editable(
    state: &AppState,
    user: &SessionUser,
    id: &str,
    ip: Option<String>,
    section: &str,
) -> Result<DossierContent, AppError> {
    let dossier = load_for(state, user, id, Action::EditDossier, ip).await?;
    ensure_editable(&dossier)?;
    crate::web::review::ensure_section_open(&state.db, &dossier.application, section).await?;
    Ok(drafts::load(&state.db, dossier).await?)
}

fn text_limit(
    value: &str,
    field: &str,
    label: &str,
    required: bool,
    errors: &mut FormErrors,
) -> String {
    let value = value.trim();
    if required && value.is_empty() {
        errors.add(field, format!("Vul {label} in."));
    } else if value.chars().count() > MAX_TEXT {
        errors.add(
            field,
            format!(
                "{} mag hoogstens {MAX_TEXT} tekens tellen.",
                capitalise(label)
            ),
        );
    }
    value.to_owned()
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().collect::<String>() + chars.as_str())
        .unwrap_or_default()
}

/// Bumps `application.updated_at` so lists show recent activity.
async fn touch<C: ConnectionTrait>(db: &C, application_id: i64) -> Result<(), DbErr> {
    application::Entity::update_many()
        .col_expr(application::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(application::Column::Id.eq(application_id))
        .exec(db)
        .await?;
    Ok(())
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
    let report = content.report(&state.db).await?;
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
    CurrentUser(user): CurrentUser,
    ctx: PageContext,
    Path(id): Path<String>,
) -> Result<Html<String>, AppError> {
    let content = editable(&state, &user, &id, ctx.ip.clone(), "algemeen").await?;
    let form = GeneralForm::from_row(&content.dossier.application);
    general_view(&state, &ctx, &content, form, FormErrors::default()).await
}

async fn save_general(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ctx: PageContext,
    Path(id): Path<String>,
    Form(form): Form<GeneralForm>,
) -> Result<Response, AppError> {
    let content = editable(&state, &user, &id, ctx.ip.clone(), "algemeen").await?;
    let app = &content.dossier.application;
    let mut errors = FormErrors::default();
    let title = text_limit(&form.title, "title", "een titel", true, &mut errors);
    let summary = text_limit(
        &form.summary,
        "summary",
        "een korte samenvatting",
        true,
        &mut errors,
    );
    let contact_name = text_limit(
        &form.contact_name,
        "contact_name",
        "de naam van de contactpersoon",
        true,
        &mut errors,
    );
    let contact_email = match crate::accounts::normalise_email(&form.contact_email) {
        Ok(e) => e,
        Err(_) => {
            errors.add(
                "contact_email",
                "Vul een geldig e-mailadres in, bijvoorbeeld naam@gemeente.be.",
            );
            String::new()
        }
    };
    let contact_phone = form.contact_phone.trim().to_owned();
    if contact_phone
        .chars()
        .any(|c| !(c.is_ascii_digit() || " +()/.-".contains(c)))
        || contact_phone.len() > 30
    {
        errors.add(
            "contact_phone",
            "Vul een telefoonnummer in met cijfers, bijvoorbeeld 03 123 45 67.",
        );
    }
    let years: Vec<i32> = content
        .call
        .rules
        .project_years
        .iter()
        .map(|y| i32::from(y.year))
        .collect();
    let parse_year =
        |text: &str, field: &str, errors: &mut FormErrors| match text.trim().parse::<i32>() {
            Ok(y) if years.contains(&y) => Some(y),
            _ => {
                errors.add(field, "Kies een projectjaar van de oproep.");
                None
            }
        };
    let first = parse_year(&form.first_project_year, "first_project_year", &mut errors);
    let last = parse_year(&form.last_project_year, "last_project_year", &mut errors);
    if let (Some(f), Some(l)) = (first, last)
        && l < f
    {
        errors.add(
            "last_project_year",
            "Het laatste projectjaar kan niet vóór het eerste liggen.",
        );
    }
    let version: i32 = form.version.trim().parse().unwrap_or(-1);
    if !errors.is_empty() {
        let page = general_view(&state, &ctx, &content, form, errors).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    let (first, last) = (first.unwrap_or(1), last.unwrap_or(1));
    let changes: Vec<(application::Column, SimpleExpr)> = vec![
        (application::Column::Title, Expr::value(title.clone())),
        (
            application::Column::Summary,
            Expr::value(Some(summary.clone())),
        ),
        (
            application::Column::ContactName,
            Expr::value(Some(contact_name.clone())),
        ),
        (
            application::Column::ContactEmail,
            Expr::value(Some(contact_email.clone())),
        ),
        (
            application::Column::ContactPhone,
            Expr::value(Some(contact_phone.clone()).filter(|p| !p.is_empty())),
        ),
        (application::Column::FirstProjectYear, Expr::value(first)),
        (application::Column::LastProjectYear, Expr::value(last)),
        (application::Column::UpdatedAt, Expr::value(Utc::now())),
    ];
    let txn = crate::db::begin_write(&state.db).await?;
    let mut update = application::Entity::update_many()
        .col_expr(application::Column::Version, Expr::value(version + 1))
        .filter(application::Column::Id.eq(app.id))
        .filter(application::Column::Version.eq(version));
    for (column, value) in changes {
        update = update.col_expr(column, value);
    }
    if update.exec(&txn).await?.rows_affected != 1 {
        txn.rollback().await?;
        let mut errors = FormErrors::default();
        errors.add("title", CONFLICT_MESSAGE);
        let fresh = drafts::load(
            &state.db,
            load_for(&state, &user, &id, Action::EditDossier, ctx.ip.clone()).await?,
        )
        .await?;
        let mut form = form;
        form.version = fresh.dossier.application.version.to_string();
        let page = general_view(&state, &ctx, &fresh, form, errors).await?;
        return Ok((StatusCode::CONFLICT, page).into_response());
    }
    audit::record(
        &txn,
        AuditEntry::new("application.general_saved", "application", Some(app.id.to_string()))
            .by(Some(user.user.id), user.label())
            .from_ip(ctx.ip.clone())
            .before(serde_json::json!({"title": app.title, "summary": app.summary, "contact_name": app.contact_name, "contact_email": app.contact_email, "first_project_year": app.first_project_year, "last_project_year": app.last_project_year}))
            .after(serde_json::json!({"title": title, "summary": summary, "contact_name": contact_name, "contact_email": contact_email, "first_project_year": first, "last_project_year": last})),
    )
    .await?;
    txn.commit().await?;
    Ok(redirect_with_flash(
        &format!("/dossiers/{}", app.id),
        "Algemene gegevens bewaard.",
        state.config.secure_cookies(),
    ))
}

// ------------------------------------------------------------------ actions

pub struct CatalogEntry {
    pub call_action_id: i64,
    pub code: String,
    pub title: String,
    pub objectives: String,
    pub unit_label: String,
    pub unit_cost: String,
    pub max_reach: i32,
    pub chosen: bool,
}

pub struct ChosenLine {
    pub id: i64,
    pub rank: i32,
    pub code: String,
    pub title: String,
    pub planned: i32,
    pub unit_label: String,
    pub grant: String,
    pub own: String,
    pub kpi_count: usize,
    pub problems: usize,
}

#[derive(Template)]
#[template(path = "dossier/actions.html")]
pub struct ActionsPage {
    pub layout: Layout,
    pub dossier: DossierHeader,
    pub errors: FormErrors,
    pub chosen: Vec<ChosenLine>,
    pub catalog: Vec<CatalogEntry>,
    pub results: Vec<ShownResult>,
}

async fn actions_view(
    state: &AppState,
    ctx: &PageContext,
    content: &DossierContent,
    errors: FormErrors,
) -> Result<Html<String>, AppError> {
    let report = content.report(&state.db).await?;
    let chosen = content
        .actions
        .iter()
        .map(|a| {
            let (_, problems) = action_results(&report, &a.action.code);
            let money_line = a
                .code()
                .and_then(|code| report.actions.iter().find(|m| m.code == code));
            ChosenLine {
                id: a.row.id,
                rank: a.row.priority_rank,
                code: a.action.code.clone(),
                title: a.action.title.clone(),
                planned: a.row.planned_reach,
                unit_label: a.call_action.unit_label.clone(),
                grant: money_line
                    .and_then(|m| m.grant_per_year.first().map(|(_, c)| c.to_string()))
                    .unwrap_or_else(|| money(0)),
                own: money(a.row.own_contribution_cents),
                kpi_count: a.kpis.len(),
                problems: problems.len()
                    + a.kpis
                        .iter()
                        .enumerate()
                        .map(|(i, _)| kpi_results(&report, &a.action.code, i).len())
                        .sum::<usize>(),
            }
        })
        .collect();
    let catalog = content
        .call
        .actions
        .iter()
        .map(|(ca, a)| CatalogEntry {
            call_action_id: ca.id,
            code: a.code.clone(),
            title: a.title.clone(),
            objectives: a.objectives.clone(),
            unit_label: ca.unit_label.clone(),
            unit_cost: money(ca.unit_cost_cents),
            max_reach: ca.max_reach,
            chosen: content.actions.iter().any(|c| c.call_action.id == ca.id),
        })
        .collect();
    render(&ActionsPage {
        layout: ctx.layout("Acties"),
        dossier: header(content, true),
        errors,
        chosen,
        catalog,
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
    CurrentUser(user): CurrentUser,
    ctx: PageContext,
    Path(id): Path<String>,
) -> Result<Html<String>, AppError> {
    let content = editable(&state, &user, &id, ctx.ip.clone(), "acties").await?;
    actions_view(&state, &ctx, &content, FormErrors::default()).await
}

#[derive(Debug, Deserialize)]
pub struct AddActionForm {
    #[serde(default)]
    pub call_action_id: String,
}

async fn add_action(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ctx: PageContext,
    Path(id): Path<String>,
    Form(form): Form<AddActionForm>,
) -> Result<Response, AppError> {
    let content = editable(&state, &user, &id, ctx.ip.clone(), "acties").await?;
    let chosen = form
        .call_action_id
        .trim()
        .parse::<i64>()
        .ok()
        .and_then(|cid| {
            content
                .call
                .actions
                .iter()
                .find(|(ca, _)| ca.id == cid)
                .cloned()
        });
    let Some((call_action, action)) = chosen else {
        let mut errors = FormErrors::default();
        errors.add(
            "call_action_id",
            "Kies een actie uit de lijst van de oproep.",
        );
        let page = actions_view(&state, &ctx, &content, errors).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    if content
        .actions
        .iter()
        .any(|a| a.call_action.id == call_action.id)
    {
        let mut errors = FormErrors::default();
        errors.add(
            "call_action_id",
            format!("Actie {} staat al in uw dossier.", action.code),
        );
        let page = actions_view(&state, &ctx, &content, errors).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    let app_id = content.dossier.application.id;
    let rank = content
        .actions
        .iter()
        .map(|a| a.row.priority_rank)
        .max()
        .unwrap_or(0)
        + 1;
    let txn = crate::db::begin_write(&state.db).await?;
    let inserted = application_action::ActiveModel {
        application_id: Set(app_id),
        call_action_id: Set(call_action.id),
        priority_rank: Set(rank),
        baseline_reach: Set(0),
        planned_reach: Set(1),
        grant_cents: Set(call_action.unit_cost_cents),
        own_contribution_cents: Set(0),
        description: Set(String::new()),
        partners: Set(None),
        version: Set(1),
        ..Default::default()
    }
    .insert(&txn)
    .await;
    let inserted = match inserted {
        Ok(row) => row,
        Err(err) if crate::web::dossiers::is_unique_violation(&err) => {
            txn.rollback().await?;
            return Ok(redirect_with_flash(
                &format!("/dossiers/{app_id}/acties"),
                "Deze actie stond al in uw dossier.",
                state.config.secure_cookies(),
            ));
        }
        Err(err) => return Err(err.into()),
    };
    kpi::ActiveModel {
        application_action_id: Set(inserted.id),
        is_reach_kpi: Set(true),
        indicator: Set(format!("Bereik: aantal {}", call_action.unit_label)),
        unit: Set(call_action.unit_label.clone()),
        baseline: Set(0),
        target: Set(1000),
        target_date: Set(content.default_target_date()),
        measurement: Set("Telling door de gemeente, gestaafd met deelnemerslijsten.".into()),
        version: Set(1),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    touch(&txn, app_id).await?;
    audit::record(
        &txn,
        AuditEntry::new(
            "application.action_added",
            "application",
            Some(app_id.to_string()),
        )
        .by(Some(user.user.id), user.label())
        .from_ip(ctx.ip.clone())
        .after(serde_json::json!({"action": action.code, "priority_rank": rank})),
    )
    .await?;
    txn.commit().await?;
    Ok(redirect_with_flash(
        &format!("/dossiers/{app_id}/acties/{}", inserted.id),
        &format!(
            "Actie {} toegevoegd. Vul het bereik, de eigen inbreng en de beschrijving in.",
            action.code
        ),
        state.config.secure_cookies(),
    ))
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
    pub unit_cost: String,
    pub max_reach: i32,
    pub grant: String,
    pub required_own: String,
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
    pub baseline: String,
    pub target: String,
    pub target_date: String,
    pub measurement: String,
    pub is_reach: bool,
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
    pub description: String,
    #[serde(default)]
    pub partners: String,
    #[serde(default)]
    pub version: String,
}

impl ActionForm {
    fn from_row(row: &application_action::Model) -> Self {
        Self {
            priority: row.priority_rank.to_string(),
            baseline_reach: row.baseline_reach.to_string(),
            planned_reach: row.planned_reach.to_string(),
            own_contribution: Cents::new(row.own_contribution_cents)
                .map(|c| c.to_plain_string())
                .unwrap_or_default(),
            description: row.description.clone(),
            partners: row.partners.clone().unwrap_or_default(),
            version: row.version.to_string(),
        }
    }
}

fn find_action<'a>(
    content: &'a DossierContent,
    action: &str,
) -> Result<&'a ChosenAction, AppError> {
    let id: i64 = action.parse().map_err(|_| AppError::NotFound)?;
    content
        .actions
        .iter()
        .find(|a| a.row.id == id)
        .ok_or(AppError::NotFound)
}

#[allow(clippy::too_many_arguments)]
async fn action_view(
    state: &AppState,
    ctx: &PageContext,
    content: &DossierContent,
    chosen: &ChosenAction,
    form: ActionForm,
    mut errors: FormErrors,
    new_kpi: KpiForm,
    kpi_errors: FormErrors,
) -> Result<Html<String>, AppError> {
    let report = content.report(&state.db).await?;
    let (by_field, results) = action_results(&report, &chosen.action.code);
    // Rule violations show next to their field when the form has no reading errors.
    if errors.is_empty() {
        for (field, message) in by_field {
            let field = if field == "action_code" {
                "priority".to_owned()
            } else {
                field
            };
            errors.add(&field, message);
        }
    }
    let money_line = chosen
        .code()
        .and_then(|code| report.actions.iter().find(|m| m.code == code));
    let grant = money_line
        .and_then(|m| m.grant_per_year.first().map(|(_, c)| *c))
        .unwrap_or_default();
    let required_own = content
        .call
        .rules
        .required_own_contribution(grant)
        .map(|c| c.to_string())
        .unwrap_or_default();
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
        unit_cost: money(chosen.call_action.unit_cost_cents),
        max_reach: chosen.call_action.max_reach,
        grant: grant.to_string(),
        required_own,
        baseline_hint: format!(
            "Aantal {} dat u vandaag al bereikt.",
            chosen.call_action.unit_label
        ),
        planned_hint: format!(
            "Aantal {} dat u met de subsidie bereikt, hoogstens {}.",
            chosen.call_action.unit_label, chosen.call_action.max_reach
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
                baseline: kpi_text(k.baseline),
                target: kpi_text(k.target),
                target_date: k.target_date.format("%d-%m-%Y").to_string(),
                measurement: k.measurement.clone(),
                is_reach: k.is_reach_kpi,
                results: kpi_results(&report, &chosen.action.code, i),
            })
            .collect(),
        new_kpi,
        kpi_errors,
    })
}

async fn action_page(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ctx: PageContext,
    Path((id, action)): Path<(String, String)>,
) -> Result<Html<String>, AppError> {
    let content = editable(&state, &user, &id, ctx.ip.clone(), "acties").await?;
    let chosen = find_action(&content, &action)?;
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

async fn save_action(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ctx: PageContext,
    Path((id, action)): Path<(String, String)>,
    Form(form): Form<ActionForm>,
) -> Result<Response, AppError> {
    let content = editable(&state, &user, &id, ctx.ip.clone(), "acties").await?;
    let chosen = find_action(&content, &action)?;
    let mut errors = FormErrors::default();
    let priority = match form.priority.trim().parse::<u32>() {
        Ok(p) if (1..=999).contains(&p) => Some(p),
        _ => {
            errors.add(
                "priority",
                "Vul een prioriteit in als geheel getal vanaf 1 (1 is het belangrijkst).",
            );
            None
        }
    };
    let mut reach = |text: &str, field: &str, label: &str| match Reach::parse(text) {
        Ok(r) => Some(r),
        Err(e) => {
            errors.add(field, format!("{label}: {e}"));
            None
        }
    };
    let baseline = reach(&form.baseline_reach, "baseline_reach", "Huidig bereik");
    let planned = reach(&form.planned_reach, "planned_reach", "Gepland bereik");
    let own = match Cents::parse(&form.own_contribution) {
        Ok(c) => Some(c),
        Err(e) => {
            errors.add("own_contribution", format!("Eigen inbreng: {e}"));
            None
        }
    };
    let description = text_limit(
        &form.description,
        "description",
        "een beschrijving van de actie",
        true,
        &mut errors,
    );
    let partners = text_limit(
        &form.partners,
        "partners",
        "de partners",
        false,
        &mut errors,
    );
    let version: i32 = form.version.trim().parse().unwrap_or(-1);
    let (Some(priority), Some(baseline), Some(planned), Some(own), true) =
        (priority, baseline, planned, own, errors.is_empty())
    else {
        let page = action_view(
            &state,
            &ctx,
            &content,
            chosen,
            form,
            errors,
            KpiForm::fresh(&content),
            FormErrors::default(),
        )
        .await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    // The grant follows from the rules (reach x unit cost, capped); stored for lists and exports.
    let capped = std::cmp::min(
        planned.get(),
        u32::try_from(chosen.call_action.max_reach).unwrap_or(0),
    );
    let grant = chosen
        .call_action
        .unit_cost_cents
        .saturating_mul(i64::from(capped));
    let to_i32 = |v: u32| i32::try_from(v).unwrap_or(i32::MAX);
    let txn = crate::db::begin_write(&state.db).await?;
    let updated = application_action::Entity::update_many()
        .col_expr(
            application_action::Column::PriorityRank,
            Expr::value(to_i32(priority)),
        )
        .col_expr(
            application_action::Column::BaselineReach,
            Expr::value(to_i32(baseline.get())),
        )
        .col_expr(
            application_action::Column::PlannedReach,
            Expr::value(to_i32(planned.get())),
        )
        .col_expr(
            application_action::Column::OwnContributionCents,
            Expr::value(own.get()),
        )
        .col_expr(application_action::Column::GrantCents, Expr::value(grant))
        .col_expr(
            application_action::Column::Description,
            Expr::value(description.clone()),
        )
        .col_expr(
            application_action::Column::Partners,
            Expr::value(Some(partners.clone()).filter(|p| !p.is_empty())),
        )
        .col_expr(
            application_action::Column::Version,
            Expr::value(version + 1),
        )
        .filter(application_action::Column::Id.eq(chosen.row.id))
        .filter(application_action::Column::Version.eq(version))
        .exec(&txn)
        .await?;
    if updated.rows_affected != 1 {
        txn.rollback().await?;
        let mut errors = FormErrors::default();
        errors.add("priority", CONFLICT_MESSAGE);
        let mut form = form;
        form.version = chosen.row.version.to_string();
        let page = action_view(
            &state,
            &ctx,
            &content,
            chosen,
            form,
            errors,
            KpiForm::fresh(&content),
            FormErrors::default(),
        )
        .await?;
        return Ok((StatusCode::CONFLICT, page).into_response());
    }
    // The reach KPI follows the action's reach.
    kpi::Entity::update_many()
        .col_expr(
            kpi::Column::Baseline,
            Expr::value(i64::from(baseline.get()) * 1000),
        )
        .col_expr(
            kpi::Column::Target,
            Expr::value(i64::from(planned.get()) * 1000),
        )
        .col_expr(kpi::Column::Version, Expr::col(kpi::Column::Version).add(1))
        .filter(kpi::Column::ApplicationActionId.eq(chosen.row.id))
        .filter(kpi::Column::IsReachKpi.eq(true))
        .exec(&txn)
        .await?;
    touch(&txn, content.dossier.application.id).await?;
    audit::record(
        &txn,
        AuditEntry::new("application.action_saved", "application", Some(content.dossier.application.id.to_string()))
            .by(Some(user.user.id), user.label())
            .from_ip(ctx.ip.clone())
            .before(serde_json::json!({"action": chosen.action.code, "priority_rank": chosen.row.priority_rank, "baseline_reach": chosen.row.baseline_reach, "planned_reach": chosen.row.planned_reach, "own_contribution_cents": chosen.row.own_contribution_cents}))
            .after(serde_json::json!({"action": chosen.action.code, "priority_rank": priority, "baseline_reach": baseline.get(), "planned_reach": planned.get(), "own_contribution_cents": own.get()})),
    )
    .await?;
    txn.commit().await?;
    Ok(redirect_with_flash(
        &format!(
            "/dossiers/{}/acties/{}",
            content.dossier.application.id, chosen.row.id
        ),
        &format!("Actie {} bewaard.", chosen.action.code),
        state.config.secure_cookies(),
    ))
}

async fn delete_action(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ctx: PageContext,
    Path((id, action)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let content = editable(&state, &user, &id, ctx.ip.clone(), "acties").await?;
    let chosen = find_action(&content, &action)?;
    let txn = crate::db::begin_write(&state.db).await?;
    application_action::Entity::delete_by_id(chosen.row.id)
        .exec(&txn)
        .await?;
    touch(&txn, content.dossier.application.id).await?;
    audit::record(
        &txn,
        AuditEntry::new("application.action_removed", "application", Some(content.dossier.application.id.to_string()))
            .by(Some(user.user.id), user.label())
            .from_ip(ctx.ip.clone())
            .before(serde_json::json!({"action": chosen.action.code, "priority_rank": chosen.row.priority_rank, "planned_reach": chosen.row.planned_reach, "own_contribution_cents": chosen.row.own_contribution_cents, "description": chosen.row.description})),
    )
    .await?;
    txn.commit().await?;
    Ok(redirect_with_flash(
        &format!("/dossiers/{}/acties", content.dossier.application.id),
        &format!("Actie {} verwijderd.", chosen.action.code),
        state.config.secure_cookies(),
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
    #[serde(default)]
    pub version: String,
}

impl KpiForm {
    fn fresh(content: &DossierContent) -> Self {
        Self {
            target_date: content.default_target_date().format("%Y-%m-%d").to_string(),
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
            version: row.version.to_string(),
        }
    }
}

/// A KPI as read from its form.
struct KpiInput {
    indicator: String,
    unit: String,
    baseline: i64,
    target: i64,
    target_date: NaiveDate,
    measurement: String,
}

fn parse_date(text: &str) -> Option<NaiveDate> {
    let text = text.trim();
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(text, "%d-%m-%Y"))
        .or_else(|_| NaiveDate::parse_from_str(text, "%d/%m/%Y"))
        .ok()
}

fn read_kpi(form: &KpiForm, errors: &mut FormErrors) -> Option<KpiInput> {
    let indicator = text_limit(&form.indicator, "indicator", "de indicator", true, errors);
    let unit = text_limit(&form.unit, "unit", "de eenheid", true, errors);
    let measurement = text_limit(&form.measurement, "measurement", "hoe u meet", true, errors);
    let mut value = |text: &str, field: &str, label: &str| match KpiValue::parse(text) {
        Ok(v) => i64::try_from(v.thousandths()).ok(),
        Err(e) => {
            errors.add(field, format!("{label}: {e}"));
            None
        }
    };
    let baseline = value(&form.baseline, "baseline", "Nulmeting");
    let target = value(&form.target, "target", "Streefwaarde");
    let target_date = parse_date(&form.target_date);
    if target_date.is_none() {
        errors.add("target_date", "Vul een datum in, bijvoorbeeld 30-09-2023.");
    }
    Some(KpiInput {
        indicator,
        unit,
        baseline: baseline?,
        target: target?,
        target_date: target_date?,
        measurement,
    })
    .filter(|_| errors.is_empty())
}

async fn add_kpi(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ctx: PageContext,
    Path((id, action)): Path<(String, String)>,
    Form(form): Form<KpiForm>,
) -> Result<Response, AppError> {
    let content = editable(&state, &user, &id, ctx.ip.clone(), "acties").await?;
    let chosen = find_action(&content, &action)?;
    let mut errors = FormErrors::default();
    let Some(input) = read_kpi(&form, &mut errors) else {
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
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    let txn = crate::db::begin_write(&state.db).await?;
    kpi::ActiveModel {
        application_action_id: Set(chosen.row.id),
        is_reach_kpi: Set(false),
        indicator: Set(input.indicator.clone()),
        unit: Set(input.unit),
        baseline: Set(input.baseline),
        target: Set(input.target),
        target_date: Set(input.target_date),
        measurement: Set(input.measurement),
        version: Set(1),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    touch(&txn, content.dossier.application.id).await?;
    audit::record(
        &txn,
        AuditEntry::new(
            "application.kpi_added",
            "application",
            Some(content.dossier.application.id.to_string()),
        )
        .by(Some(user.user.id), user.label())
        .from_ip(ctx.ip.clone())
        .after(serde_json::json!({"action": chosen.action.code, "indicator": input.indicator})),
    )
    .await?;
    txn.commit().await?;
    Ok(redirect_with_flash(
        &format!(
            "/dossiers/{}/acties/{}",
            content.dossier.application.id, chosen.row.id
        ),
        "KPI toegevoegd.",
        state.config.secure_cookies(),
    ))
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

fn find_kpi<'a>(
    content: &'a DossierContent,
    kpi: &str,
) -> Result<(&'a ChosenAction, usize, &'a kpi::Model), AppError> {
    let id: i64 = kpi.parse().map_err(|_| AppError::NotFound)?;
    content
        .actions
        .iter()
        .find_map(|a| {
            a.kpis
                .iter()
                .position(|k| k.id == id)
                .map(|i| (a, i, &a.kpis[i]))
        })
        .ok_or(AppError::NotFound)
}

async fn kpi_view(
    state: &AppState,
    ctx: &PageContext,
    content: &DossierContent,
    kpi_ref: &str,
    form: KpiForm,
    mut errors: FormErrors,
) -> Result<Html<String>, AppError> {
    let (chosen, index, row) = find_kpi(content, kpi_ref)?;
    let report = content.report(&state.db).await?;
    let results = kpi_results(&report, &chosen.action.code, index);
    if errors.is_empty() {
        for r in report
            .results
            .iter()
            .filter(|r| r.outcome != crate::domain::Outcome::Pass)
        {
            if let Some(f) = r.field.filter(|f| {
                f.kpi == Some(index)
                    && f.action.map(|a| a.to_string()).as_deref()
                        == Some(chosen.action.code.as_str())
            }) {
                let name = match f.field.map(|x| x.as_str()) {
                    Some("kpi_indicator") => "indicator",
                    Some("kpi_unit") => "unit",
                    Some("kpi_baseline") => "baseline",
                    Some("kpi_target") => "target",
                    Some("kpi_target_date") => "target_date",
                    Some("kpi_measurement") => "measurement",
                    _ => continue,
                };
                errors.add(name, r.message.clone());
            }
        }
    }
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
    CurrentUser(user): CurrentUser,
    ctx: PageContext,
    Path((id, kpi_id)): Path<(String, String)>,
) -> Result<Html<String>, AppError> {
    let content = editable(&state, &user, &id, ctx.ip.clone(), "acties").await?;
    let (_, _, row) = find_kpi(&content, &kpi_id)?;
    let form = KpiForm::from_row(row);
    kpi_view(&state, &ctx, &content, &kpi_id, form, FormErrors::default()).await
}

async fn save_kpi(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ctx: PageContext,
    Path((id, kpi_id)): Path<(String, String)>,
    Form(form): Form<KpiForm>,
) -> Result<Response, AppError> {
    let content = editable(&state, &user, &id, ctx.ip.clone(), "acties").await?;
    let (chosen, _, row) = find_kpi(&content, &kpi_id)?;
    let mut errors = FormErrors::default();
    let Some(input) = read_kpi(&form, &mut errors) else {
        let page = kpi_view(&state, &ctx, &content, &kpi_id, form, errors).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    let version: i32 = form.version.trim().parse().unwrap_or(-1);
    let txn = crate::db::begin_write(&state.db).await?;
    let mut update = kpi::Entity::update_many()
        .col_expr(kpi::Column::TargetDate, Expr::value(input.target_date))
        .col_expr(
            kpi::Column::Measurement,
            Expr::value(input.measurement.clone()),
        )
        .col_expr(kpi::Column::Version, Expr::value(version + 1))
        .filter(kpi::Column::Id.eq(row.id))
        .filter(kpi::Column::Version.eq(version));
    if !row.is_reach_kpi {
        // The reach KPI's indicator, unit and numbers follow the action.
        update = update
            .col_expr(kpi::Column::Indicator, Expr::value(input.indicator.clone()))
            .col_expr(kpi::Column::Unit, Expr::value(input.unit.clone()))
            .col_expr(kpi::Column::Baseline, Expr::value(input.baseline))
            .col_expr(kpi::Column::Target, Expr::value(input.target));
    }
    if update.exec(&txn).await?.rows_affected != 1 {
        txn.rollback().await?;
        let mut errors = FormErrors::default();
        errors.add("indicator", CONFLICT_MESSAGE);
        let mut form = form;
        form.version = row.version.to_string();
        let page = kpi_view(&state, &ctx, &content, &kpi_id, form, errors).await?;
        return Ok((StatusCode::CONFLICT, page).into_response());
    }
    touch(&txn, content.dossier.application.id).await?;
    audit::record(
        &txn,
        AuditEntry::new("application.kpi_saved", "application", Some(content.dossier.application.id.to_string()))
            .by(Some(user.user.id), user.label())
            .from_ip(ctx.ip.clone())
            .before(serde_json::json!({"kpi": row.id, "indicator": row.indicator, "baseline": row.baseline, "target": row.target, "target_date": row.target_date}))
            .after(serde_json::json!({"kpi": row.id, "indicator": input.indicator, "baseline": input.baseline, "target": input.target, "target_date": input.target_date})),
    )
    .await?;
    txn.commit().await?;
    Ok(redirect_with_flash(
        &format!(
            "/dossiers/{}/acties/{}",
            content.dossier.application.id, chosen.row.id
        ),
        "KPI bewaard.",
        state.config.secure_cookies(),
    ))
}

async fn delete_kpi(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ctx: PageContext,
    Path((id, kpi_id)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let content = editable(&state, &user, &id, ctx.ip.clone(), "acties").await?;
    let (chosen, _, row) = find_kpi(&content, &kpi_id)?;
    if row.is_reach_kpi {
        return Err(AppError::Conflict(
            "De bereik-KPI hoort bij de actie en kan niet apart verwijderd worden.".into(),
        ));
    }
    let txn = crate::db::begin_write(&state.db).await?;
    kpi::Entity::delete_by_id(row.id).exec(&txn).await?;
    touch(&txn, content.dossier.application.id).await?;
    audit::record(
        &txn,
        AuditEntry::new(
            "application.kpi_removed",
            "application",
            Some(content.dossier.application.id.to_string()),
        )
        .by(Some(user.user.id), user.label())
        .from_ip(ctx.ip.clone())
        .before(serde_json::json!({"kpi": row.id, "indicator": row.indicator})),
    )
    .await?;
    txn.commit().await?;
    Ok(redirect_with_flash(
        &format!(
            "/dossiers/{}/acties/{}",
            content.dossier.application.id, chosen.row.id
        ),
        "KPI verwijderd.",
        state.config.secure_cookies(),
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
    CurrentUser(user): CurrentUser,
    ctx: PageContext,
    Path(id): Path<String>,
) -> Result<Html<String>, AppError> {
    let content = editable(&state, &user, &id, ctx.ip.clone(), "acties").await?;
    let report = content.report(&state.db).await?;
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
    pub version: i32,
}

pub const DECLARATIONS: [(&str, &str); 3] = [
    (
        "truthful",
        "Ik verklaar dat de gegevens in dit dossier juist en volledig zijn.",
    ),
    (
        "mandate",
        "Ik ben gemachtigd om dit dossier in te dienen namens mijn bestuur (beslissing van de gemeenteraad of het college in bijlage).",
    ),
    (
        "cofinancing",
        "Mijn bestuur brengt de eigen inbreng (cofinanciering) in zoals in de begroting vermeld, en rapporteert over de KPI's.",
    ),
];

async fn declarations_page(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ctx: PageContext,
    Path(id): Path<String>,
) -> Result<Html<String>, AppError> {
    let content = editable(&state, &user, &id, ctx.ip.clone(), "verklaringen").await?;
    render(&DeclarationsPage {
        layout: ctx.layout("Verklaringen"),
        dossier: header(&content, true),
        errors: FormErrors::default(),
        accepted: content
            .dossier
            .application
            .declarations_accepted_at
            .is_some(),
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

async fn save_declarations(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ctx: PageContext,
    Path(id): Path<String>,
    Form(form): Form<DeclarationsForm>,
) -> Result<Response, AppError> {
    let content = editable(&state, &user, &id, ctx.ip.clone(), "verklaringen").await?;
    let app = &content.dossier.application;
    let mut errors = FormErrors::default();
    for (given, (name, _)) in [&form.truthful, &form.mandate, &form.cofinancing]
        .iter()
        .zip(DECLARATIONS)
    {
        if given.is_none() {
            errors.add(name, "Vink deze verklaring aan om te kunnen indienen.");
        }
    }
    if !errors.is_empty() {
        let page = render(&DeclarationsPage {
            layout: ctx.layout("Verklaringen"),
            dossier: header(&content, true),
            errors,
            accepted: false,
            version: app.version,
        })?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    let version: i32 = form.version.trim().parse().unwrap_or(-1);
    let txn = crate::db::begin_write(&state.db).await?;
    let updated = application::Entity::update_many()
        .col_expr(
            application::Column::DeclarationsAcceptedAt,
            Expr::value(Some(Utc::now())),
        )
        .col_expr(application::Column::UpdatedAt, Expr::value(Utc::now()))
        .col_expr(application::Column::Version, Expr::value(version + 1))
        .filter(application::Column::Id.eq(app.id))
        .filter(application::Column::Version.eq(version))
        .exec(&txn)
        .await?;
    if updated.rows_affected != 1 {
        txn.rollback().await?;
        let mut errors = FormErrors::default();
        errors.add("truthful", CONFLICT_MESSAGE);
        let page = render(&DeclarationsPage {
            layout: ctx.layout("Verklaringen"),
            dossier: header(&content, true),
            errors,
            accepted: false,
            version: app.version,
        })?;
        return Ok((StatusCode::CONFLICT, page).into_response());
    }
    audit::record(
        &txn,
        AuditEntry::new(
            "application.declarations_accepted",
            "application",
            Some(app.id.to_string()),
        )
        .by(Some(user.user.id), user.label())
        .from_ip(ctx.ip.clone()),
    )
    .await?;
    txn.commit().await?;
    Ok(redirect_with_flash(
        &format!("/dossiers/{}", app.id),
        "Verklaringen bewaard.",
        state.config.secure_cookies(),
    ))
}
