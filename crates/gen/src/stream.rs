//! The live-stream formats: Bluesky Jetstream commit events
//! (`events.jetstream.jsonl`) and Mastodon `Status` objects
//! (`events.mastodon.jsonl`), so that tests of live ingestion can replay the
//! generated operations. Both hold the events of the twarc2 file, in the
//! same order, under the ids each platform would give them:
//!
//! * **Jetstream.** An account's DID is `did:plc:` and 24 base32 characters,
//!   the last 13 a bijection of its numeric user id; a record's rkey is its
//!   snowflake id written as a 13-character TID (base32-sortable, so rkeys
//!   sort by time); a post's URI, `at://{did}/app.bsky.feed.post/{rkey}`, is
//!   what replies, quotes and reposts of it name (with a made-up `cid` that
//!   is a function of the post id). `time_us` is the event's millisecond
//!   times 1000 plus the number of earlier events in the same millisecond
//!   (at most 999), so it increases strictly and `time_us / 1000` is the
//!   event's time, which `createdAt` also is.
//! * **Mastodon.** Every account is local to one instance, [`HOST`]; a
//!   status's `id` is its snowflake id, its `uri`
//!   `https://{HOST}/users/{username}/statuses/{id}`, an account's `id` its
//!   numeric user id. A reply mentions its parent's author (the generator's
//!   replies start with the mention; one is listed if not), so a reader can
//!   rebuild the parent's URI from `in_reply_to_id`; a quote carries
//!   Mastodon 4.4's `quote.quoted_status` (its id, URI, URL, time and
//!   account: the generator does not hold the quoted text when writing).
//!
//! Links, hashtags and mentions are those [`Entities`] finds, as in twarc2:
//! Bluesky shows a link shortened in the text (`x.org/a/b…`, a facet with
//! the full URI and UTF-8 byte offsets), Mastodon writes it whole inside an
//! `<a>`. A mentioned account is found by its handle in [`Handles`].

use crate::event::{Event, Kind};
use crate::rng::{hash_bytes, mix64};
use crate::time::push_iso_ms;
use crate::world::{Card, MAX_HANDLE, TWEPOCH, World};
use crate::write::{Entities, EntityKind, JsonScratch, for_each_row, push_display_url, push_json_str, push_u64};

/// The Mastodon instance every generated account belongs to.
pub(crate) const HOST: &str = "social.example";

const POST: &[u8] = b"app.bsky.feed.post";
const REPOST: &[u8] = b"app.bsky.feed.repost";

/// Accounts by handle, for mention facets and mention lists (the text names
/// a mentioned account only by its handle).
///
/// Handles are unique case-insensitively and so are the hashes of their
/// lower-case forms (the world checks that when it names accounts), so a
/// sorted table of those hashes finds an account with one binary search, in
/// 16 bytes an account. Built only when a live-stream format is written.
pub(crate) struct Handles(Vec<(u64, u32)>);

/// Hash of the lower-case form of a handle (`None`: longer than any handle).
fn handle_hash(name: &[u8]) -> Option<u64> {
    let mut buf = [0u8; MAX_HANDLE];
    let lower = buf.get_mut(..name.len())?;
    lower.copy_from_slice(name);
    lower.make_ascii_lowercase();
    Some(hash_bytes(lower))
}

impl Handles {
    /// A table that finds nothing (no live-stream format is written).
    pub(crate) fn empty() -> Self {
        Self(Vec::new())
    }

    pub(crate) fn new(w: &World) -> Self {
        let mut v: Vec<(u64, u32)> =
            (0..w.cards.len() as u32).filter_map(|a| Some((handle_hash(w.cards[a as usize].name())?, a))).collect();
        v.sort_unstable();
        Self(v)
    }

    /// The account whose handle is `name` in any case.
    fn find<'w>(&self, w: &'w World, name: &str) -> Option<&'w Card> {
        let h = handle_hash(name.as_bytes())?;
        let from = self.0.partition_point(|&(k, _)| k < h);
        self.0[from..]
            .iter()
            .take_while(|&&(k, _)| k == h)
            .filter_map(|&(_, a)| w.cards.get(a as usize))
            .find(|c| c.name().eq_ignore_ascii_case(name.as_bytes()))
    }
}

// ----- Bluesky Jetstream ---------------------------------------------------

/// RFC 4648 base32, lower case (DIDs, CIDs).
const BASE32: &[u8; 32] = b"abcdefghijklmnopqrstuvwxyz234567";
/// Base32-sortable (TIDs).
const BASE32_SORT: &[u8; 32] = b"234567abcdefghijklmnopqrstuvwxyz";

/// Appends the low `5 * n` bits of `v` (`n` ≤ 13), most significant first.
fn push_base32(out: &mut Vec<u8>, v: u64, n: usize, alphabet: &[u8; 32]) {
    let mut buf = [0u8; 13];
    let digits = &mut buf[..n.min(13)];
    for (k, d) in digits.iter_mut().rev().enumerate() {
        *d = alphabet[((v >> (5 * k)) & 31) as usize];
    }
    out.extend_from_slice(digits);
}

/// `did:plc:…` of the account with user id `uid`; the last 13 characters
/// are the bijection `mix64(uid)`, so different ids give different DIDs.
fn push_did(out: &mut Vec<u8>, uid: u64) {
    let m = mix64(uid);
    out.extend_from_slice(b"did:plc:");
    push_base32(out, mix64(m ^ 0x6469_643a_706c_633a), 11, BASE32);
    push_base32(out, m, 13, BASE32);
}

/// A TID: a 63-bit value in 13 base32-sortable characters.
fn push_tid(out: &mut Vec<u8>, v: u64) {
    push_base32(out, v, 13, BASE32_SORT);
}

/// A CIDv1 (dag-cbor, sha2-256) look-alike for the record of event `id`:
/// `bafyrei` and 52 characters, the last 13 a bijection of `id`.
fn push_cid(out: &mut Vec<u8>, id: u64) {
    out.extend_from_slice(b"bafyrei");
    for k in 1..4u64 {
        push_base32(out, mix64(id ^ k.wrapping_mul(0x9E37_79B9_7F4A_7C15)), 13, BASE32);
    }
    push_base32(out, mix64(id), 13, BASE32);
}

/// The strong reference `{"cid","uri"}` of post `id` by the account `uid`.
fn push_strong_ref(out: &mut Vec<u8>, uid: u64, id: u64) {
    out.extend_from_slice(b"{\"cid\":\"");
    push_cid(out, id);
    out.extend_from_slice(b"\",\"uri\":\"at://");
    push_did(out, uid);
    out.push(b'/');
    out.extend_from_slice(POST);
    out.push(b'/');
    push_tid(out, id);
    out.extend_from_slice(b"\"}");
}

/// Appends one Jetstream commit event per event.
pub(crate) fn format_jetstream(w: &World, handles: &Handles, events: &[Event], s: &mut JsonScratch, out: &mut Vec<u8>) {
    // Events of one millisecond are all in one slice, next to each other.
    let (mut ms, mut earlier) = (i64::MIN, 0);
    for_each_row(w, events, |e, c, r, body| {
        if e.ts == ms {
            earlier = (earlier + 1).min(999);
        } else {
            (ms, earlier) = (e.ts, 0);
        }
        jetstream_line(w, handles, e, c, r, body, e.ts * 1000 + earlier, s, out);
    });
}

#[allow(clippy::too_many_arguments)]
fn jetstream_line(
    w: &World,
    handles: &Handles,
    e: &Event,
    c: &Card,
    r: &Card,
    body: &str,
    time_us: i64,
    s: &mut JsonScratch,
    out: &mut Vec<u8>,
) {
    let collection = if e.kind == Kind::Repost { REPOST } else { POST };
    out.extend_from_slice(b"{\"did\":\"");
    push_did(out, c.uid);
    out.extend_from_slice(b"\",\"time_us\":");
    push_u64(out, time_us as u64);
    out.extend_from_slice(b",\"kind\":\"commit\",\"commit\":{\"rev\":\"");
    // The repository's revision: a TID of the commit time and a clock id.
    push_tid(out, (time_us as u64) << 10 | (mix64(c.uid) & 1023));
    out.extend_from_slice(b"\",\"operation\":\"create\",\"collection\":\"");
    out.extend_from_slice(collection);
    out.extend_from_slice(b"\",\"rkey\":\"");
    push_tid(out, e.id);
    // Record keys in alphabetical order, as Jetstream writes them.
    out.extend_from_slice(b"\",\"record\":{\"$type\":\"");
    out.extend_from_slice(collection);
    out.extend_from_slice(b"\",\"createdAt\":\"");
    push_iso_ms(out, e.ts);
    out.push(b'"');
    if e.kind == Kind::Repost {
        out.extend_from_slice(b",\"subject\":");
        push_strong_ref(out, r.uid, e.ref_id);
    } else {
        bluesky_text(w, handles, body, e.content.urls(), s);
        if e.kind == Kind::Quote {
            out.extend_from_slice(b",\"embed\":{\"$type\":\"app.bsky.embed.record\",\"record\":");
            push_strong_ref(out, r.uid, e.ref_id);
            out.push(b'}');
        }
        if !s.urls.is_empty() {
            out.extend_from_slice(b",\"facets\":[");
            out.extend_from_slice(&s.urls);
            out.push(b']');
        }
        out.extend_from_slice(b",\"langs\":[\"");
        out.extend_from_slice(e.content.lang().code().as_bytes());
        out.extend_from_slice(b"\"]");
        if e.kind == Kind::Reply {
            // The generator replies to original posts only: the parent is
            // the thread's root.
            out.extend_from_slice(b",\"reply\":{\"parent\":");
            push_strong_ref(out, r.uid, e.ref_id);
            out.extend_from_slice(b",\"root\":");
            push_strong_ref(out, r.uid, e.ref_id);
            out.push(b'}');
        }
        out.extend_from_slice(b",\"text\":");
        push_json_str(out, &s.text);
    }
    out.extend_from_slice(b"},\"cid\":\"");
    push_cid(out, e.id);
    out.extend_from_slice(b"\"}}\n");
}

/// Writes the Bluesky text of `body` into `s.text` (each t.co link shown as
/// the shortened URL, as the Bluesky app writes it) and its facets into
/// `s.urls`, with UTF-8 byte offsets into that text. A mention of a handle
/// no account has stays plain text (a client makes facets of resolved
/// handles only).
fn bluesky_text(w: &World, handles: &Handles, body: &str, urls: &str, s: &mut JsonScratch) {
    s.text.clear();
    s.urls.clear();
    let mut last = 0;
    for ent in Entities::new(body, urls) {
        s.text.push_str(&body[last..ent.start]);
        last = ent.end;
        let start = s.text.len();
        let mentioned = match ent.kind {
            EntityKind::Link => {
                push_display_url(&mut s.text, ent.value);
                None
            }
            EntityKind::Tag => {
                s.text.push_str(&body[ent.start..ent.end]);
                None
            }
            EntityKind::Mention => {
                s.text.push_str(&body[ent.start..ent.end]);
                match handles.find(w, ent.value) {
                    Some(m) => Some(m.uid),
                    None => continue,
                }
            }
        };
        let f = &mut s.urls;
        if !f.is_empty() {
            f.push(b',');
        }
        f.extend_from_slice(b"{\"features\":[{\"$type\":\"app.bsky.richtext.facet#");
        match mentioned {
            Some(uid) => {
                f.extend_from_slice(b"mention\",\"did\":\"");
                push_did(f, uid);
                f.push(b'"');
            }
            None if ent.kind == EntityKind::Link => {
                f.extend_from_slice(b"link\",\"uri\":");
                push_json_str(f, ent.value);
            }
            None => {
                f.extend_from_slice(b"tag\",\"tag\":");
                push_json_str(f, ent.value);
            }
        }
        f.extend_from_slice(b"}],\"index\":{\"byteEnd\":");
        push_u64(f, s.text.len() as u64);
        f.extend_from_slice(b",\"byteStart\":");
        push_u64(f, start as u64);
        f.extend_from_slice(b"}}");
    }
    s.text.push_str(&body[last..]);
}

// ----- Mastodon ------------------------------------------------------------

/// The time of post `id` (the high bits of its snowflake).
fn snowflake_ms(id: u64) -> i64 {
    (id >> 22) as i64 + TWEPOCH
}

/// Appends `s` escaped for HTML text or a quoted attribute, with line
/// breaks as `<br />` (Mastodon's plain-text formatting).
fn push_html(out: &mut String, s: &str) {
    let mut start = 0;
    for (i, c) in s.bytes().enumerate() {
        let esc = match c {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            b'\'' => "&#39;",
            b'\n' => "<br />",
            _ => continue,
        };
        out.push_str(&s[start..i]);
        out.push_str(esc);
        start = i + 1;
    }
    out.push_str(&s[start..]);
}

/// `https://{HOST}/tags/{tag}`, the tag percent-encoded as a path segment.
fn push_tag_url(out: &mut String, tag: &str) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    out.push_str("https://");
    out.push_str(HOST);
    out.push_str("/tags/");
    for b in tag.bytes() {
        if b.is_ascii_alphanumeric() || b == b'_' {
            out.push(char::from(b));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 15)]));
        }
    }
}

/// Whether two hashtags are the same tag (Mastodon ignores case).
fn same_tag(a: &str, b: &str) -> bool {
    a.chars().flat_map(char::to_lowercase).eq(b.chars().flat_map(char::to_lowercase))
}

/// `https://{HOST}/@{name}`, an account's profile URL.
fn push_profile_url(out: &mut Vec<u8>, c: &Card) {
    out.extend_from_slice(b"https://");
    out.extend_from_slice(HOST.as_bytes());
    out.extend_from_slice(b"/@");
    out.extend_from_slice(c.name());
}

/// A `Mention` (`{id, username, url, acct}`) into `s.mentions`, once per
/// account.
fn push_mention(s: &mut JsonScratch, m: &Card) {
    if s.seen_uids.contains(&m.uid) {
        return;
    }
    s.seen_uids.push(m.uid);
    let out = &mut s.mentions;
    if !out.is_empty() {
        out.push(b',');
    }
    out.extend_from_slice(b"{\"id\":\"");
    push_u64(out, m.uid);
    out.extend_from_slice(b"\",\"username\":\"");
    out.extend_from_slice(m.name());
    out.extend_from_slice(b"\",\"url\":\"");
    push_profile_url(out, m);
    out.extend_from_slice(b"\",\"acct\":\"");
    out.extend_from_slice(m.name());
    out.extend_from_slice(b"\"}");
}

/// Writes `body` as Mastodon HTML into `s.text`, its `tags` (each once)
/// into `s.tags` and its `mentions` into `s.mentions`. `reply_to` is the
/// author of a reply's parent (listed among the mentions if the text does
/// not name it), `quote_of` the author and id of a quoted post (linked in
/// Mastodon's `RE:` paragraph).
fn mastodon_content(
    w: &World,
    handles: &Handles,
    body: &str,
    urls: &str,
    reply_to: Option<&Card>,
    quote_of: Option<(&Card, u64)>,
    s: &mut JsonScratch,
) {
    s.text.clear();
    s.tags.clear();
    s.mentions.clear();
    s.seen_uids.clear();
    s.seen_tags.clear();
    s.text.push_str("<p>");
    let mut last = 0;
    for ent in Entities::new(body, urls) {
        push_html(&mut s.text, &body[last..ent.start]);
        last = ent.end;
        match ent.kind {
            EntityKind::Link => {
                s.text.push_str("<a href=\"");
                push_html(&mut s.text, ent.value);
                s.text.push_str("\" rel=\"nofollow noopener\" target=\"_blank\">");
                push_html(&mut s.text, ent.value);
                s.text.push_str("</a>");
            }
            EntityKind::Tag => {
                s.text.push_str("<a href=\"");
                let at = s.text.len();
                push_tag_url(&mut s.text, ent.value);
                let url = at..s.text.len();
                s.text.push_str("\" class=\"mention hashtag\" rel=\"tag\">#<span>");
                push_html(&mut s.text, ent.value);
                s.text.push_str("</span></a>");
                if !s.seen_tags.iter().any(|&(a, b)| same_tag(&body[a..b], ent.value)) {
                    s.seen_tags.push((ent.start + 1, ent.end));
                    if !s.tags.is_empty() {
                        s.tags.push(b',');
                    }
                    s.tags.extend_from_slice(b"{\"name\":");
                    push_json_str(&mut s.tags, ent.value);
                    s.tags.extend_from_slice(b",\"url\":");
                    push_json_str(&mut s.tags, &s.text[url]);
                    s.tags.push(b'}');
                }
            }
            EntityKind::Mention => match handles.find(w, ent.value) {
                Some(m) => {
                    let name = std::str::from_utf8(m.name()).unwrap_or("");
                    s.text.push_str("<span class=\"h-card\"><a href=\"https://");
                    s.text.push_str(HOST);
                    s.text.push_str("/@");
                    s.text.push_str(name);
                    s.text.push_str("\" class=\"u-url mention\">@<span>");
                    s.text.push_str(name);
                    s.text.push_str("</span></a></span>");
                    push_mention(s, m);
                }
                None => push_html(&mut s.text, &body[ent.start..ent.end]),
            },
        }
    }
    push_html(&mut s.text, &body[last..]);
    s.text.push_str("</p>");
    if let Some(parent) = reply_to {
        push_mention(s, parent);
    }
    if let Some((q, id)) = quote_of {
        // Mastodon 4.4's fallback for clients that cannot show quotes.
        let page = |out: &mut String| {
            out.push_str("https://");
            out.push_str(HOST);
            out.push_str("/@");
            out.push_str(std::str::from_utf8(q.name()).unwrap_or(""));
            out.push('/');
            out.push_str(itoa::Buffer::new().format(id));
        };
        s.text.push_str("<p class=\"quote-inline\">RE: <a href=\"");
        page(&mut s.text);
        s.text.push_str("\">");
        page(&mut s.text);
        s.text.push_str("</a></p>");
    }
}

/// A status's `uri` (`boost`: the `/activity` URI Mastodon gives a boost).
fn push_status_uri(out: &mut Vec<u8>, c: &Card, id: u64, boost: bool) {
    out.extend_from_slice(b"https://");
    out.extend_from_slice(HOST.as_bytes());
    out.extend_from_slice(b"/users/");
    out.extend_from_slice(c.name());
    out.extend_from_slice(b"/statuses/");
    push_u64(out, id);
    if boost {
        out.extend_from_slice(b"/activity");
    }
}

/// A status's `url`: its page, or for a boost its `/activity` URI.
fn push_status_url(out: &mut Vec<u8>, c: &Card, id: u64, boost: bool) {
    if boost {
        push_status_uri(out, c, id, true);
    } else {
        push_profile_url(out, c);
        out.push(b'/');
        push_u64(out, id);
    }
}

fn push_account(out: &mut Vec<u8>, c: &Card) {
    out.extend_from_slice(b"{\"id\":\"");
    push_u64(out, c.uid);
    out.extend_from_slice(b"\",\"username\":\"");
    out.extend_from_slice(c.name());
    out.extend_from_slice(b"\",\"acct\":\"");
    out.extend_from_slice(c.name());
    out.extend_from_slice(b"\",\"url\":\"");
    push_profile_url(out, c);
    out.extend_from_slice(b"\"}");
}

/// What a status says besides its lists.
struct Head<'a> {
    id: u64,
    ts: i64,
    author: &'a Card,
    boost: bool,
    /// Parent id and its author's user id.
    reply: Option<(u64, u64)>,
    lang: Option<&'a str>,
    content: &'a str,
}

/// A status from `{` through `content` (`reblog` and the rest follow).
fn push_status_head(out: &mut Vec<u8>, h: &Head<'_>) {
    out.extend_from_slice(b"{\"id\":\"");
    push_u64(out, h.id);
    out.extend_from_slice(b"\",\"created_at\":\"");
    push_iso_ms(out, h.ts);
    out.extend_from_slice(b"\",\"in_reply_to_id\":");
    match h.reply {
        Some((parent, uid)) => {
            out.push(b'"');
            push_u64(out, parent);
            out.extend_from_slice(b"\",\"in_reply_to_account_id\":\"");
            push_u64(out, uid);
            out.push(b'"');
        }
        None => out.extend_from_slice(b"null,\"in_reply_to_account_id\":null"),
    }
    out.extend_from_slice(b",\"sensitive\":false,\"spoiler_text\":\"\",\"visibility\":\"public\",\"language\":");
    match h.lang {
        Some(l) => push_json_str(out, l),
        None => out.extend_from_slice(b"null"),
    }
    out.extend_from_slice(b",\"uri\":\"");
    push_status_uri(out, h.author, h.id, h.boost);
    out.extend_from_slice(b"\",\"url\":\"");
    push_status_url(out, h.author, h.id, h.boost);
    out.extend_from_slice(
        b"\",\"replies_count\":0,\"reblogs_count\":0,\"favourites_count\":0,\"edited_at\":null,\"content\":",
    );
    push_json_str(out, h.content);
}

/// A status from `account` on, without the closing `}`.
fn push_status_tail(out: &mut Vec<u8>, author: &Card, mentions: &[u8], tags: &[u8]) {
    out.extend_from_slice(b",\"account\":");
    push_account(out, author);
    out.extend_from_slice(b",\"media_attachments\":[],\"mentions\":[");
    out.extend_from_slice(mentions);
    out.extend_from_slice(b"],\"tags\":[");
    out.extend_from_slice(tags);
    out.extend_from_slice(b"],\"emojis\":[],\"card\":null,\"poll\":null");
}

/// Appends one Mastodon `Status` per event.
pub(crate) fn format_mastodon(w: &World, handles: &Handles, events: &[Event], s: &mut JsonScratch, out: &mut Vec<u8>) {
    for_each_row(w, events, |e, c, r, body| mastodon_line(w, handles, e, c, r, body, s, out));
}

#[allow(clippy::too_many_arguments)]
fn mastodon_line(
    w: &World,
    handles: &Handles,
    e: &Event,
    c: &Card,
    r: &Card,
    body: &str,
    s: &mut JsonScratch,
    out: &mut Vec<u8>,
) {
    let lang = Some(e.content.lang().code());
    let urls = e.content.urls();
    if e.kind == Kind::Repost {
        // A boost: empty itself, the boosted status whole inside.
        mastodon_content(w, handles, body, urls, None, None, s);
        let boost = Head { id: e.id, ts: e.ts, author: c, boost: true, reply: None, lang: None, content: "" };
        push_status_head(out, &boost);
        out.extend_from_slice(b",\"reblog\":");
        let ts = snowflake_ms(e.ref_id);
        let original = Head { id: e.ref_id, ts, author: r, boost: false, reply: None, lang, content: &s.text };
        push_status_head(out, &original);
        out.extend_from_slice(b",\"reblog\":null");
        push_status_tail(out, r, &s.mentions, &s.tags);
        out.push(b'}');
        push_status_tail(out, c, b"", b"");
        out.extend_from_slice(b"}\n");
        return;
    }
    let reply_to = (e.kind == Kind::Reply && r.uid != c.uid).then_some(r);
    let quote_of = (e.kind == Kind::Quote).then_some((r, e.ref_id));
    mastodon_content(w, handles, body, urls, reply_to, quote_of, s);
    let reply = (e.kind == Kind::Reply).then_some((e.ref_id, r.uid));
    push_status_head(out, &Head { id: e.id, ts: e.ts, author: c, boost: false, reply, lang, content: &s.text });
    out.extend_from_slice(b",\"reblog\":null");
    push_status_tail(out, c, &s.mentions, &s.tags);
    if e.kind == Kind::Quote {
        // Mastodon 4.4: the quoted status (here without its content).
        out.extend_from_slice(b",\"quote\":{\"state\":\"accepted\",\"quoted_status\":{\"id\":\"");
        push_u64(out, e.ref_id);
        out.extend_from_slice(b"\",\"created_at\":\"");
        push_iso_ms(out, snowflake_ms(e.ref_id));
        out.extend_from_slice(b"\",\"uri\":\"");
        push_status_uri(out, r, e.ref_id, false);
        out.extend_from_slice(b"\",\"url\":\"");
        push_status_url(out, r, e.ref_id, false);
        out.extend_from_slice(b"\",\"account\":");
        push_account(out, r);
        out.extend_from_slice(b"}}");
    }
    out.extend_from_slice(b"}\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: Vec<u8>) -> String {
        String::from_utf8(v).unwrap_or_default()
    }

    #[test]
    fn ids_have_their_platform_shapes_and_differ() {
        let mut dids = std::collections::BTreeSet::new();
        for uid in [0, 1, 2, 10_000_000, u64::MAX] {
            let mut v = Vec::new();
            push_did(&mut v, uid);
            let d = s(v);
            assert_eq!(d.len(), "did:plc:".len() + 24, "{d}");
            assert!(d["did:plc:".len()..].bytes().all(|b| BASE32.contains(&b)), "{d}");
            assert!(dids.insert(d));
        }
        let mut v = Vec::new();
        push_cid(&mut v, 1);
        assert_eq!(v.len(), 59);
        // A TID of a 2024 snowflake sorts like the id.
        let (mut a, mut b) = (Vec::new(), Vec::new());
        push_tid(&mut a, 1_820_000_000_000_000_000);
        push_tid(&mut b, 1_820_000_000_000_000_001);
        assert_eq!(a.len(), 13);
        assert!(a < b);
        assert!(b"234567abcdefghij".contains(&a[0]));
    }

    #[test]
    fn html_escaping_and_tag_urls() {
        let mut h = String::new();
        push_html(&mut h, "a<b & \"c\"\n'd'");
        assert_eq!(h, "a&lt;b &amp; &quot;c&quot;<br />&#39;d&#39;");
        let mut u = String::new();
        push_tag_url(&mut u, "Fußball_2");
        assert_eq!(u, "https://social.example/tags/Fu%C3%9Fball_2");
        assert!(same_tag("Wahl", "wAHL") && !same_tag("Wahl", "Wahl2"));
    }
}
