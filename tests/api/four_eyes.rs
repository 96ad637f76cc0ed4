//! Issue 22, safeguards on payments: every irreversible payment step (approve, mark as paid,
//! cancel) goes through a confirmation page that states its consequence with the amount, a
//! cancellation needs a reason, marking as paid records the payment day and the bank's
//! reference, and the person who approved a payment cannot mark it as paid (four eyes).

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

use entity::payment;

use crate::followup::{Spec, approved};
use crate::helpers::{ADMIN, Browser, REVIEWER, TestApp, count, spawn_app, user_id};
use crate::journey::{field_value, location};

const WILLEBROEK: i32 = 12040;
const FOUR_EYES: &str = "Een andere medewerker moet de betaling als betaald markeren (vier ogen).";

/// Willebroek's approved dossier (one project year, € 50.000,00 granted) and its advance of
/// € 40.000,00.
async fn advance_of_willebroek(app: &TestApp) -> payment::Model {
    let f = approved(
        app,
        WILLEBROEK,
        &[],
        1,
        &[Spec {
            code: "2.1",
            planned: 2,
            requested: 5_000_000,
            granted: "50.000,00",
            extra: None,
        }],
    )
    .await;
    let advance = fetch_first(app, f.id).await;
    assert_eq!(advance.amount_cents, 4_000_000, "80% of € 50.000,00");
    advance
}

async fn fetch_first(app: &TestApp, dossier: i64) -> payment::Model {
    payment::Entity::find()
        .filter(payment::Column::ApplicationId.eq(dossier))
        .order_by_asc(payment::Column::Id)
        .one(&app.db)
        .await
        .unwrap()
        .expect("the advance")
}

async fn reload(app: &TestApp, id: i64) -> payment::Model {
    payment::Entity::find_by_id(id)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap()
}

/// Posts the confirmation form of `step` on payment `p` with `fields` (after reading the page).
async fn confirm(
    browser: &mut Browser,
    p: &payment::Model,
    step: &str,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    browser
        .get(&format!(
            "/opvolging/betalingen/{}/bevestigen?stap={step}",
            p.id
        ))
        .await;
    let version = p.version.to_string();
    let mut form = vec![
        ("step", step),
        ("version", version.as_str()),
        ("bevestigd", "ja"),
    ];
    form.extend_from_slice(fields);
    browser
        .post(&format!("/opvolging/betalingen/{}", p.id), &form)
        .await
}

fn days_ago(days: i64) -> String {
    (chrono::Utc::now() - chrono::Duration::days(days))
        .format("%d-%m-%Y")
        .to_string()
}

#[tokio::test]
async fn the_person_who_approved_a_payment_cannot_mark_it_paid_and_another_records_the_bank_reference()
 {
    let app = spawn_app().await;
    let advance = advance_of_willebroek(&app).await;
    let mut reviewer = app.signed_in(REVIEWER).await;

    // The list offers the step as a link to its confirmation page, which says what it does.
    let (_, html) = reviewer.get("/opvolging/betalingen").await;
    let confirm_path = format!(
        "/opvolging/betalingen/{}/bevestigen?stap=approve",
        advance.id
    );
    assert!(html.contains(&confirm_path), "{html}");
    let (status, html) = reviewer.get(&confirm_path).await;
    assert_eq!(status, 200);
    assert!(
        html.contains(
            "U keurt de betaling van € 40.000,00 aan Willebroek goed. Een andere medewerker \
             moet ze daarna als betaald markeren."
        ),
        "{html}"
    );
    assert!(
        html.contains("Vraag Willebroek het rekeningnummer in Samenleven in te vullen"),
        "a payee without an account is pointed out before the bank pays"
    );

    // A post that skips the confirmation page is sent to it, and nothing changes.
    let response = reviewer
        .post(
            &format!("/opvolging/betalingen/{}", advance.id),
            &[
                ("step", "approve"),
                ("version", &advance.version.to_string()),
            ],
        )
        .await;
    assert_eq!(response.status(), 303);
    assert!(location(&response).contains("/bevestigen?stap=approve"));
    assert_eq!(
        reload(&app, advance.id).await.state,
        payment::PaymentState::Scheduled
    );

    // The reviewer approves on the confirmation page.
    let response = confirm(&mut reviewer, &advance, "approve", &[]).await;
    assert_eq!(response.status(), 303);
    let approved = reload(&app, advance.id).await;
    assert_eq!(approved.state, payment::PaymentState::Approved);
    assert_eq!(approved.approved_by, Some(user_id(&app.db, REVIEWER).await));

    // The same reviewer is refused to mark it as paid, on the page and on a post.
    let (_, html) = reviewer
        .get(&format!(
            "/opvolging/betalingen/{}/bevestigen?stap=pay",
            advance.id
        ))
        .await;
    assert!(html.contains(FOUR_EYES), "{html}");
    assert!(!html.contains("name=\"bank_reference\""));
    let response = confirm(
        &mut reviewer,
        &approved,
        "pay",
        &[("paid_on", &days_ago(1)), ("bank_reference", "BNK-0042")],
    )
    .await;
    assert_eq!(response.status(), 409);
    assert!(response.text().await.unwrap().contains(FOUR_EYES));
    assert_eq!(
        reload(&app, advance.id).await.state,
        payment::PaymentState::Approved
    );

    // Another member of ABB marks it as paid, with the payment day and the bank's reference.
    let mut admin = app.signed_in(ADMIN).await;
    let (_, html) = admin
        .get(&format!(
            "/opvolging/betalingen/{}/bevestigen?stap=pay",
            advance.id
        ))
        .await;
    assert!(html.contains("U bevestigt dat de bank € 40.000,00 aan Willebroek betaalde"));
    assert!(
        !field_value(&html, "paid_on").is_empty(),
        "today is proposed"
    );
    let response = confirm(&mut admin, &approved, "pay", &[("paid_on", &days_ago(-3))]).await;
    assert_eq!(response.status(), 422);
    let html = response.text().await.unwrap();
    assert!(html.contains("De betaaldatum kan niet in de toekomst liggen."));
    assert!(html.contains("Vul de referentie van de bank in."));
    let paid_on = days_ago(2);
    let response = confirm(
        &mut admin,
        &approved,
        "pay",
        &[("paid_on", &paid_on), ("bank_reference", "BNK-2026-0042")],
    )
    .await;
    assert_eq!(response.status(), 303);
    let paid = reload(&app, advance.id).await;
    assert_eq!(paid.state, payment::PaymentState::Paid);
    assert_eq!(paid.bank_reference.as_deref(), Some("BNK-2026-0042"));
    assert_eq!(
        paid.paid_on.map(|d| d.format("%d-%m-%Y").to_string()),
        Some(paid_on.clone())
    );
    assert_eq!(
        count(
            &app.db,
            "audit_log WHERE action = 'payment.pay' AND after LIKE '%BNK-2026-0042%'"
        )
        .await,
        1
    );

    // The list and the finance export show the day and the reference.
    let (_, html) = admin.get("/opvolging/betalingen").await;
    assert!(
        html.contains(&format!("op {paid_on}, referentie BNK-2026-0042")),
        "{html}"
    );
    let csv = admin
        .client
        .get(format!("{}/opvolging/betalingen.csv", app.address))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        csv.lines()
            .next()
            .unwrap()
            .ends_with(",betaald_op,bankreferentie,iban,rekeninghouder")
    );
    assert!(csv.contains(",BNK-2026-0042"), "{csv}");
}

#[tokio::test]
async fn cancelling_a_payment_is_confirmed_with_its_amount_and_needs_a_reason() {
    let app = spawn_app().await;
    let advance = advance_of_willebroek(&app).await;
    let mut reviewer = app.signed_in(REVIEWER).await;
    let (_, html) = reviewer
        .get(&format!(
            "/opvolging/betalingen/{}/bevestigen?stap=cancel",
            advance.id
        ))
        .await;
    assert!(
        html.contains(
            "U annuleert de betaling van € 40.000,00 aan Willebroek: dit bedrag wordt niet \
             uitbetaald."
        ),
        "{html}"
    );
    assert!(html.contains("name=\"reason\""));

    let response = confirm(&mut reviewer, &advance, "cancel", &[("reason", "  ")]).await;
    assert_eq!(response.status(), 422);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("Vul de reden van de annulering in.")
    );
    assert_eq!(
        reload(&app, advance.id).await.state,
        payment::PaymentState::Scheduled
    );

    let response = confirm(
        &mut reviewer,
        &advance,
        "cancel",
        &[("reason", "Dubbel gepland met betaling 12.")],
    )
    .await;
    assert_eq!(response.status(), 303);
    let cancelled = reload(&app, advance.id).await;
    assert_eq!(cancelled.state, payment::PaymentState::Cancelled);
    assert_eq!(
        cancelled.cancel_reason.as_deref(),
        Some("Dubbel gepland met betaling 12.")
    );
    let (_, html) = reviewer.get("/opvolging/betalingen").await;
    assert!(html.contains("Dubbel gepland met betaling 12."));
}
