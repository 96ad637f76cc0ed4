//! Where an organisation is paid: its bank account row (one per municipality or partner
//! organisation), read for its own page and for the finance export, written under its version.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::NotSet, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, Set,
};

use entity::{app_user, bank_account};

use crate::store::organisations::OrgKind;

/// An organisation's account as stored, with who set it last.
#[derive(Debug, Clone)]
pub struct Account {
    pub row: bank_account::Model,
    pub updated_by_name: Option<String>,
}

fn owned_by(kind: OrgKind, id: i64) -> sea_orm::sea_query::SimpleExpr {
    match kind {
        OrgKind::Municipality => bank_account::Column::MunicipalityId.eq(id),
        OrgKind::Partner => bank_account::Column::PartnerOrganisationId.eq(id),
    }
}

/// The account of organisation `kind` `id`, if it gave one.
pub async fn of<C: ConnectionTrait>(
    db: &C,
    kind: OrgKind,
    id: i64,
) -> Result<Option<Account>, DbErr> {
    let Some(row) = bank_account::Entity::find()
        .filter(owned_by(kind, id))
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    let updated_by_name = match row.updated_by {
        Some(user) => app_user::Entity::find_by_id(user)
            .one(db)
            .await?
            .map(|u| u.name),
        None => None,
    };
    Ok(Some(Account {
        row,
        updated_by_name,
    }))
}

/// What is written.
#[derive(Debug, Clone)]
pub struct NewAccount<'a> {
    pub iban: &'a str,
    pub holder: &'a str,
    pub by: Option<i64>,
    pub at: DateTime<Utc>,
}

/// Sets the account of organisation `kind` `id`: inserts it when `version` is `None` (the form
/// was read without an account), else updates it if it is still at `version`. Whether it was
/// written (false: someone else set or changed it meanwhile).
pub async fn save<C: ConnectionTrait>(
    db: &C,
    kind: OrgKind,
    id: i64,
    version: Option<i32>,
    account: NewAccount<'_>,
) -> Result<bool, DbErr> {
    match version {
        None => {
            if bank_account::Entity::find()
                .filter(owned_by(kind, id))
                .one(db)
                .await?
                .is_some()
            {
                return Ok(false);
            }
            let (municipality_id, partner_organisation_id) = match kind {
                OrgKind::Municipality => (Some(id), None),
                OrgKind::Partner => (None, Some(id)),
            };
            bank_account::Entity::insert(bank_account::ActiveModel {
                id: NotSet,
                municipality_id: Set(municipality_id),
                partner_organisation_id: Set(partner_organisation_id),
                iban: Set(account.iban.to_owned()),
                holder: Set(account.holder.to_owned()),
                updated_by: Set(account.by),
                updated_at: Set(account.at),
                version: Set(1),
            })
            .exec(db)
            .await?;
            Ok(true)
        }
        Some(version) => {
            let updated = bank_account::Entity::update_many()
                .col_expr(bank_account::Column::Iban, Expr::value(account.iban))
                .col_expr(bank_account::Column::Holder, Expr::value(account.holder))
                .col_expr(bank_account::Column::UpdatedBy, Expr::value(account.by))
                .col_expr(bank_account::Column::UpdatedAt, Expr::value(account.at))
                .col_expr(bank_account::Column::Version, Expr::value(version + 1))
                .filter(owned_by(kind, id))
                .filter(bank_account::Column::Version.eq(version))
                .exec(db)
                .await?;
            Ok(updated.rows_affected == 1)
        }
    }
}

/// Every account, by organisation, for the finance export.
pub async fn all<C: ConnectionTrait>(
    db: &C,
) -> Result<HashMap<(OrgKind, i64), bank_account::Model>, DbErr> {
    let rows = bank_account::Entity::find().all(db).await?;
    Ok(rows
        .into_iter()
        .filter_map(|row| {
            let key = match (row.municipality_id, row.partner_organisation_id) {
                (Some(m), _) => (OrgKind::Municipality, m),
                (None, Some(p)) => (OrgKind::Partner, p),
                (None, None) => return None,
            };
            Some((key, row))
        })
        .collect())
}

/// The account of a payment's payee (a municipality or a partner organisation), if it gave one.
pub async fn of_payee<C: ConnectionTrait>(
    db: &C,
    municipality_id: Option<i64>,
    partner_organisation_id: Option<i64>,
) -> Result<Option<bank_account::Model>, DbErr> {
    let (kind, id) = match (municipality_id, partner_organisation_id) {
        (Some(m), _) => (OrgKind::Municipality, m),
        (None, Some(p)) => (OrgKind::Partner, p),
        (None, None) => return Ok(None),
    };
    bank_account::Entity::find()
        .filter(owned_by(kind, id))
        .one(db)
        .await
}
