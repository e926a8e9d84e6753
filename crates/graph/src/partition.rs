//! Partitions of a graph's nodes, their canonical numbering, and connected components.
//!
//! Every membership vector this crate returns is *canonical*: communities are numbered
//! `0..k` by decreasing size (node count), ties broken by the lowest node id in the
//! community. Two runs that find the same grouping therefore return identical vectors, and
//! community `0` is always the largest.

use std::collections::VecDeque;

use crate::Graph;

/// A partition of a graph's nodes into communities, with its quality.
#[derive(Clone, Debug, PartialEq)]
pub struct Partition {
    /// `membership[v]` is the community of node `v`: canonical ids `0..k`, by decreasing
    /// size, then lowest node id.
    pub membership: Vec<u32>,
    /// The quality of this partition under the objective that produced it, as
    /// [`Objective::quality`](crate::Objective::quality) computes it.
    pub quality: f64,
}

impl Partition {
    /// The number of communities `k`.
    pub fn community_count(&self) -> usize {
        self.membership.iter().max().map_or(0, |&c| c as usize + 1)
    }

    /// The size (node count) of each community, indexed by community id; non-increasing.
    pub fn sizes(&self) -> Vec<usize> {
        let mut sizes = vec![0; self.community_count()];
        for &c in &self.membership {
            sizes[c as usize] += 1;
        }
        sizes
    }

    /// The nodes of each community, ascending, indexed by community id.
    pub fn communities(&self) -> Vec<Vec<u32>> {
        let mut out = vec![Vec::new(); self.community_count()];
        for (v, &c) in self.membership.iter().enumerate() {
            out[c as usize].push(v as u32);
        }
        out
    }
}

/// Renumbers labels `0..` in order of first appearance (ascending node id); returns the
/// number of distinct labels. Labels must be `< labels.len()`.
pub(crate) fn renumber_first_seen(labels: &mut [u32]) -> usize {
    let mut map = vec![u32::MAX; labels.len()];
    let mut next = 0u32;
    for l in labels.iter_mut() {
        let slot = &mut map[*l as usize];
        if *slot == u32::MAX {
            *slot = next;
            next += 1;
        }
        *l = *slot;
    }
    next as usize
}

/// Renumbers arbitrary `u32` labels canonically: by decreasing size, then lowest node id.
pub(crate) fn canonicalize(labels: &[u32]) -> Vec<u32> {
    // First-seen ids are ordered by each community's lowest node id.
    let mut first = vec![0u32; labels.len()];
    let mut map: std::collections::HashMap<u32, u32> = std::collections::HashMap::new();
    let mut sizes: Vec<usize> = Vec::new();
    for (v, &l) in labels.iter().enumerate() {
        let id = *map.entry(l).or_insert_with(|| {
            sizes.push(0);
            (sizes.len() - 1) as u32
        });
        sizes[id as usize] += 1;
        first[v] = id;
    }
    let mut order: Vec<u32> = (0..sizes.len() as u32).collect();
    // Stable: equal sizes keep lowest-node-id order.
    order.sort_by_key(|&id| std::cmp::Reverse(sizes[id as usize]));
    let mut rank = vec![0u32; sizes.len()];
    for (r, &id) in order.iter().enumerate() {
        rank[id as usize] = r as u32;
    }
    first.iter().map(|&id| rank[id as usize]).collect()
}

/// The connected components of `graph`, as a canonical membership vector: component `0` is
/// the largest, and isolated nodes come last, in ascending node id.
///
/// # Example
///
/// ```
/// use swarmscan_graph::{Graph, connected_components};
///
/// let g = Graph::from_edges(5, [(3, 4, 1.0), (0, 2, 1.0), (2, 4, 1.0)])?;
/// assert_eq!(connected_components(&g), vec![0, 1, 0, 0, 0]);
/// # Ok::<(), swarmscan_graph::Error>(())
/// ```
pub fn connected_components(graph: &Graph) -> Vec<u32> {
    canonicalize(&components_within(graph, None))
}

/// Labels the connected components of the subgraphs induced by each community of
/// `membership` (of the whole graph when `None`), by breadth-first search from the lowest
/// unlabelled node. Labels are first-seen ids `0..`.
pub(crate) fn components_within(graph: &Graph, membership: Option<&[u32]>) -> Vec<u32> {
    let n = graph.node_count();
    let adj = graph.csr.view();
    let mut label = vec![u32::MAX; n];
    let mut queue = VecDeque::new();
    let mut next = 0u32;
    for s in 0..n {
        if label[s] != u32::MAX {
            continue;
        }
        label[s] = next;
        queue.push_back(s as u32);
        while let Some(v) = queue.pop_front() {
            let (targets, _) = adj.row(v as usize);
            for &u in targets {
                let same = membership.is_none_or(|m| m[u as usize] == m[v as usize]);
                if same && label[u as usize] == u32::MAX {
                    label[u as usize] = next;
                    queue.push_back(u);
                }
            }
        }
        next += 1;
    }
    label
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_order() {
        // sizes: label 9 → 2 nodes (0, 3), label 5 → 3 nodes, label 1 → 1, label 7 → 2 (2, 6)
        let labels = [9, 5, 7, 9, 5, 5, 7, 1];
        assert_eq!(canonicalize(&labels), vec![1, 0, 2, 1, 0, 0, 2, 3]);
        assert_eq!(canonicalize(&[]), Vec::<u32>::new());
    }

    #[test]
    fn first_seen() {
        let mut l = [3, 3, 0, 1, 0];
        assert_eq!(renumber_first_seen(&mut l), 3);
        assert_eq!(l, [0, 0, 1, 2, 1]);
    }
}
