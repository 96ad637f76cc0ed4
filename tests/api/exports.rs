//! Exports of the tables ABB sees: CSV (UTF-8 with BOM, `;`, decimal comma) and XLSX (read
//! back with calamine) hold exactly the rows the page's filters select; the dossier prints.

use std::io::Cursor;

use sea_orm::ConnectionTrait;

use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};

use crate::helpers::{ADMIN, Browser, REVIEWER, TestApp, count, spawn_app};
use crate::programme::csv_rows;

/// The first sheet of an XLSX file as text, header row left out.
pub fn read_xlsx(bytes: &[u8]) -> Vec<Vec<String>> {
    let mut workbook: Xlsx<_> =
        open_workbook_from_rs(Cursor::new(bytes.to_vec())).expect("the XLSX opens");
    let range = workbook
        .worksheet_range_at(0)
        .expect("a sheet")
        .expect("readable");
    range
        .rows()
        .skip(1)
        .map(|r| {
            r.iter()
                .map(|c| match c {
                    Data::Empty => String::new(),
                    other => other.to_string(),
                })
                .collect()
        })
        .collect()
}

/// The raw cells of the first sheet (header row included), for type checks.
pub fn xlsx_cells(bytes: &[u8]) -> Vec<Vec<Data>> {
    let mut workbook: Xlsx<_> =
        open_workbook_from_rs(Cursor::new(bytes.to_vec())).expect("the XLSX opens");
    let range = workbook
        .worksheet_range_at(0)
        .expect("a sheet")
        .expect("readable");
    range.rows().map(|r| r.to_vec()).collect()
}

pub async fn download(browser: &Browser, path: &str) -> (reqwest::StatusCode, String, Vec<u8>) {
    let response = browser
        .client
        .get(format!("{}{}", browser.base, path))
        .send()
        .await
        .unwrap();
    let status = response.status();
    let kind = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    (status, kind, response.bytes().await.unwrap().to_vec())
}

async fn both(
    app: &TestApp,
    browser: &Browser,
    path: &str,
) -> (Vec<Vec<String>>, Vec<Vec<String>>) {
    let sep = if path.contains('?') { '&' } else { '?' };
    let (status, kind, csv) = download(browser, &format!("{path}{sep}formaat=csv")).await;
    assert_eq!(status, 200, "{path}");
    assert!(kind.starts_with("text/csv"), "{kind}");
    let (status, kind, xlsx) = download(browser, &format!("{path}{sep}formaat=xlsx")).await;
    assert_eq!(status, 200, "{path}");
    assert!(kind.contains("spreadsheetml"), "{kind}");
    let _ = app;
    (csv_rows(&csv), read_xlsx(&xlsx))
}

#[tokio::test]
async fn the_audit_log_outbox_users_and_calls_export_exactly_their_filtered_rows() {
    let app = spawn_app().await;
    let mut admin = app.signed_in(ADMIN).await;
    // Some audit entries and mails of our own.
    app.dossier_led_by(11002).await;
    let call = crate::calls::first_call(&app).await;
    for reason in ["eerste", "tweede"] {
        let version = crate::calls::first_call(&app).await.version;
        let op = if reason == "eerste" {
            "sluiten"
        } else {
            "openen"
        };
        let response = admin
            .post(
                &format!("/beheer/oproepen/{}/{op}", call.id),
                &[("version", &version.to_string()), ("reason", reason)],
            )
            .await;
        assert_eq!(response.status(), 303);
    }

    let (csv, xlsx) = both(&app, &admin, "/beheer/audit/export?actie=call.").await;
    let expected = count(&app.db, "audit_log WHERE action LIKE 'call.%'").await;
    assert!(expected >= 2);
    assert_eq!(csv.len() as i64, expected);
    assert_eq!(xlsx.len() as i64, expected);
    assert!(csv.iter().all(|r| r[2].starts_with("call.")), "{csv:?}");
    assert!(xlsx.iter().any(|r| r[8] == "eerste"));
    let (status, _, _) = download(&admin, "/beheer/audit/export?van=gisteren&formaat=csv").await;
    assert_eq!(status, 400, "a bad filter is refused, not ignored");

    let (csv, xlsx) = both(&app, &admin, "/beheer/e-mails/export?aan=antwerpen").await;
    let expected = count(&app.db, "email_outbox WHERE to_address LIKE '%antwerpen%'").await;
    assert!(expected >= 2);
    assert_eq!((csv.len() as i64, xlsx.len() as i64), (expected, expected));
    assert!(csv.iter().all(|r| r[1].contains("antwerpen")));

    let (csv, xlsx) = both(&app, &admin, "/beheer/gebruikers/export?rol=reviewer").await;
    assert_eq!(csv.len(), 2, "the two demo reviewers");
    assert_eq!(xlsx.len(), 2);
    assert!(csv.iter().all(|r| r[2] == "beoordelaar ABB"), "{csv:?}");

    let (csv, xlsx) = both(&app, &admin, "/beheer/oproepen/export").await;
    assert_eq!(csv.len(), 2, "two calls");
    assert!(
        csv.iter()
            .any(|r| r[0] == "DEMO-GK-2027-2029" && r[10] == "ja (demo)")
    );
    let (_, _, bytes) = download(&admin, "/beheer/oproepen/export?formaat=xlsx").await;
    let cells = xlsx_cells(&bytes);
    let demo = cells
        .iter()
        .find(|r| r[0] == Data::String("DEMO-GK-2027-2029".into()))
        .unwrap();
    assert_eq!(
        demo[7],
        Data::Float(15_000_000.0),
        "the envelope is a number in euros"
    );
    assert!(
        matches!(demo[4], Data::DateTime(_)),
        "a moment is a date: {:?}",
        demo[4]
    );
    assert_eq!(xlsx.len(), 2);

    // Reviewers may not export admin tables.
    let reviewer = app.signed_in(REVIEWER).await;
    let (status, _, _) = download(&reviewer, "/beheer/audit/export?formaat=csv").await;
    assert_eq!(status, 403);
}

#[tokio::test]
async fn a_dossier_has_a_printable_page_without_navigation_or_forms() {
    let app = spawn_app().await;
    let id = app.dossier_led_by(11002).await;
    let mut reviewer = app.signed_in(REVIEWER).await;
    let (status, html) = reviewer.get(&format!("/dossiers/{id}/afdrukken")).await;
    assert_eq!(status, 200, "{html}");
    let main = &html[html.find("<main").unwrap()..html.find("</main>").unwrap()];
    assert!(!main.contains("<form"), "nothing to fill in on paper");
    assert!(main.contains("PS-TEST-11002"));
    let (_, css) = reviewer.get("/static/app.css").await;
    let print = &css[css.find("@media print").unwrap()..];
    for hidden in [".site-header nav", ".logout", ".no-print", ".site-footer"] {
        assert!(print.contains(hidden), "{hidden} is hidden on paper");
    }
}

#[tokio::test]
async fn the_inbox_exports_every_page_of_its_filtered_dossiers_and_nothing_of_another_call() {
    use entity::application::ApplicationState;
    let app = spawn_app().await;
    let first = crate::programme::call_by_code(&app, "PS-2022-2024").await;
    let second = crate::programme::call_by_code(&app, "DEMO-GK-2027-2029").await;
    let dossier = crate::programme::dossier;
    dossier(
        &app,
        &first,
        "PS-X-1",
        11002,
        &[],
        ApplicationState::Submitted,
        &[("4.3", 2_500_000)],
    )
    .await;
    dossier(
        &app,
        &first,
        "PS-X-2",
        12040,
        &[],
        ApplicationState::InReview,
        &[("1.4", 1_250_000)],
    )
    .await;
    dossier(
        &app,
        &first,
        "PS-X-3",
        44021,
        &[],
        ApplicationState::Submitted,
        &[("4.3", 2_500_000)],
    )
    .await;
    dossier(
        &app,
        &first,
        "PS-X-4",
        12025,
        &[],
        ApplicationState::Draft,
        &[("4.3", 2_500_000)],
    )
    .await;
    dossier(
        &app,
        &second,
        "DEMO-X-1",
        12040,
        &[],
        ApplicationState::Submitted,
        &[("8", 1_000_000)],
    )
    .await;
    let reviewer = app.signed_in(REVIEWER).await;

    let (csv, xlsx) = both(
        &app,
        &reviewer,
        &format!(
            "/beoordeling/export?oproep={}&provincie=Antwerpen",
            first.id
        ),
    )
    .await;
    let references: Vec<&str> = csv.iter().map(|r| r[0].as_str()).collect();
    assert_eq!(
        references,
        ["PS-X-1", "PS-X-2"],
        "Antwerpen province, drafts and Gent left out"
    );
    assert_eq!(xlsx.len(), 2);
    assert_eq!(csv[0][12], "25000,00", "the requested grant as a number");

    let (csv, _) = both(
        &app,
        &reviewer,
        &format!(
            "/beoordeling/export?oproep={}&actie=4.3&status=submitted",
            first.id
        ),
    )
    .await;
    let references: Vec<&str> = csv.iter().map(|r| r[0].as_str()).collect();
    assert_eq!(references, ["PS-X-1", "PS-X-3"]);

    let (csv, _) = both(
        &app,
        &reviewer,
        &format!("/beoordeling/export?oproep={}", second.id),
    )
    .await;
    let references: Vec<&str> = csv.iter().map(|r| r[0].as_str()).collect();
    assert_eq!(references, ["DEMO-X-1"]);

    let (_, html) = {
        let mut b = app.signed_in(REVIEWER).await;
        b.get(&format!(
            "/beoordeling?oproep={}&provincie=Antwerpen",
            first.id
        ))
        .await
    };
    assert!(
        html.contains("/beoordeling/export?oproep="),
        "the page links its export"
    );
    assert!(
        html.contains("provincie=Antwerpen&amp;formaat=csv"),
        "with the same filters"
    );
}

#[tokio::test]
async fn the_payment_and_report_lists_export_their_filtered_rows_and_page_through_the_rest() {
    let app = spawn_app().await;
    assert_eq!(
        samenleven::seed::load_demo_followup(&app.db).await.unwrap(),
        2
    );
    let reviewer = app.signed_in(REVIEWER).await;
    let advances = count(&app.db, "payment WHERE tranche = 'advance'").await;
    assert!(advances > 0, "the demo dossiers have advances");

    let (csv, xlsx) = both(
        &app,
        &reviewer,
        "/opvolging/betalingen/export?schijf=voorschot",
    )
    .await;
    assert_eq!(csv.len() as i64, advances, "{csv:?}");
    assert_eq!(xlsx.len() as i64, advances);
    assert!(csv.iter().all(|r| r[5] == "voorschot"), "{csv:?}");
    let (all, _) = both(&app, &reviewer, "/opvolging/betalingen/export").await;
    assert_eq!(all.len() as i64, count(&app.db, "payment").await);

    let interim = count(&app.db, "progress_report WHERE kind = 'interim'").await;
    let (csv, xlsx) = both(&app, &reviewer, "/opvolging/export?soort=tussentijds").await;
    assert_eq!(csv.len() as i64, interim);
    assert_eq!(xlsx.len() as i64, interim);
    assert!(
        csv.iter()
            .all(|r| r[2].to_lowercase().contains("tussentijds")),
        "{csv:?}"
    );

    // More payments than one page holds: the list pages, its totals cover every page.
    let template = app
        .db
        .query_one_raw(sea_orm::Statement::from_string(
            app.db.get_database_backend(),
            "SELECT application_id, payee_municipality_id FROM payment WHERE tranche = 'advance' ORDER BY id LIMIT 1"
                .to_owned(),
        ))
        .await
        .unwrap()
        .unwrap();
    let application: i64 = template.try_get("", "application_id").unwrap();
    let payee: Option<i64> = template.try_get("", "payee_municipality_id").unwrap();
    for i in 0..60 {
        use sea_orm::{ActiveModelTrait, Set};
        entity::payment::ActiveModel {
            application_id: Set(application),
            year_number: Set(3),
            tranche: Set(entity::payment::Tranche::Balance),
            amount_cents: Set(101 + i),
            state: Set(entity::payment::PaymentState::Scheduled),
            computation: Set(Some("testbetaling".into())),
            payee_municipality_id: Set(payee),
            created_at: Set(chrono::Utc::now()),
            version: Set(1),
            ..Default::default()
        }
        .insert(&app.db)
        .await
        .unwrap();
    }
    let mut reviewer = reviewer;
    let (_, html) = reviewer.get("/opvolging/betalingen?jaar=3").await;
    assert!(html.contains("60 betalingen, pagina 1 van 2"), "{html}");
    // 60 payments of € 1,01 up to € 1,60: € 78,30 in all, on whatever page.
    assert!(html.contains("€ 78,30"), "{html}");
    let (_, html) = reviewer.get("/opvolging/betalingen?jaar=3&pagina=2").await;
    assert!(html.contains("pagina 2 van 2"));
    assert_eq!(html.matches("testbetaling").count(), 10);
    let (csv, _) = both(&app, &reviewer, "/opvolging/betalingen/export?jaar=3").await;
    assert_eq!(csv.len(), 60, "the export holds every page");
    let (csv, _) = both(
        &app,
        &reviewer,
        "/opvolging/betalingen/export?schijf=voorschot",
    )
    .await;
    assert_eq!(csv.len() as i64, advances, "the balances are filtered out");
    let (status, _, _) = download(
        &reviewer,
        "/opvolging/betalingen/export?schijf=advance&formaat=csv",
    )
    .await;
    assert_eq!(status, 400, "an unreadable filter exports nothing");
}

/// The cells of a CSV file as a spreadsheet splits them with `separator`.
fn cells_split_on(csv: &[u8], separator: u8) -> Vec<String> {
    let text = String::from_utf8(csv.to_vec()).expect("UTF-8");
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(separator)
        .has_headers(false)
        .flexible(true)
        .from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    reader
        .records()
        .flat_map(|r| {
            r.expect("a record")
                .iter()
                .map(str::to_owned)
                .collect::<Vec<_>>()
        })
        .collect()
}

#[tokio::test]
async fn an_audit_export_starts_no_formula_whether_opened_with_semicolons_or_commas() {
    let app = spawn_app().await;
    for email in [
        "x,=1+1,",
        "y;@SUM(A1);",
        "z,+cmd|' /C calc'!A0",
        "-2+3@gent.be",
    ] {
        let mut visitor = app.browser();
        let response = visitor.login(email, "niet-het-wachtwoord").await;
        assert_eq!(response.status(), 422, "{email}");
    }
    let admin = Browser::signed_in(&app.address, ADMIN).await;
    let (status, _, csv) = download(&admin, "/beheer/audit/export?formaat=csv").await;
    assert_eq!(status, 200);
    for separator in [b';', b','] {
        let cells = cells_split_on(&csv, separator);
        assert!(cells.len() > 5, "{cells:?}");
        let formulas: Vec<&String> = cells
            .iter()
            .filter(|c| c.starts_with(['=', '+', '-', '@', '\t', '\r']))
            .collect();
        assert!(
            formulas.is_empty(),
            "separator {}: {formulas:?}",
            char::from(separator)
        );
    }
    // As written (`;`), the address is there in full, a `'` before each possible formula.
    let cells = cells_split_on(&csv, b';');
    assert!(cells.iter().any(|c| c == "x,'=1+1,"), "{cells:?}");
    assert!(cells.iter().any(|c| c == "'-2+3@gent.be"), "{cells:?}");
}
