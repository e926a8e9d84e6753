//! Properties over arbitrary input: `check` never panics and stays in range, and the
//! parallel batch path agrees with the one-at-a-time path.

use std::sync::OnceLock;

use proptest::prelude::*;
use swarmscan_domains::{Finding, Matcher, OutletList};

fn matcher() -> &'static Matcher {
    static MATCHER: OnceLock<Matcher> = OnceLock::new();
    MATCHER.get_or_init(|| Matcher::new(&OutletList::builtin()))
}

fn valid(finding: &Finding) -> bool {
    (0.0..=1.0).contains(&finding.score)
        && !finding.domain.is_empty()
        && finding.domain.ends_with(&finding.registrable_domain)
}

/// Domain-like strings: labels from a mix of ASCII, digits, hyphens, confusables and other
/// scripts, joined by dots, with the odd port, scheme or upper case.
fn domainish() -> impl Strategy<Value = String> {
    let label = "[a-zA-Z0-9\\-_ßäöüéіаеорсху\u{0301}\u{200d}]{0,12}";
    (
        prop::collection::vec(label, 1..4),
        prop::sample::select(vec!["com", "de", "ltd", "co.uk", "co.com", "xn--p1ai", "рф", "", "invalid"]),
        prop::sample::select(vec!["", ":80", ":x", ".", "..", "/path"]),
        any::<bool>(),
    )
        .prop_map(|(labels, suffix, tail, scheme)| {
            let host = format!("{}.{suffix}{tail}", labels.join("."));
            if scheme { format!("https://{host}") } else { host }
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn check_never_panics_on_any_string(input in any::<String>()) {
        if let Some(f) = matcher().check(&input) {
            prop_assert!(valid(&f), "{f:?}");
        }
    }

    #[test]
    fn check_never_panics_on_domainish_input(input in domainish()) {
        if let Some(f) = matcher().check(&input) {
            prop_assert!(valid(&f), "{f:?}");
        }
    }

    #[test]
    fn check_many_equals_check_sorted(inputs in prop::collection::vec(domainish(), 0..40)) {
        let mut expected: Vec<Finding> = inputs.iter().filter_map(|d| matcher().check(d)).collect();
        expected.sort_by(|a, b| (&a.domain, &a.imitates, a.rule).cmp(&(&b.domain, &b.imitates, b.rule)));
        expected.dedup();
        prop_assert_eq!(matcher().check_many(&inputs), expected);
    }
}

#[test]
fn odd_inputs() {
    for input in [
        "",
        " ",
        ".",
        "localhost",
        "127.0.0.1",
        "[::1]:443",
        "::1",
        "1.2.3.4:8080",
        "com",
        ".com",
        "a..b.com",
        "-.com",
        "xn--.com",
        "xn--zz.ltd",
        "xn--80ak6aa92e",
        "ä.ä",
        "\u{0}",
        "\u{202e}moc.ltd",
        &"a".repeat(300),
        &format!("{}.com", "a".repeat(64)),
        &format!("{}.com", "ж".repeat(70)),
        "http://",
        "https://@:0/",
        "spiegel.de:99999999999999999999",
    ] {
        if let Some(f) = matcher().check(input) {
            assert!(valid(&f), "{input:?}: {f:?}");
        }
    }
}

#[test]
fn output_is_deterministic_across_thread_counts() {
    let domains: Vec<String> = include_str!("data/lookalikes.txt")
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.split('\t').next())
        .map(str::to_owned)
        .collect();
    let single =
        rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap().install(|| matcher().check_many(&domains));
    let many = matcher().check_many(&domains);
    assert_eq!(single, many);
    assert!(single.windows(2).all(|w| w[0].domain <= w[1].domain));
}
