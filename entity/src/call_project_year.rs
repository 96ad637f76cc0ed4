//! The `call_project_year` table.
//!
//! A project year of a call: its dates, its budget envelope and its report deadlines.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "call_project_year")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub call_id: i64,
    /// 1 for the first project year.
    pub year_number: i32,
    pub starts_on: Date,
    pub ends_on: Date,
    pub envelope_cents: i64,
    pub interim_report_due: Date,
    pub year_report_due: Date,
    /// The report deadlines were derived, not published (illustrative until ABB confirms them;
    /// pages and the API mark them).
    pub report_dates_illustrative: bool,
    /// The round's own submission window (issue 21, yearly rounds); `None`: the project year
    /// has no round of its own (the call's window is the first round's).
    pub submission_opens_at: Option<DateTimeUtc>,
    pub submission_closes_at: Option<DateTimeUtc>,
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
}

impl Related<super::call::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Call.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
