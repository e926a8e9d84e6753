//! Any bytes as an input file: compression and format sniffed, then read by
//! the reader sniff chose. Must not panic or hang, and the accounting must
//! add up (`records == parsed + skipped`, events == parsed).
#![no_main]

use libfuzzer_sys::fuzz_target;
use swarmscan_ingest::{FileReport, ReadOptions, Source, read_source};
use swarmscan_model::Events;

fuzz_target!(|data: &[u8]| {
    let Ok(src) = Source::from_reader("fuzz".into(), Box::new(std::io::Cursor::new(data.to_vec()))) else {
        return;
    };
    let opts = ReadOptions { max_record_bytes: 4096, ..Default::default() };
    let mut events = Events::new();
    let mut file = FileReport::default();
    if read_source(src, &opts, &mut events, &mut file).is_ok() {
        assert_eq!(file.records, file.parsed + file.skipped_total());
        assert_eq!(events.len() as u64, file.parsed);
    }
});
