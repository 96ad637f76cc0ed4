//! Accounts: users, sessions, one-time and API tokens, sign-in attempts. Created before the
//! call and application tables because those reference `app_user` and SQLite cannot add foreign
//! keys to an existing table.

use sea_orm_migration::{prelude::*, schema::*};

use super::m20260101_000001_reference::{Municipality, PartnerOrganisation};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        create_app_user(manager).await?;
        create_session(manager).await?;
        create_auth_token(manager).await?;
        create_login_attempt(manager).await?;
        create_api_token(manager).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(ApiToken::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(LoginAttempt::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(AuthToken::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Session::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(AppUser::Table).to_owned())
            .await?;
        Ok(())
    }
}

/// A person who signs in: a municipal official (with `municipality_id`), an official of a
/// partner organisation (with `partner_organisation_id`), an ABB reviewer or an admin. Named
/// `app_user` because `user` is reserved in PostgreSQL. Users are deactivated, not deleted, so
/// what they did stays attributable. `email` is stored in lower case.
async fn create_app_user(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    manager
        .create_table(
            Table::create()
                .table(AppUser::Table)
                .col(big_pk_auto(AppUser::Id))
                .col(text(AppUser::Email))
                .col(text(AppUser::Name))
                .col(text_null(AppUser::PasswordHash))
                .col(text(AppUser::Role))
                .col(big_integer_null(AppUser::MunicipalityId))
                .col(big_integer_null(AppUser::PartnerOrganisationId))
                .col(boolean(AppUser::Active).default(true))
                .col(timestamp_with_time_zone(AppUser::CreatedAt))
                .col(timestamp_with_time_zone_null(AppUser::LastLoginAt))
                .col(integer(AppUser::Version).default(1))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_app_user_municipality_id")
                        .from(AppUser::Table, AppUser::MunicipalityId)
                        .to(Municipality::Table, Municipality::Id)
                        .on_delete(ForeignKeyAction::Restrict),
                )
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_app_user_partner_organisation_id")
                        .from(AppUser::Table, AppUser::PartnerOrganisationId)
                        .to(PartnerOrganisation::Table, PartnerOrganisation::Id)
                        .on_delete(ForeignKeyAction::Restrict),
                )
                .to_owned(),
        )
        .await?;
    manager
        .create_index(
            Index::create()
                .name("uq_app_user_email")
                .table(AppUser::Table)
                .col(AppUser::Email)
                .unique()
                .to_owned(),
        )
        .await?;
    manager
        .create_index(
            Index::create()
                .name("idx_app_user_municipality_id")
                .table(AppUser::Table)
                .col(AppUser::MunicipalityId)
                .to_owned(),
        )
        .await?;
    manager
        .create_index(
            Index::create()
                .name("idx_app_user_partner_organisation_id")
                .table(AppUser::Table)
                .col(AppUser::PartnerOrganisationId)
                .to_owned(),
        )
        .await?;
    manager
        .create_index(
            Index::create()
                .name("idx_app_user_role")
                .table(AppUser::Table)
                .col(AppUser::Role)
                .to_owned(),
        )
        .await?;
    Ok(())
}

/// A signed-in browser session. `id` is the hash of the session token; the token itself only
/// lives in the cookie.
async fn create_session(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    manager
        .create_table(
            Table::create()
                .table(Session::Table)
                .col(text(Session::Id).primary_key())
                .col(big_integer(Session::UserId))
                .col(text(Session::CsrfToken))
                .col(timestamp_with_time_zone(Session::CreatedAt))
                .col(timestamp_with_time_zone(Session::LastSeenAt))
                .col(timestamp_with_time_zone(Session::ExpiresAt))
                .col(text_null(Session::Ip))
                .col(text_null(Session::UserAgent))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_session_user_id")
                        .from(Session::Table, Session::UserId)
                        .to(AppUser::Table, AppUser::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
    manager
        .create_index(
            Index::create()
                .name("idx_session_user_id")
                .table(Session::Table)
                .col(Session::UserId)
                .to_owned(),
        )
        .await?;
    manager
        .create_index(
            Index::create()
                .name("idx_session_expires_at")
                .table(Session::Table)
                .col(Session::ExpiresAt)
                .to_owned(),
        )
        .await?;
    Ok(())
}

/// A one-time token for a password reset or an invitation; only its hash is stored.
async fn create_auth_token(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    manager
        .create_table(
            Table::create()
                .table(AuthToken::Table)
                .col(big_pk_auto(AuthToken::Id))
                .col(big_integer(AuthToken::UserId))
                .col(text(AuthToken::Purpose))
                .col(text(AuthToken::TokenHash))
                .col(timestamp_with_time_zone(AuthToken::CreatedAt))
                .col(timestamp_with_time_zone(AuthToken::ExpiresAt))
                .col(timestamp_with_time_zone_null(AuthToken::UsedAt))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_auth_token_user_id")
                        .from(AuthToken::Table, AuthToken::UserId)
                        .to(AppUser::Table, AppUser::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
    manager
        .create_index(
            Index::create()
                .name("uq_auth_token_token_hash")
                .table(AuthToken::Table)
                .col(AuthToken::TokenHash)
                .unique()
                .to_owned(),
        )
        .await?;
    manager
        .create_index(
            Index::create()
                .name("idx_auth_token_user_id")
                .table(AuthToken::Table)
                .col(AuthToken::UserId)
                .to_owned(),
        )
        .await?;
    Ok(())
}

/// Every sign-in attempt, to throttle by e-mail address and by IP address.
async fn create_login_attempt(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    manager
        .create_table(
            Table::create()
                .table(LoginAttempt::Table)
                .col(big_pk_auto(LoginAttempt::Id))
                .col(text(LoginAttempt::Email))
                .col(text(LoginAttempt::Ip))
                .col(timestamp_with_time_zone(LoginAttempt::AttemptedAt))
                .col(boolean(LoginAttempt::Success))
                .to_owned(),
        )
        .await?;
    manager
        .create_index(
            Index::create()
                .name("idx_login_attempt_email_attempted_at")
                .table(LoginAttempt::Table)
                .col(LoginAttempt::Email)
                .col(LoginAttempt::AttemptedAt)
                .to_owned(),
        )
        .await?;
    manager
        .create_index(
            Index::create()
                .name("idx_login_attempt_ip_attempted_at")
                .table(LoginAttempt::Table)
                .col(LoginAttempt::Ip)
                .col(LoginAttempt::AttemptedAt)
                .to_owned(),
        )
        .await?;
    Ok(())
}

/// A long-lived token for API access on behalf of a user; only its hash is stored.
async fn create_api_token(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    manager
        .create_table(
            Table::create()
                .table(ApiToken::Table)
                .col(big_pk_auto(ApiToken::Id))
                .col(big_integer(ApiToken::UserId))
                .col(text(ApiToken::Name))
                .col(text(ApiToken::TokenHash))
                .col(timestamp_with_time_zone(ApiToken::CreatedAt))
                .col(timestamp_with_time_zone_null(ApiToken::LastUsedAt))
                .col(timestamp_with_time_zone_null(ApiToken::RevokedAt))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_api_token_user_id")
                        .from(ApiToken::Table, ApiToken::UserId)
                        .to(AppUser::Table, AppUser::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
    manager
        .create_index(
            Index::create()
                .name("uq_api_token_token_hash")
                .table(ApiToken::Table)
                .col(ApiToken::TokenHash)
                .unique()
                .to_owned(),
        )
        .await?;
    manager
        .create_index(
            Index::create()
                .name("idx_api_token_user_id")
                .table(ApiToken::Table)
                .col(ApiToken::UserId)
                .to_owned(),
        )
        .await?;
    Ok(())
}

#[derive(DeriveIden)]
pub enum AppUser {
    Table,
    Id,
    Email,
    Name,
    PasswordHash,
    Role,
    MunicipalityId,
    PartnerOrganisationId,
    Active,
    CreatedAt,
    LastLoginAt,
    Version,
}

#[derive(DeriveIden)]
pub enum Session {
    Table,
    Id,
    UserId,
    CsrfToken,
    CreatedAt,
    LastSeenAt,
    ExpiresAt,
    Ip,
    UserAgent,
}

#[derive(DeriveIden)]
pub enum AuthToken {
    Table,
    Id,
    UserId,
    Purpose,
    TokenHash,
    CreatedAt,
    ExpiresAt,
    UsedAt,
}

#[derive(DeriveIden)]
pub enum LoginAttempt {
    Table,
    Id,
    Email,
    Ip,
    AttemptedAt,
    Success,
}

#[derive(DeriveIden)]
pub enum ApiToken {
    Table,
    Id,
    UserId,
    Name,
    TokenHash,
    CreatedAt,
    LastUsedAt,
    RevokedAt,
}
