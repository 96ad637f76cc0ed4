//! Issue 22: each member's commitment to a cooperation, and reviewers' saved inbox filters.
//!
//! - `application_member.commitment_cents`: what a member municipality commits of the
//!   dossier's own contribution, per project year, stated when it confirms its participation
//!   (money or staff time valued in euro). Empty for the lead and for members that confirmed
//!   before this column existed.
//! - `kpi.direction`: `rising` or `falling` (issue 21: extra KPIs may fall, e.g. reports of
//!   street intimidation); every existing KPI rises.
//! - `saved_filter`: a named inbox query of one staff member (the query string as the inbox
//!   reads it), listed above the inbox so a reviewer's usual selections are one click away.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(ApplicationMember::Table)
                    .add_column(big_integer_null(ApplicationMember::CommitmentCents))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Kpi::Table)
                    .add_column(text(Kpi::Direction).default("rising"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(SavedFilter::Table)
                    .col(big_pk_auto(SavedFilter::Id))
                    .col(big_integer(SavedFilter::UserId))
                    .col(text(SavedFilter::Name))
                    .col(text(SavedFilter::Query))
                    .col(timestamp_with_time_zone(SavedFilter::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_saved_filter_user_id")
                            .from(SavedFilter::Table, SavedFilter::UserId)
                            .to(AppUser::Table, AppUser::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_saved_filter_user_name")
                    .table(SavedFilter::Table)
                    .col(SavedFilter::UserId)
                    .col(SavedFilter::Name)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(SavedFilter::Table).to_owned())
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Kpi::Table)
                    .drop_column(Kpi::Direction)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(ApplicationMember::Table)
                    .drop_column(ApplicationMember::CommitmentCents)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum ApplicationMember {
    Table,
    CommitmentCents,
}

#[derive(DeriveIden)]
enum Kpi {
    Table,
    Direction,
}

#[derive(DeriveIden)]
enum SavedFilter {
    Table,
    Id,
    UserId,
    Name,
    Query,
    CreatedAt,
}

#[derive(DeriveIden)]
enum AppUser {
    Table,
    Id,
}
