//! The `review` table.
//!
//! A reviewer's assessment of an application: the eligibility checklist (JSON) and an internal
//! note.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "review")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub application_id: i64,
    pub reviewer_id: i64,
    /// JSON.
    #[sea_orm(column_type = "Text")]
    pub checklist: String,
    #[sea_orm(column_type = "Text")]
    pub internal_note: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    /// Optimistic-locking counter, raised on every update.
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::application::Entity",
        from = "Column::ApplicationId",
        to = "super::application::Column::Id",
        on_delete = "Restrict"
    )]
    Application,
    #[sea_orm(
        belongs_to = "super::app_user::Entity",
        from = "Column::ReviewerId",
        to = "super::app_user::Column::Id",
        on_delete = "Restrict"
    )]
    AppUser,
}

impl Related<super::application::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Application.def()
    }
}

impl Related<super::app_user::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::AppUser.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
