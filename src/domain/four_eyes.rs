//! Four eyes on money and decisions (issue 22): a decision, an envelope change, an allocation
//! and a reclaim are proposed by one ABB staff member and confirmed by another, when the amount
//! is above the call's threshold. The payments' own rule (the approver does not mark as paid)
//! is [`crate::domain::payments::may_mark_paid`].
//!
//! Decisions on the rule's ambiguities:
//! - the threshold is the call's `four_eyes_threshold_cents`; 0 means "always" (every amount,
//!   a rejection of € 0,00 included); above 0, an amount strictly above it needs a second
//!   person and an amount up to it stays one step;
//! - the amount of a decision is its total (over every project year, the incentive included);
//!   of an envelope change its size, a reduction counting as much as a raise; of an allocation
//!   the total it grants; of a reclaim the amount reclaimed (a waiver: the maximum it forgoes);
//! - whoever proposed may withdraw the proposal; anyone else of ABB confirms it or sends it
//!   back with a reason; a settled proposal is never settled again.

use std::fmt;

use super::Cents;
use super::call_draft::CallSpec;
use super::decision::Outcome;

/// What a second person confirms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// The decision on a dossier.
    Decision,
    /// A change of a project year's envelope.
    Envelope,
    /// The confirmation of a project year's allocation.
    Allocation,
    /// The decision on a proposed reclaim.
    Reclaim,
}

impl Kind {
    pub const ALL: [Kind; 4] = [
        Kind::Decision,
        Kind::Envelope,
        Kind::Allocation,
        Kind::Reclaim,
    ];

    /// The Dutch name, as a list of proposals shows it.
    pub fn label(self) -> &'static str {
        match self {
            Kind::Decision => "Beslissing",
            Kind::Envelope => "Wijziging van de enveloppe",
            Kind::Allocation => "Bevestiging van de toewijzing",
            Kind::Reclaim => "Terugvordering",
        }
    }

    /// The code in audit entries (`four_eyes.<code>.proposed`).
    pub fn code(self) -> &'static str {
        match self {
            Kind::Decision => "decision",
            Kind::Envelope => "envelope",
            Kind::Allocation => "allocation",
            Kind::Reclaim => "reclaim",
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// The refusal when the person who proposed tries to confirm.
pub const REFUSAL: &str = "Een andere medewerker moet deze beslissing bevestigen (vier ogen).";

/// The refusal when someone else than the proposer tries to withdraw a proposal.
pub const ONLY_PROPOSER_WITHDRAWS: &str =
    "Alleen wie het voorstel deed, kan het intrekken. U kunt het bevestigen of terugsturen.";

/// The refusal when a proposal was settled already.
pub const SETTLED: &str =
    "Over dit voorstel is intussen al beslist. Open de pagina opnieuw en kijk de huidige stand na.";

/// The refusal when a second proposal is made while one waits.
pub const ALREADY_PENDING: &str = "Er wacht al een voorstel op bevestiging. Bevestig het, stuur \
     het terug of trek het in voor u een nieuw voorstel doet.";

/// The message when a proposal is sent back without a reason.
pub const REASON_NEEDED: &str = "Geef de reden op waarom u het voorstel terugstuurt.";

/// Whether `amount` needs a second person under a call's `threshold` (0: always).
pub fn needs_second_person(threshold: Cents, amount: Cents) -> bool {
    threshold == Cents::ZERO || amount > threshold
}

/// The size of an envelope change from `before` to `after`: a reduction counts as much as a
/// raise.
pub fn envelope_change(before: Cents, after: Cents) -> Cents {
    before
        .checked_sub(after)
        .or_else(|| after.checked_sub(before))
        .unwrap_or_default()
}

/// Whether user `by` may confirm what `proposed_by` proposed: anyone of ABB but the proposer.
pub fn may_confirm(proposed_by: i64, by: i64) -> Result<(), &'static str> {
    if proposed_by == by {
        Err(REFUSAL)
    } else {
        Ok(())
    }
}

/// Whether user `by` may confirm an allocation that `computed_by` computed and `adjusted_by`
/// last adjusted: neither of them (allocations from before this rule name nobody).
pub fn may_confirm_allocation(
    computed_by: Option<i64>,
    adjusted_by: Option<i64>,
    by: i64,
) -> Result<(), &'static str> {
    if computed_by == Some(by) || adjusted_by == Some(by) {
        Err(REFUSAL)
    } else {
        Ok(())
    }
}

/// Whether user `by` may withdraw what `proposed_by` proposed: only the proposer.
pub fn may_withdraw(proposed_by: i64, by: i64) -> Result<(), &'static str> {
    if proposed_by == by {
        Ok(())
    } else {
        Err(ONLY_PROPOSER_WITHDRAWS)
    }
}

/// The reason to send a proposal back, trimmed; [`REASON_NEEDED`] when there is none.
pub fn refusal_reason(typed: &str) -> Result<String, &'static str> {
    let reason = typed.trim();
    if reason.is_empty() {
        Err(REASON_NEEDED)
    } else {
        Ok(reason.to_owned())
    }
}

/// "voorgesteld door An, bevestigd door Bert" for a decision a second person confirmed; `None`
/// for one taken in one step.
pub fn signatures(proposed_by: Option<&str>, confirmed_by: &str) -> Option<String> {
    proposed_by.map(|p| format!("voorgesteld door {p}, bevestigd door {confirmed_by}"))
}

/// What confirming a proposed decision does, in words: the dossier of `lead` is decided with
/// `outcome` for `total`; the municipality is told; an approval schedules the advances.
pub fn decision_consequence(outcome: Outcome, total: Cents, lead: &str) -> String {
    match outcome {
        Outcome::Rejected => format!(
            "U bevestigt de afwijzing. {lead} krijgt de beslissing te zien en wordt per e-mail \
             verwittigd."
        ),
        _ => format!(
            "U bevestigt de beslissing: {} voor {total}. {lead} krijgt de beslissing te zien en \
             wordt per e-mail verwittigd; de voorschotten worden ingepland.",
            outcome.label()
        ),
    }
}

/// A project year's envelope as an edit of the call changes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct EnvelopeChange {
    pub year: u16,
    pub before: Cents,
    pub after: Cents,
}

impl EnvelopeChange {
    /// "Projectjaar 1: € 100.000,00 wordt € 80.000,00".
    pub fn sentence(&self) -> String {
        format!(
            "Projectjaar {}: {} wordt {}",
            self.year, self.before, self.after
        )
    }
}

/// The envelope changes from `before` to `after` that need a second person under `threshold`:
/// project years in both whose envelope changes by more than the threshold (0: any change). A
/// project year added or dropped by the edit is not an envelope change.
pub fn envelope_changes(
    before: &CallSpec,
    after: &CallSpec,
    threshold: Cents,
) -> Vec<EnvelopeChange> {
    after
        .project_years
        .iter()
        .filter_map(|y| {
            let old = before.project_years.iter().find(|b| b.number == y.number)?;
            let change = EnvelopeChange {
                year: y.number,
                before: old.envelope,
                after: y.envelope,
            };
            (old.envelope != y.envelope
                && needs_second_person(threshold, envelope_change(old.envelope, y.envelope)))
            .then_some(change)
        })
        .collect()
}

/// `after` with the envelopes of `changes` kept as they were: what an edit saves at once while
/// the changes wait for a second person.
pub fn keep_envelopes(mut after: CallSpec, changes: &[EnvelopeChange]) -> CallSpec {
    for y in &mut after.project_years {
        if let Some(c) = changes.iter().find(|c| c.year == y.number) {
            y.envelope = c.before;
        }
    }
    after
}

/// The size of a proposal of envelope changes: the largest change.
pub fn envelope_changes_size(changes: &[EnvelopeChange]) -> Cents {
    changes
        .iter()
        .map(|c| envelope_change(c.before, c.after))
        .max()
        .unwrap_or_default()
}

/// What confirming proposed envelope changes does, in words.
pub fn envelope_consequence(changes: &[EnvelopeChange]) -> String {
    let list: Vec<String> = changes.iter().map(EnvelopeChange::sentence).collect();
    format!(
        "U bevestigt de nieuwe enveloppe: {}. De toewijzing rekent voortaan met dit bedrag; een \
         voorstel van toewijzing op het oude bedrag moet opnieuw berekend worden.",
        list.join("; ")
    )
}

/// What confirming a proposed reclaim decision does, in words: `amount` is reclaimed from
/// `lead` (scheduled as a payment owed back), or nothing is (`None`); `lead` is told.
pub fn reclaim_consequence(amount: Option<Cents>, lead: &str) -> String {
    match amount {
        Some(amount) => format!(
            "U bevestigt dat {lead} {amount} terugbetaalt: de terugbetaling wordt ingepland en \
             {lead} wordt per e-mail verwittigd."
        ),
        None => format!(
            "U bevestigt dat er niets wordt teruggevorderd. {lead} wordt per e-mail verwittigd."
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(cents: i64) -> Cents {
        Cents::new(cents).unwrap()
    }

    #[test]
    fn a_threshold_of_zero_asks_a_second_person_for_every_amount() {
        for amount in [0, 1, 4_000_000, i64::MAX] {
            assert!(needs_second_person(Cents::ZERO, c(amount)), "{amount}");
        }
    }

    #[test]
    fn above_the_threshold_needs_a_second_person_and_up_to_it_one_step_suffices() {
        let threshold = c(10_000_000);
        assert!(!needs_second_person(threshold, Cents::ZERO));
        assert!(!needs_second_person(threshold, c(9_999_999)));
        assert!(!needs_second_person(threshold, c(10_000_000)));
        assert!(needs_second_person(threshold, c(10_000_001)));
    }

    #[test]
    fn an_envelope_change_counts_its_size_whether_it_raises_or_reduces() {
        assert_eq!(envelope_change(c(100_000), c(150_000)), c(50_000));
        assert_eq!(envelope_change(c(150_000), c(100_000)), c(50_000));
        assert_eq!(envelope_change(c(100_000), c(100_000)), Cents::ZERO);
        assert_eq!(envelope_change(Cents::ZERO, c(i64::MAX)), c(i64::MAX));
        assert_eq!(envelope_change(c(i64::MAX), Cents::ZERO), c(i64::MAX));
    }

    #[test]
    fn the_proposer_cannot_confirm_and_anyone_else_can() {
        assert_eq!(may_confirm(7, 7), Err(REFUSAL));
        assert_eq!(may_confirm(7, 8), Ok(()));
        assert_eq!(
            REFUSAL,
            "Een andere medewerker moet deze beslissing bevestigen (vier ogen)."
        );
    }

    #[test]
    fn who_computed_or_last_adjusted_an_allocation_cannot_confirm_it() {
        assert_eq!(may_confirm_allocation(Some(1), None, 1), Err(REFUSAL));
        assert_eq!(may_confirm_allocation(Some(1), Some(2), 2), Err(REFUSAL));
        assert_eq!(may_confirm_allocation(Some(1), Some(2), 3), Ok(()));
        assert_eq!(may_confirm_allocation(None, None, 3), Ok(()));
    }

    #[test]
    fn only_the_proposer_withdraws() {
        assert_eq!(may_withdraw(7, 7), Ok(()));
        assert_eq!(may_withdraw(7, 8), Err(ONLY_PROPOSER_WITHDRAWS));
    }

    #[test]
    fn sending_back_needs_a_reason() {
        assert_eq!(refusal_reason("  "), Err(REASON_NEEDED));
        assert_eq!(refusal_reason(""), Err(REASON_NEEDED));
        assert_eq!(
            refusal_reason(" Bedrag actie 2.1 te hoog. "),
            Ok("Bedrag actie 2.1 te hoog.".to_owned())
        );
    }

    #[test]
    fn every_kind_has_a_dutch_label_and_its_own_code() {
        let labels: std::collections::BTreeSet<_> = Kind::ALL.iter().map(|k| k.label()).collect();
        let codes: std::collections::BTreeSet<_> = Kind::ALL.iter().map(|k| k.code()).collect();
        assert_eq!(labels.len(), Kind::ALL.len());
        assert_eq!(codes.len(), Kind::ALL.len());
        assert_eq!(Kind::Decision.to_string(), "Beslissing");
        assert_eq!(Kind::Envelope.label(), "Wijziging van de enveloppe");
    }

    #[test]
    fn confirming_a_decision_says_that_the_municipality_is_told_and_advances_are_scheduled() {
        assert_eq!(
            decision_consequence(Outcome::Approved, c(10_000_000), "Willebroek"),
            "U bevestigt de beslissing: goedgekeurd voor € 100.000,00. Willebroek krijgt de \
             beslissing te zien en wordt per e-mail verwittigd; de voorschotten worden ingepland."
        );
        assert!(
            decision_consequence(Outcome::PartlyApproved, c(1), "Mechelen")
                .starts_with("U bevestigt de beslissing: gedeeltelijk goedgekeurd voor € 0,01.")
        );
        assert_eq!(
            decision_consequence(Outcome::Rejected, Cents::ZERO, "Mechelen"),
            "U bevestigt de afwijzing. Mechelen krijgt de beslissing te zien en wordt per e-mail \
             verwittigd."
        );
    }

    #[test]
    fn confirming_a_reclaim_says_what_is_paid_back_or_that_nothing_is() {
        assert_eq!(
            reclaim_consequence(Some(c(125_000)), "Willebroek"),
            "U bevestigt dat Willebroek € 1.250,00 terugbetaalt: de terugbetaling wordt ingepland \
             en Willebroek wordt per e-mail verwittigd."
        );
        assert_eq!(
            reclaim_consequence(None, "Willebroek"),
            "U bevestigt dat er niets wordt teruggevorderd. Willebroek wordt per e-mail verwittigd."
        );
    }

    fn year(number: u16, envelope: i64) -> crate::domain::call_draft::ProjectYearSpec {
        crate::domain::call_draft::envelope_tests::year(number, c(envelope))
    }

    use crate::domain::call_draft::envelope_tests::spec as call;

    #[test]
    fn an_envelope_raised_or_cut_beyond_the_threshold_waits_and_the_rest_saves_at_once() {
        let before = call(vec![year(1, 10_000_000), year(2, 10_000_000), year(3, 5)]);
        let after = call(vec![year(1, 8_000_000), year(2, 10_000_100), year(4, 7)]);
        let always = envelope_changes(&before, &after, Cents::ZERO);
        assert_eq!(
            always,
            vec![
                EnvelopeChange {
                    year: 1,
                    before: c(10_000_000),
                    after: c(8_000_000)
                },
                EnvelopeChange {
                    year: 2,
                    before: c(10_000_000),
                    after: c(10_000_100)
                },
            ],
            "a new or dropped year is not an envelope change"
        );
        let above = envelope_changes(&before, &after, c(1_000));
        assert_eq!(above.len(), 1, "a change of € 1,00 stays below € 10,00");
        assert_eq!(above[0].year, 1);
        assert_eq!(envelope_changes_size(&always), c(2_000_000));
        assert!(envelope_changes(&before, &before, Cents::ZERO).is_empty());

        let saved = keep_envelopes(after, &above);
        assert_eq!(saved.project_years[0].envelope, c(10_000_000), "kept");
        assert_eq!(saved.project_years[1].envelope, c(10_000_100), "saved");
    }

    #[test]
    fn confirming_envelope_changes_names_each_year_with_both_amounts() {
        let text = envelope_consequence(&[EnvelopeChange {
            year: 1,
            before: c(10_000_000),
            after: c(8_000_000),
        }]);
        assert!(
            text.starts_with(
                "U bevestigt de nieuwe enveloppe: Projectjaar 1: € 100.000,00 wordt € 80.000,00."
            ),
            "{text}"
        );
    }

    #[test]
    fn a_confirmed_decision_names_who_proposed_and_who_confirmed() {
        assert_eq!(
            signatures(Some("An Peeters"), "Bert Claes").as_deref(),
            Some("voorgesteld door An Peeters, bevestigd door Bert Claes")
        );
        assert_eq!(signatures(None, "Bert Claes"), None);
    }
}
