//! The JSON shapes of the API, with their OpenAPI schemas. Requests refuse unknown fields.
//! Money is in euro cents (`*_cents`), shares in basis points (`*_bp`), KPI values as numbers
//! (up to three decimals).

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::domain::{Decision, Outcome, RuleResult, Verdict};

// ------------------------------------------------------------------ who am I

/// The user the token acts for.
#[derive(Debug, Serialize, ToSchema)]
pub struct Me {
    pub id: i64,
    pub name: String,
    pub email: String,
    /// `official`, `reviewer` or `admin`.
    pub role: String,
    /// The municipality or partner organisation an official acts for.
    pub organisation: Option<String>,
    /// The NIS code of the official's municipality.
    pub municipality_nis_code: Option<i32>,
}

// ------------------------------------------------------------------ calls

/// A date that may be illustrative: not from an official source, until ABB confirms it.
#[derive(Debug, Serialize, ToSchema)]
pub struct DateOut {
    pub date: chrono::NaiveDate,
    /// Derived or assumed, not published (pages say "illustratief: nog door ABB te bevestigen").
    pub illustrative: bool,
}

/// A moment that may be illustrative.
#[derive(Debug, Serialize, ToSchema)]
pub struct MomentOut {
    pub at: chrono::DateTime<chrono::Utc>,
    /// Assumed, not published.
    pub illustrative: bool,
}

/// A rule of the platform in words, and whether a source gives it.
#[derive(Debug, Serialize, ToSchema)]
pub struct RuleTextOut {
    /// The rule in Dutch.
    pub text: String,
    /// No source gives the rule: the platform made it up until ABB confirms it.
    pub illustrative: bool,
}

/// One project year of a call.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProjectYearOut {
    pub year: i32,
    pub starts_on: chrono::NaiveDate,
    pub ends_on: chrono::NaiveDate,
    pub envelope_cents: i64,
    /// When the interim report (after six months) is due, for a dossier approved in time.
    pub interim_report_due: DateOut,
    /// When the year report is due, for a dossier approved in time.
    pub year_report_due: DateOut,
    /// The round's own submission window (yearly rounds): a new dossier in this round applies
    /// from this project year on. `null` for a later project year without a round of its own;
    /// the first project year's round is the call's own window.
    pub round: Option<RoundOut>,
}

/// A round's submission window.
#[derive(Debug, Serialize, ToSchema)]
pub struct RoundOut {
    pub submission_opens_at: chrono::DateTime<chrono::Utc>,
    pub submission_closes_at: chrono::DateTime<chrono::Utc>,
    /// The round takes submissions now.
    pub open_for_submission: bool,
}

/// An amount per unit that applies from a project year on (yearly rounds).
#[derive(Debug, Serialize, ToSchema)]
pub struct UnitAmountOut {
    pub from_project_year: i64,
    pub unit_cost_cents: i64,
}

/// A call (oproep).
#[derive(Debug, Serialize, ToSchema)]
pub struct CallSummaryOut {
    pub id: i64,
    pub code: String,
    pub title: String,
    /// `draft`, `open` or `closed`.
    pub state: String,
    /// A round of the call is open now (and the call is open): dossiers may be started and
    /// submitted.
    pub open_for_submission: bool,
    pub reference_year: i32,
    pub period_start: chrono::NaiveDate,
    pub period_end: chrono::NaiveDate,
    pub submission_opens_at: chrono::DateTime<chrono::Utc>,
    /// `submission_opens_at` with whether it is illustrative.
    pub submission_opens: MomentOut,
    pub submission_closes_at: chrono::DateTime<chrono::Utc>,
    /// A demo call whose parameters were never published: nothing of it is real.
    pub fictitious: bool,
    pub total_envelope_cents: i64,
    pub project_years: Vec<ProjectYearOut>,
    pub action_count: i64,
}

/// The call's thresholds and rates, as the rules engine applies them.
#[derive(Debug, Serialize, ToSchema)]
pub struct CallRulesOut {
    /// A municipality applies alone with strictly more residents of non-EU15 origin than this.
    pub single_applicant_min_exclusive: i64,
    /// A cooperation applies with at least this many residents of non-EU15 origin together.
    pub pooled_min_inclusive: i64,
    pub incentive_min_share_bp: i64,
    pub incentive_cents_per_project_year: i64,
    pub cofinancing_bp: i64,
    /// How a priority rank that does not fit in the envelope is shared.
    pub rank_sharing: RuleTextOut,
    /// How much is reclaimed when a KPI is missed without an accepted motivation.
    pub reclaim_formula: RuleTextOut,
    /// How the report deadlines of a dossier approved late move.
    pub late_approval_deadlines: RuleTextOut,
}

/// A reach line of a call: an eligible action, or one of its lines when it has several.
#[derive(Debug, Serialize, ToSchema)]
pub struct CallActionOut {
    pub call_action_id: i64,
    /// The action's code in the plan, e.g. `2.9`, or the line's code, e.g. `3.2b`.
    pub code: String,
    /// The plan's action the line belongs to, e.g. `3.2`.
    pub action_code: String,
    pub title: String,
    pub objectives: String,
    pub policy_domains: String,
    /// One unit of reach ("pleinmaker").
    pub unit_label: String,
    /// The target group in the plural ("pleinmakers").
    pub unit_label_plural: String,
    /// The Flemish contribution per unit of planned additional reach.
    pub unit_cost_cents: i64,
    /// Amounts per unit that apply from a later project year on (yearly rounds); each year
    /// takes the amount of the latest change up to it, earlier years keep theirs.
    pub unit_amounts: Vec<UnitAmountOut>,
    /// The largest planned additional reach.
    pub max_reach: i64,
    /// The line's row in ABB's own application form, when the line comes from it.
    pub source_row: Option<i64>,
    /// The theme and objective the form shows above the line.
    pub theme: Option<String>,
    pub objective: Option<String>,
    /// Whether the amount per unit and the maximum are not real: the call is a demo with
    /// fictitious parameters.
    pub illustrative: bool,
}

/// A call with its rules and eligible actions.
#[derive(Debug, Serialize, ToSchema)]
pub struct CallDetailOut {
    #[serde(flatten)]
    pub call: CallSummaryOut,
    pub rules: CallRulesOut,
    pub actions: Vec<CallActionOut>,
    /// The partner organisations' separate agreements the call's data attaches: their amount
    /// per project year is reserved off the envelope before the allocation by priority. Empty
    /// when the call has none (a partner's dossier then takes part by priority).
    pub partner_agreements: Vec<PartnerAgreementOut>,
}

/// A partner organisation's separate agreement in a call.
#[derive(Debug, Serialize, ToSchema)]
pub struct PartnerAgreementOut {
    /// `VGC`, `DE_RAND`.
    pub partner_code: String,
    pub partner_name: String,
    pub amount_cents_per_project_year: i64,
    /// Where the amount comes from.
    pub source: String,
    /// The amount is not from a published source.
    pub illustrative: bool,
}

// ------------------------------------------------------------------ municipalities

/// One population figure with where it comes from.
#[derive(Debug, Serialize, ToSchema)]
pub struct FigureOut {
    pub value: i64,
    pub reference_year: i32,
    pub source: String,
    /// A demo figure, not a real one: never use it for a real decision.
    pub fictitious: bool,
}

/// A municipality on a call's map, with its figures for the call's reference year.
#[derive(Debug, Serialize, ToSchema)]
pub struct MunicipalityOut {
    pub nis_code: i32,
    pub name: String,
    pub region_code: String,
    pub region_name: String,
    pub residents: Option<FigureOut>,
    pub non_eu15_residents: Option<FigureOut>,
    /// Residents of non-EU15 origin as a share of all residents, in basis points.
    pub non_eu15_share_bp: Option<i64>,
    /// Any of the figures is fictitious.
    pub fictitious: bool,
    /// Formed by a merger after the call's reference year: the figures above are the sums over
    /// these former municipalities, and missing when one of them lacks a figure.
    pub merger: Option<MergerOut>,
}

/// The municipalities a merged municipality was formed from.
#[derive(Debug, Serialize, ToSchema)]
pub struct MergerOut {
    /// The merged municipality's first day.
    pub merged_on: chrono::NaiveDate,
    pub former: Vec<FormerOut>,
}

/// A former municipality with its own figures for the call's reference year.
#[derive(Debug, Serialize, ToSchema)]
pub struct FormerOut {
    pub nis_code: i32,
    pub name: String,
    pub residents: Option<FigureOut>,
    pub non_eu15_residents: Option<FigureOut>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MunicipalityList {
    pub call_id: i64,
    pub reference_year: i32,
    pub items: Vec<MunicipalityOut>,
}

/// The call to judge against; the open call closing first when left out.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CallQuery {
    /// The id of the call.
    #[param(value_type = Option<i64>, minimum = 1)]
    pub call_id: Option<String>,
}

/// One explained rule result.
#[derive(Debug, Serialize, ToSchema)]
pub struct RuleResultOut {
    /// The rule's stable id.
    pub rule: String,
    /// `pass`, `fail`, `warning` or `cannot_decide`.
    pub outcome: String,
    /// The outcome in Dutch, as the pages show it.
    pub outcome_label: String,
    pub blocking: bool,
    /// The Dutch explanation, with the numbers and the reference year used.
    pub message: String,
    /// The form field the result concerns (`general-title`, `action-2.1-planned_reach`, …).
    pub field: Option<String>,
    pub fictitious: bool,
}

impl From<&RuleResult> for RuleResultOut {
    fn from(r: &RuleResult) -> Self {
        Self {
            rule: r.rule.as_str().to_owned(),
            outcome: outcome_code(r.outcome).to_owned(),
            outcome_label: r.outcome.label().to_owned(),
            blocking: r.blocking,
            message: r.message.clone(),
            field: r.field.map(|f| f.anchor()),
            fictitious: r.fictitious,
        }
    }
}

pub fn outcome_code(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Pass => "pass",
        Outcome::Fail => "fail",
        Outcome::Warning => "warning",
        Outcome::CannotDecide => "cannot_decide",
    }
}

/// An explained eligibility verdict.
#[derive(Debug, Serialize, ToSchema)]
pub struct VerdictOut {
    /// `eligible_alone`, `eligible_as_cooperation`, `eligible_as_partner`,
    /// `only_in_cooperation`, `not_eligible` or `cannot_decide`.
    pub decision: String,
    /// The decision in Dutch, as the pages show it.
    pub decision_label: String,
    pub summary: String,
    pub results: Vec<RuleResultOut>,
    /// The verdict rests on a fictitious figure.
    pub fictitious: bool,
    /// The verdict is given under a fictitious demo call (the summary says so).
    pub call_fictitious: bool,
}

impl From<&Verdict> for VerdictOut {
    fn from(v: &Verdict) -> Self {
        Self {
            decision: match v.decision {
                Decision::EligibleAlone => "eligible_alone",
                Decision::EligibleAsCooperation { .. } => "eligible_as_cooperation",
                Decision::EligibleAsPartner => "eligible_as_partner",
                Decision::OnlyInCooperation => "only_in_cooperation",
                Decision::NotEligible => "not_eligible",
                Decision::CannotDecide => "cannot_decide",
            }
            .to_owned(),
            decision_label: v.decision.label().to_owned(),
            summary: v.summary.clone(),
            results: v.results.iter().map(RuleResultOut::from).collect(),
            fictitious: v.fictitious,
            call_fictitious: v.call_fictitious,
        }
    }
}

/// A municipality's eligibility in a call.
#[derive(Debug, Serialize, ToSchema)]
pub struct EligibilityOut {
    pub call_id: i64,
    pub municipality: MunicipalityOut,
    pub verdict: VerdictOut,
    /// The reference of the municipality's own dossier in this call, if it has one (the
    /// verdict then says whether it may apply the way it does).
    pub own_dossier: Option<String>,
}

/// A member of a proposed cooperation.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProposalMemberOut {
    pub nis_code: i32,
    pub name: String,
    pub non_eu15_residents: i64,
    pub non_eu15_share_bp: Option<i64>,
    pub can_apply_alone: bool,
}

/// A cooperation the advisor proposes.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProposalOut {
    pub members: Vec<ProposalMemberOut>,
    pub total_non_eu15_residents: i64,
    pub suggested_lead_nis_code: i32,
    pub earns_incentive: bool,
    pub fictitious: bool,
    pub message: String,
}

/// The pooling advisor's answer for one municipality.
#[derive(Debug, Serialize, ToSchema)]
pub struct AdviceOut {
    pub call_id: i64,
    pub nis_code: i32,
    pub name: String,
    pub region_code: String,
    pub region_name: String,
    /// `alone`, `cooperation`, `not_reachable`, `already_taken` or `cannot_decide`.
    pub status: String,
    pub message: String,
    pub minimality: Option<String>,
    /// The smallest cooperations first.
    pub proposals: Vec<ProposalOut>,
    /// Minimal cooperations without a member that could apply alone.
    pub small_only_proposals: Vec<ProposalOut>,
    /// Cooperations that earn the incentive.
    pub incentive_proposals: Vec<ProposalOut>,
    pub incentive_message: String,
    /// Municipalities of the region left out because they are in another dossier.
    pub excluded_taken: Vec<i32>,
    /// Municipalities of the region left out because a figure is missing.
    pub excluded_without_figures: Vec<i32>,
    pub fictitious: bool,
}

// ------------------------------------------------------------------ dossiers

/// Filters and page of the dossier list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DossierQuery {
    /// Only dossiers of this call.
    #[param(value_type = Option<i64>, minimum = 1)]
    pub call_id: Option<String>,
    /// Only dossiers in this state.
    #[param(value_type = Option<StateCode>)]
    pub state: Option<String>,
    /// The page, from 1.
    #[param(value_type = Option<i64>, minimum = 1, maximum = 1000000)]
    pub page: Option<String>,
    /// Dossiers per page, 1 to 100 (25 when left out).
    #[param(value_type = Option<i64>, minimum = 1, maximum = 100)]
    pub per_page: Option<String>,
}

/// The states of a dossier, by code.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[allow(dead_code)]
pub enum StateCode {
    Draft,
    Submitted,
    InReview,
    ChangesRequested,
    Resubmitted,
    Approved,
    PartlyApproved,
    Rejected,
    Withdrawn,
}

/// The kinds of attachment, by code.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[allow(dead_code)]
pub enum AttachmentKindCode {
    CouncilDecision,
    BudgetSheet,
    Other,
}

/// A dossier in a list.
#[derive(Debug, Serialize, ToSchema)]
pub struct DossierSummaryOut {
    pub id: i64,
    pub reference: String,
    pub title: String,
    /// `single`, `cooperation` or `partner`.
    pub kind: String,
    /// The state's code: `draft`, `submitted`, `changes_requested`, …
    pub state: String,
    /// The state in Dutch.
    pub state_label: String,
    pub call_id: i64,
    pub lead_name: String,
    pub submitted_at: Option<chrono::DateTime<chrono::Utc>>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DossierList {
    pub items: Vec<DossierSummaryOut>,
    pub page: i64,
    pub per_page: i64,
    pub total: i64,
    pub pages: i64,
}

/// A KPI of a chosen action.
#[derive(Debug, Serialize, ToSchema)]
pub struct KpiOut {
    pub id: i64,
    /// The reach KPI follows the action's reach and cannot be changed apart from it.
    pub is_reach_kpi: bool,
    pub indicator: String,
    pub unit: String,
    pub baseline: f64,
    pub target: f64,
    pub target_date: chrono::NaiveDate,
    pub measurement: String,
    /// Which way the value should move from the baseline: `rising` or `falling`.
    #[schema(value_type = String, example = "rising")]
    pub direction: crate::domain::KpiDirection,
}

/// A chosen action with its reach, money and KPIs.
#[derive(Debug, Serialize, ToSchema)]
pub struct ActionOut {
    pub action_code: String,
    pub title: String,
    pub call_action_id: i64,
    pub priority: i64,
    pub baseline_reach: i64,
    pub planned_reach: i64,
    /// The own contribution per project year in money.
    pub own_contribution_cents: i64,
    /// The own contribution per project year in staff time valued in euro.
    pub own_staff_cents: i64,
    /// The grant the rules give for the planned reach (reach × unit cost, capped), per year.
    pub grant_cents: i64,
    pub description: String,
    pub partners: Option<String>,
    pub kpis: Vec<KpiOut>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AttachmentOut {
    pub id: i64,
    /// `council_decision`, `budget_sheet` or `other`.
    pub kind: String,
    pub name: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub uploaded_at: chrono::DateTime<chrono::Utc>,
}

impl From<entity::attachment::Model> for AttachmentOut {
    fn from(row: entity::attachment::Model) -> Self {
        Self {
            id: row.id,
            kind: row.kind,
            name: row.original_name,
            content_type: row.content_type,
            size_bytes: row.size_bytes,
            uploaded_at: row.uploaded_at,
        }
    }
}

/// The status of each section: `not_started`, `in_progress` or `complete`.
#[derive(Debug, Serialize, ToSchema)]
pub struct SectionsOut {
    pub general: String,
    pub actions: String,
    pub kpis: String,
    pub budget: String,
    pub attachments: String,
    pub declarations: String,
    /// For a cooperation: every member confirmed and the cooperation passes the rules.
    pub members: Option<String>,
}

/// What the rules engine says about the dossier.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChecksOut {
    /// No blocking rule fails.
    pub can_submit: bool,
    /// Every section complete and no blocking rule: the dossier may be submitted now.
    pub ready_to_submit: bool,
    pub total_grant_cents: i64,
    pub total_own_contribution_cents: i64,
    pub incentive_cents_per_project_year: i64,
    pub eligibility: Option<VerdictOut>,
    pub results: Vec<RuleResultOut>,
    pub fictitious: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ContactOut {
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
}

/// A dossier with everything in it. Its `ETag` header (and `etag` field) is what `If-Match`
/// must carry to change or submit it.
#[derive(Debug, Serialize, ToSchema)]
pub struct DossierOut {
    #[serde(flatten)]
    pub summary: DossierSummaryOut,
    pub etag: String,
    pub summary_text: Option<String>,
    pub contact: ContactOut,
    pub first_project_year: i64,
    pub last_project_year: i64,
    pub members: Vec<String>,
    pub declarations_accepted: bool,
    /// The token's user may change the dossier now.
    pub editable: bool,
    pub actions: Vec<ActionOut>,
    pub attachments: Vec<AttachmentOut>,
    /// Kinds of required attachment still missing.
    pub missing_attachments: Vec<String>,
    pub sections: SectionsOut,
    pub checks: ChecksOut,
}

/// Starts a dossier for the token user's organisation.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewDossierIn {
    #[schema(minimum = 1)]
    pub call_id: i64,
}

/// The general information.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GeneralIn {
    #[schema(min_length = 1, max_length = 5000)]
    pub title: String,
    #[schema(min_length = 1, max_length = 5000)]
    pub summary: String,
    #[schema(min_length = 1, max_length = 5000)]
    pub contact_name: String,
    /// An e-mail address, e.g. `naam@gemeente.be`.
    #[schema(
        min_length = 3,
        max_length = 254,
        pattern = "^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$"
    )]
    pub contact_email: String,
    /// Digits, spaces and `+()/.-`, at most 30 characters.
    #[serde(default)]
    #[schema(max_length = 30, pattern = "^[0-9 +()/.-]*$")]
    pub contact_phone: Option<String>,
    /// A project year number of the call (1, 2, 3).
    #[schema(value_type = i64, minimum = 1)]
    pub first_project_year: serde_json::Number,
    #[schema(value_type = i64, minimum = 1)]
    pub last_project_year: serde_json::Number,
}

/// A KPI of an action (besides its reach KPI).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct KpiIn {
    #[schema(min_length = 1, max_length = 5000)]
    pub indicator: String,
    #[schema(min_length = 1, max_length = 5000)]
    pub unit: String,
    /// At most three decimals, at most 1000000000.
    #[schema(value_type = f64, minimum = 0, maximum = 1000000000)]
    pub baseline: serde_json::Number,
    #[schema(value_type = f64, minimum = 0, maximum = 1000000000)]
    pub target: serde_json::Number,
    /// A day inside the call period, `YYYY-MM-DD`.
    #[schema(format = Date)]
    pub target_date: String,
    #[schema(min_length = 1, max_length = 5000)]
    pub measurement: String,
    /// `rising` (the default: the target lies above the baseline) or `falling` (below it, e.g.
    /// reports of street intimidation).
    #[serde(default)]
    #[schema(example = "rising")]
    pub direction: String,
}

/// A chosen action with its reach and money.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActionIn {
    /// One of the call's action codes, e.g. `2.9`, or a reach line of an action with several,
    /// e.g. `3.2b` (see the call's `actions`).
    #[schema(pattern = "^[0-9]{1,2}\\.[0-9]{1,2}[a-z]?$")]
    pub action_code: String,
    /// 1 is the most important; unique within the dossier.
    #[schema(value_type = i64, minimum = 1, maximum = 999)]
    pub priority: serde_json::Number,
    #[schema(value_type = i64, minimum = 0, maximum = 1000000)]
    pub baseline_reach: serde_json::Number,
    #[schema(value_type = i64, minimum = 0, maximum = 1000000)]
    pub planned_reach: serde_json::Number,
    /// At most 100000000000 (€ 1.000.000.000,00).
    #[schema(value_type = i64, minimum = 0, maximum = 100000000000_i64)]
    pub own_contribution_cents: serde_json::Number,
    /// The own contribution in staff time valued in euro, per project year; 0 when left out.
    #[serde(default)]
    #[schema(value_type = Option<i64>, minimum = 0, maximum = 100000000000_i64)]
    pub own_staff_cents: Option<serde_json::Number>,
    #[schema(min_length = 1, max_length = 5000)]
    pub description: String,
    #[serde(default)]
    #[schema(max_length = 5000)]
    pub partners: Option<String>,
    /// The action's KPIs besides its reach KPI (at most 20); when given, they replace the
    /// current ones.
    #[serde(default)]
    #[schema(max_items = 20)]
    pub kpis: Option<Vec<KpiIn>>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeclarationsIn {
    pub truthful: bool,
    pub mandate: bool,
    pub cofinancing: bool,
}

/// A change to a draft: each part that is given is saved; `actions`, when given, is the whole
/// list of chosen actions (actions left out are removed).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DossierUpdateIn {
    #[serde(default)]
    pub general: Option<GeneralIn>,
    #[serde(default)]
    pub actions: Option<Vec<ActionIn>>,
    #[serde(default)]
    pub declarations: Option<DeclarationsIn>,
}

/// An attachment upload (`multipart/form-data`).
#[derive(Debug, ToSchema)]
#[allow(dead_code)]
pub struct AttachmentUpload {
    #[schema(value_type = AttachmentKindCode)]
    pub kind: String,
    /// A PDF, XLSX or ODS file (recognised by its content).
    #[schema(value_type = String, format = Binary)]
    pub file: Vec<u8>,
}

/// What a submission carries besides the dossier (the body is optional).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SubmitIn {
    /// "Toelichting bij uw aanpassingen": required when the submission answers ABB's change
    /// request, optional otherwise; at most 2.000 characters.
    #[serde(default)]
    pub cover_note: Option<String>,
}

/// The outcome of a submission.
#[derive(Debug, Serialize, ToSchema)]
pub struct SubmittedOut {
    pub id: i64,
    pub reference: String,
    pub state: String,
    pub state_label: String,
    pub etag: String,
}
