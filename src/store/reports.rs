//! Filling in and submitting a progress report, shared by the report form
//! (`web::followup`) and the JSON API (`api::reports`): reading what the applicant gave per KPI
//! with one Dutch message per field ([`read_values`]), the report's next state
//! ([`next_step`]), and saving it in the command's transaction, guarded by the report's version so
//! two people never overwrite each other ([`save`]). The command is `app::followup::save_report`.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, Set,
};

use entity::progress_report::ReportKind as StoredKind;
use entity::{kpi_result, progress_report};

use crate::domain::KpiValue;
use crate::domain::fields::{self, FieldErrors};
use crate::domain::followup::{
    ReportState, ReportStep, ReportWorkflowError, assess_kpi, next_report_state,
};
use crate::domain::workflow::Party;
use crate::store::followup::{FollowUp, plan_of, report_kind, report_state, stored_report_state};

/// The form field of a KPI's measured value.
pub fn actual_field(kpi_id: i64) -> String {
    format!("actual_{kpi_id}")
}

/// The form field of a KPI's motivation.
pub fn motivation_field(kpi_id: i64) -> String {
    format!("motivation_{kpi_id}")
}

/// `Projectjaar 1 · tussentijds rapport`.
pub fn report_title(kind: StoredKind, year: i32) -> String {
    format!("Projectjaar {year} · {}", report_kind(kind).label())
}

/// One KPI's value as read: thousandths, and the motivation when one was given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadValue {
    pub kpi_id: i64,
    pub actual: Option<i64>,
    pub motivation: Option<String>,
}

/// Reads the value and motivation of every KPI the report covers. `typed(kpi_id)` gives what
/// the applicant typed (value as text, motivation), empty when nothing. When `submit`, every
/// value is required and a missed target needs a motivation. Errors are keyed by
/// [`actual_field`] and [`motivation_field`].
pub fn read_values(
    fu: &FollowUp,
    report: &progress_report::Model,
    typed: impl Fn(i64) -> (String, String),
    submit: bool,
) -> Result<Vec<ReadValue>, FieldErrors> {
    let kind = report_kind(report.kind);
    let mut errors = FieldErrors::default();
    let mut values = Vec::new();
    for a in fu.actions_in(report.year_number) {
        for k in &a.kpis {
            let actual_name = actual_field(k.id);
            let motivation_name = motivation_field(k.id);
            let (actual_text, motivation) = typed(k.id);
            let actual_text = actual_text.trim();
            let actual = if actual_text.is_empty() {
                if submit {
                    errors.add(
                        &actual_name,
                        format!(
                            "Actie {}, KPI \"{}\": vul de gemeten waarde in.",
                            a.code, k.indicator
                        ),
                    );
                }
                None
            } else {
                fields::kpi_value(
                    actual_text,
                    &actual_name,
                    &format!("Actie {}, KPI \"{}\"", a.code, k.indicator),
                    &mut errors,
                )
            };
            let motivation = fields::text(
                &motivation,
                &motivation_name,
                "de motivatie",
                false,
                &mut errors,
            );
            if let Some(v) = actual.and_then(|v| u64::try_from(v).ok()) {
                let v = KpiValue::from_thousandths(v);
                let assessed = assess_kpi(plan_of(k), v, kind, fu.continuation_min_bp());
                if submit && assessed.missed && motivation.is_empty() {
                    errors.add(
                        &motivation_name,
                        format!(
                            "Actie {}, KPI \"{}\": {} Leg uit waarom.",
                            a.code, k.indicator, assessed.explanation
                        ),
                    );
                }
            }
            values.push(ReadValue {
                kpi_id: k.id,
                actual,
                motivation: (!motivation.is_empty()).then_some(motivation),
            });
        }
    }
    if errors.is_empty() {
        Ok(values)
    } else {
        Err(errors)
    }
}

/// The step an applicant takes (save or submit) from the report's state, and where it leads.
pub fn next_step(
    report: &progress_report::Model,
    submit: bool,
) -> Result<(ReportStep, ReportState), ReportWorkflowError> {
    let from = report_state(report.state);
    let step = match (submit, from) {
        (false, _) => ReportStep::Save,
        (true, ReportState::SentBack) => ReportStep::Resubmit,
        (true, _) => ReportStep::Submit,
    };
    next_report_state(from, step, Party::Applicant).map(|to| (step, to))
}

/// The change to one report: the values read, the step and its target state, and the version
/// it was read at.
pub struct ReportChange<'a> {
    pub values: &'a [ReadValue],
    pub step: ReportStep,
    pub to: ReportState,
    pub version: i32,
}

/// Saves the values of report `report` of dossier `fu` (and moves it on to `change.to`, stamped
/// as submitted when the step submits) in the caller's transaction, guarded by the report's
/// version and state; `false` when someone changed the report meanwhile (nothing is written).
pub async fn save<C: ConnectionTrait>(
    txn: &C,
    fu: &FollowUp,
    report: &progress_report::Model,
    change: &ReportChange<'_>,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let submit = change.step != ReportStep::Save;
    let mut update = progress_report::Entity::update_many()
        .col_expr(
            progress_report::Column::State,
            Expr::value(stored_report_state(change.to)),
        )
        .col_expr(
            progress_report::Column::Version,
            Expr::value(change.version + 1),
        )
        .filter(progress_report::Column::Id.eq(report.id))
        .filter(progress_report::Column::Version.eq(change.version))
        .filter(progress_report::Column::State.eq(report.state));
    if submit {
        update = update.col_expr(progress_report::Column::SubmittedAt, Expr::value(Some(now)));
    }
    if update.exec(txn).await?.rows_affected != 1 {
        return Ok(false);
    }
    for v in change.values {
        match fu.result(report.id, v.kpi_id) {
            Some(existing) => {
                if existing.actual_value != v.actual || existing.motivation != v.motivation {
                    kpi_result::Entity::update_many()
                        .col_expr(kpi_result::Column::ActualValue, Expr::value(v.actual))
                        .col_expr(
                            kpi_result::Column::Motivation,
                            Expr::value(v.motivation.clone()),
                        )
                        .col_expr(
                            kpi_result::Column::MotivationAccepted,
                            Expr::value(Option::<bool>::None),
                        )
                        .col_expr(
                            kpi_result::Column::Version,
                            Expr::col(kpi_result::Column::Version).add(1),
                        )
                        .filter(kpi_result::Column::Id.eq(existing.id))
                        .exec(txn)
                        .await?;
                }
            }
            None => {
                kpi_result::ActiveModel {
                    progress_report_id: Set(report.id),
                    kpi_id: Set(v.kpi_id),
                    actual_value: Set(v.actual),
                    motivation: Set(v.motivation.clone()),
                    motivation_accepted: Set(None),
                    version: Set(1),
                    ..Default::default()
                }
                .insert(txn)
                .await?;
            }
        }
    }
    Ok(true)
}
