//! Output formatting: the coordination-network-toolkit CSV, flattened twarc2
//! JSONL, `labels.csv` and `operations.json`.
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
fn push_u64(out: &mut Vec<u8>, v: u64) {
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
fn push_json_str(out: &mut Vec<u8>, s: &str) {
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

/// Reusable buffers for the JSONL writer.
#[derive(Debug, Default)]
pub(crate) struct JsonScratch {
    text: String,
    urls: Vec<u8>,
    tags: Vec<u8>,
    mentions: Vec<u8>,
}

fn push_span(out: &mut Vec<u8>, start: usize, end: usize) {
    out.extend_from_slice(b"{\"start\":");
    push_u64(out, start as u64);
    out.extend_from_slice(b",\"end\":");
    push_u64(out, end as u64);
}

/// Finds t.co links, hashtags and mentions in `text` (offsets in code
/// points, as the Twitter API gives them) and writes the entity arrays.
fn scan_entities(text: &str, urls: &str, s: &mut JsonScratch) {
    s.urls.clear();
    s.tags.clear();
    s.mentions.clear();
    let b = text.as_bytes();
    let mut expanded = urls.split(' ').filter(|u| !u.is_empty());
    let mut i = 0;
    let mut cp = 0;
    while i < b.len() {
        let c = b[i];
        let word_start = i == 0 || b[i - 1] == b' ' || b[i - 1] == b'\n';
        if word_start && c == b'h' && text[i..].starts_with("https://t.co/") {
            let end = text[i..].find(' ').map_or(b.len(), |e| i + e);
            let n = end - i;
            if let Some(u) = expanded.next() {
                if !s.urls.is_empty() {
                    s.urls.push(b',');
                }
                push_span(&mut s.urls, cp, cp + n);
                s.urls.extend_from_slice(b",\"url\":");
                push_json_str(&mut s.urls, &text[i..end]);
                s.urls.extend_from_slice(b",\"expanded_url\":");
                push_json_str(&mut s.urls, u);
                s.urls.extend_from_slice(b",\"display_url\":");
                let (shown, cut) = display_url(u);
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
            cp += n;
            i = end;
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
                let (buf, key): (&mut Vec<u8>, &[u8]) =
                    if c == b'#' { (&mut s.tags, b",\"tag\":") } else { (&mut s.mentions, b",\"username\":") };
                if !buf.is_empty() {
                    buf.push(b',');
                }
                push_span(buf, cp, cp + 1 + nc);
                buf.extend_from_slice(key);
                push_json_str(buf, &rest[..nb]);
                buf.push(b'}');
                cp += 1 + nc;
                i += 1 + nb;
                continue;
            }
        }
        i += match c {
            0..=0x7f => 1,
            0xc0..=0xdf => 2,
            0xe0..=0xef => 3,
            _ => 4,
        };
        cp += 1;
    }
}

/// Appends one flattened twarc2 line per event. `twarc` is the constant
/// `"__twarc":{...}` member.
pub(crate) fn format_jsonl(w: &World, events: &[Event], twarc: &[u8], s: &mut JsonScratch, out: &mut Vec<u8>) {
    let mut rows: Vec<(Card, Card, &str)> = Vec::with_capacity(CHUNK);
    for chunk in events.chunks(CHUNK) {
        rows.clear();
        rows.extend(chunk.iter().map(|e| (*card(w, e.author), *card(w, e.ref_author), e.content.text())));
        for (e, (c, r, body)) in chunk.iter().zip(&rows) {
            format_json_line(e, c, r, body, twarc, s, out);
        }
    }
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
