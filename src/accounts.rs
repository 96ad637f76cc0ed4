//! Accounts: creating users and hashing passwords (argon2id). Login and sessions build on this.

use argon2::Argon2;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use rand::Rng;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};

use entity::{app_user, municipality, partner_organisation};

pub use entity::app_user::UserRole as Role;

/// Behaviour of the roles beside the plain entity enum: parsing and Dutch labels.
pub trait RoleExt: Sized {
    fn parse(value: &str) -> Option<Self>;
    fn code(self) -> &'static str;
    fn label(self) -> &'static str;
}

impl RoleExt for Role {
    fn parse(value: &str) -> Option<Self> {
        match value {
            "official" => Some(Self::Official),
            "reviewer" => Some(Self::Reviewer),
            "admin" => Some(Self::Admin),
            _ => None,
        }
    }

    fn code(self) -> &'static str {
        match self {
            Self::Official => "official",
            Self::Reviewer => "reviewer",
            Self::Admin => "admin",
        }
    }

    fn label(self) -> &'static str {
        match self {
            Self::Official => "gemeentelijk ambtenaar",
            Self::Reviewer => "beoordelaar ABB",
            Self::Admin => "beheerder ABB",
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error("onbekende rol '{0}': kies official, reviewer of admin")]
    UnknownRole(String),
    #[error("'{0}' is geen geldig e-mailadres")]
    InvalidEmail(String),
    #[error("er bestaat al een account met e-mailadres {0}")]
    DuplicateEmail(String),
    #[error("geen gemeente met NIS-code {0}")]
    UnknownMunicipality(i32),
    #[error("geen partnerorganisatie met code {0}")]
    UnknownPartner(String),
    #[error("een ambtenaar hoort bij precies één gemeente of partnerorganisatie")]
    OfficialNeedsOrganisation,
    #[error("een medewerker van ABB hoort niet bij een gemeente of partnerorganisatie")]
    StaffHasNoOrganisation,
    #[error("het wachtwoord moet minstens 12 tekens tellen")]
    WeakPassword,
    #[error("het wachtwoord kon niet verwerkt worden")]
    Hash,
    #[error(transparent)]
    Db(#[from] sea_orm::DbErr),
}

pub struct NewUser {
    pub email: String,
    pub name: String,
    pub role: String,
    pub municipality_nis: Option<i32>,
    pub partner_code: Option<String>,
    pub password: Option<String>,
}

/// Hashes a password with argon2id and a random salt. Slow on purpose, so private: async code
/// calls [`hash_password_blocking`] (the blocking pool).
fn hash_password(password: &str) -> Result<String, AccountError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|_| AccountError::Hash)
}

/// Checks a password against a stored hash; a malformed hash never matches (and costs the same
/// as a real check). Private like [`hash_password`]: only [`check_login_blocking`] reaches it.
fn verify_password(password: &str, hash: &str) -> bool {
    match PasswordHash::new(hash) {
        Ok(parsed) => Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => {
            verify_password_against_dummy(password);
            false
        }
    }
}

/// One argon2 verification against a hash nobody knows the password of, so that a login without
/// a usable hash costs what a real check costs.
fn verify_password_against_dummy(password: &str) {
    if let Ok(parsed) = PasswordHash::new(dummy_hash()) {
        let _ = Argon2::default().verify_password(password.as_bytes(), &parsed);
    }
}

/// A valid argon2id hash (with the current parameters) of a random password, computed once.
fn dummy_hash() -> &'static str {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| hash_password(&generate_password()).unwrap_or_default())
}

/// Whether `password` signs in to `account` (`None`: no account has the typed address): an
/// active account with a password hash that matches. Every path runs exactly one argon2
/// verification (an unknown address, an invited account without a password yet and a
/// deactivated one alike), so how long a failed login takes tells nothing about the account.
/// Slow on purpose, so private: async code calls [`check_login_blocking`].
fn check_login(account: Option<&app_user::Model>, password: &str) -> bool {
    check_login_with(
        account.map(|a| (a.active, a.password_hash.as_deref())),
        password,
        verify_password,
    )
}

/// [`check_login`] on tokio's blocking pool, so argon2 does not hold up other requests.
pub async fn check_login_blocking(
    account: Option<app_user::Model>,
    password: String,
) -> Result<bool, tokio::task::JoinError> {
    tokio::task::spawn_blocking(move || check_login(account.as_ref(), &password)).await
}

/// [`hash_password`] on tokio's blocking pool.
pub async fn hash_password_blocking(password: String) -> Result<String, AccountError> {
    tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .map_err(|_| AccountError::Hash)?
}

/// [`check_login`] with the verification passed in (`(active, stored hash)` of the account).
fn check_login_with(
    account: Option<(bool, Option<&str>)>,
    password: &str,
    verify: impl FnOnce(&str, &str) -> bool,
) -> bool {
    match account {
        // Verify first, whatever `active` says.
        Some((active, Some(hash))) => verify(password, hash) && active,
        None | Some((_, None)) => {
            verify(password, dummy_hash());
            false
        }
    }
}

/// A random 20-character password without look-alike characters.
pub fn generate_password() -> String {
    const CHARS: &[u8] = b"abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::thread_rng();
    (0..20)
        .map(|_| CHARS[rng.gen_range(0..CHARS.len())] as char)
        .collect()
}

/// An account's e-mail address, read as the rest of the platform reads addresses
/// ([`crate::domain::email::read`]): trimmed, lower-cased, and one an e-mail provider accepts.
pub fn normalise_email(email: &str) -> Result<String, AccountError> {
    crate::domain::email::read(email)
        .map_err(|_| AccountError::InvalidEmail(email.trim().to_lowercase()))
}

/// The account with e-mail address `email` (as read by [`normalise_email`]), active or not.
pub async fn by_email<C: ConnectionTrait>(
    db: &C,
    email: &str,
) -> Result<Option<app_user::Model>, sea_orm::DbErr> {
    app_user::Entity::find()
        .filter(app_user::Column::Email.eq(email))
        .one(db)
        .await
}

/// Notes that `user` signed in at `now`.
pub async fn record_login<C: ConnectionTrait>(
    db: &C,
    user: &app_user::Model,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), sea_orm::DbErr> {
    let mut active: app_user::ActiveModel = user.clone().into();
    active.last_login_at = sea_orm::Set(Some(now));
    active.update(db).await?;
    Ok(())
}

/// Gives account `user_id` the password hash `hash` (a new version of the account); `None`
/// when there is no such account.
pub async fn set_password_hash<C: ConnectionTrait>(
    db: &C,
    user_id: i64,
    hash: String,
) -> Result<Option<app_user::Model>, sea_orm::DbErr> {
    let Some(user) = app_user::Entity::find_by_id(user_id).one(db).await? else {
        return Ok(None);
    };
    let version = user.version;
    let mut active: app_user::ActiveModel = user.into();
    active.password_hash = sea_orm::Set(Some(hash));
    active.version = sea_orm::Set(version + 1);
    Ok(Some(active.update(db).await?))
}

/// Creates an account after checking role, organisation and e-mail. `password_hash` may be
/// given pre-computed (the demo seed hashes its shared demo password once).
pub async fn create_user<C: ConnectionTrait>(
    db: &C,
    new: NewUser,
) -> Result<app_user::Model, AccountError> {
    let password_hash = match &new.password {
        Some(pw) if pw.chars().count() < 12 => return Err(AccountError::WeakPassword),
        Some(pw) => Some(hash_password_blocking(pw.clone()).await?),
        None => None,
    };
    insert_user(db, new, password_hash).await
}

/// [`insert_user_at`] at the system time (the command line and the seeds).
pub(crate) async fn insert_user<C: ConnectionTrait>(
    db: &C,
    new: NewUser,
    password_hash: Option<String>,
) -> Result<app_user::Model, AccountError> {
    insert_user_at(db, new, password_hash, chrono::Utc::now()).await
}

/// Inserts the account `new` created at `now` after checking role, organisation and e-mail.
pub(crate) async fn insert_user_at<C: ConnectionTrait>(
    db: &C,
    new: NewUser,
    password_hash: Option<String>,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<app_user::Model, AccountError> {
    let role = Role::parse(&new.role).ok_or_else(|| AccountError::UnknownRole(new.role.clone()))?;
    let email = normalise_email(&new.email)?;
    let municipality_id = match new.municipality_nis {
        Some(nis) => Some(
            municipality::Entity::find()
                .filter(municipality::Column::NisCode.eq(nis))
                .filter(municipality::Column::ValidTo.is_null())
                .one(db)
                .await?
                .ok_or(AccountError::UnknownMunicipality(nis))?
                .id,
        ),
        None => None,
    };
    let partner_id = match &new.partner_code {
        Some(code) => Some(
            partner_organisation::Entity::find()
                .filter(partner_organisation::Column::Code.eq(code.as_str()))
                .one(db)
                .await?
                .ok_or_else(|| AccountError::UnknownPartner(code.clone()))?
                .id,
        ),
        None => None,
    };
    match role {
        Role::Official if municipality_id.is_some() == partner_id.is_some() => {
            return Err(AccountError::OfficialNeedsOrganisation);
        }
        Role::Reviewer | Role::Admin if municipality_id.is_some() || partner_id.is_some() => {
            return Err(AccountError::StaffHasNoOrganisation);
        }
        _ => {}
    }
    if app_user::Entity::find()
        .filter(app_user::Column::Email.eq(email.as_str()))
        .one(db)
        .await?
        .is_some()
    {
        return Err(AccountError::DuplicateEmail(email));
    }
    let user = app_user::ActiveModel {
        email: Set(email),
        name: Set(new.name.trim().to_owned()),
        password_hash: Set(password_hash),
        role: Set(role),
        municipality_id: Set(municipality_id),
        partner_organisation_id: Set(partner_id),
        active: Set(true),
        created_at: Set(now),
        version: Set(1),
        ..Default::default()
    };
    Ok(user.insert(db).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_verifies_against_its_own_hash_only() {
        let hash = hash_password("correct horse battery").unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password("correct horse battery", &hash));
        assert!(!verify_password("correct horse batterij", &hash));
        assert!(!verify_password("correct horse battery", "not-a-hash"));
    }

    #[test]
    fn every_failed_login_runs_exactly_one_password_verification() {
        let real = hash_password("correct horse battery").unwrap();
        // (account as (active, hash), typed password, signs in)
        type Account<'a> = Option<(bool, Option<&'a str>)>;
        let cases: [(Account, &str, bool); 6] = [
            (None, "wat dan ook", false),
            (Some((true, None)), "wat dan ook", false),
            (Some((false, None)), "wat dan ook", false),
            (Some((false, Some(&real))), "correct horse battery", false),
            (Some((true, Some(&real))), "fout", false),
            (Some((true, Some(&real))), "correct horse battery", true),
        ];
        for (account, password, signs_in) in cases {
            let mut verified = Vec::new();
            let result = check_login_with(account, password, |p, hash| {
                verified.push(hash.to_owned());
                verify_password(p, hash)
            });
            assert_eq!(result, signs_in, "{account:?}");
            assert_eq!(verified.len(), 1, "one verification for {account:?}");
            assert!(
                PasswordHash::new(&verified[0]).is_ok(),
                "a real argon2 hash for {account:?}"
            );
            if account.is_none_or(|(_, hash)| hash.is_none()) {
                assert_eq!(verified[0], dummy_hash(), "{account:?}");
            }
        }
    }

    #[test]
    fn a_malformed_stored_hash_never_matches() {
        assert!(!verify_password("", "not-a-hash"));
        assert!(!check_login_with(
            Some((true, Some("not-a-hash"))),
            "x",
            verify_password
        ));
    }

    #[test]
    fn generated_passwords_are_long_and_differ() {
        let a = generate_password();
        let b = generate_password();
        assert_eq!(a.len(), 20);
        assert_ne!(a, b);
    }

    #[test]
    fn e_mail_addresses_are_normalised_or_refused() {
        assert_eq!(normalise_email("  Jan@Gent.BE ").unwrap(), "jan@gent.be");
        for bad in [
            "",
            "jan",
            "jan@",
            "@gent.be",
            "jan@gent",
            "jan @gent.be",
            "jan@.be",
            "evil@example.com>",
            "a\"b@example.com",
            "x@[127.0.0.1]",
        ] {
            assert!(normalise_email(bad).is_err(), "{bad:?} should be refused");
        }
    }

    #[test]
    fn roles_parse_from_their_stored_names_only() {
        for role in [Role::Official, Role::Reviewer, Role::Admin] {
            assert_eq!(Role::parse(role.code()), Some(role));
        }
        assert_eq!(Role::parse("Admin"), None);
    }
}
