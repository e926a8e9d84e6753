//! Post text: chatter from slot templates, headlines and slugs, and the
//! near-duplicate variants copypasta operations post.
//!
//! Templates use `{S}`-style slots (see [`crate::vocab::LangVocab::chat`]) and
//! `[a|b|c]` alternatives. Text is always written into a caller-owned
//! `String` so the hot path allocates only the final post.

use crate::rng::Rand;
use crate::vocab::{EMOJI, LangVocab};

/// Fills a chatter template's `{X}` slots from the vocabulary.
pub(crate) fn fill_slots(out: &mut String, rng: &mut Rand, v: &LangVocab, tpl: &str) {
    let mut rest = tpl;
    while let Some(i) = rest.find('{') {
        out.push_str(&rest[..i]);
        let Some(j) = rest[i..].find('}') else {
            out.push_str(&rest[i..]);
            return;
        };
        let slot = &rest[i + 1..i + j];
        let words: &[&str] = match slot {
            "S" => v.subj,
            "O" => v.obj,
            "T" => v.time,
            "A" => v.adj,
            "F" => v.feeling,
            "X" => v.activity,
            _ => &[],
        };
        if !words.is_empty() {
            out.push_str(rng.word(words));
        }
        rest = &rest[i + j + 1..];
    }
    out.push_str(rest);
}

/// Expands `[a|b|c]` alternatives; `base` takes the first alternative each time
/// (the operation's canonical text), otherwise one at random.
pub(crate) fn expand(out: &mut String, rng: &mut Rand, tpl: &str, base: bool) {
    let mut rest = tpl;
    while let Some(i) = rest.find('[') {
        out.push_str(&rest[..i]);
        let Some(j) = rest[i..].find(']') else {
            out.push_str(&rest[i..]);
            return;
        };
        let inner = &rest[i + 1..i + j];
        let n = inner.split('|').count();
        let k = if base { 0 } else { rng.below(n) };
        out.push_str(inner.split('|').nth(k).unwrap_or(""));
        rest = &rest[i + j + 1..];
    }
    out.push_str(rest);
}

/// Appends ` #tag`.
pub(crate) fn push_tag(out: &mut String, tag: &str) {
    if !out.is_empty() && !out.ends_with(' ') {
        out.push(' ');
    }
    out.push('#');
    out.push_str(tag);
}

/// Appends a space unless the buffer is empty or already ends in one.
pub(crate) fn space(out: &mut String) {
    if !out.is_empty() && !out.ends_with(' ') {
        out.push(' ');
    }
}

/// A chatter post: a filled template, sometimes with an emoji.
pub(crate) fn chatter(out: &mut String, rng: &mut Rand, v: &LangVocab) {
    let tpl = rng.pick(v.chat);
    let start = out.len();
    fill_slots(out, rng, v, tpl);
    capitalise_at(out, start);
    if rng.chance(0.25) {
        space(out);
        out.push_str(rng.word(EMOJI));
    }
}

/// A news headline: subject, verb, object and an optional tail.
pub(crate) fn headline(out: &mut String, rng: &mut Rand, v: &LangVocab) {
    out.push_str(rng.word(v.h_subj));
    out.push(' ');
    out.push_str(rng.word(v.h_verb));
    out.push(' ');
    out.push_str(rng.word(v.h_obj));
    let tail = rng.pick(v.h_tail);
    if !tail.is_empty() {
        out.push(' ');
        out.push_str(tail);
    }
}

/// Upper-cases the first character at byte offset `at` if it is ASCII.
pub(crate) fn capitalise_at(out: &mut String, at: usize) {
    if let Some(first) = out.get(at..at + 1)
        && first.as_bytes()[0].is_ascii_lowercase()
    {
        let up = first.to_ascii_uppercase();
        out.replace_range(at..at + 1, &up);
    }
}

/// A copypasta variant: the template with random alternatives plus small
/// edits (emoji, an added hashtag, punctuation, case), so that members' posts
/// are near-duplicates but rarely exact copies.
pub(crate) fn pasta_variant(out: &mut String, rng: &mut Rand, tpl: &str, tags: &[String]) {
    let start = out.len();
    if rng.chance(0.2) {
        out.push_str(rng.word(EMOJI));
        out.push(' ');
    }
    let body = out.len();
    let base = rng.chance(0.25);
    expand(out, rng, tpl, base);
    match rng.below(6) {
        0 => {
            // Shout the first word.
            let end = out[body..].find(' ').map_or(out.len(), |e| body + e);
            let up = out[body..end].to_uppercase();
            out.replace_range(body..end, &up);
        }
        1 => {
            if out.ends_with('!') {
                out.push_str("!!");
            } else if out.ends_with('.') {
                out.pop();
                out.push('!');
            }
        }
        2 => {
            if let Some(pos) = out[body..].find(". ") {
                // Drop the sentence break: "A. B" -> "A - B".
                out.replace_range(body + pos..body + pos + 2, " - ");
            }
        }
        _ => {}
    }
    if !tags.is_empty() && rng.chance(0.45) {
        let t = &tags[rng.below(tags.len())];
        push_tag(out, t);
    }
    if rng.chance(0.35) {
        space(out);
        for _ in 0..rng.range(1, 3) {
            out.push_str(rng.word(EMOJI));
        }
    }
    debug_assert!(out.len() > start);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vocab::Lang;

    #[test]
    fn expand_alternatives() {
        let mut rng = Rand::new(1);
        let mut s = String::new();
        expand(&mut s, &mut rng, "a [b|c] d [e|f]", true);
        assert_eq!(s, "a b d e");
        s.clear();
        expand(&mut s, &mut rng, "no brackets", false);
        assert_eq!(s, "no brackets");
    }

    #[test]
    fn slots_filled() {
        let mut rng = Rand::new(2);
        for lang in Lang::ALL {
            for _ in 0..50 {
                let mut s = String::new();
                chatter(&mut s, &mut rng, lang.vocab());
                assert!(!s.contains('{') && !s.contains('}'), "{s}");
            }
        }
    }

    #[test]
    fn pasta_variants_differ_but_share_words() {
        let mut rng = Rand::new(3);
        let tpl = Lang::En.vocab().pasta[0];
        let tags = vec!["StopTheLies".to_string()];
        let mut seen = std::collections::BTreeSet::new();
        for _ in 0..30 {
            let mut s = String::new();
            pasta_variant(&mut s, &mut rng, tpl, &tags);
            assert!(s.to_lowercase().contains("to us about"), "{s}");
            seen.insert(s);
        }
        assert!(seen.len() > 10);
    }
}
