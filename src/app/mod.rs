//! The use-case layer: one command per user action.
//!
//! A command takes the [`Caller`] (who, from where, at what time) and typed input, and owns
//! everything the action means: the policy check, the transaction ([`Work`]), the version check,
//! the domain's rules, the audit entries, the e-mails (rendered from `templates/mail/`) and the
//! consequences (follow-up schedule, payments, lapsed decisions). It returns a typed result or an
//! [`Error`] that carries Dutch field messages. Page handlers (`crate::web`) and API handlers
//! (`crate::api`) are adapters: extract → command → render.
//!
//! Dependencies point one way: `domain` ← `store` ← `app` ← (`web`, `api`). This module never
//! imports `crate::web`; a test (`tests/architecture.rs`) fails the build when it does.

pub mod account;
pub mod allocation;
pub mod attachments;
pub mod bank_account;
pub mod calls;
pub mod cooperation;
pub mod decision_document;
pub mod dossier;
pub mod error;
pub mod followup;
pub mod four_eyes;
pub mod messages;
pub mod notify;
pub mod organisations;
pub mod outbox;
pub mod payments;
pub mod review;
pub mod saved_filters;
pub mod users;
pub mod work;

pub use error::{Error, Result};
pub use work::Work;

use chrono::{DateTime, Utc};

use entity::app_user;

use crate::audit::AuditEntry;
use crate::auth::session::SessionUser;
use crate::policy::{self, Action, DossierParties, Refusal};
use crate::state::AppState;

/// Who runs a command, from where, and when.
#[derive(Debug, Clone)]
pub struct Caller {
    /// The signed-in user; `None` for the system (a scheduled job, a command-line tool).
    pub user: Option<app_user::Model>,
    /// How the audit trail names the caller: `Naam <e-mail>`, or the job's name.
    pub label: String,
    pub ip: Option<String>,
    /// The moment of the request, from the application's clock.
    pub now: DateTime<Utc>,
}

impl Caller {
    /// A signed-in user at `now`.
    pub fn user(user: &SessionUser, ip: Option<String>, now: DateTime<Utc>) -> Self {
        Self {
            user: Some(user.user.clone()),
            label: user.label(),
            ip,
            now,
        }
    }

    /// The system itself (a job), named for the audit trail.
    pub fn system(label: &str, now: DateTime<Utc>) -> Self {
        Self {
            user: None,
            label: label.to_owned(),
            ip: None,
            now,
        }
    }

    /// Who the caller is in the state machines: the applicant, a reviewer, an admin (the
    /// system acts as an admin).
    pub fn party(&self) -> crate::domain::workflow::Party {
        use crate::domain::workflow::Party;
        use entity::app_user::UserRole;
        match self.user.as_ref().map(|u| u.role) {
            Some(UserRole::Official) => Party::Applicant,
            Some(UserRole::Reviewer) => Party::Reviewer,
            Some(UserRole::Admin) | None => Party::Admin,
        }
    }

    /// The day of the request in Brussels.
    pub fn today(&self) -> chrono::NaiveDate {
        crate::domain::time::brussels_date(self.now)
    }

    pub fn user_id(&self) -> Option<i64> {
        self.user.as_ref().map(|u| u.id)
    }

    /// An audit entry by this caller.
    pub fn audit(&self, action: &str, resource_type: &str, id: impl ToString) -> AuditEntry {
        AuditEntry::new(action, resource_type, Some(id.to_string()))
            .by(self.user_id(), self.label.clone())
            .from_ip(self.ip.clone())
            .at(self.now)
    }

    /// The same caller as the audit trail of the store layer knows it.
    pub fn by(&self) -> crate::store::followup::By {
        crate::store::followup::By {
            user_id: self.user_id(),
            label: self.label.clone(),
            ip: self.ip.clone(),
        }
    }

    /// Asks the policy whether the caller may do `action` (on the dossier `dossier_id` with
    /// `parties`); a refusal is audited (in its own statement: it must stay even though the
    /// command stops) and becomes [`Error::Forbidden`], or [`Error::NotFound`] where the caller
    /// may not learn the dossier exists.
    pub async fn may(
        &self,
        state: &AppState,
        action: Action,
        dossier: Option<(i64, &DossierParties)>,
    ) -> Result<()> {
        self.may_on(
            state,
            action,
            dossier.map(|(id, parties)| (id.to_string(), parties)),
        )
        .await
    }

    /// [`Caller::may`] for a resource named by text (a dossier's id, or `municipality:<nis>`
    /// for a municipality's standing), as the refusal's audit entry names it.
    pub async fn may_on(
        &self,
        state: &AppState,
        action: Action,
        resource: Option<(String, &DossierParties)>,
    ) -> Result<()> {
        let Some(user) = &self.user else {
            // The system acts on its own behalf; jobs never reach a user's dossier by request.
            return Ok(());
        };
        let decision = policy::decide(
            &policy::Actor::from(user),
            action,
            resource.as_ref().map(|(_, p)| *p),
        );
        let Err(refusal) = decision else {
            return Ok(());
        };
        crate::audit::record(
            &state.db,
            AuditEntry::new("access.denied", "dossier", resource.map(|(id, _)| id))
                .by(Some(user.id), self.label.clone())
                .from_ip(self.ip.clone())
                .at(self.now)
                .details(format!("{action:?}")),
        )
        .await?;
        Err(match refusal {
            Refusal::Forbidden => Error::Forbidden,
            Refusal::Hidden => Error::NotFound,
        })
    }
}

/// Loads dossier `id` with its content for `caller` doing `action`, or answers "not found" /
/// "forbidden" (audited) through the policy: the one way a command reaches a dossier.
pub async fn dossier_for(
    state: &AppState,
    caller: &Caller,
    id: i64,
    action: Action,
) -> Result<crate::store::drafts::DossierContent> {
    let dossier = crate::store::applications::with_parties(&state.db, id)
        .await?
        .ok_or(Error::NotFound)?;
    caller
        .may(state, action, Some((id, &dossier.parties)))
        .await?;
    Ok(crate::store::drafts::load(&state.db, dossier).await?)
}

/// [`dossier_for`] for a page that only shows the dossier: the call's rules and catalog come from
/// the reference data in memory (`reference`), not from the database on every request.
pub async fn dossier_for_reading(
    state: &AppState,
    caller: &Caller,
    id: i64,
    action: Action,
    reference: &crate::store::reference_cache::Reference,
) -> Result<crate::store::drafts::DossierContent> {
    let dossier = crate::store::applications::with_parties(&state.db, id)
        .await?
        .ok_or(Error::NotFound)?;
    caller
        .may(state, action, Some((id, &dossier.parties)))
        .await?;
    Ok(crate::store::drafts::load_cached(&state.db, reference, dossier).await?)
}

/// Refuses a change to `part` of dossier `app` unless the applicant may change it now (the rule:
/// [`crate::domain::parts::may_change`]): in a draft, or, after ABB asked for changes, only the
/// parts the change request reopened.
pub async fn ensure_part_open<C: sea_orm::ConnectionTrait>(
    db: &C,
    app: &entity::application::Model,
    part: crate::domain::parts::Part,
) -> Result<()> {
    use crate::domain::parts::{Locked, may_change};
    let reopened = crate::store::change_requests::reopened_parts(db, app).await?;
    may_change(app.state.into(), reopened.as_deref(), part).map_err(|locked| match locked {
        Locked::NotEditable { state } => Error::Conflict(crate::domain::parts::locked_sentence(
            state,
            app.submitted_at,
        )),
        other => Error::Conflict(other.to_string()),
    })
}
