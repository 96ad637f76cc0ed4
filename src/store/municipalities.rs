//! What an official's dashboard needs: the organisation the official acts for, the open calls,
//! the organisation's population figures and the dossiers it leads or takes part in.

use std::collections::HashMap;

use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder};

use entity::application::{ApplicationKind, ApplicationState};
use entity::application_member::{ConsentState, MemberRole};
use entity::{
    app_user, application, application_member, call, municipality, partner_organisation,
    population_figure,
};

use crate::store::reference_cache::Reference;

/// The municipality or partner organisation an official acts for.
#[derive(Debug, Clone)]
pub enum Organisation {
    Municipality(municipality::Model),
    Partner(partner_organisation::Model),
}

impl Organisation {
    pub fn name(&self) -> &str {
        match self {
            Organisation::Municipality(m) => &m.name,
            Organisation::Partner(p) => &p.name,
        }
    }
}

/// The organisation `user` acts for; `None` when the account is bound to neither (or the row
/// it points at is gone). Read from the reference data in memory.
pub async fn organisation_of(
    reference: &Reference,
    user: &app_user::Model,
) -> Result<Option<Organisation>, DbErr> {
    if let Some(id) = user.municipality_id {
        return Ok(reference
            .municipalities()
            .await?
            .get(&id)
            .cloned()
            .map(Organisation::Municipality));
    }
    if let Some(id) = user.partner_organisation_id {
        return Ok(reference
            .partners()
            .await?
            .get(&id)
            .cloned()
            .map(Organisation::Partner));
    }
    Ok(None)
}

/// The calls open for submission, the one closing first first.
pub async fn open_calls<C: ConnectionTrait>(db: &C) -> Result<Vec<call::Model>, DbErr> {
    call::Entity::find()
        .filter(call::Column::State.eq(call::CallState::Open))
        .order_by_asc(call::Column::SubmissionClosesAt)
        .order_by_asc(call::Column::Id)
        .all(db)
        .await
}

/// The most recently opened call, whatever its state.
pub async fn latest_call<C: ConnectionTrait>(db: &C) -> Result<Option<call::Model>, DbErr> {
    call::Entity::find()
        .order_by_desc(call::Column::SubmissionOpensAt)
        .order_by_desc(call::Column::Id)
        .one(db)
        .await
}

/// The population figures of one municipality for one reference year, if imported.
pub async fn figures<C: ConnectionTrait>(
    db: &C,
    municipality_id: i64,
    reference_year: i32,
) -> Result<Option<population_figure::Model>, DbErr> {
    population_figure::Entity::find()
        .filter(population_figure::Column::MunicipalityId.eq(municipality_id))
        .filter(population_figure::Column::ReferenceYear.eq(reference_year))
        .one(db)
        .await
}

/// How the organisation takes part in a dossier.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Participation {
    /// It leads (or, for a partner organisation, submits) the dossier.
    Lead,
    /// It is a member of a cooperation led by another municipality.
    Member(ConsentState),
}

/// One dossier of the organisation, with what the overview and the next steps need.
#[derive(Debug, Clone)]
pub struct DossierSummary {
    pub id: i64,
    pub reference: String,
    pub title: String,
    pub kind: ApplicationKind,
    pub state: ApplicationState,
    pub participation: Participation,
    /// The lead municipality or partner organisation, by name.
    pub lead_name: String,
    pub call: call::Model,
    /// The message of the newest unresolved change request, if ABB asked for changes.
    pub open_change_request: Option<String>,
    /// ABB decided on the dossier: there is a decision to read.
    pub decided: bool,
    /// The day ABB expects the answer to that request.
    pub answer_due_on: Option<chrono::NaiveDate>,
    /// The organisation was taken in during a later round, from this project year on.
    pub joined_in_year: Option<i32>,
}

/// The columns of a dossier line, with the organisation's membership and open change request.
#[derive(Debug, sea_orm::FromQueryResult)]
struct ListedDossier {
    id: i64,
    call_id: i64,
    reference: String,
    title: String,
    kind: ApplicationKind,
    state: ApplicationState,
    lead_municipality_id: Option<i64>,
    partner_organisation_id: Option<i64>,
    member_role: Option<MemberRole>,
    member_consent: Option<ConsentState>,
    member_joined: Option<i32>,
    open_change_request: Option<String>,
    decided_at: Option<chrono::DateTime<chrono::Utc>>,
    answer_due_on: Option<chrono::NaiveDate>,
}

/// The dossiers `organisation` leads or is a member of (declined invitations left out), newest
/// call first, then by reference.
pub async fn dossiers_of<C: ConnectionTrait>(
    db: &C,
    reference: &Reference,
    organisation: &Organisation,
) -> Result<Vec<DossierSummary>, DbErr> {
    use application::Column as A;
    use sea_orm::sea_query::{Expr, ExprTrait, IntoCondition};
    use sea_orm::{JoinType, QuerySelect, RelationTrait};
    // One statement: the columns a dossier line shows, the organisation's own membership and
    // the newest unresolved change request of each dossier.
    let select = application::Entity::find()
        .select_only()
        .columns([
            A::Id,
            A::CallId,
            A::Reference,
            A::Title,
            A::Kind,
            A::State,
            A::LeadMunicipalityId,
            A::PartnerOrganisationId,
            A::DecidedAt,
        ])
        .column_as(
            Expr::cust(
                "(SELECT cr.message FROM change_request cr \
                 WHERE cr.application_id = application.id AND cr.resolved_at IS NULL \
                 ORDER BY cr.requested_at DESC, cr.id DESC LIMIT 1)",
            ),
            "open_change_request",
        )
        .column_as(
            Expr::cust(
                "(SELECT cr.answer_due_on FROM change_request cr \
                 WHERE cr.application_id = application.id AND cr.resolved_at IS NULL \
                 ORDER BY cr.requested_at DESC, cr.id DESC LIMIT 1)",
            ),
            "answer_due_on",
        );
    let select = match organisation {
        Organisation::Municipality(m) => {
            // The municipality's own membership row of each dossier, if any, by a LEFT JOIN on
            // the (application, municipality) key: one index lookup per dossier.
            let municipality_id = m.id;
            select
                .join(
                    JoinType::LeftJoin,
                    application::Relation::ApplicationMember.def().on_condition(
                        move |_application, member| {
                            Expr::col((member, application_member::Column::MunicipalityId))
                                .eq(municipality_id)
                                .into_condition()
                        },
                    ),
                )
                .column_as(application_member::Column::Role, "member_role")
                .column_as(application_member::Column::ConsentState, "member_consent")
                .column_as(application_member::Column::JoinedInYear, "member_joined")
                .filter({
                    // One IN over a UNION, not "lead = ? OR id IN (…)": PostgreSQL answers that OR
                    // with a scan of every dossier. Declined invitations are left out (the literal
                    // is the stored value of `ConsentState::Declined`).
                    let (first, second, values) = match db.get_database_backend() {
                        sea_orm::DbBackend::Postgres => ("$1", "$1", vec![m.id]),
                        _ => ("?", "?", vec![m.id, m.id]),
                    };
                    Expr::cust_with_values(
                        format!(
                            "application.id IN (SELECT a.id FROM application a \
                         WHERE a.lead_municipality_id = {first} \
                         UNION SELECT am.application_id FROM application_member am \
                         WHERE am.municipality_id = {second} AND am.consent_state <> 'declined')"
                        ),
                        values,
                    )
                })
        }
        Organisation::Partner(partner) => select
            .column_as(Expr::cust("NULL"), "member_role")
            .column_as(Expr::cust("NULL"), "member_consent")
            .column_as(Expr::cust("CAST(NULL AS INTEGER)"), "member_joined")
            .filter(A::PartnerOrganisationId.eq(partner.id)),
    };
    let applications = select.into_model::<ListedDossier>().all(db).await?;
    if applications.is_empty() {
        return Ok(Vec::new());
    }

    // Calls and names from the reference data in memory.
    let calls = reference.calls().await?;
    let calls: HashMap<i64, &call::Model> = calls.iter().map(|c| (c.id, c)).collect();
    let municipalities = reference.municipalities().await?;
    let partners = reference.partners().await?;

    let own_municipality = match organisation {
        Organisation::Municipality(m) => Some(m.id),
        Organisation::Partner(_) => None,
    };
    let mut out = Vec::with_capacity(applications.len());
    for app in applications {
        let Some(call) = calls.get(&app.call_id).map(|c| (*c).clone()) else {
            continue;
        };
        let membership = app.member_role.zip(app.member_consent);
        let participation = match (own_municipality, membership) {
            (None, _) => Participation::Lead,
            (Some(own), _) if app.lead_municipality_id == Some(own) => Participation::Lead,
            (Some(_), Some((MemberRole::Lead, _))) => Participation::Lead,
            (Some(_), Some((MemberRole::Member, state))) => Participation::Member(state),
            (Some(_), None) => Participation::Member(ConsentState::Invited),
        };
        let lead_name = app
            .lead_municipality_id
            .and_then(|id| municipalities.get(&id).map(|m| &m.name))
            .or_else(|| {
                app.partner_organisation_id
                    .and_then(|id| partners.get(&id).map(|p| &p.name))
            })
            .cloned()
            .unwrap_or_default();
        out.push(DossierSummary {
            id: app.id,
            open_change_request: app.open_change_request,
            decided: app.decided_at.is_some(),
            answer_due_on: app.answer_due_on,
            joined_in_year: app.member_joined,
            reference: app.reference,
            title: app.title,
            kind: app.kind,
            state: app.state,
            participation,
            lead_name,
            call,
        });
    }
    out.sort_by(|a, b| {
        b.call
            .submission_opens_at
            .cmp(&a.call.submission_opens_at)
            .then_with(|| a.reference.cmp(&b.reference))
    });
    Ok(out)
}

/// A municipality's standing in one call: where it is on the call's map, the eligibility verdict
/// and, when asked, the pooling advisor's cooperations.
#[derive(Debug, Clone)]
pub struct Standing {
    /// The call's whole map, with the database id per municipality.
    pub directory: std::sync::Arc<crate::store::reference_cache::DirectoryWithIds>,
    pub municipality: crate::domain::Municipality,
    pub verdict: crate::domain::Verdict,
    pub advice: Option<Result<crate::domain::Advice, crate::domain::AdvisorError>>,
}

/// The advisor shows the smallest cooperation and two alternatives per list: enough to choose
/// from, short enough to read.
pub const ADVISOR_OPTIONS: crate::domain::AdvisorOptions =
    crate::domain::AdvisorOptions { max_proposals: 3 };

/// The standing of municipality `nis` in the call; `None` when it is not on the call's map. The
/// municipality's own dossier of the call is found in the same statement (the region's
/// memberships include its own) and returned with the standing; it does not count against the
/// municipality: the verdict says whether it may apply the way it does. The advisor runs when
/// `advise`.
pub async fn standing<C: ConnectionTrait>(
    db: &C,
    reference: &Reference,
    context: &crate::store::rules::CallContext,
    nis: crate::domain::NisCode,
    advise: bool,
) -> Result<Option<(Standing, Option<String>)>, DbErr> {
    let Some(place) = place_of(reference, context, nis).await? else {
        return Ok(None);
    };
    let taken = crate::store::rules::taken_among(db, context.call.id, &place.region).await?;
    let own = taken.application_of(nis).map(str::to_owned);
    let standing = place.standing(context, &taken, own.as_deref(), advise);
    Ok(Some((standing, own)))
}

/// One call [`standings`] is asked about. The dossier `own_reference` (the municipality's own
/// in that call) does not count against it; the advisor runs when `advise`.
pub struct StandingQuery<'a> {
    pub context: &'a crate::store::rules::CallContext,
    pub own_reference: Option<&'a str>,
    pub advise: bool,
}

/// The standings of municipality `nis` in several calls, with one statement for who is taken in all of them: the
/// official's dashboard shows every open call. Calls whose map lacks `nis` are not in the answer.
pub async fn standings<C: ConnectionTrait>(
    db: &C,
    reference: &Reference,
    queries: &[StandingQuery<'_>],
    nis: crate::domain::NisCode,
) -> Result<HashMap<i64, Standing>, DbErr> {
    let mut places = Vec::with_capacity(queries.len());
    for query in queries {
        if let Some(place) = place_of(reference, query.context, nis).await? {
            places.push((query, place));
        }
    }
    let wanted: Vec<(i64, &[i32])> = places
        .iter()
        .map(|(query, place)| (query.context.call.id, place.region.as_slice()))
        .collect();
    let mut taken = crate::store::rules::taken_in_calls(db, &wanted).await?;
    Ok(places
        .into_iter()
        .map(|(query, place)| {
            let call_id = query.context.call.id;
            let taken = taken.remove(&call_id).unwrap_or_default();
            let standing = place.standing(query.context, &taken, query.own_reference, query.advise);
            (call_id, standing)
        })
        .collect())
}

/// Where a municipality is on a call's map: the whole map, the municipality and the NIS codes of
/// its reference region (itself included), which is everything its verdict and the advisor
/// read (`store::rules::directory_around` and `tests/api/load.rs`).
struct Place {
    directory: std::sync::Arc<crate::store::reference_cache::DirectoryWithIds>,
    municipality: crate::domain::Municipality,
    region: Vec<i32>,
}

/// The place of `nis` on the call's map, from the reference data in memory.
async fn place_of(
    reference: &Reference,
    context: &crate::store::rules::CallContext,
    nis: crate::domain::NisCode,
) -> Result<Option<Place>, DbErr> {
    let directory = reference
        .directory(context.call.reference_year, context.map_date())
        .await?;
    let Some(municipality) = directory.0.get(nis).cloned() else {
        return Ok(None);
    };
    let region: Vec<i32> = directory
        .0
        .iter()
        .filter(|m| m.region_code == municipality.region_code)
        .filter_map(|m| i32::try_from(m.nis_code.get()).ok())
        .collect();
    Ok(Some(Place {
        directory,
        municipality,
        region,
    }))
}

impl Place {
    /// The verdict and, when asked, the advice, given who is taken in the region.
    fn standing(
        self,
        context: &crate::store::rules::CallContext,
        taken: &crate::domain::Taken,
        own_reference: Option<&str>,
        advise: bool,
    ) -> Standing {
        use crate::domain::{Advisor, assess_single};
        let verdict = match own_reference {
            Some(reference) => assess_single(
                &context.rules,
                &self.municipality,
                &taken.without_application(reference),
            ),
            None => assess_single(&context.rules, &self.municipality, taken),
        };
        let nis = self.municipality.nis_code;
        let advice = advise.then(|| {
            Advisor::new(&context.rules, &self.directory.0, taken, ADVISOR_OPTIONS).advise(nis)
        });
        Standing {
            directory: self.directory,
            municipality: self.municipality,
            verdict,
            advice,
        }
    }
}

/// The NIS code of municipality `id` (the API's `me`), if it exists.
pub async fn nis_code_of<C: ConnectionTrait>(db: &C, id: i64) -> Result<Option<i32>, DbErr> {
    Ok(municipality::Entity::find_by_id(id)
        .one(db)
        .await?
        .map(|m| m.nis_code))
}
