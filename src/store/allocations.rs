//! Allocations of a project year's envelope: building the engine's requests from the submitted
//! dossiers of a call, storing a proposal with one line per action, adjusting lines, confirming,
//! and reading the confirmed amount of an action.
//!
//! Incentives have no line (`allocation_line` names an `application_action`): the engine takes
//! them off the envelope first and the lines share what is left; the amounts granted as
//! incentives are recorded in the proposal's audit entry. Adjustments keep the lines together
//! within the envelope.
//!
//! A partner organisation's dossier is funded under its separate agreement when the call's data
//! attaches one (`store::agreements`): its lines carry the agreement's amount
//! (`allocation_line.agreement_cents`), and adjustments keep them together within it.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, Query};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    Set,
};

use entity::allocation::{self, AllocationState};
use entity::application::{self, ApplicationState};
use entity::{allocation_line, application_action, call_project_year};

use crate::domain::allocation::{
    AdjustmentRefusal, check_adjustment, check_agreement_adjustment, inputs_fingerprint,
};
use crate::domain::money::sum_cents;
use crate::domain::{
    Allocation, AllocationError, AllocationRequest, ApplicationReport, Cents, allocate,
    allocation_weight,
};
use crate::store::{agreements, applications, drafts, rules};

/// The dossier states that take part in an allocation.
pub const ALLOCATED_STATES: [ApplicationState; 3] = [
    ApplicationState::Submitted,
    ApplicationState::InReview,
    ApplicationState::Resubmitted,
];

/// One dossier's request with the ids of its actions by action code.
#[derive(Debug, Clone)]
pub struct DossierRequest {
    pub application: application::Model,
    pub request: AllocationRequest,
    /// Action code (`2.1`) → `application_action.id`.
    pub action_ids: HashMap<String, i64>,
}

/// The engine's requests for every dossier of the call in an allocated state that applies for
/// `year`. Weight: the non-EU15 residents of the lead and members (0 for a partner organisation
/// or when a figure is missing, the cautious choice). A partner organisation whose separate
/// agreement the call attaches is funded under it, outside the ranks.
pub async fn requests<C: ConnectionTrait>(
    db: &C,
    call_id: i64,
    year: i32,
) -> Result<Vec<DossierRequest>, DbErr> {
    let Some(project_year) = u16::try_from(year).ok() else {
        return Ok(Vec::new());
    };
    let apps = application::Entity::find()
        .filter(application::Column::CallId.eq(call_id))
        .filter(application::Column::State.is_in(ALLOCATED_STATES))
        .filter(application::Column::FirstProjectYear.lte(year))
        .filter(application::Column::LastProjectYear.gte(year))
        .order_by_asc(application::Column::Reference)
        .all(db)
        .await?;
    let agreements = agreements::terms_of_call(db, call_id).await?;
    let mut out = Vec::with_capacity(apps.len());
    let mut directory = None;
    for app in apps {
        let Some(dossier) = applications::with_parties(db, app.id).await? else {
            continue;
        };
        let content = drafts::load(db, dossier).await?;
        let report: ApplicationReport = content.report(db).await?;
        if directory.is_none() {
            directory = Some(
                rules::directory(
                    db,
                    content.call.call.reference_year,
                    content.call.map_date(),
                )
                .await?
                .0,
            );
        }
        let mut members = Vec::new();
        if let Some(dir) = &directory {
            for code in content.lead_nis.iter().chain(content.member_nis.iter()) {
                if let Some(m) = rules::nis(*code).ok().and_then(|n| dir.get(n)) {
                    members.push(m);
                }
            }
        }
        let weight = allocation_weight(&content.call.rules, &members).unwrap_or(0);
        let name = content.dossier.lead_name.clone();
        let agreement = app
            .partner_organisation_id
            .and_then(|id| agreements.get(&id).cloned());
        let request =
            AllocationRequest::from_report(&app.reference, &name, weight, &report, project_year)
                .under_agreement(agreement);
        let action_ids = content
            .actions
            .iter()
            .filter_map(|a| a.code().map(|c| (c.to_string(), a.row.id)))
            .collect();
        out.push(DossierRequest {
            application: app,
            request,
            action_ids,
        });
    }
    Ok(out)
}

/// The most recent allocation of a call's project year.
pub async fn latest<C: ConnectionTrait>(
    db: &C,
    call_id: i64,
    year: i32,
) -> Result<Option<allocation::Model>, DbErr> {
    allocation::Entity::find()
        .filter(allocation::Column::CallId.eq(call_id))
        .filter(allocation::Column::YearNumber.eq(year))
        .order_by_desc(allocation::Column::Id)
        .one(db)
        .await
}

pub async fn find<C: ConnectionTrait>(db: &C, id: i64) -> Result<Option<allocation::Model>, DbErr> {
    allocation::Entity::find_by_id(id).one(db).await
}

/// The envelope of a call's project year, if that year exists.
pub async fn envelope<C: ConnectionTrait>(
    db: &C,
    call_id: i64,
    year: i32,
) -> Result<Option<i64>, DbErr> {
    Ok(call_project_year::Entity::find()
        .filter(call_project_year::Column::CallId.eq(call_id))
        .filter(call_project_year::Column::YearNumber.eq(year))
        .one(db)
        .await?
        .map(|y| y.envelope_cents))
}

/// The current inputs of a call's project year as a proposal would read them now: the
/// envelope (`None` when the year does not exist) and [`inputs_fingerprint`] of the dossiers'
/// requests. Reads every dossier of the year: run it outside a writing transaction.
pub async fn current_inputs<C: ConnectionTrait>(
    db: &C,
    call_id: i64,
    year: i32,
) -> Result<Option<(i64, String)>, DbErr> {
    let Some(envelope) = envelope(db, call_id, year).await? else {
        return Ok(None);
    };
    let requests: Vec<AllocationRequest> = requests(db, call_id, year)
        .await?
        .into_iter()
        .map(|d| d.request)
        .collect();
    Ok(Some((envelope, inputs_fingerprint(&requests))))
}

/// The lines of an allocation, in id order (the order they were proposed in: by dossier
/// reference, then rank).
pub async fn lines<C: ConnectionTrait>(
    db: &C,
    allocation_id: i64,
) -> Result<Vec<allocation_line::Model>, DbErr> {
    allocation_line::Entity::find()
        .filter(allocation_line::Column::AllocationId.eq(allocation_id))
        .order_by_asc(allocation_line::Column::Id)
        .all(db)
        .await
}

/// The amount a line stands for: adjusted, else proposed.
pub fn effective(line: &allocation_line::Model) -> i64 {
    line.adjusted_cents.unwrap_or(line.proposed_cents)
}

/// Why a proposal could not be stored.
#[derive(Debug, thiserror::Error)]
pub enum ProposeError {
    #[error(
        "Dit projectjaar heeft al een bevestigde toewijzing; die kan niet meer vervangen worden."
    )]
    AlreadyConfirmed,
    #[error("Deze oproep heeft geen projectjaar {0}.")]
    NoSuchYear(i32),
    #[error("{0}")]
    Engine(#[from] AllocationError),
    #[error(transparent)]
    Db(#[from] DbErr),
}

/// A stored proposal.
#[derive(Debug)]
pub struct Proposal {
    pub allocation: allocation::Model,
    pub outcome: Allocation,
    /// Ids of the earlier proposals this one replaced.
    pub replaced: Vec<i64>,
}

/// A proposal computed by the engine, not stored yet.
#[derive(Debug)]
pub struct Computed {
    pub call_id: i64,
    pub year: i32,
    pub envelope: i64,
    pub dossiers: Vec<DossierRequest>,
    pub outcome: Allocation,
    /// [`inputs_fingerprint`] of the dossiers' requests.
    pub fingerprint: String,
}

/// Runs the engine over the call's dossiers for one project year. Run it outside the
/// transaction that stores the result: on SQLite a long read followed by a write fails when
/// another connection wrote meanwhile.
pub async fn compute<C: ConnectionTrait>(
    db: &C,
    call_id: i64,
    year: i32,
) -> Result<Computed, ProposeError> {
    let envelope = envelope(db, call_id, year)
        .await?
        .ok_or(ProposeError::NoSuchYear(year))?;
    let dossiers = requests(db, call_id, year).await?;
    let engine_requests: Vec<AllocationRequest> =
        dossiers.iter().map(|d| d.request.clone()).collect();
    let outcome = allocate(rules::cents(envelope)?, &engine_requests)?;
    Ok(Computed {
        call_id,
        year,
        envelope,
        dossiers,
        outcome,
        fingerprint: inputs_fingerprint(&engine_requests),
    })
}

/// Stores a computed proposal with one line per action, replacing earlier proposed ones of the
/// same call and project year; refused when that year has a confirmed allocation. Call it
/// inside a transaction (its first statement is a write, so it holds the write lock). `now` is
/// the moment of the proposal.
pub async fn store_proposal<C: ConnectionTrait>(
    txn: &C,
    computed: Computed,
    created_by: Option<i64>,
    now: DateTime<Utc>,
) -> Result<Proposal, ProposeError> {
    let Computed {
        call_id,
        year,
        envelope,
        dossiers,
        outcome,
        fingerprint,
    } = computed;
    let proposed_here = || {
        Query::select()
            .column(allocation::Column::Id)
            .from(allocation::Entity)
            .and_where(allocation::Column::CallId.eq(call_id))
            .and_where(allocation::Column::YearNumber.eq(year))
            .and_where(allocation::Column::State.eq(AllocationState::Proposed))
            .to_owned()
    };
    allocation_line::Entity::delete_many()
        .filter(allocation_line::Column::AllocationId.in_subquery(proposed_here()))
        .exec(txn)
        .await?;
    let confirmed = allocation::Entity::find()
        .filter(allocation::Column::CallId.eq(call_id))
        .filter(allocation::Column::YearNumber.eq(year))
        .filter(allocation::Column::State.eq(AllocationState::Confirmed))
        .one(txn)
        .await?;
    if confirmed.is_some() {
        return Err(ProposeError::AlreadyConfirmed);
    }
    let replaced: Vec<i64> = allocation::Entity::find()
        .filter(allocation::Column::CallId.eq(call_id))
        .filter(allocation::Column::YearNumber.eq(year))
        .all(txn)
        .await?
        .into_iter()
        .map(|a| a.id)
        .collect();
    if !replaced.is_empty() {
        allocation::Entity::delete_many()
            .filter(allocation::Column::Id.is_in(replaced.clone()))
            .exec(txn)
            .await?;
    }
    let stored = allocation::ActiveModel {
        call_id: Set(call_id),
        year_number: Set(year),
        state: Set(AllocationState::Proposed),
        envelope_cents: Set(envelope),
        incentives_cents: Set(outcome.incentives_granted.get()),
        created_by: Set(created_by),
        created_at: Set(now),
        confirmed_by: Set(None),
        confirmed_at: Set(None),
        version: Set(1),
        inputs_fingerprint: Set(Some(fingerprint)),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    let by_reference: BTreeMap<&str, &DossierRequest> = dossiers
        .iter()
        .map(|d| (d.application.reference.as_str(), d))
        .collect();
    for app in &outcome.applications {
        let Some(dossier) = by_reference.get(app.reference.as_str()) else {
            continue;
        };
        let agreement_cents = app.agreement.as_ref().map(|a| a.amount.get());
        let mut actions: Vec<_> = app.actions.iter().collect();
        actions.sort_by_key(|a| a.rank);
        for action in actions {
            let Some(action_id) = dossier.action_ids.get(&action.code.to_string()) else {
                continue;
            };
            allocation_line::ActiveModel {
                allocation_id: Set(stored.id),
                application_action_id: Set(*action_id),
                requested_cents: Set(action.requested.get()),
                proposed_cents: Set(action.granted.get()),
                adjusted_cents: Set(None),
                reason: Set(action.reason.clone()),
                version: Set(1),
                agreement_cents: Set(agreement_cents),
                ..Default::default()
            }
            .insert(txn)
            .await?;
        }
    }
    Ok(Proposal {
        allocation: stored,
        outcome,
        replaced,
    })
}

/// Why an adjustment was refused.
#[derive(Debug, thiserror::Error)]
pub enum AdjustError {
    #[error("Deze toewijzing is al bevestigd; bedragen kunnen niet meer aangepast worden.")]
    Confirmed,
    #[error(
        "Iemand anders wijzigde deze toewijzing intussen. Bekijk de huidige bedragen en probeer opnieuw."
    )]
    Conflict,
    /// The amount is outside the domain's bounds ([`check_adjustment`]).
    #[error(transparent)]
    Refused(#[from] AdjustmentRefusal),
    #[error(transparent)]
    Db(#[from] DbErr),
}

/// Sets a line's adjusted amount within the domain's bounds ([`check_adjustment`]), if the
/// allocation is still at `version` and proposed.
/// Raises the allocation's and the line's version. Call it inside a transaction and roll it
/// back on an error (the version is raised first).
pub async fn adjust<C: ConnectionTrait>(
    db: &C,
    allocation: &allocation::Model,
    line_id: i64,
    version: i32,
    adjusted: i64,
    by: Option<i64>,
) -> Result<(allocation_line::Model, allocation_line::Model), AdjustError> {
    if allocation.state == AllocationState::Confirmed {
        return Err(AdjustError::Confirmed);
    }
    // The write first, so the transaction holds the write lock before it reads the lines.
    let bumped = allocation::Entity::update_many()
        .col_expr(allocation::Column::Version, Expr::value(version + 1))
        .col_expr(allocation::Column::AdjustedBy, Expr::value(by))
        .filter(allocation::Column::Id.eq(allocation.id))
        .filter(allocation::Column::Version.eq(version))
        .filter(allocation::Column::State.eq(AllocationState::Proposed))
        .exec(db)
        .await?;
    if bumped.rows_affected != 1 {
        let now = find(db, allocation.id).await?;
        return Err(match now.map(|a| a.state) {
            Some(AllocationState::Confirmed) => AdjustError::Confirmed,
            _ => AdjustError::Conflict,
        });
    }
    let all = lines(db, allocation.id).await?;
    let Some(line) = all.iter().find(|l| l.id == line_id).cloned() else {
        return Err(AdjustError::Db(DbErr::RecordNotFound(format!(
            "allocation line {line_id}"
        ))));
    };
    let money = |c: i64| Cents::new(c.max(0)).unwrap_or_default();
    let others = sum_cents(all.iter().filter(|l| l.id != line_id).map(effective));
    check_adjustment(
        money(adjusted),
        money(line.requested_cents),
        money(others),
        money(allocation.envelope_cents),
        money(allocation.incentives_cents),
    )?;
    if let Some(agreement) = line.agreement_cents {
        let siblings = dossier_action_ids(db, line.application_action_id).await?;
        let dossier_others = sum_cents(
            all.iter()
                .filter(|l| l.id != line_id && siblings.contains(&l.application_action_id))
                .map(effective),
        );
        check_agreement_adjustment(money(adjusted), money(dossier_others), money(agreement))?;
    }
    let updated = allocation_line::ActiveModel {
        id: Set(line.id),
        adjusted_cents: Set(Some(adjusted)),
        version: Set(line.version + 1),
        ..Default::default()
    }
    .update(db)
    .await?;
    Ok((line, updated))
}

/// The ids of every action of the dossier that action `application_action_id` belongs to.
async fn dossier_action_ids<C: ConnectionTrait>(
    db: &C,
    application_action_id: i64,
) -> Result<Vec<i64>, DbErr> {
    let Some(action) = application_action::Entity::find_by_id(application_action_id)
        .one(db)
        .await?
    else {
        return Ok(Vec::new());
    };
    Ok(application_action::Entity::find()
        .filter(application_action::Column::ApplicationId.eq(action.application_id))
        .all(db)
        .await?
        .into_iter()
        .map(|a| a.id)
        .collect())
}

/// Confirms a proposed allocation at `version` at `now`; `false` when it changed or was
/// confirmed.
pub async fn confirm<C: ConnectionTrait>(
    db: &C,
    allocation_id: i64,
    version: i32,
    by: i64,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let result = allocation::Entity::update_many()
        .col_expr(allocation::Column::Version, Expr::value(version + 1))
        .col_expr(
            allocation::Column::State,
            Expr::value(AllocationState::Confirmed),
        )
        .col_expr(allocation::Column::ConfirmedBy, Expr::value(Some(by)))
        .col_expr(allocation::Column::ConfirmedAt, Expr::value(Some(now)))
        .filter(allocation::Column::Id.eq(allocation_id))
        .filter(allocation::Column::Version.eq(version))
        .filter(allocation::Column::State.eq(AllocationState::Proposed))
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

/// The adjusted (else proposed) cents of an action in the confirmed allocation of its call's
/// project year `year_number`, if there is one.
pub async fn confirmed_amount<C: ConnectionTrait>(
    db: &C,
    application_action_id: i64,
    year_number: i32,
) -> Result<Option<i64>, DbErr> {
    let found = allocation_line::Entity::find()
        .filter(allocation_line::Column::ApplicationActionId.eq(application_action_id))
        .find_also_related(allocation::Entity)
        .all(db)
        .await?;
    Ok(found
        .into_iter()
        .filter_map(|(line, a)| a.map(|a| (line, a)))
        .filter(|(_, a)| a.state == AllocationState::Confirmed && a.year_number == year_number)
        .max_by_key(|(_, a)| a.id)
        .map(|(line, _)| effective(&line)))
}

/// [`confirmed_amount`] for several actions at once: per `(application action, project year)`
/// the effective amount of the latest confirmed allocation, in one statement.
pub async fn confirmed_amounts<C: ConnectionTrait>(
    db: &C,
    application_action_ids: &[i64],
) -> Result<std::collections::BTreeMap<(i64, i32), i64>, DbErr> {
    if application_action_ids.is_empty() {
        return Ok(Default::default());
    }
    let found = allocation_line::Entity::find()
        .filter(allocation_line::Column::ApplicationActionId.is_in(application_action_ids.to_vec()))
        .find_also_related(allocation::Entity)
        .all(db)
        .await?;
    let mut latest: std::collections::BTreeMap<(i64, i32), (i64, i64)> = Default::default();
    for (line, a) in found {
        let Some(a) = a.filter(|a| a.state == AllocationState::Confirmed) else {
            continue;
        };
        let key = (line.application_action_id, a.year_number);
        if latest.get(&key).is_none_or(|(id, _)| a.id > *id) {
            latest.insert(key, (a.id, effective(&line)));
        }
    }
    Ok(latest
        .into_iter()
        .map(|(k, (_, cents))| (k, cents))
        .collect())
}

/// What the allocation page shows about one line's action and dossier.
#[derive(Debug, Clone)]
pub struct LineContext {
    pub action: application_action::Model,
    pub application: application::Model,
    pub lead_name: String,
}

/// For each line, its action, dossier and lead name (lines whose action vanished are skipped).
pub async fn line_context<C: ConnectionTrait>(
    db: &C,
    lines: &[allocation_line::Model],
) -> Result<HashMap<i64, LineContext>, DbErr> {
    let action_ids: Vec<i64> = lines.iter().map(|l| l.application_action_id).collect();
    let actions = application_action::Entity::find()
        .filter(application_action::Column::Id.is_in(action_ids))
        .all(db)
        .await?;
    let mut by_app: HashMap<i64, (application::Model, String)> = HashMap::new();
    for action in &actions {
        if by_app.contains_key(&action.application_id) {
            continue;
        }
        if let Some(d) = applications::with_parties(db, action.application_id).await? {
            by_app.insert(action.application_id, (d.application, d.lead_name));
        }
    }
    Ok(actions
        .into_iter()
        .filter_map(|action| {
            let (application, lead_name) = by_app.get(&action.application_id)?.clone();
            Some((
                action.id,
                LineContext {
                    action,
                    application,
                    lead_name,
                },
            ))
        })
        .collect())
}

/// The calls, newest first: what the allocation page chooses from.
pub async fn calls<C: ConnectionTrait>(db: &C) -> Result<Vec<entity::call::Model>, DbErr> {
    entity::call::Entity::find()
        .order_by_desc(entity::call::Column::SubmissionOpensAt)
        .all(db)
        .await
}

/// Call `id`, if it exists.
pub async fn call<C: ConnectionTrait>(
    db: &C,
    id: i64,
) -> Result<Option<entity::call::Model>, DbErr> {
    entity::call::Entity::find_by_id(id).one(db).await
}

/// The project years of every call, in order.
pub async fn project_years<C: ConnectionTrait>(
    db: &C,
) -> Result<Vec<call_project_year::Model>, DbErr> {
    call_project_year::Entity::find()
        .order_by_asc(call_project_year::Column::YearNumber)
        .all(db)
        .await
}

/// Per call action: the catalog action's code and title.
pub async fn catalog<C: ConnectionTrait>(db: &C) -> Result<BTreeMap<i64, (String, String)>, DbErr> {
    Ok(entity::call_action::Entity::find()
        .find_also_related(entity::action::Entity)
        .all(db)
        .await?
        .into_iter()
        .filter_map(|(ca, a)| {
            a.map(|a| {
                let id = ca.id;
                let (_, a) = crate::store::rules::as_offered(ca, a);
                (id, (a.code, a.title))
            })
        })
        .collect())
}

/// The name of user `id` (empty when unknown).
pub async fn user_name<C: ConnectionTrait>(db: &C, id: Option<i64>) -> Result<String, DbErr> {
    let Some(id) = id else {
        return Ok(String::new());
    };
    Ok(entity::app_user::Entity::find_by_id(id)
        .one(db)
        .await?
        .map(|u| u.name)
        .unwrap_or_default())
}
