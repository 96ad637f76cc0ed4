//! Benchmarks of the rules engine on the seed files: `cargo bench --bench rules`.
//! Figures are recorded in BENCHMARKS.md ("Rules engine").

#[path = "../tests/domain_support/mod.rs"]
mod domain_support;

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use domain_support::{load_2019_2024, load_2025, load_call, valid_draft, weight_of};
use samenleven::domain::{
    Advisor, AdvisorOptions, AllocationRequest, Applicant, Directory, NisCode, Taken, allocate,
    assess_single, check_application,
};

fn rules(c: &mut Criterion) {
    let call = load_call();
    let flanders = Directory::new(load_2019_2024()).expect("2019-2024 directory");
    let flanders_2025 = Directory::new(load_2025()).expect("2025 directory");
    let nobody = Taken::new();

    c.bench_function(
        "eligibility: assess_single for all 300 municipalities",
        |b| {
            b.iter(|| {
                for m in flanders.iter() {
                    black_box(assess_single(&call, m, &nobody));
                }
            });
        },
    );

    c.bench_function(
        "advisor: Advisor::new + advise for all 300 municipalities",
        |b| {
            b.iter(|| {
                let advisor = Advisor::new(&call, &flanders, &nobody, AdvisorOptions::default());
                for m in flanders.iter() {
                    black_box(advisor.advise(m.nis_code).ok());
                }
            });
        },
    );

    c.bench_function(
        "advisor: Advisor::new + advise for all 285 municipalities (2025)",
        |b| {
            b.iter(|| {
                let advisor =
                    Advisor::new(&call, &flanders_2025, &nobody, AdvisorOptions::default());
                for m in flanders_2025.iter() {
                    black_box(advisor.advise(m.nis_code).ok());
                }
            });
        },
    );

    // One page view: a small municipality of the 42-member Limburg region (Herstappe).
    let herstappe = NisCode::new(73_028).expect("nis");
    c.bench_function(
        "advisor: one page view (Advisor::new + advise Herstappe, Limburg)",
        |b| {
            b.iter(|| {
                let advisor = Advisor::new(&call, &flanders, &nobody, AdvisorOptions::default());
                black_box(advisor.advise(herstappe).ok());
            });
        },
    );

    // 300 applications (one per municipality, as if all applied) of 22 actions each.
    let requests: Vec<AllocationRequest> = flanders
        .iter()
        .enumerate()
        .map(|(index, m)| {
            let applicant = Applicant::Single {
                nis_code: m.nis_code,
            };
            let draft = valid_draft(&call, applicant.clone(), 22, index as u64);
            let report = check_application(&call, &flanders, &nobody, &draft);
            let reference = format!("PS-{index:03}");
            AllocationRequest::from_report(
                &reference,
                &m.name,
                weight_of(&call, &flanders, &applicant),
                &report,
                1,
            )
        })
        .collect();
    let envelope = call
        .project_year(1)
        .map(|y| y.envelope_cents)
        .expect("year 1");
    c.bench_function(
        "allocation: 300 applications x 22 actions, year-1 envelope",
        |b| {
            b.iter(|| black_box(allocate(envelope, black_box(&requests)).ok()));
        },
    );

    let gent = NisCode::new(44_021).expect("nis");
    let draft = valid_draft(&call, Applicant::Single { nis_code: gent }, 22, 7);
    c.bench_function("checks: check_application with 22 actions", |b| {
        b.iter(|| {
            black_box(check_application(
                &call,
                &flanders,
                &nobody,
                black_box(&draft),
            ))
        });
    });
}

criterion_group!(benches, rules);
criterion_main!(benches);
