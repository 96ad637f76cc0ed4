//! The `report_reminder` table.
//!
//! A reminder sent about a progress report: `before_due` (in the last days before the deadline)
//! or `overdue`. UNIQUE(progress_report_id, kind): each kind is sent once per report.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "report_reminder")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub progress_report_id: i64,
    #[sea_orm(column_type = "Text")]
    pub kind: String,
    /// The day the reminder job ran for.
    pub sent_on: Date,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::progress_report::Entity",
        from = "Column::ProgressReportId",
        to = "super::progress_report::Column::Id",
        on_delete = "Cascade"
    )]
    ProgressReport,
}

impl Related<super::progress_report::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::ProgressReport.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
