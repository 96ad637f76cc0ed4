//! What the reviewer inbox filters on: the rule engine's findings stored per dossier when it is
//! (re)submitted or rechecked (`rule_failures`, `rule_warnings`, `rules_checked_at`), and the
//! call's review term in days (`review_days`): a dossier waiting for a decision longer than
//! that after its last submission is overdue. The index serves the inbox's default order.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite accepts one change per ALTER TABLE.
        for column in [
            integer(Application::RuleFailures).default(0).to_owned(),
            integer(Application::RuleWarnings).default(0).to_owned(),
            timestamp_with_time_zone_null(Application::RulesCheckedAt),
        ] {
            let mut column = column;
            manager
                .alter_table(
                    Table::alter()
                        .table(Application::Table)
                        .add_column(&mut column)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(Call::Table)
                    .add_column(integer(Call::ReviewDays).default(42))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_application_call_id_submitted_at")
                    .table(Application::Table)
                    .col(Application::CallId)
                    .col(Application::SubmittedAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("idx_application_call_id_submitted_at")
                    .table(Application::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Call::Table)
                    .drop_column(Call::ReviewDays)
                    .to_owned(),
            )
            .await?;
        for column in [
            Application::RulesCheckedAt,
            Application::RuleWarnings,
            Application::RuleFailures,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Application::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum Application {
    Table,
    CallId,
    SubmittedAt,
    RuleFailures,
    RuleWarnings,
    RulesCheckedAt,
}

#[derive(DeriveIden)]
enum Call {
    Table,
    ReviewDays,
}
