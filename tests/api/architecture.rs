//! The layers depend one way: `domain` ← `store` ← `app` ← (`web`, `api`). The store, the
//! use-case layer and the API never reach into the web layer, and the web and API adapters never
//! talk to the database themselves (no entity `ActiveModel`, `Entity::find`, `update_many`,
//! inserts or transactions): they call a command or a query of the store.
//!
//! Files that still do are listed in `NOT_YET_ADAPTERS`; the list only shrinks: a listed file
//! that no longer offends fails the test too, so it is taken off.

use std::path::{Path, PathBuf};

/// Adapters that still query the database themselves, to be moved behind commands.
const NOT_YET_ADAPTERS: &[&str] = &[];

/// Lower layers that still import the web layer, to be turned around.
const NOT_YET_INDEPENDENT_OF_WEB: &[&str] = &[];

const DATABASE_ACCESS: &[&str] = &[
    "ActiveModel",
    "Entity::",
    "update_many",
    "delete_many",
    "begin_write",
    "TransactionTrait",
    ".begin()",
    ".insert(&",
    ".insert(db",
    ".insert(txn",
    ".exec(&",
];

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// The file's code: comments and unit tests left out.
fn code_of(path: &Path) -> String {
    let text = std::fs::read_to_string(path).expect("read source");
    let text = text.split("#[cfg(test)]").next().unwrap_or_default();
    text.lines()
        .map(|line| match line.find("//") {
            Some(i) => &line[..i],
            None => line,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn relative(path: &Path) -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    path.strip_prefix(root)
        .unwrap_or(path)
        .display()
        .to_string()
}

fn offenders(dirs: &[&str], patterns: &[&str]) -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    dirs.iter()
        .flat_map(|d| rust_files(&root.join(d)))
        .filter(|path| {
            let code = code_of(path);
            patterns.iter().any(|p| code.contains(p))
        })
        .map(|path| relative(&path))
        .collect()
}

fn compare(found: Vec<String>, allowed: &[&str], what: &str) {
    let new: Vec<&String> = found
        .iter()
        .filter(|f| !allowed.contains(&f.as_str()))
        .collect();
    let mended: Vec<&&str> = allowed
        .iter()
        .filter(|a| !found.iter().any(|f| f == *a))
        .collect();
    assert!(new.is_empty(), "{what}: {new:?}");
    assert!(
        mended.is_empty(),
        "these files no longer do it; take them off the list: {mended:?}"
    );
}

#[test]
fn the_store_the_commands_and_the_api_never_import_the_web_layer() {
    compare(
        offenders(
            &["src/store", "src/app", "src/api", "src/domain"],
            &["crate::web"],
        ),
        NOT_YET_INDEPENDENT_OF_WEB,
        "a lower layer imports crate::web",
    );
}

#[test]
fn page_and_api_handlers_reach_the_database_only_through_commands_and_queries() {
    compare(
        offenders(&["src/web", "src/api"], DATABASE_ACCESS),
        NOT_YET_ADAPTERS,
        "an adapter talks to the database itself",
    );
}

#[test]
fn the_domain_does_no_input_or_output() {
    let found = offenders(
        &["src/domain"],
        &[
            "sea_orm",
            "tokio",
            "std::fs",
            "std::net",
            "reqwest",
            "Utc::now()",
        ],
    );
    assert!(found.is_empty(), "the domain must stay pure: {found:?}");
}

/// Functions of `web` and `api` longer than this need a reason above them.
const LONGEST_ADAPTER: usize = 50;

/// The marker of that reason, in the comments above the function.
const LONG_BECAUSE: &str = "Longer than 50 lines:";

/// Adapter functions that are still longer than [`LONGEST_ADAPTER`] without a reason, to be
/// split or explained; the list only shrinks.
const NOT_YET_SHORT: &[&str] = &[];

/// `(file::function, lines, has a reason)` for every function of the file outside its unit tests.
fn functions_of(path: &Path) -> Vec<(String, usize, bool)> {
    let text = std::fs::read_to_string(path).expect("read source");
    let text = text.split("#[cfg(test)]").next().unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        let trimmed = line.trim_start();
        let indent = &line[..line.len() - trimmed.len()];
        let rest = trimmed
            .trim_start_matches("pub(crate) ")
            .trim_start_matches("pub(super) ")
            .trim_start_matches("pub ")
            .trim_start_matches("async ");
        let Some(name) = rest.strip_prefix("fn ").map(|r| {
            r.split(|c: char| !(c.is_alphanumeric() || c == '_'))
                .next()
                .unwrap_or_default()
        }) else {
            i += 1;
            continue;
        };
        let close = format!("{indent}}}");
        let end = (i + 1..lines.len())
            .find(|&j| lines[j] == close)
            .unwrap_or(i);
        let mut reason = false;
        let mut k = i;
        while k > 0 {
            let above = lines[k - 1].trim_start();
            if !(above.starts_with("//") || above.starts_with("#[")) {
                break;
            }
            reason |= above.contains(LONG_BECAUSE);
            k -= 1;
        }
        out.push((format!("{}::{name}", relative(path)), end + 1 - i, reason));
        i = end.max(i) + 1;
    }
    out
}

#[test]
fn page_and_api_functions_longer_than_fifty_lines_say_why() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let found: Vec<String> = ["src/web", "src/api"]
        .iter()
        .flat_map(|d| rust_files(&root.join(d)))
        .flat_map(|path| functions_of(&path))
        .filter(|(_, lines, reason)| *lines > LONGEST_ADAPTER && !reason)
        .map(|(name, _, _)| name)
        .collect();
    compare(
        found,
        NOT_YET_SHORT,
        "split these functions, or say above them why they are long (`// Longer than 50 lines: ...`)",
    );
}
