//! `typo`: a small edit distance from the outlet's label.
//!
//! # What it detects
//! Deleted, inserted, substituted or swapped letters: `spiegl.de`, `spigel.de`,
//! `washingtnpost.com`, and with a suffix swap (`typo_suffix_swap`) `20minuts.com` for
//! `20minutes.fr`. Distance is optimal string alignment (Damerau–Levenshtein where each
//! substring is edited once): at most 1 for labels of 6–9 characters, at most 2 for 10 or
//! more; shorter labels have too many innocent neighbours.
//!
//! # Why it indicates coordination
//! A misspelt outlet name carrying the outlet's content exists to catch readers who do not
//! read URLs letter by letter.
//!
//! # Evidence emitted
//! Score 0.80 at distance 1 and 0.65 at distance 2; 0.1 less with a suffix swap.
//!
//! Labels too short for typos (`welt`, `bild`, `faz`) match only a doubled letter, and only
//! under a suffix that is neither theirs nor ordinary (`weltt.ltd`, `fazz.top`).
//!
//! # Known false positives
//! Real words and names one letter away (`politics` from `politico`, `routers` from
//! `reuters`): input labels that are common or dictionary words are never reported, and
//! common-word outlet labels have no typo tolerance. A typo never changes the digits of a
//! label (`news12` is not `news18`, `france2` is not `france24`).
//!
//! # References
//! Wolf Garbe, "SymSpell" (symmetric delete spelling correction), 2012; dnstwist's
//! `omission`, `insertion`, `replacement`, `transposition` fuzzers.

use crate::index::{Index, Strength, TAG, TYPO1_MIN_LEN, TYPO2_MIN_LEN};
use crate::lexicon::{is_commodity_suffix, is_shortlink_suffix};
use crate::normalize::SuffixKind;
use crate::rule::Rule;
use crate::rules::{Hit, Query, choose, suffix_swap};
use crate::text::{MAX_CHARS, Prefix, digits, osa_within};

pub(crate) const SCORE_1: f32 = 0.80;
pub(crate) const SCORE_2: f32 = 0.65;

/// Every outlet within its typo tolerance of `chars` (distance ≥ 1), with the distance,
/// sorted by id. Found through the symmetric-delete index; `brute_force` is the reference.
pub(crate) fn candidates(index: &Index, chars: &[char], prefix: &Prefix) -> Vec<(u32, usize)> {
    let n = prefix.len();
    let mut ids: Vec<u32> = Vec::new();
    let whole = prefix.whole();
    // delete1(i) = whole + one[i]; delete2(i, j) = whole + two[i] + one[j] (see Prefix).
    let mut one = [0u64; MAX_CHARS];
    let mut two = [0u64; MAX_CHARS];
    for i in 0..n {
        one[i] = prefix.delete_term(i, 1);
        if i + 2 <= n {
            two[i] = prefix.delete_term(i, 2);
        }
    }
    if n + 1 >= TYPO1_MIN_LEN {
        ids.extend(index.deletes(n).get(whole).iter().map(|&id| id & !TAG));
        let level1 = index.deletes(n - 1);
        for t in &one[..n] {
            ids.extend(level1.get(whole.wrapping_add(*t)).iter().map(|&id| id & !TAG));
        }
    }
    if n + 2 >= TYPO2_MIN_LEN {
        let level2 = index.deletes(n - 2);
        for i in 0..n {
            let base = whole.wrapping_add(two[i]);
            for &t in &one[i + 1..n] {
                // Distance-1 outlets only share 0- or 1-deletion variants with a match.
                for &id in level2.get(base.wrapping_add(t)) {
                    if id & TAG != 0 {
                        ids.push(id & !TAG);
                    }
                }
            }
        }
    }
    ids.sort_unstable();
    ids.dedup();
    ids.into_iter()
        .filter_map(|id| {
            let b = &index.brands[id as usize];
            accept(&b.chars, chars, b.max_typo).map(|d| (id, d))
        })
        .collect()
}

/// The typo decision for one pair: distance within tolerance, not zero, same digits.
pub(crate) fn accept(brand: &[char], label: &[char], max_typo: usize) -> Option<usize> {
    if max_typo == 0 || !digits(brand).eq(digits(label)) {
        return None;
    }
    osa_within(brand, label, max_typo).filter(|&d| d > 0)
}

/// Longest label whose doubled letter is matched against labels without typo tolerance.
pub(crate) const DOUBLED_MAX_LEN: usize = 7;

/// Outlets without typo tolerance (`bild`, `welt`, `faz`, `bbc`) whose label is `chars`
/// with one doubled letter undone, when the query's suffix is neither the outlet's nor an
/// ordinary one: `weltt.ltd`, `bildd.pw`, `fazz.top`, `bbcc.news`. One letter typed twice
/// under a throwaway suffix is the composed trick short labels get; under `com` or a
/// country's own registry such names are too often someone else's.
pub(crate) fn doubled(index: &Index, query: &Query<'_>) -> Vec<(u32, f32)> {
    let chars = query.chars;
    let n = query.prefix.len();
    if !(3..=DOUBLED_MAX_LEN).contains(&n) || n != chars.len() {
        return Vec::new();
    }
    if !(1..n).any(|i| chars[i] == chars[i - 1] && chars[i].is_alphabetic()) {
        return Vec::new();
    }
    let private = query.host.suffix_kind() == SuffixKind::Private;
    if is_commodity_suffix(query.suffix(), private) {
        return Vec::new();
    }
    let mut out = Vec::new();
    for i in 1..n {
        if chars[i] != chars[i - 1] || !chars[i].is_alphabetic() {
            continue;
        }
        for &id in index.exact.get(query.prefix.delete1(i)) {
            let b = &index.brands[id as usize];
            let same = b.chars.len() + 1 == n && b.chars[..i] == chars[..i] && b.chars[i..] == chars[i + 1..];
            if !same || b.max_typo > 0 || *b.suffix == *query.suffix() {
                continue;
            }
            if b.strength == Strength::Short && is_shortlink_suffix(query.suffix()) {
                continue;
            }
            let score = if b.strength == Strength::Distinctive { SCORE_1 } else { suffix_swap::GUARDED_SCORE };
            out.push((id, score));
        }
    }
    out
}

pub(crate) fn find(index: &Index, query: &Query<'_>) -> Option<Hit> {
    let mut found = candidates(index, query.chars, query.prefix);
    let mut scored: Vec<(u32, f32)> =
        found.iter().map(|&(id, d)| (id, if d == 1 { SCORE_1 } else { SCORE_2 })).collect();
    if scored.is_empty() {
        scored = doubled(index, query);
        found.extend(scored.iter().map(|&(id, _)| (id, 1)));
    }
    let (brand, rule, score) = choose(index, query, Rule::Typo, scored)?;
    if index.is_word(query.label()) {
        return None;
    }
    let distance = found.iter().find(|&&(id, _)| id == brand).map_or(0, |&(_, d)| d);
    let b = &index.brands[brand as usize];
    Some(Hit {
        brand,
        rule,
        score,
        evidence: format!(
            "label {:?} is {distance} edit{} from {:?} of {}",
            query.label_text(),
            if distance == 1 { "" } else { "s" },
            b.label(),
            b.canonical
        ),
    })
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::outlets::OutletList;
    use crate::testutil::check;

    #[test]
    fn edits() {
        check("spiegl.de", "spiegel.de typo");
        check("spigel.de", "spiegel.de typo");
        check("sipegel.de", "spiegel.de typo");
        check("spieggel.de", "spiegel.de typo");
        check("washingtnpost.com", "washingtonpost.com typo");
        check("wahsingtnpost.com", "washingtonpost.com typo");
        check("tagesschua.de", "tagesschau.de typo");
    }

    #[test]
    fn with_a_suffix_swap() {
        check("20minuts.com", "20minutes.fr typo_suffix_swap");
        check("lemonder.ltd", "lemonde.fr typo_suffix_swap");
        check("washingtonpots.pm", "washingtonpost.com typo_suffix_swap");
    }

    #[test]
    fn doubled_letter_on_short_labels_with_a_suffix_swap() {
        check("weltt.ltd", "welt.de typo_suffix_swap");
        check("bildd.pw", "bild.de typo_suffix_swap");
        check("fazz.top", "faz.net typo_suffix_swap");
        check("bbcc.news", "bbc.co.uk typo_suffix_swap");
        // Not under ordinary suffixes, not under the outlet's own.
        check("weltt.de", "");
        check("fazz.com", "");
        check("bbcc.co.uk", "");
    }

    #[test]
    fn prefers_the_outlet_under_the_same_suffix() {
        check("20minuts.es", "20minutos.es typo");
        check("20minuts.fr", "20minutes.fr typo");
    }

    #[test]
    fn leaves_alone() {
        // Other real outlets and sites one edit away.
        check("nypost.com", "");
        check("20minutos.es", "");
        check("build.com", "");
        // Dictionary words.
        check("politics.com", "");
        check("routers.com", "");
        check("lemonade.com", "");
        // Different numbers are different brands.
        check("news12.com", "");
        check("france2.fr", "");
        // Too short for typos: bild, welt, faz, delfi.
        check("bilt.de", "");
        check("welf.de", "");
        check("delfo.lt", "");
        // Common-word outlet labels have no typo tolerance.
        check("mirrow.co.uk", "");
    }

    /// Builds an index over `labels` (under .com) and compares the symmetric-delete lookup
    /// with the all-pairs reference for every query.
    fn agree(labels: &[String], queries: &[String]) -> Result<(), TestCaseError> {
        let text: String = labels.iter().map(|l| format!("{l}.com\tOutlet\tXX\n")).collect();
        let (list, _) = OutletList::parse_lenient(&text, "proptest");
        let index = Index::new(&list, true);
        for query in queries {
            let chars: Vec<char> = query.chars().collect();
            let prefix = Prefix::new(&chars);
            let indexed = candidates(&index, &chars, &prefix);
            let brute: Vec<(u32, usize)> = index
                .brands
                .iter()
                .enumerate()
                .filter_map(|(id, b)| accept(&b.chars, &chars, b.max_typo).map(|d| (id as u32, d)))
                .collect();
            prop_assert_eq!(indexed, brute, "query {}", query);
        }
        Ok(())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// The symmetric-delete index finds exactly what comparing all pairs finds.
        #[test]
        fn index_equals_brute_force(
            labels in prop::collection::btree_set("[abcd1-][abcd]{4,13}", 1..40),
            queries in prop::collection::vec("[abcd1-]{1,16}", 1..40),
        ) {
            let labels: Vec<String> = labels.into_iter().collect();
            // Also query the outlets' own labels and near neighbours of them.
            let mut all = queries;
            all.extend(labels.iter().cloned());
            all.extend(labels.iter().map(|l| format!("{l}a")));
            all.extend(labels.iter().map(|l| l[1..].to_string()));
            agree(&labels, &all)?;
        }
    }
}
