//! Eligibility verdicts: may a municipality apply alone, may a proposed cooperation apply, and
//! does the cooperation earn the incentive (DOMAIN rules 3, 4 and 5 and "one application per
//! municipality per call").
//!
//! Decisions on ambiguity, as DOMAIN.md fixes them:
//! - alone: strictly more than `single_applicant_min_exclusive` (7,500), or named by the call
//!   (Antwerpen, Gent: matched by NIS code, shown by name);
//! - cooperation: at least `pooled_min_inclusive` (7,500) together, at least two distinct
//!   members, all in one reference region, the lead among them, none already in another
//!   application of the call. A municipality that could apply alone may be a member or the lead;
//! - incentive: at least one member with strictly more than the single threshold ("anchor",
//!   by figure: being named is not enough) and every member at least
//!   `incentive_min_share_basis_points` (15%) of non-EU15 residents, compared exactly;
//! - only figures of the call's reference year count; a missing figure gives "cannot decide".

use std::collections::BTreeSet;

use super::call::CallRules;
use super::dutch::{format_count, format_share, join_names, share_basis_points_floor};
use super::figures::{Figure, Lookup, Municipality, Taken};
use super::types::{NisCode, share_at_least};
use super::verdict::{
    Comparison, Decision, Fact, Field, FieldRef, FigureKind, IncentiveStatus, Outcome, RuleId,
    RuleResult, Section, Verdict,
};

/// What every sentence appends after a fictitious figure.
pub const FICTITIOUS_MARK: &str = " (fictief demo-cijfer)";

/// `(2020, bron: Statbel)` followed by the fictitious mark when needed.
pub(crate) fn cite(year: u16, sources: &[&str], fictitious: bool) -> String {
    let mut unique: Vec<String> = Vec::with_capacity(sources.len());
    for source in sources.iter().map(|s| super::figures::shown_source(s)) {
        if !source.is_empty() && !unique.contains(&source) {
            unique.push(source);
        }
    }
    let mark = if fictitious { FICTITIOUS_MARK } else { "" };
    if unique.is_empty() {
        format!("({year}){mark}")
    } else {
        format!("({year}, bron: {}){mark}", unique.join("; "))
    }
}

/// The non-EU15 fact of a found figure.
pub(crate) fn non_eu15_fact(m: &Municipality, figure: &Figure) -> Fact {
    Fact::NonEu15 {
        nis_code: m.nis_code,
        name: m.name.clone(),
        value: figure.value,
        year: figure.year,
        source: figure.source.clone(),
        fictitious: figure.fictitious,
    }
}

/// The residents fact of a found figure.
pub(crate) fn residents_fact(m: &Municipality, figure: &Figure) -> Fact {
    Fact::Residents {
        nis_code: m.nis_code,
        name: m.name.clone(),
        value: figure.value,
        year: figure.year,
        source: figure.source.clone(),
        fictitious: figure.fictitious,
    }
}

/// The fact that a figure is missing.
pub(crate) fn missing_fact(
    call: &CallRules,
    m: &Municipality,
    figure: FigureKind,
    lookup: Lookup<'_>,
) -> Fact {
    Fact::MissingFigure {
        nis_code: m.nis_code,
        name: m.name.clone(),
        figure,
        year: call.reference_year,
        available_year: match lookup {
            Lookup::OtherYear(year) => Some(year),
            Lookup::Found(_) | Lookup::Missing => None,
        },
    }
}

/// "geen cijfer van ... voor referentiejaar 2020 (wel voor 2019)".
pub(crate) fn missing_phrase(call: &CallRules, what: &str, lookup: Lookup<'_>) -> String {
    let other = match lookup {
        Lookup::OtherYear(year) => {
            format!(
                " (er is wel een cijfer voor {year}, maar de oproep gebruikt {})",
                call.reference_year
            )
        }
        Lookup::Found(_) | Lookup::Missing => String::new(),
    };
    format!(
        "geen cijfer van {what} voor referentiejaar {}{other}",
        call.reference_year
    )
}

/// May `m` apply alone? `Some(true)` when named by the call or strictly above the single
/// threshold, `Some(false)` when its figure is at most the threshold, `None` when the figure is
/// missing and it is not named.
pub fn can_apply_alone(call: &CallRules, m: &Municipality) -> Option<bool> {
    if call.named_applicant(m.nis_code).is_some() {
        return Some(true);
    }
    m.non_eu15_in(call.reference_year)
        .found()
        .map(|f| f.value > call.single_applicant_min_exclusive)
}

/// Does `m` have at least the call's minimum share for the incentive? `None` when a figure is
/// missing or there are no residents.
pub fn meets_incentive_share(call: &CallRules, m: &Municipality) -> Option<bool> {
    let non_eu15 = m.non_eu15_in(call.reference_year).found()?;
    let residents = m.residents_in(call.reference_year).found()?;
    share_at_least(
        non_eu15.value,
        residents.value,
        call.incentive_min_share_basis_points,
    )
}

fn one_application_result(m: &Municipality, taken: &Taken, field: Field) -> RuleResult {
    match taken.application_of(m.nis_code) {
        Some(reference) => RuleResult::new(
            RuleId::OneApplication,
            Outcome::Fail,
            format!(
                "{} zit al in aanvraag {reference} voor deze oproep; een gemeente kan maar in één aanvraag per oproep zitten.",
                m.name
            ),
        )
        .at(FieldRef::field(Section::Applicant, field)),
        None => RuleResult::new(
            RuleId::OneApplication,
            Outcome::Pass,
            format!("{} zit nog niet in een andere aanvraag voor deze oproep.", m.name),
        ),
    }
}

/// The verdict on a municipality applying alone.
pub fn assess_single(call: &CallRules, m: &Municipality, taken: &Taken) -> Verdict {
    let threshold = call.single_applicant_min_exclusive;
    let named = call.named_applicant(m.nis_code);
    let mut results = vec![one_application_result(m, taken, Field::Lead)];
    if named.is_some() {
        results.push(
            RuleResult::new(
                RuleId::SingleNamed,
                Outcome::Pass,
                format!(
                    "{} wordt in de oproep bij naam genoemd als grootstad en mag zelfstandig indienen.",
                    m.name
                ),
            )
            .at(FieldRef::field(Section::Applicant, Field::Lead)),
        );
    }
    let lookup = m.non_eu15_in(call.reference_year);
    let threshold_fact = Fact::Threshold {
        value: threshold,
        comparison: Comparison::MoreThan,
    };
    let above = lookup.found().map(|f| f.value > threshold);
    let threshold_result = match lookup {
        Lookup::Found(figure) => {
            let head = format!(
                "{} telt {} inwoners van niet-EU15-herkomst {}",
                m.name,
                format_count(figure.value),
                cite(figure.year.get(), &[&figure.source], figure.fictitious)
            );
            let (outcome, tail) = if figure.value > threshold {
                (
                    Outcome::Pass,
                    format!(
                        "meer dan {}, dus {} kan zelfstandig indienen.",
                        format_count(threshold),
                        m.name
                    ),
                )
            } else {
                let compared = if figure.value == threshold {
                    format!(
                        "precies {}, en dat is niet meer dan {}",
                        format_count(threshold),
                        format_count(threshold)
                    )
                } else {
                    format!("niet meer dan {}", format_count(threshold))
                };
                if named.is_some() {
                    (
                        Outcome::Warning,
                        format!("{compared}, maar {} mag als grootstad toch zelfstandig indienen.", m.name),
                    )
                } else {
                    (
                        Outcome::Fail,
                        format!(
                            "{compared}, dus {} kan niet zelfstandig indienen, enkel in een intergemeentelijke samenwerking binnen de referentieregio {} die samen minstens {} inwoners van niet-EU15-herkomst telt.",
                            m.name,
                            m.region_name,
                            format_count(call.pooled_min_inclusive)
                        ),
                    )
                }
            };
            RuleResult::new(RuleId::SingleThreshold, outcome, format!("{head}: {tail}"))
                .with_facts(vec![non_eu15_fact(m, figure), threshold_fact])
        }
        Lookup::OtherYear(_) | Lookup::Missing => {
            let missing = missing_phrase(call, "het aantal inwoners van niet-EU15-herkomst", lookup);
            let (outcome, message) = if named.is_some() {
                (
                    Outcome::Warning,
                    format!(
                        "Voor {} is er {missing}, maar {} mag als grootstad bij naam zelfstandig indienen.",
                        m.name, m.name
                    ),
                )
            } else {
                (
                    Outcome::CannotDecide,
                    format!(
                        "Voor {} is er {missing}: we kunnen niet beslissen of {} zelfstandig mag indienen (meer dan {} nodig). Het cijfer moet eerst ingelezen worden.",
                        m.name,
                        m.name,
                        format_count(threshold)
                    ),
                )
            };
            RuleResult::new(RuleId::SingleThreshold, outcome, message).with_facts(vec![
                missing_fact(call, m, FigureKind::NonEu15, lookup),
                threshold_fact,
            ])
        }
    }
    .with_facts(vec![Fact::ReferenceYear {
        year: call.reference_year,
    }])
    .at(FieldRef::field(Section::Applicant, Field::Lead));
    results.push(threshold_result);

    let (decision, summary) = if let Some(reference) = taken.application_of(m.nis_code) {
        (
            Decision::NotEligible,
            format!(
                "{} zit al in aanvraag {reference} voor deze oproep.",
                m.name
            ),
        )
    } else if named.is_some() || above == Some(true) {
        (
            Decision::EligibleAlone,
            format!("{} kan zelfstandig indienen.", m.name),
        )
    } else if above == Some(false) {
        (
            Decision::OnlyInCooperation,
            format!(
                "{} kan niet zelfstandig indienen, enkel in een intergemeentelijke samenwerking binnen de referentieregio {}.",
                m.name, m.region_name
            ),
        )
    } else {
        (
            Decision::CannotDecide,
            format!(
                "We kunnen nog niet beslissen of {} zelfstandig mag indienen: het cijfer van {} ontbreekt.",
                m.name, call.reference_year
            ),
        )
    };
    Verdict::new(decision, summary, results)
}

/// The verdict on a proposed cooperation: `members` (the lead included) with `lead` as the
/// municipality that submits. Members are deduplicated by NIS code for the sums; a duplicate is
/// reported as a failure.
pub fn assess_cooperation(
    call: &CallRules,
    lead: NisCode,
    members: &[&Municipality],
    taken: &Taken,
) -> Verdict {
    let members_field = FieldRef::field(Section::Applicant, Field::Members);
    let mut results = Vec::new();

    // Distinct members, in the given order.
    let mut seen = BTreeSet::new();
    let mut distinct: Vec<&Municipality> = Vec::with_capacity(members.len());
    let mut duplicates: Vec<&str> = Vec::new();
    for m in members {
        if seen.insert(m.nis_code) {
            distinct.push(m);
        } else {
            duplicates.push(&m.name);
        }
    }
    let names: Vec<&str> = distinct.iter().map(|m| m.name.as_str()).collect();
    results.push(if !duplicates.is_empty() {
        RuleResult::new(
            RuleId::PooledMembers,
            Outcome::Fail,
            format!(
                "{} staat meer dan één keer in de lijst van deelnemende gemeenten.",
                join_names(&duplicates)
            ),
        )
        .at(members_field)
    } else if distinct.len() < 2 {
        RuleResult::new(
            RuleId::PooledMembers,
            Outcome::Fail,
            "Een intergemeentelijke samenwerking heeft minstens twee deelnemende gemeenten.",
        )
        .at(members_field)
    } else {
        RuleResult::new(
            RuleId::PooledMembers,
            Outcome::Pass,
            format!(
                "De samenwerking telt {} deelnemende gemeenten: {}.",
                distinct.len(),
                join_names(&names)
            ),
        )
    });

    let lead_member = distinct.iter().find(|m| m.nis_code == lead);
    results.push(match lead_member {
        Some(m) => RuleResult::new(
            RuleId::PooledLead,
            Outcome::Pass,
            format!("{} is de trekker en dient de aanvraag in.", m.name),
        ),
        None => RuleResult::new(
            RuleId::PooledLead,
            Outcome::Fail,
            format!("De trekker (NIS-code {lead}) moet een van de deelnemende gemeenten zijn."),
        )
        .at(FieldRef::field(Section::Applicant, Field::Lead)),
    });

    let mut regions: Vec<(&str, &str)> = Vec::new();
    for m in &distinct {
        if !regions
            .iter()
            .any(|(code, _)| *code == m.region_code.as_str())
        {
            regions.push((m.region_code.as_str(), &m.region_name));
        }
    }
    results.push(match regions.as_slice() {
        [] => RuleResult::new(
            RuleId::PooledSameRegion,
            Outcome::Fail,
            "Er zijn geen deelnemende gemeenten, dus ook geen referentieregio.",
        )
        .at(members_field),
        [(_, name)] => RuleResult::new(
            RuleId::PooledSameRegion,
            Outcome::Pass,
            format!("Alle deelnemende gemeenten liggen in de referentieregio {name}."),
        ),
        _ => {
            let listed: Vec<String> = distinct
                .iter()
                .map(|m| format!("{} ({})", m.name, m.region_name))
                .collect();
            RuleResult::new(
                RuleId::PooledSameRegion,
                Outcome::Fail,
                format!(
                    "De deelnemende gemeenten liggen in verschillende referentieregio's: {}. Een samenwerking blijft binnen één referentieregio.",
                    join_names(&listed)
                ),
            )
            .at(members_field)
        }
    });

    let taken_results: Vec<RuleResult> = distinct
        .iter()
        .filter(|m| taken.contains(m.nis_code))
        .map(|m| one_application_result(m, taken, Field::Members))
        .collect();
    if taken_results.is_empty() {
        results.push(RuleResult::new(
            RuleId::OneApplication,
            Outcome::Pass,
            "Geen van de deelnemende gemeenten zit al in een andere aanvraag voor deze oproep.",
        ));
    } else {
        results.extend(taken_results);
    }

    results.push(pooled_threshold_result(call, &distinct).at(members_field));
    let (anchor, share) = incentive_results(call, &distinct);
    let incentive = match (anchor.outcome, share.outcome) {
        (Outcome::Pass, Outcome::Pass) => IncentiveStatus::Earned,
        (Outcome::Warning | Outcome::Fail, _) | (_, Outcome::Warning | Outcome::Fail) => {
            IncentiveStatus::NotEarned
        }
        _ => IncentiveStatus::Unknown,
    };
    results.push(anchor.at(members_field));
    results.push(share.at(members_field));

    let lead_name = lead_member.map_or_else(|| lead.to_string(), |m| m.name.clone());
    let blocked_by_failure = results
        .iter()
        .any(|r| r.blocking && r.outcome == Outcome::Fail);
    let undecided = results.iter().any(|r| r.blocking);
    let (decision, summary) = if blocked_by_failure {
        let count = results.iter().filter(|r| r.blocking).count();
        (
            Decision::NotEligible,
            format!(
                "Deze samenwerking kan zo niet indienen: {count} {} niet voldaan.",
                if count == 1 {
                    "regel is"
                } else {
                    "regels zijn"
                }
            ),
        )
    } else if undecided {
        (
            Decision::CannotDecide,
            "We kunnen nog niet beslissen of deze samenwerking mag indienen: er ontbreken cijfers."
                .to_owned(),
        )
    } else {
        let incentive_text = match incentive {
            IncentiveStatus::Earned => format!(
                "met een incentive van {} per projectjaar",
                call.incentive_cents_per_project_year
            ),
            IncentiveStatus::NotEarned => "zonder incentive".to_owned(),
            IncentiveStatus::Unknown => "de incentive kan nog niet bepaald worden".to_owned(),
        };
        (
            Decision::EligibleAsCooperation { incentive },
            format!(
                "De samenwerking van {} (trekker: {lead_name}) kan indienen, {incentive_text}.",
                join_names(&names)
            ),
        )
    };
    Verdict::new(decision, summary, results)
}

fn pooled_threshold_result(call: &CallRules, members: &[&Municipality]) -> RuleResult {
    let threshold = call.pooled_min_inclusive;
    let mut facts = Vec::with_capacity(members.len() + 3);
    let mut missing: Vec<&str> = Vec::new();
    let mut parts: Vec<String> = Vec::with_capacity(members.len());
    let mut sources: Vec<&str> = Vec::new();
    let mut fictitious = false;
    let mut total: u64 = 0;
    for m in members {
        let lookup = m.non_eu15_in(call.reference_year);
        match lookup {
            Lookup::Found(figure) => {
                total = total.saturating_add(figure.value);
                parts.push(format!("{} ({})", m.name, format_count(figure.value)));
                sources.push(&figure.source);
                fictitious |= figure.fictitious;
                facts.push(non_eu15_fact(m, figure));
            }
            Lookup::OtherYear(_) | Lookup::Missing => {
                missing.push(&m.name);
                facts.push(missing_fact(call, m, FigureKind::NonEu15, lookup));
            }
        }
    }
    facts.push(Fact::Threshold {
        value: threshold,
        comparison: Comparison::AtLeast,
    });
    facts.push(Fact::ReferenceYear {
        year: call.reference_year,
    });
    if !missing.is_empty() {
        return RuleResult::new(
            RuleId::PooledThreshold,
            Outcome::CannotDecide,
            format!(
                "Voor {} is er geen cijfer van het aantal inwoners van niet-EU15-herkomst voor referentiejaar {}: we kunnen niet beslissen of de samenwerking minstens {} telt.",
                join_names(&missing),
                call.reference_year,
                format_count(threshold)
            ),
        )
        .with_facts(facts);
    }
    facts.push(Fact::TotalNonEu15 { value: total });
    let head = format!(
        "Samen tellen {} {} inwoners van niet-EU15-herkomst {}",
        join_names(&parts),
        format_count(total),
        cite(call.reference_year.get(), &sources, fictitious)
    );
    let (outcome, tail) = if total >= threshold {
        let compared = if total == threshold {
            format!(
                "precies {}, dus minstens {}",
                format_count(threshold),
                format_count(threshold)
            )
        } else {
            format!("minstens {}", format_count(threshold))
        };
        (
            Outcome::Pass,
            format!("{compared}, de samenwerking kan indienen."),
        )
    } else {
        (
            Outcome::Fail,
            format!(
                "minder dan {}, de samenwerking kan zo niet indienen; er ontbreken nog {} inwoners van niet-EU15-herkomst.",
                format_count(threshold),
                format_count(threshold - total)
            ),
        )
    };
    RuleResult::new(RuleId::PooledThreshold, outcome, format!("{head}: {tail}")).with_facts(facts)
}

/// The two incentive rules for a set of distinct members: (anchor, share).
fn incentive_results(call: &CallRules, members: &[&Municipality]) -> (RuleResult, RuleResult) {
    let single = call.single_applicant_min_exclusive;
    let year = call.reference_year;

    // Anchor: a member strictly above the single threshold.
    let mut anchors: Vec<(&Municipality, &Figure)> = Vec::new();
    let mut unknown: Vec<&str> = Vec::new();
    for m in members {
        match m.non_eu15_in(year).found() {
            Some(f) if f.value > single => anchors.push((m, f)),
            Some(_) => {}
            None => unknown.push(&m.name),
        }
    }
    let threshold_fact = Fact::Threshold {
        value: single,
        comparison: Comparison::MoreThan,
    };
    let anchor = if let Some((m, figure)) = anchors.first() {
        let others = if members.len() > 1 {
            "en werkt samen met andere gemeenten van de regio"
        } else {
            "maar werkt nog met geen andere gemeente samen"
        };
        let outcome = if members.len() > 1 {
            Outcome::Pass
        } else {
            Outcome::Warning
        };
        RuleResult::new(
            RuleId::IncentiveAnchor,
            outcome,
            format!(
                "{} telt {} inwoners van niet-EU15-herkomst {}, meer dan {}, {others}.",
                m.name,
                format_count(figure.value),
                cite(figure.year.get(), &[&figure.source], figure.fictitious),
                format_count(single)
            ),
        )
        .with_facts(vec![non_eu15_fact(m, figure), threshold_fact])
    } else if unknown.is_empty() {
        RuleResult::new(
            RuleId::IncentiveAnchor,
            Outcome::Warning,
            format!(
                "Geen incentive: geen enkele deelnemende gemeente telt meer dan {} inwoners van niet-EU15-herkomst.",
                format_count(single)
            ),
        )
        .with_facts(vec![threshold_fact])
    } else {
        RuleResult::new(
            RuleId::IncentiveAnchor,
            Outcome::CannotDecide,
            format!(
                "Voor {} ontbreekt het cijfer van {year}: we weten niet of een deelnemende gemeente meer dan {} inwoners van niet-EU15-herkomst telt.",
                join_names(&unknown),
                format_count(single)
            ),
        )
        .with_facts(vec![threshold_fact])
    };

    // Share: every member at least the minimum share.
    let minimum = call.incentive_min_share_basis_points;
    let mut facts = vec![Fact::MinimumShare {
        basis_points: minimum,
    }];
    let mut below: Vec<String> = Vec::new();
    let mut reached: Vec<String> = Vec::new();
    let mut missing: Vec<&str> = Vec::new();
    let mut fictitious = false;
    for m in members {
        let non_eu15 = m.non_eu15_in(year);
        let residents = m.residents_in(year);
        match (non_eu15.found(), residents.found()) {
            (Some(n), Some(r)) if r.value > 0 => {
                fictitious |= n.fictitious || r.fictitious;
                facts.push(non_eu15_fact(m, n));
                facts.push(residents_fact(m, r));
                facts.push(Fact::Share {
                    nis_code: m.nis_code,
                    name: m.name.clone(),
                    non_eu15: n.value,
                    residents: r.value,
                    basis_points: share_basis_points_floor(n.value, r.value).unwrap_or(0),
                });
                let text = format!("{} {}", m.name, format_share(n.value, r.value));
                if share_at_least(n.value, r.value, minimum) == Some(true) {
                    reached.push(text);
                } else {
                    below.push(text);
                }
            }
            _ => {
                missing.push(&m.name);
                if non_eu15.found().is_none() {
                    facts.push(missing_fact(call, m, FigureKind::NonEu15, non_eu15));
                }
                if residents.found().is_none() {
                    facts.push(missing_fact(call, m, FigureKind::Residents, residents));
                }
            }
        }
    }
    let mark = if fictitious { FICTITIOUS_MARK } else { "" };
    let share = if !below.is_empty() {
        RuleResult::new(
            RuleId::IncentiveShare,
            Outcome::Warning,
            format!(
                "Geen incentive: niet elke deelnemende gemeente telt minstens {minimum} inwoners van niet-EU15-herkomst ({year}){mark}; onder die grens: {}.",
                join_names(&below)
            ),
        )
    } else if !missing.is_empty() {
        RuleResult::new(
            RuleId::IncentiveShare,
            Outcome::CannotDecide,
            format!(
                "Voor {} ontbreekt het inwonersaantal of het aantal inwoners van niet-EU15-herkomst van {year}: we kunnen het aandeel niet berekenen.",
                join_names(&missing)
            ),
        )
    } else {
        RuleResult::new(
            RuleId::IncentiveShare,
            Outcome::Pass,
            format!(
                "Elke deelnemende gemeente telt minstens {minimum} inwoners van niet-EU15-herkomst ({year}){mark}: {}.",
                join_names(&reached)
            ),
        )
    }
    .with_facts(facts);
    (anchor, share)
}

/// The verdict on a partner organisation (VGC, vzw De Rand) that applies under its separate
/// agreement, outside the thresholds.
pub fn assess_partner(call: &CallRules, code: &str) -> Verdict {
    match call.partner_organisation(code) {
        Some(partner) => {
            let result = RuleResult::new(
                RuleId::PartnerAgreement,
                Outcome::Pass,
                format!(
                    "{} valt onder een aparte overeenkomst en dient in buiten de drempel van {} inwoners van niet-EU15-herkomst.",
                    partner.name,
                    format_count(call.single_applicant_min_exclusive)
                ),
            );
            Verdict::new(
                Decision::EligibleAsPartner,
                format!(
                    "{} kan indienen onder de aparte overeenkomst.",
                    partner.name
                ),
                vec![result],
            )
        }
        None => {
            let result = RuleResult::new(
                RuleId::PartnerAgreement,
                Outcome::Fail,
                format!("'{code}' is geen partnerorganisatie met een aparte overeenkomst in deze oproep."),
            )
            .at(FieldRef::field(Section::Applicant, Field::Partner));
            Verdict::new(
                Decision::NotEligible,
                "Deze organisatie kan niet indienen onder een aparte overeenkomst.".to_owned(),
                vec![result],
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::call::tests::sample_call;
    use crate::domain::figures::tests::town;
    use crate::domain::types::{BasisPoints, ReferenceYear};

    fn outcome_of(verdict: &Verdict, rule: RuleId) -> Option<Outcome> {
        verdict.result(rule).map(|r| r.outcome)
    }

    #[test]
    fn a_single_applicant_needs_strictly_more_than_7500() {
        let call = sample_call();
        let table = [
            (7_499, Decision::OnlyInCooperation, Outcome::Fail),
            (7_500, Decision::OnlyInCooperation, Outcome::Fail),
            (7_501, Decision::EligibleAlone, Outcome::Pass),
            (71_234, Decision::EligibleAlone, Outcome::Pass),
            (0, Decision::OnlyInCooperation, Outcome::Fail),
        ];
        for (non_eu15, decision, outcome) in table {
            let m = town(46_025, "Sint-Niklaas", "R14", non_eu15, 80_000);
            let verdict = assess_single(&call, &m, &Taken::new());
            assert_eq!(verdict.decision, decision, "{non_eu15}");
            assert_eq!(
                outcome_of(&verdict, RuleId::SingleThreshold),
                Some(outcome),
                "{non_eu15}"
            );
        }
    }

    #[test]
    fn a_municipality_of_exactly_7500_is_told_it_is_not_more_than_7500() {
        let call = sample_call();
        let m = town(46_025, "Sint-Niklaas", "R14", 7_500, 80_000);
        let verdict = assess_single(&call, &m, &Taken::new());
        let message = verdict
            .result(RuleId::SingleThreshold)
            .map(|r| r.message.as_str())
            .unwrap_or("");
        assert!(message.contains("precies 7.500"), "{message}");
        assert!(
            message.contains("Sint-Niklaas kan niet zelfstandig indienen, enkel in"),
            "{message}"
        );
        assert!(
            message.contains("binnen de referentieregio Regio R14"),
            "{message}"
        );
    }

    #[test]
    fn gent_is_told_it_can_apply_alone_with_the_numbers_used() {
        let call = sample_call();
        let gent = town(44_021, "Gent", "R13", 71_234, 262_219);
        let verdict = assess_single(&call, &gent, &Taken::new());
        assert_eq!(verdict.decision, Decision::EligibleAlone);
        let result = verdict.result(RuleId::SingleThreshold);
        assert_eq!(
            result.map(|r| r.message.as_str()),
            Some(
                "Gent telt 71.234 inwoners van niet-EU15-herkomst (2020, bron: Statistiek Vlaanderen): meer dan 7.500, dus Gent kan zelfstandig indienen."
            )
        );
        let facts = result.map(|r| r.facts.clone()).unwrap_or_default();
        assert!(
            facts
                .iter()
                .any(|f| matches!(f, Fact::NonEu15 { value: 71_234, .. }))
        );
        assert!(facts.iter().any(|f| matches!(
            f,
            Fact::Threshold {
                value: 7_500,
                comparison: Comparison::MoreThan
            }
        )));
        assert!(
            facts
                .iter()
                .any(|f| matches!(f, Fact::ReferenceYear { year } if year.get() == 2020))
        );
        assert_eq!(
            outcome_of(&verdict, RuleId::SingleNamed),
            Some(Outcome::Pass)
        );
    }

    #[test]
    fn a_named_big_city_may_apply_alone_even_without_figures() {
        let call = sample_call();
        let mut antwerpen = town(11_002, "Antwerpen", "R01", 0, 0);
        antwerpen.non_eu15 = None;
        let verdict = assess_single(&call, &antwerpen, &Taken::new());
        assert_eq!(verdict.decision, Decision::EligibleAlone);
        assert_eq!(
            outcome_of(&verdict, RuleId::SingleThreshold),
            Some(Outcome::Warning)
        );
        assert_eq!(verdict.blocking().count(), 0);
        // Named, yet below the threshold: still alone, with a warning that says why.
        let small = town(11_002, "Antwerpen", "R01", 10, 100);
        let verdict = assess_single(&call, &small, &Taken::new());
        assert_eq!(verdict.decision, Decision::EligibleAlone);
        assert_eq!(
            outcome_of(&verdict, RuleId::SingleThreshold),
            Some(Outcome::Warning)
        );
    }

    #[test]
    fn a_missing_figure_gives_cannot_decide_never_a_guess() {
        let call = sample_call();
        let mut m = town(46_025, "Sint-Niklaas", "R14", 9_000, 80_000);
        m.non_eu15 = None;
        let verdict = assess_single(&call, &m, &Taken::new());
        assert_eq!(verdict.decision, Decision::CannotDecide);
        assert_eq!(
            outcome_of(&verdict, RuleId::SingleThreshold),
            Some(Outcome::CannotDecide)
        );
        assert_eq!(verdict.blocking().count(), 1);
        // A figure of another year is not used either.
        let mut old = town(46_025, "Sint-Niklaas", "R14", 9_000, 80_000);
        if let Some(f) = old.non_eu15.as_mut() {
            f.year = ReferenceYear::new(2019).unwrap();
        }
        let verdict = assess_single(&call, &old, &Taken::new());
        assert_eq!(verdict.decision, Decision::CannotDecide);
        let message = verdict
            .result(RuleId::SingleThreshold)
            .map(|r| r.message.clone())
            .unwrap_or_default();
        assert!(message.contains("wel een cijfer voor 2019"), "{message}");
    }

    #[test]
    fn a_fictitious_figure_is_flagged_in_the_result_and_the_sentence() {
        let call = sample_call();
        let mut m = town(46_025, "Sint-Niklaas", "R14", 9_000, 80_000);
        if let Some(f) = m.non_eu15.as_mut() {
            f.fictitious = true;
        }
        let verdict = assess_single(&call, &m, &Taken::new());
        let result = verdict.result(RuleId::SingleThreshold);
        assert_eq!(result.map(|r| r.fictitious), Some(true));
        assert!(verdict.fictitious);
        assert!(result.is_some_and(|r| r.message.contains("(fictief demo-cijfer)")));
    }

    #[test]
    fn a_municipality_already_taken_cannot_apply_again() {
        let call = sample_call();
        let m = town(46_025, "Sint-Niklaas", "R14", 9_000, 80_000);
        let mut taken = Taken::new();
        assert!(taken.insert(m.nis_code, "PS-2022-007").is_ok());
        let verdict = assess_single(&call, &m, &taken);
        assert_eq!(verdict.decision, Decision::NotEligible);
        assert_eq!(
            outcome_of(&verdict, RuleId::OneApplication),
            Some(Outcome::Fail)
        );
        let own = taken.without_application("PS-2022-007");
        assert_eq!(
            assess_single(&call, &m, &own).decision,
            Decision::EligibleAlone
        );
    }

    #[test]
    fn a_cooperation_of_exactly_7500_is_eligible() {
        let call = sample_call();
        let table = [
            (5_000, 2_499, Decision::NotEligible, Outcome::Fail),
            (
                5_000,
                2_500,
                Decision::EligibleAsCooperation {
                    incentive: IncentiveStatus::NotEarned,
                },
                Outcome::Pass,
            ),
            (
                5_000,
                2_501,
                Decision::EligibleAsCooperation {
                    incentive: IncentiveStatus::NotEarned,
                },
                Outcome::Pass,
            ),
        ];
        for (a, b, decision, outcome) in table {
            let x = town(46_029, "Lokeren", "R14", a, 100_000);
            let y = town(46_003, "Beveren", "R14", b, 100_000);
            let verdict = assess_cooperation(&call, x.nis_code, &[&x, &y], &Taken::new());
            assert_eq!(verdict.decision, decision, "{a}+{b}");
            assert_eq!(
                outcome_of(&verdict, RuleId::PooledThreshold),
                Some(outcome),
                "{a}+{b}"
            );
        }
    }

    #[test]
    fn the_pooled_sentence_lists_members_and_the_total() {
        let call = sample_call();
        let x = town(46_029, "Lokeren", "R14", 5_000, 40_000);
        let y = town(46_003, "Beveren", "R14", 2_500, 48_000);
        let verdict = assess_cooperation(&call, x.nis_code, &[&x, &y], &Taken::new());
        let message = verdict
            .result(RuleId::PooledThreshold)
            .map(|r| r.message.clone())
            .unwrap_or_default();
        assert_eq!(
            message,
            "Samen tellen Lokeren (5.000) en Beveren (2.500) 7.500 inwoners van niet-EU15-herkomst (2020, bron: Statistiek Vlaanderen): precies 7.500, dus minstens 7.500, de samenwerking kan indienen."
        );
        assert!(
            verdict.summary.contains("trekker: Lokeren"),
            "{}",
            verdict.summary
        );
    }

    #[test]
    fn members_in_two_regions_cannot_cooperate() {
        let call = sample_call();
        let x = town(46_029, "Lokeren", "R14", 5_000, 40_000);
        let y = town(41_002, "Aalst", "R11", 5_000, 80_000);
        let verdict = assess_cooperation(&call, x.nis_code, &[&x, &y], &Taken::new());
        assert_eq!(verdict.decision, Decision::NotEligible);
        assert_eq!(
            outcome_of(&verdict, RuleId::PooledSameRegion),
            Some(Outcome::Fail)
        );
        let message = verdict
            .result(RuleId::PooledSameRegion)
            .map(|r| r.message.clone())
            .unwrap_or_default();
        assert!(
            message.contains("Lokeren (Regio R14) en Aalst (Regio R11)"),
            "{message}"
        );
    }

    #[test]
    fn a_cooperation_with_a_taken_member_is_not_eligible() {
        let call = sample_call();
        let x = town(46_029, "Lokeren", "R14", 5_000, 40_000);
        let y = town(46_003, "Beveren", "R14", 5_000, 48_000);
        let mut taken = Taken::new();
        assert!(taken.insert(y.nis_code, "A-9").is_ok());
        let verdict = assess_cooperation(&call, x.nis_code, &[&x, &y], &taken);
        assert_eq!(verdict.decision, Decision::NotEligible);
        let fail = verdict
            .results
            .iter()
            .find(|r| r.rule == RuleId::OneApplication);
        assert!(
            fail.is_some_and(|r| r.outcome == Outcome::Fail
                && r.message.contains("Beveren zit al in aanvraag A-9"))
        );
    }

    #[test]
    fn a_cooperation_needs_two_distinct_members_and_a_lead_among_them() {
        let call = sample_call();
        let x = town(46_029, "Lokeren", "R14", 9_000, 40_000);
        let y = town(46_003, "Beveren", "R14", 5_000, 48_000);
        let alone = assess_cooperation(&call, x.nis_code, &[&x], &Taken::new());
        assert_eq!(
            outcome_of(&alone, RuleId::PooledMembers),
            Some(Outcome::Fail)
        );
        let twice = assess_cooperation(&call, x.nis_code, &[&x, &x], &Taken::new());
        assert_eq!(
            outcome_of(&twice, RuleId::PooledMembers),
            Some(Outcome::Fail)
        );
        let wrong_lead = assess_cooperation(
            &call,
            NisCode::new(44_021).unwrap(),
            &[&x, &y],
            &Taken::new(),
        );
        assert_eq!(
            outcome_of(&wrong_lead, RuleId::PooledLead),
            Some(Outcome::Fail)
        );
        assert_eq!(wrong_lead.decision, Decision::NotEligible);
    }

    #[test]
    fn a_cooperation_with_a_missing_figure_cannot_be_decided() {
        let call = sample_call();
        let x = town(46_029, "Lokeren", "R14", 9_000, 40_000);
        let mut y = town(46_003, "Beveren", "R14", 5_000, 48_000);
        y.non_eu15 = None;
        let verdict = assess_cooperation(&call, x.nis_code, &[&x, &y], &Taken::new());
        assert_eq!(verdict.decision, Decision::CannotDecide);
        assert_eq!(
            outcome_of(&verdict, RuleId::PooledThreshold),
            Some(Outcome::CannotDecide)
        );
    }

    #[test]
    fn the_incentive_needs_an_anchor_and_fifteen_percent_for_every_member() {
        let call = sample_call();
        // (anchor non-EU15, anchor residents, partner non-EU15, partner residents, status)
        let table = [
            (9_000, 40_000, 1_500, 10_000, IncentiveStatus::Earned),
            (9_000, 40_000, 1_499, 10_000, IncentiveStatus::NotEarned),
            (9_000, 60_001, 1_500, 10_000, IncentiveStatus::NotEarned),
            (9_000, 60_000, 1_500, 10_000, IncentiveStatus::Earned),
            (7_500, 10_000, 1_500, 10_000, IncentiveStatus::NotEarned),
            (7_501, 10_000, 1_500, 10_000, IncentiveStatus::Earned),
        ];
        for (an, ar, pn, pr, status) in table {
            let anchor = town(46_025, "Sint-Niklaas", "R14", an, ar);
            let partner = town(46_029, "Lokeren", "R14", pn, pr);
            let verdict =
                assess_cooperation(&call, anchor.nis_code, &[&anchor, &partner], &Taken::new());
            assert_eq!(
                verdict.decision,
                Decision::EligibleAsCooperation { incentive: status },
                "{an}/{ar} + {pn}/{pr}"
            );
        }
    }

    #[test]
    fn fourteen_point_nine_nine_percent_is_not_fifteen() {
        let call = sample_call();
        let anchor = town(46_025, "Sint-Niklaas", "R14", 20_000, 80_000);
        let partner = town(46_029, "Lokeren", "R14", 1_499, 10_000);
        let verdict =
            assess_cooperation(&call, anchor.nis_code, &[&anchor, &partner], &Taken::new());
        let share = verdict.result(RuleId::IncentiveShare);
        assert_eq!(share.map(|r| r.outcome), Some(Outcome::Warning));
        assert!(share.is_some_and(|r| r.message.contains("Lokeren 14,99%")));
        assert!(!share.is_some_and(|r| r.blocking));
    }

    #[test]
    fn the_incentive_threshold_comes_from_the_call() {
        let mut call = sample_call();
        call.incentive_min_share_basis_points = BasisPoints::new(1_000).unwrap();
        let anchor = town(46_025, "Sint-Niklaas", "R14", 20_000, 80_000);
        let partner = town(46_029, "Lokeren", "R14", 1_000, 10_000);
        let verdict =
            assess_cooperation(&call, anchor.nis_code, &[&anchor, &partner], &Taken::new());
        assert_eq!(
            verdict.decision,
            Decision::EligibleAsCooperation {
                incentive: IncentiveStatus::Earned
            }
        );
    }

    #[test]
    fn missing_residents_leave_the_incentive_unknown_but_do_not_block() {
        let call = sample_call();
        let anchor = town(46_025, "Sint-Niklaas", "R14", 20_000, 80_000);
        let mut partner = town(46_029, "Lokeren", "R14", 2_000, 10_000);
        partner.residents = None;
        let verdict =
            assess_cooperation(&call, anchor.nis_code, &[&anchor, &partner], &Taken::new());
        assert_eq!(
            verdict.decision,
            Decision::EligibleAsCooperation {
                incentive: IncentiveStatus::Unknown
            }
        );
        assert_eq!(
            outcome_of(&verdict, RuleId::IncentiveShare),
            Some(Outcome::CannotDecide)
        );
    }

    #[test]
    fn partner_organisations_apply_under_their_agreement() {
        let call = sample_call();
        assert_eq!(
            assess_partner(&call, "VGC").decision,
            Decision::EligibleAsPartner
        );
        assert_eq!(assess_partner(&call, "XYZ").decision, Decision::NotEligible);
    }

    #[test]
    fn can_apply_alone_answers_for_named_above_below_and_missing() {
        let call = sample_call();
        let mut unknown = town(46_029, "Lokeren", "R14", 1, 1);
        unknown.non_eu15 = None;
        let table = [
            (town(44_021, "Gent", "R13", 1, 10), Some(true)),
            (town(46_025, "Sint-Niklaas", "R14", 7_501, 10), Some(true)),
            (town(46_025, "Sint-Niklaas", "R14", 7_500, 10), Some(false)),
            (unknown, None),
        ];
        for (m, expected) in table {
            assert_eq!(can_apply_alone(&call, &m), expected, "{}", m.name);
        }
    }
}
