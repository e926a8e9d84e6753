//! Any bytes read as a forced format (every reader, whatever sniffing would
//! say): the first byte picks the format and the record limit, the rest is
//! the input. Must not panic or hang; the accounting must add up.
#![no_main]

use libfuzzer_sys::fuzz_target;
use swarmscan_ingest::{ColumnMap, FileReport, Format, ReadOptions, Source, read_source};
use swarmscan_model::Events;

fuzz_target!(|data: &[u8]| {
    let Some((&sel, input)) = data.split_first() else { return };
    let readable: Vec<Format> = Format::ALL.into_iter().filter(|f| *f != Format::Parquet).collect();
    let format = readable[usize::from(sel & 0x0f) % readable.len()];
    let max_record_bytes = if sel & 0x80 != 0 { 64 } else { 1 << 20 };
    let columns = (format == Format::MappedCsv).then(|| {
        "post_id=id,account_id=user,timestamp=time,kind=kind,target=target,text=text,urls=urls"
            .parse::<ColumnMap>()
            .expect("a valid mapping")
    });
    let opts = ReadOptions { format: Some(format), columns, max_record_bytes, ..Default::default() };
    let Ok(src) = Source::from_reader("fuzz".into(), Box::new(std::io::Cursor::new(input.to_vec()))) else {
        return;
    };
    let mut events = Events::new();
    let mut file = FileReport::default();
    if read_source(src, &opts, &mut events, &mut file).is_ok() {
        assert_eq!(file.records, file.parsed + file.skipped_total());
        assert_eq!(events.len() as u64, file.parsed);
    }
});
