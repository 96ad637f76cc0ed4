//! Form errors that flow back into the same form: one message per field, in Dutch, listed in
//! an error summary at the top that links to each field.
//!
//! And the extractors every handler reads typed input with: [`Form`], [`Query`] and
//! [`RawForm`] stand in for axum's, and first check every name and value with
//! [`crate::domain::text::check`], so no control character (a NUL byte fails a PostgreSQL
//! query) ever reaches a handler. A refusal is a 422 page that names the field and says what to
//! do; the domain's field readers then apply the stricter one-line rule per field. A test
//! (`tests/api/hard_input.rs`) keeps axum's own form and query extractors out of `src/`.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

pub use crate::domain::fields::{FieldError, FieldErrors as FormErrors};
use crate::domain::text::{self, Lines};
use crate::error::AppError;

/// A form body (or, for `GET`, the query string) read into `T`, after every value passed the
/// text check.
#[derive(Debug, Clone)]
pub struct Form<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Form<T> {
    type Rejection = AppError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let RawForm(bytes) = RawForm::from_request(request, state).await?;
        serde_urlencoded::from_bytes::<T>(&bytes)
            .map(Form)
            .map_err(|_| unreadable())
    }
}

/// The raw form body (or, for `GET`, the query string) after every value passed the text check,
/// for handlers whose field names are not known in advance (`grant_17`, `actual_4`).
#[derive(Debug, Clone)]
pub struct RawForm(pub Bytes);

impl<S: Send + Sync> FromRequest<S> for RawForm {
    type Rejection = AppError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let axum::extract::RawForm(bytes) = axum::extract::RawForm::from_request(request, state)
            .await
            .map_err(|rejection| {
                if rejection.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                    AppError::TooLarge
                } else {
                    unreadable()
                }
            })?;
        check_pairs(&bytes)?;
        Ok(Self(bytes))
    }
}

/// The query string read into `T`, after every value passed the text check.
#[derive(Debug, Clone)]
pub struct Query<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for Query<T> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let query = parts.uri.query().unwrap_or_default();
        check_pairs(query.as_bytes())?;
        serde_urlencoded::from_str::<T>(query)
            .map(Query)
            .map_err(|_| {
                AppError::BadRequest(
                    "De zoekparameters in het adres konden niet gelezen worden. Gebruik de \
                     filters op de pagina."
                        .into(),
                )
            })
    }
}

fn unreadable() -> AppError {
    AppError::BadRequest(
        "Het formulier kon niet gelezen worden. Ga terug, laad de pagina opnieuw en probeer het \
         nog eens."
            .into(),
    )
}

/// Checks every name and value of URL-encoded `bytes`; the first field with a forbidden
/// character is refused with its name.
fn check_pairs(bytes: &[u8]) -> Result<(), AppError> {
    let mut errors = FormErrors::default();
    for (name, value) in form_pairs(bytes) {
        for part in [&name, &value] {
            if let Err(err) = text::check(part, Lines::Many) {
                let shown = shown_name(&name);
                errors.add(&shown, format!("Veld „{shown}”: {err}"));
            }
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(AppError::Invalid(errors))
    }
}

fn form_pairs(bytes: &[u8]) -> Vec<(String, String)> {
    serde_urlencoded::from_bytes::<Vec<(String, String)>>(bytes).unwrap_or_default()
}

/// A field name as it can be shown: control characters replaced.
fn shown_name(name: &str) -> String {
    name.chars()
        .map(|c| {
            if text::is_forbidden_control(c) || c.is_control() {
                '?'
            } else {
                c
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_message_per_field_is_kept() {
        let mut errors = FormErrors::default();
        errors.add("email", "Vul uw e-mailadres in.");
        errors.add("email", "tweede");
        assert_eq!(errors.get("email"), "Vul uw e-mailadres in.");
        assert_eq!(errors.get("password"), "");
        assert_eq!(errors.items.len(), 1);
    }

    #[test]
    fn a_control_character_in_a_name_or_value_is_refused_with_the_field() {
        for body in [
            "email=a%00b%40example.com",
            "zoek=a%7Fb",
            "q=%C2%85",
            "a%00=1",
        ] {
            match check_pairs(body.as_bytes()) {
                Err(AppError::Invalid(errors)) => {
                    assert!(errors.items[0].message.contains("stuurteken"), "{body}");
                }
                other => panic!("{body}: {other:?}"),
            }
        }
        match check_pairs(b"email=a%00b") {
            Err(AppError::Invalid(errors)) => assert!(errors.has("email")),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn line_breaks_and_tabs_pass_the_extractor_for_the_readers_to_judge() {
        assert!(check_pairs(b"summary=Taal.%0D%0AWerk.%09Samen&title=x").is_ok());
        assert!(check_pairs(b"").is_ok());
    }
}
