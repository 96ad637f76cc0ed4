//! The journeys of issue 10, and the steps they share. Each step is what a person does on a
//! page: fill in fields, press a button, read what comes back.

mod keyboard;
mod oidc;
mod pooled;
mod review;
mod rounds;
mod single;

use crate::harness::{Env, Journey};
use crate::helpers::DEMO_PASSWORD;
use crate::page::{Target, User};

pub fn all() -> Vec<Journey> {
    // The longest first, so that two at a time finish together.
    vec![
        Journey {
            name: "a_reviewer_goes_from_the_inbox_through_a_decision_to_an_accepted_year_report",
            tag: "3-review",
            run: |env| Box::pin(review::journey(env)),
            app: None,
        },
        Journey {
            name: "a_single_municipality_goes_from_login_to_a_submitted_dossier",
            tag: "1-single",
            run: |env| Box::pin(single::journey(env)),
            app: None,
        },
        Journey {
            name: "a_pooled_dossier_is_submitted_once_both_members_consented",
            tag: "2-pooled",
            run: |env| Box::pin(pooled::journey(env)),
            app: None,
        },
        Journey {
            name: "a_later_round_takes_new_municipalities_a_new_amount_and_a_new_member",
            tag: "6-rounds",
            run: |env| Box::pin(rounds::journey(env)),
            app: None,
        },
        Journey {
            name: "an_official_submits_a_dossier_with_the_keyboard_only",
            tag: "4-keyboard",
            run: |env| Box::pin(keyboard::journey(env)),
            app: None,
        },
        Journey {
            name: "an_official_a_reviewer_and_an_admin_sign_in_through_the_flemish_government",
            tag: "5-oidc",
            run: |env| Box::pin(oidc::journey(env)),
            app: Some(|base| Box::pin(oidc::app(base))),
        },
    ]
}

/// Signs in from the login page and lands on the start page.
pub async fn sign_in(user: &User, email: &str) {
    user.visit("/aanmelden", "aanmelden").await;
    user.fill("email", email).await;
    user.fill("password", DEMO_PASSWORD).await;
    user.click(Target::Button("Aanmelden"), "start-aangemeld")
        .await;
    user.expect_text("Afmelden").await;
}

/// The general section, filled in correctly, from the dossier's overview.
pub async fn fill_general(user: &User, title: &str, contact: &str) {
    user.click(
        Target::Link("Algemene gegevens en contactpersoon"),
        "algemene-gegevens",
    )
    .await;
    user.fill("title", title).await;
    user.fill(
        "summary",
        "Taal, ontmoeting en werk voor nieuwkomers, samen met vaste partners.",
    )
    .await;
    user.fill("contact_name", "Contactpersoon Samenleven").await;
    user.fill("contact_email", contact).await;
    user.fill("contact_phone", "03 123 45 67").await;
    user.click(Target::Button("Bewaren"), "dossier-algemeen-bewaard")
        .await;
    user.expect_text("Algemene gegevens bewaard.").await;
}

/// Takes reach line `code` in the actions table (planned additional reach 1, priority
/// `priority`), saves the table, then opens the line's details and saves its own contribution
/// and description; ends on the line's page.
pub async fn add_action(user: &User, code: &str, own_contribution: &str, description: &str) {
    add_line(user, code, "1", own_contribution, description).await;
}

/// [`add_action`] with a priority of choice.
pub async fn add_line(
    user: &User,
    code: &str,
    priority: &str,
    own_contribution: &str,
    description: &str,
) {
    user.click(Target::Link("Acties uit de oproep"), "acties")
        .await;
    user.fill_labelled(&format!("Huidig bereik, lijn {code} "), "0")
        .await;
    user.fill_labelled(&format!("Gepland bijkomend bereik, lijn {code} "), "1")
        .await;
    user.fill_labelled(&format!("Prioriteit, lijn {code} "), priority)
        .await;
    user.click(Target::Button("Tabel bewaren"), "tabel-bewaard")
        .await;
    user.expect_text("De tabel is bewaard").await;
    user.click(
        Target::Link(&format!("Details van lijn {code}")),
        "lijn-details",
    )
    .await;
    user.fill("own_contribution", own_contribution).await;
    user.fill("description", description).await;
    user.click(Target::Button("Actie bewaren"), "actie-bewaard")
        .await;
}

/// Back to the dossier's overview through the link in the page header.
pub async fn to_overview(user: &User, dossier: &str) {
    user.click(
        Target::Css(&format!("main a[href='/dossiers/{dossier}']")),
        "dossier-overzicht",
    )
    .await;
}

/// The two required attachments, uploaded through the file input from the overview.
pub async fn attach_required(env: &Env, user: &User) {
    user.click(Target::Link("Bijlagen"), "bijlagen").await;
    user.choose("kind", "council_decision").await;
    user.attach("file", &env.fixture("collegebesluit.pdf"))
        .await;
    user.click(
        Target::Button("Bijlage toevoegen"),
        "bijlage-pdf-toegevoegd",
    )
    .await;
    user.expect_text("collegebesluit.pdf").await;
    user.choose("kind", "budget_sheet").await;
    user.attach("file", &env.fixture("begroting.xlsx")).await;
    user.click(
        Target::Button("Bijlage toevoegen"),
        "bijlage-xlsx-toegevoegd",
    )
    .await;
    user.expect_text("begroting.xlsx").await;
    user.expect_text("Alle verplichte bijlagen zijn toegevoegd")
        .await;
}

/// The declarations, all three ticked, from the overview; ends on the overview.
pub async fn declare(user: &User) {
    user.click(Target::Link("Verklaringen"), "verklaringen")
        .await;
    for id in ["truthful", "mandate", "cofinancing"] {
        user.tick(id).await;
    }
    user.click(Target::Button("Bewaren"), "verklaringen-bewaard")
        .await;
    user.expect_text("Verklaringen bewaard.").await;
}

/// Check and submit from the overview; ends on the confirmation page and returns the
/// dossier's reference.
pub async fn check_and_submit(user: &User) -> String {
    user.click(Target::Link("Controleren en indienen"), "controle")
        .await;
    user.click(Target::Button("Dossier indienen"), "bevestiging")
        .await;
    user.expect_text("Dossier ingediend").await;
    let reference = user
        .find(Target::Css(".panel-confirmation .reference"))
        .await
        .text()
        .await
        .unwrap_or_default();
    assert!(
        reference.starts_with("PS-"),
        "{}: the confirmation shows the reference, not {reference:?}",
        user.who
    );
    reference
}
