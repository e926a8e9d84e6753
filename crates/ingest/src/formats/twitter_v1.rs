//! Twitter API v1.1 tweet objects: JSONL, and the array-like variant
//! (`[` first, `,` ending each line) that the JSON driver unwraps.
//!
//! # Mapping
//!
//! | event | source |
//! |---|---|
//! | `post_id` | `id_str`, else the number `id` |
//! | `account_id`, `handle` | `user.id_str` (else `user.id`), `user.screen_name` |
//! | `ts_ms` | `created_at`, `Wed Oct 05 14:03:11 +0000 2016` |
//! | `text` | `extended_tweet.full_text`, else `full_text`, else `text`; `&amp; &lt; &gt;` decoded (the API escapes them) |
//! | `kind`, `target` | `retweeted_status` → Repost of its `id_str`; else `in_reply_to_status_id_str` → Reply; else `quoted_status_id_str` (or `quoted_status.id_str`) → Quote |
//! | `urls` | `entities.urls[]`, then `entities.media[]` (photos, videos): written `url`, expanded `expanded_url` |
//! | `hashtags`, `mentions` | `entities.hashtags[].text`, `entities.user_mentions[].screen_name` |
//! | `lang` | `lang` |
//!
//! Media links count as URLs because API v2 lists them among
//! `entities.urls` too, so both readers give a photo tweet the same URLs.
//! Where `extended_tweet` is present (streaming, tweets over 140
//! characters) its `entities` replace the truncated top-level ones. A
//! retweet's own text and entities are truncated copies of the original's,
//! so its URLs and hashtags come from `retweeted_status` (and its
//! `extended_tweet`); its mentions stay its own (they name the retweeted
//! account).
//!
//! Stream control messages (`{"delete":…}`, `{"limit":…}`,
//! `{"scrub_geo":…}`, `{"status_withheld":…}`, `{"user_withheld":…}`,
//! `{"disconnect":…}`, `{"warning":…}`, `{"friends":…}`, `{"event":…}`) are
//! [`SkipReason::NotAnAction`] skips. A tweet without an id, a user id or
//! `created_at` is a [`SkipReason::MissingField`] skip, an unparsable date a
//! [`SkipReason::BadTimestamp`] skip.

use super::common::twitter_unescape;
use crate::diag::SkipReason;
use crate::json::JsonFormat;
use crate::sink::Sink;
use serde::Deserialize;
use serde::de::IgnoredAny;
use std::borrow::Cow;
use swarmscan_model::{Kind, Platform, RawEvent, RawUrl, parse_rfc3339_ms};

pub(crate) struct TwitterV1;

#[derive(Deserialize)]
struct Tweet<'a> {
    #[serde(borrow)]
    id_str: Option<Cow<'a, str>>,
    id: Option<u64>,
    #[serde(borrow)]
    created_at: Option<Cow<'a, str>>,
    #[serde(borrow)]
    text: Option<Cow<'a, str>>,
    #[serde(borrow)]
    full_text: Option<Cow<'a, str>>,
    #[serde(borrow)]
    extended_tweet: Option<Extended<'a>>,
    #[serde(borrow)]
    user: Option<User<'a>>,
    #[serde(borrow)]
    in_reply_to_status_id_str: Option<Cow<'a, str>>,
    in_reply_to_status_id: Option<u64>,
    #[serde(borrow)]
    quoted_status_id_str: Option<Cow<'a, str>>,
    #[serde(borrow)]
    quoted_status: Option<Original<'a>>,
    #[serde(borrow)]
    retweeted_status: Option<Original<'a>>,
    #[serde(borrow)]
    entities: Option<Entities<'a>>,
    #[serde(borrow)]
    lang: Option<Cow<'a, str>>,
    // Stream control messages.
    delete: Option<IgnoredAny>,
    limit: Option<IgnoredAny>,
    scrub_geo: Option<IgnoredAny>,
    status_withheld: Option<IgnoredAny>,
    user_withheld: Option<IgnoredAny>,
    disconnect: Option<IgnoredAny>,
    warning: Option<IgnoredAny>,
    friends: Option<IgnoredAny>,
    friends_str: Option<IgnoredAny>,
    event: Option<IgnoredAny>,
}

impl Tweet<'_> {
    fn control_message(&self) -> Option<&'static str> {
        [
            (self.delete.is_some(), "delete"),
            (self.limit.is_some(), "limit"),
            (self.scrub_geo.is_some(), "scrub_geo"),
            (self.status_withheld.is_some(), "status_withheld"),
            (self.user_withheld.is_some(), "user_withheld"),
            (self.disconnect.is_some(), "disconnect"),
            (self.warning.is_some(), "warning"),
            (self.friends.is_some() || self.friends_str.is_some(), "friends"),
            (self.event.is_some(), "event"),
        ]
        .into_iter()
        .find_map(|(present, name)| present.then_some(name))
    }
}

/// A retweeted or quoted tweet: only its id and entities are read.
#[derive(Deserialize)]
struct Original<'a> {
    #[serde(borrow)]
    id_str: Option<Cow<'a, str>>,
    id: Option<u64>,
    #[serde(borrow)]
    entities: Option<Entities<'a>>,
    #[serde(borrow)]
    extended_tweet: Option<Extended<'a>>,
}

#[derive(Deserialize)]
struct Extended<'a> {
    #[serde(borrow)]
    full_text: Option<Cow<'a, str>>,
    #[serde(borrow)]
    entities: Option<Entities<'a>>,
}

#[derive(Deserialize)]
struct User<'a> {
    #[serde(borrow)]
    id_str: Option<Cow<'a, str>>,
    id: Option<u64>,
    #[serde(borrow)]
    screen_name: Option<Cow<'a, str>>,
}

#[derive(Deserialize)]
struct Entities<'a> {
    #[serde(borrow)]
    urls: Option<Vec<EntUrl<'a>>>,
    /// Photos and videos: `url` is the t.co link in the text, like a URL's.
    #[serde(borrow)]
    media: Option<Vec<EntUrl<'a>>>,
    #[serde(borrow)]
    hashtags: Option<Vec<Hashtag<'a>>>,
    #[serde(borrow)]
    user_mentions: Option<Vec<Mention<'a>>>,
}

#[derive(Deserialize)]
struct EntUrl<'a> {
    #[serde(borrow)]
    url: Option<Cow<'a, str>>,
    #[serde(borrow)]
    expanded_url: Option<Cow<'a, str>>,
}

#[derive(Deserialize)]
struct Hashtag<'a> {
    #[serde(borrow)]
    text: Option<Cow<'a, str>>,
}

#[derive(Deserialize)]
struct Mention<'a> {
    #[serde(borrow)]
    screen_name: Option<Cow<'a, str>>,
}

fn nonempty<'s>(s: &'s Option<Cow<'_, str>>) -> Option<&'s str> {
    s.as_deref().filter(|s| !s.is_empty())
}

/// An id given as `id_str` or, failing that, as a number.
fn id_of<'s>(s: &'s Option<Cow<'_, str>>, n: Option<u64>) -> Option<Cow<'s, str>> {
    nonempty(s).map(Cow::Borrowed).or_else(|| n.map(|n| Cow::Owned(n.to_string())))
}

/// The complete entities of a tweet: `extended_tweet.entities` when the
/// top-level ones are truncated.
fn entities<'s, 'a>(ext: &'s Option<Extended<'a>>, top: &'s Option<Entities<'a>>) -> Option<&'s Entities<'a>> {
    ext.as_ref().and_then(|e| e.entities.as_ref()).or(top.as_ref())
}

/// Parses v1.1's `Wed Oct 05 14:03:11 +0000 2016` to UTC milliseconds.
pub(crate) fn parse_v1_date(s: &str) -> Option<i64> {
    let mut parts = s.split_ascii_whitespace();
    let (_weekday, month, day, time, zone, year) =
        (parts.next()?, parts.next()?, parts.next()?, parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    let m = MONTHS.iter().position(|&n| n.eq_ignore_ascii_case(month))? + 1;
    let (day, year) = (day.as_bytes(), year.as_bytes());
    if !(1..=2).contains(&day.len()) || year.len() != 4 || time.len() != 8 || zone.len() != 5 {
        return None;
    }
    // Rebuild as ISO 8601 on the stack and let the model's parser check it.
    let mut iso = [0u8; 24];
    iso[..4].copy_from_slice(year);
    iso[4] = b'-';
    iso[5] = b'0' + (m / 10) as u8;
    iso[6] = b'0' + (m % 10) as u8;
    iso[7] = b'-';
    if day.len() == 1 {
        iso[8] = b'0';
        iso[9] = day[0];
    } else {
        iso[8..10].copy_from_slice(day);
    }
    iso[10] = b'T';
    iso[11..19].copy_from_slice(time.as_bytes());
    iso[19..24].copy_from_slice(zone.as_bytes());
    parse_rfc3339_ms(std::str::from_utf8(&iso).ok()?)
}

fn emit(t: &Tweet<'_>, sink: &mut Sink) {
    let Some(id) = id_of(&t.id_str, t.id) else {
        return match t.control_message() {
            Some(name) => sink.skip(SkipReason::NotAnAction, Some(name), format!("a stream `{name}` message")),
            None => sink.skip(SkipReason::MissingField, Some("id_str"), "tweet without id_str or id"),
        };
    };
    let Some(user) = &t.user else {
        return sink.skip(SkipReason::MissingField, Some("user"), "tweet without a user");
    };
    let Some(account) = id_of(&user.id_str, user.id) else {
        return sink.skip(SkipReason::MissingField, Some("user.id_str"), "tweet without user.id_str or user.id");
    };
    let Some(created) = nonempty(&t.created_at) else {
        return sink.skip(SkipReason::MissingField, Some("created_at"), "tweet without created_at");
    };
    let Some(ts_ms) = parse_v1_date(created) else {
        return sink.skip(
            SkipReason::BadTimestamp,
            Some("created_at"),
            format!("not a `Wed Oct 05 14:03:11 +0000 2016` date: {created:?}"),
        );
    };

    let own = entities(&t.extended_tweet, &t.entities);
    let (kind, target, tag_source) = if let Some(rt) = &t.retweeted_status {
        (Kind::Repost, id_of(&rt.id_str, rt.id), entities(&rt.extended_tweet, &rt.entities))
    } else if let Some(r) = id_of(&t.in_reply_to_status_id_str, t.in_reply_to_status_id) {
        (Kind::Reply, Some(r), own)
    } else if let Some(q) = nonempty(&t.quoted_status_id_str)
        .map(Cow::Borrowed)
        .or_else(|| t.quoted_status.as_ref().and_then(|q| id_of(&q.id_str, q.id)))
    {
        (Kind::Quote, Some(q), own)
    } else {
        (Kind::Post, None, own)
    };

    let urls: Vec<RawUrl<'_>> = tag_source
        .into_iter()
        .flat_map(|e| e.urls.iter().chain(e.media.iter()).flatten())
        .filter_map(|u| {
            let expanded = nonempty(&u.expanded_url).unwrap_or("");
            let written = nonempty(&u.url).unwrap_or(expanded);
            (!written.is_empty()).then_some(RawUrl { written, expanded })
        })
        .collect();
    let hashtags: Vec<&str> =
        tag_source.and_then(|e| e.hashtags.as_ref()).into_iter().flatten().filter_map(|h| nonempty(&h.text)).collect();
    let mentions: Vec<&str> = own
        .and_then(|e| e.user_mentions.as_ref())
        .into_iter()
        .flatten()
        .filter_map(|m| nonempty(&m.screen_name))
        .collect();
    let text = t
        .extended_tweet
        .as_ref()
        .and_then(|e| nonempty(&e.full_text))
        .or_else(|| nonempty(&t.full_text))
        .or_else(|| nonempty(&t.text))
        .unwrap_or("");

    sink.push(&RawEvent {
        platform: Some(Platform::Twitter),
        post_id: &id,
        account_id: &account,
        handle: user.screen_name.as_deref().unwrap_or(""),
        ts_ms,
        kind: Some(kind),
        target: target.as_deref(),
        text: &twitter_unescape(text),
        lang: t.lang.as_deref().unwrap_or(""),
        urls: &urls,
        hashtags: &hashtags,
        mentions: &mentions,
    });
}

impl JsonFormat for TwitterV1 {
    fn parse(&self, record: &[u8], sink: &mut Sink) {
        if let Some(t) = crate::json::decode::<Tweet>(record, sink) {
            emit(&t, sink);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses_v1_dates() {
        let check = |s: &str, want: Option<&str>| {
            assert_eq!(parse_v1_date(s).map(swarmscan_model::format_rfc3339_ms).as_deref(), want, "{s}");
        };
        check("Wed Oct 05 14:03:11 +0000 2016", Some("2016-10-05T14:03:11.000Z"));
        check("Thu Jun 07 06:36:05 +0000 2012", Some("2012-06-07T06:36:05.000Z"));
        check("Thu Jun 7 06:36:05 +0200 2012", Some("2012-06-07T04:36:05.000Z"));
        check("Thu Jun 07 06:36:05 -0130 2012", Some("2012-06-07T08:06:05.000Z"));
        check("Thu Foo 07 06:36:05 +0000 2012", None);
        check("Thu Jun 07 06:36:05 +0000", None);
        check("Thu Jun 07 06:36 +0000 2012", None);
        check("Thu Jun 07 25:36:05 +0000 2012", None);
        check("2012-06-07T06:36:05Z", None);
        check("Thu Jun 07 06:36:05 +0000 2012 extra", None);
        check("Thu Jun 0é 06:36:05 +0000 2012", None);
    }

    fn parse(rec: &str) -> Sink {
        let mut sink = Sink::new("t");
        TwitterV1.parse(rec.as_bytes(), &mut sink);
        sink
    }

    #[test]
    fn control_messages_are_not_actions() {
        let s = parse(r#"{"delete":{"status":{"id":1,"id_str":"1","user_id":3,"user_id_str":"3"}}}"#);
        assert_eq!(s.report.skipped.get(&SkipReason::NotAnAction), Some(&1));
        let s = parse(r#"{"limit":{"track":42}}"#);
        assert_eq!(s.report.skipped.get(&SkipReason::NotAnAction), Some(&1));
        let s = parse(r#"{"text":"no id","user":{"id_str":"1"}}"#);
        assert_eq!(s.report.skipped.get(&SkipReason::MissingField), Some(&1));
    }

    #[test]
    fn extended_tweets_and_numeric_ids() {
        let s = parse(
            r#"{"id":780000000000000001,"created_at":"Wed Oct 05 14:03:11 +0000 2016","text":"short…","truncated":true,
            "extended_tweet":{"full_text":"the long text #tag https://t.co/a","entities":{"hashtags":[{"text":"tag"}],"urls":[{"url":"https://t.co/a","expanded_url":"https:\/\/example.org\/a"}],"user_mentions":[]}},
            "user":{"id":99,"screen_name":"carol"},"quoted_status_id_str":"7","entities":{"urls":[],"hashtags":[]}}"#,
        );
        assert_eq!(s.report.parsed, 1, "{:?}", s.report.examples);
        let r = s.events.row(0);
        assert_eq!(r.post_id, "780000000000000001");
        assert_eq!(r.account_id, "99");
        assert_eq!(r.text, "the long text #tag https://t.co/a");
        assert_eq!(r.kind, Kind::Quote);
        assert_eq!(r.target.as_deref(), Some("7"));
        assert_eq!(r.urls, vec![("https://t.co/a", "https://example.org/a")]);
        assert_eq!(r.hashtags, vec!["tag"]);
    }

    proptest! {
        #[test]
        fn never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
            let mut sink = Sink::new("t");
            TwitterV1.parse(&bytes, &mut sink);
            prop_assert_eq!(sink.report.records, 1);
        }

        #[test]
        fn never_panics_on_json_like_input(s in r#"\{("(id_str|id|created_at|user|retweeted_status|entities|urls|delete|text)":(\{|\[|"[A-Za-z0-9:+ ]*"|[0-9]+|null)[,}\]]{0,2}){0,8}"#) {
            let mut sink = Sink::new("t");
            TwitterV1.parse(s.as_bytes(), &mut sink);
            prop_assert_eq!(sink.report.records, 1);
        }

        #[test]
        fn v1_dates_never_panic(s in "[A-Za-z]{3} [A-Za-z]{3} [0-9]{1,2} [0-9:]{8} [+-][0-9]{4} [0-9]{4}") {
            let _ = parse_v1_date(&s);
        }
    }
}
