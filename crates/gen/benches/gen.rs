//! Generation throughput at scale 0.1 (about 100k events), written to a
//! temporary directory; divan reports events/s as "items/s":
//! `cargo bench -p swarmscan-gen --bench gen`.

use divan::counter::ItemsCount;
use swarmscan_gen::{Format, GenConfig, generate};

fn main() {
    divan::main();
}

fn run(bencher: divan::Bencher, formats: Vec<Format>, threads: usize) {
    let cfg = GenConfig { scale: 0.1, seed: 7, formats, ..GenConfig::default() };
    let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().expect("thread pool");
    let dir = tempfile::tempdir().expect("tempdir");
    let events = generate(&cfg, dir.path()).expect("generate").events;
    bencher.counter(ItemsCount::new(events)).bench(|| pool.install(|| generate(&cfg, dir.path()).expect("generate")));
}

/// CSV only, on one core: the "1M events/s" goal.
#[divan::bench(sample_count = 10, sample_size = 1)]
fn csv_1_thread(bencher: divan::Bencher) {
    run(bencher, vec![Format::Cnt], 1);
}

/// CSV only, two threads.
#[divan::bench(sample_count = 10, sample_size = 1)]
fn csv_2_threads(bencher: divan::Bencher) {
    run(bencher, vec![Format::Cnt], 2);
}

/// Both event files, two threads.
#[divan::bench(sample_count = 5, sample_size = 1)]
fn csv_and_jsonl_2_threads(bencher: divan::Bencher) {
    run(bencher, vec![Format::Cnt, Format::Twarc2], 2);
}

/// Each JSON event file alone, on one core: the live-stream writers
/// against the twarc2 one.
#[divan::bench(args = [Format::Twarc2, Format::Jetstream, Format::Mastodon], sample_count = 5, sample_size = 1)]
fn one_json_file_1_thread(bencher: divan::Bencher, format: Format) {
    run(bencher, vec![format], 1);
}
