//! `co_amplify`: reposting posts of the same account.
//!
//! **What it detects.** Accounts that amplify the same set of accounts at the same time: a ring reposting several leaders, or each other.
//!
//! **Why it indicates coordination.** An operation amplifies its own leaders and members; organic accounts share popular sources, which the null discounts.
//!
//! **Key and null.** The account reposted (one pool, no bursts). Pooled null (Chung–Lu): account `a` reposts account `k` with probability `d_a · m_k / M`, strata up to each popularity.
//!
//! **Known false positives.** Fans of one celebrity share one key (it): a single shared key is never tested. Accounts that both follow several small accounts of one community and repost them quickly are the hardest case. Cutting the key into bursts was tried and flagged 603 of 2,000 fans at scale 1: fans of a small account repost its every post in waves.
//!
//! **References.** Pacheco et al. (ICWSM 2021); Keller et al. (2020).

use super::{Key, Signal, Source, Spec};
use crate::null::{Null, Strata};
use swarmscan_detect::Network;

pub(super) const SPEC: Spec = Spec {
    signal: Signal::CoAmplify,
    co_action: "reposting posts of the same account",
    network: Network::CoRepost,
    key: Key::Source,
    source: Source::Pool,
    window_ms: 120_000,
    window_why: "the same as co_repost: reposts of one account's posts by a ring land within seconds to minutes of each other",
    estimable: false,
    null: Null::Pooled,
    strata: Strata::UpTo,
};
