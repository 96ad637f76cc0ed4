//! Page numbers of the lists (`?pagina=`), read in one place. Whatever the address says, a
//! [`Page`] is between 1 and [`Page::MAX`], so an offset computed from it always fits the
//! database's integers; a page past the last one shows the last one ([`Page::within`]).

use serde::{Deserialize, Deserializer};

/// A 1-based page number, at most [`Page::MAX`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Page(u64);

impl Default for Page {
    fn default() -> Self {
        Self::FIRST
    }
}

impl Page {
    /// The first page.
    pub const FIRST: Self = Self(1);

    /// The highest page number anyone can ask for; more pages than this are never shown.
    pub const MAX: u64 = 1_000_000;

    /// Reads a page number as the address gives it: empty, zero, negative or unreadable is the
    /// first page; a number beyond [`Page::MAX`] (however large) is [`Page::MAX`].
    pub fn parse(text: &str) -> Self {
        let text = text.trim();
        if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
            return Self::FIRST;
        }
        match text.parse::<u64>() {
            Ok(n) => Self::new(n),
            Err(_) => Self(Self::MAX),
        }
    }

    /// A page number clamped to `1..=MAX`.
    pub fn new(number: u64) -> Self {
        Self(number.clamp(1, Self::MAX))
    }

    /// The number, from 1.
    pub fn get(self) -> u64 {
        self.0
    }

    /// How many rows come before this page at `size` rows per page.
    pub fn offset(self, size: u64) -> u64 {
        (self.0 - 1).saturating_mul(size.max(1))
    }

    /// The page to show and the number of pages, for `total` rows shown `size` at a time: this
    /// page, or the last one when this one is past the end (an empty list has one empty page).
    pub fn within(self, total: u64, size: u64) -> (u64, u64) {
        let pages = total.div_ceil(size.max(1)).max(1);
        (self.0.min(pages), pages)
    }
}

impl<'de> Deserialize<'de> for Page {
    /// Any text (or number) is a page: see [`Page::parse`].
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Ok(Self::parse(&text))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn any_page_number_in_an_address_is_read_into_a_page() {
        let table = [
            ("", 1),
            ("0", 1),
            ("1", 1),
            (" 7 ", 7),
            ("-1", 1),
            ("abc", 1),
            ("1e3", 1),
            ("1000000", Page::MAX),
            ("1000001", Page::MAX),
            ("9223372036854775807", Page::MAX),
            ("18446744073709551616", Page::MAX),
            ("99999999999999999999999999999999", Page::MAX),
        ];
        for (text, expected) in table {
            assert_eq!(Page::parse(text).get(), expected, "{text:?}");
        }
    }

    #[test]
    fn a_page_past_the_end_shows_the_last_page() {
        assert_eq!(Page::new(1).within(0, 50), (1, 1));
        assert_eq!(Page::new(1).within(50, 50), (1, 1));
        assert_eq!(Page::new(2).within(51, 50), (2, 2));
        assert_eq!(Page::new(99).within(120, 50), (3, 3));
        assert_eq!(Page::new(0).within(120, 50), (1, 3));
        assert_eq!(Page::parse("9223372036854775807").within(120, 50), (3, 3));
        assert_eq!(Page::new(3).within(120, 0), (3, 120));
    }

    #[test]
    fn the_offset_of_any_page_fits_a_database_integer() {
        let last = Page::parse("9223372036854775807");
        assert_eq!(last.offset(50), 49_999_950);
        assert!(i64::try_from(last.offset(u64::from(u32::MAX))).is_ok());
        assert_eq!(Page::FIRST.offset(50), 0);
    }

    #[test]
    fn a_page_is_read_leniently_from_a_query_string() {
        #[derive(serde::Deserialize)]
        struct Q {
            #[serde(default)]
            pagina: Page,
        }
        for (query, expected) in [
            ("pagina=3", 3),
            ("", 1),
            ("pagina=", 1),
            ("pagina=x", 1),
            ("pagina=9223372036854775807", Page::MAX),
        ] {
            let q: Q = serde_urlencoded::from_str(query).unwrap();
            assert_eq!(q.pagina.get(), expected, "{query}");
        }
    }
}
