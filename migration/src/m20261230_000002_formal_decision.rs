//! The formal decision (issue 22): the texts of a call that every decision quotes and that our
//! sources do not give: the legal basis, the appeal route and the signatory's role (a role,
//! never a person's name). Each has its own "illustrative" mark (true until ABB confirms the
//! text), so the decision page and its PDF can say "illustratief: nog door ABB te bevestigen".
//! The texts themselves are data, loaded from the call's seed file.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The text columns and their marks, in pairs.
const TEXTS: [(Call, Call); 3] = [
    (Call::LegalBasis, Call::LegalBasisIllustrative),
    (Call::AppealRoute, Call::AppealRouteIllustrative),
    (Call::SignatoryRole, Call::SignatoryRoleIllustrative),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite alters one column at a time.
        for (text, mark) in TEXTS {
            manager
                .alter_table(
                    Table::alter()
                        .table(Call::Table)
                        .add_column(text_null(text))
                        .to_owned(),
                )
                .await?;
            manager
                .alter_table(
                    Table::alter()
                        .table(Call::Table)
                        .add_column(boolean(mark).default(true))
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (text, mark) in TEXTS {
            for column in [mark, text] {
                manager
                    .alter_table(
                        Table::alter()
                            .table(Call::Table)
                            .drop_column(column)
                            .to_owned(),
                    )
                    .await?;
            }
        }
        Ok(())
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum Call {
    Table,
    LegalBasis,
    LegalBasisIllustrative,
    AppealRoute,
    AppealRouteIllustrative,
    SignatoryRole,
    SignatoryRoleIllustrative,
}
