//! The `oidc_login` table.
//!
//! A login through the OpenID provider that was started and not yet finished: the hash of the
//! `state` sent to the provider, the hash of the random value in the browser's `sl_oidc` cookie
//! (so only the browser that started may finish), the nonce and the PKCE verifier, where to go
//! afterwards. Used once, then deleted; expired rows are removed.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "oidc_login")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(column_type = "Text", unique)]
    pub state_hash: String,
    #[sea_orm(column_type = "Text")]
    pub browser_hash: String,
    #[sea_orm(column_type = "Text")]
    pub nonce: String,
    #[sea_orm(column_type = "Text")]
    pub pkce_verifier: String,
    #[sea_orm(column_type = "Text")]
    pub next_path: String,
    pub created_at: DateTimeUtc,
    pub expires_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
