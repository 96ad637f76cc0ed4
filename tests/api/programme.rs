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
    assert_eq!(html.matches("role=\"img\"").count(), 7);
    assert_eq!(html.matches("<desc id=").count(), 7);
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
