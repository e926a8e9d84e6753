//! The Leiden algorithm (and Louvain, which is Leiden without the refinement phase).
//!
//! Notation as in [`quality`](crate::quality): node weights `a_v`, community weights `A_c`,
//! and the gain of moving `v` into `c` is `w(v, c) − ρ · a_v · A_c`.
//!
//! One *iteration* runs levels until nothing moves:
//!
//! 1. **Move nodes fast**: visit nodes from a queue (seeded shuffle); move each to the
//!    neighbouring community (or an empty one) with the largest gain, only on a strict
//!    improvement, ties to the lowest community id; queue the neighbours outside the new
//!    community, which the move may now attract.
//! 2. If every community is a single node, the iteration is over. Otherwise **refine**
//!    (Leiden only): inside each community `S`, start from singletons; visit nodes in a
//!    seeded random order and let each node `v` that is still a singleton and *well
//!    connected* (`w(v, S − v) ≥ ρ · a_v · (A_S − a_v)`) join a neighbouring cluster `C`
//!    that is itself well connected (`w(C, S − C) ≥ ρ · A_C · (A_S − A_C)`) and that it
//!    gains from joining (gain ≥ 0, staying alone counts as gain 0), drawn with
//!    probability `∝ exp(gain / θ)`. Clusters only grow along edges, so they are connected.
//!    Communities are independent, so they are refined in parallel.
//! 3. **Aggregate** the refined clusters into nodes (summing node and edge weights); the
//!    unrefined partition becomes the aggregate graph's starting partition, so
//!    communities found so far are kept while their refined parts may still move. If
//!    refinement merged nothing, aggregate the unrefined partition itself (as igraph does),
//!    which guarantees progress.
//!
//! Iterations repeat, each starting from the previous result, until one changes nothing or
//! `max_iterations` is reached. A final pass splits any community that is not connected
//! (which never lowers quality; Leiden should not need it, Louvain sometimes does).

use std::collections::VecDeque;

use rayon::prelude::*;

use crate::graph::{Adj, Csr, row_blocks};
use crate::partition::{canonicalize, components_within, renumber_first_seen};
use crate::rng::Rng;
use crate::{Error, Graph, Objective, Partition};

/// Community detection by the Leiden algorithm (Traag, Waltman & van Eck 2019), or by
/// Louvain (Blondel et al. 2008) with [`Leiden::louvain`].
///
/// A builder: set what differs from the defaults, then [`run`](Leiden::run) it. Defaults:
/// modularity with `γ = 1`, seed 0, at most 50 iterations, randomness `θ = 0.01`,
/// refinement on.
///
/// # Example
///
/// ```
/// use swarmscan_graph::{Graph, Leiden, Objective};
///
/// // Two triangles joined by one edge.
/// let g = Graph::from_edges(6, [(0, 1, 1.0), (1, 2, 1.0), (0, 2, 1.0), (3, 4, 1.0), (4, 5, 1.0), (3, 5, 1.0), (2, 3, 1.0)])?;
/// let p = Leiden::new().seed(42).run(&g)?;
/// assert_eq!(p.membership, vec![0, 0, 0, 1, 1, 1]);
/// assert!((p.quality - 5.0 / 14.0).abs() < 1e-12);
///
/// let p = Leiden::new().objective(Objective::Cpm { resolution: 0.5 }).run(&g)?;
/// assert_eq!(p.community_count(), 2);
/// # Ok::<(), swarmscan_graph::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Leiden {
    objective: Objective,
    seed: u64,
    max_iterations: u32,
    randomness: f64,
    refine: bool,
}

impl Default for Leiden {
    fn default() -> Self {
        Leiden { objective: Objective::default(), seed: 0, max_iterations: 50, randomness: 0.01, refine: true }
    }
}

impl Leiden {
    /// Leiden with the defaults.
    pub fn new() -> Leiden {
        Leiden::default()
    }

    /// Louvain: the same optimiser without the refinement phase. Faster by a little, but
    /// its communities can be badly connected (they are split into connected parts before
    /// being returned).
    pub fn louvain() -> Leiden {
        Leiden { refine: false, ..Leiden::default() }
    }

    /// The quality function to maximise.
    pub fn objective(mut self, objective: Objective) -> Leiden {
        self.objective = objective;
        self
    }

    /// The seed of all randomness (node visiting order, refinement draws). Same graph and
    /// seed give the same partition, whatever the number of threads.
    pub fn seed(mut self, seed: u64) -> Leiden {
        self.seed = seed;
        self
    }

    /// The most iterations to run; it stops earlier once an iteration changes nothing.
    /// `0` returns the singleton partition.
    pub fn max_iterations(mut self, max_iterations: u32) -> Leiden {
        self.max_iterations = max_iterations;
        self
    }

    /// Refinement randomness `θ > 0`: a node joins a refined cluster with probability
    /// `∝ exp(gain / θ)`, gains in units of edge weight. `0.0` makes refinement greedy
    /// (largest gain, ties to the lowest cluster id). Default 0.01, as in igraph and
    /// leidenalg.
    pub fn randomness(mut self, theta: f64) -> Leiden {
        self.randomness = theta;
        self
    }

    /// Whether to run Leiden's refinement phase (`false` is Louvain).
    pub fn refine(mut self, refine: bool) -> Leiden {
        self.refine = refine;
        self
    }

    /// Finds communities of `graph`.
    ///
    /// Local moving is sequential; refinement and aggregation run on the current rayon pool,
    /// arranged so that the result does not depend on the number of threads. O(n + m)
    /// memory, O(m) time per pass.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidParameter`] for a negative or non-finite resolution or randomness.
    pub fn run(&self, graph: &Graph) -> Result<Partition, Error> {
        self.objective.validate()?;
        if !(self.randomness >= 0.0 && self.randomness.is_finite()) {
            return Err(Error::InvalidParameter {
                name: "randomness",
                value: self.randomness,
                expected: "a finite number >= 0",
            });
        }
        let n = graph.node_count();
        let (node_weight, rho) = match self.objective {
            Objective::Modularity { resolution } => {
                let m = graph.total_weight();
                (graph.strengths().to_vec(), if m > 0.0 { resolution / (2.0 * m) } else { 0.0 })
            }
            Objective::Cpm { resolution } => (vec![1.0; n], resolution),
        };
        let mut rng = Rng::new(self.seed, 0);
        let mut membership: Vec<u32> = (0..n as u32).collect();
        for _ in 0..self.max_iterations {
            let mut next = self.iteration(graph, &node_weight, rho, &membership, &mut rng);
            renumber_first_seen(&mut next);
            if next == membership {
                break;
            }
            membership = next;
        }
        let membership = canonicalize(&components_within(graph, Some(&membership)));
        let quality = self.objective.quality(graph, &membership)?;
        Ok(Partition { membership, quality })
    }

    /// One Leiden iteration from the partition `start` (labels `< n`); returns the flat
    /// membership of the original nodes (labels `< n`, not compacted).
    fn iteration(&self, graph: &Graph, node_weight: &[f64], rho: f64, start: &[u32], rng: &mut Rng) -> Vec<u32> {
        let n = graph.node_count();
        let mut owned: Option<Csr> = None;
        let mut weight = node_weight.to_vec();
        let mut comm = start.to_vec();
        let mut to_level: Vec<u32> = (0..n as u32).collect();
        loop {
            let adj = owned.as_ref().map_or_else(|| graph.csr.view(), Csr::view);
            let nodes = adj.node_count();
            let level = Level { adj, weight: &weight, rho };
            let k = move_nodes(level, &mut comm, rng);
            if k == nodes {
                break;
            }
            let refined = if self.refine {
                let (refined, r) = refine(level, &comm, k, self.randomness, rng);
                (r < nodes).then_some((refined, r))
            } else {
                None
            };
            let (agg, r, next_comm) = match refined {
                Some((refined, r)) => {
                    let mut next = vec![0u32; r];
                    for (v, &x) in refined.iter().enumerate() {
                        next[x as usize] = comm[v];
                    }
                    (refined, r, next)
                }
                None => (comm, k, (0..k as u32).collect()),
            };
            let (csr, w) = aggregate(adj, &weight, &agg, r);
            for x in &mut to_level {
                *x = agg[*x as usize];
            }
            owned = Some(csr);
            weight = w;
            comm = next_comm;
        }
        to_level.iter().map(|&x| comm[x as usize]).collect()
    }
}

/// One level of the hierarchy: its graph, node weights and resolution factor `ρ`.
#[derive(Clone, Copy)]
struct Level<'a> {
    adj: Adj<'a>,
    weight: &'a [f64],
    rho: f64,
}

/// Phase 1: queue-based local moving. `comm` holds labels `< nodes` on entry and compact
/// first-seen labels `0..k` on return; returns `k`.
fn move_nodes(level: Level<'_>, comm: &mut [u32], rng: &mut Rng) -> usize {
    let Level { adj, weight, rho } = level;
    let n = adj.node_count();
    let mut comm_weight = vec![0.0f64; n];
    let mut comm_size = vec![0u32; n];
    for v in 0..n {
        comm_weight[comm[v] as usize] += weight[v];
        comm_size[comm[v] as usize] += 1;
    }
    // Popped from the back: lowest empty id first.
    let mut empty: Vec<u32> = (0..n as u32).rev().filter(|&c| comm_size[c as usize] == 0).collect();
    let mut order: Vec<u32> = (0..n as u32).collect();
    rng.shuffle(&mut order);
    let mut queue: VecDeque<u32> = order.into();
    let mut queued = vec![true; n];
    let mut acc = vec![0.0f64; n];
    let mut touched: Vec<u32> = Vec::new();

    while let Some(v) = queue.pop_front() {
        let v = v as usize;
        queued[v] = false;
        let cur = comm[v];
        let (targets, weights) = adj.row(v);
        for (&u, &w) in targets.iter().zip(weights) {
            let c = comm[u as usize];
            // Weights are positive, so a zero accumulator means "not seen yet".
            if acc[c as usize] == 0.0 {
                touched.push(c);
            }
            acc[c as usize] += w;
        }
        let a = weight[v];
        let ra = rho * a;
        let old_weight = comm_weight[cur as usize];
        // v's community without v; exactly empty when v was alone.
        let rest = if comm_size[cur as usize] == 1 { 0.0 } else { old_weight - a };
        let stay = acc[cur as usize] - ra * rest;
        let (mut best, mut best_gain) = (cur, stay);
        for &c in &touched {
            if c == cur {
                continue;
            }
            let gain = acc[c as usize] - ra * comm_weight[c as usize];
            if gain > best_gain || (gain == best_gain && best != cur && c < best) {
                best = c;
                best_gain = gain;
            }
        }
        // An empty community gains exactly 0; only worth it when everything else loses
        // (then `v` shares `cur` with others, so some id is free).
        let to_empty = best_gain < 0.0;
        if to_empty && let Some(&e) = empty.last() {
            best = e;
        }
        for &c in &touched {
            acc[c as usize] = 0.0;
        }
        touched.clear();
        if best == cur {
            continue;
        }
        if to_empty {
            empty.pop();
        }
        comm_size[cur as usize] -= 1;
        if comm_size[cur as usize] == 0 {
            comm_weight[cur as usize] = 0.0;
            empty.push(cur);
        } else {
            comm_weight[cur as usize] = rest;
        }
        comm_size[best as usize] += 1;
        comm_weight[best as usize] += a;
        comm[v] = best;
        for &u in targets {
            if !queued[u as usize] && comm[u as usize] != best {
                queued[u as usize] = true;
                queue.push_back(u);
            }
        }
    }
    renumber_first_seen(comm)
}

/// Phase 2: refines each community of `comm` (compact labels `0..k`) into clusters that are
/// connected and well connected. Returns compact first-seen cluster labels and their count.
///
/// Communities are independent, so they are refined in parallel, each with its own random
/// stream derived from one draw of `rng` and the community id: the result does not depend on
/// which thread refines which community.
fn refine(level: Level<'_>, comm: &[u32], k: usize, theta: f64, rng: &mut Rng) -> (Vec<u32>, usize) {
    let stream = rng.next_u64();
    let per_block = (level.adj.node_count() / (8 * rayon::current_num_threads())).max(1 << 12);
    refine_in_blocks(level, comm, k, theta, stream, per_block)
}

/// [`refine`] with a given random stream, communities handed to tasks in blocks of about
/// `per_block` nodes.
fn refine_in_blocks(
    level: Level<'_>,
    comm: &[u32],
    k: usize,
    theta: f64,
    stream: u64,
    per_block: usize,
) -> (Vec<u32>, usize) {
    let Level { adj, weight, rho } = level;
    let n = adj.node_count();
    let (starts, members) = group_by(comm, k);
    // Each node's index within its community's (ascending) member list.
    let mut local = vec![0u32; n];
    for c in 0..k {
        for (i, &v) in members[starts[c]..starts[c + 1]].iter().enumerate() {
            local[v as usize] = i as u32;
        }
    }
    let ctx = RefineCtx { adj, weight, rho, comm, local: &local, theta };
    // `root[p]`: the node whose singleton cluster `members[p]` ended up in.
    let mut root = vec![0u32; n];
    let blocks = row_blocks(&starts, per_block);
    let mut work = Vec::with_capacity(blocks.len());
    let mut rest = root.as_mut_slice();
    for b in blocks.windows(2) {
        let (head, tail) = rest.split_at_mut(starts[b[1]] - starts[b[0]]);
        work.push((b[0]..b[1], head));
        rest = tail;
    }
    work.into_par_iter().for_each(|(range, out)| {
        let mut scratch = Scratch::default();
        let base = starts[range.start];
        for c in range {
            let (s, e) = (starts[c], starts[c + 1]);
            let mut rng = Rng::new(stream, c as u64);
            ctx.refine_one(c as u32, &members[s..e], &mut out[s - base..e - base], &mut rng, &mut scratch);
        }
    });
    let mut cluster = vec![0u32; n];
    for (p, &v) in members.iter().enumerate() {
        cluster[v as usize] = root[p];
    }
    let r = renumber_first_seen(&mut cluster);
    (cluster, r)
}

/// What refining one community reads.
struct RefineCtx<'a> {
    adj: Adj<'a>,
    weight: &'a [f64],
    rho: f64,
    comm: &'a [u32],
    local: &'a [u32],
    theta: f64,
}

/// Per-task buffers for refinement, indexed by a node's position in its community.
#[derive(Default)]
struct Scratch {
    cluster: Vec<u32>,
    cluster_weight: Vec<f64>,
    external: Vec<f64>,
    joined: Vec<bool>,
    acc: Vec<f64>,
    order: Vec<u32>,
    touched: Vec<u32>,
    candidates: Vec<(u32, f64)>,
}

impl RefineCtx<'_> {
    /// Refines community `c`, whose nodes are `nodes` (ascending); writes each node's
    /// cluster (named by one of its nodes) to `out`. Clusters are local indices here.
    fn refine_one(&self, c: u32, nodes: &[u32], out: &mut [u32], rng: &mut Rng, s: &mut Scratch) {
        let len = nodes.len();
        if len == 1 {
            out[0] = nodes[0];
            return;
        }
        let (adj, rho, comm) = (self.adj, self.rho, self.comm);
        s.cluster.clear();
        s.cluster.extend(0..len as u32);
        s.cluster_weight.clear();
        s.cluster_weight.extend(nodes.iter().map(|&v| self.weight[v as usize]));
        let total: f64 = s.cluster_weight.iter().sum();
        // Edge weight from each (singleton) cluster to the rest of the community.
        s.external.clear();
        s.external.extend(nodes.iter().map(|&v| {
            let (targets, weights) = adj.row(v as usize);
            targets.iter().zip(weights).filter(|&(&u, _)| comm[u as usize] == c).map(|(_, &w)| w).sum::<f64>()
        }));
        s.joined.clear();
        s.joined.resize(len, false);
        s.acc.clear();
        s.acc.resize(len, 0.0);
        s.order.clear();
        s.order.extend(0..len as u32);
        rng.shuffle(&mut s.order);

        for &i in &s.order {
            let i = i as usize;
            // Only nodes still alone in their cluster move.
            if s.joined[i] {
                continue;
            }
            let a = s.cluster_weight[i];
            let ext_i = s.external[i];
            if ext_i < rho * a * (total - a) {
                continue;
            }
            s.cluster_weight[i] = 0.0;
            s.external[i] = 0.0;
            let (targets, weights) = adj.row(nodes[i] as usize);
            for (&u, &w) in targets.iter().zip(weights) {
                if comm[u as usize] == c {
                    let x = s.cluster[self.local[u as usize] as usize];
                    if s.acc[x as usize] == 0.0 {
                        s.touched.push(x);
                    }
                    s.acc[x as usize] += w;
                }
            }
            s.candidates.clear();
            s.candidates.push((i as u32, 0.0));
            let mut max_gain = 0.0f64;
            for &x in &s.touched {
                let xw = s.cluster_weight[x as usize];
                if s.external[x as usize] >= rho * xw * (total - xw) {
                    let gain = s.acc[x as usize] - rho * a * xw;
                    if gain >= 0.0 {
                        s.candidates.push((x, gain));
                        max_gain = max_gain.max(gain);
                    }
                }
            }
            let chosen = choose(&s.candidates, max_gain, self.theta, rng) as usize;
            s.cluster_weight[chosen] += a;
            s.external[chosen] += ext_i - 2.0 * s.acc[chosen];
            if chosen != i {
                s.cluster[i] = chosen as u32;
                s.joined[chosen] = true;
            }
            for &x in &s.touched {
                s.acc[x as usize] = 0.0;
            }
            s.touched.clear();
        }
        for (o, &x) in out.iter_mut().zip(&s.cluster) {
            *o = nodes[x as usize];
        }
    }
}

/// Draws a refinement target: `∝ exp((gain − max) / θ)`, or greedily when `θ = 0`
/// (largest gain, lowest id on ties). `candidates[0]` is the node's own cluster.
fn choose(candidates: &[(u32, f64)], max_gain: f64, theta: f64, rng: &mut Rng) -> u32 {
    if candidates.len() == 1 {
        return candidates[0].0;
    }
    if theta == 0.0 {
        let mut best = candidates[0];
        for &(x, g) in &candidates[1..] {
            if g > best.1 || (g == best.1 && x < best.0) {
                best = (x, g);
            }
        }
        return best.0;
    }
    let total: f64 = candidates.iter().map(|&(_, g)| ((g - max_gain) / theta).exp()).sum();
    let target = rng.f64() * total;
    let mut cum = 0.0;
    for &(x, g) in candidates {
        cum += ((g - max_gain) / theta).exp();
        if cum > target {
            return x;
        }
    }
    // Rounding left `target` past the last cumulative sum: the last candidate.
    candidates[candidates.len() - 1].0
}

/// Groups nodes by label `0..k`: returns `starts` (k + 1 offsets) and the nodes, ascending
/// within each group.
fn group_by(labels: &[u32], k: usize) -> (Vec<usize>, Vec<u32>) {
    let mut starts = vec![0usize; k + 1];
    for &l in labels {
        starts[l as usize + 1] += 1;
    }
    for i in 0..k {
        starts[i + 1] += starts[i];
    }
    let mut fill = starts.clone();
    let mut members = vec![0u32; labels.len()];
    for (v, &l) in labels.iter().enumerate() {
        members[fill[l as usize]] = v as u32;
        fill[l as usize] += 1;
    }
    (starts, members)
}

/// Phase 3: collapses each group of `agg` (labels `0..r`) into one node. Edge weights
/// between groups are summed; edges inside a group disappear (their weight lives on in the
/// node weight, which is all the optimiser needs). Rows are built in parallel in blocks;
/// each row is summed in the same order whatever the blocking, so the result is identical
/// for any thread count.
fn aggregate(adj: Adj<'_>, weight: &[f64], agg: &[u32], r: usize) -> (Csr, Vec<f64>) {
    // Few blocks (each allocates an `r`-long accumulator), but enough to keep all threads busy.
    let per_block = (adj.targets.len() / (8 * rayon::current_num_threads())).max(1 << 16);
    aggregate_in_blocks(adj, weight, agg, r, per_block)
}

/// [`aggregate`] with aggregate rows handed to tasks in blocks of about `per_block` entries.
fn aggregate_in_blocks(adj: Adj<'_>, weight: &[f64], agg: &[u32], r: usize, per_block: usize) -> (Csr, Vec<f64>) {
    let (starts, members) = group_by(agg, r);
    let new_weight: Vec<f64> =
        (0..r).map(|x| members[starts[x]..starts[x + 1]].iter().map(|&v| weight[v as usize]).sum()).collect();
    // Upper bounds on each aggregate row's length, to cut balanced blocks.
    let mut bound = vec![0usize; r + 1];
    for x in 0..r {
        let deg: usize = members[starts[x]..starts[x + 1]]
            .iter()
            .map(|&v| adj.offsets[v as usize + 1] - adj.offsets[v as usize])
            .sum();
        bound[x + 1] = bound[x] + deg;
    }
    let blocks = row_blocks(&bound, per_block);
    let parts: Vec<(Vec<usize>, Vec<u32>, Vec<f64>)> = blocks
        .par_windows(2)
        .map(|b| {
            let mut acc = vec![0.0f64; r];
            let mut touched: Vec<u32> = Vec::new();
            let mut lens = Vec::with_capacity(b[1] - b[0]);
            let (mut targets, mut weights) = (Vec::new(), Vec::new());
            for x in b[0]..b[1] {
                for &v in &members[starts[x]..starts[x + 1]] {
                    let (ts, ws) = adj.row(v as usize);
                    for (&u, &w) in ts.iter().zip(ws) {
                        let y = agg[u as usize];
                        if y as usize == x {
                            continue;
                        }
                        if acc[y as usize] == 0.0 {
                            touched.push(y);
                        }
                        acc[y as usize] += w;
                    }
                }
                touched.sort_unstable();
                lens.push(touched.len());
                for &y in &touched {
                    targets.push(y);
                    weights.push(acc[y as usize]);
                    acc[y as usize] = 0.0;
                }
                touched.clear();
            }
            (lens, targets, weights)
        })
        .collect();
    let total: usize = parts.iter().map(|p| p.1.len()).sum();
    let mut csr = Csr {
        offsets: Vec::with_capacity(r + 1),
        targets: Vec::with_capacity(total),
        weights: Vec::with_capacity(total),
    };
    csr.offsets.push(0);
    for (lens, targets, weights) in parts {
        for l in lens {
            let last = csr.offsets[csr.offsets.len() - 1];
            csr.offsets.push(last + l);
        }
        csr.targets.extend_from_slice(&targets);
        csr.weights.extend_from_slice(&weights);
    }
    (csr, new_weight)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::synth::planted_partition;

    /// Parallel phases split work by block size and thread count; neither may show in the
    /// result (the integration tests' graphs are too small to be split at all).
    #[test]
    fn blocking_and_threads_change_nothing() {
        let p = planted_partition(6, 40, 0.2, 0.02, 3);
        let edges = || p.edges.iter().copied();
        let graph = Graph::from_edges(p.node_count, edges()).unwrap();
        for per_task in [0, 1, 7, 100, usize::MAX] {
            assert_eq!(Graph::build(p.node_count, edges(), per_task).unwrap(), graph);
        }
        let adj = graph.csr.view();
        let weight = graph.strengths();
        let level = Level { adj, weight, rho: 1.0 / (2.0 * graph.total_weight()) };
        let mut comm: Vec<u32> = (0..p.node_count as u32).collect();
        let k = move_nodes(level, &mut comm, &mut Rng::new(1, 0));
        assert!(k < 50);
        let refined = refine_in_blocks(level, &comm, k, 0.01, 99, usize::MAX);
        assert!(refined.1 > k && refined.1 < p.node_count);
        let aggregated = aggregate_in_blocks(adj, weight, &refined.0, refined.1, usize::MAX);
        for threads in [1, 2, 3] {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
            pool.install(|| {
                for per_block in [0, 1, 5, 64] {
                    let r = refine_in_blocks(level, &comm, k, 0.01, 99, per_block);
                    assert_eq!(r, refined);
                    assert_eq!(aggregate_in_blocks(adj, weight, &r.0, r.1, per_block * 20), aggregated);
                }
            });
        }
    }
}
