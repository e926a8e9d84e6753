//! Typed errors and line diagnostics.
//!
//! Reference lists are hand-edited text, so a bad line must name its file, line and field
//! and say what is wrong. [`Diagnostic`] is that record; [`Error`] is what the strict
//! parsers return when a list has any. The lenient parsers hand the diagnostics back beside
//! the good lines instead, so a caller can report them and carry on.

use std::fmt;

/// One rejected line of a reference list: where it is and why it was rejected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// The name the caller gave the text (usually its path).
    pub source_name: String,
    /// 1-based line number.
    pub line: usize,
    /// The column the problem is in, e.g. `canonical_domain`.
    pub field: &'static str,
    /// What is wrong, naming the offending value.
    pub reason: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}: {}", self.source_name, self.line, self.field, self.reason)
    }
}

/// Errors returned by this crate.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A reference list had bad lines. All of them are listed, in line order.
    #[error("{}", summarize(.diagnostics))]
    Invalid {
        /// Every bad line, in order.
        diagnostics: Vec<Diagnostic>,
    },
}

fn summarize(diagnostics: &[Diagnostic]) -> String {
    match diagnostics {
        [] => "invalid list (no diagnostics recorded; this is a bug)".to_owned(),
        [one] => one.to_string(),
        [first, rest @ ..] => format!("{first} (and {} more bad lines)", rest.len()),
    }
}

/// The error returned when a rule name is not one of [`crate::Rule::ALL`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown rule {name:?} (expected one of: {expected})")]
pub struct UnknownRule {
    pub(crate) name: String,
    pub(crate) expected: String,
}
