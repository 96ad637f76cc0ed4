//! ABB's side of the follow-up: the list of progress reports (filters: call, state, kind,
//! overdue) with the decisions still to take, the review of one report (accept, judging the
//! motivation of every missed KPI in a year report, or send back with a note), the decision on
//! a continuation proposal (confirm, or a positive review with its reason), and the decision on
//! a proposed reclaim (confirm an amount within the computed bounds, or waive with a reason).
//! Every decision is audited, version-checked and mailed to the lead.

use std::collections::HashMap;

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use serde::Deserialize;

use entity::progress_report::ReportKind as StoredKind;
use entity::reclaim::ReclaimState;

use crate::app::{self, Caller, followup};
use crate::auth::csrf::form_urlencoded_pairs;
use crate::domain::Cents;
use crate::domain::followup::{ReportState, ReportStep, is_overdue, next_report_state};
use crate::domain::paging::Page;
use crate::error::AppError;
use crate::state::AppState;
use crate::store::followup::{
    self as store, ReportFilter, report_state, report_state_code, stored_report_state,
};
use crate::web::RouteTable;
use crate::web::context::PageContext;
use crate::web::extract::{FlashRedirect, Id};
use crate::web::filters;
use crate::web::followup::{
    ActionFields, AttachmentLine, ContinuationRow, PaymentLine, ReclaimLine, continuation_rows,
    payment_lines, reclaim_lines, report_title,
};
use crate::web::form::FormErrors;
use crate::web::form::{Query, RawForm};
use crate::web::pages::{Layout, render};
use crate::web::routes::{BodyLimit, STAFF};

pub fn routes() -> RouteTable {
    RouteTable::new()
        .get("/opvolging", STAFF, list)
        .get("/opvolging/export", STAFF, export_reports)
        .get("/opvolging/rapporten/{id}", STAFF, review_page)
        .post("/opvolging/rapporten/{id}", STAFF, decide_report)
        .limit(BodyLimit::LargeForm)
        .post("/opvolging/voortzetting/{id}", STAFF, decide_continuation)
        .post("/opvolging/terugvorderingen/{id}", STAFF, decide_reclaim)
}

// ------------------------------------------------------------------ the list

#[derive(Debug, Deserialize, Default)]
pub struct ListQuery {
    #[serde(default)]
    pub oproep: String,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub soort: String,
    #[serde(default)]
    pub te_laat: String,
    #[serde(default)]
    pub pagina: Page,
    #[serde(default)]
    pub formaat: String,
}

impl ListQuery {
    /// The query string that repeats these filters (without page and format).
    pub fn query_string(&self) -> String {
        [
            ("oproep", &self.oproep),
            ("status", &self.status),
            ("soort", &self.soort),
            ("te_laat", &self.te_laat),
        ]
        .iter()
        .filter(|(_, v)| !v.trim().is_empty())
        .map(|(k, v)| format!("{k}={}", crate::auth::session::urlencode(v.trim())))
        .collect::<Vec<_>>()
        .join("&")
    }

    fn filter(&self, today: chrono::NaiveDate) -> ReportFilter {
        ReportFilter {
            call_id: self.oproep.trim().parse::<i64>().ok(),
            state: ReportState::ALL
                .into_iter()
                .map(stored_report_state)
                .find(|s| report_state_code(*s) == self.status.trim()),
            kind: match self.soort.trim() {
                "tussentijds" => Some(StoredKind::Interim),
                "jaar" => Some(StoredKind::Year),
                _ => None,
            },
            overdue_on: (self.te_laat == "ja").then_some(today),
        }
    }
}

const PAGE_SIZE: u64 = 50;

pub struct ListRow {
    pub id: i64,
    pub reference: String,
    pub lead: String,
    pub title: String,
    pub due: chrono::NaiveDate,
    pub state_label: &'static str,
    pub overdue: bool,
    /// Why the deadline is illustrative, when it is (the mark the report's own page shows).
    pub due_note: Option<String>,
}

pub struct PendingRow {
    pub what: String,
    pub report_id: i64,
    pub reference: String,
}

#[derive(Template)]
#[template(path = "followup/list.html")]
pub struct ListPage {
    pub layout: Layout,
    pub calls: Vec<(i64, String)>,
    pub query: ListQuery,
    pub states: Vec<(&'static str, &'static str)>,
    pub rows: Vec<ListRow>,
    pub total: u64,
    pub page: u64,
    pub pages: u64,
    pub query_string: String,
    pub pager_base: String,
    pub pending: Vec<PendingRow>,
}

async fn list(
    State(state): State<AppState>,
    ctx: PageContext,
    Query(query): Query<ListQuery>,
) -> Result<Html<String>, AppError> {
    let today = state.clock.today();
    let calls: Vec<(i64, String)> = crate::store::calls::choices(&state.db)
        .await?
        .into_iter()
        .map(|c| (c.id, c.title))
        .collect();
    let filter = query.filter(today);
    let call_id = filter.call_id;
    let requested = query.pagina.get();
    let (mut found, total) =
        store::list_reports(&state.db, &filter, Some((requested, PAGE_SIZE))).await?;
    let (page, pages) = query.pagina.within(total, PAGE_SIZE);
    if page != requested {
        found = store::list_reports(&state.db, &filter, Some((page, PAGE_SIZE)))
            .await?
            .0;
    }
    let rows = rows_with_notes(&ctx, found, today).await?;
    let pending = pending_rows(&state, call_id).await?;
    let query_string = query.query_string();
    render(&ListPage {
        layout: ctx.layout("Opvolging"),
        calls,
        pager_base: crate::web::payments::pager_base("/opvolging", &query_string),
        query_string,
        query,
        states: state_choices(),
        rows,
        total,
        page,
        pages,
        pending,
    })
}

/// The report states to filter on: their code and label.
fn state_choices() -> Vec<(&'static str, &'static str)> {
    ReportState::ALL
        .into_iter()
        .map(|s| (report_state_code(stored_report_state(s)), s.label()))
        .collect()
}

/// The decisions still to take in the call filtered on (all calls when none).
async fn pending_rows(state: &AppState, call_id: Option<i64>) -> Result<Vec<PendingRow>, AppError> {
    Ok(store::pending_decisions(&state.db, call_id)
        .await?
        .into_iter()
        .map(|p| PendingRow {
            what: p.what,
            report_id: p.report_id,
            reference: p.reference,
        })
        .collect())
}

/// The list's rows, each with the mark of an illustrative deadline (the calls' project years
/// from the reference data in memory).
async fn rows_with_notes(
    ctx: &PageContext,
    found: Vec<store::ReportListRow>,
    today: chrono::NaiveDate,
) -> Result<Vec<ListRow>, AppError> {
    let mut contexts = std::collections::HashMap::new();
    for r in &found {
        if !contexts.contains_key(&r.app.call_id)
            && let Some(context) = ctx.reference.call_context(r.app.call_id).await?
        {
            contexts.insert(r.app.call_id, context);
        }
    }
    Ok(found
        .into_iter()
        .map(|r| {
            let note = contexts.get(&r.app.call_id).and_then(|c| {
                crate::store::followup::due_standing_in(
                    &c.years,
                    c.call.parameters_fictitious,
                    &r.report,
                )
                .note()
            });
            ListRow {
                due_note: note,
                ..list_row(r, today)
            }
        })
        .collect())
}

fn list_row(r: store::ReportListRow, today: chrono::NaiveDate) -> ListRow {
    ListRow {
        id: r.report.id,
        reference: r.app.reference.clone(),
        lead: r.lead,
        title: report_title(r.report.kind, r.report.year_number),
        due: r.report.due_on,
        state_label: report_state(r.report.state).label(),
        overdue: is_overdue(report_state(r.report.state), r.report.due_on, today),
        due_note: None,
    }
}

/// The report list as CSV or XLSX with the page's filters (all pages).
async fn export_reports(
    State(state): State<AppState>,
    Query(query): Query<ListQuery>,
) -> Result<Response, AppError> {
    use crate::export::{self, Kind, Table};
    let format = export::format_from(&query.formaat)
        .ok_or_else(|| AppError::BadRequest("Kies formaat=csv of formaat=xlsx.".into()))?;
    let today = state.clock.today();
    let (rows, _) = store::list_reports(&state.db, &query.filter(today), None).await?;
    let mut table = Table::new(
        "Rapporten",
        &[
            ("Dossier", Kind::Text),
            ("Trekker", Kind::Text),
            ("Rapport", Kind::Text),
            ("In te dienen tegen", Kind::Date),
            ("Status", Kind::Text),
            ("Te laat", Kind::Text),
            ("Ingediend (UTC)", Kind::Moment),
            ("Beoordeeld (UTC)", Kind::Moment),
        ],
    );
    for r in rows {
        let st = report_state(r.report.state);
        table.push(vec![
            r.app.reference.into(),
            r.lead.into(),
            report_title(r.report.kind, r.report.year_number).into(),
            r.report.due_on.into(),
            st.label().into(),
            (if is_overdue(st, r.report.due_on, today) {
                "ja"
            } else {
                "nee"
            })
            .into(),
            r.report.submitted_at.into(),
            r.report.reviewed_at.into(),
        ]);
    }
    Ok(export::download(&table, format))
}

// ------------------------------------------------------------------ one report

pub struct JudgeField {
    pub kpi_id: i64,
    pub name: String,
    pub label: String,
    pub motivation: String,
    pub value: String,
}

pub struct ContinuationForm {
    pub row: ContinuationRow,
    pub id: i64,
    pub version: i32,
    pub open: bool,
    pub proposed: bool,
    pub decision_name: String,
    pub note_name: String,
    pub decision: String,
    pub note: String,
}

pub struct ReclaimForm {
    pub line: ReclaimLine,
    pub id: i64,
    pub version: i32,
    pub open: bool,
    pub decision_name: String,
    pub amount_name: String,
    pub reason_name: String,
    pub decision: String,
    pub amount: String,
    pub reason: String,
    /// The decision proposed and waiting for a second person (four eyes), if one waits.
    pub pending: Option<crate::web::four_eyes::PendingReclaim>,
}

#[derive(Template)]
#[template(path = "followup/review.html")]
pub struct ReviewPage {
    pub layout: Layout,
    pub report_id: i64,
    pub app_id: i64,
    pub reference: String,
    pub lead: String,
    pub dossier_title: String,
    pub heading: String,
    pub due: chrono::NaiveDate,
    /// Why the deadline is illustrative, when it is.
    pub due_note: Option<String>,
    pub submitted: Option<chrono::DateTime<chrono::Utc>>,
    pub state_label: &'static str,
    pub can_decide: bool,
    pub review_note: String,
    pub version: i32,
    pub actions: Vec<ActionFields>,
    pub judge: Vec<JudgeField>,
    pub attachments: Vec<AttachmentLine>,
    pub errors: FormErrors,
    pub outcome: String,
    pub note: String,
    pub continuations: Vec<ContinuationForm>,
    pub reclaims: Vec<ReclaimForm>,
    pub payments: Vec<PaymentLine>,
    /// Every reclaim decision is confirmed by a second person (the call's threshold is 0).
    pub four_eyes_always: bool,
}

fn typed_or(typed: Option<&HashMap<String, String>>, name: &str, default: String) -> String {
    typed.and_then(|t| t.get(name).cloned()).unwrap_or(default)
}

/// ABB's page of report `found` with its decisions: the typed values and their messages when
/// given. Longer than 50 lines: it lays out the report and every open decision's form.
async fn review_view(
    state: &AppState,
    ctx: &PageContext,
    caller: &Caller,
    found: &followup::ReportOf,
    typed: Option<&HashMap<String, String>>,
    errors: FormErrors,
) -> Result<Html<String>, AppError> {
    let (dossier, fu, report) = (&found.dossier, &found.fu, &found.report);
    let actions = crate::web::followup::action_fields(fu, report, None);
    let judge = if report.kind == StoredKind::Year {
        actions
            .iter()
            .flat_map(|a| {
                a.kpis.iter().filter(|k| k.missed).map(|k| {
                    let name = format!("accepted_{}", k.id);
                    let saved = fu
                        .result(report.id, k.id)
                        .and_then(|r| r.motivation_accepted)
                        .map(|b| if b { "ja" } else { "nee" }.to_owned())
                        .unwrap_or_default();
                    JudgeField {
                        kpi_id: k.id,
                        value: typed_or(typed, &name, saved),
                        name,
                        label: format!("Actie {}, KPI \"{}\"", a.code, k.indicator),
                        motivation: k.motivation.clone(),
                    }
                })
            })
            .collect()
    } else {
        Vec::new()
    };
    let attachments = store::report_attachments(&state.db, report.id)
        .await?
        .into_iter()
        .map(|a| AttachmentLine {
            id: a.id,
            name: a.original_name,
            size: u64::try_from(a.size_bytes).unwrap_or(0),
        })
        .collect();
    let rows = continuation_rows(fu);
    let continuations = fu
        .continuations
        .iter()
        .zip(rows)
        .filter(|(c, _)| {
            report.kind == StoredKind::Interim && c.year_number == report.year_number + 1
        })
        .map(|(c, row)| {
            let decision_name = format!("decision_{}", c.id);
            let note_name = format!("note_{}", c.id);
            ContinuationForm {
                row,
                id: c.id,
                version: c.version,
                open: c.confirmed.is_none(),
                proposed: c.proposed,
                decision: typed_or(typed, &decision_name, String::new()),
                note: typed_or(typed, &note_name, String::new()),
                decision_name,
                note_name,
            }
        })
        .collect();
    let lines = reclaim_lines(fu);
    let mut pending =
        crate::web::four_eyes::pending_reclaims(state, caller, fu, &dossier.lead_name).await?;
    let reclaims = fu
        .reclaims
        .iter()
        .zip(lines)
        .filter(|(r, _)| r.progress_report_id == report.id)
        .map(|(r, line)| {
            let decision_name = format!("decision_{}", r.id);
            let amount_name = format!("amount_{}", r.id);
            let reason_name = format!("reason_{}", r.id);
            ReclaimForm {
                line,
                id: r.id,
                version: r.version,
                open: r.state == ReclaimState::Proposed,
                decision: typed_or(typed, &decision_name, String::new()),
                amount: typed_or(
                    typed,
                    &amount_name,
                    Cents::new(r.max_cents)
                        .map(|c| c.to_plain_string())
                        .unwrap_or_default(),
                ),
                reason: typed_or(typed, &reason_name, String::new()),
                pending: pending.remove(&r.id),
                decision_name,
                amount_name,
                reason_name,
            }
        })
        .collect();
    let can_decide = next_report_state(
        report_state(report.state),
        ReportStep::Accept,
        caller.party(),
    )
    .is_ok();
    render(&ReviewPage {
        four_eyes_always: fu.call.four_eyes_threshold_cents == 0,
        layout: ctx.layout(format!(
            "{} · {}",
            report_title(report.kind, report.year_number),
            fu.app.reference
        )),
        report_id: report.id,
        app_id: fu.app.id,
        reference: fu.app.reference.clone(),
        lead: dossier.lead_name.clone(),
        dossier_title: fu.app.title.clone(),
        heading: report_title(report.kind, report.year_number),
        due: report.due_on,
        due_note: fu.due_standing(report).note(),
        submitted: report.submitted_at,
        state_label: report_state(report.state).label(),
        can_decide,
        review_note: report.review_note.clone().unwrap_or_default(),
        version: report.version,
        actions,
        judge,
        attachments,
        errors,
        outcome: typed_or(typed, "outcome", String::new()),
        note: typed_or(typed, "note", String::new()),
        continuations,
        reclaims,
        payments: payment_lines(fu),
    })
}

async fn review_page(
    State(state): State<AppState>,
    caller: Caller,
    ctx: PageContext,
    Id(id): Id,
) -> Result<Html<String>, AppError> {
    let found = followup::report_for_review(&state, &caller, id).await?;
    review_view(&state, &ctx, &caller, &found, None, FormErrors::default()).await
}

/// The report's page again with `errors` and what was typed: 422, or 409 when the report
/// changed meanwhile (with the newest state).
async fn again(
    state: &AppState,
    ctx: &PageContext,
    caller: &Caller,
    found: followup::ReportOf,
    typed: &HashMap<String, String>,
    status: StatusCode,
    errors: FormErrors,
) -> Result<Response, AppError> {
    let page = review_view(state, ctx, caller, &found, Some(typed), errors).await?;
    Ok((status, page).into_response())
}

fn typed_form(raw: &[u8]) -> HashMap<String, String> {
    form_urlencoded_pairs(raw).into_iter().collect()
}

fn field(typed: &HashMap<String, String>, name: &str) -> String {
    typed
        .get(name)
        .map(|v| v.trim().to_owned())
        .unwrap_or_default()
}

fn version(typed: &HashMap<String, String>) -> i32 {
    field(typed, "version").parse().unwrap_or(-1)
}

/// Adapter: ABB's decision on a report → [`followup::decide_report`].
async fn decide_report(
    State(state): State<AppState>,
    caller: Caller,
    ctx: PageContext,
    Id(id): Id,
    RawForm(raw): RawForm,
) -> Result<Response, AppError> {
    let typed = typed_form(&raw);
    let input = followup::ReportDecisionInput {
        outcome: field(&typed, "outcome"),
        note: field(&typed, "note"),
        judgements: typed
            .iter()
            .filter_map(|(k, v)| {
                k.strip_prefix("accepted_")
                    .and_then(|kpi| kpi.parse::<i64>().ok())
                    .map(|kpi| (kpi, v.trim().to_owned()))
            })
            .collect(),
        version: version(&typed),
    };
    let (status, errors) = match followup::decide_report(&state, &caller, id, input).await {
        Ok(step) => {
            let flash = if step == ReportStep::Accept {
                "Het rapport is aanvaard."
            } else {
                "Het rapport is teruggestuurd naar de gemeente."
            };
            return Ok(
                FlashRedirect::new(format!("/opvolging/rapporten/{id}"), flash).into_response(),
            );
        }
        Err(app::Error::Invalid(errors)) => (StatusCode::UNPROCESSABLE_ENTITY, errors),
        Err(app::Error::Stale) => {
            let mut errors = FormErrors::default();
            errors.add(
                "outcome",
                "Het rapport veranderde intussen (iemand anders besliste of de gemeente paste het aan). Bekijk de huidige stand en beslis opnieuw.",
            );
            (StatusCode::CONFLICT, errors)
        }
        Err(other) => return Err(other.into()),
    };
    let found = followup::report_for_review(&state, &caller, id).await?;
    again(&state, &ctx, &caller, found, &typed, status, errors).await
}

// ------------------------------------------------------------------ continuation

/// Adapter: ABB's decision on a continuation proposal → [`followup::decide_continuation`].
async fn decide_continuation(
    State(state): State<AppState>,
    caller: Caller,
    ctx: PageContext,
    Id(id): Id,
    RawForm(raw): RawForm,
) -> Result<Response, AppError> {
    let typed = typed_form(&raw);
    let (decision_name, note_name) = followup::continuation_fields(id);
    let input = followup::ContinuationInput {
        decision: field(&typed, &decision_name),
        note: field(&typed, &note_name),
        version: version(&typed),
    };
    match followup::decide_continuation(&state, &caller, id, input).await {
        Ok(report) => Ok(FlashRedirect::new(
            format!("/opvolging/rapporten/{report}"),
            "De beslissing over de voortzetting is bewaard.",
        )
        .into_response()),
        Err(app::Error::Invalid(errors)) => {
            let found = followup::continuation_report(&state, &caller, id).await?;
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            again(&state, &ctx, &caller, found, &typed, status, errors).await
        }
        Err(other) => Err(other.into()),
    }
}

// ------------------------------------------------------------------ reclaims

/// Adapter: ABB's decision on a proposed reclaim → [`followup::decide_reclaim`].
async fn decide_reclaim(
    State(state): State<AppState>,
    caller: Caller,
    ctx: PageContext,
    Id(id): Id,
    RawForm(raw): RawForm,
) -> Result<Response, AppError> {
    let typed = typed_form(&raw);
    let (decision_name, amount_name, reason_name) = followup::reclaim_fields(id);
    let input = followup::ReclaimInput {
        decision: field(&typed, &decision_name),
        amount: field(&typed, &amount_name),
        reason: field(&typed, &reason_name),
        version: version(&typed),
    };
    match followup::decide_reclaim(&state, &caller, id, input).await {
        Ok(decided) => Ok(FlashRedirect::new(
            format!("/opvolging/rapporten/{}", decided.report_id),
            match (decided.proposed, decided.amount.is_some()) {
                (true, _) => {
                    "Beslissing over de terugvordering voorgesteld. Een andere medewerker moet ze \
                     bevestigen (vier ogen)."
                }
                (false, true) => "De terugvordering is bevestigd.",
                (false, false) => "Er wordt niets teruggevorderd.",
            },
        )
        .into_response()),
        Err(app::Error::Invalid(errors)) => {
            let found = followup::reclaim_report(&state, &caller, id).await?;
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            again(&state, &ctx, &caller, found, &typed, status, errors).await
        }
        Err(other) => Err(other.into()),
    }
}
