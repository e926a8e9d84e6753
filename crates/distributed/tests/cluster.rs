//! The Ballista cluster against the local engine: an in-process scheduler
//! with two executors gives the local edges, edge for edge, for every keyed
//! network on generated data at two scales, and a scan whose pair tests
//! sweep there writes the local scan's outputs byte for byte at both
//! scales; the submitted plan has the two
//! shuffles; staged files do not outlive a run; failures are errors.
//!
//! The three-process test (a scheduler and two executors started as
//! `swarmscan cluster …`, the client `swarmscan network --cluster`) is the
//! binary's: `crates/cli/tests/cluster.rs`.

use std::path::PathBuf;
use std::sync::OnceLock;
use swarmscan_detect::{Edges, Mode, Network, Params, compute, prepare};
use swarmscan_df::SweepOptions;
use swarmscan_distributed::cluster::LocalCluster;
use swarmscan_distributed::{ClusterRun, Error, cluster_plan, edges_on_cluster_async};
use swarmscan_gen::{Format, GenConfig, generate};
use swarmscan_ingest::{ReadOptions, read_inputs};
use swarmscan_model::Events;

/// Every keyed sweep `swarmscan network` has.
const NETWORKS: [Network; 6] =
    [Network::CoRepost, Network::CoLink, Network::CoReply, Network::CoText, Network::CoPost, Network::CoHashtag];

/// Generated events at `scale` (0.02 ≈ 20 k events, 0.1 ≈ 100 k).
fn events(scale: f64) -> &'static Events {
    static CACHE: [OnceLock<Events>; 2] = [OnceLock::new(), OnceLock::new()];
    CACHE[usize::from(scale > 0.05)].get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let cfg = GenConfig { scale, seed: 11, formats: vec![Format::Twarc2], ..GenConfig::default() };
        generate(&cfg, dir.path()).unwrap();
        let input = dir.path().join("events.jsonl").display().to_string();
        read_inputs(&[input], &ReadOptions::default(), None).unwrap().0
    })
}

fn run_on(cluster: &LocalCluster, staging: PathBuf) -> ClusterRun {
    ClusterRun { scheduler: cluster.addr.clone(), partitions: cluster.partitions, staging }
}

/// The cluster's edges equal the local engine's; returns how many.
async fn check(ev: &Events, network: Network, params: &Params, run: &ClusterRun) -> usize {
    let Edges::Undirected(want) = compute(ev, network, params).unwrap().edges else { unreachable!() };
    let prepared = prepare(ev, network, params).unwrap();
    let got = edges_on_cluster_async(&prepared, run).await.unwrap();
    assert_eq!(got.len(), want.len(), "{network}: edge count");
    assert!(got == want, "{network}: edges differ");
    want.len()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_executors_give_the_local_edges_for_every_network_at_two_scales() {
    let cluster = LocalCluster::start(2, 2, 4).await.unwrap();
    let staging = tempfile::tempdir().unwrap();
    let run = run_on(&cluster, staging.path().to_path_buf());
    for scale in [0.02, 0.1] {
        let ev = events(scale);
        for network in NETWORKS {
            // Min weight 1 gives every network edges, so no comparison is vacuous.
            for min_weight in [2, 1] {
                let params = Params { min_weight, ..Params::new(Mode::Default) };
                let n = check(ev, network, &params, &run).await;
                assert!(min_weight == 2 || n > 0, "{network} at scale {scale}: no edges to compare");
            }
        }
    }
    let left: Vec<_> = std::fs::read_dir(staging.path()).unwrap().collect();
    assert!(left.is_empty(), "staged actions left behind: {left:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn parameters_and_partition_counts_carry_through_the_cluster() {
    let ev = events(0.02);
    let variants = [
        Params { min_weight: 1, evidence: 0, ..Params::new(Mode::Default) },
        Params { min_weight: 1, evidence: 2, window_ms: 5_000, ..Params::new(Mode::Default) },
        Params { max_key_actors: Some(3), ..Params::new(Mode::Default) },
        Params { weights_only: true, ..Params::new(Mode::Default) },
    ];
    // One partition (one task does everything) and more partitions than
    // task slots.
    for partitions in [1, 7] {
        let cluster = LocalCluster::start(2, 1, partitions).await.unwrap();
        let staging = tempfile::tempdir().unwrap();
        let run = run_on(&cluster, staging.path().to_path_buf());
        for params in &variants {
            for network in [Network::CoLink, Network::CoRepost, Network::CoPost] {
                check(ev, network, params, &run).await;
            }
        }
    }
}

/// Delegates to the cluster and counts the jobs sent, so a scan that
/// quietly stayed local cannot pass.
struct Counted(ClusterRun, std::sync::atomic::AtomicUsize);

impl swarmscan_scan::RemoteSweep for Counted {
    fn pair_weights(
        &self,
        actions: &swarmscan_detect::keyed::KeyedActions,
        params: &Params,
    ) -> Result<Vec<swarmscan_detect::Edge>, swarmscan_scan::RemoteError> {
        self.1.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        self.0.pair_weights(actions, params)
    }

    fn describe(&self) -> String {
        self.0.describe()
    }
}

/// Every output file of `scan` (the contract's CSVs, the report, the
/// graphs), as the binary writes them.
fn scan_outputs(ev: &Events, params: &swarmscan_scan::ScanParams) -> Vec<(&'static str, Vec<u8>)> {
    let outlets = swarmscan_domains::OutletList::builtin();
    let run = swarmscan_scan::run(ev, params, &outlets, &|_| {}).unwrap();
    let data = swarmscan_report::explain(&run.result, &run.params, &run.lookalikes, Default::default());
    swarmscan_report::OUTPUTS
        .iter()
        .map(|(name, write)| {
            let mut b = Vec::new();
            write(&data, &mut b).unwrap();
            (*name, b)
        })
        .collect()
}

/// `scan --cluster` as the library runs it: with every level's pair-test
/// sweeps on an in-process cluster of two executors, a scan writes the
/// local scan's outputs byte for byte, at two scales.
#[test]
fn a_scan_on_the_cluster_writes_the_local_outputs_at_two_scales() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let cluster = rt.block_on(LocalCluster::start(2, 2, 4)).unwrap();
    let staging = tempfile::tempdir().unwrap();
    for scale in [0.02, 0.1] {
        let ev = events(scale);
        let local = swarmscan_scan::ScanParams::default();
        let want = scan_outputs(ev, &local);
        let counted = std::sync::Arc::new(Counted(run_on(&cluster, staging.path().to_path_buf()), Default::default()));
        let params = swarmscan_scan::ScanParams { remote: swarmscan_scan::Remote::new(counted.clone()), ..local };
        let got = scan_outputs(ev, &params);
        let jobs = counted.1.load(std::sync::atomic::Ordering::Relaxed);
        assert!(jobs >= 6, "scale {scale}: only {jobs} levels went to the cluster");
        let clusters = &want.iter().find(|f| f.0 == "clusters.csv").unwrap().1;
        assert!(clusters.iter().filter(|&&b| b == b'\n').count() > 1, "scale {scale}: no cluster to compare");
        for ((name, w), (_, g)) in want.iter().zip(&got) {
            assert!(w == g, "scale {scale}: {name} differs");
        }
    }
    let left: Vec<_> = std::fs::read_dir(staging.path()).unwrap().collect();
    assert!(left.is_empty(), "staged actions left behind: {left:?}");
    drop(cluster);
    rt.shutdown_background();
}

#[test]
fn the_plan_shuffles_by_group_then_by_account() {
    let files = vec![
        (PathBuf::from("/nonexistent/actions-0.parquet"), 100),
        (PathBuf::from("/nonexistent/actions-1.parquet"), 100),
    ];
    let opts = SweepOptions::new(Network::CoLink, &Params::new(Mode::Default));
    let plan = cluster_plan(&files, &opts, 4).unwrap();
    let text = datafusion::physical_plan::displayable(plan.as_ref()).indent(false).to_string();
    let lines: Vec<&str> = text.lines().map(str::trim).collect();
    let find = |needle: &str| {
        lines.iter().position(|l| l.contains(needle)).unwrap_or_else(|| panic!("no {needle} in\n{text}"))
    };
    // Top to bottom: merge, shuffle by a, sweep, sort, shuffle by sweep group, scan.
    let merge = find("PairMergeExec");
    let by_a = find("RepartitionExec: partitioning=Hash([a@0], 4)");
    let sweep = find("CoActionSweepExec");
    let sort = find("SortExec: expr=[group@0 ASC, ts_ms@2 ASC, account@3 ASC, row@4 ASC]");
    let by_key = find("RepartitionExec: partitioning=Hash([group@0], 4)");
    let scan = find("DataSourceExec");
    assert!(merge < by_a && by_a < sweep && sweep < sort && sort < by_key && by_key < scan, "{text}");
    assert!(lines[scan].contains("parquet"), "{text}");
    assert_eq!(lines.iter().filter(|l| l.contains("RepartitionExec")).count(), 2, "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unsupported_runs_and_unreachable_schedulers_are_errors() {
    let ev = events(0.02);
    let staging = tempfile::tempdir().unwrap();
    // A port nothing listens on: bind one, note it, close it.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let run =
        ClusterRun { scheduler: format!("127.0.0.1:{port}"), partitions: 2, staging: staging.path().to_path_buf() };
    let p = Params::new(Mode::Default);
    let similar = prepare(ev, Network::CoSimilar, &p).unwrap();
    assert!(matches!(edges_on_cluster_async(&similar, &run).await, Err(Error::Plan(_))));
    let cnt = prepare(ev, Network::CoLink, &Params::new(Mode::Cnt)).unwrap();
    assert!(matches!(edges_on_cluster_async(&cnt, &run).await, Err(Error::Plan(_))));
    let link = prepare(ev, Network::CoLink, &p).unwrap();
    let err = edges_on_cluster_async(&link, &run).await.unwrap_err();
    assert!(!matches!(err, Error::Plan(_)), "{err}");
    let left: Vec<_> = std::fs::read_dir(staging.path()).unwrap().collect();
    assert!(left.is_empty(), "staged actions left behind after an error: {left:?}");
}
