//! Text handling of coordination-network-toolkit 1.5.2, reproduced exactly
//! (`shared/peers/cnt/SEMANTICS.md` §6, §14 B and F).
//!
//! Three steps are shared by co_text (the toolkit's co_tweet) and co_similar:
//!
//! 1. Python `str.lower()`: full Unicode lowercasing with the Final_Sigma
//!    rule, which is what Rust's [`str::to_lowercase`] implements too.
//! 2. Mention removal, the toolkit's regex `@.*?(?=(?:\s|$))`: every `@` is
//!    deleted together with everything up to (not including) the next
//!    whitespace character or the end of the text. `\s` of the `regex`
//!    module is the Unicode `White_Space` property, i.e. [`char::is_whitespace`].
//! 3. For co_text, Python `str.split()` and a re-join with single spaces.
//!    `str.split()` splits on `str.isspace()`, which is `White_Space` plus the
//!    four information separators U+001C..U+001F ([`is_py_space`]).
//!
//! co_similar then splits the text with the regex
//! `\b\p{Word_Break=WSegSpace}*'?` (flags WORD, V1): at every word boundary
//! of the `regex` module, a following run of `WSegSpace` characters and one
//! optional ASCII apostrophe are deleted ([`crate::wordbreak`]). The pieces
//! are stored joined by spaces and split again with `str.split()` when
//! compared, so the effective token set ([`cnt_tokens`]) is the pieces cut at
//! Python whitespace, empty ones dropped.
//!
//! The default mode tokenises the same way but with standard UAX #29 word
//! boundaries from `unicode-segmentation` ([`word_tokens`]): each segment
//! without one leading `'`, cut at whitespace.

use std::borrow::Cow;
use unicode_segmentation::UnicodeSegmentation;

/// Python's `str.isspace()`: Unicode `White_Space` plus U+001C..U+001F.
#[inline]
pub fn is_py_space(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

/// Python `str.lower()`.
pub fn py_lower(s: &str) -> Cow<'_, str> {
    if s.bytes().all(|b| !b.is_ascii_uppercase() && b.is_ascii()) {
        Cow::Borrowed(s)
    } else if s.is_ascii() {
        Cow::Owned(s.to_ascii_lowercase())
    } else {
        Cow::Owned(s.to_lowercase())
    }
}

/// Appends `s` to `out` without mentions: each `@` and the characters after
/// it up to the next whitespace character are dropped.
pub fn strip_mentions(s: &str, out: &mut String) {
    let mut rest = s;
    while let Some(at) = rest.find('@') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        let end = after.find(char::is_whitespace).unwrap_or(after.len());
        rest = &after[end..];
    }
    out.push_str(rest);
}

/// Lowercases `text` and removes mentions, into `out` (cleared first).
pub fn lower_without_mentions(text: &str, out: &mut String) {
    out.clear();
    let lower = py_lower(text);
    strip_mentions(&lower, out);
}

/// The toolkit's co_tweet key (`message_preprocessor`): lowercase, remove
/// mentions, collapse whitespace. Written to `out` (cleared first); `scratch`
/// is reused between calls.
pub fn cnt_normalise(text: &str, scratch: &mut String, out: &mut String) {
    lower_without_mentions(text, scratch);
    out.clear();
    for (i, w) in scratch.split(is_py_space).filter(|w| !w.is_empty()).enumerate() {
        if i > 0 {
            out.push(' ');
        }
        out.push_str(w);
    }
}

/// Reusable buffers for the tokenisers.
#[derive(Clone, Debug, Default)]
pub struct TokenScratch {
    lower: String,
    pieces: crate::wordbreak::Scratch,
}

/// Calls `f` for each token of the toolkit's co_similar_tweet tokenisation
/// of `text`: the effective set `set(tokenize(text).split())`, with repeats.
/// Word boundaries are the Python `regex` module's ([`crate::wordbreak`]).
pub fn for_each_cnt_token(text: &str, scratch: &mut TokenScratch, mut f: impl FnMut(&str)) {
    lower_without_mentions(text, &mut scratch.lower);
    crate::wordbreak::for_each_piece(&scratch.lower, &mut scratch.pieces, |piece| {
        for t in piece.split(is_py_space).filter(|t| !t.is_empty()) {
            f(t);
        }
    });
}

/// The default mode's tokenisation: as [`for_each_cnt_token`], but with
/// standard UAX #29 word boundaries (`unicode-segmentation`), so that, for
/// example, a flag emoji never swallows the next word.
pub fn for_each_word_token(text: &str, scratch: &mut TokenScratch, mut f: impl FnMut(&str)) {
    lower_without_mentions(text, &mut scratch.lower);
    for seg in scratch.lower.split_word_bounds() {
        let seg = seg.strip_prefix('\'').unwrap_or(seg);
        if seg.bytes().all(|b| b.is_ascii_alphanumeric()) {
            if !seg.is_empty() {
                f(seg);
            }
            continue;
        }
        for t in seg.split(is_py_space).filter(|t| !t.is_empty()) {
            f(t);
        }
    }
}

/// The toolkit's co_similar_tweet token set of `text`, sorted.
pub fn cnt_tokens(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for_each_cnt_token(text, &mut TokenScratch::default(), |t| out.push(t.to_owned()));
    out.sort_unstable();
    out.dedup();
    out
}

/// The default mode's token set of `text`, sorted.
pub fn word_tokens(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for_each_word_token(text, &mut TokenScratch::default(), |t| out.push(t.to_owned()));
    out.sort_unstable();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(s: &str) -> Vec<String> {
        cnt_tokens(s)
    }

    fn norm(s: &str) -> String {
        let (mut a, mut b) = (String::new(), String::new());
        cnt_normalise(s, &mut a, &mut b);
        b
    }

    #[test]
    fn normalisation_matches_the_toolkit() {
        assert_eq!(norm("@x Hello World"), "hello world");
        assert_eq!(norm("hello   world @y"), "hello world");
        assert_eq!(norm("@z"), "");
        assert_eq!(norm("mail foo@bar.com now"), "mail foo now");
        assert_eq!(norm("RT  #Tag\u{1c}x"), "rt #tag x");
        assert_eq!(norm("ΟΔΟΣ"), "οδος");
        assert_eq!(norm("a@\tb"), "a b");
    }

    #[test]
    fn tokens_match_the_checked_examples() {
        let mut want = vec!["!", "/", "1", ":", "great", "hello", "https", "it's", "world", "x.co"];
        want.sort_unstable();
        assert_eq!(tokens("Hello world @bob, it's https://x.co/1 great!!"), want);
        let mut want = vec![".", "brown", "dog", "fox", "jumped", "lazy", "over", "quick", "the"];
        want.sort_unstable();
        assert_eq!(tokens("The quick brown fox jumped over the lazy dog."), want);
        assert_eq!(tokens("#tag"), vec!["#", "tag"]);
        assert_eq!(tokens("'orange'"), vec!["orange"]);
        assert_eq!(tokens("e.g u.s.a 3.14 1,000"), vec!["1,000", "3.14", "e.g", "u.s.a"]);
        assert_eq!(tokens("a\nb\u{a0}c"), vec!["a", "b", "c"]);
        assert!(tokens("@only").is_empty());
    }
}
