//! The DataFusion plan against the native engine: the same edges for every
//! keyed network on generated data and on random small actions, whatever
//! the number of partitions; and the shuffles DataFusion inserts.
//!
//! co_similar is a similarity join, not a keyed sweep, and has no plan here
//! (`network_edges` refuses it; tested).

use proptest::prelude::*;
use std::sync::OnceLock;
use swarmscan_detect::keyed::KeyedActions;
use swarmscan_detect::{Edges, Mode, Network, Params, compute};
use swarmscan_df::{Error, SweepOptions, keyed_edges, network_edges, physical_plan, session, unoptimized_plan};
use swarmscan_gen::{Format, GenConfig, generate};
use swarmscan_ingest::{ReadOptions, read_inputs};
use swarmscan_model::Events;

/// The networks the plan computes: every keyed sweep `swarmscan network` has.
const NETWORKS: [Network; 6] =
    [Network::CoRepost, Network::CoLink, Network::CoReply, Network::CoText, Network::CoPost, Network::CoHashtag];

fn events(seed: u64) -> &'static Events {
    static CACHE: [OnceLock<Events>; 2] = [OnceLock::new(), OnceLock::new()];
    CACHE[usize::from(seed != 7)].get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let cfg = GenConfig { scale: 0.02, seed, formats: vec![Format::Twarc2], ..GenConfig::default() };
        generate(&cfg, dir.path()).unwrap();
        let input = dir.path().join("events.jsonl").display().to_string();
        read_inputs(&[input], &ReadOptions::default(), None).unwrap().0
    })
}

/// The one check: the plan's edges with `partitions` partitions equal the
/// native engine's; returns how many there were.
fn check(ev: &Events, network: Network, params: &Params, partitions: usize) -> usize {
    let Edges::Undirected(want) = compute(ev, network, params).unwrap().edges else { unreachable!() };
    let got = network_edges(ev, network, params, partitions).unwrap();
    assert_eq!(got.len(), want.len(), "{network} with {partitions} partitions: edge count");
    assert!(got == want, "{network} with {partitions} partitions: edges differ");
    want.len()
}

#[test]
fn every_keyed_network_equals_the_native_engine() {
    for seed in [7, 42] {
        let ev = events(seed);
        for network in NETWORKS {
            // The defaults, and min weight 1, which gives every network edges
            // (co_hashtag's exact hashtag sets rarely repeat twice per pair),
            // so no comparison is vacuous.
            for min_weight in [2, 1] {
                let params = Params { min_weight, ..Params::new(Mode::Default) };
                let n: Vec<usize> = [1, 2, 7].into_iter().map(|parts| check(ev, network, &params, parts)).collect();
                assert!(min_weight == 2 || n[0] > 0, "{network}, seed {seed}: no edges to compare");
            }
        }
    }
}

#[test]
fn parameters_carry_through_the_plan() {
    let ev = events(42);
    let variants = [
        Params { min_weight: 1, evidence: 0, ..Params::new(Mode::Default) },
        Params { min_weight: 1, evidence: 2, window_ms: 5_000, ..Params::new(Mode::Default) },
        Params { max_key_actors: Some(3), ..Params::new(Mode::Default) },
        Params { weights_only: true, ..Params::new(Mode::Default) },
    ];
    for params in &variants {
        for network in [Network::CoLink, Network::CoRepost, Network::CoPost] {
            check(ev, network, params, 3);
        }
    }
}

#[test]
fn unsupported_runs_are_refused() {
    let ev = events(42);
    let cnt = Params::new(Mode::Cnt);
    assert!(matches!(network_edges(ev, Network::CoLink, &cnt, 2), Err(Error::Unsupported(_))));
    let p = Params::new(Mode::Default);
    assert!(matches!(network_edges(ev, Network::CoSimilar, &p, 2), Err(Error::Unsupported(_))));
}

/// The indented plan, one operator a line, indentation stripped.
fn plan_lines(partitions: usize) -> Vec<String> {
    let mut ka = KeyedActions::default();
    for i in 0..100u32 {
        ka.push(i % 7, i64::from(i) * 10, i % 5, i);
    }
    let opts =
        SweepOptions { window_ms: 20, max_key_actors: None, keyed: true, min_weight: 1, evidence: 2, salt_above: None };
    let ctx = session(partitions);
    let plan = physical_plan(&ctx, &ka, &opts).unwrap();
    let text = datafusion::physical_plan::displayable(plan.as_ref()).indent(false).to_string();
    text.lines().map(|l| l.trim().to_owned()).collect()
}

fn position(lines: &[String], what: &str) -> usize {
    lines.iter().position(|l| l.starts_with(what)).unwrap_or_else(|| panic!("no `{what}` in\n{}", lines.join("\n")))
}

#[test]
fn explain_shows_a_shuffle_on_sweep_group_below_the_sweep_and_on_account_below_the_merge() {
    let lines = plan_lines(4);
    let all = lines.join("\n");
    let merge = position(&lines, "PairMergeExec");
    let by_a = position(&lines, "RepartitionExec: partitioning=Hash([a@0], 4)");
    let sweep = position(&lines, "CoActionSweepExec");
    let sort = position(&lines, "SortExec: expr=[group@0 ASC, ts_ms@2 ASC, account@3 ASC, row@4 ASC]");
    let by_key = position(&lines, "RepartitionExec: partitioning=Hash([group@0], 4)");
    let source = position(&lines, "DataSourceExec");
    assert!(merge < by_a && by_a < sweep && sweep < sort && sort < by_key && by_key < source, "{all}");
    // Exactly two shuffles by hash, no more.
    assert_eq!(lines.iter().filter(|l| l.contains("partitioning=Hash(")).count(), 2, "{all}");
    // Before the optimizer, none: DataFusion placed both.
    let mut ka = KeyedActions::default();
    ka.push(0, 0, 0, 0);
    let opts =
        SweepOptions { window_ms: 1, max_key_actors: None, keyed: true, min_weight: 1, evidence: 1, salt_above: None };
    let raw = unoptimized_plan(&ka, &opts, 4).unwrap();
    let raw = datafusion::physical_plan::displayable(raw.as_ref()).indent(false).to_string();
    assert!(!raw.contains("RepartitionExec") && !raw.contains("SortExec"), "{raw}");
}

#[test]
fn one_partition_needs_no_shuffle() {
    let lines = plan_lines(1);
    assert!(!lines.iter().any(|l| l.contains("partitioning=Hash(")), "{}", lines.join("\n"));
    position(&lines, "SortExec");
}

fn native(ka: &KeyedActions, opts: &SweepOptions, accounts: usize) -> Vec<swarmscan_detect::Edge> {
    let (w, _) = swarmscan_detect::keyed::windows(ka, opts.window_ms, opts.max_key_actors);
    swarmscan_detect::aggregate::undirected(ka, &w, accounts, opts.keyed, opts.min_weight, opts.evidence)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// Random small actions (few times, accounts and keys: equal times,
    /// window edges, self pairs, messages with several keys): the plan's
    /// edges equal the native aggregation's on any number of partitions.
    #[test]
    fn plan_equals_native_on_random_actions(
        msgs in proptest::collection::vec((0u32..6, 0i64..40, proptest::collection::btree_set(0u32..5, 1..3)), 0..40),
        w in 0i64..12, min_weight in 0u32..3, keyed: bool, evidence in 0usize..4, partitions in 1usize..6,
        cap in proptest::option::of(1usize..4), salt_above in proptest::option::of(1usize..6),
    ) {
        let mut ka = KeyedActions::default();
        for (row, (acc, ts, keys)) in msgs.into_iter().enumerate() {
            for k in keys {
                ka.push(k, ts, acc, row as u32);
            }
        }
        ka.sort();
        let opts = SweepOptions { window_ms: w, max_key_actors: cap, keyed, min_weight, evidence, salt_above };
        let got = keyed_edges(&ka, &opts, partitions).unwrap();
        prop_assert_eq!(got, native(&ka, &opts, 6));
    }
}
