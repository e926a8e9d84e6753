//! **co_repost** — accounts that repost the same post within the window
//! (the toolkit's `co_retweet`).
//!
//! # What it detects
//!
//! Pairs of accounts that reshared (retweeted, boosted, reposted, forwarded)
//! the same original post within `--window` seconds of each other. The key
//! is the reshared post's id.
//!
//! # Why it indicates coordination
//!
//! Amplification networks push content by resharing it within seconds or
//! minutes of a signal, often by automation; organic audiences reshare a
//! post over hours. Accounts that repeatedly reshare the *same* posts in
//! lockstep — many distinct shared posts, small time differences — are the
//! classic signature of a retweet ring or a botnet.
//!
//! # Evidence emitted
//!
//! Default mode: per edge, the number of distinct posts both reshared
//! within the window (`weight`), the number of reshare pairs, the closest
//! and median time difference, and up to `--evidence` posts, each with the
//! two accounts' reshares (ids and times) that were closest.
//! Compatibility mode: the toolkit's directed weights (no evidence).
//!
//! **Eligible actions.** Default: `repost` and `forward` events with a
//! target. Compatibility: `repost`, `forward` and `like` events (the
//! toolkit's `repost_id`), first record of each message id; the original
//! post itself never takes part.
//!
//! # Known false positives
//!
//! * Viral posts: thousands of unrelated accounts reshare them within any
//!   short window. One shared post is weak evidence; weight (distinct posts)
//!   is what matters — keep `--min-weight` ≥ 2, and consider
//!   `--max-key-actors` for pathological keys.
//! * Fans of one outlet or creator who are online at the same time.
//! * Reshare timestamps rounded to the minute (some exports) make every
//!   pair within the same minute look simultaneous.
//!
//! # References
//!
//! * Keller, Schoch, Stier, Yang (2020), "Political Astroturfing on
//!   Twitter: How to Coordinate a Disinformation Campaign", *Political
//!   Communication* 37(2).
//! * Graham, Bruns, Angus, Hurcombe, Hames (2021), coordination-network-toolkit
//!   (QUT Digital Observatory), `compute_co_retweet_parallel`.
//! * Pacheco et al. (2021), "Uncovering Coordinated Networks on Social
//!   Media", ICWSM.

use super::{Ctx, Extracted, KeySpace};

pub(crate) fn extract(cx: &Ctx<'_>) -> Extracted {
    let ev = cx.ev;
    let rows = cx.rows_where(|r| cx.is_reshare(r) && !ev.target[r].is_none());
    let ka = cx.keyed(&rows, |r| Some(ev.target[r].0));
    Extracted { ka, keys: KeySpace::Posts, multi: false, docs: None }
}
