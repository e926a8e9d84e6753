//! A Ballista scheduler and executors that know the swarmscan operators:
//! as long-running servers (`swarmscan cluster scheduler|executor`) or as
//! an in-process cluster on ephemeral ports (tests, benchmarks).
//!
//! Stock Ballista binaries cannot run our plans: the scheduler decodes the
//! submitted plan and re-encodes each stage, and each executor decodes its
//! tasks, so both need [`SwarmCodec`]. Scheduler and executors here use the
//! pull policy (executors ask for work), so an executor needs only its
//! Flight port reachable, for shuffle reads and results.

use crate::{Error, SwarmCodec};
use ballista_core::config::TaskSchedulingPolicy;
use ballista_core::extension::SessionConfigExt;
use ballista_core::serde::protobuf::scheduler_grpc_client::SchedulerGrpcClient;
use ballista_executor::executor_process::{ExecutorProcessConfig, start_executor_process};
use ballista_scheduler::cluster::BallistaCluster;
use ballista_scheduler::config::SchedulerConfig;
use ballista_scheduler::scheduler_process::start_server;
use datafusion::execution::SessionStateBuilder;
use datafusion::prelude::SessionConfig;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// The largest gRPC message (a plan, a task) the servers and clients here
/// accept: plans carry file lists and parameters, not data, so Ballista's
/// 16 MiB default is ample; raised for many-file inputs.
pub const MAX_MESSAGE: u32 = 256 << 20;

/// A scheduler server.
#[derive(Clone, Debug)]
pub struct SchedulerOptions {
    /// Where to listen for clients and executors.
    pub listen: SocketAddr,
    /// The host name executors and clients reach it by (default: the
    /// listen address's host).
    pub external_host: Option<String>,
}

/// Runs a scheduler until the process is stopped, on a runtime of its own.
pub fn run_scheduler(opts: SchedulerOptions) -> Result<(), Error> {
    runtime()?.block_on(scheduler(opts))
}

async fn scheduler(opts: SchedulerOptions) -> Result<(), Error> {
    let config = Arc::new(SchedulerConfig {
        bind_host: opts.listen.ip().to_string(),
        bind_port: opts.listen.port(),
        external_host: opts.external_host.unwrap_or_else(|| opts.listen.ip().to_string()),
        scheduling_policy: TaskSchedulingPolicy::PullStaged,
        override_physical_codec: Some(SwarmCodec::shared()),
        grpc_server_max_decoding_message_size: MAX_MESSAGE,
        grpc_server_max_encoding_message_size: MAX_MESSAGE,
        grpc_client_max_message_size: MAX_MESSAGE,
        ..Default::default()
    });
    let cluster = BallistaCluster::new_from_config(&config).await?;
    start_server(cluster, opts.listen, config).await?;
    Ok(())
}

/// An executor server.
#[derive(Clone, Debug)]
pub struct ExecutorOptions {
    /// The scheduler, `HOST:PORT` (`http://` and `df://` prefixes are accepted).
    pub scheduler: String,
    /// The address to bind the Flight (shuffle and results) and gRPC ports to.
    pub bind_host: String,
    /// The host name the scheduler, clients and other executors reach this
    /// executor by (default: the address the scheduler sees it connect from).
    pub external_host: Option<String>,
    /// The Flight port: shuffle reads and results.
    pub port: u16,
    /// The executor's gRPC port.
    pub grpc_port: u16,
    /// Tasks run at once (default: the machine's cores).
    pub vcores: usize,
    /// Where shuffle files go (default: a directory under the system's
    /// temporary directory).
    pub work_dir: Option<PathBuf>,
}

/// Runs an executor until the process gets SIGTERM or Ctrl-C (it then
/// drains its tasks and deregisters), on a runtime of its own.
pub fn run_executor(opts: ExecutorOptions) -> Result<(), Error> {
    runtime()?.block_on(executor(opts))
}

async fn executor(opts: ExecutorOptions) -> Result<(), Error> {
    let (scheduler_host, scheduler_port) = host_port(&opts.scheduler)?;
    let config = Arc::new(ExecutorProcessConfig {
        bind_host: opts.bind_host,
        external_host: opts.external_host,
        port: opts.port,
        grpc_port: opts.grpc_port,
        scheduler_host,
        scheduler_port,
        scheduler_connect_timeout_seconds: 30,
        vcores: opts.vcores.max(1),
        task_scheduling_policy: TaskSchedulingPolicy::PullStaged,
        work_dir: opts.work_dir.map(|p| p.to_string_lossy().into_owned()),
        grpc_max_decoding_message_size: MAX_MESSAGE,
        grpc_max_encoding_message_size: MAX_MESSAGE,
        // Shuffle files of finished jobs are removed after an hour.
        job_data_ttl_seconds: 3600,
        job_data_clean_up_interval_seconds: 600,
        override_physical_codec: Some(SwarmCodec::shared()),
        ..Default::default()
    });
    start_executor_process(config).await?;
    Ok(())
}

/// A scheduler and executors inside this process, on ephemeral localhost
/// ports, for tests and benchmarks. They live until the tokio runtime that
/// started them is dropped.
#[derive(Debug)]
pub struct LocalCluster {
    /// The scheduler's address, `localhost:PORT`.
    pub addr: String,
    /// The shuffle partitions its scheduler plans with: a plan run on it
    /// must be built with the same number (a standalone scheduler ignores
    /// the client's setting).
    pub partitions: usize,
}

impl LocalCluster {
    /// Starts a scheduler and `executors` executors of `vcores` task slots,
    /// planning shuffles into `partitions` partitions.
    pub async fn start(executors: usize, vcores: usize, partitions: usize) -> Result<LocalCluster, Error> {
        let config = session_config(partitions).with_ballista_physical_extension_codec(SwarmCodec::shared());
        let state = SessionStateBuilder::new().with_config(config).with_default_features().build();
        let addr = ballista_scheduler::standalone::new_standalone_scheduler_from_state(&state).await?;
        let addr = format!("localhost:{}", addr.port());
        let url = format!("http://{addr}");
        for _ in 0..executors {
            let mut tries = 0;
            let client = loop {
                match SchedulerGrpcClient::connect(url.clone()).await {
                    Ok(c) => break c,
                    Err(e) if tries >= 100 => return Err(Error::Ballista(e.into())),
                    Err(_) => {
                        tries += 1;
                        tokio::time::sleep(Duration::from_millis(50)).await;
                    }
                }
            }
            .max_decoding_message_size(MAX_MESSAGE as usize)
            .max_encoding_message_size(MAX_MESSAGE as usize);
            ballista_executor::new_standalone_executor_from_state(client, vcores.max(1), &state).await?;
        }
        Ok(LocalCluster { addr, partitions: partitions.max(1) })
    }
}

/// A multi-threaded runtime for the servers (tasks run on the executor's
/// own pool of `vcores` threads, not on this one).
pub(crate) fn runtime() -> Result<tokio::runtime::Runtime, Error> {
    tokio::runtime::Builder::new_multi_thread().enable_all().build().map_err(Error::Runtime)
}

/// The session configuration a plan is built and run with: Ballista's
/// (no round-robin repartitions: its planner drops them) with `partitions`
/// shuffle partitions.
pub(crate) fn session_config(partitions: usize) -> SessionConfig {
    SessionConfig::new_with_ballista()
        .with_target_partitions(partitions.max(1))
        .with_ballista_grpc_client_max_message_size(MAX_MESSAGE as usize)
}

/// Splits a scheduler address into host and port.
fn host_port(s: &str) -> Result<(String, u16), Error> {
    let hostport = crate::without_scheme(s);
    let bad = || Error::Address(s.to_string());
    let (host, port) = hostport.rsplit_once(':').ok_or_else(bad)?;
    let port = port.parse().map_err(|_| bad())?;
    Ok((host.trim_matches(['[', ']']).to_string(), port))
}

#[cfg(test)]
mod tests {
    use super::host_port;

    #[test]
    fn scheduler_addresses_parse() {
        assert_eq!(host_port("localhost:50050").unwrap(), ("localhost".into(), 50050));
        assert_eq!(host_port("df://10.0.0.2:1").unwrap(), ("10.0.0.2".into(), 1));
        assert_eq!(host_port("http://[::1]:7").unwrap(), ("::1".into(), 7));
        assert!(host_port("localhost").is_err());
        assert!(host_port("localhost:x").is_err());
    }
}
