//! The native half of the `swarmscan` Python package (`swarmscan._swarmscan`).
//!
//! The Python half (`python/swarmscan/`) turns what notebook users hold —
//! paths, pyarrow/polars/duckdb tables, pandas frames — into one of two
//! inputs here: a list of paths, read by the same readers as the CLI, or an
//! Arrow stream ([`PyRecordBatchReader`], any object with
//! `__arrow_c_stream__`). A stream in swarmscan's own event schema (what
//! [`read`] returns, what `swarmscan convert` writes) is appended as is;
//! any other table is handed to the CLI's readers as the CSV it would be
//! (one row a record, [`arrow_csv`]), so column names are sniffed and
//! mapped exactly as for a CSV file and every row is accounted for.
//!
//! Results leave as Arrow tables built here and handed to pyarrow through
//! the Arrow C stream interface without copying their buffers. The tables
//! of a scan are its output contract (`docs/scan.md`): the same writers as
//! the CLI's `accounts.csv`, `clusters.csv`, `edges.csv` and `domains.csv`
//! make the rows, typed by [`contract_table`]. The engine runs with the GIL
//! released. Errors raise `ValueError` (bad arguments or input) or
//! `OSError` (files) with the CLI's messages.

mod arrow_csv;

use arrow_array::RecordBatch;
use arrow_array::builder::{Float64Builder, Int64Builder, StringBuilder};
use arrow_schema::{DataType, Field, Schema};
use pyo3::exceptions::{PyOSError, PyValueError};
use pyo3::prelude::*;
use pyo3_arrow::{PyRecordBatchReader, PyTable};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use swarmscan_detect::{Mode, Network, Params};
use swarmscan_ingest::{ColumnMap, FileReport, Format, IngestReport, ReadOptions, Source};
use swarmscan_model::Events;
use swarmscan_report::ReportData;
use swarmscan_scan::{ScanParams, Signal};

fn value_error(e: impl std::fmt::Display) -> PyErr {
    PyValueError::new_err(e.to_string())
}

/// `data` and how to read it, as the Python side passes them: `(paths,
/// table, format, columns, strict)`.
#[derive(FromPyObject)]
struct InputArgs(Vec<String>, Option<PyRecordBatchReader>, Option<String>, Option<String>, bool);

/// Where events come from: paths, or an Arrow stream.
struct Input {
    paths: Vec<String>,
    stream: Option<PyRecordBatchReader>,
    options: ReadOptions,
}

impl Input {
    fn new(InputArgs(paths, stream, format, columns, strict): InputArgs) -> PyResult<Input> {
        let format: Option<Format> = format.as_deref().map(str::parse).transpose().map_err(value_error)?;
        let columns: Option<ColumnMap> = columns.as_deref().map(str::parse).transpose().map_err(value_error)?;
        if paths.is_empty() && stream.is_none() {
            return Err(PyValueError::new_err("no input: pass paths or a table"));
        }
        Ok(Input { paths, stream, options: ReadOptions { format, columns, strict, ..ReadOptions::default() } })
    }

    /// Reads the input (without the GIL, which the caller has released).
    fn load(self) -> Result<(Events, IngestReport), PyErr> {
        let parquet = |path: &str, ev: &mut Events, file: &mut FileReport| {
            let n = swarmscan_parquet::read_parquet(std::path::Path::new(path), ev).map_err(|e| e.to_string())?;
            file.records += n;
            file.parsed += n;
            Ok(())
        };
        let Some(stream) = self.stream else {
            let (events, report) =
                swarmscan_ingest::read_inputs(&self.paths, &self.options, Some(&parquet)).map_err(value_error)?;
            // The CLI reads the other files on and reports the unreadable
            // ones; a notebook gets an exception it cannot miss.
            if let Some(f) = report.files.iter().find(|f| f.error.is_some()) {
                return Err(PyOSError::new_err(format!("{}: {}", f.file, f.error.as_deref().unwrap_or_default())));
            }
            return Ok((events, report));
        };
        let reader = stream.into_reader()?;
        let mut events = Events::new();
        let mut file = FileReport { file: "<table>".into(), ..Default::default() };
        if arrow_csv::is_event_schema(&reader.schema()) {
            file.format = Format::Parquet.as_str().into();
            for batch in reader {
                let n = swarmscan_parquet::append_batch(&batch.map_err(value_error)?, &mut events)
                    .map_err(|m| value_error(format!("<table>: {m}")))?;
                file.records += n;
                file.parsed += n;
            }
        } else {
            let src = Source::from_reader("<table>".into(), Box::new(arrow_csv::CsvRows::new(reader)))
                .map_err(|e| PyOSError::new_err(e.to_string()))?;
            swarmscan_ingest::read_source(src, &self.options, &mut events, &mut file)
                .map_err(|m| value_error(format!("<table>: {m}")))?;
        }
        let stop = self.options.strict.then(|| file.first_error().cloned()).flatten();
        if let Some(d) = stop {
            return Err(value_error(swarmscan_ingest::Error::Strict(d)));
        }
        events.seal();
        Ok((events, IngestReport { files: vec![file] }))
    }
}

/// How often [`interruptible`] checks for signals.
const TICK: std::time::Duration = std::time::Duration::from_millis(50);

/// The panic payload that unwinds a cancelled scan to [`interruptible`].
struct Cancelled;

/// Runs `f` on a thread of its own while this thread, without the GIL,
/// waits for it and checks for signals every [`TICK`]: Ctrl-C in a notebook
/// sets the flag `f` is given, the engine stops at its next step (see
/// [`cancel_point`]) and the signal's exception (`KeyboardInterrupt`) is
/// raised once it has. Other Python threads run meanwhile.
fn interruptible<T: Send>(py: Python<'_>, f: impl FnOnce(&AtomicBool) -> PyResult<T> + Send) -> PyResult<T> {
    let cancel = AtomicBool::new(false);
    std::thread::scope(|s| {
        let (tx, rx) = std::sync::mpsc::channel();
        // Shared with the GIL-free waits (a receiver is not `Sync`).
        let rx = std::sync::Mutex::new(rx);
        let cancel = &cancel;
        s.spawn(move || {
            let _ = tx.send(std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(cancel))));
        });
        let mut interrupted = None;
        loop {
            let wait = || rx.lock().map_err(|_| std::sync::mpsc::RecvTimeoutError::Disconnected)?.recv_timeout(TICK);
            match py.detach(wait) {
                Ok(out) => {
                    return match (interrupted, out) {
                        (Some(e), _) => Err(e),
                        (None, Ok(r)) => r,
                        (None, Err(panic)) => std::panic::resume_unwind(panic),
                    };
                }
                Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
                    if interrupted.is_none()
                        && let Err(e) = py.check_signals()
                    {
                        interrupted = Some(e);
                        cancel.store(true, Ordering::Relaxed);
                    }
                }
                Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => {
                    return Err(PyValueError::new_err("the engine's thread ended without a result"));
                }
            }
        }
    })
}

/// Stops a cancelled run: unwinds to [`interruptible`] without running the
/// panic hook (nothing is printed).
fn cancel_point(cancel: &AtomicBool) {
    if cancel.load(Ordering::Relaxed) {
        std::panic::resume_unwind(Box::new(Cancelled));
    }
}

/// A table with one Arrow batch.
fn one_batch(batch: RecordBatch) -> PyResult<PyTable> {
    let schema = batch.schema();
    PyTable::try_new(vec![batch], schema)
}

/// Reads events: `(table, accounting)`, the accounting as JSON.
#[pyfunction]
fn read(py: Python<'_>, input: InputArgs) -> PyResult<(PyTable, String)> {
    let input = Input::new(input)?;
    let (batch, report) = py.detach(|| -> PyResult<_> {
        let (events, report) = input.load()?;
        let batch = swarmscan_parquet::into_record_batch(events).map_err(value_error)?;
        Ok((batch, report))
    })?;
    Ok((one_batch(batch)?, serde_json::to_string(&report).map_err(value_error)?))
}

/// The column types of the output contract's tables; every other column
/// is a string.
fn column_type(name: &str) -> DataType {
    match name {
        "cluster_id" | "size" | "weight" | "pairs" | "posts" => DataType::Int64,
        "score" | "p_value" | "min_dt_s" | "median_dt_s" => DataType::Float64,
        _ => DataType::Utf8,
    }
}

/// A CSV written by one of the contract's writers as an Arrow batch, typed
/// by [`column_type`] (an empty cell in a number column is null).
fn contract_table(csv_bytes: &[u8]) -> Result<RecordBatch, String> {
    let mut r = csv::ReaderBuilder::new().from_reader(csv_bytes);
    let header: Vec<String> = r.headers().map_err(|e| e.to_string())?.iter().map(str::to_string).collect();
    enum Col {
        Int(Int64Builder),
        Float(Float64Builder),
        Str(StringBuilder),
    }
    let mut cols: Vec<Col> = header
        .iter()
        .map(|h| match column_type(h) {
            DataType::Int64 => Col::Int(Int64Builder::new()),
            DataType::Float64 => Col::Float(Float64Builder::new()),
            _ => Col::Str(StringBuilder::new()),
        })
        .collect();
    for (line, rec) in r.records().enumerate() {
        let rec = rec.map_err(|e| e.to_string())?;
        for ((col, value), name) in cols.iter_mut().zip(rec.iter()).zip(&header) {
            let bad = || format!("line {}: {name} {value:?} is not a number", line + 2);
            match col {
                Col::Int(b) if value.is_empty() => b.append_null(),
                Col::Int(b) => b.append_value(value.parse().map_err(|_| bad())?),
                Col::Float(b) if value.is_empty() => b.append_null(),
                Col::Float(b) => b.append_value(value.parse().map_err(|_| bad())?),
                Col::Str(b) => b.append_value(value),
            }
        }
    }
    let fields: Vec<Field> = header.iter().map(|h| Field::new(h, column_type(h), true)).collect();
    let arrays = cols
        .into_iter()
        .map(|c| -> arrow_array::ArrayRef {
            match c {
                Col::Int(mut b) => Arc::new(b.finish()),
                Col::Float(mut b) => Arc::new(b.finish()),
                Col::Str(mut b) => Arc::new(b.finish()),
            }
        })
        .collect();
    RecordBatch::try_new(Arc::new(Schema::new(fields)), arrays).map_err(|e| e.to_string())
}

/// A finished scan: its explained findings, the output contract's tables
/// and the run's summary.
#[pyclass(module = "swarmscan._swarmscan", frozen)]
struct ScanOutput {
    data: ReportData,
    summary: String,
}

impl ScanOutput {
    /// The contract table `name` as one Arrow batch.
    fn batch(&self, name: &str) -> PyResult<RecordBatch> {
        let file = format!("{name}.csv");
        let (_, write) = swarmscan_report::OUTPUTS
            .iter()
            .find(|(n, _)| *n == file && n.ends_with(".csv"))
            .ok_or_else(|| value_error(format!("no table {name:?} (accounts, clusters, edges, domains)")))?;
        let mut bytes = Vec::new();
        write(&self.data, &mut bytes).map_err(value_error)?;
        contract_table(&bytes).map_err(|m| value_error(format!("{file}: {m}")))
    }
}

#[pymethods]
impl ScanOutput {
    /// The contract table `name` (`accounts`, `clusters`, `edges` or
    /// `domains`) as an Arrow table.
    fn table(&self, name: &str) -> PyResult<PyTable> {
        one_batch(self.batch(name)?)
    }

    /// [`table`](Self::table), with the address of every data buffer of
    /// every column as built here (offsets, then values), so a test can
    /// check that pyarrow sees the same memory.
    fn _table_with_addresses(&self, name: &str) -> PyResult<(PyTable, Vec<Vec<usize>>)> {
        let batch = self.batch(name)?;
        let addresses = batch
            .columns()
            .iter()
            .map(|c| c.to_data().buffers().iter().map(|b| b.as_ptr() as usize).collect())
            .collect();
        Ok((one_batch(batch)?, addresses))
    }

    /// `summary.json`'s `results`, as JSON.
    fn summary_json(&self) -> &str {
        &self.summary
    }

    /// Writes one output file (`accounts.csv`, …, `report.html`,
    /// `network.gexf`, `network.graphml`) to `path`, whole or not at all.
    fn write(&self, py: Python<'_>, name: &str, path: std::path::PathBuf) -> PyResult<()> {
        let (_, write) = swarmscan_report::OUTPUTS
            .iter()
            .find(|(n, _)| *n == name)
            .ok_or_else(|| value_error(format!("no output {name:?}")))?;
        py.detach(|| -> std::io::Result<()> {
            // Beside the destination, renamed over it when whole; removed
            // if anything fails.
            let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(std::path::Path::new("."));
            let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
            let mut w = std::io::BufWriter::new(tmp.as_file_mut());
            write(&self.data, &mut w)?;
            std::io::Write::flush(&mut w)?;
            drop(w);
            tmp.as_file().sync_all()?;
            tmp.persist(&path).map_err(|e| e.error)?;
            Ok(())
        })
        .map_err(|e| PyOSError::new_err(format!("{}: {e}", path.display())))
    }
}

/// Runs the scan; `windows` maps signal names to seconds (`None`: estimate
/// it from the data; the name `*`: every signal that can be estimated).
#[pyfunction]
#[pyo3(signature = (input, fdr=0.01, min_cluster=3, similarity=0.6, signals=None, windows=Vec::new(), seed=42, memory_limit=None, outlets=None))]
#[allow(clippy::too_many_arguments)]
fn scan(
    py: Python<'_>,
    input: InputArgs,
    fdr: f64,
    min_cluster: usize,
    similarity: f64,
    signals: Option<Vec<String>>,
    windows: Vec<(String, Option<f64>)>,
    seed: u64,
    memory_limit: Option<u64>,
    outlets: Option<std::path::PathBuf>,
) -> PyResult<ScanOutput> {
    let input = Input::new(input)?;
    let strict = input.options.strict;
    // The parameters as the CLI's flags set them.
    let signal = |s: &str| {
        Signal::parse(s.trim()).ok_or_else(|| {
            let all: Vec<&str> = Signal::ALL.iter().map(|s| s.as_str()).collect();
            value_error(format!("unknown signal {s:?} (known: {})", all.join(", ")))
        })
    };
    let mut params = ScanParams::default();
    if !(fdr > 0.0 && fdr < 1.0) {
        return Err(value_error(format!("fdr must be between 0 and 1 (got {fdr})")));
    }
    params.fdr = fdr;
    params.min_cluster = min_cluster.max(2);
    params.similarity = similarity;
    params.seed = seed;
    if let Some(s) = signals {
        params.signals = s.iter().map(|s| signal(s)).collect::<PyResult<_>>()?;
    }
    for (name, secs) in windows {
        if name == "*" {
            params.auto_windows.extend(Signal::ALL.into_iter().filter(|&s| swarmscan_scan::window::estimable(s)));
            continue;
        }
        let s = signal(&name)?;
        match secs {
            Some(secs) if secs.is_finite() && secs >= 0.0 => params.set_window(s, (secs * 1000.0).round() as i64),
            Some(secs) => return Err(value_error(format!("the window of {s} must be ≥ 0 seconds (got {secs})"))),
            None if swarmscan_scan::window::estimable(s) => params.auto_windows.push(s),
            None => return Err(value_error(format!("{s}'s window cannot be estimated"))),
        }
    }
    params.auto_windows.sort();
    params.auto_windows.dedup();
    params.memory_limit = memory_limit.or_else(swarmscan_scan::memory::default_limit);
    interruptible(py, |cancel| -> PyResult<ScanOutput> {
        let list = outlet_list(outlets.as_deref(), strict)?;
        let (events, report) = input.load()?;
        cancel_point(cancel);
        let run = swarmscan_scan::run(&events, &params, &list, &|_| cancel_point(cancel)).map_err(value_error)?;
        let header = swarmscan_report::Header::for_inputs(env!("CARGO_PKG_VERSION"), &report);
        let data = swarmscan_report::explain(&run.result, &run.params, &run.lookalikes, header);
        let results = swarmscan_report::tables::scan_results(&data, &run.result).map_err(value_error)?;
        let summary = serde_json::json!({
            "events": events.len(),
            "accounts": events.num_accounts(),
            "ingest": report,
            "results": results,
        });
        Ok(ScanOutput { summary: summary.to_string(), data })
    })
}

/// The built-in outlets, and the user's list at `path` (as `--outlets`).
fn outlet_list(path: Option<&std::path::Path>, strict: bool) -> PyResult<swarmscan_domains::OutletList> {
    let mut list = swarmscan_domains::OutletList::builtin();
    if let Some(p) = path {
        let name = p.display().to_string();
        let text = std::fs::read_to_string(p).map_err(|e| PyOSError::new_err(format!("{name}: {e}")))?;
        let user = if strict {
            swarmscan_domains::OutletList::parse_strict(&text, &name)
        } else {
            swarmscan_domains::OutletList::parse(&text, &name)
        };
        list.merge(user.map_err(value_error)?);
    }
    Ok(list)
}

/// Lookalike news domains (`swarmscan domains`) among the URLs of the input
/// (if any) and the `domains` given, as the CLI's findings table.
#[pyfunction]
#[pyo3(signature = (input=None, domains=Vec::new(), outlets=None, blocklist=None, strict=false))]
#[allow(clippy::too_many_arguments)]
fn domains(
    py: Python<'_>,
    input: Option<InputArgs>,
    domains: Vec<String>,
    outlets: Option<std::path::PathBuf>,
    blocklist: Option<std::path::PathBuf>,
    strict: bool,
) -> PyResult<PyTable> {
    let input = input.map(Input::new).transpose()?;
    let batch = py.detach(|| -> PyResult<RecordBatch> {
        let list = outlet_list(outlets.as_deref(), strict)?;
        let mut matcher = swarmscan_domains::Matcher::new(&list);
        if let Some(p) = &blocklist {
            let name = p.display().to_string();
            let text = std::fs::read_to_string(p).map_err(|e| PyOSError::new_err(format!("{name}: {e}")))?;
            matcher = matcher.with_blocklist(swarmscan_domains::Blocklist::parse(&text, &name).map_err(value_error)?);
        }
        let mut hosts = match input {
            Some(input) => swarmscan_scan::url_hosts(&input.load()?.0),
            None => Default::default(),
        };
        for d in &domains {
            if let Some(h) = swarmscan_domains::url_host(d.trim()) {
                hosts.entry(h).or_default();
            }
        }
        let list: Vec<&str> = hosts.keys().map(String::as_str).collect();
        let findings = matcher.check_many(&list);
        let mut bytes = Vec::new();
        swarmscan_report::tables::write_findings(&findings, &mut bytes).map_err(value_error)?;
        contract_table(&bytes).map_err(value_error)
    })?;
    one_batch(batch)
}

/// `swarmscan eval`: flagged accounts (`account_id → cluster_id`) against
/// labels (`account_id → label`, and optionally how many of its
/// operation's events each member posted), as JSON.
#[pyfunction]
#[pyo3(signature = (labels, flagged, positive_prefix="op_", actions=None))]
fn evaluate(
    labels: std::collections::BTreeMap<String, String>,
    flagged: std::collections::BTreeMap<String, u32>,
    positive_prefix: &str,
    actions: Option<std::collections::BTreeMap<String, u32>>,
) -> PyResult<String> {
    let mut r = swarmscan_scan::eval::evaluate(&labels, &flagged, positive_prefix);
    if let Some(actions) = &actions {
        swarmscan_scan::eval::add_participation(&mut r, &labels, actions, &flagged, positive_prefix);
    }
    serde_json::to_string(&r).map_err(value_error)
}

/// One co-action network as an edge table (the CLI's `network` CSV).
#[pyfunction]
#[pyo3(signature = (kind, input, window=None, min_weight=None, compat=None, similarity=0.8, min_doc_tokens=1, evidence=5))]
#[allow(clippy::too_many_arguments)]
fn network(
    py: Python<'_>,
    kind: &str,
    input: InputArgs,
    window: Option<f64>,
    min_weight: Option<u32>,
    compat: Option<&str>,
    similarity: f64,
    min_doc_tokens: usize,
    evidence: usize,
) -> PyResult<PyTable> {
    let network: Network = kind.parse().map_err(value_error)?;
    let mode = match compat {
        None => Mode::Default,
        Some("cnt") => Mode::Cnt,
        Some(other) => return Err(value_error(format!("unknown compat {other:?} (known: cnt)"))),
    };
    let mut params = Params::new(mode);
    if let Some(w) = window {
        if !(w.is_finite() && w >= 0.0) {
            return Err(value_error(format!("the window must be ≥ 0 seconds (got {w})")));
        }
        params.window_ms = (w * 1000.0).round() as i64;
    }
    if let Some(m) = min_weight {
        params.min_weight = m;
    }
    params.similarity = similarity;
    params.min_doc_tokens = min_doc_tokens;
    params.evidence = evidence;
    let input = Input::new(input)?;
    let batch = py.detach(|| -> PyResult<RecordBatch> {
        let (events, _) = input.load()?;
        let prepared = swarmscan_detect::prepare(&events, network, &params).map_err(value_error)?;
        let format = match mode {
            Mode::Cnt => swarmscan_detect::output::Format::CntCsv,
            Mode::Default => swarmscan_detect::output::Format::Csv,
        };
        let mut bytes = Vec::new();
        swarmscan_detect::output::write_edges(&mut bytes, &prepared, format).map_err(value_error)?;
        contract_table(&bytes).map_err(value_error)
    })?;
    one_batch(batch)
}

/// Synthetic activity with planted operations (`swarmscan gen`, the toolkit
/// CSV only): returns the files written.
#[pyfunction]
#[pyo3(signature = (out, scale=None, seed=42, scenario="default"))]
fn generate(
    py: Python<'_>,
    out: std::path::PathBuf,
    scale: Option<f64>,
    seed: u64,
    scenario: &str,
) -> PyResult<Vec<String>> {
    let preset = swarmscan_gen::preset(scenario).ok_or_else(|| {
        value_error(format!("unknown scenario `{scenario}`; use one of {}", swarmscan_gen::PRESETS.join(", ")))
    })?;
    let scale = scale.unwrap_or(preset.scale);
    if !(scale > 0.0 && scale.is_finite()) {
        return Err(value_error("scale must be a positive number of millions of events"));
    }
    let cfg = swarmscan_gen::GenConfig {
        scale,
        seed,
        formats: vec![swarmscan_gen::Format::Cnt],
        scenario: preset.scenario,
        ..Default::default()
    };
    let s = py
        .detach(|| swarmscan_gen::generate(&cfg, &out))
        .map_err(|e| PyOSError::new_err(format!("generating into {}: {e}", out.display())))?;
    Ok(s.files.iter().map(|f| f.display().to_string()).collect())
}

/// The default memory limit of a scan, bytes (`None` where the machine's
/// memory is unknown).
#[pyfunction]
fn default_memory_limit() -> Option<u64> {
    swarmscan_scan::memory::default_limit()
}

#[pymodule]
fn _swarmscan(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add_class::<ScanOutput>()?;
    m.add_function(wrap_pyfunction!(read, m)?)?;
    m.add_function(wrap_pyfunction!(scan, m)?)?;
    m.add_function(wrap_pyfunction!(network, m)?)?;
    m.add_function(wrap_pyfunction!(domains, m)?)?;
    m.add_function(wrap_pyfunction!(evaluate, m)?)?;
    m.add_function(wrap_pyfunction!(generate, m)?)?;
    m.add_function(wrap_pyfunction!(default_memory_limit, m)?)?;
    Ok(())
}
