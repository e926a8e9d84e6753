//! The HTML report in a real browser: writes a fixture report into
//! `target/browser-artifacts/` and runs `web/test/browser.mjs` (Playwright
//! driving the system Chromium) on it, which checks that the page loads
//! without errors or network requests, draws the network, shows an
//! account's evidence and why it was flagged when its node is clicked with
//! the mouse, and shows why the first cluster was flagged in its details.
//!
//! Needs node, `crates/report/web/node_modules` (`npm ci` there, or
//! `crates/report/web/ci-setup.sh`) and Chromium at /usr/bin/chromium (or
//! `$CHROMIUM`). Without them the test is skipped with a note, unless
//! `SWARMSCAN_BROWSER_TESTS=1`, which makes a missing piece a failure.
//!
//! `cargo test -p swarmscan-report --test browser -- --ignored` also runs
//! the scale check (10,000 accounts, ~50,000 edges) and prints its timings.

mod common;
#[path = "support/browser.rs"]
mod support;

use std::fs::File;
use std::io::BufWriter;
use std::path::PathBuf;
use std::time::Duration;

use support::{artifacts_dir, browser_available, run_browser};

use swarmscan_report::{ReportData, write_html};

fn write_report(data: &ReportData, name: &str) -> PathBuf {
    let path = artifacts_dir().join(name);
    let mut w = BufWriter::new(File::create(&path).expect("create report file"));
    write_html(data, &mut w).expect("write report");
    drop(w);
    path
}

/// The post a click on `node` must reveal: the first piece of evidence of
/// its strongest link, as the panel orders them (p-value, then weight).
fn expected_post(data: &ReportData, node: u32) -> String {
    let edge = data
        .edges
        .iter()
        .enumerate()
        .filter(|(_, e)| (e.source == node || e.target == node) && !e.evidence.is_empty())
        .min_by(|(i, a), (j, b)| a.p_value.total_cmp(&b.p_value).then(b.weight.cmp(&a.weight)).then(i.cmp(j)))
        .map(|(_, e)| e)
        .expect("the node has a link with evidence");
    let account = &data.nodes[node as usize].account_id;
    let ev = &edge.evidence[0];
    if &ev.a.account_id == account { ev.a.post_id.clone() } else { ev.b.post_id.clone() }
}

#[test]
#[allow(clippy::print_stderr)]
fn report_works_in_chromium() {
    if !browser_available("report_works_in_chromium") {
        return;
    }
    let data = common::small();
    let html = write_report(&data, "report.html");
    let png = artifacts_dir().join("report.png");

    // Click an account of the lookalike-pushing cluster; search another.
    // Both why lines hold markup, which the page must show as text.
    let clicked = 2u32;
    let account = data.nodes[clicked as usize].account_id.clone();
    let post = expected_post(&data, clicked);
    let why = &data.nodes[clicked as usize].why;
    let cluster_why = &data.clusters[0].why;
    assert!(why.contains('<') && cluster_why.contains('<'), "the fixture's why lines lost their markup");
    let searched = data.nodes[10].username.clone();
    let run = run_browser(
        &html,
        &png,
        &["--click", &account, "--expect", &post, "--why", why, "--cluster-why", cluster_why, "--search", &searched],
        Duration::from_secs(180),
    );
    run.assert_passed(&html, &png);
    eprintln!("browser check passed; screenshot at {}", png.display());
}

#[test]
fn report_html_is_deterministic() {
    let render = |data: &ReportData| {
        let mut buf = Vec::new();
        write_html(data, &mut buf).unwrap();
        buf
    };
    let a = render(&common::small());
    let b = render(&common::small());
    assert!(a == b, "two renderings of the same data differ");
    let text = String::from_utf8(a).unwrap();
    // Self-contained: no reference to anything outside the file.
    for needle in ["<script src", "<link ", "@import", "url(http", "src=\"http", "href=\"http"] {
        assert!(!text.contains(needle), "the report refers to an outside resource: {needle}");
    }
}

#[test]
#[ignore = "scale check: 10,000 accounts, ~50,000 edges; slow in software WebGL"]
#[allow(clippy::print_stderr)]
fn big_report_works_in_chromium() {
    if !browser_available("big_report_works_in_chromium") {
        return;
    }
    let data = common::big(10_000, 300, 5);
    let html = write_report(&data, "big-report.html");
    let png = artifacts_dir().join("big-report.png");
    let json = artifacts_dir().join("big-report.json");
    let run = run_browser(&html, &png, &["--measure", "--json", json.to_str().unwrap()], Duration::from_secs(480));
    assert!(run.ok, "browser check failed\n--- stdout\n{}\n--- stderr\n{}", run.stdout, run.stderr);
    eprintln!(
        "big report: {} nodes, {} edges, {} bytes; measurements in {}",
        data.nodes.len(),
        data.edges.len(),
        std::fs::metadata(&html).map(|m| m.len()).unwrap_or(0),
        json.display()
    );
}
