//! ABB's side: the reviewer inbox, the review page with the rule engine's results, internal
//! notes and messages, change requests on named sections, decisions with amounts per action,
//! reopening by an admin, and the decision letter. Every state change goes through the
//! domain's state machine ([`crate::domain::workflow`]), is audited, and notifies the people
//! concerned through the outbox in the same transaction.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use chrono::Utc;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use serde::Deserialize;

use entity::app_user::{self, UserRole};
use entity::application::{self, ApplicationState};
use entity::decision::DecisionOutcome;
use entity::{
    application_snapshot, audit_log, change_request, decision, decision_line, message, review,
};

use crate::app::{self, Caller};
use crate::audit::{self, AuditEntry};
use crate::auth::csrf::form_urlencoded_pairs;
use crate::auth::session::redirect_with_flash;
use crate::auth::session::{CurrentUser, SessionUser};
use crate::domain::Cents;
use crate::domain::decision::Verdict;
use crate::domain::paging::Page;
use crate::domain::parts::Part;
use crate::domain::workflow::{self, DossierState, Transition};
use crate::error::AppError;
use crate::mail::{self, OutgoingMail};
use crate::policy::Action;
use crate::state::AppState;
use crate::store::calls::CallChoice;
use crate::store::drafts::{self, DossierContent};
use crate::store::inbox::{self, Assignment, InboxFilter, InboxSort};
use crate::store::reference_cache::Reference;
use crate::web::context::PageContext;
use crate::web::dossiers::load_for;
use crate::web::extract::{FlashRedirect, Id};
use crate::web::form::FormErrors;
use crate::web::form::{Form, Query, RawForm};
use crate::web::full_view::{FullView, full_view, money};
use crate::web::pages::{Layout, render};
use crate::web::routes::{ADMINS, STAFF};
use crate::web::{Access, BodyLimit, RouteTable};

pub fn routes() -> RouteTable {
    RouteTable::new()
        .get("/beoordeling", STAFF, inbox)
        .post("/beoordeling/hercontrole", ADMINS, recheck)
        .get("/beoordeling/{id}", STAFF, review_page)
        .post("/beoordeling/{id}/toewijzen", STAFF, assign)
        .post("/beoordeling/{id}/start", STAFF, start_review)
        .post("/beoordeling/{id}/bericht", STAFF, post_message)
        .post("/beoordeling/{id}/checklist", STAFF, save_checklist)
        .post("/beoordeling/{id}/aanpassingen", STAFF, request_changes)
        .post("/beoordeling/{id}/beslissing", STAFF, decide)
        .limit(BodyLimit::LargeForm)
        .post("/beoordeling/{id}/heropenen", ADMINS, reopen)
        .get("/dossiers/{id}/beslissing", Access::SignedIn, letter)
}

/// Moves `app` through `transition` if the state machine allows it for `user` and nobody
/// changed the state meanwhile; audits it. Returns the new state.
async fn transition<C: ConnectionTrait>(
    txn: &C,
    app: &application::Model,
    step: Transition,
    user: &SessionUser,
    ip: Option<String>,
    details: Option<String>,
) -> Result<ApplicationState, AppError> {
    use sea_orm::sea_query::ExprTrait;
    let next = workflow::next(
        crate::domain::workflow::DossierState::from(app.state),
        step,
        user.party(),
    )
    .map_err(|e| AppError::Conflict(e.to_string()))?;
    let to = ApplicationState::from(next);
    let now = Utc::now();
    let mut update = application::Entity::update_many()
        .col_expr(application::Column::State, Expr::value(to))
        .col_expr(application::Column::UpdatedAt, Expr::value(now))
        .col_expr(
            application::Column::Version,
            Expr::col(application::Column::Version).add(1),
        )
        .filter(application::Column::Id.eq(app.id))
        .filter(application::Column::State.eq(app.state));
    if next.is_decided() {
        update = update.col_expr(application::Column::DecidedAt, Expr::value(Some(now)));
    }
    if update.exec(txn).await?.rows_affected != 1 {
        return Err(AppError::Conflict(
            "Het dossier veranderde intussen van status. Open het opnieuw.".into(),
        ));
    }
    let mut entry = AuditEntry::new(
        &format!("application.{}", step.code()),
        "application",
        Some(app.id.to_string()),
    )
    .by(Some(user.user.id), user.label())
    .from_ip(ip)
    .before(serde_json::json!({"state": app.state}))
    .after(serde_json::json!({"state": to}));
    if let Some(d) = details {
        entry = entry.details(d);
    }
    audit::record(txn, entry).await?;
    Ok(to)
}

/// Everyone a dossier's news goes to: its contact person and the officials of the lead and of
/// every member municipality (or of the partner organisation).
async fn concerned<C: ConnectionTrait>(
    db: &C,
    content: &DossierContent,
) -> Result<Vec<String>, DbErr> {
    let app = &content.dossier.application;
    let mut to: Vec<String> = app
        .contact_email
        .iter()
        .filter(|e| !e.is_empty())
        .cloned()
        .collect();
    let mut municipality_ids = content.dossier.parties.member_municipality_ids.clone();
    municipality_ids.extend(content.dossier.parties.lead_municipality_id);
    let mut condition =
        Condition::any().add(app_user::Column::MunicipalityId.is_in(municipality_ids));
    if let Some(p) = content.dossier.parties.partner_organisation_id {
        condition = condition.add(app_user::Column::PartnerOrganisationId.eq(p));
    }
    let users = app_user::Entity::find()
        .filter(app_user::Column::Active.eq(true))
        .filter(app_user::Column::Role.eq(UserRole::Official))
        .filter(condition)
        .all(db)
        .await?;
    for u in users {
        if !to.contains(&u.email) {
            to.push(u.email);
        }
    }
    Ok(to)
}

async fn notify<C: ConnectionTrait>(
    txn: &C,
    state: &AppState,
    content: &DossierContent,
    subject: &str,
    text: &str,
) -> Result<(), DbErr> {
    let app = &content.dossier.application;
    let link = format!("{}/dossiers/{}", state.config.public_url, app.id);
    for to in concerned(txn, content).await? {
        mail::enqueue(
            txn,
            OutgoingMail {
                to,
                subject: format!("Samenleven: {subject} ({})", app.reference),
                body_text: format!(
                    "Beste,\n\n{text}\n\nDossier {} (\"{}\") van {}:\n{link}\n\nMet vriendelijke groeten,\nAgentschap Binnenlands Bestuur — Samenleven\n",
                    app.reference, app.title, content.dossier.lead_name
                ),
                related: Some(("application".into(), app.id.to_string())),
            },
        )
        .await?;
    }
    Ok(())
}

// ------------------------------------------------------------------ inbox

/// The inbox's query string, as typed; [`InboxQuery::filter`] turns it into the store's filter.
#[derive(Debug, Deserialize, Default)]
pub struct InboxQuery {
    #[serde(default)]
    pub oproep: Option<i64>,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub zoek: String,
    #[serde(default)]
    pub provincie: String,
    #[serde(default)]
    pub regio: String,
    #[serde(default)]
    pub actie: String,
    /// "mij", "niemand" or a reviewer's id.
    #[serde(default)]
    pub toegewezen: String,
    /// "1": only dossiers with rule failures or warnings.
    #[serde(default)]
    pub bevindingen: String,
    /// "1": only dossiers past the review term.
    #[serde(default)]
    pub overtijd: String,
    #[serde(default)]
    pub sorteer: String,
    #[serde(default)]
    pub pagina: Page,
}

fn non_empty(text: &str) -> Option<String> {
    let t = text.trim();
    (!t.is_empty()).then(|| t.to_owned())
}

impl InboxQuery {
    /// The filter for `call_id` as `user` sees it; unknown values filter nothing.
    pub fn filter(&self, call_id: i64, user_id: i64) -> InboxFilter {
        InboxFilter {
            call_id,
            state: parse_state(self.status.trim()),
            search: self.zoek.trim().to_owned(),
            province: non_empty(&self.provincie),
            region_code: non_empty(&self.regio),
            action_code: non_empty(&self.actie),
            assignment: match self.toegewezen.trim() {
                "mij" => Assignment::To(user_id),
                "niemand" => Assignment::Nobody,
                other => other
                    .parse::<i64>()
                    .map(Assignment::To)
                    .unwrap_or(Assignment::Anyone),
            },
            with_rule_findings: self.bevindingen == "1",
            overdue: self.overtijd == "1",
            sort: match self.sorteer.as_str() {
                "referentie" => InboxSort::Reference,
                "status" => InboxSort::State,
                _ => InboxSort::Submitted,
            },
        }
    }

    /// The query string that repeats these filters (without the page).
    pub fn query_string(&self, call_id: i64) -> String {
        [
            ("oproep", call_id.to_string()),
            ("status", self.status.clone()),
            ("zoek", self.zoek.clone()),
            ("provincie", self.provincie.clone()),
            ("regio", self.regio.clone()),
            ("actie", self.actie.clone()),
            ("toegewezen", self.toegewezen.clone()),
            ("bevindingen", self.bevindingen.clone()),
            ("overtijd", self.overtijd.clone()),
            ("sorteer", self.sorteer.clone()),
        ]
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{k}={}", crate::auth::session::urlencode(v)))
        .collect::<Vec<_>>()
        .join("&")
    }
}

pub struct InboxLine {
    pub id: i64,
    pub reference: String,
    pub title: String,
    pub lead: String,
    pub province: String,
    pub state_label: &'static str,
    pub submitted: String,
    pub due: String,
    pub overdue: bool,
    /// "2 fouten, 1 waarschuwing", or empty.
    pub findings: String,
    pub reviewer: String,
}

pub struct StateCount {
    pub code: &'static str,
    pub label: &'static str,
    pub count: u64,
}

#[derive(Template)]
#[template(path = "review/inbox.html")]
pub struct InboxPage {
    pub layout: Layout,
    pub calls: Vec<(i64, String)>,
    pub call_id: i64,
    pub query: InboxQuery,
    pub counts: Vec<StateCount>,
    pub overdue_count: u64,
    pub review_days: i32,
    pub rows: Vec<InboxLine>,
    pub total: u64,
    pub page: u64,
    pub pages: u64,
    pub query_string: String,
    pub regions: Vec<(String, String)>,
    pub reviewers: Vec<(i64, String)>,
    pub is_admin: bool,
}

const PAGE_SIZE: u64 = 50;

fn state_code(state: ApplicationState) -> &'static str {
    match state {
        ApplicationState::Draft => "draft",
        ApplicationState::Submitted => "submitted",
        ApplicationState::InReview => "in_review",
        ApplicationState::ChangesRequested => "changes_requested",
        ApplicationState::Resubmitted => "resubmitted",
        ApplicationState::Approved => "approved",
        ApplicationState::PartlyApproved => "partly_approved",
        ApplicationState::Rejected => "rejected",
        ApplicationState::Withdrawn => "withdrawn",
    }
}

fn parse_state(code: &str) -> Option<ApplicationState> {
    DossierState::ALL
        .into_iter()
        .map(ApplicationState::from)
        .find(|s| state_code(*s) == code)
}

/// "2 fouten, 1 waarschuwing" for a dossier's stored rule findings; empty when there are none.
pub fn findings_label(failures: i32, warnings: i32) -> String {
    let mut parts = Vec::new();
    match failures {
        0 => {}
        1 => parts.push("1 fout".to_owned()),
        n => parts.push(format!("{n} fouten")),
    }
    match warnings {
        0 => {}
        1 => parts.push("1 waarschuwing".to_owned()),
        n => parts.push(format!("{n} waarschuwingen")),
    }
    parts.join(", ")
}

fn date_nl(t: Option<chrono::DateTime<Utc>>) -> String {
    t.map(crate::domain::dutch::format_moment_day)
        .unwrap_or_default()
}

/// The calls, newest first, and the one the query names (or the newest).
async fn calls_and_current(
    reference: &Reference,
    requested: Option<i64>,
) -> Result<(Vec<CallChoice>, i64), DbErr> {
    let calls = reference.call_choices().await?;
    // Without a choice: the open call, so a call in preparation does not push it aside.
    let fallback = crate::store::calls::default_among(&calls);
    let call_id = requested
        .filter(|id| calls.iter().any(|c| c.id == *id))
        .or(fallback)
        .unwrap_or(0);
    Ok((calls, call_id))
}

async fn inbox(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ctx: PageContext,
    Query(query): Query<InboxQuery>,
) -> Result<Html<String>, AppError> {
    let db = &state.db;
    let now = Utc::now();
    let (calls, call_id) = calls_and_current(&ctx.reference, query.oproep).await?;
    let filter = query.filter(call_id, user.user.id);
    let current = calls.iter().find(|c| c.id == call_id);
    let term = current
        .map(|c| inbox::term_of(c.review_days))
        .unwrap_or_default();
    let review_days = current.map(|c| c.review_days).unwrap_or(0);
    let (stored, overdue_count) = inbox::counts(db, call_id, term, now).await?;
    let counts = DossierState::ALL
        .into_iter()
        .skip(1)
        .map(|s| {
            let st = ApplicationState::from(s);
            StateCount {
                code: state_code(st),
                label: s.label(),
                count: stored
                    .iter()
                    .find(|(x, _)| *x == st)
                    .map(|(_, n)| *n)
                    .unwrap_or(0),
            }
        })
        .collect();
    let reviewers: Vec<(i64, String)> = app_user::Entity::find()
        .select_only()
        .column(app_user::Column::Id)
        .column(app_user::Column::Name)
        .filter(app_user::Column::Role.ne(UserRole::Official))
        .filter(app_user::Column::Active.eq(true))
        .order_by_asc(app_user::Column::Name)
        .into_tuple()
        .all(db)
        .await?;
    let found = inbox::page(
        db,
        &ctx.reference,
        &reviewers,
        &filter,
        term,
        now,
        inbox::PageRequest {
            number: query.pagina,
            size: PAGE_SIZE,
        },
    )
    .await?;
    let rows = found
        .rows
        .into_iter()
        .map(|r| InboxLine {
            id: r.id,
            state_label: crate::domain::workflow::DossierState::from(r.state).label(),
            submitted: date_nl(r.submitted_at),
            due: date_nl(r.review_due_at),
            overdue: r.overdue,
            findings: findings_label(r.rule_failures, r.rule_warnings),
            reviewer: r.reviewer.unwrap_or_else(|| "niemand".into()),
            reference: r.reference,
            title: r.title,
            lead: r.lead,
            province: r.province,
        })
        .collect();
    let regions = ctx
        .reference
        .regions()
        .await?
        .iter()
        .map(|r| (r.code.clone(), r.name.clone()))
        .collect();
    render(&InboxPage {
        layout: ctx.layout("Beoordeling"),
        calls: calls.into_iter().map(|c| (c.id, c.title)).collect(),
        call_id,
        query_string: query.query_string(call_id),
        query,
        counts,
        overdue_count,
        review_days,
        rows,
        total: found.total,
        page: found.page,
        pages: found.pages,
        regions,
        reviewers,
        is_admin: user.user.role == UserRole::Admin,
    })
}

#[derive(Debug, Deserialize)]
pub struct RecheckForm {
    #[serde(default)]
    pub oproep: String,
}

/// An admin runs the rules engine again over every dossier of a call (after an import of
/// figures or a merger), so the inbox's "rule findings" filter reflects today's data.
async fn recheck(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ctx: PageContext,
    Form(form): Form<RecheckForm>,
) -> Result<Response, AppError> {
    let (_, call_id) = calls_and_current(&ctx.reference, form.oproep.trim().parse().ok()).await?;
    if call_id == 0 {
        return Err(AppError::BadRequest(
            "Er is geen oproep om te controleren.".into(),
        ));
    }
    // The stored findings are a cache of the engine's verdict: each dossier's row is updated on
    // its own, so a long recheck never holds the write lock for the whole call.
    let summary = inbox::recheck_call(&state.db, call_id, Utc::now()).await?;
    audit::record(
        &state.db,
        AuditEntry::new("call.rules_rechecked", "call", Some(call_id.to_string()))
            .by(Some(user.user.id), user.label())
            .from_ip(ctx.ip.clone())
            .after(serde_json::json!({
                "checked": summary.checked,
                "with_failures": summary.with_failures,
                "with_warnings": summary.with_warnings,
            })),
    )
    .await?;
    Ok(redirect_with_flash(
        &format!("/beoordeling?oproep={call_id}"),
        &format!(
            "Regelcontrole uitgevoerd op {} dossier(s): {} met fouten, {} met waarschuwingen.",
            summary.checked, summary.with_failures, summary.with_warnings
        ),
        state.config.secure_cookies(),
    ))
}

// ------------------------------------------------------------------ review page

pub struct HistoryLine {
    pub at: String,
    pub who: String,
    pub what: String,
    pub details: String,
}

pub struct MessageLine {
    pub at: String,
    pub author: String,
    pub internal: bool,
    pub body: String,
}

pub struct DecisionActionLine {
    pub id: i64,
    pub code: String,
    pub title: String,
    pub requested: String,
    pub value: String,
}

pub struct VersionLine {
    pub sequence: i32,
    pub at: String,
    pub by: String,
    pub changes: Vec<ChangeLine>,
}

pub struct ChangeLine {
    pub path: String,
    pub before: String,
    pub after: String,
}

/// The criteria every reviewer assesses, with their stored codes.
pub const CRITERIA: [(&str, &str); 6] = [
    ("ontvankelijk", "Tijdig en volledig ingediend"),
    (
        "acties",
        "De acties passen in de oproep en bij hun doelstellingen",
    ),
    ("kpis", "De KPI's zijn meetbaar en realistisch"),
    ("begroting", "Begroting en cofinanciering kloppen"),
    (
        "bijlagen",
        "De bijlagen (beslissing, begroting) zijn in orde",
    ),
    (
        "samenwerking",
        "Samenwerking: elke deelnemer bevestigde (n.v.t. voor één gemeente)",
    ),
];

pub struct CriterionLine {
    pub code: &'static str,
    pub label: &'static str,
    /// "ok", "niet_ok" or "" (not assessed yet).
    pub value: String,
}

#[derive(Template)]
#[template(path = "review/review.html")]
pub struct ReviewPage {
    pub layout: Layout,
    pub view: FullView,
    pub state_label: &'static str,
    pub transitions: Vec<(String, &'static str)>,
    pub assigned: String,
    pub reviewers: Vec<(i64, String)>,
    pub is_admin: bool,
    /// Approved (fully or partly): the follow-up has started.
    pub followed: bool,
    pub history: Vec<HistoryLine>,
    pub messages: Vec<MessageLine>,
    pub decision_lines: Vec<DecisionActionLine>,
    pub changes: Vec<ChangeLine>,
    /// Every submission, oldest first, with what changed since the one before.
    pub versions: Vec<VersionLine>,
    pub submissions: usize,
    pub errors: FormErrors,
    pub motivation: String,
    pub criteria: Vec<CriterionLine>,
    pub checklist_version: i32,
}

/// Differences between two JSON snapshots, as "path: before → after" lines.
pub fn diff(
    before: &serde_json::Value,
    after: &serde_json::Value,
    path: &str,
    out: &mut Vec<ChangeLine>,
) {
    use serde_json::Value;
    match (before, after) {
        (Value::Object(a), Value::Object(b)) => {
            let mut keys: Vec<&String> = a.keys().chain(b.keys()).collect();
            keys.sort();
            keys.dedup();
            for k in keys {
                let p = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                diff(
                    a.get(k).unwrap_or(&Value::Null),
                    b.get(k).unwrap_or(&Value::Null),
                    &p,
                    out,
                );
            }
        }
        (Value::Array(a), Value::Array(b)) => {
            for i in 0..a.len().max(b.len()) {
                diff(
                    a.get(i).unwrap_or(&Value::Null),
                    b.get(i).unwrap_or(&Value::Null),
                    &format!("{path}[{}]", i + 1),
                    out,
                );
            }
        }
        (a, b) if a != b => out.push(ChangeLine {
            path: path.to_owned(),
            before: a.to_string(),
            after: b.to_string(),
        }),
        _ => {}
    }
}

async fn review_view(
    state: &AppState,
    user: &SessionUser,
    ctx: &PageContext,
    content: &DossierContent,
    errors: FormErrors,
    typed: app::review::DecisionInput,
) -> Result<Html<String>, AppError> {
    let db = &state.db;
    let app = &content.dossier.application;
    let report = content.report(db).await?;
    let transitions = workflow::available(
        crate::domain::workflow::DossierState::from(app.state),
        user.party(),
    )
    .into_iter()
    .map(|t| (t.code().to_owned(), t.label()))
    .collect();
    let users: Vec<app_user::Model> = app_user::Entity::find()
        .filter(app_user::Column::Role.ne(UserRole::Official))
        .all(db)
        .await?;
    let name_of = |id: Option<i64>| {
        id.and_then(|id| users.iter().find(|u| u.id == id))
            .map(|u| u.name.clone())
            .unwrap_or_default()
    };
    let history = audit_log::Entity::find()
        .filter(audit_log::Column::ResourceType.eq("application"))
        .filter(audit_log::Column::ResourceId.eq(app.id.to_string()))
        .order_by_desc(audit_log::Column::At)
        .order_by_desc(audit_log::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|e| HistoryLine {
            at: crate::domain::dutch::format_moment(e.at),
            who: e.actor_label,
            what: e.action,
            details: e.details.unwrap_or_default(),
        })
        .collect();
    let all_authors = app_user::Entity::find().all(db).await?;
    let messages = message::Entity::find()
        .filter(message::Column::ApplicationId.eq(app.id))
        .order_by_asc(message::Column::CreatedAt)
        .all(db)
        .await?
        .into_iter()
        .map(|m| MessageLine {
            at: crate::domain::dutch::format_moment(m.created_at),
            author: m
                .author_id
                .and_then(|id| all_authors.iter().find(|u| u.id == id))
                .map(|u| u.name.clone())
                .unwrap_or_default(),
            internal: m.internal,
            body: m.body,
        })
        .collect();
    let snapshots = application_snapshot::Entity::find()
        .filter(application_snapshot::Column::ApplicationId.eq(app.id))
        .order_by_asc(application_snapshot::Column::Sequence)
        .all(db)
        .await?;
    let parsed: Vec<serde_json::Value> = snapshots
        .iter()
        .map(|s| serde_json::from_str(&s.snapshot).unwrap_or_default())
        .collect();
    let mut versions: Vec<VersionLine> = snapshots
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let mut changes = Vec::new();
            if i > 0 {
                diff(&parsed[i - 1], &parsed[i], "", &mut changes);
            }
            VersionLine {
                sequence: s.sequence,
                at: crate::domain::dutch::format_moment(s.created_at),
                by: s
                    .created_by
                    .and_then(|id| all_authors.iter().find(|u| u.id == id))
                    .map(|u| u.name.clone())
                    .unwrap_or_default(),
                changes,
            }
        })
        .collect();
    let changes = versions
        .last_mut()
        .map(|v| std::mem::take(&mut v.changes))
        .unwrap_or_default();
    let stored = review::Entity::find()
        .filter(review::Column::ApplicationId.eq(app.id))
        .one(db)
        .await?;
    let values: std::collections::HashMap<String, String> = stored
        .as_ref()
        .and_then(|r| serde_json::from_str(&r.checklist).ok())
        .unwrap_or_default();
    let criteria = CRITERIA
        .iter()
        .map(|(code, label)| CriterionLine {
            code,
            label,
            value: values.get(*code).cloned().unwrap_or_default(),
        })
        .collect();
    render(&ReviewPage {
        criteria,
        checklist_version: stored.map(|r| r.version).unwrap_or(0),
        layout: ctx.layout(format!("Beoordeling {}", app.reference)),
        view: full_view(content, &report),
        state_label: crate::domain::workflow::DossierState::from(app.state).label(),
        transitions,
        assigned: name_of(app.assigned_reviewer_id),
        reviewers: users
            .iter()
            .filter(|u| u.active)
            .map(|u| (u.id, u.name.clone()))
            .collect(),
        followed: matches!(
            app.state,
            ApplicationState::Approved | ApplicationState::PartlyApproved
        ),
        is_admin: user.user.role == UserRole::Admin,
        history,
        messages,
        decision_lines: content
            .actions
            .iter()
            .map(|a| DecisionActionLine {
                id: a.row.id,
                code: a.action.code.clone(),
                title: a.action.title.clone(),
                requested: money(a.row.grant_cents),
                value: typed
                    .grants
                    .iter()
                    .find(|(id, _)| *id == a.row.id)
                    .map(|(_, text)| text.clone())
                    .unwrap_or_else(|| {
                        Cents::new(a.row.grant_cents)
                            .map(|c| c.to_plain_string())
                            .unwrap_or_default()
                    }),
            })
            .collect(),
        changes,
        versions,
        submissions: snapshots.len(),
        errors,
        motivation: typed.motivation,
    })
}

async fn load_review(
    state: &AppState,
    user: &SessionUser,
    id: &str,
    ip: Option<String>,
) -> Result<DossierContent, AppError> {
    let dossier = load_for(state, user, id, Action::ReviewDossier, ip).await?;
    Ok(drafts::load(&state.db, dossier).await?)
}

async fn review_page(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ctx: PageContext,
    Path(id): Path<String>,
) -> Result<Html<String>, AppError> {
    let content = load_review(&state, &user, &id, ctx.ip.clone()).await?;
    review_view(
        &state,
        &user,
        &ctx,
        &content,
        FormErrors::default(),
        app::review::DecisionInput::default(),
    )
    .await
}

#[derive(Debug, Deserialize)]
pub struct AssignForm {
    #[serde(default)]
    pub reviewer_id: String,
}

async fn assign(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ctx: PageContext,
    Path(id): Path<String>,
    Form(form): Form<AssignForm>,
) -> Result<Response, AppError> {
    let content = load_review(&state, &user, &id, ctx.ip.clone()).await?;
    let app = &content.dossier.application;
    // A reviewer takes a dossier; an admin may assign any active ABB colleague.
    let reviewer = match (user.user.role, form.reviewer_id.trim().parse::<i64>()) {
        (UserRole::Admin, Ok(rid)) => app_user::Entity::find_by_id(rid)
            .one(&state.db)
            .await?
            .filter(|u| u.active && u.role != UserRole::Official)
            .ok_or_else(|| AppError::BadRequest("Kies een beoordelaar van ABB.".into()))?,
        _ => user.user.clone(),
    };
    let txn = crate::db::begin_write(&state.db).await?;
    application::Entity::update_many()
        .col_expr(
            application::Column::AssignedReviewerId,
            Expr::value(Some(reviewer.id)),
        )
        .filter(application::Column::Id.eq(app.id))
        .exec(&txn)
        .await?;
    audit::record(
        &txn,
        AuditEntry::new(
            "application.assigned",
            "application",
            Some(app.id.to_string()),
        )
        .by(Some(user.user.id), user.label())
        .from_ip(ctx.ip.clone())
        .before(serde_json::json!({"assigned_reviewer_id": app.assigned_reviewer_id}))
        .after(serde_json::json!({"assigned_reviewer_id": reviewer.id})),
    )
    .await?;
    txn.commit().await?;
    Ok(redirect_with_flash(
        &format!("/beoordeling/{}", app.id),
        &format!("Toegewezen aan {}.", reviewer.name),
        state.config.secure_cookies(),
    ))
}

async fn start_review(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ctx: PageContext,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let content = load_review(&state, &user, &id, ctx.ip.clone()).await?;
    let app = &content.dossier.application;
    let txn = crate::db::begin_write(&state.db).await?;
    transition(
        &txn,
        app,
        Transition::StartReview,
        &user,
        ctx.ip.clone(),
        None,
    )
    .await?;
    if app.assigned_reviewer_id.is_none() {
        application::Entity::update_many()
            .col_expr(
                application::Column::AssignedReviewerId,
                Expr::value(Some(user.user.id)),
            )
            .filter(application::Column::Id.eq(app.id))
            .exec(&txn)
            .await?;
    }
    notify(
        &txn,
        &state,
        &content,
        "uw dossier is in beoordeling",
        "ABB neemt uw dossier in beoordeling.",
    )
    .await?;
    txn.commit().await?;
    state.mail_wakeup.notify_one();
    Ok(redirect_with_flash(
        &format!("/beoordeling/{}", app.id),
        "Het dossier is in beoordeling.",
        state.config.secure_cookies(),
    ))
}

#[derive(Debug, Deserialize)]
pub struct MessageForm {
    #[serde(default)]
    pub body: String,
    #[serde(default)]
    pub internal: Option<String>,
}

async fn post_message(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ctx: PageContext,
    Path(id): Path<String>,
    Form(form): Form<MessageForm>,
) -> Result<Response, AppError> {
    let content = load_review(&state, &user, &id, ctx.ip.clone()).await?;
    let app = &content.dossier.application;
    let body = form.body.trim();
    if body.is_empty() || body.chars().count() > 5000 {
        let mut errors = FormErrors::default();
        errors.add("body", "Schrijf een bericht van hoogstens 5000 tekens.");
        let page = review_view(
            &state,
            &user,
            &ctx,
            &content,
            errors,
            app::review::DecisionInput::default(),
        )
        .await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    let internal = form.internal.is_some();
    let txn = crate::db::begin_write(&state.db).await?;
    message::ActiveModel {
        application_id: Set(app.id),
        author_id: Set(Some(user.user.id)),
        internal: Set(internal),
        body: Set(body.to_owned()),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    audit::record(
        &txn,
        AuditEntry::new(
            if internal {
                "application.note"
            } else {
                "application.message"
            },
            "application",
            Some(app.id.to_string()),
        )
        .by(Some(user.user.id), user.label())
        .from_ip(ctx.ip.clone()),
    )
    .await?;
    if !internal {
        notify(
            &txn,
            &state,
            &content,
            "bericht van ABB",
            &format!("ABB stuurt u een bericht over uw dossier:\n\n{body}"),
        )
        .await?;
    }
    txn.commit().await?;
    state.mail_wakeup.notify_one();
    Ok(redirect_with_flash(
        &format!("/beoordeling/{}", app.id),
        if internal {
            "Interne notitie bewaard."
        } else {
            "Bericht verstuurd."
        },
        state.config.secure_cookies(),
    ))
}

/// Saves the reviewer's checklist (one per dossier, shared by ABB), if nobody saved it since
/// `version` was read (0: not saved yet).
async fn save_checklist(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ctx: PageContext,
    Path(id): Path<String>,
    RawForm(raw): RawForm,
) -> Result<Response, AppError> {
    let content = load_review(&state, &user, &id, ctx.ip.clone()).await?;
    let app = &content.dossier.application;
    let pairs = form_urlencoded_pairs(&raw);
    let version: i32 = pairs
        .iter()
        .find(|(k, _)| k == "version")
        .and_then(|(_, v)| v.trim().parse().ok())
        .unwrap_or(-1);
    let values: std::collections::BTreeMap<String, String> = CRITERIA
        .iter()
        .map(|(code, _)| {
            let value = pairs
                .iter()
                .find(|(k, _)| k == code)
                .map(|(_, v)| v.as_str())
                .filter(|v| matches!(*v, "ok" | "niet_ok"))
                .unwrap_or("")
                .to_owned();
            ((*code).to_owned(), value)
        })
        .collect();
    let checklist = serde_json::to_string(&values).map_err(AppError::internal)?;
    let now = Utc::now();
    let txn = crate::db::begin_write(&state.db).await?;
    let existing = review::Entity::find()
        .filter(review::Column::ApplicationId.eq(app.id))
        .one(&txn)
        .await?;
    let saved = match (&existing, version) {
        (None, 0) => {
            review::ActiveModel {
                application_id: Set(app.id),
                reviewer_id: Set(user.user.id),
                checklist: Set(checklist.clone()),
                internal_note: Set(None),
                created_at: Set(now),
                updated_at: Set(now),
                version: Set(1),
                ..Default::default()
            }
            .insert(&txn)
            .await?;
            true
        }
        (Some(r), v) => {
            review::Entity::update_many()
                .col_expr(review::Column::Checklist, Expr::value(checklist.clone()))
                .col_expr(review::Column::ReviewerId, Expr::value(user.user.id))
                .col_expr(review::Column::UpdatedAt, Expr::value(now))
                .col_expr(review::Column::Version, Expr::value(v + 1))
                .filter(review::Column::Id.eq(r.id))
                .filter(review::Column::Version.eq(v))
                .exec(&txn)
                .await?
                .rows_affected
                == 1
        }
        (None, _) => false,
    };
    if !saved {
        txn.rollback().await?;
        let mut errors = FormErrors::default();
        errors.add(
            "checklist",
            "Iemand anders bewaarde de checklist intussen. Bekijk de huidige stand en bewaar opnieuw.",
        );
        let page = review_view(
            &state,
            &user,
            &ctx,
            &content,
            errors,
            app::review::DecisionInput::default(),
        )
        .await?;
        return Ok((StatusCode::CONFLICT, page).into_response());
    }
    audit::record(
        &txn,
        AuditEntry::new(
            "application.checklist",
            "application",
            Some(app.id.to_string()),
        )
        .by(Some(user.user.id), user.label())
        .from_ip(ctx.ip.clone())
        .before(
            existing
                .and_then(|r| serde_json::from_str(&r.checklist).ok())
                .unwrap_or(serde_json::Value::Null),
        )
        .after(serde_json::from_str(&checklist).unwrap_or(serde_json::Value::Null)),
    )
    .await?;
    txn.commit().await?;
    Ok(redirect_with_flash(
        &format!("/beoordeling/{}", app.id),
        "Checklist bewaard.",
        state.config.secure_cookies(),
    ))
}

/// The sections a change request can reopen, as stored and as shown.
pub const SECTIONS: [(&str, &str); 5] = [
    ("algemeen", "Algemene gegevens"),
    ("acties", "Acties en KPI's"),
    ("bijlagen", "Bijlagen"),
    ("verklaringen", "Verklaringen"),
    ("leden", "Deelnemende gemeenten"),
];

async fn request_changes(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ctx: PageContext,
    Path(id): Path<String>,
    RawForm(raw): RawForm,
) -> Result<Response, AppError> {
    let content = load_review(&state, &user, &id, ctx.ip.clone()).await?;
    let app = &content.dossier.application;
    let pairs: Vec<(String, String)> = form_urlencoded_pairs(&raw);
    let sections: Vec<String> = pairs
        .iter()
        .filter(|(k, _)| k == "sections")
        .map(|(_, v)| v.clone())
        .filter(|v| SECTIONS.iter().any(|(code, _)| code == v))
        .collect();
    let message_text = pairs
        .iter()
        .find(|(k, _)| k == "message")
        .map(|(_, v)| v.trim().to_owned())
        .unwrap_or_default();
    let mut errors = FormErrors::default();
    if sections.is_empty() {
        errors.add(
            "sections",
            "Kies de onderdelen die de gemeente moet aanpassen.",
        );
    }
    if message_text.is_empty() {
        errors.add("message", "Leg uit wat er aangepast moet worden.");
    }
    if !errors.is_empty() {
        let page = review_view(
            &state,
            &user,
            &ctx,
            &content,
            errors,
            app::review::DecisionInput::default(),
        )
        .await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    let txn = crate::db::begin_write(&state.db).await?;
    transition(
        &txn,
        app,
        Transition::RequestChanges,
        &user,
        ctx.ip.clone(),
        Some(message_text.clone()),
    )
    .await?;
    change_request::ActiveModel {
        application_id: Set(app.id),
        requested_by: Set(user.user.id),
        sections: Set(serde_json::to_string(&sections).unwrap_or_default()),
        message: Set(message_text.clone()),
        requested_at: Set(Utc::now()),
        resolved_at: Set(None),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let names: Vec<&str> = SECTIONS
        .iter()
        .filter(|(c, _)| sections.iter().any(|s| s == c))
        .map(|(_, n)| *n)
        .collect();
    notify(
        &txn,
        &state,
        &content,
        "ABB vraagt aanpassingen",
        &format!("ABB vraagt aanpassingen aan: {}.\n\n{message_text}\n\nPas die onderdelen aan en dien het dossier opnieuw in.", names.join(", ")),
    )
    .await?;
    txn.commit().await?;
    state.mail_wakeup.notify_one();
    Ok(redirect_with_flash(
        &format!("/beoordeling/{}", app.id),
        "De gemeente kreeg de vraag om aanpassingen.",
        state.config.secure_cookies(),
    ))
}

pub use crate::store::change_requests::{open as open_change_request, reopened_parts};

/// While ABB asked for changes, only the named sections can be changed (the rule:
/// [`crate::domain::parts::may_change`], through [`crate::app::ensure_part_open`]).
pub async fn ensure_section_open<C: ConnectionTrait>(
    db: &C,
    app: &application::Model,
    section: &str,
) -> Result<(), AppError> {
    let part = Part::from_code(section).ok_or(AppError::NotFound)?;
    Ok(crate::app::ensure_part_open(db, app, part).await?)
}

/// Adapter: the decision form → [`app::review::decide`] → the review page with the dossier's
/// new state, or the form again with its messages and everything that was typed.
async fn decide(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    caller: Caller,
    ctx: PageContext,
    Id(id): Id,
    RawForm(raw): RawForm,
) -> Result<Response, AppError> {
    let input = decision_input(&raw);
    match app::review::decide(&state, &caller, id, input.clone()).await {
        Ok(decided) => Ok(FlashRedirect::new(
            format!("/beoordeling/{id}"),
            format!("Beslissing bewaard: {}.", decided.outcome.label()),
        )
        .into_response()),
        Err(app::Error::Invalid(errors)) => {
            let content = load_review(&state, &user, &id.to_string(), ctx.ip.clone()).await?;
            let page = review_view(&state, &user, &ctx, &content, errors, input).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(other) => Err(other.into()),
    }
}

/// The decision form as typed: `outcome` (approve/reject), `motivation`, `grant_{action}`.
fn decision_input(raw: &[u8]) -> app::review::DecisionInput {
    let pairs = form_urlencoded_pairs(raw);
    let field = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim().to_owned())
            .unwrap_or_default()
    };
    app::review::DecisionInput {
        verdict: match field("outcome").as_str() {
            "approve" => Some(Verdict::Approve),
            "reject" => Some(Verdict::Reject),
            _ => None,
        },
        motivation: field("motivation"),
        grants: pairs
            .iter()
            .filter_map(|(k, v)| {
                k.strip_prefix("grant_")
                    .and_then(|id| id.parse::<i64>().ok())
                    .map(|id| (id, v.trim().to_owned()))
            })
            .collect(),
    }
}

#[derive(Debug, Deserialize)]
pub struct ReopenForm {
    #[serde(default)]
    pub reason: String,
}

/// Adapter: the reopen form → [`app::review::reopen`].
async fn reopen(
    State(state): State<AppState>,
    caller: Caller,
    Id(id): Id,
    Form(form): Form<ReopenForm>,
) -> Result<Response, AppError> {
    app::review::reopen(&state, &caller, id, &form.reason).await?;
    Ok(
        FlashRedirect::new(format!("/beoordeling/{id}"), "De beslissing is heropend.")
            .into_response(),
    )
}

// ------------------------------------------------------------------ decision letter

pub struct LetterLine {
    pub code: String,
    pub title: String,
    pub year: i32,
    pub requested: String,
    pub granted: String,
}

#[derive(Template)]
#[template(path = "review/letter.html")]
pub struct LetterPage {
    pub layout: Layout,
    pub reference: String,
    pub title: String,
    pub lead: String,
    pub call_title: String,
    pub outcome: &'static str,
    pub decided_at: String,
    pub motivation: String,
    pub lines: Vec<LetterLine>,
    pub incentive: String,
    pub total: String,
    pub reopened: bool,
}

async fn letter(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ctx: PageContext,
    Path(id): Path<String>,
) -> Result<Html<String>, AppError> {
    let dossier = load_for(&state, &user, &id, Action::ViewDossier, ctx.ip.clone()).await?;
    let content = drafts::load(&state.db, dossier).await?;
    let app = &content.dossier.application;
    let found = decision::Entity::find()
        .filter(decision::Column::ApplicationId.eq(app.id))
        .order_by_desc(decision::Column::Id)
        .one(&state.db)
        .await?
        .ok_or(AppError::NotFound)?;
    let lines = decision_line::Entity::find()
        .filter(decision_line::Column::DecisionId.eq(found.id))
        .order_by_asc(decision_line::Column::YearNumber)
        .order_by_asc(decision_line::Column::ApplicationActionId)
        .all(&state.db)
        .await?
        .into_iter()
        .filter_map(|l| {
            let a = content
                .actions
                .iter()
                .find(|a| a.row.id == l.application_action_id)?;
            Some(LetterLine {
                code: a.action.code.clone(),
                title: a.action.title.clone(),
                year: l.year_number,
                requested: money(a.row.grant_cents),
                granted: money(l.granted_cents),
            })
        })
        .collect();
    render(&LetterPage {
        layout: ctx.layout(format!("Beslissing {}", app.reference)),
        reference: app.reference.clone(),
        title: app.title.clone(),
        lead: content.dossier.lead_name.clone(),
        call_title: content.call.call.title.clone(),
        outcome: match found.outcome {
            DecisionOutcome::Approved => "goedgekeurd",
            DecisionOutcome::PartlyApproved => "gedeeltelijk goedgekeurd",
            DecisionOutcome::Rejected => "afgewezen",
        },
        decided_at: crate::domain::dutch::format_moment_day(found.decided_at),
        motivation: found.motivation,
        lines,
        incentive: money(found.incentive_cents),
        total: money(found.total_granted_cents),
        reopened: found.reopened_at.is_some(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_stored_state_maps_to_the_state_machine_and_back() {
        for s in DossierState::ALL {
            assert_eq!(
                crate::domain::workflow::DossierState::from(ApplicationState::from(s)),
                s
            );
            assert_eq!(
                parse_state(state_code(ApplicationState::from(s))),
                Some(ApplicationState::from(s))
            );
        }
    }

    #[test]
    fn the_inbox_query_becomes_a_typed_filter_and_unknown_values_filter_nothing() {
        let query = InboxQuery {
            status: "in_review".into(),
            provincie: " Limburg ".into(),
            toegewezen: "7".into(),
            bevindingen: "1".into(),
            sorteer: "referentie".into(),
            ..Default::default()
        };
        let filter = query.filter(3, 42);
        assert_eq!(filter.call_id, 3);
        assert_eq!(filter.state, Some(ApplicationState::InReview));
        assert_eq!(filter.province.as_deref(), Some("Limburg"));
        assert_eq!(filter.assignment, Assignment::To(7));
        assert!(filter.with_rule_findings && !filter.overdue);
        assert_eq!(filter.sort, InboxSort::Reference);
        let mine = InboxQuery {
            toegewezen: "mij".into(),
            status: "onzin".into(),
            ..Default::default()
        }
        .filter(3, 42);
        assert_eq!(mine.assignment, Assignment::To(42));
        assert_eq!(mine.state, None);
        assert_eq!(
            InboxQuery::default().filter(3, 42).assignment,
            Assignment::Anyone
        );
    }

    #[test]
    fn rule_findings_are_counted_in_words() {
        assert_eq!(findings_label(0, 0), "");
        assert_eq!(findings_label(1, 0), "1 fout");
        assert_eq!(findings_label(2, 1), "2 fouten, 1 waarschuwing");
        assert_eq!(findings_label(0, 3), "3 waarschuwingen");
    }

    #[test]
    fn the_diff_between_two_submissions_names_what_changed() {
        let a = serde_json::json!({"title": "A", "actions": [{"planned_reach": 1}]});
        let b = serde_json::json!({"title": "A", "actions": [{"planned_reach": 2}]});
        let mut out = Vec::new();
        diff(&a, &b, "", &mut out);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].path, "actions[1].planned_reach");
        assert_eq!((out[0].before.as_str(), out[0].after.as_str()), ("1", "2"));
    }

    #[test]
    fn repeated_form_fields_are_all_read() {
        let pairs =
            form_urlencoded_pairs(b"sections=algemeen&sections=acties&message=Graag+aanpassen%21");
        assert_eq!(pairs.iter().filter(|(k, _)| k == "sections").count(), 2);
        assert_eq!(pairs[2].1, "Graag aanpassen!");
    }
}
