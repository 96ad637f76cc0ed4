//! Issue 8, the follow-up after approval: KPI reports (missed targets need a motivation, sent
//! back and resubmitted), continuation at 24,9% and 25%, advances and balances exact to the
//! cent, reclaims, reminders sent once, who may see and do what, and the e-mails each party
//! receives. Dossiers are set up in the database up to "in review"; the decision itself goes
//! through the reviewer's form, so the follow-up starts the way it does in production.

use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};

use entity::progress_report::{ReportKind, ReportState};
use entity::{application, application_action, kpi, payment, progress_report};

use crate::helpers::{
    ADMIN, Browser, DEMO_PASSWORD, OFFICIAL_A, OFFICIAL_B, REVIEWER, TestApp, count, spawn_app,
};
use crate::journey::field_value;

const ANTWERPEN: i32 = 11002;
const WILLEBROEK: i32 = 12040;
const PUURS_SINT_AMANDS: i32 = 12041;
const CONTACT: &str = "opvolging@dossier.test";
const MEMBER_OFFICIAL: &str = "puurs-sint-amands@opvolging.test";

/// One action of a fixture dossier: catalog code, planned reach (the reach KPI goes from 0 to
/// it), requested grant (= own contribution) in cents, the amount ABB grants as typed in the
/// decision form, and an optional second KPI (baseline, target).
pub(crate) struct Spec {
    pub code: &'static str,
    pub planned: i32,
    pub requested: i64,
    pub granted: &'static str,
    pub extra: Option<(i64, i64)>,
}

pub(crate) struct Fixture {
    pub id: i64,
    /// Per action: its id and its KPI ids (the reach KPI first).
    pub actions: Vec<(i64, Vec<i64>)>,
}

/// A dossier led by `lead` (with confirmed `members`), for project years 1..=`years`, put in
/// review in the database and then approved by the reviewer through the decision form.
pub(crate) async fn approved(
    app: &TestApp,
    lead: i32,
    members: &[i32],
    years: i32,
    specs: &[Spec],
) -> Fixture {
    let municipality = |nis: i32| async move {
        entity::municipality::Entity::find()
            .filter(entity::municipality::Column::NisCode.eq(nis))
            .filter(entity::municipality::Column::ValidTo.is_null())
            .one(&app.db)
            .await
            .unwrap()
            .expect("municipality")
    };
    let call = entity::call::Entity::find()
        .filter(entity::call::Column::Code.eq("PS-2022-2024"))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    let lead_row = municipality(lead).await;
    let now = chrono::Utc::now();
    let row = application::ActiveModel {
        call_id: Set(call.id),
        reference: Set(format!("PS-OPV-{lead}")),
        kind: Set(if members.is_empty() {
            application::ApplicationKind::Single
        } else {
            application::ApplicationKind::Cooperation
        }),
        lead_municipality_id: Set(Some(lead_row.id)),
        title: Set(format!("Opvolgingstest {}", lead_row.name)),
        contact_email: Set(Some(CONTACT.to_owned())),
        first_project_year: Set(1),
        last_project_year: Set(years),
        state: Set(application::ApplicationState::InReview),
        submitted_at: Set(Some(now)),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
        ..Default::default()
    }
    .insert(&app.db)
    .await
    .unwrap();
    for (nis, role) in std::iter::once((lead, entity::application_member::MemberRole::Lead)).chain(
        members
            .iter()
            .map(|m| (*m, entity::application_member::MemberRole::Member)),
    ) {
        entity::application_member::ActiveModel {
            application_id: Set(row.id),
            call_id: Set(call.id),
            municipality_id: Set(municipality(nis).await.id),
            role: Set(role),
            consent_state: Set(entity::application_member::ConsentState::Confirmed),
            consent_at: Set(Some(now)),
            invited_at: Set(now),
            version: Set(1),
            ..Default::default()
        }
        .insert(&app.db)
        .await
        .unwrap();
    }
    let mut actions = Vec::new();
    for (rank, s) in specs.iter().enumerate() {
        let catalog = entity::action::Entity::find()
            .filter(entity::action::Column::Code.eq(s.code))
            .one(&app.db)
            .await
            .unwrap()
            .unwrap();
        let call_action = entity::call_action::Entity::find()
            .filter(entity::call_action::Column::ActionId.eq(catalog.id))
            .filter(entity::call_action::Column::CallId.eq(call.id))
            .one(&app.db)
            .await
            .unwrap()
            .unwrap();
        let action = application_action::ActiveModel {
            application_id: Set(row.id),
            call_action_id: Set(call_action.id),
            priority_rank: Set(i32::try_from(rank).unwrap() + 1),
            baseline_reach: Set(0),
            planned_reach: Set(s.planned),
            grant_cents: Set(s.requested),
            own_contribution_cents: Set(s.requested),
            description: Set("Testactie".into()),
            version: Set(1),
            ..Default::default()
        }
        .insert(&app.db)
        .await
        .unwrap();
        let mut kpis = Vec::new();
        let mut kpi_rows = vec![(true, 0, i64::from(s.planned))];
        if let Some((b, t)) = s.extra {
            kpi_rows.push((false, b, t));
        }
        for (reach, baseline, target) in kpi_rows {
            let k = kpi::ActiveModel {
                application_action_id: Set(action.id),
                is_reach_kpi: Set(reach),
                indicator: Set(if reach {
                    "Bereik".into()
                } else {
                    "Deelnemers".into()
                }),
                unit: Set("personen".into()),
                baseline: Set(baseline * 1000),
                target: Set(target * 1000),
                target_date: Set(call.period_end),
                measurement: Set("Telling".into()),
                version: Set(1),
                ..Default::default()
            }
            .insert(&app.db)
            .await
            .unwrap();
            kpis.push(k.id);
        }
        actions.push((action.id, kpis));
    }
    let mut reviewer = app.signed_in(REVIEWER).await;
    reviewer.get(&format!("/beoordeling/{}", row.id)).await;
    let names: Vec<String> = actions
        .iter()
        .map(|(id, _)| format!("grant_{id}"))
        .collect();
    let mut fields: Vec<(&str, &str)> = vec![
        ("outcome", "approve"),
        ("motivation", "Goedgekeurd voor de opvolgingstest."),
    ];
    for (name, s) in names.iter().zip(specs) {
        fields.push((name.as_str(), s.granted));
    }
    let response = reviewer
        .post(&format!("/beoordeling/{}/beslissing", row.id), &fields)
        .await;
    assert_eq!(response.status(), 303, "the reviewer proposes the decision");
    let response = crate::helpers::confirm_decision(app, row.id, ADMIN).await;
    assert_eq!(response.status(), 303, "an admin confirms it (four eyes)");
    Fixture {
        id: row.id,
        actions,
    }
}

pub(crate) async fn report(
    app: &TestApp,
    dossier: i64,
    year: i32,
    kind: ReportKind,
) -> progress_report::Model {
    progress_report::Entity::find()
        .filter(progress_report::Column::ApplicationId.eq(dossier))
        .filter(progress_report::Column::YearNumber.eq(year))
        .filter(progress_report::Column::Kind.eq(kind))
        .one(&app.db)
        .await
        .unwrap()
        .expect("report")
}

async fn payments(app: &TestApp, dossier: i64) -> Vec<payment::Model> {
    payment::Entity::find()
        .filter(payment::Column::ApplicationId.eq(dossier))
        .order_by_asc(payment::Column::Id)
        .all(&app.db)
        .await
        .unwrap()
}

/// Fills in report `report` of `dossier` as the official: `values` are (KPI id, actual value,
/// motivation); `action` is "bewaren" or "indienen".
pub(crate) async fn file_report(
    official: &mut Browser,
    dossier: i64,
    report: i64,
    values: &[(i64, &str, &str)],
    action: &str,
) -> reqwest::Response {
    let (status, html) = official
        .get(&format!("/dossiers/{dossier}/rapporten/{report}"))
        .await;
    assert_eq!(status, 200);
    let version = field_value(&html, "version");
    let names: Vec<(String, String)> = values
        .iter()
        .map(|(k, _, _)| (format!("actual_{k}"), format!("motivation_{k}")))
        .collect();
    let mut fields: Vec<(&str, &str)> = vec![("version", version.as_str()), ("action", action)];
    for ((actual, motivation), (_, value, why)) in names.iter().zip(values) {
        fields.push((actual.as_str(), value));
        fields.push((motivation.as_str(), why));
    }
    official
        .post(&format!("/dossiers/{dossier}/rapporten/{report}"), &fields)
        .await
}

/// The reviewer decides on a submitted report; `extra` adds fields (motivation judgements).
pub(crate) async fn review(
    reviewer: &mut Browser,
    report: i64,
    outcome: &str,
    note: &str,
    extra: &[(&str, &str)],
) -> reqwest::Response {
    let (status, html) = reviewer
        .get(&format!("/opvolging/rapporten/{report}"))
        .await;
    assert_eq!(status, 200);
    let version = field_value(&html, "version");
    let mut fields: Vec<(&str, &str)> = vec![
        ("version", version.as_str()),
        ("outcome", outcome),
        ("note", note),
    ];
    fields.extend_from_slice(extra);
    reviewer
        .post(&format!("/opvolging/rapporten/{report}"), &fields)
        .await
}

async fn body(response: reqwest::Response) -> String {
    response.text().await.unwrap()
}

#[tokio::test]
async fn a_missed_target_needs_a_motivation_and_a_sent_back_report_is_changed_and_resubmitted() {
    let app = spawn_app().await;
    let f = approved(
        &app,
        ANTWERPEN,
        &[],
        1,
        &[Spec {
            code: "4.3",
            planned: 4,
            requested: 10_000_000,
            granted: "100.000,00",
            extra: None,
        }],
    )
    .await;
    let reach = f.actions[0].1[0];

    // Approval created both reports, with the call's deadlines moved by the late approval.
    assert_eq!(
        count(
            &app.db,
            &format!("progress_report WHERE application_id = {}", f.id)
        )
        .await,
        2
    );
    let interim = report(&app, f.id, 1, ReportKind::Interim).await;
    let delay =
        chrono::Utc::now().date_naive() - chrono::NaiveDate::from_ymd_opt(2022, 10, 1).unwrap();
    assert_eq!(
        interim.due_on,
        chrono::NaiveDate::from_ymd_opt(2023, 4, 15).unwrap() + delay
    );

    let mut official = app.signed_in(OFFICIAL_A).await;
    // Bad input comes back with the typed value and a Dutch message.
    let response = file_report(
        &mut official,
        f.id,
        interim.id,
        &[(reach, "1,2,3", "")],
        "bewaren",
    )
    .await;
    assert_eq!(response.status(), 422);
    let html = body(response).await;
    assert!(html.contains("Er is een probleem"), "error summary");
    assert!(html.contains("value=\"1,2,3\""), "the typed value is kept");
    assert!(html.contains(&format!("href=\"#actual_{reach}\"")));

    // 0,9 of 4 is 22,5% after six months: behind the 25% threshold, so a motivation is required.
    let response = file_report(
        &mut official,
        f.id,
        interim.id,
        &[(reach, "0,9", "")],
        "indienen",
    )
    .await;
    assert_eq!(response.status(), 422);
    let html = body(response).await;
    assert!(html.contains("22,50% van de geplande stijging"), "{html}");
    assert!(html.contains("Leg uit waarom."));
    assert!(html.contains("value=\"0,9\""));
    assert_eq!(
        report(&app, f.id, 1, ReportKind::Interim).await.state,
        ReportState::Draft
    );

    // Saved as a draft without motivation is fine; submitted with one it goes to ABB.
    let response = file_report(
        &mut official,
        f.id,
        interim.id,
        &[(reach, "0,9", "")],
        "bewaren",
    )
    .await;
    assert_eq!(response.status(), 303);
    let response = file_report(
        &mut official,
        f.id,
        interim.id,
        &[(reach, "0,9", "De werving startte later dan gepland.")],
        "indienen",
    )
    .await;
    assert_eq!(response.status(), 303);
    assert_eq!(
        report(&app, f.id, 1, ReportKind::Interim).await.state,
        ReportState::Submitted
    );
    assert!(
        app.smtp
            .wait_until(|m| m.to.contains(&OFFICIAL_A.to_owned())
                && m.body().contains("diende het rapport"))
            .await,
        "the lead's official gets the confirmation"
    );
    assert!(
        app.smtp
            .wait_until(
                |m| m.to.contains(&CONTACT.to_owned()) && m.body().contains("diende het rapport")
            )
            .await,
        "the dossier's contact gets it too"
    );
    // A submitted report is no longer editable by the municipality.
    let (_, html) = official
        .get(&format!("/dossiers/{}/rapporten/{}", f.id, interim.id))
        .await;
    assert!(!html.contains("Rapport indienen"), "no form once submitted");
    let version = report(&app, f.id, 1, ReportKind::Interim)
        .await
        .version
        .to_string();
    let actual = format!("actual_{reach}");
    let response = official
        .post(
            &format!("/dossiers/{}/rapporten/{}", f.id, interim.id),
            &[("version", &version), ("action", "bewaren"), (&actual, "1")],
        )
        .await;
    assert_eq!(response.status(), 409);

    // ABB sends it back with a note; the municipality sees the note and gets an e-mail.
    let mut reviewer = app.signed_in(REVIEWER).await;
    let response = review(&mut reviewer, interim.id, "terugsturen", "", &[]).await;
    assert_eq!(response.status(), 422, "sending back needs a note");
    let response = review(
        &mut reviewer,
        interim.id,
        "terugsturen",
        "Voeg de deelnemerslijst toe.",
        &[],
    )
    .await;
    assert_eq!(response.status(), 303);
    assert_eq!(
        report(&app, f.id, 1, ReportKind::Interim).await.state,
        ReportState::SentBack
    );
    assert!(
        app.smtp
            .wait_until(|m| m.to.contains(&OFFICIAL_A.to_owned())
                && m.body().contains("Voeg de deelnemerslijst toe."))
            .await
    );
    let (_, html) = official
        .get(&format!("/dossiers/{}/rapporten/{}", f.id, interim.id))
        .await;
    assert!(html.contains("Voeg de deelnemerslijst toe."));
    assert!(html.contains("teruggestuurd"));

    // The municipality adds an attachment, changes the value and resubmits.
    let pdf = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";
    let csrf = official.csrf.clone();
    let response = crate::attachments::post_multipart(
        &official,
        &format!("/dossiers/{}/rapporten/{}/bijlagen", f.id, interim.id),
        &[
            crate::attachments::text("csrf_token", &csrf),
            crate::attachments::file("deelnemers.pdf", "application/pdf", pdf),
        ],
    )
    .await;
    assert_eq!(response.status(), 303);
    assert_eq!(
        count(
            &app.db,
            &format!("attachment WHERE progress_report_id = {}", interim.id)
        )
        .await,
        1
    );
    assert_eq!(
        count(
            &app.db,
            "audit_log WHERE action = 'attachment.uploaded' AND details LIKE 'dossier PS-OPV-%, %: deelnemers.pdf'"
        )
        .await,
        1,
        "the upload is audited with the dossier and the report it belongs to"
    );
    let response = file_report(
        &mut official,
        f.id,
        interim.id,
        &[(reach, "1", "")],
        "indienen",
    )
    .await;
    assert_eq!(
        response.status(),
        303,
        "1 of 4 is 25%: on schedule, no motivation needed"
    );
    assert_eq!(
        report(&app, f.id, 1, ReportKind::Interim).await.state,
        ReportState::Submitted
    );
    assert_eq!(
        count(&app.db, "audit_log WHERE action = 'report.resubmit'").await,
        1
    );

    let response = review(&mut reviewer, interim.id, "aanvaarden", "", &[]).await;
    assert_eq!(response.status(), 303);
    assert_eq!(
        report(&app, f.id, 1, ReportKind::Interim).await.state,
        ReportState::Accepted
    );
    assert!(
        app.smtp
            .wait_until(|m| m.to.contains(&OFFICIAL_A.to_owned())
                && m.body().contains("ABB aanvaardt het rapport"))
            .await
    );
    assert_eq!(
        count(&app.db, "audit_log WHERE action = 'report.accept'").await,
        1
    );
    // Accepted is final: no form any more, and a decision posted anyway is refused.
    let (_, html) = reviewer
        .get(&format!("/opvolging/rapporten/{}", interim.id))
        .await;
    assert!(!html.contains("Beslissing bewaren"));
    let version = report(&app, f.id, 1, ReportKind::Interim)
        .await
        .version
        .to_string();
    let response = reviewer
        .post(
            &format!("/opvolging/rapporten/{}", interim.id),
            &[
                ("version", &version),
                ("outcome", "terugsturen"),
                ("note", "Toch niet."),
            ],
        )
        .await;
    assert_eq!(response.status(), 409);
}

#[tokio::test]
async fn two_officials_saving_one_report_get_a_conflict_instead_of_overwriting() {
    let app = spawn_app().await;
    let f = approved(
        &app,
        ANTWERPEN,
        &[],
        1,
        &[Spec {
            code: "4.3",
            planned: 4,
            requested: 10_000_000,
            granted: "100.000,00",
            extra: None,
        }],
    )
    .await;
    let reach = f.actions[0].1[0];
    let interim = report(&app, f.id, 1, ReportKind::Interim).await;
    let mut official = app.signed_in(OFFICIAL_A).await;
    let (_, html) = official
        .get(&format!("/dossiers/{}/rapporten/{}", f.id, interim.id))
        .await;
    let version = field_value(&html, "version");
    let actual = format!("actual_{reach}");
    let path = format!("/dossiers/{}/rapporten/{}", f.id, interim.id);
    let first = official
        .post(
            &path,
            &[("version", &version), ("action", "bewaren"), (&actual, "2")],
        )
        .await;
    assert_eq!(first.status(), 303);
    let second = official
        .post(
            &path,
            &[("version", &version), ("action", "bewaren"), (&actual, "3")],
        )
        .await;
    assert_eq!(second.status(), 409);
    let html = body(second).await;
    assert!(html.contains("Iemand anders bewaarde dit deel intussen"));
    assert!(html.contains("value=\"3\""), "the typed value is kept");
}

#[tokio::test]
async fn an_action_continues_at_25_percent_stops_at_24_9_and_a_positive_review_keeps_it() {
    let app = spawn_app().await;
    // Three actions over two project years, each with a second KPI from 0 to 1.000.
    let f = approved(
        &app,
        ANTWERPEN,
        &[],
        2,
        &[
            Spec {
                code: "4.3",
                planned: 1,
                requested: 2_500_000,
                granted: "12.345,67",
                extra: Some((0, 1000)),
            },
            Spec {
                code: "2.2",
                planned: 2,
                requested: 2_500_000,
                granted: "10.000,01",
                extra: Some((0, 1000)),
            },
            Spec {
                code: "2.6",
                planned: 2,
                requested: 2_500_000,
                granted: "7.777,77",
                extra: Some((0, 1000)),
            },
        ],
    )
    .await;
    let year2_advance = |ps: &[payment::Model]| {
        ps.iter()
            .filter(|p| p.year_number == 2 && p.tranche == payment::Tranche::Advance)
            .map(|p| p.amount_cents)
            .collect::<Vec<_>>()
    };
    // 80% of 30.123,45 = 24.098,76.
    assert_eq!(year2_advance(&payments(&app, f.id).await), vec![2_409_876]);

    let interim = report(&app, f.id, 1, ReportKind::Interim).await;
    let [(a, ka), (b, kb), (c, kc)] = [&f.actions[0], &f.actions[1], &f.actions[2]];
    let mut official = app.signed_in(OFFICIAL_A).await;
    let response = file_report(
        &mut official,
        f.id,
        interim.id,
        &[
            (ka[0], "0", "Zomerstop in het jeugdwerk."),
            (ka[1], "249", "Zomerstop in het jeugdwerk."),
            (kb[0], "1", ""),
            (kb[1], "100", "Geen vrijwilligers gevonden."),
            (kc[0], "0", "Geen vrijwilligers gevonden."),
            (kc[1], "900", ""),
        ],
        "indienen",
    )
    .await;
    assert_eq!(response.status(), 303, "{}", body(response).await);
    let mut reviewer = app.signed_in(REVIEWER).await;
    assert_eq!(
        review(&mut reviewer, interim.id, "aanvaarden", "", &[])
            .await
            .status(),
        303
    );

    let proposal = |action: i64| {
        let db = app.db.clone();
        async move {
            entity::continuation::Entity::find()
                .filter(entity::continuation::Column::ApplicationActionId.eq(action))
                .filter(entity::continuation::Column::YearNumber.eq(2))
                .one(&db)
                .await
                .unwrap()
                .expect("a proposal")
        }
    };
    let (pa, pb, pc) = (proposal(*a).await, proposal(*b).await, proposal(*c).await);
    // The reach decides (issue 21): achieved over planned additional reach, not every KPI.
    assert!(!pa.proposed, "nothing reached: {}", pa.reason);
    assert!(
        pa.reason.contains("0 van 1 gepland bijkomend bereik"),
        "{}",
        pa.reason
    );
    assert!(
        pb.proposed,
        "half the reach, though its extra KPI lags: {}",
        pb.reason
    );
    assert!(
        !pc.proposed,
        "a strong extra KPI does not hide a reach of 0"
    );

    let decide = |id: i64, version: i32, decision: &'static str, note: &'static str| {
        let decision_name = format!("decision_{id}");
        let note_name = format!("note_{id}");
        (
            decision_name,
            note_name,
            version.to_string(),
            decision,
            note,
        )
    };
    reviewer
        .get(&format!("/opvolging/rapporten/{}", interim.id))
        .await;
    // A positive review needs its reason.
    let (dn, nn, v, d, n) = decide(pa.id, pa.version, "positief", "");
    let response = reviewer
        .post(
            &format!("/opvolging/voortzetting/{}", pa.id),
            &[(&dn, d), (&nn, n), ("version", &v)],
        )
        .await;
    assert_eq!(response.status(), 422);
    assert!(
        body(response)
            .await
            .contains("Geef de reden van de positieve beoordeling.")
    );
    let (dn, nn, v, d, n) = decide(
        pa.id,
        pa.version,
        "positief",
        "De zomerstop verklaart de achterstand.",
    );
    let response = reviewer
        .post(
            &format!("/opvolging/voortzetting/{}", pa.id),
            &[(&dn, d), (&nn, n), ("version", &v)],
        )
        .await;
    assert_eq!(response.status(), 303);
    let (dn, nn, v, d, n) = decide(pb.id, pb.version, "bevestigen", "");
    assert_eq!(
        reviewer
            .post(
                &format!("/opvolging/voortzetting/{}", pb.id),
                &[(&dn, d), (&nn, n), ("version", &v)]
            )
            .await
            .status(),
        303
    );
    let (dn, nn, v, d, n) = decide(pc.id, pc.version, "bevestigen", "");
    assert_eq!(
        reviewer
            .post(
                &format!("/opvolging/voortzetting/{}", pc.id),
                &[(&dn, d), (&nn, n), ("version", &v)]
            )
            .await
            .status(),
        303
    );
    // Deciding twice is refused.
    assert_eq!(
        reviewer
            .post(
                &format!("/opvolging/voortzetting/{}", pc.id),
                &[(&dn, d), (&nn, n), ("version", &v)]
            )
            .await
            .status(),
        409
    );
    assert_eq!(proposal(*a).await.confirmed, Some(true));
    assert_eq!(proposal(*b).await.confirmed, Some(true));
    assert_eq!(proposal(*c).await.confirmed, Some(false));
    // Action 2.6 stopped: year 2 is worth 12.345,67 + 10.000,01 = 22.345,68; 80% = 17.876,54.
    assert_eq!(year2_advance(&payments(&app, f.id).await), vec![1_787_654]);
    assert_eq!(
        count(&app.db, "audit_log WHERE action = 'continuation.decided'").await,
        3
    );
    assert_eq!(
        count(&app.db, "audit_log WHERE action = 'payment.recomputed'").await,
        1
    );
    // The year-2 reports only ask for the actions that continue.
    let (_, html) = official
        .get(&format!(
            "/dossiers/{}/rapporten/{}",
            f.id,
            report(&app, f.id, 2, ReportKind::Interim).await.id
        ))
        .await;
    assert!(
        html.contains(&format!("actual_{}", ka[0])) && html.contains(&format!("actual_{}", kb[0]))
    );
    assert!(!html.contains(&format!("actual_{}", kc[0])));
    // The municipality sees the decisions and is told.
    let (_, html) = official.get(&format!("/dossiers/{}/opvolging", f.id)).await;
    assert!(html.contains("voortgezet na positieve beoordeling door ABB"));
    assert!(html.contains("De zomerstop verklaart de achterstand."));
    assert!(html.contains("gestopt"));
    assert!(
        app.smtp
            .wait_until(|m| m.to.contains(&OFFICIAL_A.to_owned())
                && m.body().contains("stopt na projectjaar 1"))
            .await
    );
}

#[tokio::test]
async fn advance_and_balance_are_exact_to_the_cent_and_the_export_has_the_filtered_rows() {
    let app = spawn_app().await;
    let f = approved(
        &app,
        ANTWERPEN,
        &[],
        1,
        &[Spec {
            code: "4.3",
            planned: 1,
            requested: 2_500_000,
            granted: "12.345,67",
            extra: None,
        }],
    )
    .await;
    let reach = f.actions[0].1[0];
    let ps = payments(&app, f.id).await;
    assert_eq!(ps.len(), 1);
    assert_eq!(
        (ps[0].tranche, ps[0].amount_cents),
        (payment::Tranche::Advance, 987_653)
    );
    assert!(
        ps[0]
            .computation
            .as_deref()
            .unwrap()
            .contains("naar beneden afgerond op de cent")
    );
    let antwerpen = entity::municipality::Entity::find()
        .filter(entity::municipality::Column::NisCode.eq(ANTWERPEN))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(ps[0].payee_municipality_id, Some(antwerpen.id));

    let mut official = app.signed_in(OFFICIAL_A).await;
    let mut reviewer = app.signed_in(REVIEWER).await;
    for kind in [ReportKind::Interim, ReportKind::Year] {
        let r = report(&app, f.id, 1, kind).await;
        assert_eq!(
            file_report(&mut official, f.id, r.id, &[(reach, "1", "")], "indienen")
                .await
                .status(),
            303
        );
        assert_eq!(
            review(&mut reviewer, r.id, "aanvaarden", "", &[])
                .await
                .status(),
            303
        );
    }
    let ps = payments(&app, f.id).await;
    let balance: Vec<&payment::Model> = ps
        .iter()
        .filter(|p| p.tranche == payment::Tranche::Balance)
        .collect();
    assert_eq!(balance.len(), 1);
    assert_eq!(balance[0].amount_cents, 246_914);
    assert_eq!(
        ps.iter().map(|p| p.amount_cents).sum::<i64>(),
        1_234_567,
        "no cent lost or created"
    );
    assert_eq!(
        count(&app.db, "reclaim").await,
        0,
        "every target reached: nothing to reclaim"
    );

    // Antwerpen gives the account it is paid on; the finance export carries it.
    let mut antwerpen = app.signed_in(OFFICIAL_A).await;
    antwerpen.get("/gemeente/rekening").await;
    let response = antwerpen
        .post(
            "/gemeente/rekening",
            &[
                ("iban", "BE68 5390 0754 7034"),
                ("holder", "Stad Antwerpen"),
                ("version", ""),
            ],
        )
        .await;
    assert_eq!(response.status(), 303);

    // The payment list and its export, with the same filters.
    let (status, html) = reviewer.get("/opvolging/betalingen?schijf=saldo").await;
    assert_eq!(status, 200);
    assert!(html.contains("€ 2.469,14"));
    assert!(
        html.contains("1 betaling."),
        "the filter leaves the advance out"
    );
    let response = reviewer
        .client
        .get(format!(
            "{}/opvolging/betalingen.csv?schijf=saldo",
            app.address
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let csv = response.text().await.unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines[0],
        "betaling_id,begunstigde,nis_code,referentie,bedrag_eur,richting,schijf,projectjaar,status,vervaldag,betaald_op,bankreferentie,iban,rekeninghouder"
    );
    assert_eq!(lines.len(), 2, "{csv}");
    assert!(
        lines[1].contains(
            ",Antwerpen,11002,PS-OPV-11002,2469.14,te betalen aan de begunstigde,saldo,1,gepland,"
        ) && lines[1].ends_with(",BE68539007547034,Stad Antwerpen"),
        "{csv}"
    );
    let all = reviewer
        .client
        .get(format!(
            "{}/opvolging/betalingen.csv?status=gepland",
            app.address
        ))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(all.contains(",9876.53,") && all.contains(",2469.14,"));

    // ABB approves, another member of ABB pays (four eyes); a stale version is refused.
    let advance = &ps[0];
    reviewer.get("/opvolging/betalingen").await;
    let path = format!("/opvolging/betalingen/{}", advance.id);
    let v1 = advance.version.to_string();
    let paid_on = chrono::Utc::now().format("%d-%m-%Y").to_string();
    fn pay_form<'a>(version: &'a str, paid_on: &'a str) -> Vec<(&'a str, &'a str)> {
        vec![
            ("step", "pay"),
            ("version", version),
            ("bevestigd", "ja"),
            ("paid_on", paid_on),
            ("bank_reference", "BNK-1"),
        ]
    }
    assert_eq!(
        reviewer
            .post(
                &path,
                &[("step", "approve"), ("version", &v1), ("bevestigd", "ja")]
            )
            .await
            .status(),
        303
    );
    let mut admin = app.signed_in(ADMIN).await;
    admin.get("/opvolging/betalingen").await;
    assert_eq!(
        admin.post(&path, &pay_form(&v1, &paid_on)).await.status(),
        409
    );
    let v2 = (advance.version + 1).to_string();
    assert_eq!(
        admin.post(&path, &pay_form(&v2, &paid_on)).await.status(),
        303
    );
    let paid = payment::Entity::find_by_id(advance.id)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(paid.state, payment::PaymentState::Paid);
    assert!(paid.paid_on.is_some());
    let v3 = (advance.version + 2).to_string();
    assert_eq!(
        reviewer
            .post(
                &path,
                &[
                    ("step", "cancel"),
                    ("version", &v3),
                    ("bevestigd", "ja"),
                    ("reason", "Te laat")
                ]
            )
            .await
            .status(),
        409,
        "paid is final"
    );
    assert_eq!(
        count(
            &app.db,
            "audit_log WHERE action IN ('payment.approve', 'payment.pay')"
        )
        .await,
        2
    );
    // The municipality sees its payments; officials may not move them.
    let (_, html) = official.get(&format!("/dossiers/{}/opvolging", f.id)).await;
    assert!(html.contains("€ 9.876,53") && html.contains("€ 2.469,14"));
    assert!(html.contains("Betaald aan de trekker: <strong>€ 9.876,53</strong>"));
    official.get("/account").await;
    assert_eq!(
        official
            .post(&path, &[("step", "cancel"), ("version", &v3)])
            .await
            .status(),
        403
    );
}

#[tokio::test]
async fn a_payment_filter_the_server_cannot_read_is_refused_instead_of_listing_every_payment() {
    let app = spawn_app().await;
    approved(
        &app,
        ANTWERPEN,
        &[],
        2,
        &[Spec {
            code: "4.3",
            planned: 1,
            requested: 2_500_000,
            granted: "10.000,00",
            extra: None,
        }],
    )
    .await;
    let mut reviewer = app.signed_in(REVIEWER).await;
    let (status, html) = reviewer.get("/opvolging/betalingen").await;
    assert_eq!(status, 200);
    assert!(
        html.contains("2 betalingen."),
        "an advance per project year"
    );
    assert!(
        html.contains(r#"<select id="jaar" name="jaar">"#)
            && html.contains(r#"<option value="2">2</option>"#),
        "the project year is chosen from the call's years, not typed"
    );
    let (status, html) = reviewer.get("/opvolging/betalingen?jaar=2").await;
    assert_eq!(status, 200);
    assert!(html.contains("1 betaling."));
    assert!(html.contains(r#"<option value="2" selected>2</option>"#));

    // A year (or tranche, state, call) the server cannot read was dropped: the page then
    // listed, and the export exported, every payment as if it were the filtered selection.
    for (query, field, message) in [
        ("jaar=tweede", "jaar", "Kies een projectjaar uit de lijst."),
        (
            "schijf=voorschotten",
            "schijf",
            "Kies een schijf uit de lijst.",
        ),
        ("status=open", "status", "Kies een status uit de lijst."),
        ("oproep=PS-2022", "oproep", "Kies een oproep uit de lijst."),
    ] {
        let (status, html) = reviewer
            .get(&format!("/opvolging/betalingen?{query}"))
            .await;
        assert_eq!(status, 422, "{query}");
        assert!(
            html.contains("Er is een probleem"),
            "{query}: error summary"
        );
        assert!(html.contains(&format!("href=\"#{field}\"")), "{query}");
        assert!(html.contains(message), "{query}");
        assert!(
            !html.contains(" betaling.")
                && !html.contains(" betalingen.")
                && !html.contains("PS-OPV-11002"),
            "{query}: no list that looks filtered"
        );
        let response = reviewer
            .client
            .get(format!("{}/opvolging/betalingen.csv?{query}", app.address))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 400, "{query}");
        let body = response.text().await.unwrap();
        assert!(body.contains(message), "{query}: {body}");
        assert!(!body.contains("PS-OPV-11002"), "{query}: nothing exported");
    }
    let response = reviewer
        .client
        .get(format!("{}/opvolging/betalingen.csv?jaar=2", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.text().await.unwrap().lines().count(), 2);
}

#[tokio::test]
async fn a_missed_target_without_accepted_motivation_leads_to_a_reclaim_the_lead_repays() {
    let app = spawn_app().await;
    // A cooperation led by Willebroek with Puurs-Sint-Amands; one action of € 25.000,00 with a
    // reach KPI (0 → 4) and a second KPI (0 → 10).
    let f = approved(
        &app,
        WILLEBROEK,
        &[PUURS_SINT_AMANDS],
        1,
        &[Spec {
            code: "4.3",
            planned: 1,
            requested: 2_500_000,
            granted: "25.000,00",
            extra: Some((0, 10)),
        }],
    )
    .await;
    let incentive = entity::decision::Entity::find()
        .filter(entity::decision::Column::ApplicationId.eq(f.id))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap()
        .incentive_cents;
    // An official of the member municipality, to see which e-mails reach the members.
    crate::helpers::create_official(&app.db, PUURS_SINT_AMANDS, MEMBER_OFFICIAL).await;
    let kpis = &f.actions[0].1;
    let mut lead = app.signed_in(OFFICIAL_B).await;
    let mut reviewer = app.signed_in(REVIEWER).await;
    let interim = report(&app, f.id, 1, ReportKind::Interim).await;
    assert_eq!(
        file_report(
            &mut lead,
            f.id,
            interim.id,
            &[(kpis[0], "1", ""), (kpis[1], "5", "")],
            "indienen"
        )
        .await
        .status(),
        303
    );
    assert_eq!(
        review(&mut reviewer, interim.id, "aanvaarden", "", &[])
            .await
            .status(),
        303
    );

    // The member reads the follow-up but does not file reports.
    let mut member = app.browser();
    assert_eq!(
        member
            .login("puurs-sint-amands@demo.samenleven.test", DEMO_PASSWORD)
            .await
            .status(),
        303
    );
    let year = report(&app, f.id, 1, ReportKind::Year).await;
    let (status, html) = member
        .get(&format!("/dossiers/{}/rapporten/{}", f.id, year.id))
        .await;
    assert_eq!(status, 200);
    assert!(!html.contains("Rapport indienen"), "no form for a member");
    let response = member
        .post(
            &format!("/dossiers/{}/rapporten/{}", f.id, year.id),
            &[("action", "bewaren")],
        )
        .await;
    assert_eq!(response.status(), 403);

    // Year report: reach 1 of 1 (reached), participants 6 of 10 (60%, missed, motivated).
    assert_eq!(
        file_report(
            &mut lead,
            f.id,
            year.id,
            &[(kpis[0], "1", ""), (kpis[1], "6", "Minder inschrijvingen.")],
            "indienen"
        )
        .await
        .status(),
        303
    );
    // Accepting a year report needs a judgement of every motivation.
    let judge = format!("accepted_{}", kpis[1]);
    let response = review(&mut reviewer, year.id, "aanvaarden", "", &[]).await;
    assert_eq!(response.status(), 422);
    assert!(
        body(response)
            .await
            .contains("oordeel of de motivatie aanvaard wordt")
    );
    assert_eq!(
        review(&mut reviewer, year.id, "aanvaarden", "", &[(&judge, "nee")])
            .await
            .status(),
        303
    );

    // Unreached: (0% + 40%) / 2 KPIs = 20% of € 25.000,00 = € 5.000,00.
    let proposed = entity::reclaim::Entity::find()
        .filter(entity::reclaim::Column::ApplicationId.eq(f.id))
        .one(&app.db)
        .await
        .unwrap()
        .expect("a proposed reclaim");
    assert_eq!(
        (proposed.computed_cents, proposed.max_cents),
        (500_000, 500_000)
    );
    assert!(
        proposed
            .computation
            .contains("Gemiddeld niet bereikt over 2 KPI('s): 20,00%"),
        "{}",
        proposed.computation
    );
    // The balance is scheduled regardless; the reclaim is a separate row once confirmed.
    let balance: i64 = payments(&app, f.id)
        .await
        .iter()
        .filter(|p| p.tranche == payment::Tranche::Balance)
        .map(|p| p.amount_cents)
        .sum();
    assert_eq!(
        balance,
        (2_500_000 + incentive) - (2_500_000 + incentive) * 8 / 10
    );

    let path = format!("/opvolging/terugvorderingen/{}", proposed.id);
    let (dn, an, rn) = (
        format!("decision_{}", proposed.id),
        format!("amount_{}", proposed.id),
        format!("reason_{}", proposed.id),
    );
    let v = proposed.version.to_string();
    reviewer
        .get(&format!("/opvolging/rapporten/{}", year.id))
        .await;
    let response = reviewer
        .post(
            &path,
            &[
                (&dn, "bevestigen"),
                (&an, "6.000,00"),
                (&rn, ""),
                ("version", &v),
            ],
        )
        .await;
    assert_eq!(response.status(), 422);
    let html = body(response).await;
    assert!(html.contains("Hoogstens het berekende bedrag, € 5.000,00."));
    assert!(
        html.contains("value=\"6.000,00\""),
        "the typed amount is kept"
    );
    let response = reviewer
        .post(
            &path,
            &[
                (&dn, "bevestigen"),
                (&an, "4.000,00"),
                (&rn, ""),
                ("version", &v),
            ],
        )
        .await;
    assert_eq!(response.status(), 422, "less than computed needs a reason");
    let response = reviewer
        .post(
            &path,
            &[
                (&dn, "bevestigen"),
                (&an, "4.000,00"),
                (&rn, "Deels overmacht."),
                ("version", &v),
            ],
        )
        .await;
    assert_eq!(response.status(), 303);
    // Four eyes: the reviewer's decision waits for another member of ABB, who confirms it on
    // the report's page; the reviewer is refused.
    let waiting = entity::reclaim::Entity::find_by_id(proposed.id)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(waiting.state, entity::reclaim::ReclaimState::Proposed);
    let proposal = entity::four_eyes_proposal::Entity::find()
        .filter(
            entity::four_eyes_proposal::Column::Kind
                .eq(entity::four_eyes_proposal::ProposalKind::Reclaim),
        )
        .one(&app.db)
        .await
        .unwrap()
        .expect("the reclaim decision waits for a second person");
    assert_eq!(proposal.amount_cents, 400_000);
    let report_page = format!("/opvolging/rapporten/{}", year.id);
    let confirm = format!(
        "/opvolging/terugvorderingen/{}/voorstellen/{}/bevestigen",
        proposed.id, proposal.id
    );
    let (_, html) = reviewer.get(&report_page).await;
    assert!(html.contains("Een andere medewerker moet deze beslissing bevestigen (vier ogen)."));
    assert!(!html.contains("Terugvordering bevestigen</button>"));
    let response = reviewer.post(&confirm, &[]).await;
    assert_eq!(response.status(), 409);
    let mut admin = app.signed_in(ADMIN).await;
    let (_, html) = admin.get(&report_page).await;
    assert!(
        html.contains("U bevestigt dat Willebroek € 4.000,00 terugbetaalt"),
        "{html}"
    );
    let response = admin.post(&confirm, &[]).await;
    assert_eq!(response.status(), 303);
    let decided = entity::reclaim::Entity::find_by_id(proposed.id)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(decided.state, entity::reclaim::ReclaimState::Confirmed);
    assert_eq!(decided.amount_cents, Some(400_000));
    let reclaim_payment = payment::Entity::find_by_id(decided.payment_id.unwrap())
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(reclaim_payment.tranche, payment::Tranche::Reclaim);
    assert_eq!(reclaim_payment.amount_cents, 400_000);
    let willebroek = entity::municipality::Entity::find()
        .filter(entity::municipality::Column::NisCode.eq(WILLEBROEK))
        .filter(entity::municipality::Column::ValidTo.is_null())
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        reclaim_payment.payee_municipality_id,
        Some(willebroek.id),
        "the lead repays"
    );
    assert!(
        app.smtp
            .wait_until(|m| m.to.contains(&OFFICIAL_B.to_owned())
                && m.body().contains("De trekker betaalt dit bedrag terug"))
            .await
    );
    // The member municipality hears of ABB's decisions on the results, told that the lead acts,
    // once each; what only the lead acts on (its own submission) is not sent to the members.
    assert!(
        app.smtp
            .wait_until(|m| m.to.contains(&MEMBER_OFFICIAL.to_owned())
                && m.subject().is_some_and(|s| s.contains("terugvordering")))
            .await
    );
    let to_member: Vec<_> = app
        .smtp
        .mails()
        .await
        .into_iter()
        .filter(|m| m.to.contains(&MEMBER_OFFICIAL.to_owned()))
        .collect();
    let with_subject = |part: &str| {
        to_member
            .iter()
            .filter(|m| m.subject().is_some_and(|s| s.contains(part)))
            .count()
    };
    assert_eq!(with_subject("beslissing over een terugvordering"), 1);
    assert_eq!(
        with_subject("rapport aanvaard"),
        2,
        "the interim and the year report"
    );
    assert_eq!(
        with_subject("rapport ingediend"),
        0,
        "the lead's own submissions"
    );
    assert!(to_member.iter().all(|m| {
        m.body()
            .contains("omdat uw gemeente deelneemt aan dit samenwerkingsverband")
    }));
    assert!(
        to_member
            .iter()
            .any(|m| m.body().contains("De trekker betaalt dit bedrag terug"))
    );
    assert_eq!(
        count(&app.db, "audit_log WHERE action = 'reclaim.confirmed'").await,
        1
    );
    let (_, html) = lead.get(&format!("/dossiers/{}/opvolging", f.id)).await;
    assert!(html.contains("Terug te betalen: <strong>€ 4.000,00</strong>"));
    assert!(html.contains("Deels overmacht."));
    // A decided reclaim cannot be decided again.
    assert_eq!(
        reviewer
            .post(
                &path,
                &[(&dn, "kwijtschelden"), (&rn, "Toch niet."), ("version", &v)]
            )
            .await
            .status(),
        409
    );
}

#[tokio::test]
async fn reminders_go_out_once_before_and_once_after_the_deadline_never_twice() {
    let app = spawn_app().await;
    let f = approved(
        &app,
        ANTWERPEN,
        &[],
        1,
        &[Spec {
            code: "4.3",
            planned: 1,
            requested: 2_500_000,
            granted: "25.000,00",
            extra: None,
        }],
    )
    .await;
    let interim = report(&app, f.id, 1, ReportKind::Interim).await;
    let year = report(&app, f.id, 1, ReportKind::Year).await;
    let due = interim.due_on;
    let ours = |kind: &str| {
        format!(
            "report_reminder WHERE progress_report_id IN ({}, {}) AND kind = '{kind}'",
            interim.id, year.id
        )
    };
    let url = "http://samenleven.test";
    let run = |days: i64| {
        let db = app.db.clone();
        async move {
            samenleven::reminders::send_due(&db, url, due + chrono::TimeDelta::days(days))
                .await
                .unwrap()
        }
    };
    run(-20).await;
    assert_eq!(count(&app.db, &ours("before_due")).await, 0, "too early");
    run(-10).await;
    run(-10).await;
    run(-3).await;
    assert_eq!(
        count(
            &app.db,
            &format!(
                "report_reminder WHERE progress_report_id = {} AND kind = 'before_due'",
                interim.id
            )
        )
        .await,
        1
    );
    run(1).await;
    // Two instances at the same moment still send one.
    let (a, b) = tokio::join!(run(2), run(2));
    let _ = (a, b);
    assert_eq!(
        count(
            &app.db,
            &format!(
                "report_reminder WHERE progress_report_id = {} AND kind = 'overdue'",
                interim.id
            )
        )
        .await,
        1
    );
    let mails = |subject: &'static str| {
        let smtp = app.smtp.clone();
        async move {
            smtp.mails()
                .await
                .iter()
                .filter(|m| {
                    m.to.contains(&CONTACT.to_owned())
                        && m.subject().is_some_and(|s| s.contains(subject))
                })
                .count()
        }
    };
    assert!(
        app.smtp
            .wait_until(|m| m.to.contains(&CONTACT.to_owned())
                && m.subject().is_some_and(|s| s.contains("rapport te laat")))
            .await
    );
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(
        mails("herinnering rapport").await,
        1,
        "one reminder before the deadline"
    );
    assert_eq!(mails("rapport te laat").await, 1, "one when overdue");
    assert!(
        app.smtp
            .mails()
            .await
            .iter()
            .any(|m| m.to.contains(&OFFICIAL_A.to_owned())
                && m.body().contains("moest ingediend zijn op")),
        "the lead's official is reminded too"
    );
    // A submitted report gets no more reminders.
    let mut official = app.signed_in(OFFICIAL_A).await;
    let reach = f.actions[0].1[0];
    assert_eq!(
        file_report(
            &mut official,
            f.id,
            year.id,
            &[(reach, "1", "")],
            "indienen"
        )
        .await
        .status(),
        303
    );
    let later = year.due_on - due;
    run(later.num_days() + 5).await;
    assert_eq!(
        count(
            &app.db,
            &format!("report_reminder WHERE progress_report_id = {}", year.id)
        )
        .await,
        0
    );
}

#[tokio::test]
async fn another_municipality_cannot_see_or_touch_a_dossiers_reports_and_officials_stay_out_of_abb_pages()
 {
    let app = spawn_app().await;
    let f = approved(
        &app,
        ANTWERPEN,
        &[],
        1,
        &[Spec {
            code: "4.3",
            planned: 1,
            requested: 2_500_000,
            granted: "25.000,00",
            extra: None,
        }],
    )
    .await;
    let interim = report(&app, f.id, 1, ReportKind::Interim).await;
    let mut other = app.signed_in(OFFICIAL_B).await;
    for path in [
        format!("/dossiers/{}/opvolging", f.id),
        format!("/dossiers/{}/rapporten/{}", f.id, interim.id),
    ] {
        assert_eq!(other.get(&path).await.0, 404, "{path}");
    }
    assert_eq!(
        other
            .post(
                &format!("/dossiers/{}/rapporten/{}", f.id, interim.id),
                &[("action", "indienen")]
            )
            .await
            .status(),
        404
    );
    // A report id under another dossier is not found either.
    samenleven::seed::load_demo_followup(&app.db).await.unwrap();
    let mut official = app.signed_in(OFFICIAL_A).await;
    let demo_report = progress_report::Entity::find()
        .filter(progress_report::Column::ApplicationId.ne(f.id))
        .one(&app.db)
        .await
        .unwrap()
        .expect("the demo reports");
    assert_eq!(
        official
            .get(&format!("/dossiers/{}/rapporten/{}", f.id, demo_report.id))
            .await
            .0,
        404
    );
    for path in [
        "/opvolging",
        "/opvolging/betalingen",
        "/opvolging/betalingen.csv",
    ] {
        assert_eq!(official.get(path).await.0, 403, "{path}");
    }
    assert_eq!(
        official
            .get(&format!("/opvolging/rapporten/{}", interim.id))
            .await
            .0,
        403
    );
    // Staff read the municipality's follow-up pages but never file a report.
    let mut admin = app.signed_in(ADMIN).await;
    assert_eq!(
        admin.get(&format!("/dossiers/{}/opvolging", f.id)).await.0,
        200
    );
    assert_eq!(
        admin
            .post(
                &format!("/dossiers/{}/rapporten/{}", f.id, interim.id),
                &[("action", "bewaren")]
            )
            .await
            .status(),
        403
    );
}

#[tokio::test]
async fn the_demo_has_approved_dossiers_whose_reports_can_be_filed_and_reviewed_at_once() {
    let app = spawn_app().await;
    // What start-up loads into an empty demo database (SEED_DEMO_FOLLOWUP, on by default).
    assert_eq!(
        samenleven::seed::load_demo_followup(&app.db).await.unwrap(),
        2
    );
    assert_eq!(
        samenleven::seed::load_demo_followup(&app.db).await.unwrap(),
        0,
        "running it twice changes nothing"
    );
    let mut leuven = app.browser();
    assert_eq!(
        leuven
            .login("leuven@demo.samenleven.test", DEMO_PASSWORD)
            .await
            .status(),
        303
    );
    let (_, html) = leuven.get("/gemeente").await;
    assert!(
        html.contains("Naar de opvolging van dossier"),
        "the dashboard leads to the follow-up"
    );
    let dossier = application::Entity::find()
        .filter(application::Column::Title.contains("Leuven"))
        .one(&app.db)
        .await
        .unwrap()
        .expect("the Leuven demo dossier");
    assert!(dossier.title.contains("DEMO (fictief)"));
    let (status, html) = leuven
        .get(&format!("/dossiers/{}/opvolging", dossier.id))
        .await;
    assert_eq!(status, 200);
    assert!(
        html.contains("role=\"img\"") && html.contains("<desc"),
        "an accessible chart"
    );
    assert!(
        html.contains("<th scope=\"col\">Meetmoment</th>"),
        "with a data table"
    );
    assert!(html.contains("voorschot"));
    let interim = report(&app, dossier.id, 1, ReportKind::Interim).await;
    assert!(
        interim.due_on > chrono::Utc::now().date_naive(),
        "the interim report is still due"
    );
    let (status, html) = leuven
        .get(&format!(
            "/dossiers/{}/rapporten/{}",
            dossier.id, interim.id
        ))
        .await;
    assert_eq!(status, 200);
    assert!(html.contains("Rapport indienen"));

    let mut reviewer = app.signed_in(REVIEWER).await;
    let (status, html) = reviewer.get("/opvolging?status=submitted").await;
    assert_eq!(status, 200);
    assert!(
        html.contains("Oostende"),
        "the Oostende interim report waits for ABB"
    );
    let oostende = application::Entity::find()
        .filter(application::Column::Title.contains("Oostende"))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    let submitted = report(&app, oostende.id, 1, ReportKind::Interim).await;
    assert_eq!(submitted.state, ReportState::Submitted);
    assert_eq!(
        review(&mut reviewer, submitted.id, "aanvaarden", "", &[])
            .await
            .status(),
        303
    );
    let (_, html) = reviewer
        .get(&format!("/opvolging/rapporten/{}", submitted.id))
        .await;
    assert!(
        html.contains("voorstel stoppen"),
        "no pleinmaker at work yet: the action would stop"
    );
    assert!(html.contains("Positieve beoordeling"));
}

#[tokio::test]
async fn a_reopened_decision_cancels_its_unpaid_advance_and_a_new_decision_schedules_one() {
    let app = spawn_app().await;
    let spec = Spec {
        code: "4.3",
        planned: 1,
        requested: 2_500_000,
        granted: "12.345,67",
        extra: None,
    };
    let f = approved(&app, ANTWERPEN, &[], 1, &[spec]).await;
    let advance = payments(&app, f.id).await.remove(0);
    assert_eq!(advance.state, payment::PaymentState::Scheduled);

    // An admin reopens the decision.
    let mut admin = app.signed_in(ADMIN).await;
    admin.get(&format!("/beoordeling/{}", f.id)).await;
    let response = admin
        .post(
            &format!("/beoordeling/{}/heropenen", f.id),
            &[("reason", "Bedragen worden herzien.")],
        )
        .await;
    assert_eq!(response.status(), 303);

    // The advance of the decision that no longer stands can be neither approved nor paid, even
    // with its current version.
    let current = payment::Entity::find_by_id(advance.id)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    let mut reviewer = app.signed_in(REVIEWER).await;
    reviewer.get("/opvolging/betalingen").await;
    let path = format!("/opvolging/betalingen/{}", advance.id);
    let version = current.version.to_string();
    for step in ["approve", "pay"] {
        assert_eq!(
            reviewer
                .post(
                    &path,
                    &[("step", step), ("version", &version), ("bevestigd", "ja")]
                )
                .await
                .status(),
            409,
            "{step} after the decision was reopened"
        );
    }
    assert_eq!(current.state, payment::PaymentState::Cancelled);
    assert!(
        current
            .cancel_reason
            .as_deref()
            .is_some_and(|r| r.starts_with("Beslissing heropend op")
                && r.ends_with("Bedragen worden herzien.")),
        "{:?}",
        current.cancel_reason
    );
    // The payment list says why.
    let (_, html) = reviewer.get("/opvolging/betalingen").await;
    assert!(html.contains("Bedragen worden herzien."), "{html}");
    // The municipality was told.
    assert!(
        app.smtp
            .wait_until(|m| {
                m.subject()
                    .is_some_and(|s| s.contains("beslissing heropend"))
                    && m.body().contains("wordt niet uitbetaald")
            })
            .await
    );

    // A new decision schedules a new advance.
    reviewer.get(&format!("/beoordeling/{}", f.id)).await;
    let grant = format!("grant_{}", f.actions[0].0);
    let response = reviewer
        .post(
            &format!("/beoordeling/{}/beslissing", f.id),
            &[
                ("outcome", "approve"),
                ("motivation", "Opnieuw goedgekeurd na herziening."),
                (grant.as_str(), "10.000,00"),
            ],
        )
        .await;
    assert_eq!(response.status(), 303);
    let response = crate::helpers::confirm_decision(&app, f.id, ADMIN).await;
    assert_eq!(response.status(), 303, "an admin confirms the new decision");
    let all = payments(&app, f.id).await;
    let live: Vec<&payment::Model> = all
        .iter()
        .filter(|p| p.state == payment::PaymentState::Scheduled)
        .collect();
    assert_eq!(live.len(), 1, "{all:?}");
    assert_eq!(live[0].tranche, payment::Tranche::Advance);
    assert_eq!(live[0].amount_cents, 800_000);
}
