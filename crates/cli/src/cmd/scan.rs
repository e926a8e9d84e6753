//! `swarmscan scan`: the main job. Reads the inputs, tests every co-action
//! signal against the null model, fuses and clusters, and writes the
//! outputs of contract v1 (`docs/scan.md`) into `--out DIR`.

use super::{finish, load_args};
use crate::flags::InputArgs;
use crate::summary::Summary;
use anyhow::Context;
use clap::Args;
use std::io::BufWriter;
use std::path::{Path, PathBuf};
use std::time::Instant;
use swarmscan_domains::{Matcher, OutletList};
use swarmscan_scan::{Header, Lookalikes, ScanParams, Signal, output};

#[derive(Args, Debug)]
pub struct ScanArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// Directory for the outputs (created if missing): accounts.csv,
    /// clusters.csv, edges.csv, domains.csv, summary.json, report.html,
    /// network.gexf, network.graphml.
    #[arg(long, short, value_name = "DIR")]
    pub out: PathBuf,
    /// False discovery rate of the reported account pairs.
    #[arg(long, default_value_t = 0.01)]
    pub fdr: f64,
    /// Smallest cluster reported.
    #[arg(long, default_value_t = 3)]
    pub min_cluster: usize,
    /// Jaccard similarity for near-duplicate texts (co_similar).
    #[arg(long, default_value_t = 0.6)]
    pub similarity: f64,
    /// Signals to compute, comma-separated (default: all): co_repost,
    /// co_amplify, co_reply, co_target, co_link, co_hashtag, co_text,
    /// co_similar.
    #[arg(long, value_delimiter = ',', value_parser = parse_signal)]
    pub signals: Vec<Signal>,
    /// A signal's window in seconds, e.g. `--window co_link=7200`
    /// (repeatable).
    #[arg(long, value_name = "SIGNAL=SECONDS", value_parser = parse_window)]
    pub window: Vec<(Signal, f64)>,
    /// Seed of the clustering.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Outlets to look for lookalikes of (merged with the built-in list).
    #[arg(long, value_name = "FILE")]
    pub outlets: Option<PathBuf>,
}

fn parse_signal(s: &str) -> Result<Signal, String> {
    Signal::parse(s.trim()).ok_or_else(|| {
        let all: Vec<&str> = Signal::ALL.iter().map(|s| s.as_str()).collect();
        format!("unknown signal {s:?} (known: {})", all.join(", "))
    })
}

fn parse_window(s: &str) -> Result<(Signal, f64), String> {
    let (name, secs) = s.split_once('=').ok_or("expected SIGNAL=SECONDS")?;
    let secs: f64 = secs.trim().parse().map_err(|_| format!("not a number of seconds: {secs:?}"))?;
    if !(secs.is_finite() && secs >= 0.0) {
        return Err(format!("the window must be a non-negative number of seconds (got {secs})"));
    }
    Ok((parse_signal(name)?, secs))
}

impl ScanArgs {
    /// The defaults for reading `inputs` into `out` (what `demo` runs),
    /// taken from the flags' own defaults so they cannot drift apart.
    pub fn defaults(inputs: &[String], out: &Path) -> anyhow::Result<ScanArgs> {
        #[derive(clap::Parser)]
        struct Wrapper {
            #[command(flatten)]
            args: ScanArgs,
        }
        let out = out.display().to_string();
        let argv = ["scan".to_string(), "--out".into(), out].into_iter().chain(inputs.iter().cloned());
        Ok(<Wrapper as clap::Parser>::try_parse_from(argv)?.args)
    }

    pub fn params(&self) -> anyhow::Result<ScanParams> {
        let mut p = ScanParams::default();
        if !(self.fdr > 0.0 && self.fdr < 1.0) {
            anyhow::bail!("--fdr must be between 0 and 1 (got {})", self.fdr);
        }
        p.fdr = self.fdr;
        p.min_cluster = self.min_cluster.max(2);
        p.similarity = self.similarity;
        p.seed = self.seed;
        if !self.signals.is_empty() {
            p.signals = self.signals.clone();
        }
        for &(s, secs) in &self.window {
            p.set_window(s, (secs * 1000.0).round() as i64);
        }
        Ok(p)
    }
}

/// The generation time written into reports: `SOURCE_DATE_EPOCH` when set
/// (reproducible builds' convention), else now.
fn generated_at() -> String {
    let ms = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.trim().parse::<i64>().ok())
        .map(|s| s * 1000)
        .unwrap_or_else(|| {
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis() as i64)
        });
    swarmscan_model::format_rfc3339_ms(ms)
}

fn create(dir: &Path, name: &str) -> anyhow::Result<BufWriter<std::fs::File>> {
    let p = dir.join(name);
    Ok(BufWriter::new(std::fs::File::create(&p).with_context(|| format!("cannot write {}", p.display()))?))
}

pub fn run(args: ScanArgs, quiet: bool) -> anyhow::Result<u8> {
    let params = args.params()?;
    let l = load_args(&args.input)?;
    run_on(&args, &params, l, quiet)
}

/// Scans loaded events and writes the outputs (shared with `demo`).
pub fn run_on(args: &ScanArgs, params: &ScanParams, l: super::Loaded, quiet: bool) -> anyhow::Result<u8> {
    let ev = &l.events;
    let mut s = Summary::new("scan", &l.report, ev.len() as u64, ev.num_accounts() as u64);
    s.timings_s.insert("read", l.read_s);
    std::fs::create_dir_all(&args.out).with_context(|| format!("cannot create {}", args.out.display()))?;

    let t = Instant::now();
    let res = swarmscan_scan::scan(ev, params)?;
    s.timings_s.insert("signals_and_tests", t.elapsed().as_secs_f64());

    let t = Instant::now();
    let mut outlets = OutletList::builtin();
    if let Some(p) = &args.outlets {
        let text = std::fs::read_to_string(p).with_context(|| format!("cannot read {}", p.display()))?;
        outlets.merge(OutletList::parse(&text, &p.display().to_string())?);
    }
    let looks = Lookalikes::find(ev, &Matcher::new(&outlets));
    s.timings_s.insert("lookalike_domains", t.elapsed().as_secs_f64());

    let t = Instant::now();
    let header = Header {
        title: "swarmscan report".into(),
        version: env!("CARGO_PKG_VERSION").into(),
        generated: generated_at(),
        inputs: l
            .report
            .files
            .iter()
            .map(|f| swarmscan_report::InputRow {
                path: f.file.clone(),
                format: f.format.clone(),
                records: f.records,
                skipped: f.skipped_total(),
            })
            .collect(),
        records: l.report.records(),
        skipped: l.report.skipped().values().sum(),
    };
    let data = swarmscan_scan::explain(&res, params, &looks, header);
    let dir = &args.out;
    output::write_accounts(&data, create(dir, "accounts.csv")?)?;
    output::write_clusters(&data, create(dir, "clusters.csv")?)?;
    output::write_edges(&data, create(dir, "edges.csv")?)?;
    output::write_domains(&data, create(dir, "domains.csv")?)?;
    s.timings_s.insert("explain_and_write", t.elapsed().as_secs_f64());

    s.results.insert("output_version", output::OUTPUT_VERSION.into());
    s.results.insert("out", dir.display().to_string().into());
    s.results.insert("clusters", data.clusters.len().into());
    s.results.insert("flagged_accounts", data.nodes.len().into());
    s.results.insert("tested_pairs", res.tested_pairs.into());
    s.results.insert("significant_pairs", res.pairs.len().into());
    s.results.insert("p_threshold", res.p_threshold.into());
    s.results.insert("lookalike_domains", data.lookalikes.len().into());
    s.results.insert("signals", serde_json::to_value(&res.signals)?);
    s.results.insert("parameters", serde_json::to_value(&data.parameters)?);
    let summary_path = dir.join("summary.json");
    s.write_json(&summary_path)?;
    let json = args.input.summary_json.as_deref();
    finish(&s, json, quiet)
}
