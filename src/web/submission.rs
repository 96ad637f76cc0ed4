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
use chrono::{DateTime, Utc};
use serde::Deserialize;

use crate::app::dossier::Submission;
use crate::app::{self, Caller};
use crate::auth::session::CurrentUser;
use crate::error::AppError;
use crate::policy::Action;
use crate::state::AppState;
use crate::store::drafts;
use crate::web::context::PageContext;
use crate::web::dossier_view::{
    SectionStatus, Statuses, TaskItem, field_href, ready_to_submit, statuses, tasks,
};
use crate::web::dossiers::load_for;
use crate::web::extract::{FlashRedirect, Id};
use crate::web::filters;
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
    /// What keeps the dossier from being submitted, each with a link to where to fix it.
    pub blockers: Vec<Blocker>,
    pub version: i32,
    pub errors: FormErrors,
    /// The submission answers ABB's change request: the cover note is required.
    pub answering: bool,
    /// "Toelichting bij uw aanpassingen", as typed.
    pub cover_note: String,
}

/// One reason the dossier cannot be submitted yet, with a link to where it is solved.
pub struct Blocker {
    pub text: String,
    pub href: String,
    pub link: &'static str,
}

/// The incomplete sections of `tasks`, named: for the members, who has not confirmed yet
/// (`unconfirmed`), with a link to the cooperation's members page.
pub fn blockers(tasks: &[TaskItem], id: i64, unconfirmed: &[String]) -> Vec<Blocker> {
    let members_href = format!("/dossiers/{id}/leden");
    let mut list: Vec<Blocker> = Vec::new();
    for t in tasks.iter().filter(|t| t.status != SectionStatus::Complete) {
        if list.iter().any(|b| b.href == t.href) {
            // "Acties" and "KPI's" share one page: one link is enough.
            continue;
        }
        let blocker = if t.href == members_href && !unconfirmed.is_empty() {
            Blocker {
                text: format!(
                    "Nog niet bevestigd door: {}.",
                    crate::domain::dutch::join_names(unconfirmed)
                ),
                href: t.href.clone(),
                link: "Naar de deelnemende gemeenten",
            }
        } else {
            Blocker {
                text: format!("{}: {}.", t.title, t.status.label()),
                href: t.href.clone(),
                link: "Onderdeel openen",
            }
        };
        list.push(blocker);
    }
    list
}

async fn check_view(
    state: &AppState,
    ctx: &PageContext,
    content: &drafts::DossierContent,
    errors: FormErrors,
    cover_note: String,
) -> Result<(Html<String>, bool), AppError> {
    let report = content.report_cached(&state.db, &ctx.reference).await?;
    let s: Statuses = statuses(content, &report);
    let ready = ready_to_submit(content, &report);
    let mut view = full_view(content, &report);
    // On the check page every finding links to where its field is filled in.
    for (line, result) in view.results.iter_mut().zip(report.results.iter()) {
        line.href = field_href(content, result);
    }
    view.can_submit = ready;
    view.header.editable = true;
    let id = content.dossier.application.id;
    let tasks = tasks(id, &s, content.dossier.application.state, None);
    let page = render(&CheckPage {
        layout: ctx.layout("Controleren en indienen"),
        blockers: blockers(&tasks, id, &content.unconfirmed_members),
        tasks,
        sections_complete: s.all_complete(),
        version: content.dossier.application.version,
        answering: content.dossier.application.state
            == entity::application::ApplicationState::ChangesRequested,
        cover_note,
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
    Ok(
        check_view(&state, &ctx, &content, FormErrors::default(), String::new())
            .await?
            .0,
    )
}

#[derive(Debug, Deserialize)]
pub struct SubmitForm {
    #[serde(default)]
    pub version: String,
    /// "Toelichting bij uw aanpassingen".
    #[serde(default)]
    pub cover_note: String,
}

/// Adapter: the check page's button → [`app::dossier::submit`] → the confirmation, or the check
/// page again with what is missing or a cover note that cannot stand (422, the note as typed) or
/// with the newest data after a concurrent change (409).
async fn submit(
    State(state): State<AppState>,
    caller: Caller,
    ctx: PageContext,
    Id(id): Id,
    Form(form): Form<SubmitForm>,
) -> Result<Response, AppError> {
    let version: i32 = form.version.trim().parse().unwrap_or(-1);
    let note = form.cover_note;
    let submitted = app::dossier::submit(&state, &caller, id, version, &note).await;
    let (status, message, content) = match submitted {
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
        Err(app::Error::Invalid(errors)) => {
            let content = app::dossier::for_editing(&state, &caller, id).await?;
            let (page, _) = check_view(&state, &ctx, &content, errors, note).await?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
        Err(app::Error::Stale) => (
            StatusCode::CONFLICT,
            "Het dossier werd intussen gewijzigd. Controleer de gegevens hieronder en dien opnieuw in.",
            app::dossier_for(&state, &caller, id, Action::EditDossier).await?,
        ),
        Err(other) => return Err(other.into()),
    };
    let mut errors = FormErrors::default();
    errors.add("submit", message);
    let (page, _) = check_view(&state, &ctx, &content, errors, note).await?;
    Ok((status, page).into_response())
}

#[derive(Template)]
#[template(path = "dossier/confirmation.html")]
pub struct ConfirmationPage {
    pub layout: Layout,
    pub reference: String,
    pub id: i64,
    pub submitted_at: Option<DateTime<Utc>>,
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
        submitted_at: app.submitted_at,
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
