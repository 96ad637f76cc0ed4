//! Extractors and responses every handler shares, so the plumbing is written once:
//! - [`Id`] / [`Ids`]: the numeric ids in the path; anything else is "not found" (404), never a
//!   parse error;
//! - [`crate::app::Caller`] from a request: the signed-in user, the client address and the
//!   application clock's time (anonymous visitors go to the login page, API callers get 401);
//! - [`FlashRedirect`]: a 303 to the next page with a one-time message.

use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};

use crate::app::Caller;
use crate::auth::session::{ClientIp, SessionUser, login_redirect};
use crate::error::AppError;
use crate::state::AppState;

/// The one id of a path like `/dossiers/{id}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Id(pub i64);

impl<S: Send + Sync> FromRequestParts<S> for Id {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Path(text) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|_| AppError::NotFound)?;
        parse_id(&text).map(Self)
    }
}

/// The two ids of a path like `/dossiers/{id}/bijlagen/{attachment}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ids(pub i64, pub i64);

impl<S: Send + Sync> FromRequestParts<S> for Ids {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Path((a, b)) = Path::<(String, String)>::from_request_parts(parts, state)
            .await
            .map_err(|_| AppError::NotFound)?;
        Ok(Self(parse_id(&a)?, parse_id(&b)?))
    }
}

/// A positive id, or "not found".
pub fn parse_id(text: &str) -> Result<i64, AppError> {
    text.parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or(AppError::NotFound)
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let ip = parts.extensions.get::<ClientIp>().and_then(|c| c.0.clone());
        match parts.extensions.get::<SessionUser>() {
            Some(user) => Ok(Caller::user(user, ip, state.clock.now())),
            None if crate::api::is_api_path(parts.uri.path()) => {
                Err(crate::api::problem::ApiError::unauthorized(
                    "Meld u aan met een API-sleutel (Authorization: Bearer ...).",
                )
                .into_response())
            }
            None => Err(login_redirect(
                parts.uri.path_and_query().map(|p| p.as_str()),
            )),
        }
    }
}

/// The message a [`FlashRedirect`] leaves for the next page; the session middleware turns it
/// into the flash cookie (it knows whether cookies must be `Secure`).
#[derive(Debug, Clone)]
pub struct FlashMessage(pub String);

/// A 303 See Other to `to` that shows `message` on the next page: the answer to every form that
/// succeeded.
#[derive(Debug, Clone)]
pub struct FlashRedirect {
    pub to: String,
    pub message: String,
}

impl FlashRedirect {
    pub fn new(to: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            to: to.into(),
            message: message.into(),
        }
    }
}

impl IntoResponse for FlashRedirect {
    fn into_response(self) -> Response {
        let mut response = Redirect::to(&self.to).into_response();
        response.extensions_mut().insert(FlashMessage(self.message));
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_positive_whole_numbers_are_ids() {
        assert_eq!(parse_id("42").ok(), Some(42));
        for bad in ["0", "-1", "abc", "1.5", "", "99999999999999999999", " 4"] {
            assert!(parse_id(bad).is_err(), "{bad}");
        }
    }
}
