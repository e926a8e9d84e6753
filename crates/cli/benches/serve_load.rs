//! How `swarmscan serve` holds up under many clients on 127.0.0.1.
//!
//! Starts the real binary (`--rate-limit 0`, a temporary data folder),
//! creates an API token, uploads a small generated dataset and runs one
//! scan to done; then `CLIENTS` threads, each with its own keep-alive
//! connection (a blocking `ureq` agent), send requests back to back for
//! `SECONDS`, cycling through what a dashboard asks for:
//!
//! | weight | request |
//! |---|---|
//! | 1 | `GET /api/me` |
//! | 2 | `GET /api/datasets` |
//! | 1 | `GET /api/datasets/ID` |
//! | 2 | `GET /api/jobs` |
//! | 3 | `GET /api/jobs/ID` |
//! | 1 | `GET /api/jobs/ID/results/clusters.csv` |
//!
//! Signing in is left out of the mix: every `POST /api/login` hashes a
//! password with argon2 (on purpose slow), so a few of them would measure
//! argon2 rather than the server. Uploads and scans are left out too: they
//! measure the readers and the scan, which have their own benchmarks.
//!
//! It prints the requests, requests a second, latency percentiles, answers
//! other than 2xx by status, and the server's resident memory: at the
//! start of the load, its peak during the load (VmHWM, reset before the load
//! through `/proc/PID/clear_refs` so the scan's peak does not count) and at
//! the end. It exits non-zero when any answer was a 5xx or any request got
//! no answer.
//!
//! ```text
//! cargo bench -p swarmscan --bench serve_load -- [CLIENTS] [SECONDS]
//! ```
//! Defaults: 200 clients, 20 seconds.
//!
//! `crates/cli/tests/serve.rs` uses this file's [`Server`] and [`load`] for
//! its short load check and its restart test.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// `swarmscan serve` in a child process, killed when dropped (also when a
/// test panics).
pub struct Server {
    child: Child,
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    /// The admin's password, printed on the first start only.
    pub password: Option<String>,
    stdout: Arc<Mutex<Vec<String>>>,
    stderr: Arc<Mutex<Vec<String>>>,
}

/// Collects a child's output lines on a thread; `tx` gets each line too.
fn collect(r: impl Read + Send + 'static, lines: Arc<Mutex<Vec<String>>>, tx: Option<std::sync::mpsc::Sender<String>>) {
    std::thread::spawn(move || {
        for line in BufReader::new(r).lines().map_while(Result::ok) {
            lines.lock().unwrap().push(line.clone());
            if let Some(tx) = &tx {
                let _ = tx.send(line);
            }
        }
    });
}

impl Server {
    /// Starts `swarmscan serve --listen 127.0.0.1:0 --data DATA ARGS…` and
    /// waits until it says where it listens (and, on a first start, the
    /// admin's password).
    pub fn start(data: &Path, args: &[&str]) -> Server {
        let first = !data.join("swarmscan.db").exists();
        let mut child = Command::new(env!("CARGO_BIN_EXE_swarmscan"))
            .args(["serve", "--listen", "127.0.0.1:0", "--data"])
            .arg(data)
            .args(args)
            .env("NO_COLOR", "1")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("swarmscan serve starts");
        let (stdout, stderr) = (Arc::new(Mutex::new(Vec::new())), Arc::new(Mutex::new(Vec::new())));
        let (tx, rx) = std::sync::mpsc::channel();
        collect(child.stdout.take().unwrap(), stdout.clone(), Some(tx));
        collect(child.stderr.take().unwrap(), stderr.clone(), None);
        let mut server = Server { child, base: String::new(), password: None, stdout, stderr };
        // `swarmscan serve: listening on http://ADDR/api/ (data in DIR)`, then
        // on the first start `first start: created user "admin" with password PW`.
        let deadline = Instant::now() + Duration::from_secs(120);
        while server.base.is_empty() || (first && server.password.is_none()) {
            let left = deadline.saturating_duration_since(Instant::now());
            let Ok(line) = rx.recv_timeout(left) else {
                panic!("swarmscan serve said nothing in time; stderr:\n{}", server.stderr().join("\n"))
            };
            if let Some(rest) = line.strip_prefix("swarmscan serve: listening on http://") {
                let addr = rest.split('/').next().unwrap();
                server.base = format!("http://{addr}");
            } else if let Some(rest) = line.strip_prefix("first start: created user \"admin\" with password ") {
                server.password = Some(rest.trim().to_string());
            }
        }
        server
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Everything printed on stdout so far.
    pub fn stdout(&self) -> Vec<String> {
        self.stdout.lock().unwrap().clone()
    }

    /// Everything printed on stderr so far.
    pub fn stderr(&self) -> Vec<String> {
        self.stderr.lock().unwrap().clone()
    }

    /// SIGKILL, as a crash or an OOM kill would.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// SIGINT (Ctrl-C).
    pub fn interrupt(&self) {
        let ok = Command::new("kill").args(["-INT", &self.pid().to_string()]).status().expect("kill runs");
        assert!(ok.success());
    }

    /// Waits up to `limit` for the process to end.
    pub fn wait_exit(&mut self, limit: Duration) -> Option<ExitStatus> {
        let t = Instant::now();
        while t.elapsed() < limit {
            if let Some(s) = self.child.try_wait().unwrap() {
                return Some(s);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        None
    }

    /// A line of `/proc/PID/status` in KiB (`VmRSS`, `VmHWM`).
    pub fn memory_kib(&self, field: &str) -> Option<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid())).ok()?;
        let line = status.lines().find(|l| l.starts_with(field) && l[field.len()..].starts_with(':'))?;
        line.split_whitespace().nth(1)?.parse().ok()
    }

    /// Resets the peak resident size (VmHWM) to the current one.
    pub fn reset_peak(&self) -> bool {
        std::fs::write(format!("/proc/{}/clear_refs", self.pid()), "5").is_ok()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A blocking client that sees 4xx and 5xx as answers; `keep_alive`
/// reuses connections.
pub fn agent(keep_alive: bool) -> ureq::Agent {
    let mut cfg =
        ureq::Agent::config_builder().http_status_as_error(false).timeout_global(Some(Duration::from_secs(60)));
    if !keep_alive {
        cfg = cfg.max_idle_connections(0);
    }
    cfg.build().into()
}

/// Sends one request: its status and body, or why none came.
pub fn send(
    agent: &ureq::Agent,
    base: &str,
    method: &str,
    path: &str,
    auth: &[(&str, &str)],
    body: Option<(&str, Vec<u8>)>,
) -> Result<(u16, Vec<u8>), String> {
    let mut req = ureq::http::Request::builder().method(method).uri(format!("{base}{path}"));
    for (k, v) in auth {
        req = req.header(*k, *v);
    }
    let bytes = match body {
        Some((ctype, b)) => {
            req = req.header("Content-Type", ctype);
            b
        }
        None => Vec::new(),
    };
    let req = req.body(bytes).map_err(|e| e.to_string())?;
    let mut resp = agent.run(req).map_err(|e| format!("{method} {path}: {e}"))?;
    let status = resp.status().as_u16();
    let body = resp.body_mut().with_config().limit(256 << 20).read_to_vec().map_err(|e| e.to_string())?;
    Ok((status, body))
}

/// Signs in as `name` and creates an API token: `sws_…`.
pub fn token(base: &str, name: &str, password: &str) -> String {
    let a = agent(false);
    let body = serde_json::json!({ "name": name, "password": password }).to_string().into_bytes();
    let mut resp = a
        .run(
            ureq::http::Request::builder()
                .method("POST")
                .uri(format!("{base}/api/login"))
                .header("Content-Type", "application/json")
                .body(body)
                .unwrap(),
        )
        .expect("login answers");
    assert_eq!(resp.status().as_u16(), 200, "login");
    let cookie = resp.headers().get("set-cookie").unwrap().to_str().unwrap().split(';').next().unwrap().to_string();
    let v: serde_json::Value = serde_json::from_slice(&resp.body_mut().read_to_vec().unwrap()).unwrap();
    let csrf = v["csrf"].as_str().unwrap();
    let (s, b) = send(
        &a,
        base,
        "POST",
        "/api/tokens",
        &[("Cookie", &cookie), ("X-CSRF-Token", csrf)],
        Some(("application/json", br#"{"name":"load"}"#.to_vec())),
    )
    .unwrap();
    assert_eq!(s, 201, "{}", String::from_utf8_lossy(&b));
    let v: serde_json::Value = serde_json::from_slice(&b).unwrap();
    v["token"].as_str().unwrap().to_string()
}

/// Calls the API with a token and reads the answer as JSON.
pub fn call(
    base: &str,
    token: &str,
    method: &str,
    path: &str,
    body: Option<(&str, Vec<u8>)>,
) -> (u16, serde_json::Value) {
    let auth = format!("Bearer {token}");
    let (s, b) = send(&agent(false), base, method, path, &[("Authorization", &auth)], body).unwrap();
    (s, serde_json::from_slice(&b).unwrap_or_else(|_| serde_json::Value::String(String::from_utf8_lossy(&b).into())))
}

/// Waits until job `id` has ended; its JSON.
pub fn wait_job(base: &str, token: &str, id: i64, limit: Duration) -> serde_json::Value {
    let t = Instant::now();
    loop {
        let (s, v) = call(base, token, "GET", &format!("/api/jobs/{id}"), None);
        assert_eq!(s, 200, "{v}");
        if !matches!(v["state"].as_str(), Some("queued" | "running")) {
            return v;
        }
        assert!(t.elapsed() < limit, "job {id} did not end in {limit:?}: {v}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Uploads `bytes` as a dataset and runs a scan of it to done: (dataset
/// id, job id).
pub fn dataset_with_scan(base: &str, token: &str, bytes: Vec<u8>) -> (String, i64) {
    let (s, d) = call(base, token, "POST", "/api/datasets?name=load", Some(("application/octet-stream", bytes)));
    assert!(s == 201 || s == 200, "upload: {s} {d}");
    let ds = d["id"].as_str().unwrap().to_string();
    let body = serde_json::json!({ "dataset": ds }).to_string().into_bytes();
    let (s, j) = call(base, token, "POST", "/api/jobs", Some(("application/json", body)));
    assert_eq!(s, 202, "{j}");
    let id = j["id"].as_i64().unwrap();
    let job = wait_job(base, token, id, Duration::from_secs(600));
    assert_eq!(job["state"], "done", "{job}");
    (ds, id)
}

/// The requests of the mix, weights as repetitions.
pub fn mix(dataset: &str, job: i64) -> Vec<String> {
    let mut paths = vec!["/api/me".to_string()];
    paths.extend(["/api/datasets".to_string(), "/api/datasets".to_string()]);
    paths.push(format!("/api/datasets/{dataset}"));
    paths.extend(["/api/jobs".to_string(), "/api/jobs".to_string()]);
    paths.extend((0..3).map(|_| format!("/api/jobs/{job}")));
    paths.push(format!("/api/jobs/{job}/results/clusters.csv"));
    paths
}

/// What the clients saw.
#[derive(Debug, Default)]
pub struct Report {
    pub clients: usize,
    pub elapsed: Duration,
    /// Latencies of answered requests, microseconds, sorted.
    pub latencies: Vec<u32>,
    pub by_status: BTreeMap<u16, u64>,
    /// Requests that got no answer (connection refused, reset, timeout).
    pub transport_errors: u64,
    pub first_errors: Vec<String>,
}

impl Report {
    pub fn requests(&self) -> u64 {
        self.latencies.len() as u64 + self.transport_errors
    }

    pub fn server_errors(&self) -> u64 {
        self.by_status.iter().filter(|(s, _)| **s >= 500).map(|(_, n)| n).sum()
    }

    /// The `p`-th percentile latency (0 < p <= 100).
    pub fn percentile(&self, p: f64) -> Duration {
        if self.latencies.is_empty() {
            return Duration::ZERO;
        }
        let i = ((p / 100.0) * self.latencies.len() as f64).ceil() as usize;
        Duration::from_micros(u64::from(self.latencies[i.clamp(1, self.latencies.len()) - 1]))
    }
}

impl std::fmt::Display for Report {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let secs = self.elapsed.as_secs_f64();
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        writeln!(f, "clients:          {}", self.clients)?;
        writeln!(f, "duration:         {secs:.1} s")?;
        writeln!(f, "requests:         {}", self.requests())?;
        writeln!(f, "requests/s:       {:.0}", self.requests() as f64 / secs.max(1e-9))?;
        writeln!(
            f,
            "latency ms:       p50 {:.2}  p95 {:.2}  p99 {:.2}  max {:.2}",
            ms(self.percentile(50.0)),
            ms(self.percentile(95.0)),
            ms(self.percentile(99.0)),
            ms(self.percentile(100.0))
        )?;
        let non2xx: Vec<String> =
            self.by_status.iter().filter(|(s, _)| !(200..300).contains(*s)).map(|(s, n)| format!("{s}: {n}")).collect();
        writeln!(f, "non-2xx:          {}", if non2xx.is_empty() { "none".into() } else { non2xx.join(", ") })?;
        writeln!(f, "5xx:              {}", self.server_errors())?;
        write!(f, "transport errors: {}", self.transport_errors)?;
        for e in &self.first_errors {
            write!(f, "\n  {e}")?;
        }
        Ok(())
    }
}

/// `clients` threads, each with its own keep-alive agent, send the `paths`
/// (GET, with the token) round and round for `duration`.
pub fn load(base: &str, token: &str, paths: &[String], clients: usize, duration: Duration) -> Report {
    let stop = Arc::new(AtomicBool::new(false));
    let started = Arc::new(AtomicU64::new(0));
    let auth = format!("Bearer {token}");
    let t0 = Instant::now();
    let threads: Vec<_> = (0..clients)
        .map(|i| {
            let (base, auth, paths, stop, started) =
                (base.to_string(), auth.clone(), paths.to_vec(), stop.clone(), started.clone());
            std::thread::Builder::new()
                .stack_size(256 << 10)
                .spawn(move || {
                    let agent = agent(true);
                    let mut r = Report::default();
                    started.fetch_add(1, Ordering::Relaxed);
                    let mut k = i;
                    while !stop.load(Ordering::Relaxed) {
                        let path = &paths[k % paths.len()];
                        k += 1;
                        let t = Instant::now();
                        match send(&agent, &base, "GET", path, &[("Authorization", &auth)], None) {
                            Ok((status, _)) => {
                                r.latencies.push(t.elapsed().as_micros().min(u128::from(u32::MAX)) as u32);
                                *r.by_status.entry(status).or_default() += 1;
                                if status >= 500 && r.first_errors.len() < 5 {
                                    r.first_errors.push(format!("GET {path}: {status}"));
                                }
                            }
                            Err(e) => {
                                r.transport_errors += 1;
                                if r.first_errors.len() < 5 {
                                    r.first_errors.push(e);
                                }
                            }
                        }
                    }
                    r
                })
                .expect("a client thread")
        })
        .collect();
    std::thread::sleep(duration.saturating_sub(t0.elapsed()));
    stop.store(true, Ordering::Relaxed);
    let mut all = Report { clients, ..Default::default() };
    for t in threads {
        let r = t.join().expect("a client thread panicked");
        all.latencies.extend(r.latencies);
        for (s, n) in r.by_status {
            *all.by_status.entry(s).or_default() += n;
        }
        all.transport_errors += r.transport_errors;
        for e in r.first_errors {
            if all.first_errors.len() < 5 {
                all.first_errors.push(e);
            }
        }
    }
    all.elapsed = t0.elapsed();
    all.latencies.sort_unstable();
    all
}

/// Generates a small dataset with `swarmscan gen`: its bytes.
pub fn generated(scale: &str, dir: &Path) -> Vec<u8> {
    let out = dir.join("gen");
    let st = Command::new(env!("CARGO_BIN_EXE_swarmscan"))
        .args(["gen", "--scale", scale, "--formats", "cnt", "--seed", "7", "-q", "--out"])
        .arg(&out)
        .status()
        .expect("swarmscan gen runs");
    assert!(st.success(), "swarmscan gen failed");
    std::fs::read(out.join("events.csv")).unwrap()
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with("--")).collect();
    let clients: usize = args.first().map_or(200, |a| a.parse().expect("CLIENTS is a number"));
    let secs: f64 = args.get(1).map_or(20.0, |a| a.parse().expect("SECONDS is a number"));
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let server = Server::start(&data, &["--rate-limit", "0", "--max-jobs", "1"]);
    let base = server.base.clone();
    let token = token(&base, "admin", server.password.as_deref().expect("a first start"));
    let (ds, job) = dataset_with_scan(&base, &token, generated("0.01", tmp.path()));
    let paths = mix(&ds, job);
    let kib = |f: &str| server.memory_kib(f).map_or("?".to_string(), |k| format!("{:.1} MiB", k as f64 / 1024.0));
    println!(
        "swarmscan serve under load: {clients} clients for {secs} s on 127.0.0.1, {} cores, binary {}",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        env!("CARGO_BIN_EXE_swarmscan")
    );
    println!("mix (GET, token auth, keep-alive), one round: {}", paths.join(" "));
    println!("(no POST /api/login in the mix: argon2 would dominate; no uploads or scans)");
    let rss_before = kib("VmRSS");
    let reset = server.reset_peak();
    let report = load(&base, &token, &paths, clients, Duration::from_secs_f64(secs));
    println!("{report}");
    println!("server RSS:       at start of load {rss_before}, end {}", kib("VmRSS"));
    if reset {
        println!("server peak RSS:  {} during the load (VmHWM, reset before it)", kib("VmHWM"));
    } else {
        println!("server peak RSS:  {} since the server started (VmHWM; could not reset it)", kib("VmHWM"));
    }
    let (s, _) = call(&base, &token, "GET", "/api/me", None);
    println!("after the load:   GET /api/me -> {s}");
    drop(server);
    if report.server_errors() > 0 || report.transport_errors > 0 || s != 200 {
        eprintln!("FAILED: server errors or requests without an answer");
        std::process::exit(1);
    }
}
