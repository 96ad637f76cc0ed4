//! Reading the e-mail outbox (admins): the mails a filter selects, newest first, a page at a
//! time or all of them for an export, and one mail by id. Sending and requeueing live in
//! `crate::mail`.

use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, Select,
};

use entity::email_outbox::{self, OutboxState};

use crate::domain::paging::Page;

/// What the list is filtered on; an empty filter selects every mail.
#[derive(Debug, Clone, Default)]
pub struct OutboxFilter {
    pub state: Option<OutboxState>,
    /// The recipient's address contains this.
    pub to_contains: Option<String>,
}

/// One page of the selected mails.
#[derive(Debug, Clone)]
pub struct OutboxPage {
    pub mails: Vec<email_outbox::Model>,
    pub total: u64,
    /// The page shown (the last one when the asked page is past the end) and the page count.
    pub page: u64,
    pub pages: u64,
}

fn select(filter: &OutboxFilter) -> Select<email_outbox::Entity> {
    let mut select = email_outbox::Entity::find()
        .order_by_desc(email_outbox::Column::CreatedAt)
        .order_by_desc(email_outbox::Column::Id);
    if let Some(state) = filter.state {
        select = select.filter(email_outbox::Column::State.eq(state));
    }
    if let Some(to) = &filter.to_contains {
        select = select.filter(email_outbox::Column::ToAddress.contains(to));
    }
    select
}

/// Page `page` of the mails `filter` selects, `size` at a time.
pub async fn page<C: ConnectionTrait>(
    db: &C,
    filter: &OutboxFilter,
    page: Page,
    size: u64,
) -> Result<OutboxPage, DbErr> {
    let paginator = select(filter).paginate(db, size.max(1));
    let total = paginator.num_items().await?;
    let (page, pages) = page.within(total, size);
    let mails = paginator.fetch_page(page - 1).await?;
    Ok(OutboxPage {
        mails,
        total,
        page,
        pages,
    })
}

/// The first `limit` mails `filter` selects (an export).
pub async fn all<C: ConnectionTrait>(
    db: &C,
    filter: &OutboxFilter,
    limit: u64,
) -> Result<Vec<email_outbox::Model>, DbErr> {
    select(filter).limit(limit).all(db).await
}

/// Mail `id`.
pub async fn find<C: ConnectionTrait>(
    db: &C,
    id: i64,
) -> Result<Option<email_outbox::Model>, DbErr> {
    email_outbox::Entity::find_by_id(id).one(db).await
}
