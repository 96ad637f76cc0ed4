//! The payments ABB moves through their states: one payment, the change of its state (guarded
//! by its version), and what the payment list offers as filters. The list itself and its totals
//! are [`crate::store::followup::list_payments`] and [`crate::store::followup::payment_totals`].

use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder};

use entity::{call, call_project_year, payment};

use crate::domain::payments::{PaymentState, StepRecord};
use crate::store::followup::stored_payment_state;

pub async fn find<C: ConnectionTrait>(db: &C, id: i64) -> Result<Option<payment::Model>, DbErr> {
    payment::Entity::find_by_id(id).one(db).await
}

/// Moves payment `id` to `to` if its version is still `version`, with what the step records:
/// the approver (`by`), the payment day and the bank's reference, or the reason of a
/// cancellation; `false` when someone changed it meanwhile.
pub async fn move_state<C: ConnectionTrait>(
    db: &C,
    id: i64,
    version: i32,
    to: PaymentState,
    record: &StepRecord,
    by: Option<i64>,
) -> Result<bool, DbErr> {
    let mut update = payment::Entity::update_many()
        .col_expr(
            payment::Column::State,
            Expr::value(stored_payment_state(to)),
        )
        .col_expr(payment::Column::Version, Expr::value(version + 1))
        .filter(payment::Column::Id.eq(id))
        .filter(payment::Column::Version.eq(version));
    update = match record {
        StepRecord::Approval => update.col_expr(payment::Column::ApprovedBy, Expr::value(by)),
        StepRecord::Paid { on, bank_reference } => update
            .col_expr(payment::Column::PaidOn, Expr::value(Some(*on)))
            .col_expr(
                payment::Column::BankReference,
                Expr::value(Some(bank_reference.clone())),
            ),
        StepRecord::Cancelled { reason } => update.col_expr(
            payment::Column::CancelReason,
            Expr::value(Some(reason.clone())),
        ),
    };
    Ok(update.exec(db).await?.rows_affected == 1)
}

/// The calls (newest first) and the project year numbers the payment list filters on.
pub async fn filter_choices<C: ConnectionTrait>(
    db: &C,
) -> Result<(Vec<(i64, String)>, Vec<i32>), DbErr> {
    let calls = call::Entity::find()
        .order_by_desc(call::Column::SubmissionOpensAt)
        .all(db)
        .await?
        .into_iter()
        .map(|c| (c.id, c.title))
        .collect();
    let years: std::collections::BTreeSet<i32> = call_project_year::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|y| y.year_number)
        .collect();
    Ok((calls, years.into_iter().collect()))
}
