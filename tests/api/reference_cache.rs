//! Issue 10: the reference data kept in memory (`store::reference_cache`). Pages read calls,
//! municipalities and the directory from memory as long as the reference version the database
//! triggers keep is unchanged; any change of those tables, by whoever, shows on the next page.
//! Runs on both databases.

use std::sync::Arc;

use sea_orm::{ConnectionTrait, Statement};

use samenleven::store::reference_cache::{ReferenceCache, version};

use crate::helpers::{OFFICIAL_A, REVIEWER, TestApp, exec, spawn_app};

async fn seeded_call_id(app: &TestApp) -> i64 {
    let row = app
        .db
        .query_one_raw(Statement::from_string(
            app.db.get_database_backend(),
            "SELECT id FROM call WHERE code = 'PS-2022-2024'",
        ))
        .await
        .expect("query")
        .expect("the seeded call");
    row.try_get("", "id").expect("id")
}

/// The tables whose changes raise the reference version, each with a statement that changes
/// one of its rows without changing what it means.
const REFERENCE_CHANGES: [(&str, &str); 10] = [
    (
        "call",
        "UPDATE call SET title = title WHERE id = (SELECT MIN(id) FROM call)",
    ),
    (
        "call_action",
        "UPDATE call_action SET unit_label = unit_label WHERE id = (SELECT MIN(id) FROM call_action)",
    ),
    (
        "call_project_year",
        "UPDATE call_project_year SET envelope_cents = envelope_cents WHERE id = (SELECT MIN(id) FROM call_project_year)",
    ),
    (
        "call_named_applicant",
        "UPDATE call_named_applicant SET name = name WHERE id = (SELECT MIN(id) FROM call_named_applicant)",
    ),
    (
        "action",
        "UPDATE action SET title = title WHERE id = (SELECT MIN(id) FROM action)",
    ),
    (
        "partner_organisation",
        "UPDATE partner_organisation SET name = name WHERE id = (SELECT MIN(id) FROM partner_organisation)",
    ),
    (
        "municipality",
        "UPDATE municipality SET name = name WHERE id = (SELECT MIN(id) FROM municipality)",
    ),
    (
        "reference_region",
        "UPDATE reference_region SET name = name WHERE id = (SELECT MIN(id) FROM reference_region)",
    ),
    (
        "region_membership",
        "UPDATE region_membership SET valid_from = valid_from WHERE id = (SELECT MIN(id) FROM region_membership)",
    ),
    (
        "population_figure",
        "UPDATE population_figure SET residents = residents WHERE id = (SELECT MIN(id) FROM population_figure)",
    ),
];

#[tokio::test]
async fn every_change_of_a_reference_table_raises_the_reference_version() {
    let app = spawn_app().await;
    for (table, sql) in REFERENCE_CHANGES {
        let before = version(&app.db).await.unwrap();
        exec(&app, sql).await;
        let after = version(&app.db).await.unwrap();
        assert!(after > before, "a change of {table} raises the version");
    }
    // Dossiers are not reference data: a change there leaves the version alone.
    let before = version(&app.db).await.unwrap();
    exec(&app, "UPDATE application SET title = title").await;
    exec(&app, "UPDATE app_user SET name = name").await;
    assert_eq!(version(&app.db).await.unwrap(), before);
}

#[tokio::test]
async fn at_one_version_the_reference_data_is_read_once_and_a_new_version_reads_it_again() {
    let app = spawn_app().await;
    let cache = ReferenceCache::default();
    let call_id = seeded_call_id(&app).await;

    let first = cache.current(&app.db).await.unwrap();
    let second = cache.current(&app.db).await.unwrap();
    assert_eq!(first.version(), second.version());
    let a = first
        .call_context(call_id)
        .await
        .unwrap()
        .expect("the call");
    let b = second
        .call_context(call_id)
        .await
        .unwrap()
        .expect("the call");
    assert!(Arc::ptr_eq(&a, &b), "one read for both requests");
    let calls_a = first.calls().await.unwrap();
    let calls_b = second.calls().await.unwrap();
    assert!(Arc::ptr_eq(&calls_a, &calls_b));

    exec(
        &app,
        &format!("UPDATE call SET title = 'Gewijzigde titel' WHERE id = {call_id}"),
    )
    .await;
    let third = cache.current(&app.db).await.unwrap();
    assert!(third.version() > first.version());
    let c = third
        .call_context(call_id)
        .await
        .unwrap()
        .expect("the call");
    assert!(!Arc::ptr_eq(&a, &c), "read again at the new version");
    assert_eq!(c.call.title, "Gewijzigde titel");
    assert_eq!(a.call.title, b.call.title, "the old reading is unchanged");
    assert_ne!(a.call.title, c.call.title);
}

#[tokio::test]
async fn a_call_changed_behind_the_apps_back_shows_on_the_next_page() {
    let app = spawn_app().await;
    let mut official = app.signed_in(OFFICIAL_A).await;
    let mut reviewer = app.signed_in(REVIEWER).await;
    let (status, html) = official.get("/gemeente").await;
    assert_eq!(status, 200);
    assert!(!html.contains("Hernoemde oproep"));
    let (status, _) = reviewer.get("/beoordeling").await;
    assert_eq!(status, 200);

    // As an operator would, with a statement on the database: no app code involved.
    exec(
        &app,
        "UPDATE call SET title = 'Hernoemde oproep (FICTIEF)' WHERE code = 'PS-2022-2024'",
    )
    .await;
    let (_, html) = official.get("/gemeente").await;
    assert!(html.contains("Hernoemde oproep (FICTIEF)"), "the dashboard");
    let (_, html) = reviewer.get("/beoordeling").await;
    assert!(html.contains("Hernoemde oproep (FICTIEF)"), "the inbox");
}

#[tokio::test]
async fn a_municipality_renamed_behind_the_apps_back_shows_in_the_header_of_its_official() {
    let app = spawn_app().await;
    let mut official = app.signed_in(OFFICIAL_A).await;
    let (_, html) = official.get("/gemeente").await;
    assert!(html.contains("Antwerpen"));
    exec(
        &app,
        "UPDATE municipality SET name = 'Antwerpen-Hernoemd' WHERE nis_code = 11002",
    )
    .await;
    let (_, html) = official.get("/gemeente").await;
    assert!(html.contains("Mijn gemeente: Antwerpen-Hernoemd"), "{html}");
}
