//! ABB's programme dashboard and the second call: the dashboard's figures add up to the amounts
//! of several dossiers, and a second call (the DEMO call under the 2025-2029 plan) never mixes
//! with the first: dossiers, inbox counts, allocation, dashboard, exports and the municipal
//! dossier list stay per call, and one municipality has a dossier in each.

use chrono::{NaiveDate, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};

use entity::application::{ApplicationKind, ApplicationState};
use entity::application_member::{ConsentState, MemberRole};
use entity::payment::{PaymentState, Tranche};
use entity::progress_report::{ReportKind, ReportState};

use crate::helpers::{ADMIN, OFFICIAL_B, REVIEWER, TestApp, count, spawn_app, user_id};

pub async fn call_by_code(app: &TestApp, code: &str) -> entity::call::Model {
    entity::call::Entity::find()
        .filter(entity::call::Column::Code.eq(code))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("call {code}"))
}

async fn municipality_id(app: &TestApp, nis: i32, on: NaiveDate) -> i64 {
    entity::municipality::Entity::find()
        .filter(entity::municipality::Column::NisCode.eq(nis))
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .find(|m| m.valid_from <= on && m.valid_to.is_none_or(|t| t >= on))
        .expect("municipality on that day")
        .id
}

/// A dossier of `call` in `state`, led by `lead` with `members`, with one chosen action per
/// `(catalog code, grant per year)`. Returns the dossier id and its application-action ids.
pub async fn dossier(
    app: &TestApp,
    call: &entity::call::Model,
    reference: &str,
    lead: i32,
    members: &[i32],
    state: ApplicationState,
    actions: &[(&str, i64)],
) -> (i64, Vec<i64>) {
    let now = Utc::now();
    let on = call.submission_opens_at.date_naive();
    let lead_id = municipality_id(app, lead, on).await;
    let saved = entity::application::ActiveModel {
        call_id: Set(call.id),
        reference: Set(reference.to_owned()),
        kind: Set(if members.is_empty() {
            ApplicationKind::Single
        } else {
            ApplicationKind::Cooperation
        }),
        lead_municipality_id: Set(Some(lead_id)),
        partner_organisation_id: Set(None),
        title: Set(format!("Dossier {reference}")),
        first_project_year: Set(1),
        last_project_year: Set(2),
        state: Set(state),
        submitted_at: Set((state != ApplicationState::Draft).then_some(now)),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
        ..Default::default()
    }
    .insert(&app.db)
    .await
    .unwrap();
    for (nis, role) in std::iter::once((lead, MemberRole::Lead))
        .chain(members.iter().map(|m| (*m, MemberRole::Member)))
    {
        entity::application_member::ActiveModel {
            application_id: Set(saved.id),
            call_id: Set(call.id),
            municipality_id: Set(municipality_id(app, nis, on).await),
            role: Set(role),
            consent_state: Set(ConsentState::Confirmed),
            consent_at: Set(Some(now)),
            invited_at: Set(now),
            version: Set(1),
            ..Default::default()
        }
        .insert(&app.db)
        .await
        .unwrap();
    }
    let mut ids = Vec::new();
    for (rank, (code, grant)) in actions.iter().enumerate() {
        let catalog = entity::action::Entity::find()
            .filter(entity::action::Column::Code.eq(*code))
            .all(&app.db)
            .await
            .unwrap();
        let call_action = entity::call_action::Entity::find()
            .filter(entity::call_action::Column::CallId.eq(call.id))
            .filter(entity::call_action::Column::ActionId.is_in(catalog.iter().map(|a| a.id)))
            .one(&app.db)
            .await
            .unwrap()
            .expect("action in the call");
        let row = entity::application_action::ActiveModel {
            application_id: Set(saved.id),
            call_action_id: Set(call_action.id),
            priority_rank: Set(i32::try_from(rank).unwrap() + 1),
            baseline_reach: Set(0),
            planned_reach: Set(1),
            grant_cents: Set(*grant),
            own_contribution_cents: Set(*grant),
            description: Set("test".into()),
            version: Set(1),
            ..Default::default()
        }
        .insert(&app.db)
        .await
        .unwrap();
        ids.push(row.id);
    }
    (saved.id, ids)
}

/// A decision granting `granted` per year to each action for years 1 and 2, with `incentive`
/// per year. Returns the decision's total.
pub async fn decide(
    app: &TestApp,
    application_id: i64,
    actions: &[(i64, i64)],
    incentive: i64,
) -> i64 {
    let per_year: i64 = actions.iter().map(|(_, g)| g).sum::<i64>() + incentive;
    let total = per_year * 2;
    let saved = entity::decision::ActiveModel {
        application_id: Set(application_id),
        outcome: Set(entity::decision::DecisionOutcome::Approved),
        motivation: Set("ok".into()),
        decided_by: Set(user_id(&app.db, REVIEWER).await),
        decided_at: Set(Utc::now()),
        total_granted_cents: Set(total),
        incentive_cents: Set(incentive),
        version: Set(1),
        ..Default::default()
    }
    .insert(&app.db)
    .await
    .unwrap();
    for (action, granted) in actions {
        for year in [1, 2] {
            entity::decision_line::ActiveModel {
                decision_id: Set(saved.id),
                application_action_id: Set(*action),
                year_number: Set(year),
                granted_cents: Set(*granted),
                ..Default::default()
            }
            .insert(&app.db)
            .await
            .unwrap();
        }
    }
    total
}

async fn pay(
    app: &TestApp,
    application_id: i64,
    year: i32,
    tranche: Tranche,
    amount: i64,
    state: PaymentState,
) {
    entity::payment::ActiveModel {
        application_id: Set(application_id),
        year_number: Set(year),
        tranche: Set(tranche),
        amount_cents: Set(amount),
        state: Set(state),
        created_at: Set(Utc::now()),
        version: Set(1),
        ..Default::default()
    }
    .insert(&app.db)
    .await
    .unwrap();
}

/// A KPI on an action with an accepted report of `kind` in `year` giving `actual`.
async fn kpi_with_result(
    app: &TestApp,
    application_id: i64,
    action: i64,
    target: i64,
    results: &[(i32, ReportKind, ReportState, i64)],
) {
    let kpi = entity::kpi::ActiveModel {
        application_action_id: Set(action),
        is_reach_kpi: Set(false),
        indicator: Set("deelnemers".into()),
        unit: Set("personen".into()),
        baseline: Set(0),
        target: Set(target),
        target_date: Set(NaiveDate::from_ymd_opt(2023, 9, 30).unwrap()),
        measurement: Set("telling".into()),
        version: Set(1),
        ..Default::default()
    }
    .insert(&app.db)
    .await
    .unwrap();
    for (year, kind, state, actual) in results {
        let existing = entity::progress_report::Entity::find()
            .filter(entity::progress_report::Column::ApplicationId.eq(application_id))
            .filter(entity::progress_report::Column::YearNumber.eq(*year))
            .filter(entity::progress_report::Column::Kind.eq(*kind))
            .one(&app.db)
            .await
            .unwrap();
        let report = match existing {
            Some(r) => r,
            None => entity::progress_report::ActiveModel {
                application_id: Set(application_id),
                year_number: Set(*year),
                kind: Set(*kind),
                state: Set(*state),
                due_on: Set(NaiveDate::from_ymd_opt(2023, 4, 15).unwrap()),
                version: Set(1),
                ..Default::default()
            }
            .insert(&app.db)
            .await
            .unwrap(),
        };
        entity::kpi_result::ActiveModel {
            progress_report_id: Set(report.id),
            kpi_id: Set(kpi.id),
            actual_value: Set(Some(*actual)),
            version: Set(1),
            ..Default::default()
        }
        .insert(&app.db)
        .await
        .unwrap();
    }
}

/// The rows of a CSV export (BOM and header removed), split on `;`.
pub fn csv_rows(bytes: &[u8]) -> Vec<Vec<String>> {
    let text = String::from_utf8(bytes.to_vec()).expect("UTF-8");
    assert!(text.starts_with('\u{feff}'), "with a BOM for Excel");
    text.trim_start_matches('\u{feff}')
        .split("\r\n")
        .skip(1)
        .filter(|l| !l.is_empty())
        .map(|l| l.split(';').map(str::to_owned).collect())
        .collect()
}

pub fn euros(cents: i64) -> String {
    format!("{},{:02}", cents / 100, cents % 100)
}

#[tokio::test]
async fn the_dashboard_adds_up_to_the_dossiers_and_the_second_call_stays_apart() {
    let app = spawn_app().await;
    let first = call_by_code(&app, "PS-2022-2024").await;
    let second = call_by_code(&app, "DEMO-GK-2027-2029").await;
    assert!(
        second.parameters_fictitious,
        "the demo call says so in its data"
    );

    // Call 1: Antwerpen approved, the Willebroek cooperation approved with incentive, Gent
    // rejected, Mechelen submitted, Lier draft (not counted).
    let (antwerpen, a_actions) = dossier(
        &app,
        &first,
        "PS-T-1",
        11002,
        &[],
        ApplicationState::Approved,
        &[("1.4", 2_500_001), ("4.3", 5_000_000)],
    )
    .await;
    let (willebroek, w_actions) = dossier(
        &app,
        &first,
        "PS-T-2",
        12040,
        &[12041, 12007],
        ApplicationState::PartlyApproved,
        &[("2.2", 1_250_000)],
    )
    .await;
    let (gent, g_actions) = dossier(
        &app,
        &first,
        "PS-T-3",
        44021,
        &[],
        ApplicationState::Rejected,
        &[("1.4", 1_250_000)],
    )
    .await;
    let (_mechelen, _) = dossier(
        &app,
        &first,
        "PS-T-4",
        12025,
        &[],
        ApplicationState::Submitted,
        &[("4.3", 2_500_000)],
    )
    .await;
    let (_lier, _) = dossier(
        &app,
        &first,
        "PS-T-5",
        12021,
        &[],
        ApplicationState::Draft,
        &[("4.3", 2_500_000)],
    )
    .await;
    let total_a = decide(
        &app,
        antwerpen,
        &[(a_actions[0], 2_500_001), (a_actions[1], 4_000_000)],
        0,
    )
    .await;
    let total_w = decide(&app, willebroek, &[(w_actions[0], 1_000_000)], 1_000_000).await;
    let _ = g_actions;
    // A reopened decision of Gent does not count.
    let reopened = decide(&app, gent, &[(g_actions[0], 999)], 0).await;
    let mut gent_decision: entity::decision::ActiveModel = entity::decision::Entity::find()
        .filter(entity::decision::Column::ApplicationId.eq(gent))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap()
        .into();
    gent_decision.reopened_at = Set(Some(Utc::now()));
    gent_decision.update(&app.db).await.unwrap();
    assert!(reopened > 0);
    pay(
        &app,
        antwerpen,
        1,
        Tranche::Advance,
        5_200_000,
        PaymentState::Paid,
    )
    .await;
    pay(
        &app,
        antwerpen,
        1,
        Tranche::Balance,
        1_300_001,
        PaymentState::Scheduled,
    )
    .await;
    pay(
        &app,
        willebroek,
        1,
        Tranche::Advance,
        1_600_000,
        PaymentState::Paid,
    )
    .await;
    pay(
        &app,
        willebroek,
        1,
        Tranche::Reclaim,
        300_000,
        PaymentState::Approved,
    )
    .await;
    pay(
        &app,
        willebroek,
        2,
        Tranche::Reclaim,
        7,
        PaymentState::Scheduled,
    )
    .await;
    pay(
        &app,
        willebroek,
        2,
        Tranche::Advance,
        9,
        PaymentState::Cancelled,
    )
    .await;
    // KPIs: one reached (year report 12 ≥ 10 after an interim 2), one missed, one only in a
    // report that was not accepted.
    kpi_with_result(
        &app,
        antwerpen,
        a_actions[0],
        10,
        &[
            (1, ReportKind::Interim, ReportState::Accepted, 2),
            (1, ReportKind::Year, ReportState::Accepted, 12),
        ],
    )
    .await;
    kpi_with_result(
        &app,
        antwerpen,
        a_actions[1],
        10,
        &[(1, ReportKind::Year, ReportState::Accepted, 9)],
    )
    .await;
    kpi_with_result(
        &app,
        willebroek,
        w_actions[0],
        5,
        &[(1, ReportKind::Year, ReportState::Submitted, 50)],
    )
    .await;
    // A confirmed allocation of year 1.
    let allocation = entity::allocation::ActiveModel {
        call_id: Set(first.id),
        year_number: Set(1),
        state: Set(entity::allocation::AllocationState::Confirmed),
        envelope_cents: Set(1_000_000_000),
        incentives_cents: Set(1_000_000),
        created_at: Set(Utc::now()),
        confirmed_at: Set(Some(Utc::now())),
        version: Set(1),
        ..Default::default()
    }
    .insert(&app.db)
    .await
    .unwrap();
    for (action, proposed, adjusted) in [
        (a_actions[0], 2_500_001, None),
        (a_actions[1], 5_000_000, Some(4_000_000)),
        (w_actions[0], 1_250_000, Some(1_000_000)),
    ] {
        entity::allocation_line::ActiveModel {
            allocation_id: Set(allocation.id),
            application_action_id: Set(action),
            requested_cents: Set(proposed),
            proposed_cents: Set(proposed),
            adjusted_cents: Set(adjusted),
            reason: Set("test".into()),
            version: Set(1),
            ..Default::default()
        }
        .insert(&app.db)
        .await
        .unwrap();
    }

    // Call 2: Antwerpen again (one dossier in each call), approved; and one submitted.
    let (antwerpen2, a2_actions) = dossier(
        &app,
        &second,
        "DEMO-T-1",
        11002,
        &[],
        ApplicationState::Approved,
        &[("8", 3_000_000)],
    )
    .await;
    let total_2 = decide(&app, antwerpen2, &[(a2_actions[0], 3_000_000)], 0).await;
    dossier(
        &app,
        &second,
        "DEMO-T-2",
        12040,
        &[],
        ApplicationState::Submitted,
        &[("10", 2_500_000)],
    )
    .await;
    pay(
        &app,
        antwerpen2,
        1,
        Tranche::Advance,
        2_400_000,
        PaymentState::Paid,
    )
    .await;

    let mut reviewer = app.signed_in(REVIEWER).await;

    // The budget table of call 1: granted per year = the standing decisions' lines plus the
    // incentive, and the years add up to the decisions' totals.
    let budget = reviewer
        .client
        .get(format!(
            "{}/beoordeling/dashboard/export?oproep={}&tabel=budget&formaat=csv",
            app.address, first.id
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(budget.status(), 200);
    assert!(
        budget.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let rows = csv_rows(&budget.bytes().await.unwrap());
    assert_eq!(rows.len(), 3, "three project years: {rows:?}");
    let granted_year = (2_500_001 + 4_000_000) + (1_000_000 + 1_000_000);
    assert_eq!(
        rows[0],
        vec![
            "1".to_owned(),
            euros(1_000_000_000),
            euros(2_500_001 + 4_000_000 + 1_000_000 + 1_000_000),
            euros(granted_year),
            euros(5_200_000 + 1_600_000),
            euros(300_000)
        ]
    );
    assert_eq!(rows[1][3], euros(granted_year));
    assert_eq!(rows[1][2], "", "no confirmed allocation for year 2");
    assert_eq!(
        rows[1][4],
        euros(0),
        "cancelled and scheduled payments are not paid"
    );
    assert_eq!(rows[1][5], euros(0), "a proposed reclaim is not reclaimed");
    assert_eq!(rows[2][3], euros(0));
    assert_eq!(
        2 * granted_year,
        total_a + total_w,
        "the years add up to the decisions"
    );

    // The same figures for call 2 only.
    let budget2 = reviewer
        .client
        .get(format!(
            "{}/beoordeling/dashboard/export?oproep={}&tabel=budget&formaat=csv",
            app.address, second.id
        ))
        .send()
        .await
        .unwrap();
    let rows2 = csv_rows(&budget2.bytes().await.unwrap());
    assert_eq!(rows2[0][3], euros(3_000_000));
    assert_eq!(rows2[0][4], euros(2_400_000));
    assert_eq!(2 * 3_000_000, total_2);

    // Dossiers per state, per action, per region, KPIs: from the XLSX, read back.
    let states = reviewer
        .client
        .get(format!(
            "{}/beoordeling/dashboard/export?oproep={}&tabel=statussen&formaat=xlsx",
            app.address, first.id
        ))
        .send()
        .await
        .unwrap();
    assert!(
        states.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .ends_with(".xlsx\"")
    );
    let sheet = crate::exports::read_xlsx(&states.bytes().await.unwrap());
    let count_of = |label: &str| {
        sheet
            .iter()
            .find(|r| r[0] == label)
            .map(|r| r[1].clone())
            .unwrap_or_else(|| panic!("{label} in {sheet:?}"))
    };
    assert_eq!(count_of("goedgekeurd"), "1");
    assert_eq!(count_of("gedeeltelijk goedgekeurd"), "1");
    assert_eq!(count_of("afgewezen"), "1");
    assert_eq!(count_of("ingediend"), "1");
    assert!(
        sheet.iter().all(|r| r[0] != "ontwerp"),
        "drafts are not counted"
    );

    let actions = reviewer
        .client
        .get(format!(
            "{}/beoordeling/dashboard/export?oproep={}&tabel=acties&formaat=csv",
            app.address, first.id
        ))
        .send()
        .await
        .unwrap();
    let actions = csv_rows(&actions.bytes().await.unwrap());
    let row = |code: &str| actions.iter().find(|r| r[0] == code).cloned().unwrap();
    assert_eq!(row("1.4")[2], "2", "Antwerpen and Gent chose 1.4");
    assert_eq!(row("1.4")[3], euros(2_500_001 + 1_250_000));
    assert_eq!(
        row("1.4")[4],
        euros(2 * 2_500_001),
        "Gent's reopened decision is out"
    );
    assert_eq!(
        row("4.3")[2],
        "2",
        "Antwerpen and Mechelen; Lier's draft is out"
    );
    assert_eq!(
        actions.len(),
        19,
        "every action of call 1 with a line in ABB's form, none of call 2"
    );

    let regions = reviewer
        .client
        .get(format!(
            "{}/beoordeling/dashboard/export?oproep={}&tabel=regios&formaat=csv",
            app.address, first.id
        ))
        .send()
        .await
        .unwrap();
    let regions = csv_rows(&regions.bytes().await.unwrap());
    let dossiers: i64 = regions.iter().map(|r| r[1].parse::<i64>().unwrap()).sum();
    assert_eq!(dossiers, 4);
    let granted: i64 = regions
        .iter()
        .map(|r| r[2].replace(',', "").parse::<i64>().unwrap())
        .sum();
    assert_eq!(granted, total_a + total_w);

    let kpis = reviewer
        .client
        .get(format!(
            "{}/beoordeling/dashboard/export?oproep={}&tabel=kpis&formaat=csv",
            app.address, first.id
        ))
        .send()
        .await
        .unwrap();
    let kpis = csv_rows(&kpis.bytes().await.unwrap());
    let k = |code: &str| kpis.iter().find(|r| r[0] == code).cloned().unwrap();
    assert_eq!(
        &k("1.4")[2..5],
        &["1", "1", "1"],
        "the year report's 12 reaches 10"
    );
    assert_eq!(&k("4.3")[2..5], &["1", "1", "0"], "9 misses 10");
    assert_eq!(
        &k("2.2")[2..5],
        &["1", "0", "0"],
        "a submitted report does not count yet"
    );

    // The page: charts with title and description, tables beside them, the demo label.
    let (status, html) = reviewer
        .get(&format!("/beoordeling/dashboard?oproep={}", second.id))
        .await;
    assert_eq!(status, 200);
    assert!(html.contains("DEMO: de parameters van deze oproep zijn fictief"));
    // Seven blocks, and a chart of the results per project year.
    let years = entity::call_project_year::Entity::find()
        .filter(entity::call_project_year::Column::CallId.eq(second.id))
        .all(&app.db)
        .await
        .unwrap()
        .len();
    assert_eq!(html.matches("role=\"img\"").count(), 7 + years);
    assert_eq!(html.matches("<desc id=").count(), 7 + years);
    assert!(html.contains("Gelijke kansen lokaal 2027-2029 (DEMO: fictieve oproep)"));
    let (status, html) = reviewer.get("/beoordeling/dashboard").await;
    assert_eq!(status, 200);
    assert!(html.contains("Bereik van de doelgroep"));
    assert!(
        html.contains("Provisie Samenleven 2022-2024"),
        "the open call by default"
    );

    // The inbox counts per call.
    let (_, inbox1) = reviewer
        .get(&format!("/beoordeling?oproep={}", first.id))
        .await;
    assert!(inbox1.contains("ingediend: 1") && inbox1.contains("goedgekeurd: 1"));
    assert!(inbox1.contains("PS-T-1") && !inbox1.contains("DEMO-T-1"));
    let (_, inbox2) = reviewer
        .get(&format!("/beoordeling?oproep={}", second.id))
        .await;
    assert!(
        inbox2.contains("DEMO-T-1") && inbox2.contains("DEMO-T-2") && !inbox2.contains("PS-T-")
    );
    assert!(inbox2.contains("gedeeltelijk goedgekeurd: 0"));

    // The municipal dossier list shows Willebroek's dossier in each call (Antwerpen merged
    // with Borsbeek in 2025: its 2027 dossier belongs to the new municipality).
    let mut willebroek_official = app.signed_in(OFFICIAL_B).await;
    let (_, list) = willebroek_official.get("/dossiers").await;
    assert!(
        list.contains("PS-T-2") && list.contains("DEMO-T-2"),
        "{list}"
    );

    // Once the DEMO call is open, Willebroek's dashboard shows each call with its own dossier.
    let mut open: entity::call::ActiveModel = second.clone().into();
    open.state = Set(entity::call::CallState::Open);
    open.submission_opens_at = Set(Utc::now() - chrono::Duration::days(1));
    open.submission_closes_at = Set(Utc::now() + chrono::Duration::days(30));
    open.update(&app.db).await.unwrap();
    let (status, board) = willebroek_official.get("/gemeente").await;
    assert_eq!(status, 200);
    let block = |id: i64| {
        let start = board
            .find(&format!("<section id=\"oproep-{id}\""))
            .unwrap_or_else(|| panic!("a block for call {id}"));
        let rest = &board[start + 1..];
        let end = rest.find("</section>").unwrap_or(rest.len());
        rest[..end].to_owned()
    };
    let (one, two) = (block(first.id), block(second.id));
    assert!(one.contains("PS-T-2") && !one.contains("DEMO-T-2"), "{one}");
    assert!(two.contains("DEMO-T-2") && !two.contains("PS-T-2"), "{two}");

    // An allocation of call 2 only takes call 2's submitted dossiers.
    let mut admin = app.signed_in(ADMIN).await;
    admin
        .get(&format!(
            "/beoordeling/toewijzing?call_id={}&year=1",
            second.id
        ))
        .await;
    let response = admin
        .post(
            "/beoordeling/toewijzing",
            &[("call_id", &second.id.to_string()), ("year", "1")],
        )
        .await;
    assert!(response.status().is_redirection(), "{}", response.status());
    let lines = count(
        &app.db,
        &format!(
            "allocation_line l JOIN allocation a ON a.id = l.allocation_id WHERE a.call_id = {}",
            second.id
        ),
    )
    .await;
    assert_eq!(lines, 1, "only DEMO-T-2's action");
    let foreign = count(&app.db, &format!("allocation_line l JOIN allocation a ON a.id = l.allocation_id JOIN application_action aa ON aa.id = l.application_action_id JOIN application ap ON ap.id = aa.application_id WHERE a.call_id = {} AND ap.call_id <> a.call_id", second.id)).await;
    assert_eq!(foreign, 0);
}

// ------------------------------------------------------------ results per objective and line

/// A copy of the 2022-2024 call (closed, code `TEST-RESULTATEN`) with its project years and
/// six reach lines of ABB's form, inserted out of the form's order, so the test does not
/// depend on how the seeded call's lines look. Returns the call and its lines by code.
async fn results_call(
    app: &TestApp,
) -> (
    entity::call::Model,
    std::collections::HashMap<&'static str, i64>,
) {
    use sea_orm::ActiveValue::NotSet;
    let seeded = call_by_code(app, "PS-2022-2024").await;
    let mut copy: entity::call::ActiveModel = seeded.clone().into();
    copy.id = NotSet;
    copy.code = Set("TEST-RESULTATEN".into());
    copy.title = Set("Oproep voor de resultaten (test)".into());
    copy.state = Set(entity::call::CallState::Closed);
    let call = copy.insert(&app.db).await.unwrap();
    for year in entity::call_project_year::Entity::find()
        .filter(entity::call_project_year::Column::CallId.eq(seeded.id))
        .all(&app.db)
        .await
        .unwrap()
    {
        let mut y: entity::call_project_year::ActiveModel = year.into();
        y.id = NotSet;
        y.call_id = Set(call.id);
        y.insert(&app.db).await.unwrap();
    }
    let work =
        "Begeleiden van nieuwkomers, mensen met een handicap en 55plussers naar de arbeidsmarkt.";
    let form: [(&'static str, &str, i32, &str, i32, &str, &str); 6] = [
        (
            "2.9",
            "2.9",
            0,
            "pleinmakers",
            25,
            "1 gemeenschap",
            "Inzetten van pleinmakers in sociale woonwijken om het sociaal weefsel te versterken.",
        ),
        (
            "3.2b",
            "3.2",
            2,
            "begeleide personen met een handicap",
            7,
            "Werk",
            work,
        ),
        (
            "1.4",
            "1.4",
            0,
            "volwassen anderstaligen",
            2,
            "Nederlands",
            "Volwassen anderstaligen nemen deel aan een oefenkans.",
        ),
        ("3.2a", "3.2", 1, "begeleide nieuwkomers", 6, "Werk", work),
        (
            "4.3",
            "4.3",
            0,
            "lokaal actieplan",
            1,
            "Veiligheid en leefbaarheid",
            "Ontwikkelen van een lokaal actieplan voor de aanpak van polarisatie en zetten in op de uitrol ervan.",
        ),
        ("3.2c", "3.2", 3, "begeleide 55-plussers", 8, "Werk", work),
    ];
    let mut lines = std::collections::HashMap::new();
    for (key, action, line_number, plural, row, theme, objective) in form {
        let action = entity::action::Entity::find()
            .filter(entity::action::Column::Code.eq(action))
            .filter(entity::action::Column::PlanId.eq(call.plan_id))
            .one(&app.db)
            .await
            .unwrap()
            .expect("the action in the call's plan");
        let saved = entity::call_action::ActiveModel {
            call_id: Set(call.id),
            action_id: Set(action.id),
            unit_cost_cents: Set(65_000),
            max_reach: Set(150),
            unit_label: Set(plural.trim_end_matches('s').to_owned()),
            line_number: Set(line_number),
            unit_label_plural: Set(Some(plural.to_owned())),
            source_row: Set(Some(row)),
            theme: Set(Some(theme.to_owned())),
            objective: Set(Some(objective.to_owned())),
            version: Set(1),
            ..Default::default()
        }
        .insert(&app.db)
        .await
        .unwrap();
        lines.insert(key, saved.id);
    }
    (call, lines)
}

/// Dossier `application_id` takes `line` with a baseline and a planned additional reach, and
/// gets the line's reach KPI (baseline → baseline + planned, in thousandths). Returns the KPI.
async fn take_line(
    app: &TestApp,
    application_id: i64,
    line: i64,
    baseline: i32,
    planned: i32,
) -> i64 {
    let row = entity::application_action::ActiveModel {
        application_id: Set(application_id),
        call_action_id: Set(line),
        priority_rank: Set(i32::try_from(line % 1000).unwrap() + 1),
        baseline_reach: Set(baseline),
        planned_reach: Set(planned),
        grant_cents: Set(i64::from(planned) * 65_000),
        own_contribution_cents: Set(i64::from(planned) * 65_000),
        description: Set("test".into()),
        version: Set(1),
        ..Default::default()
    }
    .insert(&app.db)
    .await
    .unwrap();
    entity::kpi::ActiveModel {
        application_action_id: Set(row.id),
        is_reach_kpi: Set(true),
        indicator: Set("Bereik".into()),
        unit: Set("personen".into()),
        baseline: Set(i64::from(baseline) * 1000),
        target: Set(i64::from(baseline + planned) * 1000),
        target_date: Set(NaiveDate::from_ymd_opt(2024, 9, 30).unwrap()),
        direction: Set("rising".into()),
        measurement: Set("telling".into()),
        version: Set(1),
        ..Default::default()
    }
    .insert(&app.db)
    .await
    .unwrap()
    .id
}

/// The reach KPI `kpi` reached `whole` in the dossier's `kind` report of `year`, in `state`.
async fn reach_value(
    app: &TestApp,
    application_id: i64,
    kpi: i64,
    (year, kind, state): (i32, ReportKind, ReportState),
    whole: i64,
) {
    let existing = entity::progress_report::Entity::find()
        .filter(entity::progress_report::Column::ApplicationId.eq(application_id))
        .filter(entity::progress_report::Column::YearNumber.eq(year))
        .filter(entity::progress_report::Column::Kind.eq(kind))
        .one(&app.db)
        .await
        .unwrap();
    let report = match existing {
        Some(r) => r,
        None => entity::progress_report::ActiveModel {
            application_id: Set(application_id),
            year_number: Set(year),
            kind: Set(kind),
            state: Set(state),
            due_on: Set(NaiveDate::from_ymd_opt(2023, 4, 15).unwrap()),
            version: Set(1),
            ..Default::default()
        }
        .insert(&app.db)
        .await
        .unwrap(),
    };
    entity::kpi_result::ActiveModel {
        progress_report_id: Set(report.id),
        kpi_id: Set(kpi),
        actual_value: Set(Some(whole * 1000)),
        version: Set(1),
        ..Default::default()
    }
    .insert(&app.db)
    .await
    .unwrap();
}

async fn runs_until(app: &TestApp, application_id: i64, last_year: i32) {
    let found = entity::application::Entity::find_by_id(application_id)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    let mut active: entity::application::ActiveModel = found.into();
    active.last_project_year = Set(last_year);
    active.update(&app.db).await.unwrap();
}

#[tokio::test]
async fn the_results_per_objective_and_reach_line_add_up_over_the_decided_dossiers_per_project_year()
 {
    use ReportKind::{Interim, Year};
    use ReportState::{Accepted, SentBack, Submitted};
    let app = spawn_app().await;
    let (call, line) = results_call(&app).await;

    // Antwerpen (approved, years 1-3): 1.4 from 100 plus 200, 3.2a from 0 plus 20.
    let (antwerpen, _) = dossier(
        &app,
        &call,
        "RES-1",
        11002,
        &[],
        ApplicationState::Approved,
        &[],
    )
    .await;
    runs_until(&app, antwerpen, 3).await;
    let a_dutch = take_line(&app, antwerpen, line["1.4"], 100, 200).await;
    let a_work = take_line(&app, antwerpen, line["3.2a"], 0, 20).await;
    reach_value(&app, antwerpen, a_dutch, (1, Interim, Accepted), 150).await;
    reach_value(&app, antwerpen, a_dutch, (1, Year, Accepted), 350).await;
    reach_value(&app, antwerpen, a_work, (1, Year, Accepted), 25).await;
    reach_value(&app, antwerpen, a_dutch, (2, Interim, Submitted), 400).await;
    // Gent (partly approved, years 1-2): 1.4 plus 50, 2.9 plus 4; its year report was sent back.
    let (gent, _) = dossier(
        &app,
        &call,
        "RES-2",
        44021,
        &[],
        ApplicationState::PartlyApproved,
        &[],
    )
    .await;
    let g_dutch = take_line(&app, gent, line["1.4"], 0, 50).await;
    let g_squares = take_line(&app, gent, line["2.9"], 0, 4).await;
    reach_value(&app, gent, g_dutch, (1, Interim, Accepted), 30).await;
    reach_value(&app, gent, g_dutch, (1, Year, SentBack), 60).await;
    reach_value(&app, gent, g_squares, (1, Interim, Accepted), 1).await;
    // Mechelen (rejected) and Willebroek (submitted) do not count, whatever they report.
    let (mechelen, _) = dossier(
        &app,
        &call,
        "RES-3",
        12025,
        &[],
        ApplicationState::Rejected,
        &[],
    )
    .await;
    let m_dutch = take_line(&app, mechelen, line["1.4"], 0, 1_000).await;
    reach_value(&app, mechelen, m_dutch, (1, Year, Accepted), 5_000).await;
    let (willebroek, _) = dossier(
        &app,
        &call,
        "RES-4",
        12040,
        &[],
        ApplicationState::Submitted,
        &[],
    )
    .await;
    take_line(&app, willebroek, line["1.4"], 0, 999).await;

    let mut reviewer = app.signed_in(REVIEWER).await;
    let export = |format: &str| {
        format!(
            "{}/beoordeling/dashboard/export?oproep={}&tabel=resultaten&formaat={format}",
            app.address, call.id
        )
    };
    let csv = reviewer.client.get(export("csv")).send().await.unwrap();
    assert_eq!(csv.status(), 200);
    assert!(
        csv.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("resultaten-per-doelstelling-en-bereiklijn-test-resultaten.csv")
    );
    let rows = csv_rows(&csv.bytes().await.unwrap());
    assert_eq!(
        rows.len(),
        3 * 6,
        "every line in every project year: {rows:?}"
    );
    let year_one: Vec<&str> = rows
        .iter()
        .filter(|r| r[0] == "1")
        .map(|r| r[3].as_str())
        .collect();
    assert_eq!(
        year_one,
        ["4.3", "1.4", "3.2a", "3.2b", "3.2c", "2.9"],
        "in the order of the form, whatever the order the lines were added"
    );
    let row = |year: &str, code: &str| {
        rows.iter()
            .find(|r| r[0] == year && r[3] == code)
            .unwrap_or_else(|| panic!("{year} {code} in {rows:?}"))
            .clone()
    };
    let dutch = row("1", "1.4");
    assert_eq!(
        &dutch[1..6],
        &[
            "Nederlands",
            "Volwassen anderstaligen nemen deel aan een oefenkans.",
            "1.4",
            "volwassen anderstaligen",
            "2"
        ]
    );
    // Planned 200 + 50; achieved Antwerpen's year report 350 − 100 and Gent's interim 30
    // (its year report was sent back): 280 of 250, by two reporting dossiers of two.
    assert_eq!(&dutch[6..], &["250", "280", "112,00%", "2", "2", "0"]);
    assert_eq!(&row("1", "3.2a")[6..11], &["20", "25", "125,00%", "1", "1"]);
    assert_eq!(
        &row("1", "3.2b")[6..11],
        &["0", "0", "", "0", "0"],
        "nothing planned: no share"
    );
    assert_eq!(&row("1", "2.9")[6..11], &["4", "1", "25,00%", "1", "1"]);
    assert_eq!(
        row("1", "3.2a")[2],
        "Begeleiden van nieuwkomers, mensen met een handicap en 55plussers naar de arbeidsmarkt."
    );
    // Year 2: the same dossiers run; Antwerpen's interim report is only submitted.
    assert_eq!(&row("2", "1.4")[6..11], &["250", "0", "0,00%", "2", "0"]);
    // Year 3: only Antwerpen runs.
    assert_eq!(&row("3", "1.4")[6..11], &["200", "0", "0,00%", "1", "0"]);
    assert_eq!(&row("3", "2.9")[6..11], &["0", "0", "", "0", "0"]);

    // The XLSX keeps the numbers as numbers.
    let xlsx = reviewer.client.get(export("xlsx")).send().await.unwrap();
    assert_eq!(xlsx.status(), 200);
    let sheet = crate::exports::read_xlsx(&xlsx.bytes().await.unwrap());
    let dutch = sheet
        .iter()
        .find(|r| r[0] == "1" && r[3] == "1.4")
        .expect("1.4 in year 1");
    assert_eq!((dutch[6].as_str(), dutch[7].as_str()), ("250", "280"));
    assert_eq!(dutch[8], "1.12", "a share, stored as a fraction");

    // The dashboard: the section with a chart and a table per project year.
    let (status, html) = reviewer
        .get(&format!("/beoordeling/dashboard?oproep={}", call.id))
        .await;
    assert_eq!(status, 200);
    assert!(html.contains("<h2 id=\"resultaten\">Resultaten per doelstelling en bereiklijn</h2>"));
    assert!(
        html.contains("<a href=\"#resultaten\">"),
        "linked from the dashboard's contents"
    );
    for year in 1..=3 {
        assert!(html.contains(&format!(
            "<h3 id=\"resultaten-jaar-{year}\">Projectjaar {year}</h3>"
        )));
        assert!(html.contains(&format!("<title id=\"grafiek-resultaten-{year}-title\">")));
    }
    assert_eq!(html.matches("role=\"img\"").count(), 7 + 3);
    assert!(html.contains("<th scope=\"rowgroup\" colspan=\"6\">Nederlands: Volwassen anderstaligen nemen deel aan een oefenkans.</th>"));
    assert!(html.contains("<th scope=\"row\">2.9 pleinmakers</th><td class=\"num\">4</td><td class=\"num\">1</td><td class=\"num\">25,00%</td>"));
    assert!(
        html.contains("280 van 250 (112,00%)"),
        "the chart writes its values"
    );
    assert!(
        html.contains("Alleen <strong>aanvaarde</strong> rapporten tellen"),
        "the choice, explained"
    );
    assert!(html.contains("In projectjaar 1 lopen 2 (gedeeltelijk) goedgekeurde dossiers; 2 ervan hebben een aanvaard rapport met bereik."));
    assert!(html.contains("1 dossier heeft een ingediend rapport dat ABB nog moet aanvaarden"));
    assert!(
        html.contains("tabel=resultaten&amp;formaat=csv")
            && html.contains("tabel=resultaten&amp;formaat=xlsx")
    );
    assert!(
        !html.contains("in deze resultaten zijn fictief")
            && !html.contains("in deze resultaten is fictief"),
        "no demo dossiers here"
    );

    // Municipalities do not see the programme's results.
    let official = app.signed_in(OFFICIAL_B).await;
    let refused = official.client.get(export("csv")).send().await.unwrap();
    assert_eq!(refused.status(), 403);
}

#[tokio::test]
async fn the_results_of_the_demo_dossiers_say_they_are_fictitious() {
    let app = spawn_app().await;
    let demo = samenleven::seed::load_demo_followup(&app.db).await.unwrap();
    assert!(demo > 0, "the demo dossiers are loaded");
    let call = call_by_code(&app, "PS-2022-2024").await;
    // ABB accepts the submitted demo interim report: its reach now counts.
    let submitted = entity::progress_report::Entity::find()
        .filter(entity::progress_report::Column::State.eq(ReportState::Submitted))
        .one(&app.db)
        .await
        .unwrap()
        .expect("a submitted demo report");
    let mut accepted: entity::progress_report::ActiveModel = submitted.clone().into();
    accepted.state = Set(ReportState::Accepted);
    accepted.update(&app.db).await.unwrap();
    // What it reported on its reach KPI, and which line that is.
    let (result, reach) = entity::kpi_result::Entity::find()
        .filter(entity::kpi_result::Column::ProgressReportId.eq(submitted.id))
        .find_also_related(entity::kpi::Entity)
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .find(|(_, k)| k.as_ref().is_some_and(|k| k.is_reach_kpi))
        .expect("a reach value in the demo report");
    let reach = reach.unwrap();
    let achieved = (result.actual_value.unwrap() - reach.baseline).max(0) / 1000;
    let take = entity::application_action::Entity::find_by_id(reach.application_action_id)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    let line = entity::call_action::Entity::find_by_id(take.call_action_id)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    let action = entity::action::Entity::find_by_id(line.action_id)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    let code = samenleven::domain::results::line_code(
        &action.code,
        u32::try_from(line.line_number).unwrap(),
    );

    let mut reviewer = app.signed_in(REVIEWER).await;
    let (status, html) = reviewer
        .get(&format!("/beoordeling/dashboard?oproep={}", call.id))
        .await;
    assert_eq!(status, 200);
    assert!(
        html.contains(&format!(
            "DEMO: {demo} van de {demo} dossiers in deze resultaten zijn fictief (demodossiers)"
        )),
        "the demo dossiers say so on screen"
    );
    let csv = reviewer
        .client
        .get(format!(
            "{}/beoordeling/dashboard/export?oproep={}&tabel=resultaten&formaat=csv",
            app.address, call.id
        ))
        .send()
        .await
        .unwrap();
    let rows = csv_rows(&csv.bytes().await.unwrap());
    let row = rows
        .iter()
        .find(|r| r[0] == submitted.year_number.to_string() && r[3] == code)
        .unwrap_or_else(|| panic!("{code} in {rows:?}"));
    assert_eq!(
        row[7],
        achieved.to_string(),
        "the accepted demo value counts"
    );
    assert_eq!(row[10], "1", "one dossier reported");
    assert_eq!(
        row[11], row[9],
        "and every dossier on the line is a demo dossier, in the data too"
    );
}
