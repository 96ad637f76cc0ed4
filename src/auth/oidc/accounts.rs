//! The account for someone the provider signed in: found by their provider account
//! (`oidc_subject`), or an existing account with their e-mail address linked once, or a new
//! account. Name, e-mail, role and organisation follow the claims at every login. Every change
//! is audited in the caller's transaction.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, Set,
};
use serde_json::json;

use entity::{app_user, municipality, partner_organisation};

use super::identity::{Grant, Identity, Organisation};
use super::settings::OidcSettings;
use crate::audit::{self, AuditEntry};
use crate::auth::session;

/// Keeps the provider's ID token of the session opened with cookie token `session_token` (for
/// the provider's logout).
pub async fn remember_id_token<C: ConnectionTrait>(
    db: &C,
    session_token: &str,
    id_token: String,
) -> Result<(), DbErr> {
    entity::oidc_session::ActiveModel {
        session_id: Set(crate::auth::hash_token(session_token)),
        id_token: Set(id_token),
    }
    .insert(db)
    .await?;
    Ok(())
}

/// The provider's ID token of session `session_id` (stored id), when it was opened through the
/// provider.
pub async fn id_token_of<C: ConnectionTrait>(
    db: &C,
    session_id: &str,
) -> Result<Option<String>, DbErr> {
    Ok(
        entity::oidc_session::Entity::find_by_id(session_id.to_owned())
            .one(db)
            .await?
            .map(|row| row.id_token),
    )
}

/// Why an account cannot be used, beyond what the claims say.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountRefusal {
    /// The account was deactivated by an admin.
    Deactivated,
    /// The account with this e-mail address is linked to another provider account.
    LinkedToAnother,
    /// A new account needs an e-mail address and the claims have none.
    NoEmail,
}

impl AccountRefusal {
    pub fn code(self) -> &'static str {
        match self {
            AccountRefusal::Deactivated => "deactivated",
            AccountRefusal::LinkedToAnother => "linked_to_another_account",
            AccountRefusal::NoEmail => "no_email",
        }
    }
}

/// What an organisation code names here: ABB (by setting), a current municipality or a partner
/// organisation (by their `org_code`), or nothing.
pub async fn organisation<C: ConnectionTrait>(
    db: &C,
    settings: &OidcSettings,
    code: Option<&str>,
) -> Result<Organisation, DbErr> {
    let Some(code) = code else {
        return Ok(Organisation::Unknown);
    };
    if settings.is_abb(code) {
        return Ok(Organisation::Abb);
    }
    if let Some(m) = municipality::Entity::find()
        .filter(municipality::Column::OrgCode.eq(code))
        .filter(municipality::Column::ValidTo.is_null())
        .one(db)
        .await?
    {
        return Ok(Organisation::Municipality(m.id));
    }
    if let Some(p) = partner_organisation::Entity::find()
        .filter(partner_organisation::Column::OrgCode.eq(code))
        .one(db)
        .await?
    {
        return Ok(Organisation::Partner(p.id));
    }
    Ok(Organisation::Unknown)
}

fn label(user: &app_user::Model) -> String {
    format!("{} <{}>", user.name, user.email)
}

fn snapshot(user: &app_user::Model) -> serde_json::Value {
    json!({
        "name": user.name,
        "email": user.email,
        "role": user.role,
        "municipality_id": user.municipality_id,
        "partner_organisation_id": user.partner_organisation_id,
    })
}

async fn email_taken<C: ConnectionTrait>(
    db: &C,
    email: &str,
    other_than: i64,
) -> Result<bool, DbErr> {
    Ok(app_user::Entity::find()
        .filter(app_user::Column::Email.eq(email))
        .filter(app_user::Column::Id.ne(other_than))
        .one(db)
        .await?
        .is_some())
}

/// The account for `identity` with `grant`, created, linked or brought up to date; audited.
pub async fn sign_in<C: ConnectionTrait>(
    db: &C,
    identity: &Identity,
    grant: Grant,
    ip: Option<String>,
    now: DateTime<Utc>,
) -> Result<Result<app_user::Model, AccountRefusal>, DbErr> {
    let by_subject = app_user::Entity::find()
        .filter(app_user::Column::OidcSubject.eq(identity.subject.as_str()))
        .one(db)
        .await?;
    let (user, linking) = match by_subject {
        Some(user) => (user, false),
        None => {
            let by_email = match &identity.email {
                Some(email) => {
                    app_user::Entity::find()
                        .filter(app_user::Column::Email.eq(email.as_str()))
                        .one(db)
                        .await?
                }
                None => None,
            };
            match by_email {
                Some(user) if user.oidc_subject.is_some() => {
                    return Ok(Err(AccountRefusal::LinkedToAnother));
                }
                Some(user) => (user, true),
                None => return create(db, identity, grant, ip, now).await,
            }
        }
    };
    if !user.active {
        return Ok(Err(AccountRefusal::Deactivated));
    }
    let before = snapshot(&user);
    let email = match &identity.email {
        Some(email) if *email != user.email && !email_taken(db, email, user.id).await? => {
            email.clone()
        }
        _ => user.email.clone(),
    };
    let changed = user.name != identity.name
        || user.email != email
        || user.role != grant.role
        || user.municipality_id != grant.municipality_id
        || user.partner_organisation_id != grant.partner_organisation_id
        || user.oidc_subject.as_deref() != Some(identity.subject.as_str());
    let mut active: app_user::ActiveModel = user.clone().into();
    active.name = Set(identity.name.clone());
    active.email = Set(email);
    active.role = Set(grant.role);
    active.municipality_id = Set(grant.municipality_id);
    active.partner_organisation_id = Set(grant.partner_organisation_id);
    active.oidc_subject = Set(Some(identity.subject.clone()));
    active.last_login_at = Set(Some(now));
    if changed {
        active.version = Set(user.version + 1);
    }
    let updated = active.update(db).await?;
    let after = snapshot(&updated);
    if linking {
        audit::record(
            db,
            AuditEntry::new("auth.oidc_account_linked", "account", Some(updated.id.to_string()))
                .by(Some(updated.id), label(&updated))
                .from_ip(ip)
                .before(before)
                .after(after)
                .details("bestaand account gekoppeld aan het account bij de Vlaamse overheid (op e-mailadres)"),
        )
        .await?;
    } else if before != after {
        audit::record(
            db,
            AuditEntry::new(
                "auth.oidc_account_updated",
                "account",
                Some(updated.id.to_string()),
            )
            .by(Some(updated.id), label(&updated))
            .from_ip(ip)
            .before(before)
            .after(after)
            .details("naam, e-mail, rol of organisatie volgens de Vlaamse overheid"),
        )
        .await?;
    }
    Ok(Ok(updated))
}

async fn create<C: ConnectionTrait>(
    db: &C,
    identity: &Identity,
    grant: Grant,
    ip: Option<String>,
    now: DateTime<Utc>,
) -> Result<Result<app_user::Model, AccountRefusal>, DbErr> {
    let Some(email) = identity.email.clone() else {
        return Ok(Err(AccountRefusal::NoEmail));
    };
    let user = app_user::ActiveModel {
        email: Set(email),
        name: Set(identity.name.clone()),
        password_hash: Set(None),
        role: Set(grant.role),
        municipality_id: Set(grant.municipality_id),
        partner_organisation_id: Set(grant.partner_organisation_id),
        active: Set(true),
        created_at: Set(now),
        last_login_at: Set(Some(now)),
        oidc_subject: Set(Some(identity.subject.clone())),
        version: Set(1),
        ..Default::default()
    }
    .insert(db)
    .await?;
    audit::record(
        db,
        AuditEntry::new(
            "auth.oidc_account_created",
            "account",
            Some(user.id.to_string()),
        )
        .by(Some(user.id), label(&user))
        .from_ip(ip)
        .after(snapshot(&user))
        .details("account aangemaakt bij de eerste aanmelding via de Vlaamse overheid"),
    )
    .await?;
    Ok(Ok(user))
}

/// Someone whose claims no longer give them access: the account linked to their provider
/// account (if any) loses every session and API token; audited. Returns the account.
pub async fn withdraw<C: ConnectionTrait>(
    db: &C,
    subject: &str,
    reason: &str,
    ip: Option<String>,
    now: DateTime<Utc>,
) -> Result<Option<app_user::Model>, DbErr> {
    let Some(user) = app_user::Entity::find()
        .filter(app_user::Column::OidcSubject.eq(subject))
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    let sessions = session::end_all(db, user.id).await?;
    let tokens = crate::store::api_tokens::revoke_all(db, user.id, now)
        .await?
        .len();
    audit::record(
        db,
        AuditEntry::new(
            "auth.oidc_access_withdrawn",
            "account",
            Some(user.id.to_string()),
        )
        .by(Some(user.id), label(&user))
        .from_ip(ip)
        .details(format!(
            "{reason}: {sessions} sessie(s) beëindigd, {tokens} API-sleutel(s) ingetrokken"
        )),
    )
    .await?;
    Ok(Some(user))
}
