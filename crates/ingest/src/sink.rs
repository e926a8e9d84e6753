//! Where a reader puts what it parsed: events, skips and their locations.

use crate::diag::{Diagnostic, FileReport, MAX_EXAMPLES, SkipReason};
use swarmscan_model::{Events, RawEvent};

/// Collects one chunk's events and accounting. Readers call [`Sink::push`]
/// once per record that became an event and [`Sink::skip`] once per record
/// that did not, so `records == parsed + skipped` holds by construction.
#[derive(Debug)]
pub struct Sink {
    pub events: Events,
    pub report: FileReport,
    /// 1-based line of the record being read; drivers keep it current.
    pub line: u64,
    file: String,
}

impl Sink {
    pub fn new(file: &str) -> Sink {
        Sink { events: Events::for_appending(), report: FileReport::default(), line: 0, file: file.to_string() }
    }

    /// Records one event.
    #[inline]
    pub fn push(&mut self, e: &RawEvent<'_>) {
        self.events.push(e);
        self.report.records += 1;
        self.report.parsed += 1;
    }

    /// Records one skipped record at the current line.
    pub fn skip(&mut self, reason: SkipReason, field: Option<&str>, message: impl Into<String>) {
        self.report.records += 1;
        *self.report.skipped.entry(reason).or_default() += 1;
        let keep_example = self.report.examples.len() < MAX_EXAMPLES;
        let keep_error = reason.is_error() && self.report.first_error.is_none();
        if keep_example || keep_error {
            let d = Diagnostic {
                file: self.file.clone(),
                line: self.line,
                field: field.map(str::to_string),
                reason,
                message: message.into(),
            };
            if keep_error {
                self.report.first_error = Some(d.clone());
            }
            if keep_example {
                self.report.examples.push(d);
            }
        }
    }

    /// Sets [`Sink::line`] to the line of `part`, a sub-slice of `doc` whose
    /// first byte is on line `first_line`.
    pub fn locate(&mut self, doc: &[u8], part: &[u8], first_line: u64) {
        let off = (part.as_ptr() as usize).saturating_sub(doc.as_ptr() as usize).min(doc.len());
        self.line = first_line + memchr::memchr_iter(b'\n', &doc[..off]).count() as u64;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_error_survives_a_run_of_benign_skips() {
        let mut s = Sink::new("f");
        for line in 1..=MAX_EXAMPLES as u64 + 2 {
            s.line = line;
            s.skip(SkipReason::NotAnAction, None, "service message");
        }
        s.line = 99;
        s.skip(SkipReason::BadTimestamp, Some("date"), "bad");
        assert_eq!(s.report.examples.len(), MAX_EXAMPLES);
        let e = s.report.first_error().expect("malformed record kept");
        assert_eq!((e.line, e.field.as_deref(), e.reason), (99, Some("date"), SkipReason::BadTimestamp));
        assert_eq!(s.report.records, MAX_EXAMPLES as u64 + 3);
    }
}
