//! Shared helpers for the reader tests: every test reads through `read`, so
//! an API change touches this file only.
#![allow(dead_code)]

use swarmscan_ingest::{IngestReport, ReadOptions, SkipReason, read_inputs};
use swarmscan_model::Events;

/// Path of a file under `shared/data/real/` (beside the repository checkout).
pub fn real(rel: &str) -> String {
    let p = format!("{}/../../../shared/data/real/{rel}", env!("CARGO_MANIFEST_DIR"));
    assert!(std::path::Path::new(&p).exists(), "real sample missing: {p}");
    p
}

/// Path of a fixture under `crates/ingest/tests/data/`.
pub fn fixture(rel: &str) -> String {
    format!("{}/tests/data/{rel}", env!("CARGO_MANIFEST_DIR"))
}

/// Reads one input with default options (format sniffed).
pub fn read(path: &str) -> (Events, IngestReport) {
    read_with(path, &ReadOptions::default())
}

/// Reads one input with the given options; panics on a strict stop.
pub fn read_with(path: &str, opts: &ReadOptions) -> (Events, IngestReport) {
    read_inputs(&[path.to_string()], opts, None).expect("read_inputs failed")
}

/// Writes `content` to a temporary file with the given name and returns its path
/// (the directory lives as long as the returned guard).
pub fn temp_file(name: &str, content: &[u8]) -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join(name);
    std::fs::write(&p, content).unwrap();
    let s = p.to_str().unwrap().to_string();
    (dir, s)
}

/// Asserts the accounting of a single-file read: format, parsed and skipped by reason.
pub fn check_counts(report: &IngestReport, format: &str, parsed: u64, skipped: &[(SkipReason, u64)]) {
    assert_eq!(report.files.len(), 1);
    let f = &report.files[0];
    assert_eq!(f.error, None, "file error");
    assert_eq!(f.format, format, "format");
    assert_eq!(f.parsed, parsed, "parsed; examples: {:?}", f.examples);
    let want: std::collections::BTreeMap<SkipReason, u64> = skipped.iter().copied().collect();
    assert_eq!(f.skipped, want, "skipped; examples: {:?}", f.examples);
    assert_eq!(f.records, f.parsed + f.skipped_total());
}
