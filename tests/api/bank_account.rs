//! Issue 22, "payment details": a municipality's own officials give the bank account (IBAN,
//! checked) it is paid on; every official of the municipality is mailed about a change; ABB
//! staff cannot set where the money goes.

use crate::helpers::{ADMIN, OFFICIAL_A, REVIEWER, create_official, spawn_app};

const PAGE: &str = "/gemeente/rekening";

fn version_in(html: &str) -> String {
    let marker = "name=\"version\" value=\"";
    let start = html.find(marker).expect("a version field") + marker.len();
    let end = html[start..].find('"').unwrap() + start;
    html[start..end].to_owned()
}

#[tokio::test]
async fn an_official_sets_the_iban_and_every_official_of_the_municipality_is_mailed() {
    let app = spawn_app().await;
    create_official(&app.db, 11002, "financien@antwerpen.test").await;
    let mut official = app.signed_in(OFFICIAL_A).await;

    let (status, html) = official.get(PAGE).await;
    assert_eq!(status, 200);
    assert!(html.contains("heeft nog geen rekeningnummer opgegeven"));
    assert!(
        html.contains("value=\"Gemeente Antwerpen\""),
        "holder proposed"
    );

    let response = official
        .post(
            PAGE,
            &[
                ("iban", "be68 5390 0754 7034"),
                ("holder", "Stad Antwerpen"),
                ("version", &version_in(&html)),
            ],
        )
        .await;
    assert_eq!(response.status(), 303);
    let (_, html) = official.get(PAGE).await;
    assert!(html.contains("BE68 5390 0754 7034"));
    assert!(html.contains("Stad Antwerpen"));
    assert!(html.contains("Het rekeningnummer van Antwerpen is nu BE68 5390 0754 7034"));
    assert_eq!(
        app.count("bank_account WHERE iban = 'BE68539007547034'")
            .await,
        1
    );
    assert_eq!(
        app.count("audit_log WHERE action = 'organisation.bank_account_set'")
            .await,
        1
    );

    let mails = app.smtp.wait_for(2).await;
    let to: Vec<&str> = mails
        .iter()
        .flat_map(|m| m.to.iter().map(String::as_str))
        .collect();
    assert!(
        to.contains(&OFFICIAL_A) && to.contains(&"financien@antwerpen.test"),
        "{to:?}"
    );
    let body = mails[0].body();
    assert!(body.contains("BE** **** **** 7034"), "{body}");
    assert!(
        !body.contains("5390"),
        "a mail never carries the whole number"
    );
}

#[tokio::test]
async fn a_mistyped_iban_comes_back_as_typed_with_what_to_check() {
    let app = spawn_app().await;
    let mut official = app.signed_in(OFFICIAL_A).await;
    let (_, html) = official.get(PAGE).await;
    let response = official
        .post(
            PAGE,
            &[
                ("iban", "BE68 5390 0754 7035"),
                ("holder", ""),
                ("version", &version_in(&html)),
            ],
        )
        .await;
    assert_eq!(response.status(), 422);
    let html = response.text().await.unwrap();
    assert!(
        html.contains("value=\"BE68 5390 0754 7035\""),
        "kept as typed"
    );
    assert!(html.contains("de controlecijfers kloppen niet"));
    assert!(html.contains("Vul de naam van de rekeninghouder in"));
    assert!(
        html.contains("href=\"#iban\""),
        "the summary links to the field"
    );
    assert_eq!(app.count("bank_account").await, 0);
}

#[tokio::test]
async fn a_form_read_before_a_colleagues_change_is_refused_and_shows_the_current_account() {
    let app = spawn_app().await;
    create_official(&app.db, 11002, "financien@antwerpen.test").await;
    let mut first = app.signed_in(OFFICIAL_A).await;
    let mut second = app.signed_in("financien@antwerpen.test").await;
    let (_, first_form) = first.get(PAGE).await;
    let (_, second_form) = second.get(PAGE).await;

    let response = first
        .post(
            PAGE,
            &[
                ("iban", "BE68539007547034"),
                ("holder", "Stad Antwerpen"),
                ("version", &version_in(&first_form)),
            ],
        )
        .await;
    assert_eq!(response.status(), 303);
    let response = second
        .post(
            PAGE,
            &[
                ("iban", "NL91ABNA0417164300"),
                ("holder", "Iemand anders"),
                ("version", &version_in(&second_form)),
            ],
        )
        .await;
    assert_eq!(response.status(), 409);
    let html = response.text().await.unwrap();
    assert!(html.contains("Iemand anders wijzigde het rekeningnummer intussen"));
    assert!(
        html.contains("BE68 5390 0754 7034"),
        "the current account is shown"
    );
    assert_eq!(
        app.count("bank_account WHERE iban = 'BE68539007547034'")
            .await,
        1
    );
}

#[tokio::test]
async fn abb_staff_cannot_set_where_a_municipality_is_paid() {
    let app = spawn_app().await;
    for email in [REVIEWER, ADMIN] {
        let mut staff = app.signed_in(email).await;
        let (status, _) = staff.get(PAGE).await;
        assert_eq!(status, 403, "{email}");
        let response = staff
            .post(
                PAGE,
                &[
                    ("iban", "BE68539007547034"),
                    ("holder", "X"),
                    ("version", ""),
                ],
            )
            .await;
        assert_eq!(response.status(), 403, "{email}");
    }
    assert_eq!(app.count("bank_account").await, 0);
}
