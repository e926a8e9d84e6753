//! `suffix_swap`: the outlet's exact label under another public suffix.
//!
//! # What it detects
//! `spiegel.ltd`, `faz.ltd`, `welt.ltd`, `bild.work`, `washingtonpost.pm`, `forward.pw`,
//! and names under the Public Suffix List's PRIVATE section: `theguardian.co.com` is a
//! registrable domain under the reseller suffix `co.com`, not a subdomain of `co.com`.
//!
//! # Why it indicates coordination
//! This was Doppelganger's main trick: copy the outlet's pages to the same name under a
//! cheap new gTLD, then push links through networks of fresh accounts. Readers see the
//! familiar name and rarely the suffix.
//!
//! # Evidence emitted
//! Score 0.95 for distinctive labels. Short labels (three characters or fewer) and common
//! words score 0.70 and only match under suffixes an unrelated business would not pick:
//! new gTLDs (`ltd`, `top`), abused country codes (`pw`, `pm`, `co`) and reseller suffixes
//! (`co.com`), never `com`/`net`/`org`, ordinary country codes or hosting platforms.
//!
//! # Known false positives
//! Defensive registrations by the outlet itself that the reference list does not name as
//! siblings (add them), and same-name outlets abroad that the list lacks (add them as
//! outlets). Restricted suffixes (`gov`, `ac.uk`, …) are never reported.
//!
//! # References
//! EU DisinfoLab, "Doppelganger" (2022); VIGINUM, "RRN" (2023); PSL private section.

use crate::index::{Index, Strength};
use crate::lexicon::{is_commodity_suffix, is_shortlink_suffix};
use crate::normalize::SuffixKind;
use crate::rule::Rule;
use crate::rules::{Hit, Query, choose};

/// Score for a distinctive label.
pub(crate) const SCORE: f32 = 0.95;
/// Score for a short or common-word label under a non-commodity suffix.
pub(crate) const GUARDED_SCORE: f32 = 0.70;

pub(crate) fn find(index: &Index, query: &Query<'_>) -> Option<Hit> {
    let ids = index.exact.get(query.prefix.whole());
    if ids.is_empty() {
        return None;
    }
    let private = query.host.suffix_kind() == SuffixKind::Private;
    let commodity = is_commodity_suffix(query.suffix(), private);
    let shortlink = is_shortlink_suffix(query.suffix());
    let (brand, rule, score) = choose(
        index,
        query,
        Rule::SuffixSwap,
        ids.iter().filter_map(|&id| {
            let brand = &index.brands[id as usize];
            if *brand.chars != *query.chars {
                return None;
            }
            match brand.strength {
                Strength::Distinctive => Some((id, SCORE)),
                Strength::Short if !commodity && !shortlink => Some((id, GUARDED_SCORE)),
                Strength::Common if !commodity => Some((id, GUARDED_SCORE)),
                _ => None,
            }
        }),
    )?;
    let b = &index.brands[brand as usize];
    Some(Hit {
        brand,
        rule,
        score,
        evidence: format!(
            "label {:?} of {} under {:?} instead of {:?}",
            query.label_text(),
            b.canonical,
            query.suffix(),
            &*b.suffix
        ),
    })
}

#[cfg(test)]
mod tests {
    use crate::testutil::{check, check_in};

    #[test]
    fn doppelganger_suffix_swaps() {
        check("spiegel.ltd", "spiegel.de suffix_swap");
        check("spiegel.agency", "spiegel.de suffix_swap");
        check("washingtonpost.pm", "washingtonpost.com suffix_swap");
        check("leparisien.ltd", "leparisien.fr suffix_swap");
        check("welt.ltd", "welt.de suffix_swap");
        check("bild.work", "bild.de suffix_swap");
        check("faz.ltd", "faz.net suffix_swap");
        check("forward.pw", "forward.com suffix_swap");
    }

    #[test]
    fn private_section_suffixes() {
        check("theguardian.co.com", "theguardian.com suffix_swap");
        check("spiegel.eu.com", "spiegel.de suffix_swap");
        check("lemonde.github.io", "lemonde.fr suffix_swap");
    }

    #[test]
    fn full_hosts_are_normalised() {
        check("www.spiegel.ltd", "spiegel.de suffix_swap");
        check("news.bild.work", "bild.de suffix_swap");
        check("WWW.SPIEGEL.LTD.", "spiegel.de suffix_swap");
        check("https://www.spiegel.ltd:443/politik", "spiegel.de suffix_swap");
    }

    #[test]
    fn same_label_outlets_prefer_the_same_tld() {
        check("pravda.ua", "pravda.com.ua suffix_swap");
        check("delfi.com", "delfi.ee suffix_swap");
    }

    #[test]
    fn guarded_labels_only_under_unusual_suffixes() {
        // Short labels and common words: not under com/net/org or ordinary country codes.
        check("faz.com", "");
        check("bbc.de", "");
        check("express.com", "");
        check("express.de", "");
        check("mirror.de", "");
        check("elpais.com.uy", "");
        check("express.ltd", "express.co.uk suffix_swap");
        check("bbc.top", "bbc.co.uk suffix_swap");
        // `.me` is rare for words but hosts platforms' short links (`wa.me`, `fb.me`).
        check("marianne.me", "marianne.net suffix_swap");
        check("wa.me", "");
        // Siblings are an allowlist, not brands: only the canonical label is imitated.
        check("sz.co.com", "");
    }

    #[test]
    fn own_domains_and_restricted_suffixes() {
        check("spiegel.de", "");
        check("dailymail.com", "");
        check("delfi.lv", "");
        check("www.nytimes.com", "");
        check("spiegel.gov", "");
        check("lemonde.gouv.fr", "");
        check("reuters.ac.uk", "");
    }

    #[test]
    fn a_user_list_without_siblings_keeps_the_builtin_ownership() {
        // A plain user list names the outlets only; their editions and second domains,
        // which the builtin list knows, are still never reported.
        let list = crate::OutletList::parse("theguardian.com\nunian.ua\npravda.com.ua\nspiegel.de\n", "u").unwrap();
        let matcher = crate::Matcher::new(&list);
        for own in ["theguardian.co.uk", "guardian.co.uk", "unian.net", "unian.info", "epravda.com.ua", "spiegel.tv"] {
            check_in(&matcher, own, "");
        }
        check_in(&matcher, "theguardian.ltd", "theguardian.com suffix_swap");
        check_in(&matcher, "unian.top", "unian.ua suffix_swap");
    }

    #[test]
    fn generic_labels_never_match_alone() {
        check("news.de", "");
        check("time.ltd", "");
        check("index.top", "");
    }
}
