//! The `population_figure` table.
//!
//! Residents and residents of non-EU15 origin of a municipality in a reference year, imported
//! from a CSV of the statistics office. Every figure keeps its source; demo figures carry
//! `non_eu15_fictitious` and must be shown as fictitious.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "population_figure")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub municipality_id: i64,
    pub reference_year: i32,
    pub residents: Option<i64>,
    #[sea_orm(column_type = "Text")]
    pub residents_source: Option<String>,
    pub non_eu15_residents: Option<i64>,
    #[sea_orm(column_type = "Text")]
    pub non_eu15_source: Option<String>,
    /// The non-EU15 figure is made up (demo data) and must be labelled as such.
    pub non_eu15_fictitious: bool,
    pub imported_at: DateTimeUtc,
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
}

impl Related<super::municipality::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Municipality.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
