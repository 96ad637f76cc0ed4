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

/// A dossier to start.
#[derive(Debug, Clone)]
pub struct NewDossier {
    pub call_id: i64,
    pub call_code: String,
    pub kind: entity::application::ApplicationKind,
    pub lead_municipality_id: Option<i64>,
    pub partner_organisation_id: Option<i64>,
    pub title: String,
    pub first_project_year: i32,
    pub created_by: i64,
}

/// Inserts a draft application with its reference (`<call code>-<id>`) and, when a municipality
/// leads it, the lead's confirmed membership. The membership is what the unique (call,
/// municipality) constraint guards: a violation comes back as the database error, for the
/// caller to explain and roll back.
pub async fn create_draft<C: ConnectionTrait>(
    txn: &C,
    new: NewDossier,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<application::Model, DbErr> {
    use entity::application::ApplicationState;
    use entity::application_member::ConsentState;
    use sea_orm::{ActiveModelTrait, Set};
    let inserted = application::ActiveModel {
        call_id: Set(new.call_id),
        reference: Set(format!("tmp-{}", uuid::Uuid::new_v4())),
        kind: Set(new.kind),
        lead_municipality_id: Set(new.lead_municipality_id),
        partner_organisation_id: Set(new.partner_organisation_id),
        title: Set(new.title),
        first_project_year: Set(new.first_project_year),
        last_project_year: Set(new.first_project_year),
        state: Set(ApplicationState::Draft),
        created_by: Set(Some(new.created_by)),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    let mut active: application::ActiveModel = inserted.clone().into();
    active.reference = Set(format!("{}-{:04}", new.call_code, inserted.id));
    let app = active.update(txn).await?;
    if let Some(municipality_id) = new.lead_municipality_id {
        application_member::ActiveModel {
            application_id: Set(app.id),
            call_id: Set(new.call_id),
            municipality_id: Set(municipality_id),
            role: Set(MemberRole::Lead),
            consent_state: Set(ConsentState::Confirmed),
            consent_at: Set(Some(now)),
            invited_at: Set(now),
            version: Set(1),
            ..Default::default()
        }
        .insert(txn)
        .await?;
    }
    Ok(app)
}
