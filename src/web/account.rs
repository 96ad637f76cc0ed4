//! The signed-in user's own account page.

use askama::Template;
use axum::extract::State;
use axum::response::Html;

use crate::accounts::RoleExt;
use crate::auth::session::CurrentUser;
use crate::error::AppError;
use crate::state::AppState;
use crate::web::context::PageContext;
use crate::web::pages::{Layout, render};
use crate::web::{Access, RouteTable};

pub fn routes() -> RouteTable {
    RouteTable::new().get("/account", Access::SignedIn, show)
}

#[derive(Template)]
#[template(path = "account.html")]
pub struct AccountPage {
    pub layout: Layout,
    pub name: String,
    pub email: String,
    pub role_label: &'static str,
    pub organisation: Option<String>,
    pub sessions: u64,
}

async fn show(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ctx: PageContext,
) -> Result<Html<String>, AppError> {
    let sessions = crate::app::account::session_count(&state, user.user.id).await?;
    render(&AccountPage {
        layout: ctx.layout("Mijn account"),
        name: user.user.name.clone(),
        email: user.user.email.clone(),
        role_label: user.user.role.label(),
        organisation: user.organisation.clone(),
        sessions,
    })
}
