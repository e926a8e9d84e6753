//! The end-of-run summary: what was read, parsed and skipped (by reason, with
//! located examples), printed for people and written as JSON for scripts.

use serde::Serialize;
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::path::Path;
use swarmscan_ingest::{IngestReport, SkipReason};

/// Bumped when a field of the JSON summary changes meaning or is removed.
pub const SUMMARY_VERSION: u32 = 1;

#[derive(Serialize, Debug)]
pub struct Summary<'a> {
    pub summary_version: u32,
    pub tool_version: &'static str,
    pub command: &'static str,
    pub totals: Totals,
    pub inputs: &'a IngestReport,
    pub events: u64,
    pub accounts: u64,
    /// Extra per-command facts (outputs written, counts found).
    pub results: BTreeMap<&'static str, serde_json::Value>,
    /// Wall-clock seconds per stage; `stage/step` for the steps of a stage
    /// (`signals_and_tests/co_similar`).
    pub timings_s: BTreeMap<Cow<'static, str>, f64>,
    /// Lines on what was found, printed last for people (not in the JSON).
    #[serde(skip)]
    pub findings: Vec<String>,
}

#[derive(Serialize, Debug)]
pub struct Totals {
    pub records: u64,
    pub parsed: u64,
    pub skipped: u64,
    pub skipped_by_reason: BTreeMap<SkipReason, u64>,
    /// Malformed records plus unreadable inputs (non-zero → exit code 3).
    pub problems: u64,
}

impl<'a> Summary<'a> {
    pub fn new(command: &'static str, inputs: &'a IngestReport, events: u64, accounts: u64) -> Summary<'a> {
        let skipped_by_reason = inputs.skipped();
        Summary {
            summary_version: SUMMARY_VERSION,
            tool_version: env!("CARGO_PKG_VERSION"),
            command,
            totals: Totals {
                records: inputs.records(),
                parsed: inputs.parsed(),
                skipped: skipped_by_reason.values().sum(),
                skipped_by_reason,
                problems: inputs.problems(),
            },
            inputs,
            events,
            accounts,
            results: BTreeMap::new(),
            timings_s: BTreeMap::new(),
            findings: Vec::new(),
        }
    }

    /// The exit code this run earns.
    pub fn exit_code(&self) -> u8 {
        if self.totals.problems > 0 { crate::exit::PROBLEMS } else { crate::exit::OK }
    }

    /// Writes the JSON form to `path` (`-` = stdout), atomically.
    pub fn write_json(&self, path: &Path) -> anyhow::Result<()> {
        let text = self.to_json()?;
        crate::atomic::write_output(path, |w| Ok(w.write_all(text.as_bytes())?))
    }

    /// The JSON form, pretty-printed, with a final newline.
    pub fn to_json(&self) -> anyhow::Result<String> {
        let mut text = serde_json::to_string_pretty(self)?;
        text.push('\n');
        Ok(text)
    }

    /// The human-readable form, for stderr.
    pub fn render(&self) -> String {
        let t = &self.totals;
        let mut s = String::new();
        if !self.inputs.files.is_empty() {
            s += &format!(
                "read {} input{}: {} records, {} parsed, {} skipped → {} events from {} accounts\n",
                self.inputs.files.len(),
                if self.inputs.files.len() == 1 { "" } else { "s" },
                num(t.records),
                num(t.parsed),
                num(t.skipped),
                num(self.events),
                num(self.accounts),
            );
        }
        if !t.skipped_by_reason.is_empty() {
            let parts: Vec<String> = t.skipped_by_reason.iter().map(|(r, n)| format!("{r} {}", num(*n))).collect();
            s += &format!("  skipped by reason: {}\n", parts.join(", "));
        }
        for f in &self.inputs.files {
            let fmt = if f.format.is_empty() { "?" } else { &f.format };
            let comp = if f.compression.is_empty() || f.compression == "none" {
                String::new()
            } else {
                format!(", {}", f.compression)
            };
            match &f.error {
                Some(e) => s += &format!("  {}: {fmt}{comp}: cannot read: {e}\n", f.file),
                None => {
                    s += &format!(
                        "  {}: {fmt}{comp}: {} records, {} parsed, {} skipped\n",
                        f.file,
                        num(f.records),
                        num(f.parsed),
                        num(f.skipped_total())
                    )
                }
            }
            for d in &f.examples {
                s += &format!("    {d}\n");
            }
        }
        // Lists and tables (per-signal counts, parameters) are for the JSON;
        // a command with findings says them in its own words instead.
        let results = self.results.iter().filter(|_| self.findings.is_empty());
        for (k, v) in results.filter(|(_, v)| !v.is_array() && !v.is_object()) {
            s += &format!("  {k}: {v}\n");
        }
        for line in &self.findings {
            s += line;
            s.push('\n');
        }
        s
    }
}

/// `1234567` → `1,234,567`.
pub fn num(n: u64) -> String {
    let d = n.to_string();
    let mut out = String::with_capacity(d.len() + d.len() / 3);
    for (i, c) in d.chars().enumerate() {
        if i > 0 && (d.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}
