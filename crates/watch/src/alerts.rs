//! Alerts: what changed between two scans of the horizon.
//!
//! A cluster of the new scan is matched to the previous scan's cluster it
//! shares most members with (cluster numbers are not stable between scans:
//! they rank clusters by strength). It is `appeared` when it shares no
//! member with any earlier cluster, and `grew` when it has members its
//! match did not have. A cluster is only reported at all once its pairs
//! pass the false discovery rate, so `appeared` is the moment its evidence
//! crosses the threshold. Each alert carries its evidence: the signals,
//! the most shared targets, the domains and the best evidence posts.

use serde::Serialize;
use std::collections::BTreeSet;
use swarmscan_report::ReportData;

/// Members listed in an alert at most (the report has them all).
const MEMBERS_SHOWN: usize = 50;

/// One alert, written as a JSON line.
#[derive(Clone, Debug, Serialize)]
pub struct Alert {
    /// `appeared` or `grew`.
    pub kind: &'static str,
    /// The stream time the scan covers up to (RFC 3339).
    pub watermark: String,
    /// When the scan ran (RFC 3339).
    pub scanned_at: String,
    /// The cluster's number in this scan's results (`clusters.csv`).
    pub cluster_id: u32,
    pub size: u32,
    pub score: f64,
    /// Members, strongest first (at most 50).
    pub members: Vec<String>,
    /// Members the cluster did not have in the previous scan.
    pub new_members: Vec<String>,
    /// Signals and their share of the cluster's edge strength.
    pub signals: Vec<(String, f64)>,
    /// Most shared targets: (target, signal, count).
    pub top_targets: Vec<(String, String, u32)>,
    /// Domains shared, with the outlet a lookalike imitates.
    pub domains: Vec<(String, u32, Option<String>)>,
    /// The best evidence: two members' actions on one target and the time
    /// between them.
    pub evidence: Vec<swarmscan_report::Evidence>,
    /// Why the cluster was flagged, with the numbers.
    pub why: String,
    /// The results directory holding the full report.
    pub report: String,
}

/// Member sets of the previous scan's clusters.
#[derive(Default)]
pub(crate) struct Tracker {
    previous: Vec<BTreeSet<String>>,
}

impl Tracker {
    /// The alerts of scan `data` against the previous one, which it then
    /// replaces.
    pub(crate) fn update(&mut self, data: &ReportData, watermark: &str, scanned_at: &str, report: &str) -> Vec<Alert> {
        let mut alerts = Vec::new();
        let mut now = Vec::with_capacity(data.clusters.len());
        for c in &data.clusters {
            let members: Vec<String> = c.members.iter().map(|&i| data.nodes[i as usize].account_id.clone()).collect();
            let set: BTreeSet<String> = members.iter().cloned().collect();
            // Ties go to the earliest (strongest) previous cluster.
            let best = self.previous.iter().rev().max_by_key(|p| p.intersection(&set).count());
            let (kind, new_members) = match best {
                Some(p) if p.intersection(&set).next().is_some() => {
                    let new: Vec<String> = members.iter().filter(|m| !p.contains(*m)).cloned().collect();
                    ("grew", new)
                }
                _ => ("appeared", members.clone()),
            };
            if !new_members.is_empty() {
                alerts.push(alert(c, kind, members, new_members, watermark, scanned_at, report));
            }
            now.push(set);
        }
        self.previous = now;
        alerts
    }
}

#[allow(clippy::too_many_arguments)]
fn alert(
    c: &swarmscan_report::Cluster,
    kind: &'static str,
    mut members: Vec<String>,
    mut new_members: Vec<String>,
    watermark: &str,
    scanned_at: &str,
    report: &str,
) -> Alert {
    members.truncate(MEMBERS_SHOWN);
    new_members.truncate(MEMBERS_SHOWN);
    Alert {
        kind,
        watermark: watermark.into(),
        scanned_at: scanned_at.into(),
        cluster_id: c.cluster_id,
        size: c.size,
        score: c.score,
        members,
        new_members,
        signals: c.signals.clone(),
        top_targets: c.top_targets.iter().take(5).cloned().collect(),
        domains: c.domains.iter().take(5).map(|d| (d.domain.clone(), d.count, d.imitates.clone())).collect(),
        evidence: c.evidence.iter().take(3).cloned().collect(),
        why: c.why.clone(),
        report: report.into(),
    }
}
