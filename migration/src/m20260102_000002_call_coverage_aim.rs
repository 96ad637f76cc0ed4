//! The programme's coverage aim as call data (two thirds in the 2020-2024 plan): the share of the
//! Flemish Region's non-EU15-origin residents that approved dossiers should reach, as a fraction.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite accepts one change per ALTER TABLE.
        manager
            .alter_table(
                Table::alter()
                    .table(Call::Table)
                    .add_column(integer_null(Call::CoverageAimNumerator))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Call::Table)
                    .add_column(integer_null(Call::CoverageAimDenominator))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Call::Table)
                    .drop_column(Call::CoverageAimDenominator)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Call::Table)
                    .drop_column(Call::CoverageAimNumerator)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum Call {
    Table,
    CoverageAimNumerator,
    CoverageAimDenominator,
}
