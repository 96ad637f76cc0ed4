//! Why a payment was cancelled, shown on the payment list: a decision that was reopened or
//! lapsed cancels what it had scheduled and not yet paid, and the next decision schedules anew.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Payment::Table)
                    .add_column(text_null(Payment::CancelReason))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Payment::Table)
                    .drop_column(Payment::CancelReason)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum Payment {
    Table,
    CancelReason,
}
