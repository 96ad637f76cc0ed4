//! The inputs a proposed allocation was computed from (issue 22, bug 8): a fingerprint of the
//! dossiers' requests (`domain::allocation::inputs_fingerprint`), so the page can tell a proposal
//! whose dossiers or requested amounts changed since, and confirming it is refused. Proposals
//! stored before have none and count as changed.

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
                    .add_column(text_null(Allocation::InputsFingerprint))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Allocation::Table)
                    .drop_column(Allocation::InputsFingerprint)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum Allocation {
    Table,
    InputsFingerprint,
}
