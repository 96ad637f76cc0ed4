//! The municipal mergers of 1 January 2025: officials, dossier memberships, leads and summed
//! population figures move to the successor, once, with conflicts reported instead of forced.

use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, Set};

use entity::application_member::MemberRole;
use entity::{app_user, application, application_member, municipality, population_figure};
use samenleven::mergers::{self, MergerActor, MergerReport};

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
