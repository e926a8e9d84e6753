//! Windows estimated from the data (`--window SIGNAL=auto`), in the spirit of
//! CooRnet's `estimate_coord_interval` (Giglietto et al.): among the keys
//! that were picked up unusually fast — whose second account came within the
//! `q`-quantile of all keys' second-account delays — the median time a key
//! took to gather more than a share `p` of its accounts.
//!
//! It answers "how fast do the fastest co-actions in *this* data happen",
//! which is what a fixed window guesses. Differences from CooRnet: accounts
//! count once per key (their first action; a second post by the same account
//! is no co-action), and it applies to any signal whose keys have a start —
//! a reposted or replied-to post, a URL, a text — not to keys that are
//! themselves cut by the window (hashtag and reply bursts, near-duplicate
//! bursts) or that are accounts (co_amplify).

use crate::scan::{Error, ScanParams, detect_params};
use crate::signals::Signal;
use swarmscan_detect::KeyedActions;
use swarmscan_model::Events;

/// CooRnet's defaults: the fastest 10 % of keys, the time to half of their
/// accounts.
pub const Q: f64 = 0.1;
pub const P: f64 = 0.5;

/// Whether a signal's window can be estimated ([`estimate`]).
pub fn estimable(s: Signal) -> bool {
    s.spec().estimable
}

/// The estimate over keyed actions sorted by (key, time), in ms; `None` when
/// no key has two accounts. At least 1 s.
pub fn estimate(ka: &KeyedActions, q: f64, p: f64) -> Option<i64> {
    // Per key: its accounts' first action times, in order.
    let mut keys: Vec<Vec<i64>> = Vec::new();
    let mut acc: Vec<(u32, i64)> = Vec::new();
    let mut g = 0;
    while g < ka.len() {
        let k = ka.key[g];
        let e = g + ka.key[g..].partition_point(|&x| x == k);
        acc.clear();
        acc.extend((g..e).map(|i| (ka.account[i], ka.ts_ms[i])));
        acc.sort_unstable();
        acc.dedup_by_key(|x| x.0);
        if acc.len() >= 2 {
            let mut times: Vec<i64> = acc.iter().map(|x| x.1).collect();
            times.sort_unstable();
            keys.push(times);
        }
        g = e;
    }
    if keys.is_empty() {
        return None;
    }
    let mut second: Vec<i64> = keys.iter().map(|t| t[1] - t[0]).collect();
    second.sort_unstable();
    // The q-quantile (type 7, as R's default), compared as an f64.
    let cut = quantile(&second, q);
    let mut reach: Vec<i64> = keys
        .iter()
        .filter(|t| ((t[1] - t[0]) as f64) <= cut)
        .map(|t| {
            // The first rank r (1-based) with r / n > p.
            let n = t.len();
            let r = ((p * n as f64).floor() as usize + 1).clamp(2, n);
            t[r - 1] - t[0]
        })
        .collect();
    reach.sort_unstable();
    let median = quantile(&reach, 0.5);
    Some((median.round() as i64).max(1000))
}

/// Quantile of sorted values with linear interpolation (R's type 7).
fn quantile(sorted: &[i64], q: f64) -> f64 {
    let h = (sorted.len() - 1) as f64 * q.clamp(0.0, 1.0);
    let (lo, hi) = (h.floor() as usize, h.ceil() as usize);
    sorted[lo] as f64 + (h - lo as f64) * (sorted[hi] - sorted[lo]) as f64
}

/// Replaces the window of every signal in `p.auto_windows` by its estimate
/// on `ev` (signals whose keys have no two accounts keep their default).
/// Returns the estimates, in ms.
pub fn resolve(ev: &Events, p: &mut ScanParams) -> Result<Vec<(Signal, i64)>, Error> {
    let mut out = Vec::new();
    for s in p.auto_windows.clone() {
        if !estimable(s) || !p.signals.contains(&s) {
            continue;
        }
        let level = swarmscan_detect::prepare(ev, s.spec().network, &detect_params(p, s))?;
        if let Some(w) = estimate(level.keyed_actions(), Q, P) {
            p.set_window(s, w);
            out.push((s, w));
        }
    }
    p.auto_windows = out.iter().map(|x| x.0).collect();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ka(rows: &[(u32, i64, u32)]) -> KeyedActions {
        let mut k = KeyedActions::default();
        for (i, &(key, t, a)) in rows.iter().enumerate() {
            k.push(key, t * 1000, a, i as u32);
        }
        k.sort();
        k
    }

    #[test]
    fn median_time_to_half_of_the_fastest_keys() {
        // Ten keys; keys 0 and 1 get their second account after 1 s, the
        // others after 100 s or more. q = 0.1 of the ten second delays is
        // 1 s, so keys 0 and 1 are kept; key 0 reaches > half of its four
        // accounts at its third (20 s), key 1 of its two at its second (1 s).
        let mut rows = vec![(0, 0, 1), (0, 1, 2), (0, 20, 3), (0, 500, 4), (1, 0, 1), (1, 1, 2)];
        for k in 2..10u32 {
            rows.push((k, 0, 1));
            rows.push((k, 100 + i64::from(k), 2));
        }
        let w = estimate(&ka(&rows), 0.1, 0.5).unwrap();
        // Median of {20 s, 1 s} = 10.5 s.
        assert_eq!(w, 10_500);
    }

    #[test]
    fn an_account_counts_once_per_key() {
        // Account 1 posts twice before account 2: the second share is 2's.
        let rows = [(0, 0, 1), (0, 5, 1), (0, 30, 2)];
        assert_eq!(estimate(&ka(&rows), 0.1, 0.5), Some(30_000));
        assert_eq!(estimate(&ka(&[(0, 0, 1), (0, 9, 1)]), 0.1, 0.5), None);
    }

    #[test]
    fn at_least_a_second() {
        let rows = [(0, 0, 1), (0, 0, 2)];
        assert_eq!(estimate(&ka(&rows), 0.1, 0.5), Some(1000));
    }
}
