//! What the dossier pages share: the header facts, the section statuses computed from the
//! data and the rules engine's report, and rule results placed on the fields they concern.

use std::collections::HashMap;

use crate::domain::parts::{Part, Reopening, reopening};
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
    /// While ABB asks for changes: whether this part is to change or locked.
    pub reopening: Option<Reopening>,
}

/// A rule result ready for a template.
pub struct ShownResult {
    pub css: &'static str,
    pub outcome: &'static str,
    pub message: String,
    pub blocking: bool,
    pub anchor: String,
    pub fictitious: bool,
    /// Where the field the result is about is filled in (`#planned_reach` on its own form, a
    /// section's page from the check page); `None` when the page has no such link.
    pub href: Option<String>,
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
        href: None,
    }
}

/// The id of the form field (on the action or KPI form) that a rule result's field names.
pub fn form_field_id(field: crate::domain::Field) -> &'static str {
    match field.as_str() {
        "action_code" => "priority",
        "kpi_indicator" => "indicator",
        "kpi_unit" => "unit",
        "kpi_baseline" => "baseline",
        "kpi_target" => "target",
        "kpi_target_date" => "target_date",
        "kpi_measurement" => "measurement",
        other => other,
    }
}

/// Where dossier `content`'s form fills in what `result` is about: the section's page with the
/// field's anchor, for the check page's links.
pub fn field_href(content: &DossierContent, result: &RuleResult) -> Option<String> {
    use crate::domain::Section;
    let id = content.dossier.application.id;
    let field = result.field?;
    let anchor = field
        .field
        .map(|f| format!("#{}", form_field_id(f)))
        .unwrap_or_default();
    let action = field.action.and_then(|code| {
        let code = code.to_string();
        content.actions.iter().find(|a| a.action.code == code)
    });
    match (field.section, action, field.kpi) {
        (Section::Applicant, _, _) => Some(format!("/dossiers/{id}")),
        (Section::ProjectYears, _, _) => Some(format!("/dossiers/{id}/algemeen{anchor}")),
        (_, Some(a), Some(kpi)) => a
            .kpis
            .get(kpi)
            .map(|k| format!("/dossiers/{id}/kpis/{}{anchor}", k.id)),
        (_, Some(a), None) => Some(format!("/dossiers/{id}/acties/{}{anchor}", a.row.id)),
        (Section::Budget, None, _) => Some(format!("/dossiers/{id}/begroting")),
        (_, None, _) => Some(format!("/dossiers/{id}/acties")),
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
    pub deadline: chrono::DateTime<chrono::Utc>,
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
        // The deadline of the round the dossier applies in (yearly rounds).
        deadline: content
            .call
            .rounds()
            .of_year(u16::try_from(app.first_project_year).unwrap_or(0))
            .map_or(content.call.call.submission_closes_at, |r| {
                r.window.closes_at
            }),
        editable: may_edit && is_editable(app.state),
    }
}

/// The task list of dossier `id` in `state`; `reopened` are the parts an open change request
/// reopened (each task is then marked "te wijzigen" or "vergrendeld").
pub fn tasks(
    id: i64,
    s: &Statuses,
    state: entity::application::ApplicationState,
    reopened: Option<&[Part]>,
) -> Vec<TaskItem> {
    let item = |path: &str, title, status, part| TaskItem {
        href: format!("/dossiers/{id}/{path}"),
        title,
        status,
        reopening: reopening(state.into(), reopened, part),
    };
    let mut list = vec![item(
        "algemeen",
        "Algemene gegevens en contactpersoon",
        s.general,
        Part::General,
    )];
    if let Some(members) = s.members {
        list.push(item(
            "leden",
            "Deelnemende gemeenten en hun bevestiging",
            members,
            Part::Members,
        ));
    }
    list.extend([
        item("acties", "Acties uit de oproep", s.actions, Part::Actions),
        item("acties", "KPI's per actie", s.kpis, Part::Actions),
        item("begroting", "Begroting", s.budget, Part::Actions),
        item("bijlagen", "Bijlagen", s.attachments, Part::Attachments),
        item(
            "verklaringen",
            "Verklaringen",
            s.declarations,
            Part::Declarations,
        ),
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
        let mut line = shown(r);
        if let Some(f) = field.field {
            by_field
                .entry(f.as_str().to_owned())
                .or_insert_with(|| r.message.clone());
            line.href = Some(format!("#{}", form_field_id(f)));
        }
        list.push(line);
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
        .map(|r| {
            let mut line = shown(r);
            line.href = r
                .field
                .and_then(|f| f.field)
                .map(|f| format!("#{}", form_field_id(f)));
            line
        })
        .collect()
}
