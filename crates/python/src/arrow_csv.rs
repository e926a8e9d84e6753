//! Any Arrow table read as the CSV file it would be, so that the CLI's
//! readers sniff its columns, map them and account for every row exactly as
//! for a file: a notebook's frame with the toolkit's, CooRTweet's or a
//! mapped layout is read by the same code as `events.csv`, and a bad row is
//! reported as `<table>:LINE` (the header is line 1, the table's first row
//! line 2).
//!
//! Cells are written as a CSV file of that layout would hold them:
//! strings as they are, numbers and booleans in their plain form, nulls
//! empty, timestamps and dates as Unix seconds with up to three decimals
//! (the engine's precision; the one time form the toolkit's, CooRTweet's
//! and mapped CSVs all read; a timestamp without a time zone is UTC),
//! and lists of strings (a `urls` column) as their items separated by
//! spaces. The text is made a few slices of rows ahead of the readers
//! ([`CsvRows`]), so memory stays at those slices (and the table itself)
//! whatever the table's size.

use arrow_array::cast::AsArray;
use arrow_array::types::TimestampMillisecondType;
use arrow_array::{Array, ArrayRef, RecordBatch, RecordBatchReader};
use arrow_cast::display::{ArrayFormatter, FormatOptions};
use arrow_schema::{DataType, Schema, TimeUnit};
use std::io::{self, Read};

/// Whether `schema` is swarmscan's own event schema (what `read` returns
/// and `swarmscan convert` writes), which is appended without the CSV
/// detour.
pub(crate) fn is_event_schema(schema: &Schema) -> bool {
    let ours = swarmscan_parquet::schema();
    schema.metadata().contains_key("swarmscan.schema_version")
        || (schema.fields().len() == ours.fields().len()
            && schema.fields().iter().zip(ours.fields()).all(|(a, b)| a.name() == b.name()))
}

/// Rows formatted into one piece of text.
const ROWS_PER_PIECE: usize = 1 << 15;

/// Pieces formatted ahead of the reader.
const PIECES_AHEAD: usize = 4;

/// A reader of CSV bytes made from an Arrow stream. A thread of its own
/// formats the rows, [`ROWS_PER_PIECE`] at a time and at most
/// [`PIECES_AHEAD`] pieces ahead, while the readers tokenise what it made
/// before (formatting on the reading thread made `read` of a table a
/// quarter slower than of its file; slices formatted in parallel on that
/// thread were no faster). Dropping the reader stops the thread at its
/// next piece.
pub(crate) struct CsvRows {
    pieces: std::sync::mpsc::Receiver<io::Result<Vec<u8>>>,
    buf: Vec<u8>,
    pos: usize,
    done: bool,
}

impl CsvRows {
    pub(crate) fn new(reader: Box<dyn RecordBatchReader + Send>) -> CsvRows {
        let (tx, pieces) = std::sync::mpsc::sync_channel(PIECES_AHEAD);
        std::thread::spawn(move || {
            // A send fails only when the reader is gone: stop then.
            let _ = format_all(reader, &tx);
        });
        CsvRows { pieces, buf: Vec::new(), pos: 0, done: false }
    }
}

/// Sends the header, then the rows piece by piece; an error is the last
/// piece sent.
fn format_all(
    mut reader: Box<dyn RecordBatchReader + Send>,
    tx: &std::sync::mpsc::SyncSender<io::Result<Vec<u8>>>,
) -> Result<(), std::sync::mpsc::SendError<io::Result<Vec<u8>>>> {
    let piece = |write: &dyn Fn(&mut csv::Writer<&mut Vec<u8>>) -> io::Result<()>| -> io::Result<Vec<u8>> {
        let mut out = Vec::new();
        let mut w = csv::WriterBuilder::new().has_headers(false).from_writer(&mut out);
        write(&mut w)?;
        w.flush()?;
        drop(w);
        Ok(out)
    };
    let schema = reader.schema();
    tx.send(piece(&|w| w.write_record(schema.fields().iter().map(|f| f.name().as_str())).map_err(io::Error::from)))?;
    for batch in reader.by_ref() {
        let batch = match batch {
            Ok(b) => b,
            Err(e) => return tx.send(Err(io::Error::other(e))),
        };
        for from in (0..batch.num_rows()).step_by(ROWS_PER_PIECE) {
            let rows = batch.slice(from, ROWS_PER_PIECE.min(batch.num_rows() - from));
            let p = piece(&|w| write_rows(&rows, w));
            let failed = p.is_err();
            tx.send(p)?;
            if failed {
                return Ok(());
            }
        }
    }
    Ok(())
}

impl Read for CsvRows {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        while self.pos == self.buf.len() {
            if self.done {
                return Ok(0);
            }
            match self.pieces.recv() {
                Ok(piece) => {
                    self.buf = piece?;
                    self.pos = 0;
                }
                // The thread is done.
                Err(_) => self.done = true,
            }
        }
        let n = out.len().min(self.buf.len() - self.pos);
        out[..n].copy_from_slice(&self.buf[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

/// How one column's cells are written.
enum Cell<'a> {
    /// Strings, as they are.
    Text(&'a dyn Array),
    /// Milliseconds since the epoch, written as Unix seconds.
    Millis(ArrayRef),
    /// A list of strings, items joined by spaces.
    Words(&'a dyn Array, Vec<ArrayFormatter<'a>>),
    /// Anything else, in Arrow's display form.
    Plain(ArrayFormatter<'a>),
}

const OPTIONS: FormatOptions<'static> = FormatOptions::new().with_null("");

fn cells(a: &dyn Array) -> io::Result<Cell<'_>> {
    let bad = |e: arrow_schema::ArrowError| io::Error::other(format!("column of type {}: {e}", a.data_type()));
    Ok(match a.data_type() {
        DataType::Timestamp(_, tz) => {
            Cell::Millis(arrow_cast::cast(a, &DataType::Timestamp(TimeUnit::Millisecond, tz.clone())).map_err(bad)?)
        }
        DataType::Date32 | DataType::Date64 => {
            Cell::Millis(arrow_cast::cast(a, &DataType::Timestamp(TimeUnit::Millisecond, None)).map_err(bad)?)
        }
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => Cell::Text(a),
        DataType::List(_) | DataType::LargeList(_) => {
            let values = match a.data_type() {
                DataType::List(_) => a.as_list::<i32>().values(),
                _ => a.as_list::<i64>().values(),
            };
            Cell::Words(a, vec![ArrayFormatter::try_new(values.as_ref(), &OPTIONS).map_err(bad)?])
        }
        _ => Cell::Plain(ArrayFormatter::try_new(a, &OPTIONS).map_err(bad)?),
    })
}

fn write_rows(batch: &RecordBatch, w: &mut csv::Writer<&mut Vec<u8>>) -> io::Result<()> {
    let cols: Vec<Cell<'_>> = batch.columns().iter().map(|c| cells(c.as_ref())).collect::<io::Result<_>>()?;
    let mut row: Vec<String> = vec![String::new(); cols.len()];
    for i in 0..batch.num_rows() {
        for (cell, out) in cols.iter().zip(row.iter_mut()) {
            out.clear();
            match cell {
                Cell::Text(a) => {
                    if a.is_valid(i) {
                        out.push_str(match a.data_type() {
                            DataType::Utf8 => a.as_string::<i32>().value(i),
                            DataType::LargeUtf8 => a.as_string::<i64>().value(i),
                            _ => a.as_string_view().value(i),
                        });
                    }
                }
                Cell::Millis(a) => {
                    let a = a.as_primitive::<TimestampMillisecondType>();
                    if a.is_valid(i) {
                        unix_seconds(a.value(i), out);
                    }
                }
                Cell::Words(a, values) => {
                    if a.is_valid(i) {
                        let range = match a.data_type() {
                            DataType::List(_) => {
                                let o = a.as_list::<i32>().value_offsets();
                                o[i] as usize..o[i + 1] as usize
                            }
                            _ => {
                                let o = a.as_list::<i64>().value_offsets();
                                o[i] as usize..o[i + 1] as usize
                            }
                        };
                        for j in range {
                            let item = values[0].value(j).to_string();
                            if !item.is_empty() {
                                if !out.is_empty() {
                                    out.push(' ');
                                }
                                out.push_str(&item);
                            }
                        }
                    }
                }
                Cell::Plain(f) => {
                    use std::fmt::Write;
                    write!(out, "{}", f.value(i)).map_err(io::Error::other)?;
                }
            }
        }
        w.write_record(&row)?;
    }
    Ok(())
}

/// `ms` as Unix seconds: `1600000001.5`, `-0.25`, `1600000000`.
fn unix_seconds(ms: i64, out: &mut String) {
    use std::fmt::Write;
    let (secs, frac) = (ms.div_euclid(1000), ms.rem_euclid(1000));
    if secs < 0 && frac > 0 {
        // -0.25 s is -1 s + 750 ms: print the sign and the magnitude.
        let m = ms.unsigned_abs();
        let _ = write!(out, "-{}", m / 1000);
        push_millis(m % 1000, out);
    } else {
        let _ = write!(out, "{secs}");
        push_millis(frac as u64, out);
    }
}

fn push_millis(frac: u64, out: &mut String) {
    if frac > 0 {
        let digits = format!(".{frac:03}");
        out.push_str(digits.trim_end_matches('0'));
    }
}
