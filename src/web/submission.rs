//! "Check your answers", submit, the confirmation, and withdrawal.
//!
//! Submitting re-runs every check inside the transaction, moves the dossier from draft to
//! submitted (or from changes requested to resubmitted) only if nobody changed it since the
//! check page was read, freezes a snapshot for later comparison, audits, and queues the
//! confirmation e-mail in the same transaction.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use chrono::Utc;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde::Deserialize;

use entity::application::{self, ApplicationState};
use entity::application_member;

use crate::audit::{self, AuditEntry};
use crate::auth::session::CurrentUser;
use crate::auth::session::redirect_with_flash;
use crate::error::AppError;
use crate::policy::Action;
use crate::state::AppState;
use crate::store;
use crate::store::drafts;
use crate::store::sections::By;
use crate::store::submission::Submitted;
use crate::web::context::PageContext;
use crate::web::dossier_view::{Statuses, TaskItem, ready_to_submit, statuses, tasks};
use crate::web::dossiers::{ensure_editable, load_for, may_withdraw};
use crate::web::form::Form;
use crate::web::form::FormErrors;
use crate::web::full_view::{FullView, full_view};
use crate::web::pages::{Layout, render};
use crate::web::routes::OFFICIALS;
use crate::web::{Access, RouteTable};

pub fn routes() -> RouteTable {
    RouteTable::new()
        .get("/dossiers/{id}/controle", OFFICIALS, check_page)
        .post("/dossiers/{id}/indienen", OFFICIALS, submit)
        .get("/dossiers/{id}/bevestiging", Access::SignedIn, confirmation)
        .post("/dossiers/{id}/intrekken", OFFICIALS, withdraw)
}

#[derive(Template)]
#[template(path = "dossier/check.html")]
pub struct CheckPage {
    pub layout: Layout,
    pub view: FullView,
    pub tasks: Vec<TaskItem>,
    pub sections_complete: bool,
    pub version: i32,
    pub errors: FormErrors,
}

async fn check_view(
    state: &AppState,
    ctx: &PageContext,
    content: &drafts::DossierContent,
    errors: FormErrors,
) -> Result<(Html<String>, bool), AppError> {
    let report = content.report(&state.db).await?;
    let s: Statuses = statuses(content, &report);
    let ready = ready_to_submit(content, &report);
    let mut view = full_view(content, &report);
    view.can_submit = ready;
    view.header.editable = true;
    let page = render(&CheckPage {
        layout: ctx.layout("Controleren en indienen"),
        tasks: tasks(content.dossier.application.id, &s),
        sections_complete: s.all_complete(),
        version: content.dossier.application.version,
        view,
        errors,
    })?;
    Ok((page, ready))
}

async fn check_page(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ctx: PageContext,
    Path(id): Path<String>,
) -> Result<Html<String>, AppError> {
    let dossier = load_for(&state, &user, &id, Action::EditDossier, ctx.ip.clone()).await?;
    ensure_editable(&dossier)?;
    let content = drafts::load(&state.db, dossier).await?;
    Ok(check_view(&state, &ctx, &content, FormErrors::default())
        .await?
        .0)
}

#[derive(Debug, Deserialize)]
pub struct SubmitForm {
    #[serde(default)]
    pub version: String,
}

async fn submit(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ctx: PageContext,
    Path(id): Path<String>,
    Form(form): Form<SubmitForm>,
) -> Result<Response, AppError> {
    let dossier = load_for(&state, &user, &id, Action::EditDossier, ctx.ip.clone()).await?;
    ensure_editable(&dossier)?;
    let content = drafts::load(&state.db, dossier).await?;
    let now = Utc::now();
    store::submission::ensure_within_deadline(&content, now)?;
    let report = content.report(&state.db).await?;
    if !ready_to_submit(&content, &report) {
        let mut errors = FormErrors::default();
        errors.add(
            "submit",
            "Het dossier kan nog niet ingediend worden: werk eerst de onderdelen hieronder af.",
        );
        let (page, _) = check_view(&state, &ctx, &content, errors).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    let version: i32 = form.version.trim().parse().unwrap_or(-1);
    let by = By::of(&user, ctx.ip.clone());
    let outcome = store::submission::submit(&state, &content, &report, version, &by, now).await?;
    if outcome == Submitted::Conflict {
        let mut errors = FormErrors::default();
        errors.add("submit", "Het dossier werd intussen gewijzigd. Controleer de gegevens hieronder en dien opnieuw in.");
        let fresh = drafts::load(
            &state.db,
            load_for(&state, &user, &id, Action::EditDossier, ctx.ip.clone()).await?,
        )
        .await?;
        let (page, _) = check_view(&state, &ctx, &fresh, errors).await?;
        return Ok((StatusCode::CONFLICT, page).into_response());
    }
    Ok(redirect_with_flash(
        &format!("/dossiers/{}/bevestiging", content.dossier.application.id),
        "Uw dossier is ingediend.",
        state.config.secure_cookies(),
    ))
}

#[derive(Template)]
#[template(path = "dossier/confirmation.html")]
pub struct ConfirmationPage {
    pub layout: Layout,
    pub reference: String,
    pub id: i64,
    pub submitted_at: String,
    pub state_label: &'static str,
}

async fn confirmation(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ctx: PageContext,
    Path(id): Path<String>,
) -> Result<Html<String>, AppError> {
    let dossier = load_for(&state, &user, &id, Action::ViewDossier, ctx.ip.clone()).await?;
    let app = dossier.application;
    render(&ConfirmationPage {
        layout: ctx.layout("Dossier ingediend"),
        reference: app.reference.clone(),
        id: app.id,
        submitted_at: app
            .submitted_at
            .map(crate::domain::dutch::format_moment)
            .unwrap_or_else(|| "nog niet ingediend".into()),
        state_label: crate::web::dossiers::state_label(app.state),
    })
}

#[derive(Debug, Deserialize)]
pub struct WithdrawForm {
    #[serde(default)]
    pub reason: String,
    #[serde(default)]
    pub version: String,
}

/// Withdraws a dossier before ABB decides. Its municipalities are free again for this call.
async fn withdraw(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ctx: PageContext,
    Path(id): Path<String>,
    Form(form): Form<WithdrawForm>,
) -> Result<Response, AppError> {
    let dossier = load_for(&state, &user, &id, Action::EditDossier, ctx.ip.clone()).await?;
    let app = dossier.application.clone();
    if !may_withdraw(app.state) {
        return Err(AppError::Conflict(format!(
            "Dossier {} is {} en kan niet meer ingetrokken worden.",
            app.reference,
            crate::web::dossiers::state_label(app.state)
        )));
    }
    let reason = form.reason.trim();
    if reason.is_empty() || reason.chars().count() > 2000 {
        return Err(AppError::BadRequest(
            "Geef kort de reden op waarom u het dossier intrekt (hoogstens 2000 tekens).".into(),
        ));
    }
    let version: i32 = form.version.trim().parse().unwrap_or(-1);
    let now = Utc::now();
    let txn = crate::db::begin_write(&state.db).await?;
    let updated = application::Entity::update_many()
        .col_expr(
            application::Column::State,
            Expr::value(ApplicationState::Withdrawn),
        )
        .col_expr(application::Column::UpdatedAt, Expr::value(now))
        .col_expr(application::Column::Version, Expr::value(version + 1))
        .filter(application::Column::Id.eq(app.id))
        .filter(application::Column::Version.eq(version))
        .exec(&txn)
        .await?;
    if updated.rows_affected != 1 {
        txn.rollback().await?;
        return Err(AppError::Conflict(
            "Het dossier werd intussen gewijzigd. Open het opnieuw en probeer nog eens.".into(),
        ));
    }
    application_member::Entity::delete_many()
        .filter(application_member::Column::ApplicationId.eq(app.id))
        .exec(&txn)
        .await?;
    audit::record(
        &txn,
        AuditEntry::new(
            "application.withdrawn",
            "application",
            Some(app.id.to_string()),
        )
        .by(Some(user.user.id), user.label())
        .from_ip(ctx.ip.clone())
        .before(serde_json::json!({"state": app.state, "members": dossier.member_names}))
        .after(serde_json::json!({"state": ApplicationState::Withdrawn}))
        .details(reason.to_owned()),
    )
    .await?;
    txn.commit().await?;
    Ok(redirect_with_flash(
        &format!("/dossiers/{}", app.id),
        &format!("Dossier {} is ingetrokken.", app.reference),
        state.config.secure_cookies(),
    ))
}
