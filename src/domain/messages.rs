//! The conversation between ABB and a municipality about a dossier (issue 22): what a message
//! may hold, the cover note a resubmission carries, and the deadline of a change request.
//!
//! - A message (either side) or an internal note is 1 to [`MESSAGE_MAX_CHARS`] characters after
//!   trimming ([`message_body`]).
//! - A cover note ("Toelichting bij uw aanpassingen") is required when the submission answers a
//!   change request and optional otherwise, at most [`MESSAGE_MAX_CHARS`] characters
//!   ([`cover_note`]); an empty optional note is no note.
//! - A change request expects an answer by a day: by default [`DEFAULT_ANSWER_DAYS`] days after
//!   the day it is sent; a typed day must come after that day ([`answer_due`]). Both sides see
//!   how long is left ([`Standing`]); the municipality is reminded once, from
//!   [`REMIND_DAYS_BEFORE`] days before the day until the day before it ([`reminder_due`]), never
//!   on the day the request was sent.

use chrono::{NaiveDate, TimeDelta};

use crate::domain::time::{self, TimeError};

/// The longest message, note or cover note.
pub const MESSAGE_MAX_CHARS: usize = 2000;

/// How many days the municipality gets to answer a change request unless ABB says otherwise.
pub const DEFAULT_ANSWER_DAYS: i64 = 14;

/// How many days before the expected answer the municipality is reminded.
pub const REMIND_DAYS_BEFORE: i64 = 3;

/// Why a message or a cover note cannot stand. The `Display` text is Dutch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TextProblem {
    #[error("Schrijf een bericht.")]
    EmptyMessage,
    #[error("Schrijf een bericht van hoogstens 2.000 tekens (u schreef er {0}).")]
    MessageTooLong(usize),
    #[error("Licht toe wat u aanpaste: u beantwoordt een vraag om aanpassingen van ABB.")]
    CoverNoteMissing,
    #[error("Schrijf een toelichting van hoogstens 2.000 tekens (u schreef er {0}).")]
    CoverNoteTooLong(usize),
}

/// The body of a message or note as typed: trimmed, not empty, not too long.
pub fn message_body(typed: &str) -> Result<String, TextProblem> {
    let body = typed.trim();
    let length = body.chars().count();
    if length == 0 {
        Err(TextProblem::EmptyMessage)
    } else if length > MESSAGE_MAX_CHARS {
        Err(TextProblem::MessageTooLong(length))
    } else {
        Ok(body.to_owned())
    }
}

/// The cover note of a submission as typed: required when it `answers_change_request`,
/// otherwise optional (`None` when left empty); never longer than [`MESSAGE_MAX_CHARS`].
pub fn cover_note(
    typed: &str,
    answers_change_request: bool,
) -> Result<Option<String>, TextProblem> {
    let note = typed.trim();
    let length = note.chars().count();
    if length > MESSAGE_MAX_CHARS {
        Err(TextProblem::CoverNoteTooLong(length))
    } else if length == 0 && answers_change_request {
        Err(TextProblem::CoverNoteMissing)
    } else if length == 0 {
        Ok(None)
    } else {
        Ok(Some(note.to_owned()))
    }
}

/// Why a typed deadline cannot stand. The `Display` text is Dutch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum DueProblem {
    #[error("Vul een bestaande datum in, bv. 20-12-2026.")]
    NotADate,
    #[error("Kies een datum na vandaag ({today}).", today = time::date_short(*.0))]
    NotAfterToday(NaiveDate),
}

/// The day an answer is expected by default for a change request sent on `today`.
pub fn default_answer_due(today: NaiveDate) -> NaiveDate {
    today + TimeDelta::days(DEFAULT_ANSWER_DAYS)
}

/// The day ABB expects the answer, as typed on `today`: empty means the default
/// ([`default_answer_due`]); a typed day must come after `today`.
pub fn answer_due(typed: &str, today: NaiveDate) -> Result<NaiveDate, DueProblem> {
    let due = match time::parse_date(typed) {
        Ok(day) => day,
        Err(TimeError::Empty) => return Ok(default_answer_due(today)),
        Err(_) => return Err(DueProblem::NotADate),
    };
    if due <= today {
        Err(DueProblem::NotAfterToday(today))
    } else {
        Ok(due)
    }
}

/// How an expected answer stands on a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    /// Days left before the day (at least 1).
    DaysLeft(i64),
    /// The day is today.
    Today,
    /// The day passed.
    Overdue,
}

impl Standing {
    /// How the answer expected on `due` stands on `today`.
    pub fn on(due: NaiveDate, today: NaiveDate) -> Self {
        match (due - today).num_days() {
            n if n > 0 => Self::DaysLeft(n),
            0 => Self::Today,
            _ => Self::Overdue,
        }
    }

    /// "nog 3 dagen", "nog 1 dag", "vandaag", "verlopen".
    pub fn label(self) -> String {
        match self {
            Self::DaysLeft(1) => "nog 1 dag".to_owned(),
            Self::DaysLeft(n) => format!("nog {n} dagen"),
            Self::Today => "vandaag".to_owned(),
            Self::Overdue => "verlopen".to_owned(),
        }
    }

    pub fn is_overdue(self) -> bool {
        self == Self::Overdue
    }
}

/// "Antwoord verwacht uiterlijk 20 december 2026 (nog 3 dagen)" on `today`.
pub fn due_sentence(due: NaiveDate, today: NaiveDate) -> String {
    format!(
        "Antwoord verwacht uiterlijk {} ({})",
        time::date_long(due),
        Standing::on(due, today).label()
    )
}

/// The first day the municipality is reminded of an answer expected on `due`.
pub fn reminder_day(due: NaiveDate) -> NaiveDate {
    due - TimeDelta::days(REMIND_DAYS_BEFORE)
}

/// Whether an unanswered change request sent on `requested_on`, expecting its answer on `due`,
/// is reminded on `today` (when no reminder went out yet): from [`reminder_day`] until the day
/// before `due`, but not on the day it was sent (its own mail names the day).
pub fn reminder_due(requested_on: NaiveDate, due: NaiveDate, today: NaiveDate) -> bool {
    today >= reminder_day(due) && today < due && today > requested_on
}

/// The text of the reminder of an answer expected on `due`, sent on `today`.
pub fn reminder_text(due: NaiveDate, today: NaiveDate) -> String {
    format!(
        "ABB vroeg aanpassingen aan uw dossier en verwacht uw antwoord uiterlijk {} ({}). Pas de \
         gevraagde onderdelen aan en dien het dossier opnieuw in, met een toelichting bij uw \
         aanpassingen.",
        time::date_long(due),
        Standing::on(due, today).label()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn a_message_is_trimmed_and_may_not_be_empty_or_longer_than_2000_characters() {
        assert_eq!(message_body("  Dag ABB \n"), Ok("Dag ABB".to_owned()));
        assert_eq!(message_body(" \n\t "), Err(TextProblem::EmptyMessage));
        assert_eq!(message_body(&"é".repeat(2000)).map(|b| b.len()), Ok(4000));
        assert_eq!(
            message_body(&"a".repeat(2001)),
            Err(TextProblem::MessageTooLong(2001))
        );
        assert_eq!(
            TextProblem::MessageTooLong(2001).to_string(),
            "Schrijf een bericht van hoogstens 2.000 tekens (u schreef er 2001)."
        );
    }

    #[test]
    fn a_cover_note_is_required_only_when_answering_a_change_request() {
        assert_eq!(cover_note("  ", true), Err(TextProblem::CoverNoteMissing));
        assert_eq!(cover_note("  ", false), Ok(None));
        assert_eq!(
            cover_note(" Actie 2.1 per district. ", true),
            Ok(Some("Actie 2.1 per district.".to_owned()))
        );
        assert_eq!(
            cover_note("Eerste indiening", false),
            Ok(Some("Eerste indiening".into()))
        );
    }

    #[test]
    fn a_cover_note_is_never_longer_than_2000_characters() {
        for answering in [true, false] {
            assert_eq!(
                cover_note(&"x".repeat(2001), answering),
                Err(TextProblem::CoverNoteTooLong(2001))
            );
            assert!(cover_note(&"x".repeat(2000), answering).is_ok());
        }
        assert!(
            TextProblem::CoverNoteTooLong(2001)
                .to_string()
                .contains("hoogstens 2.000 tekens")
        );
    }

    #[test]
    fn the_answer_is_expected_fourteen_days_later_unless_a_day_is_typed() {
        let today = day(2026, 12, 6);
        assert_eq!(default_answer_due(today), day(2026, 12, 20));
        assert_eq!(answer_due("", today), Ok(day(2026, 12, 20)));
        assert_eq!(answer_due("  ", today), Ok(day(2026, 12, 20)));
        assert_eq!(answer_due("2026-12-09", today), Ok(day(2026, 12, 9)));
        assert_eq!(answer_due("09-12-2026", today), Ok(day(2026, 12, 9)));
        assert_eq!(answer_due("2026-12-07", today), Ok(day(2026, 12, 7)));
    }

    #[test]
    fn a_typed_deadline_must_be_a_day_after_today() {
        let today = day(2026, 12, 6);
        for typed in ["2026-12-06", "06-12-2026", "2026-11-30"] {
            assert_eq!(
                answer_due(typed, today),
                Err(DueProblem::NotAfterToday(today)),
                "{typed}"
            );
        }
        for typed in ["morgen", "31-02-2026", "2026-13-01"] {
            assert_eq!(
                answer_due(typed, today),
                Err(DueProblem::NotADate),
                "{typed}"
            );
        }
        assert_eq!(
            DueProblem::NotAfterToday(today).to_string(),
            "Kies een datum na vandaag (06-12-2026)."
        );
    }

    #[test]
    fn both_sides_read_how_many_days_are_left() {
        let due = day(2026, 12, 20);
        assert_eq!(Standing::on(due, day(2026, 12, 17)).label(), "nog 3 dagen");
        assert_eq!(Standing::on(due, day(2026, 12, 19)).label(), "nog 1 dag");
        assert_eq!(Standing::on(due, day(2026, 12, 20)).label(), "vandaag");
        assert_eq!(Standing::on(due, day(2026, 12, 21)).label(), "verlopen");
        assert!(Standing::on(due, day(2026, 12, 21)).is_overdue());
        assert!(!Standing::on(due, day(2026, 12, 20)).is_overdue());
        assert_eq!(
            due_sentence(due, day(2026, 12, 17)),
            "Antwoord verwacht uiterlijk 20 december 2026 (nog 3 dagen)"
        );
    }

    #[test]
    fn the_reminder_goes_out_from_three_days_before_until_the_day_before() {
        let requested = day(2026, 12, 6);
        let due = day(2026, 12, 20);
        assert_eq!(reminder_day(due), day(2026, 12, 17));
        assert!(!reminder_due(requested, due, day(2026, 12, 16)));
        assert!(reminder_due(requested, due, day(2026, 12, 17)));
        assert!(
            reminder_due(requested, due, day(2026, 12, 19)),
            "a missed run catches up"
        );
        assert!(
            !reminder_due(requested, due, day(2026, 12, 20)),
            "not on the day itself"
        );
        assert!(!reminder_due(requested, due, day(2026, 12, 25)));
    }

    #[test]
    fn a_short_deadline_is_not_reminded_on_the_day_the_request_went_out() {
        let requested = day(2026, 12, 6);
        let due = day(2026, 12, 8);
        assert!(!reminder_due(requested, due, requested));
        assert!(reminder_due(requested, due, day(2026, 12, 7)));
    }

    #[test]
    fn the_reminder_names_the_day_and_what_to_do() {
        let text = reminder_text(day(2026, 12, 20), day(2026, 12, 17));
        assert!(text.contains("uiterlijk 20 december 2026 (nog 3 dagen)"));
        assert!(text.contains("toelichting"));
    }
}
