//! Reading the audit log (admins): the entries a filter selects, newest first, a page at a time
//! or all of them for an export. Nothing here changes an entry.

use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, Select,
};

use entity::audit_log;

use crate::domain::paging::Page;

/// What the list is filtered on; an empty filter selects every entry.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    /// The action starts with this (`call.` for every call operation).
    pub action_prefix: Option<String>,
    pub resource_type: Option<String>,
    pub resource_id: Option<String>,
    /// The actor's label contains this.
    pub actor_contains: Option<String>,
    /// From this moment on.
    pub from: Option<DateTime<Utc>>,
    /// Before this moment.
    pub until: Option<DateTime<Utc>>,
}

/// One page of the selected entries.
#[derive(Debug, Clone)]
pub struct AuditPage {
    pub entries: Vec<audit_log::Model>,
    pub total: u64,
    /// The page shown (the last one when the asked page is past the end) and the page count.
    pub page: u64,
    pub pages: u64,
}

fn select(filter: &AuditFilter) -> Select<audit_log::Entity> {
    let mut select = audit_log::Entity::find()
        .order_by_desc(audit_log::Column::At)
        .order_by_desc(audit_log::Column::Id);
    if let Some(action) = &filter.action_prefix {
        select = select.filter(audit_log::Column::Action.starts_with(action));
    }
    if let Some(kind) = &filter.resource_type {
        select = select.filter(audit_log::Column::ResourceType.eq(kind));
    }
    if let Some(id) = &filter.resource_id {
        select = select.filter(audit_log::Column::ResourceId.eq(id));
    }
    if let Some(who) = &filter.actor_contains {
        select = select.filter(audit_log::Column::ActorLabel.contains(who));
    }
    if let Some(from) = filter.from {
        select = select.filter(audit_log::Column::At.gte(from));
    }
    if let Some(until) = filter.until {
        select = select.filter(audit_log::Column::At.lt(until));
    }
    select
}

/// Page `page` of the entries `filter` selects, `size` at a time.
pub async fn page<C: ConnectionTrait>(
    db: &C,
    filter: &AuditFilter,
    page: Page,
    size: u64,
) -> Result<AuditPage, DbErr> {
    let paginator = select(filter).paginate(db, size.max(1));
    let total = paginator.num_items().await?;
    let (page, pages) = page.within(total, size);
    let entries = paginator.fetch_page(page - 1).await?;
    Ok(AuditPage {
        entries,
        total,
        page,
        pages,
    })
}

/// The first `limit` entries `filter` selects (an export).
pub async fn all<C: ConnectionTrait>(
    db: &C,
    filter: &AuditFilter,
    limit: u64,
) -> Result<Vec<audit_log::Model>, DbErr> {
    select(filter).limit(limit).all(db).await
}
