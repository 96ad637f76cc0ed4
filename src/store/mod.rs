//! Queries and changes against the database, grouped per area. Handlers call these functions and
//! never build SQL themselves; the functions return plain data for the pages and the domain.

pub mod agreements;
pub mod allocations;
pub mod api_tokens;
pub mod applications;
pub mod attachments;
pub mod audit_log;
pub mod bank_accounts;
pub mod call_admin;
pub mod calls;
pub mod change_requests;
pub mod cooperation;
pub mod decisions;
pub mod drafts;
pub mod followup;
pub mod four_eyes;
pub mod inbox;
pub mod messages;
pub mod municipalities;
pub mod organisations;
pub mod outbox;
pub mod payments;
pub mod programme;
pub mod recipients;
pub mod reference;
pub mod reference_cache;
pub mod reports;
pub mod review;
pub mod rules;
pub mod saved_filters;
pub mod sections;
pub mod submission;
pub mod users;

/// The placeholder for the one value of a custom SQL fragment (`Expr::cust_with_values`):
/// sea-query reads `?` on SQLite and `$1` on PostgreSQL.
pub fn placeholder(db: &impl sea_orm::ConnectionTrait) -> &'static str {
    match db.get_database_backend() {
        sea_orm::DbBackend::Postgres => "$1",
        _ => "?",
    }
}

/// A unique-constraint violation (both databases).
pub fn is_unique_violation(err: &sea_orm::DbErr) -> bool {
    matches!(
        err.sql_err(),
        Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
    )
}
