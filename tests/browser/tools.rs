//! Where the browser tests find their tools, and a clear failure when one is missing.
//!
//! | tool | default | override |
//! |---|---|---|
//! | Chromium | `/usr/bin/chromium` | `SAMENLEVEN_CHROMIUM` |
//! | chromedriver | `/usr/bin/chromedriver` | `SAMENLEVEN_CHROMEDRIVER` |
//! | axe-core, vnu-jar (npm) | `~/.cache/samenleven/node/node_modules/…` | `SAMENLEVEN_NODE_DIR` |
//! | Java (for vnu) | `java` on `PATH` | `SAMENLEVEN_JAVA` |

use std::path::{Path, PathBuf};

#[derive(Debug, Clone)]
pub struct Tools {
    pub chromium: PathBuf,
    pub chromedriver: PathBuf,
    pub java: PathBuf,
    /// The source of `axe.min.js`, injected into every page.
    pub axe_source: String,
    pub vnu_jar: PathBuf,
    /// The repository's `target/browser-screenshots/`.
    pub screenshots: PathBuf,
}

const INSTALL_HINT: &str = "Install them with `scripts/install-browser-tools` (Debian's chromium and \
     chromium-driver with apt-get, axe-core and vnu-jar with npm into ~/.cache/samenleven/node).";

fn env_path(name: &str) -> Option<PathBuf> {
    std::env::var_os(name)
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
}

/// A command on `PATH`, or `None`.
fn on_path(command: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(command))
        .find(|candidate| candidate.is_file())
}

fn node_dir() -> PathBuf {
    env_path("SAMENLEVEN_NODE_DIR").unwrap_or_else(|| {
        let home = env_path("HOME").unwrap_or_else(|| PathBuf::from("/root"));
        home.join(".cache/samenleven/node")
    })
}

impl Tools {
    /// Finds every tool, or explains each one that is missing.
    pub fn find() -> Result<Self, String> {
        let mut missing = Vec::new();
        let mut need = |what: &str, found: Option<PathBuf>, looked: String| -> PathBuf {
            match found {
                Some(path) if path.is_file() => path,
                _ => {
                    missing.push(format!("  - {what}: not found ({looked})"));
                    PathBuf::new()
                }
            }
        };
        let chromium = need(
            "Chromium",
            env_path("SAMENLEVEN_CHROMIUM")
                .or_else(|| Some(PathBuf::from("/usr/bin/chromium")).filter(|p| p.is_file()))
                .or_else(|| on_path("chromium")),
            "SAMENLEVEN_CHROMIUM, /usr/bin/chromium, PATH".into(),
        );
        let chromedriver = need(
            "chromedriver",
            env_path("SAMENLEVEN_CHROMEDRIVER")
                .or_else(|| Some(PathBuf::from("/usr/bin/chromedriver")).filter(|p| p.is_file()))
                .or_else(|| on_path("chromedriver")),
            "SAMENLEVEN_CHROMEDRIVER, /usr/bin/chromedriver, PATH".into(),
        );
        let java = need(
            "Java (for the Nu HTML Checker)",
            env_path("SAMENLEVEN_JAVA").or_else(|| on_path("java")),
            "SAMENLEVEN_JAVA, PATH".into(),
        );
        let node = node_dir();
        let axe = node.join("node_modules/axe-core/axe.min.js");
        let axe_path = need(
            "axe-core",
            Some(axe.clone()),
            format!("{} (SAMENLEVEN_NODE_DIR)", axe.display()),
        );
        let vnu = node.join("node_modules/vnu-jar/build/dist/vnu.jar");
        let vnu_jar = need(
            "vnu-jar (the Nu HTML Checker)",
            Some(vnu.clone()),
            format!("{} (SAMENLEVEN_NODE_DIR)", vnu.display()),
        );
        if !missing.is_empty() {
            return Err(format!(
                "The browser tests cannot run: tools are missing.\n{}\n{INSTALL_HINT}",
                missing.join("\n")
            ));
        }
        let axe_source = std::fs::read_to_string(&axe_path)
            .map_err(|e| format!("cannot read {}: {e}", axe_path.display()))?;
        let screenshots = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/browser-screenshots");
        Ok(Self {
            chromium,
            chromedriver,
            java,
            axe_source,
            vnu_jar,
            screenshots,
        })
    }
}
