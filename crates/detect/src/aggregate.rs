//! Aggregation of co-actions into edges, partitioned by account.
//!
//! The window kernel ([`crate::keyed::windows`]) runs per key; aggregation
//! runs per *account*: for an account `a`, every row `p` of `a` and every row
//! `q` in `p`'s neighbourhood (the rows of the same key within the window, or
//! the text matches of co_similar) are visited, and the per-partner counts
//! live in dense scratch arrays indexed by partner account. When `a` is done
//! its edges are final: they are filtered by the minimum weight, sorted by
//! partner, and the scratch is reset by walking only the touched entries.
//!
//! Why per account rather than one hash map of all pairs:
//!
//! * **Memory** is bounded by the scratch (a few bytes per account per
//!   worker, allocated zeroed so untouched pages cost nothing) and by one
//!   account's evidence candidates, not by the number of distinct pairs in
//!   the data, which can far exceed the number of events.
//! * **Output order** comes for free: accounts are ranks in byte order of
//!   their ids, parts are contiguous rank ranges, and each account's
//!   partners are sorted — so edges come out sorted by `(a, b)` without a
//!   global sort, deterministically, whatever the number of threads.
//! * **Work** is exactly the neighbourhood sizes (pairs really inside the
//!   window), split into parts of equal work, so one viral key or one
//!   hyperactive account does not serialise the run more than its own
//!   share.
//!
//! # Memory model
//!
//! Per keyed action (one per event for most networks, one per URL for
//! co_link): the sorted [`KeyedActions`] (20 bytes; 24 more while sorting),
//! its windows (8) and the by-account index (4). Per event: the first-record
//! and canonical-row flags (5). Per account: ranks and index offsets (16),
//! and per worker thread a scratch of about 25 bytes per account. co_similar
//! adds 4 bytes per token of each distinct text, the postings of the records
//! within one window per part, and 8 bytes per matching pair. Edges are not
//! collected: [`crate::Prepared::run_streaming`] aggregates the accounts in
//! waves of parts (256 parts per thread, two per thread at a time) and hands
//! each wave on in order, so only a few hundredths of the output are held at
//! any time. Nothing spills to disk; the remaining unbounded quantity is a
//! single account's evidence candidates in the default mode (one per shared
//! key and partner). Pathological hot keys can be skipped with
//! `max_key_actors` (off by default). Measured: 1–36 bytes per event beyond
//! the event table at 1 M events, per network (BENCHMARKS.md).
//!
//! Two aggregations:
//!
//! * [`directed`] — the toolkit's weight: `w(u→v)` = number of `u`'s
//!   messages with at least one neighbour of account `v` (self included).
//! * [`undirected`] — swarmscan's default: per pair `a < b` the distinct
//!   shared keys, the number of co-action pairs, the closest and median time
//!   difference, and the best pair of each key as evidence.

use crate::keyed::{Edge, Evidence, KeyedActions, Windows, edge_from};
use rayon::prelude::*;
use std::ops::Range;

/// Where the neighbours of a row are.
pub trait Neighbours: Sync {
    /// Calls `f` for every neighbour of row `p`.
    fn for_each(&self, p: usize, f: impl FnMut(usize));
    /// The number of neighbours of row `p`.
    fn count(&self, p: usize) -> usize;
}

impl Neighbours for Windows {
    #[inline]
    fn for_each(&self, p: usize, mut f: impl FnMut(usize)) {
        for q in self.lo[p] as usize..self.hi[p] as usize {
            f(q);
        }
    }

    #[inline]
    fn count(&self, p: usize) -> usize {
        (self.hi[p] - self.lo[p]) as usize
    }
}

/// Explicit neighbour lists (compressed sparse rows): the neighbours of row
/// `p` are `targets[offsets[p]..offsets[p + 1]]`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Csr {
    pub offsets: Vec<usize>,
    pub targets: Vec<u32>,
}

impl Csr {
    /// Builds the lists of `n` rows from `(from, to)` pairs.
    pub fn from_pairs(n: usize, pairs: &[(u32, u32)]) -> Csr {
        let mut offsets = vec![0usize; n + 1];
        for &(f, _) in pairs {
            offsets[f as usize + 1] += 1;
        }
        for i in 0..n {
            offsets[i + 1] += offsets[i];
        }
        let mut fill = offsets.clone();
        let mut targets = vec![0u32; pairs.len()];
        for &(f, t) in pairs {
            targets[fill[f as usize]] = t;
            fill[f as usize] += 1;
        }
        for p in 0..n {
            targets[offsets[p]..offsets[p + 1]].sort_unstable();
        }
        Csr { offsets, targets }
    }
}

impl Neighbours for Csr {
    #[inline]
    fn for_each(&self, p: usize, mut f: impl FnMut(usize)) {
        for &q in &self.targets[self.offsets[p]..self.offsets[p + 1]] {
            f(q as usize);
        }
    }

    #[inline]
    fn count(&self, p: usize) -> usize {
        self.offsets[p + 1] - self.offsets[p]
    }
}

/// The rows of each account, ascending (rows of account `a` are
/// `rows[offsets[a]..offsets[a + 1]]`), and the split of the accounts into
/// parts of about equal work.
#[derive(Clone, Debug)]
pub struct ByAccount {
    offsets: Vec<usize>,
    rows: Vec<u32>,
}

impl ByAccount {
    /// Groups the rows of `ka` by account (`n_accounts` ranks).
    pub fn new(ka: &KeyedActions, n_accounts: usize) -> ByAccount {
        let mut offsets = vec![0usize; n_accounts + 1];
        for &a in &ka.account {
            offsets[a as usize + 1] += 1;
        }
        for i in 0..n_accounts {
            offsets[i + 1] += offsets[i];
        }
        let mut fill = offsets.clone();
        let mut rows = vec![0u32; ka.account.len()];
        for (p, &a) in ka.account.iter().enumerate() {
            rows[fill[a as usize]] = p as u32;
            fill[a as usize] += 1;
        }
        ByAccount { offsets, rows }
    }

    /// Number of accounts.
    pub fn accounts(&self) -> usize {
        self.offsets.len() - 1
    }

    #[inline]
    fn of(&self, a: usize) -> &[u32] {
        &self.rows[self.offsets[a]..self.offsets[a + 1]]
    }

    /// Contiguous account ranges of about equal work (neighbourhood sizes),
    /// at most `parts` of them.
    pub fn parts(&self, nb: &impl Neighbours, parts: usize) -> Vec<Range<usize>> {
        let n = self.accounts();
        let work: Vec<u64> = (0..n)
            .into_par_iter()
            .map(|a| 1 + self.of(a).iter().map(|&p| nb.count(p as usize) as u64).sum::<u64>())
            .collect();
        let total: u64 = work.iter().sum();
        let per = total.div_ceil(parts.max(1) as u64).max(1);
        let mut out = Vec::new();
        let (mut start, mut acc) = (0usize, 0u64);
        for (a, w) in work.iter().enumerate() {
            acc += w;
            if acc >= per {
                out.push(start..a + 1);
                start = a + 1;
                acc = 0;
            }
        }
        if start < n {
            out.push(start..n);
        }
        out
    }
}

/// A directed edge of the toolkit's network: `weight` of `source`'s messages
/// have a match from `target`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct DirectedEdge {
    /// Account rank.
    pub source: u32,
    /// Account rank.
    pub target: u32,
    pub weight: u32,
}

/// Per-worker scratch of the aggregations: dense arrays indexed by partner
/// account, all zero between accounts. Allocated zeroed, so pages never
/// touched cost no memory.
#[derive(Clone, Debug)]
pub struct Scratch {
    count: Vec<u64>,
    stamp: Vec<u32>,
    slot: Vec<u32>,
    touched: Vec<u32>,
    sorted: Vec<u32>,
    /// One bit per partner account, set while touched.
    bits: Vec<u64>,
    /// Per partner: evidence records collected (undirected).
    recs: Vec<u32>,
}

impl Scratch {
    /// Scratch for `n_accounts` partner accounts.
    pub fn new(n_accounts: usize) -> Scratch {
        Scratch {
            count: vec![0; n_accounts],
            stamp: vec![0; n_accounts],
            slot: vec![0; n_accounts],
            touched: Vec::new(),
            sorted: Vec::new(),
            bits: vec![0; n_accounts.div_ceil(64)],
            recs: vec![0; n_accounts],
        }
    }
}

/// Puts the touched partners in ascending order and clears their bits:
/// by scanning the bitset when they are many, else by sorting.
fn order_touched(touched: &mut Vec<u32>, bits: &mut [u64]) {
    if touched.len() * 16 >= bits.len() {
        touched.clear();
        for (w, word) in bits.iter_mut().enumerate() {
            let mut x = std::mem::take(word);
            while x != 0 {
                touched.push((w * 64) as u32 + x.trailing_zeros());
                x &= x - 1;
            }
        }
    } else {
        touched.sort_unstable();
        for &v in touched.iter() {
            bits[v as usize / 64] = 0;
        }
    }
}

/// What an aggregation computes.
#[derive(Clone, Copy, Debug)]
pub enum Aggregation {
    /// The toolkit's directed weights. `multi`: a message may have several
    /// rows (co_link's URLs) and then counts once per partner. Self-loops
    /// are kept only with `loops`.
    Directed { min_weight: u32, loops: bool, multi: bool },
    /// swarmscan's undirected edges (`a < b`). With `keyed`, the weight is
    /// the number of distinct shared keys and the evidence is the best pair
    /// of each key; without, every pair counts. With `weights_only`, only
    /// `weight` and `pairs` are computed ([`crate::Params::weights_only`]).
    Undirected { keyed: bool, min_weight: u32, evidence: usize, weights_only: bool },
}

/// The edges of one part of the accounts, in output order.
#[derive(Clone, Debug, PartialEq)]
pub enum PartEdges {
    Directed(Vec<DirectedEdge>),
    Undirected(Vec<Edge>),
}

impl PartEdges {
    /// Number of edges.
    pub fn len(&self) -> usize {
        match self {
            PartEdges::Directed(v) => v.len(),
            PartEdges::Undirected(v) => v.len(),
        }
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The aggregation kernel for the accounts `range`: their edges, sorted by
/// `(account, partner)`.
pub fn aggregate_part(
    ka: &KeyedActions,
    nb: &impl Neighbours,
    by: &ByAccount,
    range: Range<usize>,
    how: Aggregation,
    s: &mut Scratch,
) -> PartEdges {
    match how {
        Aggregation::Directed { min_weight, loops, multi } => {
            PartEdges::Directed(directed_part(ka, nb, by, range, min_weight, loops, multi, s))
        }
        Aggregation::Undirected { keyed, min_weight, weights_only: true, .. } => {
            PartEdges::Undirected(weights_part(ka, nb, by, range, keyed, min_weight, s))
        }
        Aggregation::Undirected { keyed, min_weight, evidence, weights_only: false } => {
            PartEdges::Undirected(undirected_part(ka, nb, by, range, keyed, min_weight, evidence, s))
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn directed_part(
    ka: &KeyedActions,
    nb: &impl Neighbours,
    by: &ByAccount,
    range: Range<usize>,
    min_weight: u32,
    loops: bool,
    multi: bool,
    s: &mut Scratch,
) -> Vec<DirectedEdge> {
    let Scratch { count, stamp, touched, sorted, bits, .. } = s;
    let mut edges = Vec::new();
    for u in range {
        let mut rows = by.of(u);
        if multi {
            sorted.clear();
            sorted.extend_from_slice(rows);
            sorted.sort_by_key(|&p| (ka.row[p as usize], p));
            rows = sorted;
        }
        for &p in rows {
            // Rows of one account never belong to another, so a stamp left
            // by an earlier account cannot collide.
            let st = ka.row[p as usize] + 1;
            nb.for_each(p as usize, |q| {
                let v = ka.account[q] as usize;
                if stamp[v] != st {
                    stamp[v] = st;
                    if count[v] == 0 {
                        touched.push(v as u32);
                        bits[v / 64] |= 1 << (v % 64);
                    }
                    count[v] += 1;
                }
            });
        }
        order_touched(touched, bits);
        for &v in touched.iter() {
            let w = std::mem::take(&mut count[v as usize]) as u32;
            if w >= min_weight && (loops || v as usize != u) {
                edges.push(DirectedEdge { source: u as u32, target: v, weight: w });
            }
        }
        touched.clear();
    }
    edges
}

#[allow(clippy::too_many_arguments)]
fn undirected_part(
    ka: &KeyedActions,
    nb: &impl Neighbours,
    by: &ByAccount,
    range: Range<usize>,
    keyed: bool,
    min_weight: u32,
    evidence_n: usize,
    s: &mut Scratch,
) -> Vec<Edge> {
    let Scratch { count: pairs, stamp, slot: recidx, touched, recs: nrec, .. } = s;
    let min_weight = min_weight.max(1) as usize;
    let mut recs: Vec<(u32, Evidence)> = Vec::new();
    let mut group: Vec<Evidence> = Vec::new();
    let mut edges = Vec::new();
    for a in range {
        // Rows ascending: grouped by key, in time order.
        for &p in by.of(a) {
            let p = p as usize;
            let k = ka.key[p];
            let (tp, rp) = (ka.ts_ms[p], ka.row[p]);
            nb.for_each(p, |q| {
                let b = ka.account[q] as usize;
                if b <= a {
                    return;
                }
                let tq = ka.ts_ms[q];
                let ev = Evidence {
                    dt_ms: (tq - tp).abs(),
                    ts_ms: tp.min(tq),
                    key: if keyed { k } else { 0 },
                    row_a: rp,
                    row_b: ka.row[q],
                };
                if pairs[b] == 0 {
                    touched.push(b as u32);
                }
                pairs[b] += 1;
                if keyed && stamp[b] == k.wrapping_add(1) {
                    let r = &mut recs[recidx[b] as usize].1;
                    if ev < *r {
                        *r = ev;
                    }
                } else {
                    stamp[b] = k.wrapping_add(1);
                    recidx[b] = recs.len() as u32;
                    recs.push((b as u32, ev));
                    nrec[b] += 1;
                }
            });
        }
        // A partner with fewer records than `min_weight` makes no edge:
        // drop its records before the sort (most partners share one key).
        if min_weight > 1 {
            recs.retain(|r| nrec[r.0 as usize] as usize >= min_weight);
        }
        recs.sort_unstable();
        let mut i = 0;
        while i < recs.len() {
            let b = recs[i].0;
            let j = i + recs[i..].partition_point(|r| r.0 == b);
            if j - i >= min_weight {
                group.clear();
                group.extend(recs[i..j].iter().map(|r| r.1));
                edges.push(edge_from(a as u32, b, pairs[b as usize], &group, evidence_n));
            }
            i = j;
        }
        for &b in touched.iter() {
            pairs[b as usize] = 0;
            stamp[b as usize] = 0;
            nrec[b as usize] = 0;
        }
        touched.clear();
        recs.clear();
    }
    edges
}

/// [`undirected_part`]'s weights and pair counts alone: per partner, the
/// distinct keys shared (or, without `keyed`, the co-action pairs) are
/// counted as the rows are swept, with no record per key to keep or sort.
fn weights_part(
    ka: &KeyedActions,
    nb: &impl Neighbours,
    by: &ByAccount,
    range: Range<usize>,
    keyed: bool,
    min_weight: u32,
    s: &mut Scratch,
) -> Vec<Edge> {
    let Scratch { count: pairs, stamp, recs: weight, touched, .. } = s;
    let min_weight = min_weight.max(1);
    let mut edges = Vec::new();
    for a in range {
        // Rows ascending: grouped by key, so a key is counted once per
        // partner by stamping the partner with it.
        for &p in by.of(a) {
            let p = p as usize;
            let k = ka.key[p];
            nb.for_each(p, |q| {
                let b = ka.account[q] as usize;
                if b <= a {
                    return;
                }
                if pairs[b] == 0 {
                    touched.push(b as u32);
                }
                pairs[b] += 1;
                if !keyed || stamp[b] != k.wrapping_add(1) {
                    stamp[b] = k.wrapping_add(1);
                    weight[b] += 1;
                }
            });
        }
        let first = edges.len();
        for &b in touched.iter() {
            let b = b as usize;
            if weight[b] >= min_weight {
                edges.push(Edge {
                    a: a as u32,
                    b: b as u32,
                    weight: weight[b],
                    pairs: pairs[b],
                    min_dt_ms: 0,
                    median_dt_ms: 0.0,
                    evidence: Vec::new(),
                });
            }
            (pairs[b], stamp[b], weight[b]) = (0, 0, 0);
        }
        edges[first..].sort_unstable_by_key(|e| e.b);
        touched.clear();
    }
    edges
}

fn n_parts() -> usize {
    rayon::current_num_threads() * 8
}

fn run_all(ka: &KeyedActions, nb: &impl Neighbours, n_accounts: usize, how: Aggregation) -> Vec<PartEdges> {
    let by = ByAccount::new(ka, n_accounts);
    let parts = by.parts(nb, n_parts());
    parts.into_par_iter().map_init(|| Scratch::new(n_accounts), |s, r| aggregate_part(ka, nb, &by, r, how, s)).collect()
}

/// The toolkit's directed weights of all accounts (see
/// [`Aggregation::Directed`]), sorted by `(source, target)`.
pub fn directed(
    ka: &KeyedActions,
    nb: &impl Neighbours,
    n_accounts: usize,
    min_weight: u32,
    loops: bool,
    multi: bool,
) -> Vec<DirectedEdge> {
    let how = Aggregation::Directed { min_weight, loops, multi };
    let mut out = Vec::new();
    for p in run_all(ka, nb, n_accounts, how) {
        if let PartEdges::Directed(v) = p {
            out.extend(v);
        }
    }
    out
}

/// swarmscan's undirected edges of all accounts (see
/// [`Aggregation::Undirected`]), sorted by `(a, b)`.
pub fn undirected(
    ka: &KeyedActions,
    nb: &impl Neighbours,
    n_accounts: usize,
    keyed: bool,
    min_weight: u32,
    evidence: usize,
) -> Vec<Edge> {
    undirected_with(ka, nb, n_accounts, Aggregation::Undirected { keyed, min_weight, evidence, weights_only: false })
}

/// [`undirected`]'s edges with only `weight` and `pairs` computed (see
/// [`crate::Params::weights_only`]).
pub fn undirected_weights(
    ka: &KeyedActions,
    nb: &impl Neighbours,
    n_accounts: usize,
    keyed: bool,
    min_weight: u32,
) -> Vec<Edge> {
    undirected_with(ka, nb, n_accounts, Aggregation::Undirected { keyed, min_weight, evidence: 0, weights_only: true })
}

fn undirected_with(ka: &KeyedActions, nb: &impl Neighbours, n_accounts: usize, how: Aggregation) -> Vec<Edge> {
    let mut out = Vec::new();
    for p in run_all(ka, nb, n_accounts, how) {
        if let PartEdges::Undirected(v) = p {
            out.extend(v);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn touched_partners_come_out_sorted_by_either_path() {
        for (n, picks) in [(10_000usize, vec![9_999u32, 3, 64, 65, 0]), (64, vec![63, 1, 0, 40, 2, 5])] {
            let mut bits = vec![0u64; n.div_ceil(64)];
            let mut touched = picks.clone();
            for &v in &touched {
                bits[v as usize / 64] |= 1 << (v % 64);
            }
            order_touched(&mut touched, &mut bits);
            let mut want = picks;
            want.sort_unstable();
            assert_eq!(touched, want);
            assert!(bits.iter().all(|&w| w == 0));
        }
    }
}
