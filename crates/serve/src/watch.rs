//! `watch` jobs: live detection (`swarmscan watch`) as a job of the queue,
//! shown while it runs, its events kept as datasets when it ends.
//!
//! ```text
//!  Jetstream / Mastodon ──► swarmscan_watch::run ──► DATA/results/<id>.live/
//!  (only --watch-source)      (duration_s, stop)       ├─ results/   latest scan, summary.json,
//!                                   │                  │             alerts.jsonl: served while it runs
//!                                   └─ callback ─► live counters (the job's `live`, its stage)
//!                                                      └─ archive/   the events kept (zstd), state.json
//!  at the end, however it ends:
//!    archive ─concatenate─► DATA/uploads/*.part ─hash─► DATA/datasets/<sha256>   one dataset per source
//!    results/ ─rename─► DATA/results/<id>/                                       on a normal end only
//! ```
//!
//! **No request forgery.** The server connects only to the sources an admin
//! allowed when starting it ([`crate::Config::watch_sources`],
//! `swarmscan serve --watch-source URL`): a job's URL must be one of them or
//! under one — the same scheme, host and port, its path the source's or
//! below it — compared as parsed URLs, never as strings. The check is made
//! when the job is queued and again when it starts (a restart may allow
//! less). A job's URL carries no user, password, query or fragment; a
//! Mastodon token comes from the server's environment only
//! ([`crate::Config::mastodon_token`]), never from a job.
//!
//! **Live.** The watch writes the scan contract, `summary.json` and
//! [`ALERTS_FILE`] into the live folder's `results/` after each scan (each
//! file whole), so `GET /api/jobs/{id}/results/{file}` serves them while
//! the job runs; the job's JSON lists those that exist so far and carries
//! the counters of [`Live`], kept from the watch's callback. Alerts name
//! their report by its URL on this server, not by a server path.
//!
//! **Ending.** At `duration_s` the watch scans once more and stops; its
//! results are moved into place and the job is done. Cancelling and a
//! shutdown raise its stop flag: it is then cancelled, or failed with
//! [`crate::store::STOPPED_WHILE_RUNNING`], and has no results.
//!
//! Decision: nothing collected is lost. However a watch ends, its archive
//! becomes one dataset per source, owned by the job's creator, by the same
//! path as an upload (written under `DATA/uploads/`, hashed, renamed into
//! `DATA/datasets/`, read once for its record accounting); the job's
//! `datasets` and its `summary.json` name them. A watch the server did not
//! see end (a crash) leaves its live folder, and the next start keeps its
//! events the same way ([`recover`]). The raw events are what a later scan,
//! a derived subset or a comparison needs; the live results are only the
//! last scan's view of them.
//!
//! A watch holds one of the `--max-jobs` slots for its whole duration, and
//! each of its scans has the memory limit of one job.

use crate::store::Job;
use crate::{Error, Shared};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use swarmscan_scan::Stop;
use swarmscan_watch::{JetstreamOptions, MastodonOptions, SourceEvent, SourceKind, WatchOptions};
use url::Url;

/// The alerts of a watch job, as JSON lines (beside its scan results).
pub const ALERTS_FILE: &str = "alerts.jsonl";

/// The longest watch a job may ask for.
const MAX_DURATION_S: f64 = 7.0 * 86_400.0;
/// The longest horizon and time between scans a job may ask for.
const MAX_SPAN_S: f64 = 366.0 * 86_400.0;
/// The most lateness a job may allow.
const MAX_LATENESS_S: f64 = 86_400.0;
/// Jetstream collections asked for unless a job names others (as
/// `swarmscan watch`: likes feed no signal).
const DEFAULT_COLLECTIONS: [&str; 2] = ["app.bsky.feed.post", "app.bsky.feed.repost"];

/// The parameters of a `watch` job; the rest are `swarmscan watch`'s
/// defaults, except that scan times a slow scan misses are skipped (a live
/// stream never falls behind).
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct WatchJob {
    /// A Jetstream endpoint (`ws://` or `wss://`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub jetstream: Option<String>,
    /// A Mastodon server (`http://` or `https://`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mastodon: Option<String>,
    /// Jetstream collections (default: posts and reposts).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub collections: Option<Vec<String>>,
    /// How long to watch (wall clock), 1 s to 7 days.
    pub duration_s: f64,
    /// How far back each scan looks, in stream time (default 24 h).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub horizon_s: Option<f64>,
    /// Stream time between scans (default 5 min).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub every_s: Option<f64>,
    /// How late an event may arrive and still be in the scan of its time
    /// (default 10 s).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lateness_s: Option<f64>,
}

impl WatchJob {
    /// Checks the parameters without the server's settings.
    pub fn check(&self) -> Result<(), String> {
        if self.jetstream.is_none() && self.mastodon.is_none() {
            return Err("give `jetstream`, `mastodon` or both: the URL of a stream the server allows".into());
        }
        for (kind, url) in self.sources() {
            job_url(kind, url)?;
        }
        let within = |name: &str, v: f64, lo: f64, hi: f64| {
            if v.is_finite() && v >= lo && v <= hi {
                Ok(())
            } else {
                Err(format!("{name} must be between {lo} and {hi} seconds (got {v})"))
            }
        };
        within("duration_s", self.duration_s, 1.0, MAX_DURATION_S)?;
        if let Some(h) = self.horizon_s {
            within("horizon_s", h, 1.0, MAX_SPAN_S)?;
        }
        if let Some(e) = self.every_s {
            within("every_s", e, 1.0, MAX_SPAN_S)?;
        }
        if let Some(l) = self.lateness_s {
            within("lateness_s", l, 0.0, MAX_LATENESS_S)?;
        }
        if let Some(cs) = &self.collections {
            if cs.len() > 100 {
                return Err("at most 100 collections".into());
            }
            for c in cs {
                let ok = !c.is_empty()
                    && c.len() <= 317
                    && c.chars().all(|ch| ch.is_ascii_alphanumeric() || matches!(ch, '.' | '-' | '*'));
                if !ok {
                    return Err(format!(
                        "{c:?} is not a collection (an NSID such as app.bsky.feed.post, or a prefix.*)"
                    ));
                }
            }
        }
        Ok(())
    }

    /// The sources asked for, with their kind.
    fn sources(&self) -> impl Iterator<Item = (SourceKind, &str)> {
        [(SourceKind::Jetstream, &self.jetstream), (SourceKind::Mastodon, &self.mastodon)]
            .into_iter()
            .filter_map(|(k, u)| u.as_deref().map(|u| (k, u)))
    }

    /// Checks that every URL is one the server allows (`allowed`, from
    /// [`parse_sources`]); the URLs to connect to, parsed.
    pub fn allowed(&self, allowed: &[Url]) -> Result<Vec<(SourceKind, Url)>, String> {
        if allowed.is_empty() {
            return Err("this server watches no live source: its admin allows them when starting it \
                 (swarmscan serve --watch-source URL)"
                .into());
        }
        let mut urls = Vec::new();
        for (kind, raw) in self.sources() {
            let url = job_url(kind, raw)?;
            if !allowed.iter().any(|a| within(&url, a)) {
                let list: Vec<&str> = allowed.iter().map(Url::as_str).collect();
                return Err(format!(
                    "{} is not a source this server allows (--watch-source): use one of {} or a URL under one",
                    url.as_str(),
                    list.join(", ")
                ));
            }
            urls.push((kind, url));
        }
        Ok(urls)
    }
}

/// The schemes a source of each kind is reached by.
fn schemes(kind: SourceKind) -> &'static [&'static str] {
    match kind {
        SourceKind::Jetstream => &["ws", "wss"],
        SourceKind::Mastodon => &["http", "https"],
    }
}

/// A job's URL for `kind`, parsed, or why it cannot be one.
fn job_url(kind: SourceKind, raw: &str) -> Result<Url, String> {
    let name = kind.as_str();
    if raw.len() > 2000 {
        return Err(format!("the {name} URL is longer than 2,000 characters"));
    }
    let url = Url::parse(raw.trim()).map_err(|e| format!("{name}: {raw:?} is not a URL ({e})"))?;
    let ok = schemes(kind);
    if !ok.contains(&url.scheme()) {
        return Err(format!("{name}: {raw:?} is not a {} URL", ok.join(":// or ") + "://"));
    }
    if url.host().is_none() {
        return Err(format!("{name}: {raw:?} names no host"));
    }
    if !url.username().is_empty() || url.password().is_some() || url.query().is_some() || url.fragment().is_some() {
        return Err(format!(
            "{name}: {raw:?} carries a user, password, query or fragment; give the options as parameters"
        ));
    }
    Ok(url)
}

/// Whether `url` is `source` or under it: the same scheme, host and port,
/// and a path that is the source's or continues it past a `/`.
fn within(url: &Url, source: &Url) -> bool {
    let base = source.path().trim_end_matches('/');
    let path = url.path();
    url.scheme() == source.scheme()
        && url.host() == source.host()
        && url.port_or_known_default() == source.port_or_known_default()
        && (path == base || path.strip_prefix(base).is_some_and(|rest| rest.starts_with('/')))
}

/// The `--watch-source` URLs parsed, or the first that is not a source.
pub fn parse_sources(sources: &[String]) -> Result<Vec<Url>, Error> {
    sources
        .iter()
        .map(|raw| {
            let bad = |reason: String| Error::WatchSource { url: raw.clone(), reason };
            let url = Url::parse(raw.trim()).map_err(|e| bad(format!("not a URL ({e})")))?;
            if !["ws", "wss", "http", "https"].contains(&url.scheme()) {
                return Err(bad("a Jetstream source is ws:// or wss://, a Mastodon one http:// or https://".into()));
            }
            if url.host().is_none() {
                return Err(bad("names no host".into()));
            }
            if !url.username().is_empty() || url.password().is_some() || url.query().is_some() {
                return Err(bad("give a URL without a user, password or query".into()));
            }
            Ok(url)
        })
        .collect()
}

/// A running watch's counters (the job's `live`), from the watch's
/// callback.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Live {
    /// Events kept so far (deduplicated, archived), all sources.
    pub events_kept: u64,
    /// Scans done.
    pub scans: u64,
    /// Alerts raised.
    pub alerts: u64,
    /// The stream time the last scan covered up to (RFC 3339).
    pub watermark: Option<String>,
    /// Events in the last scan's horizon.
    pub horizon_events: Option<u64>,
    /// Connections that ended and were opened again.
    pub reconnects: u64,
    #[serde(skip)]
    kept: BTreeMap<SourceKind, u64>,
}

/// Where job `id`'s watch writes while it runs.
pub fn live_dir(data: &Path, id: i64) -> PathBuf {
    data.join("results").join(format!("{id}.live"))
}

/// The result files watch job `j` has so far: the names of its kind's
/// fixed list that exist, in the live folder while it runs, in the results
/// folder once done.
pub(crate) fn results(data: &Path, j: &Job) -> Vec<String> {
    let dir = match j.state.as_str() {
        "running" => live_dir(data, j.id).join(swarmscan_watch::RESULTS_DIR),
        "done" => crate::jobs::results_dir(data, j.id),
        _ => return Vec::new(),
    };
    let names = crate::jobs::Spec::parse(&j.kind, j.params.clone()).map(|s| s.results()).unwrap_or_default();
    names.into_iter().filter(|n| dir.join(n).is_file()).collect()
}

/// Runs watch job `job` until its duration has passed or it is stopped;
/// keeps its events as datasets however it ends.
pub(crate) async fn run(shared: &Arc<Shared>, job: &Job, w: WatchJob, stop: Stop) -> Result<(), String> {
    let allowed = parse_sources(&shared.config.watch_sources).map_err(|e| e.to_string())?;
    let urls = w.allowed(&allowed)?;
    let id = job.id;
    let live = Arc::new(Mutex::new(Live::default()));
    shared.set_live(id, Some(live.clone()));
    shared.set_stage(id, "connecting");
    let sh = shared.clone();
    let ran = tokio::task::spawn_blocking(move || watch_and_keep(&sh, id, &w, &urls, &stop, live)).await;
    shared.set_live(id, None);
    ran.unwrap_or_else(|e| Err(format!("the job stopped unexpectedly (a bug): {e}")))
}

/// The watch's options for job `id` (no I/O).
fn options(
    shared: &Shared,
    id: i64,
    w: &WatchJob,
    urls: &[(SourceKind, Url)],
    stop: &Stop,
    out: PathBuf,
) -> WatchOptions {
    let mut o = WatchOptions::new(out.clone());
    for (kind, url) in urls {
        match kind {
            SourceKind::Jetstream => {
                let collections = match &w.collections {
                    Some(c) => c.clone(),
                    None => DEFAULT_COLLECTIONS.iter().map(|c| c.to_string()).collect(),
                };
                o.jetstream =
                    Some(JetstreamOptions { url: url.to_string(), collections, dids: Vec::new(), dictionary: None });
            }
            SourceKind::Mastodon => {
                let token = shared.config.mastodon_token.as_ref().map(|t| t.0.clone());
                o.mastodon = Some(MastodonOptions { url: url.to_string(), token, since_id: None });
            }
        }
    }
    let ms = |s: f64| (s * 1000.0).round() as i64;
    o.duration = Some(Duration::from_secs_f64(w.duration_s));
    if let Some(h) = w.horizon_s {
        o.horizon_ms = ms(h);
    }
    if let Some(e) = w.every_s {
        o.every_ms = ms(e);
    }
    if let Some(l) = w.lateness_s {
        o.lateness_ms = ms(l);
    }
    o.params.memory_limit = shared.config.job_memory_limit();
    // A cancel stops a long scan too, not only the stream.
    o.params.stop = stop.clone();
    o.alerts_file = Some(out.join(swarmscan_watch::RESULTS_DIR).join(ALERTS_FILE));
    o.report_link = Some(format!("/api/jobs/{id}/results/report.html"));
    o.version = env!("CARGO_PKG_VERSION").into();
    o.keep_up = true;
    o
}

/// The watch's callback: counters and the job's stage.
fn callback(shared: Arc<Shared>, id: i64, live: Arc<Mutex<Live>>) -> Arc<dyn Fn(SourceEvent) + Send + Sync> {
    Arc::new(move |e| {
        let mut l = live.lock().unwrap_or_else(|e| e.into_inner());
        match e {
            SourceEvent::Connected { source, .. } => shared.set_stage(id, &format!("watching ({})", source.as_str())),
            SourceEvent::Disconnected { source, retry_in, .. } => {
                l.reconnects += 1;
                let stage = format!("reconnecting to {} in {:.1} s", source.as_str(), retry_in.as_secs_f64());
                shared.set_stage(id, &stage);
            }
            SourceEvent::Kept { source, events } => {
                l.kept.insert(source, events);
                l.events_kept = l.kept.values().sum();
            }
            SourceEvent::Scanned(s) => {
                l.scans += 1;
                l.watermark = Some(s.watermark);
                l.horizon_events = Some(s.events);
            }
            SourceEvent::Alert(_) => l.alerts += 1,
            // A job's live folder is new: nothing to resume.
            SourceEvent::Resumed { .. } => {}
        }
    })
}

/// The blocking part of [`run`].
fn watch_and_keep(
    shared: &Arc<Shared>,
    id: i64,
    w: &WatchJob,
    urls: &[(SourceKind, Url)],
    stop: &Stop,
    live: Arc<Mutex<Live>>,
) -> Result<(), String> {
    let data = &shared.data;
    let dir = live_dir(data, id);
    if let Err(e) = std::fs::create_dir(&dir) {
        return Err(match e.kind() {
            std::io::ErrorKind::AlreadyExists => format!(
                "results/{id}.live exists already: an earlier run of this job left events the server \
                 could not keep yet (it tries again when it starts)"
            ),
            _ => format!("creating the job's live folder: {e}"),
        });
    }
    let opts = options(shared, id, w, urls, stop, dir.clone());
    let watched = swarmscan_watch::run(opts, stop.flag(), callback(shared.clone(), id, live));
    shared.set_stage(id, "keeping the events as datasets");
    let datasets = keep_archive(shared, id, &dir).map_err(|e| {
        format!("{e}; the events stay in the data folder (results/{id}.live) until the server starts again")
    })?;
    let report = match watched {
        Ok(r) if !stop.is_raised() => r,
        Ok(_) => {
            let _ = std::fs::remove_dir_all(&dir);
            return Err("stopped".into());
        }
        Err(e) => {
            let _ = std::fs::remove_dir_all(&dir);
            if stop.is_raised() {
                return Err("stopped".into());
            }
            return Err(match e {
                swarmscan_watch::Error::Io { path, err } => {
                    format!("the watch's files ({}): {err}", path.strip_prefix(data).unwrap_or(&path).display())
                }
                e => format!("the watch: {e}"),
            });
        }
    };
    let results = dir.join(swarmscan_watch::RESULTS_DIR);
    let finished = finish_results(&results, &report, &datasets).and_then(|()| {
        let dest = crate::jobs::results_dir(data, id);
        let _ = std::fs::remove_dir_all(&dest);
        std::fs::rename(&results, &dest).map_err(|e| format!("moving the results into place: {e}"))
    });
    let _ = std::fs::remove_dir_all(&dir);
    finished
}

/// Completes a finished watch's results: `summary.json` gets the job's
/// kind, the datasets made and the whole watch's accounting, and the
/// alerts file exists (empty when nothing was alerted).
fn finish_results(results: &Path, report: &swarmscan_watch::WatchReport, datasets: &[String]) -> Result<(), String> {
    let io = |what: &str, e: std::io::Error| format!("writing {what}: {e}");
    std::fs::create_dir_all(results).map_err(|e| io("the results folder", e))?;
    let path = results.join("summary.json");
    // The last scan's summary, when a scan ran.
    let mut summary = match std::fs::read(&path) {
        Ok(b) => serde_json::from_slice::<serde_json::Map<String, serde_json::Value>>(&b)
            .map_err(|e| format!("reading the last scan's summary.json: {e}"))?,
        Err(_) => serde_json::Map::new(),
    };
    summary.remove("command");
    summary.insert("kind".into(), "watch".into());
    summary.insert("datasets".into(), serde_json::json!(datasets));
    summary.insert("watch".into(), serde_json::to_value(report).unwrap_or_default());
    let text = serde_json::to_string_pretty(&summary).map_err(|e| e.to_string())?;
    let tmp = results.join("summary.json.tmp");
    std::fs::write(&tmp, text).map_err(|e| io("summary.json", e))?;
    std::fs::rename(&tmp, &path).map_err(|e| io("summary.json", e))?;
    let alerts = results.join(ALERTS_FILE);
    if !alerts.exists() {
        std::fs::write(&alerts, "").map_err(|e| io(ALERTS_FILE, e))?;
    }
    Ok(())
}

/// Keeps the archive in `dir` (watch job `id`'s live folder) as one
/// dataset per source that kept events, owned by the job's creator (who
/// may have changed since it started: a deleted user's jobs pass on). The
/// datasets' ids, also recorded in the job.
fn keep_archive(shared: &Shared, id: i64, dir: &Path) -> Result<Vec<String>, String> {
    let store = |e: crate::store::StoreError| e.to_string();
    let job = shared.store.job(id).map_err(store)?.ok_or_else(|| format!("job {id} is gone"))?;
    let files = swarmscan_watch::archive_files(dir).map_err(|e| format!("reading the watch's archive state: {e}"))?;
    let w: Option<WatchJob> = serde_json::from_value(job.params.clone()).ok();
    let mut ids = Vec::new();
    for source in SourceKind::ALL {
        let parts: Vec<(PathBuf, u64)> = files
            .iter()
            .filter(|f| f.source == source && f.events > 0 && f.bytes > 0)
            .map(|f| (f.path.clone(), f.bytes))
            .collect();
        if parts.is_empty() {
            continue;
        }
        let stored = crate::datasets::concatenate(&shared.data, &parts)?;
        let host = w.as_ref().and_then(|w| w.sources().find(|(k, _)| *k == source)).and_then(|(_, u)| {
            let u = Url::parse(u).ok()?;
            Some(format!("{}{}", u.host_str()?, u.port().map(|p| format!(":{p}")).unwrap_or_default()))
        });
        let name = match host {
            Some(h) => format!("watch #{id}: {} from {h}", source.as_str()),
            None => format!("watch #{id}: {}", source.as_str()),
        };
        ids.push(record(shared, stored, source, name, job.created_by)?);
    }
    shared.store.set_job_datasets(id, &ids).map_err(store)?;
    Ok(ids)
}

/// Records a stored archive as a dataset of `owner`, after reading it once
/// for its accounting; the same bytes stored before are that dataset
/// (shared with `owner` when they could not see it).
fn record(
    shared: &Shared,
    stored: crate::datasets::Stored,
    source: SourceKind,
    name: String,
    owner: i64,
) -> Result<String, String> {
    let store = |e: crate::store::StoreError| e.to_string();
    if let Some(d) = shared.store.dataset(&stored.id).map_err(store)? {
        if let Some(user) = shared.store.user(owner).map_err(store)?
            && !crate::auth::can_read(&shared.store, &user, &d).map_err(store)?
        {
            shared.store.share(&d.id, owner).map_err(store)?;
        }
        return Ok(d.id);
    }
    let path = shared.data.join(&stored.path);
    let (_, report) = crate::jobs::read_dataset(&path, Some(source.format())).map_err(|e| {
        let _ = std::fs::remove_file(&path);
        format!("reading the {} archive back: {e}", source.as_str())
    })?;
    let f =
        report.files.first().ok_or_else(|| format!("reading the {} archive back: nothing read", source.as_str()))?;
    // The events were read as they came: even a file the reader stopped in
    // is kept whole, with the accounting of what it read.
    let d = stored.dataset(name, owner, f);
    shared.store.add_dataset(&d).map_err(store)?;
    Ok(d.id)
}

/// Keeps the events of every watch the last server did not see end: each
/// live folder left in `DATA/results/` whose job is no longer running (the
/// store failed it when it opened) becomes its datasets, and goes. A
/// folder whose events cannot be kept stays for the next start.
pub(crate) fn recover(shared: &Shared) {
    let Ok(entries) = std::fs::read_dir(shared.data.join("results")) else { return };
    for e in entries.flatten() {
        let name = e.file_name();
        let Some(id) = name.to_str().and_then(|n| n.strip_suffix(".live")).and_then(|n| n.parse::<i64>().ok()) else {
            continue;
        };
        let ended = matches!(shared.store.job(id), Ok(Some(j)) if j.kind == "watch" && j.state != "running");
        if ended && keep_archive(shared, id, &e.path()).is_ok() {
            let _ = std::fs::remove_dir_all(e.path());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job(params: serde_json::Value) -> Result<WatchJob, String> {
        let w: WatchJob = serde_json::from_value(params).map_err(|e| e.to_string())?;
        w.check().map(|()| w)
    }

    fn sources(list: &[&str]) -> Vec<Url> {
        parse_sources(&list.iter().map(|s| s.to_string()).collect::<Vec<_>>()).unwrap()
    }

    #[test]
    fn parameters_are_checked_without_the_server() {
        let ok = serde_json::json!({ "jetstream": "wss://j.example/subscribe", "duration_s": 60 });
        assert!(job(ok).is_ok());
        for (params, says) in [
            (serde_json::json!({ "duration_s": 60 }), "give `jetstream`"),
            (serde_json::json!({ "jetstream": "wss://j.example", "duration_s": 0.5 }), "duration_s"),
            (serde_json::json!({ "jetstream": "wss://j.example", "duration_s": 8 * 86400 }), "duration_s"),
            (serde_json::json!({ "jetstream": "wss://j.example" }), "duration_s"),
            (serde_json::json!({ "jetstream": "https://j.example", "duration_s": 9 }), "ws://"),
            (serde_json::json!({ "mastodon": "wss://m.example", "duration_s": 9 }), "http://"),
            (serde_json::json!({ "jetstream": "wss://u:p@j.example", "duration_s": 9 }), "user"),
            (serde_json::json!({ "jetstream": "wss://j.example/?cursor=1", "duration_s": 9 }), "query"),
            (serde_json::json!({ "jetstream": "not a url", "duration_s": 9 }), "not a URL"),
            (serde_json::json!({ "jetstream": "wss://j.example", "duration_s": 9, "every_s": 0 }), "every_s"),
            (serde_json::json!({ "jetstream": "wss://j.example", "duration_s": 9, "lateness_s": -1 }), "lateness_s"),
            (
                serde_json::json!({ "jetstream": "wss://j.example", "duration_s": 9, "collections": ["a b"] }),
                "collection",
            ),
            (serde_json::json!({ "jetstream": "wss://j.example", "duration_s": 9, "token": "x" }), "unknown field"),
        ] {
            let e = job(params.clone()).unwrap_err();
            assert!(e.contains(says), "{params}: {e}");
        }
    }

    #[test]
    fn only_the_allowed_sources_or_urls_under_them_pass() {
        let allowed = sources(&["ws://127.0.0.1:4000/subscribe", "https://mastodon.example/", "wss://J.example"]);
        let check = |jetstream: Option<&str>, mastodon: Option<&str>| {
            let w = WatchJob {
                jetstream: jetstream.map(str::to_string),
                mastodon: mastodon.map(str::to_string),
                ..watching_nothing()
            };
            w.allowed(&allowed).map(|u| u.len())
        };
        for ok in [
            "ws://127.0.0.1:4000/subscribe",
            "ws://127.0.0.1:4000/subscribe/",
            "ws://127.0.0.1:4000/subscribe/more",
            "ws://127.0.0.1:4000/x/../subscribe",
            "wss://j.example",
            "wss://j.example:443/subscribe",
        ] {
            assert_eq!(check(Some(ok), None), Ok(1), "{ok}");
        }
        assert_eq!(check(Some("wss://j.example"), Some("https://MASTODON.example/users")), Ok(2));
        for bad in [
            "ws://127.0.0.1:4001/subscribe",
            "ws://127.0.0.1:4000/subscriber",
            "ws://127.0.0.1:4000/",
            "ws://127.0.0.1:4000/subscribe/../admin",
            "wss://127.0.0.1:4000/subscribe",
            "ws://127.0.0.1.evil.example:4000/subscribe",
            "ws://localhost:4000/subscribe",
            "wss://j.example.evil.example",
            "wss://j.example:8443",
        ] {
            let e = check(Some(bad), None).unwrap_err();
            assert!(e.contains("not a source this server allows"), "{bad}: {e}");
        }
        // A Mastodon URL is checked as one, against the same list.
        assert!(check(None, Some("http://mastodon.example")).is_err(), "another scheme");
        let w = WatchJob { jetstream: Some("wss://j.example".into()), ..watching_nothing() };
        assert!(w.allowed(&[]).unwrap_err().contains("--watch-source"), "no source allowed, none passes");
    }

    fn watching_nothing() -> WatchJob {
        WatchJob {
            jetstream: None,
            mastodon: None,
            collections: None,
            duration_s: 1.0,
            horizon_s: None,
            every_s: None,
            lateness_s: None,
        }
    }

    #[test]
    fn the_servers_sources_must_be_stream_urls() {
        for bad in ["ftp://x.example", "not a url", "wss://u:p@x.example", "https://x.example/?a=1"] {
            assert!(parse_sources(&[bad.to_string()]).is_err(), "{bad}");
        }
        assert_eq!(sources(&["wss://x.example/subscribe"]).len(), 1);
    }
}
