//! Issue 4: login, sessions, CSRF, throttling, password reset, invitations, account admin,
//! the audit log.

use sea_orm::{ConnectionTrait, Statement};

use crate::helpers::{ADMIN, DEMO_PASSWORD, OFFICIAL_A, OFFICIAL_B, REVIEWER, count, spawn_app};

fn session_cookie(response: &reqwest::Response) -> Option<String> {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("sl_session=") && !v.starts_with("sl_session=;"))
        .map(|v| v.split(';').next().unwrap_or_default().to_owned())
}

#[tokio::test]
async fn every_demo_account_logs_in_and_sees_its_name() {
    let app = spawn_app().await;
    for email in [
        OFFICIAL_A,
        OFFICIAL_B,
        REVIEWER,
        ADMIN,
        "vgc@demo.samenleven.test",
    ] {
        let mut browser = app.browser();
        let response = browser.login(email, DEMO_PASSWORD).await;
        assert_eq!(response.status(), 303, "{email}");
        let cookie = session_cookie(&response).expect("a session cookie");
        let set_cookie = response.headers()["set-cookie"]
            .to_str()
            .unwrap()
            .to_owned();
        assert!(
            set_cookie.contains("HttpOnly") && set_cookie.contains("SameSite=Lax"),
            "{set_cookie}"
        );
        assert!(!cookie.is_empty());
        let (status, html) = browser.get("/account").await;
        assert_eq!(status, 200);
        assert!(html.contains(email), "{email} on own account page");
    }
}

#[tokio::test]
async fn after_login_the_user_goes_back_to_the_page_they_asked_for_but_never_offsite() {
    let app = spawn_app().await;
    let mut browser = app.browser();
    let response = browser
        .client
        .get(format!("{}/account", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    assert_eq!(
        response.headers()["location"],
        "/aanmelden?volgende=/account"
    );
    browser.get("/aanmelden?volgende=/account").await;
    let response = browser
        .post(
            "/aanmelden",
            &[
                ("email", OFFICIAL_A),
                ("password", DEMO_PASSWORD),
                ("volgende", "/account"),
            ],
        )
        .await;
    assert_eq!(response.headers()["location"], "/account");

    let mut other = app.browser();
    other.get("/aanmelden").await;
    let response = other
        .post(
            "/aanmelden",
            &[
                ("email", OFFICIAL_A),
                ("password", DEMO_PASSWORD),
                ("volgende", "//evil.example/x"),
            ],
        )
        .await;
    assert_eq!(response.headers()["location"], "/");
}

#[tokio::test]
async fn a_wrong_password_is_refused_in_dutch_and_the_e_mail_is_kept() {
    let app = spawn_app().await;
    let mut browser = app.browser();
    let response = browser.login(OFFICIAL_A, "niet-het-wachtwoord").await;
    assert_eq!(response.status(), 422);
    assert!(session_cookie(&response).is_none());
    let html = response.text().await.unwrap();
    assert!(html.contains("Er is een probleem"));
    assert!(html.contains("Het e-mailadres of het wachtwoord is niet juist."));
    assert!(html.contains(&format!("value=\"{OFFICIAL_A}\"")));
    assert_eq!(
        count(&app.db, "audit_log WHERE action = 'auth.login_failed'").await,
        1
    );
}

#[tokio::test]
async fn after_a_wrong_password_the_same_form_can_be_sent_again_with_the_right_one() {
    let app = spawn_app().await;
    let mut browser = app.browser();
    let response = browser.login(OFFICIAL_A, "niet-het-wachtwoord").await;
    assert_eq!(response.status(), 422);
    let html = response.text().await.unwrap();
    let token = crate::helpers::csrf_from(&html).expect("the form carries a token");
    assert_eq!(token, browser.csrf, "the same token as the form it answers");
    let response = browser
        .post_raw(
            "/aanmelden",
            &[
                ("csrf_token", token.as_str()),
                ("email", OFFICIAL_A),
                ("password", DEMO_PASSWORD),
            ],
        )
        .await;
    assert_eq!(response.status(), 303, "the second try signs in");
}

#[tokio::test]
async fn empty_fields_get_a_message_each() {
    let app = spawn_app().await;
    let mut browser = app.browser();
    browser.get("/aanmelden").await;
    let response = browser
        .post("/aanmelden", &[("email", ""), ("password", "")])
        .await;
    assert_eq!(response.status(), 422);
    let html = response.text().await.unwrap();
    assert!(html.contains("Vul uw e-mailadres in."));
    assert!(html.contains("Vul uw wachtwoord in."));
    assert!(
        html.contains("href=\"#email\""),
        "the summary links to the field"
    );
}

#[tokio::test]
async fn five_failures_slow_the_account_down_even_with_the_right_password() {
    let app = spawn_app().await;
    let mut browser = app.browser();
    for _ in 0..5 {
        assert_eq!(
            browser
                .login(OFFICIAL_A, "fout-wachtwoord-123")
                .await
                .status(),
            422
        );
    }
    let response = browser.login(OFFICIAL_A, DEMO_PASSWORD).await;
    assert_eq!(response.status(), 429);
    assert!(session_cookie(&response).is_none());
    let retry_after: i64 = response.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=30).contains(&retry_after), "{retry_after}");
    let html = response.text().await.unwrap();
    assert!(html.contains("Te veel mislukte aanmeldpogingen"), "{html}");
    assert!(
        html.contains("Probeer het opnieuw over"),
        "says how long: {html}"
    );
    // Another account from the same address is not blocked by these five.
    assert_eq!(browser.login(OFFICIAL_B, DEMO_PASSWORD).await.status(), 303);
}

#[tokio::test]
async fn a_form_without_the_csrf_token_is_refused() {
    let app = spawn_app().await;
    let mut browser = app.browser();
    browser.get("/aanmelden").await;
    let response = browser
        .post_raw(
            "/aanmelden",
            &[("email", OFFICIAL_A), ("password", DEMO_PASSWORD)],
        )
        .await;
    assert_eq!(response.status(), 403);
    assert!(session_cookie(&response).is_none());

    let mut signed_in = app.signed_in(OFFICIAL_A).await;
    let response = signed_in
        .post_raw("/afmelden", &[("csrf_token", "vervalst")])
        .await;
    assert_eq!(response.status(), 403);
    assert_eq!(signed_in.get("/account").await.0, 200, "still signed in");
}

#[tokio::test]
async fn a_form_posted_from_another_site_is_refused() {
    let app = spawn_app().await;
    let mut browser = app.signed_in(OFFICIAL_A).await;
    let response = browser
        .client
        .post(format!("{}/afmelden", app.address))
        .header("origin", "https://evil.example")
        .form(&[("csrf_token", browser.csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403);
    assert_eq!(browser.get("/account").await.0, 200);
}

#[tokio::test]
async fn login_always_starts_a_new_session_so_a_planted_one_is_useless() {
    let app = spawn_app().await;
    let mut browser = app.browser();
    let first = session_cookie(&browser.login(OFFICIAL_A, DEMO_PASSWORD).await).unwrap();
    // Signing in again from a browser that already holds a session (a planted one, say).
    browser.get("/account").await;
    let response = browser
        .post(
            "/aanmelden",
            &[("email", OFFICIAL_A), ("password", DEMO_PASSWORD)],
        )
        .await;
    let second = session_cookie(&response).unwrap();
    assert_ne!(first, second);
    // The first session is gone: a client holding the old cookie is not signed in.
    let stale = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let response = stale
        .get(format!("{}/account", app.address))
        .header("cookie", first)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    assert_eq!(count(&app.db, "session").await, 1);
}

#[tokio::test]
async fn logout_ends_the_session_and_logout_everywhere_ends_them_all() {
    let app = spawn_app().await;
    let mut laptop = app.signed_in(OFFICIAL_A).await;
    let mut phone = app.signed_in(OFFICIAL_A).await;
    let response = laptop.post("/afmelden", &[]).await;
    assert_eq!(response.status(), 303);
    assert_eq!(laptop.get("/account").await.0, 303);
    assert_eq!(phone.get("/account").await.0, 200);

    let mut tablet = app.signed_in(OFFICIAL_A).await;
    let response = tablet.post("/afmelden-overal", &[]).await;
    assert_eq!(response.status(), 303);
    assert_eq!(phone.get("/account").await.0, 303);
    assert_eq!(tablet.get("/account").await.0, 303);
}

pub(crate) fn link_in(body: &str) -> String {
    let start = body
        .find("/wachtwoord-instellen/")
        .expect("a link in the mail");
    let token: String = body[start + "/wachtwoord-instellen/".len()..]
        .chars()
        .take_while(|c| c.is_ascii_hexdigit())
        .collect();
    format!("/wachtwoord-instellen/{token}")
}

#[tokio::test]
async fn a_password_reset_link_arrives_by_mail_works_once_and_ends_old_sessions() {
    let app = spawn_app().await;
    let mut old_session = app.signed_in(OFFICIAL_A).await;
    let mut browser = app.browser();
    browser.get("/wachtwoord-vergeten").await;
    let response = browser
        .post("/wachtwoord-vergeten", &[("email", OFFICIAL_A)])
        .await;
    assert_eq!(response.status(), 200);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("ontvangt u binnen enkele minuten")
    );

    let mails = app.smtp.wait_for(1).await;
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0].to, vec![OFFICIAL_A.to_owned()]);
    let path = link_in(&mails[0].body());
    assert_eq!(
        count(
            &app.db,
            "auth_token WHERE purpose = 'reset' AND used_at IS NULL"
        )
        .await,
        1
    );
    // Only the hash is stored.
    let token = path.rsplit('/').next().unwrap().to_owned();
    assert_eq!(
        count(&app.db, &format!("auth_token WHERE token_hash = '{token}'")).await,
        0
    );

    let (status, _) = browser.get(&path).await;
    assert_eq!(status, 200);
    let response = browser
        .post(
            &path,
            &[
                ("password", "een nieuw lang wachtwoord"),
                ("password_confirm", "een nieuw lang wachtwoord"),
            ],
        )
        .await;
    assert_eq!(response.status(), 303);
    assert_eq!(
        old_session.get("/account").await.0,
        303,
        "old sessions ended"
    );

    assert_eq!(browser.login(OFFICIAL_A, DEMO_PASSWORD).await.status(), 422);
    assert_eq!(
        browser
            .login(OFFICIAL_A, "een nieuw lang wachtwoord")
            .await
            .status(),
        303
    );

    let mut again = app.browser();
    assert_eq!(again.get(&path).await.0, 410, "single use");
}

#[tokio::test]
async fn an_expired_reset_link_no_longer_works() {
    let app = spawn_app().await;
    let mut browser = app.browser();
    browser.get("/wachtwoord-vergeten").await;
    browser
        .post("/wachtwoord-vergeten", &[("email", OFFICIAL_B)])
        .await;
    let mails = app.smtp.wait_for(1).await;
    let path = link_in(&mails[0].body());
    app.db
        .execute_raw(Statement::from_string(
            app.db.get_database_backend(),
            "UPDATE auth_token SET expires_at = created_at",
        ))
        .await
        .unwrap();
    assert_eq!(browser.get(&path).await.0, 410);
    let response = browser
        .post(
            &path,
            &[
                ("password", "een nieuw lang wachtwoord"),
                ("password_confirm", "een nieuw lang wachtwoord"),
            ],
        )
        .await;
    assert_eq!(response.status(), 410);
    assert_eq!(
        count(
            &app.db,
            "audit_log WHERE action = 'auth.password_link_refused' AND ip IS NOT NULL"
        )
        .await,
        1,
        "the refused attempt is in the audit trail, with the address it came from"
    );
}

#[tokio::test]
async fn an_unknown_address_gets_the_same_answer_and_no_mail() {
    let app = spawn_app().await;
    let mut browser = app.browser();
    browser.get("/wachtwoord-vergeten").await;
    let response = browser
        .post("/wachtwoord-vergeten", &[("email", "niemand@nergens.be")])
        .await;
    assert_eq!(response.status(), 200);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("Als er een account bestaat")
    );
    assert_eq!(count(&app.db, "email_outbox").await, 0);
}

#[tokio::test]
async fn an_admin_invites_a_new_official_who_sets_a_password_and_logs_in() {
    let app = spawn_app().await;
    let mut admin = app.signed_in(ADMIN).await;
    admin.get("/beheer/gebruikers/nieuw").await;
    let response = admin
        .post(
            "/beheer/gebruikers",
            &[
                ("name", "Lies Peeters"),
                ("email", "Lies.Peeters@Gent.be"),
                ("role", "official"),
                ("municipality", "44021"),
                ("partner", ""),
            ],
        )
        .await;
    assert_eq!(response.status(), 303);
    let mails = app.smtp.wait_for(1).await;
    assert_eq!(mails[0].to, vec!["lies.peeters@gent.be".to_owned()]);
    assert!(mails[0].body().contains("Gent"));
    let path = link_in(&mails[0].body());
    let mut newcomer = app.browser();
    let (status, html) = newcomer.get(&path).await;
    assert_eq!(status, 200);
    assert!(html.contains("Welkom bij Samenleven"));
    newcomer
        .post(
            &path,
            &[
                ("password", "mijn eigen wachtwoord"),
                ("password_confirm", "mijn eigen wachtwoord"),
            ],
        )
        .await;
    assert_eq!(
        newcomer
            .login("lies.peeters@gent.be", "mijn eigen wachtwoord")
            .await
            .status(),
        303
    );
    assert_eq!(
        count(&app.db, "audit_log WHERE action = 'user.created'").await,
        1
    );
}

#[tokio::test]
async fn a_bad_new_account_comes_back_with_the_typed_values_and_a_message_per_field() {
    let app = spawn_app().await;
    let mut admin = app.signed_in(ADMIN).await;
    admin.get("/beheer/gebruikers/nieuw").await;
    let response = admin
        .post(
            "/beheer/gebruikers",
            &[
                ("name", "Jan <script>alert(1)</script>"),
                ("email", "geen-adres"),
                ("role", "official"),
                ("municipality", ""),
                ("partner", ""),
            ],
        )
        .await;
    assert_eq!(response.status(), 422);
    let html = response.text().await.unwrap();
    assert!(html.contains("Vul een geldig e-mailadres in"));
    assert!(html.contains("value=\"geen-adres\""));
    assert!(
        html.contains("Jan &#60;script&#62;alert(1)&#60;/script&#62;")
            || html.contains("Jan &lt;script&gt;alert(1)&lt;/script&gt;"),
        "escaped: {html}"
    );
    assert!(!html.contains("<script>alert(1)</script>"));
}

#[tokio::test]
async fn deactivating_an_account_ends_its_sessions_and_blocks_login() {
    let app = spawn_app().await;
    let mut official = app.signed_in(OFFICIAL_B).await;
    let mut admin = app.signed_in(ADMIN).await;
    let id = crate::helpers::user_id(&app.db, OFFICIAL_B).await;
    admin.get(&format!("/beheer/gebruikers/{id}")).await;
    let response = admin
        .post(
            &format!("/beheer/gebruikers/{id}/status"),
            &[("active", "false"), ("version", "1")],
        )
        .await;
    assert_eq!(response.status(), 303);
    assert_eq!(official.get("/account").await.0, 303);
    assert_eq!(
        app.browser()
            .login(OFFICIAL_B, DEMO_PASSWORD)
            .await
            .status(),
        422
    );
}

#[tokio::test]
async fn two_admins_changing_one_account_get_a_conflict_instead_of_overwriting() {
    let app = spawn_app().await;
    let id = crate::helpers::user_id(&app.db, OFFICIAL_B).await;
    let mut first = app.signed_in(ADMIN).await;
    let mut second = app.signed_in(ADMIN).await;
    first.get(&format!("/beheer/gebruikers/{id}")).await;
    second.get(&format!("/beheer/gebruikers/{id}")).await;
    let response = first
        .post(
            &format!("/beheer/gebruikers/{id}/koppeling"),
            &[("municipality", "12041"), ("partner", ""), ("version", "1")],
        )
        .await;
    assert_eq!(response.status(), 303);
    let response = second
        .post(
            &format!("/beheer/gebruikers/{id}/koppeling"),
            &[("municipality", "12007"), ("partner", ""), ("version", "1")],
        )
        .await;
    assert_eq!(response.status(), 409);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("Iemand anders wijzigde dit account")
    );
    assert_eq!(
        count(
            &app.db,
            "app_user u JOIN municipality m ON m.id = u.municipality_id WHERE m.nis_code = 12041"
        )
        .await,
        2,
        "the first change stands (Puurs-Sint-Amands now has two officials)"
    );
}

#[tokio::test]
async fn the_audit_log_cannot_be_changed_or_deleted() {
    let app = spawn_app().await;
    app.signed_in(OFFICIAL_A).await;
    let before = count(&app.db, "audit_log").await;
    assert!(before > 0);
    let backend = app.db.get_database_backend();
    for sql in [
        "UPDATE audit_log SET action = 'vervalst'",
        "DELETE FROM audit_log",
    ] {
        let result = app
            .db
            .execute_raw(Statement::from_string(backend, sql))
            .await;
        assert!(result.is_err(), "{sql} must be refused");
    }
    assert_eq!(count(&app.db, "audit_log").await, before);
    assert_eq!(
        count(&app.db, "audit_log WHERE action = 'vervalst'").await,
        0
    );
}

#[test]
fn no_code_path_updates_or_deletes_audit_entries() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut offenders = Vec::new();
    let mut stack = vec![root];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                for needle in [
                    "audit_log::Entity::update",
                    "audit_log::Entity::delete",
                    "UPDATE audit_log",
                    "DELETE FROM audit_log",
                ] {
                    if text.contains(needle) {
                        offenders.push(format!("{}: {needle}", path.display()));
                    }
                }
            }
        }
    }
    assert!(offenders.is_empty(), "{offenders:?}");
}

#[tokio::test]
async fn a_password_never_reaches_the_logs() {
    use tokio::io::{AsyncBufReadExt, AsyncReadExt, BufReader};
    // The real binary, logging everything it can (trace level), on the test's database.
    let app = spawn_app().await;
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_samenleven"))
        .arg("serve")
        .env("DATABASE_URL", &app.database_url)
        .env("DATA_DIR", app.data_dir.path())
        .env("BIND_ADDRESS", "127.0.0.1:0")
        .env("SMTP_HOST", "127.0.0.1")
        .env("SMTP_PORT", app.smtp.port.to_string())
        .env("SMTP_SECURITY", "none")
        .env("RUST_LOG", "trace")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("start the binary");
    let mut stdout = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut stderr = child.stderr.take().unwrap();
    let stderr_task = tokio::spawn(async move {
        let mut text = String::new();
        let _ = stderr.read_to_string(&mut text).await;
        text
    });
    let mut printed = String::new();
    let address = loop {
        let line = tokio::time::timeout(std::time::Duration::from_secs(60), stdout.next_line())
            .await
            .expect("the binary starts")
            .unwrap()
            .expect("a line");
        printed.push_str(&line);
        printed.push('\n');
        if let Some(rest) = line.trim().strip_prefix("Samenleven draait op ") {
            break rest.trim_end_matches('/').to_owned();
        }
    };

    let secret = "Geheim-Wachtwoord-4711";
    let mut browser = crate::helpers::Browser::new(&address);
    assert_eq!(browser.login(OFFICIAL_A, secret).await.status(), 422);
    assert_eq!(browser.login(OFFICIAL_B, DEMO_PASSWORD).await.status(), 303);
    browser.get("/account").await;
    browser.post("/afmelden", &[]).await;

    child.start_kill().unwrap();
    let _ = child.wait().await;
    while let Ok(Some(line)) = stdout.next_line().await {
        printed.push_str(&line);
    }
    let logs = format!("{printed}{}", stderr_task.await.unwrap());
    assert!(
        logs.contains("/aanmelden"),
        "the logs cover the login requests"
    );
    assert!(!logs.contains(secret), "a typed password was logged");
    assert!(!logs.contains(&format!("password={DEMO_PASSWORD}")));
    assert!(
        !logs.contains("session_secret")
            || !logs.contains(
                &std::fs::read_to_string(app.data_dir.path().join("session_secret")).unwrap()
            )
    );
    let audit = count(&app.db, &format!("audit_log WHERE details LIKE '%{secret}%' OR after LIKE '%{secret}%' OR before LIKE '%{secret}%'")).await;
    assert_eq!(audit, 0);
}

#[tokio::test]
async fn an_official_cannot_read_or_detect_a_dossier_of_another_municipality() {
    let app = spawn_app().await;
    let dossier = app.dossier_led_by(11002).await;
    let mut own = app.signed_in(OFFICIAL_A).await;
    let mut other = app.signed_in(OFFICIAL_B).await;
    let (status, html) = own.get(&format!("/dossiers/{dossier}")).await;
    assert_eq!(status, 200);
    assert!(html.contains("Testdossier Antwerpen"));
    let (status, html) = other.get(&format!("/dossiers/{dossier}")).await;
    assert_eq!(status, 404);
    assert!(!html.contains("Testdossier"));
    // A dossier that does not exist looks exactly the same.
    let (missing_status, missing_html) = other.get("/dossiers/999999").await;
    assert_eq!(missing_status, 404);
    assert_eq!(
        html, missing_html,
        "a hidden dossier looks like a missing one"
    );
    assert_eq!(
        count(&app.db, "audit_log WHERE action = 'access.denied'").await,
        1
    );
}

async fn age_sessions(app: &crate::helpers::TestApp, column: &str, minutes: i64) {
    use sea_orm::sea_query::Expr;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let moment = chrono::Utc::now() - chrono::Duration::minutes(minutes);
    let column = match column {
        "last_seen_at" => entity::session::Column::LastSeenAt,
        _ => entity::session::Column::ExpiresAt,
    };
    entity::session::Entity::update_many()
        .col_expr(column, Expr::value(moment))
        .filter(entity::session::Column::Id.ne(""))
        .exec(&app.db)
        .await
        .unwrap();
}

#[tokio::test]
async fn a_session_ends_after_an_hour_without_requests() {
    let app = spawn_app().await;
    let mut browser = app.signed_in(OFFICIAL_A).await;
    age_sessions(&app, "last_seen_at", 59).await;
    assert_eq!(
        browser.get("/account").await.0,
        200,
        "59 minutes idle is fine"
    );
    age_sessions(&app, "last_seen_at", 61).await;
    assert_eq!(
        browser.get("/account").await.0,
        303,
        "61 minutes idle ends it"
    );
    assert_eq!(
        count(&app.db, "session").await,
        0,
        "the expired session is removed"
    );
}

#[tokio::test]
async fn a_session_ends_at_its_absolute_expiry_even_when_active() {
    let app = spawn_app().await;
    let mut browser = app.signed_in(OFFICIAL_A).await;
    age_sessions(&app, "expires_at", 1).await;
    assert_eq!(browser.get("/account").await.0, 303);
}

#[tokio::test]
async fn twenty_failures_from_one_address_block_that_address_for_every_account() {
    let app = spawn_app().await;
    let mut browser = app.browser();
    for i in 0..20 {
        let email = format!("onbekend{i}@nergens.be");
        assert_eq!(
            browser.login(&email, "fout-wachtwoord-123").await.status(),
            422
        );
    }
    let response = browser.login(OFFICIAL_B, DEMO_PASSWORD).await;
    assert_eq!(response.status(), 429);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("Te veel mislukte aanmeldpogingen")
    );
}

#[tokio::test]
async fn an_admin_filters_the_audit_log_and_officials_cannot_see_it() {
    let app = spawn_app().await;
    app.browser().login(OFFICIAL_A, "fout-wachtwoord-123").await;
    app.signed_in(OFFICIAL_B).await;
    let mut admin = app.signed_in(ADMIN).await;
    let (status, html) = admin.get("/beheer/audit?actie=auth.login_failed").await;
    assert_eq!(status, 200);
    assert!(html.contains("auth.login_failed"));
    assert!(
        !html.contains("<td>auth.login</td>"),
        "only the filtered action"
    );
    let (status, html) = admin.get("/beheer/audit?van=gisteren").await;
    assert_eq!(status, 200);
    assert!(html.contains("Vul een datum in als jjjj-mm-dd"));
    let (status, html) = admin.get("/beheer/gebruikers?q=verbeke").await;
    assert_eq!(status, 200);
    assert!(
        html.contains(OFFICIAL_A),
        "the account search finds Els Verbeke"
    );
    assert!(!html.contains(OFFICIAL_B));
    let mut official = app.signed_in(OFFICIAL_A).await;
    assert_eq!(official.get("/beheer/audit").await.0, 403);
}

#[tokio::test]
async fn an_oversized_request_is_refused_without_an_error_page_of_ours_crashing() {
    let app = spawn_app().await;
    let mut browser = app.browser();
    browser.get("/aanmelden").await;
    let huge = "x".repeat(11 * 1024 * 1024);
    let response = browser
        .post("/aanmelden", &[("email", huge.as_str()), ("password", "x")])
        .await;
    assert_eq!(response.status(), 413);
    assert_eq!(app.get("/healthz").await.status(), 200);
}

#[tokio::test]
async fn the_create_user_command_makes_an_account_that_can_log_in() {
    let app = spawn_app().await;
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_samenleven"))
        .args([
            "create-user",
            "--email",
            "Nieuw@Gent.be",
            "--name",
            "An Nieuw",
            "--role",
            "official",
            "--municipality",
            "44021",
            "--password-env",
            "NIEUW_WACHTWOORD",
        ])
        .env("DATABASE_URL", &app.database_url)
        .env("DATA_DIR", app.data_dir.path())
        .env("NIEUW_WACHTWOORD", "een lang genoeg wachtwoord")
        .env("RUST_LOG", "error")
        .output()
        .expect("run the binary");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(String::from_utf8_lossy(&output.stdout).contains("nieuw@gent.be"));
    assert_eq!(
        app.browser()
            .login("nieuw@gent.be", "een lang genoeg wachtwoord")
            .await
            .status(),
        303
    );

    let output = std::process::Command::new(env!("CARGO_BIN_EXE_samenleven"))
        .args([
            "create-user",
            "--email",
            "x@y.be",
            "--name",
            "X",
            "--role",
            "reviewer",
            "--municipality",
            "44021",
        ])
        .env("DATABASE_URL", &app.database_url)
        .env("DATA_DIR", app.data_dir.path())
        .env("RUST_LOG", "error")
        .output()
        .expect("run the binary");
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("ABB hoort niet bij een gemeente"));
}
