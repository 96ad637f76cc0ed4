//! Journey 4: the submit journey with the keyboard only. Every step is a key press sent through
//! WebDriver actions: Tab and Shift+Tab to move, typing into fields, Enter on links and buttons,
//! Space on buttons and checkboxes, type-ahead in drop-down lists. Every element that takes the
//! focus must show it. The one exception is the choice of a file in the upload field: the
//! operating system's file dialog is outside the page, so the test tabs to the file field and then
//! hands it the file through WebDriver, as that dialog would.
//!
//! Error states with the keyboard: a form with an error opens with the focus on the error summary,
//! the first Tab reaches its link, and from there Tab leads on to the field to correct.

use fantoccini::key::Key;

use crate::harness::Env;
use crate::helpers::{DEMO_PASSWORD, OFFICIAL_A};
use crate::page::{Target, User};

/// Tabs to a field and types into it.
async fn type_into(user: &User, id: &str, text: &str) {
    user.tab_to(Target::Id(id)).await;
    user.type_text(text).await;
}

/// Tabs to a link or button and presses `key` on it, which opens a new page.
async fn activate(user: &User, target: Target<'_>, key: Key, label: &str) {
    user.tab_to(target).await;
    user.press_to_page(key, label).await;
}

pub async fn journey(env: Env) {
    let els = env.browser("antwerpen-toetsenbord").await;

    // The first Tab reaches the skip link, which leads into the content.
    els.visit("/", "start").await;
    els.press(Key::Tab).await;
    els.expect_focus(Target::Link("Naar de inhoud")).await;
    activate(&els, Target::Link("Aanmelden"), Key::Enter, "aanmelden").await;

    // Signing in: Enter in the password field submits the form.
    type_into(&els, "email", OFFICIAL_A).await;
    els.press(Key::Tab).await;
    els.expect_focus(Target::Id("password")).await;
    els.type_text(DEMO_PASSWORD).await;
    els.press_to_page(Key::Enter, "start-aangemeld").await;
    els.expect_text("Afmelden").await;

    activate(
        &els,
        Target::Link("Naar Mijn gemeente"),
        Key::Enter,
        "mijn-gemeente",
    )
    .await;
    activate(
        &els,
        Target::Button("Start een dossier"),
        Key::Space,
        "dossier-gestart",
    )
    .await;
    let dossier = els.dossier_id().await;

    // General information, with a mistake in the e-mail address that the keyboard user corrects
    // through the error summary.
    activate(
        &els,
        Target::Link("Algemene gegevens en contactpersoon"),
        Key::Enter,
        "algemene-gegevens",
    )
    .await;
    type_into(&els, "title", "Antwerpen met het toetsenbord").await;
    els.press(Key::Tab).await;
    els.expect_focus(Target::Id("summary")).await;
    els.type_text("Een dossier dat volledig met het toetsenbord is ingevuld.")
        .await;
    type_into(&els, "contact_name", "Els Verbeke").await;
    type_into(&els, "contact_email", "els.verbeke.antwerpen.test").await;
    type_into(&els, "contact_phone", "03 123 45 67").await;
    // Back with Shift+Tab to check the address: it stays as typed, the server will judge it.
    els.shift_tab_to(Target::Id("contact_email")).await;
    els.expect_focus(Target::Id("contact_email")).await;
    activate(
        &els,
        Target::Button("Bewaren"),
        Key::Enter,
        "algemene-gegevens-fouten",
    )
    .await;
    els.expect_error("Vul een geldig e-mailadres in").await;
    els.expect_focus(Target::Css(".error-summary")).await;
    els.press(Key::Tab).await;
    els.expect_focus(Target::Link("Vul een geldig e-mailadres in"))
        .await;
    // Enter on the link scrolls to the field (Chromium leaves the focus on the link); the field
    // is the next stop of Tab from there.
    els.press(Key::Enter).await;
    els.tab_to(Target::Id("contact_email")).await;
    els.retype("samenleven@antwerpen.test").await;
    activate(
        &els,
        Target::Button("Bewaren"),
        Key::Enter,
        "dossier-algemeen-bewaard",
    )
    .await;
    els.expect_text("Algemene gegevens bewaard.").await;

    // A reach line of the table, reached with the Tab key, then its details.
    activate(
        &els,
        Target::Link("Acties uit de oproep"),
        Key::Enter,
        "acties",
    )
    .await;
    els.tab_to(Target::Label("Huidig bereik, lijn 4.3 ")).await;
    els.type_text("0").await;
    els.tab_to(Target::Label("Gepland bijkomend bereik, lijn 4.3 "))
        .await;
    els.type_text("1").await;
    els.tab_to(Target::Label("Prioriteit, lijn 4.3 ")).await;
    els.type_text("1").await;
    activate(
        &els,
        Target::Button("Tabel bewaren"),
        Key::Enter,
        "tabel-bewaard",
    )
    .await;
    els.expect_text("De tabel is bewaard").await;
    activate(
        &els,
        Target::Link("Details van lijn 4.3"),
        Key::Enter,
        "actie",
    )
    .await;
    type_into(&els, "own_contribution", "25.000,00").await;
    type_into(
        &els,
        "description",
        "Een lokaal actieplan, met het toetsenbord beschreven.",
    )
    .await;
    activate(
        &els,
        Target::Button("Actie bewaren"),
        Key::Enter,
        "actie-bewaard",
    )
    .await;
    els.expect_text("€ 25.000,00").await;
    activate(
        &els,
        Target::Link("Dossier PS-"),
        Key::Enter,
        "dossier-overzicht",
    )
    .await;

    // Attachments: the kind by type-ahead, the file field reached with Tab.
    activate(&els, Target::Link("Bijlagen"), Key::Enter, "bijlagen").await;
    for (kind, file) in [
        ("Beslissing", "collegebesluit.pdf"),
        ("Begroting", "begroting.xlsx"),
    ] {
        els.tab_to(Target::Id("kind")).await;
        els.type_text(kind).await;
        els.press(Key::Tab).await;
        els.expect_focus(Target::Id("file")).await;
        els.attach("file", &env.fixture(file)).await;
        activate(
            &els,
            Target::Button("Bijlage toevoegen"),
            Key::Enter,
            "bijlage-toegevoegd",
        )
        .await;
        els.expect_text(file).await;
    }
    els.expect_text("Alle verplichte bijlagen zijn toegevoegd")
        .await;
    activate(
        &els,
        Target::Link("Terug naar dossier"),
        Key::Enter,
        "dossier-overzicht",
    )
    .await;

    // Declarations: Space ticks each box.
    activate(
        &els,
        Target::Link("Verklaringen"),
        Key::Enter,
        "verklaringen",
    )
    .await;
    for id in ["truthful", "mandate", "cofinancing"] {
        els.tab_to(Target::Id(id)).await;
        els.press(Key::Space).await;
    }
    activate(
        &els,
        Target::Button("Bewaren"),
        Key::Enter,
        "verklaringen-bewaard",
    )
    .await;
    els.expect_text("Verklaringen bewaard.").await;

    // Check and submit with Space on the button.
    activate(
        &els,
        Target::Link("Controleren en indienen"),
        Key::Enter,
        "controle",
    )
    .await;
    activate(
        &els,
        Target::Button("Dossier indienen"),
        Key::Space,
        "bevestiging",
    )
    .await;
    els.expect_text("Dossier ingediend").await;
    assert!(
        els.path().await == format!("/dossiers/{dossier}/bevestiging"),
        "the keyboard journey ends on the confirmation page"
    );
    assert!(
        env.app
            .smtp
            .wait_until(
                |m| m.to.contains(&OFFICIAL_A.to_owned()) && m.body().contains("is ingediend")
            )
            .await,
        "the confirmation e-mail was sent"
    );
    els.close().await;
}
