//! Running `crates/report/web/test/browser.mjs` (Playwright driving the
//! system Chromium) from Rust tests. Shared by the report crate's browser
//! test and the CLI's (`#[path]`-included), so both find the same tools and
//! keep their screenshots in `target/browser-artifacts/`.

#![allow(dead_code)]

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The workspace root (every crate lives at `crates/NAME`).
pub fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// `crates/report/web`: the report's script sources and test driver.
pub fn web_dir() -> PathBuf {
    workspace_root().join("crates/report/web")
}

pub fn artifacts_dir() -> PathBuf {
    let target = match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) => {
            let dir = PathBuf::from(dir);
            if dir.is_absolute() { dir } else { workspace_root().join(dir) }
        }
        None => workspace_root().join("target"),
    };
    let dir = target.join("browser-artifacts");
    std::fs::create_dir_all(&dir).expect("create target/browser-artifacts");
    dir
}

pub fn chromium() -> PathBuf {
    std::env::var_os("CHROMIUM").map(PathBuf::from).unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"))
}

/// `Some(reason)` when something the browser test needs is missing.
pub fn missing_prerequisite() -> Option<String> {
    let node = Command::new("node").arg("--version").stdout(Stdio::null()).stderr(Stdio::null()).status();
    if !matches!(node, Ok(s) if s.success()) {
        return Some("`node` is not on PATH".into());
    }
    let playwright = web_dir().join("node_modules/playwright-core/package.json");
    if !playwright.exists() {
        return Some(format!("{} is missing (run `npm ci` in crates/report/web)", playwright.display()));
    }
    let chromium = chromium();
    if !chromium.exists() {
        return Some(format!("no Chromium at {} (install it, or set CHROMIUM)", chromium.display()));
    }
    None
}

/// Whether to run; panics when the browser tests are required but can't run.
#[allow(clippy::print_stderr)]
pub fn browser_available(test: &str) -> bool {
    let Some(why) = missing_prerequisite() else { return true };
    let required = std::env::var("SWARMSCAN_BROWSER_TESTS").is_ok_and(|v| v == "1");
    assert!(
        !required,
        "SWARMSCAN_BROWSER_TESTS=1 but the browser test can't run: {why}. \
         Run crates/report/web/ci-setup.sh to install what it needs."
    );
    eprintln!("skipping {test}: {why} (set SWARMSCAN_BROWSER_TESTS=1 to make this a failure)");
    false
}

pub struct Run {
    pub ok: bool,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Fails the test with the driver's output unless every check passed
    /// and the screenshot was written.
    pub fn assert_passed(&self, html: &Path, png: &Path) {
        assert!(
            self.ok,
            "browser check failed for {}\n--- stdout\n{}\n--- stderr\n{}",
            html.display(),
            self.stdout,
            self.stderr
        );
        assert!(png.exists(), "no screenshot at {}", png.display());
    }
}

/// Runs browser.mjs with a time limit.
pub fn run_browser(html: &Path, png: &Path, extra: &[&str], limit: Duration) -> Run {
    let mut args = vec![html.as_os_str(), png.as_os_str()];
    args.extend(extra.iter().map(std::ffi::OsStr::new));
    run_node("browser.mjs", &args, limit)
}

/// Runs the driver `web/test/<script>` under node with `args` from the
/// workspace root, killed after `limit`; its output is kept whole.
pub fn run_node(script: &str, args: &[&std::ffi::OsStr], limit: Duration) -> Run {
    let mut child = Command::new("node")
        .arg(web_dir().join("test").join(script))
        .args(args)
        .current_dir(workspace_root())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start node");
    // Drain both pipes on threads so a chatty child can't block.
    let drain = |mut r: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut s = String::new();
            let _ = r.read_to_string(&mut s);
            s
        })
    };
    let out = drain(Box::new(child.stdout.take().expect("stdout")));
    let err = drain(Box::new(child.stderr.take().expect("stderr")));
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for node") {
            break Some(status);
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let stdout = out.join().unwrap_or_default();
    let mut stderr = err.join().unwrap_or_default();
    if status.is_none() {
        stderr.push_str(&format!("\n{script} ran past {limit:?} and was stopped"));
    }
    Run { ok: status.is_some_and(|s| s.success()), stdout, stderr }
}
