//! The `allocation_line` table.
//!
//! One chosen action's line in an allocation: the requested amount, the amount proposed within
//! the envelope and, when a reviewer changes it, the adjusted amount; `reason` explains the
//! amount; `agreement_cents` marks a line funded under a partner's separate agreement.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "allocation_line")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub allocation_id: i64,
    pub application_action_id: i64,
    pub requested_cents: i64,
    pub proposed_cents: i64,
    pub adjusted_cents: Option<i64>,
    #[sea_orm(column_type = "Text")]
    pub reason: String,
    /// Optimistic-locking counter, raised on every update.
    pub version: i32,
    /// The agreement's amount per project year when the line's dossier was funded under a
    /// partner organisation's separate agreement (its lines together stay within it); `None`
    /// for lines allocated by priority.
    pub agreement_cents: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::allocation::Entity",
        from = "Column::AllocationId",
        to = "super::allocation::Column::Id",
        on_delete = "Cascade"
    )]
    Allocation,
    #[sea_orm(
        belongs_to = "super::application_action::Entity",
        from = "Column::ApplicationActionId",
        to = "super::application_action::Column::Id",
        on_delete = "Restrict"
    )]
    ApplicationAction,
}

impl Related<super::allocation::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Allocation.def()
    }
}

impl Related<super::application_action::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::ApplicationAction.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
