//! The web layer's error type. Expected failures (not found, forbidden, conflict, bad request)
//! become a Dutch page with the right status; unexpected ones are logged with a reference id and
//! shown as a friendly page with that id, never with their details.

use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use sea_orm::DbErr;

use crate::web::pages::ErrorPage;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("pagina niet gevonden")]
    NotFound,
    #[error("geen toegang")]
    Forbidden,
    #[error("ongeldige aanvraag: {0}")]
    BadRequest(String),
    #[error("conflict: {0}")]
    Conflict(String),
    #[error("database niet bereikbaar")]
    Unavailable(#[source] DbErr),
    #[error("interne fout")]
    Internal(#[source] anyhow::Error),
}

impl AppError {
    pub fn internal(err: impl Into<anyhow::Error>) -> Self {
        Self::Internal(err.into())
    }

    fn status(&self) -> StatusCode {
        match self {
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::Forbidden => StatusCode::FORBIDDEN,
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::Conflict(_) => StatusCode::CONFLICT,
            Self::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl From<DbErr> for AppError {
    fn from(err: DbErr) -> Self {
        if is_connection_error(&err) {
            Self::Unavailable(err)
        } else {
            Self::Internal(err.into())
        }
    }
}

impl From<askama::Error> for AppError {
    fn from(err: askama::Error) -> Self {
        Self::Internal(err.into())
    }
}

/// Whether a database error means "the database is not reachable right now" (answer 503 and
/// let the client retry) rather than a bug.
pub fn is_connection_error(err: &DbErr) -> bool {
    matches!(err, DbErr::ConnectionAcquire(_) | DbErr::Conn(_))
        || err.to_string().contains("Connection refused")
        || err.to_string().contains("connection closed")
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status = self.status();
        let reference = match &self {
            Self::Internal(_) | Self::Unavailable(_) => {
                let reference = short_reference();
                tracing::error!(reference = %reference, error = ?self, "request failed");
                Some(reference)
            }
            _ => None,
        };
        let (title, message) = match &self {
            Self::NotFound => (
                "Pagina niet gevonden",
                "Deze pagina bestaat niet of u hebt er geen toegang toe.".to_owned(),
            ),
            Self::Forbidden => (
                "Geen toegang",
                "U hebt geen toegang tot deze pagina.".to_owned(),
            ),
            Self::BadRequest(msg) => ("Ongeldige aanvraag", msg.clone()),
            Self::Conflict(msg) => ("Conflict", msg.clone()),
            Self::Unavailable(_) => (
                "Tijdelijk niet beschikbaar",
                "Samenleven kan de gegevens op dit moment niet bereiken. Probeer het over enkele \
                 ogenblikken opnieuw; er is niets verloren gegaan."
                    .to_owned(),
            ),
            Self::Internal(_) => (
                "Er ging iets mis",
                "Er liep iets mis aan onze kant. Uw gegevens zijn niet verloren. Probeer het \
                 opnieuw of neem contact op met de helpdesk van ABB en vermeld de referentie."
                    .to_owned(),
            ),
        };
        let page = ErrorPage::new(title, message, reference.clone());
        let body = page.render_or_plain();
        let mut response = (status, Html(body)).into_response();
        if matches!(self, Self::Unavailable(_)) {
            response
                .headers_mut()
                .insert("retry-after", axum::http::HeaderValue::from_static("5"));
        }
        response
    }
}

/// A short, unique reference a user can quote to the helpdesk; it is in the log line too.
fn short_reference() -> String {
    let id = uuid::Uuid::new_v4().simple().to_string();
    format!("SL-{}", id[..10].to_uppercase())
}
