//! How many events a second `watch` holds end to end, with detection on.
//!
//! Generated Jetstream events (posts and reposts with planted operations,
//! `swarmscan_gen`) are re-timed to a stream of `RATE` events per second of
//! server time and replayed from 127.0.0.1 as fast as the client takes
//! them. `watch` reads, deduplicates, archives (zstd, synced), parses and
//! scans the horizon every `EVERY` seconds of stream time, blocking the
//! stream while a scan is behind (backpressure). The rate it holds is
//! events / wall time: at or above `RATE`, it keeps up with a live stream of
//! that rate. The replay server runs in a child process (this binary with
//! `serve`), so the resident memory sampled every half second is `watch`'s
//! alone.
//!
//! Re-timing squeezes the generated week into seconds, so every account's
//! actions fall inside each other's windows: the scans here cost far more
//! per event than on real collections (a pessimistic load for detection).
//!
//! ```text
//! cargo bench -p swarmscan-watch --bench watch_rate -- [EVENTS_MILLIONS] [RATE] [HORIZON_S] [EVERY_S] [compress] [keepup]
//! ```
//! Defaults: 1 (million events), 20000, 10, 5, text frames, every scan time
//! scanned (`keepup`: what `swarmscan watch` does by default, skipping scan
//! times that come while a snapshot still waits).
#![allow(clippy::print_stdout, clippy::print_stderr)]

#[path = "../tests/support/replay.rs"]
mod replay;

use std::io::BufRead;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

fn rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("VmRSS:")).map(|l| l.to_string()))
        .and_then(|l| l.split_whitespace().nth(1).and_then(|k| k.parse::<f64>().ok()))
        .map_or(0.0, |kb| kb / 1024.0)
}

/// The child: serves the lines of a file as Jetstream until stdin closes.
/// With `warm`, every frame is compressed once before the URL is printed
/// (the server caches them), so compressing is not measured.
fn serve(path: &str, warm: bool) {
    let lines: Vec<String> = std::fs::read_to_string(path).unwrap().lines().map(str::to_string).collect();
    let n = lines.len();
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
    let server = rt
        .block_on(replay::ReplayServer::start(replay::Config {
            jetstream: lines,
            dictionary: Some(swarmscan_watch::JETSTREAM_DICTIONARY.to_vec()),
            ..Default::default()
        }))
        .unwrap();
    if warm {
        rt.block_on(async {
            use futures_util::StreamExt;
            let url = format!("{}?compress=true", server.jetstream_url());
            let (mut ws, _) = tokio_tungstenite::connect_async(url.as_str()).await.unwrap();
            let mut got = 0;
            while got < n {
                if let Some(Ok(tokio_tungstenite::tungstenite::Message::Binary(_))) = ws.next().await {
                    got += 1;
                }
            }
        });
    }
    println!("{}", server.jetstream_url());
    let _ = std::io::Read::read_to_end(&mut std::io::stdin(), &mut Vec::new());
    rt.block_on(server.shutdown());
}

/// Events archived so far (the durable state's count).
fn archived(out: &std::path::Path) -> u64 {
    std::fs::read(out.join("state.json"))
        .ok()
        .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok())
        .and_then(|v| v["archive"].as_array().map(|a| a.iter().map(|f| f["events"].as_u64().unwrap_or(0)).sum()))
        .unwrap_or(0)
}

fn main() {
    let argv: Vec<String> = std::env::args().collect();
    if argv.len() == 4 && argv[1] == "serve" {
        return serve(&argv[2], argv[3] == "warm");
    }
    let args: Vec<&String> = argv.iter().skip(1).filter(|a| !a.starts_with("--")).collect();
    let arg = |i: usize, d: f64| args.get(i).and_then(|a| a.parse().ok()).unwrap_or(d);
    let (millions, rate, horizon_s, every_s) = (arg(0, 1.0), arg(1, 20_000.0), arg(2, 10.0), arg(3, 5.0));
    let compress = args.iter().any(|a| *a == "compress");
    let keep_up = args.iter().any(|a| *a == "keepup");

    let tmp = tempfile::tempdir().unwrap();
    let cfg = swarmscan_gen::GenConfig {
        scale: millions,
        seed: 7,
        formats: vec![swarmscan_gen::Format::Jetstream],
        ..Default::default()
    };
    swarmscan_gen::generate(&cfg, tmp.path()).unwrap();
    let text = std::fs::read_to_string(tmp.path().join(swarmscan_gen::Format::Jetstream.file_name())).unwrap();
    // Re-time: event i at i / RATE seconds of stream time.
    let t0_us: i64 = 1_722_211_200_000_000;
    let mut recording = String::with_capacity(text.len());
    let mut n = 0u64;
    for (i, l) in text.lines().enumerate() {
        let at = l.find("\"time_us\":").expect("time_us") + 10;
        let end = at + l[at..].find(|c: char| !c.is_ascii_digit()).unwrap();
        let t = t0_us + (i as f64 * 1e6 / rate) as i64;
        recording.push_str(&l[..at]);
        recording.push_str(&t.to_string());
        recording.push_str(&l[end..]);
        recording.push('\n');
        n += 1;
    }
    drop(text);
    let path = tmp.path().join("recording.jsonl");
    std::fs::write(&path, &recording).unwrap();
    let bytes = recording.len();
    drop(recording);

    let mut child = std::process::Command::new(std::env::current_exe().unwrap())
        .arg("serve")
        .arg(&path)
        .arg(if compress { "warm" } else { "cold" })
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut url = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap()).read_line(&mut url).unwrap();
    let base_rss = rss_mb();

    let out = tmp.path().join("live");
    let mut o = swarmscan_watch::WatchOptions::new(out.clone());
    o.jetstream = Some(swarmscan_watch::JetstreamOptions {
        url: url.trim().to_string(),
        collections: vec![],
        dids: vec![],
        dictionary: compress.then(|| Arc::new(swarmscan_watch::JETSTREAM_DICTIONARY.to_vec())),
    });
    o.horizon_ms = (horizon_s * 1000.0) as i64;
    o.every_ms = (every_s * 1000.0) as i64;
    o.lateness_ms = 1000;
    o.keep_up = keep_up;
    let stop = Arc::new(AtomicBool::new(false));
    let scans = Arc::new(std::sync::Mutex::new(Vec::new()));
    let sc = scans.clone();
    let on: Arc<dyn Fn(swarmscan_watch::SourceEvent) + Send + Sync> = Arc::new(move |e| {
        if let swarmscan_watch::SourceEvent::Scanned(s) = e {
            sc.lock().unwrap().push(s);
        }
    });
    let t = Instant::now();
    let s = stop.clone();
    let watcher = std::thread::spawn(move || swarmscan_watch::run(o, s, on));
    let mut samples = Vec::new();
    while archived(&out) < n {
        std::thread::sleep(Duration::from_millis(500));
        samples.push(rss_mb());
    }
    let ingest_s = t.elapsed().as_secs_f64();
    stop.store(true, Ordering::Relaxed);
    let report = watcher.join().unwrap().unwrap();
    let total_s = t.elapsed().as_secs_f64();
    drop(child.stdin.take());
    let _ = child.wait();

    let scans = scans.lock().unwrap();
    let scan_s: f64 = scans.iter().map(|s| s.seconds).sum();
    let max_horizon = scans.iter().map(|s| s.events).max().unwrap_or(0);
    let q = |f: f64| samples.get(((samples.len().max(1) - 1) as f64 * f) as usize).copied().unwrap_or(0.0);
    println!(
        "events {n} ({:.0} MB of JSON), stream rate {rate}/s, horizon {horizon_s} s, every {every_s} s, {}",
        bytes as f64 / 1e6,
        if compress { "zstd frames" } else { "text frames" }
    );
    println!(
        "held {:.0} events/s over {ingest_s:.1} s ({:.2}x the stream rate); {} scans ({} scan times skipped), \
         {scan_s:.1} s scanning, largest horizon {max_horizon} events; final scan done at {total_s:.1} s",
        n as f64 / ingest_s,
        n as f64 / ingest_s / rate,
        report.scans,
        report.scans_skipped
    );
    println!(
        "RSS MB of watch ({base_rss:.0} before it started): at 10% of the run {:.0}, 25% {:.0}, 50% {:.0}, \
         75% {:.0}, 100% {:.0}; horizon at the end {} events",
        q(0.1),
        q(0.25),
        q(0.5),
        q(0.75),
        q(1.0),
        report.horizon_events
    );
}
