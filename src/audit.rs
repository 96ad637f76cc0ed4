//! The audit trail: an append-only record of who did what to which resource, when, from where,
//! with the state before and after where relevant. This module only ever inserts; the database
//! refuses updates and deletes of `audit_log` rows (triggers, see the migrations).

use chrono::{DateTime, Utc};
use sea_orm::{ActiveModelTrait, ConnectionTrait, DbErr, Set};

use entity::audit_log;

/// One entry to record. Build it with [`AuditEntry::new`] and the `with_*` methods.
#[derive(Debug, Clone, Default)]
pub struct AuditEntry {
    pub actor_user_id: Option<i64>,
    pub actor_label: String,
    pub action: String,
    pub resource_type: String,
    pub resource_id: Option<String>,
    pub ip: Option<String>,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
    pub details: Option<String>,
    /// When it happened; `None` means the moment it is recorded.
    pub at: Option<DateTime<Utc>>,
}

impl AuditEntry {
    pub fn new(action: &str, resource_type: &str, resource_id: Option<String>) -> Self {
        Self {
            action: action.to_owned(),
            resource_type: resource_type.to_owned(),
            resource_id,
            actor_label: "anoniem".to_owned(),
            ..Self::default()
        }
    }

    pub fn by(mut self, user_id: Option<i64>, label: impl Into<String>) -> Self {
        self.actor_user_id = user_id;
        self.actor_label = label.into();
        self
    }

    pub fn from_ip(mut self, ip: Option<String>) -> Self {
        self.ip = ip;
        self
    }

    pub fn before(mut self, value: serde_json::Value) -> Self {
        self.before = Some(value);
        self
    }

    pub fn after(mut self, value: serde_json::Value) -> Self {
        self.after = Some(value);
        self
    }

    /// The moment of the change, from the application's clock.
    pub fn at(mut self, at: DateTime<Utc>) -> Self {
        self.at = Some(at);
        self
    }

    pub fn details(mut self, text: impl Into<String>) -> Self {
        self.details = Some(text.into());
        self
    }
}

/// Who makes a change, as the audit trail names them: a signed-in user, or the system itself
/// (a scheduled job), with the address the request came from.
#[derive(Debug, Clone)]
pub struct By {
    pub user_id: Option<i64>,
    pub label: String,
    pub ip: Option<String>,
}

impl By {
    pub fn of(user: &crate::auth::session::SessionUser, ip: Option<String>) -> Self {
        Self {
            user_id: Some(user.user.id),
            label: user.label(),
            ip,
        }
    }

    pub fn system(label: &str) -> Self {
        Self {
            user_id: None,
            label: label.to_owned(),
            ip: None,
        }
    }

    /// An entry by this actor about `resource_type` `id`.
    pub fn entry(&self, action: &str, resource_type: &str, id: impl ToString) -> AuditEntry {
        AuditEntry::new(action, resource_type, Some(id.to_string()))
            .by(self.user_id, self.label.clone())
            .from_ip(self.ip.clone())
    }

    /// An entry by this actor about dossier `application_id`.
    pub fn on_dossier(&self, action: &str, application_id: i64) -> AuditEntry {
        self.entry(action, "application", application_id)
    }
}

/// Appends an entry. Call it with the same transaction as the change it records.
pub async fn record<C: ConnectionTrait>(db: &C, entry: AuditEntry) -> Result<(), DbErr> {
    audit_log::ActiveModel {
        at: Set(entry.at.unwrap_or_else(Utc::now)),
        actor_user_id: Set(entry.actor_user_id),
        actor_label: Set(entry.actor_label),
        action: Set(entry.action),
        resource_type: Set(entry.resource_type),
        resource_id: Set(entry.resource_id),
        ip: Set(entry.ip),
        before: Set(entry.before.map(|v| v.to_string())),
        after: Set(entry.after.map(|v| v.to_string())),
        details: Set(entry.details),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}
