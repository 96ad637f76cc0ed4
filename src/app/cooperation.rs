//! Intermunicipal cooperations: start one, invite and remove members (the lead), confirm with
//! the council or college decision, decline, or remove that decision again (a member).
//!
//! The rules are the domain's ([`crate::domain::cooperation`]: who may be invited, when the
//! members may change, when a member counts as confirmed); who may act is the policy's. Each
//! command runs in one [`Work`] with its audit entries and its e-mails (rendered from
//! `templates/mail/cooperation_*.txt`). "One dossier per municipality per call" holds through
//! the database's unique constraint, so of two leads inviting the same municipality exactly one
//! succeeds.

use std::collections::HashMap;

use askama::Template;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, TransactionTrait};

use entity::application::{self, ApplicationKind};
use entity::application_member::ConsentState;
use entity::attachment;

use super::dossier::{ensure_editable, with_parties as dossier_for};
use super::{Caller, Error, Result, Work};
use crate::domain::cooperation::{
    check_decline_reason, invitable, is_confirmed, may_remind, membership_open,
};
use crate::domain::parts::Locked;
use crate::domain::workflow::DossierState;
use crate::domain::{Cents, Directory, NisCode};
use crate::files::{self, CheckedFile};
use crate::mail::OutgoingMail;
use crate::policy::Action;
use crate::state::AppState;
use crate::store::attachments::{self as attachments, NewAttachment};
use crate::store::cooperation::{self as members, Member};
use crate::store::drafts::DossierContent;
use crate::store::{is_unique_violation, rules};

/// The kind (`attachment.kind`) of a member's decision on taking part.
pub const CONSENT_KIND: &str = "consent_decision";

/// Why the members of `app` cannot change now, in Dutch; `None` while they can (the rule:
/// [`membership_open`]).
pub async fn membership_closed<C: sea_orm::ConnectionTrait>(
    db: &C,
    app: &application::Model,
) -> Result<Option<String>> {
    let reopened = crate::store::change_requests::reopened_parts(db, app).await?;
    let state = DossierState::from(app.state);
    Ok(match membership_open(state, reopened.as_deref()) {
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
    })
}

/// The project year from which cooperation `app` can take in a new member now (yearly rounds,
/// [`crate::domain::rounds::Rounds::joining_year`]): a granted cooperation during the round of a
/// later project year of its dossier. `None` otherwise (a draft changes its members as before).
pub async fn late_round<C: sea_orm::ConnectionTrait>(
    db: &C,
    app: &application::Model,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Option<u16>> {
    if app.kind != ApplicationKind::Cooperation || !DossierState::from(app.state).is_granted() {
        return Ok(None);
    }
    let years = entity::call_project_year::Entity::find()
        .filter(entity::call_project_year::Column::CallId.eq(app.call_id))
        .all(db)
        .await?;
    let Some(call) = entity::call::Entity::find_by_id(app.call_id)
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    let first = u16::try_from(app.first_project_year).unwrap_or(0);
    let last = u16::try_from(app.last_project_year).unwrap_or(0);
    Ok(rules::rounds_of(&call, &years)
        .joining_year(first, last, now)
        .ok())
}

/// Why member `member` of `app` cannot answer its invitation now, in Dutch; `None` while it
/// can: a member taken in during a later round answers during that round, every other member
/// while the members section is open ([`membership_closed`]).
pub async fn answer_closed<C: sea_orm::ConnectionTrait>(
    db: &C,
    app: &application::Model,
    member: &Member,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Option<String>> {
    if let Some(joined) = member.row.joined_in_year {
        let round = late_round(db, app, now).await?;
        return Ok((round.map(i32::from) != Some(joined)).then(|| {
            format!(
                "De indieningsperiode van de ronde voor projectjaar {joined} is voorbij: uw                  deelname aan dossier {} kan niet meer veranderen. Neem contact op met ABB.",
                app.reference
            )
        }));
    }
    membership_closed(db, app).await
}

/// Refuses a change of who takes part unless the members section is open, for the lead (invite,
/// remove) and for a member (confirm, replace or remove its decision, leave) alike.
pub async fn ensure_membership_open<C: sea_orm::ConnectionTrait>(
    db: &C,
    app: &application::Model,
) -> Result<()> {
    membership_closed(db, app)
        .await?
        .map_or(Ok(()), |message| Err(Error::Conflict(message)))
}

/// A new cooperation as the form sends it: the call and the members to invite (NIS codes
/// separated by commas, spaces or semicolons).
#[derive(Debug, Clone, Default)]
pub struct StartInput {
    pub call_id: String,
    pub members: String,
}

/// A started cooperation.
#[derive(Debug, Clone)]
pub struct Started {
    pub id: i64,
    pub reference: String,
    pub lead_name: String,
    /// The names of the municipalities invited.
    pub invited: Vec<String>,
    /// Why the others could not be invited, in Dutch.
    pub problems: Vec<String>,
}

fn parse_nis_list(text: &str) -> std::result::Result<Vec<NisCode>, String> {
    text.split([',', ' ', ';'])
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(|t| NisCode::parse(t).map_err(|e| format!("{t}: {e}")))
        .collect()
}

/// Starts a cooperation dossier with the caller's municipality as lead, inviting the given
/// members (for example an advisor proposal). An invitation that fails (taken meanwhile,
/// another region) does not stop the start; it is reported and the lead can invite others.
pub async fn start(state: &AppState, caller: &Caller, input: StartInput) -> Result<Started> {
    caller.may(state, Action::StartDossier, None).await?;
    let Some(lead_id) = caller.user.as_ref().and_then(|u| u.municipality_id) else {
        return Err(Error::Conflict(
            "Alleen een gemeente kan trekker van een samenwerking zijn.".into(),
        ));
    };
    let call_id: i64 = input
        .call_id
        .trim()
        .parse()
        .map_err(|_| Error::BadRequest("Kies een oproep.".into()))?;
    let call = rules::call_context(&state.db, call_id)
        .await?
        .ok_or(Error::NotFound)?;
    // The dossier applies from the project year of the round taking submissions now.
    let first_year = call
        .rounds()
        .start_year(caller.now)
        .map(i32::from)
        .map_err(|refusal| Error::Conflict(refusal.explain(&call.call.title)))?;
    let wanted = parse_nis_list(&input.members)
        .map_err(|e| Error::BadRequest(format!("Ongeldige gemeente: {e}")))?;
    let (directory, ids) =
        rules::directory(&state.db, call.call.reference_year, call.map_date()).await?;
    let Some(lead_nis) = ids.iter().find(|(_, id)| **id == lead_id).map(|(n, _)| *n) else {
        return Err(Error::Conflict(
            "Uw gemeente staat niet in de gemeentelijke indeling van deze oproep.".into(),
        ));
    };
    let lead = directory.get(lead_nis);
    let lead_name = lead.map(|m| m.name.clone()).unwrap_or_default();
    let region_size = lead
        .map(|m| directory.region(&m.region_code).count())
        .unwrap_or(0);
    crate::domain::limits::check_members(wanted.len(), region_size).map_err(Error::BadRequest)?;

    let mut work = Work::begin(state).await?;
    let app = crate::store::applications::create_draft(
        work.txn(),
        crate::store::applications::NewDossier {
            call_id: call.call.id,
            call_code: call.call.code.clone(),
            kind: ApplicationKind::Cooperation,
            lead_municipality_id: Some(lead_id),
            partner_organisation_id: None,
            title: format!("Samenwerking rond {lead_name}"),
            first_project_year: first_year,
            created_by: caller.user_id().unwrap_or_default(),
        },
        caller.now,
    )
    .await
    .map_err(|err| {
        if is_unique_violation(&err) {
            Error::Conflict(format!(
                "{lead_name} neemt al deel aan een dossier voor deze oproep. Een gemeente zit in \
                 ten hoogste één dossier per oproep."
            ))
        } else {
            err.into()
        }
    })?;
    work.audit(
        caller
            .audit("application.started", "application", app.id)
            .after(serde_json::json!({
                "reference": app.reference, "call": call.call.code, "kind": "cooperation"
            })),
    );
    let mut invited = Vec::new();
    let mut problems = Vec::new();
    let invitations = Invitations {
        directory: &directory,
        ids: &ids,
        lead_nis,
        joined_in_year: None,
    };
    for nis in wanted {
        match invitations
            .invite(state, caller, &mut work, &app, nis)
            .await?
        {
            Ok(name) => invited.push(name),
            Err(message) => problems.push(message),
        }
    }
    work.commit().await?;
    Ok(Started {
        id: app.id,
        reference: app.reference,
        lead_name,
        invited,
        problems,
    })
}

/// What the lead may invite from: the call's directory, its municipalities' ids, the lead; and
/// the project year from which the invited take part (a later round), if not from the start.
struct Invitations<'a> {
    directory: &'a Directory,
    ids: &'a HashMap<NisCode, i64>,
    lead_nis: NisCode,
    joined_in_year: Option<i32>,
}

impl Invitations<'_> {
    /// Invites `nis` into `app` within `work`, with its audit entry and the e-mail to the
    /// municipality's officials: its name, or why not (in Dutch; nothing of it is kept then).
    async fn invite(
        &self,
        state: &AppState,
        caller: &Caller,
        work: &mut Work,
        app: &application::Model,
        nis: NisCode,
    ) -> Result<std::result::Result<String, String>> {
        let member = match invitable(self.directory, self.lead_nis, nis) {
            Ok(member) => member,
            Err(message) => return Ok(Err(message)),
        };
        let Some(municipality_id) = self.ids.get(&nis).copied() else {
            return Ok(Err(format!("{} is onbekend.", member.name)));
        };
        // A savepoint: a refused insert leaves the rest of the work intact (PostgreSQL aborts
        // the whole transaction on a failed statement otherwise).
        let savepoint = work.txn().begin().await?;
        match members::invite(
            &savepoint,
            app,
            municipality_id,
            self.joined_in_year,
            caller.now,
        )
        .await
        {
            Ok(_) => savepoint.commit().await?,
            Err(err) if is_unique_violation(&err) => {
                savepoint.rollback().await?;
                return Ok(Err(format!(
                    "{} neemt al deel aan een dossier voor deze oproep en kan niet uitgenodigd \
                     worden. Een gemeente zit in ten hoogste één dossier per oproep.",
                    member.name
                )));
            }
            Err(err) => return Err(err.into()),
        }
        work.audit(
            caller
                .audit("cooperation.member_invited", "application", app.id)
                .after(serde_json::json!({
                    "municipality": member.name,
                    "nis_code": nis.get(),
                    "joined_in_year": self.joined_in_year,
                })),
        );
        let lead = self
            .directory
            .get(self.lead_nis)
            .map(|l| l.name.as_str())
            .unwrap_or_default();
        let body = crate::mail::render_text(&InvitedMail {
            lead,
            member: &member.name,
            reference: &app.reference,
            title: &app.title,
            link: &format!("{}/dossiers/{}/deelname", state.config.public_url, app.id),
        })?;
        for to in members::officials_of(work.txn(), municipality_id).await? {
            work.mail(OutgoingMail {
                to,
                subject: format!(
                    "Samenleven: {lead} nodigt {} uit voor een samenwerking",
                    member.name
                ),
                body_text: body.clone(),
                related: Some(("application".into(), app.id.to_string())),
            });
        }
        Ok(Ok(member.name.clone()))
    }
}

/// What became of an invitation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Invitation {
    /// The municipality (by name) is invited and was sent an e-mail.
    Sent(String),
    /// It cannot be invited; why, in Dutch.
    Refused(String),
}

/// The lead invites municipality `nis` (as typed) into cooperation `id`. A code that is no
/// municipality is [`Error::Invalid`] on `nis`; a municipality that cannot be invited is
/// [`Invitation::Refused`].
pub async fn invite(state: &AppState, caller: &Caller, id: i64, nis: &str) -> Result<Invitation> {
    let dossier = dossier_for(state, caller, id, Action::EditDossier).await?;
    // A decided cooperation takes in a member during a later round, from that project year on.
    let late = late_round(&state.db, &dossier.application, caller.now).await?;
    if late.is_none() {
        ensure_editable(&dossier.application)?;
        ensure_membership_open(&state.db, &dossier.application).await?;
    }
    let content = crate::store::drafts::load(&state.db, dossier).await?;
    let app = &content.dossier.application;
    if app.kind != ApplicationKind::Cooperation {
        return Err(Error::Conflict(
            "Dit dossier is geen samenwerking: u kunt geen gemeenten uitnodigen.".into(),
        ));
    }
    let nis = NisCode::parse(nis.trim())
        .map_err(|_| Error::field("nis", "Kies een gemeente uit de lijst."));
    let lead_nis = content
        .lead_nis
        .and_then(|n| u32::try_from(n).ok())
        .and_then(NisCode::new);
    let (nis, Some(lead_nis)) = (nis?, lead_nis) else {
        return Err(Error::Invalid(Default::default()));
    };
    let (directory, ids) = rules::directory(
        &state.db,
        content.call.call.reference_year,
        content.call.map_date(),
    )
    .await?;
    let mut work = Work::begin(state).await?;
    let invitations = Invitations {
        directory: &directory,
        ids: &ids,
        lead_nis,
        joined_in_year: late.map(i32::from),
    };
    match invitations
        .invite(state, caller, &mut work, app, nis)
        .await?
    {
        Ok(name) => {
            work.commit().await?;
            Ok(Invitation::Sent(name))
        }
        Err(message) => {
            work.rollback().await?;
            Ok(Invitation::Refused(message))
        }
    }
}

/// The lead takes back the invitation of member `member_nis` (as in the path) of cooperation
/// `id`: the municipality's name.
pub async fn remove(
    state: &AppState,
    caller: &Caller,
    id: i64,
    member_nis: &str,
) -> Result<String> {
    let dossier = dossier_for(state, caller, id, Action::EditDossier).await?;
    let late = late_round(&state.db, &dossier.application, caller.now).await?;
    if late.is_none() {
        ensure_editable(&dossier.application)?;
        ensure_membership_open(&state.db, &dossier.application).await?;
    }
    let app = &dossier.application;
    let all = members::members_of(&state.db, app.id).await?;
    let Some(target) = all.iter().find(|m| {
        m.municipality.nis_code.to_string() == member_nis
            && m.row.role == entity::application_member::MemberRole::Member
    }) else {
        return Err(Error::NotFound);
    };
    if let Some(year) = late
        && !crate::domain::rounds::may_take_back(
            target.row.joined_in_year,
            target.row.consent_state != ConsentState::Invited,
            year,
        )
    {
        return Err(Error::Conflict(format!(
            "{} blijft deelnemen zoals beslist. Tijdens de ronde voor projectjaar {year} kunt u \
             enkel een gemeente terugnemen die u in deze ronde uitnodigde en die nog niet \
             antwoordde.",
            target.municipality.name
        )));
    }
    let mut work = Work::begin(state).await?;
    members::remove(work.txn(), target.row.id).await?;
    work.audit(
        caller
            .audit("cooperation.member_removed", "application", app.id)
            .before(serde_json::json!({
                "municipality": target.municipality.name, "consent": target.row.consent_state
            })),
    );
    work.commit().await?;
    Ok(target.municipality.name.clone())
}

/// The member row of the caller's municipality in dossier `app_id`.
pub async fn my_membership(state: &AppState, caller: &Caller, app_id: i64) -> Result<Member> {
    let municipality_id = caller
        .user
        .as_ref()
        .and_then(|u| u.municipality_id)
        .ok_or(Error::Forbidden)?;
    members::membership(&state.db, app_id, municipality_id)
        .await?
        .ok_or(Error::NotFound)
}

/// A member about to answer: the dossier and its own member row.
pub struct Answering {
    pub content: DossierContent,
    pub member: Member,
}

/// The cooperation `id` whose invitation the caller's municipality may answer now. Asked
/// before the adapter reads the body of the answer (it may carry a file).
pub async fn open_for_answer(state: &AppState, caller: &Caller, id: i64) -> Result<Answering> {
    let dossier = dossier_for(state, caller, id, Action::AnswerMembership).await?;
    let member = my_membership(state, caller, dossier.application.id).await?;
    if member.row.joined_in_year.is_none() {
        ensure_editable(&dossier.application)?;
    }
    if let Some(message) =
        answer_closed(&state.db, &dossier.application, &member, caller.now).await?
    {
        return Err(Error::Conflict(message));
    }
    let content = crate::store::drafts::load(&state.db, dossier).await?;
    Ok(Answering { content, member })
}

/// The member confirms, with its council or college decision (`file`), which replaces an
/// earlier one, and its `commitment` to the own contribution per project year; the lead's
/// officials are told.
pub async fn confirm(
    state: &AppState,
    caller: &Caller,
    answering: &Answering,
    file: CheckedFile,
    commitment: Cents,
) -> Result<()> {
    let app = &answering.content.dossier.application;
    let member = &answering.member;
    let lead_officials = members::lead_officials(&state.db, app).await?;
    let dir = state.config.upload_dir();
    let stored_name = files::new_stored_name();
    file.content
        .store(&dir, &stored_name)
        .await
        .map_err(Error::internal)?;
    let recorded = async {
        let mut work = Work::begin(state).await?;
        if !members::answer(
            work.txn(),
            &member.row,
            ConsentState::Confirmed,
            Some(caller.now),
            Some(commitment.get()),
        )
        .await?
        {
            return Err(Error::Conflict(
                "Uw gemeente antwoordde intussen al. Open de pagina opnieuw.".into(),
            ));
        }
        // A new decision replaces the member's earlier one: one decision per member.
        let replaced =
            attachments::member_decisions(work.txn(), app.id, Some(member.municipality.id)).await?;
        for old in &replaced {
            attachments::delete(work.txn(), old.id).await?;
            work.audit(
                caller
                    .audit("attachment.deleted", "attachment", old.id)
                    .before(attachments::row_json(old))
                    .details(format!(
                        "dossier {}: beslissing over deelname van {} vervangen",
                        app.reference, member.municipality.name
                    )),
            );
        }
        attachments::insert(
            work.txn(),
            NewAttachment {
                application_id: app.id,
                progress_report_id: None,
                municipality_id: Some(member.municipality.id),
                kind: CONSENT_KIND.into(),
                original_name: file.name.clone(),
                stored_name: stored_name.clone(),
                content_type: file.file_type.content_type().into(),
                size_bytes: i64::try_from(file.content.size).unwrap_or(i64::MAX),
                sha256: file.content.sha256.clone(),
                uploaded_by: caller.user_id(),
                uploaded_at: caller.now,
            },
        )
        .await?;
        work.audit(
            caller
                .audit("cooperation.member_confirmed", "application", app.id)
                .before(serde_json::json!({"commitment_cents": member.row.commitment_cents}))
                .after(serde_json::json!({
                    "municipality": member.municipality.name,
                    "commitment_cents": commitment.get(),
                })),
        );
        let body = crate::mail::render_text(&ConfirmedMail {
            member: &member.municipality.name,
            commitment: &commitment.to_string(),
            reference: &app.reference,
            title: &app.title,
            link: &members_link(state, app),
        })?;
        for to in &lead_officials {
            work.mail(OutgoingMail {
                to: to.clone(),
                subject: format!(
                    "Samenleven: {} bevestigt deelname aan {}",
                    member.municipality.name, app.reference
                ),
                body_text: body.clone(),
                related: Some(("application".into(), app.id.to_string())),
            });
        }
        // A member taken in during a later round changes a decided cooperation: ABB checks the
        // rules and the incentive again and decides anew for the years it joins.
        if let Some(year) = member.row.joined_in_year {
            let text = format!(
                "{} neemt vanaf projectjaar {year} deel aan samenwerking {} (\"{}\"), die al                  een beslissing heeft. De regels en de incentive zijn opnieuw berekend met de                  nieuwe gemeente erbij: zie de beoordeling van het dossier. Heropen de                  beslissing en beslis opnieuw om de bedragen vanaf projectjaar {year} aan te                  passen.\n\n{}/beoordeling/{}",
                member.municipality.name,
                app.reference,
                app.title,
                state.config.public_url,
                app.id
            );
            for to in crate::store::recipients::abb_addresses(work.txn(), app).await? {
                work.mail(OutgoingMail {
                    to,
                    subject: format!(
                        "Samenleven: nieuwe gemeente in samenwerking {} vanaf projectjaar {year}",
                        app.reference
                    ),
                    body_text: text.clone(),
                    related: Some(("application".into(), app.id.to_string())),
                });
            }
        }
        work.commit().await?;
        Ok::<_, Error>(replaced)
    }
    .await;
    match recorded {
        Ok(replaced) => {
            for old in replaced {
                files::remove_file(&dir, &old.stored_name).await;
            }
            Ok(())
        }
        Err(err) => {
            files::remove_file(&dir, &stored_name).await;
            Err(err)
        }
    }
}

/// The member declines with a `reason`: the municipality leaves the dossier and is free again
/// for this call; the lead's officials are told.
pub async fn decline(
    state: &AppState,
    caller: &Caller,
    answering: &Answering,
    reason: &str,
) -> Result<()> {
    let reason = reason.trim();
    check_decline_reason(reason).map_err(|message| Error::field("reason", message))?;
    let app = &answering.content.dossier.application;
    let member = &answering.member;
    let lead_officials = members::lead_officials(&state.db, app).await?;
    let mut work = Work::begin(state).await?;
    members::remove(work.txn(), member.row.id).await?;
    work.audit(
        caller
            .audit("cooperation.member_declined", "application", app.id)
            .before(serde_json::json!({
                "municipality": member.municipality.name, "consent": member.row.consent_state
            }))
            .details(reason),
    );
    let body = crate::mail::render_text(&DeclinedMail {
        member: &member.municipality.name,
        reference: &app.reference,
        title: &app.title,
        reason,
        link: &members_link(state, app),
    })?;
    for to in &lead_officials {
        work.mail(OutgoingMail {
            to: to.clone(),
            subject: format!(
                "Samenleven: {} neemt niet deel aan {}",
                member.municipality.name, app.reference
            ),
            body_text: body.clone(),
            related: Some(("application".into(), app.id.to_string())),
        });
    }
    work.commit().await?;
    Ok(())
}

/// What removing a member's decision came to.
#[derive(Debug, Clone)]
pub struct DecisionRemoved {
    pub application_id: i64,
    /// The decision's file name.
    pub name: String,
    /// The member's municipality.
    pub municipality: String,
    /// The member is no longer confirmed (no other decision of it is on file).
    pub unconfirmed: bool,
}

/// A member removes its own decision on taking part (`row`; the caller asked the policy): the
/// decision goes and, with no other decision of the member on file, the member is no longer
/// confirmed and the lead's officials are told.
pub async fn remove_decision(
    state: &AppState,
    caller: &Caller,
    app: &application::Model,
    row: attachment::Model,
) -> Result<DecisionRemoved> {
    ensure_membership_open(&state.db, app).await?;
    let member = my_membership(state, caller, app.id).await?;
    let lead_officials = members::lead_officials(&state.db, app).await?;
    let name = &member.municipality.name;
    let mut work = Work::begin(state).await?;
    if !attachments::delete(work.txn(), row.id).await? {
        return Err(Error::NotFound);
    }
    work.audit(
        caller
            .audit("attachment.deleted", "attachment", row.id)
            .before(attachments::row_json(&row))
            .details(format!(
                "dossier {}: beslissing over deelname van {name}",
                app.reference
            )),
    );
    let remaining =
        attachments::member_decisions(work.txn(), app.id, Some(member.municipality.id)).await?;
    let answered_yes = member.row.consent_state == ConsentState::Confirmed;
    let unconfirmed = answered_yes && !is_confirmed(answered_yes, !remaining.is_empty());
    if unconfirmed {
        if !members::answer(work.txn(), &member.row, ConsentState::Invited, None, None).await? {
            return Err(Error::Conflict(
                "Uw gemeente antwoordde intussen opnieuw. Open de pagina opnieuw.".into(),
            ));
        }
        work.audit(
            caller
                .audit("cooperation.member_unconfirmed", "application", app.id)
                .before(serde_json::json!({
                    "municipality": name, "consent": member.row.consent_state
                }))
                .details("de beslissing over deelname werd verwijderd"),
        );
        let body = crate::mail::render_text(&UnconfirmedMail {
            member: name,
            reference: &app.reference,
            title: &app.title,
            link: &members_link(state, app),
        })?;
        for to in &lead_officials {
            work.mail(OutgoingMail {
                to: to.clone(),
                subject: format!(
                    "Samenleven: {name} is niet langer bevestigd in {}",
                    app.reference
                ),
                body_text: body.clone(),
                related: Some(("application".into(), app.id.to_string())),
            });
        }
    }
    work.commit().await?;
    files::remove_file(&state.config.upload_dir(), &row.stored_name).await;
    Ok(DecisionRemoved {
        application_id: app.id,
        name: row.original_name,
        municipality: name.clone(),
        unconfirmed,
    })
}

/// What a reminder to the members that have not answered came to, by municipality name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Reminded {
    /// Reminded now, by e-mail to their officials.
    pub sent: Vec<String>,
    /// Already reminded today: at most one reminder per member per day.
    pub already_today: Vec<String>,
}

/// The lead reminds the members of cooperation `id` that have not answered their invitation:
/// an e-mail to each one's officials with the link to the consent page, audited, at most once
/// per member per day ([`may_remind`]; the unique index holds it under a double click).
pub async fn remind(state: &AppState, caller: &Caller, id: i64) -> Result<Reminded> {
    let dossier = dossier_for(state, caller, id, Action::EditDossier).await?;
    ensure_editable(&dossier.application)?;
    ensure_membership_open(&state.db, &dossier.application).await?;
    let app = &dossier.application;
    let waiting: Vec<Member> = members::members_of(&state.db, app.id)
        .await?
        .into_iter()
        .filter(|m| {
            m.row.role == entity::application_member::MemberRole::Member
                && m.row.consent_state == ConsentState::Invited
        })
        .collect();
    if waiting.is_empty() {
        return Err(Error::Conflict(
            "Elke uitgenodigde gemeente heeft al geantwoord: er is niemand om aan te herinneren."
                .into(),
        ));
    }
    let today = crate::domain::time::brussels_date(caller.now);
    let last = members::last_reminders(&state.db, app.id).await?;
    let mut reminded = Reminded::default();
    let mut work = Work::begin(state).await?;
    for member in &waiting {
        let name = member.municipality.name.clone();
        if !may_remind(last.get(&member.row.id).copied(), today)
            || !members::record_reminder(work.txn(), member.row.id, today, caller.now).await?
        {
            reminded.already_today.push(name);
            continue;
        }
        work.audit(
            caller
                .audit("cooperation.member_reminded", "application", app.id)
                .after(serde_json::json!({
                    "municipality": name, "nis_code": member.municipality.nis_code
                })),
        );
        let body = crate::mail::render_text(&ReminderMail {
            lead: &dossier.lead_name,
            member: &name,
            reference: &app.reference,
            title: &app.title,
            invited_on: &crate::domain::time::date_long(crate::domain::time::brussels_date(
                member.row.invited_at,
            )),
            link: &format!("{}/dossiers/{}/deelname", state.config.public_url, app.id),
        })?;
        for to in members::officials_of(work.txn(), member.municipality.id).await? {
            work.mail(OutgoingMail {
                to,
                subject: format!(
                    "Samenleven: herinnering, {} wacht op het antwoord van {name}",
                    dossier.lead_name
                ),
                body_text: body.clone(),
                related: Some(("application".into(), app.id.to_string())),
            });
        }
        reminded.sent.push(name);
    }
    if reminded.sent.is_empty() {
        work.rollback().await?;
    } else {
        work.commit().await?;
    }
    Ok(reminded)
}

fn members_link(state: &AppState, app: &application::Model) -> String {
    format!("{}/dossiers/{}/leden", state.config.public_url, app.id)
}

#[derive(Template)]
#[template(path = "mail/cooperation_invited.txt")]
struct InvitedMail<'a> {
    lead: &'a str,
    member: &'a str,
    reference: &'a str,
    title: &'a str,
    link: &'a str,
}

#[derive(Template)]
#[template(path = "mail/cooperation_confirmed.txt")]
struct ConfirmedMail<'a> {
    member: &'a str,
    commitment: &'a str,
    reference: &'a str,
    title: &'a str,
    link: &'a str,
}

#[derive(Template)]
#[template(path = "mail/cooperation_declined.txt")]
struct DeclinedMail<'a> {
    member: &'a str,
    reference: &'a str,
    title: &'a str,
    reason: &'a str,
    link: &'a str,
}

#[derive(Template)]
#[template(path = "mail/cooperation_reminder.txt")]
struct ReminderMail<'a> {
    lead: &'a str,
    member: &'a str,
    reference: &'a str,
    title: &'a str,
    invited_on: &'a str,
    link: &'a str,
}

#[derive(Template)]
#[template(path = "mail/cooperation_unconfirmed.txt")]
struct UnconfirmedMail<'a> {
    member: &'a str,
    reference: &'a str,
    title: &'a str,
    link: &'a str,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_invitation_and_the_answers_read_as_they_always_did() {
        let invited = crate::mail::render_text(&InvitedMail {
            lead: "Gent",
            member: "Merelbeke",
            reference: "SL-2026-0001",
            title: "Samen",
            link: "https://x/dossiers/1/deelname",
        })
        .unwrap();
        assert_eq!(
            invited,
            "Beste,\n\nGent nodigt Merelbeke uit om deel te nemen aan dossier SL-2026-0001 \
             (\"Samen\"), een intergemeentelijke samenwerking voor de provisie Samenleven.\n\n\
             Bekijk het dossier en bevestig of weiger de deelname van uw gemeente, met de \
             beslissing van uw gemeenteraad of college in bijlage:\nhttps://x/dossiers/1/deelname\
             \n\nMet vriendelijke groeten,\nAgentschap Binnenlands Bestuur — Samenleven\n"
        );
        let declined = crate::mail::render_text(&DeclinedMail {
            member: "Merelbeke",
            reference: "SL-2026-0001",
            title: "Samen & co",
            reason: "Geen <budget>",
            link: "https://x/dossiers/1/leden",
        })
        .unwrap();
        assert_eq!(
            declined,
            "Beste,\n\nMerelbeke neemt niet deel aan dossier SL-2026-0001 (\"Samen & co\"). \
             Reden: Geen <budget>\n\nDe regels worden opnieuw berekend zonder deze gemeente. \
             Bekijk de deelnemende gemeenten en nodig zo nodig een andere gemeente uit:\n\
             https://x/dossiers/1/leden\n\nMet vriendelijke groeten,\nAgentschap Binnenlands \
             Bestuur — Samenleven\n"
        );
        let confirmed = crate::mail::render_text(&ConfirmedMail {
            member: "Merelbeke",
            commitment: "€ 2.500,00",
            reference: "SL-2026-0001",
            title: "Samen",
            link: "https://x/dossiers/1/leden",
        })
        .unwrap();
        assert_eq!(
            confirmed,
            "Beste,\n\nMerelbeke bevestigde de deelname aan dossier SL-2026-0001 (\"Samen\").\n\
             Merelbeke draagt € 2.500,00 per projectjaar bij aan de eigen inbreng.\n\n\
             Bekijk de deelnemende gemeenten:\nhttps://x/dossiers/1/leden\n\nMet vriendelijke \
             groeten,\nAgentschap Binnenlands Bestuur — Samenleven\n"
        );
        let unconfirmed = crate::mail::render_text(&UnconfirmedMail {
            member: "Merelbeke",
            reference: "SL-2026-0001",
            title: "Samen",
            link: "https://x/dossiers/1/leden",
        })
        .unwrap();
        assert!(unconfirmed.starts_with(
            "Beste,\n\nMerelbeke verwijderde zijn beslissing over de deelname aan dossier \
             SL-2026-0001 (\"Samen\") en is daardoor niet langer bevestigd. Het dossier kan pas \
             ingediend worden als Merelbeke opnieuw bevestigt"
        ));
    }
}
