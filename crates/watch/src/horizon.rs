//! The sliding horizon: what `watch` remembers of the stream.
//!
//! Events arrive as chunks of lines, each parsed once by the batch readers
//! into its own [`Events`] table and kept, sealed, in arrival order. A scan
//! takes a [`Horizon::snapshot`]: a fresh table that appends the kept chunks
//! in order — by `Events::append`'s invariant, the very table a batch read
//! of the same lines in the same order gives, so a scan of the snapshot is
//! a batch `scan` of those events. A chunk leaves once its newest event is
//! older than the horizon, so memory is bounded by the horizon's events
//! whatever the stream's length.
//!
//! [`Seen`] deduplicates: the identity of every event kept, by time bucket,
//! forgotten with the horizon. Identities are 64-bit hashes (xxh3); two
//! different events in one hour colliding has a probability of about
//! n²/2⁶⁵ — 10⁻⁷ for a million events an hour.

use std::collections::VecDeque;
use swarmscan_model::Events;

/// One parsed chunk of the stream.
struct Chunk {
    events: Events,
    /// The newest server time in the chunk (ms).
    newest_ms: i64,
}

/// Parsed chunks in arrival order.
#[derive(Default)]
pub(crate) struct Horizon {
    chunks: VecDeque<Chunk>,
    events: usize,
}

impl Horizon {
    /// Keeps a parsed chunk whose newest event is at `newest_ms`.
    pub(crate) fn push(&mut self, mut events: Events, newest_ms: i64) {
        if events.is_empty() {
            return;
        }
        events.seal();
        self.events += events.len();
        self.chunks.push_back(Chunk { events, newest_ms });
    }

    /// Forgets the chunks whose newest event is before `oldest_ms`.
    pub(crate) fn evict(&mut self, oldest_ms: i64) {
        while self.chunks.front().is_some_and(|c| c.newest_ms < oldest_ms) {
            let c = self.chunks.pop_front().expect("front exists");
            self.events -= c.events.len();
        }
    }

    /// Events held.
    pub(crate) fn len(&self) -> usize {
        self.events
    }

    /// One table of every event held, in arrival order.
    pub(crate) fn snapshot(&self) -> Events {
        let mut all = Events::new();
        for c in &self.chunks {
            all.append(c.events.clone());
        }
        all.seal();
        all
    }
}

/// Event identities seen, bucketed by the hour of the event's time.
#[derive(Default)]
pub(crate) struct Seen {
    /// (bucket start ms, identities), oldest first, at most one per bucket.
    buckets: VecDeque<(i64, rustc_hash::FxHashSet<u64>)>,
}

const BUCKET_MS: i64 = 3_600_000;

impl Seen {
    /// Records `id` of an event at `time_ms`; false if it was seen before.
    pub(crate) fn insert(&mut self, time_ms: i64, id: u64) -> bool {
        let start = time_ms.div_euclid(BUCKET_MS) * BUCKET_MS;
        // Events arrive roughly in time order: look from the newest bucket.
        let pos = self.buckets.iter().rposition(|(s, _)| *s <= start);
        match pos {
            Some(i) if self.buckets[i].0 == start => self.buckets[i].1.insert(id),
            _ => {
                let at = pos.map_or(0, |i| i + 1);
                let mut set = rustc_hash::FxHashSet::default();
                set.insert(id);
                self.buckets.insert(at, (start, set));
                true
            }
        }
    }

    /// Forgets the buckets that end before `oldest_ms`.
    pub(crate) fn evict(&mut self, oldest_ms: i64) {
        while self.buckets.front().is_some_and(|(s, _)| s + BUCKET_MS <= oldest_ms) {
            self.buckets.pop_front();
        }
    }

    /// Identities held.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.buckets.iter().map(|(_, s)| s.len()).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seen_finds_repeats_in_any_bucket_order_and_forgets_old_ones() {
        let mut s = Seen::default();
        let h = BUCKET_MS;
        assert!(s.insert(5 * h + 1, 1));
        assert!(s.insert(3 * h + 1, 1), "another bucket, another event");
        assert!(s.insert(4 * h, 2));
        assert!(!s.insert(5 * h + 99, 1));
        assert!(!s.insert(3 * h + 5, 1));
        assert!(!s.insert(4 * h + 1, 2));
        assert_eq!(s.len(), 3);
        let starts: Vec<i64> = s.buckets.iter().map(|b| b.0).collect();
        assert_eq!(starts, [3 * h, 4 * h, 5 * h]);
        s.evict(5 * h);
        assert_eq!(s.len(), 1);
        assert!(s.insert(3 * h + 5, 1), "forgotten with its bucket");
    }
}
