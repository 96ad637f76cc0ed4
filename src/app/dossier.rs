//! The applicant's dossier: start it, save each section (general information, actions, KPIs,
//! declarations), check and submit it, withdraw it. The pages (`web::dossiers`,
//! `web::sections`, `web::submission`) and the API (`api::dossiers`) are adapters of these
//! commands; the section statuses and "ready to submit" live here too, so both show the same.

use askama::Template;

use entity::application::{self, ApplicationKind, ApplicationState};
use entity::kpi;

use super::{Caller, Error, Result, Work, dossier_for, ensure_part_open};
use crate::domain::fields::{
    self, ActionFields, ActionInput, FieldErrors, General, GeneralInput, KpiFields, KpiInput,
};
use crate::domain::messages;
use crate::domain::parts::{Part, is_editable};
use crate::domain::workflow::{self, DossierState, Party, Transition};
use crate::domain::{ApplicationReport, Outcome, Section};
use crate::mail::{self, OutgoingMail};
use crate::policy::Action;
use crate::state::AppState;
use crate::store;
use crate::store::applications::DossierWithParties;
use crate::store::drafts::{ChosenAction, DossierContent};
use crate::store::sections::AddedAction;

// ------------------------------------------------------------------ loading for a change

/// The refusal of a change to a dossier that is locked (submitted, decided, withdrawn).
fn locked(app: &application::Model) -> Error {
    Error::Conflict(crate::domain::parts::locked_sentence(
        app.state.into(),
        app.submitted_at,
    ))
}

/// Refuses a change to a dossier that is locked (submitted, decided, withdrawn), in plain words
/// ([`crate::domain::parts::locked_sentence`]).
pub fn ensure_editable(app: &application::Model) -> Result<()> {
    if is_editable(app.state.into()) {
        Ok(())
    } else {
        Err(locked(app))
    }
}

/// Dossier `id` with its content, for the applicant to change as a whole (the check page,
/// submitting): the policy's `EditDossier`, and only while it is editable.
pub async fn for_editing(state: &AppState, caller: &Caller, id: i64) -> Result<DossierContent> {
    let content = dossier_for(state, caller, id, Action::EditDossier).await?;
    ensure_editable(&content.dossier.application)?;
    Ok(content)
}

/// Dossier `id` with its content, for the applicant to change `part`: editable, and after a
/// change request only in the parts it reopened ([`crate::domain::parts::may_change`]).
pub async fn part_for_editing(
    state: &AppState,
    caller: &Caller,
    id: i64,
    part: Part,
) -> Result<DossierContent> {
    let content = dossier_for(state, caller, id, Action::EditDossier).await?;
    ensure_part_open(&state.db, &content.dossier.application, part).await?;
    Ok(content)
}

/// [`part_for_editing`] for a page that shows the part (or shows it again with errors): the
/// call's rules and catalog from the reference data in memory ([`super::dossier_for_reading`]).
pub async fn part_for_reading(
    state: &AppState,
    caller: &Caller,
    id: i64,
    part: Part,
    reference: &crate::store::reference_cache::Reference,
) -> Result<DossierContent> {
    let content =
        super::dossier_for_reading(state, caller, id, Action::EditDossier, reference).await?;
    ensure_part_open(&state.db, &content.dossier.application, part).await?;
    Ok(content)
}

/// Dossier `id` with its parties (without its content) for `caller` doing `action`, or "not
/// found" / "forbidden" (audited) through the policy; [`dossier_for`] when the content is needed.
pub async fn with_parties(
    state: &AppState,
    caller: &Caller,
    id: i64,
    action: Action,
) -> Result<DossierWithParties> {
    let dossier = store::applications::with_parties(&state.db, id)
        .await?
        .ok_or(Error::NotFound)?;
    caller
        .may(state, action, Some((id, &dossier.parties)))
        .await?;
    Ok(dossier)
}

/// The chosen action with row id `action_id`, or "not found".
pub fn chosen_action(content: &DossierContent, action_id: i64) -> Result<&ChosenAction> {
    content
        .actions
        .iter()
        .find(|a| a.row.id == action_id)
        .ok_or(Error::NotFound)
}

/// The KPI with id `kpi_id`: its action, its place among the action's KPIs and its row.
pub fn chosen_kpi(
    content: &DossierContent,
    kpi_id: i64,
) -> Result<(&ChosenAction, usize, &kpi::Model)> {
    content
        .actions
        .iter()
        .find_map(|a| {
            a.kpis
                .iter()
                .position(|k| k.id == kpi_id)
                .map(|i| (a, i, &a.kpis[i]))
        })
        .ok_or(Error::NotFound)
}

// ------------------------------------------------------------------ section statuses

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SectionStatus {
    NotStarted,
    InProgress,
    Complete,
}

impl SectionStatus {
    pub fn label(self) -> &'static str {
        match self {
            Self::NotStarted => "niet gestart",
            Self::InProgress => "bezig",
            Self::Complete => "volledig",
        }
    }

    /// The code the API shows.
    pub fn code(self) -> &'static str {
        match self {
            Self::NotStarted => "not_started",
            Self::InProgress => "in_progress",
            Self::Complete => "complete",
        }
    }

    pub fn css(self) -> &'static str {
        match self {
            Self::NotStarted => "status-not-started",
            Self::InProgress => "status-in-progress",
            Self::Complete => "status-complete",
        }
    }
}

pub const REQUIRED_ATTACHMENTS: [&str; 2] = ["council_decision", "budget_sheet"];

fn has_blocking(report: &ApplicationReport, section: Section) -> bool {
    report
        .in_section(section)
        .any(|r| r.blocking && r.outcome != Outcome::Pass)
}

/// The status of every section, from the data and the report.
pub struct Statuses {
    pub general: SectionStatus,
    pub actions: SectionStatus,
    pub kpis: SectionStatus,
    pub budget: SectionStatus,
    pub attachments: SectionStatus,
    pub declarations: SectionStatus,
    /// For a cooperation: every member confirmed and the cooperation passes the rules.
    pub members: Option<SectionStatus>,
}

impl Statuses {
    /// Every section by the name the API gives it, members last (cooperations only).
    pub fn named(&self) -> Vec<(&'static str, SectionStatus)> {
        let mut list = vec![
            ("general", self.general),
            ("actions", self.actions),
            ("kpis", self.kpis),
            ("budget", self.budget),
            ("attachments", self.attachments),
            ("declarations", self.declarations),
        ];
        list.extend(self.members.map(|m| ("members", m)));
        list
    }

    pub fn all_complete(&self) -> bool {
        self.named()
            .iter()
            .all(|(_, s)| *s == SectionStatus::Complete)
    }
}

/// Whether the dossier may be submitted now: every section complete and no blocking rule.
pub fn ready_to_submit(content: &DossierContent, report: &ApplicationReport) -> bool {
    report.can_submit && statuses(content, report).all_complete()
}

pub fn statuses(content: &DossierContent, report: &ApplicationReport) -> Statuses {
    let members = (content.dossier.application.kind == ApplicationKind::Cooperation).then(|| {
        let eligible = !has_blocking(report, Section::Applicant)
            && report.eligibility.as_ref().is_some_and(|v| {
                v.results
                    .iter()
                    .all(|r| !r.blocking || r.outcome == Outcome::Pass)
            });
        match (
            content.member_consents.is_empty(),
            content.member_consents.iter().all(|c| *c),
        ) {
            (true, _) => SectionStatus::NotStarted,
            (false, true) if eligible => SectionStatus::Complete,
            _ => SectionStatus::InProgress,
        }
    });
    let app = &content.dossier.application;
    let filled = [
        app.summary.as_deref(),
        app.contact_name.as_deref(),
        app.contact_email.as_deref(),
    ]
    .iter()
    .filter(|v| v.is_some_and(|t| !t.trim().is_empty()))
    .count();
    let general = match filled {
        0 => SectionStatus::NotStarted,
        3 if !has_blocking(report, Section::ProjectYears) => SectionStatus::Complete,
        _ => SectionStatus::InProgress,
    };
    let by_actions = |section| {
        if content.actions.is_empty() {
            SectionStatus::NotStarted
        } else if has_blocking(report, section) {
            SectionStatus::InProgress
        } else {
            SectionStatus::Complete
        }
    };
    let present = REQUIRED_ATTACHMENTS
        .iter()
        .filter(|k| content.attachment_kinds.iter().any(|a| a == *k))
        .count();
    Statuses {
        general,
        actions: by_actions(Section::Actions),
        kpis: by_actions(Section::Kpis),
        budget: by_actions(Section::Budget),
        attachments: match present {
            0 if content.attachment_kinds.is_empty() => SectionStatus::NotStarted,
            2 => SectionStatus::Complete,
            _ => SectionStatus::InProgress,
        },
        declarations: if app.declarations_accepted_at.is_some() {
            SectionStatus::Complete
        } else {
            SectionStatus::NotStarted
        },
        members,
    }
}

// ------------------------------------------------------------------ what ABB told the applicant

/// What ABB asked or wrote, shown to the applicant (never the internal notes).
#[derive(Default)]
pub struct Notices {
    pub change_request: Option<String>,
    /// The parts the open change request reopened (the task list marks the others locked).
    pub reopened: Option<Vec<Part>>,
    /// "Antwoord verwacht uiterlijk 20 december 2026 (nog 3 dagen)" while ABB waits for changes.
    pub answer_due: Option<String>,
    /// The expected answer is overdue.
    pub answer_overdue: bool,
    /// The messages between ABB and the municipality, oldest first.
    pub thread: Vec<store::messages::ThreadLine>,
    /// The page shows the thread (the municipality's pages; ABB reads it on the review page).
    pub show_thread: bool,
    /// The reader may write to ABB (the lead's officials).
    pub may_write: bool,
    /// A decided cooperation during a later round: the project year from which its lead can
    /// take in a new member (shown to the lead's officials, who may write).
    pub late_round: Option<u16>,
}

/// The open change request (while the dossier waits for changes) with the day ABB expects the
/// answer, and the messages between ABB and the municipality, for a reader who `may_write` to
/// ABB or not.
pub async fn notices(
    state: &AppState,
    app: &application::Model,
    may_write: bool,
) -> Result<Notices> {
    let today = state.clock.today();
    let mut notices = Notices {
        may_write,
        ..Notices::default()
    };
    if let Some(cr) = store::change_requests::open(&state.db, app.id).await?
        && app.state == ApplicationState::ChangesRequested
    {
        let parts = store::change_requests::parts_of(&cr);
        let names: Vec<&str> = parts.iter().map(|p| p.label()).collect();
        notices.change_request = Some(format!(
            "ABB vraagt aanpassingen aan: {}. {}",
            names.join(", "),
            cr.message
        ));
        notices.reopened = Some(parts);
        if let Some(due) = cr.answer_due_on {
            notices.answer_due = Some(messages::due_sentence(due, today));
            notices.answer_overdue = messages::Standing::on(due, today).is_overdue();
        }
    }
    notices.thread = store::messages::thread(&state.db, app.id).await?;
    notices.show_thread = true;
    if may_write {
        notices.late_round =
            super::cooperation::late_round(&state.db, app, state.clock.now()).await?;
    }
    Ok(notices)
}

// ------------------------------------------------------------------ start

/// Starts a dossier in call `call_id` for the caller's own organisation: alone for a
/// municipality that may apply alone, or under the separate agreement for a partner
/// organisation. "One application per municipality per call" is enforced by the database, so
/// of two simultaneous starts exactly one wins. Refusals are Dutch conflicts.
pub async fn start(state: &AppState, caller: &Caller, call_id: i64) -> Result<application::Model> {
    caller.may(state, Action::StartDossier, None).await?;
    let user = caller.user.as_ref().ok_or(Error::Forbidden)?;
    let db = &state.db;
    let call = store::rules::call_context(db, call_id)
        .await?
        .ok_or(Error::NotFound)?;
    // The dossier applies from the project year of the round taking submissions now.
    let first_year = call
        .rounds()
        .start_year(caller.now)
        .map(i32::from)
        .map_err(|refusal| Error::Conflict(refusal.explain(&call.call.title)))?;
    let (kind, lead_municipality_id, partner_id, title) = match (
        user.municipality_id,
        user.partner_organisation_id,
    ) {
        (Some(municipality_id), _) => {
            let (directory, ids) =
                store::rules::directory(db, call.call.reference_year, call.map_date()).await?;
            let nis = ids
                .iter()
                .find(|(_, id)| **id == municipality_id)
                .map(|(n, _)| *n);
            let Some(m) = nis.and_then(|n| directory.get(n)) else {
                return Err(Error::Conflict(
                    "Uw gemeente bestaat niet in de gemeentelijke indeling van deze oproep.".into(),
                ));
            };
            let taken = store::rules::taken(db, call.call.id).await?;
            if let Some(reference) = taken.application_of(m.nis_code) {
                return Err(Error::Conflict(format!(
                    "{} neemt al deel aan dossier {reference} voor deze oproep. Een gemeente zit in ten hoogste één dossier per oproep.",
                    m.name
                )));
            }
            if crate::domain::can_apply_alone(&call.rules, m) != Some(true) {
                return Err(Error::Conflict(format!(
                    "{} kan volgens de regels van de oproep niet zelfstandig indienen, enkel in samenwerking. Bekijk op 'Mijn gemeente' met welke gemeenten van de referentieregio {} kan samenwerken.",
                    m.name, m.name
                )));
            }
            (
                ApplicationKind::Single,
                Some(municipality_id),
                None,
                format!("Dossier {}", m.name),
            )
        }
        (None, Some(partner_id)) => {
            if let Some(existing) =
                store::applications::of_partner_in_call(db, call.call.id, partner_id).await?
            {
                return Err(Error::Conflict(format!(
                    "Uw organisatie heeft al dossier {} voor deze oproep.",
                    existing.reference
                )));
            }
            let name = crate::auth::session::organisation_name(db, user).await?;
            (
                ApplicationKind::Partner,
                None,
                Some(partner_id),
                format!("Dossier {}", name.unwrap_or_default()),
            )
        }
        (None, None) => return Err(Error::Forbidden),
    };

    let mut work = Work::begin(state).await?;
    let new = store::applications::NewDossier {
        call_id: call.call.id,
        call_code: call.call.code.clone(),
        kind,
        lead_municipality_id,
        partner_organisation_id: partner_id,
        title,
        first_project_year: first_year,
        created_by: user.id,
    };
    let inserted = match store::applications::create_draft(work.txn(), new, caller.now).await {
        Ok(app) => app,
        Err(err) if store::is_unique_violation(&err) => {
            work.rollback().await?;
            return Err(Error::Conflict(
                "Uw gemeente neemt intussen al deel aan een ander dossier voor deze oproep. Een gemeente zit in ten hoogste één dossier per oproep.".into(),
            ));
        }
        Err(err) => return Err(err.into()),
    };
    work.audit(
        caller
            .audit("application.started", "application", inserted.id)
            .after(serde_json::json!({
                "reference": inserted.reference,
                "call": call.call.code,
                "kind": format!("{kind:?}"),
            })),
    );
    work.commit().await?;
    Ok(inserted)
}

// ------------------------------------------------------------------ sections

/// Saves the general information of dossier `id` as typed, if the dossier is still at
/// `version`.
pub async fn save_general(
    state: &AppState,
    caller: &Caller,
    id: i64,
    input: &GeneralInput,
    version: i32,
) -> Result<()> {
    let content = part_for_editing(state, caller, id, Part::General).await?;
    let mut errors = FieldErrors::default();
    let general = fields::read_general(input, &content.project_years(), &mut errors);
    if let Some(g) = &general
        && let Err(message) = crate::domain::rounds::check_first_year(
            g.first_project_year,
            content.draft_round_year(caller.now),
        )
    {
        errors.add("first_project_year", message);
    }
    let (Some(general), true) = (general, errors.is_empty()) else {
        return Err(Error::Invalid(errors));
    };
    let work = Work::begin(state).await?;
    let saved = store::sections::save_general(
        work.txn(),
        &content,
        &general,
        version,
        &caller.by(),
        caller.now,
    )
    .await?;
    finish(work, saved).await
}

/// Commits `work` when the versioned write went through, else rolls back: [`Error::Stale`].
async fn finish(work: Work, written: bool) -> Result<()> {
    if written {
        work.commit().await?;
        Ok(())
    } else {
        work.rollback().await?;
        Err(Error::Stale)
    }
}

/// What adding an action came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ActionAdded {
    /// The new action's row id and its code.
    Added { action_id: i64, code: String },
    /// Someone added the same action at the same moment: it is in the dossier already.
    AlreadyThere,
}

/// Adds the call's action `call_action_id` (`None`: nothing chosen) to dossier `id`.
pub async fn add_action(
    state: &AppState,
    caller: &Caller,
    id: i64,
    call_action_id: Option<i64>,
) -> Result<ActionAdded> {
    let content = part_for_editing(state, caller, id, Part::Actions).await?;
    let work = Work::begin(state).await?;
    let added = store::sections::add_action(
        work.txn(),
        &content,
        call_action_id.unwrap_or(-1),
        &caller.by(),
        caller.now,
    )
    .await;
    match added {
        Ok(AddedAction::Added(row, code)) => {
            work.commit().await?;
            Ok(ActionAdded::Added {
                action_id: row.id,
                code,
            })
        }
        Ok(AddedAction::AlreadyChosen(code)) => {
            work.rollback().await?;
            Err(Error::field(
                "call_action_id",
                format!("Actie {code} staat al in uw dossier."),
            ))
        }
        Ok(AddedAction::NotInCall) => {
            work.rollback().await?;
            Err(Error::field(
                "call_action_id",
                "Kies een actie uit de lijst van de oproep.",
            ))
        }
        Err(err) if store::is_unique_violation(&err) => {
            work.rollback().await?;
            Ok(ActionAdded::AlreadyThere)
        }
        Err(err) => Err(err.into()),
    }
}

/// Saves action `action_id` of dossier `id` as typed, if the action is still at `version`;
/// answers the action's code.
pub async fn save_action(
    state: &AppState,
    caller: &Caller,
    id: i64,
    action_id: i64,
    input: &ActionInput,
    version: i32,
) -> Result<String> {
    let content = part_for_editing(state, caller, id, Part::Actions).await?;
    let chosen = chosen_action(&content, action_id)?;
    let mut errors = FieldErrors::default();
    let Some(read) = fields::read_action(input, &mut errors) else {
        return Err(Error::Invalid(errors));
    };
    fields::reach_within_maximum(
        read.planned_reach,
        u32::try_from(chosen.call_action.max_reach).unwrap_or(0),
        &chosen.call_action.unit_label,
        &mut errors,
    );
    if !errors.is_empty() {
        return Err(Error::Invalid(errors));
    }
    let work = Work::begin(state).await?;
    let saved = store::sections::save_action(
        work.txn(),
        &content,
        chosen,
        &read,
        version,
        &caller.by(),
        caller.now,
    )
    .await?;
    finish(work, saved).await?;
    Ok(chosen.action.code.clone())
}

/// Removes action `action_id` (with its KPIs) from dossier `id`; answers its code.
pub async fn delete_action(
    state: &AppState,
    caller: &Caller,
    id: i64,
    action_id: i64,
) -> Result<String> {
    let content = part_for_editing(state, caller, id, Part::Actions).await?;
    let chosen = chosen_action(&content, action_id)?;
    let work = Work::begin(state).await?;
    store::sections::delete_action(work.txn(), &content, chosen, &caller.by(), caller.now).await?;
    work.commit().await?;
    Ok(chosen.action.code.clone())
}

/// Adds a KPI as typed to action `action_id` of dossier `id`, within the limit of KPIs per
/// action.
pub async fn add_kpi(
    state: &AppState,
    caller: &Caller,
    id: i64,
    action_id: i64,
    input: &KpiInput,
) -> Result<()> {
    let content = part_for_editing(state, caller, id, Part::Actions).await?;
    let chosen = chosen_action(&content, action_id)?;
    let mut errors = FieldErrors::default();
    let own_kpis = chosen.kpis.iter().filter(|k| !k.is_reach_kpi).count();
    if let Err(message) = crate::domain::limits::check_kpi_added(own_kpis) {
        errors.add("indicator", message);
    }
    let read = fields::read_kpi(input, &mut errors).filter(|_| errors.is_empty());
    let Some(read) = read else {
        return Err(Error::Invalid(errors));
    };
    fields::check_target(&read, &mut errors);
    if !errors.is_empty() {
        return Err(Error::Invalid(errors));
    }
    let work = Work::begin(state).await?;
    store::sections::add_kpi(
        work.txn(),
        &content,
        chosen,
        &read,
        &caller.by(),
        caller.now,
    )
    .await?;
    work.commit().await?;
    Ok(())
}

/// Saves KPI `kpi_id` of dossier `id` as typed, if it is still at `version`; answers the row id
/// of its action.
pub async fn save_kpi(
    state: &AppState,
    caller: &Caller,
    id: i64,
    kpi_id: i64,
    input: &KpiInput,
    version: i32,
) -> Result<i64> {
    let content = part_for_editing(state, caller, id, Part::Actions).await?;
    let (chosen, _, row) = chosen_kpi(&content, kpi_id)?;
    let mut errors = FieldErrors::default();
    let Some(read) = fields::read_kpi(input, &mut errors) else {
        return Err(Error::Invalid(errors));
    };
    if !row.is_reach_kpi {
        // The reach KPI's values follow its action; only its date and method are saved here.
        fields::check_target(&read, &mut errors);
        if !errors.is_empty() {
            return Err(Error::Invalid(errors));
        }
    }
    let work = Work::begin(state).await?;
    let saved = store::sections::save_kpi(
        work.txn(),
        &content,
        row,
        &read,
        version,
        &caller.by(),
        caller.now,
    )
    .await?;
    finish(work, saved).await?;
    Ok(chosen.row.id)
}

/// Removes KPI `kpi_id` from dossier `id` (never the reach KPI: it belongs to its action);
/// answers the row id of its action.
pub async fn delete_kpi(state: &AppState, caller: &Caller, id: i64, kpi_id: i64) -> Result<i64> {
    let content = part_for_editing(state, caller, id, Part::Actions).await?;
    let (chosen, _, row) = chosen_kpi(&content, kpi_id)?;
    let work = Work::begin(state).await?;
    if !store::sections::delete_kpi(work.txn(), &content, row, &caller.by(), caller.now).await? {
        work.rollback().await?;
        return Err(Error::Conflict(
            "De bereik-KPI hoort bij de actie en kan niet apart verwijderd worden.".into(),
        ));
    }
    work.commit().await?;
    Ok(chosen.row.id)
}

/// Records that the applicant accepted the declarations (`given`: truthful, mandate,
/// co-financing ticked), if dossier `id` is still at `version`.
pub async fn accept_declarations(
    state: &AppState,
    caller: &Caller,
    id: i64,
    given: [bool; 3],
    version: i32,
) -> Result<()> {
    let content = part_for_editing(state, caller, id, Part::Declarations).await?;
    let mut errors = FieldErrors::default();
    if !fields::read_declarations(given, &mut errors) {
        return Err(Error::Invalid(errors));
    }
    let work = Work::begin(state).await?;
    let saved = store::sections::accept_declarations(
        work.txn(),
        &content.dossier.application,
        version,
        &caller.by(),
        caller.now,
    )
    .await?;
    finish(work, saved).await
}

/// One action of a whole-dossier update (the API), read.
pub struct WantedAction {
    pub call_action_id: i64,
    pub code: String,
    pub fields: ActionFields,
    /// `None`: keep the action's KPIs; `Some`: replace them (the reach KPI stays).
    pub kpis: Option<Vec<KpiFields>>,
}

/// A whole-dossier update (the API), read; `None` parts stay as they are.
pub struct DossierUpdate {
    pub general: Option<General>,
    /// The complete list of chosen actions: the ones left out are removed.
    pub actions: Option<Vec<WantedAction>>,
    pub declarations: bool,
}

/// Saves `change` to the dossier in `content` (loaded by [`for_editing`], its parts checked
/// with [`ensure_part_open`]) in one transaction, if nobody changed it since: else
/// [`Error::Stale`] and nothing saved.
pub async fn update(
    state: &AppState,
    caller: &Caller,
    content: &DossierContent,
    change: &DossierUpdate,
) -> Result<()> {
    let app = &content.dossier.application;
    if let Some(g) = &change.general
        && let Err(message) = crate::domain::rounds::check_first_year(
            g.first_project_year,
            content.draft_round_year(caller.now),
        )
    {
        let mut errors = FieldErrors::default();
        errors.add("general.first_project_year", message);
        return Err(Error::Invalid(errors));
    }
    let by = caller.by();
    let work = Work::begin(state).await?;
    let txn = work.txn();
    let moved = match &change.general {
        Some(g) => {
            store::sections::save_general(txn, content, g, app.version, &by, caller.now).await?
        }
        None => store::sections::bump_version(txn, app.id, app.version, caller.now).await?,
    };
    if !moved {
        return finish(work, false).await;
    }
    if let Some(wanted) = &change.actions
        && !replace_actions(txn, content, wanted, &by, caller.now).await?
    {
        return finish(work, false).await;
    }
    let declared = !change.declarations
        || store::sections::accept_declarations(txn, app, app.version + 1, &by, caller.now).await?;
    finish(work, declared).await
}

/// Makes the dossier's actions the `wanted` ones (see [`update`]); `false` when one of them
/// changed meanwhile.
async fn replace_actions(
    txn: &sea_orm::DatabaseTransaction,
    content: &DossierContent,
    wanted: &[WantedAction],
    by: &crate::audit::By,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<bool> {
    for chosen in &content.actions {
        if !wanted.iter().any(|w| w.code == chosen.action.code) {
            store::sections::delete_action(txn, content, chosen, by, now).await?;
        }
    }
    for w in wanted {
        let existing = content.actions.iter().find(|a| a.action.code == w.code);
        let chosen = match existing {
            Some(chosen) => chosen.clone(),
            None => {
                let row = match store::sections::add_action(txn, content, w.call_action_id, by, now)
                    .await
                {
                    Ok(AddedAction::Added(row, _)) => row,
                    Ok(_) => return Ok(false),
                    Err(err) if store::is_unique_violation(&err) => return Ok(false),
                    Err(err) => return Err(err.into()),
                };
                let Some((call_action, action)) = content
                    .call
                    .actions
                    .iter()
                    .find(|(ca, _)| ca.id == w.call_action_id)
                    .cloned()
                else {
                    return Ok(false);
                };
                ChosenAction {
                    row,
                    call_action,
                    action,
                    kpis: Vec::new(),
                }
            }
        };
        let saved = store::sections::save_action(
            txn,
            content,
            &chosen,
            &w.fields,
            chosen.row.version,
            by,
            now,
        )
        .await?;
        if !saved {
            return Ok(false);
        }
        if let Some(kpis) = &w.kpis {
            for old in chosen.kpis.iter().filter(|k| !k.is_reach_kpi) {
                store::sections::delete_kpi(txn, content, old, by, now).await?;
            }
            for k in kpis {
                store::sections::add_kpi(txn, content, &chosen, k, by, now).await?;
            }
        }
    }
    Ok(true)
}

// ------------------------------------------------------------------ submit and withdraw

#[derive(Template)]
#[template(path = "mail/submitted.txt")]
struct SubmittedMail<'a> {
    reference: &'a str,
    title: &'a str,
    call: &'a str,
    lead: &'a str,
    total_grant: &'a str,
    link: &'a str,
}

/// What submitting came to.
pub enum Submission {
    /// The dossier is now in this state.
    Done(ApplicationState),
    /// Not every section is complete or a rule blocks: nothing was submitted.
    NotReady {
        content: Box<DossierContent>,
        report: Box<ApplicationReport>,
    },
}

/// Refuses a first submission outside a round (unless ABB gave this dossier a late deadline),
/// while the call is not open, or for a first project year whose round is over; a resubmission
/// after a change request may come later.
pub fn ensure_within_deadline(content: &DossierContent, caller: &Caller) -> Result<()> {
    let app = &content.dossier.application;
    if app.state != ApplicationState::Draft {
        return Ok(());
    }
    content
        .call
        .rounds()
        .accepts_submission(
            u16::try_from(app.first_project_year).unwrap_or(0),
            caller.now,
            app.late_submission_until,
        )
        .map_err(|problem| Error::Conflict(problem.explain(&content.call.call.title)))
}

/// Checks and submits dossier `id` if it is still at `version`, with the municipality's
/// `cover_note` (required when answering a change request: [`messages::cover_note`]).
pub async fn submit(
    state: &AppState,
    caller: &Caller,
    id: i64,
    version: i32,
    cover_note: &str,
) -> Result<Submission> {
    let content = for_editing(state, caller, id).await?;
    submit_loaded(state, caller, content, version, cover_note).await
}

/// Checks and submits the dossier in `content` (loaded by [`for_editing`]) if it is still at
/// `version`: within the call's window, every section complete and no blocking rule; then, in
/// one transaction, the state moves (submitted, or resubmitted after a change request), the
/// open change request is answered, a snapshot is frozen with the `cover_note`, the submission
/// is audited (the note as its details) and the confirmation mailed; a resubmission's note is
/// mailed to ABB (the assigned reviewer, or every reviewer when none is assigned).
pub async fn submit_loaded(
    state: &AppState,
    caller: &Caller,
    content: DossierContent,
    version: i32,
    cover_note: &str,
) -> Result<Submission> {
    ensure_within_deadline(&content, caller)?;
    let answering = content.dossier.application.state == ApplicationState::ChangesRequested;
    let cover_note = messages::cover_note(cover_note, answering)
        .map_err(|e| Error::field("cover_note", e.to_string()))?;
    let report = content.report(&state.db).await?;
    if !ready_to_submit(&content, &report) {
        return Ok(Submission::NotReady {
            content: Box::new(content),
            report: Box::new(report),
        });
    }
    let app = &content.dossier.application;
    let step = if app.state == ApplicationState::ChangesRequested {
        Transition::Resubmit
    } else {
        Transition::Submit
    };
    let next_state = workflow::next(app.state.into(), step, Party::Applicant)
        .map(ApplicationState::from)
        .map_err(|e| Error::Conflict(e.to_string()))?;
    let mut work = Work::begin(state).await?;
    let by = caller.by();
    let recorded = store::submission::record(
        work.txn(),
        &content,
        &report,
        store::submission::Submitted {
            next_state,
            version,
            by: &by,
            cover_note: cover_note.as_deref(),
            now: caller.now,
        },
    )
    .await?;
    if !recorded {
        work.rollback().await?;
        return Err(Error::Stale);
    }
    let mut entry = by
        .entry("application.submitted", "application", app.id)
        .before(serde_json::json!({"state": app.state}))
        .after(serde_json::json!({
            "state": next_state,
            "total_grant_cents": report.total_grant.get(),
        }));
    if let Some(note) = &cover_note {
        entry = entry.details(note.clone());
    }
    work.audit(entry);
    if let (Transition::Resubmit, Some(note)) = (step, &cover_note) {
        tell_abb_cover_note(state, &mut work, caller, &content, note).await?;
    }
    let link = format!("{}/dossiers/{}", state.config.public_url, app.id);
    let body = mail::render_text(&SubmittedMail {
        reference: &app.reference,
        title: &app.title,
        call: &content.call.call.title,
        lead: &content.dossier.lead_name,
        total_grant: &report.total_grant.to_string(),
        link: &link,
    })?;
    for to in
        store::recipients::addresses(work.txn(), app, crate::domain::recipients::News::Submitted)
            .await?
    {
        work.mail(OutgoingMail {
            to,
            subject: format!("Samenleven: dossier {} is ingediend", app.reference),
            body_text: body.clone(),
            related: Some(("application".into(), app.id.to_string())),
        });
    }
    work.commit().await?;
    Ok(Submission::Done(next_state))
}

/// Mails the `note` of a resubmission of `content` to ABB (the assigned reviewer, or every
/// reviewer when none is assigned).
async fn tell_abb_cover_note(
    state: &AppState,
    work: &mut Work,
    caller: &Caller,
    content: &DossierContent,
    note: &str,
) -> Result<()> {
    let app = &content.dossier.application;
    let link = format!("{}/beoordeling/{}", state.config.public_url, app.id);
    let author = caller
        .user
        .as_ref()
        .map(|u| u.name.clone())
        .unwrap_or_default();
    let text = mail::render_text(&super::messages::ToAbbMail {
        dossier: &super::notify::DossierLine {
            reference: &app.reference,
            title: &app.title,
            lead: &content.dossier.lead_name,
            link: &link,
            member: false,
            member_preamble: "",
        },
        author: &author,
        heading: "diende het dossier opnieuw in, met deze toelichting bij de aanpassingen",
        body: note,
    })?;
    for to in store::recipients::abb_addresses(work.txn(), app).await? {
        work.mail(OutgoingMail {
            to,
            subject: format!("Samenleven: dossier {} opnieuw ingediend", app.reference),
            body_text: text.clone(),
            related: Some(("application".into(), app.id.to_string())),
        });
    }
    Ok(())
}

/// Whether the applicant may withdraw a dossier in `state`: until ABB decides.
pub fn may_withdraw(state: ApplicationState) -> bool {
    workflow::next(state.into(), Transition::Withdraw, Party::Applicant).is_ok()
}

/// The longest reason for a withdrawal.
pub const WITHDRAW_REASON_MAX_CHARS: usize = 2000;

/// Withdraws dossier `id` (before ABB decides) for `reason`, if it is still at `version`. Its
/// municipalities are free again for this call. Answers the dossier's reference.
pub async fn withdraw(
    state: &AppState,
    caller: &Caller,
    id: i64,
    reason: &str,
    version: i32,
) -> Result<String> {
    let dossier = with_parties(state, caller, id, Action::EditDossier).await?;
    let app = &dossier.application;
    if !may_withdraw(app.state) {
        return Err(Error::Conflict(format!(
            "Dossier {} is {} en kan niet meer ingetrokken worden.",
            app.reference,
            DossierState::from(app.state).label()
        )));
    }
    let reason = reason.trim();
    if reason.is_empty() || reason.chars().count() > WITHDRAW_REASON_MAX_CHARS {
        return Err(Error::field(
            "reason",
            format!(
                "Geef kort de reden op waarom u het dossier intrekt (hoogstens {}).",
                crate::domain::dutch::characters(WITHDRAW_REASON_MAX_CHARS)
            ),
        ));
    }
    let mut work = Work::begin(state).await?;
    if !store::applications::withdraw(work.txn(), app.id, version, caller.now).await? {
        work.rollback().await?;
        return Err(Error::Conflict(
            "Het dossier werd intussen gewijzigd. Open het opnieuw en probeer nog eens.".into(),
        ));
    }
    work.audit(
        caller
            .audit("application.withdrawn", "application", app.id)
            .before(serde_json::json!({"state": app.state, "members": dossier.member_names}))
            .after(serde_json::json!({"state": ApplicationState::Withdrawn}))
            .details(reason.to_owned()),
    );
    work.commit().await?;
    Ok(app.reference.clone())
}

#[cfg(test)]
mod tests {
    use super::*;
    use ApplicationState as S;

    fn all(status: SectionStatus, members: Option<SectionStatus>) -> Statuses {
        Statuses {
            general: status,
            actions: status,
            kpis: status,
            budget: status,
            attachments: status,
            declarations: status,
            members,
        }
    }

    #[test]
    fn an_applicant_withdraws_until_abb_decides() {
        for state in [
            S::Draft,
            S::Submitted,
            S::InReview,
            S::ChangesRequested,
            S::Resubmitted,
        ] {
            assert!(may_withdraw(state), "{state:?}");
        }
        for state in [S::Approved, S::PartlyApproved, S::Rejected, S::Withdrawn] {
            assert!(!may_withdraw(state), "{state:?}");
        }
    }

    #[test]
    fn a_dossier_is_complete_only_when_every_section_is_the_members_included() {
        use SectionStatus::*;
        assert!(all(Complete, None).all_complete());
        assert!(all(Complete, Some(Complete)).all_complete());
        assert!(!all(Complete, Some(InProgress)).all_complete());
        let mut one_missing = all(Complete, None);
        one_missing.declarations = NotStarted;
        assert!(!one_missing.all_complete());
    }

    #[test]
    fn the_api_names_the_sections_in_the_order_of_the_task_list_members_last() {
        let names: Vec<&str> = all(SectionStatus::Complete, Some(SectionStatus::Complete))
            .named()
            .into_iter()
            .map(|(name, _)| name)
            .collect();
        assert_eq!(
            names,
            [
                "general",
                "actions",
                "kpis",
                "budget",
                "attachments",
                "declarations",
                "members"
            ]
        );
        let codes: Vec<&str> = [
            SectionStatus::NotStarted,
            SectionStatus::InProgress,
            SectionStatus::Complete,
        ]
        .map(SectionStatus::code)
        .to_vec();
        assert_eq!(codes, ["not_started", "in_progress", "complete"]);
    }
}

// ------------------------------------------------------------------ the table of reach lines

/// One line of the table as posted: the call action it belongs to, what was typed, and the
/// version of the dossier's row for it as the form showed it (`None`: the line was not taken).
#[derive(Debug, Clone)]
pub struct PostedLine {
    pub call_action_id: i64,
    pub input: crate::domain::reach::LineInput,
    pub version: Option<i32>,
}

/// A line of the call's table: its number in the table (1, 2, 3 ...), the line and its action.
pub type TableLine<'a> = (
    u16,
    &'a entity::call_action::Model,
    &'a entity::action::Model,
);

/// The call's lines in the order of its table: the form's rows where the lines come from the
/// form, else the order of the action codes. Numbered from 1, as the page shows them.
pub fn table_lines(call: &store::rules::CallContext) -> Vec<TableLine<'_>> {
    let mut lines: Vec<&(entity::call_action::Model, entity::action::Model)> =
        call.actions.iter().collect();
    lines.sort_by_key(|(ca, _)| ca.source_row.unwrap_or(i32::MAX));
    lines
        .into_iter()
        .enumerate()
        .map(|(i, (ca, a))| (u16::try_from(i + 1).unwrap_or(u16::MAX), ca, a))
        .collect()
}

/// The names of a line's fields in the table form.
pub fn line_field(call_action_id: i64, field: crate::domain::reach::LineField) -> String {
    use crate::domain::reach::LineField;
    let prefix = match field {
        LineField::Baseline => "b",
        LineField::Planned => "p",
        LineField::Priority => "r",
    };
    format!("{prefix}{call_action_id}")
}

/// What saving the table did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TableSaved {
    pub added: usize,
    pub changed: usize,
    pub removed: usize,
}

/// Saves the dossier's table of reach lines (issue 21): per line the current reach, the planned
/// additional reach (at most the line's maximum) and a priority, distinct over the dossier. A line
/// with a planned reach is taken; emptying it removes the line unless it has a description or
/// extra KPIs, which would be lost. Lines the form did not post stay as they are. Every problem
/// comes back at its field, and nothing is saved then.
// Longer than 50 lines: reads every posted line, applies the table's rules, then the changes.
pub async fn save_table(
    state: &AppState,
    caller: &Caller,
    id: i64,
    posted: &[PostedLine],
) -> Result<TableSaved> {
    use crate::domain::reach::{self, LineEntry, LineField, LineProblem, ReachLine};
    let content = part_for_editing(state, caller, id, Part::Actions).await?;
    let table = table_lines(&content.call);
    let mut errors = FieldErrors::default();
    let mut lines = Vec::with_capacity(table.len());
    let mut entries: Vec<(u16, LineEntry)> = Vec::new();
    let mut read: Vec<(u16, &entity::call_action::Model, LineEntry)> = Vec::new();
    let mut stale = false;
    for (row, ca, a) in &table {
        let Some(code) = crate::domain::ActionCode::parse(&a.code).ok() else {
            continue;
        };
        lines.push(ReachLine {
            row: *row,
            action: code,
            unit: store::sections::plural(ca).to_owned(),
            max_planned: u32::try_from(ca.max_reach).unwrap_or(0),
            per_unit: crate::domain::Cents::new(ca.unit_cost_cents).unwrap_or_default(),
        });
        let chosen = content.actions.iter().find(|c| c.call_action.id == ca.id);
        let Some(line) = posted.iter().find(|p| p.call_action_id == ca.id) else {
            // Not on the form: a taken line stays as it is and counts for the priorities.
            if let Some(c) = chosen {
                entries.push((*row, entry_of(&c.row)));
            }
            continue;
        };
        if line.version != chosen.map(|c| c.row.version) {
            stale = true;
        }
        match reach::read_line(&line.input) {
            Ok(entry) => {
                entries.push((*row, entry));
                read.push((*row, ca, entry));
            }
            Err(problems) => {
                for (field, message) in problems {
                    errors.add(
                        &line_field(ca.id, field),
                        format!("Lijn {}: {message}", a.code),
                    );
                }
            }
        }
    }
    for problem in reach::check_lines(&lines, &entries) {
        let (Some(row), Some(field)) = (problem.row(), problem.field()) else {
            continue;
        };
        let Some((_, ca, a)) = table.iter().find(|(r, _, _)| *r == row) else {
            continue;
        };
        let message = match &problem {
            LineProblem::NotTaken { .. } => "Vul een gepland bijkomend bereik in, of maak het huidige bereik en de prioriteit van deze lijn leeg.".to_owned(),
            LineProblem::PriorityTaken { priority, first_row, .. } => {
                let first = table
                    .iter()
                    .find(|(r, _, _)| r == first_row)
                    .map(|(_, _, a)| a.code.as_str())
                    .unwrap_or("");
                format!("Prioriteit {priority} is al gegeven aan lijn {first}. Geef elke lijn een andere prioriteit.")
            }
            other => other.to_string(),
        };
        errors.add(
            &line_field(ca.id, field),
            format!("Lijn {}: {message}", a.code),
        );
    }
    let mut changes = Vec::new();
    for (_, ca, entry) in &read {
        let chosen = content.actions.iter().find(|c| c.call_action.id == ca.id);
        match chosen {
            None if entry.is_taken() => changes.push(store::sections::LineChange::Add {
                line: ca,
                code: table
                    .iter()
                    .find(|(_, l, _)| l.id == ca.id)
                    .map(|(_, _, a)| a.code.clone())
                    .unwrap_or_default(),
                entry: *entry,
            }),
            None => {}
            Some(c) if !entry.is_taken() => {
                let extra_kpis = c.kpis.iter().any(|k| !k.is_reach_kpi);
                if !c.row.description.trim().is_empty() || extra_kpis {
                    errors.add(
                        &line_field(ca.id, LineField::Planned),
                        format!(
                            "Lijn {} heeft al een beschrijving of extra KPI's. Wilt u de lijn schrappen, open dan de details en kies daar ‘Actie verwijderen’.",
                            c.action.code
                        ),
                    );
                } else {
                    changes.push(store::sections::LineChange::Remove { chosen: c });
                }
            }
            Some(c) if entry_of(&c.row) != *entry => {
                changes.push(store::sections::LineChange::Update {
                    chosen: c,
                    entry: *entry,
                });
            }
            Some(_) => {}
        }
    }
    if stale {
        return Err(Error::Stale);
    }
    if !errors.is_empty() {
        return Err(Error::Invalid(errors));
    }
    let saved = TableSaved {
        added: changes
            .iter()
            .filter(|c| matches!(c, store::sections::LineChange::Add { .. }))
            .count(),
        changed: changes
            .iter()
            .filter(|c| matches!(c, store::sections::LineChange::Update { .. }))
            .count(),
        removed: changes
            .iter()
            .filter(|c| matches!(c, store::sections::LineChange::Remove { .. }))
            .count(),
    };
    let work = Work::begin(state).await?;
    let done =
        store::sections::save_table(work.txn(), &content, &changes, &caller.by(), caller.now).await;
    match done {
        Err(err) if store::is_unique_violation(&err) => {
            work.rollback().await?;
            Err(Error::Stale)
        }
        other => {
            finish(work, other?).await?;
            Ok(saved)
        }
    }
}

/// A taken line's row as the table reads it.
fn entry_of(row: &entity::application_action::Model) -> crate::domain::reach::LineEntry {
    crate::domain::reach::LineEntry {
        baseline: u32::try_from(row.baseline_reach).ok(),
        planned: u32::try_from(row.planned_reach).unwrap_or(0),
        priority: u32::try_from(row.priority_rank).ok().filter(|p| *p > 0),
    }
}
