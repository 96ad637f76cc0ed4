//! The figures of ABB's programme dashboard for one call, read from the dossiers, decisions,
//! allocations, payments and accepted progress reports of that call only.
//!
//! Definitions (also on the page):
//! - dossiers: every dossier of the call except drafts (drafts are the applicants' business);
//! - envelope: the project year's envelope; allocated: the confirmed allocation of that year
//!   (action lines as adjusted, plus the incentives taken off the envelope), none while no
//!   allocation is confirmed;
//! - granted: the standing decisions (approved or partly approved, not reopened): their lines
//!   of that project year plus the incentive for every project year the dossier runs, so the
//!   years add up to the decisions' `total_granted_cents`;
//! - paid: advances and balances in state "paid"; reclaimed: reclaims approved or paid (a
//!   reclaim only proposed or cancelled does not count);
//! - per action: dossiers that chose it, the grant they request per project year, the granted
//!   decision lines (all years); per region and province: by the lead municipality (its
//!   reference region on the call's map date), partner organisations apart;
//! - KPI achievement: per KPI of the call's dossiers, its latest result in an accepted progress
//!   report (a later project year first, a year report before an interim one); reached when the
//!   result is at least the target;
//! - coverage: the domain's `programme_coverage` over the members of approved dossiers;
//! - results per objective and reach line ([`reach_results`]): the rules of
//!   `domain::results` over the lines the approved and partly approved dossiers took and the
//!   values of their reach KPIs.

use std::collections::{BTreeMap, HashMap, HashSet};

use sea_orm::{ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, Iterable, QueryFilter};

use entity::allocation::AllocationState;
use entity::application::{self, ApplicationState};
use entity::application_member::ConsentState;
use entity::decision::DecisionOutcome;
use entity::payment::{PaymentState, Tranche};
use entity::progress_report::{ReportKind, ReportState};
use entity::{
    action, application_action, application_member, call, call_action, call_project_year, decision,
    decision_line, kpi, kpi_result, municipality, payment, progress_report, reference_region,
    region_membership,
};

use crate::domain::results::{
    Line as ResultLine, ProgrammeResults, Reported, Take, programme_results,
};
use crate::domain::{ActionCode, Coverage, KpiValue, NisCode, programme_coverage};
use crate::store::{allocations, followup, rules};

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct YearBudget {
    pub year: i32,
    pub envelope: i64,
    /// `None` while no allocation of the year is confirmed.
    pub allocated: Option<i64>,
    pub granted: i64,
    pub paid: i64,
    pub reclaimed: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StateCount {
    pub state: ApplicationState,
    pub count: u64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ActionFigures {
    pub code: String,
    pub title: String,
    pub dossiers: u64,
    /// Requested grant per project year, summed over the dossiers.
    pub requested: i64,
    /// Granted decision lines, all project years.
    pub granted: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AreaFigures {
    pub name: String,
    pub dossiers: u64,
    pub granted: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KpiFigures {
    pub code: String,
    pub title: String,
    pub kpis: u64,
    pub reported: u64,
    pub reached: u64,
}

#[derive(Debug, Clone)]
pub struct Programme {
    pub years: Vec<YearBudget>,
    pub states: Vec<StateCount>,
    pub actions: Vec<ActionFigures>,
    pub regions: Vec<AreaFigures>,
    pub provinces: Vec<AreaFigures>,
    pub kpis: Vec<KpiFigures>,
    pub coverage: Coverage,
    pub dossiers: u64,
}

pub const DECIDED_FOR: [ApplicationState; 2] =
    [ApplicationState::Approved, ApplicationState::PartlyApproved];

const PARTNER: &str = "partnerorganisatie (aparte overeenkomst)";

/// The calls the dashboard offers, the one opening last first.
pub async fn calls<C: ConnectionTrait>(db: &C) -> Result<Vec<call::Model>, DbErr> {
    use sea_orm::QueryOrder;
    call::Entity::find()
        .order_by_desc(call::Column::SubmissionOpensAt)
        .all(db)
        .await
}

/// The call the dashboard shows: `chosen` when given (`None` when it does not exist), else the
/// default call (`store::calls::default_call_id`).
pub async fn chosen_call<C: ConnectionTrait>(
    db: &C,
    chosen: Option<Option<i64>>,
) -> Result<Option<call::Model>, DbErr> {
    let id = match chosen {
        Some(id) => id,
        None => crate::store::calls::default_call_id(db).await?,
    };
    match id {
        Some(id) => call::Entity::find_by_id(id).one(db).await,
        None => Ok(None),
    }
}

pub async fn programme<C: ConnectionTrait>(
    db: &C,
    call_id: i64,
) -> Result<Option<Programme>, DbErr> {
    let Some(context) = rules::call_context(db, call_id).await? else {
        return Ok(None);
    };
    let apps: Vec<application::Model> = application::Entity::find()
        .filter(application::Column::CallId.eq(call_id))
        .filter(application::Column::State.ne(ApplicationState::Draft))
        .all(db)
        .await?;
    let app_ids: Vec<i64> = apps.iter().map(|a| a.id).collect();

    // Standing decisions: the newest not reopened decision of an approved dossier.
    let mut standing: HashMap<i64, decision::Model> = HashMap::new();
    for d in decision::Entity::find()
        .filter(decision::Column::ApplicationId.is_in(app_ids.clone()))
        .filter(decision::Column::ReopenedAt.is_null())
        .filter(decision::Column::Outcome.ne(DecisionOutcome::Rejected))
        .all(db)
        .await?
    {
        let approved = apps
            .iter()
            .any(|a| a.id == d.application_id && DECIDED_FOR.contains(&a.state));
        if approved && standing.get(&d.application_id).is_none_or(|o| o.id < d.id) {
            standing.insert(d.application_id, d);
        }
    }
    let decision_ids: Vec<i64> = standing.values().map(|d| d.id).collect();
    let lines = decision_line::Entity::find()
        .filter(decision_line::Column::DecisionId.is_in(decision_ids))
        .all(db)
        .await?;

    // Budget per project year.
    let payments = payment::Entity::find()
        .filter(payment::Column::ApplicationId.is_in(app_ids.clone()))
        .all(db)
        .await?;
    let project_years = call_project_year::Entity::find()
        .filter(call_project_year::Column::CallId.eq(call_id))
        .all(db)
        .await?;
    let mut years = Vec::new();
    let mut sorted_years = project_years.clone();
    sorted_years.sort_by_key(|y| y.year_number);
    for y in &sorted_years {
        let n = y.year_number;
        let allocated = match allocations::latest(db, call_id, n).await? {
            Some(a) if a.state == AllocationState::Confirmed => {
                let lines = allocations::lines(db, a.id).await?;
                Some(crate::domain::money::sum_cents(
                    lines
                        .iter()
                        .map(allocations::effective)
                        .chain([a.incentives_cents]),
                ))
            }
            _ => None,
        };
        let mut granted: i64 = crate::domain::money::sum_cents(
            lines
                .iter()
                .filter(|l| l.year_number == n)
                .map(|l| l.granted_cents),
        );
        for d in standing.values() {
            if let Some(app) = apps.iter().find(|a| a.id == d.application_id)
                && (app.first_project_year..=app.last_project_year).contains(&n)
            {
                granted = granted.saturating_add(
                    crate::domain::decision::incentive_in_year(
                        crate::domain::Cents::new(d.incentive_cents).unwrap_or_default(),
                        d.incentive_by_year.as_deref(),
                        n,
                    )
                    .get(),
                );
            }
        }
        let sum = |tranches: &[Tranche], states: &[PaymentState]| -> i64 {
            crate::domain::money::sum_cents(
                payments
                    .iter()
                    .filter(|p| {
                        p.year_number == n
                            && tranches.contains(&p.tranche)
                            && states.contains(&p.state)
                    })
                    .map(|p| p.amount_cents),
            )
        };
        years.push(YearBudget {
            year: n,
            envelope: y.envelope_cents,
            allocated,
            granted,
            paid: sum(&[Tranche::Advance, Tranche::Balance], &[PaymentState::Paid]),
            reclaimed: sum(
                &[Tranche::Reclaim],
                &[PaymentState::Approved, PaymentState::Paid],
            ),
        });
    }

    // Dossiers per state.
    let states = ApplicationState::iter()
        .filter(|s| *s != ApplicationState::Draft)
        .map(|s| StateCount {
            state: s,
            count: apps.iter().filter(|a| a.state == s).count() as u64,
        })
        .collect();

    // Per action.
    let chosen = application_action::Entity::find()
        .filter(application_action::Column::ApplicationId.is_in(app_ids.clone()))
        .all(db)
        .await?;
    let call_actions: HashMap<i64, i64> = call_action::Entity::find()
        .filter(call_action::Column::CallId.eq(call_id))
        .all(db)
        .await?
        .into_iter()
        .map(|ca| (ca.id, ca.action_id))
        .collect();
    let catalog: HashMap<i64, action::Model> = action::Entity::find()
        .filter(action::Column::Id.is_in(call_actions.values().copied()))
        .all(db)
        .await?
        .into_iter()
        .map(|a| (a.id, a))
        .collect();
    let action_of = |call_action_id: i64| {
        call_actions
            .get(&call_action_id)
            .and_then(|id| catalog.get(id))
    };
    let mut by_action: BTreeMap<Option<ActionCode>, ActionFigures> = BTreeMap::new();
    for action_id in call_actions.values() {
        if let Some(a) = catalog.get(action_id) {
            by_action.insert(
                ActionCode::parse(&a.code).ok(),
                ActionFigures {
                    code: a.code.clone(),
                    title: a.title.clone(),
                    ..Default::default()
                },
            );
        }
    }
    let mut seen: HashSet<(i64, Option<ActionCode>)> = HashSet::new();
    for c in &chosen {
        let Some(a) = action_of(c.call_action_id) else {
            continue;
        };
        let key = ActionCode::parse(&a.code).ok();
        let entry = by_action.entry(key).or_default();
        if seen.insert((c.application_id, key)) {
            entry.dossiers += 1;
        }
        entry.requested = entry.requested.saturating_add(c.grant_cents);
        entry.granted = crate::domain::money::sum_cents(
            lines
                .iter()
                .filter(|l| l.application_action_id == c.id)
                .map(|l| l.granted_cents)
                .chain([entry.granted]),
        );
    }

    // Per region and province of the lead.
    let lead_ids: Vec<i64> = apps.iter().filter_map(|a| a.lead_municipality_id).collect();
    let leads: HashMap<i64, municipality::Model> = municipality::Entity::find()
        .filter(municipality::Column::Id.is_in(lead_ids.clone()))
        .all(db)
        .await?
        .into_iter()
        .map(|m| (m.id, m))
        .collect();
    let on = context.map_date();
    let memberships: HashMap<i64, i64> = region_membership::Entity::find()
        .filter(region_membership::Column::MunicipalityId.is_in(lead_ids))
        .filter(region_membership::Column::ValidFrom.lte(on))
        .filter(
            Condition::any()
                .add(region_membership::Column::ValidTo.is_null())
                .add(region_membership::Column::ValidTo.gte(on)),
        )
        .all(db)
        .await?
        .into_iter()
        .map(|m| (m.municipality_id, m.reference_region_id))
        .collect();
    let regions: HashMap<i64, String> = reference_region::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|r| (r.id, r.name))
        .collect();
    let mut by_region: BTreeMap<String, AreaFigures> = BTreeMap::new();
    let mut by_province: BTreeMap<String, AreaFigures> = BTreeMap::new();
    for app in &apps {
        let lead = app.lead_municipality_id.and_then(|id| leads.get(&id));
        let region = lead
            .and_then(|m| memberships.get(&m.id))
            .and_then(|r| regions.get(r))
            .cloned()
            .unwrap_or_else(|| PARTNER.to_owned());
        let province = lead
            .map(|m| m.province.clone())
            .unwrap_or_else(|| PARTNER.to_owned());
        let granted = standing
            .get(&app.id)
            .map(|d| d.total_granted_cents)
            .unwrap_or(0);
        for (map, name) in [(&mut by_region, region), (&mut by_province, province)] {
            let entry = map.entry(name.clone()).or_insert_with(|| AreaFigures {
                name,
                ..Default::default()
            });
            entry.dossiers += 1;
            entry.granted += granted;
        }
    }

    // KPI achievement from accepted reports.
    let chosen_ids: Vec<i64> = chosen.iter().map(|c| c.id).collect();
    let kpis = kpi::Entity::find()
        .filter(kpi::Column::ApplicationActionId.is_in(chosen_ids))
        .all(db)
        .await?;
    let reports: HashMap<i64, progress_report::Model> = progress_report::Entity::find()
        .filter(progress_report::Column::ApplicationId.is_in(app_ids))
        .filter(progress_report::Column::State.eq(ReportState::Accepted))
        .all(db)
        .await?
        .into_iter()
        .map(|r| (r.id, r))
        .collect();
    let results = kpi_result::Entity::find()
        .filter(kpi_result::Column::ProgressReportId.is_in(reports.keys().copied()))
        .filter(kpi_result::Column::ActualValue.is_not_null())
        .all(db)
        .await?;
    let rank =
        |r: &progress_report::Model| (r.year_number, matches!(r.kind, ReportKind::Year), r.id);
    let mut by_kpi_action: BTreeMap<Option<ActionCode>, KpiFigures> = BTreeMap::new();
    for k in &kpis {
        let Some(chosen) = chosen.iter().find(|c| c.id == k.application_action_id) else {
            continue;
        };
        let Some(a) = action_of(chosen.call_action_id) else {
            continue;
        };
        let entry = by_kpi_action
            .entry(ActionCode::parse(&a.code).ok())
            .or_insert_with(|| KpiFigures {
                code: a.code.clone(),
                title: a.title.clone(),
                ..Default::default()
            });
        entry.kpis += 1;
        let latest = results
            .iter()
            .filter(|r| r.kpi_id == k.id)
            .filter_map(|r| reports.get(&r.progress_report_id).map(|p| (rank(p), r)))
            .max_by_key(|(rank, _)| *rank)
            .map(|(_, r)| r);
        if let Some(result) = latest {
            entry.reported += 1;
            if result.actual_value.is_some_and(|v| v >= k.target) {
                entry.reached += 1;
            }
        }
    }

    // Coverage over the members of approved dossiers.
    let approved_ids: Vec<i64> = apps
        .iter()
        .filter(|a| DECIDED_FOR.contains(&a.state))
        .map(|a| a.id)
        .collect();
    let member_ids: Vec<i64> = application_member::Entity::find()
        .filter(application_member::Column::ApplicationId.is_in(approved_ids))
        .filter(application_member::Column::ConsentState.eq(ConsentState::Confirmed))
        .all(db)
        .await?
        .into_iter()
        .map(|m| m.municipality_id)
        .collect();
    let covered: Vec<NisCode> = municipality::Entity::find()
        .filter(municipality::Column::Id.is_in(member_ids))
        .all(db)
        .await?
        .into_iter()
        .filter_map(|m| rules::nis(m.nis_code).ok())
        .collect();
    let (directory, _) = rules::directory(db, context.call.reference_year, on).await?;
    let coverage = programme_coverage(&context.rules, &directory, &covered);

    Ok(Some(Programme {
        years,
        states,
        actions: by_action.into_values().collect(),
        regions: by_region.into_values().collect(),
        provinces: by_province.into_values().collect(),
        kpis: by_kpi_action.into_values().collect(),
        coverage,
        dossiers: apps.len() as u64,
    }))
}

/// A value of a reach KPI: the chosen line (`application_action`), the KPI and its baseline,
/// the report's project year, kind, state and id, and the value (thousandths).
type ReachValueRow = (
    i64,
    i64,
    i64,
    i32,
    ReportKind,
    ReportState,
    i64,
    Option<i64>,
);

/// The audit action the demo seed records for each demo dossier it creates
/// (`seed::demo_followup`): the data's own mark that a dossier and its figures are fictitious.
pub const DEMO_DOSSIER_MARK: &str = "demo.followup_seeded";

/// The programme results of call `call_id` per objective and reach line, per project year
/// (`domain::results` holds the rules): six queries whatever the number of dossiers (the
/// call, its project years, its lines, the lines the decided dossiers took, the values of
/// their reach KPIs, the demo marks). `None` when the call does not exist.
pub async fn reach_results<C: ConnectionTrait>(
    db: &C,
    call_id: i64,
) -> Result<Option<ProgrammeResults>, DbErr> {
    use sea_orm::{JoinType, QueryOrder, QuerySelect, RelationTrait};

    if call::Entity::find_by_id(call_id).one(db).await?.is_none() {
        return Ok(None);
    }
    let years: Vec<i32> = call_project_year::Entity::find()
        .filter(call_project_year::Column::CallId.eq(call_id))
        .select_only()
        .column(call_project_year::Column::YearNumber)
        .into_tuple()
        .all(db)
        .await?;
    let lines: Vec<ResultLine> = call_action::Entity::find()
        .filter(call_action::Column::CallId.eq(call_id))
        .find_also_related(action::Entity)
        .all(db)
        .await?
        .into_iter()
        .map(|(line, action)| {
            let (code, title) = action.map(|a| (a.code, a.title)).unwrap_or_default();
            ResultLine {
                id: line.id,
                action: code,
                action_title: title,
                line_number: u32::try_from(line.line_number).unwrap_or(0),
                unit_plural: line
                    .unit_label_plural
                    .filter(|p| !p.trim().is_empty())
                    .unwrap_or(line.unit_label),
                source_row: line.source_row.and_then(|r| u32::try_from(r).ok()),
                theme: line.theme,
                objective: line.objective,
            }
        })
        .collect();

    // The lines taken by the call's decided dossiers, with the years the dossier runs.
    let decided = || {
        Condition::all()
            .add(application::Column::CallId.eq(call_id))
            .add(application::Column::State.is_in(DECIDED_FOR))
    };
    let taken: Vec<(i64, i64, i64, i32, i32, i32, i32)> = application_action::Entity::find()
        .join(
            JoinType::InnerJoin,
            application_action::Relation::Application.def(),
        )
        .filter(decided())
        .select_only()
        .column_as(application_action::Column::Id, "take_id")
        .column_as(application_action::Column::ApplicationId, "dossier_id")
        .column_as(application_action::Column::CallActionId, "line_id")
        .column_as(application_action::Column::PlannedReach, "planned")
        .column_as(application_action::Column::BaselineReach, "baseline")
        .column_as(application::Column::FirstProjectYear, "first_year")
        .column_as(application::Column::LastProjectYear, "last_year")
        .into_tuple()
        .all(db)
        .await?;

    // The values of their reach KPIs in accepted and submitted reports, with the KPI's
    // baseline; ordered by KPI so the first reach KPI of a line is the one that counts.
    let values: Vec<ReachValueRow> = kpi_result::Entity::find()
        .join(
            JoinType::InnerJoin,
            kpi_result::Relation::ProgressReport.def(),
        )
        .join(JoinType::InnerJoin, kpi_result::Relation::Kpi.def())
        .join(JoinType::InnerJoin, kpi::Relation::ApplicationAction.def())
        .join(
            JoinType::InnerJoin,
            application_action::Relation::Application.def(),
        )
        .filter(decided())
        .filter(kpi::Column::IsReachKpi.eq(true))
        .filter(kpi_result::Column::ActualValue.is_not_null())
        .filter(
            progress_report::Column::State.is_in([ReportState::Accepted, ReportState::Submitted]),
        )
        .select_only()
        .column_as(kpi::Column::ApplicationActionId, "take_id")
        .column_as(kpi::Column::Id, "kpi_id")
        .column_as(kpi::Column::Baseline, "kpi_baseline")
        .column_as(progress_report::Column::YearNumber, "year_number")
        .column_as(progress_report::Column::Kind, "report_kind")
        .column_as(progress_report::Column::State, "report_state")
        .column_as(progress_report::Column::Id, "report_id")
        .column_as(kpi_result::Column::ActualValue, "actual_value")
        .order_by_asc(kpi::Column::Id)
        .into_tuple()
        .all(db)
        .await?;

    // Demo dossiers are marked in the audit trail by the seed that made them.
    let fictitious: HashSet<i64> = entity::audit_log::Entity::find()
        .filter(entity::audit_log::Column::Action.eq(DEMO_DOSSIER_MARK))
        .filter(entity::audit_log::Column::ResourceType.eq("application"))
        .select_only()
        .column(entity::audit_log::Column::ResourceId)
        .into_tuple::<Option<String>>()
        .all(db)
        .await?
        .into_iter()
        .flatten()
        .filter_map(|id| id.parse().ok())
        .collect();

    // The years the standing decisions granted each taken line something, and the first year
    // ABB stopped a line at a continuation check.
    let take_ids: Vec<i64> = taken.iter().map(|t| t.0).collect();
    let mut granted_years: HashMap<i64, std::collections::BTreeSet<i32>> = HashMap::new();
    let mut stopped_from: HashMap<i64, i32> = HashMap::new();
    for chunk in take_ids.chunks(500) {
        let granted: Vec<(i64, i32, i64)> = decision_line::Entity::find()
            .join(JoinType::InnerJoin, decision_line::Relation::Decision.def())
            .filter(decision::Column::ReopenedAt.is_null())
            .filter(decision_line::Column::ApplicationActionId.is_in(chunk.iter().copied()))
            .select_only()
            .column(decision_line::Column::ApplicationActionId)
            .column(decision_line::Column::YearNumber)
            .column(decision_line::Column::GrantedCents)
            .into_tuple()
            .all(db)
            .await?;
        for (take, year, cents) in granted {
            let years = granted_years.entry(take).or_default();
            if cents > 0 {
                years.insert(year);
            }
        }
        let stops: Vec<(i64, i32)> = entity::continuation::Entity::find()
            .filter(entity::continuation::Column::ApplicationActionId.is_in(chunk.iter().copied()))
            .filter(entity::continuation::Column::Confirmed.eq(false))
            .select_only()
            .column(entity::continuation::Column::ApplicationActionId)
            .column(entity::continuation::Column::YearNumber)
            .into_tuple()
            .all(db)
            .await?;
        for (take, year) in stops {
            let first = stopped_from.entry(take).or_insert(year);
            *first = (*first).min(year);
        }
    }

    let mut reach_kpi: HashMap<i64, (i64, i64)> = HashMap::new();
    let mut reported: HashMap<i64, Vec<Reported>> = HashMap::new();
    for (take, kpi_id, baseline, year, kind, state, report, value) in values {
        let (first_kpi, _) = *reach_kpi.entry(take).or_insert((kpi_id, baseline));
        let Some(value) = value.and_then(|v| u64::try_from(v).ok()) else {
            continue;
        };
        if first_kpi != kpi_id {
            continue;
        }
        reported.entry(take).or_default().push(Reported {
            year,
            kind: followup::report_kind(kind),
            state: followup::report_state(state),
            report,
            value: KpiValue::from_thousandths(value),
        });
    }
    let takes: Vec<Take> = taken
        .into_iter()
        .map(
            |(take, dossier, line, planned, baseline, first_year, last_year)| {
                // Without a reach KPI there are no values; its baseline is the line's.
                let baseline = reach_kpi
                    .get(&take)
                    .map(|(_, b)| KpiValue::from_thousandths(u64::try_from(*b).unwrap_or(0)))
                    .unwrap_or_else(|| KpiValue::whole(u32::try_from(baseline).unwrap_or(0)));
                Take {
                    dossier,
                    line,
                    first_year,
                    last_year,
                    planned: u32::try_from(planned).unwrap_or(0),
                    baseline,
                    reports: reported.remove(&take).unwrap_or_default(),
                    fictitious: fictitious.contains(&dossier),
                    // A line the standing decision has no line for at all (an old record)
                    // counts in every year of the dossier.
                    granted_years: granted_years.remove(&take),
                    stopped_from: stopped_from.get(&take).copied(),
                }
            },
        )
        .collect();
    Ok(Some(programme_results(&years, &lines, &takes)))
}
