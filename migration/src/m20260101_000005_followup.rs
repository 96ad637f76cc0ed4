//! Follow-up: allocation of the envelope, decisions, progress reports with KPI results,
//! continuation of actions, payments, and attachments (here because an attachment may belong to
//! a progress report).

use sea_orm_migration::{prelude::*, schema::*};

use super::m20260101_000001_reference::{Municipality, PartnerOrganisation};
use super::m20260101_000002_accounts::AppUser;
use super::m20260101_000003_calls::{Call, CallProjectYear};
use super::m20260101_000004_applications::{Application, ApplicationAction, Kpi};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        create_allocation(manager).await?;
        create_allocation_line(manager).await?;
        create_decision(manager).await?;
        create_decision_line(manager).await?;
        create_progress_report(manager).await?;
        create_kpi_result(manager).await?;
        create_continuation(manager).await?;
        create_payment(manager).await?;
        create_attachment(manager).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Attachment::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Payment::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Continuation::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(KpiResult::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(ProgressReport::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(DecisionLine::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Decision::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(AllocationLine::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Allocation::Table).to_owned())
            .await?;
        Ok(())
    }
}

/// A proposed, then confirmed, division of one project year's envelope over the chosen actions,
/// in priority order. (call_id, year_number) must name an existing `call_project_year`.
async fn create_allocation(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    manager
        .create_table(
            Table::create()
                .table(Allocation::Table)
                .col(big_pk_auto(Allocation::Id))
                .col(big_integer(Allocation::CallId))
                .col(integer(Allocation::YearNumber))
                .col(text(Allocation::State))
                .col(big_integer(Allocation::EnvelopeCents))
                .col(big_integer_null(Allocation::CreatedBy))
                .col(timestamp_with_time_zone(Allocation::CreatedAt))
                .col(big_integer_null(Allocation::ConfirmedBy))
                .col(timestamp_with_time_zone_null(Allocation::ConfirmedAt))
                .col(integer(Allocation::Version).default(1))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_allocation_call_id")
                        .from(Allocation::Table, Allocation::CallId)
                        .to(Call::Table, Call::Id)
                        .on_delete(ForeignKeyAction::Restrict),
                )
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_allocation_created_by")
                        .from(Allocation::Table, Allocation::CreatedBy)
                        .to(AppUser::Table, AppUser::Id)
                        .on_delete(ForeignKeyAction::Restrict),
                )
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_allocation_confirmed_by")
                        .from(Allocation::Table, Allocation::ConfirmedBy)
                        .to(AppUser::Table, AppUser::Id)
                        .on_delete(ForeignKeyAction::Restrict),
                )
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_allocation_call_project_year")
                        .from(
                            Allocation::Table,
                            (Allocation::CallId, Allocation::YearNumber),
                        )
                        .to(
                            CallProjectYear::Table,
                            (CallProjectYear::CallId, CallProjectYear::YearNumber),
                        )
                        .on_delete(ForeignKeyAction::Restrict),
                )
                .to_owned(),
        )
        .await?;
    manager
        .create_index(
            Index::create()
                .name("idx_allocation_call_id_year_number")
                .table(Allocation::Table)
                .col(Allocation::CallId)
                .col(Allocation::YearNumber)
                .to_owned(),
        )
        .await?;
    manager
        .create_index(
            Index::create()
                .name("idx_allocation_state")
                .table(Allocation::Table)
                .col(Allocation::State)
                .to_owned(),
        )
        .await?;
    manager
        .create_index(
            Index::create()
                .name("idx_allocation_created_by")
                .table(Allocation::Table)
                .col(Allocation::CreatedBy)
                .to_owned(),
        )
        .await?;
    manager
        .create_index(
            Index::create()
                .name("idx_allocation_confirmed_by")
                .table(Allocation::Table)
                .col(Allocation::ConfirmedBy)
                .to_owned(),
        )
        .await?;
    Ok(())
}

/// One chosen action's line in an allocation: the requested amount, the amount proposed within
/// the envelope and, when a reviewer changes it, the adjusted amount; `reason` explains the
/// amount.
async fn create_allocation_line(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    manager
        .create_table(
            Table::create()
                .table(AllocationLine::Table)
                .col(big_pk_auto(AllocationLine::Id))
                .col(big_integer(AllocationLine::AllocationId))
                .col(big_integer(AllocationLine::ApplicationActionId))
                .col(big_integer(AllocationLine::RequestedCents))
                .col(big_integer(AllocationLine::ProposedCents))
                .col(big_integer_null(AllocationLine::AdjustedCents))
                .col(text(AllocationLine::Reason))
                .col(integer(AllocationLine::Version).default(1))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_allocation_line_allocation_id")
                        .from(AllocationLine::Table, AllocationLine::AllocationId)
                        .to(Allocation::Table, Allocation::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_allocation_line_application_action_id")
                        .from(AllocationLine::Table, AllocationLine::ApplicationActionId)
                        .to(ApplicationAction::Table, ApplicationAction::Id)
                        .on_delete(ForeignKeyAction::Restrict),
                )
                .to_owned(),
        )
        .await?;
    manager
        .create_index(
            Index::create()
                .name("uq_allocation_line_allocation_id_application_action_id")
                .table(AllocationLine::Table)
                .col(AllocationLine::AllocationId)
                .col(AllocationLine::ApplicationActionId)
                .unique()
                .to_owned(),
        )
        .await?;
    manager
        .create_index(
            Index::create()
                .name("idx_allocation_line_application_action_id")
                .table(AllocationLine::Table)
                .col(AllocationLine::ApplicationActionId)
                .to_owned(),
        )
        .await?;
    Ok(())
}

/// The decision on an application with its motivation and granted totals; a reopened decision
/// records who reopened it and why.
async fn create_decision(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    manager
        .create_table(
            Table::create()
                .table(Decision::Table)
                .col(big_pk_auto(Decision::Id))
                .col(big_integer(Decision::ApplicationId))
                .col(text(Decision::Outcome))
                .col(text(Decision::Motivation))
                .col(big_integer(Decision::DecidedBy))
                .col(timestamp_with_time_zone(Decision::DecidedAt))
                .col(big_integer(Decision::TotalGrantedCents))
                .col(big_integer(Decision::IncentiveCents))
                .col(timestamp_with_time_zone_null(Decision::ReopenedAt))
                .col(big_integer_null(Decision::ReopenedBy))
                .col(text_null(Decision::ReopenReason))
                .col(integer(Decision::Version).default(1))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_decision_application_id")
                        .from(Decision::Table, Decision::ApplicationId)
                        .to(Application::Table, Application::Id)
                        .on_delete(ForeignKeyAction::Restrict),
                )
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_decision_decided_by")
                        .from(Decision::Table, Decision::DecidedBy)
                        .to(AppUser::Table, AppUser::Id)
                        .on_delete(ForeignKeyAction::Restrict),
                )
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_decision_reopened_by")
                        .from(Decision::Table, Decision::ReopenedBy)
                        .to(AppUser::Table, AppUser::Id)
                        .on_delete(ForeignKeyAction::Restrict),
                )
                .to_owned(),
        )
        .await?;
    manager
        .create_index(
            Index::create()
                .name("idx_decision_application_id")
                .table(Decision::Table)
                .col(Decision::ApplicationId)
                .to_owned(),
        )
        .await?;
    manager
        .create_index(
            Index::create()
                .name("idx_decision_decided_by")
                .table(Decision::Table)
                .col(Decision::DecidedBy)
                .to_owned(),
        )
        .await?;
    manager
        .create_index(
            Index::create()
                .name("idx_decision_reopened_by")
                .table(Decision::Table)
                .col(Decision::ReopenedBy)
                .to_owned(),
        )
        .await?;
    Ok(())
}

/// The amount granted for one chosen action in one project year under a decision.
async fn create_decision_line(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    manager
        .create_table(
            Table::create()
                .table(DecisionLine::Table)
                .col(big_pk_auto(DecisionLine::Id))
                .col(big_integer(DecisionLine::DecisionId))
                .col(big_integer(DecisionLine::ApplicationActionId))
                .col(integer(DecisionLine::YearNumber))
                .col(big_integer(DecisionLine::GrantedCents))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_decision_line_decision_id")
                        .from(DecisionLine::Table, DecisionLine::DecisionId)
                        .to(Decision::Table, Decision::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_decision_line_application_action_id")
                        .from(DecisionLine::Table, DecisionLine::ApplicationActionId)
                        .to(ApplicationAction::Table, ApplicationAction::Id)
                        .on_delete(ForeignKeyAction::Restrict),
                )
                .to_owned(),
        )
        .await?;
    manager
        .create_index(
            Index::create()
                .name("uq_decision_line_decision_id_application_action_id_year_number")
                .table(DecisionLine::Table)
                .col(DecisionLine::DecisionId)
                .col(DecisionLine::ApplicationActionId)
                .col(DecisionLine::YearNumber)
                .unique()
                .to_owned(),
        )
        .await?;
    manager
        .create_index(
            Index::create()
                .name("idx_decision_line_application_action_id")
                .table(DecisionLine::Table)
                .col(DecisionLine::ApplicationActionId)
                .to_owned(),
        )
        .await?;
    Ok(())
}

/// An interim (after six months) or year report of an application for a project year, accepted
/// or sent back by a reviewer.
async fn create_progress_report(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    manager
        .create_table(
            Table::create()
                .table(ProgressReport::Table)
                .col(big_pk_auto(ProgressReport::Id))
                .col(big_integer(ProgressReport::ApplicationId))
                .col(integer(ProgressReport::YearNumber))
                .col(text(ProgressReport::Kind))
                .col(text(ProgressReport::State))
                .col(date(ProgressReport::DueOn))
                .col(timestamp_with_time_zone_null(ProgressReport::SubmittedAt))
                .col(big_integer_null(ProgressReport::ReviewedBy))
                .col(timestamp_with_time_zone_null(ProgressReport::ReviewedAt))
                .col(text_null(ProgressReport::ReviewNote))
                .col(integer(ProgressReport::Version).default(1))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_progress_report_application_id")
                        .from(ProgressReport::Table, ProgressReport::ApplicationId)
                        .to(Application::Table, Application::Id)
                        .on_delete(ForeignKeyAction::Restrict),
                )
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_progress_report_reviewed_by")
                        .from(ProgressReport::Table, ProgressReport::ReviewedBy)
                        .to(AppUser::Table, AppUser::Id)
                        .on_delete(ForeignKeyAction::Restrict),
                )
                .to_owned(),
        )
        .await?;
    manager
        .create_index(
            Index::create()
                .name("uq_progress_report_application_id_year_number_kind")
                .table(ProgressReport::Table)
                .col(ProgressReport::ApplicationId)
                .col(ProgressReport::YearNumber)
                .col(ProgressReport::Kind)
                .unique()
                .to_owned(),
        )
        .await?;
    manager
        .create_index(
            Index::create()
                .name("idx_progress_report_state_due_on")
                .table(ProgressReport::Table)
                .col(ProgressReport::State)
                .col(ProgressReport::DueOn)
                .to_owned(),
        )
        .await?;
    manager
        .create_index(
            Index::create()
                .name("idx_progress_report_reviewed_by")
                .table(ProgressReport::Table)
                .col(ProgressReport::ReviewedBy)
                .to_owned(),
        )
        .await?;
    Ok(())
}

/// The value a KPI reached in a progress report, with a motivation where the target was missed.
async fn create_kpi_result(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    manager
        .create_table(
            Table::create()
                .table(KpiResult::Table)
                .col(big_pk_auto(KpiResult::Id))
                .col(big_integer(KpiResult::ProgressReportId))
                .col(big_integer(KpiResult::KpiId))
                .col(big_integer_null(KpiResult::ActualValue))
                .col(text_null(KpiResult::Motivation))
                .col(integer(KpiResult::Version).default(1))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_kpi_result_progress_report_id")
                        .from(KpiResult::Table, KpiResult::ProgressReportId)
                        .to(ProgressReport::Table, ProgressReport::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_kpi_result_kpi_id")
                        .from(KpiResult::Table, KpiResult::KpiId)
                        .to(Kpi::Table, Kpi::Id)
                        .on_delete(ForeignKeyAction::Restrict),
                )
                .to_owned(),
        )
        .await?;
    manager
        .create_index(
            Index::create()
                .name("uq_kpi_result_progress_report_id_kpi_id")
                .table(KpiResult::Table)
                .col(KpiResult::ProgressReportId)
                .col(KpiResult::KpiId)
                .unique()
                .to_owned(),
        )
        .await?;
    manager
        .create_index(
            Index::create()
                .name("idx_kpi_result_kpi_id")
                .table(KpiResult::Table)
                .col(KpiResult::KpiId)
                .to_owned(),
        )
        .await?;
    Ok(())
}

/// Whether a chosen action continues into project year `year_number`: proposed from the interim
/// KPI check (the call's `continuation_min_bp`) and confirmed or overruled by a reviewer.
async fn create_continuation(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    manager
        .create_table(
            Table::create()
                .table(Continuation::Table)
                .col(big_pk_auto(Continuation::Id))
                .col(big_integer(Continuation::ApplicationActionId))
                .col(integer(Continuation::YearNumber))
                .col(boolean(Continuation::Proposed))
                .col(boolean_null(Continuation::Confirmed))
                .col(text(Continuation::Reason))
                .col(big_integer_null(Continuation::DecidedBy))
                .col(timestamp_with_time_zone_null(Continuation::DecidedAt))
                .col(integer(Continuation::Version).default(1))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_continuation_application_action_id")
                        .from(Continuation::Table, Continuation::ApplicationActionId)
                        .to(ApplicationAction::Table, ApplicationAction::Id)
                        .on_delete(ForeignKeyAction::Restrict),
                )
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_continuation_decided_by")
                        .from(Continuation::Table, Continuation::DecidedBy)
                        .to(AppUser::Table, AppUser::Id)
                        .on_delete(ForeignKeyAction::Restrict),
                )
                .to_owned(),
        )
        .await?;
    manager
        .create_index(
            Index::create()
                .name("uq_continuation_application_action_id_year_number")
                .table(Continuation::Table)
                .col(Continuation::ApplicationActionId)
                .col(Continuation::YearNumber)
                .unique()
                .to_owned(),
        )
        .await?;
    manager
        .create_index(
            Index::create()
                .name("idx_continuation_decided_by")
                .table(Continuation::Table)
                .col(Continuation::DecidedBy)
                .to_owned(),
        )
        .await?;
    Ok(())
}

/// A payment tranche of an application for a project year: the advance, the balance after the
/// year-end KPI check, or a reclaim (money owed back; `amount_cents` is positive for every
/// tranche). `computation` explains the amount. The payee is the lead municipality or the
/// partner organisation.
async fn create_payment(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    manager
        .create_table(
            Table::create()
                .table(Payment::Table)
                .col(big_pk_auto(Payment::Id))
                .col(big_integer(Payment::ApplicationId))
                .col(integer(Payment::YearNumber))
                .col(text(Payment::Tranche))
                .col(big_integer(Payment::AmountCents))
                .col(text(Payment::State))
                .col(text_null(Payment::Computation))
                .col(big_integer_null(Payment::PayeeMunicipalityId))
                .col(big_integer_null(Payment::PayeePartnerOrganisationId))
                .col(date_null(Payment::DueOn))
                .col(date_null(Payment::PaidOn))
                .col(timestamp_with_time_zone(Payment::CreatedAt))
                .col(integer(Payment::Version).default(1))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_payment_application_id")
                        .from(Payment::Table, Payment::ApplicationId)
                        .to(Application::Table, Application::Id)
                        .on_delete(ForeignKeyAction::Restrict),
                )
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_payment_payee_municipality_id")
                        .from(Payment::Table, Payment::PayeeMunicipalityId)
                        .to(Municipality::Table, Municipality::Id)
                        .on_delete(ForeignKeyAction::Restrict),
                )
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_payment_payee_partner_organisation_id")
                        .from(Payment::Table, Payment::PayeePartnerOrganisationId)
                        .to(PartnerOrganisation::Table, PartnerOrganisation::Id)
                        .on_delete(ForeignKeyAction::Restrict),
                )
                .to_owned(),
        )
        .await?;
    manager
        .create_index(
            Index::create()
                .name("idx_payment_application_id_year_number")
                .table(Payment::Table)
                .col(Payment::ApplicationId)
                .col(Payment::YearNumber)
                .to_owned(),
        )
        .await?;
    manager
        .create_index(
            Index::create()
                .name("idx_payment_state")
                .table(Payment::Table)
                .col(Payment::State)
                .to_owned(),
        )
        .await?;
    manager
        .create_index(
            Index::create()
                .name("idx_payment_payee_municipality_id")
                .table(Payment::Table)
                .col(Payment::PayeeMunicipalityId)
                .to_owned(),
        )
        .await?;
    manager
        .create_index(
            Index::create()
                .name("idx_payment_payee_partner_organisation_id")
                .table(Payment::Table)
                .col(Payment::PayeePartnerOrganisationId)
                .to_owned(),
        )
        .await?;
    Ok(())
}

/// An uploaded file of an application, optionally about one member municipality or one progress
/// report. The file is stored under `stored_name`; `sha256` (hex) guards its integrity.
async fn create_attachment(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    manager
        .create_table(
            Table::create()
                .table(Attachment::Table)
                .col(big_pk_auto(Attachment::Id))
                .col(big_integer(Attachment::ApplicationId))
                .col(big_integer_null(Attachment::MunicipalityId))
                .col(big_integer_null(Attachment::ProgressReportId))
                .col(text(Attachment::Kind))
                .col(text(Attachment::OriginalName))
                .col(text(Attachment::StoredName))
                .col(text(Attachment::ContentType))
                .col(big_integer(Attachment::SizeBytes))
                .col(text(Attachment::Sha256))
                .col(big_integer_null(Attachment::UploadedBy))
                .col(timestamp_with_time_zone(Attachment::UploadedAt))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_attachment_application_id")
                        .from(Attachment::Table, Attachment::ApplicationId)
                        .to(Application::Table, Application::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_attachment_municipality_id")
                        .from(Attachment::Table, Attachment::MunicipalityId)
                        .to(Municipality::Table, Municipality::Id)
                        .on_delete(ForeignKeyAction::Restrict),
                )
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_attachment_progress_report_id")
                        .from(Attachment::Table, Attachment::ProgressReportId)
                        .to(ProgressReport::Table, ProgressReport::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_attachment_uploaded_by")
                        .from(Attachment::Table, Attachment::UploadedBy)
                        .to(AppUser::Table, AppUser::Id)
                        .on_delete(ForeignKeyAction::Restrict),
                )
                .to_owned(),
        )
        .await?;
    manager
        .create_index(
            Index::create()
                .name("uq_attachment_stored_name")
                .table(Attachment::Table)
                .col(Attachment::StoredName)
                .unique()
                .to_owned(),
        )
        .await?;
    manager
        .create_index(
            Index::create()
                .name("idx_attachment_application_id")
                .table(Attachment::Table)
                .col(Attachment::ApplicationId)
                .to_owned(),
        )
        .await?;
    manager
        .create_index(
            Index::create()
                .name("idx_attachment_municipality_id")
                .table(Attachment::Table)
                .col(Attachment::MunicipalityId)
                .to_owned(),
        )
        .await?;
    manager
        .create_index(
            Index::create()
                .name("idx_attachment_progress_report_id")
                .table(Attachment::Table)
                .col(Attachment::ProgressReportId)
                .to_owned(),
        )
        .await?;
    manager
        .create_index(
            Index::create()
                .name("idx_attachment_uploaded_by")
                .table(Attachment::Table)
                .col(Attachment::UploadedBy)
                .to_owned(),
        )
        .await?;
    Ok(())
}

#[derive(DeriveIden)]
pub enum Allocation {
    Table,
    Id,
    CallId,
    YearNumber,
    State,
    EnvelopeCents,
    CreatedBy,
    CreatedAt,
    ConfirmedBy,
    ConfirmedAt,
    Version,
}

#[derive(DeriveIden)]
pub enum AllocationLine {
    Table,
    Id,
    AllocationId,
    ApplicationActionId,
    RequestedCents,
    ProposedCents,
    AdjustedCents,
    Reason,
    Version,
}

#[derive(DeriveIden)]
pub enum Decision {
    Table,
    Id,
    ApplicationId,
    Outcome,
    Motivation,
    DecidedBy,
    DecidedAt,
    TotalGrantedCents,
    IncentiveCents,
    ReopenedAt,
    ReopenedBy,
    ReopenReason,
    Version,
}

#[derive(DeriveIden)]
pub enum DecisionLine {
    Table,
    Id,
    DecisionId,
    ApplicationActionId,
    YearNumber,
    GrantedCents,
}

#[derive(DeriveIden)]
pub enum ProgressReport {
    Table,
    Id,
    ApplicationId,
    YearNumber,
    Kind,
    State,
    DueOn,
    SubmittedAt,
    ReviewedBy,
    ReviewedAt,
    ReviewNote,
    Version,
}

#[derive(DeriveIden)]
pub enum KpiResult {
    Table,
    Id,
    ProgressReportId,
    KpiId,
    ActualValue,
    Motivation,
    Version,
}

#[derive(DeriveIden)]
pub enum Continuation {
    Table,
    Id,
    ApplicationActionId,
    YearNumber,
    Proposed,
    Confirmed,
    Reason,
    DecidedBy,
    DecidedAt,
    Version,
}

#[derive(DeriveIden)]
pub enum Payment {
    Table,
    Id,
    ApplicationId,
    YearNumber,
    Tranche,
    AmountCents,
    State,
    Computation,
    PayeeMunicipalityId,
    PayeePartnerOrganisationId,
    DueOn,
    PaidOn,
    CreatedAt,
    Version,
}

#[derive(DeriveIden)]
pub enum Attachment {
    Table,
    Id,
    ApplicationId,
    MunicipalityId,
    ProgressReportId,
    Kind,
    OriginalName,
    StoredName,
    ContentType,
    SizeBytes,
    #[sea_orm(iden = "sha256")]
    Sha256,
    UploadedBy,
    UploadedAt,
}
