//! Nothing invented looks official (issue 21, item 5): a call's date that no source gives is
//! marked illustrative, so pages show "illustratief: nog door ABB te bevestigen" beside it and
//! the API `illustrative: true`.
//!
//! - `call.submission_opens_illustrative`: the opening of the submission window was made up
//!   (the real 2022 call published only its deadline);
//! - `call_project_year.report_dates_illustrative`: the project year's report deadlines were
//!   derived, not published (years 2 and 3 of the 2022-2024 call).
//!
//! Both default to false: a date ABB enters is its own. The seeded call gets its marks from its
//! seed file at start-up, once, while its dates are still the seeded ones.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite alters one column at a time.
        manager
            .alter_table(
                Table::alter()
                    .table(Call::Table)
                    .add_column(boolean(Call::SubmissionOpensIllustrative).default(false))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(CallProjectYear::Table)
                    .add_column(boolean(CallProjectYear::ReportDatesIllustrative).default(false))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(CallProjectYear::Table)
                    .drop_column(CallProjectYear::ReportDatesIllustrative)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Call::Table)
                    .drop_column(Call::SubmissionOpensIllustrative)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum Call {
    Table,
    SubmissionOpensIllustrative,
}

#[derive(DeriveIden)]
enum CallProjectYear {
    Table,
    ReportDatesIllustrative,
}
