//! `co_similar`: posting near-duplicates (Jaccard ≥ 0.6 of word sets).
//!
//! **What it detects.** Accounts that post variants of the same text — copypasta with words swapped, emoji added, sentences merged — within fifteen minutes.
//!
//! **Why it indicates coordination.** Operations vary their scripts to evade exact-match detection; the variants remain near-duplicates.
//!
//! **Key and null.** One burst of near-duplicates (a connected component of the matches within the window). Pooled null whose `d_a` and `M` count every text, also those that matched nothing (they were opportunities). Strata are kept apart (not cumulative): counted together, the near-duplicate chatter of one language's speakers (a shared small vocabulary is shared context the null does not model) flagged 5–7 organic accounts per 10,000.
//!
//! **Known false positives.** Speakers of one language or followers of one topic write alike; stock phrases chain into large bursts (popular keys).
//!
//! **References.** Pacheco et al. (ICWSM 2021); Graham et al. (co-similar-tweet).

use super::{Key, Signal, Source, Spec};
use crate::null::{Null, Strata};
use swarmscan_detect::Network;

pub(super) const SPEC: Spec = Spec {
    signal: Signal::CoSimilar,
    co_action: "posting near-duplicates (Jaccard ≥ 0.6 of word sets)",
    network: Network::CoSimilar,
    key: Key::SimilarBursts,
    source: Source::Pool,
    window_ms: 900_000,
    window_why: "copypasta is posted within minutes of the script's release; 15 min",
    estimable: false,
    null: Null::Pooled,
    strata: Strata::Each,
};
