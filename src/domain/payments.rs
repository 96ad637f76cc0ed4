//! Money after approval, pure and exact to the cent: the tranches of a project year, what a year
//! is worth once actions stop, the balance, reclaims when KPIs are missed, and the life cycle of
//! a payment. Every amount comes with a Dutch sentence that shows its computation.
//!
//! # Tranches ([`split_tranches`])
//!
//! Per project year the dossier is entitled to the amounts granted for its actions that year
//! plus the cooperation incentive of that year. On approval the **advance** is scheduled: the
//! call's `advance_bp` (80%) of that amount, **rounded down to the cent**. The **balance** is the
//! rest, `total − advance`, scheduled when the year report is accepted. Advance and balance
//! therefore always add up to the total: no cent is lost or created, whatever the total.
//!
//! # Continuation ([`year_entitlement`])
//!
//! An action that does not continue into a project year earns nothing in that year; the
//! incentive of a year is only due while at least one action continues. When the entitlement of
//! a year changes before its advance was approved, the advance is recomputed; when it was
//! already approved or paid, the balance settles the difference ([`settle`]): an advance larger
//! than the entitlement leaves no balance and the excess is owed back.
//!
//! # Reclaims ([`compute_reclaim`])
//!
//! When a year report shows a KPI missed without a motivation ABB accepted, part of that
//! action's grant for the year can be reclaimed. Every KPI of the action weighs the same; a KPI
//! that was reached, or missed with an accepted motivation, counts as fully delivered; a KPI
//! missed without an accepted motivation counts for the part of its planned improvement it did
//! not reach (achievement capped at 100%):
//!
//! ```text
//! unreached = Σ over the action's KPIs of (100% − achievement) for the unexcused misses, else 0
//! reclaim   = granted for the action that year × unreached / number of KPIs
//! ```
//!
//! rounded **down** to the cent (in favour of the municipality), and never more than what was
//! paid or is to be paid for that action that year. The reviewer confirms an amount between one
//! cent and that maximum, or waives the reclaim with a reason.

use std::fmt;

use chrono::NaiveDate;

use super::dutch::format_basis_points;
use super::fields::{self, FieldErrors};
use super::money::Cents;
use super::time;
use super::types::BasisPoints;
use super::workflow::Party;

// ------------------------------------------------------------------ tranches

/// Which tranche a payment is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Tranche {
    Advance,
    Balance,
    /// Money owed back by the lead.
    Reclaim,
}

impl Tranche {
    pub const ALL: [Tranche; 3] = [Tranche::Advance, Tranche::Balance, Tranche::Reclaim];

    /// The code in filters and exports.
    pub fn code(self) -> &'static str {
        match self {
            Tranche::Advance => "voorschot",
            Tranche::Balance => "saldo",
            Tranche::Reclaim => "terugvordering",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.code() == code)
    }

    /// Money flows to the municipality (advance, balance) or back to ABB (reclaim).
    pub fn is_owed_back(self) -> bool {
        self == Tranche::Reclaim
    }
}

impl fmt::Display for Tranche {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// The two tranches of one total.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tranches {
    pub advance: Cents,
    pub balance: Cents,
}

/// Splits `total` into the advance (`advance_bp` of it, rounded down to the cent) and the
/// balance (the rest).
pub fn split_tranches(total: Cents, advance_bp: BasisPoints) -> Tranches {
    let advance = advance_of(total, advance_bp);
    Tranches {
        advance,
        balance: total.saturating_sub(advance),
    }
}

fn advance_of(total: Cents, advance_bp: BasisPoints) -> Cents {
    let exact = i128::from(total.get()) * i128::from(advance_bp.get()) / 10_000;
    Cents::new(i64::try_from(exact).unwrap_or(0)).unwrap_or_default()
}

/// Dutch: how the advance of `year` on `total` was computed.
pub fn advance_explanation(year: i32, total: Cents, advance_bp: BasisPoints) -> String {
    let advance = advance_of(total, advance_bp);
    let rest = i128::from(total.get()) * i128::from(advance_bp.get()) % 10_000;
    let rounding = if rest == 0 {
        String::new()
    } else {
        " (naar beneden afgerond op de cent)".to_owned()
    };
    format!("Voorschot projectjaar {year}: {advance_bp} van {total} = {advance}{rounding}.")
}

/// Dutch: how the balance of `year` was computed.
pub fn balance_explanation(year: i32, total: Cents, advanced: Cents, balance: Cents) -> String {
    format!(
        "Saldo projectjaar {year}: waarop het dossier recht heeft {total} min het voorschot {advanced} = {balance}."
    )
}

// ------------------------------------------------------------------ entitlement of a year

/// One action in one project year.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ActionYear<'a> {
    pub code: &'a str,
    pub granted: Cents,
    pub continues: bool,
}

/// What a project year is worth.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entitlement {
    pub total: Cents,
    pub explanation: String,
}

/// The amount a dossier is entitled to in a year: the grants of the actions that continue into
/// it, plus `incentive` while at least one action continues.
pub fn year_entitlement(actions: &[ActionYear<'_>], incentive: Cents) -> Entitlement {
    let continuing: Vec<&ActionYear<'_>> = actions.iter().filter(|a| a.continues).collect();
    let stopped: Vec<&str> = actions
        .iter()
        .filter(|a| !a.continues)
        .map(|a| a.code)
        .collect();
    let incentive = if continuing.is_empty() {
        Cents::ZERO
    } else {
        incentive
    };
    let total = Cents::checked_sum(continuing.iter().map(|a| a.granted))
        .and_then(|s| s.checked_add(incentive))
        .unwrap_or_default();
    let mut parts: Vec<String> = continuing
        .iter()
        .map(|a| format!("actie {} {}", a.code, a.granted))
        .collect();
    if incentive > Cents::ZERO {
        parts.push(format!("samenwerkingsincentive {incentive}"));
    }
    let mut explanation = if parts.is_empty() {
        format!("Geen actie loopt door: {}.", Cents::ZERO)
    } else {
        format!("{} = {total}.", parts.join(" + "))
    };
    if !stopped.is_empty() {
        explanation.push_str(&format!(
            " Niet voortgezet (geen bedrag): actie {}.",
            stopped.join(", ")
        ));
    }
    Entitlement { total, explanation }
}

/// How a year is settled once its year report is accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Settlement {
    /// Pay this balance.
    Balance(Cents),
    /// The advance covered the year exactly.
    Nothing,
    /// The advance was more than the year is worth: this much is owed back.
    Excess(Cents),
}

/// The balance of a year entitled to `entitled` of which `advanced` was advanced.
pub fn settle(entitled: Cents, advanced: Cents) -> Settlement {
    use std::cmp::Ordering;
    match entitled.cmp(&advanced) {
        Ordering::Greater => Settlement::Balance(entitled.saturating_sub(advanced)),
        Ordering::Equal => Settlement::Nothing,
        Ordering::Less => Settlement::Excess(advanced.saturating_sub(entitled)),
    }
}

// ------------------------------------------------------------------ reclaims

/// One KPI of an action in a year report, as the reclaim sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReclaimKpi<'a> {
    pub indicator: &'a str,
    pub achievement_bp: u64,
    pub missed: bool,
    pub motivation_accepted: bool,
}

/// A proposed reclaim for one action and year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReclaimProposal {
    /// The largest amount ABB may confirm.
    pub max: Cents,
    /// The formula's amount before the cap (equal to `max` unless capped).
    pub computed: Cents,
    pub explanation: String,
}

/// The reclaim for action `code` granted `granted` in `year`, from its KPIs in the year report;
/// at most `paid` (what was paid or is to be paid for the action that year). `None` when
/// nothing is to be reclaimed.
pub fn compute_reclaim(
    code: &str,
    year: i32,
    granted: Cents,
    kpis: &[ReclaimKpi<'_>],
    paid: Cents,
) -> Option<ReclaimProposal> {
    if kpis.is_empty() {
        return None;
    }
    let n = u64::try_from(kpis.len()).unwrap_or(1);
    let mut unreached_sum: u64 = 0;
    let mut lines = Vec::with_capacity(kpis.len());
    for k in kpis {
        let achieved = k.achievement_bp.min(10_000);
        let counted = if k.missed && !k.motivation_accepted {
            10_000 - achieved
        } else {
            0
        };
        unreached_sum += counted;
        let why = match (k.missed, k.motivation_accepted) {
            (false, _) => "gehaald".to_owned(),
            (true, true) => format!(
                "{} bereikt, motivatie aanvaard",
                format_basis_points(achieved)
            ),
            (true, false) => format!(
                "{} bereikt, motivatie niet aanvaard",
                format_basis_points(achieved)
            ),
        };
        lines.push(format!(
            "KPI \"{}\": {why}, telt voor {} niet bereikt",
            k.indicator,
            format_basis_points(counted)
        ));
    }
    if unreached_sum == 0 {
        return None;
    }
    let denominator = i128::from(n) * 10_000;
    let exact = i128::from(granted.get()) * i128::from(unreached_sum);
    let computed = Cents::new(i64::try_from(exact / denominator).unwrap_or(0)).unwrap_or_default();
    let max = computed.min(paid);
    if max == Cents::ZERO {
        return None;
    }
    let share_bp = u64::try_from(i128::from(unreached_sum) / i128::from(n)).unwrap_or(0);
    let share = if u128::from(unreached_sum) % u128::from(n) == 0 {
        format_basis_points(share_bp)
    } else {
        format!("{} (afgerond)", format_basis_points(share_bp))
    };
    let rounding = if exact % denominator == 0 {
        ""
    } else {
        " (naar beneden afgerond op de cent)"
    };
    let mut explanation = format!(
        "Actie {code}, projectjaar {year}: toegekend {granted}. {}. Gemiddeld niet bereikt over {n} KPI('s): {share}. Terugvordering: {granted} × {share} = {computed}{rounding}.",
        lines.join("; ")
    );
    if max < computed {
        explanation.push_str(&format!(
            " Begrensd tot wat voor deze actie in dit projectjaar betaald is of nog betaald wordt: {max}."
        ));
    }
    Some(ReclaimProposal {
        max,
        computed,
        explanation,
    })
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReclaimAmountError {
    #[error(
        "Een terugvordering van € 0,00 vordert niets terug: kies \"niet terugvorderen\" en geef de reden."
    )]
    Zero,
    #[error("Hoogstens het berekende bedrag, {max}.")]
    AboveMax { max: Cents },
}

/// Whether ABB may confirm a reclaim of `amount` when the computation allows `max`.
pub fn check_reclaim_amount(amount: Cents, max: Cents) -> Result<(), ReclaimAmountError> {
    if amount == Cents::ZERO {
        Err(ReclaimAmountError::Zero)
    } else if amount > max {
        Err(ReclaimAmountError::AboveMax { max })
    } else {
        Ok(())
    }
}

// ------------------------------------------------------------------ payment life cycle

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PaymentState {
    Scheduled,
    Approved,
    Paid,
    Cancelled,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PaymentStep {
    Approve,
    Pay,
    Cancel,
}

/// One line of the payment table.
#[derive(Debug, Clone, Copy)]
pub struct PaymentRule {
    pub from: &'static [PaymentState],
    pub step: PaymentStep,
    pub to: PaymentState,
    pub by: &'static [Party],
}

use PaymentState as PS;
use PaymentStep as PSt;

const ABB: &[Party] = &[Party::Reviewer, Party::Admin];

/// scheduled ──approve──▶ approved ──pay──▶ paid; scheduled or approved ──cancel──▶ cancelled.
/// Only ABB moves payments; paid and cancelled are final.
pub const PAYMENT_TRANSITIONS: &[PaymentRule] = &[
    PaymentRule {
        from: &[PS::Scheduled],
        step: PSt::Approve,
        to: PS::Approved,
        by: ABB,
    },
    PaymentRule {
        from: &[PS::Approved],
        step: PSt::Pay,
        to: PS::Paid,
        by: ABB,
    },
    PaymentRule {
        from: &[PS::Scheduled, PS::Approved],
        step: PSt::Cancel,
        to: PS::Cancelled,
        by: ABB,
    },
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PaymentWorkflowError {
    #[error("Een betaling die {from} is, kan niet {step}.")]
    NotFromHere {
        from: PaymentState,
        step: PaymentStep,
    },
    #[error("U mag een betaling niet {step}.")]
    NotYours { step: PaymentStep },
}

pub fn next_payment_state(
    from: PaymentState,
    step: PaymentStep,
    party: Party,
) -> Result<PaymentState, PaymentWorkflowError> {
    let rule = PAYMENT_TRANSITIONS
        .iter()
        .find(|r| r.step == step && r.from.contains(&from))
        .ok_or(PaymentWorkflowError::NotFromHere { from, step })?;
    if rule.by.contains(&party) {
        Ok(rule.to)
    } else {
        Err(PaymentWorkflowError::NotYours { step })
    }
}

pub fn payment_steps(from: PaymentState, party: Party) -> Vec<PaymentStep> {
    PAYMENT_TRANSITIONS
        .iter()
        .filter(|r| r.from.contains(&from) && r.by.contains(&party))
        .map(|r| r.step)
        .collect()
}

impl PaymentState {
    pub const ALL: [PaymentState; 4] = [PS::Scheduled, PS::Approved, PS::Paid, PS::Cancelled];

    /// Dutch, as in "de betaling is …"; also the code in filters and exports.
    pub fn label(self) -> &'static str {
        match self {
            PS::Scheduled => "gepland",
            PS::Approved => "goedgekeurd",
            PS::Paid => "betaald",
            PS::Cancelled => "geannuleerd",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.label() == code)
    }
}

impl fmt::Display for PaymentState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

impl PaymentStep {
    pub const ALL: [PaymentStep; 3] = [PSt::Approve, PSt::Pay, PSt::Cancel];

    pub fn label(self) -> &'static str {
        match self {
            PSt::Approve => "goedkeuren",
            PSt::Pay => "als betaald markeren",
            PSt::Cancel => "annuleren",
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            PSt::Approve => "approve",
            PSt::Pay => "pay",
            PSt::Cancel => "cancel",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }
}

impl fmt::Display for PaymentStep {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

// ------------------------------------------------------------------ safeguards (four eyes)

/// The refusal when the person who approved a payment tries to mark it as paid.
pub const FOUR_EYES: &str =
    "Een andere medewerker moet de betaling als betaald markeren (vier ogen).";

/// The longest bank reference a payment takes.
pub const MAX_BANK_REFERENCE: usize = 100;

/// Whether user `by` may mark a payment that `approved_by` approved as paid: anyone of ABB but
/// the person who approved it (payments approved before this rule have no approver and may be
/// marked by anyone).
pub fn may_mark_paid(approved_by: Option<i64>, by: i64) -> Result<(), &'static str> {
    if approved_by == Some(by) {
        Err(FOUR_EYES)
    } else {
        Ok(())
    }
}

/// What a step records beside the new state, read from what the user typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StepRecord {
    /// Approving records who approved (the command knows).
    Approval,
    /// The day the bank paid and its reference of the transfer.
    Paid {
        on: NaiveDate,
        bank_reference: String,
    },
    /// Why the payment is cancelled (required: it takes money away).
    Cancelled { reason: String },
}

/// What the user typed on a step's confirmation page.
#[derive(Debug, Clone, Default)]
pub struct StepInput {
    pub paid_on: String,
    pub bank_reference: String,
    pub reason: String,
}

/// Reads the fields `step` needs: for "als betaald markeren" the payment day (not after `today`)
/// and the bank's reference, for "annuleren" the reason; a Dutch message per field otherwise.
pub fn read_step(
    step: PaymentStep,
    input: &StepInput,
    today: NaiveDate,
) -> Result<StepRecord, FieldErrors> {
    let mut errors = FieldErrors::default();
    let record = match step {
        PSt::Approve => StepRecord::Approval,
        PSt::Pay => {
            let on = match time::parse_date(&input.paid_on) {
                Ok(day) if day > today => {
                    errors.add("paid_on", "De betaaldatum kan niet in de toekomst liggen.");
                    None
                }
                Ok(day) => Some(day),
                Err(time::TimeError::Empty) => {
                    errors.add("paid_on", "Vul de datum in waarop de bank betaalde.");
                    None
                }
                Err(_) => {
                    errors.add(
                        "paid_on",
                        "Vul de betaaldatum in als dag-maand-jaar, bijvoorbeeld 05-12-2026.",
                    );
                    None
                }
            };
            let bank_reference = fields::line(
                &input.bank_reference,
                "bank_reference",
                "de referentie van de bank",
                true,
                &mut errors,
            );
            if bank_reference.chars().count() > MAX_BANK_REFERENCE {
                errors.add(
                    "bank_reference",
                    format!(
                        "De referentie van de bank mag hoogstens {MAX_BANK_REFERENCE} tekens tellen."
                    ),
                );
            }
            match on {
                Some(on) => StepRecord::Paid { on, bank_reference },
                None => StepRecord::Approval,
            }
        }
        PSt::Cancel => {
            let reason = fields::text(
                &input.reason,
                "reason",
                "de reden van de annulering",
                true,
                &mut errors,
            );
            StepRecord::Cancelled { reason }
        }
    };
    if errors.is_empty() {
        Ok(record)
    } else {
        Err(errors)
    }
}

/// The consequence of `step` in words, with the amount and the payee, for the confirmation page:
/// "U keurt de betaling van € 40.000,00 aan Willebroek goed. …".
pub fn consequence(step: PaymentStep, tranche: Tranche, amount: Cents, payee: &str) -> String {
    let back = tranche.is_owed_back();
    let what = if back {
        format!("de terugvordering van {amount} bij {payee}")
    } else {
        format!("de betaling van {amount} aan {payee}")
    };
    match step {
        PSt::Approve => format!(
            "U keurt {what} goed. Een andere medewerker moet ze daarna als betaald markeren."
        ),
        PSt::Pay if back => format!(
            "U bevestigt dat {payee} {amount} terugbetaalde, op de betaaldatum en met de \
             referentie van de bank hieronder. Dit kan niet ongedaan worden gemaakt."
        ),
        PSt::Pay => format!(
            "U bevestigt dat de bank {amount} aan {payee} betaalde, op de betaaldatum en met de \
             referentie hieronder. Dit kan niet ongedaan worden gemaakt."
        ),
        PSt::Cancel if back => format!(
            "U annuleert {what}: {payee} hoeft dit bedrag niet terug te betalen. Dit kan niet \
             ongedaan worden gemaakt; geef de reden op."
        ),
        PSt::Cancel => format!(
            "U annuleert {what}: dit bedrag wordt niet uitbetaald. Dit kan niet ongedaan worden \
             gemaakt; geef de reden op."
        ),
    }
}

/// An amount in euro with a decimal point and two decimals, for exports (`12345.67`).
pub fn euro_decimal(cents: Cents) -> String {
    format!("{}.{:02}", cents.get() / 100, cents.get() % 100)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn c(cents: i64) -> Cents {
        Cents::new(cents).unwrap()
    }

    fn bp(v: u32) -> BasisPoints {
        BasisPoints::new(v).unwrap()
    }

    #[test]
    fn the_advance_is_rounded_down_and_the_balance_is_the_rest() {
        let table = [
            (2_500_000, 8_000, 2_000_000, 500_000),
            (1_234_567, 8_000, 987_653, 246_914),
            (1, 8_000, 0, 1),
            (3, 8_000, 2, 1),
            (99, 8_000, 79, 20),
            (0, 8_000, 0, 0),
            (1_234_567, 10_000, 1_234_567, 0),
            (1_234_567, 0, 0, 1_234_567),
            (1_000_001, 3_333, 333_300, 666_701),
        ];
        for (total, rate, advance, balance) in table {
            let t = split_tranches(c(total), bp(rate));
            assert_eq!(
                (t.advance.get(), t.balance.get()),
                (advance, balance),
                "{total} {rate}"
            );
        }
        assert_eq!(
            advance_explanation(1, c(1_234_567), bp(8_000)),
            "Voorschot projectjaar 1: 80,00% van € 12.345,67 = € 9.876,53 (naar beneden afgerond op de cent)."
        );
        assert_eq!(
            advance_explanation(2, c(2_500_000), bp(8_000)),
            "Voorschot projectjaar 2: 80,00% van € 25.000,00 = € 20.000,00."
        );
        assert_eq!(
            balance_explanation(1, c(1_234_567), c(987_653), c(246_914)),
            "Saldo projectjaar 1: waarop het dossier recht heeft € 12.345,67 min het voorschot € 9.876,53 = € 2.469,14."
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(500))]
        #[test]
        fn tranches_always_add_up_to_the_total(total in 0i64..=i64::MAX / 10_001, rate in 0u32..=10_000) {
            let t = split_tranches(c(total), bp(rate));
            prop_assert_eq!(t.advance.get() + t.balance.get(), total);
            prop_assert!(t.advance.get() <= total);
            // The advance is the largest amount not above the exact share.
            prop_assert!(i128::from(t.advance.get()) * 10_000 <= i128::from(total) * i128::from(rate));
            prop_assert!((i128::from(t.advance.get()) + 1) * 10_000 > i128::from(total) * i128::from(rate));
        }

        #[test]
        fn a_reclaim_never_exceeds_the_grant_or_what_was_paid(
            granted in 0i64..100_000_000_000,
            paid in 0i64..100_000_000_000,
            achieved in proptest::collection::vec((0u64..20_000, any::<bool>(), any::<bool>()), 1..5),
        ) {
            let names: Vec<String> = (0..achieved.len()).map(|i| format!("k{i}")).collect();
            let kpis: Vec<ReclaimKpi<'_>> = achieved
                .iter()
                .zip(&names)
                .map(|((a, missed, ok), name)| ReclaimKpi { indicator: name, achievement_bp: *a, missed: *missed, motivation_accepted: *ok })
                .collect();
            if let Some(r) = compute_reclaim("2.1", 1, c(granted), &kpis, c(paid)) {
                prop_assert!(r.max <= c(granted));
                prop_assert!(r.max <= c(paid));
                prop_assert!(r.max > Cents::ZERO);
                prop_assert!(r.max <= r.computed);
            }
        }
    }

    #[test]
    fn a_year_is_worth_the_grants_of_the_actions_that_continue() {
        let actions = [
            ActionYear {
                code: "2.1",
                granted: c(2_000_000),
                continues: true,
            },
            ActionYear {
                code: "3.4",
                granted: c(1_234_567),
                continues: false,
            },
        ];
        let e = year_entitlement(&actions, c(1_000_000));
        assert_eq!(e.total, c(3_000_000));
        assert_eq!(
            e.explanation,
            "actie 2.1 € 20.000,00 + samenwerkingsincentive € 10.000,00 = € 30.000,00. Niet voortgezet (geen bedrag): actie 3.4."
        );
        let none = [ActionYear {
            code: "2.1",
            granted: c(2_000_000),
            continues: false,
        }];
        let e = year_entitlement(&none, c(1_000_000));
        assert_eq!(
            e.total,
            Cents::ZERO,
            "no incentive without a continuing action"
        );
        assert!(e.explanation.starts_with("Geen actie loopt door"));
    }

    #[test]
    fn the_balance_settles_what_the_advance_did_not_cover() {
        assert_eq!(
            settle(c(1_234_567), c(987_653)),
            Settlement::Balance(c(246_914))
        );
        assert_eq!(settle(c(100), c(100)), Settlement::Nothing);
        assert_eq!(settle(c(80), c(100)), Settlement::Excess(c(20)));
    }

    fn kpi(indicator: &str, achievement_bp: u64, missed: bool, ok: bool) -> ReclaimKpi<'_> {
        ReclaimKpi {
            indicator,
            achievement_bp,
            missed,
            motivation_accepted: ok,
        }
    }

    #[test]
    fn a_reclaim_is_the_grant_times_the_unexcused_unreached_share() {
        // (granted, kpis, paid, expected max)
        let table: [(i64, Vec<ReclaimKpi<'_>>, i64, Option<i64>); 9] = [
            (
                2_500_000,
                vec![kpi("bereik", 6_000, true, false)],
                2_500_000,
                Some(1_000_000),
            ),
            (
                2_500_000,
                vec![kpi("bereik", 6_000, true, true)],
                2_500_000,
                None,
            ),
            (
                2_500_000,
                vec![kpi("bereik", 10_000, false, false)],
                2_500_000,
                None,
            ),
            // two KPIs, one excused: half the weight
            (
                2_500_000,
                vec![
                    kpi("bereik", 6_000, true, false),
                    kpi("tevredenheid", 0, true, true),
                ],
                2_500_000,
                Some(500_000),
            ),
            // odd cents: rounded down
            (
                1_234_567,
                vec![kpi("bereik", 6_667, true, false)],
                1_234_567,
                Some(411_481),
            ),
            // three KPIs: a share that is not a whole number of basis points
            (
                1_000_000,
                vec![
                    kpi("a", 0, true, false),
                    kpi("b", 10_000, false, false),
                    kpi("c", 10_000, false, false),
                ],
                1_000_000,
                Some(333_333),
            ),
            // capped at what was paid
            (
                2_500_000,
                vec![kpi("bereik", 0, true, false)],
                2_000_000,
                Some(2_000_000),
            ),
            // overachievement counts as 100%, never negative
            (
                2_500_000,
                vec![kpi("bereik", 15_000, true, false)],
                2_500_000,
                None,
            ),
            // nothing paid: nothing to reclaim
            (2_500_000, vec![kpi("bereik", 0, true, false)], 0, None),
        ];
        for (granted, kpis, paid, expected) in table {
            let got = compute_reclaim("2.1", 1, c(granted), &kpis, c(paid));
            assert_eq!(
                got.as_ref().map(|r| r.max.get()),
                expected,
                "{granted} {kpis:?} {paid}"
            );
        }
        let r = compute_reclaim(
            "2.1",
            1,
            c(1_234_567),
            &[kpi("bereik", 6_667, true, false)],
            c(1_234_567),
        )
        .unwrap();
        assert_eq!(
            r.explanation,
            "Actie 2.1, projectjaar 1: toegekend € 12.345,67. KPI \"bereik\": 66,67% bereikt, motivatie niet aanvaard, telt voor 33,33% niet bereikt. Gemiddeld niet bereikt over 1 KPI('s): 33,33%. Terugvordering: € 12.345,67 × 33,33% = € 4.114,81 (naar beneden afgerond op de cent)."
        );
        let r = compute_reclaim(
            "2.1",
            1,
            c(2_500_000),
            &[kpi("bereik", 0, true, false)],
            c(2_000_000),
        )
        .unwrap();
        assert!(r.explanation.ends_with("Begrensd tot wat voor deze actie in dit projectjaar betaald is of nog betaald wordt: € 20.000,00."), "{}", r.explanation);
        assert!(compute_reclaim("2.1", 1, c(100), &[], c(100)).is_none());
    }

    #[test]
    fn a_confirmed_reclaim_stays_within_its_bounds() {
        assert_eq!(check_reclaim_amount(c(1), c(100)), Ok(()));
        assert_eq!(check_reclaim_amount(c(100), c(100)), Ok(()));
        assert_eq!(
            check_reclaim_amount(c(0), c(100)),
            Err(ReclaimAmountError::Zero)
        );
        assert_eq!(
            check_reclaim_amount(c(101), c(100))
                .unwrap_err()
                .to_string(),
            "Hoogstens het berekende bedrag, € 1,00."
        );
    }

    #[test]
    fn payments_move_scheduled_approved_paid_and_only_abb_moves_them() {
        let expected = |from: PaymentState, step: PaymentStep, p: Party| -> Option<PaymentState> {
            if p == Party::Applicant {
                return None;
            }
            match (from, step) {
                (PS::Scheduled, PSt::Approve) => Some(PS::Approved),
                (PS::Approved, PSt::Pay) => Some(PS::Paid),
                (PS::Scheduled | PS::Approved, PSt::Cancel) => Some(PS::Cancelled),
                _ => None,
            }
        };
        for from in PaymentState::ALL {
            for step in PaymentStep::ALL {
                for p in [Party::Applicant, Party::Reviewer, Party::Admin] {
                    assert_eq!(
                        next_payment_state(from, step, p).ok(),
                        expected(from, step, p)
                    );
                }
            }
        }
        assert_eq!(
            next_payment_state(PS::Paid, PSt::Cancel, Party::Admin)
                .unwrap_err()
                .to_string(),
            "Een betaling die betaald is, kan niet annuleren."
        );
        assert_eq!(
            payment_steps(PS::Scheduled, Party::Reviewer),
            vec![PSt::Approve, PSt::Cancel]
        );
    }

    #[test]
    fn export_amounts_use_a_decimal_point() {
        assert_eq!(euro_decimal(c(1_234_567)), "12345.67");
        assert_eq!(euro_decimal(c(5)), "0.05");
        assert_eq!(euro_decimal(c(0)), "0.00");
        assert_eq!(Tranche::parse("saldo"), Some(Tranche::Balance));
        assert_eq!(PaymentState::parse("betaald"), Some(PaymentState::Paid));
        assert_eq!(PaymentStep::parse("pay"), Some(PaymentStep::Pay));
    }
    #[test]
    fn the_person_who_approved_a_payment_cannot_mark_it_paid() {
        assert_eq!(may_mark_paid(Some(7), 7), Err(FOUR_EYES));
        assert_eq!(may_mark_paid(Some(7), 8), Ok(()));
        assert_eq!(may_mark_paid(None, 7), Ok(()), "approved before the rule");
    }

    #[test]
    fn a_payment_step_states_its_consequence_with_amount_and_payee() {
        let amount = Cents::new(4_000_000).unwrap();
        assert_eq!(
            consequence(PSt::Approve, Tranche::Advance, amount, "Willebroek"),
            "U keurt de betaling van € 40.000,00 aan Willebroek goed. Een andere medewerker \
             moet ze daarna als betaald markeren."
        );
        assert!(
            consequence(PSt::Cancel, Tranche::Advance, amount, "Willebroek")
                .starts_with("U annuleert de betaling van € 40.000,00 aan Willebroek")
        );
        assert!(
            consequence(PSt::Approve, Tranche::Reclaim, amount, "Willebroek")
                .contains("de terugvordering van € 40.000,00 bij Willebroek")
        );
    }

    #[test]
    fn marking_paid_needs_a_past_day_and_the_bank_reference_and_cancelling_a_reason() {
        let today = NaiveDate::from_ymd_opt(2026, 12, 6).unwrap();
        let input = |paid_on: &str, bank_reference: &str, reason: &str| StepInput {
            paid_on: paid_on.into(),
            bank_reference: bank_reference.into(),
            reason: reason.into(),
        };
        assert_eq!(
            read_step(PSt::Pay, &input("05-12-2026", " BE-123 ", ""), today).unwrap(),
            StepRecord::Paid {
                on: NaiveDate::from_ymd_opt(2026, 12, 5).unwrap(),
                bank_reference: "BE-123".into()
            }
        );
        let errors = read_step(PSt::Pay, &input("07-12-2026", "", ""), today).unwrap_err();
        assert!(errors.get("paid_on").contains("toekomst"));
        assert_eq!(
            errors.get("bank_reference"),
            "Vul de referentie van de bank in."
        );
        let errors = read_step(PSt::Cancel, &input("", "", "  "), today).unwrap_err();
        assert_eq!(errors.get("reason"), "Vul de reden van de annulering in.");
        assert_eq!(
            read_step(PSt::Cancel, &input("", "", "Dubbel gepland"), today).unwrap(),
            StepRecord::Cancelled {
                reason: "Dubbel gepland".into()
            }
        );
        assert_eq!(
            read_step(PSt::Approve, &input("", "", ""), today).unwrap(),
            StepRecord::Approval
        );
    }
}
