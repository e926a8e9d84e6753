//! `swarmscan scan`: co-action signals tested against a null model, fused,
//! clustered and explained. See `docs/scan.md` for the method.
pub mod attach;
pub mod eval;
mod explain;
pub mod null;
pub mod output;
mod scan;
pub mod signals;
pub mod stats;
#[cfg(test)]
mod testing;
pub mod window;

pub use explain::{Header, LOOKALIKE_SIGNAL, Lookalikes, explain};
pub use scan::{
    Attachment, Cluster, Error, Level, Pair, PairSignal, ScanParams, ScanResult, SignalStats, scan, scan_observed,
    strength,
};
pub use signals::{REGISTRY, Signal, Spec};
