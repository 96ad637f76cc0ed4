//! Submitting a dossier, the store's part: moves it from draft to submitted (or from changes
//! requested to resubmitted) only if nobody changed it since `version`, records the rule
//! findings, answers the open change request and freezes a snapshot for later comparison. The
//! command (`crate::app::dossier::submit`) owns the rest: whether the dossier is ready, the
//! transaction, the audit entry and the confirmation e-mail.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait,
    QueryFilter, Set,
};

use entity::application::{self, ApplicationState};
use entity::application_snapshot;

use crate::domain::ApplicationReport;
use crate::store::drafts::DossierContent;
use crate::store::sections::By;

/// A submission as the store records it.
#[derive(Debug, Clone, Copy)]
pub struct Submitted<'a> {
    pub next_state: ApplicationState,
    /// The version of the dossier the submitter read.
    pub version: i32,
    pub by: &'a By,
    /// The municipality's note on what it changed.
    pub cover_note: Option<&'a str>,
    pub now: DateTime<Utc>,
}

/// Moves the dossier to the submission's next state and freezes its snapshot with the
/// municipality's cover note (see the module documentation); `false` when it changed since the
/// version the submitter read (nothing is written then).
pub async fn record<C: ConnectionTrait>(
    txn: &C,
    content: &DossierContent,
    report: &ApplicationReport,
    submitted: Submitted<'_>,
) -> Result<bool, DbErr> {
    let Submitted {
        next_state,
        version,
        by,
        cover_note,
        now,
    } = submitted;
    let app = &content.dossier.application;
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

    let updated = application::Entity::update_many()
        .col_expr(application::Column::State, Expr::value(next_state))
        .col_expr(application::Column::SubmittedAt, Expr::value(Some(now)))
        .col_expr(application::Column::UpdatedAt, Expr::value(now))
        .col_expr(application::Column::Version, Expr::value(version + 1))
        .filter(application::Column::Id.eq(app.id))
        .filter(application::Column::Version.eq(version))
        .filter(application::Column::State.eq(app.state))
        .exec(txn)
        .await?;
    if updated.rows_affected != 1 {
        return Ok(false);
    }
    crate::store::inbox::record_findings(txn, app.id, report, now).await?;
    // A resubmission answers the open change request.
    entity::change_request::Entity::update_many()
        .col_expr(
            entity::change_request::Column::ResolvedAt,
            Expr::value(Some(now)),
        )
        .filter(entity::change_request::Column::ApplicationId.eq(app.id))
        .filter(entity::change_request::Column::ResolvedAt.is_null())
        .exec(txn)
        .await?;
    let sequence = application_snapshot::Entity::find()
        .filter(application_snapshot::Column::ApplicationId.eq(app.id))
        .count(txn)
        .await?
        + 1;
    application_snapshot::ActiveModel {
        application_id: Set(app.id),
        sequence: Set(i32::try_from(sequence).unwrap_or(i32::MAX)),
        snapshot: Set(snapshot.to_string()),
        created_at: Set(now),
        created_by: Set(by.user_id),
        cover_note: Set(cover_note.map(str::to_owned)),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    Ok(true)
}
