//! Issue 7: admins see the e-mail outbox (counts per state, a filtered list) and put a failed
//! mail back in the queue; a reset mail's one-time link never shows.

use sea_orm::{ConnectionTrait, Statement};

use crate::helpers::{ADMIN, OFFICIAL_A, OFFICIAL_B, REVIEWER, TestApp, count, exec, spawn_app};

const RESET_SUBJECT: &str = "Samenleven: uw wachtwoord opnieuw instellen";

/// Asks for a password reset for `email` and waits until the mail has been delivered.
async fn reset_mail_sent(app: &TestApp, email: &str, delivered_before: usize) {
    let mut browser = app.browser();
    browser.get("/wachtwoord-vergeten").await;
    let response = browser
        .post("/wachtwoord-vergeten", &[("email", email)])
        .await;
    assert_eq!(response.status(), 200);
    app.smtp.wait_for(delivered_before + 1).await;
    queue_settled(app).await;
}

/// Waits until the worker has recorded every delivery (it marks a row sent just after the SMTP
/// server received it).
async fn queue_settled(app: &TestApp) {
    for _ in 0..100 {
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

async fn outbox_id_for(app: &TestApp, email: &str) -> i64 {
    let row = app
        .db
        .query_one_raw(Statement::from_string(
            app.db.get_database_backend(),
            format!("SELECT id FROM email_outbox WHERE to_address = '{email}'"),
        ))
        .await
        .unwrap()
        .expect("an outbox row");
    row.try_get::<i64>("", "id").unwrap()
}

/// The number shown for `label` in the page's counts.
fn count_shown(html: &str, label: &str) -> String {
    let marker = format!("<dt>{label}</dt><dd>");
    let start = html.find(&marker).expect("the count") + marker.len();
    let end = html[start..].find('<').unwrap() + start;
    html[start..end].to_owned()
}

#[tokio::test]
async fn an_admin_sees_counts_and_rows_but_never_the_reset_link() {
    let app = spawn_app().await;
    reset_mail_sent(&app, OFFICIAL_A, 0).await;
    let mails = app.smtp.mails().await;
    assert!(mails[0].body().contains("/wachtwoord-instellen/"));

    let mut admin = app.signed_in(ADMIN).await;
    let (status, html) = admin.get("/beheer/e-mails").await;
    assert_eq!(status, 200);
    assert!(
        html.contains("href=\"/beheer/e-mails\""),
        "in the navigation"
    );
    assert_eq!(count_shown(&html, "verzonden"), "1");
    assert_eq!(count_shown(&html, "wachtend"), "0");
    assert_eq!(count_shown(&html, "bezig"), "0");
    assert_eq!(count_shown(&html, "mislukt"), "0");
    assert!(html.contains(OFFICIAL_A));
    assert!(html.contains(RESET_SUBJECT));
    assert!(html.contains("<td>verzonden</td>"));
    assert!(!html.contains("/wachtwoord-instellen/"), "no one-time link");
    assert!(!html.contains("Opnieuw versturen"), "nothing failed");
}

#[tokio::test]
async fn the_list_filters_by_state_and_recipient() {
    let app = spawn_app().await;
    reset_mail_sent(&app, OFFICIAL_A, 0).await;
    reset_mail_sent(&app, OFFICIAL_B, 1).await;
    let failed = outbox_id_for(&app, OFFICIAL_B).await;
    exec(
        &app,
        &format!("UPDATE email_outbox SET state = 'failed' WHERE id = {failed}"),
    )
    .await;
    let mut admin = app.signed_in(ADMIN).await;

    let (_, html) = admin.get("/beheer/e-mails?staat=mislukt").await;
    assert!(html.contains(OFFICIAL_B));
    assert!(!html.contains(OFFICIAL_A));
    assert!(html.contains("1 e-mail"));
    assert_eq!(count_shown(&html, "mislukt"), "1");
    assert_eq!(count_shown(&html, "verzonden"), "1");

    let (_, html) = admin.get("/beheer/e-mails?staat=verzonden").await;
    assert!(html.contains(OFFICIAL_A));
    assert!(!html.contains(OFFICIAL_B));

    let (_, html) = admin.get("/beheer/e-mails?aan=willebroek").await;
    assert!(html.contains(OFFICIAL_B));
    assert!(!html.contains(OFFICIAL_A));

    let (_, html) = admin.get("/beheer/e-mails?staat=wachtend").await;
    assert!(html.contains("0 e-mails"));

    let (status, html) = admin.get("/beheer/e-mails?staat=onzin").await;
    assert_eq!(status, 200);
    assert!(html.contains("Kies een status uit de lijst."));
}

#[tokio::test]
async fn a_failed_mail_is_requeued_audited_and_delivered() {
    let app = spawn_app().await;
    reset_mail_sent(&app, OFFICIAL_A, 0).await;
    let id = outbox_id_for(&app, OFFICIAL_A).await;
    exec(
        &app,
        &format!(
            "UPDATE email_outbox SET state = 'failed', attempts = 20, sent_at = NULL, \
             last_error = '550 mailbox unavailable' WHERE id = {id}"
        ),
    )
    .await;

    let mut admin = app.signed_in(ADMIN).await;
    let (_, html) = admin.get("/beheer/e-mails").await;
    assert!(html.contains("<td>mislukt</td>"));
    assert!(html.contains("550 mailbox unavailable"));
    assert!(html.contains(&format!("action=\"/beheer/e-mails/{id}/opnieuw\"")));

    let response = admin
        .post(&format!("/beheer/e-mails/{id}/opnieuw"), &[])
        .await;
    assert_eq!(response.status(), 303);
    assert_eq!(response.headers()["location"], "/beheer/e-mails");
    let (_, html) = admin.get("/beheer/e-mails").await;
    assert!(html.contains("opnieuw in de wachtrij"), "the flash");

    let mails = app.smtp.wait_for(2).await;
    assert_eq!(mails.len(), 2);
    assert_eq!(mails[1].to, vec![OFFICIAL_A.to_owned()]);
    assert_eq!(mails[1].subject(), Some(RESET_SUBJECT));
    assert_eq!(
        count(
            &app.db,
            &format!(
                "audit_log WHERE action = 'mail.requeued' AND resource_type = 'email_outbox' \
                 AND resource_id = '{id}'"
            )
        )
        .await,
        1
    );
    queue_settled(&app).await;
    assert_eq!(
        app.count(&format!(
            "email_outbox WHERE id = {id} AND state = 'sent' AND attempts = 1"
        ))
        .await,
        1
    );

    // A mail that is not failed is left alone.
    let response = admin
        .post(&format!("/beheer/e-mails/{id}/opnieuw"), &[])
        .await;
    assert_eq!(response.status(), 303);
    assert_eq!(
        app.count("audit_log WHERE action = 'mail.requeued'").await,
        1
    );
    // An unknown mail is not found.
    let response = admin.post("/beheer/e-mails/999999/opnieuw", &[]).await;
    assert_eq!(response.status(), 404);
    let response = admin.post("/beheer/e-mails/geen-getal/opnieuw", &[]).await;
    assert_eq!(response.status(), 404);
}

#[tokio::test]
async fn officials_and_reviewers_may_not_see_or_requeue_mail() {
    let app = spawn_app().await;
    reset_mail_sent(&app, OFFICIAL_A, 0).await;
    let id = outbox_id_for(&app, OFFICIAL_A).await;
    exec(
        &app,
        &format!("UPDATE email_outbox SET state = 'failed' WHERE id = {id}"),
    )
    .await;
    for email in [OFFICIAL_A, REVIEWER] {
        let mut browser = app.signed_in(email).await;
        let (status, html) = browser.get("/beheer/e-mails").await;
        assert_eq!(status, 403, "{email}");
        assert!(!html.contains(RESET_SUBJECT));
        let response = browser
            .post(&format!("/beheer/e-mails/{id}/opnieuw"), &[])
            .await;
        assert_eq!(response.status(), 403, "{email}");
    }
    assert_eq!(
        app.count(&format!(
            "email_outbox WHERE id = {id} AND state = 'failed'"
        ))
        .await,
        1
    );
    assert_eq!(
        app.count("audit_log WHERE action = 'mail.requeued'").await,
        0
    );
}
