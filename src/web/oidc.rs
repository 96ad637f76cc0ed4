//! Signing in through the Flemish government (ACM/IDM, OpenID Connect): the start
//! (`/aanmelden/vlaanderen`: a login under way is recorded and the browser goes to the
//! provider) and the provider's answer (`/aanmelden/vlaanderen/terug`: state, code, ID token and
//! claims checked, the account found, linked or created, and our own session opened exactly as
//! a password login does). Every refusal is a Dutch page that says what to do, and an audit row.
//! The protocol itself is in `crate::auth::oidc`.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use entity::app_user::UserRole;

use crate::app::account as account_commands;
use crate::auth::oidc::accounts::{self, AccountRefusal};
use crate::auth::oidc::identity::{self, Refusal};
use crate::auth::oidc::pending::{self, Mismatch, NewLogin};
use crate::auth::oidc::provider::{ProviderError, TokenFault};
use crate::auth::session::is_local_path;
use crate::auth::{cookies, random_token};
use crate::error::AppError;
use crate::state::AppState;
use crate::web::context::PageContext;
use crate::web::pages::{Layout, render};
use crate::web::{Access, RouteTable};

/// The cookie that binds a login under way to the browser that started it.
pub const BROWSER_COOKIE: &str = "sl_oidc";
/// The path the provider sends the browser back to (`OIDC_REDIRECT_URL` ends with it).
pub const CALLBACK_PATH: &str = "/aanmelden/vlaanderen/terug";

pub fn routes() -> RouteTable {
    RouteTable::new()
        .get("/aanmelden/vlaanderen", Access::Public, start)
        .get(CALLBACK_PATH, Access::Public, callback)
}

#[derive(Template)]
#[template(path = "login_refused.html")]
pub struct RefusedPage {
    pub layout: Layout,
    pub heading: String,
    pub message: String,
    pub advice: String,
}

#[derive(Template)]
#[template(path = "logged_out.html")]
pub struct LoggedOutPage {
    pub layout: Layout,
    pub end_session_url: String,
}

/// Why a login through the provider did not succeed: what the person reads, the status, and
/// the code in the audit trail.
#[derive(Debug)]
enum Failure {
    Unreachable(String),
    BadCallback(&'static str),
    ProviderSaid(String),
    Login(Mismatch),
    CodeRefused(String),
    Token(TokenFault, String),
    Identity(Refusal),
    Account(AccountRefusal),
}

impl Failure {
    fn from_provider(err: ProviderError) -> Self {
        match err {
            ProviderError::Unreachable(m) | ProviderError::BadAnswer(m) => Failure::Unreachable(m),
            ProviderError::CodeRefused(m) => Failure::CodeRefused(m),
            ProviderError::InvalidToken { kind, detail } => Failure::Token(kind, detail),
        }
    }

    fn status(&self) -> StatusCode {
        match self {
            Failure::Unreachable(_) => StatusCode::SERVICE_UNAVAILABLE,
            Failure::Identity(_) | Failure::Account(_) => StatusCode::FORBIDDEN,
            _ => StatusCode::BAD_REQUEST,
        }
    }

    fn code(&self) -> String {
        match self {
            Failure::Unreachable(_) => "provider_unreachable".into(),
            Failure::BadCallback(what) => format!("bad_callback_{what}"),
            Failure::ProviderSaid(_) => "provider_error".into(),
            Failure::Login(m) => m.code().into(),
            Failure::CodeRefused(_) => "code_refused".into(),
            Failure::Token(kind, _) => kind.code().into(),
            Failure::Identity(Refusal::MissingClaim(_)) => "missing_claim".into(),
            Failure::Identity(Refusal::UnknownOrganisation(_)) => "unknown_organisation".into(),
            Failure::Identity(Refusal::NoRole) => "no_role".into(),
            Failure::Account(r) => r.code().into(),
        }
    }

    fn detail(&self) -> String {
        match self {
            Failure::Unreachable(m)
            | Failure::ProviderSaid(m)
            | Failure::CodeRefused(m)
            | Failure::Token(_, m) => m.chars().take(300).collect(),
            Failure::Identity(Refusal::MissingClaim(c)) => format!("claim {c} ontbreekt"),
            Failure::Identity(Refusal::UnknownOrganisation(c)) => {
                format!("organisatiecode {}", c.as_deref().unwrap_or("(geen)"))
            }
            _ => String::new(),
        }
    }

    // Longer than 50 lines: one flat mapping of every refusal to its Dutch heading, message
    // and advice.
    /// Heading, message and what to do, in Dutch.
    fn texts(&self) -> (&'static str, String, String) {
        const AGAIN: &str = "Start het aanmelden opnieuw met de knop \u{201c}Aanmelden met de \
            Vlaamse overheid\u{201d}. Lukt het dan nog niet, neem contact op met de helpdesk van \
            ABB en vermeld het tijdstip.";
        match self {
            Failure::Unreachable(_) => (
                "De aanmelddienst is niet bereikbaar",
                "Samenleven kan de aanmelddienst van de Vlaamse overheid nu niet bereiken.".into(),
                "Probeer het over enkele minuten opnieuw. Lukt het dan nog niet, neem contact \
                 op met de helpdesk van ABB."
                    .into(),
            ),
            Failure::BadCallback(_) => (
                "Ongeldig antwoord van de aanmelddienst",
                "Het antwoord van de aanmelddienst is onvolledig of ongeldig.".into(),
                AGAIN.into(),
            ),
            Failure::ProviderSaid(error) => (
                "Aanmelden niet gelukt",
                format!("De aanmelddienst van de Vlaamse overheid meldt: {error}."),
                "Hebt u het aanmelden afgebroken? Start dan opnieuw. Anders: neem contact op \
                 met de helpdesk van ABB en vermeld het tijdstip."
                    .into(),
            ),
            Failure::Login(_) => (
                "Deze aanmelding is verlopen of al gebruikt",
                "Dit antwoord van de aanmelddienst hoort niet (meer) bij een aanmelding die in \
                 deze browser loopt: ze is al afgerond, ouder dan tien minuten, of in een \
                 andere browser begonnen."
                    .into(),
                "Start het aanmelden opnieuw vanaf de aanmeldpagina, in dezelfde browser, en \
                 gebruik tijdens het aanmelden de knop Terug niet."
                    .into(),
            ),
            Failure::CodeRefused(_) => (
                "De aanmelddienst aanvaardde de aanmelding niet",
                "Een aanmeldcode is maar één keer en maar kort bruikbaar; de aanmelddienst \
                 weigerde deze."
                    .into(),
                AGAIN.into(),
            ),
            Failure::Token(kind, _) => (
                "Het bewijs van aanmelding is ongeldig",
                match kind {
                    TokenFault::Expired => {
                        "Het bewijs van aanmelding van de aanmelddienst is verlopen.".to_owned()
                    }
                    _ => "Samenleven kon niet nagaan dat het bewijs van aanmelding echt van de \
                          aanmelddienst van de Vlaamse overheid komt, voor Samenleven bestemd is \
                          en bij deze aanmelding hoort."
                        .to_owned(),
                },
                AGAIN.into(),
            ),
            Failure::Identity(Refusal::MissingClaim(_))
            | Failure::Account(AccountRefusal::NoEmail) => (
                "Er ontbreken gegevens over u",
                "De aanmelddienst gaf niet alle gegevens door die Samenleven nodig heeft (uw \
                 naam, e-mailadres of accountnummer)."
                    .into(),
                "Vraag de lokale beheerder van uw organisatie om uw gegevens in het \
                 gebruikersbeheer van de Vlaamse overheid aan te vullen, en meld u daarna \
                 opnieuw aan."
                    .into(),
            ),
            Failure::Identity(Refusal::UnknownOrganisation(code)) => (
                "Uw organisatie is niet gekend in Samenleven",
                match code {
                    Some(code) => format!(
                        "U meldde zich aan voor de organisatie met code {code}. Samenleven kent \
                         alleen de Vlaamse gemeenten, de partnerorganisaties en ABB."
                    ),
                    None => "De aanmelddienst gaf geen organisatie door.".to_owned(),
                },
                "Kies bij het aanmelden de organisatie waarvoor u in Samenleven werkt. Hoort \
                 uw gemeente erbij, vraag ABB dan om haar organisatiecode toe te voegen."
                    .into(),
            ),
            Failure::Identity(Refusal::NoRole) => (
                "U hebt geen rol in Samenleven",
                "Uw account bij de Vlaamse overheid geeft u voor deze organisatie geen toegang \
                 tot Samenleven (meer). Wie u was, is in Samenleven afgemeld."
                    .into(),
                "Vraag de lokale beheerder van uw organisatie om u in het gebruikersbeheer van \
                 de Vlaamse overheid de rol voor Samenleven te geven, en meld u daarna opnieuw \
                 aan."
                    .into(),
            ),
            Failure::Account(AccountRefusal::Deactivated) => (
                "Uw account in Samenleven is gedeactiveerd",
                "Een beheerder van ABB heeft uw account gedeactiveerd.".into(),
                "Neem contact op met ABB als u opnieuw toegang nodig hebt.".into(),
            ),
            Failure::Account(AccountRefusal::LinkedToAnother) => (
                "Dit e-mailadres hoort al bij een ander account",
                "Het Samenleven-account met uw e-mailadres is al gekoppeld aan een ander account \
                 bij de Vlaamse overheid. Een account wordt maar één keer gekoppeld."
                    .into(),
                "Meld u aan met dat andere account, of vraag ABB om de koppeling na te kijken."
                    .into(),
            ),
        }
    }
}

/// Records the refusal and renders its page.
async fn refuse(
    state: &AppState,
    ctx: &PageContext,
    failure: Failure,
    subject: Option<String>,
) -> Result<Response, AppError> {
    account_commands::record_provider_refusal(
        state,
        ctx.ip.clone(),
        subject,
        failure.code(),
        failure.detail(),
    )
    .await?;
    let (heading, message, advice) = failure.texts();
    let page = RefusedPage {
        layout: Layout::public(heading, &ctx.path, ctx.demo),
        heading: heading.to_owned(),
        message,
        advice,
    };
    let secure = state.config.secure_cookies();
    let mut response = (failure.status(), render(&page)?).into_response();
    if matches!(failure, Failure::Identity(_)) {
        response
            .headers_mut()
            .append(header::SET_COOKIE, cookies::clear(cookies::SESSION, secure));
    }
    Ok(response)
}

/// The query as pairs; a name given twice makes it unusable.
fn query_pairs(raw: Option<&str>) -> Option<HashMap<String, String>> {
    let mut pairs = HashMap::new();
    for (k, v) in openidconnect::url::form_urlencoded::parse(raw.unwrap_or("").as_bytes()) {
        if pairs.insert(k.into_owned(), v.into_owned()).is_some() {
            return None;
        }
    }
    Some(pairs)
}

/// Where a user goes after signing in without a page to return to.
fn home_of(role: UserRole) -> &'static str {
    match role {
        UserRole::Official => "/gemeente",
        UserRole::Reviewer | UserRole::Admin => "/beoordeling",
    }
}

/// The local page to return to after signing in (`volgende`), or empty.
fn next_of(raw: Option<&str>) -> String {
    query_pairs(raw)
        .and_then(|q| q.get("volgende").cloned())
        .filter(|n| is_local_path(n) && n.len() <= 1000)
        .unwrap_or_default()
}

/// The browser's binding token: the one it presents when well-formed, else a new one.
fn browser_token(headers: &HeaderMap) -> String {
    cookies::get(headers, BROWSER_COOKIE)
        .filter(|c| c.len() == 64 && c.bytes().all(|b| b.is_ascii_hexdigit()))
        .unwrap_or_else(random_token)
}

async fn start(
    State(state): State<AppState>,
    ctx: PageContext,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Result<Response, AppError> {
    let Some(provider) = state.oidc.clone() else {
        return Err(AppError::NotFound);
    };
    let next = next_of(raw.as_deref());
    if let Some(user) = &ctx.user {
        let to = if next.is_empty() {
            home_of(user.user.role)
        } else {
            &next
        };
        return Ok(Redirect::to(to).into_response());
    }
    let authorization = match provider.authorize().await {
        Ok(a) => a,
        Err(err) => {
            tracing::warn!(error = %err, "could not start a login at the OpenID provider");
            return refuse(&state, &ctx, Failure::from_provider(err), None).await;
        }
    };
    let browser = browser_token(&headers);
    pending::start(
        &state.db,
        NewLogin {
            state: &authorization.state,
            browser: &browser,
            nonce: &authorization.nonce,
            pkce_verifier: &authorization.pkce_verifier,
            next_path: &next,
        },
        state.clock.now(),
    )
    .await?;
    let mut response = Redirect::to(&authorization.url).into_response();
    response.headers_mut().append(
        header::SET_COOKIE,
        cookies::set(
            BROWSER_COOKIE,
            &browser,
            state.config.secure_cookies(),
            Some(pending::LIFETIME.num_seconds()),
        ),
    );
    Ok(response)
}

// Longer than 50 lines: each check of the provider's answer (the query, the login under way,
// the code and ID token, the claims) ends in its own refusal page; the account work is one
// command ([`account_commands::sign_in_with_provider`]).
async fn callback(
    State(state): State<AppState>,
    ctx: PageContext,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Result<Response, AppError> {
    let Some(provider) = state.oidc.clone() else {
        return Err(AppError::NotFound);
    };
    let visitor = crate::web::login::visitor(&state, &ctx, &headers);
    let now = visitor.now;
    let Some(query) = query_pairs(raw.as_deref()) else {
        return refuse(
            &state,
            &ctx,
            Failure::BadCallback("repeated_parameter"),
            None,
        )
        .await;
    };
    if let Some(error) = query.get("error") {
        let error: String = error
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
            .take(60)
            .collect();
        return refuse(&state, &ctx, Failure::ProviderSaid(error), None).await;
    }
    let sane =
        |v: &&String| !v.is_empty() && v.len() <= 2048 && v.bytes().all(|b| b.is_ascii_graphic());
    let (Some(code), Some(login_state)) = (
        query.get("code").filter(sane),
        query.get("state").filter(sane),
    ) else {
        return refuse(&state, &ctx, Failure::BadCallback("parameters"), None).await;
    };
    let settings = provider.settings();
    if let Some(iss) = query.get("iss")
        && iss.trim_end_matches('/') != settings.issuer.trim_end_matches('/')
    {
        return refuse(&state, &ctx, Failure::BadCallback("issuer"), None).await;
    }
    let browser = cookies::get(&headers, BROWSER_COOKIE);
    let login = match pending::take(&state.db, login_state, browser.as_deref(), now).await? {
        Ok(login) => login,
        Err(mismatch) => return refuse(&state, &ctx, Failure::Login(mismatch), None).await,
    };
    let verified = match provider
        .finish(code, &login.pkce_verifier, &login.nonce)
        .await
    {
        Ok(v) => v,
        Err(err) => {
            tracing::warn!(error = %err, "a login at the OpenID provider failed");
            return refuse(&state, &ctx, Failure::from_provider(err), None).await;
        }
    };
    let who = match identity::identity(&verified.claims, settings) {
        Ok(who) => who,
        Err(refusal) => return refuse(&state, &ctx, Failure::Identity(refusal), None).await,
    };
    let organisation = accounts::organisation(&state.db, settings, who.org_code.as_deref()).await?;
    let grant = match identity::grant(&who, organisation) {
        Ok(grant) => grant,
        Err(refusal) => {
            let reason = match &refusal {
                Refusal::NoRole => "geen rol voor Samenleven meer",
                _ => "organisatie niet (meer) gekend",
            };
            account_commands::withdraw_provider_account(&state, &visitor, &who.subject, reason)
                .await?;
            return refuse(&state, &ctx, Failure::Identity(refusal), Some(who.subject)).await;
        }
    };
    let signed_in = match account_commands::sign_in_with_provider(
        &state,
        &visitor,
        &who,
        grant,
        verified.id_token,
    )
    .await?
    {
        Ok(signed_in) => signed_in,
        Err(refusal) => {
            return refuse(&state, &ctx, Failure::Account(refusal), Some(who.subject)).await;
        }
    };
    let to = if login.next_path.is_empty() {
        home_of(signed_in.user.role).to_owned()
    } else {
        login.next_path
    };
    let secure = state.config.secure_cookies();
    let mut response = Redirect::to(&to).into_response();
    let headers = response.headers_mut();
    headers.append(
        header::SET_COOKIE,
        cookies::set(cookies::SESSION, &signed_in.session, secure, None),
    );
    headers.append(header::SET_COOKIE, cookies::clear(BROWSER_COOKIE, secure));
    Ok(response)
}

/// The page after logging out of a session opened through the provider: a link to log out
/// there too. (A redirect from the logout form to another site would break the
/// Content-Security-Policy's `form-action 'self'`, so the person follows a link.)
pub fn logged_out_page(ctx: &PageContext, end_session_url: String) -> Result<Response, AppError> {
    let page = LoggedOutPage {
        layout: Layout::public("Afgemeld", "", ctx.demo),
        end_session_url,
    };
    Ok(render(&page)?.into_response())
}
