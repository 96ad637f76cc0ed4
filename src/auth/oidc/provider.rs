//! The OpenID provider as this application sees it: its discovery document and signing keys
//! (fetched when first needed, kept for an hour, the keys fetched again when a token names a key
//! we do not know: key rotation), the authorization URL with PKCE, state and nonce, the code
//! exchange, and the ID token's checks (signature with an asymmetric algorithm, issuer, audience,
//! expiry with the configured clock skew, issue time not in the future, nonce).

use std::sync::Arc;
use std::time::{Duration as StdDuration, Instant};

use chrono::Utc;
use openidconnect::core::{
    CoreAuthenticationFlow, CoreClient, CoreIdTokenVerifier, CoreJsonWebKeySet,
    CoreJwsSigningAlgorithm, CoreProviderMetadata, CoreTokenResponse,
};
use openidconnect::{
    AuthorizationCode, ClaimsVerificationError, ClientId, ClientSecret, CsrfToken,
    EndpointMaybeSet, EndpointNotSet, EndpointSet, Nonce, PkceCodeChallenge, PkceCodeVerifier,
    RedirectUrl, Scope, SignatureVerificationError, TokenResponse, reqwest,
};
use serde_json::{Map, Value};
use tokio::sync::Mutex;

use super::settings::OidcSettings;

/// How long the discovery document and keys are used before they are fetched again.
const METADATA_TTL: StdDuration = StdDuration::from_secs(3600);
/// Fetching the keys again because of an unknown key happens at most this often.
const FORCED_REFRESH_INTERVAL: StdDuration = StdDuration::from_secs(10);

type Client = CoreClient<
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

/// What went wrong talking to the provider or checking its answer.
#[derive(Debug, thiserror::Error)]
pub enum ProviderError {
    #[error("de aanmelddienst is niet bereikbaar: {0}")]
    Unreachable(String),
    #[error("het antwoord van de aanmelddienst is onbruikbaar: {0}")]
    BadAnswer(String),
    #[error("de aanmelddienst weigerde de code: {0}")]
    CodeRefused(String),
    #[error("het ID-token is ongeldig ({kind:?}): {detail}")]
    InvalidToken { kind: TokenFault, detail: String },
}

/// Which check an ID token failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenFault {
    Missing,
    Signature,
    UnknownKey,
    Audience,
    Issuer,
    Expired,
    IssuedInFuture,
    Nonce,
    Other,
}

impl TokenFault {
    pub fn code(self) -> &'static str {
        match self {
            TokenFault::Missing => "id_token_missing",
            TokenFault::Signature => "bad_signature",
            TokenFault::UnknownKey => "unknown_key",
            TokenFault::Audience => "wrong_audience",
            TokenFault::Issuer => "wrong_issuer",
            TokenFault::Expired => "expired",
            TokenFault::IssuedInFuture => "issued_in_future",
            TokenFault::Nonce => "wrong_nonce",
            TokenFault::Other => "invalid_token",
        }
    }
}

#[derive(Clone)]
struct Discovered {
    metadata: CoreProviderMetadata,
    jwks: CoreJsonWebKeySet,
    end_session_endpoint: Option<String>,
    fetched_at: Instant,
}

/// The answer of a successful login: the verified claims and the raw ID token (kept for
/// logging out at the provider).
pub struct VerifiedLogin {
    pub claims: Map<String, Value>,
    pub id_token: String,
}

/// The start of a login: where to send the browser, and what to keep until it comes back.
pub struct Authorization {
    pub url: String,
    pub state: String,
    pub nonce: String,
    pub pkce_verifier: String,
}

pub struct OidcProvider {
    settings: Arc<OidcSettings>,
    http: reqwest::Client,
    cache: Mutex<Option<Discovered>>,
    last_forced_refresh: Mutex<Option<Instant>>,
}

fn unreachable(err: impl std::error::Error) -> ProviderError {
    // The whole chain: reqwest's own message alone ("client error") says little.
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    ProviderError::Unreachable(text)
}

impl OidcProvider {
    pub fn new(settings: OidcSettings) -> Result<Self, ProviderError> {
        let http = reqwest::Client::builder()
            // Following redirects would open the client to SSRF.
            .redirect(reqwest::redirect::Policy::none())
            .timeout(StdDuration::from_secs(10))
            // A login makes a few requests minutes apart: a kept-alive connection the provider
            // already closed would fail the code exchange (a POST is never retried).
            .pool_max_idle_per_host(0)
            .build()
            .map_err(unreachable)?;
        Ok(Self {
            settings: Arc::new(settings),
            http,
            cache: Mutex::new(None),
            last_forced_refresh: Mutex::new(None),
        })
    }

    pub fn settings(&self) -> &OidcSettings {
        &self.settings
    }

    async fn get_json(&self, url: &str) -> Result<Vec<u8>, ProviderError> {
        let response = self.http.get(url).send().await.map_err(unreachable)?;
        if !response.status().is_success() {
            return Err(ProviderError::Unreachable(format!(
                "{url} antwoordde {}",
                response.status()
            )));
        }
        Ok(response.bytes().await.map_err(unreachable)?.to_vec())
    }

    async fn fetch(&self) -> Result<Discovered, ProviderError> {
        let body = self.get_json(&self.settings.discovery_url).await?;
        let metadata: CoreProviderMetadata = serde_json::from_slice(&body)
            .map_err(|e| ProviderError::BadAnswer(format!("discovery: {e}")))?;
        let issuer = metadata.issuer().as_str().trim_end_matches('/');
        if issuer != self.settings.issuer.trim_end_matches('/') {
            return Err(ProviderError::BadAnswer(format!(
                "de discovery noemt issuer {issuer}, verwacht {}",
                self.settings.issuer
            )));
        }
        #[derive(serde::Deserialize)]
        struct Logout {
            end_session_endpoint: Option<String>,
        }
        let end_session_endpoint = serde_json::from_slice::<Logout>(&body)
            .ok()
            .and_then(|l| l.end_session_endpoint);
        let jwks = self.fetch_keys(&metadata).await?;
        Ok(Discovered {
            metadata,
            jwks,
            end_session_endpoint,
            fetched_at: Instant::now(),
        })
    }

    async fn fetch_keys(
        &self,
        metadata: &CoreProviderMetadata,
    ) -> Result<CoreJsonWebKeySet, ProviderError> {
        let body = self.get_json(metadata.jwks_uri().as_str()).await?;
        serde_json::from_slice(&body).map_err(|e| ProviderError::BadAnswer(format!("jwks: {e}")))
    }

    /// The discovery document and keys, fetched when missing or older than an hour.
    async fn discovered(&self) -> Result<Discovered, ProviderError> {
        let mut cache = self.cache.lock().await;
        if let Some(found) = cache.as_ref()
            && found.fetched_at.elapsed() < METADATA_TTL
        {
            return Ok(found.clone());
        }
        let fresh = self.fetch().await?;
        *cache = Some(fresh.clone());
        Ok(fresh)
    }

    /// Fetches the keys again (a token named a key we do not know); `None` when that was done
    /// less than ten seconds ago.
    async fn refresh_keys(&self) -> Result<Option<CoreJsonWebKeySet>, ProviderError> {
        {
            let mut last = self.last_forced_refresh.lock().await;
            if last.is_some_and(|at| at.elapsed() < FORCED_REFRESH_INTERVAL) {
                return Ok(None);
            }
            *last = Some(Instant::now());
        }
        let current = self.discovered().await?;
        let jwks = self.fetch_keys(&current.metadata).await?;
        let mut cache = self.cache.lock().await;
        if let Some(found) = cache.as_mut() {
            found.jwks = jwks.clone();
        }
        tracing::info!("fetched the OpenID provider's keys again for an unknown key id");
        Ok(Some(jwks))
    }

    fn client(&self, discovered: &Discovered) -> Result<Client, ProviderError> {
        let redirect = RedirectUrl::new(self.settings.redirect_url.clone())
            .map_err(|e| ProviderError::BadAnswer(e.to_string()))?;
        Ok(CoreClient::from_provider_metadata(
            discovered.metadata.clone(),
            ClientId::new(self.settings.client_id.clone()),
            Some(ClientSecret::new(
                self.settings.client_secret.expose().to_owned(),
            )),
        )
        .set_redirect_uri(redirect))
    }

    /// A new authorization request: the URL to send the browser to, with fresh state, nonce and
    /// PKCE challenge (S256).
    pub async fn authorize(&self) -> Result<Authorization, ProviderError> {
        let discovered = self.discovered().await?;
        let client = self.client(&discovered)?;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let mut request = client.authorize_url(
            CoreAuthenticationFlow::AuthorizationCode,
            CsrfToken::new_random,
            Nonce::new_random,
        );
        for scope in self.settings.scopes.iter().filter(|s| *s != "openid") {
            request = request.add_scope(Scope::new(scope.clone()));
        }
        let (url, state, nonce) = request.set_pkce_challenge(challenge).url();
        Ok(Authorization {
            url: url.to_string(),
            state: state.secret().clone(),
            nonce: nonce.secret().clone(),
            pkce_verifier: verifier.secret().clone(),
        })
    }

    /// Exchanges the code (with its PKCE verifier) and checks the ID token against `nonce`.
    pub async fn finish(
        &self,
        code: &str,
        pkce_verifier: &str,
        nonce: &str,
    ) -> Result<VerifiedLogin, ProviderError> {
        let discovered = self.discovered().await?;
        let client = self.client(&discovered)?;
        let response: CoreTokenResponse = client
            .exchange_code(AuthorizationCode::new(code.to_owned()))
            .map_err(|e| ProviderError::BadAnswer(e.to_string()))?
            .set_pkce_verifier(PkceCodeVerifier::new(pkce_verifier.to_owned()))
            .request_async(&self.http)
            .await
            .map_err(|err| match err {
                openidconnect::RequestTokenError::ServerResponse(answer) => {
                    ProviderError::CodeRefused(answer.to_string())
                }
                openidconnect::RequestTokenError::Request(e) => unreachable(e),
                openidconnect::RequestTokenError::Parse(e, _) => {
                    ProviderError::BadAnswer(format!("tokenantwoord: {e}"))
                }
                other => ProviderError::BadAnswer(other.to_string()),
            })?;
        let id_token = response
            .id_token()
            .ok_or_else(|| ProviderError::InvalidToken {
                kind: TokenFault::Missing,
                detail: "het tokenantwoord bevat geen ID-token".into(),
            })?;
        let nonce = Nonce::new(nonce.to_owned());
        let verify = |jwks: CoreJsonWebKeySet| {
            let verifier = self.verifier(&discovered, jwks);
            id_token.claims(&verifier, &nonce).map(|_| ())
        };
        let mut outcome = verify(discovered.jwks.clone());
        if matches!(
            outcome,
            Err(ClaimsVerificationError::SignatureVerification(
                SignatureVerificationError::NoMatchingKey
            ))
        ) && let Some(jwks) = self.refresh_keys().await?
        {
            outcome = verify(jwks);
        }
        outcome.map_err(|err| {
            let kind = fault(&err);
            ProviderError::InvalidToken {
                kind,
                detail: err.to_string(),
            }
        })?;
        let raw = id_token.to_string();
        let claims = payload(&raw).ok_or_else(|| ProviderError::InvalidToken {
            kind: TokenFault::Other,
            detail: "de claims van het ID-token zijn onleesbaar".into(),
        })?;
        Ok(VerifiedLogin {
            claims,
            id_token: raw,
        })
    }

    fn verifier(
        &self,
        discovered: &Discovered,
        jwks: CoreJsonWebKeySet,
    ) -> CoreIdTokenVerifier<'static> {
        use CoreJwsSigningAlgorithm::*;
        let skew = self.settings.clock_skew;
        CoreIdTokenVerifier::new_public_client(
            ClientId::new(self.settings.client_id.clone()),
            discovered.metadata.issuer().clone(),
            jwks,
        )
        // Asymmetric signatures only: never `none`, never a shared secret.
        .set_allowed_algs([
            RsaSsaPkcs1V15Sha256,
            RsaSsaPkcs1V15Sha384,
            RsaSsaPkcs1V15Sha512,
            RsaSsaPssSha256,
            RsaSsaPssSha384,
            RsaSsaPssSha512,
            EcdsaP256Sha256,
            EcdsaP384Sha384,
            EdDsa,
        ])
        // An expiry up to the clock skew in the past is still accepted.
        .set_time_fn(move || Utc::now() - skew)
        .set_issue_time_verifier_fn(move |issued| {
            if issued > Utc::now() + skew {
                Err(format!("uitgegeven in de toekomst: {issued}"))
            } else {
                Ok(())
            }
        })
    }

    /// The provider's logout address for a session opened with `id_token`, if it has one.
    pub async fn end_session_url(&self, id_token: &str) -> Option<String> {
        let discovered = self.discovered().await.ok()?;
        let endpoint = discovered.end_session_endpoint?;
        let mut url = openidconnect::url::Url::parse(&endpoint).ok()?;
        url.query_pairs_mut()
            .append_pair("id_token_hint", id_token)
            .append_pair("client_id", &self.settings.client_id)
            .append_pair(
                "post_logout_redirect_uri",
                &self.settings.post_logout_redirect_url,
            );
        Some(url.to_string())
    }
}

fn fault(err: &ClaimsVerificationError) -> TokenFault {
    match err {
        ClaimsVerificationError::Expired(_) => TokenFault::Expired,
        ClaimsVerificationError::InvalidAudience(_) => TokenFault::Audience,
        ClaimsVerificationError::InvalidIssuer(_) => TokenFault::Issuer,
        ClaimsVerificationError::InvalidNonce(_) => TokenFault::Nonce,
        ClaimsVerificationError::SignatureVerification(
            SignatureVerificationError::NoMatchingKey,
        ) => TokenFault::UnknownKey,
        ClaimsVerificationError::SignatureVerification(_) => TokenFault::Signature,
        ClaimsVerificationError::Other(m) if m.contains("toekomst") => TokenFault::IssuedInFuture,
        _ => TokenFault::Other,
    }
}

/// The claims of a JWT whose signature was verified: its middle part.
fn payload(jwt: &str) -> Option<Map<String, Value>> {
    use base64::Engine;
    let part = jwt.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(part.trim_end_matches('='))
        .ok()?;
    match serde_json::from_slice(&bytes).ok()? {
        Value::Object(map) => Some(map),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_claims_are_read_from_the_middle_of_the_token() {
        use base64::Engine;
        let enc = |v: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v);
        let jwt = format!(
            "{}.{}.sig",
            enc("{\"alg\":\"RS256\"}"),
            enc("{\"vo_id\":\"x\"}")
        );
        assert_eq!(payload(&jwt).unwrap()["vo_id"], "x");
        assert!(payload("geen-jwt").is_none());
        assert!(payload(&format!("a.{}.c", enc("[1]"))).is_none());
    }
}
