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

/// Text and expanded URLs of a post (one buffer: text, then the URLs
/// separated by single spaces).
#[derive(Debug)]
pub(crate) struct Content {
    buf: Box<str>,
    text_len: u32,
    pub(crate) lang: Lang,
}

impl Content {
    /// `text` plus space-separated `urls` (either may be empty).
    pub(crate) fn new(text: &str, urls: &str, lang: Lang) -> Arc<Self> {
        let mut buf = String::with_capacity(text.len() + urls.len());
        buf.push_str(text);
        buf.push_str(urls);
        Arc::new(Self {
            buf: buf.into_boxed_str(),
            text_len: text.len() as u32,
            lang,
        })
    }

    pub(crate) fn text(&self) -> &str {
        self.buf.get(..self.text_len as usize).unwrap_or("")
    }

    /// Expanded URLs, space-separated (empty when none).
    pub(crate) fn urls(&self) -> &str {
        self.buf.get(self.text_len as usize..).unwrap_or("")
    }
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
    if tag == ORGANIC {
        None
    } else {
        Some(((tag >> 1) - 1, tag & 1 == 1))
    }
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
    pub(crate) content: Arc<Content>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_split() {
        let c = Content::new("hello", "https://a https://b", Lang::En);
        assert_eq!(c.text(), "hello");
        assert_eq!(c.urls(), "https://a https://b");
    }

    #[test]
    fn tags_roundtrip() {
        assert_eq!(untag(ORGANIC), None);
        assert_eq!(untag(op_tag(0)), Some((0, false)));
        assert_eq!(untag(target_tag(41)), Some((41, true)));
    }
}
