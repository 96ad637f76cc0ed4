//! Signing in through the Flemish government, the parts that need no OpenID provider: the
//! sign-in page, turning passwords off, the answers the callback refuses before it ever asks
//! the provider, an unreachable provider, and the organisation codes (CSV import and the admin
//! page). The flows against a real provider are in `tests/oidc` (`cargo test --test oidc`).

use crate::helpers::{ADMIN, Browser, OFFICIAL_A, TestApp, count, exec, spawn_app, spawn_app_with};

/// OIDC settings for a provider on a port nobody listens on.
fn unreachable_provider(extra: &[(&'static str, &str)]) -> Vec<(&'static str, String)> {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port");
    let mut pairs = vec![
        (
            "OIDC_DISCOVERY_URL",
            format!("http://127.0.0.1:{port}/.well-known/openid-configuration"),
        ),
        ("OIDC_CLIENT_ID", "samenleven".to_owned()),
        ("OIDC_CLIENT_SECRET", "geheim".to_owned()),
        (
            "OIDC_REDIRECT_URL",
            "http://127.0.0.1:9/aanmelden/vlaanderen/terug".to_owned(),
        ),
        ("OIDC_ABB_ORG_CODES", "OVO990001".to_owned()),
    ];
    pairs.extend(extra.iter().map(|(k, v)| (*k, (*v).to_owned())));
    pairs
}

async fn refusals(app: &TestApp, code: &str) -> i64 {
    count(
        &app.db,
        &format!("audit_log WHERE action = 'auth.oidc_refused' AND details LIKE '{code}%'"),
    )
    .await
}

#[tokio::test]
async fn the_sign_in_page_offers_the_flemish_government_only_when_configured() {
    let plain = spawn_app().await;
    let (_, html) = plain.get_html("/aanmelden").await;
    assert!(!html.contains("Aanmelden met de Vlaamse overheid"));
    assert!(html.contains("name=\"password\""));
    assert_eq!(plain.get("/aanmelden/vlaanderen").await.status(), 404);
    assert_eq!(
        plain
            .get("/aanmelden/vlaanderen/terug?code=a&state=b")
            .await
            .status(),
        404
    );

    let app = spawn_app_with(&unreachable_provider(&[])).await;
    let (_, html) = app.get_html("/aanmelden?volgende=/dossiers").await;
    assert!(html.contains("Aanmelden met de Vlaamse overheid"), "{html}");
    assert!(
        html.contains("href=\"/aanmelden/vlaanderen?volgende=/dossiers\""),
        "{html}"
    );
    assert!(
        html.contains("name=\"password\""),
        "passwords stay on by default"
    );
}

#[tokio::test]
async fn password_sign_in_can_be_turned_off_when_the_flemish_government_is_configured() {
    let app = spawn_app_with(&unreachable_provider(&[("PASSWORD_LOGIN", "false")])).await;
    let (_, html) = app.get_html("/aanmelden").await;
    assert!(html.contains("Aanmelden met de Vlaamse overheid"));
    assert!(!html.contains("name=\"password\""), "{html}");
    // A valid form token (from another form), so only the setting can refuse the login.
    let mut browser = app.browser();
    browser.get("/wachtwoord-vergeten").await;
    assert!(!browser.csrf.is_empty());
    let response = browser
        .post(
            "/aanmelden",
            &[
                ("email", OFFICIAL_A),
                ("password", crate::helpers::DEMO_PASSWORD),
            ],
        )
        .await;
    assert_eq!(response.status(), 403);
    let html = response.text().await.unwrap();
    assert!(
        html.contains("Aanmelden met een wachtwoord is uitgeschakeld"),
        "{html}"
    );
    assert_eq!(count(&app.db, "session").await, 0);
}

#[tokio::test]
async fn garbage_answers_at_the_callback_get_a_dutch_400_page_and_an_audit_row() {
    let app = spawn_app_with(&unreachable_provider(&[])).await;
    let cases: &[(&str, &str)] = &[
        ("", "bad_callback_parameters"),
        ("?code=abc", "bad_callback_parameters"),
        ("?state=abc", "bad_callback_parameters"),
        ("?code=&state=", "bad_callback_parameters"),
        ("?code=a%20b&state=c", "bad_callback_parameters"),
        ("?code=a&state=b&state=c", "bad_callback_repeated_parameter"),
        ("?code=%FF%FE&state=%00", "bad_callback_parameters"),
        (
            "?code=a&state=b&iss=https://elders.test",
            "bad_callback_issuer",
        ),
        ("?error=access_denied&state=x", "provider_error"),
        ("?code=a&state=nooit-uitgegeven", "unknown_state"),
    ];
    for (query, code) in cases {
        let before = refusals(&app, code).await;
        let (status, html) = app
            .get_html(&format!("/aanmelden/vlaanderen/terug{query}"))
            .await;
        assert_eq!(status, 400, "{query}: {html}");
        assert!(
            html.contains("lang=\"nl\"") && html.contains("Opnieuw aanmelden"),
            "{query}"
        );
        assert_eq!(
            refusals(&app, code).await,
            before + 1,
            "{query} is audited as {code}"
        );
    }
    let (_, html) = app
        .get_html("/aanmelden/vlaanderen/terug?error=access_denied")
        .await;
    assert!(html.contains("De aanmelddienst van de Vlaamse overheid meldt: access_denied."));
}

#[tokio::test]
async fn an_unreachable_provider_gives_a_dutch_page_and_no_500() {
    let app = spawn_app_with(&unreachable_provider(&[])).await;
    let (status, html) = app.get_html("/aanmelden/vlaanderen").await;
    assert_eq!(status, 503);
    assert!(
        html.contains("De aanmelddienst is niet bereikbaar"),
        "{html}"
    );
    assert_eq!(refusals(&app, "provider_unreachable").await, 1);
}

#[tokio::test]
async fn a_bad_openid_setting_stops_the_start_with_the_setting_named() {
    let dir = tempfile::tempdir().unwrap();
    let mut pairs: Vec<(String, String)> = unreachable_provider(&[("OIDC_ROLE_MAP", "X=baas")])
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
    pairs.push(("DATA_DIR".into(), dir.path().display().to_string()));
    let err = samenleven::config::Config::load(&samenleven::config::Sources::from_pairs(pairs))
        .unwrap_err();
    assert!(err.to_string().contains("OIDC_ROLE_MAP"), "{err}");
    let err = samenleven::config::Config::load(&samenleven::config::Sources::from_pairs([
        ("DATA_DIR", dir.path().display().to_string()),
        ("PASSWORD_LOGIN", "false".to_owned()),
    ]))
    .unwrap_err();
    assert!(err.to_string().contains("PASSWORD_LOGIN"), "{err}");
}

async fn org_code(app: &TestApp, table: &str, filter: &str) -> Option<String> {
    use sea_orm::{ConnectionTrait, Statement};
    let row = app
        .db
        .query_one_raw(Statement::from_string(
            app.db.get_database_backend(),
            format!("SELECT org_code FROM {table} WHERE {filter}"),
        ))
        .await
        .unwrap()
        .expect("a row");
    row.try_get::<Option<String>>("", "org_code").unwrap()
}

#[tokio::test]
async fn organisation_codes_are_imported_all_or_nothing() {
    let app = spawn_app().await;
    let abb = vec!["OVO990001".to_owned()];
    let bad =
        "nis_code;partner_code;org_code\n11002;;OVO990002\n99999;;OVO990003\n;VGC;OVO990001\n";
    let rejection = samenleven::org_codes::import_org_codes(&app.db, bad, &abb, "test")
        .await
        .unwrap()
        .unwrap_err();
    let lines: Vec<usize> = rejection.errors.iter().map(|e| e.line).collect();
    assert_eq!(lines, vec![3, 4]);
    assert_eq!(
        org_code(&app, "municipality", "nis_code = 11002").await,
        None,
        "nothing written"
    );

    let good = "nis_code,partner_code,org_code\n11002,,ovo990002\n,VGC,OVO990003\n";
    let summary = samenleven::org_codes::import_org_codes(&app.db, good, &abb, "test")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (summary.municipalities, summary.partners, summary.changed),
        (1, 1, 2)
    );
    assert_eq!(
        org_code(&app, "municipality", "nis_code = 11002")
            .await
            .as_deref(),
        Some("OVO990002")
    );
    assert_eq!(
        org_code(&app, "partner_organisation", "code = 'VGC'")
            .await
            .as_deref(),
        Some("OVO990003")
    );
    // A code moves from one organisation to another in one file.
    let swap = "nis_code,partner_code,org_code\n11002,,OVO990003\n,VGC,OVO990002\n";
    samenleven::org_codes::import_org_codes(&app.db, swap, &abb, "test")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        org_code(&app, "municipality", "nis_code = 11002")
            .await
            .as_deref(),
        Some("OVO990003")
    );
    assert_eq!(
        count(
            &app.db,
            "audit_log WHERE action = 'organisation.org_codes_imported'"
        )
        .await,
        2
    );
}

#[tokio::test]
async fn an_admin_sets_an_organisation_code_on_its_page() {
    let app = spawn_app_with(&unreachable_provider(&[])).await;
    exec(
        &app,
        "UPDATE partner_organisation SET org_code = 'OVO990003' WHERE code = 'VGC'",
    )
    .await;
    let id: i64 = {
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
        entity::municipality::Entity::find()
            .filter(entity::municipality::Column::NisCode.eq(11002))
            .one(&app.db)
            .await
            .unwrap()
            .unwrap()
            .id
    };
    let path = format!("/beheer/organisaties/gemeenten/{id}");
    let mut admin = app.signed_in(ADMIN).await;
    let (status, html) = admin.get("/beheer/organisaties").await;
    assert_eq!(status, 200);
    assert!(
        html.contains(&path) && html.contains("OVO990003"),
        "the list links and shows codes"
    );
    let (_, html) = admin.get(&path).await;
    assert!(html.contains("Organisatiecode van Antwerpen"));
    let version = html
        .split("name=\"version\" value=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .unwrap()
        .to_owned();

    for (typed, message) in [
        ("OVO 2", "is geen organisatiecode"),
        ("ovo990003", "hoort al bij"),
        ("OVO990001", "van ABB zelf"),
    ] {
        let response = admin
            .post(&path, &[("org_code", typed), ("version", &version)])
            .await;
        assert_eq!(response.status(), 422, "{typed}");
        let html = response.text().await.unwrap();
        assert!(html.contains(message), "{typed}: {html}");
        assert!(
            html.contains(&format!("value=\"{typed}\"")),
            "the typed value is kept"
        );
    }
    let response = admin
        .post(&path, &[("org_code", " ovo990002 "), ("version", &version)])
        .await;
    assert_eq!(response.status(), 303);
    assert_eq!(
        org_code(&app, "municipality", "nis_code = 11002")
            .await
            .as_deref(),
        Some("OVO990002")
    );
    let response = admin
        .post(&path, &[("org_code", "OVO990004"), ("version", &version)])
        .await;
    assert_eq!(
        response.status(),
        409,
        "an edit on an old version is refused"
    );
    assert_eq!(
        count(
            &app.db,
            "audit_log WHERE action = 'organisation.org_code_changed'"
        )
        .await,
        1
    );
    let mut official = Browser::signed_in(&app.address, OFFICIAL_A).await;
    assert_eq!(official.get(&path).await.0, 403);
}
