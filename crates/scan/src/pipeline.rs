//! The main job from loaded events to findings, in one call: windows asked
//! for as `auto` estimated ([`crate::window`]), every signal tested, fused,
//! clustered and extended ([`crate::scan`]), and the lookalike news domains
//! among the shared URLs found ([`crate::lookalikes`]). The binary reads the
//! inputs, calls [`run`], and hands the result to the presentation side
//! (`swarmscan-report`: tables, HTML, graphs); it prints what [`Progress`]
//! tells it.

use crate::lookalikes::Lookalikes;
use crate::scan::{Error, ScanParams, ScanResult, scan_observed};
use crate::signals::Signal;
use swarmscan_domains::{Matcher, OutletList};
use swarmscan_model::Events;

/// What [`run`] reports as it goes, for progress displays.
#[derive(Debug)]
pub enum Progress<'a> {
    /// A stage starts: `estimating windows`, `testing signals`,
    /// `lookalike domains`.
    Started(&'static str),
    /// What the stage is doing now (a signal's name, `clustering`, …).
    Step(&'a str),
    /// The stage is done, with what it found.
    Finished(&'static str, Found<'a>),
}

/// What a finished stage found.
#[derive(Debug)]
pub enum Found<'a> {
    /// The windows estimated, ms (none when no key had two accounts).
    Windows(&'a [(Signal, i64)]),
    /// Significant pairs of the pairs tested, at the FDR.
    Pairs { significant: u64, tested: u64, fdr: f64 },
    /// Lookalike news domains among the shared URLs.
    Lookalikes(u64),
}

/// A finished scan.
#[derive(Debug)]
pub struct Run<'a> {
    /// The parameters used: `auto` windows replaced by their estimates.
    pub params: ScanParams,
    /// The windows estimated from the data, ms.
    pub estimated: Vec<(Signal, i64)>,
    pub result: ScanResult<'a>,
    pub lookalikes: Lookalikes,
}

/// Runs the scan of `ev` with `params`, looking for lookalikes of the
/// outlets of `outlets`.
pub fn run<'a>(
    ev: &'a Events,
    params: &ScanParams,
    outlets: &OutletList,
    on: &(dyn Fn(Progress<'_>) + Sync),
) -> Result<Run<'a>, Error> {
    let mut params = params.clone();
    let mut estimated = Vec::new();
    if !params.auto_windows.is_empty() {
        on(Progress::Started("estimating windows"));
        estimated = crate::window::resolve(ev, &mut params)?;
        on(Progress::Finished("estimating windows", Found::Windows(&estimated)));
    }
    on(Progress::Started("testing signals"));
    let result = scan_observed(ev, &params, &|what| on(Progress::Step(what)))?;
    on(Progress::Finished(
        "testing signals",
        Found::Pairs { significant: result.pairs.len() as u64, tested: result.tested_pairs, fdr: params.fdr },
    ));
    params.stop.check()?;
    on(Progress::Started("lookalike domains"));
    let lookalikes = Lookalikes::find(ev, &Matcher::new(outlets));
    on(Progress::Finished("lookalike domains", Found::Lookalikes(lookalikes.by_host.len() as u64)));
    Ok(Run { params, estimated, result, lookalikes })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The stages are announced in order, each finished once, and the run
    /// holds what `scan` and `Lookalikes::find` give on their own.
    #[test]
    fn stages_in_order_and_same_result() {
        let ev = crate::testing::reposts(&[(0, 0, 0), (0, 1, 1), (1, 0, 5), (1, 1, 6), (2, 0, 9), (2, 1, 9)]);
        let seen = std::sync::Mutex::new(Vec::new());
        let run = run(&ev, &ScanParams::default(), &OutletList::builtin(), &|p| {
            if let Progress::Started(s) | Progress::Finished(s, _) = p {
                seen.lock().unwrap().push(s);
            }
        })
        .unwrap();
        assert_eq!(
            seen.into_inner().unwrap(),
            ["testing signals", "testing signals", "lookalike domains", "lookalike domains"]
        );
        let direct = crate::scan(&ev, &ScanParams::default()).unwrap();
        assert_eq!(run.result.tested_pairs, direct.tested_pairs);
        assert_eq!(run.result.pairs.len(), direct.pairs.len());
    }
}
