//! Integration tests: the real app on a real database (SQLite by default, PostgreSQL when
//! `TEST_DATABASE_URL` is set), served on port 0 and driven over HTTP.

mod helpers;
mod smtp;

mod admin_pages;
mod allocation;
mod api_reports;
mod api_v1;
mod architecture;
mod attachments;
mod auth;
mod auth_hardening;
mod backup;
mod bank_account;
mod body_limits;
mod calls;
mod cooperation;
mod dashboard;
mod decision_document;
mod dossier_pages;
mod exports;
mod followup;
mod foundation;
mod four_eyes;
mod hard_input;
mod illustrative;
mod inbox;
mod instances;
mod journey;
mod load;
mod mail;
mod matrix;
mod mergers;
mod messages;
mod oidc;
mod outbox;
mod programme;
mod reach_lines;
mod reference_cache;
mod review;
mod rounds;
mod transitions;
