//! Micro-benchmarks of the matcher: building the index for 1,000 outlets, and checking
//! 1,000,000 domains (about 95% random names, 5% mutations of outlets) on one thread and
//! with `check_many` on all cores. The corpus is `benches/support/corpus.rs`.
//!
//! ```text
//! cargo bench -p swarmscan-domains --bench matcher
//! ```
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::sync::OnceLock;

use divan::Bencher;
use swarmscan_domains::{Matcher, OutletList};

#[path = "support/corpus.rs"]
mod corpus;

fn main() {
    divan::main();
}

struct Corpus {
    outlets: OutletList,
    matcher: Matcher,
    domains: Vec<String>,
}

fn corpus() -> &'static Corpus {
    static CORPUS: OnceLock<Corpus> = OnceLock::new();
    CORPUS.get_or_init(|| {
        let outlets = corpus::outlets();
        let matcher = Matcher::new(&outlets);
        let domains = corpus::domains(&outlets);
        Corpus { outlets, matcher, domains }
    })
}

#[divan::bench(sample_count = 10, sample_size = 1)]
fn build_1k_outlets(bencher: Bencher) {
    let c = corpus();
    bencher.bench(|| Matcher::new(divan::black_box(&c.outlets)));
}

#[divan::bench(sample_count = 5, sample_size = 1)]
fn check_1m_domains_one_thread(bencher: Bencher) {
    let c = corpus();
    bencher.bench(|| c.domains.iter().filter(|d| c.matcher.check(divan::black_box(d)).is_some()).count());
}

#[divan::bench(sample_count = 5, sample_size = 1)]
fn check_many_1m_domains_all_cores(bencher: Bencher) {
    let c = corpus();
    bencher.bench(|| c.matcher.check_many(divan::black_box(&c.domains)).len());
}
