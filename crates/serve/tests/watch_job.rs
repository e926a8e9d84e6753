//! `watch` jobs end to end (issue #20): a server whose `--watch-source` is
//! the replay server of `crates/watch/tests/support` on 127.0.0.1, serving
//! an hour of generated Bluesky posts with a planted operation, re-timed to
//! stream in a few seconds. Checked: what is shown while the job runs (the
//! live counters, the latest results, an alert naming the operation), what
//! remains when it ends (its events as a dataset that a scan job reads to
//! the same findings), who may queue and see it, that only the allowed
//! sources are ever connected to, and that cancel, a shutdown and a crash
//! all keep the events collected.

#[path = "../../watch/tests/support/replay.rs"]
mod replay;

use replay::{Faults, ReplayServer};
use serde_json::{Value, json};
use std::path::Path;
use std::time::{Duration, Instant};
use swarmscan_serve::{Config, Handle};

/// The scan contract's tables: every finding (the report and graph files
/// add the inputs and the time).
const TABLES: [&str; 4] = ["accounts.csv", "clusters.csv", "edges.csv", "domains.csv"];

/// A server on a port of its own, called with API tokens.
struct Srv {
    handle: Option<Handle>,
    base: String,
    agent: ureq::Agent,
}

fn start(data: &Path, sources: &[String], max_jobs: usize) -> (Srv, Option<String>) {
    let cfg = Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        max_jobs,
        rate_limit: None,
        watch_sources: sources.to_vec(),
        ..Config::new(data.to_path_buf())
    };
    let handle = swarmscan_serve::spawn(cfg, false).expect("the server starts");
    let s = handle.started().clone();
    let agent = ureq::Agent::config_builder().http_status_as_error(false).max_idle_connections(0).build().into();
    let srv = Srv { handle: Some(handle), base: format!("http://{}", s.addr), agent };
    (srv, s.bootstrap.map(|b| b.password))
}

impl Srv {
    fn stop(mut self) {
        self.handle.take().unwrap().stop();
    }

    /// The answer's status and body.
    fn send(&self, method: &str, path: &str, token: &str, body: Option<Value>) -> (u16, Vec<u8>) {
        let mut req = ureq::http::Request::builder()
            .method(method)
            .uri(format!("{}{path}", self.base))
            .header("Authorization", format!("Bearer {token}"));
        if body.is_some() {
            req = req.header("Content-Type", "application/json");
        }
        let req = req.body(body.map(|b| b.to_string().into_bytes()).unwrap_or_default()).unwrap();
        let mut resp = self.agent.run(req).expect("an HTTP answer");
        let status = resp.status().as_u16();
        (status, resp.body_mut().with_config().limit(64 << 20).read_to_vec().unwrap())
    }

    fn json(&self, method: &str, path: &str, token: &str, body: Option<Value>) -> (u16, Value) {
        let (s, b) = self.send(method, path, token, body);
        (s, serde_json::from_slice(&b).unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&b).into())))
    }

    fn job(&self, token: &str, id: i64) -> Value {
        let (s, j) = self.json("GET", &format!("/api/jobs/{id}"), token, None);
        assert_eq!(s, 200, "{j}");
        j
    }

    /// A result file's bytes (200 asserted).
    fn result(&self, token: &str, id: i64, file: &str) -> Vec<u8> {
        let (s, b) = self.send("GET", &format!("/api/jobs/{id}/results/{file}"), token, None);
        assert_eq!(s, 200, "{file}: {}", String::from_utf8_lossy(&b));
        b
    }

    /// Polls job `id` until `until` holds (at most `limit`).
    fn wait_for(&self, token: &str, id: i64, limit: Duration, until: impl Fn(&Value) -> bool) -> Value {
        let t = Instant::now();
        loop {
            let j = self.job(token, id);
            if until(&j) {
                return j;
            }
            assert!(t.elapsed() < limit, "job {id} after {limit:?}: {j}");
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// A new API token of `name`, signed in with `password`.
    fn token(&self, name: &str, password: &str) -> String {
        let login = ureq::http::Request::builder()
            .method("POST")
            .uri(format!("{}/api/login", self.base))
            .header("Content-Type", "application/json")
            .body(json!({ "name": name, "password": password }).to_string().into_bytes())
            .unwrap();
        let mut resp = self.agent.run(login).unwrap();
        assert_eq!(resp.status().as_u16(), 200);
        let cookie = resp.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_string();
        let v: Value = serde_json::from_slice(&resp.body_mut().read_to_vec().unwrap()).unwrap();
        let req = ureq::http::Request::builder()
            .method("POST")
            .uri(format!("{}/api/tokens", self.base))
            .header("Cookie", cookie)
            .header("X-CSRF-Token", v["csrf"].as_str().unwrap())
            .header("Content-Type", "application/json")
            .body(b"{}".to_vec())
            .unwrap();
        let mut resp = self.agent.run(req).unwrap();
        let v: Value = serde_json::from_slice(&resp.body_mut().read_to_vec().unwrap()).unwrap();
        v["token"].as_str().unwrap().to_string()
    }

    /// Adds a user (as `admin`); their token.
    fn user(&self, admin: &str, name: &str, role: &str) -> String {
        let pw = format!("{name}-password");
        let (s, v) =
            self.json("POST", "/api/users", admin, Some(json!({ "name": name, "role": role, "password": pw })));
        assert_eq!(s, 201, "{v}");
        self.token(name, &pw)
    }
}

/// A Jetstream post with one link, as the relay sends it.
fn post(did: &str, rkey: &str, time_us: i64, url: &str) -> String {
    let text = format!("read {url}");
    let start = text.find(url).unwrap();
    serde_json::json!({
        "did": did, "time_us": time_us, "kind": "commit",
        "commit": {"rev": "r", "operation": "create", "collection": "app.bsky.feed.post", "rkey": rkey, "cid": "c",
            "record": {
                "$type": "app.bsky.feed.post",
                "createdAt": swarmscan_model::format_rfc3339_ms(time_us / 1000),
                "text": text,
                "langs": ["en"],
                "facets": [{"index": {"byteStart": start, "byteEnd": start + url.len()},
                            "features": [{"$type": "app.bsky.richtext.facet#link", "uri": url}]}],
            }},
    })
    .to_string()
}

/// An hour of 150 accounts sharing links from a pool of 200, and 12 that
/// post each new link of a lookalike domain together within 20 s, every 2
/// minutes from the start; in stream order. Also the 12 accounts.
fn recording() -> (Vec<String>, Vec<String>) {
    let start_us: i64 = 1_722_211_200_000_000;
    let mut rng = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = move || {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        rng
    };
    let mut events: Vec<(i64, String)> = Vec::new();
    for i in 0..1500 {
        let t = start_us + (next() % 3_600_000_000) as i64;
        let url = format!("https://site{}.example/a/{}", next() % 30, next() % 200);
        events.push((t, post(&format!("did:plc:organic{}", next() % 150), &format!("o{i}"), t, &url)));
    }
    let op: Vec<String> = (0..12).map(|i| format!("did:plc:op{i:02}")).collect();
    for b in 0..29 {
        let t0 = start_us + 60_000_000 + b * 120_000_000;
        let url = format!("https://washingtonpost.pm/2024/story-{b}");
        for (j, did) in op.iter().enumerate() {
            let t = t0 + (next() % 20_000_000) as i64;
            events.push((t, post(did, &format!("b{b}m{j}"), t, &url)));
        }
    }
    events.sort_by_key(|e| e.0);
    (events.into_iter().map(|e| e.1).collect(), op)
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap()
}

/// A replay server streaming `lines` as Jetstream at `rate` events a second.
fn replay(rt: &tokio::runtime::Runtime, lines: &[String], rate: f64) -> ReplayServer {
    let cfg =
        replay::Config { jetstream: lines.to_vec(), faults: Faults::default(), rate: Some(rate), ..Default::default() };
    rt.block_on(ReplayServer::start(cfg)).unwrap()
}

/// A watch of `url`: an hour of stream time scanned every 10 minutes, a
/// horizon that holds it all, no lateness.
fn watch(url: &str, duration_s: f64) -> Value {
    json!({ "kind": "watch", "params": {
        "jetstream": url, "duration_s": duration_s, "horizon_s": 30 * 86_400, "every_s": 600, "lateness_s": 0 } })
}

fn lines_of(bytes: &[u8]) -> Vec<Value> {
    String::from_utf8_lossy(bytes).lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

#[test]
fn a_watch_job_shows_live_results_and_alerts_and_keeps_its_events_as_a_dataset() {
    let (lines, op) = recording();
    let n = lines.len() as u64;
    let rt = runtime();
    let source = replay(&rt, &lines, 400.0);
    let outside = replay(&rt, &lines, 400.0);
    let dir = tempfile::tempdir().unwrap();
    let (srv, pw) = start(dir.path(), &[source.jetstream_url()], 1);
    let admin = srv.token("admin", &pw.unwrap());
    let analyst = srv.user(&admin, "ann", "analyst");
    let other = srv.user(&admin, "bob", "analyst");
    let viewer = srv.user(&admin, "vic", "viewer");

    // Refused before anything connects: a viewer; a source the admin did
    // not allow, or one that only looks like it.
    let (s, v) = srv.json("POST", "/api/jobs", &viewer, Some(watch(&source.jetstream_url(), 12.0)));
    assert_eq!(s, 403, "{v}");
    let port = source.addr().port();
    for url in [
        outside.jetstream_url(),
        format!("ws://127.0.0.1:{port}/subscriber"),
        format!("ws://127.0.0.1:{port}/subscribe/../admin"),
        format!("wss://127.0.0.1:{port}/subscribe"),
        format!("ws://localhost:{port}/subscribe"),
    ] {
        let (s, v) = srv.json("POST", "/api/jobs", &analyst, Some(watch(&url, 12.0)));
        assert_eq!(s, 400, "{url}: {v}");
        assert!(v["error"].as_str().unwrap().contains("--watch-source"), "{url}: {v}");
    }
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(outside.stats().connections, 0, "the server never connected to a source it does not allow");
    assert_eq!(source.stats().connections, 0, "nor to an allowed one for a refused job");

    let t0 = Instant::now();
    let (s, q) = srv.json("POST", "/api/jobs", &analyst, Some(watch(&source.jetstream_url(), 12.0)));
    assert_eq!(s, 202, "{q}");
    let id = q["id"].as_i64().unwrap();
    // Its creator and the admins see it; another analyst does not.
    assert_eq!(srv.json("GET", &format!("/api/jobs/{id}"), &other, None).0, 404);
    assert_eq!(srv.json("POST", &format!("/api/jobs/{id}/cancel"), &other, None).0, 404);
    assert_eq!(srv.job(&admin, id)["dataset_id"], Value::Null);
    let listed = |token: &str| -> bool {
        let (_, all) = srv.json("GET", "/api/jobs", token, None);
        all.as_array().unwrap().iter().any(|j| j["id"] == id)
    };
    assert!(listed(&analyst) && listed(&admin) && !listed(&other) && !listed(&viewer));

    // While it runs: its counters, the latest results and the alerts.
    let mut alert = None;
    while alert.is_none() {
        let j = srv.job(&analyst, id);
        assert!(matches!(j["state"].as_str(), Some("queued" | "running")), "it ended before an alert showed: {j}");
        let results: Vec<&str> =
            j["results"].as_array().map_or(vec![], |r| r.iter().filter_map(Value::as_str).collect());
        if j["live"]["scans"].as_u64() >= Some(1) && results.contains(&"alerts.jsonl") {
            assert!(j["live"]["events_kept"].as_u64().unwrap() > 0, "{j}");
            assert!(results.contains(&"clusters.csv") && results.contains(&"report.html"), "{j}");
            assert!(j["stage"].as_str().unwrap().starts_with("watching"), "{j}");
            let alerts = lines_of(&srv.result(&analyst, id, "alerts.jsonl"));
            alert = alerts.into_iter().find(|a| {
                a["members"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .filter(|m| op.contains(&m.as_str().unwrap().to_string()))
                    .count()
                    >= 3
            });
            srv.result(&analyst, id, "clusters.csv");
            srv.result(&admin, id, "summary.json");
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    let alert = alert.unwrap();
    assert_eq!(srv.job(&analyst, id)["state"], "running", "the alert showed while the job ran");
    assert_eq!(alert["kind"], "appeared", "{alert}");
    // The alert names its report on this server, not a server path.
    assert_eq!(alert["report"], format!("/api/jobs/{id}/results/report.html"));
    let (s, report) = srv.send("GET", &format!("/api/jobs/{id}/results/report.html"), &analyst, None);
    assert_eq!(s, 200);
    assert!(!String::from_utf8_lossy(&report).contains(&dir.path().display().to_string()), "no server path");

    // The end: done after its duration, its events a dataset.
    let j = srv.wait_for(&analyst, id, Duration::from_secs(90), |j| j["state"] != "running");
    let took = t0.elapsed();
    assert_eq!(j["state"], "done", "{j}");
    assert!(took >= Duration::from_secs(12), "it ran its duration: {took:?}");
    assert!(j["live"].is_null() && j["stage"].is_null(), "{j}");
    let mut want: Vec<String> = swarmscan_report::OUTPUTS.iter().map(|(n, _)| n.to_string()).collect();
    want.extend(["summary.json".to_string(), "alerts.jsonl".to_string()]);
    let mut got: Vec<String> = j["results"].as_array().unwrap().iter().map(|r| r.as_str().unwrap().into()).collect();
    got.sort();
    want.sort();
    assert_eq!(got, want);
    let datasets = j["datasets"].as_array().unwrap();
    assert_eq!(datasets.len(), 1, "{j}");
    let ds = datasets[0].as_str().unwrap().to_string();
    let summary: Value = serde_json::from_slice(&srv.result(&analyst, id, "summary.json")).unwrap();
    assert_eq!(summary["kind"], "watch");
    assert_eq!(summary["datasets"], json!([ds]));
    let kept = summary["watch"]["sources"]["jetstream"]["kept"].as_u64().unwrap();
    assert_eq!(kept, n, "every event streamed was kept: {summary}");
    assert_eq!(summary["horizon_events"].as_u64(), Some(n), "the last scan held every event");
    let filed = lines_of(&srv.result(&analyst, id, "alerts.jsonl"));
    assert!(filed.contains(&alert) && summary["watch"]["alerts"].as_u64() == Some(filed.len() as u64), "{summary}");

    let (s, d) = srv.json("GET", &format!("/api/datasets/{ds}"), &analyst, None);
    assert_eq!(s, 200, "{d}");
    assert_eq!((d["records"].as_u64(), d["parsed"].as_u64()), (Some(n), Some(n)), "{d}");
    assert_eq!((d["owner_name"].as_str(), d["format"].as_str()), (Some("ann"), Some("bluesky")), "{d}");
    assert!(d["name"].as_str().unwrap().starts_with(&format!("watch #{id}: jetstream")), "{d}");
    assert_eq!(srv.json("GET", &format!("/api/datasets/{ds}"), &other, None).0, 404, "the creator's dataset");

    // A scan of the dataset finds what the watch's last scan found: the
    // same events in the same order, whole in its horizon.
    let (s, q) = srv.json("POST", "/api/jobs", &analyst, Some(json!({ "dataset": ds })));
    assert_eq!(s, 202, "{q}");
    let scan = q["id"].as_i64().unwrap();
    let sj =
        srv.wait_for(&analyst, scan, Duration::from_secs(90), |j| j["state"] != "queued" && j["state"] != "running");
    assert_eq!(sj["state"], "done", "{sj}");
    for table in TABLES {
        let (live, batch) = (srv.result(&analyst, id, table), srv.result(&analyst, scan, table));
        assert_eq!(String::from_utf8_lossy(&live), String::from_utf8_lossy(&batch), "{table}");
    }
    let accounts = String::from_utf8(srv.result(&analyst, scan, "accounts.csv")).unwrap();
    assert!(op.iter().all(|a| accounts.contains(a.as_str())), "the scan finds the operation: {accounts}");
    assert_eq!(source.stats().connections, 1, "one connection, held for the whole watch");
    assert!(!dir.path().join(format!("results/{id}.live")).exists(), "the live folder is gone");
    srv.stop();
    rt.block_on(source.shutdown());
    rt.block_on(outside.shutdown());
}

#[test]
fn a_cancelled_watch_stops_at_once_and_keeps_its_events() {
    let (lines, _) = recording();
    let rt = runtime();
    // Slow: still streaming when it is cancelled.
    let source = replay(&rt, &lines, 100.0);
    let dir = tempfile::tempdir().unwrap();
    let (srv, pw) = start(dir.path(), &[source.jetstream_url()], 1);
    let admin = srv.token("admin", &pw.unwrap());
    let analyst = srv.user(&admin, "ann", "analyst");
    let (s, q) = srv.json("POST", "/api/jobs", &analyst, Some(watch(&source.jetstream_url(), 600.0)));
    assert_eq!(s, 202, "{q}");
    let id = q["id"].as_i64().unwrap();
    srv.wait_for(&analyst, id, Duration::from_secs(60), |j| j["live"]["events_kept"].as_u64() > Some(0));

    let t = Instant::now();
    let (s, c) = srv.json("POST", &format!("/api/jobs/{id}/cancel"), &analyst, None);
    assert_eq!((s, c["state"].as_str()), (200, Some("cancelled")), "{c}");
    let j = srv.wait_for(&analyst, id, Duration::from_secs(30), |j| j["datasets"].is_array() && j["live"].is_null());
    assert!(t.elapsed() < Duration::from_secs(5), "stopped {:?} after the cancel", t.elapsed());
    assert_eq!(j["state"], "cancelled", "{j}");
    assert_eq!(j["results"], Value::Null, "a cancelled job has no results: {j}");
    assert_eq!(srv.send("GET", &format!("/api/jobs/{id}/results/clusters.csv"), &analyst, None).0, 409);
    let ds = j["datasets"][0].as_str().expect("its events are a dataset");
    let (_, d) = srv.json("GET", &format!("/api/datasets/{ds}"), &analyst, None);
    let records = d["records"].as_u64().unwrap();
    assert!(records > 0 && records < lines.len() as u64 && d["parsed"] == d["records"], "{d}");
    assert!(!dir.path().join(format!("results/{id}.live")).exists());
    srv.stop();
    rt.block_on(source.shutdown());
}

#[test]
fn a_shutdown_or_a_crash_keeps_the_events_collected() {
    let (lines, _) = recording();
    let rt = runtime();
    let source = replay(&rt, &lines, 100.0);
    let dir = tempfile::tempdir().unwrap();
    let sources = [source.jetstream_url()];
    let (srv, pw) = start(dir.path(), &sources, 1);
    let pw = pw.unwrap();
    let admin = srv.token("admin", &pw);
    let analyst = srv.user(&admin, "ann", "analyst");
    let queue = |duration: f64| {
        let (s, q) = srv.json("POST", "/api/jobs", &analyst, Some(watch(&source.jetstream_url(), duration)));
        assert_eq!(s, 202, "{q}");
        q["id"].as_i64().unwrap()
    };
    let a = queue(600.0);
    let b = queue(600.0); // waits: one job at a time
    srv.wait_for(&analyst, a, Duration::from_secs(60), |j| j["live"]["events_kept"].as_u64() > Some(0));
    // What a crash would leave of it: the state first, then the archive,
    // whose files may have grown past what the state records.
    let live = dir.path().join(format!("results/{a}.live"));
    let crashed = dir.path().join("crashed");
    std::fs::create_dir_all(crashed.join("archive")).unwrap();
    std::fs::copy(live.join("state.json"), crashed.join("state.json")).unwrap();
    for f in std::fs::read_dir(live.join("archive")).unwrap().flatten() {
        std::fs::copy(f.path(), crashed.join("archive").join(f.file_name())).unwrap();
    }
    srv.stop();

    // As if a server had then claimed `b`, run it into `crashed`, and died.
    {
        let (store, _) = swarmscan_serve::store::Store::open(&dir.path().join("swarmscan.db")).unwrap();
        assert_eq!(store.claim_next().unwrap().unwrap().id, b);
    }
    std::fs::rename(&crashed, dir.path().join(format!("results/{b}.live"))).unwrap();
    let (srv, _) = start(dir.path(), &sources, 0);
    let admin = srv.token("admin", &pw);
    for id in [a, b] {
        let j = srv.job(&admin, id);
        assert_eq!(j["state"], "failed", "{j}");
        assert_eq!(j["error"], swarmscan_serve::store::STOPPED_WHILE_RUNNING, "{j}");
        let ds = j["datasets"][0].as_str().unwrap_or_else(|| panic!("job {id} kept no dataset: {j}"));
        let (s, d) = srv.json("GET", &format!("/api/datasets/{ds}"), &analyst, None);
        assert_eq!(s, 200, "the creator's: {d}");
        assert!(d["records"].as_u64().unwrap() > 0 && d["parsed"] == d["records"], "{d}");
        assert!(!dir.path().join(format!("results/{id}.live")).exists(), "job {id}'s live folder is gone");
    }
    srv.stop();
    rt.block_on(source.shutdown());
}
