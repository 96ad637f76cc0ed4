//! Proposals waiting for a second person (four eyes, issue 22): one row per proposal in
//! `four_eyes_proposal` (kind, subject, call, amount, the validated input as JSON, who proposed
//! when, then who settled it when and why). One table for every kind rather than columns on
//! each subject's table: the subject's own rows (decision, reclaim, call year) only change when
//! the proposal is confirmed, so a pending proposal never leaves a half-made decision behind.
//! Allocations are the exception: a proposed allocation is already a proposal, and only
//! records who last adjusted it (`allocation.adjusted_by`).

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    Set,
};

use entity::four_eyes_proposal::{self as proposal, ProposalKind, ProposalState};

/// A proposal to store.
#[derive(Debug, Clone)]
pub struct NewProposal {
    pub kind: ProposalKind,
    pub subject_id: i64,
    pub call_id: i64,
    pub amount_cents: i64,
    pub input: serde_json::Value,
    pub proposed_by: i64,
    pub proposed_at: DateTime<Utc>,
}

pub async fn insert<C: ConnectionTrait>(
    db: &C,
    new: NewProposal,
) -> Result<proposal::Model, DbErr> {
    proposal::ActiveModel {
        kind: Set(new.kind),
        subject_id: Set(new.subject_id),
        call_id: Set(new.call_id),
        amount_cents: Set(new.amount_cents),
        input: Set(new.input.to_string()),
        proposed_by: Set(new.proposed_by),
        proposed_at: Set(new.proposed_at),
        state: Set(ProposalState::Pending),
        version: Set(1),
        ..Default::default()
    }
    .insert(db)
    .await
}

/// The pending proposal of `kind` on `subject_id`, if one waits.
pub async fn pending<C: ConnectionTrait>(
    db: &C,
    kind: ProposalKind,
    subject_id: i64,
) -> Result<Option<proposal::Model>, DbErr> {
    proposal::Entity::find()
        .filter(proposal::Column::Kind.eq(kind))
        .filter(proposal::Column::SubjectId.eq(subject_id))
        .filter(proposal::Column::State.eq(ProposalState::Pending))
        .order_by_desc(proposal::Column::Id)
        .one(db)
        .await
}

/// The latest proposal of `kind` on `subject_id` that was sent back, if any.
pub async fn last_refused<C: ConnectionTrait>(
    db: &C,
    kind: ProposalKind,
    subject_id: i64,
) -> Result<Option<proposal::Model>, DbErr> {
    proposal::Entity::find()
        .filter(proposal::Column::Kind.eq(kind))
        .filter(proposal::Column::SubjectId.eq(subject_id))
        .order_by_desc(proposal::Column::Id)
        .one(db)
        .await
        .map(|p| p.filter(|p| p.state == ProposalState::Refused))
}

pub async fn find<C: ConnectionTrait>(db: &C, id: i64) -> Result<Option<proposal::Model>, DbErr> {
    proposal::Entity::find_by_id(id).one(db).await
}

/// Every pending proposal, oldest first.
pub async fn all_pending<C: ConnectionTrait>(db: &C) -> Result<Vec<proposal::Model>, DbErr> {
    proposal::Entity::find()
        .filter(proposal::Column::State.eq(ProposalState::Pending))
        .order_by_asc(proposal::Column::ProposedAt)
        .order_by_asc(proposal::Column::Id)
        .all(db)
        .await
}

/// How a proposal was settled.
#[derive(Debug, Clone)]
pub struct Settlement<'a> {
    pub state: ProposalState,
    pub by: i64,
    pub at: DateTime<Utc>,
    pub reason: Option<&'a str>,
}

/// Settles pending proposal `id` if it is still at `version`; `false` when it was settled or
/// changed meanwhile (nothing was written).
pub async fn settle<C: ConnectionTrait>(
    db: &C,
    id: i64,
    version: i32,
    settlement: Settlement<'_>,
) -> Result<bool, DbErr> {
    Ok(proposal::Entity::update_many()
        .col_expr(proposal::Column::State, Expr::value(settlement.state))
        .col_expr(
            proposal::Column::SettledBy,
            Expr::value(Some(settlement.by)),
        )
        .col_expr(
            proposal::Column::SettledAt,
            Expr::value(Some(settlement.at)),
        )
        .col_expr(
            proposal::Column::Reason,
            Expr::value(settlement.reason.map(str::to_owned)),
        )
        .col_expr(
            proposal::Column::Version,
            Expr::col(proposal::Column::Version).add(1),
        )
        .filter(proposal::Column::Id.eq(id))
        .filter(proposal::Column::Version.eq(version))
        .filter(proposal::Column::State.eq(ProposalState::Pending))
        .exec(db)
        .await?
        .rows_affected
        == 1)
}

/// A pending proposal as the list "Te bevestigen" shows it.
#[derive(Debug, Clone)]
pub struct PendingRow {
    pub proposal: proposal::Model,
    pub proposer: String,
    /// The dossier it is about (decisions and reclaims): its id and reference.
    pub dossier: Option<(i64, String)>,
    /// The year report a reclaim belongs to.
    pub report_id: Option<i64>,
    /// The call's title.
    pub call_title: String,
}

/// Every pending proposal, oldest first, with what the list names it by.
pub async fn pending_rows<C: ConnectionTrait>(db: &C) -> Result<Vec<PendingRow>, DbErr> {
    use entity::{app_user, application, call, reclaim};
    let mut rows = Vec::new();
    for p in all_pending(db).await? {
        let proposer = app_user::Entity::find_by_id(p.proposed_by)
            .one(db)
            .await?
            .map(|u| u.name)
            .unwrap_or_default();
        let call_title = call::Entity::find_by_id(p.call_id)
            .one(db)
            .await?
            .map(|c| c.title)
            .unwrap_or_default();
        let (application_id, report_id) = match p.kind {
            ProposalKind::Decision => (Some(p.subject_id), None),
            ProposalKind::Reclaim => match reclaim::Entity::find_by_id(p.subject_id).one(db).await?
            {
                Some(r) => (Some(r.application_id), Some(r.progress_report_id)),
                None => (None, None),
            },
            ProposalKind::Envelope => (None, None),
        };
        let dossier = match application_id {
            Some(id) => application::Entity::find_by_id(id)
                .one(db)
                .await?
                .map(|a| (a.id, a.reference)),
            None => None,
        };
        rows.push(PendingRow {
            proposal: p,
            proposer,
            dossier,
            report_id,
            call_title,
        });
    }
    Ok(rows)
}
