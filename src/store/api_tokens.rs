//! Personal API tokens: a user creates them (the token is shown once), revokes them, and the API
//! authenticates with them. Only the token's SHA-256 is stored; a token acts as its user, with
//! the user's role and organisation as they are at the time of each request.

use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    Set,
};

use entity::{api_token, app_user};

use crate::auth::{hash_token, random_token};

/// Every token starts with this, so it is recognised in logs and secret scanners.
pub const PREFIX: &str = "slapi_";
/// The longest name a token may have.
pub const MAX_NAME: usize = 100;
/// The most live tokens one user may have.
pub const MAX_LIVE: usize = 20;
/// `last_used_at` is written at most this often per token, to spare the database.
const TOUCH_INTERVAL: Duration = Duration::seconds(60);

/// Creates a token for `user_id` and returns its row and the token itself (never stored).
pub async fn create<C: ConnectionTrait>(
    db: &C,
    user_id: i64,
    name: &str,
    now: DateTime<Utc>,
) -> Result<(api_token::Model, String), DbErr> {
    let token = format!("{PREFIX}{}", random_token());
    let row = api_token::ActiveModel {
        user_id: Set(user_id),
        name: Set(name.to_owned()),
        token_hash: Set(hash_token(&token)),
        created_at: Set(now),
        last_used_at: Set(None),
        revoked_at: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok((row, token))
}

/// The user's tokens, live ones first, newest first.
pub async fn for_user<C: ConnectionTrait>(
    db: &C,
    user_id: i64,
) -> Result<Vec<api_token::Model>, DbErr> {
    let mut rows = api_token::Entity::find()
        .filter(api_token::Column::UserId.eq(user_id))
        .order_by_desc(api_token::Column::CreatedAt)
        .order_by_desc(api_token::Column::Id)
        .all(db)
        .await?;
    rows.sort_by_key(|t| t.revoked_at.is_some());
    Ok(rows)
}

/// Revokes token `id` of `user_id`; `None` when the user has no such live token.
pub async fn revoke<C: ConnectionTrait>(
    db: &C,
    user_id: i64,
    id: i64,
    now: DateTime<Utc>,
) -> Result<Option<api_token::Model>, DbErr> {
    let Some(row) = api_token::Entity::find_by_id(id)
        .filter(api_token::Column::UserId.eq(user_id))
        .filter(api_token::Column::RevokedAt.is_null())
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    let updated = api_token::Entity::update_many()
        .col_expr(api_token::Column::RevokedAt, Expr::value(Some(now)))
        .filter(api_token::Column::Id.eq(row.id))
        .filter(api_token::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok((updated.rows_affected == 1).then_some(row))
}

/// Revokes every live token of `user_id` and returns them (as they were before).
pub async fn revoke_all<C: ConnectionTrait>(
    db: &C,
    user_id: i64,
    now: DateTime<Utc>,
) -> Result<Vec<api_token::Model>, DbErr> {
    let live = api_token::Entity::find()
        .filter(api_token::Column::UserId.eq(user_id))
        .filter(api_token::Column::RevokedAt.is_null())
        .order_by_asc(api_token::Column::Id)
        .all(db)
        .await?;
    if live.is_empty() {
        return Ok(live);
    }
    api_token::Entity::update_many()
        .col_expr(api_token::Column::RevokedAt, Expr::value(Some(now)))
        .filter(api_token::Column::Id.is_in(live.iter().map(|t| t.id)))
        .filter(api_token::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(live)
}

/// Why a presented token does not authenticate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    /// No token has this value.
    Unknown,
    /// The token was revoked.
    Revoked,
    /// The token's user is deactivated.
    Inactive,
}

impl Refused {
    pub fn code(self) -> &'static str {
        match self {
            Refused::Unknown => "unknown",
            Refused::Revoked => "revoked",
            Refused::Inactive => "inactive_user",
        }
    }
}

/// The live token with value `token` and its active user; records the use.
pub async fn authenticate<C: ConnectionTrait>(
    db: &C,
    token: &str,
    now: DateTime<Utc>,
) -> Result<Result<(api_token::Model, app_user::Model), (Refused, Option<api_token::Model>)>, DbErr>
{
    let Some(row) = api_token::Entity::find()
        .filter(api_token::Column::TokenHash.eq(hash_token(token)))
        .one(db)
        .await?
    else {
        return Ok(Err((Refused::Unknown, None)));
    };
    if row.revoked_at.is_some() {
        return Ok(Err((Refused::Revoked, Some(row))));
    }
    let user = app_user::Entity::find_by_id(row.user_id).one(db).await?;
    let Some(user) = user.filter(|u| u.active) else {
        return Ok(Err((Refused::Inactive, Some(row))));
    };
    if row.last_used_at.is_none_or(|at| at + TOUCH_INTERVAL <= now) {
        api_token::Entity::update_many()
            .col_expr(api_token::Column::LastUsedAt, Expr::value(Some(now)))
            .filter(api_token::Column::Id.eq(row.id))
            .exec(db)
            .await?;
    }
    Ok(Ok((row, user)))
}

/// Checks a token name as typed; the Dutch message when it is not acceptable.
pub fn check_name(name: &str) -> Result<String, &'static str> {
    let name = name.trim();
    if name.is_empty() {
        return Err(
            "Geef de sleutel een naam, bijvoorbeeld de naam van de toepassing die hem gebruikt.",
        );
    }
    if name.chars().count() > MAX_NAME {
        return Err("De naam mag hoogstens 100 tekens tellen.");
    }
    if name.chars().any(char::is_control) {
        return Err("De naam mag geen stuurtekens bevatten.");
    }
    Ok(name.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_name_is_trimmed_and_must_be_short_and_plain() {
        assert_eq!(check_name("  Zaaksysteem  ").as_deref(), Ok("Zaaksysteem"));
        assert!(check_name("   ").is_err());
        assert!(check_name(&"x".repeat(101)).is_err());
        assert!(check_name("a\u{7}b").is_err());
    }
}
