//! The municipality's side of the conversation with ABB (issue 22): its messages to ABB
//! ("Bericht aan ABB"); the pages read the thread through [`crate::store::messages::thread`].
//! ABB's side is [`super::review::write`].

use askama::Template;

use super::notify::DossierLine;
use super::{Caller, Error, Result, Work, dossier_for};
use crate::domain::messages;
use crate::mail::OutgoingMail;
use crate::policy::Action;
use crate::state::AppState;
use crate::store;

/// Whether `caller` may write to ABB on a dossier with `parties`: the lead's officials
/// ([`Action::EditDossier`]), asked without an audit entry (the page only hides its form).
pub fn may_write(caller: &Caller, parties: &crate::policy::DossierParties) -> bool {
    caller.user.as_ref().is_some_and(|user| {
        crate::policy::decide(
            &crate::policy::Actor::from(user),
            Action::EditDossier,
            Some(parties),
        )
        .is_ok()
    })
}

/// The lead's official writes `body` to ABB on dossier `id`: recorded, audited and mailed to
/// the assigned reviewer (or every reviewer when none is assigned). Members may read but not
/// write ([`Action::EditDossier`]); another municipality does not find the dossier.
pub async fn write_to_abb(state: &AppState, caller: &Caller, id: i64, body: &str) -> Result<()> {
    let content = dossier_for(state, caller, id, Action::EditDossier).await?;
    let body = messages::message_body(body).map_err(|e| Error::field("body", e.to_string()))?;
    let app = &content.dossier.application;
    let mut work = Work::begin(state).await?;
    store::messages::add_from_applicant(work.txn(), app.id, caller.user_id(), &body, caller.now)
        .await?;
    work.audit(caller.audit("application.message_to_abb", "application", app.id));
    let link = format!("{}/beoordeling/{}", state.config.public_url, app.id);
    let author = caller
        .user
        .as_ref()
        .map(|u| u.name.clone())
        .unwrap_or_default();
    let text = crate::mail::render_text(&ToAbbMail {
        dossier: &DossierLine {
            reference: &app.reference,
            title: &app.title,
            lead: &content.dossier.lead_name,
            link: &link,
            member: false,
            member_preamble: "",
        },
        author: &author,
        heading: "schrijft ABB een bericht over het dossier",
        body: &body,
    })?;
    for to in store::recipients::abb_addresses(work.txn(), app).await? {
        work.mail(OutgoingMail {
            to,
            subject: format!("Samenleven: bericht van de gemeente ({})", app.reference),
            body_text: text.clone(),
            related: Some(("application".into(), app.id.to_string())),
        });
    }
    Ok(work.commit().await?)
}

/// The mail to ABB with what the municipality wrote: a message, or the cover note of a
/// resubmission.
#[derive(Template)]
#[template(path = "mail/to_abb.txt")]
pub struct ToAbbMail<'a> {
    pub dossier: &'a DossierLine<'a>,
    pub author: &'a str,
    /// What the author does: "schrijft ABB een bericht over het dossier".
    pub heading: &'a str,
    pub body: &'a str,
}
