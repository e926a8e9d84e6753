//! coordination-network-toolkit CSV (`--format cnt`).
//!
//! The input of the QUT Digital Observatory toolkit (see
//! `shared/peers/cnt/SEMANTICS.md` §3.1): a header row, ignored except that it
//! must be there, then **8 columns matched by position**:
//!
//! | column | event field |
//! |---|---|
//! | 0 `message_id` | `post_id`, as text (`"01"` ≠ `"1"`); empty → `missing_field` |
//! | 1 `user_id` | `account_id`, as text; empty → `missing_field` |
//! | 2 `username` | `handle` |
//! | 3 `repost_id` | non-empty → `Repost` of it |
//! | 4 `reply_id` | else non-empty → `Reply` to it; else `Post` |
//! | 5 `message` | `text`; hashtags and mentions are extracted from it |
//! | 6 `timestamp` | Unix seconds, maybe fractional → `ts_ms`; else `bad_timestamp` |
//! | 7 `urls` | `urls` (written only, no expansion) |
//!
//! Rows with another number of columns are `wrong_column_count` (the toolkit
//! raises `ValueError` on them).
//!
//! Decisions, and where the toolkit differs (a compatibility mode in the
//! network code reproduces the toolkit from these events):
//!
//! * **Targets are kept raw.** The toolkit counts any non-empty `repost_id` or
//!   `reply_id`, even `" "`, as a repost or reply, so the value is not trimmed:
//!   `" "` becomes the target key `" "`.
//! * **URLs** are split on the single space character, as the toolkit does
//!   (tabs and newlines are not separators), or, when the field is a Python
//!   list literal (`['http://a', 'http://b']`, the toolkit's own example), read
//!   as that list. The toolkit itself does not parse lists: it splits the
//!   literal on spaces and stores pieces like `['http://a',`. URLs are kept
//!   exactly as written, in order, repeats included; **empty URLs are dropped**,
//!   whereas the toolkit stores an empty field as the URL `""` (its issue #46).
//!   The toolkit also ignores the URLs of reposts; they are kept here.
//! * **Platform** is [`Platform::Other`]: the layout is platform-neutral (the
//!   toolkit's own fixtures use ids like `rtid0`), and guessing Twitter would
//!   mislabel converted Telegram or Facebook data.
//! * Hashtags and mentions are not columns of the format; they are extracted
//!   from `message` like twitter-text does (see `common::extract_hashtags`).

use crate::csvin::{CsvFormat, fields};
use crate::diag::SkipReason;
use crate::formats::common::{extract_hashtags, extract_mentions, unix_seconds_to_ms};
use crate::sink::Sink;
use swarmscan_model::{Kind, Platform, RawEvent, RawUrl};

pub(crate) struct Cnt;

const NAMES: [&str; 8] = ["message_id", "user_id", "username", "repost_id", "reply_id", "message", "timestamp", "urls"];

impl Cnt {
    /// Columns are positional, so any header is accepted (the toolkit skips
    /// the first row unread).
    pub(crate) fn from_header(_header: &[String]) -> Result<Self, String> {
        Ok(Cnt)
    }
}

impl CsvFormat for Cnt {
    fn columns(&self) -> Option<usize> {
        Some(8)
    }

    fn parse(&self, row: &csv::ByteRecord, sink: &mut Sink) {
        let Some(f) = fields(row, &NAMES, sink) else { return };
        let [message_id, user_id, username, repost_id, reply_id, message, timestamp, urls] = f;
        for (value, name) in [(message_id, "message_id"), (user_id, "user_id"), (timestamp, "timestamp")] {
            if value.is_empty() {
                sink.skip(SkipReason::MissingField, Some(name), format!("`{name}` is empty"));
                return;
            }
        }
        let Some(ts_ms) = unix_seconds_to_ms(timestamp) else {
            sink.skip(SkipReason::BadTimestamp, Some("timestamp"), format!("`{timestamp}` is not Unix seconds"));
            return;
        };
        let (kind, target) = if !repost_id.is_empty() {
            (Kind::Repost, Some(repost_id))
        } else if !reply_id.is_empty() {
            (Kind::Reply, Some(reply_id))
        } else {
            (Kind::Post, None)
        };
        let urls: Vec<RawUrl<'_>> = split_urls(urls).map(|written| RawUrl { written, expanded: "" }).collect();
        let hashtags = extract_hashtags(message);
        let mentions = extract_mentions(message);
        sink.push(&RawEvent {
            platform: Some(Platform::Other),
            post_id: message_id,
            account_id: user_id,
            handle: username,
            ts_ms,
            kind: Some(kind),
            target,
            text: message,
            lang: "",
            urls: &urls,
            hashtags: &hashtags,
            mentions: &mentions,
        });
    }
}

/// The URLs of a `urls` field: a Python list literal, or space-separated.
/// Empty pieces are dropped.
fn split_urls(s: &str) -> impl Iterator<Item = &str> {
    let list = python_list(s);
    let spaced = if list.is_none() { Some(s.split(' ')) } else { None };
    list.into_iter().flatten().chain(spaced.into_iter().flatten()).filter(|u| !u.is_empty())
}

/// The elements of a Python list literal of strings (`['a', "b"]`), or
/// `None` if `s` is not one. Elements are returned as written between their
/// quotes (backslash escapes are not decoded; Python's `repr` only writes
/// them for strings holding both quote kinds). Unquoted elements
/// (`[http://a, http://b]`) are trimmed.
fn python_list(s: &str) -> Option<Vec<&str>> {
    let inner = s.trim().strip_prefix('[')?.strip_suffix(']')?;
    let b = inner.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    loop {
        while i < b.len() && (b[i].is_ascii_whitespace() || b[i] == b',') {
            i += 1;
        }
        if i == b.len() {
            return Some(out);
        }
        match b[i] {
            q @ (b'\'' | b'"') => {
                let start = i + 1;
                let mut j = start;
                while j < b.len() && b[j] != q {
                    j += if b[j] == b'\\' { 2 } else { 1 };
                }
                if j >= b.len() {
                    return None;
                }
                out.push(&inner[start..j]);
                i = j + 1;
                // Only a separator may follow a closing quote.
                while i < b.len() && b[i].is_ascii_whitespace() {
                    i += 1;
                }
                if i < b.len() && b[i] != b',' {
                    return None;
                }
            }
            _ => {
                let end = memchr::memchr(b',', &b[i..]).map_or(b.len(), |p| i + p);
                out.push(inner[i..end].trim());
                i = end;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(field: &str, expect: &[&str]) {
        assert_eq!(split_urls(field).collect::<Vec<_>>(), expect, "{field:?}");
    }

    #[test]
    fn url_fields() {
        check("", &[]);
        check("https://a.org/x", &["https://a.org/x"]);
        check("https://a.org/x  http://b.org\thttp://c", &["https://a.org/x", "http://b.org\thttp://c"]);
        check("['http://example.com/2']", &["http://example.com/2"]);
        check("['http://example.com/4', 'http://example.com/6']", &["http://example.com/4", "http://example.com/6"]);
        check("[\"http://x.org/it's\", 'http://y']", &["http://x.org/it's", "http://y"]);
        check("[http://a, http://b]", &["http://a", "http://b"]);
        check("[]", &[]);
        check("['', 'http://a']", &["http://a"]);
        // Not a list: falls back to splitting on spaces.
        check("['http://a' 'http://b']", &["['http://a'", "'http://b']"]);
        check("['unterminated]", &["['unterminated]"]);
    }
}
