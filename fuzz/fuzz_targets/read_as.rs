//! Any bytes read as a forced format (every reader, whatever sniffing would
//! say): the first byte picks the format and the record limit, the rest is
//! the input. Must not panic or hang; the accounting must add up. The check
//! lives in `swarmscan_ingest::fuzzing`, which `cargo test` replays saved inputs through.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = swarmscan_ingest::fuzzing::read_as(data);
});
