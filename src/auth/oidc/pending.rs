//! Logins through the provider that were started and not yet finished. The state and the
//! browser's `sl_oidc` cookie are stored as hashes; a row is used once and lives ten minutes.

use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, Set,
};

use entity::oidc_login;

use crate::auth::{constant_time_eq, hash_token};

/// How long a started login may take.
pub const LIFETIME: Duration = Duration::minutes(10);

/// What is kept between the start of a login and the provider's answer.
pub struct NewLogin<'a> {
    pub state: &'a str,
    pub browser: &'a str,
    pub nonce: &'a str,
    pub pkce_verifier: &'a str,
    pub next_path: &'a str,
}

/// Why an answer does not belong to a login under way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mismatch {
    /// No login with this state: never started, or already finished (a replay).
    UnknownState,
    /// Started in another browser (or the browser lost its cookie).
    OtherBrowser,
    /// Started more than ten minutes ago.
    Expired,
}

impl Mismatch {
    pub fn code(self) -> &'static str {
        match self {
            Mismatch::UnknownState => "unknown_state",
            Mismatch::OtherBrowser => "other_browser",
            Mismatch::Expired => "expired_login",
        }
    }
}

/// Records a started login and removes the expired ones.
pub async fn start<C: ConnectionTrait>(
    db: &C,
    login: NewLogin<'_>,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    oidc_login::Entity::delete_many()
        .filter(oidc_login::Column::ExpiresAt.lt(now))
        .exec(db)
        .await?;
    oidc_login::ActiveModel {
        state_hash: Set(hash_token(login.state)),
        browser_hash: Set(hash_token(login.browser)),
        nonce: Set(login.nonce.to_owned()),
        pkce_verifier: Set(login.pkce_verifier.to_owned()),
        next_path: Set(login.next_path.to_owned()),
        created_at: Set(now),
        expires_at: Set(now + LIFETIME),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}

/// Takes the login with `state` for the browser with cookie value `browser`: once only.
pub async fn take<C: ConnectionTrait>(
    db: &C,
    state: &str,
    browser: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Result<oidc_login::Model, Mismatch>, DbErr> {
    let Some(found) = oidc_login::Entity::find()
        .filter(oidc_login::Column::StateHash.eq(hash_token(state)))
        .one(db)
        .await?
    else {
        return Ok(Err(Mismatch::UnknownState));
    };
    let same_browser =
        browser.is_some_and(|b| constant_time_eq(&hash_token(b), &found.browser_hash));
    if !same_browser {
        // Left in place: the browser that started it may still finish it.
        return Ok(Err(Mismatch::OtherBrowser));
    }
    let deleted = oidc_login::Entity::delete_many()
        .filter(oidc_login::Column::Id.eq(found.id))
        .exec(db)
        .await?
        .rows_affected;
    if deleted != 1 {
        // Another request with the same answer took it first.
        return Ok(Err(Mismatch::UnknownState));
    }
    if found.expires_at <= now {
        return Ok(Err(Mismatch::Expired));
    }
    Ok(Ok(found))
}
