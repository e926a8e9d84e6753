//! `swarmscan serve`: a team's workspace over HTTP — web pages and a JSON
//! API over an embedded store, so a team can upload datasets, run jobs in a
//! queue and read the results (the user's guide: `docs/serve.md`).
//!
//! ```text
//!  browser ─► ui (pages, same-origin script) ─┐
//!  client ──HTTP──► api (axum) ──► auth (session+CSRF or token, roles) ──► store (SQLite, WAL)
//!                     │                                                     ▲
//!                     ├─ upload: stream → DATA/uploads/*.part → DATA/datasets/<sha256>
//!                     ├─ derive / register (datasets): same path, written whole
//!                     └─ compare: two finished scans' clusters, matched by members
//!                                                                          │
//!  jobs: N workers ── claim (one UPDATE … RETURNING) ── scan | network | domains | eval
//!                     │  └─ DATA/results/<id>.tmp/ ─rename─► DATA/results/<id>/ ─► job done
//!                     └─ watch: --watch-source streams ─► DATA/results/<id>.live/ (served live)
//!                               └─ at the end: its events ─► DATA/datasets/<sha256>
//! ```
//!
//! **Store** ([`store`]): one SQLite file, `DATA/swarmscan.db`, in WAL mode,
//! with a schema version (older stores are migrated when opened); it holds
//! users, sessions, API tokens, datasets, shares and jobs. Bulk data is
//! files:
//!
//! - `DATA/datasets/<sha256>` — a dataset's bytes (as uploaded, copied from
//!   a registered path, or a derived dataset's Parquet), never rewritten;
//!   its id is the SHA-256 of those bytes, so the same bytes twice are the
//!   same dataset. Its record accounting (records, parsed, skipped by
//!   reason) is read once when it is stored.
//! - `DATA/uploads/` — files being written, under names the server chose;
//!   removed when a request fails or is over `--max-upload` (413), and at
//!   start.
//! - `DATA/results/<job>/` — a finished job's files ([`jobs::Spec::results`]:
//!   for a scan, the contract of `swarmscan scan`); `DATA/results/<job>.live/`
//!   — a running watch's latest results and its archive of raw events.
//!
//! **Auth** ([`auth`]): users have one role — admin, analyst, viewer — and
//! see the datasets they own or that were shared with them (admins see
//! all). Sessions are cookies (HttpOnly, SameSite=Strict, Secure on request)
//! whose unsafe requests need the session's CSRF token in a header; API
//! tokens are bearer tokens shown once. Passwords are stored as argon2
//! hashes, session ids and tokens as SHA-256 hashes. The first start creates
//! `admin` with a random password, returned in [`Started::bootstrap`] for the
//! binary to show once (this crate never prints).
//!
//! **Jobs** ([`jobs`]): a durable queue in the `jobs` table. Workers claim
//! the oldest queued job in one statement and run it on tokio's blocking
//! pool with the same library calls as the command of the same name; its
//! results appear whole or not at all. Cancelling or shutting down raises
//! the job's [`swarmscan_scan::Stop`], so it stops at its next step. After a
//! restart queued jobs run, and jobs that were running are failed with the
//! reason ([`store::STOPPED_WHILE_RUNNING`]).
//!
//! **Watches** ([`watch`]): a `watch` job runs `swarmscan watch` for a set
//! time on a Jetstream or Mastodon stream — only one an admin allowed when
//! starting the server ([`Config::watch_sources`]), so no user can make the
//! server connect anywhere else. Its latest results, alerts and counters are
//! served while it runs. However it ends (done, cancelled, shut down, or
//! found half-way after a crash), the events it collected become datasets of
//! its creator: nothing collected is lost.
//!
//! **Datasets made here** ([`datasets`]): derived by a filter (time, accounts,
//! languages) and written as Parquet with a `parent`; or registered from a
//! file inside an `--import-dir`, resolved with symbolic links and `..`
//! before the check, and copied in.
//!
//! **Pages** (`ui.rs`): one page and its script and style, embedded in the
//! binary, under a strict Content-Security-Policy; they call the same API.
//! Reports are served sandboxed (`Content-Security-Policy: sandbox
//! allow-scripts`).
//!
//! **Limits**: JSON bodies up to 1 MiB, uploads up to `--max-upload` (413
//! beyond); a token bucket per client IP (429 beyond); the server listens on
//! 127.0.0.1 unless told otherwise, and says so when it is told otherwise
//! ([`Started::warning`]).

pub mod api;
pub mod auth;
pub mod compare;
pub mod datasets;
pub mod jobs;
mod openapi;
pub mod store;
mod ui;
pub mod watch;

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

pub use openapi::document as openapi_document;

/// Requests a second per client IP, and how many may come at once.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RateLimit {
    pub per_second: f64,
    pub burst: f64,
}

impl Default for RateLimit {
    fn default() -> Self {
        RateLimit { per_second: 50.0, burst: 100.0 }
    }
}

/// How to run the server.
#[derive(Clone, Debug)]
pub struct Config {
    /// Where to listen (default 127.0.0.1:8080).
    pub listen: SocketAddr,
    /// The data folder: the store, datasets, uploads and results.
    pub data: PathBuf,
    /// Scans run at once (0: none; jobs wait in the queue).
    pub max_jobs: usize,
    /// Largest upload, bytes.
    pub max_upload: u64,
    /// Largest JSON body, bytes.
    pub max_json: usize,
    /// `None`: no rate limit.
    pub rate_limit: Option<RateLimit>,
    /// Mark the session cookie `Secure` (when served over HTTPS by a proxy).
    pub secure_cookies: bool,
    /// Folders whose files an admin may register as datasets (none: the
    /// register endpoint refuses every path).
    pub import_dirs: Vec<PathBuf>,
    /// The memory limit of each scan (`None`: the scan's default share of
    /// this machine's memory, divided among `max_jobs`).
    pub job_memory: Option<u64>,
    /// The live sources a `watch` job may connect to: Jetstream (`ws://`,
    /// `wss://`) and Mastodon (`http://`, `https://`) URLs; a job's URL is
    /// one of them or under one (none: every watch job is refused).
    pub watch_sources: Vec<String>,
    /// The token a `watch` job sends to a Mastodon server whose public
    /// stream needs one (the binary takes it from `SWARMSCAN_MASTODON_TOKEN`).
    pub mastodon_token: Option<Secret>,
}

/// A secret that debug output does not show.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(pub String);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(…)")
    }
}

impl Config {
    /// The defaults, keeping data in `data`.
    pub fn new(data: PathBuf) -> Config {
        Config {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            data,
            max_jobs: 1,
            max_upload: 2 << 30,
            max_json: 1 << 20,
            rate_limit: Some(RateLimit::default()),
            secure_cookies: false,
            import_dirs: Vec::new(),
            job_memory: None,
            watch_sources: Vec::new(),
            mastodon_token: None,
        }
    }

    /// The memory limit each scan runs under: `job_memory`, or the scan's
    /// default share of the machine split among the jobs that run at once,
    /// so that together they stay inside it.
    pub fn job_memory_limit(&self) -> Option<u64> {
        self.job_memory.or_else(|| swarmscan_scan::memory::default_limit().map(|m| m / self.max_jobs.max(1) as u64))
    }
}

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("the data folder {path}: {source}")]
    Data { path: String, source: std::io::Error },
    #[error(transparent)]
    Store(#[from] store::StoreError),
    #[error("listening on {addr}: {source}")]
    Listen { addr: SocketAddr, source: std::io::Error },
    #[error("starting the server's runtime: {0}")]
    Runtime(std::io::Error),
    #[error("--watch-source {url}: {reason}")]
    WatchSource { url: String, reason: String },
}

/// The first admin's credentials, created on the first start.
#[derive(Clone, Debug)]
pub struct Bootstrap {
    pub name: String,
    pub password: String,
}

/// What the binary tells the user once the server listens.
#[derive(Clone, Debug)]
pub struct Started {
    /// The address really bound (a port of 0 becomes the one chosen).
    pub addr: SocketAddr,
    /// `http://ADDR/api/` to print.
    pub url: String,
    /// Set on the first start only: show it once.
    pub bootstrap: Option<Bootstrap>,
    /// Set when listening beyond this machine.
    pub warning: Option<String>,
    /// Jobs failed because the last server stopped while they ran.
    pub failed_on_start: usize,
}

/// What the handlers and workers share.
pub(crate) struct Shared {
    pub(crate) store: store::Store,
    pub(crate) data: PathBuf,
    pub(crate) config: Config,
    /// The stage each running job is in (`reading`, `testing signals`, …).
    stages: Mutex<HashMap<i64, String>>,
    /// The stop flag of each running job (raised by cancel and shutdown).
    stops: Mutex<HashMap<i64, swarmscan_scan::Stop>>,
    /// The counters of each running watch job.
    live: Mutex<HashMap<i64, Arc<Mutex<watch::Live>>>>,
    /// Woken when a job is queued.
    pub(crate) wake: tokio::sync::Notify,
    pub(crate) buckets: Mutex<HashMap<IpAddr, api::Bucket>>,
    /// Set when the server shuts down: a job stopped then failed with
    /// [`store::STOPPED_WHILE_RUNNING`].
    pub(crate) stopping: std::sync::atomic::AtomicBool,
}

impl Shared {
    pub(crate) fn set_stage(&self, id: i64, stage: &str) {
        self.stages.lock().unwrap_or_else(|e| e.into_inner()).insert(id, stage.to_string());
    }
    pub(crate) fn clear_stage(&self, id: i64) {
        self.stages.lock().unwrap_or_else(|e| e.into_inner()).remove(&id);
    }
    pub(crate) fn stage(&self, id: i64) -> Option<String> {
        self.stages.lock().unwrap_or_else(|e| e.into_inner()).get(&id).cloned()
    }
    /// Registers (`Some`) or forgets (`None`) a running job's stop flag.
    pub(crate) fn set_stop(&self, id: i64, stop: Option<swarmscan_scan::Stop>) {
        let mut stops = self.stops.lock().unwrap_or_else(|e| e.into_inner());
        match stop {
            Some(s) => stops.insert(id, s),
            None => stops.remove(&id),
        };
    }
    /// Registers (`Some`) or forgets (`None`) a running watch's counters.
    pub(crate) fn set_live(&self, id: i64, live: Option<Arc<Mutex<watch::Live>>>) {
        let mut all = self.live.lock().unwrap_or_else(|e| e.into_inner());
        match live {
            Some(l) => all.insert(id, l),
            None => all.remove(&id),
        };
    }
    /// A running watch's counters, as they are now.
    pub(crate) fn live(&self, id: i64) -> Option<watch::Live> {
        let all = self.live.lock().unwrap_or_else(|e| e.into_inner());
        all.get(&id).map(|l| l.lock().unwrap_or_else(|e| e.into_inner()).clone())
    }
    /// Asks running job `id` (every running job: `None`) to stop.
    pub(crate) fn stop_jobs(&self, id: Option<i64>) {
        let stops = self.stops.lock().unwrap_or_else(|e| e.into_inner());
        for (_, s) in stops.iter().filter(|(j, _)| id.is_none_or(|id| **j == id)) {
            s.raise();
        }
    }
}

/// A running server: its address, and the way to stop it.
pub struct Server {
    started: Started,
    stop: tokio::sync::watch::Sender<bool>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
    shared: Arc<Shared>,
}

/// Prepares the data folder: creates its parts, and removes what a crash
/// left half done (uploads in progress, results not yet renamed).
fn prepare_data(data: &std::path::Path) -> Result<(), Error> {
    let err = |p: &std::path::Path| {
        let path = p.display().to_string();
        move |source| Error::Data { path, source }
    };
    for sub in ["uploads", "datasets", "results"] {
        let p = data.join(sub);
        std::fs::create_dir_all(&p).map_err(err(&p))?;
    }
    let uploads = data.join("uploads");
    for e in std::fs::read_dir(&uploads).map_err(err(&uploads))?.flatten() {
        let _ = std::fs::remove_file(e.path());
    }
    let results = data.join("results");
    for e in std::fs::read_dir(&results).map_err(err(&results))?.flatten() {
        if e.file_name().to_string_lossy().ends_with(".tmp") {
            let _ = std::fs::remove_dir_all(e.path());
        }
    }
    Ok(())
}

/// Opens the store, binds, and starts serving and the workers, on the
/// current tokio runtime.
pub async fn start(config: Config) -> Result<Server, Error> {
    let data = config.data.clone();
    watch::parse_sources(&config.watch_sources)?;
    prepare_data(&data)?;
    let (store, failed_on_start) = store::Store::open(&data.join("swarmscan.db"))?;
    let bootstrap = tokio::task::spawn_blocking({
        // Hashing the password is slow: off the async threads.
        move || auth::bootstrap_admin(&store).map(|p| (store, p))
    })
    .await
    .map_err(|e| Error::Runtime(std::io::Error::other(e)))?;
    let (store, password) = bootstrap?;
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .map_err(|source| Error::Listen { addr: config.listen, source })?;
    let addr = listener.local_addr().map_err(|source| Error::Listen { addr: config.listen, source })?;
    let warning = (!addr.ip().is_loopback()).then(|| {
        format!(
            "listening on {addr}, beyond this machine: anyone who can reach it can try to sign in; \
             serve it over HTTPS (a reverse proxy) and use --secure-cookies"
        )
    });
    let shared = Arc::new(Shared {
        store,
        data,
        config: config.clone(),
        stages: Mutex::new(HashMap::new()),
        stops: Mutex::new(HashMap::new()),
        live: Mutex::new(HashMap::new()),
        wake: tokio::sync::Notify::new(),
        buckets: Mutex::new(HashMap::new()),
        stopping: std::sync::atomic::AtomicBool::new(false),
    });
    // A watch the last server did not see end left its events: kept now.
    let sh = shared.clone();
    let _ = tokio::task::spawn_blocking(move || watch::recover(&sh)).await;
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let jobs_to_stop = shared.clone();
    let mut tasks = Vec::new();
    for _ in 0..config.max_jobs {
        tasks.push(tokio::spawn(jobs::worker(shared.clone(), stopped.clone())));
    }
    let app = api::router(shared).into_make_service_with_connect_info::<SocketAddr>();
    let mut until = stopped.clone();
    tasks.push(tokio::spawn(async move {
        let shutdown = async move {
            let _ = until.wait_for(|s| *s).await;
        };
        // Serving only ends by the shutdown signal; an accept error is retried by axum.
        let _ = axum::serve(listener, app).with_graceful_shutdown(shutdown).await;
    }));
    let started = Started {
        addr,
        url: format!("http://{addr}/api/"),
        bootstrap: password.map(|password| Bootstrap { name: "admin".into(), password }),
        warning,
        failed_on_start,
    };
    Ok(Server { started, stop, tasks, shared: jobs_to_stop })
}

impl Server {
    pub fn started(&self) -> &Started {
        &self.started
    }

    /// Stops accepting requests and claiming jobs, stops the running jobs
    /// at their next step (they are failed with
    /// [`store::STOPPED_WHILE_RUNNING`]), and waits for the requests in
    /// flight and the jobs to end.
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        self.shared.stopping.store(true, std::sync::atomic::Ordering::Relaxed);
        self.shared.stop_jobs(None);
        for t in self.tasks {
            let _ = t.await;
        }
    }
}

/// A server on a runtime of its own, on its own thread: for the binary and
/// for tests, which need no tokio of their own.
pub struct Handle {
    started: Started,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Handle {
    pub fn started(&self) -> &Started {
        &self.started
    }

    /// Stops the server and waits for it (running scans included).
    pub fn stop(mut self) {
        self.shut();
    }

    /// Waits until the server stops (after Ctrl-C).
    pub fn wait(mut self) {
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }

    fn shut(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for Handle {
    fn drop(&mut self) {
        self.shut();
    }
}

/// Starts the server on a thread with its own tokio runtime and returns
/// once it listens. It stops on [`Handle::stop`] or, when `ctrl_c`, on
/// Ctrl-C (SIGINT).
pub fn spawn(config: Config, ctrl_c: bool) -> Result<Handle, Error> {
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().map_err(Error::Runtime)?;
    let (ready_tx, ready_rx) = std::sync::mpsc::channel();
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let thread = std::thread::Builder::new()
        .name("swarmscan-serve".into())
        .spawn(move || {
            rt.block_on(async move {
                let server = match start(config).await {
                    Ok(s) => s,
                    Err(e) => {
                        let _ = ready_tx.send(Err(e));
                        return;
                    }
                };
                let _ = ready_tx.send(Ok(server.started().clone()));
                let signal = async {
                    if ctrl_c {
                        let _ = tokio::signal::ctrl_c().await;
                    } else {
                        std::future::pending::<()>().await;
                    }
                };
                tokio::select! {
                    _ = stop_rx => {}
                    _ = signal => {}
                }
                server.shutdown().await;
            });
        })
        .map_err(Error::Runtime)?;
    match ready_rx.recv() {
        Ok(Ok(started)) => Ok(Handle { started, stop: Some(stop_tx), thread: Some(thread) }),
        Ok(Err(e)) => {
            let _ = thread.join();
            Err(e)
        }
        Err(_) => {
            let _ = thread.join();
            Err(Error::Runtime(std::io::Error::other("the server's thread ended before it listened")))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_job_gets_its_share_of_the_memory() {
        let mut c = Config::new(PathBuf::from("d"));
        let whole = swarmscan_scan::memory::default_limit();
        assert_eq!(c.job_memory_limit(), whole);
        c.max_jobs = 4;
        assert_eq!(c.job_memory_limit(), whole.map(|m| m / 4));
        c.max_jobs = 0;
        assert_eq!(c.job_memory_limit(), whole);
        c.job_memory = Some(5);
        assert_eq!(c.job_memory_limit(), Some(5));
    }
}
