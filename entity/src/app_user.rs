//! The `app_user` table.
//!
//! A person who signs in: a municipal official (with `municipality_id`), an official of a
//! partner organisation (with `partner_organisation_id`), an ABB reviewer or an admin. Named
//! `app_user` because `user` is reserved in PostgreSQL. Users are deactivated, not deleted, so
//! what they did stays attributable. `email` is stored in lower case.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "app_user")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(column_type = "Text", unique)]
    pub email: String,
    #[sea_orm(column_type = "Text")]
    pub name: String,
    /// Argon2 PHC string; NULL until the invitation is accepted.
    #[sea_orm(column_type = "Text")]
    #[serde(skip_serializing)]
    pub password_hash: Option<String>,
    pub role: UserRole,
    pub municipality_id: Option<i64>,
    pub partner_organisation_id: Option<i64>,
    pub active: bool,
    pub created_at: DateTimeUtc,
    pub last_login_at: Option<DateTimeUtc>,
    /// The account id at the OpenID provider (ACM/IDM's `vo_id`) once the user signed in
    /// through it; an account is linked to one provider account only.
    #[sea_orm(column_type = "Text", unique)]
    pub oidc_subject: Option<String>,
    /// Optimistic-locking counter, raised on every update.
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::municipality::Entity",
        from = "Column::MunicipalityId",
        to = "super::municipality::Column::Id",
        on_delete = "Restrict"
    )]
    Municipality,
    #[sea_orm(
        belongs_to = "super::partner_organisation::Entity",
        from = "Column::PartnerOrganisationId",
        to = "super::partner_organisation::Column::Id",
        on_delete = "Restrict"
    )]
    PartnerOrganisation,
    #[sea_orm(has_many = "super::session::Entity")]
    Session,
    #[sea_orm(has_many = "super::auth_token::Entity")]
    AuthToken,
    #[sea_orm(has_many = "super::api_token::Entity")]
    ApiToken,
}

impl Related<super::municipality::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Municipality.def()
    }
}

impl Related<super::partner_organisation::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::PartnerOrganisation.def()
    }
}

impl Related<super::session::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Session.def()
    }
}

impl Related<super::auth_token::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::AuthToken.def()
    }
}

impl Related<super::api_token::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::ApiToken.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}

/// What a user may do.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "Text")]
#[serde(rename_all = "snake_case")]
pub enum UserRole {
    #[sea_orm(string_value = "official")]
    Official,
    #[sea_orm(string_value = "reviewer")]
    Reviewer,
    #[sea_orm(string_value = "admin")]
    Admin,
}
