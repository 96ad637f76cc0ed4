//! Who is told about what: the one rule every e-mail about a dossier follows.
//!
//! A dossier has a lead side (its contact person and the active officials of the lead
//! municipality or partner organisation) and, in a cooperation, members (the active officials
//! of every member municipality that did not decline). The lead acts: it gets everything. The
//! members get what ABB decides about the dossier they take part in, with a line saying why they
//! get it and that the lead acts; they do not get the lead's receipts and reminders.

/// What the news is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum News {
    /// The lead submitted (or resubmitted) the dossier: its receipt.
    Submitted,
    /// A report is due or overdue: a reminder to the one who files it.
    ReportReminder,
    /// A report was filed: its receipt.
    ReportReceipt,
    /// ABB takes the dossier in review.
    ReviewStarted,
    /// ABB asks for changes to the dossier.
    ChangesRequested,
    /// ABB decided on the dossier, or reopened its decision.
    Decision,
    /// ABB wrote a message on the dossier.
    Message,
    /// The answer to ABB's change request is expected soon: a reminder to the lead, who acts.
    AnswerReminder,
    /// ABB decided on the results: a report accepted or sent back, a continuation, a reclaim.
    ResultsDecision,
    /// ABB changed the call in a way that concerns the dossier (deadline, late submission,
    /// the dossier given back).
    CallChanged,
}

impl News {
    /// Whether the members of a cooperation are told too.
    pub fn reaches_members(self) -> bool {
        match self {
            Self::Submitted | Self::ReportReminder | Self::ReportReceipt | Self::AnswerReminder => {
                false
            }
            Self::ReviewStarted
            | Self::ChangesRequested
            | Self::Decision
            | Self::Message
            | Self::ResultsDecision
            | Self::CallChanged => true,
        }
    }
}

/// On which side of the dossier a recipient stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Lead,
    Member,
}

/// One address to mail, once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recipient {
    pub email: String,
    pub side: Side,
}

/// The addresses a dossier's news may go to, as the store found them.
#[derive(Debug, Clone, Default)]
pub struct Parties {
    /// The dossier's contact person, as the applicant typed it.
    pub contact: Option<String>,
    /// The active officials of the lead municipality or partner organisation.
    pub lead_officials: Vec<String>,
    /// The active officials of the member municipalities that did not decline.
    pub member_officials: Vec<String>,
}

/// Who gets `news`: the lead side first, then (where the news reaches them) the members; every
/// address once (compared without regard to case), the lead side winning.
pub fn recipients(news: News, parties: &Parties) -> Vec<Recipient> {
    let mut out: Vec<Recipient> = Vec::new();
    let mut add = |email: &str, side: Side| {
        let email = email.trim();
        if email.is_empty() || out.iter().any(|r| r.email.eq_ignore_ascii_case(email)) {
            return;
        }
        out.push(Recipient {
            email: email.to_owned(),
            side,
        });
    };
    for email in parties.contact.iter().chain(&parties.lead_officials) {
        add(email, Side::Lead);
    }
    if news.reaches_members() {
        for email in &parties.member_officials {
            add(email, Side::Member);
        }
    }
    out
}

/// Who at ABB hears what the municipality writes (a message, a resubmission's cover note):
/// the reviewer the dossier is assigned to while that account is active, else every active
/// reviewer; every address once (compared without regard to case).
pub fn to_abb(assigned: Option<&str>, reviewers: &[String]) -> Vec<String> {
    let chosen: Vec<&str> = match assigned.map(str::trim).filter(|a| !a.is_empty()) {
        Some(one) => vec![one],
        None => reviewers.iter().map(|r| r.trim()).collect(),
    };
    let mut out: Vec<String> = Vec::new();
    for email in chosen {
        if !email.is_empty() && !out.iter().any(|o| o.eq_ignore_ascii_case(email)) {
            out.push(email.to_owned());
        }
    }
    out
}

/// The line a member's copy starts with.
pub const MEMBER_PREAMBLE: &str = "U krijgt dit bericht omdat uw gemeente deelneemt aan dit \
    samenwerkingsverband. De trekker van het samenwerkingsverband handelt het dossier af; u hoeft \
    zelf niets te doen.";

#[cfg(test)]
mod tests {
    use super::*;

    fn parties() -> Parties {
        Parties {
            contact: Some("contact@willebroek.be".into()),
            lead_officials: vec![
                "ambtenaar@willebroek.be".into(),
                "Contact@Willebroek.be".into(),
            ],
            member_officials: vec!["lid@bornem.be".into(), "ambtenaar@willebroek.be".into()],
        }
    }

    #[test]
    fn receipts_and_reminders_go_to_the_lead_only() {
        for news in [
            News::Submitted,
            News::ReportReminder,
            News::ReportReceipt,
            News::AnswerReminder,
        ] {
            let to = recipients(news, &parties());
            assert!(to.iter().all(|r| r.side == Side::Lead), "{news:?}");
            assert_eq!(
                to.len(),
                2,
                "{news:?}: the contact and one official, each once"
            );
        }
    }

    #[test]
    fn what_abb_decides_reaches_the_members_too_each_address_once() {
        for news in [
            News::ReviewStarted,
            News::ChangesRequested,
            News::Decision,
            News::Message,
            News::ResultsDecision,
            News::CallChanged,
        ] {
            let to = recipients(news, &parties());
            let emails: Vec<&str> = to.iter().map(|r| r.email.as_str()).collect();
            assert_eq!(
                emails,
                [
                    "contact@willebroek.be",
                    "ambtenaar@willebroek.be",
                    "lid@bornem.be"
                ],
                "{news:?}"
            );
            assert_eq!(to[2].side, Side::Member);
        }
    }

    #[test]
    fn a_dossier_without_addresses_tells_nobody() {
        assert!(recipients(News::Decision, &Parties::default()).is_empty());
        let blank = Parties {
            contact: Some("  ".into()),
            ..Parties::default()
        };
        assert!(recipients(News::Submitted, &blank).is_empty());
    }

    #[test]
    fn the_municipality_writes_to_the_assigned_reviewer_or_else_to_every_reviewer() {
        let reviewers = vec![
            "beoordelaar1@abb.be".to_owned(),
            "Beoordelaar1@ABB.be".to_owned(),
            "beoordelaar2@abb.be".to_owned(),
        ];
        assert_eq!(
            to_abb(Some("beoordelaar2@abb.be"), &reviewers),
            ["beoordelaar2@abb.be"]
        );
        assert_eq!(
            to_abb(None, &reviewers),
            ["beoordelaar1@abb.be", "beoordelaar2@abb.be"]
        );
        assert_eq!(to_abb(Some(" "), &reviewers).len(), 2);
        assert!(to_abb(None, &[]).is_empty());
    }
}
