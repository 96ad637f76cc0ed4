//! Journey 1: Antwerpen (demo official Els Verbeke) from the login page to a submitted dossier,
//! through every section, with the error states a person meets on the way: a wrong password,
//! a general section with bad input, an unreadable amount, a KPI without indicator, an upload
//! without a file, declarations not ticked. Each comes back with the error summary and the typed
//! values.

use crate::harness::Env;
use crate::helpers::{DEMO_PASSWORD, OFFICIAL_A};
use crate::journeys::{attach_required, check_and_submit, declare, to_overview};
use crate::page::Target;

pub async fn journey(env: Env) {
    let els = env.browser("antwerpen").await;

    // The start page, then signing in: a wrong password first.
    els.visit("/", "start").await;
    els.click(Target::Css("a.button[href='/aanmelden']"), "aanmelden")
        .await;
    els.fill("email", OFFICIAL_A).await;
    els.fill("password", "niet-het-wachtwoord").await;
    els.click(Target::Button("Aanmelden"), "aanmelden-fout")
        .await;
    els.expect_error("Het e-mailadres of het wachtwoord is niet juist.")
        .await;
    assert_eq!(els.value("email").await, OFFICIAL_A, "the e-mail is kept");
    els.fill("password", DEMO_PASSWORD).await;
    els.click(Target::Button("Aanmelden"), "start-aangemeld")
        .await;
    els.click(Target::Link("Naar Mijn gemeente"), "mijn-gemeente")
        .await;
    els.expect_text("Antwerpen").await;
    els.click(Target::Button("Start een dossier"), "dossier-gestart")
        .await;
    els.expect_text("Onderdelen").await;
    let dossier = els.dossier_id().await;

    // General information: bad input comes back with the summary and every typed value.
    els.click(
        Target::Link("Algemene gegevens en contactpersoon"),
        "algemene-gegevens",
    )
    .await;
    els.fill("title", "").await;
    els.fill(
        "summary",
        "Taal, ontmoeting en werk voor nieuwkomers in alle districten.",
    )
    .await;
    els.fill("contact_name", "Els Verbeke").await;
    els.fill("contact_email", "els.verbeke-at-antwerpen").await;
    els.fill("contact_phone", "03 123 45 67").await;
    els.click(Target::Button("Bewaren"), "algemene-gegevens-fouten")
        .await;
    els.expect_error("Vul een geldig e-mailadres in").await;
    els.expect_error("Vul een titel in.").await;
    assert_eq!(els.value("contact_email").await, "els.verbeke-at-antwerpen");
    assert_eq!(
        els.value("summary").await,
        "Taal, ontmoeting en werk voor nieuwkomers in alle districten."
    );
    assert_eq!(els.value("contact_name").await, "Els Verbeke");
    els.fill("title", "Samen sterker in Antwerpen").await;
    els.fill("contact_email", "samenleven@antwerpen.test").await;
    els.click(Target::Button("Bewaren"), "dossier-algemeen-bewaard")
        .await;
    els.expect_text("Algemene gegevens bewaard.").await;

    // The table of reach lines: a word for a number and a reach above the line's maximum
    // first; both come back with the typed values and say how to fix them.
    els.click(Target::Link("Acties uit de oproep"), "acties")
        .await;
    els.expect_text("Bijdrage Vlaanderen per eenheid").await;
    els.expect_text("volwassen anderstaligen").await;
    els.fill_labelled("Huidig bereik, lijn 4.3 ", "0").await;
    els.fill_labelled("Gepland bijkomend bereik, lijn 4.3 ", "twee")
        .await;
    els.fill_labelled("Prioriteit, lijn 4.3 ", "1").await;
    els.fill_labelled("Gepland bijkomend bereik, lijn 1.4 ", "3000")
        .await;
    els.fill_labelled("Prioriteit, lijn 1.4 ", "2").await;
    els.click(Target::Button("Tabel bewaren"), "tabel-fouten")
        .await;
    els.expect_error("Lijn 4.3: Gepland bijkomend bereik").await;
    els.expect_error("Lijn 1.4: Het geplande bijkomende bereik is hoogstens 2.250")
        .await;
    assert_eq!(
        els.value_of(Target::Label("Gepland bijkomend bereik, lijn 4.3 "))
            .await,
        "twee"
    );
    els.fill_labelled("Gepland bijkomend bereik, lijn 4.3 ", "1")
        .await;
    els.fill_labelled("Gepland bijkomend bereik, lijn 1.4 ", "")
        .await;
    els.fill_labelled("Prioriteit, lijn 1.4 ", "").await;
    els.click(Target::Button("Tabel bewaren"), "tabel-bewaard")
        .await;
    els.expect_text("De tabel is bewaard: 1 lijn opgenomen")
        .await;
    els.expect_text("€ 25.000,00").await;

    // The line's details: an unreadable own contribution first.
    els.click(Target::Link("Details van lijn 4.3"), "actie")
        .await;
    els.fill("own_contribution", "vijfentwintigduizend").await;
    els.fill(
        "description",
        "Een lokaal actieplan tegen polarisatie, met vaste partners in elk district.",
    )
    .await;
    els.click(Target::Button("Actie bewaren"), "actie-fouten")
        .await;
    els.expect_error("Eigen inbreng").await;
    assert_eq!(els.value("own_contribution").await, "vijfentwintigduizend");
    assert_eq!(
        els.value("description").await,
        "Een lokaal actieplan tegen polarisatie, met vaste partners in elk district."
    );
    els.fill("own_contribution", "15.000,00").await;
    els.fill("own_staff", "10.000,00").await;
    els.click(Target::Button("Actie bewaren"), "actie-bewaard")
        .await;
    els.expect_text("€ 25.000,00").await;

    // A KPI of its own: without indicator and with a word for the baseline first.
    els.fill("indicator", "").await;
    els.fill("unit", "personen").await;
    els.fill("baseline", "tien").await;
    els.fill("target", "30").await;
    els.fill("measurement", "Aanwezigheidslijsten").await;
    els.click(Target::Button("KPI toevoegen"), "kpi-fouten")
        .await;
    els.expect_error("Vul de indicator in.").await;
    assert_eq!(els.value("baseline").await, "tien");
    assert_eq!(els.value("measurement").await, "Aanwezigheidslijsten");
    els.fill("indicator", "Deelnemers die na 6 maanden nog actief zijn")
        .await;
    els.fill("baseline", "10").await;
    els.fill_date("target_date", 2023, 9, 30).await;
    els.click(Target::Button("KPI toevoegen"), "kpi-toegevoegd")
        .await;
    els.expect_text("Deelnemers die na 6 maanden nog actief zijn")
        .await;

    // The budget follows from the actions.
    to_overview(&els, &dossier).await;
    els.click(Target::Link("Begroting"), "begroting").await;
    els.expect_text("€ 25.000,00").await;
    to_overview(&els, &dossier).await;

    // Attachments: pressing the button without a file first.
    els.click(Target::Link("Bijlagen"), "bijlagen").await;
    els.click(Target::Button("Bijlage toevoegen"), "bijlagen-fouten")
        .await;
    els.expect_error("Kies de soort bijlage.").await;
    els.click(Target::Link("Terug naar dossier"), "dossier-overzicht")
        .await;
    attach_required(&env, &els).await;
    els.click(Target::Link("Terug naar dossier"), "dossier-overzicht")
        .await;

    // Declarations: saving without ticking them first.
    els.click(Target::Link("Verklaringen"), "verklaringen")
        .await;
    els.click(Target::Button("Bewaren"), "verklaringen-fouten")
        .await;
    els.expect_error("Vink deze verklaring aan").await;
    els.click(
        Target::Css(&format!("main a[href='/dossiers/{dossier}']")),
        "dossier-overzicht",
    )
    .await;
    declare(&els).await;

    // Check, submit, the confirmation page and the confirmation e-mail.
    let reference = check_and_submit(&els).await;
    assert!(
        env.app
            .smtp
            .wait_until(|m| m.to.contains(&OFFICIAL_A.to_owned())
                && m.body().contains(&reference)
                && m.body().contains("is ingediend"))
            .await,
        "the confirmation e-mail for {reference} reached the SMTP catcher"
    );
    assert!(
        env.app
            .smtp
            .wait_until(|m| m.to.contains(&"samenleven@antwerpen.test".to_owned()))
            .await,
        "the contact person is told too"
    );
    els.click(
        Target::Link("Afdrukbare versie van uw dossier"),
        "afdrukbare-versie",
    )
    .await;
    els.expect_text("Samen sterker in Antwerpen").await;
    els.close().await;
}
