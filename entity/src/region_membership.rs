//! The `region_membership` table.
//!
//! Which reference region a municipality belongs to, over time.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "region_membership")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub municipality_id: i64,
    pub reference_region_id: i64,
    pub valid_from: Date,
    pub valid_to: Option<Date>,
    /// Optimistic-locking counter, raised on every update.
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::municipality::Entity",
        from = "Column::MunicipalityId",
        to = "super::municipality::Column::Id",
        on_delete = "Restrict"
    )]
    Municipality,
    #[sea_orm(
        belongs_to = "super::reference_region::Entity",
        from = "Column::ReferenceRegionId",
        to = "super::reference_region::Column::Id",
        on_delete = "Restrict"
    )]
    ReferenceRegion,
}

impl Related<super::municipality::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Municipality.def()
    }
}

impl Related<super::reference_region::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::ReferenceRegion.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
