//! End-to-end tests of the `swarmscan` binary: exit codes, the run summary,
//! located diagnostics, `--strict`, Parquet round trips and the demo.

use std::path::Path;
use std::process::Command;

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn swarmscan(args: &[&str]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_swarmscan")).args(args).env("NO_COLOR", "1").output().unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn real(rel: &str) -> String {
    format!("{}/../../../shared/data/real/{rel}", env!("CARGO_MANIFEST_DIR"))
}

/// Two good flattened tweets around three broken lines.
const BROKEN_TWARC: &str = concat!(
    r#"{"id":"1","text":"hi","author_id":"7","author":{"id":"7","username":"a"},"created_at":"2022-03-01T10:00:00.000Z"}"#,
    "\n",
    r#"{"id":"2","text":"truncated","author_id":"#,
    "\n",
    r#"{"id":"3","text":"wrong type","author_id":5,"created_at":"2022-03-01T10:00:00.000Z"}"#,
    "\n",
    r#"{"id":"4","text":"bad date","author_id":"7","created_at":"yesterday"}"#,
    "\n",
    r#"{"id":"5","text":"ok","author_id":"8","created_at":"2022-03-01T10:00:05.000Z"}"#,
    "\n",
);

fn write(dir: &Path, name: &str, content: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, content).unwrap();
    p.display().to_string()
}

#[test]
fn broken_lines_are_counted_located_and_exit_3() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(dir.path(), "broken.jsonl", BROKEN_TWARC);
    let json = dir.path().join("summary.json");
    let r = swarmscan(&["inspect", &f, "--summary-json", json.to_str().unwrap()]);
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert!(r.stderr.contains("5 records, 2 parsed, 3 skipped"), "{}", r.stderr);
    assert!(r.stderr.contains("broken.jsonl:2: field `author_id`: malformed_json"), "{}", r.stderr);
    assert!(r.stderr.contains("broken.jsonl:3: field `author_id`: bad_value"), "{}", r.stderr);
    assert!(r.stderr.contains("broken.jsonl:4: field `created_at`: bad_timestamp"), "{}", r.stderr);
    let s: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(json).unwrap()).unwrap();
    assert_eq!(s["totals"]["records"], 5);
    assert_eq!(s["totals"]["parsed"], 2);
    assert_eq!(s["totals"]["skipped"], 3);
    assert_eq!(s["totals"]["problems"], 3);
    assert_eq!(s["inputs"]["files"][0]["examples"][1]["line"], 3);
    assert_eq!(s["inputs"]["files"][0]["examples"][1]["field"], "author_id");
}

#[test]
fn strict_stops_at_the_first_bad_record() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(dir.path(), "broken.jsonl", BROKEN_TWARC);
    let r = swarmscan(&["inspect", "--strict", &f]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("--strict"), "{}", r.stderr);
    assert!(r.stderr.contains("broken.jsonl:2:"), "{}", r.stderr);
}

#[test]
fn an_unreadable_input_does_not_stop_the_others() {
    let r = swarmscan(&["inspect", "/nonexistent/x.jsonl", &real("formats/twarc2/twarc_csv_test_flat.jsonl")]);
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert!(r.stderr.contains("/nonexistent/x.jsonl: ?: cannot read"), "{}", r.stderr);
    assert!(r.stderr.contains("100 records, 100 parsed, 0 skipped"), "{}", r.stderr);
}

#[test]
fn clean_input_exits_0_and_stdin_works() {
    let data = std::fs::read(real("formats/coordination_network_toolkit/cnt_coretweet_test_input.csv")).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_swarmscan"))
        .args(["inspect", "-", "--summary-json", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(child.stdin.as_mut().unwrap(), &data).unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let s: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(s["totals"]["parsed"], 15);
    assert_eq!(s["inputs"]["files"][0]["format"], "cnt");
}

#[test]
fn convert_to_parquet_round_trips_every_field() {
    let dir = tempfile::tempdir().unwrap();
    let pq = dir.path().join("ira.parquet");
    let input = real("ira/ira_tweets_by_author_2016-10-01_to_2016-10-07.csv");
    let r = swarmscan(&["convert", &input, "-o", pq.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let opts = swarmscan_ingest::ReadOptions::default();
    let (orig, _) = swarmscan_ingest::read_inputs(std::slice::from_ref(&input), &opts, None).unwrap();
    let mut back = swarmscan_model::Events::new();
    assert_eq!(swarmscan_parquet::read_parquet(&pq, &mut back).unwrap(), 34_429);
    assert_eq!(back.len(), orig.len());
    for i in 0..orig.len() {
        assert_eq!(back.row(i), orig.row(i), "row {i}");
    }
    // And the binary reads it back by content.
    let r = swarmscan(&["inspect", pq.to_str().unwrap(), "--summary-json", "-"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let s: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(s["inputs"]["files"][0]["format"], "parquet");
    assert_eq!(s["events"], 34_429);
}

#[test]
fn mapped_csv_needs_and_uses_columns() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(dir.path(), "mine.csv", "tid,who,when,body\nt1,u1,2024-01-01T00:00:00Z,hello\nt2,u2,1704067260,hi\n");
    let r = swarmscan(&["inspect", &f]);
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert!(r.stderr.contains("--columns"), "{}", r.stderr);
    let r = swarmscan(&["inspect", &f, "--columns", "post_id=tid,account_id=who,timestamp=when,text=body"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("2 records, 2 parsed, 0 skipped"), "{}", r.stderr);
    let r = swarmscan(&["inspect", &f, "--columns", "post_id=tid"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
}

#[test]
fn demo_generates_and_reads_back() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("demo");
    let r = swarmscan(&["demo", "--out", out.to_str().unwrap(), "--scale", "0.02"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    for f in ["events.csv", "events.jsonl", "labels.csv", "operations.json"] {
        assert!(out.join(f).exists(), "{f} missing");
    }
    assert!(r.stderr.contains("0 skipped"), "{}", r.stderr);
    assert!(r.stdout.is_empty());
    // The demo ran `scan` into DIR/scan and scored it against the labels.
    for f in ["accounts.csv", "clusters.csv", "edges.csv", "domains.csv", "summary.json"] {
        assert!(out.join("scan").join(f).exists(), "scan/{f} missing");
    }
    let accounts = std::fs::read_to_string(out.join("scan/accounts.csv")).unwrap();
    assert!(accounts.starts_with("account_id,username,cluster_id,score,signals\n"), "{accounts:.80}");
    assert!(r.stderr.contains("precision") && r.stderr.contains("recall"), "{}", r.stderr);
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("scan/summary.json")).unwrap()).unwrap();
    assert_eq!(summary["command"], "scan");
    assert!(summary["timings_s"]["signals_and_tests"].is_number());
    assert_eq!(summary["totals"]["skipped"], 0);
}

#[test]
fn scan_then_eval_on_labelled_data() {
    let dir = tempfile::tempdir().unwrap();
    let gen_dir = dir.path().join("g");
    let r = swarmscan(&["gen", "--out", gen_dir.to_str().unwrap(), "--scale", "0.1", "--seed", "42"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let input = gen_dir.join("events.csv");
    let run = |out: &str| {
        let o = dir.path().join(out);
        let r = swarmscan(&["scan", input.to_str().unwrap(), "--out", o.to_str().unwrap(), "-q"]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        o
    };
    let (a, b) = (run("s1"), run("s2"));
    for f in ["accounts.csv", "clusters.csv", "edges.csv", "domains.csv"] {
        assert_eq!(std::fs::read(a.join(f)).unwrap(), std::fs::read(b.join(f)).unwrap(), "{f} differs between runs");
    }
    let json = dir.path().join("eval.json");
    let r = swarmscan(&[
        "eval",
        a.to_str().unwrap(),
        "--labels",
        gen_dir.join("labels.csv").to_str().unwrap(),
        "--json",
        json.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let m: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(json).unwrap()).unwrap();
    assert!(m["labelled"].as_u64().unwrap() > 1000, "{m}");
    for k in ["precision", "recall", "f1", "adjusted_rand_index", "purity"] {
        assert!(m[k].is_number(), "{k}: {m}");
    }
    // The scan found something, and what it found is mostly operations.
    assert!(m["flagged"].as_u64().unwrap() >= 5, "{m}");
    assert!(m["precision"].as_f64().unwrap() >= 0.9, "{m}");
    assert!(m["by_kind"]["fan"]["rate"].as_f64().unwrap() <= 0.02, "{m}");
    // Usage errors are exit 2, with the known names.
    let r = swarmscan(&["scan", input.to_str().unwrap(), "--out", "x", "--signals", "co_nope"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("co_repost"), "{}", r.stderr);
}

#[test]
fn help_and_usage_errors() {
    let r = swarmscan(&["--help"]);
    assert_eq!(r.code, 0);
    assert!(r.stdout.contains("Exit codes"), "{}", r.stdout);
    let r = swarmscan(&["inspect"]);
    assert_eq!(r.code, 2);
    let r = swarmscan(&["inspect", "--format", "nope", "x"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("known formats"), "{}", r.stderr);
}
