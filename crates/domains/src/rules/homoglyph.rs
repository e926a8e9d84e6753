//! `homoglyph`: characters that look like the outlet's.
//!
//! # What it detects
//! IDN homographs (`ѕрiеgеl.de` with Cyrillic letters, `spíegel.de`, written in DNS as
//! `xn--…`), folded with Unicode TR39 confusable skeletons; and ASCII look-alikes that
//! skeletons leave alone: `rn`→`m` (`rnirror`), `vv`→`w` (`vvelt`), `cl`→`d`, `0`→`o`,
//! `1`/`i`→`l` (`bi1d`).
//!
//! # Why it indicates coordination
//! Nobody types a Cyrillic `е` into a German newspaper's name by accident; a domain that
//! renders like the outlet's but is not exists to be mistaken for it.
//!
//! # Evidence emitted
//! Score 0.95 for IDN homographs, 0.85 for ASCII look-alikes; 0.1 less with a suffix swap
//! (`homoglyph_suffix_swap`).
//!
//! # Known false positives
//! ASCII folds can join real words (`stem` folds like `stern`); input labels that are
//! common or dictionary words are never reported as ASCII look-alikes, and labels shorter
//! than four letters only match IDN homographs. A label that starts with a digit where the
//! outlet's starts with a letter is a number brand (`1news` is not `inews`).
//!
//! # References
//! Unicode Technical Standard #39, "Unicode Security Mechanisms", §4 Confusable Detection;
//! dnstwist's `homoglyph` fuzzer.

use crate::index::{ASCII_HOMOGLYPH_MIN_LEN, Index, Strength};
use crate::rule::Rule;
use crate::rules::{Hit, Query, choose};
use crate::text::{ascii_fold, fold, hash_chars};

pub(crate) const IDN_SCORE: f32 = 0.95;
pub(crate) const ASCII_SCORE: f32 = 0.85;

pub(crate) fn find(index: &Index, query: &Query<'_>) -> Option<Hit> {
    let (key, folded) = if query.ascii {
        (hash_chars(ascii_fold(query.chars.iter().copied())), None)
    } else {
        let folded = fold(query.chars);
        (hash_chars(folded.iter().copied()), Some(folded))
    };
    let ids = index.fold.get(key);
    if ids.is_empty() {
        return None;
    }
    let folded = folded.unwrap_or_else(|| ascii_fold(query.chars.iter().copied()).collect());
    // A leading digit makes a number brand (`1news`, `9news`), not a look-alike of a letter.
    let leading_digit = query.chars[0].is_ascii_digit();
    let score = if query.ascii { ASCII_SCORE } else { IDN_SCORE };
    let (brand, rule, score) = choose(
        index,
        query,
        Rule::Homoglyph,
        ids.iter().filter_map(|&id| {
            let b = &index.brands[id as usize];
            let eligible = match b.strength {
                Strength::Generic => false,
                Strength::Short => !query.ascii,
                _ => !query.ascii || b.chars.len() >= ASCII_HOMOGLYPH_MIN_LEN,
            };
            let digit_for_letter = leading_digit && !b.chars[0].is_ascii_digit();
            (eligible && !digit_for_letter && *b.fold == *folded && *b.chars != *query.chars).then_some((id, score))
        }),
    )?;
    if query.ascii && index.is_word(query.label()) {
        return None;
    }
    let b = &index.brands[brand as usize];
    Some(Hit {
        brand,
        rule,
        score,
        evidence: format!("label {:?} looks like {:?} of {}", query.label_text(), b.label(), b.canonical),
    })
}

#[cfg(test)]
mod tests {
    use crate::testutil::check;

    #[test]
    fn idn_homographs() {
        // Cyrillic ѕ, р, е; Latin í; all rendered like the ASCII name.
        check("ѕрiеgеl.de", "spiegel.de homoglyph");
        check("xn--igl-rddb6d1h.de", "spiegel.de homoglyph");
        check("spíegel.de", "spiegel.de homoglyph");
        check("bbс.co.uk", "bbc.co.uk homoglyph");
        check("nytimеs.com", "nytimes.com homoglyph");
    }

    #[test]
    fn ascii_lookalikes() {
        check("rnirror.co.uk", "mirror.co.uk homoglyph");
        check("vvelt.de", "welt.de homoglyph");
        check("bi1d.de", "bild.de homoglyph");
        check("2ominutes.fr", "20minutes.fr homoglyph");
        check("lernonde.fr", "lemonde.fr homoglyph");
        check("washingtonpost.com", "");
    }

    #[test]
    fn with_a_suffix_swap() {
        check("ѕрiеgеl.ltd", "spiegel.de homoglyph_suffix_swap");
        check("rnirror.top", "mirror.co.uk homoglyph_suffix_swap");
    }

    #[test]
    fn leaves_alone() {
        // Dictionary words that fold like an outlet: `stem` folds like `stern`.
        check("stem.de", "");
        // A number brand, not a look-alike: `1news` vs `inews`.
        check("1news.co.nz", "");
        // Short labels: IDN homographs only, never ASCII folds.
        check("bbcl.co.uk", "");
        check("rt1.com", "");
    }
}
