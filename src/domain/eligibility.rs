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
//! - only figures of the call's reference year count; a missing figure gives "cannot decide";
//! - a merged municipality's figure of a reference year before its merger is the sum over all
//!   its former municipalities or none ([`super::figures`]); every result that uses it names
//!   the former municipalities and their figures ([`merger_note`]);
//! - one grammatical person per message: the municipality and the rule in the third person
//!   ("Gent kan zelfstandig indienen", "is niet te beslissen"), never a "we" beside it;
//! - a fictitious figure is said to be so once per sentence ([`FICTITIOUS_MARK`], in [`cite`]);
//!   a verdict on a fictitious demo call says so once, in its summary ([`Verdict::in_call`]).

use std::collections::BTreeSet;

use super::call::CallRules;
use super::dutch::{format_count, format_date, format_share, join_names, share_basis_points_floor};
use super::figures::{Figure, Lookup, MergedFigure, Municipality, Taken};
use super::types::{NisCode, share_at_least};
use super::verdict::{
    Comparison, Decision, Fact, Field, FieldRef, FigureKind, FormerFigure, IncentiveStatus,
    Outcome, RuleId, RuleResult, Section, Verdict,
};

/// What a sentence says of a fictitious figure, once, inside the brackets of its citation:
/// `(2020, fictief demo-cijfer)`.
pub const FICTITIOUS_MARK: &str = "fictief demo-cijfer";

/// A shown source that only says what the fictitious mark says ("geen officiële statistiek"):
/// left out next to the mark, so the sentence labels the figure once.
fn restates_fictitious(shown: &str) -> bool {
    shown.to_lowercase() == "geen officiële statistiek"
}

/// `(2020, bron: Statbel)`; for a fictitious figure `(2020, fictief demo-cijfer)` or
/// `(2020, bron: Statbel, fictief demo-cijfer)`: the fictitious mark once, without a source
/// that only repeats it.
pub(crate) fn cite(year: u16, sources: &[&str], fictitious: bool) -> String {
    let mut unique: Vec<String> = Vec::with_capacity(sources.len());
    for source in sources.iter().map(|s| super::figures::shown_source(s)) {
        let repeats_the_mark = fictitious && restates_fictitious(&source);
        if !source.is_empty() && !unique.contains(&source) && !repeats_the_mark {
            unique.push(source);
        }
    }
    let mut parts = vec![year.to_string()];
    if !unique.is_empty() {
        parts.push(format!("bron: {}", unique.join("; ")));
    }
    if fictitious {
        parts.push(FICTITIOUS_MARK.to_owned());
    }
    format!("({})", parts.join(", "))
}

/// What a figure of `kind` is called in a sentence.
fn figure_name(kind: FigureKind) -> &'static str {
    match kind {
        FigureKind::NonEu15 => "het aantal inwoners van niet-EU15-herkomst",
        FigureKind::Residents => "het inwonersaantal",
    }
}

/// For a merged municipality whose figures of the call's reference year predate its merger:
/// the sentence that names its former municipalities with their figures of `kind`, and says
/// whether the figure used is their sum or why there is none; with the fact that holds the
/// numbers. `None` for every other municipality.
pub fn merger_note(call: &CallRules, m: &Municipality, kind: FigureKind) -> Option<(String, Fact)> {
    let merger = m.merger.as_ref()?;
    let year = call.reference_year;
    let names: Vec<&str> = merger.former.iter().map(|f| f.name.as_str()).collect();
    let parts: Vec<String> = merger
        .former
        .iter()
        .map(|f| match f.figure(kind, year) {
            Some(figure) => format!("{} {}", f.name, format_count(figure.value)),
            None => format!("{} geen cijfer", f.name),
        })
        .collect();
    let head = format!(
        "{} bestaat sinds {} uit de vroegere gemeenten {}",
        m.name,
        format_date(merger.merged_on),
        join_names(&names)
    );
    let (sentence, total) = match merger.figure(kind, year) {
        MergedFigure::Own => return None,
        MergedFigure::Sum(sum) => (
            format!(
                "{head}; {} van {year} is de som van hun cijfers: {}.",
                figure_name(kind),
                join_names(&parts)
            ),
            Some(sum.value),
        ),
        MergedFigure::Incomplete(missing) => {
            let missing: Vec<&str> = missing.iter().map(|f| f.name.as_str()).collect();
            (
                format!(
                    "{head}; voor {} is er geen cijfer van {} voor referentiejaar {year} ({}), dus is er geen som voor {}: het cijfer van één vroegere gemeente geldt niet voor de hele gemeente.",
                    join_names(&missing),
                    figure_name(kind),
                    join_names(&parts),
                    m.name
                ),
                None,
            )
        }
    };
    let fact = Fact::MergedFigure {
        nis_code: m.nis_code,
        name: m.name.clone(),
        figure: kind,
        merged_on: merger.merged_on,
        year,
        former: merger
            .former
            .iter()
            .map(|f| {
                let figure = f.figure(kind, year);
                FormerFigure {
                    nis_code: f.nis_code,
                    name: f.name.clone(),
                    value: figure.map(|x| x.value),
                    fictitious: figure.is_some_and(|x| x.fictitious),
                }
            })
            .collect(),
        total,
    };
    Some((sentence, fact))
}

/// The merger notes of `members` for `kind`, as sentences to append and their facts.
fn merger_notes(
    call: &CallRules,
    members: &[&Municipality],
    kind: FigureKind,
) -> (String, Vec<Fact>) {
    let mut text = String::new();
    let mut facts = Vec::new();
    for m in members {
        if let Some((sentence, fact)) = merger_note(call, m, kind) {
            text.push(' ');
            text.push_str(&sentence);
            facts.push(fact);
        }
    }
    (text, facts)
}

/// "Voor Lokeren is er geen cijfer van ... voor referentiejaar 2020", or, for a merged
/// municipality whose former municipalities lack a figure, the merger note saying which; no
/// final full stop.
fn lacking(call: &CallRules, m: &Municipality, kind: FigureKind, lookup: Lookup<'_>) -> String {
    match merger_note(call, m, kind) {
        Some((sentence, _)) => sentence.trim_end_matches('.').to_owned(),
        None => format!(
            "Voor {} is er {}",
            m.name,
            missing_phrase(call, figure_name(kind), lookup)
        ),
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
            let (note, note_facts) = merger_notes(call, &[m], FigureKind::NonEu15);
            RuleResult::new(
                RuleId::SingleThreshold,
                outcome,
                format!("{head}: {tail}{note}"),
            )
            .with_facts(vec![non_eu15_fact(m, figure), threshold_fact])
            .with_facts(note_facts)
        }
        Lookup::OtherYear(_) | Lookup::Missing => {
            let lacking = lacking(call, m, FigureKind::NonEu15, lookup);
            let (outcome, message) = if named.is_some() {
                (
                    Outcome::Warning,
                    format!(
                        "{lacking}. Uit de cijfers is dus niet te berekenen of {} meer dan {} inwoners van niet-EU15-herkomst telt, maar {} mag als grootstad bij naam zelfstandig indienen.",
                        m.name,
                        format_count(threshold),
                        m.name
                    ),
                )
            } else {
                (
                    Outcome::CannotDecide,
                    format!(
                        "{lacking}. Zonder dat cijfer is niet te beslissen of {} zelfstandig mag indienen (daarvoor zijn meer dan {} inwoners van niet-EU15-herkomst nodig); het cijfer moet eerst ingelezen worden.",
                        m.name,
                        format_count(threshold)
                    ),
                )
            };
            let (_, note_facts) = merger_notes(call, &[m], FigureKind::NonEu15);
            RuleResult::new(RuleId::SingleThreshold, outcome, message)
                .with_facts(vec![
                    missing_fact(call, m, FigureKind::NonEu15, lookup),
                    threshold_fact,
                ])
                .with_facts(note_facts)
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
        let whose = match m
            .merger
            .as_ref()
            .map(|merger| merger.figure(FigureKind::NonEu15, call.reference_year))
        {
            Some(MergedFigure::Incomplete(missing)) => {
                let names: Vec<&str> = missing.iter().map(|f| f.name.as_str()).collect();
                format!(" van {}", join_names(&names))
            }
            _ => String::new(),
        };
        (
            Decision::CannotDecide,
            format!(
                "Of {} zelfstandig mag indienen, is nog niet te beslissen: het cijfer van {}{whose} ontbreekt.",
                m.name, call.reference_year
            ),
        )
    };
    Verdict::new(decision, summary, results).in_call(call)
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
                .map(|m| format!("{} (referentieregio {})", m.name, m.region_name))
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
            "Of deze samenwerking mag indienen, is nog niet te beslissen: er ontbreken cijfers."
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
    Verdict::new(decision, summary, results).in_call(call)
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
    let (notes, note_facts) = merger_notes(call, members, FigureKind::NonEu15);
    facts.extend(note_facts);
    if !missing.is_empty() {
        return RuleResult::new(
            RuleId::PooledThreshold,
            Outcome::CannotDecide,
            format!(
                "Voor {} is er geen cijfer van het aantal inwoners van niet-EU15-herkomst voor referentiejaar {}: zonder dat cijfer is niet te beslissen of de samenwerking minstens {} telt.{notes}",
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
    RuleResult::new(
        RuleId::PooledThreshold,
        outcome,
        format!("{head}: {tail}{notes}"),
    )
    .with_facts(facts)
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
                "Voor {} ontbreekt het cijfer van {year}: zonder dat cijfer is niet te zeggen of een deelnemende gemeente meer dan {} inwoners van niet-EU15-herkomst telt.",
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
    let cited = cite(year.get(), &[], fictitious);
    // The non-EU15 figures of merged members are explained in `pooled.threshold`; here their
    // residents.
    let (notes, note_facts) = merger_notes(call, members, FigureKind::Residents);
    facts.extend(note_facts);
    let share = if !below.is_empty() {
        RuleResult::new(
            RuleId::IncentiveShare,
            Outcome::Warning,
            format!(
                "Geen incentive: niet elke deelnemende gemeente telt minstens {minimum} inwoners van niet-EU15-herkomst {cited}; onder die grens: {}.{notes}",
                join_names(&below)
            ),
        )
    } else if !missing.is_empty() {
        RuleResult::new(
            RuleId::IncentiveShare,
            Outcome::CannotDecide,
            format!(
                "Voor {} ontbreekt het inwonersaantal of het aantal inwoners van niet-EU15-herkomst van {year}: zonder die cijfers is het aandeel niet te berekenen.{notes}",
                join_names(&missing)
            ),
        )
    } else {
        RuleResult::new(
            RuleId::IncentiveShare,
            Outcome::Pass,
            format!(
                "Elke deelnemende gemeente telt minstens {minimum} inwoners van niet-EU15-herkomst {cited}: {}.{notes}",
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
            .in_call(call)
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
            .in_call(call)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::call::tests::sample_call;
    use crate::domain::figures::tests::town;
    use crate::domain::types::{BasisPoints, ReferenceYear};
    use crate::domain::verdict::FICTITIOUS_CALL;

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
        assert!(result.is_some_and(|r| {
            r.message
                .contains("(2020, bron: Statistiek Vlaanderen, fictief demo-cijfer)")
        }));
    }

    #[test]
    fn a_fictitious_figure_is_labelled_once_without_a_source_that_only_repeats_it() {
        assert_eq!(
            cite(
                2020,
                &[
                    "FICTIEF demo-cijfer, geen officiële statistiek (gegenereerd door scripts/gen_demo_non_eu15.py)"
                ],
                true
            ),
            "(2020, fictief demo-cijfer)"
        );
        assert_eq!(
            cite(
                2020,
                &["Statbel", "FICTIEF demo-cijfer, geen officiële statistiek"],
                true
            ),
            "(2020, bron: Statbel, fictief demo-cijfer)"
        );
        assert_eq!(cite(2020, &["Statbel"], false), "(2020, bron: Statbel)");
        assert_eq!(cite(2020, &[], false), "(2020)");
        // A real source that happens to say so keeps it when the figure is not fictitious.
        assert_eq!(
            cite(2020, &["geen officiële statistiek"], false),
            "(2020, bron: geen officiële statistiek)"
        );

        let call = sample_call();
        let mut antwerpen = town(11_002, "Antwerpen", "R01", 211_699, 529_247);
        if let Some(f) = antwerpen.non_eu15.as_mut() {
            f.fictitious = true;
            f.source = "FICTIEF demo-cijfer, geen officiële statistiek (gegenereerd door scripts/gen_demo_non_eu15.py)".to_owned();
        }
        let verdict = assess_single(&call, &antwerpen, &Taken::new());
        for r in &verdict.results {
            let lower = r.message.to_lowercase();
            assert!(lower.matches("fictief").count() <= 1, "{}", r.message);
            assert!(!lower.contains("officiële statistiek"), "{}", r.message);
        }
        let threshold = verdict
            .result(RuleId::SingleThreshold)
            .map(|r| r.message.clone())
            .unwrap_or_default();
        assert!(
            threshold.starts_with(
                "Antwerpen telt 211.699 inwoners van niet-EU15-herkomst (2020, fictief demo-cijfer): meer dan 7.500"
            ),
            "{threshold}"
        );
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
            message.contains(
                "Lokeren (referentieregio Regio R14) en Aalst (referentieregio Regio R11)"
            ),
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

    // ------------------------------------------------------------- merged municipalities

    use crate::domain::figures::{Former, Merger};

    /// A former municipality with a non-EU15 figure (`None`: none) and residents of 2020.
    fn former(nis: u32, name: &str, non_eu15: Option<u64>, residents: u64) -> Former {
        let t = town(nis, name, "R01", non_eu15.unwrap_or(0), residents);
        Former {
            nis_code: t.nis_code,
            name: t.name,
            residents: t.residents,
            non_eu15: non_eu15.and(t.non_eu15),
        }
    }

    /// `m` as formed on 1 January 2025 from `former`, with the call's figures of 2020.
    fn merged(m: Municipality, former: Vec<Former>) -> Municipality {
        let merger = Merger {
            merged_on: chrono::NaiveDate::from_ymd_opt(2025, 1, 1).unwrap(),
            former,
        };
        m.merged(merger, sample_call().reference_year)
    }

    /// Antwerpen after absorbing Borsbeek, with Borsbeek's non-EU15 figure or without it.
    fn antwerpen_with_borsbeek(borsbeek: Option<u64>) -> Municipality {
        merged(
            town(11_002, "Antwerpen", "R01", 211_699, 529_247),
            vec![
                former(11_002, "Antwerpen", Some(211_699), 529_247),
                former(11_007, "Borsbeek", borsbeek, 10_949),
            ],
        )
    }

    fn message(verdict: &Verdict, rule: RuleId) -> String {
        verdict
            .result(rule)
            .map(|r| r.message.clone())
            .unwrap_or_default()
    }

    #[test]
    fn antwerpen_uses_the_sum_with_borsbeek_and_the_verdict_names_both_figures() {
        let call = sample_call();
        let verdict = assess_single(&call, &antwerpen_with_borsbeek(Some(1_752)), &Taken::new());
        assert_eq!(verdict.decision, Decision::EligibleAlone);
        assert_eq!(
            message(&verdict, RuleId::SingleThreshold),
            "Antwerpen telt 213.451 inwoners van niet-EU15-herkomst (2020, bron: Statistiek Vlaanderen): meer dan 7.500, dus Antwerpen kan zelfstandig indienen. Antwerpen bestaat sinds 1 januari 2025 uit de vroegere gemeenten Antwerpen en Borsbeek; het aantal inwoners van niet-EU15-herkomst van 2020 is de som van hun cijfers: Antwerpen 211.699 en Borsbeek 1.752."
        );
        let facts = verdict
            .result(RuleId::SingleThreshold)
            .map(|r| r.facts.clone())
            .unwrap_or_default();
        assert!(facts.iter().any(|f| matches!(
            f,
            Fact::MergedFigure { total: Some(213_451), former, figure: FigureKind::NonEu15, .. }
                if former.len() == 2 && former[1].value == Some(1_752)
        )));
    }

    #[test]
    fn antwerpen_without_borsbeeks_figure_says_which_is_missing_and_still_qualifies_by_name() {
        let call = sample_call();
        let verdict = assess_single(&call, &antwerpen_with_borsbeek(None), &Taken::new());
        assert_eq!(
            verdict.decision,
            Decision::EligibleAlone,
            "named in the call"
        );
        assert_eq!(
            outcome_of(&verdict, RuleId::SingleThreshold),
            Some(Outcome::Warning)
        );
        let text = message(&verdict, RuleId::SingleThreshold);
        assert_eq!(
            text,
            "Antwerpen bestaat sinds 1 januari 2025 uit de vroegere gemeenten Antwerpen en Borsbeek; voor Borsbeek is er geen cijfer van het aantal inwoners van niet-EU15-herkomst voor referentiejaar 2020 (Antwerpen 211.699 en Borsbeek geen cijfer), dus is er geen som voor Antwerpen: het cijfer van één vroegere gemeente geldt niet voor de hele gemeente. Uit de cijfers is dus niet te berekenen of Antwerpen meer dan 7.500 inwoners van niet-EU15-herkomst telt, maar Antwerpen mag als grootstad bij naam zelfstandig indienen."
        );
        assert!(
            !text.contains("Antwerpen telt"),
            "never Antwerpen's own figure: {text}"
        );
    }

    #[test]
    fn a_merged_municipality_is_judged_on_the_sum_of_all_its_former_municipalities() {
        let call = sample_call();
        // (Beveren, Kruibeke, Zwijndrecht non-EU15; decision)
        let table = [
            (Some(5_000), Some(2_000), Some(501), Decision::EligibleAlone),
            (
                Some(5_000),
                Some(2_000),
                Some(500),
                Decision::OnlyInCooperation,
            ),
            (Some(9_000), Some(2_000), None, Decision::CannotDecide),
            (None, Some(2_000), Some(500), Decision::CannotDecide),
            (None, None, None, Decision::CannotDecide),
        ];
        for (beveren, kruibeke, zwijndrecht, decision) in table {
            let m = merged(
                town(46_030, "Beveren-Kruibeke-Zwijndrecht", "R14", 0, 0),
                vec![
                    former(11_056, "Zwijndrecht", zwijndrecht, 19_000),
                    former(46_003, "Beveren", beveren, 48_000),
                    former(46_013, "Kruibeke", kruibeke, 17_000),
                ],
            );
            let verdict = assess_single(&call, &m, &Taken::new());
            assert_eq!(
                verdict.decision, decision,
                "{beveren:?} {kruibeke:?} {zwijndrecht:?}"
            );
            let text = message(&verdict, RuleId::SingleThreshold);
            assert!(
                text.contains("uit de vroegere gemeenten Zwijndrecht, Beveren en Kruibeke"),
                "{text}"
            );
            if decision == Decision::CannotDecide {
                let missing: Vec<&str> = [
                    ("Zwijndrecht", zwijndrecht),
                    ("Beveren", beveren),
                    ("Kruibeke", kruibeke),
                ]
                .iter()
                .filter(|(_, v)| v.is_none())
                .map(|(n, _)| *n)
                .collect();
                assert!(
                    text.contains(&format!("voor {} is er geen cijfer", join_names(&missing))),
                    "{text}"
                );
                assert!(
                    verdict.summary.ends_with(&format!(
                        "het cijfer van 2020 van {} ontbreekt.",
                        join_names(&missing)
                    )),
                    "{}",
                    verdict.summary
                );
            }
        }
    }

    #[test]
    fn a_cooperation_with_a_merged_member_names_its_former_municipalities_in_the_sums() {
        let call = sample_call();
        let lokeren = town(46_029, "Lokeren", "R14", 5_000, 40_000);
        let complete = merged(
            town(44_084, "Lochristi", "R14", 0, 0),
            vec![
                former(44_034, "Lochristi", Some(1_200), 8_000),
                former(44_040, "Moerbeke", Some(800), 5_000),
            ],
        );
        let verdict = assess_cooperation(
            &call,
            lokeren.nis_code,
            &[&lokeren, &complete],
            &Taken::new(),
        );
        let pooled = message(&verdict, RuleId::PooledThreshold);
        assert!(
            pooled.starts_with("Samen tellen Lokeren (5.000) en Lochristi (2.000) 7.000"),
            "{pooled}"
        );
        assert!(
            pooled.ends_with("Lochristi bestaat sinds 1 januari 2025 uit de vroegere gemeenten Lochristi en Moerbeke; het aantal inwoners van niet-EU15-herkomst van 2020 is de som van hun cijfers: Lochristi 1.200 en Moerbeke 800."),
            "{pooled}"
        );
        let share = message(&verdict, RuleId::IncentiveShare);
        assert!(
            share.contains("het inwonersaantal van 2020 is de som van hun cijfers: Lochristi 8.000 en Moerbeke 5.000."),
            "{share}"
        );

        let incomplete = merged(
            town(44_084, "Lochristi", "R14", 0, 0),
            vec![
                former(44_034, "Lochristi", Some(1_200), 8_000),
                former(44_040, "Moerbeke", None, 5_000),
            ],
        );
        let verdict = assess_cooperation(
            &call,
            lokeren.nis_code,
            &[&lokeren, &incomplete],
            &Taken::new(),
        );
        assert_eq!(verdict.decision, Decision::CannotDecide);
        let pooled = message(&verdict, RuleId::PooledThreshold);
        assert!(
            pooled.starts_with("Voor Lochristi is er geen cijfer"),
            "{pooled}"
        );
        assert!(
            pooled.contains("voor Moerbeke is er geen cijfer"),
            "{pooled}"
        );
    }

    #[test]
    fn a_municipality_that_did_not_merge_gets_no_merger_sentence() {
        let call = sample_call();
        let gent = town(44_021, "Gent", "R13", 71_234, 262_219);
        assert_eq!(merger_note(&call, &gent, FigureKind::NonEu15), None);
        let verdict = assess_single(&call, &gent, &Taken::new());
        assert!(!message(&verdict, RuleId::SingleThreshold).contains("vroegere gemeenten"));
    }

    // ------------------------------------------------------------- wording

    #[test]
    fn a_verdict_under_a_fictitious_demo_call_says_so_once_in_its_summary() {
        let mut call = sample_call();
        call.parameters_fictitious = true;
        let gent = town(44_021, "Gent", "R13", 71_234, 262_219);
        let lokeren = town(46_029, "Lokeren", "R14", 5_000, 40_000);
        let beveren = town(46_003, "Beveren", "R14", 2_500, 48_000);
        let verdicts = [
            assess_single(&call, &gent, &Taken::new()),
            assess_cooperation(
                &call,
                lokeren.nis_code,
                &[&lokeren, &beveren],
                &Taken::new(),
            ),
            assess_partner(&call, "VGC"),
            assess_partner(&call, "XYZ"),
        ];
        for verdict in &verdicts {
            assert!(verdict.call_fictitious);
            assert_eq!(
                verdict.summary.matches(FICTITIOUS_CALL).count(),
                1,
                "{}",
                verdict.summary
            );
            assert!(verdict.summary.ends_with(FICTITIOUS_CALL));
            assert!(
                verdict
                    .results
                    .iter()
                    .all(|r| !r.message.contains("demo-oproep"))
            );
            let again = verdict.clone().in_call(&call);
            assert_eq!(&again, verdict, "said once, also when asked twice");
        }
        let real = assess_single(&sample_call(), &gent, &Taken::new());
        assert!(!real.call_fictitious);
        assert!(!real.summary.contains("demo-oproep"));
    }

    /// Every message and summary of a range of verdicts: single (above, below, exactly, missing,
    /// named without figure), cooperation (pass, fail, missing figures, two regions).
    fn sample_messages() -> Vec<String> {
        let call = sample_call();
        let mut missing = town(46_025, "Sint-Niklaas", "R14", 0, 80_000);
        missing.non_eu15 = None;
        let mut antwerpen = town(11_002, "Antwerpen", "R01", 0, 0);
        antwerpen.non_eu15 = None;
        let lokeren = town(46_029, "Lokeren", "R14", 9_000, 40_000);
        let beveren = town(46_003, "Beveren", "R14", 1_000, 48_000);
        let mut temse = town(46_021, "Temse", "R14", 1_000, 30_000);
        temse.non_eu15 = None;
        temse.residents = None;
        let aalst = town(41_002, "Aalst", "R11", 1_000, 80_000);
        let mut verdicts = vec![
            assess_single(
                &call,
                &town(44_021, "Gent", "R13", 71_234, 262_219),
                &Taken::new(),
            ),
            assess_single(
                &call,
                &town(46_025, "Sint-Niklaas", "R14", 7_500, 80_000),
                &Taken::new(),
            ),
            assess_single(&call, &missing, &Taken::new()),
            assess_single(&call, &antwerpen, &Taken::new()),
            assess_single(&call, &antwerpen_with_borsbeek(None), &Taken::new()),
            assess_single(&call, &antwerpen_with_borsbeek(Some(1_752)), &Taken::new()),
        ];
        for members in [
            vec![&lokeren, &beveren],
            vec![&beveren, &temse],
            vec![&lokeren, &temse],
            vec![&lokeren, &aalst],
            vec![&beveren],
        ] {
            verdicts.push(assess_cooperation(
                &call,
                members[0].nis_code,
                &members,
                &Taken::new(),
            ));
        }
        verdicts
            .iter()
            .flat_map(|v| {
                std::iter::once(v.summary.clone())
                    .chain(v.results.iter().map(|r| r.message.clone()))
            })
            .collect()
    }

    #[test]
    fn every_verdict_message_speaks_in_the_third_person_only() {
        for text in sample_messages() {
            let words: Vec<String> = text
                .split(|c: char| !c.is_alphanumeric())
                .map(str::to_lowercase)
                .collect();
            for person in ["we", "wij", "ons", "onze", "u", "uw", "ik", "jij", "je"] {
                assert!(!words.iter().any(|w| w == person), "'{person}' in: {text}");
            }
        }
    }

    #[test]
    fn a_reference_region_is_named_as_one() {
        for text in sample_messages() {
            for (at, _) in text.match_indices("Regio R1") {
                let before = &text[..at];
                assert!(
                    before.ends_with("referentieregio "),
                    "a region without the word 'referentieregio' in: {text}"
                );
            }
        }
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
