//! Form errors that flow back into the same form: one message per field, in Dutch, listed in
//! an error summary at the top that links to each field.

#[derive(Debug, Clone, Default)]
pub struct FormErrors {
    pub items: Vec<FieldError>,
}

#[derive(Debug, Clone)]
pub struct FieldError {
    /// The `id` of the input the message belongs to.
    pub field: String,
    pub message: String,
}

impl FormErrors {
    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        if !self.has(field) {
            self.items.push(FieldError {
                field: field.to_owned(),
                message: message.into(),
            });
        }
    }

    pub fn has(&self, field: &str) -> bool {
        self.items.iter().any(|e| e.field == field)
    }

    /// The message for `field`, or an empty string (templates test `is_empty`).
    pub fn get(&self, field: &str) -> &str {
        self.items
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.as_str())
            .unwrap_or("")
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
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
}
