//! Prints the headline speed figure: 1,000,000 domains checked against 1,000 outlets on
//! one thread (best of three runs), with the same corpus as `benches/matcher.rs`.
//!
//! ```text
//! cargo run -p swarmscan-domains --release --example bench_figure
//! ```
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::time::Instant;

use swarmscan_domains::Matcher;

#[path = "../benches/support/corpus.rs"]
mod corpus;

fn main() {
    let outlets = corpus::outlets();
    let start = Instant::now();
    let matcher = Matcher::new(&outlets);
    let build = start.elapsed();
    let domains = corpus::domains(&outlets);
    let mut best = f64::INFINITY;
    let mut findings = 0;
    for _ in 0..3 {
        let start = Instant::now();
        findings = domains.iter().filter(|d| matcher.check(d).is_some()).count();
        best = best.min(start.elapsed().as_secs_f64());
    }
    println!(
        "outlets: {}  build: {:.1} ms  domains: {}  findings: {}  one thread: {:.3} s ({:.0} ns/domain)",
        matcher.outlet_count(),
        build.as_secs_f64() * 1e3,
        domains.len(),
        findings,
        best,
        best * 1e9 / domains.len() as f64
    );
}
