//! The `action` table.
//!
//! An action of a plan ("Actie 2.10"). `samenleven_eligible` marks the actions the plan opens
//! to the provisie Samenleven; a call still lists the actions it accepts in `call_action`.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "action")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub plan_id: i64,
    pub theme_id: i64,
    /// Number within the plan, e.g. `2.10`.
    #[sea_orm(column_type = "Text")]
    pub code: String,
    #[sea_orm(column_type = "Text")]
    pub title: String,
    /// Doelstellingen.
    #[sea_orm(column_type = "Text")]
    pub objectives: String,
    #[sea_orm(column_type = "Text")]
    pub policy_domains: String,
    #[sea_orm(column_type = "Text")]
    pub timing: Option<String>,
    /// Indicator(en) the plan gives for the action (2025-2029 plan), if any.
    #[sea_orm(column_type = "Text")]
    pub indicators: Option<String>,
    pub samenleven_eligible: bool,
    /// Optimistic-locking counter, raised on every update.
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::plan::Entity",
        from = "Column::PlanId",
        to = "super::plan::Column::Id",
        on_delete = "Restrict"
    )]
    Plan,
    #[sea_orm(
        belongs_to = "super::theme::Entity",
        from = "Column::ThemeId",
        to = "super::theme::Column::Id",
        on_delete = "Restrict"
    )]
    Theme,
    #[sea_orm(has_many = "super::call_action::Entity")]
    CallAction,
}

impl Related<super::plan::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Plan.def()
    }
}

impl Related<super::theme::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Theme.def()
    }
}

impl Related<super::call_action::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::CallAction.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
