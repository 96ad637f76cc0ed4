//! Report reminders by e-mail: a periodic job, started beside the mail worker, that reminds the
//! lead of an approved dossier of a progress report that is not submitted yet, once in the
//! [`REMIND_DAYS_BEFORE`](crate::domain::followup::REMIND_DAYS_BEFORE) days before its deadline
//! and once when it is overdue.
//!
//! Each reminder is recorded in `report_reminder` (unique per report and kind) in the same
//! transaction that queues its e-mails, with `INSERT … ON CONFLICT DO NOTHING`: a restart, a
//! second run on the same day or a second instance on the same database finds the row and sends
//! nothing. The job takes `today` as a parameter ([`send_due`]), so tests drive it directly.
//!
//! The same job reminds the lead of a dossier ABB sent back for changes, once, from
//! [`REMIND_DAYS_BEFORE`](crate::domain::messages::REMIND_DAYS_BEFORE) days before the day ABB
//! expects the answer ([`send_answer_reminders`]; the rule: [`crate::domain::messages`]). The
//! change request records the day of its reminder (`reminded_on`, set only while empty) in the
//! transaction that queues the e-mails, so it is sent once.

use std::time::Duration;

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use sea_orm::{ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, Set};
use tokio::sync::watch;
use tokio::task::JoinHandle;

use entity::progress_report::{self, ReportState as StoredState};
use entity::{application, report_reminder};

use crate::audit;
use crate::domain::followup::{REMIND_DAYS_BEFORE, ReminderKind, reminder_due, reminder_text};
use crate::state::AppState;
use crate::store::followup::{self as store, By, FOLLOWED_STATES, report_kind, report_state};

/// How often the job looks for reports to remind about.
pub const INTERVAL: Duration = Duration::from_secs(60 * 60);

/// What one run did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReminderReport {
    pub before_due: usize,
    pub overdue: usize,
}

impl ReminderReport {
    pub fn total(self) -> usize {
        self.before_due + self.overdue
    }
}

/// Sends the reminders due on `today` that were not sent before; links point at `public_url`.
/// The rows and audit entries are stamped with the system time (tests that only name the day).
pub async fn send_due(
    db: &DatabaseConnection,
    public_url: &str,
    today: NaiveDate,
) -> Result<ReminderReport, DbErr> {
    send_due_on(db, public_url, today, Utc::now()).await
}

/// [`send_due`] at `now` of the application's clock: the reminders due on its day in Brussels.
pub async fn send_due_at(
    db: &DatabaseConnection,
    public_url: &str,
    now: DateTime<Utc>,
) -> Result<ReminderReport, DbErr> {
    send_due_on(db, public_url, crate::domain::time::brussels_date(now), now).await
}

/// The reminders due on `today`, recorded at `now`.
async fn send_due_on(
    db: &DatabaseConnection,
    public_url: &str,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<ReminderReport, DbErr> {
    let mut report = ReminderReport::default();
    let horizon = today + TimeDelta::days(REMIND_DAYS_BEFORE);
    let candidates = progress_report::Entity::find()
        .filter(progress_report::Column::State.is_in([StoredState::Draft, StoredState::SentBack]))
        .filter(progress_report::Column::DueOn.lte(horizon))
        .find_also_related(application::Entity)
        .all(db)
        .await?;
    let by = By::system("systeem (herinneringen)");
    for (row, app) in candidates {
        let Some(app) = app.filter(|a| FOLLOWED_STATES.contains(&a.state)) else {
            continue;
        };
        let Some(kind) = reminder_due(report_state(row.state), row.due_on, today) else {
            continue;
        };
        let txn = crate::db::begin_write(db).await?;
        // A report whose actions all stopped needs no reminder.
        let Some(fu) = store::load(&txn, app.id).await? else {
            continue;
        };
        if fu.actions_in(row.year_number).is_empty() {
            continue;
        }
        let inserted = report_reminder::Entity::insert(report_reminder::ActiveModel {
            progress_report_id: Set(row.id),
            kind: Set(kind.code().to_owned()),
            sent_on: Set(today),
            created_at: Set(now),
            ..Default::default()
        })
        .on_conflict_do_nothing_on([
            report_reminder::Column::ProgressReportId,
            report_reminder::Column::Kind,
        ])
        .exec_without_returning(&txn)
        .await?;
        if !matches!(inserted, sea_orm::TryInsertResult::Inserted(n) if n > 0) {
            txn.rollback().await?;
            continue;
        }
        let text = reminder_text(kind, report_kind(row.kind), row.year_number, row.due_on);
        store::tell_lead(
            &txn,
            public_url,
            &app,
            match kind {
                ReminderKind::BeforeDue => "herinnering rapport",
                ReminderKind::Overdue => "rapport te laat",
            },
            &format!(
                "{text}\n\nVul het rapport in op {public_url}/dossiers/{}/rapporten/{}",
                app.id, row.id
            ),
            ("progress_report", row.id),
        )
        .await?;
        audit::record(
            &txn,
            audit::AuditEntry::new(
                "report.reminded",
                "progress_report",
                Some(row.id.to_string()),
            )
            .by(by.user_id, by.label.clone())
            .at(now)
            .details(format!("dossier {}: {}", app.reference, kind.code())),
        )
        .await?;
        txn.commit().await?;
        match kind {
            ReminderKind::BeforeDue => report.before_due += 1,
            ReminderKind::Overdue => report.overdue += 1,
        }
    }
    Ok(report)
}

/// Reminds the lead of every dossier waiting for changes whose answer ABB expects soon
/// ([`crate::domain::messages::reminder_due`] on `today`), once per change request; the rows
/// and audit entries are stamped `now`. Returns how many were reminded.
pub async fn send_answer_reminders(
    db: &DatabaseConnection,
    public_url: &str,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<usize, DbErr> {
    use crate::domain::messages;
    let horizon = today + TimeDelta::days(messages::REMIND_DAYS_BEFORE);
    let by = By::system("systeem (herinneringen)");
    let mut sent = 0;
    for (request, app) in crate::store::change_requests::to_remind(db, horizon).await? {
        let Some(due) = request.answer_due_on else {
            continue;
        };
        let requested_on = crate::domain::time::brussels_date(request.requested_at);
        if !messages::reminder_due(requested_on, due, today) {
            continue;
        }
        let txn = crate::db::begin_write(db).await?;
        if !crate::store::change_requests::mark_reminded(&txn, request.id, today).await? {
            txn.rollback().await?;
            continue;
        }
        let link = format!("{public_url}/dossiers/{}", app.id);
        let body = format!(
            "Beste,\n\n{}\n\nWat ABB vroeg: {}\n\nDossier {} (\"{}\"):\n{link}\n\nMet \
             vriendelijke groeten,\nAgentschap Binnenlands Bestuur – provisie Samenleven\n",
            messages::reminder_text(due, today),
            request.message,
            app.reference,
            app.title
        );
        let addresses = crate::store::recipients::addresses(
            &txn,
            &app,
            crate::domain::recipients::News::AnswerReminder,
        )
        .await?;
        for to in addresses {
            crate::mail::enqueue(
                &txn,
                crate::mail::OutgoingMail {
                    to,
                    subject: format!(
                        "Samenleven: herinnering, ABB wacht op uw aanpassingen ({})",
                        app.reference
                    ),
                    body_text: body.clone(),
                    related: Some(("application".into(), app.id.to_string())),
                },
            )
            .await?;
        }
        audit::record(
            &txn,
            audit::AuditEntry::new(
                "application.answer_reminded",
                "application",
                Some(app.id.to_string()),
            )
            .by(by.user_id, by.label.clone())
            .at(now)
            .details(messages::due_sentence(due, today)),
        )
        .await?;
        txn.commit().await?;
        sent += 1;
    }
    Ok(sent)
}

/// Starts the job: a run at once and then every `interval`, at the time of the application's
/// clock, until `shutdown` turns true.
pub fn spawn(
    state: AppState,
    interval: Duration,
    mut shutdown: watch::Receiver<bool>,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        tracing::info!("report reminder job started");
        while !*shutdown.borrow() {
            let now = state.clock.now();
            let today = crate::domain::time::brussels_date(now);
            let url = &state.config.public_url;
            match send_answer_reminders(&state.db, url, today, now).await {
                Ok(0) => {}
                Ok(done) => {
                    tracing::info!(done, "change request reminders queued");
                    state.mail_wakeup.notify_one();
                }
                Err(err) => {
                    tracing::warn!(error = %err, "change request reminders: database error, will retry")
                }
            }
            match send_due_at(&state.db, url, now).await {
                Ok(done) if done.total() > 0 => {
                    tracing::info!(?done, "report reminders queued");
                    state.mail_wakeup.notify_one();
                }
                Ok(_) => {}
                Err(err) => {
                    tracing::warn!(error = %err, "report reminders: database error, will retry")
                }
            }
            tokio::select! {
                changed = shutdown.changed() => {
                    if changed.is_err() {
                        break;
                    }
                }
                () = tokio::time::sleep(interval) => {}
            }
        }
        tracing::info!("report reminder job stopped");
    })
}
