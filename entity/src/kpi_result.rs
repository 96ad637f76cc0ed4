//! The `kpi_result` table.
//!
//! The value a KPI reached in a progress report, with a motivation where the target was missed.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "kpi_result")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub progress_report_id: i64,
    pub kpi_id: i64,
    pub actual_value: Option<i64>,
    #[sea_orm(column_type = "Text")]
    pub motivation: Option<String>,
    /// ABB's judgement of the motivation of a missed target (`None`: not judged).
    pub motivation_accepted: Option<bool>,
    /// Optimistic-locking counter, raised on every update.
    pub version: i32,
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
    #[sea_orm(
        belongs_to = "super::kpi::Entity",
        from = "Column::KpiId",
        to = "super::kpi::Column::Id",
        on_delete = "Restrict"
    )]
    Kpi,
}

impl Related<super::progress_report::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::ProgressReport.def()
    }
}

impl Related<super::kpi::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Kpi.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
