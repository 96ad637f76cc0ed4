//! The official's dashboard (`/gemeente`) and dossier list (`/dossiers`) on the demo data. All
//! demo non-EU15 figures are fictitious; the residents are real Statbel figures.

use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};

use crate::helpers::{ADMIN, Browser, OFFICIAL_A, OFFICIAL_B, REVIEWER, TestApp, spawn_app};

const PUURS: &str = "puurs-sint-amands@demo.samenleven.test";
const POPERINGE: &str = "poperinge@demo.samenleven.test";
const VGC: &str = "vgc@demo.samenleven.test";

/// Headings start at one h1 and never skip a level; every table has a caption and every
/// header cell a scope.
fn assert_accessible(html: &str) {
    let mut levels = Vec::new();
    let mut rest = html;
    while let Some(at) = rest.find("<h") {
        let tail = &rest[at + 2..];
        if let Some(level) = tail.chars().next().and_then(|c| c.to_digit(10)) {
            levels.push(level);
        }
        rest = tail;
    }
    assert_eq!(
        levels.first(),
        Some(&1),
        "the page starts with an h1: {levels:?}"
    );
    assert_eq!(levels.iter().filter(|l| **l == 1).count(), 1, "one h1");
    for pair in levels.windows(2) {
        assert!(pair[1] <= pair[0] + 1, "heading levels skip: {levels:?}");
    }
    assert_eq!(
        html.matches("<table").count(),
        html.matches("<caption").count(),
        "every table has a caption"
    );
    assert_eq!(
        html.matches("<th ").count() + html.matches("<th>").count(),
        html.matches("<th scope=").count(),
        "every header cell has a scope"
    );
}

/// The text between `start` and the next `end` after it (for looking inside one section).
fn section<'a>(html: &'a str, start: &str, end: &str) -> &'a str {
    let from = html
        .find(start)
        .unwrap_or_else(|| panic!("{start} not in page"));
    let tail = &html[from..];
    let to = tail[start.len()..]
        .find(end)
        .map_or(tail.len(), |i| i + start.len());
    &tail[..to]
}

async fn dashboard_of(app: &TestApp, email: &str) -> (Browser, String) {
    let mut browser = app.signed_in(email).await;
    let (status, html) = browser.get("/gemeente").await;
    assert_eq!(status, 200, "{html}");
    assert_accessible(&html);
    (browser, html)
}

#[tokio::test]
async fn antwerpen_sees_its_figures_with_source_a_passing_verdict_and_the_start_button() {
    let app = spawn_app().await;
    let (browser, html) = dashboard_of(&app, OFFICIAL_A).await;

    let figures = section(
        &html,
        "Cijfers van Antwerpen voor referentiejaar 2020",
        "</table>",
    );
    assert!(figures.contains("529.247"), "residents 2020: {figures}");
    assert!(figures.contains("Statbel"), "residents source: {figures}");
    assert!(figures.contains("211.699"), "non-EU15: {figures}");
    assert!(
        figures.contains("geen officiële statistiek"),
        "non-EU15 source: {figures}"
    );
    // Sources read as a person reads them, and the fictitious mark comes once per figure.
    for technical in [
        "belgian_municipalities",
        "SOURCES.md",
        "gegenereerd door",
        ".py",
    ] {
        assert!(!figures.contains(technical), "{technical}: {figures}");
    }
    let non_eu15_row = section(figures, "Inwoners van niet-EU15-herkomst</th>", "</tr>");
    assert_eq!(
        non_eu15_row.to_lowercase().matches("fictief").count(),
        1,
        "{non_eu15_row}"
    );
    assert!(figures.contains("40,00%"), "share: {figures}");

    let call = section(&html, "Oproep: Provisie Samenleven 2022-2024", "</section>");
    assert!(call.contains("PS-2022-2024"));
    assert!(call.contains("nog "), "days left: {call}");
    let deadline = section(call, "Indienen tot en met</dt><dd>", "</dd>");
    let date = deadline.trim_start_matches("Indienen tot en met</dt><dd>");
    let words: Vec<&str> = date.split(' ').collect();
    assert!(
        words.len() >= 3
            && words[0].parse::<u32>().is_ok()
            && crate::helpers::DUTCH_MONTHS.contains(&words[1])
            && words[2].len() == 4
            && words[2].chars().all(|c| c.is_ascii_digit()),
        "the deadline in running text as '1 juli 2022': {date}"
    );
    assert!(call.contains("verdict pass"), "{call}");
    assert!(call.contains("kan zelfstandig indienen"));
    assert!(
        call.contains("bij naam genoemd als grootstad"),
        "the engine's message"
    );
    assert!(
        call.contains("(2020, fictief demo-cijfer)"),
        "the engine marks the figure: {call}"
    );
    // Once: no "geen officiële statistiek" beside the mark in the verdict.
    let rules = section(call, "aria-label=\"Toegepaste regels\"", "</ul>");
    assert!(!rules.contains("officiële statistiek"), "{rules}");
    for line in rules.split("<li").skip(1) {
        assert!(
            line.to_lowercase().matches("fictief").count() <= 1,
            "the fictitious label once per rule: {line}"
        );
    }
    assert!(!call.contains("verdict fail"), "{call}");

    let form = section(
        call,
        "<form method=\"post\" action=\"/dossiers\"",
        "</form>",
    );
    assert!(form.contains("Start een dossier"));
    assert!(form.contains(&format!("name=\"csrf_token\" value=\"{}\"", browser.csrf)));
    assert!(form.contains("name=\"call_id\""));

    let steps = section(&html, "Wat moet u nu doen?", "</ul>");
    assert!(steps.contains("Start een dossier voor Provisie Samenleven 2022-2024"));
    assert!(html.contains("Antwerpen zit nog in geen enkel dossier."));
}

#[tokio::test]
async fn the_start_button_starts_a_dossier_that_the_dashboard_then_links_to() {
    let app = spawn_app().await;
    let (mut browser, html) = dashboard_of(&app, OFFICIAL_A).await;
    let form = section(
        &html,
        "<form method=\"post\" action=\"/dossiers\"",
        "</form>",
    );
    let call_id = section(form, "name=\"call_id\" value=\"", "\"")
        .trim_start_matches("name=\"call_id\" value=\"")
        .to_owned();
    let response = browser.post("/dossiers", &[("call_id", &call_id)]).await;
    assert_eq!(response.status(), 303);
    let location = response
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert!(location.starts_with("/dossiers/"), "{location}");

    let (_, html) = browser.get("/gemeente").await;
    let call = section(&html, "Oproep: Provisie Samenleven 2022-2024", "</section>");
    assert!(call.contains(&format!("<a href=\"{location}\">")), "{call}");
    assert!(!call.contains("Start een dossier"), "{call}");
}

#[tokio::test]
async fn willebroek_cannot_apply_alone_and_gets_cooperations_of_its_region() {
    let app = spawn_app().await;
    let (_, html) = dashboard_of(&app, OFFICIAL_B).await;
    let call = section(&html, "Oproep: Provisie Samenleven 2022-2024", "</section>");

    assert!(call.contains("verdict fail"), "{call}");
    assert!(call.contains("<strong>niet voldaan</strong>"));
    assert!(call.contains("Willebroek telt 4.024 inwoners van niet-EU15-herkomst"));
    assert!(!call.contains("Start een dossier"), "{call}");

    // Lier (5.496) or Mechelen (23.469) each bring Willebroek (4.024) over 7.500: the smallest
    // cooperations have two members.
    let smallest = section(call, "Kleinste samenwerking", "</table>");
    assert!(smallest.contains("Willebroek (uw gemeente)"), "{smallest}");
    assert!(smallest.contains("Mechelen"), "{smallest}");
    assert!(call.contains("Lier en Willebroek, samen 9.520"), "{call}");
    let incentive = section(call, "Samenwerkingen met incentive", "Hoe gaat het verder?");
    assert!(incentive.contains("(met incentive)"), "{incentive}");
    assert!(incentive.contains("Mechelen"), "{incentive}");
    assert!(call.contains("de trekker start het dossier en nodigt de deelnemende gemeenten uit"));
    assert!(call.contains("tag fictitious"));

    let steps = section(&html, "Wat moet u nu doen?", "</ul>");
    assert!(
        steps.contains("niet zelfstandig indienen, enkel in samenwerking"),
        "{steps}"
    );
}

#[tokio::test]
async fn willebroek_is_offered_puurs_sint_amands_and_bornem_when_its_larger_neighbours_are_taken() {
    let app = spawn_app().await;
    // Mechelen, Lier, Heist-op-den-Berg and Nijlen already apply: only the three small
    // municipalities together reach 7.500 (4.024 + 2.091 + 1.495 = 7.610).
    for nis in [12025, 12021, 12014, 12026] {
        app.dossier_led_by(nis).await;
    }
    let (_, html) = dashboard_of(&app, OFFICIAL_B).await;
    let smallest = section(&html, "Kleinste samenwerking", "</p>");
    assert!(
        smallest.contains("Willebroek, Puurs-Sint-Amands en Bornem, samen 7.610"),
        "{smallest}"
    );
    assert!(
        smallest.contains("Voorgestelde trekker: Willebroek"),
        "{smallest}"
    );
    assert!(
        html.contains("Met 2 gemeenten lukt het niet"),
        "minimality is explained"
    );
    let excluded = section(&html, "Niet meegeteld omdat ze al in een aanvraag", "</p>");
    for name in ["Mechelen", "Lier", "Heist-op-den-Berg", "Nijlen"] {
        assert!(excluded.contains(name), "{excluded}");
    }
}

#[tokio::test]
async fn vgc_sees_the_partner_agreement_verdict() {
    let app = spawn_app().await;
    let (_, html) = dashboard_of(&app, VGC).await;
    assert!(html.contains("<h1>Vlaamse Gemeenschapscommissie (VGC)</h1>"));
    assert!(html.contains("Aparte overeenkomst"));
    assert!(
        !html.contains("Cijfers van"),
        "no municipal figures for a partner"
    );
    let call = section(&html, "Oproep: Provisie Samenleven 2022-2024", "</section>");
    assert!(call.contains("verdict pass"), "{call}");
    assert!(
        call.contains("valt onder een aparte overeenkomst"),
        "{call}"
    );
    assert!(call.contains("Start een dossier"));
    assert!(!call.contains("Kleinste samenwerking"));
}

#[tokio::test]
async fn poperinge_is_told_plainly_what_the_advisor_found() {
    let app = spawn_app().await;
    let (_, html) = dashboard_of(&app, POPERINGE).await;
    let call = section(&html, "Oproep: Provisie Samenleven 2022-2024", "</section>");
    assert!(call.contains("verdict fail"), "{call}");
    assert!(call.contains("Samen indienen"), "{call}");
    assert!(call.contains("Poperinge"), "{call}");
    assert!(!call.contains("Start een dossier"));
}

#[tokio::test]
async fn staff_and_visitors_cannot_open_the_officials_pages() {
    let app = spawn_app().await;
    for email in [REVIEWER, ADMIN] {
        let mut browser = app.signed_in(email).await;
        for path in ["/gemeente", "/dossiers"] {
            let (status, _) = browser.get(path).await;
            assert_eq!(status, 403, "{email} on {path}");
        }
    }
    let response = app.get("/gemeente").await;
    assert_eq!(response.status(), 303);
    assert_eq!(
        response
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok()),
        Some("/aanmelden?volgende=/gemeente")
    );
}

#[tokio::test]
async fn an_existing_dossier_is_linked_from_the_dashboard_and_listed() {
    let app = spawn_app().await;
    let id = app.dossier_led_by(11002).await;
    let link = format!("<a href=\"/dossiers/{id}\">PS-TEST-11002");

    let (mut browser, html) = dashboard_of(&app, OFFICIAL_A).await;
    let call = section(&html, "Oproep: Provisie Samenleven 2022-2024", "</section>");
    assert!(call.contains(&link), "{call}");
    assert!(call.contains("<strong>ontwerp</strong>"), "{call}");
    assert!(call.contains("als trekker"));
    assert!(!call.contains("Start een dossier"), "{call}");
    // Its own dossier does not count against it.
    assert!(
        call.contains("verdict pass") && !call.contains("verdict fail"),
        "{call}"
    );
    let steps = section(&html, "Wat moet u nu doen?", "</ul>");
    assert!(
        steps.contains("Werk uw dossier PS-TEST-11002 af en dien het in vóór"),
        "{steps}"
    );
    let mine = section(&html, "<h2>Uw dossiers</h2>", "</table>");
    assert!(mine.contains(&format!("<a href=\"/dossiers/{id}\">PS-TEST-11002</a>")));
    assert!(mine.contains("Testdossier Antwerpen"));

    let (status, list) = browser.get("/dossiers").await;
    assert_eq!(status, 200);
    assert_accessible(&list);
    assert!(list.contains("<h1>Dossiers van Antwerpen</h1>"));
    assert!(list.contains(&format!("<a href=\"/dossiers/{id}\">PS-TEST-11002</a>")));
    assert!(list.contains("ontwerp"));

    let mut other = app.signed_in(OFFICIAL_B).await;
    let (status, list) = other.get("/dossiers").await;
    assert_eq!(status, 200);
    assert!(
        !list.contains("PS-TEST-11002"),
        "another municipality's dossier"
    );
    assert!(list.contains("Willebroek zit nog in geen enkel dossier."));
}

#[tokio::test]
async fn an_invited_member_sees_the_cooperation_and_is_asked_to_answer() {
    let app = spawn_app().await;
    let id = app.dossier_led_by(12040).await;
    invite(&app, id, 12041).await;

    let (_, html) = dashboard_of(&app, PUURS).await;
    let call = section(&html, "Oproep: Provisie Samenleven 2022-2024", "</section>");
    assert!(
        call.contains(&format!("<a href=\"/dossiers/{id}\">PS-TEST-12040")),
        "{call}"
    );
    assert!(call.contains("deelnemer (uitgenodigd)"), "{call}");
    assert!(
        !call.contains("Kleinste samenwerking"),
        "no advice once in a dossier"
    );
    let steps = section(&html, "Wat moet u nu doen?", "</ul>");
    assert!(
        steps.contains(
            "Willebroek nodigt Puurs-Sint-Amands uit om deel te nemen aan dossier PS-TEST-12040"
        ),
        "{steps}"
    );
    let mine = section(&html, "<h2>Uw dossiers</h2>", "</table>");
    assert!(mine.contains("Willebroek") && mine.contains("deelnemer (uitgenodigd)"));
}

#[tokio::test]
async fn changes_requested_by_abb_become_the_next_step() {
    let app = spawn_app().await;
    let id = app.dossier_led_by(11002).await;
    let dossier = entity::application::Entity::find_by_id(id)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    let mut active: entity::application::ActiveModel = dossier.into();
    active.state = Set(entity::application::ApplicationState::ChangesRequested);
    active.update(&app.db).await.unwrap();
    let reviewer = crate::helpers::user_id(&app.db, REVIEWER).await;
    entity::change_request::ActiveModel {
        application_id: Set(id),
        requested_by: Set(reviewer),
        sections: Set("[\"kpis\"]".to_owned()),
        message: Set("Maak de streefwaarde van actie 2.10 meetbaar.".to_owned()),
        requested_at: Set(chrono::Utc::now()),
        resolved_at: Set(None),
        ..Default::default()
    }
    .insert(&app.db)
    .await
    .unwrap();

    let (_, html) = dashboard_of(&app, OFFICIAL_A).await;
    let steps = section(&html, "Wat moet u nu doen?", "</ul>");
    assert!(
        steps.contains(
            "ABB vroeg aanpassingen aan dossier PS-TEST-11002: „Maak de streefwaarde van actie 2.10 meetbaar.”"
        ),
        "{steps}"
    );
    assert!(html.contains("aanpassing gevraagd"));
}

/// Invites the municipality with `nis` as member of dossier `id`.
async fn invite(app: &TestApp, id: i64, nis: i32) {
    let municipality = entity::municipality::Entity::find()
        .filter(entity::municipality::Column::NisCode.eq(nis))
        .one(&app.db)
        .await
        .unwrap()
        .expect("municipality");
    let dossier = entity::application::Entity::find_by_id(id)
        .one(&app.db)
        .await
        .unwrap()
        .expect("dossier");
    entity::application_member::ActiveModel {
        application_id: Set(id),
        call_id: Set(dossier.call_id),
        municipality_id: Set(municipality.id),
        role: Set(entity::application_member::MemberRole::Member),
        consent_state: Set(entity::application_member::ConsentState::Invited),
        consent_at: Set(None),
        invited_at: Set(chrono::Utc::now()),
        version: Set(1),
        ..Default::default()
    }
    .insert(&app.db)
    .await
    .unwrap();
}
