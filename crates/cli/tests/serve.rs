//! `swarmscan serve` as a user runs it: the binary in a child process on
//! 127.0.0.1, killed mid-scan (SIGKILL, as a crash or an OOM kill would)
//! and started again on the same data folder; stopped by Ctrl-C (SIGINT);
//! and a short load of many concurrent clients. The children are killed
//! when a test fails (the guard in `serve_load`).

#[allow(dead_code)] // its `main` is the benchmark's
#[path = "../benches/serve_load.rs"]
mod serve_load;

use serde_json::json;
use serve_load::{Server, call, wait_job};
use std::time::{Duration, Instant};

fn json_body(v: serde_json::Value) -> Option<(&'static str, Vec<u8>)> {
    Some(("application/json", v.to_string().into_bytes()))
}

#[test]
fn a_killed_server_fails_the_running_job_and_runs_the_queued_one() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    // Big enough that a scan in a debug build takes seconds.
    let events = serve_load::generated("0.15", tmp.path());
    let mut srv = Server::start(&data, &["--max-jobs", "1", "--rate-limit", "0"]);
    let password = srv.password.clone().expect("the first start prints the admin's password");
    let token = serve_load::token(&srv.base, "admin", &password);
    let (s, d) = call(&srv.base, &token, "POST", "/api/datasets?name=gen", Some(("application/octet-stream", events)));
    assert_eq!(s, 201, "{d}");
    let job = |srv: &Server| {
        let (s, j) = call(&srv.base, &token, "POST", "/api/jobs", json_body(json!({ "dataset": d["id"] })));
        assert_eq!(s, 202, "{j}");
        j["id"].as_i64().unwrap()
    };
    let (first, second) = (job(&srv), job(&srv));
    let t = Instant::now();
    loop {
        let (_, j) = call(&srv.base, &token, "GET", &format!("/api/jobs/{first}"), None);
        match j["state"].as_str() {
            Some("running") => break,
            Some("queued") => {}
            _ => panic!("job {first} ended before it could be interrupted: {j}"),
        }
        assert!(t.elapsed() < Duration::from_secs(60), "job {first} never ran");
        std::thread::sleep(Duration::from_millis(20));
    }
    srv.kill();
    let first_stdout = srv.stdout();
    assert!(first_stdout.iter().any(|l| l.contains(&password)), "{first_stdout:?}");
    // What a crash at other moments leaves: results half written, an upload half received.
    std::fs::create_dir_all(data.join("results/999.tmp")).unwrap();
    std::fs::write(data.join("results/999.tmp/clusters.csv"), "half").unwrap();
    std::fs::write(data.join("uploads/0123.part"), "half").unwrap();

    let mut srv = Server::start(&data, &["--max-jobs", "1", "--rate-limit", "0"]);
    assert!(srv.password.is_none());
    let (s, me) = call(&srv.base, &token, "GET", "/api/me", None);
    assert_eq!((s, me["name"].as_str()), (200, Some("admin")), "the token outlives the restart");
    let (s, j) = call(&srv.base, &token, "GET", &format!("/api/jobs/{first}"), None);
    assert_eq!(s, 200);
    assert_eq!(j["state"], "failed", "{j}");
    assert_eq!(j["error"], swarmscan_serve::store::STOPPED_WHILE_RUNNING, "{j}");
    let done = wait_job(&srv.base, &token, second, Duration::from_secs(600));
    assert_eq!(done["state"], "done", "{done}");
    let results = done["results"].as_array().expect("a done job lists its results");
    assert!(results.iter().any(|r| r == "summary.json"), "{results:?}");
    for name in results {
        let name = name.as_str().unwrap();
        let (s, v) = call(&srv.base, &token, "GET", &format!("/api/jobs/{second}/results/{name}"), None);
        assert_eq!(s, 200, "{name}: {v}");
        if name == "summary.json" {
            assert!(v.is_object(), "summary.json parses: {v}");
            assert!(v["events"].as_u64().unwrap() > 0, "{v}");
        }
    }
    let left: Vec<_> = std::fs::read_dir(data.join("results"))
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(left.is_empty(), "results left half written: {left:?}");
    assert_eq!(std::fs::read_dir(data.join("uploads")).unwrap().count(), 0, "uploads left behind");
    // Ctrl-C stops it, and it said what it failed on start.
    srv.interrupt();
    let status = srv.wait_exit(Duration::from_secs(10)).expect("the server stops on Ctrl-C");
    assert_eq!(status.code(), Some(0));
    let (stdout, stderr) = (srv.stdout(), srv.stderr().join("\n"));
    assert!(!stdout.iter().any(|l| l.contains("first start") || l.contains(&password)), "{stdout:?}");
    assert!(stderr.contains("1 job(s) were running when the server last stopped"), "{stderr}");
}

#[test]
fn ctrl_c_stops_an_idle_server() {
    let tmp = tempfile::tempdir().unwrap();
    let mut srv = Server::start(&tmp.path().join("data"), &[]);
    let (s, _) = serve_load::send(&serve_load::agent(false), &srv.base, "GET", "/api/openapi.json", &[], None).unwrap();
    assert_eq!(s, 200);
    let t = Instant::now();
    srv.interrupt();
    let status = srv.wait_exit(Duration::from_secs(10)).expect("the server stops on Ctrl-C");
    assert_eq!(status.code(), Some(0), "stderr: {:?}", srv.stderr());
    assert!(t.elapsed() < Duration::from_secs(10));
    // It no longer listens.
    assert!(serve_load::send(&serve_load::agent(false), &srv.base, "GET", "/api/me", &[], None).is_err());
}

#[test]
fn many_clients_at_once_get_no_server_error() {
    let tmp = tempfile::tempdir().unwrap();
    let srv = Server::start(&tmp.path().join("data"), &["--rate-limit", "0"]);
    let token = serve_load::token(&srv.base, "admin", srv.password.as_deref().unwrap());
    let (ds, job) = serve_load::dataset_with_scan(&srv.base, &token, serve_load::generated("0.002", tmp.path()));
    let report = serve_load::load(&srv.base, &token, &serve_load::mix(&ds, job), 200, Duration::from_secs(3));
    #[allow(clippy::print_stderr)] // the figures, shown with --nocapture
    {
        eprintln!("{report}");
    }
    assert!(report.requests() > 0);
    assert_eq!(report.server_errors(), 0, "{report}");
    assert_eq!(report.transport_errors, 0, "{report}");
    assert_eq!(report.by_status.keys().copied().collect::<Vec<_>>(), [200], "{report}");
    let (s, _) = call(&srv.base, &token, "GET", "/api/me", None);
    assert_eq!(s, 200, "the server still answers");
}
