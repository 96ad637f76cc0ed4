//! Queries and changes against the database, grouped per area. Handlers call these functions and
//! never build SQL themselves; the functions return plain data for the pages and the domain.

pub mod allocations;
pub mod api_tokens;
pub mod applications;
pub mod attachments;
pub mod call_admin;
pub mod calls;
pub mod decisions;
pub mod drafts;
pub mod followup;
pub mod inbox;
pub mod municipalities;
pub mod programme;
pub mod recipients;
pub mod reference;
pub mod reference_cache;
pub mod reports;
pub mod rules;
pub mod sections;
pub mod submission;

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

/// The page to show (1-based, clamped) and the number of pages, for `total` rows shown
/// `page_size` at a time; an empty list has one (empty) page.
pub fn page_bounds(total: u64, requested: u64, page_size: u64) -> (u64, u64) {
    let pages = total.div_ceil(page_size.max(1)).max(1);
    (requested.clamp(1, pages), pages)
}

#[cfg(test)]
mod tests {
    use super::page_bounds;

    #[test]
    fn pages_are_counted_and_a_request_past_the_end_shows_the_last_page() {
        assert_eq!(page_bounds(0, 1, 50), (1, 1));
        assert_eq!(page_bounds(50, 1, 50), (1, 1));
        assert_eq!(page_bounds(51, 2, 50), (2, 2));
        assert_eq!(page_bounds(120, 99, 50), (3, 3));
        assert_eq!(page_bounds(120, 0, 50), (1, 3));
    }
}
