//! The `member_reminder` table.
//!
//! A reminder the lead of a cooperation sent to a member that had not answered its invitation.
//! UNIQUE(application_member_id, sent_on): at most one per member per day (Brussels).

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "member_reminder")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub application_member_id: i64,
    /// The day (in Brussels) the reminder was sent.
    pub sent_on: Date,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::application_member::Entity",
        from = "Column::ApplicationMemberId",
        to = "super::application_member::Column::Id",
        on_delete = "Cascade"
    )]
    ApplicationMember,
}

impl Related<super::application_member::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::ApplicationMember.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
