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
    let action = add_action(app, &mut official, &dossier, "4.3").await;
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
    let action = crate::journey::action_id(&mut official, &dossier, "4.3").await;
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
            &[
                ("version", &field_value(&html, "version")),
                ("cover_note", "Aangepast zoals gevraagd."),
            ],
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
    let response = crate::helpers::confirm_decision(&app, dossier.parse().unwrap(), ADMIN).await;
    assert_eq!(
        response.status(),
        303,
        "an admin confirms the decision (four eyes)"
    );
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
    let response = crate::helpers::confirm_decision(&app, dossier.parse().unwrap(), ADMIN).await;
    assert_eq!(
        response.status(),
        303,
        "an admin confirms the decision (four eyes)"
    );
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
    let response = crate::helpers::confirm_decision(&app, dossier.parse().unwrap(), ADMIN).await;
    assert_eq!(
        response.status(),
        303,
        "an admin confirms the decision (four eyes)"
    );
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

/// The id of the KPI with `indicator`.
async fn kpi_named(app: &TestApp, indicator: &str) -> i64 {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    entity::kpi::Entity::find()
        .filter(entity::kpi::Column::Indicator.eq(indicator))
        .one(&app.db)
        .await
        .unwrap()
        .expect("the KPI")
        .id
}

#[tokio::test]
async fn a_resubmission_with_a_changed_grant_and_kpi_target_reads_as_dutch_lines_by_section() {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let app = spawn_app().await;
    let mut official = app.signed_in(OFFICIAL_A).await;
    let dossier = start(&app, &mut official).await;
    fill_general(&mut official, &dossier).await;
    let action = add_action(&app, &mut official, &dossier, "2.9").await;
    let first = [
        ("priority", "1"),
        ("baseline_reach", "0"),
        ("planned_reach", "1"),
        ("own_contribution", "25.000,00"),
        ("description", "Eerste versie"),
    ];
    assert_eq!(
        save_action(&mut official, &dossier, &action, &first)
            .await
            .status(),
        303
    );
    let (_, html) = official
        .get(&format!("/dossiers/{dossier}/acties/{action}"))
        .await;
    let date = field_value(&html, "target_date");
    let kpi_form = |target: &'static str| {
        vec![
            ("indicator", "Uren taalcoaching"),
            ("unit", "uren"),
            ("baseline", "0"),
            ("target", target),
            ("target_date", date.as_str()),
            ("measurement", "Registratie"),
        ]
    };
    let response = official
        .post(
            &format!("/dossiers/{dossier}/acties/{action}/kpis"),
            &kpi_form("2000"),
        )
        .await;
    assert_eq!(response.status(), 303, "KPI added");
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

    let mut reviewer = app.signed_in(REVIEWER).await;
    reviewer.get(&format!("/beoordeling/{dossier}")).await;
    reviewer
        .post(&format!("/beoordeling/{dossier}/start"), &[])
        .await;
    let response = reviewer
        .post(
            &format!("/beoordeling/{dossier}/aanpassingen"),
            &[("sections", "acties"), ("message", "Mik hoger.")],
        )
        .await;
    assert_eq!(response.status(), 303);

    // The municipality doubles the reach (so the grant) and the KPI's target, and resubmits.
    let second = [
        ("priority", "1"),
        ("baseline_reach", "0"),
        ("planned_reach", "2"),
        ("own_contribution", "50.000,00"),
        ("description", "Eerste versie"),
    ];
    assert_eq!(
        save_action(&mut official, &dossier, &action, &second)
            .await
            .status(),
        303
    );
    let kpi = kpi_named(&app, "Uren taalcoaching").await;
    let (_, html) = official
        .get(&format!("/dossiers/{dossier}/kpis/{kpi}"))
        .await;
    let mut form = kpi_form("4000");
    let version = field_value(&html, "version");
    form.push(("version", version.as_str()));
    let response = official
        .post(&format!("/dossiers/{dossier}/kpis/{kpi}"), &form)
        .await;
    assert_eq!(response.status(), 303, "KPI saved");
    let (_, html) = official.get(&format!("/dossiers/{dossier}/controle")).await;
    let response = official
        .post(
            &format!("/dossiers/{dossier}/indienen"),
            &[
                ("version", &field_value(&html, "version")),
                ("cover_note", "Aangepast zoals gevraagd."),
            ],
        )
        .await;
    assert_eq!(response.status(), 303, "resubmitted");

    let title = entity::action::Entity::find()
        .filter(entity::action::Column::Code.eq("2.9"))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap()
        .title;
    let (_, html) = reviewer.get(&format!("/beoordeling/{dossier}")).await;
    let changes = &html[html
        .find("Gewijzigd sinds de vorige indiening")
        .expect("the diff")..];
    let changes = &changes[..changes.find("<h2").unwrap_or(changes.len())];
    assert!(
        changes.contains("<h3>Acties en KPI&#39;s</h3>")
            || changes.contains("<h3>Acties en KPI's</h3>")
    );
    assert!(
        changes.contains(&format!(
            "Actie 2.9 {title} — subsidie: € 5.800,00 → € 11.600,00"
        )),
        "{changes}"
    );
    assert!(
        changes.contains(&format!(
            "Actie 2.9 {title} — KPI 2 (Uren taalcoaching) — streefwaarde: 2.000 → 4.000"
        )),
        "{changes}"
    );
    assert!(changes.contains("Totaal gevraagde subsidie: € 5.800,00 → € 11.600,00"));
    for code in ["grant_cents", "kpis[", "total_grant_cents", "actions["] {
        assert!(!changes.contains(code), "no code {code} in {changes}");
    }

    // The history reads as Dutch sentences, never as audit codes.
    let history = &html[html.find("<h2>Geschiedenis</h2>").unwrap()..];
    assert!(history.contains("KPI bewaard"));
    assert!(history.contains("Dossier ingediend"));
    assert!(history.contains("Aanpassingen gevraagd"));
    assert!(!history.contains("application."), "{history}");
}

#[tokio::test]
async fn the_decision_form_starts_from_the_confirmed_allocation_not_from_the_request() {
    use sea_orm::{ActiveModelTrait, EntityTrait, Set};
    let app = spawn_app().await;
    let (_official, dossier) = submitted_dossier(&app).await;
    let mut reviewer = app.signed_in(REVIEWER).await;
    reviewer.get(&format!("/beoordeling/{dossier}")).await;
    reviewer
        .post(&format!("/beoordeling/{dossier}/start"), &[])
        .await;

    // Without a confirmed allocation the form proposes the request.
    let (_, html) = reviewer.get(&format!("/beoordeling/{dossier}")).await;
    let row = entity::application::Entity::find_by_id(dossier.parse::<i64>().unwrap())
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    let action = {
        use sea_orm::{ColumnTrait, QueryFilter};
        entity::application_action::Entity::find()
            .filter(entity::application_action::Column::ApplicationId.eq(row.id))
            .one(&app.db)
            .await
            .unwrap()
            .unwrap()
    };
    let grant = format!("grant_{}", action.id);
    assert_eq!(field_value(&html, &grant), "25.000,00", "the request");
    assert!(!html.contains("Voorstel uit de bevestigde toewijzing"));

    // A confirmed allocation of € 18.000,00 for the action in its first project year.
    let now = chrono::Utc::now();
    let allocation = entity::allocation::ActiveModel {
        call_id: Set(row.call_id),
        year_number: Set(row.first_project_year),
        state: Set(entity::allocation::AllocationState::Confirmed),
        envelope_cents: Set(100_000_000),
        incentives_cents: Set(0),
        created_at: Set(now),
        confirmed_at: Set(Some(now)),
        version: Set(1),
        ..Default::default()
    }
    .insert(&app.db)
    .await
    .unwrap();
    entity::allocation_line::ActiveModel {
        allocation_id: Set(allocation.id),
        application_action_id: Set(action.id),
        requested_cents: Set(2_500_000),
        proposed_cents: Set(2_000_000),
        adjusted_cents: Set(Some(1_800_000)),
        reason: Set("Envelop verdeeld".into()),
        version: Set(1),
        ..Default::default()
    }
    .insert(&app.db)
    .await
    .unwrap();

    let (_, html) = reviewer.get(&format!("/beoordeling/{dossier}")).await;
    assert_eq!(
        field_value(&html, &grant),
        "18.000,00",
        "the confirmed allocation"
    );
    assert!(html.contains("Voorstel uit de bevestigde toewijzing"));

    // Deciding with the proposal as it stands is accepted (it is within every bound).
    let response = reviewer
        .post(
            &format!("/beoordeling/{dossier}/beslissing"),
            &[
                ("outcome", "approve"),
                (grant.as_str(), "18.000,00"),
                ("motivation", "Binnen de toewijzing."),
            ],
        )
        .await;
    assert_eq!(response.status(), 303);
}
