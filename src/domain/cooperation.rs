//! Membership of a cooperation (a pooled dossier): who counts as confirmed, and when the members
//! may change. Pure functions; the policy decides who may act ([`crate::policy`]).
//!
//! Decisions:
//! - a member counts as confirmed only while its council or college decision on taking part is
//!   on file ([`is_confirmed`]): removing the decision un-confirms the member, and a dossier
//!   with a member whose decision is missing cannot be submitted;
//! - only the member itself removes or replaces its decision, never the lead
//!   ([`crate::policy::AttachmentOwner::Member`]);
//! - who takes part changes (the lead invites or removes a member; a member confirms, replaces
//!   or removes its decision, or leaves) only while the members section is open
//!   ([`membership_open`]): in a draft, or when ABB's change request named that section. One
//!   rule for the lead and for the members;
//! - the lead invites only municipalities of the call's directory in its own reference region,
//!   never itself ([`invitable`]); "one dossier per municipality per call" is the database's
//!   unique constraint;
//! - a member declining gives a short reason ([`check_decline_reason`]);
//! - a member confirming states what it commits of the dossier's own contribution per project
//!   year, money or staff time valued in euro ([`read_commitment`]); zero is a valid answer
//!   (the lead may carry the own contribution). What the members commit together is compared
//!   with the dossier's own contribution ([`lead_share`]): more than the dossier's own
//!   contribution is a warning for the lead, not a block, since the plan only *expects*
//!   co-financing.

use super::dutch::{format_count, format_money};
use super::figures::{Directory, Municipality};
use super::money::Cents;
use super::parts::{Locked, Part, may_change};
use super::types::NisCode;
use super::workflow::DossierState;

/// The longest reason for declining.
pub const DECLINE_REASON_MAX_CHARS: usize = 2000;

/// The municipality `nis` when the lead `lead_nis` may invite it into its cooperation: both in
/// the call's `directory`, not the lead itself, and in the lead's reference region. Else why
/// not, in Dutch.
pub fn invitable(
    directory: &Directory,
    lead_nis: NisCode,
    nis: NisCode,
) -> Result<&Municipality, String> {
    let lead = directory.get(lead_nis).ok_or_else(|| {
        "De trekker staat niet in de gemeentelijke indeling van deze oproep.".to_owned()
    })?;
    let Some(member) = directory.get(nis) else {
        return Err(format!(
            "NIS-code {nis} is geen gemeente van de indeling van deze oproep."
        ));
    };
    if nis == lead_nis {
        return Err(format!("{} is de trekker van dit dossier.", member.name));
    }
    if member.region_code != lead.region_code {
        return Err(format!(
            "{} ligt in de referentieregio {}, niet in de referentieregio {}: een samenwerking blijft binnen één referentieregio.",
            member.name, member.region_name, lead.region_name
        ));
    }
    Ok(member)
}

/// A member's reason for declining: present and short.
pub fn check_decline_reason(reason: &str) -> Result<(), String> {
    if reason.is_empty() || reason.chars().count() > DECLINE_REASON_MAX_CHARS {
        Err(format!(
            "Geef kort de reden op waarom uw gemeente niet deelneemt (hoogstens {} tekens).",
            format_count(DECLINE_REASON_MAX_CHARS as u64)
        ))
    } else {
        Ok(())
    }
}

/// The message when a confirming member gave no commitment.
pub const COMMITMENT_MISSING: &str = "Vul in hoeveel uw gemeente per projectjaar bijdraagt aan \
    de eigen inbreng, in euro (bv. 5.000,00). Personeelsinzet telt mee, gewaardeerd in euro; \
    vul 0 in als de trekker de eigen inbreng draagt.";

/// A confirming member's commitment to the own contribution, per project year, as typed
/// (Belgian notation, [`Cents::parse`]). Else why not, in Dutch.
pub fn read_commitment(typed: &str) -> Result<Cents, String> {
    let typed = typed.trim();
    if typed.is_empty() {
        return Err(COMMITMENT_MISSING.to_owned());
    }
    Cents::parse(typed).map_err(|e| format!("Bijdrage per projectjaar: {e}"))
}

/// How the dossier's own contribution per project year (`own`) is carried: what the members
/// commit together, and what is left for the lead. `Err` with the excess when the members
/// commit more than the dossier's own contribution.
pub fn lead_share(own: Cents, commitments: &[Cents]) -> Result<Cents, Cents> {
    let committed = commitments
        .iter()
        .fold(Cents::ZERO, |sum, c| sum.saturating_add(*c));
    own.checked_sub(committed)
        .ok_or_else(|| committed.saturating_sub(own))
}

/// The lead's warning when the members commit more than the dossier's own contribution.
pub fn excess_warning(own: Cents, excess: Cents) -> String {
    if own == Cents::ZERO {
        return format!(
            "De deelnemende gemeenten zeggen samen {} per projectjaar toe, maar de begroting van \
             het dossier heeft nog geen eigen inbreng. Vul bij elke actie de eigen inbreng in.",
            format_money(excess.get())
        );
    }
    format!(
        "De deelnemende gemeenten zeggen samen {} per projectjaar meer toe dan de eigen inbreng \
         van het dossier ({}). Pas de eigen inbreng in de begroting aan, of vraag een deelnemer \
         zijn bijdrage te herzien.",
        format_money(excess.get()),
        format_money(own.get())
    )
}

/// Whether a member counts as confirmed: it said yes (`answered_yes`) and its council or college
/// decision is on file.
pub fn is_confirmed(answered_yes: bool, decision_on_file: bool) -> bool {
    answered_yes && decision_on_file
}

/// Whether a member still owes its answer to the invitation: it was invited and has not
/// answered (`invited`), and the dossier is one whose members can still change (a draft, or
/// sent back), or the member was taken in during a later round of a decided cooperation
/// (`late`: it answers during that round). Then the member's dashboard, its dossier list and
/// the dossier page lead straight to the consent page, so a lost e-mail never blocks the
/// cooperation.
pub fn awaits_answer(invited: bool, state: DossierState, late: bool) -> bool {
    invited && (super::parts::is_editable(state) || (late && state.is_granted()))
}

/// Where a cooperation stands against the pooled threshold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ThresholdStanding {
    /// The lead and the members that confirmed reach it together.
    Reached,
    /// Only when the invited members that have not confirmed yet do: not yet a fact.
    ReachedOnceConfirmed,
    /// Not even with every invited member.
    NotReached,
}

/// Where the cooperation stands: `confirmed` counts the lead and the confirmed members,
/// `with_invited` also the members that have not answered yet (declined members have left).
/// The threshold is inclusive, as in the eligibility rule.
pub fn threshold_standing(confirmed: u64, with_invited: u64, threshold: u64) -> ThresholdStanding {
    if confirmed >= threshold {
        ThresholdStanding::Reached
    } else if with_invited >= threshold {
        ThresholdStanding::ReachedOnceConfirmed
    } else {
        ThresholdStanding::NotReached
    }
}

/// Whether the lead may remind a member that has not answered, `last_sent_on` its latest
/// reminder's day: at most one reminder per member per day.
pub fn may_remind(last_sent_on: Option<chrono::NaiveDate>, today: chrono::NaiveDate) -> bool {
    last_sent_on.is_none_or(|day| day < today)
}

/// Whether the members of a dossier in `state` may change now; `reopened` are the parts the
/// open change request names, if any (the rule: [`may_change`]).
pub fn membership_open(state: DossierState, reopened: Option<&[Part]>) -> Result<(), Locked> {
    may_change(state, reopened, Part::Members)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::figures::tests::town;

    fn nis(code: u32) -> NisCode {
        NisCode::new(code).unwrap()
    }

    #[test]
    fn an_invited_member_is_asked_for_its_answer_only_while_the_dossier_can_change() {
        assert!(awaits_answer(true, DossierState::Draft, false));
        assert!(awaits_answer(true, DossierState::ChangesRequested, false));
        assert!(!awaits_answer(false, DossierState::Draft, false));
        for locked in [
            DossierState::Submitted,
            DossierState::InReview,
            DossierState::Withdrawn,
            DossierState::Approved,
        ] {
            assert!(!awaits_answer(true, locked, false), "{locked:?}");
        }
        // A member taken in during a later round answers on the decided dossier.
        assert!(awaits_answer(true, DossierState::Approved, true));
        assert!(!awaits_answer(true, DossierState::InReview, true));
        assert!(!awaits_answer(true, DossierState::Rejected, true));
    }

    #[test]
    fn the_threshold_counts_as_reached_only_with_the_confirmed_members() {
        use ThresholdStanding::*;
        assert_eq!(threshold_standing(7_500, 7_500, 7_500), Reached);
        assert_eq!(
            threshold_standing(4_024, 7_610, 7_500),
            ReachedOnceConfirmed
        );
        assert_eq!(threshold_standing(4_024, 7_499, 7_500), NotReached);
    }

    #[test]
    fn a_member_is_reminded_at_most_once_a_day() {
        let day = |d| chrono::NaiveDate::from_ymd_opt(2022, 6, d).unwrap();
        assert!(may_remind(None, day(20)));
        assert!(!may_remind(Some(day(20)), day(20)));
        assert!(may_remind(Some(day(19)), day(20)));
    }

    #[test]
    fn the_lead_invites_only_others_of_its_own_region() {
        let directory = Directory::new(vec![
            town(46_025, "Sint-Niklaas", "R14", 12_000, 78_000),
            town(46_021, "Temse", "R14", 2_000, 12_000),
            town(41_002, "Aalst", "R11", 2_000, 86_000),
        ])
        .unwrap();
        let lead = nis(46_025);
        assert_eq!(
            invitable(&directory, lead, nis(46_021)).map(|m| m.name.as_str()),
            Ok("Temse")
        );
        assert_eq!(
            invitable(&directory, lead, lead).unwrap_err(),
            "Sint-Niklaas is de trekker van dit dossier."
        );
        assert!(
            invitable(&directory, lead, nis(41_002))
                .unwrap_err()
                .contains("binnen één referentieregio")
        );
        assert!(
            invitable(&directory, lead, nis(11_001))
                .unwrap_err()
                .starts_with("NIS-code 11001")
        );
        assert!(
            invitable(&directory, nis(11_001), nis(46_021))
                .unwrap_err()
                .contains("De trekker staat niet")
        );
    }

    #[test]
    fn declining_takes_a_short_reason() {
        assert!(check_decline_reason("Geen budget").is_ok());
        assert!(check_decline_reason("").is_err());
        assert!(check_decline_reason(&"x".repeat(2001)).is_err());
        assert_eq!(
            check_decline_reason("").unwrap_err(),
            "Geef kort de reden op waarom uw gemeente niet deelneemt (hoogstens 2.000 tekens)."
        );
    }

    #[test]
    fn a_confirming_member_states_its_commitment_in_euro() {
        assert_eq!(
            read_commitment("5.000,00"),
            Ok(Cents::new(500_000).unwrap())
        );
        assert_eq!(
            read_commitment(" 0 "),
            Ok(Cents::ZERO),
            "zero: the lead carries it"
        );
        assert_eq!(read_commitment(""), Err(COMMITMENT_MISSING.to_owned()));
        let negative = read_commitment("-5").unwrap_err();
        assert!(
            negative.starts_with("Bijdrage per projectjaar: "),
            "{negative}"
        );
        assert!(read_commitment("vijf").is_err());
    }

    #[test]
    fn the_lead_carries_what_the_members_do_not_commit() {
        let euros = |e: i64| Cents::from_euros(e).unwrap();
        assert_eq!(
            lead_share(euros(10_000), &[euros(2_000), euros(3_000)]),
            Ok(euros(5_000))
        );
        assert_eq!(lead_share(euros(10_000), &[]), Ok(euros(10_000)));
        assert_eq!(lead_share(euros(10_000), &[euros(10_000)]), Ok(Cents::ZERO));
        assert_eq!(
            lead_share(euros(4_000), &[euros(3_000), euros(2_000)]),
            Err(euros(1_000))
        );
        assert!(excess_warning(Cents::ZERO, euros(3_500)).starts_with(
            "De deelnemende gemeenten zeggen samen € 3.500,00 per projectjaar toe, maar de \
                 begroting van het dossier heeft nog geen eigen inbreng."
        ));
        assert!(
            excess_warning(euros(4_000), euros(1_000)).starts_with(
                "De deelnemende gemeenten zeggen samen € 1.000,00 per projectjaar meer"
            )
        );
    }

    #[test]
    fn a_member_without_its_decision_on_file_is_not_confirmed() {
        assert!(is_confirmed(true, true));
        assert!(!is_confirmed(true, false));
        assert!(!is_confirmed(false, true));
    }

    #[test]
    fn members_change_only_while_the_members_section_is_open() {
        let others = vec![Part::General, Part::Actions];
        let members = vec![Part::Members];
        assert_eq!(membership_open(DossierState::Draft, None), Ok(()));
        assert_eq!(
            membership_open(DossierState::ChangesRequested, Some(&members)),
            Ok(())
        );
        assert_eq!(
            membership_open(DossierState::ChangesRequested, Some(&others)),
            Err(Locked::NotReopened {
                reopened: others.clone()
            })
        );
        assert_eq!(
            membership_open(DossierState::Submitted, None),
            Err(Locked::NotEditable {
                state: DossierState::Submitted
            })
        );
    }
}
