//! The formal decision as a document, pure: what ABB's decision on a dossier says to the
//! municipality (or partner organisation), built once from the stored decision, the call and
//! the follow-up's payments, and rendered twice: as the page `/dossiers/{id}/beslissing` and
//! as its PDF. The rules that shape it live here:
//!
//! - the amounts per action and project year, with the cooperation incentive per year and the
//!   totals, only when the decision grants something (a rejection shows no amounts);
//! - the payment schedule: per project year the advance (the call's share, rounded down) and
//!   the balance (the rest), with the planned day of the advance and the condition of the
//!   balance (the year report accepted, with its deadline); a tranche the follow-up already
//!   scheduled or paid is shown as it stands; a reopened decision schedules nothing;
//! - the texts the sources do not give (legal basis, appeal route, the signatory's role) come
//!   from the call, each with its own "illustrative" mark; a call without them says so.

use chrono::NaiveDate;

use super::decision::Outcome;
use super::money::Cents;
use super::payments::{PaymentState, Tranche, split_tranches};
use super::types::BasisPoints;

/// Who issues every decision.
pub const ISSUER: &str = "Agentschap Binnenlands Bestuur";

/// What the page and the PDF say next to a text of the call that is illustrative.
pub const ILLUSTRATIVE_MARK: &str = super::illustrative::MARK;

/// A text of the call that the decision quotes (legal basis, appeal route, signatory's role).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CallText {
    /// `None` when the call does not give it.
    pub text: Option<String>,
    /// Not from an official source: shown with [`ILLUSTRATIVE_MARK`].
    pub illustrative: bool,
}

impl CallText {
    /// The text as shown: the call's, or a sentence that it is missing.
    pub fn shown(&self) -> &str {
        match self.text.as_deref().map(str::trim) {
            Some(text) if !text.is_empty() => text,
            _ => "Nog niet vastgelegd voor deze oproep.",
        }
    }

    /// Whether the text gets the illustrative mark: illustrative, or missing (then nothing
    /// official stands in its place either).
    pub fn marked(&self) -> bool {
        self.illustrative || self.text.as_deref().is_none_or(|t| t.trim().is_empty())
    }
}

/// To whom the decision is addressed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Addressee {
    Municipality(String),
    Partner(String),
    /// The lead municipality and the members of the cooperation.
    Cooperation {
        lead: String,
        members: Vec<String>,
    },
}

impl Addressee {
    /// The name on the decision: the lead municipality or the partner organisation.
    pub fn name(&self) -> &str {
        match self {
            Self::Municipality(name) | Self::Partner(name) => name,
            Self::Cooperation { lead, .. } => lead,
        }
    }

    /// How the addressee is named in the address block ("Gemeente Antwerpen", …).
    pub fn line(&self) -> String {
        match self {
            Self::Municipality(name) => format!("Gemeente {name}"),
            Self::Partner(name) => name.clone(),
            Self::Cooperation { lead, .. } => {
                format!("Gemeente {lead}, trekker van de samenwerking")
            }
        }
    }

    /// The members of a cooperation (empty otherwise).
    pub fn members(&self) -> &[String] {
        match self {
            Self::Cooperation { members, .. } => members,
            _ => &[],
        }
    }
}

/// One action's grant, per project year of the decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GrantLine {
    pub code: String,
    pub title: String,
    /// What the dossier asked per project year.
    pub requested: Cents,
    /// Aligned with [`Grants::years`].
    pub per_year: Vec<Cents>,
    pub total: Cents,
}

/// The amounts of a decision that grants something.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grants {
    pub years: Vec<i32>,
    pub lines: Vec<GrantLine>,
    /// The cooperation incentive of each project year, aligned with [`Grants::years`] (zero
    /// when there is none; a member taken in during a later round brings it from its year on).
    pub incentive_by_year: Vec<Cents>,
    pub incentive_total: Cents,
    /// Per project year: the actions and the incentive.
    pub year_totals: Vec<Cents>,
    pub total: Cents,
}

impl Grants {
    /// Whether the decision grants a cooperation incentive.
    pub fn has_incentive(&self) -> bool {
        self.incentive_by_year.iter().any(|c| *c > Cents::ZERO)
    }
}

/// When a tranche is paid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PaymentMoment {
    /// Planned on this day (ABB has not paid it yet).
    Planned(NaiveDate),
    /// Paid on this day.
    Paid(NaiveDate),
    /// After ABB accepted the year report, due by this day (when known).
    AfterYearReport(Option<NaiveDate>),
}

impl PaymentMoment {
    /// Dutch: when or on which condition.
    pub fn describe(&self) -> String {
        let long = super::time::date_long;
        match self {
            Self::Planned(day) => format!("gepland op {}", long(*day)),
            Self::Paid(day) => format!("betaald op {}", long(*day)),
            Self::AfterYearReport(Some(due)) => format!(
                "na goedkeuring van het jaarrapport (in te dienen uiterlijk {})",
                long(*due)
            ),
            Self::AfterYearReport(None) => "na goedkeuring van het jaarrapport".to_owned(),
        }
    }
}

/// One tranche of the payment schedule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScheduledPayment {
    pub year: i32,
    pub tranche: Tranche,
    pub amount: Cents,
    pub moment: PaymentMoment,
}

impl ScheduledPayment {
    /// "Voorschot projectjaar 1", "Saldo projectjaar 2".
    pub fn label(&self) -> String {
        let what = match self.tranche {
            Tranche::Advance => "Voorschot",
            Tranche::Balance => "Saldo",
            Tranche::Reclaim => "Terugvordering",
        };
        format!("{what} projectjaar {}", self.year)
    }

    pub fn when(&self) -> String {
        self.moment.describe()
    }
}

/// A decision that no longer stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reopened {
    pub on: NaiveDate,
    pub reason: String,
}

/// The formal decision, as the page and the PDF show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecisionDocument {
    pub application_id: i64,
    pub reference: String,
    pub title: String,
    pub call_title: String,
    /// The call's parameters are fictitious (a demo call).
    pub fictitious_call: bool,
    pub addressee: Addressee,
    pub decided_on: NaiveDate,
    pub outcome: Outcome,
    pub motivation: String,
    pub reopened: Option<Reopened>,
    /// `None` for a rejection.
    pub grants: Option<Grants>,
    /// Empty for a rejection and for a reopened decision.
    pub payments: Vec<ScheduledPayment>,
    pub advance_share: BasisPoints,
    pub legal_basis: CallText,
    pub appeal_route: CallText,
    pub signatory_role: CallText,
}

impl DecisionDocument {
    /// The decision in one sentence.
    pub fn outcome_sentence(&self) -> String {
        let subject = format!(
            "Het {ISSUER} {} het dossier {} van {}",
            match self.outcome {
                Outcome::Approved => "keurt",
                Outcome::PartlyApproved => "keurt",
                Outcome::Rejected => "wijst",
            },
            self.reference,
            self.addressee.name()
        );
        match (&self.outcome, &self.grants) {
            (Outcome::Rejected, _) => format!("{subject} af."),
            (Outcome::PartlyApproved, Some(g)) => format!(
                "{subject} gedeeltelijk goed en kent een subsidie toe van {} in totaal.",
                g.total
            ),
            (_, Some(g)) => format!(
                "{subject} goed en kent een subsidie toe van {} in totaal.",
                g.total
            ),
            (_, None) => format!("{subject} goed."),
        }
    }

    /// The advance share as people write it: `80%`, `72,50%`.
    pub fn advance_percent(&self) -> String {
        let bp = self.advance_share.get();
        if bp.is_multiple_of(100) {
            format!("{}%", bp / 100)
        } else {
            format!("{},{:02}%", bp / 100, bp % 100)
        }
    }

    /// How the payments are split, in one sentence.
    pub fn schedule_explanation(&self) -> String {
        format!(
            "Per projectjaar betaalt ABB een voorschot van {} van het toegekende bedrag \
             (naar beneden afgerond op de cent) en het saldo na goedkeuring van het jaarrapport. \
             Betalingen gaan naar {}.",
            self.advance_percent(),
            self.addressee.name()
        )
    }

    /// What a reopened decision says about itself.
    pub fn reopened_sentence(&self) -> Option<String> {
        self.reopened.as_ref().map(|r| {
            let reason = r.reason.trim().trim_end_matches('.');
            let why = if reason.is_empty() {
                String::new()
            } else {
                format!(" Reden: {reason}.")
            };
            format!(
                "Deze beslissing werd op {} heropend en geldt niet meer: ABB beoordeelt het \
                 dossier opnieuw en betaalt niets uit op basis van deze beslissing.{why}",
                super::time::date_long(r.on)
            )
        })
    }

    /// The total of the payment schedule (the advances and balances).
    pub fn payments_total(&self) -> Cents {
        Cents::checked_sum(self.payments.iter().map(|p| p.amount)).unwrap_or_default()
    }

    /// The PDF's file name: `beslissing-<reference>.pdf`, with only letters, digits, `-` and
    /// `_` from the reference.
    pub fn file_name(&self) -> String {
        let safe: String = self
            .reference
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                    c
                } else {
                    '-'
                }
            })
            .collect();
        format!("beslissing-{safe}.pdf")
    }

    /// The document's title: "Beslissing over dossier PS-2022-2024-0001".
    pub fn heading(&self) -> String {
        format!("Beslissing over dossier {}", self.reference)
    }
}

// ------------------------------------------------------------------ building it

/// An action of the dossier.
#[derive(Debug, Clone)]
pub struct SourceAction {
    pub id: i64,
    pub code: String,
    pub title: String,
    pub requested: Cents,
}

/// A payment of the follow-up, as stored.
#[derive(Debug, Clone)]
pub struct SourcePayment {
    pub year: i32,
    pub tranche: Tranche,
    pub amount: Cents,
    pub state: PaymentState,
    pub due_on: Option<NaiveDate>,
    pub paid_on: Option<NaiveDate>,
}

/// Everything the document is built from.
#[derive(Debug, Clone)]
pub struct Source {
    pub application_id: i64,
    pub reference: String,
    pub title: String,
    pub call_title: String,
    pub fictitious_call: bool,
    pub addressee: Addressee,
    /// The day of the decision in Brussels.
    pub decided_on: NaiveDate,
    pub outcome: Outcome,
    pub motivation: String,
    pub reopened: Option<Reopened>,
    /// The dossier's project years.
    pub years: Vec<i32>,
    /// In the dossier's order.
    pub actions: Vec<SourceAction>,
    /// `(action id, project year, granted)`.
    pub lines: Vec<(i64, i32, Cents)>,
    /// The incentive of each project year, aligned with [`Source::years`].
    pub incentive_by_year: Vec<Cents>,
    pub payments: Vec<SourcePayment>,
    /// Per project year: the day it starts (the advance's day when none is scheduled).
    pub year_starts: Vec<(i32, NaiveDate)>,
    /// Per project year: the year report's deadline.
    pub year_report_due: Vec<(i32, NaiveDate)>,
    pub advance_share: BasisPoints,
    pub legal_basis: CallText,
    pub appeal_route: CallText,
    pub signatory_role: CallText,
}

/// Builds the document from `source` (the rules in the module's documentation).
pub fn build(source: Source) -> DecisionDocument {
    let grants = (source.outcome != Outcome::Rejected).then(|| grants(&source));
    let payments = match &grants {
        Some(g) if source.reopened.is_none() => schedule(&source, g),
        _ => Vec::new(),
    };
    DecisionDocument {
        application_id: source.application_id,
        reference: source.reference,
        title: source.title,
        call_title: source.call_title,
        fictitious_call: source.fictitious_call,
        addressee: source.addressee,
        decided_on: source.decided_on,
        outcome: source.outcome,
        motivation: source.motivation,
        reopened: source.reopened,
        grants,
        payments,
        advance_share: source.advance_share,
        legal_basis: source.legal_basis,
        appeal_route: source.appeal_route,
        signatory_role: source.signatory_role,
    }
}

fn sum(amounts: impl IntoIterator<Item = Cents>) -> Cents {
    Cents::checked_sum(amounts).unwrap_or_default()
}

/// The amounts per action and year (actions the decision has no line for are left out), the
/// incentive and the totals.
fn grants(source: &Source) -> Grants {
    let granted = |action: i64, year: i32| {
        sum(source
            .lines
            .iter()
            .filter(|(a, y, _)| *a == action && *y == year)
            .map(|(_, _, amount)| *amount))
    };
    let lines: Vec<GrantLine> = source
        .actions
        .iter()
        .filter(|a| source.lines.iter().any(|(id, _, _)| *id == a.id))
        .map(|a| {
            let per_year: Vec<Cents> = source.years.iter().map(|y| granted(a.id, *y)).collect();
            GrantLine {
                code: a.code.clone(),
                title: a.title.clone(),
                requested: a.requested,
                total: sum(per_year.iter().copied()),
                per_year,
            }
        })
        .collect();
    let year_totals: Vec<Cents> = source
        .years
        .iter()
        .enumerate()
        .map(|(i, _)| {
            sum(lines.iter().map(|l| l.per_year[i]).chain(std::iter::once(
                source.incentive_by_year.get(i).copied().unwrap_or_default(),
            )))
        })
        .collect();
    let incentive_by_year: Vec<Cents> = (0..source.years.len())
        .map(|i| source.incentive_by_year.get(i).copied().unwrap_or_default())
        .collect();
    Grants {
        years: source.years.clone(),
        total: sum(year_totals.iter().copied()),
        lines,
        incentive_total: sum(incentive_by_year.iter().copied()),
        incentive_by_year,
        year_totals,
    }
}

/// The advance and balance of every project year: what the follow-up scheduled (not
/// cancelled) as it stands, else what the decision plans.
fn schedule(source: &Source, grants: &Grants) -> Vec<ScheduledPayment> {
    let live = |year: i32, tranche: Tranche| {
        source
            .payments
            .iter()
            .find(|p| p.year == year && p.tranche == tranche && p.state != PaymentState::Cancelled)
    };
    let shown = |p: &SourcePayment, fallback: PaymentMoment| ScheduledPayment {
        year: p.year,
        tranche: p.tranche,
        amount: p.amount,
        moment: match (p.state, p.paid_on, p.due_on) {
            (PaymentState::Paid, Some(day), _) => PaymentMoment::Paid(day),
            (_, _, Some(day)) => PaymentMoment::Planned(day),
            _ => fallback,
        },
    };
    let mut out = Vec::new();
    for (year, total) in grants.years.iter().zip(&grants.year_totals) {
        if *total == Cents::ZERO {
            continue;
        }
        let planned = split_tranches(*total, source.advance_share);
        let starts = source
            .year_starts
            .iter()
            .find(|(y, _)| y == year)
            .map(|(_, d)| *d);
        let report_due = source
            .year_report_due
            .iter()
            .find(|(y, _)| y == year)
            .map(|(_, d)| *d);
        let advance = match (live(*year, Tranche::Advance), starts) {
            (Some(p), _) => Some(shown(
                p,
                starts.map_or(PaymentMoment::AfterYearReport(None), PaymentMoment::Planned),
            )),
            (None, Some(day)) if planned.advance > Cents::ZERO => Some(ScheduledPayment {
                year: *year,
                tranche: Tranche::Advance,
                amount: planned.advance,
                moment: PaymentMoment::Planned(day),
            }),
            _ => None,
        };
        let advanced = advance.as_ref().map_or(Cents::ZERO, |a| a.amount);
        let balance = match live(*year, Tranche::Balance) {
            Some(p) => Some(shown(p, PaymentMoment::AfterYearReport(report_due))),
            None => {
                let rest = total.saturating_sub(advanced);
                (rest > Cents::ZERO).then_some(ScheduledPayment {
                    year: *year,
                    tranche: Tranche::Balance,
                    amount: rest,
                    moment: PaymentMoment::AfterYearReport(report_due),
                })
            }
        };
        out.extend(advance);
        out.extend(balance);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn euros(e: i64) -> Cents {
        Cents::from_euros(e).unwrap()
    }

    fn text(t: &str) -> CallText {
        CallText {
            text: Some(t.to_owned()),
            illustrative: true,
        }
    }

    /// A cooperation approved for two project years: action 1.1 granted € 20.000 per year,
    /// action 2.1 € 5.000 per year, an incentive of € 10.000 per year, 80% advance; the
    /// follow-up scheduled the advance of year 1.
    fn source() -> Source {
        Source {
            application_id: 7,
            reference: "PS-2022-2024-0007".into(),
            title: "Samen in de Rupelstreek".into(),
            call_title: "Provisie Samenleven 2022-2024".into(),
            fictitious_call: false,
            addressee: Addressee::Cooperation {
                lead: "Willebroek".into(),
                members: vec!["Puurs-Sint-Amands".into(), "Boom".into()],
            },
            decided_on: day(2022, 9, 23),
            outcome: Outcome::PartlyApproved,
            motivation: "Goed plan.".into(),
            reopened: None,
            years: vec![1, 2],
            actions: vec![
                SourceAction {
                    id: 11,
                    code: "1.1".into(),
                    title: "Oefenkansen Nederlands".into(),
                    requested: euros(25_000),
                },
                SourceAction {
                    id: 21,
                    code: "2.1".into(),
                    title: "Buurtwerking".into(),
                    requested: euros(5_000),
                },
            ],
            lines: vec![
                (11, 1, euros(20_000)),
                (21, 1, euros(5_000)),
                (11, 2, euros(20_000)),
                (21, 2, euros(5_000)),
            ],
            incentive_by_year: vec![euros(10_000), euros(10_000)],
            payments: vec![SourcePayment {
                year: 1,
                tranche: Tranche::Advance,
                amount: euros(28_000),
                state: PaymentState::Scheduled,
                due_on: Some(day(2022, 10, 1)),
                paid_on: None,
            }],
            year_starts: vec![(1, day(2022, 10, 1)), (2, day(2023, 10, 1))],
            year_report_due: vec![(1, day(2023, 10, 15)), (2, day(2024, 10, 15))],
            advance_share: BasisPoints::new(8000).unwrap(),
            legal_basis: text("Het besluit over de provisie Samenleven."),
            appeal_route: text("Beroep bij de Raad van State binnen 60 dagen."),
            signatory_role: text("De administrateur-generaal"),
        }
    }

    #[test]
    fn the_amounts_per_action_and_year_add_up_with_the_incentive_to_the_total() {
        let doc = build(source());
        let g = doc
            .grants
            .as_ref()
            .expect("a partly approved decision has amounts");
        assert_eq!(g.years, vec![1, 2]);
        assert_eq!(g.lines.len(), 2);
        assert_eq!(g.lines[0].code, "1.1");
        assert_eq!(g.lines[0].per_year, vec![euros(20_000), euros(20_000)]);
        assert_eq!(g.lines[0].total, euros(40_000));
        assert_eq!(g.lines[0].requested, euros(25_000));
        assert_eq!(g.lines[1].total, euros(10_000));
        assert_eq!(g.incentive_total, euros(20_000));
        assert_eq!(g.year_totals, vec![euros(35_000), euros(35_000)]);
        assert_eq!(g.total, euros(70_000));
        assert_eq!(
            doc.outcome_sentence(),
            "Het Agentschap Binnenlands Bestuur keurt het dossier PS-2022-2024-0007 van Willebroek \
             gedeeltelijk goed en kent een subsidie toe van € 70.000,00 in totaal."
        );
    }

    #[test]
    fn the_schedule_has_an_advance_and_a_balance_per_year_that_add_up_to_the_grant() {
        let doc = build(source());
        let p = &doc.payments;
        assert_eq!(p.len(), 4);
        assert_eq!(p[0].label(), "Voorschot projectjaar 1");
        assert_eq!(p[0].amount, euros(28_000));
        assert_eq!(p[0].when(), "gepland op 1 oktober 2022");
        assert_eq!(p[1].label(), "Saldo projectjaar 1");
        assert_eq!(p[1].amount, euros(7_000));
        assert_eq!(
            p[1].when(),
            "na goedkeuring van het jaarrapport (in te dienen uiterlijk 15 oktober 2023)"
        );
        // Year 2 has no payment yet: planned from the call's advance share and the year's start.
        assert_eq!(p[2].amount, euros(28_000));
        assert_eq!(p[2].moment, PaymentMoment::Planned(day(2023, 10, 1)));
        assert_eq!(p[3].amount, euros(7_000));
        assert_eq!(doc.payments_total(), euros(70_000));
        assert_eq!(doc.advance_percent(), "80%");
        assert!(doc.schedule_explanation().contains("voorschot van 80%"));
        assert!(
            doc.schedule_explanation()
                .ends_with("Betalingen gaan naar Willebroek.")
        );
    }

    #[test]
    fn a_paid_advance_shows_its_day_and_the_balance_is_the_rest_of_the_year() {
        let mut s = source();
        s.payments = vec![SourcePayment {
            year: 1,
            tranche: Tranche::Advance,
            amount: euros(27_000),
            state: PaymentState::Paid,
            due_on: Some(day(2022, 10, 1)),
            paid_on: Some(day(2022, 10, 4)),
        }];
        let doc = build(s);
        assert_eq!(doc.payments[0].when(), "betaald op 4 oktober 2022");
        assert_eq!(doc.payments[1].amount, euros(8_000));
    }

    #[test]
    fn an_advance_rounded_down_leaves_the_cent_to_the_balance() {
        let mut s = source();
        s.years = vec![1];
        s.lines = vec![(11, 1, Cents::new(1_000_001).unwrap())];
        s.incentive_by_year = vec![Cents::ZERO; s.years.len()];
        s.payments = Vec::new();
        let doc = build(s);
        assert_eq!(doc.payments[0].amount, Cents::new(800_000).unwrap());
        assert_eq!(doc.payments[1].amount, Cents::new(200_001).unwrap());
        assert_eq!(doc.payments_total(), Cents::new(1_000_001).unwrap());
    }

    #[test]
    fn a_cancelled_payment_is_not_shown_and_a_scheduled_balance_is() {
        let mut s = source();
        s.payments = vec![
            SourcePayment {
                year: 1,
                tranche: Tranche::Advance,
                amount: euros(1),
                state: PaymentState::Cancelled,
                due_on: Some(day(2022, 10, 1)),
                paid_on: None,
            },
            SourcePayment {
                year: 1,
                tranche: Tranche::Balance,
                amount: euros(6_500),
                state: PaymentState::Approved,
                due_on: Some(day(2023, 11, 1)),
                paid_on: None,
            },
        ];
        let doc = build(s);
        assert_eq!(doc.payments[0].amount, euros(28_000), "planned anew");
        assert_eq!(
            doc.payments[1].amount,
            euros(6_500),
            "the balance as scheduled"
        );
        assert_eq!(doc.payments[1].when(), "gepland op 1 november 2023");
    }

    #[test]
    fn a_rejection_has_no_amounts_and_no_payments_but_keeps_its_motivation_and_appeal() {
        let mut s = source();
        s.outcome = Outcome::Rejected;
        let doc = build(s);
        assert!(doc.grants.is_none());
        assert!(doc.payments.is_empty());
        assert_eq!(doc.motivation, "Goed plan.");
        assert!(doc.appeal_route.shown().contains("Raad van State"));
        assert_eq!(
            doc.outcome_sentence(),
            "Het Agentschap Binnenlands Bestuur wijst het dossier PS-2022-2024-0007 van Willebroek af."
        );
    }

    #[test]
    fn a_reopened_decision_keeps_its_amounts_and_schedules_no_payment() {
        let mut s = source();
        s.reopened = Some(Reopened {
            on: day(2022, 11, 2),
            reason: "Rekenfout".into(),
        });
        let doc = build(s);
        assert!(doc.grants.is_some());
        assert!(doc.payments.is_empty());
        assert_eq!(
            doc.reopened_sentence().unwrap(),
            "Deze beslissing werd op 2 november 2022 heropend en geldt niet meer: ABB beoordeelt \
             het dossier opnieuw en betaalt niets uit op basis van deze beslissing. Reden: Rekenfout."
        );
        assert_eq!(build(source()).reopened_sentence(), None);
    }

    #[test]
    fn a_text_the_call_does_not_give_says_so_and_is_marked() {
        let missing = CallText::default();
        assert_eq!(missing.shown(), "Nog niet vastgelegd voor deze oproep.");
        assert!(missing.marked());
        let official = CallText {
            text: Some("Decreet".into()),
            illustrative: false,
        };
        assert!(!official.marked());
        assert!(text("Decreet").marked());
    }

    #[test]
    fn the_addressee_is_the_lead_with_its_members_or_the_partner() {
        let doc = build(source());
        assert_eq!(doc.addressee.name(), "Willebroek");
        assert_eq!(
            doc.addressee.line(),
            "Gemeente Willebroek, trekker van de samenwerking"
        );
        assert_eq!(doc.addressee.members(), ["Puurs-Sint-Amands", "Boom"]);
        let partner = Addressee::Partner("Vlaamse Gemeenschapscommissie".into());
        assert_eq!(partner.line(), "Vlaamse Gemeenschapscommissie");
        assert!(partner.members().is_empty());
        assert_eq!(
            Addressee::Municipality("Antwerpen".into()).line(),
            "Gemeente Antwerpen"
        );
    }

    #[test]
    fn the_file_name_carries_the_reference_and_nothing_a_header_could_trip_over() {
        let mut doc = build(source());
        assert_eq!(doc.file_name(), "beslissing-PS-2022-2024-0007.pdf");
        doc.reference = "PS \"x\"/1".into();
        assert_eq!(doc.file_name(), "beslissing-PS--x--1.pdf");
    }
}
