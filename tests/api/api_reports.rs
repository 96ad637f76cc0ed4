//! Issue 9, KPI reports over the API: an official reads the reports of an approved dossier,
//! fills one in, submits it (a missed target needs a motivation), and resubmits after ABB sent
//! it back; every refusal is a problem document: bad values, unknown KPIs, a missing or stale
//! `If-Match`, a report already submitted, another municipality, a reviewer writing.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use entity::progress_report::{ReportKind, ReportState};

use crate::api_v1::{Api, etag_of, problem, read};
use crate::attachments::{BOUNDARY, file, multipart_body};
use crate::followup::{Spec, approved, report, review};
use crate::helpers::{OFFICIAL_A, OFFICIAL_B, REVIEWER, count};

const ANTWERPEN: i32 = 11002;

fn reports_path(dossier: i64) -> String {
    format!("/api/v1/dossiers/{dossier}/reports")
}

async fn put(api: &Api, path: &str, etag: Option<&str>, body: &Value) -> reqwest::Response {
    api.send_json(Method::PUT, path, etag, body).await
}

async fn submit(api: &Api, path: &str, etag: &str, body: Option<&Value>) -> reqwest::Response {
    let mut request = api
        .request(Method::POST, &format!("{path}/submit"))
        .header("if-match", etag);
    if let Some(body) = body {
        request = request.json(body);
    }
    request.send().await.unwrap()
}

fn one_action() -> [Spec; 1] {
    [Spec {
        code: "4.3",
        planned: 4,
        requested: 10_000_000,
        granted: "100.000,00",
        extra: Some((10, 20)),
    }]
}

#[tokio::test]
async fn an_official_fills_in_and_submits_a_report_over_the_api_and_resubmits_it_after_abb_sent_it_back()
 {
    let app = crate::helpers::spawn_app().await;
    let f = approved(&app, ANTWERPEN, &[], 1, &one_action()).await;
    let (reach, extra) = (f.actions[0].1[0], f.actions[0].1[1]);
    let interim = report(&app, f.id, 1, ReportKind::Interim).await;
    let official = Api::new(&app, OFFICIAL_A).await;

    // The list: both reports of year 1, the interim one open, with the plan per KPI.
    let (status, list) = official.get(&reports_path(f.id)).await;
    assert_eq!(status, StatusCode::OK);
    let items = list["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    let first = items.iter().find(|r| r["id"] == interim.id).unwrap();
    assert_eq!(first["kind"], "interim");
    assert_eq!(first["editable"], true);
    assert_eq!(first["kpis"].as_array().unwrap().len(), 2);
    let reach_kpi = first["kpis"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["kpi_id"] == reach)
        .unwrap();
    assert_eq!(reach_kpi["target"], 4.0);
    assert!(reach_kpi["actual"].is_null());

    let path = format!("{}/{}", reports_path(f.id), interim.id);
    let response = official.request(Method::GET, &path).send().await.unwrap();
    let tag = etag_of(&response);
    let (_, detail) = read(response).await;
    assert_eq!(detail["etag"], tag.as_str());

    // A draft: 0,9 of 4 after six months is behind, but a draft needs no motivation yet.
    let response = put(
        &official,
        &path,
        Some(&tag),
        &json!({"results": [{"kpi_id": reach, "actual": 0.9}]}),
    )
    .await;
    assert_eq!(response.status(), 200);
    let saved_tag = etag_of(&response);
    assert_ne!(saved_tag, tag, "a save moves the version on");
    let (_, saved) = read(response).await;
    assert_eq!(saved["state"], "draft");
    let reach_out = saved["kpis"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["kpi_id"] == reach)
        .unwrap()
        .clone();
    assert_eq!(reach_out["actual"], 0.9);
    assert_eq!(reach_out["missed"], true);

    // Submitting as it is: the second KPI has no value, the first misses without motivation.
    let response = submit(&official, &path, &saved_tag, None).await;
    let body = problem(response, 422).await;
    let fields: Vec<&str> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert!(
        fields.contains(&format!("results[kpi_id={reach}].motivation").as_str()),
        "{body}"
    );
    assert!(
        fields.contains(&format!("results[kpi_id={extra}].actual").as_str()),
        "{body}"
    );
    assert_eq!(
        report(&app, f.id, 1, ReportKind::Interim).await.state,
        ReportState::Draft,
        "nothing was submitted"
    );

    // With the missing value and a motivation it goes in, and the lead is told.
    let response = submit(
        &official,
        &path,
        &saved_tag,
        Some(&json!({"results": [
            {"kpi_id": reach, "actual": 0.9, "motivation": "De start liep vertraging op."},
            {"kpi_id": extra, "actual": 15}
        ]})),
    )
    .await;
    assert_eq!(response.status(), 200);
    let submitted_tag = etag_of(&response);
    let (_, submitted) = read(response).await;
    assert_eq!(submitted["state"], "submitted");
    assert_eq!(submitted["editable"], false);
    assert_eq!(
        report(&app, f.id, 1, ReportKind::Interim).await.state,
        ReportState::Submitted
    );
    assert_eq!(
        count(&app.db, "audit_log WHERE action = 'report.submit'").await,
        1
    );
    assert!(
        app.smtp
            .wait_until(|m| m.subject().is_some_and(|s| s.contains("rapport ingediend")))
            .await,
        "the lead's side gets the confirmation"
    );

    // A stale tag is 412; with the current tag a submitted report cannot change (409).
    let response = submit(&official, &path, &saved_tag, None).await;
    problem(response, 412).await;
    let response = put(
        &official,
        &path,
        Some(&submitted_tag),
        &json!({"results": [{"kpi_id": reach, "actual": 1}]}),
    )
    .await;
    problem(response, 409).await;

    // ABB sends it back; the official resubmits with a better value, no motivation needed.
    let mut reviewer = app.signed_in(REVIEWER).await;
    let response = review(
        &mut reviewer,
        interim.id,
        "terugsturen",
        "Tel de deelnemers opnieuw.",
        &[],
    )
    .await;
    assert_eq!(response.status(), 303);
    let (_, back) = official.get(&path).await;
    assert_eq!(back["state"], "sent_back");
    assert_eq!(back["review_note"], "Tel de deelnemers opnieuw.");
    let tag = back["etag"].as_str().unwrap().to_owned();
    let response = submit(
        &official,
        &path,
        &tag,
        Some(&json!({"results": [{"kpi_id": reach, "actual": 1, "motivation": ""}]})),
    )
    .await;
    assert_eq!(response.status(), 200, "1 of 4 is 25%: on schedule");
    assert_eq!(
        count(&app.db, "audit_log WHERE action = 'report.resubmit'").await,
        1
    );
}

#[tokio::test]
async fn report_changes_refuse_bad_values_unknown_kpis_missing_tags_and_other_parties() {
    let app = crate::helpers::spawn_app().await;
    let f = approved(&app, ANTWERPEN, &[], 1, &one_action()).await;
    let reach = f.actions[0].1[0];
    let interim = report(&app, f.id, 1, ReportKind::Interim).await;
    let official = Api::new(&app, OFFICIAL_A).await;
    let path = format!("{}/{}", reports_path(f.id), interim.id);
    let (_, detail) = official.get(&path).await;
    let tag = detail["etag"].as_str().unwrap().to_owned();

    let refused = [
        (json!({"results": [{"kpi_id": reach, "actual": -1}]}), 422),
        (
            json!({"results": [{"kpi_id": reach, "actual": 0.1234}]}),
            422,
        ),
        (json!({"results": [{"kpi_id": reach, "actual": 1e30}]}), 422),
        (
            json!({"results": [{"kpi_id": reach, "actual": "veel"}]}),
            422,
        ),
        (json!({"results": [{"kpi_id": 999_999, "actual": 1}]}), 422),
        (
            json!({"results": [{"kpi_id": reach, "actual": 1}, {"kpi_id": reach, "actual": 2}]}),
            422,
        ),
        (
            json!({"results": [{"kpi_id": reach, "actual": 1, "colour": "blauw"}]}),
            422,
        ),
        (
            json!({"results": [{"kpi_id": reach, "motivation": "x".repeat(5001)}]}),
            422,
        ),
        (json!({"resultaten": []}), 422),
    ];
    for (body, status) in refused {
        let response = put(&official, &path, Some(&tag), &body).await;
        let problem = problem(response, status).await;
        assert!(
            !problem["errors"].as_array().unwrap().is_empty(),
            "a message per field for {body}"
        );
    }
    let response = official
        .request(Method::PUT, &path)
        .header("if-match", &tag)
        .header("content-type", "application/json")
        .body("{\"results\": [")
        .send()
        .await
        .unwrap();
    problem(response, 400).await;
    let response = put(&official, &path, None, &json!({"results": []})).await;
    problem(response, 428).await;
    let response = put(&official, &path, Some("\"r1-99\""), &json!({"results": []})).await;
    problem(response, 412).await;
    let response = official
        .request(Method::POST, &format!("{path}/submit"))
        .header("if-match", &tag)
        .header("content-type", "text/plain")
        .body("indienen")
        .send()
        .await
        .unwrap();
    problem(response, 415).await;
    assert_eq!(
        count(
            &app.db,
            &format!(
                "kpi_result WHERE progress_report_id = {} AND actual_value IS NOT NULL",
                interim.id
            )
        )
        .await,
        0,
        "nothing refused was saved"
    );
    assert_eq!(
        report(&app, f.id, 1, ReportKind::Interim).await.version,
        interim.version
    );

    // Another municipality does not learn the dossier exists; ABB reads but does not write.
    let other = Api::new(&app, OFFICIAL_B).await;
    let response = other.request(Method::GET, &path).send().await.unwrap();
    problem(response, 404).await;
    let reviewer = Api::new(&app, REVIEWER).await;
    let (status, read_back) = reviewer.get(&path).await;
    assert_eq!(status, 200);
    assert_eq!(read_back["editable"], false);
    let response = put(&reviewer, &path, Some(&tag), &json!({"results": []})).await;
    problem(response, 403).await;
    // A report of another dossier, or a dossier without follow-up, is not found.
    let response = official
        .request(
            Method::GET,
            &format!("{}/{}", reports_path(f.id), interim.id + 1000),
        )
        .send()
        .await
        .unwrap();
    problem(response, 404).await;
    let draft = app.dossier_led_by(12040).await;
    let response = reviewer
        .request(Method::GET, &reports_path(draft))
        .send()
        .await
        .unwrap();
    problem(response, 404).await;
}

async fn upload_to_report(api: &Api, path: &str, name: &str, data: &[u8]) -> reqwest::Response {
    api.request(Method::POST, &format!("{path}/attachments"))
        .header(
            "content-type",
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .body(multipart_body(&[file(
            name,
            "application/octet-stream",
            data,
        )]))
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn an_official_adds_an_attachment_to_an_open_report_over_the_api_and_nobody_else_can() {
    let app = crate::helpers::spawn_app().await;
    let f = approved(&app, ANTWERPEN, &[], 1, &one_action()).await;
    let reach = f.actions[0].1[0];
    let extra = f.actions[0].1[1];
    let interim = report(&app, f.id, 1, ReportKind::Interim).await;
    let official = Api::new(&app, OFFICIAL_A).await;
    let path = format!("{}/{}", reports_path(f.id), interim.id);
    let pdf = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";

    // A PDF is kept, listed with the report and audited; the report's ETag stays.
    let (_, before) = official.get(&path).await;
    let response = upload_to_report(&official, &path, "deelnemers.pdf", pdf).await;
    let (status, created) = read(response).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(created["name"], "deelnemers.pdf");
    assert_eq!(created["content_type"], "application/pdf");
    let (_, detail) = official.get(&path).await;
    assert_eq!(detail["etag"], before["etag"]);
    let listed = detail["attachments"].as_array().unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["id"], created["id"]);
    let (_, list) = official.get(&reports_path(f.id)).await;
    let year = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] != interim.id)
        .unwrap()
        .clone();
    assert!(
        year["attachments"].as_array().unwrap().is_empty(),
        "the other report has none"
    );
    assert_eq!(
        count(
            &app.db,
            &format!(
                "attachment WHERE progress_report_id = {} AND original_name = 'deelnemers.pdf'",
                interim.id
            )
        )
        .await,
        1
    );
    assert_eq!(
        count(
            &app.db,
            "audit_log WHERE action = 'attachment.uploaded' AND details LIKE '%: deelnemers.pdf'"
        )
        .await,
        1
    );

    // A file that is not an accepted type, or an empty one, is refused with a message on `file`.
    for (name, data) in [
        ("notities.txt", &b"gewoon tekst"[..]),
        ("leeg.pdf", &b""[..]),
    ] {
        let body = problem(upload_to_report(&official, &path, name, data).await, 422).await;
        assert_eq!(body["errors"][0]["field"], "file", "{name}: {body}");
    }

    // Another municipality does not learn the dossier exists; a reviewer may not add files.
    let other = Api::new(&app, OFFICIAL_B).await;
    problem(upload_to_report(&other, &path, "x.pdf", pdf).await, 404).await;
    let reviewer = Api::new(&app, REVIEWER).await;
    problem(upload_to_report(&reviewer, &path, "x.pdf", pdf).await, 403).await;

    // Once the report is submitted, files can no longer be added.
    let tag = detail["etag"].as_str().unwrap().to_owned();
    let response = submit(
        &official,
        &path,
        &tag,
        Some(&json!({"results": [
            {"kpi_id": reach, "actual": 1},
            {"kpi_id": extra, "actual": 15}
        ]})),
    )
    .await;
    assert_eq!(response.status(), 200, "{:?}", read(response).await);
    problem(
        upload_to_report(&official, &path, "later.pdf", pdf).await,
        409,
    )
    .await;
    assert_eq!(
        count(
            &app.db,
            &format!("attachment WHERE progress_report_id = {}", interim.id)
        )
        .await,
        1,
        "nothing was added by the refused uploads"
    );
}
