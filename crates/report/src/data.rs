//! What a report shows: everything is computed by `swarmscan scan`
//! (crate `swarmscan-scan`) and handed over in one [`ReportData`]. This
//! crate only renders it; it computes no statistics.
//!
//! Accounts are numbered `0..nodes.len()` ([`Node::index`]); edges and
//! clusters refer to nodes by that index. All lists arrive sorted in the
//! order they should be shown, so rendering is deterministic.

use serde::Serialize;

/// Everything one report shows.
#[derive(Clone, Debug, Default, Serialize)]
pub struct ReportData {
    /// Title of the report (e.g. "swarmscan report").
    pub title: String,
    /// swarmscan's version.
    pub version: String,
    /// When the report was generated, RFC 3339 (pinned by `SOURCE_DATE_EPOCH`
    /// so reports can be byte-identical).
    pub generated: String,
    /// One row per input file.
    pub inputs: Vec<InputRow>,
    /// Record accounting over all inputs.
    pub totals: Totals,
    /// The parameters of the run, as (name, value, rationale) rows.
    pub parameters: Vec<Param>,
    /// The signals computed, with their edge counts.
    pub signals: Vec<SignalRow>,
    /// The accounts of the reported clusters (the network's nodes).
    pub nodes: Vec<Node>,
    /// Significant edges between reported accounts, one per (pair, signal).
    pub edges: Vec<EdgeRow>,
    /// Reported clusters, strongest first.
    pub clusters: Vec<Cluster>,
    /// Lookalike domains of news outlets seen in the data (all of them, not
    /// only those inside clusters).
    pub lookalikes: Vec<Lookalike>,
    /// Seconds after which the browser reloads the page (`swarmscan watch`
    /// rewrites it as results change); `None` for a finished scan.
    #[serde(skip)]
    pub refresh_s: Option<u32>,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct InputRow {
    pub path: String,
    pub format: String,
    pub records: u64,
    pub skipped: u64,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct Totals {
    pub records: u64,
    pub skipped: u64,
    pub events: u64,
    pub accounts: u64,
    pub clusters: u64,
    pub flagged_accounts: u64,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct Param {
    pub name: String,
    pub value: String,
    pub why: String,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct SignalRow {
    /// e.g. "co_repost".
    pub signal: String,
    /// Candidate pairs tested.
    pub tested: u64,
    /// Significant edges.
    pub significant: u64,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct Node {
    /// Position in [`ReportData::nodes`].
    pub index: u32,
    pub account_id: String,
    pub username: String,
    /// `cluster_id` of [`Cluster`].
    pub cluster: u32,
    /// The account's score (higher is more suspicious).
    pub score: f64,
    /// Signals of the account's significant edges, e.g. ["co_link", "co_repost"].
    pub signals: Vec<String>,
    /// Which test flagged it, with its numbers (pair test or group test).
    pub why: String,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct EdgeRow {
    /// Node indexes, `source < target`.
    pub source: u32,
    pub target: u32,
    pub signal: String,
    /// Co-actions counted (distinct shared targets).
    pub weight: u32,
    /// The edge's p-value under the null model.
    pub p_value: f64,
    /// The strongest pieces of evidence, best first.
    pub evidence: Vec<Evidence>,
}

/// One pair of actions that made an edge: the two accounts acted on the same
/// target `dt_s` seconds apart.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Evidence {
    /// What was shared (post id, URL, hashtag, text excerpt…).
    pub target: String,
    /// The action of the edge's source account.
    pub a: Action,
    /// The action of the edge's target account.
    pub b: Action,
    /// Seconds between the two actions.
    pub dt_s: f64,
    /// The target is a URL on a lookalike domain.
    pub lookalike: bool,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct Action {
    pub post_id: String,
    pub account_id: String,
    pub username: String,
    /// RFC 3339, UTC.
    pub time: String,
    /// Post text, shortened to at most 280 characters.
    pub text: String,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct Cluster {
    pub cluster_id: u32,
    pub size: u32,
    pub score: f64,
    /// Signals driving the cluster with their share of its internal edge
    /// strength, strongest first.
    pub signals: Vec<(String, f64)>,
    /// Node indexes of the members, strongest first.
    pub members: Vec<u32>,
    /// Most shared targets inside the cluster: (target, signal, count).
    pub top_targets: Vec<(String, String, u32)>,
    /// Domains of URLs the members shared in co-actions.
    pub domains: Vec<DomainRow>,
    /// Activity of the members' co-actions per hour: (hour start, RFC 3339; count).
    pub timeline: Vec<(String, u32)>,
    /// Evidence posts, best first.
    pub evidence: Vec<Evidence>,
    /// How its members were found, with the numbers (pairs, group test).
    pub why: String,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct DomainRow {
    pub domain: String,
    pub count: u32,
    /// The outlet imitated, when the domain is a lookalike.
    pub imitates: Option<String>,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct Lookalike {
    pub domain: String,
    pub imitates: String,
    pub rule: String,
    pub score: f64,
    /// Posts in the data with a URL on this domain.
    pub posts: u64,
    /// Cluster ids whose co-actions used the domain.
    pub clusters: Vec<u32>,
}
