//! Where an organisation is paid: its own officials set the bank account (IBAN, checked by
//! [`crate::domain::iban`]) and its holder; the change is versioned, audited, and mailed to every
//! official of the organisation, so a change nobody made does not go unnoticed.

use askama::Template;
use serde_json::json;

use super::{Caller, Error, Result, Work};
use crate::domain::fields::FieldErrors;
use crate::domain::iban::{self, Iban};
use crate::mail::{self, MailTemplate};
use crate::policy::Action;
use crate::state::AppState;
use crate::store::bank_accounts::{self, Account, NewAccount};
use crate::store::organisations::{self, OrgKind, Organisation};
use crate::store::recipients;

/// The organisation the caller works for, with its account if it gave one.
#[derive(Debug, Clone)]
pub struct OwnAccount {
    pub organisation: Organisation,
    pub account: Option<Account>,
}

/// What the form typed.
#[derive(Debug, Clone, Default)]
pub struct AccountInput {
    pub iban: String,
    pub holder: String,
    /// The version the form was read at as typed; empty when there was no account yet.
    pub version: String,
}

/// The caller's own organisation and its account; only its officials may see it.
pub async fn own(state: &AppState, caller: &Caller) -> Result<OwnAccount> {
    caller.may(state, Action::ManageBankAccount, None).await?;
    let (kind, id) = organisation_of(caller)?;
    let organisation = organisations::find(&state.db, kind, id)
        .await?
        .ok_or(Error::NotFound)?;
    let account = bank_accounts::of(&state.db, kind, id).await?;
    Ok(OwnAccount {
        organisation,
        account,
    })
}

fn organisation_of(caller: &Caller) -> Result<(OrgKind, i64)> {
    let user = caller.user.as_ref().ok_or(Error::Forbidden)?;
    match (user.municipality_id, user.partner_organisation_id) {
        (Some(m), _) => Ok((OrgKind::Municipality, m)),
        (None, Some(p)) => Ok((OrgKind::Partner, p)),
        (None, None) => Err(Error::Forbidden),
    }
}

#[derive(Template)]
#[template(path = "mail/bank_account_changed.txt")]
struct ChangedMail<'a> {
    by: &'a str,
    /// When, in Brussels time, as the mail reads it.
    at: String,
    organisation: &'a str,
    first: bool,
    masked: String,
    holder: &'a str,
    before: Option<String>,
    link: String,
}

impl MailTemplate for ChangedMail<'_> {
    fn subject(&self) -> String {
        format!(
            "Samenleven: rekeningnummer van {} {}",
            self.organisation,
            if self.first { "ingesteld" } else { "gewijzigd" }
        )
    }
}

/// Sets the account of the caller's organisation; answers the sentence saying what it is now.
/// A form read at another version is [`Error::Stale`].
pub async fn set(state: &AppState, caller: &Caller, input: &AccountInput) -> Result<String> {
    let current = own(state, caller).await?;
    let (kind, id) = (current.organisation.kind, current.organisation.id);
    let read_at = match input.version.trim() {
        "" => None,
        text => Some(text.parse::<i32>().map_err(|_| Error::Stale)?),
    };
    if read_at != current.account.as_ref().map(|a| a.row.version) {
        return Err(Error::Stale);
    }
    let mut errors = FieldErrors::default();
    let iban = match Iban::parse(&input.iban) {
        Ok(iban) => Some(iban),
        Err(err) => {
            errors.add("iban", err.to_string());
            None
        }
    };
    let holder = match iban::holder(&input.holder) {
        Ok(name) => Some(name),
        Err(message) => {
            errors.add("holder", message);
            None
        }
    };
    Error::unless_invalid(errors)?;
    let (Some(iban), Some(holder)) = (iban, holder) else {
        return Err(Error::internal(anyhow::anyhow!("fields checked above")));
    };
    let before = current.account.as_ref().map(|a| a.row.iban.clone());
    if before.as_deref() == Some(iban.as_str())
        && current.account.as_ref().map(|a| a.row.holder.as_str()) == Some(holder)
    {
        return Ok(format!(
            "Het rekeningnummer van {} blijft {iban}.",
            current.organisation.name
        ));
    }
    let mut work = Work::begin(state).await?;
    let written = bank_accounts::save(
        work.txn(),
        kind,
        id,
        read_at,
        NewAccount {
            iban: iban.as_str(),
            holder,
            by: caller.user_id(),
            at: caller.now,
        },
    )
    .await?;
    if !written {
        return Err(Error::Stale);
    }
    work.audit(
        caller
            .audit("organisation.bank_account_set", kind.resource_type(), id)
            .before(json!({ "iban": before, "holder": current.account.as_ref().map(|a| &a.row.holder) }))
            .after(json!({ "iban": iban.as_str(), "holder": holder })),
    );
    let mail = ChangedMail {
        by: caller
            .user
            .as_ref()
            .map_or(caller.label.as_str(), |u| u.name.as_str()),
        at: crate::domain::time::moment_long(caller.now),
        organisation: &current.organisation.name,
        first: before.is_none(),
        masked: iban.masked(),
        holder,
        before: before
            .as_deref()
            .and_then(|b| Iban::parse(b).ok())
            .map(|b| b.masked()),
        link: format!("{}/gemeente/rekening", state.config.public_url),
    };
    for to in recipients::organisation_officials(work.txn(), kind, id).await? {
        let mut outgoing = mail::compose(to, &mail).map_err(Error::internal)?;
        outgoing.related = Some((kind.resource_type().to_owned(), id.to_string()));
        work.mail(outgoing);
    }
    work.commit().await?;
    Ok(format!(
        "Het rekeningnummer van {} is nu {iban}. Alle medewerkers van {} kregen hierover een \
         e-mail.",
        current.organisation.name, current.organisation.name
    ))
}
