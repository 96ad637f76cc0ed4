//! The unit of work of a command: one write transaction that commits the change together with
//! its audit entries and its e-mails (in the outbox), and then wakes the mail worker. Nothing is
//! half done: a command that stops early drops the `Work` and the transaction rolls back.

use sea_orm::{DatabaseTransaction, DbErr};

use crate::audit::{self, AuditEntry};
use crate::mail::{self, OutgoingMail};
use crate::state::AppState;

pub struct Work {
    txn: DatabaseTransaction,
    audit: Vec<AuditEntry>,
    mails: Vec<OutgoingMail>,
    wakeup: std::sync::Arc<tokio::sync::Notify>,
}

impl Work {
    /// Begins a write transaction (on SQLite `BEGIN IMMEDIATE`, so writers queue instead of
    /// failing halfway).
    pub async fn begin(state: &AppState) -> Result<Self, DbErr> {
        Ok(Self {
            txn: crate::db::begin_write(&state.db).await?,
            audit: Vec::new(),
            mails: Vec::new(),
            wakeup: state.mail_wakeup.clone(),
        })
    }

    /// The transaction, for the store's queries.
    pub fn txn(&self) -> &DatabaseTransaction {
        &self.txn
    }

    /// Records `entry` with the change.
    pub fn audit(&mut self, entry: AuditEntry) {
        self.audit.push(entry);
    }

    /// Sends `mail` once the change is committed.
    pub fn mail(&mut self, mail: OutgoingMail) {
        self.mails.push(mail);
    }

    /// Writes the audit entries and the outbox rows, commits, and wakes the mail worker.
    pub async fn commit(self) -> Result<(), DbErr> {
        for entry in self.audit {
            audit::record(&self.txn, entry).await?;
        }
        let has_mail = !self.mails.is_empty();
        for mail in self.mails {
            mail::enqueue(&self.txn, mail).await?;
        }
        self.txn.commit().await?;
        if has_mail {
            self.wakeup.notify_one();
        }
        Ok(())
    }

    /// Drops the change (the same as dropping the `Work`, but explicit).
    pub async fn rollback(self) -> Result<(), DbErr> {
        self.txn.rollback().await
    }
}
