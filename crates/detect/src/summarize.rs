//! Bounded summaries of an edge list, for networks whose full list grows
//! with the square of the accounts (co_post, the null model, on a busy
//! collection): each account's `k` heaviest edges ([`TopEdges`]), or how
//! many edges have each weight ([`WeightHistogram`]).
//!
//! Both take the default mode's edges part by part as
//! [`Prepared::run_streaming`](crate::Prepared::run_streaming) hands them
//! over, and hold at most `2 · k` edges per account (the histogram: one
//! counter per distinct weight), never the whole list.
//!
//! **Order.** An edge is heavier than another of the same account when its
//! weight is larger, then its co-action pairs, then its partner's rank is
//! smaller (account ranks follow account ids), so the top `k` of an account
//! is one well-defined set whatever the parts and threads.

use crate::keyed::Edge;
use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap};

/// How an edge ranks among one account's edges: larger is heavier.
type Rank = (u32, u64, Reverse<u32>);

fn rank(e: &Edge, of: u32) -> Rank {
    let partner = if e.a == of { e.b } else { e.a };
    (e.weight, e.pairs, Reverse(partner))
}

/// The edges of one part that can be in some account's top `k`: those in
/// the top `k` of one of their two accounts *within the part*. An edge that
/// is not has `k` heavier edges of each account in the part alone, so it is
/// in neither account's overall top `k`. Runs per part, in parallel.
pub fn top_candidates(part: &[Edge], k: usize) -> Vec<Edge> {
    if k == 0 {
        return Vec::new();
    }
    // (account, rank, edge) for both ends, heaviest first per account.
    let mut ends: Vec<(u32, Reverse<Rank>, u32)> = Vec::with_capacity(part.len() * 2);
    for (i, e) in part.iter().enumerate() {
        ends.push((e.a, Reverse(rank(e, e.a)), i as u32));
        ends.push((e.b, Reverse(rank(e, e.b)), i as u32));
    }
    ends.sort_unstable();
    let mut keep = vec![false; part.len()];
    for run in ends.chunk_by(|x, y| x.0 == y.0) {
        for &(_, _, i) in run.iter().take(k) {
            keep[i as usize] = true;
        }
    }
    part.iter().zip(keep).filter(|(_, k)| *k).map(|(e, _)| e.clone()).collect()
}

/// Each account's `k` heaviest edges, gathered from a stream of candidate
/// edges ([`top_candidates`]).
#[derive(Debug)]
pub struct TopEdges {
    k: usize,
    /// Per account rank: a min-heap of its kept edges (rank, slot).
    heaps: Vec<BinaryHeap<Reverse<(Rank, u32)>>>,
    /// Kept edges with the number of heaps holding them (1 or 2).
    slots: Vec<Option<(Edge, u8)>>,
    free: Vec<u32>,
}

impl TopEdges {
    /// For a network of `accounts` accounts.
    pub fn new(accounts: usize, k: usize) -> Self {
        TopEdges { k, heaps: vec![BinaryHeap::new(); accounts], slots: Vec::new(), free: Vec::new() }
    }

    /// Offers one edge to both of its accounts.
    pub fn offer(&mut self, e: Edge) {
        if self.k == 0 {
            return;
        }
        let (ra, rb) = (rank(&e, e.a), rank(&e, e.b));
        let wants = |h: &BinaryHeap<Reverse<(Rank, u32)>>, r: &Rank| {
            h.len() < self.k || h.peek().is_some_and(|Reverse((least, _))| r > least)
        };
        let (take_a, take_b) = (wants(&self.heaps[e.a as usize], &ra), wants(&self.heaps[e.b as usize], &rb));
        if !take_a && !take_b {
            return;
        }
        let (a, b) = (e.a, e.b);
        let slot = match self.free.pop() {
            Some(s) => {
                self.slots[s as usize] = Some((e, 0));
                s
            }
            None => {
                self.slots.push(Some((e, 0)));
                (self.slots.len() - 1) as u32
            }
        };
        for (take, who, r) in [(take_a, a, ra), (take_b, b, rb)] {
            if !take {
                continue;
            }
            let heap = &mut self.heaps[who as usize];
            heap.push(Reverse((r, slot)));
            if let Some((_, held)) = &mut self.slots[slot as usize] {
                *held += 1;
            }
            if heap.len() > self.k {
                let Reverse((_, out)) = heap.pop().expect("a heap over k holds something");
                self.release(out);
            }
        }
    }

    fn release(&mut self, slot: u32) {
        let cell = &mut self.slots[slot as usize];
        if let Some((_, held)) = cell {
            *held -= 1;
            if *held == 0 {
                *cell = None;
                self.free.push(slot);
            }
        }
    }

    /// The kept edges, each once, sorted by `(a, b)`.
    pub fn into_edges(self) -> Vec<Edge> {
        let mut out: Vec<Edge> = self.slots.into_iter().flatten().map(|(e, _)| e).collect();
        out.sort_unstable_by_key(|e| (e.a, e.b));
        out
    }
}

/// How many edges have each weight.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WeightHistogram(pub BTreeMap<u32, u64>);

impl WeightHistogram {
    /// The histogram of one part (per part, in parallel).
    pub fn of(part: &[Edge]) -> Self {
        let mut h = WeightHistogram::default();
        for e in part {
            *h.0.entry(e.weight).or_default() += 1;
        }
        h
    }

    /// Adds another part's histogram.
    pub fn merge(&mut self, other: WeightHistogram) {
        for (w, n) in other.0 {
            *self.0.entry(w).or_default() += n;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn edge(a: u32, b: u32, weight: u32, pairs: u64) -> Edge {
        Edge { a, b, weight, pairs, min_dt_ms: 0, median_dt_ms: 0.0, evidence: Vec::new() }
    }

    /// Brute force: every account's edges sorted heaviest first, the first
    /// `k` of each, the union.
    fn brute(edges: &[Edge], accounts: u32, k: usize) -> Vec<(u32, u32)> {
        let mut keep = std::collections::BTreeSet::new();
        for x in 0..accounts {
            let mut mine: Vec<&Edge> = edges.iter().filter(|e| e.a == x || e.b == x).collect();
            mine.sort_by_key(|e| Reverse(rank(e, x)));
            keep.extend(mine.iter().take(k).map(|e| (e.a, e.b)));
        }
        keep.into_iter().collect()
    }

    proptest! {
        /// Any split into parts, any k: the kept edges are brute force's.
        #[test]
        fn top_edges_match_brute_force(
            raw in prop::collection::btree_map((0u32..12, 0u32..12), (1u32..5, 1u64..4), 0..60),
            cuts in prop::collection::vec(0usize..60, 0..4),
            k in 0usize..5,
        ) {
            let edges: Vec<Edge> = raw
                .into_iter()
                .filter(|((a, b), _)| a < b)
                .map(|((a, b), (w, p))| edge(a, b, w, p))
                .collect();
            let mut cuts: Vec<usize> = cuts.into_iter().map(|c| c.min(edges.len())).collect();
            cuts.push(0);
            cuts.push(edges.len());
            cuts.sort_unstable();
            let mut top = TopEdges::new(12, k);
            let mut hist = WeightHistogram::default();
            for w in cuts.windows(2) {
                let part = &edges[w[0]..w[1]];
                hist.merge(WeightHistogram::of(part));
                for e in top_candidates(part, k) {
                    top.offer(e);
                }
            }
            let got: Vec<(u32, u32)> = top.into_edges().iter().map(|e| (e.a, e.b)).collect();
            prop_assert_eq!(got, brute(&edges, 12, k));
            prop_assert_eq!(hist, WeightHistogram::of(&edges));
        }
    }

    #[test]
    fn ties_go_to_the_smaller_partner() {
        let mut top = TopEdges::new(4, 1);
        for e in top_candidates(&[edge(0, 2, 3, 1), edge(0, 1, 3, 1), edge(2, 3, 1, 1)], 1) {
            top.offer(e);
        }
        // 0 keeps (0,1); 1 keeps (0,1); 2 keeps (0,2) (heavier than (2,3));
        // 3 keeps (2,3), its only edge.
        let got: Vec<(u32, u32)> = top.into_edges().iter().map(|e| (e.a, e.b)).collect();
        assert_eq!(got, [(0, 1), (0, 2), (2, 3)]);
    }
}
