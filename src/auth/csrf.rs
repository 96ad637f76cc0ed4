//! CSRF protection for every state-changing request (POST, PUT, PATCH, DELETE) of the HTML
//! site. The form must carry the token of the session (signed-in users) or of the anonymous
//! double-submit cookie (login and password forms), as the field `csrf_token` (put it first in
//! multipart forms) or the header `x-csrf-token`. A cross-site `Origin` is refused outright.
//! The JSON API under `/api/` authenticates with bearer tokens, not cookies, and is exempt.

use axum::body::{Body, to_bytes};
use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};

use super::session::SessionUser;
use super::{constant_time_eq, cookies, random_token};
use crate::state::AppState;
use crate::web::pages::ErrorPage;

pub const FIELD: &str = "csrf_token";

/// The token a page must put in its forms.
#[derive(Debug, Clone)]
pub struct CsrfToken(pub String);

impl<S: Send + Sync> FromRequestParts<S> for CsrfToken {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let token = parts
            .extensions
            .get::<SessionUser>()
            .map(|u| u.csrf_token.clone())
            .or_else(|| parts.extensions.get::<CsrfToken>().map(|t| t.0.clone()))
            .unwrap_or_default();
        Ok(Self(token))
    }
}

fn is_state_changing(method: &Method) -> bool {
    matches!(
        *method,
        Method::POST | Method::PUT | Method::PATCH | Method::DELETE
    )
}

pub async fn middleware(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let secure = state.config.secure_cookies();
    let body_limit = state.config.max_upload_bytes + 64 * 1024;
    if request.uri().path().starts_with("/api/") {
        return next.run(request).await;
    }
    let session_token = request
        .extensions()
        .get::<SessionUser>()
        .map(|u| u.csrf_token.clone());
    let anon_cookie = cookies::get(request.headers(), cookies::ANON_CSRF);

    if !is_state_changing(request.method()) {
        // Give anonymous visitors a token for the login and password forms.
        let mut request = request;
        let mut new_cookie = None;
        if session_token.is_none() {
            let token = anon_cookie.clone().unwrap_or_else(|| {
                let t = random_token();
                new_cookie = Some(t.clone());
                t
            });
            request.extensions_mut().insert(CsrfToken(token));
        }
        let mut response = next.run(request).await;
        if let Some(token) = new_cookie {
            response.headers_mut().append(
                header::SET_COOKIE,
                cookies::set(cookies::ANON_CSRF, &token, secure, None),
            );
        }
        return response;
    }

    if !same_origin(request.headers()) {
        return refuse("cross-site origin");
    }
    let Some(expected) = session_token.or(anon_cookie) else {
        return refuse("no token issued");
    };
    let (parts, body) = request.into_parts();
    let header_token = parts
        .headers
        .get("x-csrf-token")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let bytes = match to_bytes(body, body_limit).await {
        Ok(b) => b,
        Err(_) => {
            return (
                StatusCode::PAYLOAD_TOO_LARGE,
                Html(
                    ErrorPage::new(
                        "Bestand te groot",
                        "Wat u verstuurde is groter dan toegelaten. Kies een kleiner bestand."
                            .into(),
                        None,
                    )
                    .render_or_plain(),
                ),
            )
                .into_response();
        }
    };
    let content_type = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let provided = header_token.or_else(|| token_from_body(content_type, &bytes));
    match provided {
        Some(token) if constant_time_eq(&token, &expected) => {
            // A form that comes back with errors (a mistyped password) needs the same token
            // again, or the next try is refused as an expired form.
            let mut parts = parts;
            parts.extensions.insert(CsrfToken(expected));
            next.run(Request::from_parts(parts, Body::from(bytes)))
                .await
        }
        _ => refuse("token missing or wrong"),
    }
}

/// A request whose `Origin` names another host than `Host` comes from another site.
fn same_origin(headers: &HeaderMap) -> bool {
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return true;
    };
    if origin == "null" {
        return false;
    }
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    origin
        .split_once("://")
        .map(|(_, rest)| rest.trim_end_matches('/'))
        .is_some_and(|origin_host| origin_host.eq_ignore_ascii_case(host))
}

fn token_from_body(content_type: &str, body: &[u8]) -> Option<String> {
    if content_type.starts_with("application/x-www-form-urlencoded") {
        return form_urlencoded_pairs(body)
            .into_iter()
            .find(|(k, _)| k == FIELD)
            .map(|(_, v)| v);
    }
    if content_type.starts_with("multipart/form-data") {
        let marker = format!("name=\"{FIELD}\"\r\n\r\n");
        let marker = marker.as_bytes();
        let start = body.windows(marker.len()).position(|w| w == marker)? + marker.len();
        let rest = &body[start..];
        let end = rest.windows(2).position(|w| w == b"\r\n")?;
        return std::str::from_utf8(&rest[..end]).ok().map(str::to_owned);
    }
    None
}

/// The name/value pairs of an `application/x-www-form-urlencoded` body, decoded, in order
/// (repeated names are kept).
pub(crate) fn form_urlencoded_pairs(body: &[u8]) -> Vec<(String, String)> {
    serde_urlencoded_pairs(std::str::from_utf8(body).unwrap_or(""))
}

fn serde_urlencoded_pairs(text: &str) -> Vec<(String, String)> {
    text.split('&')
        .filter_map(|pair| pair.split_once('='))
        .map(|(k, v)| (percent_decode(k), percent_decode(v)))
        .collect()
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                match u8::from_str_radix(
                    std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("zz"),
                    16,
                ) {
                    Ok(b) => {
                        out.push(b);
                        i += 2;
                    }
                    Err(_) => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn refuse(reason: &str) -> Response {
    tracing::warn!(reason, "CSRF check refused a request");
    (
        StatusCode::FORBIDDEN,
        Html(
            ErrorPage::new(
                "Formulier verlopen",
                "Dit formulier is verlopen of kwam niet van Samenleven. Ga terug, laad de pagina \
                 opnieuw en verstuur het nog eens. Wat u invulde, staat nog in uw browser."
                    .into(),
                None,
            )
            .render_or_plain(),
        ),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn the_token_is_found_in_a_url_encoded_form() {
        let body = b"email=jan%40gent.be&csrf_token=abc123&x=1";
        assert_eq!(
            token_from_body("application/x-www-form-urlencoded", body).as_deref(),
            Some("abc123")
        );
    }

    #[test]
    fn the_token_is_found_in_a_multipart_form() {
        let body =
            b"--b\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\ntok\r\n--b--\r\n";
        assert_eq!(
            token_from_body("multipart/form-data; boundary=b", body).as_deref(),
            Some("tok")
        );
    }

    #[test]
    fn percent_encoding_is_decoded() {
        assert_eq!(percent_decode("a%20b+c%C3%AB"), "a b cë");
        assert_eq!(percent_decode("100%"), "100%");
    }

    #[test]
    fn a_foreign_origin_is_refused_and_the_own_origin_accepted() {
        let mut headers = HeaderMap::new();
        headers.insert(header::HOST, HeaderValue::from_static("127.0.0.1:3000"));
        assert!(same_origin(&headers));
        headers.insert(
            header::ORIGIN,
            HeaderValue::from_static("http://127.0.0.1:3000"),
        );
        assert!(same_origin(&headers));
        headers.insert(
            header::ORIGIN,
            HeaderValue::from_static("https://evil.example"),
        );
        assert!(!same_origin(&headers));
        headers.insert(header::ORIGIN, HeaderValue::from_static("null"));
        assert!(!same_origin(&headers));
    }
}
