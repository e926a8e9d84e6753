//! Helpers shared by readers: timestamps, and entities found in plain text
//! for formats that do not list them.

/// Unix time in seconds, possibly fractional (`1475503620`, `1475503620.25`),
/// to milliseconds.
pub(crate) fn unix_seconds_to_ms(s: &str) -> Option<i64> {
    let s = s.trim();
    if let Ok(n) = s.parse::<i64>() {
        return n.checked_mul(1000);
    }
    let f: f64 = s.parse().ok()?;
    if !f.is_finite() || f.abs() > 1e15 {
        return None;
    }
    Some((f * 1000.0).round() as i64)
}

// ---- Text helpers (cnt, ira, crowdtangle readers) ----------------------------------------

/// The index of the first header column whose name equals one of `names`
/// (ASCII case-insensitive), trying `names` in order of preference.
pub(crate) fn column(header: &[String], names: &[&str]) -> Option<usize> {
    names.iter().find_map(|n| header.iter().position(|h| h.eq_ignore_ascii_case(n)))
}

/// Whether `c` can continue a hashtag or mention: a letter, digit, combining
/// mark or `_`. This approximates twitter-text's `[\p{L}\p{M}\p{Nd}_]` without
/// Unicode tables: [`char::is_alphanumeric`] plus the combining-mark blocks and
/// the Indic and Southeast Asian vowel signs, viramas and nuktas it misses, and
/// ZWNJ/ZWJ (needed inside Persian and Indic words).
pub(crate) fn is_word_char(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphanumeric() || c == '_';
    }
    c.is_alphanumeric() || is_mark(c)
}

fn is_mark(c: char) -> bool {
    let u = c as u32;
    match u {
        0x0300..=0x036F | 0x0483..=0x0489 | 0x1AB0..=0x1AFF | 0x1DC0..=0x1DFF | 0x20D0..=0x20FF | 0xFE20..=0xFE2F => {
            true
        }
        0x200C..=0x200D | 0x3099..=0x309A => true,
        // Hebrew points (not maqaf, paseq, sof pasuq, nun hafukha).
        0x0591..=0x05C7 => !matches!(u, 0x05BE | 0x05C0 | 0x05C3 | 0x05C6),
        // Arabic harakat and Quranic marks.
        0x0610..=0x061A | 0x064B..=0x065F | 0x0670 | 0x06D6..=0x06DC | 0x06DF..=0x06E4 | 0x06E7..=0x06E8 => true,
        0x06EA..=0x06ED => true,
        // Indic, Sinhala, Thai, Lao, Myanmar, Khmer: everything but their punctuation and symbols.
        0x0900..=0x0EFF | 0x1000..=0x109F | 0x1780..=0x17FF => !matches!(
            u,
            0x0964..=0x0965
                | 0x0970
                | 0x09F2..=0x09FB
                | 0x0AF0..=0x0AF1
                | 0x0BF3..=0x0BFA
                | 0x0C7F
                | 0x0D4F
                | 0x0D79
                | 0x0DF4
                | 0x0E3F
                | 0x0E4F
                | 0x0E5A..=0x0E5B
                | 0x104A..=0x104F
                | 0x17D4..=0x17DB
        ),
        _ => false,
    }
}

fn is_url_char(c: char) -> bool {
    if c.is_ascii() { c.is_ascii_alphanumeric() || "-._~:/?#[]@!$&()*+,;=%".contains(c) } else { c.is_alphanumeric() }
}

/// The byte length of the `http://` or `https://` URL (scheme in any case)
/// that starts `s`, or `None`. The URL runs over ASCII URL characters (not
/// `'`, `"`, `\`, `<`, `>`, `{`, `}`, `|`, `^`, backtick) and non-ASCII
/// letters and digits (IRIs); trailing `.,;:!?` and unbalanced `)`/`]` are
/// sentence punctuation, not part of it.
fn url_len(s: &str) -> Option<usize> {
    let b = s.as_bytes();
    let scheme = if b.len() > 8 && b[..8].eq_ignore_ascii_case(b"https://") {
        8
    } else if b.len() > 7 && b[..7].eq_ignore_ascii_case(b"http://") {
        7
    } else {
        return None;
    };
    let body: usize = s[scheme..].chars().take_while(|&c| is_url_char(c)).map(char::len_utf8).sum();
    let mut url = &s[scheme..scheme + body];
    loop {
        let trimmed = url.trim_end_matches(['.', ',', ';', ':', '!', '?']);
        let trimmed = match trimmed.as_bytes().last() {
            Some(b')') if trimmed.matches(')').count() > trimmed.matches('(').count() => &trimmed[..trimmed.len() - 1],
            Some(b']') if trimmed.matches(']').count() > trimmed.matches('[').count() => &trimmed[..trimmed.len() - 1],
            _ => trimmed,
        };
        if trimmed.len() == url.len() {
            break;
        }
        url = trimmed;
    }
    (!url.is_empty()).then_some(scheme + url.len())
}

/// The `http(s)://` URLs in `text`, as written, in order (see `url_len` for
/// where one ends). Used where a format gives links only inside the text
/// (IRA tweets).
pub(crate) fn extract_urls(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(p) = memchr::memmem::find(&text.as_bytes()[from..], b"://") {
        let colon = from + p;
        let start = if colon >= 5 && text.as_bytes()[colon - 5..colon].eq_ignore_ascii_case(b"https") {
            colon - 5
        } else if colon >= 4 && text.as_bytes()[colon - 4..colon].eq_ignore_ascii_case(b"http") {
            colon - 4
        } else {
            from = colon + 3;
            continue;
        };
        match url_len(&text[start..]) {
            Some(n) => {
                out.push(&text[start..start + n]);
                from = start + n;
            }
            None => from = colon + 3,
        }
    }
    out
}

/// `#hashtags` in `text`, without the `#` (`＃` counts too), as written, in
/// order. Like twitter-text: the sign must not follow a word character or `&`
/// (`a#b`, `&#39;` are not tags), the tag is the longest run of word
/// characters ([`is_word_char`]) after it, all-digit runs (`#1`) are not
/// tags, and nothing inside an `http(s)://` URL counts (`…/page#anchor`).
pub(crate) fn extract_hashtags(text: &str) -> Vec<&str> {
    if memchr::memchr2(b'#', 0xEF, text.as_bytes()).is_none() {
        return Vec::new();
    }
    extract_tagged(text, |c| c == '#' || c == '＃', true)
}

/// `@mentions` in `text`, without the `@` (`＠` counts too), as written, in
/// order; the rules of [`extract_hashtags`], except that all-digit names
/// count. E-mail addresses (`me@example.org`) are not mentions.
pub(crate) fn extract_mentions(text: &str) -> Vec<&str> {
    if memchr::memchr2(b'@', 0xEF, text.as_bytes()).is_none() {
        return Vec::new();
    }
    extract_tagged(text, |c| c == '@' || c == '＠', false)
}

fn extract_tagged(text: &str, sigil: impl Fn(char) -> bool, need_non_digit: bool) -> Vec<&str> {
    let mut out = Vec::new();
    let mut prev: Option<char> = None;
    let mut i = 0;
    while let Some(c) = text[i..].chars().next() {
        let free = prev.is_none_or(|p| !is_word_char(p) && p != '&' && !sigil(p));
        if (c == 'h' || c == 'H')
            && let Some(n) = url_len(&text[i..])
        {
            i += n;
            prev = Some('/');
            continue;
        }
        if sigil(c) && free {
            let start = i + c.len_utf8();
            let len: usize = text[start..].chars().take_while(|&c| is_word_char(c)).map(char::len_utf8).sum();
            let word = &text[start..start + len];
            if !word.is_empty() && (!need_non_digit || word.chars().any(|c| !c.is_numeric())) {
                out.push(word);
            }
            prev = word.chars().next_back().or(Some(c));
            i = start + len;
            continue;
        }
        prev = Some(c);
        i += c.len_utf8();
    }
    out
}

/// Removes a leading `RT @handle:` (any case of `RT`, ASCII handle).
fn strip_rt_prefix(text: &str) -> &str {
    let b = text.as_bytes();
    if b.len() < 5 || !b[..2].eq_ignore_ascii_case(b"RT") || &b[2..4] != b" @" {
        return text;
    }
    let handle = b[4..].iter().take_while(|c| c.is_ascii_alphanumeric() || **c == b'_').count();
    match b.get(4 + handle) {
        Some(b':') if handle > 0 => &text[5 + handle..],
        _ => text,
    }
}

/// Appends `s` lower-cased, with whitespace runs collapsed to one space and
/// no space at the start of `out` (the caller trims the end).
fn push_collapsed_lower(out: &mut String, s: &str, base: usize) {
    if s.is_ascii() {
        // Fast path; the ASCII characters with Unicode `White_Space` are \t..\r and ' '.
        let mut gap = true;
        for b in s.bytes() {
            if matches!(b, b'\t'..=b'\r' | b' ') {
                gap = true;
            } else {
                if gap && out.len() > base && !out.ends_with(' ') {
                    out.push(' ');
                }
                gap = false;
                out.push(b.to_ascii_lowercase() as char);
            }
        }
        return;
    }
    for w in s.split_whitespace() {
        if out.len() > base && !out.ends_with(' ') {
            out.push(' ');
        }
        if w.is_ascii() {
            out.extend(w.bytes().map(|b| b.to_ascii_lowercase() as char));
        } else {
            out.push_str(&w.to_lowercase());
        }
    }
}

/// Appends to `out` the key that identifies a post by its text where the
/// source gives no id for it (IRA retweets carry the original text but not
/// the original id); `out` may already hold a prefix such as `text:`.
///
/// Normalisation: trim; drop a leading `RT @handle:`; replace every
/// `http(s)://` URL with a space (t.co links of one tweet are truncated
/// differently in different copies); Unicode lower-case; collapse whitespace
/// runs to one space and trim. If that leaves nothing (a link-only tweet),
/// the same without removing URLs, so that all link-only retweets do not
/// share the key `""`. Hashtags, mentions inside the text and punctuation are
/// kept.
pub(crate) fn normalize_text_key(text: &str, out: &mut String) {
    let text = strip_rt_prefix(text.trim());
    let base = out.len();
    out.reserve(text.len());
    let mut last = 0;
    for u in extract_urls(text) {
        let start = u.as_ptr() as usize - text.as_ptr() as usize;
        push_collapsed_lower(out, &text[last..start], base);
        if out.len() > base && !out.ends_with(' ') {
            out.push(' ');
        }
        last = start + u.len();
    }
    push_collapsed_lower(out, &text[last..], base);
    let end = out.trim_end().len().max(base);
    out.truncate(end);
    if out.len() == base {
        push_collapsed_lower(out, text, base);
    }
}

#[cfg(test)]
mod text_tests {
    use super::*;

    #[test]
    fn hashtags_and_mentions() {
        let t = "RT @Bob_1: #Vote now #2016 a#b &#39; https://x.org/p#frag @me@x.org #über #हिन्दी ＃東京 (@al).";
        assert_eq!(extract_hashtags(t), ["Vote", "über", "हिन्दी", "東京"]);
        assert_eq!(extract_mentions(t), ["Bob_1", "me", "al"]);
        assert_eq!(extract_mentions("mail me@example.org or @123"), ["123"]);
        assert!(extract_hashtags("no tags here").is_empty());
    }

    #[test]
    fn urls_as_written() {
        let t = "see:https://t.co/abc123' and (http://x.org/a_(b)) HTTPS://Y.org/é?q=1. https://t.co/x…";
        assert_eq!(
            extract_urls(t),
            ["https://t.co/abc123", "http://x.org/a_(b)", "HTTPS://Y.org/é?q=1", "https://t.co/x"]
        );
        assert!(extract_urls("http:// nothing").is_empty());
    }

    #[test]
    fn text_keys() {
        let key = |t: &str| {
            let mut k = String::from("text:");
            normalize_text_key(t, &mut k);
            k
        };
        assert_eq!(key("RT @bob: Polls  OPEN\nearly https://t.co/zz "), "text:polls open early");
        assert_eq!(key("Polls open early https://t.co/other"), "text:polls open early");
        assert_eq!(key(" https://t.co/ZZ "), "text:https://t.co/zz");
        assert_eq!(key("RT @: not a prefix"), "text:rt @: not a prefix");
        assert_eq!(key("https://t.co/a ΣΟΦΟΣ  said:https://t.co/b…"), "text:σοφος said: …");
        assert_eq!(key("  "), "text:");
    }
}

// ---- HTML (Mastodon `content`) ----------------------------------------------------------

/// Plain text and links of an HTML fragment such as a Mastodon status's
/// `content`.
///
/// Text: tags are dropped (their text kept, so Mastodon's
/// `<span class="invisible">https://</span>` halves rejoin into the full
/// URL); `<br>` becomes a newline and the end of a paragraph (`</p>`) a blank
/// line; a `<p class="quote-inline">` (the `RE: <link>` fallback Mastodon
/// writes into quote posts) is dropped whole; the entities
/// `&amp; &lt; &gt; &quot; &#39; &apos; &nbsp;` and
/// numeric `&#NNN;` / `&#xHH;` are decoded (others are kept as written);
/// `<!-- comments -->` vanish; the result is trimmed.
///
/// Links: the `href` of each `<a>` (entities decoded) in order, except
/// mention and hashtag links — those whose `class` contains `mention` or
/// `hashtag`, whose `rel` is `tag`, or whose text starts with `@` or `#`
/// (what Mastodon, Pleroma and Misskey write). Paths are not used to
/// decide: `https://medium.com/@author/post` is a real link.
pub(crate) fn html_to_text(html: &str) -> (String, Vec<String>) {
    let mut text = String::with_capacity(html.len());
    let mut links = Vec::new();
    // The open anchor: its href (None if it is a mention or hashtag by its
    // attributes) and where its text starts.
    let mut anchor: Option<(Option<String>, usize)> = None;
    let mut rest = html;
    while !rest.is_empty() {
        let Some(lt) = memchr::memchr2(b'<', b'&', rest.as_bytes()) else {
            text.push_str(rest);
            break;
        };
        text.push_str(&rest[..lt]);
        rest = &rest[lt..];
        if rest.starts_with('&') {
            let (decoded, used) = decode_entity(rest);
            match decoded {
                Some(c) => text.push(c),
                None => text.push_str(&rest[..used]),
            }
            rest = &rest[used..];
            continue;
        }
        if let Some(comment) = rest.strip_prefix("<!--") {
            rest = comment.find("-->").map_or("", |e| &comment[e + 3..]);
            continue;
        }
        let Some(gt) = rest.find('>') else {
            // A `<` that opens no tag: it is text.
            text.push_str(rest);
            break;
        };
        let tag = &rest[1..gt];
        rest = &rest[gt + 1..];
        let (closing, tag) = match tag.strip_prefix('/') {
            Some(t) => (true, t),
            None => (false, tag),
        };
        let name_len = tag.find(|c: char| c.is_ascii_whitespace() || c == '/').unwrap_or(tag.len());
        let (name, attrs) = tag.split_at(name_len);
        if name.eq_ignore_ascii_case("br") {
            text.push('\n');
        } else if name.eq_ignore_ascii_case("p")
            && !closing
            && html_attr(attrs, "class").is_some_and(|c| c.split_ascii_whitespace().any(|c| c == "quote-inline"))
        {
            // The `RE: <link>` fallback of a quote post, for clients that
            // cannot show quotes: not the author's text.
            rest = rest.find("</p>").map_or("", |e| &rest[e + 4..]);
        } else if name.eq_ignore_ascii_case("p") && closing {
            text.push_str("\n\n");
        } else if name.eq_ignore_ascii_case("a") {
            if let Some((href, start)) = anchor.take() {
                finish_anchor(href, &text[start..], &mut links);
            }
            if !closing {
                let class = html_attr(attrs, "class").unwrap_or_default();
                let is_tag = class.split_ascii_whitespace().any(|c| c == "mention" || c == "hashtag")
                    || html_attr(attrs, "rel").is_some_and(|r| r.split_ascii_whitespace().any(|r| r == "tag"));
                let href = html_attr(attrs, "href").filter(|h| !h.is_empty() && !is_tag);
                anchor = Some((href, text.len()));
            }
        }
    }
    if let Some((href, start)) = anchor.take() {
        finish_anchor(href, &text[start..], &mut links);
    }
    let trimmed = text.trim_end().len();
    text.truncate(trimmed);
    let lead = text.len() - text.trim_start().len();
    text.drain(..lead);
    (text, links)
}

fn finish_anchor(href: Option<String>, anchor_text: &str, links: &mut Vec<String>) {
    if let Some(href) = href
        && !anchor_text.trim_start().starts_with(['@', '#'])
    {
        links.push(href);
    }
}

/// The entity at the start of `s` (which starts with `&`): the character
/// and the bytes it spans, or `None` and the bytes to copy as written.
fn decode_entity(s: &str) -> (Option<char>, usize) {
    let end = s.as_bytes().iter().take(12).position(|&b| b == b';');
    let Some(end) = end else { return (None, 1) };
    let name = &s[1..end];
    let c = match name {
        "amp" => Some('&'),
        "lt" => Some('<'),
        "gt" => Some('>'),
        "quot" => Some('"'),
        "apos" => Some('\''),
        "nbsp" => Some(' '),
        _ => name.strip_prefix('#').and_then(|n| {
            let code = match n.strip_prefix(['x', 'X']) {
                Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                None => n.parse::<u32>().ok()?,
            };
            char::from_u32(code).filter(|&c| c != '\0')
        }),
    };
    match c {
        Some(c) => (Some(c), end + 1),
        None => (None, 1),
    }
}

/// The value of attribute `name` in a tag's attribute text, entities decoded.
fn html_attr(attrs: &str, name: &str) -> Option<String> {
    let b = attrs.as_bytes();
    let mut i = 0;
    while i < b.len() {
        while i < b.len() && (b[i].is_ascii_whitespace() || b[i] == b'/') {
            i += 1;
        }
        let start = i;
        while i < b.len() && !b[i].is_ascii_whitespace() && b[i] != b'=' && b[i] != b'/' {
            i += 1;
        }
        let key = &attrs[start..i];
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        let mut value = "";
        if i < b.len() && b[i] == b'=' {
            i += 1;
            while i < b.len() && b[i].is_ascii_whitespace() {
                i += 1;
            }
            if i < b.len() && (b[i] == b'"' || b[i] == b'\'') {
                let q = b[i];
                let vs = i + 1;
                let ve = memchr::memchr(q, &b[vs..]).map_or(b.len(), |p| vs + p);
                value = &attrs[vs..ve];
                i = (ve + 1).min(b.len());
            } else {
                let vs = i;
                while i < b.len() && !b[i].is_ascii_whitespace() {
                    i += 1;
                }
                value = &attrs[vs..i];
            }
        }
        if key.eq_ignore_ascii_case(name) {
            return Some(decode_entities(value));
        }
        if key.is_empty() && i == start {
            i += 1;
        }
    }
    None
}

fn decode_entities(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(p) = rest.find('&') {
        out.push_str(&rest[..p]);
        let (c, used) = decode_entity(&rest[p..]);
        match c {
            Some(c) => out.push(c),
            None => out.push_str(&rest[p..p + used]),
        }
        rest = &rest[p + used..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod html_tests {
    use super::*;
    use proptest::prelude::*;

    fn check(html: &str, text: &str, links: &[&str]) {
        let (t, l) = html_to_text(html);
        assert_eq!(t, text, "{html}");
        assert_eq!(l, links, "{html}");
    }

    #[test]
    fn mastodon_content() {
        check(
            r#"<p>Hi <span class="h-card" translate="no"><a href="https://a.example/@bob" class="u-url mention">@<span>bob</span></a></span> see <a href="https://example.org/x?a=1&amp;b=2" target="_blank" rel="nofollow noopener noreferrer" translate="no"><span class="invisible">https://</span><span class="">example.org/x?a=1&amp;b=2</span><span class="invisible"></span></a> <a href="https://a.example/tags/vote" class="mention hashtag" rel="tag">#<span>vote</span></a></p><p>line&#39;s<br />two &lt;3 &quot;q&quot; &#x1F600; &bogus; &amp</p>"#,
            "Hi @bob see https://example.org/x?a=1&b=2 #vote\n\nline's\ntwo <3 \"q\" 😀 &bogus; &amp",
            &["https://example.org/x?a=1&b=2"],
        );
    }

    #[test]
    fn links_by_text_and_paths() {
        check(
            r#"<a href="https://medium.com/@me/post">a post</a> <a href='https://p.example/users/x'>@x</a> <a href=https://u.example/y>y</a> <a rel="tag" href="https://t.example/t">t</a>"#,
            "a post @x y t",
            &["https://medium.com/@me/post", "https://u.example/y"],
        );
        check("a < b and <unclosed", "a < b and <unclosed", &[]);
        check("<!-- c --> x <a href=\"h\">open", "x open", &["h"]);
        check("", "", &[]);
        check(
            r#"<p class="quote-inline">RE: <a href="https://q.example/1">q.example/1</a></p><p>This!</p>"#,
            "This!",
            &[],
        );
    }

    proptest! {
        #[test]
        fn never_panics(s in "[<>&#;/a-z =\"'!\\-é😀]{0,80}") {
            let _ = html_to_text(&s);
        }
    }
}

// ---- Twitter text ------------------------------------------------------------------------

/// Tweet text with the three entities Twitter's APIs (v1.1 and v2) escape
/// decoded: `&amp;` `&lt;` `&gt;`. Nothing else is touched (a literal
/// `&quot;` in a tweet was typed by its author). Borrows when there is no
/// `&`.
pub(crate) fn twitter_unescape(text: &str) -> std::borrow::Cow<'_, str> {
    let Some(first) = memchr::memchr(b'&', text.as_bytes()) else {
        return std::borrow::Cow::Borrowed(text);
    };
    let mut out = String::with_capacity(text.len());
    out.push_str(&text[..first]);
    let mut rest = &text[first..];
    while let Some(p) = memchr::memchr(b'&', rest.as_bytes()) {
        out.push_str(&rest[..p]);
        rest = &rest[p..];
        let (c, n) = if rest.starts_with("&amp;") {
            ('&', 5)
        } else if rest.starts_with("&lt;") {
            ('<', 4)
        } else if rest.starts_with("&gt;") {
            ('>', 4)
        } else {
            ('&', 1)
        };
        out.push(c);
        rest = &rest[n..];
    }
    out.push_str(rest);
    std::borrow::Cow::Owned(out)
}

#[cfg(test)]
mod twitter_text_tests {
    use super::*;

    #[test]
    fn unescapes_what_twitter_escapes() {
        assert_eq!(
            twitter_unescape("A &amp; B &lt;3 &gt; &quot;q&quot; &amp;amp; & x&"),
            "A & B <3 > &quot;q&quot; &amp; & x&"
        );
        assert!(matches!(twitter_unescape("plain"), std::borrow::Cow::Borrowed("plain")));
    }
}
