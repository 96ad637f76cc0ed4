//! What changed between two submissions of a dossier, in words a reviewer reads: the frozen
//! snapshots (see `store::submission::record`) compared field by field, each change named by its
//! section, its action (code and title) or KPI and its field, amounts in euro and KPI values as
//! numbers (from their stored thousandths). Actions are matched by their code, so adding one does
//! not shift every line after it.

use std::fmt;

use chrono::NaiveDate;
use serde_json::Value;

use crate::domain::{Cents, KpiValue, dutch, time};

/// A value as it was or became, typed so it reads as what it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Shown {
    Money(Cents),
    Number(i64),
    /// A KPI value, stored in thousandths.
    Kpi(u64),
    Date(NaiveDate),
    Text(String),
    Nothing,
}

/// Texts longer than this are shortened in a change line.
const TEXT_SHOWN: usize = 80;

impl fmt::Display for Shown {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Shown::Money(c) => write!(f, "{c}"),
            Shown::Number(n) => f.write_str(&dutch::format_signed(*n)),
            Shown::Kpi(v) => write!(f, "{}", KpiValue::from_thousandths(*v)),
            Shown::Date(d) => f.write_str(&time::date_long(*d)),
            Shown::Text(t) if t.trim().is_empty() => f.write_str("(leeg)"),
            Shown::Text(t) if t.chars().count() > TEXT_SHOWN => {
                let short: String = t.chars().take(TEXT_SHOWN).collect();
                write!(f, "“{}…”", short.trim_end())
            }
            Shown::Text(t) => write!(f, "“{t}”"),
            Shown::Nothing => f.write_str("(leeg)"),
        }
    }
}

/// One change: a field that changed, or something added or taken away.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Change {
    Field {
        subject: String,
        before: Shown,
        after: Shown,
    },
    Added(String),
    Removed(String),
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Change::Field {
                subject,
                before,
                after,
            } => write!(f, "{subject}: {before} → {after}"),
            Change::Added(subject) => write!(f, "{subject}: toegevoegd"),
            Change::Removed(subject) => write!(f, "{subject}: weggehaald"),
        }
    }
}

/// The changes of one section of the dossier.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChangeGroup {
    pub section: &'static str,
    pub changes: Vec<Change>,
}

/// How a field's value is read.
#[derive(Clone, Copy)]
enum Kind {
    Money,
    Number,
    Kpi,
    Date,
    Text,
}

fn shown(value: &Value, kind: Kind) -> Shown {
    match (kind, value) {
        (_, Value::Null) => Shown::Nothing,
        (Kind::Money, Value::Number(n)) => n
            .as_i64()
            .and_then(Cents::new)
            .map_or_else(|| Shown::Text(n.to_string()), Shown::Money),
        (Kind::Kpi, Value::Number(n)) => n
            .as_u64()
            .map_or_else(|| Shown::Text(n.to_string()), Shown::Kpi),
        (Kind::Number, Value::Number(n)) => n
            .as_i64()
            .map_or_else(|| Shown::Text(n.to_string()), Shown::Number),
        (Kind::Date, Value::String(s)) => s
            .parse::<NaiveDate>()
            .map_or_else(|_| Shown::Text(s.clone()), Shown::Date),
        (_, Value::String(s)) => Shown::Text(s.clone()),
        (_, other) => Shown::Text(other.to_string()),
    }
}

fn field(out: &mut Vec<Change>, subject: String, before: &Value, after: &Value, kind: Kind) {
    if before != after {
        out.push(Change::Field {
            subject,
            before: shown(before, kind),
            after: shown(after, kind),
        });
    }
}

fn at<'a>(value: &'a Value, key: &str) -> &'a Value {
    value.get(key).unwrap_or(&Value::Null)
}

fn list(value: &Value) -> &[Value] {
    value.as_array().map(Vec::as_slice).unwrap_or_default()
}

fn text_of(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// Names added to and taken away from a list (members, attachment kinds).
fn names(out: &mut Vec<Change>, before: &Value, after: &Value, label: impl Fn(&str) -> String) {
    let old: Vec<String> = list(before).iter().map(text_of).collect();
    let new: Vec<String> = list(after).iter().map(text_of).collect();
    for n in new.iter().filter(|n| !old.contains(n)) {
        out.push(Change::Added(label(n)));
    }
    for n in old.iter().filter(|n| !new.contains(n)) {
        out.push(Change::Removed(label(n)));
    }
}

const ACTION_FIELDS: [(&str, &str, Kind); 7] = [
    ("priority_rank", "prioriteit", Kind::Number),
    ("baseline_reach", "bereik bij de start", Kind::Number),
    ("planned_reach", "gepland bereik", Kind::Number),
    ("grant_cents", "subsidie", Kind::Money),
    ("own_contribution_cents", "eigen inbreng", Kind::Money),
    ("description", "beschrijving", Kind::Text),
    ("partners", "partners", Kind::Text),
];

const KPI_FIELDS: [(&str, &str, Kind); 6] = [
    ("indicator", "indicator", Kind::Text),
    ("unit", "eenheid", Kind::Text),
    ("baseline", "nulmeting", Kind::Kpi),
    ("target", "streefwaarde", Kind::Kpi),
    ("target_date", "streefdatum", Kind::Date),
    ("measurement", "meetmethode", Kind::Text),
];

/// The changes of the actions and their KPIs, actions matched by code.
fn actions(
    out: &mut Vec<Change>,
    before: &Value,
    after: &Value,
    title_of: &dyn Fn(&str) -> Option<String>,
) {
    let old = list(before);
    let new = list(after);
    let code = |a: &Value| text_of(at(a, "code"));
    let name = |c: &str| match title_of(c) {
        Some(title) => format!("Actie {c} {title}"),
        None => format!("Actie {c}"),
    };
    let mut codes: Vec<String> = new.iter().map(code).collect();
    codes.extend(
        old.iter()
            .map(code)
            .filter(|c| !new.iter().any(|a| code(a) == *c)),
    );
    for c in codes {
        let a = old.iter().find(|a| code(a) == c);
        let b = new.iter().find(|a| code(a) == c);
        let (a, b) = match (a, b) {
            (Some(a), Some(b)) => (a, b),
            (None, Some(_)) => {
                out.push(Change::Added(name(&c)));
                continue;
            }
            (Some(_), None) => {
                out.push(Change::Removed(name(&c)));
                continue;
            }
            (None, None) => continue,
        };
        let action = name(&c);
        for (key, label, kind) in ACTION_FIELDS {
            field(
                out,
                format!("{action} — {label}"),
                at(a, key),
                at(b, key),
                kind,
            );
        }
        let (ka, kb) = (list(at(a, "kpis")), list(at(b, "kpis")));
        for i in 0..ka.len().max(kb.len()) {
            let indicator = kb.get(i).or(ka.get(i)).map(|k| text_of(at(k, "indicator")));
            let kpi = match indicator.filter(|t| !t.trim().is_empty()) {
                Some(t) => format!("{action} — KPI {} ({t})", i + 1),
                None => format!("{action} — KPI {}", i + 1),
            };
            match (ka.get(i), kb.get(i)) {
                (Some(x), Some(y)) => {
                    for (key, label, kind) in KPI_FIELDS {
                        field(
                            out,
                            format!("{kpi} — {label}"),
                            at(x, key),
                            at(y, key),
                            kind,
                        );
                    }
                }
                (None, Some(_)) => out.push(Change::Added(kpi)),
                (Some(_), None) => out.push(Change::Removed(kpi)),
                (None, None) => {}
            }
        }
    }
}

/// What changed from snapshot `before` to snapshot `after`, grouped by section (sections without
/// changes left out); `title_of` gives an action's title by its code.
pub fn between(
    before: &Value,
    after: &Value,
    title_of: &dyn Fn(&str) -> Option<String>,
) -> Vec<ChangeGroup> {
    let mut general = Vec::new();
    for (key, label) in [
        ("reference", "Referentie"),
        ("title", "Titel"),
        ("summary", "Samenvatting"),
    ] {
        field(
            &mut general,
            label.to_owned(),
            at(before, key),
            at(after, key),
            Kind::Text,
        );
    }
    let (ca, cb) = (at(before, "contact"), at(after, "contact"));
    for (key, label) in [
        ("name", "Contactpersoon"),
        ("email", "E-mailadres van de contactpersoon"),
        ("phone", "Telefoonnummer van de contactpersoon"),
    ] {
        field(
            &mut general,
            label.to_owned(),
            at(ca, key),
            at(cb, key),
            Kind::Text,
        );
    }
    let (ya, yb) = (
        list(at(before, "project_years")),
        list(at(after, "project_years")),
    );
    for (i, label) in [(0, "Eerste projectjaar"), (1, "Laatste projectjaar")] {
        let null = Value::Null;
        field(
            &mut general,
            label.to_owned(),
            ya.get(i).unwrap_or(&null),
            yb.get(i).unwrap_or(&null),
            Kind::Text,
        );
    }

    let mut members = Vec::new();
    names(
        &mut members,
        at(before, "members"),
        at(after, "members"),
        |n| n.to_owned(),
    );

    let mut acts = Vec::new();
    actions(
        &mut acts,
        at(before, "actions"),
        at(after, "actions"),
        title_of,
    );

    let mut totals = Vec::new();
    field(
        &mut totals,
        "Totaal gevraagde subsidie".to_owned(),
        at(before, "total_grant_cents"),
        at(after, "total_grant_cents"),
        Kind::Money,
    );
    field(
        &mut totals,
        "Incentive samenwerking per projectjaar".to_owned(),
        at(before, "incentive_cents_per_project_year"),
        at(after, "incentive_cents_per_project_year"),
        Kind::Money,
    );

    let mut attachments = Vec::new();
    names(
        &mut attachments,
        at(before, "attachments"),
        at(after, "attachments"),
        |k| format!("Bijlage {}", crate::domain::attachments::kind_label(k)),
    );

    [
        ("Algemene gegevens", general),
        ("Deelnemende gemeenten", members),
        ("Acties en KPI's", acts),
        ("Budget", totals),
        ("Bijlagen", attachments),
    ]
    .into_iter()
    .filter(|(_, changes)| !changes.is_empty())
    .map(|(section, changes)| ChangeGroup { section, changes })
    .collect()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn titles(code: &str) -> Option<String> {
        (code == "1.4").then(|| "Oefenkansen Nederlands".to_owned())
    }

    fn lines(groups: &[ChangeGroup]) -> Vec<String> {
        groups
            .iter()
            .flat_map(|g| g.changes.iter().map(move |c| format!("{}: {c}", g.section)))
            .collect()
    }

    #[test]
    fn a_changed_grant_and_kpi_target_read_in_euro_and_numbers_under_their_section() {
        let a = json!({"title": "Samen", "actions": [
            {"code": "1.1", "grant_cents": 100},
            {"code": "1.4", "grant_cents": 2_500_000, "kpis": [
                {"indicator": "Deelnemers", "target": 10_000}, {"indicator": "Uren", "target": 2_000_000}]}],
            "total_grant_cents": 2_500_100});
        let b = json!({"title": "Samen", "actions": [
            {"code": "1.1", "grant_cents": 100},
            {"code": "1.4", "grant_cents": 5_000_000, "kpis": [
                {"indicator": "Deelnemers", "target": 10_000}, {"indicator": "Uren", "target": 4_000_000}]}],
            "total_grant_cents": 5_000_100});
        assert_eq!(
            lines(&between(&a, &b, &titles)),
            [
                "Acties en KPI's: Actie 1.4 Oefenkansen Nederlands — subsidie: € 25.000,00 → € 50.000,00",
                "Acties en KPI's: Actie 1.4 Oefenkansen Nederlands — KPI 2 (Uren) — streefwaarde: 2.000 → 4.000",
                "Budget: Totaal gevraagde subsidie: € 25.001,00 → € 50.001,00",
            ]
        );
    }

    #[test]
    fn added_and_removed_actions_members_and_texts_are_named_not_shifted() {
        let a = json!({"summary": "kort", "members": ["Mechelen"],
            "actions": [{"code": "1.1"}, {"code": "1.4"}], "attachments": []});
        let b = json!({"summary": "langer", "members": ["Mechelen", "Puurs-Sint-Amands"],
            "actions": [{"code": "1.4"}, {"code": "2.1"}], "attachments": ["budget_sheet"]});
        let out = lines(&between(&a, &b, &titles));
        assert_eq!(
            out,
            [
                "Algemene gegevens: Samenvatting: “kort” → “langer”",
                "Deelnemende gemeenten: Puurs-Sint-Amands: toegevoegd",
                "Acties en KPI's: Actie 2.1: toegevoegd",
                "Acties en KPI's: Actie 1.1: weggehaald",
                "Bijlagen: Bijlage Begroting (rekenblad): toegevoegd",
            ]
        );
    }

    #[test]
    fn equal_snapshots_have_no_changes() {
        let a = json!({"title": "x", "actions": [{"code": "1.4", "kpis": []}]});
        assert!(between(&a, &a, &titles).is_empty());
    }
}
