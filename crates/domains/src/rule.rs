//! The stable names of the lookalike techniques.
//!
//! A [`Rule`] is what a [`crate::Finding`] says about *how* a domain imitates an outlet. The
//! snake_case names are a contract: they appear in CSV output, test fixtures and analysts'
//! notes, so a variant is never renamed, only added. Techniques that also move the name to
//! another public suffix get their own `*_suffix_swap` variant, because two stacked tricks
//! are both stronger evidence of intent and a different thing to search for.

use std::fmt;
use std::str::FromStr;

use crate::error::UnknownRule;

/// How a domain imitates a reference outlet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Rule {
    /// Listed in a known-indicator blocklist; no lookalike reasoning involved.
    Blocklist,
    /// The outlet's exact label under another public suffix (`spiegel.ltd`, `theguardian.co.com`).
    SuffixSwap,
    /// Hyphens added, removed, or the label split by a dot (`fox-news.com`, `tonline.de`).
    Hyphenation,
    /// [`Rule::Hyphenation`] and a different public suffix (`fox-news.top`).
    HyphenationSuffixSwap,
    /// Visually confusable characters: IDN homographs and ASCII tricks like `rn`→`m`, `0`→`o`.
    Homoglyph,
    /// [`Rule::Homoglyph`] and a different public suffix.
    HomoglyphSuffixSwap,
    /// The label written in another script or spelling (`süddeutsche`, `правда`, `boersen`).
    Transliteration,
    /// [`Rule::Transliteration`] and a different public suffix.
    TransliterationSuffixSwap,
    /// A small edit distance from the outlet's label under the same suffix (`spiegl.de`).
    Typo,
    /// [`Rule::Typo`] and a different public suffix (`20minuts.com`).
    TypoSuffixSwap,
    /// The outlet's label with news words, country codes or numbers around it (`bild-news`).
    Combosquat,
}

impl Rule {
    /// Every rule, in a fixed order.
    pub const ALL: [Rule; 11] = [
        Rule::Blocklist,
        Rule::SuffixSwap,
        Rule::Hyphenation,
        Rule::HyphenationSuffixSwap,
        Rule::Homoglyph,
        Rule::HomoglyphSuffixSwap,
        Rule::Transliteration,
        Rule::TransliterationSuffixSwap,
        Rule::Typo,
        Rule::TypoSuffixSwap,
        Rule::Combosquat,
    ];

    /// The stable snake_case name, e.g. `typo_suffix_swap`.
    pub const fn name(self) -> &'static str {
        match self {
            Rule::Blocklist => "blocklist",
            Rule::SuffixSwap => "suffix_swap",
            Rule::Hyphenation => "hyphenation",
            Rule::HyphenationSuffixSwap => "hyphenation_suffix_swap",
            Rule::Homoglyph => "homoglyph",
            Rule::HomoglyphSuffixSwap => "homoglyph_suffix_swap",
            Rule::Transliteration => "transliteration",
            Rule::TransliterationSuffixSwap => "transliteration_suffix_swap",
            Rule::Typo => "typo",
            Rule::TypoSuffixSwap => "typo_suffix_swap",
            Rule::Combosquat => "combosquat",
        }
    }

    /// Whether the domain also sits under a different public suffix than the outlet.
    pub const fn is_suffix_swap(self) -> bool {
        matches!(
            self,
            Rule::SuffixSwap
                | Rule::HyphenationSuffixSwap
                | Rule::HomoglyphSuffixSwap
                | Rule::TransliterationSuffixSwap
                | Rule::TypoSuffixSwap
        )
    }

    /// The label technique without the suffix swap: `typo_suffix_swap` → `typo`.
    /// [`Rule::SuffixSwap`], [`Rule::Combosquat`] and [`Rule::Blocklist`] map to themselves.
    pub const fn technique(self) -> Rule {
        match self {
            Rule::HyphenationSuffixSwap => Rule::Hyphenation,
            Rule::HomoglyphSuffixSwap => Rule::Homoglyph,
            Rule::TransliterationSuffixSwap => Rule::Transliteration,
            Rule::TypoSuffixSwap => Rule::Typo,
            other => other,
        }
    }

    /// The variant of a label technique that also swaps the suffix, when `swapped`.
    pub(crate) const fn with_suffix_swap(self, swapped: bool) -> Rule {
        if !swapped {
            return self;
        }
        match self {
            Rule::Hyphenation => Rule::HyphenationSuffixSwap,
            Rule::Homoglyph => Rule::HomoglyphSuffixSwap,
            Rule::Transliteration => Rule::TransliterationSuffixSwap,
            Rule::Typo => Rule::TypoSuffixSwap,
            other => other,
        }
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.name())
    }
}

impl FromStr for Rule {
    type Err = UnknownRule;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Rule::ALL
            .into_iter()
            .find(|rule| rule.name() == s)
            .ok_or_else(|| UnknownRule { name: s.to_owned(), expected: Rule::ALL.map(Rule::name).join(", ") })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for rule in Rule::ALL {
            assert_eq!(rule.name().parse::<Rule>(), Ok(rule));
            assert_eq!(rule.to_string(), rule.name());
            assert_eq!(rule.technique().with_suffix_swap(rule.is_suffix_swap()), rule);
        }
        let err = "typo+suffix".parse::<Rule>().unwrap_err();
        assert!(err.to_string().contains("typo_suffix_swap"), "{err}");
    }
}
