//! The output contract (version 2, `docs/scan.md`): `accounts.csv`,
//! `clusters.csv`, `edges.csv` and `domains.csv`, written from
//! [`ReportData`] so they agree with the report. Deterministic: floats are
//! written with fixed precision and every list arrives sorted.

use crate::ReportData;
use std::io::{self, Write};

/// Version of the output contract.
pub const OUTPUT_VERSION: u32 = 2;

/// The figures of a finished scan that `summary.json → results` holds
/// (the CLI adds where it wrote the outputs), for every front end.
pub fn scan_results(
    d: &ReportData,
    res: &swarmscan_scan::ScanResult<'_>,
) -> serde_json::Result<std::collections::BTreeMap<&'static str, serde_json::Value>> {
    let members = res.clusters.iter().flat_map(|c| c.members.iter().copied());
    let by_group = members.filter(|&m| res.attachments.binary_search_by_key(&m, |t| t.account).is_ok()).count();
    Ok([
        ("output_version", OUTPUT_VERSION.into()),
        ("clusters", d.clusters.len().into()),
        ("flagged_accounts", d.nodes.len().into()),
        ("flagged_by_pair_test", (d.nodes.len() - by_group).into()),
        ("flagged_by_group_test", by_group.into()),
        ("tested_pairs", res.tested_pairs.into()),
        ("group_tests", res.attach_tested.into()),
        ("significant_pairs", res.pairs.len().into()),
        ("p_threshold", res.p_threshold.into()),
        ("lookalike_domains", d.lookalikes.len().into()),
        ("signals", serde_json::to_value(&res.signals)?),
        ("memory", serde_json::to_value(&res.memory)?),
        ("parameters", serde_json::to_value(&d.parameters)?),
    ]
    .into_iter()
    .collect())
}

fn csv_err(e: csv::Error) -> io::Error {
    io::Error::other(e)
}

/// `account_id,username,cluster_id,score,signals,why`: one row per account of a
/// reported cluster, by cluster then score.
pub fn write_accounts(d: &ReportData, w: impl Write) -> io::Result<()> {
    let mut c = csv::Writer::from_writer(w);
    c.write_record(["account_id", "username", "cluster_id", "score", "signals", "why"]).map_err(csv_err)?;
    for n in &d.nodes {
        c.write_record([
            n.account_id.as_str(),
            &n.username,
            &n.cluster.to_string(),
            &format!("{:.4}", n.score),
            &n.signals.join(";"),
            &n.why,
        ])
        .map_err(csv_err)?;
    }
    c.flush()
}

/// `cluster_id,size,score,signals,top_targets,why`: `signals` is
/// `name:share;…` (shares of the cluster's evidence strength, plus
/// `lookalike_domain:<share of members who posted one>`), `top_targets` is
/// `target (signal ×count);…`.
pub fn write_clusters(d: &ReportData, w: impl Write) -> io::Result<()> {
    let mut c = csv::Writer::from_writer(w);
    c.write_record(["cluster_id", "size", "score", "signals", "top_targets", "why"]).map_err(csv_err)?;
    for cl in &d.clusters {
        let signals: Vec<String> = cl.signals.iter().map(|(s, v)| format!("{s}:{v:.3}")).collect();
        let top: Vec<String> = cl.top_targets.iter().take(5).map(|(t, s, n)| format!("{t} ({s} ×{n})")).collect();
        c.write_record([
            cl.cluster_id.to_string(),
            cl.size.to_string(),
            format!("{:.4}", cl.score),
            signals.join(";"),
            top.join(";"),
            cl.why.clone(),
        ])
        .map_err(csv_err)?;
    }
    c.flush()
}

/// `source,target,signal,weight,p_value,evidence`: account ids; `evidence`
/// is `target|post_a@time_a|post_b@time_b|dt_s;…`.
pub fn write_edges(d: &ReportData, w: impl Write) -> io::Result<()> {
    let mut c = csv::Writer::from_writer(w);
    c.write_record(["source", "target", "signal", "weight", "p_value", "evidence"]).map_err(csv_err)?;
    for e in &d.edges {
        let ev: Vec<String> = e
            .evidence
            .iter()
            .map(|x| format!("{}|{}@{}|{}@{}|{}", x.target, x.a.post_id, x.a.time, x.b.post_id, x.b.time, x.dt_s))
            .collect();
        c.write_record([
            d.nodes[e.source as usize].account_id.as_str(),
            &d.nodes[e.target as usize].account_id,
            &e.signal,
            &e.weight.to_string(),
            &format!("{:.3e}", e.p_value),
            &ev.join(";"),
        ])
        .map_err(csv_err)?;
    }
    c.flush()
}

/// `domain,imitates,rule,score,posts,clusters`: lookalike news domains seen
/// in the data, with the clusters whose evidence used them.
pub fn write_domains(d: &ReportData, w: impl Write) -> io::Result<()> {
    let mut c = csv::Writer::from_writer(w);
    c.write_record(["domain", "imitates", "rule", "score", "posts", "clusters"]).map_err(csv_err)?;
    for l in &d.lookalikes {
        let cl: Vec<String> = l.clusters.iter().map(u32::to_string).collect();
        c.write_record([
            l.domain.as_str(),
            &l.imitates,
            &l.rule,
            &format!("{:.3}", l.score),
            &l.posts.to_string(),
            &cl.join(";"),
        ])
        .map_err(csv_err)?;
    }
    c.flush()
}

/// `domain,registrable_domain,imitates,rule,score`: what `swarmscan domains`
/// found, one row per lookalike domain.
pub fn write_findings(findings: &[swarmscan_domains::Finding], w: impl Write) -> io::Result<()> {
    let mut c = csv::Writer::from_writer(w);
    c.write_record(["domain", "registrable_domain", "imitates", "rule", "score"]).map_err(csv_err)?;
    for f in findings {
        c.write_record([
            f.domain.as_str(),
            &f.registrable_domain,
            &f.imitates,
            &f.rule.to_string(),
            &format!("{:.2}", f.score),
        ])
        .map_err(csv_err)?;
    }
    c.flush()
}
