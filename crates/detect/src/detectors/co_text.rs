//! **co_text** — accounts that post the same text within the window (the
//! toolkit's `co_tweet`).
//!
//! # What it detects
//!
//! Pairs of accounts whose own posts have the same text after the toolkit's
//! normalisation ([`crate::text::cnt_normalise`]: lowercase, mentions
//! removed, whitespace collapsed) within `--window` seconds of each other.
//! The key is the normalised text.
//!
//! # Why it indicates coordination
//!
//! Copypasta: operations hand their accounts scripted messages, and the
//! accounts post them verbatim — sometimes with a different @-mention
//! prepended to reach different targets. Identical text from many accounts
//! in a short time rarely happens by chance outside of quoting and
//! templates.
//!
//! # Evidence emitted
//!
//! Default mode: per edge, the number of distinct texts both posted within
//! the window (`weight`), the number of post pairs, the closest and median
//! time difference, and up to `--evidence` texts (normalised) with the two
//! closest posts (ids and times). Compatibility mode: the toolkit's directed
//! weights.
//!
//! **Eligible actions.** Default: `post`, `reply` and `quote` events whose
//! normalised text is not empty. Compatibility: every non-repost message
//! (first record of each id), including those that normalise to `""` — so
//! mention-only replies all match each other, as in the toolkit (its
//! defect 5).
//!
//! # Known false positives
//!
//! * Short stock phrases ("thank you", "congratulations", "😂") are posted
//!   independently by many people; require several distinct texts
//!   (`--min-weight`) or use co_similar with a minimum token count.
//! * Share buttons and apps that pre-fill the text of a post (petitions,
//!   news sites' "tweet this").
//! * Hashtag games and chants during live events.
//!
//! # References
//!
//! * Graham et al. (2021), coordination-network-toolkit,
//!   `compute_co_tweet_network` and `message_preprocessor`.
//! * Schoch, Keller, Stier, Yang (2022), "Coordination patterns reveal
//!   online political astroturfing across the world", *Scientific Reports* 12.

use super::{Ctx, Extracted, KeySpace, text_index};
use crate::text::cnt_normalise;
use rayon::iter::Either;
use rayon::prelude::*;
use std::hash::BuildHasher;
use swarmscan_model::{Events, Sym};

pub(crate) fn extract(cx: &Ctx<'_>) -> Extracted {
    let ev = cx.ev;
    let rows = cx.rows_where(|r| cx.own_content(r));
    let (rep, map) = text_keys(ev, &rows, cx.compat());
    let ka = cx.keyed(&rows, |r| Some(map[text_index(ev, ev.text[r])]).filter(|&k| k != u32::MAX));
    Extracted { ka, keys: KeySpace::Texts(rep), multi: false, docs: None }
}

/// The text of [`text_index`] `i` (`""` for rows without one).
fn text(ev: &Events, i: u32) -> &str {
    if i as usize == ev.texts.len() { "" } else { ev.texts.resolve(Sym(i)) }
}

/// The name of a key whose first text is `rep`: that text normalised.
pub(crate) fn name(ev: &Events, rep: u32) -> String {
    let (mut scratch, mut out) = (String::new(), String::new());
    cnt_normalise(text(ev, rep), &mut scratch, &mut out);
    out
}

/// Numbers the distinct normalised texts of `rows` in the order of their
/// first text (by [`text_index`]), as interning them in that order would,
/// without holding them: returns each key's first text and, per text index,
/// its key (`u32::MAX` for unused texts, and for texts that normalise to
/// `""` unless `keep_empty`).
///
/// Each used text's normalised form is hashed in parallel; the `(hash,
/// text)` pairs are sorted, and texts with equal hashes are compared by
/// their normalised forms, so a hash collision never merges two keys. About
/// 16 bytes a distinct text while it runs, where an interner of the
/// normalised texts held each text, its offset and its table slot.
fn text_keys(ev: &Events, rows: &[usize], keep_empty: bool) -> (Vec<u32>, Vec<u32>) {
    let hasher = foldhash::fast::FixedState::default();
    text_keys_by(ev, rows, keep_empty, &|s| hasher.hash_one(s))
}

/// [`text_keys`] with the hash given (tests use colliding ones).
fn text_keys_by(
    ev: &Events,
    rows: &[usize],
    keep_empty: bool,
    hash: &(dyn Fn(&str) -> u64 + Sync),
) -> (Vec<u32>, Vec<u32>) {
    let n_texts = ev.texts.len();
    let mut map = vec![u32::MAX; n_texts + 1];
    for &r in rows {
        map[text_index(ev, ev.text[r])] = 0;
    }
    let todo: Vec<u32> = (0..=n_texts as u32).filter(|&i| map[i as usize] == 0).collect();
    let chunk = todo.len().div_ceil(rayon::current_num_threads() * 4).max(1024);
    let mut hashed: Vec<(u64, u32)> = todo
        .par_chunks(chunk)
        .flat_map_iter(|part| {
            let (mut scratch, mut out) = (String::new(), String::new());
            part.iter()
                .filter_map(|&i| {
                    cnt_normalise(text(ev, i), &mut scratch, &mut out);
                    (keep_empty || !out.is_empty()).then(|| (hash(&out), i))
                })
                .collect::<Vec<_>>()
        })
        .collect();
    drop(todo);
    hashed.par_sort_unstable();
    // `map[i]` becomes the first text with i's normalised form (texts with
    // no key go back to `u32::MAX`)... Runs of equal hashes are resolved in
    // parallel (a templated text can have thousands of copies, each
    // normalised again to be compared); each text is in one run.
    map.fill(u32::MAX);
    let firsts: Vec<(u32, u32)> = hashed
        .par_chunk_by(|a, b| a.0 == b.0)
        .flat_map_iter(|run| {
            if let [(_, i)] = run {
                return Either::Left(std::iter::once((*i, *i)));
            }
            // Equal hashes, in text order: usually one normalised form.
            let mut firsts: Vec<(String, u32)> = Vec::new();
            let pairs = run
                .iter()
                .map(|&(_, i)| {
                    let form = name(ev, i);
                    let first = match firsts.iter().find(|f| f.0 == form) {
                        Some(f) => f.1,
                        None => {
                            firsts.push((form, i));
                            i
                        }
                    };
                    (i, first)
                })
                .collect::<Vec<_>>();
            Either::Right(pairs.into_iter())
        })
        .collect();
    drop(hashed);
    for (i, first) in firsts {
        map[i as usize] = first;
    }
    // ...then its key: keys are numbered in the order of their first text,
    // which comes before every other text of the key.
    let mut rep = Vec::new();
    for i in 0..map.len() {
        let first = map[i];
        if first == u32::MAX {
            continue;
        }
        map[i] = if first as usize == i {
            rep.push(i as u32);
            (rep.len() - 1) as u32
        } else {
            map[first as usize]
        };
    }
    (rep, map)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use swarmscan_model::{Interner, RawEvent};

    proptest! {
        /// Keys numbered as interning the normalised texts in text order
        /// numbers them, each key named by its normalised text, whatever the
        /// hash: a good one, one where every text collides, and a weak one.
        #[test]
        fn text_keys_number_the_normalised_texts_as_an_interner(
            texts in proptest::collection::vec("[aAb @]{0,5}", 1..80),
            pick in proptest::collection::vec(any::<bool>(), 80),
            keep_empty: bool,
        ) {
            let mut ev = Events::new();
            for (i, t) in texts.iter().enumerate() {
                let id = format!("p{i}");
                ev.push(&RawEvent { post_id: &id, account_id: "u", ts_ms: i as i64, text: t, ..Default::default() });
            }
            let rows: Vec<usize> = (0..ev.len()).filter(|&r| pick[r]).collect();
            // The reference: intern the normalised texts in text order.
            let mut used: Vec<usize> = rows.iter().map(|&r| text_index(&ev, ev.text[r])).collect();
            used.sort_unstable();
            used.dedup();
            let mut names = Interner::new();
            let mut want = vec![u32::MAX; ev.texts.len() + 1];
            for &i in &used {
                let form = name(&ev, i as u32);
                if keep_empty || !form.is_empty() {
                    want[i] = names.intern(&form).0;
                }
            }
            let hasher = foldhash::fast::FixedState::default();
            let hashes: [&(dyn Fn(&str) -> u64 + Sync); 3] =
                [&|s| hasher.hash_one(s), &|_| 7, &|s| s.len() as u64 % 3];
            for hash in hashes {
                let (rep, map) = text_keys_by(&ev, &rows, keep_empty, hash);
                prop_assert_eq!(&map, &want);
                prop_assert_eq!(rep.len(), names.len());
                for (k, &first) in rep.iter().enumerate() {
                    prop_assert_eq!(name(&ev, first), names.resolve(Sym(k as u32)));
                }
            }
        }
    }
}
