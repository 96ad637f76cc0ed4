//! A call as an admin types it (the call administration form), parsed into a [`CallDraft`]: a
//! call whose every value was read and checked, so it can be stored as is. Amounts are read the
//! Belgian way ([`Cents::parse`]), shares as percentages ([`BasisPoints::parse_percent`]),
//! dates as `2022-07-01` or `01-07-2022`, moments as Brussels time. Every problem is reported
//! with the form field it belongs to, in Dutch, all at once.
//!
//! Also here, pure: what may still change in a call that already has submitted dossiers
//! ([`locked_changes`]), the checks of the call operations (open, close, extend the deadline,
//! a late submission for one organisation) and the Brussels time zone.
//!
//! Decisions:
//! - the period ends strictly after it starts and lasts at most ten years;
//! - the submission window opens before it closes, opens before the period ends and at most
//!   three years before the period starts; the deadline itself may lie after the period (later
//!   rounds of a running call, and the demo, which extends the historical 2022 deadline);
//! - project years are numbered 1, 2, 3… in date order, each ends after it starts, they lie
//!   inside the period and follow each other without gap or overlap (year n+1 starts the day
//!   after year n ends); the interim report is due after the year starts and the year report
//!   after the interim report, at the earliest on the year's last day;
//! - envelopes and amounts are zero or more; shares are 0-100%; co-financing below 100%;
//! - the reference year is a year of figures that exist before the period starts;
//! - once a dossier was submitted, the rules the dossiers were checked against are locked:
//!   plan, period, project year dates, reference year, thresholds, shares, incentive,
//!   co-financing, advance and continuation share, named applicants, unit costs and maximum
//!   reach, and the list of actions may only grow. Title, notes, envelopes, report due dates,
//!   unit labels and the coverage aim may still change, and the deadline may only move later.

use std::collections::BTreeSet;

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};

use super::call::{CallAction, CallRules, NamedApplicant, ProjectYear};
use super::money::Cents;
use super::types::{
    ActionCode, BasisPoints, GroupedInteger, NisCode, ParseError, Ratio, Reach, ReferenceYear,
    parse_grouped_integer, parse_whole_number,
};

/// Longest code, title, label and free text.
const MAX_CODE: usize = 32;
const MAX_TITLE: usize = 200;
const MAX_LABEL: usize = 200;
const MAX_TEXT: usize = 10_000;
/// Longest reason for an operation.
pub const MAX_REASON: usize = 2_000;

/// A problem with one field of the form, in Dutch. `field` is the input's `id`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldProblem {
    pub field: String,
    pub message: String,
}

impl FieldProblem {
    pub fn new(field: &str, message: impl Into<String>) -> Self {
        Self {
            field: field.to_owned(),
            message: message.into(),
        }
    }
}

/// The form as typed: every value a string, exactly as it came in.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CallForm {
    pub code: String,
    pub title: String,
    pub plan_id: String,
    pub period_start: String,
    pub period_end: String,
    /// Brussels time, `2022-04-15T09:00` (what a `datetime-local` input sends) or
    /// `15-04-2022 09:00`.
    pub submission_opens: String,
    pub submission_closes: String,
    pub reference_year: String,
    pub single_applicant_min: String,
    pub pooled_min: String,
    pub incentive_min_share: String,
    pub cofinancing_share: String,
    pub incentive_per_project_year: String,
    pub advance_share: String,
    pub continuation_share: String,
    /// Days ABB takes to review a dossier after its last submission.
    pub review_days: String,
    /// Above this amount a second person confirms (four eyes); empty or 0: always.
    pub four_eyes_threshold: String,
    /// `2/3`, `66,67%` or empty for none.
    pub coverage_aim: String,
    /// NIS codes separated by commas or spaces.
    pub named_applicants: String,
    pub notes: String,
    pub parameters_source: String,
    /// Rows of the project-year table; a row left entirely empty is ignored.
    pub years: Vec<ProjectYearForm>,
    /// One row per action of the plan's catalog.
    pub actions: Vec<CallActionForm>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProjectYearForm {
    pub starts_on: String,
    pub ends_on: String,
    pub envelope: String,
    pub interim_report_due: String,
    pub year_report_due: String,
}

impl ProjectYearForm {
    fn is_blank(&self) -> bool {
        [
            &self.starts_on,
            &self.ends_on,
            &self.envelope,
            &self.interim_report_due,
            &self.year_report_due,
        ]
        .iter()
        .all(|v| v.trim().is_empty())
    }
}

/// An action of the plan's catalog as a row of the form.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CallActionForm {
    pub action_id: i64,
    /// The action's code in the plan (shown, not typed).
    pub code: String,
    pub title: String,
    pub selected: bool,
    pub unit_cost: String,
    pub max_reach: String,
    pub unit_label: String,
}

/// A checked project year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectYearSpec {
    pub number: u16,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub envelope: Cents,
    pub interim_report_due: NaiveDate,
    pub year_report_due: NaiveDate,
}

/// A checked eligible action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallActionSpec {
    pub action_id: i64,
    pub code: String,
    pub title: String,
    pub unit_cost: Cents,
    pub max_reach: Reach,
    pub unit_label: String,
}

/// Every value of a call, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallSpec {
    pub code: String,
    pub title: String,
    pub plan_id: i64,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub submission_opens_at: DateTime<Utc>,
    pub submission_closes_at: DateTime<Utc>,
    pub reference_year: ReferenceYear,
    pub single_applicant_min_exclusive: u64,
    pub pooled_min_inclusive: u64,
    pub incentive_min_share: BasisPoints,
    pub cofinancing: BasisPoints,
    pub incentive_per_project_year: Cents,
    pub advance: BasisPoints,
    pub continuation_min: BasisPoints,
    /// Days ABB takes to review a dossier after its last submission (1 to 365).
    pub review_days: u16,
    /// Above this amount a decision, an envelope change, an allocation or a reclaim needs a
    /// second person (four eyes); zero: always.
    pub four_eyes_threshold: Cents,
    pub coverage_aim: Option<Ratio>,
    pub named_applicants: Vec<NisCode>,
    pub notes: Option<String>,
    pub parameters_source: Option<String>,
    pub project_years: Vec<ProjectYearSpec>,
    pub actions: Vec<CallActionSpec>,
}

impl CallSpec {
    /// The engine's rules for this call (named applicants get their names from `names`).
    pub fn rules(&self, names: &dyn Fn(NisCode) -> String) -> Option<CallRules> {
        let actions = self
            .actions
            .iter()
            .map(|a| {
                Some(CallAction {
                    code: ActionCode::parse(&a.code).ok()?,
                    title: a.title.clone(),
                    unit_label: Some(a.unit_label.clone()),
                    unit_cost_cents: a.unit_cost,
                    max_reach: a.max_reach,
                    unit_cost_cents_by_project_year: Default::default(),
                })
            })
            .collect::<Option<Vec<_>>>()?;
        Some(CallRules {
            code: self.code.clone(),
            title: self.title.clone(),
            reference_year: self.reference_year,
            period_start: self.period_start,
            period_end: self.period_end,
            single_applicant_min_exclusive: self.single_applicant_min_exclusive,
            pooled_min_inclusive: self.pooled_min_inclusive,
            incentive_min_share_basis_points: self.incentive_min_share,
            incentive_cents_per_project_year: self.incentive_per_project_year,
            cofinancing_basis_points: self.cofinancing,
            coverage_aim: self.coverage_aim,
            named_single_applicants: self
                .named_applicants
                .iter()
                .map(|n| NamedApplicant {
                    nis_code: *n,
                    name: names(*n),
                })
                .collect(),
            partner_organisations: Vec::new(),
            project_years: self
                .project_years
                .iter()
                .map(|y| ProjectYear {
                    year: y.number,
                    starts_on: y.starts_on,
                    ends_on: y.ends_on,
                    envelope_cents: y.envelope,
                })
                .collect(),
            actions,
            // The form has no such mark: a call entered by ABB is its own.
            parameters_fictitious: false,
        })
    }
}

/// A call that passed every check. Only [`CallDraft::parse`] builds one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallDraft(CallSpec);

/// What the parser needs to know besides the form: the plans a call may belong to.
#[derive(Debug, Clone, Default)]
pub struct DraftContext {
    pub plan_ids: Vec<i64>,
    /// The stored opening and deadline of the call being edited: the form shows them to the
    /// minute, so an unchanged field keeps the stored moment (seconds included).
    pub stored_moments: Option<(DateTime<Utc>, DateTime<Utc>)>,
}

impl CallDraft {
    /// The checked values.
    pub fn spec(&self) -> &CallSpec {
        &self.0
    }

    pub fn into_spec(self) -> CallSpec {
        self.0
    }

    /// Reads and checks the whole form; every problem is returned, each with its field.
    pub fn parse(form: &CallForm, context: &DraftContext) -> Result<Self, Vec<FieldProblem>> {
        let mut p = Vec::new();
        let code = form.code.trim().to_owned();
        if code.is_empty() {
            p.push(FieldProblem::new(
                "code",
                "Vul een code in, bv. PS-2027-2029.",
            ));
        } else if code.chars().count() > MAX_CODE
            || !code
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            p.push(FieldProblem::new(
                "code",
                format!("De code heeft hoogstens {MAX_CODE} letters, cijfers of koppeltekens, zonder spaties, bv. PS-2027-2029."),
            ));
        }
        let title = form.title.trim().to_owned();
        if title.is_empty() {
            p.push(FieldProblem::new("title", "Vul de titel van de oproep in."));
        } else if title.chars().count() > MAX_TITLE {
            p.push(FieldProblem::new(
                "title",
                format!("De titel telt hoogstens {MAX_TITLE} tekens."),
            ));
        }
        let plan_id = match form.plan_id.trim().parse::<i64>() {
            Ok(id) if context.plan_ids.contains(&id) => Some(id),
            _ => {
                p.push(FieldProblem::new(
                    "plan_id",
                    "Kies het beleidsplan waarvan de oproep acties opneemt.",
                ));
                None
            }
        };
        let period_start = date_field(&form.period_start, "period_start", &mut p);
        let period_end = date_field(&form.period_end, "period_end", &mut p);
        if let (Some(start), Some(end)) = (period_start, period_end) {
            if end <= start {
                p.push(FieldProblem::new(
                    "period_end",
                    format!(
                        "De oproepperiode eindigt na de eerste dag ({}); nu eindigt ze op of voor die dag.",
                        show_date(start)
                    ),
                ));
            } else if end > add_years(start, 10) {
                p.push(FieldProblem::new(
                    "period_end",
                    "Een oproepperiode duurt hoogstens tien jaar.",
                ));
            }
        }
        let unchanged = |typed: &str, stored: Option<DateTime<Utc>>| {
            stored.filter(|s| show_moment_input(*s) == typed.trim())
        };
        let opens = unchanged(
            &form.submission_opens,
            context.stored_moments.map(|(o, _)| o),
        )
        .or_else(|| moment_field(&form.submission_opens, "submission_opens", &mut p));
        let closes = unchanged(
            &form.submission_closes,
            context.stored_moments.map(|(_, c)| c),
        )
        .or_else(|| moment_field(&form.submission_closes, "submission_closes", &mut p));
        if let (Some(o), Some(c)) = (opens, closes)
            && c <= o
        {
            p.push(FieldProblem::new(
                "submission_closes",
                "De indieningstermijn sluit na de opening.",
            ));
        }
        if let (Some(o), Some(end)) = (opens, period_end)
            && brussels_date(o) > end
        {
            p.push(FieldProblem::new(
                "submission_opens",
                format!(
                    "De indieningstermijn opent voor het einde van de oproepperiode ({}).",
                    show_date(end)
                ),
            ));
        }
        if let (Some(o), Some(start)) = (opens, period_start)
            && brussels_date(o) < add_years(start, -3)
        {
            p.push(FieldProblem::new(
                "submission_opens",
                "De indieningstermijn opent hoogstens drie jaar voor de oproepperiode begint.",
            ));
        }
        let reference_year = match ReferenceYear::parse(&form.reference_year) {
            Ok(y) => {
                match period_start {
                    Some(start) if i32::from(y.get()) > start.year() => {
                        p.push(FieldProblem::new(
                            "reference_year",
                            format!(
                                "Het referentiejaar ligt niet na het begin van de oproepperiode ({}).",
                                start.year()
                            ),
                        ));
                    }
                    _ => {}
                }
                Some(y)
            }
            Err(e) => {
                p.push(FieldProblem::new("reference_year", e.to_string()));
                None
            }
        };
        let single = count_field(&form.single_applicant_min, "single_applicant_min", &mut p);
        let pooled = count_field(&form.pooled_min, "pooled_min", &mut p);
        if pooled == Some(0) {
            p.push(FieldProblem::new(
                "pooled_min",
                "De drempel voor een samenwerking moet groter zijn dan 0.",
            ));
        }
        let incentive_min_share =
            share_field(&form.incentive_min_share, "incentive_min_share", &mut p);
        let cofinancing = share_field(&form.cofinancing_share, "cofinancing_share", &mut p);
        if cofinancing == Some(BasisPoints::FULL) {
            p.push(FieldProblem::new(
                "cofinancing_share",
                "Een cofinanciering van 100% laat geen subsidie toe; kies minder dan 100%.",
            ));
        }
        let incentive = money_field(
            &form.incentive_per_project_year,
            "incentive_per_project_year",
            &mut p,
        );
        let advance = share_field(&form.advance_share, "advance_share", &mut p);
        let continuation = share_field(&form.continuation_share, "continuation_share", &mut p);
        let review_days = match parse_whole_number(&form.review_days, 365) {
            Ok(days) if days >= 1 => u16::try_from(days).ok(),
            Err(e @ (ParseError::Empty | ParseError::TooLarge(_))) => {
                p.push(FieldProblem::new("review_days", e.to_string()));
                None
            }
            _ => {
                p.push(FieldProblem::new(
                    "review_days",
                    "Vul een aantal dagen in tussen 1 en 365, bv. 42.",
                ));
                None
            }
        };
        let four_eyes_threshold = if form.four_eyes_threshold.trim().is_empty() {
            Cents::ZERO
        } else {
            money_field(&form.four_eyes_threshold, "four_eyes_threshold", &mut p)
                .unwrap_or_default()
        };
        let coverage_aim = match parse_coverage_aim(&form.coverage_aim) {
            Ok(aim) => aim,
            Err(message) => {
                p.push(FieldProblem::new("coverage_aim", message));
                None
            }
        };
        let named_applicants = match parse_nis_list(&form.named_applicants) {
            Ok(list) => list,
            Err(message) => {
                p.push(FieldProblem::new("named_applicants", message));
                Vec::new()
            }
        };
        let notes = optional_text(&form.notes, "notes", &mut p);
        let parameters_source = optional_text(&form.parameters_source, "parameters_source", &mut p);
        let project_years = project_years(&form.years, period_start, period_end, &mut p);
        let actions = actions(&form.actions, &mut p);

        match (
            plan_id,
            period_start,
            period_end,
            opens,
            closes,
            reference_year,
            single,
            pooled,
            incentive_min_share,
            cofinancing,
            incentive,
            advance,
            continuation,
            review_days,
        ) {
            (
                Some(plan_id),
                Some(period_start),
                Some(period_end),
                Some(submission_opens_at),
                Some(submission_closes_at),
                Some(reference_year),
                Some(single_applicant_min_exclusive),
                Some(pooled_min_inclusive),
                Some(incentive_min_share),
                Some(cofinancing),
                Some(incentive_per_project_year),
                Some(advance),
                Some(continuation_min),
                Some(review_days),
            ) if p.is_empty() => {
                let spec = CallSpec {
                    code,
                    title,
                    plan_id,
                    period_start,
                    period_end,
                    submission_opens_at,
                    submission_closes_at,
                    reference_year,
                    single_applicant_min_exclusive,
                    pooled_min_inclusive,
                    incentive_min_share,
                    cofinancing,
                    incentive_per_project_year,
                    advance,
                    continuation_min,
                    review_days,
                    four_eyes_threshold,
                    coverage_aim,
                    named_applicants,
                    notes,
                    parameters_source,
                    project_years,
                    actions,
                };
                // The engine's own consistency check, as a last line of defence.
                match spec.rules(&|n| n.to_string()).map(|r| r.validate()) {
                    Some(Ok(())) => Ok(Self(spec)),
                    Some(Err(problems)) => Err(problems
                        .into_iter()
                        .map(|e| FieldProblem::new("code", e.to_string()))
                        .collect()),
                    None => Err(vec![FieldProblem::new(
                        "actions",
                        "Een actie van de catalogus heeft een ongeldige code.",
                    )]),
                }
            }
            _ => {
                if p.is_empty() {
                    p.push(FieldProblem::new("code", "De oproep is niet volledig."));
                }
                Err(p)
            }
        }
    }
}

fn project_years(
    rows: &[ProjectYearForm],
    period_start: Option<NaiveDate>,
    period_end: Option<NaiveDate>,
    p: &mut Vec<FieldProblem>,
) -> Vec<ProjectYearSpec> {
    let mut years = Vec::new();
    let mut previous_end: Option<NaiveDate> = None;
    let filled: Vec<(usize, &ProjectYearForm)> = rows
        .iter()
        .enumerate()
        .filter(|(_, r)| !r.is_blank())
        .collect();
    if filled.is_empty() {
        p.push(FieldProblem::new(
            "y1_starts_on",
            "Een oproep heeft minstens één projectjaar.",
        ));
    }
    for (position, (index, row)) in filled.into_iter().enumerate() {
        let n = index + 1;
        if position != index {
            p.push(FieldProblem::new(
                &format!("y{n}_starts_on"),
                format!("Vul de projectjaren in volgorde in: projectjaar {position} ontbreekt."),
            ));
        }
        let f = |name: &str| format!("y{n}_{name}");
        let starts = date_field(&row.starts_on, &f("starts_on"), p);
        let ends = date_field(&row.ends_on, &f("ends_on"), p);
        let envelope = money_field(&row.envelope, &f("envelope"), p);
        let interim = date_field(&row.interim_report_due, &f("interim_report_due"), p);
        let report = date_field(&row.year_report_due, &f("year_report_due"), p);
        if let (Some(s), Some(e)) = (starts, ends) {
            if e <= s {
                p.push(FieldProblem::new(
                    &f("ends_on"),
                    format!("Projectjaar {n} eindigt na zijn eerste dag."),
                ));
            }
            if period_start.is_some_and(|ps| s < ps) || period_end.is_some_and(|pe| e > pe) {
                p.push(FieldProblem::new(
                    &f("starts_on"),
                    format!("Projectjaar {n} ligt binnen de oproepperiode."),
                ));
            }
            if position == 0 && period_start.is_some_and(|ps| s != ps) {
                p.push(FieldProblem::new(
                    &f("starts_on"),
                    "Projectjaar 1 begint op de eerste dag van de oproepperiode.",
                ));
            }
            if let Some(pe) = previous_end
                && pe.succ_opt() != Some(s)
            {
                p.push(FieldProblem::new(
                    &f("starts_on"),
                    format!(
                        "Projectjaar {n} begint de dag na het einde van projectjaar {}, op {}: projectjaren sluiten aan zonder gat of overlap.",
                        n - 1,
                        pe.succ_opt().map(show_date).unwrap_or_default()
                    ),
                ));
            }
            if let Some(i) = interim
                && (i <= s || i > e)
            {
                p.push(FieldProblem::new(
                    &f("interim_report_due"),
                    format!("Het tussentijds rapport van projectjaar {n} valt binnen dat projectjaar, na de eerste dag."),
                ));
            }
            if let Some(r) = report
                && r < e
            {
                p.push(FieldProblem::new(
                    &f("year_report_due"),
                    format!("Het jaarrapport van projectjaar {n} valt op of na de laatste dag van dat jaar ({}).", show_date(e)),
                ));
            }
            previous_end = Some(e);
        }
        if let (Some(i), Some(r)) = (interim, report)
            && r <= i
        {
            p.push(FieldProblem::new(
                &f("year_report_due"),
                format!("Het jaarrapport van projectjaar {n} valt na het tussentijds rapport."),
            ));
        }
        if let (Some(starts_on), Some(ends_on), Some(envelope), Some(i), Some(r)) =
            (starts, ends, envelope, interim, report)
        {
            years.push(ProjectYearSpec {
                number: u16::try_from(n).unwrap_or(u16::MAX),
                starts_on,
                ends_on,
                envelope,
                interim_report_due: i,
                year_report_due: r,
            });
        }
    }
    years
}

fn actions(rows: &[CallActionForm], p: &mut Vec<FieldProblem>) -> Vec<CallActionSpec> {
    let mut out = Vec::new();
    let mut seen = BTreeSet::new();
    for row in rows.iter().filter(|r| r.selected) {
        let f = |name: &str| format!("a{}_{name}", row.action_id);
        if !seen.insert(row.action_id) {
            continue;
        }
        let unit_cost = money_field(&row.unit_cost, &f("unit_cost"), p);
        if unit_cost == Some(Cents::ZERO) {
            p.push(FieldProblem::new(
                &f("unit_cost"),
                format!("Actie {}: de eenheidskost is groter dan 0.", row.code),
            ));
        }
        let max_reach = match Reach::parse(&row.max_reach) {
            Ok(r) if r.get() == 0 => {
                p.push(FieldProblem::new(
                    &f("max_reach"),
                    format!("Actie {}: het maximaal bereik is minstens 1.", row.code),
                ));
                None
            }
            Ok(r) => Some(r),
            Err(e) => {
                p.push(FieldProblem::new(
                    &f("max_reach"),
                    format!("Actie {}: {e}", row.code),
                ));
                None
            }
        };
        let label = row.unit_label.trim().to_owned();
        if label.is_empty() || label.chars().count() > MAX_LABEL {
            p.push(FieldProblem::new(
                &f("unit_label"),
                format!(
                    "Actie {}: zeg wat één eenheid bereik is (bv. \"schoolproject\"), hoogstens {MAX_LABEL} tekens.",
                    row.code
                ),
            ));
        }
        if let (Some(unit_cost), Some(max_reach)) = (unit_cost, max_reach) {
            out.push(CallActionSpec {
                action_id: row.action_id,
                code: row.code.clone(),
                title: row.title.clone(),
                unit_cost,
                max_reach,
                unit_label: label,
            });
        }
    }
    if rows.iter().all(|r| !r.selected) {
        p.push(FieldProblem::new(
            "actions",
            "Kies minstens één actie die de oproep aanbiedt.",
        ));
    }
    out
}

fn date_field(text: &str, field: &str, p: &mut Vec<FieldProblem>) -> Option<NaiveDate> {
    match parse_date(text) {
        Ok(d) => Some(d),
        Err(message) => {
            p.push(FieldProblem::new(field, message));
            None
        }
    }
}

fn moment_field(text: &str, field: &str, p: &mut Vec<FieldProblem>) -> Option<DateTime<Utc>> {
    match parse_brussels_moment(text) {
        Ok(d) => Some(d),
        Err(message) => {
            p.push(FieldProblem::new(field, message));
            None
        }
    }
}

fn count_field(text: &str, field: &str, p: &mut Vec<FieldProblem>) -> Option<u64> {
    let t = text.trim();
    match parse_grouped_integer(t) {
        Some(GroupedInteger::Value(v)) if v <= 100_000_000 => Some(v),
        _ if t.is_empty() => {
            p.push(FieldProblem::new(field, ParseError::Empty.to_string()));
            None
        }
        _ => {
            p.push(FieldProblem::new(
                field,
                "Vul een geheel aantal inwoners in, bv. 7.500.",
            ));
            None
        }
    }
}

fn share_field(text: &str, field: &str, p: &mut Vec<FieldProblem>) -> Option<BasisPoints> {
    match BasisPoints::parse_percent(text) {
        Ok(bp) => Some(bp),
        Err(e) => {
            p.push(FieldProblem::new(field, e.to_string()));
            None
        }
    }
}

fn money_field(text: &str, field: &str, p: &mut Vec<FieldProblem>) -> Option<Cents> {
    match Cents::parse(text) {
        Ok(c) => Some(c),
        Err(e) => {
            p.push(FieldProblem::new(field, e.to_string()));
            None
        }
    }
}

fn optional_text(text: &str, field: &str, p: &mut Vec<FieldProblem>) -> Option<String> {
    let t = text.trim();
    if t.chars().count() > MAX_TEXT {
        p.push(FieldProblem::new(
            field,
            format!("Hoogstens {}.", super::dutch::characters(MAX_TEXT)),
        ));
    }
    (!t.is_empty()).then(|| t.to_owned())
}

/// `2/3`, `66,67%` or `66,67` (a percentage), empty for none.
pub fn parse_coverage_aim(text: &str) -> Result<Option<Ratio>, String> {
    let t = text.trim();
    if t.is_empty() {
        return Ok(None);
    }
    let bad = || {
        "Schrijf het bereiksdoel als breuk (2/3) of als percentage (66,67%), hoogstens 100%."
            .to_owned()
    };
    if let Some((n, d)) = t.split_once('/') {
        let n: u64 = n.trim().parse().map_err(|_| bad())?;
        let d: u64 = d.trim().parse().map_err(|_| bad())?;
        return match Ratio::new(n, d) {
            Some(r) if n <= d && d <= 1_000_000 => Ok(Some(r)),
            _ => Err(bad()),
        };
    }
    let bp = BasisPoints::parse_percent(t).map_err(|_| bad())?;
    Ratio::new(u64::from(bp.get()), 10_000)
        .map(Some)
        .ok_or_else(bad)
}

/// The coverage aim as the form shows it.
pub fn show_coverage_aim(aim: Option<(i32, i32)>) -> String {
    match aim {
        Some((n, d)) => format!("{n}/{d}"),
        None => String::new(),
    }
}

/// NIS codes separated by commas, semicolons or white space; duplicates refused.
pub fn parse_nis_list(text: &str) -> Result<Vec<NisCode>, String> {
    let mut out: Vec<NisCode> = Vec::new();
    for part in text
        .split(|c: char| c == ',' || c == ';' || c.is_whitespace())
        .filter(|s| !s.is_empty())
    {
        let code = NisCode::parse(part).map_err(|e| format!("{part}: {e}"))?;
        if out.contains(&code) {
            return Err(format!("NIS-code {code} staat er twee keer."));
        }
        out.push(code);
    }
    Ok(out)
}

/// A date as `2022-07-01`, `01-07-2022`, `1/7/2022` or `01.07.2022` (see [`super::time`]).
pub fn parse_date(text: &str) -> Result<NaiveDate, String> {
    super::time::parse_date(text).map_err(|e| match e {
        super::time::TimeError::Empty => ParseError::Empty.to_string(),
        other => other.to_string(),
    })
}

/// A moment in Brussels time: `2022-07-01T12:00`, `2022-07-01 12:00`, `01-07-2022 12:00`; a date
/// alone means the end of that day (23:59).
pub fn parse_brussels_moment(text: &str) -> Result<DateTime<Utc>, String> {
    super::time::parse_brussels_moment(text).map_err(|e| match e {
        super::time::TimeError::Empty => ParseError::Empty.to_string(),
        other => other.to_string(),
    })
}

pub use super::time::{brussels_date, brussels_to_utc, to_brussels as utc_to_brussels};

/// A moment as the form shows it: `2022-07-01T23:59` in Brussels time.
pub fn show_moment_input(at: DateTime<Utc>) -> String {
    super::time::moment_input(at)
}

/// A moment as a sentence shows it: `01-07-2022 23:59`.
pub fn show_moment(at: DateTime<Utc>) -> String {
    super::time::moment_short(at)
}

fn show_date(d: NaiveDate) -> String {
    d.format("%d-%m-%Y").to_string()
}

fn add_years(d: NaiveDate, years: i32) -> NaiveDate {
    d.with_year(d.year() + years)
        .or_else(|| d.pred_opt().and_then(|p| p.with_year(p.year() + years)))
        .unwrap_or(d)
}

/// An envelope may not fall below what is already granted for its project year (`granted`:
/// per project year number, the standing decisions' amounts): one problem on the year's
/// envelope field (`y{n}_envelope`) naming both amounts.
pub fn envelopes_cover_granted(
    after: &CallSpec,
    granted: &std::collections::BTreeMap<i32, Cents>,
) -> Vec<FieldProblem> {
    after
        .project_years
        .iter()
        .filter_map(|y| {
            let granted = *granted.get(&i32::from(y.number))?;
            (y.envelope < granted).then(|| {
                FieldProblem::new(
                    &format!("y{}_envelope", y.number),
                    format!(
                        "De enveloppe van projectjaar {} ({}) is kleiner dan wat voor dat jaar al toegekend is ({}). Kies minstens {}.",
                        y.number, y.envelope, granted, granted
                    ),
                )
            })
        })
        .collect()
}

/// What an edit would change that is locked because dossiers were submitted under the call's
/// rules (see the module documentation), one problem per locked field. `used_action_ids` are
/// the catalog actions some dossier of the call (even a draft) chose: they can never be dropped.
pub fn locked_changes(
    before: &CallSpec,
    after: &CallSpec,
    has_submissions: bool,
    used_action_ids: &BTreeSet<i64>,
) -> Vec<FieldProblem> {
    let mut p = Vec::new();
    for id in used_action_ids {
        if before.actions.iter().any(|a| a.action_id == *id)
            && !after.actions.iter().any(|a| a.action_id == *id)
        {
            let code = before
                .actions
                .iter()
                .find(|a| a.action_id == *id)
                .map(|a| a.code.clone())
                .unwrap_or_default();
            p.push(FieldProblem::new(
                &format!("a{id}_selected"),
                format!("Actie {code} kan niet uit de oproep: een dossier koos ze al."),
            ));
        }
    }
    if !has_submissions {
        return p;
    }
    let locked = "ligt vast zodra een dossier ingediend is";
    let mut check = |changed: bool, field: &str, what: &str| {
        if changed {
            p.push(FieldProblem::new(field, format!("{what} {locked}.")));
        }
    };
    check(before.code != after.code, "code", "De code");
    check(
        before.plan_id != after.plan_id,
        "plan_id",
        "Het beleidsplan",
    );
    check(
        before.period_start != after.period_start,
        "period_start",
        "Het begin van de oproepperiode",
    );
    check(
        before.period_end != after.period_end,
        "period_end",
        "Het einde van de oproepperiode",
    );
    check(
        before.submission_opens_at != after.submission_opens_at,
        "submission_opens",
        "De opening van de indieningstermijn",
    );
    check(
        after.submission_closes_at < before.submission_closes_at,
        "submission_closes",
        "Een vroegere deadline kan niet meer: de deadline",
    );
    check(
        before.reference_year != after.reference_year,
        "reference_year",
        "Het referentiejaar",
    );
    check(
        before.single_applicant_min_exclusive != after.single_applicant_min_exclusive,
        "single_applicant_min",
        "De drempel om zelfstandig in te dienen",
    );
    check(
        before.pooled_min_inclusive != after.pooled_min_inclusive,
        "pooled_min",
        "De drempel voor een samenwerking",
    );
    check(
        before.incentive_min_share != after.incentive_min_share,
        "incentive_min_share",
        "Het minimumaandeel voor de incentive",
    );
    check(
        before.cofinancing != after.cofinancing,
        "cofinancing_share",
        "De cofinanciering",
    );
    check(
        before.incentive_per_project_year != after.incentive_per_project_year,
        "incentive_per_project_year",
        "De incentive per projectjaar",
    );
    check(
        before.advance != after.advance,
        "advance_share",
        "Het voorschot",
    );
    check(
        before.continuation_min != after.continuation_min,
        "continuation_share",
        "De voortzettingsdrempel",
    );
    check(
        before.named_applicants != after.named_applicants,
        "named_applicants",
        "De lijst van bij naam genoemde indieners",
    );
    if before.project_years.len() != after.project_years.len() {
        let n = before.project_years.len().min(after.project_years.len()) + 1;
        check(true, &format!("y{n}_starts_on"), "Het aantal projectjaren");
    }
    for (b, a) in before.project_years.iter().zip(&after.project_years) {
        check(
            b.starts_on != a.starts_on || b.ends_on != a.ends_on,
            &format!("y{}_starts_on", a.number),
            &format!("De data van projectjaar {}", a.number),
        );
    }
    for b in &before.actions {
        let Some(a) = after.actions.iter().find(|a| a.action_id == b.action_id) else {
            if !used_action_ids.contains(&b.action_id) {
                check(
                    true,
                    &format!("a{}_selected", b.action_id),
                    &format!("De lijst van acties (actie {} schrappen)", b.code),
                );
            }
            continue;
        };
        check(
            a.unit_cost != b.unit_cost,
            &format!("a{}_unit_cost", b.action_id),
            &format!("De eenheidskost van actie {}", b.code),
        );
        check(
            a.max_reach != b.max_reach,
            &format!("a{}_max_reach", b.action_id),
            &format!("Het maximaal bereik van actie {}", b.code),
        );
    }
    p
}

/// The state of a call, as the operations see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallStatus {
    Draft,
    Open,
    Closed,
}

/// A reason is required for every operation.
pub fn check_reason(reason: &str) -> Result<String, FieldProblem> {
    let r = reason.trim();
    if r.is_empty() {
        Err(FieldProblem::new(
            "reason",
            "Geef de reden op; ze komt in het auditlog en in de e-mail aan de betrokkenen.",
        ))
    } else if r.chars().count() > MAX_REASON {
        Err(FieldProblem::new(
            "reason",
            format!(
                "De reden telt hoogstens {}.",
                super::dutch::characters(MAX_REASON)
            ),
        ))
    } else {
        Ok(r.to_owned())
    }
}

/// May the call be opened now? From draft or closed, while its deadline is still ahead.
pub fn check_open(
    status: CallStatus,
    closes_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<(), String> {
    match status {
        CallStatus::Open => Err("De oproep is al open.".to_owned()),
        _ if closes_at <= now => Err(format!(
            "De indieningstermijn liep af op {}: verleng eerst de deadline.",
            show_moment(closes_at)
        )),
        _ => Ok(()),
    }
}

/// May the call be closed? Only an open call.
pub fn check_close(status: CallStatus) -> Result<(), String> {
    match status {
        CallStatus::Open => Ok(()),
        _ => Err("Alleen een open oproep kan gesloten worden.".to_owned()),
    }
}

/// A new deadline: later than the current one and than now, at most ten years ahead.
pub fn check_new_deadline(
    text: &str,
    current: DateTime<Utc>,
    now: DateTime<Utc>,
    field: &str,
) -> Result<DateTime<Utc>, FieldProblem> {
    let new = parse_brussels_moment(text).map_err(|m| FieldProblem::new(field, m))?;
    if new <= current {
        return Err(FieldProblem::new(
            field,
            format!(
                "De nieuwe deadline ligt na de huidige ({}).",
                show_moment(current)
            ),
        ));
    }
    check_late_until(new, now, field)
}

/// The end of a late-submission allowance for one dossier: in the future, at most ten years
/// ahead.
pub fn check_late_until(
    until: DateTime<Utc>,
    now: DateTime<Utc>,
    field: &str,
) -> Result<DateTime<Utc>, FieldProblem> {
    if until <= now {
        return Err(FieldProblem::new(field, "Kies een moment in de toekomst."));
    }
    if until > now + Duration::days(3_653) {
        return Err(FieldProblem::new(
            field,
            "Kies een moment binnen tien jaar.",
        ));
    }
    Ok(until)
}

/// The deadline that holds for one organisation: the call's, or a later allowance.
pub fn effective_deadline(
    call_closes_at: DateTime<Utc>,
    allowances: &[DateTime<Utc>],
) -> DateTime<Utc> {
    allowances
        .iter()
        .copied()
        .fold(call_closes_at, std::cmp::Ord::max)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> CallForm {
        CallForm {
            code: "PS-2027".into(),
            title: "Proefoproep".into(),
            plan_id: "1".into(),
            period_start: "01-10-2027".into(),
            period_end: "2029-09-30".into(),
            submission_opens: "2027-04-15T09:00".into(),
            submission_closes: "01-07-2027 12:00".into(),
            reference_year: "2020".into(),
            single_applicant_min: "7.500".into(),
            pooled_min: "7500".into(),
            incentive_min_share: "15%".into(),
            cofinancing_share: "50".into(),
            incentive_per_project_year: "10.000,00".into(),
            advance_share: "80 %".into(),
            continuation_share: "25".into(),
            review_days: "42".into(),
            four_eyes_threshold: String::new(),
            coverage_aim: "2/3".into(),
            named_applicants: "11002, 44021".into(),
            notes: String::new(),
            parameters_source: "test".into(),
            years: vec![
                ProjectYearForm {
                    starts_on: "2027-10-01".into(),
                    ends_on: "2028-09-30".into(),
                    envelope: "€ 10.000.000".into(),
                    interim_report_due: "2028-04-15".into(),
                    year_report_due: "2028-10-15".into(),
                },
                ProjectYearForm {
                    starts_on: "2028-10-01".into(),
                    ends_on: "2029-09-30".into(),
                    envelope: "16.000.000,00".into(),
                    interim_report_due: "2029-04-15".into(),
                    year_report_due: "2029-10-15".into(),
                },
                ProjectYearForm::default(),
            ],
            actions: vec![
                CallActionForm {
                    action_id: 7,
                    code: "1.4".into(),
                    title: "Nederlands".into(),
                    selected: true,
                    unit_cost: "12.500,00".into(),
                    max_reach: "4".into(),
                    unit_label: "oefenproject".into(),
                },
                CallActionForm {
                    action_id: 8,
                    code: "2.1".into(),
                    title: "Jeugdwerk".into(),
                    selected: false,
                    unit_cost: "bad".into(),
                    max_reach: String::new(),
                    unit_label: String::new(),
                },
            ],
        }
    }

    /// A change to the form, for the tables of bad input.
    type Change = fn(&mut CallForm);

    fn context() -> DraftContext {
        DraftContext {
            plan_ids: vec![1],
            stored_moments: None,
        }
    }

    fn problems(form: &CallForm) -> Vec<FieldProblem> {
        CallDraft::parse(form, &context()).unwrap_err()
    }

    fn fields(form: &CallForm) -> Vec<String> {
        problems(form).into_iter().map(|p| p.field).collect()
    }

    #[test]
    fn a_complete_form_typed_the_belgian_way_is_a_valid_call() {
        let draft = CallDraft::parse(&form(), &context()).unwrap();
        let s = draft.spec();
        assert_eq!(s.project_years.len(), 2);
        assert_eq!(s.project_years[0].envelope.get(), 1_000_000_000);
        assert_eq!(s.project_years[1].envelope.get(), 1_600_000_000);
        assert_eq!(s.incentive_per_project_year.get(), 1_000_000);
        assert_eq!(s.cofinancing.get(), 5_000);
        assert_eq!(s.advance.get(), 8_000);
        assert_eq!(s.single_applicant_min_exclusive, 7_500);
        assert_eq!(s.coverage_aim, Ratio::new(2, 3));
        assert_eq!(s.named_applicants.len(), 2);
        assert_eq!(s.actions.len(), 1, "unselected rows are left out");
        assert_eq!(s.actions[0].unit_cost.get(), 1_250_000);
        // 12:00 Brussels summer time is 10:00 UTC.
        assert_eq!(
            s.submission_closes_at.to_rfc3339(),
            "2027-07-01T10:00:00+00:00"
        );
        assert_eq!(show_moment_input(s.submission_opens_at), "2027-04-15T09:00");
    }

    #[test]
    fn the_four_eyes_threshold_is_an_amount_and_empty_means_always() {
        let draft = CallDraft::parse(&form(), &context()).unwrap();
        assert_eq!(draft.spec().four_eyes_threshold, Cents::ZERO);
        let mut f = form();
        f.four_eyes_threshold = "25.000,00".into();
        let draft = CallDraft::parse(&f, &context()).unwrap();
        assert_eq!(draft.spec().four_eyes_threshold.get(), 2_500_000);
    }

    #[test]
    fn bad_values_are_each_reported_on_their_own_field_in_dutch() {
        let table: Vec<(Change, &str)> = vec![
            (|f| f.code = "PS 2027".into(), "code"),
            (|f| f.code = String::new(), "code"),
            (|f| f.title = " ".into(), "title"),
            (|f| f.plan_id = "9".into(), "plan_id"),
            (|f| f.period_end = "2027-10-01".into(), "period_end"),
            (|f| f.period_end = "2027-09-30".into(), "period_end"),
            (|f| f.period_end = "2040-01-01".into(), "period_end"),
            (|f| f.period_start = "31-02-2027".into(), "period_start"),
            (
                |f| f.submission_closes = "2027-04-01 12:00".into(),
                "submission_closes",
            ),
            (
                |f| f.submission_opens = "2029-10-01 12:00".into(),
                "submission_opens",
            ),
            (
                |f| f.submission_opens = "2020-01-01 09:00".into(),
                "submission_opens",
            ),
            (|f| f.submission_opens = "morgen".into(), "submission_opens"),
            (|f| f.reference_year = "2030".into(), "reference_year"),
            (|f| f.reference_year = "20".into(), "reference_year"),
            (
                |f| f.single_applicant_min = "-1".into(),
                "single_applicant_min",
            ),
            (|f| f.pooled_min = "0".into(), "pooled_min"),
            (|f| f.review_days = "0".into(), "review_days"),
            (|f| f.review_days = "400".into(), "review_days"),
            (|f| f.review_days = "zes weken".into(), "review_days"),
            (|f| f.review_days = String::new(), "review_days"),
            (
                |f| f.four_eyes_threshold = "-5".into(),
                "four_eyes_threshold",
            ),
            (
                |f| f.four_eyes_threshold = "veel".into(),
                "four_eyes_threshold",
            ),
            (
                |f| f.incentive_min_share = "101".into(),
                "incentive_min_share",
            ),
            (|f| f.cofinancing_share = "100".into(), "cofinancing_share"),
            (|f| f.advance_share = "80,555".into(), "advance_share"),
            (
                |f| f.continuation_share = String::new(),
                "continuation_share",
            ),
            (
                |f| f.incentive_per_project_year = "10.00".into(),
                "incentive_per_project_year",
            ),
            (|f| f.coverage_aim = "4/3".into(), "coverage_aim"),
            (
                |f| f.named_applicants = "11002 11002".into(),
                "named_applicants",
            ),
            (|f| f.named_applicants = "123".into(), "named_applicants"),
            (|f| f.years[0].envelope = "-5".into(), "y1_envelope"),
            (
                |f| f.years[0].starts_on = "2027-10-02".into(),
                "y1_starts_on",
            ),
            (|f| f.years[0].ends_on = "2027-09-01".into(), "y1_ends_on"),
            (
                |f| f.years[1].starts_on = "2028-10-02".into(),
                "y2_starts_on",
            ),
            (|f| f.years[1].ends_on = "2029-10-30".into(), "y2_starts_on"),
            (
                |f| f.years[0].interim_report_due = "2027-10-01".into(),
                "y1_interim_report_due",
            ),
            (
                |f| f.years[0].year_report_due = "2028-09-29".into(),
                "y1_year_report_due",
            ),
            (
                |f| f.years = vec![ProjectYearForm::default()],
                "y1_starts_on",
            ),
            (|f| f.actions[0].unit_cost = "0".into(), "a7_unit_cost"),
            (|f| f.actions[0].unit_cost = "12,5,0".into(), "a7_unit_cost"),
            (|f| f.actions[0].max_reach = "0".into(), "a7_max_reach"),
            (|f| f.actions[0].max_reach = "twee".into(), "a7_max_reach"),
            (|f| f.actions[0].unit_label = String::new(), "a7_unit_label"),
            (|f| f.actions[0].selected = false, "actions"),
        ];
        for (change, field) in table {
            let mut f = form();
            change(&mut f);
            let found = problems(&f);
            assert!(
                found
                    .iter()
                    .any(|p| p.field == field && !p.message.is_empty()),
                "{field}: {found:?}"
            );
        }
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let mut f = form();
        f.title = String::new();
        f.pooled_min = "x".into();
        f.years[1].envelope = "x".into();
        let found = fields(&f);
        for field in ["title", "pooled_min", "y2_envelope"] {
            assert!(found.contains(&field.to_owned()), "{found:?}");
        }
    }

    #[test]
    fn a_gap_in_the_project_year_rows_is_refused() {
        let mut f = form();
        f.years.swap(1, 2);
        assert!(fields(&f).contains(&"y3_starts_on".to_owned()));
    }

    fn spec() -> CallSpec {
        CallDraft::parse(&form(), &context()).unwrap().into_spec()
    }

    #[test]
    fn before_any_submission_everything_may_change_but_used_actions_stay() {
        let before = spec();
        let mut after = spec();
        after.cofinancing = BasisPoints::new(4_000).unwrap();
        after.actions.clear();
        let used = BTreeSet::from([7]);
        let found = locked_changes(&before, &after, false, &used);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].field, "a7_selected");
        assert!(locked_changes(&before, &after, false, &BTreeSet::new()).is_empty());
    }

    #[test]
    fn after_a_submission_the_rules_are_locked_and_envelopes_and_dates_due_stay_free() {
        let before = spec();
        let mut free = spec();
        free.title = "Nieuwe titel".into();
        free.project_years[0].envelope = Cents::new(5).unwrap();
        free.project_years[1].year_report_due = NaiveDate::from_ymd_opt(2029, 11, 1).unwrap();
        free.submission_closes_at += Duration::days(10);
        free.coverage_aim = None;
        free.actions[0].unit_label = "ander label".into();
        assert_eq!(
            locked_changes(&before, &free, true, &BTreeSet::new()),
            vec![]
        );

        let mut locked = spec();
        locked.cofinancing = BasisPoints::new(4_000).unwrap();
        locked.single_applicant_min_exclusive = 5_000;
        locked.actions[0].unit_cost = Cents::new(1).unwrap();
        locked.project_years.pop();
        locked.submission_closes_at -= Duration::days(1);
        let found: Vec<String> = locked_changes(&before, &locked, true, &BTreeSet::new())
            .into_iter()
            .map(|p| p.field)
            .collect();
        assert_eq!(
            found,
            [
                "submission_closes",
                "single_applicant_min",
                "cofinancing_share",
                "y2_starts_on",
                "a7_unit_cost"
            ]
        );
    }

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text).unwrap().to_utc()
    }

    #[test]
    fn brussels_time_follows_summer_and_winter_time() {
        let table = [
            ("2027-01-15T09:00", "2027-01-15T08:00:00+00:00"),
            ("2027-07-01T12:00", "2027-07-01T10:00:00+00:00"),
            // Summer time starts on 28 March 2027 at 02:00 local.
            ("2027-03-28T01:30", "2027-03-28T00:30:00+00:00"),
            ("2027-03-28T03:30", "2027-03-28T01:30:00+00:00"),
            // And ends on 31 October 2027 at 03:00 local.
            ("2027-10-31T03:30", "2027-10-31T02:30:00+00:00"),
        ];
        for (local, utc) in table {
            let parsed = parse_brussels_moment(local).unwrap();
            assert_eq!(parsed.to_rfc3339(), utc, "{local}");
            assert_eq!(show_moment_input(parsed), local);
        }
        assert_eq!(
            parse_brussels_moment("01-07-2022").unwrap().to_rfc3339(),
            "2022-07-01T21:59:00+00:00",
            "a date alone is the end of that day"
        );
    }

    #[test]
    fn operations_are_checked_against_the_state_and_the_clock() {
        let now = at("2027-05-01T10:00:00Z");
        let later = at("2027-07-01T10:00:00Z");
        assert!(check_open(CallStatus::Draft, later, now).is_ok());
        assert!(check_open(CallStatus::Closed, later, now).is_ok());
        assert!(check_open(CallStatus::Open, later, now).is_err());
        assert!(check_open(CallStatus::Draft, now, now).is_err());
        assert!(check_close(CallStatus::Open).is_ok());
        assert!(check_close(CallStatus::Draft).is_err());
        assert!(check_new_deadline("2027-07-15 12:00", later, now, "x").is_ok());
        assert!(check_new_deadline("2027-06-15 12:00", later, now, "x").is_err());
        assert!(check_new_deadline("2047-01-01 12:00", later, now, "x").is_err());
        assert!(check_late_until(at("2027-04-01T10:00:00Z"), now, "x").is_err());
        assert!(check_reason("  ").is_err());
        assert!(check_reason(&"x".repeat(MAX_REASON + 1)).is_err());
        assert_eq!(
            check_reason(" te laat door storing ").unwrap(),
            "te laat door storing"
        );
        assert_eq!(effective_deadline(now, &[later]), later);
        assert_eq!(effective_deadline(later, &[now]), later);
    }
}

#[cfg(test)]
pub(crate) mod envelope_tests {
    use std::collections::BTreeMap;

    use super::*;

    /// A project year with `envelope` (every day the same): a fixture other modules' tests share.
    pub(crate) fn year(number: u16, envelope: Cents) -> ProjectYearSpec {
        let d = NaiveDate::from_ymd_opt(2022, 7, 1).unwrap();
        ProjectYearSpec {
            number,
            starts_on: d,
            ends_on: d,
            envelope,
            interim_report_due: d,
            year_report_due: d,
        }
    }

    /// A call with `years` and neutral rules: a fixture other modules' tests share.
    pub(crate) fn spec(years: Vec<ProjectYearSpec>) -> CallSpec {
        let d = NaiveDate::from_ymd_opt(2022, 7, 1).unwrap();
        let at = DateTime::<Utc>::from_timestamp(1_650_000_000, 0).unwrap();
        CallSpec {
            code: "PS".into(),
            title: "t".into(),
            plan_id: 1,
            period_start: d,
            period_end: d,
            submission_opens_at: at,
            submission_closes_at: at,
            reference_year: ReferenceYear::parse("2020").unwrap(),
            single_applicant_min_exclusive: 0,
            pooled_min_inclusive: 1,
            incentive_min_share: BasisPoints::FULL,
            cofinancing: BasisPoints::FULL,
            incentive_per_project_year: Cents::ZERO,
            advance: BasisPoints::FULL,
            continuation_min: BasisPoints::FULL,
            review_days: 42,
            four_eyes_threshold: Cents::ZERO,
            coverage_aim: None,
            named_applicants: Vec::new(),
            notes: None,
            parameters_source: None,
            project_years: years,
            actions: Vec::new(),
        }
    }

    #[test]
    fn an_envelope_below_what_is_granted_is_refused_naming_both_amounts() {
        let granted = BTreeMap::from([(1, Cents::new(23_123_457).unwrap())]);
        let cut = spec(vec![
            year(1, Cents::new(1_250_050).unwrap()),
            year(2, Cents::ZERO),
        ]);
        let problems = envelopes_cover_granted(&cut, &granted);
        assert_eq!(
            problems,
            vec![FieldProblem::new(
                "y1_envelope",
                "De enveloppe van projectjaar 1 (€ 12.500,50) is kleiner dan wat voor dat jaar al toegekend is (€ 231.234,57). Kies minstens € 231.234,57."
            )]
        );
    }

    #[test]
    fn an_envelope_equal_to_or_above_what_is_granted_is_accepted() {
        let granted = BTreeMap::from([(1, Cents::new(500).unwrap())]);
        let exact = spec(vec![year(1, Cents::new(500).unwrap())]);
        assert!(envelopes_cover_granted(&exact, &granted).is_empty());
        let none_granted = spec(vec![year(1, Cents::ZERO)]);
        assert!(envelopes_cover_granted(&none_granted, &BTreeMap::new()).is_empty());
    }
}
