//! Applications: the dossier, its members, chosen actions and KPIs, submission snapshots,
//! reviews, messages and change requests.

use sea_orm_migration::{prelude::*, schema::*};

use super::m20260101_000001_reference::{Municipality, PartnerOrganisation};
use super::m20260101_000002_accounts::AppUser;
use super::m20260101_000003_calls::{Call, CallAction};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        create_application(manager).await?;
        create_application_member(manager).await?;
        create_application_action(manager).await?;
        create_kpi(manager).await?;
        create_application_snapshot(manager).await?;
        create_review(manager).await?;
        create_message(manager).await?;
        create_change_request(manager).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(ChangeRequest::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Message::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Review::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(ApplicationSnapshot::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Kpi::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(ApplicationAction::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(ApplicationMember::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Application::Table).to_owned())
            .await?;
        Ok(())
    }
}

/// An application (aanvraag, dossier) to a call: by one municipality (`single`), by an
/// intermunicipal cooperation led by `lead_municipality_id` (`cooperation`), or by a partner
/// organisation (`partner`). The lead municipality also has an `application_member` row, so the
/// one-dossier-per-call constraint covers it. `sections_status` is a JSON object with the state
/// of each form section. UNIQUE(id, call_id) is the target of `application_member`'s composite
/// foreign key.
async fn create_application(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    manager
        .create_table(
            Table::create()
                .table(Application::Table)
                .col(big_pk_auto(Application::Id))
                .col(big_integer(Application::CallId))
                .col(text(Application::Reference))
                .col(text(Application::Kind))
                .col(big_integer_null(Application::LeadMunicipalityId))
                .col(big_integer_null(Application::PartnerOrganisationId))
                .col(text(Application::Title))
                .col(text_null(Application::Summary))
                .col(text_null(Application::ContactName))
                .col(text_null(Application::ContactEmail))
                .col(text_null(Application::ContactPhone))
                .col(integer(Application::FirstProjectYear))
                .col(integer(Application::LastProjectYear))
                .col(text(Application::State))
                .col(text_null(Application::SectionsStatus))
                .col(timestamp_with_time_zone_null(
                    Application::DeclarationsAcceptedAt,
                ))
                .col(big_integer_null(Application::AssignedReviewerId))
                .col(timestamp_with_time_zone_null(Application::SubmittedAt))
                .col(timestamp_with_time_zone_null(Application::DecidedAt))
                .col(big_integer_null(Application::CreatedBy))
                .col(timestamp_with_time_zone(Application::CreatedAt))
                .col(timestamp_with_time_zone(Application::UpdatedAt))
                .col(integer(Application::Version).default(1))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_application_call_id")
                        .from(Application::Table, Application::CallId)
                        .to(Call::Table, Call::Id)
                        .on_delete(ForeignKeyAction::Restrict),
                )
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_application_lead_municipality_id")
                        .from(Application::Table, Application::LeadMunicipalityId)
                        .to(Municipality::Table, Municipality::Id)
                        .on_delete(ForeignKeyAction::Restrict),
                )
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_application_partner_organisation_id")
                        .from(Application::Table, Application::PartnerOrganisationId)
                        .to(PartnerOrganisation::Table, PartnerOrganisation::Id)
                        .on_delete(ForeignKeyAction::Restrict),
                )
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_application_assigned_reviewer_id")
                        .from(Application::Table, Application::AssignedReviewerId)
                        .to(AppUser::Table, AppUser::Id)
                        .on_delete(ForeignKeyAction::Restrict),
                )
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_application_created_by")
                        .from(Application::Table, Application::CreatedBy)
                        .to(AppUser::Table, AppUser::Id)
                        .on_delete(ForeignKeyAction::Restrict),
                )
                .to_owned(),
        )
        .await?;
    manager
        .create_index(
            Index::create()
                .name("uq_application_reference")
                .table(Application::Table)
                .col(Application::Reference)
                .unique()
                .to_owned(),
        )
        .await?;
    manager
        .create_index(
            Index::create()
                .name("uq_application_id_call_id")
                .table(Application::Table)
                .col(Application::Id)
                .col(Application::CallId)
                .unique()
                .to_owned(),
        )
        .await?;
    manager
        .create_index(
            Index::create()
                .name("idx_application_call_id_state")
                .table(Application::Table)
                .col(Application::CallId)
                .col(Application::State)
                .to_owned(),
        )
        .await?;
    manager
        .create_index(
            Index::create()
                .name("idx_application_state")
                .table(Application::Table)
                .col(Application::State)
                .to_owned(),
        )
        .await?;
    manager
        .create_index(
            Index::create()
                .name("idx_application_lead_municipality_id")
                .table(Application::Table)
                .col(Application::LeadMunicipalityId)
                .to_owned(),
        )
        .await?;
    manager
        .create_index(
            Index::create()
                .name("idx_application_partner_organisation_id")
                .table(Application::Table)
                .col(Application::PartnerOrganisationId)
                .to_owned(),
        )
        .await?;
    manager
        .create_index(
            Index::create()
                .name("idx_application_assigned_reviewer_id")
                .table(Application::Table)
                .col(Application::AssignedReviewerId)
                .to_owned(),
        )
        .await?;
    manager
        .create_index(
            Index::create()
                .name("idx_application_created_by")
                .table(Application::Table)
                .col(Application::CreatedBy)
                .to_owned(),
        )
        .await?;
    Ok(())
}

/// A municipality taking part in an application, as lead or member, with its consent. `call_id`
/// repeats the application's call (kept equal by the composite foreign key (application_id,
/// call_id) -> application(id, call_id)) so that UNIQUE(call_id, municipality_id) enforces that
/// a municipality is in at most one application per call.
async fn create_application_member(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    manager
        .create_table(
            Table::create()
                .table(ApplicationMember::Table)
                .col(big_pk_auto(ApplicationMember::Id))
                .col(big_integer(ApplicationMember::ApplicationId))
                .col(big_integer(ApplicationMember::CallId))
                .col(big_integer(ApplicationMember::MunicipalityId))
                .col(text(ApplicationMember::Role))
                .col(text(ApplicationMember::ConsentState))
                .col(timestamp_with_time_zone_null(ApplicationMember::ConsentAt))
                .col(timestamp_with_time_zone(ApplicationMember::InvitedAt))
                .col(integer(ApplicationMember::Version).default(1))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_application_member_application")
                        .from(
                            ApplicationMember::Table,
                            (ApplicationMember::ApplicationId, ApplicationMember::CallId),
                        )
                        .to(Application::Table, (Application::Id, Application::CallId))
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_application_member_call_id")
                        .from(ApplicationMember::Table, ApplicationMember::CallId)
                        .to(Call::Table, Call::Id)
                        .on_delete(ForeignKeyAction::Restrict),
                )
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_application_member_municipality_id")
                        .from(ApplicationMember::Table, ApplicationMember::MunicipalityId)
                        .to(Municipality::Table, Municipality::Id)
                        .on_delete(ForeignKeyAction::Restrict),
                )
                .to_owned(),
        )
        .await?;
    manager
        .create_index(
            Index::create()
                .name("uq_application_member_call_id_municipality_id")
                .table(ApplicationMember::Table)
                .col(ApplicationMember::CallId)
                .col(ApplicationMember::MunicipalityId)
                .unique()
                .to_owned(),
        )
        .await?;
    manager
        .create_index(
            Index::create()
                .name("uq_application_member_application_id_municipality_id")
                .table(ApplicationMember::Table)
                .col(ApplicationMember::ApplicationId)
                .col(ApplicationMember::MunicipalityId)
                .unique()
                .to_owned(),
        )
        .await?;
    manager
        .create_index(
            Index::create()
                .name("idx_application_member_municipality_id")
                .table(ApplicationMember::Table)
                .col(ApplicationMember::MunicipalityId)
                .to_owned(),
        )
        .await?;
    Ok(())
}

/// An action chosen in an application, with amounts per project year: current reach (baseline),
/// planned reach, the requested grant and the own contribution. `priority_rank` orders the
/// actions for when the money does not stretch (unique per application, checked by the
/// application code so ranks can be swapped).
async fn create_application_action(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    manager
        .create_table(
            Table::create()
                .table(ApplicationAction::Table)
                .col(big_pk_auto(ApplicationAction::Id))
                .col(big_integer(ApplicationAction::ApplicationId))
                .col(big_integer(ApplicationAction::CallActionId))
                .col(integer(ApplicationAction::PriorityRank))
                .col(integer(ApplicationAction::BaselineReach))
                .col(integer(ApplicationAction::PlannedReach))
                .col(big_integer(ApplicationAction::GrantCents))
                .col(big_integer(ApplicationAction::OwnContributionCents))
                .col(text(ApplicationAction::Description))
                .col(text_null(ApplicationAction::Partners))
                .col(integer(ApplicationAction::Version).default(1))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_application_action_application_id")
                        .from(ApplicationAction::Table, ApplicationAction::ApplicationId)
                        .to(Application::Table, Application::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_application_action_call_action_id")
                        .from(ApplicationAction::Table, ApplicationAction::CallActionId)
                        .to(CallAction::Table, CallAction::Id)
                        .on_delete(ForeignKeyAction::Restrict),
                )
                .to_owned(),
        )
        .await?;
    manager
        .create_index(
            Index::create()
                .name("uq_application_action_application_id_call_action_id")
                .table(ApplicationAction::Table)
                .col(ApplicationAction::ApplicationId)
                .col(ApplicationAction::CallActionId)
                .unique()
                .to_owned(),
        )
        .await?;
    manager
        .create_index(
            Index::create()
                .name("idx_application_action_call_action_id")
                .table(ApplicationAction::Table)
                .col(ApplicationAction::CallActionId)
                .to_owned(),
        )
        .await?;
    Ok(())
}

/// A measurable KPI of a chosen action: indicator, unit, baseline, numeric target, target date
/// and how it is measured. `is_reach_kpi` marks the KPI that tracks the action's planned reach.
async fn create_kpi(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    manager
        .create_table(
            Table::create()
                .table(Kpi::Table)
                .col(big_pk_auto(Kpi::Id))
                .col(big_integer(Kpi::ApplicationActionId))
                .col(boolean(Kpi::IsReachKpi).default(false))
                .col(text(Kpi::Indicator))
                .col(text(Kpi::Unit))
                .col(big_integer(Kpi::Baseline))
                .col(big_integer(Kpi::Target))
                .col(date(Kpi::TargetDate))
                .col(text(Kpi::Measurement))
                .col(integer(Kpi::Version).default(1))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_kpi_application_action_id")
                        .from(Kpi::Table, Kpi::ApplicationActionId)
                        .to(ApplicationAction::Table, ApplicationAction::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
    manager
        .create_index(
            Index::create()
                .name("idx_kpi_application_action_id")
                .table(Kpi::Table)
                .col(Kpi::ApplicationActionId)
                .to_owned(),
        )
        .await?;
    Ok(())
}

/// A frozen JSON copy of an application at each submission, numbered per application, to show
/// what changed.
async fn create_application_snapshot(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    manager
        .create_table(
            Table::create()
                .table(ApplicationSnapshot::Table)
                .col(big_pk_auto(ApplicationSnapshot::Id))
                .col(big_integer(ApplicationSnapshot::ApplicationId))
                .col(integer(ApplicationSnapshot::Sequence))
                .col(text(ApplicationSnapshot::Snapshot))
                .col(timestamp_with_time_zone(ApplicationSnapshot::CreatedAt))
                .col(big_integer_null(ApplicationSnapshot::CreatedBy))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_application_snapshot_application_id")
                        .from(
                            ApplicationSnapshot::Table,
                            ApplicationSnapshot::ApplicationId,
                        )
                        .to(Application::Table, Application::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_application_snapshot_created_by")
                        .from(ApplicationSnapshot::Table, ApplicationSnapshot::CreatedBy)
                        .to(AppUser::Table, AppUser::Id)
                        .on_delete(ForeignKeyAction::Restrict),
                )
                .to_owned(),
        )
        .await?;
    manager
        .create_index(
            Index::create()
                .name("uq_application_snapshot_application_id_sequence")
                .table(ApplicationSnapshot::Table)
                .col(ApplicationSnapshot::ApplicationId)
                .col(ApplicationSnapshot::Sequence)
                .unique()
                .to_owned(),
        )
        .await?;
    manager
        .create_index(
            Index::create()
                .name("idx_application_snapshot_created_by")
                .table(ApplicationSnapshot::Table)
                .col(ApplicationSnapshot::CreatedBy)
                .to_owned(),
        )
        .await?;
    Ok(())
}

/// A reviewer's assessment of an application: the eligibility checklist (JSON) and an internal
/// note.
async fn create_review(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    manager
        .create_table(
            Table::create()
                .table(Review::Table)
                .col(big_pk_auto(Review::Id))
                .col(big_integer(Review::ApplicationId))
                .col(big_integer(Review::ReviewerId))
                .col(text(Review::Checklist))
                .col(text_null(Review::InternalNote))
                .col(timestamp_with_time_zone(Review::CreatedAt))
                .col(timestamp_with_time_zone(Review::UpdatedAt))
                .col(integer(Review::Version).default(1))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_review_application_id")
                        .from(Review::Table, Review::ApplicationId)
                        .to(Application::Table, Application::Id)
                        .on_delete(ForeignKeyAction::Restrict),
                )
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_review_reviewer_id")
                        .from(Review::Table, Review::ReviewerId)
                        .to(AppUser::Table, AppUser::Id)
                        .on_delete(ForeignKeyAction::Restrict),
                )
                .to_owned(),
        )
        .await?;
    manager
        .create_index(
            Index::create()
                .name("idx_review_application_id")
                .table(Review::Table)
                .col(Review::ApplicationId)
                .to_owned(),
        )
        .await?;
    manager
        .create_index(
            Index::create()
                .name("idx_review_reviewer_id")
                .table(Review::Table)
                .col(Review::ReviewerId)
                .to_owned(),
        )
        .await?;
    Ok(())
}

/// A message in an application's conversation; `internal` messages are visible to ABB only.
async fn create_message(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    manager
        .create_table(
            Table::create()
                .table(Message::Table)
                .col(big_pk_auto(Message::Id))
                .col(big_integer(Message::ApplicationId))
                .col(big_integer_null(Message::AuthorId))
                .col(boolean(Message::Internal).default(false))
                .col(text(Message::Body))
                .col(timestamp_with_time_zone(Message::CreatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_message_application_id")
                        .from(Message::Table, Message::ApplicationId)
                        .to(Application::Table, Application::Id)
                        .on_delete(ForeignKeyAction::Restrict),
                )
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_message_author_id")
                        .from(Message::Table, Message::AuthorId)
                        .to(AppUser::Table, AppUser::Id)
                        .on_delete(ForeignKeyAction::Restrict),
                )
                .to_owned(),
        )
        .await?;
    manager
        .create_index(
            Index::create()
                .name("idx_message_application_id_created_at")
                .table(Message::Table)
                .col(Message::ApplicationId)
                .col(Message::CreatedAt)
                .to_owned(),
        )
        .await?;
    manager
        .create_index(
            Index::create()
                .name("idx_message_author_id")
                .table(Message::Table)
                .col(Message::AuthorId)
                .to_owned(),
        )
        .await?;
    Ok(())
}

/// A reviewer's request to change sections of a submitted application; resolved when the
/// applicant resubmits.
async fn create_change_request(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    manager
        .create_table(
            Table::create()
                .table(ChangeRequest::Table)
                .col(big_pk_auto(ChangeRequest::Id))
                .col(big_integer(ChangeRequest::ApplicationId))
                .col(big_integer(ChangeRequest::RequestedBy))
                .col(text(ChangeRequest::Sections))
                .col(text(ChangeRequest::Message))
                .col(timestamp_with_time_zone(ChangeRequest::RequestedAt))
                .col(timestamp_with_time_zone_null(ChangeRequest::ResolvedAt))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_change_request_application_id")
                        .from(ChangeRequest::Table, ChangeRequest::ApplicationId)
                        .to(Application::Table, Application::Id)
                        .on_delete(ForeignKeyAction::Restrict),
                )
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_change_request_requested_by")
                        .from(ChangeRequest::Table, ChangeRequest::RequestedBy)
                        .to(AppUser::Table, AppUser::Id)
                        .on_delete(ForeignKeyAction::Restrict),
                )
                .to_owned(),
        )
        .await?;
    manager
        .create_index(
            Index::create()
                .name("idx_change_request_application_id")
                .table(ChangeRequest::Table)
                .col(ChangeRequest::ApplicationId)
                .to_owned(),
        )
        .await?;
    manager
        .create_index(
            Index::create()
                .name("idx_change_request_requested_by")
                .table(ChangeRequest::Table)
                .col(ChangeRequest::RequestedBy)
                .to_owned(),
        )
        .await?;
    Ok(())
}

#[derive(DeriveIden)]
pub enum Application {
    Table,
    Id,
    CallId,
    Reference,
    Kind,
    LeadMunicipalityId,
    PartnerOrganisationId,
    Title,
    Summary,
    ContactName,
    ContactEmail,
    ContactPhone,
    FirstProjectYear,
    LastProjectYear,
    State,
    SectionsStatus,
    DeclarationsAcceptedAt,
    AssignedReviewerId,
    SubmittedAt,
    DecidedAt,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
    Version,
}

#[derive(DeriveIden)]
pub enum ApplicationMember {
    Table,
    Id,
    ApplicationId,
    CallId,
    MunicipalityId,
    Role,
    ConsentState,
    ConsentAt,
    InvitedAt,
    Version,
}

#[derive(DeriveIden)]
pub enum ApplicationAction {
    Table,
    Id,
    ApplicationId,
    CallActionId,
    PriorityRank,
    BaselineReach,
    PlannedReach,
    GrantCents,
    OwnContributionCents,
    Description,
    Partners,
    Version,
}

#[allow(clippy::enum_variant_names, reason = "variants are column names")]
#[derive(DeriveIden)]
pub enum Kpi {
    Table,
    Id,
    ApplicationActionId,
    IsReachKpi,
    Indicator,
    Unit,
    Baseline,
    Target,
    TargetDate,
    Measurement,
    Version,
}

#[derive(DeriveIden)]
pub enum ApplicationSnapshot {
    Table,
    Id,
    ApplicationId,
    Sequence,
    Snapshot,
    CreatedAt,
    CreatedBy,
}

#[derive(DeriveIden)]
pub enum Review {
    Table,
    Id,
    ApplicationId,
    ReviewerId,
    Checklist,
    InternalNote,
    CreatedAt,
    UpdatedAt,
    Version,
}

#[derive(DeriveIden)]
pub enum Message {
    Table,
    Id,
    ApplicationId,
    AuthorId,
    Internal,
    Body,
    CreatedAt,
}

#[derive(DeriveIden)]
pub enum ChangeRequest {
    Table,
    Id,
    ApplicationId,
    RequestedBy,
    Sections,
    Message,
    RequestedAt,
    ResolvedAt,
}
