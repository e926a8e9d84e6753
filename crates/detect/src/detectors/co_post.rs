//! **co_post** — accounts that act within the window of each other, on
//! anything (the toolkit's `co_post`).
//!
//! # What it detects
//!
//! Pairs of accounts with actions (of any kind) within `--window` seconds
//! of each other, regardless of content. There is no key.
//!
//! # Why it indicates coordination
//!
//! On its own it mostly does not: it is a **null model**. Its weight is the
//! largest weight any other network could give the same pair, so comparing
//! a co_repost or co_link edge against the pair's co_post activity tells
//! whether the accounts share content more than their mere co-activity
//! explains. Accounts driven by one scheduler do also stand out here with
//! very many pairs at very small time differences.
//!
//! # Evidence emitted
//!
//! Default mode: per edge, the number of action pairs within the window
//! (`weight` and `pairs` are equal, since there are no keys), the closest
//! and median time difference over all pairs, and the `--evidence` closest
//! pairs (ids and times). Compatibility mode: the toolkit's directed
//! weights.
//!
//! **Eligible actions.** Every action (compatibility mode: the first record
//! of each message id, reposts included).
//!
//! # Known false positives
//!
//! * Everyone active at peak hours; this is the point of a null model.
//!   Never read a co_post edge as coordination without a content network.
//!
//! # References
//!
//! * Graham et al. (2021), coordination-network-toolkit,
//!   `compute_co_post_network` (documented there as a null model).

use super::{Ctx, Extracted, KeySpace};
use crate::keyed::KeyedActions;

pub(crate) fn extract(cx: &Ctx<'_>) -> Extracted {
    let rows = cx.rows_where(|_| true);
    let mut ka = KeyedActions::with_capacity(rows.len());
    for r in rows {
        cx.push(&mut ka, 0, r);
    }
    Extracted { ka, keys: KeySpace::None, multi: false, docs: None }
}
