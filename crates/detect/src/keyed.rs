//! The sort-then-sweep kernels over plain columnar batches.
//!
//! Every keyed network reduces to the same input: one row per (action, key)
//! with the action's time, its account and its event row, sorted by
//! `(key, ts, account, row)` — a [`KeyedActions`]. The kernels here never see
//! an [`Events`](swarmscan_model::Events) table, strings, or global state, so
//! they run unchanged on any partition of the keys: locally one sorted batch
//! is cut into key-aligned ranges ([`KeyedActions::split`]) and the ranges
//! run on all cores with rayon; in a distributed executor (DataFusion /
//! Ballista) the batch of one hash partition of the keys, sorted, is the
//! input ([`KeyedActions::hash_partition`] is that shuffle; a property test
//! checks that sweeping the partitions separately and merging the partial
//! aggregates gives the same edges).
//!
//! Two kernels:
//!
//! * [`windows`]: for every row, the range of rows of the same key whose time
//!   lies within ±W (inclusive) — a two-pointer sweep, O(rows) per key,
//!   whatever the key's size. The aggregation in [`crate::aggregate`] walks
//!   these ranges per account, so the work is the number of (row, row) pairs
//!   that really fall in the window, never the square of a key's size.
//! * [`sweep_pairs`]: the pairs themselves as [`PairBatch`]es of bounded size,
//!   each unordered pair of rows of different accounts once, oriented
//!   `a < b`. This is the exchange format between executors; [`PairAggregate`]
//!   folds batches into edges and merges partial aggregates. The local engine
//!   fuses the two steps instead (see [`crate::aggregate`]); property tests
//!   check that both paths and a brute-force enumeration agree.
//!
//! Hot keys: `max_key_actors` (off by default) skips any key with more
//! distinct accounts than the cap, for pathological viral keys; the skipped
//! keys are counted in [`WindowStats`]. For a distributed sweep,
//! [`sweep_groups`] cuts a key with many rows into time buckets ("salting")
//! and [`sweep_group_pairs`] sweeps the buckets, so that a viral key is several
//! tasks and still gives each pair once.

use rayon::prelude::*;
use std::ops::Range;

/// Actions keyed for one network, as columns. Sorted by
/// `(key, ts_ms, account, row)` once [`KeyedActions::sort`] has run.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct KeyedActions {
    /// What is shared: a post, a URL, a text… (a dense id; `0` for networks
    /// without keys).
    pub key: Vec<u32>,
    /// Time of the action, UTC milliseconds.
    pub ts_ms: Vec<i64>,
    /// The acting account, as a rank: account ids in byte order.
    pub account: Vec<u32>,
    /// The action's event row: identifies the message (two rows of one
    /// message share the row of its first record).
    pub row: Vec<u32>,
}

impl KeyedActions {
    /// Number of rows.
    pub fn len(&self) -> usize {
        self.key.len()
    }

    /// Heap bytes held.
    pub fn heap_bytes(&self) -> usize {
        (self.key.capacity() + self.account.capacity() + self.row.capacity()) * 4 + self.ts_ms.capacity() * 8
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.key.is_empty()
    }

    /// Room for `n` rows without growing (a detector knows its rows before
    /// it pushes them: growing by doubling held up to twice their 20 bytes
    /// a row, and three times while a column moved).
    pub fn with_capacity(n: usize) -> KeyedActions {
        KeyedActions {
            key: Vec::with_capacity(n),
            ts_ms: Vec::with_capacity(n),
            account: Vec::with_capacity(n),
            row: Vec::with_capacity(n),
        }
    }

    /// Appends one row.
    pub fn push(&mut self, key: u32, ts_ms: i64, account: u32, row: u32) {
        self.key.push(key);
        self.ts_ms.push(ts_ms);
        self.account.push(account);
        self.row.push(row);
    }

    /// Sorts the rows by `(key, ts_ms, account, row)` (in parallel).
    ///
    /// Memory: the rows' 20 bytes, plus 8 per row for the order and 8 for
    /// one gathered column at a time (36 in all), where sorting whole
    /// `(key, ts, account, row)` tuples held 24 more per row beside the
    /// columns (44). This sort sets the peak of a large level's build. The
    /// rows are ordered by key first (one `u64` per row, `key << 32 | i`),
    /// each column is gathered through that order into an exactly sized
    /// column (freeing the extraction's spare capacity), and then each key's
    /// rows are sorted by `(ts, account, row)` on their own.
    pub fn sort(&mut self) {
        assert!(self.len() < u32::MAX as usize, "more than 2^32-1 rows in one batch");
        let mut order: Vec<u64> =
            self.key.par_iter().enumerate().map(|(i, &k)| u64::from(k) << 32 | i as u64).collect();
        order.par_sort_unstable();
        let at = |o: u64| o as u32 as usize;
        self.ts_ms = {
            let old = std::mem::take(&mut self.ts_ms);
            order.par_iter().map(|&o| old[at(o)]).collect()
        };
        self.account = {
            let old = std::mem::take(&mut self.account);
            order.par_iter().map(|&o| old[at(o)]).collect()
        };
        self.row = {
            let old = std::mem::take(&mut self.row);
            order.par_iter().map(|&o| old[at(o)]).collect()
        };
        self.key = {
            drop(std::mem::take(&mut self.key));
            order.par_iter().map(|&o| (o >> 32) as u32).collect()
        };
        drop(order);
        // Within each key, by (ts, account, row). Parts are whole keys, so
        // they sort independently.
        let parts = self.split(rayon::current_num_threads() * 8);
        let key = &self.key;
        let mut chunks: Vec<(&mut [i64], &mut [u32], &mut [u32])> = Vec::with_capacity(parts.len());
        let (mut ts, mut account, mut row) =
            (self.ts_ms.as_mut_slice(), self.account.as_mut_slice(), self.row.as_mut_slice());
        for r in &parts {
            let len = r.end - r.start;
            let (t, t_rest) = std::mem::take(&mut ts).split_at_mut(len);
            let (a, a_rest) = std::mem::take(&mut account).split_at_mut(len);
            let (w, w_rest) = std::mem::take(&mut row).split_at_mut(len);
            chunks.push((t, a, w));
            (ts, account, row) = (t_rest, a_rest, w_rest);
        }
        parts.into_par_iter().zip(chunks).for_each(|(r, (ts, account, row))| {
            let keys = &key[r.clone()];
            let mut tuples: Vec<(i64, u32, u32)> = Vec::new();
            let mut start = 0;
            while start < keys.len() {
                let end = start + keys[start..].partition_point(|&k| k == keys[start]);
                let sorted =
                    (start + 1..end).all(|i| (ts[i - 1], account[i - 1], row[i - 1]) <= (ts[i], account[i], row[i]));
                if !sorted {
                    tuples.clear();
                    tuples.extend((start..end).map(|i| (ts[i], account[i], row[i])));
                    // A key of most rows (co_post's one key) sorts on all cores.
                    if end - start > 1 << 16 {
                        tuples.par_sort_unstable();
                    } else {
                        tuples.sort_unstable();
                    }
                    for (i, &(t, a, w)) in (start..end).zip(&tuples) {
                        (ts[i], account[i], row[i]) = (t, a, w);
                    }
                }
                start = end;
            }
        });
    }

    /// Whether the rows are sorted as [`KeyedActions::sort`] leaves them.
    pub fn is_sorted(&self) -> bool {
        (1..self.len()).all(|i| {
            (self.key[i - 1], self.ts_ms[i - 1], self.account[i - 1], self.row[i - 1])
                <= (self.key[i], self.ts_ms[i], self.account[i], self.row[i])
        })
    }

    /// The end of the key group that starts at `start`.
    fn group_end(&self, start: usize) -> usize {
        let k = self.key[start];
        start + self.key[start..].partition_point(|&x| x == k)
    }

    /// Scatters the rows into `parts` batches by a hash of the key (the
    /// shuffle a distributed executor performs), each sorted. Every key's
    /// rows land in one batch, so each batch can be swept on its own.
    pub fn hash_partition(&self, parts: usize) -> Vec<KeyedActions> {
        let parts = parts.max(1);
        let mut out = vec![KeyedActions::default(); parts];
        for i in 0..self.len() {
            // A fixed multiplicative hash: the same partition on every machine.
            let h = (u64::from(self.key[i]).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 32) as usize % parts;
            out[h].push(self.key[i], self.ts_ms[i], self.account[i], self.row[i]);
        }
        out.par_iter_mut().for_each(KeyedActions::sort);
        out
    }

    /// Cuts the sorted rows into at most `parts` ranges of whole key groups
    /// with about the same number of rows each ([`split_sorted`]).
    pub fn split(&self, parts: usize) -> Vec<Range<usize>> {
        split_sorted(&self.key, parts)
    }
}

/// Cuts an ascending slice into at most `parts` ranges with about the same
/// number of values each, never inside a run of equal values.
pub fn split_sorted<T: PartialEq>(sorted: &[T], parts: usize) -> Vec<Range<usize>> {
    let n = sorted.len();
    let parts = parts.max(1);
    let mut out = Vec::with_capacity(parts);
    let mut start = 0;
    for p in 1..=parts {
        if start >= n {
            break;
        }
        let target = (n * p / parts).max(start + 1);
        let end = if p == parts || target >= n {
            n
        } else {
            // Move to the end of the run holding `target - 1`.
            let k = &sorted[target - 1];
            target + sorted[target..].partition_point(|x| x == k)
        };
        out.push(start..end);
        start = end;
    }
    out
}

/// For each sorted row `p`, the rows `lo[p]..hi[p]` of the same key within
/// the window; `p` itself is inside unless its key was skipped as hot (then
/// the range is empty).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Windows {
    pub lo: Vec<u32>,
    pub hi: Vec<u32>,
}

/// What the window sweep saw.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct WindowStats {
    /// Distinct keys.
    pub keys: u64,
    /// Keys skipped by `max_key_actors`.
    pub hot_keys_skipped: u64,
    /// Rows of the skipped keys.
    pub hot_rows_skipped: u64,
    /// Σ window sizes (ordered row pairs, self pairs included).
    pub window_pairs: u64,
}

impl WindowStats {
    fn add(mut self, o: WindowStats) -> WindowStats {
        self.keys += o.keys;
        self.hot_keys_skipped += o.hot_keys_skipped;
        self.hot_rows_skipped += o.hot_rows_skipped;
        self.window_pairs += o.window_pairs;
        self
    }
}

fn distinct_accounts_exceed(acc: &[u32], cap: usize) -> bool {
    if acc.len() <= cap {
        return false;
    }
    let mut v = acc.to_vec();
    v.sort_unstable();
    v.dedup();
    v.len() > cap
}

/// The window kernel: `lo`/`hi` for the rows of `range` (whole key groups).
fn windows_range(
    ka: &KeyedActions,
    range: Range<usize>,
    window_ms: i64,
    max_key_actors: Option<usize>,
    lo: &mut [u32],
    hi: &mut [u32],
) -> WindowStats {
    let mut st = WindowStats::default();
    let base = range.start;
    let mut g = range.start;
    while g < range.end {
        let e = ka.group_end(g);
        st.keys += 1;
        if max_key_actors.is_some_and(|cap| distinct_accounts_exceed(&ka.account[g..e], cap)) {
            st.hot_keys_skipped += 1;
            st.hot_rows_skipped += (e - g) as u64;
            for p in g..e {
                lo[p - base] = p as u32;
                hi[p - base] = p as u32;
            }
            g = e;
            continue;
        }
        let ts = &ka.ts_ms[g..e];
        let (mut l, mut h) = (0usize, 0usize);
        for (i, &t) in ts.iter().enumerate() {
            // Inclusive at both ends: |t' - t| <= W. Saturating keeps
            // extreme timestamps from overflowing.
            let from = t.saturating_sub(window_ms);
            let to = t.saturating_add(window_ms);
            while ts[l] < from {
                l += 1;
            }
            if h < i + 1 {
                h = i + 1;
            }
            while h < ts.len() && ts[h] <= to {
                h += 1;
            }
            lo[g + i - base] = (g + l) as u32;
            hi[g + i - base] = (g + h) as u32;
            st.window_pairs += (h - l) as u64;
        }
        g = e;
    }
    st
}

/// Computes the window of every row of a sorted batch, in parallel over
/// key-aligned parts.
pub fn windows(ka: &KeyedActions, window_ms: i64, max_key_actors: Option<usize>) -> (Windows, WindowStats) {
    debug_assert!(ka.is_sorted());
    let n = ka.len();
    assert!(n < u32::MAX as usize, "more than 2^32-1 keyed actions in one batch");
    let mut lo = vec![0u32; n];
    let mut hi = vec![0u32; n];
    let parts = ka.split(rayon::current_num_threads() * 4);
    let mut slices = Vec::with_capacity(parts.len());
    let (mut lo_rest, mut hi_rest) = (&mut lo[..], &mut hi[..]);
    for r in &parts {
        let (l, lr) = lo_rest.split_at_mut(r.len());
        let (h, hr) = hi_rest.split_at_mut(r.len());
        slices.push((r.clone(), l, h));
        lo_rest = lr;
        hi_rest = hr;
    }
    let st = slices
        .into_par_iter()
        .map(|(r, l, h)| windows_range(ka, r, window_ms, max_key_actors, l, h))
        .reduce(WindowStats::default, WindowStats::add);
    (Windows { lo, hi }, st)
}

/// Co-action pairs as columns: rows `row_a` (account `a`) and `row_b`
/// (account `b`), `a < b`, acted on `key`, `dt_ms` apart; `ts_ms` is the
/// earlier of the two times.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PairBatch {
    pub a: Vec<u32>,
    pub b: Vec<u32>,
    pub key: Vec<u32>,
    pub dt_ms: Vec<i64>,
    pub ts_ms: Vec<i64>,
    pub row_a: Vec<u32>,
    pub row_b: Vec<u32>,
}

impl PairBatch {
    /// Number of pairs.
    pub fn len(&self) -> usize {
        self.a.len()
    }

    /// Whether there are no pairs.
    pub fn is_empty(&self) -> bool {
        self.a.is_empty()
    }

    fn clear(&mut self) {
        self.a.clear();
        self.b.clear();
        self.key.clear();
        self.dt_ms.clear();
        self.ts_ms.clear();
        self.row_a.clear();
        self.row_b.clear();
    }

    #[allow(clippy::too_many_arguments)]
    fn push(&mut self, a: u32, b: u32, key: u32, dt: i64, ts: i64, row_a: u32, row_b: u32) {
        self.a.push(a);
        self.b.push(b);
        self.key.push(key);
        self.dt_ms.push(dt);
        self.ts_ms.push(ts);
        self.row_a.push(row_a);
        self.row_b.push(row_b);
    }
}

/// The pair kernel: every unordered pair of rows of `range` (whole key
/// groups of a sorted batch) with the same key, different accounts and times
/// at most `window_ms` apart, handed to `sink` in batches of at most
/// `batch_size` pairs. Keys with more distinct accounts than
/// `max_key_actors` are skipped.
pub fn sweep_pairs(
    ka: &KeyedActions,
    range: Range<usize>,
    window_ms: i64,
    max_key_actors: Option<usize>,
    batch_size: usize,
    sink: &mut dyn FnMut(&PairBatch),
) {
    let mut out = PairBatch::default();
    let mut g = range.start;
    while g < range.end {
        let e = ka.group_end(g);
        if !max_key_actors.is_some_and(|cap| distinct_accounts_exceed(&ka.account[g..e], cap)) {
            sweep_key(ka, g..e, e, window_ms, batch_size.max(1), &mut out, sink);
        }
        g = e;
    }
    if !out.is_empty() {
        sink(&out);
    }
}

/// [`sweep_pairs`] over sweep groups of [`sweep_groups`]: the rows of `ka`
/// sorted by `(group, ts, account, row)`, with each row's `group` and
/// `ghost` flag. In each group the own rows come first and its ghosts
/// (copies of the next group's first rows) last; only pairs whose earlier
/// row is the group's own are emitted, so every pair of a key is emitted by
/// exactly one group. One batch is carried across groups, as
/// [`sweep_pairs`] carries it across keys. `max_key_actors` is not checked
/// here: [`sweep_groups`] drops the keys above it whole, which a group,
/// seeing part of its key, cannot decide.
///
/// Errors with the group number if a group has a ghost before an own row
/// (input not sorted as required).
pub fn sweep_group_pairs(
    ka: &KeyedActions,
    group: &[u64],
    ghost: &[bool],
    window_ms: i64,
    batch_size: usize,
    sink: &mut dyn FnMut(&PairBatch),
) -> Result<(), u64> {
    debug_assert!(group.len() == ka.len() && ghost.len() == ka.len());
    let mut out = PairBatch::default();
    let mut g = 0;
    while g < group.len() {
        let e = g + group[g..].partition_point(|&x| x == group[g]);
        let natives = g + ghost[g..e].iter().position(|&x| x).unwrap_or(e - g);
        if ghost[natives..e].contains(&false) {
            return Err(group[g]);
        }
        sweep_key(ka, g..e, natives, window_ms, batch_size.max(1), &mut out, sink);
        g = e;
    }
    if !out.is_empty() {
        sink(&out);
    }
    Ok(())
}

/// The pairs of one key's rows `range` (sorted by time) within the window
/// whose earlier row lies before `outer_end`.
fn sweep_key(
    ka: &KeyedActions,
    range: Range<usize>,
    outer_end: usize,
    window_ms: i64,
    batch_size: usize,
    out: &mut PairBatch,
    sink: &mut dyn FnMut(&PairBatch),
) {
    for i in range.start..outer_end {
        let to = ka.ts_ms[i].saturating_add(window_ms);
        for j in i + 1..range.end {
            if ka.ts_ms[j] > to {
                break;
            }
            let (ai, aj) = (ka.account[i], ka.account[j]);
            if ai == aj {
                continue;
            }
            let dt = ka.ts_ms[j] - ka.ts_ms[i];
            let (a, b, ra, rb) = if ai < aj { (ai, aj, ka.row[i], ka.row[j]) } else { (aj, ai, ka.row[j], ka.row[i]) };
            out.push(a, b, ka.key[i], dt, ka.ts_ms[i], ra, rb);
            if out.len() >= batch_size {
                sink(out);
                out.clear();
            }
        }
    }
}

/// The rows of a sorted batch cut into *sweep groups* for a distributed
/// sweep, so that one hot key is not one task ("salting" by time).
///
/// A key with at most `max_group` rows is one group. A larger key is cut
/// into time buckets of width `B = max(window_ms, ⌈(span + 1) / m⌉, 1)`,
/// `m = ⌈rows / max_group⌉`, counted from the key's first time; each row
/// belongs to its bucket's group and, if it lies less than `window_ms` after
/// its bucket's start, is also copied into the previous bucket's group as a
/// *ghost*. Because `B ≥ window_ms`, two rows at most `window_ms` apart lie
/// in one bucket or in adjacent ones; in the second case the earlier row lies
/// before the later one's bucket start, so the later row lies less than
/// `window_ms` after it and is a ghost of the earlier row's group. So every pair of the key is
/// in at least one group as (own row, any row), and [`sweep_group_pairs`], which
/// emits only pairs whose earlier row is the group's own, emits it exactly
/// once: a ghost's time is at or after the next bucket's start, later than
/// every own row of its group, so ghosts sort last.
///
/// With `max_key_actors`, keys with more distinct accounts than the cap are
/// left out whole, as [`sweep_pairs`] skips them.
///
/// A group is numbered `key << 32 | bucket`; ordering rows by
/// `(group, ts, account, row)` gives each group's rows contiguous and sorted.
/// A time-dense key may keep more than `max_group` rows in one group: a
/// bucket is never narrower than the window.
pub fn sweep_groups(ka: &KeyedActions, window_ms: i64, max_key_actors: Option<usize>, max_group: usize) -> SweepGroups {
    debug_assert!(ka.is_sorted());
    let mut out = SweepGroups::default();
    let max_group = max_group.max(1);
    let window = i128::from(window_ms.max(0));
    let mut g = 0;
    while g < ka.len() {
        let e = ka.group_end(g);
        let key = u64::from(ka.key[g]) << 32;
        if max_key_actors.is_some_and(|cap| distinct_accounts_exceed(&ka.account[g..e], cap)) {
            g = e;
            continue;
        }
        if e - g <= max_group {
            for i in g..e {
                out.push(key, i, false);
            }
            g = e;
            continue;
        }
        let t0 = i128::from(ka.ts_ms[g]);
        let span = i128::from(ka.ts_ms[e - 1]) - t0;
        let m = i128::try_from((e - g).div_ceil(max_group)).unwrap_or(i128::MAX);
        let width = window.max((span + 1 + m - 1) / m).max(1);
        for i in g..e {
            let off = i128::from(ka.ts_ms[i]) - t0;
            let bucket = off / width;
            // Buckets number at most ⌈(span + 1) / width⌉ ≤ m ≤ rows < 2³².
            let b = u64::try_from(bucket).expect("a bucket number fits 32 bits");
            out.push(key | b, i, false);
            if b > 0 && off - bucket * width < window {
                out.push(key | (b - 1), i, true);
            }
        }
        g = e;
    }
    out
}

/// The rows of [`sweep_groups`], one per (group, row of the input); a row
/// is in one group as its own and in at most one more as a ghost.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SweepGroups {
    /// The group, `key << 32 | bucket`.
    pub group: Vec<u64>,
    /// The input row this row copies.
    pub source: Vec<usize>,
    /// Whether the row is a ghost: its group only pairs it with the group's
    /// own, earlier rows.
    pub ghost: Vec<bool>,
}

impl SweepGroups {
    /// Number of rows, ghosts included.
    pub fn len(&self) -> usize {
        self.group.len()
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.group.is_empty()
    }

    fn push(&mut self, group: u64, source: usize, ghost: bool) {
        self.group.push(group);
        self.source.push(source);
        self.ghost.push(ghost);
    }
}

/// The evidence of one shared key: its closest pair of actions. The derived
/// order is the order of preference: closest, then earliest, then by key and
/// rows (a total order, so the choice never depends on partitioning).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Evidence {
    /// The time difference; first in the (derived) order, because the
    /// closest pairs are the strongest evidence.
    pub dt_ms: i64,
    /// The earlier of the two times.
    pub ts_ms: i64,
    /// The shared key (`0` for networks without keys).
    pub key: u32,
    /// The action of account `a`.
    pub row_a: u32,
    /// The action of account `b`.
    pub row_b: u32,
}

/// An undirected edge of the default mode.
#[derive(Clone, Debug, PartialEq)]
pub struct Edge {
    /// Account rank of the first account (`a < b`).
    pub a: u32,
    /// Account rank of the second account.
    pub b: u32,
    /// Distinct shared keys (for networks without keys: co-action pairs).
    pub weight: u32,
    /// Co-action pairs (pairs of actions within the window).
    pub pairs: u64,
    /// The closest pair's time difference.
    pub min_dt_ms: i64,
    /// The median over the shared keys of each key's closest time difference
    /// (over all pairs for networks without keys); the mean of the two
    /// middle values for an even count.
    pub median_dt_ms: f64,
    /// Up to N shared keys, each with its closest pair, best first.
    pub evidence: Vec<Evidence>,
}

/// Builds edges from the per-key best pairs of one account pair: `recs` must
/// be sorted best first.
pub(crate) fn edge_from(a: u32, b: u32, pairs: u64, recs: &[Evidence], evidence_n: usize) -> Edge {
    let n = recs.len();
    // `recs` is sorted by dt first, so the median is read off directly.
    let median =
        if n % 2 == 1 { recs[n / 2].dt_ms as f64 } else { (recs[n / 2 - 1].dt_ms + recs[n / 2].dt_ms) as f64 / 2.0 };
    Edge {
        a,
        b,
        weight: u32::try_from(n).unwrap_or(u32::MAX),
        pairs,
        min_dt_ms: recs[0].dt_ms,
        median_dt_ms: median,
        evidence: recs[..n.min(evidence_n)].to_vec(),
    }
}

/// Partial aggregate of [`PairBatch`]es: per account pair, the pair count and
/// the best pair of each shared key. Partial aggregates of disjoint key
/// partitions merge with [`PairAggregate::merge`].
///
/// Kept as flat rows `(a, b, pairs, evidence)` reduced by sorting, not as
/// nested hash maps: millions of account pairs cost one allocation, not one
/// per pair (the DataFusion operators sweep and merge through this).
#[derive(Clone, Debug, Default)]
pub struct PairAggregate {
    keyed: bool,
    rows: Vec<(u32, u32, u64, Evidence)>,
    /// With `keyed`, the rows are reduced again when they reach this many.
    reduce_at: usize,
}

/// The order rows are reduced in: by account pair, then (keyed) by shared
/// key, packed into one integer so a comparison is one instruction.
fn row_order(r: &(u32, u32, u64, Evidence)) -> u128 {
    (u128::from(r.0) << 64) | (u128::from(r.1) << 32) | u128::from(r.3.key)
}

impl PairAggregate {
    /// An empty aggregate. With `keyed` false every pair counts as its own
    /// key (networks without keys).
    pub fn new(keyed: bool) -> Self {
        PairAggregate { keyed, rows: Vec::new(), reduce_at: 1 << 16 }
    }

    /// Folds one batch in.
    pub fn add(&mut self, batch: &PairBatch) {
        for i in 0..batch.len() {
            let ev = Evidence {
                dt_ms: batch.dt_ms[i],
                ts_ms: batch.ts_ms[i],
                key: if self.keyed { batch.key[i] } else { 0 },
                row_a: batch.row_a[i],
                row_b: batch.row_b[i],
            };
            self.rows.push((batch.a[i], batch.b[i], 1, ev));
        }
        self.maybe_reduce();
    }

    /// Merges the aggregate of another partition of the keys.
    pub fn merge(&mut self, other: PairAggregate) {
        self.rows.extend(other.rows);
        self.maybe_reduce();
    }

    /// Keyed: reduces the rows once they doubled since the last reduction,
    /// so memory follows the distinct (pair, key) rows, not the pairs.
    fn maybe_reduce(&mut self) {
        if self.keyed && self.rows.len() >= self.reduce_at {
            self.reduce();
            self.reduce_at = (2 * self.rows.len()).max(1 << 16);
        }
    }

    /// Keyed: one row per account pair and shared key, carrying the pairs
    /// of its rows and the best evidence; sorted by [`row_order`].
    fn reduce(&mut self) {
        self.rows.sort_unstable_by_key(row_order);
        self.rows.dedup_by(|later, first| {
            let same = (later.0, later.1, later.3.key) == (first.0, first.1, first.3.key);
            if same {
                first.2 += later.2;
                first.3 = first.3.min(later.3);
            }
            same
        });
    }

    /// The aggregate as rows for shipping between executors: one row
    /// `(a, b, pairs, evidence)` per account pair and shared key (per pair of
    /// actions for networks without keys) with that key's best pair and its
    /// co-action pairs. [`PairAggregate::add_partial`] of every row, in any
    /// order and from any number of partitions, equals
    /// [`PairAggregate::merge`]. Keyed: sorted by `(a, b, key)`; without
    /// keys, in no particular order (the merge sorts).
    pub fn into_partials(mut self) -> Vec<(u32, u32, u64, Evidence)> {
        if self.keyed {
            self.reduce();
        }
        self.rows
    }

    /// Folds in one row of [`PairAggregate::into_partials`], exactly as
    /// [`PairAggregate::merge`] folds in one key of another aggregate.
    pub fn add_partial(&mut self, a: u32, b: u32, pairs: u64, ev: Evidence) {
        self.rows.push((a, b, pairs, ev));
        self.maybe_reduce();
    }

    /// The edges with at least `min_weight` shared keys, sorted by `(a, b)`.
    pub fn finish(mut self, min_weight: u32, evidence_n: usize) -> Vec<Edge> {
        if self.keyed {
            self.reduce();
        } else {
            self.rows.sort_unstable_by_key(row_order);
        }
        let min = usize::try_from(min_weight.max(1)).unwrap_or(usize::MAX);
        let mut out = Vec::new();
        let mut recs: Vec<Evidence> = Vec::new();
        for group in self.rows.chunk_by(|x, y| (x.0, x.1) == (y.0, y.1)) {
            if group.len() < min {
                continue;
            }
            let pairs = group.iter().map(|r| r.2).sum();
            recs.clear();
            recs.extend(group.iter().map(|r| r.3));
            recs.sort_unstable();
            out.push(edge_from(group[0].0, group[0].1, pairs, &recs, evidence_n));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn batch(rows: &[(u32, i64, u32)]) -> KeyedActions {
        let mut ka = KeyedActions::default();
        for (i, &(k, t, a)) in rows.iter().enumerate() {
            ka.push(k, t, a, i as u32);
        }
        ka.sort();
        ka
    }

    #[test]
    fn windows_are_inclusive_at_both_edges() {
        // Key 0: times 100, 110, 115, 170, 170.001 (ms precision).
        let ka = batch(&[(0, 100_000, 0), (0, 110_000, 1), (0, 115_000, 1), (0, 170_000, 2), (0, 170_001, 3)]);
        let (w, st) = windows(&ka, 60_000, None);
        let spans: Vec<(u32, u32)> = w.lo.iter().copied().zip(w.hi.iter().copied()).collect();
        assert_eq!(spans, vec![(0, 3), (0, 4), (0, 5), (1, 5), (2, 5)]);
        assert_eq!(st.keys, 1);
    }

    #[test]
    fn reducing_along_the_way_changes_nothing() {
        // Keys 0..5, accounts 0..6, times spread over two windows: many
        // account pairs share several keys with several pairs each.
        let rows: Vec<(u32, i64, u32)> =
            (0..300u32).map(|i| (i % 5, i64::from(i * 37 % 97) * 1_000, i * 7 % 6)).collect();
        let ka = batch(&rows);
        for keyed in [true, false] {
            let (mut eager, mut lazy) = (PairAggregate::new(keyed), PairAggregate::new(keyed));
            eager.reduce_at = 1;
            sweep_pairs(&ka, 0..ka.len(), 60_000, None, 7, &mut |b| {
                eager.add(b);
                eager.reduce_at = 1;
                lazy.add(b);
            });
            assert_eq!(eager.clone().into_partials().len(), lazy.clone().into_partials().len());
            let (e, l) = (eager.finish(1, 3), lazy.finish(1, 3));
            assert!(!e.is_empty());
            assert_eq!(e, l);
        }
    }

    #[test]
    fn split_keeps_key_groups_whole() {
        let ka = batch(&[(0, 1, 0), (0, 2, 0), (0, 3, 0), (1, 1, 0), (2, 1, 0), (2, 2, 0)]);
        for parts in 1..8 {
            let r = ka.split(parts);
            assert_eq!(r.first().map(|r| r.start), Some(0));
            assert_eq!(r.last().map(|r| r.end), Some(6));
            for w in r.windows(2) {
                assert_eq!(w[0].end, w[1].start);
                assert_ne!(ka.key[w[0].end - 1], ka.key[w[1].start]);
            }
        }
    }

    proptest::proptest! {
        /// The sort equals sorting the rows as tuples, whatever their order
        /// and however many share a key or a time.
        #[test]
        fn sort_equals_sorting_tuples(rows in proptest::collection::vec((0u32..6, 0i64..5, 0u32..4, 0u32..50), 0..300)) {
            let mut ka = KeyedActions::default();
            for &(k, t, a, r) in &rows {
                ka.push(k, t, a, r);
            }
            ka.sort();
            let mut want = rows.clone();
            want.sort_unstable();
            let got: Vec<(u32, i64, u32, u32)> = (0..ka.len()).map(|i| (ka.key[i], ka.ts_ms[i], ka.account[i], ka.row[i])).collect();
            proptest::prop_assert_eq!(got, want);
            proptest::prop_assert!(ka.is_sorted());
            // Exactly sized columns (a vector's least capacity is 4).
            proptest::prop_assert!(ka.heap_bytes() <= rows.len().max(4) * 20);
        }
    }

    #[test]
    fn hot_keys_are_skipped() {
        let ka = batch(&[(0, 1, 0), (0, 2, 1), (0, 3, 2), (1, 1, 0), (1, 2, 1)]);
        let (w, st) = windows(&ka, 10, Some(2));
        assert_eq!(st.hot_keys_skipped, 1);
        assert_eq!(st.hot_rows_skipped, 3);
        assert!((0..3).all(|p| w.lo[p] == w.hi[p]));
        assert_eq!((w.lo[3], w.hi[3]), (3, 5));
    }
}
