//! Accounts for admins: the filtered list, one account, the organisations an account can belong
//! to, and the changes guarded by the account's version. Creating an account is
//! `crate::accounts::insert_user`.

use sea_orm::sea_query::{Expr, SimpleExpr};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, Select,
};

use entity::app_user::{self, UserRole};
use entity::{municipality, partner_organisation};

use crate::domain::paging::Page;

/// What the list is filtered on; an empty filter selects every account.
#[derive(Debug, Clone, Default)]
pub struct UserFilter {
    /// The name (any case) or the e-mail address contains this (lower case).
    pub text: Option<String>,
    pub role: Option<UserRole>,
}

/// One page of the selected accounts.
#[derive(Debug, Clone)]
pub struct UserPage {
    pub users: Vec<app_user::Model>,
    pub total: u64,
    /// The page shown (the last one when the asked page is past the end) and the page count.
    pub page: u64,
    pub pages: u64,
}

fn select<C: ConnectionTrait>(db: &C, filter: &UserFilter) -> Select<app_user::Entity> {
    let mut select = app_user::Entity::find().order_by_asc(app_user::Column::Name);
    if let Some(q) = &filter.text {
        select = select.filter(
            Condition::any()
                .add(Expr::cust_with_values(
                    format!("LOWER(name) LIKE {}", super::placeholder(db)),
                    [format!("%{q}%")],
                ))
                .add(app_user::Column::Email.contains(q.as_str())),
        );
    }
    if let Some(role) = filter.role {
        select = select.filter(app_user::Column::Role.eq(role));
    }
    select
}

/// Page `page` of the accounts `filter` selects, by name, `size` at a time.
pub async fn page<C: ConnectionTrait>(
    db: &C,
    filter: &UserFilter,
    page: Page,
    size: u64,
) -> Result<UserPage, DbErr> {
    let paginator = select(db, filter).paginate(db, size.max(1));
    let total = paginator.num_items().await?;
    let (page, pages) = page.within(total, size);
    let users = paginator.fetch_page(page - 1).await?;
    Ok(UserPage {
        users,
        total,
        page,
        pages,
    })
}

/// Every account `filter` selects, by name (an export).
pub async fn all<C: ConnectionTrait>(
    db: &C,
    filter: &UserFilter,
) -> Result<Vec<app_user::Model>, DbErr> {
    select(db, filter).all(db).await
}

/// Account `id`.
pub async fn find<C: ConnectionTrait>(db: &C, id: i64) -> Result<Option<app_user::Model>, DbErr> {
    app_user::Entity::find_by_id(id).one(db).await
}

/// Every municipality and partner organisation, by name (to name an account's organisation and
/// to choose one).
pub async fn organisations<C: ConnectionTrait>(
    db: &C,
) -> Result<(Vec<municipality::Model>, Vec<partner_organisation::Model>), DbErr> {
    let municipalities = municipality::Entity::find()
        .order_by_asc(municipality::Column::Name)
        .all(db)
        .await?;
    let partners = partner_organisation::Entity::find()
        .order_by_asc(partner_organisation::Column::Name)
        .all(db)
        .await?;
    Ok((municipalities, partners))
}

/// The current municipality with NIS code `nis`.
pub async fn current_municipality<C: ConnectionTrait>(
    db: &C,
    nis: i32,
) -> Result<Option<municipality::Model>, DbErr> {
    municipality::Entity::find()
        .filter(municipality::Column::NisCode.eq(nis))
        .filter(municipality::Column::ValidTo.is_null())
        .one(db)
        .await
}

/// Every current municipality (not merged away) as (NIS code, name), by name: what a
/// municipality field may name ([`crate::domain::picker`]).
pub async fn current_municipalities<C: ConnectionTrait>(
    db: &C,
) -> Result<Vec<(i32, String)>, DbErr> {
    Ok(municipality::Entity::find()
        .filter(municipality::Column::ValidTo.is_null())
        .order_by_asc(municipality::Column::Name)
        .all(db)
        .await?
        .into_iter()
        .map(|m| (m.nis_code, m.name))
        .collect())
}

/// The partner organisation with code `code`.
pub async fn partner<C: ConnectionTrait>(
    db: &C,
    code: &str,
) -> Result<Option<partner_organisation::Model>, DbErr> {
    partner_organisation::Entity::find()
        .filter(partner_organisation::Column::Code.eq(code))
        .one(db)
        .await
}

/// Updates an account only if nobody changed it since `version` was read; `false` on a conflict.
async fn update_if_current<C: ConnectionTrait>(
    db: &C,
    id: i64,
    version: i32,
    changes: Vec<(app_user::Column, SimpleExpr)>,
) -> Result<bool, DbErr> {
    let mut update = app_user::Entity::update_many()
        .col_expr(app_user::Column::Version, Expr::value(version + 1))
        .filter(app_user::Column::Id.eq(id))
        .filter(app_user::Column::Version.eq(version));
    for (column, value) in changes {
        update = update.col_expr(column, value);
    }
    Ok(update.exec(db).await?.rows_affected == 1)
}

/// Activates or deactivates account `id` if it is still at `version`.
pub async fn set_active<C: ConnectionTrait>(
    db: &C,
    id: i64,
    version: i32,
    active: bool,
) -> Result<bool, DbErr> {
    update_if_current(
        db,
        id,
        version,
        vec![(app_user::Column::Active, Expr::value(active))],
    )
    .await
}

/// Binds account `id` to a municipality or partner organisation if it is still at `version`.
pub async fn set_organisation<C: ConnectionTrait>(
    db: &C,
    id: i64,
    version: i32,
    municipality_id: Option<i64>,
    partner_id: Option<i64>,
) -> Result<bool, DbErr> {
    update_if_current(
        db,
        id,
        version,
        vec![
            (
                app_user::Column::MunicipalityId,
                Expr::value(municipality_id),
            ),
            (
                app_user::Column::PartnerOrganisationId,
                Expr::value(partner_id),
            ),
        ],
    )
    .await
}
