//! The weighted undirected graph: compressed sparse rows (CSR) over nodes `0..n`.
//!
//! Every undirected edge `{u, v}` is stored twice, once in the row of `u` and once in the
//! row of `v`, so a node's neighbourhood is one contiguous slice. Rows are sorted by
//! neighbour id and hold each neighbour once; both copies of an edge carry bit-identical
//! weights.

use rayon::prelude::*;

use crate::Error;

/// Rows handed to one rayon task when sorting rows or building aggregate graphs: enough work
/// to amortise the task, small enough to balance two cores. Only speed depends on it.
const ENTRIES_PER_TASK: usize = 1 << 16;

/// A weighted undirected graph over nodes `0..node_count`, stored as sorted adjacency rows.
///
/// Built by [`Graph::from_edges`]. Self-loops are dropped, parallel edges are merged by
/// summing their weights, and edges whose (summed) weight is zero are not edges. Weights
/// must be finite and non-negative: modularity and CPM are defined for non-negative weights
/// only.
#[derive(Clone, Debug, PartialEq)]
pub struct Graph {
    pub(crate) csr: Csr,
    strength: Vec<f64>,
    total_weight: f64,
}

impl Graph {
    /// Builds the graph on nodes `0..node_count` from an edge list `(u, v, weight)`.
    ///
    /// * Order and orientation do not matter: `(u, v, w)` and `(v, u, w)` are the same edge.
    /// * Duplicates are summed, in input order (so the result is bit-for-bit reproducible).
    /// * Self-loops `(v, v, w)` are dropped: an account does not co-act with itself, and a
    ///   loop would only inflate the node's strength. Validation still applies to them.
    /// * Edges of weight `0.0` are dropped; a zero weight means "no evidence".
    ///
    /// Construction is O(m log d) and runs rows in parallel on the current rayon pool; the
    /// result does not depend on the number of threads.
    ///
    /// # Errors
    ///
    /// [`Error::TooManyNodes`] if `node_count` exceeds the `u32` id space,
    /// [`Error::NodeOutOfRange`] for an endpoint `>= node_count`, [`Error::InvalidWeight`]
    /// for a negative, infinite or NaN weight, and [`Error::WeightOverflow`] if the summed
    /// weights overflow `f64`. The first bad edge (by position) is reported.
    ///
    /// # Example
    ///
    /// ```
    /// use swarmscan_graph::Graph;
    ///
    /// let g = Graph::from_edges(4, [(0, 1, 1.0), (1, 0, 0.5), (2, 2, 9.0), (1, 2, 2.0)])?;
    /// assert_eq!(g.edge_count(), 2); // {0,1} merged, the self-loop dropped
    /// assert_eq!(g.strength(1), 3.5);
    /// assert_eq!(g.degree(3), 0);
    /// assert_eq!(g.neighbors(1).collect::<Vec<_>>(), vec![(0, 1.5), (2, 2.0)]);
    /// # Ok::<(), swarmscan_graph::Error>(())
    /// ```
    pub fn from_edges<I>(node_count: usize, edges: I) -> Result<Graph, Error>
    where
        I: IntoIterator<Item = (u32, u32, f64)>,
    {
        Graph::build(node_count, edges, ENTRIES_PER_TASK)
    }

    /// [`Graph::from_edges`] with rows sorted in tasks of about `per_task` entries (tests
    /// check that the split changes nothing).
    pub(crate) fn build<I>(node_count: usize, edges: I, per_task: usize) -> Result<Graph, Error>
    where
        I: IntoIterator<Item = (u32, u32, f64)>,
    {
        if node_count > u32::MAX as usize {
            return Err(Error::TooManyNodes { node_count });
        }
        let edges = edges.into_iter();
        let mut kept: Vec<(u32, u32, f64)> = Vec::with_capacity(edges.size_hint().0);
        let mut offsets = vec![0usize; node_count + 1];
        for (index, (u, v, weight)) in edges.enumerate() {
            for node in [u, v] {
                if node as usize >= node_count {
                    return Err(Error::NodeOutOfRange { index, u, v, node, node_count });
                }
            }
            // `!(w >= 0)` also catches NaN.
            if !(weight >= 0.0 && weight.is_finite()) {
                return Err(Error::InvalidWeight { index, u, v, weight });
            }
            if u == v || weight == 0.0 {
                continue;
            }
            offsets[u as usize + 1] += 1;
            offsets[v as usize + 1] += 1;
            kept.push((u, v, weight));
        }
        for i in 0..node_count {
            offsets[i + 1] += offsets[i];
        }

        // Scatter both copies of every edge into its row, in input order.
        let mut fill = offsets.clone();
        let mut entries = vec![(0u32, 0f64); offsets[node_count]];
        for &(u, v, w) in &kept {
            entries[fill[u as usize]] = (v, w);
            fill[u as usize] += 1;
            entries[fill[v as usize]] = (u, w);
            fill[v as usize] += 1;
        }
        drop(kept);
        drop(fill);

        // Sort each row by neighbour (stably, so duplicates keep input order) and merge
        // duplicates in place; `lens[v]` is row `v`'s merged length.
        let mut lens = vec![0usize; node_count];
        let blocks = row_blocks(&offsets, per_task);
        let mut work = Vec::with_capacity(blocks.len());
        let (mut rest_e, mut rest_l) = (entries.as_mut_slice(), lens.as_mut_slice());
        for w in blocks.windows(2) {
            let (e, e_tail) = rest_e.split_at_mut(offsets[w[1]] - offsets[w[0]]);
            let (l, l_tail) = rest_l.split_at_mut(w[1] - w[0]);
            work.push((w[0], e, l));
            (rest_e, rest_l) = (e_tail, l_tail);
        }
        work.into_par_iter().for_each(|(first, e, l)| {
            let base = offsets[first];
            for (i, len) in l.iter_mut().enumerate() {
                let row = &mut e[offsets[first + i] - base..offsets[first + i + 1] - base];
                row.sort_by_key(|&(t, _)| t);
                *len = merge_sorted_row(row);
            }
        });

        let csr = Csr::compact(&offsets, &entries, &lens);
        drop(entries);
        Graph::from_csr(csr)
    }

    /// Wraps a CSR whose rows are valid (sorted, symmetric, positive weights, no loops).
    pub(crate) fn from_csr(csr: Csr) -> Result<Graph, Error> {
        let n = csr.node_count();
        let strength: Vec<f64> =
            (0..n).into_par_iter().map(|v| csr.weights[csr.offsets[v]..csr.offsets[v + 1]].iter().sum()).collect();
        let total_weight = strength.iter().sum::<f64>() / 2.0;
        if !total_weight.is_finite() {
            return Err(Error::WeightOverflow);
        }
        Ok(Graph { csr, strength, total_weight })
    }

    /// The number of nodes `n`; node ids are `0..n`.
    pub fn node_count(&self) -> usize {
        self.csr.node_count()
    }

    /// The number of distinct undirected edges.
    pub fn edge_count(&self) -> usize {
        self.csr.targets.len() / 2
    }

    /// The total edge weight `m`, each undirected edge counted once.
    pub fn total_weight(&self) -> f64 {
        self.total_weight
    }

    /// The number of distinct neighbours of `v`.
    ///
    /// # Panics
    ///
    /// If `v >= node_count()`, like slice indexing.
    pub fn degree(&self, v: u32) -> usize {
        let v = v as usize;
        self.csr.offsets[v + 1] - self.csr.offsets[v]
    }

    /// The strength (weighted degree) of `v`: the sum of its edge weights.
    ///
    /// # Panics
    ///
    /// If `v >= node_count()`, like slice indexing.
    pub fn strength(&self, v: u32) -> f64 {
        self.strength[v as usize]
    }

    /// Every node's strength, indexed by node id.
    pub fn strengths(&self) -> &[f64] {
        &self.strength
    }

    /// The neighbours of `v` with edge weights, by ascending neighbour id.
    ///
    /// # Panics
    ///
    /// If `v >= node_count()`, like slice indexing.
    pub fn neighbors(&self, v: u32) -> impl ExactSizeIterator<Item = (u32, f64)> + '_ {
        let (t, w) = self.csr.view().row(v as usize);
        t.iter().copied().zip(w.iter().copied())
    }

    /// Every undirected edge once, as `(u, v, weight)` with `u < v`, in ascending `(u, v)`.
    pub fn edges(&self) -> impl Iterator<Item = (u32, u32, f64)> + '_ {
        (0..self.node_count() as u32)
            .flat_map(move |u| self.neighbors(u).filter(move |&(v, _)| v > u).map(move |(v, w)| (u, v, w)))
    }
}

/// Merges runs of equal neighbour ids in a sorted row, summing weights front to back, and
/// returns the merged length. Entries past it are garbage.
fn merge_sorted_row(row: &mut [(u32, f64)]) -> usize {
    let mut len = 0;
    for i in 0..row.len() {
        if len > 0 && row[len - 1].0 == row[i].0 {
            row[len - 1].1 += row[i].1;
        } else {
            row[len] = row[i];
            len += 1;
        }
    }
    len
}

/// Cuts rows `0..n` into consecutive blocks of about `per_block` entries each; returns the
/// block boundaries `0 = b0 < b1 < … = n` (just `[0]` when `n == 0`).
pub(crate) fn row_blocks(offsets: &[usize], per_block: usize) -> Vec<usize> {
    let n = offsets.len() - 1;
    let mut bounds = vec![0];
    let mut next = per_block;
    for (v, &offset) in offsets.iter().enumerate().take(n).skip(1) {
        if offset >= next {
            bounds.push(v);
            next = offset + per_block;
        }
    }
    if n > 0 {
        bounds.push(n);
    }
    bounds
}

/// Owned compressed sparse rows with weights: the neighbours of `v` are
/// `targets[offsets[v]..offsets[v + 1]]`.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Csr {
    pub(crate) offsets: Vec<usize>,
    pub(crate) targets: Vec<u32>,
    pub(crate) weights: Vec<f64>,
}

impl Csr {
    pub(crate) fn node_count(&self) -> usize {
        self.offsets.len() - 1
    }

    pub(crate) fn view(&self) -> Adj<'_> {
        Adj { offsets: &self.offsets, targets: &self.targets, weights: &self.weights }
    }

    /// Keeps the first `lens[v]` entries of each row of `entries` (laid out by `offsets`).
    fn compact(offsets: &[usize], entries: &[(u32, f64)], lens: &[usize]) -> Csr {
        let n = lens.len();
        let mut new_offsets = Vec::with_capacity(n + 1);
        new_offsets.push(0);
        let mut total = 0;
        for &l in lens {
            total += l;
            new_offsets.push(total);
        }
        let mut targets = Vec::with_capacity(total);
        let mut weights = Vec::with_capacity(total);
        for v in 0..n {
            for &(t, w) in &entries[offsets[v]..offsets[v] + lens[v]] {
                targets.push(t);
                weights.push(w);
            }
        }
        Csr { offsets: new_offsets, targets, weights }
    }
}

/// A borrowed view of CSR rows, what the community-detection kernels read.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Adj<'a> {
    pub(crate) offsets: &'a [usize],
    pub(crate) targets: &'a [u32],
    pub(crate) weights: &'a [f64],
}

impl<'a> Adj<'a> {
    #[inline]
    pub(crate) fn node_count(&self) -> usize {
        self.offsets.len() - 1
    }

    #[inline]
    pub(crate) fn row(&self, v: usize) -> (&'a [u32], &'a [f64]) {
        let (s, e) = (self.offsets[v], self.offsets[v + 1]);
        (&self.targets[s..e], &self.weights[s..e])
    }
}
