//! ABB administration: accounts and the audit log.

pub mod audit_log;
pub mod users;

use crate::web::RouteTable;

pub fn routes() -> RouteTable {
    RouteTable::new()
        .merge(users::routes())
        .merge(audit_log::routes())
}
