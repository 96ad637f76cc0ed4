//! What the dossier pages share: the header facts, the section statuses computed from the
//! data and the rules engine's report, and rule results placed on the fields they concern.

use std::collections::HashMap;

use crate::domain::{ApplicationReport, Outcome, RuleResult};
use crate::store::drafts::DossierContent;
use crate::web::dossiers::{is_editable, state_label};

pub use crate::app::dossier::{
    REQUIRED_ATTACHMENTS, SectionStatus, Statuses, ready_to_submit, statuses,
};

/// One line of the task list.
pub struct TaskItem {
    pub href: String,
    pub title: &'static str,
    pub status: SectionStatus,
}

/// A rule result ready for a template.
pub struct ShownResult {
    pub css: &'static str,
    pub outcome: &'static str,
    pub message: String,
    pub blocking: bool,
    pub anchor: String,
    pub fictitious: bool,
}

pub fn outcome_words(outcome: Outcome) -> (&'static str, &'static str) {
    match outcome {
        Outcome::Pass => ("pass", "in orde"),
        Outcome::Fail => ("fail", "niet in orde"),
        Outcome::Warning => ("warning", "let op"),
        Outcome::CannotDecide => ("undecided", "kan niet beslist worden"),
    }
}

pub fn shown(result: &RuleResult) -> ShownResult {
    let (css, outcome) = outcome_words(result.outcome);
    ShownResult {
        css,
        outcome,
        message: result.message.clone(),
        blocking: result.blocking,
        anchor: result.field.map(|f| f.anchor()).unwrap_or_default(),
        fictitious: result.fictitious,
    }
}

/// Header facts every dossier page shows.
pub struct DossierHeader {
    pub id: i64,
    pub reference: String,
    pub title: String,
    pub state_label: &'static str,
    pub lead_name: String,
    pub call_title: String,
    pub deadline: String,
    pub editable: bool,
}

pub fn header(content: &DossierContent, may_edit: bool) -> DossierHeader {
    let app = &content.dossier.application;
    DossierHeader {
        id: app.id,
        reference: app.reference.clone(),
        title: app.title.clone(),
        state_label: state_label(app.state),
        lead_name: content.dossier.lead_name.clone(),
        call_title: content.call.call.title.clone(),
        deadline: crate::domain::dutch::format_moment(content.call.call.submission_closes_at),
        editable: may_edit && is_editable(app.state),
    }
}

pub fn tasks(id: i64, s: &Statuses) -> Vec<TaskItem> {
    let item = |path: &str, title, status| TaskItem {
        href: format!("/dossiers/{id}/{path}"),
        title,
        status,
    };
    let mut list = vec![item(
        "algemeen",
        "Algemene gegevens en contactpersoon",
        s.general,
    )];
    if let Some(members) = s.members {
        list.push(item(
            "leden",
            "Deelnemende gemeenten en hun bevestiging",
            members,
        ));
    }
    list.extend([
        item("acties", "Acties uit de oproep", s.actions),
        item("acties", "KPI's per actie", s.kpis),
        item("begroting", "Begroting", s.budget),
        item("bijlagen", "Bijlagen", s.attachments),
        item("verklaringen", "Verklaringen", s.declarations),
    ]);
    list
}

/// Rule results about one action, by form field name (`planned_reach`, …) and in order.
pub fn action_results(
    report: &ApplicationReport,
    code: &str,
) -> (HashMap<String, String>, Vec<ShownResult>) {
    let mut by_field = HashMap::new();
    let mut list = Vec::new();
    for r in report.results.iter().filter(|r| r.outcome != Outcome::Pass) {
        let Some(field) = r.field else { continue };
        if field.action.map(|a| a.to_string()).as_deref() != Some(code) || field.kpi.is_some() {
            continue;
        }
        if let Some(f) = field.field {
            by_field
                .entry(f.as_str().to_owned())
                .or_insert_with(|| r.message.clone());
        }
        list.push(shown(r));
    }
    (by_field, list)
}

/// Rule results about KPI number `index` of an action.
pub fn kpi_results(report: &ApplicationReport, code: &str, index: usize) -> Vec<ShownResult> {
    report
        .results
        .iter()
        .filter(|r| r.outcome != Outcome::Pass)
        .filter(|r| {
            r.field.is_some_and(|f| {
                f.kpi == Some(index) && f.action.map(|a| a.to_string()).as_deref() == Some(code)
            })
        })
        .map(shown)
        .collect()
}
