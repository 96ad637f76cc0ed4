//! The conversation on a dossier as the municipality sees it (ABB's messages and its own
//! answers, never ABB's internal notes), and the municipality's messages to ABB.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    Set,
};

use entity::{app_user, message};

/// One message of the conversation, with its author's name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThreadLine {
    pub at: DateTime<Utc>,
    pub author: String,
    /// Written by the municipality (else by ABB).
    pub from_applicant: bool,
    pub body: String,
}

/// The messages between ABB and the municipality on dossier `application_id` (internal notes
/// left out), oldest first.
pub async fn thread<C: ConnectionTrait>(
    db: &C,
    application_id: i64,
) -> Result<Vec<ThreadLine>, DbErr> {
    let rows = message::Entity::find()
        .filter(message::Column::ApplicationId.eq(application_id))
        .filter(message::Column::Internal.eq(false))
        .order_by_asc(message::Column::CreatedAt)
        .order_by_asc(message::Column::Id)
        .find_also_related(app_user::Entity)
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(m, author)| ThreadLine {
            at: m.created_at,
            author: author.map(|u| u.name).unwrap_or_default(),
            from_applicant: m.from_applicant,
            body: m.body,
        })
        .collect())
}

/// Records a message of the municipality to ABB on the dossier.
pub async fn add_from_applicant<C: ConnectionTrait>(
    db: &C,
    application_id: i64,
    author_id: Option<i64>,
    body: &str,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    message::ActiveModel {
        application_id: Set(application_id),
        author_id: Set(author_id),
        internal: Set(false),
        from_applicant: Set(true),
        body: Set(body.to_owned()),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}
