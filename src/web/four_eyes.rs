//! Four eyes on decisions (issue 22): the pending proposal as the review page shows it, its
//! confirmation page (the consequence in words, or the refusal for the proposer), sending it
//! back with a reason, withdrawing it, and the list "Te bevestigen" on the inbox. Adapters of
//! [`crate::app::review`] and [`crate::app::four_eyes`].

use askama::Template;
use axum::extract::State;
use axum::response::{Html, IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde::Deserialize;

use entity::four_eyes_proposal::Model as Proposal;

use crate::app::{self, Caller};
use crate::domain::Cents;
use crate::domain::four_eyes;
use crate::error::AppError;
use crate::state::AppState;
use crate::store::drafts::DossierContent;
use crate::web::RouteTable;
use crate::web::context::PageContext;
use crate::web::extract::{FlashRedirect, Ids};
use crate::web::filters;
use crate::web::form::{Form, FormErrors};
use crate::web::pages::{Layout, render};
use crate::web::routes::{ADMINS, STAFF};

pub fn routes() -> RouteTable {
    RouteTable::new()
        .merge(decision_routes())
        .merge(other_routes())
}

/// A proposed decision: its confirmation page, confirming, sending back, withdrawing.
fn decision_routes() -> RouteTable {
    const CONFIRM: &str = "/beoordeling/{id}/voorstellen/{proposal}/bevestigen";
    RouteTable::new()
        .get(CONFIRM, STAFF, confirm_page)
        .post(CONFIRM, STAFF, confirm)
        .post(
            "/beoordeling/{id}/voorstellen/{proposal}/terugsturen",
            STAFF,
            send_back,
        )
        .post(
            "/beoordeling/{id}/voorstellen/{proposal}/intrekken",
            STAFF,
            withdraw,
        )
}

/// Proposed envelope changes (admins) and reclaim decisions (staff).
fn other_routes() -> RouteTable {
    RouteTable::new()
        .post(
            "/beheer/oproepen/{id}/voorstellen/{proposal}/bevestigen",
            ADMINS,
            confirm_envelopes,
        )
        .post(
            "/beheer/oproepen/{id}/voorstellen/{proposal}/terugsturen",
            ADMINS,
            send_back_envelopes,
        )
        .post(
            "/beheer/oproepen/{id}/voorstellen/{proposal}/intrekken",
            ADMINS,
            withdraw_envelopes,
        )
        .merge(reclaim_routes())
}

/// Proposed reclaim decisions.
fn reclaim_routes() -> RouteTable {
    RouteTable::new()
        .post(
            "/opvolging/terugvorderingen/{id}/voorstellen/{proposal}/bevestigen",
            STAFF,
            confirm_reclaim,
        )
        .post(
            "/opvolging/terugvorderingen/{id}/voorstellen/{proposal}/terugsturen",
            STAFF,
            send_back_reclaim,
        )
        .post(
            "/opvolging/terugvorderingen/{id}/voorstellen/{proposal}/intrekken",
            STAFF,
            withdraw_reclaim,
        )
}

/// One action's grant in a proposed decision.
pub struct ProposedLine {
    pub code: String,
    pub title: String,
    pub requested: i64,
    /// Per project year.
    pub granted: i64,
}

/// A pending decision proposal as the review page and the confirmation page show it.
pub struct PendingDecision {
    pub id: i64,
    pub version: i32,
    pub outcome: &'static str,
    pub rejected: bool,
    pub lines: Vec<ProposedLine>,
    pub incentive: i64,
    pub total: i64,
    pub motivation: String,
    pub proposed_by: String,
    pub proposed_at: DateTime<Utc>,
    /// Why the caller cannot confirm it (they proposed it); `None` when they can.
    pub refusal: Option<&'static str>,
    /// What confirming does, in words.
    pub consequence: String,
}

/// The pending decision proposal on the dossier of `content`, if one waits, as `caller` sees it.
pub async fn pending_decision(
    state: &AppState,
    caller: &Caller,
    content: &DossierContent,
) -> Result<Option<PendingDecision>, AppError> {
    let app = &content.dossier.application;
    let found = crate::store::four_eyes::pending(
        &state.db,
        entity::four_eyes_proposal::ProposalKind::Decision,
        app.id,
    )
    .await?;
    let Some(proposal) = found else {
        return Ok(None);
    };
    Ok(Some(pending_view(state, caller, content, &proposal).await?))
}

async fn pending_view(
    state: &AppState,
    caller: &Caller,
    content: &DossierContent,
    proposal: &Proposal,
) -> Result<PendingDecision, AppError> {
    let stored = app::review::ProposedDecision::read(proposal)?;
    let outcome = stored.outcome();
    let proposer = crate::store::users::find(&state.db, proposal.proposed_by).await?;
    let lines = stored
        .grants
        .iter()
        .filter_map(|(id, amount)| {
            let a = content.actions.iter().find(|a| a.row.id == *id)?;
            Some(ProposedLine {
                code: a.action.code.clone(),
                title: a.action.title.clone(),
                requested: a.row.grant_cents,
                granted: Cents::parse(amount).map(Cents::get).unwrap_or_default(),
            })
        })
        .collect();
    let total = Cents::new(stored.total_cents).unwrap_or_default();
    Ok(PendingDecision {
        id: proposal.id,
        version: proposal.version,
        outcome: outcome.label(),
        rejected: outcome == crate::domain::decision::Outcome::Rejected,
        lines,
        incentive: stored.incentive_cents,
        total: stored.total_cents,
        motivation: stored.motivation,
        proposed_by: proposer.map(|u| u.name).unwrap_or_default(),
        proposed_at: proposal.proposed_at,
        refusal: app::four_eyes::may_confirm(caller, proposal).err(),
        consequence: four_eyes::decision_consequence(outcome, total, &content.dossier.lead_name),
    })
}

#[derive(Template)]
#[template(path = "review/confirm_decision.html")]
pub struct ConfirmPage {
    pub layout: Layout,
    pub app_id: i64,
    pub reference: String,
    pub title: String,
    pub lead: String,
    pub pending: PendingDecision,
    pub errors: FormErrors,
}

/// The confirmation page of decision proposal `proposal` on dossier `id`: what confirming
/// does, or (for the proposer) why they cannot.
async fn confirm_page(
    State(state): State<AppState>,
    caller: Caller,
    ctx: PageContext,
    Ids(id, proposal): Ids,
) -> Result<Html<String>, AppError> {
    let (content, found) = app::review::pending_decision(&state, &caller, id, proposal).await?;
    let app = &content.dossier.application;
    let pending = pending_view(&state, &caller, &content, &found).await?;
    render(&ConfirmPage {
        layout: ctx.layout(format!("Beslissing bevestigen: {}", app.reference)),
        app_id: app.id,
        reference: app.reference.clone(),
        title: app.title.clone(),
        lead: content.dossier.lead_name.clone(),
        pending,
        errors: FormErrors::default(),
    })
}

/// Adapter: [`app::review::confirm_decision`]; a refusal (the proposer, a stale proposal) is a
/// 409 with its plain Dutch message.
async fn confirm(
    State(state): State<AppState>,
    caller: Caller,
    Ids(id, proposal): Ids,
) -> Result<Response, AppError> {
    let decided = app::review::confirm_decision(&state, &caller, id, proposal).await?;
    Ok(FlashRedirect::new(
        format!("/beoordeling/{id}"),
        format!(
            "Beslissing bevestigd: {}. De gemeente is verwittigd.",
            decided.outcome.label()
        ),
    )
    .into_response())
}

#[derive(Debug, Deserialize)]
pub struct SettleForm {
    #[serde(default)]
    pub version: i32,
    #[serde(default)]
    pub reason: String,
}

/// Adapter: [`app::review::send_back_decision`]; without a reason the confirmation page again
/// (422) with its message.
async fn send_back(
    State(state): State<AppState>,
    caller: Caller,
    ctx: PageContext,
    Ids(id, proposal): Ids,
    Form(form): Form<SettleForm>,
) -> Result<Response, AppError> {
    let result =
        app::review::send_back_decision(&state, &caller, id, proposal, form.version, &form.reason)
            .await;
    match result {
        Ok(()) => Ok(FlashRedirect::new(
            format!("/beoordeling/{id}"),
            "Voorstel teruggestuurd. Wie het voorstel deed, kreeg een e-mail met uw reden.",
        )
        .into_response()),
        Err(app::Error::Invalid(errors)) => {
            let (content, found) =
                app::review::pending_decision(&state, &caller, id, proposal).await?;
            let app = &content.dossier.application;
            let pending = pending_view(&state, &caller, &content, &found).await?;
            let page = render(&ConfirmPage {
                layout: ctx.layout(format!("Beslissing bevestigen: {}", app.reference)),
                app_id: app.id,
                reference: app.reference.clone(),
                title: app.title.clone(),
                lead: content.dossier.lead_name.clone(),
                pending,
                errors,
            })?;
            Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(other) => Err(other.into()),
    }
}

/// Adapter: [`app::review::withdraw_decision`].
async fn withdraw(
    State(state): State<AppState>,
    caller: Caller,
    Ids(id, proposal): Ids,
    Form(form): Form<SettleForm>,
) -> Result<Response, AppError> {
    app::review::withdraw_decision(&state, &caller, id, proposal, form.version).await?;
    Ok(FlashRedirect::new(
        format!("/beoordeling/{id}"),
        "Voorstel ingetrokken. U kunt een nieuwe beslissing voorstellen.",
    )
    .into_response())
}

/// A pending proposal in the list "Te bevestigen".
pub struct ToConfirmLine {
    /// What kind of proposal ("Beslissing").
    pub what: &'static str,
    /// What it is about (the dossier's reference, the call's title).
    pub subject: String,
    pub link: String,
    pub amount: i64,
    pub proposer: String,
    pub at: DateTime<Utc>,
    /// The caller proposed it (someone else confirms it).
    pub mine: bool,
}

/// Every proposal waiting for a second person, for the inbox's list "Te bevestigen".
pub async fn to_confirm(state: &AppState, caller: &Caller) -> Result<Vec<ToConfirmLine>, AppError> {
    use entity::four_eyes_proposal::ProposalKind;
    let rows = crate::store::four_eyes::pending_rows(&state.db).await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let p = &r.proposal;
            let reference = r.dossier.as_ref().map(|d| d.1.clone());
            let (subject, link) = match (p.kind, &r.dossier, r.report_id) {
                (ProposalKind::Decision, Some((id, reference)), _) => {
                    (reference.clone(), format!("/beoordeling/{id}"))
                }
                (ProposalKind::Reclaim, _, Some(report)) => (
                    reference.unwrap_or_default(),
                    format!("/opvolging/rapporten/{report}"),
                ),
                _ => (
                    r.call_title.clone(),
                    format!("/beheer/oproepen/{}", p.call_id),
                ),
            };
            ToConfirmLine {
                what: app::four_eyes::kind_of(p.kind).label(),
                subject,
                link,
                amount: p.amount_cents,
                proposer: r.proposer.clone(),
                at: p.proposed_at,
                mine: caller.user_id() == Some(p.proposed_by),
            }
        })
        .collect())
}

// ------------------------------------------------------------------ reclaims

/// A pending reclaim decision as the report's page shows it.
pub struct PendingReclaim {
    pub id: i64,
    pub version: i32,
    /// "Terugvorderen: € 1.250,00" or "Niet terugvorderen".
    pub what: String,
    pub reason: String,
    pub proposed_by: String,
    pub proposed_at: DateTime<Utc>,
    /// Why the caller cannot confirm it (they proposed it); `None` when they can.
    pub refusal: Option<&'static str>,
    /// What confirming does, in words.
    pub consequence: String,
}

/// The pending reclaim decisions of the follow-up `fu` of `lead`'s dossier, by reclaim.
pub async fn pending_reclaims(
    state: &AppState,
    caller: &Caller,
    fu: &crate::store::followup::FollowUp,
    lead: &str,
) -> Result<std::collections::HashMap<i64, PendingReclaim>, AppError> {
    use entity::four_eyes_proposal::ProposalKind;
    let mut found = std::collections::HashMap::new();
    for r in &fu.reclaims {
        let Some(p) =
            crate::store::four_eyes::pending(&state.db, ProposalKind::Reclaim, r.id).await?
        else {
            continue;
        };
        let stored = app::followup::ProposedReclaim::read(&p)?;
        let amount = (stored.decision == "bevestigen")
            .then(|| Cents::parse(&stored.amount).ok())
            .flatten();
        let proposer = crate::store::users::find(&state.db, p.proposed_by).await?;
        found.insert(
            r.id,
            PendingReclaim {
                id: p.id,
                version: p.version,
                what: match amount {
                    Some(a) => format!("Terugvorderen: {a}"),
                    None => "Niet terugvorderen".into(),
                },
                reason: stored.reason,
                proposed_by: proposer.map(|u| u.name).unwrap_or_default(),
                proposed_at: p.proposed_at,
                refusal: app::four_eyes::may_confirm(caller, &p).err(),
                consequence: four_eyes::reclaim_consequence(amount, lead),
            },
        );
    }
    Ok(found)
}

/// Adapter: [`app::followup::confirm_reclaim`]; a refusal is a 409 with its message.
async fn confirm_reclaim(
    State(state): State<AppState>,
    caller: Caller,
    Ids(id, proposal): Ids,
) -> Result<Response, AppError> {
    let decided = app::followup::confirm_reclaim(&state, &caller, id, proposal).await?;
    Ok(FlashRedirect::new(
        format!("/opvolging/rapporten/{}", decided.report_id),
        if decided.amount.is_some() {
            "De terugvordering is bevestigd."
        } else {
            "Bevestigd: er wordt niets teruggevorderd."
        },
    )
    .into_response())
}

/// Adapter: sends a reclaim proposal back ([`app::four_eyes::send_back`]); without a reason a
/// 422 with the message.
async fn send_back_reclaim(
    State(state): State<AppState>,
    caller: Caller,
    Ids(id, proposal): Ids,
    Form(form): Form<SettleForm>,
) -> Result<Response, AppError> {
    let (report, found) = app::followup::pending_reclaim(&state, &caller, id, proposal).await?;
    let link = format!("{}/opvolging/rapporten/{report}", state.config.public_url);
    app::four_eyes::send_back(&state, &caller, &found, form.version, &form.reason, &link).await?;
    Ok(FlashRedirect::new(
        format!("/opvolging/rapporten/{report}"),
        "Voorstel teruggestuurd. Wie het voorstel deed, kreeg een e-mail met uw reden.",
    )
    .into_response())
}

/// Adapter: the proposer withdraws a reclaim proposal ([`app::four_eyes::withdraw`]).
async fn withdraw_reclaim(
    State(state): State<AppState>,
    caller: Caller,
    Ids(id, proposal): Ids,
    Form(form): Form<SettleForm>,
) -> Result<Response, AppError> {
    let (report, found) = app::followup::pending_reclaim(&state, &caller, id, proposal).await?;
    app::four_eyes::withdraw(&state, &caller, &found, form.version).await?;
    Ok(FlashRedirect::new(
        format!("/opvolging/rapporten/{report}"),
        "Voorstel ingetrokken. U kunt een nieuwe beslissing voorstellen.",
    )
    .into_response())
}

// ------------------------------------------------------------------ envelopes

/// Envelope changes waiting for a second admin, as the call's page shows them.
pub struct PendingEnvelopes {
    pub id: i64,
    pub version: i32,
    /// "Projectjaar 1: € 100.000,00 wordt € 80.000,00", one per year.
    pub changes: Vec<String>,
    pub proposed_by: String,
    pub proposed_at: DateTime<Utc>,
    /// Why the viewer cannot confirm them (they proposed them); `None` when they can.
    pub refusal: Option<&'static str>,
    /// What confirming does, in words.
    pub consequence: String,
}

/// The envelope changes proposed on call `call_id`, as user `by` sees them.
pub async fn pending_envelopes(
    state: &AppState,
    by: Option<i64>,
    call_id: i64,
) -> Result<Option<PendingEnvelopes>, AppError> {
    let Some((p, changes)) = app::calls::pending_envelopes(state, call_id).await? else {
        return Ok(None);
    };
    let proposer = crate::store::users::find(&state.db, p.proposed_by).await?;
    Ok(Some(PendingEnvelopes {
        id: p.id,
        version: p.version,
        changes: changes.iter().map(|c| c.sentence()).collect(),
        proposed_by: proposer.map(|u| u.name).unwrap_or_default(),
        proposed_at: p.proposed_at,
        refusal: by.and_then(|by| four_eyes::may_confirm(p.proposed_by, by).err()),
        consequence: four_eyes::envelope_consequence(&changes),
    }))
}

/// Adapter: [`app::calls::confirm_envelopes`]; a refusal is a 409 with its message.
async fn confirm_envelopes(
    State(state): State<AppState>,
    caller: Caller,
    Ids(id, proposal): Ids,
) -> Result<Response, AppError> {
    app::calls::confirm_envelopes(&state, &caller, id, proposal).await?;
    Ok(FlashRedirect::new(
        format!("/beheer/oproepen/{id}"),
        "De nieuwe enveloppe is bevestigd.",
    )
    .into_response())
}

/// Adapter: another admin sends envelope changes back with a reason.
async fn send_back_envelopes(
    State(state): State<AppState>,
    caller: Caller,
    Ids(id, proposal): Ids,
    Form(form): Form<SettleForm>,
) -> Result<Response, AppError> {
    let found = app::calls::envelope_proposal(&state, &caller, id, proposal).await?;
    let link = format!("{}/beheer/oproepen/{id}", state.config.public_url);
    app::four_eyes::send_back(&state, &caller, &found, form.version, &form.reason, &link).await?;
    Ok(FlashRedirect::new(
        format!("/beheer/oproepen/{id}"),
        "Voorstel teruggestuurd. Wie het voorstel deed, kreeg een e-mail met uw reden.",
    )
    .into_response())
}

/// Adapter: the proposer withdraws envelope changes.
async fn withdraw_envelopes(
    State(state): State<AppState>,
    caller: Caller,
    Ids(id, proposal): Ids,
    Form(form): Form<SettleForm>,
) -> Result<Response, AppError> {
    let found = app::calls::envelope_proposal(&state, &caller, id, proposal).await?;
    app::four_eyes::withdraw(&state, &caller, &found, form.version).await?;
    Ok(
        FlashRedirect::new(format!("/beheer/oproepen/{id}"), "Voorstel ingetrokken.")
            .into_response(),
    )
}
