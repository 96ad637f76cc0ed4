//! Four eyes on money and decisions (issue 22): a decision, an envelope change and a reclaim
//! are proposed by one ABB staff member and confirmed by another when the call's threshold
//! asks for it.
//!
//! - `four_eyes_proposal`: one row per proposal (kind, subject, call, amount, the validated
//!   input as JSON, who proposed when, its state and who settled it when and why);
//! - `call.four_eyes_threshold_cents`: above which amount a second person is needed (0: always);
//! - `decision.proposed_by`: who proposed a decision that another person confirmed
//!   (`decided_by`); empty for decisions taken in one step;
//! - `allocation.adjusted_by`: who last adjusted a proposed allocation (neither they nor who
//!   computed it may confirm it).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(FourEyesProposal::Table)
                    .col(big_pk_auto(FourEyesProposal::Id))
                    .col(text(FourEyesProposal::Kind))
                    .col(big_integer(FourEyesProposal::SubjectId))
                    .col(big_integer(FourEyesProposal::CallId))
                    .col(big_integer(FourEyesProposal::AmountCents))
                    .col(text(FourEyesProposal::Input))
                    .col(big_integer(FourEyesProposal::ProposedBy))
                    .col(timestamp_with_time_zone(FourEyesProposal::ProposedAt))
                    .col(text(FourEyesProposal::State))
                    .col(big_integer_null(FourEyesProposal::SettledBy))
                    .col(timestamp_with_time_zone_null(FourEyesProposal::SettledAt))
                    .col(text_null(FourEyesProposal::Reason))
                    .col(integer(FourEyesProposal::Version).default(1))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_four_eyes_proposal_call_id")
                            .from(FourEyesProposal::Table, FourEyesProposal::CallId)
                            .to(Call::Table, Call::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_four_eyes_proposal_proposed_by")
                            .from(FourEyesProposal::Table, FourEyesProposal::ProposedBy)
                            .to(AppUser::Table, AppUser::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_four_eyes_proposal_settled_by")
                            .from(FourEyesProposal::Table, FourEyesProposal::SettledBy)
                            .to(AppUser::Table, AppUser::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_four_eyes_proposal_subject")
                    .table(FourEyesProposal::Table)
                    .col(FourEyesProposal::Kind)
                    .col(FourEyesProposal::SubjectId)
                    .col(FourEyesProposal::State)
                    .to_owned(),
            )
            .await?;
        // One column per statement: SQLite adds one column per ALTER TABLE.
        manager
            .alter_table(
                Table::alter()
                    .table(Call::Table)
                    .add_column(big_integer(Call::FourEyesThresholdCents).default(0))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Decision::Table)
                    .add_column(big_integer_null(Decision::ProposedBy))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Allocation::Table)
                    .add_column(big_integer_null(Allocation::AdjustedBy))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Allocation::Table)
                    .drop_column(Allocation::AdjustedBy)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Decision::Table)
                    .drop_column(Decision::ProposedBy)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Call::Table)
                    .drop_column(Call::FourEyesThresholdCents)
                    .to_owned(),
            )
            .await?;
        manager
            .drop_table(Table::drop().table(FourEyesProposal::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum FourEyesProposal {
    Table,
    Id,
    Kind,
    SubjectId,
    CallId,
    AmountCents,
    Input,
    ProposedBy,
    ProposedAt,
    State,
    SettledBy,
    SettledAt,
    Reason,
    Version,
}

#[derive(DeriveIden)]
enum Call {
    Table,
    Id,
    FourEyesThresholdCents,
}

#[derive(DeriveIden)]
enum Decision {
    Table,
    ProposedBy,
}

#[derive(DeriveIden)]
enum Allocation {
    Table,
    AdjustedBy,
}

#[derive(DeriveIden)]
enum AppUser {
    Table,
    Id,
}
