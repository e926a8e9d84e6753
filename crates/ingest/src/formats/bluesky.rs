//! Bluesky Jetstream events, one JSON object per line.
//!
//! # Mapping
//!
//! Only `kind: "commit"` events with `operation: "create"` in three
//! collections are actions:
//!
//! | collection | kind | target |
//! |---|---|---|
//! | `app.bsky.feed.post` | Post; Reply if `record.reply.parent.uri`; else Quote if `record.embed` is `app.bsky.embed.record` / `recordWithMedia` embedding a post | the parent's / the embedded post's `at://` URI |
//! | `app.bsky.feed.repost` | Repost | `record.subject.uri` |
//! | `app.bsky.feed.like` | Like | `record.subject.uri` |
//!
//! * `post_id` = `at://{did}/{collection}/{rkey}` (the record's AT URI, the
//!   same string other posts use as their reply/quote/repost target);
//!   `account_id` = `did`; no handle (Jetstream commits carry none).
//! * `ts_ms` = the relay's `time_us` / 1000 (when Jetstream saw the
//!   record); `record.createdAt` only when `time_us` is absent. `createdAt`
//!   is written by the client, so an operation can backdate it or set it
//!   ahead; the relay's clock it cannot.
//! * `text` = `record.text`, `lang` = `record.langs[0]`.
//! * `urls`: each `app.bsky.richtext.facet#link` facet, written = the text
//!   between the facet's **UTF-8 byte offsets** `byteStart..byteEnd` (the
//!   URI itself when the offsets are out of range or split a character),
//!   expanded = its `uri`; then `embed.external.uri` (also inside
//!   `recordWithMedia.media`) unless a facet already gave it.
//! * `hashtags`: `#tag` facets, then the post's outline `tags` (deduplicated).
//! * `mentions`: the `did` of each `#mention` facet.
//!
//! A reply that also quotes is a Reply (as for Twitter). An
//! `app.bsky.embed.record` that embeds a list, feed generator or starter
//! pack is not a quote.
//!
//! Everything else — `identity` and `account` events, `update` and `delete`
//! operations, follows, blocks, profiles and other collections — is a
//! [`SkipReason::NotAnAction`] skip. A commit without `did`, `collection`
//! or `rkey`, or an action with neither `time_us` nor `createdAt`, is a
//! [`SkipReason::MissingField`] skip.
//!
//! Events of Jetstream's first schema (before October 2024: `"type":
//! "com" | "id" | "acc"` and `commit.type: "c" | "u" | "d"`) are read the
//! same way.
//!
//! The record is decoded in a second step, once its collection is known,
//! because other collections reuse field names with other types (a
//! follow's `subject` is a DID string, not a `{uri,cid}` object).

use crate::diag::SkipReason;
use crate::json::JsonFormat;
use crate::sink::Sink;
use serde::Deserialize;
use serde_json::value::RawValue;
use std::borrow::Cow;
use swarmscan_model::{Kind, Platform, RawEvent, RawUrl, parse_rfc3339_ms};

pub(crate) struct Jetstream;

const POST: &str = "app.bsky.feed.post";
const REPOST: &str = "app.bsky.feed.repost";
const LIKE: &str = "app.bsky.feed.like";

#[derive(Deserialize)]
struct Event<'a> {
    #[serde(borrow)]
    did: Option<Cow<'a, str>>,
    time_us: Option<i64>,
    #[serde(borrow)]
    kind: Option<Cow<'a, str>>,
    /// Jetstream before October 2024: `"com"`, `"id"`, `"acc"`.
    #[serde(borrow, rename = "type")]
    old_kind: Option<Cow<'a, str>>,
    #[serde(borrow)]
    commit: Option<Commit<'a>>,
}

#[derive(Deserialize)]
struct Commit<'a> {
    #[serde(borrow)]
    operation: Option<Cow<'a, str>>,
    /// Jetstream before October 2024: `"c"`, `"u"`, `"d"`.
    #[serde(borrow, rename = "type")]
    old_operation: Option<Cow<'a, str>>,
    #[serde(borrow)]
    collection: Option<Cow<'a, str>>,
    #[serde(borrow)]
    rkey: Option<Cow<'a, str>>,
    #[serde(borrow)]
    record: Option<&'a RawValue>,
}

/// A post, repost or like record (they share `createdAt`).
#[derive(Deserialize)]
struct Record<'a> {
    #[serde(borrow, rename = "createdAt")]
    created_at: Option<Cow<'a, str>>,
    #[serde(borrow)]
    text: Option<Cow<'a, str>>,
    #[serde(borrow)]
    langs: Option<Vec<Cow<'a, str>>>,
    #[serde(borrow)]
    reply: Option<Reply<'a>>,
    #[serde(borrow)]
    embed: Option<Embed<'a>>,
    #[serde(borrow)]
    facets: Option<Vec<Facet<'a>>>,
    #[serde(borrow)]
    tags: Option<Vec<Cow<'a, str>>>,
    #[serde(borrow)]
    subject: Option<Ref<'a>>,
}

#[derive(Deserialize)]
struct Reply<'a> {
    #[serde(borrow)]
    parent: Option<Ref<'a>>,
}

/// A strong reference `{uri, cid}`.
#[derive(Deserialize)]
struct Ref<'a> {
    #[serde(borrow)]
    uri: Option<Cow<'a, str>>,
}

#[derive(Deserialize)]
struct Embed<'a> {
    #[serde(borrow, rename = "$type")]
    kind: Option<Cow<'a, str>>,
    #[serde(borrow)]
    external: Option<External<'a>>,
    /// `app.bsky.embed.record`: a strong ref; `recordWithMedia`: an
    /// `app.bsky.embed.record` object wrapping one.
    #[serde(borrow)]
    record: Option<EmbedRecord<'a>>,
    #[serde(borrow)]
    media: Option<Box<Embed<'a>>>,
}

#[derive(Deserialize)]
struct EmbedRecord<'a> {
    #[serde(borrow)]
    uri: Option<Cow<'a, str>>,
    #[serde(borrow)]
    record: Option<Ref<'a>>,
}

#[derive(Deserialize)]
struct External<'a> {
    #[serde(borrow)]
    uri: Option<Cow<'a, str>>,
}

#[derive(Deserialize)]
struct Facet<'a> {
    index: Option<ByteSlice>,
    #[serde(borrow)]
    features: Option<Vec<Feature<'a>>>,
}

#[derive(Deserialize)]
struct ByteSlice {
    #[serde(rename = "byteStart")]
    start: Option<u64>,
    #[serde(rename = "byteEnd")]
    end: Option<u64>,
}

#[derive(Deserialize)]
struct Feature<'a> {
    #[serde(borrow, rename = "$type")]
    kind: Option<Cow<'a, str>>,
    #[serde(borrow)]
    uri: Option<Cow<'a, str>>,
    #[serde(borrow)]
    did: Option<Cow<'a, str>>,
    #[serde(borrow)]
    tag: Option<Cow<'a, str>>,
}

fn nonempty<'s>(s: &'s Option<Cow<'_, str>>) -> Option<&'s str> {
    s.as_deref().filter(|s| !s.is_empty())
}

/// `text[start..end]` when those are valid UTF-8 byte offsets into it.
fn byte_slice<'t>(text: &'t str, idx: Option<&ByteSlice>) -> Option<&'t str> {
    let idx = idx?;
    let (start, end) = (usize::try_from(idx.start?).ok()?, usize::try_from(idx.end?).ok()?);
    text.get(start..end).filter(|s| !s.is_empty())
}

/// The post URI a quote embed points at (none for lists, feeds, …).
fn quoted_uri<'s>(embed: &'s Embed<'_>) -> Option<&'s str> {
    let kind = embed.kind.as_deref()?;
    let rec = embed.record.as_ref()?;
    let uri = match kind {
        "app.bsky.embed.record" => nonempty(&rec.uri),
        "app.bsky.embed.recordWithMedia" => {
            rec.record.as_ref().and_then(|r| nonempty(&r.uri)).or_else(|| nonempty(&rec.uri))
        }
        _ => None,
    }?;
    uri.contains("/app.bsky.feed.post/").then_some(uri)
}

fn external_uri<'s>(embed: &'s Embed<'_>) -> Option<&'s str> {
    embed
        .external
        .as_ref()
        .and_then(|e| nonempty(&e.uri))
        .or_else(|| embed.media.as_ref().and_then(|m| m.external.as_ref()).and_then(|e| nonempty(&e.uri)))
}

fn emit(ev: &Event<'_>, sink: &mut Sink) {
    let kind = ev.kind.as_deref().or(match ev.old_kind.as_deref() {
        Some("com") => Some("commit"),
        Some("id") => Some("identity"),
        Some("acc") => Some("account"),
        other => other,
    });
    match kind {
        Some("commit") => {}
        Some(other) => {
            return sink.skip(SkipReason::NotAnAction, Some("kind"), format!("`{other}` event, not a commit"));
        }
        None if ev.commit.is_none() => {
            return sink.skip(SkipReason::MissingField, Some("kind"), "event without kind or commit");
        }
        None => {}
    }
    let Some(commit) = &ev.commit else {
        return sink.skip(SkipReason::MissingField, Some("commit"), "commit event without a commit");
    };
    let Some(collection) = nonempty(&commit.collection) else {
        return sink.skip(SkipReason::MissingField, Some("commit.collection"), "commit without a collection");
    };
    let op = match (commit.operation.as_deref(), commit.old_operation.as_deref()) {
        (Some(op), _) => op,
        (None, Some("c")) => "create",
        (None, Some("u")) => "update",
        (None, Some("d")) => "delete",
        (None, other) => other.unwrap_or(""),
    };
    if op != "create" {
        let what = if op.is_empty() { "an operation-less" } else { op };
        return sink.skip(
            SkipReason::NotAnAction,
            Some("commit.operation"),
            format!("{what} commit on {collection}, not a create"),
        );
    }
    if ![POST, REPOST, LIKE].contains(&collection) {
        return sink.skip(
            SkipReason::NotAnAction,
            Some("commit.collection"),
            format!("{collection} record, not a post, repost or like"),
        );
    }
    let Some(did) = nonempty(&ev.did) else {
        return sink.skip(SkipReason::MissingField, Some("did"), "commit without a did");
    };
    let Some(rkey) = nonempty(&commit.rkey) else {
        return sink.skip(SkipReason::MissingField, Some("commit.rkey"), "commit without an rkey");
    };
    let Some(raw) = commit.record else {
        return sink.skip(SkipReason::MissingField, Some("commit.record"), "create commit without a record");
    };
    let rec: Record<'_> = match serde_json::from_str(raw.get()) {
        Ok(r) => r,
        Err(e) => {
            let mut de = serde_json::Deserializer::from_str(raw.get());
            let field = match serde_path_to_error::deserialize::<_, Record>(&mut de) {
                Err(pe) if pe.path().to_string() != "." => format!("commit.record.{}", pe.path()),
                _ => "commit.record".to_string(),
            };
            return sink.skip(SkipReason::BadValue, Some(&field), e.to_string());
        }
    };

    // The relay's time first: `createdAt` is whatever the client wrote (it
    // can be backdated or set ahead), `time_us` is when Jetstream saw it.
    let ts_ms = match ev.time_us {
        Some(us) => us.div_euclid(1000),
        None => match nonempty(&rec.created_at).map(|c| (c, parse_rfc3339_ms(c))) {
            Some((_, Some(ms))) => ms,
            Some((c, None)) => {
                return sink.skip(
                    SkipReason::BadTimestamp,
                    Some("commit.record.createdAt"),
                    format!("unparsable createdAt {c:?} and no time_us"),
                );
            }
            None => {
                return sink.skip(
                    SkipReason::MissingField,
                    Some("commit.record.createdAt"),
                    "neither time_us nor createdAt",
                );
            }
        },
    };
    let post_id = format!("at://{did}/{collection}/{rkey}");

    let (mut kind, mut target) = (Kind::Post, None);
    let mut urls: Vec<RawUrl<'_>> = Vec::new();
    let mut hashtags: Vec<&str> = Vec::new();
    let mut mentions: Vec<&str> = Vec::new();
    let text = rec.text.as_deref().unwrap_or("");
    if collection == POST {
        if let Some(parent) = rec.reply.as_ref().and_then(|r| r.parent.as_ref()).and_then(|p| nonempty(&p.uri)) {
            (kind, target) = (Kind::Reply, Some(parent));
        } else if let Some(q) = rec.embed.as_ref().and_then(quoted_uri) {
            (kind, target) = (Kind::Quote, Some(q));
        }
        for facet in rec.facets.iter().flatten() {
            for f in facet.features.iter().flatten() {
                match f.kind.as_deref().unwrap_or("") {
                    "app.bsky.richtext.facet#link" => {
                        if let Some(uri) = nonempty(&f.uri) {
                            let written = byte_slice(text, facet.index.as_ref()).unwrap_or(uri);
                            urls.push(RawUrl { written, expanded: uri });
                        }
                    }
                    "app.bsky.richtext.facet#tag" => {
                        if let Some(tag) = nonempty(&f.tag) {
                            hashtags.push(tag);
                        }
                    }
                    "app.bsky.richtext.facet#mention" => {
                        if let Some(did) = nonempty(&f.did) {
                            mentions.push(did);
                        }
                    }
                    _ => {}
                }
            }
        }
        if let Some(ext) = rec.embed.as_ref().and_then(external_uri)
            && !urls.iter().any(|u| u.expanded == ext)
        {
            urls.push(RawUrl { written: ext, expanded: ext });
        }
        for tag in rec.tags.iter().flatten() {
            if !tag.is_empty() && !hashtags.contains(&tag.as_ref()) {
                hashtags.push(tag);
            }
        }
    } else {
        let Some(subject) = rec.subject.as_ref().and_then(|s| nonempty(&s.uri)) else {
            return sink.skip(
                SkipReason::MissingField,
                Some("commit.record.subject.uri"),
                "repost or like without a subject",
            );
        };
        kind = if collection == REPOST { Kind::Repost } else { Kind::Like };
        target = Some(subject);
    }

    sink.push(&RawEvent {
        platform: Some(Platform::Bluesky),
        post_id: &post_id,
        account_id: did,
        handle: "",
        ts_ms,
        kind: Some(kind),
        target,
        text,
        lang: rec.langs.as_ref().and_then(|l| l.first()).map_or("", |l| l.as_ref()),
        urls: &urls,
        hashtags: &hashtags,
        mentions: &mentions,
    });
}

impl JsonFormat for Jetstream {
    fn parse(&self, record: &[u8], sink: &mut Sink) {
        if let Some(ev) = crate::json::decode::<Event>(record, sink) {
            emit(&ev, sink);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn parse(rec: &str) -> Sink {
        let mut sink = Sink::new("t");
        Jetstream.parse(rec.as_bytes(), &mut sink);
        sink
    }

    #[test]
    fn facet_offsets_are_utf8_bytes() {
        // "é" is two bytes: the link starts at byte 7, character 6.
        let s = parse(
            r#"{"did":"did:plc:a","time_us":1730000000000000,"kind":"commit","commit":{"operation":"create","collection":"app.bsky.feed.post","rkey":"r1","record":{"text":"café: x.org/a","createdAt":"2024-10-27T03:33:20Z","facets":[{"index":{"byteStart":7,"byteEnd":14},"features":[{"$type":"app.bsky.richtext.facet#link","uri":"https://x.org/a"}]},{"index":{"byteStart":1,"byteEnd":4},"features":[{"$type":"app.bsky.richtext.facet#link","uri":"https://bad.example"}]}]}}}"#,
        );
        assert_eq!(s.report.parsed, 1, "{:?}", s.report.examples);
        let r = s.events.row(0);
        assert_eq!(r.urls, vec![("x.org/a", "https://x.org/a"), ("https://bad.example", "https://bad.example")]);
    }

    #[test]
    fn follow_with_string_subject_is_not_an_action() {
        let s = parse(
            r#"{"did":"did:plc:a","time_us":1,"kind":"commit","commit":{"operation":"create","collection":"app.bsky.graph.follow","rkey":"r","record":{"subject":"did:plc:b","createdAt":"2024-10-27T03:33:20Z"}}}"#,
        );
        assert_eq!(s.report.skipped.get(&SkipReason::NotAnAction), Some(&1));
    }

    proptest! {
        #[test]
        fn never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
            let mut sink = Sink::new("t");
            Jetstream.parse(&bytes, &mut sink);
            prop_assert_eq!(sink.report.records, 1);
        }

        #[test]
        fn never_panics_on_any_facet_offsets(text in "\\PC{0,12}", start in 0u64..40, end in 0u64..40) {
            let rec = serde_json::json!({"did":"did:plc:a","time_us":1,"kind":"commit","commit":{"operation":"create",
                "collection":"app.bsky.feed.post","rkey":"r","record":{"text":text,"createdAt":"2024-10-27T03:33:20Z",
                "facets":[{"index":{"byteStart":start,"byteEnd":end},"features":[{"$type":"app.bsky.richtext.facet#link","uri":"https://x"}]}]}}});
            let mut sink = Sink::new("t");
            Jetstream.parse(rec.to_string().as_bytes(), &mut sink);
            prop_assert_eq!(sink.report.parsed, 1);
        }
    }
}
