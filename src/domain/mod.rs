//! The rules engine of the provisie Samenleven: pure functions over plain data.
//!
//! No database, no HTTP, no file or network I/O and no clock: callers pass the call's rules
//! ([`CallRules`]), the municipalities with their figures ([`Directory`]), the municipalities
//! already in an application ([`Taken`]) and, where a date matters, the date itself.
//!
//! What it answers, each time with explained [`RuleResult`]s (stable [`RuleId`], [`Outcome`],
//! the numbers used as [`Fact`]s, a Dutch sentence and, for forms, a [`FieldRef`]):
//! - [`assess_single`], [`assess_cooperation`], [`assess_partner`]: eligibility verdicts;
//! - [`Advisor`]: which cooperations a municipality could form in its reference region;
//! - [`check_application`]: the checks on an [`ApplicationDraft`];
//! - [`allocate`]: a proposed allocation of a project year's envelope;
//! - [`programme_coverage`]: the two-thirds programme indicator;
//! - [`followup`] and [`payments`]: reports, KPI achievement, continuation, tranches and reclaims
//!   after approval.
//!
//! The rules and the decisions on their ambiguities are those of `DOMAIN.md`; each module's
//! documentation repeats the decisions it implements. Every threshold, rate and amount comes
//! from the [`CallRules`], never from a constant in code.

pub mod advisor;
pub mod allocation;
pub mod attachments;
pub mod call;
pub mod call_draft;
pub mod changes;
pub mod checklist;
pub mod checks;
pub mod cooperation;
pub mod coverage;
pub mod decision;
pub mod decision_document;
pub mod dutch;
pub mod eligibility;
pub mod email;
pub mod fields;
pub mod figures;
pub mod followup;
pub mod four_eyes;
pub mod history;
pub mod iban;
pub mod illustrative;
pub mod limits;
pub mod messages;
pub mod money;
pub mod paging;
pub mod parts;
pub mod payments;
pub mod picker;
pub mod reach;
pub mod recipients;
pub mod results;
pub mod rounds;
pub mod saved_filters;
pub mod text;
pub mod time;
pub mod types;
pub mod verdict;
pub mod window;
pub mod workflow;

pub use advisor::{
    Advice, AdviceStatus, Advisor, AdvisorError, AdvisorOptions, Proposal, ProposalMember,
};
pub use allocation::{
    ActionAllocation, Allocation, AllocationError, AllocationRequest, ApplicationAllocation,
    Funding, RankOutcome, RequestedAction, allocate, allocation_weight,
};
pub use call::{
    CallAction, CallProblem, CallRules, NamedApplicant, PartnerOrganisation, ProjectYear,
};
pub use checks::{
    ActionDraft, ActionMoney, Applicant, ApplicationDraft, ApplicationReport, KpiDraft,
    check_application,
};
pub use coverage::{Coverage, programme_coverage};
pub use eligibility::{
    FICTITIOUS_MARK, assess_cooperation, assess_partner, assess_single, can_apply_alone,
    meets_incentive_share,
};
pub use figures::{Directory, DirectoryError, Figure, Lookup, Municipality, Taken};
pub use money::Cents;
pub use types::{
    ActionCode, BasisPoints, KpiDirection, KpiValue, NisCode, ParseError, Percent, Ratio, Reach,
    ReferenceYear, RegionCode,
};
pub use verdict::{
    AmountLabel, Comparison, Decision, Fact, Field, FieldRef, FigureKind, IncentiveStatus, Outcome,
    ReachLabel, RuleId, RuleResult, Section, Verdict,
};
