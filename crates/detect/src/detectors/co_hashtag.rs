//! **co_hashtag** — accounts that post the same set of hashtags within the
//! window (swarmscan's own; the toolkit has no such network).
//!
//! # What it detects
//!
//! Pairs of accounts whose own posts carry exactly the same non-empty set
//! of hashtags (lowercased, order and repeats ignored) within `--window`
//! seconds of each other. The key is the set, written `#a #b #c` in byte
//! order.
//!
//! # Why it indicates coordination
//!
//! Hashtag campaigns try to push a tag into the trending lists, and their
//! instructions usually prescribe a fixed combination of tags per wave.
//! One popular tag is shared by everyone; the same *combination* of several
//! tags, by the same accounts, wave after wave, is much less likely to be
//! organic. The set is used rather than single tags so that one trending
//! tag does not link its whole audience.
//!
//! # Evidence emitted
//!
//! Per edge, the number of distinct hashtag sets both posted within the
//! window (`weight`), the number of post pairs, the closest and median time
//! difference, and up to `--evidence` sets with the two closest posts (ids
//! and times).
//!
//! **Eligible actions.** `post`, `reply` and `quote` events with at least
//! one hashtag. Not available in compatibility mode.
//!
//! # Known false positives
//!
//! * Single popular tags during live events (`#worldcup`): a set of one
//!   tag behaves like a keyword; require a higher `--min-weight`.
//! * Apps and share buttons that append fixed tags.
//!
//! # References
//!
//! * Pacheco, Hui, Torres-Lugo, Truong, Flammini, Menczer (2021),
//!   "Uncovering Coordinated Networks on Social Media: Methods and Case
//!   Studies", ICWSM (identical hashtag sequences as a coordination trace).
//! * Weber, Neumann (2021), "Amplifying influence through coordinated
//!   behaviour in social networks", *Social Network Analysis and Mining* 11
//!   (co-hashtag among the co-activity types).

use super::{Ctx, Extracted, KeySpace};
use crate::keyed::KeyedActions;
use swarmscan_model::{Interner, Sym};

pub(crate) fn extract(cx: &Ctx<'_>) -> Extracted {
    let ev = cx.ev;
    let rows = cx.rows_where(|r| cx.own_content(r) && !ev.hashtags(r).is_empty());
    let mut lower: Vec<Option<String>> = vec![None; ev.strings.len()];
    let mut local = Interner::new();
    let mut ka = KeyedActions::default();
    let mut tags: Vec<Sym> = Vec::new();
    let mut key = String::new();
    for r in rows {
        tags.clear();
        tags.extend_from_slice(ev.hashtags(r));
        for &t in &tags {
            if lower[t.idx()].is_none() {
                lower[t.idx()] = Some(ev.strings.resolve(t).to_lowercase());
            }
        }
        let mut names: Vec<&str> =
            tags.iter().filter_map(|t| lower[t.idx()].as_deref()).filter(|s| !s.is_empty()).collect();
        names.sort_unstable();
        names.dedup();
        if names.is_empty() {
            continue;
        }
        key.clear();
        for (i, n) in names.iter().enumerate() {
            if i > 0 {
                key.push(' ');
            }
            key.push('#');
            key.push_str(n);
        }
        let k = local.intern(&key).0;
        cx.push(&mut ka, k, r);
    }
    Extracted { ka, keys: KeySpace::Local(local), multi: false, docs: None }
}
