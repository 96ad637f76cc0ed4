//! Dossiers over the API: list, detail, start a draft, change it (general information, actions
//! with reach, money and KPIs, declarations), upload attachments and submit. Adapters of the same
//! commands as the pages ([`crate::app::dossier`]: the policy, the field readers, the
//! transaction); changes and submission need `If-Match` with the dossier's ETag.

use axum::Json;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

use entity::app_user::UserRole;
use entity::application::{self, ApplicationState};

use super::code_of;
use super::extract::{ApiId, ApiJson, ApiQuery, JsonBytes, TokenUser, if_match, matches, parse};
use super::problem::{ApiError, FieldProblem, Problem, field_problems};
use super::types::*;
use crate::app::dossier::{
    DossierUpdate, SectionStatus, Submission, WantedAction, ready_to_submit, statuses,
};
use crate::app::{self, Caller};
use crate::domain::attachments::missing_required;
use crate::domain::fields::{
    self, ActionInput, FieldErrors, GeneralInput, KpiInput, cents_as_typed, number_as_typed,
};
use crate::domain::limits;
use crate::domain::parts::{Part, is_editable};
use crate::domain::workflow::DossierState;
use crate::policy::{self, Action};
use crate::state::AppState;
use crate::store;
use crate::store::drafts::{self, DossierContent};

/// The state in Dutch, the state machine's label.
fn state_label(state: ApplicationState) -> &'static str {
    DossierState::from(state).label()
}

/// The token's user as the caller of a command, at the application clock's time.
fn caller_of(
    state: &AppState,
    user: &crate::auth::session::SessionUser,
    ip: Option<String>,
) -> Caller {
    Caller::user(user, ip, state.clock.now())
}

const PER_PAGE: i64 = 25;
const MAX_PER_PAGE: i64 = 100;

/// The dossier's ETag: its `version` (which every API change and every state change moves on)
/// with a digest of the versions of its actions and KPIs, its attachments and member consents,
/// so a change made through the pages shows as well.
pub fn etag(content: &DossierContent, attachment_ids: &[i64]) -> String {
    let mut digest = Sha256::new();
    for a in &content.actions {
        digest.update(format!("a{}:{};", a.row.id, a.row.version));
        for k in &a.kpis {
            digest.update(format!("k{}:{};", k.id, k.version));
        }
    }
    for id in attachment_ids {
        digest.update(format!("f{id};"));
    }
    for consent in &content.member_consents {
        digest.update(if *consent { "m1;" } else { "m0;" });
    }
    let hex = hex::encode(digest.finalize());
    format!("\"{}-{}\"", content.dossier.application.version, &hex[..12])
}

fn etag_header(tag: &str) -> HeaderValue {
    HeaderValue::from_str(tag).unwrap_or_else(|_| HeaderValue::from_static("\"0\""))
}

fn summary_out(app: &application::Model, lead_name: &str) -> DossierSummaryOut {
    DossierSummaryOut {
        id: app.id,
        reference: app.reference.clone(),
        title: app.title.clone(),
        kind: code_of(&app.kind),
        state: code_of(&app.state),
        state_label: state_label(app.state).to_owned(),
        call_id: app.call_id,
        lead_name: lead_name.to_owned(),
        submitted_at: app.submitted_at,
        updated_at: app.updated_at,
    }
}

pub(super) fn thousandths(value: i64) -> f64 {
    value as f64 / 1000.0
}

/// The whole dossier as the API shows it, with its ETag.
// Longer than 50 lines: one line per field of the dossier document.
async fn dossier_out(
    state: &AppState,
    content: &DossierContent,
    user: &crate::auth::session::SessionUser,
) -> Result<DossierOut, ApiError> {
    let app = &content.dossier.application;
    let report = content.report(&state.db).await?;
    let s = statuses(content, &report);
    let attachments = store::attachments::for_dossier(&state.db, app.id).await?;
    let ids: Vec<i64> = attachments.iter().map(|a| a.attachment.id).collect();
    let may_edit = policy::decide(
        &user.actor(),
        Action::EditDossier,
        Some(&content.dossier.parties),
    )
    .is_ok();
    let status = |s: SectionStatus| s.code().to_owned();
    Ok(DossierOut {
        summary: summary_out(app, &content.dossier.lead_name),
        etag: etag(content, &ids),
        summary_text: app.summary.clone(),
        contact: ContactOut {
            name: app.contact_name.clone(),
            email: app.contact_email.clone(),
            phone: app.contact_phone.clone(),
        },
        first_project_year: i64::from(app.first_project_year),
        last_project_year: i64::from(app.last_project_year),
        members: content.dossier.member_names.clone(),
        declarations_accepted: app.declarations_accepted_at.is_some(),
        editable: may_edit && is_editable(app.state.into()),
        actions: actions_out(content),
        attachments: attachments
            .iter()
            .map(|a| AttachmentOut::from(a.attachment.clone()))
            .collect(),
        missing_attachments: missing_required(&content.attachment_kinds)
            .into_iter()
            .map(str::to_owned)
            .collect(),
        sections: SectionsOut {
            general: status(s.general),
            actions: status(s.actions),
            kpis: status(s.kpis),
            budget: status(s.budget),
            attachments: status(s.attachments),
            declarations: status(s.declarations),
            members: s.members.map(status),
        },
        checks: checks_out(content, &report),
    })
}

/// The chosen actions with their KPIs, as the API shows them.
fn actions_out(content: &DossierContent) -> Vec<ActionOut> {
    content
        .actions
        .iter()
        .map(|a| ActionOut {
            action_code: a.action.code.clone(),
            title: a.action.title.clone(),
            call_action_id: a.call_action.id,
            priority: i64::from(a.row.priority_rank),
            baseline_reach: i64::from(a.row.baseline_reach),
            planned_reach: i64::from(a.row.planned_reach),
            own_contribution_cents: a.row.own_contribution_cents,
            own_staff_cents: a.row.own_staff_cents,
            grant_cents: a.row.grant_cents,
            description: a.row.description.clone(),
            partners: a.row.partners.clone(),
            kpis: a
                .kpis
                .iter()
                .map(|k| KpiOut {
                    id: k.id,
                    is_reach_kpi: k.is_reach_kpi,
                    indicator: k.indicator.clone(),
                    unit: k.unit.clone(),
                    baseline: thousandths(k.baseline),
                    target: thousandths(k.target),
                    target_date: k.target_date,
                    measurement: k.measurement.clone(),
                    direction: crate::domain::KpiDirection::parse(&k.direction).unwrap_or_default(),
                })
                .collect(),
        })
        .collect()
}

/// The rules' outcome, as the API shows it.
fn checks_out(content: &DossierContent, report: &crate::domain::ApplicationReport) -> ChecksOut {
    ChecksOut {
        can_submit: report.can_submit,
        ready_to_submit: ready_to_submit(content, report),
        total_grant_cents: report.total_grant.get(),
        total_own_contribution_cents: report.total_own_contribution.get(),
        incentive_cents_per_project_year: report.incentive_per_project_year.get(),
        eligibility: report.eligibility.as_ref().map(VerdictOut::from),
        results: report.results.iter().map(RuleResultOut::from).collect(),
        fictitious: report.fictitious,
    }
}

/// The dossier's current tag (reads its attachments).
async fn current_tag(state: &AppState, content: &DossierContent) -> Result<String, ApiError> {
    let attachments =
        store::attachments::for_dossier(&state.db, content.dossier.application.id).await?;
    let ids: Vec<i64> = attachments.iter().map(|a| a.attachment.id).collect();
    Ok(etag(content, &ids))
}

fn stale() -> ApiError {
    ApiError::new(
        StatusCode::PRECONDITION_FAILED,
        "Het dossier werd intussen gewijzigd (de ETag in `If-Match` is verouderd). Lees het \
         dossier opnieuw, vergelijk, en verstuur uw wijziging met de nieuwe ETag.",
    )
}

pub(super) fn with_etag(status: StatusCode, tag: &str, body: impl serde::Serialize) -> Response {
    let mut response = (status, Json(body)).into_response();
    response
        .headers_mut()
        .insert(header::ETAG, etag_header(tag));
    response
}

fn invalid_query(field: &str, message: &str) -> ApiError {
    ApiError::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        "Niet alle zoekparameters zijn in orde.",
    )
    .with_errors(vec![FieldProblem {
        field: field.to_owned(),
        message: message.to_owned(),
    }])
}

#[utoipa::path(
    get, path = "/api/v1/dossiers", tag = "dossiers",
    summary = "Dossiers",
    description = "Een ambtenaar ziet de dossiers van de eigen organisatie (als trekker of deelnemer); ABB ziet alle ingediende dossiers (ontwerpen blijven van de aanvrager tot ze ingediend zijn). Filters: oproep en status; per pagina hoogstens 100.",
    params(DossierQuery),
    responses(
        (status = 200, description = "Een pagina dossiers", body = DossierList),
        (status = 400, description = "De zoekparameters konden niet gelezen worden (bijvoorbeeld een herhaalde parameter)", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Geen of ongeldige sleutel", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Een filter is ongeldig", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn list(
    State(state): State<AppState>,
    TokenUser { user, .. }: TokenUser,
    ApiQuery(query): ApiQuery<DossierQuery>,
) -> Result<Json<DossierList>, ApiError> {
    let q = read_list_query(&query)?;
    let (items, total) = if user.user.role == UserRole::Official {
        own_dossiers(&state, &user.user, &q).await?
    } else {
        submitted_dossiers(&state, &q).await?
    };
    Ok(Json(DossierList {
        items,
        page: q.page,
        per_page: q.per_page,
        total,
        pages: ((total + q.per_page - 1) / q.per_page).max(1),
    }))
}

/// The list's filters and page, read.
struct ListQuery {
    call_id: Option<i64>,
    state: Option<ApplicationState>,
    page: i64,
    per_page: i64,
}

// Longer than 50 lines: four query parameters, each with its own Dutch problem.
fn read_list_query(query: &DossierQuery) -> Result<ListQuery, ApiError> {
    let text = |v: &Option<String>| {
        v.as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(str::to_owned)
    };
    let call_id = match text(&query.call_id) {
        Some(t) => Some(t.parse::<i64>().ok().filter(|id| *id >= 1).ok_or_else(|| {
            invalid_query(
                "call_id",
                "Geef het id van een oproep als geheel getal vanaf 1.",
            )
        })?),
        None => None,
    };
    let wanted_state = match text(&query.state) {
        Some(t) => Some(
            serde_json::from_value::<ApplicationState>(serde_json::Value::String(t)).map_err(
                |_| {
                    invalid_query(
                        "state",
                        "Kies een status: draft, submitted, in_review, changes_requested, \
                         resubmitted, approved, partly_approved, rejected of withdrawn.",
                    )
                },
            )?,
        ),
        None => None,
    };
    let page = match text(&query.page) {
        Some(t) => t
            .parse::<i64>()
            .ok()
            .filter(|p| *p >= 1 && *p <= 1_000_000)
            .ok_or_else(|| invalid_query("page", "Geef een paginanummer vanaf 1."))?,
        None => 1,
    };
    let per_page = match text(&query.per_page) {
        Some(t) => t
            .parse::<i64>()
            .ok()
            .filter(|p| (1..=MAX_PER_PAGE).contains(p))
            .ok_or_else(|| {
                invalid_query("per_page", "Geef een aantal per pagina van 1 tot 100.")
            })?,
        None => PER_PAGE,
    };
    Ok(ListQuery {
        call_id,
        state: wanted_state,
        page,
        per_page,
    })
}

/// An official's page: the dossiers of the own organisation (as lead or member), filtered.
async fn own_dossiers(
    state: &AppState,
    user: &entity::app_user::Model,
    q: &ListQuery,
) -> Result<(Vec<DossierSummaryOut>, i64), ApiError> {
    let reference = state.reference().await?;
    let organisation = store::municipalities::organisation_of(&reference, user).await?;
    let summaries = match &organisation {
        Some(o) => store::municipalities::dossiers_of(&state.db, &reference, o).await?,
        None => Vec::new(),
    };
    let ids: Vec<i64> = summaries.iter().map(|d| d.id).collect();
    let rows = store::applications::by_ids(&state.db, ids).await?;
    let mut matching: Vec<DossierSummaryOut> = summaries
        .iter()
        .filter_map(|d| {
            let row = rows.iter().find(|r| r.id == d.id)?;
            (q.call_id.is_none_or(|c| c == row.call_id) && q.state.is_none_or(|s| s == row.state))
                .then(|| summary_out(row, &d.lead_name))
        })
        .collect();
    let total = i64::try_from(matching.len()).unwrap_or(i64::MAX);
    let start = usize::try_from((q.page - 1).saturating_mul(q.per_page)).unwrap_or(usize::MAX);
    let items = if start >= matching.len() {
        Vec::new()
    } else {
        matching
            .drain(start..)
            .take(usize::try_from(q.per_page).unwrap_or(25))
            .collect()
    };
    Ok((items, total))
}

/// ABB's page: every submitted dossier, filtered.
async fn submitted_dossiers(
    state: &AppState,
    q: &ListQuery,
) -> Result<(Vec<DossierSummaryOut>, i64), ApiError> {
    let found = store::applications::list_submitted(
        &state.db,
        q.call_id,
        q.state,
        u64::try_from(q.page).unwrap_or(1),
        u64::try_from(q.per_page).unwrap_or(25),
    )
    .await?;
    let total = i64::try_from(found.total).unwrap_or(i64::MAX);
    let items = found
        .items
        .iter()
        .map(|(row, lead)| summary_out(row, lead))
        .collect();
    Ok((items, total))
}

#[utoipa::path(
    get, path = "/api/v1/dossiers/{id}", tag = "dossiers",
    summary = "Eén dossier",
    description = "Alles in het dossier, met de status per onderdeel en de uitslag van de regels. De `ETag`-kop hoort bij `If-Match` om het te wijzigen of in te dienen.",
    params(("id" = String, Path, description = "Het id van het dossier")),
    responses(
        (status = 200, description = "Het dossier", body = DossierOut,
            headers(("ETag" = String, description = "De versie van het dossier, voor If-Match"))),
        (status = 401, description = "Geen of ongeldige sleutel", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Geen dossier met dit id dat u mag zien", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn detail(
    State(state): State<AppState>,
    TokenUser { user, ip }: TokenUser,
    ApiId(id): ApiId,
) -> Result<Response, ApiError> {
    let caller = caller_of(&state, &user, ip);
    let content = app::dossier_for(&state, &caller, id, Action::ViewDossier).await?;
    let out = dossier_out(&state, &content, &user).await?;
    let tag = out.etag.clone();
    Ok(with_etag(StatusCode::OK, &tag, out))
}

#[utoipa::path(
    post, path = "/api/v1/dossiers", tag = "dossiers",
    summary = "Een ontwerpdossier starten",
    description = "Start een dossier voor de eigen gemeente (als die alleen mag indienen) of partnerorganisatie in een open oproep, zoals de knop op 'Mijn gemeente'. Een gemeente zit in ten hoogste één dossier per oproep.",
    request_body(content = NewDossierIn, content_type = "application/json"),
    responses(
        (status = 201, description = "Het nieuwe dossier", body = DossierOut,
            headers(("ETag" = String, description = "De versie van het dossier"), ("Location" = String, description = "Het adres van het dossier"))),
        (status = 400, description = "Geen geldige JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Geen of ongeldige sleutel", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Enkel gemeentelijke ambtenaren starten dossiers", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Geen oproep met dit id", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "De oproep is niet open, of de gemeente mag niet (alleen) indienen", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Te groot", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Geen JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Velden van het verkeerde type of onbekende velden", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn create(
    State(state): State<AppState>,
    TokenUser { user, ip }: TokenUser,
    ApiJson(body): ApiJson<NewDossierIn>,
) -> Result<Response, ApiError> {
    let caller = caller_of(&state, &user, ip);
    let inserted = app::dossier::start(&state, &caller, body.call_id).await?;
    let content = app::dossier_for(&state, &caller, inserted.id, Action::ViewDossier).await?;
    let out = dossier_out(&state, &content, &user).await?;
    let tag = out.etag.clone();
    let mut response = with_etag(StatusCode::CREATED, &tag, out);
    if let Ok(location) = HeaderValue::from_str(&format!("/api/v1/dossiers/{}", inserted.id)) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    Ok(response)
}

/// Reads the KPIs of one action of an update (`prefix`: the action's place); `None` when the
/// list is longer than allowed (the problem is recorded).
fn read_kpis(
    prefix: &str,
    list: &[KpiIn],
    problems: &mut Vec<FieldProblem>,
) -> Option<Vec<fields::KpiFields>> {
    if let Err(message) = limits::check_kpis(list.len()) {
        problems.push(FieldProblem {
            field: format!("{prefix}kpis"),
            message,
        });
        return None;
    }
    let mut read_kpis = Vec::new();
    for (j, k) in list.iter().enumerate() {
        let mut errors = FieldErrors::default();
        let read = fields::read_kpi(
            &KpiInput {
                indicator: k.indicator.clone(),
                unit: k.unit.clone(),
                baseline: number_as_typed(&k.baseline),
                target: number_as_typed(&k.target),
                target_date: k.target_date.clone(),
                measurement: k.measurement.clone(),
                direction: k.direction.clone(),
            },
            &mut errors,
        );
        problems.extend(field_problems(&format!("{prefix}kpis[{j}]."), &errors));
        if let Some(read) = read {
            read_kpis.push(read);
        }
    }
    Some(read_kpis)
}

/// Reads the actions of an update with the forms' readers; errors go to `problems`.
// Longer than 50 lines: each action's code, fields and KPIs read with their JSON paths.
fn read_actions(
    content: &DossierContent,
    actions: &[ActionIn],
    problems: &mut Vec<FieldProblem>,
) -> Vec<WantedAction> {
    let mut wanted = Vec::new();
    if let Err(message) = limits::check_actions(actions.len(), content.call.actions.len()) {
        problems.push(FieldProblem {
            field: "actions".into(),
            message,
        });
        return wanted;
    }
    for (i, a) in actions.iter().enumerate() {
        let prefix = format!("actions[{i}].");
        let code = a.action_code.trim();
        let in_call = content
            .call
            .actions
            .iter()
            .find(|(_, act)| act.code == code);
        let mut errors = FieldErrors::default();
        match in_call {
            None => errors.add("action_code", "Kies een actie uit de lijst van de oproep."),
            Some(_) if actions[..i].iter().any(|b| b.action_code.trim() == code) => errors.add(
                "action_code",
                format!("Actie {code} staat al eerder in de lijst."),
            ),
            Some(_) => {}
        }
        let read = fields::read_action(
            &ActionInput {
                priority: number_as_typed(&a.priority),
                baseline_reach: number_as_typed(&a.baseline_reach),
                planned_reach: number_as_typed(&a.planned_reach),
                own_contribution: cents_as_typed(&a.own_contribution_cents),
                own_staff: a
                    .own_staff_cents
                    .as_ref()
                    .map(cents_as_typed)
                    .unwrap_or_default(),
                description: a.description.clone(),
                partners: a.partners.clone().unwrap_or_default(),
            },
            &mut errors,
        );
        for mut p in field_problems(&prefix, &errors) {
            if p.field.ends_with(".own_contribution") || p.field.ends_with(".own_staff") {
                p.field.push_str("_cents");
            }
            problems.push(p);
        }
        let kpis = a
            .kpis
            .as_ref()
            .and_then(|list| read_kpis(&prefix, list, problems));
        if let (Some((call_action, _)), Some(fields)) = (in_call, read) {
            wanted.push(WantedAction {
                call_action_id: call_action.id,
                code: code.to_owned(),
                fields,
                kpis,
            });
        }
    }
    wanted
}

#[utoipa::path(
    patch, path = "/api/v1/dossiers/{id}", tag = "dossiers",
    summary = "Een ontwerpdossier wijzigen",
    description = "Bewaart de gegeven onderdelen in één keer: algemene gegevens, de volledige lijst gekozen acties (met bereik, eigen inbreng en KPI's; weggelaten acties worden verwijderd) en de verklaringen. Dezelfde controles per veld als de formulieren; niets wordt bewaard als één veld niet in orde is. Vereist `If-Match` met de ETag van het dossier.",
    params(
        ("id" = String, Path, description = "Het id van het dossier"),
        ("If-Match" = String, Header, description = "De ETag van het dossier zoals u het las"),
    ),
    request_body(content = DossierUpdateIn, content_type = "application/json"),
    responses(
        (status = 200, description = "Het gewijzigde dossier", body = DossierOut,
            headers(("ETag" = String, description = "De nieuwe versie van het dossier"))),
        (status = 400, description = "Geen geldige JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Geen of ongeldige sleutel", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "U mag dit dossier niet wijzigen", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Geen dossier met dit id dat u mag zien", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Het dossier is ingediend of afgesloten, of dit onderdeel is niet gevraagd", body = Problem, content_type = "application/problem+json"),
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
    TokenUser { user, ip }: TokenUser,
    ApiId(id): ApiId,
    headers: HeaderMap,
    ApiJson(body): ApiJson<DossierUpdateIn>,
) -> Result<Response, ApiError> {
    let caller = caller_of(&state, &user, ip);
    let content = app::dossier::for_editing(&state, &caller, id).await?;
    let expected = if_match(&headers)?;
    if !matches(&expected, &current_tag(&state, &content).await?) {
        return Err(stale());
    }
    let app = &content.dossier.application;
    for (given, part) in [
        (body.general.is_some(), Part::General),
        (body.actions.is_some(), Part::Actions),
        (body.declarations.is_some(), Part::Declarations),
    ] {
        if given {
            app::ensure_part_open(&state.db, app, part).await?;
        }
    }
    let change = read_update(&content, &body)?;
    match app::dossier::update(&state, &caller, &content, &change).await {
        Err(app::Error::Stale) => return Err(stale()),
        other => other?,
    }
    let content = app::dossier_for(&state, &caller, id, Action::ViewDossier).await?;
    let out = dossier_out(&state, &content, &user).await?;
    let tag = out.etag.clone();
    Ok(with_etag(StatusCode::OK, &tag, out))
}

/// Reads an update with the forms' readers: the parts given, or a 422 with a message per field
/// (nothing is saved then).
fn read_update(
    content: &DossierContent,
    body: &DossierUpdateIn,
) -> Result<DossierUpdate, ApiError> {
    let mut problems = Vec::new();
    let general = body.general.as_ref().and_then(|g| {
        let mut errors = FieldErrors::default();
        let read = fields::read_general(
            &GeneralInput {
                title: g.title.clone(),
                summary: g.summary.clone(),
                contact_name: g.contact_name.clone(),
                contact_email: g.contact_email.clone(),
                contact_phone: g.contact_phone.clone().unwrap_or_default(),
                first_project_year: number_as_typed(&g.first_project_year),
                last_project_year: number_as_typed(&g.last_project_year),
            },
            &content.project_years(),
            &mut errors,
        );
        problems.extend(field_problems("general.", &errors));
        read
    });
    let actions = body
        .actions
        .as_ref()
        .map(|list| read_actions(content, list, &mut problems));
    if let Some(d) = &body.declarations {
        let mut errors = FieldErrors::default();
        fields::read_declarations([d.truthful, d.mandate, d.cofinancing], &mut errors);
        problems.extend(field_problems("declarations.", &errors));
    }
    if !problems.is_empty() {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Niet alle gegevens zijn in orde; er is niets bewaard. Zie de foutmelding per veld.",
        )
        .with_errors(problems));
    }
    Ok(DossierUpdate {
        general,
        actions,
        declarations: body.declarations.is_some(),
    })
}

#[utoipa::path(
    post, path = "/api/v1/dossiers/{id}/attachments", tag = "dossiers",
    summary = "Een bijlage toevoegen",
    description = "Een PDF-, XLSX- of ODS-bestand (herkend aan de inhoud, niet aan de naam), als `multipart/form-data` met de velden `kind` en `file`, zoals het formulier 'Bijlagen'. Vereist zijn `council_decision` en `budget_sheet`.",
    params(("id" = String, Path, description = "Het id van het dossier")),
    request_body(content = AttachmentUpload, content_type = "multipart/form-data"),
    responses(
        (status = 201, description = "De bijlage is bewaard", body = AttachmentOut,
            headers(("ETag" = String, description = "De nieuwe versie van het dossier"))),
        (status = 401, description = "Geen of ongeldige sleutel", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "U mag dit dossier niet wijzigen", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Geen dossier met dit id dat u mag zien", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Het dossier is ingediend of afgesloten", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Het bestand is te groot", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Geen soort, geen bestand of geen PDF/XLSX/ODS", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn upload(
    State(state): State<AppState>,
    TokenUser { user, ip }: TokenUser,
    ApiId(id): ApiId,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, ApiError> {
    let caller = crate::app::Caller::user(&user, ip, state.clock.now());
    let dossier = crate::app::attachments::open_for_upload(&state, &caller, id).await?;
    let form = crate::upload::read_form(multipart, &state.config).await?;
    let max = state.config.max_upload_bytes;
    let file = crate::upload::validate(form, max, &crate::upload::max_size_label(&state)).map_err(
        |(status, errors)| {
            ApiError::new(
                status,
                "De bijlage werd niet bewaard. Zie de foutmelding per veld.",
            )
            .with_errors(field_problems("", &errors))
        },
    )?;
    let input = crate::app::attachments::AttachmentUpload {
        kind: file.kind,
        file: file.file,
    };
    let row = crate::app::attachments::upload(&state, &caller, &dossier, input).await?;
    let content = drafts::load(&state.db, dossier).await?;
    let tag = current_tag(&state, &content).await?;
    Ok(with_etag(
        StatusCode::CREATED,
        &tag,
        AttachmentOut::from(row),
    ))
}

#[utoipa::path(
    post, path = "/api/v1/dossiers/{id}/submit", tag = "dossiers",
    summary = "Een dossier indienen",
    description = "Dient het dossier in met dezelfde controles als de pagina 'Controleren en indienen': elk onderdeel volledig en geen blokkerende regel. Vereist `If-Match` met de ETag van het dossier. Na een vraag tot aanpassing wordt het dossier opnieuw ingediend, met een verplichte toelichting (`cover_note`) bij de aanpassingen.",
    request_body(content = Option<SubmitIn>, content_type = "application/json", description = "Optioneel: de toelichting bij de aanpassingen"),
    params(
        ("id" = String, Path, description = "Het id van het dossier"),
        ("If-Match" = String, Header, description = "De ETag van het dossier zoals u het las"),
    ),
    responses(
        (status = 200, description = "Het dossier is ingediend", body = SubmittedOut,
            headers(("ETag" = String, description = "De nieuwe versie van het dossier"))),
        (status = 401, description = "Geen of ongeldige sleutel", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "U mag dit dossier niet indienen", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Geen dossier met dit id dat u mag zien", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Het dossier is al ingediend of de termijn is voorbij", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "De ETag is verouderd", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Het dossier is nog niet klaar (wat ontbreekt, per onderdeel)", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match ontbreekt", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn submit(
    State(state): State<AppState>,
    TokenUser { user, ip }: TokenUser,
    ApiId(id): ApiId,
    headers: HeaderMap,
    JsonBytes(body): JsonBytes,
) -> Result<Response, ApiError> {
    let caller = caller_of(&state, &user, ip);
    let content = app::dossier::for_editing(&state, &caller, id).await?;
    let expected = if_match(&headers)?;
    if !matches(&expected, &current_tag(&state, &content).await?) {
        return Err(stale());
    }
    let input: SubmitIn = match body {
        Some(bytes) => parse(&bytes)?,
        None => SubmitIn::default(),
    };
    let note = input.cover_note.unwrap_or_default();
    let version = content.dossier.application.version;
    let submitted = app::dossier::submit_loaded(&state, &caller, content, version, &note).await;
    let new_state = match submitted {
        Ok(Submission::Done(new_state)) => new_state,
        Ok(Submission::NotReady { content, report }) => return Err(not_ready(&content, &report)),
        Err(app::Error::Stale) => return Err(stale()),
        Err(other) => return Err(other.into()),
    };
    let content = app::dossier_for(&state, &caller, id, Action::ViewDossier).await?;
    let tag = current_tag(&state, &content).await?;
    let app = &content.dossier.application;
    Ok(with_etag(
        StatusCode::OK,
        &tag,
        SubmittedOut {
            id: app.id,
            reference: app.reference.clone(),
            state: code_of(&new_state),
            state_label: state_label(new_state).to_owned(),
            etag: tag.clone(),
        },
    ))
}

/// Why the dossier cannot be submitted yet: every blocking rule and every incomplete section.
fn not_ready(content: &DossierContent, report: &crate::domain::ApplicationReport) -> ApiError {
    let mut problems: Vec<FieldProblem> = report
        .blocking()
        .map(|r| FieldProblem {
            field: r
                .field
                .map(|f| f.anchor())
                .unwrap_or_else(|| r.rule.as_str().to_owned()),
            message: r.message.clone(),
        })
        .collect();
    for (name, status) in statuses(content, report).named() {
        if status != SectionStatus::Complete {
            problems.push(FieldProblem {
                field: format!("sections.{name}"),
                message: format!("Dit onderdeel is {}.", status.label()),
            });
        }
    }
    ApiError::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        "Het dossier kan nog niet ingediend worden: werk eerst de onderdelen hieronder af.",
    )
    .with_errors(problems)
}
