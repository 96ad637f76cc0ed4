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
//!   rule for the lead and for the members.

use super::workflow::{DossierState, SectionLocked, section_open};

/// The members section, as a change request names it.
pub const MEMBERS_SECTION: &str = "leden";

/// Whether a member counts as confirmed: it said yes (`answered_yes`) and its council or college
/// decision is on file.
pub fn is_confirmed(answered_yes: bool, decision_on_file: bool) -> bool {
    answered_yes && decision_on_file
}

/// Whether the members of a dossier in `state` may change now; `requested` are the sections
/// of the open change request, if any (see [`section_open`]).
pub fn membership_open(
    state: DossierState,
    requested: Option<&[String]>,
) -> Result<(), SectionLocked> {
    section_open(state, requested, MEMBERS_SECTION)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_member_without_its_decision_on_file_is_not_confirmed() {
        assert!(is_confirmed(true, true));
        assert!(!is_confirmed(true, false));
        assert!(!is_confirmed(false, true));
    }

    #[test]
    fn members_change_only_while_the_members_section_is_open() {
        let others = vec!["algemeen".to_owned(), "acties".to_owned()];
        let members = vec!["leden".to_owned()];
        assert_eq!(membership_open(DossierState::Draft, None), Ok(()));
        assert_eq!(
            membership_open(DossierState::ChangesRequested, Some(&members)),
            Ok(())
        );
        assert_eq!(
            membership_open(DossierState::ChangesRequested, Some(&others)),
            Err(SectionLocked::NotRequested(others.clone()))
        );
        assert_eq!(
            membership_open(DossierState::Submitted, None),
            Err(SectionLocked::Dossier(DossierState::Submitted))
        );
    }
}
