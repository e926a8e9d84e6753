//! `swarmscan scan`: the main job. Reads the inputs, tests every co-action
//! signal against the null model, fuses and clusters, and writes the
//! outputs of contract v2 (`docs/scan.md`) into `--out DIR`.

use super::{finish, load_args};
use crate::atomic::OutputDir;
use crate::flags::{self, InputArgs};
use crate::summary::{Summary, num};
use crate::ui::Ui;
use clap::Args;
use std::path::{Path, PathBuf};
use swarmscan_report::{Header, ReportData, tables};
use swarmscan_scan::{Found, Progress, ScanParams, Signal};

#[derive(Args, Debug)]
pub struct ScanArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// Directory for the outputs (created if missing): accounts.csv,
    /// clusters.csv, edges.csv, domains.csv, summary.json, report.html,
    /// network.gexf, network.graphml.
    #[arg(long, short, value_name = "DIR")]
    pub out: PathBuf,
    #[command(flatten)]
    pub scan: ScanOptions,
    #[command(flatten)]
    pub cluster: super::cluster::ClusterFlags,
}

/// The scan's tuning flags, shared by `scan` and `watch`.
#[derive(Args, Debug, Clone)]
pub struct ScanOptions {
    /// False discovery rate of the reported account pairs.
    #[arg(long, default_value_t = 0.01)]
    pub fdr: f64,
    /// Smallest cluster reported.
    #[arg(long, default_value_t = 3)]
    pub min_cluster: usize,
    /// Jaccard similarity for near-duplicate texts (co_similar).
    #[arg(long, default_value_t = 0.6)]
    pub similarity: f64,
    // Help built from the signal registry (crate::flags), so it names every signal.
    #[arg(
        long,
        value_delimiter = ',',
        value_parser = parse_signal,
        help = flags::signals_help(),
        long_help = flags::signals_long_help()
    )]
    pub signals: Vec<Signal>,
    #[arg(
        long,
        value_name = "SIGNAL=SECONDS|SIGNAL=auto|auto",
        value_parser = parse_window,
        help = flags::window_help()
    )]
    pub window: Vec<(Option<Signal>, Option<f64>)>,
    /// Seed of the clustering.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Outlets to look for lookalikes of (merged with the built-in list).
    #[arg(long, value_name = "FILE")]
    pub outlets: Option<PathBuf>,
    /// Most memory the event table and the tested signals may hold
    /// together, e.g. `8G` or `512M` (binary units), or `none`. Pair tests,
    /// tested pairs and signals' actions beyond it are spilled to temporary
    /// files and read back (built again if the disk fails); the group test
    /// runs in batches that fit: the same outputs, more time. Not yet
    /// bounded by it: building each signal's actions (extracting and
    /// sorting them). Default: three quarters of this machine's memory.
    #[arg(long, value_name = "BYTES", value_parser = parse_bytes)]
    pub memory_limit: Option<MemoryLimit>,
}

/// `--memory-limit`: bytes, or no limit.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MemoryLimit(pub Option<u64>);

/// `8G`, `512M`, `64K`, `1T` (powers of 1024), a plain number of bytes, or
/// `none`.
pub(crate) fn parse_bytes(s: &str) -> Result<MemoryLimit, String> {
    let t = s.trim();
    if t.eq_ignore_ascii_case("none") {
        return Ok(MemoryLimit(None));
    }
    let upper = t.to_ascii_uppercase();
    let digits = upper.trim_end_matches(['B', 'I']);
    let (num, shift) = match digits.char_indices().last() {
        Some((i, 'K')) => (&digits[..i], 10),
        Some((i, 'M')) => (&digits[..i], 20),
        Some((i, 'G')) => (&digits[..i], 30),
        Some((i, 'T')) => (&digits[..i], 40),
        _ => (upper.as_str(), 0),
    };
    let n: f64 = num.trim().parse().map_err(|_| format!("expected bytes such as 8G, 512M or none, got {s:?}"))?;
    if !(n.is_finite() && n > 0.0) {
        return Err(format!("the memory limit must be positive (got {s:?})"));
    }
    Ok(MemoryLimit(Some((n * (1u64 << shift) as f64) as u64)))
}

/// Bytes as people read them (GiB, MiB).
pub(crate) fn gib(b: u64) -> String {
    match b {
        _ if b >= 1 << 30 => format!("{:.1} GiB", b as f64 / (1u64 << 30) as f64),
        _ if b >= 1 << 20 => format!("{} MiB", b >> 20),
        _ => format!("{} KiB", b >> 10),
    }
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
            return Err(format!("{signal}'s window cannot be estimated (only {})", flags::estimable_signals()));
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
}

impl ScanOptions {
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
        p.memory_limit = match self.memory_limit {
            Some(MemoryLimit(limit)) => limit,
            None => swarmscan_scan::memory::default_limit(),
        };
        Ok(p)
    }

    /// What the memory limit is and where it comes from, for the terminal.
    pub fn memory_note(&self, p: &ScanParams) -> String {
        match (p.memory_limit, self.memory_limit) {
            (None, _) => "memory: no limit".into(),
            (Some(l), Some(_)) => format!("memory limit {} (--memory-limit)", gib(l)),
            (Some(l), None) => format!(
                "memory limit {} (three quarters of this machine's {}; --memory-limit to change)",
                gib(l),
                swarmscan_scan::memory::machine_memory().map_or_else(|| "memory".into(), gib)
            ),
        }
    }
}

pub fn run(args: ScanArgs, ui: Ui) -> anyhow::Result<u8> {
    let mut params = args.scan.params()?;
    ui.note(&args.scan.memory_note(&params));
    args.cluster.check()?;
    if let Some(addr) = &args.cluster.cluster {
        params.remote = args.cluster.remote()?;
        ui.note(&format!("pair tests sweep on the cluster at {addr}; the rest of the scan runs here"));
    }
    let l = load_args(&args.input, ui)?;
    run_on(&args, &params, l, ui)
}

/// The steps of the "testing signals" stage, timed: each runs until the
/// next step or the end of the stage; a step announced twice adds up.
#[derive(Default)]
struct Steps {
    done: Vec<(String, f64)>,
    open: Option<(String, std::time::Instant)>,
}

impl Steps {
    /// Ends the open step, if any, and opens `next`.
    fn next(&mut self, next: Option<&str>) {
        if let Some((name, t)) = self.open.take() {
            self.done.push((name, t.elapsed().as_secs_f64()));
        }
        self.open = next.map(|n| (n.to_string(), std::time::Instant::now()));
    }
}

/// Scans loaded events and writes the outputs (shared with `demo`): the
/// library runs the scan ([`swarmscan_scan::run`]) and the presentation side
/// turns it into the output files ([`swarmscan_report::OUTPUTS`]); this
/// function only shows progress and writes. Every file is written to a
/// temporary name and renamed when whole, and `summary.json` comes last, so
/// its presence means the run finished.
pub fn run_on(args: &ScanArgs, params: &ScanParams, l: super::Loaded, ui: Ui) -> anyhow::Result<u8> {
    let ev = &l.events;
    let mut s = Summary::new("scan", &l.report, ev.len() as u64, ev.num_accounts() as u64);
    ui.line("reading", l.read_s, &l.detail);
    s.timings_s.insert("read".into(), l.read_s);
    let dir = &args.out;
    let out = OutputDir::begin(dir, "summary.json")?;
    let (outlets, outlet_problems) = super::domains::outlets(args.scan.outlets.as_deref(), args.input.strict, ui)?;

    // Stages as the library announces them, timed here.
    let current: std::sync::Mutex<Option<crate::ui::Stage>> = std::sync::Mutex::new(None);
    let timings: std::sync::Mutex<Vec<(&'static str, f64)>> = std::sync::Mutex::new(Vec::new());
    let steps: std::sync::Mutex<Steps> = Default::default();
    let end_step = |next: Option<&str>| steps.lock().unwrap().next(next);
    let run = swarmscan_scan::run(ev, params, &outlets, &|p| match p {
        Progress::Started(name) => *current.lock().unwrap() = Some(ui.stage(name)),
        Progress::Step(what) => {
            end_step(Some(what));
            if let Some(st) = current.lock().unwrap().as_ref() {
                st.set(what);
            }
        }
        Progress::Finished(name, found) => {
            let detail = match found {
                Found::Windows([]) => "no key with two accounts: defaults kept".to_string(),
                Found::Windows(w) => {
                    w.iter().map(|(s, w)| format!("{s} {} s", *w as f64 / 1000.0)).collect::<Vec<_>>().join(", ")
                }
                Found::Pairs { significant, tested, fdr } => {
                    format!("{} of {} tested pairs significant (FDR {fdr})", num(significant), num(tested))
                }
                Found::Lookalikes(n) => format!("{} lookalike news domains among shared URLs", num(n)),
            };
            end_step(None);
            if let Some(st) = current.lock().unwrap().take() {
                timings.lock().unwrap().push((name, st.done(&detail)));
            }
        }
    })?;
    for (step, secs) in steps.into_inner().unwrap().done {
        // Steps only run inside "testing signals".
        *s.timings_s.entry(format!("signals_and_tests/{}", step.replace(' ', "_")).into()).or_insert(0.0) += secs;
    }
    for (name, secs) in timings.into_inner().unwrap() {
        // summary.json's names for the library's stages.
        let key = match name {
            "estimating windows" => "estimating_windows",
            "testing signals" => "signals_and_tests",
            "lookalike domains" => "lookalike_domains",
            other => other,
        };
        s.timings_s.insert(key.into(), secs);
    }
    let (res, params) = (&run.result, &run.params);

    let stage = ui.stage("writing outputs");
    let header = Header::for_inputs(env!("CARGO_PKG_VERSION"), &l.report);
    let data = swarmscan_report::explain(res, params, &run.lookalikes, header);
    for (name, write) in swarmscan_report::OUTPUTS {
        stage.set(name);
        out.write(name, |w| Ok(write(&data, w)?))?;
    }
    s.timings_s.insert("explain_and_write".into(), stage.done(&format!("into {}", dir.display())));

    s.results.extend(tables::scan_results(&data, res)?);
    s.results.insert("out", dir.display().to_string().into());
    if let Some(cluster) = args.cluster.summary() {
        s.results.insert("cluster", cluster);
    }
    if outlet_problems > 0 {
        s.results.insert("skipped_outlet_lines", outlet_problems.into());
    }
    s.findings = findings(&data, dir, ui);
    let text = s.to_json()?;
    out.finish(|w| Ok(w.write_all(text.as_bytes())?))?;
    let json = args.input.summary_json.as_deref();
    let code = finish(&s, json, ui)?;
    Ok(if outlet_problems > 0 && code == crate::exit::OK { crate::exit::PROBLEMS } else { code })
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_limits_parse_in_binary_units() {
        let ok = |s: &str| parse_bytes(s).unwrap().0;
        assert_eq!(ok("8G"), Some(8 << 30));
        assert_eq!(ok("8GiB"), Some(8 << 30));
        assert_eq!(ok("8gb"), Some(8 << 30));
        assert_eq!(ok("512M"), Some(512 << 20));
        assert_eq!(ok("1.5G"), Some(3 << 29));
        assert_eq!(ok("64k"), Some(64 << 10));
        assert_eq!(ok("1T"), Some(1 << 40));
        assert_eq!(ok("4096"), Some(4096));
        assert_eq!(ok("none"), None);
        for bad in ["", "G", "lots", "-1G", "0", "nanG", "8X"] {
            assert!(parse_bytes(bad).is_err(), "{bad:?}");
        }
    }
}
