//! Lookalike (cloned-news) domain detection against a reference list of outlets.
//!
//! The Doppelganger operation copied real newspapers onto domains such as `spiegel.ltd`,
//! `washingtonpost.pm`, `fox-news.top`, `theguardian.co.com` and `20minuts.com`, then pushed
//! the links through coordinated accounts. Given the millions of distinct domains seen in
//! shared URLs, this crate says quickly and precisely which imitate a reference outlet, and
//! why. It is offline only: no DNS, no HTTP.
//!
//! ```text
//!   domain ──▶ normalise ──▶ blocklist? ──▶ allowlisted / restricted? ──▶ rules, in order ──▶ Finding
//!              (case, dot,     (exact,       (outlets' own domains,       suffix_swap, institution
//!               port, IDNA,     own rule)     gov/edu/ac.uk …: None)      hyphenation
//!               PSL cut)                                                  homoglyph
//!                                                                         transliteration
//!                                                                         typo (+ suffix swap)
//!                                                                         combosquat
//! ```
//!
//! Every rule is a lookup in a hash index built once from the [`OutletList`] (a
//! symmetric-delete index for typos), never a comparison against all outlets, so a million
//! domains take well under a second on one core.
//!
//! ```
//! use swarmscan_domains::{Matcher, OutletList, Rule};
//!
//! let matcher = Matcher::new(&OutletList::builtin());
//! let f = matcher.check("fox-news.top").unwrap();
//! assert_eq!((f.imitates.as_str(), f.rule), ("foxnews.com", Rule::HyphenationSuffixSwap));
//! assert!(matcher.check("nypost.com").is_none()); // a real outlet, not a lookalike
//! ```
//!
//! Modules: [`outlets`] (the reference list and its format), [`Blocklist`] (known
//! indicators), [`Rule`] (stable rule names), [`Matcher`] and [`Finding`]. The rules live
//! one per file under `src/rules/`, each documenting what it detects and its known false
//! positives; `README.md` summarises the scoring and the precision decisions.

mod blocklist;
mod error;
mod index;
mod lexicon;
mod matcher;
mod normalize;
pub mod outlets;
mod rule;
mod rules;
#[cfg(test)]
mod testutil;
mod text;

mod host;
pub use blocklist::{BLOCKLIST_FORMAT_VERSION, Blocklist};
pub use error::{Diagnostic, Error, UnknownRule};
pub use host::url_host;
pub use matcher::{Finding, Matcher, MatcherOptions};
pub use outlets::{ListFormat, OUTLETS_FORMAT_VERSION, Outlet, OutletList};
pub use rule::Rule;
