//! ABB's review of one dossier in the database: what the review page shows (the staff, the
//! history, the messages and notes, the submissions, the checklist) and the writes of the
//! review commands ([`crate::app::review`]): assignment, messages, the checklist, change
//! requests.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};

use entity::app_user::{self, UserRole};
use entity::{application, application_snapshot, audit_log, change_request, message, review};

use crate::domain::parts::Part;

/// An ABB colleague (reviewer or admin).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Staff {
    pub id: i64,
    pub name: String,
    pub active: bool,
}

/// One message or internal note, with its author's name.
#[derive(Debug, Clone)]
pub struct MessageRow {
    pub at: DateTime<Utc>,
    pub author: String,
    pub internal: bool,
    /// Written by the municipality (an answer to ABB).
    pub from_applicant: bool,
    pub body: String,
}

/// One submission of the dossier, as it was then.
#[derive(Debug, Clone)]
pub struct Submission {
    pub sequence: i32,
    pub at: DateTime<Utc>,
    pub by: String,
    pub snapshot: serde_json::Value,
    /// The municipality's note on what it changed.
    pub cover_note: Option<String>,
}

/// Everything the review page shows besides the dossier itself, in a few statements.
#[derive(Debug, Clone)]
pub struct Records {
    /// ABB's reviewers and admins, active or not (a past assignment keeps its name).
    pub staff: Vec<Staff>,
    /// The dossier's audit trail, newest first.
    pub history: Vec<audit_log::Model>,
    /// Oldest first.
    pub messages: Vec<MessageRow>,
    /// Oldest first.
    pub submissions: Vec<Submission>,
    /// The shared checklist, if saved.
    pub checklist: Option<review::Model>,
}

/// The active reviewers and admins, by name: who a dossier can be assigned to.
pub async fn reviewers<C: ConnectionTrait>(db: &C) -> Result<Vec<(i64, String)>, DbErr> {
    app_user::Entity::find()
        .select_only()
        .column(app_user::Column::Id)
        .column(app_user::Column::Name)
        .filter(app_user::Column::Role.ne(UserRole::Official))
        .filter(app_user::Column::Active.eq(true))
        .order_by_asc(app_user::Column::Name)
        .into_tuple()
        .all(db)
        .await
}

/// The active ABB colleague `id`, if there is one.
pub async fn active_staff_member<C: ConnectionTrait>(
    db: &C,
    id: i64,
) -> Result<Option<app_user::Model>, DbErr> {
    Ok(app_user::Entity::find_by_id(id)
        .one(db)
        .await?
        .filter(|u| u.active && u.role != UserRole::Official))
}

pub async fn records<C: ConnectionTrait>(db: &C, application_id: i64) -> Result<Records, DbErr> {
    let history = audit_log::Entity::find()
        .filter(audit_log::Column::ResourceType.eq("application"))
        .filter(audit_log::Column::ResourceId.eq(application_id.to_string()))
        .order_by_desc(audit_log::Column::At)
        .order_by_desc(audit_log::Column::Id)
        .all(db)
        .await?;
    let message_rows = message::Entity::find()
        .filter(message::Column::ApplicationId.eq(application_id))
        .order_by_asc(message::Column::CreatedAt)
        .all(db)
        .await?;
    let snapshot_rows = application_snapshot::Entity::find()
        .filter(application_snapshot::Column::ApplicationId.eq(application_id))
        .order_by_asc(application_snapshot::Column::Sequence)
        .all(db)
        .await?;
    // The names of the people these records mention (officials among them), and ABB's staff:
    // two narrow reads, never every account.
    let mentioned: Vec<i64> = message_rows
        .iter()
        .filter_map(|m| m.author_id)
        .chain(snapshot_rows.iter().filter_map(|s| s.created_by))
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    let names: Vec<(i64, String)> = if mentioned.is_empty() {
        Vec::new()
    } else {
        app_user::Entity::find()
            .select_only()
            .column(app_user::Column::Id)
            .column(app_user::Column::Name)
            .filter(app_user::Column::Id.is_in(mentioned))
            .into_tuple()
            .all(db)
            .await?
    };
    let name_of = |id: Option<i64>| {
        id.and_then(|id| names.iter().find(|(n, _)| *n == id))
            .map(|(_, name)| name.clone())
            .unwrap_or_default()
    };
    let messages = message_rows
        .into_iter()
        .map(|m| MessageRow {
            at: m.created_at,
            author: name_of(m.author_id),
            internal: m.internal,
            from_applicant: m.from_applicant,
            body: m.body,
        })
        .collect();
    let submissions = snapshot_rows
        .into_iter()
        .map(|s| Submission {
            sequence: s.sequence,
            at: s.created_at,
            by: name_of(s.created_by),
            snapshot: serde_json::from_str(&s.snapshot).unwrap_or_default(),
            cover_note: s.cover_note,
        })
        .collect();
    let checklist = checklist(db, application_id).await?;
    let staff = app_user::Entity::find()
        .select_only()
        .column(app_user::Column::Id)
        .column(app_user::Column::Name)
        .column(app_user::Column::Active)
        .filter(app_user::Column::Role.ne(UserRole::Official))
        .order_by_asc(app_user::Column::Id)
        .into_tuple::<(i64, String, bool)>()
        .all(db)
        .await?
        .into_iter()
        .map(|(id, name, active)| Staff { id, name, active })
        .collect();
    Ok(Records {
        staff,
        history,
        messages,
        submissions,
        checklist,
    })
}

/// The dossier's shared checklist, if saved.
pub async fn checklist<C: ConnectionTrait>(
    db: &C,
    application_id: i64,
) -> Result<Option<review::Model>, DbErr> {
    review::Entity::find()
        .filter(review::Column::ApplicationId.eq(application_id))
        .one(db)
        .await
}

/// Assigns the dossier to `reviewer_id`.
pub async fn assign<C: ConnectionTrait>(
    db: &C,
    application_id: i64,
    reviewer_id: i64,
) -> Result<(), DbErr> {
    application::Entity::update_many()
        .col_expr(
            application::Column::AssignedReviewerId,
            Expr::value(Some(reviewer_id)),
        )
        .filter(application::Column::Id.eq(application_id))
        .exec(db)
        .await?;
    Ok(())
}

/// Records a message (or, `internal`, a note) on the dossier.
pub async fn add_message<C: ConnectionTrait>(
    db: &C,
    application_id: i64,
    author_id: Option<i64>,
    internal: bool,
    body: &str,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    message::ActiveModel {
        application_id: Set(application_id),
        author_id: Set(author_id),
        internal: Set(internal),
        from_applicant: Set(false),
        body: Set(body.to_owned()),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}

/// Saves the checklist (JSON) if nobody saved it since `version` was read (0: not saved yet);
/// `false` when someone did.
pub async fn save_checklist<C: ConnectionTrait>(
    db: &C,
    existing: Option<&review::Model>,
    application_id: i64,
    reviewer_id: i64,
    version: i32,
    checklist: &str,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    match (existing, version) {
        (None, 0) => {
            review::ActiveModel {
                application_id: Set(application_id),
                reviewer_id: Set(reviewer_id),
                checklist: Set(checklist.to_owned()),
                internal_note: Set(None),
                created_at: Set(now),
                updated_at: Set(now),
                version: Set(1),
                ..Default::default()
            }
            .insert(db)
            .await?;
            Ok(true)
        }
        (Some(r), v) => Ok(review::Entity::update_many()
            .col_expr(review::Column::Checklist, Expr::value(checklist.to_owned()))
            .col_expr(review::Column::ReviewerId, Expr::value(reviewer_id))
            .col_expr(review::Column::UpdatedAt, Expr::value(now))
            .col_expr(review::Column::Version, Expr::value(v + 1))
            .filter(review::Column::Id.eq(r.id))
            .filter(review::Column::Version.eq(v))
            .exec(db)
            .await?
            .rows_affected
            == 1),
        (None, _) => Ok(false),
    }
}

/// ABB's request to change parts of a dossier, as the store records it.
#[derive(Debug, Clone)]
pub struct NewChangeRequest<'a> {
    pub application_id: i64,
    pub requested_by: i64,
    pub parts: &'a [Part],
    pub message: &'a str,
    /// The day ABB expects the answer (Brussels).
    pub answer_due_on: chrono::NaiveDate,
}

/// Records ABB's request to change parts of the dossier, with its message and the day the
/// answer is expected.
pub async fn request_changes<C: ConnectionTrait>(
    db: &C,
    request: NewChangeRequest<'_>,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    let NewChangeRequest {
        application_id,
        requested_by,
        parts,
        message,
        answer_due_on,
    } = request;
    change_request::ActiveModel {
        application_id: Set(application_id),
        requested_by: Set(requested_by),
        sections: Set(crate::store::change_requests::stored(parts)),
        message: Set(message.to_owned()),
        requested_at: Set(now),
        resolved_at: Set(None),
        answer_due_on: Set(Some(answer_due_on)),
        reminded_on: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}
