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
    swarmscan_env(args, &[])
}

fn swarmscan_env(args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_swarmscan"));
    cmd.args(args).env("NO_COLOR", "1").env_remove("SOURCE_DATE_EPOCH");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
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
    let outputs = ["accounts.csv", "clusters.csv", "edges.csv", "domains.csv", "summary.json", "report.html"];
    for f in outputs.into_iter().chain(["network.gexf", "network.graphml"]) {
        assert!(out.join("scan").join(f).exists(), "scan/{f} missing");
    }
    assert!(r.stderr.contains("report.html"), "the summary points at the report: {}", r.stderr);
    let accounts = std::fs::read_to_string(out.join("scan/accounts.csv")).unwrap();
    assert!(accounts.starts_with("account_id,username,cluster_id,score,signals,why\n"), "{accounts:.80}");
    assert!(r.stderr.contains("precision") && r.stderr.contains("recall"), "{}", r.stderr);
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("scan/summary.json")).unwrap()).unwrap();
    assert_eq!(summary["command"], "scan");
    let timings = &summary["timings_s"];
    assert!(timings["signals_and_tests"].is_number());
    // Each signal's step is timed, and the steps fit in their stage.
    let steps: f64 = ["co_similar", "co_link", "co_repost", "co_amplify", "clustering"]
        .iter()
        .map(|s| timings[format!("signals_and_tests/{s}")].as_f64().unwrap_or_else(|| panic!("no step {s}: {timings}")))
        .sum();
    assert!(steps <= timings["signals_and_tests"].as_f64().unwrap() + 1e-3, "{timings}");
    assert_eq!(summary["totals"]["skipped"], 0);
}

#[test]
fn scan_then_eval_on_labelled_data() {
    let dir = tempfile::tempdir().unwrap();
    let gen_dir = dir.path().join("g");
    let r = swarmscan(&["gen", "--out", gen_dir.to_str().unwrap(), "--scale", "0.1", "--seed", "42"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let input = gen_dir.join("events.csv");
    // The generation time is pinned the reproducible-builds way; the second
    // run also uses one thread.
    let run = |out: &str, threads: &str| {
        let o = dir.path().join(out);
        let args = ["scan", input.to_str().unwrap(), "--out", o.to_str().unwrap(), "-q", "--threads", threads];
        let r = swarmscan_env(&args, &[("SOURCE_DATE_EPOCH", "1700000000")]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        assert!(r.stderr.is_empty() && r.stdout.is_empty(), "--quiet printed: {}{}", r.stdout, r.stderr);
        o
    };
    let (a, b) = (run("s1", "2"), run("s2", "1"));
    let outputs =
        ["accounts.csv", "clusters.csv", "edges.csv", "domains.csv", "report.html", "network.gexf", "network.graphml"];
    for f in outputs {
        assert_eq!(std::fs::read(a.join(f)).unwrap(), std::fs::read(b.join(f)).unwrap(), "{f} differs between runs");
    }
    let report = std::fs::read_to_string(a.join("report.html")).unwrap();
    assert!(report.contains("2023-11-14T22:13:20"), "the pinned generation time is not in the report");
    graph_exports_match_the_tables(&a);
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
    let r = swarmscan(&["scan", input.to_str().unwrap(), "--out", "x", "--window", "co_hashtag=auto"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("cannot be estimated"), "{}", r.stderr);

    // Estimated windows: written with their reason, and not the defaults.
    let o = dir.path().join("auto");
    let r = swarmscan(&["scan", input.to_str().unwrap(), "--out", o.to_str().unwrap(), "--window", "auto"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("estimating windows"), "{}", r.stderr);
    let sum: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(o.join("summary.json")).unwrap()).unwrap();
    let params = sum["results"]["parameters"].as_array().unwrap();
    let window = |name: &str| params.iter().find(|x| x["name"] == name).unwrap_or_else(|| panic!("{name}: {sum}"));
    for s in ["co_repost", "co_reply", "co_link", "co_text"] {
        let w = window(&format!("window.{s}"));
        assert!(w["why"].as_str().unwrap().starts_with("estimated from this data"), "{w}");
    }
    // Signals whose keys are cut by the window keep theirs.
    assert_eq!(window("window.co_hashtag")["value"], "600 s");
}

/// `network.gexf` and `network.graphml` parse back to the accounts and
/// edges of `accounts.csv` and `edges.csv`, with their attributes.
fn graph_exports_match_the_tables(dir: &Path) {
    let mut accounts = csv::Reader::from_path(dir.join("accounts.csv")).unwrap();
    let accounts: std::collections::BTreeMap<String, String> =
        accounts.records().map(|r| r.unwrap()).map(|r| (r[0].to_string(), r[2].to_string())).collect();
    let mut edges = csv::Reader::from_path(dir.join("edges.csv")).unwrap();
    let edges: Vec<(String, String, String)> =
        edges.records().map(|r| r.unwrap()).map(|r| (r[0].to_string(), r[1].to_string(), r[2].to_string())).collect();
    assert!(!accounts.is_empty() && !edges.is_empty());

    let gexf = std::fs::read_to_string(dir.join("network.gexf")).unwrap();
    let doc = roxmltree::Document::parse(&gexf).expect("network.gexf is XML");
    let ids: std::collections::BTreeMap<&str, &str> = doc
        .descendants()
        .filter(|n| n.has_tag_name("attribute") && n.parent().is_some_and(|p| p.attribute("class") == Some("node")))
        .map(|n| (n.attribute("id").unwrap(), n.attribute("title").unwrap()))
        .collect();
    let cluster_attr = ids.iter().find(|(_, t)| **t == "cluster").map(|(id, _)| *id).expect("a cluster attribute");
    let mut nodes = 0;
    for n in doc.descendants().filter(|n| n.has_tag_name("node")) {
        nodes += 1;
        let id = n.attribute("id").unwrap();
        let cluster = n
            .descendants()
            .find(|v| v.has_tag_name("attvalue") && v.attribute("for") == Some(cluster_attr))
            .and_then(|v| v.attribute("value"))
            .unwrap();
        assert_eq!(accounts.get(id).map(String::as_str), Some(cluster), "GEXF node {id}");
    }
    assert_eq!(nodes, accounts.len());
    let gexf_edges: Vec<(String, String, String)> = doc
        .descendants()
        .filter(|n| n.has_tag_name("edge"))
        .map(|e| {
            let kind = e.attribute("kind").unwrap_or_default().to_string();
            (e.attribute("source").unwrap().to_string(), e.attribute("target").unwrap().to_string(), kind)
        })
        .collect();
    assert_eq!(gexf_edges, edges, "GEXF edges (source, target, kind) = edges.csv (source, target, signal)");

    let graphml = std::fs::read_to_string(dir.join("network.graphml")).unwrap();
    let doc = roxmltree::Document::parse(&graphml).expect("network.graphml is XML");
    let nodes: std::collections::BTreeSet<&str> =
        doc.descendants().filter(|n| n.has_tag_name("node")).map(|n| n.attribute("id").unwrap()).collect();
    assert_eq!(nodes.len(), accounts.len());
    assert!(accounts.keys().all(|a| nodes.contains(a.as_str())));
    let graphml_edges = doc.descendants().filter(|n| n.has_tag_name("edge")).count();
    assert_eq!(graphml_edges, edges.len());
}

/// On a terminal (a pseudo-terminal from util-linux `script`), `scan` draws
/// progress and colour; `NO_COLOR` removes the colour but keeps the stage
/// lines.
#[test]
fn terminal_progress_and_no_color() {
    if Command::new("script").arg("--version").output().is_err() {
        #[allow(clippy::print_stderr)]
        {
            eprintln!("skipping: util-linux `script` is not installed");
        }
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let input = real("formats/twarc2/twarc_csv_test_flat.jsonl");
    let on_tty = |no_color: Option<&str>| {
        let out = dir.path().join("o");
        let line = format!("{} scan {input} --out {}", env!("CARGO_BIN_EXE_swarmscan"), out.display());
        let mut cmd = Command::new("script");
        cmd.args(["-q", "-e", "-c", &line, "/dev/null"]).env("TERM", "xterm").env_remove("NO_COLOR");
        if let Some(v) = no_color {
            cmd.env("NO_COLOR", v);
        }
        let o = cmd.output().unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stdout));
        String::from_utf8_lossy(&o.stdout).into_owned()
    };
    let coloured = on_tty(None);
    assert!(coloured.contains("\x1b[32m✓"), "no coloured stage line on a terminal: {coloured:?}");
    assert!(coloured.contains("testing signals"), "{coloured}");
    let plain = on_tty(Some("1"));
    assert!(plain.contains("✓ reading"), "{plain}");
    assert!(!plain.contains("\x1b[3") && !plain.contains("\x1b[1m"), "colour despite NO_COLOR: {plain:?}");
}

#[test]
fn help_and_usage_errors() {
    let r = swarmscan(&["--help"]);
    assert_eq!(r.code, 0);
    assert!(r.stdout.contains("Exit codes") && r.stdout.contains("swarmscan demo"), "{}", r.stdout);
    let r = swarmscan(&["scan", "--help"]);
    assert_eq!(r.code, 0);
    for what in ["report.html", "network.gexf", "Examples:", "--fdr", "co_similar"] {
        assert!(r.stdout.contains(what), "scan --help lacks {what}: {}", r.stdout);
    }
    let r = swarmscan(&["inspect"]);
    assert_eq!(r.code, 2);
    let r = swarmscan(&["inspect", "--format", "nope", "x"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("known formats"), "{}", r.stderr);
}

/// The part of `help` that documents `--flag`: from its line to the next
/// option's, whitespace collapsed (clap wraps lines to the terminal).
fn flag_help(help: &str, flag: &str) -> String {
    let start = help.find(&format!("--{flag} <")).unwrap_or_else(|| panic!("no --{flag} in:\n{help}"));
    let rest = &help[start..];
    let end = rest.match_indices('\n').map(|(i, _)| i).find(|&i| rest[i + 1..].trim_start().starts_with('-'));
    rest[..end.unwrap_or(rest.len())].split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `scan --help` lists the signals from the registry, so a new signal shows
/// up there without anyone editing help text: `--signals` names each with
/// its co-action and default window, `--window` the estimable ones only.
#[test]
fn scan_help_names_every_registered_signal() {
    use swarmscan_scan::REGISTRY;
    let long = swarmscan(&["scan", "--help"]);
    assert_eq!(long.code, 0, "{}", long.stderr);
    let short = swarmscan(&["scan", "-h"]);
    assert_eq!(short.code, 0, "{}", short.stderr);
    let signals = flag_help(&long.stdout, "signals");
    let window = flag_help(&long.stdout, "window");
    let short_signals = flag_help(&short.stdout, "signals");
    for spec in REGISTRY {
        let name = spec.signal.as_str();
        let line = format!("{name} {}, default window {} s", spec.co_action, spec.window_ms / 1000);
        assert!(signals.contains(&line), "scan --help's --signals lacks {line:?}: {signals}");
        assert!(short_signals.contains(name), "scan -h's --signals lacks {name}: {short_signals}");
        assert_eq!(window.contains(name), spec.estimable, "scan --help's --window and {name}: {window}");
    }
}

/// `--memory-limit` is parsed, printed at the start, honoured and written
/// into summary.json; a limit below the event table spills every signal's
/// actions to disk, and where no temporary file can be made they are built
/// again instead, with the same outputs either way; a bad value is a usage
/// error naming the flag.
#[test]
fn memory_limit_is_reported_and_honoured() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let r = swarmscan(&["gen", "--out", d.to_str().unwrap(), "--scale", "0.01", "--seed", "3", "--formats", "cnt"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let input = d.join("events.csv");
    let input = input.to_str().unwrap();
    let scan = |out: &str, limit: &[&str], env: &[(&str, &str)]| {
        let out = d.join(out);
        let mut args = vec!["scan", input, "--out", out.to_str().unwrap()];
        args.extend_from_slice(limit);
        let r = swarmscan_env(&args, &[&[("SOURCE_DATE_EPOCH", "1")], env].concat());
        assert_eq!(r.code, 0, "{}", r.stderr);
        let s: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
        (r, s["results"]["memory"].clone(), out)
    };
    // The default: a share of this machine's memory, said at the start.
    let (r, m, unlimited) = scan("default", &[], &[]);
    assert!(r.stderr.lines().next().is_some_and(|l| l.starts_with("memory")), "{}", r.stderr);
    assert_eq!(m["levels_kept"], 8, "{m}");
    let (r, m, spilled) = scan("spilled", &["--memory-limit", "1K"], &[]);
    assert!(r.stderr.contains("memory limit 1 KiB (--memory-limit)"), "{}", r.stderr);
    assert_eq!(m["limit_bytes"], 1024, "{m}");
    assert_eq!((m["levels_kept"].as_u64(), m["levels_spilled"].as_u64()), (Some(0), Some(8)), "{m}");
    // Every level that tested a pair spilled its tested pairs.
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(spilled.join("summary.json")).unwrap()).unwrap();
    let testing = summary["results"]["signals"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["level"]["tested"].as_u64().is_some_and(|t| t > 0))
        .count() as u64;
    assert!(testing >= 4, "{summary}");
    assert_eq!(m["tested_pairs_spilled"].as_u64(), Some(testing), "{m}");
    // Every stratum's pair tests went to disk as they came, and were merged
    // back from it.
    assert!(m["test_runs_spilled"].as_u64().is_some_and(|n| n >= 8), "{m}");
    // The group test's hits are batched within the limit (here the least
    // batch, which this small set fits in one per level).
    assert!(m["group_test_batches"].as_u64().is_some_and(|n| (1..=8).contains(&n)), "{m}");
    let nowhere = d.join("no such directory");
    let (_, m, rebuilt) = scan("rebuilt", &["--memory-limit", "1K"], &[("TMPDIR", nowhere.to_str().unwrap())]);
    assert_eq!((m["levels_spilled"].as_u64(), m["levels_rebuilt"].as_u64()), (Some(0), Some(8)), "{m}");
    assert_eq!((m["tested_pairs_spilled"].as_u64(), m["test_runs_spilled"].as_u64()), (Some(0), Some(0)), "{m}");
    let clusters = std::fs::read_to_string(unlimited.join("clusters.csv")).unwrap();
    assert!(clusters.lines().count() > 1, "nothing found: the comparison would be empty");
    for f in ["accounts.csv", "clusters.csv", "edges.csv", "domains.csv", "report.html", "network.gexf"] {
        let want = std::fs::read(unlimited.join(f)).unwrap();
        assert!(std::fs::read(spilled.join(f)).unwrap() == want, "{f} differs when spilled");
        assert!(std::fs::read(rebuilt.join(f)).unwrap() == want, "{f} differs when built again");
    }
    let r = swarmscan(&["scan", input, "--out", d.join("bad").to_str().unwrap(), "--memory-limit", "lots"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("--memory-limit"), "{}", r.stderr);
}
