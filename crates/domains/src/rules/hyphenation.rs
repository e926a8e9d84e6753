//! `hyphenation`: hyphens added or removed, or the label split by a dot.
//!
//! # What it detects
//! `fox-news.com` for `foxnews.com`, `tonline.de` for `t-online.de`, `fox-news.top` (with a
//! suffix swap: `hyphenation_suffix_swap`), and `fox.news` / `washingtonpo.st`, where the
//! last letters of the label became the public suffix.
//!
//! # Why it indicates coordination
//! A hyphen is the cheapest change that keeps a name readable; Doppelganger used
//! `fox-news.top`. Moving a dot is the same trick with a new gTLD.
//!
//! # Evidence emitted
//! Score 0.85 (0.75 with a suffix swap).
//!
//! # Known false positives
//! Real sites that hyphenate a brand differently; only distinctive labels of at least five
//! letters (without hyphens) match, and input labels that are common words never do.
//!
//! # References
//! dnstwist's `hyphenation` fuzzer; EU DisinfoLab, "Doppelganger" (2022).

use crate::index::{Index, RESHAPE_MIN_LEN, Strength};
use crate::rule::Rule;
use crate::rules::{Hit, Query, choose};
use crate::text::{hash_chars, hash_extend};

pub(crate) const SCORE: f32 = 0.85;

pub(crate) fn find(index: &Index, query: &Query<'_>) -> Option<Hit> {
    let has_hyphen = query.chars.contains(&'-');
    let plain: Vec<char> =
        if has_hyphen { query.chars.iter().copied().filter(|&c| c != '-').collect() } else { Vec::new() };
    let plain: &[char] = if has_hyphen { &plain } else { query.chars };
    let mut candidates = Vec::new();
    let eligible = |id: u32| {
        let b = &index.brands[id as usize];
        b.strength == Strength::Distinctive && *b.chars != *query.chars
    };
    let plain_hash = if !has_hyphen {
        query.prefix.whole()
    } else {
        let h = hash_chars(plain.iter().copied());
        // Hyphens in the input: the outlet's label without them ("fox-news" → foxnews).
        for &id in index.exact.get(h) {
            let b = &index.brands[id as usize];
            if eligible(id) && *b.chars == *plain && plain.len() >= RESHAPE_MIN_LEN {
                candidates.push(id);
            }
        }
        h
    };
    // The outlet's label has hyphens: compare both without them ("tonline" → t-online).
    for &id in index.dehyphenated.get(plain_hash) {
        let b = &index.brands[id as usize];
        if eligible(id) && b.chars.iter().copied().filter(|&c| c != '-').eq(plain.iter().copied()) {
            candidates.push(id);
        }
    }
    if let Some((brand, rule, score)) =
        choose(index, query, Rule::Hyphenation, candidates.into_iter().map(|id| (id, SCORE)))
    {
        if index.is_word(query.label()) {
            return None;
        }
        let b = &index.brands[brand as usize];
        return Some(Hit {
            brand,
            rule,
            score,
            evidence: format!(
                "label {:?} is {:?} of {} with hyphens moved",
                query.label_text(),
                b.label(),
                b.canonical
            ),
        });
    }
    dotted(index, query)
}

/// `fox.news`: label and suffix together spell the outlet's label.
fn dotted(index: &Index, query: &Query<'_>) -> Option<Hit> {
    let suffix_chars = || query.suffix().chars().filter(|&c| c != '.');
    let ids = index.exact.get(hash_extend(query.prefix.whole(), suffix_chars()));
    if ids.is_empty() {
        return None;
    }
    let joined: Vec<char> = query.chars.iter().copied().chain(suffix_chars()).collect();
    let candidates = ids.iter().filter_map(|&id| {
        let b = &index.brands[id as usize];
        (b.strength == Strength::Distinctive && b.chars.len() >= RESHAPE_MIN_LEN && *b.chars == *joined)
            .then_some((id, SCORE))
    });
    // The suffix is part of the trick here, so this is never reported as a suffix swap.
    let (brand, _, score) = choose(index, query, Rule::SuffixSwap, candidates)?;
    let b = &index.brands[brand as usize];
    Some(Hit {
        brand,
        rule: Rule::Hyphenation,
        score,
        evidence: format!(
            "{:?} + {:?} spells the label {:?} of {}",
            query.label_text(),
            query.suffix(),
            b.label(),
            b.canonical
        ),
    })
}

#[cfg(test)]
mod tests {
    use crate::testutil::check;

    #[test]
    fn hyphens_added_or_removed() {
        check("fox-news.com", "foxnews.com hyphenation");
        check("tonline.de", "t-online.de hyphenation");
        check("wash-ington-post.com", "washingtonpost.com hyphenation");
        check("ouestfrance.fr", "ouest-france.fr hyphenation");
    }

    #[test]
    fn with_a_suffix_swap() {
        check("fox-news.top", "foxnews.com hyphenation_suffix_swap");
        check("t-on-line.ltd", "t-online.de hyphenation_suffix_swap");
    }

    #[test]
    fn label_split_by_a_dot() {
        check("fox.news", "foxnews.com hyphenation");
        check("washington.post", "washingtonpost.com hyphenation");
        check("www.kyiv.post", "kyivpost.com hyphenation");
    }

    #[test]
    fn leaves_alone() {
        // n-tv's label without hyphens is three letters: too short.
        check("ntv.at", "");
        // Common words and short labels are never reshaped.
        check("mir-ror.com", "");
        check("sud-ouest.com", "");
    }
}
