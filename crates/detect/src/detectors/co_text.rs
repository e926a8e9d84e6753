//! **co_text** — accounts that post the same text within the window (the
//! toolkit's `co_tweet`).
//!
//! # What it detects
//!
//! Pairs of accounts whose own posts have the same text after the toolkit's
//! normalisation ([`crate::text::cnt_normalise`]: lowercase, mentions
//! removed, whitespace collapsed) within `--window` seconds of each other.
//! The key is the normalised text.
//!
//! # Why it indicates coordination
//!
//! Copypasta: operations hand their accounts scripted messages, and the
//! accounts post them verbatim — sometimes with a different @-mention
//! prepended to reach different targets. Identical text from many accounts
//! in a short time rarely happens by chance outside of quoting and
//! templates.
//!
//! # Evidence emitted
//!
//! Default mode: per edge, the number of distinct texts both posted within
//! the window (`weight`), the number of post pairs, the closest and median
//! time difference, and up to `--evidence` texts (normalised) with the two
//! closest posts (ids and times). Compatibility mode: the toolkit's directed
//! weights.
//!
//! **Eligible actions.** Default: `post`, `reply` and `quote` events whose
//! normalised text is not empty. Compatibility: every non-repost message
//! (first record of each id), including those that normalise to `""` — so
//! mention-only replies all match each other, as in the toolkit (its
//! defect 5).
//!
//! # Known false positives
//!
//! * Short stock phrases ("thank you", "congratulations", "😂") are posted
//!   independently by many people; require several distinct texts
//!   (`--min-weight`) or use co_similar with a minimum token count.
//! * Share buttons and apps that pre-fill the text of a post (petitions,
//!   news sites' "tweet this").
//! * Hashtag games and chants during live events.
//!
//! # References
//!
//! * Graham et al. (2021), coordination-network-toolkit,
//!   `compute_co_tweet_network` and `message_preprocessor`.
//! * Schoch, Keller, Stier, Yang (2022), "Coordination patterns reveal
//!   online political astroturfing across the world", *Scientific Reports* 12.

use super::{Ctx, Extracted, KeySpace, key_texts, text_index};
use crate::keyed::KeyedActions;
use crate::text::cnt_normalise;

pub(crate) fn extract(cx: &Ctx<'_>) -> Extracted {
    let ev = cx.ev;
    let compat = cx.compat();
    let rows = cx.rows_where(|r| cx.own_content(r));
    let (local, map) = key_texts(ev, &rows, |text, scratch, out| {
        cnt_normalise(text, scratch, out);
        compat || !out.is_empty()
    });
    let mut ka = KeyedActions::with_capacity(rows.len());
    for r in rows {
        let k = map[text_index(ev, ev.text[r])];
        if k != u32::MAX {
            cx.push(&mut ka, k, r);
        }
    }
    Extracted { ka, keys: KeySpace::Local(local), multi: false, docs: None }
}
