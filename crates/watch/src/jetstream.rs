//! The Bluesky Jetstream client.
//!
//! Connects to a Jetstream `/subscribe` endpoint with the collections and
//! DIDs asked for, reads JSON text frames or — with compression — binary
//! frames each holding one zstd frame made with Jetstream's dictionary, and
//! sends every event line to the ingest loop through a bounded channel (a
//! full channel stops reading the socket: backpressure reaches the server).
//!
//! Resuming: every reconnection asks for the events from the newest
//! `time_us` received, rewound by [`REWIND_US`] (the cursor is inclusive and
//! delivery is at least once; the ingest loop drops what it has seen). A
//! restart starts from the cursor saved in the output directory, which only
//! moves once the events before it are archived and synced.

use crate::frame::{Msg, Position, jetstream_line};
use crate::{Backoff, SourceEvent, SourceStatus};
use futures_util::StreamExt;
use std::io::Read;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;

/// How far before the last cursor a reconnection starts (µs): events can
/// reach a Jetstream instance slightly out of order.
pub const REWIND_US: i64 = 2_000_000;

/// The dictionary Jetstream v1 compresses frames with (ID 1612007021; source
/// and licence in `data/SOURCES.md`).
pub const JETSTREAM_DICTIONARY: &[u8] = include_bytes!("../data/jetstream_zstd_dictionary");

/// The largest decompressed frame accepted (Jetstream's own limit on a
/// message is far below).
const MAX_FRAME_BYTES: u64 = 16 << 20;

/// What to subscribe to.
#[derive(Clone, Debug)]
pub struct JetstreamOptions {
    /// `wss://…/subscribe` (the path is added when missing).
    pub url: String,
    /// `wantedCollections` (prefixes ending in `.*` allowed); empty = all.
    pub collections: Vec<String>,
    /// `wantedDids`; empty = all.
    pub dids: Vec<String>,
    /// zstd dictionary: when set, frames are asked for compressed.
    pub dictionary: Option<Arc<Vec<u8>>>,
}

impl JetstreamOptions {
    /// The subscription URL resuming from `cursor` (µs).
    pub fn subscribe_url(&self, cursor: Option<i64>) -> String {
        let mut url = self.url.trim_end_matches('/').to_string();
        let path_start = url.find("://").map_or(0, |i| i + 3);
        if !url[path_start..].contains('/') {
            url.push_str("/subscribe");
        }
        let mut sep = if url.contains('?') { '&' } else { '?' };
        let mut add = |k: &str, v: &str| {
            url.push(sep);
            url.push_str(k);
            url.push('=');
            url.push_str(&encode(v));
            sep = '&';
        };
        for c in &self.collections {
            add("wantedCollections", c);
        }
        for d in &self.dids {
            add("wantedDids", d);
        }
        if self.dictionary.is_some() {
            add("compress", "true");
        }
        if let Some(c) = cursor {
            add("cursor", &c.max(0).to_string());
        }
        url
    }
}

/// Percent-encodes a query value (unreserved characters, `*` and `:` kept).
fn encode(v: &str) -> String {
    let mut out = String::with_capacity(v.len());
    for b in v.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~*:".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Reads Jetstream until `tx` closes, reconnecting with backoff.
pub(crate) async fn run(
    opts: JetstreamOptions,
    mut cursor: Option<i64>,
    tx: mpsc::Sender<Msg>,
    status: Arc<SourceStatus>,
    on: crate::Notify,
) {
    let mut decoder = match opts.dictionary.as_ref().map(|d| FrameDecoder::new(d)).transpose() {
        Ok(d) => d,
        Err(e) => {
            let why = format!("the zstd dictionary is unusable: {e}");
            on(SourceEvent::Disconnected { source: crate::SourceKind::Jetstream, why, retry_in: Duration::ZERO });
            return;
        }
    };
    let mut backoff = Backoff::default();
    loop {
        let url = opts.subscribe_url(cursor.map(|c| c - REWIND_US));
        let why = match tokio_tungstenite::connect_async(url.as_str()).await {
            Ok((mut ws, _)) => {
                on(SourceEvent::Connected { source: crate::SourceKind::Jetstream, url: url.clone() });
                let mut received = false;
                let why = loop {
                    let msg = match ws.next().await {
                        None => break "the server closed the stream".to_string(),
                        Some(Err(e)) => break e.to_string(),
                        Some(Ok(m)) => m,
                    };
                    let json = match msg {
                        Message::Text(t) => t.as_bytes().to_vec(),
                        Message::Binary(b) => match &mut decoder {
                            Some(d) => match d.decode(&b) {
                                Ok(v) => v,
                                Err(reason) => {
                                    let m = Msg::Malformed { source: crate::SourceKind::Jetstream, reason };
                                    if tx.send(m).await.is_err() {
                                        return;
                                    }
                                    continue;
                                }
                            },
                            None => {
                                let m = Msg::Malformed {
                                    source: crate::SourceKind::Jetstream,
                                    reason: "binary_frame_without_compression",
                                };
                                if tx.send(m).await.is_err() {
                                    return;
                                }
                                continue;
                            }
                        },
                        Message::Close(_) => break "the server closed the stream".to_string(),
                        _ => continue, // ping/pong are answered by tungstenite
                    };
                    let m = match jetstream_line(json) {
                        Ok(line) => {
                            if let Position::Cursor(c) = line.position {
                                cursor = Some(cursor.map_or(c, |old| old.max(c)));
                            }
                            received = true;
                            Msg::Line(line)
                        }
                        Err(reason) => Msg::Malformed { source: crate::SourceKind::Jetstream, reason },
                    };
                    if tx.send(m).await.is_err() {
                        return;
                    }
                };
                if received {
                    backoff.reset();
                }
                why
            }
            Err(e) => e.to_string(),
        };
        if !status.pause(crate::SourceKind::Jetstream, why, &mut backoff, &tx, &on).await {
            return;
        }
    }
}

/// Decodes zstd frames made with one dictionary, reusing one context: a
/// frame that records its size (Jetstream's do) is decoded in one call,
/// another is streamed, up to [`MAX_FRAME_BYTES`].
pub(crate) struct FrameDecoder {
    bulk: zstd::bulk::Decompressor<'static>,
    dict: zstd::dict::DecoderDictionary<'static>,
}

impl FrameDecoder {
    pub(crate) fn new(dictionary: &[u8]) -> std::io::Result<FrameDecoder> {
        Ok(FrameDecoder {
            bulk: zstd::bulk::Decompressor::with_dictionary(dictionary)?,
            dict: zstd::dict::DecoderDictionary::copy(dictionary),
        })
    }

    pub(crate) fn decode(&mut self, frame: &[u8]) -> Result<Vec<u8>, &'static str> {
        match zstd::bulk::Decompressor::upper_bound(frame) {
            Some(n) if n as u64 > MAX_FRAME_BYTES => Err("frame_too_large"),
            Some(n) => self.bulk.decompress(frame, n).map_err(|_| "bad_zstd_frame"),
            None => {
                let mut d = zstd::stream::read::Decoder::with_prepared_dictionary(frame, &self.dict)
                    .map_err(|_| "bad_zstd_frame")?;
                let mut out = Vec::with_capacity(frame.len() * 4);
                (&mut d).take(MAX_FRAME_BYTES + 1).read_to_end(&mut out).map_err(|_| "bad_zstd_frame")?;
                if out.len() as u64 > MAX_FRAME_BYTES {
                    return Err("frame_too_large");
                }
                Ok(out)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_builtin_dictionary_is_jetstreams() {
        let d = JETSTREAM_DICTIONARY;
        assert_eq!(d.len(), 112_640);
        assert_eq!(d[..4], 0xEC30_A437u32.to_le_bytes());
        assert_eq!(u32::from_le_bytes(d[4..8].try_into().unwrap()), 1_612_007_021);
        // A frame made with it decodes with it.
        let mut c = zstd::bulk::Compressor::with_dictionary(3, d).unwrap();
        let frame = c.compress(br#"{"did":"did:plc:a","time_us":1,"kind":"commit"}"#).unwrap();
        let mut dd = FrameDecoder::new(d).unwrap();
        assert_eq!(dd.decode(&frame).unwrap(), br#"{"did":"did:plc:a","time_us":1,"kind":"commit"}"#);
        assert_eq!(dd.decode(b"not zstd"), Err("bad_zstd_frame"));
        // Without a recorded size, streamed.
        let mut e = zstd::stream::write::Encoder::with_dictionary(Vec::new(), 3, d).unwrap();
        std::io::Write::write_all(&mut e, b"{\"x\":1}").unwrap();
        let streamed = e.finish().unwrap();
        assert_eq!(zstd::bulk::Decompressor::upper_bound(&streamed), None);
        assert_eq!(dd.decode(&streamed).unwrap(), b"{\"x\":1}");
    }

    #[test]
    fn subscribe_urls_carry_filters_compression_and_cursor() {
        let mut o = JetstreamOptions {
            url: "wss://jetstream.example".into(),
            collections: vec!["app.bsky.feed.post".into(), "app.bsky.graph.*".into()],
            dids: vec!["did:plc:a b".into()],
            dictionary: None,
        };
        assert_eq!(
            o.subscribe_url(Some(5)),
            "wss://jetstream.example/subscribe?wantedCollections=app.bsky.feed.post\
             &wantedCollections=app.bsky.graph.*&wantedDids=did:plc:a%20b&cursor=5"
        );
        o.url = "ws://127.0.0.1:9/subscribe".into();
        o.collections.clear();
        o.dids.clear();
        o.dictionary = Some(Arc::new(vec![]));
        assert_eq!(o.subscribe_url(None), "ws://127.0.0.1:9/subscribe?compress=true");
    }
}
