//! URL canonicalisation on any string: never panics and is idempotent
//! (the canonical form of a canonical URL is itself).
#![no_main]

use libfuzzer_sys::fuzz_target;
use swarmscan_detect::url_canon::canonical_url;

fuzz_target!(|s: &str| {
    let once = canonical_url(s);
    let twice = canonical_url(&once);
    assert_eq!(once, twice, "not idempotent for {s:?}");
});
