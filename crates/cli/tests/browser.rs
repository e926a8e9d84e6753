//! The report a user gets, in a real browser: `swarmscan gen` then
//! `swarmscan scan`, and `crates/report/web/test/browser.mjs` (Playwright
//! driving the system Chromium) opens `report.html` offline, checks there
//! is no console error and no network request, that the network is drawn,
//! that clicking an account with the mouse shows the posts of its strongest
//! link and its `why` line from accounts.csv, that the first cluster's
//! details show its `why` line from clusters.csv, and that the search box
//! finds an account. The screenshot is kept
//! at `target/browser-artifacts/scan-report.png`.
//!
//! Skipped with a note when node, Chromium or the npm packages are missing,
//! unless `SWARMSCAN_BROWSER_TESTS=1` (CI), which makes that a failure.

#[path = "../../report/tests/support/browser.rs"]
mod support;

use std::process::Command;
use std::time::Duration;
use support::{artifacts_dir, browser_available, run_browser};

fn swarmscan(args: &[&str]) {
    let out = Command::new(env!("CARGO_BIN_EXE_swarmscan"))
        .args(args)
        .env("NO_COLOR", "1")
        .env("SOURCE_DATE_EPOCH", "1700000000")
        .output()
        .unwrap();
    assert!(out.status.success(), "swarmscan {args:?}: {}", String::from_utf8_lossy(&out.stderr));
}

#[test]
#[allow(clippy::print_stderr)]
fn scan_report_works_in_chromium() {
    if !browser_available("scan_report_works_in_chromium") {
        return;
    }
    let root = artifacts_dir().join("scan-report");
    let data = root.join("data");
    let out = root.join("scan");
    swarmscan(&["gen", "--out", data.to_str().unwrap(), "--scale", "0.1", "--seed", "42", "--formats", "cnt"]);
    swarmscan(&["scan", data.join("events.csv").to_str().unwrap(), "--out", out.to_str().unwrap(), "-q"]);

    // The account to click: the first listed (the strongest member of the
    // first cluster). The panel lists its links strongest first (p-value,
    // then weight), each with its evidence posts.
    let mut accounts = csv::Reader::from_path(out.join("accounts.csv")).unwrap();
    let first = accounts.records().next().expect("the scan flagged accounts").unwrap();
    let (account, username, why) = (first[0].to_string(), first[1].to_string(), first[5].to_string());
    assert!(!why.is_empty(), "accounts.csv gives no why for {account}");
    let mut clusters = csv::Reader::from_path(out.join("clusters.csv")).unwrap();
    let cluster_why = clusters.records().next().expect("the scan found clusters").unwrap()[5].to_string();
    assert!(!cluster_why.is_empty(), "clusters.csv gives no why for the first cluster");
    let mut edges = csv::Reader::from_path(out.join("edges.csv")).unwrap();
    let strongest = edges
        .records()
        .map(|r| r.unwrap())
        .filter(|r| (r[0] == *account || r[1] == *account) && !r[5].is_empty())
        .min_by(|a, b| {
            let p = |r: &csv::StringRecord| r[4].parse::<f64>().unwrap();
            let w = |r: &csv::StringRecord| r[3].parse::<u64>().unwrap();
            p(a).total_cmp(&p(b)).then(w(b).cmp(&w(a)))
        })
        .expect("the account has a link with evidence");
    // evidence = target|post_a@time_a|post_b@time_b|dt_s;…
    let ev: Vec<&str> = strongest[5].split(';').next().unwrap().split('|').collect();
    let side = if strongest[0] == *account { ev[1] } else { ev[2] };
    let post = side.split('@').next().unwrap().to_string();
    // Search for another account of the report.
    let searched = accounts.records().last().unwrap().unwrap()[1].to_string();
    assert_ne!(searched, username);

    let html = out.join("report.html");
    let png = artifacts_dir().join("scan-report.png");
    let run = run_browser(
        &html,
        &png,
        &["--click", &account, "--expect", &post, "--why", &why, "--cluster-why", &cluster_why, "--search", &searched],
        Duration::from_secs(180),
    );
    run.assert_passed(&html, &png);
    eprintln!(
        "browser check of a scan report passed (clicked @{username}, saw post {post}); screenshot at {}",
        png.display()
    );
}
