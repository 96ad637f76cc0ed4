//! Reach lines: the table of ABB's own Plan Samenleven form (issue 21).
//!
//! An action of a call has one or more [`ReachLine`]s: a target group ("volwassen
//! anderstaligen"), the maximum planned additional reach (2,250) and the Flemish contribution per
//! unit (€ 60). Per line the municipality gives its current reach (the baseline, only where it
//! takes the line), its planned additional reach (at most the maximum) and a priority (1, 2, 3 ...
//! each distinct), which the Flemish government uses when the money does not stretch.
//!
//! The rules, exactly as strict as the sources (`../shared/data/SOURCES.md`,
//! `plan_samenleven_2022_form.csv`) and no stricter:
//! - "Bijdrage Vlaanderen" = planned reach × amount per unit ([`contribution`]);
//! - at least one planned reach above 0 over the dossier; a planned reach is at most the line's
//!   maximum; every line with a planned reach has a priority, and priorities are distinct
//!   ([`check_lines`]);
//! - the municipality is *expected* to put in the same amount: per project year over the whole
//!   dossier an own share (money plus staff valued in euro) below the Flemish contribution blocks
//!   submission ([`co_financing`]); per action a smaller own share is only a warning;
//! - continuation: per action, the achieved over the planned additional reach, summed over its
//!   lines, is at least the threshold (25%) ([`continuation`]); ABB may still decide otherwise
//!   with a reason, which is not a rule of this module.

use super::money::Cents;
use super::types::{ActionCode, BasisPoints};

/// One line of the call's table, as the source gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReachLine {
    /// The row of the source table (1-27), stable across rounds.
    pub row: u16,
    /// The plan's action this line belongs to.
    pub action: ActionCode,
    /// The target group or unit as the form names it ("volwassen anderstaligen").
    pub unit: String,
    /// The most additional reach a municipality may plan on this line.
    pub max_planned: u32,
    /// The Flemish contribution per unit of reach.
    pub per_unit: Cents,
}

/// What a municipality filled in for one line.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LineEntry {
    /// The current local reach; only asked where the municipality takes the line.
    pub baseline: Option<u32>,
    /// The planned additional reach.
    pub planned: u32,
    /// The priority the municipality gives this line (1 is the most important).
    pub priority: Option<u32>,
}

impl LineEntry {
    /// Whether the municipality takes this line (plans reach on it).
    pub fn is_taken(&self) -> bool {
        self.planned > 0
    }
}

/// "Bijdrage Vlaanderen" of a line: planned reach × amount per unit; `None` when it does not fit
/// the largest amount a field takes.
pub fn contribution(line: &ReachLine, planned: u32) -> Option<Cents> {
    line.per_unit
        .checked_mul(u64::from(planned))
        .filter(|amount| *amount <= Cents::MAX)
}

/// What is wrong with a dossier's table, each with the line it belongs to (`None`: the table).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LineProblem {
    /// Nothing planned on any line.
    NothingPlanned,
    /// A planned reach above the line's maximum.
    AboveMaximum { row: u16, max: u32, unit: String },
    /// A line with a planned reach but no priority.
    PriorityMissing { row: u16 },
    /// A priority given to more than one line.
    PriorityTaken {
        row: u16,
        priority: u32,
        first_row: u16,
    },
    /// A baseline or priority on a line without planned reach: ignored, but said, so that the
    /// municipality does not think the line counts.
    NotTaken { row: u16 },
    /// An entry for a row the call does not have.
    UnknownRow { row: u16 },
}

impl LineProblem {
    /// The row the problem belongs to, for placing the message at its field.
    pub fn row(&self) -> Option<u16> {
        match self {
            Self::NothingPlanned => None,
            Self::AboveMaximum { row, .. }
            | Self::PriorityMissing { row }
            | Self::PriorityTaken { row, .. }
            | Self::NotTaken { row }
            | Self::UnknownRow { row } => Some(*row),
        }
    }

    /// Whether the problem blocks submission (a [`Self::NotTaken`] line is only a hint).
    pub fn blocks(&self) -> bool {
        !matches!(self, Self::NotTaken { .. })
    }
}

impl std::fmt::Display for LineProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::NothingPlanned => write!(
                f,
                "Plan op minstens één lijn een bijkomend bereik groter dan 0."
            ),
            Self::AboveMaximum { max, unit, .. } => write!(
                f,
                "Het geplande bijkomende bereik is hoogstens {} ({unit}).",
                super::dutch::format_count(u64::from(*max))
            ),
            Self::PriorityMissing { .. } => {
                write!(f, "Geef deze lijn een prioriteit (1 is de belangrijkste).")
            }
            Self::PriorityTaken {
                priority,
                first_row,
                ..
            } => write!(
                f,
                "Prioriteit {priority} is al gegeven aan lijn {first_row}. Geef elke lijn een andere prioriteit."
            ),
            Self::NotTaken { .. } => write!(
                f,
                "Op deze lijn is geen bijkomend bereik gepland: de nulmeting en prioriteit tellen niet mee."
            ),
            Self::UnknownRow { row } => write!(f, "Lijn {row} hoort niet bij deze oproep."),
        }
    }
}

/// Checks a dossier's table against the call's lines. `entries` are `(row, entry)` pairs as
/// typed; rows without an entry are not taken.
pub fn check_lines(lines: &[ReachLine], entries: &[(u16, LineEntry)]) -> Vec<LineProblem> {
    let mut problems = Vec::new();
    let mut priorities: Vec<(u32, u16)> = Vec::new();
    for (row, entry) in entries {
        let Some(line) = lines.iter().find(|l| l.row == *row) else {
            problems.push(LineProblem::UnknownRow { row: *row });
            continue;
        };
        if !entry.is_taken() {
            if entry.baseline.is_some() || entry.priority.is_some() {
                problems.push(LineProblem::NotTaken { row: *row });
            }
            continue;
        }
        if entry.planned > line.max_planned {
            problems.push(LineProblem::AboveMaximum {
                row: *row,
                max: line.max_planned,
                unit: line.unit.clone(),
            });
        }
        match entry.priority {
            None => problems.push(LineProblem::PriorityMissing { row: *row }),
            Some(priority) => match priorities.iter().find(|(p, _)| *p == priority) {
                Some((_, first_row)) => problems.push(LineProblem::PriorityTaken {
                    row: *row,
                    priority,
                    first_row: *first_row,
                }),
                None => priorities.push((priority, *row)),
            },
        }
    }
    if !entries
        .iter()
        .any(|(row, e)| e.is_taken() && lines.iter().any(|l| l.row == *row))
    {
        problems.insert(0, LineProblem::NothingPlanned);
    }
    problems
}

/// The own share of a project year: money and staff time valued in euro ("financiële of
/// personele middelen").
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OwnShare {
    pub money: Cents,
    pub staff: Cents,
}

impl OwnShare {
    /// Money and staff together; `None` when the sum does not fit.
    pub fn total(self) -> Option<Cents> {
        self.money.checked_add(self.staff)
    }
}

/// The verdict on co-financing for one project year or one action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CoFinancing {
    /// The own share is at least the Flemish contribution.
    Matched,
    /// The own share falls short of the Flemish contribution by this much.
    Short(Cents),
}

/// Compares an own share with the Flemish contribution it is expected to match.
pub fn co_financing(flemish: Cents, own: OwnShare) -> CoFinancing {
    let own = own.total().unwrap_or(Cents::MAX);
    match flemish.checked_sub(own) {
        Some(short) if short > Cents::ZERO => CoFinancing::Short(short),
        _ => CoFinancing::Matched,
    }
}

impl CoFinancing {
    /// The Dutch sentence for a whole project year (a shortfall blocks submission).
    pub fn year_sentence(self, year: i32) -> Option<String> {
        match self {
            Self::Matched => None,
            Self::Short(short) => Some(format!(
                "De eigen inbreng van projectjaar {year} (geld en personeel samen) is {short} kleiner \
                 dan de bijdrage van Vlaanderen. Het bestuur brengt minstens hetzelfde bedrag in."
            )),
        }
    }

    /// The Dutch sentence for one action (a shortfall is only a warning).
    pub fn action_sentence(self, code: ActionCode, expected: Cents) -> Option<String> {
        match self {
            Self::Matched => None,
            Self::Short(_) => Some(format!(
                "Voor actie {code} wordt een eigen inbreng van {expected} verwacht, evenveel als de \
                 bijdrage van Vlaanderen. Dit is een waarschuwing: wat telt, is het totaal per projectjaar."
            )),
        }
    }
}

/// Achieved against planned additional reach of one line at a report.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LineResult {
    pub planned: u32,
    pub achieved: u32,
}

/// The continuation verdict of one action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ActionContinuation {
    /// Achieved over planned, summed over the action's lines, in basis points (rounded down;
    /// `None` when nothing was planned).
    pub share: Option<u64>,
    /// Whether the share reaches the threshold.
    pub continues: bool,
}

/// Per action: achieved over planned additional reach summed over its lines is at least
/// `threshold`. An action without planned reach has nothing to measure and continues.
pub fn continuation(lines: &[LineResult], threshold: BasisPoints) -> ActionContinuation {
    let planned: u64 = lines.iter().map(|l| u64::from(l.planned)).sum();
    let achieved: u64 = lines.iter().map(|l| u64::from(l.achieved)).sum();
    if planned == 0 {
        return ActionContinuation {
            share: None,
            continues: true,
        };
    }
    let share = achieved.saturating_mul(10_000) / planned;
    ActionContinuation {
        share: Some(share),
        continues: achieved.saturating_mul(10_000) >= planned * u64::from(threshold.get()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(row: u16, max: u32, euros: i64) -> ReachLine {
        ReachLine {
            row,
            action: ActionCode::new(1, 4),
            unit: "volwassen anderstaligen".into(),
            max_planned: max,
            per_unit: Cents::from_euros(euros).unwrap(),
        }
    }

    fn taken(planned: u32, priority: u32) -> LineEntry {
        LineEntry {
            baseline: Some(0),
            planned,
            priority: Some(priority),
        }
    }

    #[test]
    fn the_flemish_contribution_is_planned_reach_times_the_unit_amount() {
        assert_eq!(
            contribution(&line(2, 2250, 60), 2250),
            Cents::from_euros(135_000)
        );
        assert_eq!(contribution(&line(1, 1, 25_000), 0), Some(Cents::ZERO));
    }

    #[test]
    fn a_contribution_beyond_the_largest_amount_is_refused_not_wrapped() {
        assert_eq!(contribution(&line(1, u32::MAX, 25_000), u32::MAX), None);
    }

    #[test]
    fn a_table_with_one_line_within_its_maximum_and_a_priority_is_in_order() {
        let lines = [line(2, 2250, 60), line(3, 23, 600)];
        assert!(check_lines(&lines, &[(2, taken(2250, 1))]).is_empty());
    }

    #[test]
    fn a_table_without_any_planned_reach_cannot_be_submitted() {
        let lines = [line(2, 2250, 60)];
        assert_eq!(check_lines(&lines, &[]), vec![LineProblem::NothingPlanned]);
        let only_baseline = LineEntry {
            baseline: Some(40),
            planned: 0,
            priority: None,
        };
        let problems = check_lines(&lines, &[(2, only_baseline)]);
        assert_eq!(
            problems,
            vec![
                LineProblem::NothingPlanned,
                LineProblem::NotTaken { row: 2 }
            ]
        );
        assert!(problems[0].blocks());
        assert!(!problems[1].blocks());
    }

    #[test]
    fn one_more_than_the_maximum_is_refused_and_the_maximum_itself_is_not() {
        let lines = [line(3, 23, 600)];
        assert!(check_lines(&lines, &[(3, taken(23, 1))]).is_empty());
        let problems = check_lines(&lines, &[(3, taken(24, 1))]);
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].row(), Some(3));
        assert_eq!(
            problems[0].to_string(),
            "Het geplande bijkomende bereik is hoogstens 23 (volwassen anderstaligen)."
        );
    }

    #[test]
    fn every_taken_line_needs_its_own_priority() {
        let lines = [line(2, 2250, 60), line(3, 23, 600), line(4, 150, 650)];
        let no_priority = LineEntry {
            baseline: None,
            planned: 5,
            priority: None,
        };
        let problems = check_lines(
            &lines,
            &[(2, taken(10, 1)), (3, taken(5, 1)), (4, no_priority)],
        );
        assert_eq!(
            problems,
            vec![
                LineProblem::PriorityTaken {
                    row: 3,
                    priority: 1,
                    first_row: 2
                },
                LineProblem::PriorityMissing { row: 4 }
            ]
        );
        assert!(problems[0].to_string().contains("al gegeven aan lijn 2"));
    }

    #[test]
    fn a_row_the_call_does_not_have_is_refused() {
        let lines = [line(2, 2250, 60)];
        let problems = check_lines(&lines, &[(2, taken(1, 1)), (99, taken(1, 2))]);
        assert_eq!(problems, vec![LineProblem::UnknownRow { row: 99 }]);
    }

    #[test]
    fn an_own_share_of_money_and_staff_together_matches_the_flemish_contribution() {
        let flemish = Cents::from_euros(10_000).unwrap();
        let half = Cents::from_euros(5_000).unwrap();
        assert_eq!(
            co_financing(
                flemish,
                OwnShare {
                    money: half,
                    staff: half
                }
            ),
            CoFinancing::Matched
        );
        let short = co_financing(
            flemish,
            OwnShare {
                money: half,
                staff: Cents::from_euros(4_999).unwrap(),
            },
        );
        assert_eq!(short, CoFinancing::Short(Cents::from_euros(1).unwrap()));
        assert!(
            short
                .year_sentence(2023)
                .unwrap()
                .contains("projectjaar 2023")
        );
        assert!(
            short
                .action_sentence(ActionCode::new(1, 4), flemish)
                .unwrap()
                .contains("waarschuwing")
        );
    }

    #[test]
    fn more_own_share_than_expected_is_fine() {
        let own = OwnShare {
            money: Cents::MAX,
            staff: Cents::MAX,
        };
        assert_eq!(
            co_financing(Cents::from_euros(1).unwrap(), own),
            CoFinancing::Matched
        );
    }

    #[test]
    fn continuation_sums_an_actions_lines_so_one_weak_line_does_not_decide() {
        let threshold = BasisPoints::new(2_500).unwrap();
        // 5 of 100 on one line, 30 of 20 on the other: 35 of 120 = 29%.
        let lines = [
            LineResult {
                planned: 100,
                achieved: 5,
            },
            LineResult {
                planned: 20,
                achieved: 30,
            },
        ];
        let verdict = continuation(&lines, threshold);
        assert_eq!(verdict.share, Some(2_916));
        assert!(verdict.continues);
    }

    #[test]
    fn continuation_at_exactly_the_threshold_continues_and_just_below_does_not() {
        let threshold = BasisPoints::new(2_500).unwrap();
        let at = |achieved| {
            continuation(
                &[LineResult {
                    planned: 100,
                    achieved,
                }],
                threshold,
            )
        };
        assert!(at(25).continues);
        assert!(!at(24).continues);
        // 1 of 4 is exactly 25%, 100 of 401 just below it: no rounding decides either.
        let third = continuation(
            &[LineResult {
                planned: 4,
                achieved: 1,
            }],
            threshold,
        );
        assert!(third.continues);
        let under = continuation(
            &[LineResult {
                planned: 401,
                achieved: 100,
            }],
            threshold,
        );
        assert!(!under.continues);
    }

    #[test]
    fn an_action_without_planned_reach_has_nothing_to_measure() {
        let verdict = continuation(&[], BasisPoints::new(2_500).unwrap());
        assert_eq!(verdict.share, None);
        assert!(verdict.continues);
    }
}
