//! ABB's decision on a dossier, pure: the bounds of a grant per action, what the decision
//! comes to (approved, partly approved, rejected) and its total. The review page and the API
//! both decide through [`crate::app::review::decide`], which applies these rules once.

use super::call::CallRules;
use super::dutch::format_money;
use super::money::Cents;
use super::workflow::DossierState;

/// What ABB decides.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Approve,
    Reject,
}

/// What a decision comes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Every action granted what it asked.
    Approved,
    /// At least one action granted less than it asked.
    PartlyApproved,
    Rejected,
}

impl Outcome {
    pub fn label(self) -> &'static str {
        match self {
            Self::Approved => "goedgekeurd",
            Self::PartlyApproved => "gedeeltelijk goedgekeurd",
            Self::Rejected => "afgewezen",
        }
    }
}

/// What limits the grant of one action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GrantBounds {
    /// The action's code, for the messages (`1.4`).
    pub code: String,
    /// What the dossier asked for this action, per project year.
    pub requested: Cents,
    /// The applicant's own contribution to this action, per project year.
    pub own_contribution: Cents,
    /// The confirmed allocation of this action, per project year that has one.
    pub confirmed: Vec<(i32, Cents)>,
}

/// Why a grant is too high; each reads as a Dutch sentence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GrantProblem {
    AboveRequest {
        code: String,
        requested: Cents,
    },
    /// The grants of the dossier together, per project year, need more own share than the
    /// dossier has (co-financing is checked over the whole dossier, not per action).
    NotCoFinanced {
        granted: Cents,
        own: Cents,
    },
    AboveAllocation {
        code: String,
        year: i32,
        allocated: Cents,
    },
}

impl std::fmt::Display for GrantProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::AboveRequest { code, requested } => write!(
                f,
                "Actie {code}: hoogstens het gevraagde bedrag, {}.",
                format_money(requested.get())
            ),
            Self::NotCoFinanced { granted, own } => write!(
                f,
                "Samen {} subsidie per projectjaar is te veel: met een eigen inbreng van {} \
                 over het hele dossier (in geld en personeel) kan de subsidie niet zo hoog zijn \
                 (cofinanciering). Verlaag de bedragen.",
                format_money(granted.get()),
                format_money(own.get())
            ),
            Self::AboveAllocation {
                code,
                year,
                allocated,
            } => write!(
                f,
                "Actie {code}: hoogstens het bevestigde budget van projectjaar {year}, {}.",
                format_money(allocated.get())
            ),
        }
    }
}

/// The problems of granting `amount` (per project year) to an action: at most what was asked
/// and at most the confirmed allocation of every project year that has one (co-financing is
/// checked over the whole dossier: [`dossier_cofinancing_problem`]). Empty when the grant may stand.
pub fn grant_problems(amount: Cents, bounds: &GrantBounds) -> Vec<GrantProblem> {
    if amount > bounds.requested {
        return vec![GrantProblem::AboveRequest {
            code: bounds.code.clone(),
            requested: bounds.requested,
        }];
    }
    bounds
        .confirmed
        .iter()
        .filter(|(_, allocated)| amount > *allocated)
        .map(|(year, allocated)| GrantProblem::AboveAllocation {
            code: bounds.code.clone(),
            year: *year,
            allocated: *allocated,
        })
        .collect()
}

/// The grants of a whole dossier per project year (`granted`) against its own share per project
/// year (money and staff over every action): the call's co-financing rate applies to the dossier,
/// so one action may be co-financed less than another (issue 21).
pub fn dossier_cofinancing_problem(
    granted: Cents,
    own: Cents,
    rules: &CallRules,
) -> Option<GrantProblem> {
    (rules.own_contribution_suffices(granted, own) != Some(true))
        .then_some(GrantProblem::NotCoFinanced { granted, own })
}

/// The grant the decision form proposes for one action, and whether it comes from a confirmed
/// allocation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Proposal {
    pub amount: Cents,
    pub from_allocation: bool,
}

/// The decision form starts from the confirmed allocation, not from the request: the smallest
/// confirmed amount over the project years that have one (one grant applies to every year),
/// never above what was `requested`; without a confirmed allocation, the request.
pub fn proposed_grant(requested: Cents, confirmed: &[(i32, Cents)]) -> Proposal {
    match confirmed.iter().map(|(_, c)| *c).min() {
        Some(allocated) => Proposal {
            amount: allocated.min(requested),
            from_allocation: true,
        },
        None => Proposal {
            amount: requested,
            from_allocation: false,
        },
    }
}

/// The outcome of a verdict with these grants: `(requested, granted)` per action.
pub fn outcome(verdict: Verdict, grants: &[(Cents, Cents)]) -> Outcome {
    match verdict {
        Verdict::Reject => Outcome::Rejected,
        Verdict::Approve if grants.iter().all(|(asked, granted)| asked == granted) => {
            Outcome::Approved
        }
        Verdict::Approve => Outcome::PartlyApproved,
    }
}

/// The total a decision grants over the dossier's project years: its grant lines (one per
/// action and project year) plus the cooperation's incentive of each project year (none when
/// rejected). `None` when the sum does not fit (the amount readers make that impossible in
/// practice).
pub fn total(outcome: Outcome, grant_lines: &[Cents], incentives: &[Cents]) -> Option<Cents> {
    if outcome == Outcome::Rejected {
        return Some(Cents::ZERO);
    }
    Cents::checked_sum(grant_lines.iter().copied())?
        .checked_add(Cents::checked_sum(incentives.iter().copied())?)
}

/// The incentive per project year as a decision stores it: `None` when every year has the same
/// (the decision's `incentive_cents` then holds for each), else a JSON object by year
/// (`{"1":0,"2":1000000}`), for a cooperation that took in a member during a later round.
pub fn incentive_by_year_text(incentives: &[(i32, Cents)]) -> Option<String> {
    let first = incentives.first()?.1;
    if incentives.iter().all(|(_, c)| *c == first) {
        return None;
    }
    let map: std::collections::BTreeMap<String, i64> = incentives
        .iter()
        .map(|(y, c)| (y.to_string(), c.get()))
        .collect();
    serde_json::to_string(&map).ok()
}

/// The incentive a decision grants in project year `year`: the year's own amount when the
/// decision stores one per year (`by_year`, [`incentive_by_year_text`]), else `per_year`.
pub fn incentive_in_year(per_year: Cents, by_year: Option<&str>, year: i32) -> Cents {
    by_year
        .and_then(|text| serde_json::from_str::<std::collections::BTreeMap<String, i64>>(text).ok())
        .map_or(per_year, |map| {
            map.get(&year.to_string())
                .and_then(|c| Cents::new(*c))
                .unwrap_or(Cents::ZERO)
        })
}

/// Whether a dossier's standing decision lapses when the dossier moves from `from` to `to`: a
/// decision stands while its dossier is decided, so a move out of a decided state (ABB reopens
/// the decision, or an admin gives the dossier back) lapses it, and what it scheduled and was not
/// paid is cancelled; the next decision schedules anew. The one rule for both (the review's
/// reopen and the call administration's "give back").
pub fn lapses(from: DossierState, to: DossierState) -> bool {
    from.is_decided() && !to.is_decided()
}

/// Why the unpaid payments of a lapsed decision were cancelled, as the payment list shows it:
/// `Beslissing heropend op 3 maart 2025: <reason>` (`on`: the day in Brussels).
pub fn lapsed_payment_reason(on: chrono::NaiveDate, reason: &str) -> String {
    format!(
        "Beslissing heropend op {}: {reason}",
        super::time::date_long(on)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_decision_lapses_when_its_dossier_leaves_the_decided_states() {
        use DossierState as S;
        assert!(lapses(S::Approved, S::InReview));
        assert!(lapses(S::PartlyApproved, S::ChangesRequested));
        assert!(lapses(S::Rejected, S::InReview));
        assert!(!lapses(S::InReview, S::Approved), "a new decision stands");
        assert!(!lapses(S::Withdrawn, S::Draft), "nothing was decided");
        let on = chrono::NaiveDate::from_ymd_opt(2025, 3, 3).unwrap();
        assert!(
            lapsed_payment_reason(on, "fout in het bedrag").starts_with("Beslissing heropend op ")
        );
        assert!(lapsed_payment_reason(on, "fout in het bedrag").ends_with(": fout in het bedrag"));
    }
    use crate::domain::call::tests::sample_call;

    fn cents(c: i64) -> Cents {
        Cents::new(c).unwrap()
    }

    fn bounds(requested: i64, own: i64, confirmed: &[(i32, i64)]) -> GrantBounds {
        GrantBounds {
            code: "1.4".into(),
            requested: cents(requested),
            own_contribution: cents(own),
            confirmed: confirmed.iter().map(|(y, c)| (*y, cents(*c))).collect(),
        }
    }

    #[test]
    fn a_grant_is_at_most_what_was_asked() {
        let problems = grant_problems(cents(2_500_001), &bounds(2_500_000, 2_500_000, &[]));
        assert_eq!(
            problems,
            [GrantProblem::AboveRequest {
                code: "1.4".into(),
                requested: cents(2_500_000)
            }]
        );
        assert_eq!(
            problems[0].to_string(),
            "Actie 1.4: hoogstens het gevraagde bedrag, € 25.000,00."
        );
    }

    #[test]
    fn the_grants_of_a_dossier_must_be_co_financed_by_its_whole_own_share_not_per_action() {
        let rules = sample_call();
        assert!(
            grant_problems(cents(1_000_001), &bounds(2_500_000, 1_000_000, &[])).is_empty(),
            "one action may be co-financed less than the rate"
        );
        assert_eq!(
            dossier_cofinancing_problem(cents(1_000_000), cents(1_000_000), &rules),
            None
        );
        let problem = dossier_cofinancing_problem(cents(1_000_001), cents(1_000_000), &rules);
        assert_eq!(
            problem,
            Some(GrantProblem::NotCoFinanced {
                granted: cents(1_000_001),
                own: cents(1_000_000)
            })
        );
        assert!(
            problem
                .unwrap()
                .to_string()
                .starts_with("Samen € 10.000,01 subsidie per projectjaar is te veel")
        );
    }

    #[test]
    fn a_grant_stays_within_the_confirmed_allocation_of_every_year() {
        let b = bounds(
            2_500_000,
            2_500_000,
            &[(1, 2_000_000), (2, 2_500_000), (3, 1_500_000)],
        );
        let problems = grant_problems(cents(2_200_000), &b);
        let years: Vec<i32> = problems
            .iter()
            .map(|p| match p {
                GrantProblem::AboveAllocation { year, .. } => *year,
                other => panic!("unexpected {other:?}"),
            })
            .collect();
        assert_eq!(years, [1, 3]);
        assert!(grant_problems(cents(1_500_000), &b).is_empty());
    }

    #[test]
    fn granting_less_than_asked_is_a_partial_approval() {
        let full = [(cents(100), cents(100)), (cents(200), cents(200))];
        let less = [(cents(100), cents(100)), (cents(200), cents(150))];
        assert_eq!(outcome(Verdict::Approve, &full), Outcome::Approved);
        assert_eq!(outcome(Verdict::Approve, &less), Outcome::PartlyApproved);
        assert_eq!(outcome(Verdict::Reject, &full), Outcome::Rejected);
    }

    #[test]
    fn the_total_counts_every_grant_line_with_the_incentive_of_each_year_and_a_rejection_grants_nothing()
     {
        // Two actions over three project years; the second action's amount per unit doubled
        // from year 2 on.
        let grants = [
            cents(1_000_000),
            cents(1_000_000),
            cents(1_000_000),
            cents(500_000),
            cents(1_000_000),
            cents(1_000_000),
        ];
        let incentives = [cents(1_000_000); 3];
        assert_eq!(
            total(Outcome::Approved, &grants, &incentives),
            Some(cents(8_500_000))
        );
        // A member taken in from year 2 on brings the incentive from that year only.
        assert_eq!(
            total(
                Outcome::Approved,
                &grants,
                &[Cents::ZERO, cents(1_000_000), cents(1_000_000)]
            ),
            Some(cents(7_500_000))
        );
        assert_eq!(
            total(Outcome::Rejected, &grants, &incentives),
            Some(Cents::ZERO)
        );
        assert_eq!(
            total(
                Outcome::Approved,
                &[Cents::new(i64::MAX).unwrap()],
                &[cents(1)]
            ),
            None
        );
    }

    #[test]
    fn an_incentive_that_differs_per_year_is_stored_per_year_and_read_back_per_year() {
        let same = [(1, cents(1_000_000)), (2, cents(1_000_000))];
        assert_eq!(incentive_by_year_text(&same), None);
        assert_eq!(
            incentive_in_year(cents(1_000_000), None, 2),
            cents(1_000_000)
        );
        let from_two = [
            (1, Cents::ZERO),
            (2, cents(1_000_000)),
            (3, cents(1_000_000)),
        ];
        let text = incentive_by_year_text(&from_two).unwrap();
        assert_eq!(text, r#"{"1":0,"2":1000000,"3":1000000}"#);
        assert_eq!(incentive_in_year(Cents::ZERO, Some(&text), 1), Cents::ZERO);
        assert_eq!(
            incentive_in_year(Cents::ZERO, Some(&text), 3),
            cents(1_000_000)
        );
        assert_eq!(
            incentive_in_year(Cents::ZERO, Some(&text), 4),
            Cents::ZERO,
            "a year the decision does not cover has none"
        );
    }

    #[test]
    fn the_decision_form_proposes_the_confirmed_allocation_else_the_request() {
        let c = |v| Cents::new(v).unwrap();
        assert_eq!(
            proposed_grant(c(2_500_000), &[(1, c(1_800_000)), (2, c(2_000_000))]),
            Proposal {
                amount: c(1_800_000),
                from_allocation: true
            }
        );
        assert_eq!(
            proposed_grant(c(2_500_000), &[]),
            Proposal {
                amount: c(2_500_000),
                from_allocation: false
            }
        );
        assert_eq!(
            proposed_grant(c(1_000_000), &[(1, c(2_000_000))]).amount,
            c(1_000_000),
            "never above the request"
        );
    }
}
