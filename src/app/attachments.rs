//! Attachments of a dossier and of its progress reports: upload one, delete one.
//!
//! A file arrives already received and checked by the adapter ([`crate::upload`] reads the
//! multipart form into a [`CheckedFile`]); these commands own the rest: who may (the policy),
//! whether the dossier and its attachments section are open, the limit on the number of
//! attachments, moving the file under a generated name into `Config::upload_dir()` and recording
//! it with its checksum in one [`Work`] with the audit entry. A file whose recording fails is
//! removed again; a deleted attachment's file goes once the deletion is committed.

use entity::attachment;

use super::dossier::{ensure_editable, with_parties};
use super::{Caller, Error, Result, Work};
use crate::audit::By;
use crate::domain::attachments::{AttachmentKind, kind_label};
use crate::domain::parts::Part;
use crate::files::{self, CheckedFile};
use crate::policy::{Action, AttachmentOwner};
use crate::state::AppState;
use crate::store::applications::DossierWithParties;
use crate::store::attachments::{self as store, NewAttachment};

/// An upload that passed the adapter's checks: its kind and the file.
pub struct AttachmentUpload {
    pub kind: AttachmentKind,
    pub file: CheckedFile,
}

/// The dossier `id` the caller may add an attachment to now: the caller may edit it, it is
/// editable and its attachments section is open. Asked before the adapter reads the body of
/// the upload, so a refused caller's file is never received.
pub async fn open_for_upload(
    state: &AppState,
    caller: &Caller,
    id: i64,
) -> Result<DossierWithParties> {
    let dossier = with_parties(state, caller, id, Action::EditDossier).await?;
    super::ensure_part_open(&state.db, &dossier.application, Part::Attachments).await?;
    Ok(dossier)
}

/// Adds `upload` to `dossier` (from [`open_for_upload`]).
pub async fn upload(
    state: &AppState,
    caller: &Caller,
    dossier: &DossierWithParties,
    upload: AttachmentUpload,
) -> Result<attachment::Model> {
    let app = &dossier.application;
    record(
        state,
        app,
        Recorded {
            kind: upload.kind,
            file: &upload.file,
            report: None,
        },
        &caller.by(),
        caller.now,
    )
    .await
}

/// Stores a checked file of progress report `report` of dossier `application` (kind "other"),
/// audited with the report's title: for the report form and the API alike. The caller asked
/// whether the report takes files.
pub async fn record_report_file(
    state: &AppState,
    application: &entity::application::Model,
    report: &entity::progress_report::Model,
    file: &CheckedFile,
    by: &By,
) -> Result<attachment::Model> {
    let title = crate::store::reports::report_title(report.kind, report.year_number);
    record(
        state,
        application,
        Recorded {
            kind: AttachmentKind::Other,
            file,
            report: Some((report.id, &title)),
        },
        by,
        state.clock.now(),
    )
    .await
}

/// What is recorded: the kind, the checked file, and the progress report it belongs to (its id
/// and title) when it is not the dossier's own.
struct Recorded<'a> {
    kind: AttachmentKind,
    file: &'a CheckedFile,
    report: Option<(i64, &'a str)>,
}

/// Stores a file under a generated name and records it, with its checksum, in the same
/// transaction as the audit entry; the file is removed again when recording fails. A dossier
/// that already holds [`MAX_ATTACHMENTS_PER_DOSSIER`] attachments takes no more
/// ([`Error::Invalid`] on the field `file`).
///
/// [`MAX_ATTACHMENTS_PER_DOSSIER`]: crate::domain::limits::MAX_ATTACHMENTS_PER_DOSSIER
async fn record(
    state: &AppState,
    application: &entity::application::Model,
    recorded: Recorded<'_>,
    by: &By,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<attachment::Model> {
    let Recorded { kind, file, report } = recorded;
    let dir = state.config.upload_dir();
    let stored_name = files::new_stored_name();
    let size_bytes = i64::try_from(file.content.size).map_err(Error::internal)?;
    file.content
        .store(&dir, &stored_name)
        .await
        .map_err(Error::internal)?;
    let new = NewAttachment {
        application_id: application.id,
        progress_report_id: report.map(|(id, _)| id),
        municipality_id: None,
        kind: kind.code().to_owned(),
        original_name: file.name.clone(),
        stored_name: stored_name.clone(),
        content_type: file.file_type.content_type().to_owned(),
        size_bytes,
        sha256: file.content.sha256.clone(),
        uploaded_by: by.user_id,
        uploaded_at: now,
    };
    let recorded = async {
        let mut work = Work::begin(state).await?;
        let held = store::count_for_dossier(work.txn(), application.id).await?;
        crate::domain::limits::check_attachment_added(usize::try_from(held).unwrap_or(usize::MAX))
            .map_err(|message| Error::field("file", message))?;
        let row = store::insert(work.txn(), new).await?;
        work.audit(
            by.entry("attachment.uploaded", "attachment", row.id)
                .at(now)
                .after(store::row_json(&row))
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
        );
        work.commit().await?;
        Ok::<_, Error>(row)
    }
    .await;
    if recorded.is_err() {
        files::remove_file(&dir, &stored_name).await;
    }
    recorded
}

/// What a deletion removed.
pub enum Deleted {
    /// One of the dossier's own attachments, by its name.
    Attachment { name: String },
    /// A member's decision on taking part ([`super::cooperation::remove_decision`]).
    Decision(super::cooperation::DecisionRemoved),
}

/// Deletes attachment `attachment_id` of dossier `id`: the dossier's own (the lead's officials,
/// while the attachments section is open) or a member's decision on taking part (only that
/// member, while the members section is open). A progress report's file is removed with its
/// report, not here.
pub async fn delete(
    state: &AppState,
    caller: &Caller,
    id: i64,
    attachment_id: i64,
) -> Result<Deleted> {
    let dossier = with_parties(state, caller, id, Action::ViewDossier).await?;
    let row = store::find_in_dossier(&state.db, id, attachment_id)
        .await?
        .ok_or(Error::NotFound)?;
    if row.progress_report_id.is_some() {
        // A report's attachment is removed with the report, not here.
        return Err(Error::NotFound);
    }
    let owner = AttachmentOwner::of(row.municipality_id);
    caller
        .may(
            state,
            Action::ChangeAttachment(owner),
            Some((id, &dossier.parties)),
        )
        .await?;
    let app = &dossier.application;
    ensure_editable(app)?;
    if let AttachmentOwner::Member(_) = owner {
        // A member's decision on taking part: only the member, under the members' rules.
        return super::cooperation::remove_decision(state, caller, app, row)
            .await
            .map(Deleted::Decision);
    }
    super::ensure_part_open(&state.db, app, Part::Attachments).await?;
    let mut work = Work::begin(state).await?;
    if !store::delete(work.txn(), row.id).await? {
        return Err(Error::NotFound);
    }
    work.audit(
        caller
            .audit("attachment.deleted", "attachment", row.id)
            .before(store::row_json(&row))
            .details(format!(
                "dossier {}: {} ({})",
                app.reference,
                row.original_name,
                kind_label(&row.kind)
            )),
    );
    work.commit().await?;
    files::remove_file(&state.config.upload_dir(), &row.stored_name).await;
    Ok(Deleted::Attachment {
        name: row.original_name,
    })
}
