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
    /// The request itself cannot be taken (what no form of ours sends), in plain Dutch.
    #[error("{0}")]
    BadRequest(String),
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

/// Checks `input` with its `validator` rules (lengths, e-mail, ranges, each with a Dutch
/// `message`) and gives the failures as field errors, the first message per field, in the order
/// of `fields` (the order of the form) and then the rest by name. Rules across fields and the
/// readers of Belgian amounts stay in the domain; this is for the checks of one field.
pub fn validate<T: validator::Validate>(input: &T, fields: &[&str]) -> FieldErrors {
    let mut errors = FieldErrors::default();
    let Err(failures) = input.validate() else {
        return errors;
    };
    let by_field = failures.field_errors();
    let mut names: Vec<&str> = by_field.keys().map(|k| k.as_ref()).collect();
    names.sort_by_key(|name| {
        (
            fields.iter().position(|f| f == name).unwrap_or(usize::MAX),
            name.to_string(),
        )
    });
    for name in names {
        if let Some(first) = by_field.get(name).and_then(|list| list.first()) {
            let message = first
                .message
                .as_deref()
                .map(str::to_owned)
                .unwrap_or_else(|| "Dit veld is niet in orde.".to_owned());
            errors.add(name, message);
        }
    }
    errors
}

#[cfg(test)]
mod tests {
    use validator::Validate;

    use super::*;

    #[derive(Validate)]
    struct Sample {
        #[validate(length(
            min = 1,
            max = 10,
            message = "Vul een naam in van hoogstens 10 tekens."
        ))]
        name: String,
        #[validate(email(message = "Vul een geldig e-mailadres in."))]
        email: String,
    }

    #[test]
    fn validator_failures_become_dutch_field_errors_in_form_order() {
        let errors = validate(
            &Sample {
                name: String::new(),
                email: "geen adres".into(),
            },
            &["name", "email"],
        );
        let fields: Vec<&str> = errors.items.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["name", "email"]);
        assert_eq!(errors.get("email"), "Vul een geldig e-mailadres in.");
        assert!(
            validate(
                &Sample {
                    name: "Zoë".into(),
                    email: "zoe@gemeente.be".into()
                },
                &[]
            )
            .is_empty()
        );
    }
}
