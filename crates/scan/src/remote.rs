//! Where a level's pair-test sweeps run: on this machine (the default) or
//! on a cluster (`scan --cluster`, issue #18).
//!
//! A pair test ([`crate::null::test_level_into`]) has three parts: fitting
//! the null (one sort of the level's `(key, account)` incidences: linear in
//! the actions), sweeping each popularity stratum for the pairs that
//! co-acted on at least two of its keys (the part whose cost grows with the
//! square of a key's accounts), and testing those pairs against the fitted
//! null (linear in the pairs). A [`RemoteSweep`] takes the middle part:
//! [`crate::null::test_level_remote`] hands it every stratum's actions at
//! once, as one keyed network in which a stratum's accounts and keys are
//! numbered apart from every other stratum's, and reads the per-stratum
//! weights back out of the pair numbers. Fitting, testing, fusion,
//! clustering, the group test and the evidence stay here.
//!
//! This crate knows no cluster: `swarmscan-distributed` implements the
//! trait on Apache DataFusion Ballista, and the binary passes it in
//! [`crate::ScanParams::remote`] when asked for `--cluster`.

use std::fmt;
use std::sync::Arc;
use swarmscan_detect::Params;
use swarmscan_detect::keyed::{Edge, KeyedActions};

/// Computes co-action weights somewhere else.
pub trait RemoteSweep: Send + Sync {
    /// The default-mode, keyed co-action network of `actions` with the
    /// window, key cap and minimum weight of `params` (evidence is not
    /// needed): every edge, sorted by `(a, b)`, exactly as
    /// [`swarmscan_detect::Prepared::run`] would give it.
    fn pair_weights(&self, actions: &KeyedActions, params: &Params) -> Result<Vec<Edge>, RemoteError>;

    /// Where the sweeps run, for messages (`the cluster at HOST:PORT`).
    fn describe(&self) -> String;
}

/// A failed remote sweep, in words (the implementor's error chain).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct RemoteError(pub String);

/// The [`RemoteSweep`] a scan uses, if any.
#[derive(Clone, Default)]
pub struct Remote(Option<Arc<dyn RemoteSweep>>);

impl Remote {
    /// Sweeps on `to`.
    pub fn new(to: Arc<dyn RemoteSweep>) -> Remote {
        Remote(Some(to))
    }

    /// The remote, or `None` for this machine.
    pub fn get(&self) -> Option<&dyn RemoteSweep> {
        self.0.as_deref()
    }
}

impl fmt::Debug for Remote {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Some(r) => write!(f, "Remote({})", r.describe()),
            None => f.write_str("Remote(local)"),
        }
    }
}

/// Where the sweeps run is not part of what a scan computes (the results
/// are the same: tested in `swarmscan-distributed`), so parameters compare
/// by what they ask for.
impl PartialEq for Remote {
    fn eq(&self, _: &Remote) -> bool {
        true
    }
}
