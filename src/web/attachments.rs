//! Attachments of a dossier: the list (with what is still missing), upload, download, delete.
//!
//! Everyone who may see the dossier sees its attachments and downloads them; the lead's
//! officials add and remove them while the dossier is editable. The form is read by
//! [`crate::upload`] (the file streams to a temporary file, checked by its content, never by its
//! name or declared type, and only up to `Config::max_upload_bytes`); the commands of
//! [`crate::app::attachments`] store and record it, or delete it.

use askama::Template;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, State};
use axum::http::{HeaderValue, header};
use axum::response::{Html, IntoResponse, Response};

use entity::attachment;

use crate::app::attachments::{AttachmentUpload, Deleted};
use crate::app::{self, Caller};
use crate::auth::session::{CurrentUser, SessionUser};
use crate::domain::attachments::{
    AttachmentKind, FileType, download_name, kind_label, missing_required,
};
use crate::domain::parts::Part;
use crate::error::AppError;
use crate::policy::{self, Action, AttachmentOwner};
use crate::state::AppState;
use crate::store;
use crate::store::applications::DossierWithParties;
use crate::web::context::PageContext;
use crate::web::dossiers::{is_editable, state_label};
use crate::web::extract::{FlashRedirect, Id, Ids};
use crate::web::filters;
use crate::web::form::FormErrors;
use crate::web::pages::Layout;
use crate::web::routes::OFFICIALS;
use crate::web::{Access, BodyLimit, RouteTable};

// The upload plumbing moved below the web layer; the report form still takes it from here.
pub(crate) use crate::files::remove_file;
pub(crate) use crate::upload::{max_size_label, read_form, validate_report_file};

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
    /// Bytes, shown by the `size` filter.
    pub size: i64,
    pub uploaded_by: String,
    pub uploaded_at: chrono::DateTime<chrono::Utc>,
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
    /// Bytes, shown by the `size` filter.
    pub max_size: usize,
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
    let removal = Removal::of(state, dossier).await;
    let rows: Vec<AttachmentRow> = listings
        .into_iter()
        .map(|l| AttachmentRow {
            id: l.attachment.id,
            removable: removal.allows(user, dossier, &l.attachment),
            kind_label: kind_label(&l.attachment.kind),
            name: l.attachment.original_name,
            size: l.attachment.size_bytes,
            uploaded_by: l.uploaded_by_name.unwrap_or_else(|| "onbekend".to_owned()),
            uploaded_at: l.attachment.uploaded_at,
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
        locked: if may_edit && !editable {
            locked_message(application.state)
        } else {
            String::new()
        },
        kinds: kind_choices(selected_kind),
        max_size: state.config.max_upload_bytes,
    };
    Ok(page.render()?)
}

/// Why a lead's official cannot change the attachments of a dossier in `state`.
fn locked_message(state: entity::application::ApplicationState) -> String {
    format!(
        "Dit dossier is {}: bijlagen toevoegen of verwijderen kan niet meer.",
        state_label(state)
    )
}

fn kind_choices(selected: &str) -> Vec<KindChoice> {
    AttachmentKind::ALL
        .into_iter()
        .map(|k| KindChoice {
            value: k.code(),
            label: k.label(),
            selected: k.code() == selected,
        })
        .collect()
}

/// Which attachments may be removed now: the dossier's own follow its attachments section, the
/// members' decisions the members section; who may remove which is the policy's.
struct Removal {
    editable: bool,
    attachments_open: bool,
    members_open: bool,
}

impl Removal {
    async fn of(state: &AppState, dossier: &DossierWithParties) -> Self {
        let application = &dossier.application;
        Self {
            editable: is_editable(application.state),
            attachments_open: app::ensure_part_open(&state.db, application, Part::Attachments)
                .await
                .is_ok(),
            members_open: app::cooperation::ensure_membership_open(&state.db, application)
                .await
                .is_ok(),
        }
    }

    fn allows(
        &self,
        user: &SessionUser,
        dossier: &DossierWithParties,
        row: &attachment::Model,
    ) -> bool {
        let owner = AttachmentOwner::of(row.municipality_id);
        let open = match owner {
            AttachmentOwner::Dossier => self.attachments_open,
            AttachmentOwner::Member(_) => self.members_open,
        };
        self.editable
            && open
            && policy::decide(
                &user.actor(),
                Action::ChangeAttachment(owner),
                Some(&dossier.parties),
            )
            .is_ok()
    }
}

async fn list(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    caller: Caller,
    ctx: PageContext,
    Id(id): Id,
) -> Result<Html<String>, AppError> {
    let dossier = app::dossier::with_parties(&state, &caller, id, Action::ViewDossier).await?;
    Ok(Html(
        page(&state, &ctx, &user, &dossier, FormErrors::default(), "").await?,
    ))
}

/// Stores a checked file of a progress report: [`app::attachments::record_report_file`] for
/// the report form.
pub(crate) async fn record_report_file(
    state: &AppState,
    application: &entity::application::Model,
    report: &entity::progress_report::Model,
    file: &crate::files::CheckedFile,
    by: &store::sections::By,
) -> Result<attachment::Model, AppError> {
    Ok(app::attachments::record_report_file(state, application, report, file, by).await?)
}

/// Adapter: the upload form → [`app::attachments::upload`] → the list, or the list again with
/// the form's messages (413 when the file is too large). The body is read only once the caller
/// may upload ([`app::attachments::open_for_upload`]).
async fn upload(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    caller: Caller,
    ctx: PageContext,
    Id(id): Id,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, AppError> {
    let dossier = app::attachments::open_for_upload(&state, &caller, id).await?;
    let form = read_form(multipart, &state.config).await?;
    let selected_kind = form.kind.trim().to_owned();
    let max = state.config.max_upload_bytes;
    let accepted = match crate::upload::validate(form, max, &max_size_label(&state)) {
        Ok(accepted) => accepted,
        Err((status, errors)) => {
            let html = page(&state, &ctx, &user, &dossier, errors, &selected_kind).await?;
            return Ok((status, Html(html)).into_response());
        }
    };
    let input = AttachmentUpload {
        kind: accepted.kind,
        file: accepted.file,
    };
    let row = app::attachments::upload(&state, &caller, &dossier, input).await?;
    Ok(FlashRedirect::new(
        list_href(id),
        format!("Bijlage “{}” is toegevoegd.", row.original_name),
    )
    .into_response())
}

async fn download(
    State(state): State<AppState>,
    caller: Caller,
    Ids(id, attachment_id): Ids,
) -> Result<Response, AppError> {
    app::dossier::with_parties(&state, &caller, id, Action::ViewDossier).await?;
    let row = store::attachments::find_in_dossier(&state.db, id, attachment_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let data =
        crate::files::read_checked(&state.config.upload_dir(), &row.stored_name, &row.sha256)
            .await
            .map_err(|err| AppError::internal(err.context(format!("attachment {}", row.id))))?;
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

/// Adapter: the delete button → [`app::attachments::delete`] → the list (or, for a member's
/// decision on taking part, its consent page).
async fn delete(
    State(state): State<AppState>,
    caller: Caller,
    Ids(id, attachment_id): Ids,
) -> Result<Response, AppError> {
    let redirect = match app::attachments::delete(&state, &caller, id, attachment_id).await? {
        Deleted::Attachment { name } => {
            FlashRedirect::new(list_href(id), format!("Bijlage “{name}” is verwijderd."))
        }
        Deleted::Decision(removed) => {
            let message = if removed.unconfirmed {
                format!(
                    "De beslissing “{}” is verwijderd. {} is niet langer bevestigd: bevestig \
                     opnieuw met een beslissing van de gemeenteraad of het college, of laat \
                     weten dat uw gemeente niet deelneemt. De trekker is verwittigd.",
                    removed.name, removed.municipality
                )
            } else {
                format!("De beslissing “{}” is verwijderd.", removed.name)
            };
            FlashRedirect::new(format!("/dossiers/{id}/deelname"), message)
        }
    };
    Ok(redirect.into_response())
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
}
