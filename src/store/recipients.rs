//! The addresses a dossier's news may go to, as [`crate::domain::recipients`] needs them: the
//! contact person, the active officials of the lead, and the active officials of every member
//! municipality that did not decline. The domain decides who of them gets what.

use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
};

use entity::app_user::{self, UserRole};
use entity::application;
use entity::application_member::{self, ConsentState, MemberRole};

use crate::domain::recipients::{News, Parties};

pub async fn parties<C: ConnectionTrait>(
    db: &C,
    app: &application::Model,
) -> Result<Parties, DbErr> {
    let contact = app.contact_email.clone().filter(|e| !e.trim().is_empty());
    let mut lead = Condition::any();
    if let Some(m) = app.lead_municipality_id {
        lead = lead.add(app_user::Column::MunicipalityId.eq(m));
    }
    if let Some(p) = app.partner_organisation_id {
        lead = lead.add(app_user::Column::PartnerOrganisationId.eq(p));
    }
    let lead_officials =
        if app.lead_municipality_id.is_none() && app.partner_organisation_id.is_none() {
            Vec::new()
        } else {
            officials(db, lead).await?
        };
    let members: Vec<i64> = application_member::Entity::find()
        .filter(application_member::Column::ApplicationId.eq(app.id))
        .filter(application_member::Column::Role.eq(MemberRole::Member))
        .filter(application_member::Column::ConsentState.ne(ConsentState::Declined))
        .all(db)
        .await?
        .into_iter()
        .map(|m| m.municipality_id)
        .filter(|id| Some(*id) != app.lead_municipality_id)
        .collect();
    let member_officials = if members.is_empty() {
        Vec::new()
    } else {
        officials(
            db,
            Condition::all().add(app_user::Column::MunicipalityId.is_in(members)),
        )
        .await?
    };
    Ok(Parties {
        contact,
        lead_officials,
        member_officials,
    })
}

async fn officials<C: ConnectionTrait>(db: &C, whose: Condition) -> Result<Vec<String>, DbErr> {
    Ok(app_user::Entity::find()
        .filter(app_user::Column::Active.eq(true))
        .filter(app_user::Column::Role.eq(UserRole::Official))
        .filter(whose)
        .order_by_asc(app_user::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|u| u.email)
        .collect())
}

/// The addresses `news` about dossier `app` goes to, by the domain's one rule
/// ([`crate::domain::recipients::recipients`]), for mails that are the same for everyone.
pub async fn addresses<C: ConnectionTrait>(
    db: &C,
    app: &application::Model,
    news: News,
) -> Result<Vec<String>, DbErr> {
    let parties = parties(db, app).await?;
    Ok(crate::domain::recipients::recipients(news, &parties)
        .into_iter()
        .map(|r| r.email)
        .collect())
}

/// The addresses of the active officials of organisation `kind` `id` (for news about the
/// organisation itself, such as a change of its bank account).
pub async fn organisation_officials<C: ConnectionTrait>(
    db: &C,
    kind: crate::store::organisations::OrgKind,
    id: i64,
) -> Result<Vec<String>, DbErr> {
    use crate::store::organisations::OrgKind;
    let whose = match kind {
        OrgKind::Municipality => Condition::all().add(app_user::Column::MunicipalityId.eq(id)),
        OrgKind::Partner => Condition::all().add(app_user::Column::PartnerOrganisationId.eq(id)),
    };
    officials(db, whose).await
}

/// The addresses at ABB that hear what the municipality writes on dossier `app`, by the
/// domain's rule ([`crate::domain::recipients::to_abb`]): its assigned reviewer while active,
/// else every active reviewer.
pub async fn abb_addresses<C: ConnectionTrait>(
    db: &C,
    app: &application::Model,
) -> Result<Vec<String>, DbErr> {
    let assigned = match app.assigned_reviewer_id {
        Some(id) => app_user::Entity::find_by_id(id)
            .one(db)
            .await?
            .filter(|u| u.active && u.role != UserRole::Official)
            .map(|u| u.email),
        None => None,
    };
    let reviewers: Vec<String> = app_user::Entity::find()
        .filter(app_user::Column::Active.eq(true))
        .filter(app_user::Column::Role.eq(UserRole::Reviewer))
        .order_by_asc(app_user::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|u| u.email)
        .collect();
    Ok(crate::domain::recipients::to_abb(
        assigned.as_deref(),
        &reviewers,
    ))
}
