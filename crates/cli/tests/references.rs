//! Help that exists (issue #16): every command (`swarmscan X`, `swarmscan
//! help X`) and every document (`docs/….md`, `crates/…/README.md`) that the
//! code or the documentation names exists.

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The Rust sources of every crate and the Markdown documentation.
fn sources() -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let Ok(rd) = std::fs::read_dir(dir) else { return };
        for e in rd.flatten() {
            let p = e.path();
            let name = e.file_name().to_string_lossy().into_owned();
            if p.is_dir() {
                if !matches!(name.as_str(), "target" | "node_modules" | ".git" | "fuzz") {
                    walk(&p, out);
                }
            } else if name.ends_with(".rs") || name.ends_with(".md") {
                out.push(p);
            }
        }
    }
    let r = root();
    let mut v = Vec::new();
    walk(&r.join("crates"), &mut v);
    walk(&r.join("docs"), &mut v);
    for top in ["README.md", "ARCHITECTURE.md", "BENCHMARKS.md"] {
        v.push(r.join(top));
    }
    v.sort();
    v
}

/// Each `word` that follows `prefix` in `text` (`[A-Za-z0-9_./-]`, a final `.` dropped).
fn words_after<'a>(text: &'a str, prefix: &str) -> Vec<&'a str> {
    text.match_indices(prefix)
        .map(|(i, _)| {
            let rest = &text[i + prefix.len()..];
            let end = rest.find(|c: char| !(c.is_ascii_alphanumeric() || "_./-".contains(c))).unwrap_or(rest.len());
            rest[..end].trim_end_matches('.')
        })
        .filter(|w| !w.is_empty())
        .collect()
}

#[test]
fn every_named_command_and_document_exists() {
    let bin = env!("CARGO_BIN_EXE_swarmscan");
    let mut commands = std::collections::BTreeSet::new();
    let mut problems = Vec::new();
    let files = sources();
    assert!(files.len() > 50, "sources found: {}", files.len());
    for f in &files {
        let Ok(text) = std::fs::read_to_string(f) else { continue };
        let shown = f.strip_prefix(root()).unwrap_or(f).display().to_string();
        for cmd in words_after(&text, "`swarmscan help ").into_iter().chain(words_after(&text, "`swarmscan ")) {
            if cmd != "help" && !cmd.starts_with('-') && cmd.chars().all(|c| c.is_ascii_lowercase() || c == '-') {
                commands.insert((cmd.to_string(), shown.clone()));
            }
        }
        for prefix in ["docs/", "crates/"] {
            for doc in words_after(&text, prefix) {
                let path = format!("{prefix}{doc}");
                let is_doc = path.ends_with(".md") && (prefix == "docs/" || path.ends_with("/README.md"));
                if is_doc && !root().join(&path).exists() {
                    problems.push(format!("{shown}: names {path}, which does not exist"));
                }
            }
        }
    }
    for (cmd, file) in &commands {
        let ok = Command::new(bin).args(["help", cmd]).output().is_ok_and(|o| o.status.success());
        if !ok {
            problems.push(format!("{file}: names `swarmscan {cmd}`, which is not a command"));
        }
    }
    assert!(commands.len() >= 5, "{commands:?}");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
