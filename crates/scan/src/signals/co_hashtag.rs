//! `co_hashtag`: using the same hashtag set.
//!
//! **What it detects.** Accounts that push the same set of hashtags in the same bursts.
//!
//! **Why it indicates coordination.** Hashtag campaigns are released at set times to trend; organic use of a tag is spread out.
//!
//! **Key and null.** One burst of a hashtag set (uses chained by gaps of at most the window): a campaign that pushes a tag in 20 waves counts 20 keys, a tag in constant use is one long, popular key. Pooled null, strata up to each popularity.
//!
//! **Known false positives.** Live events (a match, a debate) make everybody use one tag at once: one very popular burst.
//!
//! **References.** Cinelli et al., *Coordinated inauthentic behavior and information spreading on Twitter* (2022).

use super::{Key, Signal, Source, Spec};
use crate::null::{Null, Strata};
use swarmscan_detect::Network;

pub(super) const SPEC: Spec = Spec {
    signal: Signal::CoHashtag,
    co_action: "using the same hashtag set",
    network: Network::CoHashtag,
    key: Key::Bursts,
    source: Source::Pool,
    window_ms: 600_000,
    window_why: "hashtag pushes are timed bursts of minutes; 10 min, also the gap that ends a burst of a tag set",
    estimable: false,
    null: Null::Pooled,
    strata: Strata::UpTo,
};
