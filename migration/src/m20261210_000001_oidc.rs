//! Signing in through the Flemish government's ACM/IDM (OpenID Connect): the organisation code
//! (`org_code`, e.g. an OVO code) of municipalities and partner organisations, unique where
//! given; the provider's account id on a user (`oidc_subject`, the `vo_id`), unique where given;
//! the logins under way (`oidc_login`: state, nonce and PKCE verifier, bound to the browser,
//! single use, short-lived); and the ID token of a session opened through the provider
//! (`oidc_session`, for logging out at the provider), removed with its session.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite accepts one change per ALTER TABLE, and no UNIQUE in ADD COLUMN: unique indexes
        // (NULL never collides on either database).
        manager
            .alter_table(
                Table::alter()
                    .table(Municipality::Table)
                    .add_column(text_null(Municipality::OrgCode))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_municipality_org_code")
                    .table(Municipality::Table)
                    .col(Municipality::OrgCode)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(PartnerOrganisation::Table)
                    .add_column(text_null(PartnerOrganisation::OrgCode))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_partner_organisation_org_code")
                    .table(PartnerOrganisation::Table)
                    .col(PartnerOrganisation::OrgCode)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(AppUser::Table)
                    .add_column(text_null(AppUser::OidcSubject))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_app_user_oidc_subject")
                    .table(AppUser::Table)
                    .col(AppUser::OidcSubject)
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(OidcLogin::Table)
                    .col(big_pk_auto(OidcLogin::Id))
                    .col(text(OidcLogin::StateHash))
                    .col(text(OidcLogin::BrowserHash))
                    .col(text(OidcLogin::Nonce))
                    .col(text(OidcLogin::PkceVerifier))
                    .col(text(OidcLogin::NextPath))
                    .col(timestamp_with_time_zone(OidcLogin::CreatedAt))
                    .col(timestamp_with_time_zone(OidcLogin::ExpiresAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_oidc_login_state_hash")
                    .table(OidcLogin::Table)
                    .col(OidcLogin::StateHash)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_oidc_login_expires_at")
                    .table(OidcLogin::Table)
                    .col(OidcLogin::ExpiresAt)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(OidcSession::Table)
                    .col(text(OidcSession::SessionId).primary_key())
                    .col(text(OidcSession::IdToken))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_oidc_session_session_id")
                            .from(OidcSession::Table, OidcSession::SessionId)
                            .to(Session::Table, Session::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(OidcSession::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(OidcLogin::Table).to_owned())
            .await?;
        for (table, index, column) in [
            (
                AppUser::Table.into_iden(),
                "uq_app_user_oidc_subject",
                AppUser::OidcSubject.into_iden(),
            ),
            (
                PartnerOrganisation::Table.into_iden(),
                "uq_partner_organisation_org_code",
                PartnerOrganisation::OrgCode.into_iden(),
            ),
            (
                Municipality::Table.into_iden(),
                "uq_municipality_org_code",
                Municipality::OrgCode.into_iden(),
            ),
        ] {
            manager
                .drop_index(Index::drop().name(index).table(table.clone()).to_owned())
                .await?;
            manager
                .alter_table(Table::alter().table(table).drop_column(column).to_owned())
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Municipality {
    Table,
    OrgCode,
}

#[derive(DeriveIden)]
enum PartnerOrganisation {
    Table,
    OrgCode,
}

#[derive(DeriveIden)]
enum AppUser {
    Table,
    OidcSubject,
}

#[derive(DeriveIden)]
enum Session {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum OidcLogin {
    Table,
    Id,
    StateHash,
    BrowserHash,
    Nonce,
    PkceVerifier,
    NextPath,
    CreatedAt,
    ExpiresAt,
}

#[derive(DeriveIden)]
enum OidcSession {
    Table,
    SessionId,
    IdToken,
}
