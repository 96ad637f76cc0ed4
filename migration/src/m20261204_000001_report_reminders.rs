//! Follow-up details: the reminders sent about a progress report (each kind once per report,
//! guarded by a unique index so restarts and several instances never send twice), proposed and
//! decided reclaims, whether ABB accepted the motivation of a missed KPI, and the reviewer's
//! note when confirming or overruling a continuation proposal.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ReportReminder::Table)
                    .col(big_pk_auto(ReportReminder::Id))
                    .col(big_integer(ReportReminder::ProgressReportId))
                    .col(text(ReportReminder::Kind))
                    .col(date(ReportReminder::SentOn))
                    .col(timestamp_with_time_zone(ReportReminder::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_report_reminder_progress_report_id")
                            .from(ReportReminder::Table, ReportReminder::ProgressReportId)
                            .to(ProgressReport::Table, ProgressReport::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_report_reminder_progress_report_id_kind")
                    .table(ReportReminder::Table)
                    .col(ReportReminder::ProgressReportId)
                    .col(ReportReminder::Kind)
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Reclaim::Table)
                    .col(big_pk_auto(Reclaim::Id))
                    .col(big_integer(Reclaim::ApplicationId))
                    .col(integer(Reclaim::YearNumber))
                    .col(big_integer(Reclaim::ApplicationActionId))
                    .col(big_integer(Reclaim::ProgressReportId))
                    .col(text(Reclaim::State))
                    .col(big_integer(Reclaim::ComputedCents))
                    .col(big_integer(Reclaim::MaxCents))
                    .col(text(Reclaim::Computation))
                    .col(big_integer_null(Reclaim::AmountCents))
                    .col(text_null(Reclaim::Reason))
                    .col(big_integer_null(Reclaim::DecidedBy))
                    .col(timestamp_with_time_zone_null(Reclaim::DecidedAt))
                    .col(big_integer_null(Reclaim::PaymentId))
                    .col(timestamp_with_time_zone(Reclaim::CreatedAt))
                    .col(integer(Reclaim::Version).default(1))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_reclaim_application_id")
                            .from(Reclaim::Table, Reclaim::ApplicationId)
                            .to(Application::Table, Application::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_reclaim_application_action_id")
                            .from(Reclaim::Table, Reclaim::ApplicationActionId)
                            .to(ApplicationAction::Table, ApplicationAction::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_reclaim_progress_report_id")
                            .from(Reclaim::Table, Reclaim::ProgressReportId)
                            .to(ProgressReport::Table, ProgressReport::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_reclaim_decided_by")
                            .from(Reclaim::Table, Reclaim::DecidedBy)
                            .to(AppUser::Table, AppUser::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_reclaim_payment_id")
                            .from(Reclaim::Table, Reclaim::PaymentId)
                            .to(Payment::Table, Payment::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, col) in [
            ("idx_reclaim_application_id", Reclaim::ApplicationId),
            (
                "idx_reclaim_application_action_id",
                Reclaim::ApplicationActionId,
            ),
            ("idx_reclaim_decided_by", Reclaim::DecidedBy),
            ("idx_reclaim_payment_id", Reclaim::PaymentId),
            ("idx_reclaim_state", Reclaim::State),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(Reclaim::Table)
                        .col(col)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .create_index(
                Index::create()
                    .name("uq_reclaim_progress_report_id_application_action_id")
                    .table(Reclaim::Table)
                    .col(Reclaim::ProgressReportId)
                    .col(Reclaim::ApplicationActionId)
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .alter_table(
                Table::alter()
                    .table(KpiResult::Table)
                    .add_column(boolean_null(KpiResult::MotivationAccepted))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Continuation::Table)
                    .add_column(text_null(Continuation::DecisionNote))
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Continuation::Table)
                    .drop_column(Continuation::DecisionNote)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(KpiResult::Table)
                    .drop_column(KpiResult::MotivationAccepted)
                    .to_owned(),
            )
            .await?;
        manager
            .drop_table(Table::drop().table(Reclaim::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(ReportReminder::Table).to_owned())
            .await?;
        Ok(())
    }
}

#[derive(DeriveIden)]
enum ReportReminder {
    Table,
    Id,
    ProgressReportId,
    Kind,
    SentOn,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Reclaim {
    Table,
    Id,
    ApplicationId,
    YearNumber,
    ApplicationActionId,
    ProgressReportId,
    State,
    ComputedCents,
    MaxCents,
    Computation,
    AmountCents,
    Reason,
    DecidedBy,
    DecidedAt,
    PaymentId,
    CreatedAt,
    Version,
}

#[derive(DeriveIden)]
enum KpiResult {
    Table,
    MotivationAccepted,
}

#[derive(DeriveIden)]
enum Continuation {
    Table,
    DecisionNote,
}

#[derive(DeriveIden)]
enum ProgressReport {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Application {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum ApplicationAction {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum AppUser {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Payment {
    Table,
    Id,
}
