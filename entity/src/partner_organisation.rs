//! The `partner_organisation` table.
//!
//! A partner organisation with a separate agreement (the Flemish Community Commission VGC, vzw
//! De Rand). It applies under `agreement`, outside the 7,500 rule.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "partner_organisation")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(column_type = "Text", unique)]
    pub code: String,
    #[sea_orm(column_type = "Text")]
    pub name: String,
    /// What the separate agreement covers.
    #[sea_orm(column_type = "Text")]
    pub agreement: String,
    /// The organisation code in ACM/IDM; unique where given.
    #[sea_orm(column_type = "Text", unique)]
    pub org_code: Option<String>,
    /// Optimistic-locking counter, raised on every update.
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::app_user::Entity")]
    AppUser,
    #[sea_orm(has_many = "super::application::Entity")]
    Application,
}

impl Related<super::app_user::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::AppUser.def()
    }
}

impl Related<super::application::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Application.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
