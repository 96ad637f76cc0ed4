//! The bank account (IBAN) a municipality or partner organisation is paid on: one row per
//! organisation, set by its own officials (checked, versioned, audited), read by the finance
//! export. Kept apart from the reference tables, whose every change invalidates the reference
//! cache.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(BankAccount::Table)
                    .col(big_pk_auto(BankAccount::Id))
                    .col(big_integer_null(BankAccount::MunicipalityId).unique_key())
                    .col(big_integer_null(BankAccount::PartnerOrganisationId).unique_key())
                    .col(text(BankAccount::Iban))
                    .col(text(BankAccount::Holder))
                    .col(big_integer_null(BankAccount::UpdatedBy))
                    .col(timestamp_with_time_zone(BankAccount::UpdatedAt))
                    .col(integer(BankAccount::Version).default(1))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_bank_account_municipality_id")
                            .from(BankAccount::Table, BankAccount::MunicipalityId)
                            .to(Municipality::Table, Municipality::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_bank_account_partner_organisation_id")
                            .from(BankAccount::Table, BankAccount::PartnerOrganisationId)
                            .to(PartnerOrganisation::Table, PartnerOrganisation::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_bank_account_updated_by")
                            .from(BankAccount::Table, BankAccount::UpdatedBy)
                            .to(AppUser::Table, AppUser::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(BankAccount::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum BankAccount {
    Table,
    Id,
    MunicipalityId,
    PartnerOrganisationId,
    Iban,
    Holder,
    UpdatedBy,
    UpdatedAt,
    Version,
}

#[derive(DeriveIden)]
enum Municipality {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum PartnerOrganisation {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum AppUser {
    Table,
    Id,
}
