//! The 27 reach lines of ABB's own Plan Samenleven form (`seeds/plan_samenleven_2022_form.csv`,
//! real; provenance in `seeds/SOURCES.md`), read into the domain's [`ReachLine`]s with the
//! theme and objective the form shows above them.

use serde::Deserialize;

use super::SeedError;
use crate::domain::Cents;
use crate::domain::reach::ReachLine;
use crate::domain::types::ActionCode;

const FILE: &str = "plan_samenleven_2022_form.csv";

/// One line of the form with what the form shows around it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormLine {
    pub line: ReachLine,
    pub theme: String,
    pub objective: String,
    /// The subsidy portal's business rule for the line.
    pub rule_uri: String,
}

#[derive(Debug, Deserialize)]
struct Row {
    row: u16,
    plan_action: String,
    theme: String,
    objective: String,
    reach_unit: String,
    max_planned_reach: u32,
    flemish_contribution_per_unit_eur: i64,
    business_rule_uri: String,
}

fn bad(reason: impl Into<String>) -> SeedError {
    SeedError::BadFile {
        file: FILE,
        reason: reason.into(),
    }
}

/// The lines of the 2022 form, in the form's order.
pub fn plan_samenleven_2022() -> Result<Vec<FormLine>, SeedError> {
    let mut out = Vec::new();
    for row in csv::Reader::from_reader(super::files::PLAN_SAMENLEVEN_2022_FORM.as_bytes())
        .deserialize::<Row>()
    {
        let row = row.map_err(|e| bad(e.to_string()))?;
        let action = ActionCode::parse(&row.plan_action)
            .map_err(|e| bad(format!("lijn {}: {e}", row.row)))?;
        let per_unit = Cents::from_euros(row.flemish_contribution_per_unit_eur)
            .ok_or_else(|| bad(format!("lijn {}: ongeldig bedrag", row.row)))?;
        out.push(FormLine {
            line: ReachLine {
                row: row.row,
                action,
                unit: row.reach_unit,
                max_planned: row.max_planned_reach,
                per_unit,
            },
            theme: row.theme,
            objective: row.objective,
            rule_uri: row.business_rule_uri,
        });
    }
    Ok(out)
}

/// A form line as a call offers it: with its singular and plural unit label
/// (`seeds/reach_line_labels.csv`) and its number among its action's lines (0 when the action
/// has only this line, else 1, 2, 3 in the form's order: `3.2a`, `3.2b`, `3.2c`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfferedLine {
    pub form: FormLine,
    pub unit_singular: String,
    pub unit_plural: String,
    pub line_number: u8,
}

#[derive(Debug, Deserialize)]
struct LabelRow {
    row: u16,
    unit_singular: String,
    unit_plural: String,
}

/// The 2022 form's lines as the seeded call offers them.
pub fn offered_2022() -> Result<Vec<OfferedLine>, SeedError> {
    let lines = plan_samenleven_2022()?;
    let mut labels = std::collections::HashMap::new();
    for row in csv::Reader::from_reader(super::files::REACH_LINE_LABELS.as_bytes())
        .deserialize::<LabelRow>()
    {
        let row = row.map_err(|e| bad(e.to_string()))?;
        labels.insert(row.row, (row.unit_singular, row.unit_plural));
    }
    let mut seen: std::collections::HashMap<ActionCode, u8> = std::collections::HashMap::new();
    let mut out = Vec::with_capacity(lines.len());
    for form in lines {
        let (unit_singular, unit_plural) = labels.remove(&form.line.row).ok_or_else(|| {
            bad(format!(
                "lijn {}: geen enkelvoud en meervoud",
                form.line.row
            ))
        })?;
        let n = seen.entry(form.line.action).or_insert(0);
        *n += 1;
        out.push(OfferedLine {
            line_number: *n,
            form,
            unit_singular,
            unit_plural,
        });
    }
    // An action with one line keeps the plan's code: its line is number 0.
    let single: Vec<ActionCode> = seen
        .iter()
        .filter(|(_, n)| **n == 1)
        .map(|(code, _)| *code)
        .collect();
    for line in &mut out {
        if single.contains(&line.form.line.action) {
            line.line_number = 0;
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    #[test]
    fn the_form_has_27_lines_over_19_objectives_in_7_themes() {
        let lines = plan_samenleven_2022().unwrap();
        assert_eq!(lines.len(), 27);
        let rows: Vec<u16> = lines.iter().map(|l| l.line.row).collect();
        assert_eq!(rows, (1..=27).collect::<Vec<u16>>());
        let objectives: BTreeSet<&str> = lines.iter().map(|l| l.objective.as_str()).collect();
        let themes: BTreeSet<&str> = lines.iter().map(|l| l.theme.as_str()).collect();
        assert_eq!(objectives.len(), 19);
        assert_eq!(themes.len(), 7);
    }

    #[test]
    fn the_form_has_no_line_for_actions_2_1_2_5_and_4_2_and_every_other_action_has_one() {
        let lines = plan_samenleven_2022().unwrap();
        let actions: BTreeSet<ActionCode> = lines.iter().map(|l| l.line.action).collect();
        assert_eq!(actions.len(), 19);
        for absent in ["2.1", "2.5", "4.2"] {
            assert!(!actions.contains(&ActionCode::parse(absent).unwrap()));
        }
        let catalog: serde_json::Value =
            serde_json::from_str(super::super::files::ACTIONS_2020_2024).unwrap();
        let text = catalog.to_string();
        for action in &actions {
            assert!(
                text.contains(&format!("\"{action}\"")),
                "action {action} of the form is in the plan's catalog"
            );
        }
    }

    #[test]
    fn actions_with_several_lines_number_them_and_single_lines_keep_the_plans_code() {
        let offered = offered_2022().unwrap();
        let code = |row: u16| {
            let l = &offered[usize::from(row) - 1];
            match Some(l.line_number).filter(|n| *n > 0) {
                Some(n) => l.form.line.action.with_line(n).unwrap().to_string(),
                None => l.form.line.action.to_string(),
            }
        };
        assert_eq!([code(6), code(7), code(8)], ["3.2a", "3.2b", "3.2c"]);
        assert_eq!(code(2), "1.4");
        assert_eq!(code(25), "2.9");
        assert_eq!(offered[24].unit_singular, "pleinmaker");
        assert_eq!(offered[24].unit_plural, "pleinmakers");
        for l in &offered {
            assert!(
                [&l.unit_singular, &l.unit_plural].contains(&&l.form.line.unit),
                "row {}: the form's unit is one of our labels",
                l.form.line.row
            );
        }
    }

    #[test]
    fn the_amounts_and_maxima_are_the_forms_own() {
        let lines = plan_samenleven_2022().unwrap();
        let by_row = |row: u16| &lines[usize::from(row) - 1].line;
        assert_eq!(by_row(2).unit, "volwassen anderstaligen");
        assert_eq!(by_row(2).max_planned, 2250);
        assert_eq!(by_row(2).per_unit, Cents::from_euros(60).unwrap());
        assert_eq!(by_row(25).unit, "pleinmakers");
        assert_eq!(by_row(25).max_planned, 4);
        assert_eq!(by_row(25).per_unit, Cents::from_euros(5_800).unwrap());
        assert_eq!(by_row(1).per_unit, Cents::from_euros(25_000).unwrap());
        let largest: i64 = lines
            .iter()
            .map(|l| l.line.per_unit.get() * i64::from(l.line.max_planned))
            .max()
            .unwrap();
        assert_eq!(largest, 13_500_000, "2,250 × € 60 is the largest line");
    }
}
