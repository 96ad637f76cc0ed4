//! Four eyes on payments (issue 22): who approved a payment (the one person who may not also mark
//! it as paid) and the bank's reference of the transfer, recorded with its payment day when a
//! payment is marked as paid. Both stay empty on payments from before.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite adds one column per ALTER TABLE.
        manager
            .alter_table(
                Table::alter()
                    .table(Payment::Table)
                    .add_column(big_integer_null(Payment::ApprovedBy))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Payment::Table)
                    .add_column(text_null(Payment::BankReference))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [Payment::BankReference, Payment::ApprovedBy] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Payment::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Payment {
    Table,
    ApprovedBy,
    BankReference,
}
