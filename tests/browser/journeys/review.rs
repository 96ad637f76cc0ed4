//! Journey 3: ABB's side, from the inbox to an accepted year report. Antwerpen submits a
//! dossier for two project years; reviewer 1 finds it in the inbox, takes it, asks for changes
//! to the actions (first forgetting to name a section) with a deadline for the answer; Antwerpen
//! sees the deadline, sends ABB a message from its dossier, changes the action and resubmits
//! with a cover note (first forgetting it); the reviewer reads the message, the cover note and
//! what changed in Dutch, proposes the allocation of the project year, the admin confirms it,
//! and the reviewer proposes the decision (first above the request), sees that they cannot
//! confirm it themselves, and the admin confirms it (four eyes); Antwerpen reads the decision
//! from its dossier and downloads the PDF.
//!
//! Then the follow-up (issue 8): Antwerpen opens its follow-up page from its dashboard and files
//! the interim report of project year 1 (a missed target without motivation is refused first,
//! with the typed value kept); the reviewer accepts it on `/opvolging` (first without choosing),
//! the continuation proposal for project year 2 appears (stop, at 20%) and the reviewer gives a
//! positive review (first without its reason). Antwerpen files the year report with the keyboard
//! only (a missed target with its motivation, saved as a draft, an upload without a file, then a
//! participants' list through the file input, then submitted); the reviewer accepts it and its
//! motivation with the keyboard (first without choosing), and the balance appears
//! on ABB's payment list `/opvolging/betalingen`, where the reviewer approves it, and on
//! Antwerpen's follow-up page.

use fantoccini::key::Key;

use crate::harness::Env;
use crate::helpers::{ADMIN, OFFICIAL_A, REVIEWER};
use crate::journeys::{
    add_action, attach_required, check_and_submit, declare, fill_general, sign_in, to_overview,
};
use crate::page::{Target, User};

pub async fn journey(env: Env) {
    // Antwerpen submits the dossier the reviewer will handle.
    let official = env.browser("antwerpen").await;
    sign_in(&official, OFFICIAL_A).await;
    official
        .click(Target::Link("Mijn gemeente"), "mijn-gemeente")
        .await;
    official
        .click(Target::Button("Start een dossier"), "dossier-gestart")
        .await;
    let dossier = official.dossier_id().await;
    fill_general(
        &official,
        "Samen sterker in Antwerpen",
        "samenleven@antwerpen.test",
    )
    .await;
    // Two project years, so that the interim report of year 1 decides on year 2.
    official
        .click(
            Target::Link("Algemene gegevens en contactpersoon"),
            "algemene-gegevens",
        )
        .await;
    official.choose("last_project_year", "2").await;
    official
        .click(Target::Button("Bewaren"), "dossier-algemeen-bewaard")
        .await;
    official.expect_text("Algemene gegevens bewaard.").await;
    add_action(
        &official,
        "4.3",
        "25.000,00",
        "Eerste versie van de aanpak.",
    )
    .await;
    to_overview(&official, &dossier).await;
    attach_required(&env, &official).await;
    official
        .click(Target::Link("Terug naar dossier"), "dossier-overzicht")
        .await;
    declare(&official).await;
    let reference = check_and_submit(&official).await;

    // The reviewer finds it in the inbox, takes it and starts the review.
    let reviewer = env.browser("beoordelaar1").await;
    sign_in(&reviewer, REVIEWER).await;
    reviewer
        .click(Target::Link("Naar de beoordeling"), "beoordeling-inbox")
        .await;
    reviewer.fill("zoek", "Antwerpen").await;
    reviewer
        .click(Target::Button("Toon"), "beoordeling-inbox-gefilterd")
        .await;
    reviewer
        .click(Target::Link(&reference), "beoordeling-dossier")
        .await;
    reviewer
        .click(Target::Button("Neem dit dossier"), "beoordeling-genomen")
        .await;
    reviewer.expect_text("Toegewezen aan").await;
    reviewer
        .click(
            Target::Button("In beoordeling nemen"),
            "beoordeling-gestart",
        )
        .await;
    reviewer.expect_text("Het dossier is in beoordeling.").await;

    // A change request: without a section and message first.
    reviewer
        .click(
            Target::Button("Terugsturen voor aanpassingen"),
            "aanpassingen-fouten",
        )
        .await;
    reviewer
        .expect_error("Kies de onderdelen die de gemeente moet aanpassen.")
        .await;
    reviewer
        .expect_error("Leg uit wat er aangepast moet worden.")
        .await;
    reviewer.tick("s-acties").await;
    reviewer
        .fill("message", "Beschrijf de aanpak per district concreter.")
        .await;
    // The answer is expected in ten days (the form proposes fourteen).
    let due =
        samenleven::domain::time::brussels_date(chrono::Utc::now()) + chrono::TimeDelta::days(10);
    let expected = format!(
        "Antwoord verwacht uiterlijk {} (nog 10 dagen)",
        samenleven::domain::time::date_long(due)
    );
    {
        use chrono::Datelike;
        reviewer
            .fill_date("answer_due", due.year() as u32, due.month(), due.day())
            .await;
    }
    reviewer
        .click(
            Target::Button("Terugsturen voor aanpassingen"),
            "aanpassingen-gevraagd",
        )
        .await;
    reviewer
        .expect_text("De gemeente kreeg de vraag om aanpassingen.")
        .await;
    reviewer.expect_text(&expected).await;

    // Antwerpen sees the request, changes the action and resubmits.
    official
        .click(
            Target::Link("Naar Mijn gemeente"),
            "mijn-gemeente-aanpassingen",
        )
        .await;
    official
        .expect_text("Beschrijf de aanpak per district concreter.")
        .await;
    official
        .click(
            Target::Link(&format!("Naar dossier {reference}")),
            "dossier-aanpassingen",
        )
        .await;
    official.expect_text("Gevraagd door ABB").await;
    official.expect_text(&expected).await;

    // Antwerpen asks ABB a question from its dossier before it changes anything.
    official
        .click(Target::Link("Bericht aan ABB"), "berichten")
        .await;
    official
        .fill(
            "body",
            "Bedoelt u per district of per wijk? We werken nu met zes wijken.",
        )
        .await;
    official
        .click(Target::Button("Bericht versturen"), "bericht-verstuurd")
        .await;
    official
        .expect_text("Uw bericht aan ABB is verstuurd.")
        .await;
    official
        .click(
            Target::Link(&format!("Dossier {reference}")),
            "dossier-na-bericht",
        )
        .await;
    official
        .click(Target::Link("Acties uit de oproep"), "acties")
        .await;
    official
        .click(Target::Link("Details van lijn 4.3"), "actie")
        .await;
    official
        .fill(
            "description",
            "Tweede versie: twee verbindingsambassadeurs per district, met wekelijkse ontmoetingen.",
        )
        .await;
    official
        .click(Target::Button("Actie bewaren"), "actie-aangepast")
        .await;
    to_overview(&official, &dossier).await;
    // The resubmission carries a cover note, required now: first forgotten.
    official
        .click(Target::Link("Controleren en indienen"), "controle-opnieuw")
        .await;
    official
        .click(Target::Button("Dossier indienen"), "toelichting-vergeten")
        .await;
    official.expect_error("Licht toe wat u aanpaste").await;
    official
        .fill(
            "cover_note",
            "We beschrijven de aanpak nu per district, met twee ambassadeurs elk.",
        )
        .await;
    official
        .click(Target::Button("Dossier indienen"), "opnieuw-ingediend")
        .await;
    official.expect_text("Dossier ingediend").await;

    // The reviewer reads Antwerpen's message, its cover note and the changes in Dutch.
    reviewer
        .click(Target::Link("Beoordeling"), "beoordeling-inbox")
        .await;
    reviewer
        .click(Target::Link(&reference), "beoordeling-opnieuw-ingediend")
        .await;
    reviewer
        .expect_text("Gewijzigd sinds de vorige indiening")
        .await;
    reviewer
        .expect_text("Toelichting van de gemeente bij haar aanpassingen")
        .await;
    reviewer
        .expect_text("We beschrijven de aanpak nu per district, met twee ambassadeurs elk.")
        .await;
    reviewer.expect_text("— beschrijving").await;
    reviewer.expect_text("Tweede versie").await;
    reviewer
        .expect_text("Bedoelt u per district of per wijk?")
        .await;

    // The allocation of project year 1: proposed by the reviewer, confirmed by the admin.
    reviewer
        .click(Target::Link("Toewijzing"), "toewijzing")
        .await;
    reviewer
        .click(
            Target::Button("Bereken een voorstel"),
            "toewijzing-voorstel",
        )
        .await;
    reviewer.expect_text("Voorgestelde toewijzing").await;
    reviewer.expect_text(&reference).await;
    reviewer
        .expect_text("Een beheerder van ABB bevestigt de toewijzing.")
        .await;
    let admin = env.browser("admin").await;
    sign_in(&admin, ADMIN).await;
    admin
        .click(Target::Link("Toewijzing"), "toewijzing-beheerder")
        .await;
    admin
        .click(
            Target::Button("Toewijzing bevestigen"),
            "toewijzing-bevestigd",
        )
        .await;
    admin.expect_text("Toewijzing bevestigd").await;

    // The decision: above the request first, then part of it.
    reviewer
        .click(Target::Link("Beoordeling"), "beoordeling-inbox")
        .await;
    reviewer
        .click(Target::Link(&reference), "beoordeling-dossier")
        .await;
    reviewer
        .click(
            Target::Button("In beoordeling nemen"),
            "beoordeling-gestart",
        )
        .await;
    let grant = grant_field(&reviewer).await;
    reviewer.fill(&grant, "30.000,00").await;
    reviewer
        .fill(
            "motivation",
            "Goed dossier; het bereik is realistisch ingeschat.",
        )
        .await;
    reviewer
        .click(
            Target::Button("Beslissing voorstellen"),
            "beslissing-fouten",
        )
        .await;
    reviewer.expect_error("hoogstens").await;
    assert_eq!(
        reviewer.value("motivation").await,
        "Goed dossier; het bereik is realistisch ingeschat.",
        "the motivation is kept"
    );
    reviewer.fill(&grant, "20.000,00").await;
    the_decision_is_confirmed_by_a_second_person(&reviewer, &admin, &reference).await;
    admin.close().await;
    reviewer
        .click(Target::Link("Beslissingsbrief"), "beslissingsbrief")
        .await;
    reviewer.expect_text("€ 20.000,00").await;

    // Antwerpen is told (the e-mail keeps the letter's link) and reads the decision by clicking.
    let letter = format!("/dossiers/{dossier}/beslissing");
    assert!(
        env.app
            .smtp
            .wait_until(|m| m.to.contains(&OFFICIAL_A.to_owned())
                && m.body().contains("keurt uw dossier gedeeltelijk goed")
                && m.body().contains(&letter))
            .await,
        "the decision e-mail with the letter's link reached Antwerpen"
    );
    the_municipality_reads_its_decision_and_downloads_the_pdf(&official, &reference).await;

    // The follow-up: the interim report, the continuation, the year report and the balance.
    the_interim_report_is_filed_and_accepted(&env, &official, &reviewer, &reference).await;
    the_year_report_is_filed_and_accepted(&env, &official, &reviewer, &reference).await;

    reviewer.close().await;
    official.close().await;
}

/// Antwerpen reaches its decision by clicking ("Mijn gemeente", its dossier, "Beslissing
/// lezen"), reads the amounts and the payment schedule, and downloads the PDF the page offers.
async fn the_municipality_reads_its_decision_and_downloads_the_pdf(
    official: &User,
    reference: &str,
) {
    official
        .click(Target::Link("Mijn gemeente"), "mijn-gemeente-beslist")
        .await;
    official
        .click(Target::Link(reference), "dossier-beslist")
        .await;
    official
        .click(Target::Link("Beslissing lezen"), "beslissing-gemeente")
        .await;
    official
        .expect_text(&format!("Beslissing over dossier {reference}"))
        .await;
    official.expect_text("gedeeltelijk goed").await;
    official.expect_text("€ 20.000,00").await;
    official.expect_text("Voorschot projectjaar 1").await;
    official
        .expect_text("illustratief: nog door ABB te bevestigen")
        .await;
    let pdf = official.download(Target::Link("Download als PDF")).await;
    assert!(pdf.starts_with(b"%PDF-"), "the download is a PDF");
    // WinAnsi text, one byte per character (€ is 0x80).
    let text: String = pdf.iter().map(|b| char::from(*b)).collect();
    assert!(
        text.contains(&format!("({reference}) Tj")),
        "the PDF names the reference"
    );
    assert!(
        text.contains("(\u{80} 20.000,00) Tj"),
        "the PDF has the amount"
    );
}

/// Four eyes (issue 22): the reviewer proposes the decision and, in the same browser, sees that
/// another member of ABB must confirm it (no confirmation is offered, only a withdrawal); the
/// admin finds it under "Te bevestigen" in the inbox, reads on the confirmation page what
/// confirming does and confirms it; the reviewer then finds the decision taken, with who
/// proposed and who confirmed it.
async fn the_decision_is_confirmed_by_a_second_person(
    reviewer: &User,
    admin: &User,
    reference: &str,
) {
    reviewer
        .click(
            Target::Button("Beslissing voorstellen"),
            "beslissing-voorgesteld",
        )
        .await;
    reviewer.expect_text("Beslissing voorgesteld").await;
    reviewer
        .expect_text("wacht op bevestiging (vier ogen)")
        .await;
    reviewer
        .expect_text("Een andere medewerker moet deze beslissing bevestigen (vier ogen).")
        .await;
    reviewer.find(Target::Button("Voorstel intrekken")).await;
    assert!(
        !reviewer.text().await.contains("Beslissing bevestigen"),
        "the proposer is not offered the confirmation"
    );

    admin
        .click(Target::Link("Beoordeling"), "beoordeling-beheerder")
        .await;
    admin.expect_text("Te bevestigen").await;
    admin.expect_text("wacht op bevestiging (vier ogen)").await;
    admin
        .click(Target::Link(reference), "te-bevestigen-dossier")
        .await;
    admin
        .click(
            Target::Link("Beslissing bevestigen"),
            "beslissing-bevestigen",
        )
        .await;
    admin.expect_text("de voorschotten worden ingepland").await;
    admin
        .click(
            Target::Button("Beslissing bevestigen"),
            "beslissing-bevestigd",
        )
        .await;
    admin.expect_text("Beslissing bevestigd").await;

    reviewer
        .click(Target::Link("Beoordeling"), "beoordeling-na-bevestiging")
        .await;
    reviewer
        .click(Target::Link(reference), "beoordeling-beslist")
        .await;
    reviewer.expect_text("gedeeltelijk goedgekeurd").await;
    reviewer.expect_text("voorgesteld door").await;
    reviewer.expect_text("bevestigd door").await;
}

/// The id of the (only) grant field of the decision form.
async fn grant_field(reviewer: &User) -> String {
    reviewer
        .find(Target::Css("input[id^='grant_']"))
        .await
        .attr("id")
        .await
        .ok()
        .flatten()
        .expect("the grant field has an id")
}

/// The id of the (only) KPI of the report form: the number in `actual_{id}`.
async fn kpi_of_report(official: &User) -> String {
    let id = official
        .find(Target::Css("input[id^='actual_']"))
        .await
        .attr("id")
        .await
        .ok()
        .flatten()
        .expect("the value field has an id");
    id.trim_start_matches("actual_").to_owned()
}

/// The reviewer opens the submitted report of `kind` ("tussentijds" or "jaar") of dossier
/// `reference` from ABB's follow-up list, filtered as a reviewer would.
async fn open_submitted_report(reviewer: &User, kind: &str, reference: &str) {
    reviewer
        .click(Target::Link("Opvolging"), "opvolging-rapporten")
        .await;
    reviewer.choose("status", "submitted").await;
    reviewer.choose("soort", kind).await;
    reviewer
        .click(Target::Button("Toon"), "opvolging-rapporten-gefilterd")
        .await;
    reviewer.expect_text("1 rapport.").await;
    reviewer
        .click(
            Target::Css("table.data a[href^='/opvolging/rapporten/']"),
            "opvolging-rapport",
        )
        .await;
    reviewer.expect_text(reference).await;
}

/// The reviewer accepts the report on its page (with the mouse): pressing the button without
/// choosing first.
async fn accept_report(reviewer: &User) {
    reviewer
        .click(
            Target::Button("Beslissing bewaren"),
            "rapport-beslissing-fouten",
        )
        .await;
    reviewer
        .expect_error("Kies: het rapport aanvaarden of terugsturen.")
        .await;
    reviewer.tick("outcome-aanvaarden").await;
    reviewer
        .click(Target::Button("Beslissing bewaren"), "rapport-aanvaard")
        .await;
    reviewer.expect_text("Het rapport is aanvaard.").await;
    reviewer.expect_text("status: aanvaard").await;
}

/// After the decision: Antwerpen opens the follow-up from its dashboard and files the interim
/// report of project year 1 (a missed target without motivation is refused first, with the
/// typed value kept); the reviewer accepts it and the continuation of the action into project
/// year 2 is proposed (stop: 20% is below the 25% threshold), which the reviewer overrules with
/// a positive review (a reason is required).
async fn the_interim_report_is_filed_and_accepted(
    env: &Env,
    official: &User,
    reviewer: &User,
    reference: &str,
) {
    official
        .click(Target::Link("Mijn gemeente"), "mijn-gemeente-goedgekeurd")
        .await;
    official
        .click(
            Target::Link(&format!("Naar de opvolging van dossier {reference}")),
            "opvolging",
        )
        .await;
    official
        .expect_text("Projectjaar 1 · tussentijds rapport")
        .await;
    official.expect_text("Projectjaar 2 · jaarrapport").await;
    // 80% of the year's € 20.000,00 as advance, for each of the two project years.
    official.expect_text("€ 16.000,00").await;
    official
        .click(
            Target::Link("Projectjaar 1 · tussentijds rapport"),
            "tussentijds-rapport",
        )
        .await;
    let kpi = kpi_of_report(official).await;
    let actual = format!("actual_{kpi}");
    let motivation = format!("motivation_{kpi}");

    // 0,2 of the planned 1 after six months is 20%: behind schedule, so a motivation is needed.
    official.fill(&actual, "0,2").await;
    official
        .click(
            Target::Button("Rapport indienen"),
            "tussentijds-rapport-fouten",
        )
        .await;
    official.expect_error("Leg uit waarom.").await;
    assert_eq!(
        official.value(&actual).await,
        "0,2",
        "the typed value is kept"
    );
    official.expect_text("Niet gehaald.").await;
    official
        .fill(
            &motivation,
            "De werving startte later: de eerste groep begon pas in de vierde maand.",
        )
        .await;
    official
        .click(
            Target::Button("Rapport indienen"),
            "tussentijds-rapport-ingediend",
        )
        .await;
    official.expect_text("Het rapport is ingediend.").await;
    official.expect_text("status: ingediend").await;
    assert!(
        env.app
            .smtp
            .wait_until(|m| m.to.contains(&REVIEWER.to_owned())
                && m.body().contains("diende het rapport")
                && m.body().contains("tussentijds rapport")
                && m.body().contains(reference))
            .await,
        "the assigned reviewer is told that the report is in"
    );

    // The reviewer accepts it; the continuation proposal appears.
    open_submitted_report(reviewer, "tussentijds", reference).await;
    reviewer.expect_text("De werving startte later").await;
    accept_report(reviewer).await;
    reviewer
        .expect_text("Voortzetting in het volgende projectjaar")
        .await;
    reviewer
        .expect_text("Actie 4.3, projectjaar 2: voorstel stoppen")
        .await;

    // Stopping is proposed; the reviewer gives a positive review, first without its reason.
    let decision = reviewer
        .find(Target::Css("input[id$='-positief']"))
        .await
        .attr("id")
        .await
        .ok()
        .flatten()
        .expect("the positive review has an id");
    reviewer.tick(&decision).await;
    reviewer
        .click(
            Target::Button("Beslissing over actie 4.3 bewaren"),
            "voortzetting-fouten",
        )
        .await;
    reviewer
        .expect_error("Geef de reden van de positieve beoordeling.")
        .await;
    let note = decision
        .replace("decision_", "note_")
        .replace("-positief", "");
    reviewer
        .fill(
            &note,
            "De achterstand is verklaard en de tweede groep is volzet.",
        )
        .await;
    reviewer.tick(&decision).await;
    reviewer
        .click(
            Target::Button("Beslissing over actie 4.3 bewaren"),
            "voortzetting-bewaard",
        )
        .await;
    reviewer
        .expect_text("De beslissing over de voortzetting is bewaard.")
        .await;
    reviewer
        .expect_text("voortgezet na positieve beoordeling door ABB")
        .await;
}

/// The last step of journey 3: Antwerpen files the year report of project year 1 (the measured
/// value, which misses the target, with its motivation, saved as a draft, a participants' list
/// uploaded through the file input, then
/// submitted, all with the keyboard); the reviewer accepts it and its motivation (with the
/// keyboard too, after pressing the button without choosing), the
/// balance of the year (the 20% after the advance) appears on ABB's payment list, the reviewer
/// approves it there, and the municipality's follow-up page shows it approved.
async fn the_year_report_is_filed_and_accepted(
    env: &Env,
    official: &User,
    reviewer: &User,
    reference: &str,
) {
    official
        .click(
            Target::Link("Opvolging van dossier"),
            "opvolging-voortgezet",
        )
        .await;
    official
        .expect_text("voortgezet na positieve beoordeling door ABB")
        .await;
    official
        .click(Target::Link("Projectjaar 1 · jaarrapport"), "jaarrapport")
        .await;
    // With the keyboard only, as in journey 4; the file itself is handed to the file field
    // through WebDriver, as the operating system's file dialog would.
    let kpi = kpi_of_report(official).await;
    let actual = format!("actual_{kpi}");
    // 0,8 of the planned 1: the target is missed, so the year report carries a motivation.
    official.tab_to(Target::Id(&actual)).await;
    official.type_text("0,8").await;
    official.press(Key::Tab).await;
    official
        .expect_focus(Target::Id(&format!("motivation_{kpi}")))
        .await;
    official
        .type_text("Een ambassadeur viel in het najaar uit; de vervanging startte in januari.")
        .await;
    official.tab_to(Target::Button("Bewaren als ontwerp")).await;
    official
        .press_to_page(Key::Enter, "jaarrapport-bewaard")
        .await;
    official
        .expect_text("Het rapport is bewaard als ontwerp.")
        .await;
    official.expect_text("Niet gehaald.").await;
    // The upload button without a file first: the error summary takes the focus, its link
    // leads on to the file field.
    official.tab_to(Target::Button("Bijlage toevoegen")).await;
    official
        .press_to_page(Key::Space, "jaarrapport-bijlage-fouten")
        .await;
    official
        .expect_error("Kies een bestand om toe te voegen.")
        .await;
    official.expect_focus(Target::Css(".error-summary")).await;
    official.press(Key::Tab).await;
    official
        .expect_focus(Target::Link("Kies een bestand om toe te voegen."))
        .await;
    official.press(Key::Enter).await;
    official.tab_to(Target::Id("file")).await;
    official
        .attach("file", &env.fixture("deelnemerslijst.pdf"))
        .await;
    official.tab_to(Target::Button("Bijlage toevoegen")).await;
    official
        .press_to_page(Key::Space, "jaarrapport-bijlage")
        .await;
    official
        .expect_text("Bijlage “deelnemerslijst.pdf” is toegevoegd aan het rapport.")
        .await;
    assert_eq!(
        official.value(&actual).await,
        "0,8",
        "the saved value is shown"
    );
    official.tab_to(Target::Button("Rapport indienen")).await;
    official
        .press_to_page(Key::Enter, "jaarrapport-ingediend")
        .await;
    official.expect_text("Het rapport is ingediend.").await;

    // The reviewer accepts it with the keyboard too, forgetting to judge the motivation first;
    // the motivation is accepted, so no reclaim is proposed, and the balance of project year 1
    // is scheduled.
    open_submitted_report(reviewer, "jaar", reference).await;
    reviewer.expect_text("deelnemerslijst.pdf").await;
    reviewer
        .expect_text("Een ambassadeur viel in het najaar uit")
        .await;
    reviewer.tab_to(Target::Id("outcome-aanvaarden")).await;
    reviewer.press(Key::Space).await;
    reviewer.tab_to(Target::Button("Beslissing bewaren")).await;
    reviewer
        .press_to_page(Key::Enter, "rapport-beslissing-fouten")
        .await;
    reviewer
        .expect_error("oordeel of de motivatie aanvaard wordt.")
        .await;
    reviewer.expect_focus(Target::Css(".error-summary")).await;
    assert!(
        reviewer
            .find(Target::Id("outcome-aanvaarden"))
            .await
            .is_selected()
            .await
            .unwrap_or(false),
        "the chosen outcome is kept"
    );
    let judged = format!("accepted_{kpi}-ja");
    reviewer.tab_to(Target::Id(&judged)).await;
    reviewer.press(Key::Space).await;
    reviewer.tab_to(Target::Button("Beslissing bewaren")).await;
    reviewer.press_to_page(Key::Enter, "rapport-aanvaard").await;
    reviewer.expect_text("Het rapport is aanvaard.").await;
    reviewer.expect_text("status: aanvaard").await;
    reviewer.expect_text("ABB aanvaardde de motivatie.").await;
    assert!(
        !reviewer.text().await.contains("Terugvorderingen"),
        "an accepted motivation proposes no reclaim"
    );
    reviewer.expect_text("saldo").await;
    reviewer.expect_text("€ 4.000,00").await;
    assert!(
        env.app
            .smtp
            .wait_until(|m| m.to.contains(&OFFICIAL_A.to_owned())
                && m.body().contains("ABB aanvaardt het rapport")
                && m.body().contains("jaarrapport")
                && m.body().contains("Het saldo van projectjaar 1")
                && m.body().contains("4.000,00"))
            .await,
        "Antwerpen is told that the year report is accepted and the balance scheduled"
    );

    // ABB's payment list shows it, filtered on the balance.
    reviewer
        .click(Target::Link("Betalingen"), "betalingen")
        .await;
    reviewer.choose("schijf", "saldo").await;
    reviewer
        .click(Target::Button("Toon"), "betalingen-saldo")
        .await;
    reviewer.expect_text("1 betaling.").await;
    reviewer.expect_text(reference).await;
    reviewer.expect_text("€ 4.000,00").await;
    reviewer
        .click(Target::Link("goedkeuren"), "betaling-bevestigen")
        .await;
    reviewer
        .expect_text("Een andere medewerker moet ze daarna als betaald markeren.")
        .await;
    reviewer
        .click(
            Target::Button("Betaling goedkeuren"),
            "betalingen-saldo-goedgekeurd",
        )
        .await;
    reviewer.expect_text(": goedgekeurd.").await;
    assert_eq!(
        reviewer.path().await,
        "/opvolging/betalingen?schijf=saldo",
        "the list keeps its filter"
    );

    // Four eyes: the reviewer who approved it may not mark it paid; an admin records the payment
    // with the bank's day and reference.
    reviewer
        .click(
            Target::Link("als betaald markeren"),
            "betaald-zelfde-persoon",
        )
        .await;
    reviewer
        .expect_text("Een andere medewerker moet de betaling als betaald markeren (vier ogen).")
        .await;
    let admin = env.browser("admin-betaling").await;
    sign_in(&admin, ADMIN).await;
    admin
        .click(Target::Link("Betalingen"), "betalingen-beheerder")
        .await;
    admin.choose("schijf", "saldo").await;
    admin
        .click(Target::Button("Toon"), "betalingen-saldo-beheerder")
        .await;
    admin
        .click(Target::Link("als betaald markeren"), "betaald-bevestigen")
        .await;
    admin
        .expect_text("Dit kan niet ongedaan worden gemaakt.")
        .await;
    let today = admin.value("paid_on").await;
    assert!(!today.is_empty(), "the payment day starts at today");
    admin.fill("paid_on", "31-12-2099").await;
    admin.fill("bank_reference", "BNP-2023-000417").await;
    admin
        .click(
            Target::Button("Als betaald markeren"),
            "betaling-in-de-toekomst",
        )
        .await;
    admin.expect_error("toekomst").await;
    assert_eq!(
        admin.value("bank_reference").await,
        "BNP-2023-000417",
        "what was typed is kept"
    );
    admin.fill("paid_on", &today).await;
    admin
        .click(Target::Button("Als betaald markeren"), "betaling-betaald")
        .await;
    admin.expect_text(": betaald.").await;
    admin.expect_text("BNP-2023-000417").await;
    admin.close().await;

    // And so does Antwerpen's follow-up page.
    official
        .click(Target::Link("Opvolging van dossier"), "opvolging-saldo")
        .await;
    let balance = line_with(official, "saldo").await;
    assert!(
        balance.contains("€ 4.000,00") && balance.contains("betaald"),
        "Antwerpen sees the paid balance, not {balance:?}"
    );
}

/// The first line of the page's text (a table row is one line) that contains `text`.
async fn line_with(user: &User, text: &str) -> String {
    let page = user.text().await;
    page.lines()
        .find(|l| l.contains(text))
        .unwrap_or_else(|| panic!("{}: no line with {text:?} in:\n{page}", user.who))
        .to_owned()
}
