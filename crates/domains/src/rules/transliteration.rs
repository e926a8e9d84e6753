//! `transliteration`: the outlet's name in another script or spelling.
//!
//! # What it detects
//! Cyrillic or Greek spellings of a Latin name (`правда.com` for `pravda.com.ua`,
//! `громадське.ua` for `hromadske.ua`, within a small edit distance after romanisation),
//! umlauts written or dropped (`süddeutsche.de`, `suddeutsche.de` for `sueddeutsche.de`,
//! `boersen.dk` for `borsen.dk`), `ß` for `ss`.
//!
//! # Why it indicates coordination
//! A reader who knows the outlet's name recognises it in any spelling; an operation
//! targeting readers in another language registers the name the way they would write it.
//!
//! # Evidence emitted
//! Score 0.90 for an exact transliteration or spelling variant, 0.75 when a small edit
//! remains after romanisation; 0.1 less with a suffix swap
//! (`transliteration_suffix_swap`).
//!
//! # Known false positives
//! Romanisation is lossy (`г` is `g` in Russian and `h` in Ukrainian), so a loose match can
//! join unrelated names; only distinctive labels of four letters or more match, and ASCII
//! input only by umlaut spellings (`ae`/`oe`/`ue`), never by `ss`/`s`.
//!
//! # References
//! ISO 9 and the BGN/PCGN romanisations (simplified); DIN 5007-2 umlaut spelling.

use crate::index::{Index, Strength, TRANSLIT_MIN_LEN};
use crate::rule::Rule;
use crate::rules::{Hit, Query, choose, typo};
use crate::text::{MAX_CHARS, Prefix, has_umlaut_spelling, hash_chars, latinize, spelling_key};

pub(crate) const SCORE: f32 = 0.90;
pub(crate) const FUZZY_SCORE: f32 = 0.75;

pub(crate) fn find(index: &Index, query: &Query<'_>) -> Option<Hit> {
    let eligible = |id: u32| {
        let b = &index.brands[id as usize];
        b.strength == Strength::Distinctive && b.chars.len() >= TRANSLIT_MIN_LEN && *b.chars != *query.chars
    };
    let (latin, found) = if query.ascii {
        let umlauts = has_umlaut_spelling(query.chars);
        let key_hash =
            if umlauts { hash_chars(spelling_key(query.chars.iter().copied(), false)) } else { query.prefix.whole() };
        let ids = index.umlaut.get(key_hash);
        if ids.is_empty() {
            return None;
        }
        let key: Vec<char> = spelling_key(query.chars.iter().copied(), false).collect();
        let found = choose(
            index,
            query,
            Rule::Transliteration,
            ids.iter().filter_map(|&id| {
                let b = &index.brands[id as usize];
                let brand_key = spelling_key(latinize(&b.chars).into_iter(), false);
                (eligible(id) && brand_key.eq(key.iter().copied())).then_some((id, SCORE))
            }),
        );
        if found.is_some() && index.is_word(query.label()) {
            return None;
        }
        (query.chars.to_vec(), found)
    } else {
        let latin = latinize(query.chars);
        let key: Vec<char> = spelling_key(latin.iter().copied(), true).collect();
        let ids = index.spelling.get(hash_chars(key.iter().copied()));
        let mut found = choose(
            index,
            query,
            Rule::Transliteration,
            ids.iter().filter_map(|&id| {
                let b = &index.brands[id as usize];
                let brand_key = spelling_key(latinize(&b.chars).into_iter(), true);
                (eligible(id) && brand_key.eq(key.iter().copied())).then_some((id, SCORE))
            }),
        );
        if found.is_none() && latin.len() <= MAX_CHARS {
            let prefix = Prefix::new(&latin);
            found = choose(
                index,
                query,
                Rule::Transliteration,
                typo::candidates(index, &latin, &prefix)
                    .into_iter()
                    .filter(|&(id, _)| eligible(id))
                    .map(|(id, _)| (id, FUZZY_SCORE)),
            );
        }
        (latin, found)
    };
    let (brand, rule, score) = found?;
    let b = &index.brands[brand as usize];
    Some(Hit {
        brand,
        rule,
        score,
        evidence: format!(
            "label {:?} reads {:?}, the label {:?} of {}",
            query.label_text(),
            latin.iter().collect::<String>(),
            b.label(),
            b.canonical
        ),
    })
}

#[cfg(test)]
mod tests {
    use crate::testutil::check;

    #[test]
    fn cyrillic_spellings() {
        check("правда.com.ua", "pravda.com.ua transliteration");
        check("правда.com", "pravda.com.ua transliteration_suffix_swap");
        check("xn--80aafi6cg.com", "pravda.com.ua transliteration_suffix_swap");
        check("сегодня.ua", "segodnya.ua transliteration");
        // Ukrainian г romanised as g, not h: one edit remains after romanisation.
        check("громадське.ua", "hromadske.ua transliteration");
    }

    #[test]
    fn umlauts_written_or_dropped() {
        check("süddeutsche.de", "sueddeutsche.de transliteration");
        check("süddeutsche.ltd", "sueddeutsche.de transliteration_suffix_swap");
        check("saarbrucker-zeitung.de", "saarbruecker-zeitung.de transliteration");
        check("ö24.at", "oe24.at transliteration");
    }

    #[test]
    fn leaves_alone() {
        // ASCII input never matches by `ss`/`s`: this dropped an `s`, a typo.
        check("tagespiegel.de", "tagesspiegel.de typo");
        // Common-word outlet labels are not transliterated.
        check("газета.ru", "");
        check("boersen.dk", "");
    }
}
