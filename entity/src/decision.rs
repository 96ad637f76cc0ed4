//! The `decision` table.
//!
//! The decision on an application with its motivation and granted totals; a reopened decision
//! records who reopened it and why.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "decision")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub application_id: i64,
    pub outcome: DecisionOutcome,
    #[sea_orm(column_type = "Text")]
    pub motivation: String,
    pub decided_by: i64,
    pub decided_at: DateTimeUtc,
    pub total_granted_cents: i64,
    pub incentive_cents: i64,
    pub reopened_at: Option<DateTimeUtc>,
    pub reopened_by: Option<i64>,
    #[sea_orm(column_type = "Text")]
    pub reopen_reason: Option<String>,
    /// Optimistic-locking counter, raised on every update.
    pub version: i32,
    /// Who proposed the decision that `decided_by` confirmed (four eyes); `None` for a
    /// decision taken in one step.
    pub proposed_by: Option<i64>,
    /// The incentive per project year as a JSON object (`{"1": 0, "2": 1000000}`) when it
    /// differs between the decision's years (a member taken in during a later round); `None`:
    /// `incentive_cents` in every year.
    #[sea_orm(column_type = "Text", nullable)]
    pub incentive_by_year: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::application::Entity",
        from = "Column::ApplicationId",
        to = "super::application::Column::Id",
        on_delete = "Restrict"
    )]
    Application,
    #[sea_orm(
        belongs_to = "super::app_user::Entity",
        from = "Column::DecidedBy",
        to = "super::app_user::Column::Id",
        on_delete = "Restrict"
    )]
    Decider,
    #[sea_orm(
        belongs_to = "super::app_user::Entity",
        from = "Column::ReopenedBy",
        to = "super::app_user::Column::Id",
        on_delete = "Restrict"
    )]
    Reopener,
    #[sea_orm(has_many = "super::decision_line::Entity")]
    DecisionLine,
}

impl Related<super::application::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Application.def()
    }
}

impl Related<super::decision_line::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::DecisionLine.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}

/// Outcome of a decision.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "Text")]
#[serde(rename_all = "snake_case")]
pub enum DecisionOutcome {
    #[sea_orm(string_value = "approved")]
    Approved,
    #[sea_orm(string_value = "partly_approved")]
    PartlyApproved,
    #[sea_orm(string_value = "rejected")]
    Rejected,
}
