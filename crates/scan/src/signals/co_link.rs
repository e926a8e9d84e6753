//! `co_link`: sharing the same canonical URL.
//!
//! **What it detects.** Accounts that share the same URLs (canonicalised) within an hour of each other.
//!
//! **Why it indicates coordination.** Cloned-news and partisan-site operations push each new article through the same accounts; organic sharing of one article is spread over many unrelated accounts.
//!
//! **Key and null.** The canonical URL. Pooled null (Chung–Lu over the whole level): `d_a · m_k / M`, strata up to each popularity, so an operation whose links are most of a stratum (a focused collection) cannot explain itself.
//!
//! **Known false positives.** Breaking-news crowds share one link within minutes: a popular key, discounted by `m_k²`. Readers of the same small outlet share its articles for a week; the window keeps only near-simultaneous shares.
//!
//! **References.** Giglietto et al., CooRnet (2020); Graham et al., coordination-network-toolkit.

use super::{Key, Signal, Source, Spec};
use crate::null::{Null, Strata};
use swarmscan_detect::Network;

pub(super) const SPEC: Spec = Spec {
    signal: Signal::CoLink,
    co_action: "sharing the same canonical URL",
    network: Network::CoLink,
    key: Key::Target,
    source: Source::Pool,
    window_ms: 3_600_000,
    window_why: "link campaigns are spread over hours to look organic; 1 h catches them while popular links are discounted by the null",
    estimable: true,
    null: Null::Pooled,
    strata: Strata::UpTo,
};
