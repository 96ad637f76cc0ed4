//! Intermunicipal cooperations: a lead municipality starts a pooled dossier, invites
//! municipalities of its own reference region (with the pooling advisor's proposals one click
//! away and the running total in view), and each member's officials confirm, attaching their
//! council or college decision, or decline. The rules engine recomputes the verdict on every
//! change; the dossier can only be submitted when every member confirmed and the rules pass.
//!
//! Adapters of [`crate::app::cooperation`]'s commands (start, invite, remove, confirm,
//! decline), and the members and consent pages.

use askama::Template;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use serde::Deserialize;

use entity::application::ApplicationKind;
use entity::application_member::{ConsentState, MemberRole};

use crate::app::cooperation::{self as commands, Answering, Invitation, StartInput};
use crate::app::{self, Caller};
use crate::auth::session::{CurrentUser, SessionUser};
use crate::domain::cooperation::{
    ThresholdStanding, excess_warning, is_confirmed, lead_share, read_commitment,
    threshold_standing,
};
use crate::domain::dutch::format_count;
use crate::domain::{Advisor, AdvisorOptions, Cents, Directory, NisCode, ReferenceYear};
use crate::error::AppError;
use crate::policy::{self, Action};
use crate::state::AppState;
use crate::store::cooperation::{Member, members_of};
use crate::store::drafts::DossierContent;
use crate::store::rules;
use crate::upload::{UploadForm, check_file, max_size_label, read_form};
use crate::web::context::PageContext;
use crate::web::dossier_view::{DossierHeader, ShownResult, header, shown};
use crate::web::dossiers::is_editable;
use crate::web::extract::{FlashRedirect, Id};
use crate::web::filters;
use crate::web::form::Form;
use crate::web::form::FormErrors;
use crate::web::full_view::{FullView, full_view};
use crate::web::pages::{Layout, render};
use crate::web::routes::OFFICIALS;
use crate::web::{Access, BodyLimit, RouteTable};

pub use crate::app::cooperation::CONSENT_KIND;

pub fn routes() -> RouteTable {
    RouteTable::new()
        .post("/samenwerkingen", OFFICIALS, start)
        .get("/dossiers/{id}/leden", Access::SignedIn, members_page)
        .post("/dossiers/{id}/leden", OFFICIALS, invite)
        .post("/dossiers/{id}/leden/herinnering", OFFICIALS, remind)
        .post(
            "/dossiers/{id}/leden/{member}/verwijderen",
            OFFICIALS,
            remove,
        )
        .get("/dossiers/{id}/deelname", OFFICIALS, consent_page)
        .post("/dossiers/{id}/deelname", OFFICIALS, answer)
        .limit(BodyLimit::Upload)
}

#[derive(Debug, Deserialize)]
pub struct StartForm {
    #[serde(default)]
    pub call_id: String,
    #[serde(default)]
    pub members: String,
}

/// Adapter: the start form → [`commands::start`] → the members page.
async fn start(
    State(state): State<AppState>,
    caller: Caller,
    Form(form): Form<StartForm>,
) -> Result<Response, AppError> {
    let input = StartInput {
        call_id: form.call_id,
        members: form.members,
    };
    let started = commands::start(&state, &caller, input).await?;
    let mut message = format!(
        "Samenwerking {} is aangemaakt met {} als trekker.",
        started.reference, started.lead_name
    );
    if !started.invited.is_empty() {
        message.push_str(&format!(" Uitgenodigd: {}.", started.invited.join(", ")));
    }
    for p in started.problems {
        message.push(' ');
        message.push_str(&p);
    }
    Ok(FlashRedirect::new(format!("/dossiers/{}/leden", started.id), message).into_response())
}

pub struct MemberLine {
    pub nis: String,
    pub name: String,
    pub role: &'static str,
    pub consent: &'static str,
    pub consent_css: &'static str,
    /// Residents of non-EU15 origin; `None` when the figure is missing.
    pub non_eu15: Option<u64>,
    /// Their share of the residents in basis points; `None` when a figure is missing.
    pub share: Option<u64>,
    pub fictitious: bool,
    pub removable: bool,
    /// The lead or a member that confirmed with its decision on file.
    pub confirmed: bool,
    /// A member that has not answered its invitation yet.
    pub awaiting: bool,
    /// Per project year: what a member committed of the own contribution when it confirmed;
    /// for the lead, what is left for it to carry.
    pub commitment: Option<Cents>,
    /// A member taken in during a later round: the project year from which it takes part.
    pub joined_in_year: Option<i32>,
}

pub struct InviteChoice {
    pub nis: String,
    pub label: String,
}

pub struct Suggestion {
    pub names: String,
    pub total: u64,
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
    /// The project year from which the lead can take in a new member now (a later round of a
    /// decided cooperation).
    pub late_round: Option<u16>,
    pub region: String,
    pub members: Vec<MemberLine>,
    /// Non-EU15 residents of every member still in (the lead, confirmed and invited ones).
    pub total: u64,
    pub threshold: u64,
    /// The lead and the confirmed members reach the threshold together.
    pub reached: bool,
    /// Reached only once the members that have not answered confirm.
    pub reached_once_confirmed: bool,
    /// The members that have not answered yet, by name, joined in Dutch.
    pub awaiting: String,
    pub results: Vec<ShownResult>,
    pub choices: Vec<InviteChoice>,
    pub suggestions: Vec<Suggestion>,
    pub errors: FormErrors,
    /// The dossier's own contribution per project year.
    pub own_per_year: Cents,
    /// The lead's warning when the members commit more than the own contribution, or empty.
    pub commitment_warning: String,
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

// Longer than 50 lines: the page gathers the members, their figures, the rules' results, the
// late round and the invitations; each part is one call.
/// The members page: who takes part with their figures and answers, the running total against
/// the threshold, the rules' results, and (for the lead while it may edit) whom it can invite
/// and the advisor's proposals.
async fn members_view(
    state: &AppState,
    user: &SessionUser,
    ctx: &PageContext,
    content: &DossierContent,
    errors: FormErrors,
) -> Result<Html<String>, AppError> {
    let app = &content.dossier.application;
    // A decided cooperation takes in new members during a later round (yearly rounds); the
    // members it has stay as they are.
    let late_round = if policy::decide(
        &user.actor(),
        Action::EditDossier,
        Some(&content.dossier.parties),
    )
    .is_ok()
    {
        commands::late_round(&state.db, app, state.clock.now()).await?
    } else {
        None
    };
    let may_edit = may_edit(user, content);
    let call = &content.call;
    let (directory, _) =
        rules::directory(&state.db, call.call.reference_year, call.map_date()).await?;
    let members = members_of(&state.db, app.id).await?;
    let decisions = crate::store::attachments::decided_members(&state.db, app.id).await?;
    let report = content.report_cached(&state.db, &ctx.reference).await?;
    let year = call.rules.reference_year;
    let (mut lines, total) = member_lines(&members, &directory, year, &decisions, may_edit);
    // During a later round the lead may take back only an unanswered invitation of that round.
    if let Some(round) = late_round {
        for (line, m) in lines.iter_mut().zip(&members) {
            line.removable = m.row.role == MemberRole::Member
                && crate::domain::rounds::may_take_back(
                    m.row.joined_in_year,
                    m.row.consent_state != ConsentState::Invited,
                    round,
                );
        }
    }
    let own_per_year = content.own_contribution_per_year();
    let commitment_warning = carry_commitments(&mut lines, own_per_year);
    let threshold = call.rules.pooled_min_inclusive;
    let (standing, awaiting) = standing_of(&lines, total, threshold);
    let lead = content
        .lead_nis
        .and_then(|n| u32::try_from(n).ok())
        .and_then(NisCode::new)
        .and_then(|n| directory.get(n));
    let (choices, suggestions) = match (lead, may_edit || late_round.is_some()) {
        (Some(lead), true) => open_invitations(state, content, &directory, lead, &members).await?,
        _ => (Vec::new(), Vec::new()),
    };
    render(&MembersPage {
        layout: ctx.layout("Deelnemende gemeenten"),
        dossier: header(content, may_edit),
        is_cooperation: app.kind == ApplicationKind::Cooperation,
        may_edit,
        late_round,
        region: lead.map(|l| l.region_name.clone()).unwrap_or_default(),
        awaiting,
        members: lines,
        total,
        threshold,
        reached: standing == ThresholdStanding::Reached,
        reached_once_confirmed: standing == ThresholdStanding::ReachedOnceConfirmed,
        results: rule_results(&report),
        choices,
        suggestions,
        errors,
        own_per_year,
        commitment_warning,
    })
}

/// Fills in the lead's line with what is left of the own contribution (`own` per project year)
/// after the confirmed members' commitments ([`lead_share`]); the lead's warning when the
/// members commit more than the dossier's own contribution, else empty.
fn carry_commitments(lines: &mut [MemberLine], own: Cents) -> String {
    let committed: Vec<Cents> = lines
        .iter()
        .filter(|l| l.role == "deelnemer" && l.confirmed)
        .filter_map(|l| l.commitment)
        .collect();
    let (rest, warning) = match lead_share(own, &committed) {
        Ok(rest) => (Some(rest), String::new()),
        Err(excess) => (Some(Cents::ZERO), excess_warning(own, excess)),
    };
    for line in lines.iter_mut().filter(|l| l.role == "trekker") {
        line.commitment = rest;
    }
    warning
}

/// The rules' results as the members page shows them.
fn rule_results(report: &crate::domain::ApplicationReport) -> Vec<ShownResult> {
    report
        .eligibility
        .iter()
        .flat_map(|v| v.results.iter())
        .map(shown)
        .collect()
}

/// Where the members stand against the pooled `threshold` (the rule:
/// [`threshold_standing`]), and who has not answered yet, by name.
fn standing_of(lines: &[MemberLine], total: u64, threshold: u64) -> (ThresholdStanding, String) {
    let confirmed: u64 = lines
        .iter()
        .filter(|l| l.confirmed)
        .filter_map(|l| l.non_eu15)
        .sum();
    let awaiting: Vec<&str> = lines
        .iter()
        .filter(|l| l.awaiting)
        .map(|l| l.name.as_str())
        .collect();
    (
        threshold_standing(confirmed, total, threshold),
        crate::domain::dutch::join_names(&awaiting),
    )
}

/// Whether the user may change who takes part: the dossier's editors while it is editable.
fn may_edit(user: &SessionUser, content: &DossierContent) -> bool {
    let parties = Some(&content.dossier.parties);
    policy::decide(&user.actor(), Action::EditDossier, parties).is_ok()
        && is_editable(content.dossier.application.state)
}

/// Whom the lead can still invite, and the advisor's proposals with the members they miss.
async fn open_invitations(
    state: &AppState,
    content: &DossierContent,
    directory: &Directory,
    lead: &crate::domain::Municipality,
    members: &[Member],
) -> Result<(Vec<InviteChoice>, Vec<Suggestion>), AppError> {
    let call = &content.call;
    let member_codes: Vec<i32> = members.iter().map(|m| m.municipality.nis_code).collect();
    let taken = rules::taken(&state.db, call.call.id).await?;
    let year = call.rules.reference_year;
    let choices = invite_choices(directory, lead, &taken, &member_codes, year);
    let others = taken.without_application(&content.dossier.application.reference);
    let advisor = Advisor::new(&call.rules, directory, &others, AdvisorOptions::default());
    Ok((choices, suggestions(&advisor, lead.nis_code, &member_codes)))
}

/// A line per member, and their non-EU15 residents together.
fn member_lines(
    members: &[Member],
    directory: &Directory,
    year: ReferenceYear,
    decisions: &[i64],
    may_edit: bool,
) -> (Vec<MemberLine>, u64) {
    let mut total: u64 = 0;
    let lines = members
        .iter()
        .map(|m| {
            let found = NisCode::new(u32::try_from(m.municipality.nis_code).unwrap_or(0))
                .and_then(|n| directory.get(n));
            let figure = found.and_then(|d| d.non_eu15_in(year).found());
            let residents = found.and_then(|d| d.residents_in(year).found());
            total += figure.map(|f| f.value).unwrap_or(0);
            let decision_on_file = decisions.contains(&m.municipality.id);
            let (consent, consent_css) = consent_words(m, decision_on_file);
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
                non_eu15: figure.map(|f| f.value),
                share: match (figure, residents) {
                    (Some(f), Some(r)) if r.value > 0 => Some(f.value * 10_000 / r.value),
                    _ => None,
                },
                fictitious: figure.is_some_and(|f| f.fictitious),
                removable: may_edit && m.row.role == MemberRole::Member,
                confirmed: m.row.role == MemberRole::Lead
                    || is_confirmed(
                        m.row.consent_state == ConsentState::Confirmed,
                        decision_on_file,
                    ),
                awaiting: m.row.role == MemberRole::Member
                    && m.row.consent_state == ConsentState::Invited,
                commitment: m.row.commitment_cents.and_then(Cents::new),
                joined_in_year: m.row.joined_in_year,
            }
        })
        .collect();
    (lines, total)
}

/// The municipalities of the lead's region the lead can still invite.
fn invite_choices(
    directory: &Directory,
    lead: &crate::domain::Municipality,
    taken: &crate::domain::Taken,
    member_codes: &[i32],
    year: ReferenceYear,
) -> Vec<InviteChoice> {
    directory
        .region(&lead.region_code)
        .filter(|m| !member_codes.contains(&i32::try_from(m.nis_code.get()).unwrap_or(0)))
        .filter(|m| !taken.contains(m.nis_code))
        .map(|m| {
            let figure = m.non_eu15_in(year).found();
            InviteChoice {
                nis: m.nis_code.to_string(),
                label: format!(
                    "{} ({} inwoners van niet-EU15-herkomst{})",
                    m.name,
                    figure
                        .map(|f| format_count(f.value))
                        .unwrap_or_else(|| "onbekend".into()),
                    if figure.is_some_and(|f| f.fictitious) {
                        ", fictief"
                    } else {
                        ""
                    }
                ),
            }
        })
        .collect()
}

/// At most four of the advisor's proposals for the lead, each with the members still missing.
fn suggestions(advisor: &Advisor<'_>, lead_nis: NisCode, member_codes: &[i32]) -> Vec<Suggestion> {
    let mut suggestions: Vec<Suggestion> = Vec::new();
    let Ok(advice) = advisor.advise(lead_nis) else {
        return suggestions;
    };
    for p in advice
        .proposals
        .iter()
        .chain(advice.incentive_proposals.iter())
        .take(4)
    {
        let missing: Vec<InviteChoice> = p
            .members
            .iter()
            .filter(|m| !member_codes.contains(&i32::try_from(m.nis_code.get()).unwrap_or(0)))
            .map(|m| InviteChoice {
                nis: m.nis_code.to_string(),
                label: m.name.clone(),
            })
            .collect();
        if missing.is_empty() || suggestions.iter().any(|s| s.names == names_of(p)) {
            continue;
        }
        suggestions.push(Suggestion {
            names: names_of(p),
            total: p.total_non_eu15,
            earns_incentive: p.earns_incentive,
            missing,
        });
    }
    suggestions
}

fn names_of(p: &crate::domain::Proposal) -> String {
    let names: Vec<&str> = p.members.iter().map(|m| m.name.as_str()).collect();
    crate::domain::dutch::join_names(&names)
}

async fn members_page(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    caller: Caller,
    ctx: PageContext,
    Id(id): Id,
) -> Result<Html<String>, AppError> {
    let content = app::dossier_for(&state, &caller, id, Action::ViewDossier).await?;
    members_view(&state, &user, &ctx, &content, FormErrors::default()).await
}

#[derive(Debug, Deserialize)]
pub struct InviteForm {
    #[serde(default)]
    pub nis: String,
}

/// Adapter: the invite form → [`commands::invite`] → the members page, or the page again with
/// the message (422 for a code that is no choice, 409 for a municipality that cannot come).
async fn invite(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    caller: Caller,
    ctx: PageContext,
    Id(id): Id,
    Form(form): Form<InviteForm>,
) -> Result<Response, AppError> {
    let (status, errors) = match commands::invite(&state, &caller, id, &form.nis).await {
        Ok(Invitation::Sent(name)) => {
            return Ok(FlashRedirect::new(
                format!("/dossiers/{id}/leden"),
                format!("{name} is uitgenodigd en kreeg een e-mail."),
            )
            .into_response());
        }
        Ok(Invitation::Refused(message)) => {
            let mut errors = FormErrors::default();
            errors.add("nis", message);
            (StatusCode::CONFLICT, errors)
        }
        Err(app::Error::Invalid(errors)) => (StatusCode::UNPROCESSABLE_ENTITY, errors),
        Err(other) => return Err(other.into()),
    };
    let content = app::dossier_for(&state, &caller, id, Action::ViewDossier).await?;
    let page = members_view(&state, &user, &ctx, &content, errors).await?;
    Ok((status, page).into_response())
}

/// Adapter: the lead's "Herinnering sturen" button → [`commands::remind`] → the members page
/// with who was reminded, and who already was today.
async fn remind(
    State(state): State<AppState>,
    caller: Caller,
    Id(id): Id,
) -> Result<Response, AppError> {
    let reminded = commands::remind(&state, &caller, id).await?;
    let join = crate::domain::dutch::join_names::<String>;
    let mut message = Vec::new();
    if !reminded.sent.is_empty() {
        message.push(format!(
            "Herinnering verstuurd naar {}.",
            join(&reminded.sent)
        ));
    }
    if !reminded.already_today.is_empty() {
        message.push(format!(
            "{} kreeg vandaag al een herinnering. Een gemeente krijgt hoogstens één herinnering \
             per dag: probeer het morgen opnieuw.",
            join(&reminded.already_today)
        ));
    }
    Ok(FlashRedirect::new(format!("/dossiers/{id}/leden"), message.join(" ")).into_response())
}

/// Adapter: a member's "remove" button → [`commands::remove`].
async fn remove(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, member)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let id = crate::web::extract::parse_id(&id)?;
    let name = commands::remove(&state, &caller, id, &member).await?;
    Ok(FlashRedirect::new(
        format!("/dossiers/{id}/leden"),
        format!("{name} is niet langer uitgenodigd."),
    )
    .into_response())
}

/// A member's answer on the dossier page: while it still owes one, a block that leads to the
/// consent page; once answered, its answer with a link to check or change it while the members
/// may still change.
pub struct ConsentBlock {
    pub municipality: String,
    pub lead: String,
    pub href: String,
    /// It has not answered yet.
    pub awaiting: bool,
    pub consent: &'static str,
    /// What it committed of the own contribution per project year, once it confirmed.
    pub commitment: Option<Cents>,
}

/// The consent block for `user` on dossier `content`: `None` unless the user is an official of
/// a member municipality and the members may still change.
pub async fn consent_block(
    state: &AppState,
    user: &SessionUser,
    content: &DossierContent,
) -> Result<Option<ConsentBlock>, AppError> {
    let app = &content.dossier.application;
    let Some(municipality_id) = user.user.municipality_id else {
        return Ok(None);
    };
    let parties = &content.dossier.parties;
    if !parties.member_municipality_ids.contains(&municipality_id)
        || policy::decide(&user.actor(), Action::AnswerMembership, Some(parties)).is_err()
    {
        return Ok(None);
    }
    let Some(member) =
        crate::store::cooperation::membership(&state.db, app.id, municipality_id).await?
    else {
        return Ok(None);
    };
    if commands::answer_closed(&state.db, app, &member, state.clock.now())
        .await?
        .is_some()
    {
        return Ok(None);
    }
    let invited = member.row.consent_state == ConsentState::Invited;
    let decision_on_file = !invited
        && !crate::store::attachments::member_decisions(&state.db, app.id, Some(municipality_id))
            .await?
            .is_empty();
    Ok(Some(ConsentBlock {
        municipality: member.municipality.name.clone(),
        lead: content.dossier.lead_name.clone(),
        href: format!("/dossiers/{}/deelname", app.id),
        awaiting: crate::domain::cooperation::awaits_answer(
            invited,
            app.state.into(),
            member.row.joined_in_year.is_some(),
        ),
        consent: consent_words(&member, decision_on_file).0,
        commitment: member.row.commitment_cents.and_then(Cents::new),
    }))
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
    pub typed: TypedAnswer,
    pub max_size: String,
    /// The dossier's own contribution per project year, which the commitment is a share of.
    pub own_per_year: Cents,
}

/// A member's answer as typed, kept when the form comes back with errors.
#[derive(Debug, Clone, Default)]
pub struct TypedAnswer {
    pub decision: String,
    pub reason: String,
    pub commitment: String,
}

/// The consent page: the whole dossier, and the form while the members may change.
async fn consent_view(
    state: &AppState,
    ctx: &PageContext,
    answering: &Answering,
    errors: FormErrors,
    typed: TypedAnswer,
) -> Result<Html<String>, AppError> {
    let Answering { content, member } = answering;
    let report = content.report_cached(&state.db, &ctx.reference).await?;
    let app = &content.dossier.application;
    let closed = commands::answer_closed(&state.db, app, member, state.clock.now()).await?;
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
        typed: TypedAnswer {
            commitment: if typed.commitment.is_empty() {
                member
                    .row
                    .commitment_cents
                    .and_then(Cents::new)
                    .map(|c| c.to_plain_string())
                    .unwrap_or_default()
            } else {
                typed.commitment
            },
            ..typed
        },
        max_size: max_size_label(state),
        own_per_year: content.own_contribution_per_year(),
    })
}

async fn consent_page(
    State(state): State<AppState>,
    caller: Caller,
    ctx: PageContext,
    Id(id): Id,
) -> Result<Html<String>, AppError> {
    let content = app::dossier_for(&state, &caller, id, Action::AnswerMembership).await?;
    let member = commands::my_membership(&state, &caller, id).await?;
    let answering = Answering { content, member };
    consent_view(
        &state,
        &ctx,
        &answering,
        FormErrors::default(),
        TypedAnswer::default(),
    )
    .await
}

fn answered_verb(decision: &str) -> &'static str {
    if decision == "confirm" {
        "neemt deel aan"
    } else {
        "neemt niet deel aan"
    }
}

/// Adapter: a member confirms (with its council or college decision attached:
/// [`commands::confirm`]) or declines ([`commands::decline`]). The body is read only once the
/// member may answer; the form comes back with its messages (413 for a file too large).
async fn answer(
    State(state): State<AppState>,
    caller: Caller,
    ctx: PageContext,
    Id(id): Id,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, AppError> {
    let answering = commands::open_for_answer(&state, &caller, id).await?;
    let form = read_form(multipart, &state.config).await?;
    let typed = TypedAnswer {
        decision: form.field("decision").trim().to_owned(),
        reason: form.field("reason").trim().to_owned(),
        commitment: form.field("commitment").trim().to_owned(),
    };
    let (errors, status) = match carry_out(&state, &caller, &answering, id, form, &typed).await? {
        Ok(to) => {
            let name = &answering.member.municipality.name;
            let reference = &answering.content.dossier.application.reference;
            let verb = answered_verb(&typed.decision);
            let message = format!("{name} {verb} dossier {reference}. De trekker is verwittigd.");
            return Ok(FlashRedirect::new(to, message).into_response());
        }
        Err(refused) => refused,
    };
    let page = consent_view(&state, &ctx, &answering, errors, typed).await?;
    Ok((status, page).into_response())
}

/// The member's answer carried out: the page to go to next, or the form's messages and the
/// status to show them with (413 for a file too large, 422 otherwise).
async fn carry_out(
    state: &AppState,
    caller: &Caller,
    answering: &Answering,
    id: i64,
    form: UploadForm,
    typed: &TypedAnswer,
) -> Result<Result<String, (FormErrors, StatusCode)>, AppError> {
    let mut errors = FormErrors::default();
    let mut status = StatusCode::UNPROCESSABLE_ENTITY;
    let done = match typed.decision.as_str() {
        "confirm" => {
            let commitment = read_commitment(&typed.commitment)
                .map_err(|message| errors.add("commitment", message))
                .ok();
            let max = state.config.max_upload_bytes;
            let label = max_size_label(state);
            match (
                check_file(form.file, max, &label, &mut errors, &mut status),
                commitment,
            ) {
                (Some(file), Some(commitment)) => Some(
                    commands::confirm(state, caller, answering, file, commitment)
                        .await
                        .map(|()| format!("/dossiers/{id}")),
                ),
                _ => None,
            }
        }
        "decline" => Some(
            commands::decline(state, caller, answering, &typed.reason)
                .await
                .map(|()| "/gemeente".to_owned()),
        ),
        _ => {
            errors.add("decision", "Kies of uw gemeente deelneemt of niet.");
            None
        }
    };
    match done {
        Some(Ok(to)) => Ok(Ok(to)),
        Some(Err(app::Error::Invalid(invalid))) => Ok(Err((invalid, status))),
        Some(Err(other)) => Err(other.into()),
        None => Ok(Err((errors, status))),
    }
}
