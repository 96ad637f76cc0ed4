//! Attachments of a dossier: listing them, finding one, recording and removing rows. The files
//! themselves live under `Config::upload_dir()`; [`record_upload`] moves one there and records
//! it (the HTML upload and the API share it), the web layer removes them.
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
        municipality_id: Set(None),
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

/// An accepted upload: its kind, the checked file (name to show, type, content received in a
/// temporary file), and the progress report it belongs to (its id and title) when it is not the
/// dossier's own.
#[derive(Clone, Copy)]
pub struct Upload<'a> {
    pub kind: crate::domain::attachments::AttachmentKind,
    pub(crate) file: &'a crate::web::attachments::CheckedFile,
    pub report: Option<(i64, &'a str)>,
}

/// Stores an accepted upload under a generated name in `dir` and records it, with its checksum,
/// in the same transaction as the audit entry; the file is removed again when recording fails.
/// A dossier that already holds [`limits::MAX_ATTACHMENTS_PER_DOSSIER`] attachments takes no
/// more ([`AppError::Invalid`] on the field `file`). The dossier's upload page, the report form
/// and the API share it.
///
/// [`limits::MAX_ATTACHMENTS_PER_DOSSIER`]: crate::domain::limits::MAX_ATTACHMENTS_PER_DOSSIER
/// [`AppError::Invalid`]: crate::error::AppError::Invalid
pub async fn record_upload(
    db: &sea_orm::DatabaseConnection,
    dir: &std::path::Path,
    application: &entity::application::Model,
    upload: Upload<'_>,
    by: &crate::store::sections::By,
) -> Result<attachment::Model, crate::error::AppError> {
    use crate::error::AppError;
    let Upload { kind, file, report } = upload;
    let stored_name = uuid::Uuid::new_v4().simple().to_string();
    let size_bytes = i64::try_from(file.content.size).map_err(AppError::internal)?;
    file.content
        .store(dir, &stored_name)
        .await
        .map_err(AppError::internal)?;
    let new = NewAttachment {
        application_id: application.id,
        progress_report_id: report.map(|(id, _)| id),
        kind: kind.code().to_owned(),
        original_name: file.name.clone(),
        stored_name: stored_name.clone(),
        content_type: file.file_type.content_type().to_owned(),
        size_bytes,
        sha256: file.content.sha256.clone(),
        uploaded_by: by.user_id,
        uploaded_at: Utc::now(),
    };
    let recorded = async {
        let txn = crate::db::begin_write(db).await?;
        let held = attachment::Entity::find()
            .filter(attachment::Column::ApplicationId.eq(application.id))
            .count(&txn)
            .await?;
        if let Err(message) = crate::domain::limits::check_attachment_added(
            usize::try_from(held).unwrap_or(usize::MAX),
        ) {
            txn.rollback().await?;
            return Ok(Err(message));
        }
        let row = insert(&txn, new).await?;
        crate::audit::record(
            &txn,
            crate::audit::AuditEntry::new(
                "attachment.uploaded",
                "attachment",
                Some(row.id.to_string()),
            )
            .by(by.user_id, by.label.clone())
            .from_ip(by.ip.clone())
            .after(crate::web::attachments::row_json(&row))
            .details(match report {
                Some((_, title)) => format!(
                    "dossier {}, {title}: {}",
                    application.reference, row.original_name
                ),
                None => format!(
                    "dossier {}: {} ({})",
                    application.reference,
                    row.original_name,
                    kind.label()
                ),
            }),
        )
        .await?;
        txn.commit().await?;
        Ok::<_, DbErr>(Ok(row))
    }
    .await;
    match recorded {
        Ok(Ok(row)) => Ok(row),
        Ok(Err(message)) => {
            crate::web::attachments::remove_file(dir, &stored_name).await;
            let mut errors = crate::domain::fields::FieldErrors::default();
            errors.add("file", message);
            Err(AppError::Invalid(errors))
        }
        Err(err) => {
            crate::web::attachments::remove_file(dir, &stored_name).await;
            Err(err.into())
        }
    }
}
