//! The admin pages read the way the rest of the app does (issue 20 and 22): moments in Brussels
//! time, days as Brussels days.

use chrono::TimeZone;
use sea_orm::{ActiveModelTrait, Set};

use crate::helpers::{ADMIN, spawn_app};

#[tokio::test]
async fn the_audit_log_shows_moments_in_brussels_time_and_filters_brussels_days() {
    let app = spawn_app().await;
    // 30 June 2026 at 22:30 UTC is already 1 July 00:30 in Brussels (summer time).
    let at = chrono::Utc
        .with_ymd_and_hms(2026, 6, 30, 22, 30, 0)
        .unwrap();
    entity::audit_log::ActiveModel {
        at: Set(at),
        actor_user_id: Set(None),
        actor_label: Set("test".into()),
        action: Set("test.brussels_time".into()),
        resource_type: Set("call".into()),
        resource_id: Set(Some("1".into())),
        ..Default::default()
    }
    .insert(&app.db)
    .await
    .unwrap();
    let mut admin = app.signed_in(ADMIN).await;
    let (status, html) = admin.get("/beheer/audit?actie=test.brussels_time").await;
    assert_eq!(status, 200);
    assert!(html.contains("<td>01-07-2026 00:30</td>"), "{html}");
    assert!(!html.contains("UTC"), "no UTC times on the page");
    let (_, html) = admin
        .get("/beheer/audit?actie=test.brussels_time&van=2026-07-01&tot=2026-07-01")
        .await;
    assert!(
        html.contains("<td>01-07-2026 00:30</td>"),
        "the entry is on 1 July in Brussels: {html}"
    );
    let (_, html) = admin
        .get("/beheer/audit?actie=test.brussels_time&van=2026-06-30&tot=2026-06-30")
        .await;
    assert!(
        !html.contains("<td>01-07-2026 00:30</td>"),
        "not on 30 June"
    );
}

#[tokio::test]
async fn an_admin_finds_the_municipality_by_typing_its_name_and_is_asked_when_it_is_ambiguous() {
    let app = spawn_app().await;
    let mut admin = app.signed_in(ADMIN).await;
    let (status, form) = admin.get("/beheer/gebruikers/nieuw").await;
    assert_eq!(status, 200);
    assert!(
        form.contains(
            "<input type=\"text\" id=\"municipality\" name=\"municipality\" list=\"gemeenten\""
        ),
        "a search field, not one list of every municipality"
    );
    assert!(form.contains("<option value=\"Puurs-Sint-Amands (12041)\">"));
    assert!(
        form.matches("<option value=\"").count() > 290,
        "every municipality is suggested"
    );

    // Part of a name is not guessed: the form comes back with suggestions and what was typed.
    let typed = [
        ("name", "Joris Maes"),
        ("email", "joris.maes@sint-niklaas.test"),
        ("role", "official"),
        ("municipality", "sint"),
        ("partner", ""),
    ];
    let refused = admin.post("/beheer/gebruikers", &typed).await;
    assert_eq!(refused.status(), 422);
    let page = refused.text().await.unwrap();
    assert!(
        page.contains("is geen volledige gemeentenaam. Bedoelt u "),
        "{page}"
    );
    assert!(page.contains("value=\"sint\""), "the typed text is kept");
    assert!(page.contains("value=\"Joris Maes\""));

    // The name as people type it, without capitals or hyphens, is enough.
    let mut named = typed;
    named[3] = ("municipality", "sint niklaas");
    let response = admin.post("/beheer/gebruikers", &named).await;
    assert_eq!(response.status(), 303);
    assert_eq!(
        app.count(
            "app_user u JOIN municipality m ON m.id = u.municipality_id \
             WHERE u.email = 'joris.maes@sint-niklaas.test' AND m.nis_code = 46021"
        )
        .await,
        1,
        "bound to Sint-Niklaas"
    );
}
