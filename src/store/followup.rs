//! Follow-up after approval, in the database: everything about one dossier's reports, KPI
//! results, continuation, payments and reclaims loaded at once ([`FollowUp`]), and the changes
//! that follow from a decision, an accepted report, a continuation decision or a reclaim
//! decision. Every function takes the caller's transaction, so the change, its audit entries and
//! its e-mails commit together. The rules themselves are in [`crate::domain::followup`] and
//! [`crate::domain::payments`].
//!
//! - [`on_decision`] (called by the decision handler in `web::review`): creates the interim and
//!   year report of every project year with their deadlines and schedules each year's advance.
//! - [`after_acceptance`]: an accepted interim report proposes the continuation of its actions
//!   into the next year; an accepted year report schedules the balance and proposes reclaims.
//! - [`refresh_advance`]: recomputes a year's advance while it is still only scheduled, after a
//!   continuation decision changed what the year is worth.
//!
//! Payee of every payment is the lead municipality or the partner organisation; for a reclaim
//! row it is who pays back (in a cooperation, the lead).

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter,
    QueryOrder, Set,
};

use entity::app_user::{self, UserRole};
use entity::application::{self, ApplicationState};
use entity::decision::DecisionOutcome;
use entity::payment::{PaymentState as StoredPaymentState, Tranche as StoredTranche};
use entity::progress_report::{ReportKind as StoredKind, ReportState as StoredState};
use entity::reclaim::ReclaimState;
use entity::{
    action, application_action, call, call_action, call_project_year, continuation, decision,
    decision_line, kpi, kpi_result, payment, progress_report, reclaim,
};

use crate::audit;
use crate::domain::followup::{
    KpiPlan, ReportKind, ReportState, is_missed, propose_continuation, report_due_on,
};
use crate::domain::payments::{
    ActionYear, Entitlement, ReclaimKpi, Settlement, Tranche, advance_explanation,
    balance_explanation, compute_reclaim, settle, split_tranches, year_entitlement,
};
use crate::domain::reach::LineResult;
use crate::domain::{BasisPoints, Cents, KpiValue};
use crate::mail::{self, OutgoingMail};

/// The dossier states that have a follow-up.
pub const FOLLOWED_STATES: [ApplicationState; 2] =
    [ApplicationState::Approved, ApplicationState::PartlyApproved];

pub use crate::audit::By;

// ------------------------------------------------------------------ stored ↔ domain

/// The one mapping between the stored report state and the domain's (which has the Dutch
/// label): this `From` pair; [`report_state`] and [`stored_report_state`] are its short forms.
impl From<StoredState> for ReportState {
    fn from(state: StoredState) -> Self {
        match state {
            StoredState::Draft => Self::Draft,
            StoredState::Submitted => Self::Submitted,
            StoredState::Accepted => Self::Accepted,
            StoredState::SentBack => Self::SentBack,
        }
    }
}

impl From<ReportState> for StoredState {
    fn from(state: ReportState) -> Self {
        match state {
            ReportState::Draft => Self::Draft,
            ReportState::Submitted => Self::Submitted,
            ReportState::Accepted => Self::Accepted,
            ReportState::SentBack => Self::SentBack,
        }
    }
}

pub fn report_state(state: StoredState) -> ReportState {
    state.into()
}

pub fn stored_report_state(state: ReportState) -> StoredState {
    state.into()
}

/// The code of a report state in filters.
pub fn report_state_code(state: StoredState) -> &'static str {
    match state {
        StoredState::Draft => "draft",
        StoredState::Submitted => "submitted",
        StoredState::Accepted => "accepted",
        StoredState::SentBack => "sent_back",
    }
}

impl From<StoredKind> for ReportKind {
    fn from(kind: StoredKind) -> Self {
        match kind {
            StoredKind::Interim => Self::Interim,
            StoredKind::Year => Self::Year,
        }
    }
}

pub fn report_kind(kind: StoredKind) -> ReportKind {
    kind.into()
}

pub fn tranche(t: StoredTranche) -> Tranche {
    match t {
        StoredTranche::Advance => Tranche::Advance,
        StoredTranche::Balance => Tranche::Balance,
        StoredTranche::Reclaim => Tranche::Reclaim,
    }
}

pub fn stored_tranche(t: Tranche) -> StoredTranche {
    match t {
        Tranche::Advance => StoredTranche::Advance,
        Tranche::Balance => StoredTranche::Balance,
        Tranche::Reclaim => StoredTranche::Reclaim,
    }
}

pub fn payment_state(s: StoredPaymentState) -> crate::domain::payments::PaymentState {
    use crate::domain::payments::PaymentState as P;
    match s {
        StoredPaymentState::Scheduled => P::Scheduled,
        StoredPaymentState::Approved => P::Approved,
        StoredPaymentState::Paid => P::Paid,
        StoredPaymentState::Cancelled => P::Cancelled,
    }
}

pub fn stored_payment_state(s: crate::domain::payments::PaymentState) -> StoredPaymentState {
    use crate::domain::payments::PaymentState as P;
    match s {
        P::Scheduled => StoredPaymentState::Scheduled,
        P::Approved => StoredPaymentState::Approved,
        P::Paid => StoredPaymentState::Paid,
        P::Cancelled => StoredPaymentState::Cancelled,
    }
}

fn cents(value: i64) -> Cents {
    Cents::new(value).unwrap_or_default()
}

fn kpi_value(thousandths: i64) -> KpiValue {
    KpiValue::from_thousandths(u64::try_from(thousandths).unwrap_or(0))
}

/// A KPI's plan as the domain reads it.
pub fn plan_of(k: &kpi::Model) -> KpiPlan {
    KpiPlan {
        baseline: kpi_value(k.baseline),
        target: kpi_value(k.target),
    }
}

/// Whether `report`'s deadline is the call's published date, a derived one or one moved for a
/// late approval, from the call's project `years` and whether the call is fictitious.
pub fn due_standing_in(
    years: &[call_project_year::Model],
    call_fictitious: bool,
    report: &progress_report::Model,
) -> crate::domain::illustrative::DueStanding {
    use crate::domain::illustrative::{DueStanding, date_illustrative, due_standing};
    let Some(year) = years.iter().find(|y| y.year_number == report.year_number) else {
        return DueStanding::MovedForLateApproval;
    };
    let call_due = match report.kind {
        StoredKind::Interim => year.interim_report_due,
        StoredKind::Year => year.year_report_due,
    };
    due_standing(
        report.due_on,
        call_due,
        date_illustrative(year.report_dates_illustrative, call_fictitious),
    )
}

// ------------------------------------------------------------------ loading

/// The plan's action of a line code: `3.2` for `3.2b`.
fn plan_action(code: &str) -> String {
    crate::domain::ActionCode::action_text(code)
}

/// A chosen action with its catalog code and title and its KPIs.
#[derive(Debug, Clone)]
pub struct FollowedAction {
    pub row: application_action::Model,
    pub code: String,
    pub title: String,
    pub kpis: Vec<kpi::Model>,
}

/// Everything about one dossier's follow-up.
#[derive(Debug, Clone)]
pub struct FollowUp {
    pub app: application::Model,
    pub call: call::Model,
    pub years: Vec<call_project_year::Model>,
    /// In priority order.
    pub actions: Vec<FollowedAction>,
    /// The latest decision.
    pub decision: Option<decision::Model>,
    pub lines: Vec<decision_line::Model>,
    pub continuations: Vec<continuation::Model>,
    /// By year, interim first.
    pub reports: Vec<progress_report::Model>,
    pub results: Vec<kpi_result::Model>,
    pub payments: Vec<payment::Model>,
    pub reclaims: Vec<reclaim::Model>,
}

pub async fn load<C: ConnectionTrait>(
    db: &C,
    application_id: i64,
) -> Result<Option<FollowUp>, DbErr> {
    let Some(app) = application::Entity::find_by_id(application_id)
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    let Some(call) = call::Entity::find_by_id(app.call_id).one(db).await? else {
        return Ok(None);
    };
    let years = call_project_year::Entity::find()
        .filter(call_project_year::Column::CallId.eq(call.id))
        .order_by_asc(call_project_year::Column::YearNumber)
        .all(db)
        .await?;
    let rows = application_action::Entity::find()
        .filter(application_action::Column::ApplicationId.eq(app.id))
        .order_by_asc(application_action::Column::PriorityRank)
        .order_by_asc(application_action::Column::Id)
        .find_also_related(call_action::Entity)
        .all(db)
        .await?;
    let action_ids: Vec<i64> = rows.iter().map(|(r, _)| r.id).collect();
    let catalog = action::Entity::find()
        .filter(
            action::Column::Id.is_in(
                rows.iter()
                    .filter_map(|(_, ca)| ca.as_ref().map(|c| c.action_id))
                    .collect::<Vec<_>>(),
            ),
        )
        .all(db)
        .await?;
    let kpis = kpi::Entity::find()
        .filter(kpi::Column::ApplicationActionId.is_in(action_ids.clone()))
        .order_by_desc(kpi::Column::IsReachKpi)
        .order_by_asc(kpi::Column::Id)
        .all(db)
        .await?;
    let actions = rows
        .into_iter()
        .map(|(row, ca)| {
            let a = ca.and_then(|ca| {
                catalog
                    .iter()
                    .find(|a| a.id == ca.action_id)
                    .map(|a| crate::store::rules::as_offered(ca, a.clone()).1)
            });
            FollowedAction {
                code: a.as_ref().map(|a| a.code.clone()).unwrap_or_default(),
                title: a.as_ref().map(|a| a.title.clone()).unwrap_or_default(),
                kpis: kpis
                    .iter()
                    .filter(|k| k.application_action_id == row.id)
                    .cloned()
                    .collect(),
                row,
            }
        })
        .collect();
    let decision = decision::Entity::find()
        .filter(decision::Column::ApplicationId.eq(app.id))
        .order_by_desc(decision::Column::Id)
        .one(db)
        .await?;
    let lines = match &decision {
        Some(d) => {
            decision_line::Entity::find()
                .filter(decision_line::Column::DecisionId.eq(d.id))
                .all(db)
                .await?
        }
        None => Vec::new(),
    };
    let continuations = continuation::Entity::find()
        .filter(continuation::Column::ApplicationActionId.is_in(action_ids))
        .order_by_asc(continuation::Column::YearNumber)
        .all(db)
        .await?;
    let mut reports = progress_report::Entity::find()
        .filter(progress_report::Column::ApplicationId.eq(app.id))
        .all(db)
        .await?;
    reports.sort_by_key(|r| (r.year_number, r.kind != StoredKind::Interim));
    let report_ids: Vec<i64> = reports.iter().map(|r| r.id).collect();
    let results = kpi_result::Entity::find()
        .filter(kpi_result::Column::ProgressReportId.is_in(report_ids))
        .all(db)
        .await?;
    let payments = payment::Entity::find()
        .filter(payment::Column::ApplicationId.eq(app.id))
        .order_by_asc(payment::Column::YearNumber)
        .order_by_asc(payment::Column::Id)
        .all(db)
        .await?;
    let reclaims = reclaim::Entity::find()
        .filter(reclaim::Column::ApplicationId.eq(app.id))
        .order_by_asc(reclaim::Column::YearNumber)
        .order_by_asc(reclaim::Column::Id)
        .all(db)
        .await?;
    Ok(Some(FollowUp {
        app,
        call,
        years,
        actions,
        decision,
        lines,
        continuations,
        reports,
        results,
        payments,
        reclaims,
    }))
}

impl FollowUp {
    /// Whether `report`'s deadline is the call's published date, a date the call itself marks
    /// illustrative, or one moved for a late approval (`domain::illustrative::due_standing`).
    pub fn due_standing(
        &self,
        report: &progress_report::Model,
    ) -> crate::domain::illustrative::DueStanding {
        due_standing_in(&self.years, self.call.parameters_fictitious, report)
    }

    pub fn is_followed(&self) -> bool {
        FOLLOWED_STATES.contains(&self.app.state) && self.decision.is_some()
    }

    pub fn project_years(&self) -> std::ops::RangeInclusive<i32> {
        self.app.first_project_year..=self.app.last_project_year
    }

    pub fn advance_bp(&self) -> BasisPoints {
        BasisPoints::new(u32::try_from(self.call.advance_bp).unwrap_or(0))
            .unwrap_or(BasisPoints::FULL)
    }

    pub fn continuation_min_bp(&self) -> u32 {
        u32::try_from(self.call.continuation_min_bp).unwrap_or(0)
    }

    pub fn granted(&self, action_id: i64, year: i32) -> Cents {
        cents(crate::domain::money::sum_cents(
            self.lines
                .iter()
                .filter(|l| l.application_action_id == action_id && l.year_number == year)
                .map(|l| l.granted_cents),
        ))
    }

    pub fn continuation(&self, action_id: i64, year: i32) -> Option<&continuation::Model> {
        self.continuations
            .iter()
            .find(|c| c.application_action_id == action_id && c.year_number == year)
    }

    /// Whether action `action_id` runs in `year`: always in the dossier's first project year;
    /// later unless a continuation decision stopped it in that or an earlier year. A proposal
    /// ABB did not decide yet does not stop anything.
    pub fn continues(&self, action_id: i64, year: i32) -> bool {
        year <= self.app.first_project_year
            || !self.continuations.iter().any(|c| {
                c.application_action_id == action_id
                    && c.year_number <= year
                    && c.confirmed == Some(false)
            })
    }

    /// The actions granted something in `year` and running in it: those a report of that year
    /// covers.
    pub fn actions_in(&self, year: i32) -> Vec<&FollowedAction> {
        self.actions
            .iter()
            .filter(|a| {
                self.granted(a.row.id, year) > Cents::ZERO && self.continues(a.row.id, year)
            })
            .collect()
    }

    /// What the dossier is entitled to in `year`.
    pub fn entitlement(&self, year: i32) -> Entitlement {
        let actions: Vec<ActionYear<'_>> = self
            .actions
            .iter()
            .filter(|a| self.granted(a.row.id, year) > Cents::ZERO)
            .map(|a| ActionYear {
                code: &a.code,
                granted: self.granted(a.row.id, year),
                continues: self.continues(a.row.id, year),
            })
            .collect();
        let incentive = self.decision.as_ref().map_or(Cents::ZERO, |d| {
            crate::domain::decision::incentive_in_year(
                cents(d.incentive_cents),
                d.incentive_by_year.as_deref(),
                year,
            )
        });
        year_entitlement(&actions, incentive)
    }

    pub fn report(&self, year: i32, kind: StoredKind) -> Option<&progress_report::Model> {
        self.reports
            .iter()
            .find(|r| r.year_number == year && r.kind == kind)
    }

    pub fn result(&self, report_id: i64, kpi_id: i64) -> Option<&kpi_result::Model> {
        self.results
            .iter()
            .find(|r| r.progress_report_id == report_id && r.kpi_id == kpi_id)
    }

    /// The achievement of KPI `k` in report `report`, when its value was filled in.
    /// A reach line's result at `report`: the reach achieved on top of the baseline against the
    /// planned additional reach, in whole units, from the line's reach KPI; `None` when no value
    /// was reported.
    pub fn line_result(
        &self,
        report: &progress_report::Model,
        line: &FollowedAction,
    ) -> Option<LineResult> {
        let k = line.kpis.iter().find(|k| k.is_reach_kpi)?;
        let actual = self.result(report.id, k.id)?.actual_value?;
        let whole = |thousandths: i64| {
            u32::try_from(std::cmp::max(thousandths, 0) / 1000).unwrap_or(u32::MAX)
        };
        Some(LineResult {
            planned: whole(k.target - k.baseline),
            achieved: whole(actual - k.baseline),
        })
    }

    pub fn achievement(&self, report: &progress_report::Model, k: &kpi::Model) -> Option<u64> {
        self.result(report.id, k.id)
            .and_then(|r| r.actual_value)
            .map(|v| plan_of(k).achievement_bp(kpi_value(v)))
    }

    /// The KPIs of report `report` whose saved value misses its target (for a year report,
    /// below 100%; for an interim report, below the continuation threshold), with their action,
    /// in the order of the form.
    pub fn missed_kpis(
        &self,
        report: &progress_report::Model,
    ) -> Vec<(&FollowedAction, &kpi::Model)> {
        let kind = report_kind(report.kind);
        self.actions_in(report.year_number)
            .into_iter()
            .flat_map(|a| a.kpis.iter().map(move |k| (a, k)))
            .filter(|(_, k)| {
                self.result(report.id, k.id)
                    .and_then(|r| r.actual_value)
                    .map(|v| {
                        crate::domain::followup::assess_kpi(
                            plan_of(k),
                            kpi_value(v),
                            kind,
                            self.continuation_min_bp(),
                        )
                        .missed
                    })
                    .unwrap_or(false)
            })
            .collect()
    }

    /// The payments of `year` and `tranche` that are not cancelled.
    pub fn live_payments(
        &self,
        year: i32,
        t: StoredTranche,
    ) -> impl Iterator<Item = &payment::Model> {
        self.payments.iter().filter(move |p| {
            p.year_number == year && p.tranche == t && p.state != StoredPaymentState::Cancelled
        })
    }

    fn payee(&self) -> (Option<i64>, Option<i64>) {
        (
            self.app.lead_municipality_id,
            self.app.partner_organisation_id,
        )
    }
}

// ------------------------------------------------------------------ payments

/// A payment to schedule.
struct NewPayment {
    year: i32,
    tranche: Tranche,
    amount: Cents,
    computation: String,
    due_on: NaiveDate,
}

async fn insert_payment<C: ConnectionTrait>(
    txn: &C,
    fu: &FollowUp,
    new: NewPayment,
    by: &By,
    now: DateTime<Utc>,
) -> Result<payment::Model, DbErr> {
    let NewPayment {
        year,
        tranche: t,
        amount,
        computation,
        due_on,
    } = new;
    let (municipality, partner) = fu.payee();
    let row = payment::ActiveModel {
        application_id: Set(fu.app.id),
        year_number: Set(year),
        tranche: Set(stored_tranche(t)),
        amount_cents: Set(amount.get()),
        state: Set(StoredPaymentState::Scheduled),
        computation: Set(Some(computation)),
        payee_municipality_id: Set(municipality),
        payee_partner_organisation_id: Set(partner),
        due_on: Set(Some(due_on)),
        paid_on: Set(None),
        created_at: Set(now),
        version: Set(1),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    audit::record(
        txn,
        by.entry("payment.scheduled", "payment", row.id)
            .after(serde_json::to_value(&row).unwrap_or_default())
            .details(format!(
                "dossier {}: {} projectjaar {year}, {amount}",
                fu.app.reference,
                t.code()
            )),
    )
    .await?;
    Ok(row)
}

/// Schedules, recomputes or cancels the advance of `year` so it matches what the year is worth,
/// as long as it is only scheduled. An advance ABB already approved or paid is left alone; the
/// balance settles any difference. `now` is the moment of the change (its day: "today").
pub async fn refresh_advance<C: ConnectionTrait>(
    txn: &C,
    fu: &FollowUp,
    year: i32,
    now: DateTime<Utc>,
    by: &By,
) -> Result<(), DbErr> {
    let today = crate::domain::time::brussels_date(now);
    let entitlement = fu.entitlement(year);
    let tranches = split_tranches(entitlement.total, fu.advance_bp());
    let computation = format!(
        "{} {}",
        advance_explanation(year, entitlement.total, fu.advance_bp()),
        entitlement.explanation
    );
    let existing = fu.live_payments(year, StoredTranche::Advance).next();
    match existing {
        None if tranches.advance > Cents::ZERO => {
            let starts = fu
                .years
                .iter()
                .find(|y| y.year_number == year)
                .map(|y| y.starts_on)
                .unwrap_or(today);
            insert_payment(
                txn,
                fu,
                NewPayment {
                    year,
                    tranche: Tranche::Advance,
                    amount: tranches.advance,
                    computation,
                    due_on: std::cmp::max(starts, today),
                },
                by,
                now,
            )
            .await?;
        }
        Some(p)
            if p.state == StoredPaymentState::Scheduled
                && p.amount_cents != tranches.advance.get() =>
        {
            let cancel = tranches.advance == Cents::ZERO;
            let mut update = payment::Entity::update_many()
                .col_expr(
                    payment::Column::Version,
                    Expr::col(payment::Column::Version).add(1),
                )
                .filter(payment::Column::Id.eq(p.id))
                .filter(payment::Column::State.eq(StoredPaymentState::Scheduled));
            update = if cancel {
                update.col_expr(
                    payment::Column::State,
                    Expr::value(StoredPaymentState::Cancelled),
                )
            } else {
                update
                    .col_expr(
                        payment::Column::AmountCents,
                        Expr::value(tranches.advance.get()),
                    )
                    .col_expr(
                        payment::Column::Computation,
                        Expr::value(Some(computation.clone())),
                    )
            };
            if update.exec(txn).await?.rows_affected == 1 {
                audit::record(
                    txn,
                    by.entry(
                        if cancel { "payment.cancelled" } else { "payment.recomputed" },
                        "payment",
                        p.id,
                    )
                    .before(serde_json::json!({"amount_cents": p.amount_cents, "state": p.state}))
                    .after(serde_json::json!({"amount_cents": tranches.advance.get(), "computation": computation}))
                    .details(format!("dossier {}: voorschot projectjaar {year} herberekend", fu.app.reference)),
                )
                .await?;
            }
        }
        _ => {}
    }
    Ok(())
}

/// After a decision on dossier `application_id` (in the decision's transaction): on approval,
/// the interim and year report of every project year (deadlines from the call, moved when the
/// dossier was approved late) and each year's advance; on rejection, scheduled payments are
/// cancelled.
pub async fn on_decision<C: ConnectionTrait>(
    txn: &C,
    application_id: i64,
    by: &By,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    let Some(fu) = load(txn, application_id).await? else {
        return Ok(());
    };
    let Some(decided) = fu.decision.clone() else {
        return Ok(());
    };
    if decided.outcome == DecisionOutcome::Rejected {
        for p in fu.payments.iter().filter(|p| {
            matches!(
                p.state,
                StoredPaymentState::Scheduled | StoredPaymentState::Approved
            )
        }) {
            let done = payment::Entity::update_many()
                .col_expr(
                    payment::Column::State,
                    Expr::value(StoredPaymentState::Cancelled),
                )
                .col_expr(
                    payment::Column::Version,
                    Expr::col(payment::Column::Version).add(1),
                )
                .filter(payment::Column::Id.eq(p.id))
                .filter(payment::Column::Version.eq(p.version))
                .exec(txn)
                .await?;
            if done.rows_affected == 1 {
                audit::record(
                    txn,
                    by.entry("payment.cancelled", "payment", p.id)
                        .before(serde_json::json!({"state": p.state}))
                        .details(format!("dossier {} afgewezen", fu.app.reference)),
                )
                .await?;
            }
        }
        return Ok(());
    }
    let decided_on = crate::domain::time::brussels_date(decided.decided_at);
    let first_start = fu
        .years
        .iter()
        .find(|y| y.year_number == fu.app.first_project_year)
        .map(|y| y.starts_on)
        .unwrap_or(decided_on);
    for year in fu.project_years() {
        let Some(cy) = fu.years.iter().find(|y| y.year_number == year) else {
            continue;
        };
        for (kind, call_due) in [
            (StoredKind::Interim, cy.interim_report_due),
            (StoredKind::Year, cy.year_report_due),
        ] {
            if fu.report(year, kind).is_some() {
                continue;
            }
            let row = progress_report::ActiveModel {
                application_id: Set(fu.app.id),
                year_number: Set(year),
                kind: Set(kind),
                state: Set(StoredState::Draft),
                due_on: Set(report_due_on(call_due, first_start, decided_on)),
                version: Set(1),
                ..Default::default()
            }
            .insert(txn)
            .await?;
            audit::record(
                txn,
                by.entry("report.created", "progress_report", row.id)
                    .after(serde_json::to_value(&row).unwrap_or_default())
                    .details(format!(
                        "dossier {}: {} projectjaar {year}, in te dienen tegen {}",
                        fu.app.reference,
                        report_kind(kind).label(),
                        row.due_on.format("%d-%m-%Y")
                    )),
            )
            .await?;
        }
        refresh_advance(txn, &fu, year, now, by).await?;
    }
    Ok(())
}

/// Cancels every payment of dossier `application_id` that is scheduled or approved but not
/// paid, with `reason` (shown on the payment list): a decision that no longer stands (reopened
/// by ABB, or the dossier given back) must not be paid out. Paid payments stay as they are. The
/// next decision schedules anew through [`on_decision`]. Returns the cancelled payments.
pub async fn cancel_unpaid<C: ConnectionTrait>(
    txn: &C,
    application_id: i64,
    reason: &str,
    by: &By,
) -> Result<Vec<payment::Model>, DbErr> {
    let open = payment::Entity::find()
        .filter(payment::Column::ApplicationId.eq(application_id))
        .filter(
            payment::Column::State
                .is_in([StoredPaymentState::Scheduled, StoredPaymentState::Approved]),
        )
        .all(txn)
        .await?;
    let mut cancelled = Vec::new();
    for p in open {
        let done = payment::Entity::update_many()
            .col_expr(
                payment::Column::State,
                Expr::value(StoredPaymentState::Cancelled),
            )
            .col_expr(
                payment::Column::CancelReason,
                Expr::value(Some(reason.to_owned())),
            )
            .col_expr(
                payment::Column::Version,
                Expr::col(payment::Column::Version).add(1),
            )
            .filter(payment::Column::Id.eq(p.id))
            .filter(payment::Column::Version.eq(p.version))
            .exec(txn)
            .await?;
        if done.rows_affected == 1 {
            audit::record(
                txn,
                by.entry("payment.cancelled", "payment", p.id)
                    .before(serde_json::json!({"state": p.state}))
                    .after(serde_json::json!({"state": StoredPaymentState::Cancelled}))
                    .details(reason.to_owned()),
            )
            .await?;
            cancelled.push(p);
        }
    }
    Ok(cancelled)
}

/// What an accepted report set in motion, for the e-mail and the flash message.
#[derive(Debug, Default, Clone)]
pub struct AcceptanceOutcome {
    pub lines: Vec<String>,
}

/// After report `report_id` was accepted (in the same transaction): an interim report proposes
/// the continuation of each of its actions into the next project year; a year report settles
/// the year (balance, or an excess advance owed back) and proposes a reclaim for every action
/// with a KPI missed without an accepted motivation.
pub async fn after_acceptance<C: ConnectionTrait>(
    txn: &C,
    report_id: i64,
    now: DateTime<Utc>,
    by: &By,
) -> Result<AcceptanceOutcome, DbErr> {
    let today = crate::domain::time::brussels_date(now);
    let mut outcome = AcceptanceOutcome::default();
    let Some(report) = progress_report::Entity::find_by_id(report_id)
        .one(txn)
        .await?
    else {
        return Ok(outcome);
    };
    let Some(fu) = load(txn, report.application_id).await? else {
        return Ok(outcome);
    };
    let year = report.year_number;
    match report.kind {
        StoredKind::Interim => {
            if year >= fu.app.last_project_year {
                outcome.lines.push(format!(
                    "Projectjaar {year} is het laatste projectjaar: er is geen voortzetting te beslissen."
                ));
                return Ok(outcome);
            }
            let next = year + 1;
            let lines = fu.actions_in(year);
            for a in &lines {
                if fu.granted(a.row.id, next) == Cents::ZERO {
                    continue;
                }
                // The action's lines decide together (issue 21): reach achieved over planned.
                let action = plan_action(&a.code);
                let results: Vec<LineResult> = lines
                    .iter()
                    .filter(|l| plan_action(&l.code) == action)
                    .filter_map(|l| fu.line_result(&report, l))
                    .collect();
                let proposal = propose_continuation(&action, &results, fu.continuation_min_bp());
                let existing = fu.continuation(a.row.id, next);
                let row_id = match existing {
                    Some(c) if c.confirmed.is_some() => continue,
                    Some(c) => {
                        continuation::Entity::update_many()
                            .col_expr(
                                continuation::Column::Proposed,
                                Expr::value(proposal.continues),
                            )
                            .col_expr(
                                continuation::Column::Reason,
                                Expr::value(proposal.reason.clone()),
                            )
                            .col_expr(
                                continuation::Column::Version,
                                Expr::col(continuation::Column::Version).add(1),
                            )
                            .filter(continuation::Column::Id.eq(c.id))
                            .exec(txn)
                            .await?;
                        c.id
                    }
                    None => {
                        continuation::ActiveModel {
                            application_action_id: Set(a.row.id),
                            year_number: Set(next),
                            proposed: Set(proposal.continues),
                            confirmed: Set(None),
                            reason: Set(proposal.reason.clone()),
                            decided_by: Set(None),
                            decided_at: Set(None),
                            decision_note: Set(None),
                            version: Set(1),
                            ..Default::default()
                        }
                        .insert(txn)
                        .await?
                        .id
                    }
                };
                audit::record(
                    txn,
                    by.entry("continuation.proposed", "continuation", row_id)
                        .after(serde_json::json!({"action": a.code, "year": next, "proposed": proposal.continues}))
                        .details(proposal.reason.clone()),
                )
                .await?;
                outcome.lines.push(format!(
                    "Voorstel voor actie {} in projectjaar {next}: {}. {}",
                    a.code,
                    if proposal.continues {
                        "voortzetten"
                    } else {
                        "stoppen"
                    },
                    proposal.reason
                ));
            }
        }
        StoredKind::Year => {
            let entitlement = fu.entitlement(year);
            let advanced = Cents::checked_sum(
                fu.live_payments(year, StoredTranche::Advance)
                    .map(|p| cents(p.amount_cents)),
            )
            .unwrap_or_default();
            if fu
                .live_payments(year, StoredTranche::Balance)
                .next()
                .is_none()
            {
                match settle(entitlement.total, advanced) {
                    Settlement::Balance(balance) => {
                        let computation = format!(
                            "{} {}",
                            balance_explanation(year, entitlement.total, advanced, balance),
                            entitlement.explanation
                        );
                        insert_payment(
                            txn,
                            &fu,
                            NewPayment {
                                year,
                                tranche: Tranche::Balance,
                                amount: balance,
                                computation,
                                due_on: today,
                            },
                            by,
                            now,
                        )
                        .await?;
                        outcome.lines.push(format!(
                            "Het saldo van projectjaar {year}, {balance}, is gepland."
                        ));
                    }
                    Settlement::Nothing => outcome.lines.push(format!(
                        "Het voorschot dekte projectjaar {year} volledig: er is geen saldo."
                    )),
                    Settlement::Excess(excess) => {
                        let computation = format!(
                            "Het voorschot van projectjaar {year} ({advanced}) is hoger dan waarop het dossier recht heeft ({}): {excess} terug te betalen. {}",
                            entitlement.total, entitlement.explanation
                        );
                        insert_payment(
                            txn,
                            &fu,
                            NewPayment {
                                year,
                                tranche: Tranche::Reclaim,
                                amount: excess,
                                computation,
                                due_on: today + TimeDelta::days(30),
                            },
                            by,
                            now,
                        )
                        .await?;
                        outcome.lines.push(format!(
                            "Het voorschot van projectjaar {year} was {excess} te hoog; dat bedrag wordt teruggevorderd."
                        ));
                    }
                }
            }
            for a in fu.actions_in(year) {
                if fu.reclaims.iter().any(|r| {
                    r.progress_report_id == report.id && r.application_action_id == a.row.id
                }) {
                    continue;
                }
                let mut kpis = Vec::new();
                for k in &a.kpis {
                    let Some(bp) = fu.achievement(&report, k) else {
                        continue;
                    };
                    let missed = is_missed(ReportKind::Year, bp, fu.continuation_min_bp());
                    let accepted = fu
                        .result(report.id, k.id)
                        .and_then(|r| r.motivation_accepted)
                        .unwrap_or(false);
                    kpis.push(ReclaimKpi {
                        indicator: &k.indicator,
                        achievement_bp: bp,
                        missed,
                        motivation_accepted: accepted,
                    });
                }
                let granted = fu.granted(a.row.id, year);
                let Some(proposal) = compute_reclaim(&a.code, year, granted, &kpis, granted) else {
                    continue;
                };
                let row = reclaim::ActiveModel {
                    application_id: Set(fu.app.id),
                    year_number: Set(year),
                    application_action_id: Set(a.row.id),
                    progress_report_id: Set(report.id),
                    state: Set(ReclaimState::Proposed),
                    computed_cents: Set(proposal.computed.get()),
                    max_cents: Set(proposal.max.get()),
                    computation: Set(proposal.explanation.clone()),
                    amount_cents: Set(None),
                    reason: Set(None),
                    decided_by: Set(None),
                    decided_at: Set(None),
                    payment_id: Set(None),
                    created_at: Set(now),
                    version: Set(1),
                    ..Default::default()
                }
                .insert(txn)
                .await?;
                audit::record(
                    txn,
                    by.entry("reclaim.proposed", "reclaim", row.id)
                        .after(serde_json::json!({"action": a.code, "year": year, "max_cents": proposal.max.get()}))
                        .details(proposal.explanation.clone()),
                )
                .await?;
                outcome.lines.push(format!(
                    "Voorgestelde terugvordering voor actie {}: hoogstens {}. {}",
                    a.code, proposal.max, proposal.explanation
                ));
            }
        }
    }
    Ok(outcome)
}

// ------------------------------------------------------------------ people to tell

/// The lead's side of a dossier: its contact address and the active officials of the lead
/// municipality or partner organisation.
pub async fn lead_addresses<C: ConnectionTrait>(
    db: &C,
    app: &application::Model,
) -> Result<Vec<String>, DbErr> {
    let mut to: Vec<String> = app
        .contact_email
        .iter()
        .filter(|e| !e.trim().is_empty())
        .cloned()
        .collect();
    let mut condition = Condition::any();
    if let Some(m) = app.lead_municipality_id {
        condition = condition.add(app_user::Column::MunicipalityId.eq(m));
    }
    if let Some(p) = app.partner_organisation_id {
        condition = condition.add(app_user::Column::PartnerOrganisationId.eq(p));
    }
    if app.lead_municipality_id.is_none() && app.partner_organisation_id.is_none() {
        return Ok(to);
    }
    for u in app_user::Entity::find()
        .filter(app_user::Column::Active.eq(true))
        .filter(app_user::Column::Role.eq(UserRole::Official))
        .filter(condition)
        .all(db)
        .await?
    {
        if !to.contains(&u.email) {
            to.push(u.email);
        }
    }
    Ok(to)
}

/// Queues one e-mail per address of the lead's side about dossier `app`: the lead acts on
/// reminders and on its own submissions.
pub async fn tell_lead<C: ConnectionTrait>(
    txn: &C,
    public_url: &str,
    app: &application::Model,
    subject: &str,
    text: &str,
    related: (&str, i64),
) -> Result<(), DbErr> {
    for to in lead_addresses(txn, app).await? {
        enqueue_followup_mail(txn, public_url, app, to, subject, text, related).await?;
    }
    Ok(())
}

async fn enqueue_followup_mail<C: ConnectionTrait>(
    txn: &C,
    public_url: &str,
    app: &application::Model,
    to: String,
    subject: &str,
    text: &str,
    related: (&str, i64),
) -> Result<(), DbErr> {
    let link = format!("{public_url}/dossiers/{}/opvolging", app.id);
    mail::enqueue(
        txn,
        OutgoingMail {
            to,
            subject: format!("Samenleven: {subject} ({})", app.reference),
            body_text: format!(
                "Beste,\n\n{text}\n\nDe opvolging van dossier {} (\"{}\"):\n{link}\n\nMet vriendelijke groeten,\nAgentschap Binnenlands Bestuur — Samenleven\n",
                app.reference, app.title
            ),
            related: Some((related.0.to_owned(), related.1.to_string())),
        },
    )
    .await?;
    Ok(())
}

/// The reviewer assigned to the dossier, if any and active.
pub async fn assigned_reviewer<C: ConnectionTrait>(
    db: &C,
    app: &application::Model,
) -> Result<Option<app_user::Model>, DbErr> {
    match app.assigned_reviewer_id {
        Some(id) => Ok(app_user::Entity::find_by_id(id)
            .one(db)
            .await?
            .filter(|u| u.active && u.role != UserRole::Official)),
        None => Ok(None),
    }
}

/// Moment → the day it falls on in Brussels, for due dates.
pub fn day(at: DateTime<Utc>) -> NaiveDate {
    crate::domain::time::brussels_date(at)
}

/// Schedules the reclaim payment of a confirmed reclaim: owed by the lead (or the partner
/// organisation), due in 30 days from `now`.
pub async fn schedule_reclaim_payment<C: ConnectionTrait>(
    txn: &C,
    fu: &FollowUp,
    year: i32,
    amount: Cents,
    computation: String,
    now: DateTime<Utc>,
    by: &By,
) -> Result<payment::Model, DbErr> {
    let today = crate::domain::time::brussels_date(now);
    insert_payment(
        txn,
        fu,
        NewPayment {
            year,
            tranche: Tranche::Reclaim,
            amount,
            computation,
            due_on: today + TimeDelta::days(30),
        },
        by,
        now,
    )
    .await
}

// ------------------------------------------------------------------ lists for ABB

/// Filters of ABB's report list.
#[derive(Debug, Clone, Default)]
pub struct ReportFilter {
    pub call_id: Option<i64>,
    pub state: Option<StoredState>,
    pub kind: Option<StoredKind>,
    /// Only reports past their deadline and not submitted, on this day.
    pub overdue_on: Option<NaiveDate>,
}

/// One line of ABB's report list.
#[derive(Debug, Clone)]
pub struct ReportListRow {
    pub report: progress_report::Model,
    pub app: application::Model,
    pub lead: String,
}

/// The reports of followed dossiers matching `filter`, by deadline: one page of them
/// (`paging` = (1-based page, page size)) or, without paging, all (for exports); with the
/// number of matching reports.
pub async fn list_reports<C: ConnectionTrait>(
    db: &C,
    filter: &ReportFilter,
    paging: Option<(u64, u64)>,
) -> Result<(Vec<ReportListRow>, u64), DbErr> {
    let mut select = progress_report::Entity::find()
        .find_also_related(application::Entity)
        .filter(application::Column::State.is_in(FOLLOWED_STATES));
    if let Some(call_id) = filter.call_id {
        select = select.filter(application::Column::CallId.eq(call_id));
    }
    if let Some(state) = filter.state {
        select = select.filter(progress_report::Column::State.eq(state));
    }
    if let Some(kind) = filter.kind {
        select = select.filter(progress_report::Column::Kind.eq(kind));
    }
    if let Some(today) = filter.overdue_on {
        select = select
            .filter(progress_report::Column::DueOn.lt(today))
            .filter(
                progress_report::Column::State.is_in([StoredState::Draft, StoredState::SentBack]),
            );
    }
    let select = select
        .order_by_asc(progress_report::Column::DueOn)
        .order_by_asc(progress_report::Column::Id);
    let (rows, total) = fetch_paged(db, select, paging).await?;
    let names = leads(db, rows.iter().filter_map(|(_, a)| a.as_ref())).await?;
    Ok((
        rows.into_iter()
            .filter_map(|(report, app)| {
                let app = app?;
                Some(ReportListRow {
                    lead: names.get(&app.id).map(|l| l.0.clone()).unwrap_or_default(),
                    report,
                    app,
                })
            })
            .collect(),
        total,
    ))
}

/// All rows of `select`, or one page of them; and how many rows match.
async fn fetch_paged<C, E, F>(
    db: &C,
    select: sea_orm::SelectTwo<E, F>,
    paging: Option<(u64, u64)>,
) -> Result<(Vec<(E::Model, Option<F::Model>)>, u64), DbErr>
where
    C: ConnectionTrait,
    E: EntityTrait,
    F: EntityTrait,
    E::Model: Send + Sync,
    F::Model: Send + Sync,
{
    use sea_orm::PaginatorTrait;
    match paging {
        Some((page, size)) => {
            let paginator = select.paginate(db, Ord::max(size, 1));
            let total = paginator.num_items().await?;
            let rows = paginator.fetch_page(Ord::max(page, 1) - 1).await?;
            Ok((rows, total))
        }
        None => {
            let rows = select.all(db).await?;
            let total = u64::try_from(rows.len()).unwrap_or(u64::MAX);
            Ok((rows, total))
        }
    }
}

/// Lead name and NIS code (none for a partner organisation) by application id, looked up by
/// the distinct ids (bounded by the municipalities, whatever the number of rows).
async fn leads<'a, C: ConnectionTrait>(
    db: &C,
    apps: impl Iterator<Item = &'a application::Model>,
) -> Result<std::collections::HashMap<i64, (String, Option<i32>)>, DbErr> {
    use entity::{municipality, partner_organisation};
    use std::collections::BTreeSet;
    let apps: Vec<&application::Model> = apps.collect();
    let municipality_ids: BTreeSet<i64> =
        apps.iter().filter_map(|a| a.lead_municipality_id).collect();
    let partner_ids: BTreeSet<i64> = apps
        .iter()
        .filter_map(|a| a.partner_organisation_id)
        .collect();
    let municipalities = municipality::Entity::find()
        .filter(municipality::Column::Id.is_in(municipality_ids))
        .all(db)
        .await?;
    let partners = partner_organisation::Entity::find()
        .filter(partner_organisation::Column::Id.is_in(partner_ids))
        .all(db)
        .await?;
    Ok(apps
        .into_iter()
        .map(|a| {
            let lead = match (a.lead_municipality_id, a.partner_organisation_id) {
                (Some(m), _) => municipalities
                    .iter()
                    .find(|x| x.id == m)
                    .map(|x| (x.name.clone(), Some(x.nis_code)))
                    .unwrap_or_default(),
                (None, Some(p)) => partners
                    .iter()
                    .find(|x| x.id == p)
                    .map(|x| (x.name.clone(), None))
                    .unwrap_or_default(),
                _ => (String::new(), None),
            };
            (a.id, lead)
        })
        .collect())
}

/// Filters of ABB's payment list and its export.
#[derive(Debug, Clone, Default)]
pub struct PaymentFilter {
    pub call_id: Option<i64>,
    pub year: Option<i32>,
    pub tranche: Option<StoredTranche>,
    pub state: Option<StoredPaymentState>,
}

/// One payment with its dossier and payee.
#[derive(Debug, Clone)]
pub struct PaymentListRow {
    pub payment: payment::Model,
    pub app: application::Model,
    pub payee: String,
    pub nis_code: Option<i32>,
}

/// What the filtered payments add up to (cancelled ones excluded), whatever page is shown.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PaymentTotals {
    /// Advances and balances: paid to the payees.
    pub to_pay_cents: i64,
    /// Reclaims: owed back by the payees.
    pub owed_back_cents: i64,
}

fn payment_conditions(filter: &PaymentFilter) -> sea_orm::Condition {
    let mut c = sea_orm::Condition::all();
    if let Some(call_id) = filter.call_id {
        c = c.add(application::Column::CallId.eq(call_id));
    }
    if let Some(year) = filter.year {
        c = c.add(payment::Column::YearNumber.eq(year));
    }
    if let Some(t) = filter.tranche {
        c = c.add(payment::Column::Tranche.eq(t));
    }
    if let Some(s) = filter.state {
        c = c.add(payment::Column::State.eq(s));
    }
    c
}

/// The payments matching `filter`, by dossier reference, year and id: one page
/// (`paging` = (1-based page, page size)) or all; with the number of matching payments.
pub async fn list_payments<C: ConnectionTrait>(
    db: &C,
    filter: &PaymentFilter,
    paging: Option<(u64, u64)>,
) -> Result<(Vec<PaymentListRow>, u64), DbErr> {
    let select = payment::Entity::find()
        .find_also_related(application::Entity)
        .filter(payment_conditions(filter))
        .order_by_asc(application::Column::Reference)
        .order_by_asc(payment::Column::YearNumber)
        .order_by_asc(payment::Column::Id);
    let (rows, total) = fetch_paged(db, select, paging).await?;
    let names = leads(db, rows.iter().filter_map(|(_, a)| a.as_ref())).await?;
    Ok((
        rows.into_iter()
            .filter_map(|(payment, app)| {
                let app = app?;
                let (payee, nis_code) = names.get(&app.id).cloned().unwrap_or_default();
                Some(PaymentListRow {
                    payment,
                    app,
                    payee,
                    nis_code,
                })
            })
            .collect(),
        total,
    ))
}

/// One payment with its dossier and payee, as the list shows it (for its confirmation page).
pub async fn payment_row<C: ConnectionTrait>(
    db: &C,
    id: i64,
) -> Result<Option<PaymentListRow>, DbErr> {
    let Some((payment, Some(app))) = payment::Entity::find_by_id(id)
        .find_also_related(application::Entity)
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    let names = leads(db, std::iter::once(&app)).await?;
    let (payee, nis_code) = names.get(&app.id).cloned().unwrap_or_default();
    Ok(Some(PaymentListRow {
        payment,
        app,
        payee,
        nis_code,
    }))
}

/// The totals of the payments matching `filter`, summed by the database.
pub async fn payment_totals<C: ConnectionTrait>(
    db: &C,
    filter: &PaymentFilter,
) -> Result<PaymentTotals, DbErr> {
    use sea_orm::QuerySelect;
    use sea_orm::RelationTrait;
    let rows: Vec<(StoredTranche, Option<i64>)> = payment::Entity::find()
        .join(
            sea_orm::JoinType::InnerJoin,
            payment::Relation::Application.def(),
        )
        .filter(payment_conditions(filter))
        .select_only()
        .column(payment::Column::Tranche)
        // PostgreSQL sums BIGINT as NUMERIC: cast back so both databases answer an integer.
        .column_as(
            sea_orm::sea_query::Expr::cust("CAST(SUM(payment.amount_cents) AS BIGINT)"),
            "total",
        )
        .filter(payment::Column::State.ne(StoredPaymentState::Cancelled))
        .group_by(payment::Column::Tranche)
        .into_tuple()
        .all(db)
        .await?;
    let mut totals = PaymentTotals::default();
    for (t, sum) in rows {
        let sum = sum.unwrap_or(0);
        if tranche(t).is_owed_back() {
            totals.owed_back_cents = totals.owed_back_cents.saturating_add(sum);
        } else {
            totals.to_pay_cents = totals.to_pay_cents.saturating_add(sum);
        }
    }
    Ok(totals)
}

/// Decisions ABB still has to take: undecided continuation proposals and proposed reclaims,
/// with the report they belong to.
#[derive(Debug, Clone)]
pub struct Pending {
    pub what: String,
    pub report_id: i64,
    pub reference: String,
}

pub async fn pending_decisions<C: ConnectionTrait>(
    db: &C,
    call_id: Option<i64>,
) -> Result<Vec<Pending>, DbErr> {
    let mut out = Vec::new();
    let open = continuation::Entity::find()
        .filter(continuation::Column::Confirmed.is_null())
        .find_also_related(application_action::Entity)
        .all(db)
        .await?;
    for (c, action) in open {
        let Some(action) = action else { continue };
        let Some(app) = application::Entity::find_by_id(action.application_id)
            .one(db)
            .await?
        else {
            continue;
        };
        if call_id.is_some_and(|id| id != app.call_id) || !FOLLOWED_STATES.contains(&app.state) {
            continue;
        }
        let Some(report) = progress_report::Entity::find()
            .filter(progress_report::Column::ApplicationId.eq(app.id))
            .filter(progress_report::Column::YearNumber.eq(c.year_number - 1))
            .filter(progress_report::Column::Kind.eq(StoredKind::Interim))
            .one(db)
            .await?
        else {
            continue;
        };
        out.push(Pending {
            what: format!("Voortzetting in projectjaar {}", c.year_number),
            report_id: report.id,
            reference: app.reference,
        });
    }
    let proposed = reclaim::Entity::find()
        .filter(reclaim::Column::State.eq(ReclaimState::Proposed))
        .find_also_related(application::Entity)
        .all(db)
        .await?;
    for (r, app) in proposed {
        let Some(app) = app else { continue };
        if call_id.is_some_and(|id| id != app.call_id) {
            continue;
        }
        out.push(Pending {
            what: format!("Terugvordering projectjaar {}", r.year_number),
            report_id: r.progress_report_id,
            reference: app.reference,
        });
    }
    Ok(out)
}

// ------------------------------------------------------------------ ABB's decisions on results

/// Progress report `id`.
pub async fn report_by_id<C: ConnectionTrait>(
    db: &C,
    id: i64,
) -> Result<Option<progress_report::Model>, DbErr> {
    progress_report::Entity::find_by_id(id).one(db).await
}

/// Continuation `id` and the interim report it was proposed by (the interim report of the
/// year before, of the same dossier).
pub async fn continuation_with_report<C: ConnectionTrait>(
    db: &C,
    id: i64,
) -> Result<Option<(continuation::Model, progress_report::Model)>, DbErr> {
    let Some(found) = continuation::Entity::find_by_id(id).one(db).await? else {
        return Ok(None);
    };
    let Some(action) = application_action::Entity::find_by_id(found.application_action_id)
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    let interim = progress_report::Entity::find()
        .filter(progress_report::Column::ApplicationId.eq(action.application_id))
        .filter(progress_report::Column::YearNumber.eq(found.year_number - 1))
        .filter(progress_report::Column::Kind.eq(StoredKind::Interim))
        .one(db)
        .await?;
    Ok(interim.map(|report| (found, report)))
}

/// Reclaim `id`.
pub async fn reclaim_by_id<C: ConnectionTrait>(
    db: &C,
    id: i64,
) -> Result<Option<reclaim::Model>, DbErr> {
    reclaim::Entity::find_by_id(id).one(db).await
}

/// The files added to report `report_id`.
pub async fn report_attachments<C: ConnectionTrait>(
    db: &C,
    report_id: i64,
) -> Result<Vec<entity::attachment::Model>, DbErr> {
    use entity::attachment;
    attachment::Entity::find()
        .filter(attachment::Column::ProgressReportId.eq(report_id))
        .all(db)
        .await
}

/// The files added to any report of dossier `application_id`, oldest first.
pub async fn dossier_report_attachments<C: ConnectionTrait>(
    db: &C,
    application_id: i64,
) -> Result<Vec<entity::attachment::Model>, DbErr> {
    use entity::attachment;
    attachment::Entity::find()
        .filter(attachment::Column::ApplicationId.eq(application_id))
        .filter(attachment::Column::ProgressReportId.is_not_null())
        .order_by_asc(attachment::Column::Id)
        .all(db)
        .await
}

/// File `attachment_id` of report `report_id`.
pub async fn report_attachment<C: ConnectionTrait>(
    db: &C,
    report_id: i64,
    attachment_id: i64,
) -> Result<Option<entity::attachment::Model>, DbErr> {
    use entity::attachment;
    attachment::Entity::find_by_id(attachment_id)
        .filter(attachment::Column::ProgressReportId.eq(report_id))
        .one(db)
        .await
}

/// Deletes file `attachment_id`; whether it was still there.
pub async fn delete_attachment<C: ConnectionTrait>(
    txn: &C,
    attachment_id: i64,
) -> Result<bool, DbErr> {
    Ok(entity::attachment::Entity::delete_by_id(attachment_id)
        .exec(txn)
        .await?
        .rows_affected
        == 1)
}

/// ABB's review of a submitted report.
pub struct ReportReview<'a> {
    pub to: ReportState,
    pub reviewer_id: Option<i64>,
    pub at: DateTime<Utc>,
    pub note: &'a str,
    /// The version ABB read.
    pub version: i32,
    /// ABB's judgement of the motivation per missed KPI.
    pub judgements: &'a [(i64, bool)],
}

/// Records ABB's review of submitted report `report_id`, if it is still submitted at
/// `review.version`; `false` when someone changed it meanwhile (nothing is written).
pub async fn review_report<C: ConnectionTrait>(
    txn: &C,
    report_id: i64,
    review: &ReportReview<'_>,
) -> Result<bool, DbErr> {
    let updated = progress_report::Entity::update_many()
        .col_expr(
            progress_report::Column::State,
            Expr::value(stored_report_state(review.to)),
        )
        .col_expr(
            progress_report::Column::ReviewedBy,
            Expr::value(review.reviewer_id),
        )
        .col_expr(
            progress_report::Column::ReviewedAt,
            Expr::value(Some(review.at)),
        )
        .col_expr(
            progress_report::Column::ReviewNote,
            Expr::value((!review.note.is_empty()).then(|| review.note.to_owned())),
        )
        .col_expr(
            progress_report::Column::Version,
            Expr::value(review.version + 1),
        )
        .filter(progress_report::Column::Id.eq(report_id))
        .filter(progress_report::Column::Version.eq(review.version))
        .filter(progress_report::Column::State.eq(StoredState::Submitted))
        .exec(txn)
        .await?;
    if updated.rows_affected != 1 {
        return Ok(false);
    }
    for (kpi_id, accepted) in review.judgements {
        kpi_result::Entity::update_many()
            .col_expr(
                kpi_result::Column::MotivationAccepted,
                Expr::value(Some(*accepted)),
            )
            .col_expr(
                kpi_result::Column::Version,
                Expr::col(kpi_result::Column::Version).add(1),
            )
            .filter(kpi_result::Column::ProgressReportId.eq(report_id))
            .filter(kpi_result::Column::KpiId.eq(*kpi_id))
            .exec(txn)
            .await?;
    }
    Ok(true)
}

/// Records ABB's decision on open continuation `id` read at `version`; `false` when someone
/// decided or changed it meanwhile.
pub async fn decide_continuation<C: ConnectionTrait>(
    txn: &C,
    id: i64,
    version: i32,
    continues: bool,
    decided_by: Option<i64>,
    at: DateTime<Utc>,
    note: &str,
) -> Result<bool, DbErr> {
    let updated = continuation::Entity::update_many()
        .col_expr(
            continuation::Column::Confirmed,
            Expr::value(Some(continues)),
        )
        .col_expr(continuation::Column::DecidedBy, Expr::value(decided_by))
        .col_expr(continuation::Column::DecidedAt, Expr::value(Some(at)))
        .col_expr(
            continuation::Column::DecisionNote,
            Expr::value((!note.is_empty()).then(|| note.to_owned())),
        )
        .col_expr(continuation::Column::Version, Expr::value(version + 1))
        .filter(continuation::Column::Id.eq(id))
        .filter(continuation::Column::Version.eq(version))
        .filter(continuation::Column::Confirmed.is_null())
        .exec(txn)
        .await?;
    Ok(updated.rows_affected == 1)
}

/// ABB's decision on a proposed reclaim.
pub struct ReclaimDecision<'a> {
    /// The amount reclaimed; `None` when waived.
    pub amount: Option<Cents>,
    pub reason: &'a str,
    pub decided_by: Option<i64>,
    pub at: DateTime<Utc>,
    /// The reclaim payment scheduled for a confirmed reclaim.
    pub payment_id: Option<i64>,
    /// The version ABB read.
    pub version: i32,
}

/// Records ABB's decision on proposed reclaim `id`; `false` when someone decided or changed it
/// meanwhile.
pub async fn decide_reclaim<C: ConnectionTrait>(
    txn: &C,
    id: i64,
    decision: &ReclaimDecision<'_>,
) -> Result<bool, DbErr> {
    let updated = reclaim::Entity::update_many()
        .col_expr(
            reclaim::Column::State,
            Expr::value(if decision.amount.is_some() {
                ReclaimState::Confirmed
            } else {
                ReclaimState::Waived
            }),
        )
        .col_expr(
            reclaim::Column::AmountCents,
            Expr::value(decision.amount.map(|a| a.get())),
        )
        .col_expr(
            reclaim::Column::Reason,
            Expr::value((!decision.reason.is_empty()).then(|| decision.reason.to_owned())),
        )
        .col_expr(reclaim::Column::DecidedBy, Expr::value(decision.decided_by))
        .col_expr(reclaim::Column::DecidedAt, Expr::value(Some(decision.at)))
        .col_expr(reclaim::Column::PaymentId, Expr::value(decision.payment_id))
        .col_expr(reclaim::Column::Version, Expr::value(decision.version + 1))
        .filter(reclaim::Column::Id.eq(id))
        .filter(reclaim::Column::Version.eq(decision.version))
        .filter(reclaim::Column::State.eq(ReclaimState::Proposed))
        .exec(txn)
        .await?;
    Ok(updated.rows_affected == 1)
}
