//! The Nu HTML Checker (vnu) over every page the journeys were served, in one run: the pages are
//! written to a temporary folder (each distinct page once) and `java -jar vnu.jar` checks them
//! all. Any error fails; warnings are not counted.

use std::collections::HashMap;
use std::process::Command;

use crate::proxy::ServedPage;
use crate::tools::Tools;

const CANARY: &str = "canary.html";
const CANARY_HTML: &str = "<!DOCTYPE html><html lang=\"nl\"><head><meta charset=\"utf-8\">\
    <title>Kanarie</title></head><body><p>Een lijst in een alinea mag niet:<ul><li>x</li></ul></p>\
    </body></html>";

/// Validates the pages; `Ok(number of distinct pages)` or `Err(every error, with its page)`.
pub fn validate(tools: &Tools, served: &[(&'static str, ServedPage)]) -> Result<usize, String> {
    if served.is_empty() {
        return Err("no page was served to validate".to_owned());
    }
    let dir = tempfile::tempdir().map_err(|e| format!("temp dir: {e}"))?;
    // The same HTML is checked once; the first page that showed it names it.
    let mut files: HashMap<String, String> = HashMap::new();
    let mut seen: HashMap<&str, String> = HashMap::new();
    for (journey, page) in served {
        if seen.contains_key(page.html.as_str()) {
            continue;
        }
        let name = format!("page-{:04}.html", seen.len() + 1);
        std::fs::write(dir.path().join(&name), &page.html)
            .map_err(|e| format!("write {name}: {e}"))?;
        files.insert(
            name.clone(),
            format!("{journey}: {} {} ({})", page.method, page.path, page.status),
        );
        seen.insert(page.html.as_str(), name);
    }
    // A canary with a known error: if vnu does not report it, the check itself is broken.
    std::fs::write(dir.path().join(CANARY), CANARY_HTML)
        .map_err(|e| format!("write canary: {e}"))?;
    let output = Command::new(&tools.java)
        .arg("-jar")
        .arg(&tools.vnu_jar)
        .args(["--errors-only", "--format", "json", "--exit-zero-always"])
        .arg(dir.path())
        .output()
        .map_err(|e| format!("cannot run {}: {e}", tools.java.display()))?;
    // vnu writes its JSON report to standard error.
    let report: serde_json::Value = serde_json::from_slice(&output.stderr).map_err(|e| {
        format!(
            "vnu's report is not JSON ({e}): {}",
            String::from_utf8_lossy(&output.stderr)
        )
    })?;
    let mut errors = Vec::new();
    let mut canary_seen = false;
    for message in report["messages"].as_array().into_iter().flatten() {
        let kind = message["type"].as_str().unwrap_or("");
        if kind == "info" {
            continue;
        }
        let url = message["url"].as_str().unwrap_or("");
        let file = url.rsplit('/').next().unwrap_or(url);
        if file == CANARY {
            canary_seen = true;
            continue;
        }
        let page = files.get(file).cloned().unwrap_or_else(|| file.to_owned());
        errors.push(format!(
            "{page} line {}: {} ({kind})\n    {}",
            message["lastLine"].as_u64().unwrap_or(0),
            message["message"].as_str().unwrap_or(""),
            message["extract"]
                .as_str()
                .unwrap_or("")
                .replace('\n', " ")
                .trim()
        ));
    }
    if !canary_seen {
        return Err(format!(
            "vnu did not report the error planted in {CANARY}: the HTML check does not work \
             (its output: {})",
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    if errors.is_empty() {
        Ok(seen.len())
    } else {
        Err(format!(
            "{} HTML error(s) in {} distinct pages:\n  {}",
            errors.len(),
            seen.len(),
            errors.join("\n  ")
        ))
    }
}
