//! Submitting a dossier, for the check page and the API alike: moves it from draft to submitted
//! (or from changes requested to resubmitted) only if nobody changed it since `version`, answers
//! the open change request, freezes a snapshot for later comparison, audits, and queues the
//! confirmation e-mail, all in one write transaction. Whether the dossier is ready (every
//! section complete, no blocking rule) is the caller's check, made just before.

use askama::Template;
use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, Set};

use entity::app_user;
use entity::application::{self, ApplicationState};
use entity::application_snapshot;

use crate::audit::{self, AuditEntry};
use crate::domain::ApplicationReport;
use crate::domain::workflow::{self, Party, Transition};
use crate::error::AppError;
use crate::mail::{self, OutgoingMail};
use crate::state::AppState;
use crate::store::drafts::DossierContent;
use crate::store::sections::By;

#[derive(Template)]
#[template(path = "mail/submitted.txt")]
struct SubmittedMail<'a> {
    reference: &'a str,
    title: &'a str,
    call: &'a str,
    lead: &'a str,
    total_grant: &'a str,
    link: &'a str,
}

/// What a submission came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Submitted {
    /// The dossier is now in this state.
    Done(ApplicationState),
    /// The dossier changed since `version`: nothing was submitted.
    Conflict,
}

/// Refuses a first submission after the call's deadline (unless ABB gave this dossier a late
/// deadline) or while the call is not open; a resubmission after a change request may come
/// later.
pub fn ensure_within_deadline(
    content: &DossierContent,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let app = &content.dossier.application;
    // A resubmission after a change request may come later; a first submission needs the
    // call's window, or a later deadline ABB gave this dossier.
    if app.state != ApplicationState::Draft {
        return Ok(());
    }
    content
        .call
        .window()
        .accepts(now, app.late_submission_until)
        .map_err(|refusal| AppError::Conflict(refusal.explain(&content.call.call.title)))
}

/// Submits the dossier (see the module documentation); `report` is the engine's report on it.
pub async fn submit(
    state: &AppState,
    content: &DossierContent,
    report: &ApplicationReport,
    version: i32,
    by: &By,
    now: DateTime<Utc>,
) -> Result<Submitted, AppError> {
    let app = content.dossier.application.clone();
    // The state machine decides what submitting leads to (a first submission or an answer to a
    // change request).
    let step = if app.state == ApplicationState::ChangesRequested {
        Transition::Resubmit
    } else {
        Transition::Submit
    };
    let next_state = workflow::next(
        crate::domain::workflow::DossierState::from(app.state),
        step,
        Party::Applicant,
    )
    .map(ApplicationState::from)
    .map_err(|e| AppError::Conflict(e.to_string()))?;
    let snapshot = serde_json::json!({
        "reference": app.reference,
        "title": app.title,
        "summary": app.summary,
        "contact": {"name": app.contact_name, "email": app.contact_email, "phone": app.contact_phone},
        "project_years": [app.first_project_year, app.last_project_year],
        "members": content.dossier.member_names,
        "actions": content.actions.iter().map(|a| serde_json::json!({
            "code": a.action.code, "priority_rank": a.row.priority_rank,
            "baseline_reach": a.row.baseline_reach, "planned_reach": a.row.planned_reach,
            "grant_cents": a.row.grant_cents, "own_contribution_cents": a.row.own_contribution_cents,
            "description": a.row.description, "partners": a.row.partners,
            "kpis": a.kpis.iter().map(|k| serde_json::json!({
                "indicator": k.indicator, "unit": k.unit, "baseline": k.baseline,
                "target": k.target, "target_date": k.target_date, "measurement": k.measurement,
            })).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "total_grant_cents": report.total_grant.get(),
        "incentive_cents_per_project_year": report.incentive_per_project_year.get(),
        "attachments": content.attachment_kinds,
    });

    let txn = crate::db::begin_write(&state.db).await?;
    let updated = application::Entity::update_many()
        .col_expr(application::Column::State, Expr::value(next_state))
        .col_expr(application::Column::SubmittedAt, Expr::value(Some(now)))
        .col_expr(application::Column::UpdatedAt, Expr::value(now))
        .col_expr(application::Column::Version, Expr::value(version + 1))
        .filter(application::Column::Id.eq(app.id))
        .filter(application::Column::Version.eq(version))
        .filter(application::Column::State.eq(app.state))
        .exec(&txn)
        .await?;
    if updated.rows_affected != 1 {
        txn.rollback().await?;
        return Ok(Submitted::Conflict);
    }
    crate::store::inbox::record_findings(&txn, app.id, report, now).await?;
    // A resubmission answers the open change request.
    entity::change_request::Entity::update_many()
        .col_expr(
            entity::change_request::Column::ResolvedAt,
            Expr::value(Some(now)),
        )
        .filter(entity::change_request::Column::ApplicationId.eq(app.id))
        .filter(entity::change_request::Column::ResolvedAt.is_null())
        .exec(&txn)
        .await?;
    let sequence = application_snapshot::Entity::find()
        .filter(application_snapshot::Column::ApplicationId.eq(app.id))
        .count(&txn)
        .await?
        + 1;
    application_snapshot::ActiveModel {
        application_id: Set(app.id),
        sequence: Set(i32::try_from(sequence).unwrap_or(i32::MAX)),
        snapshot: Set(snapshot.to_string()),
        created_at: Set(now),
        created_by: Set(by.user_id),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    audit::record(
        &txn,
        AuditEntry::new(
            "application.submitted",
            "application",
            Some(app.id.to_string()),
        )
        .by(by.user_id, by.label.clone())
        .from_ip(by.ip.clone())
        .before(serde_json::json!({"state": app.state}))
        .after(
            serde_json::json!({"state": next_state, "total_grant_cents": report.total_grant.get()}),
        ),
    )
    .await?;
    let link = format!("{}/dossiers/{}", state.config.public_url, app.id);
    let body = mail::render_text(&SubmittedMail {
        reference: &app.reference,
        title: &app.title,
        call: &content.call.call.title,
        lead: &content.dossier.lead_name,
        total_grant: &report.total_grant.to_string(),
        link: &link,
    })?;
    for to in recipients(&txn, content, &app).await? {
        mail::enqueue(
            &txn,
            OutgoingMail {
                to,
                subject: format!("Samenleven: dossier {} is ingediend", app.reference),
                body_text: body.clone(),
                related: Some(("application".into(), app.id.to_string())),
            },
        )
        .await?;
    }
    txn.commit().await?;
    state.mail_wakeup.notify_one();
    Ok(Submitted::Done(next_state))
}

/// Who hears about a dossier: its contact person and the active officials of the lead.
async fn recipients<C: sea_orm::ConnectionTrait>(
    db: &C,
    content: &DossierContent,
    app: &application::Model,
) -> Result<Vec<String>, sea_orm::DbErr> {
    let mut to: Vec<String> = Vec::new();
    if let Some(email) = app.contact_email.clone().filter(|e| !e.is_empty()) {
        to.push(email);
    }
    let officials = app_user::Entity::find()
        .filter(app_user::Column::Active.eq(true))
        .filter(
            match (
                content.dossier.parties.lead_municipality_id,
                content.dossier.parties.partner_organisation_id,
            ) {
                (Some(m), _) => app_user::Column::MunicipalityId.eq(m),
                (None, Some(p)) => app_user::Column::PartnerOrganisationId.eq(p),
                (None, None) => app_user::Column::Id.eq(-1),
            },
        )
        .all(db)
        .await?;
    for u in officials {
        if !to.contains(&u.email) {
            to.push(u.email);
        }
    }
    Ok(to)
}
