//! Community detection on a planted-partition graph of 10⁵ nodes and about 10⁶ edges
//! (1,000 groups of 100, intra-group degree ≈ 16, cross-group degree ≈ 4), on the global
//! rayon pool: `cargo bench -p swarmscan-graph --bench leiden`. divan reports edges/s as
//! "items/s".

use std::sync::LazyLock;

use divan::counter::ItemsCount;
use swarmscan_graph::synth::{Planted, planted_partition};
use swarmscan_graph::{Graph, Leiden, Objective};

fn main() {
    divan::main();
}

static PLANTED: LazyLock<Planted> = LazyLock::new(|| planted_partition(1000, 100, 0.16, 4e-5, 7));
static GRAPH: LazyLock<Graph> =
    LazyLock::new(|| Graph::from_edges(PLANTED.node_count, PLANTED.edges.iter().copied()).expect("valid graph"));

fn edges() -> ItemsCount {
    ItemsCount::new(PLANTED.edges.len())
}

/// CSR construction from the edge list.
#[divan::bench(sample_count = 10, sample_size = 1)]
fn build_graph(bencher: divan::Bencher) {
    let planted = &*PLANTED;
    bencher
        .counter(edges())
        .bench(|| Graph::from_edges(planted.node_count, planted.edges.iter().copied()).expect("valid graph"));
}

/// Leiden, modularity γ = 1, iterated until stable.
#[divan::bench(sample_count = 10, sample_size = 1)]
fn leiden_modularity(bencher: divan::Bencher) {
    let graph = &*GRAPH;
    bencher.counter(edges()).bench(|| Leiden::new().seed(1).run(graph).expect("valid parameters"));
}

/// Leiden, CPM γ = 0.05.
#[divan::bench(sample_count = 10, sample_size = 1)]
fn leiden_cpm(bencher: divan::Bencher) {
    let graph = &*GRAPH;
    let leiden = Leiden::new().seed(1).objective(Objective::Cpm { resolution: 0.05 });
    bencher.counter(edges()).bench(|| leiden.run(graph).expect("valid parameters"));
}

/// Louvain (no refinement), modularity γ = 1.
#[divan::bench(sample_count = 10, sample_size = 1)]
fn louvain_modularity(bencher: divan::Bencher) {
    let graph = &*GRAPH;
    bencher.counter(edges()).bench(|| Leiden::louvain().seed(1).run(graph).expect("valid parameters"));
}

/// A single Leiden iteration (leidenalg's and igraph's default is two).
#[divan::bench(sample_count = 10, sample_size = 1)]
fn leiden_one_iteration(bencher: divan::Bencher) {
    let graph = &*GRAPH;
    bencher.counter(edges()).bench(|| Leiden::new().seed(1).max_iterations(1).run(graph).expect("valid parameters"));
}
