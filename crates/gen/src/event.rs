//! The in-memory event: what a slice generator produces and the writers
//! format. Post content is shared (`Arc`) between an original and all its
//! reposts, so a viral cascade costs one text allocation, not thousands.

use std::sync::Arc;

use crate::vocab::Lang;

/// What an event is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Post,
    Repost,
    Reply,
    Quote,
}

/// Text, expanded URLs and language of a post in one shared allocation.
///
/// Layout of the string: one ASCII character for the language and whether
/// the text and URLs need CSV quoting (computed once here, not per repost),
/// three for the text length (base 32), the text, then the URLs separated by
/// single spaces.
#[derive(Debug, Clone)]
pub(crate) struct Content(Arc<str>);

/// Longest text a [`Content`] can hold, in bytes.
const MAX_TEXT: usize = (1 << 15) - 1;

impl Content {
    /// Builds content in `scratch` (reused between calls) and copies it into
    /// one reference-counted allocation. Text longer than 32 KiB is cut.
    pub(crate) fn new(scratch: &mut String, text: &str, urls: &str, lang: Lang) -> Self {
        let mut n = text.len().min(MAX_TEXT);
        while !text.is_char_boundary(n) {
            n -= 1;
        }
        scratch.clear();
        let flags = lang.index() as u8
            | if needs_csv_quotes(&text[..n]) { QUOTE_TEXT } else { 0 }
            | if needs_csv_quotes(urls) { QUOTE_URLS } else { 0 };
        scratch.push(char::from(b'0' + flags));
        for shift in [10, 5, 0] {
            scratch.push(char::from(b'0' + ((n >> shift) & 31) as u8));
        }
        scratch.push_str(&text[..n]);
        scratch.push_str(urls);
        Self(Arc::from(scratch.as_str()))
    }

    #[inline]
    fn text_len(&self) -> usize {
        let b = self.0.as_bytes();
        if b.len() < 4 {
            return 0;
        }
        let d = |c: u8| usize::from(c.wrapping_sub(b'0') & 31);
        (d(b[1]) << 10) | (d(b[2]) << 5) | d(b[3])
    }

    #[inline]
    pub(crate) fn text(&self) -> &str {
        self.0.get(4..4 + self.text_len()).unwrap_or("")
    }

    /// Expanded URLs, space-separated (empty when none).
    #[inline]
    pub(crate) fn urls(&self) -> &str {
        self.0.get(4 + self.text_len()..).unwrap_or("")
    }

    #[inline]
    fn flags(&self) -> u8 {
        self.0.as_bytes().first().map_or(0, |b| b.wrapping_sub(b'0'))
    }

    #[inline]
    pub(crate) fn lang(&self) -> Lang {
        match self.flags() & 3 {
            1 => Lang::De,
            2 => Lang::Fr,
            3 => Lang::Es,
            _ => Lang::En,
        }
    }

    /// Whether the text must be quoted in CSV.
    #[inline]
    pub(crate) fn quote_text(&self) -> bool {
        self.flags() & QUOTE_TEXT != 0
    }

    /// Whether the URL list must be quoted in CSV.
    #[inline]
    pub(crate) fn quote_urls(&self) -> bool {
        self.flags() & QUOTE_URLS != 0
    }
}

const QUOTE_TEXT: u8 = 4;
const QUOTE_URLS: u8 = 8;

/// Whether a CSV field needs quoting (RFC 4180).
pub(crate) fn needs_csv_quotes(s: &str) -> bool {
    let b = s.as_bytes();
    memchr::memchr3(b',', b'"', b'\n', b).is_some() || memchr::memchr(b'\r', b).is_some()
}

/// Tag value of an event that belongs to no operation.
pub(crate) const ORGANIC: u32 = 0;

/// Tag of a member action of operation `op`.
#[inline]
pub(crate) fn op_tag(op: u32) -> u32 {
    (op + 1) << 1
}

/// Tag of a target post (by a non-member) created for operation `op`.
#[inline]
pub(crate) fn target_tag(op: u32) -> u32 {
    op_tag(op) | 1
}

/// Operation of a tag and whether it marks a target post.
#[inline]
pub(crate) fn untag(tag: u32) -> Option<(u32, bool)> {
    if tag == ORGANIC { None } else { Some(((tag >> 1) - 1, tag & 1 == 1)) }
}

/// A finished event with its final id.
#[derive(Debug, Clone)]
pub(crate) struct Event {
    /// Snowflake id; its high bits are `ts`, so sorting by id sorts by time.
    pub(crate) id: u64,
    /// Unix time, ms.
    pub(crate) ts: i64,
    /// Id of the reposted / replied-to / quoted post (0 for originals).
    pub(crate) ref_id: u64,
    pub(crate) author: u32,
    pub(crate) ref_author: u32,
    pub(crate) tag: u32,
    pub(crate) kind: Kind,
    pub(crate) content: Content,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_split() {
        let mut scratch = String::new();
        let c = Content::new(&mut scratch, "héllo", "https://a https://b", Lang::Fr);
        assert_eq!(c.text(), "héllo");
        assert_eq!(c.urls(), "https://a https://b");
        assert_eq!(c.lang(), Lang::Fr);
        assert!(!c.quote_text() && !c.quote_urls());
        let c = Content::new(&mut scratch, "a, \"b\"", "", Lang::De);
        assert!(c.quote_text() && !c.quote_urls());
        assert_eq!(c.lang(), Lang::De);
        assert_eq!(c.text(), "a, \"b\"");
        let long = "x".repeat(40_000);
        let c = Content::new(&mut scratch, &long, "", Lang::Es);
        assert_eq!(c.text().len(), (1 << 15) - 1);
        assert_eq!(c.urls(), "");
        assert_eq!(c.lang(), Lang::Es);
    }

    #[test]
    fn tags_roundtrip() {
        assert_eq!(untag(ORGANIC), None);
        assert_eq!(untag(op_tag(0)), Some((0, false)));
        assert_eq!(untag(target_tag(41)), Some((41, true)));
    }
}
