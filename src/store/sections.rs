//! Writing the sections of a dossier the applicant fills in: general information, actions with
//! reach and money, KPIs, declarations. The HTML pages and the JSON API both call these, inside a
//! write transaction they open ([`crate::db::begin_write`]) and commit; each change is audited in
//! that transaction. An update of a row whose `version` moved on changes nothing and answers
//! `Ok(false)`: the caller rolls back and reports the conflict. `now` (the caller's clock) is
//! the moment of the change (`application.updated_at`).

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, Set,
};

use entity::{application, application_action, call_action, kpi};

use crate::audit;
use crate::domain::fields::{ActionFields, General, KpiFields};
use crate::store::drafts::{ChosenAction, DossierContent};

pub use crate::audit::By;

/// Bumps `application.updated_at` so lists show recent activity.
pub async fn touch<C: ConnectionTrait>(
    db: &C,
    application_id: i64,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    application::Entity::update_many()
        .col_expr(application::Column::UpdatedAt, Expr::value(now))
        .filter(application::Column::Id.eq(application_id))
        .exec(db)
        .await?;
    Ok(())
}

/// Moves the dossier's `version` from `version` to `version + 1`; `false` when it had moved on.
pub async fn bump_version<C: ConnectionTrait>(
    db: &C,
    application_id: i64,
    version: i32,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    Ok(application::Entity::update_many()
        .col_expr(application::Column::Version, Expr::value(version + 1))
        .col_expr(application::Column::UpdatedAt, Expr::value(now))
        .filter(application::Column::Id.eq(application_id))
        .filter(application::Column::Version.eq(version))
        .exec(db)
        .await?
        .rows_affected
        == 1)
}

/// Saves the general information if the dossier is still at `version`.
/// When the first project year changes, each chosen line's requested grant follows that year's
/// amount per unit (yearly rounds: amounts may differ per project year).
pub async fn save_general<C: ConnectionTrait>(
    db: &C,
    content: &DossierContent,
    general: &General,
    version: i32,
    by: &By,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let app = &content.dossier.application;
    let updated = application::Entity::update_many()
        .col_expr(application::Column::Version, Expr::value(version + 1))
        .col_expr(
            application::Column::Title,
            Expr::value(general.title.clone()),
        )
        .col_expr(
            application::Column::Summary,
            Expr::value(Some(general.summary.clone())),
        )
        .col_expr(
            application::Column::ContactName,
            Expr::value(Some(general.contact_name.clone())),
        )
        .col_expr(
            application::Column::ContactEmail,
            Expr::value(Some(general.contact_email.clone())),
        )
        .col_expr(
            application::Column::ContactPhone,
            Expr::value(Some(general.contact_phone.clone()).filter(|p| !p.is_empty())),
        )
        .col_expr(
            application::Column::FirstProjectYear,
            Expr::value(general.first_project_year),
        )
        .col_expr(
            application::Column::LastProjectYear,
            Expr::value(general.last_project_year),
        )
        .col_expr(application::Column::UpdatedAt, Expr::value(now))
        .filter(application::Column::Id.eq(app.id))
        .filter(application::Column::Version.eq(version))
        .exec(db)
        .await?;
    if updated.rows_affected != 1 {
        return Ok(false);
    }
    if general.first_project_year != app.first_project_year {
        for chosen in &content.actions {
            let grant = content.call.requested_in(
                &chosen.call_action,
                chosen.row.planned_reach,
                general.first_project_year,
            );
            if grant != chosen.row.grant_cents {
                application_action::Entity::update_many()
                    .col_expr(application_action::Column::GrantCents, Expr::value(grant))
                    .filter(application_action::Column::Id.eq(chosen.row.id))
                    .exec(db)
                    .await?;
            }
        }
    }
    audit::record(
        db,
        by.on_dossier("application.general_saved", app.id)
            .before(serde_json::json!({"title": app.title, "summary": app.summary, "contact_name": app.contact_name, "contact_email": app.contact_email, "first_project_year": app.first_project_year, "last_project_year": app.last_project_year}))
            .after(serde_json::json!({"title": general.title, "summary": general.summary, "contact_name": general.contact_name, "contact_email": general.contact_email, "first_project_year": general.first_project_year, "last_project_year": general.last_project_year})),
    )
    .await?;
    Ok(true)
}

/// What adding an action to a dossier came to.
#[derive(Debug, Clone)]
pub enum AddedAction {
    /// The new row (with its reach KPI) and the action's code.
    Added(application_action::Model, String),
    /// The action is not one of the call's.
    NotInCall,
    /// The dossier already has this action (code given).
    AlreadyChosen(String),
}

/// Adds one of the call's actions (by `call_action_id`) with a reach KPI, last in priority.
/// A concurrent add of the same action is refused by the database: the caller sees the unique
/// violation as an error and reports it.
pub async fn add_action<C: ConnectionTrait>(
    db: &C,
    content: &DossierContent,
    call_action_id: i64,
    by: &By,
    now: DateTime<Utc>,
) -> Result<AddedAction, DbErr> {
    let Some((call_action, action)) = content
        .call
        .actions
        .iter()
        .find(|(ca, _)| ca.id == call_action_id)
        .cloned()
    else {
        return Ok(AddedAction::NotInCall);
    };
    if content
        .actions
        .iter()
        .any(|a| a.call_action.id == call_action.id)
    {
        return Ok(AddedAction::AlreadyChosen(action.code));
    }
    let app_id = content.dossier.application.id;
    let rank = content
        .actions
        .iter()
        .map(|a| a.row.priority_rank)
        .max()
        .unwrap_or(0)
        + 1;
    let grant = requested_grant(content, &call_action, 1);
    let inserted = insert_action(db, app_id, &call_action, rank, grant).await?;
    kpi::ActiveModel {
        application_action_id: Set(inserted.id),
        is_reach_kpi: Set(true),
        indicator: Set(format!("Bereik: aantal {}", plural(&call_action))),
        unit: Set(plural(&call_action).to_owned()),
        baseline: Set(0),
        target: Set(1000),
        target_date: Set(content.default_target_date()),
        measurement: Set("Telling door de gemeente, gestaafd met deelnemerslijsten.".into()),
        version: Set(1),
        ..Default::default()
    }
    .insert(db)
    .await?;
    touch(db, app_id, now).await?;
    audit::record(
        db,
        by.on_dossier("application.action_added", app_id)
            .after(serde_json::json!({"action": action.code, "priority_rank": rank})),
    )
    .await?;
    Ok(AddedAction::Added(inserted, action.code))
}

/// A line's unit in the plural, as the reach KPI names it ("aantal pleinmakers").
pub fn plural(line: &call_action::Model) -> &str {
    line.unit_label_plural
        .as_deref()
        .unwrap_or(&line.unit_label)
}

async fn insert_action<C: ConnectionTrait>(
    db: &C,
    application_id: i64,
    call_action: &call_action::Model,
    rank: i32,
    grant_cents: i64,
) -> Result<application_action::Model, DbErr> {
    application_action::ActiveModel {
        application_id: Set(application_id),
        call_action_id: Set(call_action.id),
        priority_rank: Set(rank),
        baseline_reach: Set(0),
        planned_reach: Set(1),
        grant_cents: Set(grant_cents),
        own_contribution_cents: Set(0),
        description: Set(String::new()),
        partners: Set(None),
        version: Set(1),
        ..Default::default()
    }
    .insert(db)
    .await
}

/// Saves a chosen action's reach, money and description if its row is still at `version`;
/// the grant follows from the rules (reach × unit cost, capped) and the reach KPI follows the
/// reach.
pub async fn save_action<C: ConnectionTrait>(
    db: &C,
    content: &DossierContent,
    chosen: &ChosenAction,
    fields: &ActionFields,
    version: i32,
    by: &By,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let planned = fields.planned_reach.get();
    let baseline = fields.baseline_reach.get();
    let grant = requested_grant(content, &chosen.call_action, planned);
    let to_i32 = |v: u32| i32::try_from(v).unwrap_or(i32::MAX);
    let updated = application_action::Entity::update_many()
        .col_expr(
            application_action::Column::PriorityRank,
            Expr::value(to_i32(fields.priority)),
        )
        .col_expr(
            application_action::Column::BaselineReach,
            Expr::value(to_i32(baseline)),
        )
        .col_expr(
            application_action::Column::PlannedReach,
            Expr::value(to_i32(planned)),
        )
        .col_expr(
            application_action::Column::OwnContributionCents,
            Expr::value(fields.own_contribution.get()),
        )
        .col_expr(
            application_action::Column::OwnStaffCents,
            Expr::value(fields.own_staff.get()),
        )
        .col_expr(application_action::Column::GrantCents, Expr::value(grant))
        .col_expr(
            application_action::Column::Description,
            Expr::value(fields.description.clone()),
        )
        .col_expr(
            application_action::Column::Partners,
            Expr::value(Some(fields.partners.clone()).filter(|p| !p.is_empty())),
        )
        .col_expr(
            application_action::Column::Version,
            Expr::value(version + 1),
        )
        .filter(application_action::Column::Id.eq(chosen.row.id))
        .filter(application_action::Column::Version.eq(version))
        .exec(db)
        .await?;
    if updated.rows_affected != 1 {
        return Ok(false);
    }
    kpi::Entity::update_many()
        .col_expr(
            kpi::Column::Baseline,
            Expr::value(i64::from(baseline) * 1000),
        )
        .col_expr(
            kpi::Column::Target,
            Expr::value((i64::from(baseline) + i64::from(planned)) * 1000),
        )
        .col_expr(kpi::Column::Version, Expr::col(kpi::Column::Version).add(1))
        .filter(kpi::Column::ApplicationActionId.eq(chosen.row.id))
        .filter(kpi::Column::IsReachKpi.eq(true))
        .exec(db)
        .await?;
    let app_id = content.dossier.application.id;
    touch(db, app_id, now).await?;
    audit::record(
        db,
        by.on_dossier("application.action_saved", app_id)
            .before(serde_json::json!({"action": chosen.action.code, "priority_rank": chosen.row.priority_rank, "baseline_reach": chosen.row.baseline_reach, "planned_reach": chosen.row.planned_reach, "own_contribution_cents": chosen.row.own_contribution_cents, "own_staff_cents": chosen.row.own_staff_cents}))
            .after(serde_json::json!({"action": chosen.action.code, "priority_rank": fields.priority, "baseline_reach": baseline, "planned_reach": planned, "own_contribution_cents": fields.own_contribution.get(), "own_staff_cents": fields.own_staff.get()})),
    )
    .await?;
    Ok(true)
}

/// Removes a chosen action with its KPIs.
pub async fn delete_action<C: ConnectionTrait>(
    db: &C,
    content: &DossierContent,
    chosen: &ChosenAction,
    by: &By,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    application_action::Entity::delete_by_id(chosen.row.id)
        .exec(db)
        .await?;
    let app_id = content.dossier.application.id;
    touch(db, app_id, now).await?;
    audit::record(
        db,
        by.on_dossier("application.action_removed", app_id)
            .before(serde_json::json!({"action": chosen.action.code, "priority_rank": chosen.row.priority_rank, "planned_reach": chosen.row.planned_reach, "own_contribution_cents": chosen.row.own_contribution_cents, "description": chosen.row.description})),
    )
    .await?;
    Ok(())
}

/// Adds a KPI (not the reach KPI) to a chosen action.
pub async fn add_kpi<C: ConnectionTrait>(
    db: &C,
    content: &DossierContent,
    chosen: &ChosenAction,
    fields: &KpiFields,
    by: &By,
    now: DateTime<Utc>,
) -> Result<kpi::Model, DbErr> {
    let row = kpi::ActiveModel {
        application_action_id: Set(chosen.row.id),
        is_reach_kpi: Set(false),
        indicator: Set(fields.indicator.clone()),
        unit: Set(fields.unit.clone()),
        baseline: Set(fields.baseline),
        target: Set(fields.target),
        target_date: Set(fields.target_date),
        measurement: Set(fields.measurement.clone()),
        direction: Set(fields.direction.code().to_owned()),
        version: Set(1),
        ..Default::default()
    }
    .insert(db)
    .await?;
    let app_id = content.dossier.application.id;
    touch(db, app_id, now).await?;
    audit::record(
        db,
        by.on_dossier("application.kpi_added", app_id).after(
            serde_json::json!({"action": chosen.action.code, "indicator": fields.indicator}),
        ),
    )
    .await?;
    Ok(row)
}

/// Saves a KPI if its row is still at `version`. The reach KPI keeps its indicator, unit and
/// numbers (they follow the action); only its date and measurement change.
pub async fn save_kpi<C: ConnectionTrait>(
    db: &C,
    content: &DossierContent,
    row: &kpi::Model,
    fields: &KpiFields,
    version: i32,
    by: &By,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let mut update = kpi::Entity::update_many()
        .col_expr(kpi::Column::TargetDate, Expr::value(fields.target_date))
        .col_expr(
            kpi::Column::Measurement,
            Expr::value(fields.measurement.clone()),
        )
        .col_expr(kpi::Column::Version, Expr::value(version + 1))
        .filter(kpi::Column::Id.eq(row.id))
        .filter(kpi::Column::Version.eq(version));
    if !row.is_reach_kpi {
        update = update
            .col_expr(
                kpi::Column::Indicator,
                Expr::value(fields.indicator.clone()),
            )
            .col_expr(kpi::Column::Unit, Expr::value(fields.unit.clone()))
            .col_expr(kpi::Column::Baseline, Expr::value(fields.baseline))
            .col_expr(kpi::Column::Target, Expr::value(fields.target))
            .col_expr(
                kpi::Column::Direction,
                Expr::value(fields.direction.code().to_owned()),
            );
    }
    if update.exec(db).await?.rows_affected != 1 {
        return Ok(false);
    }
    let app_id = content.dossier.application.id;
    touch(db, app_id, now).await?;
    audit::record(
        db,
        by.on_dossier("application.kpi_saved", app_id)
            .before(serde_json::json!({"kpi": row.id, "indicator": row.indicator, "baseline": row.baseline, "target": row.target, "target_date": row.target_date}))
            .after(serde_json::json!({"kpi": row.id, "indicator": fields.indicator, "baseline": fields.baseline, "target": fields.target, "target_date": fields.target_date})),
    )
    .await?;
    Ok(true)
}

/// Removes a KPI. The reach KPI belongs to its action: `Ok(false)` and nothing removed.
pub async fn delete_kpi<C: ConnectionTrait>(
    db: &C,
    content: &DossierContent,
    row: &kpi::Model,
    by: &By,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    if row.is_reach_kpi {
        return Ok(false);
    }
    kpi::Entity::delete_by_id(row.id).exec(db).await?;
    let app_id = content.dossier.application.id;
    touch(db, app_id, now).await?;
    audit::record(
        db,
        by.on_dossier("application.kpi_removed", app_id)
            .before(serde_json::json!({"kpi": row.id, "indicator": row.indicator})),
    )
    .await?;
    Ok(true)
}

/// Records that the declarations were accepted, if the dossier is still at `version`.
pub async fn accept_declarations<C: ConnectionTrait>(
    db: &C,
    app: &application::Model,
    version: i32,
    by: &By,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let updated = application::Entity::update_many()
        .col_expr(
            application::Column::DeclarationsAcceptedAt,
            Expr::value(Some(now)),
        )
        .col_expr(application::Column::UpdatedAt, Expr::value(now))
        .col_expr(application::Column::Version, Expr::value(version + 1))
        .filter(application::Column::Id.eq(app.id))
        .filter(application::Column::Version.eq(version))
        .exec(db)
        .await?;
    if updated.rows_affected != 1 {
        return Ok(false);
    }
    audit::record(
        db,
        by.on_dossier("application.declarations_accepted", app.id),
    )
    .await?;
    Ok(true)
}

/// What saving the dossier's table of reach lines changes on one line (issue 21).
#[derive(Debug, Clone)]
pub enum LineChange<'a> {
    /// A line the dossier did not take yet, now with a planned reach.
    Add {
        line: &'a call_action::Model,
        code: String,
        entry: crate::domain::reach::LineEntry,
    },
    /// A taken line whose baseline, planned reach or priority changed.
    Update {
        chosen: &'a ChosenAction,
        entry: crate::domain::reach::LineEntry,
    },
    /// A taken line whose planned reach was emptied (only without a description or extra KPIs).
    Remove { chosen: &'a ChosenAction },
}

/// The requested grant of a line in the dossier's first project year: planned reach (capped at
/// the line's maximum) × the line's amount per unit in that year (later years follow their own
/// amount: [`crate::store::rules::CallContext::requested_in`]).
pub fn requested_grant(content: &DossierContent, line: &call_action::Model, planned: u32) -> i64 {
    content.call.requested_in(
        line,
        i32::try_from(planned).unwrap_or(i32::MAX),
        content.dossier.application.first_project_year,
    )
}

/// Saves the table's changes; `Ok(false)` when a taken line's row moved on since the form was
/// read (the caller rolls back). New lines get their reach KPI; every line's reach KPI follows
/// its baseline and baseline + planned reach.
pub async fn save_table<C: ConnectionTrait>(
    db: &C,
    content: &DossierContent,
    changes: &[LineChange<'_>],
    by: &By,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let to_i32 = |v: u32| i32::try_from(v).unwrap_or(i32::MAX);
    let app_id = content.dossier.application.id;
    let mut before = Vec::new();
    let mut after = Vec::new();
    for change in changes {
        match change {
            LineChange::Add { line, code, entry } => {
                let row = application_action::ActiveModel {
                    application_id: Set(app_id),
                    call_action_id: Set(line.id),
                    priority_rank: Set(to_i32(entry.priority.unwrap_or(0))),
                    baseline_reach: Set(to_i32(entry.baseline.unwrap_or(0))),
                    planned_reach: Set(to_i32(entry.planned)),
                    grant_cents: Set(requested_grant(content, line, entry.planned)),
                    own_contribution_cents: Set(0),
                    own_staff_cents: Set(0),
                    description: Set(String::new()),
                    partners: Set(None),
                    version: Set(1),
                    ..Default::default()
                }
                .insert(db)
                .await?;
                let baseline = i64::from(entry.baseline.unwrap_or(0));
                kpi::ActiveModel {
                    application_action_id: Set(row.id),
                    is_reach_kpi: Set(true),
                    indicator: Set(format!("Bereik: aantal {}", plural(line))),
                    unit: Set(plural(line).to_owned()),
                    baseline: Set(baseline * 1000),
                    target: Set((baseline + i64::from(entry.planned)) * 1000),
                    target_date: Set(content.default_target_date()),
                    measurement: Set(
                        "Telling door de gemeente, gestaafd met deelnemerslijsten.".into()
                    ),
                    direction: Set("rising".into()),
                    version: Set(1),
                    ..Default::default()
                }
                .insert(db)
                .await?;
                after.push(serde_json::json!({"action": code, "baseline_reach": entry.baseline, "planned_reach": entry.planned, "priority_rank": entry.priority}));
            }
            LineChange::Update { chosen, entry } => {
                let baseline = entry.baseline.unwrap_or(0);
                let updated = application_action::Entity::update_many()
                    .col_expr(
                        application_action::Column::PriorityRank,
                        Expr::value(to_i32(entry.priority.unwrap_or(0))),
                    )
                    .col_expr(
                        application_action::Column::BaselineReach,
                        Expr::value(to_i32(baseline)),
                    )
                    .col_expr(
                        application_action::Column::PlannedReach,
                        Expr::value(to_i32(entry.planned)),
                    )
                    .col_expr(
                        application_action::Column::GrantCents,
                        Expr::value(requested_grant(content, &chosen.call_action, entry.planned)),
                    )
                    .col_expr(
                        application_action::Column::Version,
                        Expr::value(chosen.row.version + 1),
                    )
                    .filter(application_action::Column::Id.eq(chosen.row.id))
                    .filter(application_action::Column::Version.eq(chosen.row.version))
                    .exec(db)
                    .await?;
                if updated.rows_affected != 1 {
                    return Ok(false);
                }
                kpi::Entity::update_many()
                    .col_expr(
                        kpi::Column::Baseline,
                        Expr::value(i64::from(baseline) * 1000),
                    )
                    .col_expr(
                        kpi::Column::Target,
                        Expr::value((i64::from(baseline) + i64::from(entry.planned)) * 1000),
                    )
                    .col_expr(kpi::Column::Version, Expr::col(kpi::Column::Version).add(1))
                    .filter(kpi::Column::ApplicationActionId.eq(chosen.row.id))
                    .filter(kpi::Column::IsReachKpi.eq(true))
                    .exec(db)
                    .await?;
                before.push(serde_json::json!({"action": chosen.action.code, "baseline_reach": chosen.row.baseline_reach, "planned_reach": chosen.row.planned_reach, "priority_rank": chosen.row.priority_rank}));
                after.push(serde_json::json!({"action": chosen.action.code, "baseline_reach": entry.baseline, "planned_reach": entry.planned, "priority_rank": entry.priority}));
            }
            LineChange::Remove { chosen } => {
                let removed = application_action::Entity::delete_many()
                    .filter(application_action::Column::Id.eq(chosen.row.id))
                    .filter(application_action::Column::Version.eq(chosen.row.version))
                    .exec(db)
                    .await?;
                if removed.rows_affected != 1 {
                    return Ok(false);
                }
                before.push(serde_json::json!({"action": chosen.action.code, "baseline_reach": chosen.row.baseline_reach, "planned_reach": chosen.row.planned_reach, "priority_rank": chosen.row.priority_rank}));
            }
        }
    }
    if changes.is_empty() {
        return Ok(true);
    }
    touch(db, app_id, now).await?;
    audit::record(
        db,
        by.on_dossier("application.reach_lines_saved", app_id)
            .before(serde_json::Value::Array(before))
            .after(serde_json::Value::Array(after)),
    )
    .await?;
    Ok(true)
}
