//! ABB administration: accounts, the audit log, the e-mail outbox, the 2025 municipal
//! mergers and the calls.

pub mod audit_log;
pub mod calls;
pub mod mergers;
pub mod organisations;
pub mod outbox;
pub mod users;

use crate::web::RouteTable;

pub fn routes() -> RouteTable {
    RouteTable::new()
        .merge(users::routes())
        .merge(audit_log::routes())
        .merge(mergers::routes())
        .merge(outbox::routes())
        .merge(calls::routes())
        .merge(organisations::routes())
}
