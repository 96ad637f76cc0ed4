//! Issue 2: migrations, seeds, the population import, health, the home page, the CLI.

use samenleven::import::import_population;
use samenleven::seed;

use crate::helpers::{ADMIN, OFFICIAL_A, REVIEWER, count, spawn_app};

const VALID_END_2024: &str = "municipality WHERE valid_from <= '2024-12-31' AND (valid_to IS NULL OR valid_to >= '2024-12-31')";
const VALID_START_2025: &str = "municipality WHERE valid_from <= '2025-01-01' AND (valid_to IS NULL OR valid_to >= '2025-01-01')";

#[tokio::test]
async fn the_health_check_answers_ok_with_the_database_backend() {
    let app = spawn_app().await;
    let response = app.get("/healthz").await;
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["status"], "ok");
    let expected = if app.database_url.starts_with("postgres") {
        "postgresql"
    } else {
        "sqlite"
    };
    assert_eq!(body["database"], expected);
}

#[tokio::test]
async fn the_seed_holds_300_and_285_municipalities_15_regions_and_22_eligible_actions() {
    let app = spawn_app().await;
    assert_eq!(app.count(VALID_END_2024).await, 300);
    assert_eq!(app.count(VALID_START_2025).await, 285);
    assert_eq!(app.count("reference_region").await, 15);
    assert_eq!(
        app.count("action WHERE samenleven_eligible = TRUE").await,
        22
    );
    assert_eq!(
        app.count("call_action WHERE call_id = (SELECT id FROM call WHERE code = 'PS-2022-2024')")
            .await,
        27,
        "the 27 reach lines of ABB's form (issue 21)"
    );
    // The second call: a DEMO under the 2025-2029 plan, whose 56 actions carry indicators.
    assert_eq!(
        app.count("call WHERE code = 'DEMO-GK-2027-2029' AND parameters_fictitious = TRUE")
            .await,
        1
    );
    assert_eq!(
        app.count(
            "call_action WHERE call_id = (SELECT id FROM call WHERE code = 'DEMO-GK-2027-2029')"
        )
        .await,
        7
    );
    assert_eq!(
        app.count("action WHERE plan_id = (SELECT id FROM plan WHERE code = 'HGKBP-2025-2029')")
            .await,
        56
    );
    assert_eq!(
        app.count("action WHERE indicators IS NOT NULL").await,
        55,
        "every 2025-2029 action but 51 (worked out under 46)"
    );
    assert_eq!(app.count("population_figure").await, 600);
    assert_eq!(
        app.count(
            "population_figure WHERE non_eu15_fictitious = TRUE AND non_eu15_residents IS NOT NULL"
        )
        .await,
        300
    );
    // The 28 municipalities that merged on 1 January 2025 point to their successor.
    assert_eq!(
        app.count("municipality WHERE valid_to = '2024-12-31' AND successor_id IS NOT NULL")
            .await,
        27,
        "27 merged away; Antwerpen (11002) continues and absorbs Borsbeek"
    );
    // Every municipality of 2019-2024 and 2025 is in exactly one reference region on a given day.
    assert_eq!(
        app.count("region_membership WHERE valid_from <= '2022-06-01' AND (valid_to IS NULL OR valid_to >= '2022-06-01')")
            .await,
        300
    );
    assert_eq!(
        app.count("region_membership WHERE valid_from <= '2025-06-01' AND (valid_to IS NULL OR valid_to >= '2025-06-01')")
            .await,
        285
    );
}

#[tokio::test]
async fn seeding_twice_inserts_nothing_the_second_time() {
    let app = spawn_app().await;
    let before = (
        app.count("municipality").await,
        app.count("region_membership").await,
        app.count("population_figure").await,
        app.count("action").await,
        app.count("app_user").await,
        app.count("call").await,
    );
    let report = seed::load_all(&app.db, true)
        .await
        .expect("second seed run");
    assert_eq!(report, seed::SeedReport::default());
    let after = (
        app.count("municipality").await,
        app.count("region_membership").await,
        app.count("population_figure").await,
        app.count("action").await,
        app.count("app_user").await,
        app.count("call").await,
    );
    assert_eq!(before, after);
}

#[tokio::test]
async fn zwijndrecht_is_in_regio_antwerpen_in_2022_and_in_waasland_from_2023() {
    let app = spawn_app().await;
    let region_on = |day: &'static str| {
        format!(
            "region_membership rm JOIN municipality m ON m.id = rm.municipality_id \
             JOIN reference_region r ON r.id = rm.reference_region_id \
             WHERE m.nis_code = 11056 AND r.name = '{{}}' AND rm.valid_from <= '{day}' \
             AND (rm.valid_to IS NULL OR rm.valid_to >= '{day}')"
        )
    };
    assert_eq!(
        app.count(&region_on("2022-06-01").replace("{}", "Regio Antwerpen"))
            .await,
        1
    );
    assert_eq!(
        app.count(&region_on("2023-06-01").replace("{}", "Waasland"))
            .await,
        1
    );
}

#[tokio::test]
async fn a_good_population_file_is_imported_with_its_source() {
    let app = spawn_app().await;
    let csv = "nis_code,residents,non_eu15_residents\n11002,530000,210000\n44021,262000,\n";
    let summary = import_population(&app.db, csv, 2022, "Statistiek Vlaanderen, test")
        .await
        .unwrap()
        .expect("accepted");
    assert_eq!((summary.inserted, summary.updated), (2, 0));
    assert_eq!(
        app.count("population_figure WHERE reference_year = 2022 AND non_eu15_source = 'Statistiek Vlaanderen, test' AND non_eu15_fictitious = FALSE")
            .await,
        1
    );
    assert_eq!(
        app.count("population_figure WHERE reference_year = 2022 AND residents = 262000 AND non_eu15_residents IS NULL")
            .await,
        1
    );
}

#[tokio::test]
async fn a_real_figure_replaces_a_fictitious_one_and_loses_the_label() {
    let app = spawn_app().await;
    let csv = "nis_code,non_eu15_residents\n11002,200123\n";
    let summary = import_population(
        &app.db,
        csv,
        2020,
        "Statistiek Vlaanderen, bevolking naar herkomst 2020",
    )
    .await
    .unwrap()
    .expect("accepted");
    assert_eq!(summary.updated, 1);
    assert_eq!(
        app.count("population_figure f JOIN municipality m ON m.id = f.municipality_id WHERE m.nis_code = 11002 AND f.reference_year = 2020 AND f.non_eu15_residents = 200123 AND f.non_eu15_fictitious = FALSE AND f.residents = 529247")
            .await,
        1
    );
}

#[tokio::test]
async fn a_file_with_a_bad_row_names_the_line_and_imports_nothing() {
    let app = spawn_app().await;
    let before = app.count("population_figure").await;
    let csv = "nis_code,residents,non_eu15_residents\n11002,530000,210000\n4402,262000,1000\n";
    let rejection = import_population(&app.db, csv, 2022, "test")
        .await
        .unwrap()
        .expect_err("refused");
    assert_eq!(rejection.errors.len(), 1);
    assert_eq!(rejection.errors[0].line, 3);
    assert!(rejection.to_string().contains("regel 3"));
    assert_eq!(app.count("population_figure").await, before);
    assert_eq!(
        app.count("population_figure WHERE reference_year = 2022")
            .await,
        0
    );
}

#[tokio::test]
async fn the_import_command_refuses_a_bad_file_and_reports_the_line() {
    let app = spawn_app().await;
    let file = app.data_dir.path().join("bad.csv");
    std::fs::write(&file, "nis_code,residents\n11002,12\n11002,13\n").unwrap();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_samenleven"))
        .args([
            "import-population",
            file.to_str().unwrap(),
            "--year",
            "2021",
            "--source",
            "test",
        ])
        .env("DATABASE_URL", &app.database_url)
        .env("DATA_DIR", app.data_dir.path())
        .env("RUST_LOG", "error")
        .output()
        .expect("run the binary");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("regel 3"), "{stderr}");
    assert_eq!(
        count(&app.db, "population_figure WHERE reference_year = 2021").await,
        0
    );
}

#[tokio::test]
async fn the_home_page_is_dutch_shows_the_call_and_labels_demo_figures_fictitious() {
    let app = spawn_app().await;
    let (status, html) = app.get_html("/").await;
    assert_eq!(status, 200);
    assert!(html.contains("<html lang=\"nl\">"));
    assert!(html.contains("Provisie Samenleven 2022-2024"));
    assert!(html.contains("fictief"));
    assert!(html.contains("open voor indiening"));
}

#[tokio::test]
async fn the_home_page_leads_each_role_to_its_work() {
    let app = spawn_app().await;
    let (_, anonymous) = app.get_html("/").await;
    assert!(!anonymous.contains("Naar Mijn gemeente"));
    assert!(!anonymous.contains("Naar de beoordeling"));
    assert!(anonymous.contains("href=\"/aanmelden\""));

    let (status, html) = app.signed_in(OFFICIAL_A).await.get("/").await;
    assert_eq!(status, 200);
    assert!(html.contains("<a class=\"button\" href=\"/gemeente\">Naar Mijn gemeente</a>"));
    assert!(!html.contains("Naar de beoordeling"));

    for email in [REVIEWER, ADMIN] {
        let (status, html) = app.signed_in(email).await.get("/").await;
        assert_eq!(status, 200);
        assert!(
            html.contains("<a class=\"button\" href=\"/beoordeling\">Naar de beoordeling</a>"),
            "{email}"
        );
        assert!(!html.contains("Naar Mijn gemeente"), "{email}");
    }
}

#[tokio::test]
async fn every_page_carries_the_security_headers() {
    let app = spawn_app().await;
    let response = app.get("/").await;
    let headers = response.headers();
    let csp = headers["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("default-src 'self'"));
    assert!(!csp.contains("unsafe-inline"));
    assert_eq!(headers["x-frame-options"], "DENY");
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(headers["referrer-policy"], "same-origin");
}

#[tokio::test]
async fn an_unknown_page_gets_a_dutch_404() {
    let app = spawn_app().await;
    let (status, html) = app.get_html("/bestaat-niet").await;
    assert_eq!(status, 404);
    assert!(html.contains("Pagina niet gevonden"));
}
