//! The signals `scan` tests: one file per signal, one registry.
//!
//! A signal's file holds its [`Spec`] — the co-action network its actions
//! come from, how its keys and their sources are built, its default window
//! and why, whether the window can be estimated, and its null — and a doc
//! comment with fixed sections (what it detects, why it indicates
//! coordination, key and null, known false positives, references) that is
//! also the user documentation. The scan loop (`scan::build_levels`), the
//! CLI's lists, `--help` and the table in `docs/scan.md` (checked by a test)
//! all come from [`REGISTRY`].
//!
//! **To add a signal:** add a variant to [`Signal`] (its position is its
//! output order), a file here with its `SPEC`, and a line in [`REGISTRY`];
//! a [`Key`] rule that does not exist yet goes in `scan::build_levels`.

use crate::null::{Null, Strata};
use std::fmt;
use swarmscan_detect::Network;

mod co_amplify;
mod co_hashtag;
mod co_link;
mod co_reply;
mod co_repost;
mod co_similar;
mod co_target;
mod co_text;

/// How a signal's keys are made from its network's keys.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Key {
    /// The network's own keys (a reposted post, a URL, a text).
    Target,
    /// The source of the network's key (the author reposted): the accounts
    /// amplified, rather than the posts.
    Source,
    /// The source, cut into waves: its uses split wherever two consecutive
    /// ones are more than the window apart.
    SourceWaves,
    /// The network's keys cut into bursts the same way (a hashtag set in
    /// use for days is many keys, one per push).
    Bursts,
    /// Connected components of the near-duplicate matches within the window.
    SimilarBursts,
}

/// What a key's source is, for nulls conditioned on it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    /// One pool: the null is not conditioned on a source.
    Pool,
    /// The author of the post acted on (in the data, or `RT @handle`, or a
    /// reply's first mention).
    Author,
}

/// Everything the scan needs to know about a signal.
#[derive(Debug)]
pub struct Spec {
    pub signal: Signal,
    /// What counts as a co-action, one line (`--help`, docs).
    pub co_action: &'static str,
    /// The network the actions come from.
    pub network: Network,
    pub key: Key,
    pub source: Source,
    /// Default window, ms, and why.
    pub window_ms: i64,
    pub window_why: &'static str,
    /// Whether `--window SIGNAL=auto` can estimate the window
    /// ([`crate::window`]): keys with a start (a post, a URL, a text).
    pub estimable: bool,
    /// How the null's expectation is estimated ([`crate::null::Null`]).
    pub null: Null,
    /// Which keys a stratum's test counts ([`crate::null::Strata`]).
    pub strata: Strata,
}

/// Every signal's spec, in the order of [`Signal::ALL`].
pub const REGISTRY: [&Spec; 8] = [
    &co_repost::SPEC,
    &co_amplify::SPEC,
    &co_reply::SPEC,
    &co_target::SPEC,
    &co_link::SPEC,
    &co_hashtag::SPEC,
    &co_text::SPEC,
    &co_similar::SPEC,
];

/// The markdown table of the signals (`docs/scan.md`, checked by a test).
pub fn docs_table() -> String {
    let mut out = String::from(
        "| signal | co-action (within the signal's window) | key | null | window |\n|---|---|---|---|---|\n",
    );
    for s in REGISTRY {
        let key = match (s.key, s.source) {
            (Key::Target, Source::Author) => "the target, conditioned on its author",
            (Key::Target, Source::Pool) => "the target",
            (Key::Source, _) => "the author acted on",
            (Key::SourceWaves, _) => "a wave of actions on one author",
            (Key::Bursts, _) => "one burst of the target (uses chained by gaps ≤ the window)",
            (Key::SimilarBursts, _) => "one burst of near-duplicates (connected component)",
        };
        let null = match (s.null, s.strata) {
            (Null::Stratified, _) => "stratified",
            (Null::Pooled, Strata::UpTo) => "pooled, strata up to",
            (Null::Pooled, _) => "pooled",
        };
        out.push_str(&format!("| {} | {} | {key} | {null} | {} s |\n", s.signal, s.co_action, s.window_ms / 1000));
    }
    out
}

/// One kind of co-action evidence.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Signal {
    /// Reposting the same post within the window.
    CoRepost,
    /// Reposting posts of the same accounts within the window (the accounts
    /// amplified, rather than the posts).
    CoAmplify,
    /// Replying to the same post within the window.
    CoReply,
    /// Replying to the same accounts within the window.
    CoTarget,
    /// Sharing the same (canonical) URL within the window.
    CoLink,
    /// Using the same hashtag set within the window, in one burst of the set
    /// (its uses chained by gaps of at most the window).
    CoHashtag,
    /// Posting the same normalised text within the window.
    CoText,
    /// Posting near-duplicate texts (one burst of similar texts) within the
    /// window.
    CoSimilar,
}

impl Signal {
    /// Every signal, in output order.
    pub const ALL: [Signal; 8] = [
        Signal::CoRepost,
        Signal::CoAmplify,
        Signal::CoReply,
        Signal::CoTarget,
        Signal::CoLink,
        Signal::CoHashtag,
        Signal::CoText,
        Signal::CoSimilar,
    ];

    /// Position in [`Signal::ALL`] (the declaration order).
    pub fn index(self) -> usize {
        self as usize
    }

    /// The name used in outputs and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Signal::CoRepost => "co_repost",
            Signal::CoAmplify => "co_amplify",
            Signal::CoReply => "co_reply",
            Signal::CoTarget => "co_target",
            Signal::CoLink => "co_link",
            Signal::CoHashtag => "co_hashtag",
            Signal::CoText => "co_text",
            Signal::CoSimilar => "co_similar",
        }
    }

    /// Parses [`Signal::as_str`].
    pub fn parse(s: &str) -> Option<Signal> {
        Signal::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// The signal's entry in the registry.
    pub fn spec(self) -> &'static Spec {
        REGISTRY[self.index()]
    }

    /// The default window, in milliseconds, and why.
    pub fn default_window(self) -> (i64, &'static str) {
        (self.spec().window_ms, self.spec().window_why)
    }
}

impl fmt::Display for Signal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_and_names_round_trip() {
        for (i, s) in Signal::ALL.into_iter().enumerate() {
            assert_eq!(s.index(), i);
            assert_eq!(Signal::parse(s.as_str()), Some(s));
            assert_eq!(s.spec().signal, s, "REGISTRY is in the order of Signal::ALL");
        }
    }

    /// A pooled null needs keys without sources, and only pooled nulls
    /// count strata cumulatively.
    #[test]
    fn specs_are_consistent() {
        for s in REGISTRY {
            if s.null == Null::Pooled {
                assert_eq!(s.source, Source::Pool, "{}", s.signal);
            } else {
                assert_eq!(s.strata, Strata::Each, "{}", s.signal);
            }
            assert!(!s.estimable || s.key == Key::Target, "{}: only keys with a start can be estimated", s.signal);
        }
    }

    /// The signal table in docs/scan.md is the registry's
    /// (`UPDATE_EXPECT=1 cargo test -p swarmscan-scan` rewrites it).
    #[test]
    fn docs_table_is_current() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/scan.md");
        let doc = std::fs::read_to_string(path).unwrap();
        let (begin, end) = ("<!-- signals:begin -->\n", "<!-- signals:end -->");
        let (a, b) = (doc.find(begin).expect("begin marker") + begin.len(), doc.find(end).expect("end marker"));
        let want = docs_table();
        if doc[a..b] != want {
            if std::env::var_os("UPDATE_EXPECT").is_some() {
                std::fs::write(path, format!("{}{want}{}", &doc[..a], &doc[b..])).unwrap();
            } else {
                panic!("docs/scan.md's signal table is stale; run UPDATE_EXPECT=1 cargo test -p swarmscan-scan");
            }
        }
    }
}
