//! Reading API requests without ever answering 500 for bad input: a JSON body (content type,
//! size, syntax, types and unknown fields each get their own problem), the query string, the
//! `If-Match` header, and the signed-in token user.

use axum::body::to_bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use serde::de::DeserializeOwned;

use super::problem::{ApiError, FieldProblem};
use crate::auth::session::{ClientIp, SessionUser};

/// The largest JSON body the API reads.
pub const JSON_LIMIT: usize = 256 * 1024;

/// A JSON request body of type `T`.
#[derive(Debug, Clone)]
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, _state: &S) -> Result<Self, Self::Rejection> {
        if !is_json(content_type(&request)) {
            return Err(not_json());
        }
        parse(&read_limited(request).await?).map(ApiJson)
    }
}

fn content_type(request: &Request) -> &str {
    request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
}

fn not_json() -> ApiError {
    ApiError::new(
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "Verstuur de gegevens als JSON, met de kop `Content-Type: application/json`.",
    )
}

/// The body, at most [`JSON_LIMIT`] bytes (413 beyond).
async fn read_limited(request: Request) -> Result<axum::body::Bytes, ApiError> {
    to_bytes(request.into_body(), JSON_LIMIT)
        .await
        .map_err(|_| {
            ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                format!(
                    "De gegevens zijn groter dan {} kB. Verstuur minder tegelijk.",
                    JSON_LIMIT / 1024
                ),
            )
        })
}

/// A JSON request body kept as bytes, to be read with [`parse`] once the handler has checked
/// access, so who may not see a resource learns nothing from how its body is judged. An empty
/// body is `None`; a non-empty one must be JSON (415) and at most [`JSON_LIMIT`] (413).
#[derive(Debug, Clone)]
pub struct JsonBytes(pub Option<axum::body::Bytes>);

impl<S: Send + Sync> FromRequest<S> for JsonBytes {
    type Rejection = ApiError;

    async fn from_request(request: Request, _state: &S) -> Result<Self, Self::Rejection> {
        let json = is_json(content_type(&request));
        let bytes = read_limited(request).await?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(Self(None));
        }
        if !json {
            return Err(not_json());
        }
        Ok(Self(Some(bytes)))
    }
}

fn is_json(content_type: &str) -> bool {
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"))
}

/// Reads `T` from JSON text: malformed JSON, a body that is not a JSON object, and text with a
/// control character ([`crate::domain::text::check`]) are 400; JSON of the wrong shape is 422
/// with the field that is wrong.
pub fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let value: serde_json::Value = serde_json::from_slice(bytes).map_err(|e| malformed(&e))?;
    if !value.is_object() {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "Verstuur de gegevens als één JSON-object tussen accolades (`{…}`), niet als lijst, \
             tekst, getal of `null`. Zie het schema in de API-documentatie.",
        ));
    }
    let mut problems = Vec::new();
    control_characters(&value, "", &mut problems);
    if !problems.is_empty() {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "Een tekst bevat een stuurteken (bijvoorbeeld een nulbyte) dat niet in tekst \
             thuishoort. Zie de foutmelding per veld.",
        )
        .with_errors(problems));
    }
    serde_path_to_error::deserialize::<_, T>(value).map_err(|err| {
        let path = err.path().to_string();
        let inner = err.into_inner();
        match inner.classify() {
            serde_json::error::Category::Data => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "De gegevens hebben niet de vorm die de API verwacht. Zie de foutmelding per veld \
                 en het schema in de API-documentatie.",
            )
            .with_errors(vec![FieldProblem {
                field: field_name(&path, &inner),
                message: dutch_message(&inner),
            }]),
            _ => malformed(&inner),
        }
    })
}

/// The most problems one body reports about control characters.
const MAX_TEXT_PROBLEMS: usize = 20;

/// Every string (and object key) in `value` with a character no text field accepts, by path
/// (`general.title`, `actions[0].kpis[1].unit`).
fn control_characters(value: &serde_json::Value, path: &str, problems: &mut Vec<FieldProblem>) {
    use crate::domain::text::{Lines, check};
    if problems.len() >= MAX_TEXT_PROBLEMS {
        return;
    }
    match value {
        serde_json::Value::String(text) => {
            if let Err(err) = check(text, Lines::Many) {
                problems.push(FieldProblem {
                    field: if path.is_empty() {
                        "(hoofdniveau)".to_owned()
                    } else {
                        path.to_owned()
                    },
                    message: err.to_string(),
                });
            }
        }
        serde_json::Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                control_characters(item, &format!("{path}[{i}]"), problems);
            }
        }
        serde_json::Value::Object(fields) => {
            for (name, item) in fields {
                let inner = if path.is_empty() {
                    name.clone()
                } else {
                    format!("{path}.{name}")
                };
                if let Err(err) = check(name, Lines::One) {
                    problems.push(FieldProblem {
                        field: inner.chars().filter(|c| !c.is_control()).collect(),
                        message: err.to_string(),
                    });
                    continue;
                }
                control_characters(item, &inner, problems);
            }
        }
        _ => {}
    }
}

fn malformed(err: &serde_json::Error) -> ApiError {
    ApiError::new(
        StatusCode::BAD_REQUEST,
        format!(
            "Dit is geen geldige JSON (regel {}, kolom {}).",
            err.line(),
            err.column()
        ),
    )
}

/// The field the error is about: the path to it, with a missing or unknown field's own name.
fn field_name(path: &str, err: &serde_json::Error) -> String {
    let text = err.to_string();
    let named = ["missing field `", "unknown field `"]
        .iter()
        .find_map(|start| text.split_once(start))
        .and_then(|(_, rest)| rest.split_once('`'))
        .map(|(name, _)| name.to_owned());
    let base = if path == "." { "" } else { path };
    match named {
        Some(name) if base.is_empty() => name,
        Some(name) if base == name || base.ends_with(&format!(".{name}")) => base.to_owned(),
        Some(name) => format!("{base}.{name}"),
        None if base.is_empty() => "(hoofdniveau)".to_owned(),
        None => base.to_owned(),
    }
}

fn dutch_message(err: &serde_json::Error) -> String {
    let text = err.to_string();
    if text.starts_with("unknown field") {
        "Dit veld bestaat niet. Controleer de naam in het schema van de API.".to_owned()
    } else if text.starts_with("missing field") {
        "Dit veld is verplicht.".to_owned()
    } else if let Some(rest) = text.strip_prefix("invalid type: ") {
        let expected = rest
            .split_once(", expected ")
            .map(|(_, e)| e.split(" at line").next().unwrap_or(e))
            .unwrap_or("");
        format!("Verkeerd type: verwacht {}.", dutch_expected(expected))
    } else if text.starts_with("invalid value") || text.starts_with("invalid length") {
        "Deze waarde is niet toegelaten (bijvoorbeeld een getal dat te groot of negatief is)."
            .to_owned()
    } else if text.starts_with("unknown variant") {
        "Deze waarde is niet een van de toegelaten waarden.".to_owned()
    } else {
        "Deze waarde kan niet gelezen worden.".to_owned()
    }
}

fn dutch_expected(expected: &str) -> &'static str {
    if expected.contains("string") {
        "tekst"
    } else if expected.contains("bool") {
        "true of false"
    } else if expected.contains("i64")
        || expected.contains("i32")
        || expected.contains("u32")
        || expected.contains("u64")
        || expected.contains("integer")
    {
        "een geheel getal"
    } else if expected.contains("f64") || expected.contains("number") {
        "een getal"
    } else if expected.contains("sequence") {
        "een lijst"
    } else if expected.contains("struct") || expected.contains("map") {
        "een object"
    } else {
        "een andere soort waarde"
    }
}

/// The one id of an API path like `/api/v1/dossiers/{id}`: a positive number, or a 404 problem
/// document (as for a dossier the caller may not see).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ApiId(pub i64);

impl<S: Send + Sync> FromRequestParts<S> for ApiId {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let axum::extract::Path(text) =
            axum::extract::Path::<String>::from_request_parts(parts, state)
                .await
                .map_err(|_| ApiError::not_found())?;
        super::parse_id(&text).map(Self)
    }
}

/// The query string read into `T` (all fields optional text); unreadable ones are 400.
#[derive(Debug, Clone)]
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let pairs: Vec<(String, String)> =
            serde_urlencoded::from_str(parts.uri.query().unwrap_or_default()).unwrap_or_default();
        let problems: Vec<FieldProblem> = pairs
            .iter()
            .filter_map(|(name, value)| {
                let bad = crate::domain::text::check(name, crate::domain::text::Lines::One).and(
                    crate::domain::text::check(value, crate::domain::text::Lines::One),
                );
                bad.err().map(|err| FieldProblem {
                    field: name.chars().filter(|c| !c.is_control()).collect(),
                    message: err.to_string(),
                })
            })
            .collect();
        if !problems.is_empty() {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "Een zoekparameter bevat een teken dat niet in tekst thuishoort.",
            )
            .with_errors(problems));
        }
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|q| ApiQuery(q.0))
            .map_err(|_| {
                ApiError::new(
                    StatusCode::BAD_REQUEST,
                    "De zoekparameters in het adres konden niet gelezen worden.",
                )
            })
    }
}

/// The user the bearer token acts for, and the client's address. Every API route but the
/// documentation is behind the route table's access rule, so the user is there.
#[derive(Debug, Clone)]
pub struct TokenUser {
    pub user: SessionUser,
    pub ip: Option<String>,
}

impl<S: Send + Sync> FromRequestParts<S> for TokenUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let ip = parts.extensions.get::<ClientIp>().and_then(|c| c.0.clone());
        match parts.extensions.get::<SessionUser>() {
            Some(user) => Ok(Self {
                user: user.clone(),
                ip,
            }),
            None => Err(ApiError::unauthorized(
                "Meld u aan met een API-sleutel: `Authorization: Bearer <sleutel>`.",
            )),
        }
    }
}

impl TokenUser {
    /// The same user as the caller of a command, at `now` (the application's clock).
    pub fn caller(&self, now: chrono::DateTime<chrono::Utc>) -> crate::app::Caller {
        crate::app::Caller::user(&self.user, self.ip.clone(), now)
    }
}

/// The `If-Match` header: 428 when missing, the tag otherwise.
pub fn if_match(headers: &HeaderMap) -> Result<String, ApiError> {
    let value = headers
        .get(header::IF_MATCH)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty());
    match value {
        Some(v) => Ok(v.to_owned()),
        None => Err(ApiError::new(
            StatusCode::PRECONDITION_REQUIRED,
            "Stuur de kop `If-Match` mee met de ETag die u bij het lezen van het dossier kreeg, \
             zodat u geen wijziging van iemand anders overschrijft.",
        )),
    }
}

/// Whether an `If-Match` value matches the current tag (`*` matches anything; weak tags are
/// compared by their value).
pub fn matches(if_match: &str, current: &str) -> bool {
    if_match
        .split(',')
        .map(|t| t.trim().trim_start_matches("W/"))
        .any(|t| t == "*" || t == current.trim_start_matches("W/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Sample {
        title: String,
        inner: Option<Inner>,
    }

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Inner {
        count: i64,
    }

    #[test]
    fn malformed_json_is_a_bad_request() {
        let err = parse::<Sample>(b"{\"title\": ").unwrap_err();
        assert_eq!(err.problem.status, 400);
    }

    #[test]
    fn a_wrong_type_names_the_field_in_dutch() {
        let err = parse::<Sample>(br#"{"title": "x", "inner": {"count": "veel"}}"#).unwrap_err();
        assert_eq!(err.problem.status, 422);
        assert_eq!(err.problem.errors[0].field, "inner.count");
        assert_eq!(
            err.problem.errors[0].message,
            "Verkeerd type: verwacht een geheel getal."
        );
    }

    #[test]
    fn unknown_and_missing_fields_are_named() {
        let err = parse::<Sample>(br#"{"title": "x", "extra": 1}"#).unwrap_err();
        assert_eq!(err.problem.errors[0].field, "extra");
        let err = parse::<Sample>(br#"{"inner": {"count": 1}}"#).unwrap_err();
        assert_eq!(err.problem.errors[0].field, "title");
        assert_eq!(err.problem.errors[0].message, "Dit veld is verplicht.");
        let err = parse::<Sample>(br#"{"title": "x"} trailing"#).unwrap_err();
        assert_eq!(err.problem.status, 400);
    }

    #[test]
    fn a_body_that_is_not_an_object_is_a_bad_request() {
        for body in ["[]", "[{}]", "\"x\"", "1", "null", "true"] {
            let err = parse::<Sample>(body.as_bytes()).unwrap_err();
            assert_eq!(err.problem.status, 400, "{body}");
            assert!(err.problem.detail.contains("JSON-object"), "{body}");
        }
    }

    #[test]
    fn a_control_character_in_any_string_is_a_bad_request_naming_the_field() {
        let err = parse::<Sample>(br#"{"title": "a\u0000b", "inner": {"count": 1}}"#).unwrap_err();
        assert_eq!(err.problem.status, 400);
        assert_eq!(err.problem.errors[0].field, "title");
        assert!(err.problem.errors[0].message.contains("stuurteken"));
        let err = parse::<serde_json::Value>(br#"{"a": [{"b": "x\u001b[31m"}]}"#).unwrap_err();
        assert_eq!(err.problem.errors[0].field, "a[0].b");
        let err = parse::<serde_json::Value>(br#"{"a\u0000": 1}"#).unwrap_err();
        assert_eq!(err.problem.status, 400);
        let fine = parse::<serde_json::Value>(br#"{"summary": "twee\r\nregels\tmet tab"}"#);
        assert!(
            fine.is_ok(),
            "line breaks are for the field readers to judge"
        );
    }

    #[test]
    fn only_json_content_types_are_read() {
        assert!(is_json("application/json"));
        assert!(is_json("application/json; charset=utf-8"));
        assert!(is_json("application/merge-patch+json"));
        assert!(!is_json("text/plain"));
        assert!(!is_json(""));
    }

    #[test]
    fn if_match_compares_tags() {
        assert!(matches("\"3-ab\"", "\"3-ab\""));
        assert!(matches("W/\"3-ab\"", "\"3-ab\""));
        assert!(matches("*", "\"3-ab\""));
        assert!(!matches("\"2-ab\"", "\"3-ab\""));
    }
}
