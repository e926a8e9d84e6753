//! Lookalike news domains among the URLs of the data: every distinct host
//! checked once against the reference outlets ([`swarmscan_domains`]), with
//! the posts and accounts that used them.

use rustc_hash::{FxHashMap, FxHashSet};
use std::collections::BTreeMap;
use swarmscan_domains::{Finding, Matcher, url_host};
use swarmscan_model::{Events, Sym};

/// The host of every URL in the data (expanded where the data expands it),
/// with the number of URLs on it: what `swarmscan domains` checks.
pub fn url_hosts(ev: &Events) -> BTreeMap<String, u64> {
    let mut per_sym: BTreeMap<u32, u64> = BTreeMap::new();
    for &x in (0..ev.len()).flat_map(|r| ev.urls_expanded(r)) {
        *per_sym.entry(x.0).or_default() += 1;
    }
    let mut hosts: BTreeMap<String, u64> = BTreeMap::new();
    for (sym, n) in per_sym {
        if let Some(h) = url_host(ev.strings.resolve(Sym(sym))) {
            *hosts.entry(h).or_default() += n;
        }
    }
    hosts
}

/// Lookalike news domains among the hosts of every URL in the data.
#[derive(Clone, Debug, Default)]
pub struct Lookalikes {
    /// Finding per host.
    pub by_host: BTreeMap<String, Finding>,
    /// Host of each URL string symbol that is on a lookalike domain.
    url_host: FxHashMap<u32, String>,
    /// Posts with a URL on each lookalike host.
    posts: BTreeMap<String, u64>,
    /// Accounts (symbols) that posted such a URL.
    accounts: FxHashSet<u32>,
}

impl Lookalikes {
    /// Checks every distinct host of the data's (expanded) URLs.
    pub fn find(ev: &Events, matcher: &Matcher) -> Lookalikes {
        let mut syms: Vec<u32> = (0..ev.len()).flat_map(|r| ev.urls_expanded(r)).map(|s| s.0).collect();
        syms.sort_unstable();
        syms.dedup();
        let host_of: Vec<(u32, String)> =
            syms.into_iter().filter_map(|s| url_host(ev.strings.resolve(Sym(s))).map(|h| (s, h))).collect();
        let mut hosts: Vec<&str> = host_of.iter().map(|x| x.1.as_str()).collect();
        hosts.sort_unstable();
        hosts.dedup();
        let by_host: BTreeMap<String, Finding> =
            matcher.check_many(&hosts).into_iter().map(|f| (f.domain.clone(), f)).collect();
        let url_host: FxHashMap<u32, String> = host_of.into_iter().filter(|(_, h)| by_host.contains_key(h)).collect();
        let mut out = Lookalikes { by_host, url_host, ..Lookalikes::default() };
        if out.url_host.is_empty() {
            return out;
        }
        for row in 0..ev.len() {
            let mut seen = false;
            for u in ev.urls_expanded(row) {
                if let Some(h) = out.url_host.get(&u.0) {
                    if !seen {
                        *out.posts.entry(h.clone()).or_default() += 1;
                    }
                    seen = true;
                }
            }
            if seen {
                out.accounts.insert(ev.account[row].0);
            }
        }
        out
    }

    /// Lookalike hosts among the URLs of an event row.
    pub fn hosts_of_row(&self, ev: &Events, row: usize) -> Vec<&str> {
        ev.urls_expanded(row).iter().filter_map(|u| self.url_host.get(&u.0).map(String::as_str)).collect()
    }

    /// The outlet a host imitates.
    pub fn imitates(&self, host: &str) -> Option<&str> {
        self.by_host.get(host).map(|f| f.imitates.as_str())
    }

    /// Posts with a URL on a lookalike host.
    pub fn posts(&self, host: &str) -> u64 {
        self.posts.get(host).copied().unwrap_or(0)
    }

    /// Whether an account posted a URL on a lookalike domain.
    pub fn posted_by(&self, account: Sym) -> bool {
        self.accounts.contains(&account.0)
    }
}
