//! Test databases: an in-memory SQLite database, and a fresh PostgreSQL database per test when
//! `TEST_DATABASE_URL` points at a server (e.g. `postgres://postgres@127.0.0.1:5432/postgres`).

pub mod sample_rows;

use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use sea_orm_migration::sea_orm::prelude::{Date, DateTimeUtc};
use sea_orm_migration::sea_orm::{ConnectionTrait, Database, DatabaseConnection};

/// The date every sample row uses.
pub fn date() -> Date {
    Date::from_ymd_opt(2022, 10, 1).expect("a valid date")
}

/// The moment every sample row uses; microseconds check that no precision is lost.
pub fn timestamp() -> DateTimeUtc {
    "2022-07-01T12:34:56.123456Z"
        .parse()
        .expect("a valid timestamp")
}

pub struct TestDb {
    pub db: DatabaseConnection,
    /// For PostgreSQL: the server URL to reconnect to and the database to drop afterwards.
    postgres: Option<(String, String)>,
}

impl TestDb {
    pub async fn sqlite() -> TestDb {
        let db = Database::connect("sqlite::memory:")
            .await
            .expect("in-memory SQLite opens");
        TestDb { db, postgres: None }
    }

    /// A fresh, empty database on the server of `TEST_DATABASE_URL`; `None` when it is unset.
    pub async fn postgres() -> Option<TestDb> {
        let server_url = std::env::var("TEST_DATABASE_URL").ok()?;
        let name = unique_database_name();
        let admin = Database::connect(&server_url)
            .await
            .expect("TEST_DATABASE_URL is reachable");
        admin
            .execute_unprepared(&format!("CREATE DATABASE {name}"))
            .await
            .expect("test database is created");
        admin.close().await.expect("admin connection closes");
        let db = Database::connect(&with_database(&server_url, &name))
            .await
            .expect("test database opens");
        Some(TestDb {
            db,
            postgres: Some((server_url, name)),
        })
    }

    /// Closes the connection and drops the PostgreSQL test database.
    pub async fn finish(self) {
        self.db.close().await.expect("connection closes");
        if let Some((server_url, name)) = self.postgres {
            let admin = Database::connect(&server_url)
                .await
                .expect("TEST_DATABASE_URL is reachable");
            admin
                .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .await
                .expect("test database is dropped");
            admin.close().await.expect("admin connection closes");
        }
    }
}

fn unique_database_name() -> String {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or_default();
    format!(
        "mig_{}_{}_{}",
        std::process::id(),
        nanos,
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

/// `server_url` with its database name replaced by `name`, query string kept.
fn with_database(server_url: &str, name: &str) -> String {
    let (base, query) = match server_url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (server_url, None),
    };
    let authority_end = base.find("://").map_or(0, |i| i + 3);
    let server = match base[authority_end..].find('/') {
        Some(slash) => &base[..authority_end + slash],
        None => base,
    };
    match query {
        Some(query) => format!("{server}/{name}?{query}"),
        None => format!("{server}/{name}"),
    }
}
