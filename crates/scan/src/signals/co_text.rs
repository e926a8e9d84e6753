//! `co_text`: posting the same normalised text.
//!
//! **What it detects.** Accounts that post exactly the same text (after normalisation) within fifteen minutes.
//!
//! **Why it indicates coordination.** Scripted posting copies one text; people rarely write the same sentence at the same time.
//!
//! **Key and null.** The normalised text. Pooled null, strata up to each popularity.
//!
//! **Known false positives.** Greetings and stock phrases ("good morning") are popular keys; automated shares of one article with its title as text are caught here too.
//!
//! **References.** Graham et al., coordination-network-toolkit (co-tweet).

use super::{Key, Signal, Source, Spec};
use crate::null::{Null, Strata};
use swarmscan_detect::Network;

pub(super) const SPEC: Spec = Spec {
    signal: Signal::CoText,
    co_action: "posting the same normalised text",
    network: Network::CoText,
    key: Key::Target,
    source: Source::Pool,
    window_ms: 900_000,
    window_why: "copypasta is posted within minutes of the script's release; 15 min",
    estimable: true,
    null: Null::Pooled,
    strata: Strata::UpTo,
};
