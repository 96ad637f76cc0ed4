//! The organisation codes of municipalities and partner organisations (the code the Flemish
//! government's access management gives each): the lists, one organisation, who holds a code,
//! and changing a code under the row's version.

use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder};

use entity::{municipality, partner_organisation};

/// Which kind of organisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OrgKind {
    Municipality,
    Partner,
}

impl OrgKind {
    /// The resource type the audit trail names it by.
    pub fn resource_type(self) -> &'static str {
        match self {
            Self::Municipality => "municipality",
            Self::Partner => "partner_organisation",
        }
    }
}

/// One organisation with its code.
#[derive(Debug, Clone)]
pub struct Organisation {
    pub kind: OrgKind,
    pub id: i64,
    pub name: String,
    /// `NIS 11002` for a municipality, the partner's own code for a partner.
    pub identifier: String,
    pub org_code: Option<String>,
    pub version: i32,
}

fn of_municipality(m: municipality::Model) -> Organisation {
    Organisation {
        kind: OrgKind::Municipality,
        id: m.id,
        name: m.name,
        identifier: format!("NIS {}", m.nis_code),
        org_code: m.org_code,
        version: m.version,
    }
}

fn of_partner(p: partner_organisation::Model) -> Organisation {
    Organisation {
        kind: OrgKind::Partner,
        id: p.id,
        name: p.name,
        identifier: p.code,
        org_code: p.org_code,
        version: p.version,
    }
}

/// The current municipalities, by name.
pub async fn municipalities<C: ConnectionTrait>(db: &C) -> Result<Vec<Organisation>, DbErr> {
    Ok(municipality::Entity::find()
        .filter(municipality::Column::ValidTo.is_null())
        .order_by_asc(municipality::Column::Name)
        .all(db)
        .await?
        .into_iter()
        .map(of_municipality)
        .collect())
}

/// The partner organisations, by name.
pub async fn partners<C: ConnectionTrait>(db: &C) -> Result<Vec<Organisation>, DbErr> {
    Ok(partner_organisation::Entity::find()
        .order_by_asc(partner_organisation::Column::Name)
        .all(db)
        .await?
        .into_iter()
        .map(of_partner)
        .collect())
}

/// Organisation `id` of `kind`.
pub async fn find<C: ConnectionTrait>(
    db: &C,
    kind: OrgKind,
    id: i64,
) -> Result<Option<Organisation>, DbErr> {
    Ok(match kind {
        OrgKind::Municipality => municipality::Entity::find_by_id(id)
            .one(db)
            .await?
            .map(of_municipality),
        OrgKind::Partner => partner_organisation::Entity::find_by_id(id)
            .one(db)
            .await?
            .map(of_partner),
    })
}

/// The name of the organisation that holds `code`, other than `kind` `id`.
pub async fn holder_of<C: ConnectionTrait>(
    db: &C,
    code: &str,
    kind: OrgKind,
    id: i64,
) -> Result<Option<String>, DbErr> {
    let municipality = municipality::Entity::find()
        .filter(municipality::Column::OrgCode.eq(code))
        .one(db)
        .await?
        .filter(|m| !(kind == OrgKind::Municipality && m.id == id))
        .map(|m| m.name);
    if municipality.is_some() {
        return Ok(municipality);
    }
    Ok(partner_organisation::Entity::find()
        .filter(partner_organisation::Column::OrgCode.eq(code))
        .one(db)
        .await?
        .filter(|p| !(kind == OrgKind::Partner && p.id == id))
        .map(|p| p.name))
}

/// Sets the code of organisation `kind` `id` if it is still at `version`; whether it was.
pub async fn set_org_code<C: ConnectionTrait>(
    db: &C,
    kind: OrgKind,
    id: i64,
    version: i32,
    code: Option<String>,
) -> Result<bool, DbErr> {
    let updated = match kind {
        OrgKind::Municipality => {
            municipality::Entity::update_many()
                .col_expr(municipality::Column::OrgCode, Expr::value(code))
                .col_expr(municipality::Column::Version, Expr::value(version + 1))
                .filter(municipality::Column::Id.eq(id))
                .filter(municipality::Column::Version.eq(version))
                .exec(db)
                .await?
                .rows_affected
        }
        OrgKind::Partner => {
            partner_organisation::Entity::update_many()
                .col_expr(partner_organisation::Column::OrgCode, Expr::value(code))
                .col_expr(
                    partner_organisation::Column::Version,
                    Expr::value(version + 1),
                )
                .filter(partner_organisation::Column::Id.eq(id))
                .filter(partner_organisation::Column::Version.eq(version))
                .exec(db)
                .await?
                .rows_affected
        }
    };
    Ok(updated == 1)
}
