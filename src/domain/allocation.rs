//! Allocation under over-subscription: who gets what of a project year's budget envelope.
//!
//! The procedure, deterministic and in integer cents:
//! 0. **Separate agreements before everything.** A partner organisation (VGC, vzw De Rand)
//!    whose separate agreement with the Flemish government the call's data attaches gets the
//!    agreement's amount per project year, never more than it asked, off the envelope before
//!    anything else: it takes no part in the incentives or the ranks (and so no longer gets
//!    nothing when a rank is shared for want of residents to weigh). Inside its request the
//!    amount covers an incentive first (partners have none in practice), then its actions by its
//!    own priority. When the envelope is smaller than the agreements together, the envelope is
//!    shared among them in proportion to their agreements' amounts (capped at what each asked,
//!    largest remainders), and nothing is left for anyone else. A partner organisation without
//!    an agreement in the call takes part in steps 1-3 like any applicant, with weight 0
//!    ([`without_agreement_note`]).
//! 1. **Incentives first.** They are fixed amounts per project year for cooperations that earn
//!    them, so they come off the envelope before any action. (If even the incentives do not fit,
//!    they are shared like a rank, see step 3.)
//! 2. **By priority rank across applicants.** All rank-1 actions of all applications, then all
//!    rank-2 actions, and so on. A rank that fits in what is left is funded in full.
//! 3. **Sharing a rank that does not fit.** What is left is shared in proportion to the
//!    applicants' residents of non-EU15 origin (for a cooperation: the sum of its members),
//!    never more than an applicant asked: whoever would get more than asked gets exactly what
//!    was asked and the surplus is shared among the others of that rank again (water-filling).
//!    The final shares are rounded down to the cent and the leftover cents go, one each, to the
//!    largest remainders; equal remainders go by application reference (ascending). When all
//!    remaining applicants have weight 0, they share equally. After such a rank the envelope is
//!    empty, so no later rank gets money while an earlier rank is unfunded.
//!
//! Applications are processed in order of their reference, so the input order never matters.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::call::CallRules;
use super::checks::ApplicationReport;
use super::dutch::{format_count, format_share};
use super::figures::Municipality;
use super::money::{Cents, sum_cents};
use super::types::ActionCode;

/// One action's request in an allocation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestedAction {
    /// The action.
    pub code: ActionCode,
    /// Its priority rank within the application (1 first).
    pub rank: u32,
    /// The grant asked for this project year.
    pub amount: Cents,
}

/// One submitted application's request for a project year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AllocationRequest {
    /// Unique reference of the application (also the stable tie-break).
    pub reference: String,
    /// Name shown (municipality or cooperation).
    pub applicant_name: String,
    /// Residents of non-EU15 origin of the applicant (cooperation: sum of members).
    pub weight: u64,
    /// The incentive for this project year (zero when not earned).
    pub incentive: Cents,
    /// The actions asked for.
    pub actions: Vec<RequestedAction>,
    /// The separate agreement the request is funded under (a partner organisation whose
    /// agreement the call's data attaches); `None` for everyone else, who take part in the
    /// allocation by priority.
    #[serde(default)]
    pub agreement: Option<Agreement>,
}

/// A partner organisation's separate agreement with the Flemish government (VGC, vzw De Rand)
/// as a call's data attaches it: what the partner gets per project year is the agreement's
/// amount, outside the allocation by priority.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Agreement {
    /// The amount per project year.
    pub amount: Cents,
    /// The amount is not from a published source.
    pub illustrative: bool,
}

impl AllocationRequest {
    /// Builds the request of a checked application for one project year.
    pub fn from_report(
        reference: &str,
        applicant_name: &str,
        weight: u64,
        report: &ApplicationReport,
        project_year: u16,
    ) -> Self {
        Self {
            reference: reference.to_owned(),
            applicant_name: applicant_name.to_owned(),
            weight,
            incentive: report.incentive_per_project_year,
            actions: report
                .actions
                .iter()
                .map(|a| RequestedAction {
                    code: a.code,
                    rank: a.priority,
                    amount: a.grant_in(project_year),
                })
                .collect(),
            agreement: None,
        }
    }

    /// The same request funded under `agreement` (when there is one).
    #[must_use]
    pub fn under_agreement(mut self, agreement: Option<Agreement>) -> Self {
        self.agreement = agreement;
        self
    }
}

/// The weight of an applicant: the sum of its members' non-EU15 residents in the call's
/// reference year. `None` when a figure is missing (the caller decides; weight 0 is the
/// cautious choice).
pub fn allocation_weight(call: &CallRules, members: &[&Municipality]) -> Option<u64> {
    members.iter().try_fold(0u64, |acc, m| {
        m.non_eu15_in(call.reference_year)
            .found()
            .map(|f| acc.saturating_add(f.value))
    })
}

/// Why an allocation could not be computed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AllocationError {
    /// Two applications share a reference.
    #[error("De referentie {0} komt twee keer voor.")]
    DuplicateReference(String),
    /// An application gives the same rank to two actions.
    #[error("Aanvraag {reference} geeft prioriteit {rank} aan meer dan één actie.")]
    DuplicateRank {
        /// The application.
        reference: String,
        /// The rank.
        rank: u32,
    },
    /// Amounts too large to add up.
    #[error("De gevraagde bedragen zijn te groot om op te tellen.")]
    Overflow,
}

/// How much of a request was funded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Funding {
    /// Everything asked.
    Full,
    /// Part of it.
    Partial,
    /// Nothing.
    None,
}

/// The outcome for one action.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ActionAllocation {
    /// The action.
    pub code: ActionCode,
    /// Its rank.
    pub rank: u32,
    /// Asked.
    pub requested: Cents,
    /// Granted.
    pub granted: Cents,
    /// Full, partial or none.
    pub funding: Funding,
    /// Dutch reason.
    pub reason: String,
}

/// The outcome for one application.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ApplicationAllocation {
    /// Reference.
    pub reference: String,
    /// Name.
    pub applicant_name: String,
    /// Weight used for sharing.
    pub weight: u64,
    /// The separate agreement it was funded under, outside the ranks.
    pub agreement: Option<Agreement>,
    /// Incentive asked.
    pub incentive_requested: Cents,
    /// Incentive granted.
    pub incentive_granted: Cents,
    /// Dutch reason for the incentive (empty when none was asked).
    pub incentive_reason: String,
    /// Per action, by rank.
    pub actions: Vec<ActionAllocation>,
    /// Total asked (actions and incentive).
    pub requested: Cents,
    /// Total granted (actions and incentive).
    pub granted: Cents,
}

/// Per rank: asked, granted, and whether the rank was funded in full.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct RankOutcome {
    /// The rank.
    pub rank: u32,
    /// Asked at this rank.
    pub requested: Cents,
    /// Granted at this rank.
    pub granted: Cents,
    /// Funded in full.
    pub fully_funded: bool,
}

/// A proposed allocation of one envelope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Allocation {
    /// The envelope.
    pub envelope: Cents,
    /// Total asked.
    pub requested: Cents,
    /// Total granted (never more than the envelope).
    pub granted: Cents,
    /// Incentives granted.
    pub incentives_granted: Cents,
    /// Granted under separate agreements, off the envelope before anything else.
    pub agreements_granted: Cents,
    /// Left in the envelope.
    pub unallocated: Cents,
    /// Per application, by reference.
    pub applications: Vec<ApplicationAllocation>,
    /// Per rank, ascending.
    pub ranks: Vec<RankOutcome>,
    /// Dutch summary.
    pub summary: String,
}

/// One claim in a sharing round.
struct Claim {
    weight: u64,
    need: i64,
}

/// Shares `budget` over `claims` in proportion to weight, capped at need, leftover cents by
/// largest remainder; ties go to the earlier claim (claims are in reference order). Returns the
/// amount per claim. The total never exceeds `budget`, no claim gets more than its need.
fn share_out(budget: i64, claims: &[Claim]) -> Vec<i64> {
    let mut given = vec![0i64; claims.len()];
    let mut budget = budget.max(0);
    let mut active: Vec<usize> = (0..claims.len())
        .filter(|i| claims.get(*i).is_some_and(|c| c.need > 0))
        .collect();
    while !active.is_empty() && budget > 0 {
        let total_weight: u128 = active
            .iter()
            .filter_map(|i| claims.get(*i))
            .map(|c| u128::from(c.weight))
            .sum();
        let equal = total_weight == 0;
        let weight_of = |c: &Claim| if equal { 1u128 } else { u128::from(c.weight) };
        let denominator = if equal {
            u128::try_from(active.len()).unwrap_or(1)
        } else {
            total_weight
        };
        let budget_u = u128::try_from(budget).unwrap_or(0);
        // Whoever's proportional share covers the need gets the need. `budget × weight` fits
        // in u128 (< 2^63 × 2^64), and `need ≤ ⌊budget × weight / total⌋` is exactly
        // `need × total ≤ budget × weight` for integers, without the overflow of the latter.
        let (capped, rest): (Vec<usize>, Vec<usize>) = active.iter().partition(|i| {
            claims.get(**i).is_some_and(|c| {
                u128::try_from(c.need).unwrap_or(0) <= budget_u * weight_of(c) / denominator
            })
        });
        if !capped.is_empty() {
            for i in &capped {
                if let (Some(c), Some(g)) = (claims.get(*i), given.get_mut(*i)) {
                    *g = c.need;
                    budget -= c.need;
                }
            }
            active = rest;
            continue;
        }
        // Nobody is capped: floor shares plus largest remainders.
        let mut shares: Vec<(usize, u128, u128)> = active
            .iter()
            .filter_map(|i| claims.get(*i).map(|c| (*i, c)))
            .map(|(i, c)| {
                let product = budget_u * weight_of(c);
                (i, product / denominator, product % denominator)
            })
            .collect();
        let floors: u128 = shares.iter().map(|(_, f, _)| *f).sum();
        let mut leftover = budget_u.saturating_sub(floors);
        shares.sort_by(|a, b| b.2.cmp(&a.2).then_with(|| a.0.cmp(&b.0)));
        for (i, floor, remainder) in shares {
            let mut amount = floor;
            if leftover > 0 && remainder > 0 {
                amount += 1;
                leftover -= 1;
            }
            if let Some(g) = given.get_mut(i) {
                *g = i64::try_from(amount).unwrap_or(0);
            }
        }
        break;
    }
    given
}

/// Proposes grants for one envelope and the submitted applications of that project year.
pub fn allocate(
    envelope: Cents,
    requests: &[AllocationRequest],
) -> Result<Allocation, AllocationError> {
    let mut sorted: Vec<&AllocationRequest> = requests.iter().collect();
    sorted.sort_by(|a, b| a.reference.cmp(&b.reference));
    for pair in sorted.windows(2) {
        if let [a, b] = pair
            && a.reference == b.reference
        {
            return Err(AllocationError::DuplicateReference(a.reference.clone()));
        }
    }
    for request in &sorted {
        let mut ranks = BTreeSet::new();
        for action in &request.actions {
            if !ranks.insert(action.rank) {
                return Err(AllocationError::DuplicateRank {
                    reference: request.reference.clone(),
                    rank: action.rank,
                });
            }
        }
    }
    let requested_total = sorted
        .iter()
        .flat_map(|r| r.actions.iter().map(|a| a.amount).chain([r.incentive]))
        .try_fold(Cents::ZERO, |acc, c| acc.checked_add(c))
        .ok_or(AllocationError::Overflow)?;

    let mut applications: Vec<ApplicationAllocation> = sorted
        .iter()
        .map(|r| ApplicationAllocation {
            reference: r.reference.clone(),
            applicant_name: r.applicant_name.clone(),
            weight: r.weight,
            agreement: r.agreement.clone(),
            incentive_requested: r.incentive,
            incentive_granted: Cents::ZERO,
            incentive_reason: String::new(),
            actions: Vec::new(),
            requested: Cents::ZERO,
            granted: Cents::ZERO,
        })
        .collect();

    // 0. Separate agreements.
    let agreements = reserve_agreements(envelope, &sorted, &mut applications);
    let mut remaining = envelope.get().saturating_sub(agreements.granted.get());

    // 1. Incentives.
    let incentive_claims: Vec<Claim> = sorted
        .iter()
        .map(|r| Claim {
            weight: r.weight,
            need: if r.agreement.is_some() {
                0
            } else {
                r.incentive.get()
            },
        })
        .collect();
    let incentive_total: i64 = sum_cents(incentive_claims.iter().map(|c| c.need));
    let before_incentives = remaining;
    let incentives_fit = incentive_total <= remaining;
    let incentive_given = if incentives_fit {
        incentive_claims.iter().map(|c| c.need).collect()
    } else {
        share_out(remaining, &incentive_claims)
    };
    for (app, (claim, given)) in applications
        .iter_mut()
        .zip(incentive_claims.iter().zip(&incentive_given))
    {
        if claim.need == 0 {
            continue;
        }
        app.incentive_granted = Cents::new(*given).unwrap_or(Cents::ZERO);
        app.incentive_reason = if *given == claim.need {
            "De incentive is volledig toegekend: incentives gaan als vaste bedragen eerst van de enveloppe af.".to_owned()
        } else if before_incentives == 0 && !agreements.fit {
            format!("Niet toegekend: {AGREEMENTS_TOOK_ALL}")
        } else if agreements.granted > Cents::ZERO {
            format!(
                "De incentives pasten niet volledig in wat na de aparte overeenkomsten van de enveloppe overbleef ({}); ze werden verdeeld naar rato van het aantal inwoners van niet-EU15-herkomst.",
                cents(before_incentives)
            )
        } else {
            format!(
                "De incentives pasten niet volledig in de enveloppe ({}); ze werden verdeeld naar rato van het aantal inwoners van niet-EU15-herkomst.",
                envelope
            )
        };
        remaining -= *given;
    }

    // 2-3. Actions by rank, of every request not funded under an agreement.
    let mut by_rank: BTreeMap<u32, Vec<(usize, &RequestedAction)>> = BTreeMap::new();
    for (index, request) in sorted.iter().enumerate() {
        if request.agreement.is_some() {
            continue;
        }
        for action in &request.actions {
            by_rank
                .entry(action.rank)
                .or_default()
                .push((index, action));
        }
    }
    let mut ranks = Vec::with_capacity(by_rank.len());
    let mut exhausted = if !agreements.fit {
        Exhausted::ByAgreements
    } else if !incentives_fit {
        Exhausted::ByIncentives
    } else {
        Exhausted::Not
    };
    for (rank, entries) in &by_rank {
        let asked: i64 = sum_cents(entries.iter().map(|(_, a)| a.amount.get()));
        let claims: Vec<Claim> = entries
            .iter()
            .map(|(i, a)| Claim {
                weight: sorted.get(*i).map_or(0, |r| r.weight),
                need: a.amount.get(),
            })
            .collect();
        let before = remaining;
        let fits = asked <= remaining;
        let given: Vec<i64> = if fits {
            claims.iter().map(|c| c.need).collect()
        } else {
            share_out(remaining, &claims)
        };
        let shared_weight: u64 = claims
            .iter()
            .filter(|c| c.need > 0)
            .fold(0u64, |acc, c| acc.saturating_add(c.weight));
        for ((index, action), amount) in entries.iter().zip(&given) {
            let granted = Cents::new(*amount).unwrap_or(Cents::ZERO);
            let funding = funding_of(*amount, action.amount);
            let weight = sorted.get(*index).map_or(0, |r| r.weight);
            let reason = if fits {
                format!(
                    "Volledig toegekend: alle acties met prioriteit {rank} samen ({}) pasten in het resterende budget ({}).",
                    cents(asked),
                    cents(before)
                )
            } else if before == 0 {
                match exhausted {
                    Exhausted::ByAgreements => format!("Niet toegekend: {AGREEMENTS_TOOK_ALL}"),
                    Exhausted::Not | Exhausted::ByIncentives => {
                        "Niet toegekend: de enveloppe was al op.".to_owned()
                    }
                    Exhausted::AfterRank(last) => format!(
                        "Niet toegekend: het budget was op na de verdeling van prioriteit {last}."
                    ),
                }
            } else {
                let share = format!(
                    "{} van {} inwoners van niet-EU15-herkomst, {}",
                    format_count(weight),
                    format_count(shared_weight),
                    format_share(weight, shared_weight)
                );
                let head = format!(
                    "De acties met prioriteit {rank} ({}) pasten niet volledig in het resterende budget ({}); dat werd verdeeld naar rato van het aantal inwoners van niet-EU15-herkomst ({share})",
                    cents(asked),
                    cents(before)
                );
                match funding {
                    Funding::Full => format!(
                        "Volledig toegekend. {head}, en uw aandeel dekte uw vraag; het overschot ging naar de andere aanvragers."
                    ),
                    Funding::Partial => format!(
                        "Gedeeltelijk toegekend: {granted} van {}. {head}.",
                        action.amount
                    ),
                    Funding::None => format!("Niet toegekend. {head}."),
                }
            };
            if let Some(app) = applications.get_mut(*index) {
                app.actions.push(ActionAllocation {
                    code: action.code,
                    rank: *rank,
                    requested: action.amount,
                    granted,
                    funding,
                    reason,
                });
            }
            remaining -= *amount;
        }
        let granted_here: i64 = sum_cents(given.iter().copied());
        ranks.push(RankOutcome {
            rank: *rank,
            requested: cents(asked),
            granted: cents(granted_here),
            fully_funded: fits,
        });
        if !fits && matches!(exhausted, Exhausted::Not) {
            exhausted = Exhausted::AfterRank(*rank);
        }
    }

    let mut granted_total = Cents::ZERO;
    let mut incentives_granted = Cents::ZERO;
    for app in &mut applications {
        app.requested = app
            .actions
            .iter()
            .map(|a| a.requested)
            .chain([app.incentive_requested])
            .fold(Cents::ZERO, Cents::saturating_add);
        app.granted = app
            .actions
            .iter()
            .map(|a| a.granted)
            .chain([app.incentive_granted])
            .fold(Cents::ZERO, Cents::saturating_add);
        granted_total = granted_total.saturating_add(app.granted);
        incentives_granted = incentives_granted.saturating_add(app.incentive_granted);
    }
    let unallocated = envelope.saturating_sub(granted_total);
    let outcome = Outcome {
        envelope,
        requested: requested_total,
        incentives_granted,
        unallocated,
        agreements: &agreements,
    };
    let summary = summarise(&outcome, &applications, &ranks);
    Ok(Allocation {
        envelope,
        requested: requested_total,
        granted: granted_total,
        incentives_granted,
        agreements_granted: agreements.granted,
        unallocated,
        applications,
        ranks,
        summary,
    })
}

/// Why the envelope ran out before a rank was reached.
#[derive(Debug, Clone, Copy)]
enum Exhausted {
    /// It did not (or it was empty from the start).
    Not,
    /// The separate agreements took all of it.
    ByAgreements,
    /// The incentives took all of it.
    ByIncentives,
    /// The first rank that did not fit.
    AfterRank(u32),
}

/// The reason of whatever gets nothing because the agreements took the whole envelope.
const AGREEMENTS_TOOK_ALL: &str = "de enveloppe ging volledig naar de aparte overeenkomsten van de partnerorganisaties, die buiten de verdeling volgens prioriteit eerst van de enveloppe af gaan.";

fn funding_of(granted: i64, requested: Cents) -> Funding {
    if granted >= requested.get() {
        Funding::Full
    } else if granted > 0 {
        Funding::Partial
    } else {
        Funding::None
    }
}

/// What the separate agreements took off the envelope.
struct Reserved {
    /// Granted under agreements together.
    granted: Cents,
    /// What the partners under an agreement could get at most: per partner its agreement's
    /// amount, or what it asked when that is less.
    claimed: Cents,
    /// Asked by partners under an agreement beyond their agreement's amount.
    beyond: Cents,
    /// Every claim was granted in full (the envelope held them all).
    fit: bool,
    /// Some request is funded under an agreement.
    any: bool,
}

/// Step 0: every request under a separate agreement gets its agreement's amount, never more
/// than it asked, before anything else; when the envelope cannot hold them all, it is shared in
/// proportion to the agreements' amounts. Inside a request the amount goes to its incentive
/// first and then to its actions by its own priority. Fills in the partners' outcomes.
fn reserve_agreements(
    envelope: Cents,
    sorted: &[&AllocationRequest],
    applications: &mut [ApplicationAllocation],
) -> Reserved {
    let claims: Vec<Claim> = sorted
        .iter()
        .map(|r| match &r.agreement {
            Some(a) => {
                let asked = sum_cents(r.actions.iter().map(|x| x.amount.get()))
                    .saturating_add(r.incentive.get());
                Claim {
                    weight: u64::try_from(a.amount.get()).unwrap_or(0),
                    need: asked.min(a.amount.get()),
                }
            }
            None => Claim { weight: 0, need: 0 },
        })
        .collect();
    let claimed = sum_cents(claims.iter().map(|c| c.need));
    let fit = claimed <= envelope.get();
    let given = if fit {
        claims.iter().map(|c| c.need).collect()
    } else {
        share_out(envelope.get(), &claims)
    };
    let mut beyond = Cents::ZERO;
    let mut any = false;
    for ((request, app), (claim, amount)) in sorted
        .iter()
        .zip(applications.iter_mut())
        .zip(claims.iter().zip(&given))
    {
        let Some(agreement) = &request.agreement else {
            continue;
        };
        any = true;
        let asked = sum_cents(request.actions.iter().map(|x| x.amount.get()))
            .saturating_add(request.incentive.get());
        beyond = beyond.saturating_add(cents(asked.saturating_sub(agreement.amount.get())));
        let shared = (!fit).then(|| SharedAgreements {
            envelope,
            claimed: cents(claimed),
        });
        fund_under_agreement(request, app, agreement, *amount, claim.need, shared);
    }
    Reserved {
        granted: cents(sum_cents(given.iter().copied())),
        claimed: cents(claimed),
        beyond,
        fit,
        any,
    }
}

/// The envelope was smaller than the agreements together.
#[derive(Debug, Clone, Copy)]
struct SharedAgreements {
    envelope: Cents,
    claimed: Cents,
}

/// Spreads `amount` (what the partner got under its agreement) over its incentive and then its
/// actions by rank, with a Dutch reason each. `claim` is what it could have got at most.
fn fund_under_agreement(
    request: &AllocationRequest,
    app: &mut ApplicationAllocation,
    agreement: &Agreement,
    amount: i64,
    claim: i64,
    shared: Option<SharedAgreements>,
) {
    let terms = agreement_terms(&request.applicant_name, agreement);
    let mut left = amount;
    if request.incentive > Cents::ZERO {
        let given = left.min(request.incentive.get());
        left -= given;
        app.incentive_granted = cents(given);
        app.incentive_reason = format!(
            "{} {terms}",
            match funding_of(given, request.incentive) {
                Funding::Full => "Volledig toegekend.",
                Funding::Partial => "Gedeeltelijk toegekend.",
                Funding::None => "Niet toegekend.",
            }
        );
    }
    let mut actions: Vec<&RequestedAction> = request.actions.iter().collect();
    actions.sort_by_key(|a| a.rank);
    for action in actions {
        let given = left.min(action.amount.get()).max(0);
        left -= given;
        let funding = funding_of(given, action.amount);
        let why_short = match shared {
            Some(s) => format!(
                " De enveloppe ({}) was kleiner dan de bedragen van de aparte overeenkomsten samen ({}); ze werd onder de partnerorganisaties verdeeld naar rato van hun overeenkomst: dit dossier kreeg {} van de {} waar het recht op had. Binnen het dossier gaan de acties met de hoogste prioriteit voor.",
                s.envelope,
                s.claimed,
                cents(amount),
                cents(claim)
            ),
            None => " De overeenkomst dekt niet meer: binnen het dossier gaan de acties met de hoogste prioriteit voor.".to_owned(),
        };
        let reason = match funding {
            Funding::Full => format!("Volledig toegekend. {terms}"),
            Funding::Partial => format!(
                "Gedeeltelijk toegekend: {} van {}. {terms}{why_short}",
                cents(given),
                action.amount
            ),
            Funding::None => format!("Niet toegekend. {terms}{why_short}"),
        };
        app.actions.push(ActionAllocation {
            code: action.code,
            rank: action.rank,
            requested: action.amount,
            granted: cents(given),
            funding,
            reason,
        });
    }
}

/// The agreement as a reason names it: "VGC krijgt het bedrag van de aparte overeenkomst met
/// de Vlaamse overheid (€ 150.000,00 per projectjaar), buiten ...".
fn agreement_terms(partner: &str, agreement: &Agreement) -> String {
    format!(
        "{partner} krijgt het bedrag van de aparte overeenkomst met de Vlaamse overheid ({} per projectjaar{}), buiten de verdeling volgens prioriteit: dat bedrag gaat eerst van de enveloppe af.",
        agreement.amount,
        if agreement.illustrative {
            ", illustratief bedrag"
        } else {
            ""
        }
    )
}

/// The totals the summary speaks of.
struct Outcome<'a> {
    envelope: Cents,
    requested: Cents,
    incentives_granted: Cents,
    unallocated: Cents,
    agreements: &'a Reserved,
}

/// The allocation's Dutch summary: the agreements first (when a request is funded under one),
/// then the rest.
fn summarise(
    outcome: &Outcome<'_>,
    applications: &[ApplicationAllocation],
    ranks: &[RankOutcome],
) -> String {
    let Outcome {
        envelope,
        requested,
        incentives_granted,
        unallocated,
        agreements,
    } = *outcome;
    let mut parts = Vec::new();
    if agreements.any {
        parts.push(if agreements.fit {
            format!(
                "De aparte overeenkomsten van de partnerorganisaties gaan buiten de verdeling volgens prioriteit eerst van de enveloppe af: {} van {envelope}.",
                agreements.granted
            )
        } else {
            format!(
                "De enveloppe van {envelope} is kleiner dan de bedragen van de aparte overeenkomsten samen ({}): ze werd onder de partnerorganisaties verdeeld naar rato van hun overeenkomst; voor de andere aanvragen bleef niets over.",
                agreements.claimed
            )
        });
        if agreements.beyond > Cents::ZERO {
            parts.push(format!(
                "Wat partnerorganisaties boven hun overeenkomst vroegen ({}), wordt niet toegekend.",
                agreements.beyond
            ));
        }
    }
    let others: Vec<&ApplicationAllocation> = applications
        .iter()
        .filter(|a| a.agreement.is_none())
        .collect();
    let others_requested = others
        .iter()
        .map(|a| a.requested)
        .fold(Cents::ZERO, Cents::saturating_add);
    let left = envelope.saturating_sub(agreements.granted);
    if !agreements.any {
        parts.push(if requested <= envelope {
            format!(
                "Alle {} aanvragen passen in de enveloppe van {envelope}: {requested} gevraagd, alles toegekend; {unallocated} blijft over.",
                applications.len()
            )
        } else {
            over_subscribed(requested, envelope, incentives_granted, ranks)
        });
    } else if others.is_empty() {
        parts.push(format!(
            "Er zijn geen andere aanvragen; {unallocated} blijft over."
        ));
    } else if !agreements.fit {
        // Said above: nothing was left.
    } else if others_requested <= left {
        parts.push(format!(
            "{} in wat overblijft ({left}): {others_requested} gevraagd, alles toegekend; {unallocated} blijft over.",
            if others.len() == 1 {
                "De overige aanvraag past".to_owned()
            } else {
                format!("De {} overige aanvragen passen", others.len())
            }
        ));
    } else {
        parts.push(over_subscribed(
            others_requested,
            left,
            incentives_granted,
            ranks,
        ));
    }
    parts.join(" ")
}

/// The sentence of an over-subscribed envelope (`envelope`: what the ranks and incentives
/// shared).
fn over_subscribed(
    requested: Cents,
    envelope: Cents,
    incentives_granted: Cents,
    ranks: &[RankOutcome],
) -> String {
    let full: Vec<String> = ranks
        .iter()
        .filter(|r| r.fully_funded)
        .map(|r| r.rank.to_string())
        .collect();
    format!(
        "Er werd {requested} gevraagd voor een enveloppe van {envelope}. Incentives ({incentives_granted}) gaan eerst; {} volledig toegekend, daarna werd het resterende budget verdeeld naar rato van het aantal inwoners van niet-EU15-herkomst.",
        if full.is_empty() {
            "geen enkele prioriteit werd".to_owned()
        } else {
            format!("prioriteit {} werd", super::dutch::join_names(&full))
        }
    )
}

fn cents(value: i64) -> Cents {
    Cents::new(value).unwrap_or(Cents::ZERO)
}

/// Why an adjusted amount of an allocation line is refused. The `Display` text is Dutch.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AdjustmentRefusal {
    #[error(
        "Het aangepaste bedrag ({adjusted}) is hoger dan het gevraagde bedrag ({requested}). Een actie krijgt nooit meer dan gevraagd."
    )]
    AboveRequest { adjusted: Cents, requested: Cents },
    #[error(
        "Met dit bedrag komt het totaal op {total}, meer dan de enveloppe van {envelope}. Er is nog {room} beschikbaar voor deze actie."
    )]
    OverEnvelope {
        total: Cents,
        envelope: Cents,
        room: Cents,
    },
    #[error(
        "Met dit bedrag krijgt de partnerorganisatie {total}, meer dan haar aparte overeenkomst ({agreement} per projectjaar). Er is nog {room} beschikbaar voor deze actie."
    )]
    OverAgreement {
        total: Cents,
        agreement: Cents,
        room: Cents,
    },
}

/// The bound of an adjustment of a line funded under a partner's separate agreement: the
/// partner's lines together (`others`: its other lines, as adjusted or proposed) stay within its
/// agreement's amount per project year. The envelope's bound ([`check_adjustment`]) holds too.
pub fn check_agreement_adjustment(
    adjusted: Cents,
    others: Cents,
    agreement: Cents,
) -> Result<(), AdjustmentRefusal> {
    let total = others.get().saturating_add(adjusted.get());
    if total > agreement.get() {
        return Err(AdjustmentRefusal::OverAgreement {
            total: cents(total),
            agreement,
            room: cents(agreement.get().saturating_sub(others.get()).max(0)),
        });
    }
    Ok(())
}

/// What the allocation page says of a partner organisation's dossier when the call's data
/// attaches no separate agreement for it: it takes part in the allocation by priority like any
/// applicant, with no residents to weigh it by.
pub fn without_agreement_note(partner: &str) -> String {
    format!(
        "Deze oproep vermeldt geen aparte overeenkomst met een bedrag voor {partner}. Het dossier neemt daarom deel aan de verdeling volgens prioriteit zoals elke aanvraag, met 0 inwoners van niet-EU15-herkomst: moet een prioriteit gedeeld worden, dan krijgt het daar niets van zolang andere aanvragers inwoners tellen."
    )
}

/// The bounds of an adjustment: a line gets at most what it requested, and all lines together
/// (`others` is the sum of the other lines, as adjusted or proposed) stay within what the
/// envelope leaves after the incentives, which come off it first.
pub fn check_adjustment(
    adjusted: Cents,
    requested: Cents,
    others: Cents,
    envelope: Cents,
    incentives: Cents,
) -> Result<(), AdjustmentRefusal> {
    if adjusted > requested {
        return Err(AdjustmentRefusal::AboveRequest {
            adjusted,
            requested,
        });
    }
    let available = envelope.get().saturating_sub(incentives.get());
    let total = others.get().saturating_add(adjusted.get());
    if total > available {
        return Err(AdjustmentRefusal::OverEnvelope {
            total: cents(total.saturating_add(incentives.get())),
            envelope,
            room: cents(available.saturating_sub(others.get()).max(0)),
        });
    }
    Ok(())
}

/// A fingerprint of what an allocation is computed from besides the envelope: per dossier (in
/// reference order) its weight, incentive, separate agreement and every action's code, rank and
/// amount. Two lists
/// of requests with the same fingerprint give the same allocation of the same envelope; the
/// applicants' names do not count.
pub fn inputs_fingerprint(requests: &[AllocationRequest]) -> String {
    use sha2::{Digest, Sha256};
    let mut sorted: Vec<&AllocationRequest> = requests.iter().collect();
    sorted.sort_by(|a, b| a.reference.cmp(&b.reference));
    let mut hasher = Sha256::new();
    for r in sorted {
        hasher.update(format!(
            "{}|{}|{}|",
            r.reference,
            r.weight,
            r.incentive.get()
        ));
        if let Some(agreement) = &r.agreement {
            // Only when there is one, so the fingerprints of requests without stay the same.
            hasher.update(format!(
                "agreement:{}:{};",
                agreement.amount.get(),
                agreement.illustrative
            ));
        }
        let mut actions: Vec<&RequestedAction> = r.actions.iter().collect();
        actions.sort_by_key(|a| a.code.to_string());
        for a in actions {
            hasher.update(format!("{}:{}:{};", a.code, a.rank, a.amount.get()));
        }
        hasher.update("\n");
    }
    hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// What a stored proposal was computed from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProposalInputs<'a> {
    pub envelope: Cents,
    /// [`inputs_fingerprint`] of its requests; `None` for a proposal stored before
    /// fingerprints were kept (its requests are unknown, so it counts as changed).
    pub fingerprint: Option<&'a str>,
}

/// Why a proposal no longer matches its inputs, in Dutch: `None` while the envelope and the
/// requests are what it was computed from.
pub fn staleness(stored: ProposalInputs<'_>, now: ProposalInputs<'_>) -> Option<String> {
    let mut reasons = Vec::new();
    if stored.envelope != now.envelope {
        reasons.push(format!(
            "de enveloppe is nu {}, het voorstel rekende met {}",
            now.envelope, stored.envelope
        ));
    }
    if stored.fingerprint.is_none() || stored.fingerprint != now.fingerprint {
        reasons.push(
            "de dossiers of hun gevraagde bedragen zijn gewijzigd sinds het voorstel berekend werd"
                .to_owned(),
        );
    }
    (!reasons.is_empty()).then(|| {
        format!(
            "Dit voorstel is verouderd: {}. Maak een nieuw voorstel.",
            reasons.join(" en ")
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eur(euros: i64) -> Cents {
        Cents::from_euros(euros).unwrap()
    }

    fn request(
        reference: &str,
        weight: u64,
        incentive: i64,
        actions: &[(u32, i64)],
    ) -> AllocationRequest {
        AllocationRequest {
            reference: reference.to_owned(),
            applicant_name: format!("Aanvrager {reference}"),
            weight,
            incentive: eur(incentive),
            actions: actions
                .iter()
                .enumerate()
                .map(|(i, (rank, amount))| RequestedAction {
                    code: ActionCode::new(2, u16::try_from(i).unwrap() + 1),
                    rank: *rank,
                    amount: eur(*amount),
                })
                .collect(),
            agreement: None,
        }
    }

    fn granted(allocation: &Allocation, reference: &str, rank: u32) -> i64 {
        allocation
            .applications
            .iter()
            .find(|a| a.reference == reference)
            .and_then(|a| a.actions.iter().find(|x| x.rank == rank))
            .map_or(-1, |x| x.granted.get())
    }

    #[test]
    fn everything_is_granted_when_the_envelope_suffices() {
        let requests = [
            request("A", 10_000, 10_000, &[(1, 50_000), (2, 25_000)]),
            request("B", 8_000, 0, &[(1, 25_000)]),
        ];
        let allocation = allocate(eur(1_000_000), &requests).unwrap();
        assert_eq!(allocation.granted, eur(110_000));
        assert_eq!(allocation.unallocated, eur(890_000));
        assert!(
            allocation
                .applications
                .iter()
                .all(|a| a.granted == a.requested)
        );
    }

    #[test]
    fn a_rank_that_does_not_fit_is_shared_by_non_eu15_residents() {
        // 100,000 left after rank 1 isn't asked; three applicants of weights 1, 1, 2 ask 60,000
        // each at rank 1 and the envelope holds 100,000.
        let requests = [
            request("A", 1_000, 0, &[(1, 60_000)]),
            request("B", 1_000, 0, &[(1, 60_000)]),
            request("C", 2_000, 0, &[(1, 60_000)]),
        ];
        let allocation = allocate(eur(100_000), &requests).unwrap();
        // Proportional: 25,000 / 25,000 / 50,000.
        assert_eq!(granted(&allocation, "A", 1), eur(25_000).get());
        assert_eq!(granted(&allocation, "B", 1), eur(25_000).get());
        assert_eq!(granted(&allocation, "C", 1), eur(50_000).get());
        assert_eq!(allocation.granted, eur(100_000));
    }

    #[test]
    fn a_capped_share_is_redistributed_among_the_rest_of_the_rank() {
        // Weights 1:1:2 over 100,000 would give C 50,000, but C asks only 20,000; the other
        // 80,000 go to A and B in proportion 1:1.
        let requests = [
            request("A", 1_000, 0, &[(1, 60_000)]),
            request("B", 1_000, 0, &[(1, 60_000)]),
            request("C", 2_000, 0, &[(1, 20_000)]),
        ];
        let allocation = allocate(eur(100_000), &requests).unwrap();
        assert_eq!(granted(&allocation, "C", 1), eur(20_000).get());
        assert_eq!(granted(&allocation, "A", 1), eur(40_000).get());
        assert_eq!(granted(&allocation, "B", 1), eur(40_000).get());
    }

    #[test]
    fn rank_two_gets_nothing_while_rank_one_is_not_fully_funded() {
        let requests = [
            request("A", 5_000, 0, &[(1, 80_000), (2, 10_000)]),
            request("B", 5_000, 0, &[(1, 80_000)]),
        ];
        let allocation = allocate(eur(100_000), &requests).unwrap();
        assert_eq!(granted(&allocation, "A", 2), 0);
        let reason = allocation.applications[0]
            .actions
            .iter()
            .find(|a| a.rank == 2)
            .map(|a| a.reason.clone())
            .unwrap();
        assert!(reason.contains("prioriteit 1"), "{reason}");
        assert_eq!(allocation.granted, eur(100_000));
    }

    #[test]
    fn leftover_cents_go_to_the_largest_remainders_then_by_reference() {
        // 100 cents over three equal weights: 34, 33, 33, the extra cent to the first reference.
        let requests = [
            AllocationRequest {
                reference: "B".into(),
                applicant_name: "B".into(),
                weight: 1,
                incentive: Cents::ZERO,
                actions: vec![RequestedAction {
                    code: ActionCode::new(1, 4),
                    rank: 1,
                    amount: Cents::new(100).unwrap(),
                }],
                agreement: None,
            },
            AllocationRequest {
                reference: "A".into(),
                applicant_name: "A".into(),
                weight: 1,
                incentive: Cents::ZERO,
                actions: vec![RequestedAction {
                    code: ActionCode::new(1, 4),
                    rank: 1,
                    amount: Cents::new(100).unwrap(),
                }],
                agreement: None,
            },
            AllocationRequest {
                reference: "C".into(),
                applicant_name: "C".into(),
                weight: 1,
                incentive: Cents::ZERO,
                actions: vec![RequestedAction {
                    code: ActionCode::new(1, 4),
                    rank: 1,
                    amount: Cents::new(100).unwrap(),
                }],
                agreement: None,
            },
        ];
        let allocation = allocate(Cents::new(100).unwrap(), &requests).unwrap();
        assert_eq!(granted(&allocation, "A", 1), 34);
        assert_eq!(granted(&allocation, "B", 1), 33);
        assert_eq!(granted(&allocation, "C", 1), 33);
    }

    #[test]
    fn incentives_come_off_the_envelope_first() {
        let requests = [
            request("A", 1_000, 10_000, &[(1, 100_000)]),
            request("B", 1_000, 0, &[(1, 100_000)]),
        ];
        let allocation = allocate(eur(110_000), &requests).unwrap();
        assert_eq!(allocation.incentives_granted, eur(10_000));
        assert_eq!(granted(&allocation, "A", 1), eur(50_000).get());
        assert_eq!(granted(&allocation, "B", 1), eur(50_000).get());
        assert!(
            allocation.applications[0]
                .incentive_reason
                .contains("eerst")
        );
    }

    #[test]
    fn applicants_without_weight_share_equally_when_nobody_has_weight() {
        let requests = [
            request("VGC", 0, 0, &[(1, 30_000)]),
            request("RAND", 0, 0, &[(1, 30_000)]),
        ];
        let allocation = allocate(eur(40_000), &requests).unwrap();
        assert_eq!(granted(&allocation, "VGC", 1), eur(20_000).get());
        assert_eq!(granted(&allocation, "RAND", 1), eur(20_000).get());
    }

    #[test]
    fn huge_weights_and_amounts_do_not_overflow() {
        let requests = [
            request("A", u64::MAX, 0, &[(1, 60_000_000_000)]),
            request("B", u64::MAX, 0, &[(1, 60_000_000_000)]),
            request("C", u64::MAX - 1, 0, &[(1, 60_000_000_000)]),
        ];
        let allocation = allocate(eur(100_000_000_000), &requests).unwrap();
        assert_eq!(allocation.granted, eur(100_000_000_000));
        assert!(granted(&allocation, "A", 1) >= granted(&allocation, "C", 1));
    }

    #[test]
    fn bad_input_is_refused() {
        let twice = [
            request("A", 1, 0, &[(1, 10)]),
            request("A", 1, 0, &[(1, 10)]),
        ];
        assert_eq!(
            allocate(eur(10), &twice),
            Err(AllocationError::DuplicateReference("A".into()))
        );
        let same_rank = [request("A", 1, 0, &[(1, 10), (1, 20)])];
        assert_eq!(
            allocate(eur(10), &same_rank),
            Err(AllocationError::DuplicateRank {
                reference: "A".into(),
                rank: 1
            })
        );
    }
    // ---- Property tests. ----

    use proptest::prelude::*;

    fn requests() -> impl Strategy<Value = Vec<AllocationRequest>> {
        prop::collection::vec(
            (
                0u64..20_000,
                prop::bool::weighted(0.3),
                prop::collection::vec(0i64..3_000_000, 1..6),
                any::<prop::sample::Index>(),
                prop::option::weighted(0.25, (0i64..6_000_000, any::<bool>())),
            ),
            0..9,
        )
        .prop_map(|apps| {
            apps.into_iter()
                .enumerate()
                .map(|(i, (weight, has_incentive, amounts, rotate, agreement))| {
                    let n = amounts.len();
                    let shift = rotate.index(n);
                    AllocationRequest {
                        reference: format!("PS-{:03}", (i * 37) % 101),
                        applicant_name: format!("Aanvrager {i}"),
                        // A partner organisation has no residents to weigh it by.
                        weight: if agreement.is_some() { 0 } else { weight },
                        incentive: if has_incentive && agreement.is_none() {
                            Cents::new(1_000_000).unwrap()
                        } else {
                            Cents::ZERO
                        },
                        actions: amounts
                            .iter()
                            .enumerate()
                            .map(|(j, amount)| RequestedAction {
                                code: ActionCode::new(3, u16::try_from(j).unwrap() + 1),
                                rank: u32::try_from((j + shift) % n).unwrap() + 1,
                                amount: Cents::new(*amount).unwrap(),
                            })
                            .collect(),
                        agreement: agreement.map(|(amount, illustrative)| Agreement {
                            amount: Cents::new(amount).unwrap(),
                            illustrative,
                        }),
                    }
                })
                .collect()
        })
    }

    /// What a request can get at most: everything it asked, or under an agreement no more than
    /// the agreement's amount.
    fn fundable(app: &ApplicationAllocation) -> Cents {
        match &app.agreement {
            Some(a) => app.requested.min(a.amount),
            None => app.requested,
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(400))]

        #[test]
        fn allocation_never_exceeds_the_envelope_a_request_or_an_agreement(
            requests in requests(),
            envelope in 0i64..40_000_000,
        ) {
            let envelope = Cents::new(envelope).unwrap();
            let allocation = allocate(envelope, &requests).unwrap();
            prop_assert!(allocation.granted <= envelope);
            prop_assert_eq!(allocation.granted.saturating_add(allocation.unallocated), envelope);
            let mut sum = Cents::ZERO;
            let mut under_agreements = Cents::ZERO;
            for app in &allocation.applications {
                prop_assert!(app.incentive_granted <= app.incentive_requested);
                for action in &app.actions {
                    prop_assert!(action.granted <= action.requested);
                    prop_assert!(!action.reason.is_empty());
                    sum = sum.saturating_add(action.granted);
                }
                sum = sum.saturating_add(app.incentive_granted);
                if let Some(agreement) = &app.agreement {
                    prop_assert!(app.granted <= agreement.amount);
                    under_agreements = under_agreements.saturating_add(app.granted);
                }
            }
            prop_assert_eq!(sum, allocation.granted);
            prop_assert_eq!(under_agreements, allocation.agreements_granted);
            // Work-conserving: an over-subscribed envelope is used to the last cent; what
            // partners ask beyond their agreement never counts.
            let fundable = allocation
                .applications
                .iter()
                .map(fundable)
                .fold(Cents::ZERO, Cents::saturating_add);
            if fundable >= envelope {
                prop_assert_eq!(allocation.granted, envelope);
            } else {
                prop_assert_eq!(allocation.granted, fundable);
            }
        }

        #[test]
        fn allocation_respects_ranks(requests in requests(), envelope in 0i64..40_000_000) {
            let allocation = allocate(Cents::new(envelope).unwrap(), &requests).unwrap();
            let ranked = || allocation.applications.iter().filter(|a| a.agreement.is_none());
            let actions: Vec<&ActionAllocation> = ranked().flat_map(|a| &a.actions).collect();
            let incentives_short = ranked().any(|a| a.incentive_granted < a.incentive_requested);
            let agreements_short = allocation
                .applications
                .iter()
                .any(|a| a.agreement.is_some() && a.granted < fundable(a));
            for short in actions.iter().filter(|a| a.granted < a.requested) {
                for later in actions.iter().filter(|a| a.rank > short.rank) {
                    prop_assert_eq!(later.granted, Cents::ZERO, "rank {} funded while rank {} is short", later.rank, short.rank);
                }
            }
            if incentives_short || agreements_short {
                prop_assert!(actions.iter().all(|a| a.granted == Cents::ZERO || a.requested == Cents::ZERO));
            }
            if agreements_short {
                prop_assert!(ranked().all(|a| a.incentive_granted == Cents::ZERO));
            }
        }

        #[test]
        fn a_partner_under_an_agreement_gets_its_agreement_whatever_the_ranks(
            requests in requests(),
            envelope in 0i64..40_000_000,
        ) {
            let allocation = allocate(Cents::new(envelope).unwrap(), &requests).unwrap();
            let claimed = allocation
                .applications
                .iter()
                .filter(|a| a.agreement.is_some())
                .map(fundable)
                .fold(Cents::ZERO, Cents::saturating_add);
            for app in allocation.applications.iter().filter(|a| a.agreement.is_some()) {
                if claimed <= allocation.envelope {
                    prop_assert_eq!(app.granted, fundable(app));
                }
                // Inside the dossier its own priority decides.
                for short in app.actions.iter().filter(|a| a.granted < a.requested) {
                    for later in app.actions.iter().filter(|a| a.rank > short.rank) {
                        prop_assert_eq!(later.granted, Cents::ZERO);
                    }
                }
                for action in &app.actions {
                    prop_assert!(action.reason.contains("aparte overeenkomst"), "{}", action.reason);
                }
            }
        }

        #[test]
        fn allocation_is_deterministic_whatever_the_input_order(
            requests in requests(),
            envelope in 0i64..40_000_000,
            seed in any::<u64>(),
        ) {
            let envelope = Cents::new(envelope).unwrap();
            let first = allocate(envelope, &requests).unwrap();
            let mut shuffled = requests.clone();
            // A deterministic shuffle from the seed.
            let len = shuffled.len();
            for i in (1..len).rev() {
                let j = usize::try_from((seed.wrapping_mul(6364136223846793005).wrapping_add(i as u64)) % (i as u64 + 1)).unwrap();
                shuffled.swap(i, j);
            }
            prop_assert_eq!(&allocate(envelope, &shuffled).unwrap(), &first);
            prop_assert_eq!(&allocate(envelope, &requests).unwrap(), &first);
        }

        #[test]
        fn a_shared_rank_follows_the_weights(requests in requests(), envelope in 0i64..40_000_000) {
            // Within a shared rank, an applicant that got less than asked never got less than
            // its floor share of what that rank received minus the capped ones; checked simply:
            // between two short applicants, more weight never means fewer cents (up to 1 cent).
            let allocation = allocate(Cents::new(envelope).unwrap(), &requests).unwrap();
            for rank in allocation.ranks.iter().filter(|r| !r.fully_funded) {
                let short: Vec<(u64, i64)> = allocation
                    .applications
                    .iter()
                    .filter(|app| app.agreement.is_none())
                    .flat_map(|app| app.actions.iter().map(move |a| (app.weight, a)))
                    .filter(|(_, a)| a.rank == rank.rank && a.granted < a.requested)
                    .map(|(w, a)| (w, a.granted.get()))
                    .collect();
                for (wa, ga) in &short {
                    for (wb, gb) in &short {
                        if wa > wb {
                            prop_assert!(ga + 1 >= *gb, "weight {wa} got {ga}, weight {wb} got {gb}");
                        }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod adjustment_and_staleness_tests {
    use super::*;

    fn eur(euros: i64) -> Cents {
        Cents::from_euros(euros).unwrap()
    }

    fn request(reference: &str, name: &str, amount: i64) -> AllocationRequest {
        AllocationRequest {
            reference: reference.to_owned(),
            applicant_name: name.to_owned(),
            weight: 10_000,
            incentive: Cents::ZERO,
            actions: vec![RequestedAction {
                code: ActionCode::parse("2.1").unwrap(),
                rank: 1,
                amount: eur(amount),
            }],
            agreement: None,
        }
    }

    #[test]
    fn an_adjustment_never_exceeds_the_request() {
        assert_eq!(
            check_adjustment(eur(60), eur(50), eur(0), eur(1000), eur(0)),
            Err(AdjustmentRefusal::AboveRequest {
                adjusted: eur(60),
                requested: eur(50)
            })
        );
        assert_eq!(
            check_adjustment(eur(50), eur(50), eur(0), eur(1000), eur(0)),
            Ok(())
        );
    }

    #[test]
    fn an_adjustment_leaves_the_incentives_their_part_of_the_envelope() {
        // Envelope 100, incentives 20, other lines 50: 30 left for this line.
        assert_eq!(
            check_adjustment(eur(30), eur(40), eur(50), eur(100), eur(20)),
            Ok(())
        );
        let refused = check_adjustment(eur(31), eur(40), eur(50), eur(100), eur(20)).unwrap_err();
        assert_eq!(
            refused,
            AdjustmentRefusal::OverEnvelope {
                total: eur(101),
                envelope: eur(100),
                room: eur(30)
            }
        );
        assert!(
            refused
                .to_string()
                .contains("Er is nog € 30,00 beschikbaar")
        );
    }

    #[test]
    fn the_fingerprint_follows_the_requests_not_their_order_or_names() {
        let a = [request("A", "Antwerpen", 100), request("B", "Gent", 50)];
        let b = [
            request("B", "Stad Gent", 50),
            request("A", "Antwerpen", 100),
        ];
        assert_eq!(inputs_fingerprint(&a), inputs_fingerprint(&b));
        let more = [request("A", "Antwerpen", 101), request("B", "Gent", 50)];
        assert_ne!(inputs_fingerprint(&a), inputs_fingerprint(&more));
        let fewer = [request("A", "Antwerpen", 100)];
        assert_ne!(inputs_fingerprint(&a), inputs_fingerprint(&fewer));
    }

    #[test]
    fn a_proposal_is_stale_when_its_envelope_or_requests_changed() {
        let inputs = |envelope: i64, fingerprint: Option<&'static str>| ProposalInputs {
            envelope: eur(envelope),
            fingerprint,
        };
        assert_eq!(
            staleness(inputs(100, Some("x")), inputs(100, Some("x"))),
            None
        );
        assert_eq!(
            staleness(inputs(100, Some("x")), inputs(90, Some("x"))).as_deref(),
            Some(
                "Dit voorstel is verouderd: de enveloppe is nu € 90,00, het voorstel rekende met € 100,00. Maak een nieuw voorstel."
            )
        );
        let requests = staleness(inputs(100, Some("x")), inputs(100, Some("y"))).unwrap();
        assert!(requests.contains("de dossiers of hun gevraagde bedragen zijn gewijzigd"));
        assert!(!requests.contains("enveloppe"));
        assert!(staleness(inputs(100, None), inputs(100, Some("x"))).is_some());
    }
}

#[cfg(test)]
mod agreement_tests {
    //! Partner organisations under a separate agreement (issue 21, item 4).
    use super::*;

    fn eur(euros: i64) -> Cents {
        Cents::from_euros(euros).unwrap()
    }

    /// A municipality's (or cooperation's) request: weight, incentive, (rank, amount) per action.
    fn municipality(reference: &str, weight: u64, actions: &[(u32, i64)]) -> AllocationRequest {
        AllocationRequest {
            reference: reference.to_owned(),
            applicant_name: format!("Gemeente {reference}"),
            weight,
            incentive: Cents::ZERO,
            actions: actions
                .iter()
                .enumerate()
                .map(|(i, (rank, amount))| RequestedAction {
                    code: ActionCode::new(3, u16::try_from(i).unwrap() + 1),
                    rank: *rank,
                    amount: eur(*amount),
                })
                .collect(),
            agreement: None,
        }
    }

    /// A partner organisation's request (weight 0), under an agreement of `agreement` euro per
    /// project year when given.
    fn partner(
        reference: &str,
        name: &str,
        agreement: Option<i64>,
        actions: &[(u32, i64)],
    ) -> AllocationRequest {
        let mut request = municipality(reference, 0, actions);
        request.applicant_name = name.to_owned();
        request.under_agreement(agreement.map(|amount| Agreement {
            amount: eur(amount),
            illustrative: false,
        }))
    }

    fn app<'a>(allocation: &'a Allocation, reference: &str) -> &'a ApplicationAllocation {
        allocation
            .applications
            .iter()
            .find(|a| a.reference == reference)
            .unwrap()
    }

    fn action<'a>(allocation: &'a Allocation, reference: &str, rank: u32) -> &'a ActionAllocation {
        app(allocation, reference)
            .actions
            .iter()
            .find(|a| a.rank == rank)
            .unwrap()
    }

    #[test]
    fn today_a_partner_without_an_agreement_gets_nothing_of_a_shared_rank() {
        // The behaviour a call without agreements keeps: weight 0 in a shared rank.
        let requests = [
            municipality("A", 1_000, &[(1, 60_000)]),
            municipality("B", 1_000, &[(1, 60_000)]),
            partner("VGC", "VGC", None, &[(1, 30_000)]),
        ];
        let allocation = allocate(eur(100_000), &requests).unwrap();
        assert_eq!(action(&allocation, "VGC", 1).granted, Cents::ZERO);
        assert_eq!(action(&allocation, "A", 1).granted, eur(50_000));
        assert_eq!(allocation.agreements_granted, Cents::ZERO);
        assert!(
            without_agreement_note("VGC")
                .contains("geen aparte overeenkomst met een bedrag voor VGC")
        );
    }

    #[test]
    fn a_partner_under_an_agreement_gets_its_amount_before_the_ranks_are_shared() {
        let requests = [
            municipality("A", 1_000, &[(1, 60_000)]),
            municipality("B", 1_000, &[(1, 60_000)]),
            partner("VGC", "VGC", Some(30_000), &[(1, 30_000)]),
        ];
        let allocation = allocate(eur(100_000), &requests).unwrap();
        let vgc = action(&allocation, "VGC", 1);
        assert_eq!(vgc.granted, eur(30_000));
        assert_eq!(vgc.funding, Funding::Full);
        assert_eq!(
            vgc.reason,
            "Volledig toegekend. VGC krijgt het bedrag van de aparte overeenkomst met de Vlaamse overheid (€ 30.000,00 per projectjaar), buiten de verdeling volgens prioriteit: dat bedrag gaat eerst van de enveloppe af."
        );
        // The municipalities share the other € 70.000 by their residents.
        assert_eq!(action(&allocation, "A", 1).granted, eur(35_000));
        assert_eq!(action(&allocation, "B", 1).granted, eur(35_000));
        assert!(action(&allocation, "A", 1).reason.contains("(€ 70.000,00)"));
        assert_eq!(allocation.agreements_granted, eur(30_000));
        assert_eq!(allocation.granted, eur(100_000));
        // The rank outcome counts only the municipalities.
        assert_eq!(allocation.ranks[0].requested, eur(120_000));
        assert_eq!(allocation.ranks[0].granted, eur(70_000));
        assert!(
            allocation.summary.starts_with(
                "De aparte overeenkomsten van de partnerorganisaties gaan buiten de verdeling volgens prioriteit eerst van de enveloppe af: € 30.000,00 van € 100.000,00."
            ),
            "{}",
            allocation.summary
        );
        assert!(
            allocation
                .summary
                .contains("Er werd € 120.000,00 gevraagd voor een enveloppe van € 70.000,00")
        );
    }

    #[test]
    fn inside_the_partners_dossier_its_own_priority_decides() {
        // The agreement covers € 40.000 of the € 55.000 asked: rank 1 in full, rank 2 in part,
        // rank 3 nothing.
        let requests = [partner(
            "RAND",
            "vzw De Rand",
            Some(40_000),
            &[(2, 20_000), (1, 25_000), (3, 10_000)],
        )];
        let allocation = allocate(eur(1_000_000), &requests).unwrap();
        assert_eq!(action(&allocation, "RAND", 1).granted, eur(25_000));
        let second = action(&allocation, "RAND", 2);
        assert_eq!(second.granted, eur(15_000));
        assert_eq!(second.funding, Funding::Partial);
        assert!(
            second
                .reason
                .starts_with("Gedeeltelijk toegekend: € 15.000,00 van € 20.000,00. vzw De Rand krijgt het bedrag van de aparte overeenkomst"),
            "{}",
            second.reason
        );
        assert!(second.reason.ends_with(
            "De overeenkomst dekt niet meer: binnen het dossier gaan de acties met de hoogste prioriteit voor."
        ));
        let third = action(&allocation, "RAND", 3);
        assert_eq!(third.granted, Cents::ZERO);
        assert_eq!(third.funding, Funding::None);
        assert!(
            third
                .reason
                .starts_with("Niet toegekend. vzw De Rand krijgt")
        );
        assert_eq!(app(&allocation, "RAND").granted, eur(40_000));
        assert_eq!(allocation.unallocated, eur(960_000));
        assert!(
            allocation
                .summary
                .contains("Wat partnerorganisaties boven hun overeenkomst vroegen (€ 15.000,00), wordt niet toegekend."),
            "{}",
            allocation.summary
        );
        assert!(
            allocation
                .summary
                .contains("Er zijn geen andere aanvragen; € 960.000,00 blijft over.")
        );
    }

    #[test]
    fn a_partner_never_gets_more_than_it_asked_and_the_rest_goes_to_the_others() {
        let requests = [
            partner("VGC", "VGC", Some(50_000), &[(1, 20_000)]),
            municipality("A", 1_000, &[(1, 100_000)]),
        ];
        let allocation = allocate(eur(100_000), &requests).unwrap();
        assert_eq!(app(&allocation, "VGC").granted, eur(20_000));
        assert_eq!(allocation.agreements_granted, eur(20_000));
        assert_eq!(action(&allocation, "A", 1).granted, eur(80_000));
        assert!(!allocation.summary.contains("boven hun overeenkomst"));
    }

    #[test]
    fn everything_fits_with_agreements_and_says_what_is_left() {
        let requests = [
            partner("VGC", "VGC", Some(30_000), &[(1, 30_000)]),
            municipality("A", 1_000, &[(1, 20_000)]),
            municipality("B", 1_000, &[(1, 10_000)]),
        ];
        let allocation = allocate(eur(100_000), &requests).unwrap();
        assert_eq!(allocation.granted, eur(60_000));
        assert!(
            allocation.summary.ends_with(
                "De 2 overige aanvragen passen in wat overblijft (€ 70.000,00): € 30.000,00 gevraagd, alles toegekend; € 40.000,00 blijft over."
            ),
            "{}",
            allocation.summary
        );
        let one = allocate(eur(100_000), &requests[..2]).unwrap();
        assert!(
            one.summary
                .contains("De overige aanvraag past in wat overblijft"),
            "{}",
            one.summary
        );
    }

    #[test]
    fn an_envelope_smaller_than_the_agreements_is_shared_in_proportion_to_them() {
        let requests = [
            partner("VGC", "VGC", Some(30_000), &[(1, 30_000)]),
            partner("RAND", "vzw De Rand", Some(20_000), &[(1, 25_000)]),
            municipality("A", 5_000, &[(1, 10_000)]),
        ];
        // € 50.000 of agreements in € 40.000: 3:2.
        let allocation = allocate(eur(40_000), &requests).unwrap();
        assert_eq!(app(&allocation, "VGC").granted, eur(24_000));
        assert_eq!(app(&allocation, "RAND").granted, eur(16_000));
        let municipality = action(&allocation, "A", 1);
        assert_eq!(municipality.granted, Cents::ZERO);
        assert_eq!(
            municipality.reason,
            "Niet toegekend: de enveloppe ging volledig naar de aparte overeenkomsten van de partnerorganisaties, die buiten de verdeling volgens prioriteit eerst van de enveloppe af gaan."
        );
        let vgc = action(&allocation, "VGC", 1);
        assert!(
            vgc.reason.contains(
                "De enveloppe (€ 40.000,00) was kleiner dan de bedragen van de aparte overeenkomsten samen (€ 50.000,00); ze werd onder de partnerorganisaties verdeeld naar rato van hun overeenkomst: dit dossier kreeg € 24.000,00 van de € 30.000,00 waar het recht op had."
            ),
            "{}",
            vgc.reason
        );
        assert_eq!(allocation.granted, eur(40_000));
        assert_eq!(allocation.unallocated, Cents::ZERO);
        assert!(
            allocation.summary.starts_with(
                "De enveloppe van € 40.000,00 is kleiner dan de bedragen van de aparte overeenkomsten samen (€ 50.000,00)"
            ),
            "{}",
            allocation.summary
        );
        assert!(
            allocation
                .summary
                .contains("voor de andere aanvragen bleef niets over")
        );
        assert!(!allocation.summary.contains("Er werd"));
    }

    #[test]
    fn a_partner_that_asks_less_than_its_share_leaves_the_rest_to_the_other_partner() {
        // Agreements 30:30, envelope € 20.000: De Rand asks only € 5.000, VGC gets € 15.000.
        let requests = [
            partner("VGC", "VGC", Some(30_000), &[(1, 60_000)]),
            partner("RAND", "vzw De Rand", Some(30_000), &[(1, 5_000)]),
        ];
        let allocation = allocate(eur(20_000), &requests).unwrap();
        assert_eq!(app(&allocation, "RAND").granted, eur(5_000));
        assert_eq!(app(&allocation, "VGC").granted, eur(15_000));
        assert_eq!(allocation.granted, eur(20_000));
    }

    #[test]
    fn an_empty_envelope_gives_a_partner_nothing_and_says_why() {
        let requests = [partner(
            "VGC",
            "VGC",
            Some(30_000),
            &[(1, 10_000), (2, 5_000)],
        )];
        let allocation = allocate(Cents::ZERO, &requests).unwrap();
        assert_eq!(allocation.granted, Cents::ZERO);
        for action in &app(&allocation, "VGC").actions {
            assert_eq!(action.funding, Funding::None);
            assert!(
                action.reason.contains("De enveloppe (€ 0,00) was kleiner"),
                "{}",
                action.reason
            );
        }
    }

    #[test]
    fn incentives_come_after_the_agreements() {
        let mut cooperation = municipality("C", 2_000, &[(1, 40_000)]);
        cooperation.incentive = eur(10_000);
        let requests = [
            partner("VGC", "VGC", Some(30_000), &[(1, 30_000)]),
            cooperation,
        ];
        let allocation = allocate(eur(35_000), &requests).unwrap();
        assert_eq!(app(&allocation, "VGC").granted, eur(30_000));
        let coop = app(&allocation, "C");
        assert_eq!(coop.incentive_granted, eur(5_000));
        assert_eq!(
            coop.incentive_reason,
            "De incentives pasten niet volledig in wat na de aparte overeenkomsten van de enveloppe overbleef (€ 5.000,00); ze werden verdeeld naar rato van het aantal inwoners van niet-EU15-herkomst."
        );
        assert_eq!(action(&allocation, "C", 1).granted, Cents::ZERO);
        let none_left = allocate(eur(20_000), &requests).unwrap();
        assert!(
            app(&none_left, "C")
                .incentive_reason
                .starts_with("Niet toegekend: de enveloppe ging volledig")
        );
    }

    #[test]
    fn an_illustrative_agreement_says_so_in_its_reason() {
        let mut request = partner("VGC", "VGC", Some(30_000), &[(1, 30_000)]);
        request.agreement = Some(Agreement {
            amount: eur(30_000),
            illustrative: true,
        });
        let allocation = allocate(eur(100_000), &[request]).unwrap();
        assert!(
            action(&allocation, "VGC", 1)
                .reason
                .contains("(€ 30.000,00 per projectjaar, illustratief bedrag)")
        );
    }

    #[test]
    fn without_partners_the_allocation_reads_as_before() {
        let requests = [
            municipality("A", 1_000, &[(1, 20_000)]),
            municipality("B", 1_000, &[(1, 10_000)]),
        ];
        let allocation = allocate(eur(100_000), &requests).unwrap();
        assert_eq!(
            allocation.summary,
            "Alle 2 aanvragen passen in de enveloppe van € 100.000,00: € 30.000,00 gevraagd, alles toegekend; € 70.000,00 blijft over."
        );
        assert_eq!(allocation.agreements_granted, Cents::ZERO);
        assert!(
            allocation
                .applications
                .iter()
                .all(|a| a.agreement.is_none())
        );
    }

    #[test]
    fn the_fingerprint_follows_the_agreement_but_not_its_absence() {
        let without = [municipality("A", 1_000, &[(1, 20_000)])];
        let before = inputs_fingerprint(&without);
        // A request without agreement hashes as it did before agreements existed, so stored
        // proposals do not turn stale: sha256 of "A|1000|0|3.1:1:2000000;\n".
        assert_eq!(
            before,
            "232ec90b4dcc83943d6aa8662b0a81474231a6843c2087317b91918135db1ced"
        );
        let with = [partner("A", "A", Some(30_000), &[(1, 20_000)])];
        let other = [partner("A", "A", Some(31_000), &[(1, 20_000)])];
        assert_ne!(inputs_fingerprint(&with), inputs_fingerprint(&other));
        assert_ne!(inputs_fingerprint(&with), before);
    }

    #[test]
    fn an_adjustment_under_an_agreement_stays_within_it() {
        assert_eq!(
            check_agreement_adjustment(eur(10_000), eur(20_000), eur(30_000)),
            Ok(())
        );
        let refused =
            check_agreement_adjustment(eur(10_001), eur(20_000), eur(30_000)).unwrap_err();
        assert_eq!(
            refused,
            AdjustmentRefusal::OverAgreement {
                total: eur(30_001),
                agreement: eur(30_000),
                room: eur(10_000)
            }
        );
        assert_eq!(
            refused.to_string(),
            "Met dit bedrag krijgt de partnerorganisatie € 30.001,00, meer dan haar aparte overeenkomst (€ 30.000,00 per projectjaar). Er is nog € 10.000,00 beschikbaar voor deze actie."
        );
    }
}
