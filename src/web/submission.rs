//! "Check your answers", submit, the confirmation, and withdrawal.
//!
//! Submitting re-runs every check inside the transaction, moves the dossier from draft to
//! submitted (or from changes requested to resubmitted) only if nobody changed it since the
//! check page was read, freezes a snapshot for later comparison, audits, and queues the
//! confirmation e-mail in the same transaction.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use serde::Deserialize;

use crate::app::dossier::Submission;
use crate::app::{self, Caller};
use crate::auth::session::CurrentUser;
use crate::error::AppError;
use crate::policy::Action;
use crate::state::AppState;
use crate::store::drafts;
use crate::web::context::PageContext;
use crate::web::dossier_view::{Statuses, TaskItem, ready_to_submit, statuses, tasks};
use crate::web::dossiers::load_for;
use crate::web::extract::{FlashRedirect, Id};
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
    caller: Caller,
    ctx: PageContext,
    Id(id): Id,
) -> Result<Html<String>, AppError> {
    let content = app::dossier::for_editing(&state, &caller, id).await?;
    Ok(check_view(&state, &ctx, &content, FormErrors::default())
        .await?
        .0)
}

#[derive(Debug, Deserialize)]
pub struct SubmitForm {
    #[serde(default)]
    pub version: String,
}

/// Adapter: the check page's button → [`app::dossier::submit`] → the confirmation, or the check
/// page again with what is missing (422) or with the newest data after a concurrent change (409).
async fn submit(
    State(state): State<AppState>,
    caller: Caller,
    ctx: PageContext,
    Id(id): Id,
    Form(form): Form<SubmitForm>,
) -> Result<Response, AppError> {
    let version: i32 = form.version.trim().parse().unwrap_or(-1);
    let (status, message, content) = match app::dossier::submit(&state, &caller, id, version).await
    {
        Ok(Submission::Done(_)) => {
            return Ok(FlashRedirect::new(
                format!("/dossiers/{id}/bevestiging"),
                "Uw dossier is ingediend.",
            )
            .into_response());
        }
        Ok(Submission::NotReady { content, .. }) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            "Het dossier kan nog niet ingediend worden: werk eerst de onderdelen hieronder af.",
            *content,
        ),
        Err(app::Error::Stale) => (
            StatusCode::CONFLICT,
            "Het dossier werd intussen gewijzigd. Controleer de gegevens hieronder en dien opnieuw in.",
            app::dossier_for(&state, &caller, id, Action::EditDossier).await?,
        ),
        Err(other) => return Err(other.into()),
    };
    let mut errors = FormErrors::default();
    errors.add("submit", message);
    let (page, _) = check_view(&state, &ctx, &content, errors).await?;
    Ok((status, page).into_response())
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
    Id(id): Id,
) -> Result<Html<String>, AppError> {
    let dossier = load_for(&state, &user, id, Action::ViewDossier, ctx.ip.clone()).await?;
    let app = dossier.application;
    render(&ConfirmationPage {
        layout: ctx.layout("Dossier ingediend"),
        reference: app.reference.clone(),
        id: app.id,
        submitted_at: app
            .submitted_at
            .map(crate::domain::dutch::format_moment)
            .unwrap_or_else(|| "nog niet ingediend".into()),
        state_label: crate::domain::workflow::DossierState::from(app.state).label(),
    })
}

#[derive(Debug, Deserialize)]
pub struct WithdrawForm {
    #[serde(default)]
    pub reason: String,
    #[serde(default)]
    pub version: String,
}

/// Adapter: the withdraw form → [`app::dossier::withdraw`] → the dossier's page.
async fn withdraw(
    State(state): State<AppState>,
    caller: Caller,
    Id(id): Id,
    Form(form): Form<WithdrawForm>,
) -> Result<Response, AppError> {
    let version: i32 = form.version.trim().parse().unwrap_or(-1);
    match app::dossier::withdraw(&state, &caller, id, &form.reason, version).await {
        Ok(reference) => Ok(FlashRedirect::new(
            format!("/dossiers/{id}"),
            format!("Dossier {reference} is ingetrokken."),
        )
        .into_response()),
        // The form sits on the dossier's page; a missing reason is answered as a bad request.
        Err(app::Error::Invalid(errors)) => Err(AppError::BadRequest(
            errors
                .items
                .first()
                .map(|e| e.message.clone())
                .unwrap_or_default(),
        )),
        Err(other) => Err(other.into()),
    }
}
