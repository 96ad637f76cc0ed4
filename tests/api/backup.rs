//! Issue 10: backups. A database filled through the app (demo seed, dossiers made over HTTP) is
//! backed up with `samenleven backup` while the app runs, restored with `samenleven restore` into
//! a fresh database, and every table, listed from the schema, is compared row by row. Runs on
//! SQLite and, with `TEST_DATABASE_URL`, on PostgreSQL (pg_dump / pg_restore).

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Output;

use samenleven::startup::Application;
use sea_orm::{ConnectionTrait, DatabaseConnection, FromQueryResult, JsonValue, Statement};

use crate::helpers::{
    Browser, OFFICIAL_A, REVIEWER, TestApp, count, fresh_database_url, spawn_app, test_config,
};
use crate::journey::{
    accept_declarations, add_action, attach, field_value, fill_general, location, save_action,
    start,
};

/// Runs the binary without blocking the test's runtime, so the app keeps serving meanwhile.
async fn samenleven(database_url: &str, data_dir: &Path, args: &[&str]) -> Output {
    tokio::process::Command::new(env!("CARGO_BIN_EXE_samenleven"))
        .args(args)
        .env("DATABASE_URL", database_url)
        .env("DATA_DIR", data_dir)
        .env("RUST_LOG", "error")
        .output()
        .await
        .expect("run the binary")
}

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// Antwerpen submits a dossier (with attachments, snapshot, audit entries and mails), a reviewer
/// takes it in review and writes to the municipality, and VGC starts a draft.
async fn fill_through_the_app(app: &TestApp) -> String {
    let mut official = app.signed_in(OFFICIAL_A).await;
    let dossier = start(app, &mut official).await;
    fill_general(&mut official, &dossier).await;
    let action = add_action(app, &mut official, &dossier, "4.3").await;
    let response = save_action(
        &mut official,
        &dossier,
        &action,
        &[
            ("priority", "1"),
            ("baseline_reach", "0"),
            ("planned_reach", "1"),
            ("own_contribution", "25.000,00"),
            ("description", "Taalcafés in elk district, met € en ë."),
        ],
    )
    .await;
    assert_eq!(response.status(), 303);
    attach(&mut official, &dossier, "council_decision").await;
    attach(&mut official, &dossier, "budget_sheet").await;
    accept_declarations(&mut official, &dossier).await;
    let (_, html) = official.get(&format!("/dossiers/{dossier}/controle")).await;
    let response = official
        .post(
            &format!("/dossiers/{dossier}/indienen"),
            &[("version", &field_value(&html, "version"))],
        )
        .await;
    assert_eq!(response.status(), 303, "submitted");

    let mut reviewer = app.signed_in(REVIEWER).await;
    reviewer.get(&format!("/beoordeling/{dossier}")).await;
    let response = reviewer
        .post(&format!("/beoordeling/{dossier}/start"), &[])
        .await;
    assert_eq!(response.status(), 303, "taken in review");
    let response = reviewer
        .post(
            &format!("/beoordeling/{dossier}/bericht"),
            &[
                ("body", "Graag meer uitleg bij het bereik."),
                ("internal", ""),
            ],
        )
        .await;
    assert!(response.status().is_redirection(), "message posted");

    let mut vgc = app.signed_in("vgc@demo.samenleven.test").await;
    start(app, &mut vgc).await;
    outbox_settled(app).await;
    dossier
}

/// Waits until the outbox worker has sent every queued mail, so the rows compared before and
/// after are the rows the backup saw (a mail being sent during a backup is `sending` in it).
async fn outbox_settled(app: &TestApp) {
    for _ in 0..200 {
        if app
            .count("email_outbox WHERE state IN ('pending', 'sending')")
            .await
            == 0
        {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("the outbox did not settle");
}

async fn column_count(db: &DatabaseConnection, table: &str) -> usize {
    let sql = match db.get_database_backend() {
        sea_orm::DbBackend::Postgres => format!(
            "SELECT COUNT(*) AS n FROM information_schema.columns \
             WHERE table_schema = current_schema() AND table_name = '{table}'"
        ),
        _ => format!("SELECT COUNT(*) AS n FROM pragma_table_info('{table}')"),
    };
    let row = db
        .query_one_raw(Statement::from_string(db.get_database_backend(), sql))
        .await
        .unwrap()
        .unwrap();
    usize::try_from(row.try_get::<i64>("", "n").unwrap()).unwrap()
}

/// The counter a restore raises on purpose (see `reference_version_of` in `src/backup.rs`): it
/// is compared by [`assert_reference_version_raised`], not row by row.
const RAISED_BY_RESTORE: &str = "reference_version";

async fn reference_version(db: &DatabaseConnection) -> i64 {
    samenleven::store::reference_cache::version(db)
        .await
        .unwrap()
}

/// After a restore the reference version is above both the backup's and the replaced database's,
/// so no running server keeps reference data it read from either.
fn assert_reference_version_raised(backup: i64, replaced: i64, restored: i64) {
    assert!(
        restored > backup && restored > replaced,
        "restored version {restored} above the backup's {backup} and the replaced {replaced}"
    );
}

/// Every row of every table of the schema, in a stable order (by every column).
async fn every_row(db: &DatabaseConnection) -> BTreeMap<String, Vec<JsonValue>> {
    let mut out = BTreeMap::new();
    for table in samenleven::backup::table_names(db).await.unwrap() {
        if table == RAISED_BY_RESTORE {
            continue;
        }
        let n = column_count(db, &table).await;
        assert!(n > 0, "{table} has columns");
        let order: Vec<String> = (1..=n).map(|i| i.to_string()).collect();
        let rows = JsonValue::find_by_statement(Statement::from_string(
            db.get_database_backend(),
            format!("SELECT * FROM \"{table}\" ORDER BY {}", order.join(", ")),
        ))
        .all(db)
        .await
        .unwrap();
        out.insert(table, rows);
    }
    out
}

fn assert_same_rows(
    before: &BTreeMap<String, Vec<JsonValue>>,
    after: &BTreeMap<String, Vec<JsonValue>>,
) {
    assert_eq!(
        before.keys().collect::<Vec<_>>(),
        after.keys().collect::<Vec<_>>(),
        "the same tables"
    );
    for (table, rows) in before {
        let restored = &after[table];
        assert_eq!(
            rows.len(),
            restored.len(),
            "{table}: the same number of rows"
        );
        for (i, (a, b)) in rows.iter().zip(restored).enumerate() {
            assert_eq!(a, b, "{table}: row {i} differs");
        }
    }
}

/// Starts the app on an existing database; returns its address and a shutdown handle.
async fn serve(
    database_url: &str,
    data_dir: &Path,
    smtp_port: u16,
) -> (String, tokio::sync::oneshot::Sender<()>) {
    let app = Application::build(test_config(data_dir, database_url, smtp_port))
        .await
        .expect("the restored database starts");
    let address = format!("http://{}", app.local_addr());
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(app.run_until(async {
        let _ = rx.await;
    }));
    (address, tx)
}

#[tokio::test]
async fn a_backup_restored_into_a_fresh_database_holds_every_row_of_every_table() {
    let app = spawn_app().await;
    let dossier = fill_through_the_app(&app).await;
    assert!(count(&app.db, "application_snapshot").await >= 1);
    let before = every_row(&app.db).await;
    let backup_version = reference_version(&app.db).await;
    assert!(before.len() >= 30, "the whole schema: {:?}", before.keys());
    for table in [
        "application",
        "attachment",
        "audit_log",
        "email_outbox",
        "message",
        "session",
    ] {
        assert!(!before[table].is_empty(), "{table} has rows to compare");
    }

    // The backup is made while the app runs.
    let file = app.data_dir.path().join("samenleven.backup");
    let output = samenleven(
        &app.database_url,
        app.data_dir.path(),
        &["backup", file.to_str().unwrap()],
    )
    .await;
    assert!(output.status.success(), "{}", text(&output));
    assert!(
        text(&output).contains("Back-up geschreven"),
        "{}",
        text(&output)
    );
    assert!(
        text(&output).contains("uploads"),
        "the attachments are mentioned"
    );
    assert!(file.exists());
    let again = samenleven(
        &app.database_url,
        app.data_dir.path(),
        &["backup", file.to_str().unwrap()],
    )
    .await;
    assert!(
        !again.status.success(),
        "an existing file is never overwritten"
    );

    let target_dir = tempfile::tempdir().unwrap();
    let target_url = fresh_database_url(target_dir.path()).await;
    let output = samenleven(
        &target_url,
        target_dir.path(),
        &["restore", file.to_str().unwrap()],
    )
    .await;
    assert!(output.status.success(), "{}", text(&output));
    assert!(
        text(&output).contains("Back-up hersteld"),
        "{}",
        text(&output)
    );

    let restored = samenleven::db::connect(&target_url).await.unwrap();
    assert_same_rows(&before, &every_row(&restored).await);
    assert_reference_version_raised(backup_version, 0, reference_version(&restored).await);
    restored.close().await.ok();

    // The restored database runs: an official signs in (new session, audit entry: the id
    // counters were restored too) and finds the submitted dossier.
    let (address, _stop) = serve(&target_url, target_dir.path(), app.smtp.port).await;
    let mut official = Browser::signed_in(&address, OFFICIAL_A).await;
    let (status, html) = official.get(&format!("/dossiers/{dossier}")).await;
    assert_eq!(status, 200);
    assert!(html.contains("Samen sterker in Antwerpen"));
}

#[tokio::test]
async fn restore_refuses_a_database_in_use_unless_forced_and_then_replaces_it_whole() {
    let app = spawn_app().await;
    fill_through_the_app(&app).await;
    let file = app.data_dir.path().join("before.backup");
    let output = samenleven(
        &app.database_url,
        app.data_dir.path(),
        &["backup", file.to_str().unwrap()],
    )
    .await;
    assert!(output.status.success(), "{}", text(&output));
    let before = every_row(&app.db).await;
    let backup_version = reference_version(&app.db).await;

    // After the backup, the work goes on: a second dossier, and ABB renames the call (the
    // running app reads the new name into memory).
    app.db
        .execute_unprepared(
            "UPDATE call SET title = 'Hernoemde oproep na de back-up' WHERE code = 'PS-2022-2024'",
        )
        .await
        .unwrap();
    let mut official = app.signed_in(OFFICIAL_A).await;
    let (_, html) = official.get("/gemeente").await;
    assert!(html.contains("Hernoemde oproep na de back-up"));
    let mut vgc = app.signed_in("vgc@demo.samenleven.test").await;
    let (_, html) = vgc.get("/dossiers").await;
    assert!(html.contains("PS-2022-2024-"));
    let applications = count(&app.db, "application").await;
    let mut other = app.signed_in("poperinge@demo.samenleven.test").await;
    other.get("/gemeente").await;

    // The live database: accounts, dossiers, signed-in users (and on PostgreSQL the app's
    // connections). Refused without --force, and nothing changed.
    let output = samenleven(
        &app.database_url,
        app.data_dir.path(),
        &["restore", file.to_str().unwrap()],
    )
    .await;
    assert!(!output.status.success());
    let message = text(&output);
    assert!(message.contains("in gebruik"), "{message}");
    assert!(message.contains("--force"), "{message}");
    assert_eq!(count(&app.db, "application").await, applications);

    // With --force the whole database is the backup again, while the app keeps running.
    let output = samenleven(
        &app.database_url,
        app.data_dir.path(),
        &["restore", "--force", file.to_str().unwrap()],
    )
    .await;
    assert!(output.status.success(), "{}", text(&output));
    let after = every_row(&app.db).await;
    assert_same_rows(&before, &after);
    assert_reference_version_raised(
        backup_version,
        backup_version + 1,
        reference_version(&app.db).await,
    );
    let (status, _) = app.get_html("/healthz").await;
    assert_eq!(status, 200, "the running app answers after the restore");
    let mut official = app.signed_in(OFFICIAL_A).await;
    let (status, html) = official.get("/gemeente").await;
    assert_eq!(status, 200);
    assert!(
        !html.contains("Hernoemde oproep na de back-up"),
        "the running app shows the restored call, not the one it had in memory"
    );
}

#[tokio::test]
async fn restore_refuses_a_file_that_is_not_a_samenleven_backup() {
    let app = spawn_app().await;
    let dir = tempfile::tempdir().unwrap();
    let target_url = fresh_database_url(dir.path()).await;

    let junk = dir.path().join("notes.txt");
    std::fs::write(&junk, "dit is geen back-up").unwrap();
    let output = samenleven(
        &target_url,
        dir.path(),
        &["restore", junk.to_str().unwrap()],
    )
    .await;
    assert!(!output.status.success());
    assert!(
        text(&output).contains("geen back-up van Samenleven"),
        "{}",
        text(&output)
    );

    // An SQLite database that is not Samenleven's.
    let other = dir.path().join("other.db");
    let db = samenleven::db::connect(&format!("sqlite://{}?mode=rwc", other.display()))
        .await
        .unwrap();
    db.execute_unprepared("CREATE TABLE boodschappen (id INTEGER PRIMARY KEY, wat TEXT)")
        .await
        .unwrap();
    db.execute_unprepared("PRAGMA wal_checkpoint(TRUNCATE)")
        .await
        .unwrap();
    db.close().await.unwrap();
    let output = samenleven(
        &target_url,
        dir.path(),
        &["restore", other.to_str().unwrap()],
    )
    .await;
    assert!(!output.status.success());
    let message = text(&output);
    assert!(
        message.contains("geen Samenleven-database") || message.contains("PostgreSQL"),
        "{message}"
    );
    drop(app);
}

#[tokio::test]
async fn the_backup_is_consistent_while_dossiers_are_being_saved() {
    let app = spawn_app().await;
    let mut official = app.signed_in(OFFICIAL_A).await;
    let dossier = start(&app, &mut official).await;
    let path = format!("/dossiers/{dossier}/algemeen");
    let writer = {
        let mut official = Browser::signed_in(&app.address, OFFICIAL_A).await;
        let path = path.clone();
        tokio::spawn(async move {
            let mut saved = 0;
            for round in 0..40 {
                let (_, html) = official.get(&path).await;
                let version = field_value(&html, "version");
                let title = format!("Titel ronde {round}");
                let response = official
                    .post(
                        &path,
                        &[
                            ("version", version.as_str()),
                            ("title", title.as_str()),
                            ("summary", "Samenvatting"),
                            ("contact_name", "Els Verbeke"),
                            ("contact_email", "samenleven@antwerpen.test"),
                            ("contact_phone", ""),
                            ("first_project_year", "1"),
                            ("last_project_year", "1"),
                        ],
                    )
                    .await;
                assert_eq!(response.status(), 303, "{}", location(&response));
                saved += 1;
            }
            saved
        })
    };
    let file = app.data_dir.path().join("during.backup");
    let output = samenleven(
        &app.database_url,
        app.data_dir.path(),
        &["backup", file.to_str().unwrap()],
    )
    .await;
    assert!(output.status.success(), "{}", text(&output));
    assert_eq!(writer.await.unwrap(), 40);

    let dir = tempfile::tempdir().unwrap();
    let target_url = fresh_database_url(dir.path()).await;
    let output = samenleven(
        &target_url,
        dir.path(),
        &["restore", file.to_str().unwrap()],
    )
    .await;
    assert!(output.status.success(), "{}", text(&output));
    // The snapshot is one moment: the dossier's version and its audit trail agree.
    let restored = samenleven::db::connect(&target_url).await.unwrap();
    let version = count(&restored, &format!("application WHERE id = {dossier}")).await;
    assert_eq!(version, 1);
    let row = restored
        .query_one_raw(Statement::from_string(
            restored.get_database_backend(),
            format!("SELECT version AS n FROM application WHERE id = {dossier}"),
        ))
        .await
        .unwrap()
        .unwrap();
    let version: i32 = row.try_get("", "n").unwrap();
    let saves = count(
        &restored,
        &format!(
            "audit_log WHERE action = 'application.general_saved' AND resource_id = '{dossier}'"
        ),
    )
    .await;
    assert_eq!(
        i64::from(version) - 1,
        saves,
        "every save in the backup has its audit entry and no more"
    );
}
