//! `swarmscan scan`: co-action signals tested against a null model, fused,
//! clustered, extended, and the lookalike news domains among the shared
//! URLs. [`pipeline::run`] is the whole job; turning its result into tables
//! and reports is `swarmscan-report`'s. See `docs/scan.md` for the method.
pub mod attach;
pub mod eval;
mod lookalikes;
pub mod memory;
pub mod null;
pub mod pipeline;
pub mod remote;
mod scan;
pub mod signals;
pub mod stats;
mod stop;
#[cfg(test)]
mod testing;
pub mod window;

pub use lookalikes::{Lookalikes, url_hosts};
pub use memory::MemoryStats;
pub use pipeline::{Found, Progress, Run, run};
pub use remote::{Remote, RemoteError, RemoteSweep};
pub use scan::{
    Attachment, Cluster, Error, Pair, PairSignal, ScanParams, ScanResult, SignalStats, scan, scan_observed, strength,
};
pub use signals::{REGISTRY, Signal, Spec};
pub use stop::Stop;
