//! Issue 7: every transition of the dossier's state machine, from every state, by every party,
//! over HTTP: what the table in `domain::workflow` allows happens (and is audited), everything
//! else is refused with 403 or 409 and leaves the dossier as it was.

use sea_orm::{ConnectionTrait, EntityTrait, Statement};

use entity::application::ApplicationState;
use samenleven::domain::workflow::{self, DossierState, Party, Transition};

use crate::allocation::submitted_dossier;
use crate::helpers::{ADMIN, Browser, OFFICIAL_A, REVIEWER, TestApp, count, spawn_app};

async fn stored(app: &TestApp, id: i64) -> entity::application::Model {
    entity::application::Entity::find_by_id(id)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap()
}

async fn put_in_state(app: &TestApp, id: i64, state: DossierState) {
    let code = serde_json::to_value(ApplicationState::from(state)).unwrap();
    app.db
        .execute_raw(Statement::from_string(
            app.db.get_database_backend(),
            format!(
                "UPDATE application SET state = '{}' WHERE id = {id}",
                code.as_str().unwrap()
            ),
        ))
        .await
        .unwrap();
}

/// Posts the form that asks for `transition` on dossier `id`, with valid input.
async fn attempt(
    browser: &mut Browser,
    app: &TestApp,
    id: i64,
    action_row: i64,
    transition: Transition,
) -> u16 {
    let version = stored(app, id).await.version.to_string();
    let call_id = stored(app, id).await.call_id;
    let id_text = id.to_string();
    let grant = format!("grant_{action_row}");
    let (path, fields): (String, Vec<(&str, &str)>) = match transition {
        Transition::Submit | Transition::Resubmit => (
            format!("/dossiers/{id}/indienen"),
            vec![
                ("version", version.as_str()),
                ("cover_note", "Aangepast zoals gevraagd."),
            ],
        ),
        Transition::Withdraw => (
            format!("/dossiers/{id}/intrekken"),
            vec![
                ("reason", "Het project gaat niet door."),
                ("version", version.as_str()),
            ],
        ),
        Transition::StartReview => (format!("/beoordeling/{id}/start"), vec![]),
        Transition::RequestChanges => (
            format!("/beoordeling/{id}/aanpassingen"),
            vec![("sections", "acties"), ("message", "Graag concreter.")],
        ),
        Transition::Approve => (
            format!("/beoordeling/{id}/beslissing"),
            vec![
                ("outcome", "approve"),
                (grant.as_str(), "25.000,00"),
                ("motivation", "Volledig goedgekeurd."),
            ],
        ),
        Transition::PartlyApprove => (
            format!("/beoordeling/{id}/beslissing"),
            vec![
                ("outcome", "approve"),
                (grant.as_str(), "10.000,00"),
                ("motivation", "Deels goedgekeurd."),
            ],
        ),
        Transition::Reject => (
            format!("/beoordeling/{id}/beslissing"),
            vec![("outcome", "reject"), ("motivation", "Afgewezen.")],
        ),
        Transition::Reopen => (
            format!("/beoordeling/{id}/heropenen"),
            vec![("reason", "Nieuwe gegevens ontvangen.")],
        ),
        Transition::ReturnToApplicant => (
            format!("/beheer/oproepen/{call_id}/teruggeven"),
            vec![
                ("application_id", id_text.as_str()),
                ("reason", "Terug naar de gemeente."),
            ],
        ),
    };
    browser.post(&path, &fields).await.status().as_u16()
}

#[tokio::test]
async fn every_transition_happens_exactly_when_the_state_machine_allows_it_for_that_party() {
    let app = spawn_app().await;
    let mut official = app.signed_in(OFFICIAL_A).await;
    let dossier: i64 = submitted_dossier(&app, &mut official, &[("4.3", 1)])
        .await
        .parse()
        .unwrap();
    let action_row = {
        use sea_orm::{ColumnTrait, QueryFilter};
        entity::application_action::Entity::find()
            .filter(entity::application_action::Column::ApplicationId.eq(dossier))
            .one(&app.db)
            .await
            .unwrap()
            .unwrap()
            .id
    };
    // The state machine is under test here, not four eyes (tests/api/four_eyes.rs): every
    // decision of this call stays one step.
    crate::helpers::exec(
        &app,
        &format!(
            "UPDATE call SET four_eyes_threshold_cents = 100000000000 WHERE id = {}",
            stored(&app, dossier).await.call_id
        ),
    )
    .await;
    let mut reviewer = app.signed_in(REVIEWER).await;
    let mut admin = app.signed_in(ADMIN).await;

    let mut failures = Vec::new();
    let mut allowed = 0;
    for from in DossierState::ALL {
        for transition in Transition::ALL {
            for party in [Party::Applicant, Party::Reviewer, Party::Admin] {
                put_in_state(&app, dossier, from).await;
                let audited_before = count(&app.db, "audit_log").await;
                let browser = match party {
                    Party::Applicant => &mut official,
                    Party::Reviewer => &mut reviewer,
                    Party::Admin => &mut admin,
                };
                browser.get("/account").await;
                let status = attempt(browser, &app, dossier, action_row, transition).await;
                let after = DossierState::from(stored(&app, dossier).await.state);
                // Submitting and resubmitting share one form: the state decides which of the
                // two it is, so that form succeeds where either is allowed.
                let expected =
                    workflow::next(from, transition, party).or_else(|e| match transition {
                        Transition::Submit => workflow::next(from, Transition::Resubmit, party),
                        Transition::Resubmit => workflow::next(from, Transition::Submit, party),
                        _ => Err(e),
                    });
                match expected {
                    Ok(to) => {
                        allowed += 1;
                        if status != 303 || after != to {
                            failures.push(format!(
                                "{from:?} --{transition:?}--> by {party:?}: expected {to:?} (303), got {after:?} ({status})"
                            ));
                        }
                        if count(&app.db, "audit_log").await <= audited_before {
                            failures.push(format!("{from:?} {transition:?} {party:?} not audited"));
                        }
                    }
                    Err(_) => {
                        if after != from || ![403, 404, 409].contains(&status) {
                            failures.push(format!(
                                "{from:?} --{transition:?}--> by {party:?}: expected a refusal, got {after:?} ({status})"
                            ));
                        }
                    }
                }
            }
        }
    }
    assert!(allowed >= 15, "the table allows transitions: {allowed}");
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
