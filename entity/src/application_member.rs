//! The `application_member` table.
//!
//! A municipality taking part in an application, as lead or member, with its consent. `call_id`
//! repeats the application's call (kept equal by the composite foreign key (application_id,
//! call_id) -> application(id, call_id)) so that UNIQUE(call_id, municipality_id) enforces that
//! a municipality is in at most one application per call.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "application_member")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub application_id: i64,
    pub call_id: i64,
    pub municipality_id: i64,
    pub role: MemberRole,
    pub consent_state: ConsentState,
    pub consent_at: Option<DateTimeUtc>,
    pub invited_at: DateTimeUtc,
    /// What a member commits of the dossier's own contribution, per project year, stated when
    /// it confirms; `None` for the lead and for members that confirmed before it was asked.
    pub commitment_cents: Option<i64>,
    /// The project year from which the member takes part (a member taken in during a later
    /// round); `None`: from the dossier's first project year.
    pub joined_in_year: Option<i32>,
    /// Optimistic-locking counter, raised on every update.
    pub version: i32,
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
        belongs_to = "super::call::Entity",
        from = "Column::CallId",
        to = "super::call::Column::Id",
        on_delete = "Restrict"
    )]
    Call,
    #[sea_orm(
        belongs_to = "super::municipality::Entity",
        from = "Column::MunicipalityId",
        to = "super::municipality::Column::Id",
        on_delete = "Restrict"
    )]
    Municipality,
}

impl Related<super::application::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Application.def()
    }
}

impl Related<super::call::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Call.def()
    }
}

impl Related<super::municipality::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Municipality.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}

/// A member's role in an application.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "Text")]
#[serde(rename_all = "snake_case")]
pub enum MemberRole {
    #[sea_orm(string_value = "lead")]
    Lead,
    #[sea_orm(string_value = "member")]
    Member,
}

/// Whether a member municipality has agreed to take part.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "Text")]
#[serde(rename_all = "snake_case")]
pub enum ConsentState {
    #[sea_orm(string_value = "invited")]
    Invited,
    #[sea_orm(string_value = "confirmed")]
    Confirmed,
    #[sea_orm(string_value = "declined")]
    Declined,
}
