//! Errors of the JSON API as RFC 9457 problem details (`application/problem+json`): `type`,
//! `title`, `status`, `detail`, `instance`, and for input that cannot be accepted an `errors`
//! array with a Dutch message per field. [`ensure_problem`] makes sure every error answer under
//! `/api/` is one, including those made outside the API's handlers (body limit, unknown path,
//! method not allowed, time-out).

use axum::body::{Body, to_bytes};
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::domain::fields::FieldErrors;
use crate::error::AppError;

pub const CONTENT_TYPE: &str = "application/problem+json";

/// A problem detail (RFC 9457).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Problem {
    /// A URI reference naming the kind of problem; it points into the API documentation.
    #[serde(rename = "type")]
    pub kind: String,
    /// A short Dutch summary of the kind of problem.
    pub title: String,
    /// The HTTP status code.
    pub status: u16,
    /// A Dutch explanation of this occurrence.
    pub detail: String,
    /// The path of the request that failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance: Option<String>,
    /// Per field, what is wrong with it (for 422 answers).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldProblem>,
}

/// What is wrong with one field of the request.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct FieldProblem {
    /// Where the field is in the request body, e.g. `general.title` or `actions[0].planned_reach`.
    pub field: String,
    /// The Dutch message, as the forms show it.
    pub message: String,
}

/// The kinds of problem, with their slug (the `type` is `/api/v1/docs#probleem-<slug>`) and title.
pub const KINDS: &[(u16, &str, &str)] = &[
    (400, "ongeldige-aanvraag", "Ongeldige aanvraag"),
    (401, "niet-aangemeld", "Niet aangemeld"),
    (403, "geen-toegang", "Geen toegang"),
    (404, "niet-gevonden", "Niet gevonden"),
    (405, "methode-niet-toegelaten", "Methode niet toegelaten"),
    (409, "conflict", "Conflict"),
    (412, "verouderde-versie", "Verouderde versie"),
    (413, "te-groot", "Te groot"),
    (415, "verkeerd-type", "Verkeerd inhoudstype"),
    (422, "ongeldige-gegevens", "Ongeldige gegevens"),
    (428, "versie-vereist", "Versie vereist"),
    (500, "interne-fout", "Interne fout"),
    (503, "niet-beschikbaar", "Tijdelijk niet beschikbaar"),
];

fn kind_of(status: u16) -> (&'static str, &'static str) {
    KINDS
        .iter()
        .find(|(s, _, _)| *s == status)
        .map(|(_, slug, title)| (*slug, *title))
        .unwrap_or(("fout", "Fout"))
}

/// An error answer of the API.
#[derive(Debug, Clone)]
pub struct ApiError {
    pub problem: Box<Problem>,
    headers: Vec<(header::HeaderName, HeaderValue)>,
}

impl ApiError {
    pub fn new(status: StatusCode, detail: impl Into<String>) -> Self {
        let (slug, title) = kind_of(status.as_u16());
        Self {
            problem: Box::new(Problem {
                kind: format!("/api/v1/docs#probleem-{slug}"),
                title: title.to_owned(),
                status: status.as_u16(),
                detail: detail.into(),
                instance: None,
                errors: Vec::new(),
            }),
            headers: Vec::new(),
        }
    }

    pub fn with_errors(mut self, errors: Vec<FieldProblem>) -> Self {
        self.problem.errors = errors;
        self
    }

    pub fn with_header(mut self, name: header::HeaderName, value: HeaderValue) -> Self {
        self.headers.push((name, value));
        self
    }

    pub fn status(&self) -> StatusCode {
        StatusCode::from_u16(self.problem.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    pub fn not_found() -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "Dit bestaat niet of u hebt er geen toegang toe.",
        )
    }

    pub fn unauthorized(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, detail).with_header(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Bearer realm=\"samenleven\""),
        )
    }

    pub fn forbidden() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "Uw account (en dus deze API-sleutel) mag dit niet doen.",
        )
    }

    /// Input that was read but not accepted: 422 with a message per field, each field name
    /// prefixed with where it sits in the request (`general.`, `actions[0].`).
    pub fn invalid(prefix: &str, errors: &FieldErrors) -> Self {
        Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Niet alle gegevens zijn in orde. Zie de foutmelding per veld.",
        )
        .with_errors(field_problems(prefix, errors))
    }
}

/// Field errors as problem entries, each name prefixed with `prefix`.
pub fn field_problems(prefix: &str, errors: &FieldErrors) -> Vec<FieldProblem> {
    errors
        .items
        .iter()
        .map(|e| FieldProblem {
            field: format!("{prefix}{}", e.field),
            message: e.message.clone(),
        })
        .collect()
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        let body = serde_json::to_vec(&self.problem).unwrap_or_default();
        let mut response = (status, body).into_response();
        response
            .headers_mut()
            .insert(header::CONTENT_TYPE, HeaderValue::from_static(CONTENT_TYPE));
        for (name, value) in self.headers {
            response.headers_mut().insert(name, value);
        }
        response
    }
}

impl From<AppError> for ApiError {
    fn from(err: AppError) -> Self {
        match err {
            AppError::NotFound => Self::not_found(),
            AppError::Forbidden => Self::forbidden(),
            AppError::BadRequest(msg) => Self::new(StatusCode::BAD_REQUEST, msg),
            AppError::Invalid(errors) => Self::invalid("", &errors),
            AppError::Conflict(msg) => Self::new(StatusCode::CONFLICT, msg),
            AppError::TooLarge => Self::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "De aanvraag is groter dan toegelaten.",
            ),
            AppError::Unavailable(_) => {
                let reference = log_failure(&err);
                Self::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    format!(
                        "Samenleven kan de gegevens op dit moment niet bereiken. Probeer het over \
                         enkele ogenblikken opnieuw (referentie {reference})."
                    ),
                )
                .with_header(header::RETRY_AFTER, HeaderValue::from_static("5"))
            }
            AppError::Internal(_) => {
                let reference = log_failure(&err);
                Self::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    format!(
                        "Er liep iets mis aan onze kant. Neem contact op met de helpdesk van ABB \
                         en vermeld referentie {reference}."
                    ),
                )
            }
        }
    }
}

impl From<crate::app::Error> for ApiError {
    /// A command's refusal as a problem document: field messages become a 422 with `errors`, a
    /// stale version a 412.
    fn from(err: crate::app::Error) -> Self {
        use crate::app::Error;
        match err {
            Error::Invalid(errors) => Self::invalid("", &errors),
            Error::Stale => Self::new(
                StatusCode::PRECONDITION_FAILED,
                crate::app::error::STALE_MESSAGE,
            ),
            other => AppError::from(other).into(),
        }
    }
}

impl From<sea_orm::DbErr> for ApiError {
    fn from(err: sea_orm::DbErr) -> Self {
        AppError::from(err).into()
    }
}

fn log_failure(err: &AppError) -> String {
    let id = uuid::Uuid::new_v4().simple().to_string();
    let reference = format!("SL-{}", id[..10].to_uppercase());
    tracing::error!(reference = %reference, error = ?err, "API request failed");
    reference
}

/// The longest error body this layer rewrites; larger ones are replaced.
const MAX_ERROR_BODY: usize = 64 * 1024;

/// Middleware for `/api/`: every error answer becomes a problem document with the request's
/// path as `instance`; answers that are not one already (from the body limit, the router's
/// fallback or method check, the time-out) get a problem of their status.
pub async fn ensure_problem(request: Request, next: Next) -> Response {
    if !crate::api::is_api_path(request.uri().path()) {
        return next.run(request).await;
    }
    let instance = request.uri().path().to_owned();
    let response = next.run(request).await;
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let is_problem = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(CONTENT_TYPE.as_bytes()));
    let (mut parts, body) = response.into_parts();
    let bytes = to_bytes(body, MAX_ERROR_BODY).await.unwrap_or_default();
    let mut problem = match serde_json::from_slice::<Problem>(&bytes) {
        Ok(problem) if is_problem => problem,
        _ => *ApiError::new(status, generic_detail(status)).problem,
    };
    problem.instance.get_or_insert(instance);
    let body = serde_json::to_vec(&problem).unwrap_or_default();
    parts
        .headers
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(CONTENT_TYPE));
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.remove(header::LOCATION);
    Response::from_parts(parts, Body::from(body))
}

fn generic_detail(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 => "De aanvraag kon niet gelezen worden.",
        401 => "Meld u aan met een API-sleutel: `Authorization: Bearer <sleutel>`.",
        403 => "Uw account (en dus deze API-sleutel) mag dit niet doen.",
        404 => "Dit bestaat niet of u hebt er geen toegang toe.",
        405 => "Deze methode bestaat niet voor dit adres. Zie de API-documentatie.",
        408 | 503 => {
            "De aanvraag duurde te lang of de dienst is even niet beschikbaar. Probeer opnieuw."
        }
        413 => "Wat u verstuurde is groter dan toegelaten.",
        415 => "Verstuur de gegevens als `application/json`.",
        _ => "De aanvraag kon niet verwerkt worden.",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_problem_names_its_kind_in_the_documentation() {
        let problem = ApiError::new(StatusCode::PRECONDITION_FAILED, "x").problem;
        assert_eq!(problem.kind, "/api/v1/docs#probleem-verouderde-versie");
        assert_eq!(problem.title, "Verouderde versie");
        assert_eq!(problem.status, 412);
    }

    #[test]
    fn field_errors_keep_their_place_in_the_request() {
        let mut errors = FieldErrors::default();
        errors.add("title", "Vul een titel in.");
        let problem = ApiError::invalid("general.", &errors).problem;
        assert_eq!(problem.errors[0].field, "general.title");
        assert_eq!(problem.status, 422);
    }
}
