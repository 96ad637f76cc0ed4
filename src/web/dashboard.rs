//! ABB's programme dashboard per call (`/beoordeling/dashboard?oproep=`): budget per project
//! year, dossiers per state, per action, per reference region and province, KPI achievement and
//! the two-thirds coverage indicator. Each block is an SVG chart ([`crate::web::charts`]) with
//! the same figures in a table beside it and CSV/XLSX exports of that table. The figures come
//! from [`crate::store::programme`], whose documentation defines each of them. The section
//! "Resultaten per doelstelling en bereiklijn" shows [`crate::domain::results`] per project year
//! (a chart and a table grouped by theme and objective) with one export over all years.

use askama::Template;
use axum::extract::State;
use axum::response::{Html, Response};
use serde::Deserialize;

use entity::call;

use crate::domain::results::{LineYear, ProgrammeResults, YearResults};
use crate::domain::{Outcome, dutch};
use crate::error::AppError;
use crate::export::{self, Cell, Kind, Table};
use crate::state::AppState;
use crate::store::programme::{self, Programme};
use crate::web::RouteTable;
use crate::web::charts::{Bar, Marker, bar_chart};
use crate::web::context::PageContext;
use crate::web::pages::{Layout, render};
use crate::web::routes::STAFF;

pub fn routes() -> RouteTable {
    RouteTable::new()
        .get("/beoordeling/dashboard", STAFF, show)
        .get("/beoordeling/dashboard/export", STAFF, export_table)
}

use crate::domain::dutch::format_money as money;
use crate::web::form::Query;

fn share(part: u64, whole: u64) -> String {
    if whole == 0 {
        "–".to_owned()
    } else {
        dutch::format_share(part, whole)
    }
}

#[derive(Debug, Deserialize, Default)]
pub struct DashboardQuery {
    #[serde(default)]
    pub oproep: Option<String>,
    #[serde(default)]
    pub tabel: String,
    #[serde(default)]
    pub formaat: String,
}

pub struct Choice {
    pub value: i64,
    pub label: String,
    pub selected: bool,
}

/// One block of the dashboard: its chart, and its table as header and rows of text.
pub struct Block {
    pub id: &'static str,
    pub heading: &'static str,
    pub explanation: String,
    pub chart: String,
    pub headers: Vec<&'static str>,
    /// Columns (by index) that hold numbers, right-aligned.
    pub numeric: Vec<usize>,
    pub rows: Vec<Vec<Cell>>,
    pub totals: Option<Vec<Cell>>,
}

impl Block {
    pub fn is_numeric(&self, index: &usize) -> bool {
        self.numeric.contains(index)
    }
}

#[derive(Template)]
#[template(path = "review/dashboard.html")]
pub struct DashboardPage {
    pub layout: Layout,
    pub calls: Vec<Choice>,
    pub call_id: i64,
    pub call_title: String,
    pub fictitious: bool,
    pub dossiers: u64,
    pub blocks: Vec<Block>,
    pub coverage_text: String,
    pub results: ResultsSection,
}

/// The section "Resultaten per doelstelling en bereiklijn": per project year a chart and a
/// table of the reach lines, grouped by theme and objective.
pub struct ResultsSection {
    /// Set when demo dossiers with fictitious figures are counted.
    pub demo_note: Option<String>,
    pub headers: [&'static str; 6],
    pub years: Vec<ResultsYear>,
}

pub struct ResultsYear {
    pub id: String,
    pub heading: String,
    pub summary: String,
    pub chart: String,
    pub groups: Vec<ResultsGroup>,
}

/// The lines of one objective, under its theme.
pub struct ResultsGroup {
    pub theme: String,
    pub objective: String,
    pub rows: Vec<ResultsRow>,
}

/// One reach line: its label ("2.9 pleinmakers") and its figures as text.
pub struct ResultsRow {
    pub label: String,
    pub cells: Vec<String>,
}

async fn chosen_call(
    state: &AppState,
    query: &DashboardQuery,
) -> Result<Option<call::Model>, AppError> {
    // A number that is not one is no call; no choice is the default call.
    let chosen = match query.oproep.as_deref().map(str::trim) {
        Some(text) if !text.is_empty() => Some(text.parse::<i64>().ok()),
        _ => None,
    };
    Ok(programme::chosen_call(&state.db, chosen).await?)
}

/// Every table of the dashboard, typed, for both the page and the exports.
/// The dashboard's tables by key, in the page's order: the same figures as the charts.
fn tables(p: &Programme) -> Vec<(&'static str, Table)> {
    vec![
        ("budget", budget_table(p)),
        ("statussen", states_table(p)),
        ("acties", actions_table(p)),
        (
            "regios",
            area_table(
                "Dossiers per referentieregio",
                &p.regions,
                "Referentieregio",
            ),
        ),
        (
            "provincies",
            area_table("Dossiers per provincie", &p.provinces, "Provincie"),
        ),
        ("kpis", kpis_table(p)),
        ("bereik", coverage_table(p)),
    ]
}

fn budget_table(p: &Programme) -> Table {
    let mut budget = Table::new(
        "Budget per projectjaar",
        &[
            ("Projectjaar", Kind::Count),
            ("Enveloppe", Kind::Money),
            ("Toegewezen (bevestigd)", Kind::Money),
            ("Toegekend", Kind::Money),
            ("Betaald", Kind::Money),
            ("Teruggevorderd", Kind::Money),
        ],
    );
    for y in &p.years {
        budget.push(vec![
            Cell::Count(i64::from(y.year)),
            Cell::Money(y.envelope),
            y.allocated.map(Cell::Money).unwrap_or(Cell::Empty),
            Cell::Money(y.granted),
            Cell::Money(y.paid),
            Cell::Money(y.reclaimed),
        ]);
    }
    budget
}

fn states_table(p: &Programme) -> Table {
    let mut states = Table::new(
        "Dossiers per status",
        &[("Status", Kind::Text), ("Dossiers", Kind::Count)],
    );
    for s in &p.states {
        states.push(vec![
            crate::web::dossiers::state_label(s.state).into(),
            Cell::Count(i64::try_from(s.count).unwrap_or(0)),
        ]);
    }
    states
}

fn actions_table(p: &Programme) -> Table {
    let mut actions = Table::new(
        "Dossiers per actie",
        &[
            ("Actie", Kind::Text),
            ("Titel", Kind::Text),
            ("Dossiers", Kind::Count),
            ("Gevraagd per projectjaar", Kind::Money),
            ("Toegekend (alle jaren)", Kind::Money),
        ],
    );
    for a in &p.actions {
        actions.push(vec![
            a.code.clone().into(),
            a.title.clone().into(),
            Cell::Count(i64::try_from(a.dossiers).unwrap_or(0)),
            Cell::Money(a.requested),
            Cell::Money(a.granted),
        ]);
    }
    actions
}

/// Dossiers and grants per area (reference region or province).
fn area_table(name: &str, rows: &[programme::AreaFigures], first: &'static str) -> Table {
    let mut t = Table::new(
        name,
        &[
            (first, Kind::Text),
            ("Dossiers", Kind::Count),
            ("Toegekend", Kind::Money),
        ],
    );
    for r in rows {
        t.push(vec![
            r.name.clone().into(),
            Cell::Count(i64::try_from(r.dossiers).unwrap_or(0)),
            Cell::Money(r.granted),
        ]);
    }
    t
}

fn kpis_table(p: &Programme) -> Table {
    let mut kpis = Table::new(
        "KPI-realisatie",
        &[
            ("Actie", Kind::Text),
            ("Titel", Kind::Text),
            ("KPI's", Kind::Count),
            ("Met resultaat", Kind::Count),
            ("Streefwaarde gehaald", Kind::Count),
            ("Aandeel gehaald", Kind::Share),
        ],
    );
    for k in &p.kpis {
        kpis.push(vec![
            k.code.clone().into(),
            k.title.clone().into(),
            Cell::Count(i64::try_from(k.kpis).unwrap_or(0)),
            Cell::Count(i64::try_from(k.reported).unwrap_or(0)),
            Cell::Count(i64::try_from(k.reached).unwrap_or(0)),
            match dutch::share_basis_points_floor(k.reached, k.reported) {
                Some(bp) => Cell::Share(i64::try_from(bp).unwrap_or(0)),
                None => Cell::Empty,
            },
        ]);
    }
    kpis
}

fn coverage_table(p: &Programme) -> Table {
    let c = &p.coverage;
    let mut coverage = Table::new(
        "Bereik van de doelgroep",
        &[
            ("Inwoners niet-EU15 in gedekte gemeenten", Kind::Count),
            ("Inwoners niet-EU15 in het Vlaamse Gewest", Kind::Count),
            ("Aandeel", Kind::Share),
            ("Doel gehaald", Kind::Text),
        ],
    );
    coverage.push(vec![
        Cell::Count(i64::try_from(c.covered_non_eu15).unwrap_or(0)),
        Cell::Count(i64::try_from(c.total_non_eu15).unwrap_or(0)),
        c.basis_points
            .map(|bp| Cell::Share(i64::try_from(bp).unwrap_or(0)))
            .unwrap_or(Cell::Empty),
        match c.meets_aim {
            Some(true) => "ja",
            Some(false) => "nee",
            None => "niet te bepalen",
        }
        .into(),
    ]);
    coverage
}

/// The dashboard's filter: a typed table cell as the page shows it (the same text as
/// the exports' cells).
mod filters {
    #[askama::filter_fn]
    pub fn cell(value: &crate::export::Cell, _: &dyn askama::Values) -> askama::Result<String> {
        Ok(super::text_of(value))
    }
}

fn text_of(cell: &Cell) -> String {
    match cell {
        Cell::Empty => "–".to_owned(),
        Cell::Text(t) => t.clone(),
        Cell::Count(n) => dutch::format_signed(*n),
        Cell::Money(c) => money(*c),
        Cell::Date(d) => d.format("%d-%m-%Y").to_string(),
        Cell::Moment(m) => crate::domain::dutch::format_moment(*m),
        Cell::Share(bp) => dutch::format_basis_points(u64::try_from(*bp).unwrap_or(0)),
    }
}

// Longer than 50 lines: lists the seven blocks of the dashboard, each with its heading,
// explanation and chart texts; the figures come from `tables` and the `*_bars` functions.
fn blocks(p: &Programme) -> Vec<Block> {
    let tables = tables(p);
    let table = |key: &str| tables.iter().find(|(k, _)| *k == key).map(|(_, t)| t);
    let rows_of =
        |key: &str| -> Vec<Vec<Cell>> { table(key).map(|t| t.rows.clone()).unwrap_or_default() };
    let budget_bars = budget_bars(p);
    let budget_totals = budget_totals(p);
    let state_bars = state_bars(p);
    let action_bars = action_bars(p);
    let kpi_bars = kpi_bars(p);
    let coverage_bars = coverage_bars(p);
    let aim_marker = aim_marker(p);
    let block = |id: &'static str,
                 heading: &'static str,
                 explanation: String,
                 chart: String,
                 numeric: Vec<usize>,
                 totals: Option<Vec<Cell>>| Block {
        id,
        heading,
        explanation,
        chart,
        headers: headers_of(id),
        numeric,
        rows: rows_of(id),
        totals,
    };
    vec![
        block(
            "budget",
            "Budget per projectjaar",
            "Enveloppe van het projectjaar; toegewezen: de bevestigde toewijzing (acties en incentives); toegekend: de geldende beslissingen (goedgekeurd of gedeeltelijk goedgekeurd, niet heropend), met de incentive voor elk projectjaar van het dossier; betaald: voorschotten en saldo's met status betaald; teruggevorderd: goedgekeurde of betaalde terugvorderingen.".into(),
            bar_chart("grafiek-budget", "Budget per projectjaar", "Per projectjaar vijf staven: enveloppe, toegewezen, toegekend, betaald en teruggevorderd, elk met het bedrag erbij. Dezelfde cijfers staan in de tabel eronder.", &budget_bars, None),
            vec![0, 1, 2, 3, 4, 5],
            Some(budget_totals),
        ),
        block(
            "statussen",
            "Dossiers per status",
            "Alle dossiers van de oproep behalve ontwerpen.".into(),
            bar_chart("grafiek-statussen", "Dossiers per status", "Aantal dossiers per status, met het aantal erbij.", &state_bars, None),
            vec![1],
            Some(vec!["Totaal".into(), Cell::Text(p.dossiers.to_string())]),
        ),
        block(
            "acties",
            "Dossiers per actie",
            "Per actie van de oproep: de dossiers die ze kozen, de gevraagde subsidie per projectjaar en de toegekende beslissingslijnen over alle projectjaren.".into(),
            bar_chart("grafiek-acties", "Toegekend per actie", "Toegekend bedrag per actie over alle projectjaren, met het aantal dossiers.", &action_bars, None),
            vec![2, 3, 4],
            None,
        ),
        block(
            "regios",
            "Dossiers per referentieregio",
            "Volgens de referentieregio van de trekker op de kaartdatum van de oproep; partnerorganisaties apart.".into(),
            bar_chart("grafiek-regios", "Dossiers per referentieregio", "Aantal dossiers per referentieregio van de trekker, met het toegekende bedrag.", &area_bars(&p.regions), None),
            vec![1, 2],
            None,
        ),
        block(
            "provincies",
            "Dossiers per provincie",
            "Volgens de provincie van de trekker; partnerorganisaties apart.".into(),
            bar_chart("grafiek-provincies", "Dossiers per provincie", "Aantal dossiers per provincie van de trekker, met het toegekende bedrag.", &area_bars(&p.provinces), None),
            vec![1, 2],
            None,
        ),
        block(
            "kpis",
            "KPI-realisatie",
            "Per KPI telt het laatste resultaat in een aanvaard voortgangsrapport (een later projectjaar eerst, een jaarrapport voor een tussentijds rapport). Gehaald: het resultaat is minstens de streefwaarde.".into(),
            bar_chart("grafiek-kpis", "Aandeel KPI's met gehaalde streefwaarde per actie", "Per actie het aandeel KPI's met resultaat dat de streefwaarde haalde.", &kpi_bars, None),
            vec![2, 3, 4, 5],
            None,
        ),
        block(
            "bereik",
            "Bereik van de doelgroep (twee derde)",
            "Het aandeel van de inwoners van niet-EU15-herkomst van het Vlaamse Gewest dat woont in gemeenten van goedgekeurde dossiers (trekker en bevestigde deelnemers), tegen het bereiksdoel van de oproep.".into(),
            bar_chart("grafiek-bereik", "Bereik van de doelgroep", "Het gedekte aandeel als staaf; de stippellijn is het bereiksdoel.", &coverage_bars, aim_marker.as_ref()),
            vec![0, 1, 2],
            None,
        ),
    ]
}

/// The column headers of the dashboard's table `key`.
fn headers_of(key: &str) -> Vec<&'static str> {
    match key {
        "budget" => vec![
            "Projectjaar",
            "Enveloppe",
            "Toegewezen (bevestigd)",
            "Toegekend",
            "Betaald",
            "Teruggevorderd",
        ],
        "statussen" => vec!["Status", "Dossiers"],
        "acties" => vec![
            "Actie",
            "Titel",
            "Dossiers",
            "Gevraagd per projectjaar",
            "Toegekend (alle jaren)",
        ],
        "regios" => vec!["Referentieregio", "Dossiers", "Toegekend"],
        "provincies" => vec!["Provincie", "Dossiers", "Toegekend"],
        "kpis" => vec![
            "Actie",
            "Titel",
            "KPI's",
            "Met resultaat",
            "Streefwaarde gehaald",
            "Aandeel gehaald",
        ],
        _ => vec!["Gedekt", "Vlaams Gewest", "Aandeel", "Doel gehaald"],
    }
}

/// Per project year five bars: envelope, allocated, granted, paid and reclaimed.
fn budget_bars(p: &Programme) -> Vec<Bar> {
    let mut budget_bars = Vec::new();
    for y in &p.years {
        for (what, value) in [
            ("enveloppe", Some(y.envelope)),
            ("toegewezen", y.allocated),
            ("toegekend", Some(y.granted)),
            ("betaald", Some(y.paid)),
            ("teruggevorderd", Some(y.reclaimed)),
        ] {
            budget_bars.push(Bar {
                label: format!("Projectjaar {} {what}", y.year),
                value: value.unwrap_or(0),
                text: value
                    .map(money)
                    .unwrap_or_else(|| "nog niet bevestigd".into()),
            });
        }
    }
    budget_bars
}

/// The totals row of the budget table.
fn budget_totals(p: &Programme) -> Vec<Cell> {
    let total = |f: &dyn Fn(&programme::YearBudget) -> i64| {
        Cell::Money(crate::domain::money::sum_cents(p.years.iter().map(f)))
    };
    vec![
        Cell::from("Totaal"),
        total(&|y| y.envelope),
        total(&|y| y.allocated.unwrap_or(0)),
        total(&|y| y.granted),
        total(&|y| y.paid),
        total(&|y| y.reclaimed),
    ]
}

fn state_bars(p: &Programme) -> Vec<Bar> {
    p.states
        .iter()
        .map(|s| Bar {
            label: crate::web::dossiers::state_label(s.state).to_owned(),
            value: i64::try_from(s.count).unwrap_or(0),
            text: s.count.to_string(),
        })
        .collect()
}

fn action_bars(p: &Programme) -> Vec<Bar> {
    p.actions
        .iter()
        .map(|a| Bar {
            label: format!("Actie {}", a.code),
            value: a.granted,
            text: format!(
                "{} ({})",
                money(a.granted),
                dutch::counted(a.dossiers, "dossier", "dossiers")
            ),
        })
        .collect()
}

/// One bar per area (reference region or province): its dossiers, with the grants as text.
fn area_bars(rows: &[programme::AreaFigures]) -> Vec<Bar> {
    rows.iter()
        .map(|r| Bar {
            label: r.name.clone(),
            value: i64::try_from(r.dossiers).unwrap_or(0),
            text: format!(
                "{}, {}",
                dutch::counted(r.dossiers, "dossier", "dossiers"),
                money(r.granted)
            ),
        })
        .collect()
}

fn kpi_bars(p: &Programme) -> Vec<Bar> {
    p.kpis
        .iter()
        .map(|k| Bar {
            label: format!("Actie {}", k.code),
            value: i64::try_from(
                dutch::share_basis_points_floor(k.reached, k.reported).unwrap_or(0),
            )
            .unwrap_or(0),
            text: format!(
                "{} van {} gehaald ({})",
                k.reached,
                k.reported,
                share(k.reached, k.reported)
            ),
        })
        .collect()
}

fn coverage_bars(p: &Programme) -> Vec<Bar> {
    let c = &p.coverage;
    vec![Bar {
        label: "Gedekt aandeel".into(),
        value: i64::try_from(c.basis_points.unwrap_or(0)).unwrap_or(0),
        text: c
            .basis_points
            .map(dutch::format_basis_points)
            .unwrap_or_else(|| "niet te berekenen".into()),
    }]
}

/// The coverage aim of the call as a marker, when the figures name it.
fn aim_marker(p: &Programme) -> Option<Marker> {
    p.coverage.result.facts.iter().find_map(|f| match f {
        crate::domain::Fact::Coverage {
            aim_numerator,
            aim_denominator,
            ..
        } if *aim_denominator > 0 => Some(Marker {
            value: i64::try_from(aim_numerator * 10_000 / aim_denominator).unwrap_or(0),
            text: format!("doel {aim_numerator}/{aim_denominator}"),
        }),
        _ => None,
    })
}

/// The name of the results export and the key of its table.
const RESULTS: &str = "resultaten";

const RESULTS_HEADERS: [&str; 6] = [
    "Bereiklijn (doelgroep)",
    "Gepland bijkomend bereik",
    "Bereikt bijkomend bereik",
    "Bereikt tegen gepland",
    "Dossiers met de lijn",
    "Met aanvaard rapport",
];

fn count(n: u64) -> String {
    dutch::format_count(n)
}

fn results_section(r: &ProgrammeResults) -> ResultsSection {
    ResultsSection {
        demo_note: (r.fictitious > 0).then(|| {
            format!(
                "DEMO: {} van de {} in deze resultaten {} fictief (demodossiers); hun gepland en bereikt bereik is verzonnen.",
                count(r.fictitious),
                dutch::counted(r.dossiers, "dossier", "dossiers"),
                if r.fictitious == 1 { "is" } else { "zijn" }
            )
        }),
        headers: RESULTS_HEADERS,
        years: r.years.iter().map(results_year).collect(),
    }
}

fn results_year(y: &YearResults) -> ResultsYear {
    let groups = y
        .themes
        .iter()
        .flat_map(|t| {
            t.objectives.iter().map(|o| ResultsGroup {
                theme: t.theme.clone(),
                objective: o.objective.clone(),
                rows: o
                    .lines
                    .iter()
                    .map(|l| ResultsRow {
                        label: l.line.label(),
                        cells: results_cells(l),
                    })
                    .collect(),
            })
        })
        .collect();
    ResultsYear {
        id: format!("resultaten-jaar-{}", y.year),
        heading: format!("Projectjaar {}", y.year),
        summary: year_summary(y),
        chart: year_chart(y),
        groups,
    }
}

/// How many dossiers run in the year, how many reported, and how many wait for ABB.
fn year_summary(y: &YearResults) -> String {
    let mut summary = format!(
        "In projectjaar {} {} {}; {} een aanvaard rapport met bereik.",
        y.year,
        if y.dossiers == 1 { "loopt" } else { "lopen" },
        dutch::counted(
            y.dossiers,
            "(gedeeltelijk) goedgekeurd dossier",
            "(gedeeltelijk) goedgekeurde dossiers",
        ),
        match y.reported {
            0 => "geen ervan heeft".to_owned(),
            1 => "1 ervan heeft".to_owned(),
            n => format!("{} ervan hebben", count(n)),
        }
    );
    if y.awaiting > 0 {
        summary.push_str(&format!(
            " {} een ingediend rapport dat ABB nog moet aanvaarden; dat bereik telt pas daarna mee.",
            if y.awaiting == 1 {
                "1 dossier heeft".to_owned()
            } else {
                format!("{} dossiers hebben", count(y.awaiting))
            }
        ));
    }
    summary
}

/// Per line with planned reach, achieved as a share of planned, with 100% marked: lines of
/// different target groups compare on one scale.
fn year_chart(y: &YearResults) -> String {
    let bars: Vec<Bar> = y
        .lines()
        .map(|(_, _, l)| l)
        .filter(|l| l.planned > 0)
        .map(|l| Bar {
            label: chart_label(&l.line.label()),
            value: i64::try_from(l.share_bp().unwrap_or(0)).unwrap_or(i64::MAX),
            text: format!(
                "{} van {} ({})",
                count(l.achieved),
                count(l.planned),
                l.share_bp()
                    .map(dutch::format_basis_points)
                    .unwrap_or_else(|| "–".into())
            ),
        })
        .collect();
    bar_chart(
        &format!("grafiek-resultaten-{}", y.year),
        &format!(
            "Bereikt tegen gepland per bereiklijn, projectjaar {}",
            y.year
        ),
        &format!(
            "Per bereiklijn met gepland bereik in projectjaar {}: het bereikte bijkomende bereik als aandeel van het geplande, met beide aantallen erbij; de stippellijn is 100% (zoveel bereikt als gepland). Dezelfde cijfers staan in de tabel eronder, ook voor de lijnen zonder gepland bereik.",
            y.year
        ),
        &bars,
        Some(&Marker {
            value: 10_000,
            text: "gepland (100%)".into(),
        }),
    )
}

/// The figures of a line as the page shows them, in the order of [`RESULTS_HEADERS`].
fn results_cells(l: &LineYear) -> Vec<String> {
    vec![
        count(l.planned),
        count(l.achieved),
        l.share_bp()
            .map(dutch::format_basis_points)
            .unwrap_or_else(|| "–".into()),
        count(l.dossiers),
        count(l.reported),
    ]
}

/// A chart label short enough for the chart's label column (the table has it in full).
fn chart_label(label: &str) -> String {
    const MAX: usize = 38;
    if label.chars().count() <= MAX {
        label.to_owned()
    } else {
        let short: String = label.chars().take(MAX - 1).collect();
        format!("{}…", short.trim_end())
    }
}

/// The results of every project year as one table, for the exports.
fn results_table(r: &ProgrammeResults) -> Table {
    let mut t = Table::new(
        "Resultaten per doelstelling en bereiklijn",
        &[
            ("Projectjaar", Kind::Count),
            ("Thema", Kind::Text),
            ("Doelstelling", Kind::Text),
            ("Bereiklijn", Kind::Text),
            ("Doelgroep", Kind::Text),
            ("Rij in het formulier", Kind::Count),
            ("Gepland bijkomend bereik", Kind::Count),
            ("Bereikt bijkomend bereik", Kind::Count),
            ("Bereikt tegen gepland", Kind::Share),
            ("Dossiers met de lijn", Kind::Count),
            ("Met aanvaard rapport", Kind::Count),
            ("Waarvan fictieve demodossiers", Kind::Count),
        ],
    );
    let n = |v: u64| Cell::Count(i64::try_from(v).unwrap_or(i64::MAX));
    for y in &r.years {
        for (theme, objective, l) in y.lines() {
            t.push(vec![
                Cell::Count(i64::from(y.year)),
                theme.theme.clone().into(),
                objective.objective.clone().into(),
                l.line.code().into(),
                l.line.unit_plural.clone().into(),
                l.line
                    .source_row
                    .map(|row| Cell::Count(i64::from(row)))
                    .unwrap_or(Cell::Empty),
                n(l.planned),
                n(l.achieved),
                l.share_bp()
                    .map(|bp| Cell::Share(i64::try_from(bp).unwrap_or(i64::MAX)))
                    .unwrap_or(Cell::Empty),
                n(l.dossiers),
                n(l.reported),
                n(l.fictitious),
            ]);
        }
    }
    t
}

async fn show(
    State(state): State<AppState>,
    ctx: PageContext,
    Query(query): Query<DashboardQuery>,
) -> Result<Html<String>, AppError> {
    let calls = programme::calls(&state.db).await?;
    let chosen = chosen_call(&state, &query).await?;
    let Some(chosen) = chosen else {
        return Err(AppError::NotFound);
    };
    let p = programme::programme(&state.db, chosen.id)
        .await?
        .ok_or(AppError::NotFound)?;
    let results = programme::reach_results(&state.db, chosen.id)
        .await?
        .ok_or(AppError::NotFound)?;
    let coverage_text = format!(
        "{}{}",
        p.coverage.result.message,
        if p.coverage.result.outcome == Outcome::CannotDecide {
            " (Het bereik wordt berekend zodra alle cijfers ingelezen zijn.)"
        } else {
            ""
        }
    );
    render(&DashboardPage {
        layout: ctx.layout(format!("Dashboard {}", chosen.title)),
        calls: calls
            .iter()
            .map(|c| Choice {
                value: c.id,
                label: format!("{} ({})", c.title, c.code),
                selected: c.id == chosen.id,
            })
            .collect(),
        call_id: chosen.id,
        call_title: chosen.title.clone(),
        fictitious: chosen.parameters_fictitious,
        dossiers: p.dossiers,
        blocks: blocks(&p),
        coverage_text,
        results: results_section(&results),
    })
}

async fn export_table(
    State(state): State<AppState>,
    Query(query): Query<DashboardQuery>,
) -> Result<Response, AppError> {
    let format = export::format_from(&query.formaat)
        .ok_or_else(|| AppError::BadRequest("Kies formaat=csv of formaat=xlsx.".into()))?;
    let chosen = chosen_call(&state, &query)
        .await?
        .ok_or(AppError::NotFound)?;
    let key = query.tabel.trim();
    let mut table = if key == RESULTS {
        let results = programme::reach_results(&state.db, chosen.id)
            .await?
            .ok_or(AppError::NotFound)?;
        results_table(&results)
    } else {
        let p = programme::programme(&state.db, chosen.id)
            .await?
            .ok_or(AppError::NotFound)?;
        tables(&p)
            .into_iter()
            .find(|(k, _)| *k == key)
            .map(|(_, t)| t)
            .ok_or_else(|| AppError::BadRequest("Onbekende tabel.".into()))?
    };
    table.name = format!("{} {}", table.name, chosen.code);
    Ok(export::download(&table, format))
}
