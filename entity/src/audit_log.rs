//! The `audit_log` table.
//!
//! Append-only record of changes and sensitive actions: who (`actor_user_id` has no foreign key
//! so the log outlives users; `actor_label` keeps a readable name), what, on which resource,
//! and JSON before/after images. Triggers reject UPDATE and DELETE.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "audit_log")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub at: DateTimeUtc,
    /// No foreign key: the log must outlive users.
    pub actor_user_id: Option<i64>,
    #[sea_orm(column_type = "Text")]
    pub actor_label: String,
    #[sea_orm(column_type = "Text")]
    pub action: String,
    #[sea_orm(column_type = "Text")]
    pub resource_type: String,
    #[sea_orm(column_type = "Text")]
    pub resource_id: Option<String>,
    #[sea_orm(column_type = "Text")]
    pub ip: Option<String>,
    /// JSON.
    #[sea_orm(column_type = "Text")]
    pub before: Option<String>,
    /// JSON.
    #[sea_orm(column_type = "Text")]
    pub after: Option<String>,
    #[sea_orm(column_type = "Text")]
    pub details: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
