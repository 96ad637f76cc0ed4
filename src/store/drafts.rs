//! A dossier's full content (actions, KPIs, attachments) and its translation into the rules
//! engine's `ApplicationDraft`, so every page shows the same checks.
//!
//! KPI values are stored as thousandths (`kpi.baseline`, `kpi.target`): 12,5 is 12500.

use chrono::NaiveDate;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder};

use entity::application::ApplicationKind;
use entity::application_member::{self, ConsentState, MemberRole};
use entity::{
    action, application_action, attachment, call_action, kpi, municipality, partner_organisation,
};

use crate::domain::{
    ActionCode, ActionDraft, Applicant, ApplicationDraft, ApplicationReport, KpiDirection,
    KpiDraft, KpiValue, Reach, check_application,
};
use crate::store::applications::DossierWithParties;
use crate::store::reference_cache::Reference;
use crate::store::rules::{self, CallContext, cents, nis};
use std::sync::Arc;

/// One chosen action with its place in the call and the catalog, and its KPIs.
#[derive(Debug, Clone)]
pub struct ChosenAction {
    pub row: application_action::Model,
    pub call_action: call_action::Model,
    pub action: action::Model,
    pub kpis: Vec<kpi::Model>,
}

impl ChosenAction {
    pub fn code(&self) -> Option<ActionCode> {
        ActionCode::parse(&self.action.code).ok()
    }

    /// The own share per project year: money and staff time valued in euro.
    pub fn own_share(&self) -> crate::domain::Cents {
        let amount = |c: i64| crate::domain::Cents::new(c.max(0)).unwrap_or_default();
        amount(self.row.own_contribution_cents).saturating_add(amount(self.row.own_staff_cents))
    }
}

#[derive(Debug, Clone)]
pub struct DossierContent {
    pub dossier: DossierWithParties,
    pub call: Arc<CallContext>,
    /// Ordered by priority rank, then action code.
    pub actions: Vec<ChosenAction>,
    pub attachment_kinds: Vec<String>,
    pub lead_nis: Option<i32>,
    pub member_nis: Vec<i32>,
    pub partner_code: Option<String>,
    /// For each member other than the lead: whether it confirmed, its decision on file
    /// ([`crate::domain::cooperation::is_confirmed`]).
    pub member_consents: Vec<bool>,
    /// The names of the members that have not confirmed yet (the check page names them).
    pub unconfirmed_members: Vec<String>,
    /// Members taken in during a later round: NIS code → the project year they take part from.
    pub late_members: Vec<(i32, i32)>,
}

pub async fn load<C: ConnectionTrait>(
    db: &C,
    dossier: DossierWithParties,
) -> Result<DossierContent, DbErr> {
    let call_id = dossier.application.call_id;
    let call = rules::call_context(db, call_id)
        .await?
        .ok_or_else(|| DbErr::RecordNotFound(format!("call {call_id}")))?;
    load_in_call(db, dossier, Arc::new(call)).await
}

/// [`load`] with the call's rules from the reference data in memory: for pages that show a
/// dossier (writes use [`load`] inside their transaction).
pub async fn load_cached<C: ConnectionTrait>(
    db: &C,
    reference: &Reference,
    dossier: DossierWithParties,
) -> Result<DossierContent, DbErr> {
    let call_id = dossier.application.call_id;
    let call = reference
        .call_context(call_id)
        .await?
        .ok_or_else(|| DbErr::RecordNotFound(format!("call {call_id}")))?;
    load_in_call(db, dossier, call).await
}

async fn load_in_call<C: ConnectionTrait>(
    db: &C,
    dossier: DossierWithParties,
    call: Arc<CallContext>,
) -> Result<DossierContent, DbErr> {
    let app = &dossier.application;
    let rows = application_action::Entity::find()
        .filter(application_action::Column::ApplicationId.eq(app.id))
        .order_by_asc(application_action::Column::PriorityRank)
        .order_by_asc(application_action::Column::Id)
        .all(db)
        .await?;
    let row_ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let kpis = kpi::Entity::find()
        .filter(kpi::Column::ApplicationActionId.is_in(row_ids))
        .order_by_desc(kpi::Column::IsReachKpi)
        .order_by_asc(kpi::Column::Id)
        .all(db)
        .await?;
    let mut actions = Vec::with_capacity(rows.len());
    for row in rows {
        let Some((call_action, action)) = call
            .actions
            .iter()
            .find(|(ca, _)| ca.id == row.call_action_id)
            .cloned()
        else {
            continue;
        };
        actions.push(ChosenAction {
            kpis: kpis
                .iter()
                .filter(|k| k.application_action_id == row.id)
                .cloned()
                .collect(),
            row,
            call_action,
            action,
        });
    }
    let attachments = attachment::Entity::find()
        .filter(attachment::Column::ApplicationId.eq(app.id))
        .filter(attachment::Column::ProgressReportId.is_null())
        .all(db)
        .await?;
    // The members whose decision on taking part is on file (only those carry a municipality).
    let decisions: Vec<i64> = attachments
        .iter()
        .filter_map(|a| a.municipality_id)
        .collect();
    let attachment_kinds = attachments.into_iter().map(|a| a.kind).collect();
    let mut ids = dossier.parties.member_municipality_ids.clone();
    if let Some(lead) = dossier.parties.lead_municipality_id {
        ids.push(lead);
    }
    let municipalities = municipality::Entity::find()
        .filter(municipality::Column::Id.is_in(ids))
        .all(db)
        .await?;
    let nis_of = |id: i64| {
        municipalities
            .iter()
            .find(|m| m.id == id)
            .map(|m| m.nis_code)
    };
    let lead_nis = dossier.parties.lead_municipality_id.and_then(nis_of);
    let member_nis = dossier
        .parties
        .member_municipality_ids
        .iter()
        .filter_map(|id| nis_of(*id))
        .collect();
    let partner_code = match dossier.parties.partner_organisation_id {
        Some(id) => partner_organisation::Entity::find_by_id(id)
            .one(db)
            .await?
            .map(|p| p.code),
        None => None,
    };
    let member_rows = application_member::Entity::find()
        .filter(application_member::Column::ApplicationId.eq(dossier.application.id))
        .filter(application_member::Column::Role.eq(MemberRole::Member))
        .all(db)
        .await?;
    let late_members = member_rows
        .iter()
        .filter_map(|m| Some((nis_of(m.municipality_id)?, m.joined_in_year?)))
        .collect();
    let members: Vec<(bool, i64)> = member_rows
        .into_iter()
        .map(|m| {
            (
                crate::domain::cooperation::is_confirmed(
                    m.consent_state == ConsentState::Confirmed,
                    decisions.contains(&m.municipality_id),
                ),
                m.municipality_id,
            )
        })
        .collect();
    let member_consents = members.iter().map(|(confirmed, _)| *confirmed).collect();
    let unconfirmed_members = members
        .iter()
        .filter(|(confirmed, _)| !confirmed)
        .filter_map(|(_, id)| municipalities.iter().find(|m| m.id == *id))
        .map(|m| m.name.clone())
        .collect();
    Ok(DossierContent {
        late_members,
        member_consents,
        unconfirmed_members,
        dossier,
        call,
        actions,
        attachment_kinds,
        lead_nis,
        member_nis,
        partner_code,
    })
}

fn kpi_value(thousandths: i64) -> Option<KpiValue> {
    u64::try_from(thousandths)
        .ok()
        .map(KpiValue::from_thousandths)
}

impl DossierContent {
    /// The dossier as the rules engine sees it.
    pub fn draft(&self) -> Result<ApplicationDraft, DbErr> {
        let app = &self.dossier.application;
        let applicant = match (app.kind, self.lead_nis, &self.partner_code) {
            (ApplicationKind::Partner, _, Some(code)) => Applicant::Partner { code: code.clone() },
            (ApplicationKind::Cooperation, Some(lead), _) => {
                let mut members = vec![nis(lead)?];
                for m in &self.member_nis {
                    members.push(nis(*m)?);
                }
                Applicant::Cooperation {
                    lead: nis(lead)?,
                    members,
                }
            }
            (_, Some(lead), _) => Applicant::Single {
                nis_code: nis(lead)?,
            },
            _ => {
                return Err(DbErr::Custom(format!(
                    "application {} has no applicant",
                    app.id
                )));
            }
        };
        let project_years = (app.first_project_year..=app.last_project_year)
            .filter_map(|y| u16::try_from(y).ok())
            .collect();
        let mut actions = Vec::with_capacity(self.actions.len());
        for a in &self.actions {
            let Some(code) = a.code() else { continue };
            actions.push(ActionDraft {
                code,
                priority: u32::try_from(a.row.priority_rank).unwrap_or(0),
                baseline_reach: Reach::new(u32::try_from(a.row.baseline_reach).unwrap_or(0)),
                planned_reach: Reach::new(u32::try_from(a.row.planned_reach).unwrap_or(0)),
                own_contribution: cents(a.row.own_contribution_cents.max(0))?,
                own_staff: cents(a.row.own_staff_cents.max(0))?,
                kpis: a
                    .kpis
                    .iter()
                    .map(|k| KpiDraft {
                        indicator: k.indicator.clone(),
                        unit: k.unit.clone(),
                        baseline: kpi_value(k.baseline),
                        target: kpi_value(k.target),
                        target_date: Some(k.target_date),
                        measurement: k.measurement.clone(),
                        direction: KpiDirection::parse(&k.direction).unwrap_or_default(),
                    })
                    .collect(),
            });
        }
        Ok(ApplicationDraft {
            reference: Some(app.reference.clone()),
            applicant,
            project_years,
            actions,
        })
    }

    /// The rules engine's report on the dossier, against the current directory and the other
    /// applications of the call. It reads only the applicant municipalities' regions and their
    /// memberships of the call (`rules::directory_around`, `rules::taken_among`): the same
    /// report as with the whole directory, at a fraction of the rows.
    pub async fn report<C: ConnectionTrait>(&self, db: &C) -> Result<ApplicationReport, DbErr> {
        let applicants = self.applicants();
        let (directory, _) = rules::directory_around(
            db,
            self.call.call.reference_year,
            self.call.map_date(),
            &applicants,
        )
        .await?;
        let taken = rules::taken_among(db, self.call.call.id, &applicants).await?;
        self.report_against(&directory, &taken)
    }

    /// [`Self::report`] against the call's whole map from the reference data in memory (the same
    /// report: the engine reads only the applicants' regions), with "taken" read for the
    /// applicants.
    pub async fn report_cached<C: ConnectionTrait>(
        &self,
        db: &C,
        reference: &Reference,
    ) -> Result<ApplicationReport, DbErr> {
        let applicants = self.applicants();
        let directory = reference
            .directory(self.call.call.reference_year, self.call.map_date())
            .await?;
        let taken = rules::taken_among(db, self.call.call.id, &applicants).await?;
        self.report_against(&directory.0, &taken)
    }

    /// The dossier as it stands in project year `year`: without the members taken in during a
    /// later round that do not take part yet ([`crate::domain::rounds::takes_part`]). `None`
    /// when every member takes part (the dossier itself).
    pub fn in_year(&self, year: i32) -> Option<DossierContent> {
        let absent: Vec<i32> = self
            .late_members
            .iter()
            .filter(|(_, joined)| {
                !crate::domain::rounds::takes_part(
                    u16::try_from(*joined).ok(),
                    u16::try_from(year).unwrap_or(0),
                )
            })
            .map(|(nis, _)| *nis)
            .collect();
        if absent.is_empty() {
            return None;
        }
        let mut content = self.clone();
        content.member_nis.retain(|n| !absent.contains(n));
        Some(content)
    }

    /// The cooperation incentive of each of the dossier's project years: the rules checked with
    /// the members that take part in that year (a member taken in during a later round counts
    /// from its year on).
    pub async fn incentive_by_year<C: ConnectionTrait>(
        &self,
        db: &C,
    ) -> Result<Vec<(i32, crate::domain::Cents)>, DbErr> {
        let app = &self.dossier.application;
        let all = self.report(db).await?.incentive_per_project_year;
        let mut out = Vec::new();
        for year in app.first_project_year..=app.last_project_year {
            let incentive = match self.in_year(year) {
                Some(then) => then.report(db).await?.incentive_per_project_year,
                None => all,
            };
            out.push((year, incentive));
        }
        Ok(out)
    }

    /// The NIS codes of the lead and the members.
    fn applicants(&self) -> Vec<i32> {
        self.lead_nis
            .iter()
            .chain(self.member_nis.iter())
            .copied()
            .collect()
    }

    /// The report against a directory and "taken" set loaded once, for checking many dossiers
    /// of one call in a row.
    pub fn report_against(
        &self,
        directory: &crate::domain::Directory,
        taken: &crate::domain::Taken,
    ) -> Result<ApplicationReport, DbErr> {
        Ok(check_application(
            &self.call.rules,
            directory,
            taken,
            &self.draft()?,
        ))
    }

    /// The call's project year numbers, as the general information chooses from them.
    /// The dossier's own contribution per project year: the sum over its actions.
    /// The dossier's own share per project year, money and staff time together.
    pub fn own_contribution_per_year(&self) -> crate::domain::Cents {
        self.actions
            .iter()
            .fold(crate::domain::Cents::ZERO, |sum, a| {
                sum.saturating_add(a.own_share())
            })
    }

    pub fn project_years(&self) -> Vec<i32> {
        self.call
            .rules
            .project_years
            .iter()
            .map(|y| i32::from(y.year))
            .collect()
    }

    /// The project year of the round taking submissions at `now`, when the dossier is a draft
    /// (a draft cannot start in a year whose round is over: [`crate::domain::rounds::check_first_year`]).
    pub fn draft_round_year(&self, now: chrono::DateTime<chrono::Utc>) -> Option<u16> {
        (self.dossier.application.state == entity::application::ApplicationState::Draft)
            .then(|| self.call.rounds().current(now).map(|r| r.year))
            .flatten()
    }

    pub fn default_target_date(&self) -> NaiveDate {
        self.call.call.period_end
    }
}
