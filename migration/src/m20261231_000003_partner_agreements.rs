//! Issue 21, item 4: the separate agreements of partner organisations (VGC, vzw De Rand) with the
//! Flemish government, attached to a call only when the call's data says so.
//!
//! - `call_partner_agreement`: per call and partner organisation the agreement's amount per
//!   project year, where that amount comes from (`source`) and whether it is illustrative. The
//!   allocation reserves the amount off the envelope before the allocation by priority. A call
//!   without rows has no agreements: a partner's dossier there takes part in the allocation by
//!   priority as before.
//! - `allocation_line.agreement_cents`: the agreement's amount per project year of the line's
//!   dossier when the line was funded under an agreement (empty otherwise); adjustments keep the
//!   dossier's lines within it. Existing lines stay empty: they were all allocated by priority.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(CallPartnerAgreement::Table)
                    .col(big_pk_auto(CallPartnerAgreement::Id))
                    .col(big_integer(CallPartnerAgreement::CallId))
                    .col(big_integer(CallPartnerAgreement::PartnerOrganisationId))
                    .col(big_integer(CallPartnerAgreement::AmountCentsPerProjectYear))
                    .col(text(CallPartnerAgreement::Source))
                    .col(boolean(CallPartnerAgreement::Illustrative))
                    .col(integer(CallPartnerAgreement::Version).default(1))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_call_partner_agreement_call_id")
                            .from(CallPartnerAgreement::Table, CallPartnerAgreement::CallId)
                            .to(Call::Table, Call::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_call_partner_agreement_partner_organisation_id")
                            .from(
                                CallPartnerAgreement::Table,
                                CallPartnerAgreement::PartnerOrganisationId,
                            )
                            .to(PartnerOrganisation::Table, PartnerOrganisation::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_call_partner_agreement_call_id_partner_organisation_id")
                    .table(CallPartnerAgreement::Table)
                    .col(CallPartnerAgreement::CallId)
                    .col(CallPartnerAgreement::PartnerOrganisationId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(AllocationLine::Table)
                    .add_column(big_integer_null(AllocationLine::AgreementCents))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(AllocationLine::Table)
                    .drop_column(AllocationLine::AgreementCents)
                    .to_owned(),
            )
            .await?;
        manager
            .drop_table(Table::drop().table(CallPartnerAgreement::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum CallPartnerAgreement {
    Table,
    Id,
    CallId,
    PartnerOrganisationId,
    AmountCentsPerProjectYear,
    Source,
    Illustrative,
    Version,
}

#[derive(DeriveIden)]
enum Call {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum PartnerOrganisation {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum AllocationLine {
    Table,
    AgreementCents,
}
