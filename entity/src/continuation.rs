//! The `continuation` table.
//!
//! Whether a chosen action continues into project year `year_number`: proposed from the interim
//! KPI check (the call's `continuation_min_bp`) and confirmed or overruled by a reviewer.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "continuation")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub application_action_id: i64,
    /// The project year the action would continue into.
    pub year_number: i32,
    pub proposed: bool,
    pub confirmed: Option<bool>,
    #[sea_orm(column_type = "Text")]
    pub reason: String,
    pub decided_by: Option<i64>,
    pub decided_at: Option<DateTimeUtc>,
    /// The reviewer's note when confirming or overruling the proposal.
    #[sea_orm(column_type = "Text")]
    pub decision_note: Option<String>,
    /// Optimistic-locking counter, raised on every update.
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::application_action::Entity",
        from = "Column::ApplicationActionId",
        to = "super::application_action::Column::Id",
        on_delete = "Restrict"
    )]
    ApplicationAction,
    #[sea_orm(
        belongs_to = "super::app_user::Entity",
        from = "Column::DecidedBy",
        to = "super::app_user::Column::Id",
        on_delete = "Restrict"
    )]
    AppUser,
}

impl Related<super::application_action::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::ApplicationAction.def()
    }
}

impl Related<super::app_user::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::AppUser.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
