//! Any bytes as an input file: compression and format sniffed, then read by
//! the reader sniff chose. Must not panic or hang, and the accounting must
//! add up (`records == parsed + skipped`, events == parsed). The check lives
//! in `swarmscan_ingest::fuzzing`, which `cargo test` replays saved inputs through.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = swarmscan_ingest::fuzzing::read_sniffed(data);
});
