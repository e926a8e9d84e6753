//! The checks the fuzz targets (`fuzz/`) run on arbitrary bytes, here so
//! that `cargo test` replays saved crash inputs through exactly the same code
//! (`tests/fuzz_regressions.rs`). Each panics if reading panics or the
//! accounting does not add up.

use crate::{ColumnMap, FileReport, Format, ReadOptions, Source, read_source};
use swarmscan_model::Events;

fn read_checked(data: &[u8], opts: &ReadOptions) -> Option<FileReport> {
    let src = Source::from_reader("fuzz".into(), Box::new(std::io::Cursor::new(data.to_vec()))).ok()?;
    let mut events = Events::new();
    let mut file = FileReport::default();
    read_source(src, opts, &mut events, &mut file).ok()?;
    assert_eq!(file.records, file.parsed + file.skipped_total(), "{:?}", file.skipped);
    assert_eq!(events.len() as u64, file.parsed);
    Some(file)
}

/// Any bytes as an input: compression and format sniffed (a 4 KiB record
/// limit, so limits are reached).
pub fn read_sniffed(data: &[u8]) -> Option<FileReport> {
    read_checked(data, &ReadOptions { max_record_bytes: 4096, ..Default::default() })
}

/// Any bytes read as a forced format: the first byte picks the format (low
/// four bits) and a 64-byte or 1 MiB record limit (high bit); the rest is
/// the input.
pub fn read_as(data: &[u8]) -> Option<FileReport> {
    let (&sel, input) = data.split_first()?;
    let readable: Vec<Format> = Format::ALL.into_iter().filter(|f| *f != Format::Parquet).collect();
    let format = readable[usize::from(sel & 0x0f) % readable.len()];
    let max_record_bytes = if sel & 0x80 != 0 { 64 } else { 1 << 20 };
    let columns = (format == Format::MappedCsv).then(|| {
        "post_id=id,account_id=user,timestamp=time,kind=kind,target=target,text=text,urls=urls"
            .parse::<ColumnMap>()
            .expect("a valid mapping")
    });
    read_checked(input, &ReadOptions { format: Some(format), columns, max_record_bytes, ..Default::default() })
}
