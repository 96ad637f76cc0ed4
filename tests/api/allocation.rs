//! Issue 7: allocating a project year's envelope when the submitted dossiers ask more than it
//! holds: the proposal, reviewers' adjustments within the rules, the admin's confirmation.

use sea_orm::{ConnectionTrait, Statement};

use crate::helpers::{
    ADMIN, Browser, DEMO_PASSWORD, OFFICIAL_A, REVIEWER, TestApp, count, spawn_app,
};
use crate::journey::{
    accept_declarations, add_action, attach, call_id, field_value, fill_general, location,
    save_action,
};

pub(crate) const VGC: &str = "vgc@demo.samenleven.test";
pub(crate) const GENT: &str = "gent@test.samenleven.test";

/// Signs in a new official of Gent (a big city, may apply alone).
pub(crate) async fn gent_official(app: &TestApp) -> Browser {
    crate::helpers::create_official(&app.db, 44021, GENT).await;
    let mut browser = app.browser();
    assert_eq!(browser.login(GENT, DEMO_PASSWORD).await.status(), 303);
    browser.get("/account").await;
    browser
}

/// Builds and submits a dossier with `actions` (code, rank) over HTTP; returns its id.
pub(crate) async fn submitted_dossier(
    app: &TestApp,
    browser: &mut Browser,
    actions: &[(&str, u32)],
) -> String {
    browser.get("/account").await;
    let response = browser
        .post("/dossiers", &[("call_id", &call_id(app).await)])
        .await;
    assert_eq!(response.status(), 303, "start a dossier");
    let dossier = location(&response)
        .trim_start_matches("/dossiers/")
        .to_owned();
    fill_general(browser, &dossier).await;
    for (code, rank) in actions {
        let action = add_action(app, browser, &dossier, code).await;
        let response = save_action(
            browser,
            &dossier,
            &action,
            &[
                ("priority", &rank.to_string()),
                ("baseline_reach", "0"),
                ("planned_reach", "1"),
                ("own_contribution", "€ 25 000"),
                ("description", "Een concrete aanpak met vaste partners."),
                ("partners", ""),
            ],
        )
        .await;
        assert_eq!(response.status(), 303, "action {code} saved");
    }
    attach(browser, &dossier, "council_decision").await;
    attach(browser, &dossier, "budget_sheet").await;
    accept_declarations(browser, &dossier).await;
    let (_, html) = browser.get(&format!("/dossiers/{dossier}/controle")).await;
    let response = browser
        .post(
            &format!("/dossiers/{dossier}/indienen"),
            &[("version", &field_value(&html, "version"))],
        )
        .await;
    assert_eq!(response.status(), 303, "dossier submitted");
    dossier
}

/// One stored line: (line id, application_action id, rank, requested, proposed, adjusted).
#[derive(Debug, Clone, Copy)]
struct Line {
    id: i64,
    action: i64,
    rank: i64,
    requested: i64,
    proposed: i64,
    adjusted: Option<i64>,
}

async fn lines(app: &TestApp) -> Vec<Line> {
    let rows = app
        .db
        .query_all_raw(Statement::from_string(
            app.db.get_database_backend(),
            "SELECT l.id AS id, l.application_action_id AS action, \
             CAST(a.priority_rank AS BIGINT) AS rank_, l.requested_cents AS requested, \
             l.proposed_cents AS proposed, l.adjusted_cents AS adjusted \
             FROM allocation_line l JOIN application_action a ON a.id = l.application_action_id \
             ORDER BY l.id",
        ))
        .await
        .unwrap();
    rows.iter()
        .map(|r| Line {
            id: r.try_get("", "id").unwrap(),
            action: r.try_get("", "action").unwrap(),
            rank: r.try_get("", "rank_").unwrap(),
            requested: r.try_get("", "requested").unwrap(),
            proposed: r.try_get("", "proposed").unwrap(),
            adjusted: r.try_get("", "adjusted").unwrap(),
        })
        .collect()
}

async fn allocation_id(app: &TestApp) -> i64 {
    use sea_orm::{EntityTrait, QueryOrder};
    entity::allocation::Entity::find()
        .order_by_desc(entity::allocation::Column::Id)
        .one(&app.db)
        .await
        .unwrap()
        .expect("an allocation")
        .id
}

/// Three submitted dossiers asking € 150.000 for year 1 (€ 75.000 at rank 1, € 75.000 at
/// rank 2: the form's lines of € 25.000 per unit) and an envelope shrunk to € 90.000; the
/// reviewer's browser on the page.
async fn over_subscribed() -> (TestApp, Browser) {
    let app = spawn_app().await;
    let mut antwerpen = app.signed_in(OFFICIAL_A).await;
    submitted_dossier(&app, &mut antwerpen, &[("4.3", 1), ("5.3", 2)]).await;
    let mut vgc = app.signed_in(VGC).await;
    submitted_dossier(&app, &mut vgc, &[("4.3", 1), ("8.2", 2)]).await;
    let mut gent = gent_official(&app).await;
    submitted_dossier(&app, &mut gent, &[("4.3", 1), ("5.5", 2)]).await;
    assert_eq!(
        count(&app.db, "application WHERE state = 'submitted'").await,
        3
    );
    app.db
        .execute_raw(Statement::from_string(
            app.db.get_database_backend(),
            "UPDATE call_project_year SET envelope_cents = 9000000 WHERE year_number = 1",
        ))
        .await
        .unwrap();
    let mut reviewer = app.signed_in(REVIEWER).await;
    let (status, html) = reviewer.get("/beoordeling/toewijzing").await;
    assert_eq!(status, 200);
    assert!(html.contains("€ 90.000,00"), "the envelope is shown");
    assert!(html.contains("Er is nog geen toewijzing"));
    (app, reviewer)
}

async fn propose(app: &TestApp, browser: &mut Browser) -> reqwest::Response {
    browser.get("/beoordeling/toewijzing").await;
    browser
        .post(
            "/beoordeling/toewijzing",
            &[("call_id", &call_id(app).await), ("year", "1")],
        )
        .await
}

/// Posts an amount for a line with the version the page shows.
async fn adjust(
    browser: &mut Browser,
    allocation: i64,
    line: i64,
    amount: &str,
) -> reqwest::Response {
    let (_, html) = browser.get("/beoordeling/toewijzing").await;
    let version = field_value(&html, "version");
    browser
        .post(
            &format!("/beoordeling/toewijzing/{allocation}/regels/{line}"),
            &[("amount", amount), ("version", &version)],
        )
        .await
}

#[tokio::test]
async fn the_proposal_stays_within_the_envelope_and_funds_rank_one_first() {
    let (app, mut reviewer) = over_subscribed().await;
    let response = propose(&app, &mut reviewer).await;
    assert_eq!(response.status(), 303);
    assert!(location(&response).starts_with("/beoordeling/toewijzing?"));

    let lines = lines(&app).await;
    assert_eq!(lines.len(), 6, "one line per action");
    let total: i64 = lines.iter().map(|l| l.proposed).sum();
    assert_eq!(total, 9_000_000, "the envelope is used, never exceeded");
    for line in &lines {
        assert!(line.proposed <= line.requested, "{line:?}");
        assert!(line.proposed >= 0);
        if line.rank == 1 {
            assert_eq!(line.proposed, line.requested, "rank 1 is funded in full");
        }
    }
    let rank_two: i64 = lines
        .iter()
        .filter(|l| l.rank == 2)
        .map(|l| l.proposed)
        .sum();
    assert_eq!(rank_two, 1_500_000, "rank 2 shares what is left");
    assert_eq!(
        count(&app.db, "audit_log WHERE action = 'allocation.proposed'").await,
        1
    );

    let (status, html) = reviewer.get("/beoordeling/toewijzing").await;
    assert_eq!(status, 200);
    assert!(html.contains("Voorgestelde toewijzing"), "{html}");
    assert!(html.contains("PS-2022-2024-"), "the dossiers are listed");
    assert!(html.contains("Antwerpen") && html.contains("Gent"));
    assert!(html.contains("€ 150.000,00"), "the total asked");
    assert!(html.contains("€ 60.000,00"), "what does not fit");
    assert!(html.contains("Volledig toegekend"), "the engine's reason");
    assert!(html.contains("nog niet bevestigd"));

    // A new proposal replaces the earlier one.
    assert_eq!(propose(&app, &mut reviewer).await.status(), 303);
    assert_eq!(count(&app.db, "allocation").await, 1);
    assert_eq!(count(&app.db, "allocation_line").await, 6);
}

#[tokio::test]
async fn adjustments_stay_within_the_request_and_the_envelope() {
    let (app, mut reviewer) = over_subscribed().await;
    propose(&app, &mut reviewer).await;
    let allocation = allocation_id(&app).await;
    let lines = lines(&app).await;
    let short = lines
        .iter()
        .find(|l| l.rank == 2 && l.requested - l.proposed >= 500_000)
        .copied()
        .expect("a rank-2 line that was cut by at least € 5.000");
    let full = lines
        .iter()
        .find(|l| l.rank == 1)
        .copied()
        .expect("a rank-1 line");

    // Above the request: refused, the typed amount comes back.
    let response = adjust(&mut reviewer, allocation, full.id, "25.000,01").await;
    assert_eq!(response.status(), 422);
    let html = response.text().await.unwrap();
    assert!(html.contains("hoger dan het gevraagde bedrag"), "{html}");
    assert!(html.contains("value=\"25.000,01\""), "the input is kept");

    // Over the envelope: the envelope is used in full, so any raise is refused.
    let raise = format!("{},00", (short.proposed + 100) / 100);
    let response = adjust(&mut reviewer, allocation, short.id, &raise).await;
    assert_eq!(response.status(), 422);
    let html = response.text().await.unwrap();
    assert!(html.contains("meer dan de enveloppe"), "{html}");

    // Unreadable input.
    let response = adjust(&mut reviewer, allocation, short.id, "twaalf").await;
    assert_eq!(response.status(), 422);

    // Lowering a line is fine and audited with before and after.
    let response = adjust(&mut reviewer, allocation, full.id, "20.000,00").await;
    assert_eq!(response.status(), 303);
    let after = crate::allocation::lines(&app).await;
    let changed = after.iter().find(|l| l.id == full.id).unwrap();
    assert_eq!(changed.adjusted, Some(2_000_000));
    assert_eq!(changed.proposed, full.proposed, "the proposal is kept");
    assert_eq!(
        count(
            &app.db,
            "audit_log WHERE action = 'allocation.adjusted' AND before IS NOT NULL AND after IS NOT NULL"
        )
        .await,
        1
    );
    // Now there is room: the cut line may take the freed € 5.000.
    let raise = format!("{},00", (short.proposed + 500_000) / 100);
    assert_eq!(
        adjust(&mut reviewer, allocation, short.id, &raise)
            .await
            .status(),
        303
    );

    // A stale version is a conflict.
    let response = reviewer
        .post(
            &format!("/beoordeling/toewijzing/{allocation}/regels/{}", full.id),
            &[("amount", "10.000"), ("version", "1")],
        )
        .await;
    assert_eq!(response.status(), 409);
    // A line of no allocation is not found.
    let response = adjust(&mut reviewer, allocation, 999_999, "1").await;
    assert_eq!(response.status(), 404);
}

#[tokio::test]
async fn only_an_admin_confirms_and_then_the_amounts_are_fixed() {
    let (app, mut reviewer) = over_subscribed().await;
    propose(&app, &mut reviewer).await;
    let allocation = allocation_id(&app).await;
    let lines = lines(&app).await;
    let (_, html) = reviewer.get("/beoordeling/toewijzing").await;
    assert!(!html.contains("Toewijzing bevestigen</button>"));
    let response = reviewer
        .post(
            &format!("/beoordeling/toewijzing/{allocation}/bevestigen"),
            &[],
        )
        .await;
    assert_eq!(response.status(), 403);

    // Nothing is confirmed yet.
    let first = lines[0];
    assert_eq!(
        samenleven::store::allocations::confirmed_amount(&app.db, first.action, 1)
            .await
            .unwrap(),
        None
    );

    let mut admin = app.signed_in(ADMIN).await;
    let (_, html) = admin.get("/beoordeling/toewijzing").await;
    assert!(html.contains("Toewijzing bevestigen</button>"));
    let version = field_value(&html, "version");
    let response = admin
        .post(
            &format!("/beoordeling/toewijzing/{allocation}/bevestigen"),
            &[("version", &version)],
        )
        .await;
    assert_eq!(response.status(), 303);
    assert_eq!(
        count(
            &app.db,
            "allocation WHERE state = 'confirmed' AND confirmed_by IS NOT NULL AND confirmed_at IS NOT NULL"
        )
        .await,
        1
    );
    assert_eq!(
        count(&app.db, "audit_log WHERE action = 'allocation.confirmed'").await,
        1
    );
    for line in &lines {
        assert_eq!(
            samenleven::store::allocations::confirmed_amount(&app.db, line.action, 1)
                .await
                .unwrap(),
            Some(line.proposed)
        );
        assert_eq!(
            samenleven::store::allocations::confirmed_amount(&app.db, line.action, 2)
                .await
                .unwrap(),
            None,
            "no allocation for year 2"
        );
    }
    let (_, html) = admin.get("/beoordeling/toewijzing").await;
    assert!(html.contains("Bevestigde toewijzing"));
    assert!(html.contains("Bevestigd door"));

    // Fixed: no adjustments, no new proposal, no second confirmation.
    let response = reviewer
        .post(
            &format!("/beoordeling/toewijzing/{allocation}/regels/{}", first.id),
            &[("amount", "0"), ("version", &version)],
        )
        .await;
    assert_eq!(response.status(), 409);
    assert!(response.text().await.unwrap().contains("al bevestigd"));
    let response = propose(&app, &mut reviewer).await;
    assert_eq!(response.status(), 409);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("al een bevestigde toewijzing")
    );
    let response = admin
        .post(
            &format!("/beoordeling/toewijzing/{allocation}/bevestigen"),
            &[],
        )
        .await;
    assert_eq!(response.status(), 409);
}

#[tokio::test]
async fn officials_may_not_see_or_change_allocations() {
    let app = spawn_app().await;
    let mut official = app.signed_in(OFFICIAL_A).await;
    assert_eq!(official.get("/beoordeling/toewijzing").await.0, 403);
    for path in [
        "/beoordeling/toewijzing".to_owned(),
        "/beoordeling/toewijzing/1/regels/1".to_owned(),
        "/beoordeling/toewijzing/1/bevestigen".to_owned(),
    ] {
        let response = official
            .post(&path, &[("call_id", &call_id(&app).await), ("year", "1")])
            .await;
        assert_eq!(response.status(), 403, "{path}");
    }
    assert_eq!(count(&app.db, "allocation").await, 0);
    // Staff on an allocation that does not exist: not found.
    let mut reviewer = app.signed_in(REVIEWER).await;
    reviewer.get("/beoordeling/toewijzing").await;
    let response = reviewer
        .post(
            "/beoordeling/toewijzing/424242/regels/1",
            &[("amount", "1")],
        )
        .await;
    assert_eq!(response.status(), 404);
}

#[tokio::test]
async fn adjustments_leave_room_for_the_incentives_taken_off_the_envelope_first() {
    use sea_orm::{ActiveModelTrait, EntityTrait, Set};
    let app = spawn_app().await;
    let dossier = app.dossier_led_by(11002).await;
    let call_action = entity::call_action::Entity::find()
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    let action = entity::application_action::ActiveModel {
        application_id: Set(dossier),
        call_action_id: Set(call_action.id),
        priority_rank: Set(1),
        baseline_reach: Set(0),
        planned_reach: Set(2),
        grant_cents: Set(5_000_000),
        own_contribution_cents: Set(5_000_000),
        description: Set("x".into()),
        version: Set(1),
        ..Default::default()
    }
    .insert(&app.db)
    .await
    .unwrap();
    let allocation = entity::allocation::ActiveModel {
        call_id: Set(call_action.call_id),
        year_number: Set(1),
        state: Set(entity::allocation::AllocationState::Proposed),
        envelope_cents: Set(5_000_000),
        incentives_cents: Set(1_000_000),
        created_at: Set(chrono::Utc::now()),
        version: Set(1),
        ..Default::default()
    }
    .insert(&app.db)
    .await
    .unwrap();
    let line = entity::allocation_line::ActiveModel {
        allocation_id: Set(allocation.id),
        application_action_id: Set(action.id),
        requested_cents: Set(5_000_000),
        proposed_cents: Set(4_000_000),
        adjusted_cents: Set(None),
        reason: Set("test".into()),
        ..Default::default()
    }
    .insert(&app.db)
    .await
    .unwrap();
    // € 45.000 for the line plus € 10.000 of incentives is more than the € 50.000 envelope.
    let refused =
        samenleven::store::allocations::adjust(&app.db, &allocation, line.id, 1, 4_500_000, None)
            .await;
    assert!(
        matches!(
            refused,
            Err(samenleven::store::allocations::AdjustError::Refused(
                samenleven::domain::allocation::AdjustmentRefusal::OverEnvelope { .. }
            ))
        ),
        "{refused:?}"
    );
    let fresh = entity::allocation::Entity::find_by_id(allocation.id)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    let accepted = samenleven::store::allocations::adjust(
        &app.db,
        &fresh,
        line.id,
        fresh.version,
        4_000_000,
        None,
    )
    .await;
    assert!(accepted.is_ok(), "{accepted:?}");
}

/// The envelope of year 1 of the first call, as stored.
async fn envelope_of_year_one(app: &TestApp) -> i64 {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let call = crate::calls::first_call(app).await;
    entity::call_project_year::Entity::find()
        .filter(entity::call_project_year::Column::CallId.eq(call.id))
        .filter(entity::call_project_year::Column::YearNumber.eq(1))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap()
        .envelope_cents
}

#[tokio::test]
async fn an_envelope_cut_below_what_is_granted_is_refused_naming_both_amounts() {
    let app = spawn_app().await;
    let call = crate::calls::first_call(&app).await;
    let before = samenleven::store::calls::granted_by_year(&app.db, call.id)
        .await
        .unwrap()
        .get(&1)
        .copied()
        .unwrap_or(0);
    let (dossier, actions) = crate::programme::dossier(
        &app,
        &call,
        "TEST-ENVELOPPE",
        11002,
        &[],
        entity::application::ApplicationState::Approved,
        &[("4.3", 23_123_457 - before)],
    )
    .await;
    crate::programme::decide(&app, dossier, &[(actions[0], 23_123_457 - before)], 0).await;
    let stored = envelope_of_year_one(&app).await;

    let mut admin = app.signed_in(ADMIN).await;
    let response =
        crate::calls::edit_call(&mut admin, call.id, &[("y1_envelope", "12.500,50")]).await;
    assert_eq!(response.status(), 422);
    let html = response.text().await.unwrap();
    assert!(
        html.contains(
            "De enveloppe van projectjaar 1 (€ 12.500,50) is kleiner dan wat voor dat jaar al toegekend is (€ 231.234,57). Kies minstens € 231.234,57."
        ),
        "{html}"
    );
    assert!(
        html.contains("href=\"#y1_envelope\""),
        "linked to its field"
    );
    assert!(
        html.contains("value=\"12.500,50\""),
        "the form comes back with what was typed"
    );
    assert_eq!(envelope_of_year_one(&app).await, stored, "nothing saved");

    // Exactly what is granted is enough.
    let response =
        crate::calls::edit_call(&mut admin, call.id, &[("y1_envelope", "231.234,57")]).await;
    assert_eq!(response.status(), 303);
    let response = crate::calls::confirm_envelopes(&app, call.id).await;
    assert_eq!(
        response.status(),
        303,
        "a second admin confirms the envelope"
    );
    assert_eq!(envelope_of_year_one(&app).await, 23_123_457);
}

#[tokio::test]
async fn a_proposal_on_an_old_envelope_is_marked_stale_and_cannot_be_confirmed() {
    let (app, mut reviewer) = over_subscribed().await;
    assert_eq!(propose(&app, &mut reviewer).await.status(), 303);
    let allocation = allocation_id(&app).await;
    let call = crate::calls::first_call(&app).await;
    let mut admin = app.signed_in(ADMIN).await;
    let response =
        crate::calls::edit_call(&mut admin, call.id, &[("y1_envelope", "80.000,00")]).await;
    assert_eq!(response.status(), 303);
    let response = crate::calls::confirm_envelopes(&app, call.id).await;
    assert_eq!(
        response.status(),
        303,
        "a second admin confirms the envelope"
    );

    let stale = "Dit voorstel is verouderd: de enveloppe is nu € 80.000,00, het voorstel rekende met € 90.000,00. Maak een nieuw voorstel.";
    let (_, html) = admin.get("/beoordeling/toewijzing").await;
    assert!(html.contains(stale), "{html}");
    assert!(
        !html.contains("Toewijzing bevestigen</button>"),
        "no confirm button on a stale proposal"
    );
    let version = field_value(&html, "version");
    let response = admin
        .post(
            &format!("/beoordeling/toewijzing/{allocation}/bevestigen"),
            &[("version", &version)],
        )
        .await;
    assert_eq!(response.status(), 409);
    assert!(response.text().await.unwrap().contains(stale));
    assert_eq!(
        count(&app.db, "allocation WHERE state = 'confirmed'").await,
        0
    );

    // A new proposal on the new envelope can be confirmed.
    assert_eq!(propose(&app, &mut reviewer).await.status(), 303);
    let (_, html) = admin.get("/beoordeling/toewijzing").await;
    assert!(!html.contains("verouderd"), "{html}");
    let version = field_value(&html, "version");
    let response = admin
        .post(
            &format!(
                "/beoordeling/toewijzing/{}/bevestigen",
                allocation_id(&app).await
            ),
            &[("version", &version)],
        )
        .await;
    assert_eq!(response.status(), 303);
    assert_eq!(
        count(&app.db, "allocation WHERE state = 'confirmed'").await,
        1
    );
}

#[tokio::test]
async fn a_proposal_whose_dossiers_changed_is_marked_stale_and_cannot_be_confirmed() {
    let (app, mut reviewer) = over_subscribed().await;
    assert_eq!(propose(&app, &mut reviewer).await.status(), 303);
    let allocation = allocation_id(&app).await;
    // One of the three dossiers leaves the allocation (withdrawn).
    app.db
        .execute_raw(Statement::from_string(
            app.db.get_database_backend(),
            "UPDATE application SET state = 'withdrawn' WHERE id = (SELECT MIN(id) FROM application WHERE state = 'submitted')",
        ))
        .await
        .unwrap();
    let mut admin = app.signed_in(ADMIN).await;
    let (_, html) = admin.get("/beoordeling/toewijzing").await;
    assert!(
        html.contains("Dit voorstel is verouderd: de dossiers of hun gevraagde bedragen zijn gewijzigd sinds het voorstel berekend werd. Maak een nieuw voorstel."),
        "{html}"
    );
    let version = field_value(&html, "version");
    let response = admin
        .post(
            &format!("/beoordeling/toewijzing/{allocation}/bevestigen"),
            &[("version", &version)],
        )
        .await;
    assert_eq!(response.status(), 409);
    assert_eq!(
        count(&app.db, "allocation WHERE state = 'confirmed'").await,
        0
    );
}

/// The separate agreement rows of the latest allocation's lines: (line id, rank, proposed,
/// agreement cents).
async fn agreement_lines(app: &TestApp) -> Vec<(i64, i64, i64, Option<i64>)> {
    let rows = app
        .db
        .query_all_raw(Statement::from_string(
            app.db.get_database_backend(),
            "SELECT l.id AS id, CAST(a.priority_rank AS BIGINT) AS rank_, \
             l.proposed_cents AS proposed, l.agreement_cents AS agreement \
             FROM allocation_line l JOIN application_action a ON a.id = l.application_action_id \
             ORDER BY l.id",
        ))
        .await
        .unwrap();
    rows.iter()
        .map(|r| {
            (
                r.try_get("", "id").unwrap(),
                r.try_get("", "rank_").unwrap(),
                r.try_get("", "proposed").unwrap(),
                r.try_get("", "agreement").unwrap(),
            )
        })
        .collect()
}

#[tokio::test]
async fn a_partner_under_an_agreement_gets_its_amount_before_a_shared_rank() {
    let app = spawn_app().await;
    // The seeded 2022-2024 call attaches no agreement (no amounts are known); the fictitious
    // demo call attaches two illustrative ones.
    let seeded = call_id(&app).await;
    assert_eq!(
        count(
            &app.db,
            &format!("call_partner_agreement WHERE call_id = {seeded}")
        )
        .await,
        0
    );
    assert_eq!(
        count(
            &app.db,
            "call_partner_agreement g JOIN call c ON c.id = g.call_id \
             WHERE c.code = 'DEMO-GK-2027-2029' AND g.illustrative = TRUE"
        )
        .await,
        2
    );
    let mut admin = app.signed_in(ADMIN).await;
    let (status, html) = admin.get(&format!("/beheer/oproepen/{seeded}")).await;
    assert_eq!(status, 200);
    assert!(
        html.contains("De gegevens van deze oproep koppelen geen aparte overeenkomst"),
        "{html}"
    );

    // Antwerpen, the VGC and Gent each ask € 25.000 at rank 1 and more at rank 2; the
    // envelope of € 45.000 does not hold rank 1, and Antwerpen and Gent could take all of it.
    let mut antwerpen = app.signed_in(OFFICIAL_A).await;
    submitted_dossier(&app, &mut antwerpen, &[("4.3", 1), ("5.3", 2)]).await;
    let mut vgc = app.signed_in(VGC).await;
    submitted_dossier(&app, &mut vgc, &[("4.3", 1), ("8.2", 2)]).await;
    let mut gent = gent_official(&app).await;
    submitted_dossier(&app, &mut gent, &[("4.3", 1), ("5.5", 2)]).await;
    crate::helpers::exec(
        &app,
        "UPDATE call_project_year SET envelope_cents = 4500000 WHERE year_number = 1 \
         AND call_id = (SELECT id FROM call WHERE code = 'PS-2022-2024')",
    )
    .await;

    // Without an agreement the VGC takes part by priority with weight 0: nothing of rank 1.
    let mut reviewer = app.signed_in(REVIEWER).await;
    assert_eq!(propose(&app, &mut reviewer).await.status(), 303);
    let before = agreement_lines(&app).await;
    assert!(before.iter().all(|l| l.3.is_none()));
    let (_, html) = reviewer.get("/beoordeling/toewijzing").await;
    assert!(
        html.contains(
            "Deze oproep vermeldt geen aparte overeenkomst met een bedrag voor Vlaamse Gemeenschapscommissie (VGC)."
        ),
        "{html}"
    );
    assert!(html.contains("Deze oproep vermeldt geen aparte overeenkomsten met een bedrag."));
    let rank_one: Vec<i64> = lines(&app)
        .await
        .iter()
        .filter(|l| l.rank == 1)
        .map(|l| l.proposed)
        .collect();
    assert_eq!(rank_one.iter().sum::<i64>(), 4_500_000);
    assert!(
        rank_one.contains(&0),
        "the VGC (weight 0) gets nothing: {rank_one:?}"
    );

    // The call's data attaches the VGC's agreement of € 30.000 per project year.
    crate::helpers::exec(
        &app,
        "INSERT INTO call_partner_agreement \
         (call_id, partner_organisation_id, amount_cents_per_project_year, source, illustrative, version) \
         SELECT c.id, p.id, 3000000, 'Testovereenkomst', TRUE, 1 \
         FROM call c, partner_organisation p WHERE c.code = 'PS-2022-2024' AND p.code = 'VGC'",
    )
    .await;
    let (_, html) = reviewer.get("/beoordeling/toewijzing").await;
    assert!(html.contains("id=\"verouderd\""), "the proposal is stale");
    assert!(html.contains("Vlaamse Gemeenschapscommissie (VGC): € 30.000,00 per projectjaar"));

    assert_eq!(propose(&app, &mut reviewer).await.status(), 303);
    let after = agreement_lines(&app).await;
    let under: Vec<_> = after.iter().filter(|l| l.3.is_some()).copied().collect();
    assert_eq!(under.len(), 2, "both VGC lines are under the agreement");
    assert!(under.iter().all(|l| l.3 == Some(3_000_000)));
    let vgc_one = under.iter().find(|l| l.1 == 1).copied().unwrap();
    let vgc_two = under.iter().find(|l| l.1 == 2).copied().unwrap();
    assert_eq!(vgc_one.2, 2_500_000, "rank 1 in full");
    assert_eq!(vgc_two.2, 500_000, "the rest of the agreement for rank 2");
    let others: Vec<_> = after.iter().filter(|l| l.3.is_none()).copied().collect();
    assert_eq!(
        others.iter().filter(|l| l.1 == 1).map(|l| l.2).sum::<i64>(),
        1_500_000,
        "Antwerpen and Gent share what the agreement leaves"
    );
    assert_eq!(
        others.iter().filter(|l| l.1 == 2).map(|l| l.2).sum::<i64>(),
        0
    );

    let (_, html) = reviewer.get("/beoordeling/toewijzing").await;
    assert!(!html.contains("id=\"verouderd\""));
    assert!(html.contains(
        "Aparte overeenkomst met de Vlaamse overheid: € 30.000,00 per projectjaar, buiten de verdeling volgens prioriteit (eerst van de enveloppe). Bron: Testovereenkomst (illustratief bedrag)."
    ), "{html}");
    assert!(html.contains(
        "Vlaamse Gemeenschapscommissie (VGC) krijgt het bedrag van de aparte overeenkomst met de Vlaamse overheid (€ 30.000,00 per projectjaar, illustratief bedrag)"
    ));
    assert!(
        html.contains("Aparte overeenkomsten van partnerorganisaties (eerst van de enveloppe)")
    );
    let (status, csv) = reviewer
        .get(&format!(
            "/beoordeling/toewijzing/export?call_id={seeded}&year=1&formaat=csv"
        ))
        .await;
    assert_eq!(status, 200);
    assert!(csv.contains("Aparte overeenkomst per projectjaar"), "{csv}");
    assert!(csv.contains("krijgt het bedrag van de aparte overeenkomst"));
    assert!(
        csv.contains("30.000,00") || csv.contains("30000,00"),
        "{csv}"
    );

    // Adjustments keep the VGC's lines within its agreement.
    let allocation = allocation_id(&app).await;
    let municipal = others
        .iter()
        .filter(|l| l.1 == 1)
        .max_by_key(|l| l.2)
        .unwrap();
    let lower = format!("{},00", (municipal.2 - 500_000) / 100);
    assert_eq!(
        adjust(&mut reviewer, allocation, municipal.0, &lower)
            .await
            .status(),
        303,
        "room in the envelope"
    );
    let response = adjust(&mut reviewer, allocation, vgc_two.0, "10.000,00").await;
    assert_eq!(response.status(), 422);
    let html = response.text().await.unwrap();
    assert!(
        html.contains(
            "Met dit bedrag krijgt de partnerorganisatie € 35.000,00, meer dan haar aparte overeenkomst (€ 30.000,00 per projectjaar). Er is nog € 5.000,00 beschikbaar voor deze actie."
        ),
        "{html}"
    );
    assert_eq!(
        adjust(&mut reviewer, allocation, vgc_one.0, "20.000,00")
            .await
            .status(),
        303
    );
    assert_eq!(
        adjust(&mut reviewer, allocation, vgc_two.0, "10.000,00")
            .await
            .status(),
        303,
        "within the agreement once rank 1 was lowered"
    );

    // The admin sees the agreement on the call's page.
    let (_, html) = admin.get(&format!("/beheer/oproepen/{seeded}")).await;
    assert!(html.contains("Aparte overeenkomsten met partnerorganisaties"));
    assert!(html.contains("Testovereenkomst"));
    assert!(html.contains("illustratief"));
    assert!(!html.contains("koppelen geen aparte overeenkomst"));
}
