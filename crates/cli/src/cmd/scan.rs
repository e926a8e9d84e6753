//! `swarmscan scan`: the main job. Reads the inputs, tests every co-action
//! signal against the null model, fuses and clusters, and writes the
//! outputs of contract v1 (`docs/scan.md`) into `--out DIR`.

use super::{finish, load_args};
use crate::flags::InputArgs;
use crate::summary::{Summary, num};
use crate::ui::Ui;
use anyhow::Context;
use clap::Args;
use std::io::BufWriter;
use std::path::{Path, PathBuf};
use swarmscan_domains::{Matcher, OutletList};
use swarmscan_report::ReportData;
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
    /// (repeatable). `SIGNAL=auto` estimates it from the data (CooRnet's
    /// quickest shares; co_repost, co_reply, co_link, co_text), and `auto`
    /// alone does so for all four.
    #[arg(long, value_name = "SIGNAL=SECONDS|SIGNAL=auto|auto", value_parser = parse_window)]
    pub window: Vec<(Option<Signal>, Option<f64>)>,
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

/// `SIGNAL=SECONDS`, `SIGNAL=auto` or `auto`: (signal or all, seconds or
/// estimated).
fn parse_window(s: &str) -> Result<(Option<Signal>, Option<f64>), String> {
    if s.trim() == "auto" {
        return Ok((None, None));
    }
    let (name, secs) = s.split_once('=').ok_or("expected SIGNAL=SECONDS, SIGNAL=auto or auto")?;
    let signal = parse_signal(name)?;
    if secs.trim() == "auto" {
        if !swarmscan_scan::window::estimable(signal) {
            return Err(format!("{signal}'s window cannot be estimated (only co_repost, co_reply, co_link, co_text)"));
        }
        return Ok((Some(signal), None));
    }
    let secs: f64 = secs.trim().parse().map_err(|_| format!("not a number of seconds: {secs:?}"))?;
    if !(secs.is_finite() && secs >= 0.0) {
        return Err(format!("the window must be a non-negative number of seconds (got {secs})"));
    }
    Ok((Some(signal), Some(secs)))
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
            match (s, secs) {
                (Some(s), Some(secs)) => p.set_window(s, (secs * 1000.0).round() as i64),
                (Some(s), None) => p.auto_windows.push(s),
                (None, _) => {
                    p.auto_windows.extend(Signal::ALL.into_iter().filter(|&s| swarmscan_scan::window::estimable(s)))
                }
            }
        }
        p.auto_windows.sort();
        p.auto_windows.dedup();
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

/// Writes `dir/name` with `write`, flushing and naming the file on error.
fn write_with(
    dir: &Path,
    name: &str,
    write: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<()>,
) -> anyhow::Result<()> {
    use std::io::Write;
    let mut w = create(dir, name)?;
    write(&mut w).and_then(|()| w.flush()).with_context(|| format!("cannot write {}", dir.join(name).display()))
}

pub fn run(args: ScanArgs, ui: Ui) -> anyhow::Result<u8> {
    let params = args.params()?;
    let l = load_args(&args.input, ui)?;
    run_on(&args, &params, l, ui)
}

/// Scans loaded events and writes the outputs (shared with `demo`).
pub fn run_on(args: &ScanArgs, params: &ScanParams, l: super::Loaded, ui: Ui) -> anyhow::Result<u8> {
    let ev = &l.events;
    let mut s = Summary::new("scan", &l.report, ev.len() as u64, ev.num_accounts() as u64);
    ui.line("reading", l.read_s, &l.detail);
    s.timings_s.insert("read", l.read_s);
    std::fs::create_dir_all(&args.out).with_context(|| format!("cannot create {}", args.out.display()))?;

    let mut params = params.clone();
    if !params.auto_windows.is_empty() {
        let stage = ui.stage("estimating windows");
        let est = swarmscan_scan::window::resolve(ev, &mut params)?;
        let detail: Vec<String> = est.iter().map(|(s, w)| format!("{s} {} s", *w as f64 / 1000.0)).collect();
        let detail =
            if detail.is_empty() { "no key with two accounts: defaults kept".into() } else { detail.join(", ") };
        s.timings_s.insert("estimating_windows", stage.done(&detail));
    }
    let params = &params;
    let stage = ui.stage("testing signals");
    let res = swarmscan_scan::scan_observed(ev, params, &|what| stage.set(what))?;
    let detail = format!(
        "{} of {} tested pairs significant (FDR {})",
        num(res.pairs.len() as u64),
        num(res.tested_pairs),
        params.fdr
    );
    s.timings_s.insert("signals_and_tests", stage.done(&detail));

    let stage = ui.stage("lookalike domains");
    let mut outlets = OutletList::builtin();
    if let Some(p) = &args.outlets {
        let text = std::fs::read_to_string(p).with_context(|| format!("cannot read {}", p.display()))?;
        outlets.merge(OutletList::parse(&text, &p.display().to_string())?);
    }
    let looks = Lookalikes::find(ev, &Matcher::new(&outlets));
    let detail = format!("{} lookalike news domains among shared URLs", num(looks.by_host.len() as u64));
    s.timings_s.insert("lookalike_domains", stage.done(&detail));

    let stage = ui.stage("writing outputs");
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
    for (name, write) in OUTPUTS {
        stage.set(name);
        write_with(dir, name, |w| write(&data, w))?;
    }
    s.timings_s.insert("explain_and_write", stage.done(&format!("into {}", dir.display())));

    s.results.insert("output_version", output::OUTPUT_VERSION.into());
    s.results.insert("out", dir.display().to_string().into());
    s.results.insert("clusters", data.clusters.len().into());
    s.results.insert("flagged_accounts", data.nodes.len().into());
    let by_group = data.nodes.iter().filter(|n| n.why.starts_with("group test")).count();
    s.results.insert("flagged_by_pair_test", (data.nodes.len() - by_group).into());
    s.results.insert("flagged_by_group_test", by_group.into());
    s.results.insert("tested_pairs", res.tested_pairs.into());
    s.results.insert("significant_pairs", res.pairs.len().into());
    s.results.insert("p_threshold", res.p_threshold.into());
    s.results.insert("lookalike_domains", data.lookalikes.len().into());
    s.results.insert("signals", serde_json::to_value(&res.signals)?);
    s.results.insert("parameters", serde_json::to_value(&data.parameters)?);
    s.findings = findings(&data, dir, ui);
    let summary_path = dir.join("summary.json");
    s.write_json(&summary_path)?;
    let json = args.input.summary_json.as_deref();
    finish(&s, json, ui)
}

type Writer = fn(&ReportData, &mut dyn std::io::Write) -> std::io::Result<()>;

/// Every file a scan writes besides `summary.json`, in writing order.
const OUTPUTS: [(&str, Writer); 7] = [
    ("accounts.csv", |d, w| output::write_accounts(d, w)),
    ("clusters.csv", |d, w| output::write_clusters(d, w)),
    ("edges.csv", |d, w| output::write_edges(d, w)),
    ("domains.csv", |d, w| output::write_domains(d, w)),
    ("report.html", swarmscan_report::write_html),
    ("network.gexf", swarmscan_report::write_gexf),
    ("network.graphml", swarmscan_report::write_graphml),
];

/// The end-of-run lines on what was found and where to look.
fn findings(d: &ReportData, dir: &Path, ui: Ui) -> Vec<String> {
    let mut out = Vec::new();
    if d.clusters.is_empty() {
        out.push(ui.bold("no coordinated cluster found"));
        out.push("  (no account pair's co-actions were unlikely enough under the null model; see docs/scan.md)".into());
    } else {
        out.push(ui.bold(&format!(
            "found {} cluster{} of {} accounts",
            d.clusters.len(),
            if d.clusters.len() == 1 { "" } else { "s" },
            num(d.nodes.len() as u64)
        )));
    }
    const SHOWN: usize = 8;
    for c in d.clusters.iter().take(SHOWN) {
        let signals: Vec<String> =
            c.signals.iter().take(3).map(|(s, share)| format!("{s} {:.0}%", share * 100.0)).collect();
        let top = c.top_targets.first().map(|(t, _, n)| format!("  top: {} ×{n}", shorten(t, 48))).unwrap_or_default();
        out.push(format!("  #{:<4} {:>5} accounts  {}{top}", c.cluster_id, c.size, signals.join(", ")));
    }
    if d.clusters.len() > SHOWN {
        out.push(format!("  … and {} more (clusters.csv)", d.clusters.len() - SHOWN));
    }
    if let Some(l) = d.lookalikes.first() {
        let n = d.lookalikes.len();
        out.push(ui.warn(&format!(
            "{n} lookalike news domain{} shared, e.g. {} imitating {} (domains.csv)",
            if n == 1 { "" } else { "s" },
            l.domain,
            l.imitates
        )));
    }
    out.push(format!(
        "open {} in a browser; tables: accounts.csv, clusters.csv, edges.csv, domains.csv; Gephi: network.gexf, network.graphml",
        ui.bold(&dir.join("report.html").display().to_string())
    ));
    out
}

fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max { s.to_string() } else { s.chars().take(max - 1).chain(['…']).collect() }
}
