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

/// Starts a dossier for the official's own organisation in an open call: alone for a
/// municipality that may apply alone, or under the separate agreement for a partner
/// organisation. "One application per municipality per call" is enforced by the database, so
/// of two simultaneous starts exactly one wins. Refusals are Dutch conflicts; whether the user
/// may start a dossier at all is the caller's policy check.
pub async fn start(
    db: &sea_orm::DatabaseConnection,
    user: &crate::auth::session::SessionUser,
    call_id: i64,
    by: &crate::store::sections::By,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<application::Model, crate::error::AppError> {
    use crate::error::AppError;
    use entity::application::ApplicationKind;
    let call = crate::store::rules::call_context(db, call_id)
        .await?
        .ok_or(AppError::NotFound)?;
    call.window()
        .accepts_new_dossiers(now)
        .map_err(|refusal| AppError::Conflict(refusal.explain(&call.call.title)))?;
    let first_year = call
        .rules
        .project_years
        .first()
        .map(|y| i32::from(y.year))
        .unwrap_or(1);
    let (kind, lead_municipality_id, partner_id, title) = match (
        user.user.municipality_id,
        user.user.partner_organisation_id,
    ) {
        (Some(municipality_id), _) => {
            let (directory, ids) =
                crate::store::rules::directory(db, call.call.reference_year, call.map_date())
                    .await?;
            let nis = ids
                .iter()
                .find(|(_, id)| **id == municipality_id)
                .map(|(n, _)| *n);
            let Some(m) = nis.and_then(|n| directory.get(n)) else {
                return Err(AppError::Conflict(
                    "Uw gemeente bestaat niet in de gemeentelijke indeling van deze oproep.".into(),
                ));
            };
            let taken = crate::store::rules::taken(db, call.call.id).await?;
            if let Some(reference) = taken.application_of(m.nis_code) {
                return Err(AppError::Conflict(format!(
                    "{} neemt al deel aan dossier {reference} voor deze oproep. Een gemeente zit in ten hoogste één dossier per oproep.",
                    m.name
                )));
            }
            if crate::domain::can_apply_alone(&call.rules, m) != Some(true) {
                return Err(AppError::Conflict(format!(
                    "{} kan volgens de regels van de oproep niet alleen indienen. Bekijk op 'Mijn gemeente' met welke gemeenten van uw referentieregio u kunt samenwerken.",
                    m.name
                )));
            }
            (
                ApplicationKind::Single,
                Some(municipality_id),
                None,
                format!("Dossier {}", m.name),
            )
        }
        (None, Some(partner_id)) => {
            let existing = entity::application::Entity::find()
                .filter(entity::application::Column::CallId.eq(call.call.id))
                .filter(entity::application::Column::PartnerOrganisationId.eq(partner_id))
                .one(db)
                .await?;
            if let Some(existing) = existing {
                return Err(AppError::Conflict(format!(
                    "Uw organisatie heeft al dossier {} voor deze oproep.",
                    existing.reference
                )));
            }
            (
                ApplicationKind::Partner,
                None,
                Some(partner_id),
                format!("Dossier {}", user.organisation.clone().unwrap_or_default()),
            )
        }
        (None, None) => return Err(AppError::Forbidden),
    };

    let txn = crate::db::begin_write(db).await?;
    let inserted = match crate::store::applications::create_draft(
        &txn,
        crate::store::applications::NewDossier {
            call_id: call.call.id,
            call_code: call.call.code.clone(),
            kind,
            lead_municipality_id,
            partner_organisation_id: partner_id,
            title,
            first_project_year: first_year,
            created_by: user.user.id,
        },
        now,
    )
    .await
    {
        Ok(app) => app,
        Err(err) => {
            txn.rollback().await?;
            if crate::store::is_unique_violation(&err) {
                return Err(AppError::Conflict(
                    "Uw gemeente neemt intussen al deel aan een ander dossier voor deze oproep. Een gemeente zit in ten hoogste één dossier per oproep.".into(),
                ));
            }
            return Err(err.into());
        }
    };
    let reference = inserted.reference.clone();
    crate::audit::record(
        &txn,
        crate::audit::AuditEntry::new("application.started", "application", Some(inserted.id.to_string()))
            .by(by.user_id, by.label.clone())
            .from_ip(by.ip.clone())
            .after(serde_json::json!({ "reference": reference, "call": call.call.code, "kind": format!("{kind:?}") })),
    )
    .await?;
    txn.commit().await?;
    Ok(inserted)
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
