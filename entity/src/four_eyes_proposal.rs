//! The `four_eyes_proposal` table.
//!
//! A decision, an envelope change or a reclaim decision proposed by one ABB staff member and
//! waiting for another to confirm it (four eyes). `kind` says what `subject_id` names (the
//! application, the call, the reclaim); `input` holds the validated input as JSON, replayed on
//! confirmation; `amount_cents` is the amount the call's threshold was compared with. Settled
//! proposals keep who settled them, when, and (refused) why.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "four_eyes_proposal")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub kind: ProposalKind,
    pub subject_id: i64,
    pub call_id: i64,
    pub amount_cents: i64,
    #[sea_orm(column_type = "Text")]
    pub input: String,
    pub proposed_by: i64,
    pub proposed_at: DateTimeUtc,
    pub state: ProposalState,
    pub settled_by: Option<i64>,
    pub settled_at: Option<DateTimeUtc>,
    #[sea_orm(column_type = "Text")]
    pub reason: Option<String>,
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
        belongs_to = "super::app_user::Entity",
        from = "Column::ProposedBy",
        to = "super::app_user::Column::Id",
        on_delete = "Restrict"
    )]
    Proposer,
    #[sea_orm(
        belongs_to = "super::app_user::Entity",
        from = "Column::SettledBy",
        to = "super::app_user::Column::Id",
        on_delete = "Restrict"
    )]
    Settler,
}

impl Related<super::call::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Call.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}

/// What a proposal is about.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "Text")]
#[serde(rename_all = "snake_case")]
pub enum ProposalKind {
    /// The decision on an application (`subject_id`: the application).
    #[sea_orm(string_value = "decision")]
    Decision,
    /// A change of project years' envelopes (`subject_id`: the call).
    #[sea_orm(string_value = "envelope")]
    Envelope,
    /// The decision on a proposed reclaim (`subject_id`: the reclaim).
    #[sea_orm(string_value = "reclaim")]
    Reclaim,
}

/// Where a proposal stands.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "Text")]
#[serde(rename_all = "snake_case")]
pub enum ProposalState {
    #[sea_orm(string_value = "pending")]
    Pending,
    #[sea_orm(string_value = "confirmed")]
    Confirmed,
    #[sea_orm(string_value = "withdrawn")]
    Withdrawn,
    #[sea_orm(string_value = "refused")]
    Refused,
}
