//! ABB's change requests on a dossier: the open one, and the parts it reopened.

use chrono::NaiveDate;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder};

use entity::application::{self, ApplicationState};
use entity::change_request;

use crate::domain::parts::{self, Part};

/// The open (unanswered) change request of a dossier, if any.
pub async fn open<C: ConnectionTrait>(
    db: &C,
    application_id: i64,
) -> Result<Option<change_request::Model>, DbErr> {
    change_request::Entity::find()
        .filter(change_request::Column::ApplicationId.eq(application_id))
        .filter(change_request::Column::ResolvedAt.is_null())
        .order_by_desc(change_request::Column::Id)
        .one(db)
        .await
}

/// The parts of a stored change request (its `sections` hold their codes as a JSON list).
pub fn parts_of(request: &change_request::Model) -> Vec<Part> {
    let codes: Vec<String> = serde_json::from_str(&request.sections).unwrap_or_default();
    parts::parse_codes(codes.iter().map(String::as_str))
}

/// The parts ABB's open change request reopened, while the dossier waits for those changes
/// (`None` in any other state, or when there is no open request: then every part is open).
pub async fn reopened_parts<C: ConnectionTrait>(
    db: &C,
    app: &application::Model,
) -> Result<Option<Vec<Part>>, DbErr> {
    if app.state != ApplicationState::ChangesRequested {
        return Ok(None);
    }
    Ok(open(db, app.id).await?.map(|request| parts_of(&request)))
}

/// The stored form of `parts` (a JSON list of their codes).
pub fn stored(parts: &[Part]) -> String {
    serde_json::to_string(&parts.iter().map(|p| p.code()).collect::<Vec<_>>()).unwrap_or_default()
}

/// The open change requests of dossiers still waiting for changes whose answer is expected by
/// `horizon` and that were not reminded yet, with their dossier.
pub async fn to_remind<C: ConnectionTrait>(
    db: &C,
    horizon: NaiveDate,
) -> Result<Vec<(change_request::Model, application::Model)>, DbErr> {
    Ok(change_request::Entity::find()
        .filter(change_request::Column::ResolvedAt.is_null())
        .filter(change_request::Column::RemindedOn.is_null())
        .filter(change_request::Column::AnswerDueOn.lte(horizon))
        .order_by_asc(change_request::Column::Id)
        .find_also_related(application::Entity)
        .all(db)
        .await?
        .into_iter()
        .filter_map(|(cr, app)| app.map(|a| (cr, a)))
        .filter(|(_, app)| app.state == ApplicationState::ChangesRequested)
        .collect())
}

/// Marks change request `id` as reminded on `today`, unless it was already: `true` when this
/// call did it (the one that may send the reminder, in the same transaction).
pub async fn mark_reminded<C: ConnectionTrait>(
    db: &C,
    id: i64,
    today: NaiveDate,
) -> Result<bool, DbErr> {
    Ok(change_request::Entity::update_many()
        .col_expr(change_request::Column::RemindedOn, Expr::value(Some(today)))
        .filter(change_request::Column::Id.eq(id))
        .filter(change_request::Column::RemindedOn.is_null())
        .exec(db)
        .await?
        .rows_affected
        == 1)
}
