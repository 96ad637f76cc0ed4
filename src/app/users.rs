//! Account management (admins): create an account with an e-mailed invitation, activate or
//! deactivate it, and re-bind an official to another municipality or partner organisation (for example the successor after
//! a merger). Every change is audited; concurrent edits are detected through the account's
//! version.

use entity::app_user::{self, UserRole};
use entity::auth_token::TokenPurpose;

use super::account::{InvitationMail, RevokedBecause, revoke_all_and_tell};
use super::{Caller, Error, Result, Work};
use crate::accounts::{self, AccountError, NewUser, RoleExt};
use crate::auth::{session, tokens};
use crate::domain::fields::FieldErrors;
use crate::mail::OutgoingMail;
use crate::policy::Action;
use crate::state::AppState;
use crate::store::users;

/// The new-account form as typed.
#[derive(Debug, Clone, Default)]
pub struct NewUserInput {
    pub email: String,
    pub name: String,
    /// `official`, `reviewer` or `admin`.
    pub role: String,
    /// The official's municipality as typed in the search field (name, NIS code or the
    /// suggestion's label, [`crate::domain::picker`]), or empty.
    pub municipality: String,
    /// The code of the official's partner organisation, or empty.
    pub partner: String,
}

/// The NIS code of the current municipality the search field names (`None` when empty); a
/// field error with suggestions when it names none.
async fn find_municipality(
    state: &AppState,
    typed: &str,
    errors: &mut FieldErrors,
) -> Result<Option<i32>> {
    if typed.trim().is_empty() {
        return Ok(None);
    }
    let current = users::current_municipalities(&state.db).await?;
    let choices: Vec<(i32, &str)> = current
        .iter()
        .map(|(n, name)| (*n, name.as_str()))
        .collect();
    Ok(crate::domain::picker::find(typed, &choices)
        .map_err(|message| errors.add("municipality", message))
        .ok()
        .flatten())
}

/// Creates an account (without a password) and mails its owner an invitation link to set one.
pub async fn create(
    state: &AppState,
    caller: &Caller,
    input: &NewUserInput,
) -> Result<app_user::Model> {
    caller.may(state, Action::ManageUsers, None).await?;
    let mut errors = FieldErrors::default();
    if input.name.trim().is_empty() {
        errors.add("name", "Vul de naam in.");
    }
    let municipality_nis = find_municipality(state, &input.municipality, &mut errors).await?;
    Error::unless_invalid(errors)?;
    let partner_code = Some(input.partner.trim().to_owned()).filter(|p| !p.is_empty());
    let mut work = Work::begin(state).await?;
    let new = NewUser {
        email: input.email.clone(),
        name: input.name.clone(),
        role: input.role.clone(),
        municipality_nis,
        partner_code,
        password: None,
    };
    let user = accounts::insert_user_at(work.txn(), new, None, caller.now)
        .await
        .map_err(refused)?;
    let token = tokens::issue(work.txn(), user.id, TokenPurpose::Invite, caller.now).await?;
    let organisation = session::organisation_name(work.txn(), &user)
        .await?
        .unwrap_or_else(|| "het Agentschap Binnenlands Bestuur".into());
    let link = format!("{}/wachtwoord-instellen/{token}", state.config.public_url);
    work.mail(OutgoingMail {
        to: user.email.clone(),
        subject: "Uw account voor Samenleven".into(),
        body_text: crate::mail::render_text(&InvitationMail {
            name: &user.name,
            organisation: &organisation,
            link: &link,
            days: tokens::lifetime(TokenPurpose::Invite).num_days(),
        })?,
        related: Some(("app_user".into(), user.id.to_string())),
    });
    work.audit(
        caller
            .audit("user.created", "app_user", user.id)
            .after(serde_json::json!({
                "email": user.email, "name": user.name, "role": user.role.code(),
                "municipality_id": user.municipality_id,
                "partner_organisation_id": user.partner_organisation_id,
            })),
    );
    work.commit().await?;
    Ok(user)
}

/// Why an account cannot be created, on the form's fields.
fn refused(err: AccountError) -> Error {
    let (field, message) = match err {
        AccountError::InvalidEmail(_) => (
            "email",
            "Vul een geldig e-mailadres in, bijvoorbeeld naam@gemeente.be.",
        ),
        AccountError::DuplicateEmail(_) => {
            ("email", "Er bestaat al een account met dit e-mailadres.")
        }
        AccountError::UnknownRole(_) => ("role", "Kies een rol."),
        AccountError::UnknownMunicipality(_) => ("municipality", "Kies een gemeente uit de lijst."),
        AccountError::UnknownPartner(_) => ("partner", "Kies een partnerorganisatie uit de lijst."),
        AccountError::OfficialNeedsOrganisation => (
            "municipality",
            "Een gemeentelijk ambtenaar hoort bij precies één gemeente of partnerorganisatie.",
        ),
        AccountError::StaffHasNoOrganisation => (
            "role",
            "Een medewerker van ABB hoort niet bij een gemeente of partnerorganisatie.",
        ),
        AccountError::Db(db) => return Error::Db(db),
        AccountError::WeakPassword | AccountError::Hash => {
            return Error::Invalid(FieldErrors::default());
        }
    };
    Error::field(field, message)
}

/// The re-binding form as typed.
#[derive(Debug, Clone, Default)]
pub struct RebindInput {
    /// A current municipality as typed in the search field (name, NIS code or the suggestion's
    /// label), or empty.
    pub municipality: String,
    /// The code of a partner organisation, or empty.
    pub partner: String,
    pub version: i32,
}

/// Binds official `id` to exactly one municipality or partner organisation; its sessions end
/// (they carried the old organisation). A form read at an older version is [`Error::Stale`].
pub async fn rebind(state: &AppState, caller: &Caller, id: i64, input: &RebindInput) -> Result<()> {
    caller.may(state, Action::ManageUsers, None).await?;
    let user = users::find(&state.db, id).await?.ok_or(Error::NotFound)?;
    let mut errors = FieldErrors::default();
    if user.role != UserRole::Official {
        errors.add(
            "municipality",
            "Alleen een gemeentelijk ambtenaar hoort bij een gemeente of partnerorganisatie.",
        );
    }
    let municipality_id = match find_municipality(state, &input.municipality, &mut errors).await? {
        Some(nis) => users::current_municipality(&state.db, nis)
            .await?
            .map(|m| m.id),
        None => None,
    };
    let partner_id = match input.partner.trim() {
        "" => None,
        code => match users::partner(&state.db, code).await? {
            Some(p) => Some(p.id),
            None => {
                errors.add("partner", "Kies een partnerorganisatie uit de lijst.");
                None
            }
        },
    };
    if errors.is_empty() && municipality_id.is_some() == partner_id.is_some() {
        errors.add(
            "municipality",
            "Kies precies één gemeente of één partnerorganisatie.",
        );
    }
    Error::unless_invalid(errors)?;
    let mut work = Work::begin(state).await?;
    if !users::set_organisation(work.txn(), id, input.version, municipality_id, partner_id).await? {
        return Err(Error::Stale);
    }
    // A re-bound official starts over: old sessions carried the old organisation.
    session::end_all(work.txn(), id).await?;
    work.audit(
        caller
            .audit("user.rebound", "app_user", id)
            .before(serde_json::json!({
                "municipality_id": user.municipality_id,
                "partner_organisation_id": user.partner_organisation_id,
            }))
            .after(serde_json::json!({
                "municipality_id": municipality_id,
                "partner_organisation_id": partner_id,
            })),
    );
    Ok(work.commit().await?)
}

/// Activates or deactivates account `id` (read at `version`). An admin cannot deactivate their
/// own account. A deactivated account's sessions end and its API tokens are revoked (audited
/// per token, and the owner told by mail). A form read at an older version is [`Error::Stale`].
pub async fn set_status(
    state: &AppState,
    caller: &Caller,
    id: i64,
    activate: bool,
    version: i32,
) -> Result<()> {
    caller.may(state, Action::ManageUsers, None).await?;
    let user = users::find(&state.db, id).await?.ok_or(Error::NotFound)?;
    if !activate && caller.user_id() == Some(user.id) {
        return Err(Error::field(
            "active",
            "U kunt uw eigen account niet deactiveren.",
        ));
    }
    let mut work = Work::begin(state).await?;
    if !users::set_active(work.txn(), user.id, version, activate).await? {
        return Err(Error::Stale);
    }
    if !activate {
        session::end_all(work.txn(), user.id).await?;
        revoke_all_and_tell(
            work.txn(),
            state,
            &user,
            RevokedBecause::Deactivated,
            (caller.user_id(), caller.label.clone()),
            caller.ip.clone(),
            caller.now,
        )
        .await?;
    }
    work.audit(
        caller
            .audit(
                if activate {
                    "user.activated"
                } else {
                    "user.deactivated"
                },
                "app_user",
                user.id,
            )
            .before(serde_json::json!({ "active": user.active }))
            .after(serde_json::json!({ "active": activate })),
    );
    work.commit().await?;
    // The revocation mail went into the outbox in the transaction: wake the worker.
    state.mail_wakeup.notify_one();
    Ok(())
}
