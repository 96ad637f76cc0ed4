//! Progress reports over the API: the interim and year reports of an approved dossier, read,
//! filled in (measured value and motivation per KPI) and submitted. The same policy
//! (`load_for` → `policy::decide`), the same reader and the same store function as the report
//! form ([`crate::store::reports`]); changes need `If-Match` with the report's ETag.

use std::collections::HashMap;

use axum::Json;
use axum::body::Bytes;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use entity::progress_report;

use super::code_of;
use super::dossiers::{thousandths, with_etag};
use super::extract::{JsonBytes, TokenUser, if_match, matches, parse};
use super::problem::{ApiError, FieldProblem, Problem, field_problems};
use super::types::AttachmentOut;
use crate::app::{self, Caller};
use crate::domain::KpiValue;
use crate::domain::fields::{FieldErrors, number_as_typed};
use crate::domain::followup::{assess_kpi, is_overdue};
use crate::policy::Action;
use crate::state::AppState;
use crate::store::followup::{self as followup, FollowUp, plan_of, report_kind, report_state};
use crate::store::reports;

/// A KPI of a report: the plan and what was measured.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReportKpiOut {
    pub kpi_id: i64,
    pub action_code: String,
    pub indicator: String,
    pub unit: String,
    pub baseline: f64,
    pub target: f64,
    /// The measured value, when given.
    pub actual: Option<f64>,
    pub motivation: Option<String>,
    /// Dutch: the achievement and whether the target is missed, as the form shows it.
    pub assessment: Option<String>,
    pub missed: bool,
    /// ABB's judgement of the motivation, once the report is reviewed.
    pub motivation_accepted: Option<bool>,
}

/// An interim or year report of a project year.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReportOut {
    pub id: i64,
    pub dossier_id: i64,
    pub year_number: i32,
    /// `interim` or `year`.
    pub kind: String,
    pub title: String,
    /// `draft`, `submitted`, `sent_back` or `accepted`.
    pub state: String,
    pub state_label: String,
    pub due_on: chrono::NaiveDate,
    /// `due_on` with whether it is illustrative and why.
    pub due: DueOut,
    pub overdue: bool,
    pub submitted_at: Option<chrono::DateTime<Utc>>,
    /// ABB's note when it sent the report back or accepted it.
    pub review_note: Option<String>,
    /// Whether you may fill it in and submit it now.
    pub editable: bool,
    /// The version, for `If-Match`.
    pub etag: String,
    pub kpis: Vec<ReportKpiOut>,
    /// The files added to this report, oldest first.
    pub attachments: Vec<AttachmentOut>,
}

/// A report's deadline: the call's published date, or illustrative (a date the call derived,
/// or one moved because the dossier was approved late, a rule no source gives).
#[derive(Debug, Serialize, ToSchema)]
pub struct DueOut {
    pub date: chrono::NaiveDate,
    pub illustrative: bool,
    /// Why it is illustrative, in Dutch, as the report page says it.
    pub note: Option<String>,
}

/// The reports of a dossier.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReportList {
    pub items: Vec<ReportOut>,
}

/// One KPI's measured value and motivation.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportResultIn {
    pub kpi_id: i64,
    /// The measured value, at most three decimals; leave out while unknown (a submission needs it).
    #[schema(value_type = Option<f64>, minimum = 0, maximum = 1000000000)]
    pub actual: Option<serde_json::Number>,
    /// Required on submission when the target is missed.
    #[schema(max_length = 5000)]
    pub motivation: Option<String>,
}

/// The values of a report. KPIs left out keep their saved value.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportIn {
    pub results: Vec<ReportResultIn>,
}

/// The report's ETag: its id and version (every save moves the version on).
pub fn etag(report: &progress_report::Model) -> String {
    format!("\"r{}-{}\"", report.id, report.version)
}

fn tagged(status: StatusCode, out: ReportOut) -> Response {
    let tag = out.etag.clone();
    with_etag(status, &tag, out)
}

fn stale() -> ApiError {
    ApiError::new(
        StatusCode::PRECONDITION_FAILED,
        "Het rapport werd intussen gewijzigd (de ETag in `If-Match` is verouderd). Lees het \
         rapport opnieuw en verstuur uw wijziging met de nieuwe ETag.",
    )
}

/// The attachments of the dossier's reports, per report, oldest first.
async fn report_attachments(
    state: &AppState,
    dossier_id: i64,
) -> Result<HashMap<i64, Vec<AttachmentOut>>, ApiError> {
    let rows = followup::dossier_report_attachments(&state.db, dossier_id).await?;
    let mut by_report: HashMap<i64, Vec<AttachmentOut>> = HashMap::new();
    for row in rows {
        if let Some(report) = row.progress_report_id {
            by_report.entry(report).or_default().push(row.into());
        }
    }
    Ok(by_report)
}

fn report_out(
    fu: &FollowUp,
    report: &progress_report::Model,
    may_edit: bool,
    attachments: &HashMap<i64, Vec<AttachmentOut>>,
    today: chrono::NaiveDate,
) -> ReportOut {
    let kpis = kpis_out(fu, report);
    let state = report_state(report.state);
    ReportOut {
        id: report.id,
        dossier_id: fu.app.id,
        year_number: report.year_number,
        kind: code_of(&report.kind),
        title: reports::report_title(report.kind, report.year_number),
        state: code_of(&report.state),
        state_label: state.label().to_owned(),
        due_on: report.due_on,
        due: {
            let standing = fu.due_standing(report);
            DueOut {
                date: report.due_on,
                illustrative: standing.illustrative(),
                note: standing.note(),
            }
        },
        overdue: is_overdue(state, report.due_on, today),
        submitted_at: report.submitted_at,
        review_note: report.review_note.clone(),
        editable: may_edit && state.is_editable(),
        etag: etag(report),
        kpis,
        attachments: attachments.get(&report.id).cloned().unwrap_or_default(),
    }
}

/// The KPIs of the report's year, each with its saved result and how it was assessed.
fn kpis_out(fu: &FollowUp, report: &progress_report::Model) -> Vec<ReportKpiOut> {
    let kind = report_kind(report.kind);
    fu.actions_in(report.year_number)
        .into_iter()
        .flat_map(|a| a.kpis.iter().map(move |k| (a, k)))
        .map(|(a, k)| {
            let saved = fu.result(report.id, k.id);
            let actual = saved.and_then(|r| r.actual_value);
            let assessed = actual
                .and_then(|v| u64::try_from(v).ok())
                .map(KpiValue::from_thousandths)
                .map(|v| assess_kpi(plan_of(k), v, kind, fu.continuation_min_bp()));
            ReportKpiOut {
                kpi_id: k.id,
                action_code: a.code.clone(),
                indicator: k.indicator.clone(),
                unit: k.unit.clone(),
                baseline: thousandths(k.baseline),
                target: thousandths(k.target),
                actual: actual.map(thousandths),
                motivation: saved.and_then(|r| r.motivation.clone()),
                assessment: assessed.as_ref().map(|a| a.explanation.clone()),
                missed: assessed.as_ref().is_some_and(|a| a.missed),
                motivation_accepted: saved.and_then(|r| r.motivation_accepted),
            }
        })
        .collect()
}

/// The caller of a command: the key's user, now.
fn caller(state: &AppState, user: &TokenUser) -> Caller {
    Caller::user(&user.user, user.ip.clone(), state.clock.now())
}

/// The dossier's follow-up for `action`: not followed (no decision yet) is not found.
async fn follow_up(
    state: &AppState,
    user: &TokenUser,
    id: &str,
    action: Action,
) -> Result<(crate::store::applications::DossierWithParties, FollowUp), ApiError> {
    let id = super::parse_id(id)?;
    let (dossier, fu) = app::followup::followup_of(state, &caller(state, user), id, action).await?;
    if !fu.is_followed() {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "Dit dossier heeft (nog) geen opvolging: rapporten bestaan pas na een goedkeuring.",
        ));
    }
    Ok((dossier, fu))
}

fn may_edit(user: &TokenUser, dossier: &crate::store::applications::DossierWithParties) -> bool {
    crate::policy::decide(
        &user.user.actor(),
        Action::EditDossier,
        Some(&dossier.parties),
    )
    .is_ok()
}

fn find_report(fu: &FollowUp, report: &str) -> Result<progress_report::Model, ApiError> {
    let id = super::parse_id(report)?;
    fu.reports
        .iter()
        .find(|r| r.id == id)
        .cloned()
        .ok_or_else(ApiError::not_found)
}

#[utoipa::path(
    get, path = "/api/v1/dossiers/{id}/reports", tag = "rapporten",
    summary = "De rapporten van een dossier",
    description = "Per projectjaar het tussentijds rapport en het jaarrapport van een goedgekeurd dossier, met per KPI het doel en wat gemeten werd.",
    params(("id" = String, Path, description = "Het id van het dossier")),
    responses(
        (status = 200, description = "De rapporten", body = ReportList),
        (status = 401, description = "Geen of ongeldige sleutel", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Geen dossier met dit id dat u mag zien, of (nog) geen opvolging", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn list(
    State(state): State<AppState>,
    user: TokenUser,
    Path(id): Path<String>,
) -> Result<Json<ReportList>, ApiError> {
    let (dossier, fu) = follow_up(&state, &user, &id, Action::ViewDossier).await?;
    let edit = may_edit(&user, &dossier);
    let attachments = report_attachments(&state, fu.app.id).await?;
    let today = state.clock.today();
    Ok(Json(ReportList {
        items: fu
            .reports
            .iter()
            .map(|r| report_out(&fu, r, edit, &attachments, today))
            .collect(),
    }))
}

#[utoipa::path(
    get, path = "/api/v1/dossiers/{id}/reports/{report}", tag = "rapporten",
    summary = "Eén rapport",
    description = "Het rapport met per KPI het doel en wat gemeten werd. De `ETag`-kop hoort bij `If-Match` om het in te vullen of in te dienen.",
    params(
        ("id" = String, Path, description = "Het id van het dossier"),
        ("report" = String, Path, description = "Het id van het rapport"),
    ),
    responses(
        (status = 200, description = "Het rapport", body = ReportOut,
            headers(("ETag" = String, description = "De versie van het rapport, voor If-Match"))),
        (status = 401, description = "Geen of ongeldige sleutel", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Geen rapport met dit id dat u mag zien", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn detail(
    State(state): State<AppState>,
    user: TokenUser,
    Path((id, report)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let (dossier, fu) = follow_up(&state, &user, &id, Action::ViewDossier).await?;
    let row = find_report(&fu, &report)?;
    let attachments = report_attachments(&state, fu.app.id).await?;
    Ok(tagged(
        StatusCode::OK,
        report_out(
            &fu,
            &row,
            may_edit(&user, &dossier),
            &attachments,
            state.clock.today(),
        ),
    ))
}

#[utoipa::path(
    put, path = "/api/v1/dossiers/{id}/reports/{report}", tag = "rapporten",
    summary = "Een rapport invullen (ontwerp)",
    description = "Bewaart de gemeten waarde en motivatie van de gegeven KPI's; weggelaten KPI's houden hun bewaarde waarde. Het rapport blijft een ontwerp. Vereist `If-Match` met de ETag van het rapport.",
    params(
        ("id" = String, Path, description = "Het id van het dossier"),
        ("report" = String, Path, description = "Het id van het rapport"),
        ("If-Match" = String, Header, description = "De ETag van het rapport zoals u het las"),
    ),
    request_body(content = ReportIn, content_type = "application/json"),
    responses(
        (status = 200, description = "Het bewaarde rapport", body = ReportOut,
            headers(("ETag" = String, description = "De nieuwe versie van het rapport"))),
        (status = 400, description = "Geen geldige JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Geen of ongeldige sleutel", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "U mag dit rapport niet invullen", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Geen rapport met dit id dat u mag zien", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Het rapport is ingediend of aanvaard", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "De ETag is verouderd", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Te groot", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Geen JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Velden niet in orde (een melding per veld)", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match ontbreekt", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn update(
    State(state): State<AppState>,
    user: TokenUser,
    Path((id, report)): Path<(String, String)>,
    headers: HeaderMap,
    JsonBytes(body): JsonBytes,
) -> Result<Response, ApiError> {
    change(&state, &user, &id, &report, &headers, body, false).await
}

#[utoipa::path(
    post, path = "/api/v1/dossiers/{id}/reports/{report}/submit", tag = "rapporten",
    summary = "Een rapport indienen",
    description = "Dient het rapport in bij ABB, eventueel met de laatste waarden in de body (zoals bij PUT). Elke KPI heeft dan een gemeten waarde nodig, en een motivatie waar het doel niet gehaald is. De leidende gemeente en de toegewezen beoordelaar krijgen een e-mail. Vereist `If-Match` met de ETag van het rapport.",
    params(
        ("id" = String, Path, description = "Het id van het dossier"),
        ("report" = String, Path, description = "Het id van het rapport"),
        ("If-Match" = String, Header, description = "De ETag van het rapport zoals u het las"),
    ),
    request_body(content = Option<ReportIn>, content_type = "application/json"),
    responses(
        (status = 200, description = "Het ingediende rapport", body = ReportOut,
            headers(("ETag" = String, description = "De nieuwe versie van het rapport"))),
        (status = 400, description = "Geen geldige JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Geen of ongeldige sleutel", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "U mag dit rapport niet indienen", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Geen rapport met dit id dat u mag zien", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Het rapport is al ingediend of aanvaard", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "De ETag is verouderd", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Te groot", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Geen JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Velden niet in orde (een melding per veld)", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match ontbreekt", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn submit(
    State(state): State<AppState>,
    user: TokenUser,
    Path((id, report)): Path<(String, String)>,
    headers: HeaderMap,
    JsonBytes(body): JsonBytes,
) -> Result<Response, ApiError> {
    change(&state, &user, &id, &report, &headers, body, true).await
}

/// Saves (or, when `submit`, submits) report `report` of dossier `id` with the values in
/// `body`, read only once access is checked; a save needs a body, a submission not. Adapter:
/// If-Match → [`app::followup::save_report`] → the saved report.
async fn change(
    state: &AppState,
    user: &TokenUser,
    id: &str,
    report: &str,
    headers: &HeaderMap,
    body: Option<Bytes>,
    submit: bool,
) -> Result<Response, ApiError> {
    let (_, fu) = follow_up(state, user, id, Action::EditDossier).await?;
    let row = find_report(&fu, report)?;
    let given = match body {
        Some(bytes) => parse::<ReportIn>(&bytes)?.results,
        None if submit => Vec::new(),
        None => {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "Stuur de waarden als JSON: `{\"results\": [{\"kpi_id\": …, \"actual\": …}]}`.",
            ));
        }
    };
    let expected = if_match(headers)?;
    if !matches(&expected, &etag(&row)) {
        return Err(stale());
    }
    let input = report_input(&given, submit, row.version);
    let caller = caller(state, user);
    match app::followup::save_report(state, &caller, fu.app.id, row.id, input).await {
        Ok(_) => {}
        Err(app::Error::Invalid(errors)) => return Err(invalid(&errors, &given)),
        Err(app::Error::Stale) => return Err(stale()),
        Err(app::Error::Conflict(message)) => {
            return Err(ApiError::new(StatusCode::CONFLICT, message));
        }
        Err(other) => return Err(other.into()),
    }
    let (dossier, fresh) = follow_up(state, user, id, Action::EditDossier).await?;
    let current = find_report(&fresh, report)?;
    let attachments = report_attachments(state, fresh.app.id).await?;
    Ok(tagged(
        StatusCode::OK,
        report_out(
            &fresh,
            &current,
            may_edit(user, &dossier),
            &attachments,
            caller.today(),
        ),
    ))
}

/// The values given over the API as the command reads them: a KPI left out keeps its value.
fn report_input(
    given: &[ReportResultIn],
    submit: bool,
    version: i32,
) -> app::followup::ReportInput {
    app::followup::ReportInput {
        submit,
        version,
        results: given
            .iter()
            .map(|g| app::followup::KpiTyped {
                kpi_id: g.kpi_id,
                actual: g.actual.as_ref().map(number_as_typed).unwrap_or_default(),
                motivation: g.motivation.clone().unwrap_or_default(),
            })
            .collect(),
        partial: true,
    }
}

/// The command's field messages named as the request's fields: `results[i].actual` for the
/// `i`-th result given, `results[kpi_id=K].actual` for a KPI not given.
fn invalid(errors: &FieldErrors, given: &[ReportResultIn]) -> ApiError {
    let problems = errors
        .items
        .iter()
        .map(|e| {
            let named = [("actual_", "actual"), ("motivation_", "motivation")]
                .into_iter()
                .find_map(|(prefix, part)| {
                    e.field
                        .strip_prefix(prefix)
                        .and_then(|k| k.parse::<i64>().ok())
                        .map(|kpi| (kpi, part))
                });
            let field = match named {
                Some((kpi, part)) => match given.iter().position(|g| g.kpi_id == kpi) {
                    Some(i) => format!("results[{i}].{part}"),
                    None => format!("results[kpi_id={kpi}].{part}"),
                },
                None => e.field.clone(),
            };
            FieldProblem {
                field,
                message: e.message.clone(),
            }
        })
        .collect();
    ApiError::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        "Niet alle waarden zijn in orde; er is niets bewaard. Zie de foutmelding per veld.",
    )
    .with_errors(problems)
}

#[utoipa::path(
    post, path = "/api/v1/dossiers/{id}/reports/{report}/attachments", tag = "rapporten",
    summary = "Een bijlage aan een rapport toevoegen",
    description = "Voegt een bestand (PDF, XLSX, DOCX, ODT, ODS, PNG of JPEG; de soort wordt aan de inhoud herkend) toe aan een rapport dat u nog mag invullen, bijvoorbeeld een deelnemerslijst die een motivatie staaft. Stuur `multipart/form-data` met het veld `file`. De ETag van het rapport verandert niet.",
    params(
        ("id" = String, Path, description = "Het id van het dossier"),
        ("report" = String, Path, description = "Het id van het rapport"),
    ),
    request_body(content_type = "multipart/form-data", description = "Het veld `file` met het bestand"),
    responses(
        (status = 201, description = "De bijlage is bewaard", body = AttachmentOut),
        (status = 401, description = "Geen of ongeldige sleutel", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "U mag dit rapport niet invullen", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Geen rapport met dit id dat u mag zien", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Het rapport is ingediend of aanvaard", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Het bestand is te groot", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Geen bestand, een leeg bestand of een soort die niet aanvaard wordt (een melding per veld)", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn upload(
    State(state): State<AppState>,
    user: TokenUser,
    Path((id, report)): Path<(String, String)>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, ApiError> {
    let (_, fu) = follow_up(&state, &user, &id, Action::EditDossier).await?;
    let row = find_report(&fu, &report)?;
    let current = report_state(row.state);
    if !current.is_editable() {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            format!(
                "Het rapport is {}: bijlagen toevoegen kan niet meer.",
                current.label()
            ),
        ));
    }
    let max = state.config.max_upload_bytes;
    let form = crate::upload::read_form(multipart, &state.config).await?;
    let file =
        crate::upload::validate_report_file(form, max, &crate::upload::max_size_label(&state))
            .map_err(|(status, errors)| {
                ApiError::new(
                    status,
                    "De bijlage werd niet bewaard. Zie de foutmelding per veld.",
                )
                .with_errors(field_problems("", &errors))
            })?;
    let by = crate::audit::By::of(&user.user, user.ip.clone());
    let saved =
        crate::app::attachments::record_report_file(&state, &fu.app, &row, &file, &by).await?;
    Ok((StatusCode::CREATED, Json(AttachmentOut::from(saved))).into_response())
}
