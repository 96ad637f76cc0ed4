//! Form errors that flow back into the same form: one message per field, in Dutch, listed in
//! an error summary at the top that links to each field.

pub use crate::domain::fields::{FieldError, FieldErrors as FormErrors};

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
}
