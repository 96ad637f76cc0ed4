//! A bank account number (IBAN) as a municipality or partner organisation gives it for its
//! payments: read from what was typed (spaces and lower case allowed), checked by the length of
//! its country and the ISO 13616 check digits (mod 97), and for a Belgian account also by the
//! Belgian account number's own check (the first ten digits mod 97 give the last two). Valid by
//! construction; shown in groups of four (`BE68 5390 0754 7034`).

use std::fmt;

/// A checked IBAN, stored without spaces in upper case.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Iban(String);

/// Why a typed account number is not an IBAN (each with its Dutch sentence).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IbanError {
    Empty,
    Characters,
    Country(String),
    Length {
        country: String,
        expected: usize,
        typed: usize,
    },
    CheckDigits,
    BelgianCheck,
}

impl fmt::Display for IbanError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Empty => write!(
                f,
                "Vul het rekeningnummer in als IBAN, bijvoorbeeld BE68 5390 0754 7034."
            ),
            Self::Characters => write!(
                f,
                "Een IBAN bestaat enkel uit letters en cijfers (spaties mogen), bijvoorbeeld \
                 BE68 5390 0754 7034."
            ),
            Self::Country(code) => write!(
                f,
                "Een IBAN begint met de landcode van een SEPA-land (BE voor België); \
                 \"{code}\" is dat niet."
            ),
            Self::Length {
                country,
                expected,
                typed,
            } => write!(
                f,
                "Een IBAN uit {country} telt {expected} tekens; u typte er {typed}. Controleer of \
                 er geen cijfer ontbreekt of te veel staat."
            ),
            Self::CheckDigits | Self::BelgianCheck => write!(
                f,
                "Dit rekeningnummer bestaat niet: de controlecijfers kloppen niet. Controleer de \
                 cijfers op een rekeninguittreksel."
            ),
        }
    }
}

impl std::error::Error for IbanError {}

/// The IBAN length of each SEPA country (the ECB's and SWIFT's IBAN registry).
const LENGTHS: &[(&str, usize)] = &[
    ("AD", 24),
    ("AT", 20),
    ("BE", 16),
    ("BG", 22),
    ("CH", 21),
    ("CY", 28),
    ("CZ", 24),
    ("DE", 22),
    ("DK", 18),
    ("EE", 20),
    ("ES", 24),
    ("FI", 18),
    ("FR", 27),
    ("GB", 22),
    ("GI", 23),
    ("GR", 27),
    ("HR", 21),
    ("HU", 28),
    ("IE", 22),
    ("IS", 26),
    ("IT", 27),
    ("LI", 21),
    ("LT", 20),
    ("LU", 20),
    ("LV", 21),
    ("MC", 27),
    ("MT", 31),
    ("NL", 18),
    ("NO", 15),
    ("PL", 28),
    ("PT", 25),
    ("RO", 24),
    ("SE", 24),
    ("SI", 19),
    ("SK", 24),
    ("SM", 27),
    ("VA", 22),
];

/// The number the characters make (letters count as 10..35) modulo 97, one character at a time.
fn mod_97(chars: impl Iterator<Item = char>) -> u32 {
    chars.fold(0u32, |acc, c| {
        let value = c.to_digit(36).unwrap_or(0);
        if value >= 10 {
            (acc * 100 + value) % 97
        } else {
            (acc * 10 + value) % 97
        }
    })
}

impl Iban {
    /// Reads `typed`: spaces are ignored and letters may be lower case.
    pub fn parse(typed: &str) -> Result<Self, IbanError> {
        let compact: String = typed
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_ascii_uppercase();
        if compact.is_empty() {
            return Err(IbanError::Empty);
        }
        if !compact.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err(IbanError::Characters);
        }
        let country: String = compact.chars().take(2).collect();
        let Some(&(_, expected)) = LENGTHS.iter().find(|(code, _)| *code == country) else {
            return Err(IbanError::Country(country));
        };
        if compact.len() != expected {
            return Err(IbanError::Length {
                country,
                expected,
                typed: compact.len(),
            });
        }
        if !compact[2..4].chars().all(|c| c.is_ascii_digit()) {
            return Err(IbanError::CheckDigits);
        }
        let rearranged = compact[4..].chars().chain(compact[..4].chars());
        if mod_97(rearranged) != 1 {
            return Err(IbanError::CheckDigits);
        }
        if country == "BE" {
            let bban = &compact[4..];
            if !bban.chars().all(|c| c.is_ascii_digit()) {
                return Err(IbanError::BelgianCheck);
            }
            let rest = mod_97(bban[..10].chars());
            let check: u32 = bban[10..].parse().map_err(|_| IbanError::BelgianCheck)?;
            if check != if rest == 0 { 97 } else { rest } {
                return Err(IbanError::BelgianCheck);
            }
        }
        Ok(Self(compact))
    }

    /// The IBAN without spaces (`BE68539007547034`), as stored and exported.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The country code (`BE`).
    pub fn country(&self) -> &str {
        &self.0[..2]
    }

    /// Only the last four characters shown (`BE** **** **** 7034`), for mails.
    pub fn masked(&self) -> String {
        let shown = self.0.len().saturating_sub(4);
        let hidden: String = self
            .0
            .chars()
            .enumerate()
            .map(|(i, c)| if i < 2 || i >= shown { c } else { '*' })
            .collect();
        grouped(&hidden)
    }
}

/// The longest account holder's name taken.
pub const MAX_HOLDER_CHARS: usize = 200;

/// Reads the account holder's name as typed (trimmed; required, at most
/// [`MAX_HOLDER_CHARS`] characters), or the Dutch sentence saying what to fix.
pub fn holder(typed: &str) -> Result<&str, String> {
    let name = typed.trim();
    if name.is_empty() {
        Err(
            "Vul de naam van de rekeninghouder in, zoals op het rekeninguittreksel (bijvoorbeeld \
             \"Gemeente Willebroek\")."
                .to_owned(),
        )
    } else if name.chars().count() > MAX_HOLDER_CHARS {
        Err(format!(
            "De naam van de rekeninghouder telt hoogstens {MAX_HOLDER_CHARS} tekens; u typte er {}.",
            name.chars().count()
        ))
    } else {
        Ok(name)
    }
}

fn grouped(compact: &str) -> String {
    compact
        .as_bytes()
        .chunks(4)
        .map(|chunk| String::from_utf8_lossy(chunk).into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

impl fmt::Display for Iban {
    /// In groups of four: `BE68 5390 0754 7034`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&grouped(&self.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_belgian_iban_is_read_with_spaces_and_lower_case_and_shown_in_groups_of_four() {
        let iban = Iban::parse(" be68 5390 0754 7034 ").unwrap();
        assert_eq!(iban.as_str(), "BE68539007547034");
        assert_eq!(iban.to_string(), "BE68 5390 0754 7034");
        assert_eq!(iban.country(), "BE");
    }

    #[test]
    fn ibans_of_other_sepa_countries_are_accepted() {
        for typed in [
            "NL91 ABNA 0417 1643 00",
            "DE89 3704 0044 0532 0130 00",
            "FR14 2004 1010 0505 0001 3M02 606",
            "LU28 0019 4006 4475 0000",
        ] {
            assert!(Iban::parse(typed).is_ok(), "{typed}");
        }
    }

    #[test]
    fn an_empty_field_asks_for_the_number_with_an_example() {
        assert_eq!(Iban::parse("   "), Err(IbanError::Empty));
        assert!(IbanError::Empty.to_string().contains("BE68 5390 0754 7034"));
    }

    #[test]
    fn punctuation_is_refused_with_what_is_allowed() {
        assert_eq!(
            Iban::parse("BE68-5390-0754-7034"),
            Err(IbanError::Characters)
        );
    }

    #[test]
    fn an_unknown_country_code_is_named() {
        let err = Iban::parse("XX68 5390 0754 7034").unwrap_err();
        assert_eq!(err, IbanError::Country("XX".into()));
        assert!(err.to_string().contains("\"XX\""));
    }

    #[test]
    fn a_missing_digit_says_how_long_the_number_must_be() {
        let err = Iban::parse("BE68 5390 0754 703").unwrap_err();
        assert_eq!(
            err,
            IbanError::Length {
                country: "BE".into(),
                expected: 16,
                typed: 15
            }
        );
        assert!(err.to_string().contains("telt 16 tekens; u typte er 15"));
    }

    #[test]
    fn a_mistyped_digit_fails_the_check_digits() {
        assert_eq!(
            Iban::parse("BE68 5390 0754 7035"),
            Err(IbanError::CheckDigits)
        );
        assert_eq!(
            Iban::parse("BE86 5390 0754 7034"),
            Err(IbanError::CheckDigits)
        );
    }

    #[test]
    fn a_belgian_number_whose_own_check_fails_is_refused_even_with_right_iban_digits() {
        // BE + check digits computed for the BBAN 539007547035 (its Belgian check 35 is wrong:
        // 5390075470 mod 97 = 34).
        let bban = "539007547035";
        let check = 98 - mod_97(bban.chars().chain("BE00".chars()));
        let typed = format!("BE{check:02}{bban}");
        assert_eq!(Iban::parse(&typed), Err(IbanError::BelgianCheck));
    }

    #[test]
    fn a_belgian_remainder_of_zero_is_written_97() {
        // 0000000097 mod 97 = 0, so the Belgian check is 97.
        let bban = "000000009797";
        let check = 98 - mod_97(bban.chars().chain("BE00".chars()));
        let typed = format!("BE{check:02}{bban}");
        assert!(Iban::parse(&typed).is_ok(), "{typed}");
    }

    #[test]
    fn the_holder_is_required_trimmed_and_at_most_two_hundred_characters() {
        assert_eq!(holder("  Gemeente Willebroek "), Ok("Gemeente Willebroek"));
        assert!(holder("  ").unwrap_err().contains("rekeninghouder"));
        let long = "x".repeat(201);
        assert!(holder(&long).unwrap_err().contains("u typte er 201"));
        assert!(holder(&"x".repeat(200)).is_ok());
    }

    #[test]
    fn a_masked_iban_shows_the_country_and_the_last_four() {
        let iban = Iban::parse("BE68539007547034").unwrap();
        assert_eq!(iban.masked(), "BE** **** **** 7034");
    }
}
