//! Journey 2: a pooled dossier. Willebroek (lead) starts a cooperation and invites
//! Puurs-Sint-Amands and Bornem; each member confirms in its own browser session with its council
//! decision and its commitment to the own contribution, each finding the question on its own
//! dashboard ("Mijn gemeente", never the e-mail's link); Puurs-Sint-Amands first forgets the
//! file and the commitment. The lead sees both commitments, then completes the dossier and
//! submits it.

use crate::harness::Env;
use crate::journeys::{
    add_action, attach_required, check_and_submit, declare, fill_general, sign_in, to_overview,
};
use crate::page::Target;

const WILLEBROEK: &str = "willebroek@demo.samenleven.test";
const PUURS: &str = "puurs-sint-amands@demo.samenleven.test";
const BORNEM: &str = "bornem@demo.samenleven.test";

/// The path of the consent link in the invitation e-mail to `email`.
async fn invitation_path(env: &Env, email: &str, dossier: &str) -> String {
    let wanted = format!("/dossiers/{dossier}/deelname");
    assert!(
        env.app
            .smtp
            .wait_until(|m| m.to.contains(&email.to_owned()) && m.body().contains(&wanted))
            .await,
        "{email} received an invitation with the link to {wanted}"
    );
    wanted
}

pub async fn journey(env: Env) {
    let lead = env.browser("willebroek").await;
    sign_in(&lead, WILLEBROEK).await;
    lead.click(Target::Link("Mijn gemeente"), "mijn-gemeente")
        .await;
    lead.expect_text("niet zelfstandig indienen").await;
    lead.click(
        Target::Button("Start een samenwerking als trekker en kies zelf de gemeenten"),
        "samenwerking-gestart",
    )
    .await;
    let dossier = lead.dossier_id().await;
    for (nis, name) in [("12041", "Puurs-Sint-Amands"), ("12007", "Bornem")] {
        lead.choose("nis", nis).await;
        lead.click(Target::Button("Uitnodigen"), "gemeente-uitgenodigd")
            .await;
        lead.expect_text(&format!("{name} is uitgenodigd")).await;
    }
    lead.expect_text("uitgenodigd, nog geen antwoord").await;

    // Each member in its own browser session, from its dashboard, only clicking what the pages
    // offer (never the e-mail's link).
    for (who, email, forgets_the_file, commitment) in [
        ("puurs-sint-amands", PUURS, true, "2.500,00"),
        ("bornem", BORNEM, false, "1.000"),
    ] {
        let path = invitation_path(&env, email, &dossier).await;
        let member = env.browser(who).await;
        sign_in(&member, email).await;
        member
            .click(Target::Link("Mijn gemeente"), "lid-mijn-gemeente")
            .await;
        member
            .click(Target::Link("Deelname bevestigen of weigeren"), "deelname")
            .await;
        assert_eq!(
            member.path().await,
            path,
            "the dashboard leads to the question the e-mail asked"
        );
        member.expect_text("Willebroek nodigt").await;
        member.tick("decision-confirm").await;
        if forgets_the_file {
            member
                .click(Target::Button("Antwoord versturen"), "deelname-fouten")
                .await;
            member.expect_error("Kies een bestand").await;
            member
                .expect_error("Vul in hoeveel uw gemeente per projectjaar bijdraagt")
                .await;
            assert!(
                member
                    .find(Target::Id("decision-confirm"))
                    .await
                    .is_selected()
                    .await
                    .unwrap_or(false),
                "the chosen answer is kept"
            );
        }
        member.fill("commitment", commitment).await;
        member
            .attach("file", &env.fixture("collegebesluit.pdf"))
            .await;
        member
            .click(Target::Button("Antwoord versturen"), "deelname-bevestigd")
            .await;
        member.expect_text("neemt deel aan dossier").await;
        member.close().await;
    }
    assert!(
        env.app
            .smtp
            .wait_until(|m| m.to.contains(&WILLEBROEK.to_owned())
                && m.body().contains("Bornem bevestigde de deelname"))
            .await,
        "the lead is told of each confirmation"
    );

    // The lead sees both confirmations and the threshold reached, then completes the dossier.
    lead.click(Target::Link("Terug naar het dossier"), "dossier-overzicht")
        .await;
    lead.click(
        Target::Link("Deelnemende gemeenten en hun bevestiging"),
        "deelnemende-gemeenten",
    )
    .await;
    lead.expect_text("De samenwerking haalt de drempel van")
        .await;
    lead.expect_text("€ 2.500,00").await;
    lead.expect_text("€ 1.000,00").await;
    lead.click(Target::Link("Terug naar het dossier"), "dossier-overzicht")
        .await;
    fill_general(&lead, "Samen in Rivierenland", "samenleven@willebroek.test").await;
    add_action(
        &lead,
        "4.3",
        "25.000,00",
        "Verbindingsambassadeurs in de drie gemeenten.",
    )
    .await;
    to_overview(&lead, &dossier).await;
    attach_required(&env, &lead).await;
    lead.click(Target::Link("Terug naar dossier"), "dossier-overzicht")
        .await;
    declare(&lead).await;
    let reference = check_and_submit(&lead).await;
    assert!(
        env.app
            .smtp
            .wait_until(|m| m.to.contains(&WILLEBROEK.to_owned())
                && m.body().contains(&reference)
                && m.body().contains("is ingediend"))
            .await,
        "the lead receives the confirmation of {reference}"
    );
    lead.close().await;
}
