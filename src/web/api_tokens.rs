//! The user's personal API tokens (`/account/api-sleutels`): create one (shown once, stored
//! hashed), see when each was last used, revoke. A token acts as its user for the JSON API.
//! Creation and revocation are audited.
//!
//! Creating a token asks for the password again (a stolen session alone cannot mint a token that
//! outlives it); a wrong password counts as a failed login for the throttle. Every token of a
//! user is revoked, audited and mailed to the user when the user logs out everywhere, sets a
//! new password or is deactivated ([`revoke_all_and_tell`]).

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use chrono::{DateTime, Utc};
use sea_orm::ConnectionTrait;
use serde::Deserialize;

use entity::app_user;

use crate::accounts;
use crate::audit::{self, AuditEntry};
use crate::auth::session::{CurrentUser, SessionUser, redirect_with_flash};
use crate::auth::{cookies, devices, throttle};
use crate::error::AppError;
use crate::mail::{self, MailTemplate};
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
    ctx: PageContext,
    headers: HeaderMap,
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
    if form.password.is_empty() {
        errors.add(
            "password",
            "Vul uw wachtwoord in: zo weten we zeker dat u zelf de sleutel aanmaakt.",
        );
    }
    let Some(name) = name.filter(|_| errors.is_empty()) else {
        return refused(
            &state,
            &ctx,
            &user,
            errors,
            &form,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    };

    // The password, checked like a login: the attempt counts for the throttle.
    let now = Utc::now();
    let ip = ctx.ip.clone().unwrap_or_else(|| "onbekend".to_owned());
    let device = match cookies::get(&headers, cookies::DEVICE) {
        Some(token) => devices::recognise(&state.db, &token, user.user.id, now).await?,
        None => None,
    };
    let attempt =
        match throttle::begin(&state.db, &user.user.email, &ip, device.map(|d| d.id), now).await? {
            Ok(attempt) => attempt,
            Err(wait) => {
                audit::record(
                    &state.db,
                    AuditEntry::new(
                        "auth.reauthentication_throttled",
                        "account",
                        Some(user.user.id.to_string()),
                    )
                    .by(Some(user.user.id), user.label())
                    .from_ip(ctx.ip.clone())
                    .details(format!("API-sleutel aanmaken; {}", wait.limit.code())),
                )
                .await?;
                errors.add("password", wait.message(now));
                let mut response = refused(
                    &state,
                    &ctx,
                    &user,
                    errors,
                    &form,
                    StatusCode::TOO_MANY_REQUESTS,
                )
                .await?;
                response
                    .headers_mut()
                    .insert(header::RETRY_AFTER, wait.seconds(now).into());
                return Ok(response);
            }
        };
    let verified = accounts::check_login_blocking(Some(user.user.clone()), form.password.clone())
        .await
        .map_err(AppError::internal)?;
    if !verified {
        audit::record(
            &state.db,
            AuditEntry::new(
                "auth.reauthentication_failed",
                "account",
                Some(user.user.id.to_string()),
            )
            .by(Some(user.user.id), user.label())
            .from_ip(ctx.ip.clone())
            .details("API-sleutel aanmaken"),
        )
        .await?;
        errors.add(
            "password",
            "Het wachtwoord is niet juist. Vul het wachtwoord in waarmee u zich aanmeldt.",
        );
        return refused(
            &state,
            &ctx,
            &user,
            errors,
            &form,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }

    let txn = crate::db::begin_write(&state.db).await?;
    throttle::succeeded(&txn, &attempt).await?;
    let (row, token) = api_tokens::create(&txn, user.user.id, &name, now).await?;
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

/// Why all of a user's tokens are revoked at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RevokedBecause {
    /// The user logged out everywhere.
    LogoutEverywhere,
    /// A new password was set through a reset (or invitation) link.
    PasswordSet,
    /// An admin deactivated the account.
    Deactivated,
}

impl RevokedBecause {
    fn code(self) -> &'static str {
        match self {
            Self::LogoutEverywhere => "afmelden overal",
            Self::PasswordSet => "nieuw wachtwoord",
            Self::Deactivated => "account gedeactiveerd",
        }
    }
}

#[derive(Template)]
#[template(path = "mail/api_tokens_revoked.txt")]
struct RevokedMail<'a> {
    name: &'a str,
    because: RevokedBecause,
    tokens: Vec<String>,
    tokens_link: String,
    reset_link: String,
}

impl MailTemplate for RevokedMail<'_> {
    fn subject(&self) -> String {
        if self.tokens.len() == 1 {
            "Samenleven: uw API-sleutel is ingetrokken".to_owned()
        } else {
            "Samenleven: uw API-sleutels zijn ingetrokken".to_owned()
        }
    }
}

/// Revokes every live API token of `user` in `txn`: one audit entry per token (by `actor`) and
/// one mail to the user listing them. Nothing happens when the user has no live token. The
/// caller commits and wakes the mail worker.
pub async fn revoke_all_and_tell<C: ConnectionTrait>(
    txn: &C,
    state: &AppState,
    user: &app_user::Model,
    because: RevokedBecause,
    actor: (Option<i64>, String),
    ip: Option<String>,
    now: DateTime<Utc>,
) -> Result<usize, AppError> {
    let revoked = api_tokens::revoke_all(txn, user.id, now).await?;
    if revoked.is_empty() {
        return Ok(0);
    }
    for token in &revoked {
        audit::record(
            txn,
            AuditEntry::new("api_token.revoked", "api_token", Some(token.id.to_string()))
                .by(actor.0, actor.1.clone())
                .from_ip(ip.clone())
                .before(serde_json::json!({"name": token.name, "user_id": token.user_id}))
                .details(because.code()),
        )
        .await?;
    }
    let public_url = &state.config.public_url;
    let mut outgoing = mail::compose(
        user.email.clone(),
        &RevokedMail {
            name: &user.name,
            because,
            tokens: revoked.iter().map(|t| t.name.clone()).collect(),
            tokens_link: format!("{public_url}/account/api-sleutels"),
            reset_link: format!("{public_url}/wachtwoord-vergeten"),
        },
    )?;
    outgoing.related = Some(("app_user".to_owned(), user.id.to_string()));
    mail::enqueue(txn, outgoing).await?;
    Ok(revoked.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rendered(because: RevokedBecause) -> String {
        mail::render_text(&RevokedMail {
            name: "Els Verbeke",
            because,
            tokens: vec!["Zaaksysteem".into(), "Rapportering".into()],
            tokens_link: "https://samenleven.test/account/api-sleutels".into(),
            reset_link: "https://samenleven.test/wachtwoord-vergeten".into(),
        })
        .unwrap()
    }

    #[test]
    fn the_revocation_mail_names_every_token_and_says_what_to_do() {
        for because in [
            RevokedBecause::LogoutEverywhere,
            RevokedBecause::PasswordSet,
            RevokedBecause::Deactivated,
        ] {
            let body = rendered(because);
            assert!(body.starts_with("Beste Els Verbeke,\n\n"), "{body}");
            assert!(body.contains("\n- Zaaksysteem\n- Rapportering\n"), "{body}");
            assert!(!body.contains("\n\n\n"), "no empty gaps: {body}");
            let self_service = because != RevokedBecause::Deactivated;
            assert_eq!(
                body.contains("https://samenleven.test/account/api-sleutels"),
                self_service,
                "{body}"
            );
        }
        assert!(rendered(RevokedBecause::LogoutEverywhere).contains("overal afgemeld"));
        assert!(rendered(RevokedBecause::PasswordSet).contains("opnieuw ingesteld"));
        assert!(rendered(RevokedBecause::Deactivated).contains("gedeactiveerd"));
    }
}
