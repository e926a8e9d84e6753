//! `institution`: government and ministry sites, and the `gov.*` suffixes they live under.
//!
//! # What it detects
//! The government word of a suffix such as `gov.pl`, `gouv.fr` or `gov.ua` edited so that
//! the name becomes registrable: a look-alike letter (`qov.pl`, `g0v.pl`, reported as
//! `homoglyph`), a doubled letter (`govv.pl`, `goov.pl`, reported as `typo`), or the word
//! kept under another top-level domain with a ministry in front (`diplomatie.gouv.fm` for
//! `diplomatie.gouv.fr`, reported as `suffix_swap`). A ministry's own label in front
//! (`mswia.qov.pl`) names the ministry imitated; otherwise the imitated outlet is the
//! suffix itself (`gov.pl`), when the list holds it under the same top-level domain.
//!
//! # Why it indicates coordination
//! Doppelganger cloned ministries and agencies as well as newspapers (the French foreign
//! ministry on `diplomatie.gouv.fm`, VIGINUM 2023), and nobody but the state can register
//! under `gov.pl`: a name that reads as one is there to be mistaken for it.
//!
//! # Evidence emitted
//! Score 0.90 when a listed ministry's label stands in front, 0.85 for an edited
//! government word under the outlet's own top-level domain, 0.80 for the exact word under
//! another suffix of the same country (`gov.com.pl`).
//!
//! # Known false positives
//! Private sites named `gov` something under ordinary suffixes are left alone unless the
//! top-level domain or a ministry label ties them to a listed institution; `go`, a common
//! word, is not a government word here. Sites under the real suffixes are never reported.
//!
//! # References
//! VIGINUM, "RRN: une campagne numérique de manipulation de l'information complexe et
//! persistante" (June 2023); U.S. DoJ, affidavit in support of seizure warrants (September
//! 2024).

use crate::index::Index;
use crate::rule::Rule;
use crate::rules::{Hit, Query};

pub(crate) const CHILD_SCORE: f32 = 0.90;
pub(crate) const EDITED_SCORE: f32 = 0.85;
pub(crate) const EXACT_SCORE: f32 = 0.80;

/// Longest label that can be an edited government word (`gouvv`, `goouv`).
const MAX_LEN: usize = 7;

/// How a label relates to a government word.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Edit {
    Exact,
    Homoglyph,
    Doubled,
}

/// Undoes the look-alike letters and doubled letters of a short ASCII label, into `out`;
/// returns the length written and how the label differs. No allocation: this runs on every
/// domain with a short label.
fn undo(label: &str, out: &mut [u8; MAX_LEN]) -> Option<(usize, Edit)> {
    if label.len() > MAX_LEN || label.len() < 2 {
        return None;
    }
    let (mut n, mut glyph, mut doubled) = (0, false, false);
    for b in label.bytes() {
        let mapped = match b {
            b'q' | b'9' | b'6' => b'g',
            b'0' => b'o',
            b'w' => b'v',
            b'a'..=b'z' => b,
            _ => return None,
        };
        glyph |= mapped != b;
        if n > 0 && out[n - 1] == mapped {
            doubled = true;
            continue;
        }
        out[n] = mapped;
        n += 1;
    }
    let edit = match (glyph, doubled) {
        (false, false) => Edit::Exact,
        (true, _) => Edit::Homoglyph,
        (false, true) => Edit::Doubled,
    };
    Some((n, edit))
}

pub(crate) fn find(index: &Index, query: &Query<'_>) -> Option<Hit> {
    let label = query.label();
    if index.institution_words.is_empty() || !query.ascii || label.len() > MAX_LEN {
        return None;
    }
    let mut buf = [0u8; MAX_LEN];
    let (len, edit) = undo(label, &mut buf)?;
    let word = &buf[..len];
    if !index.institution_words.iter().any(|w| w.as_bytes() == word) {
        return None;
    }
    let suffix = query.suffix();
    let tld = suffix.rsplit('.').next().unwrap_or(suffix);
    let first = suffix.split('.').next().unwrap_or(suffix);
    let sub = query.host.sub_label().filter(|&s| s != "www");
    let mut best: Option<(f32, bool, u32)> = None;
    for inst in &index.institution {
        if inst.word.as_bytes() != word {
            continue;
        }
        let same_country = *inst.rest == *tld || *inst.rest == *first;
        let score = match (&inst.child, sub) {
            (Some(child), Some(sub)) if **child == *sub => CHILD_SCORE,
            (Some(_), _) => continue,
            (None, _) if !same_country => continue,
            (None, _) if edit == Edit::Exact => EXACT_SCORE,
            (None, _) => EDITED_SCORE,
        };
        // Higher score, then the same country (`mfa.qov.ua` is Ukraine's `mfa`), then id.
        let better = best.is_none_or(|(s, c, b)| {
            score > s || (score == s && (same_country && !c || same_country == c && inst.id < b))
        });
        if better {
            best = Some((score, same_country, inst.id));
        }
    }
    let (score, _, brand) = best?;
    let b = &index.brands[brand as usize];
    let swapped = !b.canonical.strip_suffix(suffix).is_some_and(|s| s.ends_with('.')) || edit == Edit::Exact;
    let rule = match edit {
        Edit::Exact => Rule::SuffixSwap,
        Edit::Homoglyph => Rule::Homoglyph.with_suffix_swap(swapped),
        Edit::Doubled => Rule::Typo.with_suffix_swap(swapped),
    };
    Some(Hit {
        brand,
        rule,
        score,
        evidence: format!(
            "{:?} under {:?} reads as the government suffix of {}",
            query.label_text(),
            suffix,
            b.canonical
        ),
    })
}

#[cfg(test)]
mod tests {
    use crate::testutil::{check, check_in};
    use crate::{Matcher, OutletList};

    #[test]
    fn government_words() {
        check("qov.pl", "gov.pl homoglyph");
        check("g0v.pl", "gov.pl homoglyph");
        check("govv.pl", "gov.pl typo");
        check("www.mswia.qov.pl", "mswia.gov.pl homoglyph");
        check("diplomatie.gouv.fm", "diplomatie.gouv.fr suffix_swap");
        check("gov.com.pl", "gov.pl suffix_swap");
        check("qov.ua", "gov.ua homoglyph");
        // Two ministries share the label `mfa`: the one under the same country wins.
        check("mfa.qov.ua", "mfa.gov.ua homoglyph");
        check("mfa.qov.lv", "mfa.gov.lv homoglyph");
    }

    #[test]
    fn leaves_alone() {
        // Real sites under government suffixes, and unrelated `gov` names.
        check("mswia.gov.pl", "");
        check("www.gov.pl", "");
        check("diplomatie.gouv.fr", "");
        check("gov.com", "");
        check("qov.com", "");
        check("go.pl", "");
        check("gouv.fm", "");
    }

    #[test]
    fn user_suffix_outlets() {
        let list = OutletList::parse("gov.il\n", "user.txt").unwrap();
        let matcher = Matcher::new(&list);
        check_in(&matcher, "qov.il", "gov.il homoglyph");
        check_in(&matcher, "pmo.gov.il", "");
        check_in(&matcher, "govv.co.il", "gov.il typo_suffix_swap");
    }
}
