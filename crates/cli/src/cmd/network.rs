//! `swarmscan network KIND[,KIND…] INPUT...`: co-action networks as edge
//! lists. Several networks in one run share one read of the inputs.

use super::{finish, load_args};
use crate::summary::Summary;
use anyhow::Context;
use clap::{Args, ValueEnum};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;
use swarmscan_detect::output::{self, Format};
use swarmscan_detect::{Mode, Network, Params};

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

/// Compute co-action networks.
///
/// Default mode: undirected edges between accounts that acted on the same
/// thing within the window, weighted by distinct shared keys, with
/// evidence. `--compat cnt`: coordination-network-toolkit 1.5.2's edge list,
/// row for row (its directed weights, self-matching and quirks).
#[derive(Args, Debug)]
pub struct NetworkArgs {
    /// The network: co_repost, co_link, co_reply, co_text, co_similar,
    /// co_post or co_hashtag (the toolkit's co_retweet, co_tweet and
    /// co_similar_tweet are accepted too). Several, comma-separated, are
    /// computed from one read of the inputs; `-o` must then contain
    /// `{network}`.
    #[arg(value_name = "KIND", value_parser = parse_networks)]
    pub kind: Networks,
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
    /// Default mode: write only each account's N heaviest edges (by weight,
    /// then co-action pairs, then the partner's id), each edge once. For
    /// networks whose full edge list is too large to use, above all co_post
    /// (the null model), whose edges grow with the square of the accounts;
    /// memory stays proportional to accounts × N.
    #[arg(long, value_name = "N", conflicts_with = "histogram")]
    pub top: Option<usize>,
    /// Default mode: write how many edges have each weight (CSV
    /// `weight,edges`) instead of the edges.
    #[arg(long)]
    pub histogram: bool,
    /// Where to write the edge list (default: standard output). `{network}`
    /// is replaced by the network's name.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    #[command(flatten)]
    pub cluster: super::cluster::ClusterFlags,
}

/// One or more networks, from a comma-separated list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Networks(pub Vec<Network>);

fn parse_networks(s: &str) -> Result<Networks, String> {
    let v: Result<Vec<Network>, _> = s.split(',').filter(|x| !x.trim().is_empty()).map(str::parse).collect();
    match v {
        Ok(v) if !v.is_empty() => Ok(Networks(v)),
        Ok(_) => Err("name at least one network".into()),
        Err(e) => Err(e.to_string()),
    }
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

pub fn run(args: NetworkArgs, ui: crate::ui::Ui) -> anyhow::Result<u8> {
    let mode = if args.compat.is_some() { Mode::Cnt } else { Mode::Default };
    if args.loops && mode == Mode::Default {
        anyhow::bail!("--loops needs --compat cnt: default-mode networks never pair an account with itself");
    }
    if mode == Mode::Cnt && (args.top.is_some() || args.histogram) {
        anyhow::bail!(
            "--top and --histogram summarise default-mode edges; --compat cnt writes the toolkit's full list"
        );
    }
    if args.histogram && args.output_format == OutputFormat::Json {
        anyhow::bail!("--histogram writes CSV (weight,edges); drop --output-format json");
    }
    if mode == Mode::Cnt && args.output_format == OutputFormat::Json {
        anyhow::bail!("--compat cnt writes the toolkit's CSV; --output-format json is for the default mode");
    }
    let mut kinds: Vec<Network> = Vec::new();
    for k in &args.kind.0 {
        if !kinds.contains(k) {
            kinds.push(*k);
        }
    }
    args.cluster.check()?;
    if args.cluster.cluster.is_some() {
        if mode == Mode::Cnt {
            anyhow::bail!("--cluster computes default-mode networks; --compat cnt runs locally");
        }
        if args.top.is_some() || args.histogram {
            anyhow::bail!("--top and --histogram run locally; drop them or --cluster");
        }
        if kinds.contains(&Network::CoSimilar) {
            anyhow::bail!(
                "co_similar is a similarity join, not a keyed sweep, and runs locally; drop --cluster for it"
            );
        }
    }
    let template = args.output.as_ref().filter(|p| p.as_os_str() != "-").map(|p| p.to_string_lossy().into_owned());
    if kinds.len() > 1 && !template.as_ref().is_some_and(|t| t.contains("{network}")) {
        anyhow::bail!(
            "with several networks, pass -o with `{{network}}` in the file name, e.g. -o 'edges/{{network}}.csv'"
        );
    }
    if template.is_none() && args.input.summary_json.as_ref().is_some_and(|p| p.as_os_str() == "-") {
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
    let format = match (mode, args.output_format) {
        (Mode::Cnt, _) => Format::CntCsv,
        (Mode::Default, OutputFormat::Csv) => Format::Csv,
        (Mode::Default, OutputFormat::Json) => Format::JsonLines,
    };

    let l = load_args(&args.input, ui)?;
    let ev = &l.events;
    let mut s = Summary::new("network", &l.report, ev.len() as u64, ev.num_accounts() as u64);
    s.results.insert("mode", if mode == Mode::Cnt { "cnt" } else { "default" }.into());
    s.results.insert("window_s", serde_json::json!(params.window_ms as f64 / 1000.0));
    s.results.insert("min_weight", params.min_weight.into());
    s.timings_s.insert("read".into(), l.read_s);
    for kind in kinds {
        let t = Instant::now();
        let prepared = swarmscan_detect::prepare(ev, kind, &params)?;
        let extract_s = t.elapsed().as_secs_f64();
        let t = Instant::now();
        let path = template.as_ref().map(|t| PathBuf::from(t.replace("{network}", kind.as_str())));
        // Returns the run's counts and the edges written.
        let write = |mut w: &mut (dyn Write + Send)| -> anyhow::Result<(swarmscan_detect::Stats, u64)> {
            Ok(if let Some(k) = args.top {
                output::write_top_edges(&mut w, &prepared, format, k)?
            } else if args.histogram {
                (output::write_weight_histogram(&mut w, &prepared)?, 0)
            } else {
                let st = output::write_edges(&mut w, &prepared, format)?;
                (st, st.edges)
            })
        };
        let (st, written) = if let Some(addr) = &args.cluster.cluster {
            let edges =
                args.cluster.edges(&prepared).with_context(|| format!("computing {kind} on the cluster at {addr}"))?;
            to_output(path.as_deref(), |mut w| Ok(output::write_edge_list(&mut w, &prepared, format, &edges)?))?;
            let st = swarmscan_detect::Stats {
                edges: edges.len() as u64,
                keyed_actions: prepared.keyed_actions().len() as u64,
                ..Default::default()
            };
            (st, st.edges)
        } else {
            to_output(path.as_deref(), write)?
        };
        let compute_write_s = t.elapsed().as_secs_f64();
        let mut r = serde_json::json!({
            "edges": st.edges,
            "edges_written": written,
            "keyed_actions": st.keyed_actions,
            "window_pairs": st.window_pairs,
            "timings_s": { "extract": extract_s, "compute_and_write": compute_write_s },
        });
        if let Some(p) = &path {
            r["output"] = p.display().to_string().into();
        }
        if kind == Network::CoSimilar {
            r["similarity_candidates"] = st.similarity_candidates.into();
            r["similarity_matches"] = st.similarity_matches.into();
        } else {
            r["keys"] = st.keys.into();
        }
        if params.max_key_actors.is_some() {
            r["hot_keys_skipped"] = st.hot_keys_skipped.into();
            r["hot_actions_skipped"] = st.hot_actions_skipped.into();
        }
        if let Some(cluster) = args.cluster.summary() {
            // The executors' counts do not come back: only what the client knows.
            r["cluster"] = cluster;
            for k in ["window_pairs", "keys", "hot_keys_skipped", "hot_actions_skipped"] {
                if let Some(m) = r.as_object_mut() {
                    m.remove(k);
                }
            }
        }
        s.results.insert(kind.as_str(), r);
        s.timings_s.insert(kind.as_str().into(), extract_s + compute_write_s);
    }
    finish(&s, args.input.summary_json.as_deref(), ui)
}

/// Runs `write` on the edge list's file (written whole or not at all) or on
/// standard output.
fn to_output<T>(
    path: Option<&Path>,
    write: impl FnOnce(&mut (dyn Write + Send)) -> anyhow::Result<T>,
) -> anyhow::Result<T> {
    match path {
        None => crate::atomic::write_output(Path::new("-"), write),
        Some(p) => crate::atomic::write_atomically(p, write),
    }
    .context("writing the edge list")
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
