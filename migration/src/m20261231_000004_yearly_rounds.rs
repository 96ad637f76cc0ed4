//! Issue 21, item 3: a call has a round per project year.
//!
//! - `call_project_year.submission_opens_at` / `submission_closes_at`: the round's own
//!   submission window. Empty for a project year without a round of its own (the call's window,
//!   on `call`, is the first round's); existing calls keep working unchanged.
//! - `call_action_amount`: the Flemish amount per unit of a reach line from a project year on,
//!   where it differs from the line's amount (`call_action.unit_cost_cents`). The amount of the
//!   year applies; earlier years keep theirs.
//! - `application_member.joined_in_year`: the project year from which a member takes part in a
//!   cooperation (a member taken in during a later round); empty: from the dossier's first year.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(CallProjectYear::Table)
                    .add_column(timestamp_with_time_zone_null(
                        CallProjectYear::SubmissionOpensAt,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(CallProjectYear::Table)
                    .add_column(timestamp_with_time_zone_null(
                        CallProjectYear::SubmissionClosesAt,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(CallActionAmount::Table)
                    .col(big_pk_auto(CallActionAmount::Id))
                    .col(big_integer(CallActionAmount::CallActionId))
                    .col(integer(CallActionAmount::YearNumber))
                    .col(big_integer(CallActionAmount::UnitCostCents))
                    .col(text_null(CallActionAmount::Source))
                    .col(integer(CallActionAmount::Version).default(1))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_call_action_amount_call_action_id")
                            .from(CallActionAmount::Table, CallActionAmount::CallActionId)
                            .to(CallAction::Table, CallAction::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_call_action_amount_call_action_id_year_number")
                    .table(CallActionAmount::Table)
                    .col(CallActionAmount::CallActionId)
                    .col(CallActionAmount::YearNumber)
                    .unique()
                    .to_owned(),
            )
            .await?;
        reference_triggers(manager).await?;
        manager
            .alter_table(
                Table::alter()
                    .table(ApplicationMember::Table)
                    .add_column(integer_null(ApplicationMember::JoinedInYear))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(ApplicationMember::Table)
                    .drop_column(ApplicationMember::JoinedInYear)
                    .to_owned(),
            )
            .await?;
        manager
            .drop_table(Table::drop().table(CallActionAmount::Table).to_owned())
            .await?;
        for column in [
            CallProjectYear::SubmissionClosesAt,
            CallProjectYear::SubmissionOpensAt,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(CallProjectYear::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}

/// The amounts are reference data of the call: a change raises the reference version, as for
/// `call_action` (`m20261206_000001_reference_version`), so every instance reads them anew.
/// Dropping the table drops its triggers.
async fn reference_triggers(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    let db = manager.get_connection();
    match manager.get_database_backend() {
        sea_orm::DbBackend::Postgres => {
            db.execute_unprepared(
                "CREATE TRIGGER call_action_amount_reference_version \
                 AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON \"call_action_amount\" \
                 FOR EACH STATEMENT EXECUTE FUNCTION bump_reference_version()",
            )
            .await?;
        }
        _ => {
            for event in ["INSERT", "UPDATE", "DELETE"] {
                db.execute_unprepared(&format!(
                    "CREATE TRIGGER call_action_amount_{}_reference_version AFTER {event} \
                     ON \"call_action_amount\" \
                     BEGIN UPDATE reference_version SET version = version + 1 WHERE id = 1; END",
                    event.to_lowercase()
                ))
                .await?;
            }
        }
    }
    Ok(())
}

#[derive(DeriveIden)]
enum CallProjectYear {
    Table,
    SubmissionOpensAt,
    SubmissionClosesAt,
}

#[derive(DeriveIden)]
enum CallActionAmount {
    Table,
    Id,
    CallActionId,
    YearNumber,
    UnitCostCents,
    Source,
    Version,
}

#[derive(DeriveIden)]
enum CallAction {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum ApplicationMember {
    Table,
    JoinedInYear,
}
