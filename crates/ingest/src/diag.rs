//! Record accounting: every input record is parsed or counted as skipped with
//! a reason, and the first few skips of each file are kept as located
//! diagnostics (`file:line: field: reason`).

use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt;

/// How many located examples a file keeps (the counts are always complete).
pub const MAX_EXAMPLES: usize = 5;

/// Why a record did not become an event. The snake_case names are a stable,
/// documented contract (they appear in `summary.json`).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SkipReason {
    /// The line or value is not valid JSON.
    MalformedJson,
    /// The CSV row could not be tokenised (bad quoting, invalid UTF-8).
    MalformedCsv,
    /// A CSV row with the wrong number of columns.
    WrongColumnCount,
    /// A required field is absent or empty.
    MissingField,
    /// A field has the wrong type or an unparsable value.
    BadValue,
    /// The timestamp could not be parsed.
    BadTimestamp,
    /// The input ends inside a record: a file cut mid-record, or a gzip/zstd
    /// stream (or a read) that broke. Everything before it was read; the
    /// message gives the byte offset (decompressed) and the cause. One per
    /// broken input, standing for the cut record and whatever followed.
    TruncatedInput,
    /// A record longer than the limit (`--max-record-bytes`, 16 MiB by
    /// default), skipped without being held in memory.
    RecordTooLarge,
    /// An error object from the platform's API (twarc2 `errors[]`, stream
    /// error lines): nothing to parse, but counted so nothing vanishes.
    ApiError,
    /// A record that is not an action: a Telegram service message, a Bluesky
    /// identity event or delete, a profile. Not an error.
    NotAnAction,
}

impl SkipReason {
    /// Whether this reason means the input was broken (as opposed to a
    /// well-formed record that carries no action). `--strict` stops on these.
    pub fn is_error(self) -> bool {
        !matches!(self, SkipReason::ApiError | SkipReason::NotAnAction)
    }

    /// The stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            SkipReason::MalformedJson => "malformed_json",
            SkipReason::MalformedCsv => "malformed_csv",
            SkipReason::WrongColumnCount => "wrong_column_count",
            SkipReason::MissingField => "missing_field",
            SkipReason::BadValue => "bad_value",
            SkipReason::BadTimestamp => "bad_timestamp",
            SkipReason::TruncatedInput => "truncated_input",
            SkipReason::RecordTooLarge => "record_too_large",
            SkipReason::ApiError => "api_error",
            SkipReason::NotAnAction => "not_an_action",
        }
    }
}

impl fmt::Display for SkipReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One located skip.
#[derive(Clone, PartialEq, Eq, Debug, Serialize)]
pub struct Diagnostic {
    pub file: String,
    /// 1-based line where the record starts.
    pub line: u64,
    /// The field at fault, when known (`entities.urls[0].expanded_url`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    pub reason: SkipReason,
    pub message: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: ", self.file, self.line)?;
        if let Some(field) = &self.field {
            write!(f, "field `{field}`: ")?;
        }
        write!(f, "{}: {}", self.reason, self.message)
    }
}

/// The accounting of one input.
#[derive(Clone, Debug, Default, Serialize)]
pub struct FileReport {
    pub file: String,
    /// The format it was read as.
    pub format: String,
    /// Compression detected (`none`, `gzip`, `zstd`).
    pub compression: String,
    /// Bytes after decompression.
    pub bytes: u64,
    /// Records seen: `parsed + skipped`.
    pub records: u64,
    /// Records that became events.
    pub parsed: u64,
    /// Skipped records by reason.
    pub skipped: BTreeMap<SkipReason, u64>,
    /// The first few skips, in input order.
    pub examples: Vec<Diagnostic>,
    /// Set when the file could not be read at all (other files go on).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// The earliest malformed record (what `--strict` stops on), kept apart
    /// from `examples`, which may fill up with benign skips first.
    #[serde(skip)]
    pub first_error: Option<Diagnostic>,
}

impl FileReport {
    /// Total skipped records.
    pub fn skipped_total(&self) -> u64 {
        self.skipped.values().sum()
    }

    /// Skipped records whose reason is an input error.
    pub fn malformed(&self) -> u64 {
        self.skipped.iter().filter(|(r, _)| r.is_error()).map(|(_, n)| n).sum()
    }

    /// Adds the counts and examples of a later chunk of the same file.
    pub fn absorb(&mut self, other: FileReport) {
        self.records += other.records;
        self.parsed += other.parsed;
        for (r, n) in other.skipped {
            *self.skipped.entry(r).or_default() += n;
        }
        let room = MAX_EXAMPLES.saturating_sub(self.examples.len());
        self.examples.extend(other.examples.into_iter().take(room));
        if self.first_error.is_none() {
            self.first_error = other.first_error;
        }
    }

    /// The first skip that `--strict` stops on.
    pub fn first_error(&self) -> Option<&Diagnostic> {
        self.first_error.as_ref()
    }
}

/// The accounting of a whole run, one entry per input, in input order.
#[derive(Clone, Debug, Default, Serialize)]
pub struct IngestReport {
    pub files: Vec<FileReport>,
}

impl IngestReport {
    pub fn records(&self) -> u64 {
        self.files.iter().map(|f| f.records).sum()
    }
    pub fn parsed(&self) -> u64 {
        self.files.iter().map(|f| f.parsed).sum()
    }
    pub fn skipped(&self) -> BTreeMap<SkipReason, u64> {
        let mut m = BTreeMap::new();
        for f in &self.files {
            for (r, n) in &f.skipped {
                *m.entry(*r).or_default() += n;
            }
        }
        m
    }
    /// Malformed records plus unreadable files: non-zero means exit code 3.
    pub fn problems(&self) -> u64 {
        self.files.iter().map(|f| f.malformed() + u64::from(f.error.is_some())).sum()
    }
}
