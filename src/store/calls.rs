//! Calls (oproepen) and their parameters.

use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder};

use entity::{call, call_action, call_project_year};

/// A call with what the overview pages show about it.
#[derive(Debug, Clone)]
pub struct CallSummary {
    pub call: call::Model,
    pub project_years: Vec<call_project_year::Model>,
    pub action_count: usize,
}

impl CallSummary {
    pub fn total_envelope_cents(&self) -> i64 {
        crate::domain::money::sum_cents(self.project_years.iter().map(|y| y.envelope_cents))
    }
}

pub async fn list_summaries<C: ConnectionTrait>(db: &C) -> Result<Vec<CallSummary>, DbErr> {
    let calls = call::Entity::find()
        .order_by_desc(call::Column::SubmissionOpensAt)
        .all(db)
        .await?;
    let ids: Vec<i64> = calls.iter().map(|c| c.id).collect();
    let years = call_project_year::Entity::find()
        .filter(call_project_year::Column::CallId.is_in(ids.clone()))
        .order_by_asc(call_project_year::Column::YearNumber)
        .all(db)
        .await?;
    let actions = call_action::Entity::find()
        .filter(call_action::Column::CallId.is_in(ids))
        .all(db)
        .await?;
    Ok(calls
        .into_iter()
        .map(|c| CallSummary {
            project_years: years
                .iter()
                .filter(|y| y.call_id == c.id)
                .cloned()
                .collect(),
            action_count: actions.iter().filter(|a| a.call_id == c.id).count(),
            call: c,
        })
        .collect())
}

/// The call a staff page shows when none is chosen: the open call that closes first, else the
/// most recently opened one (so a demo call in preparation does not push the running one aside).
/// A call as a page offers it for choice: what the chooser shows and what picks the default.
#[derive(Debug, Clone, PartialEq, Eq, sea_orm::FromQueryResult)]
pub struct CallChoice {
    pub id: i64,
    pub title: String,
    pub state: call::CallState,
    pub submission_opens_at: chrono::DateTime<chrono::Utc>,
    pub submission_closes_at: chrono::DateTime<chrono::Utc>,
    pub review_days: i32,
}

/// Every call for a chooser, the most recently opened first: only the columns a chooser needs.
pub async fn choices<C: ConnectionTrait>(db: &C) -> Result<Vec<CallChoice>, DbErr> {
    use sea_orm::{QueryOrder, QuerySelect};
    call::Entity::find()
        .select_only()
        .columns([
            call::Column::Id,
            call::Column::Title,
            call::Column::State,
            call::Column::SubmissionOpensAt,
            call::Column::SubmissionClosesAt,
            call::Column::ReviewDays,
        ])
        .order_by_desc(call::Column::SubmissionOpensAt)
        .order_by_desc(call::Column::Id)
        .into_model::<CallChoice>()
        .all(db)
        .await
}

/// [`default_call_id`] among the choices: the open call that closes first, else the most
/// recently opened one.
pub fn default_among(calls: &[CallChoice]) -> Option<i64> {
    let open = calls
        .iter()
        .filter(|c| c.state == call::CallState::Open)
        .min_by_key(|c| (c.submission_closes_at, c.id));
    open.or_else(|| calls.iter().max_by_key(|c| (c.submission_opens_at, c.id)))
        .map(|c| c.id)
}

pub async fn default_call_id<C: ConnectionTrait>(db: &C) -> Result<Option<i64>, DbErr> {
    if let Some(open) = super::municipalities::open_calls(db).await?.first() {
        return Ok(Some(open.id));
    }
    Ok(super::municipalities::latest_call(db).await?.map(|c| c.id))
}

/// Per project year of call `call_id`, what its standing decisions grant (the programme
/// dashboard's "toegekend": decision lines of that year plus the incentive of every year the
/// dossier runs), so an envelope is never cut below it.
pub async fn granted_by_year<C: ConnectionTrait>(
    db: &C,
    call_id: i64,
) -> Result<std::collections::BTreeMap<i32, i64>, DbErr> {
    Ok(crate::store::programme::programme(db, call_id)
        .await?
        .map(|p| p.years.iter().map(|y| (y.year, y.granted)).collect())
        .unwrap_or_default())
}
