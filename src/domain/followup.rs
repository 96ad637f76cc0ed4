//! Follow-up after approval, pure: the life cycle of a progress report, how far a KPI got
//! (achievement), when a target counts as missed, the continuation rule, report deadlines and
//! reminders. Money (tranches, reclaims) lives in [`super::payments`].
//!
//! # The report's life cycle ([`REPORT_TRANSITIONS`])
//!
//! ```text
//! draft ──submit──▶ submitted ──accept──▶ accepted
//!   ▲ save            │
//!   └─(applicant)     └──send back (with a note)──▶ sent back ──resubmit──▶ submitted
//!                                                     ▲ save
//! ```
//! The lead's officials (the applicant) save and submit; ABB (reviewers and admins) accept or
//! send back. An accepted report is final.
//!
//! # Achievement
//!
//! A KPI plans an improvement from its baseline (nulmeting) to its target (streefwaarde). The
//! achievement is the part of that improvement the actual value reached, in basis points of
//! the planned improvement, rounded down (so 24,99% never shows or counts as 25%):
//! - **rising target** (target above baseline, the rule for every KPI of the 2022-2024 call):
//!   `(actual − baseline) / (target − baseline)`;
//! - **falling target** (target below baseline, e.g. a waiting list to shorten, possible in
//!   later calls): `(baseline − actual) / (baseline − target)`; a target of zero is simply the
//!   largest possible fall;
//! - moving the wrong way counts as 0%, never negative; beyond the target counts above 100%
//!   (shown as such), but no rule gives credit for more than 100%;
//! - **target equal to the baseline** (no improvement planned, "hold the level"): there is no
//!   improvement to divide by, so the KPI is either reached (100%) or not (0%): reached when the
//!   actual value is at least the target. The application's own check requires rising targets,
//!   so "at least" follows the same direction.
//!
//! # Missed targets
//!
//! - In a **year report** a target is missed when the achievement is below 100%.
//! - In an **interim report** (after six months) the full target is not due yet: a KPI counts as
//!   missed when it is below the call's continuation threshold (`continuation_min_bp`, 25%),
//!   exactly the level at which the action would stop.
//!
//! A missed target needs a motivation before the report can be submitted.
//!
//! # The continuation rule ([`propose_continuation`])
//!
//! An action continues into the next project year only if, at the interim check, the reach it
//! achieved on top of the baseline, summed over its reach lines, is at least the call's threshold
//! (25%) of its planned additional reach, or the reviewer records a positive review with a reason
//! (issue 21: "not every KPI, not the weakest decides"). Extra KPIs are reported and assessed,
//! but do not decide the continuation.
//!
//! # Deadlines ([`report_due_on`])
//!
//! Reports are due on the dates of the call's project year. A dossier approved after its first
//! project year started gets every deadline moved by that delay, so it still has the six
//! months and the full year the call intends.
//!
//! # Reminders ([`reminder_due`])
//!
//! A report that is not submitted (draft or sent back) gets one reminder in the
//! [`REMIND_DAYS_BEFORE`] days before its deadline and one once it is overdue; the caller
//! records each kind once per report.

use std::fmt;

use chrono::NaiveDate;

use super::dutch::{format_basis_points, format_date};
use super::types::KpiValue;
use super::workflow::Party;

// ------------------------------------------------------------------ report life cycle

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReportState {
    Draft,
    Submitted,
    Accepted,
    SentBack,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReportStep {
    /// Save the values as they are, without submitting.
    Save,
    Submit,
    Resubmit,
    Accept,
    SendBack,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReportKind {
    /// After six months of the project year.
    Interim,
    /// After the project year.
    Year,
}

/// One line of the report table: from these states, this step leads to `to`, for these parties.
#[derive(Debug, Clone, Copy)]
pub struct ReportRule {
    pub from: &'static [ReportState],
    pub step: ReportStep,
    pub to: ReportState,
    pub by: &'static [Party],
}

use Party as P;
use ReportState as R;
use ReportStep as St;

const APPLICANT: &[Party] = &[P::Applicant];
const ABB: &[Party] = &[P::Reviewer, P::Admin];

/// The whole life cycle of a progress report.
pub const REPORT_TRANSITIONS: &[ReportRule] = &[
    ReportRule {
        from: &[R::Draft],
        step: St::Save,
        to: R::Draft,
        by: APPLICANT,
    },
    ReportRule {
        from: &[R::SentBack],
        step: St::Save,
        to: R::SentBack,
        by: APPLICANT,
    },
    ReportRule {
        from: &[R::Draft],
        step: St::Submit,
        to: R::Submitted,
        by: APPLICANT,
    },
    ReportRule {
        from: &[R::SentBack],
        step: St::Resubmit,
        to: R::Submitted,
        by: APPLICANT,
    },
    ReportRule {
        from: &[R::Submitted],
        step: St::Accept,
        to: R::Accepted,
        by: ABB,
    },
    ReportRule {
        from: &[R::Submitted],
        step: St::SendBack,
        to: R::SentBack,
        by: ABB,
    },
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ReportWorkflowError {
    #[error("Een rapport dat {from} is, kan niet {step}.")]
    NotFromHere { from: ReportState, step: ReportStep },
    #[error("U mag een rapport niet {step}.")]
    NotYours { step: ReportStep },
}

/// The state after `step` from `from` by `party`, or why not.
pub fn next_report_state(
    from: ReportState,
    step: ReportStep,
    party: Party,
) -> Result<ReportState, ReportWorkflowError> {
    let rule = REPORT_TRANSITIONS
        .iter()
        .find(|r| r.step == step && r.from.contains(&from))
        .ok_or(ReportWorkflowError::NotFromHere { from, step })?;
    if rule.by.contains(&party) {
        Ok(rule.to)
    } else {
        Err(ReportWorkflowError::NotYours { step })
    }
}

/// The steps `party` may take from `from`, in table order.
pub fn report_steps(from: ReportState, party: Party) -> Vec<ReportStep> {
    REPORT_TRANSITIONS
        .iter()
        .filter(|r| r.from.contains(&from) && r.by.contains(&party))
        .map(|r| r.step)
        .collect()
}

impl ReportState {
    pub const ALL: [ReportState; 4] = [R::Draft, R::Submitted, R::Accepted, R::SentBack];

    /// Dutch, as in "het rapport is …".
    pub fn label(self) -> &'static str {
        match self {
            R::Draft => "in opmaak",
            R::Submitted => "ingediend",
            R::Accepted => "aanvaard",
            R::SentBack => "teruggestuurd",
        }
    }

    /// The applicant may still change the values.
    pub fn is_editable(self) -> bool {
        matches!(self, R::Draft | R::SentBack)
    }
}

impl fmt::Display for ReportState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

impl ReportStep {
    pub const ALL: [ReportStep; 5] = [St::Save, St::Submit, St::Resubmit, St::Accept, St::SendBack];

    /// Dutch infinitive, as in "een rapport … ".
    pub fn label(self) -> &'static str {
        match self {
            St::Save => "bewaren",
            St::Submit => "indienen",
            St::Resubmit => "opnieuw indienen",
            St::Accept => "aanvaarden",
            St::SendBack => "terugsturen",
        }
    }

    /// The audit action name.
    pub fn code(self) -> &'static str {
        match self {
            St::Save => "save",
            St::Submit => "submit",
            St::Resubmit => "resubmit",
            St::Accept => "accept",
            St::SendBack => "send_back",
        }
    }
}

impl fmt::Display for ReportStep {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

impl ReportKind {
    pub fn label(self) -> &'static str {
        match self {
            ReportKind::Interim => "tussentijds rapport",
            ReportKind::Year => "jaarrapport",
        }
    }
}

// ------------------------------------------------------------------ achievement

/// Which way a KPI is meant to move.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Rising,
    Falling,
    /// Target equal to the baseline: hold the level.
    Hold,
}

/// A KPI's plan: from `baseline` to `target`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KpiPlan {
    pub baseline: KpiValue,
    pub target: KpiValue,
}

/// The largest achievement reported (1000%); beyond it the number means nothing more.
pub const MAX_ACHIEVEMENT_BP: u64 = 100_000;

impl KpiPlan {
    pub fn direction(self) -> Direction {
        use std::cmp::Ordering;
        match self.target.cmp(&self.baseline) {
            Ordering::Greater => Direction::Rising,
            Ordering::Less => Direction::Falling,
            Ordering::Equal => Direction::Hold,
        }
    }

    /// The share of the planned improvement `actual` reached, in basis points, rounded down,
    /// at least 0 and at most [`MAX_ACHIEVEMENT_BP`].
    pub fn achievement_bp(self, actual: KpiValue) -> u64 {
        let (b, t, a) = (
            u128::from(self.baseline.thousandths()),
            u128::from(self.target.thousandths()),
            u128::from(actual.thousandths()),
        );
        let (gained, planned) = match self.direction() {
            Direction::Rising => (a.saturating_sub(b), t - b),
            Direction::Falling => (b.saturating_sub(a), b - t),
            Direction::Hold => return if a >= t { 10_000 } else { 0 },
        };
        let bp = gained * 10_000 / planned;
        u64::try_from(bp)
            .unwrap_or(MAX_ACHIEVEMENT_BP)
            .min(MAX_ACHIEVEMENT_BP)
    }
}

/// Whether a KPI with `achievement_bp` missed its target in a report of `kind`.
pub fn is_missed(kind: ReportKind, achievement_bp: u64, continuation_min_bp: u32) -> bool {
    match kind {
        ReportKind::Year => achievement_bp < 10_000,
        ReportKind::Interim => achievement_bp < u64::from(continuation_min_bp),
    }
}

/// How one KPI did in one report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KpiAssessment {
    pub achievement_bp: u64,
    pub missed: bool,
    /// Dutch: the numbers and the verdict.
    pub explanation: String,
}

/// Assesses `actual` against `plan` for a report of `kind`.
pub fn assess_kpi(
    plan: KpiPlan,
    actual: KpiValue,
    kind: ReportKind,
    continuation_min_bp: u32,
) -> KpiAssessment {
    let achievement_bp = plan.achievement_bp(actual);
    let missed = is_missed(kind, achievement_bp, continuation_min_bp);
    let how = match plan.direction() {
        Direction::Rising => format!(
            "van {} naar {} gepland, {} bereikt: {} van de geplande stijging",
            plan.baseline,
            plan.target,
            actual,
            format_basis_points(achievement_bp)
        ),
        Direction::Falling => format!(
            "van {} naar {} gepland (daling), {} bereikt: {} van de geplande daling",
            plan.baseline,
            plan.target,
            actual,
            format_basis_points(achievement_bp)
        ),
        Direction::Hold => format!(
            "het niveau {} behouden, {} bereikt: {}",
            plan.target,
            actual,
            if achievement_bp >= 10_000 {
                "behouden"
            } else {
                "niet behouden"
            }
        ),
    };
    let verdict = match (kind, missed) {
        (ReportKind::Year, false) => "streefwaarde gehaald".to_owned(),
        (ReportKind::Year, true) => "streefwaarde niet gehaald".to_owned(),
        (ReportKind::Interim, false) => format!(
            "op schema (minstens {} na zes maanden)",
            format_basis_points(u64::from(continuation_min_bp))
        ),
        (ReportKind::Interim, true) => format!(
            "achter op schema (minder dan {} na zes maanden)",
            format_basis_points(u64::from(continuation_min_bp))
        ),
    };
    KpiAssessment {
        achievement_bp,
        missed,
        explanation: format!("{}; {verdict}.", capitalise(&how)),
    }
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().collect::<String>() + chars.as_str())
        .unwrap_or_default()
}

// ------------------------------------------------------------------ continuation

/// The system's proposal for one action at the interim check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContinuationProposal {
    pub continues: bool,
    /// Dutch: which KPI decided and with which numbers.
    pub reason: String,
}

/// Proposes whether action `action` continues into the next project year from its reach lines
/// at the interim check (issue 21): the reach achieved on top of the baseline over the planned
/// additional reach, **summed over the action's lines**, is at least `min_bp`. Extra KPIs do
/// not decide, and one weak line does not stop an action whose lines together reached the
/// threshold. `lines` holds one result per line with a reported value; an action without any
/// cannot show it reached anything and does not continue. ABB may still continue it with a
/// positive review and a reason ([`continuation_outcome`]).
pub fn propose_continuation(
    action: &str,
    lines: &[super::reach::LineResult],
    min_bp: u32,
) -> ContinuationProposal {
    let threshold = format_basis_points(u64::from(min_bp));
    if lines.is_empty() {
        return ContinuationProposal {
            continues: false,
            reason: format!(
                "Geen bereik gemeld in het tussentijds rapport: niet aangetoond dat actie {action} minstens {threshold} van het geplande bijkomende bereik haalde."
            ),
        };
    }
    let verdict = super::reach::continuation(
        lines,
        super::types::BasisPoints::new(min_bp).unwrap_or(super::types::BasisPoints::FULL),
    );
    let planned: u64 = lines.iter().map(|l| u64::from(l.planned)).sum();
    let achieved: u64 = lines.iter().map(|l| u64::from(l.achieved)).sum();
    let counted = if lines.len() == 1 {
        String::new()
    } else {
        format!(", samen over {} lijnen", lines.len())
    };
    let facts = match verdict.share {
        Some(share) => format!(
            "{} van {} gepland bijkomend bereik{counted} ({})",
            super::dutch::format_count(achieved),
            super::dutch::format_count(planned),
            format_basis_points(share)
        ),
        None => "geen gepland bijkomend bereik".to_owned(),
    };
    if verdict.continues {
        ContinuationProposal {
            continues: true,
            reason: format!(
                "Actie {action} haalde bij de tussentijdse meting {facts}: minstens {threshold}, de actie loopt door."
            ),
        }
    } else {
        ContinuationProposal {
            continues: false,
            reason: format!(
                "Actie {action} haalde bij de tussentijdse meting {facts}, minder dan de vereiste {threshold}: de actie stopt, tenzij ABB een positieve beoordeling met een reden geeft."
            ),
        }
    }
}

// ------------------------------------------------------------------ deadlines and reminders

/// When a report is due: the call's date `call_due`, moved by the delay between the start of
/// the dossier's first project year and its approval, when it was approved later.
pub fn report_due_on(
    call_due: NaiveDate,
    first_year_starts_on: NaiveDate,
    approved_on: NaiveDate,
) -> NaiveDate {
    let delay = approved_on.signed_duration_since(first_year_starts_on);
    if delay > chrono::TimeDelta::zero() {
        call_due.checked_add_signed(delay).unwrap_or(call_due)
    } else {
        call_due
    }
}

/// How many days before its deadline a report gets its reminder.
pub const REMIND_DAYS_BEFORE: i64 = 14;

/// A reminder about a report that is not submitted yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReminderKind {
    /// The deadline is within [`REMIND_DAYS_BEFORE`] days (or today).
    BeforeDue,
    /// The deadline passed.
    Overdue,
}

impl ReminderKind {
    pub const ALL: [ReminderKind; 2] = [ReminderKind::BeforeDue, ReminderKind::Overdue];

    /// The value stored with a sent reminder.
    pub fn code(self) -> &'static str {
        match self {
            ReminderKind::BeforeDue => "before_due",
            ReminderKind::Overdue => "overdue",
        }
    }
}

/// Which reminder a report in `state` due on `due_on` needs on `today`, if any. The caller sends
/// each kind at most once per report.
pub fn reminder_due(
    state: ReportState,
    due_on: NaiveDate,
    today: NaiveDate,
) -> Option<ReminderKind> {
    if !state.is_editable() {
        return None;
    }
    let days_left = due_on.signed_duration_since(today).num_days();
    if days_left < 0 {
        Some(ReminderKind::Overdue)
    } else if days_left <= REMIND_DAYS_BEFORE {
        Some(ReminderKind::BeforeDue)
    } else {
        None
    }
}

/// Whether a report in `state` due on `due_on` is overdue on `today`.
pub fn is_overdue(state: ReportState, due_on: NaiveDate, today: NaiveDate) -> bool {
    state.is_editable() && today > due_on
}

/// Dutch sentence for a reminder.
pub fn reminder_text(
    kind: ReminderKind,
    report: ReportKind,
    year: i32,
    due_on: NaiveDate,
) -> String {
    match kind {
        ReminderKind::BeforeDue => format!(
            "Herinnering: het {} van projectjaar {year} moet uiterlijk op {} ingediend zijn.",
            report.label(),
            format_date(due_on)
        ),
        ReminderKind::Overdue => format!(
            "Het {} van projectjaar {year} moest ingediend zijn op {} en is nog niet binnen. Dien het zo snel mogelijk in.",
            report.label(),
            format_date(due_on)
        ),
    }
}

// ------------------------------------------------------------------ ABB's decisions on results

/// ABB's decision on a continuation proposal, as chosen on the form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContinuationChoice {
    /// Confirm the proposal (continue when it proposed to, stop when it proposed to stop).
    Confirm,
    /// A positive review: the action continues although the proposal was to stop.
    Positive,
}

impl ContinuationChoice {
    /// The form's value: `bevestigen` or `positief`; anything else is no choice.
    pub fn parse(text: &str) -> Option<Self> {
        match text.trim() {
            "bevestigen" => Some(Self::Confirm),
            "positief" => Some(Self::Positive),
            _ => None,
        }
    }
}

/// Why a continuation decision cannot stand.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ContinuationError {
    /// The proposal was to continue: the only decision is to confirm it.
    #[error("Bevestig het voorstel om de actie voort te zetten.")]
    ConfirmOnly,
    /// The proposal was to stop: confirm it or give a positive review.
    #[error(
        "Kies: het voorstel bevestigen (de actie stopt) of een positieve beoordeling geven (de actie loopt door)."
    )]
    Choose,
    /// A positive review needs its reason.
    #[error("Geef de reden van de positieve beoordeling.")]
    ReasonMissing,
}

/// Whether the action continues after ABB's `choice` on a proposal that `proposed` to continue
/// (or to stop), with `note` as ABB's reason. A proposal to continue can only be confirmed; a
/// proposal to stop is confirmed (the action stops) or overruled by a positive review, which
/// needs a reason.
pub fn continuation_outcome(
    proposed: bool,
    choice: Option<ContinuationChoice>,
    note: &str,
) -> Result<bool, ContinuationError> {
    match (proposed, choice) {
        (true, Some(ContinuationChoice::Confirm)) => Ok(true),
        (false, Some(ContinuationChoice::Confirm)) => Ok(false),
        (false, Some(ContinuationChoice::Positive)) if note.trim().is_empty() => {
            Err(ContinuationError::ReasonMissing)
        }
        (false, Some(ContinuationChoice::Positive)) => Ok(true),
        (true, _) => Err(ContinuationError::ConfirmOnly),
        (false, None) => Err(ContinuationError::Choose),
    }
}

/// ABB's decision on a proposed reclaim.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReclaimVerdict {
    /// Reclaim this amount (at most the computed maximum).
    Confirm(super::Cents),
    /// Reclaim nothing.
    Waive,
}

/// Why a reclaim decision needs a reason it lacks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ReclaimReasonMissing {
    #[error("Geef de reden waarom u minder terugvordert dan berekend.")]
    Smaller,
    #[error("Geef de reden waarom ABB niet terugvordert.")]
    Waived,
}

/// The reason rule of a reclaim decision: reclaiming the computed maximum needs no reason;
/// reclaiming less than `max`, or nothing, does.
pub fn reclaim_reason_check(
    verdict: ReclaimVerdict,
    max: super::Cents,
    reason: &str,
) -> Result<(), ReclaimReasonMissing> {
    if !reason.trim().is_empty() {
        return Ok(());
    }
    match verdict {
        ReclaimVerdict::Confirm(amount) if amount < max => Err(ReclaimReasonMissing::Smaller),
        ReclaimVerdict::Confirm(_) => Ok(()),
        ReclaimVerdict::Waive => Err(ReclaimReasonMissing::Waived),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PARTIES: [Party; 3] = [P::Applicant, P::Reviewer, P::Admin];

    fn v(text: &str) -> KpiValue {
        KpiValue::parse(text).unwrap()
    }

    fn plan(baseline: &str, target: &str) -> KpiPlan {
        KpiPlan {
            baseline: v(baseline),
            target: v(target),
        }
    }

    /// The expected answer for every combination, written out independently of the table.
    fn expected(from: ReportState, step: ReportStep, p: Party) -> Option<ReportState> {
        let abb = matches!(p, P::Reviewer | P::Admin);
        match (from, step) {
            (R::Draft, St::Save) if p == P::Applicant => Some(R::Draft),
            (R::SentBack, St::Save) if p == P::Applicant => Some(R::SentBack),
            (R::Draft, St::Submit) if p == P::Applicant => Some(R::Submitted),
            (R::SentBack, St::Resubmit) if p == P::Applicant => Some(R::Submitted),
            (R::Submitted, St::Accept) if abb => Some(R::Accepted),
            (R::Submitted, St::SendBack) if abb => Some(R::SentBack),
            _ => None,
        }
    }

    #[test]
    fn every_report_state_step_and_party_is_allowed_exactly_as_designed() {
        for from in ReportState::ALL {
            for step in ReportStep::ALL {
                for p in PARTIES {
                    assert_eq!(
                        next_report_state(from, step, p).ok(),
                        expected(from, step, p),
                        "{from:?} {step:?} {p:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn a_sent_back_report_is_changed_and_resubmitted_and_an_accepted_one_is_final() {
        let s = next_report_state(R::Draft, St::Submit, P::Applicant).unwrap();
        let s = next_report_state(s, St::SendBack, P::Reviewer).unwrap();
        assert!(s.is_editable());
        let s = next_report_state(s, St::Save, P::Applicant).unwrap();
        let s = next_report_state(s, St::Resubmit, P::Applicant).unwrap();
        let s = next_report_state(s, St::Accept, P::Admin).unwrap();
        assert_eq!(s, R::Accepted);
        for step in ReportStep::ALL {
            for p in PARTIES {
                assert!(next_report_state(R::Accepted, step, p).is_err());
            }
        }
        assert_eq!(
            next_report_state(R::Submitted, St::Accept, P::Applicant)
                .unwrap_err()
                .to_string(),
            "U mag een rapport niet aanvaarden."
        );
        assert_eq!(
            next_report_state(R::Draft, St::Accept, P::Reviewer)
                .unwrap_err()
                .to_string(),
            "Een rapport dat in opmaak is, kan niet aanvaarden."
        );
        assert_eq!(
            report_steps(R::Submitted, P::Reviewer),
            vec![St::Accept, St::SendBack]
        );
        assert_eq!(
            report_steps(R::Draft, P::Applicant),
            vec![St::Save, St::Submit]
        );
    }

    #[test]
    fn achievement_is_the_share_of_the_planned_improvement_rounded_down() {
        let table = [
            // rising targets
            (plan("0", "4"), "1", 2_500),
            (plan("0", "1.000"), "249", 2_490),
            (plan("0", "1.000"), "250", 2_500),
            (plan("0", "3"), "1", 3_333),
            (plan("20", "35"), "35", 10_000),
            (plan("20", "35"), "50", 20_000),
            (plan("20", "35"), "10", 0),
            (plan("20", "35"), "20", 0),
            (plan("0", "1"), "0,249", 2_490),
            (plan("0", "0,001"), "1.000.000", MAX_ACHIEVEMENT_BP),
            // falling targets, to zero and not
            (plan("40", "0"), "30", 2_500),
            (plan("40", "0"), "0", 10_000),
            (plan("40", "0"), "50", 0),
            (plan("12,5", "10"), "11,875", 2_500),
            // target equal to the baseline: hold the level
            (plan("10", "10"), "10", 10_000),
            (plan("10", "10"), "12", 10_000),
            (plan("10", "10"), "9,999", 0),
            (plan("0", "0"), "0", 10_000),
        ];
        for (p, actual, bp) in table {
            assert_eq!(p.achievement_bp(v(actual)), bp, "{p:?} {actual}");
        }
    }

    #[test]
    fn a_year_target_is_missed_below_100_and_an_interim_one_below_the_threshold() {
        let table = [
            (ReportKind::Year, 9_999, true),
            (ReportKind::Year, 10_000, false),
            (ReportKind::Year, 12_000, false),
            (ReportKind::Interim, 2_490, true),
            (ReportKind::Interim, 2_499, true),
            (ReportKind::Interim, 2_500, false),
            (ReportKind::Interim, 0, true),
        ];
        for (kind, bp, missed) in table {
            assert_eq!(is_missed(kind, bp, 2_500), missed, "{kind:?} {bp}");
        }
        let a = assess_kpi(plan("0", "1.000"), v("249"), ReportKind::Interim, 2_500);
        assert!(a.missed);
        assert_eq!(
            a.explanation,
            "Van 0 naar 1.000 gepland, 249 bereikt: 24,90% van de geplande stijging; achter op schema (minder dan 25,00% na zes maanden)."
        );
        let a = assess_kpi(plan("40", "0"), v("0"), ReportKind::Year, 2_500);
        assert!(!a.missed);
        assert!(
            a.explanation
                .contains("van de geplande daling; streefwaarde gehaald")
        );
        let a = assess_kpi(plan("10", "10"), v("9"), ReportKind::Year, 2_500);
        assert!(a.missed);
        assert!(a.explanation.contains("niet behouden"), "{}", a.explanation);
    }

    #[test]
    fn an_action_continues_when_its_lines_together_reached_a_quarter_of_the_planned_reach() {
        use crate::domain::reach::LineResult;
        let line = |planned, achieved| LineResult { planned, achieved };
        let table: [(&[LineResult], bool); 6] = [
            (&[line(100, 25)], true),
            (&[line(100, 24)], false),
            (&[line(100, 5), line(20, 30)], true),
            (&[line(100, 5), line(20, 20)], false),
            (&[line(0, 0)], true),
            (&[], false),
        ];
        for (lines, continues) in table {
            let p = propose_continuation("3.2", lines, 2_500);
            assert_eq!(p.continues, continues, "{lines:?}");
            assert!(!p.reason.is_empty());
        }
        let p = propose_continuation("3.2", &[line(100, 5), line(20, 20)], 2_500);
        assert_eq!(
            p.reason,
            "Actie 3.2 haalde bij de tussentijdse meting 25 van 120 gepland bijkomend bereik, samen over 2 lijnen (20,83%), minder dan de vereiste 25,00%: de actie stopt, tenzij ABB een positieve beoordeling met een reden geeft."
        );
    }

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn deadlines_are_the_calls_unless_the_dossier_was_approved_late() {
        let start = d(2022, 10, 1);
        assert_eq!(
            report_due_on(d(2023, 4, 15), start, d(2022, 9, 1)),
            d(2023, 4, 15)
        );
        assert_eq!(
            report_due_on(d(2023, 4, 15), start, d(2022, 10, 1)),
            d(2023, 4, 15)
        );
        assert_eq!(
            report_due_on(d(2023, 4, 15), start, d(2022, 10, 11)),
            d(2023, 4, 25)
        );
        assert_eq!(
            report_due_on(d(2024, 10, 15), start, d(2022, 10, 11)),
            d(2024, 10, 25)
        );
    }

    #[test]
    fn a_report_gets_a_reminder_in_the_last_two_weeks_and_once_overdue() {
        let due = d(2023, 4, 15);
        let table = [
            (R::Draft, d(2023, 3, 31), None),
            (R::Draft, d(2023, 4, 1), Some(ReminderKind::BeforeDue)),
            (R::Draft, d(2023, 4, 15), Some(ReminderKind::BeforeDue)),
            (R::Draft, d(2023, 4, 16), Some(ReminderKind::Overdue)),
            (R::SentBack, d(2023, 5, 1), Some(ReminderKind::Overdue)),
            (R::Submitted, d(2023, 5, 1), None),
            (R::Accepted, d(2023, 4, 10), None),
        ];
        for (state, today, expected) in table {
            assert_eq!(
                reminder_due(state, due, today),
                expected,
                "{state:?} {today}"
            );
        }
        assert!(is_overdue(R::Draft, due, d(2023, 4, 16)));
        assert!(!is_overdue(R::Draft, due, due));
        assert!(!is_overdue(R::Submitted, due, d(2024, 1, 1)));
        assert!(
            reminder_text(ReminderKind::Overdue, ReportKind::Interim, 1, due).contains(
                "tussentijds rapport van projectjaar 1 moest ingediend zijn op 15 april 2023"
            )
        );
    }

    #[test]
    fn a_proposal_to_continue_can_only_be_confirmed() {
        use ContinuationChoice::*;
        assert_eq!(continuation_outcome(true, Some(Confirm), ""), Ok(true));
        assert_eq!(
            continuation_outcome(true, Some(Positive), "reden"),
            Err(ContinuationError::ConfirmOnly)
        );
        assert_eq!(
            continuation_outcome(true, None, ""),
            Err(ContinuationError::ConfirmOnly)
        );
    }

    #[test]
    fn a_proposal_to_stop_is_confirmed_or_overruled_with_a_reason() {
        use ContinuationChoice::*;
        assert_eq!(continuation_outcome(false, Some(Confirm), ""), Ok(false));
        assert_eq!(
            continuation_outcome(false, Some(Positive), "Overmacht."),
            Ok(true)
        );
        assert_eq!(
            continuation_outcome(false, Some(Positive), "  "),
            Err(ContinuationError::ReasonMissing)
        );
        assert_eq!(
            continuation_outcome(false, None, ""),
            Err(ContinuationError::Choose)
        );
        assert_eq!(ContinuationChoice::parse(" positief "), Some(Positive));
        assert_eq!(ContinuationChoice::parse("ja"), None);
    }

    #[test]
    fn a_smaller_reclaim_or_none_at_all_needs_a_reason() {
        use super::super::Cents;
        let max = Cents::new(400_000).unwrap();
        let less = Cents::new(100_000).unwrap();
        assert_eq!(
            reclaim_reason_check(ReclaimVerdict::Confirm(max), max, ""),
            Ok(())
        );
        assert_eq!(
            reclaim_reason_check(ReclaimVerdict::Confirm(less), max, ""),
            Err(ReclaimReasonMissing::Smaller)
        );
        assert_eq!(
            reclaim_reason_check(ReclaimVerdict::Confirm(less), max, "Deels overmacht."),
            Ok(())
        );
        assert_eq!(
            reclaim_reason_check(ReclaimVerdict::Waive, max, " "),
            Err(ReclaimReasonMissing::Waived)
        );
        assert_eq!(
            ReclaimReasonMissing::Smaller.to_string(),
            "Geef de reden waarom u minder terugvordert dan berekend."
        );
    }
}
