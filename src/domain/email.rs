//! E-mail addresses, read in one place as an e-mail provider would take them: the HTML
//! standard's address syntax (the `validator` crate's `ValidateEmail`, which also reads
//! internationalised domains), and on top of that a domain name with a dot (no `localhost`) and
//! never an IP literal (`x@[127.0.0.1]`). Quotes, angle brackets, commas, spaces and control
//! characters never pass, so a read address can go into a mail header as it is. Account
//! e-mails (`accounts::normalise_email`), the dossier's contact e-mail (`fields`), and the mail
//! worker before it builds the `To` header (`mail::transport`) all use [`read`] or
//! [`is_deliverable`].

use validator::ValidateEmail;

/// The longest address SMTP carries (RFC 5321: a path of 256 octets with its brackets).
pub const MAX_LEN: usize = 254;

/// Why an address is refused. The `Display` text is Dutch and says how to fix it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EmailError {
    #[error("Vul een e-mailadres in, bijvoorbeeld naam@gemeente.be.")]
    Empty,
    #[error("Vul een geldig e-mailadres in, bijvoorbeeld naam@gemeente.be.")]
    Invalid,
}

/// Reads a typed address: trimmed, lower-cased, and checked (see the module documentation).
pub fn read(text: &str) -> Result<String, EmailError> {
    let address = text.trim().to_lowercase();
    if address.is_empty() {
        return Err(EmailError::Empty);
    }
    if is_deliverable(&address) {
        Ok(address)
    } else {
        Err(EmailError::Invalid)
    }
}

/// Whether `address`, exactly as given, is one the platform may put in a mail header.
pub fn is_deliverable(address: &str) -> bool {
    let Some((_, domain)) = address.rsplit_once('@') else {
        return false;
    };
    address.len() <= MAX_LEN
        && address.validate_email()
        && !domain.starts_with('[')
        && domain.contains('.')
        && !domain.ends_with('.')
        && address
            .chars()
            .all(|c| !c.is_control() && !c.is_whitespace())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_a_provider_accepts_are_read_and_lower_cased() {
        let table = [
            ("naam@gemeente.be", "naam@gemeente.be"),
            ("  An.Peeters@Antwerpen.BE ", "an.peeters@antwerpen.be"),
            ("samenleven@antwerpen.test", "samenleven@antwerpen.test"),
            (
                "first+tag@sub.domain.vlaanderen",
                "first+tag@sub.domain.vlaanderen",
            ),
            ("o'brien@example.com", "o'brien@example.com"),
            ("jan_de-smet@x.io", "jan_de-smet@x.io"),
            ("an@Bücher.de", "an@bücher.de"),
        ];
        for (typed, read_as) in table {
            assert_eq!(read(typed).as_deref(), Ok(read_as), "{typed}");
        }
    }

    #[test]
    fn addresses_that_would_break_a_header_or_reach_a_machine_are_refused() {
        let refused = [
            "evil@example.com>",
            "<evil@example.com>",
            "a\"b@example.com",
            "\"a b\"@example.com",
            "x@[127.0.0.1]",
            "x@[IPv6:::1]",
            "x@localhost",
            "x@example.",
            "Els <els@example.com>",
            "els@example.com, ander@example.com",
            "els@example.com;ander@example.com",
            "els@@example.com",
            "els@example..com",
            "els@-example.com",
            "els@example.com\r\nBcc: ander@example.com",
            "els@exa mple.com",
            "els\u{0}@example.com",
            "els@exa\u{85}mple.com",
            "@example.com",
            "els@",
            "els",
            "els@example.com x",
            "müller@bücher.de",
        ];
        for address in refused {
            assert_eq!(read(address), Err(EmailError::Invalid), "{address:?}");
            assert!(!is_deliverable(address), "{address:?}");
        }
        assert_eq!(read("   "), Err(EmailError::Empty));
        let long = format!("{}@example.com", "a".repeat(250));
        assert!(read(&long).is_err());
    }
}
