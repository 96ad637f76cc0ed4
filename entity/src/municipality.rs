//! The `municipality` table.
//!
//! One row per municipality identity (gemeente, lokaal bestuur), valid over a date range.
//! Unchanged municipalities have one row valid from 2019-01-01 with `valid_to` NULL; the
//! municipalities merged on 1 January 2025 end on 2024-12-31 and point to their `successor_id`;
//! the new 2025 NIS codes start on 2025-01-01. A code that survives a merger (Antwerpen 11002)
//! keeps its single row.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "municipality")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// NIS code of Statistics Belgium.
    pub nis_code: i32,
    #[sea_orm(column_type = "Text")]
    pub name: String,
    #[sea_orm(column_type = "Text")]
    pub name_fr: Option<String>,
    #[sea_orm(column_type = "Text")]
    pub province: String,
    #[sea_orm(column_type = "Text")]
    pub arrondissement: Option<String>,
    pub valid_from: Date,
    /// Last day this identity existed; NULL while it exists.
    pub valid_to: Option<Date>,
    /// The municipality this one merged into.
    pub successor_id: Option<i64>,
    /// The organisation code the Flemish government's access management (ACM/IDM) gives this
    /// local government (e.g. an OVO code); unique where given.
    #[sea_orm(column_type = "Text", unique)]
    pub org_code: Option<String>,
    /// Optimistic-locking counter, raised on every update.
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "Entity",
        from = "Column::SuccessorId",
        to = "Column::Id",
        on_delete = "Restrict"
    )]
    Successor,
    #[sea_orm(has_many = "super::region_membership::Entity")]
    RegionMembership,
    #[sea_orm(has_many = "super::population_figure::Entity")]
    PopulationFigure,
    #[sea_orm(has_many = "super::app_user::Entity")]
    AppUser,
    #[sea_orm(has_many = "super::application_member::Entity")]
    ApplicationMember,
}

impl Related<super::region_membership::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::RegionMembership.def()
    }
}

impl Related<super::population_figure::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::PopulationFigure.def()
    }
}

impl Related<super::app_user::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::AppUser.def()
    }
}

impl Related<super::application_member::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::ApplicationMember.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
