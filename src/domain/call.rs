//! The rules of one call (oproep), as data.
//!
//! Every threshold, rate and amount the engine uses comes from a [`CallRules`]; nothing is a
//! constant in code, so a later call (e.g. under the 2025-2029 plan) is configured, not
//! programmed. The serde field names are those of `seeds/calls/*.json`, so a call file can be
//! read with `serde_json::from_str::<CallRules>` (unknown fields are ignored).

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::money::Cents;
use super::types::{ActionCode, BasisPoints, NisCode, Ratio, Reach, ReferenceYear};

/// The rules of a call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallRules {
    /// Short code, e.g. `PS-2022-2024`.
    pub code: String,
    /// Title shown to people.
    pub title: String,
    /// The year of the population figures the call uses.
    pub reference_year: ReferenceYear,
    /// First day of the call period (inclusive).
    pub period_start: NaiveDate,
    /// Last day of the call period (inclusive).
    pub period_end: NaiveDate,
    /// A municipality may apply alone with strictly more than this many residents of non-EU15
    /// origin (7,500 in the plan).
    pub single_applicant_min_exclusive: u64,
    /// A cooperation may apply with at least this many residents of non-EU15 origin together
    /// (7,500 in the plan).
    pub pooled_min_inclusive: u64,
    /// Every member of a cooperation needs at least this share of non-EU15 residents for the
    /// incentive (15% in the plan).
    pub incentive_min_share_basis_points: BasisPoints,
    /// The incentive per project year for a cooperation that earns it (EUR 10,000 in the real
    /// call). Paid without co-financing.
    pub incentive_cents_per_project_year: Cents,
    /// The applicant's share of the total cost of an action (50% in the plan): the own
    /// contribution must be at least `grant × bp / (10000 − bp)`.
    pub cofinancing_basis_points: BasisPoints,
    /// The programme aim for coverage (two thirds in the plan). Optional in call files; the
    /// coverage rule reports "cannot decide" when it is missing.
    #[serde(default)]
    pub coverage_aim: Option<Ratio>,
    /// Municipalities that may apply alone by name (Antwerpen and Gent).
    #[serde(default)]
    pub named_single_applicants: Vec<NamedApplicant>,
    /// Partner organisations with a separate agreement (VGC, vzw De Rand): they apply outside
    /// the thresholds.
    #[serde(default)]
    pub partner_organisations: Vec<PartnerOrganisation>,
    /// The project years with their budget envelope.
    #[serde(default)]
    pub project_years: Vec<ProjectYear>,
    /// The eligible actions with their unit cost and maximum reach.
    #[serde(default)]
    pub actions: Vec<CallAction>,
    /// A demo call whose parameters were never published: its verdicts say so
    /// ([`super::verdict::Verdict::in_call`]).
    #[serde(default)]
    pub parameters_fictitious: bool,
}

/// A municipality that the call names as a single applicant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NamedApplicant {
    /// Its NIS code.
    pub nis_code: NisCode,
    /// Its name as the call writes it.
    pub name: String,
}

/// A partner organisation with a separate agreement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartnerOrganisation {
    /// Short code, e.g. `VGC`.
    pub code: String,
    /// Name shown to people.
    pub name: String,
}

/// One project year of the call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectYear {
    /// The project year's number: 1, 2, 3.
    pub year: u16,
    /// First day (inclusive).
    pub starts_on: NaiveDate,
    /// Last day (inclusive).
    pub ends_on: NaiveDate,
    /// The budget envelope of this project year.
    pub envelope_cents: Cents,
}

/// An eligible action of the call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallAction {
    /// The action's code in the plan, e.g. `2.10`.
    pub code: ActionCode,
    /// Its title.
    pub title: String,
    /// What one unit of reach is (e.g. "schoolproject").
    #[serde(default)]
    pub unit_label: Option<String>,
    /// The Flemish grant per unit of planned reach.
    pub unit_cost_cents: Cents,
    /// The largest planned reach the grant is computed on.
    pub max_reach: Reach,
    /// Unit costs that differ in some project years (key: project year number).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub unit_cost_cents_by_project_year: BTreeMap<u16, Cents>,
}

impl CallAction {
    /// The unit cost in a given project year.
    pub fn unit_cost_for(&self, project_year: u16) -> Cents {
        self.unit_cost_cents_by_project_year
            .get(&project_year)
            .copied()
            .unwrap_or(self.unit_cost_cents)
    }
}

/// Something wrong with a call's data, in Dutch for the ABB administrator who enters it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CallProblem {
    /// The period ends before it starts.
    #[error("De oproepperiode eindigt ({end}) voor ze begint ({start}).")]
    PeriodReversed {
        /// First day.
        start: NaiveDate,
        /// Last day.
        end: NaiveDate,
    },
    /// A co-financing rate of 100% leaves no room for a grant.
    #[error("Een cofinanciering van 100% laat geen subsidie toe; kies minder dan 100%.")]
    CofinancingFull,
    /// The pooled threshold is zero, so every municipality would qualify.
    #[error("De drempel voor een samenwerking moet groter zijn dan 0.")]
    PooledThresholdZero,
    /// Two project years have the same number.
    #[error("Projectjaar {0} komt twee keer voor.")]
    DuplicateProjectYear(u16),
    /// A project year lies (partly) outside the call period or ends before it starts.
    #[error("Projectjaar {0} ligt niet binnen de oproepperiode of eindigt voor het begint.")]
    ProjectYearOutsidePeriod(u16),
    /// Two project years overlap.
    #[error("Projectjaren {0} en {1} overlappen.")]
    ProjectYearsOverlap(u16, u16),
    /// Two actions have the same code.
    #[error("Actie {0} komt twee keer voor.")]
    DuplicateAction(ActionCode),
    /// An action has no unit cost or no maximum reach.
    #[error("Actie {0} heeft een eenheidskost en een maximaal bereik groter dan 0 nodig.")]
    ActionWithoutCost(ActionCode),
    /// A named applicant appears twice.
    #[error("De gemeente met NIS-code {0} staat twee keer bij de bij naam genoemde indieners.")]
    DuplicateNamedApplicant(NisCode),
    /// The coverage aim is above 100%.
    #[error("Het bereiksdoel kan niet meer dan 100% zijn.")]
    CoverageAimAboveFull,
}

impl CallRules {
    /// Checks the call's data for contradictions. Returns every problem found, not just the
    /// first, so an administrator can fix them in one go.
    pub fn validate(&self) -> Result<(), Vec<CallProblem>> {
        let mut problems = Vec::new();
        if self.period_end < self.period_start {
            problems.push(CallProblem::PeriodReversed {
                start: self.period_start,
                end: self.period_end,
            });
        }
        if self.cofinancing_basis_points == BasisPoints::FULL {
            problems.push(CallProblem::CofinancingFull);
        }
        if self.pooled_min_inclusive == 0 {
            problems.push(CallProblem::PooledThresholdZero);
        }
        if let Some(aim) = self.coverage_aim
            && aim.numerator() > aim.denominator()
        {
            problems.push(CallProblem::CoverageAimAboveFull);
        }
        let mut seen_years = BTreeSet::new();
        for year in &self.project_years {
            if !seen_years.insert(year.year) {
                problems.push(CallProblem::DuplicateProjectYear(year.year));
            }
            if year.ends_on < year.starts_on
                || year.starts_on < self.period_start
                || year.ends_on > self.period_end
            {
                problems.push(CallProblem::ProjectYearOutsidePeriod(year.year));
            }
        }
        for (index, a) in self.project_years.iter().enumerate() {
            for b in self.project_years.iter().skip(index + 1) {
                if a.year != b.year && a.starts_on <= b.ends_on && b.starts_on <= a.ends_on {
                    problems.push(CallProblem::ProjectYearsOverlap(a.year, b.year));
                }
            }
        }
        let mut seen_actions = BTreeSet::new();
        for action in &self.actions {
            if !seen_actions.insert(action.code) {
                problems.push(CallProblem::DuplicateAction(action.code));
            }
            let free_year = action
                .unit_cost_cents_by_project_year
                .values()
                .any(|c| *c == Cents::ZERO);
            if action.unit_cost_cents == Cents::ZERO || action.max_reach == Reach::ZERO || free_year
            {
                problems.push(CallProblem::ActionWithoutCost(action.code));
            }
        }
        let mut seen_named = BTreeSet::new();
        for named in &self.named_single_applicants {
            if !seen_named.insert(named.nis_code) {
                problems.push(CallProblem::DuplicateNamedApplicant(named.nis_code));
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems)
        }
    }

    /// The eligible action with this code, if any.
    pub fn action(&self, code: ActionCode) -> Option<&CallAction> {
        self.actions.iter().find(|a| a.code == code)
    }

    /// The project year with this number, if any.
    pub fn project_year(&self, year: u16) -> Option<&ProjectYear> {
        self.project_years.iter().find(|y| y.year == year)
    }

    /// The named single applicant with this NIS code, if any.
    pub fn named_applicant(&self, nis_code: NisCode) -> Option<&NamedApplicant> {
        self.named_single_applicants
            .iter()
            .find(|n| n.nis_code == nis_code)
    }

    /// The partner organisation with this code, if any.
    pub fn partner_organisation(&self, code: &str) -> Option<&PartnerOrganisation> {
        self.partner_organisations.iter().find(|p| p.code == code)
    }

    /// Is `date` inside the call period (both ends included)?
    pub fn contains_date(&self, date: NaiveDate) -> bool {
        self.period_start <= date && date <= self.period_end
    }

    /// The smallest own contribution that co-finances `grant`:
    /// `ceil(grant × bp / (10000 − bp))`. Rounded up, in the applicant's disfavour, so that the
    /// grant never exceeds the allowed share of the total cost by even a cent.
    /// `None` when the co-financing rate is 100% or on overflow.
    pub fn required_own_contribution(&self, grant: Cents) -> Option<Cents> {
        let bp = i128::from(self.cofinancing_basis_points.get());
        let rest = 10_000 - bp;
        if rest <= 0 {
            return None;
        }
        let numerator = i128::from(grant.get()) * bp;
        let required = (numerator + rest - 1) / rest;
        i64::try_from(required).ok().and_then(Cents::new)
    }

    /// Does `own` co-finance `grant`? Exact: `own × (10000 − bp) ≥ grant × bp`, i.e. the grant
    /// is at most `(10000 − bp)` basis points of `grant + own`. `None` when the co-financing
    /// rate is 100%.
    pub fn own_contribution_suffices(&self, grant: Cents, own: Cents) -> Option<bool> {
        let bp = i128::from(self.cofinancing_basis_points.get());
        let rest = 10_000 - bp;
        (rest > 0).then(|| i128::from(own.get()) * rest >= i128::from(grant.get()) * bp)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn cents(c: i64) -> Cents {
        Cents::new(c).unwrap()
    }

    /// A call like the real 2022-2024 one, for unit tests across the domain module.
    pub(crate) fn sample_call() -> CallRules {
        let bp = |v| BasisPoints::new(v).unwrap();
        let action = |code: &str, unit: i64, max: u32| CallAction {
            code: ActionCode::parse(code).unwrap(),
            title: format!("Actie {code}"),
            unit_label: None,
            unit_cost_cents: cents(unit),
            max_reach: Reach::new(max),
            unit_cost_cents_by_project_year: BTreeMap::new(),
        };
        CallRules {
            code: "PS-TEST".to_owned(),
            title: "Provisie Samenleven (test)".to_owned(),
            reference_year: ReferenceYear::new(2020).unwrap(),
            period_start: date(2022, 10, 1),
            period_end: date(2025, 9, 30),
            single_applicant_min_exclusive: 7_500,
            pooled_min_inclusive: 7_500,
            incentive_min_share_basis_points: bp(1_500),
            incentive_cents_per_project_year: cents(1_000_000),
            cofinancing_basis_points: bp(5_000),
            coverage_aim: Ratio::new(2, 3),
            named_single_applicants: vec![
                NamedApplicant {
                    nis_code: NisCode::new(11_002).unwrap(),
                    name: "Antwerpen".to_owned(),
                },
                NamedApplicant {
                    nis_code: NisCode::new(44_021).unwrap(),
                    name: "Gent".to_owned(),
                },
            ],
            partner_organisations: vec![PartnerOrganisation {
                code: "VGC".to_owned(),
                name: "Vlaamse Gemeenschapscommissie (VGC)".to_owned(),
            }],
            project_years: vec![
                ProjectYear {
                    year: 1,
                    starts_on: date(2022, 10, 1),
                    ends_on: date(2023, 9, 30),
                    envelope_cents: cents(1_000_000_000),
                },
                ProjectYear {
                    year: 2,
                    starts_on: date(2023, 10, 1),
                    ends_on: date(2024, 9, 30),
                    envelope_cents: cents(1_600_000_000),
                },
            ],
            actions: vec![
                action("1.4", 1_250_000, 4),
                action("2.1", 2_500_000, 3),
                action("2.2", 1_250_000, 4),
                action("3.2", 2_500_000, 4),
            ],
            parameters_fictitious: false,
        }
    }

    #[test]
    fn the_sample_call_is_valid() {
        assert_eq!(sample_call().validate(), Ok(()));
    }

    #[test]
    fn contradictions_in_a_call_are_all_reported() {
        let mut call = sample_call();
        call.period_end = date(2022, 1, 1);
        call.cofinancing_basis_points = BasisPoints::FULL;
        call.pooled_min_inclusive = 0;
        call.actions.push(call.actions[0].clone());
        call.project_years[1].starts_on = date(2023, 9, 1);
        let problems = call.validate().unwrap_err();
        assert!(problems.contains(&CallProblem::CofinancingFull));
        assert!(problems.contains(&CallProblem::PooledThresholdZero));
        assert!(problems.contains(&CallProblem::ProjectYearsOverlap(1, 2)));
        assert!(problems.contains(&CallProblem::ProjectYearOutsidePeriod(1)));
        assert!(
            problems
                .iter()
                .any(|p| matches!(p, CallProblem::DuplicateAction(_)))
        );
        assert!(
            problems
                .iter()
                .any(|p| matches!(p, CallProblem::PeriodReversed { .. }))
        );
    }

    #[test]
    fn the_own_contribution_is_rounded_up_against_the_applicant() {
        let mut call = sample_call();
        // 50%: own contribution equals the grant.
        let table_50 = [(0, 0), (1, 1), (1_250_000, 1_250_000), (333, 333)];
        for (grant, own) in table_50 {
            assert_eq!(
                call.required_own_contribution(cents(grant)),
                Some(cents(own))
            );
        }
        // 40% co-financing: own ≥ grant × 4000 / 6000 = grant × 2/3, rounded up.
        call.cofinancing_basis_points = BasisPoints::new(4_000).unwrap();
        let table_40 = [(3, 2), (1, 1), (100, 67), (300, 200), (301, 201)];
        for (grant, own) in table_40 {
            assert_eq!(
                call.required_own_contribution(cents(grant)),
                Some(cents(own)),
                "{grant}"
            );
            assert_eq!(
                call.own_contribution_suffices(cents(grant), cents(own)),
                Some(true)
            );
            if own > 0 {
                assert_eq!(
                    call.own_contribution_suffices(cents(grant), cents(own - 1)),
                    Some(false)
                );
            }
        }
        call.cofinancing_basis_points = BasisPoints::FULL;
        assert_eq!(call.required_own_contribution(cents(1)), None);
        assert_eq!(call.own_contribution_suffices(cents(1), cents(1)), None);
    }

    #[test]
    fn unit_costs_may_change_per_project_year() {
        let mut call = sample_call();
        let code = call.actions[0].code;
        call.actions[0]
            .unit_cost_cents_by_project_year
            .insert(2, cents(2_500_000));
        let action = call.action(code);
        assert_eq!(action.map(|a| a.unit_cost_for(1)), Some(cents(1_250_000)));
        assert_eq!(action.map(|a| a.unit_cost_for(2)), Some(cents(2_500_000)));
    }
}
