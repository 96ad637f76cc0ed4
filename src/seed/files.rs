//! The seed files, compiled into the binary so the app seeds from any working directory.
//! Their provenance is in `seeds/SOURCES.md`.

pub const REFERENCE_REGIONS: &str = include_str!("../../seeds/reference_regions.csv");
pub const REFERENCE_REGIONS_2025: &str = include_str!("../../seeds/reference_regions_2025.csv");
pub const MUNICIPALITIES_2019_2024: &str = include_str!("../../seeds/municipalities_2019_2024.csv");
pub const MUNICIPALITIES_2025: &str = include_str!("../../seeds/municipalities_2025.csv");
pub const POPULATION: &str = include_str!("../../seeds/population.csv");
pub const ACTIONS_2020_2024: &str = include_str!("../../seeds/actions_2020_2024.json");
pub const ACTIONS_2025_2029: &str = include_str!("../../seeds/actions_2025_2029.json");
pub const PARTNER_ORGANISATIONS: &str = include_str!("../../seeds/partner_organisations.json");
pub const CALL_2022_2024: &str =
    include_str!("../../seeds/calls/provisie_samenleven_2022_2024.json");
/// The second call: a DEMO under the 2025-2029 plan, every parameter fictitious.
pub const CALL_DEMO_2027_2029: &str =
    include_str!("../../seeds/calls/demo_gelijke_kansen_2027_2029.json");
pub const NON_EU15_DEMO: &str = include_str!("../../seeds/non_eu15_demo_FICTITIOUS.csv");
/// The reach lines of ABB's own Plan Samenleven form (real), see `seed::reach_lines`.
pub const PLAN_SAMENLEVEN_2022_FORM: &str =
    include_str!("../../seeds/plan_samenleven_2022_form.csv");
/// Our Dutch singular and plural of each form line's unit (grammar, not a figure).
pub const REACH_LINE_LABELS: &str = include_str!("../../seeds/reach_line_labels.csv");
pub const DEMO_ACCOUNTS: &str = include_str!("../../seeds/demo_accounts.json");

/// Where the Statbel totals come from, stored with every figure and shown as it reads; how the
/// file was obtained is in `seeds/SOURCES.md`.
pub fn statbel_source(year: i32) -> String {
    format!("Statbel, wettelijke bevolking op 1 januari {year}")
}
