//! Calls: the call itself with its rule parameters, its project years, the municipalities named
//! in it and the actions it accepts.

use sea_orm_migration::{prelude::*, schema::*};

use super::m20260101_000001_reference::{Action, Plan};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        create_call(manager).await?;
        create_call_project_year(manager).await?;
        create_call_named_applicant(manager).await?;
        create_call_action(manager).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(CallAction::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(CallNamedApplicant::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(CallProjectYear::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Call::Table).to_owned())
            .await?;
        Ok(())
    }
}

/// A call for applications (oproep) with every rule parameter as data, so a later call needs no
/// code change. Thresholds on residents are head counts of residents of non-EU15 origin; shares
/// are basis points (1 % = 100 bp); money is in euro cents. Population figures are read for
/// `reference_year`.
async fn create_call(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    manager
        .create_table(
            Table::create()
                .table(Call::Table)
                .col(big_pk_auto(Call::Id))
                .col(text(Call::Code))
                .col(text(Call::Title))
                .col(big_integer(Call::PlanId))
                .col(text(Call::State))
                .col(date(Call::PeriodStart))
                .col(date(Call::PeriodEnd))
                .col(timestamp_with_time_zone(Call::SubmissionOpensAt))
                .col(timestamp_with_time_zone(Call::SubmissionClosesAt))
                .col(integer(Call::ReferenceYear))
                .col(big_integer(Call::SingleApplicantMinExclusive))
                .col(big_integer(Call::PooledMinInclusive))
                .col(integer(Call::IncentiveMinShareBp))
                .col(integer(Call::CofinancingBp))
                .col(big_integer(Call::IncentiveCentsPerProjectYear))
                .col(integer(Call::AdvanceBp))
                .col(integer(Call::ContinuationMinBp))
                .col(text_null(Call::Notes))
                .col(text_null(Call::ParametersSource))
                .col(timestamp_with_time_zone(Call::CreatedAt))
                .col(timestamp_with_time_zone(Call::UpdatedAt))
                .col(integer(Call::Version).default(1))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_call_plan_id")
                        .from(Call::Table, Call::PlanId)
                        .to(Plan::Table, Plan::Id)
                        .on_delete(ForeignKeyAction::Restrict),
                )
                .to_owned(),
        )
        .await?;
    manager
        .create_index(
            Index::create()
                .name("uq_call_code")
                .table(Call::Table)
                .col(Call::Code)
                .unique()
                .to_owned(),
        )
        .await?;
    manager
        .create_index(
            Index::create()
                .name("idx_call_state")
                .table(Call::Table)
                .col(Call::State)
                .to_owned(),
        )
        .await?;
    manager
        .create_index(
            Index::create()
                .name("idx_call_plan_id")
                .table(Call::Table)
                .col(Call::PlanId)
                .to_owned(),
        )
        .await?;
    Ok(())
}

/// A project year of a call: its dates, its budget envelope and its report deadlines.
async fn create_call_project_year(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    manager
        .create_table(
            Table::create()
                .table(CallProjectYear::Table)
                .col(big_pk_auto(CallProjectYear::Id))
                .col(big_integer(CallProjectYear::CallId))
                .col(integer(CallProjectYear::YearNumber))
                .col(date(CallProjectYear::StartsOn))
                .col(date(CallProjectYear::EndsOn))
                .col(big_integer(CallProjectYear::EnvelopeCents))
                .col(date(CallProjectYear::InterimReportDue))
                .col(date(CallProjectYear::YearReportDue))
                .col(integer(CallProjectYear::Version).default(1))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_call_project_year_call_id")
                        .from(CallProjectYear::Table, CallProjectYear::CallId)
                        .to(Call::Table, Call::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
    manager
        .create_index(
            Index::create()
                .name("uq_call_project_year_call_id_year_number")
                .table(CallProjectYear::Table)
                .col(CallProjectYear::CallId)
                .col(CallProjectYear::YearNumber)
                .unique()
                .to_owned(),
        )
        .await?;
    Ok(())
}

/// A municipality the call allows by name to apply alone (Antwerpen, Gent), identified by NIS
/// code.
async fn create_call_named_applicant(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    manager
        .create_table(
            Table::create()
                .table(CallNamedApplicant::Table)
                .col(big_pk_auto(CallNamedApplicant::Id))
                .col(big_integer(CallNamedApplicant::CallId))
                .col(integer(CallNamedApplicant::NisCode))
                .col(text(CallNamedApplicant::Name))
                .col(integer(CallNamedApplicant::Version).default(1))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_call_named_applicant_call_id")
                        .from(CallNamedApplicant::Table, CallNamedApplicant::CallId)
                        .to(Call::Table, Call::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
    manager
        .create_index(
            Index::create()
                .name("uq_call_named_applicant_call_id_nis_code")
                .table(CallNamedApplicant::Table)
                .col(CallNamedApplicant::CallId)
                .col(CallNamedApplicant::NisCode)
                .unique()
                .to_owned(),
        )
        .await?;
    Ok(())
}

/// An action a call accepts, with its standard unit cost and the maximum reach an application
/// may plan. The grant for an action is planned reach times unit cost.
async fn create_call_action(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    manager
        .create_table(
            Table::create()
                .table(CallAction::Table)
                .col(big_pk_auto(CallAction::Id))
                .col(big_integer(CallAction::CallId))
                .col(big_integer(CallAction::ActionId))
                .col(big_integer(CallAction::UnitCostCents))
                .col(integer(CallAction::MaxReach))
                .col(text(CallAction::UnitLabel))
                .col(integer(CallAction::Version).default(1))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_call_action_call_id")
                        .from(CallAction::Table, CallAction::CallId)
                        .to(Call::Table, Call::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_call_action_action_id")
                        .from(CallAction::Table, CallAction::ActionId)
                        .to(Action::Table, Action::Id)
                        .on_delete(ForeignKeyAction::Restrict),
                )
                .to_owned(),
        )
        .await?;
    manager
        .create_index(
            Index::create()
                .name("uq_call_action_call_id_action_id")
                .table(CallAction::Table)
                .col(CallAction::CallId)
                .col(CallAction::ActionId)
                .unique()
                .to_owned(),
        )
        .await?;
    manager
        .create_index(
            Index::create()
                .name("idx_call_action_action_id")
                .table(CallAction::Table)
                .col(CallAction::ActionId)
                .to_owned(),
        )
        .await?;
    Ok(())
}

#[derive(DeriveIden)]
pub enum Call {
    Table,
    Id,
    Code,
    Title,
    PlanId,
    State,
    PeriodStart,
    PeriodEnd,
    SubmissionOpensAt,
    SubmissionClosesAt,
    ReferenceYear,
    SingleApplicantMinExclusive,
    PooledMinInclusive,
    IncentiveMinShareBp,
    CofinancingBp,
    IncentiveCentsPerProjectYear,
    AdvanceBp,
    ContinuationMinBp,
    Notes,
    ParametersSource,
    CreatedAt,
    UpdatedAt,
    Version,
}

#[derive(DeriveIden)]
pub enum CallProjectYear {
    Table,
    Id,
    CallId,
    YearNumber,
    StartsOn,
    EndsOn,
    EnvelopeCents,
    InterimReportDue,
    YearReportDue,
    Version,
}

#[derive(DeriveIden)]
pub enum CallNamedApplicant {
    Table,
    Id,
    CallId,
    NisCode,
    Name,
    Version,
}

#[derive(DeriveIden)]
pub enum CallAction {
    Table,
    Id,
    CallId,
    ActionId,
    UnitCostCents,
    MaxReach,
    UnitLabel,
    Version,
}
