//! Self-test of the replay server (`support/replay.rs`): what a client sees on each
//! endpoint, with and without faults, checked against the recording it was given.

#[path = "support/replay.rs"]
mod replay;

use std::net::SocketAddr;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use replay::{Config, Faults, ReplayServer};
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::timeout;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::{Bytes, Message};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream, connect_async};

type Client = WebSocketStream<MaybeTlsStream<TcpStream>>;

// ---------------------------------------------------------------------------------------
// Synthetic recordings

const BASE_US: i64 = 1_725_000_000_000_000;
const COLLECTIONS: [&str; 6] = [
    "app.bsky.feed.post",
    "app.bsky.feed.like",
    "app.bsky.graph.follow",
    "app.bsky.feed.repost",
    "app.bsky.actor.profile",
    "app.bsky.graph.block",
];

/// Event `i`'s time: events come in pairs sharing a `time_us`, 1 ms apart.
fn time_us(i: usize) -> i64 {
    BASE_US + (i as i64 / 2) * 1000
}

fn did(i: usize) -> String {
    format!("did:plc:replay{:02}", i % 7)
}

/// Jetstream event `i`: mostly commits, every tenth an identity and an account event.
fn jet_line(i: usize) -> String {
    let (did, time_us) = (did(i), time_us(i));
    match i % 10 {
        8 => format!(
            r#"{{"did":"{did}","time_us":{time_us},"kind":"identity","identity":{{"did":"{did}","handle":"user{i}.bsky.social","seq":{i},"time":"2024-09-10T12:00:00Z"}}}}"#
        ),
        9 => format!(
            r#"{{"did":"{did}","time_us":{time_us},"kind":"account","account":{{"active":true,"did":"{did}","seq":{i},"time":"2024-09-10T12:00:00Z"}}}}"#
        ),
        _ => {
            let collection = COLLECTIONS[i % COLLECTIONS.len()];
            format!(
                r#"{{"did":"{did}","time_us":{time_us},"kind":"commit","commit":{{"rev":"3l3qo2vutsw2b{i:04}","operation":"create","collection":"{collection}","rkey":"3l3qo2vuowo2b{i:04}","record":{{"$type":"{collection}","createdAt":"2024-09-10T12:00:00.000Z","text":"replayed post number {i} about the weather"}},"cid":"bafyreidc6sydkkbchcyg62v77wbhzvb2mvytlmsychqgwf2xojjtirmzj{i}"}}}}"#
            )
        }
    }
}

fn jet_lines(n: usize) -> Vec<String> {
    (0..n).map(jet_line).collect()
}

/// Mastodon status `i`; ids grow by 7 from 1000.
fn status_id(i: usize) -> u64 {
    1000 + 7 * i as u64
}

fn status(i: usize) -> String {
    format!(
        r#"{{"id":"{}","created_at":"2024-09-10T12:00:{:02}.000Z","content":"<p>status {i}</p>","account":{{"id":"{}","acct":"user{}@example.social"}}}}"#,
        status_id(i),
        i % 60,
        i % 5,
        i % 5
    )
}

fn statuses(n: usize) -> Vec<String> {
    (0..n).map(status).collect()
}

fn dictionary(lines: &[String]) -> Vec<u8> {
    zstd::dict::from_samples(lines, 8 * 1024).expect("train a zstd dictionary")
}

async fn server(cfg: Config) -> ReplayServer {
    ReplayServer::start(cfg).await.expect("start the replay server")
}

// ---------------------------------------------------------------------------------------
// Websocket client

#[derive(Debug, Clone, PartialEq)]
enum Frame {
    Text(String),
    Binary(Bytes),
}

#[derive(Debug, PartialEq)]
enum Ending {
    /// Still open and quiet when we stopped listening.
    Open,
    /// The server sent a close frame.
    Closed,
    /// The connection ended without a close frame.
    Dropped,
}

#[derive(Debug)]
struct Received {
    frames: Vec<Frame>,
    ending: Ending,
}

async fn connect(request: impl IntoClientRequest + Unpin) -> Client {
    let (ws, _) = timeout(Duration::from_secs(10), connect_async(request))
        .await
        .expect("connect in time")
        .expect("websocket handshake");
    ws
}

/// Reads until `want` frames came (failing if the stream stalls before), then goes on
/// while more arrive within a quiet window, so extra frames are seen too.
async fn read_frames(ws: &mut Client, want: usize) -> Received {
    let mut frames = Vec::new();
    loop {
        let wait = if frames.len() < want { Duration::from_secs(10) } else { Duration::from_millis(300) };
        let next = match timeout(wait, ws.next()).await {
            Ok(next) => next,
            Err(_) if frames.len() >= want => return Received { frames, ending: Ending::Open },
            Err(_) => panic!("stream stalled after {} of {want} frames", frames.len()),
        };
        match next {
            Some(Ok(Message::Text(t))) => frames.push(Frame::Text(t.to_string())),
            Some(Ok(Message::Binary(b))) => frames.push(Frame::Binary(b)),
            Some(Ok(Message::Close(_))) => return Received { frames, ending: Ending::Closed },
            Some(Ok(_)) => {}
            Some(Err(_)) | None => return Received { frames, ending: Ending::Dropped },
        }
    }
}

async fn receive(request: impl IntoClientRequest + Unpin, want: usize) -> Received {
    let mut ws = connect(request).await;
    read_frames(&mut ws, want).await
}

fn texts(frames: &[Frame]) -> Vec<String> {
    frames
        .iter()
        .map(|f| match f {
            Frame::Text(t) => t.clone(),
            Frame::Binary(_) => panic!("expected a text frame, got {f:?}"),
        })
        .collect()
}

fn decompress(dict: &[u8], data: &[u8]) -> Option<Vec<u8>> {
    zstd::bulk::Decompressor::with_dictionary(dict).expect("load the dictionary").decompress(data, 1 << 20).ok()
}

/// What a frame is, judged the way a client would judge it.
#[derive(Debug, Clone, PartialEq)]
enum Kind {
    /// A Jetstream event line, or a Mastodon status id.
    Event(String),
    NotJson,
    /// Jetstream: a JSON object without `time_us`.
    NotEvent,
    /// Compressed Jetstream: a binary frame that is not a zstd frame.
    NotZstd,
    /// Mastodon: an `update` whose payload is not JSON.
    BadPayload,
}

fn jet_kind(text: &str) -> Kind {
    match serde_json::from_str::<Value>(text) {
        Err(_) => Kind::NotJson,
        Ok(v) if v.get("time_us").is_some_and(Value::is_i64) => Kind::Event(text.to_owned()),
        Ok(_) => Kind::NotEvent,
    }
}

fn jet_kinds(frames: &[Frame], dict: Option<&[u8]>) -> Vec<Kind> {
    frames
        .iter()
        .map(|f| match (f, dict) {
            (Frame::Text(t), None) => jet_kind(t),
            (Frame::Binary(b), Some(dict)) => match decompress(dict, b) {
                None => Kind::NotZstd,
                Some(raw) => match String::from_utf8(raw) {
                    Ok(text) => jet_kind(&text),
                    Err(_) => Kind::NotJson,
                },
            },
            _ => panic!("frame of the wrong type: {f:?}"),
        })
        .collect()
}

fn mastodon_kind(frame: &Frame) -> Kind {
    let Frame::Text(text) = frame else { panic!("Mastodon sends text frames, got {frame:?}") };
    let Ok(v) = serde_json::from_str::<Value>(text) else {
        return Kind::NotJson;
    };
    assert_eq!(v["stream"], serde_json::json!(["public"]), "{text}");
    assert_eq!(v["event"], "update", "{text}");
    let payload = v["payload"].as_str().expect("payload is a string");
    match serde_json::from_str::<Value>(payload) {
        Ok(status) => Kind::Event(status["id"].as_str().expect("status id").to_owned()),
        Err(_) => Kind::BadPayload,
    }
}

/// The frames a faulty stream should carry for `events`: repeats and malformed frames
/// where the faults say, `bad` giving the two malformed kinds in turn.
fn with_faults(events: &[String], faults: &Faults, bad: [Kind; 2]) -> Vec<Kind> {
    let every = |n: Option<usize>, count: usize| n.is_some_and(|n| count.is_multiple_of(n));
    let (mut out, mut frames, mut malformed) = (Vec::new(), 0, 0);
    for (k, event) in events.iter().enumerate() {
        let copies = if every(faults.repeat_every, k + 1) { 2 } else { 1 };
        for _ in 0..copies {
            out.push(Kind::Event(event.clone()));
            frames += 1;
            if every(faults.malformed_every, frames) {
                out.push(bad[malformed % 2].clone());
                malformed += 1;
            }
        }
    }
    out
}

// ---------------------------------------------------------------------------------------
// HTTP client

struct Response {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Response {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

/// Sends raw bytes, reads until the server closes, and parses the response.
async fn http_raw(addr: SocketAddr, request: &[u8]) -> Response {
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    // The server may answer (and close) before reading an oversized request entirely.
    let _ = stream.write_all(request).await;
    let mut raw = Vec::new();
    timeout(Duration::from_secs(10), stream.read_to_end(&mut raw))
        .await
        .expect("the server closes the connection")
        .expect("read the response");
    let raw = String::from_utf8(raw).expect("UTF-8 response");
    let (head, body) = raw.split_once("\r\n\r\n").expect("a response head");
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|l| l.strip_prefix("HTTP/1.1 "))
        .and_then(|l| l.get(..3))
        .and_then(|code| code.parse().ok())
        .unwrap_or_else(|| panic!("bad status line in {head:?}"));
    let headers: Vec<(String, String)> = lines
        .map(|l| {
            let (n, v) = l.split_once(':').expect("header line");
            (n.to_owned(), v.trim().to_owned())
        })
        .collect();
    let response = Response { status, headers, body: body.to_owned() };
    assert_eq!(response.header("content-length"), Some(response.body.len().to_string().as_str()));
    assert_eq!(response.header("connection"), Some("close"));
    response
}

async fn get(addr: SocketAddr, target: &str) -> Response {
    let request = format!("GET {target} HTTP/1.1\r\nHost: {addr}\r\nAccept: */*\r\n\r\n");
    http_raw(addr, request.as_bytes()).await
}

async fn get_json(addr: SocketAddr, target: &str) -> Value {
    let response = get(addr, target).await;
    assert_eq!(response.status, 200, "{target}: {}", response.body);
    serde_json::from_str(&response.body).expect("JSON body")
}

/// A timeline page's status ids, as returned (newest first).
async fn page(addr: SocketAddr, query: &str) -> Vec<u64> {
    let target = format!("/api/v1/timelines/public{query}");
    let body = get_json(addr, &target).await;
    body.as_array()
        .expect("a JSON array")
        .iter()
        .map(|s| s["id"].as_str().expect("id").parse().expect("decimal id"))
        .collect()
}

// ---------------------------------------------------------------------------------------
// (a) Plain and compressed Jetstream carry the same events

#[tokio::test]
async fn compressed_jetstream_carries_the_same_events() {
    let lines = jet_lines(400);
    let dict = dictionary(&lines);
    let server = server(Config { jetstream: lines.clone(), dictionary: Some(dict.clone()), ..Config::default() }).await;

    let plain = receive(server.jetstream_url(), lines.len()).await;
    assert_eq!(plain.ending, Ending::Open);
    assert_eq!(texts(&plain.frames), lines);

    let by_param = receive(format!("{}?compress=true", server.jetstream_url()), lines.len()).await;
    let mut by_header = server.jetstream_url().into_client_request().expect("request");
    by_header.headers_mut().insert("Socket-Encoding", HeaderValue::from_static("zstd"));
    let by_header = receive(by_header, lines.len()).await;
    for compressed in [by_param, by_header] {
        assert_eq!(compressed.ending, Ending::Open);
        let (mut decoded, mut wire) = (Vec::new(), 0);
        for frame in &compressed.frames {
            let Frame::Binary(data) = frame else { panic!("compressed streams send binary frames, got {frame:?}") };
            wire += data.len();
            let raw = decompress(&dict, data).expect("a zstd frame");
            decoded.push(String::from_utf8(raw).expect("UTF-8"));
        }
        assert_eq!(decoded, lines);
        let plain_bytes: usize = lines.iter().map(String::len).sum();
        assert!(wire * 2 < plain_bytes, "{wire} compressed bytes for {plain_bytes}");
    }
    assert_eq!(server.stats().event_frames, 3 * lines.len() as u64);
    server.shutdown().await;
}

// ---------------------------------------------------------------------------------------
// (b) Cursor resume

/// Connects with `cursor` (µs) to a server rewinding `rewind_us`, and expects the
/// recording from event `first` on.
async fn check_cursor(rewind_us: i64, cursor: Option<i64>, first: usize) {
    let lines = jet_lines(200);
    let server = server(Config {
        jetstream: lines.clone(),
        faults: Faults { rewind_us, ..Faults::default() },
        ..Config::default()
    })
    .await;
    let url = match cursor {
        Some(c) => format!("{}?cursor={c}", server.jetstream_url()),
        None => server.jetstream_url(),
    };
    let got = receive(url, lines.len() - first).await;
    assert_eq!(got.ending, Ending::Open);
    assert_eq!(texts(&got.frames), lines[first..], "rewind {rewind_us}, cursor {cursor:?}");
    server.shutdown().await;
}

#[tokio::test]
async fn cursor_resumes_inclusively_with_rewind() {
    // Events 2k and 2k+1 share time_us(2k); times are 1 ms apart.
    check_cursor(0, None, 0).await;
    check_cursor(0, Some(0), 0).await;
    check_cursor(0, Some(time_us(101)), 100).await;
    check_cursor(0, Some(time_us(100) + 1), 102).await;
    check_cursor(2500, Some(time_us(101)), 96).await;
    check_cursor(2000, Some(time_us(101)), 96).await;
    check_cursor(1999, Some(time_us(101)), 98).await;
    check_cursor(0, Some(time_us(199) + 1), 200).await;
}

// ---------------------------------------------------------------------------------------
// (c) Dropped connections, and resuming after them

#[tokio::test]
async fn drop_after_cuts_the_connection_and_a_cursor_resumes() {
    let lines = jet_lines(400);
    let server = server(Config {
        jetstream: lines.clone(),
        faults: Faults { drop_after: Some(50), rewind_us: 1000, ..Faults::default() },
        ..Config::default()
    })
    .await;

    let first = receive(server.jetstream_url(), 50).await;
    assert_eq!(first.ending, Ending::Dropped);
    assert_eq!(texts(&first.frames), lines[..50]);
    assert_eq!(server.stats().drops, 1);

    // A client resuming from the last time_us it saw gets every event, some twice.
    let mut seen: Vec<String> = Vec::new();
    let mut cursor: Option<i64> = None;
    let mut connections = 0;
    loop {
        connections += 1;
        assert!(connections <= 20, "no progress: {} events seen", seen.len());
        let url = match cursor {
            Some(c) => format!("{}?cursor={c}", server.jetstream_url()),
            None => server.jetstream_url(),
        };
        let got = receive(url, 1).await;
        for line in texts(&got.frames) {
            let event: Value = serde_json::from_str(&line).expect("JSON");
            cursor = event["time_us"].as_i64();
            if !seen.contains(&line) {
                seen.push(line);
            }
        }
        if got.ending == Ending::Open {
            break;
        }
        assert_eq!(got.ending, Ending::Dropped);
        assert_eq!(got.frames.len(), 50);
    }
    assert_eq!(seen, lines);
    // The first connection, and each resuming one but the last.
    assert_eq!(server.stats().drops, 1 + (connections - 1));
    server.shutdown().await;
}

// ---------------------------------------------------------------------------------------
// (d) Filters

fn wanted(line: &str, collections: &[&str], dids: &[&str]) -> bool {
    let event: Value = serde_json::from_str(line).expect("JSON");
    let did_ok = dids.is_empty() || dids.iter().any(|d| event["did"] == *d);
    let collection_ok = match event["commit"]["collection"].as_str() {
        None => true,
        Some(c) => {
            collections.is_empty()
                || collections.iter().any(|w| match w.strip_suffix('*') {
                    Some(prefix) => c.starts_with(prefix),
                    None => c == *w,
                })
        }
    };
    did_ok && collection_ok
}

async fn check_filter(query: &str, collections: &[&str], dids: &[&str]) {
    let lines = jet_lines(300);
    let expect: Vec<String> = lines.iter().filter(|l| wanted(l, collections, dids)).cloned().collect();
    assert!(!expect.is_empty() && expect.len() < lines.len(), "{query}");
    let server = server(Config { jetstream: lines, ..Config::default() }).await;
    let got = receive(format!("{}?{query}", server.jetstream_url()), expect.len()).await;
    assert_eq!(got.ending, Ending::Open);
    assert_eq!(texts(&got.frames), expect, "{query}");
    server.shutdown().await;
}

#[tokio::test]
async fn wanted_collections_and_dids_filter() {
    check_filter("wantedCollections=app.bsky.feed.post", &["app.bsky.feed.post"], &[]).await;
    // A prefix wildcard, percent-encoded, beside an exact collection.
    check_filter(
        "wantedCollections=app.bsky.graph.%2A&wantedCollections=app.bsky.feed.like",
        &["app.bsky.graph.*", "app.bsky.feed.like"],
        &[],
    )
    .await;
    check_filter(
        "wantedDids=did%3Aplc%3Areplay03&wantedDids=did:plc:replay05",
        &[],
        &["did:plc:replay03", "did:plc:replay05"],
    )
    .await;
    check_filter(
        "wantedCollections=app.bsky.feed.*&wantedDids=did:plc:replay01",
        &["app.bsky.feed.*"],
        &["did:plc:replay01"],
    )
    .await;
}

// ---------------------------------------------------------------------------------------
// (e) Mastodon

#[tokio::test]
async fn mastodon_rest_min_id_paging_walks_every_status_once() {
    let n = 95;
    let server = server(Config { mastodon: statuses(n), ..Config::default() }).await;
    let addr = server.addr();
    let all: Vec<u64> = (0..n).map(status_id).collect();

    for limit in ["", "&limit=40", "&limit=7", "&limit=500"] {
        let mut walked: Vec<u64> = Vec::new();
        let mut min_id = 0;
        loop {
            let ids = page(addr, &format!("?min_id={min_id}{limit}")).await;
            let Some(&newest) = ids.first() else { break };
            assert!(ids.windows(2).all(|w| w[0] > w[1]), "descending: {ids:?}");
            let cap = match limit {
                "" => 20,
                "&limit=7" => 7,
                _ => 40,
            };
            assert!(ids.len() <= cap, "{limit}: page of {}", ids.len());
            walked.extend(ids.iter().rev());
            min_id = newest;
        }
        assert_eq!(walked, all, "{limit}");
    }

    let newest_five: Vec<u64> = (90..95).rev().map(status_id).collect();
    assert_eq!(page(addr, &format!("?since_id={}&limit=5", status_id(10))).await, newest_five);
    assert_eq!(page(addr, &format!("?max_id={}&limit=3", status_id(50))).await, [49, 48, 47].map(status_id));
    assert_eq!(
        page(addr, &format!("?since_id={}&max_id={}", status_id(10), status_id(13))).await,
        [12, 11].map(status_id)
    );
    assert_eq!(page(addr, "").await, (75..95).rev().map(status_id).collect::<Vec<_>>());

    let response = get(addr, "/api/v1/timelines/public?min_id=0&limit=2").await;
    let link = response.header("link").expect("a Link header");
    assert!(link.contains(&format!("max_id={}>; rel=\"next\"", status_id(0))), "{link}");
    assert!(link.contains(&format!("min_id={}>; rel=\"prev\"", status_id(1))), "{link}");

    let instance = get_json(addr, "/api/v1/instance").await;
    assert_eq!(instance["uri"], addr.to_string());
    assert_eq!(instance["version"], "4.3.0");
    // Walks of 6, 4, 15 and 4 pages (each ending on an empty one), then 6 requests.
    assert_eq!(server.stats().rest_requests, 29 + 6);
    server.shutdown().await;
}

/// Streams `path` from a server publishing `n` statuses at `rate`, checking that it
/// carries, in order, each status published after connecting, with `faults` applied.
async fn check_mastodon_stream(path: &str, n: usize, faults: Faults) {
    let server =
        server(Config { mastodon: statuses(n), rate: Some(40.0), faults: faults.clone(), ..Config::default() }).await;
    let addr = server.addr();
    let before = page(addr, "?limit=40").await.len();
    let mut ws = connect(format!("ws://{addr}{path}")).await;
    let after = page(addr, "?limit=40").await.len();
    assert!(after < n, "publication finished before the test could look");
    // Every status published after `after` must come; earlier ones may.
    let got = read_frames(&mut ws, n - after).await;
    assert_eq!(got.ending, Ending::Open);

    let kinds: Vec<Kind> = got.frames.iter().map(mastodon_kind).collect();
    let mut events: Vec<String> = Vec::new();
    for kind in &kinds {
        if let Kind::Event(id) = kind
            && events.last() != Some(id)
        {
            events.push(id.clone());
        }
    }
    let first = n - events.len();
    assert!(
        (before..=after).contains(&first),
        "first streamed status {first}, published before connecting {before}, after {after}"
    );
    let expect: Vec<String> = (first..n).map(|i| status_id(i).to_string()).collect();
    assert_eq!(events, expect);
    assert_eq!(kinds, with_faults(&events, &faults, [Kind::NotJson, Kind::BadPayload]));
    server.shutdown().await;
}

#[tokio::test]
async fn mastodon_streaming_sends_what_is_published_after_connecting() {
    check_mastodon_stream("/api/v1/streaming?stream=public", 40, Faults::default()).await;
    check_mastodon_stream("/api/v1/streaming/public", 40, Faults::default()).await;
}

// ---------------------------------------------------------------------------------------
// (f) Malformed and repeated frames

async fn check_jetstream_faults(compress: bool) {
    let lines = jet_lines(300);
    let dict = dictionary(&lines);
    let faults = Faults { malformed_every: Some(3), repeat_every: Some(4), ..Faults::default() };
    let events = &lines[..30];
    let server = server(Config {
        jetstream: events.to_vec(),
        dictionary: Some(dict.clone()),
        faults: faults.clone(),
        ..Config::default()
    })
    .await;
    let (url, dict, bad) = if compress {
        let url = format!("{}?compress=true", server.jetstream_url());
        (url, Some(dict.as_slice()), [Kind::NotZstd, Kind::NotJson])
    } else {
        (server.jetstream_url(), None, [Kind::NotJson, Kind::NotEvent])
    };
    let expect = with_faults(events, &faults, bad);
    let got = receive(url, expect.len()).await;
    assert_eq!(got.ending, Ending::Open);
    assert_eq!(jet_kinds(&got.frames, dict), expect);
    // 30 events, 7 of them twice; a malformed frame after every third of the 37.
    let stats = server.stats();
    assert_eq!((stats.event_frames, stats.malformed_frames), (37, 12));
    server.shutdown().await;
}

#[tokio::test]
async fn malformed_frames_appear_where_configured() {
    check_jetstream_faults(false).await;
    check_jetstream_faults(true).await;
    let faults = Faults { malformed_every: Some(2), repeat_every: Some(3), ..Faults::default() };
    check_mastodon_stream("/api/v1/streaming/public", 30, faults).await;
}

// ---------------------------------------------------------------------------------------
// Bad requests, idle streams, shutdown

async fn check_status(addr: SocketAddr, request: &[u8], status: u16) {
    let response = http_raw(addr, request).await;
    assert_eq!(
        response.status,
        status,
        "{}: {}",
        String::from_utf8_lossy(&request[..request.len().min(60)]),
        response.body
    );
    if status != 200 {
        let body: Value = serde_json::from_str(&response.body).expect("JSON error body");
        assert!(body["error"].is_string());
    }
}

#[tokio::test]
async fn bad_requests_get_4xx_and_the_server_carries_on() {
    let server = server(Config { jetstream: jet_lines(10), mastodon: statuses(3), ..Config::default() }).await;
    let addr = server.addr();
    let upgrade = "Upgrade: websocket\r\nConnection: Upgrade\r\n\
                   Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n";
    let huge = format!("GET / HTTP/1.1\r\nX-Big: {}\r\n\r\n", "a".repeat(17 * 1024));
    let cases: Vec<(Vec<u8>, u16)> = vec![
        (b"garbage\r\n\r\n".to_vec(), 400),
        (b"GET /api/v1/instance SMTP/1.0\r\n\r\n".to_vec(), 400),
        (b"GET /nope HTTP/1.1\r\n\r\n".to_vec(), 404),
        (b"POST /api/v1/instance HTTP/1.1\r\n\r\n".to_vec(), 405),
        (b"GET /api/v1/instance HTTP/1.1\r\nno colon\r\n\r\n".to_vec(), 400),
        (b"GET /api/v1/instance HTTP/1.1\r\nX: \xff\r\n\r\n".to_vec(), 400),
        (huge.into_bytes(), 400),
        (b"GET /subscribe HTTP/1.1\r\n\r\n".to_vec(), 400),
        (format!("GET /subscribe?compress=true HTTP/1.1\r\n{upgrade}\r\n").into_bytes(), 400),
        (format!("GET /subscribe?cursor=abc HTTP/1.1\r\n{upgrade}\r\n").into_bytes(), 400),
        (format!("GET /subscribe?wantedDids=%zz HTTP/1.1\r\n{upgrade}\r\n").into_bytes(), 400),
        (b"GET /subscribe HTTP/1.1\r\nUpgrade: websocket\r\n\r\n".to_vec(), 400),
        (format!("GET /api/v1/streaming?stream=user HTTP/1.1\r\n{upgrade}\r\n").into_bytes(), 400),
        (b"GET /api/v1/timelines/public?min_id=x HTTP/1.1\r\n\r\n".to_vec(), 400),
        (b"GET /api/v1/timelines/public?limit=-1 HTTP/1.1\r\n\r\n".to_vec(), 400),
        (b"GET /api/v1/instance HTTP/1.1\r\nHOST: x\r\n\r\n".to_vec(), 200),
    ];
    let rejected = cases.iter().filter(|(_, s)| *s != 200).count() as u64;
    for (request, status) in &cases {
        check_status(addr, request, *status).await;
    }
    // A client that leaves mid-head.
    let mut half = TcpStream::connect(addr).await.expect("connect");
    half.write_all(b"GET /subscribe HTTP/1.1\r\nHost").await.expect("write");
    drop(half);

    let got = receive(server.jetstream_url(), 10).await;
    assert_eq!(texts(&got.frames), jet_lines(10));
    assert_eq!(server.stats().rejected, rejected);
    assert_eq!(server.stats().connections, cases.len() as u64 + 2);
    server.shutdown().await;
}

#[tokio::test]
async fn idle_streams_answer_pings_and_shutdown_closes_them() {
    let lines = jet_lines(20);
    let server = server(Config { jetstream: lines.clone(), ..Config::default() }).await;
    let mut ws = connect(server.jetstream_url()).await;
    let got = read_frames(&mut ws, lines.len()).await;
    assert_eq!(texts(&got.frames), lines);
    assert_eq!(got.ending, Ending::Open);

    ws.send(Message::Ping(Bytes::from_static(b"are you there"))).await.expect("ping");
    let pong = timeout(Duration::from_secs(10), ws.next()).await.expect("pong in time");
    assert!(matches!(&pong, Some(Ok(Message::Pong(p))) if p.as_ref() == b"are you there"), "{pong:?}");

    timeout(Duration::from_secs(10), server.shutdown()).await.expect("shutdown in time");
    let end = read_frames(&mut ws, 0).await;
    assert!(end.frames.is_empty());
    assert_eq!(end.ending, Ending::Closed);
}

#[tokio::test]
async fn paced_jetstream_takes_its_time() {
    let lines = jet_lines(20);
    let server = server(Config { jetstream: lines.clone(), rate: Some(100.0), ..Config::default() }).await;
    let started = std::time::Instant::now();
    let got = receive(server.jetstream_url(), lines.len()).await;
    assert_eq!(texts(&got.frames), lines);
    // 20 events at 100/s: the last is due 190 ms after connecting.
    assert!(started.elapsed() >= Duration::from_millis(190));
    server.shutdown().await;
}

#[tokio::test]
async fn invalid_recordings_are_refused() {
    let bad = [
        Config { jetstream: vec![jet_line(4), jet_line(0)], ..Config::default() },
        Config { jetstream: vec![r#"{"did":"did:plc:x"}"#.to_owned()], ..Config::default() },
        Config { mastodon: vec![status(1), status(0)], ..Config::default() },
        Config { mastodon: vec![r#"{"id":17}"#.to_owned()], ..Config::default() },
        Config { rate: Some(0.0), ..Config::default() },
    ];
    for cfg in bad {
        let err = ReplayServer::start(cfg).await.err().expect("refused");
        assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
    }
}
