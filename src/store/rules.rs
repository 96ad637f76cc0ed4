//! Loading what the rules engine needs from the database into its plain types: the call's rules,
//! the directory of municipalities with their figures, and who is already in an application.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
};

use entity::application_member::ConsentState;
use entity::{
    action, application, application_member, call, call_action, call_named_applicant,
    call_project_year, municipality, partner_organisation, population_figure, reference_region,
    region_membership,
};

use crate::domain::{
    ActionCode, BasisPoints, CallAction, CallRules, Cents, Directory, Figure, Municipality,
    NamedApplicant, NisCode, PartnerOrganisation, ProjectYear, Ratio, Reach, ReferenceYear,
    RegionCode, Taken,
};

/// Data in the database that the domain types refuse (a bug or a manual edit), reported as a
/// database error so it is logged and shown as an internal error.
fn invalid(what: &str, value: impl std::fmt::Display) -> DbErr {
    DbErr::Custom(format!("invalid {what} in the database: {value}"))
}

/// A call with its rules and its catalog of eligible actions.
#[derive(Debug, Clone)]
pub struct CallContext {
    pub call: call::Model,
    pub rules: CallRules,
    /// The call's actions with their catalog entry, ordered by action code.
    pub actions: Vec<(call_action::Model, action::Model)>,
}

impl CallContext {
    /// The day on which the municipal map and the reference regions are read for this call:
    /// the opening of its submission window.
    pub fn map_date(&self) -> NaiveDate {
        self.call.submission_opens_at.date_naive()
    }
}

pub async fn call_context<C: ConnectionTrait>(
    db: &C,
    call_id: i64,
) -> Result<Option<CallContext>, DbErr> {
    let Some(call) = call::Entity::find_by_id(call_id).one(db).await? else {
        return Ok(None);
    };
    let years = call_project_year::Entity::find()
        .filter(call_project_year::Column::CallId.eq(call.id))
        .order_by_asc(call_project_year::Column::YearNumber)
        .all(db)
        .await?;
    let named = call_named_applicant::Entity::find()
        .filter(call_named_applicant::Column::CallId.eq(call.id))
        .all(db)
        .await?;
    let mut actions = call_action::Entity::find()
        .filter(call_action::Column::CallId.eq(call.id))
        .find_also_related(action::Entity)
        .all(db)
        .await?
        .into_iter()
        .filter_map(|(ca, a)| a.map(|a| (ca, a)))
        .collect::<Vec<_>>();
    actions.sort_by_key(|(_, a)| ActionCode::parse(&a.code).ok());
    let partners = partner_organisation::Entity::find().all(db).await?;

    let rules = CallRules {
        code: call.code.clone(),
        title: call.title.clone(),
        reference_year: u16::try_from(call.reference_year)
            .ok()
            .and_then(ReferenceYear::new)
            .ok_or_else(|| invalid("reference year", call.reference_year))?,
        period_start: call.period_start,
        period_end: call.period_end,
        single_applicant_min_exclusive: u64::try_from(call.single_applicant_min_exclusive)
            .map_err(|_| invalid("threshold", call.single_applicant_min_exclusive))?,
        pooled_min_inclusive: u64::try_from(call.pooled_min_inclusive)
            .map_err(|_| invalid("threshold", call.pooled_min_inclusive))?,
        incentive_min_share_basis_points: basis_points(call.incentive_min_share_bp)?,
        incentive_cents_per_project_year: cents(call.incentive_cents_per_project_year)?,
        cofinancing_basis_points: basis_points(call.cofinancing_bp)?,
        coverage_aim: match (call.coverage_aim_numerator, call.coverage_aim_denominator) {
            (Some(n), Some(d)) => Some(
                Ratio::new(
                    u64::try_from(n).map_err(|_| invalid("coverage aim", n))?,
                    u64::try_from(d).map_err(|_| invalid("coverage aim", d))?,
                )
                .ok_or_else(|| invalid("coverage aim", format!("{n}/{d}")))?,
            ),
            _ => None,
        },
        named_single_applicants: named
            .iter()
            .map(|n| {
                Ok(NamedApplicant {
                    nis_code: nis(n.nis_code)?,
                    name: n.name.clone(),
                })
            })
            .collect::<Result<_, DbErr>>()?,
        partner_organisations: partners
            .iter()
            .map(|p| PartnerOrganisation {
                code: p.code.clone(),
                name: p.name.clone(),
            })
            .collect(),
        project_years: years
            .iter()
            .map(|y| {
                Ok(ProjectYear {
                    year: u16::try_from(y.year_number)
                        .map_err(|_| invalid("project year", y.year_number))?,
                    starts_on: y.starts_on,
                    ends_on: y.ends_on,
                    envelope_cents: cents(y.envelope_cents)?,
                })
            })
            .collect::<Result<_, DbErr>>()?,
        actions: actions
            .iter()
            .map(|(ca, a)| {
                Ok(CallAction {
                    code: ActionCode::parse(&a.code)
                        .map_err(|_| invalid("action code", &a.code))?,
                    title: a.title.clone(),
                    unit_label: Some(ca.unit_label.clone()),
                    unit_cost_cents: cents(ca.unit_cost_cents)?,
                    max_reach: Reach::new(
                        u32::try_from(ca.max_reach)
                            .map_err(|_| invalid("max reach", ca.max_reach))?,
                    ),
                    unit_cost_cents_by_project_year: BTreeMap::new(),
                })
            })
            .collect::<Result<_, DbErr>>()?,
    };
    Ok(Some(CallContext {
        call,
        rules,
        actions,
    }))
}

pub fn nis(code: i32) -> Result<NisCode, DbErr> {
    u32::try_from(code)
        .ok()
        .and_then(NisCode::new)
        .ok_or_else(|| invalid("NIS code", code))
}

pub fn cents(value: i64) -> Result<Cents, DbErr> {
    Cents::new(value).ok_or_else(|| invalid("amount", value))
}

fn basis_points(value: i32) -> Result<BasisPoints, DbErr> {
    u32::try_from(value)
        .ok()
        .and_then(BasisPoints::new)
        .ok_or_else(|| invalid("basis points", value))
}

/// The municipalities that existed on `on`, each in the reference region it belonged to that
/// day, with its figures for `reference_year`. Also returns the database id per NIS code.
pub async fn directory<C: ConnectionTrait>(
    db: &C,
    reference_year: i32,
    on: NaiveDate,
) -> Result<(Directory, HashMap<NisCode, i64>), DbErr> {
    let valid_on = |from: sea_orm::sea_query::SimpleExpr, to_null, to_gte| {
        Condition::all()
            .add(from)
            .add(Condition::any().add(to_null).add(to_gte))
    };
    let municipalities = municipality::Entity::find()
        .filter(valid_on(
            municipality::Column::ValidFrom.lte(on),
            municipality::Column::ValidTo.is_null(),
            municipality::Column::ValidTo.gte(on),
        ))
        .all(db)
        .await?;
    let memberships: HashMap<i64, i64> = region_membership::Entity::find()
        .filter(valid_on(
            region_membership::Column::ValidFrom.lte(on),
            region_membership::Column::ValidTo.is_null(),
            region_membership::Column::ValidTo.gte(on),
        ))
        .all(db)
        .await?
        .into_iter()
        .map(|m| (m.municipality_id, m.reference_region_id))
        .collect();
    let regions: HashMap<i64, reference_region::Model> = reference_region::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|r| (r.id, r))
        .collect();
    let figures: HashMap<i64, population_figure::Model> = population_figure::Entity::find()
        .filter(population_figure::Column::ReferenceYear.eq(reference_year))
        .all(db)
        .await?
        .into_iter()
        .map(|f| (f.municipality_id, f))
        .collect();
    let year = u16::try_from(reference_year)
        .ok()
        .and_then(ReferenceYear::new)
        .ok_or_else(|| invalid("reference year", reference_year))?;

    let mut ids = HashMap::new();
    let mut list = Vec::with_capacity(municipalities.len());
    for m in municipalities {
        let Some(region) = memberships.get(&m.id).and_then(|r| regions.get(r)) else {
            continue;
        };
        let code = nis(m.nis_code)?;
        let figure = figures.get(&m.id);
        let residents = figure.and_then(|f| {
            Some(Figure {
                value: u64::try_from(f.residents?).ok()?,
                year,
                source: f.residents_source.clone().unwrap_or_default(),
                fictitious: false,
            })
        });
        let non_eu15 = figure.and_then(|f| {
            Some(Figure {
                value: u64::try_from(f.non_eu15_residents?).ok()?,
                year,
                source: f.non_eu15_source.clone().unwrap_or_default(),
                fictitious: f.non_eu15_fictitious,
            })
        });
        ids.insert(code, m.id);
        list.push(Municipality {
            nis_code: code,
            name: m.name,
            region_code: RegionCode::parse(&region.code)
                .map_err(|_| invalid("region code", &region.code))?,
            region_name: region.name.clone(),
            residents,
            non_eu15,
        });
    }
    let directory = Directory::new(list).map_err(|e| invalid("directory", e))?;
    Ok((directory, ids))
}

/// Every municipality already in an application of the call (declined invitations excluded),
/// with that application's reference.
pub async fn taken<C: ConnectionTrait>(db: &C, call_id: i64) -> Result<Taken, DbErr> {
    let rows = application_member::Entity::find()
        .filter(application_member::Column::CallId.eq(call_id))
        .filter(application_member::Column::ConsentState.ne(ConsentState::Declined))
        .find_also_related(municipality::Entity)
        .all(db)
        .await?;
    let references: HashMap<i64, String> = application::Entity::find()
        .filter(application::Column::CallId.eq(call_id))
        .all(db)
        .await?
        .into_iter()
        .map(|a| (a.id, a.reference))
        .collect();
    let mut taken = Taken::new();
    for (member, m) in rows {
        let (Some(m), Some(reference)) = (m, references.get(&member.application_id)) else {
            continue;
        };
        taken
            .insert(nis(m.nis_code)?, reference)
            .map_err(|e| invalid("membership", e))?;
    }
    Ok(taken)
}
