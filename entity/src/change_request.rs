//! The `change_request` table.
//!
//! A reviewer's request to change sections of a submitted application; resolved when the
//! applicant resubmits.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "change_request")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub application_id: i64,
    pub requested_by: i64,
    /// JSON list of section keys.
    #[sea_orm(column_type = "Text")]
    pub sections: String,
    #[sea_orm(column_type = "Text")]
    pub message: String,
    pub requested_at: DateTimeUtc,
    pub resolved_at: Option<DateTimeUtc>,
    /// The day ABB expects the answer (Brussels).
    pub answer_due_on: Option<Date>,
    /// The day the reminder before `answer_due_on` was sent (once).
    pub reminded_on: Option<Date>,
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
        from = "Column::RequestedBy",
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
