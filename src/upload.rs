//! Reading an upload form (`multipart/form-data`) for the pages and the API alike: the file
//! streams into a temporary file in `Config::incoming_dir()` under `Config::max_upload_bytes`
//! ([`crate::files::Receiving`]), never whole in memory, and is then checked for what it is: a
//! PDF, XLSX or ODS by its content ([`crate::domain::attachments::sniff`]), never by its name or
//! declared type. The CSRF token of a multipart form is checked before this, by
//! [`crate::auth::csrf`] (it must come before any file).
//!
//! An adapter concern: it turns a request into the typed input of a command
//! ([`crate::files::CheckedFile`]), with the status to answer when it cannot (413 when too large,
//! 422 otherwise) and Dutch field messages.

use axum::extract::Multipart;
use axum::extract::multipart::MultipartRejection;
use axum::http::StatusCode;

use crate::domain::attachments::{
    AttachmentKind, FileType, NotAccepted, display_name, format_size,
};
use crate::domain::fields::FieldErrors;
use crate::error::AppError;
use crate::files::{CheckedFile, Receiving, TempUpload};
use crate::state::AppState;

/// What the upload form sent.
#[derive(Default)]
pub struct UploadForm {
    pub kind: String,
    pub file: Option<ReceivedFile>,
    /// The request could not be read to the end.
    pub broken: bool,
    /// The request was longer than the route takes (cut off by its body limit).
    pub too_large: bool,
    /// Other text fields of the form, by name.
    pub fields: Vec<(String, String)>,
}

impl UploadForm {
    /// The text of field `name`, or an empty string.
    pub fn field(&self, name: &str) -> &str {
        self.fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    }
}

/// A file as it was received.
pub struct ReceivedFile {
    pub name: String,
    /// The content; `None` once `size` exceeded the limit (nothing of it is kept).
    pub content: Option<TempUpload>,
    pub size: usize,
    /// Its type by content, when it was received within the limit.
    pub sniffed: Result<FileType, NotAccepted>,
}

/// The largest file accepted, as people read it (`10 MB`).
pub fn max_size_label(state: &AppState) -> String {
    format_size(u64::try_from(state.config.max_upload_bytes).unwrap_or(u64::MAX))
}

/// Reads the form, streaming the file into a temporary file in `Config::incoming_dir()` and
/// keeping at most `Config::max_upload_bytes` of it. A request that is not a multipart form at
/// all is simply a form without a file. Fails only when the server cannot write the file.
pub async fn read_form(
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
                let size = receiving.size();
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

/// An upload that passed every check.
pub struct AcceptedFile {
    pub kind: AttachmentKind,
    pub file: CheckedFile,
}

/// Checks the form; on failure the errors and the status to answer with (413 when the file is
/// too large, 422 otherwise).
pub fn validate(
    form: UploadForm,
    max: usize,
    max_label: &str,
) -> Result<AcceptedFile, (StatusCode, FieldErrors)> {
    let mut errors = FieldErrors::default();
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
pub fn validate_report_file(
    form: UploadForm,
    max: usize,
    max_label: &str,
) -> Result<CheckedFile, (StatusCode, FieldErrors)> {
    let mut errors = FieldErrors::default();
    let mut status = StatusCode::UNPROCESSABLE_ENTITY;
    match received_file(form, max, max_label, &mut errors, &mut status) {
        Some(file) if errors.is_empty() => Ok(file),
        _ => Err((status, errors)),
    }
}

/// The file of an upload form: the request read to the end and [`check_file`]. Adds a message
/// for field `file` and returns `None` when it fails.
fn received_file(
    form: UploadForm,
    max: usize,
    max_label: &str,
    errors: &mut FieldErrors,
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
pub fn check_file(
    file: Option<ReceivedFile>,
    max: usize,
    max_label: &str,
    errors: &mut FieldErrors,
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

#[cfg(test)]
mod tests {
    use std::path::Path;

    use sha2::{Digest, Sha256};

    use super::*;
    use crate::domain::attachments::sniff;

    /// A file as `read_form` hands it on: its content in a temporary file in `dir`.
    fn received(dir: &Path, name: &str, data: &[u8]) -> ReceivedFile {
        let path = dir.join(format!("{}.part", uuid::Uuid::new_v4().simple()));
        std::fs::write(&path, data).unwrap();
        ReceivedFile {
            name: name.to_owned(),
            content: Some(TempUpload::at(
                path,
                data.len(),
                hex::encode(Sha256::digest(data)),
            )),
            size: data.len(),
            sniffed: sniff(std::io::Cursor::new(data)),
        }
    }

    fn form(dir: &Path, kind: &str, file: Option<(&str, &[u8])>) -> UploadForm {
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
}
