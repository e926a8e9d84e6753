//! **co_link** — accounts that share the same URL within the window.
//!
//! # What it detects
//!
//! Pairs of accounts whose own posts (not reshares) link to the same URL
//! within `--window` seconds of each other. The key is the URL: in the
//! default mode its canonical form ([`crate::url_canon`]: case, `www.`,
//! default ports, fragments, tracking parameters and trailing slashes do not
//! matter; the expanded URL is used when the data has one); in
//! compatibility mode the raw string, exactly as the toolkit compares it.
//!
//! # Why it indicates coordination
//!
//! Link-pushing operations exist to drive traffic to particular pages —
//! a state outlet, a lookalike news domain, a fundraiser. Their accounts
//! post the same links in bursts, frequently from a shared schedule or
//! script. Many distinct URLs shared in lockstep is a strong signal;
//! CooRnet's "coordinated link sharing behaviour" is this network.
//!
//! # Evidence emitted
//!
//! Default mode: per edge, the number of distinct (canonical) URLs both
//! shared within the window (`weight`), the number of share pairs, the
//! closest and median time difference, and up to `--evidence` URLs with the
//! two closest posts (ids and times). Compatibility mode: the toolkit's
//! directed weights, where a message counts once however many URLs match.
//!
//! **Eligible actions.** Default: `post`, `reply` and `quote` events with at
//! least one URL; a post's repeated URLs count once. Compatibility: every
//! non-repost row, including later records of a duplicated message id,
//! whose URLs are credited to their own account and time but which count as
//! one message with the first record — the toolkit's `message_url` table,
//! deduplicated on (message id, URL). A message with no URL has the URL
//! `""`, so all of them link to each other (the toolkit's issue #46).
//!
//! **Known deviation in compatibility mode.** The toolkit splits the `urls`
//! field on single spaces, so two spaces in a row add a `""` URL to a
//! message that has other URLs. swarmscan's reader drops empty pieces, so
//! such a message does not get the `""` URL; a message with an empty field
//! does.
//!
//! # Known false positives
//!
//! * Popular links (a breaking news article, a platform's own pages) are
//!   shared by many unrelated accounts within minutes.
//! * Automatic cross-posting from one site by several accounts of one
//!   organisation is coordination, but declared.
//! * Canonicalisation may merge URLs that differ only in a parameter the
//!   site uses for content under a tracking-looking name; shorteners are
//!   not expanded (use data with expanded URLs).
//!
//! # References
//!
//! * Giglietto, Righetti, Rossi, Marino (2020), "It takes a village to
//!   manipulate the media: coordinated link sharing behavior during 2018 and
//!   2019 Italian elections", *Information, Communication & Society* 23(6)
//!   (CooRnet).
//! * Graham et al. (2021), coordination-network-toolkit,
//!   `compute_co_link_network`.

use super::{Ctx, EMPTY_URL_KEY, Extracted, KeySpace};
use crate::keyed::KeyedActions;
use crate::url_canon::canonical_url;
use rayon::prelude::*;
use rustc_hash::FxHashSet;
use swarmscan_model::{Interner, Sym};

pub(crate) fn extract(cx: &Ctx<'_>) -> Extracted {
    if cx.compat() { extract_cnt(cx) } else { extract_default(cx) }
}

fn extract_cnt(cx: &Ctx<'_>) -> Extracted {
    let ev = cx.ev;
    // Every non-repost row takes part, duplicates included.
    let mut seen = vec![0u8; ev.keys.len()];
    for &p in &ev.post {
        seen[p.idx()] = seen[p.idx()].saturating_add(1);
    }
    let mut dedupe: FxHashSet<(u32, u32)> = FxHashSet::default();
    let mut ka = KeyedActions::default();
    let mut keys: Vec<u32> = Vec::new();
    for r in 0..ev.len() {
        if !cx.own_content(r) {
            continue;
        }
        keys.clear();
        keys.extend(ev.urls(r).map(|(_, x)| x.0));
        if keys.is_empty() {
            keys.push(EMPTY_URL_KEY);
        }
        let post = ev.post[r];
        let duplicated = seen[post.idx()] > 1;
        let mut i = 0;
        while i < keys.len() {
            let k = keys[i];
            let fresh = if duplicated { dedupe.insert((post.0, k)) } else { !keys[..i].contains(&k) };
            if fresh {
                cx.push(&mut ka, k, r);
            }
            i += 1;
        }
    }
    Extracted { ka, keys: KeySpace::Strings, multi: true, docs: None }
}

fn extract_default(cx: &Ctx<'_>) -> Extracted {
    let ev = cx.ev;
    let rows = cx.rows_where(|r| cx.own_content(r) && ev.urls(r).len() > 0);
    let mut used = vec![false; ev.strings.len()];
    for &r in &rows {
        for (_, x) in ev.urls(r) {
            used[x.idx()] = true;
        }
    }
    let todo: Vec<u32> = (0..used.len() as u32).filter(|&i| used[i as usize]).collect();
    let canon: Vec<String> = todo.par_iter().map(|&s| canonical_url(ev.strings.resolve(Sym(s)))).collect();
    let mut local = Interner::new();
    let mut map = vec![u32::MAX; ev.strings.len()];
    for (s, c) in todo.into_iter().zip(canon) {
        if !c.is_empty() {
            map[s as usize] = local.intern(&c).0;
        }
    }
    let mut ka = KeyedActions::default();
    let mut keys: Vec<u32> = Vec::new();
    for r in rows {
        keys.clear();
        keys.extend(ev.urls(r).map(|(_, x)| map[x.idx()]).filter(|&k| k != u32::MAX));
        keys.sort_unstable();
        keys.dedup();
        for &k in &keys {
            cx.push(&mut ka, k, r);
        }
    }
    Extracted { ka, keys: KeySpace::Local(local), multi: true, docs: None }
}
