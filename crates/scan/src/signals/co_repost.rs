//! `co_repost`: reposting the same post.
//!
//! **What it detects.** Accounts that repost the same posts within two minutes of each other, again and again.
//!
//! **Why it indicates coordination.** Rings of accounts run by one operator, or by a script, amplify the same posts at the same moment; organic reposting of a post is spread over hours.
//!
//! **Key and null.** The reposted post; its source is its author (in the data, or the handle in `RT @handle:`). The null is stratified by popularity and conditioned on the source: given how many of an author's posts each account reposted, which ones is independent. That is the fan null: fans of one celebrity repost the same posts because they follow the same account.
//!
//! **Known false positives.** Fans who repost their celebrity within seconds are explained by the source conditioning. A ring whose participation, timing and leaders match a fan club's is explained the same way: it is found only through other signals (co_amplify across several leaders, co_similar) or a cluster found by them (docs/scan.md, "What no test separates"). When the reposted post's author is not in the data and the text carries no `RT @handle`, the source is unknown and the key falls in the pool: a fan club of an absent celebrity then looks like a ring.
//!
//! **References.** Keller et al., *Political astroturfing on Twitter* (2020); Pacheco et al., *Uncovering coordinated networks on social media* (ICWSM 2021); CooRTweet (Righetti & Balluff).

use super::{Key, Signal, Source, Spec};
use crate::null::{Null, Strata};
use swarmscan_detect::Network;

pub(super) const SPEC: Spec = Spec {
    signal: Signal::CoRepost,
    co_action: "reposting the same post",
    network: Network::CoRepost,
    key: Key::Target,
    source: Source::Author,
    window_ms: 120_000,
    window_why: "automated and organised reposting lands within seconds to a couple of minutes (CooRTweet and the toolkit use 10–60 s); 2 min keeps slower human-run rings, the null model pays for the wider window",
    estimable: true,
    null: Null::Stratified,
    strata: Strata::Each,
};
