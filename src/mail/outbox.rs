//! The `email_outbox` table: enqueueing in the caller's transaction, claiming, delivering with
//! retries, and the counts for the administrators.

use chrono::{DateTime, TimeDelta, Utc};
use entity::email_outbox::{self, OutboxState};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveValue::{NotSet, Set},
    ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect,
};

use super::Mailer;

/// How many due rows one [`deliver_due`] call looks at.
const BATCH_SIZE: u64 = 20;

/// After this many attempts a row is `failed` instead of retried.
pub const MAX_ATTEMPTS: i32 = 20;

/// How long a claim holds. Far longer than one send may take (a send is cut off after one
/// minute), so a live worker never loses its claim; a crashed worker's rows are due again after it.
pub const CLAIM_LEASE: TimeDelta = TimeDelta::minutes(5);

/// Longest `last_error` kept, in characters.
const MAX_ERROR_CHARS: usize = 500;

/// One e-mail to send. `related` names the resource it is about, e.g. `("application", "17")`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutgoingMail {
    pub to: String,
    pub subject: String,
    pub body_text: String,
    pub related: Option<(String, String)>,
}

impl OutgoingMail {
    /// Records which resource the mail is about (shown to administrators).
    pub fn related_to(mut self, resource_type: impl Into<String>, id: impl ToString) -> Self {
        self.related = Some((resource_type.into(), id.to_string()));
        self
    }
}

/// What one [`deliver_due`] call did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DeliveryReport {
    /// Rows this call claimed (and tried to send).
    pub claimed: usize,
    pub sent: usize,
    /// Failed now, will be retried after the back-off.
    pub retrying: usize,
    /// Failed for good (permanent error or [`MAX_ATTEMPTS`] reached).
    pub failed: usize,
    /// Due rows another worker claimed first.
    pub taken_by_others: usize,
}

/// How many rows are in each state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OutboxCounts {
    pub pending: u64,
    pub sending: u64,
    pub sent: u64,
    pub failed: u64,
}

/// Writes `mail` to the outbox through `db`, which may be (and for a notification about a change
/// should be) the transaction of that change. The row is due at once. Returns its id.
pub async fn enqueue<C: ConnectionTrait>(db: &C, mail: OutgoingMail) -> Result<i64, DbErr> {
    let now = Utc::now();
    let (related_type, related_id) = match mail.related {
        Some((kind, id)) => (Some(kind), Some(id)),
        None => (None, None),
    };
    let row = email_outbox::ActiveModel {
        id: NotSet,
        created_at: Set(now),
        to_address: Set(mail.to),
        subject: Set(mail.subject),
        body_text: Set(mail.body_text),
        body_html: Set(None),
        state: Set(OutboxState::Pending),
        attempts: Set(0),
        next_attempt_at: Set(now),
        last_error: Set(None),
        sent_at: Set(None),
        related_type: Set(related_type),
        related_id: Set(related_id),
        claimed_until: Set(None),
        claim_token: Set(None),
    };
    let id = email_outbox::Entity::insert(row)
        .exec(db)
        .await?
        .last_insert_id;
    tracing::debug!(outbox_id = id, "e-mail queued");
    Ok(id)
}

/// The wait before the next attempt after `attempts` attempts: 10 s, 30 s, 2 min, 10 min,
/// 30 min, then every hour.
pub fn backoff(attempts: i32) -> TimeDelta {
    match attempts {
        i32::MIN..=1 => TimeDelta::seconds(10),
        2 => TimeDelta::seconds(30),
        3 => TimeDelta::minutes(2),
        4 => TimeDelta::minutes(10),
        5 => TimeDelta::minutes(30),
        _ => TimeDelta::hours(1),
    }
}

/// Rows a worker may claim at `now`: pending and due, or claimed by a worker whose claim expired.
fn due(now: DateTime<Utc>) -> Condition {
    Condition::any()
        .add(
            Condition::all()
                .add(email_outbox::Column::State.eq(OutboxState::Pending))
                .add(email_outbox::Column::NextAttemptAt.lte(now)),
        )
        .add(
            Condition::all()
                .add(email_outbox::Column::State.eq(OutboxState::Sending))
                .add(email_outbox::Column::ClaimedUntil.lte(now)),
        )
}

/// Sends the rows that are due at `now` (at most a batch), each exactly once even when several
/// workers (instances) run this at the same moment: a row is claimed with one atomic UPDATE that
/// only one of them can win. A sent row becomes `sent`; a failed one is retried after
/// [`backoff`], or becomes `failed` after [`MAX_ATTEMPTS`] or on a permanent error.
///
/// `now` is the clock: tests pass a moment in the future instead of waiting for the back-off.
/// After the first SMTP failure the batch stops, so an outage costs one attempt per call rather
/// than one time-out per row.
pub async fn deliver_due(
    db: &DatabaseConnection,
    mailer: &Mailer,
    from: &str,
    now: DateTime<Utc>,
) -> Result<DeliveryReport, DbErr> {
    let candidates: Vec<i64> = email_outbox::Entity::find()
        .select_only()
        .column(email_outbox::Column::Id)
        .filter(due(now))
        .order_by_asc(email_outbox::Column::NextAttemptAt)
        .order_by_asc(email_outbox::Column::Id)
        .limit(BATCH_SIZE)
        .into_tuple()
        .all(db)
        .await?;

    let mut report = DeliveryReport::default();
    for id in candidates {
        let token = uuid::Uuid::new_v4().to_string();
        let Some(row) = claim(db, id, &token, now).await? else {
            report.taken_by_others += 1;
            continue;
        };
        report.claimed += 1;
        match mailer.send(from, &row).await {
            Ok(()) => {
                mark_sent(db, id, &token, now).await?;
                report.sent += 1;
                tracing::info!(outbox_id = id, attempt = row.attempts, "e-mail sent");
            }
            Err(err) => {
                let give_up = err.is_permanent() || row.attempts >= MAX_ATTEMPTS;
                let error_text = mailer.describe(&err);
                mark_failed(db, &row, &token, now, &error_text, give_up).await?;
                if give_up {
                    report.failed += 1;
                    tracing::error!(outbox_id = id, attempt = row.attempts, error = %error_text, "e-mail failed for good");
                } else {
                    report.retrying += 1;
                    tracing::warn!(outbox_id = id, attempt = row.attempts, error = %error_text, "e-mail not sent, will retry");
                }
                if !err.is_permanent() {
                    break;
                }
            }
        }
    }
    Ok(report)
}

/// Claims row `id` for this worker if it is still due; returns it (with `attempts` counting this
/// attempt) or `None` when another worker was first.
async fn claim(
    db: &DatabaseConnection,
    id: i64,
    token: &str,
    now: DateTime<Utc>,
) -> Result<Option<email_outbox::Model>, DbErr> {
    let claimed = email_outbox::Entity::update_many()
        .set(email_outbox::ActiveModel {
            state: Set(OutboxState::Sending),
            claimed_until: Set(Some(now + CLAIM_LEASE)),
            claim_token: Set(Some(token.to_owned())),
            ..Default::default()
        })
        .col_expr(
            email_outbox::Column::Attempts,
            Expr::col(email_outbox::Column::Attempts).add(1),
        )
        .filter(email_outbox::Column::Id.eq(id))
        .filter(due(now))
        .exec(db)
        .await?;
    if claimed.rows_affected != 1 {
        return Ok(None);
    }
    email_outbox::Entity::find_by_id(id)
        .filter(email_outbox::Column::ClaimToken.eq(token))
        .one(db)
        .await
}

/// Updates the row only while this worker's claim holds.
fn still_ours(id: i64, token: &str) -> Condition {
    Condition::all()
        .add(email_outbox::Column::Id.eq(id))
        .add(email_outbox::Column::State.eq(OutboxState::Sending))
        .add(email_outbox::Column::ClaimToken.eq(token))
}

async fn mark_sent(
    db: &DatabaseConnection,
    id: i64,
    token: &str,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    let result = email_outbox::Entity::update_many()
        .set(email_outbox::ActiveModel {
            state: Set(OutboxState::Sent),
            sent_at: Set(Some(now)),
            claimed_until: Set(None),
            claim_token: Set(None),
            ..Default::default()
        })
        .filter(still_ours(id, token))
        .exec(db)
        .await?;
    if result.rows_affected != 1 {
        tracing::warn!(
            outbox_id = id,
            "e-mail sent after its claim expired; another worker may send it again"
        );
    }
    Ok(())
}

async fn mark_failed(
    db: &DatabaseConnection,
    row: &email_outbox::Model,
    token: &str,
    now: DateTime<Utc>,
    error_text: &str,
    give_up: bool,
) -> Result<(), DbErr> {
    let (state, next_attempt_at) = if give_up {
        (OutboxState::Failed, row.next_attempt_at)
    } else {
        (OutboxState::Pending, now + backoff(row.attempts))
    };
    email_outbox::Entity::update_many()
        .set(email_outbox::ActiveModel {
            state: Set(state),
            next_attempt_at: Set(next_attempt_at),
            last_error: Set(Some(truncate(error_text, MAX_ERROR_CHARS))),
            claimed_until: Set(None),
            claim_token: Set(None),
            ..Default::default()
        })
        .filter(still_ours(row.id, token))
        .exec(db)
        .await?;
    Ok(())
}

fn truncate(text: &str, max_chars: usize) -> String {
    match text.char_indices().nth(max_chars) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_owned(),
    }
}

/// Puts a `failed` row back in the queue, due at `now`, with a fresh series of attempts (for an
/// administrator, after fixing the cause). Returns false when the row is not `failed`.
pub async fn requeue_failed<C: ConnectionTrait>(
    db: &C,
    id: i64,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let result = email_outbox::Entity::update_many()
        .set(email_outbox::ActiveModel {
            state: Set(OutboxState::Pending),
            attempts: Set(0),
            next_attempt_at: Set(now),
            ..Default::default()
        })
        .filter(email_outbox::Column::Id.eq(id))
        .filter(email_outbox::Column::State.eq(OutboxState::Failed))
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

/// The number of rows per state, for the administrators' overview.
pub async fn outbox_counts<C: ConnectionTrait>(db: &C) -> Result<OutboxCounts, DbErr> {
    let rows: Vec<(OutboxState, i64)> = email_outbox::Entity::find()
        .select_only()
        .column(email_outbox::Column::State)
        .column_as(email_outbox::Column::Id.count(), "n")
        .group_by(email_outbox::Column::State)
        .into_tuple()
        .all(db)
        .await?;
    let mut counts = OutboxCounts::default();
    for (state, n) in rows {
        let n = u64::try_from(n).unwrap_or_default();
        match state {
            OutboxState::Pending => counts.pending = n,
            OutboxState::Sending => counts.sending = n,
            OutboxState::Sent => counts.sent = n,
            OutboxState::Failed => counts.failed = n,
        }
    }
    Ok(counts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_back_off_grows_and_is_capped_at_an_hour() {
        let waits: Vec<i64> = (1..=8).map(|n| backoff(n).num_seconds()).collect();
        assert_eq!(waits, [10, 30, 120, 600, 1800, 3600, 3600, 3600]);
        assert_eq!(backoff(MAX_ATTEMPTS).num_seconds(), 3600);
    }

    #[test]
    fn all_attempts_together_span_more_than_half_a_day() {
        let total: i64 = (1..MAX_ATTEMPTS).map(|n| backoff(n).num_seconds()).sum();
        assert!(total > 12 * 3600, "{total}");
    }

    #[test]
    fn long_errors_are_cut_on_a_character_boundary() {
        assert_eq!(truncate("kort", 10), "kort");
        assert_eq!(truncate("ëëëëë", 3), "ëëë…");
    }

    #[test]
    fn related_to_names_the_resource() {
        let mail = OutgoingMail {
            to: "a@b.be".into(),
            subject: "s".into(),
            body_text: "t".into(),
            related: None,
        }
        .related_to("application", 17);
        assert_eq!(
            mail.related,
            Some(("application".to_owned(), "17".to_owned()))
        );
    }
}
