//! The `progress_report` table.
//!
//! An interim (after six months) or year report of an application for a project year, accepted
//! or sent back by a reviewer.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "progress_report")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub application_id: i64,
    pub year_number: i32,
    pub kind: ReportKind,
    pub state: ReportState,
    pub due_on: Date,
    pub submitted_at: Option<DateTimeUtc>,
    pub reviewed_by: Option<i64>,
    pub reviewed_at: Option<DateTimeUtc>,
    #[sea_orm(column_type = "Text")]
    pub review_note: Option<String>,
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
        belongs_to = "super::app_user::Entity",
        from = "Column::ReviewedBy",
        to = "super::app_user::Column::Id",
        on_delete = "Restrict"
    )]
    AppUser,
    #[sea_orm(has_many = "super::kpi_result::Entity")]
    KpiResult,
    #[sea_orm(has_many = "super::attachment::Entity")]
    Attachment,
}

impl Related<super::application::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Application.def()
    }
}

impl Related<super::app_user::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::AppUser.def()
    }
}

impl Related<super::kpi_result::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::KpiResult.def()
    }
}

impl Related<super::attachment::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Attachment.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}

/// Interim report (after six months) or year report.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "Text")]
#[serde(rename_all = "snake_case")]
pub enum ReportKind {
    #[sea_orm(string_value = "interim")]
    Interim,
    #[sea_orm(string_value = "year")]
    Year,
}

/// Life cycle of a progress report.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "Text")]
#[serde(rename_all = "snake_case")]
pub enum ReportState {
    #[sea_orm(string_value = "draft")]
    Draft,
    #[sea_orm(string_value = "submitted")]
    Submitted,
    #[sea_orm(string_value = "accepted")]
    Accepted,
    #[sea_orm(string_value = "sent_back")]
    SentBack,
}
