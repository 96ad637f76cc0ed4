//! The separate agreements of partner organisations (VGC, vzw De Rand) attached to a call
//! (`call_partner_agreement`): what the allocation reserves for a partner before the allocation
//! by priority, and what the call's page lists. The rows come from the call's data
//! (`partner_agreements` in `seeds/calls/*.json`); nothing here changes them.

use std::collections::HashMap;

use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};

use entity::{call_partner_agreement, partner_organisation};

use crate::domain::allocation::Agreement;
use crate::store::rules;

/// One agreement attached to a call, with its partner organisation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attached {
    pub partner_id: i64,
    pub partner_code: String,
    pub partner_name: String,
    pub amount_cents_per_project_year: i64,
    /// Where the amount comes from.
    pub source: String,
    pub illustrative: bool,
}

impl Attached {
    /// The agreement as the allocation engine reads it.
    pub fn terms(&self) -> Result<Agreement, DbErr> {
        Ok(Agreement {
            amount: rules::cents(self.amount_cents_per_project_year)?,
            illustrative: self.illustrative,
        })
    }
}

/// The agreements attached to call `call_id`, by partner name.
pub async fn of_call<C: ConnectionTrait>(db: &C, call_id: i64) -> Result<Vec<Attached>, DbErr> {
    let mut attached: Vec<Attached> = call_partner_agreement::Entity::find()
        .filter(call_partner_agreement::Column::CallId.eq(call_id))
        .find_also_related(partner_organisation::Entity)
        .all(db)
        .await?
        .into_iter()
        .filter_map(|(agreement, partner)| {
            let partner = partner?;
            Some(Attached {
                partner_id: partner.id,
                partner_code: partner.code,
                partner_name: partner.name,
                amount_cents_per_project_year: agreement.amount_cents_per_project_year,
                source: agreement.source,
                illustrative: agreement.illustrative,
            })
        })
        .collect();
    attached.sort_by(|a, b| a.partner_name.cmp(&b.partner_name));
    Ok(attached)
}

/// The engine's agreements of call `call_id`, by partner organisation id.
pub async fn terms_of_call<C: ConnectionTrait>(
    db: &C,
    call_id: i64,
) -> Result<HashMap<i64, Agreement>, DbErr> {
    of_call(db, call_id)
        .await?
        .into_iter()
        .map(|a| Ok((a.partner_id, a.terms()?)))
        .collect()
}
