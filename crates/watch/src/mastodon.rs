//! The Mastodon client: a server's public stream, with gaps filled from its
//! REST timeline.
//!
//! The streaming API (`/api/v1/streaming?stream=public`) sends
//! `{"event":"update","payload":"<status JSON>"}` messages and has no
//! cursor. So on every (re)connection, once the stream is open, the client
//! pages through `GET /api/v1/timelines/public?min_id=<newest id seen>`
//! until it is caught up; statuses that come both ways are dropped by the
//! ingest loop as duplicates. The first run starts at the live stream, or
//! from `since_id` when given.

use crate::frame::{Msg, Position, mastodon_line, newer_id};
use crate::{Backoff, SourceEvent, SourceKind, SourceStatus};
use futures_util::StreamExt;
use serde::Deserialize;
use std::sync::Arc;
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;

/// The REST timeline's largest page.
const PAGE: usize = 40;

/// Which server to follow.
#[derive(Clone, Debug)]
pub struct MastodonOptions {
    /// The server's base URL (`https://mastodon.social`).
    pub url: String,
    /// An access token, for servers whose public timelines need one.
    pub token: Option<String>,
    /// Fetch statuses newer than this id first (default: start live).
    pub since_id: Option<String>,
}

impl MastodonOptions {
    fn base(&self) -> &str {
        self.url.trim_end_matches('/')
    }

    /// The public stream's WebSocket URL.
    pub fn stream_url(&self) -> String {
        let base = self.base();
        let ws = if let Some(rest) = base.strip_prefix("https://") {
            format!("wss://{rest}")
        } else if let Some(rest) = base.strip_prefix("http://") {
            format!("ws://{rest}")
        } else {
            base.to_string()
        };
        let mut url = format!("{ws}/api/v1/streaming?stream=public");
        if let Some(t) = &self.token {
            url.push_str("&access_token=");
            url.push_str(t);
        }
        url
    }
}

#[derive(Deserialize)]
struct StreamMessage {
    event: Option<String>,
    payload: Option<serde_json::Value>,
}

/// Reads the public stream until `tx` closes, reconnecting with backoff
/// and filling each gap through the REST timeline.
pub(crate) async fn run(
    opts: MastodonOptions,
    mut last_id: Option<String>,
    tx: mpsc::Sender<Msg>,
    status: Arc<SourceStatus>,
    on: crate::Notify,
) {
    if last_id.is_none() {
        last_id = opts.since_id.clone();
    }
    let mut backoff = Backoff::default();
    loop {
        let url = opts.stream_url();
        let why = match tokio_tungstenite::connect_async(url.as_str()).await {
            Ok((mut ws, _)) => {
                on(SourceEvent::Connected { source: SourceKind::Mastodon, url: redact(&url) });
                // The stream is open: what was published before now comes
                // from the timeline, what follows from the stream.
                let mut received = false;
                let mut why = None;
                if let Some(since) = last_id.clone() {
                    match backfill(&opts, since, &tx, &mut last_id).await {
                        Ok(n) => received |= n > 0,
                        Err(Stop) => return,
                    }
                }
                while why.is_none() {
                    let msg = match ws.next().await {
                        None => break,
                        Some(Err(e)) => {
                            why = Some(e.to_string());
                            break;
                        }
                        Some(Ok(m)) => m,
                    };
                    let text = match msg {
                        Message::Text(t) => t,
                        Message::Close(_) => break,
                        Message::Binary(_) => {
                            let m = Msg::Malformed { source: SourceKind::Mastodon, reason: "binary_frame" };
                            if tx.send(m).await.is_err() {
                                return;
                            }
                            continue;
                        }
                        _ => continue,
                    };
                    let m = match serde_json::from_str::<StreamMessage>(text.as_str()) {
                        Err(_) => Msg::Malformed { source: SourceKind::Mastodon, reason: "bad_stream_message" },
                        Ok(StreamMessage { event: Some(e), payload: Some(serde_json::Value::String(p)) })
                            if e == "update" =>
                        {
                            match mastodon_line(p.into_bytes()) {
                                Ok(line) => {
                                    if let Position::StatusId(id) = &line.position
                                        && last_id.as_deref().is_none_or(|l| newer_id(id, l))
                                    {
                                        last_id = Some(id.clone());
                                    }
                                    received = true;
                                    Msg::Line(line)
                                }
                                Err(reason) => Msg::Malformed { source: SourceKind::Mastodon, reason },
                            }
                        }
                        Ok(StreamMessage { event: Some(e), .. }) if e == "update" => {
                            Msg::Malformed { source: SourceKind::Mastodon, reason: "update_without_payload" }
                        }
                        Ok(StreamMessage { event, .. }) => {
                            Msg::Ignored { source: SourceKind::Mastodon, what: event.unwrap_or_default() }
                        }
                    };
                    if tx.send(m).await.is_err() {
                        return;
                    }
                }
                if received {
                    backoff.reset();
                }
                why.unwrap_or_else(|| "the server closed the stream".into())
            }
            Err(e) => e.to_string(),
        };
        if !status.pause(SourceKind::Mastodon, why, &mut backoff, &tx, &on).await {
            return;
        }
    }
}

/// The ingest loop has stopped.
struct Stop;

/// Pages through the public timeline from `since` (exclusive) to now,
/// oldest first. A failed request ends the backfill early (the next
/// reconnection tries again from the newest id received).
async fn backfill(
    opts: &MastodonOptions,
    mut since: String,
    tx: &mpsc::Sender<Msg>,
    last_id: &mut Option<String>,
) -> Result<usize, Stop> {
    let mut sent = 0;
    loop {
        let url = format!("{}/api/v1/timelines/public?min_id={since}&limit={PAGE}", opts.base());
        let token = opts.token.clone();
        let page = tokio::task::spawn_blocking(move || fetch_page(&url, token.as_deref())).await;
        let statuses = match page {
            Ok(Ok(s)) => s,
            _ => return Ok(sent),
        };
        if statuses.is_empty() {
            return Ok(sent);
        }
        // Pages come newest first.
        let mut newest = since.clone();
        for s in statuses.into_iter().rev() {
            let m = match mastodon_line(s.get().as_bytes().to_vec()) {
                Ok(line) => {
                    if let Position::StatusId(id) = &line.position
                        && newer_id(id, &newest)
                    {
                        newest = id.clone();
                    }
                    sent += 1;
                    Msg::Line(line)
                }
                Err(reason) => Msg::Malformed { source: SourceKind::Mastodon, reason },
            };
            tx.send(m).await.map_err(|_| Stop)?;
        }
        if !newer_id(&newest, &since) {
            return Ok(sent); // no progress: a server ignoring min_id
        }
        since = newest;
        if last_id.as_deref().is_none_or(|l| newer_id(&since, l)) {
            *last_id = Some(since.clone());
        }
    }
}

/// One page of the REST timeline, each status kept as its raw JSON.
fn fetch_page(url: &str, token: Option<&str>) -> Result<Vec<Box<serde_json::value::RawValue>>, String> {
    let mut req = ureq::get(url);
    if let Some(t) = token {
        req = req.header("Authorization", &format!("Bearer {t}"));
    }
    let mut resp = req.call().map_err(|e| e.to_string())?;
    let body = resp.body_mut().with_config().limit(64 << 20).read_to_vec().map_err(|e| e.to_string())?;
    serde_json::from_slice(&body).map_err(|e| e.to_string())
}

/// The URL without its access token, for messages.
fn redact(url: &str) -> String {
    match url.find("access_token=") {
        Some(i) => format!("{}access_token=…", &url[..i]),
        None => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stream_urls_follow_the_scheme_and_hide_tokens() {
        let o = MastodonOptions { url: "https://m.example/".into(), token: Some("s3cret".into()), since_id: None };
        let u = o.stream_url();
        assert_eq!(u, "wss://m.example/api/v1/streaming?stream=public&access_token=s3cret");
        assert_eq!(redact(&u), "wss://m.example/api/v1/streaming?stream=public&access_token=…");
        let o = MastodonOptions { url: "http://127.0.0.1:5".into(), token: None, since_id: None };
        assert_eq!(o.stream_url(), "ws://127.0.0.1:5/api/v1/streaming?stream=public");
    }
}
