//! Generates a data set from the command line and prints the summary and the
//! throughput: `cargo run --release -p swarmscan-gen --example gen -- OUT [SCALE] [SEED] [csv|jsonl|both|none|FORMAT,…] [SCENARIO]`
//! (`FORMAT` is a [`Format`] name: `cnt`, `twarc2`, `jetstream`, `mastodon`;
//! `SCENARIO` is a preset name: `default`, `focused`, …).
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::path::PathBuf;
use std::time::Instant;

use swarmscan_gen::{Format, GenConfig, generate, preset};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(out) = args.first().map(PathBuf::from) else {
        eprintln!("usage: gen OUT [SCALE] [SEED] [csv|jsonl|both|none|FORMAT,...] [SCENARIO]");
        std::process::exit(2);
    };
    let scale = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(0.1);
    let seed = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(42);
    let formats = match args.get(3).map(String::as_str) {
        Some("csv") => vec![Format::Cnt],
        Some("jsonl") => vec![Format::Twarc2],
        Some("none") => vec![],
        Some("both") | None => vec![Format::Cnt, Format::Twarc2],
        Some(names) => match names.split(',').map(str::parse).collect::<Result<Vec<Format>, _>>() {
            Ok(f) => f,
            Err(e) => {
                eprintln!("{e}");
                std::process::exit(2);
            }
        },
    };
    let scenario = match args.get(4) {
        None => Default::default(),
        Some(name) => match preset(name) {
            Some(p) => p.scenario,
            None => {
                eprintln!("unknown scenario {name}; use one of {:?}", swarmscan_gen::PRESETS);
                std::process::exit(2);
            }
        },
    };
    let cfg = GenConfig { scale, seed, formats, scenario, ..GenConfig::default() };
    let t = Instant::now();
    match generate(&cfg, &out) {
        Ok(s) => {
            let secs = t.elapsed().as_secs_f64();
            println!("{}", serde_json::to_string_pretty(&s).unwrap_or_default());
            println!(
                "{} events, {} accounts in {:.2} s = {:.0} events/s",
                s.events,
                s.accounts,
                secs,
                s.events as f64 / secs
            );
        }
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(1);
        }
    }
}
