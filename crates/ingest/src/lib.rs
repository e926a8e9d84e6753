//! Streaming readers for the social-media data researchers hold.
//!
//! ```text
//!  path | - ──► Source (gzip/zstd by magic, BOM stripped, head peeked)
//!            ──► sniff (JSON keys / CSV header) or --format
//!            ──► json driver (parallel line chunks | whole document)
//!                csv driver  (sequential tokenising, parallel rows)
//!            ──► format reader ──► Sink ──► Events + FileReport
//! ```
//!
//! Every record is either pushed as an event or skipped with a
//! [`SkipReason`]; a file that cannot be opened is reported and the other
//! files are still read.
//!
//! Architecture Invariant: this crate knows input formats and nothing about
//! detection or output; it returns an [`Events`] table and an
//! [`IngestReport`], never prints, and never panics on input bytes.

pub mod csvin;
pub mod diag;
mod formats;
#[doc(hidden)]
pub mod fuzzing;
pub mod json;
mod mapping;
pub mod sink;
pub mod sniff;
pub mod source;

pub use diag::{Diagnostic, FileReport, IngestReport, SkipReason};
pub use mapping::{ColumnMap, Field};
pub use sniff::Format;
pub use source::{Compression, Source};

use swarmscan_model::Events;

/// The default bound on one record (`--max-record-bytes`).
pub const DEFAULT_MAX_RECORD_BYTES: usize = 16 << 20;

/// Whole documents (pretty-printed JSON such as Telegram's `result.json`) are
/// read into memory whole, up to this size or `max_record_bytes` if larger.
pub const MAX_DOCUMENT_BYTES: usize = 1 << 30;

/// How to read inputs.
#[derive(Clone, Debug)]
pub struct ReadOptions {
    /// Force a format instead of sniffing each input.
    pub format: Option<Format>,
    /// Stop at the first malformed record (see [`Error::Strict`]).
    pub strict: bool,
    /// Column mapping for [`Format::MappedCsv`] (`--columns`).
    pub columns: Option<ColumnMap>,
    /// When set, every raw input byte read is added to it (progress bars;
    /// Parquet inputs count their whole size once read).
    pub progress: Option<std::sync::Arc<std::sync::atomic::AtomicU64>>,
    /// A record (a JSON line, a CSV row) longer than this is skipped as
    /// `record_too_large` without being held in memory whole.
    pub max_record_bytes: usize,
}

impl Default for ReadOptions {
    fn default() -> ReadOptions {
        ReadOptions {
            format: None,
            strict: false,
            columns: None,
            progress: None,
            max_record_bytes: DEFAULT_MAX_RECORD_BYTES,
        }
    }
}

/// Why reading stopped. Malformed records are *not* errors (they are
/// counted in the report) unless `strict` is set.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// `--strict` and a malformed record.
    #[error("stopped at the first bad record (--strict): {0}")]
    Strict(Diagnostic),
    /// An option that cannot work, e.g. `--format csv` without `--columns`.
    #[error("{0}")]
    Config(String),
}

/// Reads Parquet inputs (supplied by the crate that knows the Parquet schema,
/// so this crate stays free of Arrow).
pub type ParquetReader<'a> = &'a (dyn Fn(&str, &mut Events, &mut FileReport) -> Result<(), String> + Sync);

/// Reads every input in order into one table. Each input's accounting is in
/// the report, in input order; unreadable inputs are reported, not fatal.
pub fn read_inputs(
    inputs: &[String],
    opts: &ReadOptions,
    parquet: Option<ParquetReader<'_>>,
) -> Result<(Events, IngestReport), Error> {
    if opts.format == Some(Format::MappedCsv) && opts.columns.is_none() {
        return Err(Error::Config("--format csv needs a --columns mapping (see `swarmscan help inspect`)".into()));
    }
    let mut events = Events::new();
    let mut report = IngestReport::default();
    for path in inputs {
        let mut file = FileReport { file: path.clone(), ..Default::default() };
        if let Err(msg) = read_one(path, opts, parquet, &mut events, &mut file) {
            file.error = Some(msg);
        }
        let stop = opts.strict.then(|| file.first_error().cloned()).flatten();
        report.files.push(file);
        if let Some(d) = stop {
            return Err(Error::Strict(d));
        }
    }
    // Loading is done: free the interners' tables and spare capacity.
    events.seal();
    Ok((events, report))
}

fn read_one(
    path: &str,
    opts: &ReadOptions,
    parquet: Option<ParquetReader<'_>>,
    events: &mut Events,
    file: &mut FileReport,
) -> Result<(), String> {
    let counted_before = opts.progress.as_ref().map(|c| c.load(std::sync::atomic::Ordering::Relaxed));
    let src = Source::open_counted(path, opts.progress.as_ref()).map_err(|e| format!("cannot open: {e}"))?;
    if src.is_parquet && opts.format.is_none_or(|f| f == Format::Parquet) {
        file.compression = src.compression.as_str().into();
        file.format = Format::Parquet.as_str().into();
        let read = parquet.ok_or("this build cannot read Parquet")?;
        read(path, events, file)?;
        if let (Some(c), Some(before), Ok(m)) = (&opts.progress, counted_before, std::fs::metadata(path)) {
            // Only the sniffing peek went through the counter: count the rest.
            let seen = c.load(std::sync::atomic::Ordering::Relaxed).saturating_sub(before);
            c.fetch_add(m.len().saturating_sub(seen), std::sync::atomic::Ordering::Relaxed);
        }
        return Ok(());
    }
    read_source(src, opts, events, file)
}

/// Reads one opened input (any format but Parquet) into `events`, accounting
/// in `file`. `Err` means the input could not be read at all.
pub fn read_source(src: Source, opts: &ReadOptions, events: &mut Events, file: &mut FileReport) -> Result<(), String> {
    file.compression = src.compression.as_str().into();
    let format = match opts.format {
        Some(f) => f,
        None if opts.columns.is_some() && !src.is_parquet => Format::MappedCsv,
        None => sniff::sniff(&src).ok_or_else(|| match src.damage().get() {
            Some((at, why)) => {
                format!("format not recognised: the input breaks off at byte {at} (decompressed): {why}")
            }
            None => "format not recognised from its content; pass --format (and --columns for other CSV layouts)"
                .to_string(),
        })?,
    };
    file.format = format.as_str().into();
    if format == Format::Parquet {
        return Err("not a Parquet file (it does not start with PAR1)".into());
    }
    let name = src.name.clone();
    let damage = src.damage();
    let limits = Limits { max_record: opts.max_record_bytes.max(1), strict: opts.strict };
    if format.is_csv() {
        let mut reader = csvin::Tokeniser::new(src.into_reader(), limits.max_record);
        let header = reader.header().map_err(|e| format!("cannot read the CSV header: {e}"))?;
        let fmt = formats::csv_format(format, &header, opts.columns.as_ref())?;
        csvin::read(fmt.as_ref(), &name, reader, &limits, &damage, events, file).map_err(|e| format!("read error: {e}"))
    } else {
        let fmt = formats::json_format(format).ok_or_else(|| format!("no reader for {format}"))?;
        let line_delimited = format != Format::Telegram && json::is_line_delimited(&src.head);
        json::read(fmt.as_ref(), &name, src.into_reader(), line_delimited, &limits, &damage, events, file)
            .map_err(|e| format!("read error: {e}"))
    }
}

/// What the drivers need from [`ReadOptions`].
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// The longest record kept (bytes).
    pub max_record: usize,
    /// Stop after the batch holding the first malformed record.
    pub strict: bool,
}

/// The message of a `truncated_input` skip.
pub(crate) fn truncated_message(offset: u64, damage: Option<&(u64, String)>) -> String {
    match damage {
        Some((at, why)) if *at > offset => format!(
            "the input breaks off at byte {at} (decompressed), inside the record starting at byte {offset}: {why}; everything before it was read"
        ),
        Some((at, why)) => {
            format!("the input breaks off at byte {at} (decompressed): {why}; everything before it was read")
        }
        None => format!("the input ends inside a record starting at byte {offset}"),
    }
}
