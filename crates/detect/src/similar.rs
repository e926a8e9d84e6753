//! Near-duplicate texts: an exact Jaccard similarity join within a sliding
//! time window.
//!
//! The toolkit scores every pair of messages within the window with a
//! Python function. Here the result is the same — Jaccard `|A∩B| / |A∪B|`
//! computed as an IEEE double and compared `≥ t` — but candidates come from
//! an inverted index with **prefix filtering** (the AllPairs / PPJoin
//! family):
//!
//! * Token ids are ranked by ascending frequency over the records, and every
//!   set is stored sorted by rank, so a set's *prefix* holds its rarest
//!   tokens.
//! * Two sets with Jaccard ≥ t share at least one token in their prefixes of
//!   length `|x| − α(|x|) + 1`, where `α(n)` is the least overlap `o` with
//!   `o / n ≥ t` — computed here in the same floating-point arithmetic as
//!   the final test (not as `⌈t·n⌉`, which rounds wrongly for e.g.
//!   `0.6 × 5`), so the filter can never drop a pair the exact test accepts.
//! * **Length filter**: a pair can only reach `t` if `min/max ≥ t`.
//! * **Positional filter** (PPJoin): postings keep each token's position, so
//!   a candidate whose overlap so far plus the tokens left after the match
//!   cannot reach `t·(|x|+|y|)/(1+t)` is dropped before verification (2.4×
//!   fewer candidates on dense generated data, same matches).
//! * The index holds only the records of the last W: records arrive in time
//!   order, and postings older than `t − W` are skipped from the front as
//!   lists are probed.
//!
//! Every candidate is then verified exactly. Parallelism: the time-sorted
//! records are cut into parts; a part first indexes the records of the W
//! before it (its halo) without probing, then probes and indexes its own —
//! each pair is found exactly once, by its later record.
//!
//! [`join_components`] answers what `scan` asks — the connected components
//! of the matches (near-duplicate bursts) — without listing the pairs: on
//! 6.5 M texts of generated data it links 4.5 M pairs after 64 M
//! verifications, where [`join`] lists 102 M matches out of 657 M
//! candidates (54 s → 12 s on 2 cores). Same components, proved in its doc
//! and property-tested against [`join_brute_force`].

use crate::text::{TokenScratch, for_each_cnt_token, for_each_word_token};
use rayon::prelude::*;
use rustc_hash::FxHashMap;
use swarmscan_model::{Interner, Sym};

/// Token sets, one per document, each sorted ascending (by rank once
/// [`TokenSets::rank_by_frequency`] has run).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TokenSets {
    offsets: Vec<usize>,
    tokens: Vec<u32>,
}

impl TokenSets {
    /// Number of documents.
    pub fn len(&self) -> usize {
        self.offsets.len().saturating_sub(1)
    }

    /// Whether there are no documents.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Heap bytes held.
    pub fn heap_bytes(&self) -> usize {
        self.offsets.capacity() * std::mem::size_of::<usize>() + self.tokens.capacity() * 4
    }

    /// Document `d`'s tokens.
    #[inline]
    pub fn get(&self, d: usize) -> &[u32] {
        &self.tokens[self.offsets[d]..self.offsets[d + 1]]
    }

    /// Builds sets from explicit token id lists (each is sorted and
    /// deduplicated).
    pub fn from_lists(lists: &[Vec<u32>]) -> TokenSets {
        let mut s = TokenSets { offsets: vec![0], tokens: Vec::new() };
        for l in lists {
            let mut l = l.clone();
            l.sort_unstable();
            l.dedup();
            s.tokens.extend_from_slice(&l);
            s.offsets.push(s.tokens.len());
        }
        s
    }

    /// Tokenises `texts` in parallel, as the toolkit does
    /// ([`crate::text::cnt_tokens`]) when `toolkit`, else with standard word
    /// boundaries ([`crate::text::word_tokens`]); token ids number the
    /// distinct token strings.
    pub fn tokenize(texts: &[&str], toolkit: bool) -> TokenSets {
        let chunk = texts.len().div_ceil(rayon::current_num_threads() * 4).max(1024);
        let parts: Vec<(Interner, Vec<usize>, Vec<u32>)> = texts
            .par_chunks(chunk)
            .map(|part| {
                let mut vocab = Interner::new();
                let mut offsets = Vec::with_capacity(part.len());
                let mut tokens = Vec::new();
                let mut scratch = TokenScratch::default();
                for t in part {
                    let start = tokens.len();
                    if toolkit {
                        for_each_cnt_token(t, &mut scratch, |s| tokens.push(vocab.intern(s).0));
                    } else {
                        for_each_word_token(t, &mut scratch, |s| tokens.push(vocab.intern(s).0));
                    }
                    tokens[start..].sort_unstable();
                    let mut w = start;
                    for i in start..tokens.len() {
                        if i == start || tokens[i] != tokens[w - 1] {
                            tokens[w] = tokens[i];
                            w += 1;
                        }
                    }
                    tokens.truncate(w);
                    offsets.push(tokens.len());
                }
                (vocab, offsets, tokens)
            })
            .collect();
        let mut vocab = Interner::new();
        let maps: Vec<Vec<Sym>> = parts.iter().map(|(v, _, _)| vocab.absorb(v)).collect();
        let mut sets = TokenSets { offsets: Vec::with_capacity(texts.len() + 1), tokens: Vec::new() };
        sets.offsets.push(0);
        for (_, offsets, _) in &parts {
            let base = *sets.offsets.last().expect("starts with 0");
            sets.offsets.extend(offsets.iter().map(|&end| base + end));
        }
        // Each part's sets renumbered and re-sorted in parallel, into its own
        // slice of the tokens.
        sets.tokens = vec![0; *sets.offsets.last().expect("starts with 0")];
        let mut slices = Vec::with_capacity(parts.len());
        let mut rest = &mut sets.tokens[..];
        for (_, _, tokens) in &parts {
            let (a, b) = rest.split_at_mut(tokens.len());
            slices.push(a);
            rest = b;
        }
        parts.par_iter().zip(maps).zip(slices).for_each(|(((_, offsets, tokens), map), out)| {
            let mut start = 0;
            for &end in offsets {
                for (o, &t) in out[start..end].iter_mut().zip(&tokens[start..end]) {
                    *o = map[t as usize].0;
                }
                out[start..end].sort_unstable();
                start = end;
            }
        });
        sets
    }

    /// Renumbers tokens by ascending frequency over `docs` (a document may
    /// be listed several times), ties by old id, and re-sorts every set.
    pub fn rank_by_frequency(&mut self, docs: &[u32]) {
        let vocab = self.tokens.iter().copied().max().map_or(0, |m| m as usize + 1);
        // Counted in parallel, one count vector a part (at most 2^24 counts
        // in all, so a large vocabulary takes fewer parts), then summed.
        let parts = rayon::current_num_threads().min(docs.len().div_ceil(1 << 16)).min((1 << 24) / vocab.max(1)).max(1);
        let freq = docs
            .par_chunks(docs.len().div_ceil(parts).max(1))
            .map(|part| {
                let mut f = vec![0u64; vocab];
                for &d in part {
                    for &t in self.get(d as usize) {
                        f[t as usize] += 1;
                    }
                }
                f
            })
            .reduce_with(|mut a, b| {
                a.iter_mut().zip(b).for_each(|(x, y)| *x += y);
                a
            })
            .unwrap_or_else(|| vec![0; vocab]);
        let mut order: Vec<u32> = (0..vocab as u32).collect();
        order.sort_unstable_by_key(|&t| (freq[t as usize], t));
        let mut rank = vec![0u32; vocab];
        for (r, &t) in order.iter().enumerate() {
            rank[t as usize] = r as u32;
        }
        let offsets = &self.offsets;
        let mut parts: Vec<&mut [u32]> = Vec::with_capacity(self.len());
        let mut rest = &mut self.tokens[..];
        for d in 0..offsets.len().saturating_sub(1) {
            let (a, b) = rest.split_at_mut(offsets[d + 1] - offsets[d]);
            parts.push(a);
            rest = b;
        }
        parts.into_par_iter().for_each(|s| {
            for t in s.iter_mut() {
                *t = rank[*t as usize];
            }
            s.sort_unstable();
        });
    }
}

/// `|a ∩ b|` of two ascending lists.
#[inline]
pub fn overlap(a: &[u32], b: &[u32]) -> usize {
    let (mut i, mut j, mut o) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                o += 1;
                i += 1;
                j += 1;
            }
        }
    }
    o
}

/// `|a ∩ b|` of two ascending lists, or `None` as soon as it cannot reach
/// `least`.
#[inline]
fn overlap_reaching(a: &[u32], b: &[u32], least: usize) -> Option<usize> {
    let (mut i, mut j, mut o) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        if o + (a.len() - i).min(b.len() - j) < least {
            return None;
        }
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                o += 1;
                i += 1;
                j += 1;
            }
        }
    }
    Some(o)
}

/// The toolkit's similarity (`MinDocSizeSimilarity` for `min_doc > 0`,
/// plain Jaccard for 0): `0` when a set has fewer than `min_doc` tokens, else
/// `|a∩b| / |a∪b|` as a double. Two empty sets with `min_doc` 0 give NaN
/// (the toolkit raises `ZeroDivisionError` there); NaN matches nothing.
#[inline]
pub fn cnt_similarity(a: &[u32], b: &[u32], min_doc: usize) -> f64 {
    if min_doc > 0 && (a.len() < min_doc || b.len() < min_doc) {
        return 0.0;
    }
    let o = overlap(a, b);
    o as f64 / (a.len() + b.len() - o) as f64
}

/// The least overlap `o` with `o / n ≥ t` in floating point (`n + 1` if
/// none); `t > 0`.
fn min_overlap(n: usize, t: f64) -> usize {
    let nf = n as f64;
    let mut o = ((t * nf).floor() as usize).saturating_sub(1);
    while o <= n && (o as f64 / nf) < t {
        o += 1;
    }
    o
}

/// The records of one co_similar run: sorted by time, each with its
/// document.
#[derive(Clone, Copy, Debug)]
pub struct JoinInput<'a> {
    /// Times, ascending.
    pub ts_ms: &'a [i64],
    /// Document of each record, an index into `sets`.
    pub doc: &'a [u32],
    pub sets: &'a TokenSets,
    pub window_ms: i64,
    /// The threshold `t`: pairs with similarity `≥ t` match.
    pub threshold: f64,
    /// Sets with fewer tokens have similarity 0.
    pub min_doc: usize,
}

impl JoinInput<'_> {
    /// Similarity of records `x` and `y`.
    pub fn similarity(&self, x: usize, y: usize) -> f64 {
        cnt_similarity(self.sets.get(self.doc[x] as usize), self.sets.get(self.doc[y] as usize), self.min_doc)
    }
}

/// Counts of one join.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct JoinStats {
    /// Candidate pairs verified.
    pub candidates: u64,
    /// Pairs that matched.
    pub matches: u64,
}

/// Every pair `(x, y)`, `y < x`, of records within the window whose
/// similarity is `≥ t`, by brute force over the window. The reference for
/// tests, and the method when `t ≤ 0` (where every pair matches anyway).
pub fn join_brute_force(inp: &JoinInput<'_>) -> Vec<(u32, u32)> {
    let n = inp.ts_ms.len();
    let mut out = Vec::new();
    let mut lo = 0;
    for x in 0..n {
        while inp.ts_ms[lo] < inp.ts_ms[x].saturating_sub(inp.window_ms) {
            lo += 1;
        }
        for y in lo..x {
            if inp.similarity(x, y) >= inp.threshold {
                out.push((x as u32, y as u32));
            }
        }
    }
    out
}

#[derive(Default)]
struct Posting {
    start: usize,
    /// (record, position of the token in the record's sorted set, the
    /// set's size): the size rides along so probing touches no other memory.
    list: Vec<(u32, u32, u32)>,
}

/// A lower bound of the least overlap two sets of `nx` and `ny` tokens need
/// for Jaccard `≥ t`: `o / (nx + ny − o) ≥ t ⟺ o ≥ t·(nx + ny) / (1 + t)`,
/// less a little so that rounding can only make the filter looser.
fn pair_min_overlap(nx: usize, ny: usize, t: f64) -> u32 {
    ((t * (nx + ny) as f64 / (1.0 + t)) - 1e-7).ceil().max(1.0) as u32
}

/// Marks a candidate that the positional filter has ruled out for the
/// record being probed.
const PRUNED: u32 = u32::MAX;

/// The indexed join of records `start..end`, with the halo `halo..start`
/// indexed first.
///
/// **Positional filter** (PPJoin): tokens are probed in rank order, so when
/// `x`'s token at position `i` meets `y`'s at position `j`, the overlap found
/// so far is exact up to there and at most `min(|x| − i, |y| − j) − 1` more
/// tokens can follow; a candidate that can no longer reach the pair's least
/// overlap is dropped before verification.
fn join_part(inp: &JoinInput<'_>, halo: usize, start: usize, end: usize, out: &mut Vec<(u32, u32)>) -> JoinStats {
    let t = inp.threshold;
    let min_size = inp.min_doc.max(1);
    let mut index: FxHashMap<u32, Posting> = FxHashMap::default();
    // Overlap found so far per candidate of the probing record (0 = none).
    let mut found = vec![0u32; end - halo];
    let mut cands: Vec<u32> = Vec::new();
    let mut st = JoinStats::default();
    let prefix_len = |n: usize| (n + 1).saturating_sub(min_overlap(n, t));
    for x in halo..end {
        let sx = inp.sets.get(inp.doc[x] as usize);
        let nx = sx.len();
        if nx < min_size {
            continue;
        }
        let px = prefix_len(nx);
        if x >= start {
            let from = inp.ts_ms[x].saturating_sub(inp.window_ms);
            for (i, tok) in sx[..px].iter().enumerate() {
                let Some(post) = index.get_mut(tok) else { continue };
                while post.start < post.list.len() && inp.ts_ms[post.list[post.start].0 as usize] < from {
                    post.start += 1;
                }
                for &(y, j, ny) in &post.list[post.start..] {
                    let slot = &mut found[y as usize - halo];
                    if *slot == PRUNED {
                        continue;
                    }
                    let ny = ny as usize;
                    if *slot == 0 {
                        if (nx.min(ny) as f64 / nx.max(ny) as f64) < t {
                            *slot = PRUNED;
                            cands.push(y);
                            continue;
                        }
                        cands.push(y);
                    }
                    let rest = (nx - i - 1).min(ny - j as usize - 1) as u32;
                    if *slot + 1 + rest < pair_min_overlap(nx, ny, t) {
                        *slot = PRUNED;
                    } else {
                        *slot += 1;
                    }
                }
            }
            for &y in &cands {
                let slot = std::mem::take(&mut found[y as usize - halo]);
                if slot == PRUNED {
                    continue;
                }
                let sy = inp.sets.get(inp.doc[y as usize] as usize);
                let ny = sy.len();
                st.candidates += 1;
                let o = overlap(sx, sy);
                if o as f64 / (nx + ny - o) as f64 >= t {
                    st.matches += 1;
                    out.push((x as u32, y));
                }
            }
            cands.clear();
        }
        for (i, &tok) in sx[..px].iter().enumerate() {
            index.entry(tok).or_default().list.push((x as u32, i as u32, nx as u32));
        }
    }
    st
}

/// Every pair `(x, y)`, `y < x`, of records within the window whose
/// similarity is `≥ t`: exactly the pairs of [`join_brute_force`], in
/// ascending order.
pub fn join(inp: &JoinInput<'_>) -> (Vec<(u32, u32)>, JoinStats) {
    let n = inp.ts_ms.len();
    let t = inp.threshold;
    if n == 0 || t.is_nan() || t > 1.0 {
        return (Vec::new(), JoinStats::default());
    }
    if t <= 0.0 {
        let mut v = join_brute_force(inp);
        v.sort_unstable();
        let m = v.len() as u64;
        return (v, JoinStats { candidates: m, matches: m });
    }
    in_parts(inp, part_count(n, rayon::current_num_threads(), MIN_PART_RECORDS, PART_RECORDS), |h, s, e, out| {
        let st = join_part(inp, h, s, e, out);
        out.sort_unstable();
        st
    })
}

/// Records of one parallel part at most, where the input has more than
/// four parts a thread of them. A part's index, instances and token arena
/// grow with its records and are never pruned within the part, so a fixed
/// number of parts made the join's memory grow with the input. With at
/// most 2^20 records a part holds a few hundred MB; its halo (the window
/// before it, indexed without probing) stays a small share of it unless a
/// window holds more than that. Measured at 30 M generated events: the
/// join's memory above its input 0.47 → 0.30 GB, same time, same bursts.
const PART_RECORDS: usize = 1 << 20;

/// Records of one parallel part at least (smaller inputs run in fewer
/// parts).
const MIN_PART_RECORDS: usize = 4096;

/// How many parallel parts a join of `n` records runs in: four a thread,
/// more where a part would hold more than `max_records`, fewer where one
/// would hold less than `min_records`.
fn part_count(n: usize, threads: usize, min_records: usize, max_records: usize) -> usize {
    (threads * 4).max(n.div_ceil(max_records)).clamp(1, n.div_ceil(min_records).max(1))
}

/// Runs `part(halo, start, end, out)` on `parts` time-ordered parallel parts (each
/// with the records of the window before it as its halo) and concatenates
/// their outputs in part order, summing their statistics.
fn in_parts(
    inp: &JoinInput<'_>,
    parts: usize,
    part: impl Fn(usize, usize, usize, &mut Vec<(u32, u32)>) -> JoinStats + Sync,
) -> (Vec<(u32, u32)>, JoinStats) {
    let res: Vec<(Vec<(u32, u32)>, JoinStats)> = part_bounds(inp, parts)
        .into_par_iter()
        .map(|(h, s, e)| {
            let mut out = Vec::new();
            let st = part(h, s, e, &mut out);
            (out, st)
        })
        .collect();
    let mut st = JoinStats::default();
    let mut all = Vec::with_capacity(res.iter().map(|r| r.0.len()).sum());
    for (v, s) in res {
        st.candidates += s.candidates;
        st.matches += s.matches;
        all.extend(v);
    }
    (all, st)
}

/// Union-find over record indices where the smaller root always wins, so a
/// component's root is its smallest member whatever order the unions come
/// in.
struct MinRootForest {
    parent: Vec<u32>,
}

impl MinRootForest {
    fn new(n: usize) -> MinRootForest {
        MinRootForest { parent: (0..n as u32).collect() }
    }

    #[inline]
    fn find(&mut self, mut x: u32) -> u32 {
        while self.parent[x as usize] != x {
            let g = self.parent[self.parent[x as usize] as usize];
            self.parent[x as usize] = g;
            x = g;
        }
        x
    }

    /// Joins the components of `x` and `y`; false if they were one already.
    #[inline]
    fn union(&mut self, x: u32, y: u32) -> bool {
        let (rx, ry) = (self.find(x), self.find(y));
        if rx == ry {
            return false;
        }
        let (lo, hi) = if rx < ry { (rx, ry) } else { (ry, rx) };
        self.parent[hi as usize] = lo;
        true
    }
}

/// One stretch of occurrences of a document in [`components_part`]: its
/// occurrences in time order while no two consecutive ones are more than
/// the window apart. Numbered in the order they start, so the ones inside
/// the window lie close together in memory.
#[derive(Clone, Copy, Default)]
struct Instance {
    /// Record of the latest occurrence (its time is in the part's `latest`,
    /// apart, so that the window checks of the posting lists read 8 bytes an
    /// instance).
    last: u32,
    /// The set: `arena[start..start + size]`, its prefix length and the
    /// prefix's last token.
    start: u32,
    size: u32,
    prefix: u32,
    prefix_last: u32,
}

/// An instance's entry in one token's posting list of [`components_part`].
#[derive(Clone, Copy)]
struct InstPosting {
    inst: u32,
    /// Position of the token in the instance's set, and the set's size.
    pos: u32,
    size: u32,
    /// When the instance started, in ms after the part's first record
    /// (`u32::MAX`: that or later): an instance that started inside the
    /// window is inside it without a look at its latest occurrence.
    start: u32,
}

/// `need[ny]` for sets of `nx` tokens: the least overlap with a set of `ny`
/// tokens ([`pair_min_overlap`]), or [`PRUNED`] where the length filter
/// rules `ny` out. Covers every `ny ≤ max_size` the length filter lets
/// through.
fn need_table(nx: usize, t: f64, max_size: usize) -> Vec<u32> {
    let hi = ((nx as f64 / t).ceil() as usize).saturating_add(2).min(max_size);
    (0..=hi)
        .map(
            |ny| {
                if ny == 0 || (nx.min(ny) as f64 / nx.max(ny) as f64) < t {
                    PRUNED
                } else {
                    pair_min_overlap(nx, ny, t)
                }
            },
        )
        .collect()
}

/// A probe's overlap count per instance in [`components_part`]: `0` (not
/// a candidate yet), a count, or pruned. One byte where every set of the
/// part has fewer than 255 tokens (a count never exceeds a set's size), so
/// that the counts of a part's instances stay in a core's cache while the
/// posting lists are read; four bytes otherwise.
trait Found: Copy + Default {
    /// The count as the join reads it ([`PRUNED`] for pruned).
    fn get(self) -> u32;
    /// `v` (a count below the type's pruned value, or [`PRUNED`]).
    fn set(v: u32) -> Self;
}

impl Found for u8 {
    #[inline]
    fn get(self) -> u32 {
        if self == u8::MAX { PRUNED } else { u32::from(self) }
    }
    #[inline]
    fn set(v: u32) -> u8 {
        if v == PRUNED { u8::MAX } else { v as u8 }
    }
}

impl Found for u32 {
    #[inline]
    fn get(self) -> u32 {
        self
    }
    #[inline]
    fn set(v: u32) -> u32 {
        v
    }
}

/// The links (matching pairs) of a spanning forest of the similarity graph
/// of records `start..end`, records `halo..start` indexed first without
/// probing; see [`join_components`] for why they suffice.
fn components_part(
    inp: &JoinInput<'_>,
    halo: usize,
    start: usize,
    end: usize,
    links: &mut Vec<(u32, u32)>,
) -> JoinStats {
    let max_size = inp.doc[halo..end].iter().map(|&d| inp.sets.get(d as usize).len()).max().unwrap_or(0);
    if max_size < usize::from(u8::MAX) {
        components_part_with::<u8>(inp, halo, start, end, max_size, links)
    } else {
        components_part_with::<u32>(inp, halo, start, end, max_size, links)
    }
}

/// [`components_part`] with the overlap counts held as `F`; `max_size` is
/// the largest set of records `halo..end`.
fn components_part_with<F: Found>(
    inp: &JoinInput<'_>,
    halo: usize,
    start: usize,
    end: usize,
    max_size: usize,
    links: &mut Vec<(u32, u32)>,
) -> JoinStats {
    let t = inp.threshold;
    let min_size = inp.min_doc.max(1);
    let base = inp.ts_ms[halo];
    let mut index: FxHashMap<u32, Vec<InstPosting>> = FxHashMap::default();
    let mut current = vec![u32::MAX; inp.sets.len()];
    let mut inst: Vec<Instance> = Vec::new();
    // Per instance: the time of its latest occurrence.
    let mut latest: Vec<i64> = Vec::new();
    // Per instance: overlap found so far while probing (0 = not a
    // candidate yet); apart from `inst` to keep the probe loop's memory
    // small.
    let mut found: Vec<F> = Vec::new();
    let mut arena: Vec<u32> = Vec::new();
    let mut need: Vec<Vec<u32>> = Vec::new();
    let mut forest = MinRootForest::new(end - halo);
    let mut cands: Vec<u32> = Vec::new();
    let mut st = JoinStats::default();
    let prefix_len = |n: usize| (n + 1).saturating_sub(min_overlap(n, t));
    for x in halo..end {
        let d = inp.doc[x] as usize;
        let sx = inp.sets.get(d);
        let nx = sx.len();
        if nx < min_size {
            continue;
        }
        let tx = inp.ts_ms[x];
        let from = tx.saturating_sub(inp.window_ms);
        let cur_i = current[d] as usize;
        if let Some(cur) = inst.get_mut(cur_i).filter(|_| latest[cur_i] >= from) {
            // The same text within the window: x joins its latest
            // occurrence, which already holds every match x could add.
            if x >= start {
                forest.union((x - halo) as u32, cur.last - halo as u32);
                links.push((x as u32, cur.last));
            }
            latest[cur_i] = tx;
            cur.last = x as u32;
            continue;
        }
        let px = prefix_len(nx);
        if x >= start {
            if need.len() <= nx {
                need.resize(nx + 1, Vec::new());
            }
            if need[nx].is_empty() {
                need[nx] = need_table(nx, t, max_size);
            }
            let need = &need[nx];
            let lx = (x - halo) as u32;
            // Entries that started at or after `from` are inside the window
            // without looking at their instance.
            let fresh_from = u32::try_from(from.saturating_sub(base).max(0)).unwrap_or(u32::MAX);
            for (i, tok) in sx[..px].iter().enumerate() {
                let Some(list) = index.get_mut(tok) else { continue };
                // Instances out of the window are dropped while the list is
                // read: they never come back (a recurring text starts a new
                // instance).
                let mut keep = 0;
                for r in 0..list.len() {
                    let p = list[r];
                    let unsure = p.start < fresh_from || p.start == u32::MAX;
                    if unsure && latest[p.inst as usize] < from {
                        continue;
                    }
                    // Written back only behind a dropped entry: a list
                    // that loses nothing is only read.
                    if keep != r {
                        list[keep] = p;
                    }
                    keep += 1;
                    let f = found[p.inst as usize].get();
                    if f == PRUNED {
                        continue;
                    }
                    let (j, ny) = (p.pos as usize, p.size as usize);
                    let rest = (nx - i - 1).min(ny - j - 1) as u32;
                    if f + 1 + rest < need.get(ny).copied().unwrap_or(PRUNED) {
                        // Tokens come in rank order in both sets, so `rest`
                        // only shrinks at later positions: a candidate that
                        // cannot reach the least overlap now never will.
                        if f > 0 {
                            found[p.inst as usize] = F::set(PRUNED);
                        }
                        continue;
                    }
                    if f == 0 {
                        cands.push(p.inst);
                    }
                    found[p.inst as usize] = F::set(f + 1);
                }
                list.truncate(keep);
            }
            let x_last = sx[px - 1];
            for &e in &cands {
                let found = std::mem::take(&mut found[e as usize]).get();
                if found == PRUNED {
                    continue;
                }
                // `found` is |x's prefix ∩ y's prefix|. The prefix that ends
                // on the smaller token holds every token of the two sets'
                // intersection up to it, so what is left to find lies after
                // it (PPJoin's verification bound).
                let es = &inst[e as usize];
                let (ny, py) = (es.size as usize, es.prefix as usize);
                let left = match x_last.cmp(&es.prefix_last) {
                    std::cmp::Ordering::Less => nx - px,
                    std::cmp::Ordering::Greater => ny - py,
                    std::cmp::Ordering::Equal => (nx - px).min(ny - py),
                };
                if found + (left as u32) < need[ny] {
                    continue;
                }
                let es = &inst[e as usize];
                let y = es.last;
                let ly = y - halo as u32;
                if forest.find(lx) == forest.find(ly) {
                    continue;
                }
                let sy = &arena[es.start as usize..es.start as usize + ny];
                st.candidates += 1;
                let Some(o) = overlap_reaching(sx, sy, need[ny] as usize) else { continue };
                if o as f64 / (nx + ny - o) as f64 >= t {
                    st.matches += 1;
                    forest.union(lx, ly);
                    links.push((x as u32, y));
                }
            }
            cands.clear();
        }
        let e = inst.len() as u32;
        current[d] = e;
        found.push(F::default());
        latest.push(tx);
        inst.push(Instance {
            last: x as u32,
            start: arena.len() as u32,
            size: nx as u32,
            prefix: px as u32,
            prefix_last: sx[px - 1],
        });
        arena.extend_from_slice(sx);
        let started = u32::try_from(tx - base).unwrap_or(u32::MAX);
        for (i, &tok) in sx[..px].iter().enumerate() {
            index.entry(tok).or_default().push(InstPosting { inst: e, pos: i as u32, size: nx as u32, start: started });
        }
    }
    st
}

/// The connected components of the similarity graph — records linked by
/// the pairs of [`join`] — without listing its pairs: each record's
/// component as its smallest record, `u32::MAX` for records that match
/// nothing. [`JoinStats`] counts the verifications that were still needed.
///
/// Near-duplicate bursts are dense (a text posted by hundreds of accounts
/// within minutes), so listing pairs costs far more than the components
/// need. Records are taken in time order and every component is kept exact
/// over the records taken so far; a new record `x` only has to be linked to
/// one record of each component it has a match in:
///
/// * If `x`'s document already occurred within the window, at `y` (its
///   latest occurrence), linking `x` to `y` is enough: any earlier `z`
///   similar to `x` within the window is also within the window of `y` and
///   just as similar to it (same set), so `z` and `y` are linked already —
///   by `y`'s own probe if `z` came first, by `z`'s if it came later. Such a
///   record is not probed at all.
/// * Otherwise `x` probes the index, which holds documents, each with its
///   latest occurrence: the latest is within the window whenever any is,
///   and all its occurrences within the window are linked to it (above).
///   The prefix, length and positional filters are those of [`join`].
///   A candidate whose latest occurrence is already in `x`'s component is
///   not verified.
///
/// Every link is a matching pair, so no component is too large; every
/// matching pair is connected, so none is too small (property-tested
/// against [`join_brute_force`]). Parallel parts with halos as in [`join`];
/// each returns the links it made, merged into one forest at the end.
pub fn join_components(inp: &JoinInput<'_>) -> (Vec<u32>, JoinStats) {
    let parts = part_count(inp.ts_ms.len(), rayon::current_num_threads(), MIN_PART_RECORDS, PART_RECORDS);
    join_components_in(inp, parts)
}

/// [`join_components`] in `parts` parallel parts.
fn join_components_in(inp: &JoinInput<'_>, parts: usize) -> (Vec<u32>, JoinStats) {
    let n = inp.ts_ms.len();
    let t = inp.threshold;
    let (edges, st) = if t > 0.0 && t <= 1.0 {
        in_parts(inp, parts, |h, s, e, out| components_part(inp, h, s, e, out))
    } else {
        join(inp)
    };
    let mut forest = MinRootForest::new(n);
    let mut linked = vec![false; n];
    for &(x, y) in &edges {
        linked[x as usize] = true;
        linked[y as usize] = true;
        forest.union(x, y);
    }
    let comp = (0..n as u32).map(|x| if linked[x as usize] { forest.find(x) } else { u32::MAX }).collect();
    (comp, st)
}

/// `(halo, start, end)` of `parts` time-ordered parts: each part's halo
/// starts at the first record within the window of its first record.
fn part_bounds(inp: &JoinInput<'_>, parts: usize) -> Vec<(usize, usize, usize)> {
    let n = inp.ts_ms.len();
    (0..parts)
        .map(|i| {
            let (s, e) = (n * i / parts, n * (i + 1) / parts);
            let from = if s < n { inp.ts_ms[s].saturating_sub(inp.window_ms) } else { 0 };
            (inp.ts_ms[..s].partition_point(|&x| x < from), s, e)
        })
        .filter(|b| b.1 < b.2)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn min_overlap_is_exact_in_floating_point() {
        // 0.6 * 5 = 3.0000000000000004, but 3/5 = 0.6 >= 0.6.
        assert_eq!(min_overlap(5, 0.6), 3);
        assert_eq!(min_overlap(10, 0.8), 8);
        assert_eq!(min_overlap(3, 0.5), 2);
        assert_eq!(min_overlap(1, 1.0), 1);
        for n in 1..200 {
            for t in [0.1, 0.3, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 1.0] {
                let o = min_overlap(n, t);
                assert!(o > n || o as f64 / n as f64 >= t);
                assert!(o == 0 || ((o - 1) as f64 / n as f64) < t);
            }
        }
    }

    /// What [`join_components`] must return, from [`join_brute_force`]'s
    /// pairs: each paired record's smallest-root component, `u32::MAX` for
    /// the others.
    fn brute_components(inp: &JoinInput<'_>) -> Vec<u32> {
        let n = inp.ts_ms.len();
        let mut forest = MinRootForest::new(n);
        let mut paired = vec![false; n];
        for (x, y) in join_brute_force(inp) {
            forest.union(x, y);
            paired[x as usize] = true;
            paired[y as usize] = true;
        }
        (0..n as u32).map(|x| if paired[x as usize] { forest.find(x) } else { u32::MAX }).collect()
    }

    /// Components over times further apart than a `u32` of milliseconds
    /// (where posting entries saturate their start) equal brute force.
    #[test]
    fn components_over_long_spans_equal_brute_force() {
        let sets = TokenSets::from_lists(&[vec![1, 2, 3], vec![1, 2, 3, 4], vec![5, 6]]);
        let day = 86_400_000i64;
        let ts: Vec<i64> =
            vec![0, 5, 60 * day, 60 * day + 3, 60 * day + 20, 61 * day, 120 * day, 120 * day + 9, 200 * day];
        let doc = vec![0, 1, 0, 2, 1, 1, 1, 0, 0];
        for w in [0, 10, 30, day] {
            let inp = JoinInput { ts_ms: &ts, doc: &doc, sets: &sets, window_ms: w, threshold: 0.7, min_doc: 1 };
            let want = brute_components(&inp);
            assert_eq!(join_components(&inp).0, want, "window {w}");
            // One part, halo-free, as the parallel split would not make.
            let mut links = Vec::new();
            components_part(&inp, 0, 0, ts.len(), &mut links);
            let mut forest = MinRootForest::new(ts.len());
            for &(x, y) in &links {
                forest.union(x, y);
            }
            for x in 0..ts.len() as u32 {
                if want[x as usize] != u32::MAX {
                    assert_eq!(forest.find(x), want[x as usize], "window {w}, record {x}");
                }
            }
        }
    }

    /// A small deterministic generator (xorshift64) for test data.
    fn xorshift(mut state: u64) -> impl FnMut() -> u64 {
        move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        }
    }

    /// More parts than threads (as large inputs get, [`PART_RECORDS`] each)
    /// give the same components as brute force: parts of 200 to 6,000
    /// records over 6,000, with halos of up to a few hundred.
    #[test]
    fn components_in_many_parts_equal_brute_force() {
        let mut next = xorshift(0x2545_f491_4f6c_dd1d);
        let lists: Vec<Vec<u32>> =
            (0..60).map(|_| (0..(1 + next() % 6)).map(|_| (next() % 12) as u32).collect()).collect();
        let mut sets = TokenSets::from_lists(&lists);
        let mut ts: Vec<i64> = (0..6_000).map(|_| (next() % 60_000) as i64).collect();
        ts.sort_unstable();
        let doc: Vec<u32> = (0..ts.len()).map(|_| (next() % 60) as u32).collect();
        sets.rank_by_frequency(&doc);
        assert_eq!(part_count(6_000, 2, 64, 200), 30);
        assert_eq!(part_count(6_000, 2, 4096, PART_RECORDS), 2);
        assert_eq!(part_count(100_000_000, 2, 4096, PART_RECORDS), 96);
        for (w, t) in [(200, 0.6), (1_000, 0.8)] {
            let inp = JoinInput { ts_ms: &ts, doc: &doc, sets: &sets, window_ms: w, threshold: t, min_doc: 1 };
            let want = brute_components(&inp);
            let linked = want.iter().filter(|&&c| c != u32::MAX).count();
            let bursts = want.iter().enumerate().filter(|&(i, &c)| c == i as u32).count();
            assert!(linked > 1_000 && bursts > 50, "w {w} t {t}: {linked} rows in {bursts} bursts are too few to test");
            for parts in [1, 8, 30] {
                assert_eq!(join_components_in(&inp, parts).0, want, "w {w} t {t}, {parts} parts");
            }
        }
    }

    /// Sets of 255 tokens or more take the four-byte overlap counts
    /// ([`Found`]); their components equal brute force too.
    #[test]
    fn components_of_long_sets_equal_brute_force() {
        let mut next = xorshift(0x51f1_5eed_0bad_cafe);
        // Twenty base sets of 250-330 tokens, each copied with a few tokens
        // swapped, so that matches (and misses) near the threshold abound.
        let bases: Vec<Vec<u32>> =
            (0..20).map(|_| (0..250 + next() % 80).map(|_| (next() % 2_000) as u32).collect()).collect();
        let lists: Vec<Vec<u32>> = (0..200)
            .map(|i| {
                let mut l = bases[i % bases.len()].clone();
                for _ in 0..next() % 60 {
                    let at = (next() as usize) % l.len();
                    l[at] = 2_000 + (next() % 500) as u32;
                }
                l
            })
            .collect();
        let mut sets = TokenSets::from_lists(&lists);
        assert!((0..sets.len()).any(|d| sets.get(d).len() >= 255), "no set takes the four-byte counts");
        let mut ts: Vec<i64> = (0..3_000).map(|_| (next() % 100_000) as i64).collect();
        ts.sort_unstable();
        let doc: Vec<u32> = (0..ts.len()).map(|_| (next() % 200) as u32).collect();
        sets.rank_by_frequency(&doc);
        for t in [0.7, 0.85] {
            let inp = JoinInput { ts_ms: &ts, doc: &doc, sets: &sets, window_ms: 500, threshold: t, min_doc: 1 };
            let want = brute_components(&inp);
            assert!(want.iter().filter(|&&c| c != u32::MAX).count() > 100, "t {t}: too few linked rows to test");
            for parts in [1, 3] {
                assert_eq!(join_components_in(&inp, parts).0, want, "t {t}, {parts} parts");
            }
        }
    }

    /// Ranks counted in parallel parts are the serial count's: ascending
    /// frequency over the listed documents, ties by old id, every set
    /// re-sorted.
    #[test]
    fn rank_by_frequency_matches_a_serial_count() {
        let mut next = xorshift(0x9e37_79b9_7f4a_7c15);
        let lists: Vec<Vec<u32>> =
            (0..5_000).map(|_| (0..(1 + next() % 8)).map(|_| (next() % 3_000) as u32).collect()).collect();
        // More documents listed than one part counts (1 << 16).
        let doc: Vec<u32> = (0..200_000).map(|_| (next() % 5_000) as u32).collect();
        let mut sets = TokenSets::from_lists(&lists);
        sets.rank_by_frequency(&doc);
        let before = TokenSets::from_lists(&lists);
        let mut freq = vec![0u64; 3_000];
        for &d in &doc {
            for &t in before.get(d as usize) {
                freq[t as usize] += 1;
            }
        }
        let mut order: Vec<u32> = (0..3_000).collect();
        order.sort_by_key(|&t| (freq[t as usize], t));
        let mut rank = vec![0u32; 3_000];
        for (r, &t) in order.iter().enumerate() {
            rank[t as usize] = r as u32;
        }
        for d in 0..lists.len() {
            let mut want: Vec<u32> = before.get(d).iter().map(|&t| rank[t as usize]).collect();
            want.sort_unstable();
            assert_eq!(sets.get(d), &want[..], "document {d}");
        }
    }

    /// Texts tokenised in many parallel parts get one number per distinct
    /// token string, numbered in order of first appearance, and each set is
    /// its text's distinct tokens, sorted.
    #[test]
    fn tokenize_in_parts_numbers_tokens_by_first_appearance() {
        let words = ["alpha", "beta", "gamma", "delta", "eps", "zeta", "eta", "theta", "iota", "kappa", "lambda"];
        let texts: Vec<String> = (0..20_000usize)
            .map(|i| {
                (0..1 + i % 5).map(|j| words[(i * 7 + j * 3 + i / 97) % words.len()]).collect::<Vec<_>>().join(" ")
            })
            .collect();
        let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
        let sets = TokenSets::tokenize(&refs, false);
        let mut id: Vec<&str> = Vec::new();
        for t in &refs {
            for w in t.split(' ') {
                if !id.contains(&w) {
                    id.push(w);
                }
            }
        }
        for (d, t) in refs.iter().enumerate() {
            let mut want: Vec<u32> = t.split(' ').map(|w| id.iter().position(|x| x == &w).unwrap() as u32).collect();
            want.sort_unstable();
            want.dedup();
            assert_eq!(sets.get(d), &want[..], "text {d}: {t}");
        }
    }

    #[test]
    fn tokenize_numbers_distinct_strings_consistently() {
        let sets = TokenSets::tokenize(&["a b c", "c b a", "x", ""], true);
        assert_eq!(sets.get(0), sets.get(1));
        assert_eq!(sets.get(0).len(), 3);
        assert_eq!(sets.get(2).len(), 1);
        assert!(sets.get(3).is_empty());
    }
}
