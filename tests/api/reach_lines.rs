//! Issue 21: the real call's reach lines, the dossier's table of lines and co-financing over the
//! whole dossier, in money and staff.

use std::collections::BTreeMap;

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

use crate::helpers::{Browser, OFFICIAL_A, TestApp, spawn_app};
use crate::journey::{
    accept_declarations, attach, call_action_for, fill_general, line_code, location, save_action,
    start,
};

/// The lines of the seeded call, by their row in ABB's form.
async fn seeded_lines(app: &TestApp) -> BTreeMap<i32, (String, entity::call_action::Model)> {
    let call = entity::call::Entity::find()
        .filter(entity::call::Column::Code.eq("PS-2022-2024"))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    let rows = entity::call_action::Entity::find()
        .filter(entity::call_action::Column::CallId.eq(call.id))
        .order_by_asc(entity::call_action::Column::Id)
        .all(&app.db)
        .await
        .unwrap();
    let mut out = BTreeMap::new();
    for row in rows {
        let code = line_code(app, &row).await;
        out.insert(
            row.source_row.expect("every line comes from the form"),
            (code, row),
        );
    }
    out
}

#[tokio::test]
async fn the_seeded_call_carries_the_27_lines_of_abbs_form_with_their_real_amounts() {
    let app = spawn_app().await;
    let lines = seeded_lines(&app).await;
    let form = include_str!("../../seeds/plan_samenleven_2022_form.csv");
    let mut reader = csv::Reader::from_reader(form.as_bytes());
    let mut rows = 0;
    for record in reader.records() {
        let record = record.unwrap();
        let row: i32 = record[0].parse().unwrap();
        let (code, line) = &lines[&row];
        assert_eq!(
            code.trim_end_matches(|c: char| c.is_ascii_lowercase()),
            &record[1],
            "row {row}: the line belongs to the form's action"
        );
        assert_eq!(line.theme.as_deref(), Some(&record[2]), "row {row}");
        assert_eq!(line.objective.as_deref(), Some(&record[3]), "row {row}");
        assert!(
            [
                line.unit_label.as_str(),
                line.unit_label_plural.as_deref().unwrap()
            ]
            .contains(&&record[4]),
            "row {row}: the form's unit {} is the line's",
            &record[4]
        );
        assert_eq!(line.max_reach.to_string(), record[5], "row {row}: maximum");
        assert_eq!(
            line.unit_cost_cents,
            record[6].parse::<i64>().unwrap() * 100,
            "row {row}: the Flemish contribution per unit"
        );
        rows += 1;
    }
    assert_eq!(rows, 27);
    assert_eq!(
        lines.len(),
        27,
        "no other line: 2.1, 2.5 and 4.2 are not in this call"
    );
    let codes: Vec<&str> = lines.values().map(|(c, _)| c.as_str()).collect();
    for code in ["3.2a", "3.2b", "3.2c", "1.4", "2.9", "4.3"] {
        assert!(codes.contains(&code), "{code} in {codes:?}");
    }
}

#[tokio::test]
async fn the_call_over_the_api_lists_its_lines_with_target_group_and_form_row() {
    let app = spawn_app().await;
    let call = crate::journey::call_id(&app).await;
    let api = crate::api_v1::Api::new(&app, OFFICIAL_A).await;
    let (status, body) = api.get(&format!("/api/v1/calls/{call}")).await;
    assert_eq!(status, 200);
    let actions = body["actions"].as_array().unwrap();
    assert_eq!(actions.len(), 27);
    let line = actions.iter().find(|a| a["code"] == "3.2c").unwrap();
    assert_eq!(line["action_code"], "3.2");
    assert_eq!(line["unit_label_plural"], "begeleide 55-plussers");
    assert_eq!(line["max_reach"], 75);
    assert_eq!(line["unit_cost_cents"], 65_000);
    assert_eq!(line["source_row"], 8);
    assert_eq!(line["illustrative"], false);
}

/// The fields of the table as the page offers them, with `changes` typed over them.
async fn table_form(
    browser: &mut Browser,
    dossier: &str,
    changes: &[(&str, &str)],
) -> Vec<(String, String)> {
    let (status, html) = browser.get(&format!("/dossiers/{dossier}/acties")).await;
    assert_eq!(status, 200);
    let mut fields: Vec<(String, String)> = Vec::new();
    for part in html.split("<input ").skip(1) {
        let attr = |name: &str| {
            let marker = format!("{name}=\"");
            part.find(&marker).map(|s| {
                let start = s + marker.len();
                let end = part[start..].find('"').unwrap() + start;
                part[start..end].replace("&#38;", "&")
            })
        };
        if let (Some(name), Some(value)) = (attr("name"), attr("value")) {
            if name == "csrf_token" {
                continue;
            }
            fields.push((name, value));
        }
    }
    for (name, value) in changes {
        match fields.iter_mut().find(|(n, _)| n == name) {
            Some(field) => field.1 = (*value).to_owned(),
            None => fields.push(((*name).to_owned(), (*value).to_owned())),
        }
    }
    fields
}

async fn post_table(
    browser: &mut Browser,
    dossier: &str,
    fields: &[(String, String)],
) -> reqwest::Response {
    let pairs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    browser
        .post(&format!("/dossiers/{dossier}/acties/tabel"), &pairs)
        .await
}

#[tokio::test]
async fn a_municipality_fills_in_the_table_and_sees_the_flemish_contribution_per_line() {
    let app = spawn_app().await;
    let mut browser = app.signed_in(OFFICIAL_A).await;
    let dossier = start(&app, &mut browser).await;
    let pleinmakers = call_action_for(&app, "2.9").await.id;
    let newcomers = call_action_for(&app, "3.2a").await.id;
    let field = |kind: &str, id: i64| format!("{kind}{id}");

    // Errors first: a word, a reach above the maximum and a priority given twice.
    let fields = table_form(
        &mut browser,
        &dossier,
        &[
            (&field("b", pleinmakers), "geen"),
            (&field("p", pleinmakers), "5"),
            (&field("r", pleinmakers), "1"),
            (&field("p", newcomers), "40"),
            (&field("r", newcomers), "1"),
        ],
    )
    .await;
    let response = post_table(&mut browser, &dossier, &fields).await;
    assert_eq!(response.status(), 422);
    let html = response.text().await.unwrap();
    assert!(html.contains("Lijn 2.9: Huidig bereik: "), "{html}");
    assert!(html.contains("value=\"geen\""), "what was typed comes back");
    assert_eq!(app.count("application_action").await, 0, "nothing saved");

    let fields = table_form(
        &mut browser,
        &dossier,
        &[
            (&field("b", pleinmakers), "0"),
            (&field("p", pleinmakers), "5"),
            (&field("r", pleinmakers), "1"),
            (&field("p", newcomers), "40"),
            (&field("r", newcomers), "1"),
        ],
    )
    .await;
    let response = post_table(&mut browser, &dossier, &fields).await;
    assert_eq!(response.status(), 422);
    let html = response.text().await.unwrap();
    assert!(
        html.contains("Lijn 2.9: Het geplande bijkomende bereik is hoogstens 4 (pleinmakers)."),
        "{html}"
    );
    assert!(
        html.contains("Lijn 2.9: Prioriteit 1 is al gegeven aan lijn 3.2a."),
        "the later line in the form's order gets the message: {html}"
    );

    // Right: two lines taken, each with its Flemish contribution after saving.
    let fields = table_form(
        &mut browser,
        &dossier,
        &[
            (&field("b", pleinmakers), "1"),
            (&field("p", pleinmakers), "2"),
            (&field("r", pleinmakers), "2"),
            (&field("b", newcomers), "10"),
            (&field("p", newcomers), "40"),
            (&field("r", newcomers), "1"),
        ],
    )
    .await;
    let response = post_table(&mut browser, &dossier, &fields).await;
    assert_eq!(response.status(), 303);
    assert_eq!(location(&response), format!("/dossiers/{dossier}/acties"));
    let (_, html) = browser.get(&format!("/dossiers/{dossier}/acties")).await;
    assert!(
        html.contains("De tabel is bewaard: 2 lijnen opgenomen"),
        "{html}"
    );
    assert!(
        html.contains("€ 11.600,00"),
        "2 × € 5.800 for the pleinmakers"
    );
    assert!(html.contains("€ 26.000,00"), "40 × € 650 for the newcomers");
    assert!(
        html.contains("€ 37.600,00"),
        "the Flemish contribution per project year"
    );
    let grants: Vec<i64> = entity::application_action::Entity::find()
        .order_by_asc(entity::application_action::Column::PriorityRank)
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .map(|a| a.grant_cents)
        .collect();
    assert_eq!(grants, [2_600_000, 1_160_000]);
    // The reach KPI of a line runs from the baseline to the baseline plus the planned reach.
    assert_eq!(
        app.count("kpi WHERE is_reach_kpi AND baseline = 10000 AND target = 50000 AND unit = 'begeleide nieuwkomers'")
            .await,
        1
    );

    // A stale form (someone saved in between) is refused with the typed values kept.
    let stale = table_form(&mut browser, &dossier, &[(&field("p", pleinmakers), "3")]).await;
    let fresh = table_form(&mut browser, &dossier, &[(&field("p", pleinmakers), "4")]).await;
    assert_eq!(
        post_table(&mut browser, &dossier, &fresh).await.status(),
        303
    );
    let response = post_table(&mut browser, &dossier, &stale).await;
    assert_eq!(response.status(), 409);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("Iemand anders bewaarde")
    );

    // Emptying a line with a description is refused: the description would be lost.
    let newcomers_row = crate::journey::action_id(&mut browser, &dossier, "3.2a").await;
    let saved = save_action(
        &mut browser,
        &dossier,
        &newcomers_row,
        &[
            ("priority", "1"),
            ("baseline_reach", "10"),
            ("planned_reach", "40"),
            ("own_contribution", "20000"),
            ("own_staff", "6000"),
            ("description", "Trajecten naar werk met de VDAB."),
        ],
    )
    .await;
    assert_eq!(saved.status(), 303);
    let fields = table_form(
        &mut browser,
        &dossier,
        &[
            (&field("b", newcomers), ""),
            (&field("p", newcomers), ""),
            (&field("r", newcomers), ""),
        ],
    )
    .await;
    let response = post_table(&mut browser, &dossier, &fields).await;
    assert_eq!(response.status(), 422);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("Lijn 3.2a heeft al een beschrijving")
    );
    // Emptying the other line removes it.
    let fields = table_form(
        &mut browser,
        &dossier,
        &[
            (&field("b", pleinmakers), ""),
            (&field("p", pleinmakers), ""),
            (&field("r", pleinmakers), ""),
        ],
    )
    .await;
    assert_eq!(
        post_table(&mut browser, &dossier, &fields).await.status(),
        303
    );
    assert_eq!(app.count("application_action").await, 1);
    assert_eq!(
        app.count("audit_log WHERE action = 'application.reach_lines_saved'")
            .await,
        3
    );
}

#[tokio::test]
async fn submission_needs_the_whole_dossiers_own_share_per_year_in_money_or_staff_not_per_action() {
    let app = spawn_app().await;
    let mut browser = app.signed_in(OFFICIAL_A).await;
    let dossier = start(&app, &mut browser).await;
    fill_general(&mut browser, &dossier).await;
    let plan = call_action_for(&app, "4.3").await.id;
    let squares = call_action_for(&app, "2.9").await.id;
    let fields = table_form(
        &mut browser,
        &dossier,
        &[
            (&format!("p{plan}"), "1"),
            (&format!("r{plan}"), "1"),
            (&format!("b{plan}"), "0"),
            (&format!("p{squares}"), "1"),
            (&format!("r{squares}"), "2"),
            (&format!("b{squares}"), "0"),
        ],
    )
    .await;
    assert_eq!(
        post_table(&mut browser, &dossier, &fields).await.status(),
        303
    );
    // 4.3: € 25.000 from Flanders, covered by 10.000 in money and 10.000 in staff; 2.9: € 5.800
    // from Flanders and € 5.000 of its own: 30.000 against 30.800, short.
    for (code, money, staff, description) in [
        ("4.3", "10000", "10000", "Een lokaal actieplan."),
        ("2.9", "5000", "", "Een pleinmaker op het Kiel."),
    ] {
        let row = crate::journey::action_id(&mut browser, &dossier, code).await;
        let response = save_action(
            &mut browser,
            &dossier,
            &row,
            &[
                ("priority", if code == "4.3" { "1" } else { "2" }),
                ("baseline_reach", "0"),
                ("planned_reach", "1"),
                ("own_contribution", money),
                ("own_staff", staff),
                ("description", description),
            ],
        )
        .await;
        assert_eq!(response.status(), 303, "{code}");
    }
    attach(&mut browser, &dossier, "council_decision").await;
    attach(&mut browser, &dossier, "budget_sheet").await;
    accept_declarations(&mut browser, &dossier).await;
    let (_, html) = browser.get(&format!("/dossiers/{dossier}/controle")).await;
    assert!(!html.contains("Dossier indienen</button>"), "blocked");
    assert!(
        html.contains("in projectjaar 1 is € 25.000,00 minder dan de vereiste € 30.800,00"),
        "{html}"
    );
    assert!(
        html.contains("Voor actie 4.3 wordt verwacht dat u evenveel inbrengt"),
        "the action short of its expected share is warned: {html}"
    );

    // More staff time on 4.3 covers the dossier, though 2.9 stays below its expected share.
    let row = crate::journey::action_id(&mut browser, &dossier, "4.3").await;
    let response = save_action(
        &mut browser,
        &dossier,
        &row,
        &[
            ("priority", "1"),
            ("baseline_reach", "0"),
            ("planned_reach", "1"),
            ("own_contribution", "10000"),
            ("own_staff", "20800"),
            ("description", "Een lokaal actieplan."),
        ],
    )
    .await;
    assert_eq!(response.status(), 303);
    let (_, html) = browser.get(&format!("/dossiers/{dossier}/controle")).await;
    assert!(html.contains("Dossier indienen"), "{html}");
    assert!(html.contains("Voor actie 2.9 wordt verwacht"), "{html}");
    let staff: i64 = entity::application_action::Entity::find()
        .all(&app.db)
        .await
        .unwrap()
        .iter()
        .map(|a| a.own_staff_cents)
        .sum();
    assert_eq!(staff, 2_080_000);
}
