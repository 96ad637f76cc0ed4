//! Reading and writing cookies without extra dependencies.

use axum::http::{HeaderMap, HeaderValue, header};

pub const SESSION: &str = "sl_session";
pub const ANON_CSRF: &str = "sl_csrf";
pub const FLASH: &str = "sl_flash";
/// A browser in which the user signed in before (see `auth::devices`).
pub const DEVICE: &str = "sl_device";

/// The value of cookie `name` in the request, if any.
pub fn get(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
}

/// A `Set-Cookie` value: HttpOnly, SameSite=Lax, path `/`, `Secure` when served over HTTPS.
/// Without `max_age` the cookie lasts until the browser closes.
pub fn set(name: &str, value: &str, secure: bool, max_age: Option<i64>) -> HeaderValue {
    let mut cookie = format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax");
    if secure {
        cookie.push_str("; Secure");
    }
    if let Some(age) = max_age {
        cookie.push_str(&format!("; Max-Age={age}"));
    }
    HeaderValue::from_str(&cookie).unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// Whether the response headers already set cookie `name`.
pub fn is_set(headers: &HeaderMap, name: &str) -> bool {
    headers
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| v.split_once('=').is_some_and(|(k, _)| k.trim() == name))
}

/// Adds `cookie` (a `Set-Cookie` value for cookie `name`) unless the response already sets that
/// cookie: a browser applies every `Set-Cookie` in order, so a second one for the same name would
/// undo the first (a new session followed by a clearing of the old one ends signed out).
pub fn set_unless_set(headers: &mut HeaderMap, name: &str, cookie: HeaderValue) {
    if !is_set(headers, name) {
        headers.append(header::SET_COOKIE, cookie);
    }
}

/// A `Set-Cookie` value that removes the cookie.
pub fn clear(name: &str, secure: bool) -> HeaderValue {
    set(name, "", secure, Some(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cookie_is_found_among_others() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static("a=1; sl_session=xyz; b=2"),
        );
        assert_eq!(get(&headers, SESSION).as_deref(), Some("xyz"));
        assert_eq!(get(&headers, "c"), None);
    }

    #[test]
    fn a_cookie_the_response_already_sets_is_not_set_twice() {
        let mut headers = HeaderMap::new();
        headers.append(header::SET_COOKIE, set(FLASH, "bericht", false, Some(60)));
        set_unless_set(&mut headers, SESSION, clear(SESSION, false));
        set_unless_set(&mut headers, SESSION, set(SESSION, "nieuw", false, None));
        set_unless_set(&mut headers, FLASH, clear(FLASH, false));
        let all: Vec<_> = headers
            .get_all(header::SET_COOKIE)
            .iter()
            .map(|v| v.to_str().unwrap().to_owned())
            .collect();
        assert_eq!(all.len(), 2, "{all:?}");
        assert!(all[0].starts_with("sl_flash=bericht"));
        assert!(all[1].starts_with("sl_session=;"));
    }

    #[test]
    fn session_cookies_are_http_only_and_same_site() {
        let value = set(SESSION, "t", true, None);
        let text = value.to_str().unwrap();
        assert!(text.contains("HttpOnly"));
        assert!(text.contains("SameSite=Lax"));
        assert!(text.contains("Secure"));
        assert!(
            !set(SESSION, "t", false, None)
                .to_str()
                .unwrap()
                .contains("Secure")
        );
    }
}
