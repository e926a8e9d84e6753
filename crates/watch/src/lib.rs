//! Live detection (`swarmscan watch`): Bluesky Jetstream and Mastodon
//! streams, a sliding horizon, the scan re-run on a schedule, alerts.
//!
//! ```text
//!  jetstream.rs ─┐  bounded channel            ┌─► archive/*.jsonl.zst, state.json
//!  mastodon.rs  ─┴──(backpressure)──► ingest ──┼─► Horizon (parsed chunks, Seen)
//!   (tokio tasks)                      loop    └─► snapshot every `every` of stream time
//!                                                      │ (bounded: one waiting)
//!                                                      ▼
//!                                     scan thread: swarmscan_scan::run → results/, alerts
//! ```
//!
//! Time is the servers' (Jetstream's `time_us`, Mastodon's `created_at`),
//! never the clients' `createdAt`. The watermark is the newest server time
//! seen minus the allowed lateness; when it passes a multiple of `every`,
//! the horizon is cut there — everything received so far, less what is
//! older than the horizon — and scanned. A snapshot holds exactly the table
//! a batch read of the same lines gives (`horizon.rs`), so each scan's
//! results are those of `swarmscan scan` on the archive up to that point.
//!
//! Decision: the scan's tests are re-run whole on each snapshot rather than
//! updated pair by pair. Its null model is fitted to the whole horizon (key
//! popularity, account activity, strata constants), so a pair's p-value
//! changes whenever any event enters or leaves; exact re-runs keep live
//! results equal to batch ones. What is incremental is everything before
//! the tests: reading, deduplicating and parsing each event once, into
//! chunks that enter and leave the horizon whole.

mod alerts;
mod archive;
mod frame;
mod horizon;
mod jetstream;
mod mastodon;

pub use alerts::Alert;
pub use frame::SourceKind;
pub use jetstream::{JETSTREAM_DICTIONARY, JetstreamOptions, REWIND_US};
pub use mastodon::MastodonOptions;

use archive::{Archive, State};
use frame::{Line, Msg, Position};
use horizon::{Horizon, Seen};
use serde::Serialize;
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};
use swarmscan_domains::OutletList;
use swarmscan_ingest::FileReport;
use swarmscan_model::Events;
use swarmscan_scan::ScanParams;

/// Everything `watch` needs.
#[derive(Clone)]
pub struct WatchOptions {
    pub jetstream: Option<JetstreamOptions>,
    pub mastodon: Option<MastodonOptions>,
    /// The output directory: results, alerts, archive, state.
    pub out: PathBuf,
    /// Stop after this long (wall clock); `None`: until stopped.
    pub duration: Option<Duration>,
    /// How much stream time the scans look back over (ms).
    pub horizon_ms: i64,
    /// How late (server time, ms) an event may arrive and still be in the
    /// scan of its time.
    pub lateness_ms: i64,
    /// Stream time between two scans (ms).
    pub every_ms: i64,
    pub params: ScanParams,
    pub outlets: OutletList,
    /// Archive the events kept (needed to rebuild the horizon on restart).
    pub archive: bool,
    /// Start a new archive file beyond this many bytes.
    pub archive_rotate_bytes: u64,
    /// Append alerts to this file as JSON lines.
    pub alerts_file: Option<PathBuf>,
    /// What alerts name as their report (`Alert::report`); `None`: the
    /// results directory. A server sets a URL, so no server path is shown.
    pub report_link: Option<String>,
    /// POST each alert as JSON to this URL.
    pub webhook: Option<String>,
    /// Capacity of the channel from the clients to the ingest loop (events).
    pub queue: usize,
    /// swarmscan's version, for the report.
    pub version: String,
    /// Stop (after a last scan) on Ctrl-C.
    pub ctrl_c: bool,
    /// When a scan time comes while the last snapshot still waits for the
    /// scan thread, skip it (counted) rather than hold the stream back: a
    /// live stream then never falls behind, and scans run back to back on
    /// the newest horizon. Off, every scan time is scanned and the stream
    /// waits: a replay gives exactly the scans of a live run.
    pub keep_up: bool,
}

impl WatchOptions {
    /// Defaults: 24 h horizon, 10 s lateness, a scan every 5 minutes, the
    /// scan's default memory limit (`scan --memory-limit`).
    pub fn new(out: PathBuf) -> WatchOptions {
        WatchOptions {
            jetstream: None,
            mastodon: None,
            out,
            duration: None,
            horizon_ms: 24 * 3_600_000,
            lateness_ms: 10_000,
            every_ms: 300_000,
            // The scan's default memory limit, as `scan` has it.
            params: ScanParams { memory_limit: swarmscan_scan::memory::default_limit(), ..ScanParams::default() },
            outlets: OutletList::builtin(),
            archive: true,
            archive_rotate_bytes: 256 << 20,
            alerts_file: None,
            report_link: None,
            webhook: None,
            queue: 16_384,
            version: String::new(),
            ctrl_c: false,
            keep_up: false,
        }
    }
}

/// Why `watch` stopped early.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{0}")]
    Config(String),
    #[error("{path}: {err}")]
    Io { path: PathBuf, err: std::io::Error },
    #[error("scan failed: {0}")]
    Scan(String),
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> Error + '_ {
    move |err| Error::Io { path: path.to_path_buf(), err }
}

/// What happened, for the binary to show.
#[derive(Debug)]
pub enum SourceEvent {
    Connected {
        source: SourceKind,
        url: String,
    },
    Disconnected {
        source: SourceKind,
        why: String,
        retry_in: Duration,
    },
    /// The horizon was rebuilt from the archive after a restart.
    Resumed {
        events: u64,
        files: usize,
    },
    /// `events`: a source's events kept so far in this run, now archived
    /// and synced (when archiving); after each chunk, so at most every
    /// 8,192 events or every half second.
    Kept {
        source: SourceKind,
        events: u64,
    },
    /// A scan finished.
    Scanned(ScanStats),
    Alert(Alert),
}

/// One scan's figures.
#[derive(Clone, Debug, Serialize)]
pub struct ScanStats {
    /// The stream time covered up to (RFC 3339).
    pub watermark: String,
    pub events: u64,
    pub accounts: u64,
    pub clusters: u64,
    pub flagged_accounts: u64,
    pub alerts: u64,
    pub seconds: f64,
}

pub(crate) type Notify = Arc<dyn Fn(SourceEvent) + Send + Sync>;

/// A client's reconnection count, shared with the ingest loop's summary.
#[derive(Default)]
pub(crate) struct SourceStatus {
    reconnects: AtomicU64,
}

impl SourceStatus {
    /// After a connection ended (`why`): counts it, says so and waits the
    /// backoff; false when the ingest loop has stopped (the client ends).
    async fn pause(
        &self,
        source: SourceKind,
        why: String,
        backoff: &mut Backoff,
        tx: &tokio::sync::mpsc::Sender<Msg>,
        on: &Notify,
    ) -> bool {
        if tx.is_closed() {
            return false;
        }
        let wait = backoff.next_delay();
        self.reconnects.fetch_add(1, Ordering::Relaxed);
        on(SourceEvent::Disconnected { source, why, retry_in: wait });
        tokio::time::sleep(wait).await;
        true
    }
}

/// Exponential backoff: 0.5 s doubling to 60 s, reset once a connection
/// delivers.
#[derive(Default)]
pub(crate) struct Backoff {
    failures: u32,
}

impl Backoff {
    fn next_delay(&mut self) -> Duration {
        let ms = (500u64 << self.failures.min(7)).min(60_000);
        self.failures += 1;
        Duration::from_millis(ms)
    }
    fn reset(&mut self) {
        self.failures = 0;
    }
}

/// The accounting of a whole watch, per source (`summary.json`'s `watch`).
#[derive(Clone, Debug, Default, Serialize)]
pub struct WatchReport {
    pub sources: BTreeMap<&'static str, SourceReport>,
    pub scans: u64,
    /// Scan times skipped because a snapshot was still waiting (`keep_up`).
    pub scans_skipped: u64,
    pub alerts: u64,
    /// Events in the horizon at the end.
    pub horizon_events: u64,
    /// Events read back from the archive at start.
    pub resumed_events: u64,
    pub webhook_failed: u64,
    pub seconds: f64,
}

/// One source's accounting: every frame is an event kept, a duplicate, too
/// old for the horizon, malformed, or a stream message that is no event;
/// the events kept are then parsed or skipped by the batch reader.
#[derive(Clone, Debug, Default, Serialize)]
pub struct SourceReport {
    pub frames: u64,
    pub kept: u64,
    pub duplicates: u64,
    pub older_than_horizon: u64,
    pub malformed_frames: BTreeMap<&'static str, u64>,
    pub ignored_messages: BTreeMap<String, u64>,
    pub reconnects: u64,
    /// The batch reader's accounting of the events in this run's horizon:
    /// those kept and those read back from the archive at start.
    pub read: FileReport,
}

/// One file of a watch's archive (`archive/<source>-NNNNNN.jsonl.zst`).
#[derive(Clone, Debug, PartialEq)]
pub struct ArchiveFile {
    pub source: SourceKind,
    pub path: PathBuf,
    /// Its synced length: anything after it (a frame torn by a crash) is
    /// no part of the archive.
    pub bytes: u64,
    pub events: u64,
}

/// The archive of the watch whose output directory is `out`, as its state
/// records it: per source, files in writing order. Each file's first
/// `bytes` are whole zstd frames of JSON lines, so a source's files
/// concatenated are one valid zstd stream of its events, in arrival order
/// (what `swarmscan scan` reads).
pub fn archive_files(out: &Path) -> Result<Vec<ArchiveFile>, Error> {
    let state = State::load(out).map_err(io_err(out))?;
    let dir = out.join(archive::ARCHIVE_DIR);
    let files = state.archive.iter().filter_map(|f| {
        let source = SourceKind::ALL.into_iter().find(|s| s.as_str() == f.source)?;
        Some(ArchiveFile { source, path: dir.join(&f.file), bytes: f.bytes, events: f.events })
    });
    Ok(files.collect())
}

/// A snapshot on its way to the scan thread.
struct Snapshot {
    events: Events,
    watermark_ms: i64,
    report: WatchReport,
    last: bool,
}

/// Watches the streams until `stop` is set or the duration has passed,
/// scanning the horizon on schedule and once more at the end.
pub fn run(opts: WatchOptions, stop: Arc<AtomicBool>, on: Notify) -> Result<WatchReport, Error> {
    if opts.jetstream.is_none() && opts.mastodon.is_none() {
        return Err(Error::Config("nothing to watch: give --jetstream URL, --mastodon URL or both".into()));
    }
    if opts.every_ms <= 0 || opts.horizon_ms <= 0 || opts.lateness_ms < 0 {
        return Err(Error::Config("--every and --horizon must be positive, --lateness not negative".into()));
    }
    let out = opts.out.clone();
    std::fs::create_dir_all(out.join(RESULTS_DIR)).map_err(io_err(&out))?;
    let started = Instant::now();
    let state = State::load(&out).map_err(io_err(&out))?;
    let mut live = Live::new(&opts, state, on.clone())?;
    let resumed = live.resume()?;
    if resumed.0 > 0 {
        on(SourceEvent::Resumed { events: resumed.0, files: resumed.1 });
    }

    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .map_err(|e| Error::Config(format!("cannot start the network runtime: {e}")))?;
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Msg>(opts.queue.max(1));
    let status: [Option<Arc<SourceStatus>>; 2] =
        [opts.jetstream.is_some().then(Arc::default), opts.mastodon.is_some().then(Arc::default)];
    if let (Some(j), Some(st)) = (&opts.jetstream, &status[0]) {
        let cursor = live.state.jetstream_cursor_us;
        rt.spawn(jetstream::run(j.clone(), cursor, tx.clone(), st.clone(), on.clone()));
    }
    if let (Some(m), Some(st)) = (&opts.mastodon, &status[1]) {
        let last = live.state.mastodon_last_id.clone();
        rt.spawn(mastodon::run(m.clone(), last, tx.clone(), st.clone(), on.clone()));
    }
    drop(tx);
    if opts.ctrl_c {
        let stop = stop.clone();
        rt.spawn(async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                stop.store(true, Ordering::Relaxed);
            }
        });
    }

    let (scan_tx, scan_rx) = std::sync::mpsc::sync_channel::<Snapshot>(1);
    let scanner = {
        let opts = opts.clone();
        let on = on.clone();
        let waiting = live.waiting.clone();
        std::thread::Builder::new()
            .name("swarmscan-watch-scan".into())
            .spawn(move || scan_loop(&opts, scan_rx, &waiting, &on))
            .map_err(|e| Error::Config(format!("cannot start the scan thread: {e}")))?
    };

    let deadline = opts.duration.map(|d| started + d);
    let ingested = ingest(&mut live, &rt, &mut rx, &scan_tx, &stop, deadline, &status);
    drop(scan_tx);
    rt.shutdown_timeout(Duration::from_secs(1));
    // The scan thread's own error, when it stopped first, says more.
    let scanned = match (ingested, scanner.join()) {
        (_, Err(_)) => return Err(Error::Scan("the scan thread panicked".into())),
        (_, Ok(Err(e))) | (Err(e), _) => return Err(e),
        (Ok(()), Ok(Ok(scanned))) => scanned,
    };
    let mut report = live.report;
    report.scans = scanned.scans;
    report.alerts = scanned.alerts;
    report.webhook_failed = scanned.webhook_failed;
    report.seconds = started.elapsed().as_secs_f64();
    Ok(report)
}

/// The ingest loop: takes the clients' messages until stopped, then what
/// they had sent, and hands the last snapshot over. When the scan thread
/// has stopped (a scan failed, or was stopped), it stops too, but keeps
/// what was received in the archive all the same.
#[allow(clippy::too_many_arguments)]
fn ingest(
    live: &mut Live,
    rt: &tokio::runtime::Runtime,
    rx: &mut tokio::sync::mpsc::Receiver<Msg>,
    scan_tx: &std::sync::mpsc::SyncSender<Snapshot>,
    stop: &AtomicBool,
    deadline: Option<Instant>,
    status: &[Option<Arc<SourceStatus>>; 2],
) -> Result<(), Error> {
    let mut flushed_at = Instant::now();
    let mut scans_stopped = None;
    loop {
        if stop.load(Ordering::Relaxed) || deadline.is_some_and(|d| Instant::now() >= d) {
            break;
        }
        let wait = Duration::from_millis(100);
        match rt.block_on(async { tokio::time::timeout(wait, rx.recv()).await }) {
            Ok(Some(m)) => {
                if let Some(snap) = live.take(m)?
                    && let Err(e) = live.send(scan_tx, snap)
                {
                    scans_stopped = Some(e);
                    break;
                }
            }
            Ok(None) => break, // every client ended
            Err(_) => {}       // quiet: flush below
        }
        if flushed_at.elapsed() >= FLUSH_EVERY {
            live.flush_all()?;
            flushed_at = Instant::now();
        }
    }
    // Keep what the clients had sent (they stop with the runtime).
    rx.close();
    while let Ok(m) = rx.try_recv() {
        if let Some(snap) = live.take(m)?
            && scans_stopped.is_none()
            && let Err(e) = live.send(scan_tx, snap)
        {
            scans_stopped = Some(e);
        }
    }
    live.flush_all()?;
    for (s, st) in SourceKind::ALL.into_iter().zip(status) {
        if let Some(st) = st {
            live.report.sources.entry(s.as_str()).or_default().reconnects = st.reconnects.load(Ordering::Relaxed);
        }
    }
    if let Some(e) = scans_stopped {
        return Err(e);
    }
    // The last scan, unless nothing ever came (the results of an earlier
    // run stay as they are).
    match live.final_snapshot() {
        Some(last) => live.send(scan_tx, last),
        None => Ok(()),
    }
}

/// How often buffered lines are parsed, archived and synced when the
/// stream is quiet or slow.
const FLUSH_EVERY: Duration = Duration::from_millis(500);
/// Lines buffered per source before they are parsed and archived.
const CHUNK_LINES: usize = 8192;

pub const RESULTS_DIR: &str = "results";

/// The ingest loop's state.
struct Live {
    out: PathBuf,
    horizon_ms: i64,
    lateness_ms: i64,
    every_ms: i64,
    /// The most stream time one chunk covers (ms).
    chunk_span_ms: i64,
    state: State,
    archive: Option<Archive>,
    horizon: Horizon,
    seen: Seen,
    /// Lines waiting to be parsed, per source.
    pending: [Pending; 2],
    newest_ms: Option<i64>,
    next_scan_ms: Option<i64>,
    report: WatchReport,
    started: Instant,
    keep_up: bool,
    /// Snapshots sent and not yet taken by the scan thread.
    waiting: Arc<AtomicU64>,
    on: Notify,
}

impl Live {
    fn new(opts: &WatchOptions, state: State, on: Notify) -> Result<Live, Error> {
        let archive = match opts.archive {
            true => Some(Archive::open(&opts.out, opts.archive_rotate_bytes, &state).map_err(io_err(&opts.out))?),
            false => None,
        };
        Ok(Live {
            out: opts.out.clone(),
            horizon_ms: opts.horizon_ms,
            lateness_ms: opts.lateness_ms,
            every_ms: opts.every_ms,
            chunk_span_ms: (opts.every_ms.min(opts.horizon_ms) / 16).max(1000),
            state,
            archive,
            horizon: Horizon::default(),
            seen: Seen::default(),
            pending: Default::default(),
            newest_ms: None,
            next_scan_ms: None,
            report: WatchReport::default(),
            started: Instant::now(),
            keep_up: opts.keep_up,
            waiting: Arc::default(),
            on,
        })
    }

    /// Rebuilds the horizon and the identities seen from the archive.
    fn resume(&mut self) -> Result<(u64, usize), Error> {
        if self.archive.is_none() || self.state.archive.is_empty() {
            return Ok((0, 0));
        }
        let oldest = self.state.newest_ms.map_or(i64::MIN, |n| n.saturating_sub(self.horizon_ms));
        let back = archive::read_back(&self.out, &self.state, oldest).map_err(io_err(&self.out))?;
        let files = back.len();
        let mut events = 0;
        for (source, lines) in back {
            for l in lines.split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
                let line = match source {
                    SourceKind::Jetstream => frame::jetstream_line(l.to_vec()),
                    SourceKind::Mastodon => frame::mastodon_line(l.to_vec()),
                };
                // Only events were archived; anything else is damage.
                let Ok(line) = line else { continue };
                self.seen.insert(line.time_ms, line.identity);
                self.newest_ms = self.newest_ms.max(Some(line.time_ms));
                events += 1;
                self.keep(line, false)?;
            }
            self.parse(source, false)?;
        }
        self.report.resumed_events = events;
        if let Some(w) = self.watermark() {
            self.next_scan_ms = Some(next_multiple(w, self.every_ms));
        }
        Ok((events, files))
    }

    /// Hands a snapshot to the scan thread; a full queue blocks, so
    /// ingestion waits for the scan (backpressure).
    fn send(&self, tx: &std::sync::mpsc::SyncSender<Snapshot>, snap: Snapshot) -> Result<(), Error> {
        self.waiting.fetch_add(1, Ordering::SeqCst);
        tx.send(snap).map_err(|_| Error::Scan("the scan thread stopped".into()))
    }

    fn watermark(&self) -> Option<i64> {
        self.newest_ms.map(|n| n - self.lateness_ms)
    }

    /// Takes one message; returns a snapshot when the watermark passes a
    /// scan time.
    fn take(&mut self, m: Msg) -> Result<Option<Snapshot>, Error> {
        let line = match m {
            Msg::Line(l) => l,
            Msg::Malformed { source, reason } => {
                let r = self.report.sources.entry(source.as_str()).or_default();
                r.frames += 1;
                *r.malformed_frames.entry(reason).or_default() += 1;
                return Ok(None);
            }
            Msg::Ignored { source, what } => {
                let r = self.report.sources.entry(source.as_str()).or_default();
                r.frames += 1;
                *r.ignored_messages.entry(what).or_default() += 1;
                return Ok(None);
            }
        };
        let (source, time_ms) = (line.source, line.time_ms);
        let r = self.report.sources.entry(source.as_str()).or_default();
        r.frames += 1;
        if self.newest_ms.is_some_and(|n| time_ms < n.saturating_sub(self.horizon_ms)) {
            r.older_than_horizon += 1;
            return Ok(None);
        }
        if !self.seen.insert(time_ms, line.identity) {
            r.duplicates += 1;
            return Ok(None);
        }
        r.kept += 1;
        self.keep(line, true)?;
        self.newest_ms = self.newest_ms.max(Some(time_ms));
        let Some(w) = self.watermark() else { return Ok(None) };
        let next = *self.next_scan_ms.get_or_insert_with(|| next_multiple(w, self.every_ms));
        if w < next {
            return Ok(None);
        }
        // The watermark passed a scan time: cut there (later scan times it
        // jumped over at once are one scan).
        self.next_scan_ms = Some(next_multiple(w, self.every_ms).max(next + self.every_ms));
        if self.keep_up && self.waiting.load(Ordering::SeqCst) > 0 {
            self.report.scans_skipped += 1;
            return Ok(None);
        }
        self.flush_all()?;
        Ok(Some(self.snapshot(next, false)))
    }

    /// Adds an event to its source's pending chunk, parsing (and, with
    /// `archive`, archiving) the chunk when it is full. A chunk covers at
    /// most `chunk_span_ms` of stream time, so the horizon is exact to that
    /// much however fast events come.
    fn keep(&mut self, line: Line, archive: bool) -> Result<(), Error> {
        let source = line.source;
        let p = &self.pending[source.index()];
        if p.count > 0 && p.oldest_ms.is_some_and(|o| line.time_ms.abs_diff(o) > self.chunk_span_ms as u64) {
            self.parse(source, archive)?;
        }
        if self.pending[source.index()].push(line) {
            self.parse(source, archive)?;
        }
        Ok(())
    }

    /// Parses, archives and keeps `source`'s pending lines.
    fn parse(&mut self, source: SourceKind, archive: bool) -> Result<(), Error> {
        let p = &mut self.pending[source.index()];
        if p.count == 0 {
            return Ok(());
        }
        let Pending { lines, count: n, newest_ms: newest, position, .. } = std::mem::take(p);
        if archive && let Some(a) = &mut self.archive {
            a.append(source, &lines, n, newest, &mut self.state).map_err(io_err(&self.out))?;
        }
        if archive {
            match position {
                Some(Position::Cursor(c)) => {
                    self.state.jetstream_cursor_us = Some(self.state.jetstream_cursor_us.map_or(c, |o| o.max(c)))
                }
                Some(Position::StatusId(id))
                    if self.state.mastodon_last_id.as_deref().is_none_or(|l| frame::newer_id(&id, l)) =>
                {
                    self.state.mastodon_last_id = Some(id)
                }
                _ => {}
            }
            self.state.newest_ms = self.state.newest_ms.max(newest);
            self.state.save(&self.out).map_err(io_err(&self.out))?;
            let events = self.report.sources.get(source.as_str()).map_or(0, |r| r.kept);
            (self.on)(SourceEvent::Kept { source, events });
        }
        let opts = swarmscan_ingest::ReadOptions { format: Some(source.format()), ..Default::default() };
        let name = format!("{} (live)", source.as_str());
        let mut events = Events::new();
        let mut file = FileReport { file: name.clone(), ..Default::default() };
        let src = swarmscan_ingest::Source::from_reader(name, Box::new(std::io::Cursor::new(lines)))
            .map_err(io_err(&self.out))?;
        if let Err(e) = swarmscan_ingest::read_source(src, &opts, &mut events, &mut file) {
            file.error = Some(e);
        }
        let read = &mut self.report.sources.entry(source.as_str()).or_default().read;
        if read.file.is_empty() {
            read.file = file.file.clone();
            read.format = file.format.clone();
        }
        read.bytes += file.bytes;
        read.absorb(file);
        self.horizon.push(events, newest.unwrap_or(i64::MIN));
        // What no scan to come can need: every later scan time is at or
        // after the next one, and the last scan is at the newest time.
        if let (Some(next), Some(newest)) = (self.next_scan_ms, self.newest_ms) {
            self.forget_before(next.min(newest).saturating_sub(self.horizon_ms));
        }
        Ok(())
    }

    /// Forgets the events (and their identities) older than `oldest_ms`.
    fn forget_before(&mut self, oldest_ms: i64) {
        self.horizon.evict(oldest_ms);
        self.seen.evict(oldest_ms.saturating_sub(self.lateness_ms));
    }

    fn flush_all(&mut self) -> Result<(), Error> {
        for s in SourceKind::ALL {
            self.parse(s, true)?;
        }
        Ok(())
    }

    /// The horizon up to `watermark_ms`.
    fn snapshot(&mut self, watermark_ms: i64, last: bool) -> Snapshot {
        self.forget_before(watermark_ms.saturating_sub(self.horizon_ms));
        self.report.horizon_events = self.horizon.len() as u64;
        self.report.seconds = self.started.elapsed().as_secs_f64();
        Snapshot { events: self.horizon.snapshot(), watermark_ms, report: self.report.clone(), last }
    }

    /// Everything received, for the scan at the end; `None` when no event
    /// ever came.
    fn final_snapshot(&mut self) -> Option<Snapshot> {
        let w = self.newest_ms?;
        Some(self.snapshot(w, true))
    }
}

/// One source's lines waiting to be parsed and archived.
#[derive(Default)]
struct Pending {
    lines: Vec<u8>,
    count: u64,
    oldest_ms: Option<i64>,
    newest_ms: Option<i64>,
    /// The position of the last line.
    position: Option<Position>,
}

impl Pending {
    /// Adds an event; true when the chunk is full.
    fn push(&mut self, line: Line) -> bool {
        self.lines.extend_from_slice(&line.json);
        self.lines.push(b'\n');
        self.count += 1;
        self.oldest_ms = Some(self.oldest_ms.map_or(line.time_ms, |o| o.min(line.time_ms)));
        self.newest_ms = self.newest_ms.max(Some(line.time_ms));
        self.position = Some(line.position);
        self.count as usize >= CHUNK_LINES
    }
}

/// The first multiple of `every` at or after `t`.
fn next_multiple(t: i64, every: i64) -> i64 {
    t.div_euclid(every) * every + if t.rem_euclid(every) == 0 { 0 } else { every }
}

/// What the scan thread did.
#[derive(Default)]
struct Scanned {
    scans: u64,
    alerts: u64,
    webhook_failed: u64,
}

/// Scans each snapshot, writes the results and raises the alerts.
fn scan_loop(
    opts: &WatchOptions,
    rx: std::sync::mpsc::Receiver<Snapshot>,
    waiting: &AtomicU64,
    on: &Notify,
) -> Result<Scanned, Error> {
    let mut tracker = alerts::Tracker::default();
    let mut done = Scanned::default();
    let webhook = opts.webhook.clone().map(Webhook::start);
    let results = opts.out.join(RESULTS_DIR);
    for mut snap in rx {
        waiting.fetch_sub(1, Ordering::SeqCst);
        let t0 = Instant::now();
        let run = swarmscan_scan::run(&snap.events, &opts.params, &opts.outlets, &|_| {})
            .map_err(|e| Error::Scan(e.to_string()))?;
        let watermark = swarmscan_model::format_rfc3339_ms(snap.watermark_ms);
        let header = swarmscan_report::Header {
            title: format!("swarmscan watch — up to {watermark}"),
            version: opts.version.clone(),
            generated: swarmscan_report::generated_now(),
            inputs: snap
                .report
                .sources
                .values()
                .map(|s| swarmscan_report::InputRow {
                    path: s.read.file.clone(),
                    format: s.read.format.clone(),
                    records: s.read.records,
                    skipped: s.read.skipped_total(),
                })
                .collect(),
            records: snap.report.sources.values().map(|s| s.read.records).sum(),
            skipped: snap.report.sources.values().map(|s| s.read.skipped_total()).sum(),
        };
        let mut data = swarmscan_report::explain(&run.result, &run.params, &run.lookalikes, header);
        if !snap.last {
            data.refresh_s = Some(((opts.every_ms / 1000).clamp(5, 3600)) as u32);
        }
        let scanned_at = swarmscan_report::generated_now();
        let report = opts.report_link.clone().unwrap_or_else(|| results.display().to_string());
        let new_alerts = tracker.update(&data, &watermark, &scanned_at, &report);
        snap.report.scans = done.scans + 1;
        snap.report.alerts = done.alerts + new_alerts.len() as u64;
        write_results(&results, &data, &run, &snap, &watermark, new_alerts.len())?;
        if let Some(path) = &opts.alerts_file {
            append_alerts(path, &new_alerts)?;
        }
        done.scans += 1;
        done.alerts += new_alerts.len() as u64;
        let stats = ScanStats {
            watermark,
            events: snap.events.len() as u64,
            accounts: snap.events.num_accounts() as u64,
            clusters: data.clusters.len() as u64,
            flagged_accounts: data.nodes.len() as u64,
            alerts: new_alerts.len() as u64,
            seconds: t0.elapsed().as_secs_f64(),
        };
        for a in new_alerts {
            if let Some(w) = &webhook {
                w.send(&a);
            }
            on(SourceEvent::Alert(a));
        }
        on(SourceEvent::Scanned(stats));
    }
    if let Some(w) = webhook {
        done.webhook_failed = w.finish();
    }
    Ok(done)
}

/// Writes the scan's outputs into `dir`, each file whole (temporary file,
/// then rename), `summary.json` last.
fn write_results(
    dir: &Path,
    data: &swarmscan_report::ReportData,
    run: &swarmscan_scan::Run<'_>,
    snap: &Snapshot,
    watermark: &str,
    alerts: usize,
) -> Result<(), Error> {
    for (name, write) in swarmscan_report::OUTPUTS {
        let mut buf = Vec::new();
        write(data, &mut buf).map_err(io_err(&dir.join(name)))?;
        archive::write_durably(dir, name, &buf).map_err(io_err(&dir.join(name)))?;
    }
    let mut results =
        swarmscan_report::tables::scan_results(data, &run.result).map_err(|e| Error::Scan(e.to_string()))?;
    results.insert("alerts", alerts.into());
    let summary = serde_json::json!({
        "command": "watch",
        "watermark": watermark,
        "horizon_events": snap.events.len(),
        "results": results,
        "watch": snap.report,
    });
    let text = serde_json::to_vec_pretty(&summary).map_err(|e| Error::Scan(e.to_string()))?;
    archive::write_durably(dir, "summary.json", &text).map_err(io_err(&dir.join("summary.json")))
}

fn append_alerts(path: &Path, alerts: &[Alert]) -> Result<(), Error> {
    if alerts.is_empty() {
        return Ok(());
    }
    let mut buf = Vec::new();
    for a in alerts {
        serde_json::to_writer(&mut buf, a).map_err(|e| Error::Scan(e.to_string()))?;
        buf.push(b'\n');
    }
    let mut f = std::fs::OpenOptions::new().create(true).append(true).open(path).map_err(io_err(path))?;
    f.write_all(&buf).map_err(io_err(path))?;
    f.sync_data().map_err(io_err(path))
}

/// Posts alerts to a URL from a thread of its own, so a slow endpoint never
/// holds up the scans: at most 256 alerts wait; beyond that, and after
/// three failed tries, an alert is counted as failed (it is in the alerts
/// file and the results all the same).
struct Webhook {
    tx: std::sync::mpsc::SyncSender<Vec<u8>>,
    failed: Arc<AtomicU64>,
    thread: std::thread::JoinHandle<()>,
}

impl Webhook {
    fn start(url: String) -> Webhook {
        let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<u8>>(256);
        let failed = Arc::new(AtomicU64::new(0));
        let f = failed.clone();
        let thread = std::thread::spawn(move || {
            let agent: ureq::Agent =
                ureq::Agent::config_builder().timeout_global(Some(Duration::from_secs(10))).build().into();
            for body in rx {
                let ok = (0..3).any(|attempt| {
                    if attempt > 0 {
                        std::thread::sleep(Duration::from_millis(500 << attempt));
                    }
                    agent.post(&url).header("Content-Type", "application/json").send(&body[..]).is_ok()
                });
                if !ok {
                    f.fetch_add(1, Ordering::Relaxed);
                }
            }
        });
        Webhook { tx, failed, thread }
    }

    fn send(&self, a: &Alert) {
        let body = serde_json::to_vec(a).unwrap_or_default();
        if self.tx.try_send(body).is_err() {
            self.failed.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Waits for the alerts queued and returns how many failed.
    fn finish(self) -> u64 {
        drop(self.tx);
        let _ = self.thread.join();
        self.failed.load(Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scan_times_are_multiples_of_every() {
        assert_eq!(next_multiple(0, 10), 0);
        assert_eq!(next_multiple(1, 10), 10);
        assert_eq!(next_multiple(10, 10), 10);
        assert_eq!(next_multiple(-5, 10), 0);
    }

    #[test]
    fn the_archive_is_listed_per_source_in_writing_order() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(archive_files(dir.path()).unwrap(), []);
        let mut state = State::load(dir.path()).unwrap();
        let mut a = Archive::open(dir.path(), 1, &state).unwrap();
        a.append(SourceKind::Mastodon, b"{\"m\":1}\n", 1, Some(1), &mut state).unwrap();
        a.append(SourceKind::Jetstream, b"{\"a\":1}\n{\"a\":2}\n", 2, Some(2), &mut state).unwrap();
        a.append(SourceKind::Jetstream, b"{\"a\":3}\n", 1, Some(3), &mut state).unwrap();
        state.save(dir.path()).unwrap();
        let files = archive_files(dir.path()).unwrap();
        let names: Vec<(SourceKind, String, u64)> = files
            .iter()
            .map(|f| (f.source, f.path.file_name().unwrap().to_string_lossy().into_owned(), f.events))
            .collect();
        assert_eq!(
            names,
            [
                (SourceKind::Mastodon, "mastodon-000001.jsonl.zst".into(), 1),
                (SourceKind::Jetstream, "jetstream-000001.jsonl.zst".into(), 2),
                (SourceKind::Jetstream, "jetstream-000002.jsonl.zst".into(), 1),
            ]
        );
        // The Jetstream files concatenated are one stream of its lines.
        let mut joined = Vec::new();
        for f in files.iter().filter(|f| f.source == SourceKind::Jetstream) {
            assert_eq!(std::fs::metadata(&f.path).unwrap().len(), f.bytes);
            joined.extend(std::fs::read(&f.path).unwrap());
        }
        assert_eq!(zstd::decode_all(&joined[..]).unwrap(), b"{\"a\":1}\n{\"a\":2}\n{\"a\":3}\n");
    }

    #[test]
    fn backoff_doubles_to_a_minute_and_resets() {
        let mut b = Backoff::default();
        let d: Vec<u64> = (0..10).map(|_| b.next_delay().as_millis() as u64).collect();
        assert_eq!(d, [500, 1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000, 60000]);
        b.reset();
        assert_eq!(b.next_delay(), Duration::from_millis(500));
    }
}
