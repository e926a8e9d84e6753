//! Replays the inputs saved under `tests/regressions/<target>/` through the
//! fuzz targets' own checks (`swarmscan_ingest::fuzzing`): every crash a fuzz
//! run finds is copied there (docs/fuzzing.md) and stays fixed.

use std::path::Path;

fn replay(target: &str, check: fn(&[u8]) -> Option<swarmscan_ingest::FileReport>) -> usize {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/regressions").join(target);
    let mut files: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    let mut n = 0;
    for f in files.iter().filter(|f| f.extension().is_none_or(|e| e != "md")) {
        let data = std::fs::read(f).unwrap();
        let outcome = std::panic::catch_unwind(|| check(&data));
        assert!(outcome.is_ok(), "{} panics again", f.display());
        n += 1;
    }
    n
}

#[test]
fn saved_fuzz_inputs_stay_fixed() {
    let n = replay("read_sniffed", swarmscan_ingest::fuzzing::read_sniffed)
        + replay("read_as", swarmscan_ingest::fuzzing::read_as);
    assert!(n > 0, "no saved inputs found");
}

/// The `time` target's checks that need no jiff: what is accepted formats
/// back to a string that parses to the same value.
fn time_round_trip(data: &[u8]) -> Option<swarmscan_ingest::FileReport> {
    // As `&str` fuzz targets see bytes: the longest valid UTF-8 prefix.
    let s = match std::str::from_utf8(data) {
        Ok(s) => s,
        Err(e) => std::str::from_utf8(&data[..e.valid_up_to()]).ok()?,
    };
    assert!(!s.is_empty());
    if let Some(ms) = swarmscan_model::parse_rfc3339_ms(s) {
        let text = swarmscan_model::format_rfc3339_ms(ms);
        assert_eq!(swarmscan_model::parse_rfc3339_ms(&text), Some(ms), "{s:?} -> {ms} -> {text:?}");
    }
    None
}

#[test]
fn saved_time_inputs_stay_fixed() {
    assert!(replay("time", time_round_trip) > 0);
    // Found by the `time` target: before 1970, sub-millisecond digits are
    // dropped from the written time, so the instant is floored (…27.200 at
    // -16:00), where jiff's `as_millisecond` truncates toward zero (…27.201).
    // Ours is the intended reading; the target now floors jiff's value.
    let s = "0209-05-14T11:40:27,200022-16";
    assert_eq!(swarmscan_model::parse_rfc3339_ms(s), Some(-55_560_197_972_800));
    assert_eq!(swarmscan_model::format_rfc3339_ms(-55_560_197_972_800), "0209-05-15T03:40:27.200Z");
}
