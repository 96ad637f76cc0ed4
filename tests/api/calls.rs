//! Call administration (`/beheer/oproepen`): creating and editing a call from the form, with
//! Dutch field errors and every typed value kept, concurrent edits, rules locked once dossiers
//! are submitted, and the operations (open, close, extend, a late submission for one dossier,
//! giving a dossier back), each with a reason, audited and mailed.

use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};

use crate::helpers::{ADMIN, Browser, OFFICIAL_B, TestApp, count, spawn_app};

/// Decodes the few entities askama writes.
pub fn unescape(text: &str) -> String {
    text.replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&#39;", "'")
        .replace("&#x2f;", "/")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

fn attribute(tag: &str, name: &str) -> Option<String> {
    let marker = format!(" {name}=\"");
    let start = tag.find(&marker)? + marker.len();
    let end = tag[start..].find('"')? + start;
    Some(unescape(&tag[start..end]))
}

/// The fields a browser would send for the form posting to `action`: inputs (checked boxes
/// only), textareas and selected options.
pub fn form_fields(html: &str, action: &str) -> Vec<(String, String)> {
    let marker = format!("action=\"{action}\"");
    let start = html
        .find(&marker)
        .unwrap_or_else(|| panic!("no form for {action}"));
    let end = html[start..]
        .find("</form>")
        .map_or(html.len(), |e| start + e);
    let form = &html[start..end];
    let mut fields = Vec::new();
    let mut rest = form;
    while let Some(at) = rest.find('<') {
        rest = &rest[at..];
        let close = rest.find('>').unwrap_or(rest.len());
        let tag = &rest[..close];
        if tag.starts_with("<input") {
            let kind = attribute(tag, "type").unwrap_or_default();
            if let Some(name) = attribute(tag, "name")
                && (kind != "checkbox" || tag.contains(" checked"))
            {
                fields.push((name, attribute(tag, "value").unwrap_or_default()));
            }
        } else if tag.starts_with("<textarea") {
            if let Some(name) = attribute(tag, "name") {
                let body = &rest[close + 1..];
                let end = body.find("</textarea>").unwrap_or(0);
                fields.push((name, unescape(&body[..end])));
            }
        } else if tag.starts_with("<select")
            && let Some(name) = attribute(tag, "name")
        {
            let body = &rest[close..];
            let end = body.find("</select>").unwrap_or(body.len());
            let options = &body[..end];
            let chosen = options
                .split("<option")
                .skip(1)
                .find(|o| o.contains(" selected"))
                .or_else(|| options.split("<option").nth(1));
            if let Some(option) = chosen {
                fields.push((
                    name,
                    attribute(&format!(" {option}"), "value").unwrap_or_default(),
                ));
            }
        }
        rest = &rest[1..];
    }
    fields
}

pub fn set(fields: &mut Vec<(String, String)>, name: &str, value: &str) {
    match fields.iter_mut().find(|(k, _)| k == name) {
        Some(field) => field.1 = value.to_owned(),
        None => fields.push((name.to_owned(), value.to_owned())),
    }
}

pub async fn post_fields(
    browser: &mut Browser,
    path: &str,
    fields: &[(String, String)],
) -> reqwest::Response {
    let pairs: Vec<(&str, &str)> = fields
        .iter()
        .filter(|(k, _)| k != "csrf_token")
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    browser.post(path, &pairs).await
}

pub async fn first_call(app: &TestApp) -> entity::call::Model {
    entity::call::Entity::find()
        .filter(entity::call::Column::Code.eq("PS-2022-2024"))
        .one(&app.db)
        .await
        .unwrap()
        .expect("the seeded call")
}

/// Edits call `id` through its form, changing `changes`; returns the response.
pub async fn edit_call(
    browser: &mut Browser,
    id: i64,
    changes: &[(&str, &str)],
) -> reqwest::Response {
    let (status, html) = browser
        .get(&format!("/beheer/oproepen/{id}/bewerken"))
        .await;
    assert_eq!(status, 200, "{html}");
    let mut fields = form_fields(&html, &format!("/beheer/oproepen/{id}"));
    for (k, v) in changes {
        set(&mut fields, k, v);
    }
    post_fields(browser, &format!("/beheer/oproepen/{id}"), &fields).await
}

#[tokio::test]
async fn an_admin_creates_a_call_typed_the_belgian_way_and_bad_input_keeps_every_value() {
    let app = spawn_app().await;
    let mut admin = app.signed_in(ADMIN).await;
    let (status, html) = admin.get("/beheer/oproepen/nieuw").await;
    assert_eq!(status, 200, "{html}");
    let mut fields = form_fields(&html, "/beheer/oproepen");
    let catalog_action = fields
        .iter()
        .find(|(k, _)| k.ends_with("_unit_cost"))
        .map(|(k, _)| k.trim_end_matches("_unit_cost").to_owned())
        .expect("catalog rows");
    for (k, v) in [
        ("code", "PS-TEST-2027"),
        ("title", "Testoproep 2027"),
        ("period_start", "01-10-2027"),
        ("period_end", "2029-09-30"),
        ("submission_opens", "2027-04-15T09:00"),
        ("submission_closes", "2027-07-01T12:00"),
        ("reference_year", "2020"),
        ("y1_starts_on", "2027-10-01"),
        ("y1_ends_on", "2028-09-30"),
        ("y1_envelope", "€ 1.234.567,89"),
        ("y1_interim_report_due", "2028-04-15"),
        ("y1_year_report_due", "2028-10-15"),
        ("y2_starts_on", "2028-10-02"),
        ("y2_ends_on", "2029-09-30"),
        ("y2_envelope", "12,345"),
        ("y2_interim_report_due", "2029-04-15"),
        ("y2_year_report_due", "2029-10-15"),
        (&format!("{catalog_action}_selected"), "ja"),
        (&format!("{catalog_action}_unit_cost"), "12.500"),
        (&format!("{catalog_action}_max_reach"), "3"),
        (&format!("{catalog_action}_unit_label"), "traject"),
    ] {
        set(&mut fields, k, v);
    }
    let response = post_fields(&mut admin, "/beheer/oproepen", &fields).await;
    assert_eq!(response.status(), 422);
    let html = response.text().await.unwrap();
    assert!(html.contains("Er is een probleem"), "error summary");
    assert!(
        html.contains("Projectjaar 2 begint de dag na het einde van projectjaar 1"),
        "{html}"
    );
    assert!(
        html.contains("Een bedrag heeft hoogstens twee cijfers na de komma"),
        "y2 envelope"
    );
    for typed in [
        "PS-TEST-2027",
        "Testoproep 2027",
        "€ 1.234.567,89",
        "12,345",
        "2028-10-02",
    ] {
        assert!(html.contains(typed), "typed value {typed} kept");
    }
    assert_eq!(count(&app.db, "call WHERE code = 'PS-TEST-2027'").await, 0);

    set(&mut fields, "y2_starts_on", "2028-10-01");
    set(&mut fields, "y2_envelope", "12.345,00");
    let response = post_fields(&mut admin, "/beheer/oproepen", &fields).await;
    assert_eq!(response.status(), 303);
    let created = entity::call::Entity::find()
        .filter(entity::call::Column::Code.eq("PS-TEST-2027"))
        .one(&app.db)
        .await
        .unwrap()
        .expect("created");
    assert_eq!(created.state, entity::call::CallState::Draft);
    assert_eq!(created.cofinancing_bp, 5_000);
    assert_eq!(created.incentive_cents_per_project_year, 1_000_000);
    assert_eq!(
        created.submission_closes_at.to_rfc3339(),
        "2027-07-01T10:00:00+00:00",
        "12:00 in Brussels in summer"
    );
    let envelopes: Vec<i64> = entity::call_project_year::Entity::find()
        .filter(entity::call_project_year::Column::CallId.eq(created.id))
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .map(|y| y.envelope_cents)
        .collect();
    assert_eq!(envelopes, vec![123_456_789, 1_234_500]);
    assert_eq!(
        count(
            &app.db,
            &format!(
                "call_action WHERE call_id = {} AND unit_cost_cents = 1250000 AND max_reach = 3",
                created.id
            )
        )
        .await,
        1
    );
    assert_eq!(
        count(
            &app.db,
            &format!("call_named_applicant WHERE call_id = {}", created.id)
        )
        .await,
        0
    );
    assert_eq!(
        count(
            &app.db,
            &format!(
                "audit_log WHERE action = 'call.created' AND resource_id = '{}'",
                created.id
            )
        )
        .await,
        1
    );
    // The same code twice is a field error, not a database error.
    let response = post_fields(&mut admin, "/beheer/oproepen", &fields).await;
    assert_eq!(response.status(), 422);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("Er is al een oproep met code PS-TEST-2027")
    );
}

#[tokio::test]
async fn an_edited_threshold_changes_the_verdict_the_rules_engine_gives() {
    let app = spawn_app().await;
    let call = first_call(&app).await;
    let mut willebroek = app.signed_in(OFFICIAL_B).await;
    let (_, before) = willebroek.get("/gemeente").await;
    assert!(!before.contains("Willebroek kan zelfstandig een dossier indienen"));

    let mut admin = app.signed_in(ADMIN).await;
    let response = edit_call(&mut admin, call.id, &[("single_applicant_min", "4.000")]).await;
    assert_eq!(response.status(), 303, "{}", response.text().await.unwrap());
    let (_, after) = willebroek.get("/gemeente").await;
    assert!(
        after.contains("Willebroek kan zelfstandig een dossier indienen"),
        "4.024 is more than 4.000 now"
    );
    let stored = first_call(&app).await;
    assert_eq!(stored.single_applicant_min_exclusive, 4_000);
    assert_eq!(stored.version, call.version + 1);
    assert_eq!(
        count(
            &app.db,
            &format!(
                "audit_log WHERE action = 'call.updated' AND resource_id = '{}'",
                call.id
            )
        )
        .await,
        1
    );
}

#[tokio::test]
async fn a_second_admin_saving_an_old_copy_of_the_call_is_told_and_keeps_the_input() {
    let app = spawn_app().await;
    let call = first_call(&app).await;
    let mut first = app.signed_in(ADMIN).await;
    let (_, html) = first
        .get(&format!("/beheer/oproepen/{}/bewerken", call.id))
        .await;
    let mut stale = form_fields(&html, &format!("/beheer/oproepen/{}", call.id));
    let response = edit_call(&mut first, call.id, &[("title", "Eerste titel")]).await;
    assert_eq!(response.status(), 303);

    set(&mut stale, "title", "Tweede titel");
    let response = post_fields(&mut first, &format!("/beheer/oproepen/{}", call.id), &stale).await;
    assert_eq!(response.status(), 422);
    let html = response.text().await.unwrap();
    assert!(html.contains("Iemand anders bewaarde deze oproep intussen"));
    assert!(html.contains("Tweede titel"), "the typed title stays");
    assert_eq!(first_call(&app).await.title, "Eerste titel");
}

#[tokio::test]
async fn once_a_dossier_is_submitted_the_rules_are_locked_but_envelopes_may_change() {
    let app = spawn_app().await;
    let call = first_call(&app).await;
    let dossier = app.dossier_led_by(11002).await;
    let mut row: entity::application::ActiveModel =
        entity::application::Entity::find_by_id(dossier)
            .one(&app.db)
            .await
            .unwrap()
            .unwrap()
            .into();
    row.state = Set(entity::application::ApplicationState::Submitted);
    row.submitted_at = Set(Some(chrono::Utc::now()));
    row.update(&app.db).await.unwrap();

    let mut admin = app.signed_in(ADMIN).await;
    let (_, page) = admin
        .get(&format!("/beheer/oproepen/{}/bewerken", call.id))
        .await;
    assert!(page.contains("Er zijn al dossiers ingediend onder deze oproep"));
    let response = edit_call(&mut admin, call.id, &[("cofinancing_share", "40")]).await;
    assert_eq!(response.status(), 422);
    let html = response.text().await.unwrap();
    assert!(html.contains("De cofinanciering ligt vast zodra een dossier ingediend is."));
    assert_eq!(first_call(&app).await.cofinancing_bp, 5_000);

    let response = edit_call(&mut admin, call.id, &[("y1_envelope", "14.100.000,00")]).await;
    assert_eq!(response.status(), 303);
    // Four eyes: the new envelope waits for a second admin.
    let response = confirm_envelopes(&app, call.id).await;
    assert_eq!(response.status(), 303);
    let year1 = entity::call_project_year::Entity::find()
        .filter(entity::call_project_year::Column::CallId.eq(call.id))
        .filter(entity::call_project_year::Column::YearNumber.eq(1))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(year1.envelope_cents, 1_410_000_000);

    // The review term is ABB's own: it may change with dossiers submitted, and the inbox uses it.
    let response = edit_call(&mut admin, call.id, &[("review_days", "60")]).await;
    assert_eq!(response.status(), 303);
    assert_eq!(first_call(&app).await.review_days, 60);
    let (_, inbox) = admin.get("/beoordeling").await;
    assert!(inbox.contains("60 dagen na de laatste indiening"));
    let response = edit_call(&mut admin, call.id, &[("review_days", "duizend")]).await;
    assert_eq!(response.status(), 422);
    assert!(response.text().await.unwrap().contains("tussen 1 en 365"));
}

#[tokio::test]
async fn closing_opening_and_extending_a_call_need_a_reason_and_are_audited_and_mailed() {
    let app = spawn_app().await;
    let call = first_call(&app).await;
    app.dossier_led_by(11002).await;
    let mut admin = app.signed_in(ADMIN).await;
    let path = format!("/beheer/oproepen/{}", call.id);

    let response = admin
        .post(
            &format!("{path}/sluiten"),
            &[("version", &call.version.to_string()), ("reason", " ")],
        )
        .await;
    assert_eq!(response.status(), 422);
    assert!(response.text().await.unwrap().contains("Geef de reden op"));
    assert_eq!(first_call(&app).await.state, entity::call::CallState::Open);

    let response = admin
        .post(
            &format!("{path}/sluiten"),
            &[
                ("version", &call.version.to_string()),
                ("reason", "Budget op"),
            ],
        )
        .await;
    assert_eq!(response.status(), 303);
    let closed = first_call(&app).await;
    assert_eq!(closed.state, entity::call::CallState::Closed);
    assert_eq!(
        count(
            &app.db,
            "audit_log WHERE action = 'call.closed' AND details = 'Budget op'"
        )
        .await,
        1
    );
    assert!(
        count(&app.db, "email_outbox WHERE subject LIKE 'Samenleven: oproep %' AND body_text LIKE '%Budget op%'").await >= 1,
        "Antwerpen's officials hear of it"
    );

    // A stale version is a conflict, not a second change.
    let response = admin
        .post(
            &format!("{path}/openen"),
            &[
                ("version", &call.version.to_string()),
                ("reason", "Toch open"),
            ],
        )
        .await;
    assert_eq!(response.status(), 422);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("Iemand anders wijzigde de oproep intussen")
    );

    let later = chrono::Utc::now() + chrono::Duration::days(200);
    let local = samenleven::domain::call_draft::show_moment_input(later);
    let response = admin
        .post(
            &format!("{path}/verlengen"),
            &[
                ("version", &closed.version.to_string()),
                ("moment", &local),
                ("reason", "Storing e-loket"),
            ],
        )
        .await;
    assert_eq!(response.status(), 303);
    let extended = first_call(&app).await;
    assert!(extended.submission_closes_at > closed.submission_closes_at);
    let response = admin
        .post(
            &format!("{path}/openen"),
            &[
                ("version", &extended.version.to_string()),
                ("reason", "Tweede ronde"),
            ],
        )
        .await;
    assert_eq!(response.status(), 303);
    assert_eq!(first_call(&app).await.state, entity::call::CallState::Open);
    assert_eq!(
        count(&app.db, &format!("audit_log WHERE resource_type = 'call' AND resource_id = '{}' AND action IN ('call.closed', 'call.opened', 'call.deadline_extended') AND actor_label LIKE '%admin@demo%'", call.id)).await,
        3
    );
}

#[tokio::test]
async fn one_dossier_may_submit_late_and_a_decided_or_withdrawn_one_goes_back_to_its_applicant() {
    use entity::application::ApplicationState;
    let app = spawn_app().await;
    let call = first_call(&app).await;
    let path = format!("/beheer/oproepen/{}", call.id);
    let draft = app.dossier_led_by(11002).await;
    let decided = app.dossier_led_by(12040).await;
    let set_state = |id: i64, state: ApplicationState| {
        let db = app.db.clone();
        async move {
            let mut row: entity::application::ActiveModel =
                entity::application::Entity::find_by_id(id)
                    .one(&db)
                    .await
                    .unwrap()
                    .unwrap()
                    .into();
            row.state = Set(state);
            row.update(&db).await.unwrap();
        }
    };
    set_state(decided, ApplicationState::Approved).await;
    let mut admin = app.signed_in(ADMIN).await;

    let until = samenleven::domain::call_draft::show_moment_input(
        chrono::Utc::now() + chrono::Duration::days(300),
    );
    let response = admin
        .post(
            &format!("{path}/laattijdig"),
            &[
                ("application_id", &decided.to_string()),
                ("moment", &until),
                ("reason", "x"),
            ],
        )
        .await;
    assert_eq!(response.status(), 422, "only a draft submits late");
    let response = admin
        .post(
            &format!("{path}/laattijdig"),
            &[
                ("application_id", &draft.to_string()),
                ("moment", &until),
                ("reason", "Overmacht: brand in het stadhuis"),
            ],
        )
        .await;
    assert_eq!(response.status(), 303);
    let row = entity::application::Entity::find_by_id(draft)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert!(row.late_submission_until.is_some());
    assert_eq!(
        count(&app.db, &format!("audit_log WHERE action = 'application.late_submission_allowed' AND resource_id = '{draft}'")).await,
        1
    );

    let response = admin
        .post(
            &format!("{path}/teruggeven"),
            &[("application_id", &decided.to_string()), ("reason", "")],
        )
        .await;
    assert_eq!(response.status(), 422);
    let response = admin
        .post(
            &format!("{path}/teruggeven"),
            &[("application_id", &draft.to_string()), ("reason", "waarom")],
        )
        .await;
    assert_eq!(response.status(), 409, "a draft is not given back");
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("Een dossier dat ontwerp is, kan niet teruggeven aan de aanvrager.")
    );
    let response = admin
        .post(
            &format!("{path}/teruggeven"),
            &[
                ("application_id", &decided.to_string()),
                ("reason", "Fout in de beslissing"),
            ],
        )
        .await;
    assert_eq!(response.status(), 303);
    let row = entity::application::Entity::find_by_id(decided)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.state, ApplicationState::ChangesRequested);
    assert_eq!(
        count(&app.db, &format!("change_request WHERE application_id = {decided} AND resolved_at IS NULL AND message = 'Fout in de beslissing'")).await,
        1
    );
    assert!(
        count(
            &app.db,
            "email_outbox WHERE subject LIKE '%dossier teruggegeven%'"
        )
        .await
            >= 1
    );

    set_state(decided, ApplicationState::Withdrawn).await;
    let response = admin
        .post(
            &format!("{path}/teruggeven"),
            &[
                ("application_id", &decided.to_string()),
                ("reason", "Per vergissing ingetrokken"),
            ],
        )
        .await;
    assert_eq!(response.status(), 303);
    let row = entity::application::Entity::find_by_id(decided)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.state, ApplicationState::Draft);
}

/// The error summary's items: (href, text).
fn summary_items(html: &str) -> Vec<(String, String)> {
    let Some(start) = html.find("class=\"error-summary\"") else {
        return Vec::new();
    };
    let end = html[start..].find("</div>").unwrap() + start;
    html[start..end]
        .split("<li><a href=\"")
        .skip(1)
        .map(|item| {
            let (href, rest) = item.split_once("\">").unwrap();
            let text = rest.split_once("</a>").unwrap().0;
            (href.to_owned(), unescape(text))
        })
        .collect()
}

#[tokio::test]
async fn the_empty_new_call_form_names_each_field_once_in_the_error_summary() {
    let app = spawn_app().await;
    let mut admin = app.signed_in(ADMIN).await;
    let (_, html) = admin.get("/beheer/oproepen/nieuw").await;
    let fields = form_fields(&html, "/beheer/oproepen");
    let response = post_fields(&mut admin, "/beheer/oproepen", &fields).await;
    assert_eq!(response.status(), 422);
    let html = response.text().await.unwrap();
    let items = summary_items(&html);
    assert!(!items.is_empty(), "{html}");
    for (href, text) in &items {
        assert!(
            text != "Vul dit veld in." && !text.starts_with("Vul dit veld"),
            "a message without its field: {text}"
        );
        let id = href.trim_start_matches('#');
        assert!(
            html.contains(&format!("id=\"{id}\"")),
            "{href} links to a field of the page"
        );
    }
    for expected in [
        ("#title", "Titel: vul de titel van de oproep in."),
        (
            "#period_start",
            "Eerste dag van de oproepperiode: vul dit veld in.",
        ),
        (
            "#period_end",
            "Laatste dag van de oproepperiode: vul dit veld in.",
        ),
        ("#submission_opens", "Indienen kan vanaf: vul dit veld in."),
        (
            "#submission_closes",
            "Deadline voor indienen: vul dit veld in.",
        ),
    ] {
        assert!(
            items
                .iter()
                .any(|(h, t)| h == expected.0 && t == expected.1),
            "{expected:?} in {items:?}"
        );
    }
    let mut texts: Vec<&String> = items.iter().map(|(_, t)| t).collect();
    let all = texts.len();
    texts.sort();
    texts.dedup();
    assert_eq!(texts.len(), all, "each message once: {items:?}");
}

/// The envelope changes proposed on call `call_id`, waiting for a second admin.
pub async fn pending_envelopes(
    app: &TestApp,
    call_id: i64,
) -> Option<entity::four_eyes_proposal::Model> {
    use entity::four_eyes_proposal::{Column, Entity, ProposalKind, ProposalState};
    Entity::find()
        .filter(Column::Kind.eq(ProposalKind::Envelope))
        .filter(Column::SubjectId.eq(call_id))
        .filter(Column::State.eq(ProposalState::Pending))
        .one(&app.db)
        .await
        .unwrap()
}

/// The second demo admin confirms the envelope changes proposed on call `call_id` from the
/// call's page (four eyes).
pub async fn confirm_envelopes(app: &TestApp, call_id: i64) -> reqwest::Response {
    let proposal = pending_envelopes(app, call_id)
        .await
        .expect("an envelope change waits for a second admin");
    let mut second = app.signed_in("beheerder2@demo.samenleven.test").await;
    second.get(&format!("/beheer/oproepen/{call_id}")).await;
    second
        .post(
            &format!(
                "/beheer/oproepen/{call_id}/voorstellen/{}/bevestigen",
                proposal.id
            ),
            &[],
        )
        .await
}
