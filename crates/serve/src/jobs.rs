//! The job runner: `--max-jobs` worker tasks take queued jobs from the store
//! (crate::store::Store::claim_next) and run each scan on tokio's blocking
//! pool, with the same library calls as `swarmscan scan`.
//!
//! Results are never half written: every output goes into
//! `DATA/results/<id>.tmp/`, which is renamed to `DATA/results/<id>/` only
//! when whole, and only then is the job marked done. A folder left with
//! `.tmp` by a crash is removed when the server starts again.
//!
//! Cancelling a running job marks it cancelled at once, but the scan itself
//! runs to its end (the scan library has no way to stop between stages yet);
//! its results are then thrown away. The worker is busy until then.

use crate::Shared;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use swarmscan_scan::{Progress, ScanParams, Signal};

/// The parameters a client may set on a scan job; the rest are the scan's
/// defaults (and the memory limit, three quarters of this machine's).
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct JobParams {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fdr: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_cluster: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signals: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
}

impl JobParams {
    /// The scan's parameters, or why these are not valid.
    pub fn scan_params(&self) -> Result<ScanParams, String> {
        let mut p = ScanParams { memory_limit: swarmscan_scan::memory::default_limit(), ..Default::default() };
        if let Some(fdr) = self.fdr {
            if !(fdr > 0.0 && fdr < 1.0) {
                return Err(format!("fdr must be between 0 and 1 (got {fdr})"));
            }
            p.fdr = fdr;
        }
        if let Some(m) = self.min_cluster {
            p.min_cluster = m.max(2);
        }
        if let Some(seed) = self.seed {
            p.seed = seed;
        }
        if let Some(names) = &self.signals {
            let mut signals = Vec::new();
            for n in names {
                let s = Signal::parse(n.trim()).ok_or_else(|| {
                    let all: Vec<&str> = Signal::ALL.iter().map(|s| s.as_str()).collect();
                    format!("unknown signal {n:?} (known: {})", all.join(", "))
                })?;
                signals.push(s);
            }
            if !signals.is_empty() {
                p.signals = signals;
            }
        }
        Ok(p)
    }
}

/// Where job `id`'s finished results are.
pub fn results_dir(data: &Path, id: i64) -> PathBuf {
    data.join("results").join(id.to_string())
}

/// One worker: claims and runs jobs until `stop` turns true.
pub(crate) async fn worker(shared: Arc<Shared>, mut stop: tokio::sync::watch::Receiver<bool>) {
    loop {
        if *stop.borrow() {
            return;
        }
        let claimed = shared.store.claim_next();
        match claimed {
            Ok(Some(job)) => run_job(&shared, job).await,
            Ok(None) | Err(_) => {
                // Nothing queued (or the store is busy): wait for a new job,
                // a stop, or a second.
                tokio::select! {
                    _ = shared.wake.notified() => {}
                    _ = stop.changed() => {}
                    _ = tokio::time::sleep(Duration::from_secs(1)) => {}
                }
            }
        }
    }
}

async fn run_job(shared: &Arc<Shared>, job: crate::store::Job) {
    let id = job.id;
    let outcome = match prepare(shared, &job) {
        Err(e) => Err(e),
        Ok((input, format, name, params)) => {
            let tmp = shared.data.join("results").join(format!("{id}.tmp"));
            let sh = shared.clone();
            let tmp2 = tmp.clone();
            let stage = move |s: &str| sh.set_stage(id, s);
            let res =
                tokio::task::spawn_blocking(move || scan_into(&input, format, &name, &params, &tmp2, &stage)).await;
            match res {
                Ok(Ok(())) => {
                    let dest = results_dir(&shared.data, id);
                    let _ = std::fs::remove_dir_all(&dest);
                    std::fs::rename(&tmp, &dest).map_err(|e| format!("moving the results into place: {e}"))
                }
                Ok(Err(e)) => {
                    let _ = std::fs::remove_dir_all(&tmp);
                    Err(e)
                }
                Err(e) => {
                    let _ = std::fs::remove_dir_all(&tmp);
                    Err(format!("the scan stopped unexpectedly (a bug): {e}"))
                }
            }
        }
    };
    shared.clear_stage(id);
    let ok = outcome.is_ok();
    match shared.store.finish_job(id, outcome.err().as_deref()) {
        Ok(true) => {}
        // Cancelled while it ran (or the store failed): no results.
        Ok(false) | Err(_) => {
            if ok {
                let _ = std::fs::remove_dir_all(results_dir(&shared.data, id));
            }
        }
    }
}

type Prepared = (PathBuf, Option<swarmscan_ingest::Format>, String, ScanParams);

fn prepare(shared: &Shared, job: &crate::store::Job) -> Result<Prepared, String> {
    let d = shared
        .store
        .dataset(&job.dataset_id)
        .map_err(|e| e.to_string())?
        .ok_or_else(|| format!("dataset {} is gone", job.dataset_id))?;
    let params: JobParams = serde_json::from_value(job.params.clone()).map_err(|e| format!("bad parameters: {e}"))?;
    Ok((
        shared.data.join(&d.path),
        d.format.parse().ok().filter(|f| *f != swarmscan_ingest::Format::MappedCsv),
        d.name,
        params.scan_params()?,
    ))
}

/// Reads `input` with Parquet support, as `swarmscan scan` does; `format`
/// forces a reader (a dataset is read again as the format it was recorded
/// as, which is what sniffing chose unless the upload named one).
pub fn read_dataset(
    input: &Path,
    format: Option<swarmscan_ingest::Format>,
) -> Result<(swarmscan_model::Events, swarmscan_ingest::IngestReport), swarmscan_ingest::Error> {
    let parquet = |path: &str, ev: &mut swarmscan_model::Events, file: &mut swarmscan_ingest::FileReport| {
        let n = swarmscan_parquet::read_parquet(Path::new(path), ev).map_err(|e| e.to_string())?;
        file.records += n;
        file.parsed += n;
        Ok(())
    };
    let inputs = [input.display().to_string()];
    let opts = swarmscan_ingest::ReadOptions { format, ..Default::default() };
    swarmscan_ingest::read_inputs(&inputs, &opts, Some(&parquet))
}

/// Scans `input` and writes every output into `out` (created afresh).
/// `name` stands for the file in the report, so no server path leaks.
pub fn scan_into(
    input: &Path,
    format: Option<swarmscan_ingest::Format>,
    name: &str,
    params: &ScanParams,
    out: &Path,
    stage: &(dyn Fn(&str) + Sync),
) -> Result<(), String> {
    stage("reading");
    let (events, mut report) = read_dataset(input, format).map_err(|e| format!("reading the dataset: {e}"))?;
    for f in &mut report.files {
        if let Some(e) = &f.error {
            return Err(format!("reading the dataset: {e}"));
        }
        f.file = name.to_string();
    }
    let outlets = swarmscan_domains::OutletList::builtin();
    let run = swarmscan_scan::run(&events, params, &outlets, &|p| {
        if let Progress::Started(s) = p {
            stage(s)
        }
    })
    .map_err(|e| format!("scanning: {e}"))?;
    stage("writing outputs");
    let header = swarmscan_report::Header::for_inputs(env!("CARGO_PKG_VERSION"), &report);
    let data = swarmscan_report::explain(&run.result, &run.params, &run.lookalikes, header);
    let io = |what: &str, e: std::io::Error| format!("writing {what}: {e}");
    let _ = std::fs::remove_dir_all(out);
    std::fs::create_dir_all(out).map_err(|e| io("the results folder", e))?;
    for (file, write) in swarmscan_report::OUTPUTS {
        let f = std::fs::File::create(out.join(file)).map_err(|e| io(file, e))?;
        let mut w = std::io::BufWriter::new(f);
        write(&data, &mut w).map_err(|e| io(file, e))?;
        std::io::Write::flush(&mut w).map_err(|e| io(file, e))?;
    }
    let mut summary = serde_json::Map::new();
    summary.insert("records".into(), report.records().into());
    summary.insert("events".into(), (events.len() as u64).into());
    summary.insert("accounts".into(), (events.num_accounts() as u64).into());
    summary.insert("skipped".into(), serde_json::to_value(report.skipped()).unwrap_or_default());
    let results = swarmscan_report::tables::scan_results(&data, &run.result).map_err(|e| e.to_string())?;
    summary.insert("results".into(), serde_json::to_value(results).unwrap_or_default());
    let text = serde_json::to_string_pretty(&summary).map_err(|e| e.to_string())?;
    std::fs::write(out.join("summary.json"), text).map_err(|e| io("summary.json", e))?;
    Ok(())
}
