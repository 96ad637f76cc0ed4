//! The `call_partner_agreement` table.
//!
//! A partner organisation's separate agreement with the Flemish government (VGC, vzw De Rand)
//! as a call's data attaches it: the amount per project year that the allocation reserves for
//! the partner before the allocation by priority, where that amount comes from, and whether it
//! is illustrative. A call without rows here has no agreements.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "call_partner_agreement")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub call_id: i64,
    pub partner_organisation_id: i64,
    pub amount_cents_per_project_year: i64,
    /// Where the amount comes from.
    #[sea_orm(column_type = "Text")]
    pub source: String,
    /// The amount is not from a published source.
    pub illustrative: bool,
    /// Optimistic-locking counter, raised on every update.
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::call::Entity",
        from = "Column::CallId",
        to = "super::call::Column::Id",
        on_delete = "Cascade"
    )]
    Call,
    #[sea_orm(
        belongs_to = "super::partner_organisation::Entity",
        from = "Column::PartnerOrganisationId",
        to = "super::partner_organisation::Column::Id",
        on_delete = "Restrict"
    )]
    PartnerOrganisation,
}

impl Related<super::call::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Call.def()
    }
}

impl Related<super::partner_organisation::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::PartnerOrganisation.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
