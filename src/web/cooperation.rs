//! Intermunicipal cooperations: a lead municipality starts a pooled dossier, invites
//! municipalities of its own reference region (with the pooling advisor's proposals one click
//! away and the running total in view), and each member's officials confirm, attaching their
//! council or college decision, or decline. The rules engine recomputes the verdict on every
//! change; the dossier can only be submitted when every member confirmed and the rules pass.
//! "One application per municipality per call" holds through the database's unique
//! constraint, so of two leads inviting the same municipality exactly one succeeds.

use askama::Template;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use chrono::Utc;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, Set,
    TransactionTrait,
};
use serde::Deserialize;

use entity::application::{self, ApplicationKind};
use entity::application_member::{self, ConsentState, MemberRole};
use entity::{app_user, attachment, municipality};

use crate::audit::{self, AuditEntry};
use crate::auth::session::redirect_with_flash;
use crate::auth::session::{CurrentUser, SessionUser};
use crate::domain::dutch::{format_basis_points, format_count};
use crate::domain::{Advisor, AdvisorOptions, Directory, NisCode};
use crate::error::AppError;
use crate::mail::{self, OutgoingMail};
use crate::policy::{self, Action};
use crate::state::AppState;
use crate::store::drafts::{self, DossierContent};
use crate::store::rules;
use crate::web::attachments::{check_file, max_size_label, read_form, remove_file};
use crate::web::context::PageContext;
use crate::web::dossier_view::{DossierHeader, ShownResult, header, shown};
use crate::web::dossiers::{is_editable, is_unique_violation, load_for};
use crate::web::form::Form;
use crate::web::form::FormErrors;
use crate::web::full_view::{FullView, full_view};
use crate::web::pages::{Layout, render};
use crate::web::routes::OFFICIALS;
use crate::web::{Access, BodyLimit, RouteTable};

pub fn routes() -> RouteTable {
    RouteTable::new()
        .post("/samenwerkingen", OFFICIALS, start)
        .get("/dossiers/{id}/leden", Access::SignedIn, members_page)
        .post("/dossiers/{id}/leden", OFFICIALS, invite)
        .post(
            "/dossiers/{id}/leden/{member}/verwijderen",
            OFFICIALS,
            remove,
        )
        .get("/dossiers/{id}/deelname", OFFICIALS, consent_page)
        .post("/dossiers/{id}/deelname", OFFICIALS, answer)
        .limit(BodyLimit::Upload)
}

pub const CONSENT_KIND: &str = "consent_decision";

/// A member row with its municipality.
pub struct Member {
    pub row: application_member::Model,
    pub municipality: municipality::Model,
}

pub async fn members_of<C: ConnectionTrait>(
    db: &C,
    application_id: i64,
) -> Result<Vec<Member>, DbErr> {
    Ok(application_member::Entity::find()
        .filter(application_member::Column::ApplicationId.eq(application_id))
        .find_also_related(municipality::Entity)
        .all(db)
        .await?
        .into_iter()
        .filter_map(|(row, m)| m.map(|municipality| Member { row, municipality }))
        .collect())
}

/// Whether every member (the lead aside) confirmed, and there is at least one.
pub fn all_confirmed(members: &[Member]) -> bool {
    let others: Vec<&Member> = members
        .iter()
        .filter(|m| m.row.role == MemberRole::Member)
        .collect();
    !others.is_empty()
        && others
            .iter()
            .all(|m| m.row.consent_state == ConsentState::Confirmed)
}

/// Refuses a change of who takes part unless the members section is open, for the lead (invite,
/// remove) and for a member (confirm, replace or remove its decision, leave) alike: the rule is
/// [`crate::domain::cooperation::membership_open`].
pub(crate) async fn ensure_membership_open<C: ConnectionTrait>(
    db: &C,
    app: &application::Model,
) -> Result<(), AppError> {
    membership_closed(db, app)
        .await?
        .map_or(Ok(()), |message| Err(AppError::Conflict(message)))
}

/// Why the members of `app` cannot change now, in Dutch; `None` while they can.
async fn membership_closed<C: ConnectionTrait>(
    db: &C,
    app: &application::Model,
) -> Result<Option<String>, DbErr> {
    use crate::domain::parts::Locked;
    let reopened = crate::store::change_requests::reopened_parts(db, app).await?;
    let state = crate::domain::workflow::DossierState::from(app.state);
    Ok(
        match crate::domain::cooperation::membership_open(state, reopened.as_deref()) {
            Ok(()) => None,
            Err(Locked::NotEditable { state }) => Some(format!(
                "Dossier {} is {state}: wie deelneemt, ligt vast en kan niet meer veranderen.",
                app.reference
            )),
            Err(Locked::NotReopened { reopened }) => Some(format!(
                "ABB vroeg enkel aanpassingen aan: {}. Wie deelneemt, blijft zoals het dossier \
                 ingediend werd: geen gemeente kan nu toetreden of vertrekken, en geen \
                 beslissing over deelname kan nu veranderen. Neem contact op met ABB als dat \
                 toch nodig is.",
                crate::domain::parts::names(&reopened)
            )),
        },
    )
}

/// Why an invitation cannot be made, in Dutch.
#[derive(Debug)]
enum Refused {
    Message(String),
    Db(DbErr),
}

impl From<DbErr> for Refused {
    fn from(err: DbErr) -> Self {
        Self::Db(err)
    }
}

/// Invites `nis` into the cooperation `app` led by `lead_nis`: same reference region, not yet
/// in an application of the call. Sends the invitation e-mail in the same transaction.
#[allow(clippy::too_many_arguments)]
async fn invite_one<C: ConnectionTrait>(
    txn: &C,
    state: &AppState,
    user: &SessionUser,
    ip: Option<String>,
    app: &application::Model,
    directory: &Directory,
    ids: &std::collections::HashMap<NisCode, i64>,
    lead_nis: NisCode,
    nis: NisCode,
) -> Result<String, Refused> {
    let lead = directory.get(lead_nis).ok_or_else(|| {
        Refused::Message(
            "De trekker staat niet in de gemeentelijke indeling van deze oproep.".into(),
        )
    })?;
    let Some(member) = directory.get(nis) else {
        return Err(Refused::Message(format!(
            "NIS-code {nis} is geen gemeente van de indeling van deze oproep."
        )));
    };
    if nis == lead_nis {
        return Err(Refused::Message(format!(
            "{} is de trekker van dit dossier.",
            member.name
        )));
    }
    if member.region_code != lead.region_code {
        return Err(Refused::Message(format!(
            "{} ligt in {}, niet in {}: een samenwerking blijft binnen één referentieregio.",
            member.name, member.region_name, lead.region_name
        )));
    }
    let municipality_id = *ids
        .get(&nis)
        .ok_or_else(|| Refused::Message(format!("{} is onbekend.", member.name)))?;
    let now = Utc::now();
    let inserted = application_member::ActiveModel {
        application_id: Set(app.id),
        call_id: Set(app.call_id),
        municipality_id: Set(municipality_id),
        role: Set(MemberRole::Member),
        consent_state: Set(ConsentState::Invited),
        consent_at: Set(None),
        invited_at: Set(now),
        version: Set(1),
        ..Default::default()
    }
    .insert(txn)
    .await;
    if let Err(err) = inserted {
        if is_unique_violation(&err) {
            return Err(Refused::Message(format!(
                "{} neemt al deel aan een dossier voor deze oproep en kan niet uitgenodigd worden. Een gemeente zit in ten hoogste één dossier per oproep.",
                member.name
            )));
        }
        return Err(err.into());
    }
    audit::record(
        txn,
        AuditEntry::new(
            "cooperation.member_invited",
            "application",
            Some(app.id.to_string()),
        )
        .by(Some(user.user.id), user.label())
        .from_ip(ip)
        .after(serde_json::json!({"municipality": member.name, "nis_code": nis.get()})),
    )
    .await?;
    let link = format!("{}/dossiers/{}/deelname", state.config.public_url, app.id);
    for to in officials_of(txn, municipality_id).await? {
        mail::enqueue(
            txn,
            OutgoingMail {
                to,
                subject: format!("Samenleven: {} nodigt {} uit voor een samenwerking", lead.name, member.name),
                body_text: format!(
                    "Beste,\n\n{lead} nodigt {member} uit om deel te nemen aan dossier {reference} (\"{title}\"), een intergemeentelijke samenwerking voor de provisie Samenleven.\n\nBekijk het dossier en bevestig of weiger de deelname van uw gemeente, met de beslissing van uw gemeenteraad of college in bijlage:\n{link}\n\nMet vriendelijke groeten,\nAgentschap Binnenlands Bestuur — Samenleven\n",
                    lead = lead.name,
                    member = member.name,
                    reference = app.reference,
                    title = app.title,
                ),
                related: Some(("application".into(), app.id.to_string())),
            },
        )
        .await?;
    }
    Ok(member.name.clone())
}

pub(crate) async fn officials_of<C: ConnectionTrait>(
    db: &C,
    municipality_id: i64,
) -> Result<Vec<String>, DbErr> {
    Ok(app_user::Entity::find()
        .filter(app_user::Column::MunicipalityId.eq(municipality_id))
        .filter(app_user::Column::Active.eq(true))
        .all(db)
        .await?
        .into_iter()
        .map(|u| u.email)
        .collect())
}

fn parse_nis_list(text: &str) -> Result<Vec<NisCode>, String> {
    text.split([',', ' ', ';'])
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(|t| NisCode::parse(t).map_err(|e| format!("{t}: {e}")))
        .collect()
}

#[derive(Debug, Deserialize)]
pub struct StartForm {
    #[serde(default)]
    pub call_id: String,
    #[serde(default)]
    pub members: String,
}

/// Starts a cooperation dossier with the official's municipality as lead, inviting the given
/// members (for example an advisor proposal).
async fn start(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ctx: PageContext,
    Form(form): Form<StartForm>,
) -> Result<Response, AppError> {
    crate::web::guard(&state, &user, Action::StartDossier, None, ctx.ip.clone()).await?;
    let Some(lead_id) = user.user.municipality_id else {
        return Err(AppError::Conflict(
            "Alleen een gemeente kan trekker van een samenwerking zijn.".into(),
        ));
    };
    let call_id: i64 = form
        .call_id
        .trim()
        .parse()
        .map_err(|_| AppError::BadRequest("Kies een oproep.".into()))?;
    let call = rules::call_context(&state.db, call_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let now = state.clock.now();
    call.window()
        .accepts_new_dossiers(now)
        .map_err(|refusal| AppError::Conflict(refusal.explain(&call.call.title)))?;
    let members = parse_nis_list(&form.members)
        .map_err(|e| AppError::BadRequest(format!("Ongeldige gemeente: {e}")))?;
    let (directory, ids) =
        rules::directory(&state.db, call.call.reference_year, call.map_date()).await?;
    let Some(lead_nis) = ids.iter().find(|(_, id)| **id == lead_id).map(|(n, _)| *n) else {
        return Err(AppError::Conflict(
            "Uw gemeente staat niet in de gemeentelijke indeling van deze oproep.".into(),
        ));
    };
    let lead_name = directory
        .get(lead_nis)
        .map(|m| m.name.clone())
        .unwrap_or_default();
    let region_size = directory
        .get(lead_nis)
        .map(|m| directory.region(&m.region_code).count())
        .unwrap_or(0);
    crate::domain::limits::check_members(members.len(), region_size)
        .map_err(AppError::BadRequest)?;
    let first_year = call
        .rules
        .project_years
        .first()
        .map(|y| i32::from(y.year))
        .unwrap_or(1);

    let txn = crate::db::begin_write(&state.db).await?;
    let app = match crate::store::applications::create_draft(
        &txn,
        crate::store::applications::NewDossier {
            call_id: call.call.id,
            call_code: call.call.code.clone(),
            kind: ApplicationKind::Cooperation,
            lead_municipality_id: Some(lead_id),
            partner_organisation_id: None,
            title: format!("Samenwerking rond {lead_name}"),
            first_project_year: first_year,
            created_by: user.user.id,
        },
        now,
    )
    .await
    {
        Ok(app) => app,
        Err(err) => {
            txn.rollback().await?;
            if is_unique_violation(&err) {
                return Err(AppError::Conflict(format!(
                    "{lead_name} neemt al deel aan een dossier voor deze oproep. Een gemeente zit in ten hoogste één dossier per oproep."
                )));
            }
            return Err(err.into());
        }
    };
    let reference = app.reference.clone();
    audit::record(
        &txn,
        AuditEntry::new("application.started", "application", Some(app.id.to_string()))
            .by(Some(user.user.id), user.label())
            .from_ip(ctx.ip.clone())
            .after(serde_json::json!({"reference": reference, "call": call.call.code, "kind": "cooperation"})),
    )
    .await?;
    // Invitations that fail (taken meanwhile, other region) do not stop the start; they are
    // reported and the lead can invite others.
    let mut problems = Vec::new();
    let mut invited = Vec::new();
    for nis in members {
        let savepoint = txn.begin().await?;
        match invite_one(
            &savepoint,
            &state,
            &user,
            ctx.ip.clone(),
            &app,
            &directory,
            &ids,
            lead_nis,
            nis,
        )
        .await
        {
            Ok(name) => {
                savepoint.commit().await?;
                invited.push(name);
            }
            Err(Refused::Message(message)) => {
                savepoint.rollback().await?;
                problems.push(message);
            }
            Err(Refused::Db(err)) => return Err(err.into()),
        }
    }
    txn.commit().await?;
    state.mail_wakeup.notify_one();
    let mut message =
        format!("Samenwerking {reference} is aangemaakt met {lead_name} als trekker.");
    if !invited.is_empty() {
        message.push_str(&format!(" Uitgenodigd: {}.", invited.join(", ")));
    }
    for p in problems {
        message.push(' ');
        message.push_str(&p);
    }
    Ok(redirect_with_flash(
        &format!("/dossiers/{}/leden", app.id),
        &message,
        state.config.secure_cookies(),
    ))
}

pub struct MemberLine {
    pub nis: String,
    pub name: String,
    pub role: &'static str,
    pub consent: &'static str,
    pub consent_css: &'static str,
    pub non_eu15: String,
    pub share: String,
    pub fictitious: bool,
    pub removable: bool,
}

pub struct InviteChoice {
    pub nis: String,
    pub label: String,
}

pub struct Suggestion {
    pub names: String,
    pub total: String,
    pub earns_incentive: bool,
    pub missing: Vec<InviteChoice>,
}

#[derive(Template)]
#[template(path = "cooperation/members.html")]
pub struct MembersPage {
    pub layout: Layout,
    pub dossier: DossierHeader,
    pub is_cooperation: bool,
    pub may_edit: bool,
    pub region: String,
    pub members: Vec<MemberLine>,
    pub total: String,
    pub threshold: String,
    pub reached: bool,
    pub results: Vec<ShownResult>,
    pub choices: Vec<InviteChoice>,
    pub suggestions: Vec<Suggestion>,
    pub errors: FormErrors,
}

/// How a member's answer reads; `decision_on_file`: its decision on taking part is there.
fn consent_words(member: &Member, decision_on_file: bool) -> (&'static str, &'static str) {
    match (member.row.role, member.row.consent_state) {
        (MemberRole::Lead, _) => ("trekker", "status-complete"),
        (_, ConsentState::Confirmed) if !decision_on_file => (
            "bevestigd, maar de beslissing ontbreekt: nog niet geldig",
            "status-in-progress",
        ),
        (_, ConsentState::Confirmed) => ("bevestigd", "status-complete"),
        (_, ConsentState::Invited) => ("uitgenodigd, nog geen antwoord", "status-in-progress"),
        (_, ConsentState::Declined) => ("geweigerd", "status-not-started"),
    }
}

async fn members_view(
    state: &AppState,
    user: &SessionUser,
    ctx: &PageContext,
    content: &DossierContent,
    errors: FormErrors,
) -> Result<Html<String>, AppError> {
    let app = &content.dossier.application;
    let may_edit = policy::decide(
        &user.actor(),
        Action::EditDossier,
        Some(&content.dossier.parties),
    )
    .is_ok()
        && is_editable(app.state);
    let call = &content.call;
    let (directory, _) =
        rules::directory(&state.db, call.call.reference_year, call.map_date()).await?;
    let taken = rules::taken(&state.db, call.call.id).await?;
    let members = members_of(&state.db, app.id).await?;
    let decisions: Vec<i64> = crate::store::attachments::member_decisions(&state.db, app.id, None)
        .await?
        .into_iter()
        .filter_map(|a| a.municipality_id)
        .collect();
    let report = content.report(&state.db).await?;
    let year = call.rules.reference_year;
    let mut total: u64 = 0;
    let lines = members
        .iter()
        .map(|m| {
            let found = NisCode::new(u32::try_from(m.municipality.nis_code).unwrap_or(0))
                .and_then(|n| directory.get(n));
            let figure = found.and_then(|d| d.non_eu15_in(year).found());
            let residents = found.and_then(|d| d.residents_in(year).found());
            total += figure.map(|f| f.value).unwrap_or(0);
            let (consent, consent_css) = consent_words(m, decisions.contains(&m.municipality.id));
            MemberLine {
                nis: m.municipality.nis_code.to_string(),
                name: m.municipality.name.clone(),
                role: if m.row.role == MemberRole::Lead {
                    "trekker"
                } else {
                    "deelnemer"
                },
                consent,
                consent_css,
                non_eu15: figure
                    .map(|f| format_count(f.value))
                    .unwrap_or_else(|| "onbekend".into()),
                share: match (figure, residents) {
                    (Some(f), Some(r)) if r.value > 0 => {
                        format_basis_points(f.value * 10_000 / r.value)
                    }
                    _ => "onbekend".into(),
                },
                fictitious: figure.is_some_and(|f| f.fictitious),
                removable: may_edit && m.row.role == MemberRole::Member,
            }
        })
        .collect();
    let lead_nis = content
        .lead_nis
        .and_then(|n| u32::try_from(n).ok())
        .and_then(NisCode::new);
    let lead = lead_nis.and_then(|n| directory.get(n));
    let member_codes: Vec<i32> = members.iter().map(|m| m.municipality.nis_code).collect();
    let choices = match lead {
        Some(lead) if may_edit => directory
            .region(&lead.region_code)
            .filter(|m| !member_codes.contains(&i32::try_from(m.nis_code.get()).unwrap_or(0)))
            .filter(|m| !taken.contains(m.nis_code))
            .map(|m| InviteChoice {
                nis: m.nis_code.to_string(),
                label: format!(
                    "{} ({} inwoners van niet-EU15-herkomst{})",
                    m.name,
                    m.non_eu15_in(year)
                        .found()
                        .map(|f| format_count(f.value))
                        .unwrap_or_else(|| "onbekend".into()),
                    if m.non_eu15_in(year).found().is_some_and(|f| f.fictitious) {
                        ", fictief"
                    } else {
                        ""
                    }
                ),
            })
            .collect(),
        _ => Vec::new(),
    };
    let mut suggestions = Vec::new();
    if let (Some(lead_nis), true) = (lead_nis, may_edit) {
        let others = taken.without_application(&app.reference);
        let advisor = Advisor::new(&call.rules, &directory, &others, AdvisorOptions::default());
        {
            if let Ok(advice) = advisor.advise(lead_nis) {
                for p in advice
                    .proposals
                    .iter()
                    .chain(advice.incentive_proposals.iter())
                    .take(4)
                {
                    let missing: Vec<InviteChoice> = p
                        .members
                        .iter()
                        .filter(|m| {
                            !member_codes.contains(&i32::try_from(m.nis_code.get()).unwrap_or(0))
                        })
                        .map(|m| InviteChoice {
                            nis: m.nis_code.to_string(),
                            label: m.name.clone(),
                        })
                        .collect();
                    if missing.is_empty()
                        || suggestions
                            .iter()
                            .any(|s: &Suggestion| s.names == names_of(p))
                    {
                        continue;
                    }
                    suggestions.push(Suggestion {
                        names: names_of(p),
                        total: format_count(p.total_non_eu15),
                        earns_incentive: p.earns_incentive,
                        missing,
                    });
                }
            }
        }
    }
    render(&MembersPage {
        layout: ctx.layout("Deelnemende gemeenten"),
        dossier: header(content, may_edit),
        is_cooperation: app.kind == ApplicationKind::Cooperation,
        may_edit,
        region: lead.map(|l| l.region_name.clone()).unwrap_or_default(),
        members: lines,
        total: format_count(total),
        threshold: format_count(call.rules.pooled_min_inclusive),
        reached: total >= call.rules.pooled_min_inclusive,
        results: report
            .eligibility
            .iter()
            .flat_map(|v| v.results.iter())
            .map(shown)
            .collect(),
        choices,
        suggestions,
        errors,
    })
}

fn names_of(p: &crate::domain::Proposal) -> String {
    let names: Vec<&str> = p.members.iter().map(|m| m.name.as_str()).collect();
    crate::domain::dutch::join_names(&names)
}

async fn members_page(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ctx: PageContext,
    Path(id): Path<String>,
) -> Result<Html<String>, AppError> {
    let dossier = load_for(&state, &user, &id, Action::ViewDossier, ctx.ip.clone()).await?;
    let content = drafts::load(&state.db, dossier).await?;
    members_view(&state, &user, &ctx, &content, FormErrors::default()).await
}

#[derive(Debug, Deserialize)]
pub struct InviteForm {
    #[serde(default)]
    pub nis: String,
}

async fn invite(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ctx: PageContext,
    Path(id): Path<String>,
    Form(form): Form<InviteForm>,
) -> Result<Response, AppError> {
    let dossier = load_for(&state, &user, &id, Action::EditDossier, ctx.ip.clone()).await?;
    crate::web::dossiers::ensure_editable(&dossier)?;
    ensure_membership_open(&state.db, &dossier.application).await?;
    let content = drafts::load(&state.db, dossier).await?;
    let app = content.dossier.application.clone();
    if app.kind != ApplicationKind::Cooperation {
        return Err(AppError::Conflict(
            "Dit dossier is geen samenwerking: u kunt geen gemeenten uitnodigen.".into(),
        ));
    }
    let mut errors = FormErrors::default();
    let nis = match NisCode::parse(form.nis.trim()) {
        Ok(n) => Some(n),
        Err(_) => {
            errors.add("nis", "Kies een gemeente uit de lijst.");
            None
        }
    };
    let lead_nis = content
        .lead_nis
        .and_then(|n| u32::try_from(n).ok())
        .and_then(NisCode::new);
    let (Some(nis), Some(lead_nis)) = (nis, lead_nis) else {
        let page = members_view(&state, &user, &ctx, &content, errors).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    let (directory, ids) = rules::directory(
        &state.db,
        content.call.call.reference_year,
        content.call.map_date(),
    )
    .await?;
    let txn = crate::db::begin_write(&state.db).await?;
    match invite_one(
        &txn,
        &state,
        &user,
        ctx.ip.clone(),
        &app,
        &directory,
        &ids,
        lead_nis,
        nis,
    )
    .await
    {
        Ok(name) => {
            txn.commit().await?;
            state.mail_wakeup.notify_one();
            Ok(redirect_with_flash(
                &format!("/dossiers/{}/leden", app.id),
                &format!("{name} is uitgenodigd en kreeg een e-mail."),
                state.config.secure_cookies(),
            ))
        }
        Err(Refused::Message(message)) => {
            txn.rollback().await?;
            errors.add("nis", message);
            let page = members_view(&state, &user, &ctx, &content, errors).await?;
            Ok((StatusCode::CONFLICT, page).into_response())
        }
        Err(Refused::Db(err)) => Err(err.into()),
    }
}

async fn remove(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ctx: PageContext,
    Path((id, member)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let dossier = load_for(&state, &user, &id, Action::EditDossier, ctx.ip.clone()).await?;
    crate::web::dossiers::ensure_editable(&dossier)?;
    ensure_membership_open(&state.db, &dossier.application).await?;
    let app = dossier.application.clone();
    let members = members_of(&state.db, app.id).await?;
    let Some(target) = members.iter().find(|m| {
        m.municipality.nis_code.to_string() == member && m.row.role == MemberRole::Member
    }) else {
        return Err(AppError::NotFound);
    };
    let txn = crate::db::begin_write(&state.db).await?;
    application_member::Entity::delete_by_id(target.row.id)
        .exec(&txn)
        .await?;
    audit::record(
        &txn,
        AuditEntry::new("cooperation.member_removed", "application", Some(app.id.to_string()))
            .by(Some(user.user.id), user.label())
            .from_ip(ctx.ip.clone())
            .before(serde_json::json!({"municipality": target.municipality.name, "consent": target.row.consent_state})),
    )
    .await?;
    txn.commit().await?;
    Ok(redirect_with_flash(
        &format!("/dossiers/{}/leden", app.id),
        &format!("{} is niet langer uitgenodigd.", target.municipality.name),
        state.config.secure_cookies(),
    ))
}

#[derive(Template)]
#[template(path = "cooperation/consent.html")]
pub struct ConsentPage {
    pub layout: Layout,
    pub view: FullView,
    pub municipality: String,
    pub consent: &'static str,
    pub answered: bool,
    pub open: bool,
    /// Why the answer cannot change now, when not `open`.
    pub closed: String,
    pub errors: FormErrors,
    pub decision: String,
    pub reason: String,
    pub max_size: String,
}

/// The member row of the user's municipality in this dossier.
async fn my_membership(
    state: &AppState,
    user: &SessionUser,
    app_id: i64,
) -> Result<Member, AppError> {
    let municipality_id = user.user.municipality_id.ok_or(AppError::Forbidden)?;
    members_of(&state.db, app_id)
        .await?
        .into_iter()
        .find(|m| m.row.municipality_id == municipality_id && m.row.role == MemberRole::Member)
        .ok_or(AppError::NotFound)
}

#[allow(clippy::too_many_arguments)]
async fn consent_view(
    state: &AppState,
    ctx: &PageContext,
    content: &DossierContent,
    member: &Member,
    errors: FormErrors,
    decision: String,
    reason: String,
) -> Result<Html<String>, AppError> {
    let report = content.report(&state.db).await?;
    let app = &content.dossier.application;
    let closed = membership_closed(&state.db, app).await?;
    let decision_on_file = !crate::store::attachments::member_decisions(
        &state.db,
        app.id,
        Some(member.municipality.id),
    )
    .await?
    .is_empty();
    render(&ConsentPage {
        layout: ctx.layout("Deelname bevestigen"),
        view: full_view(content, &report),
        municipality: member.municipality.name.clone(),
        consent: consent_words(member, decision_on_file).0,
        answered: member.row.consent_state != ConsentState::Invited,
        open: closed.is_none(),
        closed: closed.unwrap_or_default(),
        errors,
        decision,
        reason,
        max_size: max_size_label(state),
    })
}

async fn consent_page(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ctx: PageContext,
    Path(id): Path<String>,
) -> Result<Html<String>, AppError> {
    let dossier = load_for(&state, &user, &id, Action::AnswerMembership, ctx.ip.clone()).await?;
    let member = my_membership(&state, &user, dossier.application.id).await?;
    let content = drafts::load(&state.db, dossier).await?;
    consent_view(
        &state,
        &ctx,
        &content,
        &member,
        FormErrors::default(),
        String::new(),
        String::new(),
    )
    .await
}

/// A member confirms (with its council or college decision attached) or declines. A decline
/// frees the municipality for this call; the lead's officials are told either way.
async fn answer(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ctx: PageContext,
    Path(id): Path<String>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, AppError> {
    let dossier = load_for(&state, &user, &id, Action::AnswerMembership, ctx.ip.clone()).await?;
    crate::web::dossiers::ensure_editable(&dossier)?;
    ensure_membership_open(&state.db, &dossier.application).await?;
    let member = my_membership(&state, &user, dossier.application.id).await?;
    let content = drafts::load(&state.db, dossier).await?;
    let app = content.dossier.application.clone();
    let max = state.config.max_upload_bytes;
    let form = read_form(multipart, &state.config).await?;
    let decision = form.field("decision").trim().to_owned();
    let reason = form.field("reason").trim().to_owned();
    let mut errors = FormErrors::default();
    let mut status = StatusCode::UNPROCESSABLE_ENTITY;
    let accepted = match decision.as_str() {
        "confirm" => check_file(
            form.file,
            max,
            &max_size_label(&state),
            &mut errors,
            &mut status,
        ),
        "decline" => {
            if reason.is_empty() || reason.chars().count() > 2000 {
                errors.add("reason", "Geef kort de reden op waarom uw gemeente niet deelneemt (hoogstens 2000 tekens).");
            }
            None
        }
        _ => {
            errors.add("decision", "Kies of uw gemeente deelneemt of niet.");
            None
        }
    };
    if !errors.is_empty() {
        let page = consent_view(&state, &ctx, &content, &member, errors, decision, reason).await?;
        return Ok((status, page).into_response());
    }
    let now = Utc::now();
    let lead_officials = match app.lead_municipality_id {
        Some(lead) => officials_of(&state.db, lead).await?,
        None => Vec::new(),
    };
    let link = format!("{}/dossiers/{}/leden", state.config.public_url, app.id);
    if let Some(file) = accepted {
        let dir = state.config.upload_dir();
        let stored_name = uuid::Uuid::new_v4().simple().to_string();
        file.content
            .store(&dir, &stored_name)
            .await
            .map_err(AppError::internal)?;
        let recorded = async {
            let txn = crate::db::begin_write(&state.db).await?;
            let updated = application_member::Entity::update_many()
                .col_expr(application_member::Column::ConsentState, Expr::value(ConsentState::Confirmed))
                .col_expr(application_member::Column::ConsentAt, Expr::value(Some(now)))
                .col_expr(application_member::Column::Version, Expr::value(member.row.version + 1))
                .filter(application_member::Column::Id.eq(member.row.id))
                .filter(application_member::Column::Version.eq(member.row.version))
                .exec(&txn)
                .await?;
            if updated.rows_affected != 1 {
                txn.rollback().await?;
                return Ok(None);
            }
            // A new decision replaces the member's earlier one: one decision per member.
            let replaced = crate::store::attachments::member_decisions(
                &txn,
                app.id,
                Some(member.municipality.id),
            )
            .await?;
            for old in &replaced {
                crate::store::attachments::delete(&txn, old.id).await?;
                audit::record(
                    &txn,
                    AuditEntry::new("attachment.deleted", "attachment", Some(old.id.to_string()))
                        .by(Some(user.user.id), user.label())
                        .from_ip(ctx.ip.clone())
                        .before(crate::web::attachments::row_json(old))
                        .details(format!(
                            "dossier {}: beslissing over deelname van {} vervangen",
                            app.reference, member.municipality.name
                        )),
                )
                .await?;
            }
            attachment::ActiveModel {
                application_id: Set(app.id),
                municipality_id: Set(Some(member.municipality.id)),
                progress_report_id: Set(None),
                kind: Set(CONSENT_KIND.into()),
                original_name: Set(file.name.clone()),
                stored_name: Set(stored_name.clone()),
                content_type: Set(file.file_type.content_type().into()),
                size_bytes: Set(i64::try_from(file.content.size).unwrap_or(i64::MAX)),
                sha256: Set(file.content.sha256.clone()),
                uploaded_by: Set(Some(user.user.id)),
                uploaded_at: Set(now),
                ..Default::default()
            }
            .insert(&txn)
            .await?;
            audit::record(
                &txn,
                AuditEntry::new("cooperation.member_confirmed", "application", Some(app.id.to_string()))
                    .by(Some(user.user.id), user.label())
                    .from_ip(ctx.ip.clone())
                    .after(serde_json::json!({"municipality": member.municipality.name})),
            )
            .await?;
            for to in &lead_officials {
                mail::enqueue(&txn, OutgoingMail {
                    to: to.clone(),
                    subject: format!("Samenleven: {} bevestigt deelname aan {}", member.municipality.name, app.reference),
                    body_text: format!("Beste,\n\n{} bevestigde de deelname aan dossier {} (\"{}\").\n\nBekijk de deelnemende gemeenten:\n{link}\n\nMet vriendelijke groeten,\nAgentschap Binnenlands Bestuur — Samenleven\n", member.municipality.name, app.reference, app.title),
                    related: Some(("application".into(), app.id.to_string())),
                }).await?;
            }
            txn.commit().await?;
            Ok::<_, DbErr>(Some(replaced))
        }
        .await;
        match recorded {
            Ok(Some(replaced)) => {
                for old in replaced {
                    remove_file(&dir, &old.stored_name).await;
                }
            }
            Ok(None) => {
                remove_file(&dir, &stored_name).await;
                return Err(AppError::Conflict(
                    "Uw gemeente antwoordde intussen al. Open de pagina opnieuw.".into(),
                ));
            }
            Err(err) => {
                remove_file(&dir, &stored_name).await;
                return Err(err.into());
            }
        }
        state.mail_wakeup.notify_one();
        return Ok(redirect_with_flash(
            &format!("/dossiers/{}", app.id),
            &format!(
                "{} neemt deel aan dossier {}. De trekker is verwittigd.",
                member.municipality.name, app.reference
            ),
            state.config.secure_cookies(),
        ));
    }
    // Decline: the municipality leaves the dossier and is free again for this call.
    let txn = crate::db::begin_write(&state.db).await?;
    application_member::Entity::delete_by_id(member.row.id)
        .exec(&txn)
        .await?;
    audit::record(
        &txn,
        AuditEntry::new("cooperation.member_declined", "application", Some(app.id.to_string()))
            .by(Some(user.user.id), user.label())
            .from_ip(ctx.ip.clone())
            .before(serde_json::json!({"municipality": member.municipality.name, "consent": member.row.consent_state}))
            .details(reason.clone()),
    )
    .await?;
    for to in &lead_officials {
        mail::enqueue(&txn, OutgoingMail {
            to: to.clone(),
            subject: format!("Samenleven: {} neemt niet deel aan {}", member.municipality.name, app.reference),
            body_text: format!("Beste,\n\n{} neemt niet deel aan dossier {} (\"{}\"). Reden: {}\n\nDe regels worden opnieuw berekend zonder deze gemeente. Bekijk de deelnemende gemeenten en nodig zo nodig een andere gemeente uit:\n{link}\n\nMet vriendelijke groeten,\nAgentschap Binnenlands Bestuur — Samenleven\n", member.municipality.name, app.reference, app.title, reason),
            related: Some(("application".into(), app.id.to_string())),
        }).await?;
    }
    txn.commit().await?;
    state.mail_wakeup.notify_one();
    Ok(redirect_with_flash(
        "/gemeente",
        &format!(
            "{} neemt niet deel aan dossier {}. De trekker is verwittigd.",
            member.municipality.name, app.reference
        ),
        state.config.secure_cookies(),
    ))
}

/// A member removes its own decision on taking part (`row`; the caller asked the policy):
/// the decision goes and, with no other decision of the member on file, the member is no longer
/// confirmed and the lead's officials are told. One transaction with the audit entries.
pub(crate) async fn remove_decision(
    state: &AppState,
    user: &SessionUser,
    ip: Option<String>,
    app: &application::Model,
    row: attachment::Model,
) -> Result<Response, AppError> {
    ensure_membership_open(&state.db, app).await?;
    let member = my_membership(state, user, app.id).await?;
    let lead_officials = match app.lead_municipality_id {
        Some(lead) => officials_of(&state.db, lead).await?,
        None => Vec::new(),
    };
    let name = &member.municipality.name;
    let txn = crate::db::begin_write(&state.db).await?;
    if !crate::store::attachments::delete(&txn, row.id).await? {
        return Err(AppError::NotFound);
    }
    audit::record(
        &txn,
        AuditEntry::new("attachment.deleted", "attachment", Some(row.id.to_string()))
            .by(Some(user.user.id), user.label())
            .from_ip(ip.clone())
            .before(crate::web::attachments::row_json(&row))
            .details(format!(
                "dossier {}: beslissing over deelname van {name}",
                app.reference
            )),
    )
    .await?;
    let remaining =
        crate::store::attachments::member_decisions(&txn, app.id, Some(member.municipality.id))
            .await?;
    let answered_yes = member.row.consent_state == ConsentState::Confirmed;
    let unconfirmed = answered_yes
        && !crate::domain::cooperation::is_confirmed(answered_yes, !remaining.is_empty());
    if unconfirmed {
        let updated = application_member::Entity::update_many()
            .col_expr(
                application_member::Column::ConsentState,
                Expr::value(ConsentState::Invited),
            )
            .col_expr(
                application_member::Column::ConsentAt,
                Expr::value(Option::<chrono::DateTime<Utc>>::None),
            )
            .col_expr(
                application_member::Column::Version,
                Expr::value(member.row.version + 1),
            )
            .filter(application_member::Column::Id.eq(member.row.id))
            .filter(application_member::Column::Version.eq(member.row.version))
            .exec(&txn)
            .await?;
        if updated.rows_affected != 1 {
            txn.rollback().await?;
            return Err(AppError::Conflict(
                "Uw gemeente antwoordde intussen opnieuw. Open de pagina opnieuw.".into(),
            ));
        }
        audit::record(
            &txn,
            AuditEntry::new(
                "cooperation.member_unconfirmed",
                "application",
                Some(app.id.to_string()),
            )
            .by(Some(user.user.id), user.label())
            .from_ip(ip)
            .before(serde_json::json!({"municipality": name, "consent": member.row.consent_state}))
            .details("de beslissing over deelname werd verwijderd"),
        )
        .await?;
        let link = format!("{}/dossiers/{}/leden", state.config.public_url, app.id);
        for to in &lead_officials {
            mail::enqueue(&txn, OutgoingMail {
                to: to.clone(),
                subject: format!("Samenleven: {name} is niet langer bevestigd in {}", app.reference),
                body_text: format!("Beste,\n\n{name} verwijderde zijn beslissing over de deelname aan dossier {} (\"{}\") en is daardoor niet langer bevestigd. Het dossier kan pas ingediend worden als {name} opnieuw bevestigt met een beslissing van de gemeenteraad of het college.\n\nBekijk de deelnemende gemeenten:\n{link}\n\nMet vriendelijke groeten,\nAgentschap Binnenlands Bestuur — Samenleven\n", app.reference, app.title),
                related: Some(("application".into(), app.id.to_string())),
            })
            .await?;
        }
    }
    txn.commit().await?;
    remove_file(&state.config.upload_dir(), &row.stored_name).await;
    state.mail_wakeup.notify_one();
    let message = if unconfirmed {
        format!(
            "De beslissing “{}” is verwijderd. {name} is niet langer bevestigd: bevestig opnieuw \
             met een beslissing van de gemeenteraad of het college, of laat weten dat uw gemeente \
             niet deelneemt. De trekker is verwittigd.",
            row.original_name
        )
    } else {
        format!("De beslissing “{}” is verwijderd.", row.original_name)
    };
    Ok(redirect_with_flash(
        &format!("/dossiers/{}/deelname", app.id),
        &message,
        state.config.secure_cookies(),
    ))
}
