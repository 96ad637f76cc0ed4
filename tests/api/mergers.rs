//! The municipal mergers of 1 January 2025: officials, dossier memberships, leads and summed
//! population figures move to the successor, once, with conflicts reported instead of forced.

use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, Set};

use entity::application_member::MemberRole;
use entity::{app_user, application, application_member, municipality, population_figure};
use samenleven::mergers::{self, MergerActor, MergerReport};

use serde_json::{Value, json};

use crate::api_v1::Api;
use crate::helpers::{ADMIN, OFFICIAL_A, count, spawn_app};

const BEVEREN_KRUIBEKE_ZWIJNDRECHT: i32 = 46030;
const KRUIBEKE: i32 = 46013;
const ZWIJNDRECHT: i32 = 11056;
const ANTWERPEN: i32 = 11002;
const BORSBEEK: i32 = 11007;

async fn municipality(db: &DatabaseConnection, nis: i32) -> municipality::Model {
    municipality::Entity::find()
        .filter(municipality::Column::NisCode.eq(nis))
        .one(db)
        .await
        .unwrap()
        .expect("municipality")
}

/// Creates a draft dossier in the first call with these members (the first one leads).
async fn dossier(db: &DatabaseConnection, reference: &str, members: &[i32]) -> i64 {
    let call = entity::call::Entity::find()
        .filter(entity::call::Column::Code.eq("PS-2022-2024"))
        .one(db)
        .await
        .unwrap()
        .expect("a call");
    let lead = municipality(db, members[0]).await;
    let now = chrono::Utc::now();
    let app = application::ActiveModel {
        call_id: Set(call.id),
        reference: Set(reference.to_owned()),
        kind: Set(if members.len() > 1 {
            application::ApplicationKind::Cooperation
        } else {
            application::ApplicationKind::Single
        }),
        lead_municipality_id: Set(Some(lead.id)),
        partner_organisation_id: Set(None),
        title: Set(format!("Testdossier {reference}")),
        first_project_year: Set(1),
        last_project_year: Set(1),
        state: Set(application::ApplicationState::Draft),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
        ..Default::default()
    }
    .insert(db)
    .await
    .unwrap();
    for (i, nis) in members.iter().enumerate() {
        let m = municipality(db, *nis).await;
        application_member::ActiveModel {
            application_id: Set(app.id),
            call_id: Set(call.id),
            municipality_id: Set(m.id),
            role: Set(if i == 0 {
                MemberRole::Lead
            } else {
                MemberRole::Member
            }),
            consent_state: Set(application_member::ConsentState::Confirmed),
            consent_at: Set(Some(now)),
            invited_at: Set(now),
            version: Set(1),
            ..Default::default()
        }
        .insert(db)
        .await
        .unwrap();
    }
    app.id
}

/// An official of a municipality that no longer exists (the account forms refuse those).
async fn official_of(db: &DatabaseConnection, nis: i32, email: &str) -> i64 {
    let m = municipality(db, nis).await;
    app_user::ActiveModel {
        email: Set(email.to_owned()),
        name: Set(format!("Ambtenaar {}", m.name)),
        password_hash: Set(None),
        role: Set(app_user::UserRole::Official),
        municipality_id: Set(Some(m.id)),
        partner_organisation_id: Set(None),
        active: Set(true),
        created_at: Set(chrono::Utc::now()),
        last_login_at: Set(None),
        version: Set(1),
        ..Default::default()
    }
    .insert(db)
    .await
    .unwrap()
    .id
}

async fn members_of(
    db: &DatabaseConnection,
    application_id: i64,
) -> Vec<application_member::Model> {
    application_member::Entity::find()
        .filter(application_member::Column::ApplicationId.eq(application_id))
        .all(db)
        .await
        .unwrap()
}

async fn figures_of(
    db: &DatabaseConnection,
    municipality_id: i64,
) -> Vec<population_figure::Model> {
    let mut figures = population_figure::Entity::find()
        .filter(population_figure::Column::MunicipalityId.eq(municipality_id))
        .all(db)
        .await
        .unwrap();
    figures.sort_by_key(|f| f.reference_year);
    figures
}

async fn apply(db: &DatabaseConnection, dry_run: bool) -> MergerReport {
    mergers::apply_mergers(db, 2025, &MergerActor::system("test"), dry_run)
        .await
        .expect("apply mergers")
}

/// Rows of the tables the mergers touch, to compare before and after.
async fn snapshot(db: &DatabaseConnection) -> Vec<i64> {
    let mut counts = Vec::new();
    for table in [
        "population_figure",
        "application_member",
        "app_user WHERE municipality_id IN (SELECT id FROM municipality WHERE valid_to IS NOT NULL)",
        "application WHERE lead_municipality_id IN (SELECT id FROM municipality WHERE valid_to IS NOT NULL)",
        "application_member WHERE municipality_id IN (SELECT id FROM municipality WHERE valid_to IS NOT NULL)",
    ] {
        counts.push(count(db, table).await);
    }
    counts
}

#[tokio::test]
async fn applying_the_2025_mergers_moves_members_lead_officials_and_sums_figures() {
    let app = spawn_app().await;
    let db = &app.db;
    let dossier_id = dossier(db, "PS-TEST-FUSIE-1", &[KRUIBEKE, ZWIJNDRECHT]).await;
    let official = official_of(db, ZWIJNDRECHT, "ambtenaar@zwijndrecht.test").await;
    let successor = municipality(db, BEVEREN_KRUIBEKE_ZWIJNDRECHT).await;
    let predecessors = municipality::Entity::find()
        .filter(municipality::Column::SuccessorId.eq(successor.id))
        .all(db)
        .await
        .unwrap();
    let mut codes: Vec<i32> = predecessors.iter().map(|p| p.nis_code).collect();
    codes.sort_unstable();
    assert_eq!(
        codes,
        vec![ZWIJNDRECHT, 46003, KRUIBEKE],
        "the seeded merger"
    );
    let historic_before: Vec<Vec<population_figure::Model>> = {
        let mut all = Vec::new();
        for p in &predecessors {
            all.push(figures_of(db, p.id).await);
        }
        all
    };
    assert!(figures_of(db, successor.id).await.is_empty());

    // The dry run reports and changes nothing.
    let before = snapshot(db).await;
    let preview = apply(db, true).await;
    assert!(preview.dry_run);
    assert_eq!(preview.users_rebound, 1, "{preview}");
    assert_eq!(preview.memberships_moved, 1, "{preview}");
    assert_eq!(preview.memberships_merged, 1, "{preview}");
    assert_eq!(preview.leads_moved, 1, "{preview}");
    assert!(preview.figures_summed >= 2, "{preview}");
    assert_eq!(snapshot(db).await, before, "a dry run changes nothing");
    assert_eq!(count(db, "audit_log WHERE action LIKE 'merger.%'").await, 0);

    let report = apply(db, false).await;
    assert!(!report.dry_run);
    assert_eq!(report.changes(), preview.changes(), "{report}");
    assert!(report.conflicts.is_empty(), "{report}");
    assert_eq!(report.dossiers_merged, vec!["PS-TEST-FUSIE-1".to_owned()]);

    // The members are one municipality, the successor, and it leads.
    let members = members_of(db, dossier_id).await;
    assert_eq!(members.len(), 1, "{members:?}");
    assert_eq!(members[0].municipality_id, successor.id);
    assert_eq!(members[0].role, MemberRole::Lead);
    let dossier = application::Entity::find_by_id(dossier_id)
        .one(db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(dossier.lead_municipality_id, Some(successor.id));

    // The official of Zwijndrecht works for the successor.
    let user = app_user::Entity::find_by_id(official)
        .one(db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(user.municipality_id, Some(successor.id));

    // Summed figures for 2019 and 2020, computed from the predecessors' rows.
    let summed = figures_of(db, successor.id).await;
    let years: Vec<i32> = summed.iter().map(|f| f.reference_year).collect();
    assert!(years.contains(&2019) && years.contains(&2020), "{years:?}");
    for figure in &summed {
        let parts: Vec<&population_figure::Model> = historic_before
            .iter()
            .filter_map(|fs| {
                fs.iter()
                    .find(|f| f.reference_year == figure.reference_year)
            })
            .collect();
        assert_eq!(parts.len(), predecessors.len());
        let residents: Option<i64> = parts.iter().map(|f| f.residents).sum();
        let non_eu15: Option<i64> = parts.iter().map(|f| f.non_eu15_residents).sum();
        assert_eq!(figure.residents, residents, "{}", figure.reference_year);
        assert_eq!(
            figure.non_eu15_residents, non_eu15,
            "{}",
            figure.reference_year
        );
        assert_eq!(
            figure.non_eu15_fictitious,
            non_eu15.is_some() && parts.iter().any(|f| f.non_eu15_fictitious)
        );
        let source = figure.residents_source.as_deref().unwrap_or_default();
        assert!(
            source.starts_with("Som van de fusiegemeenten (")
                && source.contains("11056")
                && source.contains("46003")
                && source.contains("46013")
                && source.contains("bron: Statbel"),
            "{source}"
        );
    }
    let with_non_eu15 = summed
        .iter()
        .find(|f| f.reference_year == 2020)
        .expect("2020");
    assert!(
        with_non_eu15.non_eu15_residents.is_some(),
        "the demo figures are summed"
    );
    assert!(
        with_non_eu15.non_eu15_fictitious,
        "a sum of fictitious figures is fictitious"
    );

    // History stays on the old NIS codes, unchanged.
    for (p, before) in predecessors.iter().zip(&historic_before) {
        assert_eq!(&figures_of(db, p.id).await, before, "{}", p.nis_code);
    }

    // One audit entry per change, plus the summary.
    assert_eq!(
        count(db, "audit_log WHERE action = 'merger.user_rebound'").await,
        1
    );
    assert_eq!(
        count(db, "audit_log WHERE action = 'merger.membership_moved'").await,
        2
    );
    assert_eq!(
        count(db, "audit_log WHERE action = 'merger.lead_moved'").await,
        1
    );
    assert_eq!(
        count(db, "audit_log WHERE action = 'merger.figures_summed'").await,
        report.figures_summed as i64
    );
    assert_eq!(
        count(db, "audit_log WHERE action = 'merger.applied'").await,
        1
    );

    // A second run changes nothing and reports zeros.
    let after_first = snapshot(db).await;
    let again = apply(db, false).await;
    assert_eq!(again.changes(), 0, "{again}");
    assert_eq!(again.users_rebound + again.figures_summed, 0);
    assert_eq!(snapshot(db).await, after_first);
    assert_eq!(members_of(db, dossier_id).await.len(), 1);
}

#[tokio::test]
async fn two_merging_municipalities_in_two_dossiers_of_one_call_are_a_conflict_not_a_crash() {
    let app = spawn_app().await;
    let db = &app.db;
    let first = dossier(db, "PS-TEST-FUSIE-A", &[KRUIBEKE]).await;
    let second = dossier(db, "PS-TEST-FUSIE-B", &[ZWIJNDRECHT]).await;
    let successor = municipality(db, BEVEREN_KRUIBEKE_ZWIJNDRECHT).await;
    let zwijndrecht = municipality(db, ZWIJNDRECHT).await;

    let report = apply(db, false).await;
    assert_eq!(report.memberships_moved, 1, "{report}");
    assert_eq!(report.leads_moved, 1, "{report}");
    assert_eq!(report.conflicts.len(), 1, "{report}");
    let conflict = &report.conflicts[0];
    assert_eq!(conflict.application_id, second);
    assert_eq!(conflict.successor_application_id, first);
    assert_eq!(conflict.municipality.nis_code, ZWIJNDRECHT);
    assert!(
        report.to_string().contains("beslissing van een beheerder"),
        "{report}"
    );

    // The first dossier (lowest id) gets the successor; the other stays on the old municipality.
    assert_eq!(members_of(db, first).await[0].municipality_id, successor.id);
    assert_eq!(
        members_of(db, second).await[0].municipality_id,
        zwijndrecht.id
    );
    let second_dossier = application::Entity::find_by_id(second)
        .one(db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(second_dossier.lead_municipality_id, Some(zwijndrecht.id));

    // Running again changes nothing and still reports the conflict.
    let again = apply(db, false).await;
    assert_eq!(again.changes(), 0, "{again}");
    assert_eq!(again.conflicts, report.conflicts);
}

#[tokio::test]
async fn antwerpen_absorbs_borsbeek_keeps_its_historic_figures_and_the_report_warns() {
    let app = spawn_app().await;
    let db = &app.db;
    let antwerpen = municipality(db, ANTWERPEN).await;
    let dossier_id = dossier(db, "PS-TEST-FUSIE-ANT", &[ANTWERPEN, BORSBEEK]).await;
    let figures_before = figures_of(db, antwerpen.id).await;
    assert!(!figures_before.is_empty());

    let report = apply(db, false).await;
    assert_eq!(report.memberships_merged, 1, "{report}");
    assert_eq!(report.leads_moved, 0, "{report}");
    assert_eq!(figures_of(db, antwerpen.id).await, figures_before);
    assert!(
        report
            .warnings
            .iter()
            .any(|w| w.contains("Antwerpen (11002)") && w.contains("Borsbeek (11007)")),
        "{report}"
    );
    let members = members_of(db, dossier_id).await;
    assert_eq!(members.len(), 1);
    assert_eq!(members[0].municipality_id, antwerpen.id);
    assert_eq!(members[0].role, MemberRole::Lead);
}

#[tokio::test]
async fn only_the_2025_mergers_are_known() {
    let app = spawn_app().await;
    let err = mergers::apply_mergers(&app.db, 2024, &MergerActor::system("test"), false)
        .await
        .expect_err("2024 has no mergers");
    assert_eq!(err.to_string(), "Voor 2024 zijn geen fusies gekend.");
    assert_eq!(
        count(&app.db, "audit_log WHERE action LIKE 'merger.%'").await,
        0
    );
}

#[tokio::test]
async fn the_apply_mergers_command_applies_and_refuses_an_unknown_year() {
    let app = spawn_app().await;
    let dossier_id = dossier(&app.db, "PS-TEST-FUSIE-CLI", &[KRUIBEKE, ZWIJNDRECHT]).await;
    let run = |year: &str| {
        std::process::Command::new(env!("CARGO_BIN_EXE_samenleven"))
            .args(["apply-mergers", "--year", year])
            .env("DATABASE_URL", &app.database_url)
            .env("DATA_DIR", app.data_dir.path())
            .env("RUST_LOG", "error")
            .output()
            .expect("run the binary")
    };
    let refused = run("2030");
    assert!(!refused.status.success());
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(
        stderr.contains("Voor 2030 zijn geen fusies gekend."),
        "{stderr}"
    );

    let output = run("2025");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        stdout.contains("Fusies van 1 januari 2025 toegepast"),
        "{stdout}"
    );
    assert!(stdout.contains("trekkers gewijzigd: 1"), "{stdout}");
    let successor = municipality(&app.db, BEVEREN_KRUIBEKE_ZWIJNDRECHT).await;
    let members = members_of(&app.db, dossier_id).await;
    assert_eq!(members.len(), 1);
    assert_eq!(members[0].municipality_id, successor.id);
}

#[tokio::test]
async fn the_admin_page_previews_and_applies_the_mergers_and_is_for_admins_only() {
    let app = spawn_app().await;
    let dossier_id = dossier(&app.db, "PS-TEST-FUSIE-WEB", &[KRUIBEKE, ZWIJNDRECHT]).await;

    let mut official = app.signed_in(OFFICIAL_A).await;
    assert_eq!(official.get("/beheer/fusies").await.0, 403);
    assert_eq!(
        official
            .post("/beheer/fusies", &[("year", "2025")])
            .await
            .status(),
        403
    );

    let mut admin = app.signed_in(ADMIN).await;
    let (status, html) = admin.get("/beheer/fusies").await;
    assert_eq!(status, 200);
    assert!(
        html.contains("Beveren-Kruibeke-Zwijndrecht (46030)"),
        "{html}"
    );
    assert!(html.contains("Kruibeke (46013)"));
    assert!(html.contains("<caption>"));
    assert!(html.contains("scope=\"col\""));
    assert!(
        html.contains("PS-TEST-FUSIE-WEB"),
        "the preview names the merged dossier"
    );
    assert_eq!(
        members_of(&app.db, dossier_id).await.len(),
        2,
        "the page only previews"
    );

    let refused = admin.post("/beheer/fusies", &[("year", "2024")]).await;
    assert_eq!(refused.status(), 422);
    assert!(
        refused
            .text()
            .await
            .unwrap()
            .contains("Voor 2024 zijn geen fusies gekend.")
    );

    let response = admin.post("/beheer/fusies", &[("year", "2025")]).await;
    assert_eq!(response.status(), 303);
    assert_eq!(response.headers()["location"], "/beheer/fusies");
    let (_, html) = admin.get("/beheer/fusies").await;
    assert!(
        html.contains("Fusies toegepast van 2025"),
        "the flash summarises the report"
    );
    assert_eq!(members_of(&app.db, dossier_id).await.len(), 1);
    let admin_id = crate::helpers::user_id(&app.db, ADMIN).await;
    assert_eq!(
        count(
            &app.db,
            &format!("audit_log WHERE action = 'merger.applied' AND actor_user_id = {admin_id}")
        )
        .await,
        1
    );
}

// ------------------------------------------------------------------ verdicts of merged municipalities

const DEMO_CALL: &str = "DEMO-GK-2027-2029";
const PS_CALL: &str = "PS-2022-2024";

async fn call_id(db: &DatabaseConnection, code: &str) -> i64 {
    entity::call::Entity::find()
        .filter(entity::call::Column::Code.eq(code))
        .one(db)
        .await
        .unwrap()
        .expect("a seeded call")
        .id
}

/// The stored 2020 non-EU15 figure of the municipality with NIS code `nis`.
async fn non_eu15_2020(db: &DatabaseConnection, nis: i32) -> i64 {
    let m = municipality(db, nis).await;
    figures_of(db, m.id)
        .await
        .into_iter()
        .find(|f| f.reference_year == 2020)
        .and_then(|f| f.non_eu15_residents)
        .expect("a 2020 figure")
}

/// The eligibility of `nis` in call `call` over the API, as `who` asks it.
async fn eligibility(app: &crate::helpers::TestApp, who: &str, nis: i32, call: i64) -> Value {
    let api = Api::new(app, who).await;
    let (status, body) = api
        .get(&format!(
            "/api/v1/municipalities/{nis}/eligibility?call_id={call}"
        ))
        .await;
    assert_eq!(status, 200, "{body}");
    body
}

fn result<'a>(body: &'a Value, rule: &str) -> &'a Value {
    body["verdict"]["results"]
        .as_array()
        .and_then(|rs| rs.iter().find(|r| r["rule"] == rule))
        .unwrap_or_else(|| panic!("no {rule} in {body}"))
}

#[tokio::test]
async fn antwerpen_is_judged_on_its_sum_with_borsbeek_in_a_call_after_the_merger() {
    let app = spawn_app().await;
    let db = &app.db;
    let demo = call_id(db, DEMO_CALL).await;
    let antwerpen = non_eu15_2020(db, ANTWERPEN).await;
    let borsbeek = non_eu15_2020(db, BORSBEEK).await;

    let body = eligibility(&app, OFFICIAL_A, ANTWERPEN, demo).await;
    let m = &body["municipality"];
    assert_eq!(
        m["non_eu15_residents"]["value"],
        json!(antwerpen + borsbeek),
        "the sum with Borsbeek, never Antwerpen's own figure: {m}"
    );
    let former: Vec<i64> = m["merger"]["former"]
        .as_array()
        .expect("former municipalities")
        .iter()
        .filter_map(|f| f["nis_code"].as_i64())
        .collect();
    assert_eq!(former, vec![i64::from(ANTWERPEN), i64::from(BORSBEEK)]);
    assert_eq!(m["merger"]["merged_on"], "2025-01-01");
    assert_eq!(
        m["merger"]["former"][1]["non_eu15_residents"]["value"],
        json!(borsbeek)
    );

    let threshold = result(&body, "single.threshold");
    let message = threshold["message"].as_str().unwrap_or_default();
    assert!(
        message.contains(
            "Antwerpen bestaat sinds 1 januari 2025 uit de vroegere gemeenten Antwerpen en Borsbeek"
        ),
        "{message}"
    );
    assert!(message.contains("de som van hun cijfers"), "{message}");
    // The fictitious figure is labelled once, without "geen officiële statistiek" beside it.
    assert_eq!(message.matches("fictief").count(), 1, "{message}");
    assert!(!message.contains("officiële statistiek"), "{message}");
    assert_eq!(threshold["outcome"], "pass");
    assert_eq!(threshold["outcome_label"], "voldaan", "the Dutch word");

    // The demo call is fictitious, and its verdict says so once.
    let verdict = &body["verdict"];
    assert_eq!(verdict["call_fictitious"], true);
    let summary = verdict["summary"].as_str().unwrap_or_default();
    assert_eq!(
        summary.matches("fictieve demo-oproep").count(),
        1,
        "{summary}"
    );
    assert!(
        verdict["results"]
            .as_array()
            .is_some_and(|rs| rs.iter().all(|r| !r["message"]
                .as_str()
                .unwrap_or_default()
                .contains("demo-oproep"))),
        "{verdict}"
    );

    // In the 2022 call (map of 2022) Antwerpen and Borsbeek are two municipalities.
    let ps = call_id(db, PS_CALL).await;
    let body = eligibility(&app, OFFICIAL_A, ANTWERPEN, ps).await;
    assert_eq!(
        body["municipality"]["non_eu15_residents"]["value"],
        json!(antwerpen)
    );
    assert_eq!(body["municipality"]["merger"], Value::Null);
    assert_eq!(body["verdict"]["call_fictitious"], false);
    assert!(
        !body["verdict"]["summary"]
            .as_str()
            .unwrap_or_default()
            .contains("demo-oproep")
    );
}

#[tokio::test]
async fn without_borsbeeks_figure_antwerpen_has_none_and_qualifies_by_name_only() {
    let app = spawn_app().await;
    let db = &app.db;
    let demo = call_id(db, DEMO_CALL).await;
    let borsbeek = municipality(db, BORSBEEK).await;
    crate::helpers::exec(
        &app,
        &format!(
            "UPDATE population_figure SET non_eu15_residents = NULL, non_eu15_source = NULL \
             WHERE municipality_id = {} AND reference_year = 2020",
            borsbeek.id
        ),
    )
    .await;

    let body = eligibility(&app, OFFICIAL_A, ANTWERPEN, demo).await;
    assert_eq!(
        body["municipality"]["non_eu15_residents"],
        Value::Null,
        "no figure rather than Antwerpen's own: {}",
        body["municipality"]
    );
    assert!(
        body["municipality"]["residents"]["value"].is_i64(),
        "the residents of both are still summed"
    );
    assert_eq!(
        body["verdict"]["decision"], "eligible_alone",
        "named in the call"
    );
    let threshold = result(&body, "single.threshold");
    assert_eq!(threshold["outcome"], "warning");
    assert_eq!(threshold["outcome_label"], "let op");
    let message = threshold["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("voor Borsbeek is er geen cijfer van het aantal inwoners van niet-EU15-herkomst voor referentiejaar 2020"),
        "{message}"
    );
    assert!(
        message.contains("Uit de cijfers is dus niet te berekenen"),
        "{message}"
    );
    assert!(!message.contains("Antwerpen telt"), "{message}");
}

#[tokio::test]
async fn a_new_municipality_of_2025_is_judged_on_the_sum_of_its_three_former_ones() {
    let app = spawn_app().await;
    let db = &app.db;
    let demo = call_id(db, DEMO_CALL).await;
    let mut sum = 0;
    for nis in [ZWIJNDRECHT, 46003, KRUIBEKE] {
        sum += non_eu15_2020(db, nis).await;
    }
    let body = eligibility(
        &app,
        crate::helpers::REVIEWER,
        BEVEREN_KRUIBEKE_ZWIJNDRECHT,
        demo,
    )
    .await;
    assert_eq!(
        body["municipality"]["non_eu15_residents"]["value"],
        json!(sum)
    );
    assert_eq!(
        body["municipality"]["merger"]["former"]
            .as_array()
            .map(Vec::len),
        Some(3)
    );
    let message = result(&body, "single.threshold")["message"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(
        message.contains("uit de vroegere gemeenten Zwijndrecht, Beveren en Kruibeke"),
        "{message}"
    );

    // Applying the mergers stores the same sum for the new municipality: nothing changes.
    apply(db, false).await;
    let again = eligibility(
        &app,
        crate::helpers::REVIEWER,
        BEVEREN_KRUIBEKE_ZWIJNDRECHT,
        demo,
    )
    .await;
    assert_eq!(
        again["municipality"]["non_eu15_residents"]["value"],
        json!(sum)
    );

    // Without Kruibeke's figure there is no sum, and no decision.
    let kruibeke = municipality(db, KRUIBEKE).await;
    crate::helpers::exec(
        &app,
        &format!(
            "UPDATE population_figure SET non_eu15_residents = NULL, non_eu15_source = NULL \
             WHERE municipality_id = {} AND reference_year = 2020",
            kruibeke.id
        ),
    )
    .await;
    let body = eligibility(
        &app,
        crate::helpers::REVIEWER,
        BEVEREN_KRUIBEKE_ZWIJNDRECHT,
        demo,
    )
    .await;
    assert_eq!(body["municipality"]["non_eu15_residents"], Value::Null);
    assert_eq!(body["verdict"]["decision"], "cannot_decide");
    let summary = body["verdict"]["summary"].as_str().unwrap_or_default();
    assert!(
        summary.contains("het cijfer van 2020 van Kruibeke ontbreekt"),
        "{summary}"
    );
    assert_eq!(
        result(&body, "single.threshold")["outcome_label"],
        "kan niet beslissen"
    );
}
