//! Dossier attachments: upload (recognised by content, limited in size), list, download,
//! delete, and who may do which.

use sea_orm::{ActiveModelTrait, EntityTrait, IntoActiveModel, Set};
use sha2::{Digest, Sha256};

use crate::helpers::{Browser, OFFICIAL_A, OFFICIAL_B, REVIEWER, TestApp, spawn_app};

const ANTWERPEN: i32 = 11002;
const WILLEBROEK: i32 = 12040;
pub(crate) const BOUNDARY: &str = "samenleven-test-grens-5f2c9a";

const PDF: &[u8] =
    b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";

/// One part of a multipart form: a text field, or a file with its name and declared type.
pub(crate) struct Part<'a> {
    name: &'a str,
    file: Option<(&'a str, &'a str)>,
    data: &'a [u8],
}

pub(crate) fn text<'a>(name: &'a str, value: &'a str) -> Part<'a> {
    Part {
        name,
        file: None,
        data: value.as_bytes(),
    }
}

pub(crate) fn file<'a>(file_name: &'a str, content_type: &'a str, data: &'a [u8]) -> Part<'a> {
    Part {
        name: "file",
        file: Some((file_name, content_type)),
        data,
    }
}

pub(crate) fn multipart_body(parts: &[Part<'_>]) -> Vec<u8> {
    let mut body = Vec::new();
    for part in parts {
        body.extend_from_slice(format!("--{BOUNDARY}\r\n").as_bytes());
        match part.file {
            Some((file_name, content_type)) => body.extend_from_slice(
                format!(
                    "Content-Disposition: form-data; name=\"{}\"; filename=\"{file_name}\"\r\n\
                     Content-Type: {content_type}\r\n\r\n",
                    part.name
                )
                .as_bytes(),
            ),
            None => body.extend_from_slice(
                format!(
                    "Content-Disposition: form-data; name=\"{}\"\r\n\r\n",
                    part.name
                )
                .as_bytes(),
            ),
        }
        body.extend_from_slice(part.data);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    body
}

/// Posts a multipart form exactly as given.
pub(crate) async fn post_multipart(
    browser: &Browser,
    path: &str,
    parts: &[Part<'_>],
) -> reqwest::Response {
    browser
        .client
        .post(format!("{}{}", browser.base, path))
        .header(
            "content-type",
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .body(multipart_body(parts))
        .send()
        .await
        .expect("request")
}

/// Uploads one file the way the form does: the CSRF token first, then the kind and the file.
pub(crate) async fn upload(
    browser: &Browser,
    dossier: i64,
    kind: &str,
    file_name: &str,
    content_type: &str,
    data: &[u8],
) -> reqwest::Response {
    let csrf = browser.csrf.clone();
    post_multipart(
        browser,
        &format!("/dossiers/{dossier}/bijlagen"),
        &[
            text("csrf_token", &csrf),
            text("kind", kind),
            file(file_name, content_type, data),
        ],
    )
    .await
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &byte in data {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// A valid ZIP archive with the entries stored uncompressed, in order.
fn zip(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    for (name, data) in entries {
        let offset = out.len() as u32;
        let crc = crc32(data);
        let size = data.len() as u32;
        let name_len = name.len() as u16;
        // Local file header.
        out.extend_from_slice(b"PK\x03\x04");
        out.extend_from_slice(&20u16.to_le_bytes()); // version needed
        out.extend_from_slice(&0u16.to_le_bytes()); // flags
        out.extend_from_slice(&0u16.to_le_bytes()); // stored
        out.extend_from_slice(&0u32.to_le_bytes()); // time and date
        out.extend_from_slice(&crc.to_le_bytes());
        out.extend_from_slice(&size.to_le_bytes());
        out.extend_from_slice(&size.to_le_bytes());
        out.extend_from_slice(&name_len.to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes()); // extra
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(data);
        // Central directory entry.
        central.extend_from_slice(b"PK\x01\x02");
        central.extend_from_slice(&20u16.to_le_bytes()); // made by
        central.extend_from_slice(&20u16.to_le_bytes()); // needed
        central.extend_from_slice(&0u16.to_le_bytes());
        central.extend_from_slice(&0u16.to_le_bytes());
        central.extend_from_slice(&0u32.to_le_bytes());
        central.extend_from_slice(&crc.to_le_bytes());
        central.extend_from_slice(&size.to_le_bytes());
        central.extend_from_slice(&size.to_le_bytes());
        central.extend_from_slice(&name_len.to_le_bytes());
        central.extend_from_slice(&0u16.to_le_bytes()); // extra
        central.extend_from_slice(&0u16.to_le_bytes()); // comment
        central.extend_from_slice(&0u16.to_le_bytes()); // disk
        central.extend_from_slice(&0u16.to_le_bytes()); // internal attributes
        central.extend_from_slice(&0u32.to_le_bytes()); // external attributes
        central.extend_from_slice(&offset.to_le_bytes());
        central.extend_from_slice(name.as_bytes());
    }
    let dir_offset = out.len() as u32;
    out.extend_from_slice(&central);
    out.extend_from_slice(b"PK\x05\x06");
    out.extend_from_slice(&0u16.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    out.extend_from_slice(&(central.len() as u32).to_le_bytes());
    out.extend_from_slice(&dir_offset.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out
}

fn xlsx() -> Vec<u8> {
    zip(&[
        (
            "[Content_Types].xml",
            br#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>"#,
        ),
        (
            "_rels/.rels",
            br#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#,
        ),
        (
            "xl/workbook.xml",
            br#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheets/></workbook>"#,
        ),
    ])
}

fn ods() -> Vec<u8> {
    zip(&[
        ("mimetype", b"application/vnd.oasis.opendocument.spreadsheet"),
        (
            "META-INF/manifest.xml",
            br#"<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/></manifest:manifest>"#,
        ),
        (
            "content.xml",
            br#"<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"/>"#,
        ),
    ])
}

async fn attachments(app: &TestApp) -> Vec<entity::attachment::Model> {
    entity::attachment::Entity::find()
        .all(&app.db)
        .await
        .expect("attachments")
}

/// Every file in the upload directory (none when it does not exist yet).
fn stored_files(app: &TestApp) -> Vec<String> {
    let dir = app.data_dir.path().join("uploads");
    match std::fs::read_dir(dir) {
        Ok(entries) => entries
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect(),
        Err(_) => Vec::new(),
    }
}

fn location(response: &reqwest::Response) -> String {
    response
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test]
async fn a_pdf_is_uploaded_listed_and_downloaded_unchanged() {
    let app = spawn_app().await;
    let dossier = app.dossier_led_by(ANTWERPEN).await;
    let mut official = app.signed_in(OFFICIAL_A).await;

    let (status, html) = official.get(&format!("/dossiers/{dossier}/bijlagen")).await;
    assert_eq!(status, 200);
    assert!(
        html.contains("Deze verplichte bijlagen ontbreken nog"),
        "{html}"
    );
    assert!(html.contains("Beslissing van de gemeenteraad of het college"));
    assert!(html.contains("Begroting (rekenblad)"));
    assert!(html.contains("enctype=\"multipart/form-data\""));
    assert!(html.contains("Soort bijlage"));
    assert!(html.contains("PDF, XLSX of ODS, maximaal 10 MB"));
    let form = &html[html.find("enctype=\"multipart/form-data\"").unwrap()..];
    let first_field = form.find("name=\"").unwrap();
    assert!(
        form[first_field..].starts_with("name=\"csrf_token\""),
        "the CSRF token is the form's first field"
    );

    let response = upload(
        &official,
        dossier,
        "council_decision",
        "Beslissing gemeenteraad é.pdf",
        "application/pdf",
        PDF,
    )
    .await;
    assert_eq!(response.status(), 303);
    assert_eq!(location(&response), format!("/dossiers/{dossier}/bijlagen"));

    let rows = attachments(&app).await;
    assert_eq!(rows.len(), 1);
    let row = &rows[0];
    assert_eq!(row.application_id, dossier);
    assert_eq!(row.kind, "council_decision");
    assert_eq!(row.original_name, "Beslissing gemeenteraad é.pdf");
    assert_eq!(row.content_type, "application/pdf");
    assert_eq!(row.size_bytes, PDF.len() as i64);
    assert_eq!(row.sha256, hex::encode(Sha256::digest(PDF)));
    assert!(row.uploaded_by.is_some());
    assert_ne!(row.stored_name, row.original_name);
    assert_eq!(stored_files(&app), vec![row.stored_name.clone()]);
    let on_disk =
        std::fs::read(app.data_dir.path().join("uploads").join(&row.stored_name)).unwrap();
    assert_eq!(on_disk, PDF);
    assert_eq!(
        app.count("audit_log WHERE action = 'attachment.uploaded'")
            .await,
        1
    );

    let (status, html) = official.get(&format!("/dossiers/{dossier}/bijlagen")).await;
    assert_eq!(status, 200);
    assert!(html.contains("is toegevoegd"), "the flash shows");
    assert!(html.contains("Beslissing gemeenteraad é.pdf"));
    assert!(html.contains(&format!("/dossiers/{dossier}/bijlagen/{}", row.id)));
    assert!(html.contains("bytes"), "the size shows");
    assert!(!html.contains("<li>Beslissing van de gemeenteraad of het college</li>"));
    assert!(html.contains("<li>Begroting (rekenblad)</li>"));

    let response = official
        .client
        .get(format!(
            "{}/dossiers/{dossier}/bijlagen/{}",
            app.address, row.id
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    assert_eq!(header("content-type"), "application/pdf");
    assert_eq!(header("x-content-type-options"), "nosniff");
    let disposition = header("content-disposition");
    assert!(disposition.starts_with("attachment;"), "{disposition}");
    assert!(
        disposition.contains("filename*=UTF-8''Beslissing%20gemeenteraad%20%C3%A9.pdf"),
        "{disposition}"
    );
    assert_eq!(response.bytes().await.unwrap().as_ref(), PDF);
}

#[tokio::test]
async fn spreadsheets_are_accepted_as_xlsx_and_ods_by_their_content() {
    let app = spawn_app().await;
    let dossier = app.dossier_led_by(ANTWERPEN).await;
    let mut official = app.signed_in(OFFICIAL_A).await;

    let xlsx = xlsx();
    let response = upload(
        &official,
        dossier,
        "budget_sheet",
        "begroting.xlsx",
        "application/octet-stream",
        &xlsx,
    )
    .await;
    assert_eq!(response.status(), 303);
    let ods = ods();
    // The declared type and the name do not matter, the content does.
    let response = upload(&official, dossier, "other", "raming", "text/plain", &ods).await;
    assert_eq!(response.status(), 303);

    let rows = attachments(&app).await;
    assert_eq!(rows.len(), 2);
    let by_kind = |kind: &str| rows.iter().find(|r| r.kind == kind).unwrap().clone();
    assert_eq!(
        by_kind("budget_sheet").content_type,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    assert_eq!(
        by_kind("other").content_type,
        "application/vnd.oasis.opendocument.spreadsheet"
    );
    assert_eq!(stored_files(&app).len(), 2);

    let response = official
        .client
        .get(format!(
            "{}/dossiers/{dossier}/bijlagen/{}",
            app.address,
            by_kind("other").id
        ))
        .send()
        .await
        .unwrap();
    let disposition = response
        .headers()
        .get("content-disposition")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        disposition.contains("filename*=UTF-8''raming.ods"),
        "{disposition}"
    );
    assert_eq!(response.bytes().await.unwrap().as_ref(), ods.as_slice());

    // With a decision and a budget sheet nothing required is missing any more.
    assert_eq!(
        samenleven::store::attachments::missing_required_for(&app.db, dossier)
            .await
            .unwrap(),
        vec!["Beslissing van de gemeenteraad of het college"]
    );
    let response = upload(
        &official,
        dossier,
        "council_decision",
        "besluit.pdf",
        "application/pdf",
        PDF,
    )
    .await;
    assert_eq!(response.status(), 303);
    let (_, html) = official.get(&format!("/dossiers/{dossier}/bijlagen")).await;
    assert!(
        html.contains("Alle verplichte bijlagen zijn toegevoegd"),
        "{html}"
    );
    let mut kinds = samenleven::store::attachments::kinds_for_dossier(&app.db, dossier)
        .await
        .unwrap();
    kinds.sort();
    assert_eq!(kinds, vec!["budget_sheet", "council_decision", "other"]);
}

#[tokio::test]
async fn refused_files_come_back_with_a_dutch_message_and_leave_nothing_behind() {
    let app = spawn_app().await;
    let dossier = app.dossier_led_by(ANTWERPEN).await;
    let official = app.signed_in(OFFICIAL_A).await;
    let max = 10 * 1024 * 1024;
    let mut oversized = vec![b'0'; max + 1];
    oversized[..PDF.len()].copy_from_slice(PDF);
    let exe = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00This program cannot be run in DOS mode.";

    let cases: [(&str, &str, &[u8], u16, &str); 5] = [
        (
            "tekst.pdf",
            "application/pdf",
            b"Dit is geen PDF, alleen tekst.",
            422,
            "geen PDF-, XLSX- of ODS-bestand",
        ),
        (
            "besluit.pdf",
            "application/pdf",
            exe,
            422,
            "geen PDF-, XLSX- of ODS-bestand",
        ),
        (
            "docx-als-xlsx.xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            &zip(&[
                ("[Content_Types].xml", b"<Types/>"),
                ("word/document.xml", b"<w/>"),
            ]),
            422,
            "geen PDF-, XLSX- of ODS-bestand",
        ),
        ("leeg.pdf", "application/pdf", b"", 422, "is leeg"),
        (
            "groot.pdf",
            "application/pdf",
            &oversized,
            413,
            "groter dan 10 MB",
        ),
    ];
    for (name, content_type, data, status, message) in cases {
        let response = upload(
            &official,
            dossier,
            "council_decision",
            name,
            content_type,
            data,
        )
        .await;
        assert_eq!(response.status().as_u16(), status, "{name}");
        let html = response.text().await.unwrap();
        assert!(html.contains("Er is een probleem"), "{name}: error summary");
        assert!(html.contains(message), "{name}: {message}");
        assert!(
            html.contains("href=\"#file\""),
            "{name}: the summary links to the field"
        );
        assert!(
            html.contains("enctype=\"multipart/form-data\""),
            "{name}: the form comes back"
        );
        assert!(
            html.contains("value=\"council_decision\" selected"),
            "{name}: the chosen kind is kept"
        );
    }

    // No file, and no kind.
    let csrf = official.csrf.clone();
    let response = post_multipart(
        &official,
        &format!("/dossiers/{dossier}/bijlagen"),
        &[text("csrf_token", &csrf), text("kind", "")],
    )
    .await;
    assert_eq!(response.status(), 422);
    let html = response.text().await.unwrap();
    assert!(html.contains("Kies de soort bijlage."));
    assert!(html.contains("Kies een bestand om toe te voegen."));

    // A kind that does not exist.
    let response = upload(
        &official,
        dossier,
        "virus",
        "besluit.pdf",
        "application/pdf",
        PDF,
    )
    .await;
    assert_eq!(response.status(), 422);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("Kies de soort bijlage.")
    );

    assert!(attachments(&app).await.is_empty(), "no row was recorded");
    assert!(stored_files(&app).is_empty(), "no file was stored");
    assert_eq!(
        app.count("audit_log WHERE action = 'attachment.uploaded'")
            .await,
        0
    );
}

#[tokio::test]
async fn a_file_of_exactly_the_limit_is_accepted() {
    let app = spawn_app().await;
    let dossier = app.dossier_led_by(ANTWERPEN).await;
    let official = app.signed_in(OFFICIAL_A).await;
    let mut data = vec![b' '; 10 * 1024 * 1024];
    data[..PDF.len()].copy_from_slice(PDF);
    let response = upload(
        &official,
        dossier,
        "other",
        "groot.pdf",
        "application/pdf",
        &data,
    )
    .await;
    assert_eq!(response.status(), 303);
    let rows = attachments(&app).await;
    assert_eq!(rows[0].size_bytes, 10 * 1024 * 1024);
}

#[tokio::test]
async fn an_official_of_another_municipality_gets_not_found_everywhere() {
    let app = spawn_app().await;
    let dossier = app.dossier_led_by(ANTWERPEN).await;
    let official = app.signed_in(OFFICIAL_A).await;
    let response = upload(&official, dossier, "other", "a.pdf", "application/pdf", PDF).await;
    assert_eq!(response.status(), 303);
    let id = attachments(&app).await[0].id;

    let mut other = app.signed_in(OFFICIAL_B).await;
    let (status, _) = other.get(&format!("/dossiers/{dossier}/bijlagen")).await;
    assert_eq!(status, 404);
    let (status, _) = other
        .get(&format!("/dossiers/{dossier}/bijlagen/{id}"))
        .await;
    assert_eq!(status, 404);
    let response = upload(&other, dossier, "other", "b.pdf", "application/pdf", PDF).await;
    assert_eq!(response.status(), 404);
    let response = other
        .post(
            &format!("/dossiers/{dossier}/bijlagen/{id}/verwijderen"),
            &[],
        )
        .await;
    assert_eq!(response.status(), 404);
    assert_eq!(attachments(&app).await.len(), 1);
    assert_eq!(stored_files(&app).len(), 1);
}

#[tokio::test]
async fn an_attachment_is_only_found_through_its_own_dossier() {
    let app = spawn_app().await;
    let antwerpen = app.dossier_led_by(ANTWERPEN).await;
    let willebroek = app.dossier_led_by(WILLEBROEK).await;
    let a = app.signed_in(OFFICIAL_A).await;
    let b = app.signed_in(OFFICIAL_B).await;
    assert_eq!(
        upload(&a, antwerpen, "other", "a.pdf", "application/pdf", PDF)
            .await
            .status(),
        303
    );
    assert_eq!(
        upload(&b, willebroek, "other", "b.pdf", "application/pdf", PDF)
            .await
            .status(),
        303
    );
    let rows = attachments(&app).await;
    let of = |dossier: i64| {
        rows.iter()
            .find(|r| r.application_id == dossier)
            .unwrap()
            .id
    };
    let (mut a, mut b) = (a, b);
    let (status, _) = a
        .get(&format!(
            "/dossiers/{antwerpen}/bijlagen/{}",
            of(willebroek)
        ))
        .await;
    assert_eq!(status, 404);
    let response = a
        .post(
            &format!(
                "/dossiers/{antwerpen}/bijlagen/{}/verwijderen",
                of(willebroek)
            ),
            &[],
        )
        .await;
    assert_eq!(response.status(), 404);
    let (status, _) = b
        .get(&format!(
            "/dossiers/{willebroek}/bijlagen/{}",
            of(antwerpen)
        ))
        .await;
    assert_eq!(status, 404);
    let (status, _) = a.get(&format!("/dossiers/{antwerpen}/bijlagen/x")).await;
    assert_eq!(status, 404);
    assert_eq!(attachments(&app).await.len(), 2);
}

#[tokio::test]
async fn a_reviewer_lists_and_downloads_but_cannot_upload_or_delete() {
    let app = spawn_app().await;
    let dossier = app.dossier_led_by(ANTWERPEN).await;
    let official = app.signed_in(OFFICIAL_A).await;
    assert_eq!(
        upload(&official, dossier, "budget_sheet", "b.xlsx", "", &xlsx())
            .await
            .status(),
        303
    );
    let id = attachments(&app).await[0].id;

    let mut reviewer = app.signed_in(REVIEWER).await;
    let (status, html) = reviewer.get(&format!("/dossiers/{dossier}/bijlagen")).await;
    assert_eq!(status, 200);
    assert!(html.contains("b.xlsx"));
    assert!(
        !html.contains("enctype=\"multipart/form-data\""),
        "no upload form"
    );
    assert!(!html.contains("/verwijderen"), "no delete buttons");
    let response = reviewer
        .client
        .get(format!("{}/dossiers/{dossier}/bijlagen/{id}", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.bytes().await.unwrap().as_ref(), xlsx().as_slice());

    let response = upload(&reviewer, dossier, "other", "r.pdf", "application/pdf", PDF).await;
    assert_eq!(response.status(), 403);
    let response = reviewer
        .post(
            &format!("/dossiers/{dossier}/bijlagen/{id}/verwijderen"),
            &[],
        )
        .await;
    assert_eq!(response.status(), 403);
    assert_eq!(attachments(&app).await.len(), 1);
}

#[tokio::test]
async fn deleting_removes_the_row_and_the_file_and_is_audited() {
    let app = spawn_app().await;
    let dossier = app.dossier_led_by(ANTWERPEN).await;
    let mut official = app.signed_in(OFFICIAL_A).await;
    assert_eq!(
        upload(
            &official,
            dossier,
            "council_decision",
            "besluit.pdf",
            "application/pdf",
            PDF
        )
        .await
        .status(),
        303
    );
    let row = attachments(&app).await.remove(0);
    assert_eq!(stored_files(&app).len(), 1);

    let (_, html) = official.get(&format!("/dossiers/{dossier}/bijlagen")).await;
    let action = format!("/dossiers/{dossier}/bijlagen/{}/verwijderen", row.id);
    assert!(html.contains(&action), "a delete button per attachment");
    let response = official.post(&action, &[]).await;
    assert_eq!(response.status(), 303);
    assert_eq!(location(&response), format!("/dossiers/{dossier}/bijlagen"));

    assert!(attachments(&app).await.is_empty());
    assert!(stored_files(&app).is_empty());
    let audited = entity::audit_log::Entity::find()
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .find(|e| e.action == "attachment.deleted")
        .expect("the deletion is audited");
    assert_eq!(
        audited.resource_id.as_deref(),
        Some(row.id.to_string().as_str())
    );
    let before: serde_json::Value =
        serde_json::from_str(audited.before.as_deref().unwrap()).unwrap();
    assert_eq!(before["original_name"], "besluit.pdf");
    assert_eq!(before["stored_name"], row.stored_name.as_str());

    let (_, html) = official.get(&format!("/dossiers/{dossier}/bijlagen")).await;
    assert!(html.contains("is verwijderd"));
    let (status, _) = official
        .get(&format!("/dossiers/{dossier}/bijlagen/{}", row.id))
        .await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn an_upload_without_the_csrf_token_is_refused() {
    let app = spawn_app().await;
    let dossier = app.dossier_led_by(ANTWERPEN).await;
    let official = app.signed_in(OFFICIAL_A).await;
    let response = post_multipart(
        &official,
        &format!("/dossiers/{dossier}/bijlagen"),
        &[
            text("kind", "other"),
            file("besluit.pdf", "application/pdf", PDF),
        ],
    )
    .await;
    assert_eq!(response.status(), 403);
    let response = post_multipart(
        &official,
        &format!("/dossiers/{dossier}/bijlagen"),
        &[
            text("csrf_token", "vervalst"),
            text("kind", "other"),
            file("besluit.pdf", "application/pdf", PDF),
        ],
    )
    .await;
    assert_eq!(response.status(), 403);
    assert!(attachments(&app).await.is_empty());
    assert!(stored_files(&app).is_empty());
}

#[tokio::test]
async fn a_submitted_dossier_keeps_its_attachments_as_they_are() {
    let app = spawn_app().await;
    let dossier = app.dossier_led_by(ANTWERPEN).await;
    let mut official = app.signed_in(OFFICIAL_A).await;
    assert_eq!(
        upload(&official, dossier, "other", "a.pdf", "application/pdf", PDF)
            .await
            .status(),
        303
    );
    let id = attachments(&app).await[0].id;
    let mut application = entity::application::Entity::find_by_id(dossier)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap()
        .into_active_model();
    application.state = Set(entity::application::ApplicationState::Submitted);
    application.update(&app.db).await.unwrap();

    let (status, html) = official.get(&format!("/dossiers/{dossier}/bijlagen")).await;
    assert_eq!(status, 200);
    assert!(html.contains("a.pdf"));
    assert!(html.contains("kan niet meer"), "{html}");
    assert!(!html.contains("enctype=\"multipart/form-data\""));
    let response = upload(&official, dossier, "other", "b.pdf", "application/pdf", PDF).await;
    assert_eq!(response.status(), 409);
    let response = official
        .post(
            &format!("/dossiers/{dossier}/bijlagen/{id}/verwijderen"),
            &[],
        )
        .await;
    assert_eq!(response.status(), 409);
    assert_eq!(attachments(&app).await.len(), 1);
    assert_eq!(stored_files(&app).len(), 1);
}

#[tokio::test]
async fn spreadsheets_with_macros_are_refused_however_the_entries_are_named() {
    let app = spawn_app().await;
    let dossier = app.dossier_led_by(ANTWERPEN).await;
    let official = app.signed_in(OFFICIAL_A).await;
    let xlsm = |name: &str| {
        zip(&[
            ("[Content_Types].xml", b"<Types/>".as_slice()),
            ("xl/workbook.xml", b"<workbook/>".as_slice()),
            (name, b"macro".as_slice()),
        ])
    };
    let ods_with_macro = |name: &str| {
        zip(&[
            (
                "mimetype",
                b"application/vnd.oasis.opendocument.spreadsheet".as_slice(),
            ),
            ("content.xml", b"<office:document-content/>".as_slice()),
            (name, b"macro".as_slice()),
        ])
    };
    let cases = [
        ("xlsm.xlsx", xlsm("xl//vbaProject.bin")),
        ("xlsm2.xlsx", xlsm("xl\\vbaProject.bin")),
        ("basic.ods", ods_with_macro("Basic/Standard/Module1.xml")),
        ("scripts.ods", ods_with_macro("./Scripts/python/macro.py")),
    ];
    for (name, data) in cases {
        let response = upload(
            &official,
            dossier,
            "budget_sheet",
            name,
            "application/octet-stream",
            &data,
        )
        .await;
        assert_eq!(response.status(), 422, "{name}");
        let html = response.text().await.unwrap();
        assert!(html.contains("bevat macro"), "{name}: {html}");
    }
    assert!(attachments(&app).await.is_empty(), "nothing was recorded");
    assert!(stored_files(&app).is_empty(), "no file was stored");
}
