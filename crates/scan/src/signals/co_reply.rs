//! `co_reply`: replying to the same post.
//!
//! **What it detects.** Accounts that reply to the same posts within ten minutes of each other.
//!
//! **Why it indicates coordination.** Reply swarms descend on a journalist's or politician's posts in coordinated waves.
//!
//! **Key and null.** The post replied to, conditioned on its author (as co_repost): fans and regular correspondents of one account reply to its posts because they follow it.
//!
//! **Known false positives.** Conversations between friends and fan replies are explained by the author conditioning; a swarm on one target is therefore found mostly through co_target.
//!
//! **References.** Nizzoli et al., *Coordinated behavior on social media in 2019 UK general election* (ICWSM 2021).

use super::{Key, Signal, Source, Spec};
use crate::null::{Null, Strata};
use swarmscan_detect::Network;

pub(super) const SPEC: Spec = Spec {
    signal: Signal::CoReply,
    co_action: "replying to the same post",
    network: Network::CoReply,
    key: Key::Target,
    source: Source::Author,
    window_ms: 600_000,
    window_why: "reply swarms arrive over minutes after the target posts; 10 min",
    estimable: true,
    null: Null::Stratified,
    strata: Strata::Each,
};
