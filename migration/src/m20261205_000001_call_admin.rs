//! Call administration: a call says whether its parameters are fictitious (a demo call whose
//! figures were never published), and a dossier can get a later submission deadline of its own
//! (an admin lets one municipality submit after the call's deadline; the reason is in the audit
//! log).

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
                    .add_column(boolean(Call::ParametersFictitious).default(false))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Application::Table)
                    .add_column(timestamp_with_time_zone_null(
                        Application::LateSubmissionUntil,
                    ))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Application::Table)
                    .drop_column(Application::LateSubmissionUntil)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Call::Table)
                    .drop_column(Call::ParametersFictitious)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum Call {
    Table,
    ParametersFictitious,
}

#[derive(DeriveIden)]
enum Application {
    Table,
    LateSubmissionUntil,
}
