//! The `decision_line` table.
//!
//! The amount granted for one chosen action in one project year under a decision.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "decision_line")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub decision_id: i64,
    pub application_action_id: i64,
    pub year_number: i32,
    pub granted_cents: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::decision::Entity",
        from = "Column::DecisionId",
        to = "super::decision::Column::Id",
        on_delete = "Cascade"
    )]
    Decision,
    #[sea_orm(
        belongs_to = "super::application_action::Entity",
        from = "Column::ApplicationActionId",
        to = "super::application_action::Column::Id",
        on_delete = "Restrict"
    )]
    ApplicationAction,
}

impl Related<super::decision::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Decision.def()
    }
}

impl Related<super::application_action::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::ApplicationAction.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
