//! The dossier's life cycle: states, the transitions between them and who may trigger each,
//! in one table ([`TRANSITIONS`]). The web layer maps its stored state to [`DossierState`],
//! asks [`next`] and records the transition; nothing else decides what may follow what.
//!
//! ```text
//! draft ──submit──▶ submitted ──start review──▶ in review ──approve──▶ approved
//!                                   ▲               │ ├──partly approve──▶ partly approved
//!       changes requested ◀─request changes─────────┘ └──reject──▶ rejected
//!              │                    │
//!              └──resubmit──▶ resubmitted ──start review──▶ in review
//! (applicant) withdraw: from any state before a decision ──▶ withdrawn
//! (admin) reopen, with a reason: approved / partly approved / rejected ──▶ in review
//! (admin) return to the applicant, with a reason (call administration):
//!         approved / partly approved / rejected ──▶ changes requested; withdrawn ──▶ draft
//! ```

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DossierState {
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

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Transition {
    Submit,
    StartReview,
    RequestChanges,
    Resubmit,
    Approve,
    PartlyApprove,
    Reject,
    Withdraw,
    Reopen,
    /// An admin gives a decided or withdrawn dossier back to the applicant (call
    /// administration): a decided one to "changes requested", a withdrawn one to "draft".
    ReturnToApplicant,
}

/// Who triggers a transition.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Party {
    /// The lead's officials (the applicant).
    Applicant,
    /// An ABB reviewer.
    Reviewer,
    /// An ABB admin.
    Admin,
}

/// One line of the table: from these states, this transition leads to `to`, for these parties.
#[derive(Debug, Clone, Copy)]
pub struct Rule {
    pub from: &'static [DossierState],
    pub transition: Transition,
    pub to: DossierState,
    pub by: &'static [Party],
}

use DossierState as S;
use Party as P;
use Transition as T;

const STAFF: &[Party] = &[P::Reviewer, P::Admin];
const BEFORE_DECISION: &[DossierState] = &[
    S::Draft,
    S::Submitted,
    S::InReview,
    S::ChangesRequested,
    S::Resubmitted,
];
const DECIDED: &[DossierState] = &[S::Approved, S::PartlyApproved, S::Rejected];

/// The whole life cycle.
pub const TRANSITIONS: &[Rule] = &[
    Rule {
        from: &[S::Draft],
        transition: T::Submit,
        to: S::Submitted,
        by: &[P::Applicant],
    },
    Rule {
        from: &[S::ChangesRequested],
        transition: T::Resubmit,
        to: S::Resubmitted,
        by: &[P::Applicant],
    },
    Rule {
        from: &[S::Submitted, S::Resubmitted],
        transition: T::StartReview,
        to: S::InReview,
        by: STAFF,
    },
    Rule {
        from: &[S::InReview],
        transition: T::RequestChanges,
        to: S::ChangesRequested,
        by: STAFF,
    },
    Rule {
        from: &[S::InReview],
        transition: T::Approve,
        to: S::Approved,
        by: STAFF,
    },
    Rule {
        from: &[S::InReview],
        transition: T::PartlyApprove,
        to: S::PartlyApproved,
        by: STAFF,
    },
    Rule {
        from: &[S::InReview],
        transition: T::Reject,
        to: S::Rejected,
        by: STAFF,
    },
    Rule {
        from: BEFORE_DECISION,
        transition: T::Withdraw,
        to: S::Withdrawn,
        by: &[P::Applicant],
    },
    Rule {
        from: DECIDED,
        transition: T::Reopen,
        to: S::InReview,
        by: &[P::Admin],
    },
    Rule {
        from: DECIDED,
        transition: T::ReturnToApplicant,
        to: S::ChangesRequested,
        by: &[P::Admin],
    },
    Rule {
        from: &[S::Withdrawn],
        transition: T::ReturnToApplicant,
        to: S::Draft,
        by: &[P::Admin],
    },
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum WorkflowError {
    #[error("Een dossier dat {from} is, kan niet {action}.")]
    NotFromHere {
        from: DossierState,
        action: Transition,
    },
    #[error("U mag een dossier niet {action}.")]
    NotYours { action: Transition },
}

/// The state after `transition` from `from` by `party`, or why not.
pub fn next(
    from: DossierState,
    transition: Transition,
    party: Party,
) -> Result<DossierState, WorkflowError> {
    let rule = TRANSITIONS
        .iter()
        .find(|r| r.transition == transition && r.from.contains(&from))
        .ok_or(WorkflowError::NotFromHere {
            from,
            action: transition,
        })?;
    if rule.by.contains(&party) {
        Ok(rule.to)
    } else {
        Err(WorkflowError::NotYours { action: transition })
    }
}

/// The transitions `party` may trigger from `from`, in table order.
pub fn available(from: DossierState, party: Party) -> Vec<Transition> {
    TRANSITIONS
        .iter()
        .filter(|r| r.from.contains(&from) && r.by.contains(&party))
        .map(|r| r.transition)
        .collect()
}

impl DossierState {
    pub const ALL: [DossierState; 9] = [
        S::Draft,
        S::Submitted,
        S::InReview,
        S::ChangesRequested,
        S::Resubmitted,
        S::Approved,
        S::PartlyApproved,
        S::Rejected,
        S::Withdrawn,
    ];

    /// Dutch, as in "het dossier is …".
    pub fn label(self) -> &'static str {
        match self {
            S::Draft => "ontwerp",
            S::Submitted => "ingediend",
            S::InReview => "in beoordeling",
            S::ChangesRequested => "aanpassing gevraagd",
            S::Resubmitted => "opnieuw ingediend",
            S::Approved => "goedgekeurd",
            S::PartlyApproved => "gedeeltelijk goedgekeurd",
            S::Rejected => "afgewezen",
            S::Withdrawn => "ingetrokken",
        }
    }

    pub fn is_decided(self) -> bool {
        DECIDED.contains(&self)
    }

    /// Whether ABB granted the dossier (wholly or partly): it runs, and a cooperation may take
    /// in members during a later round.
    pub fn is_granted(self) -> bool {
        matches!(self, Self::Approved | Self::PartlyApproved)
    }

    /// The code in links and filters (`?status=in_review`), as the database stores it.
    pub fn code(self) -> &'static str {
        match self {
            S::Draft => "draft",
            S::Submitted => "submitted",
            S::InReview => "in_review",
            S::ChangesRequested => "changes_requested",
            S::Resubmitted => "resubmitted",
            S::Approved => "approved",
            S::PartlyApproved => "partly_approved",
            S::Rejected => "rejected",
            S::Withdrawn => "withdrawn",
        }
    }

    /// The state a [`DossierState::code`] names; `None` for anything else.
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }
}

impl fmt::Display for DossierState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

impl Transition {
    pub const ALL: [Transition; 10] = [
        T::Submit,
        T::StartReview,
        T::RequestChanges,
        T::Resubmit,
        T::Approve,
        T::PartlyApprove,
        T::Reject,
        T::Withdraw,
        T::Reopen,
        T::ReturnToApplicant,
    ];

    /// Dutch infinitive, as in "een dossier … ".
    pub fn label(self) -> &'static str {
        match self {
            T::Submit => "indienen",
            T::StartReview => "in beoordeling nemen",
            T::RequestChanges => "terugsturen voor aanpassingen",
            T::Resubmit => "opnieuw indienen",
            T::Approve => "goedkeuren",
            T::PartlyApprove => "gedeeltelijk goedkeuren",
            T::Reject => "afwijzen",
            T::Withdraw => "intrekken",
            T::Reopen => "heropenen",
            T::ReturnToApplicant => "teruggeven aan de aanvrager",
        }
    }

    /// The audit action name.
    pub fn code(self) -> &'static str {
        match self {
            T::Submit => "submit",
            T::StartReview => "start_review",
            T::RequestChanges => "request_changes",
            T::Resubmit => "resubmit",
            T::Approve => "approve",
            T::PartlyApprove => "partly_approve",
            T::Reject => "reject",
            T::Withdraw => "withdraw",
            T::Reopen => "reopen",
            T::ReturnToApplicant => "return_to_applicant",
        }
    }
}

impl fmt::Display for Transition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PARTIES: [Party; 3] = [P::Applicant, P::Reviewer, P::Admin];

    #[test]
    fn every_state_has_a_code_that_reads_back() {
        for s in DossierState::ALL {
            assert_eq!(DossierState::from_code(s.code()), Some(s));
        }
        assert_eq!(DossierState::from_code("onbekend"), None);
    }

    /// The expected answer for every combination, written out independently of the table.
    fn expected(from: DossierState, t: Transition, p: Party) -> Option<DossierState> {
        let staff = matches!(p, P::Reviewer | P::Admin);
        match (from, t) {
            (S::Draft, T::Submit) if p == P::Applicant => Some(S::Submitted),
            (S::ChangesRequested, T::Resubmit) if p == P::Applicant => Some(S::Resubmitted),
            (S::Submitted | S::Resubmitted, T::StartReview) if staff => Some(S::InReview),
            (S::InReview, T::RequestChanges) if staff => Some(S::ChangesRequested),
            (S::InReview, T::Approve) if staff => Some(S::Approved),
            (S::InReview, T::PartlyApprove) if staff => Some(S::PartlyApproved),
            (S::InReview, T::Reject) if staff => Some(S::Rejected),
            (
                S::Draft | S::Submitted | S::InReview | S::ChangesRequested | S::Resubmitted,
                T::Withdraw,
            ) if p == P::Applicant => Some(S::Withdrawn),
            (S::Approved | S::PartlyApproved | S::Rejected, T::Reopen) if p == P::Admin => {
                Some(S::InReview)
            }
            (S::Approved | S::PartlyApproved | S::Rejected, T::ReturnToApplicant)
                if p == P::Admin =>
            {
                Some(S::ChangesRequested)
            }
            (S::Withdrawn, T::ReturnToApplicant) if p == P::Admin => Some(S::Draft),
            _ => None,
        }
    }

    #[test]
    fn every_state_transition_and_party_is_allowed_exactly_as_the_plan_says() {
        for from in DossierState::ALL {
            for t in Transition::ALL {
                for p in PARTIES {
                    assert_eq!(
                        next(from, t, p).ok(),
                        expected(from, t, p),
                        "{from:?} {t:?} {p:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn a_refusal_says_whether_the_state_or_the_party_is_wrong() {
        assert_eq!(
            next(S::Draft, T::Approve, P::Reviewer),
            Err(WorkflowError::NotFromHere {
                from: S::Draft,
                action: T::Approve
            })
        );
        assert_eq!(
            next(S::InReview, T::Approve, P::Applicant),
            Err(WorkflowError::NotYours { action: T::Approve })
        );
        assert_eq!(
            next(S::Draft, T::Approve, P::Reviewer)
                .unwrap_err()
                .to_string(),
            "Een dossier dat ontwerp is, kan niet goedkeuren."
        );
    }

    #[test]
    fn reviewers_see_the_decisions_they_can_take_on_a_dossier_in_review() {
        assert_eq!(
            available(S::InReview, P::Reviewer),
            vec![T::RequestChanges, T::Approve, T::PartlyApprove, T::Reject]
        );
        assert_eq!(
            available(S::Approved, P::Reviewer),
            Vec::<Transition>::new()
        );
        assert_eq!(
            available(S::Approved, P::Admin),
            vec![T::Reopen, T::ReturnToApplicant]
        );
    }

    #[test]
    fn withdrawn_is_final_unless_an_admin_gives_it_back_as_a_draft() {
        for t in Transition::ALL {
            for p in PARTIES {
                let result = next(S::Withdrawn, t, p);
                if t == T::ReturnToApplicant && p == P::Admin {
                    assert_eq!(result, Ok(S::Draft));
                } else {
                    assert!(result.is_err(), "{t:?} {p:?}");
                }
            }
        }
    }
}
