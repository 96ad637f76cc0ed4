//! Issue 21, item 3 (yearly rounds): a cooperation that takes in a member during a later round
//! is checked again from that year on, so its incentive can differ per project year.
//! `decision.incentive_by_year` holds the incentive per project year as a JSON object
//! (`{"1": 0, "2": 1000000}`) when it differs between the decision's years; empty: the
//! decision's `incentive_cents` in every year, as for every earlier decision.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Decision::Table)
                    .add_column(text_null(Decision::IncentiveByYear))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Decision::Table)
                    .drop_column(Decision::IncentiveByYear)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum Decision {
    Table,
    IncentiveByYear,
}
