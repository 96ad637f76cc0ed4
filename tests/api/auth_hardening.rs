//! Issue 19, items 1, 2, 3, 11 and 12: the redirect after login stays on this site, login
//! throttling cannot lock out the owner, API tokens end with the sessions, one `Set-Cookie` per
//! name, reset mails are throttled.

use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use crate::auth::link_in;
use crate::helpers::{
    ADMIN, Browser, DEMO_PASSWORD, OFFICIAL_A, OFFICIAL_B, TestApp, count, spawn_app,
    spawn_app_with, user_id,
};

const WRONG: &str = "fout-wachtwoord-123";

/// Every `Set-Cookie` header of a response for cookie `name`, whole.
fn set_cookies(response: &reqwest::Response, name: &str) -> Vec<String> {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter(|v| v.starts_with(&format!("{name}=")))
        .map(str::to_owned)
        .collect()
}

/// Signs in (or tries to) as if through a proxy that says the client is `forwarded_for`.
async fn login_via(
    browser: &mut Browser,
    email: &str,
    password: &str,
    forwarded_for: &str,
) -> reqwest::Response {
    browser.get("/aanmelden").await;
    browser
        .client
        .post(format!("{}/aanmelden", browser.base))
        .header("x-forwarded-for", forwarded_for)
        .form(&[
            ("csrf_token", browser.csrf.as_str()),
            ("email", email),
            ("password", password),
        ])
        .send()
        .await
        .expect("request")
}

/// Moves every recorded login attempt `seconds` into the past, as if time went by.
async fn age_login_attempts(app: &TestApp, seconds: i64) {
    let moment = chrono::Utc::now() - chrono::Duration::seconds(seconds);
    entity::login_attempt::Entity::update_many()
        .col_expr(
            entity::login_attempt::Column::AttemptedAt,
            Expr::value(moment),
        )
        .filter(entity::login_attempt::Column::Id.gt(0))
        .exec(&app.db)
        .await
        .unwrap();
}

/// Creates an API token on the account page (asking for the password) and returns it.
async fn create_token(browser: &mut Browser, name: &str) -> String {
    browser.get("/account/api-sleutels").await;
    let response = browser
        .post(
            "/account/api-sleutels",
            &[("name", name), ("password", DEMO_PASSWORD)],
        )
        .await;
    assert_eq!(response.status(), 200);
    let html = response.text().await.unwrap();
    let start = html.find("slapi_").expect("the token is shown");
    html[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect()
}

/// The status `/api/v1/me` answers to `token`.
async fn me_with(app: &TestApp, token: &str) -> u16 {
    app.client
        .get(format!("{}/api/v1/me", app.address))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

/// Asks for a reset mail for `email` and sets `password` through the link that arrives as mail
/// number `mail_number` (counting from 1).
async fn reset_password(app: &TestApp, email: &str, password: &str, mail_number: usize) {
    let mut browser = app.browser();
    browser.get("/wachtwoord-vergeten").await;
    let response = browser
        .post("/wachtwoord-vergeten", &[("email", email)])
        .await;
    assert_eq!(response.status(), 200);
    let mails = app.smtp.wait_for(mail_number).await;
    let path = link_in(&mails[mail_number - 1].body());
    browser.get(&path).await;
    let response = browser
        .post(
            &path,
            &[("password", password), ("password_confirm", password)],
        )
        .await;
    assert_eq!(response.status(), 303);
}

// ------------------------------------------------------------------ 1. redirect after login

#[tokio::test]
async fn a_tab_or_a_newline_in_the_next_path_falls_back_to_the_start_page() {
    let app = spawn_app().await;
    let signed_in = app.signed_in(OFFICIAL_A).await;
    for query in [
        "/%09/evil.example",
        "/%0A/evil.example",
        "/%0D%0ASet-Cookie:%20x=y",
        "%09//evil.example",
        "/%5Cevil.example",
        "//evil.example",
    ] {
        let response = signed_in
            .client
            .get(format!("{}/aanmelden?volgende={query}", app.address))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 303, "{query}");
        assert_eq!(response.headers()["location"], "/", "{query}");
    }
    // A local path is still followed.
    let response = signed_in
        .client
        .get(format!("{}/aanmelden?volgende=/dossiers", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["location"], "/dossiers");

    for next in [
        "/\t/evil.example",
        "/\n/evil.example",
        "/\r\nSet-Cookie: x=y",
        "\\\\evil.example",
        "/\\evil.example",
    ] {
        let mut browser = app.browser();
        browser.get("/aanmelden").await;
        let response = browser
            .post(
                "/aanmelden",
                &[
                    ("email", OFFICIAL_A),
                    ("password", DEMO_PASSWORD),
                    ("volgende", next),
                ],
            )
            .await;
        assert_eq!(response.status(), 303, "{next:?}");
        assert_eq!(response.headers()["location"], "/", "{next:?}");
    }
}

// ------------------------------------------------------------------ 2. login throttling

#[tokio::test]
async fn five_wrong_passwords_from_five_addresses_do_not_lock_the_owner_out_on_a_known_device() {
    let app = spawn_app_with(&[("TRUSTED_PROXIES", "127.0.0.1")]).await;
    // The owner signed in on this browser before, and signed out.
    let mut owner = app.browser();
    assert_eq!(owner.login(OFFICIAL_A, DEMO_PASSWORD).await.status(), 303);
    owner.get("/account").await;
    assert_eq!(owner.post("/afmelden", &[]).await.status(), 303);

    for i in 1..=5 {
        let mut attacker = app.browser();
        let response =
            login_via(&mut attacker, OFFICIAL_A, WRONG, &format!("198.51.100.{i}")).await;
        assert_eq!(response.status(), 422, "attempt {i}");
    }
    // A browser that never signed in has to wait a little...
    let mut stranger = app.browser();
    let response = login_via(&mut stranger, OFFICIAL_A, DEMO_PASSWORD, "198.51.100.9").await;
    assert_eq!(response.status(), 429);
    // ...but the owner's own browser signs in at once.
    let response = owner.login(OFFICIAL_A, DEMO_PASSWORD).await;
    assert_eq!(response.status(), 303);
    assert_eq!(owner.get("/account").await.0, 200);
}

#[tokio::test]
async fn a_password_reset_lifts_the_throttle_of_the_account() {
    let app = spawn_app().await;
    let mut attacker = app.browser();
    for _ in 0..8 {
        attacker.login(OFFICIAL_A, WRONG).await;
    }
    let mut owner = app.browser();
    assert_eq!(owner.login(OFFICIAL_A, DEMO_PASSWORD).await.status(), 429);
    reset_password(&app, OFFICIAL_A, "een nieuw lang wachtwoord", 1).await;
    let response = owner.login(OFFICIAL_A, "een nieuw lang wachtwoord").await;
    assert_eq!(response.status(), 303);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forty_parallel_wrong_logins_check_at_most_five_passwords() {
    let app = spawn_app().await;
    let mut browser = app.browser();
    browser.get("/aanmelden").await;
    let mut requests = tokio::task::JoinSet::new();
    for _ in 0..40 {
        let request = browser
            .client
            .post(format!("{}/aanmelden", app.address))
            .form(&[
                ("csrf_token", browser.csrf.as_str()),
                ("email", OFFICIAL_A),
                ("password", WRONG),
            ]);
        requests.spawn(async move { request.send().await.unwrap().status().as_u16() });
    }
    let mut statuses = Vec::new();
    while let Some(status) = requests.join_next().await {
        statuses.push(status.unwrap());
    }
    let checked = statuses.iter().filter(|s| **s == 422).count();
    let throttled = statuses.iter().filter(|s| **s == 429).count();
    assert_eq!(checked + throttled, 40, "{statuses:?}");
    // An attempt counts the others before its own check, so when all arrive at once even fewer
    // than five may get through; never more.
    assert!(checked <= 5, "{checked} passwords were checked");
    assert_eq!(
        count(
            &app.db,
            "audit_log WHERE action IN ('auth.login_failed', 'auth.login_throttled')"
        )
        .await,
        40
    );
    let failed = count(&app.db, "audit_log WHERE action = 'auth.login_failed'").await;
    assert!(failed <= 5, "{failed} failed checks in the audit log");
}

#[tokio::test]
async fn a_known_device_has_a_limit_of_its_own() {
    let app = spawn_app().await;
    let mut owner = app.browser();
    assert_eq!(owner.login(OFFICIAL_A, DEMO_PASSWORD).await.status(), 303);
    owner.get("/account").await;
    owner.post("/afmelden", &[]).await;
    for _ in 0..5 {
        assert_eq!(owner.login(OFFICIAL_A, WRONG).await.status(), 422);
    }
    assert_eq!(owner.login(OFFICIAL_A, DEMO_PASSWORD).await.status(), 429);
    // The device's failures are not the account's: another browser is not slowed down.
    assert_eq!(
        app.browser()
            .login(OFFICIAL_A, DEMO_PASSWORD)
            .await
            .status(),
        303
    );
}

#[tokio::test]
async fn after_the_wait_the_owner_signs_in_without_a_reset() {
    let app = spawn_app().await;
    let mut browser = app.browser();
    for _ in 0..5 {
        assert_eq!(browser.login(OFFICIAL_A, WRONG).await.status(), 422);
    }
    assert_eq!(browser.login(OFFICIAL_A, DEMO_PASSWORD).await.status(), 429);
    age_login_attempts(&app, 31).await;
    assert_eq!(browser.login(OFFICIAL_A, DEMO_PASSWORD).await.status(), 303);
}

#[tokio::test]
async fn the_forwarded_client_address_is_audited_only_when_the_proxy_is_trusted() {
    let cases: [(&[(&str, &str)], &str); 3] = [
        (&[], "127.0.0.1"),
        (
            &[("TRUSTED_PROXIES", "10.0.0.0/8, 127.0.0.1/32")],
            "203.0.113.7",
        ),
        // The other header is not read, so a client cannot choose its address with it.
        (
            &[
                ("TRUSTED_PROXIES", "127.0.0.1"),
                ("TRUSTED_PROXY_HEADER", "Forwarded"),
            ],
            "127.0.0.1",
        ),
    ];
    for (settings, expected) in cases {
        let app = spawn_app_with(settings).await;
        let mut browser = app.browser();
        // The client claims to be 198.51.100.66; the proxy appended what it saw.
        let response = login_via(
            &mut browser,
            OFFICIAL_A,
            WRONG,
            "198.51.100.66, 203.0.113.7",
        )
        .await;
        assert_eq!(response.status(), 422);
        assert_eq!(
            count(
                &app.db,
                &format!("audit_log WHERE action = 'auth.login_failed' AND ip = '{expected}'")
            )
            .await,
            1,
            "{settings:?}"
        );
        assert_eq!(
            count(&app.db, &format!("login_attempt WHERE ip = '{expected}'")).await,
            1,
            "throttling keys on the same address: {settings:?}"
        );
    }
}

#[tokio::test]
async fn the_forwarded_header_is_read_when_configured() {
    let app = spawn_app_with(&[
        ("TRUSTED_PROXIES", "127.0.0.1"),
        ("TRUSTED_PROXY_HEADER", "Forwarded"),
    ])
    .await;
    let mut browser = app.browser();
    browser.get("/aanmelden").await;
    let response = browser
        .client
        .post(format!("{}/aanmelden", app.address))
        .header(
            "forwarded",
            "for=198.51.100.66, for=\"203.0.113.7:4711\";proto=https",
        )
        .header("x-forwarded-for", "192.0.2.1")
        .form(&[
            ("csrf_token", browser.csrf.as_str()),
            ("email", OFFICIAL_A),
            ("password", WRONG),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 422);
    assert_eq!(
        count(
            &app.db,
            "audit_log WHERE action = 'auth.login_failed' AND ip = '203.0.113.7'"
        )
        .await,
        1
    );
}

// ------------------------------------------------------------------ 3. API tokens

#[tokio::test]
async fn creating_an_api_token_asks_for_the_password_again() {
    let app = spawn_app().await;
    let mut browser = app.signed_in(OFFICIAL_A).await;
    browser.get("/account/api-sleutels").await;
    let response = browser
        .post(
            "/account/api-sleutels",
            &[("name", "Zaaksysteem"), ("password", "")],
        )
        .await;
    assert_eq!(response.status(), 422);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("Vul uw wachtwoord in")
    );

    let response = browser
        .post(
            "/account/api-sleutels",
            &[("name", "Zaaksysteem"), ("password", WRONG)],
        )
        .await;
    assert_eq!(response.status(), 422);
    let html = response.text().await.unwrap();
    assert!(html.contains("Het wachtwoord is niet juist"), "{html}");
    assert!(html.contains("value=\"Zaaksysteem\""), "the name is kept");
    assert!(!html.contains("slapi_"));
    assert_eq!(count(&app.db, "api_token").await, 0);

    let token = create_token(&mut browser, "Zaaksysteem").await;
    assert_eq!(me_with(&app, &token).await, 200);
}

#[tokio::test]
async fn wrong_passwords_on_the_token_form_count_as_failed_logins() {
    let app = spawn_app().await;
    let mut owner = app.browser();
    let response = owner.login(OFFICIAL_A, DEMO_PASSWORD).await;
    let session = set_cookies(&response, "sl_session")[0]
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    // Someone who stole the session cookie, not the owner's browser.
    let thief = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let html = thief
        .get(format!("{}/account/api-sleutels", app.address))
        .header("cookie", &session)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = crate::helpers::csrf_from(&html).expect("a token");
    let mint = |password: &'static str| {
        thief
            .post(format!("{}/account/api-sleutels", app.address))
            .header("cookie", &session)
            .form(&[
                ("csrf_token", csrf.as_str()),
                ("name", "Buit"),
                ("password", password),
            ])
            .send()
    };
    for _ in 0..5 {
        assert_eq!(mint(WRONG).await.unwrap().status(), 422);
    }
    let response = mint(DEMO_PASSWORD).await.unwrap();
    assert_eq!(response.status(), 429, "the sixth try has to wait");
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("Probeer het opnieuw over")
    );
    assert_eq!(count(&app.db, "api_token").await, 0);
    // The account is slowed down for a login from another browser too...
    assert_eq!(
        app.browser()
            .login(OFFICIAL_A, DEMO_PASSWORD)
            .await
            .status(),
        429
    );
    // ...but not in the owner's own browser.
    owner.get("/account").await;
    owner.post("/afmelden", &[]).await;
    assert_eq!(owner.login(OFFICIAL_A, DEMO_PASSWORD).await.status(), 303);
}

async fn assert_revoked_and_mailed(app: &TestApp, token: &str, to: &str, mails: usize) {
    assert_eq!(me_with(app, token).await, 401, "the token no longer works");
    assert_eq!(
        count(
            &app.db,
            "audit_log WHERE action = 'api_token.revoked' AND actor_user_id IS NOT NULL"
        )
        .await,
        1
    );
    let received = app.smtp.wait_for(mails).await;
    let mail = received
        .iter()
        .find(|m| m.subject().is_some_and(|s| s.contains("API-sleutel")))
        .expect("a mail about the tokens");
    assert_eq!(mail.to, vec![to.to_owned()]);
    assert!(mail.body().contains("Zaaksysteem"), "{}", mail.body());
}

#[tokio::test]
async fn logging_out_everywhere_revokes_the_api_tokens_and_mails_the_user() {
    let app = spawn_app().await;
    let mut browser = app.signed_in(OFFICIAL_A).await;
    let token = create_token(&mut browser, "Zaaksysteem").await;
    assert_eq!(me_with(&app, &token).await, 200);
    browser.get("/account").await;
    assert_eq!(browser.post("/afmelden-overal", &[]).await.status(), 303);
    assert_revoked_and_mailed(&app, &token, OFFICIAL_A, 1).await;
}

#[tokio::test]
async fn a_password_reset_revokes_the_api_tokens_and_mails_the_user() {
    let app = spawn_app().await;
    let mut browser = app.signed_in(OFFICIAL_A).await;
    let token = create_token(&mut browser, "Zaaksysteem").await;
    assert_eq!(me_with(&app, &token).await, 200);
    reset_password(&app, OFFICIAL_A, "een nieuw lang wachtwoord", 1).await;
    assert_revoked_and_mailed(&app, &token, OFFICIAL_A, 2).await;
}

#[tokio::test]
async fn deactivating_a_user_revokes_the_api_tokens_for_good_and_mails_the_user() {
    let app = spawn_app().await;
    let mut official = app.signed_in(OFFICIAL_B).await;
    let token = create_token(&mut official, "Zaaksysteem").await;
    assert_eq!(me_with(&app, &token).await, 200);
    let id = user_id(&app.db, OFFICIAL_B).await;
    let mut admin = app.signed_in(ADMIN).await;
    admin.get(&format!("/beheer/gebruikers/{id}")).await;
    let response = admin
        .post(
            &format!("/beheer/gebruikers/{id}/status"),
            &[("active", "false"), ("version", "1")],
        )
        .await;
    assert_eq!(response.status(), 303);
    assert_revoked_and_mailed(&app, &token, OFFICIAL_B, 1).await;
    // Activating the account again does not bring the token back.
    admin.get(&format!("/beheer/gebruikers/{id}")).await;
    let response = admin
        .post(
            &format!("/beheer/gebruikers/{id}/status"),
            &[("active", "true"), ("version", "2")],
        )
        .await;
    assert_eq!(response.status(), 303);
    assert_eq!(me_with(&app, &token).await, 401);
}

#[tokio::test]
async fn an_admin_cannot_deactivate_their_own_account_nor_change_a_stale_one() {
    let app = spawn_app().await;
    let mut admin = app.signed_in(ADMIN).await;
    let own = user_id(&app.db, ADMIN).await;
    admin.get(&format!("/beheer/gebruikers/{own}")).await;
    let response = admin
        .post(
            &format!("/beheer/gebruikers/{own}/status"),
            &[("active", "false"), ("version", "1")],
        )
        .await;
    assert_eq!(response.status(), 422);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("U kunt uw eigen account niet deactiveren.")
    );
    let id = user_id(&app.db, OFFICIAL_B).await;
    admin.get(&format!("/beheer/gebruikers/{id}")).await;
    let response = admin
        .post(
            &format!("/beheer/gebruikers/{id}/status"),
            &[("active", "false"), ("version", "7")],
        )
        .await;
    assert_eq!(response.status(), 409);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("Iemand anders wijzigde dit account intussen.")
    );
}

// ------------------------------------------------------------------ 11. one Set-Cookie per name

#[tokio::test]
async fn a_login_that_still_carries_an_old_session_cookie_sets_only_the_new_one() {
    let app = spawn_app().await;
    // A client without a cookie jar, so the request carries exactly the cookies we say.
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let page = client
        .get(format!("{}/aanmelden", app.address))
        .send()
        .await
        .unwrap();
    let anon = set_cookies(&page, "sl_csrf")
        .first()
        .and_then(|c| c.split(';').next())
        .expect("an anonymous CSRF cookie")
        .to_owned();
    let html = page.text().await.unwrap();
    let csrf = crate::helpers::csrf_from(&html).expect("a token");
    let response = client
        .post(format!("{}/aanmelden", app.address))
        .header("cookie", format!("{anon}; sl_session=een-verlopen-sessie"))
        .form(&[
            ("csrf_token", csrf.as_str()),
            ("email", OFFICIAL_A),
            ("password", DEMO_PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    let sessions = set_cookies(&response, "sl_session");
    assert_eq!(sessions.len(), 1, "{sessions:?}");
    assert!(!sessions[0].starts_with("sl_session=;"), "{sessions:?}");
}

// ------------------------------------------------------------------ 12. reset mails

/// The reset page's answer with the typed address taken out.
async fn reset_answer(browser: &mut Browser, email: &str) -> String {
    let response = browser
        .post("/wachtwoord-vergeten", &[("email", email)])
        .await;
    assert_eq!(response.status(), 200);
    response.text().await.unwrap().replace(email, "ADRES")
}

#[tokio::test]
async fn the_sixth_reset_request_within_the_hour_sends_no_mail_and_the_answer_never_changes() {
    let app = spawn_app().await;
    let mut browser = app.browser();
    browser.get("/wachtwoord-vergeten").await;
    let unknown = reset_answer(&mut browser, "niemand@nergens.be").await;
    for i in 1..=6 {
        let answer = reset_answer(&mut browser, OFFICIAL_A).await;
        assert_eq!(answer, unknown, "request {i} looks like any other");
    }
    assert_eq!(
        count(
            &app.db,
            &format!("email_outbox WHERE to_address = '{OFFICIAL_A}'")
        )
        .await,
        3,
        "three mails an hour at most"
    );
    // Another account is not affected.
    reset_answer(&mut browser, OFFICIAL_B).await;
    assert_eq!(
        count(
            &app.db,
            &format!("email_outbox WHERE to_address = '{OFFICIAL_B}'")
        )
        .await,
        1
    );
}

#[tokio::test]
async fn one_address_gets_twenty_reset_requests_an_hour_and_then_no_more_mail() {
    let app = spawn_app().await;
    let mut browser = app.browser();
    browser.get("/wachtwoord-vergeten").await;
    for i in 0..20 {
        reset_answer(&mut browser, &format!("onbekend{i}@nergens.be")).await;
    }
    reset_answer(&mut browser, OFFICIAL_A).await;
    assert_eq!(count(&app.db, "email_outbox").await, 0);
    assert!(
        count(&app.db, "audit_log WHERE action = 'auth.reset_throttled'").await >= 1,
        "the refusal is in the audit trail"
    );
}
