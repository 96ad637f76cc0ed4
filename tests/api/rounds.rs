//! Issue 21, item 3: yearly rounds. A later project year has its own submission window; new
//! municipalities apply from that year on, a decided cooperation takes in new members during it,
//! and an amount per unit changed from a later year applies there while earlier years keep theirs.

use chrono::{Duration, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};

use crate::cooperation::answer;
use crate::followup::{Spec, approved};
use crate::helpers::{ADMIN, Browser, OFFICIAL_A, TestApp, spawn_app};
use crate::journey::{add_action, call_action_for, call_id, location, start};

const WILLEBROEK_OFFICIAL: &str = "willebroek@demo.samenleven.test";
const BORNEM_OFFICIAL: &str = "bornem@demo.samenleven.test";

/// A moment as the admin's datetime-local input takes it (Brussels time; the tests keep a
/// margin of days, so the hour's offset does not matter).
fn typed(at: chrono::DateTime<Utc>) -> String {
    (at + Duration::hours(1))
        .format("%Y-%m-%dT%H:%M")
        .to_string()
}

/// Ends the first round of the seeded call two days ago (the demo seed had extended it).
async fn close_first_round(app: &TestApp) {
    let call = entity::call::Entity::find()
        .filter(entity::call::Column::Code.eq("PS-2022-2024"))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    let mut active: entity::call::ActiveModel = call.into();
    active.submission_closes_at = Set(Utc::now() - Duration::days(2));
    active.update(&app.db).await.unwrap();
}

/// The admin opens the round of project year 2 from yesterday for ten days, through the call's
/// page.
async fn open_round_two(app: &TestApp, admin: &mut Browser) {
    let call = call_id(app).await;
    admin.get(&format!("/beheer/oproepen/{call}")).await;
    let response = admin
        .post(
            &format!("/beheer/oproepen/{call}/ronde"),
            &[
                ("year", "2"),
                ("opens", &typed(Utc::now() - Duration::days(1))),
                ("moment", &typed(Utc::now() + Duration::days(10))),
                (
                    "reason",
                    "Tweede ronde volgens de beslissing van de Vlaamse Regering.",
                ),
            ],
        )
        .await;
    assert_eq!(response.status(), 303, "the round is set");
}

/// The admin changes line 4.3's amount per unit from project year 2 on, through the call's
/// page.
async fn change_amount_from_year_two(app: &TestApp, admin: &mut Browser, amount: &str) {
    let call = call_id(app).await;
    let line = call_action_for(app, "4.3").await;
    admin.get(&format!("/beheer/oproepen/{call}")).await;
    let response = admin
        .post(
            &format!("/beheer/oproepen/{call}/bedrag"),
            &[
                ("line", &line.id.to_string()),
                ("year", "2"),
                ("amount", amount),
                ("reason", "Nieuw bedrag per actieplan vanaf projectjaar 2."),
            ],
        )
        .await;
    assert_eq!(response.status(), 303, "the amount is changed");
}

#[tokio::test]
async fn an_admin_opens_a_later_round_and_a_new_municipality_applies_from_that_year_at_its_amount()
{
    let app = spawn_app().await;
    close_first_round(&app).await;
    let call = call_id(&app).await;
    let mut official = app.signed_in(OFFICIAL_A).await;
    official.get("/account").await;
    let refused = official.post("/dossiers", &[("call_id", &call)]).await;
    assert_eq!(refused.status(), 409, "no round takes dossiers");

    let mut admin = app.signed_in(ADMIN).await;
    admin.get(&format!("/beheer/oproepen/{call}")).await;
    let backwards = admin
        .post(
            &format!("/beheer/oproepen/{call}/ronde"),
            &[
                ("year", "2"),
                ("opens", &typed(Utc::now() + Duration::days(10))),
                ("moment", &typed(Utc::now() + Duration::days(1))),
                ("reason", "Tweede ronde."),
            ],
        )
        .await;
    assert_eq!(backwards.status(), 422);
    let html = backwards.text().await.unwrap();
    assert!(
        html.contains("Het einde van de ronde ligt na het begin."),
        "{html}"
    );
    assert!(html.contains("Tweede ronde."), "the reason typed is kept");
    let first_year = admin
        .post(
            &format!("/beheer/oproepen/{call}/ronde"),
            &[("year", "1"), ("opens", ""), ("moment", ""), ("reason", "")],
        )
        .await;
    assert_eq!(first_year.status(), 422);
    let html = first_year.text().await.unwrap();
    assert!(
        html.contains("Kies een later projectjaar van de oproep"),
        "{html}"
    );
    open_round_two(&app, &mut admin).await;

    let line = call_action_for(&app, "4.3").await;
    let same = admin
        .post(
            &format!("/beheer/oproepen/{call}/bedrag"),
            &[
                ("line", &line.id.to_string()),
                ("year", "2"),
                ("amount", "25.000,00"),
                ("reason", "Geen wijziging."),
            ],
        )
        .await;
    assert_eq!(same.status(), 422);
    assert!(
        same.text()
            .await
            .unwrap()
            .contains("Het bedrag per eenheid is in dat projectjaar al € 25.000,00.")
    );
    change_amount_from_year_two(&app, &mut admin, "50.000,00").await;
    let (_, page) = admin.get(&format!("/beheer/oproepen/{call}")).await;
    assert!(page.contains("vanaf projectjaar 2: € 50.000,00"), "{page}");
    let audited = crate::helpers::count(
        &app.db,
        "audit_log WHERE action IN ('call.round_set', 'call.unit_amount_set')",
    )
    .await;
    assert_eq!(audited, 2, "both changes are in the audit log");

    let (_, home) = official.get("/gemeente").await;
    assert!(
        home.contains("projectjaar 2: een nieuw dossier loopt vanaf projectjaar 2"),
        "{home}"
    );
    let dossier = start(&app, &mut official).await;
    let row = entity::application::Entity::find_by_id(dossier.parse::<i64>().unwrap())
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        row.first_project_year, 2,
        "it applies from the round's year"
    );
    add_action(&app, &mut official, &dossier, "4.3").await;
    let chosen = entity::application_action::Entity::find()
        .filter(entity::application_action::Column::ApplicationId.eq(row.id))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        chosen.grant_cents, 5_000_000,
        "the round's amount per unit applies"
    );

    // The general section offers no project year whose round is over, and refuses one typed.
    let (_, general) = official.get(&format!("/dossiers/{dossier}/algemeen")).await;
    let first_select = general
        .split("id=\"first_project_year\"")
        .nth(1)
        .and_then(|s| s.split("</select>").next())
        .unwrap_or_default();
    assert!(!first_select.contains("value=\"1\""), "{first_select}");
    assert!(first_select.contains("value=\"2\""), "{first_select}");
    let version = crate::journey::field_value(&general, "version");
    let refused = official
        .post(
            &format!("/dossiers/{dossier}/algemeen"),
            &[
                ("version", version.as_str()),
                ("title", "Samen sterker in Antwerpen"),
                ("summary", "Taal en werk."),
                ("contact_name", "Els Verbeke"),
                ("contact_email", "samenleven@antwerpen.test"),
                ("contact_phone", ""),
                ("first_project_year", "1"),
                ("last_project_year", "3"),
            ],
        )
        .await;
    assert_eq!(refused.status(), 422);
    let html = refused.text().await.unwrap();
    assert!(
        html.contains("Kies projectjaar 2 of later als eerste projectjaar."),
        "{html}"
    );
    assert!(
        html.contains("Samen sterker in Antwerpen"),
        "typed values are kept"
    );

    // Over the API the same rule, on the field the API names.
    let api = crate::api_v1::Api::new(&app, OFFICIAL_A).await;
    let (_, detail) = api.get(&format!("/api/v1/calls/{call}")).await;
    let (_, current) = api.get(&format!("/api/v1/dossiers/{dossier}")).await;
    let response = api
        .send_json(
            reqwest::Method::PATCH,
            &format!("/api/v1/dossiers/{dossier}"),
            current["etag"].as_str(),
            &crate::api_v1::filled(&detail),
        )
        .await;
    assert_eq!(response.status(), 422);
    let problem: serde_json::Value = response.json().await.unwrap();
    assert!(
        problem.to_string().contains("general.first_project_year")
            && problem.to_string().contains("Kies projectjaar 2 of later"),
        "{problem}"
    );
}

#[tokio::test]
async fn a_decision_grants_each_project_year_at_its_own_amount_and_earlier_years_keep_theirs() {
    let app = spawn_app().await;
    let mut admin = app.signed_in(ADMIN).await;
    change_amount_from_year_two(&app, &mut admin, "50.000,00").await;
    let fixture = approved(
        &app,
        11002,
        &[],
        2,
        &[Spec {
            code: "4.3",
            planned: 1,
            requested: 2_500_000,
            granted: "25.000,00",
            extra: None,
        }],
    )
    .await;
    let decision = entity::decision::Entity::find()
        .filter(entity::decision::Column::ApplicationId.eq(fixture.id))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    let lines: Vec<(i32, i64)> = entity::decision_line::Entity::find()
        .filter(entity::decision_line::Column::DecisionId.eq(decision.id))
        .order_by_asc(entity::decision_line::Column::YearNumber)
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .map(|l| (l.year_number, l.granted_cents))
        .collect();
    assert_eq!(
        lines,
        vec![(1, 2_500_000), (2, 5_000_000)],
        "year 1 keeps € 25.000, year 2 takes the round's € 50.000"
    );
    assert_eq!(decision.total_granted_cents, 7_500_000);
}

#[tokio::test]
async fn a_decided_cooperation_takes_in_a_new_member_during_a_later_round_from_that_year_on() {
    let app = spawn_app().await;
    let fixture = approved(
        &app,
        12040,
        &[12041],
        2,
        &[Spec {
            code: "4.3",
            planned: 1,
            requested: 2_500_000,
            granted: "25.000,00",
            extra: None,
        }],
    )
    .await;
    let dossier = fixture.id.to_string();
    let mut lead = app.signed_in(WILLEBROEK_OFFICIAL).await;
    lead.get(&format!("/dossiers/{dossier}/leden")).await;
    let early = lead
        .post(&format!("/dossiers/{dossier}/leden"), &[("nis", "12007")])
        .await;
    assert_eq!(
        early.status(),
        409,
        "outside a later round the members stay as decided"
    );

    close_first_round(&app).await;
    let mut admin = app.signed_in(ADMIN).await;
    open_round_two(&app, &mut admin).await;
    let (_, overview) = lead.get(&format!("/dossiers/{dossier}")).await;
    assert!(overview.contains("Ronde voor projectjaar 2:"), "{overview}");
    let (_, members) = lead.get(&format!("/dossiers/{dossier}/leden")).await;
    assert!(
        members.contains("Nieuwe gemeente in de samenwerking"),
        "{members}"
    );
    let invited = lead
        .post(&format!("/dossiers/{dossier}/leden"), &[("nis", "12007")])
        .await;
    assert_eq!(invited.status(), 303, "{}", location(&invited));
    // The lead may take back this round's unanswered invitation, never a member the decision
    // counted.
    let (_, members) = lead.get(&format!("/dossiers/{dossier}/leden")).await;
    assert!(members.contains("/leden/12007/verwijderen"), "{members}");
    assert!(!members.contains("/leden/12041/verwijderen"), "{members}");
    let kept = lead
        .post(&format!("/dossiers/{dossier}/leden/12041/verwijderen"), &[])
        .await;
    assert_eq!(kept.status(), 409, "Puurs-Sint-Amands stays as decided");
    let taken_back = lead
        .post(&format!("/dossiers/{dossier}/leden/12007/verwijderen"), &[])
        .await;
    assert_eq!(taken_back.status(), 303);
    let invited = lead
        .post(&format!("/dossiers/{dossier}/leden"), &[("nis", "12007")])
        .await;
    assert_eq!(invited.status(), 303, "invited again");

    let mut bornem = app.signed_in(BORNEM_OFFICIAL).await;
    let confirmed = answer(&mut bornem, &dossier, "confirm", "", true).await;
    assert_eq!(
        confirmed.status(),
        303,
        "the new member confirms in the app"
    );
    let member = entity::application_member::Entity::find()
        .filter(entity::application_member::Column::ApplicationId.eq(fixture.id))
        .filter(entity::application_member::Column::JoinedInYear.eq(2))
        .one(&app.db)
        .await
        .unwrap()
        .expect("Bornem takes part from project year 2");
    assert_eq!(
        member.consent_state,
        entity::application_member::ConsentState::Confirmed
    );
    let (_, members) = lead.get(&format!("/dossiers/{dossier}/leden")).await;
    assert!(members.contains("(vanaf projectjaar 2)"), "{members}");
    assert!(
        members.contains("Bornem"),
        "the rules are checked again with the new member: {members}"
    );
}

#[tokio::test]
async fn a_member_taken_in_later_is_counted_from_its_year_and_the_new_decision_follows_per_year() {
    use crate::helpers::{REVIEWER, confirm_decision, create_official};
    let app = spawn_app().await;
    // Mechelen (23.469) with Willebroek (4.024, exactly 15,00%) earns the incentive.
    let fixture = approved(
        &app,
        12025,
        &[12040],
        2,
        &[Spec {
            code: "4.3",
            planned: 1,
            requested: 2_500_000,
            granted: "25.000,00",
            extra: None,
        }],
    )
    .await;
    let first = entity::decision::Entity::find()
        .filter(entity::decision::Column::ApplicationId.eq(fixture.id))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        first.incentive_cents, 1_000_000,
        "the incentive in both years"
    );
    assert_eq!(first.incentive_by_year, None);

    close_first_round(&app).await;
    let mut admin = app.signed_in(ADMIN).await;
    open_round_two(&app, &mut admin).await;
    create_official(&app.db, 12025, "mechelen@rondes.test").await;
    create_official(&app.db, 12021, "lier@rondes.test").await;
    let dossier = fixture.id.to_string();
    let mut lead = app.signed_in("mechelen@rondes.test").await;
    lead.get(&format!("/dossiers/{dossier}/leden")).await;
    let invited = lead
        .post(&format!("/dossiers/{dossier}/leden"), &[("nis", "12021")])
        .await;
    assert_eq!(invited.status(), 303);
    let mut lier = app.signed_in("lier@rondes.test").await;
    let (_, home) = lier.get("/gemeente").await;
    assert!(
        home.contains(&format!("/dossiers/{dossier}/deelname")),
        "Lier's dashboard asks for its answer: {home}"
    );
    let confirmed = answer(&mut lier, &dossier, "confirm", "", true).await;
    assert_eq!(confirmed.status(), 303);
    assert!(
        app.smtp
            .wait_until(|m| m
                .subject()
                .is_some_and(|s| s.contains("nieuwe gemeente in samenwerking"))
                && m.body().contains("Lier neemt vanaf projectjaar 2 deel"))
            .await,
        "ABB hears of the new member"
    );

    // Lier's share (14,99%) is below 15%: with Lier the cooperation earns no incentive, so from
    // project year 2 on there is none; project year 1 keeps it.
    let mut reviewer = app.signed_in(REVIEWER).await;
    let (_, review) = reviewer.get(&format!("/beoordeling/{dossier}")).await;
    assert!(
        review.contains("Lier neemt deel vanaf projectjaar 2."),
        "{review}"
    );
    assert!(
        review.contains("projectjaar 1: € 10.000,00, projectjaar 2: € 0,00"),
        "{review}"
    );
    admin.get(&format!("/beoordeling/{dossier}")).await;
    let reopened = admin
        .post(
            &format!("/beoordeling/{dossier}/heropenen"),
            &[("reason", "Lier stapt in vanaf projectjaar 2.")],
        )
        .await;
    assert_eq!(reopened.status(), 303);
    reviewer.get(&format!("/beoordeling/{dossier}")).await;
    let action = fixture.actions[0].0;
    let grant = format!("grant_{action}");
    let decided = reviewer
        .post(
            &format!("/beoordeling/{dossier}/beslissing"),
            &[
                ("outcome", "approve"),
                (
                    "motivation",
                    "Opnieuw beslist met Lier vanaf projectjaar 2.",
                ),
                (grant.as_str(), "25.000,00"),
            ],
        )
        .await;
    assert_eq!(decided.status(), 303);
    assert_eq!(
        confirm_decision(&app, fixture.id, ADMIN).await.status(),
        303
    );
    let second = entity::decision::Entity::find()
        .filter(entity::decision::Column::ApplicationId.eq(fixture.id))
        .filter(entity::decision::Column::ReopenedAt.is_null())
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        second.incentive_by_year.as_deref(),
        Some(r#"{"1":1000000,"2":0}"#)
    );
    assert_eq!(
        second.total_granted_cents,
        2 * 2_500_000 + 1_000_000,
        "two years of the action, the incentive of year 1 only"
    );
    let (_, letter) = lead.get(&format!("/dossiers/{dossier}/beslissing")).await;
    assert!(letter.contains("€ 60.000,00"), "{letter}");
}
