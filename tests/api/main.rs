//! Integration tests: the real app on a real database (SQLite by default, PostgreSQL when
//! `TEST_DATABASE_URL` is set), served on port 0 and driven over HTTP.

mod helpers;
mod smtp;

mod allocation;
mod api_reports;
mod api_v1;
mod attachments;
mod auth;
mod backup;
mod calls;
mod cooperation;
mod dashboard;
mod exports;
mod followup;
mod foundation;
mod hard_input;
mod inbox;
mod instances;
mod journey;
mod load;
mod mail;
mod matrix;
mod mergers;
mod outbox;
mod programme;
mod reference_cache;
mod review;
mod transitions;
