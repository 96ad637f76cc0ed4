//! Issue 7: the reviewer inbox's filters (rule findings, overdue, assigned reviewer), its counts
//! and pagination over many dossiers, and a reviewer working a whole call: a change request,
//! the allocation over every submitted dossier, approvals and a rejection, with the right
//! e-mails to each municipality.

use sea_orm::{ConnectionTrait, Statement};

use crate::allocation::{VGC, gent_official, submitted_dossier};
use crate::helpers::{ADMIN, OFFICIAL_A, REVIEWER, TestApp, count, exec, spawn_app, user_id};
use crate::journey::{action_id, call_id, field_value, location, save_action};

/// Links to review pages in an inbox page, in order.
fn listed(html: &str) -> Vec<String> {
    html.match_indices("href=\"/beoordeling/")
        .filter_map(|(at, m)| {
            let rest = &html[at + m.len()..];
            let id = &rest[..rest.find('"')?];
            id.chars()
                .all(|c| c.is_ascii_digit())
                .then(|| id.to_owned())
        })
        .collect()
}

/// `n` dossiers of Antwerpen-like fixtures: drafts made in the database and marked submitted,
/// one per municipality of the list, submitted one day apart (the first is the oldest).
async fn submitted_fixtures(app: &TestApp, nis_codes: &[i32]) -> Vec<i64> {
    let mut ids = Vec::new();
    for (i, nis) in nis_codes.iter().enumerate() {
        let id = app.dossier_led_by(*nis).await;
        let days = nis_codes.len() - i;
        let moment = (chrono::Utc::now() - chrono::TimeDelta::days(days as i64))
            .format("%Y-%m-%d %H:%M:%S")
            .to_string();
        let cast = match app.db.get_database_backend() {
            sea_orm::DbBackend::Postgres => format!("CAST('{moment}+00' AS TIMESTAMPTZ)"),
            _ => format!("'{moment}+00:00'"),
        };
        exec(
            app,
            &format!(
                "UPDATE application SET state = 'submitted', submitted_at = {cast} WHERE id = {id}"
            ),
        )
        .await;
        ids.push(id);
    }
    ids
}

async fn municipalities(app: &TestApp, n: u64) -> Vec<i32> {
    let rows = app
        .db
        .query_all_raw(Statement::from_string(
            app.db.get_database_backend(),
            format!(
                "SELECT nis_code FROM municipality WHERE valid_to IS NULL OR valid_to >= '2024-12-31' \
                 ORDER BY nis_code LIMIT {n}"
            ),
        ))
        .await
        .unwrap();
    rows.iter()
        .map(|r| r.try_get::<i32>("", "nis_code").unwrap())
        .collect()
}

#[tokio::test]
async fn the_inbox_pages_through_many_dossiers_and_counts_them_per_state() {
    let app = spawn_app().await;
    let nis = municipalities(&app, 120).await;
    let ids = submitted_fixtures(&app, &nis).await;
    // Two more states, so the counts have something to tell apart.
    exec(
        &app,
        &format!(
            "UPDATE application SET state = 'in_review' WHERE id IN ({}, {})",
            ids[0], ids[1]
        ),
    )
    .await;
    let mut reviewer = app.signed_in(REVIEWER).await;

    let (status, html) = reviewer.get("/beoordeling").await;
    assert_eq!(status, 200);
    assert!(html.contains("120 dossiers, pagina 1 van 3"), "{html}");
    assert!(html.contains("ingediend: 118"));
    assert!(html.contains("in beoordeling: 2"));
    let first = listed(&html);
    assert_eq!(first.len(), 50);
    assert_eq!(first[0], ids[0].to_string(), "oldest submission first");

    let (_, html) = reviewer.get("/beoordeling?pagina=3").await;
    let last = listed(&html);
    assert_eq!(last.len(), 20, "the last page holds the rest");
    assert_eq!(last.last(), Some(&ids[119].to_string()));
    let (_, html) = reviewer.get("/beoordeling?pagina=99").await;
    assert_eq!(
        listed(&html),
        last,
        "a page past the end shows the last one"
    );

    let (_, html) = reviewer.get("/beoordeling?status=in_review").await;
    assert_eq!(listed(&html), vec![ids[0].to_string(), ids[1].to_string()]);
    let (_, html) = reviewer.get("/beoordeling?status=onzin&sorteer=raar").await;
    assert!(
        html.contains("120 dossiers"),
        "unknown filter values filter nothing"
    );
}

#[tokio::test]
async fn overdue_dossiers_are_those_waiting_for_abb_beyond_the_calls_review_term() {
    let app = spawn_app().await;
    let nis = municipalities(&app, 3).await;
    let ids = submitted_fixtures(&app, &nis).await;
    // The call gives ABB 42 days; the first dossier was submitted 60 days ago, the second 50
    // days ago but already decided, the third yesterday.
    exec(&app, "UPDATE call SET review_days = 42").await;
    for (id, days) in [(ids[0], 60), (ids[1], 50)] {
        let moment = (chrono::Utc::now() - chrono::TimeDelta::days(days))
            .format("%Y-%m-%d %H:%M:%S")
            .to_string();
        let cast = match app.db.get_database_backend() {
            sea_orm::DbBackend::Postgres => format!("CAST('{moment}+00' AS TIMESTAMPTZ)"),
            _ => format!("'{moment}+00:00'"),
        };
        exec(
            &app,
            &format!("UPDATE application SET submitted_at = {cast} WHERE id = {id}"),
        )
        .await;
    }
    exec(
        &app,
        &format!(
            "UPDATE application SET state = 'rejected' WHERE id = {}",
            ids[1]
        ),
    )
    .await;
    let mut reviewer = app.signed_in(REVIEWER).await;

    let (_, html) = reviewer.get("/beoordeling?overtijd=1").await;
    assert_eq!(listed(&html), vec![ids[0].to_string()]);
    assert!(html.contains("over termijn sinds"), "said in words");
    assert!(html.contains("over de termijn: 1"));
    assert!(html.contains("42 dagen"));

    // A longer term for the call: nothing is overdue any more.
    exec(&app, "UPDATE call SET review_days = 90").await;
    let (_, html) = reviewer.get("/beoordeling?overtijd=1").await;
    assert!(listed(&html).is_empty());
}

#[tokio::test]
async fn the_inbox_filters_by_assigned_reviewer_and_by_rule_findings_after_a_recheck() {
    let app = spawn_app().await;
    let mut antwerpen = app.signed_in(OFFICIAL_A).await;
    let dossier = submitted_dossier(&app, &mut antwerpen, &[("4.3", 1)]).await;
    let mut gent = gent_official(&app).await;
    let other = submitted_dossier(&app, &mut gent, &[("2.9", 1)]).await;
    assert_eq!(
        count(&app.db, "application WHERE rules_checked_at IS NOT NULL").await,
        2,
        "the findings are stored at submission"
    );

    let mut reviewer = app.signed_in(REVIEWER).await;
    reviewer.get(&format!("/beoordeling/{other}")).await;
    let response = reviewer
        .post(&format!("/beoordeling/{other}/toewijzen"), &[])
        .await;
    assert_eq!(response.status(), 303);
    let me = user_id(&app.db, REVIEWER).await;
    let (_, html) = reviewer.get(&format!("/beoordeling?toegewezen={me}")).await;
    assert_eq!(listed(&html), vec![other.clone()]);
    let (_, html) = reviewer.get("/beoordeling?toegewezen=niemand").await;
    assert_eq!(listed(&html), vec![dossier.clone()]);

    let (_, html) = reviewer.get("/beoordeling?bevindingen=1").await;
    assert!(
        listed(&html).is_empty(),
        "both passed the rules when submitted"
    );

    // After submission ABB corrects the unit cost of line 4.3 (unit costs changed during the
    // real call): Antwerpen's own contribution no longer covers half of the cost. The stored
    // findings change only when an admin runs the recheck.
    exec(
        &app,
        "UPDATE call_action SET unit_cost_cents = unit_cost_cents * 2 \
         WHERE action_id = (SELECT id FROM action WHERE code = '4.3')",
    )
    .await;
    let (_, html) = reviewer.get("/beoordeling?bevindingen=1").await;
    assert!(listed(&html).is_empty());
    let response = reviewer
        .post(
            "/beoordeling/hercontrole",
            &[("oproep", &call_id(&app).await)],
        )
        .await;
    assert_eq!(response.status(), 403, "a reviewer may not run the recheck");

    let mut admin = app.signed_in(ADMIN).await;
    admin.get("/beoordeling").await;
    let response = admin
        .post(
            "/beoordeling/hercontrole",
            &[("oproep", &call_id(&app).await)],
        )
        .await;
    assert_eq!(response.status(), 303);
    let (_, html) = admin.get(&location(&response)).await;
    assert!(
        html.contains("Regelcontrole uitgevoerd op 2 dossiers: 1 met fouten"),
        "{html}"
    );
    let (_, html) = admin.get("/beoordeling?bevindingen=1").await;
    assert_eq!(listed(&html), vec![dossier.clone()]);
    assert!(html.contains(" fout"), "{html}");
    assert_eq!(
        count(&app.db, "audit_log WHERE action = 'call.rules_rechecked'").await,
        1
    );
    let response = admin
        .post("/beoordeling/hercontrole", &[("oproep", "geen getal")])
        .await;
    assert!(
        response.status().is_redirection() || response.status() == 400,
        "bad input is never a server error: {}",
        response.status()
    );
}

/// The mails a given address received, as (subject, body).
async fn mails_to(app: &TestApp, address: &str) -> Vec<(String, String)> {
    app.smtp
        .mails()
        .await
        .into_iter()
        .filter(|m| m.to.iter().any(|t| t == address))
        .map(|m| (m.subject().unwrap_or_default().to_owned(), m.body()))
        .collect()
}

async fn reference_of(app: &TestApp, dossier: &str) -> String {
    use sea_orm::EntityTrait;
    entity::application::Entity::find_by_id(dossier.parse::<i64>().unwrap())
        .one(&app.db)
        .await
        .unwrap()
        .unwrap()
        .reference
}

#[tokio::test]
async fn a_reviewer_works_a_call_from_the_inbox_to_decisions_and_each_municipality_hears_its_own_news()
 {
    let app = spawn_app().await;
    let mut antwerpen = app.signed_in(OFFICIAL_A).await;
    let a = submitted_dossier(&app, &mut antwerpen, &[("4.3", 1)]).await;
    let mut gent = gent_official(&app).await;
    let g = submitted_dossier(&app, &mut gent, &[("2.9", 1)]).await;
    let mut vgc = app.signed_in(VGC).await;
    let v = submitted_dossier(&app, &mut vgc, &[("3.2", 1)]).await;

    // The inbox lists the three; the reviewer takes each in review.
    let mut reviewer = app.signed_in(REVIEWER).await;
    let (_, html) = reviewer.get("/beoordeling?status=submitted").await;
    assert_eq!(listed(&html), vec![a.clone(), g.clone(), v.clone()]);
    for d in [&a, &g, &v] {
        reviewer.get(&format!("/beoordeling/{d}")).await;
        let response = reviewer.post(&format!("/beoordeling/{d}/start"), &[]).await;
        assert_eq!(response.status(), 303);
    }

    // Changes on Antwerpen's actions; it changes the description and resubmits.
    let response = reviewer
        .post(
            &format!("/beoordeling/{a}/aanpassingen"),
            &[
                ("sections", "acties"),
                ("message", "Maak het bereik concreter."),
            ],
        )
        .await;
    assert_eq!(response.status(), 303);
    let action = action_id(&mut antwerpen, &a, "4.3").await;
    let response = save_action(
        &mut antwerpen,
        &a,
        &action,
        &[
            ("priority", "1"),
            ("baseline_reach", "0"),
            ("planned_reach", "1"),
            ("own_contribution", "€ 25 000"),
            ("description", "Twee vaste lesgroepen per week in de bib."),
            ("partners", ""),
        ],
    )
    .await;
    assert_eq!(response.status(), 303);
    let (_, html) = antwerpen.get(&format!("/dossiers/{a}/controle")).await;
    let response = antwerpen
        .post(
            &format!("/dossiers/{a}/indienen"),
            &[
                ("version", &field_value(&html, "version")),
                ("cover_note", "De beschrijving is aangepast."),
            ],
        )
        .await;
    assert_eq!(response.status(), 303);
    let (_, html) = reviewer.get("/beoordeling?status=resubmitted").await;
    assert_eq!(listed(&html), vec![a.clone()]);
    let (_, html) = reviewer.get(&format!("/beoordeling/{a}")).await;
    assert!(html.contains("Twee vaste lesgroepen per week in de bib."));
    assert!(
        html.contains("Versies")
            && html.contains("Indiening 1 op")
            && html.contains("Indiening 2 op"),
        "the history of versions lists both submissions"
    );
    reviewer.post(&format!("/beoordeling/{a}/start"), &[]).await;

    // The allocation over every dossier of the call, confirmed by the admin.
    reviewer.get("/beoordeling/toewijzing").await;
    let response = reviewer
        .post(
            "/beoordeling/toewijzing",
            &[("call_id", &call_id(&app).await), ("year", "1")],
        )
        .await;
    assert_eq!(response.status(), 303);
    assert_eq!(
        count(&app.db, "allocation_line").await,
        3,
        "one line per action of the three dossiers"
    );
    let allocation = {
        use sea_orm::EntityTrait;
        entity::allocation::Entity::find()
            .one(&app.db)
            .await
            .unwrap()
            .unwrap()
            .id
    };
    let mut admin = app.signed_in(ADMIN).await;
    admin.get("/beoordeling/toewijzing").await;
    let response = admin
        .post(
            &format!("/beoordeling/toewijzing/{allocation}/bevestigen"),
            &[],
        )
        .await;
    assert_eq!(response.status(), 303);

    // Antwerpen and Gent approved at their allocated amounts, VGC rejected.
    for d in [&a, &g] {
        let (_, html) = reviewer.get(&format!("/beoordeling/{d}")).await;
        let marker = "name=\"grant_";
        let at = html.find(marker).expect("a grant field");
        let rest = &html[at + marker.len()..];
        let line = &rest[..rest.find('"').unwrap()];
        let field = format!("grant_{line}");
        let amount = field_value(&html, &field);
        let response = reviewer
            .post(
                &format!("/beoordeling/{d}/beslissing"),
                &[
                    ("outcome", "approve"),
                    (field.as_str(), amount.as_str()),
                    ("motivation", "Past in de oproep; haalbare KPI's."),
                ],
            )
            .await;
        assert_eq!(response.status(), 303, "approve {d}");
        let response = crate::helpers::confirm_decision(&app, d.parse().unwrap(), ADMIN).await;
        assert_eq!(
            response.status(),
            303,
            "an admin confirms the approval of {d}"
        );
    }
    let response = reviewer
        .post(
            &format!("/beoordeling/{v}/beslissing"),
            &[
                ("outcome", "reject"),
                ("motivation", "De acties sluiten niet aan bij de oproep."),
            ],
        )
        .await;
    assert_eq!(response.status(), 303);
    let response = crate::helpers::confirm_decision(&app, v.parse().unwrap(), ADMIN).await;
    assert_eq!(response.status(), 303, "an admin confirms the rejection");
    let (_, html) = reviewer.get("/beoordeling").await;
    assert!(html.contains("goedgekeurd: 2"));
    assert!(html.contains("afgewezen: 1"));
    assert_eq!(count(&app.db, "decision").await, 3);
    let (_, html) = reviewer.get(&format!("/beoordeling/{a}")).await;
    assert!(
        html.contains(&format!("/dossiers/{a}/opvolging")),
        "the follow-up is one click away"
    );
    let (_, html) = reviewer.get(&format!("/beoordeling/{v}")).await;
    assert!(
        !html.contains("Opvolging van dit dossier"),
        "a rejected dossier has none"
    );

    // Each municipality received its own mails, and none of another's.
    app.smtp.wait_for(1).await;
    let (ra, rg, rv) = (
        reference_of(&app, &a).await,
        reference_of(&app, &g).await,
        reference_of(&app, &v).await,
    );
    let wanted: [(&str, &str, &[&str]); 3] = [
        (
            OFFICIAL_A,
            ra.as_str(),
            &[
                "is ingediend",
                "in beoordeling",
                "ABB vraagt aanpassingen",
                "beslissing over uw dossier",
            ],
        ),
        (
            crate::allocation::GENT,
            rg.as_str(),
            &[
                "is ingediend",
                "in beoordeling",
                "beslissing over uw dossier",
            ],
        ),
        (
            VGC,
            rv.as_str(),
            &[
                "is ingediend",
                "in beoordeling",
                "beslissing over uw dossier",
            ],
        ),
    ];
    for (address, reference, subjects) in wanted {
        let mut received = Vec::new();
        for _ in 0..200 {
            received = mails_to(&app, address).await;
            if subjects
                .iter()
                .all(|s| received.iter().any(|(subject, _)| subject.contains(s)))
            {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        for s in subjects {
            assert!(
                received.iter().any(|(subject, _)| subject.contains(s)),
                "{address} got a mail \"{s}\": {received:?}"
            );
        }
        for (subject, _) in &received {
            assert!(
                subject.contains(reference),
                "{address} only hears about {reference}: {subject}"
            );
        }
    }
    let decision_body = |received: &[(String, String)]| {
        received
            .iter()
            .find(|(s, _)| s.contains("beslissing over uw dossier"))
            .map(|(_, b)| b.clone())
            .unwrap_or_default()
    };
    assert!(decision_body(&mails_to(&app, OFFICIAL_A).await).contains("ABB keurt uw dossier goed"));
    assert!(
        decision_body(&mails_to(&app, crate::allocation::GENT).await)
            .contains("ABB keurt uw dossier goed")
    );
    assert!(decision_body(&mails_to(&app, VGC).await).contains("ABB wijst uw dossier af"));
    assert!(
        !mails_to(&app, crate::allocation::GENT)
            .await
            .iter()
            .any(|(s, _)| s.contains("aanpassingen")),
        "only Antwerpen was asked for changes"
    );
}

#[tokio::test]
async fn a_reviewer_saves_the_inbox_filters_under_a_name_and_uses_them_in_one_click() {
    let app = spawn_app().await;
    let mut reviewer = app.signed_in(REVIEWER).await;
    let (_, inbox) = reviewer.get("/beoordeling?zoek=Gent&bevindingen=1").await;
    let query = field_value(&inbox, "query").replace("&#38;", "&");
    assert!(
        query.contains("zoek=Gent") && query.contains("bevindingen=1"),
        "{query}"
    );

    // Without a name: the inbox comes back with the message, the filters still applied.
    let refused = reviewer
        .post(
            "/beoordeling/bewaarde-filters",
            &[("naam", "  "), ("query", &query)],
        )
        .await;
    assert_eq!(refused.status(), 422);
    let page = refused.text().await.unwrap();
    assert!(page.contains("Geef de filter een naam"), "{page}");
    assert!(
        page.contains("id=\"zoek\" name=\"zoek\" value=\"Gent\""),
        "{page}"
    );

    // Saved: the inbox opens with those filters and lists the filter as a link.
    let response = reviewer
        .post(
            "/beoordeling/bewaarde-filters",
            &[("naam", "Gent met bevindingen"), ("query", &query)],
        )
        .await;
    assert_eq!(response.status(), 303);
    let to = location(&response);
    assert!(
        to.starts_with("/beoordeling?") && to.contains("zoek=Gent"),
        "{to}"
    );
    let (_, inbox) = reviewer.get("/beoordeling").await;
    assert!(inbox.contains("Mijn bewaarde filters"));
    assert!(inbox.contains(">Gent met bevindingen</a>"), "{inbox}");

    // The same name again replaces it instead of adding a second.
    let other = "oproep=1&zoek=Leuven";
    let response = reviewer
        .post(
            "/beoordeling/bewaarde-filters",
            &[("naam", "gent met bevindingen"), ("query", other)],
        )
        .await;
    assert_eq!(response.status(), 303);
    assert_eq!(count(&app.db, "saved_filter").await, 1);
    assert_eq!(
        count(&app.db, "saved_filter WHERE query LIKE '%zoek=Leuven%'").await,
        1
    );

    // Another staff member neither sees nor deletes it.
    let (_, inbox) = reviewer.get("/beoordeling").await;
    let marker = "action=\"/beoordeling/bewaarde-filters/";
    let rest = &inbox[inbox.find(marker).expect("a delete button") + marker.len()..];
    let id = rest[..rest.find('/').unwrap()].to_owned();
    let mut admin = app.signed_in(ADMIN).await;
    let (_, theirs) = admin.get("/beoordeling").await;
    assert!(!theirs.contains("Mijn bewaarde filters"));
    let response = admin
        .post(
            &format!("/beoordeling/bewaarde-filters/{id}/verwijderen"),
            &[],
        )
        .await;
    assert_eq!(response.status(), 404);
    assert_eq!(count(&app.db, "saved_filter").await, 1);

    // Its owner deletes it.
    let response = reviewer
        .post(
            &format!("/beoordeling/bewaarde-filters/{id}/verwijderen"),
            &[],
        )
        .await;
    assert_eq!(response.status(), 303);
    assert_eq!(count(&app.db, "saved_filter").await, 0);

    // Municipal officials have no saved filters.
    let mut official = app.signed_in(OFFICIAL_A).await;
    let response = official
        .post(
            "/beoordeling/bewaarde-filters",
            &[("naam", "x"), ("query", "")],
        )
        .await;
    assert_eq!(response.status(), 403);
}
