//! The JSON driver: line-delimited files are cut into multi-megabyte chunks
//! at line ends and parsed in parallel (each chunk into its own `Events`,
//! merged in input order); pretty-printed documents are read whole.

use crate::diag::{FileReport, SkipReason};
use crate::sink::Sink;
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

fn parse_chunk(fmt: &dyn JsonFormat, file: &str, chunk: &[u8], first_line: u64) -> Sink {
    let mut sink = Sink::new(file);
    for (line_no, line) in (first_line..).zip(chunk.split(|&b| b == b'\n')) {
        sink.line = line_no;
        let rec = unwrap_line(line);
        if rec.is_empty() {
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

/// Reads a JSON input into `events`, accounting in `report`. Returns early
/// (after the batch holding it) on the first malformed record when `strict`.
pub fn read(
    fmt: &dyn JsonFormat,
    file: &str,
    mut input: impl Read,
    line_delimited: bool,
    strict: bool,
    events: &mut Events,
    report: &mut FileReport,
) -> std::io::Result<()> {
    if !line_delimited {
        let mut doc = Vec::new();
        input.read_to_end(&mut doc)?;
        report.bytes += doc.len() as u64;
        let mut sink = Sink::new(file);
        fmt.parse_document(&doc, &mut sink);
        events.append(sink.events);
        report.absorb(sink.report);
        return Ok(());
    }
    let batch = rayon::current_num_threads().max(1) * 2;
    let mut carry: Vec<u8> = Vec::new();
    let mut next_line = 1u64;
    let mut eof = false;
    while !eof {
        // Cut up to `batch` chunks, each ending at a line end.
        let mut chunks: Vec<(Vec<u8>, u64)> = Vec::with_capacity(batch);
        while chunks.len() < batch && !eof {
            let mut buf = std::mem::take(&mut carry);
            let want = CHUNK.max(buf.len() + CHUNK / 2);
            // Read into spare capacity (no zero-filling of the chunk first);
            // fewer bytes than asked for means the input ended.
            buf.reserve_exact(want - buf.len());
            let asked = (want - buf.len()) as u64;
            if (&mut input).take(asked).read_to_end(&mut buf)? < asked as usize {
                eof = true;
            }
            if !eof {
                match memchr::memrchr(b'\n', &buf) {
                    Some(p) => {
                        carry = buf[p + 1..].to_vec();
                        buf.truncate(p + 1);
                    }
                    None => {
                        // A line longer than the chunk: keep growing it.
                        carry = buf;
                        continue;
                    }
                }
            }
            report.bytes += buf.len() as u64;
            let lines = memchr::memchr_iter(b'\n', &buf).count() as u64;
            chunks.push((buf, next_line));
            next_line += lines;
        }
        let sinks: Vec<Sink> = chunks.par_iter().map(|(c, first)| parse_chunk(fmt, file, c, *first)).collect();
        for s in sinks {
            events.append(s.events);
            report.absorb(s.report);
        }
        if strict && report.first_error().is_some() {
            return Ok(());
        }
    }
    Ok(())
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
