//! Loading what the rules engine needs from the database into its plain types: the call's rules,
//! the directory of municipalities with their figures, and who is already in an application.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, JoinType, QueryFilter, QueryOrder,
    QuerySelect, RelationTrait,
};

use entity::application_member::ConsentState;
use entity::{
    action, application, application_member, call, call_action, call_action_amount,
    call_named_applicant, call_project_year, municipality, partner_organisation, population_figure,
    reference_region, region_membership,
};

use crate::domain::figures::{Former, Merger};
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
    /// The call's project years, by number (each a round when it has a window of its own).
    pub years: Vec<call_project_year::Model>,
    /// Per reach line (`call_action` id), the amounts per unit that change from a project year
    /// on (issue 21, yearly rounds), by year.
    pub amounts: BTreeMap<i64, Vec<(u16, Cents)>>,
}

impl CallContext {
    /// The call's own submission window (its first round's).
    pub fn window(&self) -> crate::domain::window::CallWindow {
        window_of(&self.call)
    }

    /// The call's rounds, one per project year with a window of its own.
    pub fn rounds(&self) -> crate::domain::rounds::Rounds {
        rounds_of(&self.call, &self.years)
    }

    /// The amount per unit of reach line `line` in project year `year`.
    pub fn unit_cost_in(&self, line: &call_action::Model, year: i32) -> i64 {
        let base = Cents::new(line.unit_cost_cents).unwrap_or_default();
        let changes = self.amounts.get(&line.id).map_or(&[][..], Vec::as_slice);
        crate::domain::rounds::amount_in_year(base, changes, u16::try_from(year).unwrap_or(0)).get()
    }

    /// The requested grant of `line` with `planned` reach in project year `year`: planned reach
    /// (capped at the line's maximum) × the year's amount per unit.
    pub fn requested_in(&self, line: &call_action::Model, planned: i32, year: i32) -> i64 {
        let capped = planned.clamp(0, line.max_reach.max(0));
        self.unit_cost_in(line, year)
            .saturating_mul(i64::from(capped))
    }

    /// The day on which the municipal map and the reference regions are read for this call:
    /// the opening of its submission window.
    pub fn map_date(&self) -> NaiveDate {
        crate::domain::time::brussels_date(self.call.submission_opens_at)
    }
}

/// A stored call's rounds: its own window for the first project year, and each later project
/// year with a window of its own.
pub fn rounds_of(
    call: &call::Model,
    years: &[call_project_year::Model],
) -> crate::domain::rounds::Rounds {
    let years: Vec<crate::domain::rounds::YearWindow> = years
        .iter()
        .filter_map(|y| {
            Some(crate::domain::rounds::YearWindow {
                year: u16::try_from(y.year_number).ok()?,
                opens_at: y.submission_opens_at,
                closes_at: y.submission_closes_at,
            })
        })
        .collect();
    crate::domain::rounds::Rounds::new(window_of(call), &years)
}

/// A stored call's submission window.
pub fn window_of(call: &call::Model) -> crate::domain::window::CallWindow {
    crate::domain::window::CallWindow {
        open: call.state == call::CallState::Open,
        opens_at: call.submission_opens_at,
        closes_at: call.submission_closes_at,
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
        .filter_map(|(ca, a)| a.map(|a| as_offered(ca, a)))
        .collect::<Vec<_>>();
    actions.sort_by_key(|(_, a)| ActionCode::parse(&a.code).ok());
    let partners = partner_organisation::Entity::find().all(db).await?;
    let mut amounts: BTreeMap<i64, Vec<(u16, Cents)>> = BTreeMap::new();
    if !actions.is_empty() {
        let rows = call_action_amount::Entity::find()
            .filter(
                call_action_amount::Column::CallActionId.is_in(actions.iter().map(|(ca, _)| ca.id)),
            )
            .order_by_asc(call_action_amount::Column::YearNumber)
            .all(db)
            .await?;
        for row in rows {
            let year = u16::try_from(row.year_number)
                .map_err(|_| invalid("project year", row.year_number))?;
            amounts
                .entry(row.call_action_id)
                .or_default()
                .push((year, cents(row.unit_cost_cents)?));
        }
    }
    let year_numbers: Vec<u16> = years
        .iter()
        .filter_map(|y| u16::try_from(y.year_number).ok())
        .collect();

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
                    unit_cost_cents_by_project_year: by_year(
                        cents(ca.unit_cost_cents)?,
                        amounts.get(&ca.id).map_or(&[][..], Vec::as_slice),
                        &year_numbers,
                    ),
                })
            })
            .collect::<Result<_, DbErr>>()?,
        parameters_fictitious: call.parameters_fictitious,
    };
    Ok(Some(CallContext {
        call,
        rules,
        actions,
        years,
        amounts,
    }))
}

/// A line's amounts per project year where they differ from its own amount.
fn by_year(base: Cents, changes: &[(u16, Cents)], years: &[u16]) -> BTreeMap<u16, Cents> {
    if changes.is_empty() {
        return BTreeMap::new();
    }
    years
        .iter()
        .map(|y| (*y, crate::domain::rounds::amount_in_year(base, changes, *y)))
        .filter(|(_, amount)| *amount != base)
        .collect()
}

/// An action as the call offers it on one reach line: for an action with several lines (issue
/// 21), the catalog entry carries the line's code (`3.2b`) and its target group in the title, so
/// that every page, check and export that lists a call's actions lists its lines. An action's
/// only line (`line_number` 0) keeps the plan's code and title.
pub fn as_offered(
    line: call_action::Model,
    mut action: action::Model,
) -> (call_action::Model, action::Model) {
    if let Some(code) = ActionCode::parse(&action.code).ok().and_then(|code| {
        u8::try_from(line.line_number)
            .ok()
            .and_then(|n| code.with_line(n))
    }) {
        action.code = code.to_string();
        let group = line
            .unit_label_plural
            .as_deref()
            .unwrap_or(&line.unit_label);
        action.title = format!("{} ({group})", action.title);
    }
    (line, action)
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
    load_directory(db, reference_year, on, None).await
}

/// The part of the directory that the verdicts, the application checks and the pooling advisor
/// read for the municipalities `nis_codes`: every municipality of their reference regions on
/// `on`. For these municipalities it gives the same answers as [`directory`] (the advisor only
/// looks inside the asking municipality's region; `tests/api/load.rs` compares both for every
/// municipality), at a fraction of the rows: the dashboard and dossier pages use it.
pub async fn directory_around<C: ConnectionTrait>(
    db: &C,
    reference_year: i32,
    on: NaiveDate,
    nis_codes: &[i32],
) -> Result<(Directory, HashMap<NisCode, i64>), DbErr> {
    if nis_codes.is_empty() {
        return Ok((
            Directory::new(Vec::new()).map_err(|e| invalid("directory", e))?,
            HashMap::new(),
        ));
    }
    let regions: Vec<i64> = region_membership::Entity::find()
        .select_only()
        .column(region_membership::Column::ReferenceRegionId)
        .join(
            JoinType::InnerJoin,
            region_membership::Relation::Municipality.def(),
        )
        .filter(municipality::Column::NisCode.is_in(nis_codes.iter().copied()))
        .filter(valid_on(
            municipality::Column::ValidFrom.lte(on),
            municipality::Column::ValidTo.is_null(),
            municipality::Column::ValidTo.gte(on),
        ))
        .filter(valid_on(
            region_membership::Column::ValidFrom.lte(on),
            region_membership::Column::ValidTo.is_null(),
            region_membership::Column::ValidTo.gte(on),
        ))
        .distinct()
        .into_tuple()
        .all(db)
        .await?;
    load_directory(db, reference_year, on, Some(&regions)).await
}

fn valid_on(
    from: sea_orm::sea_query::SimpleExpr,
    to_null: sea_orm::sea_query::SimpleExpr,
    to_gte: sea_orm::sea_query::SimpleExpr,
) -> Condition {
    Condition::all()
        .add(from)
        .add(Condition::any().add(to_null).add(to_gte))
}

/// The directory on `on`, of every reference region or only of `regions`. A municipality formed
/// by a merger before `on` carries its former municipalities with their figures, and its own
/// figures follow the domain's rule for merged municipalities ([`Municipality::merged`]).
async fn load_directory<C: ConnectionTrait>(
    db: &C,
    reference_year: i32,
    on: NaiveDate,
    regions_only: Option<&[i64]>,
) -> Result<(Directory, HashMap<NisCode, i64>), DbErr> {
    // Only the columns the engine uses: this runs on every dashboard and dossier page.
    let mut membership_query = region_membership::Entity::find()
        .select_only()
        .columns([
            region_membership::Column::MunicipalityId,
            region_membership::Column::ReferenceRegionId,
        ])
        .filter(valid_on(
            region_membership::Column::ValidFrom.lte(on),
            region_membership::Column::ValidTo.is_null(),
            region_membership::Column::ValidTo.gte(on),
        ));
    if let Some(regions) = regions_only {
        membership_query = membership_query
            .filter(region_membership::Column::ReferenceRegionId.is_in(regions.iter().copied()));
    }
    let memberships: HashMap<i64, i64> = membership_query
        .into_tuple::<(i64, i64)>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    let mut municipality_query = municipality::Entity::find()
        .select_only()
        .columns([
            municipality::Column::Id,
            municipality::Column::NisCode,
            municipality::Column::Name,
            municipality::Column::ValidFrom,
        ])
        .filter(valid_on(
            municipality::Column::ValidFrom.lte(on),
            municipality::Column::ValidTo.is_null(),
            municipality::Column::ValidTo.gte(on),
        ));
    if regions_only.is_some() {
        municipality_query =
            municipality_query.filter(municipality::Column::Id.is_in(memberships.keys().copied()));
    }
    let municipalities: Vec<(i64, i32, String, NaiveDate)> =
        municipality_query.into_tuple().all(db).await?;
    // The former municipalities of those formed by a merger before `on` (a few dozen rows).
    let mut former_query = municipality::Entity::find()
        .select_only()
        .columns([
            municipality::Column::Id,
            municipality::Column::NisCode,
            municipality::Column::Name,
            municipality::Column::ValidTo,
            municipality::Column::SuccessorId,
        ])
        .filter(municipality::Column::SuccessorId.is_not_null())
        .filter(municipality::Column::ValidTo.lt(on));
    if regions_only.is_some() {
        former_query = former_query
            .filter(municipality::Column::SuccessorId.is_in(memberships.keys().copied()));
    }
    type FormerRow = (i64, i32, String, Option<NaiveDate>, Option<i64>);
    let former_rows: Vec<FormerRow> = former_query.into_tuple().all(db).await?;
    let regions: HashMap<i64, reference_region::Model> = reference_region::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|r| (r.id, r))
        .collect();
    type FigureRow = (
        i64,
        Option<i64>,
        Option<String>,
        Option<i64>,
        Option<String>,
        bool,
    );
    let mut figure_query = population_figure::Entity::find()
        .select_only()
        .columns([
            population_figure::Column::MunicipalityId,
            population_figure::Column::Residents,
            population_figure::Column::ResidentsSource,
            population_figure::Column::NonEu15Residents,
            population_figure::Column::NonEu15Source,
            population_figure::Column::NonEu15Fictitious,
        ])
        .filter(population_figure::Column::ReferenceYear.eq(reference_year));
    if regions_only.is_some() {
        figure_query = figure_query.filter(
            population_figure::Column::MunicipalityId.is_in(
                memberships
                    .keys()
                    .copied()
                    .chain(former_rows.iter().map(|f| f.0)),
            ),
        );
    }
    let figures: HashMap<i64, FigureRow> = figure_query
        .into_tuple::<FigureRow>()
        .all(db)
        .await?
        .into_iter()
        .map(|f| (f.0, f))
        .collect();
    let year = u16::try_from(reference_year)
        .ok()
        .and_then(ReferenceYear::new)
        .ok_or_else(|| invalid("reference year", reference_year))?;

    // (residents, non-EU15) of a municipality id.
    let figures_of = |id: i64| -> (Option<Figure>, Option<Figure>) {
        let figure = figures.get(&id);
        let residents = figure.and_then(|(_, residents, source, _, _, _)| {
            Some(Figure {
                value: u64::try_from((*residents)?).ok()?,
                year,
                source: source.clone().unwrap_or_default(),
                fictitious: false,
            })
        });
        let non_eu15 = figure.and_then(|(_, _, _, non_eu15, source, fictitious)| {
            Some(Figure {
                value: u64::try_from((*non_eu15)?).ok()?,
                year,
                source: source.clone().unwrap_or_default(),
                fictitious: *fictitious,
            })
        });
        (residents, non_eu15)
    };
    // Successor id -> (its first day, its former municipalities).
    let mut mergers: HashMap<i64, (NaiveDate, Vec<Former>)> = HashMap::new();
    for (id, nis_code, name, valid_to, successor) in &former_rows {
        let (Some(successor), Some(last_day)) = (successor, valid_to) else {
            continue;
        };
        let first_day = last_day.succ_opt().unwrap_or(*last_day);
        let (residents, non_eu15) = figures_of(*id);
        let entry = mergers
            .entry(*successor)
            .or_insert_with(|| (first_day, Vec::new()));
        entry.0 = entry.0.max(first_day);
        entry.1.push(Former {
            nis_code: nis(*nis_code)?,
            name: name.clone(),
            residents,
            non_eu15,
        });
    }

    let mut ids = HashMap::new();
    let mut list = Vec::with_capacity(municipalities.len());
    for (id, nis_code, name, valid_from) in municipalities {
        let Some(region) = memberships.get(&id).and_then(|r| regions.get(r)) else {
            continue;
        };
        let code = nis(nis_code)?;
        let (residents, non_eu15) = figures_of(id);
        ids.insert(code, id);
        let mut municipality = Municipality {
            nis_code: code,
            name,
            region_code: RegionCode::parse(&region.code)
                .map_err(|_| invalid("region code", &region.code))?,
            region_name: region.name.clone(),
            residents,
            non_eu15,
            merger: None,
        };
        if let Some((merged_on, mut former)) = mergers.remove(&id) {
            // A municipality that existed before the merger continues its NIS code (Antwerpen):
            // its own figures of before are those of one former municipality.
            if valid_from < merged_on {
                former.push(Former {
                    nis_code: code,
                    name: municipality.name.clone(),
                    residents: municipality.residents.clone(),
                    non_eu15: municipality.non_eu15.clone(),
                });
            }
            former.sort_by_key(|f| f.nis_code);
            municipality = municipality.merged(Merger { merged_on, former }, year);
        }
        list.push(municipality);
    }
    let directory = Directory::new(list).map_err(|e| invalid("directory", e))?;
    Ok((directory, ids))
}

/// Every municipality already in an application of the call (declined invitations excluded),
/// with that application's reference.
pub async fn taken<C: ConnectionTrait>(db: &C, call_id: i64) -> Result<Taken, DbErr> {
    let rows = load_taken(db, &[call_id], None).await?;
    taken_from(
        rows.into_iter()
            .map(|(_, nis_code, reference)| (nis_code, reference)),
    )
}

/// [`taken`] for the municipalities `nis_codes` only: enough for the verdicts, checks and advice
/// about them (see [`directory_around`]).
pub async fn taken_among<C: ConnectionTrait>(
    db: &C,
    call_id: i64,
    nis_codes: &[i32],
) -> Result<Taken, DbErr> {
    let mut by_call = taken_in_calls(db, &[(call_id, nis_codes)]).await?;
    Ok(by_call.remove(&call_id).unwrap_or_default())
}

/// [`taken_among`] for several calls at once, each with its own municipalities, in one
/// statement: the official's dashboard asks this for every open call. Every call asked for is
/// in the answer.
pub async fn taken_in_calls<C: ConnectionTrait>(
    db: &C,
    wanted: &[(i64, &[i32])],
) -> Result<HashMap<i64, Taken>, DbErr> {
    // Per call: the NIS codes asked for and the memberships found among them.
    type Asked = (std::collections::HashSet<i32>, Vec<(i32, String)>);
    let mut by_call: HashMap<i64, Asked> = wanted
        .iter()
        .map(|(call_id, codes)| (*call_id, (codes.iter().copied().collect(), Vec::new())))
        .collect();
    let call_ids: Vec<i64> = by_call.keys().copied().collect();
    let mut codes: Vec<i32> = by_call
        .values()
        .flat_map(|(codes, _)| codes.iter().copied())
        .collect();
    codes.sort_unstable();
    codes.dedup();
    if !codes.is_empty() {
        for (call_id, nis_code, reference) in load_taken(db, &call_ids, Some(&codes)).await? {
            if let Some((asked, rows)) = by_call.get_mut(&call_id)
                && asked.contains(&nis_code)
            {
                rows.push((nis_code, reference));
            }
        }
    }
    by_call
        .into_iter()
        .map(|(call_id, (_, rows))| Ok((call_id, taken_from(rows)?)))
        .collect()
}

fn taken_from(rows: impl IntoIterator<Item = (i32, String)>) -> Result<Taken, DbErr> {
    let mut taken = Taken::new();
    for (nis_code, reference) in rows {
        taken
            .insert(nis(nis_code)?, &reference)
            .map_err(|e| invalid("membership", e))?;
    }
    Ok(taken)
}

/// The memberships of the calls (declined invitations left out) as (call, NIS code, dossier
/// reference), for the municipalities `only` when given.
async fn load_taken<C: ConnectionTrait>(
    db: &C,
    call_ids: &[i64],
    only: Option<&[i32]>,
) -> Result<Vec<(i64, i32, String)>, DbErr> {
    // One query, three narrow columns: this runs on every dashboard and dossier page.
    let mut query = application_member::Entity::find()
        .select_only()
        .column(application_member::Column::CallId)
        .column(municipality::Column::NisCode)
        .column(application::Column::Reference)
        .join(
            JoinType::InnerJoin,
            application_member::Relation::Municipality.def(),
        )
        .join(
            JoinType::InnerJoin,
            application_member::Relation::Application.def(),
        )
        .filter(application_member::Column::CallId.is_in(call_ids.iter().copied()))
        .filter(application_member::Column::ConsentState.ne(ConsentState::Declined));
    if let Some(codes) = only {
        // By municipality id, not by the joined NIS code: the (call, municipality) key then
        // finds each membership directly instead of reading every membership of the call.
        query = query.filter(
            application_member::Column::MunicipalityId.in_subquery(
                sea_orm::sea_query::Query::select()
                    .column(municipality::Column::Id)
                    .from(municipality::Entity)
                    .and_where(municipality::Column::NisCode.is_in(codes.iter().copied()))
                    .to_owned(),
            ),
        );
    }
    query.into_tuple().all(db).await
}
