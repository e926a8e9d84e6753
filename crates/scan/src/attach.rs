//! Extending clusters: accounts whose co-actions with a cluster *as a whole*
//! are more than the null model predicts.
//!
//! Pair tests are weak against operations whose members each take part in
//! only some of the actions: two members may share three bursts where the
//! whole group shares twenty. Once the pair tests have found a cluster `C`,
//! every other account `c` is tested against `C` as one unit.
//!
//! **Null model.** `c` chooses what to act on independently of `C`, as in
//! [`crate::null`]: having acted on `n_cS` keys of source `S` in a popularity
//! stratum, it picked them in proportion to their popularity *outside `C`*,
//! so it acts on key `k` with probability at most `n_cS · m'_k / M'_S`, where
//! `m'_k` counts the accounts outside `C` that acted on `k` and `M'_S` is
//! `M_S` less the members' own keys of `(S, stratum)` (pooled: `M` less their
//! degrees). `C`'s own actions are taken as they are (fixed, not modelled),
//! and they are no evidence of how popular its keys are with anyone else:
//! counted in, an operation's own keys (its URLs, reposted by nobody else)
//! would look as popular as the operation made them, and `μ` would grow
//! with the very co-actions the test looks for (issue #14, "nulls that an
//! operation cannot absorb"). The *keys of `C`* are those on which
//! two of its members acted within the window of each other — its joint
//! actions; a member's lone actions (an operation's camouflage: reposting
//! what everyone reposts) would only add to `μ`. They are chosen from `C`'s
//! actions alone, so the test stays valid. The number of keys of `C` that
//! `c` acts on within the window of some member, `X_cC`, is then a sum of independent
//! Bernoulli variables with mean at most
//! `μ_cC = Σ_S n_cS · A_CS / M'_S`, where `A_CS = Σ m'_k` is the popularity
//! outside `C` of the keys of `C` of source `S` (in the stratum); its tail is
//! bounded by Poisson(`μ_cC`). `X` and `μ` are summed over the strata, `μ`
//! over *every* stratum `c` acted in (only those where it met `C` would
//! choose the null's terms by the outcome). Every (account, cluster) with
//! `X_cC ≥ 1` is tested, conditionally on that selection:
//! `p = P(Pois(μ) ≥ X) / P(Pois(μ) ≥ 1)` ([`MIN_HITS`]); one hit gives
//! `p = 1`, so a single coincidence is still never a finding. Each
//! (account, cluster, signal) test is one hypothesis, and the tests against
//! one cluster are one Benjamini–Hochberg family (since 2026-12-08; the
//! caller's family is the number tested against the cluster, so a test with
//! one hit is counted and never kept: see [`attach_level`]). A cluster is a
//! hypothesis the pair stage has already rejected, and its candidates are
//! that hypothesis's children: one family per rejected parent is the
//! hierarchical procedure of Yekutieli (JASA 2008). One family over every
//! cluster (before) made an operation's members compete with every other
//! cluster's candidates, a family that grows with the number of clusters.
//!
//! **Hopeless tests are not counted** (since 2026-12-05; independent
//! filtering, as for pairs in [`crate::null::best_p`]). An account can hit
//! at most `min(n_c, K_C)` keys of a cluster: its own keys in the level and
//! the cluster's `K_C` keys. If even that many hits would give a p-value
//! above the FDR, the test can never be reported, and it is left out of
//! Benjamini–Hochberg's count. The bound depends on the account's own
//! counts, `μ` and the cluster's keys — not on whether the account met the
//! cluster — so the p-values of the tests that stay are as valid as before
//! and no test that could pass is dropped (property-tested: `reach ≤ p`).
//! It removes an account that acted once in a level, and heavy accounts
//! against small clusters (a seed of two with three joint actions cannot
//! give an account with `μ = 0.5` more than three hits).
//!
//! **Why `X ≥ 1`, not `X ≥ 2` as for pairs.** Both selections give valid
//! conditional p-values; they differ in what the selection spends. For small
//! `μ`, `P(X ≥ x | X ≥ 2) ≈ 2·μ^(x−2)/x!` while `P(X ≥ x | X ≥ 1) ≈
//! μ^(x−1)/x!`: conditioning on two hits throws the second hit's evidence
//! away (three hits with `μ = 0.03` give 0.01 instead of 1.5·10⁻⁴). The price
//! is a larger family: every account that touched a cluster once (10 M tests
//! at 10 M events, 250 M at 30 M, only counted). Pairs keep `X ≥ 2` because
//! their `X ≥ 1` family is every co-occurring pair, quadratic in the crowds.
//! Measured on the quality matrix (BENCHMARKS.md): F1 +0.00 to +0.05 per
//! cell, the same precision, fans and organic accounts.
//!
//! **Why it is honest.** Clusters are built from significant pairs only, and
//! only accounts in no cluster are candidates: a candidate's own actions did
//! not choose the cluster it is tested against (up to the Benjamini–Hochberg
//! threshold of the pair stage, which every p-value moves a little). The
//! attachment stage controls the false discovery rate within each cluster's
//! family, so the expected share of wrongly flagged accounts is at most
//! about the sum of the two stages' (Yekutieli's bound for a tree of two
//! levels). What it cannot do is repair the null: a seed that is itself a
//! false discovery of a misspecified null (two fans of one celebrity whose
//! fan club co-reposts more than the source-conditioned null expects) has
//! children that are misspecified alike, and a small family no longer hides
//! them (measured in BENCHMARKS.md, 2026-12-08).

use crate::null::{LevelModel, Null};
use crate::stats::{MuCuts, Tail};
use rayon::prelude::*;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use swarmscan_detect::Prepared;
use swarmscan_detect::keyed::{KeyedActions, split_sorted};

/// Whether two distinct accounts of `acts` (`(cluster, time, account)`,
/// sorted by time) acted at most `window_ms` apart.
fn co_acted(acts: &[(u32, i64, u32)], window_ms: i64) -> bool {
    // The latest action, and the latest of an account other than its.
    let mut last: Option<(i64, u32)> = None;
    let mut other: Option<i64> = None;
    for &(_, t, a) in acts {
        if let Some((lt, la)) = last {
            if la != a {
                if t - lt <= window_ms {
                    return true;
                }
                other = Some(lt);
            } else if other.is_some_and(|ot| t - ot <= window_ms) {
                return true;
            }
        }
        last = Some((t, a));
    }
    false
}

/// The selection of the group test: an (account, cluster) is tested when the
/// account acted on at least this many keys of the cluster, and its p-value
/// is conditional on it (see the module's docs for why 1, not 2).
pub const MIN_HITS: u64 = 1;

/// One tested (cluster, account, stratum) of one level.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Candidate {
    /// Index of the cluster (seed) tested against.
    pub cluster: u32,
    /// Account rank.
    pub account: u32,
    /// Distinct keys acted on within the window of some member.
    pub x: u32,
    pub mu: f64,
    /// `P(Pois(μ) ≥ X) / P(Pois(μ) ≥ MIN_HITS)`.
    pub p: f64,
    /// The smallest p-value the account could have had against the cluster,
    /// hitting every key it could (`X` at most its own keys and the
    /// cluster's): `reach ≤ p`, so a test with `reach > keep_p` can never be
    /// reported, and it is not counted in the family.
    pub reach: f64,
}

/// Hits (an account acting on a key of a cluster) held at once by
/// [`attach_level`] at most: 16 bytes each (each part's and their
/// concatenation), so about 2 GiB, plus their sort.
const HITS_PER_BATCH: u64 = 1 << 27;

/// Hits per batch at least, whatever the memory limit: each batch is one
/// more pass over the level's keys, so a tiny limit must not make passes
/// without end (64 MiB of hits).
const HITS_PER_BATCH_LEAST: u64 = 1 << 22;

/// Hits per batch where `room` bytes are free under the memory limit
/// (`None`: no limit) on a level of `level_rows` rows: half the room at 16
/// bytes a hit, at most [`HITS_PER_BATCH`], and at least the level's rows
/// (or [`HITS_PER_BATCH_LEAST`] on a small level), up to that cap.
///
/// Why the level's rows: each batch is a pass over the whole level, so a
/// floor that does not grow with the level makes the passes grow with it
/// (1,176 batches at 100 M events and `--memory-limit 8G`, where the event
/// table alone left no room, and the group test took 19 minutes). With the
/// floor, a batch holds at most about as many bytes as the level it walks
/// (16 per hit against 20 per row), which is resident anyway, and the passes
/// are at most the hits per row (the clusters sharing a key, a few) plus
/// one. The candidates do not depend on it.
pub fn hits_per_batch(room: Option<u64>, level_rows: usize) -> u64 {
    let least = (level_rows as u64).clamp(HITS_PER_BATCH_LEAST, HITS_PER_BATCH);
    room.map_or(HITS_PER_BATCH, |r| (r / 2 / 16).clamp(least, HITS_PER_BATCH))
}

/// Tests every account outside the clusters against every cluster on one
/// level. `cluster_of[rank]` is the account's cluster or `u32::MAX`.
/// Returns the candidates with `X ≥ MIN_HITS`, sorted by (cluster, account): deterministic whatever the thread count.
///
/// Memory is bounded: the hits of every cluster are collected in one pass
/// while they stay within `batch_hits` ([`hits_per_batch`]; the parts
/// report every 65,536 hits, or every 64th of `batch_hits` where that is
/// less, so a pass may overshoot by that much a part before it stops). Past that, the pass is given up, the hits are counted
/// per cluster, and they are collected for batches of consecutive clusters
/// of at most `batch_hits` hits, each batch a pass over the level's keys.
///
/// Only candidates with `p ≤ keep_p` are returned whole; the number of
/// candidates tested per cluster (every one with `X ≥ MIN_HITS` whose
/// [`Candidate::reach`] is at most `keep_p`: the others could never be
/// reported) is returned beside them, for the caller's multiple-testing
/// count (one family per cluster), without keeping them, and so is the
/// number of batches.
pub fn attach_level(
    level: &Prepared<'_>,
    model: &LevelModel,
    cluster_of: &[u32],
    window_ms: i64,
    batch_hits: u64,
    keep_p: f64,
) -> (Vec<Candidate>, Vec<u64>, u64) {
    let n_clusters = cluster_of.iter().filter(|&&c| c != u32::MAX).max().map_or(0, |&c| c as usize + 1);
    if n_clusters == 0 {
        return (Vec::new(), Vec::new(), 0);
    }
    let ka = level.keyed_actions();
    let parts = ka.split(rayon::current_num_threads() * 8);
    // Per part: hits `cluster << 32 | account`, one per key, and masses
    // (cluster, stratum, source, m_k), one per key; `None` if `stop` was
    // raised before the part was done.
    type Whole = (Vec<u64>, Vec<(u32, u32, u32, u32)>);
    type Part = Option<Whole>;
    let collect = |batch: std::ops::Range<u32>, stop: &AtomicBool, most: u64| -> Vec<Part> {
        let held = AtomicU64::new(0);
        // Each part reports its hits this many at a time.
        let step = (most / 64).clamp(1, 1 << 16) as usize;
        parts
            .clone()
            .into_par_iter()
            .map(|r| {
                let (mut hits, mut mass) = (Vec::new(), Vec::new());
                let mut told = 0usize;
                visit_keys(
                    ka,
                    model,
                    cluster_of,
                    window_ms,
                    r,
                    batch.clone(),
                    stop,
                    |cl, key_mass| mass.push((cl, key_mass.0, key_mass.1, key_mass.2)),
                    |cl, a| {
                        hits.push(u64::from(cl) << 32 | u64::from(a));
                        if hits.len() - told >= step {
                            let now = held.fetch_add((hits.len() - told) as u64, Ordering::Relaxed);
                            told = hits.len();
                            if now.saturating_add(step as u64) > most {
                                stop.store(true, Ordering::Relaxed);
                            }
                        }
                    },
                );
                (!stop.load(Ordering::Relaxed)).then_some((hits, mass))
            })
            .collect()
    };
    // Every cluster in one batch, as long as its hits stay within a batch:
    // the usual case, where counting them first would be one more pass.
    let all_clusters = 0..n_clusters as u32;
    let mut first: Option<Vec<Part>> = collect(all_clusters.clone(), &AtomicBool::new(false), batch_hits)
        .into_iter()
        .collect::<Option<Vec<_>>>()
        .map(|v| v.into_iter().map(Some).collect());
    let batches: Vec<std::ops::Range<u32>> = if first.is_some() {
        vec![all_clusters]
    } else {
        // Hits per cluster, to cut the clusters into batches.
        let never = AtomicBool::new(false);
        let per_cluster: Vec<u64> = parts
            .clone()
            .into_par_iter()
            .map(|r| {
                let mut n = vec![0u64; n_clusters];
                visit_keys(
                    ka,
                    model,
                    cluster_of,
                    window_ms,
                    r,
                    0..n_clusters as u32,
                    &never,
                    |_, _| {},
                    |cl, _| n[cl as usize] += 1,
                );
                n
            })
            .reduce(
                || vec![0u64; n_clusters],
                |mut x, y| {
                    x.iter_mut().zip(y).for_each(|(a, b)| *a += b);
                    x
                },
            );
        let mut batches = Vec::new();
        let (mut start, mut held) = (0u32, 0u64);
        for (cl, &n) in per_cluster.iter().enumerate() {
            if held > 0 && held + n > batch_hits {
                batches.push(start..cl as u32);
                (start, held) = (cl as u32, 0);
            }
            held += n;
        }
        batches.push(start..n_clusters as u32);
        batches
    };
    let n_batches = batches.len() as u64;
    // X summed over the strata, and μ over *every* stratum the account acted
    // in: each stratum's μ bounds its own keys' Bernoulli sum, so the sum
    // bounds the whole. (Summing μ only over the strata with hits would pick
    // the null's terms by the outcome and understate it.)
    let mut by_account: Vec<(u32, u32, u32, u32)> = model.counts.iter().map(|&(s, a, src, n)| (a, s, src, n)).collect();
    by_account.par_sort_unstable();
    // Where each account's rows start in `by_account` (every group test
    // looks its account up, hundreds of millions at 30 M events).
    let mut row_start = vec![0u32; cluster_of.len() + 1];
    for r in &by_account {
        row_start[r.0 as usize + 1] += 1;
    }
    let mut sum = 0u32;
    for x in &mut row_start {
        sum += *x;
        *x = sum;
    }
    let rows_of = |a: u32| &by_account[row_start[a as usize] as usize..row_start[a as usize + 1] as usize];
    // The clusters' own masses, left out of the null's denominators with
    // their actions on their keys: per cluster, its members' degrees
    // (pooled) and their key counts per (stratum, source) (stratified).
    let mut own_degree = vec![0.0f64; n_clusters];
    let mut member_rows: Vec<(u32, u32, u32, u32)> = Vec::new();
    for (a, &cl) in cluster_of.iter().enumerate() {
        if cl == u32::MAX {
            continue;
        }
        own_degree[cl as usize] += model.degree.get(a).map_or(0.0, |&d| f64::from(d));
        member_rows.extend(rows_of(a as u32).iter().map(|&(_, s, src, n)| (cl, s, src, n)));
    }
    member_rows.sort_unstable_by_key(|x| (x.0, x.1, x.2));
    let own_mass: Vec<(u32, u32, u32, f64)> = member_rows
        .chunk_by(|x, y| (x.0, x.1, x.2) == (y.0, y.1, y.2))
        .map(|run| (run[0].0, run[0].1, run[0].2, run.iter().map(|x| f64::from(x.3)).sum()))
        .collect();
    drop(member_rows);
    let own_of = |cl: u32, s: u32, src: u32| {
        let i = own_mass.partition_point(|x| (x.0, x.1, x.2) < (cl, s, src));
        own_mass.get(i).filter(|x| (x.0, x.1, x.2) == (cl, s, src)).map_or(0.0, |x| x.3)
    };
    let mut out = Vec::new();
    let mut tested = vec![0u64; n_clusters];
    for batch in batches {
        let done = match first.take() {
            Some(done) => done,
            None => collect(batch.clone(), &AtomicBool::new(false), u64::MAX),
        };
        let done: Vec<Whole> =
            done.into_iter().map(|d| d.expect("a part collected without a bound is whole")).collect();
        let mut hits: Vec<u64> = Vec::with_capacity(done.iter().map(|d| d.0.len()).sum());
        let mut mass: Vec<(u32, u32, u32, u32)> = Vec::new();
        for (h, m) in done {
            hits.extend(h);
            mass.extend(m);
        }
        hits.par_sort_unstable();
        mass.par_sort_unstable();
        // Per cluster of the batch: the popularity mass of all its keys
        // (the pooled null's `A_C`) and how many keys it has (`K_C`, the most
        // hits an account can have against it; one mass entry per key).
        let width = (batch.end - batch.start) as usize;
        let (mut a_total, mut keys_of) = (vec![0.0f64; width], vec![0u64; width]);
        for &(cl, _, _, m) in &mass {
            a_total[(cl - batch.start) as usize] += f64::from(m);
            keys_of[(cl - batch.start) as usize] += 1;
        }
        // A_CS per (cluster, stratum, source).
        let mut a_cs: Vec<(u32, u32, u32, f64)> = Vec::new();
        for (cl, s, src, m) in mass {
            match a_cs.last_mut() {
                Some(l) if (l.0, l.1, l.2) == (cl, s, src) => l.3 += f64::from(m),
                _ => a_cs.push((cl, s, src, f64::from(m))),
            }
        }
        let a_of = |cl: u32, s: u32, src: u32| {
            let i = a_cs.partition_point(|x| (x.0, x.1, x.2) < (cl, s, src));
            a_cs.get(i).filter(|x| (x.0, x.1, x.2) == (cl, s, src)).map_or(0.0, |x| x.3)
        };
        // An account's `μ` against a cluster, and the most keys it could hit
        // (its own keys in the level's tested strata, at most `K_C`).
        let mu_and_reach = |cl: u32, a: u32| -> (f64, u64) {
            let rows = rows_of(a);
            let own: u64 = rows.iter().map(|r| u64::from(r.3)).sum();
            let (mu, own) = match (model.null, rows.first()) {
                (Null::Pooled, Some(&(_, s, src, _))) => {
                    let d = model.degree[a as usize];
                    let rest = model.mass_of(s, src).0 - own_degree[cl as usize];
                    let mu = if rest > 0.0 { f64::from(d) * a_total[(cl - batch.start) as usize] / rest } else { 0.0 };
                    (mu, own.min(u64::from(d)))
                }
                _ => (
                    rows.iter()
                        .map(|&(_, s, src, n)| {
                            let rest = model.mass_of(s, src).0 - own_of(cl, s, src);
                            if rest > 0.0 { f64::from(n) * a_of(cl, s, src) / rest } else { 0.0 }
                        })
                        .sum(),
                    own,
                ),
            };
            (mu, own.min(keys_of[(cl - batch.start) as usize]))
        };
        // Every (cluster, account) with X ≥ MIN_HITS is a test, counted in the
        // family unless it is hopeless: even hitting every key it could, its
        // p-value would be above `keep_p` (independent filtering, as for
        // pairs: `μ` and the most hits depend on the account's own counts and
        // the cluster's keys, not on whether it met the cluster). Those with
        // X = MIN_HITS have p = 1 exactly (P(X ≥ k | X ≥ k)), so they are
        // only counted, unless the caller keeps every p-value.
        let min_kept = if keep_p >= 1.0 { MIN_HITS } else { MIN_HITS + 1 };
        // Most tests are decided from `μ` alone, without a tail sum.
        let cuts = MuCuts::new(keep_p, MIN_HITS);
        let pieces = split_sorted(&hits, rayon::current_num_threads() * 8);
        // Per piece: (cluster, tests) in cluster order, and the kept.
        let count = |tested: &mut Vec<(u32, u64)>, cl: u32| match tested.last_mut() {
            Some((c, n)) if *c == cl => *n += 1,
            _ => tested.push((cl, 1)),
        };
        type Piece = (Vec<(u32, u64)>, Vec<Candidate>);
        let done: Vec<Piece> = pieces
            .into_par_iter()
            .map(|piece| {
                let (mut tested, mut kept): (Vec<(u32, u64)>, _) = (Vec::new(), Vec::new());
                for run in hits[piece].chunk_by(|x, y| x == y).filter(|run| run.len() as u64 >= MIN_HITS) {
                    let (cl, a) = ((run[0] >> 32) as u32, run[0] as u32);
                    let x = u32::try_from(run.len()).unwrap_or(u32::MAX);
                    let (mu, most) = mu_and_reach(cl, a);
                    match cuts.decide(most, mu) {
                        Some(false) => continue,
                        Some(true) if u64::from(x) < min_kept || cuts.decide(u64::from(x), mu) == Some(false) => {
                            count(&mut tested, cl);
                            continue;
                        }
                        _ => {}
                    }
                    let tail = Tail::new(mu, MIN_HITS);
                    let reach = tail.p(most);
                    if reach > keep_p {
                        continue;
                    }
                    count(&mut tested, cl);
                    if u64::from(x) >= min_kept {
                        let p = tail.p(u64::from(x));
                        if p <= keep_p {
                            kept.push(Candidate { cluster: cl, account: a, x, mu, p, reach });
                        }
                    }
                }
                (tested, kept)
            })
            .collect();
        drop(hits);
        for (t, kept) in done {
            for (cl, n) in t {
                tested[cl as usize] += n;
            }
            out.extend(kept);
        }
    }
    (out, tested, n_batches)
}

/// Walks the keys of the sorted rows `rows` (whole keys: parts never split
/// one) and, for each cluster of `clusters` with a joint action on a key
/// (two members within the window), reports the key's `(stratum, source,
/// m_k)` once through `on_mass`, and each account outside every cluster
/// that acted within the window of a member through `on_hit` (once per key).
#[allow(clippy::too_many_arguments)]
fn visit_keys(
    ka: &KeyedActions,
    model: &LevelModel,
    cluster_of: &[u32],
    window_ms: i64,
    rows: std::ops::Range<usize>,
    clusters: std::ops::Range<u32>,
    stop: &AtomicBool,
    mut on_mass: impl FnMut(u32, (u32, u32, u32)),
    mut on_hit: impl FnMut(u32, u32),
) {
    let mut members: Vec<(u32, i64, u32)> = Vec::new();
    let mut own: Vec<u32> = Vec::new();
    // `seen[a] == visit`: account `a` already hit in this (key, cluster).
    let mut seen: Vec<u32> = vec![0; cluster_of.len()];
    let mut visit = 0u32;
    let mut g = rows.start;
    while g < rows.end {
        if stop.load(Ordering::Relaxed) {
            return;
        }
        let k = ka.key[g];
        let e = g + ka.key[g..rows.end].partition_point(|&x| x == k);
        let (m, s, src) = model.key_info(k);
        if s == u32::MAX {
            g = e;
            continue;
        }
        members.clear();
        members.extend((g..e).filter_map(|i| {
            let c = cluster_of[ka.account[i] as usize];
            clusters.contains(&c).then_some((c, ka.ts_ms[i], ka.account[i]))
        }));
        if members.is_empty() {
            g = e;
            continue;
        }
        // Stable: times stay sorted within each cluster.
        members.sort_by_key(|x| x.0);
        let ts = &ka.ts_ms[g..e];
        let mut lo = 0;
        while lo < members.len() {
            let cl = members[lo].0;
            let hi = lo + members[lo..].partition_point(|x| x.0 == cl);
            let times = &members[lo..hi];
            if !co_acted(times, window_ms) {
                lo = hi;
                continue;
            }
            // The key's popularity outside the cluster: its members' own
            // actions are not evidence of what the rest of the data does.
            own.clear();
            own.extend(times.iter().map(|x| x.2));
            own.sort_unstable();
            own.dedup();
            on_mass(cl, (s, src, m - own.len() as u32));
            if visit == u32::MAX {
                seen.fill(0);
                visit = 0;
            }
            visit += 1;
            // The key's rows are sorted by time: each member's window is a
            // run of rows, and the runs are visited left to right once, so
            // a key of a million actions costs its covered rows per
            // cluster, not all of them.
            let mut next = 0;
            for &(_, tm, _) in times {
                let from = next.max(ts.partition_point(|&t| t < tm - window_ms));
                let to = ts.partition_point(|&t| t <= tm + window_ms);
                for i in g + from..g + to {
                    let a = ka.account[i];
                    if cluster_of[a as usize] == u32::MAX && seen[a as usize] != visit {
                        seen[a as usize] = visit;
                        on_hit(cl, a);
                    }
                }
                next = next.max(to);
            }
            lo = hi;
        }
        g = e;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use swarmscan_detect::{Mode, Network, Params};

    /// The batch follows the room the limit leaves, within its bounds.
    #[test]
    fn hits_per_batch_follows_the_room() {
        assert_eq!(hits_per_batch(None, 10), HITS_PER_BATCH);
        assert_eq!(hits_per_batch(Some(0), 10), HITS_PER_BATCH_LEAST);
        assert_eq!(hits_per_batch(Some(1 << 30), 10), 1 << 25);
        assert_eq!(hits_per_batch(Some(u64::MAX), 10), HITS_PER_BATCH);
        // No room on a large level: a batch is the level's rows, so the
        // passes do not grow with the level.
        assert_eq!(hits_per_batch(Some(0), 50_000_000), 50_000_000);
        assert_eq!(hits_per_batch(Some(1 << 30), 50_000_000), 50_000_000);
        assert_eq!(hits_per_batch(Some(0), usize::MAX), HITS_PER_BATCH);
    }

    /// The same test by plain enumeration over keys and accounts.
    fn brute(level: &Prepared<'_>, model: &LevelModel, cluster_of: &[u32], w: i64) -> Vec<(u32, u32, u32, f64)> {
        let ka = level.keyed_actions();
        let n_cl = cluster_of.iter().filter(|&&c| c != u32::MAX).max().map_or(0, |&c| c + 1);
        let mut keys: Vec<u32> = ka.key.clone();
        keys.dedup();
        // A key of the cluster: two of its members acted on it within the
        // window of each other.
        let group_key = |k: u32, cl: u32| {
            (0..ka.len()).any(|i| {
                (0..ka.len()).any(|j| {
                    ka.key[i] == k
                        && ka.key[j] == k
                        && ka.account[i] != ka.account[j]
                        && cluster_of[ka.account[i] as usize] == cl
                        && cluster_of[ka.account[j] as usize] == cl
                        && (ka.ts_ms[i] - ka.ts_ms[j]).abs() <= w
                })
            })
        };
        let mut out = Vec::new();
        for cl in 0..n_cl {
            for a in 0..cluster_of.len() as u32 {
                if cluster_of[a as usize] != u32::MAX {
                    continue;
                }
                let (mut x, mut mu) = (0u32, 0.0f64);
                for &k in &keys {
                    let (_, s, _) = model.key_info(k);
                    if s == u32::MAX {
                        continue;
                    }
                    let rows: Vec<usize> = (0..ka.len()).filter(|&i| ka.key[i] == k).collect();
                    if !group_key(k, cl) {
                        continue;
                    }
                    let hit = rows.iter().any(|&i| {
                        ka.account[i] == a
                            && rows.iter().any(|&j| {
                                cluster_of[ka.account[j] as usize] == cl && (ka.ts_ms[i] - ka.ts_ms[j]).abs() <= w
                            })
                    });
                    if hit {
                        x += 1;
                    }
                }
                // The accounts outside the cluster that acted on a key.
                let outside = |k: u32| {
                    let mut acc: Vec<u32> = (0..ka.len())
                        .filter(|&i| ka.key[i] == k && cluster_of[ka.account[i] as usize] != cl)
                        .map(|i| ka.account[i])
                        .collect();
                    acc.sort_unstable();
                    acc.dedup();
                    acc.len() as f64
                };
                let members: Vec<u32> =
                    (0..cluster_of.len() as u32).filter(|&m| cluster_of[m as usize] == cl).collect();
                if model.null == Null::Pooled {
                    // μ = d_a · (mass of every key of the cluster outside
                    // it) / (M less the members' degrees).
                    let d = model.degree[a as usize];
                    let total: f64 = model.keys.iter().map(|k| f64::from(k.1)).sum::<f64>()
                        - members.iter().map(|&m| f64::from(model.degree[m as usize])).sum::<f64>();
                    let a_mass: f64 = keys
                        .iter()
                        .filter(|&&k| model.key_info(k).1 != u32::MAX && group_key(k, cl))
                        .map(|&k| outside(k))
                        .sum();
                    mu = if total > 0.0 { f64::from(d) * a_mass / total } else { 0.0 };
                    if u64::from(x) >= MIN_HITS {
                        out.push((cl, a, x, mu));
                    }
                    continue;
                }
                // μ: every stratum the account acted in, hits or not.
                let mut strata: Vec<u32> = model.counts.iter().filter(|r| r.1 == a).map(|r| r.0).collect();
                strata.sort_unstable();
                strata.dedup();
                for &s in &strata {
                    for &(_, _, src, n) in model.counts_of(s, a) {
                        // A: popularity outside the cluster of its keys of
                        // (s, src); M: of every key of (s, src).
                        let in_s = |k: u32| {
                            let (_, ks, ksrc) = model.key_info(k);
                            (ks, ksrc) == (s, src)
                        };
                        let a_mass: f64 =
                            keys.iter().filter(|&&k| in_s(k) && group_key(k, cl)).map(|&k| outside(k)).sum();
                        let rest: f64 = keys.iter().filter(|&&k| in_s(k)).map(|&k| outside(k)).sum();
                        if rest > 0.0 {
                            mu += f64::from(n) * a_mass / rest;
                        }
                    }
                }
                if u64::from(x) >= MIN_HITS {
                    out.push((cl, a, x, mu));
                }
            }
        }
        out
    }

    #[test]
    fn co_acted_needs_two_accounts_within_the_window() {
        // (cluster, time, account), sorted by time.
        assert!(!co_acted(&[(0, 0, 1), (0, 5, 1), (0, 9, 1)], 10));
        assert!(co_acted(&[(0, 0, 1), (0, 10, 2)], 10));
        assert!(!co_acted(&[(0, 0, 1), (0, 11, 2)], 10));
        // The nearest other account is behind a run of the same account.
        assert!(co_acted(&[(0, 0, 2), (0, 20, 1), (0, 25, 1), (0, 29, 2)], 10));
        assert!(co_acted(&[(0, 0, 2), (0, 4, 1), (0, 8, 1), (0, 30, 1)], 10));
        assert!(!co_acted(&[(0, 0, 2), (0, 15, 1), (0, 20, 1)], 10));
        assert!(!co_acted(&[], 10));
    }

    /// The selection is one hit: a candidate with two hits on the cluster is
    /// evidence (`p = P(Pois(μ) ≥ 2) / P(Pois(μ) ≥ 1) < 1`; conditioning on two
    /// hits gave it `p = 1`), one with a single hit is counted but is never
    /// evidence.
    #[test]
    fn two_hits_are_evidence_and_one_is_counted() {
        // u0 and u1 (the cluster) repost p0..p5 together; u2 joins them on
        // two posts, u3 on one; twenty other accounts repost posts of their
        // own so the cluster's keys are rare.
        let mut acts: Vec<(u8, u8, i64)> = Vec::new();
        for post in 0..6u8 {
            let t = i64::from(post) * 1000;
            acts.extend([(post, 0, t), (post, 1, t + 1)]);
            if post < 2 {
                acts.push((post, 2, t + 2));
            }
            if post == 3 {
                acts.push((post, 3, t + 2));
            }
        }
        for other in 0..20u8 {
            let t = 50_000 + i64::from(other) * 1000;
            acts.extend([(100 + other, 4 + other, t), (100 + other, 4 + (other + 1) % 20, t + 1)]);
        }
        let ev = crate::testing::reposts(&acts);
        let mut params = Params::new(Mode::Default);
        params.window_ms = 10_000;
        let level = swarmscan_detect::prepare(&ev, Network::CoRepost, &params).unwrap();
        let fit = crate::null::Fit { null: Null::Pooled, ..Default::default() };
        let (_, _, model) = crate::null::test_level_with(&level, &|_| 0, &fit, &params, 1.0, 1.0);
        let rank = |id: &str| level.rank_of(ev.account_ids.get(id).unwrap());
        let mut cluster_of = vec![u32::MAX; level.accounts()];
        cluster_of[rank("u0") as usize] = 0;
        cluster_of[rank("u1") as usize] = 0;
        let (got, tested, _) = attach_level(&level, &model, &cluster_of, params.window_ms, HITS_PER_BATCH, 1.0);
        let of = |id: &str| *got.iter().find(|c| c.account == rank(id)).unwrap();
        let (two, one) = (of("u2"), of("u3"));
        assert_eq!((two.x, one.x), (2, 1));
        // Left out: the members' own actions. Outside the cluster its six
        // keys were acted on 3 times (u2 twice, u3 once), of 55 actions in
        // the level less the members' 12: μ = d_u2 · 3 / 43 (counting the
        // members would give 2 · 15 / 55, four times as much).
        assert!((two.mu - 2.0 * 3.0 / 43.0).abs() <= 1e-12, "{two:?}");
        assert!(two.mu > 0.0 && two.p < 0.5, "{two:?}");
        assert!((two.p - crate::stats::poisson_sf_given_at_least(2, two.mu, 1)).abs() <= 1e-12);
        assert_eq!(one.p, 1.0);
        assert_eq!(tested, vec![2]);
        // Kept only where p ≤ keep_p; u3 acted on one key in all, so no
        // outcome could have given it p ≤ 0.5: hopeless, it is not counted.
        assert_eq!(one.reach, 1.0);
        assert!(two.reach <= two.p);
        let (kept, tested, _) = attach_level(&level, &model, &cluster_of, params.window_ms, HITS_PER_BATCH, 0.5);
        assert_eq!(kept.iter().map(|c| c.account).collect::<Vec<_>>(), vec![rank("u2")]);
        assert_eq!(tested, vec![1]);
    }

    proptest! {
        #[test]
        fn matches_brute_force(
            acts in proptest::collection::vec((0u8..6, 0u8..10, 0i64..40), 1..120),
            clusters in proptest::collection::vec(0u8..4, 10),
            w in 0i64..8,
            how in crate::null::tests::nulls(),
        ) {
            let ev = crate::testing::reposts(&acts);
            let mut params = Params::new(Mode::Default);
            params.window_ms = w * 1000;
            let level = swarmscan_detect::prepare(&ev, Network::CoRepost, &params).unwrap();
            let (_, _, model) = crate::null::test_level_with(&level, &|_| 0, &how, &params, 1.0, 1.0);
            // Clusters 0..2 by rank; 3 = no cluster.
            let cluster_of: Vec<u32> = (0..level.accounts())
                .map(|r| match clusters[r % clusters.len()] { c @ 0..=2 => u32::from(c), _ => u32::MAX })
                .collect();
            let (got, tested, _) = attach_level(&level, &model, &cluster_of, params.window_ms, HITS_PER_BATCH, 1.0);
            // Counted per cluster: every candidate, in its cluster's family.
            let per_cluster = |keep: f64| {
                let mut n = vec![0u64; tested.len()];
                got.iter().filter(|c| c.reach <= keep).for_each(|c| n[c.cluster as usize] += 1);
                n
            };
            prop_assert_eq!(&tested, &per_cluster(1.0));
            let want = brute(&level, &model, &cluster_of, params.window_ms);
            let mut got_rows: Vec<(u32, u32, u32)> = got.iter().map(|c| (c.cluster, c.account, c.x)).collect();
            got_rows.sort_unstable();
            let mut want_rows: Vec<(u32, u32, u32)> = want.iter().map(|c| (c.0, c.1, c.2)).collect();
            want_rows.sort_unstable();
            prop_assert_eq!(&got_rows, &want_rows);
            for c in &got {
                let b = want.iter().find(|x| (x.0, x.1) == (c.cluster, c.account)).unwrap();
                prop_assert!((c.mu - b.3).abs() <= 1e-9 * b.3.max(1.0), "{} vs {}", c.mu, b.3);
                prop_assert!(c.p > 0.0 && c.p <= 1.0);
                // The hopeless filter never drops a test that could pass.
                prop_assert!(c.reach <= c.p * (1.0 + 1e-12), "reach {} above p {}", c.reach, c.p);
            }
            // Cut into batches of clusters (one hit per batch forces one
            // cluster each): the same candidates in the same order.
            for batch in [1, 3] {
                let (cut, cut_tested, n) = attach_level(&level, &model, &cluster_of, params.window_ms, batch, 1.0);
                prop_assert_eq!(&cut, &got);
                prop_assert_eq!(&cut_tested, &tested);
                // Two clusters with hits take two batches of one hit.
                if batch == 1 && got.iter().any(|c| c.cluster != got[0].cluster) {
                    prop_assert!(n >= 2, "{n} batch for two clusters");
                }
            }
            // Within one batch: the first pass is kept, not counted again.
            let (_, _, one) = attach_level(&level, &model, &cluster_of, params.window_ms, HITS_PER_BATCH, 1.0);
            prop_assert!(one <= 1);
            // Kept whole only up to keep_p; counted unless hopeless.
            for keep in [0.05, 0.5] {
                let (few, few_tested, _) = attach_level(&level, &model, &cluster_of, params.window_ms, HITS_PER_BATCH, keep);
                let expect: Vec<Candidate> = got.iter().copied().filter(|c| c.p <= keep).collect();
                prop_assert_eq!(&few, &expect);
                prop_assert_eq!(&few_tested, &per_cluster(keep));
            }
        }
    }
}
