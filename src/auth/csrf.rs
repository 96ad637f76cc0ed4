//! CSRF protection for every state-changing request (POST, PUT, PATCH, DELETE) of the HTML
//! site. The form must carry the token of the session (signed-in users) or of the anonymous
//! double-submit cookie (login and password forms), as the header `x-csrf-token` or as the
//! **first** field of the form: the first pair of a URL-encoded form, the first part of a
//! multipart form (before any file; the forms put `csrf_token` first). A cross-site `Origin`
//! is refused outright. The JSON API under `/api/` authenticates with bearer tokens, not
//! cookies, and is exempt.
//!
//! Nothing here reads a whole body: only its start, at most [`MAX_TOKEN_START`] bytes (one
//! frame of the connection at most beyond that), which is then passed on to the handler with
//! the rest of the body, unread. The anonymous cookie is signed with a key derived from
//! `SESSION_SECRET` ([`issue_anonymous`]), so a request whose cookie the app did not issue is
//! refused before its body is read at all, and a page visited with such a cookie hands out a
//! fresh one.

use std::pin::Pin;
use std::task::{Context, Poll};

use axum::body::{Body, Bytes};
use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use hmac::{Hmac, Mac};
use http_body::Frame;
use http_body_util::BodyExt;
use rand::RngCore;
use sha2::{Digest, Sha256};

use super::session::SessionUser;
use super::{constant_time_eq, cookies};
use crate::config::Config;
use crate::state::AppState;
use crate::web::pages::ErrorPage;

pub const FIELD: &str = "csrf_token";

/// The most bytes of a body read to find the token in its first field or part.
pub const MAX_TOKEN_START: usize = 4 * 1024;

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

type HmacSha256 = Hmac<Sha256>;

/// The key that signs anonymous tokens, derived from the session secret (never the secret
/// itself, which also serves elsewhere).
fn anonymous_key(config: &Config) -> [u8; 32] {
    let mut digest = Sha256::new();
    digest.update(b"samenleven:anonymous-csrf:v1:");
    digest.update(config.session_secret.expose().as_bytes());
    digest.finalize().into()
}

/// The signature half of an anonymous token for its random half `nonce` (hex).
fn anonymous_mac(key: &[u8; 32], nonce: &str) -> String {
    let Ok(mut mac) = HmacSha256::new_from_slice(key) else {
        return String::new();
    };
    mac.update(nonce.as_bytes());
    hex::encode(&mac.finalize().into_bytes()[..16])
}

/// A new anonymous token: 16 random bytes and the first 16 bytes of their HMAC-SHA-256, in hex
/// (64 characters, like a session's token).
pub fn issue_anonymous(key: &[u8; 32]) -> String {
    let mut nonce = [0u8; 16];
    rand::thread_rng().fill_bytes(&mut nonce);
    let nonce = hex::encode(nonce);
    let mac = anonymous_mac(key, &nonce);
    format!("{nonce}{mac}")
}

/// Whether `value` is an anonymous token this app issued (under this session secret).
pub fn is_anonymous(key: &[u8; 32], value: &str) -> bool {
    if value.len() != 64 || !value.bytes().all(|b| b.is_ascii_hexdigit()) {
        return false;
    }
    let (nonce, mac) = value.split_at(32);
    constant_time_eq(mac, &anonymous_mac(key, nonce))
}

pub async fn middleware(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let secure = state.config.secure_cookies();
    if request.uri().path().starts_with("/api/") {
        return next.run(request).await;
    }
    let session_token = request
        .extensions()
        .get::<SessionUser>()
        .map(|u| u.csrf_token.clone());
    let key = anonymous_key(&state.config);
    let anon_cookie = cookies::get(request.headers(), cookies::ANON_CSRF)
        .filter(|value| is_anonymous(&key, value));

    if !is_state_changing(request.method()) {
        // Give anonymous visitors a token for the login and password forms.
        let mut request = request;
        let mut new_cookie = None;
        if session_token.is_none() {
            let token = anon_cookie.clone().unwrap_or_else(|| {
                let t = issue_anonymous(&key);
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
        return refuse("no token issued by us");
    };
    let (mut parts, body) = request.into_parts();
    let header_token = parts
        .headers
        .get("x-csrf-token")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let (provided, body) = match header_token {
        Some(token) => (Some(token), body),
        None => {
            let content_type = parts
                .headers
                .get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("");
            let Some(form) = FormKind::of(content_type) else {
                return refuse("no token: not a form");
            };
            let (start, rest, ended) = match read_start(body, |b| form.has_first_field(b)).await {
                Ok(read) => read,
                Err(err) => {
                    tracing::info!(error = %err, "a form could not be read");
                    return (StatusCode::BAD_REQUEST, "").into_response();
                }
            };
            let token = form.first_field_token(&start, ended);
            (token, Body::new(Prefixed::new(start, rest)))
        }
    };
    match provided {
        Some(token) if constant_time_eq(&token, &expected) => {
            // A form that comes back with errors (a mistyped password) needs the same token
            // again, or the next try is refused as an expired form.
            parts.extensions.insert(CsrfToken(expected));
            next.run(Request::from_parts(parts, body)).await
        }
        _ => refuse("token missing, wrong or not the first field"),
    }
}

/// The two kinds of form a browser sends.
enum FormKind {
    UrlEncoded,
    /// With the delimiter line `--boundary`.
    Multipart(Vec<u8>),
}

impl FormKind {
    fn of(content_type: &str) -> Option<Self> {
        let lower = content_type.to_ascii_lowercase();
        if lower.starts_with("application/x-www-form-urlencoded") {
            return Some(FormKind::UrlEncoded);
        }
        if !lower.starts_with("multipart/form-data") {
            return None;
        }
        let boundary = content_type.split(';').skip(1).find_map(|param| {
            let (name, value) = param.split_once('=')?;
            name.trim()
                .eq_ignore_ascii_case("boundary")
                .then(|| value.trim().trim_matches('"').to_owned())
        })?;
        if boundary.is_empty() || boundary.len() > 70 {
            return None;
        }
        Some(FormKind::Multipart(format!("--{boundary}").into_bytes()))
    }

    /// Whether `start` holds the whole first field (or part).
    fn has_first_field(&self, start: &[u8]) -> bool {
        match self {
            FormKind::UrlEncoded => start.contains(&b'&'),
            FormKind::Multipart(delimiter) => {
                start.len() > delimiter.len()
                    && find(&start[delimiter.len()..], delimiter).is_some()
            }
        }
    }

    /// The token in the first field of a form that starts with `start` (`ended`: the body is
    /// no longer than that), if that field is the token.
    fn first_field_token(&self, start: &[u8], ended: bool) -> Option<String> {
        match self {
            FormKind::UrlEncoded => {
                let first = match start.iter().position(|&b| b == b'&') {
                    Some(end) => &start[..end],
                    None if ended => start,
                    None => return None,
                };
                let (name, value) = std::str::from_utf8(first).ok()?.split_once('=')?;
                (percent_decode(name) == FIELD).then(|| percent_decode(value))
            }
            FormKind::Multipart(delimiter) => {
                let rest = start.strip_prefix(delimiter.as_slice())?;
                let rest = rest.strip_prefix(b"\r\n")?;
                let headers_end = find(rest, b"\r\n\r\n")?;
                let headers = std::str::from_utf8(&rest[..headers_end]).ok()?;
                let names_the_token = headers.split("\r\n").any(|line| {
                    let line = line.to_ascii_lowercase();
                    line.starts_with("content-disposition:")
                        && line.contains(&format!("name=\"{FIELD}\""))
                        && !line.contains("filename")
                });
                if !names_the_token {
                    return None;
                }
                let value = &rest[headers_end + 4..];
                let mut closing = b"\r\n".to_vec();
                closing.extend_from_slice(delimiter);
                let end = find(value, &closing)?;
                std::str::from_utf8(&value[..end]).ok().map(str::to_owned)
            }
        }
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Reads `body` until `enough` says so, [`MAX_TOKEN_START`] bytes came, or the body ended;
/// returns what was read, the rest of the body and whether the body ended.
async fn read_start(
    mut body: Body,
    enough: impl Fn(&[u8]) -> bool,
) -> Result<(Bytes, Body, bool), axum::Error> {
    let mut start = Vec::new();
    let mut ended = false;
    while start.len() < MAX_TOKEN_START && !enough(&start) {
        match body.frame().await {
            None => {
                ended = true;
                break;
            }
            Some(frame) => {
                if let Ok(data) = frame?.into_data() {
                    start.extend_from_slice(&data);
                }
            }
        }
    }
    Ok((Bytes::from(start), body, ended))
}

/// A body whose start was already read: that start, then the rest as it comes.
struct Prefixed {
    start: Option<Bytes>,
    rest: Body,
}

impl Prefixed {
    fn new(start: Bytes, rest: Body) -> Self {
        Self {
            start: (!start.is_empty()).then_some(start),
            rest,
        }
    }
}

impl http_body::Body for Prefixed {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        if let Some(start) = self.start.take() {
            return Poll::Ready(Some(Ok(Frame::data(start))));
        }
        Pin::new(&mut self.rest).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.start.is_none() && self.rest.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        let mut hint = self.rest.size_hint();
        let start = self.start.as_ref().map_or(0, |s| s.len() as u64);
        hint.set_lower(hint.lower().saturating_add(start));
        if let Some(upper) = hint.upper() {
            hint.set_upper(upper.saturating_add(start));
        }
        hint
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

    fn token_of(content_type: &str, body: &[u8], ended: bool) -> Option<String> {
        let form = FormKind::of(content_type)?;
        form.first_field_token(body, ended)
    }

    #[test]
    fn the_token_is_the_first_field_of_a_url_encoded_form() {
        let form = "application/x-www-form-urlencoded";
        assert_eq!(
            token_of(form, b"csrf_token=abc123&email=jan%40gent.be", false).as_deref(),
            Some("abc123")
        );
        assert_eq!(
            token_of(form, b"csrf_token=abc", true).as_deref(),
            Some("abc")
        );
        // Not yet the whole field, or another field first: no token.
        assert_eq!(token_of(form, b"csrf_token=abc", false), None);
        assert_eq!(token_of(form, b"email=x&csrf_token=abc", false), None);
        assert!(FormKind::UrlEncoded.has_first_field(b"csrf_token=abc&"));
        assert!(!FormKind::UrlEncoded.has_first_field(b"csrf_token=abc"));
    }

    #[test]
    fn the_token_is_the_first_part_of_a_multipart_form() {
        let form = "multipart/form-data; boundary=b";
        let body =
            b"--b\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\ntok\r\n--b\r\n";
        assert_eq!(token_of(form, body, false).as_deref(), Some("tok"));
        let quoted = "multipart/form-data; boundary=\"b\"";
        assert_eq!(token_of(quoted, body, false).as_deref(), Some("tok"));
        let file_first = b"--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"x\"\r\n\r\nname=\"csrf_token\"\r\n\r\ntok\r\n--b\r\n";
        assert_eq!(token_of(form, file_first, false), None);
        assert_eq!(
            token_of("multipart/form-data", body, false),
            None,
            "no boundary"
        );
        assert_eq!(token_of("text/plain", body, false), None);
    }

    #[test]
    fn only_anonymous_tokens_signed_with_the_key_are_ours() {
        let key = [7u8; 32];
        let token = issue_anonymous(&key);
        assert_eq!(token.len(), 64);
        assert!(is_anonymous(&key, &token));
        assert_ne!(token, issue_anonymous(&key));
        assert!(!is_anonymous(&[8u8; 32], &token), "another secret");
        assert!(!is_anonymous(&key, "vervalst"));
        assert!(!is_anonymous(&key, &"0".repeat(64)));
        let mut tampered = token.clone();
        tampered.replace_range(0..1, if token.starts_with('0') { "1" } else { "0" });
        assert!(!is_anonymous(&key, &tampered));
    }

    #[tokio::test]
    async fn the_start_read_for_the_token_is_passed_on_with_the_rest() {
        let body = Body::from("csrf_token=abc&email=jan%40gent.be&password=geheim");
        let (start, rest, _) = read_start(body, |b| FormKind::UrlEncoded.has_first_field(b))
            .await
            .unwrap();
        let whole = Body::new(Prefixed::new(start, rest))
            .collect()
            .await
            .unwrap()
            .to_bytes();
        assert_eq!(
            &whole[..],
            b"csrf_token=abc&email=jan%40gent.be&password=geheim"
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
