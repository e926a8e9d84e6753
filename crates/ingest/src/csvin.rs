//! The CSV driver: rows are tokenised sequentially (quoted fields may span
//! lines, so a CSV file cannot be cut at arbitrary line ends) and converted
//! to events in parallel batches, merged in input order. The tokeniser holds
//! at most one row of the record limit: a longer row (an unclosed quote
//! swallowing the rest of a file) is read through and skipped.

use crate::Limits;
use crate::diag::{FileReport, SkipReason};
use crate::sink::Sink;
use crate::source::Damage;
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

/// Fields `0..N` of `row` as UTF-8, named by `names` in skips: [`field`]
/// for each, with the row's bytes validated once rather than field by field
/// (most rows are valid; a row that is not, or whose field ends fall inside
/// a character, is read field by field so the skip names the field).
pub fn fields<'r, const N: usize>(
    row: &'r csv::ByteRecord,
    names: &[&str; N],
    sink: &mut Sink,
) -> Option<[&'r str; N]> {
    let mut out = [""; N];
    let whole = std::str::from_utf8(row.as_slice()).ok();
    for (i, name) in names.iter().enumerate() {
        out[i] = match whole.zip(row.range(i)).and_then(|(all, r)| all.get(r)) {
            Some(s) => s,
            None => field(row, i, name, sink)?,
        };
    }
    Some(out)
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

/// What [`Tokeniser::next_row`] found.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum RowKind {
    /// A whole row, now in the record.
    Row,
    /// A row longer than the limit, dropped as it was read (its length).
    TooLarge(u64),
    /// The input ends inside this row (cut off, or the stream broke): the
    /// byte offset where the row starts. The record holds what was read.
    Cut(u64),
}

/// Splits CSV input into rows with bounded memory: csv-core's tokeniser fed
/// from a buffer, writing fields into a buffer that grows up to the record
/// limit and no further (a row over the limit, such as the rest of a file
/// after an unclosed quote, is read through and dropped).
pub struct Tokeniser<R> {
    input: std::io::BufReader<LineTracker<R>>,
    core: csv_core::Reader,
    /// Position of the next row: byte offset and csv-core's line count.
    byte: u64,
    line: u64,
    out: Vec<u8>,
    ends: Vec<usize>,
    max: usize,
    header_len: usize,
    done: bool,
}

impl<R: Read> Tokeniser<R> {
    /// A tokeniser over `input` that drops rows longer than `max` bytes.
    pub fn new(input: R, max: usize) -> Tokeniser<R> {
        let input = LineTracker { inner: input, offset: 0, last_cr: false, lf_after_cr: VecDeque::new() };
        Tokeniser {
            input: std::io::BufReader::with_capacity(1 << 20, input),
            core: csv_core::Reader::new(),
            byte: 0,
            line: 1,
            out: vec![0; 4096],
            ends: vec![0; 64],
            max,
            header_len: 0,
            done: false,
        }
    }

    /// Bytes of input consumed so far.
    pub fn byte(&self) -> u64 {
        self.byte
    }

    /// The line after the last row read.
    fn line_after(&self) -> u64 {
        self.line
    }

    /// Reads the header row (names trimmed, a BOM removed).
    pub fn header(&mut self) -> std::io::Result<Vec<String>> {
        let mut rec = csv::ByteRecord::new();
        let h: Vec<String> = match self.next_row(&mut rec, None)? {
            None => Vec::new(),
            Some((_, RowKind::TooLarge(n))) => {
                return Err(std::io::Error::other(format!(
                    "the header row is {n} bytes, over the record limit of {} bytes",
                    self.max
                )));
            }
            Some(_) => rec.iter().map(|f| String::from_utf8_lossy(f).trim().to_string()).collect(),
        };
        let mut h = h;
        if let Some(first) = h.first_mut() {
            *first = first.trim_start_matches('\u{feff}').to_string();
        }
        self.header_len = h.len();
        Ok(h)
    }

    /// Reads the next row into `rec`: its 1-based line and kind, or `None`
    /// at the end. A last row without a line end is [`RowKind::Cut`] when the
    /// stream broke (`damage`), it ends inside quotes, or it has fewer fields
    /// than the header.
    pub fn next_row(
        &mut self,
        rec: &mut csv::ByteRecord,
        damage: Option<&Damage>,
    ) -> std::io::Result<Option<(u64, RowKind)>> {
        use csv_core::ReadRecordResult::*;
        use std::io::BufRead;
        rec.clear();
        if self.done {
            return Ok(None);
        }
        let (start_byte, start_line) = (self.byte, self.line);
        let (mut outlen, mut endlen) = (0, 0);
        let mut too_large = false;
        // Quote characters in the row so far: an odd count at the end of the
        // input means it ends inside a quoted field.
        let mut quotes = 0usize;
        loop {
            let input = self.input.fill_buf()?;
            let at_eof = input.is_empty();
            let (res, nin, nout, nend) =
                self.core.read_record(input, &mut self.out[outlen..], &mut self.ends[endlen..]);
            quotes += memchr::memchr_iter(b'"', &input[..nin]).count();
            self.input.consume(nin);
            self.byte += nin as u64;
            self.line = self.core.line();
            outlen += nout;
            endlen += nend;
            match res {
                InputEmpty => continue,
                OutputFull | OutputEndsFull if too_large || outlen + endlen * 8 >= self.max => {
                    // Over the limit: read the rest of the row into the same space.
                    too_large = true;
                    (outlen, endlen) = (0, 0);
                }
                OutputFull => {
                    let n = (self.out.len() * 2).min(self.max.max(1024));
                    self.out.resize(n.max(self.out.len() + 1), 0);
                }
                OutputEndsFull => {
                    let n = self.ends.len() * 2;
                    self.ends.resize(n, 0);
                }
                Record => {
                    let mut pos = csv::Position::new();
                    pos.set_byte(start_byte).set_line(start_line);
                    let line = self.input.get_mut().record_line(&pos);
                    if too_large {
                        return Ok(Some((line, RowKind::TooLarge(self.byte - start_byte))));
                    }
                    let mut from = 0;
                    for &end in &self.ends[..endlen] {
                        rec.push_field(&self.out[from..end]);
                        from = end;
                    }
                    // A row that ends at the end of the input, without a line end.
                    if self.byte - start_byte > self.max as u64 {
                        return Ok(Some((line, RowKind::TooLarge(self.byte - start_byte))));
                    }
                    // Only the last row can be cut, so only it asks whether the
                    // stream broke (a lock and a copy: not once per row).
                    let unterminated = at_eof;
                    let broken = || damage.is_some_and(|d| d.get().is_some());
                    let kind = if unterminated && (quotes % 2 == 1 || rec.len() < self.header_len || broken()) {
                        RowKind::Cut(start_byte)
                    } else {
                        RowKind::Row
                    };
                    return Ok(Some((line, kind)));
                }
                End => {
                    self.done = true;
                    return Ok(None);
                }
            }
        }
    }
}

type Rows = Vec<(csv::ByteRecord, u64, RowKind)>;

/// One batch of rows handed from the tokenising thread to the parser.
struct Batch {
    rows: Rows,
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
///
/// Rows over the record limit become `record_too_large`; a last row cut off
/// by the end of the input or by damage to the stream becomes the one
/// `truncated_input` skip (added on its own when the stream broke between
/// rows).
pub fn read(
    fmt: &dyn CsvFormat,
    file: &str,
    mut reader: Tokeniser<impl Read + Send>,
    limits: &Limits,
    damage: &Damage,
    events: &mut Events,
    report: &mut FileReport,
) -> std::io::Result<()> {
    let strict = limits.strict;
    let max = limits.max_record;
    let per_batch = BATCH_ROWS * rayon::current_num_threads().max(1);
    // Row buffers circulate between the tokeniser and the parser, so steady
    // state allocates nothing per row.
    let (full_tx, full_rx) = mpsc::sync_channel::<Batch>(1);
    let (empty_tx, empty_rx) = mpsc::channel::<Rows>();
    let (parsed_tx, parsed_rx) = mpsc::sync_channel::<(Vec<Sink>, u64)>(1);
    for _ in 0..2 {
        empty_tx.send(Vec::with_capacity(per_batch)).expect("the receiver is alive");
    }
    std::thread::scope(|sc| {
        let tokeniser = sc.spawn(move || -> std::io::Result<()> {
            let mut cut_seen = false;
            while let Ok(mut rows) = empty_rx.recv() {
                let mut filled = 0;
                let mut done = false;
                while filled < per_batch {
                    if filled == rows.len() {
                        rows.push((csv::ByteRecord::new(), 0, RowKind::Row));
                    }
                    let (rec, line, kind) = &mut rows[filled];
                    match reader.next_row(rec, Some(damage))? {
                        Some((l, k)) => {
                            cut_seen |= matches!(k, RowKind::Cut(_));
                            (*line, *kind) = (l, k);
                        }
                        None => {
                            // A stream that broke between rows still says so.
                            if !cut_seen && damage.get().is_some() {
                                rec.clear();
                                (*line, *kind) = (reader.line_after(), RowKind::Cut(reader.byte()));
                                filled += 1;
                            }
                            done = true;
                            break;
                        }
                    }
                    filled += 1;
                }
                let bytes = reader.byte();
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
                    for (row, line, kind) in part {
                        sink.line = *line;
                        match *kind {
                            RowKind::Row => {}
                            RowKind::TooLarge(len) => {
                                sink.skip(
                                    SkipReason::RecordTooLarge,
                                    None,
                                    format!(
                                        "a {len} byte row; the limit is {max} bytes (raise it with --max-record-bytes)"
                                    ),
                                );
                                continue;
                            }
                            RowKind::Cut(offset) => {
                                let d = damage.get();
                                sink.skip(
                                    SkipReason::TruncatedInput,
                                    None,
                                    crate::truncated_message(offset, d.as_ref()),
                                );
                                continue;
                            }
                        }
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

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// `fields` gives what `field` gives one field at a time: the same
        /// strings, or a skip naming the same first bad field (fields split
        /// inside a character, whose row is valid UTF-8 as a whole, included).
        #[test]
        fn fields_equals_field_by_field(
            raw in proptest::collection::vec(
                proptest::collection::vec(prop_oneof![Just(b'a'), Just(0xc3u8), Just(0xa9u8), Just(0xffu8)], 0..4),
                0..4,
            ),
        ) {
            const NAMES: [&str; 3] = ["x", "y", "z"];
            let row = csv::ByteRecord::from(raw);
            let (mut one, mut each) = (Sink::new("f"), Sink::new("f"));
            let got = fields(&row, &NAMES, &mut one);
            let mut want = Some([""; 3]);
            for (i, name) in NAMES.iter().enumerate() {
                let Some(s) = field(&row, i, name, &mut each) else {
                    want = None;
                    break;
                };
                if let Some(w) = want.as_mut() {
                    w[i] = s;
                }
            }
            prop_assert_eq!(got, want);
            prop_assert_eq!(format!("{:?}", one.report), format!("{:?}", each.report));
        }
    }
}
