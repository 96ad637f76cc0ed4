//! Issue 5: the municipal application journey over HTTP, from login to a submitted dossier.

use crate::helpers::{Browser, OFFICIAL_A, OFFICIAL_B, REVIEWER, TestApp, count, spawn_app};

pub(crate) fn location(response: &reqwest::Response) -> String {
    response
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

pub(crate) async fn call_id(app: &TestApp) -> String {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    entity::call::Entity::find()
        .filter(entity::call::Column::Code.eq("PS-2022-2024"))
        .one(&app.db)
        .await
        .unwrap()
        .expect("the seeded call")
        .id
        .to_string()
}

/// Starts a dossier as the signed-in official and returns its id.
pub(crate) async fn start(app: &TestApp, browser: &mut Browser) -> String {
    browser.get("/account").await;
    let response = browser
        .post("/dossiers", &[("call_id", &call_id(app).await)])
        .await;
    assert_eq!(response.status(), 303, "start a dossier");
    let to = location(&response);
    to.trim_start_matches("/dossiers/").to_owned()
}

/// The id of the chosen line with code `code` (`1.4`, `3.2b`), from the actions page's
/// "Details" link.
pub(crate) async fn action_id(browser: &mut Browser, dossier: &str, code: &str) -> String {
    let (_, html) = browser.get(&format!("/dossiers/{dossier}/acties")).await;
    let marker = format!(" van lijn {code}</span>");
    let end = html
        .find(&marker)
        .unwrap_or_else(|| panic!("line {code} on the page"));
    let start = html[..end].rfind("/acties/").unwrap() + "/acties/".len();
    let stop = html[start..].find('"').unwrap() + start;
    html[start..stop].to_owned()
}

/// The call action of the open 2022-2024 call for `code`: a line code (`3.2b`), an action with
/// one line (`1.4`), or the first line of an action with several (`3.2`).
pub(crate) async fn call_action_for(app: &TestApp, code: &str) -> entity::call_action::Model {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
    let line: i32 = match code.chars().last() {
        Some(c) if c.is_ascii_lowercase() => i32::from(c as u8 - b'a' + 1),
        _ => -1,
    };
    let plan_code = code.trim_end_matches(|c: char| c.is_ascii_lowercase());
    let call = entity::call::Entity::find()
        .filter(entity::call::Column::Code.eq("PS-2022-2024"))
        .one(&app.db)
        .await
        .unwrap()
        .expect("the 2022-2024 call");
    let action = entity::action::Entity::find()
        .filter(entity::action::Column::Code.eq(plan_code))
        .filter(entity::action::Column::PlanId.eq(call.plan_id))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("action {plan_code}"));
    let mut select = entity::call_action::Entity::find()
        .filter(entity::call_action::Column::CallId.eq(call.id))
        .filter(entity::call_action::Column::ActionId.eq(action.id));
    if line >= 0 {
        select = select.filter(entity::call_action::Column::LineNumber.eq(line));
    }
    select
        .order_by_asc(entity::call_action::Column::LineNumber)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("line {code} in the call"))
}

/// Adds line `code` to the dossier with the single-line add form and returns its id.
pub(crate) async fn add_action(
    app: &TestApp,
    browser: &mut Browser,
    dossier: &str,
    code: &str,
) -> String {
    let call_action = call_action_for(app, code).await;
    browser.get(&format!("/dossiers/{dossier}/acties")).await;
    let response = browser
        .post(
            &format!("/dossiers/{dossier}/acties"),
            &[("call_action_id", &call_action.id.to_string())],
        )
        .await;
    assert_eq!(response.status(), 303);
    let shown = line_code(app, &call_action).await;
    action_id(browser, dossier, &shown).await
}

/// The code a line shows: the action's code with the line's letter when it has one.
pub(crate) async fn line_code(app: &TestApp, line: &entity::call_action::Model) -> String {
    use sea_orm::EntityTrait;
    let action = entity::action::Entity::find_by_id(line.action_id)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    match u8::try_from(line.line_number).ok().filter(|n| *n > 0) {
        Some(n) => format!("{}{}", action.code, char::from(b'a' + n - 1)),
        None => action.code,
    }
}

/// Saves an action form as the browser would, after reading the page for its version.
pub(crate) async fn save_action(
    browser: &mut Browser,
    dossier: &str,
    action: &str,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    let (_, html) = browser
        .get(&format!("/dossiers/{dossier}/acties/{action}"))
        .await;
    let version = field_value(&html, "version");
    let mut form: Vec<(&str, &str)> = vec![("version", version.as_str())];
    form.extend_from_slice(fields);
    browser
        .post(&format!("/dossiers/{dossier}/acties/{action}"), &form)
        .await
}

pub(crate) fn field_value(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker).unwrap_or_else(|| panic!("field {name}")) + marker.len();
    let end = html[start..].find('"').unwrap() + start;
    html[start..end].to_owned()
}

pub(crate) async fn fill_general(browser: &mut Browser, dossier: &str) {
    let (_, html) = browser.get(&format!("/dossiers/{dossier}/algemeen")).await;
    let version = field_value(&html, "version");
    let response = browser
        .post(
            &format!("/dossiers/{dossier}/algemeen"),
            &[
                ("version", version.as_str()),
                ("title", "Samen sterker in Antwerpen"),
                (
                    "summary",
                    "Taal, ontmoeting en werk voor nieuwkomers in alle districten.",
                ),
                ("contact_name", "Els Verbeke"),
                ("contact_email", "samenleven@antwerpen.test"),
                ("contact_phone", "03 123 45 67"),
                ("first_project_year", "1"),
                ("last_project_year", "1"),
            ],
        )
        .await;
    assert_eq!(response.status(), 303, "general information saved");
}

/// Uploads a small PDF of `kind` through the attachments page, as the official would.
pub(crate) async fn attach(browser: &mut Browser, dossier: &str, kind: &str) {
    browser.get(&format!("/dossiers/{dossier}/bijlagen")).await;
    let pdf = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";
    let response = crate::attachments::upload(
        browser,
        dossier.parse().unwrap(),
        kind,
        &format!("{kind}.pdf"),
        "application/pdf",
        pdf,
    )
    .await;
    assert_eq!(response.status(), 303, "upload {kind}");
}

pub(crate) async fn accept_declarations(browser: &mut Browser, dossier: &str) {
    let (_, html) = browser
        .get(&format!("/dossiers/{dossier}/verklaringen"))
        .await;
    let version = field_value(&html, "version");
    let response = browser
        .post(
            &format!("/dossiers/{dossier}/verklaringen"),
            &[
                ("version", version.as_str()),
                ("truthful", "ja"),
                ("mandate", "ja"),
                ("cofinancing", "ja"),
            ],
        )
        .await;
    assert_eq!(response.status(), 303);
}

#[tokio::test]
async fn antwerpen_goes_from_login_to_a_submitted_dossier_with_three_actions() {
    let app = spawn_app().await;
    let mut browser = app.signed_in(OFFICIAL_A).await;
    let dossier = start(&app, &mut browser).await;
    let (status, html) = browser.get(&format!("/dossiers/{dossier}")).await;
    assert_eq!(status, 200);
    assert!(html.contains("Onderdelen"));
    assert!(html.contains("niet gestart"));

    fill_general(&mut browser, &dossier).await;
    for (rank, code) in ["4.3", "3.1", "1.4"].iter().enumerate() {
        let action = add_action(&app, &mut browser, &dossier, code).await;
        let response = save_action(
            &mut browser,
            &dossier,
            &action,
            &[
                ("priority", &(rank + 1).to_string()),
                ("baseline_reach", "0"),
                ("planned_reach", "1"),
                ("own_contribution", "€ 25 000"),
                ("description", "Een concrete aanpak met vaste partners."),
                ("partners", ""),
            ],
        )
        .await;
        assert_eq!(response.status(), 303, "action {code} saved");
    }
    attach(&mut browser, &dossier, "council_decision").await;
    attach(&mut browser, &dossier, "budget_sheet").await;
    accept_declarations(&mut browser, &dossier).await;

    let (status, html) = browser.get(&format!("/dossiers/{dossier}/controle")).await;
    assert_eq!(status, 200);
    assert!(html.contains("Dossier indienen"), "{html}");
    let version = field_value(&html, "version");
    let response = browser
        .post(
            &format!("/dossiers/{dossier}/indienen"),
            &[("version", version.as_str())],
        )
        .await;
    assert_eq!(response.status(), 303);
    assert_eq!(
        location(&response),
        format!("/dossiers/{dossier}/bevestiging")
    );
    let (_, html) = browser
        .get(&format!("/dossiers/{dossier}/bevestiging"))
        .await;
    assert!(html.contains("PS-2022-2024-"), "the reference is shown");

    let mails = app.smtp.wait_for(2).await;
    let recipients: Vec<String> = mails.iter().flat_map(|m| m.to.clone()).collect();
    assert!(recipients.contains(&"samenleven@antwerpen.test".to_owned()));
    assert!(recipients.contains(&OFFICIAL_A.to_owned()));
    assert!(mails[0].body().contains("is ingediend"));

    // Locked: no more changes, but a printable view.
    let (status, _) = browser.get(&format!("/dossiers/{dossier}/algemeen")).await;
    assert_eq!(status, 409);
    let (status, html) = browser.get(&format!("/dossiers/{dossier}/afdrukken")).await;
    assert_eq!(status, 200);
    assert!(html.contains("Samen sterker in Antwerpen"));
    assert_eq!(
        count(&app.db, "application WHERE state = 'submitted'").await,
        1
    );
    assert_eq!(count(&app.db, "application_snapshot").await, 1);
    assert_eq!(
        count(&app.db, "audit_log WHERE action = 'application.submitted'").await,
        1
    );

    // ABB sees it; another municipality does not.
    let mut reviewer = app.signed_in(REVIEWER).await;
    assert_eq!(reviewer.get(&format!("/dossiers/{dossier}")).await.0, 200);
    let mut other = app.signed_in(OFFICIAL_B).await;
    assert_eq!(other.get(&format!("/dossiers/{dossier}")).await.0, 404);
}

#[tokio::test]
async fn a_dossier_that_breaks_a_rule_cannot_be_submitted() {
    let app = spawn_app().await;
    let mut browser = app.signed_in(OFFICIAL_A).await;
    let dossier = start(&app, &mut browser).await;
    fill_general(&mut browser, &dossier).await;
    let action = add_action(&app, &mut browser, &dossier, "4.3").await;
    save_action(
        &mut browser,
        &dossier,
        &action,
        &[
            ("priority", "1"),
            ("baseline_reach", "0"),
            ("planned_reach", "1"),
            ("own_contribution", "10"),
            ("description", "x"),
        ],
    )
    .await;
    attach(&mut browser, &dossier, "council_decision").await;
    attach(&mut browser, &dossier, "budget_sheet").await;
    accept_declarations(&mut browser, &dossier).await;
    let (_, html) = browser.get(&format!("/dossiers/{dossier}/controle")).await;
    assert!(!html.contains("Dossier indienen</button>"));
    assert!(html.contains("U kunt nog niet indienen"));
    let (_, general) = browser.get(&format!("/dossiers/{dossier}/algemeen")).await;
    let response = browser
        .post(
            &format!("/dossiers/{dossier}/indienen"),
            &[("version", &field_value(&general, "version"))],
        )
        .await;
    assert_eq!(response.status(), 422);
    assert_eq!(count(&app.db, "application WHERE state = 'draft'").await, 1);
}

#[tokio::test]
async fn bad_input_on_an_action_is_explained_on_the_page_and_typed_values_are_kept() {
    let app = spawn_app().await;
    let mut browser = app.signed_in(OFFICIAL_A).await;
    let dossier = start(&app, &mut browser).await;
    let first = add_action(&app, &mut browser, &dossier, "4.3").await;
    let second = add_action(&app, &mut browser, &dossier, "3.1").await;

    // Input that cannot be read: refused, nothing saved, the typed text comes back.
    let unreadable: [(&str, &str, &str); 4] = [
        ("planned_reach", "-1", "Gepland bereik"),
        ("baseline_reach", "veel", "Huidig bereik"),
        ("own_contribution", "12,5,0", "Eigen inbreng"),
        ("priority", "0", "prioriteit"),
    ];
    for (field, value, message) in unreadable {
        let mut fields = vec![
            ("priority", "1"),
            ("baseline_reach", "0"),
            ("planned_reach", "1"),
            ("own_contribution", "25000"),
            ("description", "Beschrijving"),
        ];
        fields.retain(|(f, _)| *f != field);
        fields.push((field, value));
        let response = save_action(&mut browser, &dossier, &first, &fields).await;
        assert_eq!(response.status(), 422, "{field}={value}");
        let html = response.text().await.unwrap();
        assert!(
            html.contains("Er is een probleem"),
            "{field}: error summary"
        );
        assert!(html.contains(message), "{field}: message {message}");
        assert!(
            html.contains(&format!("value=\"{value}\"")),
            "{field}: typed value kept"
        );
    }

    // A planned reach above the call's maximum is refused on its field: not "bewaard".
    let response = save_action(
        &mut browser,
        &dossier,
        &first,
        &[
            ("priority", "1"),
            ("baseline_reach", "0"),
            ("planned_reach", "9"),
            ("own_contribution", "100,00"),
            ("description", "Beschrijving"),
        ],
    )
    .await;
    assert_eq!(response.status(), 422, "reach above the maximum");
    let html = response.text().await.unwrap();
    assert!(html.contains("Er is een probleem"), "{html}");
    assert!(html.contains("hoogstens 1 lokaal actieplan"), "{html}");
    assert!(
        !html.contains("bewaard."),
        "an invalid save is not saved: {html}"
    );

    // Rule violations: saved, then explained where they are fixed.
    let response = save_action(
        &mut browser,
        &dossier,
        &first,
        &[
            ("priority", "1"),
            ("baseline_reach", "0"),
            ("planned_reach", "1"),
            ("own_contribution", "100,00"),
            ("description", "<script>alert('x')</script>"),
        ],
    )
    .await;
    assert_eq!(response.status(), 303);
    let response = save_action(
        &mut browser,
        &dossier,
        &second,
        &[
            ("priority", "1"),
            ("baseline_reach", "0"),
            ("planned_reach", "1"),
            ("own_contribution", "12.500,00"),
            ("description", "Tweede actie"),
        ],
    )
    .await;
    assert_eq!(response.status(), 303);
    let (_, html) = browser
        .get(&format!("/dossiers/{dossier}/acties/{first}"))
        .await;
    assert!(
        html.contains("&#60;script&#62;") || html.contains("&lt;script&gt;"),
        "escaped"
    );
    assert!(!html.contains("<script>alert"));
    assert!(
        html.contains("eigen inbreng") || html.contains("Eigen inbreng"),
        "own contribution below the grant is explained"
    );
    assert!(
        html.contains("<a href=\"#own_contribution\">"),
        "the finding links to its field: {html}"
    );
    assert!(
        !html.contains("Er is een probleem"),
        "rules are not an error summary after a good save: {html}"
    );
    assert!(
        html.contains("prioriteit"),
        "the duplicate rank is explained"
    );
}

#[tokio::test]
async fn a_freshly_added_action_opens_without_errors_and_its_findings_come_once_after_a_save() {
    let app = spawn_app().await;
    let mut browser = app.signed_in(OFFICIAL_A).await;
    let dossier = start(&app, &mut browser).await;
    let action = add_action(&app, &mut browser, &dossier, "4.3").await;
    let (status, html) = browser
        .get(&format!("/dossiers/{dossier}/acties/{action}"))
        .await;
    assert_eq!(status, 200);
    assert!(!html.contains("Er is een probleem"), "{html}");
    assert!(!html.contains("te klein"), "{html}");

    let response = save_action(
        &mut browser,
        &dossier,
        &action,
        &[
            ("priority", "1"),
            ("baseline_reach", "0"),
            ("planned_reach", "1"),
            ("own_contribution", "100,00"),
            ("description", "Beschrijving"),
        ],
    )
    .await;
    assert_eq!(response.status(), 303);
    let (_, html) = browser
        .get(&format!("/dossiers/{dossier}/acties/{action}"))
        .await;
    assert!(!html.contains("Er is een probleem"), "{html}");
    let own = html.matches("<a href=\"#own_contribution\">").count();
    assert_eq!(
        own, 1,
        "the own contribution finding once, linked to its field: {html}"
    );

    // The check page links the same finding to the field on the action's form.
    let (_, html) = browser.get(&format!("/dossiers/{dossier}/controle")).await;
    assert!(
        html.contains(&format!(
            "<a href=\"/dossiers/{dossier}/acties/{action}#own_contribution\">"
        )),
        "{html}"
    );
}

#[tokio::test]
async fn a_kpi_with_a_target_below_its_baseline_or_a_date_outside_the_call_is_explained() {
    let app = spawn_app().await;
    let mut browser = app.signed_in(OFFICIAL_A).await;
    let dossier = start(&app, &mut browser).await;
    let action = add_action(&app, &mut browser, &dossier, "4.3").await;
    browser
        .get(&format!("/dossiers/{dossier}/acties/{action}"))
        .await;
    let response = browser
        .post(
            &format!("/dossiers/{dossier}/acties/{action}/kpis"),
            &[
                ("indicator", "Deelnemers na 6 maanden"),
                ("unit", "personen"),
                ("baseline", "40"),
                ("target", "30"),
                ("target_date", "2031-01-01"),
                ("measurement", "Aanwezigheidslijsten"),
            ],
        )
        .await;
    assert_eq!(
        response.status(),
        422,
        "a target below the baseline is refused"
    );
    let html = response.text().await.unwrap();
    assert!(!html.contains("KPI toegevoegd"), "{html}");
    assert!(
        html.contains("moet hoger liggen dan de nulmeting (40)"),
        "{html}"
    );
    assert!(html.contains("value=\"30\""), "the typed target is kept");

    // A target above the baseline but a date outside the call: saved, and the date explained.
    let response = browser
        .post(
            &format!("/dossiers/{dossier}/acties/{action}/kpis"),
            &[
                ("indicator", "Deelnemers na 6 maanden"),
                ("unit", "personen"),
                ("baseline", "10"),
                ("target", "30"),
                ("target_date", "2031-01-01"),
                ("measurement", "Aanwezigheidslijsten"),
            ],
        )
        .await;
    assert_eq!(response.status(), 303);
    let (_, html) = browser
        .get(&format!("/dossiers/{dossier}/acties/{action}"))
        .await;
    assert!(html.contains("Deelnemers na 6 maanden"));
    assert!(
        html.contains("verdict fail"),
        "the KPI shows its failing rules"
    );
    assert!(
        !html.contains(").De ") && !html.contains(").</span><span"),
        "findings do not run together: {html}"
    );

    let response = browser
        .post(
            &format!("/dossiers/{dossier}/acties/{action}/kpis"),
            &[
                ("indicator", ""),
                ("unit", "personen"),
                ("baseline", "tien"),
                ("target", "30"),
                ("target_date", "morgen"),
                ("measurement", ""),
            ],
        )
        .await;
    assert_eq!(response.status(), 422);
    let html = response.text().await.unwrap();
    assert!(html.contains("Vul de indicator in."));
    assert!(html.contains("Vul een datum in"));
    assert!(html.contains("value=\"tien\""));
}

#[tokio::test]
async fn two_officials_editing_one_action_get_a_conflict_instead_of_overwriting() {
    let app = spawn_app().await;
    let mut first = app.signed_in(OFFICIAL_A).await;
    let dossier = start(&app, &mut first).await;
    let action = add_action(&app, &mut first, &dossier, "4.3").await;
    let mut second = app.signed_in(OFFICIAL_A).await;
    let (_, html) = first
        .get(&format!("/dossiers/{dossier}/acties/{action}"))
        .await;
    let version = field_value(&html, "version");
    second
        .get(&format!("/dossiers/{dossier}/acties/{action}"))
        .await;
    let fields = |description| {
        [
            ("version", version.as_str()),
            ("priority", "1"),
            ("baseline_reach", "0"),
            ("planned_reach", "1"),
            ("own_contribution", "25000"),
            ("description", description),
        ]
    };
    let path = format!("/dossiers/{dossier}/acties/{action}");
    assert_eq!(
        first
            .post(&path, &fields("Versie van de eerste"))
            .await
            .status(),
        303
    );
    let response = second.post(&path, &fields("Versie van de tweede")).await;
    assert_eq!(response.status(), 409);
    let html = response.text().await.unwrap();
    assert!(html.contains("Iemand anders bewaarde dit deel intussen"));
    assert!(
        html.contains("Versie van de tweede"),
        "the second official's input is kept"
    );
    assert_eq!(
        count(
            &app.db,
            "application_action WHERE description = 'Versie van de eerste'"
        )
        .await,
        1
    );
}

#[tokio::test]
async fn two_simultaneous_starts_give_exactly_one_dossier() {
    let app = spawn_app().await;
    let call = call_id(&app).await;
    let mut a = app.signed_in(OFFICIAL_A).await;
    let mut b = app.signed_in(OFFICIAL_A).await;
    a.get("/account").await;
    b.get("/account").await;
    let form = [("call_id", call.as_str())];
    let (ra, rb) = tokio::join!(a.post("/dossiers", &form), b.post("/dossiers", &form));
    let mut statuses = vec![ra.status().as_u16(), rb.status().as_u16()];
    statuses.sort();
    assert_eq!(statuses, vec![303, 409]);
    assert_eq!(count(&app.db, "application").await, 1);
    assert_eq!(count(&app.db, "application_member").await, 1);
}

#[tokio::test]
async fn a_small_municipality_cannot_start_a_dossier_alone() {
    let app = spawn_app().await;
    let mut browser = app.signed_in(OFFICIAL_B).await;
    browser.get("/account").await;
    let response = browser
        .post("/dossiers", &[("call_id", &call_id(&app).await)])
        .await;
    assert_eq!(response.status(), 409);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("kan volgens de regels van de oproep niet zelfstandig indienen")
    );
    assert_eq!(count(&app.db, "application").await, 0);
}

#[tokio::test]
async fn a_withdrawn_dossier_frees_the_municipality_and_is_audited() {
    let app = spawn_app().await;
    let mut browser = app.signed_in(OFFICIAL_A).await;
    let dossier = start(&app, &mut browser).await;
    let (_, html) = browser.get(&format!("/dossiers/{dossier}/algemeen")).await;
    let version = field_value(&html, "version");
    let response = browser
        .post(
            &format!("/dossiers/{dossier}/intrekken"),
            &[
                ("reason", "Budget van de stad gewijzigd"),
                ("version", version.as_str()),
            ],
        )
        .await;
    assert_eq!(response.status(), 303);
    assert_eq!(
        count(&app.db, "application WHERE state = 'withdrawn'").await,
        1
    );
    assert_eq!(count(&app.db, "audit_log WHERE action = 'application.withdrawn' AND details = 'Budget van de stad gewijzigd'").await, 1);
    // A new dossier can be started.
    start(&app, &mut browser).await;
}

#[tokio::test]
async fn vgc_applies_under_its_separate_agreement_through_the_same_journey() {
    let app = spawn_app().await;
    let mut vgc = app.signed_in("vgc@demo.samenleven.test").await;
    let dossier = start(&app, &mut vgc).await;
    assert_eq!(
        count(&app.db, "application WHERE kind = 'partner'").await,
        1
    );
    assert_eq!(
        count(&app.db, "application_member").await,
        0,
        "a partner is not a municipality"
    );
    let (_, html) = vgc.get(&format!("/dossiers/{dossier}")).await;
    assert!(
        html.contains("aparte overeenkomst") || html.contains("overeenkomst"),
        "the partner verdict is shown"
    );
    fill_general(&mut vgc, &dossier).await;
    let action = add_action(&app, &mut vgc, &dossier, "3.2").await;
    let response = save_action(
        &mut vgc,
        &dossier,
        &action,
        &[
            ("priority", "1"),
            ("baseline_reach", "0"),
            ("planned_reach", "1"),
            ("own_contribution", "25000"),
            ("description", "Brussels traject"),
        ],
    )
    .await;
    assert_eq!(response.status(), 303);
    attach(&mut vgc, &dossier, "council_decision").await;
    attach(&mut vgc, &dossier, "budget_sheet").await;
    accept_declarations(&mut vgc, &dossier).await;
    let (_, html) = vgc.get(&format!("/dossiers/{dossier}/controle")).await;
    assert!(html.contains("Dossier indienen</button>"), "{html}");
    let response = vgc
        .post(
            &format!("/dossiers/{dossier}/indienen"),
            &[("version", &field_value(&html, "version"))],
        )
        .await;
    assert_eq!(response.status(), 303);
    // A second dossier for the same call is refused.
    vgc.get("/account").await;
    let response = vgc
        .post("/dossiers", &[("call_id", &call_id(&app).await)])
        .await;
    assert_eq!(response.status(), 409);
}

#[tokio::test]
async fn ten_simultaneous_saves_of_one_section_give_one_success_and_nine_conflicts_never_an_error()
{
    let app = spawn_app().await;
    let mut browser = app.signed_in(OFFICIAL_A).await;
    let dossier = start(&app, &mut browser).await;
    let (_, html) = browser.get(&format!("/dossiers/{dossier}/algemeen")).await;
    let version = field_value(&html, "version");
    let path = format!("/dossiers/{dossier}/algemeen");
    let titles: Vec<String> = (0..10).map(|i| format!("Versie {i}")).collect();
    let requests = titles.iter().map(|title| {
        let form = vec![
            ("csrf_token", browser.csrf.clone()),
            ("version", version.clone()),
            ("title", title.clone()),
            ("summary", "Samenvatting".to_owned()),
            ("contact_name", "Els".to_owned()),
            ("contact_email", "els@antwerpen.test".to_owned()),
            ("contact_phone", String::new()),
            ("first_project_year", "1".to_owned()),
            ("last_project_year", "1".to_owned()),
        ];
        browser
            .client
            .post(format!("{}{}", app.address, path))
            .form(&form)
            .send()
    });
    let responses = futures_join_all(requests).await;
    let mut statuses: Vec<u16> = responses
        .iter()
        .map(|r| r.as_ref().unwrap().status().as_u16())
        .collect();
    statuses.sort();
    assert_eq!(statuses, [vec![303], vec![409; 9]].concat());
}

/// Runs the futures at once and collects their results in order.
async fn futures_join_all<F: std::future::Future>(
    futures: impl IntoIterator<Item = F>,
) -> Vec<F::Output> {
    let handles: Vec<_> = futures.into_iter().collect();
    let mut pinned: Vec<std::pin::Pin<Box<F>>> = handles.into_iter().map(Box::pin).collect();
    let mut results: Vec<Option<F::Output>> = pinned.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for (i, f) in pinned.iter_mut().enumerate() {
            if results[i].is_none() {
                match f.as_mut().poll(cx) {
                    std::task::Poll::Ready(v) => results[i] = Some(v),
                    std::task::Poll::Pending => pending = true,
                }
            }
        }
        if pending {
            std::task::Poll::Pending
        } else {
            std::task::Poll::Ready(())
        }
    })
    .await;
    results.into_iter().flatten().collect()
}

#[tokio::test]
async fn declarations_with_a_box_missing_come_back_with_the_ticks_the_official_gave() {
    let app = spawn_app().await;
    let mut browser = app.signed_in(OFFICIAL_A).await;
    let dossier = start(&app, &mut browser).await;
    let (_, html) = browser
        .get(&format!("/dossiers/{dossier}/verklaringen"))
        .await;
    let version = field_value(&html, "version");
    let response = browser
        .post(
            &format!("/dossiers/{dossier}/verklaringen"),
            &[
                ("version", version.as_str()),
                ("truthful", "ja"),
                ("mandate", "ja"),
            ],
        )
        .await;
    assert_eq!(response.status(), 422);
    let html = response.text().await.unwrap();
    assert!(
        html.contains(r#"name="truthful" value="ja" checked"#),
        "{html}"
    );
    assert!(html.contains(r#"name="mandate" value="ja" checked"#));
    assert!(!html.contains(r#"name="cofinancing" value="ja" checked"#));
    assert!(
        html.contains(r#"id="cofinancing-error""#),
        "the missing box has its message"
    );
}

/// A dossier of OFFICIAL_A with one action, its attachments and declarations: ready to submit.
pub(crate) async fn ready_dossier(app: &TestApp, browser: &mut Browser) -> String {
    let dossier = start(app, browser).await;
    fill_general(browser, &dossier).await;
    let action = add_action(app, browser, &dossier, "4.3").await;
    let response = save_action(
        browser,
        &dossier,
        &action,
        &[
            ("priority", "1"),
            ("baseline_reach", "0"),
            ("planned_reach", "1"),
            ("own_contribution", "25.000,00"),
            ("description", "Een concrete aanpak met vaste partners."),
        ],
    )
    .await;
    assert_eq!(response.status(), 303, "action saved");
    attach(browser, &dossier, "council_decision").await;
    attach(browser, &dossier, "budget_sheet").await;
    accept_declarations(browser, &dossier).await;
    dossier
}

#[tokio::test]
async fn a_signed_in_official_who_submits_twice_gets_a_plain_conflict_page_inside_the_app() {
    use sea_orm::EntityTrait;
    let app = spawn_app().await;
    let mut browser = app.signed_in(OFFICIAL_A).await;
    let dossier = ready_dossier(&app, &mut browser).await;
    // The check page stays open in a second tab: its version is read before the first submit.
    let (_, html) = browser.get(&format!("/dossiers/{dossier}/controle")).await;
    let version = field_value(&html, "version");
    let path = format!("/dossiers/{dossier}/indienen");
    let first = browser.post(&path, &[("version", version.as_str())]).await;
    assert_eq!(first.status(), 303, "first submission");
    let second = browser.post(&path, &[("version", version.as_str())]).await;
    assert_eq!(second.status(), 409, "the second tab");
    let html = second.text().await.unwrap();

    let submitted_at = entity::application::Entity::find_by_id(dossier.parse::<i64>().unwrap())
        .one(&app.db)
        .await
        .unwrap()
        .unwrap()
        .submitted_at
        .expect("submitted");
    let day =
        samenleven::domain::time::date_long(samenleven::domain::time::brussels_date(submitted_at));
    assert!(
        html.contains(&format!("Dit dossier is al ingediend op {day}.")),
        "the plain sentence: {html}"
    );
    assert!(html.contains("Els Verbeke"), "the signed-in header: {html}");
    assert!(html.contains("Afmelden"), "the sign-out button: {html}");
    assert!(
        html.contains("Mijn gemeente"),
        "the official's menu: {html}"
    );
    assert!(
        !html.contains(">Aanmelden<"),
        "not as if signed out: {html}"
    );
    assert!(!html.contains("<h1>Conflict</h1>"), "{html}");
    assert!(
        html.contains(&format!(
            "href=\"/dossiers/{dossier}\">Terug naar het dossier"
        )),
        "a link back to the dossier: {html}"
    );

    // The back button to a section after submitting: the same plain words, the same way back.
    let (status, html) = browser.get(&format!("/dossiers/{dossier}/algemeen")).await;
    assert_eq!(status, 409);
    assert!(html.contains(&format!("Dit dossier is al ingediend op {day}.")));
    assert!(html.contains(&format!("href=\"/dossiers/{dossier}\"")));
}

/// The unit cost of catalog action `code` in the seeded call, in cents.
async fn unit_cost(app: &TestApp, code: &str) -> i64 {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let action = entity::action::Entity::find()
        .filter(entity::action::Column::Code.eq(code))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    entity::call_action::Entity::find()
        .filter(entity::call_action::Column::ActionId.eq(action.id))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap()
        .unit_cost_cents
}

#[tokio::test]
async fn the_budget_totals_sum_each_column_and_the_check_page_names_the_grant_asked_for() {
    use samenleven::domain::Cents;
    let app = spawn_app().await;
    let mut browser = app.signed_in(OFFICIAL_A).await;
    let dossier = ready_dossier(&app, &mut browser).await;
    let second = add_action(&app, &mut browser, &dossier, "3.1").await;
    let response = save_action(
        &mut browser,
        &dossier,
        &second,
        &[
            ("priority", "2"),
            ("baseline_reach", "0"),
            ("planned_reach", "2"),
            ("own_contribution", "30.000,00"),
            ("description", "Een tweede aanpak."),
        ],
    )
    .await;
    assert_eq!(response.status(), 303, "second action saved");
    // Planned reach × unit cost per action, over one project year; no incentive for one
    // municipality.
    let grant = unit_cost(&app, "4.3").await + 2 * unit_cost(&app, "3.1").await;
    let own = 5_500_000;
    let shown = |cents: i64| Cents::new(cents).unwrap().to_string();
    let footer = format!(
        "<th scope=\"row\">Totaal</th><td class=\"num\">{}</td><td class=\"num\">{}</td>\
         <td class=\"num\">{}</td><td class=\"num\">{}</td>",
        shown(grant),
        shown(own),
        shown(0),
        shown(grant + own)
    );
    let asked = format!(
        "<dt>Totaal gevraagde subsidie</dt><dd>{} (acties en incentive samenwerking)</dd>",
        shown(grant)
    );
    let (status, html) = browser.get(&format!("/dossiers/{dossier}/begroting")).await;
    assert_eq!(status, 200);
    assert!(html.contains(&footer), "budget footer {footer}: {html}");
    assert!(html.contains(&asked), "{html}");
    assert!(!html.contains("per jaar</td>"), "{html}");
    let (status, html) = browser.get(&format!("/dossiers/{dossier}/controle")).await;
    assert_eq!(status, 200);
    assert!(html.contains(&footer), "check page footer: {html}");
    assert!(html.contains(&asked), "check page grant: {html}");
    assert!(
        html.contains(&format!(
            "<dt>Totale eigen inbreng</dt><dd>{}</dd>",
            shown(own)
        )),
        "{html}"
    );
}

#[tokio::test]
async fn a_kpi_that_must_fall_is_saved_with_a_target_below_its_baseline_and_reads_so() {
    let app = spawn_app().await;
    let mut browser = app.signed_in(OFFICIAL_A).await;
    let dossier = start(&app, &mut browser).await;
    let action = add_action(&app, &mut browser, &dossier, "4.3").await;
    let (_, page) = browser
        .get(&format!("/dossiers/{dossier}/acties/{action}"))
        .await;
    assert!(page.contains("Moet de waarde stijgen of dalen?"));
    let kpi = |direction: &'static str, target: &'static str| {
        [
            ("indicator", "Meldingen van straatintimidatie"),
            ("unit", "meldingen"),
            ("baseline", "40"),
            ("target", target),
            ("target_date", "2023-09-30"),
            ("measurement", "Meldpunt van de stad"),
            ("direction", direction),
        ]
    };

    // Falling, but the target lies above the baseline: explained, as typed.
    let response = browser
        .post(
            &format!("/dossiers/{dossier}/acties/{action}/kpis"),
            &kpi("falling", "45"),
        )
        .await;
    assert_eq!(response.status(), 422);
    let html = response.text().await.unwrap();
    assert!(
        html.contains(
            "deze KPI moet dalen, dus de streefwaarde (45) moet lager liggen dan de nulmeting (40)"
        ),
        "{html}"
    );
    assert!(
        html.contains("id=\"direction-falling\" name=\"direction\" value=\"falling\" checked"),
        "the chosen direction is kept"
    );

    // Falling with a lower target: saved, and the check page has no complaint about it.
    let response = browser
        .post(
            &format!("/dossiers/{dossier}/acties/{action}/kpis"),
            &kpi("falling", "25"),
        )
        .await;
    assert_eq!(response.status(), 303);
    assert_eq!(
        count(
            &app.db,
            "kpi WHERE direction = 'falling' AND target = 25000"
        )
        .await,
        1
    );
    let (_, page) = browser
        .get(&format!("/dossiers/{dossier}/acties/{action}"))
        .await;
    assert!(page.contains("25 (moet dalen)"), "{page}");
    let (_, check) = browser.get(&format!("/dossiers/{dossier}/controle")).await;
    assert!(
        check.contains("ligt lager dan de nulmeting (40)"),
        "the rule reads the falling target as an improvement: {check}"
    );
}
