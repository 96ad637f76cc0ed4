//! The `call_action` table.
//!
//! A reach line of an action a call accepts (issue 21): its target group, the Flemish amount
//! per unit and the maximum reach an application may plan. The grant for a line is planned
//! reach times unit cost. An action offered with one line has `line_number` 0; the lines of an
//! action with several are numbered 1, 2, 3 (shown as `3.2a`, `3.2b`, `3.2c`).

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
    /// 0 for an action's only line; 1, 2, 3 for the lines of an action with several.
    pub line_number: i32,
    /// The unit in the plural, as the form names the target group ("pleinmakers").
    #[sea_orm(column_type = "Text", nullable)]
    pub unit_label_plural: Option<String>,
    /// The line's row in the source form (1-27 in ABB's 2022 form).
    pub source_row: Option<i32>,
    /// The theme the form shows above the line.
    #[sea_orm(column_type = "Text", nullable)]
    pub theme: Option<String>,
    /// The objective the form shows above the line.
    #[sea_orm(column_type = "Text", nullable)]
    pub objective: Option<String>,
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
