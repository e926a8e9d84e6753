//! `swarmscan network KIND INPUT...`: one co-action network as an edge list.

use super::{finish, load_args};
use crate::summary::Summary;
use anyhow::Context;
use clap::{Args, ValueEnum};
use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::time::Instant;
use swarmscan_detect::{Edges, Mode, Network, Params, output};

/// Which peer tool to be compatible with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Compat {
    /// coordination-network-toolkit 1.5.2: its edge lists row for row.
    Cnt,
}

/// How default-mode edges are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, ValueEnum)]
pub enum OutputFormat {
    /// `source,target,network,weight,pairs,min_dt_s,median_dt_s,evidence`.
    #[default]
    Csv,
    /// JSON Lines, one edge per line.
    Json,
}

/// Compute one co-action network.
///
/// Default mode: undirected edges between accounts that acted on the same
/// thing within the window, weighted by distinct shared keys, with
/// evidence. `--compat cnt`: coordination-network-toolkit 1.5.2's edge list,
/// row for row (its directed weights, self-matching and quirks).
#[derive(Args, Debug)]
pub struct NetworkArgs {
    /// The network: co_repost, co_link, co_reply, co_text, co_similar,
    /// co_post or co_hashtag (the toolkit's co_retweet, co_tweet and
    /// co_similar_tweet are accepted too).
    #[arg(value_name = "KIND")]
    pub kind: Network,
    #[command(flatten)]
    pub input: crate::flags::InputArgs,
    /// Time window in seconds (millisecond decimals allowed); actions at
    /// most this far apart co-occur (inclusive). Default 60; with `--compat
    /// cnt` the toolkit command line's default, 1.
    #[arg(long, value_name = "SECONDS", value_parser = parse_seconds)]
    pub window: Option<i64>,
    /// Minimum edge weight (default 2, in both modes; in compatibility mode
    /// it applies to each direction on its own, as in the toolkit).
    #[arg(long, value_name = "N")]
    pub min_weight: Option<u32>,
    /// co_similar: Jaccard similarity threshold; pairs at or above it match.
    #[arg(long, value_name = "T", default_value_t = 0.8)]
    pub similarity: f64,
    /// co_similar: texts with fewer tokens have similarity 0 (the toolkit's
    /// `--min_document_size_similarity`).
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub min_doc_tokens: usize,
    /// Default mode: evidence items (shared keys with their closest pair of
    /// posts) per edge.
    #[arg(long, value_name = "N", default_value_t = 5)]
    pub evidence: usize,
    /// Reproduce a peer tool's semantics exactly.
    #[arg(long, value_enum, value_name = "TOOL")]
    pub compat: Option<Compat>,
    /// With `--compat cnt`: also write self-loops (u → u), like the
    /// toolkit's `loops=True`.
    #[arg(long)]
    pub loops: bool,
    /// Skip keys (posts, URLs, texts…) acted on by more distinct accounts
    /// than this, for pathological hot keys. Off by default; skipped keys
    /// are counted in the summary.
    #[arg(long, value_name = "N")]
    pub max_key_actors: Option<usize>,
    /// Output format in the default mode.
    #[arg(long, value_enum, default_value_t)]
    pub output_format: OutputFormat,
    /// Where to write the edge list (default: standard output).
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// `"60"`, `"0.5"`, `"1.250"` → milliseconds.
fn parse_seconds(s: &str) -> Result<i64, String> {
    let bad = || format!("`{s}` is not a number of seconds (like 60 or 0.5, at most millisecond precision)");
    let (int, frac) = s.trim().split_once('.').unwrap_or((s.trim(), ""));
    if int.is_empty() && frac.is_empty() || frac.len() > 3 {
        return Err(bad());
    }
    if !int.bytes().all(|b| b.is_ascii_digit()) || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let secs: i64 = if int.is_empty() { 0 } else { int.parse().map_err(|_| bad())? };
    let ms: i64 = if frac.is_empty() { 0 } else { format!("{frac:0<3}").parse().map_err(|_| bad())? };
    secs.checked_mul(1000).and_then(|x| x.checked_add(ms)).ok_or_else(bad)
}

pub fn run(args: NetworkArgs, quiet: bool) -> anyhow::Result<u8> {
    let mode = if args.compat.is_some() { Mode::Cnt } else { Mode::Default };
    if args.loops && mode == Mode::Default {
        anyhow::bail!("--loops needs --compat cnt: default-mode networks never pair an account with itself");
    }
    if mode == Mode::Cnt && args.output_format == OutputFormat::Json {
        anyhow::bail!("--compat cnt writes the toolkit's CSV; --output-format json is for the default mode");
    }
    let to_stdout = args.output.as_ref().is_none_or(|p| p.as_os_str() == "-");
    if to_stdout && args.input.summary_json.as_ref().is_some_and(|p| p.as_os_str() == "-") {
        anyhow::bail!("the edge list and --summary-json cannot both go to standard output; pass -o FILE");
    }
    let mut params = Params::new(mode);
    if let Some(w) = args.window {
        params.window_ms = w;
    }
    if let Some(m) = args.min_weight {
        params.min_weight = m;
    }
    params.similarity = args.similarity;
    params.min_doc_tokens = args.min_doc_tokens;
    params.evidence = args.evidence;
    params.loops = args.loops;
    params.max_key_actors = args.max_key_actors;

    let l = load_args(&args.input)?;
    let t = Instant::now();
    let prepared = swarmscan_detect::prepare(&l.events, args.kind, &params)?;
    let extract_s = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let out = prepared.run();
    let compute_s = t.elapsed().as_secs_f64();

    let t = Instant::now();
    let written = {
        let sink: Box<dyn Write> = if to_stdout {
            Box::new(std::io::stdout().lock())
        } else {
            let path = args.output.as_ref().expect("checked above");
            Box::new(std::fs::File::create(path).with_context(|| format!("cannot create {}", path.display()))?)
        };
        let mut w = BufWriter::with_capacity(1 << 20, sink);
        let n = match (&out.edges, args.output_format) {
            (Edges::Directed(e), _) => output::write_cnt_csv(&mut w, &prepared, e)?,
            (Edges::Undirected(e), OutputFormat::Csv) => output::write_csv(&mut w, &prepared, e)?,
            (Edges::Undirected(e), OutputFormat::Json) => output::write_jsonl(&mut w, &prepared, e)?,
        };
        w.flush().context("writing the edge list")?;
        n
    };
    let write_s = t.elapsed().as_secs_f64();

    let ev = &l.events;
    let mut s = Summary::new("network", &l.report, ev.len() as u64, ev.num_accounts() as u64);
    s.results.insert("network", args.kind.as_str().into());
    s.results.insert("mode", if mode == Mode::Cnt { "cnt" } else { "default" }.into());
    s.results.insert("window_s", serde_json::json!(params.window_ms as f64 / 1000.0));
    s.results.insert("min_weight", params.min_weight.into());
    s.results.insert("edges_written", written.into());
    if let Some(p) = &args.output {
        s.results.insert("output", p.display().to_string().into());
    }
    let st = out.stats;
    s.results.insert("keyed_actions", st.keyed_actions.into());
    s.results.insert("window_pairs", st.window_pairs.into());
    if args.kind == Network::CoSimilar {
        s.results.insert("similarity_candidates", st.similarity_candidates.into());
        s.results.insert("similarity_matches", st.similarity_matches.into());
    } else {
        s.results.insert("keys", st.keys.into());
    }
    if params.max_key_actors.is_some() {
        s.results.insert("hot_keys_skipped", st.hot_keys_skipped.into());
        s.results.insert("hot_actions_skipped", st.hot_actions_skipped.into());
    }
    s.timings_s.insert("read", l.read_s);
    s.timings_s.insert("extract", extract_s);
    s.timings_s.insert("compute", compute_s);
    s.timings_s.insert("write", write_s);
    finish(&s, args.input.summary_json.as_deref(), quiet)
}

#[cfg(test)]
mod tests {
    use super::parse_seconds;

    #[test]
    fn seconds_parse_to_milliseconds() {
        assert_eq!(parse_seconds("60"), Ok(60_000));
        assert_eq!(parse_seconds("0.5"), Ok(500));
        assert_eq!(parse_seconds(".25"), Ok(250));
        assert_eq!(parse_seconds("1.001"), Ok(1_001));
        assert!(parse_seconds("1.0001").is_err());
        assert!(parse_seconds("-1").is_err());
        assert!(parse_seconds("").is_err());
        assert!(parse_seconds("1e3").is_err());
    }
}
