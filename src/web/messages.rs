//! `/dossiers/{id}/berichten`: the conversation between the municipality and ABB on a dossier
//! (issue 22). Whoever may see the dossier reads the thread (never ABB's internal notes); the
//! lead's officials answer ("Bericht aan ABB"). An adapter over [`app::messages`]: a message
//! that cannot stand comes back as typed with its error (422).

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use serde::Deserialize;

use crate::app::{self, Caller};
use crate::error::AppError;
use crate::policy::Action;
use crate::state::AppState;
use crate::store::messages::ThreadLine;
use crate::web::context::PageContext;
use crate::web::extract::{FlashRedirect, Id};
use crate::web::filters;
use crate::web::form::{Form, FormErrors};
use crate::web::pages::{Layout, render};
use crate::web::routes::OFFICIALS;
use crate::web::{Access, RouteTable};

pub fn routes() -> RouteTable {
    RouteTable::new()
        .get("/dossiers/{id}/berichten", Access::SignedIn, page)
        .post("/dossiers/{id}/berichten", OFFICIALS, send)
}

#[derive(Template)]
#[template(path = "dossier/messages.html")]
pub struct MessagesPage {
    pub layout: Layout,
    pub id: i64,
    pub reference: String,
    pub title: String,
    pub thread: Vec<ThreadLine>,
    /// The caller may write to ABB (the lead's officials).
    pub may_write: bool,
    pub errors: FormErrors,
    /// The message as typed.
    pub body: String,
}

#[derive(Debug, Deserialize, Default)]
pub struct MessageForm {
    #[serde(default)]
    pub body: String,
}

/// The page of dossier `id` for `caller`, with the form's `errors` and what was `typed`.
async fn page_for(
    state: &AppState,
    caller: &Caller,
    ctx: &PageContext,
    id: i64,
    errors: FormErrors,
    typed: String,
) -> Result<Html<String>, AppError> {
    let dossier = app::dossier::with_parties(state, caller, id, Action::ViewDossier).await?;
    let may_write = app::messages::may_write(caller, &dossier.parties);
    let thread = crate::store::messages::thread(&state.db, id).await?;
    let app_row = dossier.application;
    render(&MessagesPage {
        layout: ctx.layout(format!("Berichten over dossier {}", app_row.reference)),
        id: app_row.id,
        reference: app_row.reference,
        title: app_row.title,
        thread,
        may_write,
        errors,
        body: typed,
    })
}

async fn page(
    State(state): State<AppState>,
    caller: Caller,
    ctx: PageContext,
    Id(id): Id,
) -> Result<Html<String>, AppError> {
    page_for(
        &state,
        &caller,
        &ctx,
        id,
        FormErrors::default(),
        String::new(),
    )
    .await
}

/// Adapter: [`app::messages::write_to_abb`]; the page again (422) when the message cannot
/// stand.
async fn send(
    State(state): State<AppState>,
    caller: Caller,
    ctx: PageContext,
    Id(id): Id,
    Form(form): Form<MessageForm>,
) -> Result<Response, AppError> {
    match app::messages::write_to_abb(&state, &caller, id, &form.body).await {
        Ok(()) => Ok(FlashRedirect::new(
            format!("/dossiers/{id}/berichten"),
            "Uw bericht aan ABB is verstuurd.",
        )
        .into_response()),
        Err(app::Error::Invalid(errors)) => {
            let html = page_for(&state, &caller, &ctx, id, errors, form.body).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, html).into_response())
        }
        Err(other) => Err(other.into()),
    }
}
