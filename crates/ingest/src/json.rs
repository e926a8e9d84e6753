//! The JSON driver: line-delimited files are cut into multi-megabyte chunks
//! at line ends and parsed in parallel (each chunk into its own `Events`,
//! merged in input order on a thread of its own while the next batch is read
//! and parsed); pretty-printed documents are read whole (up to
//! [`crate::MAX_DOCUMENT_BYTES`]). Lines longer than the record limit are
//! dropped as they are read, and an input that ends mid-line is reported as
//! `truncated_input`, so memory stays bounded and nothing before damage is lost.

use crate::Limits;
use crate::diag::{FileReport, SkipReason};
use crate::sink::Sink;
use crate::source::Damage;
use rayon::prelude::*;
use serde_json::value::RawValue;
use std::io::Read;
use swarmscan_model::Events;

/// A JSON-based format.
pub trait JsonFormat: Sync {
    /// Turns one record (one line, or one element of a top-level array)
    /// into events or skips. `sink.line` is already set.
    fn parse(&self, record: &[u8], sink: &mut Sink);

    /// Reads a whole pretty-printed document. The default treats a top-level
    /// array as records and anything else as one record.
    fn parse_document(&self, doc: &[u8], sink: &mut Sink) {
        for_each_element(doc, sink, |rec, sink| self.parse(rec, sink));
    }
}

/// Calls `f` for each element of a top-level JSON array in `doc` (or for
/// `doc` itself when it is not an array), with `sink.line` set.
pub fn for_each_element(doc: &[u8], sink: &mut Sink, mut f: impl FnMut(&[u8], &mut Sink)) {
    let trimmed = doc.trim_ascii();
    if trimmed.first() == Some(&b'[') {
        match serde_json::from_slice::<Vec<&RawValue>>(trimmed) {
            Ok(items) => {
                for item in items {
                    sink.locate(doc, item.get().as_bytes(), 1);
                    f(item.get().as_bytes(), sink);
                }
            }
            Err(e) if e.is_eof() => {
                sink.line = e.line() as u64;
                sink.skip(SkipReason::TruncatedInput, None, format!("the document ends early: {e}"));
            }
            Err(e) => {
                sink.line = e.line() as u64;
                sink.skip(SkipReason::MalformedJson, None, e.to_string());
            }
        }
    } else if !trimmed.is_empty() {
        sink.line = 1;
        f(trimmed, sink);
    }
}

/// Deserialises `rec` as `T`; on failure, records a skip that names the
/// field at fault (found by re-reading with a path tracker, only on error).
pub fn decode<'a, T: serde::Deserialize<'a>>(rec: &'a [u8], sink: &mut Sink) -> Option<T> {
    match from_bytes::<T>(rec) {
        Ok(v) => Some(v),
        Err(e) => {
            let reason = if e.is_syntax() || e.is_eof() { SkipReason::MalformedJson } else { SkipReason::BadValue };
            let mut de = serde_json::Deserializer::from_slice(rec);
            let path = match serde_path_to_error::deserialize::<_, T>(&mut de) {
                Err(pe) => Some(pe.path().to_string()).filter(|p| p != "."),
                Ok(_) => None,
            };
            let reason = if e.to_string().starts_with("missing field") { SkipReason::MissingField } else { reason };
            sink.skip(reason, path.as_deref(), e.to_string());
            None
        }
    }
}

/// Deserialises `rec` as `T`. A record that is valid UTF-8 (nearly all are)
/// is checked once, in bulk, and parsed as `str`, so that serde_json does
/// not re-validate every key and string it borrows one by one (a tenth of
/// the parse time on tweets); any other record is parsed as bytes, which
/// fails only where a string that is read is not UTF-8.
pub fn from_bytes<'a, T: serde::Deserialize<'a>>(rec: &'a [u8]) -> serde_json::Result<T> {
    match std::str::from_utf8(rec) {
        Ok(s) => serde_json::from_str(s),
        Err(_) => serde_json::from_slice(rec),
    }
}

const CHUNK: usize = 4 << 20;

/// One line of a line-delimited JSON file, with array-like wrapping removed:
/// `[{…},` and `{…}]` (v1.1 array-like files) become `{…}`; a bare `[` or
/// `]` is not a record. A line that is a whole array is returned as is.
fn unwrap_line(line: &[u8]) -> &[u8] {
    let mut l = line.trim_ascii();
    if l.first() == Some(&b'[') && l.last() == Some(&b']') && l.len() > 2 {
        // A whole array on one line (e.g. a Mastodon API page) stays whole,
        // unless it is `[{…}]`-wrapped single array-like element ending the file.
        return l;
    }
    if let Some(rest) = l.strip_prefix(b"[") {
        l = rest.trim_ascii_start();
    }
    if let Some(rest) = l.strip_suffix(b",") {
        l = rest.trim_ascii_end();
    }
    if l.last() == Some(&b']') && l.first() == Some(&b'{') {
        l = l[..l.len() - 1].trim_ascii_end();
    }
    if l == b"]" {
        // The closing bracket of an array-like file.
        return &[];
    }
    l
}

fn parse_chunk(fmt: &dyn JsonFormat, file: &str, chunk: &[u8], first_line: u64, max: usize) -> Sink {
    let mut sink = Sink::new(file);
    for (line_no, line) in (first_line..).zip(chunk.split(|&b| b == b'\n')) {
        sink.line = line_no;
        let rec = unwrap_line(line);
        if rec.is_empty() {
            continue;
        }
        if line.len() > max {
            sink.skip(SkipReason::RecordTooLarge, None, too_large(line.len() as u64, max));
            continue;
        }
        if rec[0] == b'[' {
            match serde_json::from_slice::<Vec<&RawValue>>(rec) {
                Ok(items) => items.iter().for_each(|i| fmt.parse(i.get().as_bytes(), &mut sink)),
                Err(e) => sink.skip(SkipReason::MalformedJson, None, e.to_string()),
            }
        } else {
            fmt.parse(rec, &mut sink);
        }
    }
    sink
}

/// Whether the head looks line-delimited: its first record line is a
/// complete JSON value on its own, or runs past the end of the head
/// unfinished (a twarc2 page of 100 tweets is a ~400 KB line; a
/// pretty-printed document's first line is a short, complete `{` or `[`).
pub fn is_line_delimited(head: &[u8]) -> bool {
    let mut rest = head;
    while !rest.is_empty() {
        let (line, complete) = match memchr::memchr(b'\n', rest) {
            Some(p) => (&rest[..p], true),
            None => (rest, false),
        };
        rest = if complete { &rest[line.len() + 1..] } else { &[] };
        let l = unwrap_line(line);
        if l.is_empty() {
            continue;
        }
        return match serde_json::from_slice::<serde::de::IgnoredAny>(l) {
            Ok(_) => true,
            Err(e) => !complete && e.is_eof() && l.len() > 2,
        };
    }
    true
}

/// One piece of a line-delimited input, in input order.
enum Piece {
    /// Whole lines (ending with `\n`) whose first line is `first_line`.
    Lines(Vec<u8>, u64),
    /// A line longer than the limit, skipped unread: its line and length.
    TooLarge(u64, u64),
}

/// Reads and drops input up to and including the next `\n`. Returns the
/// bytes dropped and what followed the `\n` in the last read (the start of
/// the next line), or `None` when the input ended first.
fn drop_line(input: &mut impl Read) -> std::io::Result<(u64, Option<Vec<u8>>)> {
    let mut buf = vec![0u8; 64 << 10];
    let mut dropped = 0u64;
    loop {
        let n = match input.read(&mut buf) {
            Ok(0) => return Ok((dropped, None)),
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if let Some(p) = memchr::memchr(b'\n', &buf[..n]) {
            return Ok((dropped + p as u64 + 1, Some(buf[p + 1..n].to_vec())));
        }
        dropped += n as u64;
    }
}

/// Reads a JSON input into `events`, accounting in `report`. Returns early
/// (after the batch holding it) on the first malformed record when
/// `limits.strict`.
///
/// Memory stays bounded whatever the input: a line longer than
/// `limits.max_record` is dropped as it is read (`record_too_large`), so a
/// batch holds at most `2 × threads` chunks of `max_record + 4 MiB`. A whole
/// document is read up to [`crate::MAX_DOCUMENT_BYTES`] (or `max_record`
/// if larger). An input that ends inside a line, or whose stream broke
/// (`damage`), ends with one `truncated_input` skip; every complete line
/// before it is read.
#[allow(clippy::too_many_arguments)]
pub fn read(
    fmt: &dyn JsonFormat,
    file: &str,
    mut input: impl Read,
    line_delimited: bool,
    limits: &Limits,
    damage: &Damage,
    events: &mut Events,
    report: &mut FileReport,
) -> std::io::Result<()> {
    let max = limits.max_record;
    if !line_delimited {
        let max_doc = crate::MAX_DOCUMENT_BYTES.max(max);
        let mut doc = Vec::new();
        (&mut input).take(max_doc as u64 + 1).read_to_end(&mut doc)?;
        let mut sink = Sink::new(file);
        sink.line = 1;
        if doc.len() > max_doc {
            let rest = std::io::copy(&mut input, &mut std::io::sink())?;
            report.bytes += doc.len() as u64 + rest;
            sink.skip(
                SkipReason::RecordTooLarge,
                None,
                format!("a {} byte document; documents are read whole up to {max_doc} bytes", doc.len() as u64 + rest),
            );
        } else if let Some(d) = damage.get() {
            // A whole document cannot be read past damage.
            report.bytes += doc.len() as u64;
            sink.skip(SkipReason::TruncatedInput, None, crate::truncated_message(doc.len() as u64, Some(&d)));
        } else {
            report.bytes += doc.len() as u64;
            fmt.parse_document(&doc, &mut sink);
        }
        events.append(sink.events);
        report.absorb(sink.report);
        return Ok(());
    }
    let batch = rayon::current_num_threads().max(1) * 2;
    let mut carry: Vec<u8> = Vec::new();
    // How much of `carry` is known to hold no `\n` (all of it, except after
    // an over-long line was dropped mid-read).
    let mut carry_scanned = 0usize;
    let mut next_line = 1u64;
    let mut eof = false;
    // The unterminated last line, if the input does not end with `\n`.
    let mut tail: Vec<u8> = Vec::new();
    // Bytes of the batches read, added to `report` once the merger is done.
    let mut bytes = 0u64;
    let mut stopped = false;
    // Two stages at once, as in the CSV driver: this thread reads and parses
    // a batch (its chunks in parallel) while the merger appends the previous
    // batch to `events` (interning, sequential). Batches are merged in input
    // order, so the result is the same as one batch after the other.
    let (parsed_tx, parsed_rx) = std::sync::mpsc::sync_channel::<Vec<Sink>>(1);
    let (ev, rep) = (&mut *events, &mut *report);
    std::thread::scope(|sc| -> std::io::Result<()> {
        let merger = sc.spawn(move || {
            while let Ok(sinks) = parsed_rx.recv() {
                for s in sinks {
                    ev.append(s.events);
                    rep.absorb(s.report);
                }
            }
        });
        let read = (|| -> std::io::Result<()> {
            while !eof {
                // Cut up to `batch` chunks, each ending at a line end.
                let mut pieces: Vec<Piece> = Vec::with_capacity(batch);
                while pieces.len() < batch && !eof {
                    let mut buf = std::mem::take(&mut carry);
                    // Only bytes not yet known to hold no `\n` are searched.
                    let scanned = std::mem::take(&mut carry_scanned);
                    let want = CHUNK.max(buf.len() + CHUNK / 2);
                    // Read into spare capacity (no zero-filling of the chunk
                    // first); fewer bytes than asked for means the input ended.
                    buf.reserve_exact(want - buf.len());
                    let asked = (want - buf.len()) as u64;
                    if (&mut input).take(asked).read_to_end(&mut buf)? < asked as usize {
                        eof = true;
                    }
                    match memchr::memrchr(b'\n', &buf[scanned..]).map(|p| p + scanned) {
                        Some(p) => {
                            carry = buf[p + 1..].to_vec();
                            carry_scanned = carry.len();
                            buf.truncate(p + 1);
                        }
                        None if eof => {
                            tail = buf;
                            break;
                        }
                        None if buf.len() > max => {
                            // A line longer than the limit: drop the rest of
                            // it unread.
                            let (dropped, next) = drop_line(&mut input)?;
                            let len = buf.len() as u64 + dropped;
                            bytes += len;
                            pieces.push(Piece::TooLarge(next_line, len));
                            next_line += 1;
                            match next {
                                Some(rest) => carry = rest,
                                None => eof = true,
                            }
                            continue;
                        }
                        None => {
                            // A line longer than the chunk: keep growing it.
                            carry_scanned = buf.len();
                            carry = buf;
                            continue;
                        }
                    }
                    if eof {
                        tail = std::mem::take(&mut carry);
                    }
                    bytes += buf.len() as u64;
                    let lines = memchr::memchr_iter(b'\n', &buf).count() as u64;
                    pieces.push(Piece::Lines(buf, next_line));
                    next_line += lines;
                }
                let sinks: Vec<Sink> = pieces
                    .par_iter()
                    .map(|piece| match piece {
                        Piece::Lines(c, first) => parse_chunk(fmt, file, c, *first, max),
                        Piece::TooLarge(line, len) => {
                            let mut sink = Sink::new(file);
                            sink.line = *line;
                            sink.skip(SkipReason::RecordTooLarge, None, too_large(*len, max));
                            sink
                        }
                    })
                    .collect();
                // In strict mode, stop after the batch holding the first
                // malformed record (earlier batches had none).
                let failed = limits.strict && sinks.iter().any(|s| s.report.first_error().is_some());
                if parsed_tx.send(sinks).is_err() {
                    break;
                }
                if failed {
                    stopped = true;
                    break;
                }
            }
            Ok(())
        })();
        drop(parsed_tx);
        merger.join().expect("the JSON merger does not panic");
        read
    })?;
    report.bytes += bytes;
    if stopped {
        return Ok(());
    }
    let mut sink = Sink::new(file);
    sink.line = next_line;
    let offset = report.bytes;
    report.bytes += tail.len() as u64;
    let damaged = damage.get();
    let rec = unwrap_line(&tail);
    // The record cut by the end of the input (or by damage) is the one
    // `truncated_input` skip; a last line without `\n` that is whole is read.
    let mut cut = damaged.is_some();
    if rec.len() > max {
        sink.skip(SkipReason::RecordTooLarge, None, too_large(tail.len() as u64, max));
    } else if !rec.is_empty() {
        match serde_json::from_slice::<serde::de::IgnoredAny>(rec) {
            Err(e) if e.is_eof() || damaged.is_some() => cut = true,
            _ => sink = parse_chunk(fmt, file, &tail, next_line, max),
        }
    }
    if cut {
        sink.line = next_line;
        sink.skip(SkipReason::TruncatedInput, None, crate::truncated_message(offset, damaged.as_ref()));
    }
    finish(sink, events, report)
}

fn finish(sink: Sink, events: &mut Events, report: &mut FileReport) -> std::io::Result<()> {
    events.append(sink.events);
    report.absorb(sink.report);
    Ok(())
}

fn too_large(len: u64, max: usize) -> String {
    format!("a {len} byte record; the limit is {max} bytes (raise it with --max-record-bytes)")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unwraps_array_like_lines() {
        assert_eq!(unwrap_line(b"[{\"a\":1},"), b"{\"a\":1}");
        assert_eq!(unwrap_line(b"{\"a\":1},\r"), b"{\"a\":1}");
        assert_eq!(unwrap_line(b"{\"a\":1}]"), b"{\"a\":1}");
        assert_eq!(unwrap_line(b"]"), b"");
        assert_eq!(unwrap_line(b"[{\"a\":1},{\"a\":2}]"), b"[{\"a\":1},{\"a\":2}]");
    }

    #[test]
    fn a_first_line_longer_than_the_head_is_line_delimited() {
        assert!(is_line_delimited(b"{\"a\":1}\n{\"a\":2}\n"));
        assert!(is_line_delimited(b"{\"data\":[{\"id\":\"1\"},{\"id\":\"2"));
        assert!(!is_line_delimited(b"{\n  \"a\": 1\n}\n"));
        assert!(!is_line_delimited(b"[\n  {\n    \"a\": 1\n  }\n]\n"));
        assert!(!is_line_delimited(b"{\"a\": 1,\n \"b\": 2}\n"));
    }
}
