//! Signing in and out, "log out everywhere", password reset and first-login invitations.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use chrono::Utc;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use serde::Deserialize;

use entity::app_user;
use entity::auth_token::TokenPurpose;

use crate::accounts;
use crate::audit::{self, AuditEntry};
use crate::auth::session::{self, CurrentUser, local_path, redirect_with_flash};
use crate::auth::{cookies, devices, throttle, tokens};
use crate::error::AppError;
use crate::mail::{self, OutgoingMail};
use crate::state::AppState;
use crate::web::api_tokens::{self, RevokedBecause};
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

async fn login(
    State(state): State<AppState>,
    ctx: PageContext,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Result<Response, AppError> {
    let now = Utc::now();
    let email = form.email.trim().to_lowercase();
    let ip = ctx.ip.clone().unwrap_or_else(|| "onbekend".to_owned());
    let mut errors = FormErrors::default();
    if email.is_empty() {
        errors.add("email", "Vul uw e-mailadres in.");
    }
    if form.password.is_empty() {
        errors.add("password", "Vul uw wachtwoord in.");
    }
    let rerender =
        |errors: FormErrors, status: axum::http::StatusCode| -> Result<Response, AppError> {
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
    if !state.config.password_login {
        let mut errors = FormErrors::default();
        errors.add(
            "email",
            "Aanmelden met een wachtwoord is uitgeschakeld. Meld u aan met de Vlaamse overheid.",
        );
        return rerender(errors, axum::http::StatusCode::FORBIDDEN);
    }
    if !errors.is_empty() {
        return rerender(errors, axum::http::StatusCode::UNPROCESSABLE_ENTITY);
    }

    let user = app_user::Entity::find()
        .filter(app_user::Column::Email.eq(email.as_str()))
        .one(&state.db)
        .await?;
    // A browser in which this account signed in before has a limit of its own. (Looked up for
    // an unknown address too, with an id no account has: the same work either way.)
    let presented_device = cookies::get(&headers, cookies::DEVICE);
    let device = match &presented_device {
        Some(token) => {
            let user_id = user.as_ref().map_or(0, |u| u.id);
            devices::recognise(&state.db, token, user_id, now).await?
        }
        None => None,
    };
    // The attempt is recorded before the password is checked (see `throttle`).
    let attempt =
        match throttle::begin(&state.db, &email, &ip, device.as_ref().map(|d| d.id), now).await? {
            Ok(attempt) => attempt,
            Err(wait) => {
                audit::record(
                    &state.db,
                    AuditEntry::new("auth.login_throttled", "account", Some(email.clone()))
                        .from_ip(ctx.ip.clone())
                        .details(wait.limit.code()),
                )
                .await?;
                errors.add("email", wait.message(now));
                let mut response = rerender(errors, axum::http::StatusCode::TOO_MANY_REQUESTS)?;
                response
                    .headers_mut()
                    .insert(header::RETRY_AFTER, wait.seconds(now).into());
                return Ok(response);
            }
        };

    // One argon2 verification whatever the account (unknown, without password, deactivated).
    let verified = accounts::check_login_blocking(user.clone(), form.password.clone())
        .await
        .map_err(AppError::internal)?;
    let user = match user {
        Some(u) if verified => u,
        _ => {
            audit::record(
                &state.db,
                AuditEntry::new("auth.login_failed", "account", Some(email.clone()))
                    .from_ip(ctx.ip.clone()),
            )
            .await?;
            errors.add("email", "Het e-mailadres of het wachtwoord is niet juist.");
            return rerender(errors, axum::http::StatusCode::UNPROCESSABLE_ENTITY);
        }
    };

    let user_agent = headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let txn = crate::db::begin_write(&state.db).await?;
    if let Some(old) = &ctx.user {
        session::end(&txn, &old.session_id).await?;
    }
    let token = session::create(&txn, user.id, ctx.ip.clone(), user_agent, now).await?;
    throttle::succeeded(&txn, &attempt).await?;
    let device_token = devices::remember(
        &txn,
        user.id,
        device.as_ref(),
        presented_device.as_deref(),
        now,
    )
    .await?;
    let mut active: app_user::ActiveModel = user.clone().into();
    active.last_login_at = Set(Some(now));
    active.update(&txn).await?;
    audit::record(
        &txn,
        AuditEntry::new("auth.login", "account", Some(user.id.to_string()))
            .by(Some(user.id), format!("{} <{}>", user.name, user.email))
            .from_ip(ctx.ip.clone()),
    )
    .await?;
    txn.commit().await?;

    let secure = state.config.secure_cookies();
    let mut response = Redirect::to(safe_next(&form.volgende)).into_response();
    let headers = response.headers_mut();
    headers.append(
        header::SET_COOKIE,
        cookies::set(cookies::SESSION, &token, secure, None),
    );
    headers.append(
        header::SET_COOKIE,
        cookies::set(
            cookies::DEVICE,
            &device_token,
            secure,
            Some(devices::LIFETIME.num_seconds()),
        ),
    );
    Ok(response)
}

async fn logout(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ctx: PageContext,
) -> Result<Response, AppError> {
    let provider_logout = crate::web::oidc::end_session_url(&state, &user.session_id).await;
    session::end(&state.db, &user.session_id).await?;
    audit::record(
        &state.db,
        AuditEntry::new("auth.logout", "account", Some(user.user.id.to_string()))
            .by(Some(user.user.id), user.label())
            .from_ip(ctx.ip.clone()),
    )
    .await?;
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
    CurrentUser(user): CurrentUser,
    ctx: PageContext,
) -> Result<Response, AppError> {
    let txn = crate::db::begin_write(&state.db).await?;
    let ended = session::end_all(&txn, user.user.id).await?;
    // API tokens too: a token minted in a stolen session must not outlive it.
    let revoked = api_tokens::revoke_all_and_tell(
        &txn,
        &state,
        &user.user,
        RevokedBecause::LogoutEverywhere,
        (Some(user.user.id), user.label()),
        ctx.ip.clone(),
        Utc::now(),
    )
    .await?;
    audit::record(
        &txn,
        AuditEntry::new(
            "auth.logout_everywhere",
            "account",
            Some(user.user.id.to_string()),
        )
        .by(Some(user.user.id), user.label())
        .from_ip(ctx.ip)
        .details(format!(
            "{ended} sessie(s) beëindigd, {revoked} API-sleutel(s) ingetrokken"
        )),
    )
    .await?;
    txn.commit().await?;
    state.mail_wakeup.notify_one();
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

#[derive(Template)]
#[template(path = "mail/password_reset.txt")]
struct ResetMail<'a> {
    name: &'a str,
    link: &'a str,
    hours: i64,
}

#[derive(Template)]
#[template(path = "mail/invitation.txt")]
pub struct InvitationMail<'a> {
    pub name: &'a str,
    pub organisation: &'a str,
    pub link: &'a str,
    pub days: i64,
}

async fn forgot(
    State(state): State<AppState>,
    ctx: PageContext,
    Form(form): Form<ForgotForm>,
) -> Result<Response, AppError> {
    let mut errors = FormErrors::default();
    let email = match accounts::normalise_email(&form.email) {
        Ok(e) => e,
        Err(_) => {
            errors.add(
                "email",
                "Vul een geldig e-mailadres in, bijvoorbeeld naam@gemeente.be.",
            );
            let page = ForgotPage {
                layout: ctx.layout("Wachtwoord vergeten"),
                errors,
                email: form.email,
                sent: false,
            };
            return Ok(
                (axum::http::StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response(),
            );
        }
    };
    let now = Utc::now();
    let ip = ctx.ip.clone().unwrap_or_else(|| "onbekend".to_owned());
    let user = app_user::Entity::find()
        .filter(app_user::Column::Email.eq(email.as_str()))
        .one(&state.db)
        .await?
        .filter(|u| u.active);
    let verdict = throttle::reset_mail(&state.db, &email, &ip, user.is_some(), now).await?;
    if verdict == throttle::ResetMail::Throttled {
        audit::record(
            &state.db,
            AuditEntry::new(
                "auth.reset_throttled",
                "account",
                user.as_ref().map(|u| u.id.to_string()),
            )
            .from_ip(ctx.ip.clone())
            .details("te veel aanvragen voor een nieuw wachtwoord: geen e-mail verstuurd"),
        )
        .await?;
    }
    if let Some(user) = user.filter(|_| verdict == throttle::ResetMail::Send) {
        let txn = crate::db::begin_write(&state.db).await?;
        tokens::revoke_others(&txn, user.id, TokenPurpose::Reset, now).await?;
        let token = tokens::issue(&txn, user.id, TokenPurpose::Reset, now).await?;
        let link = format!("{}/wachtwoord-instellen/{token}", state.config.public_url);
        let body = mail::render_text(&ResetMail {
            name: &user.name,
            link: &link,
            hours: tokens::lifetime(TokenPurpose::Reset).num_hours(),
        })?;
        mail::enqueue(
            &txn,
            OutgoingMail {
                to: user.email.clone(),
                subject: "Samenleven: uw wachtwoord opnieuw instellen".to_owned(),
                body_text: body,
                related: Some(("app_user".to_owned(), user.id.to_string())),
            },
        )
        .await?;
        audit::record(
            &txn,
            AuditEntry::new("auth.reset_requested", "account", Some(user.id.to_string()))
                .from_ip(ctx.ip.clone()),
        )
        .await?;
        txn.commit().await?;
        state.mail_wakeup.notify_one();
    }
    // The same answer whether or not the address has an account, and whether or not a mail
    // was sent.
    let page = ForgotPage {
        layout: ctx.layout("Wachtwoord vergeten"),
        errors: FormErrors::default(),
        email,
        sent: true,
    };
    Ok(render(&page)?.into_response())
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
    let found = tokens::find_valid(&state.db, &token, Utc::now()).await?;
    let status = if found.is_some() {
        axum::http::StatusCode::OK
    } else {
        axum::http::StatusCode::GONE
    };
    let page = SetPasswordPage {
        layout: ctx.layout("Wachtwoord instellen"),
        errors: FormErrors::default(),
        valid: found.is_some(),
        invitation: found
            .as_ref()
            .is_some_and(|t| t.purpose == TokenPurpose::Invite),
        token,
    };
    Ok((status, render(&page)?).into_response())
}

async fn set_password(
    State(state): State<AppState>,
    ctx: PageContext,
    Path(token): Path<String>,
    Form(form): Form<SetPasswordForm>,
) -> Result<Response, AppError> {
    let now = Utc::now();
    let Some(found) = tokens::find_valid(&state.db, &token, now).await? else {
        // An attempt to set a password with a link that is unknown, used or expired: recorded
        // with the address it came from (never the token), so repeated tries can be seen.
        audit::record(
            &state.db,
            AuditEntry::new("auth.password_link_refused", "account", None)
                .from_ip(ctx.ip.clone())
                .details("wachtwoord instellen met een ongeldige, gebruikte of verlopen link"),
        )
        .await?;
        let page = SetPasswordPage {
            layout: ctx.layout("Wachtwoord instellen"),
            errors: FormErrors::default(),
            valid: false,
            invitation: false,
            token,
        };
        return Ok((axum::http::StatusCode::GONE, render(&page)?).into_response());
    };
    let mut errors = FormErrors::default();
    if form.password.chars().count() < 12 {
        errors.add("password", "Kies een wachtwoord van minstens 12 tekens.");
    } else if form.password != form.password_confirm {
        errors.add("password_confirm", "De twee wachtwoorden zijn niet gelijk.");
    }
    if !errors.is_empty() {
        let page = SetPasswordPage {
            layout: ctx.layout("Wachtwoord instellen"),
            errors,
            valid: true,
            invitation: found.purpose == TokenPurpose::Invite,
            token,
        };
        return Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response());
    }
    let hash = accounts::hash_password_blocking(form.password.clone())
        .await
        .map_err(AppError::internal)?;
    let txn = crate::db::begin_write(&state.db).await?;
    if !tokens::consume(&txn, found.id, now).await? {
        txn.rollback().await?;
        return Err(AppError::Conflict(
            "Deze link is intussen al gebruikt. Vraag een nieuwe aan.".into(),
        ));
    }
    let Some(user) = app_user::Entity::find_by_id(found.user_id)
        .one(&txn)
        .await?
    else {
        return Err(AppError::NotFound);
    };
    let mut active: app_user::ActiveModel = user.clone().into();
    active.password_hash = Set(Some(hash));
    active.version = Set(user.version + 1);
    active.update(&txn).await?;
    session::end_all(&txn, user.id).await?;
    // Whoever set the password reads the account's mail: failed logins no longer slow it down.
    let ip = ctx.ip.clone().unwrap_or_else(|| "onbekend".to_owned());
    throttle::lift(&txn, &user.email, &ip, now).await?;
    api_tokens::revoke_all_and_tell(
        &txn,
        &state,
        &user,
        RevokedBecause::PasswordSet,
        (Some(user.id), format!("{} <{}>", user.name, user.email)),
        ctx.ip.clone(),
        now,
    )
    .await?;
    audit::record(
        &txn,
        AuditEntry::new(
            if found.purpose == TokenPurpose::Invite {
                "auth.invitation_accepted"
            } else {
                "auth.password_reset"
            },
            "account",
            Some(user.id.to_string()),
        )
        .by(Some(user.id), format!("{} <{}>", user.name, user.email))
        .from_ip(ctx.ip.clone()),
    )
    .await?;
    txn.commit().await?;
    state.mail_wakeup.notify_one();
    Ok(redirect_with_flash(
        "/aanmelden",
        "Uw wachtwoord is ingesteld. U kunt zich nu aanmelden.",
        state.config.secure_cookies(),
    ))
}
