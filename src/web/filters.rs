//! askama filters, so page structs carry typed values (cents, dates, moments, shares) and the
//! templates decide how they read: `{{ amount|money }}`, `{{ day|date }}` (`05-12-2026`),
//! `{{ day|date_long }}` (`5 december 2026`), `{{ at|moment }}` (Brussels time), `{{ bp|share }}`.
//! A module whose templates use them says `use crate::web::filters;`.

use askama::{Result, Values};
use chrono::{DateTime, NaiveDate, Utc};

use crate::domain::time;

/// Something that is an amount of euro cents.
pub trait AsCents {
    fn cents(&self) -> i64;
}

impl AsCents for i64 {
    fn cents(&self) -> i64 {
        *self
    }
}

impl AsCents for crate::domain::Cents {
    fn cents(&self) -> i64 {
        self.get()
    }
}

impl<T: AsCents + ?Sized> AsCents for &T {
    fn cents(&self) -> i64 {
        (**self).cents()
    }
}

/// Something that is a day.
pub trait AsDate {
    fn day(&self) -> NaiveDate;
}

impl AsDate for NaiveDate {
    fn day(&self) -> NaiveDate {
        *self
    }
}

impl AsDate for DateTime<Utc> {
    /// A moment's day in Brussels.
    fn day(&self) -> NaiveDate {
        time::brussels_date(*self)
    }
}

impl<T: AsDate + ?Sized> AsDate for &T {
    fn day(&self) -> NaiveDate {
        (**self).day()
    }
}

/// A whole number of people, places, basis points... (negative ones count as 0).
pub trait AsCount {
    fn count(&self) -> u64;
}

macro_rules! as_count {
    ($($t:ty),*) => {$(
        impl AsCount for $t {
            fn count(&self) -> u64 {
                u64::try_from(*self).unwrap_or(0)
            }
        }
    )*};
}
as_count!(u16, u32, u64, usize, i32, i64);

impl<T: AsCount + ?Sized> AsCount for &T {
    fn count(&self) -> u64 {
        (**self).count()
    }
}

/// `€ 1.234,50` (negative amounts `€ -12,00`).
#[askama::filter_fn]
pub fn money(value: impl AsCents, _: &dyn Values) -> Result<String> {
    Ok(crate::domain::dutch::format_money(value.cents()))
}

/// `05-12-2026`, for tables and forms.
#[askama::filter_fn]
pub fn date(value: impl AsDate, _: &dyn Values) -> Result<String> {
    Ok(time::date_short(value.day()))
}

/// `5 december 2026`, for running text.
#[askama::filter_fn]
pub fn date_long(value: impl AsDate, _: &dyn Values) -> Result<String> {
    Ok(time::date_long(value.day()))
}

/// `05-12-2026 14:30` in Brussels time.
#[askama::filter_fn]
pub fn moment(value: &DateTime<Utc>, _: &dyn Values) -> Result<String> {
    Ok(time::moment_short(*value))
}

/// `5 december 2026 om 14:30` in Brussels time.
#[askama::filter_fn]
pub fn moment_long(value: &DateTime<Utc>, _: &dyn Values) -> Result<String> {
    Ok(time::moment_long(*value))
}

/// A day's month and year, `10/2022`, for spans of months (a project year).
#[askama::filter_fn]
pub fn month_year(value: impl AsDate, _: &dyn Values) -> Result<String> {
    Ok(value.day().format("%m/%Y").to_string())
}

/// A share in basis points as a Dutch percentage: `15,00%`.
#[askama::filter_fn]
pub fn share(basis_points: impl AsCount, _: &dyn Values) -> Result<String> {
    Ok(crate::domain::dutch::format_basis_points(
        basis_points.count(),
    ))
}

/// A share in basis points as a short Dutch percentage, decimals only when there are any:
/// `15%`, `15,50%` (what the call administration shows).
#[askama::filter_fn]
pub fn percent(basis_points: impl AsCount, _: &dyn Values) -> Result<String> {
    let v = basis_points.count();
    Ok(if v.is_multiple_of(100) {
        format!("{}%", v / 100)
    } else {
        format!("{},{:02}%", v / 100, v % 100)
    })
}

/// A count with a thousands separator: `1.234`.
#[askama::filter_fn]
pub fn count(value: impl AsCount, _: &dyn Values) -> Result<String> {
    Ok(crate::domain::dutch::format_count(value.count()))
}

/// A KPI value stored in thousandths as the user reads it: `2.000`, `12,5` (negative ones as 0).
#[askama::filter_fn]
pub fn kpi(thousandths: impl AsCount, _: &dyn Values) -> Result<String> {
    Ok(crate::domain::KpiValue::from_thousandths(thousandths.count()).to_string())
}

/// A file size in bytes: `512 bytes`, `12 KB`, `1,5 MB`.
#[askama::filter_fn]
pub fn size(bytes: impl AsCount, _: &dyn Values) -> Result<String> {
    Ok(crate::domain::attachments::format_size(bytes.count()))
}

#[cfg(test)]
mod tests {
    use askama::Template;
    use chrono::TimeZone;

    use super::*;
    use crate::web::filters;

    #[derive(Template)]
    #[template(
        source = "{{ amount|money }} | {{ day|date }} | {{ day|date_long }} | {{ at|moment }} | {{ at|date }} | {{ bp|share }} | {{ n|count }}",
        ext = "txt"
    )]
    struct Sample {
        amount: i64,
        day: NaiveDate,
        at: DateTime<Utc>,
        bp: u32,
        n: u64,
    }

    #[test]
    fn pages_show_typed_values_the_flemish_way() {
        let page = Sample {
            amount: 123_450,
            day: NaiveDate::from_ymd_opt(2026, 12, 5).unwrap(),
            at: Utc.with_ymd_and_hms(2022, 4, 15, 0, 0, 0).unwrap(),
            bp: 1500,
            n: 12_345,
        };
        assert_eq!(
            page.render().unwrap(),
            "€ 1.234,50 | 05-12-2026 | 5 december 2026 | 15-04-2022 02:00 | 15-04-2022 | 15,00% | 12.345"
        );
    }
}

#[cfg(test)]
mod percent_tests {
    use askama::Template;

    use crate::web::filters;

    #[derive(Template)]
    #[template(source = "{{ whole|percent }} | {{ part|percent }}", ext = "txt")]
    struct Shares {
        whole: i32,
        part: i32,
    }

    #[test]
    fn a_short_percentage_shows_decimals_only_when_there_are_any() {
        let page = Shares {
            whole: 1500,
            part: 6667,
        };
        assert_eq!(page.render().unwrap(), "15% | 66,67%");
    }
}
