//! Reminders the lead of a cooperation sends to members that have not answered their
//! invitation: at most one per member per day, guarded by a unique index so a double click, a
//! second tab or a second instance never mails twice. A member's reminders go with its row.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(MemberReminder::Table)
                    .col(big_pk_auto(MemberReminder::Id))
                    .col(big_integer(MemberReminder::ApplicationMemberId))
                    .col(date(MemberReminder::SentOn))
                    .col(timestamp_with_time_zone(MemberReminder::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_member_reminder_application_member_id")
                            .from(MemberReminder::Table, MemberReminder::ApplicationMemberId)
                            .to(ApplicationMember::Table, ApplicationMember::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_member_reminder_application_member_id_sent_on")
                    .table(MemberReminder::Table)
                    .col(MemberReminder::ApplicationMemberId)
                    .col(MemberReminder::SentOn)
                    .unique()
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(MemberReminder::Table).to_owned())
            .await?;
        Ok(())
    }
}

#[derive(DeriveIden)]
enum MemberReminder {
    Table,
    Id,
    ApplicationMemberId,
    SentOn,
    CreatedAt,
}

#[derive(DeriveIden)]
enum ApplicationMember {
    Table,
    Id,
}
