//! The reviewer inbox: the dossiers of one call with filters, sorting and pagination in SQL, so
//! it stays fast with many thousands of dossiers. The page and its export use the same
//! [`InboxFilter`], so an export holds exactly the rows the reviewer filtered.

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, TimeDelta, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, QueryTrait, Select,
};

use entity::app_user;
use entity::application::{self, ApplicationState};

use crate::domain::paging::Page;
use crate::store::placeholder;
use crate::store::reference_cache::Reference;

/// States in which a dossier waits for ABB: the review term runs.
pub const AWAITING_ABB: [ApplicationState; 3] = [
    ApplicationState::Submitted,
    ApplicationState::Resubmitted,
    ApplicationState::InReview,
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Assignment {
    #[default]
    Anyone,
    /// Assigned to this reviewer.
    To(i64),
    /// Not assigned to anyone yet.
    Nobody,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum InboxSort {
    /// Oldest submission first: the order of the review term.
    #[default]
    Submitted,
    Reference,
    State,
}

/// Which dossiers of a call the inbox shows. Drafts are the applicants' business and never
/// appear.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InboxFilter {
    pub call_id: i64,
    pub state: Option<ApplicationState>,
    /// Part of a municipality's name, a reference or a title; case-insensitive.
    pub search: String,
    pub province: Option<String>,
    /// A reference region's code: dossiers led by a municipality of that region.
    pub region_code: Option<String>,
    /// An action's code (e.g. "2.1"): dossiers that chose it.
    pub action_code: Option<String>,
    pub assignment: Assignment,
    /// Only dossiers whose last rule check found failures or warnings.
    pub with_rule_findings: bool,
    /// Only dossiers waiting for ABB beyond the call's review term.
    pub overdue: bool,
    pub sort: InboxSort,
}

/// One line of the inbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboxRow {
    pub id: i64,
    pub reference: String,
    pub title: String,
    pub lead: String,
    pub lead_nis: Option<i32>,
    pub province: String,
    pub state: ApplicationState,
    pub submitted_at: Option<DateTime<Utc>>,
    /// When ABB should have decided, for dossiers waiting for ABB.
    pub review_due_at: Option<DateTime<Utc>>,
    pub overdue: bool,
    pub rule_failures: i32,
    pub rule_warnings: i32,
    pub reviewer: Option<String>,
    /// The grant asked over all chosen actions (per project year, as the dossier states it).
    pub requested_cents: i64,
    /// While ABB waits for changes: the day it expects the answer.
    pub answer_due_on: Option<chrono::NaiveDate>,
}

/// Which page of the inbox to show (a page past the last shows the last), `size` rows per page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    pub number: Page,
    pub size: u64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboxPage {
    pub rows: Vec<InboxRow>,
    pub total: u64,
    /// 1-based, clamped to the pages there are.
    pub page: u64,
    pub pages: u64,
}

/// The review term of a call.
pub fn term_of(review_days: i32) -> TimeDelta {
    TimeDelta::days(i64::from(review_days.max(0)))
}

/// The inbox's counts for a call, in one statement: per state the number of dossiers (drafts
/// excluded), and how many wait for ABB beyond the review term `term` ([`term_of`]) at `now`.
pub async fn counts<C: ConnectionTrait>(
    db: &C,
    call_id: i64,
    term: TimeDelta,
    now: DateTime<Utc>,
) -> Result<(Vec<(ApplicationState, u64)>, u64), DbErr> {
    let p = placeholder(db);
    let rows: Vec<(ApplicationState, i64, i64)> = application::Entity::find()
        .select_only()
        .column(application::Column::State)
        .column_as(application::Column::Id.count(), "n")
        // PostgreSQL sums as NUMERIC: cast back so both databases answer an integer.
        .column_as(
            Expr::cust_with_values(
                format!(
                    "CAST(SUM(CASE WHEN application.submitted_at < {p} THEN 1 ELSE 0 END) AS BIGINT)"
                ),
                [now - term],
            ),
            "late",
        )
        .filter(application::Column::CallId.eq(call_id))
        .filter(application::Column::State.ne(ApplicationState::Draft))
        .group_by(application::Column::State)
        .into_tuple()
        .all(db)
        .await?;
    let overdue = rows
        .iter()
        .filter(|(state, _, _)| AWAITING_ABB.contains(state))
        .map(|(_, _, late)| u64::try_from(*late).unwrap_or(0))
        .sum();
    Ok((
        rows.into_iter()
            .map(|(s, n, _)| (s, u64::try_from(n).unwrap_or(0)))
            .collect(),
        overdue,
    ))
}

fn overdue_condition(cutoff: DateTime<Utc>) -> Condition {
    Condition::all()
        .add(application::Column::State.is_in(AWAITING_ABB))
        .add(application::Column::SubmittedAt.lt(cutoff))
}

fn filtered<C: ConnectionTrait>(
    db: &C,
    filter: &InboxFilter,
    cutoff: DateTime<Utc>,
) -> Select<application::Entity> {
    let p = placeholder(db);
    let mut select = application::Entity::find()
        .filter(application::Column::CallId.eq(filter.call_id))
        .filter(application::Column::State.ne(ApplicationState::Draft));
    if let Some(state) = filter.state {
        select = select.filter(application::Column::State.eq(state));
    }
    let search = filter.search.trim().to_lowercase();
    if !search.is_empty() {
        let like = format!("%{search}%");
        select = select.filter(
            Condition::any()
                .add(Expr::cust_with_values(
                    format!("LOWER(application.reference) LIKE {p}"),
                    [like.clone()],
                ))
                .add(Expr::cust_with_values(
                    format!("LOWER(application.title) LIKE {p}"),
                    [like.clone()],
                ))
                .add(Expr::cust_with_values(
                    format!(
                        "application.id IN (SELECT am.application_id FROM application_member am \
                         JOIN municipality m ON m.id = am.municipality_id WHERE LOWER(m.name) LIKE {p})"
                    ),
                    [like],
                )),
        );
    }
    if let Some(province) = &filter.province {
        select = select.filter(Expr::cust_with_values(
            format!(
                "application.lead_municipality_id IN (SELECT id FROM municipality WHERE province = {p})"
            ),
            [province.clone()],
        ));
    }
    if let Some(region) = &filter.region_code {
        select = select.filter(Expr::cust_with_values(
            format!(
                "application.lead_municipality_id IN (SELECT rm.municipality_id FROM region_membership rm \
                 JOIN reference_region r ON r.id = rm.reference_region_id WHERE r.code = {p})"
            ),
            [region.clone()],
        ));
    }
    if let Some(action) = &filter.action_code {
        select = select.filter(Expr::cust_with_values(
            format!(
                "application.id IN (SELECT aa.application_id FROM application_action aa \
                 JOIN call_action ca ON ca.id = aa.call_action_id JOIN action a ON a.id = ca.action_id \
                 WHERE a.code = {p})"
            ),
            [action.clone()],
        ));
    }
    select = match filter.assignment {
        Assignment::Anyone => select,
        Assignment::To(id) => select.filter(application::Column::AssignedReviewerId.eq(id)),
        Assignment::Nobody => select.filter(application::Column::AssignedReviewerId.is_null()),
    };
    if filter.with_rule_findings {
        select = select.filter(
            Condition::any()
                .add(application::Column::RuleFailures.gt(0))
                .add(application::Column::RuleWarnings.gt(0)),
        );
    }
    if filter.overdue {
        select = select.filter(overdue_condition(cutoff));
    }
    match filter.sort {
        InboxSort::Reference => select.order_by_asc(application::Column::Reference),
        InboxSort::State => select
            .order_by_asc(application::Column::State)
            .order_by_asc(application::Column::Id),
        InboxSort::Submitted => select
            .order_by_asc(application::Column::SubmittedAt)
            .order_by_asc(application::Column::Id),
    }
}

/// One page of the filtered inbox at `now`, with the call's review term `term` ([`term_of`]).
/// Names come from the reference data in memory and, for reviewers, from `known_reviewers`
/// (the page's reviewer filter already lists them); only other reviewers are looked up.
pub async fn page<C: ConnectionTrait>(
    db: &C,
    reference: &Reference,
    known_reviewers: &[(i64, String)],
    filter: &InboxFilter,
    term: TimeDelta,
    now: DateTime<Utc>,
    wanted: PageRequest,
) -> Result<InboxPage, DbErr> {
    let size = wanted.size.max(1);
    let cutoff = now - term;
    // The page and the number of matching dossiers in one statement (a scalar count subquery:
    // a window count `COUNT(*) OVER ()` made SQLite compute every matching row's columns,
    // requested total included, before the LIMIT, five times slower on a call of 200 dossiers);
    // only a page past the last one needs a count of its own, and then shows the last page.
    let fetch = |number: u64| {
        let mut count = filtered(db, filter, cutoff)
            .select_only()
            .expr(Expr::cust("COUNT(*)"))
            .into_query();
        count.clear_order_by();
        listed(
            filtered(db, filter, cutoff)
                .limit(size)
                .offset(Page::new(number).offset(size)),
            Expr::SubQuery(
                None,
                Box::new(sea_orm::sea_query::SubQueryStatement::SelectStatement(
                    count,
                )),
            ),
        )
        .all(db)
    };
    let mut page = wanted.number.get();
    let mut apps = fetch(page).await?;
    let total = match apps.first() {
        Some(first) => u64::try_from(first.total).unwrap_or_default(),
        None if page == 1 => 0,
        None => {
            let total = filtered(db, filter, cutoff).count(db).await?;
            page = total.div_ceil(size).max(1);
            apps = fetch(page).await?;
            total
        }
    };
    let pages = total.div_ceil(size).max(1);
    Ok(InboxPage {
        rows: rows_for(db, reference, known_reviewers, apps, now, term).await?,
        total,
        page,
        pages,
    })
}

/// Every row of the filtered inbox at `now`, for exports.
pub async fn all<C: ConnectionTrait>(
    db: &C,
    reference: &Reference,
    filter: &InboxFilter,
    now: DateTime<Utc>,
) -> Result<Vec<InboxRow>, DbErr> {
    let term = reference
        .call(filter.call_id)
        .await?
        .map(|c| term_of(c.review_days))
        .unwrap_or_default();
    let apps = listed(
        filtered(db, filter, now - term),
        Expr::cust("CAST(0 AS BIGINT)"),
    )
    .all(db)
    .await?;
    rows_for(db, reference, &[], apps, now, term).await
}

/// The columns of a dossier an inbox line shows, with the grant it asks over all chosen actions.
#[derive(Debug, Clone, sea_orm::FromQueryResult)]
struct Listed {
    id: i64,
    reference: String,
    title: String,
    lead_municipality_id: Option<i64>,
    partner_organisation_id: Option<i64>,
    state: ApplicationState,
    submitted_at: Option<DateTime<Utc>>,
    rule_failures: i32,
    rule_warnings: i32,
    assigned_reviewer_id: Option<i64>,
    requested_cents: Option<i64>,
    /// How many dossiers match the filter, on every row (0 in the exports, which do not ask).
    total: i64,
}

/// Only the columns of [`Listed`], and the requested total in the same statement; `total` is
/// the expression for the number of matching dossiers.
fn listed(
    select: Select<application::Entity>,
    total: Expr,
) -> sea_orm::Selector<sea_orm::SelectModel<Listed>> {
    use application::Column as A;
    select
        .select_only()
        .columns([
            A::Id,
            A::Reference,
            A::Title,
            A::LeadMunicipalityId,
            A::PartnerOrganisationId,
            A::State,
            A::SubmittedAt,
            A::RuleFailures,
            A::RuleWarnings,
            A::AssignedReviewerId,
        ])
        // PostgreSQL sums BIGINT as NUMERIC: cast back so both databases answer an integer.
        .column_as(
            Expr::cust(
                "(SELECT CAST(SUM(aa.grant_cents) AS BIGINT) FROM application_action aa \
                 WHERE aa.application_id = application.id)",
            ),
            "requested_cents",
        )
        .column_as(total, "total")
        .into_model::<Listed>()
}

/// Names and reviewers for a set of dossiers: names from the reference data in memory,
/// reviewers from `known_reviewers`, the others in one query.
async fn rows_for<C: ConnectionTrait>(
    db: &C,
    reference: &Reference,
    known_reviewers: &[(i64, String)],
    apps: Vec<Listed>,
    now: DateTime<Utc>,
    term: TimeDelta,
) -> Result<Vec<InboxRow>, DbErr> {
    let municipalities = reference.municipalities().await?;
    let partners = reference.partners().await?;
    let mut reviewers: HashMap<i64, String> = known_reviewers.iter().cloned().collect();
    let unknown: BTreeSet<i64> = apps
        .iter()
        .filter_map(|a| a.assigned_reviewer_id)
        .filter(|id| !reviewers.contains_key(id))
        .collect();
    // Skipped when there is nothing to look up: every query saved counts under load.
    if !unknown.is_empty() {
        for user in app_user::Entity::find()
            .filter(app_user::Column::Id.is_in(unknown))
            .all(db)
            .await?
        {
            reviewers.insert(user.id, user.name);
        }
    }
    let answer_due = answers_due(db, &apps).await?;
    Ok(apps
        .into_iter()
        .map(|a| {
            let lead = a
                .lead_municipality_id
                .and_then(|id| municipalities.get(&id));
            let partner = a.partner_organisation_id.and_then(|id| partners.get(&id));
            let awaiting = AWAITING_ABB.contains(&a.state);
            let review_due_at = a.submitted_at.filter(|_| awaiting).map(|t| t + term);
            InboxRow {
                id: a.id,
                lead: lead
                    .map(|m| m.name.clone())
                    .or_else(|| partner.map(|p| p.name.clone()))
                    .unwrap_or_default(),
                lead_nis: lead.map(|m| m.nis_code),
                province: lead.map(|m| m.province.clone()).unwrap_or_default(),
                state: a.state,
                submitted_at: a.submitted_at,
                review_due_at,
                overdue: review_due_at.is_some_and(|due| due < now),
                rule_failures: a.rule_failures,
                rule_warnings: a.rule_warnings,
                reviewer: a
                    .assigned_reviewer_id
                    .and_then(|id| reviewers.get(&id).cloned()),
                requested_cents: a.requested_cents.unwrap_or(0),
                answer_due_on: answer_due.get(&a.id).copied(),
                reference: a.reference,
                title: a.title,
            }
        })
        .collect())
}

/// The day ABB expects the answer to its open change request, per dossier of `apps` that waits
/// for changes (no query when none does).
async fn answers_due<C: ConnectionTrait>(
    db: &C,
    apps: &[Listed],
) -> Result<HashMap<i64, chrono::NaiveDate>, DbErr> {
    let waiting: Vec<i64> = apps
        .iter()
        .filter(|a| a.state == ApplicationState::ChangesRequested)
        .map(|a| a.id)
        .collect();
    if waiting.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(entity::change_request::Entity::find()
        .filter(entity::change_request::Column::ApplicationId.is_in(waiting))
        .filter(entity::change_request::Column::ResolvedAt.is_null())
        .all(db)
        .await?
        .into_iter()
        .filter_map(|cr| cr.answer_due_on.map(|due| (cr.application_id, due)))
        .collect())
}

/// Stores what the rules engine found on a dossier, for the inbox's "rule findings" filter.
pub async fn record_findings<C: ConnectionTrait>(
    db: &C,
    application_id: i64,
    report: &crate::domain::ApplicationReport,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    let count = |n: usize| i32::try_from(n).unwrap_or(i32::MAX);
    application::Entity::update_many()
        .col_expr(
            application::Column::RuleFailures,
            Expr::value(count(report.blocking().count())),
        )
        .col_expr(
            application::Column::RuleWarnings,
            Expr::value(count(report.warnings().count())),
        )
        .col_expr(application::Column::RulesCheckedAt, Expr::value(Some(now)))
        .filter(application::Column::Id.eq(application_id))
        .exec(db)
        .await?;
    Ok(())
}

/// What a recheck of a call found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RecheckSummary {
    pub checked: usize,
    pub with_failures: usize,
    pub with_warnings: usize,
}

/// Runs the rules engine again over every submitted (non-draft, not withdrawn) dossier of a
/// call against today's figures and stores the findings. The directory and the "taken" set are
/// loaded once for the whole call.
pub async fn recheck_call<C: ConnectionTrait>(
    db: &C,
    call_id: i64,
    now: DateTime<Utc>,
) -> Result<RecheckSummary, DbErr> {
    let Some(call) = crate::store::rules::call_context(db, call_id).await? else {
        return Ok(RecheckSummary::default());
    };
    let (directory, _) =
        crate::store::rules::directory(db, call.call.reference_year, call.map_date()).await?;
    let taken = crate::store::rules::taken(db, call_id).await?;
    let ids: Vec<i64> = application::Entity::find()
        .select_only()
        .column(application::Column::Id)
        .filter(application::Column::CallId.eq(call_id))
        .filter(
            application::Column::State
                .is_not_in([ApplicationState::Draft, ApplicationState::Withdrawn]),
        )
        .into_tuple()
        .all(db)
        .await?;
    let mut summary = RecheckSummary::default();
    for id in ids {
        let Some(dossier) = crate::store::applications::with_parties(db, id).await? else {
            continue;
        };
        let content = crate::store::drafts::load(db, dossier).await?;
        let report = content.report_against(&directory, &taken)?;
        summary.checked += 1;
        summary.with_failures += usize::from(report.blocking().next().is_some());
        summary.with_warnings += usize::from(report.warnings().next().is_some());
        record_findings(db, id, &report, now).await?;
    }
    Ok(summary)
}
