//! Mastodon API statuses: JSONL of `Status` objects, or JSON arrays of them
//! (API pages, one per line or pretty-printed).
//!
//! # Mapping
//!
//! | event | source |
//! |---|---|
//! | `post_id` | `uri` (the ActivityPub id: `id` is local to the instance that served the API, `uri` is the same everywhere) |
//! | `account_id` | `account.url`; without it, `account.acct`, qualified as `acct@host` with the host of the status `uri` when it has no `@` (a local account) |
//! | `handle` | `account.acct` |
//! | `ts_ms` | `created_at` |
//! | `kind`, `target` | `reblog` non-null → Repost of `reblog.uri`; else `in_reply_to_id` → Reply (target below); else `quote` (4.4+) → Quote of `quote.quoted_status.uri` (or `quote.uri` for Fedibird-style quotes, else `quote.quoted_status_id` as below) |
//! | `text` | `content`, HTML turned into text (see `common::html_to_text`) |
//! | `urls` | the `href`s of the content's links, except mention and hashtag links, then `card.url` unless already there; written = expanded = the href |
//! | `hashtags`, `mentions` | `tags[].name`, `mentions[].acct` |
//! | `lang` | `language` |
//!
//! A boost has empty content: its text, URLs, hashtags, mentions and
//! language are the boosted status's (`reblog`).
//!
//! # Reply targets
//!
//! The API gives a reply's parent only as `in_reply_to_id`, an id local to
//! the instance that served the data, never as a URI. The target is:
//!
//! 1. The parent's exact URI when it can be rebuilt: the parent's author
//!    (`in_reply_to_account_id`) is the replying account itself or one of
//!    the `mentions`, and is local to the serving instance (its `acct` has no
//!    `@`; its `url`'s host is that instance). Mastodon writes a local
//!    status's URI as `https://{host}/users/{username}/statuses/{id}`, so the
//!    target is that string — the very `post_id` the parent has when it is in
//!    the data (threads, replies to local posts). Other server software
//!    (Pleroma, Misskey, …) names statuses differently: there the rebuilt
//!    string is still one stable key per parent, but not its URI. A reply
//!    whose author deleted the automatic mention of the parent's author
//!    falls to rule 2.
//! 2. Otherwise (the parent is remote to the serving instance),
//!    `mastodon-status-id:{in_reply_to_id}`. This is stable within one
//!    instance's collection: replies to one parent fetched through one
//!    instance share it, whether they are local or remote. It is
//!    deliberately *not* qualified by the reply's own host: for remote
//!    replies that host is not the instance the id belongs to, and
//!    qualifying would split the replies to one parent. Ids of different
//!    instances may in principle collide, and cannot be matched anyway.
//!
//! Quotes known only by `quoted_status_id` get the key of rule 2. A `quote`
//! without any target (its state `deleted`, say) leaves the status a Post.
//!
//! A status without `uri`, an account or `created_at` is a
//! [`SkipReason::MissingField`] skip, an unparsable date a
//! [`SkipReason::BadTimestamp`] skip.

use super::common::html_to_text;
use crate::diag::SkipReason;
use crate::json::JsonFormat;
use crate::sink::Sink;
use serde::Deserialize;
use std::borrow::Cow;
use swarmscan_model::{Kind, Platform, RawEvent, RawUrl, parse_rfc3339_ms};

pub(crate) struct Mastodon;

#[derive(Deserialize)]
struct Status<'a> {
    #[serde(borrow)]
    uri: Option<Cow<'a, str>>,
    #[serde(borrow)]
    created_at: Option<Cow<'a, str>>,
    #[serde(borrow)]
    account: Option<Account<'a>>,
    #[serde(borrow)]
    content: Option<Cow<'a, str>>,
    #[serde(borrow)]
    language: Option<Cow<'a, str>>,
    #[serde(borrow)]
    in_reply_to_id: Option<Cow<'a, str>>,
    #[serde(borrow)]
    in_reply_to_account_id: Option<Cow<'a, str>>,
    #[serde(borrow)]
    reblog: Option<Box<Status<'a>>>,
    #[serde(borrow)]
    quote: Option<Quote<'a>>,
    #[serde(borrow)]
    card: Option<Card<'a>>,
    #[serde(borrow)]
    mentions: Option<Vec<Account<'a>>>,
    #[serde(borrow)]
    tags: Option<Vec<Tag<'a>>>,
}

/// An account, or a mention (same fields).
#[derive(Deserialize)]
struct Account<'a> {
    #[serde(borrow)]
    id: Option<Cow<'a, str>>,
    #[serde(borrow)]
    username: Option<Cow<'a, str>>,
    #[serde(borrow)]
    acct: Option<Cow<'a, str>>,
    #[serde(borrow)]
    url: Option<Cow<'a, str>>,
}

/// Mastodon 4.4's `Quote` / `ShallowQuote`, or a Fedibird-style quoted
/// `Status` (which has a `uri`).
#[derive(Deserialize)]
struct Quote<'a> {
    #[serde(borrow)]
    quoted_status: Option<QuotedStatus<'a>>,
    #[serde(borrow)]
    quoted_status_id: Option<Cow<'a, str>>,
    #[serde(borrow)]
    uri: Option<Cow<'a, str>>,
}

#[derive(Deserialize)]
struct QuotedStatus<'a> {
    #[serde(borrow)]
    uri: Option<Cow<'a, str>>,
}

#[derive(Deserialize)]
struct Card<'a> {
    #[serde(borrow)]
    url: Option<Cow<'a, str>>,
}

#[derive(Deserialize)]
struct Tag<'a> {
    #[serde(borrow)]
    name: Option<Cow<'a, str>>,
}

fn nonempty<'s>(s: &'s Option<Cow<'_, str>>) -> Option<&'s str> {
    s.as_deref().filter(|s| !s.is_empty())
}

/// The host of an `http(s)://host/…` URI (without port or user info).
fn host(uri: &str) -> Option<&str> {
    let rest = uri.split_once("://")?.1;
    let authority = &rest[..rest.find(['/', '?', '#']).unwrap_or(rest.len())];
    let host = authority.rsplit('@').next()?;
    let host = host.split(':').next()?;
    (!host.is_empty()).then_some(host)
}

/// The key of a status known only by its instance-local id (rule 2).
fn local_id_key(id: &str) -> String {
    format!("mastodon-status-id:{id}")
}

/// The reply target (see the module doc).
fn reply_target(s: &Status<'_>, parent_id: &str) -> String {
    let parent_author = s.in_reply_to_account_id.as_deref().and_then(|aid| {
        let mine = s.account.as_ref().filter(|a| a.id.as_deref() == Some(aid));
        mine.or_else(|| s.mentions.iter().flatten().find(|m| m.id.as_deref() == Some(aid)))
    });
    let rebuilt = parent_author.and_then(|a| {
        let acct = nonempty(&a.acct)?;
        let username = nonempty(&a.username)?;
        if acct.contains('@') || acct != username {
            return None;
        }
        let h = host(nonempty(&a.url)?)?;
        Some(format!("https://{h}/users/{username}/statuses/{parent_id}"))
    });
    rebuilt.unwrap_or_else(|| local_id_key(parent_id))
}

fn emit(s: &Status<'_>, sink: &mut Sink) {
    let Some(uri) = nonempty(&s.uri) else {
        return sink.skip(SkipReason::MissingField, Some("uri"), "status without a uri");
    };
    let Some(account) = &s.account else {
        return sink.skip(SkipReason::MissingField, Some("account"), "status without an account");
    };
    let acct = nonempty(&account.acct);
    let account_id: Cow<'_, str> = match (nonempty(&account.url), acct) {
        (Some(url), _) => Cow::Borrowed(url),
        (None, Some(acct)) if acct.contains('@') => Cow::Borrowed(acct),
        (None, Some(acct)) => match host(uri) {
            Some(h) => Cow::Owned(format!("{acct}@{h}")),
            None => {
                return sink.skip(
                    SkipReason::MissingField,
                    Some("account.url"),
                    "local account without url, and the status uri names no host",
                );
            }
        },
        (None, None) => {
            return sink.skip(SkipReason::MissingField, Some("account.url"), "account without url or acct");
        }
    };
    let Some(created) = nonempty(&s.created_at) else {
        return sink.skip(SkipReason::MissingField, Some("created_at"), "status without created_at");
    };
    let Some(ts_ms) = parse_rfc3339_ms(created) else {
        return sink.skip(
            SkipReason::BadTimestamp,
            Some("created_at"),
            format!("not an ISO 8601 timestamp: {created:?}"),
        );
    };

    let (kind, target, body): (Kind, Option<Cow<'_, str>>, &Status<'_>) = if let Some(rb) = &s.reblog {
        let Some(t) = nonempty(&rb.uri) else {
            return sink.skip(SkipReason::MissingField, Some("reblog.uri"), "boost of a status without a uri");
        };
        (Kind::Repost, Some(Cow::Borrowed(t)), rb)
    } else if let Some(parent) = nonempty(&s.in_reply_to_id) {
        (Kind::Reply, Some(Cow::Owned(reply_target(s, parent))), s)
    } else if let Some(q) = s.quote.as_ref().and_then(|q| {
        let uri = q.quoted_status.as_ref().and_then(|qs| nonempty(&qs.uri)).or_else(|| nonempty(&q.uri));
        uri.map(Cow::Borrowed).or_else(|| nonempty(&q.quoted_status_id).map(|id| Cow::Owned(local_id_key(id))))
    }) {
        (Kind::Quote, Some(q), s)
    } else {
        (Kind::Post, None, s)
    };

    let (text, hrefs) = html_to_text(body.content.as_deref().unwrap_or(""));
    let mut urls: Vec<RawUrl<'_>> =
        hrefs.iter().map(|h| RawUrl { written: h.as_str(), expanded: h.as_str() }).collect();
    if let Some(card) = body.card.as_ref().and_then(|c| nonempty(&c.url))
        && !urls.iter().any(|u| u.written == card)
    {
        urls.push(RawUrl { written: card, expanded: card });
    }
    let hashtags: Vec<&str> = body.tags.iter().flatten().filter_map(|t| nonempty(&t.name)).collect();
    let mentions: Vec<&str> = body.mentions.iter().flatten().filter_map(|m| nonempty(&m.acct)).collect();

    sink.push(&RawEvent {
        platform: Some(Platform::Mastodon),
        post_id: uri,
        account_id: &account_id,
        handle: acct.unwrap_or(""),
        ts_ms,
        kind: Some(kind),
        target: target.as_deref(),
        text: &text,
        lang: body.language.as_deref().unwrap_or(""),
        urls: &urls,
        hashtags: &hashtags,
        mentions: &mentions,
    });
}

impl JsonFormat for Mastodon {
    fn parse(&self, record: &[u8], sink: &mut Sink) {
        if let Some(s) = crate::json::decode::<Status>(record, sink) {
            emit(&s, sink);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn hosts() {
        assert_eq!(host("https://social.example/users/a/statuses/1"), Some("social.example"));
        assert_eq!(host("https://u@h.example:8443/x"), Some("h.example"));
        assert_eq!(host("https://h.example"), Some("h.example"));
        assert_eq!(host("tag:h.example,2020:1"), None);
        assert_eq!(host("https:///x"), None);
    }

    proptest! {
        #[test]
        fn never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
            let mut sink = Sink::new("t");
            Mastodon.parse(&bytes, &mut sink);
            prop_assert_eq!(sink.report.records, 1);
        }

        #[test]
        fn never_panics_on_json_like_input(s in r#"\{("(uri|account|acct|url|created_at|reblog|content|in_reply_to_id|quote|card|tags)":(\{|\[|"[a-z0-9:/.@<>&;#\- ]*"|[0-9]+|null)[,}\]]{0,2}){0,8}"#) {
            let mut sink = Sink::new("t");
            Mastodon.parse(s.as_bytes(), &mut sink);
            prop_assert_eq!(sink.report.records, 1);
        }
    }
}
