//! Programme results as ABB publishes them (issue 21): per objective and reach line, per
//! project year, the planned and the achieved additional reach over all municipalities ("year
//! 1: 72,897 young people reached against 42,370 planned").
//!
//! The rules ([`programme_results`]):
//! - **which dossiers**: the caller passes the lines chosen in dossiers that were decided
//!   positively (approved or partly approved); a dossier counts in a project year when it runs
//!   that year (its first up to its last project year);
//! - **planned**: per line and project year, the sum of the planned *additional* reach of the
//!   dossiers that took the line and run it that year: the year is one of the dossier's, the
//!   decision granted the line something in it (when the caller knows the granted years), and
//!   ABB did not stop the line at a continuation check for that year or an earlier one;
//! - **achieved**: per dossier, the latest *accepted* report of that project year that gives a
//!   value of the line's reach KPI (a year report before an interim one; of two of the same kind
//!   the later one), minus the reach KPI's baseline, never below 0, in whole units (a fraction
//!   of a unit is dropped: people and plans are counted whole). Only accepted reports count:
//!   ABB checked those figures, a submitted report may still be sent back; the dashboard's KPI
//!   block counts the same way. A dossier without an accepted value adds nothing to achieved;
//!   **reported** says how many dossiers gave one, so 0 achieved by 0 reporting dossiers never
//!   reads as a failure;
//! - **awaiting**: per project year, the dossiers with a submitted report whose reach values
//!   ABB has not accepted yet (newer than the one that counts, or the only one);
//! - **grouping**: lines in the order of the source form (its row; lines without a row after
//!   them, by action and line), grouped by theme and, within a theme, by objective, each group
//!   where its first line stands. A line without a theme falls under [`NO_THEME`]; without an
//!   objective it is grouped under its action.
//!
//! Sums never wrap (they saturate): a billion people is already far beyond Flanders.

use std::collections::{BTreeMap, BTreeSet};

use super::followup::{ReportKind, ReportState};
use super::types::{ActionCode, KpiValue};

/// The theme of lines that do not come from the source form.
pub const NO_THEME: &str = "Andere bereiklijnen (niet uit het formulier van ABB)";

/// A reach line of the call, as the results show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// The call's line (`call_action.id`).
    pub id: i64,
    /// The plan's action code as stored (`3.2`).
    pub action: String,
    pub action_title: String,
    /// 0 for an action's only line; 1, 2, 3 for the lines of an action with several.
    pub line_number: u32,
    /// The target group in the plural ("pleinmakers").
    pub unit_plural: String,
    /// The line's row in the source form.
    pub source_row: Option<u32>,
    pub theme: Option<String>,
    pub objective: Option<String>,
}

impl Line {
    /// The line as the form shows it: `3.2` for an action's only line, `3.2a`, `3.2b` ... for
    /// the lines of an action with several.
    pub fn code(&self) -> String {
        line_code(&self.action, self.line_number)
    }

    /// The line's code and target group: "2.9 pleinmakers".
    pub fn label(&self) -> String {
        format!("{} {}", self.code(), self.unit_plural)
    }

    /// The theme it is grouped under.
    pub fn theme_label(&self) -> String {
        self.theme
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .unwrap_or(NO_THEME)
            .to_owned()
    }

    /// The objective it is grouped under: the form's, else its action.
    pub fn objective_label(&self) -> String {
        match self.objective.as_deref().map(str::trim) {
            Some(o) if !o.is_empty() => o.to_owned(),
            _ => format!("Actie {}: {}", self.action, self.action_title),
        }
    }

    /// The form's order: row, then action (numerically), line and id.
    fn order(&self) -> impl Ord {
        (
            self.source_row.is_none(),
            self.source_row,
            ActionCode::parse(&self.action).ok().is_none(),
            ActionCode::parse(&self.action).ok(),
            self.action.clone(),
            self.line_number,
            self.id,
        )
    }
}

/// `3.2` with line 0, `3.2a` with line 1, `3.2b` with line 2 ... (after `z`, the number).
pub fn line_code(action: &str, line_number: u32) -> String {
    match line_number {
        0 => action.to_owned(),
        n @ 1..=26 => {
            let letter = char::from(b'a' + u8::try_from(n - 1).unwrap_or(0));
            format!("{action}{letter}")
        }
        n => format!("{action}.{n}"),
    }
}

/// A value of a line's reach KPI in a progress report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reported {
    pub year: i32,
    pub kind: ReportKind,
    pub state: ReportState,
    /// The report's id: of two reports of the same kind, the higher is the later.
    pub report: i64,
    pub value: KpiValue,
}

/// A line taken by a decided dossier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Take {
    pub dossier: i64,
    /// The call's line (`Line::id`).
    pub line: i64,
    pub first_year: i32,
    pub last_year: i32,
    /// The planned additional reach (per project year).
    pub planned: u32,
    /// The baseline of the line's reach KPI.
    pub baseline: KpiValue,
    /// The reach KPI's values in the dossier's reports (any state; only accepted ones count).
    pub reports: Vec<Reported>,
    /// A demo dossier with fictitious figures.
    pub fictitious: bool,
    /// The project years in which the standing decision granted the line something; `None`
    /// when not known (every year of the dossier then counts).
    pub granted_years: Option<BTreeSet<i32>>,
    /// The first project year for which ABB stopped the line at a continuation check.
    pub stopped_from: Option<i32>,
}

impl Take {
    fn runs_in(&self, year: i32) -> bool {
        (self.first_year..=self.last_year).contains(&year)
            && self
                .granted_years
                .as_ref()
                .is_none_or(|granted| granted.contains(&year))
            && !self
                .stopped_from
                .is_some_and(|stop| year > self.first_year && stop <= year)
    }

    fn latest(&self, year: i32, state: ReportState) -> Option<&Reported> {
        self.reports
            .iter()
            .filter(|r| r.year == year && r.state == state)
            .max_by_key(|r| rank(r))
    }

    /// The additional reach this dossier achieved on the line in `year`, from its latest
    /// accepted report of that year; `None` when no accepted report gives a value.
    pub fn achieved(&self, year: i32) -> Option<u64> {
        self.latest(year, ReportState::Accepted).map(|r| {
            r.value
                .thousandths()
                .saturating_sub(self.baseline.thousandths())
                / 1000
        })
    }

    /// Whether a submitted report of `year`, newer than the accepted one that counts (or with
    /// none accepted), still waits for ABB.
    pub fn awaits_review(&self, year: i32) -> bool {
        match (
            self.latest(year, ReportState::Submitted),
            self.latest(year, ReportState::Accepted),
        ) {
            (Some(submitted), Some(accepted)) => rank(submitted) > rank(accepted),
            (Some(_), None) => true,
            (None, _) => false,
        }
    }
}

/// A year report is later than an interim one; then the later report.
fn rank(r: &Reported) -> (bool, i64) {
    (r.kind == ReportKind::Year, r.report)
}

/// One line in one project year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineYear {
    pub line: Line,
    /// Planned additional reach of the dossiers that took the line and run this year.
    pub planned: u64,
    /// Achieved additional reach in their accepted reports of this year.
    pub achieved: u64,
    /// Dossiers that took the line and run this year.
    pub dossiers: u64,
    /// Of those, the dossiers with an accepted value of this year.
    pub reported: u64,
    /// Of those dossiers, the fictitious demo dossiers.
    pub fictitious: u64,
}

impl LineYear {
    /// Achieved over planned in basis points, rounded down; `None` when nothing was planned.
    pub fn share_bp(&self) -> Option<u64> {
        super::dutch::share_basis_points_floor(self.achieved, self.planned)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectiveGroup {
    pub objective: String,
    pub lines: Vec<LineYear>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThemeGroup {
    pub theme: String,
    pub objectives: Vec<ObjectiveGroup>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YearResults {
    pub year: i32,
    pub themes: Vec<ThemeGroup>,
    /// Dossiers that run this year with at least one line.
    pub dossiers: u64,
    /// Of those, the dossiers with at least one accepted reach value of this year.
    pub reported: u64,
    /// Of those dossiers, the ones with a submitted report ABB still has to accept.
    pub awaiting: u64,
}

impl YearResults {
    /// Every line of the year, in the form's order.
    pub fn lines(&self) -> impl Iterator<Item = (&ThemeGroup, &ObjectiveGroup, &LineYear)> {
        self.themes.iter().flat_map(|t| {
            t.objectives
                .iter()
                .flat_map(move |o| o.lines.iter().map(move |l| (t, o, l)))
        })
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProgrammeResults {
    pub years: Vec<YearResults>,
    /// Dossiers with at least one line, over all years.
    pub dossiers: u64,
    /// Of those, the fictitious demo dossiers.
    pub fictitious: u64,
}

/// The results of `lines` per project year of `years`, from the `takes` of decided dossiers
/// (see the module documentation for the rules). Takes of a line not in `lines` are left out.
pub fn programme_results(years: &[i32], lines: &[Line], takes: &[Take]) -> ProgrammeResults {
    let mut ordered: Vec<&Line> = lines.iter().collect();
    ordered.sort_by_key(|l| l.order());
    let known: BTreeSet<i64> = lines.iter().map(|l| l.id).collect();
    let takes: Vec<&Take> = takes.iter().filter(|t| known.contains(&t.line)).collect();
    let mut sorted_years = years.to_vec();
    sorted_years.sort_unstable();
    sorted_years.dedup();
    let years = sorted_years
        .into_iter()
        .map(|year| year_results(year, &ordered, &takes))
        .collect();
    let dossiers: BTreeSet<i64> = takes.iter().map(|t| t.dossier).collect();
    let fictitious: BTreeSet<i64> = takes
        .iter()
        .filter(|t| t.fictitious)
        .map(|t| t.dossier)
        .collect();
    ProgrammeResults {
        years,
        dossiers: dossiers.len() as u64,
        fictitious: fictitious.len() as u64,
    }
}

fn year_results(year: i32, ordered: &[&Line], takes: &[&Take]) -> YearResults {
    let running: Vec<&Take> = takes.iter().copied().filter(|t| t.runs_in(year)).collect();
    let mut by_line: BTreeMap<i64, Vec<&Take>> = BTreeMap::new();
    for t in &running {
        by_line.entry(t.line).or_default().push(t);
    }
    let mut themes: Vec<ThemeGroup> = Vec::new();
    for line in ordered {
        let row = line_year(
            line,
            by_line.get(&line.id).map(Vec::as_slice).unwrap_or(&[]),
            year,
        );
        let theme_label = line.theme_label();
        let index = match themes.iter().position(|t| t.theme == theme_label) {
            Some(i) => i,
            None => {
                themes.push(ThemeGroup {
                    theme: theme_label,
                    objectives: Vec::new(),
                });
                themes.len() - 1
            }
        };
        let theme = &mut themes[index];
        let objective_label = line.objective_label();
        match theme
            .objectives
            .iter_mut()
            .find(|o| o.objective == objective_label)
        {
            Some(o) => o.lines.push(row),
            None => theme.objectives.push(ObjectiveGroup {
                objective: objective_label,
                lines: vec![row],
            }),
        }
    }
    let distinct = |keep: &dyn Fn(&Take) -> bool| -> u64 {
        running
            .iter()
            .filter(|t| keep(t))
            .map(|t| t.dossier)
            .collect::<BTreeSet<_>>()
            .len() as u64
    };
    YearResults {
        year,
        themes,
        dossiers: distinct(&|_| true),
        reported: distinct(&|t| t.achieved(year).is_some()),
        awaiting: distinct(&|t| t.awaits_review(year)),
    }
}

fn line_year(line: &Line, takes: &[&Take], year: i32) -> LineYear {
    let distinct = |keep: &dyn Fn(&Take) -> bool| -> u64 {
        takes
            .iter()
            .filter(|t| keep(t))
            .map(|t| t.dossier)
            .collect::<BTreeSet<_>>()
            .len() as u64
    };
    LineYear {
        line: line.clone(),
        planned: takes
            .iter()
            .fold(0u64, |sum, t| sum.saturating_add(u64::from(t.planned))),
        achieved: takes.iter().fold(0u64, |sum, t| {
            sum.saturating_add(t.achieved(year).unwrap_or(0))
        }),
        dossiers: distinct(&|_| true),
        reported: distinct(&|t| t.achieved(year).is_some()),
        fictitious: distinct(&|t| t.fictitious),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A line of the form: row, action, line number, plural, theme, objective.
    fn line(id: i64, row: u32, action: &str, n: u32, unit: &str, theme: &str, obj: &str) -> Line {
        Line {
            id,
            action: action.into(),
            action_title: format!("titel van {action}"),
            line_number: n,
            unit_plural: unit.into(),
            source_row: Some(row),
            theme: Some(theme.into()),
            objective: Some(obj.into()),
        }
    }

    /// A few lines of ABB's 2022 form, given out of order.
    fn form() -> Vec<Line> {
        vec![
            line(
                25,
                25,
                "2.9",
                0,
                "pleinmakers",
                "1 gemeenschap",
                "Pleinmakers",
            ),
            line(
                2,
                2,
                "1.4",
                0,
                "volwassen anderstaligen",
                "Nederlands",
                "Oefenkansen",
            ),
            line(
                7,
                7,
                "3.2",
                2,
                "begeleide personen met een handicap",
                "Werk",
                "Naar werk",
            ),
            line(6, 6, "3.2", 1, "begeleide nieuwkomers", "Werk", "Naar werk"),
            line(8, 8, "3.2", 3, "begeleide 55-plussers", "Werk", "Naar werk"),
            line(12, 12, "3.3", 0, "begeleide personen", "Werk", "Mentoren"),
            line(
                1,
                1,
                "4.3",
                0,
                "lokaal actieplan",
                "Veiligheid en leefbaarheid",
                "Polarisatie",
            ),
        ]
    }

    fn value(whole: u32) -> KpiValue {
        KpiValue::whole(whole)
    }

    fn report(year: i32, kind: ReportKind, state: ReportState, id: i64, v: u32) -> Reported {
        Reported {
            year,
            kind,
            state,
            report: id,
            value: value(v),
        }
    }

    fn take(dossier: i64, line: i64, years: (i32, i32), baseline: u32, planned: u32) -> Take {
        Take {
            dossier,
            line,
            first_year: years.0,
            last_year: years.1,
            planned,
            baseline: value(baseline),
            reports: Vec::new(),
            fictitious: false,
            granted_years: None,
            stopped_from: None,
        }
    }

    #[test]
    fn a_year_the_decision_granted_nothing_or_a_stopped_line_plans_nothing() {
        let lines = [line(
            1,
            11,
            "2.9",
            0,
            "pleinmakers",
            "Samenleven",
            "Pleinen",
        )];
        let mut granted_once = take(1, 1, (1, 2), 0, 4);
        granted_once.granted_years = Some(BTreeSet::from([1]));
        let mut stopped = take(2, 1, (1, 3), 0, 2);
        stopped.stopped_from = Some(2);
        let r = programme_results(&[1, 2, 3], &lines, &[granted_once, stopped]);
        assert_eq!(find(&r, 1, "2.9").planned, 4 + 2);
        assert_eq!(
            find(&r, 2, "2.9").planned,
            0,
            "granted nothing, stopped from year 2"
        );
        assert_eq!(find(&r, 3, "2.9").planned, 0);
    }

    fn find<'a>(r: &'a ProgrammeResults, year: i32, code: &str) -> &'a LineYear {
        r.years
            .iter()
            .find(|y| y.year == year)
            .unwrap_or_else(|| panic!("year {year}"))
            .lines()
            .map(|(_, _, l)| l)
            .find(|l| l.line.code() == code)
            .unwrap_or_else(|| panic!("line {code}"))
    }

    use ReportKind::{Interim, Year};
    use ReportState::{Accepted, Draft, SentBack, Submitted};

    #[test]
    fn a_line_is_shown_as_the_form_shows_it() {
        assert_eq!(line_code("2.9", 0), "2.9");
        assert_eq!(line_code("3.2", 1), "3.2a");
        assert_eq!(line_code("3.2", 3), "3.2c");
        assert_eq!(line_code("3.2", 26), "3.2z");
        assert_eq!(line_code("3.2", 27), "3.2.27");
        assert_eq!(form()[0].label(), "2.9 pleinmakers");
    }

    #[test]
    fn lines_are_grouped_by_theme_and_objective_in_the_order_of_the_form() {
        let r = programme_results(&[1], &form(), &[]);
        let y = &r.years[0];
        let themes: Vec<&str> = y.themes.iter().map(|t| t.theme.as_str()).collect();
        assert_eq!(
            themes,
            [
                "Veiligheid en leefbaarheid",
                "Nederlands",
                "Werk",
                "1 gemeenschap"
            ]
        );
        let work = &y.themes[2];
        let objectives: Vec<&str> = work
            .objectives
            .iter()
            .map(|o| o.objective.as_str())
            .collect();
        assert_eq!(objectives, ["Naar werk", "Mentoren"]);
        let codes: Vec<String> = work.objectives[0]
            .lines
            .iter()
            .map(|l| l.line.code())
            .collect();
        assert_eq!(codes, ["3.2a", "3.2b", "3.2c"]);
        let all: Vec<String> = y.lines().map(|(_, _, l)| l.line.code()).collect();
        assert_eq!(all, ["4.3", "1.4", "3.2a", "3.2b", "3.2c", "3.3", "2.9"]);
    }

    #[test]
    fn an_objective_split_over_the_form_is_shown_once_where_it_first_stands() {
        let mut lines = form();
        // Row 13 goes back to the objective of rows 6-8.
        lines.push(line(
            13,
            13,
            "3.2",
            4,
            "begeleide vrouwen",
            "Werk",
            "Naar werk",
        ));
        let r = programme_results(&[1], &lines, &[]);
        let work = &r.years[0].themes[2];
        assert_eq!(work.objectives.len(), 2);
        let codes: Vec<String> = work.objectives[0]
            .lines
            .iter()
            .map(|l| l.line.code())
            .collect();
        assert_eq!(codes, ["3.2a", "3.2b", "3.2c", "3.2d"]);
    }

    #[test]
    fn lines_without_the_form_come_last_grouped_under_their_action() {
        let mut lines = form();
        lines.push(Line {
            id: 99,
            action: "2.10".into(),
            action_title: "Toekomstnetwerk".into(),
            line_number: 0,
            unit_plural: "jongeren".into(),
            source_row: None,
            theme: None,
            objective: None,
        });
        lines.push(Line {
            id: 98,
            action: "2.2".into(),
            action_title: "Sociale mix".into(),
            line_number: 0,
            unit_plural: "gezinnen".into(),
            source_row: None,
            theme: Some("  ".into()),
            objective: None,
        });
        let r = programme_results(&[1], &lines, &[]);
        let last = r.years[0].themes.last().unwrap();
        assert_eq!(last.theme, NO_THEME);
        let objectives: Vec<&str> = last
            .objectives
            .iter()
            .map(|o| o.objective.as_str())
            .collect();
        assert_eq!(
            objectives,
            ["Actie 2.2: Sociale mix", "Actie 2.10: Toekomstnetwerk"],
            "numerically: 2.2 before 2.10"
        );
    }

    #[test]
    fn a_line_without_dossiers_or_reports_shows_zeroes_and_no_share() {
        let r = programme_results(&[1, 2], &form(), &[take(1, 2, (1, 2), 0, 100)]);
        let pleinmakers = find(&r, 1, "2.9");
        assert_eq!(
            (
                pleinmakers.planned,
                pleinmakers.achieved,
                pleinmakers.dossiers
            ),
            (0, 0, 0)
        );
        assert_eq!(pleinmakers.share_bp(), None, "nothing planned: no share");
        let dutch = find(&r, 1, "1.4");
        assert_eq!((dutch.planned, dutch.achieved), (100, 0));
        assert_eq!((dutch.dossiers, dutch.reported), (1, 0));
        assert_eq!(dutch.share_bp(), Some(0));
        assert_eq!((r.years[0].dossiers, r.years[0].reported), (1, 0));
    }

    #[test]
    fn planned_and_achieved_add_up_over_several_dossiers_and_only_accepted_reports_count() {
        let mut a = take(1, 2, (1, 3), 100, 200);
        a.reports = vec![report(1, Year, Accepted, 10, 350)];
        let mut b = take(2, 2, (1, 2), 0, 50);
        b.reports = vec![
            report(1, Interim, Accepted, 20, 30),
            report(1, Year, Submitted, 21, 60),
        ];
        let mut c = take(3, 2, (1, 1), 10, 10);
        c.reports = vec![
            report(1, Year, SentBack, 30, 90),
            report(1, Interim, Draft, 31, 90),
        ];
        let r = programme_results(&[1], &form(), &[a, b, c]);
        let dutch = find(&r, 1, "1.4");
        assert_eq!(dutch.planned, 200 + 50 + 10);
        assert_eq!(
            dutch.achieved,
            (350 - 100) + 30,
            "b's accepted interim report counts until its year report is accepted; c's report was sent back"
        );
        assert_eq!((dutch.dossiers, dutch.reported), (3, 2));
        assert_eq!(dutch.share_bp(), Some(280 * 10_000 / 260));
        let year = &r.years[0];
        assert_eq!((year.dossiers, year.reported, year.awaiting), (3, 2, 1));
    }

    #[test]
    fn the_year_report_counts_before_the_interim_one_and_the_later_of_two_of_a_kind() {
        let mut t = take(1, 25, (1, 1), 0, 4);
        t.reports = vec![
            report(1, Year, Accepted, 5, 3),
            report(1, Interim, Accepted, 9, 1),
        ];
        assert_eq!(
            t.achieved(1),
            Some(3),
            "the year report, though filed earlier"
        );
        t.reports.push(report(1, Year, Accepted, 7, 4));
        assert_eq!(t.achieved(1), Some(4), "the later of two year reports");
        assert!(!t.awaits_review(1));
        t.reports.push(report(1, Interim, Submitted, 11, 9));
        assert!(
            !t.awaits_review(1),
            "a submitted interim report does not replace an accepted year report"
        );
    }

    #[test]
    fn achieved_is_the_value_minus_the_baseline_never_below_zero_in_whole_units() {
        let mut fell = take(1, 2, (1, 1), 100, 50);
        fell.reports = vec![report(1, Year, Accepted, 1, 80)];
        assert_eq!(
            fell.achieved(1),
            Some(0),
            "below the baseline is 0, not negative"
        );
        let mut fraction = take(2, 2, (1, 1), 0, 50);
        fraction.reports = vec![Reported {
            value: KpiValue::from_thousandths(12_999),
            ..report(1, Year, Accepted, 2, 0)
        }];
        assert_eq!(fraction.achieved(1), Some(12), "a fraction is dropped");
        let r = programme_results(&[1], &form(), &[fell, fraction]);
        let dutch = find(&r, 1, "1.4");
        assert_eq!((dutch.achieved, dutch.reported), (12, 2));
    }

    #[test]
    fn every_project_year_counts_its_own_dossiers_and_reports() {
        let mut long = take(1, 6, (1, 3), 0, 20);
        long.reports = vec![
            report(1, Year, Accepted, 1, 25),
            report(2, Interim, Accepted, 2, 8),
            report(3, Year, Submitted, 3, 30),
        ];
        let mut late = take(2, 6, (2, 3), 5, 10);
        late.reports = vec![report(2, Year, Accepted, 4, 12)];
        let short = take(3, 6, (1, 1), 0, 7);
        let r = programme_results(&[3, 1, 2], &form(), &[long, late, short]);
        assert_eq!(
            r.years.iter().map(|y| y.year).collect::<Vec<_>>(),
            [1, 2, 3],
            "years in order"
        );
        let y1 = find(&r, 1, "3.2a");
        assert_eq!(
            (y1.planned, y1.achieved, y1.dossiers, y1.reported),
            (27, 25, 2, 1)
        );
        let y2 = find(&r, 2, "3.2a");
        assert_eq!(
            (y2.planned, y2.achieved, y2.dossiers, y2.reported),
            (30, 8 + 7, 2, 2)
        );
        let y3 = find(&r, 3, "3.2a");
        assert_eq!(
            (y3.planned, y3.achieved, y3.dossiers, y3.reported),
            (30, 0, 2, 0)
        );
        assert_eq!(r.years[2].awaiting, 1, "year 3's report waits for ABB");
        assert_eq!(find(&r, 2, "3.2b").planned, 0, "another line of the action");
    }

    #[test]
    fn a_dossier_with_several_lines_counts_once_per_year_and_fictitious_ones_are_counted() {
        let mut a = take(1, 6, (1, 2), 0, 20);
        a.fictitious = true;
        a.reports = vec![report(1, Year, Accepted, 1, 5)];
        let mut b = take(1, 8, (1, 2), 0, 5);
        b.fictitious = true;
        let c = take(2, 8, (1, 2), 0, 5);
        let unknown = take(3, 404, (1, 2), 0, 5);
        let r = programme_results(&[1, 2], &form(), &[a, b, c, unknown]);
        assert_eq!(
            r.dossiers, 2,
            "a take of a line the call does not have is left out"
        );
        assert_eq!(r.fictitious, 1);
        assert_eq!((r.years[0].dossiers, r.years[0].reported), (2, 1));
        let older = find(&r, 1, "3.2c");
        assert_eq!((older.dossiers, older.fictitious), (2, 1));
    }

    #[test]
    fn the_largest_values_add_up_exactly() {
        let mut huge = take(1, 2, (1, 1), 0, u32::MAX);
        huge.reports = vec![Reported {
            value: KpiValue::from_thousandths(u64::MAX),
            ..report(1, Year, Accepted, 1, 0)
        }];
        let mut again = huge.clone();
        again.dossier = 2;
        let r = programme_results(&[1], &form(), &[huge, again]);
        let dutch = find(&r, 1, "1.4");
        assert_eq!(dutch.planned, 2 * u64::from(u32::MAX));
        assert_eq!(dutch.achieved, 2 * (u64::MAX / 1000));
    }
}
