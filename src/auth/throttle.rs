//! Login throttling: too many failed attempts for one account, or from one address, within a
//! window block further attempts for a while. Every attempt is recorded in `login_attempt`.

use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, Set,
};

use entity::login_attempt;

/// The window in which failures are counted.
pub const WINDOW: Duration = Duration::minutes(15);
/// Failed attempts for one e-mail address before it is blocked.
pub const MAX_FAILURES_PER_ACCOUNT: u64 = 5;
/// Failed attempts from one network address before it is blocked.
pub const MAX_FAILURES_PER_ADDRESS: u64 = 20;

/// When a blocked login may be tried again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Blocked {
    pub until: DateTime<Utc>,
}

/// Whether a login for `email` from `ip` is blocked at `now`.
pub async fn check<C: ConnectionTrait>(
    db: &C,
    email: &str,
    ip: &str,
    now: DateTime<Utc>,
) -> Result<Option<Blocked>, DbErr> {
    let since = now - WINDOW;
    let by_account = failures(db, login_attempt::Column::Email, email, since).await?;
    let by_address = failures(db, login_attempt::Column::Ip, ip, since).await?;
    let (column, value) = if by_account >= MAX_FAILURES_PER_ACCOUNT {
        (login_attempt::Column::Email, email)
    } else if by_address >= MAX_FAILURES_PER_ADDRESS {
        (login_attempt::Column::Ip, ip)
    } else {
        return Ok(None);
    };
    let latest = login_attempt::Entity::find()
        .filter(column.eq(value))
        .filter(login_attempt::Column::Success.eq(false))
        .filter(login_attempt::Column::AttemptedAt.gt(since))
        .order_by_desc(login_attempt::Column::AttemptedAt)
        .one(db)
        .await?;
    Ok(latest.map(|a| Blocked {
        until: a.attempted_at + WINDOW,
    }))
}

async fn failures<C: ConnectionTrait>(
    db: &C,
    column: login_attempt::Column,
    value: &str,
    since: DateTime<Utc>,
) -> Result<u64, DbErr> {
    login_attempt::Entity::find()
        .filter(column.eq(value))
        .filter(login_attempt::Column::Success.eq(false))
        .filter(login_attempt::Column::AttemptedAt.gt(since))
        .count(db)
        .await
}

pub async fn record<C: ConnectionTrait>(
    db: &C,
    email: &str,
    ip: &str,
    success: bool,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    login_attempt::ActiveModel {
        email: Set(email.chars().take(254).collect()),
        ip: Set(ip.to_owned()),
        attempted_at: Set(now),
        success: Set(success),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}
