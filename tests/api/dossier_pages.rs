//! Issue 22 (bugs 3 and 7): the applicant's dossier pages never end in a dead end. Error pages
//! keep the signed-in header and lead back to the dossier; the task list shows what a change
//! request reopened; the check page names why a dossier cannot be submitted yet.

use crate::helpers::{Browser, OFFICIAL_A, REVIEWER, TestApp, spawn_app};
use crate::journey::{
    accept_declarations, add_action, attach, call_id, fill_general, location, ready_dossier,
    save_action,
};

const WILLEBROEK: &str = "willebroek@demo.samenleven.test";

async fn submitted(app: &TestApp, official: &mut Browser) -> String {
    let dossier = ready_dossier(app, official).await;
    let (_, html) = official.get(&format!("/dossiers/{dossier}/controle")).await;
    let version = crate::journey::field_value(&html, "version");
    let response = official
        .post(
            &format!("/dossiers/{dossier}/indienen"),
            &[("version", version.as_str())],
        )
        .await;
    assert_eq!(response.status(), 303, "submitted");
    dossier
}

#[tokio::test]
async fn a_change_request_marks_reopened_sections_to_change_and_the_others_locked() {
    let app = spawn_app().await;
    let mut official = app.signed_in(OFFICIAL_A).await;
    let dossier = submitted(&app, &mut official).await;
    let mut reviewer = app.signed_in(REVIEWER).await;
    reviewer.get(&format!("/beoordeling/{dossier}")).await;
    let response = reviewer
        .post(&format!("/beoordeling/{dossier}/start"), &[])
        .await;
    assert_eq!(response.status(), 303);
    let response = reviewer
        .post(
            &format!("/beoordeling/{dossier}/aanpassingen"),
            &[
                ("sections", "acties"),
                ("message", "Beschrijf de aanpak concreter."),
            ],
        )
        .await;
    assert_eq!(response.status(), 303);

    let (status, html) = official.get(&format!("/dossiers/{dossier}")).await;
    assert_eq!(status, 200);
    let line = |href: &str| {
        let start = html
            .find(&format!("href=\"/dossiers/{dossier}/{href}\""))
            .unwrap_or_else(|| panic!("task {href}: {html}"));
        let end = html[start..].find("</li>").unwrap() + start;
        html[start..end].to_owned()
    };
    assert!(line("acties").contains("te wijzigen"), "{}", line("acties"));
    assert!(
        line("algemeen").contains("vergrendeld"),
        "{}",
        line("algemeen")
    );
    assert!(
        line("bijlagen").contains("vergrendeld"),
        "{}",
        line("bijlagen")
    );

    // A click on a locked section explains itself inside the app, with a way back.
    let (status, html) = official.get(&format!("/dossiers/{dossier}/algemeen")).await;
    assert_eq!(status, 409);
    assert!(
        html.contains(
            "Dit onderdeel is vergrendeld: de wijzigingsvraag van ABB heropende enkel Acties en \
             KPI&#39;s."
        ) || html.contains(
            "Dit onderdeel is vergrendeld: de wijzigingsvraag van ABB heropende enkel Acties en \
             KPI&#x27;s."
        ),
        "{html}"
    );
    assert!(
        html.contains("Els Verbeke") && html.contains("Afmelden"),
        "{html}"
    );
    assert!(
        html.contains(&format!(
            "href=\"/dossiers/{dossier}\">Terug naar het dossier"
        )),
        "{html}"
    );
}

#[tokio::test]
async fn a_page_not_found_for_a_signed_in_user_keeps_the_header_and_plain_visitors_get_the_public_one()
 {
    let app = spawn_app().await;
    let mut official = app.signed_in(OFFICIAL_A).await;
    let (status, html) = official.get("/bestaat-niet").await;
    assert_eq!(status, 404);
    assert!(
        html.contains("Els Verbeke") && html.contains("Afmelden"),
        "{html}"
    );
    assert!(
        html.contains("href=\"/\">Terug naar de startpagina"),
        "{html}"
    );
    let (status, html) = app.browser().get("/bestaat-niet").await;
    assert_eq!(status, 404);
    assert!(!html.contains("Afmelden"), "{html}");
    assert!(html.contains("Aanmelden"), "{html}");
}

#[tokio::test]
async fn the_check_page_names_the_members_that_have_not_confirmed_with_a_link_to_them() {
    let app = spawn_app().await;
    let mut lead = app.signed_in(WILLEBROEK).await;
    lead.get("/gemeente").await;
    let call = call_id(&app).await;
    let response = lead
        .post(
            "/samenwerkingen",
            &[("call_id", call.as_str()), ("members", "12041,12007")],
        )
        .await;
    assert_eq!(response.status(), 303, "start the cooperation");
    let dossier = location(&response)
        .trim_start_matches("/dossiers/")
        .trim_end_matches("/leden")
        .to_owned();
    fill_general(&mut lead, &dossier).await;
    let action = add_action(&app, &mut lead, &dossier, "4.3").await;
    let response = save_action(
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
    assert_eq!(response.status(), 303);
    attach(&mut lead, &dossier, "council_decision").await;
    attach(&mut lead, &dossier, "budget_sheet").await;
    accept_declarations(&mut lead, &dossier).await;

    let (status, html) = lead.get(&format!("/dossiers/{dossier}/controle")).await;
    assert_eq!(status, 200);
    assert!(html.contains("U kunt nog niet indienen"), "{html}");
    let start = html
        .find("Nog niet bevestigd door: ")
        .expect("the members named");
    let line = &html[start..start + html[start..].find("</li>").unwrap()];
    assert!(
        line.contains("Puurs-Sint-Amands") && line.contains("Bornem"),
        "{line}"
    );
    assert!(
        line.contains(&format!("href=\"/dossiers/{dossier}/leden\"")),
        "a link to the members page: {line}"
    );
}
