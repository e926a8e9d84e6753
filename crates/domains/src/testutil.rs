//! The one helper every rule test goes through, so an API change touches one function.

use std::sync::OnceLock;

use crate::{Matcher, OutletList};

/// The matcher over the builtin list, built once per test binary.
pub(crate) fn builtin() -> &'static Matcher {
    static MATCHER: OnceLock<Matcher> = OnceLock::new();
    MATCHER.get_or_init(|| Matcher::new(&OutletList::builtin()))
}

/// Checks `domain` against the builtin list. `expect` is `""` for no finding, or
/// `"<imitates> <rule>"`, e.g. `"spiegel.de suffix_swap"`.
pub(crate) fn check(domain: &str, expect: &str) {
    check_in(builtin(), domain, expect);
}

/// [`check`] against any matcher.
pub(crate) fn check_in(matcher: &Matcher, domain: &str, expect: &str) {
    let got = match matcher.check(domain) {
        None => String::new(),
        Some(f) => {
            assert!((0.0..=1.0).contains(&f.score), "{domain}: score {} out of range", f.score);
            format!("{} {}", f.imitates, f.rule)
        }
    };
    let evidence = matcher.check(domain).map(|f| f.evidence).unwrap_or_default();
    assert_eq!(got, expect, "domain {domain:?} ({evidence})");
}
