//! Graph construction and connected components, checked against plain `BTreeMap` and
//! union-find oracles through one `check` helper.

use std::collections::BTreeMap;

use proptest::prelude::*;
use swarmscan_graph::{Error, Graph, connected_components};

type Edges = Vec<(u32, u32, f64)>;

/// The documented conventions, the slow way: duplicates summed in input order, self-loops
/// and zero weights dropped.
fn oracle(edges: &[(u32, u32, f64)]) -> BTreeMap<(u32, u32), f64> {
    let mut map = BTreeMap::new();
    for &(u, v, w) in edges {
        if u != v {
            *map.entry((u.min(v), u.max(v))).or_insert(0.0) += w;
        }
    }
    map.retain(|_, w| *w != 0.0);
    map
}

/// Builds the graph and checks it against the oracle, then returns it.
fn check(n: usize, edges: &[(u32, u32, f64)]) -> Graph {
    let g = Graph::from_edges(n, edges.iter().copied()).expect("valid edges");
    let want = oracle(edges);
    assert_eq!(g.node_count(), n);
    assert_eq!(g.edge_count(), want.len());
    let got: BTreeMap<(u32, u32), f64> = g.edges().map(|(u, v, w)| ((u, v), w)).collect();
    assert_eq!(got, want, "edges differ");
    let mut total = 0.0;
    for v in 0..n as u32 {
        let row: Vec<(u32, f64)> = g.neighbors(v).collect();
        assert_eq!(row.len(), g.degree(v));
        assert!(row.windows(2).all(|w| w[0].0 < w[1].0), "row {v} not sorted: {row:?}");
        for &(u, w) in &row {
            // Both directions carry the bit-identical weight.
            let back = g.neighbors(u).find(|&(x, _)| x == v).expect("symmetric");
            assert_eq!(back.1.to_bits(), w.to_bits());
        }
        let s: f64 = row.iter().map(|&(_, w)| w).sum();
        assert!((g.strength(v) - s).abs() <= 1e-12 * s.max(1.0));
        assert_eq!(g.strengths()[v as usize], g.strength(v));
        total += s;
    }
    assert!((g.total_weight() - total / 2.0).abs() <= 1e-9 * total.max(1.0));
    assert_eq!(connected_components(&g), oracle_components(n, &want));
    g
}

/// Union-find components, numbered by decreasing size then lowest node id.
fn oracle_components(n: usize, edges: &BTreeMap<(u32, u32), f64>) -> Vec<u32> {
    fn find(p: &mut [usize], mut x: usize) -> usize {
        while p[x] != x {
            x = p[x];
        }
        x
    }
    let mut parent: Vec<usize> = (0..n).collect();
    for &(u, v) in edges.keys() {
        let (a, b) = (find(&mut parent, u as usize), find(&mut parent, v as usize));
        parent[a.max(b)] = a.min(b);
    }
    let roots: Vec<usize> = (0..n).map(|v| find(&mut parent, v)).collect();
    let mut groups: Vec<(usize, usize)> = Vec::new(); // (size, root = lowest node)
    for r in 0..n {
        let size = roots.iter().filter(|&&x| x == r).count();
        if size > 0 {
            groups.push((size, r));
        }
    }
    groups.sort_by_key(|&(size, root)| (std::cmp::Reverse(size), root));
    let mut id = vec![0u32; n];
    for (i, &(_, root)) in groups.iter().enumerate() {
        id[root] = i as u32;
    }
    roots.iter().map(|&r| id[r]).collect()
}

#[test]
fn conventions() {
    let g = check(5, &[(0, 1, 1.0), (1, 0, 0.5), (2, 2, 9.0), (3, 1, 2.0), (4, 3, 0.0), (1, 3, 0.25)]);
    assert_eq!(g.edge_count(), 2);
    assert_eq!(g.neighbors(1).collect::<Vec<_>>(), vec![(0, 1.5), (3, 2.25)]);
    assert_eq!((g.degree(2), g.strength(2)), (0, 0.0)); // the self-loop is gone
    assert_eq!(g.degree(4), 0); // so is the zero-weight edge
    assert_eq!(g.total_weight(), 3.75);
    assert_eq!(connected_components(&g), vec![0, 0, 1, 0, 2]);
}

#[test]
fn empty_graphs() {
    let g = check(0, &[]);
    assert_eq!(g.total_weight(), 0.0);
    assert_eq!(connected_components(&g), Vec::<u32>::new());
    let g = check(3, &[]);
    assert_eq!(connected_components(&g), vec![0, 1, 2]);
}

#[test]
fn bad_edges_are_errors_naming_the_culprit() {
    let cases: [(Edges, Error); 5] = [
        (vec![(0, 1, 1.0), (1, 3, 1.0)], Error::NodeOutOfRange { index: 1, u: 1, v: 3, node: 3, node_count: 3 }),
        (vec![(7, 0, 1.0)], Error::NodeOutOfRange { index: 0, u: 7, v: 0, node: 7, node_count: 3 }),
        (vec![(0, 1, -1.0)], Error::InvalidWeight { index: 0, u: 0, v: 1, weight: -1.0 }),
        (
            vec![(0, 1, 1.0), (2, 2, f64::INFINITY)],
            Error::InvalidWeight { index: 1, u: 2, v: 2, weight: f64::INFINITY },
        ),
        (vec![(0, 1, f64::MAX), (1, 2, f64::MAX)], Error::WeightOverflow),
    ];
    for (edges, want) in cases {
        assert_eq!(Graph::from_edges(3, edges), Err(want));
    }
    match Graph::from_edges(3, [(0, 1, f64::NAN)]) {
        Err(Error::InvalidWeight { index: 0, weight, .. }) => assert!(weight.is_nan()),
        other => panic!("expected InvalidWeight, got {other:?}"),
    }
    let msg = Graph::from_edges(2, [(0, 5, 1.0)]).unwrap_err().to_string();
    assert_eq!(msg, "edge #0 (0, 5): node 5 is out of range for a graph of 2 nodes");
}

#[test]
fn large_rows_under_any_pool() {
    // A star with repeated edges: one row far above the per-task block size.
    let n = 3000u32;
    let edges: Edges = (0..100_000u32).map(|i| (0, 1 + (i * 7919) % (n - 1), 1.0 + f64::from(i % 3))).collect();
    let g = check(n as usize, &edges);
    for threads in [1, 2] {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
        assert_eq!(pool.install(|| Graph::from_edges(n as usize, edges.iter().copied()).unwrap()), g);
    }
}

fn arb_edges() -> impl Strategy<Value = (usize, Edges)> {
    (0usize..40).prop_flat_map(|n| {
        let m = if n == 0 { 0..1 } else { 0..150 };
        let id = 0..n.max(1) as u32;
        let weight = prop_oneof![Just(0.0), Just(1.0), 0.001f64..1000.0];
        (Just(n), proptest::collection::vec((id.clone(), id, weight), m))
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn matches_the_oracle((n, edges) in arb_edges()) {
        check(n, &edges);
    }
}
