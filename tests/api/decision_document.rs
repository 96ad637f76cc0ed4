//! Issue 22, the formal decision: the municipality reaches its decision from "Mijn gemeente" and
//! its dossier, reads the amounts per action and project year, the payment schedule, the
//! motivation, the legal basis and the appeal route (marked illustrative) and the signatory's
//! role, prints it, and downloads the same decision as a PDF the app generates. Nobody else
//! reaches it; a rejection shows no amounts; a reopened decision says so.

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

use samenleven::domain::time::{brussels_date, date_long};

use crate::followup::{Spec, approved};
use crate::helpers::{ADMIN, OFFICIAL_A, OFFICIAL_B, REVIEWER, TestApp, spawn_app};

const ANTWERPEN: i32 = 11002;
const WILLEBROEK: i32 = 12040;
const PUURS_SINT_AMANDS: i32 = 12041;
const MARK: &str = "illustratief: nog door ABB te bevestigen";

/// Antwerpen's dossier for project years 1 and 2, action 2.1 asked € 100.000 a year and granted
/// € 80.000 a year. Returns its id.
async fn antwerpen_partly_approved(app: &TestApp) -> i64 {
    let spec = Spec {
        code: "4.3",
        planned: 4,
        requested: 10_000_000,
        granted: "80.000,00",
        extra: None,
    };
    approved(app, ANTWERPEN, &[], 2, &[spec]).await.id
}

/// The day of the dossier's latest decision, as the decision writes it (`5 december 2026`).
async fn decision_day(app: &TestApp, dossier: i64) -> String {
    let decision = entity::decision::Entity::find()
        .filter(entity::decision::Column::ApplicationId.eq(dossier))
        .order_by_desc(entity::decision::Column::Id)
        .one(&app.db)
        .await
        .unwrap()
        .expect("a decision");
    date_long(brussels_date(decision.decided_at))
}

/// The PDF's bytes read as Latin-1: WinAnsi text comes out as one character per byte (€ is
/// U+0080).
fn latin1(bytes: &[u8]) -> String {
    bytes.iter().map(|b| char::from(*b)).collect()
}

#[tokio::test]
async fn the_municipality_reaches_its_decision_by_clicking_and_reads_amounts_schedule_and_appeal() {
    let app = spawn_app().await;
    let id = antwerpen_partly_approved(&app).await;
    let letter = format!("/dossiers/{id}/beslissing");
    let mut official = app.signed_in(OFFICIAL_A).await;

    // "Mijn gemeente" and the dossier page both lead to the decision.
    let (_, dashboard) = official.get("/gemeente").await;
    assert!(dashboard.contains(&format!("href=\"{letter}\">Beslissing lezen")));
    let (_, dossier) = official.get(&format!("/dossiers/{id}")).await;
    assert!(dossier.contains(&format!("href=\"{letter}\">Beslissing lezen")));

    let (status, html) = official.get(&letter).await;
    assert_eq!(status, 200);
    let day = decision_day(&app, id).await;
    for expected in [
        "Agentschap Binnenlands Bestuur",
        "Beslissing over dossier PS-OPV-11002",
        "Gemeente Antwerpen",
        day.as_str(),
        "<dt>Uitkomst</dt><dd><strong>gedeeltelijk goedgekeurd</strong></dd>",
        "keurt het dossier PS-OPV-11002 van Antwerpen gedeeltelijk goed en kent een subsidie toe van € 160.000,00 in totaal.",
        // The amounts per action and project year.
        "Projectjaar 1",
        "Projectjaar 2",
        "4.3 ",
        "€ 100.000,00",
        "€ 80.000,00",
        "Totaal toegekend",
        "€ 160.000,00",
        "Goedgekeurd voor de opvolgingstest.",
        // The payment schedule: 80% advance, the rest after the year report.
        "voorschot van 80%",
        "Voorschot projectjaar 1",
        "Saldo projectjaar 1",
        "Voorschot projectjaar 2",
        "Saldo projectjaar 2",
        "€ 64.000,00",
        "€ 16.000,00",
        "na goedkeuring van het jaarrapport (in te dienen uiterlijk",
        // The texts of the call, marked illustrative.
        "Rechtsgrond",
        "Horizontaal Integratie- en Gelijke Kansenbeleidsplan 2020-2024",
        "<h2>Beroep</h2>",
        "Raad van State",
        "Ondertekening",
        "De administrateur-generaal van het Agentschap Binnenlands Bestuur",
        // Printing and the PDF.
        "Afdrukken",
        &format!("href=\"{letter}.pdf\">Download als PDF"),
    ] {
        assert!(html.contains(expected), "{expected:?} on the decision page");
    }
    assert_eq!(
        html.matches(MARK).count(),
        3,
        "legal basis, appeal, signatory"
    );
    assert!(!html.contains("Heropend"), "a standing decision");
    // The signatory is a role: the reviewer who decided is not named.
    let reviewer = entity::app_user::Entity::find()
        .filter(entity::app_user::Column::Email.eq(REVIEWER))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert!(
        !html.contains(&reviewer.name),
        "no personal name on the decision"
    );

    // The print view of the dossier links the decision.
    let (status, print) = official.get(&format!("/dossiers/{id}/afdrukken")).await;
    assert_eq!(status, 200);
    assert!(print.contains(&format!("href=\"{letter}\"")));
    assert!(print.contains(&format!("ABB besliste over dit dossier op {day}")));
}

#[tokio::test]
async fn the_pdf_is_an_attachment_named_after_the_reference_with_the_amounts_and_the_appeal() {
    let app = spawn_app().await;
    let id = antwerpen_partly_approved(&app).await;
    let official = app.signed_in(OFFICIAL_A).await;
    let response = official
        .client
        .get(format!("{}/dossiers/{id}/beslissing.pdf", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    assert_eq!(header("content-type"), "application/pdf");
    assert_eq!(
        header("content-disposition"),
        "attachment; filename=\"beslissing-PS-OPV-11002.pdf\""
    );
    let body = latin1(&response.bytes().await.unwrap());
    assert!(body.starts_with("%PDF-1.4"));
    assert!(body.trim_end().ends_with("%%EOF"));
    for expected in [
        "(PS-OPV-11002) Tj",
        "(Gemeente Antwerpen) Tj",
        "(\u{80} 80.000,00) Tj",
        "(\u{80} 160.000,00) Tj",
        "(\u{80} 64.000,00) Tj",
        "(Beroep) Tj",
        "(Rechtsgrond) Tj",
        "([illustratief: nog door ABB te bevestigen]) Tj",
        "(De administrateur-generaal van het Agentschap Binnenlands Bestuur) Tj",
        "(pagina 1 van ",
        "/Encoding /WinAnsiEncoding",
    ] {
        assert!(body.contains(expected), "{expected:?} in the PDF");
    }
}

#[tokio::test]
async fn another_municipality_and_anonymous_visitors_do_not_reach_the_decision() {
    let app = spawn_app().await;
    let id = antwerpen_partly_approved(&app).await;
    let mut willebroek = app.signed_in(OFFICIAL_B).await;
    let (status, _) = willebroek.get(&format!("/dossiers/{id}/beslissing")).await;
    assert_eq!(status, 404);
    let (status, body) = willebroek
        .get(&format!("/dossiers/{id}/beslissing.pdf"))
        .await;
    assert_eq!(status, 404);
    assert!(!body.contains("%PDF"));
    let (_, dashboard) = willebroek.get("/gemeente").await;
    assert!(!dashboard.contains(&format!("/dossiers/{id}/beslissing")));

    let mut anonymous = app.browser();
    let (status, body) = anonymous
        .get(&format!("/dossiers/{id}/beslissing.pdf"))
        .await;
    assert_eq!(status, 303, "sent to sign in");
    assert!(!body.contains("%PDF"));

    // ABB reads the same decision.
    let mut reviewer = app.signed_in(REVIEWER).await;
    let (status, html) = reviewer.get(&format!("/dossiers/{id}/beslissing")).await;
    assert_eq!(status, 200);
    assert!(html.contains("Beslissing over dossier PS-OPV-11002"));
    // A dossier without a decision has none to read.
    let draft = app.dossier_led_by(11001).await;
    let (status, _) = reviewer.get(&format!("/dossiers/{draft}/beslissing")).await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn a_cooperation_decision_is_addressed_to_the_lead_and_names_its_members() {
    let app = spawn_app().await;
    let spec = Spec {
        code: "4.3",
        planned: 2,
        requested: 5_000_000,
        granted: "50.000,00",
        extra: None,
    };
    let f = approved(&app, WILLEBROEK, &[PUURS_SINT_AMANDS], 1, &[spec]).await;
    let mut official = app.signed_in(OFFICIAL_B).await;
    let (status, html) = official
        .get(&format!("/dossiers/{}/beslissing", f.id))
        .await;
    assert_eq!(status, 200);
    assert!(html.contains("Gemeente Willebroek, trekker van de samenwerking"));
    assert!(html.contains("<dt>Deelnemende gemeenten</dt><dd>Puurs-Sint-Amands</dd>"));
    // The total is the grant and the incentive the decision recorded, and the schedule pays it.
    let decision = entity::decision::Entity::find()
        .filter(entity::decision::Column::ApplicationId.eq(f.id))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        decision.total_granted_cents,
        5_000_000 + decision.incentive_cents
    );
    let total = samenleven::domain::Cents::new(decision.total_granted_cents)
        .unwrap()
        .to_string();
    assert!(
        html.contains(&format!("<strong>{total}</strong>")),
        "{total}"
    );
    assert!(html.contains(&format!(
        "<th scope=\"row\">Totaal</th><td class=\"num\">{total}</td>"
    )));
    if decision.incentive_cents > 0 {
        assert!(html.contains("Incentive voor de samenwerking"));
    }
}

#[tokio::test]
async fn a_reopened_decision_says_so_and_a_rejection_shows_no_amounts() {
    let app = spawn_app().await;
    let id = antwerpen_partly_approved(&app).await;
    let letter = format!("/dossiers/{id}/beslissing");

    let mut admin = app.signed_in(ADMIN).await;
    admin.get(&format!("/beoordeling/{id}")).await;
    let response = admin
        .post(
            &format!("/beoordeling/{id}/heropenen"),
            &[("reason", "Bedragen worden herzien.")],
        )
        .await;
    assert_eq!(response.status(), 303);
    let mut official = app.signed_in(OFFICIAL_A).await;
    let (status, html) = official.get(&letter).await;
    assert_eq!(status, 200);
    assert!(html.contains("<strong>Heropend.</strong>"));
    assert!(html.contains("heropend en geldt niet meer"));
    assert!(html.contains("Reden: Bedragen worden herzien."));
    assert!(html.contains("€ 80.000,00"), "the amounts it had");
    assert!(!html.contains("Betalingskalender"), "nothing is paid on it");

    // ABB now rejects the dossier.
    let mut reviewer = app.signed_in(REVIEWER).await;
    reviewer.get(&format!("/beoordeling/{id}")).await;
    let response = reviewer
        .post(
            &format!("/beoordeling/{id}/beslissing"),
            &[
                ("outcome", "reject"),
                ("motivation", "Het plan sluit niet aan bij de oproep."),
            ],
        )
        .await;
    assert_eq!(response.status(), 303);
    // Another member of ABB confirms it (four eyes).
    let confirmed = crate::helpers::confirm_decision(&app, id, ADMIN).await;
    assert_eq!(confirmed.status(), 303);
    let (status, html) = official.get(&letter).await;
    assert_eq!(status, 200);
    for expected in [
        "wijst het dossier PS-OPV-11002 van Antwerpen af.",
        "<strong>afgewezen</strong>",
        "Het plan sluit niet aan bij de oproep.",
        "Rechtsgrond",
        "<h2>Beroep</h2>",
        "Raad van State",
        "De administrateur-generaal",
    ] {
        assert!(html.contains(expected), "{expected:?} in the rejection");
    }
    assert!(!html.contains("Heropend"), "the new decision stands");
    assert!(!html.contains("Toegekende subsidie"), "no amounts");
    assert!(!html.contains("€ 80.000,00"), "no amounts");
    assert!(!html.contains("Betalingskalender"), "no payments");

    let body = latin1(
        &official
            .client
            .get(format!("{}{letter}.pdf", app.address))
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap(),
    );
    assert!(body.contains("(Beroep) Tj"));
    assert!(!body.contains("80.000,00"));
}

#[tokio::test]
async fn a_call_seeded_before_the_decision_texts_gets_them_once_and_keeps_texts_set_since() {
    let app = spawn_app().await;
    let call = |app: &TestApp| {
        let db = app.db.clone();
        async move {
            entity::call::Entity::find()
                .filter(entity::call::Column::Code.eq("PS-2022-2024"))
                .one(&db)
                .await
                .unwrap()
                .unwrap()
        }
    };
    let seeded = call(&app).await;
    assert!(seeded.legal_basis.is_some() && seeded.legal_basis_illustrative);
    assert!(seeded.appeal_route.is_some() && seeded.appeal_route_illustrative);
    assert!(seeded.signatory_role.is_some() && seeded.signatory_role_illustrative);

    // A database from before the texts: the next start fills them in.
    crate::helpers::exec(
        &app,
        "UPDATE \"call\" SET legal_basis = NULL, appeal_route = NULL, signatory_role = NULL \
         WHERE code = 'PS-2022-2024'",
    )
    .await;
    samenleven::seed::load_reference(&app.db).await.unwrap();
    let filled = call(&app).await;
    assert_eq!(filled.legal_basis, seeded.legal_basis);
    assert_eq!(filled.signatory_role, seeded.signatory_role);

    // A text ABB set since is never overwritten by the seed.
    crate::helpers::exec(
        &app,
        "UPDATE \"call\" SET legal_basis = 'Bevestigd door ABB' WHERE code = 'PS-2022-2024'",
    )
    .await;
    samenleven::seed::load_reference(&app.db).await.unwrap();
    assert_eq!(
        call(&app).await.legal_basis.as_deref(),
        Some("Bevestigd door ABB")
    );
}
