//! Journey 5 (issue 23): an official of Antwerpen, a reviewer and an admin each sign in through
//! the Flemish government: from our sign-in page, through the test OpenID provider's own login
//! page (`tests/oidc/provider.mjs`: the certified `oidc-provider` package), back to their own
//! page. The official then logs out here and at the provider. The provider's pages are not
//! served through the recording proxy, so only our pages go to the HTML check; axe checks
//! every page the browsers show, the provider's included.

use crate::harness::Env;
use crate::helpers::{TestApp, spawn_app_with};
use crate::oidc_provider::TestProvider;
use crate::page::{Target, User};

const ABB: &str = "OVO990001";

/// The app with OpenID Connect, registered at a fresh test provider under the proxy's address.
pub async fn app(base: String) -> (TestApp, Box<dyn std::any::Any + Send>) {
    let callback = format!("{base}/aanmelden/vlaanderen/terug");
    let provider = TestProvider::start(&callback, &format!("{base}/")).await;
    let app = spawn_app_with(&[
        ("PUBLIC_URL", base.clone()),
        ("OIDC_DISCOVERY_URL", provider.discovery_url()),
        ("OIDC_CLIENT_ID", "samenleven".to_owned()),
        (
            "OIDC_CLIENT_SECRET",
            "test-geheim-van-samenleven".to_owned(),
        ),
        ("OIDC_REDIRECT_URL", callback),
        (
            "OIDC_SCOPES",
            "openid profile vo abb_subsidiepunt".to_owned(),
        ),
        ("OIDC_ABB_ORG_CODES", ABB.to_owned()),
    ])
    .await;
    samenleven::org_codes::import_org_codes(
        &app.db,
        "nis_code,org_code\n11002,OVO990002\n",
        &[ABB.to_owned()],
        "browser journey",
    )
    .await
    .expect("database")
    .expect("the organisation codes import");
    (app, Box::new(provider))
}

/// From our sign-in page through the provider's login page as test user `login`.
async fn sign_in(user: &User, login: &str) {
    user.visit("/aanmelden", "aanmelden").await;
    user.click(
        Target::Link("Aanmelden met de Vlaamse overheid"),
        "aanmelddienst",
    )
    .await;
    user.expect_text("Dit is de aanmelddienst van de tests")
        .await;
    user.fill("login", login).await;
    user.click(
        Target::Button("Aanmelden bij de testaanmelddienst"),
        "aangemeld",
    )
    .await;
    user.expect_text("Afmelden").await;
}

pub async fn journey(env: Env) {
    let els = env.browser("oidc-antwerpen").await;
    sign_in(&els, "antwerpen").await;
    assert_eq!(
        els.path().await,
        "/gemeente",
        "the official lands on her municipality"
    );
    els.expect_text("Els Verbeke").await;
    els.expect_text("Antwerpen").await;

    let bram = env.browser("oidc-beoordelaar").await;
    sign_in(&bram, "beoordelaar").await;
    assert_eq!(
        bram.path().await,
        "/beoordeling",
        "the reviewer lands on the inbox"
    );
    bram.expect_text("Bram Claes").await;
    bram.close().await;

    let ans = env.browser("oidc-beheerder").await;
    sign_in(&ans, "beheerder").await;
    assert_eq!(ans.path().await, "/beoordeling");
    ans.click(Target::Link("Organisaties"), "organisaties")
        .await;
    ans.expect_text("OVO990002").await;
    ans.close().await;

    // Logging out here, then at the provider, back on our start page.
    els.click(Target::Button("Afmelden"), "afgemeld").await;
    els.expect_text("U bent afgemeld bij Samenleven").await;
    els.click(
        Target::Link("Ook afmelden bij de Vlaamse overheid"),
        "afmelden-bij-aanmelddienst",
    )
    .await;
    els.click(Target::Button("Ja, afmelden"), "terug-op-start")
        .await;
    assert_eq!(els.path().await, "/", "back on our start page");
    els.expect_text("Aanmelden").await;
    els.close().await;
}
