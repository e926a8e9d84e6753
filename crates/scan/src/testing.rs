//! Test data shared by the unit tests.

use swarmscan_model::{Events, Kind, RawEvent};

/// Reposts from `(post, account, seconds)` triples: record `i` is `r{i}`,
/// by `u{account}`, reposting `p{post}`.
pub fn reposts(acts: &[(u8, u8, i64)]) -> Events {
    let mut ev = Events::new();
    for (i, &(post, acct, t)) in acts.iter().enumerate() {
        let (id, a, target) = (format!("r{i}"), format!("u{acct}"), format!("p{post}"));
        ev.push(&RawEvent {
            post_id: &id,
            account_id: &a,
            ts_ms: t * 1000,
            kind: Some(Kind::Repost),
            target: Some(&target),
            ..Default::default()
        });
    }
    ev
}

/// A [`crate::RemoteSweep`] that runs the plain kernel on this machine: what
/// a cluster must give, to test the remote path without one.
pub struct KernelSweep;

impl crate::RemoteSweep for KernelSweep {
    fn pair_weights(
        &self,
        actions: &swarmscan_detect::keyed::KeyedActions,
        params: &swarmscan_detect::Params,
    ) -> Result<Vec<swarmscan_detect::Edge>, crate::RemoteError> {
        use swarmscan_detect::keyed::{PairAggregate, sweep_pairs};
        let mut ka = actions.clone();
        ka.sort();
        let mut agg = PairAggregate::new(true);
        sweep_pairs(&ka, 0..ka.len(), params.window_ms, params.max_key_actors, 4096, &mut |b| agg.add(b));
        let mut edges = agg.finish(params.min_weight, params.evidence);
        edges.sort_unstable_by_key(|e| (e.a, e.b));
        Ok(edges)
    }

    fn describe(&self) -> String {
        "the kernel, in-process".into()
    }
}
