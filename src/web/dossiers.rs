//! Dossier pages. For now the read-only dossier view; the application journey builds on it.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Html;

use entity::application::ApplicationState;

use crate::auth::session::CurrentUser;
use crate::error::AppError;
use crate::policy::Action;
use crate::state::AppState;
use crate::store;
use crate::web::context::PageContext;
use crate::web::pages::{Layout, render};
use crate::web::{Access, RouteTable, guard};

pub fn routes() -> RouteTable {
    RouteTable::new().get("/dossiers/{id}", Access::SignedIn, show)
}

#[derive(Template)]
#[template(path = "dossier_show.html")]
pub struct DossierPage {
    pub layout: Layout,
    pub reference: String,
    pub title: String,
    pub state_label: &'static str,
    pub lead_name: String,
    pub member_names: Vec<String>,
}

pub fn state_label(state: ApplicationState) -> &'static str {
    match state {
        ApplicationState::Draft => "ontwerp",
        ApplicationState::Submitted => "ingediend",
        ApplicationState::InReview => "in beoordeling",
        ApplicationState::ChangesRequested => "aanpassing gevraagd",
        ApplicationState::Resubmitted => "opnieuw ingediend",
        ApplicationState::Approved => "goedgekeurd",
        ApplicationState::PartlyApproved => "gedeeltelijk goedgekeurd",
        ApplicationState::Rejected => "afgewezen",
        ApplicationState::Withdrawn => "ingetrokken",
    }
}

async fn show(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ctx: PageContext,
    Path(id): Path<String>,
) -> Result<Html<String>, AppError> {
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    let dossier = store::applications::with_parties(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    guard(
        &state,
        &user,
        Action::ViewDossier,
        Some((&id.to_string(), &dossier.parties)),
        ctx.ip.clone(),
    )
    .await?;
    render(&DossierPage {
        layout: ctx.layout(format!("Dossier {}", dossier.application.reference)),
        reference: dossier.application.reference.clone(),
        title: dossier.application.title.clone(),
        state_label: state_label(dossier.application.state),
        lead_name: dossier.lead_name,
        member_names: dossier.member_names,
    })
}
