//! Reference data: reference regions, municipalities over time, population figures, partner
//! organisations and the policy plans with their themes and actions.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        create_reference_region(manager).await?;
        create_municipality(manager).await?;
        create_region_membership(manager).await?;
        create_population_figure(manager).await?;
        create_partner_organisation(manager).await?;
        create_plan(manager).await?;
        create_theme(manager).await?;
        create_action(manager).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Action::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Theme::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Plan::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(PartnerOrganisation::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(PopulationFigure::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(RegionMembership::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Municipality::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(ReferenceRegion::Table).to_owned())
            .await?;
        Ok(())
    }
}

/// A reference region (referentieregio) as fixed by the Flemish Government on 12 March 2021. An
/// intermunicipal cooperation must stay inside one region. `later_name` holds a later official
/// name, if any.
async fn create_reference_region(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    manager
        .create_table(
            Table::create()
                .table(ReferenceRegion::Table)
                .col(big_pk_auto(ReferenceRegion::Id))
                .col(text(ReferenceRegion::Code))
                .col(text(ReferenceRegion::Name))
                .col(text_null(ReferenceRegion::LaterName))
                .col(integer(ReferenceRegion::Version).default(1))
                .to_owned(),
        )
        .await?;
    manager
        .create_index(
            Index::create()
                .name("uq_reference_region_code")
                .table(ReferenceRegion::Table)
                .col(ReferenceRegion::Code)
                .unique()
                .to_owned(),
        )
        .await?;
    Ok(())
}

/// One row per municipality identity (gemeente, lokaal bestuur), valid over a date range.
/// Unchanged municipalities have one row valid from 2019-01-01 with `valid_to` NULL; the
/// municipalities merged on 1 January 2025 end on 2024-12-31 and point to their `successor_id`;
/// the new 2025 NIS codes start on 2025-01-01. A code that survives a merger (Antwerpen 11002)
/// keeps its single row.
async fn create_municipality(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    manager
        .create_table(
            Table::create()
                .table(Municipality::Table)
                .col(big_pk_auto(Municipality::Id))
                .col(integer(Municipality::NisCode))
                .col(text(Municipality::Name))
                .col(text_null(Municipality::NameFr))
                .col(text(Municipality::Province))
                .col(text_null(Municipality::Arrondissement))
                .col(date(Municipality::ValidFrom))
                .col(date_null(Municipality::ValidTo))
                .col(big_integer_null(Municipality::SuccessorId))
                .col(integer(Municipality::Version).default(1))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_municipality_successor_id")
                        .from(Municipality::Table, Municipality::SuccessorId)
                        .to(Municipality::Table, Municipality::Id)
                        .on_delete(ForeignKeyAction::Restrict),
                )
                .to_owned(),
        )
        .await?;
    manager
        .create_index(
            Index::create()
                .name("uq_municipality_nis_code_valid_from")
                .table(Municipality::Table)
                .col(Municipality::NisCode)
                .col(Municipality::ValidFrom)
                .unique()
                .to_owned(),
        )
        .await?;
    manager
        .create_index(
            Index::create()
                .name("idx_municipality_successor_id")
                .table(Municipality::Table)
                .col(Municipality::SuccessorId)
                .to_owned(),
        )
        .await?;
    Ok(())
}

/// Which reference region a municipality belongs to, over time.
async fn create_region_membership(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    manager
        .create_table(
            Table::create()
                .table(RegionMembership::Table)
                .col(big_pk_auto(RegionMembership::Id))
                .col(big_integer(RegionMembership::MunicipalityId))
                .col(big_integer(RegionMembership::ReferenceRegionId))
                .col(date(RegionMembership::ValidFrom))
                .col(date_null(RegionMembership::ValidTo))
                .col(integer(RegionMembership::Version).default(1))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_region_membership_municipality_id")
                        .from(RegionMembership::Table, RegionMembership::MunicipalityId)
                        .to(Municipality::Table, Municipality::Id)
                        .on_delete(ForeignKeyAction::Restrict),
                )
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_region_membership_reference_region_id")
                        .from(RegionMembership::Table, RegionMembership::ReferenceRegionId)
                        .to(ReferenceRegion::Table, ReferenceRegion::Id)
                        .on_delete(ForeignKeyAction::Restrict),
                )
                .to_owned(),
        )
        .await?;
    manager
        .create_index(
            Index::create()
                .name("uq_region_membership_municipality_id_valid_from")
                .table(RegionMembership::Table)
                .col(RegionMembership::MunicipalityId)
                .col(RegionMembership::ValidFrom)
                .unique()
                .to_owned(),
        )
        .await?;
    manager
        .create_index(
            Index::create()
                .name("idx_region_membership_reference_region_id")
                .table(RegionMembership::Table)
                .col(RegionMembership::ReferenceRegionId)
                .to_owned(),
        )
        .await?;
    Ok(())
}

/// Residents and residents of non-EU15 origin of a municipality in a reference year, imported
/// from a CSV of the statistics office. Every figure keeps its source; demo figures carry
/// `non_eu15_fictitious` and must be shown as fictitious.
async fn create_population_figure(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    manager
        .create_table(
            Table::create()
                .table(PopulationFigure::Table)
                .col(big_pk_auto(PopulationFigure::Id))
                .col(big_integer(PopulationFigure::MunicipalityId))
                .col(integer(PopulationFigure::ReferenceYear))
                .col(big_integer_null(PopulationFigure::Residents))
                .col(text_null(PopulationFigure::ResidentsSource))
                .col(big_integer_null(PopulationFigure::NonEu15Residents))
                .col(text_null(PopulationFigure::NonEu15Source))
                .col(boolean(PopulationFigure::NonEu15Fictitious).default(false))
                .col(timestamp_with_time_zone(PopulationFigure::ImportedAt))
                .col(integer(PopulationFigure::Version).default(1))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_population_figure_municipality_id")
                        .from(PopulationFigure::Table, PopulationFigure::MunicipalityId)
                        .to(Municipality::Table, Municipality::Id)
                        .on_delete(ForeignKeyAction::Restrict),
                )
                .to_owned(),
        )
        .await?;
    manager
        .create_index(
            Index::create()
                .name("uq_population_figure_municipality_id_reference_year")
                .table(PopulationFigure::Table)
                .col(PopulationFigure::MunicipalityId)
                .col(PopulationFigure::ReferenceYear)
                .unique()
                .to_owned(),
        )
        .await?;
    manager
        .create_index(
            Index::create()
                .name("idx_population_figure_reference_year")
                .table(PopulationFigure::Table)
                .col(PopulationFigure::ReferenceYear)
                .to_owned(),
        )
        .await?;
    Ok(())
}

/// A partner organisation with a separate agreement (the Flemish Community Commission VGC, vzw
/// De Rand). It applies under `agreement`, outside the 7,500 rule.
async fn create_partner_organisation(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    manager
        .create_table(
            Table::create()
                .table(PartnerOrganisation::Table)
                .col(big_pk_auto(PartnerOrganisation::Id))
                .col(text(PartnerOrganisation::Code))
                .col(text(PartnerOrganisation::Name))
                .col(text(PartnerOrganisation::Agreement))
                .col(integer(PartnerOrganisation::Version).default(1))
                .to_owned(),
        )
        .await?;
    manager
        .create_index(
            Index::create()
                .name("uq_partner_organisation_code")
                .table(PartnerOrganisation::Table)
                .col(PartnerOrganisation::Code)
                .unique()
                .to_owned(),
        )
        .await?;
    Ok(())
}

/// A policy plan whose actions calls can list, e.g. the Horizontal Integration and Equal
/// Opportunities Plan 2020-2024.
async fn create_plan(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    manager
        .create_table(
            Table::create()
                .table(Plan::Table)
                .col(big_pk_auto(Plan::Id))
                .col(text(Plan::Code))
                .col(text(Plan::Title))
                .col(text(Plan::Source))
                .col(integer(Plan::Version).default(1))
                .to_owned(),
        )
        .await?;
    manager
        .create_index(
            Index::create()
                .name("uq_plan_code")
                .table(Plan::Table)
                .col(Plan::Code)
                .unique()
                .to_owned(),
        )
        .await?;
    Ok(())
}

/// A numbered theme (chapter) of a plan; its actions are numbered under it.
async fn create_theme(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    manager
        .create_table(
            Table::create()
                .table(Theme::Table)
                .col(big_pk_auto(Theme::Id))
                .col(big_integer(Theme::PlanId))
                .col(integer(Theme::Number))
                .col(text(Theme::Title))
                .col(integer(Theme::Version).default(1))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_theme_plan_id")
                        .from(Theme::Table, Theme::PlanId)
                        .to(Plan::Table, Plan::Id)
                        .on_delete(ForeignKeyAction::Restrict),
                )
                .to_owned(),
        )
        .await?;
    manager
        .create_index(
            Index::create()
                .name("uq_theme_plan_id_number")
                .table(Theme::Table)
                .col(Theme::PlanId)
                .col(Theme::Number)
                .unique()
                .to_owned(),
        )
        .await?;
    Ok(())
}

/// An action of a plan ("Actie 2.10"). `samenleven_eligible` marks the actions the plan opens
/// to the provisie Samenleven; a call still lists the actions it accepts in `call_action`.
async fn create_action(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    manager
        .create_table(
            Table::create()
                .table(Action::Table)
                .col(big_pk_auto(Action::Id))
                .col(big_integer(Action::PlanId))
                .col(big_integer(Action::ThemeId))
                .col(text(Action::Code))
                .col(text(Action::Title))
                .col(text(Action::Objectives))
                .col(text(Action::PolicyDomains))
                .col(text_null(Action::Timing))
                .col(text_null(Action::Indicators))
                .col(boolean(Action::SamenlevenEligible).default(false))
                .col(integer(Action::Version).default(1))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_action_plan_id")
                        .from(Action::Table, Action::PlanId)
                        .to(Plan::Table, Plan::Id)
                        .on_delete(ForeignKeyAction::Restrict),
                )
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_action_theme_id")
                        .from(Action::Table, Action::ThemeId)
                        .to(Theme::Table, Theme::Id)
                        .on_delete(ForeignKeyAction::Restrict),
                )
                .to_owned(),
        )
        .await?;
    manager
        .create_index(
            Index::create()
                .name("uq_action_plan_id_code")
                .table(Action::Table)
                .col(Action::PlanId)
                .col(Action::Code)
                .unique()
                .to_owned(),
        )
        .await?;
    manager
        .create_index(
            Index::create()
                .name("idx_action_theme_id")
                .table(Action::Table)
                .col(Action::ThemeId)
                .to_owned(),
        )
        .await?;
    Ok(())
}

#[derive(DeriveIden)]
pub enum ReferenceRegion {
    Table,
    Id,
    Code,
    Name,
    LaterName,
    Version,
}

#[derive(DeriveIden)]
pub enum Municipality {
    Table,
    Id,
    NisCode,
    Name,
    NameFr,
    Province,
    Arrondissement,
    ValidFrom,
    ValidTo,
    SuccessorId,
    Version,
}

#[derive(DeriveIden)]
pub enum RegionMembership {
    Table,
    Id,
    MunicipalityId,
    ReferenceRegionId,
    ValidFrom,
    ValidTo,
    Version,
}

#[derive(DeriveIden)]
pub enum PopulationFigure {
    Table,
    Id,
    MunicipalityId,
    ReferenceYear,
    Residents,
    ResidentsSource,
    #[sea_orm(iden = "non_eu15_residents")]
    NonEu15Residents,
    #[sea_orm(iden = "non_eu15_source")]
    NonEu15Source,
    #[sea_orm(iden = "non_eu15_fictitious")]
    NonEu15Fictitious,
    ImportedAt,
    Version,
}

#[derive(DeriveIden)]
pub enum PartnerOrganisation {
    Table,
    Id,
    Code,
    Name,
    Agreement,
    Version,
}

#[derive(DeriveIden)]
pub enum Plan {
    Table,
    Id,
    Code,
    Title,
    Source,
    Version,
}

#[derive(DeriveIden)]
pub enum Theme {
    Table,
    Id,
    PlanId,
    Number,
    Title,
    Version,
}

#[derive(DeriveIden)]
pub enum Action {
    Table,
    Id,
    PlanId,
    ThemeId,
    Code,
    Title,
    Objectives,
    PolicyDomains,
    Timing,
    Indicators,
    SamenlevenEligible,
    Version,
}
