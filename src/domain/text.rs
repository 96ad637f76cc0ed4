//! What counts as text a person typed: the one place that decides which characters a text
//! field may hold. Control characters have no place in a name, a title or a search: PostgreSQL
//! refuses a NUL byte in a text parameter outright, and the others (escape sequences, C1
//! controls, DEL) only ever arrive by accident or by attack. Every reader of typed text uses
//! [`check`]: the domain's field readers, the web forms' and queries' extractors
//! (`web::form`), and the API's JSON extractor (`api::extract`).

/// Whether a text may span lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lines {
    /// A name, title, e-mail address or search: no line breaks or tabs.
    One,
    /// A summary, description or motivation: line feeds, carriage returns and tabs allowed.
    Many,
}

/// Why a text is refused. The `Display` text is Dutch and says how to fix it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TextError {
    /// A control character (C0 other than tab, CR and LF; DEL; C1).
    #[error(
        "Dit veld bevat een onzichtbaar stuurteken (bijvoorbeeld een nulbyte) dat niet in tekst \
         thuishoort. Typ de tekst opnieuw of plak hem zonder opmaak."
    )]
    Control,
    /// A line break or tab in a one-line field.
    #[error("Schrijf dit veld op één regel, zonder regeleinden of tabs.")]
    LineBreak,
}

/// Is `c` a control character that no text field accepts? C0 controls except tab, line feed
/// and carriage return, DEL, and the C1 controls (U+0080 to U+009F).
pub fn is_forbidden_control(c: char) -> bool {
    c.is_control() && !matches!(c, '\t' | '\n' | '\r')
}

/// Checks `text` for characters that do not belong in it (see [`Lines`]).
pub fn check(text: &str, lines: Lines) -> Result<(), TextError> {
    if text.chars().any(is_forbidden_control) {
        return Err(TextError::Control);
    }
    if lines == Lines::One && text.contains(['\t', '\n', '\r']) {
        return Err(TextError::LineBreak);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_refused_in_every_text() {
        let refused = [
            "a\u{0}b",
            "\u{1}",
            "escape \u{1b}[31m",
            "bell\u{7}",
            "delete\u{7f}",
            "next line\u{85}",
            "c1 \u{9f}",
            "\u{8}backspace",
        ];
        for text in refused {
            for lines in [Lines::One, Lines::Many] {
                assert_eq!(check(text, lines), Err(TextError::Control), "{text:?}");
            }
        }
    }

    #[test]
    fn line_breaks_and_tabs_belong_only_in_multi_line_text() {
        for text in ["twee\nregels", "twee\r\nregels", "een\ttab", "\r"] {
            assert_eq!(check(text, Lines::Many), Ok(()), "{text:?}");
            assert_eq!(
                check(text, Lines::One),
                Err(TextError::LineBreak),
                "{text:?}"
            );
        }
    }

    #[test]
    fn ordinary_dutch_text_is_accepted() {
        for text in [
            "",
            "Samen sterker in Antwerpen",
            "Één café, € 12.500,00 — 3 × per week “samen”",
            "naam@gemeente.be",
            "Ærø 🌍 ñ ß \u{a0}",
        ] {
            assert_eq!(check(text, Lines::One), Ok(()), "{text:?}");
        }
        assert!(check("Taal.\r\nWerk.\tOntmoeting.", Lines::Many).is_ok());
    }

    #[test]
    fn the_messages_say_what_to_do_in_dutch() {
        assert!(TextError::Control.to_string().contains("stuurteken"));
        assert!(TextError::LineBreak.to_string().contains("op één regel"));
    }
}
