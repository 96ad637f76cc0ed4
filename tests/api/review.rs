//! Issue 7: the reviewer's inbox, change requests with the diff, decisions bounded by the
//! rules, the decision letter, reopening, and every transition refused to the wrong role.

use crate::helpers::{ADMIN, Browser, OFFICIAL_A, REVIEWER, TestApp, count, spawn_app};
use crate::journey::{
    accept_declarations, add_action, attach, field_value, fill_general, location, save_action,
    start,
};

/// Antwerpen submits a dossier with one action (grant € 25.000,00 per year); returns its id.
async fn submitted_dossier(app: &TestApp) -> (Browser, String) {
    let mut official = app.signed_in(OFFICIAL_A).await;
    let dossier = start(app, &mut official).await;
    fill_general(&mut official, &dossier).await;
    let action = add_action(app, &mut official, &dossier, "2.1").await;
    save_action(
        &mut official,
        &dossier,
        &action,
        &[
            ("priority", "1"),
            ("baseline_reach", "0"),
            ("planned_reach", "1"),
            ("own_contribution", "25.000,00"),
            ("description", "Eerste versie"),
        ],
    )
    .await;
    attach(&mut official, &dossier, "council_decision").await;
    attach(&mut official, &dossier, "budget_sheet").await;
    accept_declarations(&mut official, &dossier).await;
    let (_, html) = official.get(&format!("/dossiers/{dossier}/controle")).await;
    let response = official
        .post(
            &format!("/dossiers/{dossier}/indienen"),
            &[("version", &field_value(&html, "version"))],
        )
        .await;
    assert_eq!(response.status(), 303, "submitted");
    (official, dossier)
}

async fn state_of(app: &TestApp, dossier: &str) -> String {
    use sea_orm::EntityTrait;
    let app_row = entity::application::Entity::find_by_id(dossier.parse::<i64>().unwrap())
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    serde_json::to_value(app_row.state)
        .unwrap()
        .as_str()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn a_reviewer_requests_changes_gets_the_dossier_back_with_the_diff_and_decides() {
    let app = spawn_app().await;
    let (mut official, dossier) = submitted_dossier(&app).await;
    let mut reviewer = app.signed_in(REVIEWER).await;

    let (status, html) = reviewer.get("/beoordeling?zoek=antwerpen").await;
    assert_eq!(status, 200);
    assert!(
        html.contains(&format!("/beoordeling/{dossier}")),
        "the inbox finds it by municipality"
    );
    let (_, html) = reviewer.get("/beoordeling?status=in_review").await;
    assert!(
        !html.contains(&format!("/beoordeling/{dossier}\"")),
        "the state filter works"
    );

    reviewer.get(&format!("/beoordeling/{dossier}")).await;
    assert_eq!(
        reviewer
            .post(&format!("/beoordeling/{dossier}/start"), &[])
            .await
            .status(),
        303
    );
    assert_eq!(state_of(&app, &dossier).await, "in_review");
    let response = reviewer
        .post(
            &format!("/beoordeling/{dossier}/bericht"),
            &[
                ("body", "Interne twijfel over het bereik."),
                ("internal", "ja"),
            ],
        )
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
    assert_eq!(state_of(&app, &dossier).await, "changes_requested");

    // The municipality sees the request (not the internal note) and may change only the actions.
    let (_, html) = official.get(&format!("/dossiers/{dossier}")).await;
    assert!(html.contains("Beschrijf de aanpak concreter."));
    assert!(!html.contains("Interne twijfel"));
    assert_eq!(
        official
            .get(&format!("/dossiers/{dossier}/algemeen"))
            .await
            .0,
        409
    );
    let (_, html) = official.get(&format!("/dossiers/{dossier}/acties")).await;
    let action = {
        let marker = "\">2.1 ";
        let end = html.find(marker).unwrap();
        let start = html[..end].rfind("/acties/").unwrap() + "/acties/".len();
        html[start..end].to_owned()
    };
    let response = save_action(
        &mut official,
        &dossier,
        &action,
        &[
            ("priority", "1"),
            ("baseline_reach", "0"),
            ("planned_reach", "1"),
            ("own_contribution", "25.000,00"),
            ("description", "Tweede, concretere versie"),
        ],
    )
    .await;
    assert_eq!(response.status(), 303);
    let (_, html) = official.get(&format!("/dossiers/{dossier}/controle")).await;
    let response = official
        .post(
            &format!("/dossiers/{dossier}/indienen"),
            &[("version", &field_value(&html, "version"))],
        )
        .await;
    assert_eq!(response.status(), 303);
    assert_eq!(state_of(&app, &dossier).await, "resubmitted");

    // The reviewer sees what changed between the submissions.
    let (_, html) = reviewer.get(&format!("/beoordeling/{dossier}")).await;
    assert!(html.contains("Gewijzigd sinds de vorige indiening"));
    assert!(html.contains("Tweede, concretere versie"));
    reviewer
        .post(&format!("/beoordeling/{dossier}/start"), &[])
        .await;

    // Decisions are bounded: not above the request.
    let grant_field = format!("grant_{action}");
    let response = reviewer
        .post(
            &format!("/beoordeling/{dossier}/beslissing"),
            &[
                ("outcome", "approve"),
                (grant_field.as_str(), "30.000,00"),
                ("motivation", "Goed dossier."),
            ],
        )
        .await;
    assert_eq!(response.status(), 422);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("hoogstens het gevraagde bedrag")
    );
    let response = reviewer
        .post(
            &format!("/beoordeling/{dossier}/beslissing"),
            &[
                ("outcome", "approve"),
                (grant_field.as_str(), "20.000,00"),
                (
                    "motivation",
                    "Goed dossier; bereik realistischer ingeschat.",
                ),
            ],
        )
        .await;
    assert_eq!(response.status(), 303);
    assert_eq!(state_of(&app, &dossier).await, "partly_approved");
    assert_eq!(
        count(&app.db, "decision_line WHERE granted_cents = 2000000").await,
        1
    );

    let (status, html) = official
        .get(&format!("/dossiers/{dossier}/beslissing"))
        .await;
    assert_eq!(status, 200);
    assert!(html.contains("gedeeltelijk goedgekeurd"));
    assert!(html.contains("€ 20.000,00"));
    assert!(
        app.smtp
            .wait_until(|m| m.to.contains(&OFFICIAL_A.to_owned())
                && m.body().contains("keurt uw dossier gedeeltelijk goed"))
            .await,
        "the applicant is told of the decision"
    );
    assert!(
        count(
            &app.db,
            "audit_log WHERE action = 'application.partly_approve'"
        )
        .await
            == 1
    );
}

#[tokio::test]
async fn transitions_are_refused_to_the_wrong_role_and_from_the_wrong_state() {
    let app = spawn_app().await;
    let (mut official, dossier) = submitted_dossier(&app).await;
    official.get("/account").await;
    assert_eq!(
        official
            .post(&format!("/beoordeling/{dossier}/start"), &[])
            .await
            .status(),
        403
    );
    let mut reviewer = app.signed_in(REVIEWER).await;
    // Deciding needs the dossier in review.
    let response = reviewer
        .post(
            &format!("/beoordeling/{dossier}/beslissing"),
            &[("outcome", "reject"), ("motivation", "Nee.")],
        )
        .await;
    assert_eq!(response.status(), 409);
    reviewer
        .post(&format!("/beoordeling/{dossier}/start"), &[])
        .await;
    let response = reviewer
        .post(
            &format!("/beoordeling/{dossier}/beslissing"),
            &[
                ("outcome", "reject"),
                ("motivation", "Past niet in de oproep."),
            ],
        )
        .await;
    assert_eq!(response.status(), 303);
    assert_eq!(state_of(&app, &dossier).await, "rejected");
    // Only an admin reopens, with a reason.
    assert_eq!(
        reviewer
            .post(
                &format!("/beoordeling/{dossier}/heropenen"),
                &[("reason", "x")]
            )
            .await
            .status(),
        403
    );
    let mut admin = app.signed_in(ADMIN).await;
    let response = admin
        .post(
            &format!("/beoordeling/{dossier}/heropenen"),
            &[("reason", "Nieuwe cijfers ontvangen")],
        )
        .await;
    assert_eq!(response.status(), 303, "{}", location(&response));
    assert_eq!(state_of(&app, &dossier).await, "in_review");
    assert_eq!(
        count(
            &app.db,
            "decision WHERE reopen_reason = 'Nieuwe cijfers ontvangen'"
        )
        .await,
        1
    );
    // A reviewer never acts for the applicant.
    assert_eq!(
        reviewer
            .post(
                &format!("/dossiers/{dossier}/intrekken"),
                &[("reason", "x"), ("version", "1")]
            )
            .await
            .status(),
        403
    );
}

#[tokio::test]
async fn a_decision_never_exceeds_the_confirmed_allocation() {
    use sea_orm::EntityTrait;
    let app = spawn_app().await;
    let (_official, dossier) = submitted_dossier(&app).await;
    let mut reviewer = app.signed_in(REVIEWER).await;
    reviewer.get("/beoordeling/toewijzing").await;
    let call = crate::journey::call_id(&app).await;
    let response = reviewer
        .post(
            "/beoordeling/toewijzing",
            &[("call_id", call.as_str()), ("year", "1")],
        )
        .await;
    assert_eq!(response.status(), 303);
    let allocation = entity::allocation::Entity::find()
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    let line = entity::allocation_line::Entity::find()
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        line.proposed_cents, 2_500_000,
        "the envelope covers the whole request"
    );
    // The reviewer lowers the line to € 15.000,00 and the admin confirms.
    let response = reviewer
        .post(
            &format!(
                "/beoordeling/toewijzing/{}/regels/{}",
                allocation.id, line.id
            ),
            &[
                ("amount", "15.000,00"),
                ("version", &allocation.version.to_string()),
            ],
        )
        .await;
    assert_eq!(response.status(), 303);
    let mut admin = app.signed_in(ADMIN).await;
    let response = admin
        .post(
            &format!("/beoordeling/toewijzing/{}/bevestigen", allocation.id),
            &[],
        )
        .await;
    assert_eq!(response.status(), 303);

    reviewer.get(&format!("/beoordeling/{dossier}")).await;
    reviewer
        .post(&format!("/beoordeling/{dossier}/start"), &[])
        .await;
    let grant_field = format!("grant_{}", line.application_action_id);
    let response = reviewer
        .post(
            &format!("/beoordeling/{dossier}/beslissing"),
            &[
                ("outcome", "approve"),
                (grant_field.as_str(), "20.000,00"),
                ("motivation", "Goed."),
            ],
        )
        .await;
    assert_eq!(response.status(), 422);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("hoogstens het bevestigde budget")
    );
    let response = reviewer
        .post(
            &format!("/beoordeling/{dossier}/beslissing"),
            &[
                ("outcome", "approve"),
                (grant_field.as_str(), "15.000,00"),
                ("motivation", "Binnen het bevestigde budget."),
            ],
        )
        .await;
    assert_eq!(response.status(), 303);
    assert_eq!(state_of(&app, &dossier).await, "partly_approved");
}

#[tokio::test]
async fn the_checklist_is_saved_per_criterion_and_two_reviewers_do_not_overwrite_each_other() {
    let app = spawn_app().await;
    let (_official, dossier) = submitted_dossier(&app).await;
    let mut first = app.signed_in(REVIEWER).await;
    let mut second = app.signed_in("beoordelaar2@demo.samenleven.test").await;
    first.get(&format!("/beoordeling/{dossier}")).await;
    second.get(&format!("/beoordeling/{dossier}")).await;
    let path = format!("/beoordeling/{dossier}/checklist");
    let response = first
        .post(
            &path,
            &[
                ("version", "0"),
                ("ontvankelijk", "ok"),
                ("kpis", "niet_ok"),
                ("acties", "onzin"),
            ],
        )
        .await;
    assert_eq!(response.status(), 303);
    let response = second
        .post(&path, &[("version", "0"), ("ontvankelijk", "niet_ok")])
        .await;
    assert_eq!(response.status(), 409);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("Iemand anders bewaarde de checklist")
    );
    let (_, html) = first.get(&format!("/beoordeling/{dossier}")).await;
    assert!(html.contains("name=\"ontvankelijk\" value=\"ok\" aria-label=\"Tijdig en volledig ingediend: in orde\" checked"));
    assert!(html.contains("name=\"kpis\" value=\"niet_ok\""));
    assert_eq!(
        count(&app.db, "review WHERE checklist LIKE '%\"acties\":\"\"%'").await,
        1,
        "unknown values are not stored"
    );
    assert_eq!(
        count(&app.db, "audit_log WHERE action = 'application.checklist'").await,
        1
    );
}
