//! The web pages in a real browser: starts a server in-process on a port of
//! its own, writes a small generated collection, and runs
//! `crates/report/web/test/serve_ui.mjs` (Playwright driving the system
//! Chromium). Through the pages alone, the admin creates an analyst and a
//! viewer; the analyst uploads the collection, runs two scans, opens the
//! report, compares the runs and shares the dataset; the viewer opens the
//! report. The driver also checks that a dataset name holding markup is
//! shown as text, and that no page logs an error or asks another origin.
//!
//! Needs node, `crates/report/web/node_modules` (`crates/report/web/ci-setup.sh`)
//! and Chromium at /usr/bin/chromium (or `$CHROMIUM`). Without them the test
//! is skipped with a note, unless `SWARMSCAN_BROWSER_TESTS=1`, which makes a
//! missing piece a failure. Screenshots: `target/browser-artifacts/serve-*.png`.

#[path = "../../report/tests/support/browser.rs"]
mod support;

use std::path::Path;
use std::time::{Duration, Instant};
use swarmscan_serve::Config;

/// Runs `serve_ui.mjs` with its arguments, killed after `limit`.
fn drive(base: &str, password: &str, data: &Path, artifacts: &Path, limit: Duration) -> support::Run {
    let args = [std::ffi::OsStr::new(base), password.as_ref(), data.as_os_str(), artifacts.as_os_str()];
    support::run_node("serve_ui.mjs", &args, limit)
}

#[test]
#[allow(clippy::print_stderr)]
fn a_team_works_through_the_web_pages_in_chromium() {
    if !support::browser_available("a_team_works_through_the_web_pages_in_chromium") {
        return;
    }
    // A small collection (a scan takes seconds in a debug build).
    let gen_dir = tempfile::tempdir().unwrap();
    let cfg = swarmscan_gen::GenConfig { scale: 0.01, formats: vec![swarmscan_gen::Format::Cnt], ..Default::default() };
    swarmscan_gen::generate(&cfg, gen_dir.path()).unwrap();
    let input = gen_dir.path().join("events.csv");

    // The server as `swarmscan serve` runs it, rate limit included.
    let data = tempfile::tempdir().unwrap();
    let config = Config { listen: "127.0.0.1:0".parse().unwrap(), ..Config::new(data.path().to_path_buf()) };
    let handle = swarmscan_serve::spawn(config, false).expect("server starts");
    let started = handle.started().clone();
    let password = started.bootstrap.expect("a first start creates the admin").password;
    let base = format!("http://{}", started.addr);

    let artifacts = support::artifacts_dir();
    let shots = ["serve-home.png", "serve-dataset.png", "serve-job.png", "serve-compare.png", "serve-viewer.png"];
    for s in shots.iter().chain(&["serve-failure.png"]) {
        let _ = std::fs::remove_file(artifacts.join(s));
    }
    let t = Instant::now();
    let run = drive(&base, &password, &input, &artifacts, Duration::from_secs(420));
    let took = t.elapsed();
    handle.stop();

    assert!(run.ok, "the web pages failed in Chromium\n--- stdout\n{}\n--- stderr\n{}", run.stdout, run.stderr);
    for s in shots {
        assert!(artifacts.join(s).exists(), "no screenshot {s} in {}", artifacts.display());
    }
    eprintln!("web pages passed in Chromium in {took:.1?}; screenshots in {}", artifacts.display());
    eprintln!("{}", run.stdout.lines().last().unwrap_or_default());
}
