//! One-time tokens for password reset and first-login invitations: random, stored hashed,
//! expiring, and used at most once.

use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, Set,
};

use entity::auth_token::{self, TokenPurpose};

use super::{hash_token, random_token};

/// How long a link stays valid.
pub fn lifetime(purpose: TokenPurpose) -> Duration {
    match purpose {
        TokenPurpose::Reset => Duration::hours(1),
        TokenPurpose::Invite => Duration::days(7),
    }
}

/// Issues a token for `user_id` and returns it (only its hash is stored).
pub async fn issue<C: ConnectionTrait>(
    db: &C,
    user_id: i64,
    purpose: TokenPurpose,
    now: DateTime<Utc>,
) -> Result<String, DbErr> {
    let token = random_token();
    auth_token::ActiveModel {
        user_id: Set(user_id),
        purpose: Set(purpose),
        token_hash: Set(hash_token(&token)),
        created_at: Set(now),
        expires_at: Set(now + lifetime(purpose)),
        used_at: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(token)
}

/// The unused, unexpired token row for `token`, if any (does not use it up).
pub async fn find_valid<C: ConnectionTrait>(
    db: &C,
    token: &str,
    now: DateTime<Utc>,
) -> Result<Option<auth_token::Model>, DbErr> {
    Ok(auth_token::Entity::find()
        .filter(auth_token::Column::TokenHash.eq(hash_token(token)))
        .one(db)
        .await?
        .filter(|t| t.used_at.is_none() && t.expires_at > now))
}

/// Marks the token used, atomically: of two concurrent uses exactly one succeeds.
pub async fn consume<C: ConnectionTrait>(
    db: &C,
    token_id: i64,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let result = auth_token::Entity::update_many()
        .col_expr(
            auth_token::Column::UsedAt,
            sea_orm::sea_query::Expr::value(now),
        )
        .filter(auth_token::Column::Id.eq(token_id))
        .filter(auth_token::Column::UsedAt.is_null())
        .filter(auth_token::Column::ExpiresAt.gt(now))
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

/// Ends earlier unused tokens of the same purpose when a new one is issued.
pub async fn revoke_others<C: ConnectionTrait>(
    db: &C,
    user_id: i64,
    purpose: TokenPurpose,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    auth_token::Entity::update_many()
        .col_expr(
            auth_token::Column::UsedAt,
            sea_orm::sea_query::Expr::value(now),
        )
        .filter(auth_token::Column::UserId.eq(user_id))
        .filter(auth_token::Column::Purpose.eq(purpose))
        .filter(auth_token::Column::UsedAt.is_null())
        .exec(db)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reset_links_live_an_hour_and_invitations_a_week() {
        assert_eq!(lifetime(TokenPurpose::Reset), Duration::hours(1));
        assert_eq!(lifetime(TokenPurpose::Invite), Duration::days(7));
    }
}
