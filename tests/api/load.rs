//! Issue 10: the load-test dataset (`samenleven seed-load`) and the shortcuts the busy pages
//! take: the dashboard and the dossier checks read only the applicant's reference region
//! (`store::rules::directory_around`, `taken_among`) and must give exactly the answers the
//! whole directory gives.

use std::process::Output;

use samenleven::domain::{Advisor, AdvisorOptions, assess_single, check_application};
use samenleven::store;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use crate::helpers::{Browser, TestApp, count, spawn_app};

async fn samenleven(app: &TestApp, args: &[&str]) -> Output {
    tokio::process::Command::new(env!("CARGO_BIN_EXE_samenleven"))
        .args(args)
        .env("DATABASE_URL", &app.database_url)
        .env("DATA_DIR", app.data_dir.path())
        .env("RUST_LOG", "error")
        .output()
        .await
        .expect("run the binary")
}

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

async fn seed_load(app: &TestApp, dossiers: &str) {
    let output = samenleven(app, &["seed-load", "--dossiers", dossiers]).await;
    assert!(output.status.success(), "{}", text(&output));
}

#[tokio::test]
async fn seed_load_fills_every_state_with_fictitious_data_and_refuses_a_real_database() {
    let app = spawn_app().await;
    let output = samenleven(&app, &["seed-load", "--dossiers", "600", "--calls", "2"]).await;
    assert!(
        !output.status.success(),
        "600 dossiers do not fit in 2 calls"
    );
    assert!(
        text(&output).contains("hoogstens één dossier per oproep"),
        "{}",
        text(&output)
    );

    seed_load(&app, "600").await;
    assert_eq!(count(&app.db, "application").await, 600);
    assert_eq!(
        count(
            &app.db,
            "app_user WHERE email LIKE 'gemeente-%@load.samenleven.test'"
        )
        .await,
        300,
        "an official per municipality"
    );
    assert_eq!(count(&app.db, "call WHERE code LIKE 'LOAD-%'").await, 3);
    assert_eq!(
        count(&app.db, "call WHERE code LIKE 'LOAD-%' AND state = 'open'").await,
        1
    );
    for state in [
        "draft",
        "submitted",
        "in_review",
        "changes_requested",
        "resubmitted",
        "approved",
        "partly_approved",
        "rejected",
        "withdrawn",
    ] {
        assert!(
            count(&app.db, &format!("application WHERE state = '{state}'")).await > 0,
            "dossiers in state {state}"
        );
    }
    assert_eq!(
        count(&app.db, "application WHERE title NOT LIKE '%FICTIEF%'").await,
        0,
        "every dossier says it is fictitious"
    );
    assert!(count(&app.db, "application WHERE kind = 'cooperation'").await > 0);
    assert!(count(&app.db, "kpi_result").await > 0);
    assert!(count(&app.db, "progress_report WHERE state = 'accepted'").await > 0);
    assert_eq!(
        count(
            &app.db,
            "application a WHERE state IN ('approved', 'partly_approved', 'rejected') \
             AND NOT EXISTS (SELECT 1 FROM decision d WHERE d.application_id = a.id)"
        )
        .await,
        0,
        "every decided dossier has its decision"
    );

    // A load official signs in with the demo password and sees the dashboard.
    let mut official =
        Browser::signed_in(&app.address, "gemeente-11002@load.samenleven.test").await;
    let (status, html) = official.get("/gemeente").await;
    assert_eq!(status, 200);
    assert!(html.contains("Belastingstest-oproep"), "the open load call");

    let output = samenleven(&app, &["seed-load", "--dossiers", "10"]).await;
    assert!(!output.status.success());
    assert!(text(&output).contains("al geladen"), "{}", text(&output));

    let fresh = spawn_app().await;
    let output = tokio::process::Command::new(env!("CARGO_BIN_EXE_samenleven"))
        .args([
            "create-user",
            "--email",
            "echt@gent.be",
            "--name",
            "Echte Ambtenaar",
            "--role",
            "official",
            "--municipality",
            "44021",
        ])
        .env("DATABASE_URL", &fresh.database_url)
        .env("DATA_DIR", fresh.data_dir.path())
        .env("RUST_LOG", "error")
        .output()
        .await
        .unwrap();
    assert!(output.status.success(), "{}", text(&output));
    let output = samenleven(&fresh, &["seed-load", "--dossiers", "10"]).await;
    assert!(!output.status.success());
    assert!(
        text(&output).contains("alleen voor testdatabases"),
        "{}",
        text(&output)
    );
    assert_eq!(count(&fresh.db, "application").await, 0);
}

#[tokio::test]
async fn the_region_directory_gives_every_municipality_the_same_verdict_and_advice() {
    let app = spawn_app().await;
    seed_load(&app, "260").await;
    let open = entity::call::Entity::find()
        .filter(entity::call::Column::Code.eq("LOAD-02"))
        .one(&app.db)
        .await
        .unwrap()
        .expect("the open load call");
    let context = store::rules::call_context(&app.db, open.id)
        .await
        .unwrap()
        .unwrap();
    let (whole, _) = store::rules::directory(&app.db, open.reference_year, context.map_date())
        .await
        .unwrap();
    let all_taken = store::rules::taken(&app.db, open.id).await.unwrap();
    assert!(!all_taken.is_empty(), "some municipalities are taken");
    let full_advisor = Advisor::new(
        &context.rules,
        &whole,
        &all_taken,
        AdvisorOptions::default(),
    );
    let mut compared = 0;
    for m in whole.iter() {
        let code = i32::try_from(m.nis_code.get()).unwrap();
        let (around, _) = store::rules::directory_around(
            &app.db,
            open.reference_year,
            context.map_date(),
            &[code],
        )
        .await
        .unwrap();
        assert!(around.len() < whole.len(), "only the region of {}", m.name);
        let region: Vec<i32> = around
            .iter()
            .map(|x| i32::try_from(x.nis_code.get()).unwrap())
            .collect();
        let some_taken = store::rules::taken_among(&app.db, open.id, &region)
            .await
            .unwrap();
        let near = around.get(m.nis_code).expect("the municipality itself");
        assert_eq!(near, m);
        assert_eq!(
            assess_single(&context.rules, near, &some_taken),
            assess_single(&context.rules, m, &all_taken),
            "verdict of {}",
            m.name
        );
        let region_advisor = Advisor::new(
            &context.rules,
            &around,
            &some_taken,
            AdvisorOptions::default(),
        );
        assert_eq!(
            region_advisor.advise(m.nis_code).unwrap(),
            full_advisor.advise(m.nis_code).unwrap(),
            "advice for {}",
            m.name
        );
        compared += 1;
    }
    assert_eq!(compared, 300);
}

#[tokio::test]
async fn a_dossier_check_on_the_region_directory_equals_the_check_on_the_whole_directory() {
    let app = spawn_app().await;
    seed_load(&app, "260").await;
    let dossiers = entity::application::Entity::find()
        .all(&app.db)
        .await
        .unwrap();
    let mut cooperations = 0;
    for app_row in dossiers
        .iter()
        .filter(|a| a.id % 5 == 0 || a.kind == entity::application::ApplicationKind::Cooperation)
    {
        let dossier = store::applications::with_parties(&app.db, app_row.id)
            .await
            .unwrap()
            .unwrap();
        let content = store::drafts::load(&app.db, dossier).await.unwrap();
        let (whole, _) = store::rules::directory(
            &app.db,
            content.call.call.reference_year,
            content.call.map_date(),
        )
        .await
        .unwrap();
        let taken = store::rules::taken(&app.db, content.call.call.id)
            .await
            .unwrap();
        let expected = check_application(
            &content.call.rules,
            &whole,
            &taken,
            &content.draft().unwrap(),
        );
        assert_eq!(
            content.report(&app.db).await.unwrap(),
            expected,
            "dossier {}",
            app_row.reference
        );
        if app_row.kind == entity::application::ApplicationKind::Cooperation {
            cooperations += 1;
        }
    }
    assert!(cooperations > 0, "cooperations were compared too");
}

#[tokio::test]
async fn who_is_taken_in_several_calls_at_once_equals_asking_each_call_on_its_own() {
    let app = spawn_app().await;
    seed_load(&app, "260").await;
    let mut call_ids: Vec<i64> = entity::application_member::Entity::find()
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .map(|m| m.call_id)
        .collect();
    call_ids.sort_unstable();
    call_ids.dedup();
    assert!(call_ids.len() >= 2, "memberships in more than one call");
    let whole: Vec<i32> = entity::municipality::Entity::find()
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .map(|m| m.nis_code)
        .collect();
    // Each call is asked about a different half of the municipalities.
    let halves: Vec<Vec<i32>> = call_ids
        .iter()
        .enumerate()
        .map(|(i, _)| {
            whole
                .iter()
                .copied()
                .filter(|code| (*code as usize + i).is_multiple_of(2))
                .collect()
        })
        .collect();
    let wanted: Vec<(i64, &[i32])> = call_ids
        .iter()
        .zip(&halves)
        .map(|(id, codes)| (*id, codes.as_slice()))
        .collect();
    let together = store::rules::taken_in_calls(&app.db, &wanted)
        .await
        .unwrap();
    assert_eq!(
        together.len(),
        call_ids.len(),
        "every call asked is answered"
    );
    let mut found = 0;
    for (call_id, codes) in &wanted {
        let alone = store::rules::taken_among(&app.db, *call_id, codes)
            .await
            .unwrap();
        assert_eq!(together[call_id], alone, "call {call_id}");
        let whole_call = store::rules::taken(&app.db, *call_id).await.unwrap();
        for code in &whole {
            let nis = store::rules::nis(*code).unwrap();
            let expected = codes
                .contains(code)
                .then(|| whole_call.application_of(nis))
                .flatten();
            assert_eq!(together[call_id].application_of(nis), expected);
        }
        found += alone.len();
    }
    assert!(found > 0, "some asked municipalities are taken");
}
