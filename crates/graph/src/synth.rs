//! Synthetic graphs with known communities, for tests, benchmarks and calibration.
//!
//! Deterministic for a seed on a given platform (edge sampling uses `f64::ln`).

use crate::rng::Rng;

/// A graph with planted communities: the edge list and the ground truth.
#[derive(Clone, Debug, PartialEq)]
pub struct Planted {
    /// The number of nodes.
    pub node_count: usize,
    /// Edges `(u, v, weight)`, `u != v`, each pair at most once, weights in `[1, 2)`.
    pub edges: Vec<(u32, u32, f64)>,
    /// `truth[v]` is the planted group of node `v`.
    pub truth: Vec<u32>,
}

/// A planted-partition (stochastic block) graph: `groups` groups of `group_size` nodes;
/// each pair inside a group is an edge with probability `p_in`, each pair across groups
/// with probability `p_out`; weights uniform in `[1, 2)`. Node ids are shuffled, so groups
/// are not contiguous id ranges.
///
/// Sampling skips geometrically between edges (Batagelj & Brandes 2005), so it costs
/// O(n + m) even for 10⁵ nodes with a tiny `p_out`. Probabilities are clamped to `[0, 1]`.
///
/// # Example
///
/// ```
/// use swarmscan_graph::synth::planted_partition;
///
/// let p = planted_partition(5, 100, 0.2, 0.002, 7);
/// assert_eq!(p.node_count, 500);
/// assert!(p.edges.len() > 4_000);
/// ```
pub fn planted_partition(groups: usize, group_size: usize, p_in: f64, p_out: f64, seed: u64) -> Planted {
    let n = groups * group_size;
    let mut rng = Rng::new(seed, 0x5EED);
    let mut perm: Vec<u32> = (0..n as u32).collect();
    rng.shuffle(&mut perm);
    let mut edges = Vec::new();
    for i in 0..n {
        let end = (i / group_size + 1) * group_size;
        let mut emit = |j: usize, rng: &mut Rng| {
            edges.push((perm[i], perm[j], 1.0 + rng.f64()));
        };
        sample_range(i + 1, end, p_in, &mut rng, &mut emit);
        sample_range(end, n, p_out, &mut rng, &mut emit);
    }
    let mut truth = vec![0u32; n];
    for (i, &v) in perm.iter().enumerate() {
        truth[v as usize] = (i / group_size) as u32;
    }
    Planted { node_count: n, edges, truth }
}

/// Calls `emit(j)` for each `j` in `lo..hi` independently with probability `p`.
fn sample_range(lo: usize, hi: usize, p: f64, rng: &mut Rng, emit: &mut impl FnMut(usize, &mut Rng)) {
    let p = p.clamp(0.0, 1.0);
    if p == 0.0 || lo >= hi {
        return;
    }
    if p == 1.0 {
        for j in lo..hi {
            emit(j, rng);
        }
        return;
    }
    let log_q = (1.0 - p).ln();
    let mut j = lo;
    loop {
        // Failures before the next success: Geometric(p), from a uniform in (0, 1].
        let skip = ((1.0 - rng.f64()).ln() / log_q).floor();
        if skip >= (hi - j) as f64 {
            return;
        }
        j += skip as usize;
        emit(j, rng);
        j += 1;
    }
}
