//! When a call takes submissions: the one rule, for starting a dossier, submitting it, the
//! dashboard and the API alike.
//!
//! A call accepts a first submission while it is open (the admin opened it) and the moment lies
//! inside its submission window; a dossier that ABB gave a later deadline ("late submission",
//! call administration) may still be submitted until that deadline, whether the call is open or
//! not. Starting a dossier needs the open window itself.

use chrono::{DateTime, Utc};

use super::time;

/// A call's submission window as the admin set it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CallWindow {
    /// Whether the admin opened the call (and did not close it).
    pub open: bool,
    pub opens_at: DateTime<Utc>,
    pub closes_at: DateTime<Utc>,
}

/// Why a call does not take a submission now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The admin has not opened the call, or closed it.
    NotOpen,
    /// The window has not begun.
    NotYet { opens_at: DateTime<Utc> },
    /// The deadline (the call's, or the dossier's own later one) passed.
    Passed { deadline: DateTime<Utc> },
}

impl Refusal {
    /// A Dutch sentence about call `title`.
    pub fn explain(self, title: &str) -> String {
        match self {
            Self::NotOpen => format!("De oproep {title} is niet open voor indiening."),
            Self::NotYet { opens_at } => format!(
                "De oproep {title} opent voor indiening op {}.",
                time::moment_long(opens_at)
            ),
            Self::Passed { deadline } => format!(
                "De indieningstermijn van {title} liep af op {}.",
                time::moment_long(deadline)
            ),
        }
    }
}

impl CallWindow {
    /// Whether a dossier can be started or submitted at `now`.
    pub fn is_open_at(&self, now: DateTime<Utc>) -> bool {
        self.open && self.opens_at <= now && now <= self.closes_at
    }

    /// Whether a first submission is taken at `now`; `late_until` is the later deadline ABB gave
    /// the dossier, if any.
    pub fn accepts(
        &self,
        now: DateTime<Utc>,
        late_until: Option<DateTime<Utc>>,
    ) -> Result<(), Refusal> {
        if late_until.is_some_and(|until| now <= until) {
            return Ok(());
        }
        let deadline = late_until.map_or(self.closes_at, |until| until.max(self.closes_at));
        if now > deadline {
            return Err(Refusal::Passed { deadline });
        }
        if !self.open {
            return Err(Refusal::NotOpen);
        }
        if now < self.opens_at {
            return Err(Refusal::NotYet {
                opens_at: self.opens_at,
            });
        }
        Ok(())
    }

    /// Whether a dossier can be started at `now`.
    pub fn accepts_new_dossiers(&self, now: DateTime<Utc>) -> Result<(), Refusal> {
        self.accepts(now, None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(d: u32, h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2022, 7, d, h, 0, 0).unwrap()
    }

    fn window(open: bool) -> CallWindow {
        CallWindow {
            open,
            opens_at: at(1, 8),
            closes_at: at(10, 21),
        }
    }

    #[test]
    fn an_open_call_takes_submissions_inside_its_window_only() {
        let w = window(true);
        assert_eq!(w.accepts(at(5, 12), None), Ok(()));
        assert_eq!(w.accepts(at(1, 8), None), Ok(()));
        assert_eq!(w.accepts(at(10, 21), None), Ok(()));
        assert_eq!(
            w.accepts(at(1, 7), None),
            Err(Refusal::NotYet { opens_at: at(1, 8) })
        );
        assert_eq!(
            w.accepts(at(10, 22), None),
            Err(Refusal::Passed {
                deadline: at(10, 21)
            })
        );
        assert!(w.is_open_at(at(5, 12)) && !w.is_open_at(at(11, 0)));
    }

    #[test]
    fn a_call_that_is_not_open_takes_nothing_in_its_window() {
        assert_eq!(
            window(false).accepts(at(5, 12), None),
            Err(Refusal::NotOpen)
        );
        assert!(!window(false).is_open_at(at(5, 12)));
    }

    #[test]
    fn a_late_deadline_lets_one_dossier_submit_after_the_call_closed_and_until_then_only() {
        for open in [true, false] {
            let w = window(open);
            assert_eq!(w.accepts(at(12, 12), Some(at(14, 21))), Ok(()));
            assert_eq!(
                w.accepts(at(15, 12), Some(at(14, 21))),
                Err(Refusal::Passed {
                    deadline: at(14, 21)
                })
            );
        }
        // A late deadline earlier than the call's own never shortens it.
        assert_eq!(window(true).accepts(at(9, 12), Some(at(3, 12))), Ok(()));
    }

    #[test]
    fn refusals_explain_themselves_in_dutch_in_brussels_time() {
        assert_eq!(
            Refusal::Passed {
                deadline: at(1, 21)
            }
            .explain("Provisie Samenleven"),
            "De indieningstermijn van Provisie Samenleven liep af op 1 juli 2022 om 23:00."
        );
    }
}
