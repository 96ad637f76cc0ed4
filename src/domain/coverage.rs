//! Programme coverage (DOMAIN rule 9): the share of the Flemish Region's residents of non-EU15
//! origin who live in municipalities covered by approved applications, against the call's aim
//! (two thirds in the plan). VGC and vzw De Rand are outside the Flemish Region's
//! municipalities and do not count here.

use std::collections::BTreeSet;

use serde::Serialize;

use super::call::CallRules;
use super::dutch::{format_basis_points, format_count, join_names, share_basis_points_floor};
use super::eligibility::cite;
use super::figures::Directory;
use super::types::NisCode;
use super::verdict::{Fact, Outcome, RuleId, RuleResult};

/// The coverage indicator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Coverage {
    /// Non-EU15 residents in covered municipalities.
    pub covered_non_eu15: u64,
    /// Non-EU15 residents in all municipalities of the directory (the Flemish Region).
    pub total_non_eu15: u64,
    /// Covered share in basis points, rounded down; `None` when the total is unknown or zero.
    pub basis_points: Option<u64>,
    /// Whether the aim is met; `None` when it cannot be decided.
    pub meets_aim: Option<bool>,
    /// Municipalities without a figure for the reference year.
    pub missing: Vec<NisCode>,
    /// Covered NIS codes that are not in the directory (ignored).
    pub unknown: Vec<NisCode>,
    /// The explained result (rule `programme.coverage`).
    pub result: RuleResult,
}

/// Computes the coverage of the municipalities `covered` (members of approved applications).
pub fn programme_coverage(
    call: &CallRules,
    directory: &Directory,
    covered: &[NisCode],
) -> Coverage {
    let covered: BTreeSet<NisCode> = covered.iter().copied().collect();
    let unknown: Vec<NisCode> = covered
        .iter()
        .copied()
        .filter(|n| directory.get(*n).is_none())
        .collect();
    let mut total: u64 = 0;
    let mut covered_count: u64 = 0;
    let mut missing = Vec::new();
    let mut missing_names = Vec::new();
    let mut sources: Vec<&str> = Vec::new();
    let mut fictitious = false;
    for m in directory.iter() {
        match m.non_eu15_in(call.reference_year).found() {
            Some(figure) => {
                total = total.saturating_add(figure.value);
                if covered.contains(&m.nis_code) {
                    covered_count = covered_count.saturating_add(figure.value);
                }
                if !sources.contains(&figure.source.as_str()) {
                    sources.push(&figure.source);
                }
                fictitious |= figure.fictitious;
            }
            None => {
                missing.push(m.nis_code);
                missing_names.push(m.name.as_str());
            }
        }
    }
    let basis_points =
        share_basis_points_floor(covered_count, total).filter(|_| missing.is_empty());
    let aim = call.coverage_aim;
    let meets_aim = match (aim, missing.is_empty(), total) {
        (Some(aim), true, t) if t > 0 => Some(aim.is_reached_by(covered_count, t)),
        _ => None,
    };
    let mut facts = Vec::new();
    if let Some(aim) = aim {
        facts.push(Fact::Coverage {
            covered: covered_count,
            total,
            aim_numerator: aim.numerator(),
            aim_denominator: aim.denominator(),
            basis_points: basis_points.unwrap_or(0),
        });
    }
    facts.push(Fact::ReferenceYear {
        year: call.reference_year,
    });
    let result = if !missing.is_empty() {
        let shown: Vec<&str> = missing_names.iter().take(5).copied().collect();
        let more = missing_names.len().saturating_sub(shown.len());
        let tail = if more > 0 {
            format!(" en nog {more} andere")
        } else {
            String::new()
        };
        RuleResult::new(
            RuleId::ProgrammeCoverage,
            Outcome::CannotDecide,
            format!(
                "Het bereik kan niet berekend worden: voor {}{tail} ontbreekt het aantal inwoners van niet-EU15-herkomst van {}.",
                join_names(&shown),
                call.reference_year
            ),
        )
    } else {
        match (aim, meets_aim) {
            (Some(aim), Some(meets)) => {
                let head = format!(
                    "De gemeenten in goedgekeurde aanvragen tellen samen {} van de {} inwoners van niet-EU15-herkomst van het Vlaamse Gewest {}: {}",
                    format_count(covered_count),
                    format_count(total),
                    cite(call.reference_year.get(), &sources, fictitious),
                    format_basis_points(basis_points.unwrap_or(0))
                );
                let aim_text = format!(
                    "het doel van {}/{} ({})",
                    aim.numerator(),
                    aim.denominator(),
                    format_basis_points(aim.basis_points_floor())
                );
                if meets {
                    RuleResult::new(
                        RuleId::ProgrammeCoverage,
                        Outcome::Pass,
                        format!("{head}, dat haalt {aim_text}."),
                    )
                } else {
                    RuleResult::new(
                        RuleId::ProgrammeCoverage,
                        Outcome::Warning,
                        format!("{head}, minder dan {aim_text}."),
                    )
                }
            }
            (None, _) => RuleResult::new(
                RuleId::ProgrammeCoverage,
                Outcome::CannotDecide,
                "De oproep legt geen bereiksdoel vast, dus is het bereik niet te toetsen.",
            ),
            (Some(_), None) => RuleResult::new(
                RuleId::ProgrammeCoverage,
                Outcome::CannotDecide,
                "Het bereik kan niet berekend worden: er zijn geen inwoners van niet-EU15-herkomst geteld.",
            ),
        }
    };
    let mut result = result.with_facts(facts);
    result.fictitious |= fictitious;
    Coverage {
        covered_non_eu15: covered_count,
        total_non_eu15: total,
        basis_points,
        meets_aim,
        missing,
        unknown,
        result,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::call::tests::sample_call;
    use crate::domain::figures::tests::town;

    fn directory() -> Directory {
        Directory::new(vec![
            town(11_002, "Antwerpen", "R01", 200, 1_000),
            town(44_021, "Gent", "R13", 100, 1_000),
            town(46_029, "Lokeren", "R14", 0, 1_000),
        ])
        .unwrap()
    }

    fn nis(code: u32) -> NisCode {
        NisCode::new(code).unwrap()
    }

    #[test]
    fn two_thirds_exactly_meets_the_aim() {
        let call = sample_call();
        let coverage = programme_coverage(&call, &directory(), &[nis(11_002)]);
        assert_eq!(coverage.covered_non_eu15, 200);
        assert_eq!(coverage.total_non_eu15, 300);
        assert_eq!(coverage.meets_aim, Some(true));
        assert_eq!(coverage.basis_points, Some(6_666));
        assert_eq!(coverage.result.outcome, Outcome::Pass);
        assert!(
            coverage.result.message.contains("66,66%"),
            "{}",
            coverage.result.message
        );
    }

    #[test]
    fn less_than_two_thirds_is_a_warning() {
        let call = sample_call();
        let coverage = programme_coverage(&call, &directory(), &[nis(44_021), nis(46_029)]);
        assert_eq!(coverage.meets_aim, Some(false));
        assert_eq!(coverage.result.outcome, Outcome::Warning);
        assert!(!coverage.result.blocking);
    }

    #[test]
    fn a_missing_figure_makes_coverage_undecidable() {
        let call = sample_call();
        let mut municipalities: Vec<_> = directory().iter().cloned().collect();
        municipalities[2].non_eu15 = None;
        let dir = Directory::new(municipalities).unwrap();
        let coverage = programme_coverage(&call, &dir, &[nis(11_002)]);
        assert_eq!(coverage.meets_aim, None);
        assert_eq!(coverage.result.outcome, Outcome::CannotDecide);
        assert_eq!(coverage.missing, vec![nis(46_029)]);
    }

    #[test]
    fn a_call_without_aim_cannot_be_judged() {
        let mut call = sample_call();
        call.coverage_aim = None;
        let coverage = programme_coverage(&call, &directory(), &[nis(11_002), nis(99_999)]);
        assert_eq!(coverage.result.outcome, Outcome::CannotDecide);
        assert_eq!(coverage.unknown, vec![nis(99_999)]);
    }
}
