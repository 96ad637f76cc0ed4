//! The official's dashboard (`/gemeente`) and the organisation's dossier list (`/dossiers`).
//!
//! The dashboard shows the municipality's figures for the reference year of the open call, the
//! eligibility verdict of the rules engine per open call, what the official can do about it
//! (start a dossier, or the pooling advisor's cooperations), the organisation's dossiers and the
//! next steps derived from them. Every verdict and proposal comes from `crate::domain` as it is;
//! this module only turns them into page rows.

use std::collections::HashMap;

use askama::Template;
use axum::extract::State;
use axum::response::Html;
use chrono::{DateTime, Utc};

use entity::application::ApplicationState;
use entity::application_member::ConsentState;
use entity::population_figure;

use crate::auth::session::CurrentUser;
use crate::domain::dutch::{format_count, join_names, share_basis_points_floor};
use crate::domain::eligibility::merger_note;
use crate::domain::figures::shown_source;
use crate::domain::{
    Advice, AdviceStatus, Decision, Directory, FICTITIOUS_MARK, FigureKind, NisCode, Outcome,
    Proposal, RuleResult, Verdict, assess_partner,
};
use crate::error::AppError;
use crate::policy::{self, Action};
use crate::state::AppState;
use crate::store;
use crate::store::municipalities::{
    DossierSummary, Organisation, Participation, Standing, StandingQuery,
};
use crate::store::reference_cache::Reference;
use crate::store::rules::CallContext;
use crate::web::RouteTable;
use crate::web::context::PageContext;
use crate::web::dossiers::state_label;
use crate::web::filters;
use crate::web::pages::{Layout, render};
use crate::web::routes::OFFICIALS;

pub fn routes() -> RouteTable {
    RouteTable::new()
        .get("/gemeente", OFFICIALS, dashboard)
        .get("/dossiers", OFFICIALS, list)
}

// ---------------------------------------------------------------------------------------------
// Page rows

/// One population figure as shown.
pub struct FigureCell {
    pub value: u64,
    pub source: String,
    pub fictitious: bool,
}

/// The municipality's figures for one reference year.
pub struct FiguresView {
    pub reference_year: i32,
    pub residents: Option<FigureCell>,
    pub non_eu15: Option<FigureCell>,
    /// The non-EU15 share in basis points, rounded down; `None` when a figure is missing.
    pub share: Option<u64>,
    /// For a municipality formed by a merger after the reference year: which former
    /// municipalities the figures are the sum of, or which figure is missing.
    pub merger_notes: Vec<String>,
}

impl FiguresView {
    /// The figures the rules engine uses for `m` under `call` (for a merged municipality the
    /// sums over its former municipalities, with the sentences that say so).
    fn of_municipality(call: &crate::domain::CallRules, m: &crate::domain::Municipality) -> Self {
        let year = call.reference_year;
        let cell = |f: &crate::domain::Figure| FigureCell {
            value: f.value,
            source: shown_source(&f.source),
            fictitious: f.fictitious,
        };
        let residents = m.residents_in(year).found();
        let non_eu15 = m.non_eu15_in(year).found();
        let share = match (non_eu15, residents) {
            (Some(n), Some(r)) => share_basis_points_floor(n.value, r.value),
            _ => None,
        };
        Self {
            reference_year: i32::from(year.get()),
            residents: residents.map(cell),
            non_eu15: non_eu15.map(cell),
            share,
            merger_notes: [FigureKind::NonEu15, FigureKind::Residents]
                .into_iter()
                .filter_map(|kind| merger_note(call, m, kind).map(|(sentence, _)| sentence))
                .collect(),
        }
    }

    fn from_row(reference_year: i32, row: Option<&population_figure::Model>) -> Self {
        let residents = row.and_then(|f| {
            Some(FigureCell {
                value: u64::try_from(f.residents?).ok()?,
                source: shown_source(f.residents_source.as_deref().unwrap_or_default()),
                fictitious: false,
            })
        });
        let non_eu15 = row.and_then(|f| {
            Some(FigureCell {
                value: u64::try_from(f.non_eu15_residents?).ok()?,
                source: shown_source(f.non_eu15_source.as_deref().unwrap_or_default()),
                fictitious: f.non_eu15_fictitious,
            })
        });
        let share = row.and_then(|f| {
            let non_eu15 = u64::try_from(f.non_eu15_residents?).ok()?;
            let residents = u64::try_from(f.residents?).ok()?;
            share_basis_points_floor(non_eu15, residents)
        });
        Self {
            reference_year,
            residents,
            non_eu15,
            share,
            merger_notes: Vec::new(),
        }
    }

    pub fn fictitious(&self) -> bool {
        self.non_eu15.as_ref().is_some_and(|f| f.fictitious)
            || self.residents.as_ref().is_some_and(|f| f.fictitious)
    }
}

/// One rule result: the outcome as a word and a CSS class, and the engine's Dutch sentence.
pub struct RuleRow {
    pub rule: &'static str,
    pub word: &'static str,
    pub class: &'static str,
    pub message: String,
    pub fictitious: bool,
}

/// The outcome of a rule as a Dutch word and a CSS class (`verdict pass|fail|warning|undecided`),
/// so the status never depends on colour alone.
pub fn outcome_label(outcome: Outcome) -> (&'static str, &'static str) {
    let class = match outcome {
        Outcome::Pass => "pass",
        Outcome::Fail => "fail",
        Outcome::Warning => "warning",
        Outcome::CannotDecide => "undecided",
    };
    (outcome.label(), class)
}

/// The decision of a verdict as a Dutch word and a CSS class.
pub fn decision_label(decision: Decision) -> (&'static str, &'static str) {
    let class = match decision {
        Decision::EligibleAlone
        | Decision::EligibleAsCooperation { .. }
        | Decision::EligibleAsPartner => "pass",
        Decision::OnlyInCooperation | Decision::NotEligible => "fail",
        Decision::CannotDecide => "undecided",
    };
    (decision.label(), class)
}

impl From<&RuleResult> for RuleRow {
    fn from(result: &RuleResult) -> Self {
        let (word, class) = outcome_label(result.outcome);
        Self {
            rule: result.rule.as_str(),
            word,
            class,
            message: result.message.clone(),
            // The engine's sentence already carries the mark: the page does not add a second.
            fictitious: result.fictitious && !result.message.contains(FICTITIOUS_MARK),
        }
    }
}

pub struct VerdictView {
    pub word: &'static str,
    pub class: &'static str,
    pub summary: String,
    pub results: Vec<RuleRow>,
    pub fictitious: bool,
}

impl From<&Verdict> for VerdictView {
    fn from(verdict: &Verdict) -> Self {
        let (word, class) = decision_label(verdict.decision);
        Self {
            word,
            class,
            summary: verdict.summary.clone(),
            results: verdict.results.iter().map(RuleRow::from).collect(),
            // Under a demo call the summary already says the call is fictitious: no second tag.
            fictitious: verdict.fictitious
                && !verdict.call_fictitious
                && !verdict.summary.contains(FICTITIOUS_MARK),
        }
    }
}

pub struct MemberRow {
    pub name: String,
    pub non_eu15: u64,
    /// Basis points; `None` when the residents are unknown.
    pub share: Option<u64>,
    pub can_apply_alone: bool,
    pub is_self: bool,
    pub is_lead: bool,
}

pub struct ProposalView {
    pub caption: String,
    /// Members and total in one phrase.
    pub summary: String,
    /// The same cooperation was shown earlier on the page: a sentence pointing at it.
    pub same_as: Option<String>,
    pub members: Vec<MemberRow>,
    pub total: u64,
    pub message: String,
    pub earns_incentive: bool,
    pub fictitious: bool,
    /// The other members' NIS codes, comma-separated: who the asking municipality would invite
    /// when it starts this cooperation as lead.
    pub invite: String,
    /// The advisor's proposed lead, by name.
    pub lead_name: String,
    /// The asking municipality, by name: the start button makes it the lead.
    pub asking_name: String,
    /// The asking municipality is the proposed lead.
    pub asking_leads: bool,
}

impl ProposalView {
    fn new(number: usize, proposal: &Proposal, asking: NisCode) -> Self {
        let names: Vec<&str> = proposal.members.iter().map(|m| m.name.as_str()).collect();
        let name_of = |nis: NisCode| {
            proposal
                .members
                .iter()
                .find(|m| m.nis_code == nis)
                .map(|m| m.name.clone())
                .unwrap_or_default()
        };
        let summary = format!(
            "{}, samen {} inwoners van niet-EU15-herkomst",
            join_names(&names),
            format_count(proposal.total_non_eu15)
        );
        Self {
            caption: format!("Voorstel {number}: {summary}"),
            summary,
            same_as: None,
            members: member_rows(proposal, asking),
            total: proposal.total_non_eu15,
            invite: proposal
                .members
                .iter()
                .filter(|m| m.nis_code != asking)
                .map(|m| m.nis_code.to_string())
                .collect::<Vec<_>>()
                .join(","),
            message: proposal.message.clone(),
            earns_incentive: proposal.earns_incentive,
            fictitious: proposal.fictitious,
            lead_name: name_of(proposal.suggested_lead),
            asking_name: name_of(asking),
            asking_leads: proposal.suggested_lead == asking,
        }
    }
}

/// The members of a proposal as table rows, the asking municipality and the lead marked.
fn member_rows(proposal: &Proposal, asking: NisCode) -> Vec<MemberRow> {
    proposal
        .members
        .iter()
        .map(|m| MemberRow {
            name: m.name.clone(),
            non_eu15: m.non_eu15,
            share: m.share_basis_points,
            can_apply_alone: m.can_apply_alone,
            is_self: m.nis_code == asking,
            is_lead: m.nis_code == proposal.suggested_lead,
        })
        .collect()
}

/// Numbers each cooperation the first time it is shown; a later list that holds it again
/// points back instead of repeating the table.
struct Numbering {
    asking: NisCode,
    shown: Vec<Vec<NisCode>>,
}

impl Numbering {
    fn view(&mut self, p: &Proposal) -> ProposalView {
        let members: Vec<NisCode> = p.nis_codes().collect();
        match self.shown.iter().position(|m| *m == members) {
            Some(index) => {
                let mut again = ProposalView::new(index + 1, p, self.asking);
                again.same_as = Some(format!(
                    "Dit is voorstel {} hierboven: {}",
                    index + 1,
                    again.summary
                ));
                again
            }
            None => {
                self.shown.push(members);
                ProposalView::new(self.shown.len(), p, self.asking)
            }
        }
    }
}

/// The names of the municipalities with these codes, joined in Dutch.
fn names_of(directory: &Directory, codes: &[NisCode]) -> String {
    let names: Vec<&str> = codes
        .iter()
        .filter_map(|c| directory.get(*c).map(|m| m.name.as_str()))
        .collect();
    join_names(&names)
}

/// The pooling advisor's answer as shown.
pub struct AdviceView {
    /// The municipality cannot apply alone: show the cooperations.
    pub needs_cooperation: bool,
    pub message: String,
    pub minimality: Option<String>,
    /// The smallest cooperation (the advisor's first proposal).
    pub smallest: Option<ProposalView>,
    /// Other cooperations of the same, minimal size.
    pub alternatives: Vec<ProposalView>,
    /// Minimal cooperations without a member that could apply alone, when they differ.
    pub small_only: Vec<ProposalView>,
    pub incentive: Vec<ProposalView>,
    pub incentive_message: String,
    pub excluded_taken: String,
    pub excluded_without_figures: String,
    pub fictitious: bool,
}

impl AdviceView {
    fn new(advice: &Advice, directory: &Directory) -> Self {
        let needs_cooperation = advice.status != AdviceStatus::Alone;
        let mut numbering = Numbering {
            asking: advice.nis_code,
            shown: Vec::new(),
        };
        let mut view = |p: &Proposal| numbering.view(p);
        let smallest = advice.proposals.first().map(&mut view);
        let alternatives = advice.proposals.iter().skip(1).map(&mut view).collect();
        let small_only = if advice.small_only_proposals == advice.proposals {
            Vec::new()
        } else {
            advice.small_only_proposals.iter().map(&mut view).collect()
        };
        let incentive = advice.incentive_proposals.iter().map(&mut view).collect();
        let names = |codes: &[NisCode]| names_of(directory, codes);
        Self {
            needs_cooperation,
            message: advice.message.clone(),
            minimality: advice.minimality.clone(),
            smallest,
            alternatives,
            small_only,
            incentive,
            incentive_message: advice.incentive_message.clone(),
            excluded_taken: names(&advice.excluded_taken),
            excluded_without_figures: names(&advice.excluded_without_figures),
            fictitious: advice.fictitious,
        }
    }
}

/// A dossier the organisation is already in, for one call.
pub struct DossierLink {
    pub href: String,
    pub reference: String,
    pub title: String,
    pub state_label: &'static str,
    pub role_label: &'static str,
    /// The consent page, while the organisation still owes its answer as a member.
    pub consent_href: Option<String>,
    /// The decision, once ABB decided.
    pub decision_href: Option<String>,
}

impl From<&DossierSummary> for DossierLink {
    fn from(d: &DossierSummary) -> Self {
        Self {
            decision_href: decision_href(d),
            href: format!("/dossiers/{}", d.id),
            reference: d.reference.clone(),
            title: d.title.clone(),
            state_label: state_label(d.state),
            role_label: role_label(d.participation),
            consent_href: consent_href(d),
        }
    }
}

/// The decision of dossier `d`, once ABB decided on it.
pub fn decision_href(d: &DossierSummary) -> Option<String> {
    d.decided.then(|| crate::web::decision::href(d.id))
}

/// The consent page of dossier `d` while the organisation is a member that has not answered
/// yet (the rule: [`crate::domain::cooperation::awaits_answer`]).
pub fn consent_href(d: &DossierSummary) -> Option<String> {
    let invited = d.participation == Participation::Member(ConsentState::Invited);
    crate::domain::cooperation::awaits_answer(invited, d.state.into(), d.joined_in_year.is_some())
        .then(|| format!("/dossiers/{}/deelname", d.id))
}

/// One open call on the dashboard.
pub struct CallView {
    pub id: i64,
    pub code: String,
    pub title: String,
    pub reference_year: i32,
    pub deadline: DateTime<Utc>,
    pub days_left: String,
    pub deadline_passed: bool,
    /// The submission window has not opened yet: when it opens.
    pub opens_later: Option<DateTime<Utc>>,
    /// The opening is assumed, not published.
    pub opens_illustrative: bool,
    /// The project year of the round shown, for a call with several rounds.
    pub round_year: Option<u16>,
    pub verdict: Option<VerdictView>,
    /// Why there is no verdict (the municipality is not on the call's map).
    pub no_verdict: Option<String>,
    pub can_start: bool,
    pub existing: Option<DossierLink>,
    pub advice: Option<AdviceView>,
}

impl CallView {
    /// The call's block with the deadline of its round that speaks now (taking submissions,
    /// else the next to open, else the last: yearly rounds), before the verdict.
    fn of(context: &CallContext, existing: Option<DossierLink>, now: DateTime<Utc>) -> Self {
        let call = &context.call;
        let rounds = context.rounds();
        let round = rounds.relevant(now);
        let (opens, closes) = (round.window.opens_at, round.window.closes_at);
        let (days_left, deadline_passed) = days_left(closes, now);
        CallView {
            id: call.id,
            code: call.code.clone(),
            title: call.title.clone(),
            reference_year: call.reference_year,
            deadline: closes,
            days_left,
            deadline_passed,
            opens_later: (now < opens).then_some(opens),
            round_year: (rounds.all().len() > 1).then_some(round.year),
            opens_illustrative: call.submission_opens_illustrative
                && opens == call.submission_opens_at,
            verdict: None,
            no_verdict: None,
            can_start: false,
            existing,
            advice: None,
        }
    }
}

/// One row of "Uw dossiers".
pub struct DossierRow {
    pub href: String,
    pub reference: String,
    pub title: String,
    pub call_title: String,
    pub lead_name: String,
    pub role_label: &'static str,
    pub state_label: &'static str,
    /// The consent page, while the organisation still owes its answer as a member.
    pub consent_href: Option<String>,
    /// The decision, once ABB decided.
    pub decision_href: Option<String>,
}

impl From<&DossierSummary> for DossierRow {
    fn from(d: &DossierSummary) -> Self {
        Self {
            decision_href: decision_href(d),
            consent_href: consent_href(d),
            href: format!("/dossiers/{}", d.id),
            reference: d.reference.clone(),
            title: d.title.clone(),
            call_title: d.call.title.clone(),
            lead_name: d.lead_name.clone(),
            role_label: role_label(d.participation),
            state_label: state_label(d.state),
        }
    }
}

pub fn role_label(participation: Participation) -> &'static str {
    match participation {
        Participation::Lead => "trekker",
        Participation::Member(ConsentState::Invited) => "deelnemer (uitgenodigd)",
        Participation::Member(ConsentState::Confirmed) => "deelnemer (bevestigd)",
        Participation::Member(ConsentState::Declined) => "deelnemer (geweigerd)",
    }
}

/// The words of every link to a member's consent page.
pub const CONSENT_LINK: &str = "Deelname bevestigen of weigeren";

/// One thing to do now, with where to do it.
pub struct NextStep {
    pub text: String,
    pub href: Option<String>,
    pub link_text: String,
}

// ---------------------------------------------------------------------------------------------
// Pages

#[derive(Template)]
#[template(path = "municipality/dashboard.html")]
pub struct DashboardPage {
    pub layout: Layout,
    pub organisation_name: String,
    /// The account is bound to no organisation.
    pub unbound: bool,
    pub is_partner: bool,
    pub partner_agreement: Option<String>,
    pub figures: Option<FiguresView>,
    pub calls: Vec<CallView>,
    pub dossiers: Vec<DossierRow>,
    pub next_steps: Vec<NextStep>,
}

#[derive(Template)]
#[template(path = "municipality/dossiers.html")]
pub struct DossiersPage {
    pub layout: Layout,
    pub organisation_name: String,
    pub unbound: bool,
    pub dossiers: Vec<DossierRow>,
}

impl DashboardPage {
    /// The page for a user bound to no organisation.
    fn unbound(layout: Layout) -> Self {
        DashboardPage {
            layout,
            organisation_name: String::new(),
            unbound: true,
            is_partner: false,
            partner_agreement: None,
            figures: None,
            calls: Vec::new(),
            dossiers: Vec::new(),
            next_steps: Vec::new(),
        }
    }
}

async fn dashboard(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ctx: PageContext,
) -> Result<Html<String>, AppError> {
    let reference = &ctx.reference;
    let Some(organisation) = store::municipalities::organisation_of(reference, &user.user).await?
    else {
        return render(&DashboardPage::unbound(ctx.layout("Mijn gemeente")));
    };
    let may_start = policy::decide(&user.actor(), Action::StartDossier, None).is_ok();
    let now = state.clock.now();
    let dossiers = store::municipalities::dossiers_of(&state.db, reference, &organisation).await?;
    let open_calls = reference.open_calls().await?;
    let mut contexts = Vec::with_capacity(open_calls.len());
    for call in &open_calls {
        contexts.extend(reference.call_context(call.id).await?);
    }
    let standings = standings_of(&state.db, reference, &organisation, &contexts, &dossiers).await?;
    let figures = figures_of(reference, &organisation, &open_calls, &contexts, &standings).await?;
    let calls: Vec<CallView> = contexts
        .iter()
        .map(|context| {
            call_view(
                &organisation,
                context,
                &standings,
                &dossiers,
                may_start,
                now,
            )
        })
        .collect();
    let next_steps = next_steps(&organisation, &calls, &dossiers, now);
    let partner_agreement = match &organisation {
        Organisation::Partner(p) => Some(p.agreement.clone()),
        Organisation::Municipality(_) => None,
    };
    render(&DashboardPage {
        layout: ctx.layout(format!("Mijn gemeente: {}", organisation.name())),
        organisation_name: organisation.name().to_owned(),
        unbound: false,
        is_partner: partner_agreement.is_some(),
        partner_agreement,
        figures,
        calls,
        dossiers: dossiers.iter().map(DossierRow::from).collect(),
        next_steps,
    })
}

/// The municipality's figures for the reference year of the first open call, as the rules
/// engine uses them for that call (or, without one, the stored figures of the latest call's
/// reference year); none for a partner organisation.
async fn figures_of(
    reference: &Reference,
    organisation: &Organisation,
    open_calls: &[entity::call::Model],
    contexts: &[std::sync::Arc<CallContext>],
    standings: &HashMap<i64, Standing>,
) -> Result<Option<FiguresView>, AppError> {
    let Organisation::Municipality(m) = organisation else {
        return Ok(None);
    };
    let first = open_calls.first().and_then(|call| {
        let context = contexts.iter().find(|c| c.call.id == call.id)?;
        Some((context, standings.get(&call.id)?))
    });
    if let Some((context, standing)) = first {
        return Ok(Some(FiguresView::of_municipality(
            &context.rules,
            &standing.municipality,
        )));
    }
    let year = match open_calls.first() {
        Some(call) => Some(call.reference_year),
        None => reference.latest_call().await?.map(|c| c.reference_year),
    };
    Ok(match year {
        Some(year) => {
            let figures = reference.figures(year).await?;
            Some(FiguresView::from_row(year, figures.get(&m.id)))
        }
        None => None,
    })
}

/// The municipality's standing in every open call, with one statement for who is taken; none
/// for a partner organisation.
async fn standings_of(
    db: &sea_orm::DatabaseConnection,
    reference: &Reference,
    organisation: &Organisation,
    contexts: &[std::sync::Arc<CallContext>],
    dossiers: &[DossierSummary],
) -> Result<HashMap<i64, Standing>, AppError> {
    let Organisation::Municipality(m) = organisation else {
        return Ok(HashMap::new());
    };
    let queries: Vec<StandingQuery<'_>> = contexts
        .iter()
        .map(|context| {
            let own = dossiers.iter().find(|d| d.call.id == context.call.id);
            StandingQuery {
                context,
                own_reference: own.map(|d| d.reference.as_str()),
                advise: own.is_none(),
            }
        })
        .collect();
    Ok(
        store::municipalities::standings(db, reference, &queries, store::rules::nis(m.nis_code)?)
            .await?,
    )
}

async fn list(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ctx: PageContext,
) -> Result<Html<String>, AppError> {
    let db = &state.db;
    let organisation = store::municipalities::organisation_of(&ctx.reference, &user.user).await?;
    let dossiers = match &organisation {
        Some(o) => store::municipalities::dossiers_of(db, &ctx.reference, o).await?,
        None => Vec::new(),
    };
    let organisation_name = organisation
        .as_ref()
        .map(|o| o.name().to_owned())
        .unwrap_or_default();
    render(&DossiersPage {
        layout: ctx.layout(if organisation_name.is_empty() {
            "Dossiers".to_owned()
        } else {
            format!("Dossiers van {organisation_name}")
        }),
        unbound: organisation.is_none(),
        organisation_name,
        dossiers: dossiers.iter().map(DossierRow::from).collect(),
    })
}

/// The dashboard block of one open call: verdict, and the start form, the existing dossier or
/// the advisor's cooperations. A municipality missing from `standings` is not on the call's map.
fn call_view(
    organisation: &Organisation,
    context: &CallContext,
    standings: &HashMap<i64, Standing>,
    dossiers: &[DossierSummary],
    may_start: bool,
    now: DateTime<Utc>,
) -> CallView {
    let call = &context.call;
    let own_dossier = dossiers.iter().find(|d| d.call.id == call.id);
    let mut view = CallView::of(context, own_dossier.map(DossierLink::from), now);
    let submission_open = !view.deadline_passed && view.opens_later.is_none();
    match organisation {
        Organisation::Partner(p) => {
            let verdict = assess_partner(&context.rules, &p.code);
            view.can_start =
                view.existing.is_none() && submission_open && may_start && verdict.is_eligible();
            view.verdict = Some(VerdictView::from(&verdict));
        }
        Organisation::Municipality(m) => match standings.get(&call.id) {
            Some(standing) => show_standing(
                &mut view,
                standing,
                own_dossier.is_none(),
                submission_open && may_start,
            ),
            None => {
                view.no_verdict = Some(format!(
                    "{} staat niet op de gemeentekaart die deze oproep gebruikt (gemeenten en referentieregio's op {}). Neem contact op met ABB.",
                    m.name,
                    context.map_date().format("%d-%m-%Y")
                ));
            }
        },
    }
    view
}

/// The municipality's verdict on the call's block and, without a dossier of its own yet,
/// whether it can start one (`may_start`: the window is open and the user may) or the advice.
fn show_standing(view: &mut CallView, standing: &Standing, without_dossier: bool, may_start: bool) {
    let verdict = &standing.verdict;
    if without_dossier {
        let alone = verdict.decision == Decision::EligibleAlone;
        view.can_start = alone && may_start;
        match &standing.advice {
            Some(Ok(advice)) => view.advice = Some(AdviceView::new(advice, &standing.directory.0)),
            Some(Err(err)) => view.no_verdict = Some(err.to_string()),
            None => {}
        }
    }
    view.verdict = Some(VerdictView::from(verdict));
}

/// A moment as its day, `dd-mm-jjjj`.
fn day_of(at: DateTime<Utc>) -> String {
    crate::domain::dutch::format_moment_day(at)
}

/// How long until `closes`, in Dutch, and whether it has passed.
pub fn days_left(closes: DateTime<Utc>, now: DateTime<Utc>) -> (String, bool) {
    if now > closes {
        return ("de indieningstermijn is verstreken".to_owned(), true);
    }
    let days = (crate::domain::time::brussels_date(closes)
        - crate::domain::time::brussels_date(now))
    .num_days();
    let text = match days {
        0 => "vandaag is de laatste dag".to_owned(),
        1 => "nog 1 dag".to_owned(),
        n => format!("nog {n} dagen"),
    };
    (text, false)
}

/// What the organisation should do now, derived from its dossiers and the open calls.
fn next_steps(
    organisation: &Organisation,
    calls: &[CallView],
    dossiers: &[DossierSummary],
    now: DateTime<Utc>,
) -> Vec<NextStep> {
    let mut steps: Vec<NextStep> = dossiers
        .iter()
        .filter_map(|d| dossier_step(organisation, d, now))
        .collect();
    steps.extend(calls.iter().filter_map(call_step));
    steps
}

/// The next step for one dossier, if there is one: a decided dossier's follow-up, or what its
/// state asks of the organisation.
fn dossier_step(
    organisation: &Organisation,
    d: &DossierSummary,
    now: DateTime<Utc>,
) -> Option<NextStep> {
    if matches!(d.participation, Participation::Lead)
        && matches!(
            d.state,
            ApplicationState::Approved | ApplicationState::PartlyApproved
        )
    {
        return Some(NextStep {
            text: format!(
                "Dossier {} is {}. Voer de acties uit en rapporteer de resultaten op uw KPI's na zes maanden en na het projectjaar.",
                d.reference,
                state_label(d.state)
            ),
            href: Some(format!("/dossiers/{}/opvolging", d.id)),
            link_text: format!("Naar de opvolging van dossier {}", d.reference),
        });
    }
    if let Some(href) = consent_href(d) {
        return Some(NextStep {
            text: format!(
                "{} nodigt {} uit om deel te nemen aan dossier {}. Bevestig of weiger de deelname.",
                d.lead_name,
                organisation.name(),
                d.reference
            ),
            href: Some(href),
            link_text: CONSENT_LINK.to_owned(),
        });
    }
    Some(NextStep {
        text: dossier_text(d, now)?,
        href: Some(format!("/dossiers/{}", d.id)),
        link_text: format!("Naar dossier {}", d.reference),
    })
}

/// What a dossier's state asks of the organisation, in Dutch; nothing when it asks nothing.
fn dossier_text(d: &DossierSummary, now: DateTime<Utc>) -> Option<String> {
    let (closes, passed) = (
        day_of(d.call.submission_closes_at),
        now > d.call.submission_closes_at,
    );
    match (d.participation, d.state) {
        (Participation::Lead, ApplicationState::Draft) if passed => Some(format!(
            "Dossier {} is nog een ontwerp, maar de indieningstermijn van {} is verstreken op {closes}. Neem contact op met ABB.",
            d.reference, d.call.title
        )),
        (Participation::Lead, ApplicationState::Draft) => Some(format!(
            "Werk uw dossier {} af en dien het in vóór {closes}.",
            d.reference
        )),
        (Participation::Lead, ApplicationState::ChangesRequested) => {
            Some(changes_requested(d, now))
        }
        (
            Participation::Lead,
            ApplicationState::Submitted
            | ApplicationState::InReview
            | ApplicationState::Resubmitted,
        ) => Some(format!(
            "Dossier {} is {}: ABB beoordeelt het. U hoeft nu niets te doen.",
            d.reference,
            state_label(d.state)
        )),
        _ => None,
    }
}

/// The step for a dossier ABB sent back, with its request when it gave one.
fn changes_requested(d: &DossierSummary, now: DateTime<Utc>) -> String {
    let asked = changes_asked(d);
    match d.answer_due_on {
        Some(due) => format!(
            "{asked} {}.",
            crate::domain::messages::due_sentence(due, crate::domain::time::brussels_date(now))
        ),
        None => asked,
    }
}

/// What ABB asked of a dossier it sent back.
fn changes_asked(d: &DossierSummary) -> String {
    match &d.open_change_request {
        Some(message) if !message.trim().is_empty() => format!(
            "ABB vroeg aanpassingen aan dossier {}: „{}”. Pas het dossier aan en dien het opnieuw in.",
            d.reference,
            message.trim()
        ),
        _ => format!(
            "ABB vroeg aanpassingen aan dossier {}. Pas het dossier aan en dien het opnieuw in.",
            d.reference
        ),
    }
}

/// The next step for an open call the organisation has no dossier in yet.
fn call_step(call: &CallView) -> Option<NextStep> {
    if call.existing.is_some() || call.deadline_passed || call.opens_later.is_some() {
        return None;
    }
    let anchor = Some(format!("#oproep-{}", call.id));
    let text = if call.can_start {
        format!(
            "Start een dossier voor {} vóór {} ({}).",
            call.title,
            day_of(call.deadline),
            call.days_left
        )
    } else if let Some(advice) = call.advice.as_ref().filter(|a| a.needs_cooperation) {
        if advice.smallest.is_some() {
            format!(
                "U kunt voor {} niet zelfstandig indienen, enkel in samenwerking. Spreek een samenwerking af binnen uw referentieregio; de trekker start het dossier vóór {}.",
                call.title,
                day_of(call.deadline)
            )
        } else {
            format!(
                "Lees waarom er voor {} geen samenwerking voor te stellen is, en neem zo nodig contact op met ABB.",
                call.title
            )
        }
    } else {
        return None;
    };
    Some(NextStep {
        text,
        href: anchor,
        link_text: format!("Naar {}", call.title),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(y: i32, m: u32, d: u32, h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, h, 0, 0)
            .single()
            .unwrap_or_default()
    }

    #[test]
    fn days_left_counts_calendar_days_and_says_when_it_passed() {
        let closes = at(2022, 7, 1, 21);
        assert_eq!(
            days_left(closes, at(2022, 6, 21, 8)),
            ("nog 10 dagen".to_owned(), false)
        );
        assert_eq!(
            days_left(closes, at(2022, 6, 30, 21)),
            ("nog 1 dag".to_owned(), false)
        );
        // 23:00 UTC on 30 June is 01:00 on 1 July in Brussels: the last day has begun.
        assert_eq!(
            days_left(closes, at(2022, 6, 30, 23)),
            ("vandaag is de laatste dag".to_owned(), false)
        );
        assert_eq!(
            days_left(closes, at(2022, 7, 1, 9)),
            ("vandaag is de laatste dag".to_owned(), false)
        );
        assert!(days_left(closes, at(2022, 7, 1, 22)).1);
    }

    #[test]
    fn every_outcome_has_a_word_and_a_class() {
        let table = [
            (Outcome::Pass, "pass"),
            (Outcome::Fail, "fail"),
            (Outcome::Warning, "warning"),
            (Outcome::CannotDecide, "undecided"),
        ];
        for (outcome, class) in table {
            let (word, got) = outcome_label(outcome);
            assert_eq!(got, class);
            assert!(!word.is_empty());
        }
    }

    #[test]
    fn missing_figures_stay_missing() {
        let view = FiguresView::from_row(2020, None);
        assert!(view.residents.is_none() && view.non_eu15.is_none() && view.share.is_none());
        assert!(!view.fictitious());
    }
}
