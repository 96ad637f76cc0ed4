//! The members of a cooperation (a pooled dossier): who takes part, who is invited, who answered,
//! and who is told. The rules are [`crate::domain::cooperation`]'s; the commands
//! [`crate::app::cooperation`]'s.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, Set,
};

use entity::application;
use entity::application_member::{self, ConsentState, MemberRole};
use entity::{app_user, member_reminder, municipality};

/// A member row with its municipality.
pub struct Member {
    pub row: application_member::Model,
    pub municipality: municipality::Model,
}

/// Every member of dossier `application_id`, the lead included.
pub async fn members_of<C: ConnectionTrait>(
    db: &C,
    application_id: i64,
) -> Result<Vec<Member>, DbErr> {
    Ok(application_member::Entity::find()
        .filter(application_member::Column::ApplicationId.eq(application_id))
        .find_also_related(municipality::Entity)
        .all(db)
        .await?
        .into_iter()
        .filter_map(|(row, m)| m.map(|municipality| Member { row, municipality }))
        .collect())
}

/// The member (not the lead) of municipality `municipality_id` in dossier `application_id`.
pub async fn membership<C: ConnectionTrait>(
    db: &C,
    application_id: i64,
    municipality_id: i64,
) -> Result<Option<Member>, DbErr> {
    Ok(members_of(db, application_id)
        .await?
        .into_iter()
        .find(|m| m.row.municipality_id == municipality_id && m.row.role == MemberRole::Member))
}

/// The e-mail addresses of the active officials of municipality `municipality_id`.
pub async fn officials_of<C: ConnectionTrait>(
    db: &C,
    municipality_id: i64,
) -> Result<Vec<String>, DbErr> {
    Ok(app_user::Entity::find()
        .filter(app_user::Column::MunicipalityId.eq(municipality_id))
        .filter(app_user::Column::Active.eq(true))
        .all(db)
        .await?
        .into_iter()
        .map(|u| u.email)
        .collect())
}

/// The officials of the lead municipality of `app`, if it has one.
pub async fn lead_officials<C: ConnectionTrait>(
    db: &C,
    app: &application::Model,
) -> Result<Vec<String>, DbErr> {
    match app.lead_municipality_id {
        Some(lead) => officials_of(db, lead).await,
        None => Ok(Vec::new()),
    }
}

/// Invites municipality `municipality_id` into `app` (a unique-constraint violation when it
/// already takes part in a dossier of the call); `joined_in_year`: the project year from which
/// a member taken in during a later round takes part (`None`: from the dossier's start).
pub async fn invite<C: ConnectionTrait>(
    db: &C,
    app: &application::Model,
    municipality_id: i64,
    joined_in_year: Option<i32>,
    now: DateTime<Utc>,
) -> Result<application_member::Model, DbErr> {
    application_member::ActiveModel {
        application_id: Set(app.id),
        call_id: Set(app.call_id),
        municipality_id: Set(municipality_id),
        role: Set(MemberRole::Member),
        consent_state: Set(ConsentState::Invited),
        consent_at: Set(None),
        invited_at: Set(now),
        joined_in_year: Set(joined_in_year),
        version: Set(1),
        ..Default::default()
    }
    .insert(db)
    .await
}

/// Removes member row `id` (the municipality is free again for the call).
pub async fn remove<C: ConnectionTrait>(db: &C, id: i64) -> Result<(), DbErr> {
    application_member::Entity::delete_by_id(id)
        .exec(db)
        .await?;
    Ok(())
}

/// Sets the member's answer (and, when it confirms, its `commitment` per project year), if its
/// row is still at the version it was read at; `false` when someone changed it meanwhile.
pub async fn answer<C: ConnectionTrait>(
    db: &C,
    member: &application_member::Model,
    consent: ConsentState,
    at: Option<DateTime<Utc>>,
    commitment: Option<i64>,
) -> Result<bool, DbErr> {
    let mut update = application_member::Entity::update_many();
    if let Some(cents) = commitment {
        update = update.col_expr(
            application_member::Column::CommitmentCents,
            Expr::value(cents),
        );
    }
    let updated = update
        .col_expr(
            application_member::Column::ConsentState,
            Expr::value(consent),
        )
        .col_expr(application_member::Column::ConsentAt, Expr::value(at))
        .col_expr(
            application_member::Column::Version,
            Expr::value(member.version + 1),
        )
        .filter(application_member::Column::Id.eq(member.id))
        .filter(application_member::Column::Version.eq(member.version))
        .exec(db)
        .await?;
    Ok(updated.rows_affected == 1)
}

/// The day of the latest reminder of each member of dossier `application_id` that got one, by
/// member row id.
pub async fn last_reminders<C: ConnectionTrait>(
    db: &C,
    application_id: i64,
) -> Result<std::collections::HashMap<i64, chrono::NaiveDate>, DbErr> {
    let member_ids: Vec<i64> = members_of(db, application_id)
        .await?
        .iter()
        .map(|m| m.row.id)
        .collect();
    let mut last = std::collections::HashMap::new();
    for reminder in member_reminder::Entity::find()
        .filter(member_reminder::Column::ApplicationMemberId.is_in(member_ids))
        .all(db)
        .await?
    {
        let day = last
            .entry(reminder.application_member_id)
            .or_insert(reminder.sent_on);
        if reminder.sent_on > *day {
            *day = reminder.sent_on;
        }
    }
    Ok(last)
}

/// Records a reminder to member row `member_id` on `day`: `false` when it already got one that
/// day (the unique index decides, so two clicks at once send one reminder).
pub async fn record_reminder<C: ConnectionTrait>(
    db: &C,
    member_id: i64,
    day: chrono::NaiveDate,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let inserted = member_reminder::Entity::insert(member_reminder::ActiveModel {
        application_member_id: Set(member_id),
        sent_on: Set(day),
        created_at: Set(now),
        ..Default::default()
    })
    .on_conflict_do_nothing_on([
        member_reminder::Column::ApplicationMemberId,
        member_reminder::Column::SentOn,
    ])
    .exec_without_returning(db)
    .await?;
    Ok(matches!(inserted, sea_orm::TryInsertResult::Inserted(n) if n > 0))
}
