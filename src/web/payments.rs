//! ABB's payment list (`/opvolging/betalingen`, filters: call, project year, tranche, state),
//! moving a payment through its states (approve, mark as paid, cancel; audited and
//! version-checked) and the CSV export for the finance system with the same filters.
//!
//! The export is one function ([`csv_export`]) on purpose: a generic CSV/XLSX export module is
//! being built beside this one and can replace it without touching the rest.

use askama::Template;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use crate::app::{self, Caller};
use crate::auth::session::CurrentUser;
use crate::domain::Cents;
use crate::domain::paging::Page;
use crate::domain::payments::{
    PaymentState, PaymentStep, StepInput, Tranche, consequence, euro_decimal, payment_steps,
};
use crate::error::AppError;
use crate::state::AppState;
use crate::store::followup::{
    self as store, PaymentFilter, PaymentListRow, payment_state, stored_payment_state,
    stored_tranche, tranche,
};
use crate::store::organisations::OrgKind;
use crate::web::RouteTable;
use crate::web::context::PageContext;
use crate::web::extract::{FlashRedirect, Id};
use crate::web::filters;
use crate::web::form::FormErrors;
use crate::web::form::{Form, Query};
use crate::web::pages::{Layout, render};
use crate::web::routes::STAFF;

pub fn routes() -> RouteTable {
    RouteTable::new()
        .get("/opvolging/betalingen", STAFF, list)
        .get("/opvolging/betalingen.csv", STAFF, export)
        .get("/opvolging/betalingen/export", STAFF, export_table)
        .get("/opvolging/betalingen/{id}/bevestigen", STAFF, confirm_page)
        .post("/opvolging/betalingen/{id}", STAFF, change_state)
}

/// `path?filters&` (or `path?`), to which the pager adds `pagina=N`.
pub fn pager_base(path: &str, query_string: &str) -> String {
    if query_string.is_empty() {
        format!("{path}?")
    } else {
        format!("{path}?{query_string}&")
    }
}

#[derive(Debug, Deserialize, Default, Clone)]
pub struct PaymentQuery {
    #[serde(default)]
    pub oproep: String,
    #[serde(default)]
    pub jaar: String,
    #[serde(default)]
    pub schijf: String,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub pagina: Page,
    #[serde(default)]
    pub formaat: String,
}

const PAGE_SIZE: u64 = 50;

impl PaymentQuery {
    fn filter(&self) -> PaymentFilter {
        PaymentFilter {
            call_id: self.oproep.trim().parse().ok(),
            year: self.jaar.trim().parse().ok(),
            tranche: Tranche::parse(self.schijf.trim()).map(stored_tranche),
            state: PaymentState::parse(self.status.trim()).map(stored_payment_state),
        }
    }

    /// Filter values the server cannot read. They are refused, never dropped: a list (and a
    /// finance export) silently widened to every payment would look like the filtered one.
    fn unreadable(&self) -> FormErrors {
        let mut errors = FormErrors::default();
        let given = |v: &String| !v.trim().is_empty();
        if given(&self.oproep) && self.oproep.trim().parse::<i64>().is_err() {
            errors.add("oproep", "Kies een oproep uit de lijst.");
        }
        if given(&self.jaar) && self.jaar.trim().parse::<i32>().is_err() {
            errors.add("jaar", "Kies een projectjaar uit de lijst.");
        }
        if given(&self.schijf) && Tranche::parse(self.schijf.trim()).is_none() {
            errors.add("schijf", "Kies een schijf uit de lijst.");
        }
        if given(&self.status) && PaymentState::parse(self.status.trim()).is_none() {
            errors.add("status", "Kies een status uit de lijst.");
        }
        errors
    }

    fn query_string(&self) -> String {
        [
            ("oproep", &self.oproep),
            ("jaar", &self.jaar),
            ("schijf", &self.schijf),
            ("status", &self.status),
        ]
        .iter()
        .filter(|(_, v)| !v.trim().is_empty())
        .map(|(k, v)| format!("{k}={}", crate::auth::session::urlencode(v.trim())))
        .collect::<Vec<_>>()
        .join("&")
    }
}

pub struct StepButton {
    pub code: &'static str,
    pub label: &'static str,
}

pub struct Row {
    pub id: i64,
    pub version: i32,
    pub app_id: i64,
    pub reference: String,
    pub payee: String,
    pub nis: String,
    pub year: i32,
    pub tranche: &'static str,
    pub amount: i64,
    pub owed_back: bool,
    pub state: &'static str,
    pub due: Option<chrono::NaiveDate>,
    pub computation: String,
    /// Why the payment was cancelled, when it was.
    pub cancel_reason: Option<String>,
    /// When the bank paid and its reference, once marked as paid.
    pub paid_on: Option<chrono::NaiveDate>,
    pub bank_reference: Option<String>,
    pub steps: Vec<StepButton>,
}

#[derive(Template)]
#[template(path = "followup/payments.html")]
pub struct PaymentsPage {
    pub layout: Layout,
    pub calls: Vec<(i64, String)>,
    pub query: PaymentQuery,
    pub query_string: String,
    pub errors: FormErrors,
    /// The project year numbers of the calls, for the filter.
    pub years: Vec<String>,
    pub tranches: Vec<&'static str>,
    pub states: Vec<&'static str>,
    pub rows: Vec<Row>,
    pub total: u64,
    pub page: u64,
    pub pages: u64,
    /// The list's address with its filters, ending in `?` or `&`, for the pager.
    pub pager_base: String,
    pub to_pay: i64,
    pub owed_back: i64,
    /// This list with its filters, URL-encoded: where a step's confirmation page leads back.
    pub terug_encoded: String,
}

/// One payment as the list shows it, with the steps `party` may take.
fn row(r: PaymentListRow, party: crate::domain::workflow::Party) -> Row {
    Row {
        id: r.payment.id,
        version: r.payment.version,
        app_id: r.app.id,
        reference: r.app.reference.clone(),
        payee: r.payee,
        nis: r.nis_code.map(|n| n.to_string()).unwrap_or_default(),
        year: r.payment.year_number,
        tranche: tranche(r.payment.tranche).code(),
        amount: r.payment.amount_cents,
        owed_back: tranche(r.payment.tranche).is_owed_back(),
        state: payment_state(r.payment.state).label(),
        due: r.payment.due_on,
        computation: r.payment.computation.clone().unwrap_or_default(),
        cancel_reason: r.payment.cancel_reason.clone(),
        paid_on: r.payment.paid_on,
        bank_reference: r.payment.bank_reference.clone(),
        steps: payment_steps(payment_state(r.payment.state), party)
            .into_iter()
            .map(|s| StepButton {
                code: s.code(),
                label: s.label(),
            })
            .collect(),
    }
}

/// The payments of page `requested` (or the last page when it lies beyond), the number found,
/// the page and the number of pages, and the totals.
async fn payment_page(
    state: &AppState,
    filter: &PaymentFilter,
    requested: Page,
) -> Result<(Vec<PaymentListRow>, u64, u64, u64, store::PaymentTotals), AppError> {
    let totals = store::payment_totals(&state.db, filter).await?;
    let asked = requested.get();
    let (mut found, total) =
        store::list_payments(&state.db, filter, Some((asked, PAGE_SIZE))).await?;
    let (page, pages) = requested.within(total, PAGE_SIZE);
    if page != asked {
        found = store::list_payments(&state.db, filter, Some((page, PAGE_SIZE)))
            .await?
            .0;
    }
    Ok((found, total, page, pages, totals))
}

async fn list(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ctx: PageContext,
    Query(query): Query<PaymentQuery>,
) -> Result<Response, AppError> {
    let (calls, years) = crate::store::payments::filter_choices(&state.db).await?;
    let errors = query.unreadable();
    let filter = query.filter();
    let (found, total, page, pages, totals) = if errors.is_empty() {
        payment_page(&state, &filter, query.pagina).await?
    } else {
        (Vec::new(), 0, 1, 1, store::PaymentTotals::default())
    };
    let rows = found.into_iter().map(|r| row(r, user.party())).collect();
    let query_string = query.query_string();
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = render(&PaymentsPage {
        layout: ctx.layout("Betalingen"),
        calls,
        query_string: query_string.clone(),
        query,
        errors,
        years: years.into_iter().map(|y| y.to_string()).collect(),
        tranches: Tranche::ALL.iter().map(|t| t.code()).collect(),
        states: PaymentState::ALL.iter().map(|s| s.label()).collect(),
        rows,
        total,
        page,
        pages,
        pager_base: pager_base("/opvolging/betalingen", &query_string),
        to_pay: totals.to_pay_cents,
        owed_back: totals.owed_back_cents,
        terug_encoded: crate::auth::session::urlencode(&if query_string.is_empty() {
            "/opvolging/betalingen".to_owned()
        } else {
            format!("/opvolging/betalingen?{query_string}")
        }),
    })?;
    Ok((status, page).into_response())
}

/// The payments matching `rows` as CSV for the finance system: one line per payment with the
/// payee (municipality or partner organisation), its NIS code, the dossier reference, the
/// amount in euro with a decimal point, tranche, project year, state, due day, and for a paid
/// one the payment day and the bank's reference.
pub fn csv_export(rows: &[PaymentListRow], accounts: &Accounts) -> Result<Vec<u8>, csv::Error> {
    let mut out = csv::Writer::from_writer(Vec::new());
    out.write_record([
        "betaling_id",
        "begunstigde",
        "nis_code",
        "referentie",
        "bedrag_eur",
        "richting",
        "schijf",
        "projectjaar",
        "status",
        "vervaldag",
        "betaald_op",
        "bankreferentie",
        "iban",
        "rekeninghouder",
    ])?;
    for r in rows {
        let t = tranche(r.payment.tranche);
        let account = payee_key(&r.payment).and_then(|key| accounts.get(&key));
        out.write_record([
            r.payment.id.to_string(),
            r.payee.clone(),
            r.nis_code.map(|n| n.to_string()).unwrap_or_default(),
            r.app.reference.clone(),
            euro_decimal(Cents::new(r.payment.amount_cents).unwrap_or_default()),
            if t.is_owed_back() {
                "terug te betalen door de begunstigde".to_owned()
            } else {
                "te betalen aan de begunstigde".to_owned()
            },
            t.code().to_owned(),
            r.payment.year_number.to_string(),
            payment_state(r.payment.state).label().to_owned(),
            r.payment
                .due_on
                .map(|d| d.format("%Y-%m-%d").to_string())
                .unwrap_or_default(),
            r.payment
                .paid_on
                .map(|d| d.format("%Y-%m-%d").to_string())
                .unwrap_or_default(),
            r.payment.bank_reference.clone().unwrap_or_default(),
            account.map(|a| a.iban.clone()).unwrap_or_default(),
            account.map(|a| a.holder.clone()).unwrap_or_default(),
        ])?;
    }
    out.into_inner().map_err(|e| e.into_error().into())
}

async fn export(
    State(state): State<AppState>,
    Query(query): Query<PaymentQuery>,
) -> Result<Response, AppError> {
    if let Some(e) = query.unreadable().items.first() {
        return Err(AppError::BadRequest(format!(
            "{} Er is niets geëxporteerd.",
            e.message
        )));
    }
    let (rows, _) = store::list_payments(&state.db, &query.filter(), None).await?;
    let accounts = crate::store::bank_accounts::all(&state.db).await?;
    let body = csv_export(&rows, &accounts).map_err(AppError::internal)?;
    let name = format!("betalingen-{}.csv", state.clock.now().format("%Y-%m-%d"));
    Ok((
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/csv; charset=utf-8"),
            ),
            (
                header::CONTENT_DISPOSITION,
                HeaderValue::from_str(&format!("attachment; filename=\"{name}\""))
                    .map_err(AppError::internal)?,
            ),
        ],
        body,
    )
        .into_response())
}

/// The payment list as a spreadsheet (CSV for Excel in nl-BE, or XLSX) with the page's filters;
/// the finance system's own CSV is [`csv_export`]. Longer than 50 lines: the table's thirteen
/// columns and one cell per column are declared here, no logic.
async fn export_table(
    State(state): State<AppState>,
    Query(query): Query<PaymentQuery>,
) -> Result<Response, AppError> {
    use crate::export::{self, Cell, Kind, Table};
    let format = export::format_from(&query.formaat)
        .ok_or_else(|| AppError::BadRequest("Kies formaat=csv of formaat=xlsx.".into()))?;
    if let Some(e) = query.unreadable().items.first() {
        return Err(AppError::BadRequest(format!(
            "{} Er is niets geëxporteerd.",
            e.message
        )));
    }
    let (rows, _) = store::list_payments(&state.db, &query.filter(), None).await?;
    let mut table = Table::new(
        "Betalingen",
        &[
            ("Betaling", Kind::Count),
            ("Dossier", Kind::Text),
            ("Begunstigde", Kind::Text),
            ("NIS-code", Kind::Count),
            ("Projectjaar", Kind::Count),
            ("Schijf", Kind::Text),
            ("Richting", Kind::Text),
            ("Bedrag", Kind::Money),
            ("Status", Kind::Text),
            ("Vervaldag", Kind::Date),
            ("Betaald op", Kind::Date),
            ("Bankreferentie", Kind::Text),
            ("Berekening", Kind::Text),
        ],
    );
    for r in rows {
        let t = tranche(r.payment.tranche);
        table.push(vec![
            Cell::Count(r.payment.id),
            r.app.reference.into(),
            r.payee.into(),
            r.nis_code
                .map(|n| Cell::Count(i64::from(n)))
                .unwrap_or(Cell::Empty),
            Cell::Count(i64::from(r.payment.year_number)),
            t.code().into(),
            (if t.is_owed_back() {
                "terug te betalen door de begunstigde"
            } else {
                "te betalen aan de begunstigde"
            })
            .into(),
            Cell::Money(r.payment.amount_cents),
            payment_state(r.payment.state).label().into(),
            r.payment.due_on.into(),
            r.payment.paid_on.into(),
            r.payment.bank_reference.into(),
            r.payment.computation.into(),
        ]);
    }
    Ok(export::download(&table, format))
}

#[derive(Debug, Deserialize, Default)]
pub struct StateForm {
    #[serde(default)]
    pub step: String,
    #[serde(default)]
    pub version: String,
    #[serde(default)]
    pub terug: String,
    /// `ja` when the form is the confirmation page's (every step is confirmed there first).
    #[serde(default)]
    pub bevestigd: String,
    #[serde(default)]
    pub paid_on: String,
    #[serde(default)]
    pub bank_reference: String,
    #[serde(default)]
    pub reason: String,
}

impl StateForm {
    /// The list to go back to: `terug` when it is the payment list, else the list itself.
    fn back(&self) -> String {
        if self.terug.starts_with("/opvolging/betalingen") {
            self.terug.clone()
        } else {
            "/opvolging/betalingen".to_owned()
        }
    }

    fn input(&self) -> StepInput {
        StepInput {
            paid_on: self.paid_on.clone(),
            bank_reference: self.bank_reference.clone(),
            reason: self.reason.clone(),
        }
    }
}

#[derive(Debug, Deserialize, Default)]
pub struct ConfirmQuery {
    #[serde(default)]
    pub stap: String,
    #[serde(default)]
    pub terug: String,
}

/// The confirmation page of one payment step: the consequence in words, what the step records
/// (the payment day and the bank's reference, or the reason), or why the caller cannot take it.
#[derive(Template)]
#[template(path = "followup/payment_confirm.html")]
pub struct ConfirmPage {
    pub layout: Layout,
    pub id: i64,
    pub version: i32,
    pub app_id: i64,
    pub reference: String,
    pub payee: String,
    pub year: i32,
    pub tranche: &'static str,
    pub amount: i64,
    pub owed_back: bool,
    pub state: &'static str,
    pub due: Option<chrono::NaiveDate>,
    /// The step's code and its button.
    pub step: &'static str,
    pub button: &'static str,
    /// The consequence in words (the domain's sentence with the amount and the payee).
    pub consequence: String,
    /// Why the caller cannot take the step (four eyes).
    pub refusal: Option<&'static str>,
    /// The payee's account (`BE68 5390 0754 7034, Stad Antwerpen`), if it gave one.
    pub account: Option<String>,
    pub asks_payment: bool,
    pub asks_reason: bool,
    /// What was typed (or proposed: today for the payment day).
    pub paid_on: String,
    pub bank_reference: String,
    pub reason: String,
    pub errors: FormErrors,
    pub terug: String,
}

/// Every organisation's account, by organisation.
pub type Accounts = std::collections::HashMap<(OrgKind, i64), entity::bank_account::Model>;

/// Whose account a payment goes to.
fn payee_key(payment: &entity::payment::Model) -> Option<(OrgKind, i64)> {
    match (
        payment.payee_municipality_id,
        payment.payee_partner_organisation_id,
    ) {
        (Some(m), _) => Some((OrgKind::Municipality, m)),
        (None, Some(p)) => Some((OrgKind::Partner, p)),
        (None, None) => None,
    }
}

/// An account as the confirmation page shows it: the IBAN in groups of four and its holder.
fn shown_account(account: &entity::bank_account::Model) -> String {
    let iban = crate::domain::iban::Iban::parse(&account.iban)
        .map(|i| i.to_string())
        .unwrap_or_else(|_| account.iban.clone());
    format!("{iban}, {}", account.holder)
}

fn button(step: PaymentStep) -> &'static str {
    match step {
        PaymentStep::Approve => "Betaling goedkeuren",
        PaymentStep::Pay => "Als betaald markeren",
        PaymentStep::Cancel => "Betaling annuleren",
    }
}

/// The confirmation page of `pending` with what was `typed` and its `errors` (the payment day
/// proposed is `caller`'s today).
fn confirm_view(
    ctx: &PageContext,
    caller: &Caller,
    pending: app::payments::Pending,
    typed: &StateForm,
    errors: FormErrors,
) -> Result<axum::response::Html<String>, AppError> {
    let app::payments::Pending {
        row,
        step,
        refusal,
        account,
    } = pending;
    let account = account.map(|a| shown_account(&a));
    let t = tranche(row.payment.tranche);
    let amount = Cents::new(row.payment.amount_cents).unwrap_or_default();
    let consequence = consequence(step, t, amount, &row.payee);
    let paid_on = if typed.paid_on.is_empty() && errors.is_empty() {
        crate::domain::time::date_short(crate::domain::time::brussels_date(caller.now))
    } else {
        typed.paid_on.clone()
    };
    render(&ConfirmPage {
        layout: ctx.layout(format!("Bevestigen: {}", step.label())),
        id: row.payment.id,
        version: row.payment.version,
        app_id: row.app.id,
        reference: row.app.reference,
        payee: row.payee,
        year: row.payment.year_number,
        tranche: t.code(),
        amount: row.payment.amount_cents,
        owed_back: t.is_owed_back(),
        state: payment_state(row.payment.state).label(),
        due: row.payment.due_on,
        step: step.code(),
        button: button(step),
        consequence,
        refusal,
        account,
        asks_payment: step == PaymentStep::Pay,
        asks_reason: step == PaymentStep::Cancel,
        paid_on,
        bank_reference: typed.bank_reference.clone(),
        reason: typed.reason.clone(),
        errors,
        terug: typed.back(),
    })
}

/// Adapter: [`app::payments::pending`] → the confirmation page of a payment step.
async fn confirm_page(
    State(state): State<AppState>,
    caller: Caller,
    ctx: PageContext,
    Id(id): Id,
    Query(query): Query<ConfirmQuery>,
) -> Result<Response, AppError> {
    let pending = app::payments::pending(&state, &caller, id, &query.stap).await?;
    let typed = StateForm {
        terug: query.terug,
        ..StateForm::default()
    };
    Ok(confirm_view(&ctx, &caller, pending, &typed, FormErrors::default())?.into_response())
}

/// Adapter: the confirmation page's form → [`app::payments::change_state`] → back to the list
/// (`terug`, when it is the list) with the new state; the page again (422) with a message per
/// field. A form that was not confirmed (a list of before, a crafted post) goes to the
/// confirmation page first.
async fn change_state(
    State(state): State<AppState>,
    caller: Caller,
    ctx: PageContext,
    Id(id): Id,
    Form(form): Form<StateForm>,
) -> Result<Response, AppError> {
    if form.bevestigd != "ja" {
        let to = format!(
            "/opvolging/betalingen/{id}/bevestigen?stap={}&terug={}",
            crate::auth::session::urlencode(form.step.trim()),
            crate::auth::session::urlencode(&form.back()),
        );
        return Ok(axum::response::Redirect::to(&to).into_response());
    }
    let version: i32 = form.version.trim().parse().unwrap_or(-1);
    let input = form.input();
    match app::payments::change_state(&state, &caller, id, &form.step, version, &input).await {
        Ok(to) => Ok(
            FlashRedirect::new(form.back(), format!("Betaling {id}: {}.", to.label()))
                .into_response(),
        ),
        Err(app::Error::Invalid(errors)) if !errors.has("step") => {
            let pending = app::payments::pending(&state, &caller, id, &form.step).await?;
            let page = confirm_view(&ctx, &caller, pending, &form, errors)?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
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
