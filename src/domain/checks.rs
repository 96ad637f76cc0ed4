//! Application checks: the explained checks on an application draft before it is submitted and
//! when a reviewer looks at it (DOMAIN rules 2, 6 and 7, the eligibility rules, the incentive).
//!
//! Conventions:
//! - reach and own contribution in a draft are **per project year**; the grant of an action in
//!   a project year is `min(planned reach, maximum) × unit cost of that year`;
//! - co-financing is checked per action and per project year, and over the whole application:
//!   `own × (10000 − bp) ≥ grant × bp` exactly, the required minimum shown rounded up (against the
//!   applicant, see [`CallRules::required_own_contribution`]);
//! - the incentive is computed from the members' figures, never declared, and added without
//!   co-financing (it does not count in the co-financing checks);
//! - a planned reach above the maximum blocks, and the grant shown is already capped;
//! - every result that the applicant can fix points at the section and field of the form.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::call::CallRules;
use super::dutch::{format_date, join_names};
use super::eligibility::{assess_cooperation, assess_partner, assess_single};
use super::figures::{Directory, Municipality, Taken};
use super::money::Cents;
use super::types::{ActionCode, KpiDirection, KpiValue, NisCode, Reach};
use super::verdict::{
    AmountLabel, Decision, Fact, Field, FieldRef, IncentiveStatus, Outcome, ReachLabel, RuleId,
    RuleResult, Section, Verdict,
};

/// Who applies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Applicant {
    /// A municipality alone.
    Single {
        /// The municipality.
        nis_code: NisCode,
    },
    /// An intermunicipal cooperation.
    Cooperation {
        /// The lead municipality, which submits and receives the money.
        lead: NisCode,
        /// All members, the lead included.
        members: Vec<NisCode>,
    },
    /// A partner organisation with a separate agreement (VGC, vzw De Rand).
    Partner {
        /// The partner's code in the call.
        code: String,
    },
}

/// One KPI of an action, as filled in on the form.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct KpiDraft {
    /// What is measured (indicator).
    pub indicator: String,
    /// The unit (e.g. "deelnemers").
    pub unit: String,
    /// The current value (nulmeting).
    pub baseline: Option<KpiValue>,
    /// The target value (streefwaarde).
    pub target: Option<KpiValue>,
    /// The date by which the target is reached.
    pub target_date: Option<NaiveDate>,
    /// How it is measured.
    pub measurement: String,
    /// Which way the value should move; the target must differ from the baseline that way.
    #[serde(default)]
    pub direction: KpiDirection,
}

/// One chosen action, as filled in on the form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionDraft {
    /// The action's code.
    pub code: ActionCode,
    /// Priority rank, 1 is most important.
    pub priority: u32,
    /// Current reach per project year (nulmeting).
    pub baseline_reach: Reach,
    /// Planned reach per project year (streefwaarde).
    pub planned_reach: Reach,
    /// Own contribution per project year, in money.
    pub own_contribution: Cents,
    /// Own contribution per project year, in staff time valued in euro.
    #[serde(default)]
    pub own_staff: Cents,
    /// The KPIs.
    pub kpis: Vec<KpiDraft>,
}

impl ActionDraft {
    /// The own share per project year: money and staff time together ("financiële of
    /// personele middelen"); saturates at the largest amount, which no field accepts.
    pub fn own_share(&self) -> Cents {
        self.own_contribution.saturating_add(self.own_staff)
    }
}

/// An application as the web layer fills it from the form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApplicationDraft {
    /// The application's reference once stored; its own members are then not "taken".
    pub reference: Option<String>,
    /// Who applies.
    pub applicant: Applicant,
    /// The project years applied for (numbers of the call's project years).
    pub project_years: Vec<u16>,
    /// The chosen actions.
    pub actions: Vec<ActionDraft>,
}

/// The computed money of one action.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ActionMoney {
    /// The action.
    pub code: ActionCode,
    /// Its priority rank.
    pub priority: u32,
    /// The reach the grant is computed on (planned, capped at the maximum).
    pub granted_reach: Reach,
    /// Grant per project year (project year number, grant).
    pub grant_per_year: Vec<(u16, Cents)>,
    /// Own contribution per project year.
    pub own_contribution: Cents,
}

impl ActionMoney {
    /// The grant in one project year (zero when the year is not applied for).
    pub fn grant_in(&self, project_year: u16) -> Cents {
        self.grant_per_year
            .iter()
            .find(|(y, _)| *y == project_year)
            .map_or(Cents::ZERO, |(_, c)| *c)
    }
}

/// The outcome of checking an application.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ApplicationReport {
    /// The eligibility verdict on the applicant (its results are also in `results`).
    pub eligibility: Option<Verdict>,
    /// Every rule applied, in form order: applicant, project years, actions, budget, KPIs.
    pub results: Vec<RuleResult>,
    /// The computed money per action (eligible actions only).
    pub actions: Vec<ActionMoney>,
    /// The incentive per project year (zero when not earned or not decidable).
    pub incentive_per_project_year: Cents,
    /// Total grant over all project years, incentive included.
    pub total_grant: Cents,
    /// Total own contribution over all project years.
    pub total_own_contribution: Cents,
    /// No blocking result: the application may be submitted.
    pub can_submit: bool,
    /// A fictitious demo figure was used.
    pub fictitious: bool,
}

impl ApplicationReport {
    /// The blocking results.
    pub fn blocking(&self) -> impl Iterator<Item = &RuleResult> {
        self.results.iter().filter(|r| r.blocking)
    }

    /// The warnings.
    pub fn warnings(&self) -> impl Iterator<Item = &RuleResult> {
        self.results
            .iter()
            .filter(|r| r.outcome == Outcome::Warning)
    }

    /// The results pointing at one section of the form.
    pub fn in_section(&self, section: Section) -> impl Iterator<Item = &RuleResult> {
        self.results
            .iter()
            .filter(move |r| r.field.is_some_and(|f| f.section == section))
    }

    /// The grant asked for in one project year: all actions plus the incentive.
    pub fn grant_in(&self, project_year: u16) -> Cents {
        let actions = Cents::checked_sum(self.actions.iter().map(|a| a.grant_in(project_year)));
        actions
            .unwrap_or(Cents::ZERO)
            .saturating_add(self.incentive_per_project_year)
    }
}

/// Checks an application draft against the call. `taken` are the municipalities already in an
/// application of the call (the draft's own reference is ignored there).
pub fn check_application(
    call: &CallRules,
    directory: &Directory,
    taken: &Taken,
    draft: &ApplicationDraft,
) -> ApplicationReport {
    let mut results = Vec::new();
    let own_taken;
    let taken = match &draft.reference {
        Some(reference) => {
            own_taken = taken.without_application(reference);
            &own_taken
        }
        None => taken,
    };

    // Applicant.
    let eligibility = check_applicant(call, directory, taken, &draft.applicant, &mut results);
    let is_cooperation = matches!(draft.applicant, Applicant::Cooperation { .. });

    // Project years.
    let years = check_project_years(call, &draft.project_years, &mut results);

    // Actions: presence, duplicates, eligibility, priority.
    check_action_set(call, &draft.actions, &mut results);

    // Per action: reach, grant, co-financing.
    let mut money = Vec::with_capacity(draft.actions.len());
    let mut seen = BTreeSet::new();
    for action in &draft.actions {
        if !seen.insert(action.code) {
            continue;
        }
        let Some(call_action) = call.action(action.code) else {
            continue;
        };
        let granted_reach = action.planned_reach.min(call_action.max_reach);
        let reach_field =
            FieldRef::action(Section::Actions, action.code, Some(Field::PlannedReach));
        let reach_facts = vec![
            Fact::Reach {
                label: ReachLabel::Baseline,
                value: action.baseline_reach,
            },
            Fact::Reach {
                label: ReachLabel::Planned,
                value: action.planned_reach,
            },
            Fact::Reach {
                label: ReachLabel::Maximum,
                value: call_action.max_reach,
            },
        ];
        results.push(if action.planned_reach == Reach::ZERO {
            RuleResult::new(
                RuleId::ActionReach,
                Outcome::Fail,
                format!("Het geplande bereik van actie {} moet groter zijn dan 0.", action.code),
            )
        } else if action.planned_reach > call_action.max_reach {
            RuleResult::new(
                RuleId::ActionReach,
                Outcome::Fail,
                format!(
                    "Het geplande bereik van actie {} ({}) is groter dan het maximum van {} in deze oproep; verlaag het tot hoogstens {}.",
                    action.code, action.planned_reach, call_action.max_reach, call_action.max_reach
                ),
            )
        } else {
            RuleResult::new(
                RuleId::ActionReach,
                Outcome::Pass,
                format!(
                    "Het geplande bereik van actie {} ({}) ligt tussen 1 en het maximum van {}.",
                    action.code, action.planned_reach, call_action.max_reach
                ),
            )
        }
        .with_facts(reach_facts)
        .at(reach_field));

        let mut grant_per_year = Vec::with_capacity(years.len());
        let mut overflow = false;
        for year in &years {
            let unit = call_action.unit_cost_for(*year);
            match unit.checked_mul(u64::from(granted_reach.get())) {
                Some(grant) => grant_per_year.push((*year, grant)),
                None => overflow = true,
            }
        }
        let grant_field = FieldRef::action(Section::Budget, action.code, None);
        if overflow {
            results.push(
                RuleResult::new(
                    RuleId::ActionGrant,
                    Outcome::Fail,
                    format!(
                        "De subsidie voor actie {} is te groot om te berekenen.",
                        action.code
                    ),
                )
                .at(grant_field),
            );
            continue;
        }
        let largest = grant_per_year
            .iter()
            .copied()
            .max_by_key(|(_, g)| *g)
            .unwrap_or((0, Cents::ZERO));
        let differs = grant_per_year.iter().any(|(_, g)| *g != largest.1);
        let unit_largest = call_action.unit_cost_for(largest.0);
        let year_text = if differs {
            format!(" in projectjaar {} (het hoogste)", largest.0)
        } else {
            String::new()
        };
        results.push(
            RuleResult::new(
                RuleId::ActionGrant,
                Outcome::Pass,
                format!(
                    "Subsidie voor actie {}{year_text}: {} × {} = {} per projectjaar.",
                    action.code, granted_reach, unit_largest, largest.1
                ),
            )
            .with_facts(vec![
                Fact::Reach {
                    label: ReachLabel::Granted,
                    value: granted_reach,
                },
                Fact::Amount {
                    label: AmountLabel::UnitCost,
                    cents: unit_largest,
                },
                Fact::Amount {
                    label: AmountLabel::Grant,
                    cents: largest.1,
                },
            ])
            .at(grant_field),
        );

        money.push(ActionMoney {
            code: action.code,
            priority: action.priority,
            granted_reach,
            grant_per_year,
            own_contribution: action.own_share(),
        });
    }

    // Co-financing per action of the plan, summed over its reach lines: the municipality is
    // *expected* to put in as much as Flanders; a smaller own share is a warning only.
    check_action_cofinancing(call, &money, &mut results);

    // KPIs.
    let mut kpi_seen = BTreeSet::new();
    for action in &draft.actions {
        if kpi_seen.insert(action.code) {
            check_kpis(call, action, &mut results);
        }
    }

    // Incentive (computed from the verdict, never declared).
    let year_count = u64::try_from(years.len()).unwrap_or(u64::MAX);
    let mut incentive = Cents::ZERO;
    if is_cooperation && let Some(verdict) = &eligibility {
        let per_year = call.incentive_cents_per_project_year;
        let total = per_year.checked_mul(year_count).unwrap_or(Cents::ZERO);
        let field = FieldRef::field(Section::Applicant, Field::Members);
        match verdict.decision {
            Decision::EligibleAsCooperation {
                incentive: IncentiveStatus::Earned,
            } => {
                incentive = per_year;
                results.push(
                    RuleResult::new(
                        RuleId::ApplicationIncentive,
                        Outcome::Pass,
                        format!(
                            "De samenwerking verdient de incentive: {per_year} per projectjaar, voor {year_count} {} samen {total}, zonder cofinanciering.",
                            if year_count == 1 { "projectjaar" } else { "projectjaren" }
                        ),
                    )
                    .with_facts(vec![Fact::Amount {
                        label: AmountLabel::Incentive,
                        cents: per_year,
                    }])
                    .at(field),
                );
            }
            Decision::EligibleAsCooperation {
                incentive: IncentiveStatus::Unknown,
            } => results.push(
                RuleResult::new(
                    RuleId::ApplicationIncentive,
                    Outcome::CannotDecide,
                    "De incentive kan nog niet berekend worden: er ontbreken cijfers van de deelnemende gemeenten.",
                )
                .at(field),
            ),
            _ => results.push(
                RuleResult::new(
                    RuleId::ApplicationIncentive,
                    Outcome::Warning,
                    "Deze samenwerking verdient (zo) geen incentive; zie de regels over de incentive bij de aanvrager.",
                )
                .at(field),
            ),
        }
    }

    // Totals and co-financing over the whole application.
    let action_grants = Cents::checked_sum(
        money
            .iter()
            .flat_map(|m| m.grant_per_year.iter().map(|(_, g)| *g)),
    );
    let own_total = money
        .iter()
        .map(|m| m.own_contribution.checked_mul(year_count))
        .try_fold(Cents::ZERO, |acc, own| own.and_then(|o| acc.checked_add(o)));
    let incentive_total = incentive.checked_mul(year_count);
    let (total_grant, total_own) = match (action_grants, incentive_total, own_total) {
        (Some(grants), Some(incentive_total), Some(own_total)) => {
            let total = grants.saturating_add(incentive_total);
            let budget = FieldRef::section(Section::Budget);
            results.push(total_cofinancing(call, &years, &money).at(budget));
            results.push(
                RuleResult::new(
                    RuleId::ApplicationTotal,
                    Outcome::Pass,
                    format!(
                        "Totale subsidie over {year_count} {}: {total} ({grants} voor acties + {incentive_total} incentive); eigen inbreng {own_total}.",
                        if year_count == 1 { "projectjaar" } else { "projectjaren" }
                    ),
                )
                .with_facts(vec![
                    Fact::Amount {
                        label: AmountLabel::TotalGrant,
                        cents: total,
                    },
                    Fact::Amount {
                        label: AmountLabel::Incentive,
                        cents: incentive_total,
                    },
                ])
                .at(budget),
            );
            (total, own_total)
        }
        _ => {
            results.push(
                RuleResult::new(
                    RuleId::ApplicationTotal,
                    Outcome::Fail,
                    "De totale subsidie is te groot om te berekenen.",
                )
                .at(FieldRef::section(Section::Budget)),
            );
            (Cents::ZERO, Cents::ZERO)
        }
    };

    let can_submit = !results.iter().any(|r| r.blocking);
    let fictitious = results.iter().any(|r| r.fictitious);
    ApplicationReport {
        eligibility,
        results,
        actions: money,
        incentive_per_project_year: incentive,
        total_grant,
        total_own_contribution: total_own,
        can_submit,
        fictitious,
    }
}

fn check_applicant(
    call: &CallRules,
    directory: &Directory,
    taken: &Taken,
    applicant: &Applicant,
    results: &mut Vec<RuleResult>,
) -> Option<Verdict> {
    let applicant_field = FieldRef::section(Section::Applicant);
    let verdict = match applicant {
        Applicant::Single { nis_code } => match directory.get(*nis_code) {
            Some(m) => Some(assess_single(call, m, taken)),
            None => {
                results.push(unknown_municipalities(&[*nis_code], Field::Lead));
                None
            }
        },
        Applicant::Cooperation { lead, members } => {
            let mut all: Vec<NisCode> = members.clone();
            if !all.contains(lead) {
                all.insert(0, *lead);
            }
            let unknown: Vec<NisCode> = all
                .iter()
                .copied()
                .filter(|n| directory.get(*n).is_none())
                .collect();
            if unknown.is_empty() {
                let found: Vec<&Municipality> =
                    members.iter().filter_map(|n| directory.get(*n)).collect();
                Some(assess_cooperation(call, *lead, &found, taken))
            } else {
                results.push(unknown_municipalities(&unknown, Field::Members));
                None
            }
        }
        Applicant::Partner { code } => Some(assess_partner(call, code)),
    };
    if let Some(verdict) = &verdict {
        results.extend(verdict.results.iter().cloned().map(|mut r| {
            if r.field.is_none() {
                r.field = Some(applicant_field);
            }
            r
        }));
        if !verdict.is_eligible() && !verdict.results.iter().any(|r| r.blocking) {
            // A municipality that may not apply alone, with every rule passing otherwise.
            results.push(
                RuleResult::new(
                    RuleId::ApplicationApplicant,
                    Outcome::Fail,
                    verdict.summary.clone(),
                )
                .at(FieldRef::field(Section::Applicant, Field::Lead)),
            );
        }
    }
    verdict
}

fn unknown_municipalities(codes: &[NisCode], field: Field) -> RuleResult {
    let listed: Vec<String> = codes.iter().map(ToString::to_string).collect();
    RuleResult::new(
        RuleId::ApplicationApplicant,
        Outcome::Fail,
        format!(
            "Er is geen gemeente met NIS-code {} in deze oproep.",
            join_names(&listed)
        ),
    )
    .at(FieldRef::field(Section::Applicant, field))
}

fn check_project_years(call: &CallRules, asked: &[u16], results: &mut Vec<RuleResult>) -> Vec<u16> {
    let field = FieldRef::field(Section::ProjectYears, Field::ProjectYears);
    let mut years: Vec<u16> = Vec::with_capacity(asked.len());
    let mut problems: Vec<String> = Vec::new();
    let known: Vec<String> = call
        .project_years
        .iter()
        .map(|y| y.year.to_string())
        .collect();
    for year in asked {
        if years.contains(year) {
            problems.push(format!("projectjaar {year} staat er twee keer in"));
            continue;
        }
        match call.project_year(*year) {
            None => problems.push(format!(
                "projectjaar {year} bestaat niet in deze oproep (wel: {})",
                join_names(&known)
            )),
            Some(py) if py.starts_on < call.period_start || py.ends_on > call.period_end => {
                problems.push(format!(
                    "projectjaar {year} ({} tot {}) ligt niet binnen de oproepperiode ({} tot {})",
                    format_date(py.starts_on),
                    format_date(py.ends_on),
                    format_date(call.period_start),
                    format_date(call.period_end)
                ));
            }
            Some(_) => years.push(*year),
        }
    }
    let period = Fact::Period {
        start: call.period_start,
        end: call.period_end,
    };
    results.push(
        if asked.is_empty() {
            RuleResult::new(
                RuleId::ApplicationProjectYears,
                Outcome::Fail,
                format!("Kies minstens één projectjaar ({}).", join_names(&known)),
            )
        } else if !problems.is_empty() {
            let mut text = join_names(&problems);
            if let Some(first) = text.get(..1) {
                text = format!("{}{}", first.to_uppercase(), text.get(1..).unwrap_or(""));
            }
            RuleResult::new(
                RuleId::ApplicationProjectYears,
                Outcome::Fail,
                format!("{text}."),
            )
        } else {
            let listed: Vec<String> = years.iter().map(ToString::to_string).collect();
            RuleResult::new(
                RuleId::ApplicationProjectYears,
                Outcome::Pass,
                format!(
                    "{} {} binnen de oproepperiode ({} tot {}).",
                    if years.len() == 1 {
                        "Projectjaar"
                    } else {
                        "Projectjaren"
                    },
                    if years.len() == 1 {
                        format!("{} ligt", join_names(&listed))
                    } else {
                        format!("{} liggen", join_names(&listed))
                    },
                    format_date(call.period_start),
                    format_date(call.period_end)
                ),
            )
        }
        .with_facts(vec![period])
        .at(field),
    );
    years.sort_unstable();
    years
}

fn check_action_set(call: &CallRules, actions: &[ActionDraft], results: &mut Vec<RuleResult>) {
    let section = FieldRef::section(Section::Actions);
    let mut counts: BTreeMap<ActionCode, usize> = BTreeMap::new();
    for action in actions {
        *counts.entry(action.code).or_default() += 1;
    }
    let doubles: Vec<String> = counts
        .iter()
        .filter(|(_, n)| **n > 1)
        .map(|(c, _)| c.to_string())
        .collect();
    results.push(if actions.is_empty() {
        RuleResult::new(
            RuleId::ApplicationActions,
            Outcome::Fail,
            "Kies minstens één actie uit de oproep.",
        )
        .at(section)
    } else if !doubles.is_empty() {
        RuleResult::new(
            RuleId::ApplicationActions,
            Outcome::Fail,
            format!(
                "Actie {} staat meer dan één keer in de aanvraag; kies elke actie maar één keer.",
                join_names(&doubles)
            ),
        )
        .at(section)
    } else {
        RuleResult::new(
            RuleId::ApplicationActions,
            Outcome::Pass,
            format!(
                "U koos {} {}.",
                actions.len(),
                if actions.len() == 1 {
                    "actie"
                } else {
                    "acties"
                }
            ),
        )
        .at(section)
    });

    for code in counts.keys() {
        let field = FieldRef::action(Section::Actions, *code, Some(Field::ActionCode));
        results.push(match call.action(*code) {
            Some(a) => RuleResult::new(
                RuleId::ActionEligible,
                Outcome::Pass,
                format!("Actie {code} ({}) hoort bij de acties van deze oproep.", a.title),
            ),
            None => RuleResult::new(
                RuleId::ActionEligible,
                Outcome::Fail,
                format!("Actie {code} hoort niet bij de acties van deze oproep; kies een andere actie."),
            ),
        }
        .at(field));
    }

    // Priority ranks: unique and exactly 1..n.
    if actions.is_empty() {
        return;
    }
    let n = actions.len();
    let mut by_rank: BTreeMap<u32, Vec<ActionCode>> = BTreeMap::new();
    for action in actions {
        by_rank
            .entry(action.priority)
            .or_default()
            .push(action.code);
    }
    let mut problems = Vec::new();
    let mut first_bad: Option<ActionCode> = None;
    for (rank, codes) in &by_rank {
        let out_of_range = *rank == 0 || usize::try_from(*rank).map_or(true, |r| r > n);
        if codes.len() > 1 {
            let listed: Vec<String> = codes.iter().map(ToString::to_string).collect();
            problems.push(format!(
                "prioriteit {rank} komt {} keer voor (acties {})",
                codes.len(),
                join_names(&listed)
            ));
            first_bad = first_bad.or(codes.get(1).copied());
        }
        if out_of_range {
            problems.push(format!("prioriteit {rank} ligt niet tussen 1 en {n}"));
            first_bad = first_bad.or(codes.first().copied());
        }
    }
    let missing: Vec<String> = (1..=u32::try_from(n).unwrap_or(u32::MAX))
        .filter(|r| !by_rank.contains_key(r))
        .map(|r| r.to_string())
        .collect();
    if !missing.is_empty() {
        problems.push(if missing.len() == 1 {
            format!("prioriteit {} komt niet voor", join_names(&missing))
        } else {
            format!("prioriteiten {} komen niet voor", join_names(&missing))
        });
    }
    let field = match first_bad {
        Some(code) => FieldRef::action(Section::Actions, code, Some(Field::Priority)),
        None => FieldRef::section(Section::Actions),
    };
    results.push(if problems.is_empty() {
        RuleResult::new(
            RuleId::ApplicationPriority,
            Outcome::Pass,
            format!("Elke actie heeft een eigen prioriteit van 1 tot {n}."),
        )
    } else {
        RuleResult::new(
            RuleId::ApplicationPriority,
            Outcome::Fail,
            format!(
                "Geef elke actie een andere prioriteit van 1 tot {n} (1 is de belangrijkste): {}.",
                problems.join("; ")
            ),
        )
    }
    .at(field));
}

/// Per project year over the whole dossier: the own share (money and staff) must be at least
/// what the call's co-financing rate asks of the Flemish contribution of that year (at 50%: as
/// much as Flanders puts in). A year short blocks submission; the message names each year short
/// and by how much.
fn total_cofinancing(call: &CallRules, years: &[u16], money: &[ActionMoney]) -> RuleResult {
    let rate = call.cofinancing_basis_points;
    let own = Cents::checked_sum(money.iter().map(|m| m.own_contribution));
    let mut short = Vec::new();
    let mut largest = (Cents::ZERO, Cents::ZERO);
    for year in years {
        let grant = Cents::checked_sum(money.iter().map(|m| {
            m.grant_per_year
                .iter()
                .find(|(y, _)| y == year)
                .map_or(Cents::ZERO, |(_, g)| *g)
        }));
        let (Some(grant), Some(own)) = (grant, own) else {
            return RuleResult::new(
                RuleId::TotalCofinancing,
                Outcome::Fail,
                "De cofinanciering over het hele dossier kan niet berekend worden: de bedragen zijn te groot.",
            );
        };
        let (Some(required), Some(suffices)) = (
            call.required_own_contribution(grant),
            call.own_contribution_suffices(grant, own),
        ) else {
            return RuleResult::new(
                RuleId::TotalCofinancing,
                Outcome::Fail,
                "De oproep vraagt 100% eigen inbreng; de cofinanciering kan niet berekend worden.",
            );
        };
        if required > largest.1 {
            largest = (grant, required);
        }
        if !suffices {
            short.push(format!(
                "in projectjaar {year} is {own} minder dan de vereiste {required} ({rate} cofinanciering bij een bijdrage van Vlaanderen van {grant})"
            ));
        }
    }
    let own = own.unwrap_or(Cents::ZERO);
    let facts = vec![
        Fact::Amount {
            label: AmountLabel::Grant,
            cents: largest.0,
        },
        Fact::Amount {
            label: AmountLabel::OwnContribution,
            cents: own,
        },
        Fact::Amount {
            label: AmountLabel::RequiredOwnContribution,
            cents: largest.1,
        },
    ];
    if short.is_empty() {
        RuleResult::new(
            RuleId::TotalCofinancing,
            Outcome::Pass,
            format!(
                "Over het hele dossier brengt u per projectjaar {own} zelf in (in geld en personeel): minstens de {} die {rate} cofinanciering vraagt.",
                largest.1
            ),
        )
    } else {
        RuleResult::new(
            RuleId::TotalCofinancing,
            Outcome::Fail,
            format!(
                "Uw eigen inbreng over het hele dossier is te klein: {}. Verhoog de eigen inbreng in geld of in personeel bij de acties.",
                join_names(&short)
            ),
        )
    }
    .with_facts(facts)
}

/// Per action of the plan (its reach lines together): the own share the municipality is expected
/// to put in, equal to the Flemish contribution at the call's co-financing rate in the project
/// year that asks the most. Below it is a warning, never a block: the plan says 50% is
/// *expected*, and only the whole dossier's own share per project year blocks
/// ([`RuleId::TotalCofinancing`]).
fn check_action_cofinancing(
    call: &CallRules,
    money: &[ActionMoney],
    results: &mut Vec<RuleResult>,
) {
    let mut actions: Vec<ActionCode> = money.iter().map(|m| m.code.action()).collect();
    actions.dedup();
    let rate = call.cofinancing_basis_points;
    for action in actions {
        let lines: Vec<&ActionMoney> = money.iter().filter(|m| m.code.action() == action).collect();
        let Some(first) = lines.first() else { continue };
        let own = Cents::checked_sum(lines.iter().map(|m| m.own_contribution));
        let mut years: BTreeSet<u16> = BTreeSet::new();
        for m in &lines {
            years.extend(m.grant_per_year.iter().map(|(y, _)| *y));
        }
        let grant = years
            .iter()
            .map(|y| {
                Cents::checked_sum(lines.iter().map(|m| {
                    m.grant_per_year
                        .iter()
                        .find(|(year, _)| year == y)
                        .map_or(Cents::ZERO, |(_, g)| *g)
                }))
            })
            .try_fold(Cents::ZERO, |acc, g| g.map(|g| acc.max(g)));
        let field = FieldRef::action(Section::Budget, first.code, Some(Field::OwnContribution));
        let (Some(own), Some(grant)) = (own, grant) else {
            results.push(
                RuleResult::new(
                    RuleId::ActionCofinancing,
                    Outcome::Warning,
                    format!("De verwachte eigen inbreng voor actie {action} kan niet berekend worden: de bedragen zijn te groot."),
                )
                .at(field),
            );
            continue;
        };
        let facts = vec![
            Fact::Amount {
                label: AmountLabel::Grant,
                cents: grant,
            },
            Fact::Amount {
                label: AmountLabel::OwnContribution,
                cents: own,
            },
        ];
        let result = match (
            call.required_own_contribution(grant),
            call.own_contribution_suffices(grant, own),
        ) {
            (Some(expected), Some(true)) => RuleResult::new(
                RuleId::ActionCofinancing,
                Outcome::Pass,
                format!(
                    "Uw eigen inbreng voor actie {action} ({own}) is minstens de verwachte {expected}: {rate} cofinanciering bij een bijdrage van Vlaanderen van {grant}."
                ),
            )
            .with_facts(vec![Fact::Amount {
                label: AmountLabel::RequiredOwnContribution,
                cents: expected,
            }]),
            (Some(expected), Some(false)) => RuleResult::new(
                RuleId::ActionCofinancing,
                Outcome::Warning,
                format!(
                    "Voor actie {action} wordt verwacht dat u evenveel inbrengt als Vlaanderen bijdraagt: {expected} ({rate} cofinanciering bij {grant}); u vult {own} in. Dit blokkeert het indienen niet, zolang uw eigen inbreng over het hele dossier per projectjaar volstaat."
                ),
            )
            .with_facts(vec![Fact::Amount {
                label: AmountLabel::RequiredOwnContribution,
                cents: expected,
            }]),
            _ => RuleResult::new(
                RuleId::ActionCofinancing,
                Outcome::Warning,
                "De oproep vraagt 100% eigen inbreng; de verwachte eigen inbreng per actie kan niet berekend worden.",
            ),
        };
        results.push(result.with_facts(facts).at(field));
    }
}

fn check_kpis(call: &CallRules, action: &ActionDraft, results: &mut Vec<RuleResult>) {
    let code = action.code;
    if action.kpis.is_empty() {
        results.push(
            RuleResult::new(
                RuleId::KpiPresent,
                Outcome::Fail,
                format!("Actie {code} heeft nog geen KPI: voeg minstens één meetbare KPI toe."),
            )
            .at(FieldRef::action(Section::Kpis, code, None)),
        );
        return;
    }
    results.push(
        RuleResult::new(
            RuleId::KpiPresent,
            Outcome::Pass,
            format!(
                "Actie {code} heeft {} {}.",
                action.kpis.len(),
                if action.kpis.len() == 1 {
                    "KPI"
                } else {
                    "KPI's"
                }
            ),
        )
        .at(FieldRef::action(Section::Kpis, code, None)),
    );
    for (index, kpi) in action.kpis.iter().enumerate() {
        let number = index + 1;
        let label = if kpi.indicator.trim().is_empty() {
            format!("KPI {number} van actie {code}")
        } else {
            format!("KPI {number} van actie {code} ('{}')", kpi.indicator.trim())
        };

        let mut missing: Vec<(&str, Field)> = Vec::new();
        if kpi.indicator.trim().is_empty() {
            missing.push(("een indicator", Field::KpiIndicator));
        }
        if kpi.unit.trim().is_empty() {
            missing.push(("een eenheid", Field::KpiUnit));
        }
        if kpi.baseline.is_none() {
            missing.push(("een nulmeting", Field::KpiBaseline));
        }
        if kpi.measurement.trim().is_empty() {
            missing.push(("hoe ze gemeten wordt", Field::KpiMeasurement));
        }
        results.push(match missing.first() {
            Some((_, field)) => {
                let names: Vec<&str> = missing.iter().map(|(n, _)| *n).collect();
                RuleResult::new(
                    RuleId::KpiComplete,
                    Outcome::Fail,
                    format!("{label} mist nog {}.", join_names(&names)),
                )
                .at(FieldRef::kpi(code, index, Some(*field)))
            }
            None => RuleResult::new(
                RuleId::KpiComplete,
                Outcome::Pass,
                format!("{label} heeft een indicator, een eenheid ({}), een nulmeting en een meetmethode.", kpi.unit.trim()),
            )
            .at(FieldRef::kpi(code, index, None)),
        });

        let target_field = FieldRef::kpi(code, index, Some(Field::KpiTarget));
        let baseline = kpi.baseline.unwrap_or_default();
        results.push(match kpi.target {
            None => RuleResult::new(
                RuleId::KpiTarget,
                Outcome::Fail,
                format!("{label} heeft nog geen numerieke streefwaarde."),
            ),
            Some(target) if !kpi.direction.improves(baseline, target) => RuleResult::new(
                RuleId::KpiTarget,
                Outcome::Fail,
                format!(
                    "{label} moet {}: de streefwaarde ({target}) moet {} liggen dan de nulmeting ({baseline}).",
                    kpi.direction.label(),
                    kpi.direction.comparative()
                ),
            ),
            Some(target) => RuleResult::new(
                RuleId::KpiTarget,
                Outcome::Pass,
                format!(
                    "De streefwaarde van {label} ({target}) ligt {} dan de nulmeting ({baseline}).",
                    kpi.direction.comparative()
                ),
            ),
        }
        .at(target_field));

        let date_field = FieldRef::kpi(code, index, Some(Field::KpiTargetDate));
        let period = Fact::Period {
            start: call.period_start,
            end: call.period_end,
        };
        results.push(
            match kpi.target_date {
                None => RuleResult::new(
                    RuleId::KpiDate,
                    Outcome::Fail,
                    format!(
                        "{label} heeft nog geen datum waarop de streefwaarde bereikt moet zijn."
                    ),
                ),
                Some(date) if !call.contains_date(date) => RuleResult::new(
                    RuleId::KpiDate,
                    Outcome::Fail,
                    format!(
                        "De datum van {label} ({}) ligt buiten de oproepperiode ({} tot {}).",
                        format_date(date),
                        format_date(call.period_start),
                        format_date(call.period_end)
                    ),
                )
                .with_facts(vec![Fact::Date { date }]),
                Some(date) => RuleResult::new(
                    RuleId::KpiDate,
                    Outcome::Pass,
                    format!(
                        "De datum van {label} ({}) ligt binnen de oproepperiode.",
                        format_date(date)
                    ),
                )
                .with_facts(vec![Fact::Date { date }]),
            }
            .with_facts(vec![period])
            .at(date_field),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::CallAction;
    use crate::domain::call::tests::sample_call;
    use crate::domain::figures::tests::town;

    fn nis(code: u32) -> NisCode {
        NisCode::new(code).unwrap()
    }

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn directory() -> Directory {
        Directory::new(vec![
            town(44_021, "Gent", "R13", 71_234, 262_219),
            town(46_025, "Sint-Niklaas", "R14", 12_000, 78_000),
            town(46_029, "Lokeren", "R14", 3_500, 20_000),
            town(46_003, "Beveren", "R14", 4_000, 48_000),
            town(46_021, "Temse", "R14", 2_000, 12_000),
        ])
        .unwrap()
    }

    fn kpi() -> KpiDraft {
        KpiDraft {
            indicator: "Aantal jongeren in een jeugdbeweging".to_owned(),
            unit: "jongeren".to_owned(),
            baseline: Some(KpiValue::whole(20)),
            target: Some(KpiValue::whole(35)),
            target_date: Some(date(2023, 9, 30)),
            measurement: "Ledenlijsten van de jeugdbewegingen".to_owned(),
            direction: KpiDirection::Rising,
        }
    }

    fn action(code: &str, priority: u32, planned: u32, own_euros: i64) -> ActionDraft {
        ActionDraft {
            code: ActionCode::parse(code).unwrap(),
            priority,
            baseline_reach: Reach::new(0),
            planned_reach: Reach::new(planned),
            own_contribution: Cents::from_euros(own_euros).unwrap(),
            own_staff: Cents::ZERO,
            kpis: vec![kpi()],
        }
    }

    /// Gent alone, project year 1, actions 2.1 (3 × 25,000) and 1.4 (2 × 12,500).
    fn good_draft() -> ApplicationDraft {
        ApplicationDraft {
            reference: None,
            applicant: Applicant::Single {
                nis_code: nis(44_021),
            },
            project_years: vec![1],
            actions: vec![action("2.1", 1, 3, 75_000), action("1.4", 2, 2, 25_000)],
        }
    }

    fn check(draft: &ApplicationDraft) -> ApplicationReport {
        check_application(&sample_call(), &directory(), &Taken::new(), draft)
    }

    fn failing(report: &ApplicationReport, rule: RuleId) -> Vec<&RuleResult> {
        report
            .results
            .iter()
            .filter(|r| r.rule == rule && r.outcome == Outcome::Fail)
            .collect()
    }

    #[test]
    fn a_complete_application_of_gent_can_be_submitted() {
        let report = check(&good_draft());
        let blocking: Vec<&str> = report.blocking().map(|r| r.message.as_str()).collect();
        assert!(report.can_submit, "{blocking:?}");
        assert_eq!(report.total_grant, Cents::from_euros(100_000).unwrap());
        assert_eq!(
            report.total_own_contribution,
            Cents::from_euros(100_000).unwrap()
        );
        assert_eq!(report.incentive_per_project_year, Cents::ZERO);
        assert_eq!(report.grant_in(1), Cents::from_euros(100_000).unwrap());
        assert_eq!(report.grant_in(2), Cents::ZERO);
        let grant = report
            .results
            .iter()
            .find(|r| r.rule == RuleId::ActionGrant)
            .map(|r| r.message.clone());
        assert_eq!(
            grant.as_deref(),
            Some("Subsidie voor actie 2.1: 3 × € 25.000,00 = € 75.000,00 per projectjaar.")
        );
    }

    #[test]
    fn an_action_outside_the_call_is_refused_where_it_was_chosen() {
        let mut draft = good_draft();
        draft.actions[1].code = ActionCode::parse("6.1").unwrap();
        let report = check(&draft);
        let fails = failing(&report, RuleId::ActionEligible);
        assert_eq!(fails.len(), 1);
        assert_eq!(
            fails[0].field.map(|f| f.anchor()),
            Some("action-6-1-action_code".to_owned())
        );
        assert!(!report.can_submit);
    }

    #[test]
    fn priority_ranks_must_be_unique_and_contiguous() {
        let table: [(&[u32], bool); 6] = [
            (&[1, 2], true),
            (&[2, 1], true),
            (&[1, 1], false),
            (&[1, 3], false),
            (&[0, 1], false),
            (&[2, 3], false),
        ];
        for (ranks, ok) in table {
            let mut draft = good_draft();
            for (a, r) in draft.actions.iter_mut().zip(ranks) {
                a.priority = *r;
            }
            let report = check(&draft);
            assert_eq!(
                failing(&report, RuleId::ApplicationPriority).is_empty(),
                ok,
                "{ranks:?}"
            );
        }
        let mut draft = good_draft();
        draft.actions[1].priority = 1;
        let report = check(&draft);
        let fail = failing(&report, RuleId::ApplicationPriority);
        assert!(
            fail[0].message.contains("prioriteit 1 komt 2 keer voor"),
            "{}",
            fail[0].message
        );
        assert!(
            fail[0].message.contains("prioriteit 2 komt niet voor"),
            "{}",
            fail[0].message
        );
        assert_eq!(fail[0].field.and_then(|f| f.field), Some(Field::Priority));
    }

    #[test]
    fn planned_reach_above_the_maximum_blocks_and_the_grant_is_capped() {
        let mut draft = good_draft();
        draft.actions[0].planned_reach = Reach::new(5); // maximum 3
        let report = check(&draft);
        assert_eq!(failing(&report, RuleId::ActionReach).len(), 1);
        assert_eq!(report.actions[0].granted_reach, Reach::new(3));
        assert_eq!(
            report.actions[0].grant_in(1),
            Cents::from_euros(75_000).unwrap()
        );
        assert!(!report.can_submit);
    }

    #[test]
    fn a_planned_reach_of_zero_blocks() {
        let mut draft = good_draft();
        draft.actions[0].planned_reach = Reach::ZERO;
        assert_eq!(failing(&check(&draft), RuleId::ActionReach).len(), 1);
    }

    #[test]
    fn the_own_share_of_the_whole_dossier_must_match_the_grant_to_the_cent() {
        // 2.1: 75,000 and 1.4: 25,000 of grant; 100,000 of own share is needed in all.
        let table = [
            ((7_500_000, 2_500_000), true),
            ((7_499_999, 2_500_000), false),
            ((0, 10_000_000), true),
            ((10_000_000, 0), true),
        ];
        for ((first, second), ok) in table {
            let mut draft = good_draft();
            draft.actions[0].own_contribution = Cents::new(first).unwrap();
            draft.actions[1].own_contribution = Cents::new(second).unwrap();
            let report = check(&draft);
            assert_eq!(
                failing(&report, RuleId::TotalCofinancing).is_empty(),
                ok,
                "{first} + {second}"
            );
            assert_eq!(report.can_submit, ok, "{first} + {second}");
            assert!(
                failing(&report, RuleId::ActionCofinancing).is_empty(),
                "an action's own share never blocks"
            );
        }
    }

    #[test]
    fn an_action_with_less_own_share_than_expected_gets_a_warning_not_a_block() {
        let mut draft = good_draft();
        draft.actions[0].own_contribution = Cents::from_euros(50_000).unwrap();
        draft.actions[1].own_contribution = Cents::from_euros(50_000).unwrap();
        let report = check(&draft);
        assert!(report.can_submit, "the dossier as a whole is co-financed");
        let warnings: Vec<&RuleResult> = report
            .results
            .iter()
            .filter(|r| r.rule == RuleId::ActionCofinancing && r.outcome == Outcome::Warning)
            .collect();
        assert_eq!(warnings.len(), 1);
        assert!(
            warnings[0].message.contains("€ 75.000,00") && warnings[0].message.contains("verwacht"),
            "{}",
            warnings[0].message
        );
        assert_eq!(
            warnings[0].field.map(|f| f.anchor()),
            Some("action-2-1-own_contribution".to_owned())
        );
    }

    #[test]
    fn staff_time_counts_as_own_share_like_money() {
        let mut draft = good_draft();
        draft.actions[0].own_contribution = Cents::ZERO;
        draft.actions[0].own_staff = Cents::from_euros(75_000).unwrap();
        let report = check(&draft);
        assert!(report.can_submit);
        assert_eq!(
            report.actions[0].own_contribution,
            Cents::from_euros(75_000).unwrap()
        );
    }

    #[test]
    fn the_lines_of_one_action_share_its_expected_own_share() {
        let mut call = sample_call();
        let lines: Vec<CallAction> = call
            .actions
            .iter()
            .filter(|a| a.code == ActionCode::parse("1.4").unwrap())
            .flat_map(|a| {
                [1, 2].map(|n| CallAction {
                    code: a.code.with_line(n).unwrap(),
                    ..a.clone()
                })
            })
            .collect();
        call.actions.extend(lines);
        let mut draft = good_draft();
        draft.actions = vec![
            action("1.4a", 1, 2, 25_000),
            action("1.4b", 2, 2, 0),
            action("2.1", 3, 1, 25_000),
        ];
        let report = check_application(&call, &directory(), &Taken::new(), &draft);
        let warnings: Vec<&RuleResult> = report
            .results
            .iter()
            .filter(|r| r.rule == RuleId::ActionCofinancing && r.outcome == Outcome::Warning)
            .collect();
        assert_eq!(
            warnings.len(),
            1,
            "one warning for action 1.4, none per line"
        );
        assert!(
            warnings[0].message.starts_with("Voor actie 1.4 "),
            "{}",
            warnings[0].message
        );
        assert!(
            !report.can_submit,
            "50,000 of own share for 75,000 of grant"
        );
    }

    #[test]
    fn a_falling_kpi_passes_with_a_target_below_its_baseline() {
        let mut draft = good_draft();
        let kpi = &mut draft.actions[1].kpis[0];
        kpi.direction = KpiDirection::Falling;
        kpi.baseline = Some(KpiValue::whole(40));
        kpi.target = Some(KpiValue::whole(25));
        let report = check(&draft);
        assert!(failing(&report, RuleId::KpiTarget).is_empty());
        assert!(report.can_submit);
    }

    #[test]
    fn every_action_needs_a_complete_kpi_with_a_higher_target_inside_the_call() {
        let mut draft = good_draft();
        draft.actions[0].kpis.clear();
        assert_eq!(failing(&check(&draft), RuleId::KpiPresent).len(), 1);

        type Spoil = fn(&mut KpiDraft);
        let cases: [(Spoil, RuleId); 9] = [
            (|k| k.target = None, RuleId::KpiTarget),
            (|k| k.direction = KpiDirection::Falling, RuleId::KpiTarget),
            (|k| k.target = Some(KpiValue::whole(20)), RuleId::KpiTarget),
            (|k| k.target = Some(KpiValue::whole(19)), RuleId::KpiTarget),
            (|k| k.target_date = None, RuleId::KpiDate),
            (
                |k| k.target_date = NaiveDate::from_ymd_opt(2025, 10, 1),
                RuleId::KpiDate,
            ),
            (
                |k| k.target_date = NaiveDate::from_ymd_opt(2022, 9, 30),
                RuleId::KpiDate,
            ),
            (|k| k.unit = "  ".to_owned(), RuleId::KpiComplete),
            (|k| k.measurement = String::new(), RuleId::KpiComplete),
        ];
        for (spoil, rule) in cases {
            let mut draft = good_draft();
            spoil(&mut draft.actions[1].kpis[0]);
            let report = check(&draft);
            let fails = failing(&report, rule);
            assert_eq!(fails.len(), 1, "{rule}");
            assert_eq!(fails[0].field.map(|f| f.section), Some(Section::Kpis));
            assert_eq!(
                fails[0].field.and_then(|f| f.action),
                Some(ActionCode::new(1, 4))
            );
            assert!(!report.can_submit);
        }
        let mut draft = good_draft();
        draft.actions[1].kpis[0].target_date = NaiveDate::from_ymd_opt(2025, 9, 30);
        draft.actions[1].kpis[0].target = Some(KpiValue::from_thousandths(20_001));
        assert!(check(&draft).can_submit);
    }

    #[test]
    fn a_cooperation_earns_the_incentive_without_co_financing() {
        let draft = ApplicationDraft {
            reference: None,
            applicant: Applicant::Cooperation {
                lead: nis(46_025),
                members: vec![nis(46_025), nis(46_029)],
            },
            project_years: vec![1, 2],
            actions: vec![action("2.2", 1, 2, 25_000)],
        };
        let report = check(&draft);
        assert!(
            report.can_submit,
            "{:?}",
            report.blocking().map(|r| &r.message).collect::<Vec<_>>()
        );
        assert_eq!(
            report.incentive_per_project_year,
            Cents::from_euros(10_000).unwrap()
        );
        // 2 years × 25,000 for the action + 2 × 10,000 incentive; own contribution only 50,000.
        assert_eq!(report.total_grant, Cents::from_euros(70_000).unwrap());
        assert_eq!(
            report.total_own_contribution,
            Cents::from_euros(50_000).unwrap()
        );
        assert_eq!(report.grant_in(2), Cents::from_euros(35_000).unwrap());
        let incentive = report
            .results
            .iter()
            .find(|r| r.rule == RuleId::ApplicationIncentive);
        assert!(
            incentive
                .is_some_and(|r| r.outcome == Outcome::Pass && r.message.contains("€ 20.000,00"))
        );
    }

    #[test]
    fn a_cooperation_without_incentive_gets_a_warning_not_a_block() {
        let draft = ApplicationDraft {
            reference: None,
            applicant: Applicant::Cooperation {
                lead: nis(46_025),
                members: vec![nis(46_025), nis(46_003)],
            },
            project_years: vec![1],
            actions: vec![action("2.2", 1, 2, 25_000)],
        };
        let report = check(&draft);
        assert!(report.can_submit);
        assert_eq!(report.incentive_per_project_year, Cents::ZERO);
        assert!(
            report
                .warnings()
                .any(|r| r.rule == RuleId::ApplicationIncentive)
        );
    }

    #[test]
    fn a_small_municipality_cannot_apply_alone() {
        let mut draft = good_draft();
        draft.applicant = Applicant::Single {
            nis_code: nis(46_029),
        };
        let report = check(&draft);
        assert!(!report.can_submit);
        assert_eq!(failing(&report, RuleId::SingleThreshold).len(), 1);
        assert!(report.in_section(Section::Applicant).any(|r| r.blocking));
    }

    #[test]
    fn unknown_municipalities_and_project_years_are_refused() {
        let mut draft = good_draft();
        draft.applicant = Applicant::Cooperation {
            lead: nis(46_025),
            members: vec![nis(46_025), nis(99_999)],
        };
        draft.project_years = vec![1, 4, 1];
        let report = check(&draft);
        assert_eq!(failing(&report, RuleId::ApplicationApplicant).len(), 1);
        let years = failing(&report, RuleId::ApplicationProjectYears);
        assert!(
            years[0].message.contains("Projectjaar 4 bestaat niet"),
            "{}",
            years[0].message
        );
        assert!(
            years[0].message.contains("twee keer"),
            "{}",
            years[0].message
        );
        let mut none = good_draft();
        none.project_years.clear();
        assert_eq!(
            failing(&check(&none), RuleId::ApplicationProjectYears).len(),
            1
        );
    }

    #[test]
    fn re_checking_a_stored_application_does_not_count_its_own_members_as_taken() {
        let mut taken = Taken::new();
        taken.insert(nis(44_021), "PS-1").unwrap();
        let mut draft = good_draft();
        let call = sample_call();
        let dir = directory();
        assert!(!check_application(&call, &dir, &taken, &draft).can_submit);
        draft.reference = Some("PS-1".to_owned());
        assert!(check_application(&call, &dir, &taken, &draft).can_submit);
    }

    #[test]
    fn duplicate_actions_and_empty_applications_are_refused() {
        let mut draft = good_draft();
        draft.actions[1].code = draft.actions[0].code;
        assert_eq!(failing(&check(&draft), RuleId::ApplicationActions).len(), 1);
        let mut empty = good_draft();
        empty.actions.clear();
        let report = check(&empty);
        assert_eq!(failing(&report, RuleId::ApplicationActions).len(), 1);
        assert!(!report.can_submit);
    }

    #[test]
    fn unit_costs_per_project_year_change_the_grant_of_that_year() {
        let mut call = sample_call();
        let code = ActionCode::parse("1.4").unwrap();
        if let Some(a) = call.actions.iter_mut().find(|a| a.code == code) {
            a.unit_cost_cents_by_project_year
                .insert(2, Cents::from_euros(25_000).unwrap());
        }
        let mut draft = good_draft();
        draft.project_years = vec![1, 2];
        let report = check_application(&call, &directory(), &Taken::new(), &draft);
        let money = report.actions.iter().find(|a| a.code == code).unwrap();
        assert_eq!(money.grant_in(1), Cents::from_euros(25_000).unwrap());
        assert_eq!(money.grant_in(2), Cents::from_euros(50_000).unwrap());
        // An own share of 100,000 per year covers year 1 (100,000) but not year 2 (125,000).
        assert!(!report.can_submit);
        let fail = failing(&report, RuleId::TotalCofinancing);
        assert!(
            fail[0]
                .message
                .contains("in projectjaar 2 is € 100.000,00 minder dan de vereiste € 125.000,00"),
            "{}",
            fail[0].message
        );
        assert!(
            !fail[0].message.contains("projectjaar 1 "),
            "{}",
            fail[0].message
        );
    }

    #[test]
    fn a_partner_organisation_applies_under_its_agreement() {
        let mut draft = good_draft();
        draft.applicant = Applicant::Partner {
            code: "VGC".to_owned(),
        };
        assert!(check(&draft).can_submit);
        draft.applicant = Applicant::Partner {
            code: "NOPE".to_owned(),
        };
        assert!(!check(&draft).can_submit);
    }
}
