//! ABB administration: accounts, the audit log, the e-mail outbox and the 2025 municipal
//! mergers.

pub mod audit_log;
pub mod mergers;
pub mod outbox;
pub mod users;

use crate::web::RouteTable;

pub fn routes() -> RouteTable {
    RouteTable::new()
        .merge(users::routes())
        .merge(audit_log::routes())
        .merge(mergers::routes())
        .merge(outbox::routes())
}
