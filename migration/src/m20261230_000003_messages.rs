//! Two-way messages, a cover note on resubmission and a deadline on a change request (issue 22):
//! a message written by the municipality (`message.from_applicant`), the note a submission
//! carries (`application_snapshot.cover_note`), the day ABB expects the answer to a change
//! request and the day its reminder was sent (`change_request.answer_due_on`,
//! `change_request.reminded_on`, set once in the transaction that queues the reminder).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite adds one column per statement.
        manager
            .alter_table(
                Table::alter()
                    .table(Message::Table)
                    .add_column(boolean(Message::FromApplicant).default(false))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(ApplicationSnapshot::Table)
                    .add_column(text_null(ApplicationSnapshot::CoverNote))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(ChangeRequest::Table)
                    .add_column(date_null(ChangeRequest::AnswerDueOn))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(ChangeRequest::Table)
                    .add_column(date_null(ChangeRequest::RemindedOn))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(ChangeRequest::Table)
                    .drop_column(ChangeRequest::RemindedOn)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(ChangeRequest::Table)
                    .drop_column(ChangeRequest::AnswerDueOn)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(ApplicationSnapshot::Table)
                    .drop_column(ApplicationSnapshot::CoverNote)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Message::Table)
                    .drop_column(Message::FromApplicant)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum Message {
    Table,
    FromApplicant,
}

#[derive(DeriveIden)]
enum ApplicationSnapshot {
    Table,
    CoverNote,
}

#[derive(DeriveIden)]
enum ChangeRequest {
    Table,
    AnswerDueOn,
    RemindedOn,
}
