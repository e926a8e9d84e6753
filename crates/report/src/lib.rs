//! The presentation side of a scan: [`explain`] turns a scan's result into
//! one [`ReportData`] (evidence resolved to posts, times, texts and URLs),
//! and everything people read is written from it, so no two outputs can
//! disagree:
//!
//! - [`tables`]: the output contract's `accounts.csv`, `clusters.csv`,
//!   `edges.csv` and `domains.csv`;
//! - [`write_html`]: one HTML file that opens offline (script, styles and
//!   data inlined, no network request of any kind) with an overview, an
//!   interactive WebGL network of the reported clusters (sigma.js), the
//!   details of each cluster and a table of lookalike domains.
//! - [`write_gexf`] and [`write_graphml`]: the same network for Gephi and
//!   other graph tools.
//!
//! All three are deterministic: the same [`ReportData`] gives the same bytes.
//!
//! The HTML report's script is built from `crates/report/web/` (see its
//! README) and committed as `assets/report.js`, so building this crate never
//! needs npm.

mod data;
mod explain;
mod html;
mod out;
pub mod tables;
mod xml;

use std::io;

pub use data::*;
pub use explain::{Header, LOOKALIKE_SIGNAL, explain, generated_now};

type Writer = fn(&ReportData, &mut dyn io::Write) -> io::Result<()>;

/// Every file of a scan's output directory besides `summary.json`, in
/// writing order, with its writer.
pub const OUTPUTS: [(&str, Writer); 7] = [
    ("accounts.csv", |d, w| tables::write_accounts(d, w)),
    ("clusters.csv", |d, w| tables::write_clusters(d, w)),
    ("edges.csv", |d, w| tables::write_edges(d, w)),
    ("domains.csv", |d, w| tables::write_domains(d, w)),
    ("report.html", write_html),
    ("network.gexf", write_gexf),
    ("network.graphml", write_graphml),
];

/// The licences of the JavaScript packages bundled into the HTML report
/// (sigma.js, graphology and their dependencies), as the report's "About"
/// section shows them.
pub const THIRD_PARTY_LICENSES: &str = include_str!("../assets/THIRD_PARTY_LICENSES.txt");

/// Writes the HTML report: one self-contained file, no network needed.
///
/// The data is embedded as JSON in `<script type="application/json"
/// id="swarmscan-data">`, in the compact form described in the crate's
/// README (strings interned once, posts shared between the edges that cite
/// them).
///
/// # Errors
///
/// Fails with [`io::ErrorKind::InvalidInput`] when an edge or a cluster
/// refers to a node that does not exist, and with the writer's error when
/// writing fails.
pub fn write_html(data: &ReportData, w: &mut dyn io::Write) -> io::Result<()> {
    validate(data)?;
    html::write(data, w)
}

/// Writes the network as GEXF 1.3 (Gephi's own format).
///
/// Nodes are the accounts (id = account id, label = username) with the
/// attributes `cluster`, `score` and `username` and a colour per cluster;
/// there is one edge per [`EdgeRow`], its signal as the edge's `kind` (so
/// Gephi keeps parallel edges of different signals apart), its weight as the
/// edge weight, and the attributes `signal` and `p_value`.
///
/// # Errors
///
/// As [`write_html`].
pub fn write_gexf(data: &ReportData, w: &mut dyn io::Write) -> io::Result<()> {
    validate(data)?;
    xml::write_gexf(data, w)
}

/// Writes the network as GraphML.
///
/// Nodes carry the keys `label`, `username`, `cluster` and `score`; each
/// [`EdgeRow`] is one `<edge>` with the keys `signal`, `weight` and
/// `p_value`. GraphML has no notion of edge kinds: tools that merge
/// parallel edges on import (Gephi does by default) will fold the signals
/// of one pair together; GEXF keeps them apart.
///
/// # Errors
///
/// As [`write_html`].
pub fn write_graphml(data: &ReportData, w: &mut dyn io::Write) -> io::Result<()> {
    validate(data)?;
    xml::write_graphml(data, w)
}

/// Checks the references between the parts of `data`.
fn validate(data: &ReportData) -> io::Result<()> {
    let n = data.nodes.len();
    let bad = |what: String| Err(io::Error::new(io::ErrorKind::InvalidInput, what));
    if u32::try_from(n).is_err() {
        return bad(format!("{n} nodes: more than a report can index"));
    }
    for (i, e) in data.edges.iter().enumerate() {
        for end in [e.source, e.target] {
            if end as usize >= n {
                return bad(format!("edge {i} ({}) refers to node {end}, but there are {n} nodes", e.signal));
            }
        }
    }
    for c in &data.clusters {
        if let Some(&m) = c.members.iter().find(|&&m| m as usize >= n) {
            return bad(format!("cluster {} lists member {m}, but there are {n} nodes", c.cluster_id));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dangling_references_are_refused() {
        let mut data = ReportData {
            nodes: vec![Node { index: 0, account_id: "1".into(), ..Node::default() }],
            ..ReportData::default()
        };
        data.edges.push(EdgeRow { source: 0, target: 3, signal: "co_link".into(), ..EdgeRow::default() });
        let err = write_gexf(&data, &mut Vec::new()).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
        assert!(err.to_string().contains("node 3"), "{err}");

        data.edges.clear();
        data.clusters.push(Cluster { cluster_id: 7, members: vec![0, 1], ..Cluster::default() });
        let err = write_html(&data, &mut Vec::new()).unwrap_err();
        assert!(err.to_string().contains("cluster 7"), "{err}");
    }

    #[test]
    fn empty_data_renders() {
        let data = ReportData::default();
        for write in [write_html, write_gexf, write_graphml] {
            let mut out = Vec::new();
            write(&data, &mut out).unwrap();
            assert!(!out.is_empty());
        }
    }
}
