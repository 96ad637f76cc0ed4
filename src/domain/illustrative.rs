//! Nothing invented looks official (issue 21, item 5): what the platform shows that no source
//! gives, marked as such wherever it is shown, with one mark ([`MARK`]) on the pages and
//! `illustrative: true` in the API, until ABB confirms it.
//!
//! Two kinds:
//! - **dates of a call** that were derived or assumed (the opening of the 2022 submission
//!   window, the report deadlines of project years 2 and 3): the call's data marks them
//!   (`call.submission_opens_illustrative`, `call_project_year.report_dates_illustrative`); every
//!   date of a fictitious demo call is illustrative too ([`date_illustrative`]);
//! - **rules the platform made up** where the sources are silent ([`InventedRule`]): sharing a
//!   priority rank that does not fit in proportion to residents of non-EU15 origin, the reclaim
//!   formula, and moving the report deadlines of a dossier approved late ([`due_standing`]).
//!
//! A fictitious demo call itself is marked `fictitious` (its parameters were never published);
//! see `seeds/SOURCES.md` for which parameters of the real call are real.

use chrono::NaiveDate;

/// What a page says next to what is illustrative.
pub const MARK: &str = "illustratief: nog door ABB te bevestigen";

/// Is a date of a call illustrative: marked so in the call's data, or the call is fictitious.
pub fn date_illustrative(marked: bool, call_fictitious: bool) -> bool {
    marked || call_fictitious
}

/// A rule that no source gives and the platform made up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum InventedRule {
    /// A priority rank that does not fit in what is left of the envelope is shared in
    /// proportion to the applicants' residents of non-EU15 origin.
    RankSharing,
    /// The amount reclaimed for a missed KPI without an accepted motivation.
    ReclaimFormula,
    /// A dossier approved after its first project year started gets its report deadlines moved
    /// by that delay.
    LateApprovalDeadlines,
}

impl InventedRule {
    /// Every invented rule, in the order the API lists them.
    pub const ALL: [InventedRule; 3] = [
        InventedRule::RankSharing,
        InventedRule::ReclaimFormula,
        InventedRule::LateApprovalDeadlines,
    ];

    /// The rule in Dutch, as the pages and the API describe it.
    pub fn description(self) -> &'static str {
        match self {
            InventedRule::RankSharing => {
                "Past een prioriteit niet volledig in wat van de enveloppe overblijft, dan wordt het resterende bedrag verdeeld naar rato van het aantal inwoners van niet-EU15-herkomst van de aanvragers."
            }
            InventedRule::ReclaimFormula => {
                "Een KPI die gemist is zonder aanvaarde motivatie telt voor het deel van de geplande verbetering dat niet bereikt werd; de terugvordering is de toegekende subsidie van de actie in dat projectjaar maal het gemiddelde niet-bereikte deel over haar KPI's, naar beneden afgerond en hoogstens wat betaald is."
            }
            InventedRule::LateApprovalDeadlines => {
                "Een dossier dat na de start van zijn eerste projectjaar goedgekeurd wordt, krijgt zijn rapportagedata verschoven met die vertraging."
            }
        }
    }

    /// Whether the rule is still illustrative: every one of them, until ABB confirms it.
    pub fn illustrative(self) -> bool {
        true
    }
}

/// Where a report's deadline comes from, and so whether it is official.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DueStanding {
    /// The call's published date.
    Official,
    /// The call's date, which is itself illustrative (derived, or of a fictitious call).
    CallDateIllustrative,
    /// The call's date moved for a late approval ([`InventedRule::LateApprovalDeadlines`]).
    MovedForLateApproval,
}

impl DueStanding {
    /// Whether the deadline is illustrative.
    pub fn illustrative(self) -> bool {
        self != DueStanding::Official
    }

    /// What a page says next to the deadline: [`MARK`] and why, or nothing for an official one.
    pub fn note(self) -> Option<String> {
        let why = match self {
            DueStanding::Official => return None,
            DueStanding::CallDateIllustrative => {
                "deze rapportagedatum is afgeleid, niet gepubliceerd"
            }
            DueStanding::MovedForLateApproval => {
                "verschoven omdat het dossier na de start van het projectjaar goedgekeurd werd; die regel staat in geen bron"
            }
        };
        Some(format!("{MARK} ({why})"))
    }
}

/// The standing of a report's deadline `due_on`, given the call's date for it (`call_due`)
/// and whether that date is illustrative: a deadline that differs from the call's date was
/// moved for a late approval.
pub fn due_standing(
    due_on: NaiveDate,
    call_due: NaiveDate,
    call_due_illustrative: bool,
) -> DueStanding {
    if due_on != call_due {
        DueStanding::MovedForLateApproval
    } else if call_due_illustrative {
        DueStanding::CallDateIllustrative
    } else {
        DueStanding::Official
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn a_date_is_illustrative_when_marked_or_when_the_call_is_fictitious() {
        let table = [
            (false, false, false),
            (true, false, true),
            (false, true, true),
            (true, true, true),
        ];
        for (marked, fictitious, expected) in table {
            assert_eq!(
                date_illustrative(marked, fictitious),
                expected,
                "{marked} {fictitious}"
            );
        }
    }

    #[test]
    fn a_deadline_is_official_only_when_it_is_the_calls_published_date() {
        let call_due = day(2023, 4, 15);
        let table = [
            (call_due, false, DueStanding::Official),
            (call_due, true, DueStanding::CallDateIllustrative),
            (day(2023, 5, 20), false, DueStanding::MovedForLateApproval),
            (day(2023, 5, 20), true, DueStanding::MovedForLateApproval),
            (day(2023, 4, 14), false, DueStanding::MovedForLateApproval),
        ];
        for (due_on, illustrative, expected) in table {
            let standing = due_standing(due_on, call_due, illustrative);
            assert_eq!(standing, expected, "{due_on} {illustrative}");
            assert_eq!(standing.illustrative(), expected != DueStanding::Official);
            assert_eq!(standing.note().is_some(), standing.illustrative());
        }
    }

    #[test]
    fn the_note_of_an_illustrative_deadline_starts_with_the_mark_and_says_why() {
        let moved = DueStanding::MovedForLateApproval.note().unwrap_or_default();
        assert!(moved.starts_with(MARK), "{moved}");
        assert!(
            moved.contains("na de start van het projectjaar goedgekeurd"),
            "{moved}"
        );
        let derived = DueStanding::CallDateIllustrative.note().unwrap_or_default();
        assert!(derived.contains("afgeleid, niet gepubliceerd"), "{derived}");
        assert_eq!(DueStanding::Official.note(), None);
    }

    #[test]
    fn every_invented_rule_is_illustrative_and_described_in_dutch() {
        for rule in InventedRule::ALL {
            assert!(rule.illustrative(), "{rule:?}");
            assert!(rule.description().ends_with('.'), "{rule:?}");
        }
        assert!(
            InventedRule::RankSharing
                .description()
                .contains("naar rato")
        );
    }
}
