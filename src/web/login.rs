//! Signing in and out, "log out everywhere", password reset and first-login invitations.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;

use entity::auth_token::TokenPurpose;

use crate::app::account::{
    self, Credentials, NewPassword, PasswordRefused, Refused, SignedIn, Visitor,
};
use crate::app::{self, Caller};
use crate::auth::session::{CurrentUser, local_path, redirect_with_flash};
use crate::auth::{cookies, devices};
use crate::error::AppError;
use crate::state::AppState;
use crate::web::context::PageContext;
use crate::web::form::FormErrors;
use crate::web::form::{Form, Query};
use crate::web::pages::{Layout, render};
use crate::web::{Access, BodyLimit, RouteTable};

pub fn routes() -> RouteTable {
    RouteTable::new()
        .get("/aanmelden", Access::Public, login_page)
        .post("/aanmelden", Access::Public, login)
        .limit(BodyLimit::Small)
        .post("/afmelden", Access::SignedIn, logout)
        .limit(BodyLimit::Small)
        .post("/afmelden-overal", Access::SignedIn, logout_everywhere)
        .limit(BodyLimit::Small)
        .get("/wachtwoord-vergeten", Access::Public, forgot_page)
        .post("/wachtwoord-vergeten", Access::Public, forgot)
        .limit(BodyLimit::Small)
        .get(
            "/wachtwoord-instellen/{token}",
            Access::Public,
            set_password_page,
        )
        .post(
            "/wachtwoord-instellen/{token}",
            Access::Public,
            set_password,
        )
        .limit(BodyLimit::Small)
}

#[derive(Template)]
#[template(path = "login.html")]
pub struct LoginPage {
    pub layout: Layout,
    pub errors: FormErrors,
    pub email: String,
    pub next: String,
    /// "Aanmelden met de Vlaamse overheid" (OpenID Connect is configured).
    pub oidc: bool,
    /// The e-mail and password form (`PASSWORD_LOGIN`).
    pub password: bool,
}

#[derive(Debug, Deserialize, Default)]
pub struct LoginQuery {
    #[serde(default)]
    pub volgende: String,
}

#[derive(Debug, Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub password: String,
    #[serde(default)]
    pub volgende: String,
}

/// Where to go after login: `next` when it is a path on this site, else the start page.
fn safe_next(next: &str) -> &str {
    local_path(next).unwrap_or("/")
}

async fn login_page(
    State(state): State<AppState>,
    ctx: PageContext,
    Query(query): Query<LoginQuery>,
) -> Result<Response, AppError> {
    if ctx.user.is_some() {
        return Ok(Redirect::to(safe_next(&query.volgende)).into_response());
    }
    let page = LoginPage {
        layout: ctx.layout("Aanmelden"),
        errors: FormErrors::default(),
        email: String::new(),
        // Only a path that will be followed goes into the form.
        next: local_path(&query.volgende).unwrap_or_default().to_owned(),
        oidc: state.oidc.is_some(),
        password: state.config.password_login,
    };
    Ok(render(&page)?.into_response())
}

/// The request as the sign-in commands see it: address, time, the browser's session and device
/// cookie and its user agent.
pub fn visitor(state: &AppState, ctx: &PageContext, headers: &HeaderMap) -> Visitor {
    Visitor {
        ip: ctx.ip.clone(),
        now: state.clock.now(),
        session_id: ctx.user.as_ref().map(|u| u.session_id.clone()),
        device: cookies::get(headers, cookies::DEVICE),
        user_agent: headers
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
    }
}

async fn login(
    State(state): State<AppState>,
    ctx: PageContext,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Result<Response, AppError> {
    use axum::http::StatusCode;
    let visitor = visitor(&state, &ctx, &headers);
    let credentials = Credentials {
        email: form.email.clone(),
        password: form.password.clone(),
    };
    let rerender = |errors: FormErrors, status: StatusCode| -> Result<Response, AppError> {
        let page = LoginPage {
            layout: ctx.layout("Aanmelden"),
            errors,
            email: form.email.clone(),
            next: local_path(&form.volgende).unwrap_or_default().to_owned(),
            oidc: state.oidc.is_some(),
            password: state.config.password_login,
        };
        Ok((status, render(&page)?).into_response())
    };
    let signed_in = match account::sign_in(&state, &visitor, &credentials).await {
        Ok(signed_in) => signed_in,
        Err(Refused::Disabled(errors)) => return rerender(errors, StatusCode::FORBIDDEN),
        Err(Refused::Invalid(errors)) => {
            return rerender(errors, StatusCode::UNPROCESSABLE_ENTITY);
        }
        Err(Refused::Throttled {
            errors,
            retry_after,
        }) => {
            let mut response = rerender(errors, StatusCode::TOO_MANY_REQUESTS)?;
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, retry_after.into());
            return Ok(response);
        }
        Err(Refused::Failed(err)) => return Err(err.into()),
    };
    Ok(signed_in_response(&state, &form.volgende, &signed_in))
}

/// The answer to a sign-in that went through: to `next` (or the start page) with the session
/// cookie, and the device cookie when the browser is to be remembered.
fn signed_in_response(state: &AppState, next: &str, signed_in: &SignedIn) -> Response {
    let secure = state.config.secure_cookies();
    let mut response = Redirect::to(safe_next(next)).into_response();
    let headers = response.headers_mut();
    headers.append(
        header::SET_COOKIE,
        cookies::set(cookies::SESSION, &signed_in.session, secure, None),
    );
    if let Some(device) = &signed_in.device {
        headers.append(
            header::SET_COOKIE,
            cookies::set(
                cookies::DEVICE,
                device,
                secure,
                Some(devices::LIFETIME.num_seconds()),
            ),
        );
    }
    response
}

async fn logout(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    caller: Caller,
    ctx: PageContext,
) -> Result<Response, AppError> {
    let provider_logout = account::sign_out(&state, &caller, &user.session_id).await?;
    let secure = state.config.secure_cookies();
    let mut response = match provider_logout {
        Some(url) => crate::web::oidc::logged_out_page(&ctx, url)?,
        None => redirect_with_flash("/", "U bent afgemeld.", secure),
    };
    response
        .headers_mut()
        .append(header::SET_COOKIE, cookies::clear(cookies::SESSION, secure));
    Ok(response)
}

async fn logout_everywhere(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Response, AppError> {
    account::sign_out_everywhere(&state, &caller).await?;
    let secure = state.config.secure_cookies();
    let mut response = redirect_with_flash(
        "/aanmelden",
        "U bent overal afgemeld, op elk toestel.",
        secure,
    );
    response
        .headers_mut()
        .append(header::SET_COOKIE, cookies::clear(cookies::SESSION, secure));
    Ok(response)
}

// ------------------------------------------------------------------ password reset

#[derive(Template)]
#[template(path = "password_forgot.html")]
pub struct ForgotPage {
    pub layout: Layout,
    pub errors: FormErrors,
    pub email: String,
    pub sent: bool,
}

#[derive(Debug, Deserialize)]
pub struct ForgotForm {
    #[serde(default)]
    pub email: String,
}

async fn forgot_page(ctx: PageContext) -> Result<Html<String>, AppError> {
    render(&ForgotPage {
        layout: ctx.layout("Wachtwoord vergeten"),
        errors: FormErrors::default(),
        email: String::new(),
        sent: false,
    })
}

pub use crate::app::account::InvitationMail;

async fn forgot(
    State(state): State<AppState>,
    ctx: PageContext,
    headers: HeaderMap,
    Form(form): Form<ForgotForm>,
) -> Result<Response, AppError> {
    let visitor = visitor(&state, &ctx, &headers);
    let (errors, email, sent, status) =
        match account::request_reset(&state, &visitor, &form.email).await {
            // The same answer whether or not the address has an account, and whether or not a
            // mail was sent.
            Ok(email) => (FormErrors::default(), email, true, StatusCode::OK),
            Err(app::Error::Invalid(errors)) => {
                (errors, form.email, false, StatusCode::UNPROCESSABLE_ENTITY)
            }
            Err(err) => return Err(err.into()),
        };
    let page = ForgotPage {
        layout: ctx.layout("Wachtwoord vergeten"),
        errors,
        email,
        sent,
    };
    Ok((status, render(&page)?).into_response())
}

#[derive(Template)]
#[template(path = "password_set.html")]
pub struct SetPasswordPage {
    pub layout: Layout,
    pub errors: FormErrors,
    pub valid: bool,
    pub invitation: bool,
    pub token: String,
}

#[derive(Debug, Deserialize)]
pub struct SetPasswordForm {
    #[serde(default)]
    pub password: String,
    #[serde(default)]
    pub password_confirm: String,
}

async fn set_password_page(
    State(state): State<AppState>,
    ctx: PageContext,
    Path(token): Path<String>,
) -> Result<Response, AppError> {
    let purpose = account::password_link(&state, &token, state.clock.now()).await?;
    let status = if purpose.is_some() {
        StatusCode::OK
    } else {
        StatusCode::GONE
    };
    let page = SetPasswordPage {
        layout: ctx.layout("Wachtwoord instellen"),
        errors: FormErrors::default(),
        valid: purpose.is_some(),
        invitation: purpose == Some(TokenPurpose::Invite),
        token,
    };
    Ok((status, render(&page)?).into_response())
}

async fn set_password(
    State(state): State<AppState>,
    ctx: PageContext,
    headers: HeaderMap,
    Path(token): Path<String>,
    Form(form): Form<SetPasswordForm>,
) -> Result<Response, AppError> {
    let visitor = visitor(&state, &ctx, &headers);
    let input = NewPassword {
        password: form.password,
        password_confirm: form.password_confirm,
    };
    let (status, errors, valid, invitation) =
        match account::set_password(&state, &visitor, &token, &input).await {
            Ok(()) => {
                return Ok(redirect_with_flash(
                    "/aanmelden",
                    "Uw wachtwoord is ingesteld. U kunt zich nu aanmelden.",
                    state.config.secure_cookies(),
                ));
            }
            Err(PasswordRefused::LinkGone) => {
                (StatusCode::GONE, FormErrors::default(), false, false)
            }
            Err(PasswordRefused::Invalid { errors, invitation }) => {
                (StatusCode::UNPROCESSABLE_ENTITY, errors, true, invitation)
            }
            Err(PasswordRefused::Failed(err)) => return Err(err.into()),
        };
    let page = SetPasswordPage {
        layout: ctx.layout("Wachtwoord instellen"),
        errors,
        valid,
        invitation,
        token,
    };
    Ok((status, render(&page)?).into_response())
}
