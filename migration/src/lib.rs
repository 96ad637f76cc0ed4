//! Schema migrations of Samenleven: schema only, no data (seeds are loaded by the application).
//! Every migration runs on SQLite and PostgreSQL.
//!
//! Conventions: `id` is a BIGINT auto-increment key (`session.id` is the
//! token hash); money is BIGINT euro cents (`*_cents`);
//! shares are INTEGER basis points (`*_bp`); dates are DATE, moments are timestamps with time
//! zone (set by the application, never by a database default, so both backends store them the
//! same way); enumerations and JSON are TEXT; rows users edit carry `version` for optimistic
//! locking. Constraint names: `fk_<table>_<column>`, `uq_<table>_<columns>`,
//! `idx_<table>_<columns>`.

pub use sea_orm_migration::prelude::*;

mod m20260101_000001_reference;
mod m20260101_000002_accounts;
mod m20260101_000003_calls;
mod m20260101_000004_applications;
mod m20260101_000005_followup;
mod m20260101_000006_audit_outbox;
mod m20260102_000001_outbox_claim;
mod m20260102_000002_call_coverage_aim;
mod m20260102_000003_allocation_incentives;
mod m20261202_000001_review_tracking;
mod m20261204_000001_report_reminders;
mod m20261205_000001_call_admin;
mod m20261206_000001_reference_version;
mod m20261207_000001_payment_cancel_reason;
mod m20261210_000001_oidc;
mod m20261215_000001_login_hardening;
mod m20261220_000001_h1_member_reminder;
mod m20261220_000003_h3_payment_safeguards;
mod m20261220_000004_h4_allocation_fingerprint;
mod m20261220_000005_lead_bank_account;
mod m20261230_000001_four_eyes;
mod m20261230_000002_formal_decision;
mod m20261230_000003_messages;
mod m20261230_000004_commitment_saved_filters;
mod m20261231_000001_reach_lines;
mod m20261231_000002_figures_marks;
mod m20261231_000003_partner_agreements;
mod m20261231_000004_yearly_rounds;
mod m20261231_000005_incentive_by_year;

/// Every schema migration, in order. The application runs them at start-up.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20260101_000001_reference::Migration),
            Box::new(m20260101_000002_accounts::Migration),
            Box::new(m20260101_000003_calls::Migration),
            Box::new(m20260101_000004_applications::Migration),
            Box::new(m20260101_000005_followup::Migration),
            Box::new(m20260101_000006_audit_outbox::Migration),
            Box::new(m20260102_000001_outbox_claim::Migration),
            Box::new(m20260102_000002_call_coverage_aim::Migration),
            Box::new(m20260102_000003_allocation_incentives::Migration),
            Box::new(m20261202_000001_review_tracking::Migration),
            Box::new(m20261204_000001_report_reminders::Migration),
            Box::new(m20261205_000001_call_admin::Migration),
            Box::new(m20261206_000001_reference_version::Migration),
            Box::new(m20261207_000001_payment_cancel_reason::Migration),
            Box::new(m20261210_000001_oidc::Migration),
            Box::new(m20261215_000001_login_hardening::Migration),
            Box::new(m20261220_000001_h1_member_reminder::Migration),
            Box::new(m20261220_000003_h3_payment_safeguards::Migration),
            Box::new(m20261220_000004_h4_allocation_fingerprint::Migration),
            Box::new(m20261220_000005_lead_bank_account::Migration),
            Box::new(m20261230_000001_four_eyes::Migration),
            Box::new(m20261230_000002_formal_decision::Migration),
            Box::new(m20261230_000003_messages::Migration),
            Box::new(m20261230_000004_commitment_saved_filters::Migration),
            Box::new(m20261231_000001_reach_lines::Migration),
            Box::new(m20261231_000002_figures_marks::Migration),
            Box::new(m20261231_000003_partner_agreements::Migration),
            Box::new(m20261231_000004_yearly_rounds::Migration),
            Box::new(m20261231_000005_incentive_by_year::Migration),
        ]
    }
}
