//! SeaORM entities of Samenleven, one module per table. The schema itself is defined by the
//! migrations in the `migration` crate; these types mirror it and carry no business behaviour.
//!
//! Money is `i64` euro cents (`*_cents`), shares are `i32` basis points (`*_bp`), dates are
//! [`Date`](sea_orm::prelude::Date) and moments [`DateTimeUtc`](sea_orm::prelude::DateTimeUtc).
//! Text enumerations are string-backed active enums defined next to the table that uses them.

pub mod prelude;

pub mod action;
pub mod allocation;
pub mod allocation_line;
pub mod api_token;
pub mod app_user;
pub mod application;
pub mod application_action;
pub mod application_member;
pub mod application_snapshot;
pub mod attachment;
pub mod audit_log;
pub mod auth_token;
pub mod bank_account;
pub mod call;
pub mod call_action;
pub mod call_action_amount;
pub mod call_named_applicant;
pub mod call_partner_agreement;
pub mod call_project_year;
pub mod change_request;
pub mod continuation;
pub mod decision;
pub mod decision_line;
pub mod email_outbox;
pub mod four_eyes_proposal;
pub mod known_device;
pub mod kpi;
pub mod kpi_result;
pub mod login_attempt;
pub mod member_reminder;
pub mod message;
pub mod municipality;
pub mod oidc_login;
pub mod oidc_session;
pub mod partner_organisation;
pub mod password_reset_request;
pub mod payment;
pub mod plan;
pub mod population_figure;
pub mod progress_report;
pub mod reclaim;
pub mod reference_region;
pub mod region_membership;
pub mod report_reminder;
pub mod review;
pub mod saved_filter;
pub mod session;
pub mod theme;
