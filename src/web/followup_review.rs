//! ABB's side of the follow-up: the list of progress reports (filters: call, state, kind,
//! overdue) with the decisions still to take, the review of one report (accept, judging the
//! motivation of every missed KPI in a year report, or send back with a note), the decision on
//! a continuation proposal (confirm, or a positive review with its reason), and the decision on
//! a proposed reclaim (confirm an amount within the computed bounds, or waive with a reason).
//! Every decision is audited, version-checked and mailed to the lead.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use chrono::Utc;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::Deserialize;

use entity::progress_report::{self, ReportKind as StoredKind, ReportState as StoredState};
use entity::reclaim::ReclaimState;
use entity::{attachment, call, continuation, kpi_result, reclaim};

use crate::audit::AuditEntry;
use crate::auth::csrf::form_urlencoded_pairs;
use crate::auth::session::{CurrentUser, SessionUser, redirect_with_flash};
use crate::domain::Cents;
use crate::domain::attachments::format_size;
use crate::domain::dutch::format_date;
use crate::domain::followup::{ReportState, ReportStep, is_overdue, next_report_state};
use crate::domain::paging::Page;
use crate::domain::payments::check_reclaim_amount;
use crate::error::AppError;
use crate::policy::Action;
use crate::state::AppState;
use crate::store::followup::{
    self as store, By, FollowUp, ReportFilter, report_state, report_state_code, stored_report_state,
};
use crate::web::RouteTable;
use crate::web::context::PageContext;
use crate::web::dossiers::load_for;
use crate::web::followup::{
    ActionFields, AttachmentLine, ContinuationRow, PaymentLine, ReclaimLine, continuation_rows,
    payment_lines, reclaim_lines, report_title,
};
use crate::web::form::FormErrors;
use crate::web::form::{Query, RawForm};
use crate::web::full_view::money;
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

const MAX_TEXT: usize = 5000;

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
    pub due: String,
    pub state_label: &'static str,
    pub overdue: bool,
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
    let today = Utc::now().date_naive();
    let calls: Vec<(i64, String)> = call::Entity::find()
        .order_by_desc(call::Column::SubmissionOpensAt)
        .all(&state.db)
        .await?
        .into_iter()
        .map(|c| (c.id, c.title))
        .collect();
    let states = ReportState::ALL
        .into_iter()
        .map(|s| (report_state_code(stored_report_state(s)), s.label()))
        .collect::<Vec<_>>();
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
    let rows = found
        .into_iter()
        .map(|r| ListRow {
            id: r.report.id,
            reference: r.app.reference.clone(),
            lead: r.lead,
            title: report_title(r.report.kind, r.report.year_number),
            due: format_date(r.report.due_on),
            state_label: report_state(r.report.state).label(),
            overdue: is_overdue(report_state(r.report.state), r.report.due_on, today),
        })
        .collect();
    let pending = store::pending_decisions(&state.db, call_id)
        .await?
        .into_iter()
        .map(|p| PendingRow {
            what: p.what,
            report_id: p.report_id,
            reference: p.reference,
        })
        .collect();
    let query_string = query.query_string();
    render(&ListPage {
        layout: ctx.layout("Opvolging"),
        calls,
        pager_base: crate::web::payments::pager_base("/opvolging", &query_string),
        query_string,
        query,
        states,
        rows,
        total,
        page,
        pages,
        pending,
    })
}

/// The report list as CSV or XLSX with the page's filters (all pages).
async fn export_reports(
    State(state): State<AppState>,
    Query(query): Query<ListQuery>,
) -> Result<Response, AppError> {
    use crate::export::{self, Kind, Table};
    let format = export::format_from(&query.formaat)
        .ok_or_else(|| AppError::BadRequest("Kies formaat=csv of formaat=xlsx.".into()))?;
    let today = Utc::now().date_naive();
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
    pub due: String,
    pub submitted: String,
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
}

/// Report `id` with its dossier, for a reviewer (the policy decides through the dossier).
async fn load_report(
    state: &AppState,
    user: &SessionUser,
    id: i64,
    ip: Option<String>,
) -> Result<
    (
        crate::store::applications::DossierWithParties,
        FollowUp,
        progress_report::Model,
    ),
    AppError,
> {
    let row = progress_report::Entity::find_by_id(id)
        .one(&state.db)
        .await?
        .ok_or(AppError::NotFound)?;
    let dossier = load_for(
        state,
        user,
        &row.application_id.to_string(),
        Action::ReviewDossier,
        ip,
    )
    .await?;
    let fu = store::load(&state.db, row.application_id)
        .await?
        .ok_or(AppError::NotFound)?;
    if !fu.is_followed() {
        return Err(AppError::NotFound);
    }
    Ok((dossier, fu, row))
}

fn typed_or(typed: Option<&HashMap<String, String>>, name: &str, default: String) -> String {
    typed.and_then(|t| t.get(name).cloned()).unwrap_or(default)
}

#[allow(clippy::too_many_arguments)]
async fn review_view(
    state: &AppState,
    ctx: &PageContext,
    user: &SessionUser,
    dossier: &crate::store::applications::DossierWithParties,
    fu: &FollowUp,
    report: &progress_report::Model,
    typed: Option<&HashMap<String, String>>,
    errors: FormErrors,
) -> Result<Html<String>, AppError> {
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
    let attachments = attachment::Entity::find()
        .filter(attachment::Column::ProgressReportId.eq(report.id))
        .all(&state.db)
        .await?
        .into_iter()
        .map(|a| AttachmentLine {
            id: a.id,
            name: a.original_name,
            size: format_size(u64::try_from(a.size_bytes).unwrap_or(0)),
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
                decision_name,
                amount_name,
                reason_name,
            }
        })
        .collect();
    let can_decide =
        next_report_state(report_state(report.state), ReportStep::Accept, user.party()).is_ok();
    render(&ReviewPage {
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
        due: format_date(report.due_on),
        submitted: report
            .submitted_at
            .map(|t| format_date(t.date_naive()))
            .unwrap_or_default(),
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
    CurrentUser(user): CurrentUser,
    ctx: PageContext,
    Path(id): Path<String>,
) -> Result<Html<String>, AppError> {
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    let (dossier, fu, row) = load_report(&state, &user, id, ctx.ip.clone()).await?;
    review_view(
        &state,
        &ctx,
        &user,
        &dossier,
        &fu,
        &row,
        None,
        FormErrors::default(),
    )
    .await
}

async fn decide_report(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ctx: PageContext,
    Path(id): Path<String>,
    RawForm(raw): RawForm,
) -> Result<Response, AppError> {
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    let (dossier, fu, row) = load_report(&state, &user, id, ctx.ip.clone()).await?;
    let typed: HashMap<String, String> = form_urlencoded_pairs(&raw).into_iter().collect();
    let field = |name: &str| {
        typed
            .get(name)
            .map(|v| v.trim().to_owned())
            .unwrap_or_default()
    };
    let note = field("note");
    let mut errors = FormErrors::default();
    let step = match field("outcome").as_str() {
        "aanvaarden" => Some(ReportStep::Accept),
        "terugsturen" => Some(ReportStep::SendBack),
        _ => {
            errors.add("outcome", "Kies: het rapport aanvaarden of terugsturen.");
            None
        }
    };
    if note.chars().count() > MAX_TEXT {
        errors.add(
            "note",
            format!("De opmerking mag hoogstens {MAX_TEXT} tekens tellen."),
        );
    }
    if step == Some(ReportStep::SendBack) && note.is_empty() {
        errors.add("note", "Schrijf wat de gemeente moet aanpassen.");
    }
    // In a year report, ABB judges the motivation of every missed KPI when accepting.
    let mut judgements: Vec<(i64, bool)> = Vec::new();
    if step == Some(ReportStep::Accept) && row.kind == StoredKind::Year {
        for a in crate::web::followup::action_fields(&fu, &row, None) {
            for k in a.kpis.iter().filter(|k| k.missed) {
                let name = format!("accepted_{}", k.id);
                match field(&name).as_str() {
                    "ja" => judgements.push((k.id, true)),
                    "nee" => judgements.push((k.id, false)),
                    _ => errors.add(
                        &name,
                        format!(
                            "Actie {}, KPI \"{}\": oordeel of de motivatie aanvaard wordt.",
                            a.code, k.indicator
                        ),
                    ),
                }
            }
        }
    }
    if !errors.is_empty() {
        let page = review_view(
            &state,
            &ctx,
            &user,
            &dossier,
            &fu,
            &row,
            Some(&typed),
            errors,
        )
        .await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    let Some(step) = step else {
        return Err(AppError::BadRequest("Kies een beslissing.".into()));
    };
    let to = next_report_state(report_state(row.state), step, user.party())
        .map_err(|e| AppError::Conflict(e.to_string()))?;
    let version: i32 = field("version").parse().unwrap_or(-1);
    let now = Utc::now();
    let txn = crate::db::begin_write(&state.db).await?;
    let updated = progress_report::Entity::update_many()
        .col_expr(
            progress_report::Column::State,
            Expr::value(stored_report_state(to)),
        )
        .col_expr(
            progress_report::Column::ReviewedBy,
            Expr::value(Some(user.user.id)),
        )
        .col_expr(progress_report::Column::ReviewedAt, Expr::value(Some(now)))
        .col_expr(
            progress_report::Column::ReviewNote,
            Expr::value((!note.is_empty()).then(|| note.clone())),
        )
        .col_expr(progress_report::Column::Version, Expr::value(version + 1))
        .filter(progress_report::Column::Id.eq(row.id))
        .filter(progress_report::Column::Version.eq(version))
        .filter(progress_report::Column::State.eq(StoredState::Submitted))
        .exec(&txn)
        .await?;
    if updated.rows_affected != 1 {
        txn.rollback().await?;
        let mut errors = FormErrors::default();
        errors.add(
            "outcome",
            "Het rapport veranderde intussen (iemand anders besliste of de gemeente paste het aan). Bekijk de huidige stand en beslis opnieuw.",
        );
        let fresh = store::load(&state.db, fu.app.id)
            .await?
            .ok_or(AppError::NotFound)?;
        let current = fresh
            .reports
            .iter()
            .find(|r| r.id == row.id)
            .cloned()
            .unwrap_or(row);
        let page = review_view(
            &state,
            &ctx,
            &user,
            &dossier,
            &fresh,
            &current,
            Some(&typed),
            errors,
        )
        .await?;
        return Ok((StatusCode::CONFLICT, page).into_response());
    }
    for (kpi_id, accepted) in &judgements {
        kpi_result::Entity::update_many()
            .col_expr(
                kpi_result::Column::MotivationAccepted,
                Expr::value(Some(*accepted)),
            )
            .col_expr(
                kpi_result::Column::Version,
                Expr::col(kpi_result::Column::Version).add(1),
            )
            .filter(kpi_result::Column::ProgressReportId.eq(row.id))
            .filter(kpi_result::Column::KpiId.eq(*kpi_id))
            .exec(&txn)
            .await?;
    }
    let by = By::of(&user, ctx.ip.clone());
    crate::audit::record(
        &txn,
        AuditEntry::new(&format!("report.{}", step.code()), "progress_report", Some(row.id.to_string()))
            .by(by.user_id, by.label.clone())
            .from_ip(by.ip.clone())
            .before(serde_json::json!({"state": row.state}))
            .after(serde_json::json!({"state": stored_report_state(to), "note": note, "motivations_accepted": judgements}))
            .details(format!("dossier {}: {}", fu.app.reference, report_title(row.kind, row.year_number))),
    )
    .await?;
    let title = report_title(row.kind, row.year_number);
    let (subject, text, flash) = if step == ReportStep::Accept {
        let outcome = store::after_acceptance(&txn, row.id, now.date_naive(), &by).await?;
        let mut text = format!("ABB aanvaardt het rapport \"{title}\".");
        if !note.is_empty() {
            text.push_str(&format!("\n\nOpmerking van ABB: {note}"));
        }
        for line in &outcome.lines {
            text.push_str(&format!("\n\n{line}"));
        }
        ("rapport aanvaard", text, "Het rapport is aanvaard.")
    } else {
        (
            "rapport teruggestuurd",
            format!(
                "ABB stuurt het rapport \"{title}\" terug. Pas het aan en dien het opnieuw in.\n\nOpmerking van ABB: {note}"
            ),
            "Het rapport is teruggestuurd naar de gemeente.",
        )
    };
    store::tell_parties(
        &txn,
        &state.config.public_url,
        &fu.app,
        subject,
        &text,
        ("progress_report", row.id),
    )
    .await?;
    txn.commit().await?;
    state.mail_wakeup.notify_one();
    Ok(redirect_with_flash(
        &format!("/opvolging/rapporten/{}", row.id),
        flash,
        state.config.secure_cookies(),
    ))
}

// ------------------------------------------------------------------ continuation

async fn decide_continuation(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ctx: PageContext,
    Path(id): Path<String>,
    RawForm(raw): RawForm,
) -> Result<Response, AppError> {
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    let found = continuation::Entity::find_by_id(id)
        .one(&state.db)
        .await?
        .ok_or(AppError::NotFound)?;
    let action = entity::application_action::Entity::find_by_id(found.application_action_id)
        .one(&state.db)
        .await?
        .ok_or(AppError::NotFound)?;
    let interim = progress_report::Entity::find()
        .filter(progress_report::Column::ApplicationId.eq(action.application_id))
        .filter(progress_report::Column::YearNumber.eq(found.year_number - 1))
        .filter(progress_report::Column::Kind.eq(StoredKind::Interim))
        .one(&state.db)
        .await?
        .ok_or(AppError::NotFound)?;
    let (dossier, fu, report) = load_report(&state, &user, interim.id, ctx.ip.clone()).await?;
    let typed: HashMap<String, String> = form_urlencoded_pairs(&raw).into_iter().collect();
    let decision_name = format!("decision_{id}");
    let note_name = format!("note_{id}");
    let decision = typed
        .get(&decision_name)
        .map(|s| s.trim().to_owned())
        .unwrap_or_default();
    let note = typed
        .get(&note_name)
        .map(|s| s.trim().to_owned())
        .unwrap_or_default();
    if found.confirmed.is_some() {
        return Err(AppError::Conflict(
            "Over deze voortzetting is al beslist.".into(),
        ));
    }
    let mut errors = FormErrors::default();
    let continues = match (found.proposed, decision.as_str()) {
        (true, "bevestigen") => Some(true),
        (false, "bevestigen") => Some(false),
        (false, "positief") => {
            if note.is_empty() {
                errors.add(&note_name, "Geef de reden van de positieve beoordeling.");
            }
            Some(true)
        }
        _ => {
            errors.add(
                &decision_name,
                if found.proposed {
                    "Bevestig het voorstel om de actie voort te zetten."
                } else {
                    "Kies: het voorstel bevestigen (de actie stopt) of een positieve beoordeling geven (de actie loopt door)."
                },
            );
            None
        }
    };
    if note.chars().count() > MAX_TEXT {
        errors.add(
            &note_name,
            format!("De reden mag hoogstens {MAX_TEXT} tekens tellen."),
        );
    }
    let Some(continues) = continues.filter(|_| errors.is_empty()) else {
        let page = review_view(
            &state,
            &ctx,
            &user,
            &dossier,
            &fu,
            &report,
            Some(&typed),
            errors,
        )
        .await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    let version: i32 = typed
        .get("version")
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(-1);
    let now = Utc::now();
    let txn = crate::db::begin_write(&state.db).await?;
    let updated = continuation::Entity::update_many()
        .col_expr(
            continuation::Column::Confirmed,
            Expr::value(Some(continues)),
        )
        .col_expr(
            continuation::Column::DecidedBy,
            Expr::value(Some(user.user.id)),
        )
        .col_expr(continuation::Column::DecidedAt, Expr::value(Some(now)))
        .col_expr(
            continuation::Column::DecisionNote,
            Expr::value((!note.is_empty()).then(|| note.clone())),
        )
        .col_expr(continuation::Column::Version, Expr::value(version + 1))
        .filter(continuation::Column::Id.eq(found.id))
        .filter(continuation::Column::Version.eq(version))
        .filter(continuation::Column::Confirmed.is_null())
        .exec(&txn)
        .await?;
    if updated.rows_affected != 1 {
        txn.rollback().await?;
        return Err(AppError::Conflict(
            "Iemand anders besliste intussen over deze voortzetting. Open de pagina opnieuw."
                .into(),
        ));
    }
    let by = By::of(&user, ctx.ip.clone());
    let code = fu
        .actions
        .iter()
        .find(|a| a.row.id == found.application_action_id)
        .map(|a| a.code.clone())
        .unwrap_or_default();
    let what = match (found.proposed, continues) {
        (true, _) => format!(
            "Actie {code} loopt door in projectjaar {} (voorstel bevestigd).",
            found.year_number
        ),
        (false, true) => format!(
            "Actie {code} loopt door in projectjaar {} na een positieve beoordeling door ABB: {note}",
            found.year_number
        ),
        (false, false) => format!(
            "Actie {code} stopt na projectjaar {}: {}",
            found.year_number - 1,
            found.reason
        ),
    };
    crate::audit::record(
        &txn,
        AuditEntry::new(
            "continuation.decided",
            "continuation",
            Some(found.id.to_string()),
        )
        .by(by.user_id, by.label.clone())
        .from_ip(by.ip.clone())
        .before(serde_json::json!({"proposed": found.proposed, "confirmed": null}))
        .after(serde_json::json!({"confirmed": continues, "note": note}))
        .details(format!("dossier {}: {what}", fu.app.reference)),
    )
    .await?;
    // What the year is worth may have changed: recompute its advance while it is scheduled.
    if let Some(fresh) = store::load(&txn, fu.app.id).await? {
        store::refresh_advance(&txn, &fresh, found.year_number, now.date_naive(), &by).await?;
    }
    store::tell_parties(
        &txn,
        &state.config.public_url,
        &fu.app,
        "beslissing over de voortzetting",
        &what,
        ("continuation", found.id),
    )
    .await?;
    txn.commit().await?;
    state.mail_wakeup.notify_one();
    Ok(redirect_with_flash(
        &format!("/opvolging/rapporten/{}", report.id),
        "De beslissing over de voortzetting is bewaard.",
        state.config.secure_cookies(),
    ))
}

// ------------------------------------------------------------------ reclaims

async fn decide_reclaim(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ctx: PageContext,
    Path(id): Path<String>,
    RawForm(raw): RawForm,
) -> Result<Response, AppError> {
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    let found = reclaim::Entity::find_by_id(id)
        .one(&state.db)
        .await?
        .ok_or(AppError::NotFound)?;
    let (dossier, fu, report) =
        load_report(&state, &user, found.progress_report_id, ctx.ip.clone()).await?;
    if found.state != ReclaimState::Proposed {
        return Err(AppError::Conflict(
            "Over deze terugvordering is al beslist.".into(),
        ));
    }
    let typed: HashMap<String, String> = form_urlencoded_pairs(&raw).into_iter().collect();
    let get = |name: String| {
        typed
            .get(&name)
            .map(|s| s.trim().to_owned())
            .unwrap_or_default()
    };
    let decision_name = format!("decision_{id}");
    let amount_name = format!("amount_{id}");
    let reason_name = format!("reason_{id}");
    let decision = get(decision_name.clone());
    let reason = get(reason_name.clone());
    let max = Cents::new(found.max_cents).unwrap_or_default();
    let mut errors = FormErrors::default();
    let amount = match decision.as_str() {
        "bevestigen" => match Cents::parse(&get(amount_name.clone())) {
            Ok(a) => match check_reclaim_amount(a, max) {
                Ok(()) => {
                    if a < max && reason.is_empty() {
                        errors.add(
                            &reason_name,
                            "Geef de reden waarom u minder terugvordert dan berekend.",
                        );
                    }
                    Some(a)
                }
                Err(e) => {
                    errors.add(&amount_name, e.to_string());
                    None
                }
            },
            Err(e) => {
                errors.add(&amount_name, format!("Bedrag: {e}"));
                None
            }
        },
        "kwijtschelden" => {
            if reason.is_empty() {
                errors.add(&reason_name, "Geef de reden waarom ABB niet terugvordert.");
            }
            None
        }
        _ => {
            errors.add(
                &decision_name,
                "Kies: de terugvordering bevestigen of niet terugvorderen.",
            );
            None
        }
    };
    if reason.chars().count() > MAX_TEXT {
        errors.add(
            &reason_name,
            format!("De reden mag hoogstens {MAX_TEXT} tekens tellen."),
        );
    }
    if !errors.is_empty() {
        let page = review_view(
            &state,
            &ctx,
            &user,
            &dossier,
            &fu,
            &report,
            Some(&typed),
            errors,
        )
        .await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    let version: i32 = typed
        .get("version")
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(-1);
    let now = Utc::now();
    let by = By::of(&user, ctx.ip.clone());
    let txn = crate::db::begin_write(&state.db).await?;
    let payment = match amount {
        Some(a) => {
            let computation = format!(
                "{} Bevestigd door ABB: {a}.{}",
                found.computation,
                if reason.is_empty() {
                    String::new()
                } else {
                    format!(" Reden: {reason}")
                }
            );
            Some(
                store::schedule_reclaim_payment(
                    &txn,
                    &fu,
                    found.year_number,
                    a,
                    computation,
                    now.date_naive(),
                    &by,
                )
                .await?,
            )
        }
        None => None,
    };
    let updated = reclaim::Entity::update_many()
        .col_expr(
            reclaim::Column::State,
            Expr::value(if amount.is_some() {
                ReclaimState::Confirmed
            } else {
                ReclaimState::Waived
            }),
        )
        .col_expr(
            reclaim::Column::AmountCents,
            Expr::value(amount.map(|a| a.get())),
        )
        .col_expr(
            reclaim::Column::Reason,
            Expr::value((!reason.is_empty()).then(|| reason.clone())),
        )
        .col_expr(reclaim::Column::DecidedBy, Expr::value(Some(user.user.id)))
        .col_expr(reclaim::Column::DecidedAt, Expr::value(Some(now)))
        .col_expr(
            reclaim::Column::PaymentId,
            Expr::value(payment.as_ref().map(|p| p.id)),
        )
        .col_expr(reclaim::Column::Version, Expr::value(version + 1))
        .filter(reclaim::Column::Id.eq(found.id))
        .filter(reclaim::Column::Version.eq(version))
        .filter(reclaim::Column::State.eq(ReclaimState::Proposed))
        .exec(&txn)
        .await?;
    if updated.rows_affected != 1 {
        txn.rollback().await?;
        return Err(AppError::Conflict(
            "Iemand anders besliste intussen over deze terugvordering. Open de pagina opnieuw."
                .into(),
        ));
    }
    let text = match amount {
        Some(a) => format!(
            "ABB vordert {a} terug voor projectjaar {}. De trekker betaalt dit bedrag terug.\n\nBerekening: {}{}",
            found.year_number,
            found.computation,
            if reason.is_empty() {
                String::new()
            } else {
                format!("\n\nReden: {reason}")
            }
        ),
        None => format!(
            "ABB vordert niets terug voor projectjaar {} (voorgesteld: hoogstens {}).\n\nReden: {reason}",
            found.year_number,
            money(found.max_cents)
        ),
    };
    crate::audit::record(
        &txn,
        AuditEntry::new(
            if amount.is_some() { "reclaim.confirmed" } else { "reclaim.waived" },
            "reclaim",
            Some(found.id.to_string()),
        )
        .by(by.user_id, by.label.clone())
        .from_ip(by.ip.clone())
        .before(serde_json::json!({"state": found.state, "max_cents": found.max_cents}))
        .after(serde_json::json!({"amount_cents": amount.map(|a| a.get()), "reason": reason, "payment_id": payment.as_ref().map(|p| p.id)}))
        .details(format!("dossier {}", fu.app.reference)),
    )
    .await?;
    store::tell_parties(
        &txn,
        &state.config.public_url,
        &fu.app,
        "beslissing over een terugvordering",
        &text,
        ("reclaim", found.id),
    )
    .await?;
    txn.commit().await?;
    state.mail_wakeup.notify_one();
    Ok(redirect_with_flash(
        &format!("/opvolging/rapporten/{}", report.id),
        if amount.is_some() {
            "De terugvordering is bevestigd."
        } else {
            "Er wordt niets teruggevorderd."
        },
        state.config.secure_cookies(),
    ))
}
