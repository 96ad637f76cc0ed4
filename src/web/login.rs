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
use crate::auth::session::{self, CurrentUser, is_local_path, redirect_with_flash};
use crate::auth::{cookies, throttle, tokens};
use crate::error::AppError;
use crate::mail::{self, OutgoingMail};
use crate::state::AppState;
use crate::web::context::PageContext;
use crate::web::form::FormErrors;
use crate::web::form::{Form, Query};
use crate::web::pages::{Layout, render};
use crate::web::{Access, RouteTable};

pub fn routes() -> RouteTable {
    RouteTable::new()
        .get("/aanmelden", Access::Public, login_page)
        .post("/aanmelden", Access::Public, login)
        .post("/afmelden", Access::SignedIn, logout)
        .post("/afmelden-overal", Access::SignedIn, logout_everywhere)
        .get("/wachtwoord-vergeten", Access::Public, forgot_page)
        .post("/wachtwoord-vergeten", Access::Public, forgot)
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
}

#[derive(Template)]
#[template(path = "login.html")]
pub struct LoginPage {
    pub layout: Layout,
    pub errors: FormErrors,
    pub email: String,
    pub next: String,
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

fn safe_next(next: &str) -> String {
    if is_local_path(next) {
        next.to_owned()
    } else {
        "/".to_owned()
    }
}

async fn login_page(
    ctx: PageContext,
    Query(query): Query<LoginQuery>,
) -> Result<Response, AppError> {
    if ctx.user.is_some() {
        return Ok(Redirect::to(&safe_next(&query.volgende)).into_response());
    }
    let page = LoginPage {
        layout: ctx.layout("Aanmelden"),
        errors: FormErrors::default(),
        email: String::new(),
        next: query.volgende,
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
                next: form.volgende.clone(),
            };
            Ok((status, render(&page)?).into_response())
        };
    if !errors.is_empty() {
        return rerender(errors, axum::http::StatusCode::UNPROCESSABLE_ENTITY);
    }

    if let Some(blocked) = throttle::check(&state.db, &email, &ip, now).await? {
        audit::record(
            &state.db,
            AuditEntry::new("auth.login_throttled", "account", Some(email.clone()))
                .from_ip(ctx.ip.clone()),
        )
        .await?;
        let minutes = (blocked.until - now).num_minutes().max(1);
        errors.add(
            "email",
            format!(
                "Te veel mislukte aanmeldpogingen. Probeer het opnieuw over {minutes} minuten, \
                 of stel uw wachtwoord opnieuw in."
            ),
        );
        return rerender(errors, axum::http::StatusCode::TOO_MANY_REQUESTS);
    }

    let user = app_user::Entity::find()
        .filter(app_user::Column::Email.eq(email.as_str()))
        .one(&state.db)
        .await?;
    let verified = match &user {
        Some(u) => match &u.password_hash {
            Some(hash) => accounts::verify_password(&form.password, hash),
            None => false,
        },
        None => {
            // Spend the same time as a real check so unknown addresses cannot be told apart.
            accounts::verify_password(&form.password, dummy_hash());
            false
        }
    };
    let user = match user {
        Some(u) if verified && u.active => u,
        _ => {
            throttle::record(&state.db, &email, &ip, false, now).await?;
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
    throttle::record(&txn, &email, &ip, true, now).await?;
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

    let mut response = Redirect::to(&safe_next(&form.volgende)).into_response();
    response.headers_mut().append(
        header::SET_COOKIE,
        cookies::set(
            cookies::SESSION,
            &token,
            state.config.secure_cookies(),
            None,
        ),
    );
    Ok(response)
}

/// A valid argon2id hash of a random password, computed once.
fn dummy_hash() -> &'static str {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| accounts::hash_password(&accounts::generate_password()).unwrap_or_default())
}

async fn logout(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ctx: PageContext,
) -> Result<Response, AppError> {
    session::end(&state.db, &user.session_id).await?;
    audit::record(
        &state.db,
        AuditEntry::new("auth.logout", "account", Some(user.user.id.to_string()))
            .by(Some(user.user.id), user.label())
            .from_ip(ctx.ip),
    )
    .await?;
    let secure = state.config.secure_cookies();
    let mut response = redirect_with_flash("/", "U bent afgemeld.", secure);
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
    let ended = session::end_all(&state.db, user.user.id).await?;
    audit::record(
        &state.db,
        AuditEntry::new(
            "auth.logout_everywhere",
            "account",
            Some(user.user.id.to_string()),
        )
        .by(Some(user.user.id), user.label())
        .from_ip(ctx.ip)
        .details(format!("{ended} sessie(s) beëindigd")),
    )
    .await?;
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
    let user = app_user::Entity::find()
        .filter(app_user::Column::Email.eq(email.as_str()))
        .one(&state.db)
        .await?;
    if let Some(user) = user.filter(|u| u.active) {
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
    // The same answer whether or not the address has an account.
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
    let hash = accounts::hash_password(&form.password).map_err(AppError::internal)?;
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
    Ok(redirect_with_flash(
        "/aanmelden",
        "Uw wachtwoord is ingesteld. U kunt zich nu aanmelden.",
        state.config.secure_cookies(),
    ))
}
