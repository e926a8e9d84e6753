//! `swarmscan cluster scheduler|executor`: Ballista servers that carry
//! swarmscan's operators, and the `--cluster` client side of `network` and
//! `scan`
//! (issue #18, `crates/distributed`). Compiled in only with `--features
//! cluster`; without it the commands say how to get it.

use clap::{Args, Subcommand};
use std::net::SocketAddr;
use std::path::PathBuf;

/// What a build without the feature answers.
#[cfg(not(feature = "cluster"))]
pub const NOT_BUILT: &str = "this swarmscan was built without cluster support; \
     build it with `cargo install --path crates/cli --features cluster` (adds Apache DataFusion Ballista)";

/// Run a Ballista scheduler or executor for `swarmscan network|scan --cluster`.
///
/// Stock Ballista binaries cannot run swarmscan's plans (they lack its
/// operators' codec); start these instead: one scheduler, then executors
/// pointed at it. The client's staging directory (`--staging-dir`) must be
/// visible to every executor at the same path.
#[derive(Args, Debug)]
pub struct ClusterArgs {
    #[command(subcommand)]
    pub role: Role,
}

#[derive(Subcommand, Debug)]
pub enum Role {
    /// Plans jobs into stages and hands tasks to executors.
    Scheduler {
        /// Where to listen for clients and executors.
        #[arg(long, value_name = "HOST:PORT", default_value = "127.0.0.1:50050")]
        listen: SocketAddr,
        /// The host name executors and clients reach this scheduler by
        /// (default: the listen address).
        #[arg(long, value_name = "HOST")]
        external_host: Option<String>,
    },
    /// Runs tasks: reads staged actions, sweeps and merges, serves shuffle
    /// data and results over Arrow Flight. Stops cleanly on SIGTERM or Ctrl-C.
    Executor {
        /// The scheduler.
        #[arg(long, value_name = "HOST:PORT", default_value = "127.0.0.1:50050")]
        scheduler: String,
        /// The address to bind to.
        #[arg(long, value_name = "HOST", default_value = "127.0.0.1")]
        bind: String,
        /// The host name the scheduler, clients and other executors reach this
        /// executor by (default: the address the scheduler sees).
        #[arg(long, value_name = "HOST")]
        external_host: Option<String>,
        /// The Arrow Flight port (shuffle reads and results).
        #[arg(long, value_name = "PORT", default_value_t = 50051)]
        port: u16,
        /// The executor's gRPC port.
        #[arg(long, value_name = "PORT", default_value_t = 50052)]
        grpc_port: u16,
        /// Tasks run at once (default: the machine's cores).
        #[arg(long, value_name = "N")]
        vcores: Option<usize>,
        /// Where shuffle files go (default: under the system's temporary
        /// directory); removed an hour after their job.
        #[arg(long, value_name = "DIR")]
        work_dir: Option<PathBuf>,
    },
}

#[cfg(not(feature = "cluster"))]
pub fn run(_args: ClusterArgs, _ui: crate::ui::Ui) -> anyhow::Result<u8> {
    anyhow::bail!("{NOT_BUILT}")
}

#[cfg(feature = "cluster")]
#[allow(clippy::print_stdout)]
pub fn run(args: ClusterArgs, _ui: crate::ui::Ui) -> anyhow::Result<u8> {
    use swarmscan_distributed::cluster::{ExecutorOptions, SchedulerOptions, run_executor, run_scheduler};
    match args.role {
        Role::Scheduler { listen, external_host } => {
            println!("swarmscan cluster scheduler: listening on {listen}");
            run_scheduler(SchedulerOptions { listen, external_host })?;
        }
        Role::Executor { scheduler, bind, external_host, port, grpc_port, vcores, work_dir } => {
            let vcores = vcores.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
            println!("swarmscan cluster executor: {vcores} task slots, Flight on {bind}:{port}, scheduler {scheduler}");
            run_executor(ExecutorOptions {
                scheduler,
                bind_host: bind,
                external_host,
                port,
                grpc_port,
                vcores,
                work_dir,
            })?;
        }
    }
    Ok(crate::exit::OK)
}

/// `--cluster` and its settings, shared by `network` and `scan`.
#[derive(Args, Debug, Clone, Default)]
pub struct ClusterFlags {
    /// Run the co-action sweeps on an Apache DataFusion Ballista cluster:
    /// its scheduler (`swarmscan cluster scheduler`). The inputs are read
    /// and the actions extracted here; the sweeps run on the executors; the
    /// outputs are the local run's. Needs a build with `--features cluster`
    /// (docs/cluster.md).
    #[arg(long, value_name = "HOST:PORT", help_heading = "Cluster")]
    pub cluster: Option<String>,
    /// With --cluster: shuffle partitions (at least the cluster's task slots).
    #[arg(long, value_name = "N", default_value_t = 16, requires = "cluster", help_heading = "Cluster")]
    pub partitions: usize,
    /// With --cluster: where the actions are staged for the executors, a
    /// directory every executor sees at the same path (default: the system's
    /// temporary directory, right when the executors run on this machine).
    #[arg(long, value_name = "DIR", requires = "cluster", help_heading = "Cluster")]
    pub staging_dir: Option<PathBuf>,
}

impl ClusterFlags {
    /// Errors in the flags themselves, before anything is read.
    pub fn check(&self) -> anyhow::Result<()> {
        if self.cluster.is_some() && self.partitions == 0 {
            anyhow::bail!("--partitions must be at least 1");
        }
        Ok(())
    }

    /// What `summary.json` says about the cluster.
    pub fn summary(&self) -> Option<serde_json::Value> {
        let addr = self.cluster.as_ref()?;
        Some(serde_json::json!({ "scheduler": addr, "partitions": self.partitions }))
    }

    /// The run `--cluster` asks for (an error without `--cluster`).
    #[cfg(feature = "cluster")]
    fn run(&self) -> anyhow::Result<swarmscan_distributed::ClusterRun> {
        let scheduler = self.cluster.clone().ok_or_else(|| anyhow::anyhow!("no --cluster given"))?;
        Ok(swarmscan_distributed::ClusterRun {
            scheduler,
            partitions: self.partitions,
            staging: self.staging_dir.clone().unwrap_or_else(std::env::temp_dir),
        })
    }

    /// `network --cluster`: the edges of `prepared` computed on the cluster.
    #[cfg(feature = "cluster")]
    pub fn edges(
        &self,
        prepared: &swarmscan_detect::Prepared<'_>,
    ) -> anyhow::Result<Vec<swarmscan_detect::keyed::Edge>> {
        Ok(swarmscan_distributed::edges_on_cluster(prepared, &self.run()?)?)
    }

    /// `scan --cluster`: where the scan's pair tests sweep.
    #[cfg(feature = "cluster")]
    pub fn remote(&self) -> anyhow::Result<swarmscan_scan::Remote> {
        Ok(swarmscan_scan::Remote::new(std::sync::Arc::new(self.run()?)))
    }

    #[cfg(not(feature = "cluster"))]
    pub fn edges(
        &self,
        _prepared: &swarmscan_detect::Prepared<'_>,
    ) -> anyhow::Result<Vec<swarmscan_detect::keyed::Edge>> {
        anyhow::bail!("{NOT_BUILT}")
    }

    #[cfg(not(feature = "cluster"))]
    pub fn remote(&self) -> anyhow::Result<swarmscan_scan::Remote> {
        anyhow::bail!("{NOT_BUILT}")
    }
}
