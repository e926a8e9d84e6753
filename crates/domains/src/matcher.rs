//! The entry point: build once from a reference list, then check domains.
//!
//! A [`Matcher`] owns the [`crate::index::Index`] built from an [`OutletList`] and an
//! optional [`Blocklist`]. [`Matcher::check`] runs one domain through normalisation, the
//! blocklist, the allowlist (every outlet's canonical and sibling domains), the restricted
//! suffixes, and then the rules in order; [`Matcher::check_many`] does the same for a batch
//! on all cores and returns the findings sorted, so output is reproducible.

use rayon::prelude::*;

use crate::blocklist::Blocklist;
use crate::index::{Index, KeyMap};
use crate::lexicon::is_restricted_suffix;
use crate::normalize;
use crate::outlets::OutletList;
use crate::rule::Rule;
use crate::rules::{self, Query};
use crate::text::{Label, Prefix};

/// Why a domain was reported.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Finding {
    /// The checked host, normalised: lowercase ASCII (punycode for IDN), no trailing dot.
    pub domain: String,
    /// Its registrable domain under the Public Suffix List (ICANN and PRIVATE sections).
    pub registrable_domain: String,
    /// The canonical domain of the imitated outlet (for the blocklist: its second column,
    /// empty when it has none).
    pub imitates: String,
    /// How it imitates the outlet.
    pub rule: Rule,
    /// Confidence in `0.0..=1.0`; higher is surer. See the README for the scale.
    pub score: f32,
    /// One line of human-readable evidence.
    pub evidence: String,
}

/// Knobs that change what the matcher reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct MatcherOptions {
    /// Never report dictionary words as fuzzy variants (`data/dictionary_neighbours.txt`).
    /// On by default; off only to regenerate that list or to measure what it costs.
    pub dictionary_guard: bool,
}

impl Default for MatcherOptions {
    fn default() -> Self {
        MatcherOptions { dictionary_guard: true }
    }
}

/// Checks domains against a reference list of outlets.
pub struct Matcher {
    index: Index,
    blocklist: Option<Blocklist>,
}

impl std::fmt::Debug for Matcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Matcher")
            .field("outlets", &self.index.brands.len())
            .field("typo_keys", &self.index.deletes.iter().map(KeyMap::key_count).sum::<usize>())
            .field("blocklist", &self.blocklist.as_ref().map(Blocklist::len))
            .finish()
    }
}

impl Matcher {
    /// Builds a matcher for `outlets` with default options.
    pub fn new(outlets: &OutletList) -> Matcher {
        Matcher::with_options(outlets, MatcherOptions::default())
    }

    /// Builds a matcher for `outlets` with `options`.
    pub fn with_options(outlets: &OutletList, options: MatcherOptions) -> Matcher {
        Matcher { index: Index::new(outlets, options.dictionary_guard), blocklist: None }
    }

    /// Adds a known-indicator list, checked before (and apart from) the lookalike rules.
    pub fn with_blocklist(mut self, blocklist: Blocklist) -> Matcher {
        self.blocklist = Some(blocklist);
        self
    }

    /// Number of outlets indexed.
    pub fn outlet_count(&self) -> usize {
        self.index.brands.len()
    }

    /// Says whether `domain` imitates a reference outlet, and how.
    ///
    /// `domain` may be a full host (`www.spiegel.ltd`), in any case, with a trailing dot,
    /// a port or even a scheme; IP addresses, `localhost`, unknown suffixes and malformed
    /// input give `None`, as do the outlets' own domains.
    ///
    /// ```
    /// use swarmscan_domains::{Matcher, OutletList, Rule};
    ///
    /// let matcher = Matcher::new(&OutletList::builtin());
    /// let finding = matcher.check("WWW.Spiegel.LTD.").unwrap();
    /// assert_eq!(finding.registrable_domain, "spiegel.ltd");
    /// assert_eq!(finding.imitates, "spiegel.de");
    /// assert_eq!(finding.rule, Rule::SuffixSwap);
    /// assert!(matcher.check("spiegel.de").is_none());
    /// ```
    pub fn check(&self, domain: &str) -> Option<Finding> {
        let host = normalize::host(domain)?;
        if let Some(blocklist) = &self.blocklist
            && let Some((listed, entry)) = blocklist.lookup(&host)
        {
            let evidence = if entry.note.is_empty() {
                format!("listed as {listed}")
            } else {
                format!("listed as {listed}: {}", entry.note)
            };
            return Some(Finding {
                domain: host.host().to_owned(),
                registrable_domain: host.registrable().to_owned(),
                imitates: entry.imitates.clone(),
                rule: Rule::Blocklist,
                score: 1.0,
                evidence,
            });
        }
        if self.index.allow.contains_key(host.registrable())
            || is_restricted_suffix(host.suffix())
            || self.index.allow_suffix.contains(host.suffix())
        {
            return None;
        }
        let (mut label, mut prefix) = (Label::EMPTY, Prefix::EMPTY);
        let query = Query::new(&host, &mut label, &mut prefix)?;
        let hit = rules::run(&self.index, &query)?;
        Some(Finding {
            domain: host.host().to_owned(),
            registrable_domain: host.registrable().to_owned(),
            imitates: self.index.brands[hit.brand as usize].canonical.to_string(),
            rule: hit.rule,
            score: hit.score,
            evidence: hit.evidence,
        })
    }

    /// Checks many domains on all cores. Findings come back sorted by domain, then
    /// imitated outlet and rule, with exact duplicates removed, whatever the thread count.
    pub fn check_many<S: AsRef<str> + Sync>(&self, domains: &[S]) -> Vec<Finding> {
        let mut findings: Vec<Finding> = domains.par_iter().filter_map(|d| self.check(d.as_ref())).collect();
        findings.sort_by(|a, b| (&a.domain, &a.imitates, a.rule).cmp(&(&b.domain, &b.imitates, b.rule)));
        findings.dedup();
        findings
    }
}
