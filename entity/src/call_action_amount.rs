//! The `call_action_amount` table.
//!
//! The Flemish amount per unit of a reach line (`call_action`) from a project year on, where the
//! call changed it in a later round (one real amount went from EUR 12,500 to EUR 25,000). The
//! amount of a year is the row of the latest year up to it, else the line's own amount; earlier
//! years keep theirs.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "call_action_amount")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub call_action_id: i64,
    /// The project year from which the amount applies.
    pub year_number: i32,
    pub unit_cost_cents: i64,
    /// Where the amount comes from (a decision of the Flemish government, the call's data).
    #[sea_orm(column_type = "Text", nullable)]
    pub source: Option<String>,
    /// Optimistic-locking counter, raised on every update.
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::call_action::Entity",
        from = "Column::CallActionId",
        to = "super::call_action::Column::Id",
        on_delete = "Cascade"
    )]
    CallAction,
}

impl Related<super::call_action::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::CallAction.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
