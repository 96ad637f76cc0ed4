//! Issue 19, items 1, 2, 3, 11 and 12: the redirect after login stays on this site, login
//! throttling cannot lock out the owner, API tokens end with the sessions, one `Set-Cookie` per
//! name, reset mails are throttled.

use crate::helpers::{DEMO_PASSWORD, OFFICIAL_A, spawn_app};

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
