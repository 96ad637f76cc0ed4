//! The `kpi` table.
//!
//! A measurable KPI of a chosen action: indicator, unit, baseline, numeric target, target date
//! and how it is measured. `is_reach_kpi` marks the KPI that tracks the action's planned reach.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "kpi")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub application_action_id: i64,
    pub is_reach_kpi: bool,
    #[sea_orm(column_type = "Text")]
    pub indicator: String,
    #[sea_orm(column_type = "Text")]
    pub unit: String,
    pub baseline: i64,
    pub target: i64,
    pub target_date: Date,
    /// `rising` or `falling`: which way the value should move from the baseline.
    #[sea_orm(column_type = "Text")]
    pub direction: String,
    #[sea_orm(column_type = "Text")]
    pub measurement: String,
    /// Optimistic-locking counter, raised on every update.
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::application_action::Entity",
        from = "Column::ApplicationActionId",
        to = "super::application_action::Column::Id",
        on_delete = "Cascade"
    )]
    ApplicationAction,
    #[sea_orm(has_many = "super::kpi_result::Entity")]
    KpiResult,
}

impl Related<super::application_action::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::ApplicationAction.def()
    }
}

impl Related<super::kpi_result::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::KpiResult.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
