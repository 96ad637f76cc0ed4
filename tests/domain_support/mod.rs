//! Loads the seed files into the rules engine's types, for `tests/domain_seeded.rs` and
//! `benches/rules.rs`. File I/O lives here, never in `src/domain`.
#![allow(dead_code)]

use std::collections::HashMap;
use std::path::PathBuf;

use chrono::NaiveDate;
use samenleven::domain::figures::{Former, Merger};
use samenleven::domain::{
    ActionDraft, AdviceStatus, Advisor, AdvisorOptions, Applicant, ApplicationDraft, CallRules,
    Cents, Directory, Figure, KpiDraft, KpiValue, Municipality, NisCode, PartnerOrganisation,
    Reach, ReferenceYear, RegionCode, Taken,
};
use serde::Deserialize;

/// The `seeds/` folder of the repository.
pub fn seeds_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("seeds")
}

fn reader(name: &str) -> csv::Reader<std::fs::File> {
    let path = seeds_dir().join(name);
    csv::Reader::from_path(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

#[derive(Deserialize)]
struct PartnerFile {
    partner_organisations: Vec<PartnerOrganisation>,
}

#[derive(Deserialize)]
struct FormRow {
    plan_action: String,
    objective: String,
    reach_unit: String,
    max_planned_reach: u32,
    flemish_contribution_per_unit_eur: i64,
}

/// The reach lines of ABB's form (`seeds/plan_samenleven_2022_form.csv`) as the call's actions:
/// the lines of an action with several are lettered `a`, `b`, `c` in the form's order.
fn form_lines() -> Vec<samenleven::domain::CallAction> {
    let path = seeds_dir().join("plan_samenleven_2022_form.csv");
    let rows: Vec<FormRow> = csv::Reader::from_path(&path)
        .expect("form file")
        .deserialize()
        .map(|r| r.expect("form row"))
        .collect();
    let mut seen: HashMap<String, u8> = HashMap::new();
    let lines_of = |code: &str| rows.iter().filter(|r| r.plan_action == code).count();
    rows.iter()
        .map(|row| {
            let n = seen.entry(row.plan_action.clone()).or_insert(0);
            *n += 1;
            let action = samenleven::domain::ActionCode::parse(&row.plan_action).expect("code");
            let code = if lines_of(&row.plan_action) > 1 {
                action.with_line(*n).expect("line")
            } else {
                action
            };
            samenleven::domain::CallAction {
                code,
                title: row.objective.clone(),
                unit_label: Some(row.reach_unit.clone()),
                unit_cost_cents: Cents::from_euros(row.flemish_contribution_per_unit_eur)
                    .expect("amount"),
                max_reach: Reach::new(row.max_planned_reach),
                unit_cost_cents_by_project_year: Default::default(),
            }
        })
        .collect()
}

/// The 2022-2024 call with the reach lines of ABB's form and the partner organisations of
/// `seeds/partner_organisations.json`.
pub fn load_call() -> CallRules {
    let path = seeds_dir().join("calls/provisie_samenleven_2022_2024.json");
    let text = std::fs::read_to_string(&path).expect("call file");
    let mut call: CallRules = serde_json::from_str(&text).expect("call file matches CallRules");
    call.actions = form_lines();
    let partners = std::fs::read_to_string(seeds_dir().join("partner_organisations.json"))
        .expect("partner file");
    let partners: PartnerFile = serde_json::from_str(&partners).expect("partner file format");
    call.partner_organisations = partners.partner_organisations;
    call
}

#[derive(Deserialize)]
struct NameRow {
    nis_code: u32,
    name: String,
}

#[derive(Deserialize)]
struct RegionRow {
    region_code: String,
    region: String,
    nis_code: u32,
}

#[derive(Deserialize)]
struct PopulationRow {
    nis_code: u32,
    population_2020_01_01: u64,
}

#[derive(Deserialize)]
struct DemoRow {
    nis_code: u32,
    reference_year: u16,
    non_eu15_residents: u64,
    source: String,
}

#[derive(Deserialize)]
struct Municipality2025Row {
    nis_code: u32,
    name: String,
    merged_from_2024: String,
}

const POPULATION_SOURCE: &str = "Statbel, wettelijke bevolking op 1 januari 2020";

/// Residents (2020) and fictitious non-EU15 figures per 2019-2024 NIS code.
fn figures_2024() -> (HashMap<u32, Figure>, HashMap<u32, Figure>) {
    let year = ReferenceYear::new(2020).expect("year");
    let residents = reader("population.csv")
        .deserialize::<PopulationRow>()
        .map(|r| {
            let r = r.expect("population row");
            let figure = Figure {
                value: r.population_2020_01_01,
                year,
                source: POPULATION_SOURCE.to_owned(),
                fictitious: false,
            };
            (r.nis_code, figure)
        })
        .collect();
    let non_eu15 = reader("non_eu15_demo_FICTITIOUS.csv")
        .deserialize::<DemoRow>()
        .map(|r| {
            let r = r.expect("demo row");
            let figure = Figure {
                value: r.non_eu15_residents,
                year: ReferenceYear::new(r.reference_year).expect("demo year"),
                fictitious: true,
                source: r.source,
            };
            (r.nis_code, figure)
        })
        .collect();
    (residents, non_eu15)
}

fn regions(file: &str) -> HashMap<u32, (String, String)> {
    reader(file)
        .deserialize::<RegionRow>()
        .map(|r| {
            let r = r.expect("region row");
            (r.nis_code, (r.region_code, r.region))
        })
        .collect()
}

/// The 300 municipalities of 2019-2024 with their 2021-2022 reference region (main columns of
/// `reference_regions.csv`), residents of 2020 and the fictitious non-EU15 demo figures.
pub fn load_2019_2024() -> Vec<Municipality> {
    let (residents, non_eu15) = figures_2024();
    let regions = regions("reference_regions.csv");
    reader("municipalities_2019_2024.csv")
        .deserialize::<NameRow>()
        .map(|r| {
            let r = r.expect("municipality row");
            let (code, region) = regions
                .get(&r.nis_code)
                .cloned()
                .expect("every municipality has a region");
            Municipality {
                nis_code: NisCode::new(r.nis_code).expect("nis code"),
                name: r.name,
                region_code: RegionCode::parse(&code).expect("region code"),
                region_name: region,
                residents: residents.get(&r.nis_code).cloned(),
                non_eu15: non_eu15.get(&r.nis_code).cloned(),
                merger: None,
            }
        })
        .collect()
}

/// The 285 municipalities from 2025 with their reference region of `reference_regions_2025.csv`;
/// a municipality merged on 1 January 2025 (`merged_from_2024`) gets its figures of 2020 by the
/// domain's rule for merged municipalities (`Municipality::merged`: the sums over its former
/// municipalities).
pub fn load_2025() -> Vec<Municipality> {
    let (residents, non_eu15) = figures_2024();
    let regions = regions("reference_regions_2025.csv");
    let names_2024: HashMap<u32, String> = reader("municipalities_2019_2024.csv")
        .deserialize::<NameRow>()
        .map(|r| {
            let r = r.expect("municipality row");
            (r.nis_code, r.name)
        })
        .collect();
    let year = ReferenceYear::new(2020).expect("year");
    reader("municipalities_2025.csv")
        .deserialize::<Municipality2025Row>()
        .map(|r| {
            let r = r.expect("2025 municipality row");
            let codes: Vec<u32> = r
                .merged_from_2024
                .split(';')
                .filter(|c| !c.trim().is_empty())
                .map(|c| c.trim().parse().expect("merged code"))
                .collect();
            let (code, region) = regions
                .get(&r.nis_code)
                .cloned()
                .expect("every municipality has a region");
            let municipality = Municipality {
                nis_code: NisCode::new(r.nis_code).expect("nis code"),
                name: r.name,
                region_code: RegionCode::parse(&code).expect("region code"),
                region_name: region,
                residents: residents.get(&r.nis_code).cloned(),
                non_eu15: non_eu15.get(&r.nis_code).cloned(),
                merger: None,
            };
            if codes.len() < 2 {
                return municipality;
            }
            let former = codes
                .iter()
                .map(|c| Former {
                    nis_code: NisCode::new(*c).expect("former nis code"),
                    name: names_2024.get(c).cloned().expect("former name"),
                    residents: residents.get(c).cloned(),
                    non_eu15: non_eu15.get(c).cloned(),
                })
                .collect();
            let merged_on = NaiveDate::from_ymd_opt(2025, 1, 1).expect("date");
            municipality.merged(Merger { merged_on, former }, year)
        })
        .collect()
}

/// A small deterministic pseudo-random generator (no dependency needed).
pub struct Lcg(u64);

impl Lcg {
    pub fn new(seed: u64) -> Self {
        Self(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15).wrapping_add(1))
    }

    pub fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n.max(1)
    }
}

/// A complete, valid draft for `applicant`: `action_count` of the call's actions (rotated by
/// `seed`), priorities 1..n, planned reach 1..=maximum, own contribution exactly the grant (50%),
/// one KPI per action inside the call period.
pub fn valid_draft(
    call: &CallRules,
    applicant: Applicant,
    action_count: usize,
    seed: u64,
) -> ApplicationDraft {
    let mut rng = Lcg::new(seed);
    let n = call.actions.len();
    let start = usize::try_from(rng.below(n as u64)).unwrap_or(0);
    let actions = (0..action_count.min(n))
        .map(|i| {
            let action = &call.actions[(start + i) % n];
            let planned =
                1 + u32::try_from(rng.below(u64::from(action.max_reach.get()))).unwrap_or(0);
            let grant = action
                .unit_cost_cents
                .checked_mul(u64::from(planned))
                .expect("grant");
            let own = call
                .required_own_contribution(grant)
                .expect("own contribution");
            ActionDraft {
                code: action.code,
                priority: u32::try_from(i + 1).unwrap_or(u32::MAX),
                baseline_reach: Reach::new(planned - 1),
                planned_reach: Reach::new(planned),
                own_contribution: own,
                own_staff: Cents::ZERO,
                kpis: vec![KpiDraft {
                    indicator: format!("Bereik van actie {}", action.code),
                    unit: "deelnemers".to_owned(),
                    baseline: Some(KpiValue::whole(u32::try_from(rng.below(50)).unwrap_or(0))),
                    target: Some(KpiValue::whole(
                        60 + u32::try_from(rng.below(100)).unwrap_or(0),
                    )),
                    target_date: call.project_years.first().map(|y| y.ends_on),
                    measurement: "Registratie door de gemeente".to_owned(),
                    direction: Default::default(),
                }],
            }
        })
        .collect();
    ApplicationDraft {
        reference: None,
        applicant,
        project_years: vec![call.project_years.first().map_or(1, |y| y.year)],
        actions,
    }
}

/// Plans applicants for all of Flanders in NIS order: alone when possible, else the advisor's
/// first proposal given what is already taken. Returns the applicants and the taken set.
pub fn plan_applicants(
    call: &CallRules,
    directory: &Directory,
) -> (Vec<(String, Applicant)>, Taken) {
    let mut taken = Taken::new();
    let mut applicants = Vec::new();
    let mut codes: Vec<NisCode> = directory.iter().map(|m| m.nis_code).collect();
    codes.sort();
    for code in codes {
        if taken.contains(code) {
            continue;
        }
        let advice = {
            let advisor =
                Advisor::new(call, directory, &taken, AdvisorOptions { max_proposals: 1 });
            advisor.advise(code).expect("known municipality")
        };
        let reference = format!("PS-{:03}", applicants.len() + 1);
        match advice.status {
            AdviceStatus::Alone => {
                taken.insert(code, &reference).expect("free");
                applicants.push((reference, Applicant::Single { nis_code: code }));
            }
            AdviceStatus::Cooperation => {
                let Some(proposal) = advice.proposals.first() else {
                    continue;
                };
                let members: Vec<NisCode> = proposal.nis_codes().collect();
                for member in &members {
                    taken.insert(*member, &reference).expect("free");
                }
                applicants.push((
                    reference,
                    Applicant::Cooperation {
                        lead: proposal.suggested_lead,
                        members,
                    },
                ));
            }
            _ => {}
        }
    }
    (applicants, taken)
}

/// The sum of the members' non-EU15 figures, 0 when unknown.
pub fn weight_of(call: &CallRules, directory: &Directory, applicant: &Applicant) -> u64 {
    let members: Vec<&Municipality> = match applicant {
        Applicant::Single { nis_code } => directory.get(*nis_code).into_iter().collect(),
        Applicant::Cooperation { members, .. } => {
            members.iter().filter_map(|n| directory.get(*n)).collect()
        }
        Applicant::Partner { .. } => Vec::new(),
    };
    samenleven::domain::allocation_weight(call, &members).unwrap_or(0)
}

/// Whole euros as cents.
pub fn euros(value: i64) -> Cents {
    Cents::from_euros(value).expect("euros")
}
