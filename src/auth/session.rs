//! Server-side sessions. The cookie holds a random token; the database holds its hash, the
//! CSRF token, and the idle and absolute expiry. A new session is made at every login
//! (no fixation), and all sessions of a user can be ended at once.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait,
    FromQueryResult, QueryFilter, QueryResult, QueryTrait, Set,
};

use entity::{app_user, municipality, partner_organisation, session};

use super::{client_ip, cookies, hash_token, random_token};
use crate::error::AppError;
use crate::state::AppState;
use crate::store::reference_cache::{Reference, ReferenceCache};

/// A session ends after this long without a request.
pub const IDLE_TIMEOUT: Duration = Duration::minutes(60);
/// A session ends this long after login, whatever happens.
pub const ABSOLUTE_TIMEOUT: Duration = Duration::hours(12);
/// `last_seen_at` is written at most this often, to spare the database.
const TOUCH_INTERVAL: Duration = Duration::seconds(60);

/// The signed-in user of this request.
#[derive(Debug, Clone)]
pub struct SessionUser {
    /// The stored id of the session (the hash of the cookie token).
    pub session_id: String,
    pub csrf_token: String,
    pub user: app_user::Model,
    /// The municipality or partner organisation the user acts for, by name.
    pub organisation: Option<String>,
}

impl SessionUser {
    pub fn actor(&self) -> crate::policy::Actor {
        crate::policy::Actor::from(&self.user)
    }

    pub fn label(&self) -> String {
        format!("{} <{}>", self.user.name, self.user.email)
    }

    /// Who this user is in the state machines: the applicant, a reviewer or an admin.
    pub fn party(&self) -> crate::domain::workflow::Party {
        use crate::domain::workflow::Party;
        use entity::app_user::UserRole;
        match self.user.role {
            UserRole::Admin => Party::Admin,
            UserRole::Reviewer => Party::Reviewer,
            UserRole::Official => Party::Applicant,
        }
    }
}

/// The client's address, for the audit log and throttling: the TCP peer, or the address a
/// trusted proxy forwarded ([`client_ip`]).
#[derive(Debug, Clone, Default)]
pub struct ClientIp(pub Option<String>);

/// A one-time message for the next page, carried in a short-lived cookie.
#[derive(Debug, Clone, Default)]
pub struct Flash(pub Option<String>);

/// Creates a session for `user` and returns the cookie token.
pub async fn create<C: ConnectionTrait>(
    db: &C,
    user_id: i64,
    ip: Option<String>,
    user_agent: Option<String>,
    now: DateTime<Utc>,
) -> Result<String, DbErr> {
    let token = random_token();
    session::ActiveModel {
        id: Set(hash_token(&token)),
        user_id: Set(user_id),
        csrf_token: Set(random_token()),
        created_at: Set(now),
        last_seen_at: Set(now),
        expires_at: Set(now + ABSOLUTE_TIMEOUT),
        ip: Set(ip),
        user_agent: Set(user_agent.map(|ua| ua.chars().take(300).collect())),
    }
    .insert(db)
    .await?;
    Ok(token)
}

/// Ends one session.
pub async fn end<C: ConnectionTrait>(db: &C, session_id: &str) -> Result<(), DbErr> {
    session::Entity::delete_by_id(session_id.to_owned())
        .exec(db)
        .await?;
    Ok(())
}

/// Ends every session of a user ("log out everywhere", password change, deactivation).
pub async fn end_all<C: ConnectionTrait>(db: &C, user_id: i64) -> Result<u64, DbErr> {
    Ok(session::Entity::delete_many()
        .filter(session::Column::UserId.eq(user_id))
        .exec(db)
        .await?
        .rows_affected)
}

/// How many sessions `user_id` has (the account page).
pub async fn count_of<C: ConnectionTrait>(db: &C, user_id: i64) -> Result<u64, DbErr> {
    use sea_orm::PaginatorTrait;
    session::Entity::find()
        .filter(session::Column::UserId.eq(user_id))
        .count(db)
        .await
}

/// The live session for a cookie token, with its user, and the reference data as of this
/// request; expired sessions are removed. The organisation's name comes from the reference data
/// in memory.
pub async fn load(
    db: &DatabaseConnection,
    cache: &ReferenceCache,
    token: &str,
    now: DateTime<Utc>,
) -> Result<(Option<SessionUser>, Reference), DbErr> {
    // The session, its user and the reference version in one statement: this runs on every
    // signed-in request.
    let mut query = session::Entity::find_by_id(hash_token(token))
        .find_also_related(app_user::Entity)
        .into_query();
    query.expr_as(
        Expr::cust("(SELECT version FROM reference_version WHERE id = 1)"),
        "reference_version",
    );
    let found = SessionRow::find_by_statement(db.get_database_backend().build(&query))
        .one(db)
        .await?;
    let Some(SessionRow {
        session: found,
        user,
        reference_version,
    }) = found
    else {
        return Ok((None, cache.current(db).await?));
    };
    let reference = cache.at(db, reference_version);
    let user = check(db, &reference, found, user, now).await?;
    Ok((user, reference))
}

/// A session row with its user (sea-orm's `A_`/`B_` column prefixes of `find_also_related`)
/// and the reference version.
struct SessionRow {
    session: session::Model,
    user: Option<app_user::Model>,
    reference_version: i64,
}

impl FromQueryResult for SessionRow {
    fn from_query_result(row: &QueryResult, pre: &str) -> Result<Self, DbErr> {
        Ok(Self {
            session: session::Model::from_query_result(row, "A_")?,
            user: app_user::Model::from_query_result_optional(row, "B_")?,
            reference_version: row.try_get(pre, "reference_version")?,
        })
    }
}

/// Whether the found session is live for an active user; ends it when not, and notes that it
/// was seen.
async fn check(
    db: &DatabaseConnection,
    reference: &Reference,
    found: session::Model,
    user: Option<app_user::Model>,
    now: DateTime<Utc>,
) -> Result<Option<SessionUser>, DbErr> {
    if found.expires_at <= now || found.last_seen_at + IDLE_TIMEOUT <= now {
        end(db, &found.id).await?;
        return Ok(None);
    }
    let Some(user) = user else {
        return Ok(None);
    };
    if !user.active {
        end(db, &found.id).await?;
        return Ok(None);
    }
    if found.last_seen_at + TOUCH_INTERVAL <= now {
        let mut active: session::ActiveModel = found.clone().into();
        active.last_seen_at = Set(now);
        active.update(db).await?;
    }
    let organisation = organisation_name_in(reference, &user).await?;
    Ok(Some(SessionUser {
        session_id: found.id,
        csrf_token: found.csrf_token,
        user,
        organisation,
    }))
}

pub async fn organisation_name<C: ConnectionTrait>(
    db: &C,
    user: &app_user::Model,
) -> Result<Option<String>, DbErr> {
    if let Some(id) = user.municipality_id {
        return Ok(municipality::Entity::find_by_id(id)
            .one(db)
            .await?
            .map(|m| m.name));
    }
    if let Some(id) = user.partner_organisation_id {
        return Ok(partner_organisation::Entity::find_by_id(id)
            .one(db)
            .await?
            .map(|p| p.name));
    }
    Ok(None)
}

/// [`organisation_name`] from the reference data in memory.
pub async fn organisation_name_in(
    reference: &Reference,
    user: &app_user::Model,
) -> Result<Option<String>, DbErr> {
    if let Some(id) = user.municipality_id {
        return Ok(reference
            .municipalities()
            .await?
            .get(&id)
            .map(|m| m.name.clone()));
    }
    if let Some(id) = user.partner_organisation_id {
        return Ok(reference.partners().await?.get(&id).map(|p| p.name.clone()));
    }
    Ok(None)
}

/// Middleware: loads the session (if any), the client address and the flash message into the
/// request's extensions, and clears a stale session cookie or a shown flash on the response.
pub async fn middleware(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let ip = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| {
            client_ip::client_ip(
                c.0.ip(),
                request.headers(),
                &state.config.trusted_proxies,
                state.config.trusted_proxy_header,
            )
            .to_string()
        });
    request.extensions_mut().insert(ClientIp(ip.clone()));

    // The JSON API authenticates with bearer tokens only, never with the session cookie.
    if crate::api::is_api_path(request.uri().path()) {
        match crate::api::auth::authenticate(&state, request.headers(), ip).await {
            Ok(Some(user)) => {
                request.extensions_mut().insert(user);
            }
            Ok(None) => {}
            Err(refusal) => return refusal,
        }
        return next.run(request).await;
    }

    let headers = request.headers();
    let token = cookies::get(headers, cookies::SESSION);
    let flash = cookies::get(headers, cookies::FLASH).and_then(|v| decode_flash(&v));
    let had_flash = flash.is_some();
    request.extensions_mut().insert(Flash(flash));

    let mut stale_cookie = false;
    if let Some(token) = token {
        // The session and the reference data as of this request; the page handlers reuse the
        // reference data (`PageContext`).
        match load(&state.db, &state.reference, &token, state.clock.now()).await {
            Ok((user, reference)) => {
                request.extensions_mut().insert(reference);
                match user {
                    Some(user) => {
                        request.extensions_mut().insert(user);
                    }
                    None => stale_cookie = true,
                }
            }
            Err(err) => return AppError::from(err).into_response(),
        }
    }
    let secure = state.config.secure_cookies();
    let mut response = next.run(request).await;
    if let Some(crate::web::extract::FlashMessage(message)) = response
        .extensions_mut()
        .remove::<crate::web::extract::FlashMessage>(
    ) {
        response
            .headers_mut()
            .append(header::SET_COOKIE, flash_cookie(&message, secure));
    }
    // Clearing cookies never overrides a cookie of the same name that the handler set (a login
    // that still carried a stale session cookie sets the new session).
    let headers = response.headers_mut();
    if stale_cookie {
        cookies::set_unless_set(
            headers,
            cookies::SESSION,
            cookies::clear(cookies::SESSION, secure),
        );
    }
    if had_flash && !headers.contains_key(header::LOCATION) {
        cookies::set_unless_set(
            headers,
            cookies::FLASH,
            cookies::clear(cookies::FLASH, secure),
        );
    }
    response
}

/// A `Set-Cookie` header carrying a flash message for the next page.
pub fn flash_cookie(message: &str, secure: bool) -> HeaderValue {
    cookies::set(cookies::FLASH, &encode_flash(message), secure, Some(60))
}

/// A 303 redirect to `to` that shows `message` on the next page.
pub fn redirect_with_flash(to: &str, message: &str, secure: bool) -> Response {
    let mut response = Redirect::to(to).into_response();
    response
        .headers_mut()
        .append(header::SET_COOKIE, flash_cookie(message, secure));
    response
}

fn encode_flash(message: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(message.as_bytes())
}

fn decode_flash(value: &str) -> Option<String> {
    use base64::Engine;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(value)
        .ok()?;
    let text = String::from_utf8(bytes).ok()?;
    (!text.is_empty()).then(|| text.chars().take(500).collect())
}

/// Extractor for pages that need a signed-in user; anonymous visitors are sent to the login
/// page and come back afterwards.
#[derive(Debug, Clone)]
pub struct CurrentUser(pub SessionUser);

impl<S: Send + Sync> FromRequestParts<S> for CurrentUser {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        match parts.extensions.get::<SessionUser>() {
            Some(user) => Ok(Self(user.clone())),
            None => Err(login_redirect(
                parts.uri.path_and_query().map(|p| p.as_str()),
            )),
        }
    }
}

/// Redirect to the login page, remembering where the user wanted to go.
pub fn login_redirect(next: Option<&str>) -> Response {
    let target = match next {
        Some(path) if path != "/" && is_local_path(path) => {
            format!("/aanmelden?volgende={}", urlencode(path))
        }
        _ => "/aanmelden".to_owned(),
    };
    Redirect::to(&target).into_response()
}

/// Extractor for pages open to everyone that adapt to a signed-in user.
#[derive(Debug, Clone)]
pub struct MaybeUser(pub Option<SessionUser>);

impl<S: Send + Sync> FromRequestParts<S> for MaybeUser {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(Self(parts.extensions.get::<SessionUser>().cloned()))
    }
}

impl<S: Send + Sync> FromRequestParts<S> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(parts
            .extensions
            .get::<ClientIp>()
            .cloned()
            .unwrap_or_default())
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Flash {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(parts.extensions.get::<Flash>().cloned().unwrap_or_default())
    }
}

/// `next` when it is a path on this site that is safe to send back in a `Location` header;
/// `None` for anything else (the caller then uses the start page).
///
/// A browser strips tabs and newlines from a URL, reads `\` as `/` and treats `//host` as
/// another site, so `/\t/evil.example` would leave the site. Accepted are only paths that start
/// with one `/`, consist of visible ASCII without a backslash (so the value is also a valid header
/// value), and that, resolved against this site's own origin as a browser resolves them, stay on
/// that origin.
pub fn local_path(next: &str) -> Option<&str> {
    let visible = next.bytes().all(|b| b.is_ascii_graphic() && b != b'\\');
    if !visible || !next.starts_with('/') || next.starts_with("//") {
        return None;
    }
    let origin = url::Url::parse("https://samenleven.invalid/").ok()?;
    let resolved = origin.join(next).ok()?;
    (resolved.origin() == origin.origin()).then_some(next)
}

/// Whether `path` is a path on this site (`/x`), never another site (`//evil`, `https://…`,
/// `/\evil`, `/\t/evil`); see [`local_path`].
pub fn is_local_path(path: &str) -> bool {
    local_path(path).is_some()
}

pub fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_paths_that_stay_on_this_site_are_followed_after_login() {
        for good in [
            "/",
            "/dossiers/3",
            "/beoordeling?zoek=a%20b&pagina=2",
            "/dossiers/3#bijlagen",
            "/a//b",
            "/%09/evil.example",
            "/%2F%2Fevil.example",
            "/aanmelden?volgende=//evil.example",
        ] {
            assert_eq!(local_path(good), Some(good), "{good:?} is local");
        }
        for bad in [
            "",
            "dossiers",
            "//evil.example",
            "///evil.example",
            "/\\evil.example",
            "\\/evil.example",
            "\\\\evil.example",
            "/x\\y",
            "https://evil.example",
            "http:/evil.example",
            "javascript:alert(1)",
            "/\t/evil.example",
            "\t//evil.example",
            "/\t\t/evil.example",
            " //evil.example",
            "/\n/evil.example",
            "/\r\nSet-Cookie: x=y",
            "/x\0",
            "/x\u{7f}",
            "/x y",
            "/café",
            "/\u{3000}/evil.example",
        ] {
            assert_eq!(local_path(bad), None, "{bad:?} is refused");
            assert!(!is_local_path(bad), "{bad:?}");
        }
    }

    #[test]
    fn a_flash_message_survives_the_cookie_round_trip() {
        let encoded = encode_flash("Uw dossier is bewaard — dank u.");
        assert_eq!(
            decode_flash(&encoded).as_deref(),
            Some("Uw dossier is bewaard — dank u.")
        );
        assert_eq!(decode_flash("%%%"), None);
    }
}
