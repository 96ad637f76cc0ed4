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
    /// Beside `member_names`: what each member committed of the own contribution per project
    /// year when it confirmed (`None`: not (yet) stated).
    pub member_commitments: Vec<Option<i64>>,
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
    let member_commitments = members
        .iter()
        .filter(|(m, _)| m.role == MemberRole::Member)
        .filter(|(_, muni)| muni.is_some())
        .map(|(m, _)| m.commitment_cents)
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
        member_commitments,
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

/// A partner organisation's dossier in a call, if it has one.
pub async fn of_partner_in_call<C: ConnectionTrait>(
    db: &C,
    call_id: i64,
    partner_id: i64,
) -> Result<Option<application::Model>, DbErr> {
    application::Entity::find()
        .filter(application::Column::CallId.eq(call_id))
        .filter(application::Column::PartnerOrganisationId.eq(partner_id))
        .one(db)
        .await
}

/// The dossiers with these ids (in no particular order).
pub async fn by_ids<C: ConnectionTrait>(
    db: &C,
    ids: Vec<i64>,
) -> Result<Vec<application::Model>, DbErr> {
    application::Entity::find()
        .filter(application::Column::Id.is_in(ids))
        .all(db)
        .await
}

/// Withdraws dossier `id` if it is still at `version`: the state becomes withdrawn and its
/// municipalities are free again for the call (the memberships go). `false` when the version
/// had moved on (nothing is written then).
pub async fn withdraw<C: ConnectionTrait>(
    txn: &C,
    id: i64,
    version: i32,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<bool, DbErr> {
    use entity::application::ApplicationState;
    use sea_orm::sea_query::Expr;
    let updated = application::Entity::update_many()
        .col_expr(
            application::Column::State,
            Expr::value(ApplicationState::Withdrawn),
        )
        .col_expr(application::Column::UpdatedAt, Expr::value(now))
        .col_expr(application::Column::Version, Expr::value(version + 1))
        .filter(application::Column::Id.eq(id))
        .filter(application::Column::Version.eq(version))
        .exec(txn)
        .await?;
    if updated.rows_affected != 1 {
        return Ok(false);
    }
    application_member::Entity::delete_many()
        .filter(application_member::Column::ApplicationId.eq(id))
        .exec(txn)
        .await?;
    Ok(true)
}

/// What ABB wrote to the applicant about dossier `id` (internal notes left out), oldest first.
pub async fn messages_to_applicant<C: ConnectionTrait>(
    db: &C,
    id: i64,
) -> Result<Vec<entity::message::Model>, DbErr> {
    entity::message::Entity::find()
        .filter(entity::message::Column::ApplicationId.eq(id))
        .filter(entity::message::Column::Internal.eq(false))
        .all(db)
        .await
}

/// A page of dossiers for ABB: every dossier but drafts (those are the applicants' business until
/// they are submitted), optionally of one call and in one state, by id.
pub struct SubmittedPage {
    /// Each dossier with the name of its lead.
    pub items: Vec<(application::Model, String)>,
    pub total: u64,
}

pub async fn list_submitted<C: ConnectionTrait>(
    db: &C,
    call_id: Option<i64>,
    state: Option<entity::application::ApplicationState>,
    page: u64,
    per_page: u64,
) -> Result<SubmittedPage, DbErr> {
    use entity::application::ApplicationState;
    use sea_orm::{PaginatorTrait, QueryOrder};
    let mut select = application::Entity::find()
        .filter(application::Column::State.ne(ApplicationState::Draft))
        .order_by_asc(application::Column::Id);
    if let Some(call_id) = call_id {
        select = select.filter(application::Column::CallId.eq(call_id));
    }
    if let Some(state) = state {
        select = select.filter(application::Column::State.eq(state));
    }
    let paginator = select.paginate(db, per_page.max(1));
    let total = paginator.num_items().await?;
    let rows = paginator.fetch_page(page.saturating_sub(1)).await?;
    let municipality_ids: Vec<i64> = rows.iter().filter_map(|r| r.lead_municipality_id).collect();
    let partner_ids: Vec<i64> = rows
        .iter()
        .filter_map(|r| r.partner_organisation_id)
        .collect();
    let municipalities = municipality::Entity::find()
        .filter(municipality::Column::Id.is_in(municipality_ids))
        .all(db)
        .await?;
    let partners = partner_organisation::Entity::find()
        .filter(partner_organisation::Column::Id.is_in(partner_ids))
        .all(db)
        .await?;
    let items = rows
        .into_iter()
        .map(|row| {
            let lead = match (row.lead_municipality_id, row.partner_organisation_id) {
                (Some(id), _) => municipalities
                    .iter()
                    .find(|m| m.id == id)
                    .map(|m| m.name.clone()),
                (None, Some(id)) => partners.iter().find(|p| p.id == id).map(|p| p.name.clone()),
                (None, None) => None,
            };
            (row, lead.unwrap_or_default())
        })
        .collect();
    Ok(SubmittedPage { items, total })
}

use crate::domain::workflow::DossierState;
use entity::application::ApplicationState;

/// The one mapping between the stored state and the state machine's: a `From` pair, nothing else.
impl From<ApplicationState> for DossierState {
    fn from(state: ApplicationState) -> Self {
        match state {
            ApplicationState::Draft => DossierState::Draft,
            ApplicationState::Submitted => DossierState::Submitted,
            ApplicationState::InReview => DossierState::InReview,
            ApplicationState::ChangesRequested => DossierState::ChangesRequested,
            ApplicationState::Resubmitted => DossierState::Resubmitted,
            ApplicationState::Approved => DossierState::Approved,
            ApplicationState::PartlyApproved => DossierState::PartlyApproved,
            ApplicationState::Rejected => DossierState::Rejected,
            ApplicationState::Withdrawn => DossierState::Withdrawn,
        }
    }
}

impl From<DossierState> for ApplicationState {
    fn from(state: DossierState) -> Self {
        match state {
            DossierState::Draft => ApplicationState::Draft,
            DossierState::Submitted => ApplicationState::Submitted,
            DossierState::InReview => ApplicationState::InReview,
            DossierState::ChangesRequested => ApplicationState::ChangesRequested,
            DossierState::Resubmitted => ApplicationState::Resubmitted,
            DossierState::Approved => ApplicationState::Approved,
            DossierState::PartlyApproved => ApplicationState::PartlyApproved,
            DossierState::Rejected => ApplicationState::Rejected,
            DossierState::Withdrawn => ApplicationState::Withdrawn,
        }
    }
}
