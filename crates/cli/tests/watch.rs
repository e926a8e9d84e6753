//! `swarmscan watch` as a user runs it: the binary against a Jetstream
//! replay server on 127.0.0.1 (compressed frames, Jetstream's own built-in
//! dictionary), stopped by `--duration`, alerts on stdout; then a second run
//! on the same directory resumes without counting anything twice and stops
//! cleanly on Ctrl-C (SIGINT).

#[path = "../../watch/tests/support/replay.rs"]
mod replay;

use std::process::Command;

fn watch(url: &str, out: &std::path::Path, secs: &str) -> (i32, String, String) {
    let o = Command::new(env!("CARGO_BIN_EXE_swarmscan"))
        .args(["watch", "--jetstream", url, "--compress", "--out"])
        .arg(out)
        .args(["--duration", secs, "--every", "1h", "--horizon", "30d"])
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into(),
        String::from_utf8_lossy(&o.stderr).into(),
    )
}

#[test]
fn watch_streams_alerts_and_resumes() {
    let tmp = tempfile::tempdir().unwrap();
    let cfg = swarmscan_gen::GenConfig {
        scale: 0.02,
        seed: 5,
        formats: vec![swarmscan_gen::Format::Jetstream],
        ..Default::default()
    };
    swarmscan_gen::generate(&cfg, tmp.path()).unwrap();
    let text = std::fs::read_to_string(tmp.path().join("events.jetstream.jsonl")).unwrap();
    let lines: Vec<String> = text.lines().map(str::to_string).collect();
    let n = lines.len() as u64;
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
    // The first run sees about half the recording (paced), the second the rest.
    let cfg = replay::Config {
        jetstream: lines,
        dictionary: Some(include_bytes!("../../watch/data/jetstream_zstd_dictionary").to_vec()),
        rate: Some(n as f64 / 6.0),
        ..Default::default()
    };
    let server = rt.block_on(replay::ReplayServer::start(cfg)).unwrap();
    let out = tmp.path().join("live");

    let (code, stdout, stderr) = watch(&server.jetstream_url(), &out, "3s");
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("jetstream: connected to ws://"), "{stderr}");
    let summary = |out: &std::path::Path| -> serde_json::Value {
        serde_json::from_slice(&std::fs::read(out.join("results/summary.json")).unwrap()).unwrap()
    };
    let first = summary(&out)["watch"]["sources"]["jetstream"]["kept"].as_u64().unwrap();
    assert!(first > 0 && first < n, "{first} of {n}");

    // The second run without --duration, stopped by Ctrl-C once everything
    // is archived.
    let child = Command::new(env!("CARGO_BIN_EXE_swarmscan"))
        .args(["watch", "--jetstream", &server.jetstream_url(), "--compress", "--out"])
        .arg(&out)
        .args(["--every", "1h", "--horizon", "30d"])
        .env("NO_COLOR", "1")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let archived = || -> u64 {
        let Ok(b) = std::fs::read(out.join("state.json")) else { return 0 };
        let v: serde_json::Value = serde_json::from_slice(&b).unwrap_or_default();
        v["archive"].as_array().map_or(0, |a| a.iter().map(|f| f["events"].as_u64().unwrap_or(0)).sum())
    };
    let t0 = std::time::Instant::now();
    while archived() < n && t0.elapsed() < std::time::Duration::from_secs(120) {
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    Command::new("kill").args(["-INT", &child.id().to_string()]).status().unwrap();
    let o = child.wait_with_output().unwrap();
    let (stdout2, stderr) = (String::from_utf8_lossy(&o.stdout).to_string(), String::from_utf8_lossy(&o.stderr));
    assert_eq!(o.status.code(), Some(0), "Ctrl-C stops cleanly: {stderr}");
    assert!(stderr.contains("resumed:"), "{stderr}");
    let s = summary(&out);
    let w = &s["watch"];
    assert_eq!(w["resumed_events"].as_u64(), Some(first), "{w}");
    assert_eq!(first + w["sources"]["jetstream"]["kept"].as_u64().unwrap(), n, "nothing lost, nothing twice: {w}");
    assert_eq!(w["sources"]["jetstream"]["read"]["parsed"].as_u64(), Some(n), "read back and new: {w}");
    assert!(w["scans"].as_u64().unwrap() >= 1, "{w}");
    // Alerts: JSON lines naming clusters with evidence.
    let alerts: Vec<serde_json::Value> =
        stdout.lines().chain(stdout2.lines()).map(|l| serde_json::from_str(l).unwrap()).collect();
    assert!(!alerts.is_empty(), "{stderr}");
    for a in &alerts {
        assert!(["appeared", "grew"].contains(&a["kind"].as_str().unwrap()), "{a}");
        assert!(
            !a["new_members"].as_array().unwrap().is_empty() && !a["evidence"].as_array().unwrap().is_empty(),
            "{a}"
        );
    }
    assert!(s["results"]["clusters"].as_u64().unwrap() > 0, "{s}");
    let html = std::fs::read_to_string(out.join("results/report.html")).unwrap();
    assert!(html.contains("swarmscan watch"), "the live report names the watch");
    rt.block_on(server.shutdown());
}
