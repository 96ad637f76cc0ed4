//! DEMO ONLY: two approved dossiers with their follow-up, so the follow-up can be tried without
//! first walking the whole application and review. Loaded with the demo accounts, never into a
//! database that has real users. Every title, amount and measured value here is fictitious and
//! says so ("DEMO (fictief)").
//!
//! - **Leuven** (`leuven@demo.samenleven.test`): partly approved for project years 1 and 2 with
//!   two actions (one granted an odd amount, to show the rounding of the advance). Its interim
//!   report of year 1 is due in a few weeks: the municipality can fill it in at once.
//! - **Oostende** (`oostende@demo.samenleven.test`): approved with one action; its interim report
//!   of year 1 is already submitted, one KPI behind schedule with a motivation, so an ABB
//!   reviewer can accept it and decide on the continuation straight away.
//!
//! The decisions are dated 170 days ago. The call is historical (project year 1 started on
//! 1 October 2022), so the report deadlines move by the delay between that start and the
//! approval, as they would for any late approval (`domain::followup::report_due_on`).

use chrono::{TimeDelta, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};

use entity::application::{ApplicationKind, ApplicationState};
use entity::decision::DecisionOutcome;
use entity::progress_report::{ReportKind, ReportState};
use entity::{
    action, app_user, application, application_action, call, call_action, decision, decision_line,
    kpi, kpi_result, municipality, progress_report,
};

use super::{SeedError, SeedReport};
use crate::store::applications::{NewDossier, create_draft};
use crate::store::followup::{By, on_decision};

/// A KPI of a demo action: indicator, unit, baseline and target (whole numbers), and the value
/// measured in the submitted interim report with its motivation, if the report is submitted.
struct DemoKpi {
    reach: bool,
    indicator: &'static str,
    unit: &'static str,
    baseline: i64,
    target: i64,
    interim: Option<(i64, Option<&'static str>)>,
}

struct DemoAction {
    code: &'static str,
    baseline_reach: i32,
    planned_reach: i32,
    /// Requested per project year; the own contribution is the same.
    requested_cents: i64,
    granted_cents: i64,
    kpis: Vec<DemoKpi>,
}

struct DemoDossier {
    nis: i32,
    title: &'static str,
    contact: &'static str,
    actions: Vec<DemoAction>,
    interim_submitted: bool,
}

fn dossiers() -> Vec<DemoDossier> {
    vec![
        DemoDossier {
            nis: 24062,
            title: "DEMO (fictief): Leuven verbindt jongeren en nieuwkomers",
            contact: "leuven@demo.samenleven.test",
            interim_submitted: false,
            actions: vec![
                DemoAction {
                    code: "2.7a",
                    baseline_reach: 0,
                    planned_reach: 60,
                    requested_cents: 1_260_000,
                    granted_cents: 1_260_000,
                    kpis: vec![
                        DemoKpi {
                            reach: true,
                            indicator: "Bereik: aantal jongeren van buitenlandse herkomst",
                            unit: "jongeren van buitenlandse herkomst",
                            baseline: 0,
                            target: 60,
                            interim: None,
                        },
                        DemoKpi {
                            reach: false,
                            indicator: "Jongeren die deelnemen aan het jeugdwerk (fictief)",
                            unit: "jongeren",
                            baseline: 40,
                            target: 120,
                            interim: None,
                        },
                    ],
                },
                DemoAction {
                    code: "3.7",
                    baseline_reach: 10,
                    planned_reach: 40,
                    requested_cents: 1_280_000,
                    granted_cents: 1_100_000,
                    kpis: vec![DemoKpi {
                        reach: true,
                        indicator: "Bereik: aantal kwetsbare gezinnen",
                        unit: "kwetsbare gezinnen",
                        baseline: 10,
                        target: 50,
                        interim: None,
                    }],
                },
            ],
        },
        DemoDossier {
            nis: 35013,
            title: "DEMO (fictief): Pleinen die Oostende samenbrengen",
            contact: "oostende@demo.samenleven.test",
            interim_submitted: true,
            actions: vec![DemoAction {
                code: "2.9",
                baseline_reach: 0,
                planned_reach: 2,
                requested_cents: 1_160_000,
                granted_cents: 1_160_000,
                kpis: vec![
                    DemoKpi {
                        reach: true,
                        indicator: "Bereik: aantal pleinmakers",
                        unit: "pleinmakers",
                        baseline: 0,
                        target: 2,
                        interim: Some((
                            0,
                            Some(
                                "DEMO (fictief): de pleinmakers zijn aangeworven en beginnen na de zomer.",
                            ),
                        )),
                    },
                    DemoKpi {
                        reach: false,
                        indicator: "Activiteiten op de pleinen (fictief)",
                        unit: "activiteiten",
                        baseline: 0,
                        target: 40,
                        interim: Some((
                            8,
                            Some(
                                "DEMO (fictief): de tweede pleinmaker begon pas in maand vier; de zomeractiviteiten staan gepland.",
                            ),
                        )),
                    },
                ],
            }],
        },
    ]
}

/// Loads the demo dossiers that are not there yet (a municipality already in a dossier of the
/// call is skipped, so running it twice changes nothing).
pub async fn load<C: ConnectionTrait>(db: &C, report: &mut SeedReport) -> Result<(), SeedError> {
    let Some(found_call) = call::Entity::find()
        .filter(call::Column::Code.eq("PS-2022-2024"))
        .one(db)
        .await?
    else {
        return Ok(());
    };
    let Some(reviewer) = app_user::Entity::find()
        .filter(app_user::Column::Email.eq("beoordelaar1@demo.samenleven.test"))
        .one(db)
        .await?
    else {
        return Ok(());
    };
    let now = Utc::now();
    let decided_at = now - TimeDelta::days(170);
    let by = By::system("systeem (demo-seed)");
    for d in dossiers() {
        let Some(town) = municipality::Entity::find()
            .filter(municipality::Column::NisCode.eq(d.nis))
            .filter(municipality::Column::ValidTo.is_null())
            .one(db)
            .await?
        else {
            continue;
        };
        let taken = entity::application_member::Entity::find()
            .filter(entity::application_member::Column::CallId.eq(found_call.id))
            .filter(entity::application_member::Column::MunicipalityId.eq(town.id))
            .one(db)
            .await?
            .is_some();
        if taken {
            continue;
        }
        let app = create_draft(
            db,
            NewDossier {
                call_id: found_call.id,
                call_code: found_call.code.clone(),
                kind: ApplicationKind::Single,
                lead_municipality_id: Some(town.id),
                partner_organisation_id: None,
                title: d.title.to_owned(),
                first_project_year: 1,
                created_by: reviewer.id,
            },
            decided_at - TimeDelta::days(60),
        )
        .await?;
        let full = d
            .actions
            .iter()
            .all(|a| a.granted_cents == a.requested_cents);
        let mut active: application::ActiveModel = app.clone().into();
        active.last_project_year = Set(2);
        active.summary = Set(Some(
            "DEMO (fictief): een voorbeelddossier om de opvolging te proberen.".to_owned(),
        ));
        active.contact_name = Set(Some("Demo-contactpersoon (fictief)".to_owned()));
        active.contact_email = Set(Some(d.contact.to_owned()));
        active.state = Set(if full {
            ApplicationState::Approved
        } else {
            ApplicationState::PartlyApproved
        });
        active.declarations_accepted_at = Set(Some(decided_at - TimeDelta::days(40)));
        active.submitted_at = Set(Some(decided_at - TimeDelta::days(40)));
        active.decided_at = Set(Some(decided_at));
        active.assigned_reviewer_id = Set(Some(reviewer.id));
        let app = active.update(db).await?;
        let mut granted = Vec::new();
        let mut kpi_rows = Vec::new();
        for (rank, a) in d.actions.iter().enumerate() {
            // A line code (`2.7a`) names the action (`2.7`) and its line (1).
            let Ok(code) = crate::domain::ActionCode::parse(a.code) else {
                continue;
            };
            let Some(catalog) = action::Entity::find()
                .filter(action::Column::Code.eq(code.action().to_string()))
                .one(db)
                .await?
            else {
                continue;
            };
            let Some(ca) = call_action::Entity::find()
                .filter(call_action::Column::CallId.eq(found_call.id))
                .filter(call_action::Column::ActionId.eq(catalog.id))
                .filter(call_action::Column::LineNumber.eq(i32::from(code.line().unwrap_or(0))))
                .one(db)
                .await?
            else {
                continue;
            };
            let row = application_action::ActiveModel {
                application_id: Set(app.id),
                call_action_id: Set(ca.id),
                priority_rank: Set(i32::try_from(rank + 1).unwrap_or(1)),
                baseline_reach: Set(a.baseline_reach),
                planned_reach: Set(a.planned_reach),
                grant_cents: Set(a.requested_cents),
                own_contribution_cents: Set(a.requested_cents),
                description: Set("DEMO (fictief): beschrijving van de aanpak.".to_owned()),
                partners: Set(None),
                version: Set(1),
                ..Default::default()
            }
            .insert(db)
            .await?;
            granted.push((row.id, a.granted_cents));
            for k in &a.kpis {
                let saved = kpi::ActiveModel {
                    application_action_id: Set(row.id),
                    is_reach_kpi: Set(k.reach),
                    indicator: Set(k.indicator.to_owned()),
                    unit: Set(k.unit.to_owned()),
                    baseline: Set(k.baseline * 1000),
                    target: Set(k.target * 1000),
                    target_date: Set(found_call.period_end),
                    measurement: Set("DEMO (fictief): telling met deelnemerslijsten.".to_owned()),
                    version: Set(1),
                    ..Default::default()
                }
                .insert(db)
                .await?;
                kpi_rows.push((saved.id, k.interim));
            }
        }
        let per_year: i64 = crate::domain::money::sum_cents(granted.iter().map(|(_, g)| *g));
        let saved = decision::ActiveModel {
            application_id: Set(app.id),
            outcome: Set(if full {
                DecisionOutcome::Approved
            } else {
                DecisionOutcome::PartlyApproved
            }),
            motivation: Set(
                "DEMO (fictief): beslissing van de demo-seed, om de opvolging te tonen.".to_owned(),
            ),
            decided_by: Set(reviewer.id),
            decided_at: Set(decided_at),
            total_granted_cents: Set(per_year * 2),
            incentive_cents: Set(0),
            version: Set(1),
            ..Default::default()
        }
        .insert(db)
        .await?;
        for (action_id, cents) in &granted {
            for year in 1..=2 {
                decision_line::ActiveModel {
                    decision_id: Set(saved.id),
                    application_action_id: Set(*action_id),
                    year_number: Set(year),
                    granted_cents: Set(*cents),
                    ..Default::default()
                }
                .insert(db)
                .await?;
            }
        }
        on_decision(db, app.id, &by, now).await?;
        if d.interim_submitted
            && let Some(interim) = progress_report::Entity::find()
                .filter(progress_report::Column::ApplicationId.eq(app.id))
                .filter(progress_report::Column::YearNumber.eq(1))
                .filter(progress_report::Column::Kind.eq(ReportKind::Interim))
                .one(db)
                .await?
        {
            for (kpi_id, interim_value) in &kpi_rows {
                let Some((value, motivation)) = interim_value else {
                    continue;
                };
                kpi_result::ActiveModel {
                    progress_report_id: Set(interim.id),
                    kpi_id: Set(*kpi_id),
                    actual_value: Set(Some(value * 1000)),
                    motivation: Set(motivation.map(str::to_owned)),
                    motivation_accepted: Set(None),
                    version: Set(1),
                    ..Default::default()
                }
                .insert(db)
                .await?;
            }
            let mut active: progress_report::ActiveModel = interim.clone().into();
            active.state = Set(ReportState::Submitted);
            active.submitted_at = Set(Some(now - TimeDelta::days(2)));
            active.version = Set(interim.version + 1);
            active.update(db).await?;
        }
        crate::audit::record(
            db,
            crate::audit::AuditEntry::new("demo.followup_seeded", "application", Some(app.id.to_string()))
                .by(None, "systeem (demo-seed)")
                .details(format!(
                    "DEMO: goedgekeurd dossier {} met fictieve bedragen en waarden, om de opvolging te tonen.",
                    app.reference
                )),
        )
        .await?;
        report.demo_dossiers += 1;
    }
    Ok(())
}
