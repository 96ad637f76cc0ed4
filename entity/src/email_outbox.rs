//! The `email_outbox` table.
//!
//! Outgoing e-mail, written in the same transaction as the change that causes it and sent by a
//! worker with retries.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "email_outbox")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub created_at: DateTimeUtc,
    #[sea_orm(column_type = "Text")]
    pub to_address: String,
    #[sea_orm(column_type = "Text")]
    pub subject: String,
    #[sea_orm(column_type = "Text")]
    pub body_text: String,
    #[sea_orm(column_type = "Text")]
    pub body_html: Option<String>,
    pub state: OutboxState,
    pub attempts: i32,
    pub next_attempt_at: DateTimeUtc,
    #[sea_orm(column_type = "Text")]
    pub last_error: Option<String>,
    pub sent_at: Option<DateTimeUtc>,
    #[sea_orm(column_type = "Text")]
    pub related_type: Option<String>,
    #[sea_orm(column_type = "Text")]
    pub related_id: Option<String>,
    /// While `state` is `sending`: the claim expires at this moment (a crashed worker's row
    /// becomes due again).
    pub claimed_until: Option<DateTimeUtc>,
    /// While `state` is `sending`: the token of the worker that claimed the row.
    #[sea_orm(column_type = "Text")]
    pub claim_token: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

/// Delivery state of an outgoing e-mail.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "Text")]
#[serde(rename_all = "snake_case")]
pub enum OutboxState {
    #[sea_orm(string_value = "pending")]
    Pending,
    /// Claimed by a worker that is sending it now (until `claimed_until`).
    #[sea_orm(string_value = "sending")]
    Sending,
    #[sea_orm(string_value = "sent")]
    Sent,
    #[sea_orm(string_value = "failed")]
    Failed,
}
