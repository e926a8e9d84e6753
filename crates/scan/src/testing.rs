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
