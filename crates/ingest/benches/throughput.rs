//! Parsing throughput and memory per event, on generated data.
//!
//! `cargo bench -p swarmscan-ingest --bench throughput` generates
//! `SWARMSCAN_BENCH_SCALE` million events (default 0.5) with swarmscan-gen
//! (cached under `target/bench-data/`), then reads the flattened twarc2 JSONL
//! and the toolkit CSV forms of the same events with 1 thread and with all
//! threads (`SWARMSCAN_BENCH_THREADS`, e.g. `1,2`), best of
//! `SWARMSCAN_BENCH_RUNS` (default 3), and prints a Markdown
//! table: MB/s, MB/s per core, records/s, and bytes per event of the columns
//! (without interned strings) and of the interned strings.
#![allow(clippy::print_stdout, clippy::print_stderr)] // a bench binary reports on stdout

use std::path::{Path, PathBuf};
use std::time::Instant;
use swarmscan_ingest::{ReadOptions, read_inputs};

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn data_dir(scale: f64) -> PathBuf {
    let target =
        std::env::var("CARGO_TARGET_DIR").unwrap_or_else(|_| format!("{}/../../target", env!("CARGO_MANIFEST_DIR")));
    let dir = Path::new(&target).join("bench-data").join(format!("gen-{scale}"));
    if !dir.join("labels.csv").exists() {
        eprintln!("generating {scale} M events into {} …", dir.display());
        let cfg = swarmscan_gen::GenConfig { scale, seed: 7, ..Default::default() };
        swarmscan_gen::generate(&cfg, &dir).expect("generate bench data");
    }
    dir
}

fn peak_rss_kb() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    s.lines().find(|l| l.starts_with("VmHWM:"))?.split_whitespace().nth(1)?.parse().ok()
}

fn main() {
    // `cargo bench` passes `--bench`; nothing else to parse.
    let scale: f64 = env_or("SWARMSCAN_BENCH_SCALE", 0.5);
    let runs: usize = env_or("SWARMSCAN_BENCH_RUNS", 3);
    let dir = data_dir(scale);
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    // `SWARMSCAN_BENCH_THREADS=1` with `taskset -c 0` gives a true one-core figure
    // (merging chunks also uses short-lived scoped threads).
    let thread_counts: Vec<usize> = std::env::var("SWARMSCAN_BENCH_THREADS")
        .ok()
        .map(|v| v.split(',').filter_map(|t| t.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![1, cores]);
    println!(
        "| input | format | MB | records | threads | best s | MB/s | MB/s per core | records/s | column B/event | interned B/event |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|---|");
    for file in ["events.jsonl", "events.csv"] {
        let path = dir.join(file).display().to_string();
        let bytes = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
        for &threads in &thread_counts {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
            let mut best = f64::INFINITY;
            let mut last = None;
            for _ in 0..runs {
                let t = Instant::now();
                let (ev, rep) =
                    pool.install(|| read_inputs(std::slice::from_ref(&path), &ReadOptions::default(), None)).unwrap();
                best = best.min(t.elapsed().as_secs_f64());
                last = Some((ev, rep));
            }
            let (mut ev, rep) = last.unwrap();
            ev.shrink_to_fit();
            let n = ev.len().max(1) as f64;
            let mb = bytes as f64 / 1e6;
            println!(
                "| {file} | {} | {mb:.1} | {} | {threads} | {best:.3} | {:.0} | {:.0} | {:.0} | {:.1} | {:.1} |",
                rep.files[0].format,
                rep.parsed(),
                mb / best,
                mb / best / threads as f64,
                rep.parsed() as f64 / best,
                ev.column_bytes() as f64 / n,
                ev.interned_bytes() as f64 / n,
            );
        }
    }
    if let Some(kb) = peak_rss_kb() {
        println!("\npeak RSS of the bench process: {:.1} MiB", kb as f64 / 1024.0);
    }
}
