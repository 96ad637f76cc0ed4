//! Explained results: every rule the engine applies answers with a [`RuleResult`] that names
//! the rule (a stable id), its outcome, the numbers it used, a Dutch sentence for a municipal
//! official and, for application checks, the field of the form it points at.

use std::fmt;

use chrono::NaiveDate;
use serde::Serialize;

use super::money::Cents;
use super::types::{ActionCode, BasisPoints, NisCode, Reach, ReferenceYear};

/// The stable id of a rule. The string form (`single.threshold`) never changes once
/// published: the UI, the API and stored review notes refer to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum RuleId {
    /// `single.named`: the call names the municipality (Antwerpen, Gent) as single applicant.
    #[serde(rename = "single.named")]
    SingleNamed,
    /// `single.threshold`: strictly more than the single threshold of non-EU15 residents.
    #[serde(rename = "single.threshold")]
    SingleThreshold,
    /// `call.one_application`: a municipality is in at most one application per call.
    #[serde(rename = "call.one_application")]
    OneApplication,
    /// `pooled.members`: a cooperation has at least two distinct, known members.
    #[serde(rename = "pooled.members")]
    PooledMembers,
    /// `pooled.lead`: the lead is one of the members.
    #[serde(rename = "pooled.lead")]
    PooledLead,
    /// `pooled.same_region`: all members lie in one reference region.
    #[serde(rename = "pooled.same_region")]
    PooledSameRegion,
    /// `pooled.threshold`: the members together reach at least the pooled threshold.
    #[serde(rename = "pooled.threshold")]
    PooledThreshold,
    /// `incentive.anchor`: a member has more than the single threshold.
    #[serde(rename = "incentive.anchor")]
    IncentiveAnchor,
    /// `incentive.share`: every member has at least the minimum share of non-EU15 residents.
    #[serde(rename = "incentive.share")]
    IncentiveShare,
    /// `partner.agreement`: a partner organisation with a separate agreement.
    #[serde(rename = "partner.agreement")]
    PartnerAgreement,
    /// `application.applicant`: the applicant is known (NIS codes exist).
    #[serde(rename = "application.applicant")]
    ApplicationApplicant,
    /// `application.project_years`: the project years exist and lie inside the call.
    #[serde(rename = "application.project_years")]
    ApplicationProjectYears,
    /// `application.actions`: at least one action is chosen, none twice.
    #[serde(rename = "application.actions")]
    ApplicationActions,
    /// `application.action.eligible`: the action is one of the call's actions.
    #[serde(rename = "application.action.eligible")]
    ActionEligible,
    /// `application.priority`: priority ranks are unique and contiguous, 1..n.
    #[serde(rename = "application.priority")]
    ApplicationPriority,
    /// `application.reach`: planned reach above zero and at most the action's maximum.
    #[serde(rename = "application.reach")]
    ActionReach,
    /// `application.grant`: the grant is planned reach × unit cost.
    #[serde(rename = "application.grant")]
    ActionGrant,
    /// `application.cofinancing.action`: the own contribution co-finances the action's grant.
    #[serde(rename = "application.cofinancing.action")]
    ActionCofinancing,
    /// `application.cofinancing.total`: the own contributions co-finance the total grant.
    #[serde(rename = "application.cofinancing.total")]
    TotalCofinancing,
    /// `application.kpi.present`: every action has at least one KPI.
    #[serde(rename = "application.kpi.present")]
    KpiPresent,
    /// `application.kpi.complete`: a KPI has an indicator, a unit and a measurement method.
    #[serde(rename = "application.kpi.complete")]
    KpiComplete,
    /// `application.kpi.target`: a KPI has a numeric target above its baseline.
    #[serde(rename = "application.kpi.target")]
    KpiTarget,
    /// `application.kpi.date`: a KPI's target date lies inside the call period.
    #[serde(rename = "application.kpi.date")]
    KpiDate,
    /// `application.incentive`: the incentive, computed from the members' figures.
    #[serde(rename = "application.incentive")]
    ApplicationIncentive,
    /// `application.total`: the total grant of the application.
    #[serde(rename = "application.total")]
    ApplicationTotal,
    /// `programme.coverage`: share of the region's non-EU15 residents covered.
    #[serde(rename = "programme.coverage")]
    ProgrammeCoverage,
}

impl RuleId {
    /// Every rule id, for documentation and tests.
    pub const ALL: [RuleId; 26] = [
        RuleId::SingleNamed,
        RuleId::SingleThreshold,
        RuleId::OneApplication,
        RuleId::PooledMembers,
        RuleId::PooledLead,
        RuleId::PooledSameRegion,
        RuleId::PooledThreshold,
        RuleId::IncentiveAnchor,
        RuleId::IncentiveShare,
        RuleId::PartnerAgreement,
        RuleId::ApplicationApplicant,
        RuleId::ApplicationProjectYears,
        RuleId::ApplicationActions,
        RuleId::ActionEligible,
        RuleId::ApplicationPriority,
        RuleId::ActionReach,
        RuleId::ActionGrant,
        RuleId::ActionCofinancing,
        RuleId::TotalCofinancing,
        RuleId::KpiPresent,
        RuleId::KpiComplete,
        RuleId::KpiTarget,
        RuleId::KpiDate,
        RuleId::ApplicationIncentive,
        RuleId::ApplicationTotal,
        RuleId::ProgrammeCoverage,
    ];

    /// The stable string id.
    pub fn as_str(self) -> &'static str {
        match self {
            RuleId::SingleNamed => "single.named",
            RuleId::SingleThreshold => "single.threshold",
            RuleId::OneApplication => "call.one_application",
            RuleId::PooledMembers => "pooled.members",
            RuleId::PooledLead => "pooled.lead",
            RuleId::PooledSameRegion => "pooled.same_region",
            RuleId::PooledThreshold => "pooled.threshold",
            RuleId::IncentiveAnchor => "incentive.anchor",
            RuleId::IncentiveShare => "incentive.share",
            RuleId::PartnerAgreement => "partner.agreement",
            RuleId::ApplicationApplicant => "application.applicant",
            RuleId::ApplicationProjectYears => "application.project_years",
            RuleId::ApplicationActions => "application.actions",
            RuleId::ActionEligible => "application.action.eligible",
            RuleId::ApplicationPriority => "application.priority",
            RuleId::ActionReach => "application.reach",
            RuleId::ActionGrant => "application.grant",
            RuleId::ActionCofinancing => "application.cofinancing.action",
            RuleId::TotalCofinancing => "application.cofinancing.total",
            RuleId::KpiPresent => "application.kpi.present",
            RuleId::KpiComplete => "application.kpi.complete",
            RuleId::KpiTarget => "application.kpi.target",
            RuleId::KpiDate => "application.kpi.date",
            RuleId::ApplicationIncentive => "application.incentive",
            RuleId::ApplicationTotal => "application.total",
            RuleId::ProgrammeCoverage => "programme.coverage",
        }
    }

    /// Does a "cannot decide" on this rule block the decision? The incentive rules and the
    /// programme indicator do not: without them a cooperation is still eligible, only without
    /// incentive.
    pub fn decides_eligibility(self) -> bool {
        !matches!(
            self,
            RuleId::IncentiveAnchor
                | RuleId::IncentiveShare
                | RuleId::ApplicationIncentive
                | RuleId::ProgrammeCoverage
        )
    }
}

impl fmt::Display for RuleId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How a rule came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// The rule is met.
    Pass,
    /// The rule is not met; this blocks.
    Fail,
    /// Worth attention but does not block (e.g. no incentive).
    Warning,
    /// A figure is missing: the engine refuses to guess.
    CannotDecide,
}

impl Outcome {
    /// The outcome in Dutch, as pages and the API show it.
    pub fn label(self) -> &'static str {
        match self {
            Outcome::Pass => "voldaan",
            Outcome::Fail => "niet voldaan",
            Outcome::Warning => "let op",
            Outcome::CannotDecide => "kan niet beslissen",
        }
    }
}

/// How a threshold compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Comparison {
    /// Strictly more than the threshold.
    MoreThan,
    /// The threshold or more.
    AtLeast,
}

/// Which amount an [`Fact::Amount`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AmountLabel {
    /// Flemish grant per unit of reach.
    UnitCost,
    /// Flemish grant (computed).
    Grant,
    /// Own contribution given by the applicant.
    OwnContribution,
    /// Smallest own contribution that co-finances the grant.
    RequiredOwnContribution,
    /// Cooperation incentive.
    Incentive,
    /// Total grant including the incentive.
    TotalGrant,
}

/// Which reach a [`Fact::Reach`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReachLabel {
    /// Current reach (nulmeting).
    Baseline,
    /// Planned reach (streefwaarde).
    Planned,
    /// The action's maximum in the call.
    Maximum,
    /// The reach the grant is computed on (planned, capped at the maximum).
    Granted,
}

/// Which figure is missing in a [`Fact::MissingFigure`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FigureKind {
    /// Residents of non-EU15 origin.
    NonEu15,
    /// Total residents.
    Residents,
}

/// A number a rule used, with its provenance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Fact {
    /// Residents of non-EU15 origin of one municipality.
    NonEu15 {
        /// Municipality.
        nis_code: NisCode,
        /// Its name.
        name: String,
        /// Count.
        value: u64,
        /// Reference year.
        year: ReferenceYear,
        /// Source of the figure.
        source: String,
        /// Fictitious demo figure.
        fictitious: bool,
    },
    /// Total residents of one municipality.
    Residents {
        /// Municipality.
        nis_code: NisCode,
        /// Its name.
        name: String,
        /// Count.
        value: u64,
        /// Reference year.
        year: ReferenceYear,
        /// Source of the figure.
        source: String,
        /// Fictitious demo figure.
        fictitious: bool,
    },
    /// The share of non-EU15 residents of one municipality.
    Share {
        /// Municipality.
        nis_code: NisCode,
        /// Its name.
        name: String,
        /// Residents of non-EU15 origin.
        non_eu15: u64,
        /// All residents.
        residents: u64,
        /// The share in basis points, rounded down (for display; comparisons are exact).
        basis_points: u64,
    },
    /// A figure that is missing for the reference year.
    MissingFigure {
        /// Municipality.
        nis_code: NisCode,
        /// Its name.
        name: String,
        /// Which figure.
        figure: FigureKind,
        /// The year asked for.
        year: ReferenceYear,
        /// A year for which a figure does exist, if any.
        available_year: Option<ReferenceYear>,
    },
    /// A merged municipality's figure, made of its former municipalities' figures (a reference
    /// year before the merger): the sum when every one of them has a figure, else none.
    MergedFigure {
        /// The merged municipality.
        nis_code: NisCode,
        /// Its name.
        name: String,
        /// Which figure.
        figure: FigureKind,
        /// The merged municipality's first day.
        merged_on: NaiveDate,
        /// The reference year.
        year: ReferenceYear,
        /// The former municipalities with their figure of the year, if they have one.
        former: Vec<FormerFigure>,
        /// The sum, when every former municipality has a figure.
        total: Option<u64>,
    },
    /// Residents of non-EU15 origin of a cooperation together.
    TotalNonEu15 {
        /// Sum over the members.
        value: u64,
    },
    /// A threshold from the call.
    Threshold {
        /// The threshold.
        value: u64,
        /// How it compares.
        comparison: Comparison,
    },
    /// The minimum share for the incentive.
    MinimumShare {
        /// In basis points.
        basis_points: BasisPoints,
    },
    /// The call's reference year.
    ReferenceYear {
        /// Year.
        year: ReferenceYear,
    },
    /// An amount of money.
    Amount {
        /// Which amount.
        label: AmountLabel,
        /// In cents.
        cents: Cents,
    },
    /// A reach.
    Reach {
        /// Which reach.
        label: ReachLabel,
        /// Number.
        value: Reach,
    },
    /// A priority rank.
    Rank {
        /// Rank (1 is most important).
        value: u32,
    },
    /// A date.
    Date {
        /// The date.
        date: NaiveDate,
    },
    /// The call period.
    Period {
        /// First day.
        start: NaiveDate,
        /// Last day.
        end: NaiveDate,
    },
    /// A share of a whole, e.g. programme coverage.
    Coverage {
        /// Covered count.
        covered: u64,
        /// Whole.
        total: u64,
        /// Aim numerator.
        aim_numerator: u64,
        /// Aim denominator.
        aim_denominator: u64,
        /// Covered share in basis points, rounded down.
        basis_points: u64,
    },
}

/// A former municipality's figure in a [`Fact::MergedFigure`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FormerFigure {
    /// The former municipality.
    pub nis_code: NisCode,
    /// Its name.
    pub name: String,
    /// Its figure of the reference year, if it has one.
    pub value: Option<u64>,
    /// That figure is a fictitious demo figure.
    pub fictitious: bool,
}

/// A section of the application form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Section {
    /// Who applies: single municipality, cooperation, partner.
    Applicant,
    /// Which project years.
    ProjectYears,
    /// The chosen actions, their priority and reach.
    Actions,
    /// Money: grant and own contribution.
    Budget,
    /// The KPIs of each action.
    Kpis,
}

/// A field of the application form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    /// The lead municipality / single applicant.
    Lead,
    /// The members of a cooperation.
    Members,
    /// The partner organisation.
    Partner,
    /// The project years.
    ProjectYears,
    /// An action's code.
    ActionCode,
    /// An action's priority rank.
    Priority,
    /// An action's baseline reach.
    BaselineReach,
    /// An action's planned reach.
    PlannedReach,
    /// An action's own contribution.
    OwnContribution,
    /// A KPI's indicator.
    KpiIndicator,
    /// A KPI's unit.
    KpiUnit,
    /// A KPI's baseline.
    KpiBaseline,
    /// A KPI's target.
    KpiTarget,
    /// A KPI's target date.
    KpiTargetDate,
    /// How a KPI is measured.
    KpiMeasurement,
}

impl Field {
    /// The field's name in snake case, as in forms.
    pub fn as_str(self) -> &'static str {
        match self {
            Field::Lead => "lead",
            Field::Members => "members",
            Field::Partner => "partner",
            Field::ProjectYears => "project_years",
            Field::ActionCode => "action_code",
            Field::Priority => "priority",
            Field::BaselineReach => "baseline_reach",
            Field::PlannedReach => "planned_reach",
            Field::OwnContribution => "own_contribution",
            Field::KpiIndicator => "kpi_indicator",
            Field::KpiUnit => "kpi_unit",
            Field::KpiBaseline => "kpi_baseline",
            Field::KpiTarget => "kpi_target",
            Field::KpiTargetDate => "kpi_target_date",
            Field::KpiMeasurement => "kpi_measurement",
        }
    }
}

/// Where on the application form a result points, so the UI shows it where it is fixed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct FieldRef {
    /// The section (page) of the form.
    pub section: Section,
    /// The action concerned, if any.
    pub action: Option<ActionCode>,
    /// The KPI concerned (0-based index within the action), if any.
    pub kpi: Option<usize>,
    /// The field, if one field is concerned.
    pub field: Option<Field>,
}

impl FieldRef {
    /// A whole section.
    pub fn section(section: Section) -> Self {
        Self {
            section,
            action: None,
            kpi: None,
            field: None,
        }
    }

    /// One field of a section.
    pub fn field(section: Section, field: Field) -> Self {
        Self {
            section,
            action: None,
            kpi: None,
            field: Some(field),
        }
    }

    /// One field of one action.
    pub fn action(section: Section, action: ActionCode, field: Option<Field>) -> Self {
        Self {
            section,
            action: Some(action),
            kpi: None,
            field,
        }
    }

    /// One field of one KPI of one action.
    pub fn kpi(action: ActionCode, kpi: usize, field: Option<Field>) -> Self {
        Self {
            section: Section::Kpis,
            action: Some(action),
            kpi: Some(kpi),
            field,
        }
    }

    /// An HTML id for the field, e.g. `action-2-10-kpi-0-kpi_target`.
    pub fn anchor(&self) -> String {
        let mut parts = Vec::with_capacity(4);
        match self.action {
            Some(code) => parts.push(format!("action-{}", code.to_string().replace('.', "-"))),
            None => parts.push(
                match self.section {
                    Section::Applicant => "applicant",
                    Section::ProjectYears => "project-years",
                    Section::Actions => "actions",
                    Section::Budget => "budget",
                    Section::Kpis => "kpis",
                }
                .to_owned(),
            ),
        }
        if let Some(kpi) = self.kpi {
            parts.push(format!("kpi-{kpi}"));
        }
        if let Some(field) = self.field {
            parts.push(field.as_str().to_owned());
        }
        parts.join("-")
    }
}

/// The result of applying one rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RuleResult {
    /// Which rule.
    pub rule: RuleId,
    /// How it came out.
    pub outcome: Outcome,
    /// Whether this result blocks (a failure, or a "cannot decide" on a rule that decides
    /// eligibility).
    pub blocking: bool,
    /// Dutch sentence for a municipal official.
    pub message: String,
    /// The numbers used.
    pub facts: Vec<Fact>,
    /// Where on the application form it points, if anywhere.
    pub field: Option<FieldRef>,
    /// A fictitious demo figure was used.
    pub fictitious: bool,
}

impl RuleResult {
    /// A result without facts; `blocking` follows from rule and outcome.
    pub fn new(rule: RuleId, outcome: Outcome, message: impl Into<String>) -> Self {
        let blocking = match outcome {
            Outcome::Fail => true,
            Outcome::CannotDecide => rule.decides_eligibility(),
            Outcome::Pass | Outcome::Warning => false,
        };
        Self {
            rule,
            outcome,
            blocking,
            message: message.into(),
            facts: Vec::new(),
            field: None,
            fictitious: false,
        }
    }

    /// Adds facts; a fictitious figure among them marks the result fictitious.
    pub fn with_facts(mut self, facts: Vec<Fact>) -> Self {
        self.fictitious |= facts.iter().any(|f| {
            matches!(
                f,
                Fact::NonEu15 {
                    fictitious: true,
                    ..
                } | Fact::Residents {
                    fictitious: true,
                    ..
                }
            )
        });
        self.facts.extend(facts);
        self
    }

    /// Points the result at a place on the form.
    pub fn at(mut self, field: FieldRef) -> Self {
        self.field = Some(field);
        self
    }
}

/// What a verdict decides.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "decision", rename_all = "snake_case")]
pub enum Decision {
    /// May apply alone.
    EligibleAlone,
    /// The cooperation may apply; with or without incentive.
    EligibleAsCooperation {
        /// Whether it earns the incentive.
        incentive: IncentiveStatus,
    },
    /// A partner organisation under its separate agreement.
    EligibleAsPartner,
    /// May not apply alone, but may join a cooperation of its reference region.
    OnlyInCooperation,
    /// May not apply (e.g. already in another application, or the cooperation fails a rule).
    NotEligible,
    /// A figure is missing.
    CannotDecide,
}

impl Decision {
    /// The decision in Dutch, as pages and the API show it.
    pub fn label(self) -> &'static str {
        match self {
            Decision::EligibleAlone => "kan zelfstandig indienen",
            Decision::EligibleAsCooperation { .. } => "kan indienen als samenwerking",
            Decision::EligibleAsPartner => "kan indienen onder aparte overeenkomst",
            Decision::OnlyInCooperation => "enkel in samenwerking",
            Decision::NotEligible => "kan niet indienen",
            Decision::CannotDecide => "nog niet te beslissen",
        }
    }
}

/// Whether a cooperation earns the incentive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum IncentiveStatus {
    /// Earned.
    Earned,
    /// Not earned.
    NotEarned,
    /// Figures are missing.
    Unknown,
}

/// An explained decision: the rule results and what they decide.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verdict {
    /// What is decided.
    pub decision: Decision,
    /// One Dutch sentence summing up.
    pub summary: String,
    /// Every rule applied, in a stable order.
    pub results: Vec<RuleResult>,
    /// A fictitious demo figure was used somewhere.
    pub fictitious: bool,
    /// The verdict is given under a fictitious demo call (its summary says so, once).
    pub call_fictitious: bool,
}

/// What the summary of a verdict under a fictitious demo call adds, once.
pub const FICTITIOUS_CALL: &str = "Dit oordeel geldt voor een fictieve demo-oproep: die oproep bestaat niet en haar parameters zijn verzonnen.";

impl Verdict {
    /// Builds a verdict; `fictitious` follows from the results.
    pub fn new(decision: Decision, summary: String, results: Vec<RuleResult>) -> Self {
        let fictitious = results.iter().any(|r| r.fictitious);
        Self {
            decision,
            summary,
            results,
            fictitious,
            call_fictitious: false,
        }
    }

    /// The verdict as given under `call`: under a fictitious demo call
    /// (`parameters_fictitious`) its summary ends with [`FICTITIOUS_CALL`], once; the rule
    /// results do not repeat it.
    pub fn in_call(mut self, call: &super::call::CallRules) -> Self {
        if call.parameters_fictitious && !self.call_fictitious {
            self.call_fictitious = true;
            self.summary.push(' ');
            self.summary.push_str(FICTITIOUS_CALL);
        }
        self
    }

    /// May the subject apply (alone, as cooperation or as partner)?
    pub fn is_eligible(&self) -> bool {
        matches!(
            self.decision,
            Decision::EligibleAlone
                | Decision::EligibleAsCooperation { .. }
                | Decision::EligibleAsPartner
        )
    }

    /// The result of one rule (the first, if it was applied more than once).
    pub fn result(&self, rule: RuleId) -> Option<&RuleResult> {
        self.results.iter().find(|r| r.rule == rule)
    }

    /// The blocking results.
    pub fn blocking(&self) -> impl Iterator<Item = &RuleResult> {
        self.results.iter().filter(|r| r.blocking)
    }

    /// The warnings.
    pub fn warnings(&self) -> impl Iterator<Item = &RuleResult> {
        self.results
            .iter()
            .filter(|r| r.outcome == Outcome::Warning)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_ids_are_unique_and_serialise_to_their_stable_string() {
        let mut seen = std::collections::BTreeSet::new();
        for rule in RuleId::ALL {
            assert!(seen.insert(rule.as_str()), "duplicate {rule}");
            assert_eq!(
                serde_json::to_value(rule).ok(),
                Some(serde_json::Value::String(rule.as_str().to_owned()))
            );
        }
    }

    #[test]
    fn only_failures_and_undecided_eligibility_rules_block() {
        let table = [
            (RuleId::SingleThreshold, Outcome::Pass, false),
            (RuleId::SingleThreshold, Outcome::Fail, true),
            (RuleId::SingleThreshold, Outcome::Warning, false),
            (RuleId::SingleThreshold, Outcome::CannotDecide, true),
            (RuleId::IncentiveShare, Outcome::CannotDecide, false),
            (RuleId::IncentiveShare, Outcome::Warning, false),
        ];
        for (rule, outcome, blocking) in table {
            assert_eq!(
                RuleResult::new(rule, outcome, "x").blocking,
                blocking,
                "{rule} {outcome:?}"
            );
        }
    }

    #[test]
    fn field_anchors_name_action_kpi_and_field() {
        let code = ActionCode::new(2, 10);
        assert_eq!(
            FieldRef::kpi(code, 0, Some(Field::KpiTarget)).anchor(),
            "action-2-10-kpi-0-kpi_target"
        );
        assert_eq!(
            FieldRef::field(Section::Applicant, Field::Members).anchor(),
            "applicant-members"
        );
        assert_eq!(FieldRef::section(Section::Budget).anchor(), "budget");
    }
}
