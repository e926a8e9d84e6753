//! **co_reply** — accounts that reply to the same post within the window.
//!
//! # What it detects
//!
//! Pairs of accounts that replied to the same post within `--window`
//! seconds of each other. The key is the id of the post replied to.
//!
//! # Why it indicates coordination
//!
//! Reply brigading — swarming a journalist's, politician's or critic's post
//! with replies, often with the same talking points — is a common tactic of
//! harassment and astroturfing campaigns. Accounts that keep turning up
//! together under the same posts, quickly, are likely directed.
//!
//! # Evidence emitted
//!
//! Default mode: per edge, the number of distinct posts both replied to
//! within the window (`weight`), the number of reply pairs, the closest and
//! median time difference, and up to `--evidence` posts with the two
//! closest replies (ids and times). Compatibility mode: the toolkit's
//! directed weights.
//!
//! **Eligible actions.** `reply` events with a target (in compatibility
//! mode: first record of each message id; a row that is both a repost and a
//! reply is a repost, as in the toolkit).
//!
//! # Known false positives
//!
//! * Replies under very popular posts (a head of state's announcement) and
//!   live events, where many unrelated accounts reply within seconds.
//! * Conversations: the participants of one thread reply to the same posts
//!   naturally; a high weight between two accounts that talk to each other
//!   is not coordination.
//!
//! # References
//!
//! * Graham et al. (2021), coordination-network-toolkit,
//!   `compute_co_reply_network`.
//! * Weber, Neumann (2021), "Amplifying influence through coordinated
//!   behaviour in social networks", *Social Network Analysis and Mining* 11.

use super::{Ctx, Extracted, KeySpace};
use swarmscan_model::Kind;

pub(crate) fn extract(cx: &Ctx<'_>) -> Extracted {
    let ev = cx.ev;
    let rows = cx.rows_where(|r| ev.kind(r) == Kind::Reply && !ev.target[r].is_none());
    let ka = cx.keyed(&rows, |r| Some(ev.target[r].0));
    Extracted { ka, keys: KeySpace::Posts, multi: false, docs: None }
}
