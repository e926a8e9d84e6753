//! Writes a large report for the scale check (10,000 accounts, ~50,000
//! edges, 300 clusters by default), or the small test fixture.
//!
//! ```text
//! cargo run --release -p swarmscan-report --example big -- OUT.html [NODES CLUSTERS DEGREE]
//! cargo run --release -p swarmscan-report --example big -- OUT.html small|empty
//! node crates/report/web/test/browser.mjs OUT.html OUT.png --measure
//! ```
//!
//! Next to OUT.html it also writes OUT.gexf and OUT.graphml.

#[path = "../tests/common/mod.rs"]
mod common;

use std::fs::File;
use std::io::BufWriter;
use std::path::PathBuf;
use std::time::Instant;

#[allow(clippy::print_stderr)]
fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let out = PathBuf::from(args.next().unwrap_or_else(|| "big-report.html".into()));
    let rest: Vec<String> = args.collect();
    let t = Instant::now();
    let data = if rest.first().map(String::as_str) == Some("small") {
        common::small()
    } else if rest.first().map(String::as_str) == Some("empty") {
        swarmscan_report::ReportData::default()
    } else {
        let num = |i: usize, default: usize| rest.get(i).and_then(|s| s.parse().ok()).unwrap_or(default);
        common::big(num(0, 10_000), num(1, 300), num(2, 5))
    };
    let built = t.elapsed();
    let t = Instant::now();
    swarmscan_report::write_html(&data, &mut BufWriter::new(File::create(&out)?))?;
    let html = t.elapsed();
    swarmscan_report::write_gexf(&data, &mut BufWriter::new(File::create(out.with_extension("gexf"))?))?;
    swarmscan_report::write_graphml(&data, &mut BufWriter::new(File::create(out.with_extension("graphml"))?))?;
    let size = std::fs::metadata(&out)?.len();
    let evidence: usize = data.edges.iter().map(|e| e.evidence.len()).sum();
    // For comparison: ReportData as plain JSON, without the HTML's interning.
    let plain = serde_json::to_vec(&data).map_err(std::io::Error::other)?.len();
    eprintln!(
        "{}: {} nodes, {} edges ({} evidence items), {} clusters; {:.1} MiB (plain JSON of the data: {:.1} MiB); \
         fixture {:.0?}, write_html {:.0?}",
        out.display(),
        data.nodes.len(),
        data.edges.len(),
        evidence,
        data.clusters.len(),
        size as f64 / (1024.0 * 1024.0),
        plain as f64 / (1024.0 * 1024.0),
        built,
        html,
    );
    Ok(())
}
