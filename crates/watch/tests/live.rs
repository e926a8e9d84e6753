//! `watch` end to end against the replay server on 127.0.0.1: generated
//! operations streamed as Jetstream (plain and zstd with a dictionary
//! trained here) and as Mastodon, with dropped connections, repeated events
//! and malformed frames, a restart, and a planted operation's alert time.

#[path = "support/replay.rs"]
mod replay;

use replay::{Config, Faults, ReplayServer};
use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use swarmscan_watch::{Alert, JetstreamOptions, MastodonOptions, SourceEvent, WatchOptions};

/// The contract's tables, which hold every finding (report.html, the GEXF
/// and GraphML add the header: inputs and time).
const TABLES: [&str; 4] = ["accounts.csv", "clusters.csv", "edges.csv", "domains.csv"];
const DAY_MS: i64 = 86_400_000;

fn generated(dir: &Path, format: swarmscan_gen::Format, seed: u64) -> Vec<String> {
    let cfg = swarmscan_gen::GenConfig { scale: 0.02, seed, formats: vec![format], ..Default::default() };
    swarmscan_gen::generate(&cfg, dir).unwrap();
    let text = std::fs::read_to_string(dir.join(format.file_name())).unwrap();
    text.lines().map(str::to_string).collect()
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap()
}

/// Events archived so far, from the durable state.
fn archived(out: &Path) -> u64 {
    let Ok(b) = std::fs::read(out.join("state.json")) else { return 0 };
    let Ok(v) = serde_json::from_slice::<serde_json::Value>(&b) else { return 0 };
    v["archive"].as_array().map_or(0, |a| a.iter().map(|f| f["events"].as_u64().unwrap_or(0)).sum())
}

/// Runs `watch` until `until` holds for the archive count (or 120 s pass),
/// then stops it; returns the alerts and the summary.
fn watch_until(opts: WatchOptions, until: impl Fn(u64) -> bool) -> (Vec<Alert>, serde_json::Value) {
    let out = opts.out.clone();
    let stop = Arc::new(AtomicBool::new(false));
    let alerts = Arc::new(Mutex::new(Vec::new()));
    let a = alerts.clone();
    let on: Arc<dyn Fn(SourceEvent) + Send + Sync> = Arc::new(move |e| {
        if let SourceEvent::Alert(al) = e {
            a.lock().unwrap().push(al);
        }
    });
    let s = stop.clone();
    let watcher = std::thread::spawn(move || swarmscan_watch::run(opts, s, on));
    let t0 = Instant::now();
    while !until(archived(&out)) && t0.elapsed() < Duration::from_secs(120) {
        std::thread::sleep(Duration::from_millis(50));
    }
    stop.store(true, Ordering::Relaxed);
    watcher.join().unwrap().unwrap();
    let summary = serde_json::from_slice(&std::fs::read(out.join("results/summary.json")).unwrap()).unwrap();
    let alerts = alerts.lock().unwrap().clone();
    (alerts, summary)
}

/// The archive's lines, in writing order (files in name order per source).
fn archive_lines(out: &Path, source: &str) -> Vec<String> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(out.join("archive"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().unwrap().to_str().unwrap().starts_with(source))
        .collect();
    files.sort();
    let mut text = String::new();
    for f in files {
        zstd::stream::read::Decoder::new(std::fs::File::open(f).unwrap()).unwrap().read_to_string(&mut text).unwrap();
    }
    text.lines().map(str::to_string).collect()
}

/// A batch scan's tables of `lines` read as one file, as `swarmscan scan` does.
fn batch_tables(lines: &[String], dir: &Path) -> BTreeMap<&'static str, Vec<u8>> {
    let path = dir.join("batch.jsonl");
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    let (ev, report) =
        swarmscan_ingest::read_inputs(&[path.display().to_string()], &swarmscan_ingest::ReadOptions::default(), None)
            .unwrap();
    let run = swarmscan_scan::run(
        &ev,
        &swarmscan_scan::ScanParams::default(),
        &swarmscan_domains::OutletList::builtin(),
        &|_| {},
    )
    .unwrap();
    let header = swarmscan_report::Header::for_inputs("test", &report);
    let data = swarmscan_report::explain(&run.result, &run.params, &run.lookalikes, header);
    let mut out = BTreeMap::new();
    for (name, write) in swarmscan_report::OUTPUTS {
        if TABLES.contains(&name) {
            let mut buf = Vec::new();
            write(&data, &mut buf).unwrap();
            out.insert(name, buf);
        }
    }
    out
}

fn live_tables(out: &Path) -> BTreeMap<&'static str, Vec<u8>> {
    TABLES.iter().map(|&n| (n, std::fs::read(out.join("results").join(n)).unwrap())).collect()
}

fn options(out: &Path) -> WatchOptions {
    let mut o = WatchOptions::new(out.to_path_buf());
    // The generated week fits the horizon whole; a scan per simulated day.
    o.horizon_ms = 30 * DAY_MS;
    o.every_ms = DAY_MS;
    o
}

fn jetstream(url: String, dictionary: Option<Vec<u8>>) -> JetstreamOptions {
    JetstreamOptions {
        url,
        collections: vec!["app.bsky.feed.post".into(), "app.bsky.feed.repost".into()],
        dids: vec![],
        dictionary: dictionary.map(Arc::new),
    }
}

fn train_dictionary(lines: &[String]) -> Vec<u8> {
    let samples: Vec<&[u8]> = lines.iter().step_by(7).take(2000).map(|l| l.as_bytes()).collect();
    zstd::dict::from_samples(&samples, 16 << 10).unwrap()
}

fn faults() -> Faults {
    Faults { drop_after: Some(700), repeat_every: Some(13), malformed_every: Some(97), rewind_us: 3_000_000 }
}

#[test]
fn plain_and_compressed_streams_lose_nothing_repeat_nothing_and_equal_a_batch_scan() {
    let tmp = tempfile::tempdir().unwrap();
    let lines = generated(tmp.path(), swarmscan_gen::Format::Jetstream, 11);
    assert!(lines.len() > 5_000, "{} events", lines.len());
    let dict = train_dictionary(&lines);
    let batch = batch_tables(&lines, tmp.path());
    assert!(batch["clusters.csv"].iter().filter(|&&b| b == b'\n').count() > 1, "the batch scan finds clusters");

    let rt = runtime();
    let mut per_mode = Vec::new();
    for compressed in [false, true] {
        let cfg = Config {
            jetstream: lines.clone(),
            mastodon: vec![],
            dictionary: Some(dict.clone()),
            faults: faults(),
            rate: None,
        };
        let server = rt.block_on(ReplayServer::start(cfg)).unwrap();
        let out = tmp.path().join(if compressed { "zstd" } else { "plain" });
        let mut o = options(&out);
        o.jetstream = Some(jetstream(server.jetstream_url(), compressed.then(|| dict.clone())));
        let n = lines.len() as u64;
        let (_, summary) = watch_until(o, |a| a >= n);
        let stats = server.stats();
        rt.block_on(server.shutdown());

        // Nothing lost, nothing twice, in stream order.
        assert_eq!(archive_lines(&out, "jetstream"), lines, "compressed: {compressed}");
        let js = &summary["watch"]["sources"]["jetstream"];
        assert_eq!(js["kept"].as_u64(), Some(n));
        assert!(js["duplicates"].as_u64().unwrap() > 0, "repeats and rewinds were dropped: {js}");
        assert!(stats.drops > 3, "connections were dropped: {stats:?}");
        assert!(js["reconnects"].as_u64().unwrap() >= 3, "{js}");
        let malformed: u64 = js["malformed_frames"].as_object().unwrap().values().map(|v| v.as_u64().unwrap()).sum();
        let skipped = js["read"]["skipped"].as_object().unwrap();
        let skipped_bad: u64 = skipped.values().map(|v| v.as_u64().unwrap()).sum();
        // Malformed frames are counted (undecodable ones by the client,
        // non-events by the reader) and never kept as events.
        assert!(malformed + skipped_bad > 0, "{js}");
        assert!(malformed + skipped_bad <= stats.malformed_frames, "{js} vs {stats:?}");
        assert_eq!(js["read"]["parsed"].as_u64(), Some(n), "{js}");
        // The live result is the batch scan's.
        assert_eq!(live_tables(&out), batch, "compressed: {compressed}");
        per_mode.push(live_tables(&out));
    }
    assert_eq!(per_mode[0], per_mode[1]);
}

#[test]
fn a_restart_resumes_from_the_saved_cursor_with_nothing_lost_or_counted_twice() {
    let tmp = tempfile::tempdir().unwrap();
    let lines = generated(tmp.path(), swarmscan_gen::Format::Jetstream, 12);
    let rt = runtime();
    let cfg = Config {
        jetstream: lines.clone(),
        mastodon: vec![],
        dictionary: None,
        faults: Faults { rewind_us: 5_000_000, ..Faults::default() },
        rate: Some(20_000.0),
    };
    let server = rt.block_on(ReplayServer::start(cfg)).unwrap();
    let out = tmp.path().join("live");
    let n = lines.len() as u64;
    let first = {
        let mut o = options(&out);
        o.jetstream = Some(jetstream(server.jetstream_url(), None));
        watch_until(o, |a| a >= n / 3).1
    };
    let kept_first = first["watch"]["sources"]["jetstream"]["kept"].as_u64().unwrap();
    assert!(kept_first < n, "stopped part-way: {kept_first} of {n}");
    let mut o = options(&out);
    o.jetstream = Some(jetstream(server.jetstream_url(), None));
    let (_, second) = watch_until(o, |a| a >= n);
    rt.block_on(server.shutdown());
    let w = &second["watch"];
    assert_eq!(w["resumed_events"].as_u64(), Some(kept_first), "{w}");
    assert_eq!(kept_first + w["sources"]["jetstream"]["kept"].as_u64().unwrap(), n, "{w}");
    assert!(w["sources"]["jetstream"]["duplicates"].as_u64().unwrap() > 0, "the rewound events came again: {w}");
    assert_eq!(archive_lines(&out, "jetstream"), lines);
    assert_eq!(live_tables(&out), batch_tables(&lines, tmp.path()));
}

#[test]
fn mastodon_gaps_are_filled_from_the_timeline() {
    let tmp = tempfile::tempdir().unwrap();
    let lines = generated(tmp.path(), swarmscan_gen::Format::Mastodon, 13);
    let rt = runtime();
    let cfg = Config {
        jetstream: vec![],
        mastodon: lines.clone(),
        dictionary: None,
        faults: Faults { drop_after: Some(900), repeat_every: Some(17), malformed_every: Some(101), rewind_us: 0 },
        rate: Some(10_000.0),
    };
    let server = rt.block_on(ReplayServer::start(cfg)).unwrap();
    let out = tmp.path().join("live");
    let mut o = options(&out);
    o.mastodon = Some(MastodonOptions { url: server.mastodon_url(), token: None, since_id: Some("0".into()) });
    let n = lines.len() as u64;
    let (_, summary) = watch_until(o, |a| a >= n);
    let stats = server.stats();
    rt.block_on(server.shutdown());
    assert!(stats.drops > 0 && stats.rest_requests > 1, "{stats:?}");
    let m = &summary["watch"]["sources"]["mastodon"];
    assert_eq!(m["kept"].as_u64(), Some(n), "{m}");
    let mut got = archive_lines(&out, "mastodon");
    let mut want = lines.clone();
    got.sort();
    want.sort();
    assert_eq!(got, want, "every status once");
    assert_eq!(m["read"]["parsed"].as_u64(), Some(n), "{m}");
}

/// An HTTP endpoint on 127.0.0.1 that keeps the body of every POST.
fn webhook_receiver() -> (String, Arc<Mutex<Vec<Vec<u8>>>>) {
    use std::io::{BufRead, BufReader, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    let bodies = Arc::new(Mutex::new(Vec::new()));
    let b = bodies.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut len = 0usize;
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    len = v.trim().parse().unwrap();
                }
            }
            let mut body = vec![0; len];
            reader.read_exact(&mut body).unwrap();
            b.lock().unwrap().push(body);
            let _ = stream.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: close\r\n\r\n");
        }
    });
    (url, bodies)
}

/// A Jetstream post with one link, as the relay sends it.
fn post(did: &str, rkey: &str, time_us: i64, text: &str, url: Option<&str>) -> String {
    let mut record = serde_json::json!({
        "$type": "app.bsky.feed.post",
        "createdAt": swarmscan_model::format_rfc3339_ms(time_us / 1000),
        "text": text,
        "langs": ["en"],
    });
    if let Some(u) = url {
        let start = text.find(u).unwrap();
        record["facets"] = serde_json::json!([{
            "index": {"byteStart": start, "byteEnd": start + u.len()},
            "features": [{"$type": "app.bsky.richtext.facet#link", "uri": u}],
        }]);
    }
    serde_json::json!({
        "did": did, "time_us": time_us, "kind": "commit",
        "commit": {"rev": "r", "operation": "create", "collection": "app.bsky.feed.post", "rkey": rkey,
                   "record": record, "cid": "c"},
    })
    .to_string()
}

#[test]
fn a_planted_operation_raises_an_alert_within_one_window_of_the_activity_that_reveals_it() {
    // Two hours of organic posting (400 accounts sharing links from a pool
    // of 300) and, from the second hour, 12 accounts posting each new link
    // of a lookalike domain together within 20 s, every 4 minutes.
    let start_us: i64 = 1_722_211_200_000_000;
    let mut rng = 0x2545_f491_4f6c_dd1du64;
    let mut next = move || {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        rng
    };
    let mut events: Vec<(i64, String)> = Vec::new();
    for i in 0..6000 {
        let t = start_us + (next() % 7_200_000_000) as i64;
        let url = format!("https://site{}.example/a/{}", next() % 40, next() % 300);
        let did = format!("did:plc:organic{}", next() % 400);
        events.push((t, post(&did, &format!("o{i}"), t, &format!("look {url}"), Some(&url))));
    }
    let op: Vec<String> = (0..12).map(|i| format!("did:plc:op{i:02}")).collect();
    let mut bursts = Vec::new();
    for b in 0..15 {
        let t0 = start_us + 3_600_000_000 + b * 240_000_000;
        bursts.push(t0 / 1000);
        let url = format!("https://washingtonpost.pm/2024/story-{b}");
        for (j, did) in op.iter().enumerate() {
            let t = t0 + (next() % 20_000_000) as i64;
            events.push((t, post(did, &format!("b{b}m{j}"), t, &format!("must read {url}"), Some(&url))));
        }
    }
    events.sort_by_key(|e| e.0);
    let lines: Vec<String> = events.iter().map(|e| e.1.clone()).collect();
    let times: Vec<i64> = events.iter().map(|e| e.0 / 1000).collect();

    let window_ms = swarmscan_scan::ScanParams::default().windows[swarmscan_scan::Signal::CoLink.index()];
    let tmp = tempfile::tempdir().unwrap();
    let rt = runtime();
    let cfg =
        Config { jetstream: lines.clone(), mastodon: vec![], dictionary: None, faults: Faults::default(), rate: None };
    let server = rt.block_on(ReplayServer::start(cfg)).unwrap();
    let out = tmp.path().join("live");
    let (hook_url, posted) = webhook_receiver();
    let mut o = WatchOptions::new(out.clone());
    o.jetstream = Some(jetstream(server.jetstream_url(), None));
    o.every_ms = window_ms;
    o.lateness_ms = 0;
    o.webhook = Some(hook_url);
    o.alerts_file = Some(tmp.path().join("alerts.jsonl"));
    let n = lines.len() as u64;
    let (alerts, summary) = watch_until(o, |a| a >= n);
    rt.block_on(server.shutdown());
    // Every alert reached the webhook and the file, as the JSON of the callback's.
    let as_json: Vec<serde_json::Value> = alerts.iter().map(|a| serde_json::to_value(a).unwrap()).collect();
    let posted: Vec<serde_json::Value> =
        posted.lock().unwrap().iter().map(|b| serde_json::from_slice(b).unwrap()).collect();
    assert_eq!(posted, as_json);
    let filed: Vec<serde_json::Value> = std::fs::read_to_string(tmp.path().join("alerts.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(filed, as_json);
    assert_eq!(summary["watch"]["webhook_failed"].as_u64(), Some(0));

    let is_op = |a: &Alert| a.members.iter().filter(|m| op.contains(m)).count() >= 3;
    let first = alerts.iter().find(|a| is_op(a)).expect("an alert names the operation");
    assert!(
        alerts.iter().filter(|a| a.kind == "appeared").all(|a| a.members.iter().all(|m| op.contains(m))),
        "no organic account alerted: {alerts:?}"
    );
    let at = swarmscan_model::parse_rfc3339_ms(&first.watermark).unwrap();
    // The events that reveal it: a batch scan of everything up to the
    // scan time before the alert's does not find it, one up to the alert's does.
    let prefix = |until: i64| -> Vec<String> {
        lines.iter().zip(&times).filter(|(_, t)| **t <= until).map(|(l, _)| l.clone()).collect()
    };
    let finds = |until: i64| {
        let t = batch_tables(&prefix(until), tmp.path());
        op.iter().filter(|d| String::from_utf8_lossy(&t["accounts.csv"]).contains(d.as_str())).count() >= 3
    };
    assert!(finds(at), "a batch scan up to the alert finds the operation");
    assert!(!finds(at - window_ms), "and one a window earlier does not: the alert came within one window");
    // And the activity that revealed it is the burst just before the alert.
    let last_burst = bursts.iter().filter(|&&b| b <= at).max().unwrap();
    assert!(at - last_burst <= window_ms + 20_000, "alert at {at}, burst at {last_burst}");
    assert!(first.evidence.iter().any(|e| e.target.contains("washingtonpost.pm")), "{first:?}");
}

#[test]
fn a_long_replay_keeps_only_the_horizon() {
    // A generated week through a one-day horizon, scanned twice a day: each
    // scan holds one day of events (to a chunk's span), never the week.
    let tmp = tempfile::tempdir().unwrap();
    let lines = generated(tmp.path(), swarmscan_gen::Format::Jetstream, 14);
    let times: Vec<i64> = lines
        .iter()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["time_us"].as_i64().unwrap() / 1000)
        .collect();
    let rt = runtime();
    let cfg = Config { jetstream: lines.clone(), ..Config::default() };
    let server = rt.block_on(ReplayServer::start(cfg)).unwrap();
    let out = tmp.path().join("live");
    let mut o = WatchOptions::new(out.clone());
    o.jetstream = Some(jetstream(server.jetstream_url(), None));
    o.horizon_ms = DAY_MS;
    o.every_ms = DAY_MS / 2;
    let span = (o.every_ms.min(o.horizon_ms) / 16).max(1000);
    let lateness = o.lateness_ms;
    let scans = Arc::new(Mutex::new(Vec::new()));
    let sc = scans.clone();
    let stop = Arc::new(AtomicBool::new(false));
    let on: Arc<dyn Fn(SourceEvent) + Send + Sync> = Arc::new(move |e| {
        if let SourceEvent::Scanned(s) = e {
            sc.lock().unwrap().push(s);
        }
    });
    let s = stop.clone();
    let watcher = std::thread::spawn(move || swarmscan_watch::run(o, s, on));
    let t0 = Instant::now();
    while archived(&out) < lines.len() as u64 && t0.elapsed() < Duration::from_secs(120) {
        std::thread::sleep(Duration::from_millis(50));
    }
    stop.store(true, Ordering::Relaxed);
    let report = watcher.join().unwrap().unwrap();
    rt.block_on(server.shutdown());
    let scans = scans.lock().unwrap();
    assert!(scans.len() >= 12, "{} scans", scans.len());
    let within = |lo: i64, hi: i64| times.iter().filter(|&&t| t >= lo && t <= hi).count() as u64;
    for s in scans.iter() {
        let w = swarmscan_model::parse_rfc3339_ms(&s.watermark).unwrap();
        let (most, least) = (within(w - DAY_MS - span, w + lateness + span), within(w - DAY_MS + span, w));
        assert!(
            s.events <= most && s.events >= least,
            "scan at {}: {} events, expected {least}..={most}",
            s.watermark,
            s.events
        );
        assert!(s.events * 3 < lines.len() as u64, "a day, not the week");
    }
    assert_eq!(report.sources["jetstream"].kept, lines.len() as u64);
}
