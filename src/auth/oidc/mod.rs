//! Signing in through an OpenID provider: the Flemish government's ACM/IDM
//! (`authenticatie.vlaanderen.be`), with the authorization code flow, PKCE, state and nonce.
//!
//! - [`settings`]: the `OIDC_*` settings (claim names, ABB's organisation codes, role map);
//! - [`provider`]: discovery, keys (fetched again on rotation), the code exchange and the ID
//!   token's checks, through the `openidconnect` crate;
//! - [`pending`]: the logins under way (state, nonce, PKCE verifier), kept in the database,
//!   bound to the browser that started them, used once, ten minutes at most;
//! - [`identity`]: claims → who someone is here (pure);
//! - [`accounts`]: the account for an identity: found by provider account, linked once by
//!   e-mail, or created; refused people lose their sessions and API tokens.
//!
//! The pages are in `crate::web::oidc`. After the provider's answer the application opens its
//! own database session (`crate::auth::session::create`), exactly like a password login.

pub mod accounts;
pub mod identity;
pub mod pending;
pub mod provider;
pub mod settings;

pub use provider::OidcProvider;
pub use settings::OidcSettings;
