//! The rules engine on the real seed files: the 2022-2024 call, the 300 municipalities of
//! 2019-2024 and the 285 of 2025, their reference regions, 2020 population and the fictitious
//! non-EU15 demo figures.

mod domain_support;

use std::collections::{BTreeMap, BTreeSet};

use domain_support::{
    load_2019_2024, load_2025, load_call, plan_applicants, valid_draft, weight_of,
};
use samenleven::domain::{
    AdviceStatus, Advisor, AdvisorOptions, AllocationRequest, CallRules, Decision, Directory,
    FICTITIOUS_MARK, Municipality, NisCode, Outcome, Ratio, RuleId, Taken, allocate,
    assess_cooperation, assess_single, can_apply_alone, check_application, programme_coverage,
};

fn nis(code: u32) -> NisCode {
    NisCode::new(code).expect("nis code")
}

fn directory_2024() -> Directory {
    Directory::new(load_2019_2024()).expect("unique NIS codes")
}

fn directory_2025() -> Directory {
    Directory::new(load_2025()).expect("unique NIS codes")
}

#[test]
fn the_seeded_call_is_read_and_valid() {
    let call = load_call();
    assert_eq!(call.validate(), Ok(()));
    assert_eq!(call.actions.len(), 27, "the reach lines of ABB's form");
    assert_eq!(call.single_applicant_min_exclusive, 7_500);
    assert_eq!(call.pooled_min_inclusive, 7_500);
    assert_eq!(call.incentive_min_share_basis_points.get(), 1_500);
    assert_eq!(call.cofinancing_basis_points.get(), 5_000);
    assert_eq!(call.reference_year.get(), 2020);
    assert_eq!(call.named_single_applicants.len(), 2);
    assert_eq!(call.partner_organisations.len(), 2);
}

#[test]
fn the_seeds_hold_300_and_285_municipalities_each_in_one_region() {
    let call = load_call();
    for (directory, count, regions) in [(directory_2024(), 300, 15), (directory_2025(), 285, 15)] {
        assert_eq!(directory.len(), count);
        assert_eq!(directory.region_codes().count(), regions);
        for m in directory.iter() {
            assert!(
                m.non_eu15_in(call.reference_year).found().is_some(),
                "{}",
                m.name
            );
            assert!(
                m.residents_in(call.reference_year).found().is_some(),
                "{}",
                m.name
            );
        }
    }
    assert_eq!(
        directory_2024()
            .region(&"REFREG15".parse().expect("code"))
            .count(),
        42
    );
}

#[test]
fn merged_municipalities_of_2025_keep_the_total_of_flanders() {
    let call = load_call();
    let total = |d: &Directory| -> u64 {
        d.iter()
            .filter_map(|m| m.non_eu15_in(call.reference_year).found().map(|f| f.value))
            .sum()
    };
    assert_eq!(total(&directory_2024()), total(&directory_2025()));
}

#[test]
fn antwerpen_and_gent_are_eligible_alone() {
    let call = load_call();
    for directory in [directory_2024(), directory_2025()] {
        for code in [11_002, 44_021] {
            let m = directory.get(nis(code)).expect("big city");
            let verdict = assess_single(&call, m, &Taken::new());
            assert_eq!(verdict.decision, Decision::EligibleAlone, "{}", m.name);
            assert_eq!(
                verdict.result(RuleId::SingleNamed).map(|r| r.outcome),
                Some(Outcome::Pass)
            );
        }
    }
}

#[test]
fn every_single_verdict_agrees_with_the_threshold_and_says_the_figure_is_fictitious() {
    let call = load_call();
    for directory in [directory_2024(), directory_2025()] {
        for m in directory.iter() {
            let verdict = assess_single(&call, m, &Taken::new());
            let value = m
                .non_eu15_in(call.reference_year)
                .found()
                .map(|f| f.value)
                .unwrap_or(0);
            let named = call.named_applicant(m.nis_code).is_some();
            let expected = if named || value > call.single_applicant_min_exclusive {
                Decision::EligibleAlone
            } else {
                Decision::OnlyInCooperation
            };
            assert_eq!(verdict.decision, expected, "{} ({value})", m.name);
            assert!(verdict.fictitious, "{}", m.name);
            let sentence = verdict
                .result(RuleId::SingleThreshold)
                .map(|r| r.message.as_str())
                .unwrap_or("");
            assert!(sentence.contains(FICTITIOUS_MARK), "{sentence}");
            assert!(sentence.starts_with(&m.name), "{sentence}");
        }
    }
}

/// Checks the advice of every municipality; returns the count per status.
fn advise_everyone(
    call: &CallRules,
    directory: &Directory,
    taken: &Taken,
) -> BTreeMap<String, usize> {
    let advisor = Advisor::new(call, directory, taken, AdvisorOptions::default());
    let mut counts = BTreeMap::new();
    for m in directory.iter() {
        let advice = advisor.advise(m.nis_code).expect("known municipality");
        *counts.entry(format!("{:?}", advice.status)).or_insert(0) += 1;
        assert!(!advice.message.is_empty(), "{}", m.name);
        match advice.status {
            AdviceStatus::Alone => assert_eq!(can_apply_alone(call, m), Some(true), "{}", m.name),
            AdviceStatus::Cooperation => {
                assert!(!advice.proposals.is_empty(), "{}", m.name);
                assert!(advice.minimality.is_some(), "{}", m.name);
            }
            AdviceStatus::NotReachable => assert!(
                advice.message.contains("geen samenwerking mogelijk"),
                "{}",
                advice.message
            ),
            AdviceStatus::AlreadyTaken => assert!(taken.contains(m.nis_code)),
            AdviceStatus::CannotDecide => {
                panic!("all figures are present, yet {} cannot be decided", m.name)
            }
        }
        let proposals = advice
            .proposals
            .iter()
            .chain(&advice.small_only_proposals)
            .chain(&advice.incentive_proposals);
        for proposal in proposals {
            let members: Vec<&Municipality> = proposal
                .nis_codes()
                .filter_map(|n| directory.get(n))
                .collect();
            assert_eq!(members.len(), proposal.members.len());
            assert!(
                members.iter().any(|x| x.nis_code == m.nis_code),
                "{}",
                m.name
            );
            assert!(
                members.iter().all(|x| x.region_code == m.region_code),
                "{}",
                m.name
            );
            assert!(
                members.iter().all(|x| !taken.contains(x.nis_code)),
                "{}",
                m.name
            );
            let verdict = assess_cooperation(call, proposal.suggested_lead, &members, taken);
            assert!(verdict.is_eligible(), "{}: {}", m.name, verdict.summary);
            assert!(
                proposal.message.contains(FICTITIOUS_MARK),
                "{}",
                proposal.message
            );
        }
        for proposal in &advice.proposals {
            assert_eq!(Some(proposal.members.len()), advice.minimal_size);
        }
        for proposal in &advice.incentive_proposals {
            let members: Vec<&Municipality> = proposal
                .nis_codes()
                .filter_map(|n| directory.get(n))
                .collect();
            let verdict = assess_cooperation(call, proposal.suggested_lead, &members, taken);
            assert!(
                matches!(
                    verdict.decision,
                    Decision::EligibleAsCooperation {
                        incentive: samenleven::domain::IncentiveStatus::Earned
                    }
                ),
                "{}",
                verdict.summary
            );
        }
    }
    counts
}

#[test]
fn every_municipality_of_2019_2024_gets_an_answer_and_every_proposal_is_valid() {
    let call = load_call();
    let directory = directory_2024();
    let counts = advise_everyone(&call, &directory, &Taken::new());
    let alone = directory
        .iter()
        .filter(|m| can_apply_alone(&call, m) == Some(true))
        .count();
    assert_eq!(counts.get("Alone").copied().unwrap_or(0), alone);
    assert_eq!(counts.values().sum::<usize>(), 300);
    // Every region of the demo data reaches 7,500 together, so nobody is unreachable.
    assert_eq!(counts.get("NotReachable"), None, "{counts:?}");
}

#[test]
fn every_municipality_of_2025_gets_an_answer_and_every_proposal_is_valid() {
    let call = load_call();
    let directory = directory_2025();
    let counts = advise_everyone(&call, &directory, &Taken::new());
    assert_eq!(counts.values().sum::<usize>(), 285);
}

#[test]
fn planning_all_of_flanders_leaves_every_municipality_in_at_most_one_application() {
    let call = load_call();
    let directory = directory_2024();
    let (applicants, taken) = plan_applicants(&call, &directory);
    assert!(!applicants.is_empty());
    // Re-advising with the taken set: proposals never include a taken municipality, and the
    // municipalities left over are explained (nothing reachable any more, or a proposal).
    let counts = advise_everyone(&call, &directory, &taken);
    assert_eq!(
        counts.get("AlreadyTaken").copied().unwrap_or(0),
        taken.len()
    );
    let mut seen = BTreeSet::new();
    for (_, applicant) in &applicants {
        if let samenleven::domain::Applicant::Cooperation { members, .. } = applicant {
            for member in members {
                assert!(seen.insert(*member), "{member} in two applications");
            }
        }
    }
}

#[test]
fn planned_applications_pass_the_checks_and_are_allocated_within_the_envelope() {
    let call = load_call();
    let directory = directory_2024();
    let (applicants, taken) = plan_applicants(&call, &directory);
    let mut requests = Vec::with_capacity(applicants.len());
    for (index, (reference, applicant)) in applicants.iter().enumerate() {
        let mut draft = valid_draft(&call, applicant.clone(), 1 + index % 22, index as u64);
        draft.reference = Some(reference.clone());
        let report = check_application(&call, &directory, &taken, &draft);
        let blocking: Vec<&str> = report.blocking().map(|r| r.message.as_str()).collect();
        assert!(report.can_submit, "{reference}: {blocking:?}");
        assert!(report.fictitious);
        requests.push(AllocationRequest::from_report(
            reference,
            reference,
            weight_of(&call, &directory, applicant),
            &report,
            1,
        ));
    }
    let envelope = call
        .project_year(1)
        .map(|y| y.envelope_cents)
        .expect("year 1");
    let allocation = allocate(envelope, &requests).expect("allocation");
    assert!(allocation.granted <= envelope);
    for app in &allocation.applications {
        for action in &app.actions {
            assert!(action.granted <= action.requested);
        }
    }
    // The planned applications ask far more than the EUR 10 million of year 1.
    assert!(allocation.requested > envelope);
    assert_eq!(allocation.granted, envelope);
}

#[test]
fn programme_coverage_of_the_planned_applications_is_explained() {
    let mut call = load_call();
    call.coverage_aim = Ratio::new(2, 3);
    let directory = directory_2024();
    let (applicants, _) = plan_applicants(&call, &directory);
    let covered: Vec<NisCode> = applicants
        .iter()
        .flat_map(|(_, a)| match a {
            samenleven::domain::Applicant::Single { nis_code } => vec![*nis_code],
            samenleven::domain::Applicant::Cooperation { members, .. } => members.clone(),
            samenleven::domain::Applicant::Partner { .. } => Vec::new(),
        })
        .collect();
    let coverage = programme_coverage(&call, &directory, &covered);
    assert!(coverage.covered_non_eu15 <= coverage.total_non_eu15);
    assert!(coverage.meets_aim.is_some());
    assert!(
        coverage.result.message.contains(FICTITIOUS_MARK),
        "{}",
        coverage.result.message
    );
    // Only Antwerpen and Gent: less than the whole.
    let big = programme_coverage(&call, &directory, &[nis(11_002), nis(44_021)]);
    assert!(big.covered_non_eu15 < coverage.covered_non_eu15);
}
