//! Allocation of a project year's envelope under over-subscription (toewijzing): ABB computes a
//! proposal with the rules engine, reviewers adjust lines within the rules, an admin confirms.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde::Deserialize;

use entity::allocation::{self, AllocationState};
use entity::app_user;

use crate::app::{self, Caller};
use crate::domain::Cents;
use crate::error::AppError;
use crate::state::AppState;
use crate::store::municipalities;
use crate::store::{agreements, allocations};
use crate::web::RouteTable;
use crate::web::context::PageContext;
use crate::web::extract::{FlashRedirect, Id, Ids};
use crate::web::form::FormErrors;
use crate::web::pages::{Layout, render};
use crate::web::routes::{ADMINS, STAFF};

pub fn routes() -> RouteTable {
    RouteTable::new()
        .get("/beoordeling/toewijzing", STAFF, show)
        .get("/beoordeling/toewijzing/export", STAFF, export_allocation)
        .post("/beoordeling/toewijzing", STAFF, propose)
        .post("/beoordeling/toewijzing/{id}/regels/{line}", STAFF, adjust)
        .post("/beoordeling/toewijzing/{id}/bevestigen", ADMINS, confirm)
}

use crate::web::filters;
use crate::web::form::{Form, Query};

pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

pub struct LineRow {
    pub id: i64,
    pub rank: i32,
    pub code: String,
    pub title: String,
    pub requested: i64,
    pub proposed: i64,
    pub adjusted: Option<i64>,
    /// What the amount field holds: what was typed after a refusal, else the amount.
    pub adjusted_input: String,
    pub short: bool,
    pub reason: String,
    pub error: String,
}

pub struct DossierRows {
    pub reference: String,
    pub lead: String,
    pub state: &'static str,
    /// Funded under a partner organisation's separate agreement: what it says.
    pub agreement: Option<String>,
    /// A partner organisation's dossier without an agreement in the call: why it takes part in
    /// the allocation by priority.
    pub note: Option<String>,
    pub lines: Vec<LineRow>,
}

/// A separate agreement the call attaches, as the page lists it.
pub struct AttachedRow {
    pub partner: String,
    pub amount: i64,
    pub source: String,
    pub illustrative: bool,
}

impl From<&agreements::Attached> for AttachedRow {
    fn from(a: &agreements::Attached) -> Self {
        Self {
            partner: a.partner_name.clone(),
            amount: a.amount_cents_per_project_year,
            source: a.source.clone(),
            illustrative: a.illustrative,
        }
    }
}

/// Why not every requested amount is funded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotFunded {
    /// Everything fits.
    Nothing,
    /// More was requested than the envelope holds.
    OverEnvelope,
    /// A partner organisation asked more than its separate agreement gives (and a reviewer may
    /// have granted less than requested).
    BeyondAgreement,
    /// A reviewer granted less than requested.
    Adjusted,
}

pub struct AllocationSummary {
    pub id: i64,
    pub version: i32,
    pub confirmed: bool,
    /// Who confirmed it (confirmed) or computed it (proposed), and when.
    pub by: String,
    pub at: Option<DateTime<Utc>>,
    pub envelope: i64,
    /// Incentives granted off the envelope before the actions.
    pub incentives: i64,
    /// Granted under partner organisations' separate agreements (off the envelope first).
    pub agreements: i64,
    /// Some dossier is funded under a separate agreement.
    pub any_agreement: bool,
    /// Asked by partner organisations beyond their agreements.
    pub beyond_agreements: i64,
    pub requested: i64,
    pub proposed: i64,
    pub effective: i64,
    pub unallocated: i64,
    pub not_funded: i64,
    /// How much more was requested than the envelope holds (0 when it fits).
    pub over_envelope: i64,
    pub not_funded_why: NotFunded,
    /// Why the proposal no longer matches its inputs; it cannot be confirmed then.
    pub stale: Option<String>,
    pub dossiers: Vec<DossierRows>,
}

#[derive(Template)]
#[template(path = "allocation/show.html")]
pub struct AllocationPage {
    pub layout: Layout,
    pub errors: FormErrors,
    pub calls: Vec<Choice>,
    pub years: Vec<Choice>,
    pub call_id: i64,
    pub year: i32,
    /// The project year's envelope; `None` when the call has no such year.
    pub envelope: Option<i64>,
    pub allocation: Option<AllocationSummary>,
    pub is_admin: bool,
    /// Why the caller cannot confirm the proposal (four eyes: they computed or adjusted it).
    pub refusal: Option<&'static str>,
    /// The separate agreements of partner organisations the call attaches.
    pub attached: Vec<AttachedRow>,
}

#[derive(Debug, Deserialize, Default)]
pub struct ShowQuery {
    #[serde(default)]
    pub call_id: Option<String>,
    #[serde(default)]
    pub year: Option<String>,
    /// `csv` or `xlsx` for the export.
    #[serde(default)]
    pub formaat: String,
}

/// The latest allocation of a call's project year as a table, one row per action line.
async fn export_allocation(
    State(state): State<AppState>,
    Query(query): Query<ShowQuery>,
) -> Result<Response, AppError> {
    use crate::export;
    let format = export::format_from(&query.formaat)
        .ok_or_else(|| AppError::BadRequest("Kies formaat=csv of formaat=xlsx.".into()))?;
    let call_id: i64 = query
        .call_id
        .as_deref()
        .and_then(|t| t.trim().parse().ok())
        .ok_or(AppError::NotFound)?;
    let year: i32 = query
        .year
        .as_deref()
        .and_then(|t| t.trim().parse().ok())
        .ok_or(AppError::NotFound)?;
    let call = allocations::call(&state.db, call_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let a = allocations::latest(&state.db, call_id, year)
        .await?
        .ok_or(AppError::NotFound)?;
    let lines = allocations::lines(&state.db, a.id).await?;
    let context = allocations::line_context(&state.db, &lines).await?;
    let catalog = allocations::catalog(&state.db).await?;
    let table = allocation_table(&call.code, year, &a, &lines, &context, &catalog);
    Ok(export::download(&table, format))
}

/// The allocation `a` as an export table: one row per action line, then the incentives.
fn allocation_table(
    call_code: &str,
    year: i32,
    a: &allocation::Model,
    lines: &[entity::allocation_line::Model],
    context: &std::collections::HashMap<i64, allocations::LineContext>,
    catalog: &BTreeMap<i64, (String, String)>,
) -> crate::export::Table {
    use crate::export::Table;
    let mut table = Table::new(
        &format!("Toewijzing {call_code} projectjaar {year}"),
        EXPORT_COLUMNS,
    );
    let status = status_label(a.state);
    for line in lines {
        let Some(ctx) = context.get(&line.application_action_id) else {
            continue;
        };
        let (code, title) = catalog
            .get(&ctx.action.call_action_id)
            .cloned()
            .unwrap_or_default();
        table.push(line_cells(line, ctx, status, code, title));
    }
    table.push(incentive_cells(a, status));
    table
}

/// The columns of the allocation export, in the order of [`line_cells`].
const EXPORT_COLUMNS: &[(&str, crate::export::Kind)] = {
    use crate::export::Kind;
    &[
        ("Referentie", Kind::Text),
        ("Trekker", Kind::Text),
        ("Status toewijzing", Kind::Text),
        ("Prioriteit", Kind::Count),
        ("Actie", Kind::Text),
        ("Titel", Kind::Text),
        ("Gevraagd", Kind::Money),
        ("Voorstel", Kind::Money),
        ("Aangepast", Kind::Money),
        ("Toegewezen", Kind::Money),
        ("Reden", Kind::Text),
        ("Aparte overeenkomst per projectjaar", Kind::Money),
    ]
};

fn status_label(state: AllocationState) -> &'static str {
    match state {
        AllocationState::Confirmed => "bevestigd",
        AllocationState::Proposed => "voorstel",
    }
}

/// One action line of the export.
fn line_cells(
    line: &entity::allocation_line::Model,
    ctx: &allocations::LineContext,
    status: &str,
    code: String,
    title: String,
) -> Vec<crate::export::Cell> {
    use crate::export::Cell;
    vec![
        ctx.application.reference.clone().into(),
        ctx.lead_name.clone().into(),
        status.into(),
        Cell::Count(i64::from(ctx.action.priority_rank)),
        code.into(),
        title.into(),
        Cell::Money(line.requested_cents),
        Cell::Money(line.proposed_cents),
        line.adjusted_cents.map(Cell::Money).unwrap_or(Cell::Empty),
        Cell::Money(allocations::effective(line)),
        line.reason.clone().into(),
        line.agreement_cents.map(Cell::Money).unwrap_or(Cell::Empty),
    ]
}

/// The last row of the export: the incentives, taken off the envelope.
fn incentive_cells(a: &allocation::Model, status: &str) -> Vec<crate::export::Cell> {
    use crate::export::Cell;
    vec![
        "Incentives (van de enveloppe af)".into(),
        Cell::Empty,
        status.into(),
        Cell::Empty,
        Cell::Empty,
        Cell::Empty,
        Cell::Empty,
        Cell::Empty,
        Cell::Empty,
        Cell::Money(a.incentives_cents),
        Cell::Empty,
        Cell::Empty,
    ]
}

/// The open call (else the latest) when none is chosen.
async fn default_call(state: &AppState) -> Result<Option<i64>, AppError> {
    if let Some(open) = municipalities::open_calls(&state.db).await?.first() {
        return Ok(Some(open.id));
    }
    Ok(municipalities::latest_call(&state.db).await?.map(|c| c.id))
}

/// A line the page shows with an error and the typed input.
struct LineInput {
    line_id: i64,
    input: String,
    message: String,
}

async fn page(
    state: &AppState,
    ctx: &PageContext,
    call_id: i64,
    year: i32,
    errors: FormErrors,
    input: Option<LineInput>,
) -> Result<Html<String>, AppError> {
    let calls = allocations::calls(&state.db).await?;
    let years = allocations::project_years(&state.db).await?;
    let envelope = allocations::envelope(&state.db, call_id, year).await?;
    let current = allocations::latest(&state.db, call_id, year).await?;
    let attached = agreements::of_call(&state.db, call_id).await?;
    let by = ctx.user.as_ref().map(|u| u.user.id);
    let (summary, refusal) = match current {
        Some(a) => (
            Some(summary(state, &a, input.as_ref(), &attached).await?),
            app::allocation::refusal(state, by, &a).await?,
        ),
        None => (None, None),
    };
    let is_admin = ctx
        .user
        .as_ref()
        .is_some_and(|u| u.user.role == app_user::UserRole::Admin);
    render(&AllocationPage {
        layout: ctx.layout("Toewijzing van de enveloppe"),
        errors,
        calls: call_choices(&calls, call_id),
        years: year_choices(&years, call_id, year),
        call_id,
        year,
        envelope,
        allocation: summary,
        is_admin,
        refusal,
        attached: attached.iter().map(AttachedRow::from).collect(),
    })
}

/// The calls to choose from, `call_id` chosen.
fn call_choices(calls: &[entity::call::Model], call_id: i64) -> Vec<Choice> {
    calls
        .iter()
        .map(|c| Choice {
            value: c.id.to_string(),
            label: format!("{} ({})", c.title, c.code),
            selected: c.id == call_id,
        })
        .collect()
}

/// The project years of call `call_id`, `year` chosen.
fn year_choices(
    years: &[entity::call_project_year::Model],
    call_id: i64,
    year: i32,
) -> Vec<Choice> {
    years
        .iter()
        .filter(|y| y.call_id == call_id)
        .map(|y| Choice {
            value: y.year_number.to_string(),
            label: format!(
                "Projectjaar {} ({} tot {})",
                y.year_number,
                y.starts_on.format("%d-%m-%Y"),
                y.ends_on.format("%d-%m-%Y")
            ),
            selected: y.year_number == year,
        })
        .collect()
}

/// The allocation `a` as the page shows it: its lines per dossier (with the typed `input` of a
/// refused line), the totals and why not everything is funded. Longer than 50 lines: it arranges
/// one row per line and the totals' explanation; the queries are the store's.
async fn summary(
    state: &AppState,
    a: &allocation::Model,
    input: Option<&LineInput>,
    attached: &[agreements::Attached],
) -> Result<AllocationSummary, AppError> {
    let lines = allocations::lines(&state.db, a.id).await?;
    let context = allocations::line_context(&state.db, &lines).await?;
    let catalog = allocations::catalog(&state.db).await?;
    let mut dossiers: BTreeMap<String, DossierRows> = BTreeMap::new();
    let (mut requested, mut proposed, mut effective) = (0i64, 0i64, 0i64);
    // Per dossier under an agreement: (asked, the agreement's amount).
    let mut under_agreement: BTreeMap<String, (i64, i64)> = BTreeMap::new();
    let mut agreements_granted = 0i64;
    for line in &lines {
        requested = requested.saturating_add(line.requested_cents);
        proposed = proposed.saturating_add(line.proposed_cents);
        effective = effective.saturating_add(allocations::effective(line));
        if line.agreement_cents.is_some() {
            agreements_granted = agreements_granted.saturating_add(allocations::effective(line));
        }
        let Some(ctx) = context.get(&line.application_action_id) else {
            continue;
        };
        let (code, title) = catalog
            .get(&ctx.action.call_action_id)
            .cloned()
            .unwrap_or_default();
        let typed = input.filter(|i| i.line_id == line.id);
        let row = LineRow {
            id: line.id,
            rank: ctx.action.priority_rank,
            code,
            title,
            requested: line.requested_cents,
            proposed: line.proposed_cents,
            adjusted: line.adjusted_cents,
            adjusted_input: typed.map(|i| i.input.clone()).unwrap_or_else(|| {
                Cents::new(allocations::effective(line))
                    .map(Cents::to_plain_string)
                    .unwrap_or_default()
            }),
            short: allocations::effective(line) < line.requested_cents,
            reason: line.reason.clone(),
            error: typed.map(|i| i.message.clone()).unwrap_or_default(),
        };
        if let Some(amount) = line.agreement_cents {
            let entry = under_agreement
                .entry(ctx.application.reference.clone())
                .or_insert((0, amount));
            entry.0 = entry.0.saturating_add(line.requested_cents);
        }
        dossiers
            .entry(ctx.application.reference.clone())
            .or_insert_with(|| dossier_rows(ctx, line.agreement_cents, attached))
            .lines
            .push(row);
    }
    let beyond_agreements: i64 = under_agreement
        .values()
        .map(|(asked, amount)| asked.saturating_sub(*amount).max(0))
        .fold(0i64, i64::saturating_add);
    let confirmed = a.state == AllocationState::Confirmed;
    let (by, at) = if confirmed {
        (a.confirmed_by, a.confirmed_at)
    } else {
        (a.created_by, Some(a.created_at))
    };
    let not_funded = requested.saturating_sub(effective).max(0);
    let not_funded_why = if not_funded == 0 {
        NotFunded::Nothing
    } else if requested > a.envelope_cents {
        NotFunded::OverEnvelope
    } else if beyond_agreements > 0 {
        NotFunded::BeyondAgreement
    } else {
        NotFunded::Adjusted
    };
    Ok(AllocationSummary {
        id: a.id,
        version: a.version,
        confirmed,
        by: allocations::user_name(&state.db, by).await?,
        at,
        envelope: a.envelope_cents,
        incentives: a.incentives_cents,
        agreements: agreements_granted,
        any_agreement: !under_agreement.is_empty(),
        beyond_agreements,
        requested,
        proposed,
        effective,
        unallocated: a
            .envelope_cents
            .saturating_sub(a.incentives_cents)
            .saturating_sub(effective),
        not_funded,
        over_envelope: requested.saturating_sub(a.envelope_cents).max(0),
        not_funded_why,
        stale: app::allocation::staleness(state, a).await?,
        dossiers: dossiers.into_values().collect(),
    })
}

/// A dossier's heading rows: what its separate agreement says when its lines were funded under
/// one (`agreement_cents`), or why a partner organisation without one takes part in the
/// allocation by priority.
fn dossier_rows(
    ctx: &allocations::LineContext,
    agreement_cents: Option<i64>,
    attached: &[agreements::Attached],
) -> DossierRows {
    let partner = ctx.application.partner_organisation_id;
    let terms = partner.and_then(|id| attached.iter().find(|a| a.partner_id == id));
    let agreement = agreement_cents.map(|amount| {
        let amount = Cents::new(amount).unwrap_or_default();
        let mut text = format!(
            "Aparte overeenkomst met de Vlaamse overheid: {amount} per projectjaar, buiten de verdeling volgens prioriteit (eerst van de enveloppe)."
        );
        if let Some(terms) = terms {
            text.push_str(&format!(" Bron: {}", terms.source));
            if terms.illustrative {
                text.push_str(" (illustratief bedrag)");
            }
            text.push('.');
        }
        text
    });
    let note = (agreement.is_none() && partner.is_some())
        .then(|| crate::domain::allocation::without_agreement_note(&ctx.lead_name));
    DossierRows {
        reference: ctx.application.reference.clone(),
        lead: ctx.lead_name.clone(),
        state: crate::web::dossiers::state_label(ctx.application.state),
        agreement,
        note,
        lines: Vec::new(),
    }
}

async fn show(
    State(state): State<AppState>,
    ctx: PageContext,
    Query(query): Query<ShowQuery>,
) -> Result<Response, AppError> {
    let call_id = match query.call_id.as_deref().map(str::trim) {
        Some(text) if !text.is_empty() => text.parse().map_err(|_| AppError::NotFound)?,
        _ => match default_call(&state).await? {
            Some(id) => id,
            None => {
                return Err(AppError::BadRequest(
                    "Er is nog geen oproep om toe te wijzen.".into(),
                ));
            }
        },
    };
    if allocations::call(&state.db, call_id).await?.is_none() {
        return Err(AppError::NotFound);
    }
    let year = match query.year.as_deref().map(str::trim) {
        Some(text) if !text.is_empty() => text.parse().map_err(|_| AppError::NotFound)?,
        _ => 1,
    };
    Ok(
        page(&state, &ctx, call_id, year, FormErrors::default(), None)
            .await?
            .into_response(),
    )
}

fn page_url(call_id: i64, year: i32) -> String {
    format!("/beoordeling/toewijzing?call_id={call_id}&year={year}")
}

#[derive(Debug, Deserialize, Default)]
pub struct ProposeForm {
    #[serde(default)]
    pub call_id: String,
    #[serde(default)]
    pub year: String,
}

/// Adapter: [`app::allocation::propose`]; a refusal shows the page with its message (409 when
/// the year is already confirmed, else 422).
async fn propose(
    State(state): State<AppState>,
    caller: Caller,
    ctx: PageContext,
    Form(form): Form<ProposeForm>,
) -> Result<Response, AppError> {
    let (Ok(call_id), Ok(year)) = (
        form.call_id.trim().parse::<i64>(),
        form.year.trim().parse::<i32>(),
    ) else {
        return Err(AppError::BadRequest(
            "Kies een oproep en een projectjaar.".into(),
        ));
    };
    let (status, errors) = match app::allocation::propose(&state, &caller, call_id, year).await {
        Ok(p) => {
            return Ok(FlashRedirect::new(
                page_url(call_id, year),
                format!(
                    "Voorstel berekend voor {}: {} toegekend van {} gevraagd, binnen een enveloppe van {}.",
                    crate::domain::dutch::counted(
                        u64::try_from(p.dossiers).unwrap_or(0),
                        "dossier",
                        "dossiers"
                    ),
                    p.granted,
                    p.requested,
                    p.envelope
                ),
            )
            .into_response());
        }
        Err(app::Error::Conflict(message)) => (
            StatusCode::CONFLICT,
            one_error(app::allocation::PROPOSAL_FIELD, message),
        ),
        Err(app::Error::Invalid(errors)) => (StatusCode::UNPROCESSABLE_ENTITY, errors),
        Err(other) => return Err(other.into()),
    };
    let html = page(&state, &ctx, call_id, year, errors, None).await?;
    Ok((status, html).into_response())
}

fn one_error(field: &str, message: String) -> FormErrors {
    let mut errors = FormErrors::default();
    errors.add(field, message);
    errors
}

#[derive(Debug, Deserialize, Default)]
pub struct AdjustForm {
    #[serde(default)]
    pub amount: String,
    #[serde(default)]
    pub version: Option<i32>,
}

/// Adapter: [`app::allocation::adjust`]; a refusal shows the page with the line's message and
/// what was typed (409 when the allocation changed or was confirmed, else 422).
async fn adjust(
    State(state): State<AppState>,
    caller: Caller,
    ctx: PageContext,
    Ids(id, line_id): Ids,
    Form(form): Form<AdjustForm>,
) -> Result<Response, AppError> {
    let field = app::allocation::line_field(line_id);
    let result =
        app::allocation::adjust(&state, &caller, id, line_id, &form.amount, form.version).await;
    let (status, message) = match result {
        Ok(amount) => {
            let current = found(&state, id).await?;
            return Ok(FlashRedirect::new(
                page_url(current.call_id, current.year_number),
                format!("Bedrag aangepast naar {amount}."),
            )
            .into_response());
        }
        Err(app::Error::Conflict(message)) => (StatusCode::CONFLICT, message),
        Err(app::Error::Invalid(errors)) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            errors.get(&field).to_owned(),
        ),
        Err(other) => return Err(other.into()),
    };
    let current = found(&state, id).await?;
    let input = Some(LineInput {
        line_id,
        input: form.amount,
        message: message.clone(),
    });
    let errors = one_error(&field, message);
    let html = page(
        &state,
        &ctx,
        current.call_id,
        current.year_number,
        errors,
        input,
    )
    .await?;
    Ok((status, html).into_response())
}

async fn found(state: &AppState, id: i64) -> Result<entity::allocation::Model, AppError> {
    allocations::find(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)
}

#[derive(Debug, Deserialize, Default)]
pub struct ConfirmForm {
    #[serde(default)]
    pub version: Option<i32>,
}

/// Adapter: [`app::allocation::confirm`]; a refusal shows the page with its message (409).
async fn confirm(
    State(state): State<AppState>,
    caller: Caller,
    ctx: PageContext,
    Id(id): Id,
    Form(form): Form<ConfirmForm>,
) -> Result<Response, AppError> {
    let result = app::allocation::confirm(&state, &caller, id, form.version).await;
    let current = found(&state, id).await?;
    let url = page_url(current.call_id, current.year_number);
    match result {
        Ok(total) => Ok(FlashRedirect::new(
            url,
            format!("Toewijzing bevestigd: {total} toegekend."),
        )
        .into_response()),
        Err(app::Error::Conflict(message)) => {
            let errors = one_error(app::allocation::CONFIRM_FIELD, message);
            let (call_id, year) = (current.call_id, current.year_number);
            let html = page(&state, &ctx, call_id, year, errors, None).await?;
            Ok((StatusCode::CONFLICT, html).into_response())
        }
        Err(other) => Err(other.into()),
    }
}
