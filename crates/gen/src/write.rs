//! Output formatting: the coordination-network-toolkit CSV, flattened twarc2
//! JSONL, and the helpers every event writer shares (the entity scanner, JSON
//! escaping, the gathered account cards); the live-stream formats are in
//! [`crate::stream`], the ground-truth files in [`crate::truth`].
//!
//! The event writers format straight into byte buffers (`itoa`, hand-written
//! CSV quoting and JSON escaping) because they run once per event; the small
//! ground-truth files go through `serde_json`.

use crate::domains::display_url;
use crate::event::{Event, Kind};
use crate::time::push_iso_ms;
use crate::world::{Card, World};

/// Header of `events.csv` (coordination-network-toolkit layout).
pub(crate) const CSV_HEADER: &[u8] = b"message_id,user_id,username,repost_id,reply_id,message,timestamp,urls\n";

#[inline]
pub(crate) fn push_u64(out: &mut Vec<u8>, v: u64) {
    out.extend_from_slice(itoa::Buffer::new().format(v).as_bytes());
}

/// Writes a CSV field, quoted (RFC 4180) when `quote` says it needs it.
fn push_csv_field(out: &mut Vec<u8>, s: &str, quote: bool) {
    let b = s.as_bytes();
    if !quote {
        out.extend_from_slice(b);
        return;
    }
    out.push(b'"');
    let mut start = 0;
    for i in memchr::memchr_iter(b'"', b) {
        out.extend_from_slice(&b[start..=i]);
        out.push(b'"');
        start = i + 1;
    }
    out.extend_from_slice(&b[start..]);
    out.push(b'"');
}

/// Events formatted per gather step: the account cards and post contents
/// of a chunk are loaded first, in a tight loop whose cache misses overlap,
/// then the rows are written from data that is already in cache.
const CHUNK: usize = 64;

const NO_CARD: Card = Card::EMPTY;

#[inline]
fn card(w: &World, a: u32) -> &Card {
    w.cards.get(a as usize).unwrap_or(&NO_CARD)
}

/// Calls `f` with each event, the cards of its author and of the account it
/// refers to, and its text, gathered a chunk at a time (see [`CHUNK`]).
pub(crate) fn for_each_row(w: &World, events: &[Event], mut f: impl FnMut(&Event, &Card, &Card, &str)) {
    let mut rows: Vec<(Card, Card, &str)> = Vec::with_capacity(CHUNK);
    for chunk in events.chunks(CHUNK) {
        rows.clear();
        rows.extend(chunk.iter().map(|e| (*card(w, e.author), *card(w, e.ref_author), e.content.text())));
        for (e, (c, r, body)) in chunk.iter().zip(&rows) {
            f(e, c, r, body);
        }
    }
}

/// Appends one CSV row per event.
pub(crate) fn format_csv(w: &World, events: &[Event], out: &mut Vec<u8>) {
    let mut rows: Vec<(Card, &str, &str)> = Vec::with_capacity(CHUNK);
    for chunk in events.chunks(CHUNK) {
        rows.clear();
        rows.extend(chunk.iter().map(|e| (*card(w, e.author), e.content.text(), e.content.urls())));
        for (e, (c, text, urls)) in chunk.iter().zip(&rows) {
            push_u64(out, e.id);
            out.push(b',');
            push_u64(out, c.uid);
            out.push(b',');
            out.extend_from_slice(c.name());
            out.push(b',');
            if e.kind == Kind::Repost {
                push_u64(out, e.ref_id);
            }
            out.push(b',');
            if e.kind == Kind::Reply {
                push_u64(out, e.ref_id);
            }
            out.push(b',');
            push_csv_field(out, text, e.content.quote_text());
            out.push(b',');
            push_u64(out, e.ts.div_euclid(1000) as u64);
            out.push(b',');
            push_csv_field(out, urls, e.content.quote_urls());
            out.push(b'\n');
        }
    }
}

/// Writes a JSON string literal.
pub(crate) fn push_json_str(out: &mut Vec<u8>, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push(b'"');
    let b = s.as_bytes();
    let mut start = 0;
    for (i, &c) in b.iter().enumerate() {
        let esc: &[u8] = match c {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            0..=0x1f => {
                out.extend_from_slice(&b[start..i]);
                out.extend_from_slice(b"\\u00");
                out.push(HEX[usize::from(c >> 4)]);
                out.push(HEX[usize::from(c & 15)]);
                start = i + 1;
                continue;
            }
            _ => continue,
        };
        out.extend_from_slice(&b[start..i]);
        out.extend_from_slice(esc);
        start = i + 1;
    }
    out.extend_from_slice(&b[start..]);
    out.push(b'"');
}

#[inline]
fn push_str_u64(out: &mut Vec<u8>, v: u64) {
    out.push(b'"');
    push_u64(out, v);
    out.push(b'"');
}

/// Reusable buffers of the JSON writers (one per formatting task).
#[derive(Debug, Default)]
pub(crate) struct JsonScratch {
    /// The text as written (twarc2: with the `RT @…: ` prefix; Jetstream:
    /// links shown shortened); Mastodon: the HTML content.
    pub(crate) text: String,
    /// Entity lists (twarc2), facets (Jetstream).
    pub(crate) urls: Vec<u8>,
    pub(crate) tags: Vec<u8>,
    pub(crate) mentions: Vec<u8>,
    /// Accounts and hashtags already listed (Mastodon lists each once).
    pub(crate) seen_uids: Vec<u64>,
    pub(crate) seen_tags: Vec<(usize, usize)>,
}

fn push_span(out: &mut Vec<u8>, start: usize, end: usize) {
    out.extend_from_slice(b"{\"start\":");
    push_u64(out, start as u64);
    out.extend_from_slice(b",\"end\":");
    push_u64(out, end as u64);
}

/// What an [`Entity`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum EntityKind {
    /// A `https://t.co/…` link paired with the expanded URL it stands for.
    Link,
    /// `#tag`.
    Tag,
    /// `@handle`.
    Mention,
}

/// A link, hashtag or mention in post text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Entity<'t> {
    pub(crate) kind: EntityKind,
    /// Byte range in the text: the whole link, the tag or handle with its
    /// `#` or `@`.
    pub(crate) start: usize,
    pub(crate) end: usize,
    /// The same range in code points (Twitter's offsets).
    pub(crate) cp_start: usize,
    pub(crate) cp_end: usize,
    /// The expanded URL of a link; the tag or handle without `#` / `@`.
    pub(crate) value: &'t str,
}

/// The entities of post text, in order: t.co links (each paired with the
/// next expanded URL; a link left without one is no entity), and `#` / `@`
/// followed by letters, digits or `_` at the start of a word. Every format
/// finds its links, hashtags and mentions here, so they all carry the same
/// ones.
pub(crate) struct Entities<'t> {
    text: &'t str,
    expanded: std::str::Split<'t, char>,
    i: usize,
    cp: usize,
}

impl<'t> Entities<'t> {
    /// Entities of `text`, whose t.co links stand for `urls` (expanded URLs
    /// separated by spaces) in order.
    pub(crate) fn new(text: &'t str, urls: &'t str) -> Self {
        Self { text, expanded: urls.split(' '), i: 0, cp: 0 }
    }
}

impl<'t> Iterator for Entities<'t> {
    type Item = Entity<'t>;

    fn next(&mut self) -> Option<Entity<'t>> {
        let text = self.text;
        let b = text.as_bytes();
        while self.i < b.len() {
            let (i, cp) = (self.i, self.cp);
            let c = b[i];
            let word_start = i == 0 || b[i - 1] == b' ' || b[i - 1] == b'\n';
            if word_start && c == b'h' && text[i..].starts_with("https://t.co/") {
                let end = text[i..].find(' ').map_or(b.len(), |e| i + e);
                let n = end - i;
                self.cp += n;
                self.i = end;
                if let Some(u) = self.expanded.by_ref().find(|u| !u.is_empty()) {
                    return Some(Entity {
                        kind: EntityKind::Link,
                        start: i,
                        end,
                        cp_start: cp,
                        cp_end: cp + n,
                        value: u,
                    });
                }
                continue;
            }
            if word_start && (c == b'#' || c == b'@') {
                let rest = &text[i + 1..];
                let mut nb = 0;
                let mut nc = 0;
                for ch in rest.chars() {
                    if ch.is_alphanumeric() || ch == '_' {
                        nb += ch.len_utf8();
                        nc += 1;
                    } else {
                        break;
                    }
                }
                if nc > 0 {
                    self.cp += 1 + nc;
                    self.i += 1 + nb;
                    let kind = if c == b'#' { EntityKind::Tag } else { EntityKind::Mention };
                    return Some(Entity {
                        kind,
                        start: i,
                        end: i + 1 + nb,
                        cp_start: cp,
                        cp_end: cp + 1 + nc,
                        value: &rest[..nb],
                    });
                }
            }
            self.i += match c {
                0..=0x7f => 1,
                0xc0..=0xdf => 2,
                0xe0..=0xef => 3,
                _ => 4,
            };
            self.cp += 1;
        }
        None
    }
}

/// Appends `url` as Twitter displays it (no scheme, cut with `…`).
pub(crate) fn push_display_url(out: &mut String, url: &str) {
    let (shown, cut) = display_url(url);
    out.push_str(shown);
    if cut {
        out.push('…');
    }
}

/// Writes the twarc2 entity arrays of `text` (offsets in code points, as
/// the Twitter API gives them).
fn scan_entities(text: &str, urls: &str, s: &mut JsonScratch) {
    s.urls.clear();
    s.tags.clear();
    s.mentions.clear();
    for e in Entities::new(text, urls) {
        match e.kind {
            EntityKind::Link => {
                if !s.urls.is_empty() {
                    s.urls.push(b',');
                }
                push_span(&mut s.urls, e.cp_start, e.cp_end);
                s.urls.extend_from_slice(b",\"url\":");
                push_json_str(&mut s.urls, &text[e.start..e.end]);
                s.urls.extend_from_slice(b",\"expanded_url\":");
                push_json_str(&mut s.urls, e.value);
                s.urls.extend_from_slice(b",\"display_url\":");
                let (shown, cut) = display_url(e.value);
                if cut {
                    let mut d = String::with_capacity(shown.len() + 3);
                    d.push_str(shown);
                    d.push('…');
                    push_json_str(&mut s.urls, &d);
                } else {
                    push_json_str(&mut s.urls, shown);
                }
                s.urls.push(b'}');
            }
            EntityKind::Tag | EntityKind::Mention => {
                let (buf, key): (&mut Vec<u8>, &[u8]) = if e.kind == EntityKind::Tag {
                    (&mut s.tags, b",\"tag\":")
                } else {
                    (&mut s.mentions, b",\"username\":")
                };
                if !buf.is_empty() {
                    buf.push(b',');
                }
                push_span(buf, e.cp_start, e.cp_end);
                buf.extend_from_slice(key);
                push_json_str(buf, e.value);
                buf.push(b'}');
            }
        }
    }
}

/// Appends one flattened twarc2 line per event. `twarc` is the constant
/// `"__twarc":{...}` member.
pub(crate) fn format_jsonl(w: &World, events: &[Event], twarc: &[u8], s: &mut JsonScratch, out: &mut Vec<u8>) {
    for_each_row(w, events, |e, c, r, body| format_json_line(e, c, r, body, twarc, s, out));
}

fn format_json_line(e: &Event, c: &Card, r: &Card, body: &str, twarc: &[u8], s: &mut JsonScratch, out: &mut Vec<u8>) {
    s.text.clear();
    if e.kind == Kind::Repost {
        s.text.push_str("RT @");
        s.text.push_str(std::str::from_utf8(r.name()).unwrap_or(""));
        s.text.push_str(": ");
    }
    s.text.push_str(body);
    let text = std::mem::take(&mut s.text);
    scan_entities(&text, e.content.urls(), s);

    out.extend_from_slice(b"{\"id\":");
    push_str_u64(out, e.id);
    out.extend_from_slice(b",\"text\":");
    push_json_str(out, &text);
    out.extend_from_slice(b",\"author_id\":");
    push_str_u64(out, c.uid);
    out.extend_from_slice(b",\"author\":{\"id\":");
    push_str_u64(out, c.uid);
    out.extend_from_slice(b",\"username\":\"");
    out.extend_from_slice(c.name());
    out.extend_from_slice(b"\"},\"created_at\":\"");
    push_iso_ms(out, e.ts);
    out.extend_from_slice(b"\",\"conversation_id\":");
    push_str_u64(out, if e.kind == Kind::Reply { e.ref_id } else { e.id });
    out.extend_from_slice(b",\"lang\":\"");
    out.extend_from_slice(e.content.lang().code().as_bytes());
    out.push(b'"');
    if e.kind != Kind::Post {
        if e.kind == Kind::Reply {
            out.extend_from_slice(b",\"in_reply_to_user_id\":");
            push_str_u64(out, r.uid);
        }
        out.extend_from_slice(b",\"referenced_tweets\":[{\"type\":\"");
        out.extend_from_slice(match e.kind {
            Kind::Repost => b"retweeted".as_slice(),
            Kind::Reply => b"replied_to".as_slice(),
            _ => b"quoted".as_slice(),
        });
        out.extend_from_slice(b"\",\"id\":");
        push_str_u64(out, e.ref_id);
        out.extend_from_slice(b",\"author_id\":");
        push_str_u64(out, r.uid);
        out.extend_from_slice(b",\"author\":{\"id\":");
        push_str_u64(out, r.uid);
        out.extend_from_slice(b",\"username\":\"");
        out.extend_from_slice(r.name());
        out.extend_from_slice(b"\"}}]");
    }
    if !(s.urls.is_empty() && s.tags.is_empty() && s.mentions.is_empty()) {
        out.extend_from_slice(b",\"entities\":{");
        let mut first = true;
        for (name, buf) in [
            (b"\"urls\":[".as_slice(), &s.urls),
            (b"\"hashtags\":[".as_slice(), &s.tags),
            (b"\"mentions\":[".as_slice(), &s.mentions),
        ] {
            if buf.is_empty() {
                continue;
            }
            if !first {
                out.push(b',');
            }
            first = false;
            out.extend_from_slice(name);
            out.extend_from_slice(buf);
            out.push(b']');
        }
        out.push(b'}');
    }
    out.push(b',');
    out.extend_from_slice(twarc);
    out.extend_from_slice(b"}\n");
    s.text = text;
}

/// The constant `"__twarc":{...}` member written on every JSONL line.
pub(crate) fn twarc_member(w: &World) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(b"\"__twarc\":{\"url\":\"https://api.twitter.com/2/tweets/search/all?query=swarmscan-gen\",\"version\":\"2.14.0\",\"retrieved_at\":\"");
    push_iso_ms(&mut out, w.end_ms + 3_600_000);
    out.extend_from_slice(b"\"}");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entities(text: &str, urls: &str) -> String {
        let mut s = JsonScratch::default();
        scan_entities(text, urls, &mut s);
        format!(
            "{}|{}|{}",
            String::from_utf8_lossy(&s.urls),
            String::from_utf8_lossy(&s.tags),
            String::from_utf8_lossy(&s.mentions)
        )
    }

    #[test]
    fn entity_offsets_count_code_points() {
        let e = entities("🔥 #Wahl ok @bob_1: https://t.co/abcdefghij", "https://x.org/a");
        assert_eq!(
            e,
            "{\"start\":19,\"end\":42,\"url\":\"https://t.co/abcdefghij\",\"expanded_url\":\"https://x.org/a\",\"display_url\":\"x.org/a\"}\
             |{\"start\":2,\"end\":7,\"tag\":\"Wahl\"}\
             |{\"start\":11,\"end\":17,\"username\":\"bob_1\"}"
        );
    }

    #[test]
    fn entities_have_byte_and_code_point_ranges() {
        let text = "🔥 #Wahl https://t.co/abcdefghij https://t.co/zzzzzzzzzz";
        let e: Vec<Entity> = Entities::new(text, " https://x.org/a ").collect();
        assert_eq!(
            e,
            [
                Entity { kind: EntityKind::Tag, start: 5, end: 10, cp_start: 2, cp_end: 7, value: "Wahl" },
                Entity {
                    kind: EntityKind::Link,
                    start: 11,
                    end: 34,
                    cp_start: 8,
                    cp_end: 31,
                    value: "https://x.org/a"
                },
            ],
            "a link without an expanded URL is no entity"
        );
        assert_eq!(&text[11..34], "https://t.co/abcdefghij");
    }

    #[test]
    fn unicode_hashtag_and_no_midword_tags() {
        let e = entities("a#b #Fußball", "");
        assert_eq!(e, "|{\"start\":4,\"end\":12,\"tag\":\"Fußball\"}|");
    }

    #[test]
    fn csv_quoting() {
        let mut v = Vec::new();
        push_csv_field(&mut v, "a, \"b\"", true);
        assert_eq!(v, b"\"a, \"\"b\"\"\"");
        v.clear();
        push_csv_field(&mut v, "plain", false);
        assert_eq!(v, b"plain");
    }

    #[test]
    fn json_escaping() {
        let mut v = Vec::new();
        push_json_str(&mut v, "a\"b\\c\n\u{1}é");
        assert_eq!(String::from_utf8(v).unwrap_or_default(), "\"a\\\"b\\\\c\\n\\u0001é\"");
    }
}
