//! Known devices: a browser in which a user signed in successfully gets a long-lived random
//! token in the `sl_device` cookie (only its hash is stored, tied to the account). A login
//! attempt for that account from that browser counts against the device's own limit instead of
//! the account's (see [`super::throttle`]), so an attacker who fails on purpose cannot keep the
//! owner out of their own browser. The cookie grants nothing else: it is not a session.

use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, Set,
};

use entity::known_device;

use super::{hash_token, random_token};

/// A device not used to sign in for this long is forgotten (the cookie lives as long).
pub const LIFETIME: Duration = Duration::days(365);

/// The known device of `user_id` whose cookie holds `token`, if it is still remembered.
pub async fn recognise<C: ConnectionTrait>(
    db: &C,
    token: &str,
    user_id: i64,
    now: DateTime<Utc>,
) -> Result<Option<known_device::Model>, DbErr> {
    if token.is_empty() || token.len() > 128 {
        return Ok(None);
    }
    known_device::Entity::find()
        .filter(known_device::Column::TokenHash.eq(hash_token(token)))
        .filter(known_device::Column::UserId.eq(user_id))
        .filter(known_device::Column::LastUsedAt.gt(now - LIFETIME))
        .one(db)
        .await
}

/// After a successful login of `user_id`: notes that the `known` device was used, or remembers
/// this browser as a new device. Returns the token for the `sl_device` cookie (`presented` is
/// the one the browser sent, kept for a known device).
pub async fn remember<C: ConnectionTrait>(
    db: &C,
    user_id: i64,
    known: Option<&known_device::Model>,
    presented: Option<&str>,
    now: DateTime<Utc>,
) -> Result<String, DbErr> {
    if let (Some(device), Some(token)) = (known, presented) {
        known_device::Entity::update_many()
            .col_expr(known_device::Column::LastUsedAt, Expr::value(now))
            .filter(known_device::Column::Id.eq(device.id))
            .exec(db)
            .await?;
        return Ok(token.to_owned());
    }
    // Devices not used for a year are forgotten.
    known_device::Entity::delete_many()
        .filter(known_device::Column::UserId.eq(user_id))
        .filter(known_device::Column::LastUsedAt.lte(now - LIFETIME))
        .exec(db)
        .await?;
    let token = random_token();
    known_device::ActiveModel {
        user_id: Set(user_id),
        token_hash: Set(hash_token(&token)),
        created_at: Set(now),
        last_used_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(token)
}
