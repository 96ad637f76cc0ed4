//! Login hardening (issue 19). A login attempt says whether the throttle refused it (its password
//! was never checked) and from which known device it came; `known_device` holds the browsers
//! that signed in before (a long-lived random cookie, stored hashed), which are exempt from the
//! per-account limit; `password_reset_request` records every request for a reset mail, to
//! throttle those mails per account and per address.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        create_known_device(manager).await?;
        // SQLite accepts one change per ALTER TABLE.
        manager
            .alter_table(
                Table::alter()
                    .table(LoginAttempt::Table)
                    .add_column(boolean(LoginAttempt::Refused).default(false))
                    .to_owned(),
            )
            .await?;
        // Not a foreign key: attempts are kept when a device is forgotten.
        manager
            .alter_table(
                Table::alter()
                    .table(LoginAttempt::Table)
                    .add_column(big_integer_null(LoginAttempt::KnownDeviceId))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_login_attempt_known_device_id_attempted_at")
                    .table(LoginAttempt::Table)
                    .col(LoginAttempt::KnownDeviceId)
                    .col(LoginAttempt::AttemptedAt)
                    .to_owned(),
            )
            .await?;
        create_password_reset_request(manager).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(PasswordResetRequest::Table).to_owned())
            .await?;
        manager
            .drop_index(
                Index::drop()
                    .name("idx_login_attempt_known_device_id_attempted_at")
                    .table(LoginAttempt::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(LoginAttempt::Table)
                    .drop_column(LoginAttempt::KnownDeviceId)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(LoginAttempt::Table)
                    .drop_column(LoginAttempt::Refused)
                    .to_owned(),
            )
            .await?;
        manager
            .drop_table(Table::drop().table(KnownDevice::Table).to_owned())
            .await
    }
}

/// A browser in which a user signed in successfully: the hash of the random token in its
/// `sl_device` cookie.
async fn create_known_device(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    manager
        .create_table(
            Table::create()
                .table(KnownDevice::Table)
                .col(big_pk_auto(KnownDevice::Id))
                .col(big_integer(KnownDevice::UserId))
                .col(text(KnownDevice::TokenHash))
                .col(timestamp_with_time_zone(KnownDevice::CreatedAt))
                .col(timestamp_with_time_zone(KnownDevice::LastUsedAt))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_known_device_user_id")
                        .from(KnownDevice::Table, KnownDevice::UserId)
                        .to(AppUser::Table, AppUser::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
    manager
        .create_index(
            Index::create()
                .name("uq_known_device_token_hash")
                .table(KnownDevice::Table)
                .col(KnownDevice::TokenHash)
                .unique()
                .to_owned(),
        )
        .await?;
    manager
        .create_index(
            Index::create()
                .name("idx_known_device_user_id")
                .table(KnownDevice::Table)
                .col(KnownDevice::UserId)
                .to_owned(),
        )
        .await
}

/// Every request for a password reset mail, mailed or not (unknown address, throttled).
async fn create_password_reset_request(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    manager
        .create_table(
            Table::create()
                .table(PasswordResetRequest::Table)
                .col(big_pk_auto(PasswordResetRequest::Id))
                .col(text(PasswordResetRequest::Email))
                .col(text(PasswordResetRequest::Ip))
                .col(timestamp_with_time_zone(PasswordResetRequest::RequestedAt))
                .col(boolean(PasswordResetRequest::Mailed))
                .to_owned(),
        )
        .await?;
    manager
        .create_index(
            Index::create()
                .name("idx_password_reset_request_email_requested_at")
                .table(PasswordResetRequest::Table)
                .col(PasswordResetRequest::Email)
                .col(PasswordResetRequest::RequestedAt)
                .to_owned(),
        )
        .await?;
    manager
        .create_index(
            Index::create()
                .name("idx_password_reset_request_ip_requested_at")
                .table(PasswordResetRequest::Table)
                .col(PasswordResetRequest::Ip)
                .col(PasswordResetRequest::RequestedAt)
                .to_owned(),
        )
        .await
}

#[derive(DeriveIden)]
enum AppUser {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum LoginAttempt {
    Table,
    AttemptedAt,
    Refused,
    KnownDeviceId,
}

#[derive(DeriveIden)]
enum KnownDevice {
    Table,
    Id,
    UserId,
    TokenHash,
    CreatedAt,
    LastUsedAt,
}

#[derive(DeriveIden)]
enum PasswordResetRequest {
    Table,
    Id,
    Email,
    Ip,
    RequestedAt,
    Mailed,
}
