//! Account operations: signing in (with a password or through the Flemish government's
//! provider), signing out, "log out everywhere", the password reset and first-login links, and
//! the personal API tokens. Each command owns its throttling, its transaction, its audit entries
//! and its mails; the pages (`crate::web::login`, `oidc`, `api_tokens`) only read the form and
//! render the answer. argon2 runs on the blocking pool ([`crate::accounts`]'s `*_blocking`).

use askama::Template;
use chrono::{DateTime, Utc};
use sea_orm::ConnectionTrait;
use validator::Validate;

use entity::app_user;
use entity::auth_token::TokenPurpose;

use super::error::validate;
use super::{Caller, Error, Result, Work};
use crate::accounts;
use crate::audit::{self, AuditEntry};
use crate::auth::oidc::accounts::AccountRefusal;
use crate::auth::oidc::identity::{Grant, Identity};
use crate::auth::{devices, session, throttle, tokens};
use crate::domain::fields::FieldErrors;
use crate::mail::{self, MailTemplate, OutgoingMail};
use crate::state::AppState;
use crate::store::api_tokens;

/// Someone at the door: a request that may not (yet) be signed in, as the sign-in commands see
/// it.
#[derive(Debug, Clone)]
pub struct Visitor {
    pub ip: Option<String>,
    pub now: DateTime<Utc>,
    /// The session the browser has now, if any (ended when a new one opens).
    pub session_id: Option<String>,
    /// The device cookie the browser presented, if any.
    pub device: Option<String>,
    pub user_agent: Option<String>,
}

impl Visitor {
    /// The address as the throttle counts it.
    fn ip_or_unknown(&self) -> String {
        self.ip.clone().unwrap_or_else(|| "onbekend".to_owned())
    }
}

/// Why a sign-in (or a check of the password again) did not go through.
#[derive(Debug)]
pub enum Refused {
    /// The input is missing or wrong: the form again (422).
    Invalid(FieldErrors),
    /// Signing in with a password is switched off (403).
    Disabled(FieldErrors),
    /// Too many attempts: the form again with when to try again (429, `Retry-After`).
    Throttled {
        errors: FieldErrors,
        retry_after: i64,
    },
    /// Anything else.
    Failed(Error),
}

impl From<Error> for Refused {
    fn from(err: Error) -> Self {
        Self::Failed(err)
    }
}

impl From<sea_orm::DbErr> for Refused {
    fn from(err: sea_orm::DbErr) -> Self {
        Self::Failed(err.into())
    }
}

fn one_error(field: &str, message: impl Into<String>) -> FieldErrors {
    let mut errors = FieldErrors::default();
    errors.add(field, message);
    errors
}

/// The audit label of a user: `Naam <e-mail>`.
fn label_of(user: &app_user::Model) -> String {
    format!("{} <{}>", user.name, user.email)
}

// ------------------------------------------------------------------ signing in and out

/// The e-mail and password of the login form.
#[derive(Debug, Clone, Default)]
pub struct Credentials {
    pub email: String,
    pub password: String,
}

/// A session just opened: the cookie token, and the device token to remember the browser by.
#[derive(Debug)]
pub struct SignedIn {
    pub user: app_user::Model,
    pub session: String,
    pub device: Option<String>,
}

/// Signs in with e-mail and password: the attempt is throttled (per address, per account and
/// per known device) and recorded before the password is checked; one argon2 verification runs
/// whatever the account; a success opens a session (ending the browser's current one) and
/// remembers the device.
pub async fn sign_in(
    state: &AppState,
    visitor: &Visitor,
    input: &Credentials,
) -> std::result::Result<SignedIn, Refused> {
    let email = input.email.trim().to_lowercase();
    let mut errors = FieldErrors::default();
    if email.is_empty() {
        errors.add("email", "Vul uw e-mailadres in.");
    }
    if input.password.is_empty() {
        errors.add("password", "Vul uw wachtwoord in.");
    }
    if !state.config.password_login {
        return Err(Refused::Disabled(one_error(
            "email",
            "Aanmelden met een wachtwoord is uitgeschakeld. Meld u aan met de Vlaamse overheid.",
        )));
    }
    if !errors.is_empty() {
        return Err(Refused::Invalid(errors));
    }
    let now = visitor.now;
    let user = accounts::by_email(&state.db, &email).await?;
    // A browser in which this account signed in before has a limit of its own. (Looked up for
    // an unknown address too, with an id no account has: the same work either way.)
    let device = match &visitor.device {
        Some(token) => {
            let user_id = user.as_ref().map_or(0, |u| u.id);
            devices::recognise(&state.db, token, user_id, now).await?
        }
        None => None,
    };
    // The attempt is recorded before the password is checked (see `throttle`).
    let ip = visitor.ip_or_unknown();
    let attempt =
        match throttle::begin(&state.db, &email, &ip, device.as_ref().map(|d| d.id), now).await? {
            Ok(attempt) => attempt,
            Err(wait) => {
                audit::record(
                    &state.db,
                    AuditEntry::new("auth.login_throttled", "account", Some(email.clone()))
                        .from_ip(visitor.ip.clone())
                        .at(now)
                        .details(wait.limit.code()),
                )
                .await?;
                return Err(Refused::Throttled {
                    errors: one_error("email", wait.message(now)),
                    retry_after: wait.seconds(now),
                });
            }
        };

    // One argon2 verification whatever the account (unknown, without password, deactivated).
    let verified = accounts::check_login_blocking(user.clone(), input.password.clone())
        .await
        .map_err(Error::internal)?;
    let user = match user {
        Some(u) if verified => u,
        _ => {
            audit::record(
                &state.db,
                AuditEntry::new("auth.login_failed", "account", Some(email.clone()))
                    .from_ip(visitor.ip.clone())
                    .at(now),
            )
            .await?;
            return Err(Refused::Invalid(one_error(
                "email",
                "Het e-mailadres of het wachtwoord is niet juist.",
            )));
        }
    };

    let mut work = Work::begin(state).await?;
    let session = open_session(&work, visitor, &user).await?;
    throttle::succeeded(work.txn(), &attempt).await?;
    let device_token = devices::remember(
        work.txn(),
        user.id,
        device.as_ref(),
        visitor.device.as_deref(),
        now,
    )
    .await?;
    accounts::record_login(work.txn(), &user, now).await?;
    work.audit(
        AuditEntry::new("auth.login", "account", Some(user.id.to_string()))
            .by(Some(user.id), label_of(&user))
            .from_ip(visitor.ip.clone())
            .at(now),
    );
    work.commit().await?;
    Ok(SignedIn {
        user,
        session,
        device: Some(device_token),
    })
}

/// Ends the browser's current session (if any) and opens one for `user`; the cookie token.
async fn open_session(
    work: &Work,
    visitor: &Visitor,
    user: &app_user::Model,
) -> std::result::Result<String, sea_orm::DbErr> {
    if let Some(old) = &visitor.session_id {
        session::end(work.txn(), old).await?;
    }
    session::create(
        work.txn(),
        user.id,
        visitor.ip.clone(),
        visitor.user_agent.clone(),
        visitor.now,
    )
    .await
}

/// Signs in someone the provider vouched for: the account found, linked or created from the
/// claims (`grant`), a session opened as a password login does, the provider's ID token kept
/// for its logout. An account that cannot be used is refused (nothing changes).
pub async fn sign_in_with_provider(
    state: &AppState,
    visitor: &Visitor,
    who: &Identity,
    grant: Grant,
    id_token: String,
) -> Result<std::result::Result<SignedIn, AccountRefusal>> {
    let mut work = Work::begin(state).await?;
    let user = match crate::auth::oidc::accounts::sign_in(
        work.txn(),
        who,
        grant,
        visitor.ip.clone(),
        visitor.now,
    )
    .await?
    {
        Ok(user) => user,
        Err(refusal) => {
            work.rollback().await?;
            return Ok(Err(refusal));
        }
    };
    let session = open_session(&work, visitor, &user).await?;
    crate::auth::oidc::accounts::remember_id_token(work.txn(), &session, id_token).await?;
    work.audit(
        AuditEntry::new("auth.login", "account", Some(user.id.to_string()))
            .by(Some(user.id), label_of(&user))
            .from_ip(visitor.ip.clone())
            .at(visitor.now)
            .details(format!(
                "aangemeld via de Vlaamse overheid (organisatie {})",
                who.org_code.as_deref().unwrap_or("?")
            )),
    );
    work.commit().await?;
    Ok(Ok(SignedIn {
        user,
        session,
        device: None,
    }))
}

/// The provider no longer gives the person (`subject`) a role or an organisation here: their
/// account loses its sessions, audited with `reason`.
pub async fn withdraw_provider_account(
    state: &AppState,
    visitor: &Visitor,
    subject: &str,
    reason: &str,
) -> Result<()> {
    let work = Work::begin(state).await?;
    crate::auth::oidc::accounts::withdraw(
        work.txn(),
        subject,
        reason,
        visitor.ip.clone(),
        visitor.now,
    )
    .await?;
    work.commit().await?;
    Ok(())
}

/// A sign-in through the provider was refused: one audit row `auth.oidc_refused` naming the
/// person (`subject`, when the provider told who it was) and the refusal's `code` and `detail`.
pub async fn record_provider_refusal(
    state: &AppState,
    ip: Option<String>,
    subject: Option<String>,
    code: String,
    detail: String,
) -> Result<()> {
    audit::record(
        &state.db,
        AuditEntry::new("auth.oidc_refused", "account", subject)
            .from_ip(ip)
            .details(if detail.is_empty() {
                code
            } else {
                format!("{code}: {detail}")
            }),
    )
    .await?;
    Ok(())
}

/// The provider's logout address for session `session_id` when it was opened through the
/// provider and the provider has an end-session endpoint. Ask before the session ends.
pub async fn end_session_url(state: &AppState, session_id: &str) -> Option<String> {
    let provider = state.oidc.as_ref()?;
    let id_token = crate::auth::oidc::accounts::id_token_of(&state.db, session_id)
        .await
        .ok()??;
    provider.end_session_url(&id_token).await
}

/// Signs the caller out of session `session_id`; the provider's logout address when the
/// session was opened through the provider.
pub async fn sign_out(
    state: &AppState,
    caller: &Caller,
    session_id: &str,
) -> Result<Option<String>> {
    let user_id = caller.user_id().ok_or(Error::Forbidden)?;
    let provider_logout = end_session_url(state, session_id).await;
    let mut work = Work::begin(state).await?;
    session::end(work.txn(), session_id).await?;
    work.audit(caller.audit("auth.logout", "account", user_id));
    work.commit().await?;
    Ok(provider_logout)
}

/// "Afmelden overal": every session of the caller ends, and every API token is revoked (a token
/// minted in a stolen session must not outlive it) and the user told by mail.
pub async fn sign_out_everywhere(state: &AppState, caller: &Caller) -> Result<()> {
    let user = caller.user.clone().ok_or(Error::Forbidden)?;
    let mut work = Work::begin(state).await?;
    let ended = session::end_all(work.txn(), user.id).await?;
    let revoked = revoke_all_and_tell(
        work.txn(),
        state,
        &user,
        RevokedBecause::LogoutEverywhere,
        (Some(user.id), caller.label.clone()),
        caller.ip.clone(),
        caller.now,
    )
    .await?;
    work.audit(
        caller
            .audit("auth.logout_everywhere", "account", user.id)
            .details(format!(
                "{ended} sessie(s) beëindigd, {revoked} API-sleutel(s) ingetrokken"
            )),
    );
    work.commit().await?;
    // The revocation mail went into the outbox in the transaction: wake the worker.
    state.mail_wakeup.notify_one();
    Ok(())
}

/// How many sessions `user_id` has open (the account page).
pub async fn session_count(state: &AppState, user_id: i64) -> Result<u64> {
    Ok(session::count_of(&state.db, user_id).await?)
}

// ------------------------------------------------------------------ password links

#[derive(Template)]
#[template(path = "mail/password_reset.txt")]
struct ResetMail<'a> {
    name: &'a str,
    link: &'a str,
    hours: i64,
}

/// The mail inviting a new user to set a password (sent by the admin's user management).
#[derive(Template)]
#[template(path = "mail/invitation.txt")]
pub struct InvitationMail<'a> {
    pub name: &'a str,
    pub organisation: &'a str,
    pub link: &'a str,
    pub days: i64,
}

/// "Wachtwoord vergeten": a link to set a new password is mailed when the address belongs to an
/// active account and the throttle allows a mail; the answer is the same either way. Gives the
/// address as read (trimmed, lower-cased).
pub async fn request_reset(state: &AppState, visitor: &Visitor, email: &str) -> Result<String> {
    let email = accounts::normalise_email(email).map_err(|_| {
        Error::field(
            "email",
            "Vul een geldig e-mailadres in, bijvoorbeeld naam@gemeente.be.",
        )
    })?;
    let now = visitor.now;
    let user = accounts::by_email(&state.db, &email)
        .await?
        .filter(|u| u.active);
    let verdict = throttle::reset_mail(
        &state.db,
        &email,
        &visitor.ip_or_unknown(),
        user.is_some(),
        now,
    )
    .await?;
    if verdict == throttle::ResetMail::Throttled {
        audit::record(
            &state.db,
            AuditEntry::new(
                "auth.reset_throttled",
                "account",
                user.as_ref().map(|u| u.id.to_string()),
            )
            .from_ip(visitor.ip.clone())
            .at(now)
            .details("te veel aanvragen voor een nieuw wachtwoord: geen e-mail verstuurd"),
        )
        .await?;
    }
    let Some(user) = user.filter(|_| verdict == throttle::ResetMail::Send) else {
        return Ok(email);
    };
    let mut work = Work::begin(state).await?;
    tokens::revoke_others(work.txn(), user.id, TokenPurpose::Reset, now).await?;
    let token = tokens::issue(work.txn(), user.id, TokenPurpose::Reset, now).await?;
    let link = format!("{}/wachtwoord-instellen/{token}", state.config.public_url);
    work.mail(OutgoingMail {
        to: user.email.clone(),
        subject: "Samenleven: uw wachtwoord opnieuw instellen".to_owned(),
        body_text: mail::render_text(&ResetMail {
            name: &user.name,
            link: &link,
            hours: tokens::lifetime(TokenPurpose::Reset).num_hours(),
        })?,
        related: Some(("app_user".to_owned(), user.id.to_string())),
    });
    work.audit(
        AuditEntry::new("auth.reset_requested", "account", Some(user.id.to_string()))
            .from_ip(visitor.ip.clone())
            .at(now),
    );
    work.commit().await?;
    Ok(email)
}

/// What a password link is for, while it can still be used: `None` when it is unknown, used or
/// expired.
pub async fn password_link(
    state: &AppState,
    token: &str,
    now: DateTime<Utc>,
) -> Result<Option<TokenPurpose>> {
    Ok(tokens::find_valid(&state.db, token, now)
        .await?
        .map(|t| t.purpose))
}

/// The form of a password link.
#[derive(Debug, Clone, Default, Validate)]
pub struct NewPassword {
    #[validate(length(min = 12, message = "Kies een wachtwoord van minstens 12 tekens."))]
    pub password: String,
    pub password_confirm: String,
}

/// Why a password was not set.
#[derive(Debug)]
pub enum PasswordRefused {
    /// The link is unknown, used or expired (410).
    LinkGone,
    /// The form again (422), for an invitation or a reset.
    Invalid {
        errors: FieldErrors,
        invitation: bool,
    },
    Failed(Error),
}

impl From<Error> for PasswordRefused {
    fn from(err: Error) -> Self {
        Self::Failed(err)
    }
}

impl From<sea_orm::DbErr> for PasswordRefused {
    fn from(err: sea_orm::DbErr) -> Self {
        Self::Failed(err.into())
    }
}

/// Sets the password through link `token` (a reset or an invitation): the link is used up, every
/// session ends, the throttle on the account's address is lifted (whoever set the password reads
/// its mail), and every API token is revoked and the user told.
pub async fn set_password(
    state: &AppState,
    visitor: &Visitor,
    token: &str,
    input: &NewPassword,
) -> std::result::Result<(), PasswordRefused> {
    let now = visitor.now;
    let Some(found) = tokens::find_valid(&state.db, token, now).await? else {
        // An attempt with a link that is unknown, used or expired: recorded with the address
        // it came from (never the token), so repeated tries can be seen.
        audit::record(
            &state.db,
            AuditEntry::new("auth.password_link_refused", "account", None)
                .from_ip(visitor.ip.clone())
                .at(now)
                .details("wachtwoord instellen met een ongeldige, gebruikte of verlopen link"),
        )
        .await?;
        return Err(PasswordRefused::LinkGone);
    };
    let invitation = found.purpose == TokenPurpose::Invite;
    let mut errors = validate(input, &["password", "password_confirm"]);
    if errors.is_empty() && input.password != input.password_confirm {
        errors.add("password_confirm", "De twee wachtwoorden zijn niet gelijk.");
    }
    if !errors.is_empty() {
        return Err(PasswordRefused::Invalid { errors, invitation });
    }
    let hash = accounts::hash_password_blocking(input.password.clone())
        .await
        .map_err(Error::internal)?;
    let mut work = Work::begin(state).await?;
    if !tokens::consume(work.txn(), found.id, now).await? {
        work.rollback().await?;
        return Err(Error::Conflict(
            "Deze link is intussen al gebruikt. Vraag een nieuwe aan.".into(),
        )
        .into());
    }
    let user = accounts::set_password_hash(work.txn(), found.user_id, hash)
        .await?
        .ok_or(Error::NotFound)?;
    session::end_all(work.txn(), user.id).await?;
    throttle::lift(work.txn(), &user.email, &visitor.ip_or_unknown(), now).await?;
    revoke_all_and_tell(
        work.txn(),
        state,
        &user,
        RevokedBecause::PasswordSet,
        (Some(user.id), label_of(&user)),
        visitor.ip.clone(),
        now,
    )
    .await?;
    work.audit(
        AuditEntry::new(
            if invitation {
                "auth.invitation_accepted"
            } else {
                "auth.password_reset"
            },
            "account",
            Some(user.id.to_string()),
        )
        .by(Some(user.id), label_of(&user))
        .from_ip(visitor.ip.clone())
        .at(now),
    );
    work.commit().await?;
    state.mail_wakeup.notify_one();
    Ok(())
}

// ------------------------------------------------------------------ API tokens

/// The form for a new API token: its name and the user's password, asked again.
#[derive(Debug, Clone, Default)]
pub struct NewToken {
    pub name: String,
    pub password: String,
}

/// Mints an API token for the caller. The password is asked again (a stolen session alone
/// cannot mint a token that outlives it) and checked like a login: the attempt counts for the
/// throttle. Gives the token, shown this once.
pub async fn mint_token(
    state: &AppState,
    caller: &Caller,
    device: Option<&str>,
    input: &NewToken,
) -> std::result::Result<String, Refused> {
    let user = caller.user.clone().ok_or(Error::Forbidden)?;
    let mut errors = FieldErrors::default();
    let name = match api_tokens::check_name(&input.name) {
        Ok(name) => Some(name),
        Err(message) => {
            errors.add("name", message);
            None
        }
    };
    let live = api_tokens::for_user(&state.db, user.id)
        .await?
        .iter()
        .filter(|t| t.revoked_at.is_none())
        .count();
    if live >= api_tokens::MAX_LIVE {
        errors.add(
            "name",
            format!(
                "U hebt al {} actieve sleutels. Trek er eerst een in die u niet meer gebruikt.",
                api_tokens::MAX_LIVE
            ),
        );
    }
    if input.password.is_empty() {
        errors.add(
            "password",
            "Vul uw wachtwoord in: zo weten we zeker dat u zelf de sleutel aanmaakt.",
        );
    }
    let Some(name) = name.filter(|_| errors.is_empty()) else {
        return Err(Refused::Invalid(errors));
    };

    let now = caller.now;
    let ip = caller.ip.clone().unwrap_or_else(|| "onbekend".to_owned());
    let device = match device {
        Some(token) => devices::recognise(&state.db, token, user.id, now).await?,
        None => None,
    };
    let attempt =
        match throttle::begin(&state.db, &user.email, &ip, device.map(|d| d.id), now).await? {
            Ok(attempt) => attempt,
            Err(wait) => {
                audit::record(
                    &state.db,
                    caller
                        .audit("auth.reauthentication_throttled", "account", user.id)
                        .details(format!("API-sleutel aanmaken; {}", wait.limit.code())),
                )
                .await?;
                return Err(Refused::Throttled {
                    errors: one_error("password", wait.message(now)),
                    retry_after: wait.seconds(now),
                });
            }
        };
    let verified = accounts::check_login_blocking(Some(user.clone()), input.password.clone())
        .await
        .map_err(Error::internal)?;
    if !verified {
        audit::record(
            &state.db,
            caller
                .audit("auth.reauthentication_failed", "account", user.id)
                .details("API-sleutel aanmaken"),
        )
        .await?;
        return Err(Refused::Invalid(one_error(
            "password",
            "Het wachtwoord is niet juist. Vul het wachtwoord in waarmee u zich aanmeldt.",
        )));
    }

    let mut work = Work::begin(state).await?;
    throttle::succeeded(work.txn(), &attempt).await?;
    let (row, token) = api_tokens::create(work.txn(), user.id, &name, now).await?;
    work.audit(
        caller
            .audit("api_token.created", "api_token", row.id)
            .after(serde_json::json!({"name": row.name, "user_id": row.user_id})),
    );
    work.commit().await?;
    Ok(token)
}

/// Revokes the caller's API token `id`; gives its name. Another user's token is not found.
pub async fn revoke_token(state: &AppState, caller: &Caller, id: i64) -> Result<String> {
    let user_id = caller.user_id().ok_or(Error::Forbidden)?;
    let mut work = Work::begin(state).await?;
    let Some(row) = api_tokens::revoke(work.txn(), user_id, id, caller.now).await? else {
        work.rollback().await?;
        return Err(Error::NotFound);
    };
    work.audit(
        caller
            .audit("api_token.revoked", "api_token", row.id)
            .before(serde_json::json!({"name": row.name})),
    );
    work.commit().await?;
    Ok(row.name)
}

/// Why all of a user's tokens are revoked at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RevokedBecause {
    /// The user logged out everywhere.
    LogoutEverywhere,
    /// A new password was set through a reset (or invitation) link.
    PasswordSet,
    /// An admin deactivated the account.
    Deactivated,
}

impl RevokedBecause {
    fn code(self) -> &'static str {
        match self {
            Self::LogoutEverywhere => "afmelden overal",
            Self::PasswordSet => "nieuw wachtwoord",
            Self::Deactivated => "account gedeactiveerd",
        }
    }
}

#[derive(Template)]
#[template(path = "mail/api_tokens_revoked.txt")]
struct RevokedMail<'a> {
    name: &'a str,
    because: RevokedBecause,
    tokens: Vec<String>,
    tokens_link: String,
    reset_link: String,
}

impl MailTemplate for RevokedMail<'_> {
    fn subject(&self) -> String {
        if self.tokens.len() == 1 {
            "Samenleven: uw API-sleutel is ingetrokken".to_owned()
        } else {
            "Samenleven: uw API-sleutels zijn ingetrokken".to_owned()
        }
    }
}

/// Revokes every live API token of `user` in `txn`: one audit entry per token (by `actor`) and
/// one mail to the user listing them. Nothing happens when the user has no live token. The
/// caller commits and wakes the mail worker.
pub async fn revoke_all_and_tell<C: ConnectionTrait>(
    txn: &C,
    state: &AppState,
    user: &app_user::Model,
    because: RevokedBecause,
    actor: (Option<i64>, String),
    ip: Option<String>,
    now: DateTime<Utc>,
) -> Result<usize> {
    let revoked = api_tokens::revoke_all(txn, user.id, now).await?;
    if revoked.is_empty() {
        return Ok(0);
    }
    for token in &revoked {
        audit::record(
            txn,
            AuditEntry::new("api_token.revoked", "api_token", Some(token.id.to_string()))
                .by(actor.0, actor.1.clone())
                .from_ip(ip.clone())
                .at(now)
                .before(serde_json::json!({"name": token.name, "user_id": token.user_id}))
                .details(because.code()),
        )
        .await?;
    }
    let public_url = &state.config.public_url;
    let mut outgoing = mail::compose(
        user.email.clone(),
        &RevokedMail {
            name: &user.name,
            because,
            tokens: revoked.iter().map(|t| t.name.clone()).collect(),
            tokens_link: format!("{public_url}/account/api-sleutels"),
            reset_link: format!("{public_url}/wachtwoord-vergeten"),
        },
    )?;
    outgoing.related = Some(("app_user".to_owned(), user.id.to_string()));
    mail::enqueue(txn, outgoing).await?;
    Ok(revoked.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rendered(because: RevokedBecause) -> String {
        mail::render_text(&RevokedMail {
            name: "Els Verbeke",
            because,
            tokens: vec!["Zaaksysteem".into(), "Rapportering".into()],
            tokens_link: "https://samenleven.test/account/api-sleutels".into(),
            reset_link: "https://samenleven.test/wachtwoord-vergeten".into(),
        })
        .unwrap()
    }

    #[test]
    fn the_revocation_mail_names_every_token_and_says_what_to_do() {
        for because in [
            RevokedBecause::LogoutEverywhere,
            RevokedBecause::PasswordSet,
            RevokedBecause::Deactivated,
        ] {
            let body = rendered(because);
            assert!(body.starts_with("Beste Els Verbeke,\n\n"), "{body}");
            assert!(body.contains("\n- Zaaksysteem\n- Rapportering\n"), "{body}");
            assert!(!body.contains("\n\n\n"), "no empty gaps: {body}");
            let self_service = because != RevokedBecause::Deactivated;
            assert_eq!(
                body.contains("https://samenleven.test/account/api-sleutels"),
                self_service,
                "{body}"
            );
        }
        assert!(rendered(RevokedBecause::LogoutEverywhere).contains("overal afgemeld"));
        assert!(rendered(RevokedBecause::PasswordSet).contains("opnieuw ingesteld"));
        assert!(rendered(RevokedBecause::Deactivated).contains("gedeactiveerd"));
    }

    #[test]
    fn a_new_password_needs_twelve_characters_and_the_same_twice() {
        let short = NewPassword {
            password: "kort".into(),
            password_confirm: "anders".into(),
        };
        let errors = validate(&short, &["password", "password_confirm"]);
        assert_eq!(
            errors.get("password"),
            "Kies een wachtwoord van minstens 12 tekens."
        );
        assert!(errors.get("password_confirm").is_empty());
        let long = NewPassword {
            password: "twaalf tekens lang".into(),
            password_confirm: String::new(),
        };
        assert!(validate(&long, &["password"]).is_empty());
    }
}
