//! The parts of a dossier the applicant fills in, as ABB names them in a change request, and the
//! one rule of when the applicant may change one: while the dossier is a draft, or, after ABB
//! asked for changes, only the parts the change request reopened. Sections of the form, attachments,
//! the cooperation's members (inviting, removing, a member leaving) all follow it.

use chrono::{DateTime, Utc};

use super::time::{brussels_date, date_long};
use super::workflow::DossierState;

/// A part of the dossier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Part {
    General,
    Actions,
    Attachments,
    Declarations,
    Members,
}

impl Part {
    pub const ALL: [Part; 5] = [
        Part::General,
        Part::Actions,
        Part::Attachments,
        Part::Declarations,
        Part::Members,
    ];

    /// The stored code (change requests keep these).
    pub fn code(self) -> &'static str {
        match self {
            Part::General => "algemeen",
            Part::Actions => "acties",
            Part::Attachments => "bijlagen",
            Part::Declarations => "verklaringen",
            Part::Members => "leden",
        }
    }

    /// The Dutch name, as the task list shows it.
    pub fn label(self) -> &'static str {
        match self {
            Part::General => "Algemene gegevens",
            Part::Actions => "Acties en KPI's",
            Part::Attachments => "Bijlagen",
            Part::Declarations => "Verklaringen",
            Part::Members => "Deelnemende gemeenten",
        }
    }

    pub fn from_code(code: &str) -> Option<Part> {
        Part::ALL.into_iter().find(|p| p.code() == code)
    }
}

/// Whether the applicant may change anything in a dossier in `state`.
pub fn is_editable(state: DossierState) -> bool {
    matches!(state, DossierState::Draft | DossierState::ChangesRequested)
}

/// Why a part cannot be changed now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Locked {
    /// The dossier is submitted, decided or withdrawn.
    NotEditable { state: DossierState },
    /// ABB asked for changes to other parts only.
    NotReopened { reopened: Vec<Part> },
}

impl std::fmt::Display for Locked {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Locked::NotEditable { state } => write!(
                f,
                "Het dossier is {state} en kan niet meer gewijzigd worden."
            ),
            Locked::NotReopened { reopened } => write!(
                f,
                "Dit onderdeel is vergrendeld: de wijzigingsvraag van ABB heropende enkel {}. \
                 Dit onderdeel blijft zoals het ingediend werd.",
                names(reopened)
            ),
        }
    }
}

/// Why a dossier in `state` cannot be changed any more, in plain words: when it was submitted
/// (`submitted_at`) and waits for ABB, the day it was submitted ("Dit dossier is al ingediend op
/// 5 december 2026."); otherwise its state.
pub fn locked_sentence(state: DossierState, submitted_at: Option<DateTime<Utc>>) -> String {
    match (state, submitted_at) {
        (
            DossierState::Submitted | DossierState::InReview | DossierState::Resubmitted,
            Some(at),
        ) => {
            format!(
                "Dit dossier is al ingediend op {}. Het kan niet meer gewijzigd worden; ABB \
                 behandelt het nu.",
                date_long(brussels_date(at))
            )
        }
        _ => format!("Dit dossier is {state} en kan niet meer gewijzigd worden."),
    }
}

/// How a part shows in the task list while the dossier waits for changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reopening {
    /// The change request reopened this part: "te wijzigen".
    ToChange,
    /// The change request did not reopen it: "vergrendeld".
    Locked,
}

impl Reopening {
    pub fn label(self) -> &'static str {
        match self {
            Reopening::ToChange => "te wijzigen",
            Reopening::Locked => "vergrendeld",
        }
    }

    pub fn css(self) -> &'static str {
        match self {
            Reopening::ToChange => "status-in-progress",
            Reopening::Locked => "status-not-started",
        }
    }
}

/// How `part` shows in the task list of a dossier in `state` whose open change request names
/// `reopened`: `None` outside a change request, or when every part is open (a dossier given
/// back without a request).
pub fn reopening(state: DossierState, reopened: Option<&[Part]>, part: Part) -> Option<Reopening> {
    if state != DossierState::ChangesRequested {
        return None;
    }
    let parts = reopened?;
    Some(if parts.contains(&part) {
        Reopening::ToChange
    } else {
        Reopening::Locked
    })
}

/// Whether the applicant may change `part` of a dossier in `state`; `reopened` are the parts the
/// open change request names (`None` when there is none: then every part is open, as for a
/// dossier given back by an admin).
pub fn may_change(
    state: DossierState,
    reopened: Option<&[Part]>,
    part: Part,
) -> Result<(), Locked> {
    if !is_editable(state) {
        return Err(Locked::NotEditable { state });
    }
    match (state, reopened) {
        (DossierState::ChangesRequested, Some(parts)) if !parts.contains(&part) => {
            Err(Locked::NotReopened {
                reopened: parts.to_vec(),
            })
        }
        _ => Ok(()),
    }
}

/// The names of `parts` as a Dutch enumeration: `Algemene gegevens en Bijlagen`.
pub fn names(parts: &[Part]) -> String {
    let names: Vec<&str> = parts.iter().map(|p| p.label()).collect();
    super::dutch::join_names(&names)
}

/// The parts a change request names, from their stored codes (unknown codes are skipped).
pub fn parse_codes<'a>(codes: impl IntoIterator<Item = &'a str>) -> Vec<Part> {
    let mut parts: Vec<Part> = codes.into_iter().filter_map(Part::from_code).collect();
    parts.sort();
    parts.dedup();
    parts
}

#[cfg(test)]
mod tests {
    use super::*;
    use DossierState as S;

    #[test]
    fn a_draft_is_open_in_every_part() {
        for part in Part::ALL {
            assert_eq!(may_change(S::Draft, None, part), Ok(()));
        }
    }

    #[test]
    fn a_change_request_opens_only_the_parts_it_names() {
        let reopened = [Part::Actions];
        assert_eq!(
            may_change(S::ChangesRequested, Some(&reopened), Part::Actions),
            Ok(())
        );
        for part in [
            Part::General,
            Part::Attachments,
            Part::Declarations,
            Part::Members,
        ] {
            let refusal = may_change(S::ChangesRequested, Some(&reopened), part).unwrap_err();
            assert_eq!(
                refusal.to_string(),
                "Dit onderdeel is vergrendeld: de wijzigingsvraag van ABB heropende enkel Acties en \
                 KPI's. Dit onderdeel blijft zoals het ingediend werd."
            );
        }
    }

    #[test]
    fn without_an_open_request_a_dossier_given_back_is_open_everywhere() {
        for part in Part::ALL {
            assert_eq!(may_change(S::ChangesRequested, None, part), Ok(()));
        }
    }

    #[test]
    fn a_submitted_decided_or_withdrawn_dossier_is_locked_with_its_state_named() {
        for state in [
            S::Submitted,
            S::InReview,
            S::Resubmitted,
            S::Approved,
            S::PartlyApproved,
            S::Rejected,
            S::Withdrawn,
        ] {
            assert!(!is_editable(state));
            let refusal = may_change(state, None, Part::General).unwrap_err();
            assert!(refusal.to_string().contains(state.label()), "{refusal}");
        }
    }

    #[test]
    fn a_submitted_dossier_is_locked_with_the_day_it_was_submitted_in_brussels() {
        // 23:30 UTC on 4 December is already 5 December in Brussels.
        let at = chrono::NaiveDate::from_ymd_opt(2026, 12, 4)
            .unwrap()
            .and_hms_opt(23, 30, 0)
            .unwrap()
            .and_utc();
        assert_eq!(
            locked_sentence(S::Submitted, Some(at)),
            "Dit dossier is al ingediend op 5 december 2026. Het kan niet meer gewijzigd worden; \
             ABB behandelt het nu."
        );
        let withdrawn = locked_sentence(S::Withdrawn, Some(at));
        assert!(withdrawn.contains(S::Withdrawn.label()), "{withdrawn}");
    }

    #[test]
    fn the_task_list_marks_reopened_parts_to_change_and_the_others_locked() {
        let reopened = [Part::Actions];
        assert_eq!(
            reopening(S::ChangesRequested, Some(&reopened), Part::Actions),
            Some(Reopening::ToChange)
        );
        assert_eq!(
            reopening(S::ChangesRequested, Some(&reopened), Part::General),
            Some(Reopening::Locked)
        );
        assert_eq!(reopening(S::ChangesRequested, None, Part::General), None);
        assert_eq!(reopening(S::Draft, Some(&reopened), Part::General), None);
    }

    #[test]
    fn stored_codes_read_back_into_parts() {
        for part in Part::ALL {
            assert_eq!(Part::from_code(part.code()), Some(part));
        }
        assert_eq!(
            parse_codes(["leden", "algemeen", "onbekend", "leden"]),
            [Part::General, Part::Members]
        );
    }
}
