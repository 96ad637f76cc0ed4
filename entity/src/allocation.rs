//! The `allocation` table.
//!
//! A proposed, then confirmed, division of one project year's envelope over the chosen actions,
//! in priority order. (call_id, year_number) must name an existing `call_project_year`.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "allocation")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub call_id: i64,
    pub year_number: i32,
    pub state: AllocationState,
    pub envelope_cents: i64,
    /// Incentives granted off the envelope before the action lines.
    pub incentives_cents: i64,
    pub created_by: Option<i64>,
    pub created_at: DateTimeUtc,
    pub confirmed_by: Option<i64>,
    pub confirmed_at: Option<DateTimeUtc>,
    /// Optimistic-locking counter, raised on every update.
    pub version: i32,
    /// `domain::allocation::inputs_fingerprint` of the requests the proposal was computed
    /// from; `None` for proposals stored before it was kept.
    pub inputs_fingerprint: Option<String>,
    /// Who last adjusted a line of the proposal; `None` when nobody did.
    pub adjusted_by: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::call::Entity",
        from = "Column::CallId",
        to = "super::call::Column::Id",
        on_delete = "Restrict"
    )]
    Call,
    #[sea_orm(
        belongs_to = "super::app_user::Entity",
        from = "Column::CreatedBy",
        to = "super::app_user::Column::Id",
        on_delete = "Restrict"
    )]
    Creator,
    #[sea_orm(
        belongs_to = "super::app_user::Entity",
        from = "Column::ConfirmedBy",
        to = "super::app_user::Column::Id",
        on_delete = "Restrict"
    )]
    Confirmer,
    #[sea_orm(
        belongs_to = "super::call_project_year::Entity",
        from = "(Column::CallId, Column::YearNumber)",
        to = "(super::call_project_year::Column::CallId, super::call_project_year::Column::YearNumber)",
        on_delete = "Restrict"
    )]
    CallProjectYear,
    #[sea_orm(has_many = "super::allocation_line::Entity")]
    AllocationLine,
}

impl Related<super::call::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Call.def()
    }
}

impl Related<super::call_project_year::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::CallProjectYear.def()
    }
}

impl Related<super::allocation_line::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::AllocationLine.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}

/// Life cycle of an allocation.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "Text")]
#[serde(rename_all = "snake_case")]
pub enum AllocationState {
    #[sea_orm(string_value = "proposed")]
    Proposed,
    #[sea_orm(string_value = "confirmed")]
    Confirmed,
}
