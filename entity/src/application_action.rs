//! The `application_action` table.
//!
//! An action chosen in an application, with amounts per project year: current reach (baseline),
//! planned reach, the requested grant and the own contribution. `priority_rank` orders the
//! actions for when the money does not stretch (unique per application, checked by the
//! application code so ranks can be swapped).

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "application_action")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub application_id: i64,
    pub call_action_id: i64,
    pub priority_rank: i32,
    pub baseline_reach: i32,
    pub planned_reach: i32,
    /// Requested grant per project year.
    pub grant_cents: i64,
    /// Own contribution per project year, in money.
    pub own_contribution_cents: i64,
    /// Own contribution per project year, in staff time valued in euro.
    pub own_staff_cents: i64,
    #[sea_orm(column_type = "Text")]
    pub description: String,
    #[sea_orm(column_type = "Text")]
    pub partners: Option<String>,
    /// Optimistic-locking counter, raised on every update.
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::application::Entity",
        from = "Column::ApplicationId",
        to = "super::application::Column::Id",
        on_delete = "Cascade"
    )]
    Application,
    #[sea_orm(
        belongs_to = "super::call_action::Entity",
        from = "Column::CallActionId",
        to = "super::call_action::Column::Id",
        on_delete = "Restrict"
    )]
    CallAction,
    #[sea_orm(has_many = "super::kpi::Entity")]
    Kpi,
    #[sea_orm(has_many = "super::allocation_line::Entity")]
    AllocationLine,
    #[sea_orm(has_many = "super::decision_line::Entity")]
    DecisionLine,
    #[sea_orm(has_many = "super::continuation::Entity")]
    Continuation,
}

impl Related<super::application::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Application.def()
    }
}

impl Related<super::call_action::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::CallAction.def()
    }
}

impl Related<super::kpi::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Kpi.def()
    }
}

impl Related<super::allocation_line::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::AllocationLine.def()
    }
}

impl Related<super::decision_line::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::DecisionLine.def()
    }
}

impl Related<super::continuation::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Continuation.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
