//! `spawn_app()`: a fresh database (a temporary SQLite file, or a new PostgreSQL database when
//! `TEST_DATABASE_URL` is set), real migrations and seeds, the real router on port 0, and a
//! local SMTP server. Logs are quiet unless `TEST_LOG` is set.

use std::sync::Once;

use samenleven::config::{Config, Sources};
use samenleven::startup::Application;
use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};
use tempfile::TempDir;

use crate::smtp::SmtpCatcher;

pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub db: DatabaseConnection,
    pub smtp: SmtpCatcher,
    pub data_dir: TempDir,
    pub database_url: String,
    _shutdown: tokio::sync::oneshot::Sender<()>,
}

static TRACING: Once = Once::new();

/// The database a test gets: a new SQLite file in `dir`, or a new PostgreSQL database.
pub async fn fresh_database_url(dir: &std::path::Path) -> String {
    match std::env::var("TEST_DATABASE_URL") {
        Ok(admin_url) if !admin_url.trim().is_empty() => {
            let name = format!("samenleven_t_{}", uuid::Uuid::new_v4().simple());
            let admin = samenleven::db::connect(&admin_url)
                .await
                .expect("connect to TEST_DATABASE_URL");
            admin
                .execute_raw(Statement::from_string(
                    admin.get_database_backend(),
                    format!("CREATE DATABASE \"{name}\""),
                ))
                .await
                .expect("create test database");
            admin.close().await.ok();
            let base = admin_url
                .rsplit_once('/')
                .map(|(base, _)| base)
                .expect("TEST_DATABASE_URL has a database name");
            format!("{base}/{name}")
        }
        _ => format!("sqlite://{}?mode=rwc", dir.join("test.db").display()),
    }
}

pub fn test_config(data_dir: &std::path::Path, database_url: &str, smtp_port: u16) -> Config {
    test_config_with::<&str>(data_dir, database_url, smtp_port, &[])
}

/// [`test_config`] with more settings (later ones win): `OIDC_*`, `TRUSTED_PROXIES`, ...
pub fn test_config_with<V: AsRef<str>>(
    data_dir: &std::path::Path,
    database_url: &str,
    smtp_port: u16,
    extra: &[(&str, V)],
) -> Config {
    let mut pairs: Vec<(String, String)> = Vec::from([
        ("DATA_DIR", data_dir.display().to_string()),
        ("DATABASE_URL", database_url.to_owned()),
        ("BIND_ADDRESS", "127.0.0.1:0".to_owned()),
        ("SMTP_HOST", "127.0.0.1".to_owned()),
        ("SMTP_PORT", smtp_port.to_string()),
        ("SMTP_SECURITY", "none".to_owned()),
        ("SEED_DEMO", "true".to_owned()),
        // The approved follow-up demo dossiers stay out of tests that count dossiers; the
        // follow-up tests load them with `seed::load_demo_followup`.
        ("SEED_DEMO_FOLLOWUP", "false".to_owned()),
    ])
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    pairs.extend(
        extra
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.as_ref().to_owned())),
    );
    Config::load(&Sources::from_pairs(pairs)).expect("test config")
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with::<&str>(&[]).await
}

/// [`spawn_app`] with more settings (`String` or `&str` values).
pub async fn spawn_app_with<V: AsRef<str>>(extra: &[(&str, V)]) -> TestApp {
    TRACING.call_once(|| {
        if std::env::var("TEST_LOG").is_ok() {
            samenleven::telemetry::init(false);
        }
    });
    let data_dir = tempfile::tempdir().expect("temp dir");
    let smtp = SmtpCatcher::start().await;
    let database_url = fresh_database_url(data_dir.path()).await;
    let config = test_config_with(data_dir.path(), &database_url, smtp.port, extra);
    let app = Application::build(config).await.expect("build app");
    let address = format!("http://{}", app.local_addr());
    let db = app.state().db.clone();
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(app.run_until(async {
        let _ = rx.await;
    }));
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .cookie_store(true)
        .build()
        .expect("http client");
    TestApp {
        address,
        client,
        db,
        smtp,
        data_dir,
        database_url,
        _shutdown: tx,
    }
}

impl TestApp {
    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(format!("{}{}", self.address, path))
            .send()
            .await
            .expect("request")
    }

    pub async fn get_html(&self, path: &str) -> (reqwest::StatusCode, String) {
        let response = self.get(path).await;
        let status = response.status();
        (status, response.text().await.expect("body"))
    }

    /// Counts the rows of a table with plain SQL (works on both databases).
    pub async fn count(&self, sql_from_where: &str) -> i64 {
        count(&self.db, sql_from_where).await
    }
}

/// Runs one SQL statement on the test's database, as an operator would by hand.
pub async fn exec(app: &TestApp, sql: &str) {
    app.db
        .execute_raw(Statement::from_string(
            app.db.get_database_backend(),
            sql.to_owned(),
        ))
        .await
        .expect(sql);
}

pub async fn count(db: &DatabaseConnection, sql_from_where: &str) -> i64 {
    let row = db
        .query_one_raw(Statement::from_string(
            db.get_database_backend(),
            format!("SELECT COUNT(*) AS n FROM {sql_from_where}"),
        ))
        .await
        .expect("count query")
        .expect("a row");
    row.try_get::<i64>("", "n").expect("count value")
}

pub const DEMO_PASSWORD: &str = "samenleven-demo";

/// The months as dates in running text name them ("5 december 2026").
pub const DUTCH_MONTHS: [&str; 12] = [
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
];
pub const OFFICIAL_A: &str = "antwerpen@demo.samenleven.test";
pub const OFFICIAL_B: &str = "willebroek@demo.samenleven.test";
pub const REVIEWER: &str = "beoordelaar1@demo.samenleven.test";
pub const ADMIN: &str = "admin@demo.samenleven.test";

/// A user's browser: its own cookie jar, and the CSRF token of the last page it read.
pub struct Browser {
    pub client: reqwest::Client,
    pub base: String,
    pub csrf: String,
}

/// The value of the first `csrf_token` field in a page, if any.
pub fn csrf_from(html: &str) -> Option<String> {
    let marker = "name=\"csrf_token\" value=\"";
    let start = html.find(marker)? + marker.len();
    let end = html[start..].find('"')? + start;
    Some(html[start..end].to_owned())
}

impl Browser {
    pub fn new(base: &str) -> Self {
        Self {
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .cookie_store(true)
                .build()
                .expect("http client"),
            base: base.to_owned(),
            csrf: String::new(),
        }
    }

    pub async fn get(&mut self, path: &str) -> (reqwest::StatusCode, String) {
        let response = self
            .client
            .get(format!("{}{}", self.base, path))
            .send()
            .await
            .expect("request");
        let status = response.status();
        let html = response.text().await.expect("body");
        if let Some(token) = csrf_from(&html) {
            self.csrf = token;
        }
        (status, html)
    }

    /// Posts a form with the current CSRF token added.
    pub async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        let mut form: Vec<(&str, &str)> = vec![("csrf_token", self.csrf.as_str())];
        form.extend_from_slice(fields);
        self.client
            .post(format!("{}{}", self.base, path))
            .form(&form)
            .send()
            .await
            .expect("request")
    }

    /// Posts a form exactly as given (no CSRF token added).
    pub async fn post_raw(&self, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        self.client
            .post(format!("{}{}", self.base, path))
            .form(fields)
            .send()
            .await
            .expect("request")
    }

    pub async fn login(&mut self, email: &str, password: &str) -> reqwest::Response {
        self.get("/aanmelden").await;
        self.post("/aanmelden", &[("email", email), ("password", password)])
            .await
    }

    /// Logs in (panicking if that fails) and reads a page to get the session's CSRF token.
    pub async fn signed_in(base: &str, email: &str) -> Self {
        let mut browser = Self::new(base);
        let response = browser.login(email, DEMO_PASSWORD).await;
        assert_eq!(response.status(), 303, "login of {email} failed");
        browser.get("/account").await;
        browser
    }
}

impl TestApp {
    pub fn browser(&self) -> Browser {
        Browser::new(&self.address)
    }

    pub async fn signed_in(&self, email: &str) -> Browser {
        Browser::signed_in(&self.address, email).await
    }

    /// Creates a draft dossier led by the municipality with `nis` directly in the database.
    pub async fn dossier_led_by(&self, nis: i32) -> i64 {
        use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
        let municipality = entity::municipality::Entity::find()
            .filter(entity::municipality::Column::NisCode.eq(nis))
            .one(&self.db)
            .await
            .unwrap()
            .expect("municipality");
        let call = entity::call::Entity::find()
            .filter(entity::call::Column::Code.eq("PS-2022-2024"))
            .one(&self.db)
            .await
            .unwrap()
            .expect("a call");
        let now = chrono::Utc::now();
        let app = entity::application::ActiveModel {
            call_id: Set(call.id),
            reference: Set(format!("PS-TEST-{nis}")),
            kind: Set(entity::application::ApplicationKind::Single),
            lead_municipality_id: Set(Some(municipality.id)),
            partner_organisation_id: Set(None),
            title: Set(format!("Testdossier {}", municipality.name)),
            first_project_year: Set(1),
            last_project_year: Set(1),
            state: Set(entity::application::ApplicationState::Draft),
            created_at: Set(now),
            updated_at: Set(now),
            version: Set(1),
            ..Default::default()
        }
        .insert(&self.db)
        .await
        .unwrap();
        entity::application_member::ActiveModel {
            application_id: Set(app.id),
            call_id: Set(call.id),
            municipality_id: Set(municipality.id),
            role: Set(entity::application_member::MemberRole::Lead),
            consent_state: Set(entity::application_member::ConsentState::Confirmed),
            consent_at: Set(Some(now)),
            invited_at: Set(now),
            version: Set(1),
            ..Default::default()
        }
        .insert(&self.db)
        .await
        .unwrap();
        app.id
    }
}

pub async fn user_id(db: &DatabaseConnection, email: &str) -> i64 {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    entity::app_user::Entity::find()
        .filter(entity::app_user::Column::Email.eq(email))
        .one(db)
        .await
        .unwrap()
        .expect("user")
        .id
}

/// Creates an active official of the municipality with NIS code `nis`, with the demo password,
/// for a municipality that has no demo account.
pub async fn create_official(db: &DatabaseConnection, nis: i32, email: &str) {
    samenleven::accounts::create_user(
        db,
        samenleven::accounts::NewUser {
            email: email.to_owned(),
            name: format!("Ambtenaar {nis}"),
            role: "official".into(),
            municipality_nis: Some(nis),
            partner_code: None,
            password: Some(DEMO_PASSWORD.into()),
        },
    )
    .await
    .expect("create official");
}

/// The decision proposal waiting for a second person on dossier `dossier` (four eyes).
pub async fn pending_decision(
    db: &DatabaseConnection,
    dossier: i64,
) -> Option<entity::four_eyes_proposal::Model> {
    use entity::four_eyes_proposal::{Column, Entity, ProposalKind, ProposalState};
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    Entity::find()
        .filter(Column::Kind.eq(ProposalKind::Decision))
        .filter(Column::SubjectId.eq(dossier))
        .filter(Column::State.eq(ProposalState::Pending))
        .one(db)
        .await
        .expect("proposals are readable")
}

/// `who` (another member of ABB than the proposer) confirms the decision proposed on dossier
/// `dossier` from its confirmation page (four eyes). Returns the answer to the confirmation.
pub async fn confirm_decision(app: &TestApp, dossier: i64, who: &str) -> reqwest::Response {
    let proposal = pending_decision(&app.db, dossier)
        .await
        .expect("a decision waits for a second person");
    let mut browser = app.signed_in(who).await;
    let path = format!(
        "/beoordeling/{dossier}/voorstellen/{}/bevestigen",
        proposal.id
    );
    let (status, _) = browser.get(&path).await;
    assert_eq!(status, 200, "the confirmation page opens");
    browser.post(&path, &[]).await
}
