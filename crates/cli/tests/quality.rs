//! Quality floors on small scenario cells (issue #14): each cell generates a
//! scenario with `swarmscan gen`, scans it with default parameters and scores
//! it with `swarmscan eval`, then checks the floors in [`CELLS`].
//!
//! The floors are what `scan` achieved when they were set, minus a small
//! margin, so that a change that loses quality fails here; raise them as the
//! method improves (the table below is the only place to change). Every cell
//! uses a TUNING seed of `scripts/quality_matrix.sh` (1–3): the held-out
//! seeds (101–103) stay out of CI, which people tune against.
//!
//! Fixed targets that hold whatever the method: at most 1 % of fan accounts
//! flagged, and at most 0.1 % of accounts flagged on organic-only data.
#![allow(clippy::print_stdout)] // each cell's figures, shown with --nocapture

use std::path::Path;
use std::process::Command;

/// One scenario cell and its floors. Precision is 1 when nothing is flagged.
struct Cell {
    scenario: &'static str,
    scale: &'static str,
    seed: &'static str,
    min_precision: f64,
    min_recall: f64,
    min_f1: f64,
}

/// The floors: what `scan` achieved on 2026-12-03 after the pooled null
/// (commit 0f4bf2a; the figure and the figure before it are in the comment)
/// minus a margin. Change here.
#[rustfmt::skip]
const CELLS: &[Cell] = &[
    // small, 20k events: P 1.000, R 0.642, F1 0.782 (before: nothing found); the repost ring and the slow link missed.
    Cell { scenario: "small",        scale: "0.02", seed: "1", min_precision: 0.97, min_recall: 0.58, min_f1: 0.72 },
    // small at 50k: P 1.000, R 0.642, F1 0.782 (before: R 0.151, F1 0.262).
    Cell { scenario: "small",        scale: "0.05", seed: "2", min_precision: 0.97, min_recall: 0.58, min_f1: 0.72 },
    // focused (one organic account in ten), 40k events: P 1.000, R 0.615, F1 0.762 (before: nothing found).
    Cell { scenario: "focused",      scale: "0.2",  seed: "1", min_precision: 0.97, min_recall: 0.55, min_f1: 0.70 },
    // ten times the operations, 50k events: P 1.000, R 0.668, F1 0.801 (before: R 0.44, F1 0.61).
    Cell { scenario: "op-heavy",     scale: "0.05", seed: "3", min_precision: 0.97, min_recall: 0.60, min_f1: 0.74 },
    // rings amplifying their own leaders, 15-30 % participation: P 1.000, R 0.340, F1 0.507 (before: R 0.17, F1 0.29).
    Cell { scenario: "quiet-ring",   scale: "0.05", seed: "1", min_precision: 0.97, min_recall: 0.30, min_f1: 0.45 },
    // super fans within 1-5 s: no fan flagged; P 1.000, R 0.426, F1 0.597 (before: nothing found).
    Cell { scenario: "fast-fans",    scale: "0.05", seed: "3", min_precision: 0.97, min_recall: 0.38, min_f1: 0.53 },
    // slow links spread over 1-10 h: P 1.000, R 0.642, F1 0.782, no slow-link member (before: nothing found).
    Cell { scenario: "slow-links",   scale: "0.05", seed: "1", min_precision: 0.97, min_recall: 0.58, min_f1: 0.72 },
    // rotating hashtag sets and reply waves: P 1.000, R 0.642, F1 0.782 (before: R 0.132, F1 0.233).
    Cell { scenario: "waves",        scale: "0.05", seed: "2", min_precision: 0.97, min_recall: 0.58, min_f1: 0.72 },
    // a thin repost ring (17 members) of which one pair is significant, 100k events: P 1.000, R 0.658, F1 0.794,
    // 12 of the ring's 17 (2026-12-05, seeds of two accounts; before: R 0.494, F1 0.661, no ring member).
    // Since 2026-12-08 (one Benjamini–Hochberg family per seed in the group test): P 1.000, R 0.835, F1 0.910
    // (before: R 0.772, F1 0.871).
    Cell { scenario: "default",      scale: "0.1",  seed: "1", min_precision: 0.97, min_recall: 0.80, min_f1: 0.88 },
    // the same at seed 3: P 1.000, R 0.616, F1 0.763 (2026-12-05, hopeless group tests left out of BH's count;
    // before: R 0.521, F1 0.685). Seed 1 above is at R 0.696, F1 0.821 with it.
    Cell { scenario: "default",      scale: "0.1",  seed: "3", min_precision: 0.97, min_recall: 0.58, min_f1: 0.73 },
    // small at 50k, seed 1: P 1.000, R 0.736, F1 0.848 (2026-12-05, hopeless pairs left out of BH's count;
    // before: R 0.642, F1 0.782).
    Cell { scenario: "small",        scale: "0.05", seed: "1", min_precision: 0.97, min_recall: 0.70, min_f1: 0.82 },
    // focused at 60k events, seed 1: P 1.000, R 0.687, F1 0.815, 12 of a reply swarm's 36 (2026-12-07, the group
    // test's null leaves the cluster's own actions out; before: R 0.639, F1 0.780, 6 of the 36).
    Cell { scenario: "focused",      scale: "0.3",  seed: "1", min_precision: 0.97, min_recall: 0.67, min_f1: 0.80 },
    // no operation: at most 0.1 % of accounts flagged (0 of 1,635 now).
    Cell { scenario: "organic-only", scale: "0.05", seed: "1", min_precision: 0.0,  min_recall: 0.0,  min_f1: 0.0 },
];

/// Fan accounts flagged, at most (issue #14 target).
const MAX_FAN_RATE: f64 = 0.01;
/// Accounts flagged on organic-only data, at most (issue #14 target).
const MAX_ORGANIC_ONLY_RATE: f64 = 0.001;

fn swarmscan(args: &[&str]) {
    let out =
        Command::new(env!("CARGO_BIN_EXE_swarmscan")).args(args).env("NO_COLOR", "1").output().expect("run swarmscan");
    // 3 = finished with skipped records; generated data has none, so 0 only.
    assert!(out.status.success(), "swarmscan {args:?}: {}", String::from_utf8_lossy(&out.stderr));
}

/// What eval says of one cell.
#[derive(Debug)]
struct Scores {
    labelled: u64,
    positives: u64,
    flagged: u64,
    precision: f64,
    recall: f64,
    f1: f64,
    fans: (u64, u64),
    kinds: String,
    /// Operation members counted in eval's participation bands (gen's
    /// `op_actions`), and the share with two or more events.
    in_bands: u64,
    ceiling: Option<f64>,
}

/// Generates, scans and evaluates one cell in `dir`.
fn measure(cell: &Cell, dir: &Path) -> Scores {
    let data = dir.join("data");
    let scan = dir.join("scan");
    let json = dir.join("eval.json");
    let s = |p: &Path| p.to_str().expect("utf-8 temp path").to_string();
    swarmscan(&[
        "--quiet",
        "gen",
        "--out",
        &s(&data),
        "--scenario",
        cell.scenario,
        "--scale",
        cell.scale,
        "--seed",
        cell.seed,
        "--formats",
        "cnt",
    ]);
    swarmscan(&["--quiet", "scan", &s(&data.join("events.csv")), "--out", &s(&scan)]);
    swarmscan(&["--quiet", "eval", &s(&scan), "--labels", &s(&data.join("labels.csv")), "--json", &s(&json)]);
    let m: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&json).expect("eval.json")).expect("eval.json parses");
    let u = |v: &serde_json::Value| v.as_u64().unwrap_or(0);
    let flagged = u(&m["flagged"]);
    let fan = &m["by_kind"]["fan"];
    let kinds = m["by_kind"]
        .as_object()
        .map(|o| {
            o.iter()
                .map(|(k, v)| format!("{k} {}/{}", u(&v["flagged"]), u(&v["accounts"])))
                .collect::<Vec<_>>()
                .join(", ")
        })
        .unwrap_or_default();
    Scores {
        labelled: u(&m["labelled"]),
        positives: u(&m["positives"]),
        flagged,
        precision: if flagged == 0 { 1.0 } else { m["precision"].as_f64().unwrap_or(0.0) },
        recall: m["recall"].as_f64().unwrap_or(0.0),
        f1: m["f1"].as_f64().unwrap_or(0.0),
        fans: (u(&fan["flagged"]), u(&fan["accounts"])),
        kinds,
        in_bands: m["by_participation"].as_array().map_or(0, |b| b.iter().map(|x| u(&x["members"])).sum()),
        ceiling: m["recall_ceiling"].as_f64(),
    }
}

/// The one check: every cell measured, every floor compared, all failures
/// reported together.
fn check(cells: &[Cell]) {
    let mut failures = Vec::new();
    for cell in cells {
        let dir = tempfile::tempdir().expect("tempdir");
        let t = std::time::Instant::now();
        let r = measure(cell, dir.path());
        let name = format!("{} scale {} seed {}", cell.scenario, cell.scale, cell.seed);
        // Shown with --nocapture, and on failure: the figures to set floors from.
        println!(
            "{name}: {:.1} s; {} accounts, {} positive ({:.3} with two or more operation events), {} flagged; precision {:.3} recall {:.3} F1 {:.3}; fans {}/{}; {}",
            t.elapsed().as_secs_f64(),
            r.labelled,
            r.positives,
            r.ceiling.unwrap_or(0.0),
            r.flagged,
            r.precision,
            r.recall,
            r.f1,
            r.fans.0,
            r.fans.1,
            r.kinds
        );
        let mut fail = |what: String| failures.push(format!("{name}: {what} ({r:?})"));
        if r.precision < cell.min_precision {
            fail(format!("precision {:.3} < floor {}", r.precision, cell.min_precision));
        }
        if r.recall < cell.min_recall {
            fail(format!("recall {:.3} < floor {}", r.recall, cell.min_recall));
        }
        if r.f1 < cell.min_f1 {
            fail(format!("F1 {:.3} < floor {}", r.f1, cell.min_f1));
        }
        if r.positives > 0 && (r.in_bands != r.positives || !r.ceiling.is_some_and(|c| c > 0.0 && c <= 1.0)) {
            fail(format!("eval's participation bands hold {} of {} members", r.in_bands, r.positives));
        }
        if r.fans.1 > 0 && r.fans.0 as f64 > MAX_FAN_RATE * r.fans.1 as f64 {
            fail(format!("{} of {} fans flagged (> {} %)", r.fans.0, r.fans.1, 100.0 * MAX_FAN_RATE));
        }
        if r.positives == 0 && r.flagged as f64 > MAX_ORGANIC_ONLY_RATE * r.labelled as f64 {
            fail(format!(
                "{} of {} accounts flagged on organic-only data (> {} %)",
                r.flagged,
                r.labelled,
                100.0 * MAX_ORGANIC_ONLY_RATE
            ));
        }
    }
    assert!(failures.is_empty(), "quality floors not met:\n{}", failures.join("\n"));
}

#[test]
fn quality_floors_on_small_scenario_cells() {
    check(CELLS);
}
