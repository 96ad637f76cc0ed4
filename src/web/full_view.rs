//! The complete dossier as one read-only page: for locked dossiers, for members and reviewers,
//! for the "check your answers" page, and for printing.

use crate::domain::money::sum_cents;
use crate::domain::{ApplicationReport, KpiValue};
use crate::store::drafts::{ChosenAction, DossierContent};
use crate::web::dossier_view::{DossierHeader, ShownResult, header, shown};
use entity::kpi;

pub struct KpiLine {
    pub indicator: String,
    pub unit: String,
    pub baseline: String,
    pub target: String,
    pub target_date: String,
    pub measurement: String,
    pub is_reach: bool,
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
    pub unit_cost: String,
    pub grant: String,
    pub own: String,
    pub description: String,
    pub partners: String,
    pub kpis: Vec<KpiLine>,
}

pub struct YearLine {
    pub year: u16,
    pub grant: String,
    pub own: String,
    pub incentive: String,
    pub total: String,
}

pub struct FullView {
    pub header: DossierHeader,
    pub summary: String,
    pub contact_name: String,
    pub contact_email: String,
    pub contact_phone: String,
    pub project_years: String,
    pub members: Vec<String>,
    pub actions: Vec<ActionLine>,
    pub years: Vec<YearLine>,
    pub total_grant: String,
    pub total_own: String,
    pub incentive_per_year: String,
    pub attachments: Vec<String>,
    pub declarations: bool,
    pub results: Vec<ShownResult>,
    pub can_submit: bool,
    pub fictitious: bool,
    pub submitted_at: String,
}

pub use crate::domain::dutch::format_money as money;

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
    FullView {
        header: header(content, false),
        summary: app.summary.clone().unwrap_or_default(),
        contact_name: app.contact_name.clone().unwrap_or_default(),
        contact_email: app.contact_email.clone().unwrap_or_default(),
        contact_phone: app.contact_phone.clone().unwrap_or_default(),
        project_years: project_years_text(app.first_project_year, app.last_project_year),
        members: content.dossier.member_names.clone(),
        actions: content
            .actions
            .iter()
            .map(|a| action_line(a, report))
            .collect(),
        years: year_lines(content, report),
        total_grant: report.total_grant.to_string(),
        total_own: report.total_own_contribution.to_string(),
        incentive_per_year: report.incentive_per_project_year.to_string(),
        attachments: content
            .attachment_kinds
            .iter()
            .map(|k| attachment_label(k).to_owned())
            .collect(),
        declarations: app.declarations_accepted_at.is_some(),
        results: report.results.iter().map(shown).collect(),
        can_submit: report.can_submit,
        fictitious: report.fictitious,
        submitted_at: app
            .submitted_at
            .map(crate::domain::dutch::format_moment)
            .unwrap_or_default(),
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
        unit_label: a.call_action.unit_label.clone(),
        baseline: a.row.baseline_reach,
        planned: a.row.planned_reach,
        max_reach: a.call_action.max_reach,
        unit_cost: money(a.call_action.unit_cost_cents),
        grant: money_line
            .and_then(|m| m.grant_per_year.first().map(|(_, c)| c.to_string()))
            .unwrap_or_else(|| money(0)),
        own: money(a.row.own_contribution_cents),
        description: a.row.description.clone(),
        partners: a.row.partners.clone().unwrap_or_default(),
        kpis: a.kpis.iter().map(kpi_line).collect(),
    }
}

fn kpi_line(k: &kpi::Model) -> KpiLine {
    KpiLine {
        indicator: k.indicator.clone(),
        unit: k.unit.clone(),
        baseline: kpi_text(k.baseline),
        target: kpi_text(k.target),
        target_date: k.target_date.format("%d-%m-%Y").to_string(),
        measurement: k.measurement.clone(),
        is_reach: k.is_reach_kpi,
    }
}

/// Per project year: the grant, the own contribution (the same every year), the incentive and
/// their total.
fn year_lines(content: &DossierContent, report: &ApplicationReport) -> Vec<YearLine> {
    let app = &content.dossier.application;
    let own_per_year: i64 = sum_cents(content.actions.iter().map(|a| a.row.own_contribution_cents));
    let incentive = report.incentive_per_project_year.get();
    (app.first_project_year..=app.last_project_year)
        .filter_map(|y| u16::try_from(y).ok())
        .map(|year| {
            let grant = report.grant_in(year).get();
            YearLine {
                year,
                grant: money(grant),
                own: money(own_per_year),
                incentive: money(incentive),
                total: money(sum_cents([grant, own_per_year, incentive])),
            }
        })
        .collect()
}
