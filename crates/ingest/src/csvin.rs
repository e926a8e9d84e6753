//! The CSV driver: rows are tokenised sequentially (quoted fields may span
//! lines, so a CSV file cannot be cut at arbitrary line ends) and converted
//! to events in parallel batches, merged in input order.

use crate::diag::{FileReport, SkipReason};
use crate::sink::Sink;
use rayon::prelude::*;
use std::collections::VecDeque;
use std::io::Read;
use std::sync::mpsc;
use swarmscan_model::Events;

/// A CSV-based format, built from the header row.
pub trait CsvFormat: Sync {
    /// The number of columns every row must have, if fixed.
    fn columns(&self) -> Option<usize> {
        None
    }
    /// Turns one row into an event or a skip. `sink.line` is already set.
    fn parse(&self, row: &csv::ByteRecord, sink: &mut Sink);
}

/// Reads field `i` as UTF-8 (`""` when absent), or records a skip naming
/// `name` and returns `None`.
pub fn field<'r>(row: &'r csv::ByteRecord, i: usize, name: &str, sink: &mut Sink) -> Option<&'r str> {
    match std::str::from_utf8(row.get(i).unwrap_or_default()) {
        Ok(s) => Some(s),
        Err(e) => {
            sink.skip(SkipReason::MalformedCsv, Some(name), format!("invalid UTF-8: {e}"));
            None
        }
    }
}

const BATCH_ROWS: usize = 32 * 1024;

/// The input, noting where a `\n` directly follows a `\r`. csv-core ends a
/// record at the `\r` of a CRLF and consumes the `\n` as the first byte of
/// the next record, so that record's [`csv::Position`] still carries the
/// previous line number; `LineTracker::record_line` corrects it.
pub struct LineTracker<R> {
    inner: R,
    offset: u64,
    last_cr: bool,
    /// Offsets of `\n` bytes preceded by `\r`, not yet passed by the reader.
    lf_after_cr: VecDeque<u64>,
}

impl<R: Read> Read for LineTracker<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        let chunk = &buf[..n];
        if self.last_cr && chunk.first() == Some(&b'\n') {
            self.lf_after_cr.push_back(self.offset);
        }
        self.lf_after_cr.extend(memchr::memmem::find_iter(chunk, b"\r\n").map(|p| self.offset + p as u64 + 1));
        if let Some(&last) = chunk.last() {
            self.last_cr = last == b'\r';
        }
        self.offset += n as u64;
        Ok(n)
    }
}

impl<R> LineTracker<R> {
    /// The 1-based line where the record read at `pos` starts. Positions must
    /// be asked for in input order.
    fn record_line(&mut self, pos: &csv::Position) -> u64 {
        while self.lf_after_cr.front().is_some_and(|&o| o < pos.byte()) {
            self.lf_after_cr.pop_front();
        }
        pos.line() + u64::from(self.lf_after_cr.front() == Some(&pos.byte()))
    }
}

/// The header row (trimmed), then the reader positioned on the first data row.
pub fn header<R: Read>(input: R) -> csv::Result<(csv::Reader<LineTracker<R>>, Vec<String>)> {
    let input = LineTracker { inner: input, offset: 0, last_cr: false, lf_after_cr: VecDeque::new() };
    let mut r = csv::ReaderBuilder::new().has_headers(false).flexible(true).buffer_capacity(1 << 20).from_reader(input);
    let mut rec = csv::ByteRecord::new();
    r.read_byte_record(&mut rec)?;
    let mut h: Vec<String> = rec.iter().map(|f| String::from_utf8_lossy(f).trim().to_string()).collect();
    if let Some(first) = h.first_mut() {
        *first = first.trim_start_matches('\u{feff}').to_string();
    }
    Ok((r, h))
}

/// One batch of rows handed from the tokenising thread to the parser.
struct Batch {
    rows: Vec<(csv::ByteRecord, u64)>,
    filled: usize,
    /// Bytes of input consumed once the batch was read.
    bytes: u64,
}

/// Reads all data rows of `reader` with `fmt`.
///
/// Three stages run at once, each on its own thread: tokenising the next
/// batch (sequential by nature), converting the current one (in parallel on
/// rayon's pool), and merging the previous one into `events` (interning,
/// sequential). Batches are merged in input order, so the result is the same
/// as reading, converting and merging one batch after the other.
pub fn read(
    fmt: &dyn CsvFormat,
    file: &str,
    mut reader: csv::Reader<LineTracker<impl Read + Send>>,
    strict: bool,
    events: &mut Events,
    report: &mut FileReport,
) -> csv::Result<()> {
    let per_batch = BATCH_ROWS * rayon::current_num_threads().max(1);
    // Row buffers circulate between the tokeniser and the parser, so steady
    // state allocates nothing per row.
    let (full_tx, full_rx) = mpsc::sync_channel::<Batch>(1);
    let (empty_tx, empty_rx) = mpsc::channel::<Vec<(csv::ByteRecord, u64)>>();
    let (parsed_tx, parsed_rx) = mpsc::sync_channel::<(Vec<Sink>, u64)>(1);
    for _ in 0..2 {
        empty_tx.send(Vec::with_capacity(per_batch)).expect("the receiver is alive");
    }
    std::thread::scope(|sc| {
        let tokeniser = sc.spawn(move || -> csv::Result<()> {
            while let Ok(mut rows) = empty_rx.recv() {
                let mut filled = 0;
                let mut done = false;
                while filled < per_batch {
                    if filled == rows.len() {
                        rows.push((csv::ByteRecord::new(), 0));
                    }
                    let (rec, line) = &mut rows[filled];
                    if !reader.read_byte_record(rec)? {
                        done = true;
                        break;
                    }
                    *line = rec.position().map_or(0, |p| reader.get_mut().record_line(p));
                    filled += 1;
                }
                let bytes = reader.position().byte();
                if full_tx.send(Batch { rows, filled, bytes }).is_err() || done {
                    break;
                }
            }
            Ok(())
        });
        let merger = sc.spawn(move || {
            while let Ok((sinks, bytes)) = parsed_rx.recv() {
                report.bytes = bytes;
                for s in sinks {
                    events.append(s.events);
                    report.absorb(s.report);
                }
            }
        });
        while let Ok(batch) = full_rx.recv() {
            let sinks: Vec<Sink> = batch.rows[..batch.filled]
                .par_chunks(BATCH_ROWS)
                .map(|part| {
                    let mut sink = Sink::new(file);
                    for (row, line) in part {
                        sink.line = *line;
                        if let Some(n) = fmt.columns()
                            && row.len() != n
                        {
                            sink.skip(
                                SkipReason::WrongColumnCount,
                                None,
                                format!("expected {n} columns, found {}", row.len()),
                            );
                            continue;
                        }
                        fmt.parse(row, &mut sink);
                    }
                    sink
                })
                .collect();
            // Strict mode stops after the batch holding the first error.
            let stop = strict && sinks.iter().any(|s| s.report.first_error().is_some());
            // The receivers end only when their sender is dropped below.
            let _ = empty_tx.send(batch.rows);
            let _ = parsed_tx.send((sinks, batch.bytes));
            if stop {
                break;
            }
        }
        // Closing the channels ends the other two stages.
        drop((full_rx, empty_tx, parsed_tx));
        // A panic in a stage (a bug, never input) goes on with its own message.
        merger.join().unwrap_or_else(|e| std::panic::resume_unwind(e));
        tokeniser.join().unwrap_or_else(|e| std::panic::resume_unwind(e))
    })
}
