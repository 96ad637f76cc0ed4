//! Authentication: server-side sessions in the database (so several app instances share them),
//! the request middleware that loads the signed-in user once per request, CSRF protection,
//! login throttling, one-time tokens for password reset and invitations, and the client's address
//! (behind trusted proxies).

pub mod client_ip;
pub mod cookies;
pub mod csrf;
pub mod devices;
pub mod oidc;
pub mod session;
pub mod throttle;
pub mod tokens;

pub use session::{CurrentUser, MaybeUser, SessionUser};

use rand::RngCore;
use sha2::{Digest, Sha256};

/// A fresh random token (32 bytes, hex), for sessions, CSRF and one-time links.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// Tokens are stored only as their SHA-256, so a database leak gives no usable token.
pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Compares two strings in time independent of where they differ.
pub fn constant_time_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_and_hashes_are_stable() {
        let a = random_token();
        assert_eq!(a.len(), 64);
        assert_ne!(a, random_token());
        assert_eq!(hash_token(&a), hash_token(&a));
        assert_ne!(hash_token(&a), a);
    }

    #[test]
    fn constant_time_comparison_agrees_with_equality() {
        assert!(constant_time_eq("abc", "abc"));
        assert!(!constant_time_eq("abc", "abd"));
        assert!(!constant_time_eq("abc", "abcd"));
    }
}
