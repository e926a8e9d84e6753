//! Edge lists as files: the toolkit's gephi CSV, swarmscan's CSV with
//! evidence, and JSON Lines.
//!
//! Writers take any [`std::io::Write`]; the caller picks the destination
//! (this crate never prints). Output order is the edges' order, which the
//! engine makes deterministic (sorted by account ids in byte order).
//!
//! # swarmscan CSV (default mode)
//!
//! Header `source,target,network,weight,pairs,min_dt_s,median_dt_s,evidence`,
//! one row per undirected edge with `source < target` (byte order of the
//! account ids), RFC 4180 quoting where needed, `\n` line ends:
//!
//! | column | meaning |
//! |---|---|
//! | `source`, `target` | account ids |
//! | `network` | the stable network name (`co_repost`, …) |
//! | `weight` | distinct shared keys co-acted on within the window (co_post, co_similar: co-action pairs) |
//! | `pairs` | pairs of actions within the window |
//! | `min_dt_s` | the closest pair's time difference, seconds |
//! | `median_dt_s` | median over the shared keys of each key's closest time difference, seconds |
//! | `evidence` | a JSON array, described next |
//!
//! # Evidence schema
//!
//! A JSON array of up to `--evidence` objects, best first (closest, then
//! earliest): one per shared key, with that key's closest pair of actions.
//!
//! ```json
//! [{"key":"1234","source_post":"r2","source_time":"2024-05-01T10:00:10.000Z",
//!   "target_post":"r4","target_time":"2024-05-01T10:01:10.000Z","dt_s":60}]
//! ```
//!
//! * `key`: what was shared — the post id (co_repost, co_reply), the
//!   canonical URL (co_link), the normalised text (co_text), the hashtag set
//!   (co_hashtag); absent for co_post and co_similar.
//! * `source_post`, `source_time`: the action of the `source` account
//!   (message id as in the input, UTC time, RFC 3339 with milliseconds);
//!   `target_post`, `target_time` likewise for `target`.
//! * `dt_s`: their time difference in seconds.
//! * `similarity`: co_similar only, the pair's Jaccard similarity.
//!
//! # JSON Lines
//!
//! One object per edge with the CSV's columns as fields (`evidence` as an
//! array, not a string). Object keys are written in a fixed order
//! (`source`, `target`, then alphabetical).
//!
//! # Toolkit CSV (compatibility mode)
//!
//! Exactly `output_gephi_csv` of coordination-network-toolkit 1.5.2:
//! header `source,target,weight,edge_type`, every field double-quoted,
//! `\r\n` line ends, both directions as separate rows.

use crate::aggregate::{DirectedEdge, PartEdges};
use crate::engine::Prepared;
use crate::keyed::Edge;
use serde_json::{Map, Value, json};
use std::io::{self, Write};
use swarmscan_model::format_rfc3339_ms;

/// The edge-list formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// The toolkit's gephi CSV (compatibility mode).
    CntCsv,
    /// swarmscan's CSV (default mode).
    Csv,
    /// JSON Lines (default mode).
    JsonLines,
}

fn push_quoted(out: &mut Vec<u8>, s: &str) {
    out.push(b'"');
    for &b in s.as_bytes() {
        if b == b'"' {
            out.push(b'"');
        }
        out.push(b);
    }
    out.push(b'"');
}

fn push_field(out: &mut Vec<u8>, s: &str) {
    if s.contains([',', '"', '\r', '\n']) || s.starts_with(' ') || s.ends_with(' ') {
        push_quoted(out, s);
    } else {
        out.extend_from_slice(s.as_bytes());
    }
}

fn push_u64(out: &mut Vec<u8>, mut n: u64) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(&buf[i..]);
}

/// Seconds from milliseconds, as a JSON number (integral when possible).
fn seconds(ms: f64) -> Value {
    let s = ms / 1000.0;
    if s.fract() == 0.0 && s.abs() < 9e15 { json!(s as i64) } else { json!(s) }
}

/// Formats the edges of one [`Prepared`] network; account ids are quoted
/// once up front.
#[derive(Debug)]
pub struct Formatter<'p, 'a> {
    p: &'p Prepared<'a>,
    format: Format,
    /// Account ids by rank, quoted as the format needs (arena + offsets).
    ids: Vec<u8>,
    id_offsets: Vec<usize>,
    name: Vec<u8>,
}

impl<'p, 'a> Formatter<'p, 'a> {
    /// A formatter of `p`'s edges in `format`.
    pub fn new(p: &'p Prepared<'a>, format: Format) -> Self {
        let n = p.accounts();
        let mut ids = Vec::new();
        let mut id_offsets = Vec::with_capacity(n + 1);
        id_offsets.push(0);
        for r in 0..n as u32 {
            match format {
                Format::CntCsv => push_quoted(&mut ids, p.account_id(r)),
                Format::Csv => push_field(&mut ids, p.account_id(r)),
                Format::JsonLines => ids.extend_from_slice(Value::from(p.account_id(r)).to_string().as_bytes()),
            }
            id_offsets.push(ids.len());
        }
        let mut name = Vec::new();
        match format {
            Format::CntCsv => push_quoted(&mut name, p.network().cnt_name().unwrap_or(p.network().as_str())),
            _ => name.extend_from_slice(p.network().as_str().as_bytes()),
        }
        Formatter { p, format, ids, id_offsets, name }
    }

    fn id(&self, rank: u32) -> &[u8] {
        &self.ids[self.id_offsets[rank as usize]..self.id_offsets[rank as usize + 1]]
    }

    /// The header line (empty for JSON Lines).
    pub fn header(&self) -> &'static [u8] {
        match self.format {
            Format::CntCsv => b"\"source\",\"target\",\"weight\",\"edge_type\"\r\n",
            Format::Csv => b"source,target,network,weight,pairs,min_dt_s,median_dt_s,evidence\n",
            Format::JsonLines => b"",
        }
    }

    /// Appends the rows of `part` to `out`.
    pub fn rows(&self, part: &PartEdges, out: &mut Vec<u8>) {
        match part {
            PartEdges::Directed(edges) => self.directed_rows(edges, out),
            PartEdges::Undirected(edges) => self.undirected_rows(edges, out),
        }
    }

    /// Appends toolkit CSV rows.
    pub fn directed_rows(&self, edges: &[DirectedEdge], out: &mut Vec<u8>) {
        for e in edges {
            out.extend_from_slice(self.id(e.source));
            out.push(b',');
            out.extend_from_slice(self.id(e.target));
            out.extend_from_slice(b",\"");
            push_u64(out, e.weight.into());
            out.extend_from_slice(b"\",");
            out.extend_from_slice(&self.name);
            out.extend_from_slice(b"\r\n");
        }
    }

    /// Appends swarmscan CSV rows or JSON lines.
    pub fn undirected_rows(&self, edges: &[Edge], out: &mut Vec<u8>) {
        for e in edges {
            match self.format {
                Format::JsonLines => {
                    out.extend_from_slice(b"{\"source\":");
                    out.extend_from_slice(self.id(e.a));
                    out.extend_from_slice(b",\"target\":");
                    out.extend_from_slice(self.id(e.b));
                    let rest = json!({
                        "network": self.p.network().as_str(),
                        "weight": e.weight,
                        "pairs": e.pairs,
                        "min_dt_s": seconds(e.min_dt_ms as f64),
                        "median_dt_s": seconds(e.median_dt_ms),
                        "evidence": evidence_json(self.p, e),
                    });
                    let rest = rest.to_string();
                    out.push(b',');
                    out.extend_from_slice(&rest.as_bytes()[1..]);
                    out.push(b'\n');
                }
                _ => {
                    out.extend_from_slice(self.id(e.a));
                    out.push(b',');
                    out.extend_from_slice(self.id(e.b));
                    out.push(b',');
                    out.extend_from_slice(&self.name);
                    out.push(b',');
                    push_u64(out, e.weight.into());
                    out.push(b',');
                    push_u64(out, e.pairs);
                    out.push(b',');
                    out.extend_from_slice(seconds(e.min_dt_ms as f64).to_string().as_bytes());
                    out.push(b',');
                    out.extend_from_slice(seconds(e.median_dt_ms).to_string().as_bytes());
                    out.push(b',');
                    push_quoted(out, &evidence_json(self.p, e).to_string());
                    out.push(b'\n');
                }
            }
        }
    }
}

/// The evidence of one edge, as described in the module docs.
pub fn evidence_json(p: &Prepared<'_>, e: &Edge) -> Value {
    let ev = p.events();
    let items = e
        .evidence
        .iter()
        .map(|x| {
            let mut m = Map::new();
            if let Some(k) = p.key(x.key) {
                m.insert("key".into(), json!(k));
            }
            let (ra, rb) = (x.row_a as usize, x.row_b as usize);
            m.insert("source_post".into(), json!(ev.keys.resolve(ev.post[ra])));
            m.insert("source_time".into(), json!(format_rfc3339_ms(ev.ts_ms[ra])));
            m.insert("target_post".into(), json!(ev.keys.resolve(ev.post[rb])));
            m.insert("target_time".into(), json!(format_rfc3339_ms(ev.ts_ms[rb])));
            m.insert("dt_s".into(), seconds(x.dt_ms as f64));
            if let Some(s) = p.similarity(x.row_a, x.row_b) {
                m.insert("similarity".into(), json!(s));
            }
            Value::Object(m)
        })
        .collect();
    Value::Array(items)
}

/// Computes `p` and writes its edge list in `format` to `w`. Parts are
/// formatted in parallel and written in order by a writer thread, so writing
/// overlaps the computation of the next parts; at most a few parts are
/// buffered. Returns the run's counts.
pub fn write_edges(w: &mut (impl Write + Send), p: &Prepared<'_>, format: Format) -> io::Result<crate::Stats> {
    let f = Formatter::new(p, format);
    w.write_all(f.header())?;
    let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<u8>>(1);
    std::thread::scope(|scope| {
        let writer = scope.spawn(move || -> io::Result<()> {
            for buf in rx {
                w.write_all(&buf)?;
            }
            Ok(())
        });
        let stats = p.run_streaming(
            |part| {
                let mut buf = Vec::with_capacity(part.len() * 48);
                f.rows(part, &mut buf);
                buf
            },
            // A failed writer drops the receiver; the error is reported
            // by `join` below.
            |buf| drop(tx.send(buf)),
        );
        drop(tx);
        writer.join().map_err(|_| io::Error::other("the edge-list writer panicked"))??;
        Ok(stats)
    })
}

/// Writes `edges`, computed elsewhere from `p`'s keyed actions (a cluster,
/// `swarmscan-distributed`), in `format`: the rows [`write_edges`] writes
/// for the same edges.
pub fn write_edge_list(w: &mut impl Write, p: &Prepared<'_>, format: Format, edges: &[Edge]) -> io::Result<()> {
    let f = Formatter::new(p, format);
    w.write_all(f.header())?;
    let mut buf = Vec::new();
    for chunk in edges.chunks(4096) {
        buf.clear();
        f.undirected_rows(chunk, &mut buf);
        w.write_all(&buf)?;
    }
    Ok(())
}

/// Computes `p` (default mode) and writes, in `format`, only each account's
/// `k` heaviest edges, each edge once, sorted by account ranks
/// ([`crate::summarize::TopEdges`]): memory and output grow with
/// `accounts · k`, not with the edges. Returns the run's counts
/// (`edges`: every edge computed) and the number of edges written.
pub fn write_top_edges(
    w: &mut impl Write,
    p: &Prepared<'_>,
    format: Format,
    k: usize,
) -> io::Result<(crate::Stats, u64)> {
    use crate::summarize::{TopEdges, top_candidates};
    let mut top = TopEdges::new(p.accounts(), k);
    let stats = p.run_streaming(
        |part| match part {
            PartEdges::Undirected(edges) => top_candidates(edges, k),
            PartEdges::Directed(_) => Vec::new(),
        },
        |cands| cands.into_iter().for_each(|e| top.offer(e)),
    );
    let edges = top.into_edges();
    let f = Formatter::new(p, format);
    w.write_all(f.header())?;
    for chunk in edges.chunks(4096) {
        let mut buf = Vec::with_capacity(chunk.len() * 64);
        f.undirected_rows(chunk, &mut buf);
        w.write_all(&buf)?;
    }
    Ok((stats, edges.len() as u64))
}

/// Computes `p` (default mode) and writes how many edges have each weight:
/// CSV `weight,edges`, ascending weights
/// ([`crate::summarize::WeightHistogram`]).
pub fn write_weight_histogram(w: &mut impl Write, p: &Prepared<'_>) -> io::Result<crate::Stats> {
    use crate::summarize::WeightHistogram;
    let mut hist = WeightHistogram::default();
    let stats = p.run_streaming(
        |part| match part {
            PartEdges::Undirected(edges) => WeightHistogram::of(edges),
            PartEdges::Directed(_) => WeightHistogram::default(),
        },
        |h| hist.merge(h),
    );
    let mut out = b"weight,edges\n".to_vec();
    for (weight, n) in hist.0 {
        push_u64(&mut out, weight.into());
        out.push(b',');
        push_u64(&mut out, n);
        out.push(b'\n');
    }
    w.write_all(&out)?;
    Ok(stats)
}
