//! Weighted undirected account graphs and deterministic community detection.
//!
//! swarmscan fuses several co-action signals (shared URLs, near-duplicate text, synchronised
//! reposts…) into one weighted account–account network, then clusters it: a coordinated
//! group is a set of accounts far more tightly linked to each other than to the rest.
//!
//! ```text
//!  (u, v, w) edges ──► Graph (CSR) ──► Leiden / Louvain ──► Partition { membership, quality }
//!                           │
//!                           └──► connected_components
//! ```
//!
//! ```
//! use swarmscan_graph::{Graph, Leiden, Objective};
//!
//! let edges = [(0, 1, 3.0), (1, 2, 2.0), (0, 2, 1.0), (3, 4, 5.0), (2, 3, 0.1)];
//! let graph = Graph::from_edges(6, edges)?; // node 5 is isolated
//! let p = Leiden::new().seed(7).run(&graph)?;
//! assert_eq!(p.membership, vec![0, 0, 0, 1, 1, 2]);
//!
//! // CPM: keep groups whose internal density (weight per node pair) exceeds γ.
//! let p = Leiden::new().objective(Objective::Cpm { resolution: 2.0 }).run(&graph)?;
//! assert_eq!(p.membership, vec![0, 0, 2, 1, 1, 3]);
//! # Ok::<(), swarmscan_graph::Error>(())
//! ```
//!
//! # Why these choices
//!
//! **Our own CSR.** Nodes are `u32` ids `0..n` (swarmscan interns accounts densely), edges
//! live in three flat arrays (offsets, neighbour ids, `f64` weights): 12 bytes per edge
//! direction, sequential scans, no hashing. Rows are sorted by neighbour id, duplicates are
//! summed in input order and both directions of an edge hold bit-identical weights, so the
//! same edge list always yields the same bytes. Self-loops are dropped (an account does not
//! co-act with itself) and zero weights mean "no edge".
//!
//! **Leiden, not Louvain.** Louvain (Blondel et al. 2008) can return communities that are
//! badly connected or even disconnected: a node that held a community together moves away
//! and nothing splits the remainder. For swarmscan a "coordinated group" whose halves share
//! nothing is a false finding. Leiden (Traag, Waltman & van Eck 2019) adds a *refinement*
//! phase between local moving and aggregation: each community is re-grown from singletons,
//! merging only well-connected nodes into well-connected clusters, and the graph is
//! aggregated on those refined clusters. Every community of the result is connected
//! (γ-connected, in the paper's terms). Louvain is kept as [`Leiden::louvain`]: the same code
//! minus refinement. As a safety net both modes split a disconnected community into its
//! components before returning; that never lowers modularity or CPM.
//!
//! The local-moving phase is the queue-based "fast local move" of the Leiden paper: after
//! one sweep only the neighbours of moved nodes are revisited, which is why Leiden is
//! faster than Louvain on large graphs. See [`leiden`] for the phase-by-phase outline.
//!
//! **Two quality functions.** [`Objective::Modularity`] with a resolution `γ` is the usual
//! choice and what other tools report; [`Objective::Cpm`] (Constant Potts Model) has no
//! resolution limit, so it does not swallow a 10-account cell into a larger neighbour on a
//! million-account graph. Both are "internal weight minus `γ` × expected weight" and share
//! the optimiser (see [`quality`]).
//!
//! **Determinism.** The same graph, objective and seed give the same membership vector,
//! bit for bit, on any number of threads:
//!
//! - All randomness is PCG-64 seeded from [`Leiden::seed`]; seeding, shuffling and uniform
//!   draws are implemented in this crate, so dependency upgrades cannot change results.
//! - Local moving, the order-dependent heart of the method, is sequential. Refinement runs
//!   communities in parallel, each with its own random stream derived from the seed and
//!   the community id, never from the thread. Graph construction and aggregation run in
//!   parallel too, but each output row is computed by one task in a fixed order, so
//!   floating-point sums do not depend on how the work is split.
//! - Ties are broken stably: a node moves only on a strict improvement, and among equally
//!   good communities the lowest id wins. Leiden's refinement is *randomised* by design
//!   (probability `∝ exp(gain / θ)`, `θ` = [`Leiden::randomness`], default 0.01 like igraph
//!   and leidenalg): reproducible through the seed. `θ = 0` makes it greedy.
//! - Output ids are canonical: communities are numbered by decreasing size, then by their
//!   lowest node id, so equal groupings give equal vectors.
//!
//! Bit-identical results across *platforms* additionally need the same `f64::exp` (used by
//! the refinement draw); that is not tested.
//!
//! **Iterations.** Leiden iterates: each iteration starts from the previous partition and
//! the loop stops when one changes nothing (default cap 50). Later iterations typically
//! add a few hundredths of a percent of quality each; `max_iterations(2)` (the default of
//! igraph and leidenalg) is a fair trade when speed matters more.
//!
//! **Scale.** Memory is O(n + m); every pass is O(m). On a planted graph of 10⁵ nodes and
//! 10⁶ edges (`benches/leiden.rs`, a shared and busy 2-core VM) building the graph takes
//! about 0.09 s, one Leiden iteration about 0.5 s, Leiden until stable (7 iterations)
//! about 1.5 s, and Louvain about 0.5 s. Only local moving is sequential; refinement and
//! aggregation use the rayon pool.
//!
//! **Checked against leiden-rs.** On LFR graphs (n = 10³–5·10⁴, μ = 0.1–0.6, also with
//! weights spread over six orders of magnitude) and planted partitions, our modularity
//! matched leiden-rs 0.8.1 or beat it by up to 3 %, and was never more than 0.2 % below;
//! run time was similar. That comparison lives outside the workspace (it would add
//! leiden-rs and rand 0.9 to the build); the tests here use brute-force oracles instead.
//!
//! # Modules
//!
//! - [`graph`]: the CSR [`Graph`] and its construction.
//! - [`leiden`]: the Leiden/Louvain optimiser.
//! - [`quality`]: [`Objective`] (modularity, CPM) and partition quality.
//! - [`partition`]: [`Partition`], canonical numbering, [`connected_components`].
//! - [`metrics`]: [`nmi`] to compare partitions.
//! - [`synth`]: planted-partition graphs with ground truth.

pub mod graph;
pub mod leiden;
pub mod metrics;
pub mod partition;
pub mod quality;
mod rng;
pub mod synth;

pub use graph::Graph;
pub use leiden::Leiden;
pub use metrics::nmi;
pub use partition::{Partition, connected_components};
pub use quality::Objective;

/// What can go wrong building a graph or running community detection.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum Error {
    /// More nodes than `u32` ids.
    #[error("{node_count} nodes exceed the u32 id space")]
    TooManyNodes {
        /// The requested node count.
        node_count: usize,
    },
    /// An edge names a node outside `0..node_count`.
    #[error("edge #{index} ({u}, {v}): node {node} is out of range for a graph of {node_count} nodes")]
    NodeOutOfRange {
        /// Position of the edge in the input.
        index: usize,
        /// First endpoint.
        u: u32,
        /// Second endpoint.
        v: u32,
        /// The offending endpoint.
        node: u32,
        /// The graph's node count.
        node_count: usize,
    },
    /// An edge weight is negative, infinite or NaN.
    #[error("edge #{index} ({u}, {v}): weight {weight} is not a finite number >= 0")]
    InvalidWeight {
        /// Position of the edge in the input.
        index: usize,
        /// First endpoint.
        u: u32,
        /// Second endpoint.
        v: u32,
        /// The offending weight.
        weight: f64,
    },
    /// The edge weights sum to more than `f64` can hold.
    #[error("the total edge weight overflows f64")]
    WeightOverflow,
    /// A membership vector does not have one entry per node.
    #[error("membership has {found} entries, expected {expected}")]
    MembershipLength {
        /// The expected length.
        expected: usize,
        /// The actual length.
        found: usize,
    },
    /// A parameter is out of its domain.
    #[error("{name} = {value}: expected {expected}")]
    InvalidParameter {
        /// The parameter's name.
        name: &'static str,
        /// Its value.
        value: f64,
        /// Its domain, in words.
        expected: &'static str,
    },
}
