//! Newtypes that cannot hold bad values: they are built by `parse`/`new` and keep their field
//! private. Parse errors carry a Dutch message for the form that sent the value.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::dutch;

/// Why a value typed into a form could not be read. The `Display` text is Dutch and can be
/// shown next to the field as is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    /// Nothing was filled in.
    #[error("Vul dit veld in.")]
    Empty,
    /// A NIS code that is not five digits from 10000 to 99999.
    #[error("Een NIS-code bestaat uit vijf cijfers (10000 tot 99999), bv. 44021 voor Gent.")]
    NisCode,
    /// An amount with a character that does not belong in an amount.
    #[error("Het bedrag bevat een ongeldig teken: '{0}'. Schrijf bv. 12.500,00 of € 12 500.")]
    AmountCharacter(char),
    /// A negative amount where only zero or more is allowed.
    #[error("Een bedrag kan niet negatief zijn.")]
    AmountNegative,
    /// More than two digits after the decimal comma.
    #[error("Een bedrag heeft hoogstens twee cijfers na de komma (eurocent).")]
    AmountDecimals,
    /// Thousands separators in the wrong place, or a decimal point instead of a comma.
    #[error(
        "Schrijf duizendtallen met een punt of een spatie per drie cijfers en decimalen met een komma, bv. 12.500,00."
    )]
    AmountGrouping,
    /// A number beyond the largest the field takes (an amount above [`crate::domain::Cents::MAX`],
    /// a reach above [`Reach::MAX`], a KPI value above [`KpiValue::MAX`], …); the text is that
    /// largest value as the form shows it.
    #[error("Dit getal is te groot: hoogstens {0}.")]
    TooLarge(String),
    /// Text where a whole number belongs.
    #[error("Vul een geheel getal in, bv. 12.")]
    WholeNumber,
    /// A reach (a number of people) that is not a whole, non-negative number.
    #[error("Het bereik is een geheel aantal personen van 0 of meer, bv. 120.")]
    Reach,
    /// A percentage outside 0-100 or with more than two decimals.
    #[error(
        "Een percentage ligt tussen 0 en 100 en heeft hoogstens twee decimalen, bv. 15 of 15,5%."
    )]
    Percent,
    /// A year that is not a four-digit year between 1900 and 2100.
    #[error("Een referentiejaar bestaat uit vier cijfers, bv. 2020.")]
    ReferenceYear,
    /// An action code that is not of the form `2.10` (or `17`).
    #[error(
        "Een actiecode bestaat uit twee getallen met een punt ertussen, bv. 2.10, of uit één getal, bv. 17."
    )]
    ActionCode,
    /// A reference region code that is empty or too long.
    #[error("Een referentieregio heeft een code van 1 tot 32 tekens, bv. REFREG01.")]
    RegionCode,
    /// A KPI value that is not a non-negative number with at most three decimals.
    #[error("Een KPI-waarde is een getal van 0 of meer met hoogstens drie decimalen, bv. 12,5.")]
    KpiValue,
}

/// Removes the characters people put around numbers that carry no meaning: surrounding white
/// space (including non-breaking spaces).
fn trim_all(input: &str) -> &str {
    input.trim_matches(|c: char| c.is_whitespace() || c == '\u{a0}' || c == '\u{202f}')
}

/// Is `c` a thousands separator in Belgian writing (dot or one of the spaces)?
pub(crate) fn is_group_separator(c: char) -> bool {
    matches!(c, '.' | ' ' | '\u{a0}' | '\u{202f}')
}

/// Reads the integer part of a Belgian number: plain digits (`12500`) or groups of three
/// separated by one consistent separator (`12.500`, `12 500`). `None` on anything else.
pub(crate) fn parse_grouped_integer(text: &str) -> Option<GroupedInteger> {
    if text.is_empty() {
        return None;
    }
    let separator = text.chars().find(|c| is_group_separator(*c));
    let groups: Vec<&str> = match separator {
        None => vec![text],
        Some(sep) => text.split(sep).collect(),
    };
    for (index, group) in groups.iter().enumerate() {
        if group.is_empty() || !group.bytes().all(|b| b.is_ascii_digit()) {
            return Some(GroupedInteger::Invalid);
        }
        let expected_ok = if index == 0 {
            separator.is_none() || group.len() <= 3
        } else {
            group.len() == 3
        };
        if !expected_ok {
            return Some(GroupedInteger::BadGrouping);
        }
    }
    let mut value: u64 = 0;
    for group in groups {
        for b in group.bytes() {
            value = match value
                .checked_mul(10)
                .and_then(|v| v.checked_add(u64::from(b - b'0')))
            {
                Some(v) => v,
                None => return Some(GroupedInteger::TooLarge),
            };
        }
    }
    Some(GroupedInteger::Value(value))
}

/// Result of [`parse_grouped_integer`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum GroupedInteger {
    Value(u64),
    Invalid,
    BadGrouping,
    TooLarge,
}

/// Reads a whole number of at most `max` as typed (`12`, `1.200`): [`ParseError::Empty`],
/// [`ParseError::TooLarge`] beyond `max` (however many digits), [`ParseError::WholeNumber`] for
/// anything else (a sign, a decimal, a letter).
pub fn parse_whole_number(input: &str, max: u64) -> Result<u64, ParseError> {
    let text = trim_all(input);
    if text.is_empty() {
        return Err(ParseError::Empty);
    }
    match parse_grouped_integer(text) {
        Some(GroupedInteger::Value(v)) if v <= max => Ok(v),
        Some(GroupedInteger::Value(_) | GroupedInteger::TooLarge) => {
            Err(ParseError::TooLarge(dutch::format_count(max)))
        }
        _ => Err(ParseError::WholeNumber),
    }
}

/// A Belgian NIS (REFNIS) municipality code: five digits, 10000 to 99999.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "u32", into = "u32")]
pub struct NisCode(u32);

impl NisCode {
    /// Builds a NIS code from its number; `None` outside 10000..=99999.
    pub fn new(code: u32) -> Option<Self> {
        (10_000..=99_999).contains(&code).then_some(Self(code))
    }

    /// Reads a NIS code typed as five digits (surrounding spaces allowed).
    pub fn parse(input: &str) -> Result<Self, ParseError> {
        let text = trim_all(input);
        if text.is_empty() {
            return Err(ParseError::Empty);
        }
        if text.len() != 5 || !text.bytes().all(|b| b.is_ascii_digit()) {
            return Err(ParseError::NisCode);
        }
        text.parse::<u32>()
            .ok()
            .and_then(Self::new)
            .ok_or(ParseError::NisCode)
    }

    /// The code as a number.
    pub fn get(self) -> u32 {
        self.0
    }
}

impl TryFrom<u32> for NisCode {
    type Error = ParseError;
    fn try_from(code: u32) -> Result<Self, Self::Error> {
        Self::new(code).ok_or(ParseError::NisCode)
    }
}

impl From<NisCode> for u32 {
    fn from(code: NisCode) -> Self {
        code.0
    }
}

impl FromStr for NisCode {
    type Err = ParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl fmt::Display for NisCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// Hundredths of a percent, 0 to 10000 (0% to 100%). Used for the co-financing rate and the
/// minimum share of non-EU15 residents for the incentive. Parsed from a percentage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "u32", into = "u32")]
pub struct BasisPoints(u32);

/// A percentage is stored as basis points; the alias reads better at some call sites.
pub type Percent = BasisPoints;

impl BasisPoints {
    /// 100%.
    pub const FULL: Self = Self(10_000);

    /// Builds basis points; `None` above 10000 (100%).
    pub fn new(basis_points: u32) -> Option<Self> {
        (basis_points <= 10_000).then_some(Self(basis_points))
    }

    /// Reads a percentage as people type it: `15`, `15%`, `15,5 %`, `15,00%`.
    pub fn parse_percent(input: &str) -> Result<Self, ParseError> {
        let text = trim_all(input);
        let text = trim_all(text.strip_suffix('%').unwrap_or(text));
        if text.is_empty() {
            return Err(ParseError::Empty);
        }
        let (whole, fraction) = match text.split_once(',') {
            Some((w, f)) => (w, f),
            None => (text, ""),
        };
        let digits_only = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if whole.is_empty() || whole.len() > 3 || !digits_only(whole) {
            return Err(ParseError::Percent);
        }
        if fraction.len() > 2
            || !digits_only(fraction)
            || (text.contains(',') && fraction.is_empty())
        {
            return Err(ParseError::Percent);
        }
        let whole: u32 = whole.parse().map_err(|_| ParseError::Percent)?;
        let mut hundredths: u32 = 0;
        for (index, b) in fraction.bytes().enumerate() {
            let weight = if index == 0 { 10 } else { 1 };
            hundredths += u32::from(b - b'0') * weight;
        }
        whole
            .checked_mul(100)
            .and_then(|w| w.checked_add(hundredths))
            .and_then(Self::new)
            .ok_or(ParseError::Percent)
    }

    /// The value in basis points.
    pub fn get(self) -> u32 {
        self.0
    }
}

impl TryFrom<u32> for BasisPoints {
    type Error = ParseError;
    fn try_from(value: u32) -> Result<Self, Self::Error> {
        Self::new(value).ok_or(ParseError::Percent)
    }
}

impl From<BasisPoints> for u32 {
    fn from(value: BasisPoints) -> Self {
        value.0
    }
}

impl FromStr for BasisPoints {
    type Err = ParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse_percent(s)
    }
}

impl fmt::Display for BasisPoints {
    /// Dutch percentage, e.g. `15,00%`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&dutch::format_basis_points(u64::from(self.0)))
    }
}

/// A number of people reached by an action (baseline or planned): a whole number, 0 or more.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Reach(u32);

impl Reach {
    /// Nobody reached.
    pub const ZERO: Self = Self(0);

    /// Builds a reach.
    pub fn new(people: u32) -> Self {
        Self(people)
    }

    /// The largest reach a field takes: far more people than any action reaches, and well
    /// inside the stored integer.
    pub const MAX: Self = Self(1_000_000);

    /// Reads a reach as typed: `120`, `1.200`, `1 200`; at most [`Reach::MAX`].
    pub fn parse(input: &str) -> Result<Self, ParseError> {
        let text = trim_all(input);
        if text.is_empty() {
            return Err(ParseError::Empty);
        }
        match parse_grouped_integer(text) {
            Some(GroupedInteger::Value(v)) if v <= u64::from(Self::MAX.0) => {
                u32::try_from(v).map(Self).map_err(|_| Self::too_large())
            }
            Some(GroupedInteger::Value(_) | GroupedInteger::TooLarge) => Err(Self::too_large()),
            _ => Err(ParseError::Reach),
        }
    }

    fn too_large() -> ParseError {
        ParseError::TooLarge(Self::MAX.to_string())
    }

    /// The number of people.
    pub fn get(self) -> u32 {
        self.0
    }
}

impl FromStr for Reach {
    type Err = ParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl fmt::Display for Reach {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&dutch::format_count(u64::from(self.0)))
    }
}

/// The year whose population figures a call uses (e.g. 2020: figures on 1 January 2020).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "u16", into = "u16")]
pub struct ReferenceYear(u16);

impl ReferenceYear {
    /// Builds a reference year; `None` outside 1900..=2100.
    pub fn new(year: u16) -> Option<Self> {
        (1900..=2100).contains(&year).then_some(Self(year))
    }

    /// Reads a four-digit year.
    pub fn parse(input: &str) -> Result<Self, ParseError> {
        let text = trim_all(input);
        if text.is_empty() {
            return Err(ParseError::Empty);
        }
        if text.len() != 4 || !text.bytes().all(|b| b.is_ascii_digit()) {
            return Err(ParseError::ReferenceYear);
        }
        text.parse::<u16>()
            .ok()
            .and_then(Self::new)
            .ok_or(ParseError::ReferenceYear)
    }

    /// The year.
    pub fn get(self) -> u16 {
        self.0
    }
}

impl TryFrom<u16> for ReferenceYear {
    type Error = ParseError;
    fn try_from(year: u16) -> Result<Self, Self::Error> {
        Self::new(year).ok_or(ParseError::ReferenceYear)
    }
}

impl From<ReferenceYear> for u16 {
    fn from(year: ReferenceYear) -> Self {
        year.0
    }
}

impl FromStr for ReferenceYear {
    type Err = ParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl fmt::Display for ReferenceYear {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// The code of an action of the plan, e.g. `2.10` ("Toekomstnetwerk") in the 2020-2024 plan,
/// which numbers actions per chapter, or `17` in the 2025-2029 plan, which numbers them straight
/// through. Ordered numerically, so `2.9` comes before `2.10` and `9` before `10`.
///
/// An action a call offers with several reach lines (issue 21: action 3.2 has lines for
/// newcomers, people with a disability and people over 55) names each line with a letter:
/// `3.2a`, `3.2b`, `3.2c`. An action with one line has no letter. [`ActionCode::action`] gives the
/// plan's action of a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ActionCode {
    chapter: Option<u16>,
    number: u16,
    line: Option<u8>,
}

impl ActionCode {
    /// Builds an action code from its two numbers.
    pub fn new(chapter: u16, number: u16) -> Self {
        Self {
            chapter: Some(chapter),
            number,
            line: None,
        }
    }

    /// Builds the code of a plan that numbers its actions without chapters (`17`).
    pub fn plain(number: u16) -> Self {
        Self {
            chapter: None,
            number,
            line: None,
        }
    }

    /// The code of reach line `line` (1 is `a`) of this action; `None` when `line` is 0 or
    /// beyond `z`.
    pub fn with_line(self, line: u8) -> Option<Self> {
        (1..=26).contains(&line).then_some(Self {
            line: Some(line),
            ..self
        })
    }

    /// The plan's action this code belongs to: the code without its line letter.
    pub fn action(self) -> Self {
        Self { line: None, ..self }
    }

    /// The plan's action of a code as text: `3.2` for `3.2b`, `1.4` for `1.4`; a text that is no
    /// code comes back as it is.
    pub fn action_text(code: &str) -> String {
        Self::parse(code).map_or_else(|_| code.to_owned(), |c| c.action().to_string())
    }

    /// The reach line's number within its action (1 is `a`), if the code names a line.
    pub fn line(self) -> Option<u8> {
        self.line
    }

    /// Reads `2.10`, `3.2b` (a reach line of action 3.2), or `17` for a plan without chapter
    /// numbers.
    pub fn parse(input: &str) -> Result<Self, ParseError> {
        let text = trim_all(input);
        if text.is_empty() {
            return Err(ParseError::Empty);
        }
        if let Some(last) = text.chars().last()
            && last.is_ascii_lowercase()
        {
            let head = &text[..text.len() - 1];
            if !head.ends_with(|c: char| c.is_ascii_digit()) {
                return Err(ParseError::ActionCode);
            }
            let code = Self::parse(head)?;
            if code.line.is_some() {
                return Err(ParseError::ActionCode);
            }
            return code
                .with_line(last as u8 - b'a' + 1)
                .ok_or(ParseError::ActionCode);
        }
        let read = |s: &str| -> Result<u16, ParseError> {
            if s.is_empty() || s.len() > 3 || !s.bytes().all(|b| b.is_ascii_digit()) {
                return Err(ParseError::ActionCode);
            }
            s.parse().map_err(|_| ParseError::ActionCode)
        };
        match text.split_once('.') {
            Some((chapter, number)) => Ok(Self {
                chapter: Some(read(chapter)?),
                number: read(number)?,
                line: None,
            }),
            None => Ok(Self::plain(read(text)?)),
        }
    }
}

impl TryFrom<String> for ActionCode {
    type Error = ParseError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<ActionCode> for String {
    fn from(code: ActionCode) -> Self {
        code.to_string()
    }
}

impl FromStr for ActionCode {
    type Err = ParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl fmt::Display for ActionCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.chapter {
            Some(chapter) => write!(f, "{chapter}.{}", self.number)?,
            None => write!(f, "{}", self.number)?,
        }
        match self.line {
            Some(line) => write!(f, "{}", char::from(b'a' + line - 1)),
            None => Ok(()),
        }
    }
}

/// The code of a reference region (referentieregio), e.g. `REFREG01`: 1 to 32 visible
/// characters.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct RegionCode(String);

impl RegionCode {
    /// Reads a region code.
    pub fn parse(input: &str) -> Result<Self, ParseError> {
        let text = trim_all(input);
        if text.is_empty() || text.chars().count() > 32 || text.chars().any(char::is_whitespace) {
            return Err(ParseError::RegionCode);
        }
        Ok(Self(text.to_owned()))
    }

    /// The code.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for RegionCode {
    type Error = ParseError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<RegionCode> for String {
    fn from(code: RegionCode) -> Self {
        code.0
    }
}

impl FromStr for RegionCode {
    type Err = ParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl fmt::Display for RegionCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Which way a KPI should move from its baseline: most go up (people reached, practice
/// opportunities), some go down (reports of street intimidation, a waiting list). The target must
/// differ from the baseline in that direction ([`KpiDirection::improves`]). A reach line's KPI
/// always rises.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum KpiDirection {
    #[default]
    Rising,
    Falling,
}

impl KpiDirection {
    /// Reads the stored or posted code (`rising`, `falling`); anything else is `None`.
    pub fn parse(code: &str) -> Option<Self> {
        match code.trim() {
            "rising" => Some(Self::Rising),
            "falling" => Some(Self::Falling),
            _ => None,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Self::Rising => "rising",
            Self::Falling => "falling",
        }
    }

    /// As the form offers it: `stijgen`, `dalen`.
    pub fn label(self) -> &'static str {
        match self {
            Self::Rising => "stijgen",
            Self::Falling => "dalen",
        }
    }

    /// Whether `target` is an improvement on `baseline` in this direction (equal is not).
    pub fn improves<T: PartialOrd>(self, baseline: T, target: T) -> bool {
        match self {
            Self::Rising => target > baseline,
            Self::Falling => target < baseline,
        }
    }

    /// How the target must lie against the baseline, in words: `hoger`, `lager`.
    pub fn comparative(self) -> &'static str {
        match self {
            Self::Rising => "hoger",
            Self::Falling => "lager",
        }
    }
}

/// A measured or targeted KPI value: a non-negative number with up to three decimals, stored
/// exactly as thousandths.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct KpiValue(u64);

impl KpiValue {
    /// Builds a KPI value from thousandths (`12_500` is 12,5).
    pub fn from_thousandths(thousandths: u64) -> Self {
        Self(thousandths)
    }

    /// Builds a whole KPI value.
    pub fn whole(value: u32) -> Self {
        Self(u64::from(value) * 1000)
    }

    /// The largest value a KPI takes: one billion (a thousandfold more than any count of people
    /// or euros of a municipality's action), stored exactly as thousandths in a signed 64-bit
    /// integer with room to spare.
    pub const MAX: Self = Self(1_000_000_000_000);

    /// Reads a Dutch number: `12`, `12,5`, `1.200`, `1 200,25`; at most [`KpiValue::MAX`].
    pub fn parse(input: &str) -> Result<Self, ParseError> {
        let text = trim_all(input);
        if text.is_empty() {
            return Err(ParseError::Empty);
        }
        let (whole, fraction) = match text.split_once(',') {
            Some((w, f)) => (w, Some(f)),
            None => (text, None),
        };
        let too_large = || ParseError::TooLarge(Self::MAX.to_string());
        let whole = match parse_grouped_integer(whole) {
            Some(GroupedInteger::Value(v)) => v,
            Some(GroupedInteger::TooLarge) => return Err(too_large()),
            _ => return Err(ParseError::KpiValue),
        };
        let mut thousandths: u64 = 0;
        if let Some(fraction) = fraction {
            if fraction.is_empty()
                || fraction.len() > 3
                || !fraction.bytes().all(|b| b.is_ascii_digit())
            {
                return Err(ParseError::KpiValue);
            }
            let mut weight = 100;
            for b in fraction.bytes() {
                thousandths += u64::from(b - b'0') * weight;
                weight /= 10;
            }
        }
        whole
            .checked_mul(1000)
            .and_then(|w| w.checked_add(thousandths))
            .filter(|t| *t <= Self::MAX.0)
            .map(Self)
            .ok_or_else(too_large)
    }

    /// The value in thousandths.
    pub fn thousandths(self) -> u64 {
        self.0
    }

    /// The value in thousandths as stored (a signed 64-bit column); `None` only for a value
    /// built from thousandths beyond that column, never for one [`KpiValue::parse`] read.
    pub fn stored(self) -> Option<i64> {
        i64::try_from(self.0).ok()
    }
}

impl FromStr for KpiValue {
    type Err = ParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl fmt::Display for KpiValue {
    /// Dutch notation without trailing zeros: `12,5`, `1.200`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let whole = dutch::format_count(self.0 / 1000);
        let fraction = self.0 % 1000;
        if fraction == 0 {
            f.write_str(&whole)
        } else {
            let digits = format!("{fraction:03}");
            write!(f, "{whole},{}", digits.trim_end_matches('0'))
        }
    }
}

/// A fraction `numerator / denominator` with a non-zero denominator, compared exactly
/// (cross-multiplication, no floating point). Used for the two-thirds coverage aim.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "RatioParts", into = "RatioParts")]
pub struct Ratio {
    numerator: u64,
    denominator: u64,
}

/// The serialised form of a [`Ratio`].
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub struct RatioParts {
    /// Top of the fraction.
    pub numerator: u64,
    /// Bottom of the fraction (not zero).
    pub denominator: u64,
}

impl Ratio {
    /// Builds a ratio; `None` when the denominator is zero.
    pub fn new(numerator: u64, denominator: u64) -> Option<Self> {
        (denominator != 0).then_some(Self {
            numerator,
            denominator,
        })
    }

    /// Top of the fraction.
    pub fn numerator(self) -> u64 {
        self.numerator
    }

    /// Bottom of the fraction.
    pub fn denominator(self) -> u64 {
        self.denominator
    }

    /// Is `part / whole` at least this ratio? Exact; `false` when `whole` is zero.
    pub fn is_reached_by(self, part: u64, whole: u64) -> bool {
        whole != 0
            && u128::from(part) * u128::from(self.denominator)
                >= u128::from(self.numerator) * u128::from(whole)
    }

    /// The ratio in basis points, rounded down.
    pub fn basis_points_floor(self) -> u64 {
        dutch::share_basis_points_floor(self.numerator, self.denominator).unwrap_or(0)
    }
}

impl TryFrom<RatioParts> for Ratio {
    type Error = &'static str;
    fn try_from(parts: RatioParts) -> Result<Self, Self::Error> {
        Self::new(parts.numerator, parts.denominator).ok_or("denominator must not be zero")
    }
}

impl From<Ratio> for RatioParts {
    fn from(ratio: Ratio) -> Self {
        Self {
            numerator: ratio.numerator,
            denominator: ratio.denominator,
        }
    }
}

/// Is `numerator / denominator` at least `minimum`? Exact integer comparison; `None` when the
/// denominator is zero (the share is undefined).
pub fn share_at_least(numerator: u64, denominator: u64, minimum: BasisPoints) -> Option<bool> {
    (denominator != 0).then(|| {
        u128::from(numerator) * 10_000 >= u128::from(minimum.get()) * u128::from(denominator)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_kpi_improves_only_in_its_stated_direction() {
        assert!(KpiDirection::Rising.improves(10, 11));
        assert!(!KpiDirection::Rising.improves(10, 10));
        assert!(!KpiDirection::Rising.improves(10, 9));
        assert!(KpiDirection::Falling.improves(40, 30));
        assert!(!KpiDirection::Falling.improves(40, 40));
        assert!(!KpiDirection::Falling.improves(40, 50));
        assert_eq!(KpiDirection::parse("falling"), Some(KpiDirection::Falling));
        assert_eq!(KpiDirection::parse(" rising "), Some(KpiDirection::Rising));
        assert_eq!(KpiDirection::parse("omhoog"), None);
        assert_eq!(KpiDirection::default(), KpiDirection::Rising);
    }

    #[test]
    fn a_nis_code_is_five_digits_from_10000_to_99999() {
        let good = [
            ("44021", 44_021),
            (" 11002 ", 11_002),
            ("10000", 10_000),
            ("99999", 99_999),
        ];
        for (input, expected) in good {
            assert_eq!(
                NisCode::parse(input).map(NisCode::get),
                Ok(expected),
                "{input}"
            );
        }
        let bad = [
            ("", ParseError::Empty),
            ("   ", ParseError::Empty),
            ("09999", ParseError::NisCode),
            ("4402", ParseError::NisCode),
            ("440211", ParseError::NisCode),
            ("44O21", ParseError::NisCode),
            ("-4402", ParseError::NisCode),
            ("44.021", ParseError::NisCode),
        ];
        for (input, expected) in bad {
            assert_eq!(NisCode::parse(input), Err(expected), "{input}");
        }
        assert!(NisCode::new(9_999).is_none());
        assert!(NisCode::new(100_000).is_none());
        assert!(serde_json::from_str::<NisCode>("123").is_err());
        assert_eq!(
            serde_json::from_str::<NisCode>("44021")
                .map(NisCode::get)
                .ok(),
            Some(44_021)
        );
    }

    #[test]
    fn a_percentage_is_read_into_basis_points() {
        let good = [
            ("15", 1_500),
            ("15%", 1_500),
            ("15,00%", 1_500),
            ("15,5 %", 1_550),
            ("14,99", 1_499),
            ("0", 0),
            ("100", 10_000),
            ("50 %", 5_000),
        ];
        for (input, expected) in good {
            assert_eq!(
                BasisPoints::parse_percent(input).map(BasisPoints::get),
                Ok(expected),
                "{input}"
            );
        }
        for input in ["101", "15,001", "-5", "15.5", "15,", ",5", "abc", "1000"] {
            assert_eq!(
                BasisPoints::parse_percent(input),
                Err(ParseError::Percent),
                "{input}"
            );
        }
        assert_eq!(BasisPoints::parse_percent(" % "), Err(ParseError::Empty));
        assert_eq!(
            BasisPoints::new(1_500).map(|b| b.to_string()),
            Some("15,00%".to_owned())
        );
        assert!(BasisPoints::new(10_001).is_none());
    }

    #[test]
    fn a_reach_is_a_whole_non_negative_number() {
        let good = [("120", 120), ("1.200", 1_200), ("1 200", 1_200), ("0", 0)];
        for (input, expected) in good {
            assert_eq!(Reach::parse(input).map(Reach::get), Ok(expected), "{input}");
        }
        for input in ["-1", "12,5", "1.20", "twaalf"] {
            assert_eq!(Reach::parse(input), Err(ParseError::Reach), "{input}");
        }
        assert_eq!(Reach::parse(""), Err(ParseError::Empty));
        assert_eq!(Reach::new(1_200).to_string(), "1.200");
    }

    #[test]
    fn numbers_too_large_for_their_field_say_so_with_the_maximum() {
        let too_large = |max: &str| Some(ParseError::TooLarge(max.to_owned()));
        for input in [
            "1.000.001",
            "4294967295",
            "4.294.967.296",
            "99999999999999999999999",
        ] {
            assert_eq!(Reach::parse(input).err(), too_large("1.000.000"), "{input}");
        }
        assert_eq!(Reach::parse("1.000.000").map(Reach::get), Ok(1_000_000));
        for input in [
            "18.446.744.073.709.551,615",
            "9300000000000000",
            "1.000.000.000,001",
            "99999999999999999999999,5",
        ] {
            assert_eq!(
                KpiValue::parse(input).err(),
                too_large("1.000.000.000"),
                "{input}"
            );
        }
        assert_eq!(
            KpiValue::parse("1.000.000.000").map(KpiValue::stored),
            Ok(Some(1_000_000_000_000))
        );
        assert_eq!(parse_whole_number("999", 999), Ok(999));
        assert_eq!(parse_whole_number("1.000", 999).err(), too_large("999"));
        assert_eq!(
            parse_whole_number("99999999999999999999", 999).err(),
            too_large("999")
        );
        assert_eq!(parse_whole_number("-1", 999), Err(ParseError::WholeNumber));
        assert_eq!(parse_whole_number("1,5", 999), Err(ParseError::WholeNumber));
        assert_eq!(parse_whole_number(" ", 999), Err(ParseError::Empty));
        assert_eq!(
            ParseError::TooLarge("999".into()).to_string(),
            "Dit getal is te groot: hoogstens 999."
        );
        assert_eq!(KpiValue::from_thousandths(u64::MAX).stored(), None);
    }

    #[test]
    fn a_reference_year_has_four_digits() {
        assert_eq!(
            ReferenceYear::parse("2020").map(ReferenceYear::get),
            Ok(2020)
        );
        for input in ["20", "20200", "1899", "2101", "twee"] {
            assert_eq!(
                ReferenceYear::parse(input),
                Err(ParseError::ReferenceYear),
                "{input}"
            );
        }
    }

    #[test]
    fn a_reach_line_of_an_action_is_named_with_a_letter_and_belongs_to_its_action() {
        assert_eq!(ActionCode::action_text("3.2b"), "3.2");
        assert_eq!(ActionCode::action_text("1.4"), "1.4");
        assert_eq!(ActionCode::action_text("geen code"), "geen code");
        let line = ActionCode::parse("3.2b").unwrap();
        assert_eq!(line.to_string(), "3.2b");
        assert_eq!(line.line(), Some(2));
        assert_eq!(line.action(), ActionCode::new(3, 2));
        assert_eq!(
            ActionCode::new(3, 2).with_line(1),
            ActionCode::parse("3.2a").ok()
        );
        assert_eq!(ActionCode::new(3, 2).with_line(0), None);
        assert!(ActionCode::parse("3.2a").unwrap() < ActionCode::parse("3.2b").unwrap());
        assert!(ActionCode::parse("3.2c").unwrap() < ActionCode::parse("3.3").unwrap());
        assert!(ActionCode::parse("3.2").unwrap() < ActionCode::parse("3.2a").unwrap());
        assert_eq!(
            ActionCode::parse("17a").map(|c| c.to_string()),
            Ok("17a".into())
        );
        for input in ["3.2ab", "3.2B", "a", "3.a", "3.2 b"] {
            assert_eq!(
                ActionCode::parse(input),
                Err(ParseError::ActionCode),
                "{input}"
            );
        }
    }

    #[test]
    fn action_codes_order_numerically() {
        let nine = ActionCode::parse("2.9");
        let ten = ActionCode::parse("2.10");
        assert!(matches!((nine, ten), (Ok(a), Ok(b)) if a < b));
        assert_eq!(
            ActionCode::parse("2.10").map(|c| c.to_string()),
            Ok("2.10".to_owned())
        );
        let (nine, ten) = (ActionCode::parse("9"), ActionCode::parse("10"));
        assert!(matches!((nine, ten), (Ok(a), Ok(b)) if a < b));
        assert_eq!(
            ActionCode::parse("17").map(|c| c.to_string()),
            Ok("17".to_owned())
        );
        for input in ["2.", ".1", "2.1.1", "a.b", "2,1", "1234", "-1"] {
            assert_eq!(
                ActionCode::parse(input),
                Err(ParseError::ActionCode),
                "{input}"
            );
        }
    }

    #[test]
    fn region_codes_are_short_and_without_spaces() {
        assert!(RegionCode::parse("REFREG01").is_ok());
        assert_eq!(RegionCode::parse(""), Err(ParseError::RegionCode));
        assert_eq!(RegionCode::parse("REF REG"), Err(ParseError::RegionCode));
    }

    #[test]
    fn kpi_values_keep_three_decimals_exactly() {
        let good = [
            ("12", 12_000),
            ("12,5", 12_500),
            ("1.200", 1_200_000),
            ("0,125", 125),
        ];
        for (input, expected) in good {
            assert_eq!(
                KpiValue::parse(input).map(KpiValue::thousandths),
                Ok(expected),
                "{input}"
            );
        }
        for input in ["-1", "1,2345", "1,", "12.5", "x"] {
            assert_eq!(KpiValue::parse(input), Err(ParseError::KpiValue), "{input}");
        }
        assert_eq!(KpiValue::from_thousandths(12_500).to_string(), "12,5");
        assert_eq!(KpiValue::whole(1_200).to_string(), "1.200");
    }

    #[test]
    fn shares_compare_exactly_at_the_fifteen_percent_edge() {
        let fifteen = BasisPoints::new(1_500);
        let table = [
            (15, 100, Some(true)),
            (1_499, 10_000, Some(false)),
            (14_999, 100_000, Some(false)),
            (150_001, 1_000_000, Some(true)),
            (3, 20, Some(true)),
            (1, 0, None),
        ];
        for (num, den, expected) in table {
            assert_eq!(
                fifteen.and_then(|m| share_at_least(num, den, m)),
                expected,
                "{num}/{den}"
            );
        }
    }

    #[test]
    fn two_thirds_is_reached_exactly() {
        let aim = Ratio::new(2, 3);
        assert_eq!(aim.map(|r| r.is_reached_by(2, 3)), Some(true));
        assert_eq!(aim.map(|r| r.is_reached_by(665, 1_000)), Some(false));
        assert_eq!(aim.map(|r| r.is_reached_by(0, 0)), Some(false));
        assert_eq!(aim.map(Ratio::basis_points_floor), Some(6_666));
        assert!(Ratio::new(1, 0).is_none());
    }
}
