//! Login throttling that keeps guessing impractical without letting anyone lock out a user who
//! knows their password.
//!
//! Every attempt is a row in `login_attempt`, written **before** the password is checked; only
//! then are the earlier attempts counted. Of any number of parallel attempts, the last one to
//! count sees all the others, so no more than the limit ever reach the password check.
//!
//! - **Per account** (the typed e-mail address, known or not, from browsers that are not a known
//!   device of the account): the first [`FREE_FAILURES`] failures within [`WINDOW`] cost nothing;
//!   after that the next check waits [`FIRST_DELAY`] after the latest failure, doubling with
//!   every further failure up to [`MAX_DELAY`]. It slows guessing down to a few tries an hour;
//!   it never blocks for longer than that, and it counts only failures since the account's last
//!   success, so a successful password reset ([`lift`]) or login ends it.
//! - **Per known device** (a browser in which the account signed in before, see
//!   [`super::devices`]): the same rule, counted for that device alone. Its attempts do not
//!   count for the account nor for the address, and the account's and the address's failures do
//!   not slow it down: whatever an attacker does elsewhere, the owner signs in from their own
//!   browser.
//! - **Per address** (the client address, behind trusted proxies the forwarded one): at most
//!   [`MAX_FAILURES_PER_ADDRESS`] failures within [`ADDRESS_WINDOW`], across accounts.
//!
//! Refused attempts are recorded (`refused`) but never counted: they checked nothing.
//!
//! Reset mails are throttled the same way ([`reset_mail`]): at most
//! [`MAX_RESET_MAILS_PER_ACCOUNT`] per account and [`MAX_RESET_REQUESTS_PER_ADDRESS`] requests
//! per address within [`RESET_WINDOW`]; the page answers the same either way.

use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::{Expr, SimpleExpr};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, Select, Set,
};

use entity::{login_attempt, password_reset_request};

/// The window in which failures for an account or a known device are counted.
pub const WINDOW: Duration = Duration::hours(1);
/// Failures for an account (or a known device) that do not slow the next attempt down.
pub const FREE_FAILURES: u64 = 5;
/// The wait after the first failure beyond the free ones; it doubles with each further failure.
pub const FIRST_DELAY: Duration = Duration::seconds(30);
/// The longest wait between two checks for one account.
pub const MAX_DELAY: Duration = Duration::minutes(15);
/// The window in which failures from one address are counted.
pub const ADDRESS_WINDOW: Duration = Duration::minutes(15);
/// Failures from one network address, across accounts, before that address has to wait.
pub const MAX_FAILURES_PER_ADDRESS: u64 = 20;

/// The window in which requests for a reset mail are counted.
pub const RESET_WINDOW: Duration = Duration::hours(1);
/// Reset mails to one account within the window.
pub const MAX_RESET_MAILS_PER_ACCOUNT: u64 = 3;
/// Requests for a reset mail from one address within the window, for any address typed.
pub const MAX_RESET_REQUESTS_PER_ADDRESS: u64 = 20;

/// Which limit made an attempt wait.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    Account,
    Device,
    Address,
}

impl Limit {
    /// The name in the audit log.
    pub fn code(self) -> &'static str {
        match self {
            Limit::Account => "account",
            Limit::Device => "device",
            Limit::Address => "address",
        }
    }
}

/// An attempt refused without checking the password, and when to try again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Wait {
    pub limit: Limit,
    pub until: DateTime<Utc>,
}

impl Wait {
    /// Whole seconds left, at least one (for `Retry-After`).
    pub fn seconds(&self, now: DateTime<Utc>) -> i64 {
        let left = self.until - now;
        (left.num_seconds() + i64::from(left.subsec_nanos() > 0)).max(1)
    }

    /// The Dutch message for the form: what happened and what to do.
    pub fn message(&self, now: DateTime<Utc>) -> String {
        let wait = dutch_duration(self.seconds(now));
        match self.limit {
            Limit::Account => format!(
                "Te veel mislukte aanmeldpogingen voor dit e-mailadres. Probeer het opnieuw over \
                 {wait}, of stel uw wachtwoord opnieuw in via ‘Wachtwoord vergeten’."
            ),
            Limit::Device => format!(
                "Te veel mislukte aanmeldpogingen op dit toestel. Probeer het opnieuw over \
                 {wait}, of stel uw wachtwoord opnieuw in via ‘Wachtwoord vergeten’."
            ),
            Limit::Address => format!(
                "Te veel mislukte aanmeldpogingen vanaf uw netwerk. Probeer het opnieuw over \
                 {wait}."
            ),
        }
    }
}

/// "30 seconden", "1 minuut", "15 minuten" (minutes rounded up from two minutes on).
pub fn dutch_duration(seconds: i64) -> String {
    match seconds {
        ..=1 => "1 seconde".to_owned(),
        2..120 => format!("{seconds} seconden"),
        _ => format!("{} minuten", (seconds + 59) / 60),
    }
}

/// How long the next check waits after the latest failure, when `failures` are counted.
pub fn delay_after(failures: u64) -> Duration {
    if failures < FREE_FAILURES {
        return Duration::zero();
    }
    // 30 s × 2^5 is already beyond the maximum.
    let doublings = (failures - FREE_FAILURES).min(5) as u32;
    (FIRST_DELAY * 2i32.pow(doublings)).min(MAX_DELAY)
}

/// An attempt that may check the password. It is recorded as a failure until
/// [`succeeded`] says otherwise.
#[derive(Debug)]
pub struct Attempt {
    id: i64,
}

/// Records an attempt for `email` from `ip` (with the account's known device, if the request
/// came from one) and decides whether its password may be checked.
///
/// Takes the connection, never a transaction: the row must be visible to parallel attempts
/// before this one counts theirs.
pub async fn begin(
    db: &DatabaseConnection,
    email: &str,
    ip: &str,
    device: Option<i64>,
    now: DateTime<Utc>,
) -> Result<Result<Attempt, Wait>, DbErr> {
    let row = login_attempt::ActiveModel {
        email: Set(email.chars().take(254).collect()),
        ip: Set(ip.to_owned()),
        attempted_at: Set(now),
        success: Set(false),
        refused: Set(false),
        known_device_id: Set(device),
        ..Default::default()
    }
    .insert(db)
    .await?;
    let waits = match device {
        Some(device) => vec![
            slowed_down(
                db,
                Limit::Device,
                login_attempt::Column::KnownDeviceId.eq(device),
                row.id,
                now,
            )
            .await?,
        ],
        None => vec![
            slowed_down(
                db,
                Limit::Account,
                login_attempt::Column::Email.eq(row.email.as_str()),
                row.id,
                now,
            )
            .await?,
            address_blocked(db, ip, row.id, now).await?,
        ],
    };
    match waits.into_iter().flatten().max_by_key(|w| w.until) {
        None => Ok(Ok(Attempt { id: row.id })),
        Some(wait) => {
            login_attempt::Entity::update_many()
                .col_expr(login_attempt::Column::Refused, Expr::value(true))
                .filter(login_attempt::Column::Id.eq(row.id))
                .exec(db)
                .await?;
            Ok(Err(wait))
        }
    }
}

/// The attempt's password was right: it is no longer a failure, and it lifts the throttle of
/// its account (or device).
pub async fn succeeded<C: ConnectionTrait>(db: &C, attempt: &Attempt) -> Result<(), DbErr> {
    login_attempt::Entity::update_many()
        .col_expr(login_attempt::Column::Success, Expr::value(true))
        .filter(login_attempt::Column::Id.eq(attempt.id))
        .exec(db)
        .await?;
    Ok(())
}

/// A successful password reset of the account `email`: recorded as a successful attempt, so
/// the account's earlier failures no longer slow anyone down.
pub async fn lift<C: ConnectionTrait>(
    db: &C,
    email: &str,
    ip: &str,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    login_attempt::ActiveModel {
        email: Set(email.chars().take(254).collect()),
        ip: Set(ip.to_owned()),
        attempted_at: Set(now),
        success: Set(true),
        refused: Set(false),
        known_device_id: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}

/// What to do with a request for a reset mail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResetMail {
    /// Send it.
    Send,
    /// No active account has the typed address: nothing to send.
    NoAccount,
    /// Too many requests for the account or from the address: no mail this time.
    Throttled,
}

/// Records a request for a reset mail for `email` from `ip` (`account`: an active account has
/// that address) and decides whether to send it. Like [`begin`], the request is recorded before
/// the earlier ones are counted, on the connection and not in a transaction, so parallel
/// requests never send more than the limit.
pub async fn reset_mail(
    db: &DatabaseConnection,
    email: &str,
    ip: &str,
    account: bool,
    now: DateTime<Utc>,
) -> Result<ResetMail, DbErr> {
    let row = password_reset_request::ActiveModel {
        email: Set(email.chars().take(254).collect()),
        ip: Set(ip.to_owned()),
        requested_at: Set(now),
        // A claim on one of the account's mails, given back below when over the limit.
        mailed: Set(account),
        ..Default::default()
    }
    .insert(db)
    .await?;
    let since = now - RESET_WINDOW;
    let from_address = password_reset_request::Entity::find()
        .filter(password_reset_request::Column::Ip.eq(ip))
        .filter(password_reset_request::Column::RequestedAt.gt(since))
        .count(db)
        .await?;
    let for_account = if account {
        password_reset_request::Entity::find()
            .filter(password_reset_request::Column::Email.eq(row.email.as_str()))
            .filter(password_reset_request::Column::Mailed.eq(true))
            .filter(password_reset_request::Column::RequestedAt.gt(since))
            .count(db)
            .await?
    } else {
        0
    };
    let throttled =
        from_address > MAX_RESET_REQUESTS_PER_ADDRESS || for_account > MAX_RESET_MAILS_PER_ACCOUNT;
    if account && throttled {
        password_reset_request::Entity::update_many()
            .col_expr(password_reset_request::Column::Mailed, Expr::value(false))
            .filter(password_reset_request::Column::Id.eq(row.id))
            .exec(db)
            .await?;
    }
    Ok(match (account, throttled) {
        (_, true) => ResetMail::Throttled,
        (true, false) => ResetMail::Send,
        (false, false) => ResetMail::NoAccount,
    })
}

/// Attempts in `scope` other than `mine` since `since`.
fn in_scope(scope: SimpleExpr, mine: i64, since: DateTime<Utc>) -> Select<login_attempt::Entity> {
    login_attempt::Entity::find()
        .filter(scope)
        .filter(login_attempt::Column::Id.ne(mine))
        .filter(login_attempt::Column::AttemptedAt.gt(since))
}

/// The wait for an account (its attempts from browsers that are not its known devices) or for
/// one known device: failures since its latest success count.
async fn slowed_down(
    db: &DatabaseConnection,
    limit: Limit,
    scope: SimpleExpr,
    mine: i64,
    now: DateTime<Utc>,
) -> Result<Option<Wait>, DbErr> {
    // A success lifts the throttle: for the account, a success from any browser (or a reset).
    let last_success = login_attempt::Entity::find()
        .filter(scope.clone())
        .filter(login_attempt::Column::Success.eq(true))
        .filter(login_attempt::Column::AttemptedAt.gt(now - WINDOW))
        .order_by_desc(login_attempt::Column::AttemptedAt)
        .one(db)
        .await?
        .map(|a| a.attempted_at);
    let since = last_success.map_or(now - WINDOW, |at| at.max(now - WINDOW));
    let mut failures = in_scope(scope, mine, since)
        .filter(login_attempt::Column::Success.eq(false))
        .filter(login_attempt::Column::Refused.eq(false));
    if limit == Limit::Account {
        failures = failures.filter(login_attempt::Column::KnownDeviceId.is_null());
    }
    let count = failures.clone().count(db).await?;
    if count < FREE_FAILURES {
        return Ok(None);
    }
    let latest = failures
        .order_by_desc(login_attempt::Column::AttemptedAt)
        .one(db)
        .await?;
    Ok(latest
        .map(|a| a.attempted_at + delay_after(count))
        .filter(|until| *until > now)
        .map(|until| Wait { limit, until }))
}

/// The wait for an address: too many failures from it within the window, from browsers that
/// are not a known device of the account they tried.
async fn address_blocked(
    db: &DatabaseConnection,
    ip: &str,
    mine: i64,
    now: DateTime<Utc>,
) -> Result<Option<Wait>, DbErr> {
    let failures = in_scope(login_attempt::Column::Ip.eq(ip), mine, now - ADDRESS_WINDOW)
        .filter(login_attempt::Column::KnownDeviceId.is_null())
        .filter(login_attempt::Column::Success.eq(false))
        .filter(login_attempt::Column::Refused.eq(false));
    if failures.clone().count(db).await? < MAX_FAILURES_PER_ADDRESS {
        return Ok(None);
    }
    // The address may try again when its oldest counted failure leaves the window.
    let oldest = failures
        .order_by_asc(login_attempt::Column::AttemptedAt)
        .one(db)
        .await?;
    Ok(Some(Wait {
        limit: Limit::Address,
        until: oldest.map_or(now + ADDRESS_WINDOW, |a| a.attempted_at + ADDRESS_WINDOW),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wait_grows_with_each_failure_beyond_five_and_stops_at_fifteen_minutes() {
        let waits: Vec<i64> = (0..=12).map(|n| delay_after(n).num_seconds()).collect();
        assert_eq!(waits, [0, 0, 0, 0, 0, 30, 60, 120, 240, 480, 900, 900, 900]);
        assert_eq!(delay_after(u64::MAX), MAX_DELAY, "no overflow");
    }

    #[test]
    fn the_wait_is_told_in_seconds_or_whole_minutes() {
        assert_eq!(dutch_duration(0), "1 seconde");
        assert_eq!(dutch_duration(30), "30 seconden");
        assert_eq!(dutch_duration(119), "119 seconden");
        assert_eq!(dutch_duration(121), "3 minuten");
        assert_eq!(dutch_duration(900), "15 minuten");
        let now = chrono::TimeZone::with_ymd_and_hms(&Utc, 2024, 3, 1, 9, 0, 0).unwrap();
        let wait = Wait {
            limit: Limit::Account,
            until: now + Duration::milliseconds(29_500),
        };
        assert_eq!(wait.seconds(now), 30, "rounded up");
        assert!(wait.message(now).contains("over 30 seconden"));
        assert!(wait.message(now).contains("Wachtwoord vergeten"));
    }
}
