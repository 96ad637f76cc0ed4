//! Dates and moments as people in Flanders read and type them: one module, on the time-zone
//! database (`chrono-tz`, `Europe/Brussels`), so summer and winter time follow the real rules.
//!
//! Moments are stored in UTC; they are shown and typed in Brussels time. Dates read `5 december
//! 2026` in running text and `05-12-2026` in tables and forms.

use chrono::{DateTime, Datelike, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use chrono_tz::Europe::Brussels;

/// The years a typed date may fall in; anything else is a typing error.
pub const PLAUSIBLE_YEARS: std::ops::RangeInclusive<i32> = 1900..=2200;

const MONTHS: [&str; 12] = [
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
];

/// A moment on the Brussels wall clock.
pub fn to_brussels(at: DateTime<Utc>) -> NaiveDateTime {
    at.with_timezone(&Brussels).naive_local()
}

/// The day in Brussels of a moment: a deadline at 23:59 Brussels time is on its own day, not on
/// the next one as in UTC.
pub fn brussels_date(at: DateTime<Utc>) -> NaiveDate {
    to_brussels(at).date()
}

/// Brussels wall-clock time to UTC. In the hour that occurs twice (the last Sunday of October)
/// the first reading (summer time) is taken; a time in the hour that does not exist (the last
/// Sunday of March, 02:00-03:00) is read as the moment the clock jumped to.
pub fn brussels_to_utc(local: NaiveDateTime) -> DateTime<Utc> {
    match Brussels.from_local_datetime(&local) {
        LocalResult::Single(at) => at.with_timezone(&Utc),
        LocalResult::Ambiguous(first, _) => first.with_timezone(&Utc),
        LocalResult::None => {
            // The skipped hour: one hour later exists.
            let later = local + chrono::Duration::hours(1);
            match Brussels.from_local_datetime(&later) {
                LocalResult::Single(at) | LocalResult::Ambiguous(at, _) => at.with_timezone(&Utc),
                LocalResult::None => Utc.from_utc_datetime(&local),
            }
        }
    }
}

/// The end of a day in Brussels (23:59), the usual reading of "deadline: 1 July".
pub fn end_of_brussels_day(day: NaiveDate) -> DateTime<Utc> {
    let end = NaiveTime::from_hms_opt(23, 59, 0).unwrap_or(NaiveTime::MIN);
    brussels_to_utc(day.and_time(end))
}

/// A date in running text: `5 december 2026`.
pub fn date_long(date: NaiveDate) -> String {
    let month = MONTHS
        .get(date.month0() as usize)
        .copied()
        .unwrap_or_default();
    format!("{} {month} {}", date.day(), date.year())
}

/// A date in a table or a form: `05-12-2026`.
pub fn date_short(date: NaiveDate) -> String {
    date.format("%d-%m-%Y").to_string()
}

/// A moment in a table: `05-12-2026 14:30`, Brussels time.
pub fn moment_short(at: DateTime<Utc>) -> String {
    to_brussels(at).format("%d-%m-%Y %H:%M").to_string()
}

/// A moment in running text: `5 december 2026 om 14:30`, Brussels time.
pub fn moment_long(at: DateTime<Utc>) -> String {
    let local = to_brussels(at);
    format!("{} om {}", date_long(local.date()), local.format("%H:%M"))
}

/// A moment as an `<input type="datetime-local">` holds it: `2022-07-01T23:59`, Brussels time.
pub fn moment_input(at: DateTime<Utc>) -> String {
    to_brussels(at).format("%Y-%m-%dT%H:%M").to_string()
}

/// Why a typed date or moment was not read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TimeError {
    #[error("Vul een datum in.")]
    Empty,
    #[error("Vul een bestaande datum in, bv. 01-07-2022 of 2022-07-01.")]
    NotADate,
    #[error("Vul datum en uur in (Brusselse tijd), bv. 01-07-2022 12:00.")]
    NotAMoment,
}

/// A date as typed: `2022-07-01`, `01-07-2022`, `1/7/2022` or `01.07.2022`, in a plausible year.
pub fn parse_date(text: &str) -> Result<NaiveDate, TimeError> {
    let t = text.trim();
    if t.is_empty() {
        return Err(TimeError::Empty);
    }
    ["%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y", "%d.%m.%Y"]
        .iter()
        .filter_map(|format| NaiveDate::parse_from_str(t, format).ok())
        .find(|d| PLAUSIBLE_YEARS.contains(&d.year()))
        .ok_or(TimeError::NotADate)
}

/// A moment as typed in Brussels time: `2022-07-01T12:00`, `2022-07-01 12:00`, `01-07-2022
/// 12:00`; a date alone means the end of that day (23:59).
pub fn parse_brussels_moment(text: &str) -> Result<DateTime<Utc>, TimeError> {
    let t = text.trim();
    if t.is_empty() {
        return Err(TimeError::Empty);
    }
    let typed = [
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%d-%m-%Y %H:%M",
        "%d/%m/%Y %H:%M",
    ]
    .iter()
    .filter_map(|format| NaiveDateTime::parse_from_str(t, format).ok())
    .find(|local| PLAUSIBLE_YEARS.contains(&local.year()));
    if let Some(local) = typed {
        return Ok(brussels_to_utc(local));
    }
    parse_date(t)
        .map(end_of_brussels_day)
        .map_err(|_| TimeError::NotAMoment)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, h, min, 0).unwrap()
    }

    fn local(y: i32, m: u32, d: u32, h: u32, min: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(y, m, d)
            .unwrap()
            .and_hms_opt(h, min, 0)
            .unwrap()
    }

    #[test]
    fn brussels_is_one_hour_ahead_in_winter_and_two_in_summer() {
        assert_eq!(
            brussels_to_utc(local(2022, 1, 15, 12, 0)),
            utc(2022, 1, 15, 11, 0)
        );
        assert_eq!(
            brussels_to_utc(local(2022, 7, 1, 23, 59)),
            utc(2022, 7, 1, 21, 59)
        );
        assert_eq!(moment_short(utc(2022, 4, 15, 0, 0)), "15-04-2022 02:00");
        assert_eq!(moment_short(utc(2022, 12, 15, 0, 0)), "15-12-2022 01:00");
    }

    #[test]
    fn the_hour_that_occurs_twice_reads_as_summer_time_and_the_skipped_hour_moves_on() {
        // 30 October 2022: 02:30 happens twice; the first (CEST) is 00:30 UTC.
        assert_eq!(
            brussels_to_utc(local(2022, 10, 30, 2, 30)),
            utc(2022, 10, 30, 0, 30)
        );
        // 27 March 2022: 02:30 does not exist; it is read as 03:30 CEST = 01:30 UTC.
        assert_eq!(
            brussels_to_utc(local(2022, 3, 27, 2, 30)),
            utc(2022, 3, 27, 1, 30)
        );
    }

    #[test]
    fn a_deadline_late_in_the_evening_stays_on_its_own_day() {
        let deadline = end_of_brussels_day(NaiveDate::from_ymd_opt(2022, 7, 1).unwrap());
        assert_eq!(deadline, utc(2022, 7, 1, 21, 59));
        assert_eq!(
            brussels_date(deadline),
            NaiveDate::from_ymd_opt(2022, 7, 1).unwrap()
        );
        assert_eq!(
            brussels_date(utc(2022, 7, 1, 22, 30)),
            NaiveDate::from_ymd_opt(2022, 7, 2).unwrap()
        );
    }

    #[test]
    fn dates_read_in_words_in_text_and_in_figures_in_tables() {
        let day = NaiveDate::from_ymd_opt(2026, 12, 5).unwrap();
        assert_eq!(date_long(day), "5 december 2026");
        assert_eq!(date_short(day), "05-12-2026");
        assert_eq!(
            moment_long(utc(2026, 12, 5, 13, 30)),
            "5 december 2026 om 14:30"
        );
        assert_eq!(moment_input(utc(2022, 7, 1, 21, 59)), "2022-07-01T23:59");
    }

    #[test]
    fn typed_dates_are_read_in_the_usual_ways_and_implausible_ones_refused() {
        let day = NaiveDate::from_ymd_opt(2022, 7, 1).unwrap();
        for typed in [
            "2022-07-01",
            "01-07-2022",
            "1/7/2022",
            "01.07.2022",
            " 01-07-2022 ",
        ] {
            assert_eq!(parse_date(typed), Ok(day), "{typed}");
        }
        assert_eq!(parse_date(""), Err(TimeError::Empty));
        for bad in ["31-02-2022", "01-07-0022", "gisteren", "2022/07/01x"] {
            assert_eq!(parse_date(bad), Err(TimeError::NotADate), "{bad}");
        }
    }

    #[test]
    fn typed_moments_are_brussels_time_and_a_bare_date_means_the_end_of_that_day() {
        assert_eq!(
            parse_brussels_moment("2022-07-01T12:00"),
            Ok(utc(2022, 7, 1, 10, 0))
        );
        assert_eq!(
            parse_brussels_moment("01-07-2022 12:00"),
            Ok(utc(2022, 7, 1, 10, 0))
        );
        assert_eq!(
            parse_brussels_moment("01-07-2022"),
            Ok(utc(2022, 7, 1, 21, 59))
        );
        assert_eq!(parse_brussels_moment("morgen"), Err(TimeError::NotAMoment));
    }
}
