//! Issue 22, safeguards on payments: every irreversible payment step (approve, mark as paid,
//! cancel) goes through a confirmation page that states its consequence with the amount, a
//! cancellation needs a reason, marking as paid records the payment day and the bank's
//! reference, and the person who approved a payment cannot mark it as paid (four eyes).
//!
//! Decisions, allocations, reclaims and envelope changes: proposed by one member of ABB and
//! confirmed by another above the call's threshold (0: always); the proposer is refused on the
//! page and on a post (409), a proposal sent back needs a reason and mails the proposer, and
//! up to the threshold one step suffices.

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
            code: "4.3",
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

// ------------------------------------------------------------------ decisions

const DECISION_FOUR_EYES: &str =
    "Een andere medewerker moet deze beslissing bevestigen (vier ogen).";
const SECOND_ADMIN: &str = "beheerder2@demo.samenleven.test";

/// Antwerpen's dossier with one action (2.1, € 25.000,00 requested) in review by the reviewer.
/// Returns the dossier and the action's grant field.
async fn dossier_in_review(app: &TestApp, reviewer: &mut Browser) -> (i64, String) {
    let mut official = app.signed_in(crate::helpers::OFFICIAL_A).await;
    let dossier: i64 = crate::allocation::submitted_dossier(app, &mut official, &[("4.3", 1)])
        .await
        .parse()
        .unwrap();
    reviewer.get(&format!("/beoordeling/{dossier}")).await;
    let response = reviewer
        .post(&format!("/beoordeling/{dossier}/start"), &[])
        .await;
    assert_eq!(response.status(), 303);
    let action = entity::application_action::Entity::find()
        .filter(entity::application_action::Column::ApplicationId.eq(dossier))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    (dossier, format!("grant_{}", action.id))
}

async fn state_of(app: &TestApp, dossier: i64) -> entity::application::ApplicationState {
    entity::application::Entity::find_by_id(dossier)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap()
        .state
}

async fn propose_approval(
    reviewer: &mut Browser,
    dossier: i64,
    grant: &str,
    amount: &str,
) -> reqwest::Response {
    reviewer.get(&format!("/beoordeling/{dossier}")).await;
    reviewer
        .post(
            &format!("/beoordeling/{dossier}/beslissing"),
            &[
                ("outcome", "approve"),
                (grant, amount),
                ("motivation", "Sterk dossier met haalbare doelen."),
            ],
        )
        .await
}

#[tokio::test]
async fn a_decision_proposed_by_one_reviewer_changes_nothing_until_another_member_of_abb_confirms_it()
 {
    use entity::application::ApplicationState;
    let app = spawn_app().await;
    let mut reviewer = app.signed_in(REVIEWER).await;
    let (dossier, grant) = dossier_in_review(&app, &mut reviewer).await;

    // The form says a second person confirms; proposing changes nothing else.
    let (_, html) = reviewer.get(&format!("/beoordeling/{dossier}")).await;
    assert!(html.contains("Beslissing voorstellen</button>"), "{html}");
    let response = propose_approval(&mut reviewer, dossier, &grant, "20.000,00").await;
    assert_eq!(response.status(), 303);
    assert_eq!(state_of(&app, dossier).await, ApplicationState::InReview);
    assert_eq!(count(&app.db, "decision").await, 0);
    assert_eq!(
        count(
            &app.db,
            &format!("payment WHERE application_id = {dossier}")
        )
        .await,
        0,
        "no advance is scheduled"
    );
    assert_eq!(
        count(
            &app.db,
            "audit_log WHERE action = 'four_eyes.decision.proposed'"
        )
        .await,
        1
    );
    let proposal = crate::helpers::pending_decision(&app.db, dossier)
        .await
        .expect("the proposal waits");
    assert_eq!(proposal.amount_cents, 2_000_000);

    // The proposer sees the proposal and the refusal, not the confirmation.
    let (_, html) = reviewer.get(&format!("/beoordeling/{dossier}")).await;
    assert!(html.contains("wacht op bevestiging (vier ogen)"));
    assert!(html.contains("Sterk dossier met haalbare doelen."));
    assert!(html.contains("€ 20.000,00"));
    assert!(html.contains(DECISION_FOUR_EYES), "{html}");
    assert!(html.contains("Voorstel intrekken"));
    let confirm_path = format!(
        "/beoordeling/{dossier}/voorstellen/{}/bevestigen",
        proposal.id
    );
    assert!(!html.contains(&confirm_path));
    let (status, html) = reviewer.get(&confirm_path).await;
    assert_eq!(status, 200);
    assert!(html.contains(DECISION_FOUR_EYES));
    assert!(!html.contains("Beslissing bevestigen</button>"));
    let response = reviewer.post(&confirm_path, &[]).await;
    assert_eq!(response.status(), 409);
    assert!(response.text().await.unwrap().contains(DECISION_FOUR_EYES));
    assert_eq!(state_of(&app, dossier).await, ApplicationState::InReview);

    // The admin finds it in the list "Te bevestigen" and confirms it from the dossier.
    let mut admin = app.signed_in(ADMIN).await;
    let (_, html) = admin.get("/beoordeling").await;
    assert!(html.contains("Te bevestigen"));
    assert!(html.contains(&format!("href=\"/beoordeling/{dossier}\"")));
    let (_, html) = admin.get(&format!("/beoordeling/{dossier}")).await;
    assert!(html.contains(&confirm_path));
    let (_, html) = admin.get(&confirm_path).await;
    assert!(html.contains("de voorschotten worden ingepland"), "{html}");
    assert!(html.contains("Antwerpen krijgt de beslissing te zien"));
    let response = admin.post(&confirm_path, &[]).await;
    assert_eq!(response.status(), 303);
    assert_eq!(
        state_of(&app, dossier).await,
        ApplicationState::PartlyApproved
    );
    let decision = entity::decision::Entity::find()
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(decision.proposed_by, Some(user_id(&app.db, REVIEWER).await));
    assert_eq!(decision.decided_by, user_id(&app.db, ADMIN).await);
    assert_eq!(
        count(
            &app.db,
            "audit_log WHERE action = 'four_eyes.decision.confirmed'"
        )
        .await,
        1
    );
    assert!(
        count(
            &app.db,
            &format!("payment WHERE application_id = {dossier}")
        )
        .await
            > 0,
        "the advances are scheduled"
    );
    let (_, html) = admin.get(&format!("/beoordeling/{dossier}")).await;
    assert!(html.contains("voorgesteld door"), "{html}");
    assert!(html.contains("bevestigd door"));
    // The formal decision names the signatory's role, not the staff who proposed and confirmed.
    let (_, letter) = admin.get(&format!("/dossiers/{dossier}/beslissing")).await;
    assert!(!letter.contains("voorgesteld door"), "{letter}");
    assert!(
        app.smtp
            .wait_until(|m| m.to.contains(&crate::helpers::OFFICIAL_A.to_owned())
                && m.subject()
                    .is_some_and(|s| s.contains("beslissing over uw dossier")))
            .await,
        "the municipality is told once the decision is confirmed"
    );
    // A settled proposal is not confirmed twice.
    let response = admin.post(&confirm_path, &[]).await;
    assert_eq!(response.status(), 409);
}

#[tokio::test]
async fn a_proposal_sent_back_needs_a_reason_mails_the_proposer_and_the_proposer_may_withdraw_the_next()
 {
    use entity::four_eyes_proposal::ProposalState;
    let app = spawn_app().await;
    let mut reviewer = app.signed_in(REVIEWER).await;
    let (dossier, grant) = dossier_in_review(&app, &mut reviewer).await;
    propose_approval(&mut reviewer, dossier, &grant, "25.000,00").await;
    let proposal = crate::helpers::pending_decision(&app.db, dossier)
        .await
        .unwrap();

    let mut admin = app.signed_in(ADMIN).await;
    let confirm_path = format!(
        "/beoordeling/{dossier}/voorstellen/{}/bevestigen",
        proposal.id
    );
    let back_path = format!(
        "/beoordeling/{dossier}/voorstellen/{}/terugsturen",
        proposal.id
    );
    admin.get(&confirm_path).await;
    let version = proposal.version.to_string();
    let response = admin
        .post(&back_path, &[("version", &version), ("reason", " ")])
        .await;
    assert_eq!(response.status(), 422);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("Geef de reden op waarom u het voorstel terugstuurt.")
    );
    let response = admin
        .post(
            &back_path,
            &[
                ("version", &version),
                (
                    "reason",
                    "Het bereik van actie 2.1 rechtvaardigt geen volledig bedrag.",
                ),
            ],
        )
        .await;
    assert_eq!(response.status(), 303);
    let settled = entity::four_eyes_proposal::Entity::find_by_id(proposal.id)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(settled.state, ProposalState::Refused);
    assert_eq!(count(&app.db, "decision").await, 0);
    assert!(
        app.smtp
            .wait_until(|m| m.to.contains(&REVIEWER.to_owned())
                && m.body().contains("rechtvaardigt geen volledig bedrag"))
            .await,
        "the proposer is mailed with the reason"
    );
    assert_eq!(
        count(
            &app.db,
            "audit_log WHERE action = 'four_eyes.decision.refused'"
        )
        .await,
        1
    );

    // The reviewer proposes again and withdraws that proposal; the form is back.
    let response = propose_approval(&mut reviewer, dossier, &grant, "15.000,00").await;
    assert_eq!(response.status(), 303);
    let next = crate::helpers::pending_decision(&app.db, dossier)
        .await
        .unwrap();
    reviewer.get(&format!("/beoordeling/{dossier}")).await;
    let withdraw = format!("/beoordeling/{dossier}/voorstellen/{}/intrekken", next.id);
    let response = admin
        .post(&withdraw, &[("version", &next.version.to_string())])
        .await;
    assert_eq!(response.status(), 409, "only the proposer withdraws");
    let response = reviewer
        .post(&withdraw, &[("version", &next.version.to_string())])
        .await;
    assert_eq!(response.status(), 303);
    assert!(
        crate::helpers::pending_decision(&app.db, dossier)
            .await
            .is_none()
    );
    let (_, html) = reviewer.get(&format!("/beoordeling/{dossier}")).await;
    assert!(html.contains("Beslissing voorstellen</button>"));
    assert_eq!(
        count(
            &app.db,
            "audit_log WHERE action = 'four_eyes.decision.withdrawn'"
        )
        .await,
        1
    );
}

#[tokio::test]
async fn a_proposal_that_no_longer_fits_the_dossier_is_refused_in_plain_dutch_on_confirmation() {
    use sea_orm::{ActiveModelTrait, Set};
    let app = spawn_app().await;
    let mut reviewer = app.signed_in(REVIEWER).await;
    let (dossier, grant) = dossier_in_review(&app, &mut reviewer).await;
    propose_approval(&mut reviewer, dossier, &grant, "25.000,00").await;
    let proposal = crate::helpers::pending_decision(&app.db, dossier)
        .await
        .unwrap();

    // Meanwhile an allocation of € 18.000,00 is confirmed for the action.
    let row = entity::application::Entity::find_by_id(dossier)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    let action: i64 = grant.trim_start_matches("grant_").parse().unwrap();
    let now = chrono::Utc::now();
    let allocation = entity::allocation::ActiveModel {
        call_id: Set(row.call_id),
        year_number: Set(row.first_project_year),
        state: Set(entity::allocation::AllocationState::Confirmed),
        envelope_cents: Set(100_000_000),
        incentives_cents: Set(0),
        created_at: Set(now),
        confirmed_at: Set(Some(now)),
        version: Set(1),
        ..Default::default()
    }
    .insert(&app.db)
    .await
    .unwrap();
    entity::allocation_line::ActiveModel {
        allocation_id: Set(allocation.id),
        application_action_id: Set(action),
        requested_cents: Set(2_500_000),
        proposed_cents: Set(1_800_000),
        adjusted_cents: Set(None),
        reason: Set("Envelop verdeeld".into()),
        version: Set(1),
        ..Default::default()
    }
    .insert(&app.db)
    .await
    .unwrap();

    let mut admin = app.signed_in(ADMIN).await;
    let path = format!(
        "/beoordeling/{dossier}/voorstellen/{}/bevestigen",
        proposal.id
    );
    admin.get(&path).await;
    let response = admin.post(&path, &[]).await;
    assert_eq!(response.status(), 409);
    let html = response.text().await.unwrap();
    assert!(
        html.contains("Het voorstel past niet meer bij de huidige gegevens van het dossier."),
        "{html}"
    );
    assert_eq!(count(&app.db, "decision").await, 0);
    assert_eq!(
        state_of(&app, dossier).await,
        entity::application::ApplicationState::InReview
    );
}

#[tokio::test]
async fn a_decision_up_to_the_calls_threshold_is_taken_in_one_step() {
    let app = spawn_app().await;
    let mut reviewer = app.signed_in(REVIEWER).await;
    let (dossier, grant) = dossier_in_review(&app, &mut reviewer).await;
    let call = entity::application::Entity::find_by_id(dossier)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap()
        .call_id;
    crate::helpers::exec(
        &app,
        &format!("UPDATE call SET four_eyes_threshold_cents = 10000000 WHERE id = {call}"),
    )
    .await;
    let mut admin = app.signed_in(ADMIN).await;
    let (_, html) = admin.get(&format!("/beheer/oproepen/{call}")).await;
    assert!(
        html.contains("Een tweede medewerker bevestigt boven € 100.000,00."),
        "the call page shows the threshold"
    );

    let (_, html) = reviewer.get(&format!("/beoordeling/{dossier}")).await;
    assert!(html.contains("Boven € 100.000,00 bevestigt een andere medewerker de beslissing"));
    let response = propose_approval(&mut reviewer, dossier, &grant, "25.000,00").await;
    assert_eq!(response.status(), 303);
    assert_eq!(
        state_of(&app, dossier).await,
        entity::application::ApplicationState::Approved
    );
    assert!(
        crate::helpers::pending_decision(&app.db, dossier)
            .await
            .is_none()
    );
    let decision = entity::decision::Entity::find()
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(decision.proposed_by, None);
    assert_eq!(decision.decided_by, user_id(&app.db, REVIEWER).await);
}

// ------------------------------------------------------------------ allocations

#[tokio::test]
async fn whoever_computed_an_allocation_cannot_confirm_it_and_a_second_admin_can() {
    let app = spawn_app().await;
    let mut official = app.signed_in(crate::helpers::OFFICIAL_A).await;
    crate::allocation::submitted_dossier(&app, &mut official, &[("4.3", 1)]).await;
    let mut admin = app.signed_in(ADMIN).await;
    admin.get("/beoordeling/toewijzing").await;
    let response = admin
        .post(
            "/beoordeling/toewijzing",
            &[
                ("call_id", &crate::journey::call_id(&app).await),
                ("year", "1"),
            ],
        )
        .await;
    assert_eq!(response.status(), 303);
    let allocation = entity::allocation::Entity::find()
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    let confirm_path = format!("/beoordeling/toewijzing/{}/bevestigen", allocation.id);

    let (_, html) = admin.get("/beoordeling/toewijzing").await;
    assert!(html.contains(DECISION_FOUR_EYES), "{html}");
    assert!(!html.contains("Toewijzing bevestigen</button>"));
    let response = admin.post(&confirm_path, &[]).await;
    assert_eq!(response.status(), 409);
    assert!(response.text().await.unwrap().contains(DECISION_FOUR_EYES));

    let mut second = app.signed_in(SECOND_ADMIN).await;
    let (_, html) = second.get("/beoordeling/toewijzing").await;
    assert!(html.contains("Toewijzing bevestigen</button>"));
    let response = second.post(&confirm_path, &[]).await;
    assert_eq!(response.status(), 303);
    let confirmed = entity::allocation::Entity::find_by_id(allocation.id)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        confirmed.state,
        entity::allocation::AllocationState::Confirmed
    );
    assert_eq!(
        confirmed.confirmed_by,
        Some(user_id(&app.db, SECOND_ADMIN).await)
    );
}

// ------------------------------------------------------------------ envelopes

async fn envelope_of_year_one(app: &TestApp, call: i64) -> i64 {
    entity::call_project_year::Entity::find()
        .filter(entity::call_project_year::Column::CallId.eq(call))
        .filter(entity::call_project_year::Column::YearNumber.eq(1))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap()
        .envelope_cents
}

#[tokio::test]
async fn a_new_envelope_waits_for_a_second_admin_while_the_rest_of_the_call_is_saved_at_once() {
    let app = spawn_app().await;
    let call = crate::calls::first_call(&app).await;
    let before = envelope_of_year_one(&app, call.id).await;
    let mut admin = app.signed_in(ADMIN).await;
    let response = crate::calls::edit_call(
        &mut admin,
        call.id,
        &[("y1_envelope", "12.000.000,00"), ("review_days", "50")],
    )
    .await;
    assert_eq!(response.status(), 303);
    assert_eq!(envelope_of_year_one(&app, call.id).await, before, "not yet");
    assert_eq!(
        crate::calls::first_call(&app).await.review_days,
        50,
        "saved"
    );
    let proposal = crate::calls::pending_envelopes(&app, call.id)
        .await
        .expect("the envelope change waits");
    assert_eq!(
        proposal.amount_cents,
        (1_200_000_000 - before).abs(),
        "the size of the change"
    );

    // The admin who proposed it sees the refusal and cannot confirm it.
    let page = format!("/beheer/oproepen/{}", call.id);
    let confirm = format!("{page}/voorstellen/{}/bevestigen", proposal.id);
    let (_, html) = admin.get(&page).await;
    assert!(html.contains("Nieuwe enveloppe: wacht op bevestiging (vier ogen)"));
    assert!(html.contains("wordt € 12.000.000,00"), "{html}");
    assert!(html.contains(DECISION_FOUR_EYES));
    assert!(!html.contains("Enveloppe bevestigen</button>"));
    let response = admin.post(&confirm, &[]).await;
    assert_eq!(response.status(), 409);
    assert!(response.text().await.unwrap().contains(DECISION_FOUR_EYES));

    // A second admin reads the consequence and confirms it.
    let mut second = app.signed_in(SECOND_ADMIN).await;
    let (_, html) = second.get(&page).await;
    assert!(html.contains("U bevestigt de nieuwe enveloppe: Projectjaar 1:"));
    let response = second.post(&confirm, &[]).await;
    assert_eq!(response.status(), 303);
    assert_eq!(envelope_of_year_one(&app, call.id).await, 1_200_000_000);
    assert_eq!(
        count(&app.db, "audit_log WHERE action = 'call.envelope_changed'").await,
        1
    );
    assert_eq!(
        count(
            &app.db,
            "audit_log WHERE action = 'four_eyes.envelope.confirmed'"
        )
        .await,
        1
    );
}

#[tokio::test]
async fn an_envelope_change_up_to_the_threshold_is_saved_at_once() {
    let app = spawn_app().await;
    let call = crate::calls::first_call(&app).await;
    let before = envelope_of_year_one(&app, call.id).await;
    let mut admin = app.signed_in(ADMIN).await;
    let response =
        crate::calls::edit_call(&mut admin, call.id, &[("four_eyes_threshold", "1.000,00")]).await;
    assert_eq!(response.status(), 303);
    assert_eq!(
        crate::calls::first_call(&app)
            .await
            .four_eyes_threshold_cents,
        100_000
    );
    let raised = samenleven::domain::Cents::new(before + 100_000)
        .unwrap()
        .to_plain_string();
    let response = crate::calls::edit_call(&mut admin, call.id, &[("y1_envelope", &raised)]).await;
    assert_eq!(response.status(), 303);
    assert_eq!(envelope_of_year_one(&app, call.id).await, before + 100_000);
    assert!(
        crate::calls::pending_envelopes(&app, call.id)
            .await
            .is_none()
    );
}

#[tokio::test]
async fn an_allocation_up_to_the_threshold_is_confirmed_by_whoever_computed_it() {
    let app = spawn_app().await;
    let mut official = app.signed_in(crate::helpers::OFFICIAL_A).await;
    crate::allocation::submitted_dossier(&app, &mut official, &[("4.3", 1)]).await;
    crate::helpers::exec(
        &app,
        "UPDATE call SET four_eyes_threshold_cents = 100000000000",
    )
    .await;
    let mut admin = app.signed_in(ADMIN).await;
    admin.get("/beoordeling/toewijzing").await;
    let response = admin
        .post(
            "/beoordeling/toewijzing",
            &[
                ("call_id", &crate::journey::call_id(&app).await),
                ("year", "1"),
            ],
        )
        .await;
    assert_eq!(response.status(), 303);
    let allocation = entity::allocation::Entity::find()
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    let (_, html) = admin.get("/beoordeling/toewijzing").await;
    assert!(html.contains("Toewijzing bevestigen</button>"));
    let response = admin
        .post(
            &format!("/beoordeling/toewijzing/{}/bevestigen", allocation.id),
            &[],
        )
        .await;
    assert_eq!(response.status(), 303);
}
