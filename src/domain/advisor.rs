//! The pooling advisor: for a municipality, which cooperations inside its reference region
//! reach the pooled threshold, with as few members as possible, and which would also earn the
//! incentive.
//!
//! # How it works (and why the answers are provably minimal)
//!
//! The candidates are the other municipalities of the same reference region that are not yet in
//! an application of the call and have a non-EU15 figure for the call's reference year
//! (municipalities without a figure are never guessed: they are left out and listed). They are
//! sorted largest first (ties by NIS code, so answers are deterministic).
//!
//! - *Minimal size.* With `j` partners, no choice does better than the `j` largest candidates.
//!   So the smallest `j` whose greedy prefix reaches `threshold − own figure` is the minimum,
//!   and the prefix of `j − 1` (reported as [`Advice::best_with_one_partner_fewer`]) proves
//!   that one partner fewer cannot work.
//! - *Alternatives.* All subsets of exactly `j` partners that reach the threshold are
//!   enumerated depth-first in lexicographic order of the sorted candidates, pruning a branch
//!   as soon as the largest possible completion falls short. Every node visited lies on the way
//!   to a solution, so the first `max_proposals` are found in `O(max_proposals × j × n)`.
//! - *Incentive proposals.* The candidates are restricted to municipalities with at least the
//!   call's minimum share; the asking municipality must reach that share too, and the
//!   cooperation must contain an "anchor" with strictly more than the single threshold (DOMAIN
//!   rule 5). Anchors are the largest candidates, so they form a prefix of the sorted list and
//!   "contains an anchor" is "the first chosen partner is an anchor" (or the asker is one).
//!
//! # Decisions
//!
//! - Municipalities that could apply alone (above the single threshold, or named) may be
//!   proposed as partners and leads of a cooperation: DOMAIN rule 5 rewards exactly that. Since
//!   taking one in uses up its single application, every advice also lists
//!   [`Advice::small_only_proposals`]: the smallest cooperations made only of municipalities that
//!   cannot apply alone.
//! - A municipality that can apply alone gets no ordinary proposals (it needs none) but does get
//!   incentive proposals.
//! - The suggested lead of a proposal is its largest member; any member may lead.
//! - When no cooperation reaches the threshold and some municipalities of the region have no
//!   figure, the answer is "cannot decide", not "not reachable".

use std::collections::HashMap;

use serde::Serialize;

use super::call::CallRules;
use super::dutch::{format_count, join_names, share_basis_points_floor};
use super::eligibility::{can_apply_alone, cite, meets_incentive_share};
use super::figures::{Directory, Municipality, Taken};
use super::types::{NisCode, RegionCode};

/// How many proposals of each kind the advisor returns at most.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AdvisorOptions {
    /// Maximum number of proposals per list (at least 1).
    pub max_proposals: usize,
}

impl Default for AdvisorOptions {
    fn default() -> Self {
        Self { max_proposals: 5 }
    }
}

/// Why the advisor could not answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AdvisorError {
    /// The NIS code is not among the call's municipalities.
    #[error("Er is geen gemeente met NIS-code {0} in deze oproep.")]
    UnknownMunicipality(NisCode),
}

/// The overall answer for one municipality.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AdviceStatus {
    /// It may apply alone (it may still cooperate for the incentive).
    Alone,
    /// It needs a cooperation; proposals follow.
    Cooperation,
    /// No cooperation inside its reference region reaches the threshold.
    NotReachable,
    /// It is already in an application of the call.
    AlreadyTaken,
    /// Figures are missing, so the advisor will not guess.
    CannotDecide,
}

/// One member of a proposal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProposalMember {
    /// NIS code.
    pub nis_code: NisCode,
    /// Name.
    pub name: String,
    /// Residents of non-EU15 origin in the reference year.
    pub non_eu15: u64,
    /// Share of non-EU15 residents in basis points (rounded down), if residents are known.
    pub share_basis_points: Option<u64>,
    /// It could also apply alone.
    pub can_apply_alone: bool,
}

/// A proposed cooperation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Proposal {
    /// Members, largest first; always includes the asking municipality.
    pub members: Vec<ProposalMember>,
    /// Residents of non-EU15 origin together.
    pub total_non_eu15: u64,
    /// Suggested lead: the largest member.
    pub suggested_lead: NisCode,
    /// It would earn the incentive (every member at least the minimum share, an anchor above
    /// the single threshold, at least two members).
    pub earns_incentive: bool,
    /// A fictitious demo figure is involved.
    pub fictitious: bool,
    /// Dutch sentence describing the proposal.
    pub message: String,
}

impl Proposal {
    /// The members' NIS codes.
    pub fn nis_codes(&self) -> impl Iterator<Item = NisCode> + '_ {
        self.members.iter().map(|m| m.nis_code)
    }
}

/// The advisor's answer for one municipality.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Advice {
    /// The asking municipality.
    pub nis_code: NisCode,
    /// Its name.
    pub name: String,
    /// Its reference region.
    pub region_code: RegionCode,
    /// The region's name.
    pub region_name: String,
    /// The overall answer.
    pub status: AdviceStatus,
    /// Dutch summary.
    pub message: String,
    /// The fewest members (the asker included) of a cooperation reaching the threshold.
    pub minimal_size: Option<usize>,
    /// The most non-EU15 residents a cooperation of one member fewer can reach (the proof that
    /// `minimal_size` is minimal); `None` when one member fewer would be a single municipality.
    pub best_with_one_partner_fewer: Option<u64>,
    /// Dutch sentence explaining why no smaller cooperation exists.
    pub minimality: Option<String>,
    /// The smallest cooperations reaching the threshold, first the greedy one.
    pub proposals: Vec<Proposal>,
    /// The smallest cooperations reaching the threshold without any member that could apply
    /// alone.
    pub small_only_proposals: Vec<Proposal>,
    /// The smallest cooperations that also earn the incentive.
    pub incentive_proposals: Vec<Proposal>,
    /// Dutch sentence on the incentive (why there are or are no incentive proposals).
    pub incentive_message: String,
    /// Municipalities of the region left out because they are already in an application.
    pub excluded_taken: Vec<NisCode>,
    /// Municipalities of the region left out because their non-EU15 figure is missing.
    pub excluded_without_figures: Vec<NisCode>,
    /// A fictitious demo figure is involved.
    pub fictitious: bool,
}

#[derive(Debug, Clone, Copy)]
struct Candidate<'a> {
    m: &'a Municipality,
    value: u64,
    alone: bool,
    anchor: bool,
    share_ok: Option<bool>,
    fictitious: bool,
}

#[derive(Debug, Default)]
struct RegionPool<'a> {
    available: Vec<Candidate<'a>>,
    taken: Vec<NisCode>,
    without_figures: Vec<NisCode>,
}

/// The advisor for one call, one set of municipalities and one set of taken municipalities.
/// Building it sorts every region once; [`Advisor::advise`] is then cheap enough for every
/// page view.
#[derive(Debug)]
pub struct Advisor<'a> {
    call: &'a CallRules,
    directory: &'a Directory,
    taken: &'a Taken,
    options: AdvisorOptions,
    regions: HashMap<&'a RegionCode, RegionPool<'a>>,
}

enum Search {
    Found {
        partners: usize,
        best_with_fewer: Option<u64>,
        combos: Vec<Vec<usize>>,
    },
    NoAnchor,
    TooFew {
        best_total: u64,
    },
}

impl<'a> Advisor<'a> {
    /// Prepares the advisor.
    pub fn new(
        call: &'a CallRules,
        directory: &'a Directory,
        taken: &'a Taken,
        options: AdvisorOptions,
    ) -> Self {
        let mut regions: HashMap<&'a RegionCode, RegionPool<'a>> = HashMap::new();
        for m in directory.iter() {
            let pool = regions.entry(&m.region_code).or_default();
            if taken.contains(m.nis_code) {
                pool.taken.push(m.nis_code);
                continue;
            }
            match m.non_eu15_in(call.reference_year).found() {
                Some(figure) => pool.available.push(Candidate {
                    m,
                    value: figure.value,
                    alone: can_apply_alone(call, m) == Some(true),
                    anchor: figure.value > call.single_applicant_min_exclusive,
                    share_ok: meets_incentive_share(call, m),
                    fictitious: figure.fictitious
                        || m.residents_in(call.reference_year)
                            .found()
                            .is_some_and(|r| r.fictitious),
                }),
                None => pool.without_figures.push(m.nis_code),
            }
        }
        for pool in regions.values_mut() {
            pool.available.sort_by(|a, b| {
                b.value
                    .cmp(&a.value)
                    .then_with(|| a.m.nis_code.cmp(&b.m.nis_code))
            });
            pool.taken.sort();
            pool.without_figures.sort();
        }
        Self {
            call,
            directory,
            taken,
            options: AdvisorOptions {
                max_proposals: options.max_proposals.max(1),
            },
            regions,
        }
    }

    /// Advice for every municipality, in the directory's order.
    pub fn advise_all(&self) -> Vec<Advice> {
        self.directory
            .iter()
            .filter_map(|m| self.advise(m.nis_code).ok())
            .collect()
    }

    /// Advice for one municipality.
    pub fn advise(&self, nis_code: NisCode) -> Result<Advice, AdvisorError> {
        let m = self
            .directory
            .get(nis_code)
            .ok_or(AdvisorError::UnknownMunicipality(nis_code))?;
        let empty = RegionPool::default();
        let pool = self.regions.get(&m.region_code).unwrap_or(&empty);
        let others: Vec<Candidate<'a>> = pool
            .available
            .iter()
            .filter(|c| c.m.nis_code != nis_code)
            .copied()
            .collect();
        let own = pool
            .available
            .iter()
            .find(|c| c.m.nis_code == nis_code)
            .copied();
        let mut advice = Advice {
            nis_code,
            name: m.name.clone(),
            region_code: m.region_code.clone(),
            region_name: m.region_name.clone(),
            status: AdviceStatus::CannotDecide,
            message: String::new(),
            minimal_size: None,
            best_with_one_partner_fewer: None,
            minimality: None,
            proposals: Vec::new(),
            small_only_proposals: Vec::new(),
            incentive_proposals: Vec::new(),
            incentive_message: String::new(),
            excluded_taken: pool.taken.clone(),
            excluded_without_figures: pool
                .without_figures
                .iter()
                .copied()
                .filter(|n| *n != nis_code)
                .collect(),
            fictitious: false,
        };
        let pooled = self.call.pooled_min_inclusive;

        if let Some(reference) = self.taken.application_of(nis_code) {
            advice.status = AdviceStatus::AlreadyTaken;
            advice.message = format!(
                "{} zit al in aanvraag {reference} voor deze oproep; een gemeente kan maar in één aanvraag per oproep zitten.",
                m.name
            );
            advice.incentive_message = advice.message.clone();
            return Ok(advice);
        }

        match (can_apply_alone(self.call, m), own) {
            (Some(true), _) => {
                advice.status = AdviceStatus::Alone;
                advice.message = format!(
                    "{} kan zelfstandig indienen; een samenwerking is niet nodig.",
                    m.name
                );
            }
            (None, _) | (Some(false), None) => {
                advice.status = AdviceStatus::CannotDecide;
                advice.message = format!(
                    "Voor {} is er geen cijfer van het aantal inwoners van niet-EU15-herkomst voor referentiejaar {}: zonder dat cijfer stelt de adviseur geen samenwerking voor, want dat zou gokken zijn.",
                    m.name, self.call.reference_year
                );
                advice.incentive_message = advice.message.clone();
                return Ok(advice);
            }
            (Some(false), Some(own)) => {
                self.fill_cooperations(&mut advice, own, &others, pool, pooled);
            }
        }

        match own {
            Some(own) => self.fill_incentive(&mut advice, own, &others, pooled),
            None => {
                advice.incentive_message = format!(
                    "Voor {} ontbreekt het cijfer van {}: zonder dat cijfer is niet te zeggen of een samenwerking de incentive zou verdienen.",
                    m.name, self.call.reference_year
                );
            }
        }
        advice.fictitious = advice
            .proposals
            .iter()
            .chain(&advice.small_only_proposals)
            .chain(&advice.incentive_proposals)
            .any(|p| p.fictitious)
            || own.is_some_and(|c| c.fictitious);
        Ok(advice)
    }

    fn fill_cooperations(
        &self,
        advice: &mut Advice,
        own: Candidate<'a>,
        others: &[Candidate<'a>],
        pool: &RegionPool<'a>,
        pooled: u64,
    ) {
        let need = pooled.saturating_sub(own.value);
        let limit = self.options.max_proposals;
        match smallest(others, need, false, limit) {
            Search::Found {
                partners,
                best_with_fewer,
                combos,
            } => {
                advice.status = AdviceStatus::Cooperation;
                advice.minimal_size = Some(partners + 1);
                advice.best_with_one_partner_fewer =
                    best_with_fewer.map(|b| b.saturating_add(own.value));
                advice.minimality = Some(self.minimality_sentence(own, others, partners));
                advice.proposals = combos
                    .iter()
                    .map(|combo| self.proposal(own, others, combo))
                    .collect();
                advice.message = format!(
                    "{} kan niet zelfstandig indienen, enkel in samenwerking. De kleinste samenwerkingen binnen de referentieregio {} die samen minstens {} inwoners van niet-EU15-herkomst tellen, hebben {} gemeenten.",
                    own.m.name,
                    own.m.region_name,
                    format_count(pooled),
                    partners + 1
                );
            }
            Search::TooFew { best_total } => {
                let total = best_total.saturating_add(own.value);
                let excluded = exclusion_sentence(pool, own.m.nis_code);
                if pool.without_figures.iter().any(|n| *n != own.m.nis_code) {
                    advice.status = AdviceStatus::CannotDecide;
                    advice.message = format!(
                        "Met de gemeenten van de referentieregio {} waarvan er cijfers zijn, haalt {} samen hoogstens {} inwoners van niet-EU15-herkomst, minder dan {}; voor sommige gemeenten ontbreken cijfers, dus is het niet te beslissen.{excluded}",
                        own.m.region_name,
                        own.m.name,
                        format_count(total),
                        format_count(pooled)
                    );
                } else {
                    advice.status = AdviceStatus::NotReachable;
                    advice.message = format!(
                        "Binnen de referentieregio {} halen {} en alle {} beschikbare gemeenten samen maar {} inwoners van niet-EU15-herkomst, minder dan {}: er is geen samenwerking mogelijk die de drempel haalt.{excluded}",
                        own.m.region_name,
                        own.m.name,
                        others.len(),
                        format_count(total),
                        format_count(pooled)
                    );
                }
            }
            Search::NoAnchor => {}
        }
        let small: Vec<Candidate<'a>> = others.iter().filter(|c| !c.alone).copied().collect();
        if let Search::Found { combos, .. } = smallest(&small, need, false, limit) {
            advice.small_only_proposals = combos
                .iter()
                .map(|combo| self.proposal(own, &small, combo))
                .collect();
        }
    }

    fn fill_incentive(
        &self,
        advice: &mut Advice,
        own: Candidate<'a>,
        others: &[Candidate<'a>],
        pooled: u64,
    ) {
        let minimum = self.call.incentive_min_share_basis_points;
        let amount = self.call.incentive_cents_per_project_year;
        match own.share_ok {
            None => {
                advice.incentive_message = format!(
                    "Voor {} ontbreekt het inwonersaantal van {}: zonder dat cijfer is het aandeel inwoners van niet-EU15-herkomst niet te berekenen, en dus niet te zeggen of een incentive mogelijk is.",
                    own.m.name, self.call.reference_year
                );
                return;
            }
            Some(false) => {
                advice.incentive_message = format!(
                    "{} telt minder dan {minimum} inwoners van niet-EU15-herkomst: een samenwerking met {} verdient geen incentive.",
                    own.m.name, own.m.name
                );
                return;
            }
            Some(true) => {}
        }
        let eligible: Vec<Candidate<'a>> = others
            .iter()
            .filter(|c| c.share_ok == Some(true))
            .copied()
            .collect();
        let need = pooled.saturating_sub(own.value);
        match smallest(&eligible, need, !own.anchor, self.options.max_proposals) {
            Search::Found {
                combos, partners, ..
            } => {
                advice.incentive_proposals = combos
                    .iter()
                    .map(|combo| self.proposal(own, &eligible, combo))
                    .collect();
                advice.incentive_message = format!(
                    "Een samenwerking van {} gemeenten binnen de referentieregio {} met een gemeente boven {} en elk minstens {minimum} inwoners van niet-EU15-herkomst verdient een incentive van {amount} per projectjaar.",
                    partners + 1,
                    own.m.region_name,
                    format_count(self.call.single_applicant_min_exclusive)
                );
            }
            Search::NoAnchor => {
                advice.incentive_message = format!(
                    "Geen incentive mogelijk: geen beschikbare gemeente van de referentieregio {} met minstens {minimum} inwoners van niet-EU15-herkomst telt er meer dan {}.",
                    own.m.region_name,
                    format_count(self.call.single_applicant_min_exclusive)
                );
            }
            Search::TooFew { .. } => {
                advice.incentive_message = if eligible.is_empty() {
                    format!(
                        "Geen incentive mogelijk: geen andere beschikbare gemeente van de referentieregio {} telt minstens {minimum} inwoners van niet-EU15-herkomst.",
                        own.m.region_name
                    )
                } else {
                    format!(
                        "Geen incentive mogelijk: de beschikbare gemeenten van de referentieregio {} met minstens {minimum} inwoners van niet-EU15-herkomst halen samen de drempel van {} niet.",
                        own.m.region_name,
                        format_count(pooled)
                    )
                };
            }
        }
    }

    fn minimality_sentence(
        &self,
        own: Candidate<'a>,
        others: &[Candidate<'a>],
        partners: usize,
    ) -> String {
        let pooled = self.call.pooled_min_inclusive;
        if partners <= 1 {
            return format!(
                "Kleiner kan niet: {} telt {} inwoners van niet-EU15-herkomst en kan dus niet zelfstandig indienen (daarvoor is meer dan {} nodig), en een samenwerking telt minstens twee gemeenten.",
                own.m.name,
                format_count(own.value),
                format_count(self.call.single_applicant_min_exclusive)
            );
        }
        let fewer = partners - 1;
        let biggest: Vec<String> = others
            .iter()
            .take(fewer)
            .map(|c| format!("{} ({})", c.m.name, format_count(c.value)))
            .collect();
        let best = others
            .iter()
            .take(fewer)
            .fold(own.value, |acc, c| acc.saturating_add(c.value));
        format!(
            "Met {} gemeenten lukt het niet: zelfs met de {} grootste beschikbare {} ({}) komt {} ({}) samen maar aan {}, minder dan {}.",
            partners,
            fewer,
            if fewer == 1 { "partner" } else { "partners" },
            join_names(&biggest),
            own.m.name,
            format_count(own.value),
            format_count(best),
            format_count(pooled)
        )
    }

    fn proposal(&self, own: Candidate<'a>, pool: &[Candidate<'a>], combo: &[usize]) -> Proposal {
        let mut members: Vec<Candidate<'a>> = Vec::with_capacity(combo.len() + 1);
        members.push(own);
        members.extend(combo.iter().filter_map(|i| pool.get(*i).copied()));
        members.sort_by(|a, b| {
            b.value
                .cmp(&a.value)
                .then_with(|| a.m.nis_code.cmp(&b.m.nis_code))
        });
        let total = members
            .iter()
            .fold(0u64, |acc, c| acc.saturating_add(c.value));
        let fictitious = members.iter().any(|c| c.fictitious);
        let earns_incentive = members.len() >= 2
            && members.iter().any(|c| c.anchor)
            && members.iter().all(|c| c.share_ok == Some(true));
        let parts: Vec<String> = members
            .iter()
            .map(|c| format!("{} ({})", c.m.name, format_count(c.value)))
            .collect();
        let sources: Vec<&str> = members
            .iter()
            .filter_map(|c| c.m.non_eu15.as_ref().map(|f| f.source.as_str()))
            .collect();
        let suggested_lead = members.first().map_or(own.m.nis_code, |c| c.m.nis_code);
        let lead_name = members
            .first()
            .map_or(own.m.name.as_str(), |c| c.m.name.as_str());
        let mut message = format!(
            "{}: samen {} inwoners van niet-EU15-herkomst {}. Voorgestelde trekker: {lead_name}, de gemeente met de meeste inwoners van niet-EU15-herkomst.",
            join_names(&parts),
            format_count(total),
            cite(self.call.reference_year.get(), &sources, fictitious)
        );
        if earns_incentive {
            message.push_str(&format!(
                " Deze samenwerking verdient de incentive van {} per projectjaar.",
                self.call.incentive_cents_per_project_year
            ));
        }
        Proposal {
            members: members
                .iter()
                .map(|c| ProposalMember {
                    nis_code: c.m.nis_code,
                    name: c.m.name.clone(),
                    non_eu15: c.value,
                    share_basis_points: c
                        .m
                        .residents_in(self.call.reference_year)
                        .found()
                        .and_then(|r| share_basis_points_floor(c.value, r.value)),
                    can_apply_alone: c.alone,
                })
                .collect(),
            total_non_eu15: total,
            suggested_lead,
            earns_incentive,
            fictitious,
            message,
        }
    }
}

fn exclusion_sentence(pool: &RegionPool<'_>, asking: NisCode) -> String {
    let without = pool
        .without_figures
        .iter()
        .filter(|n| **n != asking)
        .count();
    let mut parts = Vec::new();
    if !pool.taken.is_empty() {
        parts.push(format!(
            "{} {} al in een aanvraag",
            pool.taken.len(),
            if pool.taken.len() == 1 {
                "gemeente zit"
            } else {
                "gemeenten zitten"
            }
        ));
    }
    if without > 0 {
        parts.push(format!(
            "voor {without} {} ontbreekt het cijfer",
            if without == 1 {
                "gemeente"
            } else {
                "gemeenten"
            }
        ));
    }
    if parts.is_empty() {
        String::new()
    } else {
        format!(" (Niet meegeteld: {}.)", join_names(&parts))
    }
}

/// The smallest number of partners from `pool` (sorted largest first) whose values reach
/// `need`, and up to `limit` such sets of partners (indices into `pool`) in lexicographic order.
/// With `need_anchor`, every set must contain an anchor. At least one partner is always chosen.
fn smallest(pool: &[Candidate<'_>], need: u64, need_anchor: bool, limit: usize) -> Search {
    if need_anchor && !pool.first().is_some_and(|c| c.anchor) {
        // Anchors are the largest values, so they would come first.
        return Search::NoAnchor;
    }
    let mut prefix = Vec::with_capacity(pool.len() + 1);
    prefix.push(0u64);
    for c in pool {
        let last = prefix.last().copied().unwrap_or(0);
        prefix.push(last.saturating_add(c.value));
    }
    let Some(partners) = (1..=pool.len()).find(|j| prefix.get(*j).is_some_and(|s| *s >= need))
    else {
        return Search::TooFew {
            best_total: prefix.last().copied().unwrap_or(0),
        };
    };
    let best_with_fewer = (partners > 1)
        .then(|| prefix.get(partners - 1).copied())
        .flatten();
    let mut combos = Vec::new();
    let mut chosen = Vec::with_capacity(partners);
    let search = Enumeration {
        pool,
        prefix: &prefix,
        need,
        size: partners,
        need_anchor,
        limit,
    };
    search.walk(0, 0, false, &mut chosen, &mut combos);
    Search::Found {
        partners,
        best_with_fewer,
        combos,
    }
}

struct Enumeration<'p, 'a> {
    pool: &'p [Candidate<'a>],
    prefix: &'p [u64],
    need: u64,
    size: usize,
    need_anchor: bool,
    limit: usize,
}

impl Enumeration<'_, '_> {
    fn window(&self, start: usize, len: usize) -> u64 {
        match (self.prefix.get(start + len), self.prefix.get(start)) {
            (Some(end), Some(begin)) => end.saturating_sub(*begin),
            _ => 0,
        }
    }

    fn walk(
        &self,
        start: usize,
        sum: u64,
        has_anchor: bool,
        chosen: &mut Vec<usize>,
        out: &mut Vec<Vec<usize>>,
    ) {
        if out.len() >= self.limit {
            return;
        }
        let remaining = self.size - chosen.len();
        if remaining == 0 {
            if sum >= self.need && (has_anchor || !self.need_anchor) {
                out.push(chosen.clone());
            }
            return;
        }
        let Some(last_start) = self.pool.len().checked_sub(remaining) else {
            return;
        };
        for index in start..=last_start {
            // The best completion from here takes the `remaining` largest candidates left,
            // which are the next ones; later starts are only smaller.
            if sum.saturating_add(self.window(index, remaining)) < self.need {
                break;
            }
            let Some(candidate) = self.pool.get(index) else {
                break;
            };
            if self.need_anchor && !has_anchor && !candidate.anchor {
                // Anchors form a prefix of the pool: none is left.
                break;
            }
            chosen.push(index);
            self.walk(
                index + 1,
                sum.saturating_add(candidate.value),
                has_anchor || candidate.anchor,
                chosen,
                out,
            );
            chosen.pop();
            if out.len() >= self.limit {
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::call::tests::sample_call;
    use crate::domain::eligibility::assess_cooperation;
    use crate::domain::figures::tests::town;
    use crate::domain::verdict::{Decision, IncentiveStatus};
    use proptest::prelude::*;

    fn nis(code: u32) -> NisCode {
        NisCode::new(code).unwrap()
    }

    /// Waasland-like region R14 and a second region R11.
    fn directory() -> Directory {
        Directory::new(vec![
            town(46_025, "Sint-Niklaas", "R14", 12_000, 78_000), // anchor, 15.38%
            town(46_003, "Beveren", "R14", 4_000, 48_000),       // 8.33%
            town(46_029, "Lokeren", "R14", 3_500, 20_000),       // 17.5%
            town(46_021, "Temse", "R14", 2_000, 12_000),         // 16.67%
            town(46_024, "Sint-Gillis-Waas", "R14", 1_000, 20_000),
            town(46_014, "Kruibeke", "R14", 1_000, 17_000),
            town(41_002, "Aalst", "R11", 2_000, 86_000),
            town(41_011, "Denderleeuw", "R11", 1_500, 20_000),
        ])
        .unwrap()
    }

    fn advise(dir: &Directory, taken: &Taken, code: u32) -> Advice {
        let call = sample_call();
        Advisor::new(&call, dir, taken, AdvisorOptions::default())
            .advise(nis(code))
            .unwrap()
    }

    fn codes(p: &Proposal) -> Vec<u32> {
        p.nis_codes().map(NisCode::get).collect()
    }

    #[test]
    fn a_small_municipality_gets_the_fewest_members_first() {
        let advice = advise(&directory(), &Taken::new(), 46_021);
        assert_eq!(advice.status, AdviceStatus::Cooperation);
        assert_eq!(advice.minimal_size, Some(2));
        // Temse (2,000) + Sint-Niklaas (12,000) is the greedy pair.
        assert_eq!(codes(&advice.proposals[0]), vec![46_025, 46_021]);
        assert!(
            advice
                .proposals
                .iter()
                .all(|p| p.members.len() == 2 && p.total_non_eu15 >= 7_500)
        );
        assert_eq!(advice.proposals[0].suggested_lead, nis(46_025));
    }

    #[test]
    fn without_the_big_partner_the_proof_names_the_largest_partners() {
        let mut taken = Taken::new();
        taken.insert(nis(46_025), "A-1").unwrap();
        // Kruibeke (1,000) needs 6,500 more: Beveren 4,000 + Lokeren 3,500 = 7,500 → size 3.
        let advice = advise(&directory(), &taken, 46_014);
        assert_eq!(advice.status, AdviceStatus::Cooperation);
        assert_eq!(advice.minimal_size, Some(3));
        assert_eq!(advice.best_with_one_partner_fewer, Some(5_000));
        let proof = advice.minimality.unwrap_or_default();
        assert!(proof.contains("Beveren (4.000)"), "{proof}");
        assert!(proof.contains("5.000"), "{proof}");
        assert_eq!(codes(&advice.proposals[0]), vec![46_003, 46_029, 46_014]);
        assert_eq!(advice.excluded_taken, vec![nis(46_025)]);
        assert!(advice.proposals.iter().all(|p| !codes(p).contains(&46_025)));
    }

    #[test]
    fn a_municipality_already_taken_gets_no_proposals() {
        let mut taken = Taken::new();
        taken.insert(nis(46_021), "A-7").unwrap();
        let advice = advise(&directory(), &taken, 46_021);
        assert_eq!(advice.status, AdviceStatus::AlreadyTaken);
        assert!(advice.proposals.is_empty() && advice.incentive_proposals.is_empty());
        assert!(advice.message.contains("A-7"));
    }

    #[test]
    fn an_unreachable_region_is_explained() {
        let advice = advise(&directory(), &Taken::new(), 41_002);
        assert_eq!(advice.status, AdviceStatus::NotReachable);
        assert!(advice.proposals.is_empty());
        assert!(advice.message.contains("3.500"), "{}", advice.message);
    }

    #[test]
    fn missing_figures_are_never_guessed() {
        let mut municipalities: Vec<Municipality> = directory().iter().cloned().collect();
        municipalities[3].non_eu15 = None; // Temse
        municipalities[7].non_eu15 = None; // Denderleeuw
        let dir = Directory::new(municipalities).unwrap();
        let own = advise(&dir, &Taken::new(), 46_021);
        assert_eq!(own.status, AdviceStatus::CannotDecide);
        let other = advise(&dir, &Taken::new(), 46_014);
        assert_eq!(other.excluded_without_figures, vec![nis(46_021)]);
        assert!(other.proposals.iter().all(|p| !codes(p).contains(&46_021)));
        // Aalst's region cannot reach 7,500 with the known figures, but one is missing.
        let aalst = advise(&dir, &Taken::new(), 41_002);
        assert_eq!(aalst.status, AdviceStatus::CannotDecide);
    }

    #[test]
    fn a_municipality_above_7500_may_apply_alone_and_gets_incentive_partners() {
        let advice = advise(&directory(), &Taken::new(), 46_025);
        assert_eq!(advice.status, AdviceStatus::Alone);
        assert!(advice.proposals.is_empty());
        // Partners with at least 15%: Lokeren (17.5%) and Temse (16.67%); Beveren (8.33%) is not.
        let partners: Vec<Vec<u32>> = advice.incentive_proposals.iter().map(codes).collect();
        assert_eq!(partners, vec![vec![46_025, 46_029], vec![46_025, 46_021]]);
        assert!(advice.incentive_proposals.iter().all(|p| p.earns_incentive));
        assert!(
            advice.incentive_message.contains("€ 10.000,00"),
            "{}",
            advice.incentive_message
        );
    }

    #[test]
    fn incentive_proposals_need_an_anchor_and_fifteen_percent_everywhere() {
        let advice = advise(&directory(), &Taken::new(), 46_029);
        assert_eq!(codes(&advice.incentive_proposals[0]), vec![46_025, 46_029]);
        // Beveren is under 15%: no incentive with Beveren.
        let beveren = advise(&directory(), &Taken::new(), 46_003);
        assert!(beveren.incentive_proposals.is_empty());
        assert!(
            beveren.incentive_message.contains("minder dan 15,00%"),
            "{}",
            beveren.incentive_message
        );
    }

    #[test]
    fn small_only_proposals_leave_single_applicants_out() {
        let advice = advise(&directory(), &Taken::new(), 46_021);
        assert!(!advice.small_only_proposals.is_empty());
        for p in &advice.small_only_proposals {
            assert!(p.members.iter().all(|m| !m.can_apply_alone));
            assert!(p.total_non_eu15 >= 7_500);
        }
        // Temse 2,000 + Beveren 4,000 + Lokeren 3,500.
        assert_eq!(
            codes(&advice.small_only_proposals[0]),
            vec![46_003, 46_029, 46_021]
        );
    }

    #[test]
    fn a_municipality_of_exactly_7500_still_needs_one_partner() {
        let dir = Directory::new(vec![
            town(46_025, "Sint-Niklaas", "R14", 7_500, 78_000),
            town(46_003, "Beveren", "R14", 10, 48_000),
        ])
        .unwrap();
        let advice = advise(&dir, &Taken::new(), 46_025);
        assert_eq!(advice.status, AdviceStatus::Cooperation);
        assert_eq!(advice.minimal_size, Some(2));
        assert!(
            advice
                .minimality
                .unwrap_or_default()
                .contains("minstens twee gemeenten")
        );
    }

    #[test]
    fn an_unknown_nis_code_is_an_error() {
        let call = sample_call();
        let dir = directory();
        let taken = Taken::new();
        let advisor = Advisor::new(&call, &dir, &taken, AdvisorOptions::default());
        assert_eq!(
            advisor.advise(nis(99_999)).err(),
            Some(AdvisorError::UnknownMunicipality(nis(99_999)))
        );
    }

    // ---- Property tests against a brute-force search on small random regions. ----

    #[derive(Debug, Clone)]
    struct World {
        towns: Vec<(u8, u64, u64, bool, bool)>, // region, non_eu15, residents, taken, has figure
        threshold: u64,
    }

    fn world() -> impl Strategy<Value = World> {
        (
            prop::collection::vec(
                (
                    0u8..2,
                    0u64..5_000,
                    1u64..40_000,
                    prop::bool::weighted(0.15),
                    prop::bool::weighted(0.9),
                ),
                2..11,
            ),
            1_000u64..12_000,
        )
            .prop_map(|(towns, threshold)| World { towns, threshold })
    }

    fn build(world: &World) -> (CallRules, Directory, Taken) {
        let mut call = sample_call();
        call.single_applicant_min_exclusive = world.threshold;
        call.pooled_min_inclusive = world.threshold;
        call.named_single_applicants.clear();
        let mut taken = Taken::new();
        let mut municipalities = Vec::new();
        for (i, (region, value, residents, is_taken, has_figure)) in world.towns.iter().enumerate()
        {
            let code = 20_000 + u32::try_from(i).unwrap();
            let mut m = town(
                code,
                &format!("G{i}"),
                &format!("R{region}"),
                *value,
                *residents + *value,
            );
            if !has_figure {
                m.non_eu15 = None;
            }
            if *is_taken {
                taken.insert(m.nis_code, &format!("T{i}")).unwrap();
            }
            municipalities.push(m);
        }
        (call, Directory::new(municipalities).unwrap(), taken)
    }

    /// Every subset of the available municipalities of `asker`'s region that contains the asker,
    /// has at least two members and satisfies `accept`, by brute force.
    fn brute_force(
        call: &CallRules,
        dir: &Directory,
        taken: &Taken,
        asker: &Municipality,
        accept: impl Fn(&[&Municipality]) -> bool,
    ) -> Vec<Vec<NisCode>> {
        let pool: Vec<&Municipality> = dir
            .region(&asker.region_code)
            .filter(|m| m.nis_code != asker.nis_code && !taken.contains(m.nis_code))
            .filter(|m| m.non_eu15_in(call.reference_year).found().is_some())
            .collect();
        let mut found = Vec::new();
        for mask in 1u32..(1 << pool.len()) {
            let mut members = vec![asker];
            members.extend(
                pool.iter()
                    .enumerate()
                    .filter(|(i, _)| mask & (1 << i) != 0)
                    .map(|(_, m)| *m),
            );
            if accept(&members) {
                found.push(members.iter().map(|m| m.nis_code).collect());
            }
        }
        found
    }

    fn sum(call: &CallRules, members: &[&Municipality]) -> u64 {
        members
            .iter()
            .filter_map(|m| m.non_eu15_in(call.reference_year).found())
            .map(|f| f.value)
            .sum()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        #[test]
        fn every_proposal_is_valid_and_minimal(world in world()) {
            let (call, dir, taken) = build(&world);
            let advisor = Advisor::new(&call, &dir, &taken, AdvisorOptions { max_proposals: 4 });
            for asker in dir.iter() {
                let advice = advisor.advise(asker.nis_code).unwrap();
                let reaches = |ms: &[&Municipality]| sum(&call, ms) >= call.pooled_min_inclusive;
                let all = brute_force(&call, &dir, &taken, asker, reaches);
                let smallest = all.iter().map(Vec::len).min();
                let known = asker.non_eu15_in(call.reference_year).found();
                match advice.status {
                    AdviceStatus::AlreadyTaken => prop_assert!(taken.contains(asker.nis_code)),
                    AdviceStatus::Alone => prop_assert!(known.is_some_and(|f| f.value > call.single_applicant_min_exclusive)),
                    AdviceStatus::CannotDecide => {
                        let region_missing = dir.region(&asker.region_code)
                            .any(|m| m.non_eu15_in(call.reference_year).found().is_none() && !taken.contains(m.nis_code));
                        prop_assert!(known.is_none() || (smallest.is_none() && region_missing));
                    }
                    AdviceStatus::NotReachable => prop_assert_eq!(smallest, None),
                    AdviceStatus::Cooperation => {
                        prop_assert_eq!(advice.minimal_size, smallest);
                        let expected = all.iter().filter(|s| Some(s.len()) == smallest).count().min(4);
                        prop_assert_eq!(advice.proposals.len(), expected);
                    }
                }
                let mut seen = std::collections::BTreeSet::new();
                for p in &advice.proposals {
                    let mut set: Vec<NisCode> = p.nis_codes().collect();
                    set.sort();
                    prop_assert!(seen.insert(set.clone()), "duplicate proposal");
                    prop_assert!(set.contains(&asker.nis_code));
                    prop_assert_eq!(Some(set.len()), advice.minimal_size);
                    prop_assert!(set.iter().all(|n| !taken.contains(*n)));
                    let members: Vec<&Municipality> = set.iter().filter_map(|n| dir.get(*n)).collect();
                    prop_assert!(members.iter().all(|m| m.region_code == asker.region_code));
                    prop_assert!(p.total_non_eu15 >= call.pooled_min_inclusive);
                    let verdict = assess_cooperation(&call, p.suggested_lead, &members, &taken);
                    prop_assert!(verdict.is_eligible(), "{:?}", verdict.summary);
                    let earned = matches!(verdict.decision, Decision::EligibleAsCooperation { incentive: IncentiveStatus::Earned });
                    prop_assert_eq!(earned, p.earns_incentive);
                }
                for p in &advice.small_only_proposals {
                    prop_assert!(p.members.iter().all(|m| !m.can_apply_alone));
                    prop_assert!(p.total_non_eu15 >= call.pooled_min_inclusive);
                }
            }
        }

        #[test]
        fn every_incentive_proposal_earns_it_and_none_smaller_exists(world in world()) {
            let (call, dir, taken) = build(&world);
            let advisor = Advisor::new(&call, &dir, &taken, AdvisorOptions { max_proposals: 3 });
            for asker in dir.iter() {
                let advice = advisor.advise(asker.nis_code).unwrap();
                if matches!(advice.status, AdviceStatus::AlreadyTaken | AdviceStatus::CannotDecide) {
                    prop_assert!(advice.incentive_proposals.is_empty());
                    continue;
                }
                let earns = |ms: &[&Municipality]| {
                    let verdict = assess_cooperation(&call, asker.nis_code, ms, &taken);
                    matches!(verdict.decision, Decision::EligibleAsCooperation { incentive: IncentiveStatus::Earned })
                };
                let all = brute_force(&call, &dir, &taken, asker, earns);
                let smallest = all.iter().map(Vec::len).min();
                let got = advice.incentive_proposals.first().map(|p| p.members.len());
                prop_assert_eq!(got, smallest);
                let expected = all.iter().filter(|s| Some(s.len()) == smallest).count().min(3);
                prop_assert_eq!(advice.incentive_proposals.len(), expected);
                for p in &advice.incentive_proposals {
                    prop_assert!(p.earns_incentive);
                    prop_assert!(p.nis_codes().any(|n| n == asker.nis_code));
                    let members: Vec<&Municipality> = p.nis_codes().filter_map(|n| dir.get(n)).collect();
                    prop_assert!(earns(&members));
                }
            }
        }
    }
}
