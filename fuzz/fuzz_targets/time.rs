//! `model::time::parse_rfc3339_ms` on any string, checked against jiff:
//! what both accept must be the same instant to the millisecond, rounded
//! down (we drop sub-millisecond digits of the written time, which floors the
//! instant also before 1970; jiff's `as_millisecond` truncates toward zero,
//! so jiff's nanoseconds are floored here); a leap second `:60` is ours to
//! roll over, jiff clamps it. Whatever we accept
//! must format back (`format_rfc3339_ms`) to a string that parses to the same
//! value and that jiff formats the same way.
#![no_main]

use libfuzzer_sys::fuzz_target;
use swarmscan_model::{format_rfc3339_ms, parse_rfc3339_ms};

fuzz_target!(|s: &str| {
    let ours = parse_rfc3339_ms(s);
    if let (Some(ms), Ok(ts)) = (ours, s.trim().parse::<jiff::Timestamp>()) {
        let leap = s.contains(":60");
        if !leap {
            let floor_ms = ts.as_nanosecond().div_euclid(1_000_000) as i64;
            assert_eq!(ms, floor_ms, "jiff reads {s:?} as {ts}");
        }
    }
    if let Some(ms) = ours {
        let text = format_rfc3339_ms(ms);
        assert_eq!(parse_rfc3339_ms(&text), Some(ms), "{s:?} -> {ms} -> {text:?}");
        if let Ok(ts) = jiff::Timestamp::from_millisecond(ms) {
            assert_eq!(text, ts.strftime("%Y-%m-%dT%H:%M:%S%.3fZ").to_string(), "{s:?} -> {ms}");
        }
    }
});
