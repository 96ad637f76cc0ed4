//! Writing a dossier's decision: the state change, the decision with its lines per action and
//! project year, and its lapse when ABB reopens it or gives the dossier back. The rules (bounds,
//! outcome, total) are the domain's ([`crate::domain::decision`]); the command that ties them
//! together is [`crate::app::review`].

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, Set,
};

use entity::application::{self, ApplicationState};
use entity::decision::{self, DecisionOutcome};
use entity::decision_line;

use crate::domain::decision::Outcome;

impl From<Outcome> for DecisionOutcome {
    fn from(outcome: Outcome) -> Self {
        match outcome {
            Outcome::Approved => Self::Approved,
            Outcome::PartlyApproved => Self::PartlyApproved,
            Outcome::Rejected => Self::Rejected,
        }
    }
}

impl From<DecisionOutcome> for Outcome {
    fn from(outcome: DecisionOutcome) -> Self {
        match outcome {
            DecisionOutcome::Approved => Self::Approved,
            DecisionOutcome::PartlyApproved => Self::PartlyApproved,
            DecisionOutcome::Rejected => Self::Rejected,
        }
    }
}

/// Moves dossier `app` from the state it was read in to `to` and raises its version; `false`
/// when its state changed meanwhile (nothing was written). A decided state stamps `decided_at`.
pub async fn move_state<C: ConnectionTrait>(
    db: &C,
    app: &application::Model,
    to: ApplicationState,
    decided: bool,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let mut update = application::Entity::update_many()
        .col_expr(application::Column::State, Expr::value(to))
        .col_expr(application::Column::UpdatedAt, Expr::value(now))
        .col_expr(
            application::Column::Version,
            Expr::col(application::Column::Version).add(1),
        )
        .filter(application::Column::Id.eq(app.id))
        .filter(application::Column::State.eq(app.state));
    if decided {
        update = update.col_expr(application::Column::DecidedAt, Expr::value(Some(now)));
    }
    Ok(update.exec(db).await?.rows_affected == 1)
}

/// A decision to record.
#[derive(Debug, Clone)]
pub struct NewDecision<'a> {
    pub application_id: i64,
    pub outcome: Outcome,
    pub motivation: &'a str,
    pub decided_by: i64,
    /// Who proposed the decision that `decided_by` confirmed (four eyes).
    pub proposed_by: Option<i64>,
    pub decided_at: DateTime<Utc>,
    pub total_granted_cents: i64,
    pub incentive_cents: i64,
    /// The incentive per project year when it differs between years
    /// ([`crate::domain::decision::incentive_by_year_text`]).
    pub incentive_by_year: Option<String>,
    /// `(application action, project year, granted per year)`.
    pub lines: Vec<(i64, i32, i64)>,
}

pub async fn insert<C: ConnectionTrait>(
    db: &C,
    new: NewDecision<'_>,
) -> Result<decision::Model, DbErr> {
    let saved = decision::ActiveModel {
        application_id: Set(new.application_id),
        outcome: Set(new.outcome.into()),
        motivation: Set(new.motivation.to_owned()),
        decided_by: Set(new.decided_by),
        proposed_by: Set(new.proposed_by),
        decided_at: Set(new.decided_at),
        total_granted_cents: Set(new.total_granted_cents),
        incentive_cents: Set(new.incentive_cents),
        incentive_by_year: Set(new.incentive_by_year),
        version: Set(1),
        ..Default::default()
    }
    .insert(db)
    .await?;
    for (action_id, year, granted) in new.lines {
        decision_line::ActiveModel {
            decision_id: Set(saved.id),
            application_action_id: Set(action_id),
            year_number: Set(year),
            granted_cents: Set(granted),
            ..Default::default()
        }
        .insert(db)
        .await?;
    }
    Ok(saved)
}

/// Marks the standing decision of a dossier as lapsed (reopened by ABB, or the dossier given
/// back to its applicant): who, when and why. Returns how many decisions lapsed (0 or 1).
pub async fn lapse<C: ConnectionTrait>(
    db: &C,
    application_id: i64,
    by: Option<i64>,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<u64, DbErr> {
    Ok(decision::Entity::update_many()
        .col_expr(decision::Column::ReopenedAt, Expr::value(Some(now)))
        .col_expr(decision::Column::ReopenedBy, Expr::value(by))
        .col_expr(
            decision::Column::ReopenReason,
            Expr::value(Some(reason.to_owned())),
        )
        .col_expr(
            decision::Column::Version,
            Expr::col(decision::Column::Version).add(1),
        )
        .filter(decision::Column::ApplicationId.eq(application_id))
        .filter(decision::Column::ReopenedAt.is_null())
        .exec(db)
        .await?
        .rows_affected)
}

/// The dossier's latest decision (standing or lapsed) with its lines, by project year and
/// action: what the decision letter shows.
pub async fn latest_with_lines<C: ConnectionTrait>(
    db: &C,
    application_id: i64,
) -> Result<Option<(decision::Model, Vec<decision_line::Model>)>, DbErr> {
    use sea_orm::QueryOrder;
    let Some(found) = decision::Entity::find()
        .filter(decision::Column::ApplicationId.eq(application_id))
        .order_by_desc(decision::Column::Id)
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    let lines = decision_line::Entity::find()
        .filter(decision_line::Column::DecisionId.eq(found.id))
        .order_by_asc(decision_line::Column::YearNumber)
        .order_by_asc(decision_line::Column::ApplicationActionId)
        .all(db)
        .await?;
    Ok(Some((found, lines)))
}
