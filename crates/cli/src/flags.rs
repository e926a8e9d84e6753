//! Command-line flags: parsed by clap without I/O, then checked and turned
//! into the options the library crates take (`ReadOptions`, …).

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;
use swarmscan_ingest::{ColumnMap, Format, ReadOptions};
use swarmscan_scan::REGISTRY;

/// Expose coordinated influence operations in social-media data.
///
/// swarmscan reads the data researchers hold (twarc2 / Twitter API v2 and
/// v1.1 JSON, IRA troll-tweet CSVs, coordination-network-toolkit CSV,
/// Telegram Desktop exports, Bluesky Jetstream, Mastodon statuses,
/// CrowdTangle CSV, any CSV with a column mapping, plain, .gz or .zst),
/// finds accounts acting in lockstep and lookalike news domains, and explains
/// each finding with evidence.
///
/// Start with `swarmscan demo`, which generates a data set with planted
/// operations and analyses it.
#[derive(Parser, Debug)]
#[command(name = "swarmscan", version, propagate_version = true, max_term_width = 100)]
#[command(after_help = "Exit codes: 0 success; 1 error (including a --strict stop); 2 bad usage; \
3 finished, but some input records were malformed and skipped, or an input could not be read.")]
#[command(after_long_help = MAIN_EXAMPLES)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    /// Worker threads (default: all cores).
    #[arg(long, global = true, env = "SWARMSCAN_THREADS")]
    pub threads: Option<usize>,
    /// Print nothing but errors.
    #[arg(long, short, global = true)]
    pub quiet: bool,
}

const MAIN_EXAMPLES: &str = "\
Typical session:
  swarmscan demo                                  # generate data with planted operations, scan, score
  swarmscan inspect tweets.jsonl.gz               # what is in a file, and what would be skipped
  swarmscan scan tweets.jsonl.gz --out findings   # the main job; open findings/report.html
  swarmscan eval findings --labels labels.csv     # score against known accounts

Progress bars and colour appear only on a terminal; NO_COLOR=1 turns colour
off, --quiet prints only errors, --summary-json FILE writes the run's
accounting for scripts.

Exit codes: 0 success; 1 error (including a --strict stop); 2 bad usage;
3 finished, but some input records were malformed and skipped, or an input
could not be read.";

const SCAN_EXAMPLES: &str = "\
What it does:
  For every pair of accounts and every signal (listed under --signals) it
  counts the distinct targets both acted on within the signal's window and
  asks how unlikely that count is when accounts choose targets
  independently, given each account's own activity and each target's
  popularity. Significant pairs (Benjamini-Hochberg at --fdr) are clustered
  (Leiden, fixed seed); each cluster is explained by its signals, targets,
  domains, timeline and evidence posts. Lookalike domains of real news
  outlets are flagged. The method: docs/scan.md.

Outputs in --out DIR:
  report.html       open in any browser (works offline): overview, network, clusters, evidence
  accounts.csv      flagged accounts: account_id,username,cluster_id,score,signals,why
  clusters.csv      cluster_id,size,score,signals,top_targets,why
  edges.csv         source,target,signal,weight,p_value,evidence (post ids and times)
  domains.csv       lookalike news domains among the shared URLs
  network.gexf      for Gephi (node: cluster, score, username; edge: signal, weight, p_value)
  network.graphml   the same for other graph tools
  summary.json      inputs, records read and skipped, parameters, timings

Examples:
  swarmscan scan tweets.jsonl.gz --out findings
  swarmscan scan a.csv b.csv.zst --out findings --fdr 0.001 --min-cluster 5
  swarmscan scan export.csv --columns post_id=id,account_id=user,timestamp=time,text=body --out findings
  swarmscan scan data.jsonl --out findings --signals co_link,co_similar --window co_link=7200
  SOURCE_DATE_EPOCH=0 swarmscan scan data.jsonl --out findings   # pin the report's generation time";

/// `scan --signals`, short help: the signals' names, from the registry.
pub fn signals_help() -> String {
    let names: Vec<&str> = REGISTRY.iter().map(|s| s.signal.as_str()).collect();
    format!("Signals to compute, comma-separated (default: all): {}", names.join(", "))
}

/// `scan --signals`, long help: each signal of the registry with its
/// co-action and default window, so the list cannot fall behind the code.
pub fn signals_long_help() -> String {
    let mut out = String::from("Signals to compute, comma-separated (default: all):");
    for spec in REGISTRY {
        let name = spec.signal.as_str();
        out.push_str(&format!("\n  {name:<11} {}, default window {} s", spec.co_action, spec.window_ms / 1000));
    }
    out
}

/// The signals whose window `--window SIGNAL=auto` can estimate, from the
/// registry: "co_repost, co_reply, …".
pub fn estimable_signals() -> String {
    let names: Vec<&str> = REGISTRY.iter().filter(|s| s.estimable).map(|s| s.signal.as_str()).collect();
    names.join(", ")
}

/// `scan --window`'s help.
pub fn window_help() -> String {
    format!(
        "A signal's window in seconds, e.g. `--window co_link=7200` (repeatable). `SIGNAL=auto` estimates it \
         from the data (CooRnet's quickest shares; {}), and `auto` alone does so for all of these.",
        estimable_signals()
    )
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Find coordinated networks: test every co-action signal against a null
    /// model, cluster, explain, and write report.html, CSV, JSON and Gephi
    /// files into --out DIR.
    #[command(after_long_help = SCAN_EXAMPLES)]
    Scan(crate::cmd::scan::ScanArgs),
    /// Score a scan's output against labelled accounts (precision, recall, F1, ARI).
    Eval(crate::cmd::eval::EvalArgs),
    /// Generate a synthetic data set with planted operations and analyse it.
    Demo(DemoArgs),
    /// Generate synthetic activity with planted operations and ground-truth labels.
    Gen(GenArgs),
    /// Read inputs and write the normalised events to Parquet.
    Convert(ConvertArgs),
    /// Read inputs and report what was parsed and skipped, without analysis.
    Inspect(InspectArgs),
    /// Find lookalike domains of real news outlets among shared URLs.
    Domains(DomainsArgs),
    /// Compute a co-action network (co_repost, co_link, co_text, …) as an edge list.
    Network(crate::cmd::network::NetworkArgs),
    /// Watch Bluesky's Jetstream and/or a Mastodon server live: scan a sliding
    /// horizon on a schedule, alert when a coordinated cluster appears or grows.
    Watch(crate::cmd::watch::WatchArgs),
    /// Serve a shared workspace for a team: datasets, scan jobs and results
    /// over an HTTP API with users, roles and sharing (first slice: JSON API).
    Serve(crate::cmd::serve::ServeArgs),
    /// Work with a `swarmscan serve` server from the command line: sign in,
    /// upload datasets, run scans and fetch their results, compare runs.
    Remote(crate::cmd::remote::RemoteArgs),
    /// Run a Ballista scheduler or executor that computes co-action networks
    /// for `swarmscan network --cluster` (a build with `--features cluster`).
    Cluster(crate::cmd::cluster::ClusterArgs),
}

/// Options shared by every command that reads inputs.
#[derive(Args, Debug, Clone)]
pub struct InputArgs {
    /// Input files (`-` for standard input); plain, gzip or zstd; the format
    /// is recognised from the content.
    #[arg(value_name = "INPUT", required = true)]
    pub inputs: Vec<String>,
    /// Read every input as this format instead of sniffing: twarc2,
    /// twitter-v1, cnt, ira, telegram, bluesky, mastodon, crowdtangle,
    /// coortweet, csv (needs --columns), parquet.
    #[arg(long)]
    pub format: Option<Format>,
    /// Column mapping for other CSV layouts, e.g.
    /// `post_id=id,account_id=user,timestamp=created_at,text=body,urls=links`
    /// (fields: post_id, account_id, handle, timestamp, kind, target, text,
    /// urls, hashtags, mentions, lang, platform).
    #[arg(long, value_name = "FIELD=COLUMN,...")]
    pub columns: Option<ColumnMap>,
    /// Stop at the first malformed record, naming file, line and field.
    #[arg(long)]
    pub strict: bool,
    /// Also write the run summary as JSON to this file (`-` for stdout).
    #[arg(long, value_name = "FILE")]
    pub summary_json: Option<PathBuf>,
    /// Skip records (a JSON line, a CSV row) longer than this as
    /// `record_too_large`, without holding them in memory; bytes, or with a
    /// K, M or G suffix (powers of 1024). Pretty-printed documents (Telegram)
    /// are read whole up to 1G or this, whichever is larger.
    #[arg(long, value_name = "SIZE", default_value = "16M", value_parser = parse_size)]
    pub max_record_bytes: usize,
}

impl InputArgs {
    pub fn read_options(&self) -> ReadOptions {
        ReadOptions {
            format: self.format,
            strict: self.strict,
            columns: self.columns.clone(),
            progress: None,
            max_record_bytes: self.max_record_bytes,
        }
    }
}

/// `4096`, `64K`, `16M`, `2G` (powers of 1024; `KiB`/`MB` spellings accepted).
fn parse_size(s: &str) -> Result<usize, String> {
    let t = s.trim();
    let digits = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (num, unit) = t.split_at(digits);
    let n: usize = num.parse().map_err(|_| format!("`{s}` is not a size such as 4096, 64K, 16M or 1G"))?;
    let shift = match unit.trim().to_ascii_uppercase().trim_end_matches("IB").trim_end_matches('B') {
        "" => 0,
        "K" => 10,
        "M" => 20,
        "G" => 30,
        _ => return Err(format!("`{s}`: unknown unit (use K, M or G)")),
    };
    let v = n.checked_mul(1usize << shift).ok_or_else(|| format!("`{s}` is too large"))?;
    if v == 0 {
        return Err("the record limit must be at least 1 byte".into());
    }
    Ok(v)
}

#[derive(Args, Debug)]
pub struct DemoArgs {
    /// Where to write the generated data and results.
    #[arg(long, default_value = "swarmscan-demo")]
    pub out: PathBuf,
    /// Size in millions of events.
    #[arg(long, default_value_t = 0.1)]
    pub scale: f64,
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
}

#[derive(Args, Debug)]
#[command(after_long_help = GEN_EXAMPLES)]
pub struct GenArgs {
    /// Output directory (created if missing).
    #[arg(long)]
    pub out: PathBuf,
    /// Size in millions of events (0.1 ≈ 100,000 events; 100 ≈ 100 million).
    /// Default: the scenario's (1; `small` 0.04; `focused` 0.3, of which the
    /// focus keeps about a fifth).
    #[arg(long)]
    pub scale: Option<f64>,
    /// Random seed: the same seed, scale and scenario give byte-identical files.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Event files to write: `cnt` (events.csv, the toolkit's CSV),
    /// `twarc2` (events.jsonl, flattened tweets), `jetstream`
    /// (events.jetstream.jsonl, Bluesky Jetstream events), `mastodon`
    /// (events.mastodon.jsonl, Mastodon statuses): the same events each.
    #[arg(long, value_delimiter = ',', default_values = ["cnt", "twarc2"], value_parser = parse_gen_format)]
    pub formats: Vec<swarmscan_gen::Format>,
    /// A named kind of collection: default, small, focused, op-heavy,
    /// fast-fans, quiet-ring, slow-links, waves, organic-only (see
    /// crates/gen/README.md). The flags below change single knobs on top of it.
    #[arg(long, value_name = "NAME", default_value = "default", value_parser = parse_scenario)]
    pub scenario: String,
    /// Keep every operation member, fan and account they act on, and this
    /// share of the other accounts (a focused collection), in (0, 1].
    #[arg(long, value_name = "SHARE")]
    pub focus: Option<f64>,
    /// Multiply the number of operations (1: about 1.5 % of accounts are
    /// members; 10: about 15 %).
    #[arg(long, value_name = "FACTOR")]
    pub op_share: Option<f64>,
    /// Per-member participation probability range of repost rings,
    /// copypasta and hashtag pushes, e.g. `0.15-0.3`.
    #[arg(long, value_name = "LO-HI", value_parser = parse_prob_range)]
    pub participation: Option<(f64, f64)>,
    /// Whether repost-ring leaders have an organic audience (`yes`: reposted
    /// hyper-partisan accounts; `no`: the ring's own members, reposted by
    /// nobody else).
    #[arg(long, value_name = "yes|no", value_parser = parse_yes_no)]
    pub leader_audience: Option<bool>,
    /// Fans react this many times faster (10: super fans within 1-5 s).
    #[arg(long, value_name = "FACTOR")]
    pub fan_speed: Option<f64>,
    /// Spread of slow-link shares, e.g. `20m-10h` (default) or `3600-36000`
    /// (seconds); at most 11 h.
    #[arg(long, value_name = "LO-HI", value_parser = parse_duration_range)]
    pub slow_link_spread: Option<(f64, f64)>,
    /// Hashtag pushes rotate among this many tag sets, one per day (1: fixed).
    #[arg(long, value_name = "N")]
    pub rotating_hashtags: Option<u32>,
    /// Reply swarms hit the same journalist in waves of this many posts (1: one).
    #[arg(long, value_name = "N")]
    pub reply_waves: Option<u32>,
    /// No operations at all (organic accounts and fan groups only).
    #[arg(long)]
    pub organic_only: bool,
}

const GEN_EXAMPLES: &str = "Examples:
  swarmscan gen --out data --scale 0.1 --seed 7
  swarmscan gen --out small --scenario small --seed 1             # about 40k events
  swarmscan gen --out focused --scenario focused --seed 1         # one organic account in ten
  swarmscan gen --out quiet --scenario quiet-ring --scale 0.2 --participation 0.1-0.2
  swarmscan gen --out calib --scenario organic-only --scale 0.1   # for false-positive rates";

impl GenArgs {
    /// The generator configuration: the preset, then the single knobs.
    pub fn config(&self) -> Result<swarmscan_gen::GenConfig, String> {
        let p = swarmscan_gen::preset(&self.scenario).ok_or_else(|| format!("unknown scenario `{}`", self.scenario))?;
        let mut sc = p.scenario;
        if let Some(v) = self.focus {
            sc.focus = v;
        }
        if let Some(v) = self.op_share {
            sc.op_share = v;
        }
        if let Some(v) = self.participation {
            sc.participation = Some(v);
        }
        if let Some(v) = self.leader_audience {
            sc.leader_audience = v;
        }
        if let Some(v) = self.fan_speed {
            sc.fan_speed = v;
        }
        if let Some(v) = self.slow_link_spread {
            sc.slow_link_spread_s = v;
        }
        if let Some(v) = self.rotating_hashtags {
            sc.rotating_hashtags = v;
        }
        if let Some(v) = self.reply_waves {
            sc.reply_waves = v;
        }
        sc.organic_only |= self.organic_only;
        sc.validate()?;
        let scale = self.scale.unwrap_or(p.scale);
        if !(scale > 0.0 && scale.is_finite()) {
            return Err("--scale must be a positive number of millions of events".to_string());
        }
        Ok(swarmscan_gen::GenConfig {
            scale,
            seed: self.seed,
            formats: self.formats.clone(),
            scenario: sc,
            ..Default::default()
        })
    }
}

fn parse_scenario(s: &str) -> Result<String, String> {
    match swarmscan_gen::preset(s) {
        Some(p) => Ok(p.name.to_string()),
        None => Err(format!("unknown scenario `{s}`; use one of {}", swarmscan_gen::PRESETS.join(", "))),
    }
}

fn parse_yes_no(s: &str) -> Result<bool, String> {
    match s {
        "yes" | "true" => Ok(true),
        "no" | "false" => Ok(false),
        _ => Err(format!("`{s}`: use yes or no")),
    }
}

/// `LO-HI` as two numbers.
fn split_range(s: &str) -> Result<(&str, &str), String> {
    s.split_once('-').ok_or_else(|| format!("`{s}`: expected LO-HI, e.g. 0.15-0.3"))
}

fn parse_prob_range(s: &str) -> Result<(f64, f64), String> {
    let (a, b) = split_range(s)?;
    let num = |x: &str| x.trim().parse::<f64>().map_err(|_| format!("`{x}` is not a number"));
    let (lo, hi) = (num(a)?, num(b)?);
    if !(lo > 0.0 && lo <= hi && hi <= 1.0) {
        return Err(format!("`{s}`: need 0 < LO <= HI <= 1"));
    }
    Ok((lo, hi))
}

/// A duration in seconds: `90`, `90s`, `20m`, `10h`.
pub(crate) fn parse_seconds(x: &str) -> Result<f64, String> {
    let x = x.trim();
    let (num, mult) = match x.as_bytes().last() {
        Some(b's') => (&x[..x.len() - 1], 1.0),
        Some(b'm') => (&x[..x.len() - 1], 60.0),
        Some(b'h') => (&x[..x.len() - 1], 3600.0),
        Some(b'd') => (&x[..x.len() - 1], 86400.0),
        _ => (x, 1.0),
    };
    num.parse::<f64>().map(|v| v * mult).map_err(|_| format!("`{x}` is not a duration (e.g. 90s, 20m, 10h, 7d)"))
}

fn parse_duration_range(s: &str) -> Result<(f64, f64), String> {
    let (a, b) = split_range(s)?;
    let (lo, hi) = (parse_seconds(a)?, parse_seconds(b)?);
    if !(lo >= 1.0 && lo <= hi && hi <= 11.0 * 3600.0) {
        return Err(format!("`{s}`: need 1s <= LO <= HI <= 11h"));
    }
    Ok((lo, hi))
}

fn parse_gen_format(s: &str) -> Result<swarmscan_gen::Format, String> {
    s.parse()
}

#[derive(Args, Debug)]
pub struct ConvertArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// The Parquet file to write.
    #[arg(long, short)]
    pub output: PathBuf,
}

#[derive(Args, Debug)]
pub struct InspectArgs {
    #[command(flatten)]
    pub input: InputArgs,
}

#[derive(Args, Debug)]
pub struct DomainsArgs {
    /// Data sets whose shared URLs are checked (any readable format).
    #[arg(value_name = "INPUT")]
    pub inputs: Vec<String>,
    /// A file with one domain or URL per line to check (instead of or beside INPUTs).
    #[arg(long)]
    pub domains: Option<PathBuf>,
    /// Extra reference outlets, merged with the built-in list: a plain list of
    /// domains (one per line, optionally followed by a name and a country code),
    /// TSV, or CSV with a header (`domain`/`url`/`website`, `name`, `country`,
    /// `siblings`). `gov.pl`-style suffixes stand for the sites under them. Bad
    /// lines are reported as `file:line` and skipped (exit code 3); `--strict`
    /// stops instead.
    #[arg(long)]
    pub outlets: Option<PathBuf>,
    /// Known-indicator domains, reported under their own rule `blocklist`.
    #[arg(long)]
    pub blocklist: Option<PathBuf>,
    /// Where to write findings (`domain,registrable_domain,imitates,rule,score`).
    #[arg(long, short, default_value = "-")]
    pub output: PathBuf,
    #[arg(long)]
    pub format: Option<Format>,
    /// Stop at the first malformed input record or outlet-list line.
    #[arg(long)]
    pub strict: bool,
}
