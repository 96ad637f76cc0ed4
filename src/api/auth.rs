//! Bearer-token authentication for `/api/`. The session middleware calls [`authenticate`] for
//! API paths instead of reading the session cookie: a cookie never authenticates an API request
//! (the API is exempt from CSRF checks, so cookie authentication there would be a CSRF hole).
//! A valid token puts its user into the request as a [`SessionUser`], so the route table's access
//! rules and `policy::decide` treat it exactly as that user; a token that is presented but not
//! valid is refused with 401 and audited.

use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};

use super::problem::ApiError;
use crate::audit::{self, AuditEntry};
use crate::auth::session::{SessionUser, organisation_name};
use crate::state::AppState;
use crate::store::api_tokens::{self, Refused};
use entity::api_token;

/// The user of the request's bearer token: `Ok(None)` without an `Authorization` header, the
/// user for a valid token, and a 401 problem (audited) for anything else.
pub async fn authenticate(
    state: &AppState,
    headers: &HeaderMap,
    ip: Option<String>,
) -> Result<Option<SessionUser>, Response> {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let Some(token) = bearer_token(value) else {
        return Err(ApiError::unauthorized(
            "Gebruik de kop `Authorization: Bearer <sleutel>` met een persoonlijke API-sleutel.",
        )
        .into_response());
    };
    let found = api_tokens::authenticate(&state.db, token, state.clock.now())
        .await
        .map_err(|e| ApiError::from(e).into_response())?;
    match found {
        Ok((row, user)) => {
            let organisation = organisation_name(&state.db, &user)
                .await
                .map_err(|e| ApiError::from(e).into_response())?;
            Ok(Some(SessionUser {
                session_id: format!("api-token:{}", row.id),
                csrf_token: String::new(),
                user,
                organisation,
            }))
        }
        Err((refused, row)) => Err(refuse(state, refused, row.as_ref(), ip).await),
    }
}

/// The token of an `Authorization: Bearer <token>` header, when it has that form and a sane length.
fn bearer_token(value: &HeaderValue) -> Option<&str> {
    value
        .to_str()
        .ok()
        .and_then(|v| {
            let (scheme, token) = v.trim().split_once(' ')?;
            scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
        })
        .filter(|t| !t.is_empty() && t.len() <= 200)
}

/// Audits a refused token and answers 401 with the reason in Dutch.
async fn refuse(
    state: &AppState,
    refused: Refused,
    row: Option<&api_token::Model>,
    ip: Option<String>,
) -> Response {
    let entry = AuditEntry::new(
        "api_token.refused",
        "api_token",
        row.map(|r| r.id.to_string()),
    )
    .by(row.map(|r| r.user_id), "API-sleutel")
    .from_ip(ip)
    .details(refused.code());
    if let Err(e) = audit::record(&state.db, entry).await {
        return ApiError::from(e).into_response();
    }
    let detail = match refused {
        Refused::Unknown => "Deze API-sleutel bestaat niet.",
        Refused::Revoked => {
            "Deze API-sleutel werd ingetrokken. Maak een nieuwe aan op uw accountpagina."
        }
        Refused::Inactive => "Het account van deze API-sleutel is gedeactiveerd.",
    };
    ApiError::unauthorized(detail).into_response()
}
