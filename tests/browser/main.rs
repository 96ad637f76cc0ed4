//! End-to-end tests in a real browser: headless Chromium driven through chromedriver (WebDriver,
//! with `fantoccini`) through the journeys of issue 10, on the real app (`spawn_app()` of the API
//! tests: fresh database, real migrations and demo seeds, a local SMTP catcher, port 0).
//!
//! Every page a journey shows is checked with axe-core (a violation of impact serious or critical
//! fails the journey) and photographed into `target/browser-screenshots/` of the repository; the
//! HTML of every page, as the server sent it, is validated at the end in one run of the Nu HTML
//! Checker (vnu). Run with `cargo test --test browser` after `scripts/install-browser-tools`;
//! without Chromium, chromedriver, axe-core or vnu the run fails and says what is missing.
//!
//! This target has its own harness (`harness = false` in Cargo.toml) so that the HTML check runs
//! once, after all journeys. Arguments: words that select journeys by name (as `cargo test`
//! filters), `--list` to print the names. `SAMENLEVEN_BROWSER_JOBS` sets how many journeys run
//! at once (default 2).

#[allow(dead_code)]
#[path = "../api/helpers.rs"]
mod helpers;
#[allow(dead_code)]
#[path = "../api/smtp.rs"]
mod smtp;

#[allow(dead_code)]
#[path = "../oidc/provider.rs"]
mod oidc_provider;

mod harness;
mod journeys;
mod page;
mod proxy;
mod tools;
mod vnu;

fn main() -> std::process::ExitCode {
    harness::main(journeys::all())
}
