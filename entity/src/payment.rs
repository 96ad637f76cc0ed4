//! The `payment` table.
//!
//! A payment tranche of an application for a project year: the advance, the balance after the
//! year-end KPI check, or a reclaim (money owed back; `amount_cents` is positive for every
//! tranche). `computation` explains the amount. The payee is the lead municipality or the
//! partner organisation.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "payment")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub application_id: i64,
    pub year_number: i32,
    pub tranche: Tranche,
    pub amount_cents: i64,
    pub state: PaymentState,
    #[sea_orm(column_type = "Text")]
    pub computation: Option<String>,
    pub payee_municipality_id: Option<i64>,
    pub payee_partner_organisation_id: Option<i64>,
    pub due_on: Option<Date>,
    pub paid_on: Option<Date>,
    pub created_at: DateTimeUtc,
    /// Why the payment was cancelled (a reopened or lapsed decision, ABB's reason).
    #[sea_orm(column_type = "Text")]
    pub cancel_reason: Option<String>,
    /// The user who approved the payment: someone else marks it as paid (four eyes).
    pub approved_by: Option<i64>,
    /// The bank's reference of the transfer, recorded when the payment is marked as paid.
    #[sea_orm(column_type = "Text")]
    pub bank_reference: Option<String>,
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
        belongs_to = "super::municipality::Entity",
        from = "Column::PayeeMunicipalityId",
        to = "super::municipality::Column::Id",
        on_delete = "Restrict"
    )]
    PayeeMunicipality,
    #[sea_orm(
        belongs_to = "super::partner_organisation::Entity",
        from = "Column::PayeePartnerOrganisationId",
        to = "super::partner_organisation::Column::Id",
        on_delete = "Restrict"
    )]
    PayeePartnerOrganisation,
}

impl Related<super::application::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Application.def()
    }
}

impl Related<super::municipality::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::PayeeMunicipality.def()
    }
}

impl Related<super::partner_organisation::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::PayeePartnerOrganisation.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}

/// Which tranche a payment is.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "Text")]
#[serde(rename_all = "snake_case")]
pub enum Tranche {
    #[sea_orm(string_value = "advance")]
    Advance,
    #[sea_orm(string_value = "balance")]
    Balance,
    #[sea_orm(string_value = "reclaim")]
    Reclaim,
}

/// Life cycle of a payment.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "Text")]
#[serde(rename_all = "snake_case")]
pub enum PaymentState {
    #[sea_orm(string_value = "scheduled")]
    Scheduled,
    #[sea_orm(string_value = "approved")]
    Approved,
    #[sea_orm(string_value = "paid")]
    Paid,
    #[sea_orm(string_value = "cancelled")]
    Cancelled,
}
