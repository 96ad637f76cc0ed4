//! The web layer's error type. Expected failures (not found, forbidden, conflict, bad request)
//! become a Dutch page with the right status; unexpected ones are logged with a reference id and
//! shown as a friendly page with that id, never with their details.

use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use sea_orm::{DbErr, RuntimeErr};

use crate::web::pages::ErrorPage;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("pagina niet gevonden")]
    NotFound,
    #[error("geen toegang")]
    Forbidden,
    #[error("ongeldige aanvraag: {0}")]
    BadRequest(String),
    /// Input that cannot be taken, with a Dutch message per field (422). Forms re-render
    /// themselves with their errors; this is for what no form can show (a refused character
    /// found by the extractors, a full collection).
    #[error("ongeldige invoer")]
    Invalid(crate::domain::fields::FieldErrors),
    #[error("conflict: {0}")]
    Conflict(String),
    /// The request's body is larger than the route takes (413).
    #[error("te groot")]
    TooLarge,
    #[error("database niet bereikbaar")]
    Unavailable(#[source] DbErr),
    #[error("interne fout")]
    Internal(#[source] anyhow::Error),
}

/// What an error page says, kept on the response so a layer that knows the request can render it
/// again within the user's own layout.
#[derive(Debug, Clone)]
pub struct ShownError {
    pub heading: String,
    pub message: String,
    pub reference: Option<String>,
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
            Self::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::Conflict(_) => StatusCode::CONFLICT,
            Self::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
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

impl From<crate::app::Error> for AppError {
    /// A command's refusal as a page. A form handler catches [`crate::app::Error::Invalid`]
    /// first to show the form again with its messages; one that reaches this point had no form
    /// to go back to.
    fn from(err: crate::app::Error) -> Self {
        use crate::app::Error;
        match err {
            Error::NotFound => Self::NotFound,
            Error::Forbidden => Self::Forbidden,
            Error::Invalid(errors) => Self::Invalid(errors),
            Error::BadRequest(message) => Self::BadRequest(message),
            Error::Conflict(message) => Self::Conflict(message),
            Error::Stale => Self::Conflict(crate::app::error::STALE_MESSAGE.to_owned()),
            Error::Db(err) => Self::from(err),
            Error::Internal(err) => Self::Internal(err),
        }
    }
}

impl From<askama::Error> for AppError {
    fn from(err: askama::Error) -> Self {
        Self::Internal(err.into())
    }
}

/// Whether a database error means "the database is not reachable right now" (answer 503 and
/// let the client retry) rather than a bug. Besides failing to connect, that is a query cut off
/// because the connection broke or the server is shutting down or restarting (a PostgreSQL
/// restart ends every session with SQLSTATE 57P01), and SQLite still locked after the busy
/// timeout.
pub fn is_connection_error(err: &DbErr) -> bool {
    let unavailable = match err {
        DbErr::ConnectionAcquire(_) | DbErr::Conn(_) => true,
        DbErr::Exec(RuntimeErr::SqlxError(e)) | DbErr::Query(RuntimeErr::SqlxError(e)) => {
            sqlx_unavailable(e)
        }
        _ => false,
    };
    unavailable
        || err.to_string().contains("Connection refused")
        || err.to_string().contains("connection closed")
}

fn sqlx_unavailable(err: &sea_orm::sqlx::Error) -> bool {
    use sea_orm::sqlx::Error;
    use sea_orm::sqlx::error::DatabaseError;
    match err {
        Error::Io(_)
        | Error::Tls(_)
        | Error::PoolTimedOut
        | Error::PoolClosed
        | Error::WorkerCrashed => true,
        Error::Database(db) => {
            if let Some(pg) = db.try_downcast_ref::<sea_orm::sqlx::postgres::PgDatabaseError>() {
                postgres_unavailable(pg.code())
            } else if let Some(lite) = db.try_downcast_ref::<sea_orm::sqlx::sqlite::SqliteError>() {
                lite.code()
                    .and_then(|c| c.parse::<i32>().ok())
                    .is_some_and(sqlite_busy)
            } else {
                false
            }
        }
        _ => false,
    }
}

/// PostgreSQL SQLSTATEs of a server that went away or does not take work right now: class 08
/// (connection exception), 57P01 admin shutdown, 57P02 crash shutdown, 57P03 cannot connect
/// now, 53300 too many connections.
fn postgres_unavailable(sqlstate: &str) -> bool {
    sqlstate.starts_with("08") || matches!(sqlstate, "57P01" | "57P02" | "57P03" | "53300")
}

/// SQLITE_BUSY (5) and SQLITE_LOCKED (6), with their extended codes (the low byte).
fn sqlite_busy(code: i32) -> bool {
    matches!(code & 0xff, 5 | 6)
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
            Self::Invalid(errors) => (
                "Controleer uw invoer",
                errors
                    .items
                    .iter()
                    .map(|e| e.message.as_str())
                    .collect::<Vec<_>>()
                    .join(" "),
            ),
            Self::Conflict(msg) => ("Dit kan niet (meer)", msg.clone()),
            Self::TooLarge => (
                "Te groot",
                "Wat u verstuurde is groter dan dit formulier toelaat. Ga terug en verstuur minder \
                 tekst of een kleiner bestand."
                    .to_owned(),
            ),
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
        let page = ErrorPage::new(title, message.clone(), reference.clone());
        let body = page.render_or_plain();
        let mut response = (status, Html(body)).into_response();
        // The page layer (`web::pages::error_pages`) renders it again with the signed-in header
        // and a link back to where the user was, which only the request knows.
        response.extensions_mut().insert(ShownError {
            heading: title.to_owned(),
            message,
            reference,
        });
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_postgres_shutdown_or_lost_connection_is_unavailable_but_a_constraint_is_not() {
        for code in ["57P01", "57P02", "57P03", "08006", "08003", "53300"] {
            assert!(postgres_unavailable(code), "{code}");
        }
        for code in ["23505", "23503", "42P01", "40001"] {
            assert!(!postgres_unavailable(code), "{code}");
        }
    }

    #[test]
    fn sqlite_busy_and_locked_are_unavailable_with_their_extended_codes() {
        assert!(sqlite_busy(5) && sqlite_busy(517) && sqlite_busy(6) && sqlite_busy(262));
        assert!(!sqlite_busy(19) && !sqlite_busy(2067) && !sqlite_busy(1));
    }

    #[test]
    fn a_broken_connection_answers_503() {
        let broken = DbErr::Query(RuntimeErr::SqlxError(std::sync::Arc::new(
            sea_orm::sqlx::Error::Io(std::io::Error::from(std::io::ErrorKind::ConnectionReset)),
        )));
        assert_eq!(
            AppError::from(broken).status(),
            StatusCode::SERVICE_UNAVAILABLE
        );
        let bug = DbErr::Custom("invalid amount in the database".into());
        assert_eq!(
            AppError::from(bug).status(),
            StatusCode::INTERNAL_SERVER_ERROR
        );
    }
}
