//! Attachments of a dossier: listing them, finding one, recording and removing rows. The files
//! themselves live under `Config::upload_dir()` ([`crate::files`]); the commands of
//! [`crate::app::attachments`] store and remove them with the rows.
//!
//! Attachments of progress reports (`progress_report_id` set) belong to those reports: the
//! dossier's list, its kinds and deletion here only concern the dossier's own attachments.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, Set,
};

use entity::{app_user, attachment};

use crate::domain::attachments::missing_required;

/// An attachment with the name of who uploaded it.
#[derive(Debug, Clone)]
pub struct AttachmentListing {
    pub attachment: attachment::Model,
    /// `None` when the uploader is unknown.
    pub uploaded_by_name: Option<String>,
}

/// The dossier's own attachments (not those of its progress reports), oldest first.
pub async fn for_dossier<C: ConnectionTrait>(
    db: &C,
    application_id: i64,
) -> Result<Vec<AttachmentListing>, DbErr> {
    let rows = attachment::Entity::find()
        .filter(attachment::Column::ApplicationId.eq(application_id))
        .filter(attachment::Column::ProgressReportId.is_null())
        .order_by_asc(attachment::Column::UploadedAt)
        .order_by_asc(attachment::Column::Id)
        .find_also_related(app_user::Entity)
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(attachment, user)| AttachmentListing {
            attachment,
            uploaded_by_name: user.map(|u| u.name),
        })
        .collect())
}

/// The kinds (`attachment.kind` codes) of the dossier's own attachments, for
/// [`crate::domain::attachments::missing_required`].
pub async fn kinds_for_dossier<C: ConnectionTrait>(
    db: &C,
    application_id: i64,
) -> Result<Vec<String>, DbErr> {
    attachment::Entity::find()
        .select_only()
        .column(attachment::Column::Kind)
        .filter(attachment::Column::ApplicationId.eq(application_id))
        .filter(attachment::Column::ProgressReportId.is_null())
        .distinct()
        .into_tuple::<String>()
        .all(db)
        .await
}

/// The Dutch labels of the required attachments the dossier still lacks; empty when complete.
pub async fn missing_required_for<C: ConnectionTrait>(
    db: &C,
    application_id: i64,
) -> Result<Vec<&'static str>, DbErr> {
    let kinds = kinds_for_dossier(db, application_id).await?;
    Ok(missing_required(&kinds))
}

/// The members' decisions on taking part in dossier `application_id` (the attachments that
/// carry a member's municipality), of one member when `municipality_id` is given.
pub async fn member_decisions<C: ConnectionTrait>(
    db: &C,
    application_id: i64,
    municipality_id: Option<i64>,
) -> Result<Vec<attachment::Model>, DbErr> {
    let mut select = attachment::Entity::find()
        .filter(attachment::Column::ApplicationId.eq(application_id))
        .filter(attachment::Column::ProgressReportId.is_null())
        .filter(attachment::Column::MunicipalityId.is_not_null());
    if let Some(id) = municipality_id {
        select = select.filter(attachment::Column::MunicipalityId.eq(id));
    }
    select.order_by_asc(attachment::Column::Id).all(db).await
}

/// The municipalities whose decision on taking part in dossier `application_id` is on file.
pub async fn decided_members<C: ConnectionTrait>(
    db: &C,
    application_id: i64,
) -> Result<Vec<i64>, DbErr> {
    Ok(member_decisions(db, application_id, None)
        .await?
        .iter()
        .filter_map(|a| a.municipality_id)
        .collect())
}

/// Attachment `id` if it belongs to dossier `application_id` (its own or a report's).
pub async fn find_in_dossier<C: ConnectionTrait>(
    db: &C,
    application_id: i64,
    id: i64,
) -> Result<Option<attachment::Model>, DbErr> {
    attachment::Entity::find_by_id(id)
        .filter(attachment::Column::ApplicationId.eq(application_id))
        .one(db)
        .await
}

/// What is recorded about a stored file.
#[derive(Debug, Clone)]
pub struct NewAttachment {
    pub application_id: i64,
    /// Set for an attachment of a progress report.
    pub progress_report_id: Option<i64>,
    /// Set for a member's decision on taking part: the member's municipality.
    pub municipality_id: Option<i64>,
    pub kind: String,
    pub original_name: String,
    pub stored_name: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub sha256: String,
    pub uploaded_by: Option<i64>,
    pub uploaded_at: DateTime<Utc>,
}

pub async fn insert<C: ConnectionTrait>(
    db: &C,
    new: NewAttachment,
) -> Result<attachment::Model, DbErr> {
    attachment::ActiveModel {
        application_id: Set(new.application_id),
        municipality_id: Set(new.municipality_id),
        progress_report_id: Set(new.progress_report_id),
        kind: Set(new.kind),
        original_name: Set(new.original_name),
        stored_name: Set(new.stored_name),
        content_type: Set(new.content_type),
        size_bytes: Set(new.size_bytes),
        sha256: Set(new.sha256),
        uploaded_by: Set(new.uploaded_by),
        uploaded_at: Set(new.uploaded_at),
        ..Default::default()
    }
    .insert(db)
    .await
}

/// Deletes the row of attachment `id`; `false` when it was already gone.
pub async fn delete<C: ConnectionTrait>(db: &C, id: i64) -> Result<bool, DbErr> {
    let result = attachment::Entity::delete_by_id(id).exec(db).await?;
    Ok(result.rows_affected > 0)
}

/// How many attachments dossier `application_id` holds (its own and its reports').
pub async fn count_for_dossier<C: ConnectionTrait>(
    db: &C,
    application_id: i64,
) -> Result<u64, DbErr> {
    attachment::Entity::find()
        .filter(attachment::Column::ApplicationId.eq(application_id))
        .count(db)
        .await
}

/// The row as the audit trail keeps it.
pub fn row_json(row: &attachment::Model) -> serde_json::Value {
    serde_json::to_value(row).unwrap_or(serde_json::Value::Null)
}
