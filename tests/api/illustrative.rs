//! Nothing invented looks official (issue 21, item 5): what no source gives is marked
//! "illustratief: nog door ABB te bevestigen" where it is shown and `illustrative: true` in the
//! API; the demo call is `fictitious`, and its verdicts say so once.

use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use serde_json::Value;

use entity::progress_report::ReportKind;

use crate::api_v1::Api;
use crate::calls::{edit_call, first_call};
use crate::followup::{Spec, approved, report};
use crate::helpers::{ADMIN, OFFICIAL_A, REVIEWER, TestApp, spawn_app};

const MARK: &str = "illustratief: nog door ABB te bevestigen";

fn call_by_code<'a>(calls: &'a Value, code: &str) -> &'a Value {
    calls
        .as_array()
        .and_then(|cs| cs.iter().find(|c| c["code"] == code))
        .unwrap_or_else(|| panic!("no {code} in {calls}"))
}

async fn calls(app: &TestApp) -> Value {
    let api = Api::new(app, OFFICIAL_A).await;
    let (status, body) = api.get("/api/v1/calls").await;
    assert_eq!(status, 200, "{body}");
    body
}

#[tokio::test]
async fn the_api_marks_the_calls_illustrative_dates_and_rules_and_the_demo_call_as_fictitious() {
    let app = spawn_app().await;
    let all = calls(&app).await;

    let ps = call_by_code(&all, "PS-2022-2024");
    assert_eq!(ps["fictitious"], false);
    assert_eq!(
        ps["submission_opens"]["illustrative"], true,
        "15 April 2022 was assumed"
    );
    assert_eq!(
        ps["submission_opens"]["at"], ps["submission_opens_at"],
        "the old field stays, with the same moment"
    );
    let years = ps["project_years"].as_array().expect("project years");
    let marks: Vec<(bool, bool)> = years
        .iter()
        .map(|y| {
            (
                y["interim_report_due"]["illustrative"] == true,
                y["year_report_due"]["illustrative"] == true,
            )
        })
        .collect();
    assert_eq!(
        marks,
        vec![(false, false), (true, true), (true, true)],
        "year 1's report dates are published, those of years 2 and 3 derived"
    );
    assert_eq!(years[0]["interim_report_due"]["date"], "2023-04-15");

    let demo = call_by_code(&all, "DEMO-GK-2027-2029");
    assert_eq!(demo["fictitious"], true);
    assert_eq!(demo["submission_opens"]["illustrative"], true);
    assert!(
        demo["project_years"].as_array().is_some_and(|ys| ys
            .iter()
            .all(|y| y["year_report_due"]["illustrative"] == true)),
        "every date of a fictitious call is illustrative"
    );

    // The rules no source gives, in words, each marked.
    let api = Api::new(&app, OFFICIAL_A).await;
    let (status, detail) = api.get(&format!("/api/v1/calls/{}", ps["id"])).await;
    assert_eq!(status, 200, "{detail}");
    for rule in ["rank_sharing", "reclaim_formula", "late_approval_deadlines"] {
        let r = &detail["rules"][rule];
        assert_eq!(r["illustrative"], true, "{rule}: {r}");
        assert!(r["text"].as_str().is_some_and(|t| !t.is_empty()), "{rule}");
    }
    assert!(
        detail["rules"]["rank_sharing"]["text"]
            .as_str()
            .is_some_and(|t| t.contains("naar rato van het aantal inwoners van niet-EU15-herkomst"))
    );
    assert_eq!(detail["fictitious"], false);
    assert_eq!(
        detail["partner_agreements"],
        serde_json::json!([]),
        "no agreement is attached to the real call"
    );
    // The real windows of the later rounds.
    let rounds: Vec<&Value> = detail["project_years"]
        .as_array()
        .map(|ys| ys.iter().map(|y| &y["round"]).collect())
        .unwrap_or_default();
    assert_eq!(
        rounds[0]["submission_closes_at"], detail["submission_closes_at"],
        "round 1 is the call's own window"
    );
    assert_eq!(rounds[1]["submission_opens_at"], "2023-05-25T22:00:00Z");
    assert_eq!(rounds[2]["submission_closes_at"], "2024-05-06T10:00:00Z");

    let (_, demo_detail) = api.get(&format!("/api/v1/calls/{}", demo["id"])).await;
    let agreements = demo_detail["partner_agreements"]
        .as_array()
        .expect("agreements");
    assert_eq!(agreements.len(), 2, "{demo_detail}");
    assert!(agreements.iter().all(|a| a["illustrative"] == true));
    let line8 = demo_detail["actions"]
        .as_array()
        .and_then(|ls| ls.iter().find(|l| l["code"] == "8"))
        .expect("action 8");
    assert_eq!(
        line8["unit_amounts"],
        serde_json::json!([{"from_project_year": 2, "unit_cost_cents": 2_000_000}]),
        "the demo call's fictitious change of amount"
    );
}

#[tokio::test]
async fn the_pages_mark_the_illustrative_opening_and_report_dates_and_a_date_abb_changes_is_its_own()
 {
    let app = spawn_app().await;
    let call = first_call(&app).await;
    let mut admin = app.signed_in(ADMIN).await;
    let (status, html) = admin.get(&format!("/beheer/oproepen/{}", call.id)).await;
    assert_eq!(status, 200);
    let submission = html
        .split("<dt>Indienen</dt>")
        .nth(1)
        .and_then(|s| s.split("</dd>").next())
        .unwrap_or_default();
    assert!(submission.contains(MARK), "{submission}");
    let years = html
        .split("<caption>Projectjaren</caption>")
        .nth(1)
        .and_then(|s| s.split("</table>").next())
        .unwrap_or_default();
    assert_eq!(
        years.matches(MARK).count(),
        4,
        "two dates of years 2 and 3: {years}"
    );

    let (_, start) = app.get_html("/").await;
    assert!(start.contains(MARK), "the start page marks the opening");

    // ABB sets the report dates of year 2: they are its own, no longer illustrative.
    let response = edit_call(
        &mut admin,
        call.id,
        &[
            ("y2_interim_report_due", "2024-04-16"),
            ("y2_year_report_due", "2024-10-16"),
        ],
    )
    .await;
    assert_eq!(
        response.status(),
        303,
        "{}",
        response.text().await.unwrap_or_default()
    );
    let stored = entity::call_project_year::Entity::find()
        .filter(entity::call_project_year::Column::CallId.eq(call.id))
        .all(&app.db)
        .await
        .unwrap();
    let marks: Vec<(i32, bool)> = {
        let mut m: Vec<(i32, bool)> = stored
            .iter()
            .map(|y| (y.year_number, y.report_dates_illustrative))
            .collect();
        m.sort_unstable();
        m
    };
    assert_eq!(marks, vec![(1, false), (2, false), (3, true)]);
    let (_, html) = admin.get(&format!("/beheer/oproepen/{}", call.id)).await;
    let years = html
        .split("<caption>Projectjaren</caption>")
        .nth(1)
        .and_then(|s| s.split("</table>").next())
        .unwrap_or_default();
    assert_eq!(
        years.matches(MARK).count(),
        2,
        "only year 3 is left: {years}"
    );

    // A restart does not mark them again: the seeded dates are gone.
    samenleven::seed::load_all(&app.db, false)
        .await
        .expect("seed again");
    let year2 = entity::call_project_year::Entity::find()
        .filter(entity::call_project_year::Column::CallId.eq(call.id))
        .filter(entity::call_project_year::Column::YearNumber.eq(2))
        .one(&app.db)
        .await
        .unwrap()
        .expect("year 2");
    assert!(!year2.report_dates_illustrative);
}

#[tokio::test]
async fn a_database_seeded_before_the_marks_gets_them_for_the_dates_still_seeded() {
    let app = spawn_app().await;
    let call = first_call(&app).await;
    // As a database migrated from before: every mark false.
    crate::helpers::exec(
        &app,
        "UPDATE call_project_year SET report_dates_illustrative = FALSE",
    )
    .await;
    crate::helpers::exec(
        &app,
        "UPDATE call SET submission_opens_illustrative = FALSE",
    )
    .await;
    samenleven::seed::load_all(&app.db, false)
        .await
        .expect("seed again");
    let stored = first_call(&app).await;
    assert!(stored.submission_opens_illustrative);
    let mut marks: Vec<(i32, bool)> = entity::call_project_year::Entity::find()
        .filter(entity::call_project_year::Column::CallId.eq(call.id))
        .all(&app.db)
        .await
        .unwrap()
        .iter()
        .map(|y| (y.year_number, y.report_dates_illustrative))
        .collect();
    marks.sort_unstable();
    assert_eq!(marks, vec![(1, false), (2, true), (3, true)]);
}

#[tokio::test]
async fn a_report_deadline_says_whether_it_is_the_calls_date_a_derived_one_or_moved_for_a_late_approval()
 {
    let app = spawn_app().await;
    let spec = [Spec {
        code: "4.3",
        planned: 4,
        requested: 10_000_000,
        granted: "100.000,00",
        extra: None,
    }];
    let f = approved(&app, 11002, &[], 2, &spec).await;
    // Approved today, years after project year 1 started: every deadline was moved.
    let official = Api::new(&app, OFFICIAL_A).await;
    let (status, list) = official
        .get(&format!("/api/v1/dossiers/{}/reports", f.id))
        .await;
    assert_eq!(status, 200, "{list}");
    let items = list["items"].as_array().expect("reports");
    assert_eq!(items.len(), 4);
    for item in items {
        assert_eq!(item["due"]["illustrative"], true, "{item}");
        assert_eq!(item["due"]["date"], item["due_on"]);
        assert!(
            item["due"]["note"]
                .as_str()
                .is_some_and(|n| n.starts_with(MARK) && n.contains("verschoven")),
            "{item}"
        );
    }

    // Back on the call's dates (as for a dossier approved in time): year 1's are published,
    // year 2's derived.
    for (year, kind, date) in [
        (1, ReportKind::Interim, (2023, 4, 15)),
        (2, ReportKind::Interim, (2024, 4, 15)),
    ] {
        let row = report(&app, f.id, year, kind).await;
        let mut active: entity::progress_report::ActiveModel = row.into();
        active.due_on = Set(chrono::NaiveDate::from_ymd_opt(date.0, date.1, date.2).unwrap());
        active.update(&app.db).await.unwrap();
    }
    let (_, list) = official
        .get(&format!("/api/v1/dossiers/{}/reports", f.id))
        .await;
    let due = |year: i64, kind: &str| {
        list["items"]
            .as_array()
            .and_then(|items| {
                items
                    .iter()
                    .find(|r| r["year_number"] == year && r["kind"] == kind)
            })
            .map(|r| r["due"].clone())
            .unwrap_or_default()
    };
    assert_eq!(due(1, "interim")["illustrative"], false);
    assert_eq!(due(1, "interim")["note"], Value::Null);
    assert_eq!(due(2, "interim")["illustrative"], true);
    assert!(
        due(2, "interim")["note"]
            .as_str()
            .is_some_and(|n| n.contains("afgeleid, niet gepubliceerd"))
    );

    // The report page and the dossier's follow-up say the same.
    let year2 = report(&app, f.id, 2, ReportKind::Interim).await;
    let mut browser = app.signed_in(OFFICIAL_A).await;
    let (status, page) = browser
        .get(&format!("/dossiers/{}/rapporten/{}", f.id, year2.id))
        .await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("afgeleid, niet gepubliceerd"), "{page}");
    let year1 = report(&app, f.id, 1, ReportKind::Interim).await;
    let (_, page) = browser
        .get(&format!("/dossiers/{}/rapporten/{}", f.id, year1.id))
        .await;
    let due_line = page
        .split("In te dienen tegen")
        .nth(1)
        .and_then(|s| s.split("</p>").next())
        .unwrap_or_default();
    assert!(
        !due_line.contains(MARK),
        "year 1's date is published: {due_line}"
    );
    let mut reviewer = app.signed_in(REVIEWER).await;
    let (_, overview) = reviewer.get(&format!("/dossiers/{}/opvolging", f.id)).await;
    assert!(
        overview.contains("verschoven omdat het dossier"),
        "{overview}"
    );
    // ABB's list of every report marks the same deadlines: year 2's derived one, and not
    // year 1's published one.
    let (_, list) = reviewer.get("/opvolging").await;
    let row = |title: &str| {
        list.split("<tr>")
            .find(|r| r.contains("PS-OPV-11002") && r.contains(title))
            .unwrap_or_default()
            .to_owned()
    };
    let year2_row = row("Projectjaar 2 · tussentijds rapport");
    assert!(year2_row.contains("afgeleid, niet gepubliceerd"), "{list}");
    let year1_row = row("Projectjaar 1 · tussentijds rapport");
    assert!(
        !year1_row.is_empty() && !year1_row.contains(MARK),
        "{year1_row}"
    );
}

#[tokio::test]
async fn antwerpens_dashboard_under_the_open_demo_call_shows_the_sum_and_says_once_the_call_is_fictitious()
 {
    let app = spawn_app().await;
    let demo = entity::call::Entity::find()
        .filter(entity::call::Column::Code.eq("DEMO-GK-2027-2029"))
        .one(&app.db)
        .await
        .unwrap()
        .expect("the demo call");
    let now = chrono::Utc::now();
    let demo_id = demo.id;
    let mut open: entity::call::ActiveModel = demo.into();
    open.state = Set(entity::call::CallState::Open);
    open.submission_opens_at = Set(now - chrono::Duration::days(1));
    open.submission_closes_at = Set(now + chrono::Duration::days(30));
    open.update(&app.db).await.unwrap();

    let mut antwerpen = app.signed_in(OFFICIAL_A).await;
    let (status, html) = antwerpen.get("/gemeente").await;
    assert_eq!(status, 200);
    let block = html
        .split(&format!("id=\"oproep-{demo_id}\""))
        .nth(1)
        .and_then(|s| s.split("</section>").next())
        .unwrap_or_else(|| panic!("the demo call's block: {html}"));
    assert!(
        block.contains(
            "Antwerpen bestaat sinds 1 januari 2025 uit de vroegere gemeenten Antwerpen en Borsbeek"
        ),
        "{block}"
    );
    assert!(block.contains("213.451"), "211.699 + 1.752: {block}");
    assert_eq!(
        block.matches("fictieve demo-oproep").count(),
        1,
        "the verdict says it once: {block}"
    );
    let summary = block
        .split("<p class=\"verdict")
        .nth(1)
        .and_then(|s| s.split("</p>").next())
        .unwrap_or_default();
    assert!(
        !summary.contains("tag fictitious"),
        "no second fictitious tag beside the sentence: {summary}"
    );
}
