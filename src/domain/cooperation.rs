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

use super::parts::{Locked, Part, may_change};
use super::workflow::DossierState;

/// Whether a member counts as confirmed: it said yes (`answered_yes`) and its council or college
/// decision is on file.
pub fn is_confirmed(answered_yes: bool, decision_on_file: bool) -> bool {
    answered_yes && decision_on_file
}

/// Whether the members of a dossier in `state` may change now; `reopened` are the parts the
/// open change request names, if any (the rule: [`may_change`]).
pub fn membership_open(state: DossierState, reopened: Option<&[Part]>) -> Result<(), Locked> {
    may_change(state, reopened, Part::Members)
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
