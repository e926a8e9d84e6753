//! Issue #16 end to end: a damaged archive gives every readable record and a
//! clear account of what was lost (exit 3); a failed write (a full disk,
//! injected with `SWARMSCAN_FAIL_WRITES_AFTER`, or an unwritable place) exits
//! 1 naming the path and the reason and leaves no partial file, nor replaces
//! an earlier whole one.

use std::io::Write;
use std::path::Path;
use std::process::Command;

struct Run {
    code: i32,
    stderr: String,
}

fn swarmscan(args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_swarmscan"));
    cmd.args(args).env("NO_COLOR", "1").env_remove("SWARMSCAN_FAIL_WRITES_AFTER");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    Run { code: out.status.code().unwrap_or(-1), stderr: String::from_utf8_lossy(&out.stderr).into_owned() }
}

fn real(rel: &str) -> String {
    format!("{}/../../../shared/data/real/{rel}", env!("CARGO_MANIFEST_DIR"))
}

/// The names in `dir`, sorted.
fn listing(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> =
        std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    v.sort();
    v
}

#[test]
fn a_truncated_archive_gives_every_complete_record_and_exit_3() {
    let dir = tempfile::tempdir().unwrap();
    let plain = std::fs::read(real("formats/twarc2/twarc_csv_test_flat.jsonl")).unwrap();
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(&plain).unwrap();
    let gz = e.finish().unwrap();
    let cut = dir.path().join("cut.jsonl.gz");
    std::fs::write(&cut, &gz[..gz.len() / 2]).unwrap();
    let json = dir.path().join("summary.json");
    let r = swarmscan(&["inspect", cut.to_str().unwrap(), "--summary-json", json.to_str().unwrap()], &[]);
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert!(r.stderr.contains("truncated_input"), "{}", r.stderr);
    assert!(r.stderr.contains("breaks off at byte"), "{}", r.stderr);
    let s: serde_json::Value = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
    let f = &s["inputs"]["files"][0];
    assert_eq!(f["skipped"]["truncated_input"], 1, "{s}");
    assert!(f["parsed"].as_u64().unwrap() > 10, "{s}");
}

#[test]
fn a_full_disk_leaves_no_partial_output_and_exits_1() {
    let dir = tempfile::tempdir().unwrap();
    let input = real("formats/coordination_network_toolkit/cnt_examples_sample_data_synthetic.csv");
    let full = [("SWARMSCAN_FAIL_WRITES_AFTER", "10")];
    // network: an earlier whole edge list survives a failed rewrite.
    let edges = dir.path().join("edges.csv");
    std::fs::write(&edges, "earlier,whole\n").unwrap();
    let r = swarmscan(&["network", "co_repost", &input, "-o", edges.to_str().unwrap()], &full);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains(&format!("cannot write {}", edges.display())), "{}", r.stderr);
    assert!(r.stderr.contains("No space left on device"), "{}", r.stderr);
    assert_eq!(std::fs::read_to_string(&edges).unwrap(), "earlier,whole\n");
    // summary JSON
    let json = dir.path().join("summary.json");
    let r = swarmscan(&["inspect", &input, "--summary-json", json.to_str().unwrap()], &full);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains(&format!("cannot write {}", json.display())), "{}", r.stderr);
    // domains
    let found = dir.path().join("findings.csv");
    let urls = dir.path().join("urls.txt");
    std::fs::write(&urls, "https://washingtonpost.pm/a\n".repeat(20)).unwrap();
    let r = swarmscan(
        &["domains", "--domains", urls.to_str().unwrap(), "-o", found.to_str().unwrap()],
        &[("SWARMSCAN_FAIL_WRITES_AFTER", "10")],
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains(&format!("cannot write {}", found.display())), "{}", r.stderr);
    assert_eq!(listing(dir.path()), ["edges.csv", "urls.txt"], "no partial or temporary files");
}

#[test]
fn an_unwritable_place_is_named_with_its_reason() {
    let dir = tempfile::tempdir().unwrap();
    let input = real("formats/coordination_network_toolkit/cnt_examples_sample_data_synthetic.csv");
    // A directory that is a file: fails even for root, unlike permissions.
    std::fs::write(dir.path().join("file"), "").unwrap();
    let out = dir.path().join("file/edges.csv");
    let r = swarmscan(&["network", "co_repost", &input, "-o", out.to_str().unwrap()], &[]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains(&format!("cannot write {}: Not a directory", out.display())), "{}", r.stderr);
    let pq = dir.path().join("file/events.parquet");
    let r = swarmscan(&["convert", &input, "-o", pq.to_str().unwrap()], &[]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains(&format!("cannot write {}", pq.display())), "{}", r.stderr);
    assert_eq!(listing(dir.path()), ["file"]);
}

#[test]
fn a_record_limit_flag_is_honoured() {
    let input = real("formats/twarc2/twarc_csv_test_flat.jsonl");
    let r = swarmscan(&["inspect", &input, "--max-record-bytes", "4K"], &[]);
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert!(r.stderr.contains("record_too_large"), "{}", r.stderr);
    let r = swarmscan(&["inspect", &input, "--max-record-bytes", "4Q"], &[]);
    assert_eq!(r.code, 2, "{}", r.stderr);
}
