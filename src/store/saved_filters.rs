//! The queries behind a reviewer's saved inbox filters ([`crate::app::saved_filters`]).

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    Set,
};

use entity::saved_filter;

/// The filters of `user_id`, by name.
pub async fn of_user<C: ConnectionTrait>(
    db: &C,
    user_id: i64,
) -> Result<Vec<saved_filter::Model>, DbErr> {
    saved_filter::Entity::find()
        .filter(saved_filter::Column::UserId.eq(user_id))
        .order_by_asc(saved_filter::Column::Name)
        .all(db)
        .await
}

/// Adds a filter.
pub async fn insert<C: ConnectionTrait>(
    db: &C,
    user_id: i64,
    name: &str,
    query: &str,
    at: DateTime<Utc>,
) -> Result<saved_filter::Model, DbErr> {
    saved_filter::ActiveModel {
        user_id: Set(user_id),
        name: Set(name.to_owned()),
        query: Set(query.to_owned()),
        created_at: Set(at),
        ..Default::default()
    }
    .insert(db)
    .await
}

/// Replaces the name and query of filter `id`.
pub async fn replace<C: ConnectionTrait>(
    db: &C,
    id: i64,
    name: &str,
    query: &str,
) -> Result<(), DbErr> {
    saved_filter::Entity::update_many()
        .col_expr(saved_filter::Column::Name, name.into())
        .col_expr(saved_filter::Column::Query, query.into())
        .filter(saved_filter::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}

/// Deletes filter `id` of `user_id`; `false` when that person has no such filter.
pub async fn delete<C: ConnectionTrait>(db: &C, user_id: i64, id: i64) -> Result<bool, DbErr> {
    let deleted = saved_filter::Entity::delete_many()
        .filter(saved_filter::Column::Id.eq(id))
        .filter(saved_filter::Column::UserId.eq(user_id))
        .exec(db)
        .await?;
    Ok(deleted.rows_affected == 1)
}
