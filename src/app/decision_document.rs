//! The formal decision of a dossier, for whoever may view the dossier: [`load`] reads the
//! latest decision with its lines, the call's decision texts and the follow-up's payments, and
//! builds the domain's [`DecisionDocument`] (the rules: [`crate::domain::decision_document`]).
//! The page `/dossiers/{id}/beslissing` and its PDF both render this one document.

use entity::application::ApplicationKind;
use entity::progress_report::ReportKind;

use super::{Caller, Error, Result};
use crate::domain::Cents;
use crate::domain::decision::Outcome;
use crate::domain::decision_document::{
    self, Addressee, CallText, DecisionDocument, Reopened, Source, SourceAction, SourcePayment,
};
use crate::domain::time::brussels_date;
use crate::policy::Action;
use crate::state::AppState;
use crate::store::followup;

/// The decision document of dossier `id`: not found when the caller may not view the dossier
/// or ABB has not decided on it yet.
pub async fn load(state: &AppState, caller: &Caller, id: i64) -> Result<DecisionDocument> {
    let dossier = super::dossier::with_parties(state, caller, id, Action::ViewDossier).await?;
    let fu = followup::load(&state.db, id)
        .await?
        .ok_or(Error::NotFound)?;
    let decided = fu.decision.clone().ok_or(Error::NotFound)?;
    let app = &fu.app;
    let call = &fu.call;
    let cents = |c: i64| Cents::new(c).unwrap_or_default();
    let addressee = match app.kind {
        ApplicationKind::Partner => Addressee::Partner(dossier.lead_name.clone()),
        ApplicationKind::Cooperation => Addressee::Cooperation {
            lead: dossier.lead_name.clone(),
            members: dossier.member_names.clone(),
        },
        ApplicationKind::Single => Addressee::Municipality(dossier.lead_name.clone()),
    };
    let text = |text: &Option<String>, illustrative: bool| CallText {
        text: text.clone(),
        illustrative,
    };
    let source = Source {
        application_id: app.id,
        reference: app.reference.clone(),
        title: app.title.clone(),
        call_title: call.title.clone(),
        fictitious_call: call.parameters_fictitious,
        addressee,
        decided_on: brussels_date(decided.decided_at),
        outcome: Outcome::from(decided.outcome),
        motivation: decided.motivation.clone(),
        reopened: decided.reopened_at.map(|at| Reopened {
            on: brussels_date(at),
            reason: decided.reopen_reason.clone().unwrap_or_default(),
        }),
        years: fu.project_years().collect(),
        actions: fu
            .actions
            .iter()
            .map(|a| SourceAction {
                id: a.row.id,
                code: a.code.clone(),
                title: a.title.clone(),
                requested: cents(a.row.grant_cents),
            })
            .collect(),
        lines: fu
            .lines
            .iter()
            .map(|l| {
                (
                    l.application_action_id,
                    l.year_number,
                    cents(l.granted_cents),
                )
            })
            .collect(),
        incentive_by_year: fu
            .project_years()
            .map(|year| {
                crate::domain::decision::incentive_in_year(
                    cents(decided.incentive_cents),
                    decided.incentive_by_year.as_deref(),
                    year,
                )
            })
            .collect(),
        payments: fu
            .payments
            .iter()
            .map(|p| SourcePayment {
                year: p.year_number,
                tranche: followup::tranche(p.tranche),
                amount: cents(p.amount_cents),
                state: followup::payment_state(p.state),
                due_on: p.due_on,
                paid_on: p.paid_on,
            })
            .collect(),
        year_starts: fu
            .years
            .iter()
            .map(|y| (y.year_number, y.starts_on))
            .collect(),
        year_report_due: fu
            .years
            .iter()
            .map(|y| {
                let due = fu
                    .report(y.year_number, ReportKind::Year)
                    .map_or(y.year_report_due, |r| r.due_on);
                (y.year_number, due)
            })
            .collect(),
        advance_share: fu.advance_bp(),
        legal_basis: text(&call.legal_basis, call.legal_basis_illustrative),
        appeal_route: text(&call.appeal_route, call.appeal_route_illustrative),
        signatory_role: text(&call.signatory_role, call.signatory_role_illustrative),
    };
    Ok(decision_document::build(source))
}
