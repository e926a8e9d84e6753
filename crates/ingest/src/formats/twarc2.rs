//! twarc2 / Twitter API v2: raw response pages, flattened tweets and
//! filtered-stream output, all in one reader.
//!
//! # Shapes
//!
//! * **Response page** — `{"data":[tweet…],"includes":{"users","tweets",…},
//!   "errors":[…],"meta":…}`. Each tweet in `data` is one record; each entry of
//!   `errors[]` is one [`SkipReason::ApiError`] skip (a suspended user, a
//!   deleted referenced tweet: nothing to read, but counted). A page with
//!   no tweets and no errors (an empty search result, `result_count: 0`, or
//!   `"data": []`) is one [`SkipReason::NotAnAction`] skip, so every line is
//!   accounted for.
//! * **Flattened** (`twarc2 flatten`) — one tweet per line with `author` and
//!   the full referenced tweets (`referenced_tweets[i].text`, `.entities`, …)
//!   inline.
//! * **Filtered stream** — `data` is one tweet object, plus `matching_rules`;
//!   error lines (`{"errors":[…]}`) count one `ApiError` per entry.
//!
//! # Mapping
//!
//! | event | source |
//! |---|---|
//! | `post_id` | `id` |
//! | `account_id` | `author_id` (else `author.id`) |
//! | `handle` | `author.username` (flattened) or the `includes.users` entry whose `id` is `author_id` |
//! | `ts_ms` | `created_at` (ISO 8601) |
//! | `kind`, `target` | `referenced_tweets`: `retweeted` → Repost, else `replied_to` → Reply, else `quoted` → Quote; target is that entry's `id` |
//! | `text`, `lang` | `text` with `&amp; &lt; &gt;` decoded (the API escapes them), `lang`; a retweet keeps its own, truncated `RT @…` text |
//! | `urls` | `entities.urls[]`: written `url`, expanded `unwound_url`, else `expanded_url` |
//! | `hashtags` | `entities.hashtags[].tag` |
//! | `mentions` | `entities.mentions[].username` (always the tweet's own) |
//!
//! Retweets carry truncated text and so truncated entities: their URLs and
//! hashtags come from the retweeted tweet — inline in flattened lines, from
//! `includes.tweets` in pages — and from the retweet itself only when the
//! original is absent (deleted, or not expanded). Retweet beats reply beats
//! quote when a tweet references several (a reply that quotes is a Reply).
//!
//! A tweet without `id`, `author_id` or `created_at` is a
//! [`SkipReason::MissingField`] skip, an unparsable `created_at` a
//! [`SkipReason::BadTimestamp`]; nothing is made up.
//!
//! # Speed
//!
//! Records are decoded in one pass into borrowed structs (`Cow` strings
//! borrow from the input unless they hold escapes; unknown fields are
//! skipped unread; no `serde_json::Value`), from `&str` after one bulk UTF-8
//! check ([`crate::json::from_bytes`]). Only when that fails is the line re-read element by element, so
//! that one bad tweet in a page of a hundred costs one skip, not a hundred,
//! and the diagnostic names `data[i].field`.

use super::common::twitter_unescape;
use crate::diag::SkipReason;
use crate::json::JsonFormat;
use crate::sink::Sink;
use serde::Deserialize;
use serde::de::{self, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;
use std::borrow::Cow;
use std::marker::PhantomData;
use swarmscan_model::{Kind, Platform, RawEvent, RawUrl, parse_rfc3339_ms};

pub(crate) struct Twarc2;

/// A tweet, or a whole line: the page fields (`data`, `includes`, `errors`,
/// `meta`) and the tweet fields never share a name, so one struct decodes
/// every shape in one pass.
#[derive(Deserialize)]
struct Tweet<'a> {
    #[serde(borrow)]
    id: Option<Cow<'a, str>>,
    #[serde(borrow)]
    author_id: Option<Cow<'a, str>>,
    #[serde(borrow)]
    created_at: Option<Cow<'a, str>>,
    #[serde(borrow)]
    text: Option<Cow<'a, str>>,
    #[serde(borrow)]
    lang: Option<Cow<'a, str>>,
    #[serde(borrow)]
    referenced_tweets: Option<Vec<RefTweet<'a>>>,
    #[serde(borrow)]
    entities: Option<Entities<'a>>,
    #[serde(borrow)]
    author: Option<User<'a>>,
    // Page fields.
    #[serde(borrow)]
    data: Option<Data<'a>>,
    #[serde(borrow)]
    includes: Option<Includes<'a>>,
    #[serde(borrow)]
    errors: Option<Vec<&'a RawValue>>,
    meta: Option<IgnoredAny>,
}

/// `data`: a list of tweets (pages) or one tweet (stream output).
enum Data<'a> {
    Many(Vec<Tweet<'a>>),
    One(Box<Tweet<'a>>),
}

impl<'de: 'a, 'a> Deserialize<'de> for Data<'a> {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<'a>(PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = Data<'a>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a tweet or a list of tweets")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Data<'a>, A::Error> {
                let mut v = Vec::with_capacity(seq.size_hint().unwrap_or(16));
                while let Some(t) = seq.next_element()? {
                    v.push(t);
                }
                Ok(Data::Many(v))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Data<'a>, A::Error> {
                Tweet::deserialize(de::value::MapAccessDeserializer::new(map)).map(|t| Data::One(Box::new(t)))
            }
        }
        d.deserialize_any(V(PhantomData))
    }
}

/// What an `errors[]` entry says, for the diagnostic.
#[derive(Deserialize)]
struct ApiError<'a> {
    #[serde(borrow)]
    title: Option<Cow<'a, str>>,
    #[serde(borrow)]
    detail: Option<Cow<'a, str>>,
}

#[derive(Deserialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
enum RefType {
    Retweeted,
    RepliedTo,
    Quoted,
    #[serde(other)]
    Other,
}

/// An entry of `referenced_tweets`: `{type, id}`, plus the whole referenced
/// tweet in flattened lines.
#[derive(Deserialize)]
struct RefTweet<'a> {
    #[serde(rename = "type")]
    kind: Option<RefType>,
    #[serde(borrow)]
    id: Option<Cow<'a, str>>,
    #[serde(borrow)]
    text: Option<Cow<'a, str>>,
    #[serde(borrow)]
    entities: Option<Entities<'a>>,
}

#[derive(Deserialize)]
struct User<'a> {
    #[serde(borrow)]
    id: Option<Cow<'a, str>>,
    #[serde(borrow)]
    username: Option<Cow<'a, str>>,
}

/// A tweet of `includes.tweets`: only what a retweet borrows from it.
#[derive(Deserialize)]
struct IncTweet<'a> {
    #[serde(borrow)]
    id: Option<Cow<'a, str>>,
    #[serde(borrow)]
    entities: Option<Entities<'a>>,
}

#[derive(Deserialize, Default)]
struct Includes<'a> {
    #[serde(borrow, default)]
    users: Vec<User<'a>>,
    #[serde(borrow, default)]
    tweets: Vec<IncTweet<'a>>,
}

#[derive(Deserialize, Default)]
struct Entities<'a> {
    #[serde(borrow, default)]
    urls: Option<Vec<EntUrl<'a>>>,
    #[serde(borrow, default)]
    hashtags: Option<Vec<Tag<'a>>>,
    #[serde(borrow, default)]
    mentions: Option<Vec<Mention<'a>>>,
}

#[derive(Deserialize)]
struct EntUrl<'a> {
    #[serde(borrow)]
    url: Option<Cow<'a, str>>,
    #[serde(borrow)]
    expanded_url: Option<Cow<'a, str>>,
    #[serde(borrow)]
    unwound_url: Option<Cow<'a, str>>,
}

#[derive(Deserialize)]
struct Tag<'a> {
    #[serde(borrow)]
    tag: Option<Cow<'a, str>>,
}

#[derive(Deserialize)]
struct Mention<'a> {
    #[serde(borrow)]
    username: Option<Cow<'a, str>>,
}

/// Only the envelope of a line, for the slow path: `data` kept raw so its
/// tweets can be decoded one by one.
#[derive(Deserialize)]
struct Envelope<'a> {
    #[serde(borrow)]
    data: Option<&'a RawValue>,
    #[serde(borrow)]
    includes: Option<&'a RawValue>,
    #[serde(borrow)]
    errors: Option<Vec<&'a RawValue>>,
}

/// `includes` indexed by id (binary search over sorted positions).
struct Index<'p, 'a> {
    users: Vec<(&'p str, &'p str)>,
    tweets: Vec<(&'p str, Option<&'p Entities<'a>>)>,
}

impl<'p, 'a> Index<'p, 'a> {
    fn new(inc: Option<&'p Includes<'a>>) -> Self {
        let Some(inc) = inc else { return Index { users: Vec::new(), tweets: Vec::new() } };
        let mut users: Vec<(&str, &str)> =
            inc.users.iter().filter_map(|u| Some((u.id.as_deref()?, u.username.as_deref().unwrap_or("")))).collect();
        users.sort_unstable_by(|a, b| a.0.cmp(b.0));
        let mut tweets: Vec<(&str, Option<&Entities<'a>>)> =
            inc.tweets.iter().filter_map(|t| Some((t.id.as_deref()?, t.entities.as_ref()))).collect();
        tweets.sort_unstable_by(|a, b| a.0.cmp(b.0));
        Index { users, tweets }
    }

    fn username(&self, id: &str) -> Option<&'p str> {
        self.users.binary_search_by(|u| u.0.cmp(id)).ok().map(|i| self.users[i].1)
    }

    /// `Some(entities)` when the tweet is included (`Some(None)`: without
    /// any entities), `None` when it is not.
    fn entities(&self, id: &str) -> Option<Option<&'p Entities<'a>>> {
        self.tweets.binary_search_by(|t| t.0.cmp(id)).ok().map(|i| self.tweets[i].1)
    }
}

fn nonempty<'s>(s: &'s Option<Cow<'_, str>>) -> Option<&'s str> {
    s.as_deref().filter(|s| !s.is_empty())
}

/// Where a tweet sits in its line, for naming fields in diagnostics.
#[derive(Clone, Copy)]
enum At {
    /// The line is the tweet (flattened).
    Line,
    /// `data` is the tweet (stream output).
    Data,
    /// `data[i]` (a response page).
    Item(usize),
}

impl At {
    fn field(self, field: &str) -> String {
        match self {
            At::Line => field.to_string(),
            At::Data => format!("data.{field}"),
            At::Item(i) => format!("data[{i}].{field}"),
        }
    }
}

/// One [`SkipReason::ApiError`] skip per `errors[]` entry.
fn count_errors(errors: &Option<Vec<&RawValue>>, sink: &mut Sink) {
    for (i, e) in errors.iter().flatten().enumerate() {
        // The message is only kept for the first few skips of a file.
        let message = if sink.report.examples.len() < crate::diag::MAX_EXAMPLES {
            let said = serde_json::from_str::<ApiError>(e.get()).ok();
            match said.as_ref().map(|a| (nonempty(&a.title), nonempty(&a.detail))) {
                Some((Some(t), Some(d))) => format!("API error: {t}: {d}"),
                Some((Some(m), None) | (None, Some(m))) => format!("API error: {m}"),
                _ => "API error".to_string(),
            }
        } else {
            String::new()
        };
        sink.skip(SkipReason::ApiError, Some(&format!("errors[{i}]")), message);
    }
}

/// Turns one tweet into an event or a skip. `at` is its position in a page.
fn emit(t: &Tweet<'_>, index: &Index<'_, '_>, at: At, sink: &mut Sink) {
    let Some(id) = nonempty(&t.id) else {
        return sink.skip(SkipReason::MissingField, Some(&at.field("id")), "tweet without an id");
    };
    let Some(account) = nonempty(&t.author_id).or_else(|| t.author.as_ref().and_then(|a| nonempty(&a.id))) else {
        return sink.skip(SkipReason::MissingField, Some(&at.field("author_id")), "tweet without an author_id");
    };
    let Some(created) = nonempty(&t.created_at) else {
        return sink.skip(SkipReason::MissingField, Some(&at.field("created_at")), "tweet without created_at");
    };
    let Some(ts_ms) = parse_rfc3339_ms(created) else {
        return sink.skip(
            SkipReason::BadTimestamp,
            Some(&at.field("created_at")),
            format!("not an ISO 8601 timestamp: {created:?}"),
        );
    };
    let handle =
        t.author.as_ref().and_then(|a| a.username.as_deref()).or_else(|| index.username(account)).unwrap_or("");

    let (mut kind, mut target, mut rt) = (Kind::Post, None, None);
    if let Some(refs) = &t.referenced_tweets {
        let find = |want: RefType| refs.iter().find(|r| r.kind == Some(want) && nonempty(&r.id).is_some());
        if let Some(r) = find(RefType::Retweeted) {
            (kind, target, rt) = (Kind::Repost, r.id.as_deref(), Some(r));
        } else if let Some(r) = find(RefType::RepliedTo) {
            (kind, target) = (Kind::Reply, r.id.as_deref());
        } else if let Some(r) = find(RefType::Quoted) {
            (kind, target) = (Kind::Quote, r.id.as_deref());
        }
    }
    let own = t.entities.as_ref();
    // A retweet's URLs and hashtags come from the original when we have it.
    let original = rt.and_then(|r| match (&r.entities, &r.text) {
        (Some(e), _) => Some(Some(e)),
        (None, Some(_)) => Some(None),
        (None, None) => index.entities(r.id.as_deref().unwrap_or("")),
    });
    let tag_source = original.unwrap_or(own);

    let urls: Vec<RawUrl<'_>> =
        tag_source.and_then(|e| e.urls.as_ref()).into_iter().flatten().filter_map(raw_url).collect();
    let hashtags: Vec<&str> =
        tag_source.and_then(|e| e.hashtags.as_ref()).into_iter().flatten().filter_map(|h| nonempty(&h.tag)).collect();
    let mentions: Vec<&str> =
        own.and_then(|e| e.mentions.as_ref()).into_iter().flatten().filter_map(|m| nonempty(&m.username)).collect();

    sink.push(&RawEvent {
        platform: Some(Platform::Twitter),
        post_id: id,
        account_id: account,
        handle,
        ts_ms,
        kind: Some(kind),
        target,
        text: &twitter_unescape(t.text.as_deref().unwrap_or("")),
        lang: t.lang.as_deref().unwrap_or(""),
        urls: &urls,
        hashtags: &hashtags,
        mentions: &mentions,
    });
}

fn raw_url<'s>(u: &'s EntUrl<'_>) -> Option<RawUrl<'s>> {
    let expanded = nonempty(&u.unwound_url).or_else(|| nonempty(&u.expanded_url)).unwrap_or("");
    let written = nonempty(&u.url).unwrap_or(expanded);
    (!written.is_empty()).then_some(RawUrl { written, expanded })
}

/// Handles a decoded line of any shape.
fn handle_line(line: &Tweet<'_>, sink: &mut Sink) {
    match &line.data {
        Some(data) => {
            let index = Index::new(line.includes.as_ref());
            match data {
                Data::Many(tweets) => {
                    for (i, t) in tweets.iter().enumerate() {
                        emit(t, &index, At::Item(i), sink);
                    }
                }
                Data::One(t) => emit(t, &index, At::Data, sink),
            }
            count_errors(&line.errors, sink);
        }
        None if line.id.is_some() || line.author_id.is_some() || line.created_at.is_some() => {
            // A flattened tweet (possibly also carrying page keys we ignore).
            emit(line, &Index::new(line.includes.as_ref()), At::Line, sink);
        }
        None => match &line.errors {
            Some(errors) if !errors.is_empty() => count_errors(&line.errors, sink),
            _ if line.meta.is_some() => {
                sink.skip(SkipReason::NotAnAction, Some("data"), "a response page without data (no results)")
            }
            _ => sink.skip(SkipReason::MissingField, Some("id"), "neither a tweet nor a response page"),
        },
    }
}

/// Decodes `rec` as `T`; on failure records a skip naming `prefix.path`.
fn decode_at<'a, T: Deserialize<'a>>(rec: &'a [u8], prefix: &str, sink: &mut Sink) -> Option<T> {
    match serde_json::from_slice::<T>(rec) {
        Ok(v) => Some(v),
        Err(e) => {
            let mut de = serde_json::Deserializer::from_slice(rec);
            let path = match serde_path_to_error::deserialize::<_, T>(&mut de) {
                Err(pe) => pe.path().to_string(),
                Ok(_) => ".".into(),
            };
            let field = if path == "." { prefix.to_string() } else { format!("{prefix}.{path}") };
            let reason = if e.to_string().starts_with("missing field") {
                SkipReason::MissingField
            } else if e.is_syntax() || e.is_eof() {
                SkipReason::MalformedJson
            } else {
                SkipReason::BadValue
            };
            sink.skip(reason, Some(&field), e.to_string());
            None
        }
    }
}

/// The line did not decode as a whole: read the envelope, then each tweet
/// of `data` on its own, so only the bad ones are skipped.
fn slow_path(rec: &[u8], sink: &mut Sink) {
    let Some(env) = crate::json::decode::<Envelope>(rec, sink) else { return };
    let Some(data) = env.data else {
        // A flattened tweet with a bad field: report it with its path.
        if let Some(t) = crate::json::decode::<Tweet>(rec, sink) {
            handle_line(&t, sink);
        }
        return;
    };
    // `includes` only lends handles and retweet entities: if it is broken,
    // the tweets are still read, without them.
    let includes = env.includes.and_then(|r| serde_json::from_str::<Includes>(r.get()).ok());
    let index = Index::new(includes.as_ref());
    let raw = data.get().as_bytes();
    if raw.first() == Some(&b'[') {
        match serde_json::from_slice::<Vec<&RawValue>>(raw) {
            Ok(items) => {
                for (i, item) in items.iter().enumerate() {
                    if let Some(t) = decode_at::<Tweet>(item.get().as_bytes(), &format!("data[{i}]"), sink) {
                        emit(&t, &index, At::Item(i), sink);
                    }
                }
            }
            Err(e) => sink.skip(SkipReason::BadValue, Some("data"), e.to_string()),
        }
    } else if let Some(t) = decode_at::<Tweet>(raw, "data", sink) {
        emit(&t, &index, At::Data, sink);
    }
    count_errors(&env.errors, sink);
}

impl JsonFormat for Twarc2 {
    fn parse(&self, record: &[u8], sink: &mut Sink) {
        let before = sink.report.records;
        match crate::json::from_bytes::<Tweet>(record) {
            Ok(line) => handle_line(&line, sink),
            Err(_) => slow_path(record, sink),
        }
        if sink.report.records == before {
            // `"data": []` and no errors: still one line accounted for.
            sink.skip(SkipReason::NotAnAction, Some("data"), "a response page without tweets");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn parse(rec: &str) -> Sink {
        let mut sink = Sink::new("t");
        Twarc2.parse(rec.as_bytes(), &mut sink);
        sink
    }

    #[test]
    fn page_with_a_bad_tweet_skips_only_that_tweet() {
        let s = parse(
            r#"{"data":[{"id":"1","author_id":"2","created_at":"2022-03-01T10:00:00.000Z"},{"id":"3","author_id":5,"created_at":"2022-03-01T10:00:00.000Z"}],"errors":[{"title":"x"}]}"#,
        );
        assert_eq!(s.report.parsed, 1);
        assert_eq!(s.report.skipped.get(&SkipReason::BadValue), Some(&1));
        assert_eq!(s.report.skipped.get(&SkipReason::ApiError), Some(&1));
        assert_eq!(s.report.examples[0].field.as_deref(), Some("data[1].author_id"));
    }

    #[test]
    fn escaped_strings_are_read() {
        let s = parse(
            r#"{"id":"1","author_id":"2","created_at":"2022-03-01T10:00:00Z","text":"caf\u00e9 \"x\"","author":{"username":"a\u0062"}}"#,
        );
        assert_eq!(s.report.parsed, 1);
        let r = s.events.row(0);
        assert_eq!(r.text, "café \"x\"");
        assert_eq!(r.handle, "ab");
    }

    proptest! {
        #[test]
        fn never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
            let mut sink = Sink::new("t");
            Twarc2.parse(&bytes, &mut sink);
            prop_assert!(sink.report.records >= 1);
        }

        #[test]
        fn never_panics_on_json_like_input(s in r#"\{("(id|author_id|created_at|data|errors|includes|referenced_tweets|entities|type|urls)":(\[|\{|"[a-z0-9:.\-TZ]*"|[0-9]+|null|true)[,}\]]{0,2}){0,8}"#) {
            let mut sink = Sink::new("t");
            Twarc2.parse(s.as_bytes(), &mut sink);
            prop_assert!(sink.report.records >= 1);
        }
    }
}
