//! The real OpenID provider of these tests: `tests/oidc/provider.mjs` on Node.js (the certified
//! `oidc-provider` package, installed by `scripts/install-test-tools`), one process per test,
//! ended when the test ends.

use std::process::Stdio;

use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

pub struct TestProvider {
    /// `http://127.0.0.1:PORT`
    pub issuer: String,
    http: reqwest::Client,
    _child: Child,
}

fn node_dir() -> std::path::PathBuf {
    match std::env::var_os("SAMENLEVEN_NODE_DIR").filter(|v| !v.is_empty()) {
        Some(dir) => dir.into(),
        None => {
            std::path::PathBuf::from(std::env::var_os("HOME").unwrap_or_else(|| "/root".into()))
                .join(".cache/samenleven/node")
        }
    }
}

impl TestProvider {
    /// Starts the provider with one client for Samenleven that may return to `redirect_uri`
    /// and, after logging out, to `post_logout_uri`.
    pub async fn start(redirect_uri: &str, post_logout_uri: &str) -> Self {
        let package = node_dir().join("node_modules/oidc-provider/package.json");
        assert!(
            package.is_file(),
            "the oidc-provider package is missing ({}): run scripts/install-test-tools",
            package.display()
        );
        let script =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/oidc/provider.mjs");
        let mut child = Command::new("node")
            .arg(script)
            .env("SAMENLEVEN_NODE_DIR", node_dir())
            .env("OIDC_TEST_REDIRECT_URIS", redirect_uri)
            .env("OIDC_TEST_POST_LOGOUT_URIS", post_logout_uri)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("start node (is Node.js installed?)");
        let stdout = child.stdout.take().expect("the provider's output");
        let mut lines = BufReader::new(stdout).lines();
        let line = tokio::time::timeout(std::time::Duration::from_secs(60), lines.next_line())
            .await
            .expect("the provider starts within 60 s")
            .expect("the provider's first line")
            .expect("the provider printed its address");
        // Whatever else it prints is read and dropped: a closed pipe would end the provider.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        let ready: serde_json::Value = serde_json::from_str(&line).expect("a JSON line");
        let issuer = ready["issuer"].as_str().expect("issuer").to_owned();
        Self {
            issuer,
            http: reqwest::Client::new(),
            _child: child,
        }
    }

    pub fn discovery_url(&self) -> String {
        format!("{}/.well-known/openid-configuration", self.issuer)
    }

    async fn control(&self, path: &str, body: serde_json::Value) -> reqwest::Response {
        let response = self
            .http
            .post(format!("{}/__test/{path}", self.issuer))
            .json(&body)
            .send()
            .await
            .expect("the provider's control interface");
        assert!(
            response.status().is_success(),
            "{path}: {}",
            response.status()
        );
        response
    }

    /// The next ID token the token endpoint gives out is changed as `mode` says (see
    /// `provider.mjs`).
    pub async fn misbehave(&self, mode: &str) {
        self.control("next-id-token", serde_json::json!({ "mode": mode }))
            .await;
    }

    /// A new signing key, published first; returns its key id.
    pub async fn rotate_keys(&self) -> String {
        let answer: serde_json::Value = self
            .control("rotate", serde_json::json!({}))
            .await
            .json()
            .await
            .expect("the new key id");
        answer["kid"].as_str().expect("kid").to_owned()
    }

    /// Replaces claims of test user `login` (`null` removes one).
    pub async fn set_claims(&self, login: &str, claims: serde_json::Value) {
        self.control(&format!("accounts/{login}"), claims).await;
    }
}
