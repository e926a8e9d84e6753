//! **co_similar** — accounts that post near-duplicate texts within the
//! window (the toolkit's `co_similar_tweet`).
//!
//! # What it detects
//!
//! Pairs of accounts whose own posts have word-token sets with Jaccard
//! similarity `≥ --similarity` (default 0.8) within `--window` seconds of
//! each other. Tokens are the toolkit's: lowercase, mentions removed, word
//! segments, punctuation as one-character tokens — with standard UAX #29
//! boundaries in the default mode ([`crate::text::word_tokens`]) and the
//! Python `regex` module's in compatibility mode
//! ([`crate::text::cnt_tokens`]). Sets smaller than `--min-doc-tokens` (default 1)
//! have similarity 0. There is no key; the join is exact
//! ([`crate::similar`]): the same pairs as scoring every pair in the window.
//!
//! # Why it indicates coordination
//!
//! Operations vary scripted messages slightly — a word swapped, an emoji
//! or a hashtag added, a different greeting — to evade exact-duplicate
//! detection. Near-duplicates posted by several accounts within a short
//! window catch those templates where co_text sees only distinct texts.
//!
//! # Evidence emitted
//!
//! Default mode: per edge, the number of matching post pairs (`weight` and
//! `pairs` are equal), the closest and median time difference, and the
//! `--evidence` closest pairs with their post ids, times and similarity.
//! Compatibility mode: the toolkit's directed weights.
//!
//! **Eligible actions.** Default: `post`, `reply` and `quote` events with at
//! least `max(1, --min-doc-tokens)` tokens. Compatibility: every non-repost
//! message (first record of each id).
//!
//! # Known false positives
//!
//! * Short texts: two-word posts reach 0.8 easily ("good morning!" vs
//!   "good morning"). Raise `--min-doc-tokens`.
//! * Templates of legitimate services (weather bots, job boards, sports
//!   scores) and quote chains.
//! * Retweets written as text ("RT @user: …") by old clients.
//!
//! # References
//!
//! * Graham et al. (2021), coordination-network-toolkit,
//!   `compute_co_similar_tweet`, `tokenize`, `MinDocSizeSimilarity`.
//! * Bayardo, Ma, Srikant (2007), "Scaling up all pairs similarity search",
//!   WWW (AllPairs, prefix filtering).
//! * Xiao, Wang, Lin, Yu, Wang (2011), "Efficient similarity joins for
//!   near-duplicate detection", *ACM TODS* 36(3) (PPJoin, length and prefix
//!   filters).

use super::{Ctx, Extracted, KeySpace, text_index};
use crate::similar::TokenSets;
use swarmscan_model::Sym;

pub(crate) fn extract(cx: &Ctx<'_>) -> Extracted {
    let ev = cx.ev;
    let rows = cx.rows_where(|r| cx.own_content(r));
    let n_texts = ev.texts.len();
    let mut doc_of_text = vec![u32::MAX; n_texts + 1];
    let mut texts: Vec<&str> = Vec::new();
    for &r in &rows {
        let i = text_index(ev, ev.text[r]);
        if doc_of_text[i] == u32::MAX {
            doc_of_text[i] = texts.len() as u32;
            texts.push(if i == n_texts { "" } else { ev.texts.resolve(Sym(i as u32)) });
        }
    }
    let sets = TokenSets::tokenize(&texts, cx.compat());
    // 16 bytes a distinct text, not needed beside the actions below.
    drop(texts);
    let min_size = if cx.compat() { 0 } else { cx.params.min_doc_tokens.max(1) };
    let big_enough = |r: usize| sets.get(doc_of_text[text_index(ev, ev.text[r])] as usize).len() >= min_size;
    let ka = cx.keyed(&rows, |r| big_enough(r).then_some(0));
    Extracted { ka, keys: KeySpace::None, multi: false, docs: Some((sets, doc_of_text)) }
}
