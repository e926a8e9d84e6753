//! The scan: every signal's levels tested, fused per pair, corrected for
//! multiple testing, clustered.

use crate::memory::{Held, Memory, MemoryStats, Spool};
use crate::null::{self, LevelModel, LevelStats, POOL, PairP};
use crate::signals::{Key, Signal, Source, Spec};
use crate::stats::benjamini_hochberg_top;
use rayon::prelude::*;
use rustc_hash::FxHashMap;
use swarmscan_detect::{Evidence, Mode, Network, Params, Prepared};
use swarmscan_graph::{Graph, Leiden};
use swarmscan_model::{Events, Interner, Sym};

/// What a scan is asked for. [`ScanParams::default`] is the documented
/// default (`docs/scan.md`).
#[derive(Clone, Debug, PartialEq)]
pub struct ScanParams {
    /// Signals to compute.
    pub signals: Vec<Signal>,
    /// Window per signal, ms (index: position in [`Signal::ALL`]).
    pub windows: [i64; 8],
    /// False discovery rate of the reported pairs (Benjamini–Hochberg).
    pub fdr: f64,
    /// Smallest cluster reported.
    pub min_cluster: usize,
    /// co_similar: Jaccard similarity of token sets for near-duplicates.
    pub similarity: f64,
    /// Evidence items kept per edge.
    pub evidence: usize,
    /// Seed of the clustering.
    pub seed: u64,
    /// Signals whose window is estimated from the data ([`crate::window`]);
    /// [`crate::window::resolve`] sets their windows and keeps only those it
    /// could estimate.
    pub auto_windows: Vec<Signal>,
    /// Bytes the event table and the tested levels may hold together
    /// (`None`: no limit). Levels that would not fit are spilled to a
    /// temporary file after their pair test and read back, one at a time,
    /// for the evidence and the group test: the same outputs, a little more
    /// time ([`MemoryStats`]).
    pub memory_limit: Option<u64>,
    /// Raised to stop the scan at its next step ([`crate::Stop`]).
    pub stop: crate::Stop,
    /// Where the pair tests' sweeps run ([`crate::remote`]): this machine
    /// by default, a cluster with `scan --cluster`. The outputs are the same.
    pub remote: crate::remote::Remote,
}

impl Default for ScanParams {
    fn default() -> Self {
        ScanParams {
            signals: Signal::ALL.to_vec(),
            windows: Signal::ALL.map(|s| s.default_window().0),
            fdr: 0.01,
            min_cluster: 3,
            similarity: 0.6,
            evidence: 5,
            seed: 42,
            auto_windows: Vec::new(),
            memory_limit: None,
            stop: crate::Stop::default(),
            remote: crate::remote::Remote::default(),
        }
    }
}

impl ScanParams {
    /// The window of a signal.
    pub fn window(&self, s: Signal) -> i64 {
        self.windows[s.index()]
    }

    /// Sets the window of a signal.
    pub fn set_window(&mut self, s: Signal, window_ms: i64) {
        self.windows[s.index()] = window_ms;
    }
}

/// A signal's level between its pair test and the evidence and group
/// tests.
#[derive(Debug)]
struct Level<'a> {
    signal: Signal,
    /// Where the prepared actions wait ([`Memory`]).
    held: Held<'a>,
    /// The tested pairs: every pair's code, sorted (resident or on disk:
    /// [`Memory::merge`]), and the pairs with p ≤ FDR.
    codes: Spool<u64>,
    low: Vec<PairP>,
    stats: LevelStats,
    /// The fitted null (used again for the evidence and the group test).
    model: LevelModel,
}

/// One signal's test of one pair.
#[derive(Clone, Debug)]
pub struct PairSignal {
    pub signal: Signal,
    /// The level's index, in the order of [`ScanResult::signals`]
    /// ([`ScanResult::key`] resolves the evidence keys with it).
    pub level: usize,
    /// Distinct shared keys within the window, in the most significant
    /// stratum.
    pub weight: u32,
    /// Expected shared keys under the null.
    pub mu: f64,
    /// The signal's p-value (Bonferroni over the strata tested).
    pub p: f64,
    pub evidence: Vec<Evidence>,
}

/// A tested pair of accounts (ranks `a < b`).
#[derive(Clone, Debug)]
pub struct Pair {
    pub a: u32,
    pub b: u32,
    /// Fused p-value: the smallest signal p-value times the number of
    /// signals tested for the pair (Bonferroni).
    pub p: f64,
    /// Benjamini–Hochberg q-value over all tested pairs.
    pub q: f64,
    /// Signals, most significant first.
    pub signals: Vec<PairSignal>,
}

/// A reported cluster.
#[derive(Clone, Debug)]
pub struct Cluster {
    /// 1-based, in order of score.
    pub id: u32,
    /// Account ranks, strongest first.
    pub members: Vec<u32>,
    pub score: f64,
    /// Member score (same order as `members`).
    pub member_scores: Vec<f64>,
    /// Indexes into [`ScanResult::pairs`] of the significant pairs inside.
    pub pairs: Vec<usize>,
}

/// Counts per signal.
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct SignalStats {
    pub signal: String,
    pub window_s: f64,
    pub level: LevelStats,
    /// Pairs tested (some stratum with ≥ 2 shared keys).
    pub tested: u64,
    /// Significant pairs with this signal at p ≤ the pair's threshold.
    pub significant: u64,
}

/// The result of a scan.
#[derive(Debug)]
pub struct ScanResult<'a> {
    pub events: &'a Events,
    /// Account symbols by rank (ranks: account ids in byte order).
    pub accounts: Vec<Sym>,
    /// Per level: the names of the keys the evidence refers to.
    key_names: Vec<FxHashMap<u32, String>>,
    /// What the memory limit made the scan do.
    pub memory: MemoryStats,
    /// Significant pairs (q ≤ fdr), sorted by `(a, b)`.
    pub pairs: Vec<Pair>,
    pub tested_pairs: u64,
    pub signals: Vec<SignalStats>,
    pub clusters: Vec<Cluster>,
    /// Largest p-value called significant (the BH threshold).
    pub p_threshold: f64,
    /// Accounts added to clusters by the group test ([`crate::attach`]),
    /// sorted by account.
    pub attachments: Vec<Attachment>,
    /// (account, cluster, signal) tests of the group test, over all seeds
    /// (each seed's tests are one Benjamini–Hochberg family).
    pub attach_tested: u64,
}

/// An account added to a cluster because its co-actions with the cluster as
/// a whole are significant ([`crate::attach`]).
#[derive(Clone, Debug)]
pub struct Attachment {
    pub account: u32,
    /// Index of the seed community (internal; see [`Cluster::members`]).
    pub seed: u32,
    /// The most significant signal and its test.
    pub signal: Signal,
    pub weight: u32,
    pub mu: f64,
    /// Fused p-value (Bonferroni over strata, then signals).
    pub p: f64,
    /// Benjamini–Hochberg q-value within its seed's family (every
    /// (account, signal) tested against that seed).
    pub q: f64,
}

impl ScanResult<'_> {
    /// The account id of a rank.
    pub fn account_id(&self, rank: u32) -> &str {
        self.accounts.get(rank as usize).map_or("", |&s| self.events.account_ids.resolve(s))
    }

    /// The account symbol of a rank (`Sym::NONE` when no level ran).
    pub fn account_sym(&self, rank: u32) -> Sym {
        self.accounts.get(rank as usize).copied().unwrap_or(Sym::NONE)
    }

    /// The text of an evidence key of a level (empty for keys no evidence
    /// refers to).
    pub fn key(&self, level: usize, key: u32) -> String {
        self.key_names.get(level).and_then(|m| m.get(&key)).cloned().unwrap_or_default()
    }
}

/// Errors of a scan.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Detect(#[from] swarmscan_detect::Error),
    #[error(transparent)]
    Graph(#[from] swarmscan_graph::Error),
    /// Reading back what the memory limit spilled to a temporary file.
    #[error("reading the scan's temporary file back: {0}")]
    Spill(std::io::Error),
    /// [`crate::Stop`] was raised.
    #[error("the scan was stopped")]
    Stopped,
    /// The pair tests' sweeps failed where they were sent ([`crate::remote`]).
    #[error("sweeping pairs remotely: {0}")]
    Remote(#[from] crate::remote::RemoteError),
}

pub(crate) fn detect_params(p: &ScanParams, s: Signal) -> Params {
    let mut d = Params::new(Mode::Default);
    d.window_ms = p.window(s);
    d.min_weight = 2;
    d.evidence = p.evidence;
    d.similarity = p.similarity;
    d
}

/// "RT @handle: …" → "handle".
fn retweeted_handle(text: &str) -> Option<&str> {
    let rest = text.strip_prefix("RT @")?;
    let end = rest.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(rest.len());
    (end > 0).then(|| &rest[..end])
}

/// The author (account symbol) of every post id in the data, `u32::MAX`
/// for post ids only seen as targets.
fn post_authors(ev: &Events) -> Vec<u32> {
    let mut author = vec![u32::MAX; ev.keys.len()];
    for r in 0..ev.len() {
        author[ev.post[r].idx()] = ev.account[r].0;
    }
    author
}

/// Sources of the keys of a post-keyed level (reposts, replies): the
/// target's author when the target is in the data, else the handle in
/// "RT @handle:", else (replies) the first mention, else [`POOL`]. Returns
/// `(key, source)` sorted by key, and the names of the sources.
fn post_sources(ev: &Events, author: &[u32], level: &Prepared<'_>, reply: bool) -> (Vec<(u32, u32)>, Interner) {
    let mut names = Interner::new();
    let ka = level.keyed_actions();
    let mut out = Vec::new();
    // An author's source, once named (most keys are posts of a few authors).
    // (`u32::MAX`: not yet; an interned name or POOL once named.)
    let mut of_author = vec![u32::MAX; ev.account_ids.len()];
    let mut g = 0;
    while g < ka.len() {
        let k = ka.key[g];
        let e = g + ka.key[g..].partition_point(|&x| x == k);
        let row = ka.row[g] as usize;
        let author = author.get(k as usize).copied().filter(|&a| a != u32::MAX);
        if let Some(a) = author
            && of_author[a as usize] != u32::MAX
        {
            out.push((k, of_author[a as usize]));
            g = e;
            continue;
        }
        let name = source_name(ev, author.map(Sym), row, reply);
        let source = if name.is_empty() { POOL } else { names.intern(&name).0 };
        if let Some(a) = author {
            of_author[a as usize] = source;
        }
        out.push((k, source));
        g = e;
    }
    (out, names)
}

/// The source's name of an action on row `row` whose target's author is
/// `author` (if the target is in the data): [`post_sources`]' rule, `""`
/// for the pool.
fn source_name(ev: &Events, author: Option<Sym>, row: usize, reply: bool) -> String {
    match author {
        Some(a) => {
            let h = ev.handle(a);
            if h.is_empty() { ev.account_ids.resolve(a).to_string() } else { format!("@{}", h.to_lowercase()) }
        }
        None => {
            let text = ev.texts.resolve_or_empty(ev.text[row]);
            let from_rt = retweeted_handle(text).map(|h| format!("@{}", h.to_lowercase()));
            let from_mention = || {
                let first = ev.mentions(row).first().filter(|_| reply);
                first.map(|&m| format!("@{}", ev.strings.resolve(m).trim_start_matches('@').to_lowercase()))
            };
            from_rt.or_else(from_mention).unwrap_or_default()
        }
    }
}

/// Near-duplicate bursts: connected components of the similarity pairs of
/// a co_similar level; each row's component (or `u32::MAX` when it matched
/// nothing), and the components' names (the first text of each).
fn similar_bursts(ev: &Events, level: &Prepared<'_>) -> (Vec<u32>, Interner) {
    let n = level.keyed_actions().len();
    // Each row's component as its smallest row (the join never lists the
    // pairs themselves: swarmscan_detect::similar::join_components).
    let comp = level.similar_components().unwrap_or_else(|| vec![u32::MAX; n]);
    let ka = level.keyed_actions();
    let mut names = Interner::new();
    let mut key_of_root: FxHashMap<u32, u32> = FxHashMap::default();
    let mut keys = vec![u32::MAX; n];
    for (i, &root) in comp.iter().enumerate() {
        if root == u32::MAX {
            continue;
        }
        let k = *key_of_root.entry(root).or_insert_with(|| {
            let text = ev.texts.resolve_or_empty(ev.text[ka.row[root as usize] as usize]);
            let short: String = text.chars().take(120).collect();
            // Distinct bursts keep distinct keys even with the same text.
            names.intern(&format!("{short} [#{root}]")).0
        });
        keys[i] = k;
    }
    (keys, names)
}

/// Bursts of a persistent key (keys must have distinct names): each key's actions (sorted by time) split
/// wherever two consecutive actions are more than `window_ms` apart. Returns
/// each sorted row's burst (a new dense key) and the bursts' names (the
/// key's name and the burst's start).
fn key_bursts(level: &Prepared<'_>, window_ms: i64) -> (Vec<u32>, Interner) {
    key_bursts_in(level, window_ms, 1 << 16)
}

/// [`key_bursts`], naming `block` bursts at a time.
fn key_bursts_in(level: &Prepared<'_>, window_ms: i64, block: usize) -> (Vec<u32>, Interner) {
    let ka = level.keyed_actions();
    let n = ka.len();
    let mut starts = Vec::new();
    let mut i = 0;
    while i < n {
        starts.push(i);
        i += 1;
        while i < n && ka.key[i] == ka.key[i - 1] && ka.ts_ms[i] - ka.ts_ms[i - 1] <= window_ms {
            i += 1;
        }
    }
    // The names formatted in parallel, a block at a time (a block's strings
    // are all that is held beside the interner), and interned in order.
    let mut names = Interner::new();
    let mut keys = vec![u32::MAX; n];
    for (bi, names_of) in starts.chunks(block).enumerate() {
        let formatted: Vec<String> = names_of
            .par_iter()
            .map(|&i| {
                let ts = swarmscan_model::format_rfc3339_ms(ka.ts_ms[i]);
                format!("{} @{ts}", level.key(ka.key[i]).unwrap_or_default())
            })
            .collect();
        for (b, (&i, name)) in names_of.iter().zip(&formatted).enumerate() {
            let end = starts.get(bi * block + b + 1).copied().unwrap_or(n);
            keys[i..end].fill(names.intern(name).0);
        }
    }
    (keys, names)
}

/// Pairs whose best possible p-value is above the FDR can never be reported
/// (BH's threshold is at most the FDR); the bound behind this is only used
/// where it is far below ½ (`null::best_p`).
fn hopeless_above(p: &ScanParams) -> f64 {
    if p.fdr < 0.25 { p.fdr } else { 1.0 }
}

/// What [`build_levels`] hands each level to: its spec, the level, the
/// unshared actions its null counts, and each key's source.
type LevelSink<'f, 'a> =
    dyn FnMut(&Spec, Prepared<'a>, Vec<u32>, &(dyn Fn(u32) -> u32 + Sync)) -> Result<(), Error> + 'f;

/// Builds the levels of `signals`, as the registry says
/// ([`crate::signals`]), network by network, and hands each to `each` with
/// its spec, the `unshared` actions its null counts (co_similar's texts that
/// matched no other) and the source of each of its keys (the author, for
/// the author-conditioned signals; `0` for the others). Deterministic: the
/// scan builds a level a second time, to the same actions, when it released
/// it to stay within its memory limit ([`Memory`]).
///
/// Signals that share a network share its prepared actions: the network is
/// prepared once, the derived keys (sources, waves, bursts) are built from
/// it, and the signal that keeps its own keys takes it last. co_similar's
/// network goes first: its join needs the most scratch memory, best spent
/// before the other levels, which may stay to the end of the scan, exist.
fn build_levels<'a>(
    ev: &'a Events,
    p: &ScanParams,
    signals: &[Signal],
    on_stage: &(dyn Fn(&str) + Sync),
    each: &mut LevelSink<'_, 'a>,
) -> Result<(), Error> {
    let mut networks: Vec<Network> = Vec::new();
    for s in Signal::ALL.into_iter().filter(|s| signals.contains(s)) {
        if !networks.contains(&s.spec().network) {
            networks.push(s.spec().network);
        }
    }
    networks.sort_by_key(|&n| n != Network::CoSimilar);
    let mut author = Vec::new();
    for network in networks {
        let mut specs: Vec<&Spec> = crate::signals::REGISTRY
            .into_iter()
            .filter(|s| s.network == network && signals.contains(&s.signal))
            .collect();
        // The spec that keeps the network's own keys takes the prepared
        // network; the others are built from it first.
        specs.sort_by_key(|s| s.key == Key::Target);
        // Announced under the network's name (co_repost's actions are
        // prepared for co_amplify too).
        p.stop.check()?;
        if specs[0].signal.as_str() != network.as_str() {
            on_stage(network.as_str());
        }
        let base = swarmscan_detect::prepare(ev, network, &detect_params(p, specs[0].signal))?;
        let needs_sources =
            specs.iter().any(|s| s.source == Source::Author || matches!(s.key, Key::Source | Key::SourceWaves));
        let sources = if needs_sources {
            if author.is_empty() {
                author = post_authors(ev);
            }
            Some(post_sources(ev, &author, &base, network == Network::CoReply))
        } else {
            None
        };
        let mut base = Some(base);
        let last = specs.last().map(|s| s.signal);
        for spec in specs {
            p.stop.check()?;
            on_stage(spec.signal.as_str());
            let dp = detect_params(p, spec.signal);
            let prepared = base.as_ref().expect("the network is kept until its last signal");
            let source_of = |k: u32| {
                let (src, _) = sources.as_ref().expect("sources were built for this network");
                src[src.partition_point(|x| x.0 < k)].1
            };
            let mut unshared = Vec::new();
            let level = match spec.key {
                Key::Target => base.take().expect("the network's own keys come last"),
                Key::Source | Key::SourceWaves => {
                    let names = sources.as_ref().map(|x| x.1.clone());
                    let keys: Vec<u32> = prepared
                        .keyed_actions()
                        .key
                        .par_iter()
                        .map(|&k| source_of(k))
                        .map(|s| if s == POOL { u32::MAX } else { s })
                        .collect();
                    let level = prepared.rekey(&keys, names, &dp)?;
                    if spec.key == Key::SourceWaves {
                        // Replies to one account come in waves: each wave is
                        // a key, so a swarm that descends on the same
                        // journalist ten times counts ten times, while a
                        // steady stream of replies is one popular key.
                        let (bursts, burst_names) = key_bursts(&level, dp.window_ms);
                        level.rekey(&bursts, Some(burst_names), &dp)?
                    } else {
                        level
                    }
                }
                Key::Bursts => {
                    let (keys, names) = key_bursts(prepared, dp.window_ms);
                    prepared.rekey(&keys, Some(names), &dp)?
                }
                Key::SimilarBursts => {
                    let (keys, names) = similar_bursts(ev, prepared);
                    // Texts that match no other text were opportunities too.
                    unshared = vec![0u32; prepared.accounts()];
                    for (&k, &a) in keys.iter().zip(&prepared.keyed_actions().account) {
                        if k == u32::MAX {
                            unshared[a as usize] += 1;
                        }
                    }
                    prepared.rekey(&keys, Some(names), &dp)?
                }
            };
            if Some(spec.signal) == last {
                // No other signal needs the network's own keys: free them
                // before the test (co_similar's are the largest).
                base = None;
            }
            let conditioned = spec.source == Source::Author && spec.key == Key::Target;
            let no_source = |_: u32| 0;
            let source: &(dyn Fn(u32) -> u32 + Sync) = if conditioned { &source_of } else { &no_source };
            each(spec, level, unshared, source)?;
        }
    }
    Ok(())
}

/// Runs every level of the scan's signals, in the order of
/// [`Signal::ALL`]. A level's tested pairs and actions stay resident for
/// the later stages while `memory` lets them, and are spilled otherwise
/// ([`crate::memory`]).
fn run_levels<'a>(
    ev: &'a Events,
    p: &ScanParams,
    memory: &mut Memory,
    on_stage: &(dyn Fn(&str) + Sync),
) -> Result<Vec<Level<'a>>, Error> {
    let hopeless = hopeless_above(p);
    let mut out = Vec::new();
    build_levels(ev, p, &p.signals, on_stage, &mut |spec, level, unshared, source| {
        let dp = detect_params(p, spec.signal);
        let how = null::Fit { null: spec.null, unshared: &unshared, strata: spec.strata };
        // Only a pair with p ≤ FDR in some level can be reported (its fused
        // p is at least its smallest).
        let mut runs = memory.runs(level.heap_bytes() as u64);
        let (stats, model) = match p.remote.get() {
            None => null::test_level_into(&level, source, &how, &dp, hopeless, &mut runs),
            Some(remote) => null::test_level_remote(&level, source, &how, &dp, hopeless, &mut runs, remote)?,
        };
        memory.add(model.heap_bytes());
        let (codes, low) = memory.merge(runs, p.fdr).map_err(Error::Spill)?;
        memory.add(low.capacity() * std::mem::size_of::<PairP>());
        let held = memory.hold(level);
        out.push(Level { signal: spec.signal, held, codes, low, stats, model });
        Ok(())
    })?;
    out.sort_by_key(|l| l.signal.index());
    Ok(out)
}

/// Runs the scan.
pub fn scan<'a>(ev: &'a Events, p: &ScanParams) -> Result<ScanResult<'a>, Error> {
    scan_observed(ev, p, &|_| {})
}

/// [`scan`], telling `on_stage` what it starts (a signal's name, then
/// "fusing and testing", "clustering"): for progress displays.
pub fn scan_observed<'a>(
    ev: &'a Events,
    p: &ScanParams,
    on_stage: &(dyn Fn(&str) + Sync),
) -> Result<ScanResult<'a>, Error> {
    let mut memory = Memory::new(ev, p.memory_limit);
    let mut levels = run_levels(ev, p, &mut memory, on_stage)?;
    p.stop.check()?;
    on_stage("fusing and testing");
    // Per pair: the smallest signal p-value times the number of signals
    // tested (Bonferroni). Each level keeps its tested pairs as sorted codes
    // and only the p-values at most the FDR (`Memory::merge`): the
    // distinct pairs are counted by merging the sorted lists (streamed from
    // disk where spilled), and only pairs with a p-value at most the FDR
    // somewhere can have a fused p that low.
    let mut signals: Vec<SignalStats> = levels
        .iter()
        .map(|level| SignalStats {
            signal: level.signal.as_str().into(),
            window_s: p.window(level.signal) as f64 / 1000.0,
            level: level.stats,
            tested: level.codes.len(),
            significant: 0,
        })
        .collect();
    let tested_pairs = {
        let mut streams =
            levels.iter().map(|l| l.codes.stream()).collect::<Result<Vec<_>, _>>().map_err(Error::Spill)?;
        let n = null::distinct_union(streams.iter_mut().collect());
        for s in streams {
            s.finish().map_err(Error::Spill)?;
        }
        n
    };
    let mut low: Vec<(u64, f64)> = levels
        .iter_mut()
        .flat_map(|l| std::mem::take(&mut l.low).into_iter().map(|x| (null::pair_code(x.a, x.b), x.p)))
        .collect();
    low.par_sort_unstable_by(|x, y| x.0.cmp(&y.0).then(x.1.total_cmp(&y.1)));
    // Which levels tested each pair with a low p-value somewhere (its
    // Bonferroni factor, and later the levels that hold its evidence).
    let queries: Vec<u64> = low.chunk_by(|x, y| x.0 == y.0).map(|run| run[0].0).collect();
    let present: Vec<Vec<bool>> =
        levels.iter().map(|l| l.codes.present(&queries)).collect::<Result<_, _>>().map_err(Error::Spill)?;
    for l in &mut levels {
        memory.release(std::mem::take(&mut l.codes).resident_bytes());
    }
    // Only pairs with p ≤ FDR can have q ≤ FDR; the others count in BH's
    // number of tests but are not kept (see `benjamini_hochberg_top`).
    let mut fused: Vec<(u32, u32, f64)> = Vec::new();
    for (qi, run) in low.chunk_by(|x, y| x.0 == y.0).enumerate() {
        let (code, best) = run[0];
        let (a, b) = ((code >> 32) as u32, code as u32);
        let signals_tested = present.iter().filter(|pr| pr[qi]).count();
        let fp = (best * signals_tested as f64).min(1.0);
        if fp <= p.fdr {
            fused.push((a, b, fp));
        }
    }
    drop(low);
    let q = benjamini_hochberg_top(&fused.iter().map(|x| x.2).collect::<Vec<_>>(), tested_pairs);
    let reported: Vec<(u32, u32, f64, f64)> =
        fused.iter().zip(q).filter(|(_, q)| *q <= p.fdr).map(|(&(a, b, fp), q)| (a, b, fp, q)).collect();
    drop(fused);
    // The seeds of the group test: communities of the reported pairs.
    p.stop.check()?;
    on_stage("clustering");
    let seeds = communities(&reported, p)?;
    let mut cluster_of = vec![u32::MAX; ev.account_ids.len()];
    for (ci, m) in seeds.iter().enumerate() {
        for &a in m {
            cluster_of[a as usize] = ci as u32;
        }
    }
    // The reported pairs' signals in full (weights, evidence), swept again
    // over their own accounts' actions, and the group test, level by level,
    // each freed when done: the kept and spilled levels first, then any
    // released one built again.
    p.stop.check()?;
    on_stage("evidence and group test");
    let want: Vec<(u32, u32)> = reported.iter().map(|x| (x.0, x.1)).collect();
    let query_of: Vec<usize> = want
        .iter()
        .map(|&(a, b)| queries.binary_search(&null::pair_code(a, b)).expect("a reported pair has a low p-value"))
        .collect();
    let here: Vec<Vec<(u32, u32)>> = present
        .iter()
        .map(|pr| want.iter().zip(&query_of).filter(|(_, qi)| pr[**qi]).map(|(&w, _)| w).collect())
        .collect();
    drop((present, queries, query_of));
    let mut done = LevelsDone::new(want, levels.len(), memory.room());
    for (li, level) in levels.iter_mut().enumerate() {
        let held = std::mem::replace(&mut level.held, Held::Released);
        let (network, dp) = (level.signal.spec().network, detect_params(p, level.signal));
        if let Some(prepared) = memory.take(held, ev, network, &dp) {
            done.add(li, level.signal, &prepared, &level.model, &here[li], &cluster_of, p);
        }
    }
    let released: Vec<Signal> = levels.iter().filter(|l| !done.done[l.signal.index()]).map(|l| l.signal).collect();
    if !released.is_empty() {
        build_levels(ev, p, &released, &|s| on_stage(&format!("{s}, built again")), &mut |spec, prepared, _, _| {
            let li = levels.iter().position(|l| l.signal == spec.signal).expect("a released level");
            done.add(li, spec.signal, &prepared, &levels[li].model, &here[li], &cluster_of, p);
            Ok(())
        })?;
    }
    drop(levels);
    let LevelsDone { want, per_pair, key_names, accounts, attach_tests, attach_tested, hit_batches, .. } = done;
    memory.stats.group_test_batches = hit_batches;
    let mut pairs: Vec<Pair> = Vec::with_capacity(reported.len());
    for ((a, b, fp, q), mut sigs) in reported.into_iter().zip(per_pair) {
        sigs.sort_by(|x, y| x.p.total_cmp(&y.p).then(x.signal.cmp(&y.signal)));
        debug_assert_eq!(fp, (sigs[0].p * sigs.len() as f64).min(1.0), "the two passes disagree");
        pairs.push(Pair { a, b, p: fp, q, signals: sigs });
    }
    drop(want);
    let p_threshold = pairs.iter().map(|x| x.p).fold(0.0, f64::max);
    for x in &pairs {
        for s in &x.signals {
            if s.p <= p_threshold
                && let Some(st) = signals.iter_mut().find(|st| st.signal == s.signal.as_str())
            {
                st.significant += 1;
            }
        }
    }
    let attachments = accept_attachments(attach_tests, &attach_tested, p);
    let clusters = cluster(&pairs, seeds, &attachments, p);
    Ok(ScanResult {
        events: ev,
        accounts,
        key_names,
        memory: memory.stats,
        pairs,
        tested_pairs,
        signals,
        clusters,
        p_threshold,
        attachments,
        attach_tested: attach_tested.iter().sum(),
    })
}

/// What the evidence and group-test pass gathers, level by level
/// ([`LevelsDone::add`]), in any order of the levels.
struct LevelsDone {
    /// The reported pairs, sorted, and each one's signals.
    want: Vec<(u32, u32)>,
    per_pair: Vec<Vec<PairSignal>>,
    /// Per level: the names of the keys its evidence refers to.
    key_names: Vec<FxHashMap<u32, String>>,
    /// Account symbols by rank (the same in every level).
    accounts: Vec<Sym>,
    /// The group test's (account, seed, signal) tests with p ≤ FDR, and how
    /// many there were in all, per seed.
    attach_tests: Vec<Attachment>,
    attach_tested: Vec<u64>,
    /// What the memory limit leaves free for the group test's hits
    /// ([`Memory::room`] after fusion; less each level's own bytes, which
    /// for a level kept resident counts it twice: conservative), and the
    /// batches they took.
    room: Option<u64>,
    hit_batches: u64,
    /// Per signal index: whether its level is done.
    done: [bool; 8],
}

impl LevelsDone {
    fn new(want: Vec<(u32, u32)>, levels: usize, room: Option<u64>) -> LevelsDone {
        LevelsDone {
            room,
            hit_batches: 0,
            per_pair: vec![Vec::new(); want.len()],
            want,
            key_names: vec![FxHashMap::default(); levels],
            accounts: Vec::new(),
            attach_tests: Vec::new(),
            attach_tested: Vec::new(),
            done: [false; 8],
        }
    }

    /// Level `li`'s evidence for the reported pairs it tested (`here`) and
    /// its group test of every account outside the seeds against each seed.
    #[allow(clippy::too_many_arguments)]
    fn add(
        &mut self,
        li: usize,
        signal: Signal,
        level: &Prepared<'_>,
        model: &LevelModel,
        here: &[(u32, u32)],
        cluster_of: &[u32],
        p: &ScanParams,
    ) {
        self.done[signal.index()] = true;
        if self.accounts.is_empty() {
            self.accounts = level.account_syms().to_vec();
        }
        if !here.is_empty() {
            let dp = detect_params(p, signal);
            let mut details = null::detail_level(level, model, &dp, hopeless_above(p), here);
            details.par_sort_unstable_by(|x, y| {
                (x.edge.a, x.edge.b)
                    .cmp(&(y.edge.a, y.edge.b))
                    .then(x.p.total_cmp(&y.p))
                    .then(x.stratum.cmp(&y.stratum))
            });
            let names = &mut self.key_names[li];
            let mut it = details.into_iter().peekable();
            while let Some(t) = it.next() {
                let mut strata = 1u32;
                while it.next_if(|u| (u.edge.a, u.edge.b) == (t.edge.a, t.edge.b)).is_some() {
                    strata += 1;
                }
                for e in &t.edge.evidence {
                    names.entry(e.key).or_insert_with(|| level.key(e.key).unwrap_or_default().to_string());
                }
                let i = self.want.binary_search(&(t.edge.a, t.edge.b)).expect("a detail of a wanted pair");
                self.per_pair[i].push(PairSignal {
                    signal,
                    level: li,
                    weight: t.edge.weight,
                    mu: t.mu,
                    p: (t.p * f64::from(strata)).min(1.0),
                    evidence: t.edge.evidence,
                });
            }
        }
        // The group test: per (account, seed, level) the test, strata
        // pooled, each one hypothesis of the family. Only tests with p ≤ FDR
        // are kept whole (the others can never reach q ≤ FDR, as for pairs);
        // every test that could reach p ≤ FDR is counted for BH's number of
        // tests (`attach::Candidate::reach`).
        let batch = crate::attach::hits_per_batch(
            self.room.map(|r| r.saturating_sub(level.heap_bytes() as u64)),
            level.keyed_actions().len(),
        );
        let (cands, t, batches) = crate::attach::attach_level(level, model, cluster_of, p.window(signal), batch, p.fdr);
        self.hit_batches += batches;
        self.attach_tests.extend(cands.into_iter().map(|c| Attachment {
            account: c.account,
            seed: c.cluster,
            signal,
            weight: c.x,
            mu: c.mu,
            p: c.p,
            q: 1.0,
        }));
        if self.attach_tested.len() < t.len() {
            self.attach_tested.resize(t.len(), 0);
        }
        for (all, n) in self.attach_tested.iter_mut().zip(t) {
            *all += n;
        }
    }
}

/// The smallest seed of the group test: one significant pair.
const SEED_MIN: usize = 2;

/// Strength of a pair in the clustering: `−log10 p`, capped so that one
/// astronomically significant pair cannot dominate a cluster.
pub fn strength(p: f64) -> f64 {
    (-p.max(1e-300).log10()).clamp(0.0, 100.0)
}

/// Leiden communities of the reported pairs `(a, b, p, q)` of at least two
/// accounts, each sorted, in order of their smallest member: the seeds of
/// the group test. A seed of two (one significant pair) is reported only if
/// the group test brings it to `min_cluster` ([`cluster`]); it is a seed
/// because a pair is what a small operation often leaves, and the accounts
/// the group test adds to it are tested against the pair's joint actions
/// alone, which their own actions did not choose.
fn communities(pairs: &[(u32, u32, f64, f64)], p: &ScanParams) -> Result<Vec<Vec<u32>>, Error> {
    let mut nodes: Vec<u32> = pairs.iter().flat_map(|x| [x.0, x.1]).collect();
    nodes.sort_unstable();
    nodes.dedup();
    let idx = |r: u32| nodes.binary_search(&r).unwrap_or(0) as u32;
    let graph = Graph::from_edges(nodes.len(), pairs.iter().map(|x| (idx(x.0), idx(x.1), strength(x.2))))?;
    let part = Leiden::new().seed(p.seed).run(&graph)?;
    let mut out: Vec<Vec<u32>> = part
        .communities()
        .into_iter()
        .filter(|m| m.len() >= SEED_MIN)
        .map(|m| {
            let mut v: Vec<u32> = m.iter().map(|&i| nodes[i as usize]).collect();
            v.sort_unstable();
            v
        })
        .collect();
    out.sort();
    Ok(out)
}

/// The group test's decision ([`crate::attach`]): Benjamini–Hochberg within
/// each seed's family, its `tested[seed]` (account, signal) tests, of which
/// `tests` are those with p ≤ FDR; returns the accepted attachments, one per
/// account (its most significant seed), sorted by account.
///
/// One family per seed, not one over all seeds (since 2026-12-08): each seed
/// is a hypothesis the pair stage already rejected ("these accounts act
/// together"), and its candidates are that hypothesis's children — the
/// hierarchical procedure of Yekutieli (JASA 2008), which tests the
/// children of each rejected parent as one family at the same level. A
/// seed's family holds only the accounts that acted with it; one family
/// over every seed made an operation's members compete with every other
/// seed's candidates, a family that grows with the number of seeds (12,885
/// tests at 1 M generated events, so two joint actions needed `μ ≈ 10⁻⁴`).
fn accept_attachments(mut tests: Vec<Attachment>, tested: &[u64], p: &ScanParams) -> Vec<Attachment> {
    tests.sort_by_key(|t| (t.seed, t.account, t.signal.index()));
    for family in tests.chunk_by_mut(|x, y| x.seed == y.seed) {
        let m = tested.get(family[0].seed as usize).copied().unwrap_or(0).max(family.len() as u64);
        let q = benjamini_hochberg_top(&family.iter().map(|x| x.p).collect::<Vec<_>>(), m);
        for (t, q) in family.iter_mut().zip(q) {
            t.q = q;
        }
    }
    tests.retain(|t| t.q <= p.fdr);
    tests.sort_by_key(|t| (t.account, t.seed, t.signal.index()));
    // One community per account: the most significant.
    let mut out: Vec<Attachment> = Vec::new();
    for t in tests {
        match out.last_mut() {
            Some(l) if l.account == t.account => {
                if (t.p, t.seed) < (l.p, l.seed) {
                    *l = t;
                }
            }
            _ => out.push(t),
        }
    }
    out
}

fn cluster(pairs: &[Pair], seeds: Vec<Vec<u32>>, attachments: &[Attachment], p: &ScanParams) -> Vec<Cluster> {
    let mut comms = seeds;
    for t in attachments {
        comms[t.seed as usize].push(t.account);
    }
    let keep: Vec<bool> = comms.iter().map(|m| m.len() >= p.min_cluster).collect();
    // The pairs inside each reported community, in one pass over the pairs.
    let mut comm_of: FxHashMap<u32, u32> = FxHashMap::default();
    for (ci, m) in comms.iter().enumerate() {
        if keep[ci] {
            for &v in m {
                comm_of.insert(v, ci as u32);
            }
        }
    }
    let mut inside_of: Vec<Vec<usize>> = vec![Vec::new(); comms.len()];
    for (i, x) in pairs.iter().enumerate() {
        if let (Some(ca), Some(cb)) = (comm_of.get(&x.a), comm_of.get(&x.b))
            && ca == cb
        {
            inside_of[*ca as usize].push(i);
        }
    }
    let mut out = Vec::new();
    for (ci, (set, inside)) in comms.into_iter().zip(inside_of).enumerate() {
        if !keep[ci] {
            continue;
        }
        let mut score_of: FxHashMap<u32, f64> = set.iter().map(|&r| (r, 0.0)).collect();
        let mut total = 0.0;
        for &i in &inside {
            let s = strength(pairs[i].p);
            total += s;
            *score_of.entry(pairs[i].a).or_default() += s;
            *score_of.entry(pairs[i].b).or_default() += s;
        }
        for t in attachments.iter().filter(|t| t.seed == ci as u32) {
            let s = strength(t.p);
            total += s;
            *score_of.entry(t.account).or_default() += s;
        }
        let n = set.len() as f64;
        let mut ms: Vec<(u32, f64)> = score_of.into_iter().map(|(r, s)| (r, s / (n - 1.0))).collect();
        ms.sort_by(|x, y| y.1.total_cmp(&x.1).then(x.0.cmp(&y.0)));
        out.push(Cluster {
            id: 0,
            members: ms.iter().map(|x| x.0).collect(),
            member_scores: ms.iter().map(|x| x.1).collect(),
            score: total / n,
            pairs: inside,
        });
    }
    out.sort_by(|x, y| y.score.total_cmp(&x.score).then(x.members.iter().min().cmp(&y.members.iter().min())));
    for (i, c) in out.iter_mut().enumerate() {
        c.id = i as u32 + 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use swarmscan_model::{Kind, RawEvent};

    /// `scan_observed` names every signal it computes, then the fusing and
    /// clustering stages, and nothing it was not asked for.
    #[test]
    fn stages_are_announced_once_each() {
        let ev = crate::testing::reposts(&[(0, 0, 0), (0, 1, 1), (1, 0, 5), (1, 1, 6)]);
        let p = ScanParams { signals: vec![Signal::CoAmplify, Signal::CoLink], ..Default::default() };
        let seen = std::sync::Mutex::new(Vec::new());
        scan_observed(&ev, &p, &|s| seen.lock().unwrap().push(s.to_string())).unwrap();
        let seen = seen.into_inner().unwrap();
        // co_repost's actions are prepared for co_amplify, under its name.
        assert_eq!(
            seen,
            ["co_repost", "co_amplify", "co_link", "fusing and testing", "clustering", "evidence and group test"]
        );
    }

    proptest! {
        /// `post_sources` names each author once and reuses the name for its
        /// other posts: the same `(key, source name)` list as naming every
        /// key from scratch, its target's author found by a search of the
        /// posts.
        #[test]
        fn post_sources_equal_naming_every_key(
            acts in proptest::collection::vec((0u8..4, 0u8..12, 0u8..4, any::<bool>()), 1..60),
            reply in any::<bool>(),
        ) {
            let mut ev = Events::new();
            // Authors a0..a3 post p0..p11 (a3 without a handle); posts
            // p8..p11 are never in the data.
            for post in 0..8u8 {
                let (id, author) = (format!("p{post}"), format!("a{}", post % 4));
                let handle = if post % 4 == 3 { String::new() } else { format!("Handle{}", post % 4) };
                ev.push(&RawEvent { post_id: &id, account_id: &author, handle: &handle, ts_ms: 0, kind: Some(Kind::Post), ..Default::default() });
            }
            let kind = if reply { Kind::Reply } else { Kind::Repost };
            for (i, &(acct, post, who, rt)) in acts.iter().enumerate() {
                let (id, a, target) = (format!("r{i}"), format!("u{acct}"), format!("p{post}"));
                let text = if rt { format!("RT @Rt_{who}: text") } else { "text".to_string() };
                let mention = format!("@Men{who}");
                let mentions = [mention.as_str()];
                ev.push(&RawEvent {
                    post_id: &id,
                    account_id: &a,
                    ts_ms: i as i64 * 1000,
                    kind: Some(kind),
                    target: Some(&target),
                    text: &text,
                    mentions: if who % 2 == 0 { &mentions } else { &[] },
                    ..Default::default()
                });
            }
            let network = if reply { Network::CoReply } else { Network::CoRepost };
            let level = swarmscan_detect::prepare(&ev, network, &detect_params(&ScanParams::default(), Signal::CoRepost)).unwrap();
            let (got, names) = post_sources(&ev, &post_authors(&ev), &level, reply);
            let named: Vec<(u32, String)> =
                got.iter().map(|&(k, s)| (k, if s == POOL { String::new() } else { names.resolve(Sym(s)).to_string() })).collect();
            // From scratch: every key's first action, its target's author.
            let ka = level.keyed_actions();
            let mut want: Vec<(u32, String)> = Vec::new();
            for i in 0..ka.len() {
                if want.last().is_some_and(|w| w.0 == ka.key[i]) {
                    continue;
                }
                let row = ka.row[i] as usize;
                let target = ev.keys.resolve(ev.target[row]).to_string();
                let author = (0..ev.len())
                    .find(|&r| ev.kind(r) == Kind::Post && ev.keys.resolve(ev.post[r]).to_string() == target)
                    .map(|r| ev.account[r]);
                want.push((ka.key[i], source_name(&ev, author, row, reply)));
            }
            prop_assert_eq!(named, want);
        }
    }

    /// Three accounts that reply to one journalist together in three waves,
    /// hours apart, share three co_target keys (one per wave), not one.
    #[test]
    fn reply_waves_are_separate_co_target_keys() {
        let mut ev = Events::new();
        let hour = 3_600_000;
        let mut n = 0;
        let mut push = |account: &str, target: &str, kind: Kind, ts_ms: i64, text: &str| {
            n += 1;
            let id = format!("m{n}");
            ev.push(&RawEvent {
                post_id: &id,
                account_id: account,
                ts_ms,
                kind: Some(kind),
                target: (kind == Kind::Reply).then_some(target),
                text,
                ..Default::default()
            });
            id
        };
        for wave in 0..3 {
            let t = wave * 5 * hour;
            let post = push("journalist", "", Kind::Post, t, "news");
            for (i, a) in ["s1", "s2", "s3"].into_iter().enumerate() {
                push(a, &post, Kind::Reply, t + 60_000 * (i as i64 + 1), "shame");
            }
        }
        // Background: a thousand pairs of strangers, each replying together
        // once to someone else, so the swarm's waves are rare keys.
        for b in 0..1000 {
            let t = 20 * hour + b * 600_000;
            let post = push(&format!("target{b}"), "", Kind::Post, t, "hello");
            push(&format!("x{b}"), &post, Kind::Reply, t + 1000, "hi");
            push(&format!("y{b}"), &post, Kind::Reply, t + 2000, "hi");
        }
        let p = ScanParams { signals: vec![Signal::CoTarget], ..Default::default() };
        let runs = run_levels(&ev, &p, &mut Memory::new(&ev, None), &|_| {}).unwrap();
        let level = &runs[0];
        assert!(!level.codes.is_spilled(), "kept without a memory limit");
        let codes = level.codes.resident();
        assert_eq!(level.signal, Signal::CoTarget);
        let Held::Resident(prepared) = &level.held else { panic!("kept without a memory limit") };
        let ka = prepared.keyed_actions();
        let swarm: Vec<u32> =
            ["s1", "s2", "s3"].iter().map(|a| prepared.rank_of(ev.account_ids.get(a).unwrap())).collect();
        let mut keys: Vec<u32> = (0..ka.len()).filter(|&i| swarm.contains(&ka.account[i])).map(|i| ka.key[i]).collect();
        keys.sort_unstable();
        keys.dedup();
        assert_eq!(keys.len(), 3, "one key per wave");
        assert_eq!(codes.len(), 3, "every pair of the swarm is tested");
        let pairs: Vec<(u32, u32)> = codes.iter().map(|&c| ((c >> 32) as u32, c as u32)).collect();
        let details = null::detail_level(prepared, &level.model, &detect_params(&p, Signal::CoTarget), 1.0, &pairs);
        assert_eq!(details.len(), 3, "{details:?}");
        assert!(details.iter().all(|t| t.edge.weight == 3), "{details:?}");
    }

    /// Each seed's tests are one Benjamini–Hochberg family: the same p-value
    /// is accepted against a seed with few candidates and not against one
    /// with many, where one family over both (10,010 tests) would accept
    /// neither; an account accepted by two seeds joins its most significant.
    #[test]
    fn each_seed_is_one_family() {
        let at = |account: u32, seed: u32, p: f64| Attachment {
            account,
            seed,
            signal: Signal::CoRepost,
            weight: 2,
            mu: 0.001,
            p,
            q: 1.0,
        };
        let p = ScanParams::default();
        // Seed 0: 10 tests; seed 1: 10,000 tests.
        let tested = [10, 10_000];
        let got = accept_attachments(vec![at(7, 0, 5e-4), at(8, 1, 5e-4), at(9, 1, 1e-7)], &tested, &p);
        let rows: Vec<(u32, u32)> = got.iter().map(|t| (t.account, t.seed)).collect();
        assert_eq!(rows, vec![(7, 0), (9, 1)]);
        assert!((got[0].q - 5e-4 * 10.0).abs() <= 1e-15, "{:?}", got[0]);
        assert!((got[1].q - 1e-7 * 10_000.0).abs() <= 1e-15, "{:?}", got[1]);
        // One family over both seeds would have taken only account 9.
        let one: Vec<f64> = crate::stats::benjamini_hochberg_top(&[5e-4, 5e-4, 1e-7], 10_010);
        assert_eq!(one.iter().filter(|&&q| q <= p.fdr).count(), 1);
        // Accepted by both seeds: it joins the one where it is most
        // significant.
        let got = accept_attachments(vec![at(7, 0, 1e-3), at(7, 1, 1e-8)], &tested, &p);
        assert_eq!(got.iter().map(|t| (t.account, t.seed)).collect::<Vec<_>>(), vec![(7, 1)]);
    }

    /// A whole scan of generated data with its pair tests' sweeps handed to
    /// a [`crate::RemoteSweep`] (here the plain kernel, as a cluster would
    /// run it) finds exactly what the local scan finds, and the comparison
    /// is not empty. (On a real cluster: `swarmscan-distributed`'s tests.)
    #[test]
    fn remote_sweeps_change_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let cfg = swarmscan_gen::GenConfig {
            scale: 0.02,
            seed: 5,
            formats: vec![swarmscan_gen::Format::Cnt],
            ..Default::default()
        };
        swarmscan_gen::generate(&cfg, dir.path()).unwrap();
        let input = dir.path().join("events.csv").display().to_string();
        let (ev, _) = swarmscan_ingest::read_inputs(&[input], &Default::default(), None).unwrap();
        let what = |r: &ScanResult<'_>| {
            format!("{:?}", (&r.pairs, &r.clusters, &r.attachments, &r.signals, r.tested_pairs, r.attach_tested))
        };
        let here = scan(&ev, &ScanParams::default()).unwrap();
        let remote = crate::Remote::new(std::sync::Arc::new(crate::testing::KernelSweep));
        let there = scan(&ev, &ScanParams { remote, ..Default::default() }).unwrap();
        assert!(!here.clusters.is_empty() && here.tested_pairs > 100, "nothing to compare");
        assert_eq!(what(&here), what(&there));
        assert_eq!(here.p_threshold.to_bits(), there.p_threshold.to_bits());
    }

    proptest! {
        #[test]
        fn bursts_split_at_gaps_longer_than_the_window(
            acts in proptest::collection::vec((0u8..4, 0u8..6, 0i64..60), 1..80),
            w in 0i64..10,
            block in 1usize..5,
        ) {
            let ev = crate::testing::reposts(&acts);
            let level = swarmscan_detect::prepare(&ev, Network::CoRepost, &Params::new(Mode::Default)).unwrap();
            let (keys, names) = key_bursts_in(&level, w * 1000, block);
            // Named in blocks as in one.
            let (one_keys, one_names) = key_bursts_in(&level, w * 1000, usize::MAX);
            prop_assert_eq!(&keys, &one_keys);
            prop_assert!(names.iter().eq(one_names.iter()));
            let ka = level.keyed_actions();
            for i in 1..ka.len() {
                let same = ka.key[i] == ka.key[i - 1] && ka.ts_ms[i] - ka.ts_ms[i - 1] <= w * 1000;
                prop_assert_eq!(keys[i] == keys[i - 1], same);
            }
            // Every burst is one run of rows.
            let mut runs: Vec<u32> = keys.clone();
            runs.dedup();
            prop_assert_eq!(runs.len(), names.len());
        }
    }
}
