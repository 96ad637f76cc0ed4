//! Issue 22: two-way messages on a dossier, a cover note on resubmission and a deadline on a
//! change request, with its reminder.

use chrono::TimeDelta;

use crate::helpers::{Browser, OFFICIAL_A, OFFICIAL_B, REVIEWER, TestApp, count, spawn_app};
use crate::journey::{field_value, ready_dossier};

/// Antwerpen submits a ready dossier and the reviewer takes it in review.
async fn in_review(app: &TestApp) -> (Browser, Browser, String) {
    let mut official = app.signed_in(OFFICIAL_A).await;
    let dossier = ready_dossier(app, &mut official).await;
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
    assert_eq!(response.status(), 303, "in review");
    (official, reviewer, dossier)
}

/// The reviewer asks for changes to the actions, expecting the answer by `due` (empty: the
/// default).
async fn ask_changes(reviewer: &mut Browser, dossier: &str, due: &str) -> reqwest::Response {
    reviewer
        .post(
            &format!("/beoordeling/{dossier}/aanpassingen"),
            &[
                ("sections", "acties"),
                ("message", "Beschrijf de aanpak concreter."),
                ("answer_due", due),
            ],
        )
        .await
}

fn today() -> chrono::NaiveDate {
    samenleven::domain::time::brussels_date(chrono::Utc::now())
}

/// The text of the one mail whose subject is like `subject_like`.
async fn mail_body(app: &TestApp, subject_like: &str) -> String {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    entity::email_outbox::Entity::find()
        .filter(entity::email_outbox::Column::Subject.like(subject_like))
        .one(&app.db)
        .await
        .unwrap()
        .expect("the mail")
        .body_text
}

async fn mails_to(app: &TestApp, to: &str, subject_like: &str) -> i64 {
    count(
        &app.db,
        &format!("email_outbox WHERE to_address = '{to}' AND subject LIKE '{subject_like}'"),
    )
    .await
}

#[tokio::test]
async fn the_municipality_answers_abb_and_the_assigned_reviewer_gets_the_message_by_mail() {
    let app = spawn_app().await;
    let (mut official, mut reviewer, dossier) = in_review(&app).await;

    let (status, html) = official.get(&format!("/dossiers/{dossier}")).await;
    assert_eq!(status, 200);
    assert!(html.contains("Berichten met ABB"), "{html}");
    let (status, html) = official
        .get(&format!("/dossiers/{dossier}/berichten"))
        .await;
    assert_eq!(status, 200);
    assert!(html.contains("Bericht aan ABB"), "{html}");

    let response = official
        .post(
            &format!("/dossiers/{dossier}/berichten"),
            &[("body", "Wanneer mogen we een antwoord verwachten?")],
        )
        .await;
    assert_eq!(response.status(), 303);
    let (_, html) = official
        .get(&format!("/dossiers/{dossier}/berichten"))
        .await;
    assert!(html.contains("Uw bericht aan ABB is verstuurd."));
    assert!(html.contains("Wanneer mogen we een antwoord verwachten?"));

    assert_eq!(
        mails_to(&app, REVIEWER, "%bericht van de gemeente%").await,
        1,
        "the assigned reviewer is mailed"
    );
    let body = mail_body(&app, "%bericht van de gemeente%").await;
    assert!(body.contains("Wanneer mogen we een antwoord verwachten?"));
    assert!(body.contains(&format!("/beoordeling/{dossier}")));
    assert_eq!(
        count(
            &app.db,
            &format!(
                "audit_log WHERE action = 'application.message_to_abb' AND resource_id = '{dossier}'"
            )
        )
        .await,
        1
    );

    let (_, html) = reviewer.get(&format!("/beoordeling/{dossier}")).await;
    assert!(html.contains("Wanneer mogen we een antwoord verwachten?"));
    assert!(html.contains("van de gemeente"));
}

#[tokio::test]
async fn abb_writes_and_the_municipality_reads_it_on_its_dossier_and_by_mail_without_the_notes() {
    let app = spawn_app().await;
    let (mut official, mut reviewer, dossier) = in_review(&app).await;
    for (body, internal) in [
        ("Interne twijfel over het bereik.", true),
        ("Kunt u het bereik per district geven?", false),
    ] {
        let mut fields = vec![("body", body)];
        if internal {
            fields.push(("internal", "ja"));
        }
        let response = reviewer
            .post(&format!("/beoordeling/{dossier}/bericht"), &fields)
            .await;
        assert_eq!(response.status(), 303);
    }
    assert_eq!(
        mails_to(&app, OFFICIAL_A, "%bericht van ABB%").await,
        1,
        "the message, not the note, is mailed to the municipality"
    );
    for page in [
        format!("/dossiers/{dossier}"),
        format!("/dossiers/{dossier}/berichten"),
    ] {
        let (status, html) = official.get(&page).await;
        assert_eq!(status, 200, "{page}");
        assert!(
            html.contains("Kunt u het bereik per district geven?"),
            "{page}"
        );
        assert!(!html.contains("Interne twijfel"), "{page}");
    }
}

#[tokio::test]
async fn another_municipality_can_neither_read_nor_write_the_messages_of_a_dossier() {
    let app = spawn_app().await;
    let (_, _, dossier) = in_review(&app).await;
    let mut other = app.signed_in(OFFICIAL_B).await;
    let (status, _) = other.get(&format!("/dossiers/{dossier}/berichten")).await;
    assert_eq!(status, 404);
    // The form's token comes from a page the other municipality may open.
    other.get("/gemeente").await;
    let response = other
        .post(
            &format!("/dossiers/{dossier}/berichten"),
            &[("body", "Mag ik meelezen?")],
        )
        .await;
    assert_eq!(response.status(), 404);
    assert_eq!(
        count(&app.db, "message WHERE body = 'Mag ik meelezen?'").await,
        0
    );
}

#[tokio::test]
async fn an_empty_or_too_long_message_comes_back_with_a_dutch_error_and_the_typed_text() {
    let app = spawn_app().await;
    let (mut official, _, dossier) = in_review(&app).await;
    official
        .get(&format!("/dossiers/{dossier}/berichten"))
        .await;
    let response = official
        .post(&format!("/dossiers/{dossier}/berichten"), &[("body", "  ")])
        .await;
    assert_eq!(response.status(), 422);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("Schrijf een bericht.")
    );
    let long = "a".repeat(2001);
    let response = official
        .post(
            &format!("/dossiers/{dossier}/berichten"),
            &[("body", long.as_str())],
        )
        .await;
    assert_eq!(response.status(), 422);
    let html = response.text().await.unwrap();
    assert!(html.contains("hoogstens 2.000 tekens"), "{html}");
    assert!(html.contains(&long), "the typed text is kept");
    assert_eq!(count(&app.db, "message WHERE from_applicant").await, 0);
}

#[tokio::test]
async fn the_deadline_defaults_to_fourteen_days_and_is_shown_on_both_sides_and_in_the_mail() {
    let app = spawn_app().await;
    let (mut official, mut reviewer, dossier) = in_review(&app).await;
    let (_, html) = reviewer.get(&format!("/beoordeling/{dossier}")).await;
    let default = (today() + TimeDelta::days(14))
        .format("%Y-%m-%d")
        .to_string();
    assert_eq!(
        field_value(&html, "answer_due"),
        default,
        "the form proposes it"
    );

    assert_eq!(ask_changes(&mut reviewer, &dossier, "").await.status(), 303);
    let due = samenleven::domain::time::date_long(today() + TimeDelta::days(14));
    let sentence = format!("Antwoord verwacht uiterlijk {due} (nog 14 dagen)");
    let (_, html) = reviewer.get(&format!("/beoordeling/{dossier}")).await;
    assert!(html.contains(&sentence), "ABB's side: {html}");
    let (_, html) = official.get(&format!("/dossiers/{dossier}")).await;
    assert!(html.contains(&sentence), "the municipality's side: {html}");
    let (_, html) = official.get("/gemeente").await;
    assert!(html.contains(&sentence), "and its dashboard: {html}");
    let (_, html) = reviewer.get("/beoordeling?status=changes_requested").await;
    let short = (today() + TimeDelta::days(14))
        .format("%d-%m-%Y")
        .to_string();
    assert!(
        html.contains(&format!("antwoord uiterlijk {short}")),
        "the inbox: {html}"
    );
    assert_eq!(
        count(
            &app.db,
            &format!(
                "email_outbox WHERE to_address = '{OFFICIAL_A}' AND subject LIKE '%vraagt aanpassingen%' AND body_text LIKE '%uiterlijk {due}%'"
            )
        )
        .await,
        1,
        "the change request mail names the day"
    );
}

#[tokio::test]
async fn a_deadline_today_or_in_the_past_is_refused_with_everything_typed_kept() {
    let app = spawn_app().await;
    let (_, mut reviewer, dossier) = in_review(&app).await;
    reviewer.get(&format!("/beoordeling/{dossier}")).await;
    for typed in [today().format("%Y-%m-%d").to_string(), "2020-01-01".into()] {
        let response = ask_changes(&mut reviewer, &dossier, &typed).await;
        assert_eq!(response.status(), 422, "{typed}");
        let html = response.text().await.unwrap();
        assert!(html.contains("Kies een datum na vandaag"), "{html}");
        assert_eq!(field_value(&html, "answer_due"), typed);
        assert!(html.contains("Beschrijf de aanpak concreter.</textarea>"));
        assert!(html.contains("value=\"acties\" checked"));
    }
    assert_eq!(count(&app.db, "change_request").await, 0);
}

#[tokio::test]
async fn the_cover_note_is_required_when_answering_a_change_request_and_reaches_the_reviewer() {
    let app = spawn_app().await;
    let (mut official, mut reviewer, dossier) = in_review(&app).await;
    assert_eq!(ask_changes(&mut reviewer, &dossier, "").await.status(), 303);

    let (_, html) = official.get(&format!("/dossiers/{dossier}/controle")).await;
    assert!(html.contains("Toelichting bij uw aanpassingen"));
    let version = field_value(&html, "version");
    let response = official
        .post(
            &format!("/dossiers/{dossier}/indienen"),
            &[("version", version.as_str()), ("cover_note", "  ")],
        )
        .await;
    assert_eq!(response.status(), 422);
    let html = response.text().await.unwrap();
    assert!(html.contains("Licht toe wat u aanpaste"), "{html}");
    let long = "b".repeat(2001);
    let response = official
        .post(
            &format!("/dossiers/{dossier}/indienen"),
            &[("version", version.as_str()), ("cover_note", long.as_str())],
        )
        .await;
    assert_eq!(response.status(), 422);
    let html = response.text().await.unwrap();
    assert!(html.contains("hoogstens 2.000 tekens"));
    assert!(html.contains(&long), "the typed note is kept");

    let note = "We beschrijven de aanpak nu per district.";
    let response = official
        .post(
            &format!("/dossiers/{dossier}/indienen"),
            &[("version", version.as_str()), ("cover_note", note)],
        )
        .await;
    assert_eq!(response.status(), 303, "resubmitted");
    assert_eq!(
        count(
            &app.db,
            &format!("application_snapshot WHERE cover_note = '{note}'")
        )
        .await,
        1,
        "stored with the submission"
    );
    assert_eq!(
        count(
            &app.db,
            &format!(
                "email_outbox WHERE to_address = '{REVIEWER}' AND subject LIKE '%opnieuw ingediend%' AND body_text LIKE '%{note}%'"
            )
        )
        .await,
        1,
        "mailed to the assigned reviewer"
    );
    let (_, html) = reviewer.get(&format!("/beoordeling/{dossier}")).await;
    let changes = &html[html
        .find("Gewijzigd sinds de vorige indiening")
        .expect("the changes")..];
    assert!(
        changes.contains(note),
        "the note on top of the changes: {changes}"
    );
    let history = &html[html.find("<h2>Geschiedenis</h2>").expect("the history")..];
    assert!(history.contains(note), "and in the history");
}

#[tokio::test]
async fn a_first_submission_may_carry_a_note_but_needs_none() {
    let app = spawn_app().await;
    let mut official = app.signed_in(OFFICIAL_A).await;
    let dossier = ready_dossier(&app, &mut official).await;
    let (_, html) = official.get(&format!("/dossiers/{dossier}/controle")).await;
    assert!(html.contains("(niet verplicht)"));
    let response = official
        .post(
            &format!("/dossiers/{dossier}/indienen"),
            &[
                ("version", &field_value(&html, "version")),
                ("cover_note", ""),
            ],
        )
        .await;
    assert_eq!(response.status(), 303);
    assert_eq!(
        count(&app.db, "application_snapshot WHERE cover_note IS NULL").await,
        1
    );
}

#[tokio::test]
async fn the_municipality_is_reminded_once_three_days_before_the_deadline() {
    let app = spawn_app().await;
    let (_, mut reviewer, dossier) = in_review(&app).await;
    let due = today() + TimeDelta::days(10);
    let typed = due.format("%d-%m-%Y").to_string();
    assert_eq!(
        ask_changes(&mut reviewer, &dossier, &typed).await.status(),
        303
    );
    let reminders = || mails_to(&app, OFFICIAL_A, "%herinnering, ABB wacht%");
    let run = |days: i64| {
        let db = app.db.clone();
        let day = due + TimeDelta::days(days);
        async move {
            let now = samenleven::domain::time::end_of_brussels_day(day);
            samenleven::reminders::send_answer_reminders(&db, "http://samenleven.test", day, now)
                .await
                .unwrap()
        }
    };
    assert_eq!(run(-4).await, 0, "too early");
    assert_eq!(reminders().await, 0);
    assert_eq!(run(-3).await, 1, "three days before");
    assert_eq!(run(-3).await, 0, "a second run that day sends nothing");
    let (a, b) = tokio::join!(run(-2), run(-2));
    assert_eq!(a + b, 0, "nor do two instances later on");
    assert_eq!(reminders().await, 1, "sent once");
    let body = mail_body(&app, "%herinnering, ABB wacht%").await;
    assert!(
        body.contains(&format!(
            "uiterlijk {} (nog 3 dagen)",
            samenleven::domain::time::date_long(due)
        )),
        "{body}"
    );
    assert!(body.contains("Beschrijf de aanpak concreter."));
    assert_eq!(
        count(
            &app.db,
            &format!(
                "audit_log WHERE action = 'application.answer_reminded' AND resource_id = '{dossier}'"
            )
        )
        .await,
        1
    );
}

#[tokio::test]
async fn an_answered_change_request_is_not_reminded() {
    let app = spawn_app().await;
    let (mut official, mut reviewer, dossier) = in_review(&app).await;
    let due = today() + TimeDelta::days(5);
    let typed = due.format("%Y-%m-%d").to_string();
    assert_eq!(
        ask_changes(&mut reviewer, &dossier, &typed).await.status(),
        303
    );
    let (_, html) = official.get(&format!("/dossiers/{dossier}/controle")).await;
    let response = official
        .post(
            &format!("/dossiers/{dossier}/indienen"),
            &[
                ("version", &field_value(&html, "version")),
                ("cover_note", "Aangepast."),
            ],
        )
        .await;
    assert_eq!(response.status(), 303);
    let day = due - TimeDelta::days(2);
    let now = samenleven::domain::time::end_of_brussels_day(day);
    let sent =
        samenleven::reminders::send_answer_reminders(&app.db, "http://samenleven.test", day, now)
            .await
            .unwrap();
    assert_eq!(sent, 0);
}

#[tokio::test]
async fn the_api_resubmits_with_a_cover_note_and_refuses_without_one() {
    use crate::api_v1::{Api, problem, read};
    use reqwest::Method;
    let app = spawn_app().await;
    let (_, mut reviewer, dossier) = in_review(&app).await;
    assert_eq!(ask_changes(&mut reviewer, &dossier, "").await.status(), 303);
    let api = Api::new(&app, OFFICIAL_A).await;
    let path = format!("/api/v1/dossiers/{dossier}");
    let (_, read_back) = api.get(&path).await;
    let tag = read_back["etag"].as_str().unwrap().to_owned();

    let refused = problem(
        api.request(Method::POST, &format!("{path}/submit"))
            .header("if-match", &tag)
            .send()
            .await
            .unwrap(),
        422,
    )
    .await;
    assert!(
        refused["errors"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["field"] == "cover_note"),
        "{refused}"
    );
    let response = api
        .send_json(
            Method::POST,
            &format!("{path}/submit"),
            Some(&tag),
            &serde_json::json!({"cover_note": "Per district beschreven."}),
        )
        .await;
    let (status, submitted) = read(response).await;
    assert_eq!(status, 200, "{submitted}");
    assert_eq!(submitted["state"], "resubmitted");
    assert_eq!(
        count(
            &app.db,
            "application_snapshot WHERE cover_note = 'Per district beschreven.'"
        )
        .await,
        1
    );
}

#[tokio::test]
async fn a_member_of_the_cooperation_reads_the_thread_but_only_the_lead_writes() {
    let app = spawn_app().await;
    let (mut lead, mut puurs, _bornem, dossier) = crate::cooperation::ready_cooperation(&app).await;
    assert_eq!(
        crate::cooperation::submit(&app, &mut lead, &dossier)
            .await
            .status(),
        303
    );
    lead.get(&format!("/dossiers/{dossier}/berichten")).await;
    let response = lead
        .post(
            &format!("/dossiers/{dossier}/berichten"),
            &[("body", "Vraag van de trekker.")],
        )
        .await;
    assert_eq!(response.status(), 303);

    let (status, html) = puurs.get(&format!("/dossiers/{dossier}/berichten")).await;
    assert_eq!(status, 200);
    assert!(html.contains("Vraag van de trekker."));
    assert!(!html.contains("<textarea"), "no form for a member");
    let response = puurs
        .post(
            &format!("/dossiers/{dossier}/berichten"),
            &[("body", "Vraag van een lid.")],
        )
        .await;
    assert_eq!(response.status(), 403);
    assert_eq!(
        count(&app.db, "message WHERE body = 'Vraag van een lid.'").await,
        0
    );
}
