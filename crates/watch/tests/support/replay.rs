//! A replay server: Bluesky Jetstream and a Mastodon instance on `127.0.0.1`, fed from
//! recorded or generated events, with fault injection — so the live-stream client can be
//! tested and benchmarked without the internet.
//!
//! Include it with `#[path = "support/replay.rs"] mod replay;` (tests) or
//! `#[path = "../tests/support/replay.rs"] mod replay;` (benches). It needs only tokio,
//! tokio-tungstenite, futures-util, zstd and serde_json.
//!
//! # What it serves
//!
//! * **Jetstream**, websocket `GET /subscribe` ([`ReplayServer::jetstream_url`]). Query:
//!   `cursor` (unix µs, inclusive: events with `time_us >= cursor - rewind_us`; absent =
//!   from the first event, the whole recording plays as the "live tail"), repeated
//!   `wantedCollections` (exact NSIDs or prefix wildcards like `app.bsky.feed.*`; only
//!   commit events are filtered, identity and account events always pass), repeated
//!   `wantedDids`, and `compress=true` or the header `Socket-Encoding: zstd` (each event
//!   becomes a binary frame holding one zstd frame made with [`Config::dictionary`]; 400
//!   when there is none). Pacing ([`Config::rate`]) is per connection. After the last
//!   event the connection stays open and idle (pings are answered) until the client
//!   closes it or the server shuts down.
//! * **Mastodon streaming**, websocket `GET /api/v1/streaming?stream=public` or
//!   `GET /api/v1/streaming/public`. Statuses are *published* on a clock that starts with
//!   the server: status `i` at `start + i / rate` (all at once without a rate). A
//!   connection gets, as `{"stream":["public"],"event":"update","payload":"<status>"}`
//!   text frames, every status published after it connected — never earlier ones.
//! * **Mastodon REST**: `GET /api/v1/timelines/public` with `min_id`, `since_id`,
//!   `max_id`, `limit` (default 20, at most 40) over the statuses published so far, ids
//!   compared numerically, newest first, with a `Link` header like Mastodon's; and
//!   `GET /api/v1/instance` → `{"uri":"127.0.0.1:PORT","version":"4.3.0"}`.
//!
//! # Faults ([`Faults`]), per websocket connection, on both stream kinds
//!
//! Events are counted per connection. With `repeat_every = N` the Nth, 2Nth, … event is
//! sent twice in a row. Every event frame (repeats included) counts towards
//! `malformed_every` and `drop_after`: after the Nth, 2Nth, … event frame comes one
//! malformed frame (the two kinds alternate, the first kind first), and after the
//! `drop_after`th event frame the TCP connection is dropped without a close frame.
//!
//! # Misbehaving clients
//!
//! Nothing a client sends makes the server panic: a request head over 16 KiB, not UTF-8,
//! or otherwise malformed gets a 400, an unknown path a 404, a method other than GET a
//! 405, and the connection is closed. Frames a client sends on a stream are ignored
//! (pings are answered, close frames end the stream).

#![allow(dead_code)]

use std::io;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::{JoinHandle, JoinSet};
use tokio::time::Instant;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::handshake::derive_accept_key;
use tokio_tungstenite::tungstenite::protocol::Role;
use tokio_tungstenite::tungstenite::{Bytes, Message, Utf8Bytes};

/// What the server replays, and how badly.
#[derive(Clone, Debug, Default)]
pub struct Config {
    /// Jetstream events, one JSON object per line as Jetstream sends them; each has an
    /// integer `time_us`; in stream order (non-decreasing `time_us`).
    pub jetstream: Vec<String>,
    /// Mastodon Status objects (JSON), in publication order; each has a string `id`
    /// (decimal, increasing).
    pub mastodon: Vec<String>,
    /// zstd dictionary for `compress=true` (Jetstream); `None` = compressed requests are
    /// refused with 400.
    pub dictionary: Option<Vec<u8>>,
    pub faults: Faults,
    /// Events per second per stream (pacing); `None` = as fast as the socket takes them.
    /// For Mastodon this is the publication clock, shared by all connections.
    pub rate: Option<f64>,
}

/// Faults injected into every websocket stream; see the module docs for how they count.
#[derive(Clone, Debug, Default)]
pub struct Faults {
    /// Drop the TCP connection abruptly (no close frame) after this many event frames on
    /// one connection.
    pub drop_after: Option<usize>,
    /// Send every Nth event twice in a row (at-least-once delivery).
    pub repeat_every: Option<usize>,
    /// After every Nth event frame send one malformed frame. Jetstream plain: text that
    /// is not JSON, and a JSON object that is not an event, alternating; compressed:
    /// binary garbage that is not a zstd frame, and a valid zstd frame of non-JSON;
    /// Mastodon: a text frame that is not JSON, and an `update` whose payload is not JSON.
    pub malformed_every: Option<usize>,
    /// On (re)connection with a cursor, rewind: also re-send the events with `time_us` in
    /// `[cursor - rewind_us, cursor)` (a real Jetstream may replay a little before the
    /// cursor).
    pub rewind_us: i64,
}

/// Counters since the server started.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// TCP connections accepted (any endpoint).
    pub connections: u64,
    /// Event frames sent on websocket streams, repeats included.
    pub event_frames: u64,
    /// Malformed frames sent (`Faults::malformed_every`).
    pub malformed_frames: u64,
    /// Connections dropped on purpose (`Faults::drop_after`).
    pub drops: u64,
    /// Successful REST responses (timeline pages and instance info).
    pub rest_requests: u64,
    /// Requests refused with a 4xx status.
    pub rejected: u64,
}

/// A running replay server; shut down by [`ReplayServer::shutdown`] or on drop.
pub struct ReplayServer {
    addr: SocketAddr,
    counters: Arc<Counters>,
    shutdown: watch::Sender<bool>,
    task: Option<JoinHandle<()>>,
}

impl ReplayServer {
    /// Validates `cfg`, binds `127.0.0.1:0` and starts serving. Invalid input (an event
    /// without `time_us`, out-of-order events or ids, a bad rate) is `InvalidInput`.
    pub async fn start(cfg: Config) -> io::Result<ReplayServer> {
        if let Some(rate) = cfg.rate
            && !(rate.is_finite() && rate > 0.0)
        {
            return Err(invalid(format!("rate must be positive and finite, got {rate}")));
        }
        let jetstream = parse_jetstream(&cfg.jetstream)?;
        let statuses = parse_mastodon(&cfg.mastodon)?;
        let malformed_zstd = match &cfg.dictionary {
            Some(dict) => Some(Bytes::from(
                zstd::bulk::Compressor::with_dictionary(3, dict)?.compress(MALFORMED_ZSTD_CONTENT.as_bytes())?,
            )),
            None => None,
        };
        let compressed = match cfg.dictionary {
            Some(_) => (0..jetstream.len()).map(|_| OnceLock::new()).collect(),
            None => Vec::new(),
        };

        let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
        let addr = listener.local_addr()?;
        let counters = Arc::new(Counters::default());
        let shared = Arc::new(Shared {
            jetstream,
            compressed,
            dictionary: cfg.dictionary,
            malformed_zstd,
            statuses,
            faults: cfg.faults,
            rate: cfg.rate,
            start: Instant::now(),
            addr,
            counters: Arc::clone(&counters),
        });
        let (shutdown, shutdown_rx) = watch::channel(false);
        let task = tokio::spawn(accept_loop(listener, shared, shutdown_rx));
        Ok(ReplayServer { addr, counters, shutdown, task: Some(task) })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `ws://127.0.0.1:PORT/subscribe`
    pub fn jetstream_url(&self) -> String {
        format!("ws://{}/subscribe", self.addr)
    }

    /// `http://127.0.0.1:PORT`, the Mastodon instance's base URL (streaming at
    /// `ws://127.0.0.1:PORT/api/v1/streaming`).
    pub fn mastodon_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn stats(&self) -> Stats {
        let c = &self.counters;
        Stats {
            connections: c.connections.load(Ordering::Relaxed),
            event_frames: c.event_frames.load(Ordering::Relaxed),
            malformed_frames: c.malformed_frames.load(Ordering::Relaxed),
            drops: c.drops.load(Ordering::Relaxed),
            rest_requests: c.rest_requests.load(Ordering::Relaxed),
            rejected: c.rejected.load(Ordering::Relaxed),
        }
    }

    /// Stops accepting, sends open streams a close frame and waits (a few seconds at
    /// most) for the connections to end.
    pub async fn shutdown(mut self) {
        self.shutdown.send_replace(true);
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for ReplayServer {
    fn drop(&mut self) {
        self.shutdown.send_replace(true);
    }
}

// ---------------------------------------------------------------------------------------
// Shared state

const MAX_HEAD: usize = 16 * 1024;
const HEAD_TIMEOUT: Duration = Duration::from_secs(10);
const SHUTDOWN_GRACE: Duration = Duration::from_secs(2);
/// Event frames written between two flushes when events are due back to back.
const BATCH: usize = 256;

const MALFORMED_TEXT: &str = "replay: malformed frame, this is not JSON {";
const MALFORMED_NOT_EVENT: &str = r#"{"replay":"malformed frame: a JSON object that is not an event"}"#;
const MALFORMED_GARBAGE: &[u8] = b"replay: malformed frame, garbage that is not a zstd frame";
const MALFORMED_ZSTD_CONTENT: &str = "replay: malformed frame, a zstd frame holding no JSON";
const MALFORMED_UPDATE: &str = r#"{"stream":["public"],"event":"update","payload":"replay: this payload is not JSON"}"#;

#[derive(Default)]
struct Counters {
    connections: AtomicU64,
    event_frames: AtomicU64,
    malformed_frames: AtomicU64,
    drops: AtomicU64,
    rest_requests: AtomicU64,
    rejected: AtomicU64,
}

fn bump(counter: &AtomicU64) {
    counter.fetch_add(1, Ordering::Relaxed);
}

struct JetEvent {
    text: Utf8Bytes,
    time_us: i64,
    did: Option<String>,
    /// `commit.collection`; `None` for identity and account events.
    collection: Option<String>,
}

struct Status {
    id: u64,
    json: String,
    /// The streaming `update` frame carrying this status.
    update: Utf8Bytes,
}

struct Shared {
    jetstream: Vec<JetEvent>,
    /// Compressed Jetstream frames, filled on first use; empty without a dictionary.
    compressed: Vec<OnceLock<Bytes>>,
    dictionary: Option<Vec<u8>>,
    malformed_zstd: Option<Bytes>,
    statuses: Vec<Status>,
    faults: Faults,
    rate: Option<f64>,
    start: Instant,
    addr: SocketAddr,
    counters: Arc<Counters>,
}

impl Shared {
    /// When status `i` is published (`None`: at the start, there being no rate).
    fn publish_time(&self, i: usize) -> Option<Instant> {
        self.rate.map(|rate| self.start + seconds(i as f64 / rate))
    }

    /// How many statuses are published at `now`.
    fn published(&self, now: Instant) -> usize {
        let (mut lo, mut hi) = (0, self.statuses.len());
        // The smallest i whose publication time is after `now`.
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if self.publish_time(mid).is_some_and(|t| t > now) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        lo
    }
}

/// `secs` as a duration, capped at about 30 years (a tiny rate must not overflow).
fn seconds(secs: f64) -> Duration {
    Duration::from_secs_f64(secs.clamp(0.0, 1e9))
}

fn invalid(msg: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, msg)
}

fn parse_jetstream(lines: &[String]) -> io::Result<Vec<JetEvent>> {
    let mut out = Vec::with_capacity(lines.len());
    let mut last = i64::MIN;
    for (i, line) in lines.iter().enumerate() {
        let value: serde_json::Value =
            serde_json::from_str(line).map_err(|e| invalid(format!("jetstream event {i}: not JSON: {e}")))?;
        let time_us = value
            .get("time_us")
            .and_then(serde_json::Value::as_i64)
            .ok_or_else(|| invalid(format!("jetstream event {i}: no integer time_us")))?;
        if time_us < last {
            return Err(invalid(format!("jetstream event {i}: time_us {time_us} goes back (previous {last})")));
        }
        last = time_us;
        let str_at = |pointer: &str| value.pointer(pointer).and_then(serde_json::Value::as_str).map(str::to_owned);
        out.push(JetEvent {
            text: Utf8Bytes::from(line.clone()),
            time_us,
            did: str_at("/did"),
            collection: str_at("/commit/collection"),
        });
    }
    Ok(out)
}

fn parse_mastodon(statuses: &[String]) -> io::Result<Vec<Status>> {
    let mut out: Vec<Status> = Vec::with_capacity(statuses.len());
    for (i, json) in statuses.iter().enumerate() {
        let value: serde_json::Value =
            serde_json::from_str(json).map_err(|e| invalid(format!("mastodon status {i}: not JSON: {e}")))?;
        let id = value
            .get("id")
            .and_then(serde_json::Value::as_str)
            .and_then(|id| id.parse::<u64>().ok())
            .ok_or_else(|| invalid(format!("mastodon status {i}: no decimal string id")))?;
        if let Some(prev) = out.last()
            && prev.id >= id
        {
            return Err(invalid(format!("mastodon status {i}: id {id} is not above the previous {}", prev.id)));
        }
        let update = serde_json::json!({
            "stream": ["public"],
            "event": "update",
            "payload": json,
        })
        .to_string();
        out.push(Status { id, json: json.clone(), update: Utf8Bytes::from(update) });
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------------
// Accepting and routing

async fn wait_shutdown(rx: &mut watch::Receiver<bool>) {
    // An error means the sender is gone, which is a shutdown too.
    let _ = rx.wait_for(|&down| down).await;
}

async fn accept_loop(listener: TcpListener, shared: Arc<Shared>, mut shutdown: watch::Receiver<bool>) {
    let mut tasks = JoinSet::new();
    loop {
        tokio::select! {
            _ = wait_shutdown(&mut shutdown) => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    bump(&shared.counters.connections);
                    tasks.spawn(handle_connection(stream, Arc::clone(&shared), shutdown.clone()));
                }
                // Out of descriptors and the like: back off instead of spinning.
                Err(_) => tokio::time::sleep(Duration::from_millis(10)).await,
            },
            Some(_) = tasks.join_next(), if !tasks.is_empty() => {}
        }
    }
    drop(listener);
    let _ = tokio::time::timeout(SHUTDOWN_GRACE, async { while tasks.join_next().await.is_some() {} }).await;
    tasks.abort_all();
}

async fn handle_connection(mut stream: TcpStream, shared: Arc<Shared>, mut shutdown: watch::Receiver<bool>) {
    let _ = stream.set_nodelay(true);
    let head = tokio::select! {
        head = tokio::time::timeout(HEAD_TIMEOUT, read_head(&mut stream)) => head,
        _ = wait_shutdown(&mut shutdown) => return,
    };
    let (req, extra_bytes) = match head {
        Ok(Ok(head)) => head,
        Ok(Err(HeadError::Bad(why))) => return reject(stream, &shared, 400, why).await,
        // Timed out, closed early, or an IO error: nobody to answer.
        Err(_) | Ok(Err(HeadError::Gone)) => return,
    };
    if req.method != "GET" {
        return reject(stream, &shared, 405, "only GET is served").await;
    }
    let upgrade = req.header("upgrade").is_some_and(|v| v.eq_ignore_ascii_case("websocket"));
    match req.path.as_str() {
        "/subscribe" | "/api/v1/streaming" | "/api/v1/streaming/public" => {
            if !upgrade {
                return reject(stream, &shared, 400, "expected a websocket upgrade").await;
            }
            if extra_bytes {
                return reject(stream, &shared, 400, "data sent before the upgrade").await;
            }
            let Some(key) = req.header("sec-websocket-key") else {
                return reject(stream, &shared, 400, "no Sec-WebSocket-Key").await;
            };
            let feed =
                if req.path == "/subscribe" { jetstream_feed(&shared, &req) } else { mastodon_feed(&shared, &req) };
            let feed = match feed {
                Ok(feed) => feed,
                Err(why) => return reject(stream, &shared, 400, why).await,
            };
            let response = format!(
                "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\
                 Connection: Upgrade\r\nSec-WebSocket-Accept: {}\r\n\r\n",
                derive_accept_key(key.as_bytes())
            );
            if stream.write_all(response.as_bytes()).await.is_err() {
                return;
            }
            let ws = WebSocketStream::from_raw_socket(stream, Role::Server, None).await;
            serve_stream(ws, feed, shared, shutdown).await;
        }
        "/api/v1/timelines/public" => match timeline(&shared, &req) {
            Ok((body, link)) => {
                bump(&shared.counters.rest_requests);
                let extra = link.map(|l| format!("Link: {l}\r\n")).unwrap_or_default();
                respond(stream, 200, &extra, &body).await;
            }
            Err(why) => reject(stream, &shared, 400, why).await,
        },
        "/api/v1/instance" => {
            bump(&shared.counters.rest_requests);
            let body = serde_json::json!({
                "uri": shared.addr.to_string(),
                "version": "4.3.0",
            })
            .to_string();
            respond(stream, 200, "", &body).await;
        }
        _ => reject(stream, &shared, 404, "no such endpoint").await,
    }
}

async fn reject(stream: TcpStream, shared: &Shared, code: u16, why: &str) {
    bump(&shared.counters.rejected);
    let body = serde_json::json!({ "error": why }).to_string();
    respond(stream, code, "", &body).await;
}

/// Writes a JSON response and closes the connection; `extra_headers` are whole lines.
async fn respond(mut stream: TcpStream, code: u16, extra_headers: &str, body: &str) {
    let reason = match code {
        200 => "OK",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        _ => "Unknown",
    };
    let head = format!(
        "HTTP/1.1 {code} {reason}\r\nContent-Type: application/json; charset=utf-8\r\n\
         Content-Length: {}\r\nConnection: close\r\n{extra_headers}\r\n",
        body.len()
    );
    let written = async {
        stream.write_all(head.as_bytes()).await?;
        stream.write_all(body.as_bytes()).await?;
        stream.flush().await?;
        stream.shutdown().await
    };
    if written.await.is_err() {
        return;
    }
    // Read what the client still sends (a request it did not finish) for a moment, so
    // closing does not reset the connection before it has read the response.
    let _ = tokio::time::timeout(Duration::from_millis(500), async {
        let mut sink = [0u8; 4096];
        let mut total = 0usize;
        while let Ok(n) = stream.read(&mut sink).await {
            total += n;
            if n == 0 || total > 1 << 20 {
                break;
            }
        }
    })
    .await;
}

// ---------------------------------------------------------------------------------------
// HTTP request heads

struct Request {
    method: String,
    path: String,
    /// Decoded query parameters, in order, repeats kept.
    query: Vec<(String, String)>,
    /// Header names lowercased.
    headers: Vec<(String, String)>,
}

impl Request {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }

    fn params<'a>(&'a self, key: &str) -> impl Iterator<Item = &'a str> {
        self.query.iter().filter(move |(k, _)| k == key).map(|(_, v)| v.as_str())
    }

    /// The first value of `key`, empty values counting as absent.
    fn param(&self, key: &str) -> Option<&str> {
        self.params(key).next().filter(|v| !v.is_empty())
    }
}

enum HeadError {
    /// Answer with a 400 saying why.
    Bad(&'static str),
    /// The client went away, or the socket failed.
    Gone,
}

/// Reads one request head; the flag says whether bytes followed it.
async fn read_head(stream: &mut TcpStream) -> Result<(Request, bool), HeadError> {
    let mut buf = Vec::with_capacity(1024);
    let mut chunk = [0u8; 4096];
    loop {
        let n = stream.read(&mut chunk).await.map_err(|_| HeadError::Gone)?;
        if n == 0 {
            return Err(HeadError::Gone);
        }
        let search_from = buf.len().saturating_sub(3);
        buf.extend_from_slice(&chunk[..n]);
        if let Some(pos) = buf[search_from..].windows(4).position(|w| w == b"\r\n\r\n") {
            let end = search_from + pos + 4;
            if end > MAX_HEAD {
                return Err(HeadError::Bad("request head over 16 KiB"));
            }
            return parse_head(&buf[..end]).map(|req| (req, buf.len() > end));
        }
        if buf.len() > MAX_HEAD {
            return Err(HeadError::Bad("request head over 16 KiB"));
        }
    }
}

fn parse_head(head: &[u8]) -> Result<Request, HeadError> {
    let text = std::str::from_utf8(head).map_err(|_| HeadError::Bad("head is not UTF-8"))?;
    let mut lines = text.split("\r\n");
    let request_line = lines.next().unwrap_or_default();
    let mut parts = request_line.split(' ');
    let (Some(method), Some(target), Some(version), None) = (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(HeadError::Bad("malformed request line"));
    };
    if !version.starts_with("HTTP/1.") || method.is_empty() {
        return Err(HeadError::Bad("malformed request line"));
    }
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    if !path.starts_with('/') {
        return Err(HeadError::Bad("request target is not an absolute path"));
    }
    let mut params = Vec::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        match (percent_decode(k), percent_decode(v)) {
            (Some(k), Some(v)) => params.push((k, v)),
            _ => return Err(HeadError::Bad("bad percent-encoding in the query")),
        }
    }
    let mut headers = Vec::new();
    for line in lines.filter(|l| !l.is_empty()) {
        let Some((name, value)) = line.split_once(':') else {
            return Err(HeadError::Bad("header line without a colon"));
        };
        if name.is_empty() || name.bytes().any(|b| b.is_ascii_whitespace()) {
            return Err(HeadError::Bad("malformed header name"));
        }
        headers.push((name.to_ascii_lowercase(), value.trim().to_owned()));
    }
    Ok(Request { method: method.to_owned(), path: path.to_owned(), query: params, headers })
}

/// Decodes `+` and `%XX` in a query component; `None` for a bad escape or non-UTF-8.
fn percent_decode(s: &str) -> Option<String> {
    fn hex(b: u8) -> Option<u8> {
        char::from(b).to_digit(16).map(|d| d as u8)
    }
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b'%' => {
                let hi = hex(*bytes.get(i + 1)?)?;
                let lo = hex(*bytes.get(i + 2)?)?;
                out.push(hi << 4 | lo);
                i += 3;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

// ---------------------------------------------------------------------------------------
// Streams

/// What one websocket connection sends.
enum Feed {
    Jetstream {
        /// Index of the next event to consider.
        pos: usize,
        collections: Vec<String>,
        dids: Vec<String>,
        compressor: Option<zstd::bulk::Compressor<'static>>,
        /// Events sent so far (pacing).
        sent: usize,
        started: Instant,
    },
    Mastodon {
        next: usize,
    },
}

fn jetstream_feed(shared: &Shared, req: &Request) -> Result<Feed, &'static str> {
    let compress_param = match req.param("compress") {
        None | Some("false") => false,
        Some("true") => true,
        Some(_) => return Err("compress must be true or false"),
    };
    let compress = compress_param || req.header("socket-encoding").is_some_and(|v| v.eq_ignore_ascii_case("zstd"));
    let compressor = if compress {
        let dict = shared.dictionary.as_deref().ok_or("compression requested but this server has no dictionary")?;
        Some(zstd::bulk::Compressor::with_dictionary(3, dict).map_err(|_| "cannot load the zstd dictionary")?)
    } else {
        None
    };
    let pos = match req.param("cursor") {
        None => 0,
        Some(cursor) => {
            let cursor: i64 = cursor.parse().map_err(|_| "cursor is not an integer")?;
            let from = cursor.saturating_sub(shared.faults.rewind_us);
            shared.jetstream.partition_point(|e| e.time_us < from)
        }
    };
    let collections = req.params("wantedCollections").filter(|c| !c.is_empty()).map(str::to_owned).collect();
    let dids = req.params("wantedDids").filter(|d| !d.is_empty()).map(str::to_owned).collect();
    Ok(Feed::Jetstream { pos, collections, dids, compressor, sent: 0, started: Instant::now() })
}

fn mastodon_feed(shared: &Shared, req: &Request) -> Result<Feed, &'static str> {
    if req.path == "/api/v1/streaming" && req.param("stream") != Some("public") {
        return Err("only stream=public is served");
    }
    Ok(Feed::Mastodon { next: shared.published(Instant::now()) })
}

fn wanted_collection(patterns: &[String], collection: &str) -> bool {
    patterns.iter().any(|p| match p.strip_suffix('*') {
        Some(prefix) => collection.starts_with(prefix),
        None => p == collection,
    })
}

impl Feed {
    /// The next event to send: `None` when there is none (yet, for Mastodon: ever);
    /// `Some(None)` when it is due now, `Some(Some(t))` when due at `t`.
    fn peek(&mut self, shared: &Shared) -> Option<Option<Instant>> {
        match self {
            Feed::Jetstream { pos, collections, dids, sent, started, .. } => {
                while let Some(event) = shared.jetstream.get(*pos) {
                    let did_ok = dids.is_empty() || event.did.as_deref().is_some_and(|d| dids.iter().any(|w| w == d));
                    let collection_ok = collections.is_empty()
                        || event.collection.as_deref().is_none_or(|c| wanted_collection(collections, c));
                    if did_ok && collection_ok {
                        let due = shared.rate.map(|rate| *started + seconds(*sent as f64 / rate));
                        return Some(due);
                    }
                    *pos += 1;
                }
                None
            }
            Feed::Mastodon { next } => (*next < shared.statuses.len()).then(|| shared.publish_time(*next)),
        }
    }

    /// The frame of the event `peek` found, moving past it; `None` if compressing failed.
    fn take(&mut self, shared: &Shared) -> Option<Message> {
        match self {
            Feed::Jetstream { pos, compressor, sent, .. } => {
                let i = *pos;
                *pos += 1;
                *sent += 1;
                let event = &shared.jetstream[i];
                match compressor {
                    None => Some(Message::Text(event.text.clone())),
                    Some(compressor) => {
                        let cell = &shared.compressed[i];
                        if let Some(frame) = cell.get() {
                            return Some(Message::Binary(frame.clone()));
                        }
                        let frame = Bytes::from(compressor.compress(event.text.as_bytes()).ok()?);
                        let _ = cell.set(frame.clone());
                        Some(Message::Binary(frame))
                    }
                }
            }
            Feed::Mastodon { next } => {
                let status = &shared.statuses[*next];
                *next += 1;
                Some(Message::Text(status.update.clone()))
            }
        }
    }

    /// Malformed frame number `n` (0-based) of this connection.
    fn malformed(&self, shared: &Shared, n: usize) -> Message {
        let first = n.is_multiple_of(2);
        match self {
            Feed::Jetstream { compressor: None, .. } => {
                Message::text(if first { MALFORMED_TEXT } else { MALFORMED_NOT_EVENT })
            }
            Feed::Jetstream { compressor: Some(_), .. } => match (&shared.malformed_zstd, first) {
                (Some(frame), false) => Message::Binary(frame.clone()),
                _ => Message::Binary(Bytes::from_static(MALFORMED_GARBAGE)),
            },
            Feed::Mastodon { .. } => Message::text(if first { MALFORMED_TEXT } else { MALFORMED_UPDATE }),
        }
    }
}

enum Wake {
    Shutdown,
    Incoming(bool),
    Due,
}

/// Why a batch ended the connection.
enum End {
    /// `drop_after` reached: drop the socket without a close frame.
    Drop,
    /// Writing failed or compressing did: the connection is done.
    Failed,
}

/// Per-connection fault counters.
#[derive(Default)]
struct Tally {
    events: usize,
    event_frames: usize,
    malformed: usize,
}

async fn serve_stream(
    mut ws: WebSocketStream<TcpStream>,
    mut feed: Feed,
    shared: Arc<Shared>,
    mut shutdown: watch::Receiver<bool>,
) {
    let mut tally = Tally::default();
    if shared.faults.drop_after == Some(0) {
        bump(&shared.counters.drops);
        return;
    }
    loop {
        let next = feed.peek(&shared);
        let due = async {
            if let Some(Some(at)) = next {
                tokio::time::sleep_until(at).await;
            }
        };
        let wake = tokio::select! {
            biased;
            _ = wait_shutdown(&mut shutdown) => Wake::Shutdown,
            incoming = ws.next() => Wake::Incoming(matches!(incoming, Some(Ok(_)))),
            _ = due, if next.is_some() => Wake::Due,
        };
        match wake {
            Wake::Shutdown => {
                let _ = tokio::time::timeout(SHUTDOWN_GRACE, ws.close(None)).await;
                return;
            }
            // Pings and close frames are answered by tungstenite as it reads; anything
            // else from the client is ignored.
            Wake::Incoming(true) => {}
            Wake::Incoming(false) => return,
            Wake::Due => match send_batch(&mut ws, &mut feed, &shared, &mut tally).await {
                Ok(()) => {}
                Err(End::Drop) => {
                    bump(&shared.counters.drops);
                    // Dropping the stream closes the socket with no close frame.
                    return;
                }
                Err(End::Failed) => return,
            },
        }
    }
}

/// Sends the events due now (at most [`BATCH`]) with their faults, then flushes.
async fn send_batch(
    ws: &mut WebSocketStream<TcpStream>,
    feed: &mut Feed,
    shared: &Shared,
    tally: &mut Tally,
) -> Result<(), End> {
    let faults = &shared.faults;
    let every = |n: Option<usize>, count: usize| n.is_some_and(|n| n > 0 && count.is_multiple_of(n));
    let now = Instant::now();
    for _ in 0..BATCH {
        match feed.peek(shared) {
            Some(None) => {}
            Some(Some(at)) if at <= now => {}
            _ => break,
        }
        let frame = feed.take(shared).ok_or(End::Failed)?;
        tally.events += 1;
        let copies = if every(faults.repeat_every, tally.events) { 2 } else { 1 };
        for _ in 0..copies {
            ws.feed(frame.clone()).await.map_err(|_| End::Failed)?;
            tally.event_frames += 1;
            bump(&shared.counters.event_frames);
            if every(faults.malformed_every, tally.event_frames) {
                let bad = feed.malformed(shared, tally.malformed);
                ws.feed(bad).await.map_err(|_| End::Failed)?;
                tally.malformed += 1;
                bump(&shared.counters.malformed_frames);
            }
            if faults.drop_after.is_some_and(|n| tally.event_frames >= n) {
                ws.flush().await.map_err(|_| End::Failed)?;
                return Err(End::Drop);
            }
        }
    }
    ws.flush().await.map_err(|_| End::Failed)
}

// ---------------------------------------------------------------------------------------
// Mastodon REST

/// A page of `/api/v1/timelines/public`: the JSON array and the `Link` header value.
fn timeline(shared: &Shared, req: &Request) -> Result<(String, Option<String>), &'static str> {
    let id = |key: &str| -> Result<Option<u64>, &'static str> {
        req.param(key).map(|v| v.parse::<u64>().map_err(|_| "ids must be decimal integers")).transpose()
    };
    let (min_id, since_id, max_id) = (id("min_id")?, id("since_id")?, id("max_id")?);
    let limit = match req.param("limit") {
        None => 20,
        Some(l) => l.parse::<usize>().map_err(|_| "limit must be a non-negative integer")?.clamp(1, 40),
    };
    let published = &shared.statuses[..shared.published(Instant::now())];
    let above = min_id.max(since_id);
    let lo = above.map_or(0, |a| published.partition_point(|s| s.id <= a));
    let hi = max_id.map_or(published.len(), |m| published.partition_point(|s| s.id < m));
    let page = if lo >= hi {
        &published[0..0]
    } else if min_id.is_some() {
        &published[lo..hi.min(lo + limit)]
    } else {
        &published[hi.saturating_sub(limit).max(lo)..hi]
    };
    let mut body = String::from("[");
    for (i, status) in page.iter().rev().enumerate() {
        if i > 0 {
            body.push(',');
        }
        body.push_str(&status.json);
    }
    body.push(']');
    let link = match (page.first(), page.last()) {
        (Some(oldest), Some(newest)) => {
            let base = format!("http://{}/api/v1/timelines/public", shared.addr);
            Some(format!(
                "<{base}?limit={limit}&max_id={}>; rel=\"next\", \
                 <{base}?limit={limit}&min_id={}>; rel=\"prev\"",
                oldest.id, newest.id
            ))
        }
        _ => None,
    };
    Ok((body, link))
}
