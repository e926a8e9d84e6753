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
