//! The `bank_account` table.
//!
//! The account (IBAN, checked by `domain::iban`) a municipality or a partner organisation is
//! paid on, and its holder's name: exactly one of `municipality_id` and
//! `partner_organisation_id` is set, each unique. Set by the organisation's own officials under
//! `version`; the finance export reads it.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "bank_account")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub municipality_id: Option<i64>,
    #[sea_orm(unique)]
    pub partner_organisation_id: Option<i64>,
    /// Without spaces, upper case (`BE68539007547034`).
    #[sea_orm(column_type = "Text")]
    pub iban: String,
    #[sea_orm(column_type = "Text")]
    pub holder: String,
    pub updated_by: Option<i64>,
    pub updated_at: DateTimeUtc,
    /// Optimistic-locking counter, raised on every update.
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
