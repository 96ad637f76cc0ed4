//! The `call_action` table.
//!
//! An action a call accepts, with its standard unit cost and the maximum reach an application
//! may plan. The grant for an action is planned reach times unit cost.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "call_action")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub call_id: i64,
    pub action_id: i64,
    pub unit_cost_cents: i64,
    pub max_reach: i32,
    /// What one unit of reach is, in Dutch (e.g. "oefenproject Nederlands").
    pub unit_label: String,
    /// Optimistic-locking counter, raised on every update.
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::call::Entity",
        from = "Column::CallId",
        to = "super::call::Column::Id",
        on_delete = "Cascade"
    )]
    Call,
    #[sea_orm(
        belongs_to = "super::action::Entity",
        from = "Column::ActionId",
        to = "super::action::Column::Id",
        on_delete = "Restrict"
    )]
    Action,
    #[sea_orm(has_many = "super::application_action::Entity")]
    ApplicationAction,
}

impl Related<super::call::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Call.def()
    }
}

impl Related<super::action::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Action.def()
    }
}

impl Related<super::application_action::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::ApplicationAction.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
