//! Telegram Desktop JSON export (`result.json`, `--format telegram`).
//!
//! The document is read whole (it is pretty-printed): either one chat,
//! `{"name","type","id","messages":[…]}`, or a full-account export,
//! `{"personal_information"?, "chats":{"list":[chat…]}, "left_chats":{"list":[chat…]}}`
//! (chats, then left chats, in file order). The chat list is deserialised
//! with every message kept as raw JSON, then each message is decoded on its
//! own, so each message is one record with its own line, and one bad message
//! costs only itself. A document that is not valid JSON (e.g. truncated) is
//! one `malformed_json` record at the line of the error.
//!
//! | event field | from |
//! |---|---|
//! | `post_id` | `{chat id}/{message id}` (message ids are per chat) |
//! | `account_id` | `from_id` (`user123`, `channel123`; an old export's integer `123` becomes `user123`); in a channel without `from_id`, `channel{chat id}` |
//! | `handle` | `from` (a display name, not an @username), else the chat's name for channel posts |
//! | `ts_ms` | `date_unixtime` (a string of seconds); older exports lack it, then `date`, which is the exporting computer's **local time without a zone** and is read as UTC (so it can be off by the exporter's UTC offset) |
//! | `kind`, `target` | `forwarded_from` present → `Forward` of `forwarded:{forwarded_from}` (a display name, not an id: two channels with one name share the key; `null`, a hidden sender, gives a forward without target); else `reply_to_message_id` → `Reply` to `{chat id}/{reply_to_message_id}`; else `Post` |
//! | `text` | `text`: a string, or an array of strings and entities `{type,text,href?}` whose texts are concatenated |
//! | `urls` | entities `link` (the text is the URL) and `text_link` (`href`), written only |
//! | `hashtags`, `mentions` | entities `hashtag` and `mention`, without `#` / `@` (`mention_name`, a user without a username, has no name to key on and is not read) |
//!
//! `type: "service"` messages (joins, pins, calls) are `not_an_action`, as
//! are other non-`message` types. Platform: Telegram.

use crate::diag::SkipReason;
use crate::formats::common::unix_seconds_to_ms;
use crate::json::{JsonFormat, decode};
use crate::sink::Sink;
use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;
use std::borrow::Cow;
use std::fmt;
use swarmscan_model::{Kind, Platform, RawEvent, RawUrl, parse_rfc3339_ms};

pub(crate) struct Telegram;

impl JsonFormat for Telegram {
    /// A record on its own is read as a whole document.
    fn parse(&self, record: &[u8], sink: &mut Sink) {
        let first = sink.line;
        read_document(record, sink, first.max(1));
    }

    fn parse_document(&self, doc: &[u8], sink: &mut Sink) {
        read_document(doc, sink, 1);
    }
}

/// A string, borrowed from the document when it has no escapes; integers
/// are accepted and spelt in decimal (ids are numbers in some exports).
#[derive(Default, Debug)]
struct Str<'a>(Cow<'a, str>);

impl<'de: 'a, 'a> Deserialize<'de> for Str<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Str<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string or an integer")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Str(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Str(Cow::Owned(v.to_string())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
                Ok(Str(Cow::Owned(v)))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
                Ok(Str(Cow::Owned(v.to_string())))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
                Ok(Str(Cow::Owned(v.to_string())))
            }
        }
        d.deserialize_any(V)
    }
}

#[derive(Deserialize)]
struct Root<'a> {
    #[serde(borrow, default)]
    messages: Option<Vec<&'a RawValue>>,
    #[serde(borrow, default)]
    id: Option<Str<'a>>,
    #[serde(borrow, default)]
    name: Option<Str<'a>>,
    #[serde(borrow, default, rename = "type")]
    kind: Option<Str<'a>>,
    #[serde(borrow, default)]
    chats: Option<ChatList<'a>>,
    #[serde(borrow, default)]
    left_chats: Option<ChatList<'a>>,
}

#[derive(Deserialize)]
struct ChatList<'a> {
    #[serde(borrow, default)]
    list: Vec<Chat<'a>>,
}

#[derive(Deserialize)]
struct Chat<'a> {
    #[serde(borrow, default)]
    id: Option<Str<'a>>,
    #[serde(borrow, default)]
    name: Option<Str<'a>>,
    #[serde(borrow, default, rename = "type")]
    kind: Option<Str<'a>>,
    #[serde(borrow, default)]
    messages: Vec<&'a RawValue>,
}

#[derive(Deserialize)]
struct Message<'a> {
    #[serde(borrow)]
    id: Str<'a>,
    #[serde(borrow, default, rename = "type")]
    kind: Option<Str<'a>>,
    #[serde(borrow, default)]
    date: Option<Str<'a>>,
    #[serde(borrow, default)]
    date_unixtime: Option<Str<'a>>,
    #[serde(borrow, default)]
    from: Option<Str<'a>>,
    #[serde(borrow, default)]
    from_id: Option<Str<'a>>,
    /// `Some(None)`: present and `null` (a hidden sender).
    #[serde(borrow, default, deserialize_with = "present")]
    forwarded_from: Option<Option<Str<'a>>>,
    #[serde(borrow, default)]
    reply_to_message_id: Option<Str<'a>>,
    #[serde(borrow, default)]
    text: Text<'a>,
}

fn present<'de: 'a, 'a, D: Deserializer<'de>>(d: D) -> Result<Option<Option<Str<'a>>>, D::Error> {
    Option::<Str<'a>>::deserialize(d).map(Some)
}

/// `text`: a string, or an array of strings and entity objects.
#[derive(Default)]
struct Text<'a>(Vec<Part<'a>>);

enum Part<'a> {
    Plain(Str<'a>),
    Entity(Entity<'a>),
}

#[derive(Deserialize)]
struct Entity<'a> {
    #[serde(borrow, default, rename = "type")]
    kind: Str<'a>,
    #[serde(borrow, default)]
    text: Str<'a>,
    #[serde(borrow, default)]
    href: Option<Str<'a>>,
}

impl<'de: 'a, 'a> Deserialize<'de> for Text<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Text<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string or an array of strings and entities")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Text(vec![Part::Plain(Str(Cow::Borrowed(v)))]))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Text(vec![Part::Plain(Str(Cow::Owned(v.to_string())))]))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(Text(Vec::new()))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let mut parts = Vec::new();
                while let Some(p) = seq.next_element::<Part<'de>>()? {
                    parts.push(p);
                }
                Ok(Text(parts))
            }
        }
        d.deserialize_any(V)
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Part<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Part<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string or an entity object")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Part::Plain(Str(Cow::Borrowed(v))))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Part::Plain(Str(Cow::Owned(v.to_string()))))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
                Entity::deserialize(de::value::MapAccessDeserializer::new(map)).map(Part::Entity)
            }
        }
        d.deserialize_any(V)
    }
}

fn read_document(doc: &[u8], sink: &mut Sink, first_line: u64) {
    let root: Root<'_> = match serde_json::from_slice(doc) {
        Ok(r) => r,
        Err(e) => {
            sink.line = first_line + (e.line() as u64).saturating_sub(1);
            // Re-decode to get the reason and the path of the bad field.
            let _ = decode::<Root<'_>>(doc, sink);
            return;
        }
    };
    let mut any = false;
    if let Some(messages) = &root.messages {
        any = true;
        let chat = ChatInfo::new(root.id.as_ref(), root.name.as_ref(), root.kind.as_ref());
        for m in messages {
            read_message(doc, m, &chat, sink, first_line);
        }
    }
    for list in [&root.chats, &root.left_chats].into_iter().flatten() {
        any = true;
        for c in &list.list {
            let chat = ChatInfo::new(c.id.as_ref(), c.name.as_ref(), c.kind.as_ref());
            for m in &c.messages {
                read_message(doc, m, &chat, sink, first_line);
            }
        }
    }
    if !any {
        sink.line = first_line;
        sink.skip(
            SkipReason::MissingField,
            Some("messages"),
            "neither a chat (`messages`) nor an account export (`chats`, `left_chats`)",
        );
    }
}

struct ChatInfo<'c> {
    id: Option<&'c str>,
    name: &'c str,
    channel: bool,
}

impl<'c> ChatInfo<'c> {
    fn new(id: Option<&'c Str<'_>>, name: Option<&'c Str<'_>>, kind: Option<&'c Str<'_>>) -> Self {
        ChatInfo {
            id: id.map(|s| s.0.as_ref()).filter(|s| !s.is_empty()),
            name: name.map_or("", |s| s.0.as_ref()),
            channel: kind.is_some_and(|k| k.0.contains("channel")),
        }
    }
}

fn read_message(doc: &[u8], raw: &RawValue, chat: &ChatInfo<'_>, sink: &mut Sink, first_line: u64) {
    let bytes = raw.get().as_bytes();
    sink.locate(doc, bytes, first_line);
    let Some(m) = decode::<Message<'_>>(bytes, sink) else { return };
    match m.kind.as_ref().map(|k| k.0.as_ref()) {
        None | Some("message") => {}
        Some(other) => {
            sink.skip(SkipReason::NotAnAction, Some("type"), format!("a `{other}` message"));
            return;
        }
    }
    let Some(chat_id) = chat.id else {
        sink.skip(SkipReason::MissingField, Some("id"), "the chat holding this message has no `id`");
        return;
    };
    let account_buf;
    let account: &str = match m.from_id.as_ref().map(|s| s.0.as_ref()).filter(|s| !s.is_empty()) {
        Some(id) if id.bytes().all(|b| b.is_ascii_digit()) => {
            account_buf = format!("user{id}");
            &account_buf
        }
        Some(id) => id,
        None if chat.channel => {
            account_buf = format!("channel{chat_id}");
            &account_buf
        }
        None => {
            sink.skip(SkipReason::MissingField, Some("from_id"), "no `from_id` outside a channel");
            return;
        }
    };
    let handle = match m.from.as_ref().map(|s| s.0.as_ref()) {
        Some(h) if !h.is_empty() => h,
        _ if chat.channel => chat.name,
        _ => "",
    };
    let ts_ms = if let Some(t) = &m.date_unixtime {
        match unix_seconds_to_ms(&t.0) {
            Some(ms) => ms,
            None => {
                sink.skip(SkipReason::BadTimestamp, Some("date_unixtime"), format!("`{}` is not Unix seconds", t.0));
                return;
            }
        }
    } else if let Some(d) = &m.date {
        match parse_rfc3339_ms(&d.0) {
            Some(ms) => ms,
            None => {
                sink.skip(SkipReason::BadTimestamp, Some("date"), format!("`{}` is not an ISO 8601 date", d.0));
                return;
            }
        }
    } else {
        sink.skip(SkipReason::MissingField, Some("date"), "neither `date_unixtime` nor `date`");
        return;
    };
    let target_buf;
    let (kind, target) = match (&m.forwarded_from, &m.reply_to_message_id) {
        (Some(Some(from)), _) => {
            target_buf = format!("forwarded:{}", from.0);
            (Kind::Forward, Some(target_buf.as_str()))
        }
        (Some(None), _) => (Kind::Forward, None),
        (None, Some(reply)) => {
            target_buf = format!("{chat_id}/{}", reply.0);
            (Kind::Reply, Some(target_buf.as_str()))
        }
        (None, None) => (Kind::Post, None),
    };
    let post_id = format!("{chat_id}/{}", m.id.0);
    let mut text = String::new();
    let mut urls = Vec::new();
    let mut hashtags = Vec::new();
    let mut mentions = Vec::new();
    for part in &m.text.0 {
        match part {
            Part::Plain(s) => text.push_str(&s.0),
            Part::Entity(e) => {
                let t: &str = &e.text.0;
                text.push_str(t);
                match e.kind.0.as_ref() {
                    "link" if !t.is_empty() => urls.push(RawUrl { written: t, expanded: "" }),
                    "text_link" => {
                        if let Some(h) = e.href.as_ref().filter(|h| !h.0.is_empty()) {
                            urls.push(RawUrl { written: &h.0, expanded: "" });
                        }
                    }
                    "hashtag" => hashtags.extend(Some(t.strip_prefix('#').unwrap_or(t)).filter(|h| !h.is_empty())),
                    "mention" => mentions.extend(Some(t.strip_prefix('@').unwrap_or(t)).filter(|h| !h.is_empty())),
                    _ => {}
                }
            }
        }
    }
    sink.push(&RawEvent {
        platform: Some(Platform::Telegram),
        post_id: &post_id,
        account_id: account,
        handle,
        ts_ms,
        kind: Some(kind),
        target,
        text: &text,
        lang: "",
        urls: &urls,
        hashtags: &hashtags,
        mentions: &mentions,
    });
}
