//! The job runner: `--max-jobs` worker tasks take queued jobs from the store
//! (crate::store::Store::claim_next) and run each on tokio's blocking pool,
//! with the same library calls as the command of the same name:
//!
//! | kind      | parameters ([`Spec`])                      | results                                  |
//! |-----------|--------------------------------------------|------------------------------------------|
//! | `scan`    | fdr, min_cluster, signals, seed            | the output contract of `swarmscan scan`, summary.json |
//! | `network` | networks (≥ 1), window_s, min_weight       | `<network>.csv` per network, summary.json |
//! | `domains` | none                                       | domains.csv (lookalike news domains), summary.json |
//! | `eval`    | job (a done scan of the dataset), labels   | eval.json                                 |
//! | `watch`   | jetstream, mastodon, duration_s, … ([`crate::watch`]); no dataset | the scan contract, summary.json, alerts.jsonl; a dataset per source |
//!
//! Results are never half written: every output goes into
//! `DATA/results/<id>.tmp/`, which is renamed to `DATA/results/<id>/` only
//! when whole, and only then is the job marked done. A folder left with
//! `.tmp` by a crash is removed when the server starts again.
//!
//! A `watch` job differs (crate::watch): its results are served while it
//! runs, from `DATA/results/<id>.live/`, and the events it kept become
//! datasets however it ends.
//!
//! Cancelling a running job marks it cancelled at once and raises its
//! [`swarmscan_scan::Stop`]: a scan stops at its next step (before each
//! signal, fusing, clustering, the group test), a network job before its
//! next network; whatever it wrote is removed. A server shutting down stops
//! its running jobs the same way and fails them with
//! [`crate::store::STOPPED_WHILE_RUNNING`], as a restart after a crash
//! would.

use crate::Shared;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use swarmscan_scan::{Progress, ScanParams, Signal, Stop};

/// What a job does: its kind and the parameters a client may set.
#[derive(Clone, Debug)]
pub enum Spec {
    Scan(ScanJob),
    Network(NetworkJob),
    Domains(DomainsJob),
    Eval(EvalJob),
    Watch(crate::watch::WatchJob),
}

/// The parameters of a `network` job; the rest are `swarmscan network`'s
/// defaults (default mode, CSV).
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct NetworkJob {
    /// Networks to build (`co_link`, `co_retweet`, …), at least one.
    pub networks: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub window_s: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_weight: Option<u32>,
}

/// A `domains` job takes no parameters.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct DomainsJob {}

/// An `eval` job: a finished scan of the same dataset against labels.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct EvalJob {
    /// The scan job evaluated.
    pub job: i64,
    /// `account_id,label[,op_actions]` CSV text, as `swarmscan gen` writes.
    pub labels: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub positive_prefix: Option<String>,
}

/// The kinds, as stored and as clients name them.
pub const KINDS: [&str; 5] = ["scan", "network", "domains", "eval", "watch"];

impl Spec {
    /// The spec of `kind` with `params` (JSON; absent is `{}`), or why not.
    pub fn parse(kind: &str, params: serde_json::Value) -> Result<Spec, String> {
        let params = if params.is_null() { serde_json::json!({}) } else { params };
        let bad = |e: serde_json::Error| format!("bad {kind} parameters: {e}");
        let spec = match kind {
            "scan" => Spec::Scan(serde_json::from_value(params).map_err(bad)?),
            "network" => Spec::Network(serde_json::from_value(params).map_err(bad)?),
            "domains" => Spec::Domains(serde_json::from_value(params).map_err(bad)?),
            "eval" => Spec::Eval(serde_json::from_value(params).map_err(bad)?),
            "watch" => Spec::Watch(serde_json::from_value(params).map_err(bad)?),
            _ => return Err(format!("unknown job kind {kind:?} (known: {})", KINDS.join(", "))),
        };
        spec.validate()?;
        Ok(spec)
    }

    fn validate(&self) -> Result<(), String> {
        match self {
            Spec::Scan(p) => p.scan_params().map(|_| ()),
            Spec::Network(p) => p.detect().map(|_| ()),
            Spec::Domains(_) => Ok(()),
            Spec::Eval(p) => {
                if p.labels.len() > MAX_LABELS_BYTES {
                    return Err(format!("labels are larger than {MAX_LABELS_BYTES} bytes"));
                }
                swarmscan_scan::eval::read_labels(p.labels.as_bytes(), "labels").map(|_| ())
            }
            Spec::Watch(p) => p.check(),
        }
    }

    pub fn kind(&self) -> &'static str {
        match self {
            Spec::Scan(_) => "scan",
            Spec::Network(_) => "network",
            Spec::Domains(_) => "domains",
            Spec::Eval(_) => "eval",
            Spec::Watch(_) => "watch",
        }
    }

    /// The parameters as stored.
    pub fn params(&self) -> serde_json::Value {
        match self {
            Spec::Scan(p) => serde_json::to_value(p),
            Spec::Network(p) => serde_json::to_value(p),
            Spec::Domains(p) => serde_json::to_value(p),
            Spec::Eval(p) => serde_json::to_value(p),
            Spec::Watch(p) => serde_json::to_value(p),
        }
        .unwrap_or_default()
    }

    /// The files a finished job of this spec has: the only names ever
    /// served from its results folder. (A watch has those of them that its
    /// scans wrote: crate::watch::results.)
    pub fn results(&self) -> Vec<String> {
        let summary = "summary.json".to_string();
        match self {
            Spec::Watch(_) => swarmscan_report::OUTPUTS
                .iter()
                .map(|(n, _)| n.to_string())
                .chain([summary, crate::watch::ALERTS_FILE.to_string()])
                .collect(),
            Spec::Scan(_) => swarmscan_report::OUTPUTS.iter().map(|(n, _)| n.to_string()).chain([summary]).collect(),
            Spec::Network(p) => p
                .detect()
                .map(|(networks, _)| networks.iter().map(|n| format!("{}.csv", n.as_str())).chain([summary]).collect())
                .unwrap_or_default(),
            Spec::Domains(_) => vec!["domains.csv".into(), summary],
            Spec::Eval(_) => vec!["eval.json".into()],
        }
    }
}

/// The largest labels text an eval job takes (its JSON body is capped at
/// 1 MiB anyway).
const MAX_LABELS_BYTES: usize = 1 << 20;

impl NetworkJob {
    /// The networks, deduplicated in order, and the detector's parameters.
    pub fn detect(&self) -> Result<(Vec<swarmscan_detect::Network>, swarmscan_detect::Params), String> {
        let mut networks = Vec::new();
        for n in &self.networks {
            let n: swarmscan_detect::Network = n.trim().parse().map_err(|e| format!("{e}"))?;
            if !networks.contains(&n) {
                networks.push(n);
            }
        }
        if networks.is_empty() {
            return Err("name at least one network in `networks`".into());
        }
        let mut p = swarmscan_detect::Params::new(swarmscan_detect::Mode::Default);
        if let Some(w) = self.window_s {
            if !(w.is_finite() && (0.0..=366.0 * 86_400.0).contains(&w)) {
                return Err(format!("window_s must be between 0 and a year of seconds (got {w})"));
            }
            p.window_ms = (w * 1000.0).round() as i64;
        }
        if let Some(m) = self.min_weight {
            p.min_weight = m;
        }
        Ok((networks, p))
    }
}

/// The parameters a client may set on a scan job; the rest are the scan's
/// defaults, and the memory limit is the server's ([`crate::Config::job_memory`]).
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ScanJob {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fdr: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_cluster: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signals: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
}

impl ScanJob {
    /// The scan's parameters, or why these are not valid.
    pub fn scan_params(&self) -> Result<ScanParams, String> {
        let mut p = ScanParams::default();
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
    let stop = Stop::new();
    shared.set_stop(id, Some(stop.clone()));
    let outcome = match Spec::parse(&job.kind, job.params.clone()) {
        Err(e) => Err(e),
        Ok(Spec::Watch(w)) => crate::watch::run(shared, &job, w, stop).await,
        Ok(spec) => run_batch(shared, &job, spec, stop).await,
    };
    shared.clear_stage(id);
    shared.set_stop(id, None);
    // A job the shutdown stopped fails as one a crash stopped would.
    let outcome = match outcome {
        Err(_) if shared.stopping.load(std::sync::atomic::Ordering::Relaxed) => {
            Err(crate::store::STOPPED_WHILE_RUNNING.to_string())
        }
        o => o,
    };
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

/// Runs a job that reads a dataset, into `DATA/results/<id>.tmp/`, which
/// becomes `DATA/results/<id>/` when whole.
async fn run_batch(shared: &Arc<Shared>, job: &crate::store::Job, spec: Spec, stop: Stop) -> Result<(), String> {
    let id = job.id;
    let work = prepare(shared, job, spec)?;
    let tmp = shared.data.join("results").join(format!("{id}.tmp"));
    let sh = shared.clone();
    let tmp2 = tmp.clone();
    let stage = move |s: &str| sh.set_stage(id, s);
    let res = tokio::task::spawn_blocking(move || run_work(&work, &tmp2, &stop, &stage)).await;
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
            Err(format!("the job stopped unexpectedly (a bug): {e}"))
        }
    }
}

/// What a claimed job needs, read from the store before it runs.
struct Work {
    spec: Spec,
    input: PathBuf,
    format: Option<swarmscan_ingest::Format>,
    /// The dataset's name: it stands for the file in reports, so no server
    /// path leaks.
    name: String,
    /// An eval job's scan results.
    scanned: Option<PathBuf>,
    /// A scan's memory limit (crate::Config::job_memory_limit).
    memory_limit: Option<u64>,
}

fn prepare(shared: &Shared, job: &crate::store::Job, spec: Spec) -> Result<Work, String> {
    let dataset = job.dataset_id.as_deref().ok_or_else(|| format!("a {} job needs a dataset", job.kind))?;
    let d = shared
        .store
        .dataset(dataset)
        .map_err(|e| e.to_string())?
        .ok_or_else(|| format!("dataset {dataset} is gone"))?;
    let scanned = match &spec {
        Spec::Eval(e) => Some(scan_results_of(shared, e.job, &d.id)?),
        _ => None,
    };
    Ok(Work {
        spec,
        input: shared.data.join(&d.path),
        format: d.format.parse().ok().filter(|f| *f != swarmscan_ingest::Format::MappedCsv),
        name: d.name,
        scanned,
        memory_limit: shared.config.job_memory_limit(),
    })
}

/// The results folder of `job`, a done scan of dataset `dataset`.
pub(crate) fn scan_results_of(shared: &Shared, job: i64, dataset: &str) -> Result<PathBuf, String> {
    let j = shared.store.job(job).map_err(|e| e.to_string())?;
    match j {
        Some(j) if j.kind == "scan" && j.state == "done" && j.dataset_id.as_deref() == Some(dataset) => {
            Ok(results_dir(&shared.data, j.id))
        }
        _ => Err(format!("job {job} is not a finished scan of this dataset")),
    }
}

/// Runs `w`, writing its results into `out` (created afresh).
fn run_work(w: &Work, out: &Path, stop: &Stop, stage: &(dyn Fn(&str) + Sync)) -> Result<(), String> {
    let io = |what: &str, e: std::io::Error| format!("writing {what}: {e}");
    let _ = std::fs::remove_dir_all(out);
    std::fs::create_dir_all(out).map_err(|e| io("the results folder", e))?;
    if let (Spec::Eval(e), Some(scanned)) = (&w.spec, &w.scanned) {
        stage("evaluating");
        let labels = swarmscan_scan::eval::read_labels(e.labels.as_bytes(), "labels")?;
        let accounts = scanned.join("accounts.csv");
        let f = std::fs::File::open(&accounts).map_err(|e| format!("reading the scan's accounts.csv: {e}"))?;
        let flagged = swarmscan_scan::eval::read_flagged(std::io::BufReader::new(f), "accounts.csv")?;
        let prefix = e.positive_prefix.as_deref().unwrap_or("op_");
        let mut r = swarmscan_scan::eval::evaluate(&labels.labels, &flagged, prefix);
        if let Some(actions) = &labels.actions {
            swarmscan_scan::eval::add_participation(&mut r, &labels.labels, actions, &flagged, prefix);
        }
        let text = serde_json::to_string_pretty(&r).map_err(|e| e.to_string())?;
        return std::fs::write(out.join("eval.json"), text + "\n").map_err(|e| io("eval.json", e));
    }
    stage("reading");
    let (events, mut report) = read_dataset(&w.input, w.format).map_err(|e| format!("reading the dataset: {e}"))?;
    for f in &mut report.files {
        if let Some(e) = &f.error {
            return Err(format!("reading the dataset: {e}"));
        }
        f.file = w.name.clone();
    }
    let mut summary = serde_json::Map::new();
    summary.insert("kind".into(), w.spec.kind().into());
    summary.insert("records".into(), report.records().into());
    summary.insert("events".into(), (events.len() as u64).into());
    summary.insert("accounts".into(), (events.num_accounts() as u64).into());
    summary.insert("skipped".into(), serde_json::to_value(report.skipped()).unwrap_or_default());
    // Each file is written whole or the job fails (and its folder goes).
    let write = |file: &str, f: &mut dyn FnMut(&mut std::io::BufWriter<std::fs::File>) -> std::io::Result<()>| {
        let mut w = std::io::BufWriter::new(std::fs::File::create(out.join(file)).map_err(|e| io(file, e))?);
        f(&mut w).map_err(|e| io(file, e))?;
        std::io::Write::flush(&mut w).map_err(|e| io(file, e))
    };
    let results = match &w.spec {
        Spec::Scan(p) => {
            let params = ScanParams { stop: stop.clone(), memory_limit: w.memory_limit, ..p.scan_params()? };
            let outlets = swarmscan_domains::OutletList::builtin();
            let run = swarmscan_scan::run(&events, &params, &outlets, &|p| {
                if let Progress::Started(s) = p {
                    stage(s)
                }
            })
            .map_err(|e| format!("scanning: {e}"))?;
            stage("writing outputs");
            let header = swarmscan_report::Header::for_inputs(env!("CARGO_PKG_VERSION"), &report);
            let data = swarmscan_report::explain(&run.result, &run.params, &run.lookalikes, header);
            for (file, writer) in swarmscan_report::OUTPUTS {
                write(file, &mut |w| writer(&data, w))?;
            }
            let results = swarmscan_report::tables::scan_results(&data, &run.result).map_err(|e| e.to_string())?;
            serde_json::to_value(results).unwrap_or_default()
        }
        Spec::Network(p) => {
            let (networks, params) = p.detect()?;
            let mut results = serde_json::Map::new();
            for n in networks {
                if stop.is_raised() {
                    return Err("stopped".into());
                }
                stage(n.as_str());
                let prepared = swarmscan_detect::prepare(&events, n, &params).map_err(|e| e.to_string())?;
                let mut st = swarmscan_detect::Stats::default();
                write(&format!("{}.csv", n.as_str()), &mut |w| {
                    st = swarmscan_detect::output::write_edges(w, &prepared, swarmscan_detect::output::Format::Csv)?;
                    Ok(())
                })?;
                results.insert(
                    n.as_str().into(),
                    serde_json::json!({ "edges": st.edges, "keyed_actions": st.keyed_actions }),
                );
            }
            serde_json::Value::Object(results)
        }
        Spec::Domains(_) => {
            stage("matching domains");
            let hosts = swarmscan_scan::url_hosts(&events);
            let matcher = swarmscan_domains::Matcher::new(&swarmscan_domains::OutletList::builtin());
            let list: Vec<&str> = hosts.keys().map(String::as_str).collect();
            let findings = matcher.check_many(&list);
            write("domains.csv", &mut |w| swarmscan_report::tables::write_findings(&findings, w))?;
            serde_json::json!({ "distinct_domains_checked": hosts.len(), "lookalike_domains": findings.len() })
        }
        Spec::Eval(_) => return Err("an eval job reads no events".into()),
        Spec::Watch(_) => return Err("a watch job reads a stream, not a dataset".into()),
    };
    summary.insert("results".into(), results);
    let text = serde_json::to_string_pretty(&summary).map_err(|e| e.to_string())?;
    std::fs::write(out.join("summary.json"), text).map_err(|e| io("summary.json", e))
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
