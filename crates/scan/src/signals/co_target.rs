//! `co_target`: replying to the same account in the same wave.
//!
//! **What it detects.** Accounts that descend on the same accounts in the same waves of replies.
//!
//! **Why it indicates coordination.** A swarm harasses its targets repeatedly: ten waves on one journalist are ten co-actions, a steady stream of replies is one popular key.
//!
//! **Key and null.** A wave of replies to one account (its replies split wherever two are more than the window apart). Pooled null, strata up to each popularity.
//!
//! **Known false positives.** Regular correspondents of a busy account join its waves too; the pooled null discounts accounts by their activity, and a wave everyone joins is popular.
//!
//! **References.** Nizzoli et al. (ICWSM 2021).

use super::{Key, Signal, Source, Spec};
use crate::null::{Null, Strata};
use swarmscan_detect::Network;

pub(super) const SPEC: Spec = Spec {
    signal: Signal::CoTarget,
    co_action: "replying to the same account in the same wave",
    network: Network::CoReply,
    key: Key::SourceWaves,
    source: Source::Pool,
    window_ms: 600_000,
    window_why: "reply swarms arrive over minutes after the target posts; 10 min, also the gap that ends a wave",
    estimable: false,
    null: Null::Pooled,
    strata: Strata::UpTo,
};
