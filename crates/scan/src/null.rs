//! The null model and its test, for one level of one signal.
//!
//! A *level* is a [`Prepared`] network whose keys are the things accounts
//! co-act on (posts, URLs, hashtags, near-duplicate texts, or the accounts
//! whose posts are reposted). Every key belongs to a *source*: the author of
//! a reposted post, or one pool for keys without a known source.
//!
//! **Null model.** Accounts choose what to act on independently of each
//! other: account `a`, having acted on `n_aS` distinct keys of source `S`,
//! picked them among `S`'s keys in proportion to their popularity `m_k`
//! (distinct accounts acting on `k`). Then
//! `P(a and b both act on k) ≈ n_aS · n_bS · m_k² / M_S²` with
//! `M_S = Σ_{k∈S} m_k`, and the expected number of keys two accounts share
//! is `μ_ab = Σ_S n_aS · n_bS · c_S` with `c_S = Σ_{k∈S} m_k² / M_S²`.
//! Conditioning on the source explains away fandoms (fans of one celebrity
//! repost the same posts because they follow the same account), and the
//! popularity weights explain away viral targets and breaking-news crowds.
//!
//! **Strata.** Keys are split by popularity into powers of two
//! (`m_k ∈ [2^j, 2^{j+1})`), and each stratum is tested on its own, so that
//! sharing several rare keys is not averaged away by popular ones.
//!
//! **Test.** `X_ab` is the number of distinct keys of a stratum on which `a`
//! and `b` acted within the window of each other (the co-action network's
//! weight). Under the null, `X_ab` is a sum of independent Bernoulli
//! variables whose mean is at most `μ_ab` (the window only removes
//! co-occurrences), and its upper tail is bounded by the Poisson tail of the
//! same mean. Only pairs with `X_ab ≥ 2` are tested (a single co-action is
//! never a pattern), so the p-value is conditioned on that selection:
//! `p = P(Pois(μ) ≥ X) / P(Pois(μ) ≥ 2)`.

use crate::stats::{MuCuts, Tail, poisson_sf_given_at_least};
use rayon::prelude::*;
use std::cmp::Reverse;
use swarmscan_detect::keyed::KeyedActions;
use swarmscan_detect::{Edge, Params, PartEdges, Prepared};

/// Source of keys with no known source.
pub const POOL: u32 = u32::MAX - 1;

/// One tested pair of one stratum.
#[derive(Clone, Debug)]
pub struct Tested {
    pub edge: Edge,
    pub mu: f64,
    pub p: f64,
    pub stratum: u32,
}

/// How an account's propensity to act on a key of a stratum is estimated.
///
/// * [`Null::Stratified`]: from the account's keys *in that stratum* and the
///   stratum's own popularity mass (`n_aS`, `M_S` per stratum and source).
///   Right where a shared interest must be explained away (fans of one
///   author), but it lets a group explain itself: when a group's own keys
///   make up a stratum (its URLs, its copypasta bursts, any small or focused
///   collection), `c_S ≈ 1/K` and `μ ≈ X`.
/// * [`Null::Pooled`]: the configuration (Chung–Lu) model of the whole
///   level: account `a` acts on key `k` with probability `d_a · m_k / M`,
///   `d_a` its distinct keys in the level (single-account keys included),
///   `M = Σ_k m_k` over every key. The strata still split the test by
///   popularity, but the expectation of stratum `j`,
///   `μ_ab = d_a · d_b · Σ_{k∈j} m_k² / M²`, is no longer estimated from
///   the stratum's own keys, so a group that fills a stratum cannot absorb
///   its own co-actions. Only for levels without sources (one pool).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Null {
    #[default]
    Stratified,
    Pooled,
}

/// Which keys a stratum's test counts.
///
/// * [`Strata::Each`]: the keys of popularity `[2^j, 2^{j+1})`, so sharing
///   rare keys is not averaged away by popular ones.
/// * [`Strata::UpTo`]: the keys of popularity `[2^{j−2}, 2^{j+1})` (the
///   stratum and the [`UP_TO_BAND`] below it; pooled nulls only): rare keys
///   are still kept apart from popular ones, but a pair's keys of
///   neighbouring strata (an operation's links shared by 3, 5 and 9 of its
///   members) are counted together instead of being split into counts of
///   one or two that the test can never pass.
/// * [`Strata::One`]: every key together (proposals).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Strata {
    #[default]
    Each,
    UpTo,
    One,
}

/// The fitted null of one level: every key's popularity, stratum and
/// source, each (stratum, source)'s popularity mass, and each account's
/// key count per (stratum, source). [`crate::attach`] reuses it.
///
/// With [`Null::Pooled`] the rows keep the same shape: `mass` holds
/// `(stratum, 0, M, Σ_{k∈stratum} m_k² / M²)` and `counts` holds
/// `(stratum, account, 0, n)`, `n` the account's keys counted by the
/// stratum's test (they bound how many it can share there), and `d_a` is in
/// `degree`.
#[derive(Clone, Debug, Default)]
pub struct LevelModel {
    pub null: Null,
    /// Stratum `j` tests the keys of every stratum up to `j`
    /// ([`Strata::UpTo`], pooled nulls only).
    pub cumulative: bool,
    /// Per account rank, actions the level left out as unshared
    /// ([`test_level_with`]); empty when none.
    pub unshared: Vec<u32>,
    /// [`Null::Pooled`]: each account's `d_a`, every key it acted on in the
    /// level (unshared ones too); empty for [`Null::Stratified`].
    pub degree: Vec<u32>,
    /// `(key, m_k, stratum, source)`, sorted by key; stratum `u32::MAX`
    /// for keys with a single account.
    pub keys: Vec<(u32, u32, u32, u32)>,
    /// `(stratum, source, M_S = Σ m_k, c_S = Σ m_k² / M_S²)`, sorted.
    pub mass: Vec<(u32, u32, f64, f64)>,
    /// `(stratum, account, source, n_aS)`, sorted.
    pub counts: Vec<(u32, u32, u32, u32)>,
}

impl LevelModel {
    /// Heap bytes held.
    pub fn heap_bytes(&self) -> usize {
        (self.unshared.capacity() + self.degree.capacity()) * 4
            + (self.keys.capacity() + self.counts.capacity()) * 16
            + self.mass.capacity() * 24
    }

    /// `(m_k, stratum, source)` of a key of the level.
    pub fn key_info(&self, k: u32) -> (u32, u32, u32) {
        let i = self.keys.partition_point(|x| x.0 < k);
        let (_, m, s, src) = self.keys[i];
        (m, s, src)
    }

    /// `(M_S, c_S)` of a (stratum, source).
    pub fn mass_of(&self, s: u32, src: u32) -> (f64, f64) {
        let i = self.mass.partition_point(|x| (x.0, x.1) < (s, src));
        self.mass.get(i).filter(|x| (x.0, x.1) == (s, src)).map_or((0.0, 0.0), |x| (x.2, x.3))
    }

    /// An account's `(stratum, account, source, n_aS)` rows of a stratum.
    pub fn counts_of(&self, s: u32, a: u32) -> &[(u32, u32, u32, u32)] {
        let lo = self.counts.partition_point(|x| (x.0, x.1) < (s, a));
        let hi = self.counts.partition_point(|x| (x.0, x.1) <= (s, a));
        &self.counts[lo..hi]
    }
}

/// What one level saw.
#[derive(Clone, Copy, Debug, Default, PartialEq, serde::Serialize)]
pub struct LevelStats {
    pub actions: u64,
    pub keys: u64,
    pub strata: u64,
    pub tested: u64,
    /// (Stratum, account) cells left out because no partner could make the
    /// account significant there ([`best_p`]).
    pub hopeless: u64,
    /// (Stratum, pair) tests left out because even the most keys the two
    /// could share there would not make the pair significant
    /// ([`PairBound`]).
    pub hopeless_pairs: u64,
}

/// The smallest p-value an account with `n` distinct keys of one source in
/// a stratum (popularity constant `c`) can reach with any partner: a pair
/// sharing `X ≤ n` keys has `μ ≥ n·X·c` (the partner has at least `X`
/// keys), and the conditional Poisson tail grows with `μ`, so the bound is
/// the smallest `P(Pois(n·X·c) ≥ X) / P(Pois(n·X·c) ≥ 2)` over `2 ≤ X ≤ n`.
/// An account with fewer than two keys can share at most one: `1.0`.
pub fn best_p(n: u64, c: f64) -> f64 {
    best_p_scaled(n, n, c)
}

/// [`best_p`] where `μ = d · d_b · c` while at most `n ≤ d` keys can be
/// shared (the pooled null: `d` the account's keys in the whole level, `n`
/// those the stratum's test counts): a pair sharing `X ≤ n` keys has
/// `μ ≥ d·X·c`, so the bound is the smallest
/// `P(Pois(d·X·c) ≥ X) / P(Pois(d·X·c) ≥ 2)` over `2 ≤ X ≤ n`.
pub fn best_p_scaled(n: u64, d: u64, c: f64) -> f64 {
    if n < 2 {
        return 1.0;
    }
    best_p_shares(n).map(|x| poisson_sf_given_at_least(x, (d * x) as f64 * c, 2)).fold(1.0, f64::min)
}

/// The shares `X` whose tails [`best_p_scaled`] takes the smallest of: the
/// tail falls with X when d·c < 1 and is ~½ or more once μ ≥ X, so the
/// small X where the conditioning matters are checked one by one, then `n`.
fn best_p_shares(n: u64) -> impl Iterator<Item = u64> {
    (2..=n.min(8)).chain((n > 8).then_some(n))
}

/// Whether [`best_p_scaled`]`(n, d, c) ≤ level`, each share's tail decided
/// from its `μ` where `cuts` (of `level`, conditioned on two) can.
fn reaches(n: u64, d: u64, c: f64, level: f64, cuts: Option<&MuCuts>) -> bool {
    let Some(cuts) = cuts.filter(|_| n >= 2) else { return best_p_scaled(n, d, c) <= level };
    best_p_shares(n).any(|x| {
        let mu = (d * x) as f64 * c;
        cuts.decide(x, mu).unwrap_or_else(|| poisson_sf_given_at_least(x, mu, 2) <= level)
    })
}

/// With [`Strata::UpTo`], stratum `j`'s test counts the keys of strata
/// `j − UP_TO_BAND ..= j`: keys within a factor `2^(UP_TO_BAND+1)` (8) of
/// each other in popularity. Wider bands add nothing an operation needs
/// (its keys are shared by a few to a few dozen of its members) and cost a
/// sweep of every rare key once more per stratum above it: counting every
/// stratum below `j` made the 10M-event scan several times slower.
pub const UP_TO_BAND: u32 = 2;

/// Whether a key of stratum `key` counts in stratum `j`'s test
/// ([`Strata::UpTo`]).
fn counts_in(key: u32, j: u32) -> bool {
    key <= j && key + UP_TO_BAND >= j
}

fn stratum_of(m: u32) -> u32 {
    31 - m.leading_zeros()
}

/// One account pair's test in one level: its smallest p-value over the
/// strata it was tested in, times their number (Bonferroni), at most 1.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PairP {
    pub a: u32,
    pub b: u32,
    pub p: f64,
}

/// The pairs a level tested, and the p-values of those that can still be
/// reported.
///
/// A scan tests tens of millions of pairs and needs, of most of them, only
/// that they were tested (they count in Benjamini–Hochberg's number of
/// tests and in a pair's Bonferroni factor over signals). So each tested
/// pair costs 8 bytes, and the p-value ([`PairP::p`]) is kept only when it
/// is at most the `keep_p` given to [`test_level_with`]: a pair whose
/// p-values are all above the FDR can never be reported.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TestedPairs {
    /// `a << 32 | b`, sorted, distinct.
    pairs: Vec<u64>,
    /// The pairs with `p ≤ keep_p`, sorted by `(a, b)`.
    low: Vec<PairP>,
}

/// A pair as one sortable number.
#[inline]
pub fn pair_code(a: u32, b: u32) -> u64 {
    (u64::from(a) << 32) | u64::from(b)
}

impl TestedPairs {
    /// From every pair's test, sorted by `(a, b)`.
    fn new(tested: impl Iterator<Item = PairP>, keep_p: f64) -> TestedPairs {
        let mut out = TestedPairs::default();
        for x in tested {
            out.pairs.push(pair_code(x.a, x.b));
            if x.p <= keep_p {
                out.low.push(x);
            }
        }
        out
    }

    /// Number of pairs tested.
    pub fn len(&self) -> usize {
        self.pairs.len()
    }

    /// Whether no pair was tested.
    pub fn is_empty(&self) -> bool {
        self.pairs.is_empty()
    }

    /// Whether `(a, b)` was tested.
    pub fn contains(&self, a: u32, b: u32) -> bool {
        self.pairs.binary_search(&pair_code(a, b)).is_ok()
    }

    /// The tested pairs as [`pair_code`]s, sorted.
    pub fn codes(&self) -> &[u64] {
        &self.pairs
    }

    /// The pairs with `p ≤ keep_p`, sorted by `(a, b)`.
    pub fn low(&self) -> &[PairP] {
        &self.low
    }

    /// Heap bytes held.
    pub fn heap_bytes(&self) -> usize {
        self.pairs.capacity() * 8 + self.low.capacity() * std::mem::size_of::<PairP>()
    }
}

/// How many distinct values the sorted, distinct `lists` hold together
/// (a k-way merge of streams: no list needs to be in memory).
pub fn distinct_union(lists: Vec<impl Iterator<Item = u64>>) -> u64 {
    let mut lists = lists;
    let mut heap: std::collections::BinaryHeap<Reverse<(u64, usize)>> =
        lists.iter_mut().enumerate().filter_map(|(i, l)| l.next().map(|v| Reverse((v, i)))).collect();
    let (mut n, mut last) = (0u64, None);
    while let Some(Reverse((v, i))) = heap.pop() {
        if last != Some(v) {
            n += 1;
            last = Some(v);
        }
        if let Some(w) = lists[i].next() {
            heap.push(Reverse((w, i)));
        }
    }
    n
}

/// Tests every pair of accounts that co-acted on at least two keys of one
/// popularity stratum. `source_of_key` gives each key's source ([`POOL`]
/// when unknown). Returns every tested pair, with its [`PairP`] where
/// `p ≤ keep_p` ([`TestedPairs`]), deterministic whatever the thread count.
///
/// Only p-values are kept: a scan tests millions of pairs and reports a few
/// thousand, so the edges' details (weights, evidence) are computed again
/// for the reported pairs alone by [`detail_level`].
///
/// Accounts that cannot reach a p-value of `hopeless_above` or less with any
/// partner in a stratum are left out of that stratum's sweep (see
/// [`best_p`]); pass 1.0 to test every pair. A stratum's p-value above
/// `hopeless_above` may be given as 1 (it is not computed where `μ` alone
/// shows it is above: [`MuCuts`]), so a pair's p-value is exact wherever it
/// is at most `hopeless_above`.
pub fn test_level(
    level: &Prepared<'_>,
    source_of_key: &(dyn Fn(u32) -> u32 + Sync),
    null: Null,
    params: &Params,
    hopeless_above: f64,
) -> (TestedPairs, LevelStats, LevelModel) {
    test_level_with(level, source_of_key, &Fit { null, ..Fit::default() }, params, hopeless_above, 1.0)
}

/// How [`test_level_with`] fits its null.
#[derive(Clone, Copy, Debug, Default)]
pub struct Fit<'a> {
    pub null: Null,
    /// Per account rank, actions the level left out because nobody else
    /// acted on the same thing (co_similar's texts that match no other
    /// text): with [`Null::Pooled`] they are keys of one account each,
    /// counted in `d_a` and `M` (they were opportunities), never swept.
    pub unshared: &'a [u32],
    pub strata: Strata,
}

/// [`test_level`] with the null fitted as `fit` says.
pub fn test_level_with(
    level: &Prepared<'_>,
    source_of_key: &(dyn Fn(u32) -> u32 + Sync),
    how: &Fit<'_>,
    params: &Params,
    hopeless_above: f64,
    keep_p: f64,
) -> (TestedPairs, LevelStats, LevelModel) {
    let mut runs: Vec<Vec<StratumTest>> = Vec::new();
    let (st, model) = test_level_into(level, source_of_key, how, params, hopeless_above, &mut runs);
    let out = TestedPairs::new(merge_runs(runs.into_iter().map(|r| r.into_iter()).collect()), keep_p);
    (out, st, model)
}

/// One pair's test in one stratum: `(a, b, p)`.
pub type StratumTest = (u32, u32, f64);

/// Where [`test_level_into`] puts its tests: one run per stratum, each in
/// `(a, b)` order with every pair at most once, so that runs merge
/// ([`merge_runs`]) without a sort. Held in memory (`Vec<Vec<_>>`) or
/// spilled to disk as they come (the scan's memory limit).
pub trait TestRuns {
    /// Appends tests to the current run: in `(a, b)` order, after those
    /// appended before.
    fn push(&mut self, tests: Vec<StratumTest>);
    /// Ends the current run (the next push starts another).
    fn end_run(&mut self);
}

impl TestRuns for Vec<Vec<StratumTest>> {
    fn push(&mut self, tests: Vec<StratumTest>) {
        match self.last_mut() {
            Some(run) => run.extend(tests),
            None => self.push(tests),
        }
    }

    fn end_run(&mut self) {
        if self.last().is_none_or(|r| !r.is_empty()) {
            self.push(Vec::new());
        }
    }
}

/// The tests of [`test_level`], handed to `runs` one stratum at a time
/// (the level's strata are swept one after another and each sweep yields
/// its pairs in `(a, b)` order: [`Prepared::run_streaming`]).
pub fn test_level_into(
    level: &Prepared<'_>,
    source_of_key: &(dyn Fn(u32) -> u32 + Sync),
    how: &Fit<'_>,
    params: &Params,
    hopeless_above: f64,
    runs: &mut impl TestRuns,
) -> (LevelStats, LevelModel) {
    let (model, strata, mut st, row_stratum) = begin_test(level, source_of_key, how);
    let sweep = weights_sweep(params);
    let mut keep = vec![false; level.accounts()];
    let cuts = MuCuts::below(hopeless_above);
    for &s in &strata {
        st.hopeless += model.hopeful(s, hopeless_above, cuts.as_ref(), &mut keep);
        let bound = PairBound::new(&model, s, hopeless_above, level.accounts()).deciding(cuts.as_ref());
        let mut last: Option<(u32, u32)> = None;
        sweep_stratum(
            level,
            &|i| model.in_stratum(row_stratum[i], s),
            &keep,
            &sweep,
            |edges| (stratum_tests(&model, s, &bound, edges.iter()), edges.len() as u64),
            |(part, swept)| {
                debug_assert!(part.iter().all(|x| last.replace((x.0, x.1)).is_none_or(|l| l < (x.0, x.1))));
                st.tested += part.len() as u64;
                st.hopeless_pairs += swept - part.len() as u64;
                runs.push(part);
            },
        );
        runs.end_run();
    }
    (st, model)
}

/// What both ways of testing a level start with: the fitted null, its
/// strata, the level's counts so far and each row's key stratum.
fn begin_test(
    level: &Prepared<'_>,
    source_of_key: &(dyn Fn(u32) -> u32 + Sync),
    how: &Fit<'_>,
) -> (LevelModel, Vec<u32>, LevelStats, Vec<u32>) {
    let model = fit(level, source_of_key, how);
    let strata = model.strata();
    let st = LevelStats {
        actions: level.keyed_actions().len() as u64,
        keys: model.keys.len() as u64,
        strata: strata.len() as u64,
        ..LevelStats::default()
    };
    let row_stratum = model.row_strata(level);
    (model, strata, st, row_stratum)
}

/// The parameters of a test's sweep: only each pair's weight (`X`) is read,
/// and only pairs sharing at least two keys are tested.
fn weights_sweep(params: &Params) -> Params {
    Params { min_weight: 2, evidence: 0, weights_only: true, ..params.clone() }
}

/// The tests of one stratum's swept pairs (`edges`, in `(a, b)` order):
/// those that [`PairBound`] lets through, with their p-values.
fn stratum_tests<'e>(
    model: &LevelModel,
    s: u32,
    bound: &PairBound<'_>,
    edges: impl Iterator<Item = &'e Edge>,
) -> Vec<StratumTest> {
    edges.filter_map(|e| model.test(s, e, bound).map(|(_, p)| (e.a, e.b, p))).collect()
}

/// [`test_level_into`] with the strata's sweeps run by `remote` (a cluster):
/// the same fit, tests, statistics and runs.
///
/// Every stratum's sweep input (its rows whose account is hopeful there)
/// goes out as one keyed network in which stratum number `t` (in the order
/// of the level's strata) owns the accounts `t·A + a` (`A` the level's
/// accounts) and its own copy of each key (`key · w + (s − s_key)`, `w` = 1,
/// or [`UP_TO_BAND`] + 1 where a key counts in several strata). No pair or
/// key spans two strata, so each edge of that network is one stratum's
/// pair with the weight the local sweep gives it, and edges sorted by
/// `(a, b)` are the strata in order, each in `(a, b)` order.
pub fn test_level_remote(
    level: &Prepared<'_>,
    source_of_key: &(dyn Fn(u32) -> u32 + Sync),
    how: &Fit<'_>,
    params: &Params,
    hopeless_above: f64,
    runs: &mut impl TestRuns,
    remote: &dyn crate::remote::RemoteSweep,
) -> Result<(LevelStats, LevelModel), crate::remote::RemoteError> {
    let (model, strata, mut st, row_stratum) = begin_test(level, source_of_key, how);
    let ka = level.keyed_actions();
    let accounts = level.accounts() as u64;
    let width = if model.cumulative { u64::from(UP_TO_BAND) + 1 } else { 1 };
    if (strata.len() as u64).saturating_mul(accounts) >= u64::from(u32::MAX)
        || model.keys.last().is_some_and(|k| (u64::from(k.0) + 1) * width >= u64::from(u32::MAX))
    {
        return Err(crate::remote::RemoteError(format!(
            "a level of {accounts} accounts, {} keys and {} strata cannot be numbered in one cluster job (u32 ids)",
            model.keys.len(),
            strata.len()
        )));
    }
    let mut keep = vec![false; level.accounts()];
    let mut all = KeyedActions::default();
    let cuts = MuCuts::below(hopeless_above);
    for (t, &s) in strata.iter().enumerate() {
        st.hopeless += model.hopeful(s, hopeless_above, cuts.as_ref(), &mut keep);
        let base = t as u64 * accounts;
        for (i, &ks) in row_stratum.iter().enumerate() {
            let a = ka.account[i];
            if model.in_stratum(ks, s) && keep[a as usize] {
                let key = u64::from(ka.key[i]) * width + u64::from(s - ks);
                all.push(key as u32, ka.ts_ms[i], (base + u64::from(a)) as u32, ka.row[i]);
            }
        }
    }
    drop(row_stratum);
    // Sorted here, in place, so that staging it (which cuts hot keys by time
    // and needs each key's rows together) does not sort a copy.
    all.sort();
    let mut edges = if all.is_empty() { Vec::new() } else { remote.pair_weights(&all, &weights_sweep(params))? };
    drop(all);
    let mut from = 0;
    for (t, &s) in strata.iter().enumerate() {
        let base = t as u64 * accounts;
        let to = from + edges[from..].partition_point(|e| u64::from(e.a) < base + accounts);
        let part = &mut edges[from..to];
        for e in part.iter_mut() {
            e.a = (u64::from(e.a) - base) as u32;
            e.b = (u64::from(e.b) - base) as u32;
        }
        let bound = PairBound::new(&model, s, hopeless_above, level.accounts()).deciding(cuts.as_ref());
        let tests: Vec<StratumTest> =
            part.par_chunks(8192).flat_map_iter(|c| stratum_tests(&model, s, &bound, c.iter())).collect();
        st.tested += tests.len() as u64;
        st.hopeless_pairs += part.len() as u64 - tests.len() as u64;
        if !tests.is_empty() {
            runs.push(tests);
        }
        runs.end_run();
        from = to;
    }
    Ok((st, model))
}

/// Per pair tested in any of `runs` (each in `(a, b)` order with every
/// pair at most once, as [`TestRuns`] holds them): its smallest p-value
/// times the number of runs that tested it (Bonferroni over the strata), at
/// most 1; in `(a, b)` order. A k-way merge: the runs are read as streams.
pub fn merge_runs<I: Iterator<Item = StratumTest>>(runs: Vec<I>) -> MergeRuns<I> {
    let mut runs = runs;
    let heap = runs
        .iter_mut()
        .enumerate()
        .filter_map(|(i, r)| r.next().map(|(a, b, p)| Reverse((pair_code(a, b), i, Ordered(p)))))
        .collect();
    MergeRuns { runs, heap }
}

/// [`merge_runs`]' iterator.
pub struct MergeRuns<I> {
    runs: Vec<I>,
    heap: std::collections::BinaryHeap<Reverse<(u64, usize, Ordered)>>,
}

/// A p-value ordered by [`f64::total_cmp`] (only the code and the run
/// decide the heap's order; this keeps the tuple `Ord`).
#[derive(Clone, Copy, Debug)]
struct Ordered(f64);

impl PartialEq for Ordered {
    fn eq(&self, o: &Self) -> bool {
        self.0.total_cmp(&o.0).is_eq()
    }
}
impl Eq for Ordered {}
impl PartialOrd for Ordered {
    fn partial_cmp(&self, o: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for Ordered {
    fn cmp(&self, o: &Self) -> std::cmp::Ordering {
        self.0.total_cmp(&o.0)
    }
}

impl<I: Iterator<Item = StratumTest>> Iterator for MergeRuns<I> {
    type Item = PairP;

    fn next(&mut self) -> Option<PairP> {
        let Reverse((code, _, _)) = *self.heap.peek()?;
        let (mut best, mut n) = (f64::INFINITY, 0u32);
        while let Some(&Reverse((c, i, Ordered(p)))) = self.heap.peek() {
            if c != code {
                break;
            }
            self.heap.pop();
            if p.total_cmp(&best).is_lt() {
                best = p;
            }
            n += 1;
            if let Some((a, b, p)) = self.runs[i].next() {
                self.heap.push(Reverse((pair_code(a, b), i, Ordered(p))));
            }
        }
        Some(PairP { a: (code >> 32) as u32, b: code as u32, p: (best * f64::from(n)).min(1.0) })
    }
}

/// The tests of [`test_level`] with their edges (weights, evidence), for the
/// pairs in `want` (sorted) only: every stratum each was tested in, sorted
/// by stratum, then `(a, b)`. `model` and `hopeless_above` must be those of
/// the [`test_level`] call, so the same pairs are tested on the same rows.
///
/// A pair's edge depends only on the two accounts' own actions, so sweeping
/// the rows of `want`'s accounts alone gives their edges exactly.
pub fn detail_level(
    level: &Prepared<'_>,
    model: &LevelModel,
    params: &Params,
    hopeless_above: f64,
    want: &[(u32, u32)],
) -> Vec<Tested> {
    let mut wanted = vec![false; level.accounts()];
    for &(a, b) in want {
        wanted[a as usize] = true;
        wanted[b as usize] = true;
    }
    // Recomputed rather than kept from `test_level`: 4 bytes per action of
    // every level for the whole scan, against one pass over the keys here.
    let row_stratum = model.row_strata(level);
    let mut keep = vec![false; level.accounts()];
    let mut out = Vec::new();
    let cuts = MuCuts::below(hopeless_above);
    for s in model.strata() {
        model.hopeful(s, hopeless_above, cuts.as_ref(), &mut keep);
        let bound = PairBound::new(model, s, hopeless_above, level.accounts());
        for (k, w) in keep.iter_mut().zip(&wanted) {
            *k &= *w;
        }
        sweep_stratum(
            level,
            &|i| model.in_stratum(row_stratum[i], s),
            &keep,
            params,
            |edges| {
                edges
                    .iter()
                    .filter(|e| want.binary_search(&(e.a, e.b)).is_ok())
                    .filter_map(|e| {
                        model.test(s, e, &bound).map(|(mu, p)| Tested { edge: e.clone(), mu, p, stratum: s })
                    })
                    .collect::<Vec<_>>()
            },
            |part| out.extend(part),
        );
    }
    out
}

/// Fits the null of a level: popularity, stratum and source of every key,
/// and every account's key counts.
fn fit(level: &Prepared<'_>, source_of_key: &(dyn Fn(u32) -> u32 + Sync), how: &Fit<'_>) -> LevelModel {
    let Fit { null, unshared, strata } = *how;
    let ka = level.keyed_actions();
    // Distinct (key, account) incidences, and each key's popularity.
    let mut inc: Vec<(u32, u32)> = (0..ka.len()).map(|i| (ka.key[i], ka.account[i])).collect();
    inc.par_sort_unstable();
    inc.dedup();
    // Per key: (key, m_k, stratum, source).
    let mut keys: Vec<(u32, u32, u32, u32)> = Vec::new();
    let mut g = 0;
    while g < inc.len() {
        let k = inc[g].0;
        let e = g + inc[g..].partition_point(|x| x.0 == k);
        let m = (e - g) as u32;
        let s = match m {
            0 | 1 => u32::MAX,
            _ if strata == Strata::One => 1,
            _ => stratum_of(m),
        };
        keys.push((k, m, s, source_of_key(k)));
        g = e;
    }
    if null == Null::Pooled {
        return fit_pooled(keys, &inc, level.accounts(), unshared, strata == Strata::UpTo);
    }
    let key_info = |k: u32| -> (u32, u32, u32) {
        let i = keys.partition_point(|x| x.0 < k);
        let (_, m, s, src) = keys[i];
        (m, s, src)
    };
    // c_S per (stratum, source): Σ m² / (Σ m)².
    let mut mass: Vec<(u32, u32, f64, f64)> = keys
        .iter()
        .filter(|x| x.2 != u32::MAX)
        .map(|&(_, m, s, src)| (s, src, m as f64, (m as f64) * (m as f64)))
        .collect();
    mass.par_sort_unstable_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)));
    let mut c_of: Vec<(u32, u32, f64, f64)> = Vec::new();
    for (s, src, m, q) in mass {
        match c_of.last_mut() {
            Some(last) if (last.0, last.1) == (s, src) => {
                last.2 += m;
                last.3 += q;
            }
            _ => c_of.push((s, src, m, q)),
        }
    }
    let c_of: Vec<(u32, u32, f64, f64)> = c_of.into_iter().map(|(s, src, m, q)| (s, src, m, q / (m * m))).collect();
    // n_aS per (stratum, account, source).
    let mut nas: Vec<(u32, u32, u32)> = inc
        .iter()
        .filter_map(|&(k, a)| {
            let (_, s, src) = key_info(k);
            (s != u32::MAX).then_some((s, a, src))
        })
        .collect();
    drop(inc);
    nas.par_sort_unstable();
    let mut counts: Vec<(u32, u32, u32, u32)> = Vec::new();
    for (s, a, src) in nas {
        match counts.last_mut() {
            Some(l) if (l.0, l.1, l.2) == (s, a, src) => l.3 += 1,
            _ => counts.push((s, a, src, 1)),
        }
    }
    LevelModel { null, cumulative: false, unshared: unshared.to_vec(), degree: Vec::new(), keys, mass: c_of, counts }
}

/// [`fit`] for [`Null::Pooled`]: `keys` as `fit` builds them, `inc` the
/// distinct (key, account) incidences sorted by key.
fn fit_pooled(
    mut keys: Vec<(u32, u32, u32, u32)>,
    inc: &[(u32, u32)],
    accounts: usize,
    unshared: &[u32],
    cumulative: bool,
) -> LevelModel {
    for k in &mut keys {
        k.3 = 0;
    }
    let mut degree = vec![0u32; accounts];
    for &(_, a) in inc {
        degree[a as usize] += 1;
    }
    for (d, &u) in degree.iter_mut().zip(unshared) {
        *d += u;
    }
    let total = inc.len() as f64 + unshared.iter().map(|&u| f64::from(u)).sum::<f64>();
    let mut sq: Vec<(u32, f64)> =
        keys.iter().filter(|x| x.2 != u32::MAX).map(|&(_, m, s, _)| (s, f64::from(m) * f64::from(m))).collect();
    sq.sort_by_key(|x| x.0);
    let mut mass: Vec<(u32, u32, f64, f64)> = sq
        .chunk_by(|x, y| x.0 == y.0)
        .map(|run| (run[0].0, 0, total, run.iter().map(|x| x.1).sum::<f64>() / (total * total)))
        .collect();
    let strata: Vec<u32> = mass.iter().map(|x| x.0).collect();
    if cumulative {
        let own: Vec<f64> = mass.iter().map(|x| x.3).collect();
        for (m, &j) in mass.iter_mut().zip(&strata) {
            m.3 = strata.iter().zip(&own).filter(|(s, _)| counts_in(**s, j)).map(|(_, c)| c).sum();
        }
    }
    // Per (stratum, account): the account's keys the stratum's test counts.
    let mut sa: Vec<(u32, u32)> = inc
        .iter()
        .filter_map(|&(k, a)| {
            let i = keys.partition_point(|x| x.0 < k);
            let s = keys[i].2;
            (s != u32::MAX).then_some((s, a))
        })
        .collect();
    if cumulative {
        sa = sa
            .iter()
            .flat_map(|&(s, a)| strata.iter().filter(move |&&j| counts_in(s, j)).map(move |&j| (j, a)))
            .collect();
    }
    sa.par_sort_unstable();
    let counts = sa.chunk_by(|x, y| x == y).map(|run| (run[0].0, run[0].1, 0, run.len() as u32)).collect();
    LevelModel { null: Null::Pooled, cumulative, unshared: unshared.to_vec(), degree, keys, mass, counts }
}

impl LevelModel {
    /// The strata with a key of two accounts or more, ascending.
    fn strata(&self) -> Vec<u32> {
        let mut strata: Vec<u32> = self.keys.iter().map(|x| x.2).filter(|&s| s != u32::MAX).collect();
        strata.sort_unstable();
        strata.dedup();
        strata
    }

    /// Each sorted row's stratum.
    fn row_strata(&self, level: &Prepared<'_>) -> Vec<u32> {
        level.keyed_actions().key.par_iter().map(|&k| self.key_info(k).1).collect()
    }

    /// Whether a key of stratum `key_stratum` counts in stratum `s`'s test.
    fn in_stratum(&self, key_stratum: u32, s: u32) -> bool {
        if self.cumulative { counts_in(key_stratum, s) } else { key_stratum == s }
    }

    /// `c_S` of a (stratum, source) that has keys.
    fn c_at(&self, s: u32, src: u32) -> f64 {
        let i = self.mass.partition_point(|x| (x.0, x.1) < (s, src));
        self.mass[i].3
    }

    /// Marks in `keep` (one flag per account rank) the accounts that can
    /// reach a p-value of `hopeless_above` with some partner in stratum `s`
    /// (independent filtering: it depends only on the account's own counts
    /// and the stratum's popularity, not on whom it co-acted with). Returns
    /// the number of accounts of the stratum left out.
    fn hopeful(&self, s: u32, hopeless_above: f64, cuts: Option<&MuCuts>, keep: &mut [bool]) -> u64 {
        keep.fill(false);
        let lo = self.counts.partition_point(|x| x.0 < s);
        let hi = self.counts.partition_point(|x| x.0 <= s);
        let mut dropped = 0u64;
        let mut g = lo;
        while g < hi {
            let a = self.counts[g].1;
            let e = g + self.counts[g..hi].partition_point(|x| x.1 == a);
            let ok = match &self.counts[g..e] {
                [(_, _, src, n)] => {
                    let d = if self.null == Null::Pooled { self.degree[a as usize] } else { *n };
                    reaches(u64::from(*n), u64::from(d), self.c_at(s, *src), hopeless_above, cuts)
                }
                rows => rows.iter().map(|r| r.3).sum::<u32>() >= 2,
            };
            keep[a as usize] = ok;
            dropped += u64::from(!ok);
            g = e;
        }
        dropped
    }

    /// `μ` of an edge of stratum `s`.
    #[inline]
    fn mu(&self, s: u32, edge: &Edge) -> f64 {
        if self.null == Null::Pooled {
            let d = |a: u32| f64::from(self.degree[a as usize]);
            return d(edge.a) * d(edge.b) * self.c_at(s, 0);
        }
        let mut mu = 0.0f64;
        for_common_sources(self.counts_of(s, edge.a), self.counts_of(s, edge.b), |x, y| {
            mu += f64::from(x.3) * f64::from(y.3) * self.c_at(s, x.2);
        });
        mu
    }

    /// `(μ, p)` of an edge of stratum `s` whose test `bound` lets through,
    /// else `None`: the p-value is only computed for the tests kept (at
    /// 10 M events co_similar sweeps 11.5 M pairs that can never pass
    /// beside the 8.8 M it tests), and the bound and the p-value share
    /// their tail's denominator. With a bound that decides
    /// ([`PairBound::deciding`], the test pass), a p-value that `μ` alone
    /// shows to be above the bound is given as 1, not computed: such a test
    /// can never be reported. Which tests pass the bound does not change.
    #[inline]
    fn test(&self, s: u32, edge: &Edge, bound: &PairBound<'_>) -> Option<(f64, f64)> {
        let mu = self.mu(s, edge);
        let x = u64::from(edge.weight);
        if let Some(cuts) = bound.cuts {
            match cuts.decide(bound.most_shared(edge), mu) {
                Some(false) => return None,
                Some(true) if cuts.decide(x, mu) == Some(false) => return Some((mu, 1.0)),
                _ => {}
            }
        }
        let tail = Tail::new(mu, 2);
        bound.can_pass(edge, &tail).then(|| (mu, tail.p(x)))
    }
}

/// Calls `f` with the two rows of each source that two accounts' count rows
/// (`(stratum, account, source, n)`, sorted by source) have in common.
#[inline]
fn for_common_sources(
    ra: &[(u32, u32, u32, u32)],
    rb: &[(u32, u32, u32, u32)],
    mut f: impl FnMut(&(u32, u32, u32, u32), &(u32, u32, u32, u32)),
) {
    let (mut i, mut j) = (0, 0);
    while i < ra.len() && j < rb.len() {
        match ra[i].2.cmp(&rb[j].2) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                f(&ra[i], &rb[j]);
                i += 1;
                j += 1;
            }
        }
    }
}

/// Which pair tests of one stratum could reach `p ≤ hopeless_above` at all
/// (independent filtering of pairs, as [`best_p`] filters accounts): two
/// accounts can share at most `Σ_S min(n_aS, n_bS)` keys of the stratum,
/// and a test whose p-value would stay above the bound even then can never
/// be reported, so it is neither tested nor counted. The bound depends on
/// the two accounts' own counts and `μ`, not on how many keys they shared.
/// [`test_level_into`] and [`detail_level`] both decide through it, so the
/// two passes test the same pairs.
struct PairBound<'a> {
    model: &'a LevelModel,
    s: u32,
    hopeless_above: f64,
    /// [`Null::Pooled`] (one source): each account's keys in the stratum, by
    /// rank, so the bound is the smaller of two without a search per edge.
    pooled: Option<Vec<u32>>,
    /// The test pass's cut-offs on `μ` ([`PairBound::deciding`]).
    cuts: Option<&'a MuCuts>,
}

impl<'a> PairBound<'a> {
    fn new(model: &'a LevelModel, s: u32, hopeless_above: f64, accounts: usize) -> PairBound<'a> {
        let pooled = (model.null == Null::Pooled && hopeless_above < 1.0).then(|| {
            let mut n = vec![0u32; accounts];
            let lo = model.counts.partition_point(|x| x.0 < s);
            let hi = model.counts.partition_point(|x| x.0 <= s);
            for &(_, a, _, k) in &model.counts[lo..hi] {
                n[a as usize] += k;
            }
            n
        });
        PairBound { model, s, hopeless_above, pooled, cuts: None }
    }

    /// The same bound, deciding from `μ` alone where it can that a test's
    /// p-value is above `hopeless_above` ([`MuCuts`]); [`LevelModel::test`]
    /// then gives that p-value as 1. For the test pass, which keeps only
    /// p-values up to the FDR; the detail pass computes them all, since a
    /// reported pair's other signals show theirs.
    fn deciding(mut self, cuts: Option<&'a MuCuts>) -> PairBound<'a> {
        self.cuts = cuts;
        self
    }

    /// The most keys of the stratum the two accounts of `edge` can share.
    fn most_shared(&self, edge: &Edge) -> u64 {
        if let Some(n) = &self.pooled {
            return u64::from(n[edge.a as usize].min(n[edge.b as usize]));
        }
        let (m, s) = (self.model, self.s);
        let mut most = 0u64;
        for_common_sources(m.counts_of(s, edge.a), m.counts_of(s, edge.b), |x, y| most += u64::from(x.3.min(y.3)));
        most
    }

    /// Whether `edge`, whose test's tail is `tail`, can reach the bound.
    #[inline]
    fn can_pass(&self, edge: &Edge, tail: &Tail) -> bool {
        self.hopeless_above >= 1.0 || tail.p(self.most_shared(edge)) <= self.hopeless_above
    }
}

/// Sweeps the rows `in_stratum` keeps whose account is marked in `keep`; each
/// part of edges (at least two shared keys) goes through `per_part` in
/// parallel, then to `sink` in order.
fn sweep_stratum<T: Send>(
    level: &Prepared<'_>,
    in_stratum: &(dyn Fn(usize) -> bool + Sync),
    keep: &[bool],
    params: &Params,
    per_part: impl Fn(&[Edge]) -> T + Sync,
    sink: impl FnMut(T),
) {
    let ka = level.keyed_actions();
    let new_key: Vec<u32> = (0..ka.len())
        .into_par_iter()
        .map(|i| {
            let a = ka.account[i] as usize;
            if in_stratum(i) && keep[a] { ka.key[i] } else { u32::MAX }
        })
        .collect();
    let mut sweep = params.clone();
    sweep.min_weight = 2;
    let Ok(sub) = level.rekey(&new_key, None, &sweep) else { return };
    drop(new_key);
    sub.run_streaming(
        |part| match part {
            PartEdges::Undirected(edges) => per_part(edges),
            PartEdges::Directed(_) => per_part(&[]),
        },
        sink,
    );
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use proptest::prelude::*;
    use swarmscan_detect::{Mode, Network};

    /// Every null the registry uses: stratified, pooled by stratum, pooled
    /// up to each stratum.
    pub(crate) fn nulls() -> impl Strategy<Value = Fit<'static>> {
        prop_oneof![
            Just(Fit { null: Null::Stratified, ..Fit::default() }),
            Just(Fit { null: Null::Pooled, ..Fit::default() }),
            Just(Fit { null: Null::Pooled, strata: Strata::UpTo, ..Fit::default() }),
        ]
    }

    /// The pooled null's expectation by plain enumeration: `μ_ab` of a
    /// stratum is `d_a · d_b · Σ m_k² / M²` over its keys (and those of the
    /// [`UP_TO_BAND`] strata below it with [`Strata::UpTo`]), `d` and `M`
    /// counting every key, single-account ones too. Keys of 2 to 40
    /// accounts span strata 1 to 5, so the band cuts.
    #[test]
    fn pooled_mu_matches_enumeration() {
        let mut acts: Vec<(u8, u8, i64)> = Vec::new();
        for (post, size) in [2u8, 3, 5, 6, 12, 13, 30, 40].into_iter().enumerate() {
            acts.extend((0..size).map(|a| (post as u8, (a + post as u8) % 41, i64::from(a))));
        }
        acts.push((9, 7, 0)); // a key of one account
        let ev = crate::testing::reposts(&acts);
        let mut params = Params::new(Mode::Default);
        params.window_ms = 1_000_000;
        let level = swarmscan_detect::prepare(&ev, Network::CoRepost, &params).unwrap();
        for strata in [Strata::Each, Strata::UpTo] {
            let how = Fit { null: Null::Pooled, strata, ..Fit::default() };
            let (pairs, _, model) = test_level_with(&level, &|_| 0, &how, &params, 1.0, 1.0);
            assert!(!pairs.is_empty());
            let ka = level.keyed_actions();
            let mut inc: Vec<(u32, u32)> = (0..ka.len()).map(|i| (ka.key[i], ka.account[i])).collect();
            inc.sort_unstable();
            inc.dedup();
            let m_of = |k: u32| inc.iter().filter(|x| x.0 == k).count() as f64;
            let d_of = |a: u32| inc.iter().filter(|x| x.1 == a).count() as f64;
            let total = inc.len() as f64;
            let every: Vec<(u32, u32)> = pairs.low().iter().map(|x| (x.a, x.b)).collect();
            for t in detail_level(&level, &model, &params, 1.0, &every) {
                let mut keys: Vec<u32> = inc.iter().map(|x| x.0).collect();
                keys.dedup();
                let sq: f64 = keys
                    .iter()
                    .filter(|&&k| {
                        let s = stratum_of(m_of(k) as u32);
                        let inside = match strata {
                            Strata::UpTo => s <= t.stratum && s + UP_TO_BAND >= t.stratum,
                            _ => s == t.stratum,
                        };
                        m_of(k) >= 2.0 && inside
                    })
                    .map(|&k| m_of(k) * m_of(k))
                    .sum();
                let want = d_of(t.edge.a) * d_of(t.edge.b) * sq / (total * total);
                assert!((t.mu - want).abs() <= 1e-12 * want.max(1.0), "{strata:?}: {} vs {want}", t.mu);
            }
        }
    }

    proptest! {
        /// The k-way merge counts what a set of the lists' union counts.
        #[test]
        fn distinct_union_counts_the_union(lists in proptest::collection::vec(proptest::collection::btree_set(0u64..300, 0..60), 0..9)) {
            let sorted: Vec<Vec<u64>> = lists.iter().map(|l| l.iter().copied().collect()).collect();
            let union: std::collections::BTreeSet<u64> = lists.iter().flatten().copied().collect();
            prop_assert_eq!(distinct_union(sorted.iter().map(|l| l.iter().copied()).collect()), union.len() as u64);
        }

        /// A level tested with `keep_p` lists the same pairs as with every
        /// p-value kept, and keeps exactly the p-values at most `keep_p`.
        #[test]
        fn tested_pairs_keep_the_low_p_values(
            acts in proptest::collection::vec((0u8..8, 0u8..12, 0i64..30), 1..200),
            keep_p in prop_oneof![Just(0.0f64), Just(0.01), Just(0.3), Just(1.0)],
            how in nulls(),
        ) {
            let ev = crate::testing::reposts(&acts);
            let mut params = Params::new(Mode::Default);
            params.window_ms = 5_000;
            let level = swarmscan_detect::prepare(&ev, Network::CoRepost, &params).unwrap();
            let (all, _, _) = test_level_with(&level, &|_| 0, &how, &params, 1.0, 1.0);
            let (some, _, _) = test_level_with(&level, &|_| 0, &how, &params, 1.0, keep_p);
            prop_assert_eq!(all.codes(), some.codes());
            prop_assert_eq!(all.low().len(), all.len());
            let want: Vec<PairP> = all.low().iter().copied().filter(|x| x.p <= keep_p).collect();
            prop_assert_eq!(some.low(), want.as_slice());
            for x in all.low() {
                prop_assert!(some.contains(x.a, x.b));
                prop_assert_eq!(pair_code(x.a, x.b) >> 32, u64::from(x.a));
            }
        }
        /// Strata swept "remotely" (as one renumbered network, here by the
        /// plain kernel) give the local sweep's runs and statistics exactly,
        /// for every null, with and without the hopeless filters, whether a
        /// key counts in one stratum or several.
        #[test]
        fn remote_strata_equal_local_strata(
            acts in proptest::collection::vec((0u8..24, 0u8..40, 0i64..40), 1..300),
            how in nulls(),
            hopeless in prop_oneof![Just(1.0f64), Just(0.05), Just(0.001)],
        ) {
            // Post p reaches at most p / 2 + 2 accounts, so keys spread over
            // several popularity strata (and count in several with `UpTo`).
            let acts: Vec<(u8, u8, i64)> = acts.iter().map(|&(p, a, t)| (p, a % (p / 2 + 2), t)).collect();
            let ev = crate::testing::reposts(&acts);
            let mut params = Params::new(Mode::Default);
            params.window_ms = 8_000;
            let level = swarmscan_detect::prepare(&ev, Network::CoRepost, &params).unwrap();
            let mut here: Vec<Vec<StratumTest>> = Vec::new();
            let (st_here, _) = test_level_into(&level, &|k| k % 2, &how, &params, hopeless, &mut here);
            let mut there: Vec<Vec<StratumTest>> = Vec::new();
            let (st_there, _) =
                test_level_remote(&level, &|k| k % 2, &how, &params, hopeless, &mut there, &crate::testing::KernelSweep)
                    .unwrap();
            prop_assert_eq!(st_here, st_there);
            prop_assert_eq!(here, there);
        }

        /// Each stratum's run comes in strictly increasing `(a, b)` order
        /// (what [`merge_runs`] relies on), and merging the runs gives what
        /// sorting every test and taking each pair's smallest p-value times
        /// its number of strata gives.
        #[test]
        fn runs_are_sorted_and_merge_as_a_sort(
            acts in proptest::collection::vec((0u8..10, 0u8..14, 0i64..40), 1..250),
            how in nulls(),
        ) {
            let ev = crate::testing::reposts(&acts);
            let mut params = Params::new(Mode::Default);
            params.window_ms = 8_000;
            let level = swarmscan_detect::prepare(&ev, Network::CoRepost, &params).unwrap();
            let mut runs: Vec<Vec<StratumTest>> = Vec::new();
            test_level_into(&level, &|_| 0, &how, &params, 1.0, &mut runs);
            for r in &runs {
                prop_assert!(r.windows(2).all(|w| (w[0].0, w[0].1) < (w[1].0, w[1].1)), "{r:?}");
            }
            let mut all: Vec<StratumTest> = runs.iter().flatten().copied().collect();
            all.sort_by(|x, y| (x.0, x.1).cmp(&(y.0, y.1)).then(x.2.total_cmp(&y.2)));
            let want: Vec<PairP> = all
                .chunk_by(|x, y| (x.0, x.1) == (y.0, y.1))
                .map(|g| PairP { a: g[0].0, b: g[0].1, p: (g[0].2 * g.len() as f64).min(1.0) })
                .collect();
            let got: Vec<PairP> = merge_runs(runs.into_iter().map(|r| r.into_iter()).collect()).collect();
            prop_assert_eq!(got, want);
        }

        /// `best_p_scaled` (and `best_p`, its `d = n` case: `extra = 0`) is a
        /// lower bound of every p-value a pair can get: X shared keys, X ≤ n
        /// and X ≤ d_b, μ = d·d_b·c with d ≥ n. Checked where the bound is
        /// used (at or below ¼).
        #[test]
        fn best_p_scaled_bounds_every_partner(n in 2u64..40, extra in 0u64..40, lc in -4.0f64..-0.5) {
            let (c, d) = (10f64.powf(lc), n + extra);
            let bound = best_p_scaled(n, d, c);
            if extra == 0 {
                prop_assert_eq!(bound, best_p(n, c));
            }
            if bound > 0.25 {
                // Not a regime the filter uses (it filters at --fdr < ¼).
                return Ok(());
            }
            for x in 2..=n {
                for db in x..=60 {
                    let p = poisson_sf_given_at_least(x, (d * db) as f64 * c, 2);
                    prop_assert!(p >= bound * (1.0 - 1e-9), "n {n} d {d} c {c} x {x} db {db}: {p} < {bound}");
                }
            }
        }

        /// The filter's decision with cut-offs on `μ` is the bound's.
        #[test]
        fn reaches_is_the_bound_at_the_level(
            n in 0u64..300,
            extra in 0u64..300,
            lc in -7.0f64..-0.5,
            level in prop_oneof![Just(0.001f64), Just(0.01), Just(0.05), Just(0.2)],
        ) {
            let (c, d) = (10f64.powf(lc), n + extra);
            let cuts = MuCuts::new(level, 2);
            prop_assert_eq!(reaches(n, d, c, level, Some(&cuts)), best_p_scaled(n, d, c) <= level);
            prop_assert_eq!(reaches(n, d, c, level, None), best_p_scaled(n, d, c) <= level);
        }

        /// Leaving hopeless accounts out never loses a pair that could be
        /// significant: every pair with p ≤ q of the full test is in the
        /// filtered one, with the same X, μ and p.
        #[test]
        fn filtering_keeps_every_pair_that_can_pass(
            acts in proptest::collection::vec((0u8..8, 0u8..12, 0i64..30), 1..200),
            q in prop_oneof![Just(0.01f64), Just(0.05), Just(0.2)],
            how in nulls(),
        ) {
            let ev = crate::testing::reposts(&acts);
            let mut params = Params::new(Mode::Default);
            params.window_ms = 5_000;
            let level = swarmscan_detect::prepare(&ev, Network::CoRepost, &params).unwrap();
            let (all_p, _, model) = test_level_with(&level, &|_| 0, &how, &params, 1.0, 1.0);
            let (kept_p, stats, kept_model) = test_level_with(&level, &|_| 0, &how, &params, q, 1.0);
            prop_assert_eq!(&model.counts, &kept_model.counts);
            let every: Vec<(u32, u32)> = all_p.low().iter().map(|x| (x.a, x.b)).collect();
            let all = detail_level(&level, &model, &params, 1.0, &every);
            let kept = detail_level(&level, &model, &params, q, &every);
            prop_assert!(kept.len() <= all.len());
            prop_assert!(stats.hopeless + stats.hopeless_pairs > 0 || kept.len() == all.len());
            prop_assert!(kept_p.len() <= all_p.len());
            for t in all.iter().filter(|t| t.p <= q) {
                let k = kept.iter().find(|k| (k.edge.a, k.edge.b, k.stratum) == (t.edge.a, t.edge.b, t.stratum));
                prop_assert!(k.is_some(), "lost pair {:?} with p {}", (t.edge.a, t.edge.b), t.p);
                let k = k.unwrap();
                prop_assert_eq!((k.edge.weight, k.mu, k.p), (t.edge.weight, t.mu, t.p));
            }
            // The pair bound, by plain enumeration of the two accounts'
            // count rows: never below what the pair shared (so no test that
            // could pass is dropped), and every test kept can reach q.
            let most = |t: &Tested| -> u64 {
                let rows = |a: u32| model.counts.iter().filter(move |r| r.0 == t.stratum && r.1 == a);
                rows(t.edge.a)
                    .map(|x| rows(t.edge.b).filter(|y| y.2 == x.2).map(|y| u64::from(x.3.min(y.3))).sum::<u64>())
                    .sum()
            };
            for t in &all {
                prop_assert!(most(t) >= u64::from(t.edge.weight), "bound {} below X {}", most(t), t.edge.weight);
            }
            for k in &kept {
                prop_assert!(crate::stats::poisson_sf_given_at_least(most(k), k.mu, 2) <= q, "kept a hopeless test {k:?}");
            }
        }

        /// The two passes agree: `test_level`'s p-value of a pair is the
        /// smallest of `detail_level`'s strata times their number, and the
        /// details of a few pairs are those of the full sweep.
        #[test]
        fn details_match_the_tests(
            acts in proptest::collection::vec((0u8..8, 0u8..12, 0i64..30), 1..200),
            q in prop_oneof![Just(0.05f64), Just(1.0)],
            pick in 1usize..4,
            how in nulls(),
        ) {
            let ev = crate::testing::reposts(&acts);
            let mut params = Params::new(Mode::Default);
            params.window_ms = 5_000;
            params.evidence = 3;
            let level = swarmscan_detect::prepare(&ev, Network::CoRepost, &params).unwrap();
            let (pairs, stats, model) = test_level_with(&level, &|_| 0, &how, &params, q, 1.0);
            let every: Vec<(u32, u32)> = pairs.low().iter().map(|x| (x.a, x.b)).collect();
            let all = detail_level(&level, &model, &params, q, &every);
            prop_assert_eq!(all.len() as u64, stats.tested);
            prop_assert_eq!(pairs.low().len(), pairs.len());
            for x in pairs.low() {
                let mine: Vec<&Tested> = all.iter().filter(|t| (t.edge.a, t.edge.b) == (x.a, x.b)).collect();
                let best = mine.iter().map(|t| t.p).fold(f64::INFINITY, f64::min);
                // Exact where the best stratum is at most the bound; above
                // it the test pass may give 1 without computing it.
                if best <= q {
                    prop_assert_eq!(x.p, (best * mine.len() as f64).min(1.0));
                } else {
                    prop_assert!(x.p > q, "{} against {}", x.p, best);
                }
            }
            // Every `pick`-th pair alone: the same records as in the full sweep.
            let some: Vec<(u32, u32)> = every.iter().copied().step_by(pick).collect();
            let few = detail_level(&level, &model, &params, q, &some);
            let expect: Vec<&Tested> = all.iter().filter(|t| some.contains(&(t.edge.a, t.edge.b))).collect();
            prop_assert_eq!(few.len(), expect.len());
            for (f, e) in few.iter().zip(expect) {
                prop_assert_eq!((f.edge.a, f.edge.b, f.stratum, f.mu, f.p), (e.edge.a, e.edge.b, e.stratum, e.mu, e.p));
                prop_assert_eq!(&f.edge.evidence, &e.edge.evidence);
                prop_assert_eq!((f.edge.weight, f.edge.pairs, f.edge.min_dt_ms), (e.edge.weight, e.edge.pairs, e.edge.min_dt_ms));
            }
        }
    }
}
