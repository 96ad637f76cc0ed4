//! Issue 10: two app instances on one database, as behind a load balancer (PostgreSQL in
//! production; one SQLite file behaves the same). A session made on one instance works on the
//! other, and simultaneous edits of one dossier through both are detected, never lost.
//! `scripts/faults/two_instances` runs the same with two release processes.

use samenleven::startup::Application;

use crate::helpers::{OFFICIAL_A, TestApp, spawn_app, test_config};
use crate::journey::{field_value, start};

/// A second instance on the test app's database and data directory; dropping the sender stops
/// it.
async fn second_instance(app: &TestApp) -> (String, tokio::sync::oneshot::Sender<()>) {
    let other = Application::build(test_config(
        app.data_dir.path(),
        &app.database_url,
        app.smtp.port,
    ))
    .await
    .expect("second instance");
    let address = format!("http://{}", other.local_addr());
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(other.run_until(async {
        let _ = rx.await;
    }));
    (address, tx)
}

#[tokio::test]
async fn a_session_made_on_one_instance_works_on_the_other_and_signing_out_there_ends_it() {
    let app = spawn_app().await;
    let (b, _stop) = second_instance(&app).await;
    let mut browser = app.signed_in(OFFICIAL_A).await;
    let a = browser.base.clone();
    for base in [&b, &a, &b] {
        browser.base = base.clone();
        let (status, html) = browser.get("/gemeente").await;
        assert_eq!(status, 200, "signed in on {base}");
        assert!(html.contains("Antwerpen"));
    }
    // The CSRF token was read on B; signing out is posted to A.
    browser.base = a.clone();
    let response = browser.post("/afmelden", &[]).await;
    assert_eq!(response.status(), 303);
    browser.base = b.clone();
    let response = browser
        .client
        .get(format!("{b}/gemeente"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303, "signed out on B as well");
    assert!(
        response
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .starts_with("/aanmelden")
    );
}

#[tokio::test]
async fn simultaneous_saves_through_two_instances_give_one_winner_and_one_conflict_message() {
    let app = spawn_app().await;
    let (b, _stop) = second_instance(&app).await;
    crate::helpers::create_official(&app.db, 11002, "tweede@antwerpen.test").await;
    let mut first = app.signed_in(OFFICIAL_A).await;
    let dossier = start(&app, &mut first).await;
    let mut second = crate::helpers::Browser::signed_in(&b, "tweede@antwerpen.test").await;
    let path = format!("/dossiers/{dossier}/algemeen");
    let mut wins = [0, 0];
    for round in 0..10 {
        let (_, page_a) = first.get(&path).await;
        let (_, page_b) = second.get(&path).await;
        let (version_a, version_b) = (
            field_value(&page_a, "version"),
            field_value(&page_b, "version"),
        );
        assert_eq!(version_a, version_b, "both read the same version");
        let titles = [
            format!("Titel via A, ronde {round}"),
            format!("Titel via B, ronde {round}"),
        ];
        let form = |version: &str, title: &str| {
            vec![
                ("version".to_owned(), version.to_owned()),
                ("title".to_owned(), title.to_owned()),
                ("summary".to_owned(), "Samen sterker.".to_owned()),
                ("contact_name".to_owned(), "Els Verbeke".to_owned()),
                (
                    "contact_email".to_owned(),
                    "samenleven@antwerpen.test".to_owned(),
                ),
                ("contact_phone".to_owned(), String::new()),
                ("first_project_year".to_owned(), "1".to_owned()),
                ("last_project_year".to_owned(), "1".to_owned()),
            ]
        };
        let form_a = form(&version_a, &titles[0]);
        let form_b = form(&version_b, &titles[1]);
        let fields_a: Vec<(&str, &str)> = form_a
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let fields_b: Vec<(&str, &str)> = form_b
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let (answer_a, answer_b) =
            tokio::join!(first.post(&path, &fields_a), second.post(&path, &fields_b));
        let statuses = [answer_a.status().as_u16(), answer_b.status().as_u16()];
        let bodies = [
            answer_a.text().await.unwrap(),
            answer_b.text().await.unwrap(),
        ];
        let winner = match statuses {
            [303, 409] => 0,
            [409, 303] => 1,
            other => panic!("round {round}: one winner and one conflict, got {other:?}"),
        };
        wins[winner] += 1;
        let loser = 1 - winner;
        assert!(
            bodies[loser].contains("Iemand anders bewaarde dit deel intussen"),
            "the loser is told"
        );
        assert!(
            bodies[loser].contains(&titles[loser]),
            "and keeps what it typed"
        );
        let stored = crate::helpers::count(
            &app.db,
            &format!(
                "application WHERE id = {dossier} AND title = '{}' AND version = {}",
                titles[winner],
                version_a.parse::<i32>().unwrap() + 1
            ),
        )
        .await;
        assert_eq!(
            stored, 1,
            "round {round}: the winner's title, one version further"
        );
    }
    assert_eq!(wins[0] + wins[1], 10);
    assert_eq!(
        crate::helpers::count(
            &app.db,
            &format!(
                "audit_log WHERE action = 'application.general_saved' AND resource_id = '{dossier}'"
            ),
        )
        .await,
        10,
        "one audit entry per winning save"
    );
}
