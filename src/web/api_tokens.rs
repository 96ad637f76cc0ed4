//! The user's personal API tokens (`/account/api-sleutels`): create one (shown once, stored
//! hashed), see when each was last used, revoke. A token acts as its user for the JSON API.
//! Creation and revocation are audited.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use chrono::Utc;
use serde::Deserialize;

use crate::audit::{self, AuditEntry};
use crate::auth::session::{CurrentUser, SessionUser, redirect_with_flash};
use crate::error::AppError;
use crate::state::AppState;
use crate::store::api_tokens;
use crate::web::context::PageContext;
use crate::web::form::Form;
use crate::web::form::FormErrors;
use crate::web::pages::{Layout, render};
use crate::web::{Access, RouteTable};

pub fn routes() -> RouteTable {
    RouteTable::new()
        .get("/account/api-sleutels", Access::SignedIn, page)
        .post("/account/api-sleutels", Access::SignedIn, create)
        .post(
            "/account/api-sleutels/{id}/intrekken",
            Access::SignedIn,
            revoke,
        )
}

pub struct TokenRow {
    pub id: i64,
    pub name: String,
    pub created: String,
    pub last_used: String,
    pub revoked: Option<String>,
}

#[derive(Template)]
#[template(path = "account/api_tokens.html")]
pub struct TokensPage {
    pub layout: Layout,
    pub tokens: Vec<TokenRow>,
    pub errors: FormErrors,
    pub name: String,
    /// The token just created: shown this once.
    pub new_token: Option<String>,
}

fn moment(at: chrono::DateTime<Utc>) -> String {
    crate::domain::dutch::format_moment(at)
}

async fn view(
    state: &AppState,
    ctx: &PageContext,
    user: &SessionUser,
    errors: FormErrors,
    name: String,
    new_token: Option<String>,
) -> Result<Html<String>, AppError> {
    let tokens = api_tokens::for_user(&state.db, user.user.id)
        .await?
        .into_iter()
        .map(|t| TokenRow {
            id: t.id,
            name: t.name,
            created: moment(t.created_at),
            last_used: t
                .last_used_at
                .map(moment)
                .unwrap_or_else(|| "nog niet gebruikt".to_owned()),
            revoked: t.revoked_at.map(moment),
        })
        .collect();
    render(&TokensPage {
        layout: ctx.layout("API-sleutels"),
        tokens,
        errors,
        name,
        new_token,
    })
}

async fn page(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ctx: PageContext,
) -> Result<Html<String>, AppError> {
    view(
        &state,
        &ctx,
        &user,
        FormErrors::default(),
        String::new(),
        None,
    )
    .await
}

#[derive(Debug, Deserialize)]
pub struct CreateForm {
    #[serde(default)]
    pub name: String,
}

async fn create(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ctx: PageContext,
    Form(form): Form<CreateForm>,
) -> Result<Response, AppError> {
    let mut errors = FormErrors::default();
    let name = match api_tokens::check_name(&form.name) {
        Ok(name) => Some(name),
        Err(message) => {
            errors.add("name", message);
            None
        }
    };
    let live = api_tokens::for_user(&state.db, user.user.id)
        .await?
        .iter()
        .filter(|t| t.revoked_at.is_none())
        .count();
    if live >= api_tokens::MAX_LIVE {
        errors.add(
            "name",
            format!(
                "U hebt al {} actieve sleutels. Trek er eerst een in die u niet meer gebruikt.",
                api_tokens::MAX_LIVE
            ),
        );
    }
    let Some(name) = name.filter(|_| errors.is_empty()) else {
        let page = view(&state, &ctx, &user, errors, form.name.clone(), None).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    let txn = crate::db::begin_write(&state.db).await?;
    let (row, token) = api_tokens::create(&txn, user.user.id, &name, Utc::now()).await?;
    audit::record(
        &txn,
        AuditEntry::new("api_token.created", "api_token", Some(row.id.to_string()))
            .by(Some(user.user.id), user.label())
            .from_ip(ctx.ip.clone())
            .after(serde_json::json!({"name": row.name, "user_id": row.user_id})),
    )
    .await?;
    txn.commit().await?;
    Ok(view(
        &state,
        &ctx,
        &user,
        FormErrors::default(),
        String::new(),
        Some(token),
    )
    .await?
    .into_response())
}

async fn revoke(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ctx: PageContext,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    let txn = crate::db::begin_write(&state.db).await?;
    let Some(row) = api_tokens::revoke(&txn, user.user.id, id, Utc::now()).await? else {
        txn.rollback().await?;
        return Err(AppError::NotFound);
    };
    audit::record(
        &txn,
        AuditEntry::new("api_token.revoked", "api_token", Some(row.id.to_string()))
            .by(Some(user.user.id), user.label())
            .from_ip(ctx.ip.clone())
            .before(serde_json::json!({"name": row.name})),
    )
    .await?;
    txn.commit().await?;
    Ok(redirect_with_flash(
        "/account/api-sleutels",
        &format!("API-sleutel “{}” is ingetrokken.", row.name),
        state.config.secure_cookies(),
    ))
}
