//! ABB's side: the reviewer inbox, the review page with the rule engine's results, internal
//! notes and messages, change requests on named sections, decisions with amounts per action,
//! reopening by an admin (the letter: `web::decision`). Every handler is an adapter: the commands of
//! [`crate::app::review`] own the policy, the state machine, the audit entries and the mails;
//! the pages read through [`crate::store`].

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DbErr};
use serde::Deserialize;

use entity::app_user::UserRole;
use entity::application::{self, ApplicationState};

use crate::app::{self, Caller};
use crate::auth::csrf::form_urlencoded_pairs;
use crate::domain::Cents;
use crate::domain::changes::{self, ChangeGroup};
use crate::domain::checklist::CRITERIA;
use crate::domain::decision::Verdict;
use crate::domain::history;
use crate::domain::paging::Page;
use crate::domain::parts::Part;
use crate::domain::workflow::{self, DossierState};
use crate::error::AppError;
use crate::policy::Action;
use crate::state::AppState;
use crate::store::calls::CallChoice;
use crate::store::drafts::DossierContent;
use crate::store::inbox::{self, Assignment, InboxFilter, InboxSort};
use crate::store::reference_cache::Reference;
use crate::web::context::PageContext;
use crate::web::extract::{FlashRedirect, Id};
use crate::web::filters;
use crate::web::form::FormErrors;
use crate::web::form::{Form, Query, RawForm};
use crate::web::full_view::{FullView, full_view};
use crate::web::pages::{Layout, render};
use crate::web::routes::{ADMINS, STAFF};
use crate::web::{BodyLimit, RouteTable};

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
}

fn is_admin(caller: &Caller) -> bool {
    caller
        .user
        .as_ref()
        .is_some_and(|u| u.role == UserRole::Admin)
}

/// The redirect to the review page of dossier `id` with `message`.
fn back(id: i64, message: impl Into<String>) -> Response {
    FlashRedirect::new(format!("/beoordeling/{id}"), message).into_response()
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
    pub submitted: Option<DateTime<Utc>>,
    pub due: Option<DateTime<Utc>>,
    pub overdue: bool,
    /// "2 fouten, 1 waarschuwing", or empty.
    pub findings: String,
    pub reviewer: String,
    /// While ABB waits for changes: the day it expects the answer, and whether it passed.
    pub answer_due: Option<chrono::NaiveDate>,
    pub answer_overdue: bool,
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
    /// The reviewer's saved filters, by name.
    pub saved: Vec<entity::saved_filter::Model>,
    /// The name typed to save the current filters under (kept when refused).
    pub filter_name: String,
    pub errors: FormErrors,
    /// Proposals waiting for a second person (four eyes).
    pub to_confirm: Vec<crate::web::four_eyes::ToConfirmLine>,
}

const PAGE_SIZE: u64 = 50;

fn parse_state(code: &str) -> Option<ApplicationState> {
    DossierState::from_code(code).map(ApplicationState::from)
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

/// The number of dossiers per state (drafts left out), in the order of the state machine.
fn state_counts(stored: &[(ApplicationState, u64)]) -> Vec<StateCount> {
    DossierState::ALL
        .into_iter()
        .skip(1)
        .map(|s| StateCount {
            code: s.code(),
            label: s.label(),
            count: stored
                .iter()
                .find(|(x, _)| DossierState::from(*x) == s)
                .map(|(_, n)| *n)
                .unwrap_or(0),
        })
        .collect()
}

/// A row of the inbox at `now`.
fn inbox_line(r: inbox::InboxRow, now: DateTime<Utc>) -> InboxLine {
    let today = crate::domain::time::brussels_date(now);
    InboxLine {
        answer_due: r.answer_due_on,
        answer_overdue: r
            .answer_due_on
            .is_some_and(|due| crate::domain::messages::Standing::on(due, today).is_overdue()),
        id: r.id,
        state_label: DossierState::from(r.state).label(),
        submitted: r.submitted_at,
        due: r.review_due_at,
        overdue: r.overdue,
        findings: findings_label(r.rule_failures, r.rule_warnings),
        reviewer: r.reviewer.unwrap_or_else(|| "niemand".into()),
        reference: r.reference,
        title: r.title,
        lead: r.lead,
        province: r.province,
    }
}

async fn inbox(
    State(state): State<AppState>,
    caller: Caller,
    ctx: PageContext,
    Query(query): Query<InboxQuery>,
) -> Result<Html<String>, AppError> {
    inbox_view(
        &state,
        &caller,
        &ctx,
        query,
        String::new(),
        FormErrors::default(),
    )
    .await
}

/// The inbox for `query`, with the reviewer's saved filters and the form to save the current
/// ones (holding `filter_name` and its `errors` when saving was refused).
pub async fn inbox_view(
    state: &AppState,
    caller: &Caller,
    ctx: &PageContext,
    query: InboxQuery,
    filter_name: String,
    errors: FormErrors,
) -> Result<Html<String>, AppError> {
    let db = &state.db;
    let (calls, call_id) = calls_and_current(&ctx.reference, query.oproep).await?;
    let filter = query.filter(call_id, caller.user_id().unwrap_or_default());
    let current = calls.iter().find(|c| c.id == call_id);
    let term = current
        .map(|c| inbox::term_of(c.review_days))
        .unwrap_or_default();
    let (stored, overdue_count) = inbox::counts(db, call_id, term, caller.now).await?;
    let reviewers = crate::store::review::reviewers(db).await?;
    let request = inbox::PageRequest {
        number: query.pagina,
        size: PAGE_SIZE,
    };
    let (reference, now) = (&ctx.reference, caller.now);
    let found = inbox::page(db, reference, &reviewers, &filter, term, now, request).await?;
    let regions = ctx.reference.regions().await?;
    let to_confirm = crate::web::four_eyes::to_confirm(state, caller).await?;
    render(&InboxPage {
        to_confirm,
        layout: ctx.layout("Beoordeling"),
        review_days: current.map(|c| c.review_days).unwrap_or(0),
        calls: calls.into_iter().map(|c| (c.id, c.title)).collect(),
        call_id,
        query_string: query.query_string(call_id),
        query,
        counts: state_counts(&stored),
        overdue_count,
        rows: found.rows.into_iter().map(|r| inbox_line(r, now)).collect(),
        total: found.total,
        page: found.page,
        pages: found.pages,
        regions: regions
            .iter()
            .map(|r| (r.code.clone(), r.name.clone()))
            .collect(),
        reviewers,
        is_admin: is_admin(caller),
        saved: crate::app::saved_filters::mine(state, caller).await?,
        filter_name,
        errors,
    })
}

#[derive(Debug, Deserialize)]
pub struct RecheckForm {
    #[serde(default)]
    pub oproep: String,
}

/// Adapter: an admin runs the rules engine again over every dossier of a call
/// ([`app::review::recheck`]).
async fn recheck(
    State(state): State<AppState>,
    caller: Caller,
    ctx: PageContext,
    Form(form): Form<RecheckForm>,
) -> Result<Response, AppError> {
    let (_, call_id) = calls_and_current(&ctx.reference, form.oproep.trim().parse().ok()).await?;
    if call_id == 0 {
        return Err(AppError::BadRequest(
            "Er is geen oproep om te controleren.".into(),
        ));
    }
    let summary = app::review::recheck(&state, &caller, call_id).await?;
    Ok(FlashRedirect::new(
        format!("/beoordeling?oproep={call_id}"),
        format!(
            "Regelcontrole uitgevoerd op {}: {} met fouten, {} met waarschuwingen.",
            crate::domain::dutch::counted(
                u64::try_from(summary.checked).unwrap_or(0),
                "dossier",
                "dossiers"
            ),
            summary.with_failures,
            summary.with_warnings
        ),
    )
    .into_response())
}

// ------------------------------------------------------------------ review page

pub struct HistoryLine {
    pub at: DateTime<Utc>,
    pub who: String,
    /// The Dutch label of the audit action ([`history::label`]).
    pub what: &'static str,
    pub details: String,
}

pub struct MessageLine {
    pub at: DateTime<Utc>,
    pub author: String,
    pub internal: bool,
    /// Written by the municipality (an answer to ABB).
    pub from_applicant: bool,
    pub body: String,
}

pub struct DecisionActionLine {
    pub id: i64,
    pub code: String,
    pub title: String,
    pub requested: i64,
    /// What the field holds: what was typed, or else the proposal.
    pub value: String,
    /// The proposal comes from the confirmed allocation (not from the request).
    pub from_allocation: bool,
}

pub struct VersionLine {
    pub sequence: i32,
    pub at: DateTime<Utc>,
    pub by: String,
    /// What changed since the submission before, by section.
    pub changes: Vec<ChangeGroup>,
    /// The municipality's note on what it changed.
    pub cover_note: Option<String>,
}

impl VersionLine {
    /// How many changes, over every section.
    pub fn change_count(&self) -> usize {
        self.changes.iter().map(|g| g.changes.len()).sum()
    }
}

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
    /// Members taken in during a later round, as a Dutch sentence (empty when none), and the
    /// incentive of each project year a decision would grant with them.
    pub late_members: String,
    pub incentive_by_year: Vec<(i32, Cents)>,
    /// Some proposed grant comes from the confirmed allocation (the form says so).
    pub from_allocation: bool,
    pub changes: Vec<ChangeGroup>,
    /// Every submission, oldest first, with what changed since the one before.
    pub versions: Vec<VersionLine>,
    pub submissions: usize,
    pub errors: FormErrors,
    pub motivation: String,
    pub criteria: Vec<CriterionLine>,
    pub checklist_version: i32,
    /// The decision proposed and waiting for a second person (four eyes), if one waits.
    pub pending: Option<crate::web::four_eyes::PendingDecision>,
    /// Above this amount another member of ABB confirms the decision (0: always).
    pub four_eyes_threshold: i64,
    /// Who proposed and who confirmed the standing decision (four eyes).
    pub decision_signatures: Option<String>,
    /// The change request form and the open request's deadline (issue 22).
    pub change: ChangeRequestView,
}

/// The change request on the review page: the form as typed (or its defaults) and, while the
/// dossier waits for changes, the day ABB expects the answer.
#[derive(Default)]
pub struct ChangeRequestView {
    pub parts: Vec<String>,
    pub message: String,
    /// "Antwoord verwacht uiterlijk", as typed or the default (`2026-12-20`, as a date field
    /// holds it).
    pub answer_due: String,
    /// "Antwoord verwacht uiterlijk 20 december 2026 (nog 3 dagen)" of the open request.
    pub open_due: Option<String>,
    pub overdue: bool,
    /// The latest submission's cover note (shown above the changes).
    pub cover_note: Option<String>,
}

impl ChangeRequestView {
    pub fn has_part(&self, code: &str) -> bool {
        self.parts.iter().any(|p| p == code)
    }

    /// The form as typed in `input` (none: empty, with the default deadline on `today`).
    fn typed(input: Option<app::review::ChangeRequestInput>, today: chrono::NaiveDate) -> Self {
        let input = input.unwrap_or_default();
        let answer_due = if input.answer_due.trim().is_empty() {
            crate::domain::messages::default_answer_due(today)
                .format("%Y-%m-%d")
                .to_string()
        } else {
            input.answer_due
        };
        Self {
            parts: input.parts,
            message: input.message,
            answer_due,
            ..Self::default()
        }
    }
}

/// Every submission with what changed since the one before.
/// Actions are named by their code and the title in `content`.
fn versions(
    submissions: Vec<crate::store::review::Submission>,
    content: &DossierContent,
) -> Vec<VersionLine> {
    let title_of = |code: &str| {
        content
            .actions
            .iter()
            .find(|a| a.action.code == code)
            .map(|a| a.action.title.clone())
    };
    let mut previous: Option<serde_json::Value> = None;
    submissions
        .into_iter()
        .map(|s| {
            let changes = previous
                .as_ref()
                .map(|before| changes::between(before, &s.snapshot, &title_of))
                .unwrap_or_default();
            previous = Some(s.snapshot);
            VersionLine {
                sequence: s.sequence,
                at: s.at,
                by: s.by,
                changes,
                cover_note: s.cover_note,
            }
        })
        .collect()
}

/// The checklist's criteria with their stored marks.
fn criteria(checklist: Option<&entity::review::Model>) -> Vec<CriterionLine> {
    let values: std::collections::HashMap<String, String> = checklist
        .and_then(|r| serde_json::from_str(&r.checklist).ok())
        .unwrap_or_default();
    CRITERIA
        .iter()
        .map(|(code, label)| CriterionLine {
            code,
            label,
            value: values.get(*code).cloned().unwrap_or_default(),
        })
        .collect()
}

/// The grant fields of the decision form: what was typed, or else the proposal (the confirmed
/// allocation, or the request: [`app::review::proposals`]).
fn decision_lines(
    content: &DossierContent,
    typed: &app::review::DecisionInput,
    proposals: &[(i64, crate::domain::decision::Proposal)],
) -> Vec<DecisionActionLine> {
    content
        .actions
        .iter()
        .map(|a| {
            let proposal = proposals
                .iter()
                .find(|(id, _)| *id == a.row.id)
                .map(|p| p.1);
            DecisionActionLine {
                id: a.row.id,
                code: a.action.code.clone(),
                title: a.action.title.clone(),
                requested: a.row.grant_cents,
                from_allocation: proposal.is_some_and(|p| p.from_allocation),
                value: typed
                    .grants
                    .iter()
                    .find(|(id, _)| *id == a.row.id)
                    .map(|(_, text)| text.clone())
                    .unwrap_or_else(|| {
                        proposal
                            .map(|p| p.amount)
                            .or_else(|| Cents::new(a.row.grant_cents))
                            .map(|c| c.to_plain_string())
                            .unwrap_or_default()
                    }),
            }
        })
        .collect()
}

/// The name of the reviewer the dossier is assigned to (empty when none).
fn assigned_name(staff: &[crate::store::review::Staff], assigned: Option<i64>) -> String {
    assigned
        .and_then(|id| staff.iter().find(|u| u.id == id))
        .map(|u| u.name.clone())
        .unwrap_or_default()
}

fn history_line(e: entity::audit_log::Model) -> HistoryLine {
    HistoryLine {
        at: e.at,
        who: e.actor_label,
        what: history::label(&e.action),
        details: e.details.unwrap_or_default(),
    }
}

fn message_line(m: crate::store::review::MessageRow) -> MessageLine {
    MessageLine {
        at: m.at,
        author: m.author,
        internal: m.internal,
        from_applicant: m.from_applicant,
        body: m.body,
    }
}

/// Every submission with its changes, and the changes of the latest one taken out (the page
/// shows them on top).
fn versions_and_latest(
    submissions: Vec<crate::store::review::Submission>,
    content: &DossierContent,
) -> (Vec<VersionLine>, Vec<ChangeGroup>) {
    let mut all = versions(submissions, content);
    let latest = all
        .last_mut()
        .map(|v| std::mem::take(&mut v.changes))
        .unwrap_or_default();
    (all, latest)
}

/// The review page of `content` for `caller`, with the form's `errors` and what was `typed`.
async fn review_view(
    state: &AppState,
    caller: &Caller,
    ctx: &PageContext,
    content: &DossierContent,
    errors: FormErrors,
    typed: app::review::DecisionInput,
) -> Result<Html<String>, AppError> {
    review_view_with(state, caller, ctx, content, errors, typed, None).await
}

/// The open change request's deadline and the latest cover note of `content`, with the change
/// request form as `typed`.
async fn change_view(
    state: &AppState,
    caller: &Caller,
    content: &DossierContent,
    typed: Option<app::review::ChangeRequestInput>,
    latest: Option<&crate::store::review::Submission>,
) -> Result<ChangeRequestView, AppError> {
    let today = crate::domain::time::brussels_date(caller.now);
    let mut view = ChangeRequestView::typed(typed, today);
    let app = &content.dossier.application;
    if let Some(cr) = open_change_request(&state.db, app.id).await?
        && app.state == ApplicationState::ChangesRequested
        && let Some(due) = cr.answer_due_on
    {
        view.open_due = Some(crate::domain::messages::due_sentence(due, today));
        view.overdue = crate::domain::messages::Standing::on(due, today).is_overdue();
    }
    view.cover_note = latest.and_then(|s| s.cover_note.clone());
    Ok(view)
}

/// The members a cooperation took in during a later round: "Bornem neemt deel vanaf
/// projectjaar 2." (empty when there are none).
fn late_members(content: &DossierContent) -> String {
    content
        .late_members
        .iter()
        .map(|(nis, year)| {
            let name = content
                .dossier
                .member_names
                .iter()
                .zip(content.member_nis.iter())
                .find(|(_, n)| *n == nis)
                .map_or_else(|| nis.to_string(), |(name, _)| name.clone());
            format!("{name} neemt deel vanaf projectjaar {year}.")
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// [`review_view`] with the change request form as `change` typed it. The records come from
/// [`crate::store::review::records`]; this only arranges them.
// Longer than 50 lines: one struct literal fills every part of the review page (its records,
// the decision's proposals, the change request); each part is arranged by its own function.
async fn review_view_with(
    state: &AppState,
    caller: &Caller,
    ctx: &PageContext,
    content: &DossierContent,
    errors: FormErrors,
    typed: app::review::DecisionInput,
    change: Option<app::review::ChangeRequestInput>,
) -> Result<Html<String>, AppError> {
    let app = &content.dossier.application;
    let report = content.report_cached(&state.db, &ctx.reference).await?;
    let records = crate::store::review::records(&state.db, app.id).await?;
    let dossier_state = DossierState::from(app.state);
    let submissions = records.submissions.len();
    let change = change_view(state, caller, content, change, records.submissions.last()).await?;
    let (versions, changes) = versions_and_latest(records.submissions, content);
    let staff = &records.staff;
    let proposals = app::review::proposals(state, content).await?;
    render(&ReviewPage {
        decision_signatures: standing_signatures(state, app.id).await?,
        pending: crate::web::four_eyes::pending_decision(state, caller, content).await?,
        four_eyes_threshold: content.call.call.four_eyes_threshold_cents,
        criteria: criteria(records.checklist.as_ref()),
        checklist_version: records.checklist.as_ref().map(|r| r.version).unwrap_or(0),
        layout: ctx.layout(format!("Beoordeling {}", app.reference)),
        view: full_view(content, &report),
        state_label: dossier_state.label(),
        transitions: workflow::available(dossier_state, caller.party())
            .into_iter()
            .map(|t| (t.code().to_owned(), t.label()))
            .collect(),
        assigned: assigned_name(staff, app.assigned_reviewer_id),
        reviewers: staff
            .iter()
            .filter(|u| u.active)
            .map(|u| (u.id, u.name.clone()))
            .collect(),
        followed: matches!(
            app.state,
            ApplicationState::Approved | ApplicationState::PartlyApproved
        ),
        is_admin: is_admin(caller),
        history: records.history.into_iter().map(history_line).collect(),
        messages: records.messages.into_iter().map(message_line).collect(),
        from_allocation: proposals.iter().any(|(_, p)| p.from_allocation),
        decision_lines: decision_lines(content, &typed, &proposals),
        late_members: late_members(content),
        incentive_by_year: if content.late_members.is_empty() {
            Vec::new()
        } else {
            content.incentive_by_year(&state.db).await?
        },
        changes,
        versions,
        submissions,
        errors,
        motivation: typed.motivation,
        change,
    })
}

/// The review page again with `errors` (answered with `status`).
async fn review_again(
    state: &AppState,
    caller: &Caller,
    ctx: &PageContext,
    id: i64,
    status: StatusCode,
    errors: FormErrors,
    typed: app::review::DecisionInput,
) -> Result<Response, AppError> {
    let content = app::dossier_for(state, caller, id, Action::ReviewDossier).await?;
    let page = review_view(state, caller, ctx, &content, errors, typed).await?;
    Ok((status, page).into_response())
}

async fn review_page(
    State(state): State<AppState>,
    caller: Caller,
    ctx: PageContext,
    Id(id): Id,
) -> Result<Html<String>, AppError> {
    let content =
        app::dossier_for_reading(&state, &caller, id, Action::ReviewDossier, &ctx.reference)
            .await?;
    let typed = app::review::DecisionInput::default();
    review_view(
        &state,
        &caller,
        &ctx,
        &content,
        FormErrors::default(),
        typed,
    )
    .await
}

#[derive(Debug, Deserialize)]
pub struct AssignForm {
    #[serde(default)]
    pub reviewer_id: String,
}

/// Adapter: [`app::review::assign`]; a reviewer who is not an active ABB colleague is a bad
/// request.
async fn assign(
    State(state): State<AppState>,
    caller: Caller,
    Id(id): Id,
    Form(form): Form<AssignForm>,
) -> Result<Response, AppError> {
    let reviewer = form.reviewer_id.trim().parse::<i64>().ok();
    match app::review::assign(&state, &caller, id, reviewer).await {
        Ok(name) => Ok(back(id, format!("Toegewezen aan {name}."))),
        Err(app::Error::Invalid(errors)) => Err(AppError::BadRequest(
            errors
                .items
                .first()
                .map(|e| e.message.clone())
                .unwrap_or_default(),
        )),
        Err(other) => Err(other.into()),
    }
}

/// Adapter: [`app::review::start`].
async fn start_review(
    State(state): State<AppState>,
    caller: Caller,
    Id(id): Id,
) -> Result<Response, AppError> {
    app::review::start(&state, &caller, id).await?;
    Ok(back(id, "Het dossier is in beoordeling."))
}

#[derive(Debug, Deserialize)]
pub struct MessageForm {
    #[serde(default)]
    pub body: String,
    #[serde(default)]
    pub internal: Option<String>,
}

/// Adapter: [`app::review::write`]; the page again (422) when the message cannot stand.
async fn post_message(
    State(state): State<AppState>,
    caller: Caller,
    ctx: PageContext,
    Id(id): Id,
    Form(form): Form<MessageForm>,
) -> Result<Response, AppError> {
    let internal = form.internal.is_some();
    let input = app::review::MessageInput {
        body: form.body,
        internal,
    };
    match app::review::write(&state, &caller, id, input).await {
        Ok(()) if internal => Ok(back(id, "Interne notitie bewaard.")),
        Ok(()) => Ok(back(id, "Bericht verstuurd.")),
        Err(app::Error::Invalid(errors)) => {
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            review_again(
                &state,
                &caller,
                &ctx,
                id,
                status,
                errors,
                Default::default(),
            )
            .await
        }
        Err(other) => Err(other.into()),
    }
}

/// Adapter: [`app::review::save_checklist`]; when someone else saved it meanwhile, the page
/// again with the current marks (409).
async fn save_checklist(
    State(state): State<AppState>,
    caller: Caller,
    ctx: PageContext,
    Id(id): Id,
    RawForm(raw): RawForm,
) -> Result<Response, AppError> {
    let pairs = form_urlencoded_pairs(&raw);
    let typed = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let version: i32 = typed("version")
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(-1);
    let marks = crate::domain::checklist::marks(typed);
    match app::review::save_checklist(&state, &caller, id, version, &marks).await {
        Ok(()) => Ok(back(id, "Checklist bewaard.")),
        Err(app::Error::Stale) => {
            let mut errors = FormErrors::default();
            errors.add("checklist", app::review::CHECKLIST_STALE);
            let status = StatusCode::CONFLICT;
            review_again(
                &state,
                &caller,
                &ctx,
                id,
                status,
                errors,
                Default::default(),
            )
            .await
        }
        Err(other) => Err(other.into()),
    }
}

/// The sections a change request can reopen, as stored and as shown (the domain's
/// [`Part`]s; kept for the pages of other areas that still read this list).
pub const SECTIONS: [(&str, &str); 5] = [
    ("algemeen", "Algemene gegevens"),
    ("acties", "Acties en KPI's"),
    ("bijlagen", "Bijlagen"),
    ("verklaringen", "Verklaringen"),
    ("leden", "Deelnemende gemeenten"),
];

/// Adapter: [`app::review::request_changes`]; the page again (422) with its messages.
async fn request_changes(
    State(state): State<AppState>,
    caller: Caller,
    ctx: PageContext,
    Id(id): Id,
    RawForm(raw): RawForm,
) -> Result<Response, AppError> {
    let pairs = form_urlencoded_pairs(&raw);
    let typed = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let input = app::review::ChangeRequestInput {
        parts: pairs
            .iter()
            .filter(|(k, _)| k == "sections")
            .map(|(_, v)| v.clone())
            .collect(),
        message: typed("message"),
        answer_due: typed("answer_due"),
    };
    match app::review::request_changes(&state, &caller, id, input.clone()).await {
        Ok(()) => Ok(back(id, "De gemeente kreeg de vraag om aanpassingen.")),
        Err(app::Error::Invalid(errors)) => {
            let content = app::dossier_for(&state, &caller, id, Action::ReviewDossier).await?;
            let decision = Default::default();
            let change = Some(input);
            let page =
                review_view_with(&state, &caller, &ctx, &content, errors, decision, change).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(other) => Err(other.into()),
    }
}

pub use crate::store::change_requests::{open as open_change_request, reopened_parts};

/// DEPRECATED thin wrapper, kept only while other areas' handlers still call it: use
/// [`crate::app::ensure_part_open`] with a [`Part`] (the rule:
/// [`crate::domain::parts::may_change`]). To be removed once nobody calls it.
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
    caller: Caller,
    ctx: PageContext,
    Id(id): Id,
    RawForm(raw): RawForm,
) -> Result<Response, AppError> {
    let input = decision_input(&raw);
    match app::review::decide(&state, &caller, id, input.clone()).await {
        Ok(app::review::Decision::Taken(decided)) => Ok(back(
            id,
            format!("Beslissing bewaard: {}.", decided.outcome.label()),
        )),
        Ok(app::review::Decision::Proposed(proposed)) => Ok(back(
            id,
            format!(
                "Beslissing voorgesteld: {}. Een andere medewerker moet ze bevestigen (vier ogen).",
                proposed.outcome.label()
            ),
        )),
        Err(app::Error::Invalid(errors)) => {
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            review_again(&state, &caller, &ctx, id, status, errors, input).await
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
    Ok(back(id, "De beslissing is heropend."))
}

/// Who proposed and who confirmed the standing decision on dossier `id`, if a second person
/// confirmed it.
async fn standing_signatures(state: &AppState, id: i64) -> Result<Option<String>, AppError> {
    match crate::store::decisions::latest_with_lines(&state.db, id).await? {
        Some((found, _)) if found.reopened_at.is_none() => signatures(state, &found).await,
        _ => Ok(None),
    }
}

/// "voorgesteld door …, bevestigd door …" for a decision a second person confirmed.
async fn signatures(
    state: &AppState,
    found: &entity::decision::Model,
) -> Result<Option<String>, AppError> {
    let Some(proposer) = found.proposed_by else {
        return Ok(None);
    };
    let name = |id: i64| crate::store::users::find(&state.db, id);
    let proposer = name(proposer).await?.map(|u| u.name).unwrap_or_default();
    let confirmer = name(found.decided_by)
        .await?
        .map(|u| u.name)
        .unwrap_or_default();
    Ok(crate::domain::four_eyes::signatures(
        Some(&proposer),
        &confirmer,
    ))
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
                parse_state(DossierState::from(ApplicationState::from(s)).code()),
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
    fn repeated_form_fields_are_all_read() {
        let pairs =
            form_urlencoded_pairs(b"sections=algemeen&sections=acties&message=Graag+aanpassen%21");
        assert_eq!(pairs.iter().filter(|(k, _)| k == "sections").count(), 2);
        assert_eq!(pairs[2].1, "Graag aanpassen!");
    }
}
