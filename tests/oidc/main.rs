//! Signing in through a real OpenID provider: the certified `oidc-provider` package on Node.js
//! (`tests/oidc/provider.mjs`), with test users carrying ACM/IDM's claims, started per test on a
//! free port. Not built by a plain `cargo test` (`test = false` in Cargo.toml): run
//! `scripts/install-test-tools`, then `cargo test --test oidc` (with `TEST_DATABASE_URL` for
//! PostgreSQL).

#[allow(dead_code)]
#[path = "../api/helpers.rs"]
mod helpers;
#[allow(dead_code)]
#[path = "../api/smtp.rs"]
mod smtp;

mod flows;
mod provider;
