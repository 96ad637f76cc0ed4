//! The incentives an allocation grants come off the envelope before the actions; the amount is
//! kept with the allocation so adjustments of the action lines stay within what is left.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Allocation::Table)
                    .add_column(big_integer(Allocation::IncentivesCents).default(0))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Allocation::Table)
                    .drop_column(Allocation::IncentivesCents)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum Allocation {
    Table,
    IncentivesCents,
}
