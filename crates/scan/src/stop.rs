//! Stopping a scan part-way: a [`Stop`] flag in [`crate::ScanParams`] that
//! the scan checks between its steps (before each network and signal, and
//! before fusing, clustering and the group test). A stopped scan returns
//! [`crate::Error::Stopped`] and nothing else; whatever it spilled is
//! removed as on any other error.
//!
//! The server (`swarmscan serve`) sets it when a running job is cancelled
//! or the server shuts down; the CLI never does (Ctrl-C ends the process).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// A shared "please stop" flag; the default can never be raised.
#[derive(Clone, Debug, Default)]
pub struct Stop(Option<Arc<AtomicBool>>);

impl Stop {
    /// A flag that [`Stop::raise`] raises, for this and every clone.
    pub fn new() -> Stop {
        Stop(Some(Arc::new(AtomicBool::new(false))))
    }

    /// Asks the scan to stop at its next step.
    pub fn raise(&self) {
        if let Some(f) = &self.0 {
            f.store(true, Ordering::Relaxed);
        }
    }

    pub fn is_raised(&self) -> bool {
        self.0.as_ref().is_some_and(|f| f.load(Ordering::Relaxed))
    }

    /// The flag itself, for code that polls an `AtomicBool` (`swarmscan
    /// watch`); the default's is a fresh one that nothing raises.
    pub fn flag(&self) -> Arc<AtomicBool> {
        self.0.clone().unwrap_or_default()
    }

    /// `Err(Stopped)` once raised.
    pub fn check(&self) -> Result<(), crate::Error> {
        if self.is_raised() { Err(crate::Error::Stopped) } else { Ok(()) }
    }
}

/// A flag is not part of what a scan computes: any two are equal, so
/// parameters compare by what they ask for.
impl PartialEq for Stop {
    fn eq(&self, _: &Stop) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raised_for_every_clone_and_never_by_default() {
        let s = Stop::new();
        let c = s.clone();
        assert!(c.check().is_ok());
        s.raise();
        assert!(matches!(c.check(), Err(crate::Error::Stopped)));
        assert!(c.flag().load(Ordering::Relaxed), "the flag is the one raised");
        let d = Stop::default();
        d.raise();
        assert!(d.check().is_ok());
        assert!(!d.flag().load(Ordering::Relaxed));
    }

    /// A scan whose flag is raised before it starts returns `Stopped`.
    #[test]
    fn a_raised_scan_stops() {
        let ev = crate::testing::reposts(&[(0, 0, 0), (0, 1, 1), (1, 0, 5), (1, 1, 6), (2, 0, 9), (2, 1, 9)]);
        let p = crate::ScanParams { stop: Stop::new(), ..Default::default() };
        p.stop.raise();
        assert!(matches!(crate::scan(&ev, &p), Err(crate::Error::Stopped)));
        assert!(crate::scan(&ev, &crate::ScanParams::default()).is_ok());
    }
}
