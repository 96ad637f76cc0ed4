//! E-mails about a dossier: every command tells the people the domain's rule
//! ([`crate::domain::recipients`]) names, with a text rendered from `templates/mail/`.

use super::{Result, Work};
use crate::domain::recipients::{self, News};
use crate::mail::OutgoingMail;
use crate::state::AppState;
use crate::store::drafts::DossierContent;

/// The dossier's lines every mail about it carries.
pub struct DossierLine<'a> {
    pub reference: &'a str,
    pub title: &'a str,
    pub lead: &'a str,
    pub link: &'a str,
    /// Whether this copy goes to a member of the cooperation (who is told why it gets it).
    pub member: bool,
    pub member_preamble: &'static str,
}

/// Queues `news` about the dossier for everyone the domain's rule names; each copy is rendered
/// by `body` (a template under `templates/mail/`), members' copies with their preamble.
pub async fn tell<F>(
    state: &AppState,
    work: &mut Work,
    content: &DossierContent,
    news: News,
    subject: &str,
    body: F,
) -> Result<()>
where
    F: Fn(&DossierLine<'_>) -> std::result::Result<String, askama::Error>,
{
    let app = &content.dossier.application;
    let parties = crate::store::recipients::parties(work.txn(), app).await?;
    let link = format!("{}/dossiers/{}", state.config.public_url, app.id);
    for recipient in recipients::recipients(news, &parties) {
        let line = DossierLine {
            reference: &app.reference,
            title: &app.title,
            lead: &content.dossier.lead_name,
            link: &link,
            member: recipient.side == recipients::Side::Member,
            member_preamble: recipients::MEMBER_PREAMBLE,
        };
        work.mail(OutgoingMail {
            to: recipient.email,
            subject: format!("Samenleven: {subject} ({})", app.reference),
            body_text: body(&line)?,
            related: Some(("application".into(), app.id.to_string())),
        });
    }
    Ok(())
}
