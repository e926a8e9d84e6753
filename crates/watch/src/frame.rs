//! What the stream clients hand the ingest loop: one event line with its
//! identity and server time, or a frame that could not be used.
//!
//! The identity is read with a small borrowed parse (the full record is
//! parsed later, by the batch reader, in chunks), so duplicates are dropped
//! before they are parsed, archived or counted.

use serde::Deserialize;
use serde::de::IgnoredAny;
use std::borrow::Cow;
use xxhash_rust::xxh3::xxh3_64;

/// A live source.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SourceKind {
    Jetstream,
    Mastodon,
}

impl SourceKind {
    pub const ALL: [SourceKind; 2] = [SourceKind::Jetstream, SourceKind::Mastodon];

    pub fn as_str(self) -> &'static str {
        match self {
            SourceKind::Jetstream => "jetstream",
            SourceKind::Mastodon => "mastodon",
        }
    }

    pub(crate) fn index(self) -> usize {
        self as usize
    }

    /// The batch reader's format for this source's lines.
    pub fn format(self) -> swarmscan_ingest::Format {
        match self {
            SourceKind::Jetstream => swarmscan_ingest::Format::Bluesky,
            SourceKind::Mastodon => swarmscan_ingest::Format::Mastodon,
        }
    }
}

/// Where a source has got to, for resuming.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Position {
    /// Jetstream's cursor: the event's `time_us`.
    Cursor(i64),
    /// A Mastodon status id (decimal; compared as numbers).
    StatusId(String),
}

/// One message from a client to the ingest loop.
#[derive(Debug)]
pub(crate) enum Msg {
    /// An event as one JSON line (no newline in it).
    Line(Line),
    /// A frame that is not an event: counted under `reason`.
    Malformed { source: SourceKind, reason: &'static str },
    /// A well-formed stream message that is not an event (Mastodon `delete`, …).
    Ignored { source: SourceKind, what: String },
}

#[derive(Debug)]
pub(crate) struct Line {
    pub source: SourceKind,
    pub json: Vec<u8>,
    /// Hash of the event's identity.
    pub identity: u64,
    /// The server's time of the event (ms).
    pub time_ms: i64,
    pub position: Position,
}

/// The parts of a Jetstream event that identify it.
#[derive(Deserialize)]
struct JetstreamHead<'a> {
    #[serde(borrow)]
    did: Option<Cow<'a, str>>,
    time_us: Option<i64>,
    #[serde(borrow)]
    kind: Option<Cow<'a, str>>,
    #[serde(borrow)]
    commit: Option<CommitHead<'a>>,
}

#[derive(Deserialize)]
struct CommitHead<'a> {
    #[serde(borrow)]
    operation: Option<Cow<'a, str>>,
    #[serde(borrow)]
    collection: Option<Cow<'a, str>>,
    #[serde(borrow)]
    rkey: Option<Cow<'a, str>>,
    #[serde(rename = "record")]
    _record: Option<IgnoredAny>,
}

/// A Mastodon status's identity and time.
#[derive(Deserialize)]
struct StatusHead<'a> {
    #[serde(borrow)]
    id: Option<Cow<'a, str>>,
    #[serde(borrow)]
    created_at: Option<Cow<'a, str>>,
}

/// Joins the parts of an identity unambiguously and hashes them.
fn identity(parts: &[&str]) -> u64 {
    let mut buf = Vec::with_capacity(96);
    for p in parts {
        buf.extend_from_slice(&(p.len() as u32).to_le_bytes());
        buf.extend_from_slice(p.as_bytes());
    }
    xxh3_64(&buf)
}

/// JSON puts no raw line break inside a string, so any is whitespace
/// between tokens: a frame becomes one line without changing its meaning.
fn one_line(mut json: Vec<u8>) -> Vec<u8> {
    for b in json.iter_mut() {
        if *b == b'\n' || *b == b'\r' {
            *b = b' ';
        }
    }
    json
}

/// A Jetstream event frame (decompressed) as a line. A commit is identified
/// by (did, collection, rkey, operation) — a record's create and its later
/// delete are two events — and identity/account events by (kind, did,
/// time_us). A frame without a `did` and a `time_us` is no event: the
/// reason is returned instead, and it is counted, never kept.
pub(crate) fn jetstream_line(json: Vec<u8>) -> Result<Line, &'static str> {
    let json = one_line(json);
    let h = serde_json::from_slice::<JetstreamHead<'_>>(&json).map_err(|_| "not_json")?;
    let did = h.did.as_deref().unwrap_or("");
    let (false, Some(time_us)) = (did.is_empty(), h.time_us) else { return Err("no_did_or_time") };
    let kind = h.kind.as_deref().unwrap_or("");
    let id = match &h.commit {
        Some(c) => identity(&[
            "commit",
            did,
            c.collection.as_deref().unwrap_or(""),
            c.rkey.as_deref().unwrap_or(""),
            c.operation.as_deref().unwrap_or(""),
        ]),
        None => identity(&[kind, did, &time_us.to_string()]),
    };
    Ok(Line {
        source: SourceKind::Jetstream,
        json,
        identity: id,
        time_ms: time_us.div_euclid(1000),
        position: Position::Cursor(time_us),
    })
}

/// A Mastodon status (the streaming `update` payload or a REST timeline
/// item) as a line, identified by its id on the instance followed and
/// timed by its `created_at`. Without an id it is counted, never kept.
pub(crate) fn mastodon_line(json: Vec<u8>) -> Result<Line, &'static str> {
    let json = one_line(json);
    let h = serde_json::from_slice::<StatusHead<'_>>(&json).map_err(|_| "not_json")?;
    let Some(id) = h.id.filter(|id| !id.is_empty()) else { return Err("status_without_id") };
    let time_ms = h.created_at.as_deref().and_then(swarmscan_model::parse_rfc3339_ms).ok_or("status_without_time")?;
    Ok(Line {
        source: SourceKind::Mastodon,
        identity: identity(&["status", &id]),
        position: Position::StatusId(id.into_owned()),
        json,
        time_ms,
    })
}

/// Whether Mastodon status id `a` is newer than `b` (ids are decimal
/// numbers of any length; longer is larger).
pub(crate) fn newer_id(a: &str, b: &str) -> bool {
    (a.len(), a) > (b.len(), b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jetstream_identity_ignores_time_and_record_but_not_operation() {
        let create = |t: i64, text: &str, op: &str| {
            jetstream_line(format!(
                r#"{{"did":"did:plc:a","time_us":{t},"kind":"commit","commit":{{"operation":"{op}","collection":"app.bsky.feed.post","rkey":"r1","record":{{"text":"{text}"}}}}}}"#
            ).into_bytes()).unwrap()
        };
        let a = create(1_000_000, "x", "create");
        assert_eq!(a.identity, create(2_000_000, "y\ny", "create").identity);
        assert_ne!(a.identity, create(1_000_000, "x", "delete").identity);
        assert_eq!(a.time_ms, 1000);
        assert_eq!(a.position, Position::Cursor(1_000_000));
        assert_eq!(jetstream_line(b"{\"did\":".to_vec()).unwrap_err(), "not_json");
        assert_eq!(jetstream_line(b"{\"hello\":1}".to_vec()).unwrap_err(), "no_did_or_time");
        assert!(!create(1, "a\nb", "create").json.contains(&b'\n'));
    }

    #[test]
    fn mastodon_ids_compare_as_numbers() {
        assert!(newer_id("110", "99"));
        assert!(!newer_id("99", "110"));
        assert!(newer_id("111", "110"));
        let l = mastodon_line(br#"{"id":"7","created_at":"2024-10-27T03:33:20.000Z","content":"x"}"#.to_vec());
        let l = l.unwrap();
        assert_eq!(l.time_ms, 1_730_000_000_000);
        assert_eq!(l.position, Position::StatusId("7".into()));
        assert_eq!(mastodon_line(br#"{"content":"x"}"#.to_vec()).unwrap_err(), "status_without_id");
    }
}
