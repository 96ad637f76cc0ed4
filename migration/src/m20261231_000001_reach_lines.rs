//! Issue 21: reach lines, the table of ABB's own Plan Samenleven form.
//!
//! - A `call_action` becomes one reach line of an action: an action may be offered with several
//!   lines (action 3.2 has lines for newcomers, people with a disability and people over 55).
//!   `line_number` is 0 for an action's only line (every existing row: the migration path for
//!   real data is an action with one line) and 1, 2, 3 ... for the lines of an action with
//!   several; the unique key becomes (call, action, line).
//! - `unit_label_plural`: the line's target group as the form names it ("aantal pleinmakers");
//!   empty for existing rows, which then show their singular label.
//! - `source_row`, `theme`, `objective`: where the line stands in the source form (row 1-27, the
//!   theme and objective above it); empty for lines that do not come from the form.
//! - `application_action.own_staff_cents`: the municipality's own share may be money or staff
//!   time valued in euro ("financiële of personele middelen"); `own_contribution_cents` stays the
//!   money part.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let columns = [
            integer(CallAction::LineNumber).default(0).to_owned(),
            text_null(CallAction::UnitLabelPlural),
            integer_null(CallAction::SourceRow),
            text_null(CallAction::Theme),
            text_null(CallAction::Objective),
        ];
        for mut column in columns {
            manager
                .alter_table(
                    Table::alter()
                        .table(CallAction::Table)
                        .add_column(&mut column)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .drop_index(
                Index::drop()
                    .name("uq_call_action_call_id_action_id")
                    .table(CallAction::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_call_action_call_id_action_id_line")
                    .table(CallAction::Table)
                    .col(CallAction::CallId)
                    .col(CallAction::ActionId)
                    .col(CallAction::LineNumber)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(ApplicationAction::Table)
                    .add_column(big_integer(ApplicationAction::OwnStaffCents).default(0))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(ApplicationAction::Table)
                    .drop_column(ApplicationAction::OwnStaffCents)
                    .to_owned(),
            )
            .await?;
        manager
            .drop_index(
                Index::drop()
                    .name("uq_call_action_call_id_action_id_line")
                    .table(CallAction::Table)
                    .to_owned(),
            )
            .await?;
        // Only the first line of each action can stay under the old unique key.
        manager
            .exec_stmt(
                Query::delete()
                    .from_table(CallAction::Table)
                    .and_where(Expr::col(CallAction::LineNumber).gt(1))
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
        for column in [
            CallAction::Objective,
            CallAction::Theme,
            CallAction::SourceRow,
            CallAction::UnitLabelPlural,
            CallAction::LineNumber,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(CallAction::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum CallAction {
    Table,
    CallId,
    ActionId,
    LineNumber,
    UnitLabelPlural,
    SourceRow,
    Theme,
    Objective,
}

#[derive(DeriveIden)]
enum ApplicationAction {
    Table,
    OwnStaffCents,
}
