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
//!   submission; per action a smaller own share is only a warning (both in
//!   [`super::checks`], at the call's co-financing rate);
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

/// One line of the dossier's table as typed: empty fields are allowed (a line not taken).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LineInput {
    pub baseline: String,
    pub planned: String,
    pub priority: String,
}

/// The field of a table line a message belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineField {
    Baseline,
    Planned,
    Priority,
}

/// Reads one line of the table: an empty planned reach is 0 (the line is not taken), an empty
/// baseline or priority is not given. Each message says what to type.
pub fn read_line(input: &LineInput) -> Result<LineEntry, Vec<(LineField, String)>> {
    let mut problems = Vec::new();
    let number = |text: &str, field: LineField, label: &str, problems: &mut Vec<_>| {
        if text.trim().is_empty() {
            return None;
        }
        match super::types::parse_whole_number(text, u64::from(u32::MAX)) {
            Ok(n) => u32::try_from(n).ok(),
            Err(e) => {
                problems.push((field, format!("{label}: {e}")));
                None
            }
        }
    };
    let baseline = number(
        &input.baseline,
        LineField::Baseline,
        "Huidig bereik",
        &mut problems,
    );
    let planned = number(
        &input.planned,
        LineField::Planned,
        "Gepland bijkomend bereik",
        &mut problems,
    );
    let priority = number(
        &input.priority,
        LineField::Priority,
        "Prioriteit",
        &mut problems,
    );
    if priority == Some(0) {
        problems.push((
            LineField::Priority,
            "Prioriteit: vul een geheel getal vanaf 1 in (1 is de belangrijkste).".to_owned(),
        ));
    }
    if problems.is_empty() {
        Ok(LineEntry {
            baseline,
            planned: planned.unwrap_or(0),
            priority,
        })
    } else {
        Err(problems)
    }
}

impl LineProblem {
    /// The field of its line the problem belongs to (`None`: the whole table).
    pub fn field(&self) -> Option<LineField> {
        match self {
            Self::NothingPlanned | Self::UnknownRow { .. } => None,
            Self::AboveMaximum { .. } | Self::NotTaken { .. } => Some(LineField::Planned),
            Self::PriorityMissing { .. } | Self::PriorityTaken { .. } => Some(LineField::Priority),
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

    fn typed(baseline: &str, planned: &str, priority: &str) -> LineInput {
        LineInput {
            baseline: baseline.into(),
            planned: planned.into(),
            priority: priority.into(),
        }
    }

    #[test]
    fn an_empty_line_is_not_taken_and_a_filled_line_reads_its_numbers() {
        assert_eq!(read_line(&typed("", "", "")), Ok(LineEntry::default()));
        assert_eq!(
            read_line(&typed(" 1.200 ", "300", "2")),
            Ok(LineEntry {
                baseline: Some(1200),
                planned: 300,
                priority: Some(2)
            })
        );
    }

    #[test]
    fn every_field_of_a_line_says_what_to_type() {
        let problems = read_line(&typed("veel", "-3", "0")).unwrap_err();
        let fields: Vec<LineField> = problems.iter().map(|(f, _)| *f).collect();
        assert_eq!(
            fields,
            [LineField::Baseline, LineField::Planned, LineField::Priority]
        );
        assert!(problems[0].1.starts_with("Huidig bereik: "));
        assert!(problems[2].1.contains("vanaf 1"));
    }

    #[test]
    fn each_problem_points_at_the_field_to_change() {
        assert_eq!(LineProblem::NothingPlanned.field(), None);
        assert_eq!(
            LineProblem::PriorityMissing { row: 1 }.field(),
            Some(LineField::Priority)
        );
        assert_eq!(
            LineProblem::NotTaken { row: 1 }.field(),
            Some(LineField::Planned)
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
