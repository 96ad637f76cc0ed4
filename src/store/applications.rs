//! Applications (dossiers): loading them with the parties the policy decides on.

use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};

use entity::application_member::MemberRole;
use entity::{application, application_member, municipality, partner_organisation};

use crate::policy::DossierParties;

/// A dossier with who takes part in it.
#[derive(Debug, Clone)]
pub struct DossierWithParties {
    pub application: application::Model,
    pub parties: DossierParties,
    pub lead_name: String,
    pub member_names: Vec<String>,
}

/// Loads a dossier and its parties; `None` when there is no such dossier.
pub async fn with_parties<C: ConnectionTrait>(
    db: &C,
    id: i64,
) -> Result<Option<DossierWithParties>, DbErr> {
    let Some(app) = application::Entity::find_by_id(id).one(db).await? else {
        return Ok(None);
    };
    let members = application_member::Entity::find()
        .filter(application_member::Column::ApplicationId.eq(app.id))
        .find_also_related(municipality::Entity)
        .all(db)
        .await?;
    let member_municipality_ids = members
        .iter()
        .filter(|(m, _)| m.role == MemberRole::Member)
        .map(|(m, _)| m.municipality_id)
        .collect();
    let member_names = members
        .iter()
        .filter(|(m, _)| m.role == MemberRole::Member)
        .filter_map(|(_, muni)| muni.as_ref().map(|x| x.name.clone()))
        .collect();
    let lead_name = match (app.lead_municipality_id, app.partner_organisation_id) {
        (Some(id), _) => municipality::Entity::find_by_id(id)
            .one(db)
            .await?
            .map(|m| m.name)
            .unwrap_or_default(),
        (None, Some(id)) => partner_organisation::Entity::find_by_id(id)
            .one(db)
            .await?
            .map(|p| p.name)
            .unwrap_or_default(),
        (None, None) => String::new(),
    };
    Ok(Some(DossierWithParties {
        parties: DossierParties {
            lead_municipality_id: app.lead_municipality_id,
            partner_organisation_id: app.partner_organisation_id,
            member_municipality_ids,
        },
        application: app,
        lead_name,
        member_names,
    }))
}
