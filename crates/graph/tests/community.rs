//! Community detection end to end. Every run goes through `check`, which asserts the
//! invariants any result must satisfy (canonical ids, connected communities, quality equal
//! to a brute-force evaluation, never worse than singletons, no improving single-node move)
//! before a test looks at the grouping itself.

use proptest::prelude::*;
use swarmscan_graph::synth::{Planted, planted_partition};
use swarmscan_graph::{Error, Graph, Leiden, Objective, Partition, connected_components, nmi};

type Edges = Vec<(u32, u32, f64)>;

/// Dense symmetric adjacency from a raw edge list, with the documented conventions
/// (duplicates summed, self-loops dropped), independent of `Graph`.
fn dense(n: usize, edges: &[(u32, u32, f64)]) -> Vec<Vec<f64>> {
    let mut a = vec![vec![0.0; n]; n];
    for &(u, v, w) in edges {
        if u != v {
            a[u as usize][v as usize] += w;
            a[v as usize][u as usize] += w;
        }
    }
    a
}

/// Quality straight from the textbook definitions, O(n²).
fn brute_quality(a: &[Vec<f64>], objective: Objective, membership: &[u32]) -> f64 {
    let n = a.len();
    match objective {
        Objective::Modularity { resolution } => {
            let k: Vec<f64> = a.iter().map(|row| row.iter().sum()).collect();
            let two_m: f64 = k.iter().sum();
            if two_m == 0.0 {
                return 0.0;
            }
            let mut q = 0.0;
            for i in 0..n {
                for j in 0..n {
                    if membership[i] == membership[j] {
                        q += a[i][j] - resolution * k[i] * k[j] / two_m;
                    }
                }
            }
            q / two_m
        }
        Objective::Cpm { resolution } => {
            let mut h = 0.0;
            for i in 0..n {
                for j in i + 1..n {
                    if membership[i] == membership[j] {
                        h += a[i][j] - resolution;
                    }
                }
            }
            h
        }
    }
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * (1.0 + a.abs().max(b.abs()))
}

/// Communities numbered `0..k` by decreasing size, ties by lowest node id.
fn assert_canonical(membership: &[u32]) {
    let k = membership.iter().max().map_or(0, |&c| c as usize + 1);
    let mut stats = vec![(0usize, usize::MAX); k]; // (size, lowest node) per id
    for (v, &c) in membership.iter().enumerate() {
        let s = &mut stats[c as usize];
        s.0 += 1;
        s.1 = s.1.min(v);
    }
    for w in stats.windows(2) {
        assert!(w[1].0 > 0, "ids not compact: {membership:?}");
        assert!(w[0].0 > w[1].0 || (w[0].0 == w[1].0 && w[0].1 < w[1].1), "not canonical: {membership:?}");
    }
}

/// Each community induces a connected subgraph (union-find, independent of the crate).
fn assert_connected(n: usize, edges: &[(u32, u32, f64)], membership: &[u32]) {
    fn find(p: &mut [usize], mut x: usize) -> usize {
        while p[x] != x {
            p[x] = p[p[x]];
            x = p[x];
        }
        x
    }
    let mut parent: Vec<usize> = (0..n).collect();
    for &(u, v, w) in edges {
        if w > 0.0 && membership[u as usize] == membership[v as usize] {
            let (a, b) = (find(&mut parent, u as usize), find(&mut parent, v as usize));
            parent[a] = b;
        }
    }
    let mut root_of = std::collections::HashMap::new();
    for (v, &c) in membership.iter().enumerate() {
        let r = find(&mut parent, v);
        let prev = root_of.insert(c, r);
        assert!(prev.is_none_or(|p| p == r), "community {c} is disconnected");
    }
}

/// No node can raise the quality by moving alone to a neighbour's community or to a new
/// one. Gains by the textbook delta formulas, from the dense matrix.
fn assert_node_optimal(a: &[Vec<f64>], objective: Objective, membership: &[u32]) {
    let n = a.len();
    let k: Vec<f64> = a.iter().map(|row| row.iter().sum()).collect();
    let two_m: f64 = k.iter().sum();
    let (node_weight, rho, gamma) = match objective {
        Objective::Modularity { resolution } if two_m > 0.0 => (k.clone(), resolution / two_m, resolution),
        Objective::Modularity { .. } => return, // no edges: every partition scores 0
        Objective::Cpm { resolution } => (vec![1.0; n], resolution, resolution),
    };
    let mut total = std::collections::HashMap::<u32, f64>::new();
    for v in 0..n {
        *total.entry(membership[v]).or_default() += node_weight[v];
    }
    for v in 0..n {
        let weight_to = |c: u32| (0..n).filter(|&u| u != v && membership[u] == c).map(|u| a[v][u]).sum::<f64>();
        let own = membership[v];
        // Unnormalised gain of joining `c` from being alone.
        let stay = weight_to(own) - rho * node_weight[v] * (total[&own] - node_weight[v]);
        let mut targets: Vec<u32> = (0..n).filter(|&u| a[v][u] > 0.0).map(|u| membership[u]).collect();
        targets.dedup();
        for c in targets.into_iter().filter(|&c| c != own) {
            let gain = weight_to(c) - rho * node_weight[v] * total[&c];
            assert!(gain <= stay + 1e-9 * (1.0 + gamma + stay.abs()), "moving {v} to {c}: {gain} > {stay}");
        }
        assert!(stay >= -1e-9 * (1.0 + gamma), "moving {v} to a new community gains {}", -stay);
    }
}

/// Runs `leiden` on the graph and checks every invariant; returns the partition.
fn check(n: usize, edges: &[(u32, u32, f64)], leiden: &Leiden, objective: Objective) -> Partition {
    let graph = Graph::from_edges(n, edges.iter().copied()).expect("valid graph");
    let p = leiden.clone().objective(objective).run(&graph).expect("valid parameters");
    assert_eq!(p.membership.len(), n);
    assert_canonical(&p.membership);
    assert_connected(n, edges, &p.membership);
    let a = dense(n, edges);
    let brute = brute_quality(&a, objective, &p.membership);
    assert!(close(p.quality, brute), "reported {} vs brute force {brute}", p.quality);
    assert!(close(objective.quality(&graph, &p.membership).unwrap(), brute));
    let singletons: Vec<u32> = (0..n as u32).collect();
    assert!(p.quality >= brute_quality(&a, objective, &singletons) - 1e-12);
    assert_node_optimal(&a, objective, &p.membership);
    p
}

const MODULARITY: Objective = Objective::Modularity { resolution: 1.0 };

fn planted_5x100() -> Planted {
    planted_partition(5, 100, 0.2, 0.002, 7)
}

fn modes() -> [Leiden; 2] {
    [Leiden::new().seed(42), Leiden::louvain().seed(42)]
}

#[test]
fn planted_partition_is_recovered() {
    let g = planted_5x100();
    for leiden in modes() {
        for objective in [MODULARITY, Objective::Cpm { resolution: 0.05 }] {
            let p = check(g.node_count, &g.edges, &leiden, objective);
            let score = nmi(&p.membership, &g.truth).unwrap();
            assert!(score >= 0.99, "{leiden:?} {objective:?}: NMI {score}");
        }
    }
}

#[test]
fn a_hundred_small_groups_need_cpm() {
    // 100 groups of 20 with m ≈ 14k: below modularity's resolution limit, so modularity
    // merges groups (and rightly scores that higher than the truth); CPM recovers them.
    let g = planted_partition(100, 20, 0.5, 0.002, 11);
    let graph = Graph::from_edges(g.node_count, g.edges.iter().copied()).unwrap();
    let truth_q = MODULARITY.quality(&graph, &g.truth).unwrap();
    for leiden in modes() {
        let p = check(g.node_count, &g.edges, &leiden, MODULARITY);
        assert!(p.community_count() < 90 && p.quality >= truth_q, "{leiden:?}: {} communities", p.community_count());
        let p = check(g.node_count, &g.edges, &leiden, Objective::Cpm { resolution: 0.1 });
        assert!(nmi(&p.membership, &g.truth).unwrap() >= 0.99, "{leiden:?}");
    }
}

/// `count` cliques of `size` nodes, clique `i` joined to clique `i + 1` by one edge.
fn ring_of_cliques(count: u32, size: u32) -> (usize, Edges, Vec<u32>) {
    let mut edges = Vec::new();
    for c in 0..count {
        let base = c * size;
        for i in 0..size {
            for j in i + 1..size {
                edges.push((base + i, base + j, 1.0));
            }
        }
        edges.push((base + size - 1, ((c + 1) % count) * size, 1.0));
    }
    let truth = (0..count * size).map(|v| v / size).collect();
    ((count * size) as usize, edges, truth)
}

#[test]
fn ring_of_large_cliques_splits_into_cliques() {
    let (n, edges, truth) = ring_of_cliques(10, 10);
    for leiden in modes() {
        let p = check(n, &edges, &leiden, MODULARITY);
        assert_eq!(p.membership, truth, "{leiden:?}");
    }
}

#[test]
fn ring_of_small_cliques_shows_the_resolution_limit() {
    // 30 K5s: modularity prefers pairs of cliques over single cliques (Fortunato &
    // Barthélemy 2007); CPM has no resolution limit and finds every clique.
    let (n, edges, truth) = ring_of_cliques(30, 5);
    let graph = Graph::from_edges(n, edges.iter().copied()).unwrap();
    let cliques = MODULARITY.quality(&graph, &truth).unwrap();
    let pairs_first: Vec<u32> = truth.iter().map(|&c| c / 2).collect();
    let pairs_second: Vec<u32> = truth.iter().map(|&c| (c + 1) % 30 / 2).collect();
    let pairs = MODULARITY.quality(&graph, &pairs_first).unwrap();
    assert!(pairs > cliques);
    assert!(close(pairs, MODULARITY.quality(&graph, &pairs_second).unwrap()));
    for leiden in modes() {
        // Leiden finds a local optimum: better than single cliques, close to the pairs.
        let p = check(n, &edges, &leiden, MODULARITY);
        assert!(p.quality > cliques && p.quality >= pairs * 0.995, "{leiden:?}: {} vs {pairs}", p.quality);
        let p = check(n, &edges, &leiden, Objective::Cpm { resolution: 0.5 });
        assert_eq!(p.membership, truth, "{leiden:?}");
    }
}

#[test]
fn disconnected_graph_with_isolated_nodes() {
    // Two planted graphs side by side, then 7 isolated nodes.
    let a = planted_partition(3, 40, 0.3, 0.01, 1);
    let b = planted_partition(2, 30, 0.3, 0.01, 2);
    let off = a.node_count as u32;
    let n = a.node_count + b.node_count + 7;
    let mut edges = a.edges.clone();
    edges.extend(b.edges.iter().map(|&(u, v, w)| (u + off, v + off, w)));
    let mut truth = a.truth.clone();
    truth.extend(b.truth.iter().map(|&c| c + 3));
    truth.extend(5..12);
    let graph = Graph::from_edges(n, edges.iter().copied()).unwrap();
    let components = connected_components(&graph);
    for leiden in modes() {
        let p = check(n, &edges, &leiden, MODULARITY);
        assert!(nmi(&p.membership, &truth).unwrap() >= 0.99);
        // Isolated nodes are singletons, numbered last in node order.
        let k = p.community_count() as u32;
        assert_eq!(&p.membership[n - 7..], &(k - 7..k).collect::<Vec<_>>()[..]);
        // No community spans two components.
        for (u, v, _) in graph.edges() {
            assert_eq!(components[u as usize], components[v as usize]);
        }
        let mut comp_of = vec![u32::MAX; p.community_count()];
        for v in 0..n {
            let c = &mut comp_of[p.membership[v] as usize];
            assert!(*c == u32::MAX || *c == components[v]);
            *c = components[v];
        }
    }
}

#[test]
fn skewed_weights() {
    // Weights spread over six orders of magnitude, heavy-tailed: invariants must hold and
    // the heavy structure must dominate.
    let g = planted_partition(4, 50, 0.3, 0.02, 3);
    let mut edges: Edges =
        g.edges.iter().enumerate().map(|(i, &(u, v, w))| (u, v, w * 10f64.powi((i % 7) as i32 - 3))).collect();
    // A few very heavy cross-group edges and many near-zero ones.
    edges.push((0, 199, 1e6));
    edges.extend((0..150).map(|v| (v, v + 50, 1e-9)));
    for leiden in modes() {
        for objective in [MODULARITY, Objective::Modularity { resolution: 2.0 }, Objective::Cpm { resolution: 1.0 }] {
            check(g.node_count, &edges, &leiden, objective);
        }
    }
}

#[test]
fn empty_and_edgeless_graphs() {
    for leiden in modes() {
        for objective in [MODULARITY, Objective::Cpm { resolution: 1.0 }] {
            let p = check(0, &[], &leiden, objective);
            assert_eq!(p, Partition { membership: vec![], quality: 0.0 });
            let p = check(5, &[], &leiden, objective);
            assert_eq!(p, Partition { membership: vec![0, 1, 2, 3, 4], quality: 0.0 });
            // A single edge heavier than γ: the pair belongs together under both objectives.
            let p = check(3, &[(2, 1, 2.0)], &leiden, objective);
            assert_eq!(p.membership, vec![1, 0, 0]);
        }
    }
}

#[test]
fn resolution_zero_and_high() {
    let g = planted_5x100();
    // γ = 0: no penalty, every component is one community.
    let p = check(g.node_count, &g.edges, &Leiden::new(), Objective::Modularity { resolution: 0.0 });
    let graph = Graph::from_edges(g.node_count, g.edges.iter().copied()).unwrap();
    assert_eq!(p.membership, connected_components(&graph));
    // A CPM threshold above every edge weight: nothing is worth merging.
    let p = check(g.node_count, &g.edges, &Leiden::new(), Objective::Cpm { resolution: 2.0 });
    assert_eq!(p.community_count(), g.node_count);
}

#[test]
fn same_seed_same_partition_on_any_thread_count() {
    let g = planted_partition(8, 60, 0.1, 0.01, 5); // noisy enough for the seed to matter
    let graph = Graph::from_edges(g.node_count, g.edges.iter().copied()).unwrap();
    let pool = |threads| rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
    for leiden in modes() {
        for objective in [MODULARITY, Objective::Cpm { resolution: 0.1 }] {
            let leiden = leiden.clone().objective(objective).seed(9);
            let first = leiden.run(&graph).unwrap();
            assert_eq!(first, leiden.run(&graph).unwrap());
            assert_eq!(first, pool(1).install(|| leiden.run(&graph).unwrap()));
            assert_eq!(first, pool(2).install(|| leiden.run(&graph).unwrap()));
            // Building the graph under another pool changes nothing either.
            let rebuilt = pool(2).install(|| Graph::from_edges(g.node_count, g.edges.iter().copied()).unwrap());
            assert_eq!(rebuilt, graph);
            // Bit-identical quality, not just close.
            assert_eq!(first.quality.to_bits(), leiden.run(&rebuilt).unwrap().quality.to_bits());
        }
    }
}

#[test]
fn greedy_refinement_and_iteration_cap() {
    let g = planted_5x100();
    let p = check(g.node_count, &g.edges, &Leiden::new().randomness(0.0), MODULARITY);
    assert!(nmi(&p.membership, &g.truth).unwrap() >= 0.99);
    let graph = Graph::from_edges(g.node_count, g.edges.iter().copied()).unwrap();
    let p = Leiden::new().max_iterations(0).run(&graph).unwrap();
    assert_eq!(p.community_count(), g.node_count);
    let one = Leiden::new().max_iterations(1).run(&graph).unwrap();
    assert!(nmi(&one.membership, &g.truth).unwrap() >= 0.99);
}

#[test]
fn invalid_parameters_are_errors() {
    let graph = Graph::from_edges(2, [(0, 1, 1.0)]).unwrap();
    for (leiden, name) in [
        (Leiden::new().objective(Objective::Modularity { resolution: -1.0 }), "resolution"),
        (Leiden::new().objective(Objective::Cpm { resolution: f64::NAN }), "resolution"),
        (Leiden::new().randomness(-0.1), "randomness"),
        (Leiden::new().randomness(f64::INFINITY), "randomness"),
    ] {
        match leiden.run(&graph) {
            Err(Error::InvalidParameter { name: got, .. }) => assert_eq!(got, name),
            other => panic!("expected an InvalidParameter error, got {other:?}"),
        }
    }
    assert_eq!(MODULARITY.quality(&graph, &[0]), Err(Error::MembershipLength { expected: 2, found: 1 }));
}

fn arb_graph() -> impl Strategy<Value = (usize, Edges)> {
    (1usize..28).prop_flat_map(|n| {
        let edge = (0..n as u32, 0..n as u32, prop_oneof![Just(1.0), 0.01f64..10.0]);
        (Just(n), proptest::collection::vec(edge, 0..90))
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn any_graph_any_mode((n, edges) in arb_graph(), seed in 0u64..1000, refine in any::<bool>(), cpm in any::<bool>(), gamma in 0.0f64..2.0) {
        let objective = if cpm { Objective::Cpm { resolution: gamma } } else { Objective::Modularity { resolution: gamma } };
        let leiden = Leiden::new().seed(seed).refine(refine);
        let p = check(n, &edges, &leiden, objective);
        // Determinism: a second run is identical.
        let graph = Graph::from_edges(n, edges.iter().copied()).unwrap();
        prop_assert_eq!(p, leiden.objective(objective).run(&graph).unwrap());
    }
}
