//! The complete dossier as one read-only page: for locked dossiers, for members and reviewers,
//! for the "check your answers" page, and for printing.

use chrono::{DateTime, NaiveDate, Utc};

use crate::domain::{ApplicationReport, Cents, KpiValue};
use crate::store::drafts::{ChosenAction, DossierContent};
use crate::web::dossier_view::{DossierHeader, ShownResult, header, shown};
use entity::kpi;

pub struct KpiLine {
    pub indicator: String,
    pub unit: String,
    pub baseline: KpiValue,
    pub target: KpiValue,
    pub target_date: NaiveDate,
    pub measurement: String,
    pub is_reach: bool,
    /// The value should go down (the target lies below the baseline).
    pub falling: bool,
}

pub struct ActionLine {
    pub id: i64,
    pub rank: i32,
    pub code: String,
    pub title: String,
    pub unit_label: String,
    pub baseline: i32,
    pub planned: i32,
    pub max_reach: i32,
    pub unit_cost: Cents,
    pub grant: Cents,
    /// The own share per project year, money and staff together.
    pub own: Cents,
    /// Of which staff time valued in euro.
    pub own_staff: Cents,
    pub description: String,
    pub partners: String,
    pub kpis: Vec<KpiLine>,
}

/// One project year of the budget (or the totals over every year): the actions' grant, the own
/// contribution, the cooperation's incentive and their sum.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct YearLine {
    pub year: u16,
    pub grant: Cents,
    pub own: Cents,
    pub incentive: Cents,
    pub total: Cents,
}

impl YearLine {
    /// The column totals of `lines` (`year` 0): each column summed, and the grand total.
    pub fn totals(lines: &[YearLine]) -> YearLine {
        lines.iter().fold(
            YearLine {
                year: 0,
                grant: Cents::ZERO,
                own: Cents::ZERO,
                incentive: Cents::ZERO,
                total: Cents::ZERO,
            },
            |sum, y| YearLine {
                year: 0,
                grant: sum.grant.saturating_add(y.grant),
                own: sum.own.saturating_add(y.own),
                incentive: sum.incentive.saturating_add(y.incentive),
                total: sum.total.saturating_add(y.total),
            },
        )
    }
}

pub struct FullView {
    pub header: DossierHeader,
    pub summary: String,
    pub contact_name: String,
    pub contact_email: String,
    pub contact_phone: String,
    pub project_years: String,
    /// The members with what each committed of the own contribution per project year.
    pub members: Vec<(String, Option<Cents>)>,
    /// What is left of the own contribution for the lead once the members' commitments are
    /// counted (`None` for a dossier without members); zero when they commit more.
    pub lead_share: Option<Cents>,
    pub actions: Vec<ActionLine>,
    pub years: Vec<YearLine>,
    /// The budget table's last row: every column summed over the project years.
    pub totals: YearLine,
    /// The grant asked for over every project year, the incentive included.
    pub total_grant: Cents,
    /// The own contribution over every project year.
    pub total_own: Cents,
    pub attachments: Vec<String>,
    pub declarations: bool,
    pub results: Vec<ShownResult>,
    pub can_submit: bool,
    pub fictitious: bool,
    pub submitted_at: Option<DateTime<Utc>>,
    /// When ABB decided: the dossier then has a decision to read (`web::decision`).
    pub decided_at: Option<DateTime<Utc>>,
}

pub use crate::domain::dutch::format_money as money;

/// The members of `content` with what each committed of the own contribution per project year.
fn member_commitments(content: &DossierContent) -> Vec<(String, Option<Cents>)> {
    let dossier = &content.dossier;
    dossier
        .member_names
        .iter()
        .cloned()
        .zip(
            dossier
                .member_commitments
                .iter()
                .map(|c| c.and_then(Cents::new)),
        )
        .collect()
}

/// What is left of the own contribution of `content` for its lead once the members'
/// commitments are counted ([`crate::domain::cooperation::lead_share`]); `None` without members.
fn lead_share(content: &DossierContent) -> Option<Cents> {
    let dossier = &content.dossier;
    (!dossier.member_names.is_empty()).then(|| {
        let committed: Vec<Cents> = dossier
            .member_commitments
            .iter()
            .filter_map(|c| c.and_then(Cents::new))
            .collect();
        crate::domain::cooperation::lead_share(content.own_contribution_per_year(), &committed)
            .unwrap_or(Cents::ZERO)
    })
}

/// A stored KPI value (thousandths, never negative) as the typed value pages show.
pub fn kpi_value(thousandths: i64) -> KpiValue {
    KpiValue::from_thousandths(u64::try_from(thousandths).unwrap_or(0))
}

pub fn kpi_text(thousandths: i64) -> String {
    u64::try_from(thousandths)
        .map(|v| KpiValue::from_thousandths(v).to_string())
        .unwrap_or_default()
}

pub fn attachment_label(kind: &str) -> &'static str {
    match kind {
        "council_decision" => "Beslissing van de gemeenteraad of het college",
        "budget_sheet" => "Begroting (rekenblad)",
        "consent_decision" => "Beslissing over deelname (lid van een samenwerking)",
        _ => "Andere bijlage",
    }
}

pub fn full_view(content: &DossierContent, report: &ApplicationReport) -> FullView {
    let app = &content.dossier.application;
    let years = year_lines(content, report);
    FullView {
        header: header(content, false),
        summary: app.summary.clone().unwrap_or_default(),
        contact_name: app.contact_name.clone().unwrap_or_default(),
        contact_email: app.contact_email.clone().unwrap_or_default(),
        contact_phone: app.contact_phone.clone().unwrap_or_default(),
        project_years: project_years_text(app.first_project_year, app.last_project_year),
        members: member_commitments(content),
        lead_share: lead_share(content),
        actions: content
            .actions
            .iter()
            .map(|a| action_line(a, report))
            .collect(),
        totals: YearLine::totals(&years),
        years,
        total_grant: report.total_grant,
        total_own: report.total_own_contribution,
        attachments: content
            .attachment_kinds
            .iter()
            .map(|k| attachment_label(k).to_owned())
            .collect(),
        declarations: app.declarations_accepted_at.is_some(),
        results: report.results.iter().map(shown).collect(),
        can_submit: report.can_submit,
        fictitious: report.fictitious,
        submitted_at: app.submitted_at,
        decided_at: app.decided_at,
    }
}

fn project_years_text(first: i32, last: i32) -> String {
    if first == last {
        format!("projectjaar {first}")
    } else {
        format!("projectjaren {first} tot en met {last}")
    }
}

/// One chosen action with its computed grant (the first project year's) and its KPIs.
fn action_line(a: &ChosenAction, report: &ApplicationReport) -> ActionLine {
    let money_line = a
        .code()
        .and_then(|code| report.actions.iter().find(|m| m.code == code));
    ActionLine {
        id: a.row.id,
        rank: a.row.priority_rank,
        code: a.action.code.clone(),
        title: a.action.title.clone(),
        unit_label: crate::store::sections::plural(&a.call_action).to_owned(),
        baseline: a.row.baseline_reach,
        planned: a.row.planned_reach,
        max_reach: a.call_action.max_reach,
        unit_cost: cents(a.call_action.unit_cost_cents),
        grant: money_line
            .and_then(|m| m.grant_per_year.first().map(|(_, c)| *c))
            .unwrap_or(Cents::ZERO),
        own: a.own_share(),
        own_staff: cents(a.row.own_staff_cents),
        description: a.row.description.clone(),
        partners: a.row.partners.clone().unwrap_or_default(),
        kpis: a.kpis.iter().map(kpi_line).collect(),
    }
}

fn kpi_line(k: &kpi::Model) -> KpiLine {
    KpiLine {
        indicator: k.indicator.clone(),
        unit: k.unit.clone(),
        baseline: kpi_value(k.baseline),
        target: kpi_value(k.target),
        target_date: k.target_date,
        measurement: k.measurement.clone(),
        is_reach: k.is_reach_kpi,
        falling: k.direction == "falling",
    }
}

/// A stored amount as `Cents` (amounts are never negative in the database).
pub fn cents(value: i64) -> Cents {
    Cents::new(value).unwrap_or(Cents::ZERO)
}

/// Per project year: the grant, the own contribution (the same every year), the incentive and
/// their total.
fn year_lines(content: &DossierContent, report: &ApplicationReport) -> Vec<YearLine> {
    let app = &content.dossier.application;
    let own_per_year = content.own_contribution_per_year();
    let incentive = report.incentive_per_project_year;
    (app.first_project_year..=app.last_project_year)
        .filter_map(|y| u16::try_from(y).ok())
        .map(|year| {
            let actions = Cents::checked_sum(report.actions.iter().map(|a| a.grant_in(year)))
                .unwrap_or(Cents::ZERO);
            YearLine {
                year,
                grant: actions,
                own: own_per_year,
                incentive,
                total: actions
                    .saturating_add(own_per_year)
                    .saturating_add(incentive),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn euros(n: i64) -> Cents {
        Cents::from_euros(n).unwrap()
    }

    #[test]
    fn the_budget_totals_sum_every_column_and_the_grand_total() {
        let line = |year, grant, own, incentive| YearLine {
            year,
            grant: euros(grant),
            own: euros(own),
            incentive: euros(incentive),
            total: euros(grant + own + incentive),
        };
        let totals = YearLine::totals(&[
            line(1, 150_000, 150_000, 10_000),
            line(2, 100_000, 150_000, 10_000),
        ]);
        assert_eq!(totals.grant, euros(250_000));
        assert_eq!(totals.own, euros(300_000));
        assert_eq!(totals.incentive, euros(20_000));
        assert_eq!(totals.total, euros(570_000));
    }
}
