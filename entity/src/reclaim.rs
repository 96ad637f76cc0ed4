//! The `reclaim` table.
//!
//! A reclaim for one chosen action and project year, proposed when a year report shows a KPI
//! missed without an accepted motivation: `computed_cents` by the formula, `max_cents` after the
//! cap at what was paid, `computation` explaining both. ABB confirms an amount (then
//! `payment_id` names the reclaim payment) or waives it with a reason.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "reclaim")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub application_id: i64,
    pub year_number: i32,
    pub application_action_id: i64,
    pub progress_report_id: i64,
    pub state: ReclaimState,
    pub computed_cents: i64,
    pub max_cents: i64,
    #[sea_orm(column_type = "Text")]
    pub computation: String,
    pub amount_cents: Option<i64>,
    #[sea_orm(column_type = "Text")]
    pub reason: Option<String>,
    pub decided_by: Option<i64>,
    pub decided_at: Option<DateTimeUtc>,
    pub payment_id: Option<i64>,
    pub created_at: DateTimeUtc,
    /// Optimistic-locking counter, raised on every update.
    pub version: i32,
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
        belongs_to = "super::application_action::Entity",
        from = "Column::ApplicationActionId",
        to = "super::application_action::Column::Id",
        on_delete = "Restrict"
    )]
    ApplicationAction,
    #[sea_orm(
        belongs_to = "super::progress_report::Entity",
        from = "Column::ProgressReportId",
        to = "super::progress_report::Column::Id",
        on_delete = "Restrict"
    )]
    ProgressReport,
    #[sea_orm(
        belongs_to = "super::app_user::Entity",
        from = "Column::DecidedBy",
        to = "super::app_user::Column::Id",
        on_delete = "Restrict"
    )]
    AppUser,
    #[sea_orm(
        belongs_to = "super::payment::Entity",
        from = "Column::PaymentId",
        to = "super::payment::Column::Id",
        on_delete = "Restrict"
    )]
    Payment,
}

impl Related<super::application::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Application.def()
    }
}

impl Related<super::progress_report::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::ProgressReport.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}

/// Life cycle of a reclaim.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "Text")]
#[serde(rename_all = "snake_case")]
pub enum ReclaimState {
    #[sea_orm(string_value = "proposed")]
    Proposed,
    #[sea_orm(string_value = "confirmed")]
    Confirmed,
    #[sea_orm(string_value = "waived")]
    Waived,
}
