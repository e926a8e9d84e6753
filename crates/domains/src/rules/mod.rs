//! The lookalike rules, one file each, tried in a fixed order.
//!
//! Each rule file opens with the same sections (what it detects, why it indicates
//! coordination, evidence emitted, known false positives, references), which
//! `crates/domains/README.md` summarises for users. The matcher tries the rules in
//! [`ORDER`] and the first that matches wins: the earlier a rule, the more specific and
//! certain its evidence (an exact label beats a homoglyph, which beats an edit distance).
//! Within a rule the highest score wins, ties going to the outlet whose canonical domain
//! sorts first, so output never depends on hash-map order.

pub(crate) mod combosquat;
pub(crate) mod homoglyph;
pub(crate) mod hyphenation;
pub(crate) mod institution;
pub(crate) mod suffix_swap;
pub(crate) mod transliteration;
pub(crate) mod typo;

use crate::index::Index;
use crate::normalize::{self, Host};
use crate::rule::Rule;
use crate::text::{Label, Prefix};

/// One rule's answer: which outlet, how, how sure, and why in words.
#[derive(Debug, Clone)]
pub(crate) struct Hit {
    pub(crate) brand: u32,
    pub(crate) rule: Rule,
    pub(crate) score: f32,
    pub(crate) evidence: String,
}

/// A rule: look the query up in the index.
pub(crate) type RuleFn = fn(&Index, &Query<'_>) -> Option<Hit>;

/// The rules in the order they are tried: the first tier with a hit decides, and within a
/// tier the highest score wins (a combosquat's affixes are surer evidence than a distance-2
/// typo that happens to cover them; a distance-1 typo beats a loose combosquat).
pub(crate) const ORDER: &[&[RuleFn]] = &[
    &[suffix_swap::find, institution::find],
    &[hyphenation::find],
    &[homoglyph::find],
    &[transliteration::find],
    &[typo::find, combosquat::find],
];

/// Runs the rules in [`ORDER`] on `query`.
pub(crate) fn run(index: &Index, query: &Query<'_>) -> Option<Hit> {
    for tier in ORDER {
        let mut best: Option<Hit> = None;
        for rule in *tier {
            if let Some(hit) = rule(index, query)
                && best.as_ref().is_none_or(|b| hit.score > b.score)
            {
                best = Some(hit);
            }
        }
        if best.is_some() {
            return best;
        }
    }
    None
}

/// A domain being checked, with its label prepared once for every rule. Holds references
/// only: the label buffer and its hashes live on the caller's stack, built in place.
pub(crate) struct Query<'q> {
    pub(crate) host: &'q Host<'q>,
    /// The registrable label as Unicode characters (punycode decoded), lowercase.
    pub(crate) chars: &'q [char],
    /// Whether `chars` is plain ASCII (no IDN).
    pub(crate) ascii: bool,
    pub(crate) prefix: &'q Prefix,
}

impl<'q> Query<'q> {
    /// Fills `label` and `prefix` from `host`'s registrable label; `None` when it is too long.
    pub(crate) fn new(host: &'q Host<'q>, label: &'q mut Label, prefix: &'q mut Prefix) -> Option<Query<'q>> {
        let text = host.label();
        let filled =
            if text.starts_with("xn--") { label.fill(normalize::label_chars(text)) } else { label.fill(text.chars()) };
        if !filled || label.is_empty() {
            return None;
        }
        prefix.fill(label);
        Some(Query { host, chars: label, ascii: label.iter().all(char::is_ascii), prefix })
    }

    /// The registrable label as written (ASCII, punycode for IDN).
    pub(crate) fn label(&self) -> &str {
        self.host.label()
    }

    pub(crate) fn suffix(&self) -> &str {
        self.host.suffix()
    }

    pub(crate) fn label_text(&self) -> String {
        self.chars.iter().collect()
    }
}

/// Score cost of stacking a suffix swap on a label technique.
pub(crate) const SUFFIX_SWAP_PENALTY: f32 = 0.1;

/// Picks one outlet among a rule's candidates `(brand, base score)` and names the rule
/// variant. A label technique under another suffix becomes its `*_suffix_swap` variant and
/// loses [`SUFFIX_SWAP_PENALTY`]; then the highest score wins, then an outlet under the
/// query's own suffix, then one under the same top-level domain (`pravda.ua` imitates
/// `pravda.com.ua` rather than `pravda.ru`), then the lowest id (canonical-domain order).
pub(crate) fn choose(
    index: &Index,
    query: &Query<'_>,
    rule: Rule,
    candidates: impl IntoIterator<Item = (u32, f32)>,
) -> Option<(u32, Rule, f32)> {
    let query_tld = || query.suffix().rsplit('.').next().unwrap_or("");
    let mut best: Option<((f32, bool, bool), u32, Rule)> = None;
    for (id, base) in candidates {
        let suffix = &*index.brands[id as usize].suffix;
        let swapped = suffix != query.suffix();
        let variant = rule.with_suffix_swap(swapped);
        let score = if variant == rule { base } else { base - SUFFIX_SWAP_PENALTY };
        let same_tld = suffix.rsplit('.').next() == Some(query_tld());
        let key = (score, !swapped, same_tld);
        let better = match &best {
            None => true,
            Some((k, best_id, _)) => {
                key.0 > k.0
                    || (key.0 == k.0 && (key.1, key.2) > (k.1, k.2))
                    || (key.0 == k.0 && (key.1, key.2) == (k.1, k.2) && id < *best_id)
            }
        };
        if better {
            best = Some((key, id, variant));
        }
    }
    best.map(|((score, _, _), id, variant)| (id, variant, score))
}
