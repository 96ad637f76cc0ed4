//! The user's personal API tokens (`/account/api-sleutels`): create one (shown once, stored
//! hashed), see when each was last used, revoke. A token acts as its user for the JSON API.
//! The commands (with the password asked again, the throttle and the audit) are in
//! [`crate::app::account`].

use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde::Deserialize;

use crate::app::Caller;
use crate::app::account::{self, NewToken, Refused};
use crate::auth::cookies;
use crate::auth::session::{CurrentUser, SessionUser, redirect_with_flash};
use crate::error::AppError;
use crate::state::AppState;
use crate::store::api_tokens;
use crate::web::context::PageContext;
use crate::web::extract::Id;
use crate::web::filters;
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
    pub created: DateTime<Utc>,
    pub last_used: Option<DateTime<Utc>>,
    pub revoked: Option<DateTime<Utc>>,
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
            created: t.created_at,
            last_used: t.last_used_at,
            revoked: t.revoked_at,
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
    /// The user's password, asked again.
    #[serde(default)]
    pub password: String,
}

/// The page again with the form's errors; the name is kept, the password never.
async fn refused(
    state: &AppState,
    ctx: &PageContext,
    user: &SessionUser,
    errors: FormErrors,
    form: &CreateForm,
    status: StatusCode,
) -> Result<Response, AppError> {
    let page = view(state, ctx, user, errors, form.name.clone(), None).await?;
    Ok((status, page).into_response())
}

async fn create(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    caller: Caller,
    ctx: PageContext,
    headers: HeaderMap,
    Form(form): Form<CreateForm>,
) -> Result<Response, AppError> {
    let input = NewToken {
        name: form.name.clone(),
        password: form.password.clone(),
    };
    let device = cookies::get(&headers, cookies::DEVICE);
    let (errors, status, retry_after) =
        match account::mint_token(&state, &caller, device.as_deref(), &input).await {
            Ok(token) => {
                let page = view(
                    &state,
                    &ctx,
                    &user,
                    FormErrors::default(),
                    String::new(),
                    Some(token),
                );
                return Ok(page.await?.into_response());
            }
            Err(Refused::Invalid(errors) | Refused::Disabled(errors)) => {
                (errors, StatusCode::UNPROCESSABLE_ENTITY, None)
            }
            Err(Refused::Throttled {
                errors,
                retry_after,
            }) => (errors, StatusCode::TOO_MANY_REQUESTS, Some(retry_after)),
            Err(Refused::Failed(err)) => return Err(err.into()),
        };
    let mut response = refused(&state, &ctx, &user, errors, &form, status).await?;
    if let Some(seconds) = retry_after {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, seconds.into());
    }
    Ok(response)
}

async fn revoke(
    State(state): State<AppState>,
    caller: Caller,
    Id(id): Id,
) -> Result<Response, AppError> {
    let name = account::revoke_token(&state, &caller, id).await?;
    Ok(redirect_with_flash(
        "/account/api-sleutels",
        &format!("API-sleutel “{name}” is ingetrokken."),
        state.config.secure_cookies(),
    ))
}
