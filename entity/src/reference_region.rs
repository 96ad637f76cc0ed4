//! The `reference_region` table.
//!
//! A reference region (referentieregio) as fixed by the Flemish Government on 12 March 2021. An
//! intermunicipal cooperation must stay inside one region. `later_name` holds a later official
//! name, if any.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "reference_region")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// Stable code, e.g. `REFREG01`.
    #[sea_orm(column_type = "Text", unique)]
    pub code: String,
    #[sea_orm(column_type = "Text")]
    pub name: String,
    #[sea_orm(column_type = "Text")]
    pub later_name: Option<String>,
    /// Optimistic-locking counter, raised on every update.
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::region_membership::Entity")]
    RegionMembership,
}

impl Related<super::region_membership::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::RegionMembership.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
