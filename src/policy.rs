//! Who may do what: the one place that decides. Pure functions of (user, action, resource);
//! handlers ask through [`crate::web::guard`], which turns a refusal into 403 or 404 and audits it.
//!
//! Rules:
//! - officials act for exactly one municipality or partner organisation; they see and change only
//!   dossiers their organisation leads, and read (never change) pooled dossiers it is a member of;
//! - a member's council or college decision on taking part is the member's: only that member's
//!   officials remove or replace it, never the lead ([`AttachmentOwner`]);
//! - reviewers (ABB) see everything and review, but never act as a municipality;
//! - admins (ABB) do what reviewers do and manage calls, accounts and the audit log.
//!
//! A refused look at another organisation's dossier answers 404, so ids cannot be probed.

use entity::app_user::{self, UserRole};

/// The facts about a user that decisions need.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Actor {
    pub user_id: i64,
    pub role: UserRole,
    pub municipality_id: Option<i64>,
    pub partner_organisation_id: Option<i64>,
    pub active: bool,
}

impl From<&app_user::Model> for Actor {
    fn from(user: &app_user::Model) -> Self {
        Self {
            user_id: user.id,
            role: user.role,
            municipality_id: user.municipality_id,
            partner_organisation_id: user.partner_organisation_id,
            active: user.active,
        }
    }
}

/// Who takes part in a dossier: its lead (a municipality or a partner organisation) and members.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DossierParties {
    pub lead_municipality_id: Option<i64>,
    pub partner_organisation_id: Option<i64>,
    /// Member municipalities other than the lead (invited or confirmed).
    pub member_municipality_ids: Vec<i64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Read a dossier and its state, reports and decision.
    ViewDossier,
    /// Change a draft, answer change requests, withdraw, submit: the lead's officials only.
    EditDossier,
    /// Confirm or decline membership of a pooled dossier: the member's officials only.
    AnswerMembership,
    /// Start a dossier for one's own organisation.
    StartDossier,
    /// Review, request changes, propose amounts.
    ReviewDossier,
    /// Confirm allocations, reopen decisions, manage calls.
    AdministerCalls,
    /// Approve, mark as paid or cancel payments of the follow-up: ABB (reviewers and admins).
    ManagePayments,
    /// Create, deactivate and re-bind accounts.
    ManageUsers,
    /// Browse the audit log.
    ViewAudit,
    /// Read a municipality's eligibility verdict and the pooling advisor's cooperations: staff
    /// for every municipality, officials for their own only (the municipality is passed as the
    /// lead of `parties`).
    ViewEligibility,
    /// Remove or replace an attachment of a dossier: the dossier's own ones the lead's officials
    /// (as [`Action::EditDossier`]), a member's decision only that member's officials.
    ChangeAttachment(AttachmentOwner),
    /// Set the bank account one's own organisation is paid on: its own officials only (ABB never
    /// sets where its money goes).
    ManageBankAccount,
}

/// Whose an attachment of a dossier is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttachmentOwner {
    /// The dossier's own (a decision, the budget sheet, others): the lead's.
    Dossier,
    /// The council or college decision of member municipality `.0` on taking part.
    Member(i64),
}

impl AttachmentOwner {
    /// The owner of a stored attachment: the member whose municipality it carries (only a
    /// member's decision on taking part does), else the dossier.
    pub fn of(municipality_id: Option<i64>) -> Self {
        municipality_id.map_or(Self::Dossier, Self::Member)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The user may know the resource exists but may not do this: 403.
    Forbidden,
    /// The user may not even know the resource exists: 404.
    Hidden,
}

pub type Decision = Result<(), Refusal>;

/// The decision for `actor` doing `action`, on a dossier with `parties` where it applies.
pub fn decide(actor: &Actor, action: Action, parties: Option<&DossierParties>) -> Decision {
    if !actor.active {
        return Err(Refusal::Forbidden);
    }
    match (actor.role, action) {
        (UserRole::Admin, _) => match action {
            // Staff never act as a municipality.
            Action::EditDossier
            | Action::AnswerMembership
            | Action::StartDossier
            | Action::ChangeAttachment(_)
            | Action::ManageBankAccount => Err(Refusal::Forbidden),
            _ => Ok(()),
        },
        (
            UserRole::Reviewer,
            Action::ViewDossier
            | Action::ReviewDossier
            | Action::ManagePayments
            | Action::ViewEligibility,
        ) => Ok(()),
        (UserRole::Reviewer, _) => Err(Refusal::Forbidden),
        (UserRole::Official, Action::StartDossier | Action::ManageBankAccount) => {
            if actor.municipality_id.is_some() || actor.partner_organisation_id.is_some() {
                Ok(())
            } else {
                Err(Refusal::Forbidden)
            }
        }
        (UserRole::Official, Action::ViewDossier) => match parties {
            Some(p) if leads(actor, p) || is_member(actor, p) => Ok(()),
            _ => Err(Refusal::Hidden),
        },
        (UserRole::Official, Action::EditDossier) => match parties {
            Some(p) if leads(actor, p) => Ok(()),
            Some(p) if is_member(actor, p) => Err(Refusal::Forbidden),
            _ => Err(Refusal::Hidden),
        },
        (UserRole::Official, Action::AnswerMembership) => match parties {
            Some(p) if is_member(actor, p) => Ok(()),
            Some(p) if leads(actor, p) => Err(Refusal::Forbidden),
            _ => Err(Refusal::Hidden),
        },
        (UserRole::Official, Action::ChangeAttachment(AttachmentOwner::Dossier)) => {
            decide(actor, Action::EditDossier, parties)
        }
        (UserRole::Official, Action::ChangeAttachment(AttachmentOwner::Member(owner))) => {
            match parties {
                Some(p) if is_member(actor, p) && actor.municipality_id == Some(owner) => Ok(()),
                Some(p) if leads(actor, p) || is_member(actor, p) => Err(Refusal::Forbidden),
                _ => Err(Refusal::Hidden),
            }
        }
        (UserRole::Official, Action::ViewEligibility) => match parties {
            Some(p) if actor.municipality_id.is_some() && leads(actor, p) => Ok(()),
            _ => Err(Refusal::Forbidden),
        },
        (UserRole::Official, _) => Err(Refusal::Forbidden),
    }
}

fn leads(actor: &Actor, parties: &DossierParties) -> bool {
    match (actor.municipality_id, actor.partner_organisation_id) {
        (Some(m), _) => parties.lead_municipality_id == Some(m),
        (None, Some(p)) => parties.partner_organisation_id == Some(p),
        (None, None) => false,
    }
}

fn is_member(actor: &Actor, parties: &DossierParties) -> bool {
    actor
        .municipality_id
        .is_some_and(|m| parties.member_municipality_ids.contains(&m))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn official(municipality: i64) -> Actor {
        Actor {
            user_id: municipality * 10,
            role: UserRole::Official,
            municipality_id: Some(municipality),
            partner_organisation_id: None,
            active: true,
        }
    }

    fn staff(role: UserRole) -> Actor {
        Actor {
            user_id: 1,
            role,
            municipality_id: None,
            partner_organisation_id: None,
            active: true,
        }
    }

    fn dossier_led_by(lead: i64, members: &[i64]) -> DossierParties {
        DossierParties {
            lead_municipality_id: Some(lead),
            partner_organisation_id: None,
            member_municipality_ids: members.to_vec(),
        }
    }

    #[test]
    fn an_official_sees_and_edits_the_dossier_of_their_own_municipality() {
        let d = dossier_led_by(1, &[]);
        assert_eq!(decide(&official(1), Action::ViewDossier, Some(&d)), Ok(()));
        assert_eq!(decide(&official(1), Action::EditDossier, Some(&d)), Ok(()));
    }

    #[test]
    fn an_official_of_another_municipality_cannot_even_detect_a_dossier() {
        let d = dossier_led_by(1, &[2]);
        for action in [
            Action::ViewDossier,
            Action::EditDossier,
            Action::AnswerMembership,
        ] {
            assert_eq!(decide(&official(3), action, Some(&d)), Err(Refusal::Hidden));
        }
    }

    #[test]
    fn a_member_reads_a_pooled_dossier_and_answers_but_does_not_edit() {
        let d = dossier_led_by(1, &[2]);
        assert_eq!(decide(&official(2), Action::ViewDossier, Some(&d)), Ok(()));
        assert_eq!(
            decide(&official(2), Action::AnswerMembership, Some(&d)),
            Ok(())
        );
        assert_eq!(
            decide(&official(2), Action::EditDossier, Some(&d)),
            Err(Refusal::Forbidden)
        );
        assert_eq!(
            decide(&official(1), Action::AnswerMembership, Some(&d)),
            Err(Refusal::Forbidden)
        );
    }

    #[test]
    fn only_the_member_removes_or_replaces_its_own_decision() {
        let d = dossier_led_by(1, &[2, 3]);
        let own = Action::ChangeAttachment(AttachmentOwner::Member(2));
        assert_eq!(decide(&official(2), own, Some(&d)), Ok(()));
        assert_eq!(
            decide(&official(1), own, Some(&d)),
            Err(Refusal::Forbidden),
            "not the lead"
        );
        assert_eq!(
            decide(&official(3), own, Some(&d)),
            Err(Refusal::Forbidden),
            "not another member"
        );
        assert_eq!(decide(&official(4), own, Some(&d)), Err(Refusal::Hidden));
        for role in [UserRole::Reviewer, UserRole::Admin] {
            assert_eq!(decide(&staff(role), own, Some(&d)), Err(Refusal::Forbidden));
        }
        // The dossier's own attachments are the lead's.
        let dossiers = Action::ChangeAttachment(AttachmentOwner::Dossier);
        assert_eq!(decide(&official(1), dossiers, Some(&d)), Ok(()));
        assert_eq!(
            decide(&official(2), dossiers, Some(&d)),
            Err(Refusal::Forbidden)
        );
        assert_eq!(AttachmentOwner::of(Some(2)), AttachmentOwner::Member(2));
        assert_eq!(AttachmentOwner::of(None), AttachmentOwner::Dossier);
    }

    #[test]
    fn reviewers_see_and_review_everything_but_never_act_as_a_municipality() {
        let d = dossier_led_by(1, &[]);
        let reviewer = staff(UserRole::Reviewer);
        assert_eq!(decide(&reviewer, Action::ViewDossier, Some(&d)), Ok(()));
        assert_eq!(decide(&reviewer, Action::ReviewDossier, Some(&d)), Ok(()));
        assert_eq!(decide(&reviewer, Action::ManagePayments, None), Ok(()));
        for action in [
            Action::EditDossier,
            Action::StartDossier,
            Action::AnswerMembership,
            Action::ManageUsers,
            Action::ViewAudit,
            Action::AdministerCalls,
        ] {
            assert_eq!(
                decide(&reviewer, action, Some(&d)),
                Err(Refusal::Forbidden),
                "{action:?}"
            );
        }
    }

    #[test]
    fn admins_manage_but_never_act_as_a_municipality() {
        let admin = staff(UserRole::Admin);
        for action in [
            Action::ManageUsers,
            Action::ViewAudit,
            Action::AdministerCalls,
            Action::ReviewDossier,
        ] {
            assert_eq!(decide(&admin, action, None), Ok(()));
        }
        assert_eq!(
            decide(&admin, Action::EditDossier, None),
            Err(Refusal::Forbidden)
        );
        assert_eq!(
            decide(&admin, Action::StartDossier, None),
            Err(Refusal::Forbidden)
        );
    }

    #[test]
    fn officials_never_manage_accounts_or_see_the_audit_log() {
        for action in [
            Action::ManageUsers,
            Action::ViewAudit,
            Action::ReviewDossier,
            Action::AdministerCalls,
            Action::ManagePayments,
        ] {
            assert_eq!(decide(&official(1), action, None), Err(Refusal::Forbidden));
        }
    }

    #[test]
    fn officials_read_the_eligibility_of_their_own_municipality_only() {
        let own = dossier_led_by(1, &[]);
        let other = dossier_led_by(2, &[]);
        assert_eq!(
            decide(&official(1), Action::ViewEligibility, Some(&own)),
            Ok(())
        );
        assert_eq!(
            decide(&official(1), Action::ViewEligibility, Some(&other)),
            Err(Refusal::Forbidden)
        );
        for role in [UserRole::Reviewer, UserRole::Admin] {
            assert_eq!(
                decide(&staff(role), Action::ViewEligibility, Some(&other)),
                Ok(())
            );
        }
    }

    #[test]
    fn only_an_organisations_own_officials_set_where_it_is_paid() {
        assert_eq!(
            decide(&official(1), Action::ManageBankAccount, None),
            Ok(())
        );
        let mut unbound = official(1);
        unbound.municipality_id = None;
        assert_eq!(
            decide(&unbound, Action::ManageBankAccount, None),
            Err(Refusal::Forbidden)
        );
        for role in [UserRole::Reviewer, UserRole::Admin] {
            assert_eq!(
                decide(&staff(role), Action::ManageBankAccount, None),
                Err(Refusal::Forbidden)
            );
        }
    }

    #[test]
    fn a_deactivated_account_may_do_nothing() {
        let mut admin = staff(UserRole::Admin);
        admin.active = false;
        assert_eq!(
            decide(&admin, Action::ViewAudit, None),
            Err(Refusal::Forbidden)
        );
    }

    #[test]
    fn a_partner_organisation_leads_its_own_dossier() {
        let vgc = Actor {
            user_id: 5,
            role: UserRole::Official,
            municipality_id: None,
            partner_organisation_id: Some(7),
            active: true,
        };
        let d = DossierParties {
            lead_municipality_id: None,
            partner_organisation_id: Some(7),
            member_municipality_ids: vec![],
        };
        assert_eq!(decide(&vgc, Action::EditDossier, Some(&d)), Ok(()));
        assert_eq!(
            decide(&vgc, Action::ViewDossier, Some(&dossier_led_by(1, &[]))),
            Err(Refusal::Hidden)
        );
    }
}
