//! Issue 6: pooled dossiers with member consent, the verdict recomputed as members come and go,
//! one region per cooperation, and one dossier per municipality per call under a race.

use crate::attachments::{file, post_multipart, text};
use crate::helpers::{Browser, TestApp, count, spawn_app};
use crate::journey::{
    accept_declarations, add_action, attach, call_id, field_value, fill_general, location,
    save_action,
};

const WILLEBROEK: &str = "willebroek@demo.samenleven.test";
const PUURS: &str = "puurs-sint-amands@demo.samenleven.test";
const BORNEM: &str = "bornem@demo.samenleven.test";
const PDF: &[u8] =
    b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";

/// An official for a municipality without a demo account.
async fn official_of(app: &TestApp, nis: i32, email: &str) -> Browser {
    crate::helpers::create_official(&app.db, nis, email).await;
    let mut browser = app.browser();
    assert_eq!(
        browser
            .login(email, crate::helpers::DEMO_PASSWORD)
            .await
            .status(),
        303
    );
    browser.get("/account").await;
    browser
}

/// Starts a cooperation as the signed-in lead, inviting `members`; returns the dossier id.
async fn start_cooperation(app: &TestApp, lead: &mut Browser, members: &str) -> String {
    lead.get("/gemeente").await;
    let call = call_id(app).await;
    let response = lead
        .post(
            "/samenwerkingen",
            &[("call_id", call.as_str()), ("members", members)],
        )
        .await;
    assert_eq!(response.status(), 303, "start the cooperation");
    location(&response)
        .trim_start_matches("/dossiers/")
        .trim_end_matches("/leden")
        .to_owned()
}

pub(crate) async fn answer(
    member: &mut Browser,
    dossier: &str,
    decision: &str,
    reason: &str,
    with_file: bool,
) -> reqwest::Response {
    member.get(&format!("/dossiers/{dossier}/deelname")).await;
    let csrf = member.csrf.clone();
    let mut parts = vec![
        text("csrf_token", &csrf),
        text("decision", decision),
        text("reason", reason),
        text("commitment", "2.500,00"),
    ];
    if with_file {
        parts.push(file("collegebesluit.pdf", "application/pdf", PDF));
    }
    post_multipart(member, &format!("/dossiers/{dossier}/deelname"), &parts).await
}

#[tokio::test]
async fn three_small_municipalities_pool_and_submit_once_they_reach_7500() {
    let app = spawn_app().await;
    let mut lead = app.signed_in(WILLEBROEK).await;
    // Willebroek 4.024 + Puurs-Sint-Amands 2.091 + Bornem 1.495 + Putte 540 (fictitious figures).
    let dossier = start_cooperation(&app, &mut lead, "12041,12007,12029").await;
    let (status, html) = lead.get(&format!("/dossiers/{dossier}/leden")).await;
    assert_eq!(status, 200);
    assert!(html.contains("uitgenodigd, nog geen antwoord"));
    let invitations = app.smtp.wait_for(2).await;
    assert!(invitations.iter().any(|m| m.to.contains(&PUURS.to_owned())));

    let mut puurs = app.signed_in(PUURS).await;
    let mut bornem = app.signed_in(BORNEM).await;
    let mut putte = official_of(&app, 12029, "putte@test.be").await;

    // A member reads the whole dossier but cannot change it.
    assert_eq!(puurs.get(&format!("/dossiers/{dossier}")).await.0, 200);
    assert_eq!(
        puurs.get(&format!("/dossiers/{dossier}/algemeen")).await.0,
        403
    );

    // Confirming needs the council or college decision.
    let response = answer(&mut puurs, &dossier, "confirm", "", false).await;
    assert_eq!(response.status(), 422);
    assert!(response.text().await.unwrap().contains("Kies een bestand"));
    assert_eq!(
        answer(&mut puurs, &dossier, "confirm", "", true)
            .await
            .status(),
        303
    );
    assert_eq!(
        answer(&mut putte, &dossier, "confirm", "", true)
            .await
            .status(),
        303
    );
    assert_eq!(
        answer(
            &mut bornem,
            &dossier,
            "decline",
            "Geen capaciteit dit jaar",
            false
        )
        .await
        .status(),
        303
    );
    assert_eq!(
        count(
            &app.db,
            "application_member WHERE consent_state = 'confirmed'"
        )
        .await,
        3
    );
    assert_eq!(
        count(&app.db, "attachment WHERE kind = 'consent_decision'").await,
        2
    );

    // Without Bornem the cooperation counts 6.655: the verdict is recomputed and fails.
    let (_, html) = lead.get(&format!("/dossiers/{dossier}/leden")).await;
    assert!(html.contains("6.655"), "running total");
    assert!(html.contains("haalt de drempel van 7.500 nog niet"));
    let declined = app.smtp.wait_for(5).await;
    assert!(
        declined
            .iter()
            .any(|m| m.to.contains(&WILLEBROEK.to_owned()) && m.body().contains("neemt niet deel")),
        "the lead is told"
    );

    // Duffel (1.454) joins as a replacement: 8.109.
    lead.get(&format!("/dossiers/{dossier}/leden")).await;
    assert_eq!(
        lead.post(&format!("/dossiers/{dossier}/leden"), &[("nis", "12009")])
            .await
            .status(),
        303
    );
    let mut duffel = official_of(&app, 12009, "duffel@test.be").await;
    let (_, html) = lead.get(&format!("/dossiers/{dossier}/leden")).await;
    assert!(html.contains("8.109"));

    // Everything else filled in; submitting waits for Duffel's confirmation.
    fill_general(&mut lead, &dossier).await;
    let action = add_action(&app, &mut lead, &dossier, "4.3").await;
    save_action(
        &mut lead,
        &dossier,
        &action,
        &[
            ("priority", "1"),
            ("baseline_reach", "0"),
            ("planned_reach", "1"),
            ("own_contribution", "25.000,00"),
            (
                "description",
                "Verbindingsambassadeurs in de drie gemeenten.",
            ),
        ],
    )
    .await;
    attach(&mut lead, &dossier, "council_decision").await;
    attach(&mut lead, &dossier, "budget_sheet").await;
    accept_declarations(&mut lead, &dossier).await;
    let (_, html) = lead.get(&format!("/dossiers/{dossier}/controle")).await;
    assert!(
        html.contains("U kunt nog niet indienen"),
        "Duffel has not confirmed yet"
    );

    assert_eq!(
        answer(&mut duffel, &dossier, "confirm", "", true)
            .await
            .status(),
        303
    );
    let (_, html) = lead.get(&format!("/dossiers/{dossier}/controle")).await;
    assert!(html.contains("Dossier indienen</button>"), "{html}");
    let response = lead
        .post(
            &format!("/dossiers/{dossier}/indienen"),
            &[("version", &field_value(&html, "version"))],
        )
        .await;
    assert_eq!(response.status(), 303);
    assert_eq!(
        count(
            &app.db,
            "application WHERE state = 'submitted' AND kind = 'cooperation'"
        )
        .await,
        1
    );
    // Bornem is free again for this call.
    assert_eq!(count(&app.db, "application_member m JOIN municipality g ON g.id = m.municipality_id WHERE g.nis_code = 12007").await, 0);
}

#[tokio::test]
async fn a_municipality_of_another_region_cannot_be_invited() {
    let app = spawn_app().await;
    let mut lead = app.signed_in(WILLEBROEK).await;
    let dossier = start_cooperation(&app, &mut lead, "").await;
    lead.get(&format!("/dossiers/{dossier}/leden")).await;
    let response = lead
        .post(&format!("/dossiers/{dossier}/leden"), &[("nis", "44021")])
        .await;
    assert_eq!(response.status(), 409);
    let html = response.text().await.unwrap();
    assert!(
        html.contains(
            "Gent ligt in de referentieregio Regio Gent, niet in de referentieregio Rivierenland"
        ),
        "{html}"
    );
    assert_eq!(count(&app.db, "application_member").await, 1);
}

#[tokio::test]
async fn two_leads_inviting_the_same_municipality_at_once_have_exactly_one_winner() {
    let app = spawn_app().await;
    let mut willebroek = app.signed_in(WILLEBROEK).await;
    let mut mechelen = official_of(&app, 12025, "mechelen@test.be").await;
    let first = start_cooperation(&app, &mut willebroek, "").await;
    let second = start_cooperation(&app, &mut mechelen, "").await;
    willebroek.get(&format!("/dossiers/{first}/leden")).await;
    mechelen.get(&format!("/dossiers/{second}/leden")).await;
    let form = [("nis", "12041")];
    let path_a = format!("/dossiers/{first}/leden");
    let path_b = format!("/dossiers/{second}/leden");
    let (a, b) = tokio::join!(
        willebroek.post(&path_a, &form),
        mechelen.post(&path_b, &form)
    );
    let mut statuses = vec![a.status().as_u16(), b.status().as_u16()];
    statuses.sort();
    assert_eq!(statuses, vec![303, 409]);
    assert_eq!(
        count(&app.db, "application_member m JOIN municipality g ON g.id = m.municipality_id WHERE g.nis_code = 12041").await,
        1
    );
}

#[tokio::test]
async fn the_lead_does_not_answer_for_its_members_and_outsiders_see_nothing() {
    let app = spawn_app().await;
    let mut lead = app.signed_in(WILLEBROEK).await;
    let dossier = start_cooperation(&app, &mut lead, "12041").await;
    assert_eq!(
        lead.get(&format!("/dossiers/{dossier}/deelname")).await.0,
        403
    );
    let mut outsider = app.signed_in("antwerpen@demo.samenleven.test").await;
    assert_eq!(
        outsider
            .get(&format!("/dossiers/{dossier}/deelname"))
            .await
            .0,
        404
    );
    assert_eq!(
        outsider.get(&format!("/dossiers/{dossier}/leden")).await.0,
        404
    );
}

/// Willebroek leads, Puurs-Sint-Amands and Bornem confirm (4.024 + 2.091 + 1.495 = 7.610),
/// everything else is filled in: the dossier can be submitted.
pub(crate) async fn ready_cooperation(app: &TestApp) -> (Browser, Browser, Browser, String) {
    let mut lead = app.signed_in(WILLEBROEK).await;
    let dossier = start_cooperation(app, &mut lead, "12041,12007").await;
    let mut puurs = app.signed_in(PUURS).await;
    let mut bornem = app.signed_in(BORNEM).await;
    for member in [&mut puurs, &mut bornem] {
        let response = answer(member, &dossier, "confirm", "", true).await;
        assert_eq!(response.status(), 303, "confirmed");
    }
    fill_general(&mut lead, &dossier).await;
    let action = add_action(app, &mut lead, &dossier, "4.3").await;
    save_action(
        &mut lead,
        &dossier,
        &action,
        &[
            ("priority", "1"),
            ("baseline_reach", "0"),
            ("planned_reach", "1"),
            ("own_contribution", "25.000,00"),
            (
                "description",
                "Verbindingsambassadeurs in de drie gemeenten.",
            ),
        ],
    )
    .await;
    attach(&mut lead, &dossier, "council_decision").await;
    attach(&mut lead, &dossier, "budget_sheet").await;
    accept_declarations(&mut lead, &dossier).await;
    let (_, html) = lead.get(&format!("/dossiers/{dossier}/controle")).await;
    assert!(html.contains("Dossier indienen</button>"), "ready: {html}");
    (lead, puurs, bornem, dossier)
}

/// The id of the council decision a member (by NIS code) attached to its consent.
async fn decision_of(app: &TestApp, nis: i32) -> String {
    let sql = format!(
        "SELECT a.id AS id FROM attachment a JOIN municipality g ON g.id = a.municipality_id \
         WHERE a.kind = 'consent_decision' AND g.nis_code = {nis}"
    );
    use sea_orm::ConnectionTrait;
    let row = app
        .db
        .query_one_raw(sea_orm::Statement::from_string(
            app.db.get_database_backend(),
            sql,
        ))
        .await
        .unwrap()
        .expect("a council decision of the member");
    row.try_get::<i64>("", "id").unwrap().to_string()
}

async fn consent_of(app: &TestApp, nis: i32) -> i64 {
    count(
        &app.db,
        &format!(
            "application_member m JOIN municipality g ON g.id = m.municipality_id \
             WHERE g.nis_code = {nis} AND m.consent_state = 'confirmed'"
        ),
    )
    .await
}

/// Submits as the check page's button would, with the dossier's current version (also when
/// the page shows no button).
pub(crate) async fn submit(app: &TestApp, lead: &mut Browser, dossier: &str) -> reqwest::Response {
    use sea_orm::EntityTrait;
    lead.get(&format!("/dossiers/{dossier}/controle")).await;
    let version = entity::application::Entity::find_by_id(dossier.parse::<i64>().unwrap())
        .one(&app.db)
        .await
        .unwrap()
        .unwrap()
        .version
        .to_string();
    lead.post(
        &format!("/dossiers/{dossier}/indienen"),
        &[
            ("version", version.as_str()),
            ("cover_note", "Aangepast zoals gevraagd."),
        ],
    )
    .await
}

#[tokio::test]
async fn the_lead_cannot_remove_a_members_council_decision() {
    let app = spawn_app().await;
    let (mut lead, _puurs, _bornem, dossier) = ready_cooperation(&app).await;
    let decision = decision_of(&app, 12041).await;
    let (_, html) = lead.get(&format!("/dossiers/{dossier}/bijlagen")).await;
    assert!(
        !html.contains(&format!("/bijlagen/{decision}/verwijderen")),
        "no remove button for a member's decision"
    );
    let response = lead
        .post(
            &format!("/dossiers/{dossier}/bijlagen/{decision}/verwijderen"),
            &[],
        )
        .await;
    assert_eq!(response.status(), 403);
    assert_eq!(
        count(&app.db, "attachment WHERE kind = 'consent_decision'").await,
        2
    );
    assert_eq!(consent_of(&app, 12041).await, 1, "Puurs stays confirmed");
    assert!(
        count(&app.db, "audit_log WHERE action = 'access.denied'").await > 0,
        "the refusal is audited"
    );
    // The lead still removes the dossier's own attachments.
    let (_, html) = lead.get(&format!("/dossiers/{dossier}/bijlagen")).await;
    let own = html
        .split("/verwijderen\"")
        .next()
        .and_then(|before| before.rsplit("/bijlagen/").next())
        .expect("a remove button for the lead's own attachment")
        .to_owned();
    let response = lead
        .post(
            &format!("/dossiers/{dossier}/bijlagen/{own}/verwijderen"),
            &[],
        )
        .await;
    assert_eq!(response.status(), 303);
}

#[tokio::test]
async fn a_member_that_removes_its_council_decision_is_no_longer_confirmed() {
    let app = spawn_app().await;
    let (mut lead, mut puurs, _bornem, dossier) = ready_cooperation(&app).await;
    let own = decision_of(&app, 12041).await;
    let bornems = decision_of(&app, 12007).await;
    let (status, html) = puurs.get(&format!("/dossiers/{dossier}/bijlagen")).await;
    assert_eq!(status, 200);
    assert!(html.contains(&format!("/bijlagen/{own}/verwijderen")));
    assert!(!html.contains(&format!("/bijlagen/{bornems}/verwijderen")));

    // Only its own decision.
    let response = puurs
        .post(
            &format!("/dossiers/{dossier}/bijlagen/{bornems}/verwijderen"),
            &[],
        )
        .await;
    assert_eq!(response.status(), 403);
    assert_eq!(consent_of(&app, 12007).await, 1);

    let response = puurs
        .post(
            &format!("/dossiers/{dossier}/bijlagen/{own}/verwijderen"),
            &[],
        )
        .await;
    assert_eq!(response.status(), 303);
    assert_eq!(consent_of(&app, 12041).await, 0, "no longer confirmed");
    assert_eq!(
        count(&app.db, "attachment WHERE kind = 'consent_decision'").await,
        1
    );
    let (_, html) = lead.get(&format!("/dossiers/{dossier}/leden")).await;
    assert!(html.contains("uitgenodigd, nog geen antwoord"), "{html}");
    let (_, html) = lead.get(&format!("/dossiers/{dossier}/controle")).await;
    assert!(html.contains("U kunt nog niet indienen"));
    assert_ne!(submit(&app, &mut lead, &dossier).await.status(), 303);
    assert_eq!(count(&app.db, "application WHERE state = 'draft'").await, 1);

    // Confirming again attaches a new decision; confirming once more replaces it.
    for _ in 0..2 {
        let response = answer(&mut puurs, &dossier, "confirm", "", true).await;
        assert_eq!(response.status(), 303);
    }
    assert_eq!(consent_of(&app, 12041).await, 1);
    assert_eq!(
        count(&app.db, "attachment WHERE kind = 'consent_decision'").await,
        2,
        "one decision per member"
    );
    assert_eq!(submit(&app, &mut lead, &dossier).await.status(), 303);
}

#[tokio::test]
async fn a_member_without_its_council_decision_on_file_does_not_count_as_confirmed() {
    let app = spawn_app().await;
    let (mut lead, _puurs, _bornem, dossier) = ready_cooperation(&app).await;
    // As the lead could do before: the decision gone, the member still "confirmed".
    let decision = decision_of(&app, 12041).await;
    crate::helpers::exec(
        &app,
        &format!("DELETE FROM attachment WHERE id = {decision}"),
    )
    .await;
    assert_eq!(consent_of(&app, 12041).await, 1);
    let (_, html) = lead.get(&format!("/dossiers/{dossier}/controle")).await;
    assert!(html.contains("U kunt nog niet indienen"), "{html}");
    assert_ne!(submit(&app, &mut lead, &dossier).await.status(), 303);
    assert_eq!(count(&app.db, "application WHERE state = 'draft'").await, 1);
}

#[tokio::test]
async fn a_member_leaves_only_while_the_members_section_is_open_like_the_lead_removes_one() {
    let app = spawn_app().await;
    let (mut lead, mut puurs, _bornem, dossier) = ready_cooperation(&app).await;
    assert_eq!(submit(&app, &mut lead, &dossier).await.status(), 303);
    let mut reviewer = app.signed_in(crate::helpers::REVIEWER).await;
    for (round, section) in [(1, "algemeen"), (2, "leden")] {
        reviewer.get(&format!("/beoordeling/{dossier}")).await;
        let response = reviewer
            .post(&format!("/beoordeling/{dossier}/start"), &[])
            .await;
        assert_eq!(response.status(), 303, "round {round}: review started");
        let response = reviewer
            .post(
                &format!("/beoordeling/{dossier}/aanpassingen"),
                &[("sections", section), ("message", "Graag aanpassen.")],
            )
            .await;
        assert_eq!(response.status(), 303, "round {round}: changes requested");
        if section == "algemeen" {
            // The members section stays as submitted: the lead cannot remove Puurs, and
            // Puurs cannot leave nor change its decision either.
            lead.get(&format!("/dossiers/{dossier}/leden")).await;
            let response = lead
                .post(&format!("/dossiers/{dossier}/leden/12041/verwijderen"), &[])
                .await;
            assert_eq!(response.status(), 409);
            let response = answer(&mut puurs, &dossier, "decline", "Toch niet", false).await;
            assert_eq!(response.status(), 409);
            let response = answer(&mut puurs, &dossier, "confirm", "", true).await;
            assert_eq!(response.status(), 409);
            let own = decision_of(&app, 12041).await;
            puurs.get(&format!("/dossiers/{dossier}/bijlagen")).await;
            let response = puurs
                .post(
                    &format!("/dossiers/{dossier}/bijlagen/{own}/verwijderen"),
                    &[],
                )
                .await;
            assert_eq!(response.status(), 409);
            assert_eq!(consent_of(&app, 12041).await, 1, "Puurs is still in");
            assert_eq!(
                count(&app.db, "attachment WHERE kind = 'consent_decision'").await,
                2
            );
            // The lead answers the request; ABB asks again, now about the members.
            assert_eq!(submit(&app, &mut lead, &dossier).await.status(), 303);
        } else {
            let response = answer(&mut puurs, &dossier, "decline", "Toch niet", false).await;
            assert_eq!(response.status(), 303);
            assert_eq!(
                count(&app.db, "application_member m JOIN municipality g ON g.id = m.municipality_id WHERE g.nis_code = 12041").await,
                0,
                "Puurs left"
            );
        }
    }
}

/// The `href` of the first link whose text starts with `text` in `html`.
fn href_of(html: &str, text: &str) -> String {
    let at = html
        .find(&format!(">{text}"))
        .unwrap_or_else(|| panic!("no link «{text}» in {html}"));
    let before = &html[..at];
    let start = before.rfind("href=\"").expect("an href") + "href=\"".len();
    let end = before[start..].find('"').expect("a closing quote") + start;
    before[start..end].replace("&amp;", "&")
}

/// The text of `html` from `start` up to the next `end`.
fn between<'a>(html: &'a str, start: &str, end: &str) -> &'a str {
    let from = html
        .find(start)
        .unwrap_or_else(|| panic!("no «{start}» in {html}"));
    let rest = &html[from..];
    let after = start.len();
    &rest[..rest[after..]
        .find(end)
        .map_or(rest.len(), |e| after + e + end.len())]
}

#[tokio::test]
async fn a_member_confirms_from_its_dashboard_without_the_mail_link() {
    let app = spawn_app().await;
    let mut lead = app.signed_in(WILLEBROEK).await;
    let dossier = start_cooperation(&app, &mut lead, "12041").await;
    let mut puurs = app.signed_in(PUURS).await;

    // "Mijn gemeente" leads straight to the consent page.
    let (status, dashboard) = puurs.get("/gemeente").await;
    assert_eq!(status, 200);
    let steps = between(&dashboard, "Wat moet u nu doen?", "</ul>");
    assert!(
        steps.contains("Willebroek nodigt Puurs-Sint-Amands uit"),
        "{steps}"
    );
    let consent = href_of(steps, "Deelname bevestigen of weigeren");

    // So do the dossier list and the dossier page itself.
    let (_, list) = puurs.get("/dossiers").await;
    assert_eq!(href_of(&list, "Deelname bevestigen of weigeren"), consent);
    let (_, page) = puurs.get(&href_of(&list, "PS-")).await;
    assert!(page.contains("Neemt Puurs-Sint-Amands deel?"), "{page}");
    assert_eq!(href_of(&page, "Deelname bevestigen of weigeren"), consent);

    // The member follows the link, confirms with its college decision.
    let (status, form) = puurs.get(&consent).await;
    assert_eq!(status, 200);
    let action = between(&form, "<form method=\"post\" action=\"", "\"")
        .trim_start_matches("<form method=\"post\" action=\"")
        .trim_end_matches('"')
        .to_owned();
    let csrf = puurs.csrf.clone();
    let response = post_multipart(
        &puurs,
        &action,
        &[
            text("csrf_token", &csrf),
            text("decision", "confirm"),
            text("reason", ""),
            text("commitment", "2.500,00"),
            file("collegebesluit.pdf", "application/pdf", PDF),
        ],
    )
    .await;
    assert_eq!(response.status(), 303);

    // The lead sees the member as confirmed; the member's dashboard asks nothing more of it.
    let (_, members) = lead.get(&format!("/dossiers/{dossier}/leden")).await;
    let row = between(&members, "Puurs-Sint-Amands <span", "</tr>");
    assert!(row.contains(">bevestigd<"), "{row}");
    let (_, dashboard) = puurs.get("/gemeente").await;
    assert!(!dashboard.contains("Deelname bevestigen of weigeren"));
    let (_, page) = puurs.get(&format!("/dossiers/{dossier}")).await;
    assert!(
        page.contains("Deelname van Puurs-Sint-Amands: <strong>bevestigd</strong>"),
        "{page}"
    );
}

#[tokio::test]
async fn the_threshold_is_reached_only_once_the_invited_members_confirm() {
    let app = spawn_app().await;
    let mut lead = app.signed_in(WILLEBROEK).await;
    // 4.024 + 2.091 + 1.495 = 7.610 with both invited members, 4.024 without them.
    let dossier = start_cooperation(&app, &mut lead, "12041,12007").await;
    let (_, html) = lead.get(&format!("/dossiers/{dossier}/leden")).await;
    let standing = between(&html, "De samenwerking haalt de drempel", "</p>");
    assert!(
        standing.contains("zodra alle uitgenodigde gemeenten bevestigen"),
        "{standing}"
    );
    assert!(
        standing.contains("Nog niet bevestigd: ")
            && standing.contains("Puurs-Sint-Amands")
            && standing.contains("Bornem"),
        "{standing}"
    );
    assert!(
        !html.contains("<p class=\"verdict pass\">De samenwerking"),
        "{html}"
    );

    let mut puurs = app.signed_in(PUURS).await;
    let mut bornem = app.signed_in(BORNEM).await;
    for member in [&mut puurs, &mut bornem] {
        let response = answer(member, &dossier, "confirm", "", true).await;
        assert_eq!(response.status(), 303);
    }
    let (_, html) = lead.get(&format!("/dossiers/{dossier}/leden")).await;
    assert!(
        html.contains("<p class=\"verdict pass\">De samenwerking haalt de drempel van 7.500.</p>"),
        "{html}"
    );
    assert!(
        !html.contains("Herinnering sturen"),
        "nobody left to remind"
    );
}

#[tokio::test]
async fn the_lead_reminds_the_members_that_have_not_answered_at_most_once_a_day() {
    let app = spawn_app().await;
    let mut lead = app.signed_in(WILLEBROEK).await;
    let dossier = start_cooperation(&app, &mut lead, "12041,12007").await;
    let mut puurs = app.signed_in(PUURS).await;
    assert_eq!(
        answer(&mut puurs, &dossier, "confirm", "", true)
            .await
            .status(),
        303
    );
    let reminders = "email_outbox WHERE subject LIKE '%herinnering%'";

    // A member cannot send the reminder; the lead can, from the members page.
    let (_, members) = lead.get(&format!("/dossiers/{dossier}/leden")).await;
    let remind = between(&members, "Herinnering sturen</h2>", "</form>");
    assert!(remind.contains("Nog geen antwoord van Bornem"), "{remind}");
    let action = between(remind, "action=\"", "\"")
        .trim_start_matches("action=\"")
        .trim_end_matches('"')
        .to_owned();
    puurs.get(&format!("/dossiers/{dossier}")).await;
    assert_eq!(puurs.post(&action, &[]).await.status(), 403);

    let response = lead.post(&action, &[]).await;
    assert_eq!(response.status(), 303);
    let (_, page) = lead.get(&location(&response)).await;
    assert!(
        page.contains("Herinnering verstuurd naar Bornem."),
        "{page}"
    );
    assert_eq!(count(&app.db, reminders).await, 1, "only Bornem, once");
    assert!(
        app.smtp
            .wait_until(|m| m.to.contains(&BORNEM.to_owned())
                && m.body().contains(&format!("/dossiers/{dossier}/deelname")))
            .await,
        "Bornem's officials get the link to answer"
    );
    assert_eq!(
        count(
            &app.db,
            "audit_log WHERE action = 'cooperation.member_reminded'"
        )
        .await,
        1
    );

    // A second click the same day sends nothing and says why.
    let response = lead.post(&action, &[]).await;
    assert_eq!(response.status(), 303);
    let (_, page) = lead.get(&location(&response)).await;
    assert!(
        page.contains("Bornem kreeg vandaag al een herinnering"),
        "{page}"
    );
    assert_eq!(count(&app.db, reminders).await, 1);

    // The next day it can be sent again.
    crate::helpers::exec(&app, "UPDATE member_reminder SET sent_on = '2000-01-01'").await;
    assert_eq!(lead.post(&action, &[]).await.status(), 303);
    assert_eq!(count(&app.db, reminders).await, 2);
}

#[tokio::test]
async fn a_member_states_its_commitment_when_it_confirms_and_both_sides_read_it() {
    let app = spawn_app().await;
    let mut lead = app.signed_in(WILLEBROEK).await;
    let dossier = start_cooperation(&app, &mut lead, "12041").await;
    let mut puurs = app.signed_in(PUURS).await;
    let consent = format!("/dossiers/{dossier}/deelname");

    // Without a commitment the answer comes back with the message and what was typed.
    puurs.get(&consent).await;
    let csrf = puurs.csrf.clone();
    let refused = post_multipart(
        &puurs,
        &consent,
        &[
            text("csrf_token", &csrf),
            text("decision", "confirm"),
            text("reason", ""),
            text("commitment", "vijfduizend"),
            file("collegebesluit.pdf", "application/pdf", PDF),
        ],
    )
    .await;
    assert_eq!(refused.status(), 422);
    let page = refused.text().await.unwrap();
    assert!(page.contains("Bijdrage per projectjaar: "), "{page}");
    assert!(
        page.contains("value=\"vijfduizend\""),
        "the typed value is kept"
    );
    assert!(page.contains("id=\"commitment-error\""));
    assert_eq!(
        count(
            &app.db,
            "application_member WHERE commitment_cents IS NOT NULL"
        )
        .await,
        0,
        "nothing was recorded"
    );

    // With one it is recorded, audited, and told to the lead.
    let response = answer(&mut puurs, &dossier, "confirm", "", true).await;
    assert_eq!(response.status(), 303);
    assert_eq!(
        count(
            &app.db,
            "application_member WHERE commitment_cents = 250000"
        )
        .await,
        1
    );
    assert!(
        app.smtp
            .wait_until(|m| m.to.contains(&WILLEBROEK.to_owned())
                && m.body().contains("Puurs-Sint-Amands draagt ")
                && m.body()
                    .contains("2.500,00 per projectjaar bij aan de eigen inbreng"))
            .await,
        "the lead is told the commitment"
    );

    // The lead's members table shows it, and what is left for the lead (no own contribution
    // yet, so the members commit more: a warning, not a block).
    let (_, members) = lead.get(&format!("/dossiers/{dossier}/leden")).await;
    let row = between(&members, "Puurs-Sint-Amands <span", "</tr>");
    assert!(row.contains("€ 2.500,00"), "{row}");
    assert!(
        members.contains(
            "De deelnemende gemeenten zeggen samen € 2.500,00 per projectjaar toe, maar de \
             begroting van het dossier heeft nog geen eigen inbreng."
        ),
        "{members}"
    );

    // The member reads its own commitment on the dossier page and in the print view.
    let (_, page) = puurs.get(&format!("/dossiers/{dossier}")).await;
    assert!(
        page.contains("Bijdrage aan de eigen inbreng: € 2.500,00 per projectjaar."),
        "{page}"
    );
    let (_, print) = puurs.get(&format!("/dossiers/{dossier}/afdrukken")).await;
    assert!(
        print.contains("Puurs-Sint-Amands: € 2.500,00 per projectjaar"),
        "{print}"
    );
    assert!(print.contains("Willebroek (trekker) draagt de rest: € 0,00 per projectjaar"));
}
