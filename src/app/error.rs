//! What a command can answer instead of its result. The web layer turns it into a page (a form
//! with its field messages, or an error page), the API into a problem document.

use sea_orm::DbErr;

use crate::domain::fields::FieldErrors;

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The resource does not exist, or the caller may not learn that it does.
    #[error("niet gevonden")]
    NotFound,
    /// The caller may know the resource but may not do this.
    #[error("geen toegang")]
    Forbidden,
    /// The input cannot be accepted: a Dutch message per field.
    #[error("ongeldige invoer")]
    Invalid(FieldErrors),
    /// The action does not fit the resource's state now; the message says why in plain Dutch.
    #[error("{0}")]
    Conflict(String),
    /// Someone else changed the resource since the caller read it.
    #[error("intussen gewijzigd")]
    Stale,
    /// The database failed (unreachable, or a bug).
    #[error("databasefout")]
    Db(#[from] DbErr),
    /// Anything else that should not happen.
    #[error("interne fout")]
    Internal(#[source] anyhow::Error),
}

impl Error {
    pub fn internal(err: impl Into<anyhow::Error>) -> Self {
        Self::Internal(err.into())
    }

    /// One field's message as an [`Error::Invalid`].
    pub fn field(name: &str, message: impl Into<String>) -> Self {
        let mut errors = FieldErrors::default();
        errors.add(name, message);
        Self::Invalid(errors)
    }

    /// `Ok(())` when `errors` is empty, else [`Error::Invalid`].
    pub fn unless_invalid(errors: FieldErrors) -> Result<()> {
        if errors.is_empty() {
            Ok(())
        } else {
            Err(Self::Invalid(errors))
        }
    }
}

impl From<askama::Error> for Error {
    fn from(err: askama::Error) -> Self {
        Self::Internal(err.into())
    }
}

/// The Dutch explanation of a stale write, for pages and problem documents alike.
pub const STALE_MESSAGE: &str = "Iemand anders wijzigde dit intussen. Laad de pagina opnieuw: \
    u ziet dan de nieuwste gegevens en kunt uw wijziging opnieuw doen.";
