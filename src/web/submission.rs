//! "Check your answers", submit, the confirmation, and withdrawal.
//!
//! Submitting re-runs every check inside the transaction, moves the dossier from draft to
//! submitted (or from changes requested to resubmitted) only if nobody changed it since the
//! check page was read, freezes a snapshot for later comparison, audits, and queues the
//! confirmation e-mail in the same transaction.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use chrono::Utc;
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, Set};
use serde::Deserialize;

use entity::app_user;
use entity::application::{self, ApplicationState};
use entity::{application_member, application_snapshot};

use crate::audit::{self, AuditEntry};
use crate::auth::session::CurrentUser;
use crate::auth::session::redirect_with_flash;
use crate::domain::workflow::{self, Party, Transition};
use crate::error::AppError;
use crate::mail::{self, OutgoingMail};
use crate::policy::Action;
use crate::state::AppState;
use crate::store::drafts;
use crate::web::context::PageContext;
use crate::web::dossier_view::{Statuses, TaskItem, statuses, tasks};
use crate::web::dossiers::{ensure_editable, load_for, may_withdraw};
use crate::web::form::FormErrors;
use crate::web::full_view::{FullView, full_view};
use crate::web::pages::{Layout, render};
use crate::web::review::{from_domain, to_domain};
use crate::web::routes::OFFICIALS;
use crate::web::{Access, RouteTable};

pub fn routes() -> RouteTable {
    RouteTable::new()
        .get("/dossiers/{id}/controle", OFFICIALS, check_page)
        .post("/dossiers/{id}/indienen", OFFICIALS, submit)
        .get("/dossiers/{id}/bevestiging", Access::SignedIn, confirmation)
        .post("/dossiers/{id}/intrekken", OFFICIALS, withdraw)
}

#[derive(Template)]
#[template(path = "dossier/check.html")]
pub struct CheckPage {
    pub layout: Layout,
    pub view: FullView,
    pub tasks: Vec<TaskItem>,
    pub sections_complete: bool,
    pub version: i32,
    pub errors: FormErrors,
}

async fn check_view(
    state: &AppState,
    ctx: &PageContext,
    content: &drafts::DossierContent,
    errors: FormErrors,
) -> Result<(Html<String>, bool), AppError> {
    let report = content.report(&state.db).await?;
    let s: Statuses = statuses(content, &report);
    let ready = report.can_submit && s.all_complete();
    let mut view = full_view(content, &report);
    view.can_submit = ready;
    view.header.editable = true;
    let page = render(&CheckPage {
        layout: ctx.layout("Controleren en indienen"),
        tasks: tasks(content.dossier.application.id, &s),
        sections_complete: s.all_complete(),
        version: content.dossier.application.version,
        view,
        errors,
    })?;
    Ok((page, ready))
}

async fn check_page(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ctx: PageContext,
    Path(id): Path<String>,
) -> Result<Html<String>, AppError> {
    let dossier = load_for(&state, &user, &id, Action::EditDossier, ctx.ip.clone()).await?;
    ensure_editable(&dossier)?;
    let content = drafts::load(&state.db, dossier).await?;
    Ok(check_view(&state, &ctx, &content, FormErrors::default())
        .await?
        .0)
}

#[derive(Debug, Deserialize)]
pub struct SubmitForm {
    #[serde(default)]
    pub version: String,
}

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

async fn submit(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ctx: PageContext,
    Path(id): Path<String>,
    Form(form): Form<SubmitForm>,
) -> Result<Response, AppError> {
    let dossier = load_for(&state, &user, &id, Action::EditDossier, ctx.ip.clone()).await?;
    ensure_editable(&dossier)?;
    let content = drafts::load(&state.db, dossier).await?;
    let app = content.dossier.application.clone();
    let now = Utc::now();
    // A first submission needs the call's window, or a late deadline ABB gave this dossier.
    let late = app.late_submission_until.filter(|until| now <= *until);
    let deadline = crate::domain::call_draft::effective_deadline(
        content.call.call.submission_closes_at,
        &app.late_submission_until.into_iter().collect::<Vec<_>>(),
    );
    if app.state == ApplicationState::Draft {
        if now > deadline {
            return Err(AppError::Conflict(format!(
                "De indieningstermijn van {} liep af op {}.",
                content.call.call.title,
                deadline.format("%d-%m-%Y")
            )));
        }
        if late.is_none() && content.call.call.state != entity::call::CallState::Open {
            return Err(AppError::Conflict(format!(
                "De oproep {} is niet open voor indiening.",
                content.call.call.title
            )));
        }
    }
    let report = content.report(&state.db).await?;
    let s = statuses(&content, &report);
    if !(report.can_submit && s.all_complete()) {
        let mut errors = FormErrors::default();
        errors.add(
            "submit",
            "Het dossier kan nog niet ingediend worden: werk eerst de onderdelen hieronder af.",
        );
        let (page, _) = check_view(&state, &ctx, &content, errors).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    let version: i32 = form.version.trim().parse().unwrap_or(-1);
    // The state machine decides what submitting leads to (a first submission or an answer to a
    // change request).
    let step = if app.state == ApplicationState::ChangesRequested {
        Transition::Resubmit
    } else {
        Transition::Submit
    };
    let next_state = workflow::next(to_domain(app.state), step, Party::Applicant)
        .map(from_domain)
        .map_err(|e| AppError::Conflict(e.to_string()))?;
    let view = full_view(&content, &report);
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
        let mut errors = FormErrors::default();
        errors.add("submit", "Het dossier werd intussen gewijzigd. Controleer de gegevens hieronder en dien opnieuw in.");
        let fresh = drafts::load(
            &state.db,
            load_for(&state, &user, &id, Action::EditDossier, ctx.ip.clone()).await?,
        )
        .await?;
        let (page, _) = check_view(&state, &ctx, &fresh, errors).await?;
        return Ok((StatusCode::CONFLICT, page).into_response());
    }
    crate::store::inbox::record_findings(&txn, app.id, &report, now).await?;
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
        created_by: Set(Some(user.user.id)),
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
        .by(Some(user.user.id), user.label())
        .from_ip(ctx.ip.clone())
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
        total_grant: &view.total_grant,
        link: &link,
    })?;
    for to in recipients(&state, &content, &app).await? {
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
    Ok(redirect_with_flash(
        &format!("/dossiers/{}/bevestiging", app.id),
        "Uw dossier is ingediend.",
        state.config.secure_cookies(),
    ))
}

/// Who hears about a dossier: its contact person and the active officials of the lead.
async fn recipients(
    state: &AppState,
    content: &drafts::DossierContent,
    app: &application::Model,
) -> Result<Vec<String>, AppError> {
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
        .all(&state.db)
        .await?;
    for u in officials {
        if !to.contains(&u.email) {
            to.push(u.email);
        }
    }
    Ok(to)
}

#[derive(Template)]
#[template(path = "dossier/confirmation.html")]
pub struct ConfirmationPage {
    pub layout: Layout,
    pub reference: String,
    pub id: i64,
    pub submitted_at: String,
    pub state_label: &'static str,
}

async fn confirmation(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ctx: PageContext,
    Path(id): Path<String>,
) -> Result<Html<String>, AppError> {
    let dossier = load_for(&state, &user, &id, Action::ViewDossier, ctx.ip.clone()).await?;
    let app = dossier.application;
    render(&ConfirmationPage {
        layout: ctx.layout("Dossier ingediend"),
        reference: app.reference.clone(),
        id: app.id,
        submitted_at: app
            .submitted_at
            .map(|t| t.format("%d-%m-%Y %H:%M").to_string())
            .unwrap_or_else(|| "nog niet ingediend".into()),
        state_label: crate::web::dossiers::state_label(app.state),
    })
}

#[derive(Debug, Deserialize)]
pub struct WithdrawForm {
    #[serde(default)]
    pub reason: String,
    #[serde(default)]
    pub version: String,
}

/// Withdraws a dossier before ABB decides. Its municipalities are free again for this call.
async fn withdraw(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ctx: PageContext,
    Path(id): Path<String>,
    Form(form): Form<WithdrawForm>,
) -> Result<Response, AppError> {
    let dossier = load_for(&state, &user, &id, Action::EditDossier, ctx.ip.clone()).await?;
    let app = dossier.application.clone();
    if !may_withdraw(app.state) {
        return Err(AppError::Conflict(format!(
            "Dossier {} is {} en kan niet meer ingetrokken worden.",
            app.reference,
            crate::web::dossiers::state_label(app.state)
        )));
    }
    let reason = form.reason.trim();
    if reason.is_empty() || reason.chars().count() > 2000 {
        return Err(AppError::BadRequest(
            "Geef kort de reden op waarom u het dossier intrekt (hoogstens 2000 tekens).".into(),
        ));
    }
    let version: i32 = form.version.trim().parse().unwrap_or(-1);
    let now = Utc::now();
    let txn = crate::db::begin_write(&state.db).await?;
    let updated = application::Entity::update_many()
        .col_expr(
            application::Column::State,
            Expr::value(ApplicationState::Withdrawn),
        )
        .col_expr(application::Column::UpdatedAt, Expr::value(now))
        .col_expr(application::Column::Version, Expr::value(version + 1))
        .filter(application::Column::Id.eq(app.id))
        .filter(application::Column::Version.eq(version))
        .exec(&txn)
        .await?;
    if updated.rows_affected != 1 {
        txn.rollback().await?;
        return Err(AppError::Conflict(
            "Het dossier werd intussen gewijzigd. Open het opnieuw en probeer nog eens.".into(),
        ));
    }
    application_member::Entity::delete_many()
        .filter(application_member::Column::ApplicationId.eq(app.id))
        .exec(&txn)
        .await?;
    audit::record(
        &txn,
        AuditEntry::new(
            "application.withdrawn",
            "application",
            Some(app.id.to_string()),
        )
        .by(Some(user.user.id), user.label())
        .from_ip(ctx.ip.clone())
        .before(serde_json::json!({"state": app.state, "members": dossier.member_names}))
        .after(serde_json::json!({"state": ApplicationState::Withdrawn}))
        .details(reason.to_owned()),
    )
    .await?;
    txn.commit().await?;
    Ok(redirect_with_flash(
        &format!("/dossiers/{}", app.id),
        &format!("Dossier {} is ingetrokken.", app.reference),
        state.config.secure_cookies(),
    ))
}
