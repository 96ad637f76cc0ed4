//! The `attachment` table.
//!
//! An uploaded file of an application, optionally about one member municipality or one progress
//! report. The file is stored under `stored_name`; `sha256` (hex) guards its integrity.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "attachment")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub application_id: i64,
    pub municipality_id: Option<i64>,
    pub progress_report_id: Option<i64>,
    #[sea_orm(column_type = "Text")]
    pub kind: String,
    #[sea_orm(column_type = "Text")]
    pub original_name: String,
    #[sea_orm(column_type = "Text", unique)]
    pub stored_name: String,
    #[sea_orm(column_type = "Text")]
    pub content_type: String,
    pub size_bytes: i64,
    #[sea_orm(column_type = "Text")]
    pub sha256: String,
    pub uploaded_by: Option<i64>,
    pub uploaded_at: DateTimeUtc,
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
        belongs_to = "super::municipality::Entity",
        from = "Column::MunicipalityId",
        to = "super::municipality::Column::Id",
        on_delete = "Restrict"
    )]
    Municipality,
    #[sea_orm(
        belongs_to = "super::progress_report::Entity",
        from = "Column::ProgressReportId",
        to = "super::progress_report::Column::Id",
        on_delete = "Cascade"
    )]
    ProgressReport,
    #[sea_orm(
        belongs_to = "super::app_user::Entity",
        from = "Column::UploadedBy",
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

impl Related<super::municipality::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Municipality.def()
    }
}

impl Related<super::progress_report::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::ProgressReport.def()
    }
}

impl Related<super::app_user::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::AppUser.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
