//! The one clock of the application. Commands, pages and jobs ask [`Clock::now`] instead of
//! calling `Utc::now()`, so a test can set the time (a deadline that passed, a report that is
//! overdue) instead of sleeping or back-dating rows.

use std::sync::{Arc, RwLock};

use chrono::{DateTime, Duration, Utc};

/// The system clock, or a clock a test holds and moves.
#[derive(Debug, Clone, Default)]
pub struct Clock {
    fixed: Option<Arc<RwLock<DateTime<Utc>>>>,
}

impl Clock {
    /// The real time.
    pub fn system() -> Self {
        Self::default()
    }

    /// A clock standing at `at` until it is set or advanced.
    pub fn fixed(at: DateTime<Utc>) -> Self {
        Self {
            fixed: Some(Arc::new(RwLock::new(at))),
        }
    }

    /// The time now: the real time, or where a test put the clock.
    pub fn now(&self) -> DateTime<Utc> {
        match &self.fixed {
            Some(at) => match at.read() {
                Ok(at) => *at,
                Err(poisoned) => *poisoned.into_inner(),
            },
            None => Utc::now(),
        }
    }

    /// Today in Brussels: the day of [`Clock::now`] where the agency works (between midnight and
    /// 1 or 2 o'clock the UTC day is still yesterday).
    pub fn today(&self) -> chrono::NaiveDate {
        crate::domain::time::brussels_date(self.now())
    }

    /// Puts a fixed clock at `at`; the system clock ignores it (and says so with `false`).
    pub fn set(&self, to: DateTime<Utc>) -> bool {
        match &self.fixed {
            Some(at) => {
                match at.write() {
                    Ok(mut at) => *at = to,
                    Err(poisoned) => *poisoned.into_inner() = to,
                }
                true
            }
            None => false,
        }
    }

    /// Moves a fixed clock forward by `by`.
    pub fn advance(&self, by: Duration) -> bool {
        let to = self.now() + by;
        self.set(to)
    }

    /// Whether this clock was fixed by a test.
    pub fn is_fixed(&self) -> bool {
        self.fixed.is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn today_is_the_brussels_day_even_when_utc_is_still_yesterday() {
        let clock = Clock::fixed(Utc.with_ymd_and_hms(2026, 12, 5, 23, 30, 0).unwrap());
        assert_eq!(
            clock.today(),
            chrono::NaiveDate::from_ymd_opt(2026, 12, 6).unwrap()
        );
        clock.set(Utc.with_ymd_and_hms(2026, 7, 1, 21, 59, 0).unwrap());
        assert_eq!(
            clock.today(),
            chrono::NaiveDate::from_ymd_opt(2026, 7, 1).unwrap(),
            "summer time: 23:59 in Brussels"
        );
    }

    #[test]
    fn a_fixed_clock_stands_still_until_it_is_moved() {
        let start = Utc.with_ymd_and_hms(2022, 7, 1, 10, 0, 0).unwrap();
        let clock = Clock::fixed(start);
        assert_eq!(clock.now(), start);
        assert!(clock.advance(Duration::days(2)));
        assert_eq!(clock.now(), start + Duration::days(2));
        let copy = clock.clone();
        assert!(copy.set(start));
        assert_eq!(clock.now(), start, "clones share the time");
    }

    #[test]
    fn the_system_clock_cannot_be_set() {
        let clock = Clock::system();
        assert!(!clock.set(Utc.with_ymd_and_hms(2000, 1, 1, 0, 0, 0).unwrap()));
        assert!(clock.now().timestamp() > 1_700_000_000);
    }
}
