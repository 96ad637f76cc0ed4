//! Call administration in the database: reading a call with everything its form shows, creating
//! and updating a call from a checked [`CallSpec`] (project years and actions updated in place,
//! so allocations and dossiers keep pointing at them), the call operations, and the two
//! dossier-level operations (a late submission for one dossier, giving a dossier back to the
//! applicant). The rules are in `domain::call_draft` and `domain::workflow`; these functions only
//! store what was decided, with optimistic locking.

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    Set,
};

use entity::application::{self, ApplicationState};
use entity::call::{self, CallState};
use entity::{
    action, application_action, call_action, call_named_applicant, call_project_year, municipality,
    plan,
};

use crate::domain::call_draft::{CallActionSpec, CallSpec, CallStatus, ProjectYearSpec};
use crate::domain::recipients::News;
use crate::domain::{BasisPoints, Cents, NisCode, Ratio, Reach, ReferenceYear};
use crate::store::rules::nis;

/// A call with its rows, as the pages show it.
#[derive(Debug, Clone)]
pub struct CallRecord {
    pub call: call::Model,
    pub plan: plan::Model,
    pub years: Vec<call_project_year::Model>,
    pub named: Vec<call_named_applicant::Model>,
    pub actions: Vec<call_action::Model>,
}

/// Why a write did not happen.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// Someone else changed the row since it was read.
    #[error("conflict")]
    Conflict,
    /// A value the database knows is wrong (unknown NIS code, taken code, foreign action).
    #[error("{message}")]
    Field { field: String, message: String },
    #[error(transparent)]
    Db(#[from] DbErr),
}

pub fn status(state: CallState) -> CallStatus {
    match state {
        CallState::Draft => CallStatus::Draft,
        CallState::Open => CallStatus::Open,
        CallState::Closed => CallStatus::Closed,
    }
}

pub async fn plans<C: ConnectionTrait>(db: &C) -> Result<Vec<plan::Model>, DbErr> {
    plan::Entity::find()
        .order_by_asc(plan::Column::Code)
        .all(db)
        .await
}

/// The actions of a plan, in code order (`2.9` before `2.10`, `9` before `10`).
pub async fn catalog<C: ConnectionTrait>(
    db: &C,
    plan_id: i64,
) -> Result<Vec<action::Model>, DbErr> {
    let mut actions = action::Entity::find()
        .filter(action::Column::PlanId.eq(plan_id))
        .all(db)
        .await?;
    actions.sort_by_key(|a| crate::domain::ActionCode::parse(&a.code).ok());
    Ok(actions)
}

pub async fn record<C: ConnectionTrait>(db: &C, call_id: i64) -> Result<Option<CallRecord>, DbErr> {
    let Some(call) = call::Entity::find_by_id(call_id).one(db).await? else {
        return Ok(None);
    };
    let Some(plan) = plan::Entity::find_by_id(call.plan_id).one(db).await? else {
        return Ok(None);
    };
    let years = call_project_year::Entity::find()
        .filter(call_project_year::Column::CallId.eq(call.id))
        .order_by_asc(call_project_year::Column::YearNumber)
        .all(db)
        .await?;
    let named = call_named_applicant::Entity::find()
        .filter(call_named_applicant::Column::CallId.eq(call.id))
        .order_by_asc(call_named_applicant::Column::Id)
        .all(db)
        .await?;
    let actions = call_action::Entity::find()
        .filter(call_action::Column::CallId.eq(call.id))
        .all(db)
        .await?;
    Ok(Some(CallRecord {
        call,
        plan,
        years,
        named,
        actions,
    }))
}

fn invalid(what: &str) -> DbErr {
    DbErr::Custom(format!("invalid {what} in the database"))
}

/// The stored call as a [`CallSpec`], to compare an edit with (the database holds only values
/// that were checked when they were written).
pub fn spec_of(record: &CallRecord, catalog: &[action::Model]) -> Result<CallSpec, DbErr> {
    let c = &record.call;
    let bp = |v: i32| {
        u32::try_from(v)
            .ok()
            .and_then(BasisPoints::new)
            .ok_or_else(|| invalid("share"))
    };
    let cents = |v: i64| Cents::new(v).ok_or_else(|| invalid("amount"));
    Ok(CallSpec {
        code: c.code.clone(),
        title: c.title.clone(),
        plan_id: c.plan_id,
        period_start: c.period_start,
        period_end: c.period_end,
        submission_opens_at: c.submission_opens_at,
        submission_closes_at: c.submission_closes_at,
        reference_year: u16::try_from(c.reference_year)
            .ok()
            .and_then(ReferenceYear::new)
            .ok_or_else(|| invalid("reference year"))?,
        single_applicant_min_exclusive: u64::try_from(c.single_applicant_min_exclusive)
            .map_err(|_| invalid("threshold"))?,
        pooled_min_inclusive: u64::try_from(c.pooled_min_inclusive)
            .map_err(|_| invalid("threshold"))?,
        incentive_min_share: bp(c.incentive_min_share_bp)?,
        cofinancing: bp(c.cofinancing_bp)?,
        incentive_per_project_year: cents(c.incentive_cents_per_project_year)?,
        advance: bp(c.advance_bp)?,
        continuation_min: bp(c.continuation_min_bp)?,
        review_days: u16::try_from(c.review_days).map_err(|_| invalid("review days"))?,
        four_eyes_threshold: cents(c.four_eyes_threshold_cents)?,
        coverage_aim: match (c.coverage_aim_numerator, c.coverage_aim_denominator) {
            (Some(n), Some(d)) => Ratio::new(
                u64::try_from(n).map_err(|_| invalid("coverage aim"))?,
                u64::try_from(d).map_err(|_| invalid("coverage aim"))?,
            ),
            _ => None,
        },
        named_applicants: record
            .named
            .iter()
            .map(|n| nis(n.nis_code))
            .collect::<Result<_, _>>()?,
        notes: c.notes.clone(),
        parameters_source: c.parameters_source.clone(),
        project_years: record
            .years
            .iter()
            .map(|y| {
                Ok(ProjectYearSpec {
                    number: u16::try_from(y.year_number).map_err(|_| invalid("year"))?,
                    starts_on: y.starts_on,
                    ends_on: y.ends_on,
                    envelope: cents(y.envelope_cents)?,
                    interim_report_due: y.interim_report_due,
                    year_report_due: y.year_report_due,
                })
            })
            .collect::<Result<_, DbErr>>()?,
        // An action with several reach lines shows in the form by its first line; the form
        // keeps its lines as they are (see `save`).
        actions: record
            .actions
            .iter()
            .filter(|ca| ca.line_number <= 1)
            .map(|ca| {
                let a = catalog.iter().find(|a| a.id == ca.action_id);
                Ok(CallActionSpec {
                    action_id: ca.action_id,
                    code: a.map(|a| a.code.clone()).unwrap_or_default(),
                    title: a.map(|a| a.title.clone()).unwrap_or_default(),
                    unit_cost: cents(ca.unit_cost_cents)?,
                    max_reach: Reach::new(
                        u32::try_from(ca.max_reach).map_err(|_| invalid("max reach"))?,
                    ),
                    unit_label: ca.unit_label.clone(),
                })
            })
            .collect::<Result<_, DbErr>>()?,
    })
}

/// Whether any dossier of the call was ever submitted (its rules are then locked).
pub async fn has_submissions<C: ConnectionTrait>(db: &C, call_id: i64) -> Result<bool, DbErr> {
    Ok(application::Entity::find()
        .filter(application::Column::CallId.eq(call_id))
        .filter(application::Column::SubmittedAt.is_not_null())
        .one(db)
        .await?
        .is_some())
}

/// The catalog actions (ids of `action`) some dossier of the call chose, drafts included.
pub async fn used_action_ids<C: ConnectionTrait>(
    db: &C,
    call_id: i64,
) -> Result<BTreeSet<i64>, DbErr> {
    let call_actions: HashMap<i64, i64> = call_action::Entity::find()
        .filter(call_action::Column::CallId.eq(call_id))
        .all(db)
        .await?
        .into_iter()
        .map(|ca| (ca.id, ca.action_id))
        .collect();
    let used = application_action::Entity::find()
        .filter(application_action::Column::CallActionId.is_in(call_actions.keys().copied()))
        .all(db)
        .await?;
    Ok(used
        .iter()
        .filter_map(|u| call_actions.get(&u.call_action_id).copied())
        .collect())
}

/// The name of each named applicant, from the municipalities table (newest row per NIS code).
/// An unknown NIS code is a field error.
pub async fn named_applicant_names<C: ConnectionTrait>(
    db: &C,
    codes: &[NisCode],
) -> Result<Vec<(NisCode, String)>, WriteError> {
    let wanted: Vec<i32> = codes
        .iter()
        .filter_map(|c| i32::try_from(c.get()).ok())
        .collect();
    let rows = municipality::Entity::find()
        .filter(municipality::Column::NisCode.is_in(wanted))
        .order_by_desc(municipality::Column::ValidFrom)
        .all(db)
        .await?;
    let mut out = Vec::new();
    for code in codes {
        let Some(m) = rows
            .iter()
            .find(|m| u32::try_from(m.nis_code).ok() == Some(code.get()))
        else {
            return Err(WriteError::Field {
                field: "named_applicants".into(),
                message: format!("Er is geen gemeente met NIS-code {code}."),
            });
        };
        out.push((*code, m.name.clone()));
    }
    Ok(out)
}

async fn check_code_and_actions<C: ConnectionTrait>(
    db: &C,
    spec: &CallSpec,
    except: Option<i64>,
) -> Result<(), WriteError> {
    let mut taken = call::Entity::find().filter(call::Column::Code.eq(spec.code.as_str()));
    if let Some(id) = except {
        taken = taken.filter(call::Column::Id.ne(id));
    }
    if taken.one(db).await?.is_some() {
        return Err(WriteError::Field {
            field: "code".into(),
            message: format!("Er is al een oproep met code {}.", spec.code),
        });
    }
    let ids: Vec<i64> = spec.actions.iter().map(|a| a.action_id).collect();
    let found = action::Entity::find()
        .filter(action::Column::Id.is_in(ids.clone()))
        .filter(action::Column::PlanId.eq(spec.plan_id))
        .all(db)
        .await?;
    if found.len() != ids.len() {
        return Err(WriteError::Field {
            field: "actions".into(),
            message: "Kies enkel acties uit de catalogus van het gekozen beleidsplan.".into(),
        });
    }
    Ok(())
}

fn bp(value: BasisPoints) -> i32 {
    i32::try_from(value.get()).unwrap_or(i32::MAX)
}

fn count(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

fn aim(spec: &CallSpec) -> (Option<i32>, Option<i32>) {
    match spec.coverage_aim {
        Some(r) => (
            i32::try_from(r.numerator()).ok(),
            i32::try_from(r.denominator()).ok(),
        ),
        None => (None, None),
    }
}

/// Creates a call (state draft) with its project years, named applicants and actions.
pub async fn create<C: ConnectionTrait>(
    db: &C,
    spec: &CallSpec,
    fictitious: bool,
    now: DateTime<Utc>,
) -> Result<call::Model, WriteError> {
    check_code_and_actions(db, spec, None).await?;
    let names = named_applicant_names(db, &spec.named_applicants).await?;
    let (aim_n, aim_d) = aim(spec);
    let inserted = call::ActiveModel {
        code: Set(spec.code.clone()),
        title: Set(spec.title.clone()),
        plan_id: Set(spec.plan_id),
        state: Set(CallState::Draft),
        period_start: Set(spec.period_start),
        period_end: Set(spec.period_end),
        submission_opens_at: Set(spec.submission_opens_at),
        submission_closes_at: Set(spec.submission_closes_at),
        reference_year: Set(i32::from(spec.reference_year.get())),
        single_applicant_min_exclusive: Set(count(spec.single_applicant_min_exclusive)),
        pooled_min_inclusive: Set(count(spec.pooled_min_inclusive)),
        incentive_min_share_bp: Set(bp(spec.incentive_min_share)),
        cofinancing_bp: Set(bp(spec.cofinancing)),
        incentive_cents_per_project_year: Set(spec.incentive_per_project_year.get()),
        advance_bp: Set(bp(spec.advance)),
        continuation_min_bp: Set(bp(spec.continuation_min)),
        review_days: Set(i32::from(spec.review_days)),
        four_eyes_threshold_cents: Set(spec.four_eyes_threshold.get()),
        coverage_aim_numerator: Set(aim_n),
        coverage_aim_denominator: Set(aim_d),
        notes: Set(spec.notes.clone()),
        parameters_source: Set(spec.parameters_source.clone()),
        parameters_fictitious: Set(fictitious),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
        ..Default::default()
    }
    .insert(db)
    .await?;
    write_children(db, inserted.id, spec, &names).await?;
    Ok(inserted)
}

/// Updates a call read at `version`; `Conflict` when someone changed it meanwhile.
pub async fn update<C: ConnectionTrait>(
    db: &C,
    call_id: i64,
    version: i32,
    spec: &CallSpec,
    fictitious: bool,
    now: DateTime<Utc>,
) -> Result<(), WriteError> {
    check_code_and_actions(db, spec, Some(call_id)).await?;
    let names = named_applicant_names(db, &spec.named_applicants).await?;
    let (aim_n, aim_d) = aim(spec);
    let result = call::Entity::update_many()
        .col_expr(call::Column::Code, Expr::value(spec.code.clone()))
        .col_expr(call::Column::Title, Expr::value(spec.title.clone()))
        .col_expr(call::Column::PeriodStart, Expr::value(spec.period_start))
        .col_expr(call::Column::PeriodEnd, Expr::value(spec.period_end))
        // An opening ABB changes is its own: no longer illustrative (the right-hand sides
        // read the row as it was).
        .col_expr(
            call::Column::SubmissionOpensIllustrative,
            Expr::case(
                Expr::col(call::Column::SubmissionOpensAt).eq(spec.submission_opens_at),
                Expr::col(call::Column::SubmissionOpensIllustrative),
            )
            .finally(false)
            .into(),
        )
        .col_expr(
            call::Column::SubmissionOpensAt,
            Expr::value(spec.submission_opens_at),
        )
        .col_expr(
            call::Column::SubmissionClosesAt,
            Expr::value(spec.submission_closes_at),
        )
        .col_expr(
            call::Column::ReferenceYear,
            Expr::value(i32::from(spec.reference_year.get())),
        )
        .col_expr(
            call::Column::SingleApplicantMinExclusive,
            Expr::value(count(spec.single_applicant_min_exclusive)),
        )
        .col_expr(
            call::Column::PooledMinInclusive,
            Expr::value(count(spec.pooled_min_inclusive)),
        )
        .col_expr(
            call::Column::IncentiveMinShareBp,
            Expr::value(bp(spec.incentive_min_share)),
        )
        .col_expr(
            call::Column::CofinancingBp,
            Expr::value(bp(spec.cofinancing)),
        )
        .col_expr(
            call::Column::IncentiveCentsPerProjectYear,
            Expr::value(spec.incentive_per_project_year.get()),
        )
        .col_expr(call::Column::AdvanceBp, Expr::value(bp(spec.advance)))
        .col_expr(
            call::Column::ContinuationMinBp,
            Expr::value(bp(spec.continuation_min)),
        )
        .col_expr(
            call::Column::ReviewDays,
            Expr::value(i32::from(spec.review_days)),
        )
        .col_expr(
            call::Column::FourEyesThresholdCents,
            Expr::value(spec.four_eyes_threshold.get()),
        )
        .col_expr(call::Column::CoverageAimNumerator, Expr::value(aim_n))
        .col_expr(call::Column::CoverageAimDenominator, Expr::value(aim_d))
        .col_expr(call::Column::Notes, Expr::value(spec.notes.clone()))
        .col_expr(
            call::Column::ParametersSource,
            Expr::value(spec.parameters_source.clone()),
        )
        .col_expr(call::Column::ParametersFictitious, Expr::value(fictitious))
        .col_expr(call::Column::UpdatedAt, Expr::value(now))
        .col_expr(
            call::Column::Version,
            Expr::col(call::Column::Version).add(1),
        )
        .filter(call::Column::Id.eq(call_id))
        .filter(call::Column::Version.eq(version))
        .exec(db)
        .await?;
    if result.rows_affected != 1 {
        return Err(WriteError::Conflict);
    }
    write_children(db, call_id, spec, &names).await?;
    Ok(())
}

/// Project years and actions are updated in place (allocations and dossiers refer to them),
/// new ones inserted, dropped ones deleted; named applicants are replaced.
async fn write_children<C: ConnectionTrait>(
    db: &C,
    call_id: i64,
    spec: &CallSpec,
    names: &[(NisCode, String)],
) -> Result<(), DbErr> {
    let years = call_project_year::Entity::find()
        .filter(call_project_year::Column::CallId.eq(call_id))
        .all(db)
        .await?;
    for y in &spec.project_years {
        let number = i32::from(y.number);
        match years.iter().find(|r| r.year_number == number) {
            Some(row) => {
                let mut active: call_project_year::ActiveModel = row.clone().into();
                active.starts_on = Set(y.starts_on);
                active.ends_on = Set(y.ends_on);
                active.envelope_cents = Set(y.envelope.get());
                active.interim_report_due = Set(y.interim_report_due);
                active.year_report_due = Set(y.year_report_due);
                // Dates ABB changes are its own: no longer illustrative.
                if row.interim_report_due != y.interim_report_due
                    || row.year_report_due != y.year_report_due
                {
                    active.report_dates_illustrative = Set(false);
                }
                active.version = Set(row.version + 1);
                active.update(db).await?;
            }
            None => {
                call_project_year::ActiveModel {
                    call_id: Set(call_id),
                    year_number: Set(number),
                    starts_on: Set(y.starts_on),
                    ends_on: Set(y.ends_on),
                    envelope_cents: Set(y.envelope.get()),
                    interim_report_due: Set(y.interim_report_due),
                    year_report_due: Set(y.year_report_due),
                    version: Set(1),
                    ..Default::default()
                }
                .insert(db)
                .await?;
            }
        }
    }
    let keep: Vec<i32> = spec
        .project_years
        .iter()
        .map(|y| i32::from(y.number))
        .collect();
    call_project_year::Entity::delete_many()
        .filter(call_project_year::Column::CallId.eq(call_id))
        .filter(call_project_year::Column::YearNumber.is_not_in(keep))
        .exec(db)
        .await?;

    let actions = call_action::Entity::find()
        .filter(call_action::Column::CallId.eq(call_id))
        .all(db)
        .await?;
    for a in &spec.actions {
        let lines = actions.iter().filter(|r| r.action_id == a.action_id);
        // An action with several reach lines (seeded from the call's form) keeps its lines: the
        // form edits an action's only line.
        if lines.clone().any(|r| r.line_number != 0) {
            continue;
        }
        match lines.clone().next() {
            Some(row) => {
                let mut active: call_action::ActiveModel = row.clone().into();
                active.unit_cost_cents = Set(a.unit_cost.get());
                active.max_reach = Set(i32::try_from(a.max_reach.get()).unwrap_or(i32::MAX));
                active.unit_label = Set(a.unit_label.clone());
                active.version = Set(row.version + 1);
                active.update(db).await?;
            }
            None => {
                call_action::ActiveModel {
                    call_id: Set(call_id),
                    action_id: Set(a.action_id),
                    unit_cost_cents: Set(a.unit_cost.get()),
                    max_reach: Set(i32::try_from(a.max_reach.get()).unwrap_or(i32::MAX)),
                    unit_label: Set(a.unit_label.clone()),
                    version: Set(1),
                    ..Default::default()
                }
                .insert(db)
                .await?;
            }
        }
    }
    let keep: Vec<i64> = spec.actions.iter().map(|a| a.action_id).collect();
    call_action::Entity::delete_many()
        .filter(call_action::Column::CallId.eq(call_id))
        .filter(call_action::Column::ActionId.is_not_in(keep))
        .exec(db)
        .await?;

    call_named_applicant::Entity::delete_many()
        .filter(call_named_applicant::Column::CallId.eq(call_id))
        .exec(db)
        .await?;
    for (code, name) in names {
        call_named_applicant::ActiveModel {
            call_id: Set(call_id),
            nis_code: Set(i32::try_from(code.get()).unwrap_or_default()),
            name: Set(name.clone()),
            version: Set(1),
            ..Default::default()
        }
        .insert(db)
        .await?;
    }
    Ok(())
}

/// Sets the call's state and/or deadline if it is still at `version`.
pub async fn set_state_and_deadline<C: ConnectionTrait>(
    db: &C,
    call_id: i64,
    version: i32,
    state: CallState,
    closes_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<(), WriteError> {
    let result = call::Entity::update_many()
        .col_expr(call::Column::State, Expr::value(state))
        .col_expr(call::Column::SubmissionClosesAt, Expr::value(closes_at))
        .col_expr(call::Column::UpdatedAt, Expr::value(now))
        .col_expr(
            call::Column::Version,
            Expr::col(call::Column::Version).add(1),
        )
        .filter(call::Column::Id.eq(call_id))
        .filter(call::Column::Version.eq(version))
        .exec(db)
        .await?;
    if result.rows_affected == 1 {
        Ok(())
    } else {
        Err(WriteError::Conflict)
    }
}

/// The dossiers of a call, newest reference last, with the lead's name.
pub async fn dossiers_of_call<C: ConnectionTrait>(
    db: &C,
    call_id: i64,
) -> Result<Vec<(application::Model, String)>, DbErr> {
    let apps = application::Entity::find()
        .filter(application::Column::CallId.eq(call_id))
        .order_by_asc(application::Column::Reference)
        .all(db)
        .await?;
    let ids: Vec<i64> = apps.iter().filter_map(|a| a.lead_municipality_id).collect();
    let leads = municipality::Entity::find()
        .filter(municipality::Column::Id.is_in(ids))
        .all(db)
        .await?;
    let partners = entity::partner_organisation::Entity::find().all(db).await?;
    Ok(apps
        .into_iter()
        .map(|a| {
            let name = a
                .lead_municipality_id
                .and_then(|id| leads.iter().find(|m| m.id == id).map(|m| m.name.clone()))
                .or_else(|| {
                    a.partner_organisation_id
                        .and_then(|id| partners.iter().find(|p| p.id == id).map(|p| p.name.clone()))
                })
                .unwrap_or_default();
            (a, name)
        })
        .collect())
}

/// Sets a dossier's own late deadline if it is still at `version`.
pub async fn set_late_submission<C: ConnectionTrait>(
    db: &C,
    application_id: i64,
    version: i32,
    until: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<(), WriteError> {
    let result = application::Entity::update_many()
        .col_expr(
            application::Column::LateSubmissionUntil,
            Expr::value(Some(until)),
        )
        .col_expr(application::Column::UpdatedAt, Expr::value(now))
        .col_expr(
            application::Column::Version,
            Expr::col(application::Column::Version).add(1),
        )
        .filter(application::Column::Id.eq(application_id))
        .filter(application::Column::Version.eq(version))
        .exec(db)
        .await?;
    if result.rows_affected == 1 {
        Ok(())
    } else {
        Err(WriteError::Conflict)
    }
}

/// Moves a dossier from `from` to `to` if nobody changed its state meanwhile.
pub async fn move_dossier<C: ConnectionTrait>(
    db: &C,
    application_id: i64,
    from: ApplicationState,
    to: ApplicationState,
    now: DateTime<Utc>,
) -> Result<(), WriteError> {
    let result = application::Entity::update_many()
        .col_expr(application::Column::State, Expr::value(to))
        .col_expr(application::Column::UpdatedAt, Expr::value(now))
        .col_expr(
            application::Column::Version,
            Expr::col(application::Column::Version).add(1),
        )
        .filter(application::Column::Id.eq(application_id))
        .filter(application::Column::State.eq(from))
        .exec(db)
        .await?;
    if result.rows_affected == 1 {
        Ok(())
    } else {
        Err(WriteError::Conflict)
    }
}

/// The addresses of everyone with a dossier in the call (for news about the call itself).
pub async fn call_recipients<C: ConnectionTrait>(
    db: &C,
    call_id: i64,
) -> Result<Vec<String>, DbErr> {
    let mut to = Vec::new();
    for app in application::Entity::find()
        .filter(application::Column::CallId.eq(call_id))
        .all(db)
        .await?
    {
        for address in crate::store::recipients::addresses(db, &app, News::CallChanged).await? {
            if !to.contains(&address) {
                to.push(address);
            }
        }
    }
    Ok(to)
}

/// Dossier `application_id` if it belongs to call `call_id`.
pub async fn dossier_of_call<C: ConnectionTrait>(
    db: &C,
    call_id: i64,
    application_id: i64,
) -> Result<Option<application::Model>, DbErr> {
    application::Entity::find_by_id(application_id)
        .filter(application::Column::CallId.eq(call_id))
        .one(db)
        .await
}

/// Opens every part of a dossier given back to its applicant again, as a change request by
/// `requested_by` with `message` (the reason) as ABB's message.
pub async fn reopen_every_part<C: ConnectionTrait>(
    db: &C,
    application_id: i64,
    requested_by: i64,
    message: &str,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    entity::change_request::ActiveModel {
        application_id: Set(application_id),
        requested_by: Set(requested_by),
        sections: Set(crate::store::change_requests::stored(
            &crate::domain::parts::Part::ALL,
        )),
        message: Set(message.to_owned()),
        requested_at: Set(now),
        resolved_at: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}

/// Sets the envelope of project year `year` of call `call_id` to `cents` (a confirmed envelope
/// change) and raises the versions of the year and the call, so a form read before is stale.
pub async fn set_envelope<C: ConnectionTrait>(
    db: &C,
    call_id: i64,
    year: i32,
    cents: i64,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), DbErr> {
    call_project_year::Entity::update_many()
        .col_expr(call_project_year::Column::EnvelopeCents, Expr::value(cents))
        .col_expr(
            call_project_year::Column::Version,
            Expr::col(call_project_year::Column::Version).add(1),
        )
        .filter(call_project_year::Column::CallId.eq(call_id))
        .filter(call_project_year::Column::YearNumber.eq(year))
        .exec(db)
        .await?;
    call::Entity::update_many()
        .col_expr(call::Column::UpdatedAt, Expr::value(now))
        .col_expr(
            call::Column::Version,
            Expr::col(call::Column::Version).add(1),
        )
        .filter(call::Column::Id.eq(call_id))
        .exec(db)
        .await?;
    Ok(())
}

/// Sets the submission window of project year `year_row`'s round if the row is still at its
/// version (yearly rounds).
pub async fn set_round_window<C: ConnectionTrait>(
    db: &C,
    year_row: &call_project_year::Model,
    opens: DateTime<Utc>,
    closes: DateTime<Utc>,
) -> Result<(), WriteError> {
    let result = call_project_year::Entity::update_many()
        .col_expr(
            call_project_year::Column::SubmissionOpensAt,
            Expr::value(Some(opens)),
        )
        .col_expr(
            call_project_year::Column::SubmissionClosesAt,
            Expr::value(Some(closes)),
        )
        .col_expr(
            call_project_year::Column::Version,
            Expr::value(year_row.version + 1),
        )
        .filter(call_project_year::Column::Id.eq(year_row.id))
        .filter(call_project_year::Column::Version.eq(year_row.version))
        .exec(db)
        .await?;
    if result.rows_affected == 1 {
        Ok(())
    } else {
        Err(WriteError::Conflict)
    }
}

/// Sets the amount per unit of reach line `line_id` from project year `year` on (replacing an
/// earlier change for that year).
pub async fn set_unit_amount<C: ConnectionTrait>(
    db: &C,
    line_id: i64,
    year: i32,
    unit_cost_cents: i64,
    source: &str,
) -> Result<(), DbErr> {
    use entity::call_action_amount;
    let existing = call_action_amount::Entity::find()
        .filter(call_action_amount::Column::CallActionId.eq(line_id))
        .filter(call_action_amount::Column::YearNumber.eq(year))
        .one(db)
        .await?;
    match existing {
        Some(row) => {
            let version = row.version;
            let mut active: call_action_amount::ActiveModel = row.into();
            active.unit_cost_cents = Set(unit_cost_cents);
            active.source = Set(Some(source.to_owned()));
            active.version = Set(version + 1);
            active.update(db).await?;
        }
        None => {
            call_action_amount::ActiveModel {
                call_action_id: Set(line_id),
                year_number: Set(year),
                unit_cost_cents: Set(unit_cost_cents),
                source: Set(Some(source.to_owned())),
                version: Set(1),
                ..Default::default()
            }
            .insert(db)
            .await?;
        }
    }
    Ok(())
}
