//! Every way a login through the provider goes: a good login for each role, and each failure
//! with its Dutch page and audit row. The bad tokens are real answers of the provider's token
//! endpoint, changed by the provider itself (`provider.mjs`): re-signed with its own key for the
//! wrong audience, an expiry in the past or another nonce; a claim changed after signing; signed
//! with a key it never published; unsigned; or the ID token of an earlier login.

use reqwest::Url;
use samenleven::store::api_tokens;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Statement};

use crate::helpers::{Browser, TestApp, count, csrf_from, exec, spawn_app_with};
use crate::provider::TestProvider;

const ABB: &str = "OVO990001";
const ANTWERPEN: &str = "OVO990002";
const ELS: &str = "antwerpen@demo.samenleven.test";
const ELS_VO_ID: &str = "a1b2c3d4-0000-4000-8000-000000000001";

struct Setup {
    app: TestApp,
    provider: TestProvider,
    callback: String,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// A provider and the app, registered with each other; Antwerpen and the VGC have their
/// organisation codes (imported as an operator would).
async fn setup() -> Setup {
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let callback = format!("{base}/aanmelden/vlaanderen/terug");
    let provider = TestProvider::start(&callback, &format!("{base}/")).await;
    let app = spawn_app_with(&[
        ("BIND_ADDRESS", format!("127.0.0.1:{port}")),
        ("OIDC_DISCOVERY_URL", provider.discovery_url()),
        ("OIDC_CLIENT_ID", "samenleven".to_owned()),
        (
            "OIDC_CLIENT_SECRET",
            "test-geheim-van-samenleven".to_owned(),
        ),
        ("OIDC_REDIRECT_URL", callback.clone()),
        (
            "OIDC_SCOPES",
            "openid profile vo abb_subsidiepunt".to_owned(),
        ),
        ("OIDC_ABB_ORG_CODES", ABB.to_owned()),
    ])
    .await;
    let csv = format!("nis_code,partner_code,org_code\n11002,,{ANTWERPEN}\n,VGC,OVO990003\n");
    samenleven::org_codes::import_org_codes(&app.db, &csv, &[ABB.to_owned()], "test")
        .await
        .expect("database")
        .expect("the organisation codes import");
    Setup {
        app,
        provider,
        callback,
    }
}

fn location(response: &reqwest::Response) -> String {
    response
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

fn query_value(url: &str, name: &str) -> String {
    Url::parse(url)
        .expect("a URL")
        .query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
        .unwrap_or_else(|| panic!("{name} in {url}"))
}

impl Setup {
    fn browser(&self) -> Browser {
        Browser::new(&self.app.address)
    }

    /// Starts a login in `browser` and returns the provider's redirect (with the state).
    async fn start(&self, browser: &Browser, path: &str) -> String {
        let response = browser
            .client
            .get(format!("{}{path}", self.app.address))
            .send()
            .await
            .expect("start");
        assert_eq!(response.status(), 303, "the login starts with a redirect");
        let to = location(&response);
        assert!(
            to.starts_with(&self.provider.issuer),
            "to the provider: {to}"
        );
        to
    }

    /// Goes through the provider's own login page as test user `login` and returns the
    /// provider's answer: our callback address with code and state (not yet visited).
    async fn answer_for(&self, browser: &Browser, login: &str) -> String {
        self.answer_from(browser, "/aanmelden/vlaanderen", login)
            .await
    }

    /// [`Self::answer_for`], starting at `path` (with a page to return to).
    async fn answer_from(&self, browser: &Browser, path: &str, login: &str) -> String {
        let mut next = self.start(browser, path).await;
        for _ in 0..10 {
            if next.starts_with(&self.callback) {
                return next;
            }
            let url = if next.starts_with('/') {
                format!("{}{next}", self.provider.issuer)
            } else {
                next.clone()
            };
            let response = browser.client.get(&url).send().await.expect("provider");
            match response.status().as_u16() {
                302 | 303 => next = location(&response),
                200 => {
                    let html = response.text().await.expect("the login page");
                    let action = html
                        .split("action=\"")
                        .nth(1)
                        .and_then(|r| r.split('"').next())
                        .expect("the provider's login form");
                    let posted = browser
                        .client
                        .post(format!("{}{action}", self.provider.issuer))
                        .form(&[("login", login)])
                        .send()
                        .await
                        .expect("the provider's login");
                    assert!(posted.status().is_redirection(), "{}", posted.status());
                    next = location(&posted);
                }
                other => panic!("the provider answered {other} at {url}"),
            }
        }
        panic!("the provider never sent the browser back")
    }

    async fn visit(&self, browser: &Browser, url: &str) -> reqwest::Response {
        browser.client.get(url).send().await.expect("callback")
    }

    /// Signs in as `login` through the provider; the callback's answer.
    async fn sign_in(&self, browser: &Browser, login: &str) -> reqwest::Response {
        let answer = self.answer_for(browser, login).await;
        self.visit(browser, &answer).await
    }

    /// The answer is a refusal: `status`, a Dutch page with `text`, an audit row with `code`,
    /// and no session was opened by it.
    async fn assert_refused(
        &self,
        response: reqwest::Response,
        status: u16,
        text: &str,
        code: &str,
    ) {
        assert_eq!(response.status(), status, "refused with {status}");
        let opened = response
            .headers()
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .any(|c| c.starts_with("sl_session=") && !c.starts_with("sl_session=;"));
        assert!(!opened, "a refusal opens no session");
        let html = response.text().await.expect("the page");
        assert!(html.contains("lang=\"nl\""), "a Dutch page");
        assert!(html.contains(text), "the page says {text:?}: {html}");
        assert!(
            html.contains("Opnieuw aanmelden"),
            "the page says what to do"
        );
        let audited = count(
            &self.app.db,
            &format!("audit_log WHERE action = 'auth.oidc_refused' AND details LIKE '{code}%'"),
        )
        .await;
        assert_eq!(audited, 1, "one audit row {code}");
    }

    async fn user(&self, email: &str) -> entity::app_user::Model {
        entity::app_user::Entity::find()
            .filter(entity::app_user::Column::Email.eq(email))
            .one(&self.app.db)
            .await
            .expect("database")
            .unwrap_or_else(|| panic!("an account for {email}"))
    }

    async fn audits(&self, action: &str) -> i64 {
        count(
            &self.app.db,
            &format!("audit_log WHERE action = '{action}'"),
        )
        .await
    }
}

async fn page(browser: &Browser, url: &str) -> (u16, String) {
    let response = browser.client.get(url).send().await.expect("page");
    let status = response.status().as_u16();
    (status, response.text().await.expect("body"))
}

// ------------------------------------------------------------------ good logins

#[tokio::test]
async fn an_official_of_antwerpen_signs_in_and_lands_on_the_municipality_page() {
    let s = setup().await;
    let els = s.browser();
    let response = s.sign_in(&els, "antwerpen").await;
    assert_eq!(response.status(), 303);
    assert_eq!(location(&response), "/gemeente");
    let cookie = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("sl_session="))
        .expect("our own session cookie")
        .to_owned();
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    let (status, html) = page(&els, &format!("{}/gemeente", s.app.address)).await;
    assert_eq!(status, 200);
    assert!(
        html.contains("Antwerpen") && html.contains("Els Verbeke"),
        "{html}"
    );

    // The demo's password account with the same e-mail address was linked, once.
    let user = s.user(ELS).await;
    assert_eq!(user.oidc_subject.as_deref(), Some(ELS_VO_ID));
    assert_eq!(s.audits("auth.oidc_account_linked").await, 1);
    assert_eq!(
        count(
            &s.app.db,
            "audit_log WHERE action = 'auth.login' AND details LIKE '%Vlaamse overheid%'"
        )
        .await,
        1
    );
    assert_eq!(count(&s.app.db, "oidc_session").await, 1);
    assert_eq!(
        count(&s.app.db, "oidc_login").await,
        0,
        "the login under way was used up"
    );

    // A page asked for before signing in is where the next login ends.
    let other = s.browser();
    let to = s
        .start(&other, "/aanmelden/vlaanderen?volgende=/dossiers")
        .await;
    assert!(to.contains("code_challenge_method=S256"), "PKCE: {to}");
    let answer = s.answer_for(&other, "antwerpen").await;
    let response = s.visit(&other, &answer).await;
    assert_eq!(
        location(&response),
        "/gemeente",
        "a fresh start has no page to return to"
    );
    let third = s.browser();
    let answer = s
        .answer_from(
            &third,
            "/aanmelden/vlaanderen?volgende=/dossiers",
            "antwerpen",
        )
        .await;
    assert_eq!(location(&s.visit(&third, &answer).await), "/dossiers");
}

#[tokio::test]
async fn a_reviewer_signs_in_for_the_first_time_and_gets_an_account() {
    let s = setup().await;
    let bram = s.browser();
    let response = s.sign_in(&bram, "beoordelaar").await;
    assert_eq!(location(&response), "/beoordeling");
    let (status, html) = page(&bram, &format!("{}/beoordeling", s.app.address)).await;
    assert_eq!(status, 200);
    assert!(html.contains("Bram Claes"), "{html}");
    let user = s.user("bram.claes@abb.test").await;
    assert_eq!(user.role, entity::app_user::UserRole::Reviewer);
    assert_eq!(
        (user.municipality_id, user.partner_organisation_id),
        (None, None)
    );
    assert_eq!(
        user.password_hash, None,
        "no password for a provider account"
    );
    assert_eq!(s.audits("auth.oidc_account_created").await, 1);
}

#[tokio::test]
async fn an_admin_signs_in_and_reaches_the_admin_pages() {
    let s = setup().await;
    let ans = s.browser();
    let response = s.sign_in(&ans, "beheerder").await;
    assert_eq!(location(&response), "/beoordeling");
    assert_eq!(
        s.user("ans.peeters@abb.test").await.role,
        entity::app_user::UserRole::Admin
    );
    let (status, _) = page(&ans, &format!("{}/beheer/gebruikers", s.app.address)).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn a_later_login_brings_name_and_email_up_to_date() {
    let s = setup().await;
    s.sign_in(&s.browser(), "antwerpen").await;
    let id = s.user(ELS).await.id;
    s.provider
        .set_claims(
            "antwerpen",
            serde_json::json!({"given_name": "Elisabeth", "vo_email": "Els.Verbeke@Antwerpen.test"}),
        )
        .await;
    let response = s.sign_in(&s.browser(), "antwerpen").await;
    assert_eq!(response.status(), 303);
    let user = s.user("els.verbeke@antwerpen.test").await;
    assert_eq!((user.id, user.name.as_str()), (id, "Elisabeth Verbeke"));
    assert_eq!(s.audits("auth.oidc_account_updated").await, 1);
}

#[tokio::test]
async fn a_token_that_expired_within_the_clock_skew_is_accepted() {
    let s = setup().await;
    s.provider.misbehave("expired-within-skew").await;
    let response = s.sign_in(&s.browser(), "antwerpen").await;
    assert_eq!(
        response.status(),
        303,
        "20 s past expiry is within the 60 s skew"
    );
}

#[tokio::test]
async fn after_a_key_rotation_the_new_key_is_fetched_and_the_login_succeeds() {
    let s = setup().await;
    assert_eq!(s.sign_in(&s.browser(), "antwerpen").await.status(), 303);
    let kid = s.provider.rotate_keys().await;
    let response = s.sign_in(&s.browser(), "beoordelaar").await;
    assert_eq!(
        response.status(),
        303,
        "signed with a key the app had not seen"
    );
    // The token of that login was signed with the new key.
    let rows = s
        .app
        .db
        .query_all_raw(Statement::from_string(
            s.app.db.get_database_backend(),
            "SELECT id_token FROM oidc_session".to_owned(),
        ))
        .await
        .unwrap();
    let kids: Vec<String> = rows
        .iter()
        .map(|r| {
            use base64::Engine;
            let token: String = r.try_get("", "id_token").unwrap();
            let header = base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(token.split('.').next().unwrap())
                .unwrap();
            serde_json::from_slice::<serde_json::Value>(&header).unwrap()["kid"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert!(kids.contains(&kid), "{kids:?} has the new key {kid}");
    assert_eq!(kids.len(), 2);
    assert_ne!(kids[0], kids[1]);
}

// ------------------------------------------------------------------ bad tokens

async fn refused_token(mode: &str, text: &str, code: &str) {
    let s = setup().await;
    s.provider.misbehave(mode).await;
    let response = s.sign_in(&s.browser(), "antwerpen").await;
    s.assert_refused(response, 400, text, code).await;
    assert_eq!(s.user(ELS).await.oidc_subject, None, "nothing was linked");
}

#[tokio::test]
async fn a_token_for_another_audience_is_refused() {
    refused_token(
        "wrong-audience",
        "Het bewijs van aanmelding is ongeldig",
        "wrong_audience",
    )
    .await;
}

#[tokio::test]
async fn an_expired_token_is_refused() {
    refused_token("expired", "is verlopen", "expired").await;
}

#[tokio::test]
async fn a_token_with_another_nonce_is_refused() {
    refused_token(
        "wrong-nonce",
        "Het bewijs van aanmelding is ongeldig",
        "wrong_nonce",
    )
    .await;
}

#[tokio::test]
async fn a_token_from_another_issuer_is_refused() {
    refused_token(
        "wrong-issuer",
        "Het bewijs van aanmelding is ongeldig",
        "wrong_issuer",
    )
    .await;
}

#[tokio::test]
async fn a_token_with_a_claim_changed_after_signing_is_refused() {
    let s = setup().await;
    s.provider.misbehave("tampered").await;
    let response = s.sign_in(&s.browser(), "antwerpen").await;
    s.assert_refused(
        response,
        400,
        "Het bewijs van aanmelding is ongeldig",
        "bad_signature",
    )
    .await;
    assert_eq!(
        count(&s.app.db, "app_user WHERE oidc_subject IS NOT NULL").await,
        0,
        "the forged admin role gave nobody anything"
    );
}

#[tokio::test]
async fn a_token_signed_with_an_unknown_key_is_refused() {
    refused_token(
        "unknown-key",
        "Het bewijs van aanmelding is ongeldig",
        "unknown_key",
    )
    .await;
}

#[tokio::test]
async fn an_unsigned_token_is_refused() {
    refused_token(
        "unsigned",
        "Het bewijs van aanmelding is ongeldig",
        "bad_signature",
    )
    .await;
}

#[tokio::test]
async fn the_token_of_an_earlier_login_is_refused() {
    let s = setup().await;
    assert_eq!(s.sign_in(&s.browser(), "antwerpen").await.status(), 303);
    s.provider.misbehave("replay").await;
    let response = s.sign_in(&s.browser(), "antwerpen").await;
    s.assert_refused(
        response,
        400,
        "Het bewijs van aanmelding is ongeldig",
        "wrong_nonce",
    )
    .await;
}

// ------------------------------------------------------------------ bad answers

#[tokio::test]
async fn the_same_answer_twice_is_refused() {
    let s = setup().await;
    let els = s.browser();
    let answer = s.answer_for(&els, "antwerpen").await;
    assert_eq!(s.visit(&els, &answer).await.status(), 303);
    let response = s.visit(&els, &answer).await;
    s.assert_refused(response, 400, "verlopen of al gebruikt", "unknown_state")
        .await;
}

#[tokio::test]
async fn a_used_code_is_refused_by_the_provider() {
    let s = setup().await;
    let els = s.browser();
    let answer = s.answer_for(&els, "antwerpen").await;
    assert_eq!(s.visit(&els, &answer).await.status(), 303);
    // Someone who got hold of the used code starts a login of their own and offers it.
    let other = s.browser();
    let state = query_value(&s.start(&other, "/aanmelden/vlaanderen").await, "state");
    let mut replay = Url::parse(&s.callback).unwrap();
    replay
        .query_pairs_mut()
        .append_pair("code", &query_value(&answer, "code"))
        .append_pair("state", &state);
    let response = s.visit(&other, replay.as_str()).await;
    s.assert_refused(
        response,
        400,
        "aanvaardde de aanmelding niet",
        "code_refused",
    )
    .await;
}

#[tokio::test]
async fn an_answer_for_a_login_started_in_another_browser_is_refused() {
    let s = setup().await;
    let els = s.browser();
    let answer = s.answer_for(&els, "antwerpen").await;
    let stranger = s.browser();
    let response = s.visit(&stranger, &answer).await;
    s.assert_refused(response, 400, "verlopen of al gebruikt", "other_browser")
        .await;
    assert_eq!(
        s.visit(&els, &answer).await.status(),
        303,
        "the browser that started the login still finishes it"
    );
}

#[tokio::test]
async fn an_answer_with_a_changed_state_is_refused() {
    let s = setup().await;
    let els = s.browser();
    let answer = s.answer_for(&els, "antwerpen").await;
    let state = query_value(&answer, "state");
    let changed = answer.replace(&format!("state={state}"), "state=ander");
    assert_ne!(changed, answer);
    let response = s.visit(&els, &changed).await;
    s.assert_refused(response, 400, "verlopen of al gebruikt", "unknown_state")
        .await;
}

// ------------------------------------------------------------------ who is who

#[tokio::test]
async fn an_unknown_organisation_code_is_refused() {
    let s = setup().await;
    let response = s.sign_in(&s.browser(), "onbekend").await;
    s.assert_refused(
        response,
        403,
        "Uw organisatie is niet gekend",
        "unknown_organisation",
    )
    .await;
    assert_eq!(
        count(&s.app.db, "app_user WHERE email = 'olaf@elders.test'").await,
        0
    );
}

#[tokio::test]
async fn someone_without_a_samenleven_role_is_refused() {
    let s = setup().await;
    let response = s.sign_in(&s.browser(), "zonderrol").await;
    s.assert_refused(response, 403, "U hebt geen rol in Samenleven", "no_role")
        .await;
    assert_eq!(
        count(
            &s.app.db,
            "app_user WHERE email = 'zoe.zonder@antwerpen.test'"
        )
        .await,
        0
    );
}

#[tokio::test]
async fn someone_who_lost_their_role_is_refused_and_loses_sessions_and_api_tokens() {
    let s = setup().await;
    let els = s.browser();
    assert_eq!(s.sign_in(&els, "antwerpen").await.status(), 303);
    let user = s.user(ELS).await;
    let (_, token) = api_tokens::create(&s.app.db, user.id, "zaaksysteem", chrono::Utc::now())
        .await
        .unwrap();
    let api = |token: String| {
        let url = format!("{}/api/v1/me", s.app.address);
        async move {
            reqwest::Client::new()
                .get(url)
                .bearer_auth(token)
                .send()
                .await
                .unwrap()
                .status()
        }
    };
    assert_eq!(api(token.clone()).await, 200);

    s.provider
        .set_claims(
            "antwerpen",
            serde_json::json!({"abb_subsidiepunt_rol_2d": [format!("AnderPortaalGebruiker:{ANTWERPEN}")]}),
        )
        .await;
    let response = s.sign_in(&s.browser(), "antwerpen").await;
    assert_eq!(
        count(&s.app.db, "session").await,
        0,
        "every session of the account ended"
    );
    s.assert_refused(response, 403, "U hebt geen rol in Samenleven", "no_role")
        .await;
    assert_eq!(s.audits("auth.oidc_access_withdrawn").await, 1);
    let (status, _) = page(&els, &format!("{}/gemeente", s.app.address)).await;
    assert_eq!(status, 303, "the open session no longer works");
    assert_eq!(api(token).await, 401, "the API token was revoked");
}

#[tokio::test]
async fn a_second_provider_account_with_the_same_email_is_refused() {
    let s = setup().await;
    assert_eq!(s.sign_in(&s.browser(), "antwerpen").await.status(), 303);
    let response = s.sign_in(&s.browser(), "tweede").await;
    s.assert_refused(
        response,
        403,
        "hoort al bij een ander account",
        "linked_to_another_account",
    )
    .await;
    assert_eq!(
        s.user(ELS).await.oidc_subject.as_deref(),
        Some(ELS_VO_ID),
        "unchanged"
    );
}

#[tokio::test]
async fn a_deactivated_account_cannot_sign_in_through_the_provider() {
    let s = setup().await;
    exec(
        &s.app,
        &format!("UPDATE app_user SET active = false WHERE email = '{ELS}'"),
    )
    .await;
    let response = s.sign_in(&s.browser(), "antwerpen").await;
    s.assert_refused(response, 403, "gedeactiveerd", "deactivated")
        .await;
}

// ------------------------------------------------------------------ logging out

#[tokio::test]
async fn logging_out_ends_our_session_and_leads_to_the_providers_logout() {
    let s = setup().await;
    let mut els = s.browser();
    assert_eq!(s.sign_in(&els, "antwerpen").await.status(), 303);
    els.get("/gemeente").await;
    let response = els.post("/afmelden", &[]).await;
    assert_eq!(response.status(), 200);
    let html = response.text().await.unwrap();
    assert!(html.contains("U bent afgemeld bij Samenleven"), "{html}");
    let link = html
        .split("class=\"button\" href=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .expect("the provider's logout link")
        .replace("&amp;", "&")
        .replace("&#38;", "&");
    assert!(
        link.starts_with(&format!("{}/session/end?", s.provider.issuer)),
        "{link}"
    );
    assert!(link.contains("id_token_hint="), "{link}");
    assert_eq!(count(&s.app.db, "session").await, 0);
    assert_eq!(
        count(&s.app.db, "oidc_session").await,
        0,
        "removed with the session"
    );
    let (status, html) = page(&els, &link).await;
    assert_eq!(
        status, 200,
        "the provider accepts the logout request: {html}"
    );
    assert!(csrf_from(&html).is_none(), "the provider's own page");

    // "Afmelden overal" works as for a password login.
    let (mut first, second) = (s.browser(), s.browser());
    s.sign_in(&first, "antwerpen").await;
    s.sign_in(&second, "antwerpen").await;
    assert_eq!(count(&s.app.db, "session").await, 2);
    first.get("/account").await;
    let response = first.post("/afmelden-overal", &[]).await;
    assert_eq!(response.status(), 303);
    assert_eq!(count(&s.app.db, "session").await, 0);
}
