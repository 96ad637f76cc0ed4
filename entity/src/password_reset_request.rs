//! The `password_reset_request` table.
//!
//! Every request for a password reset mail, with the address it came from, to throttle reset
//! mails per account and per address. `mailed` is false when no mail was sent (no such active
//! account, or throttled).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "password_reset_request")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(column_type = "Text")]
    pub email: String,
    #[sea_orm(column_type = "Text")]
    pub ip: String,
    pub requested_at: DateTimeUtc,
    pub mailed: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
