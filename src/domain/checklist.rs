//! ABB's review checklist of a dossier: the criteria every reviewer assesses and how a mark is
//! read (in order, not in order, or not assessed yet).

use std::collections::BTreeMap;

/// The criteria every reviewer assesses: stored code and Dutch label.
pub const CRITERIA: [(&str, &str); 6] = [
    ("ontvankelijk", "Tijdig en volledig ingediend"),
    (
        "acties",
        "De acties passen in de oproep en bij hun doelstellingen",
    ),
    ("kpis", "De KPI's zijn meetbaar en realistisch"),
    ("begroting", "Begroting en cofinanciering kloppen"),
    (
        "bijlagen",
        "De bijlagen (beslissing, begroting) zijn in orde",
    ),
    (
        "samenwerking",
        "Samenwerking: elke deelnemer bevestigde (n.v.t. voor één gemeente)",
    ),
];

/// The marks as stored per criterion code: `ok`, `niet_ok` or empty (not assessed); anything
/// else typed reads as not assessed, and every criterion has a mark.
pub fn marks<'a>(typed: impl Fn(&str) -> Option<&'a str>) -> BTreeMap<String, String> {
    CRITERIA
        .iter()
        .map(|(code, _)| {
            let mark = typed(code)
                .filter(|v| matches!(*v, "ok" | "niet_ok"))
                .unwrap_or("");
            ((*code).to_owned(), mark.to_owned())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_criterion_gets_a_mark_and_unknown_marks_read_as_not_assessed() {
        let typed = |code: &str| match code {
            "kpis" => Some("ok"),
            "begroting" => Some("niet_ok"),
            "bijlagen" => Some("misschien"),
            _ => None,
        };
        let marks = marks(typed);
        assert_eq!(marks.len(), CRITERIA.len());
        assert_eq!(marks["kpis"], "ok");
        assert_eq!(marks["begroting"], "niet_ok");
        assert_eq!(marks["bijlagen"], "");
        assert_eq!(marks["ontvankelijk"], "");
    }
}
