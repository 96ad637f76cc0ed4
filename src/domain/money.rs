//! Money in exact euro cents.
//!
//! [`Cents`] is never negative: grants, own contributions, unit costs and budget envelopes are
//! all zero or more. Arithmetic is checked (returns `None` on overflow) or saturating; there is
//! no floating point anywhere.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::dutch;
use super::types::{GroupedInteger, ParseError, is_group_separator, parse_grouped_integer};

/// An amount of money in euro cents, zero or more.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(try_from = "i64", into = "i64")]
pub struct Cents(i64);

impl Cents {
    /// Nothing.
    pub const ZERO: Self = Self(0);

    /// The largest amount any field takes: € 1.000.000.000,00, far above any grant, own
    /// contribution or envelope of the programme, so that sums of amounts stay exact.
    pub const MAX: Self = Self(100_000_000_000);

    /// Builds an amount from cents; `None` when negative.
    pub fn new(cents: i64) -> Option<Self> {
        (cents >= 0).then_some(Self(cents))
    }

    /// Builds an amount from whole euros; `None` when negative or too large.
    pub fn from_euros(euros: i64) -> Option<Self> {
        euros.checked_mul(100).and_then(Self::new)
    }

    /// The amount in cents.
    pub fn get(self) -> i64 {
        self.0
    }

    /// `self + other`, `None` on overflow.
    pub fn checked_add(self, other: Self) -> Option<Self> {
        self.0.checked_add(other.0).map(Self)
    }

    /// `self - other`, `None` when the result would be negative.
    pub fn checked_sub(self, other: Self) -> Option<Self> {
        self.0.checked_sub(other.0).and_then(Self::new)
    }

    /// `self + other`, capped at the largest amount.
    pub fn saturating_add(self, other: Self) -> Self {
        Self(self.0.saturating_add(other.0))
    }

    /// `self - other`, floored at zero.
    pub fn saturating_sub(self, other: Self) -> Self {
        Self(self.0.saturating_sub(other.0).max(0))
    }

    /// `self × factor`, `None` on overflow.
    pub fn checked_mul(self, factor: u64) -> Option<Self> {
        i64::try_from(factor)
            .ok()
            .and_then(|f| self.0.checked_mul(f))
            .map(Self)
    }

    /// The sum of amounts, `None` on overflow.
    pub fn checked_sum<I: IntoIterator<Item = Self>>(amounts: I) -> Option<Self> {
        amounts
            .into_iter()
            .try_fold(Self::ZERO, |acc, amount| acc.checked_add(amount))
    }

    /// Reads an amount as Belgians write it: `12.500,00`, `12500`, `€ 12 500`, `12.500`,
    /// `1 234,5`, `12,-`. Thousands are grouped by three with one kind of separator (dot or
    /// space); decimals follow a comma, at most two. A dot followed by other than three digits
    /// (`12.5`) is refused rather than guessed. Negative amounts are refused.
    pub fn parse(input: &str) -> Result<Self, ParseError> {
        let text = strip_currency(input);
        if text.is_empty() {
            return Err(ParseError::Empty);
        }
        if text.starts_with('-') || text.starts_with('\u{2212}') {
            return Err(ParseError::AmountNegative);
        }
        if let Some(bad) = text
            .chars()
            .find(|c| !(c.is_ascii_digit() || *c == ',' || *c == '-' || is_group_separator(*c)))
        {
            return Err(ParseError::AmountCharacter(bad));
        }
        let (whole, fraction) = match text.split_once(',') {
            Some((w, f)) => (w, Some(f)),
            None => (text, None),
        };
        let cents = match fraction {
            None => 0,
            Some("-") | Some("--") => 0,
            Some(f) => {
                if f.len() > 2 && f.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(ParseError::AmountDecimals);
                }
                if f.is_empty() || !f.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(ParseError::AmountGrouping);
                }
                let mut cents: i64 = 0;
                let mut weight = 10;
                for b in f.bytes() {
                    cents += i64::from(b - b'0') * weight;
                    weight /= 10;
                }
                cents
            }
        };
        if whole.contains('-') {
            return Err(ParseError::AmountCharacter('-'));
        }
        let too_large = || ParseError::TooLarge(Self::MAX.to_string());
        let euros = match parse_grouped_integer(whole) {
            Some(GroupedInteger::Value(v)) => v,
            Some(GroupedInteger::TooLarge) => return Err(too_large()),
            Some(GroupedInteger::BadGrouping | GroupedInteger::Invalid) | None => {
                return Err(ParseError::AmountGrouping);
            }
        };
        i64::try_from(euros)
            .ok()
            .and_then(|e| e.checked_mul(100))
            .and_then(|c| c.checked_add(cents))
            .filter(|c| *c <= Self::MAX.0)
            .map(Self)
            .ok_or_else(too_large)
    }

    /// The amount without the euro sign: `12.500,00`.
    pub fn to_plain_string(self) -> String {
        format!(
            "{},{:02}",
            dutch::format_count(self.0.unsigned_abs() / 100),
            self.0.unsigned_abs() % 100
        )
    }
}

/// The sum of amounts in cents as stored (`*_cents` columns), capped at the ends of `i64`
/// instead of wrapping around. Every total of money that is not already a [`Cents`] sum goes
/// through here.
pub fn sum_cents<I: IntoIterator<Item = i64>>(amounts: I) -> i64 {
    amounts
        .into_iter()
        .fold(0_i64, |acc, amount| acc.saturating_add(amount))
}

fn trim(s: &str) -> &str {
    s.trim_matches(|c: char| c.is_whitespace() || c == '\u{a0}' || c == '\u{202f}')
}

/// Removes a leading or trailing euro sign or `EUR` and the spaces around it.
fn strip_currency(input: &str) -> &str {
    let mut text = trim(input);
    for prefix in ["€", "EUR", "eur", "Eur"] {
        if let Some(rest) = text.strip_prefix(prefix) {
            text = trim(rest);
            break;
        }
    }
    for suffix in ["€", "EUR", "eur", "Eur"] {
        if let Some(rest) = text.strip_suffix(suffix) {
            text = trim(rest);
            break;
        }
    }
    text
}

impl TryFrom<i64> for Cents {
    type Error = ParseError;
    fn try_from(cents: i64) -> Result<Self, Self::Error> {
        Self::new(cents).ok_or(ParseError::AmountNegative)
    }
}

impl From<Cents> for i64 {
    fn from(cents: Cents) -> Self {
        cents.0
    }
}

impl FromStr for Cents {
    type Err = ParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl fmt::Display for Cents {
    /// `€ 12.500,00`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "€ {}", self.to_plain_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn belgian_amounts_are_read_into_exact_cents() {
        let table = [
            ("12.500,00", 1_250_000),
            ("12500", 1_250_000),
            ("€ 12 500", 1_250_000),
            ("€12.500", 1_250_000),
            ("12.500", 1_250_000),
            ("1 234,5", 123_450),
            ("1\u{a0}234,56", 123_456),
            ("0,01", 1),
            ("0", 0),
            ("12,-", 1_200),
            ("12.500,00 €", 1_250_000),
            ("EUR 10.000", 1_000_000),
            ("1.000.000,99", 100_000_099),
            ("  7 ", 700),
        ];
        for (input, expected) in table {
            assert_eq!(Cents::parse(input).map(Cents::get), Ok(expected), "{input}");
        }
    }

    #[test]
    fn bad_amounts_are_refused_with_a_dutch_reason() {
        let too_large = || ParseError::TooLarge("€ 1.000.000.000,00".to_owned());
        let table = [
            ("", ParseError::Empty),
            ("€", ParseError::Empty),
            ("-12", ParseError::AmountNegative),
            ("€ -12,00", ParseError::AmountNegative),
            ("12,505", ParseError::AmountDecimals),
            ("12.5", ParseError::AmountGrouping),
            ("12.50", ParseError::AmountGrouping),
            ("1.2345", ParseError::AmountGrouping),
            ("12,", ParseError::AmountGrouping),
            ("1,2,3", ParseError::AmountGrouping),
            ("1.234 567", ParseError::AmountGrouping),
            ("12  500", ParseError::AmountGrouping),
            (",50", ParseError::AmountGrouping),
            ("1234.567", ParseError::AmountGrouping),
            ("12a", ParseError::AmountCharacter('a')),
            ("$ 12", ParseError::AmountCharacter('$')),
            ("1e3", ParseError::AmountCharacter('e')),
            ("99999999999999999999", too_large()),
            ("92233720368547759", too_large()),
            ("92.233.720.368.547.758,07", too_large()),
            ("1.000.000.000,01", too_large()),
            ("1-2", ParseError::AmountCharacter('-')),
        ];
        for (input, expected) in table {
            assert_eq!(Cents::parse(input), Err(expected.clone()), "{input}");
            assert!(!expected.to_string().is_empty());
        }
        assert_eq!(
            ParseError::AmountNegative.to_string(),
            "Een bedrag kan niet negatief zijn."
        );
        assert_eq!(
            too_large().to_string(),
            "Dit getal is te groot: hoogstens € 1.000.000.000,00."
        );
        assert_eq!(Cents::parse("1.000.000.000,00"), Ok(Cents::MAX));
    }

    #[test]
    fn sums_of_amounts_never_wrap_around() {
        assert_eq!(Cents::checked_sum([Cents(i64::MAX), Cents(1)]), None);
        assert_eq!(super::sum_cents([i64::MAX, i64::MAX]), i64::MAX);
        assert_eq!(super::sum_cents([i64::MIN, -1]), i64::MIN);
        assert_eq!(super::sum_cents([5, -2, 7]), 10);
    }

    #[test]
    fn amounts_are_shown_the_belgian_way() {
        let table = [
            (1_250_000, "€ 12.500,00"),
            (123_450, "€ 1.234,50"),
            (1, "€ 0,01"),
            (0, "€ 0,00"),
            (100_000_099, "€ 1.000.000,99"),
        ];
        for (cents, expected) in table {
            assert_eq!(
                Cents::new(cents).map(|c| c.to_string()),
                Some(expected.to_owned())
            );
        }
    }

    #[test]
    fn shown_amounts_read_back_to_the_same_cents() {
        for cents in [0, 1, 99, 100, 123_456, 1_000_000_000, Cents::MAX.0] {
            let shown = Cents::new(cents).map(|c| c.to_string());
            let back = shown.as_deref().map(Cents::parse);
            assert_eq!(back, Some(Ok(Cents(cents))), "{cents}");
        }
    }

    #[test]
    fn negative_cents_cannot_be_built() {
        assert!(Cents::new(-1).is_none());
        assert!(Cents::from_euros(-1).is_none());
        assert!(serde_json::from_str::<Cents>("-5").is_err());
        assert_eq!(Cents::new(5).and_then(|c| c.checked_sub(Cents(6))), None);
        assert_eq!(Cents(5).saturating_sub(Cents(6)), Cents::ZERO);
        assert_eq!(Cents(i64::MAX).checked_add(Cents(1)), None);
        assert_eq!(Cents(i64::MAX).checked_mul(2), None);
        assert_eq!(Cents(250).checked_mul(4), Some(Cents(1_000)));
    }
}
