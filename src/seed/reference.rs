//! Loading each seed file. Every function reads what is already there (one query per table),
//! then inserts only the missing rows in one batch.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, Set,
};
use serde::Deserialize;

use entity::{
    action, app_user, application_action, call, call_action, call_named_applicant,
    call_partner_agreement, call_project_year, municipality, partner_organisation, plan,
    population_figure, reference_region, region_membership, theme,
};

use super::files;
use super::{SeedError, SeedReport};

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
}

/// The first day of the 2019-2024 municipal map in our data.
fn start_2019() -> NaiveDate {
    date(2019, 1, 1)
}
/// The last day before the 1 January 2025 mergers.
fn end_2024() -> NaiveDate {
    date(2024, 12, 31)
}
fn start_2025() -> NaiveDate {
    date(2025, 1, 1)
}
/// Zwijndrecht moved from Regio Antwerpen to Waasland by a decision of early 2023; the source
/// repository recorded it on 22 December 2022. We date the change 1 January 2023.
fn region_change_2023() -> NaiveDate {
    date(2023, 1, 1)
}

fn parse_csv<T: for<'de> Deserialize<'de>>(
    file: &'static str,
    text: &str,
) -> Result<Vec<T>, SeedError> {
    csv::Reader::from_reader(text.as_bytes())
        .deserialize()
        .collect::<Result<Vec<T>, _>>()
        .map_err(|e| SeedError::BadFile {
            file,
            reason: e.to_string(),
        })
}

fn parse_json<T: for<'de> Deserialize<'de>>(
    file: &'static str,
    text: &str,
) -> Result<T, SeedError> {
    serde_json::from_str(text).map_err(|e| SeedError::BadFile {
        file,
        reason: e.to_string(),
    })
}

pub async fn load<C: ConnectionTrait>(db: &C, report: &mut SeedReport) -> Result<(), SeedError> {
    load_regions(db, report).await?;
    load_municipalities(db, report).await?;
    load_memberships(db, report).await?;
    load_population(db, report).await?;
    load_partners(db, report).await?;
    load_actions(
        db,
        report,
        "actions_2020_2024.json",
        files::ACTIONS_2020_2024,
    )
    .await?;
    load_actions(
        db,
        report,
        "actions_2025_2029.json",
        files::ACTIONS_2025_2029,
    )
    .await?;
    load_call(
        db,
        report,
        "provisie_samenleven_2022_2024.json",
        files::CALL_2022_2024,
    )
    .await?;
    load_call(
        db,
        report,
        "demo_gelijke_kansen_2027_2029.json",
        files::CALL_DEMO_2027_2029,
    )
    .await?;
    Ok(())
}

pub async fn load_demo<C: ConnectionTrait>(
    db: &C,
    report: &mut SeedReport,
) -> Result<(), SeedError> {
    load_demo_figures(db, report).await?;
    load_demo_accounts(db, report).await?;
    open_demo_call(db).await?;
    Ok(())
}

/// The seeded call is historical (its window closed on 1 July 2022). So that the demo can be
/// tried, the demo seed extends its submission deadline to 90 days from now, the way an admin
/// would extend a deadline, and says so in the call's notes and in the audit log.
async fn open_demo_call<C: ConnectionTrait>(db: &C) -> Result<(), SeedError> {
    let now = Utc::now();
    let Some(found) = call::Entity::find()
        .filter(call::Column::Code.eq("PS-2022-2024"))
        .one(db)
        .await?
    else {
        return Ok(());
    };
    if found.submission_closes_at > now && found.state == call::CallState::Open {
        return Ok(());
    }
    let closes = now + chrono::Duration::days(90);
    let note = format!(
        "DEMO: de indieningstermijn (oorspronkelijk tot {}) is voor de demo verlengd tot {}.",
        found.submission_closes_at.format("%d-%m-%Y"),
        closes.format("%d-%m-%Y")
    );
    let before = serde_json::json!({
        "state": found.state,
        "submission_closes_at": found.submission_closes_at,
    });
    let mut active: call::ActiveModel = found.clone().into();
    active.state = Set(call::CallState::Open);
    active.submission_closes_at = Set(closes);
    active.notes = Set(Some(match &found.notes {
        Some(n) => format!("{note}\n\n{n}"),
        None => note.clone(),
    }));
    active.version = Set(found.version + 1);
    active.updated_at = Set(now);
    active.update(db).await?;
    entity::audit_log::ActiveModel {
        at: Set(now),
        actor_user_id: Set(None),
        actor_label: Set("systeem (demo-seed)".to_owned()),
        action: Set("call.deadline_extended".to_owned()),
        resource_type: Set("call".to_owned()),
        resource_id: Set(Some(found.id.to_string())),
        ip: Set(None),
        before: Set(Some(before.to_string())),
        after: Set(Some(
            serde_json::json!({"state": "open", "submission_closes_at": closes}).to_string(),
        )),
        details: Set(Some(note)),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}

// ---------------------------------------------------------------- regions

#[derive(Deserialize)]
struct RegionRow {
    region_code: String,
    region: String,
    region_later_name: String,
    nis_code: i32,
    region_code_2023: String,
}

#[derive(Deserialize)]
struct Region2025Row {
    region_code: String,
    region: String,
    nis_code: i32,
}

async fn load_regions<C: ConnectionTrait>(
    db: &C,
    report: &mut SeedReport,
) -> Result<(), SeedError> {
    let rows: Vec<RegionRow> = parse_csv("reference_regions.csv", files::REFERENCE_REGIONS)?;
    let rows_2025: Vec<Region2025Row> =
        parse_csv("reference_regions_2025.csv", files::REFERENCE_REGIONS_2025)?;
    let existing: HashSet<String> = reference_region::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|r| r.code)
        .collect();
    let mut wanted: Vec<(String, String, Option<String>)> = Vec::new();
    for row in &rows {
        if !wanted.iter().any(|(c, _, _)| *c == row.region_code) {
            let later =
                (row.region_later_name != row.region).then(|| row.region_later_name.clone());
            wanted.push((row.region_code.clone(), row.region.clone(), later));
        }
    }
    for row in &rows_2025 {
        if !wanted.iter().any(|(c, _, _)| *c == row.region_code) {
            wanted.push((row.region_code.clone(), row.region.clone(), None));
        }
    }
    let new: Vec<reference_region::ActiveModel> = wanted
        .into_iter()
        .filter(|(code, _, _)| !existing.contains(code))
        .map(|(code, name, later_name)| reference_region::ActiveModel {
            code: Set(code),
            name: Set(name),
            later_name: Set(later_name),
            ..Default::default()
        })
        .collect();
    report.regions += new.len();
    if !new.is_empty() {
        reference_region::Entity::insert_many(new).exec(db).await?;
    }
    Ok(())
}

// ---------------------------------------------------------------- municipalities

#[derive(Deserialize)]
struct Municipality2019Row {
    nis_code: i32,
    name: String,
    name_fr: String,
    arrondissement: String,
    province: String,
    nis_code_2025: i32,
}

#[derive(Deserialize)]
struct Municipality2025Row {
    nis_code: i32,
    name: String,
    province: String,
}

/// Key of a municipality row: NIS code and first day of validity.
type MunicipalityKey = (i32, NaiveDate);

async fn municipality_ids<C: ConnectionTrait>(
    db: &C,
) -> Result<HashMap<MunicipalityKey, municipality::Model>, SeedError> {
    Ok(municipality::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|m| ((m.nis_code, m.valid_from), m))
        .collect())
}

async fn load_municipalities<C: ConnectionTrait>(
    db: &C,
    report: &mut SeedReport,
) -> Result<(), SeedError> {
    let old: Vec<Municipality2019Row> = parse_csv(
        "municipalities_2019_2024.csv",
        files::MUNICIPALITIES_2019_2024,
    )?;
    let new: Vec<Municipality2025Row> =
        parse_csv("municipalities_2025.csv", files::MUNICIPALITIES_2025)?;
    let old_codes: HashSet<i32> = old.iter().map(|m| m.nis_code).collect();
    let existing = municipality_ids(db).await?;

    let mut inserts = Vec::new();
    for m in &old {
        if existing.contains_key(&(m.nis_code, start_2019())) {
            continue;
        }
        let merged = m.nis_code_2025 != m.nis_code;
        inserts.push(municipality::ActiveModel {
            nis_code: Set(m.nis_code),
            name: Set(m.name.clone()),
            name_fr: Set(Some(m.name_fr.clone()).filter(|n| !n.is_empty())),
            province: Set(m.province.clone()),
            arrondissement: Set(Some(m.arrondissement.clone())),
            valid_from: Set(start_2019()),
            valid_to: Set(merged.then(end_2024)),
            successor_id: Set(None),
            ..Default::default()
        });
    }
    for m in new.iter().filter(|m| !old_codes.contains(&m.nis_code)) {
        if existing.contains_key(&(m.nis_code, start_2025())) {
            continue;
        }
        inserts.push(municipality::ActiveModel {
            nis_code: Set(m.nis_code),
            name: Set(m.name.clone()),
            name_fr: Set(None),
            province: Set(m.province.clone()),
            arrondissement: Set(None),
            valid_from: Set(start_2025()),
            valid_to: Set(None),
            successor_id: Set(None),
            ..Default::default()
        });
    }
    report.municipalities += inserts.len();
    if !inserts.is_empty() {
        municipality::Entity::insert_many(inserts).exec(db).await?;
    }

    // Link the merged municipalities to their successor.
    let all = municipality_ids(db).await?;
    for m in old.iter().filter(|m| m.nis_code_2025 != m.nis_code) {
        let Some(row) = all.get(&(m.nis_code, start_2019())) else {
            continue;
        };
        if row.successor_id.is_some() {
            continue;
        }
        let successor = all
            .get(&(m.nis_code_2025, start_2025()))
            .or_else(|| all.get(&(m.nis_code_2025, start_2019())))
            .ok_or_else(|| SeedError::Dangling {
                file: "municipalities_2019_2024.csv",
                what: "opvolger",
                key: m.nis_code_2025.to_string(),
            })?;
        let mut active: municipality::ActiveModel = row.clone().into();
        active.successor_id = Set(Some(successor.id));
        active.update(db).await?;
    }
    Ok(())
}

async fn load_memberships<C: ConnectionTrait>(
    db: &C,
    report: &mut SeedReport,
) -> Result<(), SeedError> {
    let rows: Vec<RegionRow> = parse_csv("reference_regions.csv", files::REFERENCE_REGIONS)?;
    let rows_2025: Vec<Region2025Row> =
        parse_csv("reference_regions_2025.csv", files::REFERENCE_REGIONS_2025)?;
    let regions: HashMap<String, i64> = reference_region::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|r| (r.code, r.id))
        .collect();
    let municipalities = municipality_ids(db).await?;
    let existing: HashSet<(i64, NaiveDate)> = region_membership::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|m| (m.municipality_id, m.valid_from))
        .collect();

    let region_id = |code: &str, file: &'static str| {
        regions
            .get(code)
            .copied()
            .ok_or_else(|| SeedError::Dangling {
                file,
                what: "referentieregio",
                key: code.to_owned(),
            })
    };
    let municipality = |nis: i32, from: NaiveDate, file: &'static str| {
        municipalities
            .get(&(nis, from))
            .ok_or_else(|| SeedError::Dangling {
                file,
                what: "gemeente",
                key: nis.to_string(),
            })
    };

    // (municipality id, region id, from, to)
    let mut wanted: Vec<(i64, i64, NaiveDate, Option<NaiveDate>)> = Vec::new();
    for row in &rows {
        let m = municipality(row.nis_code, start_2019(), "reference_regions.csv")?;
        let to = m.valid_to;
        if row.region_code == row.region_code_2023 {
            wanted.push((
                m.id,
                region_id(&row.region_code, "reference_regions.csv")?,
                start_2019(),
                to,
            ));
        } else {
            let before = region_change_2023().pred_opt().unwrap_or_default();
            wanted.push((
                m.id,
                region_id(&row.region_code, "reference_regions.csv")?,
                start_2019(),
                Some(before),
            ));
            wanted.push((
                m.id,
                region_id(&row.region_code_2023, "reference_regions.csv")?,
                region_change_2023(),
                to,
            ));
        }
    }
    for row in &rows_2025 {
        if let Some(m) = municipalities.get(&(row.nis_code, start_2025())) {
            wanted.push((
                m.id,
                region_id(&row.region_code, "reference_regions_2025.csv")?,
                start_2025(),
                None,
            ));
        }
    }
    let inserts: Vec<region_membership::ActiveModel> = wanted
        .into_iter()
        .filter(|(m, _, from, _)| !existing.contains(&(*m, *from)))
        .map(
            |(municipality_id, reference_region_id, valid_from, valid_to)| {
                region_membership::ActiveModel {
                    municipality_id: Set(municipality_id),
                    reference_region_id: Set(reference_region_id),
                    valid_from: Set(valid_from),
                    valid_to: Set(valid_to),
                    ..Default::default()
                }
            },
        )
        .collect();
    report.memberships += inserts.len();
    if !inserts.is_empty() {
        region_membership::Entity::insert_many(inserts)
            .exec(db)
            .await?;
    }
    Ok(())
}

// ---------------------------------------------------------------- population

#[derive(Deserialize)]
struct PopulationRow {
    nis_code: i32,
    population_2019_01_01: i64,
    population_2020_01_01: i64,
}

async fn load_population<C: ConnectionTrait>(
    db: &C,
    report: &mut SeedReport,
) -> Result<(), SeedError> {
    let rows: Vec<PopulationRow> = parse_csv("population.csv", files::POPULATION)?;
    let municipalities = municipality_ids(db).await?;
    let existing: HashSet<(i64, i32)> = population_figure::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|f| (f.municipality_id, f.reference_year))
        .collect();
    let now = Utc::now();
    let mut inserts = Vec::new();
    for row in &rows {
        let m = municipalities
            .get(&(row.nis_code, start_2019()))
            .ok_or_else(|| SeedError::Dangling {
                file: "population.csv",
                what: "gemeente",
                key: row.nis_code.to_string(),
            })?;
        for (year, residents) in [
            (2019, row.population_2019_01_01),
            (2020, row.population_2020_01_01),
        ] {
            if existing.contains(&(m.id, year)) {
                continue;
            }
            inserts.push(population_figure::ActiveModel {
                municipality_id: Set(m.id),
                reference_year: Set(year),
                residents: Set(Some(residents)),
                residents_source: Set(Some(files::statbel_source(year))),
                non_eu15_residents: Set(None),
                non_eu15_source: Set(None),
                non_eu15_fictitious: Set(false),
                imported_at: Set(now),
                version: Set(1),
                ..Default::default()
            });
        }
    }
    report.population_figures += inserts.len();
    for chunk in inserts.chunks(200) {
        population_figure::Entity::insert_many(chunk.to_vec())
            .exec(db)
            .await?;
    }
    Ok(())
}

#[derive(Deserialize)]
struct DemoFigureRow {
    nis_code: i32,
    reference_year: i32,
    non_eu15_residents: i64,
    source: String,
}

/// The fictitious non-EU15 figures: filled in only where no figure exists, never over a real one.
async fn load_demo_figures<C: ConnectionTrait>(
    db: &C,
    report: &mut SeedReport,
) -> Result<(), SeedError> {
    let rows: Vec<DemoFigureRow> = parse_csv("non_eu15_demo_FICTITIOUS.csv", files::NON_EU15_DEMO)?;
    let municipalities = municipality_ids(db).await?;
    let figures: HashMap<(i64, i32), population_figure::Model> = population_figure::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|f| ((f.municipality_id, f.reference_year), f))
        .collect();
    let now = Utc::now();
    for row in rows {
        let m = municipalities
            .get(&(row.nis_code, start_2019()))
            .ok_or_else(|| SeedError::Dangling {
                file: "non_eu15_demo_FICTITIOUS.csv",
                what: "gemeente",
                key: row.nis_code.to_string(),
            })?;
        match figures.get(&(m.id, row.reference_year)) {
            Some(f) if f.non_eu15_residents.is_some() => continue,
            Some(f) => {
                let mut active: population_figure::ActiveModel = f.clone().into();
                active.non_eu15_residents = Set(Some(row.non_eu15_residents));
                active.non_eu15_source = Set(Some(row.source));
                active.non_eu15_fictitious = Set(true);
                active.version = Set(f.version + 1);
                active.update(db).await?;
            }
            None => {
                population_figure::ActiveModel {
                    municipality_id: Set(m.id),
                    reference_year: Set(row.reference_year),
                    residents: Set(None),
                    residents_source: Set(None),
                    non_eu15_residents: Set(Some(row.non_eu15_residents)),
                    non_eu15_source: Set(Some(row.source)),
                    non_eu15_fictitious: Set(true),
                    imported_at: Set(now),
                    version: Set(1),
                    ..Default::default()
                }
                .insert(db)
                .await?;
            }
        }
        report.demo_figures += 1;
    }
    Ok(())
}

// ---------------------------------------------------------------- partners, actions

#[derive(Deserialize)]
struct PartnersFile {
    partner_organisations: Vec<PartnerRow>,
}

#[derive(Deserialize)]
struct PartnerRow {
    code: String,
    name: String,
    agreement: String,
}

async fn load_partners<C: ConnectionTrait>(
    db: &C,
    report: &mut SeedReport,
) -> Result<(), SeedError> {
    let file: PartnersFile =
        parse_json("partner_organisations.json", files::PARTNER_ORGANISATIONS)?;
    let rows = file.partner_organisations;
    let existing: HashSet<String> = partner_organisation::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|p| p.code)
        .collect();
    for row in rows.into_iter().filter(|r| !existing.contains(&r.code)) {
        partner_organisation::ActiveModel {
            code: Set(row.code),
            name: Set(row.name),
            agreement: Set(row.agreement),
            ..Default::default()
        }
        .insert(db)
        .await?;
        report.partner_organisations += 1;
    }
    Ok(())
}

#[derive(Deserialize)]
struct CatalogFile {
    plan_code: String,
    plan_title: String,
    source: String,
    themes: Vec<ThemeRow>,
    actions: Vec<ActionRow>,
}

#[derive(Deserialize)]
struct ThemeRow {
    number: i32,
    title: String,
}

#[derive(Deserialize)]
struct ActionRow {
    code: String,
    theme: i32,
    title: String,
    objectives: String,
    policy_domains: String,
    timing: Option<String>,
    #[serde(default)]
    indicators: Option<String>,
    samenleven_eligible: bool,
}

async fn load_actions<C: ConnectionTrait>(
    db: &C,
    report: &mut SeedReport,
    name: &'static str,
    text: &str,
) -> Result<(), SeedError> {
    let catalog: CatalogFile = parse_json(name, text)?;
    let plan = match plan::Entity::find()
        .filter(plan::Column::Code.eq(catalog.plan_code.as_str()))
        .one(db)
        .await?
    {
        Some(p) => p,
        None => {
            plan::ActiveModel {
                code: Set(catalog.plan_code.clone()),
                title: Set(catalog.plan_title.clone()),
                source: Set(catalog.source.clone()),
                ..Default::default()
            }
            .insert(db)
            .await?
        }
    };
    let mut themes: HashMap<i32, i64> = theme::Entity::find()
        .filter(theme::Column::PlanId.eq(plan.id))
        .all(db)
        .await?
        .into_iter()
        .map(|t| (t.number, t.id))
        .collect();
    for t in &catalog.themes {
        if let std::collections::hash_map::Entry::Vacant(slot) = themes.entry(t.number) {
            let inserted = theme::ActiveModel {
                plan_id: Set(plan.id),
                number: Set(t.number),
                title: Set(t.title.clone()),
                ..Default::default()
            }
            .insert(db)
            .await?;
            slot.insert(inserted.id);
        }
    }
    let existing: HashSet<String> = action::Entity::find()
        .filter(action::Column::PlanId.eq(plan.id))
        .all(db)
        .await?
        .into_iter()
        .map(|a| a.code)
        .collect();
    let mut inserts = Vec::new();
    for a in catalog
        .actions
        .into_iter()
        .filter(|a| !existing.contains(&a.code))
    {
        let theme_id = *themes.get(&a.theme).ok_or_else(|| SeedError::Dangling {
            file: name,
            what: "thema",
            key: a.theme.to_string(),
        })?;
        inserts.push(action::ActiveModel {
            plan_id: Set(plan.id),
            theme_id: Set(theme_id),
            code: Set(a.code),
            title: Set(a.title),
            objectives: Set(a.objectives),
            policy_domains: Set(a.policy_domains),
            timing: Set(a.timing),
            indicators: Set(a.indicators),
            samenleven_eligible: Set(a.samenleven_eligible),
            ..Default::default()
        });
    }
    report.actions += inserts.len();
    if !inserts.is_empty() {
        action::Entity::insert_many(inserts).exec(db).await?;
    }
    Ok(())
}

// ---------------------------------------------------------------- the call

#[derive(Deserialize)]
struct CallFile {
    code: String,
    title: String,
    plan_code: String,
    period_start: NaiveDate,
    period_end: NaiveDate,
    project_years: Vec<ProjectYearRow>,
    submission_opens: DateTime<Utc>,
    submission_closes: DateTime<Utc>,
    /// The opening of the window is assumed, not published.
    #[serde(default)]
    submission_opens_illustrative: bool,
    reference_year: i32,
    single_applicant_min_exclusive: i64,
    pooled_min_inclusive: i64,
    incentive_min_share_basis_points: i32,
    cofinancing_basis_points: i32,
    incentive_cents_per_project_year: i64,
    advance_basis_points: i32,
    continuation_min_basis_points: i32,
    #[serde(default)]
    coverage_aim: Option<RatioRow>,
    named_single_applicants: Vec<NamedApplicantRow>,
    /// Actions with one line each and their (illustrative) unit costs, for a call without a form.
    #[serde(default)]
    actions: Vec<CallActionRow>,
    /// The call's reach lines come from ABB's own form (issue 21): `plan_samenleven_2022_form`.
    #[serde(default)]
    reach_lines: Option<ReachLinesRow>,
    #[serde(default)]
    notes: Option<serde_json::Value>,
    #[serde(default)]
    parameters_source: Option<serde_json::Value>,
    /// A demo call whose parameters were never published.
    #[serde(default)]
    parameters_fictitious: bool,
    /// The texts every decision of the call quotes (legal basis, appeal route, signatory's role).
    #[serde(default)]
    decision_texts: DecisionTexts,
    /// The partner organisations' separate agreements the call attaches; none when the call's
    /// data gives no amounts (a partner's dossier then takes part in the allocation by priority).
    #[serde(default)]
    partner_agreements: Vec<PartnerAgreementRow>,
    /// Amounts per unit that change from a later project year on.
    #[serde(default)]
    unit_amounts: Vec<UnitAmountRow>,
}

/// A partner organisation's separate agreement in a call file.
#[derive(Deserialize)]
struct PartnerAgreementRow {
    /// The partner's code in `partner_organisations.json` (`VGC`, `DE_RAND`).
    organisation: String,
    amount_cents_per_project_year: i64,
    /// Where the amount comes from.
    source: String,
    /// The amount is not from a published source.
    illustrative: bool,
}

/// Attaches the file's agreements to call `call_id` that are not attached yet (a call seeded
/// before it had agreements gets them; an agreement already there is kept as it is).
async fn attach_agreements<C: ConnectionTrait>(
    db: &C,
    name: &'static str,
    call_id: i64,
    rows: &[PartnerAgreementRow],
) -> Result<(), SeedError> {
    if rows.is_empty() {
        return Ok(());
    }
    let partners: HashMap<String, i64> = partner_organisation::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|p| (p.code, p.id))
        .collect();
    let attached: HashSet<i64> = call_partner_agreement::Entity::find()
        .filter(call_partner_agreement::Column::CallId.eq(call_id))
        .all(db)
        .await?
        .into_iter()
        .map(|a| a.partner_organisation_id)
        .collect();
    let mut seen = HashSet::new();
    for row in rows {
        let partner = *partners
            .get(&row.organisation)
            .ok_or_else(|| SeedError::Dangling {
                file: name,
                what: "partnerorganisatie",
                key: row.organisation.clone(),
            })?;
        if !seen.insert(partner) {
            return Err(SeedError::BadFile {
                file: name,
                reason: format!("{} heeft twee aparte overeenkomsten", row.organisation),
            });
        }
        if row.amount_cents_per_project_year < 0 || row.source.trim().is_empty() {
            return Err(SeedError::BadFile {
                file: name,
                reason: format!(
                    "de overeenkomst van {} heeft een negatief bedrag of geen bron",
                    row.organisation
                ),
            });
        }
        if attached.contains(&partner) {
            continue;
        }
        call_partner_agreement::ActiveModel {
            call_id: Set(call_id),
            partner_organisation_id: Set(partner),
            amount_cents_per_project_year: Set(row.amount_cents_per_project_year),
            source: Set(row.source.clone()),
            illustrative: Set(row.illustrative),
            version: Set(1),
            ..Default::default()
        }
        .insert(db)
        .await?;
    }
    Ok(())
}

/// A call's decision texts; none of them is in our sources, so each says whether it is
/// illustrative.
#[derive(Deserialize, Default)]
struct DecisionTexts {
    #[serde(default)]
    legal_basis: Option<CallTextRow>,
    #[serde(default)]
    appeal_route: Option<CallTextRow>,
    #[serde(default)]
    signatory_role: Option<CallTextRow>,
}

#[derive(Deserialize, Clone)]
struct CallTextRow {
    text: String,
    illustrative: bool,
}

impl DecisionTexts {
    fn any(&self) -> bool {
        self.legal_basis.is_some() || self.appeal_route.is_some() || self.signatory_role.is_some()
    }

    /// Sets the texts on `row`; a text the file leaves out stays unset (and illustrative).
    fn apply(&self, row: &mut call::ActiveModel) {
        let pair = |t: &Option<CallTextRow>| match t {
            Some(t) => (Some(t.text.clone()), t.illustrative),
            None => (None, true),
        };
        let (text, mark) = pair(&self.legal_basis);
        row.legal_basis = Set(text);
        row.legal_basis_illustrative = Set(mark);
        let (text, mark) = pair(&self.appeal_route);
        row.appeal_route = Set(text);
        row.appeal_route_illustrative = Set(mark);
        let (text, mark) = pair(&self.signatory_role);
        row.signatory_role = Set(text);
        row.signatory_role_illustrative = Set(mark);
    }
}

#[derive(Deserialize)]
struct RatioRow {
    numerator: i32,
    denominator: i32,
}

#[derive(Deserialize)]
struct ProjectYearRow {
    year: i32,
    starts_on: NaiveDate,
    ends_on: NaiveDate,
    envelope_cents: i64,
    interim_report_due: NaiveDate,
    year_report_due: NaiveDate,
    /// The report dates were derived, not published.
    #[serde(default)]
    report_dates_illustrative: bool,
    /// The round's own submission window (a project year after the first; the first round is
    /// the call's own window, which the file repeats at the top).
    #[serde(default)]
    submission_opens: Option<DateTime<Utc>>,
    #[serde(default)]
    submission_closes: Option<DateTime<Utc>>,
}

impl ProjectYearRow {
    /// The round's window as stored: none for the first project year (the call's own window is
    /// the first round's, so extending the call's deadline extends that round).
    fn round_window(&self, first_year: i32) -> (Option<DateTime<Utc>>, Option<DateTime<Utc>>) {
        if self.year == first_year {
            (None, None)
        } else {
            (self.submission_opens, self.submission_closes)
        }
    }
}

/// An amount per unit that changes from a later project year on (yearly rounds).
#[derive(Deserialize)]
struct UnitAmountRow {
    /// The line's code in the call (`4.3`, `3.2b`).
    line: String,
    from_year: i32,
    unit_cost_cents: i64,
    source: String,
}

#[derive(Deserialize)]
struct NamedApplicantRow {
    nis_code: i32,
    name: String,
}

#[derive(Deserialize)]
struct ReachLinesRow {
    form: String,
}

#[derive(Deserialize)]
struct CallActionRow {
    code: String,
    unit_label: String,
    unit_cost_cents: i64,
    max_reach: i32,
}

/// A JSON note may be a string or a list of strings; stored as text.
fn note_text(value: Option<serde_json::Value>) -> Option<String> {
    match value? {
        serde_json::Value::String(s) => Some(s),
        serde_json::Value::Array(items) => Some(
            items
                .into_iter()
                .map(|i| {
                    i.as_str()
                        .map(str::to_owned)
                        .unwrap_or_else(|| i.to_string())
                })
                .collect::<Vec<_>>()
                .join("\n"),
        ),
        serde_json::Value::Object(map) => Some(
            map.into_iter()
                .map(|(_, v)| {
                    v.as_str()
                        .map(str::to_owned)
                        .unwrap_or_else(|| v.to_string())
                })
                .collect::<Vec<_>>()
                .join("\n\n"),
        ),
        other => Some(other.to_string()),
    }
}

/// A call seeded before it had rounds gets the windows of its later rounds from its file, for
/// each project year that has none yet (a window ABB set since stays).
async fn add_round_windows<C: ConnectionTrait>(
    db: &C,
    call_id: i64,
    file: &CallFile,
) -> Result<(), SeedError> {
    let first_year = file.project_years.iter().map(|y| y.year).min().unwrap_or(1);
    let years = call_project_year::Entity::find()
        .filter(call_project_year::Column::CallId.eq(call_id))
        .all(db)
        .await?;
    for y in &file.project_years {
        let (Some(opens), Some(closes)) = y.round_window(first_year) else {
            continue;
        };
        let Some(stored) = years.iter().find(|s| s.year_number == y.year) else {
            continue;
        };
        if stored.submission_opens_at.is_none() && stored.submission_closes_at.is_none() {
            let mut row: call_project_year::ActiveModel = stored.clone().into();
            row.submission_opens_at = Set(Some(opens));
            row.submission_closes_at = Set(Some(closes));
            row.version = Set(stored.version + 1);
            row.update(db).await?;
        }
    }
    Ok(())
}

/// A call seeded before its dates carried an illustrative mark gets the marks of its seed file,
/// for each date that is still the seeded one (a date ABB changed since is its own and stays
/// unmarked). Running it again changes nothing.
async fn mark_illustrative_dates<C: ConnectionTrait>(
    db: &C,
    file: &CallFile,
) -> Result<(), SeedError> {
    let Some(existing) = call::Entity::find()
        .filter(call::Column::Code.eq(file.code.as_str()))
        .one(db)
        .await?
    else {
        return Ok(());
    };
    if file.submission_opens_illustrative
        && !existing.submission_opens_illustrative
        && existing.submission_opens_at == file.submission_opens
    {
        let version = existing.version;
        let mut row: call::ActiveModel = existing.clone().into();
        row.submission_opens_illustrative = Set(true);
        row.version = Set(version + 1);
        row.update(db).await?;
    }
    let years = call_project_year::Entity::find()
        .filter(call_project_year::Column::CallId.eq(existing.id))
        .all(db)
        .await?;
    for y in file
        .project_years
        .iter()
        .filter(|y| y.report_dates_illustrative)
    {
        let Some(stored) = years.iter().find(|s| s.year_number == y.year) else {
            continue;
        };
        if !stored.report_dates_illustrative
            && stored.interim_report_due == y.interim_report_due
            && stored.year_report_due == y.year_report_due
        {
            let mut row: call_project_year::ActiveModel = stored.clone().into();
            row.report_dates_illustrative = Set(true);
            row.version = Set(stored.version + 1);
            row.update(db).await?;
        }
    }
    Ok(())
}

async fn load_call<C: ConnectionTrait>(
    db: &C,
    report: &mut SeedReport,
    name: &'static str,
    text: &str,
) -> Result<(), SeedError> {
    let file: CallFile = parse_json(name, text)?;
    let plan = plan::Entity::find()
        .filter(plan::Column::Code.eq(file.plan_code.as_str()))
        .one(db)
        .await?
        .ok_or_else(|| SeedError::Dangling {
            file: name,
            what: "plan",
            key: file.plan_code.clone(),
        })?;
    if let Some(existing) = call::Entity::find()
        .filter(call::Column::Code.eq(file.code.as_str()))
        .one(db)
        .await?
    {
        let existing_id = existing.id;
        // A call seeded before it had decision texts gets them once; texts set since are kept.
        let unset = existing.legal_basis.is_none()
            && existing.appeal_route.is_none()
            && existing.signatory_role.is_none();
        if unset && file.decision_texts.any() {
            let version = existing.version;
            let mut row: call::ActiveModel = existing.into();
            file.decision_texts.apply(&mut row);
            row.version = Set(version + 1);
            row.update(db).await?;
        }
        if let Some(lines) = &file.reach_lines {
            upgrade_to_form_lines(db, name, existing_id, plan.id, lines).await?;
        }
        attach_agreements(db, name, existing_id, &file.partner_agreements).await?;
        mark_illustrative_dates(db, &file).await?;
        add_round_windows(db, existing_id, &file).await?;
        attach_unit_amounts(db, name, existing_id, &file.unit_amounts).await?;
        return Ok(());
    }
    let now = Utc::now();
    let state = if now < file.submission_opens {
        call::CallState::Draft
    } else if now <= file.submission_closes {
        call::CallState::Open
    } else {
        call::CallState::Closed
    };
    let mut row = call::ActiveModel {
        code: Set(file.code.clone()),
        title: Set(file.title.clone()),
        plan_id: Set(plan.id),
        state: Set(state),
        period_start: Set(file.period_start),
        period_end: Set(file.period_end),
        submission_opens_at: Set(file.submission_opens),
        submission_closes_at: Set(file.submission_closes),
        submission_opens_illustrative: Set(file.submission_opens_illustrative),
        reference_year: Set(file.reference_year),
        single_applicant_min_exclusive: Set(file.single_applicant_min_exclusive),
        pooled_min_inclusive: Set(file.pooled_min_inclusive),
        incentive_min_share_bp: Set(file.incentive_min_share_basis_points),
        cofinancing_bp: Set(file.cofinancing_basis_points),
        incentive_cents_per_project_year: Set(file.incentive_cents_per_project_year),
        advance_bp: Set(file.advance_basis_points),
        continuation_min_bp: Set(file.continuation_min_basis_points),
        coverage_aim_numerator: Set(file.coverage_aim.as_ref().map(|r| r.numerator)),
        coverage_aim_denominator: Set(file.coverage_aim.as_ref().map(|r| r.denominator)),
        notes: Set(note_text(file.notes)),
        parameters_source: Set(note_text(file.parameters_source)),
        parameters_fictitious: Set(file.parameters_fictitious),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    };
    file.decision_texts.apply(&mut row);
    let inserted = row.insert(db).await?;
    report.calls += 1;

    let first_year = file.project_years.iter().map(|y| y.year).min().unwrap_or(1);
    let years: Vec<call_project_year::ActiveModel> = file
        .project_years
        .iter()
        .map(|y| call_project_year::ActiveModel {
            submission_opens_at: Set(y.round_window(first_year).0),
            submission_closes_at: Set(y.round_window(first_year).1),
            call_id: Set(inserted.id),
            year_number: Set(y.year),
            starts_on: Set(y.starts_on),
            ends_on: Set(y.ends_on),
            envelope_cents: Set(y.envelope_cents),
            interim_report_due: Set(y.interim_report_due),
            year_report_due: Set(y.year_report_due),
            report_dates_illustrative: Set(y.report_dates_illustrative),
            version: Set(1),
            ..Default::default()
        })
        .collect();
    if !years.is_empty() {
        call_project_year::Entity::insert_many(years)
            .exec(db)
            .await?;
    }
    let named: Vec<call_named_applicant::ActiveModel> = file
        .named_single_applicants
        .iter()
        .map(|n| call_named_applicant::ActiveModel {
            call_id: Set(inserted.id),
            nis_code: Set(n.nis_code),
            name: Set(n.name.clone()),
            ..Default::default()
        })
        .collect();
    if !named.is_empty() {
        call_named_applicant::Entity::insert_many(named)
            .exec(db)
            .await?;
    }
    let actions: HashMap<String, i64> = action::Entity::find()
        .filter(action::Column::PlanId.eq(plan.id))
        .all(db)
        .await?
        .into_iter()
        .map(|a| (a.code, a.id))
        .collect();
    let mut call_actions = Vec::new();
    if let Some(lines) = &file.reach_lines {
        for line in offered_lines(name, lines)? {
            let code = line.form.line.action.to_string();
            let action_id = *actions.get(&code).ok_or_else(|| SeedError::Dangling {
                file: name,
                what: "actie",
                key: code.clone(),
            })?;
            call_actions.push(line_row(inserted.id, action_id, &line));
        }
    }
    for a in &file.actions {
        let action_id = *actions.get(&a.code).ok_or_else(|| SeedError::Dangling {
            file: name,
            what: "actie",
            key: a.code.clone(),
        })?;
        call_actions.push(call_action::ActiveModel {
            call_id: Set(inserted.id),
            action_id: Set(action_id),
            unit_cost_cents: Set(a.unit_cost_cents),
            max_reach: Set(a.max_reach),
            unit_label: Set(a.unit_label.clone()),
            version: Set(1),
            ..Default::default()
        });
    }
    report.call_actions += call_actions.len();
    if !call_actions.is_empty() {
        call_action::Entity::insert_many(call_actions)
            .exec(db)
            .await?;
    }
    attach_agreements(db, name, inserted.id, &file.partner_agreements).await?;
    attach_unit_amounts(db, name, inserted.id, &file.unit_amounts).await?;
    Ok(())
}

/// Attaches the file's changed amounts per unit to the lines of call `call_id` that have none
/// for that year yet (an amount ABB changed since stays).
async fn attach_unit_amounts<C: ConnectionTrait>(
    db: &C,
    name: &'static str,
    call_id: i64,
    rows: &[UnitAmountRow],
) -> Result<(), SeedError> {
    if rows.is_empty() {
        return Ok(());
    }
    let context = crate::store::rules::call_context(db, call_id)
        .await?
        .ok_or(SeedError::Dangling {
            file: name,
            what: "oproep",
            key: call_id.to_string(),
        })?;
    for row in rows {
        let line = context
            .actions
            .iter()
            .find(|(_, a)| a.code == row.line)
            .map(|(line, _)| line)
            .ok_or_else(|| SeedError::Dangling {
                file: name,
                what: "bereiklijn",
                key: row.line.clone(),
            })?;
        let taken = context
            .amounts
            .get(&line.id)
            .is_some_and(|a| a.iter().any(|(y, _)| i32::from(*y) == row.from_year));
        if taken {
            continue;
        }
        entity::call_action_amount::ActiveModel {
            call_action_id: Set(line.id),
            year_number: Set(row.from_year),
            unit_cost_cents: Set(row.unit_cost_cents),
            source: Set(Some(row.source.clone())),
            version: Set(1),
            ..Default::default()
        }
        .insert(db)
        .await?;
    }
    Ok(())
}

/// The lines a call file names: only ABB's 2022 form exists.
fn offered_lines(
    name: &'static str,
    lines: &ReachLinesRow,
) -> Result<Vec<super::reach_lines::OfferedLine>, SeedError> {
    match lines.form.as_str() {
        "plan_samenleven_2022_form" => super::reach_lines::offered_2022(),
        other => Err(SeedError::Dangling {
            file: name,
            what: "formulier met bereiklijnen",
            key: other.to_owned(),
        }),
    }
}

/// A call seeded before it had the form's reach lines (one illustrative unit cost per action)
/// gets them once. The first line of each action takes over the action's old row, so that the
/// dossiers that chose the action keep it and now plan on that line; the requested grant of every
/// dossier on a changed row is computed again from the line's amount (decisions keep theirs).
/// Old rows of actions the form has no line for (2.1, 2.5 and 4.2) are removed when no dossier
/// chose them, and otherwise kept as they are.
async fn upgrade_to_form_lines<C: ConnectionTrait>(
    db: &C,
    name: &'static str,
    call_id: i64,
    plan_id: i64,
    lines: &ReachLinesRow,
) -> Result<(), SeedError> {
    let existing = call_action::Entity::find()
        .filter(call_action::Column::CallId.eq(call_id))
        .all(db)
        .await?;
    if existing.iter().any(|ca| ca.source_row.is_some()) {
        return Ok(());
    }
    let actions: HashMap<String, i64> = action::Entity::find()
        .filter(action::Column::PlanId.eq(plan_id))
        .all(db)
        .await?
        .into_iter()
        .map(|a| (a.code, a.id))
        .collect();
    let mut kept = Vec::new();
    for line in offered_lines(name, lines)? {
        let code = line.form.line.action.to_string();
        let action_id = *actions.get(&code).ok_or_else(|| SeedError::Dangling {
            file: name,
            what: "actie",
            key: code.clone(),
        })?;
        let fresh = line_row(call_id, action_id, &line);
        let old = existing
            .iter()
            .find(|ca| ca.action_id == action_id && !kept.contains(&ca.id));
        match old {
            Some(old) if line.line_number <= 1 => {
                kept.push(old.id);
                let mut row = fresh;
                row.id = Set(old.id);
                row.version = Set(old.version + 1);
                let row = row.update(db).await?;
                let chosen = application_action::Entity::find()
                    .filter(application_action::Column::CallActionId.eq(row.id))
                    .all(db)
                    .await?;
                for a in chosen {
                    let reach = i64::from(a.planned_reach.clamp(0, row.max_reach));
                    let version = a.version;
                    let mut active: application_action::ActiveModel = a.into();
                    active.grant_cents = Set(reach.saturating_mul(row.unit_cost_cents));
                    active.version = Set(version + 1);
                    active.update(db).await?;
                }
            }
            _ => {
                fresh.insert(db).await?;
            }
        }
    }
    for old in existing.iter().filter(|ca| !kept.contains(&ca.id)) {
        let chosen = application_action::Entity::find()
            .filter(application_action::Column::CallActionId.eq(old.id))
            .count(db)
            .await?;
        if chosen == 0 {
            call_action::Entity::delete_by_id(old.id).exec(db).await?;
        }
    }
    Ok(())
}

/// A new `call_action` row for one line of the form.
fn line_row(
    call_id: i64,
    action_id: i64,
    line: &super::reach_lines::OfferedLine,
) -> call_action::ActiveModel {
    call_action::ActiveModel {
        call_id: Set(call_id),
        action_id: Set(action_id),
        unit_cost_cents: Set(line.form.line.per_unit.get()),
        max_reach: Set(i32::try_from(line.form.line.max_planned).unwrap_or(i32::MAX)),
        unit_label: Set(line.unit_singular.clone()),
        line_number: Set(i32::from(line.line_number)),
        unit_label_plural: Set(Some(line.unit_plural.clone())),
        source_row: Set(Some(i32::from(line.form.line.row))),
        theme: Set(Some(line.form.theme.clone())),
        objective: Set(Some(line.form.objective.clone())),
        version: Set(1),
        ..Default::default()
    }
}

// ---------------------------------------------------------------- demo accounts

#[derive(Deserialize, Clone)]
pub struct DemoAccount {
    pub email: String,
    pub name: String,
    pub role: String,
    pub municipality_nis: Option<i32>,
    pub partner_organisation: Option<String>,
    #[serde(default, alias = "demo_note")]
    pub description: Option<String>,
}

impl DemoAccount {
    pub fn describe(&self) -> String {
        use crate::accounts::RoleExt;
        let role = crate::accounts::Role::parse(&self.role)
            .map(|r| r.label())
            .unwrap_or("?");
        match &self.description {
            Some(d) => format!("{} ({role}): {d}", self.name),
            None => format!("{} ({role})", self.name),
        }
    }
}

#[derive(Deserialize)]
struct DemoAccountsFile {
    accounts: Vec<DemoAccount>,
}

pub fn demo_accounts() -> Result<Vec<DemoAccount>, SeedError> {
    let file: DemoAccountsFile = parse_json("demo_accounts.json", files::DEMO_ACCOUNTS)?;
    Ok(file.accounts)
}

async fn load_demo_accounts<C: ConnectionTrait>(
    db: &C,
    report: &mut SeedReport,
) -> Result<(), SeedError> {
    let accounts = demo_accounts()?;
    let existing: HashSet<String> = app_user::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|u| u.email)
        .collect();
    let missing: Vec<DemoAccount> = accounts
        .into_iter()
        .filter(|a| !existing.contains(&a.email.to_lowercase()))
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    // One hash for the one shared demo password keeps seeding fast.
    let hash = crate::accounts::hash_password_blocking(super::DEMO_PASSWORD.to_owned()).await?;
    for a in missing {
        crate::accounts::insert_user(
            db,
            crate::accounts::NewUser {
                email: a.email,
                name: a.name,
                role: a.role,
                municipality_nis: a.municipality_nis,
                partner_code: a.partner_organisation,
                password: None,
            },
            Some(hash.clone()),
        )
        .await?;
        report.demo_accounts += 1;
    }
    Ok(())
}
