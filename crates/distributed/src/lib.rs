//! Co-action networks on an Apache DataFusion Ballista cluster (opt-in,
//! issue #18).
//!
//! [`swarmscan_df`] states the co-action sweep as a DataFusion physical plan
//! whose two operators ask for their input hash-partitioned by sweep group
//! (a key, or a time bucket of a hot key) and by account; this crate runs
//! that plan on Ballista, which cuts a shuffle stage at each of those
//! repartitions:
//!
//! ```text
//!   stage 1  ParquetScan(actions, one file per partition) → shuffle by sweep group
//!   stage 2  sort (group, ts_ms, account, row) → CoActionSweepExec → shuffle by a
//!   stage 3  PairMergeExec → edges, fetched by the client
//! ```
//!
//! # Flow of a run ([`edges_on_cluster`])
//!
//! 1. The client reads the collection and extracts the network's keyed
//!    actions exactly as the local engine does ([`swarmscan_detect::prepare`]):
//!    account and key numbers are the local run's, which is what makes the
//!    edges identical.
//! 2. It cuts hot keys into time buckets ([`swarmscan_df::actions_batches`])
//!    and writes the actions (28 bytes each before compression) as Parquet
//!    files, one per partition, into a fresh directory under a staging
//!    directory every executor sees at the same path (a shared file system;
//!    for executors on the client's machine, the system's temporary
//!    directory). The directory is removed when the run ends, on success or
//!    error.
//! 3. It builds the plan over those files, lets DataFusion's optimizer insert
//!    the repartitions and sort, and submits the ready physical plan
//!    (`execute_physical_plan`) with [`SwarmCodec`], which the scheduler and
//!    every executor share ([`cluster`]).
//! 4. It collects the edges and sorts them by `(a, b)`, the local order.
//!
//! The sweep and merge — the part whose cost grows with the square of a key's
//! accounts — run on the executors; reading and extraction stay on the
//! client (a collection the client can read once, analysed on a cluster).
//!
//! # Not yet
//!
//! * `scan --cluster` sends only its pair tests' sweeps here (the
//!   [`swarmscan_scan::RemoteSweep`] below); fitting the nulls, the group
//!   test and the evidence run on the client. Toolkit mode and co_similar's
//!   join: local only.
//! * Object-store staging (`s3://`): the staging directory is a path.
//!
//! Architecture Invariant: nothing here computes an edge: the kernels are
//! [`swarmscan_detect::keyed`]'s, wrapped by [`swarmscan_df`]'s operators;
//! this crate only moves their inputs and plans.

pub mod cluster;
mod codec;

pub use codec::SwarmCodec;

use ballista_core::error::BallistaError;
use ballista_core::execution_plans::execute_physical_plan;
use ballista_core::extension::SessionConfigExt;
use datafusion::datasource::listing::PartitionedFile;
use datafusion::datasource::physical_plan::{FileGroup, FileScanConfigBuilder, ParquetSource};
use datafusion::datasource::source::DataSourceExec;
use datafusion::error::DataFusionError;
use datafusion::execution::object_store::ObjectStoreUrl;
use datafusion::parquet::arrow::ArrowWriter;
use datafusion::parquet::basic::Compression;
use datafusion::parquet::errors::ParquetError;
use datafusion::parquet::file::properties::WriterProperties;
use datafusion::physical_plan::ExecutionPlan;
use datafusion::prelude::SessionContext;
use datafusion_proto::protobuf::PhysicalPlanNode;
use futures_util::TryStreamExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use swarmscan_detect::Prepared;
use swarmscan_detect::keyed::{Edge, KeyedActions};
use swarmscan_df::SweepOptions;

/// A failed cluster run.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The network or mode has no plan, or extracting it failed.
    #[error(transparent)]
    Plan(#[from] swarmscan_df::Error),
    /// The plan failed on the cluster or on the client.
    #[error("DataFusion: {0}")]
    DataFusion(#[from] DataFusionError),
    /// Ballista failed: the scheduler cannot be reached, a server failed.
    #[error("Ballista: {0}")]
    Ballista(#[from] BallistaError),
    /// The tokio runtime could not start.
    #[error("starting a tokio runtime: {0}")]
    Runtime(std::io::Error),
    /// Staging the actions failed.
    #[error("{what} {}: {source}", path.display())]
    Io {
        /// What was being done.
        what: &'static str,
        /// Where.
        path: PathBuf,
        /// Why it failed.
        source: std::io::Error,
    },
    /// A scheduler address is not `HOST:PORT`.
    #[error("`{0}` is not a scheduler address (HOST:PORT)")]
    Address(String),
    /// Writing the actions as Parquet failed.
    #[error("writing {}: {source}", path.display())]
    Parquet {
        /// The file.
        path: PathBuf,
        /// Why it failed.
        source: ParquetError,
    },
}

/// Where and how a run goes.
#[derive(Clone, Debug)]
pub struct ClusterRun {
    /// The scheduler, `HOST:PORT` (`http://` and `df://` prefixes are accepted).
    pub scheduler: String,
    /// Shuffle partitions (and staged files): at least the cluster's task
    /// slots, so every executor has work.
    pub partitions: usize,
    /// A directory every executor sees at the same path, for the actions.
    pub staging: PathBuf,
}

impl ClusterRun {
    /// The scheduler's gRPC address, `http://HOST:PORT`.
    fn url(&self) -> String {
        format!("http://{}", without_scheme(&self.scheduler))
    }
}

/// A scheduler address without its optional `df://` or `http://` prefix.
fn without_scheme(s: &str) -> &str {
    let s = s.trim();
    s.strip_prefix("df://").or_else(|| s.strip_prefix("http://")).unwrap_or(s)
}

/// The edges of the prepared network computed on the cluster: the same
/// edges, in the same order, as the local engine's `Edges::Undirected`
/// ([`swarmscan_df::check_supported`] says which networks and modes). Runs
/// on a tokio runtime of its own: not to be called from inside one (use
/// [`edges_on_cluster_async`] there).
pub fn edges_on_cluster(prepared: &Prepared<'_>, run: &ClusterRun) -> Result<Vec<Edge>, Error> {
    cluster::runtime()?.block_on(edges_on_cluster_async(prepared, run))
}

/// [`edges_on_cluster`] on the caller's runtime.
pub async fn edges_on_cluster_async(prepared: &Prepared<'_>, run: &ClusterRun) -> Result<Vec<Edge>, Error> {
    swarmscan_df::check_supported(prepared.network(), prepared.params())?;
    let opts = SweepOptions::new(prepared.network(), prepared.params());
    let edges = keyed_edges_on_cluster(prepared.keyed_actions(), &opts, run).await?;
    Ok(swarmscan_df::finish_edges(edges, prepared.params()))
}

/// The edges of `ka` on the cluster, in no particular order.
pub async fn keyed_edges_on_cluster(
    ka: &KeyedActions,
    opts: &SweepOptions,
    run: &ClusterRun,
) -> Result<Vec<Edge>, Error> {
    let partitions = run.partitions.max(1);
    let staged = Staged::write(ka, opts, partitions, &run.staging)?;
    let config = cluster::session_config(partitions);
    let ctx = SessionContext::new_with_config(config.clone());
    let plan = swarmscan_df::optimize(&ctx, swarmscan_df::sweep_plan(staged.source(), opts))?;
    let codec = SwarmCodec::default();
    let mut stream = execute_physical_plan::<PhysicalPlanNode>(
        run.url(),
        &config.ballista_config(),
        plan,
        &codec,
        ctx.session_id(),
        config,
    )
    .await?;
    // Each batch becomes edges as it arrives, so the client never holds all
    // of the batches and all of the edges at once.
    let mut edges = Vec::new();
    while let Some(batch) = stream.try_next().await? {
        edges.extend(swarmscan_df::edges_from_batches(std::slice::from_ref(&batch)));
    }
    drop(staged);
    Ok(edges)
}

/// `scan --cluster`: a scan's pair tests send their strata's sweeps here
/// ([`swarmscan_scan::remote`]); each call is one job of the plan above,
/// without evidence, and its edges come back sorted by `(a, b)`.
impl swarmscan_scan::RemoteSweep for ClusterRun {
    fn pair_weights(
        &self,
        actions: &KeyedActions,
        params: &swarmscan_detect::Params,
    ) -> Result<Vec<Edge>, swarmscan_scan::RemoteError> {
        let opts = SweepOptions::keyed(params);
        let edges = cluster::runtime()
            .and_then(|rt| rt.block_on(keyed_edges_on_cluster(actions, &opts, self)))
            .map_err(|e| swarmscan_scan::RemoteError(format!("on the cluster at {}: {e}", self.scheduler)))?;
        Ok(swarmscan_df::finish_edges(edges, params))
    }

    fn describe(&self) -> String {
        format!("the cluster at {}", self.scheduler)
    }
}

/// The physical plan a run submits, after DataFusion's optimizer (for
/// `EXPLAIN`-style checks): the staged files are described, not read.
pub fn cluster_plan(
    files: &[(PathBuf, u64)],
    opts: &SweepOptions,
    partitions: usize,
) -> Result<Arc<dyn ExecutionPlan>, Error> {
    let ctx = SessionContext::new_with_config(cluster::session_config(partitions));
    Ok(swarmscan_df::optimize(&ctx, swarmscan_df::sweep_plan(parquet_source(files), opts))?)
}

fn parquet_source(files: &[(PathBuf, u64)]) -> Arc<dyn ExecutionPlan> {
    let groups: Vec<FileGroup> = files
        .iter()
        .map(|(path, size)| FileGroup::new(vec![PartitionedFile::new(path.to_string_lossy(), *size)]))
        .collect();
    let source = Arc::new(ParquetSource::new(swarmscan_df::actions_schema()));
    let config =
        FileScanConfigBuilder::new(ObjectStoreUrl::local_filesystem(), source).with_file_groups(groups).build();
    DataSourceExec::from_data_source(config)
}

/// One partition's staged Parquet file, being written.
struct PartitionFile {
    path: PathBuf,
    writer: ArrowWriter<std::fs::File>,
}

impl PartitionFile {
    fn create(dir: &Path, partition: usize) -> Result<PartitionFile, Error> {
        let path = dir.join(format!("actions-{partition:05}.parquet"));
        let file = std::fs::File::create(&path).map_err(|source| Error::Io {
            what: "creating",
            path: path.clone(),
            source,
        })?;
        let props = WriterProperties::builder().set_compression(Compression::SNAPPY).build();
        let writer = ArrowWriter::try_new(file, swarmscan_df::actions_schema(), Some(props))
            .map_err(|source| Error::Parquet { path: path.clone(), source })?;
        Ok(PartitionFile { path, writer })
    }

    fn write(&mut self, batch: &datafusion::arrow::array::RecordBatch) -> Result<(), Error> {
        self.writer.write(batch).map_err(|source| Error::Parquet { path: self.path.clone(), source })
    }

    /// Finishes the file: its path and size.
    fn close(self) -> Result<(PathBuf, u64), Error> {
        let PartitionFile { path, writer } = self;
        writer.close().map_err(|source| Error::Parquet { path: path.clone(), source })?;
        let size = std::fs::metadata(&path)
            .map_err(|source| Error::Io { what: "reading the size of", path: path.clone(), source })?
            .len();
        Ok((path, size))
    }
}

/// The actions of one run written as Parquet, one file per partition, in a
/// directory of their own that is removed on drop.
struct Staged {
    /// Held for its removal on drop.
    _dir: tempfile::TempDir,
    files: Vec<(PathBuf, u64)>,
}

impl Staged {
    fn write(ka: &KeyedActions, opts: &SweepOptions, partitions: usize, staging: &Path) -> Result<Staged, Error> {
        let dir = tempfile::Builder::new()
            .prefix("swarmscan-cluster-")
            .tempdir_in(staging)
            .map_err(|source| Error::Io { what: "creating a directory in", path: staging.to_path_buf(), source })?;
        let mut files = Vec::with_capacity(partitions);
        // One file per partition, written as its batches come (in partition
        // order), so that only one batch is held at a time.
        let mut open: Option<PartitionFile> = None;
        swarmscan_df::for_each_actions_batch(ka, opts, partitions, |p, batch| {
            while files.len() + usize::from(open.is_some()) <= p {
                if let Some(f) = open.take() {
                    files.push(f.close()?);
                }
                open = Some(PartitionFile::create(dir.path(), files.len())?);
            }
            open.as_mut().expect("opened above").write(&batch)
        })?;
        if let Some(f) = open.take() {
            files.push(f.close()?);
        }
        while files.len() < partitions {
            files.push(PartitionFile::create(dir.path(), files.len())?.close()?);
        }
        Ok(Staged { _dir: dir, files })
    }

    fn source(&self) -> Arc<dyn ExecutionPlan> {
        parquet_source(&self.files)
    }
}
