//! Issue 19, the hostile tester's input: numbers too large to store (item 5), page numbers past
//! any range (item 6), control characters in text (item 7), budget sums that wrapped around
//! (item 10), e-mail addresses a provider would refuse (item 14), and collections and JSON
//! bodies without limits (item 16). Every answer is a Dutch 4xx with the field, never a 500,
//! on both databases.

use reqwest::{Method, StatusCode};
use sea_orm::EntityTrait;
use serde_json::{Value, json};

use entity::progress_report::ReportKind;

use crate::api_v1::{Api, create_draft, etag_of, filled, open_call, problem};
use crate::followup::{Spec, approved, file_report, report};
use crate::helpers::{ADMIN, Browser, OFFICIAL_A, OFFICIAL_B, REVIEWER, count, exec, spawn_app};
use crate::journey::{add_action, field_value, save_action, start};

const ANTWERPEN: i32 = 11002;
const TOO_LARGE: &str = "Dit getal is te groot";

fn one_action() -> [Spec; 1] {
    [Spec {
        code: "4.3",
        planned: 4,
        requested: 10_000_000,
        granted: "100.000,00",
        extra: Some((10, 20)),
    }]
}

/// The messages of a problem document's `errors`, by field.
fn errors_of(problem: &Value) -> Vec<(String, String)> {
    problem["errors"]
        .as_array()
        .map(|list| {
            list.iter()
                .map(|e| {
                    (
                        e["field"].as_str().unwrap_or_default().to_owned(),
                        e["message"].as_str().unwrap_or_default().to_owned(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

fn message_for<'a>(errors: &'a [(String, String)], field: &str) -> &'a str {
    errors
        .iter()
        .find(|(f, _)| f == field)
        .map(|(_, m)| m.as_str())
        .unwrap_or_else(|| panic!("no error for {field} in {errors:?}"))
}

/// The current ETag of `dossier` over the API.
async fn current_tag(api: &Api, dossier: &str) -> String {
    let response = api
        .request(Method::GET, &format!("/api/v1/dossiers/{dossier}"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    etag_of(&response)
}

// ------------------------------------------------------------------ item 5: numbers that do not fit

#[tokio::test]
async fn a_kpi_value_too_large_for_storage_is_a_field_error_in_the_report_form() {
    let app = spawn_app().await;
    let f = approved(&app, ANTWERPEN, &[], 1, &one_action()).await;
    let (reach, extra) = (f.actions[0].1[0], f.actions[0].1[1]);
    let interim = report(&app, f.id, 1, ReportKind::Interim).await;
    let mut official = app.signed_in(OFFICIAL_A).await;
    for action in ["bewaren", "indienen"] {
        let response = file_report(
            &mut official,
            f.id,
            interim.id,
            &[
                (reach, "18.446.744.073.709.551,615", "Een motivatie."),
                (extra, "15", ""),
            ],
            action,
        )
        .await;
        assert_eq!(
            response.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{action}"
        );
        let html = response.text().await.unwrap();
        assert!(html.contains(TOO_LARGE), "{html}");
        assert!(
            html.contains("1.000.000.000"),
            "the message names the maximum"
        );
    }
    assert_eq!(
        count(&app.db, "kpi_result").await,
        0,
        "nothing is stored, certainly not NULL"
    );
    assert_eq!(
        report(&app, f.id, 1, ReportKind::Interim).await.state,
        interim.state,
        "the report is not submitted"
    );
}

#[tokio::test]
async fn a_kpi_value_too_large_for_storage_is_a_field_error_over_the_api() {
    let app = spawn_app().await;
    let f = approved(&app, ANTWERPEN, &[], 1, &one_action()).await;
    let reach = f.actions[0].1[0];
    let interim = report(&app, f.id, 1, ReportKind::Interim).await;
    let official = Api::new(&app, OFFICIAL_A).await;
    let path = format!("/api/v1/dossiers/{}/reports/{}", f.id, interim.id);
    let response = official.request(Method::GET, &path).send().await.unwrap();
    let tag = etag_of(&response);
    let response = official
        .send_json(
            Method::PUT,
            &path,
            Some(&tag),
            &json!({"results": [{"kpi_id": reach, "actual": 9_300_000_000_000_000_u64}]}),
        )
        .await;
    let body = problem(response, 422).await;
    let errors = errors_of(&body);
    assert!(
        message_for(&errors, "results[0].actual").contains(TOO_LARGE),
        "{errors:?}"
    );
    assert_eq!(count(&app.db, "kpi_result").await, 0, "nothing stored");
}

#[tokio::test]
async fn a_kpi_value_too_large_for_storage_in_a_dossiers_plan_is_refused_not_dropped() {
    let app = spawn_app().await;
    let official = Api::new(&app, OFFICIAL_A).await;
    let call = open_call(&official).await;
    let (id, tag) = create_draft(&official, &call["id"]).await;
    let mut body = filled(&call);
    body["actions"][0]["kpis"][0]["baseline"] = json!(9_300_000_000_000_000_u64);
    body["actions"][0]["kpis"][0]["target"] = json!(1e30);
    let response = official
        .send_json(
            Method::PATCH,
            &format!("/api/v1/dossiers/{id}"),
            Some(&tag),
            &body,
        )
        .await;
    let refused = problem(response, 422).await;
    let errors = errors_of(&refused);
    for field in ["actions[0].kpis[0].baseline", "actions[0].kpis[0].target"] {
        assert!(
            message_for(&errors, field).contains(TOO_LARGE),
            "{errors:?}"
        );
    }
    assert_eq!(
        count(&app.db, "application_action").await,
        0,
        "nothing saved"
    );
}

#[tokio::test]
async fn every_number_of_an_action_and_its_kpis_refuses_values_too_large_in_the_form_and_the_api() {
    let app = spawn_app().await;
    let mut official = app.signed_in(OFFICIAL_A).await;
    let dossier = start(&app, &mut official).await;
    let action = add_action(&app, &mut official, &dossier, "4.3").await;
    for (field, value) in [
        ("priority", "99999999999999999999"),
        ("baseline_reach", "4294967295"),
        ("planned_reach", "4.294.967.296"),
        ("own_contribution", "92.233.720.368.547.758,07"),
    ] {
        let mut fields = vec![
            ("priority", "1"),
            ("baseline_reach", "0"),
            ("planned_reach", "1"),
            ("own_contribution", "1.000,00"),
            ("description", "Taalcoaching."),
        ];
        for f in &mut fields {
            if f.0 == field {
                f.1 = value;
            }
        }
        let response = save_action(&mut official, &dossier, &action, &fields).await;
        assert_eq!(response.status(), 422, "{field} = {value}");
        let html = response.text().await.unwrap();
        assert!(html.contains(TOO_LARGE), "{field}: {html}");
    }
    // A KPI's baseline and target in the form.
    let (_, html) = official
        .get(&format!("/dossiers/{dossier}/acties/{action}"))
        .await;
    let date = field_value(&html, "target_date");
    let response = official
        .post(
            &format!("/dossiers/{dossier}/acties/{action}/kpis"),
            &[
                ("indicator", "Deelnemers"),
                ("unit", "personen"),
                ("baseline", "0"),
                ("target", "18.446.744.073.709.551,615"),
                ("target_date", date.as_str()),
                ("measurement", "Telling"),
                ("version", "1"),
            ],
        )
        .await;
    assert_eq!(response.status(), 422);
    assert!(response.text().await.unwrap().contains(TOO_LARGE));

    // The same numbers over the API.
    let api = Api::new(&app, OFFICIAL_A).await;
    let call = open_call(&api).await;
    exec(&app, "DELETE FROM kpi").await;
    exec(&app, "DELETE FROM application_action").await;
    let (id, tag) = (dossier.clone(), current_tag(&api, &dossier).await);
    for (field, value) in [
        ("priority", json!(100_000_000_000_000_000_000_f64)),
        ("baseline_reach", json!(4_294_967_295_u64)),
        ("planned_reach", json!(18_446_744_073_709_551_615_u64)),
        ("own_contribution_cents", json!(i64::MAX)),
    ] {
        let mut body = filled(&call);
        body["actions"][0][field] = value;
        let response = api
            .send_json(
                Method::PATCH,
                &format!("/api/v1/dossiers/{id}"),
                Some(&tag),
                &body,
            )
            .await;
        let refused = problem(response, 422).await;
        let errors = errors_of(&refused);
        assert!(
            message_for(&errors, &format!("actions[0].{field}")).contains(TOO_LARGE),
            "{field}: {errors:?}"
        );
    }
    assert_eq!(
        count(&app.db, "application_action").await,
        0,
        "nothing saved"
    );
}

// ------------------------------------------------------------------ item 6: page numbers

#[tokio::test]
async fn a_page_number_past_any_range_shows_the_last_page_of_each_list() {
    let app = spawn_app().await;
    // Something in each list: an approved dossier has reports and an advance payment.
    approved(&app, ANTWERPEN, &[], 1, &one_action()).await;
    let mut reviewer = app.signed_in(REVIEWER).await;
    for path in ["/beoordeling", "/opvolging", "/opvolging/betalingen"] {
        let (status, first) = reviewer.get(path).await;
        assert_eq!(status, 200, "{path}");
        assert!(first.contains("PS-OPV-11002"), "{path} lists the fixture");
        let huge = format!("{path}?pagina=9223372036854775807");
        let (status, html) = reviewer.get(&huge).await;
        assert_eq!(status, 200, "{huge}");
        assert!(html.contains("PS-OPV-11002"), "{huge} shows the last page");
        assert!(!html.contains("pagina=9223372036854775806"), "{huge}");
        for odd in ["-1", "0", "abc", "18446744073709551616"] {
            let (status, _) = reviewer.get(&format!("{path}?pagina={odd}")).await;
            assert_eq!(status, 200, "{path}?pagina={odd}");
        }
    }
}

// ------------------------------------------------------------------ item 7: control characters

const CONTROL_MESSAGE: &str = "stuurteken";

#[tokio::test]
async fn a_control_character_in_any_text_input_is_a_dutch_4xx_never_a_500() {
    let app = spawn_app().await;
    let nul = "a\u{0}b@example.com";
    // Anonymous forms.
    for (page, path) in [
        ("/aanmelden", "/aanmelden"),
        ("/wachtwoord-vergeten", "/wachtwoord-vergeten"),
    ] {
        let mut anonymous = app.browser();
        anonymous.get(page).await;
        let response = anonymous
            .post(path, &[("email", nul), ("password", "samenleven-demo")])
            .await;
        assert_eq!(response.status(), 422, "{path}");
        let html = response.text().await.unwrap();
        assert!(html.contains(CONTROL_MESSAGE), "{path}: {html}");
        assert!(html.contains("email"), "{path} names the field");
    }
    // The dossier title in the form.
    let mut official = app.signed_in(OFFICIAL_A).await;
    let dossier = start(&app, &mut official).await;
    let (_, html) = official.get(&format!("/dossiers/{dossier}/algemeen")).await;
    let version = field_value(&html, "version");
    let response = official
        .post(
            &format!("/dossiers/{dossier}/algemeen"),
            &[
                ("version", version.as_str()),
                ("title", "Samen\u{0}leven"),
                ("summary", "Taal en werk."),
                ("contact_name", "Els Verbeke"),
                ("contact_email", "els@antwerpen.be"),
                ("first_project_year", "1"),
                ("last_project_year", "1"),
            ],
        )
        .await;
    assert_eq!(response.status(), 422, "dossier title");
    assert!(response.text().await.unwrap().contains(CONTROL_MESSAGE));
    // Query strings of the lists.
    let mut reviewer = app.signed_in(REVIEWER).await;
    let mut admin = app.signed_in(ADMIN).await;
    for (who, path) in [
        ("reviewer", "/beoordeling?zoek=a%00b"),
        ("reviewer", "/beoordeling?provincie=a%00b"),
        ("admin", "/beheer/audit?wie=a%00b"),
        ("admin", "/beheer/audit?actie=a%00b"),
        ("admin", "/beheer/gebruikers?q=a%00b"),
        ("admin", "/beheer/gebruikers?q=a%7Fb"),
        ("admin", "/beheer/gebruikers?q=a%C2%85b"),
    ] {
        let browser: &mut Browser = if who == "admin" {
            &mut admin
        } else {
            &mut reviewer
        };
        let (status, html) = browser.get(path).await;
        assert_eq!(status, 422, "{path}");
        assert!(html.contains(CONTROL_MESSAGE), "{path}: {html}");
    }
    // The dossier title over the API.
    let api = Api::new(&app, OFFICIAL_A).await;
    let tag = current_tag(&api, &dossier).await;
    let call = open_call(&api).await;
    let mut body = filled(&call);
    body["general"]["title"] = json!("Samen\u{0}leven");
    let response = api
        .send_json(
            Method::PATCH,
            &format!("/api/v1/dossiers/{dossier}"),
            Some(&tag),
            &body,
        )
        .await;
    let refused = problem(response, 400).await;
    let errors = errors_of(&refused);
    assert!(
        message_for(&errors, "general.title").contains(CONTROL_MESSAGE),
        "{errors:?}"
    );
    assert_eq!(
        count(&app.db, "application_action").await,
        0,
        "nothing saved"
    );
}

/// Saves the general section of `dossier` with `title`, a two-line summary and `email`.
async fn save_general(
    official: &mut Browser,
    dossier: &str,
    title: &str,
    email: &str,
) -> reqwest::Response {
    let (_, html) = official.get(&format!("/dossiers/{dossier}/algemeen")).await;
    let version = field_value(&html, "version");
    official
        .post(
            &format!("/dossiers/{dossier}/algemeen"),
            &[
                ("version", version.as_str()),
                ("title", title),
                ("summary", "Taal.\r\nWerk.\tOntmoeting."),
                ("contact_name", "Els Verbeke"),
                ("contact_email", email),
                ("first_project_year", "1"),
                ("last_project_year", "1"),
            ],
        )
        .await
}

#[tokio::test]
async fn a_line_break_in_a_one_line_field_is_a_field_error_but_a_summary_may_have_lines() {
    let app = spawn_app().await;
    let mut official = app.signed_in(OFFICIAL_A).await;
    let dossier = start(&app, &mut official).await;
    let response = save_general(
        &mut official,
        &dossier,
        "Samen\r\nleven",
        "els@antwerpen.be",
    )
    .await;
    assert_eq!(response.status(), 422);
    let html = response.text().await.unwrap();
    assert!(html.contains("op één regel"), "{html}");
    let response = save_general(&mut official, &dossier, "Samenleven", "els@antwerpen.be").await;
    assert_eq!(response.status(), 303, "a summary keeps its lines and tabs");
}

#[test]
fn typed_input_is_only_read_through_the_extractors_that_check_text() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut offenders = Vec::new();
    let mut stack = vec![root];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs")
                || path.ends_with("web/form.rs")
                || path.ends_with("api/extract.rs")
            {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            for (n, line) in text.lines().enumerate() {
                let uses_axum = line.contains("axum::Form")
                    || line.contains("axum::extract::Query")
                    || line.contains("axum::extract::RawForm")
                    || (line.trim_start().starts_with("use axum::")
                        && line
                            .split(|c: char| !c.is_alphanumeric() && c != '_')
                            .any(|w| ["Form", "Query", "RawForm"].contains(&w)));
                if uses_axum {
                    offenders.push(format!("{}:{}: {line}", path.display(), n + 1));
                }
            }
        }
    }
    assert!(
        offenders.is_empty(),
        "read forms and queries with web::form::{{Form, Query, RawForm}} (and the API's with \
         api::extract), which refuse control characters:\n{}",
        offenders.join("\n")
    );
}

// ------------------------------------------------------------------ item 10: money

#[tokio::test]
async fn budget_sums_never_wrap_around_on_the_check_and_print_pages() {
    let app = spawn_app().await;
    let mut official = app.signed_in(OFFICIAL_A).await;
    let dossier = start(&app, &mut official).await;
    add_action(&app, &mut official, &dossier, "4.3").await;
    add_action(&app, &mut official, &dossier, "3.1").await;
    // Amounts stored before the maximum existed (or by hand).
    exec(
        &app,
        "UPDATE application_action SET own_contribution_cents = 9223372036854775807",
    )
    .await;
    for path in ["controle", "afdrukken", "begroting"] {
        let (status, html) = official.get(&format!("/dossiers/{dossier}/{path}")).await;
        assert_eq!(status, 200, "{path}");
        assert!(
            !html.contains("€ -"),
            "{path} shows no negative sum: {html}"
        );
    }
}

#[tokio::test]
async fn an_amount_above_the_maximum_is_a_field_error_in_the_form_and_over_the_api() {
    let app = spawn_app().await;
    let mut official = app.signed_in(OFFICIAL_A).await;
    let dossier = start(&app, &mut official).await;
    let action = add_action(&app, &mut official, &dossier, "4.3").await;
    let fields = |own: &'static str| {
        vec![
            ("priority", "1"),
            ("baseline_reach", "0"),
            ("planned_reach", "1"),
            ("own_contribution", own),
            ("description", "Taalcoaching."),
        ]
    };
    let response = save_action(
        &mut official,
        &dossier,
        &action,
        &fields("1.000.000.000,01"),
    )
    .await;
    assert_eq!(response.status(), 422);
    let html = response.text().await.unwrap();
    assert!(
        html.contains("€ 1.000.000.000,00"),
        "names the maximum: {html}"
    );
    let response = save_action(
        &mut official,
        &dossier,
        &action,
        &fields("1.000.000.000,00"),
    )
    .await;
    assert_eq!(response.status(), 303, "the maximum itself is fine");

    let api = Api::new(&app, OFFICIAL_A).await;
    let call = open_call(&api).await;
    let tag = current_tag(&api, &dossier).await;
    let mut body = filled(&call);
    body["actions"][0]["own_contribution_cents"] = json!(100_000_000_001_i64);
    let response = api
        .send_json(
            Method::PATCH,
            &format!("/api/v1/dossiers/{dossier}"),
            Some(&tag),
            &body,
        )
        .await;
    let refused = problem(response, 422).await;
    let errors = errors_of(&refused);
    assert!(
        message_for(&errors, "actions[0].own_contribution_cents").contains("€ 1.000.000.000,00"),
        "{errors:?}"
    );
}

// ------------------------------------------------------------------ item 14: e-mail addresses

#[tokio::test]
async fn the_general_section_refuses_addresses_a_mail_provider_would_refuse() {
    let app = spawn_app().await;
    let mut official = app.signed_in(OFFICIAL_A).await;
    let dossier = start(&app, &mut official).await;
    for bad in [
        "evil@example.com>",
        "a\"b@example.com",
        "x@[127.0.0.1]",
        "x@localhost",
        "<x@example.com>",
        "Els <els@example.com>",
        "els@example.com, ander@example.com",
        "els@@example.com",
        "els@example..com",
        "els@-example.com",
        "els@example.com\r\nBcc: ander@example.com",
    ] {
        let response = save_general(&mut official, &dossier, "Samen sterker", bad).await;
        assert_eq!(response.status(), 422, "{bad:?}");
        let html = response.text().await.unwrap();
        assert!(
            html.contains("Vul een geldig e-mailadres in"),
            "{bad:?}: {html}"
        );
    }
    assert_eq!(
        count(&app.db, "application WHERE contact_email IS NOT NULL").await,
        0,
        "no address was saved"
    );
}

#[tokio::test]
async fn a_stored_address_a_provider_would_refuse_is_never_mailed() {
    let app = spawn_app().await;
    let bad = [
        "x@[127.0.0.1]",
        "a\"b@example.com",
        "x@localhost",
        "evil@example.com>",
    ];
    for to in bad {
        samenleven::mail::enqueue(
            &app.db,
            samenleven::mail::OutgoingMail {
                to: to.into(),
                subject: "Test".into(),
                body_text: "Hallo".into(),
                related: None,
            },
        )
        .await
        .unwrap();
    }
    let mut waited = 0;
    while count(
        &app.db,
        "email_outbox WHERE state IN ('pending', 'sending')",
    )
    .await
        > 0
        && waited < 150
    {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        waited += 1;
    }
    assert_eq!(
        count(&app.db, "email_outbox WHERE state = 'failed'").await,
        4,
        "the outbox marks each failed instead of sending it"
    );
    let mails = app.smtp.mails().await;
    assert!(
        mails.is_empty(),
        "nothing reached the SMTP server: {mails:?}"
    );
}

// ------------------------------------------------------------------ item 16: collections and bodies

#[tokio::test]
async fn an_action_takes_at_most_twenty_kpis_over_the_api_and_in_the_form() {
    let app = spawn_app().await;
    let api = Api::new(&app, OFFICIAL_A).await;
    let call = open_call(&api).await;
    let (id, tag) = create_draft(&api, &call["id"]).await;
    let mut body = filled(&call);
    // Small KPIs, so two thousand fit in the body limit.
    let kpi = json!({
        "indicator": "x",
        "unit": "x",
        "baseline": 0,
        "target": 1,
        "target_date": call["period_end"],
        "measurement": "x",
    });
    body["actions"][0]["kpis"] = Value::Array(vec![kpi.clone(); 2_000]);
    let response = api
        .send_json(
            Method::PATCH,
            &format!("/api/v1/dossiers/{id}"),
            Some(&tag),
            &body,
        )
        .await;
    let refused = problem(response, 422).await;
    let errors = errors_of(&refused);
    assert_eq!(errors.len(), 1, "one message, not one per KPI: {errors:?}");
    assert!(
        message_for(&errors, "actions[0].kpis").contains("hoogstens 20"),
        "{errors:?}"
    );
    body["actions"][0]["kpis"] = Value::Array(vec![kpi; 20]);
    let response = api
        .send_json(
            Method::PATCH,
            &format!("/api/v1/dossiers/{id}"),
            Some(&tag),
            &body,
        )
        .await;
    assert_eq!(response.status(), 200, "twenty is fine");

    // In the form: the reach KPI and 19 others make 20; a 21st is refused. The first line of
    // the body is 3.1a (the call lists its lines by code).
    let mut official = app.signed_in(OFFICIAL_A).await;
    let dossier = id.to_string();
    let action = crate::journey::action_id(&mut official, &dossier, "3.1a").await;
    let (_, html) = official
        .get(&format!("/dossiers/{dossier}/acties/{action}"))
        .await;
    let date = field_value(&html, "target_date");
    let response = official
        .post(
            &format!("/dossiers/{dossier}/acties/{action}/kpis"),
            &[
                ("indicator", "Nog een"),
                ("unit", "personen"),
                ("baseline", "0"),
                ("target", "5"),
                ("target_date", date.as_str()),
                ("measurement", "Telling"),
                ("version", "1"),
            ],
        )
        .await;
    assert_eq!(response.status(), 422);
    assert!(response.text().await.unwrap().contains("hoogstens 20"));
}

#[tokio::test]
async fn an_update_lists_at_most_as_many_actions_as_the_call_has() {
    let app = spawn_app().await;
    let api = Api::new(&app, OFFICIAL_A).await;
    let call = open_call(&api).await;
    let (id, tag) = create_draft(&api, &call["id"]).await;
    let mut body = filled(&call);
    let action = body["actions"][0].clone();
    body["actions"] = Value::Array(vec![action; 500]);
    let response = api
        .send_json(
            Method::PATCH,
            &format!("/api/v1/dossiers/{id}"),
            Some(&tag),
            &body,
        )
        .await;
    let refused = problem(response, 422).await;
    let errors = errors_of(&refused);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        message_for(&errors, "actions").contains("hoogstens"),
        "{errors:?}"
    );
}

#[tokio::test]
async fn a_json_body_that_is_not_an_object_is_a_bad_request_problem() {
    let app = spawn_app().await;
    let api = Api::new(&app, OFFICIAL_A).await;
    let f = approved(&app, ANTWERPEN, &[], 1, &one_action()).await;
    let (id, tag) = (f.id, "\"1-x\"");
    for body in ["[]", "[{}]", "\"x\"", "1", "null", "true"] {
        for (method, path) in [
            (Method::PATCH, format!("/api/v1/dossiers/{id}")),
            (Method::POST, "/api/v1/dossiers".to_owned()),
        ] {
            let response = api
                .request(method.clone(), &path)
                .header("if-match", tag)
                .header("content-type", "application/json")
                .body(body)
                .send()
                .await
                .unwrap();
            let refused = problem(response, 400).await;
            assert!(
                refused["detail"].as_str().unwrap().contains("object"),
                "{method} {path} {body}: {refused}"
            );
        }
    }
    let interim = report(&app, f.id, 1, ReportKind::Interim).await;
    let path = format!("/api/v1/dossiers/{}/reports/{}", f.id, interim.id);
    let response = api.request(Method::GET, &path).send().await.unwrap();
    let tag = etag_of(&response);
    let response = api
        .request(Method::PUT, &path)
        .header("if-match", &tag)
        .header("content-type", "application/json")
        .body("[]")
        .send()
        .await
        .unwrap();
    problem(response, 400).await;
}

#[tokio::test]
async fn a_dossier_takes_at_most_fifty_attachments() {
    let app = spawn_app().await;
    let mut official = app.signed_in(OFFICIAL_A).await;
    let dossier = start(&app, &mut official).await;
    let uploader = crate::helpers::user_id(&app.db, OFFICIAL_A).await;
    let now = match app.db.get_database_backend() {
        sea_orm::DbBackend::Postgres => "CAST('2024-01-01 00:00:00+00' AS TIMESTAMPTZ)",
        _ => "'2024-01-01 00:00:00+00:00'",
    };
    for i in 0..50 {
        exec(
            &app,
            &format!(
                "INSERT INTO attachment (application_id, kind, original_name, stored_name, content_type, size_bytes, sha256, uploaded_by, uploaded_at) \
                 VALUES ({dossier}, 'other', 'bijlage-{i}.pdf', 'stored-{i}', 'application/pdf', 10, 'x', {uploader}, {now})"
            ),
        )
        .await;
    }
    let api = Api::new(&app, OFFICIAL_A).await;
    let pdf: &[u8] =
        b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";
    let response = api
        .request(
            Method::POST,
            &format!("/api/v1/dossiers/{dossier}/attachments"),
        )
        .header(
            "content-type",
            format!(
                "multipart/form-data; boundary={}",
                crate::attachments::BOUNDARY
            ),
        )
        .body(crate::attachments::multipart_body(&[
            crate::attachments::text("kind", "other"),
            crate::attachments::file("nog-een.pdf", "application/pdf", pdf),
        ]))
        .send()
        .await
        .unwrap();
    let refused = problem(response, 422).await;
    assert!(refused.to_string().contains("hoogstens 50"), "{refused}");
    assert_eq!(
        count(
            &app.db,
            &format!("attachment WHERE application_id = {dossier}")
        )
        .await,
        50
    );
}

#[tokio::test]
async fn a_cooperation_invites_at_most_the_rest_of_its_region() {
    let app = spawn_app().await;
    let mut lead = app.signed_in(OFFICIAL_B).await;
    lead.get("/gemeente").await;
    let dossiers = count(&app.db, "application").await;
    let nis_codes: Vec<String> = entity::municipality::Entity::find()
        .all(&app.db)
        .await
        .unwrap()
        .iter()
        .map(|m| m.nis_code.to_string())
        .collect();
    assert!(nis_codes.len() > 100, "the whole directory");
    let call = crate::journey::call_id(&app).await;
    let response = lead
        .post(
            "/samenwerkingen",
            &[
                ("call_id", call.as_str()),
                ("members", &nis_codes.join(",")),
            ],
        )
        .await;
    assert_eq!(response.status(), 400, "refused before any invitation");
    assert!(
        response.text().await.unwrap().contains("hoogstens"),
        "the page says how many"
    );
    assert_eq!(
        count(&app.db, "application").await,
        dossiers,
        "nothing started"
    );
}
