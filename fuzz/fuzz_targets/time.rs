//! `model::time::parse_rfc3339_ms` on any string, checked against jiff:
//! what both accept must be the same instant (to the millisecond; a leap
//! second `:60` is ours to roll over, jiff clamps it), and whatever we accept
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
            assert_eq!(ms, ts.as_millisecond(), "jiff reads {s:?} as {ts}");
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
