//! The versioned JSON API under `/api/v1`, for the systems around ABB (municipal case
//! management, ABB's reporting). It runs over the same store, domain and policy code as the HTML
//! pages: its routes are in the same [`RouteTable`] with the same access rules, dossier access
//! goes through `policy::decide` (via the commands of [`crate::app`]), and input is read by
//! the same field readers (`domain::fields`) as the forms.
//!
//! - authentication: personal API tokens (`Authorization: Bearer …`, [`auth`]); session
//!   cookies never authenticate `/api/`;
//! - errors: RFC 9457 problem details ([`problem`]); bad input never gives a 500;
//! - description: OpenAPI 3.1 generated from the handlers ([`openapi`]), served at
//!   `/api/v1/openapi.json`, browsable at `/api/v1/docs`;
//! - concurrency: dossiers carry an `ETag`; changes need `If-Match` (428 without, 412 stale).

pub mod auth;
pub mod docs;
pub mod dossiers;
pub mod extract;
pub mod openapi;
pub mod problem;
pub mod reports;
pub mod types;

use axum::Json;
use axum::extract::{Path, State};
use chrono::{DateTime, Utc};

use crate::domain::NisCode;
use crate::domain::illustrative::{self, InventedRule};
use crate::policy::{Action, DossierParties};
use crate::routing::{Access, BodyLimit, OFFICIALS, RouteTable};
use crate::state::AppState;
use crate::store;
use crate::store::reference_cache::Reference;
use crate::store::rules::CallContext;
use extract::{ApiId, ApiQuery, TokenUser};
use problem::{ApiError, Problem};
use std::sync::Arc;
use types::*;

/// Whether `path` belongs to the JSON API.
pub fn is_api_path(path: &str) -> bool {
    path == "/api" || path.starts_with("/api/")
}

// Longer than 50 lines: the route table lists every route of the API, one entry each.
pub fn routes() -> RouteTable {
    RouteTable::new()
        .get("/api/v1/openapi.json", Access::Public, openapi::serve)
        .get("/api/v1/me", Access::SignedIn, me)
        .get("/api/v1/calls", Access::SignedIn, list_calls)
        .get("/api/v1/calls/{id}", Access::SignedIn, call_detail)
        .get(
            "/api/v1/municipalities",
            Access::SignedIn,
            list_municipalities,
        )
        .get(
            "/api/v1/municipalities/{nis}/eligibility",
            Access::SignedIn,
            eligibility,
        )
        .get(
            "/api/v1/municipalities/{nis}/advice",
            Access::SignedIn,
            advice,
        )
        .get("/api/v1/dossiers", Access::SignedIn, dossiers::list)
        .post("/api/v1/dossiers", OFFICIALS, dossiers::create)
        .get("/api/v1/dossiers/{id}", Access::SignedIn, dossiers::detail)
        .patch("/api/v1/dossiers/{id}", OFFICIALS, dossiers::update)
        .post(
            "/api/v1/dossiers/{id}/attachments",
            OFFICIALS,
            dossiers::upload,
        )
        .limit(BodyLimit::Upload)
        .post("/api/v1/dossiers/{id}/submit", OFFICIALS, dossiers::submit)
        .get(
            "/api/v1/dossiers/{id}/reports",
            Access::SignedIn,
            reports::list,
        )
        .get(
            "/api/v1/dossiers/{id}/reports/{report}",
            Access::SignedIn,
            reports::detail,
        )
        .put(
            "/api/v1/dossiers/{id}/reports/{report}",
            OFFICIALS,
            reports::update,
        )
        .post(
            "/api/v1/dossiers/{id}/reports/{report}/submit",
            OFFICIALS,
            reports::submit,
        )
        .post(
            "/api/v1/dossiers/{id}/reports/{report}/attachments",
            OFFICIALS,
            reports::upload,
        )
        .limit(BodyLimit::Upload)
}

/// An entity enum's code, as serde names it (`snake_case`).
pub fn code_of<T: serde::Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s,
        _ => String::new(),
    }
}

/// An id from the path or query: not a number is not found.
pub fn parse_id(text: &str) -> Result<i64, ApiError> {
    text.trim()
        .parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or_else(ApiError::not_found)
}

#[utoipa::path(
    get, path = "/api/v1/me", tag = "account",
    summary = "Wie de sleutel gebruikt",
    description = "De gebruiker voor wie de API-sleutel handelt, met rol en organisatie.",
    responses(
        (status = 200, description = "De gebruiker", body = Me),
        (status = 401, description = "Geen of ongeldige sleutel", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn me(
    State(state): State<AppState>,
    TokenUser { user, .. }: TokenUser,
) -> Result<Json<Me>, ApiError> {
    let nis = match user.user.municipality_id {
        Some(id) => store::municipalities::nis_code_of(&state.db, id).await?,
        None => None,
    };
    Ok(Json(Me {
        id: user.user.id,
        name: user.user.name.clone(),
        email: user.user.email.clone(),
        role: code_of(&user.user.role),
        organisation: user.organisation.clone(),
        municipality_nis_code: nis,
    }))
}

// Longer than 50 lines: the summary maps every field of the call and its project years (with
// their rounds) one by one.
fn call_summary(summary: &store::calls::CallSummary, now: DateTime<Utc>) -> CallSummaryOut {
    let call = &summary.call;
    let rounds = store::rules::rounds_of(call, &summary.project_years);
    let fictitious = call.parameters_fictitious;
    let date = |date, marked| DateOut {
        date,
        illustrative: illustrative::date_illustrative(marked, fictitious),
    };
    CallSummaryOut {
        id: call.id,
        code: call.code.clone(),
        title: call.title.clone(),
        state: code_of(&call.state),
        open_for_submission: rounds.current(now).is_some(),
        reference_year: call.reference_year,
        period_start: call.period_start,
        period_end: call.period_end,
        submission_opens_at: call.submission_opens_at,
        submission_opens: MomentOut {
            at: call.submission_opens_at,
            illustrative: illustrative::date_illustrative(
                call.submission_opens_illustrative,
                fictitious,
            ),
        },
        submission_closes_at: call.submission_closes_at,
        fictitious,
        total_envelope_cents: summary.total_envelope_cents(),
        project_years: summary
            .project_years
            .iter()
            .map(|y| ProjectYearOut {
                year: y.year_number,
                starts_on: y.starts_on,
                ends_on: y.ends_on,
                envelope_cents: y.envelope_cents,
                interim_report_due: date(y.interim_report_due, y.report_dates_illustrative),
                year_report_due: date(y.year_report_due, y.report_dates_illustrative),
                round: u16::try_from(y.year_number)
                    .ok()
                    .and_then(|n| rounds.of_year(n))
                    .map(|r| RoundOut {
                        submission_opens_at: r.window.opens_at,
                        submission_closes_at: r.window.closes_at,
                        open_for_submission: r.window.is_open_at(now),
                    }),
            })
            .collect(),
        action_count: i64::try_from(summary.action_count).unwrap_or(i64::MAX),
    }
}

#[utoipa::path(
    get, path = "/api/v1/calls", tag = "oproepen",
    summary = "Oproepen",
    description = "Alle oproepen, de laatst geopende eerst. `open_for_submission` zegt of er nu ingediend kan worden.",
    responses(
        (status = 200, description = "De oproepen", body = Vec<CallSummaryOut>),
        (status = 401, description = "Geen of ongeldige sleutel", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn list_calls(
    State(state): State<AppState>,
    _user: TokenUser,
) -> Result<Json<Vec<CallSummaryOut>>, ApiError> {
    let calls = store::calls::list_summaries(&state.db).await?;
    let now = state.clock.now();
    Ok(Json(calls.iter().map(|c| call_summary(c, now)).collect()))
}

#[utoipa::path(
    get, path = "/api/v1/calls/{id}", tag = "oproepen",
    summary = "Eén oproep met zijn regels en acties",
    params(("id" = String, Path, description = "Het id van de oproep")),
    responses(
        (status = 200, description = "De oproep", body = CallDetailOut),
        (status = 401, description = "Geen of ongeldige sleutel", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Geen oproep met dit id", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn call_detail(
    State(state): State<AppState>,
    _user: TokenUser,
    ApiId(id): ApiId,
) -> Result<Json<CallDetailOut>, ApiError> {
    let summaries = store::calls::list_summaries(&state.db).await?;
    let summary = summaries
        .iter()
        .find(|s| s.call.id == id)
        .ok_or_else(ApiError::not_found)?;
    let context = store::rules::call_context(&state.db, id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let call = &context.call;
    Ok(Json(CallDetailOut {
        call: call_summary(summary, state.clock.now()),
        rules: CallRulesOut {
            single_applicant_min_exclusive: call.single_applicant_min_exclusive,
            pooled_min_inclusive: call.pooled_min_inclusive,
            incentive_min_share_bp: i64::from(call.incentive_min_share_bp),
            incentive_cents_per_project_year: call.incentive_cents_per_project_year,
            cofinancing_bp: i64::from(call.cofinancing_bp),
            rank_sharing: rule_text(InventedRule::RankSharing),
            reclaim_formula: rule_text(InventedRule::ReclaimFormula),
            late_approval_deadlines: rule_text(InventedRule::LateApprovalDeadlines),
        },
        actions: lines_out(&context),
        partner_agreements: store::agreements::of_call(&state.db, id)
            .await?
            .into_iter()
            .map(|a| PartnerAgreementOut {
                partner_code: a.partner_code,
                partner_name: a.partner_name,
                amount_cents_per_project_year: a.amount_cents_per_project_year,
                source: a.source,
                illustrative: a.illustrative,
            })
            .collect(),
    }))
}

/// The call's reach lines with the amounts per unit that change from a later project year on.
fn lines_out(context: &CallContext) -> Vec<CallActionOut> {
    context
        .actions
        .iter()
        .map(|(ca, a)| {
            let mut out = call_action_out(&context.call, ca, a);
            out.unit_amounts = context
                .amounts
                .get(&ca.id)
                .into_iter()
                .flatten()
                .map(|(year, amount)| UnitAmountOut {
                    from_project_year: i64::from(*year),
                    unit_cost_cents: amount.get(),
                })
                .collect();
            out
        })
        .collect()
}

/// A rule the platform made up, as the API describes it.
fn rule_text(rule: InventedRule) -> RuleTextOut {
    RuleTextOut {
        text: rule.description().to_owned(),
        illustrative: rule.illustrative(),
    }
}

/// A reach line of a call as the API shows it.
fn call_action_out(
    call: &entity::call::Model,
    ca: &entity::call_action::Model,
    a: &entity::action::Model,
) -> CallActionOut {
    CallActionOut {
        call_action_id: ca.id,
        code: a.code.clone(),
        action_code: crate::domain::ActionCode::action_text(&a.code),
        title: a.title.clone(),
        objectives: a.objectives.clone(),
        policy_domains: a.policy_domains.clone(),
        unit_label: ca.unit_label.clone(),
        unit_label_plural: crate::store::sections::plural(ca).to_owned(),
        unit_cost_cents: ca.unit_cost_cents,
        unit_amounts: Vec::new(),
        max_reach: i64::from(ca.max_reach),
        source_row: ca.source_row.map(i64::from),
        theme: ca.theme.clone(),
        objective: ca.objective.clone(),
        illustrative: call.parameters_fictitious,
    }
}

/// The call named by `call_id`, or the open call closing first, or the latest call.
/// From the reference data in memory (`store::reference_cache`).
async fn chosen_call(
    reference: &Reference,
    call_id: Option<&str>,
) -> Result<Arc<CallContext>, ApiError> {
    let id = match call_id.map(str::trim).filter(|c| !c.is_empty()) {
        Some(text) => parse_id(text)?,
        None => {
            let open = reference.open_calls().await?;
            match open.first() {
                Some(call) => call.id,
                None => reference
                    .latest_call()
                    .await?
                    .map(|c| c.id)
                    .ok_or_else(ApiError::not_found)?,
            }
        }
    };
    reference
        .call_context(id)
        .await?
        .ok_or_else(ApiError::not_found)
}

fn municipality_out(m: &crate::domain::Municipality) -> MunicipalityOut {
    let figure = |f: &crate::domain::Figure| FigureOut {
        value: i64::try_from(f.value).unwrap_or(i64::MAX),
        reference_year: i32::from(f.year.get()),
        source: f.source.clone(),
        fictitious: f.fictitious,
    };
    let share = match (&m.non_eu15, &m.residents) {
        (Some(n), Some(r)) if r.value > 0 => {
            i64::try_from(u128::from(n.value) * 10_000 / u128::from(r.value)).ok()
        }
        _ => None,
    };
    MunicipalityOut {
        nis_code: i32::try_from(m.nis_code.get()).unwrap_or(0),
        name: m.name.clone(),
        region_code: m.region_code.to_string(),
        region_name: m.region_name.clone(),
        residents: m.residents.as_ref().map(figure),
        non_eu15_residents: m.non_eu15.as_ref().map(figure),
        non_eu15_share_bp: share,
        fictitious: m.residents.as_ref().is_some_and(|f| f.fictitious)
            || m.non_eu15.as_ref().is_some_and(|f| f.fictitious),
        merger: m.merger.as_ref().map(|merger| MergerOut {
            merged_on: merger.merged_on,
            former: merger
                .former
                .iter()
                .map(|f| FormerOut {
                    nis_code: i32::try_from(f.nis_code.get()).unwrap_or(0),
                    name: f.name.clone(),
                    residents: f.residents.as_ref().map(figure),
                    non_eu15_residents: f.non_eu15.as_ref().map(figure),
                })
                .collect(),
        }),
    }
}

#[utoipa::path(
    get, path = "/api/v1/municipalities", tag = "gemeenten",
    summary = "Gemeenten met hun cijfers",
    description = "De gemeenten op de kaart van de oproep, met hun referentieregio en de bevolkingscijfers van het referentiejaar van de oproep. Fictieve (demo)cijfers dragen `fictitious: true`.",
    params(CallQuery),
    responses(
        (status = 200, description = "De gemeenten", body = MunicipalityList),
        (status = 400, description = "De zoekparameters konden niet gelezen worden (bijvoorbeeld een herhaalde parameter)", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Geen of ongeldige sleutel", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Geen oproep met dit id", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn list_municipalities(
    State(state): State<AppState>,
    _user: TokenUser,
    ApiQuery(query): ApiQuery<CallQuery>,
) -> Result<Json<MunicipalityList>, ApiError> {
    let reference = state.reference().await?;
    let context = chosen_call(&reference, query.call_id.as_deref()).await?;
    let directory = reference
        .directory(context.call.reference_year, context.map_date())
        .await?;
    let mut items: Vec<MunicipalityOut> = directory.0.iter().map(municipality_out).collect();
    items.sort_by_key(|m| m.nis_code);
    Ok(Json(MunicipalityList {
        call_id: context.call.id,
        reference_year: context.call.reference_year,
        items,
    }))
}

/// The standing of municipality `nis` in the call, for a user the policy lets see it.
async fn standing_for(
    state: &AppState,
    user: &TokenUser,
    nis: &str,
    call_id: Option<&str>,
    advise: bool,
) -> Result<
    (
        Arc<CallContext>,
        store::municipalities::Standing,
        Option<String>,
    ),
    ApiError,
> {
    let nis = nis
        .trim()
        .parse::<i32>()
        .ok()
        .and_then(|n| store::rules::nis(n).ok())
        .ok_or_else(ApiError::not_found)?;
    let reference = state.reference().await?;
    let context = chosen_call(&reference, call_id).await?;
    let directory = reference
        .directory(context.call.reference_year, context.map_date())
        .await?;
    let municipality_id = *directory.1.get(&nis).ok_or_else(ApiError::not_found)?;
    user.caller(state.clock.now())
        .may_on(
            state,
            Action::ViewEligibility,
            Some((
                format!("municipality:{}", nis.get()),
                &DossierParties {
                    lead_municipality_id: Some(municipality_id),
                    ..DossierParties::default()
                },
            )),
        )
        .await?;
    let (standing, own) =
        store::municipalities::standing(&state.db, &reference, &context, nis, advise)
            .await?
            .ok_or_else(ApiError::not_found)?;
    Ok((context, standing, own))
}

#[utoipa::path(
    get, path = "/api/v1/municipalities/{nis}/eligibility", tag = "gemeenten",
    summary = "Verklaard oordeel over de subsidiabiliteit",
    description = "Mag de gemeente zelfstandig indienen, of enkel in samenwerking? Elk resultaat noemt de regel, de cijfers en het referentiejaar, zoals de pagina 'Mijn gemeente'. Een ambtenaar ziet enkel de eigen gemeente; ABB elke gemeente.",
    params(("nis" = String, Path, description = "De NIS-code van de gemeente"), CallQuery),
    responses(
        (status = 200, description = "Het oordeel", body = EligibilityOut),
        (status = 400, description = "De zoekparameters konden niet gelezen worden (bijvoorbeeld een herhaalde parameter)", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Geen of ongeldige sleutel", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Niet uw gemeente", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Geen gemeente of oproep met deze code", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn eligibility(
    State(state): State<AppState>,
    user: TokenUser,
    Path(nis): Path<String>,
    ApiQuery(query): ApiQuery<CallQuery>,
) -> Result<Json<EligibilityOut>, ApiError> {
    let (context, standing, own) =
        standing_for(&state, &user, &nis, query.call_id.as_deref(), false).await?;
    Ok(Json(EligibilityOut {
        call_id: context.call.id,
        municipality: municipality_out(&standing.municipality),
        verdict: VerdictOut::from(&standing.verdict),
        own_dossier: own,
    }))
}

fn proposal_out(p: &crate::domain::Proposal) -> ProposalOut {
    ProposalOut {
        members: p
            .members
            .iter()
            .map(|m| ProposalMemberOut {
                nis_code: i32::try_from(m.nis_code.get()).unwrap_or(0),
                name: m.name.clone(),
                non_eu15_residents: i64::try_from(m.non_eu15).unwrap_or(i64::MAX),
                non_eu15_share_bp: m.share_basis_points.and_then(|b| i64::try_from(b).ok()),
                can_apply_alone: m.can_apply_alone,
            })
            .collect(),
        total_non_eu15_residents: i64::try_from(p.total_non_eu15).unwrap_or(i64::MAX),
        suggested_lead_nis_code: i32::try_from(p.suggested_lead.get()).unwrap_or(0),
        earns_incentive: p.earns_incentive,
        fictitious: p.fictitious,
        message: p.message.clone(),
    }
}

#[utoipa::path(
    get, path = "/api/v1/municipalities/{nis}/advice", tag = "gemeenten",
    summary = "De samenwerkingsadviseur",
    description = "Met welke gemeenten van haar referentieregio de gemeente samen kan indienen: de kleinste samenwerkingen eerst, en welke de incentive opleveren.",
    params(("nis" = String, Path, description = "De NIS-code van de gemeente"), CallQuery),
    responses(
        (status = 200, description = "Het advies", body = AdviceOut),
        (status = 400, description = "De zoekparameters konden niet gelezen worden (bijvoorbeeld een herhaalde parameter)", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Geen of ongeldige sleutel", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Niet uw gemeente", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Geen gemeente of oproep met deze code", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "De adviseur kan voor deze gemeente niet adviseren", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn advice(
    State(state): State<AppState>,
    user: TokenUser,
    Path(nis): Path<String>,
    ApiQuery(query): ApiQuery<CallQuery>,
) -> Result<Json<AdviceOut>, ApiError> {
    let (context, standing, _) =
        standing_for(&state, &user, &nis, query.call_id.as_deref(), true).await?;
    let advice = match standing.advice {
        Some(Ok(advice)) => advice,
        Some(Err(err)) => {
            return Err(ApiError::new(
                axum::http::StatusCode::CONFLICT,
                err.to_string(),
            ));
        }
        None => return Err(ApiError::not_found()),
    };
    Ok(Json(advice_out(context.call.id, &advice)))
}

/// The advice as the API shows it.
fn advice_out(call_id: i64, advice: &crate::domain::Advice) -> AdviceOut {
    let codes = |c: &[NisCode]| {
        c.iter()
            .map(|n| i32::try_from(n.get()).unwrap_or(0))
            .collect()
    };
    AdviceOut {
        call_id,
        nis_code: i32::try_from(advice.nis_code.get()).unwrap_or(0),
        name: advice.name.clone(),
        region_code: advice.region_code.to_string(),
        region_name: advice.region_name.clone(),
        status: advice_status(advice.status).to_owned(),
        message: advice.message.clone(),
        minimality: advice.minimality.clone(),
        proposals: advice.proposals.iter().map(proposal_out).collect(),
        small_only_proposals: advice
            .small_only_proposals
            .iter()
            .map(proposal_out)
            .collect(),
        incentive_proposals: advice
            .incentive_proposals
            .iter()
            .map(proposal_out)
            .collect(),
        incentive_message: advice.incentive_message.clone(),
        excluded_taken: codes(&advice.excluded_taken),
        excluded_without_figures: codes(&advice.excluded_without_figures),
        fictitious: advice.fictitious,
    }
}

/// The code of an advice's status.
fn advice_status(status: crate::domain::AdviceStatus) -> &'static str {
    match status {
        crate::domain::AdviceStatus::Alone => "alone",
        crate::domain::AdviceStatus::Cooperation => "cooperation",
        crate::domain::AdviceStatus::NotReachable => "not_reachable",
        crate::domain::AdviceStatus::AlreadyTaken => "already_taken",
        crate::domain::AdviceStatus::CannotDecide => "cannot_decide",
    }
}
