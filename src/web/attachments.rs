//! Attachments of a dossier: the list (with what is still missing), upload, download, delete.
//!
//! Everyone who may see the dossier sees its attachments and downloads them; the lead's
//! officials add and remove them while the dossier is editable. A file is accepted for what it
//! is (PDF, XLSX or ODS, recognised by its content in [`crate::domain::attachments::sniff`]),
//! never for its name or declared type, and only up to `Config::max_upload_bytes`. It streams
//! into a temporary file in `Config::incoming_dir()` as it arrives (never whole in memory, its
//! checksum computed on the way), is checked there, then moved under a generated name into
//! `Config::upload_dir()` and recorded with its checksum in the same transaction as the audit
//! entry. A refused or abandoned upload leaves nothing behind.

use std::path::{Path as FsPath, PathBuf};

use askama::Template;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};

use entity::attachment;

use crate::audit::{self, AuditEntry};
use crate::auth::session::redirect_with_flash;
use crate::auth::session::{CurrentUser, SessionUser};
use crate::domain::attachments::{
    AttachmentKind, FileType, NotAccepted, display_name, download_name, format_size, kind_label,
    missing_required, sniff,
};
use crate::domain::dutch::format_date;
use crate::error::AppError;
use crate::policy::{self, Action, AttachmentOwner};
use crate::state::AppState;
use crate::store;
use crate::store::applications::DossierWithParties;
use crate::web::context::PageContext;
use crate::web::dossiers::{ensure_editable, is_editable, load_for, state_label};
use crate::web::form::FormErrors;
use crate::web::pages::Layout;
use crate::web::routes::OFFICIALS;
use crate::web::{Access, BodyLimit, RouteTable};

pub fn routes() -> RouteTable {
    RouteTable::new()
        .get("/dossiers/{id}/bijlagen", Access::SignedIn, list)
        .post("/dossiers/{id}/bijlagen", OFFICIALS, upload)
        .limit(BodyLimit::Upload)
        .get(
            "/dossiers/{id}/bijlagen/{attachment}",
            Access::SignedIn,
            download,
        )
        .post(
            "/dossiers/{id}/bijlagen/{attachment}/verwijderen",
            OFFICIALS,
            delete,
        )
}

/// The list page's address for dossier `id`.
pub fn list_href(id: i64) -> String {
    format!("/dossiers/{id}/bijlagen")
}

pub struct AttachmentRow {
    pub id: i64,
    /// The user may remove this one now.
    pub removable: bool,
    pub kind_label: String,
    pub name: String,
    pub size: String,
    pub uploaded_by: String,
    pub uploaded_at: String,
}

pub struct KindChoice {
    pub value: &'static str,
    pub label: &'static str,
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "attachments/list.html")]
pub struct AttachmentsPage {
    pub layout: Layout,
    pub errors: FormErrors,
    pub dossier_id: i64,
    pub reference: String,
    pub title: String,
    pub rows: Vec<AttachmentRow>,
    pub missing: Vec<&'static str>,
    /// The user may add attachments now.
    pub can_edit: bool,
    /// The user may remove at least one of them now.
    pub any_removable: bool,
    /// Why a lead's official cannot change the attachments any more, if so.
    pub locked: String,
    pub kinds: Vec<KindChoice>,
    pub max_size: String,
}

async fn page(
    state: &AppState,
    ctx: &PageContext,
    user: &SessionUser,
    dossier: &DossierWithParties,
    errors: FormErrors,
    selected_kind: &str,
) -> Result<String, AppError> {
    let application = &dossier.application;
    let listings = store::attachments::for_dossier(&state.db, application.id).await?;
    let kinds: Vec<String> = listings.iter().map(|l| l.attachment.kind.clone()).collect();
    let may_edit =
        policy::decide(&user.actor(), Action::EditDossier, Some(&dossier.parties)).is_ok();
    let editable = is_editable(application.state);
    // The dossier's own attachments follow its attachments section, the members' decisions the
    // members section; who may remove which is the policy's.
    let attachments_open =
        crate::web::review::ensure_section_open(&state.db, application, "bijlagen")
            .await
            .is_ok();
    let members_open = crate::web::cooperation::ensure_membership_open(&state.db, application)
        .await
        .is_ok();
    let removable = |row: &attachment::Model| {
        let owner = AttachmentOwner::of(row.municipality_id);
        let open = match owner {
            AttachmentOwner::Dossier => attachments_open,
            AttachmentOwner::Member(_) => members_open,
        };
        editable
            && open
            && policy::decide(
                &user.actor(),
                Action::ChangeAttachment(owner),
                Some(&dossier.parties),
            )
            .is_ok()
    };
    let locked = if may_edit && !editable {
        format!(
            "Dit dossier is {}: bijlagen toevoegen of verwijderen kan niet meer.",
            state_label(application.state)
        )
    } else {
        String::new()
    };
    let rows: Vec<AttachmentRow> = listings
        .into_iter()
        .map(|l| AttachmentRow {
            id: l.attachment.id,
            removable: removable(&l.attachment),
            kind_label: kind_label(&l.attachment.kind),
            name: l.attachment.original_name,
            size: format_size(u64::try_from(l.attachment.size_bytes).unwrap_or(0)),
            uploaded_by: l.uploaded_by_name.unwrap_or_else(|| "onbekend".to_owned()),
            uploaded_at: format_moment(l.attachment.uploaded_at),
        })
        .collect();
    let page = AttachmentsPage {
        layout: ctx.layout(format!("Bijlagen bij dossier {}", application.reference)),
        errors,
        dossier_id: application.id,
        reference: application.reference.clone(),
        title: application.title.clone(),
        any_removable: rows.iter().any(|r| r.removable),
        rows,
        missing: missing_required(&kinds),
        can_edit: may_edit && editable,
        locked,
        kinds: AttachmentKind::ALL
            .into_iter()
            .map(|k| KindChoice {
                value: k.code(),
                label: k.label(),
                selected: k.code() == selected_kind,
            })
            .collect(),
        max_size: max_size_label(state),
    };
    Ok(page.render()?)
}

pub(crate) fn max_size_label(state: &AppState) -> String {
    format_size(u64::try_from(state.config.max_upload_bytes).unwrap_or(u64::MAX))
}

/// `14 maart 2026, 10:05` in Brussels time.
fn format_moment(at: DateTime<Utc>) -> String {
    use crate::domain::call_draft::utc_to_brussels;
    let local = utc_to_brussels(at);
    format!("{}, {}", format_date(local.date()), local.format("%H:%M"))
}

async fn list(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ctx: PageContext,
    Path(id): Path<String>,
) -> Result<Html<String>, AppError> {
    let dossier = load_for(&state, &user, &id, Action::ViewDossier, ctx.ip.clone()).await?;
    Ok(Html(
        page(&state, &ctx, &user, &dossier, FormErrors::default(), "").await?,
    ))
}

/// What the upload form sent.
#[derive(Default)]
pub(crate) struct UploadForm {
    pub(crate) kind: String,
    pub(crate) file: Option<ReceivedFile>,
    /// The request could not be read to the end.
    pub(crate) broken: bool,
    /// The request was longer than the route takes (cut off by its body limit).
    pub(crate) too_large: bool,
    /// Other text fields of the form, by name.
    pub(crate) fields: Vec<(String, String)>,
}

impl UploadForm {
    /// The text of field `name`, or an empty string.
    pub(crate) fn field(&self, name: &str) -> &str {
        self.fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    }
}

/// A file as it was received.
pub(crate) struct ReceivedFile {
    pub(crate) name: String,
    /// The content; `None` once `size` exceeded the limit (nothing of it is kept).
    pub(crate) content: Option<TempUpload>,
    pub(crate) size: usize,
    /// Its type by content, when it was received within the limit.
    pub(crate) sniffed: Result<FileType, NotAccepted>,
}

/// An upload's content in a temporary file in `Config::incoming_dir()`, written as it streamed
/// in; the file is removed when this is dropped, unless [`TempUpload::store`] moved it.
pub(crate) struct TempUpload {
    path: PathBuf,
    pub(crate) size: usize,
    /// SHA-256 of the content, hex.
    pub(crate) sha256: String,
}

impl TempUpload {
    /// Moves the file to `dir/name`: a rename on the same disk, else a copy through a
    /// temporary name, so the final name only ever holds a complete file.
    pub(crate) async fn store(&self, dir: &FsPath, name: &str) -> std::io::Result<()> {
        tokio::fs::create_dir_all(dir).await?;
        let target = dir.join(name);
        if tokio::fs::rename(&self.path, &target).await.is_ok() {
            return Ok(());
        }
        let part = dir.join(format!(".{name}.part"));
        let copied = async {
            tokio::fs::copy(&self.path, &part).await?;
            tokio::fs::File::open(&part).await?.sync_all().await?;
            tokio::fs::rename(&part, &target).await
        }
        .await;
        if copied.is_err() {
            let _ = tokio::fs::remove_file(&part).await;
        }
        copied
    }

    /// The content's type, read from the file ([`sniff`]); a file that cannot be read is not
    /// accepted.
    async fn sniff(&self) -> Result<FileType, NotAccepted> {
        let path = self.path.clone();
        tokio::task::spawn_blocking(move || {
            let file = std::fs::File::open(path).map_err(|_| NotAccepted::UnknownType)?;
            sniff(std::io::BufReader::new(file))
        })
        .await
        .unwrap_or(Err(NotAccepted::UnknownType))
    }
}

impl Drop for TempUpload {
    fn drop(&mut self) {
        match std::fs::remove_file(&self.path) {
            Ok(()) => {}
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {}
            Err(err) => {
                tracing::error!(error = %err, path = %self.path.display(), "could not remove a temporary upload");
            }
        }
    }
}

/// Temporary uploads older than this are left over from a stopped server.
const STALE_INCOMING: std::time::Duration = std::time::Duration::from_secs(24 * 60 * 60);

/// Removes temporary uploads a stopped server left behind in `dir` (older than a day, so the
/// uploads of another instance on the same data directory stay).
pub fn remove_stale_incoming(dir: &FsPath) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let stale = entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|at| at.elapsed().ok())
            .is_some_and(|age| age > STALE_INCOMING);
        if stale && entry.file_name().to_string_lossy().ends_with(".part") {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// Where a file being received is written, and what is known of it so far.
struct Receiving {
    file: Option<tokio::fs::File>,
    path: PathBuf,
    hasher: Sha256,
    size: usize,
}

impl Receiving {
    async fn start(dir: &FsPath) -> std::io::Result<Self> {
        tokio::fs::create_dir_all(dir).await?;
        let path = dir.join(format!("{}.part", uuid::Uuid::new_v4().simple()));
        let mut options = tokio::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        options.mode(0o600);
        let file = options.open(&path).await?;
        Ok(Self {
            file: Some(file),
            path,
            hasher: Sha256::new(),
            size: 0,
        })
    }

    /// Writes `chunk` while the file is within `max`; beyond, the file is dropped and only
    /// the size is still counted.
    async fn write(&mut self, chunk: &[u8], max: usize) -> std::io::Result<()> {
        use tokio::io::AsyncWriteExt;
        self.size = self.size.saturating_add(chunk.len());
        if self.size > max {
            if self.file.take().is_some() {
                let _ = tokio::fs::remove_file(&self.path).await;
            }
            return Ok(());
        }
        if let Some(file) = self.file.as_mut() {
            file.write_all(chunk).await?;
            self.hasher.update(chunk);
        }
        Ok(())
    }

    /// The received content, synced to disk; `None` when it went beyond the limit.
    async fn finish(self) -> std::io::Result<Option<TempUpload>> {
        use tokio::io::AsyncWriteExt;
        let Some(mut file) = self.file else {
            return Ok(None);
        };
        let upload = TempUpload {
            path: self.path,
            size: self.size,
            sha256: hex::encode(self.hasher.finalize()),
        };
        file.flush().await?;
        file.sync_all().await?;
        Ok(Some(upload))
    }
}

/// Reads the form, streaming the file into a temporary file in `Config::incoming_dir()` and
/// keeping at most `Config::max_upload_bytes` of it. A request that is not a multipart form at
/// all is simply a form without a file. Fails only when the server cannot write the file.
pub(crate) async fn read_form(
    multipart: Result<Multipart, MultipartRejection>,
    config: &crate::config::Config,
) -> Result<UploadForm, AppError> {
    let max = config.max_upload_bytes;
    let mut form = UploadForm::default();
    let Ok(mut multipart) = multipart else {
        return Ok(form);
    };
    let refused = |form: &mut UploadForm, err: &axum::extract::multipart::MultipartError| {
        tracing::info!(error = %err, "an upload could not be read");
        if err.status() == StatusCode::PAYLOAD_TOO_LARGE {
            form.too_large = true;
        } else {
            form.broken = true;
        }
    };
    loop {
        let mut field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(err) => {
                refused(&mut form, &err);
                break;
            }
        };
        match field.name() {
            Some("kind") => match field.text().await {
                Ok(text) => form.kind = text,
                Err(err) => {
                    refused(&mut form, &err);
                    break;
                }
            },
            Some("file") if form.file.is_none() => {
                let name = field.file_name().unwrap_or_default().to_owned();
                let mut receiving = Receiving::start(&config.incoming_dir())
                    .await
                    .map_err(AppError::internal)?;
                loop {
                    match field.chunk().await {
                        Ok(Some(chunk)) => receiving
                            .write(&chunk, max)
                            .await
                            .map_err(AppError::internal)?,
                        Ok(None) => break,
                        Err(err) => {
                            refused(&mut form, &err);
                            break;
                        }
                    }
                }
                let size = receiving.size;
                let content = receiving.finish().await.map_err(AppError::internal)?;
                if form.broken || form.too_large {
                    break;
                }
                let sniffed = match &content {
                    Some(upload) => upload.sniff().await,
                    None => Err(NotAccepted::UnknownType),
                };
                // Browsers send an empty part without a name when no file was chosen.
                if !(name.is_empty() && size == 0) {
                    form.file = Some(ReceivedFile {
                        name,
                        content,
                        size,
                        sniffed,
                    });
                }
            }
            Some(name) if name != "file" => {
                let name = name.to_owned();
                match field.text().await {
                    Ok(text) => form.fields.push((name, text)),
                    Err(err) => {
                        refused(&mut form, &err);
                        break;
                    }
                }
            }
            _ => {}
        }
    }
    Ok(form)
}

/// A file that passed every check: the name to show, its type by content and the content.
pub(crate) struct CheckedFile {
    pub(crate) name: String,
    pub(crate) file_type: FileType,
    pub(crate) content: TempUpload,
}

/// An upload that passed every check.
pub(crate) struct AcceptedFile {
    pub(crate) kind: AttachmentKind,
    pub(crate) file: CheckedFile,
}

/// Checks the form; on failure the errors and the status to answer with (413 when the file is
/// too large, 422 otherwise).
pub(crate) fn validate(
    form: UploadForm,
    max: usize,
    max_label: &str,
) -> Result<AcceptedFile, (StatusCode, FormErrors)> {
    let mut errors = FormErrors::default();
    let mut status = StatusCode::UNPROCESSABLE_ENTITY;
    let kind = AttachmentKind::parse(form.kind.trim());
    if kind.is_none() {
        errors.add("kind", "Kies de soort bijlage.");
    }
    let accepted = received_file(form, max, max_label, &mut errors, &mut status);
    match (kind, accepted) {
        (Some(kind), Some(file)) if errors.is_empty() => Ok(AcceptedFile { kind, file }),
        _ => Err((status, errors)),
    }
}

/// [`validate`] for a progress report's file (report files have no kind of their own): the
/// same checks without the kind.
pub(crate) fn validate_report_file(
    form: UploadForm,
    max: usize,
    max_label: &str,
) -> Result<CheckedFile, (StatusCode, FormErrors)> {
    let mut errors = FormErrors::default();
    let mut status = StatusCode::UNPROCESSABLE_ENTITY;
    match received_file(form, max, max_label, &mut errors, &mut status) {
        Some(file) if errors.is_empty() => Ok(file),
        _ => Err((status, errors)),
    }
}

/// Stores a checked file of progress report `report` of dossier `application` (kind "other"),
/// audited with the report's title: for the report form and the API alike.
pub(crate) async fn record_report_file(
    state: &AppState,
    application: &entity::application::Model,
    report: &entity::progress_report::Model,
    file: &CheckedFile,
    by: &store::sections::By,
) -> Result<attachment::Model, AppError> {
    let title = store::reports::report_title(report.kind, report.year_number);
    store::attachments::record_upload(
        &state.db,
        &state.config.upload_dir(),
        application,
        store::attachments::Upload {
            kind: AttachmentKind::Other,
            file,
            report: Some((report.id, &title)),
        },
        by,
    )
    .await
}

/// The file of an upload form: the request read to the end and [`check_file`]. Adds a message
/// for field `file` and returns `None` when it fails.
fn received_file(
    form: UploadForm,
    max: usize,
    max_label: &str,
    errors: &mut FormErrors,
    status: &mut StatusCode,
) -> Option<CheckedFile> {
    if form.too_large {
        *status = StatusCode::PAYLOAD_TOO_LARGE;
        errors.add(
            "file",
            format!(
                "Wat u verstuurde is groter dan {max_label}. Kies een kleiner bestand of verklein het."
            ),
        );
        return None;
    }
    if form.broken {
        errors.add(
            "file",
            "Het bestand kon niet volledig ontvangen worden. Probeer het opnieuw.",
        );
    }
    check_file(form.file, max, max_label, errors, status)
}

/// The checks on the file itself: present, not empty, within the limit, and a PDF, XLSX or
/// ODS (without macros) by its content. Adds a message for field `file` and returns `None` when
/// it fails.
pub(crate) fn check_file(
    file: Option<ReceivedFile>,
    max: usize,
    max_label: &str,
    errors: &mut FormErrors,
    status: &mut StatusCode,
) -> Option<CheckedFile> {
    let Some(file) = file else {
        errors.add("file", "Kies een bestand om toe te voegen.");
        return None;
    };
    if file.size == 0 {
        errors.add(
            "file",
            "Het gekozen bestand is leeg. Kies een bestand met inhoud.",
        );
        return None;
    }
    let (Some(content), false) = (file.content, file.size > max) else {
        *status = StatusCode::PAYLOAD_TOO_LARGE;
        errors.add(
            "file",
            format!(
                "Het bestand is groter dan {max_label}. Kies een kleiner bestand of verklein het."
            ),
        );
        return None;
    };
    match file.sniffed {
        Ok(file_type) => Some(CheckedFile {
            name: display_name(&file.name),
            file_type,
            content,
        }),
        Err(refusal) => {
            errors.add("file", refusal.message());
            None
        }
    }
}

async fn upload(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ctx: PageContext,
    Path(id): Path<String>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, AppError> {
    let dossier = load_for(&state, &user, &id, Action::EditDossier, ctx.ip.clone()).await?;
    ensure_editable(&dossier)?;
    crate::web::review::ensure_section_open(&state.db, &dossier.application, "bijlagen").await?;
    let max = state.config.max_upload_bytes;
    let form = read_form(multipart, &state.config).await?;
    let selected_kind = form.kind.trim().to_owned();
    let accepted = match validate(form, max, &max_size_label(&state)) {
        Ok(accepted) => accepted,
        Err((status, errors)) => {
            let html = page(&state, &ctx, &user, &dossier, errors, &selected_kind).await?;
            return Ok((status, Html(html)).into_response());
        }
    };

    let application = &dossier.application;
    let by = crate::store::sections::By::of(&user, ctx.ip.clone());
    let row = store::attachments::record_upload(
        &state.db,
        &state.config.upload_dir(),
        application,
        store::attachments::Upload {
            kind: accepted.kind,
            file: &accepted.file,
            report: None,
        },
        &by,
    )
    .await?;
    Ok(redirect_with_flash(
        &list_href(application.id),
        &format!("Bijlage “{}” is toegevoegd.", row.original_name),
        state.config.secure_cookies(),
    ))
}

async fn download(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ctx: PageContext,
    Path((id, attachment_id)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let dossier = load_for(&state, &user, &id, Action::ViewDossier, ctx.ip.clone()).await?;
    let row = find_attachment(&state, &dossier, &attachment_id).await?;
    let path = stored_path(&state.config.upload_dir(), &row.stored_name)?;
    let data = tokio::fs::read(&path).await.map_err(|err| {
        AppError::internal(anyhow::Error::new(err).context(format!(
            "attachment {} has no readable file {}",
            row.id,
            path.display()
        )))
    })?;
    if hex::encode(Sha256::digest(&data)) != row.sha256 {
        return Err(AppError::internal(anyhow::anyhow!(
            "attachment {} does not match its checksum",
            row.id
        )));
    }
    let file_type = FileType::from_content_type(&row.content_type);
    let name = download_name(&row.original_name, file_type);
    let content_type = HeaderValue::from_str(&row.content_type)
        .unwrap_or_else(|_| HeaderValue::from_static("application/octet-stream"));
    let disposition =
        HeaderValue::from_str(&content_disposition(&name)).map_err(AppError::internal)?;
    Ok((
        [
            (header::CONTENT_TYPE, content_type),
            (header::CONTENT_DISPOSITION, disposition),
            (
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            ),
        ],
        data,
    )
        .into_response())
}

async fn delete(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ctx: PageContext,
    Path((id, attachment_id)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let dossier = load_for(&state, &user, &id, Action::ViewDossier, ctx.ip.clone()).await?;
    let row = find_attachment(&state, &dossier, &attachment_id).await?;
    if row.progress_report_id.is_some() {
        // A report's attachment is removed with the report, not here.
        return Err(AppError::NotFound);
    }
    let owner = AttachmentOwner::of(row.municipality_id);
    let resource = dossier.application.id.to_string();
    crate::web::guard(
        &state,
        &user,
        Action::ChangeAttachment(owner),
        Some((&resource, &dossier.parties)),
        ctx.ip.clone(),
    )
    .await?;
    ensure_editable(&dossier)?;
    if let AttachmentOwner::Member(_) = owner {
        // A member's decision on taking part: only the member, under the members' rules.
        return crate::web::cooperation::remove_decision(
            &state,
            &user,
            ctx.ip.clone(),
            &dossier.application,
            row,
        )
        .await;
    }
    crate::web::review::ensure_section_open(&state.db, &dossier.application, "bijlagen").await?;
    let txn = crate::db::begin_write(&state.db).await?;
    if !store::attachments::delete(&txn, row.id).await? {
        return Err(AppError::NotFound);
    }
    audit::record(
        &txn,
        AuditEntry::new("attachment.deleted", "attachment", Some(row.id.to_string()))
            .by(Some(user.user.id), user.label())
            .from_ip(ctx.ip.clone())
            .before(row_json(&row))
            .details(format!(
                "dossier {}: {} ({})",
                dossier.application.reference,
                row.original_name,
                kind_label(&row.kind)
            )),
    )
    .await?;
    txn.commit().await?;
    remove_file(&state.config.upload_dir(), &row.stored_name).await;
    Ok(redirect_with_flash(
        &list_href(dossier.application.id),
        &format!("Bijlage “{}” is verwijderd.", row.original_name),
        state.config.secure_cookies(),
    ))
}

/// Attachment `id` of the dossier; an attachment of another dossier is not found.
async fn find_attachment(
    state: &AppState,
    dossier: &DossierWithParties,
    id: &str,
) -> Result<attachment::Model, AppError> {
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    store::attachments::find_in_dossier(&state.db, dossier.application.id, id)
        .await?
        .ok_or(AppError::NotFound)
}

pub(crate) fn row_json(row: &attachment::Model) -> serde_json::Value {
    serde_json::to_value(row).unwrap_or(serde_json::Value::Null)
}

/// Where a stored file lives. Stored names are generated (hex), so anything else in the
/// database is refused rather than joined into a path.
pub(crate) fn stored_path(dir: &FsPath, stored_name: &str) -> Result<PathBuf, AppError> {
    if stored_name.is_empty() || !stored_name.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(AppError::internal(anyhow::anyhow!(
            "unexpected stored attachment name {stored_name:?}"
        )));
    }
    Ok(dir.join(stored_name))
}

/// Removes a stored file; a failure leaves an orphan file behind, which is logged.
pub(crate) async fn remove_file(dir: &FsPath, stored_name: &str) {
    let Ok(path) = stored_path(dir, stored_name) else {
        return;
    };
    match tokio::fs::remove_file(&path).await {
        Ok(()) => {}
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {}
        Err(err) => {
            tracing::error!(error = %err, path = %path.display(), "could not remove an attachment file");
        }
    }
}

/// `attachment; filename="…"; filename*=UTF-8''…`: an ASCII stand-in for old clients and the
/// real name encoded as RFC 5987 (RFC 6266) prescribes.
pub fn content_disposition(name: &str) -> String {
    let fallback: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, ' ' | '.' | '-' | '_' | '(' | ')') {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!(
        "attachment; filename=\"{fallback}\"; filename*=UTF-8''{}",
        rfc5987_encode(name)
    )
}

fn rfc5987_encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len() * 3);
    for byte in value.bytes() {
        let keep = byte.is_ascii_alphanumeric()
            || matches!(
                byte,
                b'!' | b'#' | b'$' | b'&' | b'+' | b'-' | b'.' | b'^' | b'_' | b'`' | b'|' | b'~'
            );
        if keep {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn download_names_are_encoded_for_every_client() {
        assert_eq!(
            content_disposition("Begroting 2023 (def).xlsx"),
            "attachment; filename=\"Begroting 2023 (def).xlsx\"; \
             filename*=UTF-8''Begroting%202023%20%28def%29.xlsx"
        );
        assert_eq!(
            content_disposition("beslissing\"college;é.pdf"),
            "attachment; filename=\"beslissing_college__.pdf\"; \
             filename*=UTF-8''beslissing%22college%3B%C3%A9.pdf"
        );
    }

    #[test]
    fn only_generated_names_are_joined_into_a_path() {
        let dir = FsPath::new("/srv/uploads");
        assert!(stored_path(dir, "0123abcd").is_ok());
        assert!(stored_path(dir, "../geheim").is_err());
        assert!(stored_path(dir, "").is_err());
    }

    /// A file as `read_form` hands it on: its content in a temporary file in `dir`.
    fn received(dir: &FsPath, name: &str, data: &[u8]) -> ReceivedFile {
        let path = dir.join(format!("{}.part", uuid::Uuid::new_v4().simple()));
        std::fs::write(&path, data).unwrap();
        ReceivedFile {
            name: name.to_owned(),
            content: Some(TempUpload {
                path,
                size: data.len(),
                sha256: hex::encode(Sha256::digest(data)),
            }),
            size: data.len(),
            sniffed: sniff(std::io::Cursor::new(data)),
        }
    }

    fn form(dir: &FsPath, kind: &str, file: Option<(&str, &[u8])>) -> UploadForm {
        UploadForm {
            kind: kind.to_owned(),
            file: file.map(|(name, data)| received(dir, name, data)),
            ..UploadForm::default()
        }
    }

    #[test]
    fn an_upload_needs_a_kind_and_an_accepted_file() {
        let dir = tempfile::tempdir().unwrap();
        let dir = dir.path();
        let ok = validate(
            form(dir, "council_decision", Some(("besluit.pdf", b"%PDF-1.4"))),
            100,
            "100 bytes",
        );
        assert!(matches!(
            ok,
            Ok(AcceptedFile {
                file: CheckedFile {
                    file_type: FileType::Pdf,
                    ..
                },
                ..
            })
        ));

        let Err((status, errors)) = validate(form(dir, "", None), 100, "100 bytes") else {
            panic!("accepted without anything");
        };
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(errors.get("kind"), "Kies de soort bijlage.");
        assert_eq!(errors.get("file"), "Kies een bestand om toe te voegen.");

        let Err((_, errors)) = validate(form(dir, "other", Some(("x.pdf", b""))), 100, "") else {
            panic!("accepted an empty file");
        };
        assert!(errors.get("file").contains("leeg"));

        let Err((_, errors)) = validate(form(dir, "other", Some(("x.pdf", b"tekst"))), 100, "")
        else {
            panic!("accepted text");
        };
        assert!(
            errors
                .get("file")
                .contains("geen PDF-, XLSX- of ODS-bestand")
        );

        let mut big = form(dir, "other", None);
        big.file = Some(ReceivedFile {
            name: "x.pdf".into(),
            content: None,
            size: 101,
            sniffed: Err(NotAccepted::UnknownType),
        });
        let Err((status, errors)) = validate(big, 100, "100 bytes") else {
            panic!("accepted a file over the limit");
        };
        assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
        assert!(errors.get("file").contains("groter dan 100 bytes"));
    }

    #[test]
    fn a_refused_upload_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let refused = validate(
            form(dir.path(), "other", Some(("x.pdf", b"tekst"))),
            100,
            "",
        );
        assert!(refused.is_err());
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    #[tokio::test]
    async fn a_stored_upload_is_moved_whole_under_its_new_name() {
        let incoming = tempfile::tempdir().unwrap();
        let uploads = tempfile::tempdir().unwrap();
        let file = received(incoming.path(), "besluit.pdf", b"%PDF-1.4 inhoud");
        let content = file.content.unwrap();
        content.store(uploads.path(), "abc123").await.unwrap();
        drop(content);
        assert_eq!(
            std::fs::read(uploads.path().join("abc123")).unwrap(),
            b"%PDF-1.4 inhoud"
        );
        assert_eq!(std::fs::read_dir(incoming.path()).unwrap().count(), 0);
    }
}
