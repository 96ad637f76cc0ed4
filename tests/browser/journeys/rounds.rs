//! Journey 6: yearly rounds (issue 21, item 3). The first round of the 2022-2024 call is over and
//! Willebroek's cooperation with Puurs-Sint-Amands was granted (both set up in the database, as
//! time and an earlier decision would leave them). An admin opens the round of project year 2 on
//! the call's page (typing its end before its start first) and raises line 4.3's amount from
//! project year 2; Antwerpen finds the round on "Mijn gemeente" and starts a dossier that runs
//! from project year 2 at the new amount; Willebroek finds on its dossier that it can take in a
//! municipality, invites Bornem, and Bornem confirms from its own dashboard. Only what the pages
//! offer is clicked.

use chrono::{Duration, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};

use crate::harness::Env;
use crate::helpers::{ADMIN, OFFICIAL_A, TestApp};
use crate::journeys::sign_in;
use crate::page::Target;

const WILLEBROEK: &str = "willebroek@demo.samenleven.test";
const BORNEM: &str = "bornem@demo.samenleven.test";

/// A moment as the round form reads it (Brussels time; days of margin make the offset moot).
fn typed(at: chrono::DateTime<Utc>) -> String {
    at.format("%d-%m-%Y %H:%M").to_string()
}

async fn municipality(app: &TestApp, nis: i32) -> entity::municipality::Model {
    entity::municipality::Entity::find()
        .filter(entity::municipality::Column::NisCode.eq(nis))
        .filter(entity::municipality::Column::ValidTo.is_null())
        .one(&app.db)
        .await
        .unwrap()
        .expect("municipality")
}

/// Ends round 1 two days ago and records Willebroek's granted cooperation with
/// Puurs-Sint-Amands; its reference.
async fn set_up(app: &TestApp) -> String {
    let call = entity::call::Entity::find()
        .filter(entity::call::Column::Code.eq("PS-2022-2024"))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    let call_id = call.id;
    let mut active: entity::call::ActiveModel = call.into();
    active.submission_closes_at = Set(Utc::now() - Duration::days(2));
    active.update(&app.db).await.unwrap();
    let now = Utc::now();
    let lead = municipality(app, 12040).await;
    let reference = "PS-2022-RONDE".to_owned();
    let dossier = entity::application::ActiveModel {
        call_id: Set(call_id),
        reference: Set(reference.clone()),
        kind: Set(entity::application::ApplicationKind::Cooperation),
        lead_municipality_id: Set(Some(lead.id)),
        title: Set("Samen in Rivierenland".into()),
        first_project_year: Set(1),
        last_project_year: Set(3),
        state: Set(entity::application::ApplicationState::Approved),
        submitted_at: Set(Some(now - Duration::days(30))),
        decided_at: Set(Some(now - Duration::days(10))),
        created_at: Set(now - Duration::days(40)),
        updated_at: Set(now - Duration::days(10)),
        version: Set(3),
        ..Default::default()
    }
    .insert(&app.db)
    .await
    .unwrap();
    for (nis, role) in [
        (12040, entity::application_member::MemberRole::Lead),
        (12041, entity::application_member::MemberRole::Member),
    ] {
        entity::application_member::ActiveModel {
            application_id: Set(dossier.id),
            call_id: Set(call_id),
            municipality_id: Set(municipality(app, nis).await.id),
            role: Set(role),
            consent_state: Set(entity::application_member::ConsentState::Confirmed),
            consent_at: Set(Some(now - Duration::days(35))),
            invited_at: Set(now - Duration::days(38)),
            version: Set(1),
            ..Default::default()
        }
        .insert(&app.db)
        .await
        .unwrap();
    }
    reference
}

pub async fn journey(env: Env) {
    let reference = set_up(&env.app).await;

    // The admin opens the round of project year 2 and raises line 4.3's amount from that year.
    let admin = env.browser("admin").await;
    sign_in(&admin, ADMIN).await;
    admin.click(Target::Link("Oproepen"), "oproepen").await;
    admin
        .click(Target::Link("PS-2022-2024"), "oproep-2022")
        .await;
    admin
        .expect_text("Rondes en bedragen per projectjaar")
        .await;
    admin.choose("ronde_year", "2").await;
    admin
        .fill("ronde_opens", &typed(Utc::now() + Duration::days(10)))
        .await;
    admin
        .fill("ronde_moment", &typed(Utc::now() + Duration::days(1)))
        .await;
    admin
        .fill(
            "ronde_reason",
            "Tweede ronde, beslist door de Vlaamse Regering.",
        )
        .await;
    admin
        .click(Target::Button("Ronde instellen"), "ronde-fout")
        .await;
    admin
        .expect_error("Het einde van de ronde ligt na het begin.")
        .await;
    assert_eq!(
        admin.value("ronde_reason").await,
        "Tweede ronde, beslist door de Vlaamse Regering.",
        "the reason typed is kept"
    );
    admin
        .fill("ronde_opens", &typed(Utc::now() - Duration::days(1)))
        .await;
    admin
        .fill("ronde_moment", &typed(Utc::now() + Duration::days(20)))
        .await;
    admin
        .click(Target::Button("Ronde instellen"), "ronde-ingesteld")
        .await;
    admin.expect_text("De ronde voor projectjaar 2").await;
    admin.choose_text("bedrag_line", "4.3 ").await;
    admin.choose("bedrag_year", "2").await;
    admin.fill("bedrag_amount", "50.000,00").await;
    admin
        .fill(
            "bedrag_reason",
            "Nieuw bedrag per actieplan vanaf projectjaar 2.",
        )
        .await;
    admin
        .click(Target::Button("Bedrag wijzigen"), "bedrag-gewijzigd")
        .await;
    admin
        .expect_text("de eerdere projectjaren houden hun bedrag")
        .await;
    admin.expect_text("vanaf projectjaar 2: € 50.000,00").await;
    admin.close().await;

    // Antwerpen applies in the round of project year 2, at that year's amount.
    let els = env.browser("antwerpen").await;
    sign_in(&els, OFFICIAL_A).await;
    els.click(Target::Link("Mijn gemeente"), "mijn-gemeente")
        .await;
    els.expect_text("een nieuw dossier loopt vanaf projectjaar 2")
        .await;
    els.click(Target::Button("Start een dossier"), "dossier-gestart")
        .await;
    els.click(Target::Link("Acties uit de oproep"), "acties")
        .await;
    els.expect_text("€ 50.000,00").await;
    els.close().await;

    // Willebroek takes in Bornem from project year 2.
    let lead = env.browser("willebroek").await;
    sign_in(&lead, WILLEBROEK).await;
    lead.click(Target::Link("Mijn gemeente"), "lead-mijn-gemeente")
        .await;
    lead.click(Target::Link(&reference), "lead-dossier").await;
    lead.expect_text("Ronde voor projectjaar 2:").await;
    lead.click(
        Target::Link("Nieuwe gemeente opnemen"),
        "deelnemende-gemeenten",
    )
    .await;
    lead.expect_text("Nieuwe gemeente in de samenwerking").await;
    lead.choose("nis", "12007").await;
    lead.click(Target::Button("Uitnodigen"), "bornem-uitgenodigd")
        .await;
    lead.expect_text("Bornem is uitgenodigd").await;

    let bornem = env.browser("bornem").await;
    sign_in(&bornem, BORNEM).await;
    bornem
        .click(Target::Link("Mijn gemeente"), "bornem-mijn-gemeente")
        .await;
    bornem
        .click(Target::Link("Deelname bevestigen of weigeren"), "deelname")
        .await;
    bornem.expect_text("Willebroek nodigt").await;
    bornem.tick("decision-confirm").await;
    bornem.fill("commitment", "1.000").await;
    bornem
        .attach("file", &env.fixture("collegebesluit.pdf"))
        .await;
    bornem
        .click(Target::Button("Antwoord versturen"), "deelname-bevestigd")
        .await;
    bornem.expect_text("neemt deel aan dossier").await;
    bornem.close().await;

    lead.click(Target::Link("Terug naar het dossier"), "lead-dossier-na")
        .await;
    lead.click(Target::Link("Nieuwe gemeente opnemen"), "leden-na")
        .await;
    lead.expect_text("(vanaf projectjaar 2)").await;
    lead.close().await;
}
