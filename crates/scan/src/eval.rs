//! `swarmscan eval`: a scan's clusters against labelled accounts.
//!
//! Labels are `account_id,label`. A label starting with the positive prefix
//! (`op_` by default, as `swarmscan gen` writes: `op_<kind>_<n>`) marks a
//! member of a coordinated operation; `organic` and `fan_<n>` (organic fan
//! groups) mark accounts that must not be flagged; any other label counts as
//! organic too. Flagged = listed in `accounts.csv`.
//!
//! * precision, recall, F1 over accounts (flagged vs. positive);
//! * adjusted Rand index between reported clusters and labelled operations,
//!   over the accounts that are positive or flagged (an unflagged account
//!   and a flagged organic account are each a cluster of their own on the
//!   side that does not group them);
//! * purity: the share of flagged accounts whose cluster's most common label
//!   is their own label;
//! * the share flagged of every label group kind (`organic`, `fan`, and
//!   each operation kind), and of each fan group;
//! * when the labels say how many of its operation's events each member
//!   posted (`op_actions`, as `swarmscan gen` writes), recall by that
//!   count ([`add_participation`]). No co-action test can flag a member
//!   with fewer than two: the pair and group tests need two shared actions.

use std::collections::{BTreeMap, BTreeSet};

/// Flagged and total accounts of a group.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize)]
pub struct Share {
    pub accounts: u64,
    pub flagged: u64,
    pub rate: f64,
}

/// What `eval` reports.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize)]
pub struct EvalReport {
    pub labelled: u64,
    pub positives: u64,
    pub flagged: u64,
    /// Flagged accounts without a label.
    pub flagged_unlabelled: u64,
    pub true_positives: u64,
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    pub adjusted_rand_index: f64,
    pub purity: f64,
    /// By group kind: `organic`, `fan`, and each operation kind.
    pub by_kind: BTreeMap<String, Share>,
    /// Each fan group (`fan_<n>`).
    pub fan_groups: BTreeMap<String, Share>,
    /// Each operation (label).
    pub operations: BTreeMap<String, Share>,
    /// Operation members by how many of their operation's events they
    /// posted ([`add_participation`]); empty without that column.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub by_participation: Vec<Band>,
    /// Share of operation members with at least two events of their
    /// operation: the most any co-action test can find
    /// ([`add_participation`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recall_ceiling: Option<f64>,
    /// Recall over the members with at least two events of their operation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recall_of_visible: Option<f64>,
}

/// Operation members whose count of their operation's events lies in
/// `lo..=hi`, and how many were flagged.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize)]
pub struct Band {
    pub lo: u32,
    /// `u32::MAX`: no upper bound.
    pub hi: u32,
    pub members: u64,
    pub flagged: u64,
    pub rate: f64,
}

/// The bands of [`add_participation`]: none or one event (no co-action test
/// can see them), two or three (one or two co-actions beyond the minimum),
/// then doublings.
pub const BANDS: [(u32, u32); 4] = [(0, 1), (2, 3), (4, 7), (8, u32::MAX)];

/// A labels file: `account_id → label`, and `account_id → op_actions` when
/// it has that column.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Labels {
    pub labels: BTreeMap<String, String>,
    pub actions: Option<BTreeMap<String, u32>>,
}

/// Reads an `account_id,label[,op_actions]` CSV with a header (any column
/// order, other columns ignored). Errors name `name`, the line and the
/// column.
pub fn read_labels(r: impl std::io::Read, name: &str) -> Result<Labels, String> {
    let mut r = csv::Reader::from_reader(r);
    let h = r.headers().map_err(|e| format!("{name}: no header ({e})"))?.clone();
    let col = |c: &str| h.iter().position(|x| x == c);
    let need = |c: &str| col(c).ok_or_else(|| format!("{name}: no column {c:?} in the header"));
    let (id, label) = (need("account_id")?, need("label")?);
    let actions = col("op_actions");
    let mut out = Labels { actions: actions.map(|_| BTreeMap::new()), ..Labels::default() };
    for (i, rec) in r.records().enumerate() {
        let line = i + 2;
        let rec = rec.map_err(|e| format!("{name}:{line}: {e}"))?;
        let field = |j: usize, c: &str| rec.get(j).ok_or_else(|| format!("{name}:{line}: missing field {c}"));
        let account = field(id, "account_id")?.to_string();
        if let (Some(j), Some(map)) = (actions, out.actions.as_mut()) {
            let n = field(j, "op_actions")?;
            let n: u32 = n.parse().map_err(|_| format!("{name}:{line}: op_actions: {n:?} is not a number"))?;
            map.insert(account.clone(), n);
        }
        out.labels.insert(account, field(label, "label")?.to_string());
    }
    Ok(out)
}

/// The flagged accounts of a scan's `accounts.csv`: `account_id →
/// cluster_id`. Errors name `name`, the line and the column.
pub fn read_flagged(r: impl std::io::Read, name: &str) -> Result<BTreeMap<String, u32>, String> {
    let mut r = csv::Reader::from_reader(r);
    let h = r.headers().map_err(|e| format!("{name}: no header ({e})"))?.clone();
    let col = |c: &str| h.iter().position(|x| x == c).ok_or_else(|| format!("{name}: no column {c:?} in the header"));
    let (id, cluster) = (col("account_id")?, col("cluster_id")?);
    let mut out = BTreeMap::new();
    for (i, rec) in r.records().enumerate() {
        let line = i + 2;
        let rec = rec.map_err(|e| format!("{name}:{line}: {e}"))?;
        let field = |j: usize, c: &str| rec.get(j).ok_or_else(|| format!("{name}:{line}: missing field {c}"));
        let c = field(cluster, "cluster_id")?;
        let c: u32 = c.parse().map_err(|_| format!("{name}:{line}: cluster_id: {c:?} is not a number"))?;
        out.insert(field(id, "account_id")?.to_string(), c);
    }
    Ok(out)
}

/// Fills the participation figures of `r`: `actions` maps account ids to
/// the events of their own operation they posted (accounts missing from it
/// count as 0).
pub fn add_participation(
    r: &mut EvalReport,
    labels: &BTreeMap<String, String>,
    actions: &BTreeMap<String, u32>,
    flagged: &BTreeMap<String, u32>,
    positive: &str,
) {
    let mut bands: Vec<Band> = BANDS.iter().map(|&(lo, hi)| Band { lo, hi, ..Band::default() }).collect();
    for (id, _) in labels.iter().filter(|(_, l)| l.starts_with(positive)) {
        let n = actions.get(id).copied().unwrap_or(0);
        if let Some(b) = bands.iter_mut().find(|b| (b.lo..=b.hi).contains(&n)) {
            b.members += 1;
            b.flagged += u64::from(flagged.contains_key(id));
        }
    }
    for b in &mut bands {
        b.rate = if b.members == 0 { 0.0 } else { b.flagged as f64 / b.members as f64 };
    }
    let visible: (u64, u64) =
        bands.iter().filter(|b| b.lo >= 2).fold((0, 0), |(m, f), b| (m + b.members, f + b.flagged));
    let total: u64 = bands.iter().map(|b| b.members).sum();
    r.recall_ceiling = (total > 0).then(|| visible.0 as f64 / total as f64);
    r.recall_of_visible = (visible.0 > 0).then(|| visible.1 as f64 / visible.0 as f64);
    r.by_participation = bands;
}

/// The kind of a label: `op_repost_ring_3` → `repost_ring`, `fan_2` → `fan`.
fn kind_of(label: &str, positive: &str) -> String {
    if let Some(rest) = label.strip_prefix(positive) {
        let base = rest.rsplit_once('_').filter(|(_, n)| n.chars().all(|c| c.is_ascii_digit())).map_or(rest, |x| x.0);
        return if base.is_empty() { rest.to_string() } else { base.to_string() };
    }
    if label.starts_with("fan_") { "fan".into() } else { "organic".into() }
}

fn comb2(n: u64) -> f64 {
    (n as f64) * (n as f64 - 1.0) / 2.0
}

/// Adjusted Rand index of two labelings of the same items.
pub fn adjusted_rand_index(a: &[u64], b: &[u64]) -> f64 {
    let n = a.len() as u64;
    if n < 2 {
        return 1.0;
    }
    let mut cont: BTreeMap<(u64, u64), u64> = BTreeMap::new();
    let mut ra: BTreeMap<u64, u64> = BTreeMap::new();
    let mut rb: BTreeMap<u64, u64> = BTreeMap::new();
    for (&x, &y) in a.iter().zip(b) {
        *cont.entry((x, y)).or_default() += 1;
        *ra.entry(x).or_default() += 1;
        *rb.entry(y).or_default() += 1;
    }
    let index: f64 = cont.values().map(|&v| comb2(v)).sum();
    let sa: f64 = ra.values().map(|&v| comb2(v)).sum();
    let sb: f64 = rb.values().map(|&v| comb2(v)).sum();
    let expected = sa * sb / comb2(n);
    let max = (sa + sb) / 2.0;
    if (max - expected).abs() < f64::EPSILON { 1.0 } else { (index - expected) / (max - expected) }
}

/// Evaluates flagged accounts (`account_id → cluster_id`) against labels.
pub fn evaluate(labels: &BTreeMap<String, String>, flagged: &BTreeMap<String, u32>, positive: &str) -> EvalReport {
    let mut r = EvalReport { labelled: labels.len() as u64, flagged: flagged.len() as u64, ..EvalReport::default() };
    let is_pos = |l: &str| l.starts_with(positive);
    for (id, label) in labels {
        let f = flagged.contains_key(id);
        let kind = kind_of(label, positive);
        let bump = |m: &mut BTreeMap<String, Share>, k: &str| {
            let s = m.entry(k.to_string()).or_default();
            s.accounts += 1;
            s.flagged += u64::from(f);
        };
        bump(&mut r.by_kind, &kind);
        if is_pos(label) {
            r.positives += 1;
            r.true_positives += u64::from(f);
            bump(&mut r.operations, label);
        } else if label.starts_with("fan_") {
            bump(&mut r.fan_groups, label);
        }
    }
    r.flagged_unlabelled = flagged.keys().filter(|id| !labels.contains_key(*id)).count() as u64;
    for m in [&mut r.by_kind, &mut r.fan_groups, &mut r.operations] {
        for s in m.values_mut() {
            s.rate = if s.accounts == 0 { 0.0 } else { s.flagged as f64 / s.accounts as f64 };
        }
    }
    r.precision = if r.flagged == 0 { 0.0 } else { r.true_positives as f64 / r.flagged as f64 };
    r.recall = if r.positives == 0 { 0.0 } else { r.true_positives as f64 / r.positives as f64 };
    r.f1 = if r.precision + r.recall == 0.0 { 0.0 } else { 2.0 * r.precision * r.recall / (r.precision + r.recall) };
    // ARI over positives ∪ flagged; singletons get ids above every real id.
    let items: BTreeSet<&String> =
        labels.iter().filter(|(_, l)| is_pos(l)).map(|(id, _)| id).chain(flagged.keys()).collect();
    let op_ids: BTreeMap<&str, u64> = labels
        .values()
        .filter(|l| is_pos(l))
        .collect::<BTreeSet<_>>()
        .into_iter()
        .enumerate()
        .map(|(i, l)| (l.as_str(), i as u64))
        .collect();
    let (mut ta, mut pb) = (Vec::new(), Vec::new());
    let mut next = 1u64 << 40;
    for id in &items {
        let truth = labels.get(*id).and_then(|l| op_ids.get(l.as_str()).copied());
        ta.push(truth.unwrap_or_else(|| {
            next += 1;
            next
        }));
        pb.push(flagged.get(*id).map(|&c| u64::from(c)).unwrap_or_else(|| {
            next += 1;
            next
        }));
    }
    r.adjusted_rand_index = adjusted_rand_index(&ta, &pb);
    // Purity by label.
    let mut per_cluster: BTreeMap<u32, BTreeMap<&str, u64>> = BTreeMap::new();
    for (id, &c) in flagged {
        let l = labels.get(id).map_or("(unlabelled)", String::as_str);
        *per_cluster.entry(c).or_default().entry(l).or_default() += 1;
    }
    let majority: u64 = per_cluster.values().map(|m| m.values().copied().max().unwrap_or(0)).sum();
    r.purity = if r.flagged == 0 { 0.0 } else { majority as f64 / r.flagged as f64 };
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_and_accounts_read_with_errors_that_say_where() {
        let l =
            read_labels("x,account_id,label,op_actions\n1,a,op_x_0,3\n2,b,organic,0\n".as_bytes(), "l.csv").unwrap();
        assert_eq!(l.labels["a"], "op_x_0");
        assert_eq!(l.actions.as_ref().unwrap()["a"], 3);
        let plain = read_labels("account_id,label\na,organic\n".as_bytes(), "l.csv").unwrap();
        assert!(plain.actions.is_none());
        assert_eq!(
            read_labels("id,label\n".as_bytes(), "l.csv").unwrap_err(),
            "l.csv: no column \"account_id\" in the header"
        );
        let bad = read_labels("account_id,label,op_actions\na,op,3\nb,op,many\n".as_bytes(), "l.csv").unwrap_err();
        assert_eq!(bad, "l.csv:3: op_actions: \"many\" is not a number");
        let f = read_flagged("account_id,username,cluster_id\na,A,2\n".as_bytes(), "accounts.csv").unwrap();
        assert_eq!(f["a"], 2);
        let bad = read_flagged("account_id,cluster_id\na,x\n".as_bytes(), "accounts.csv").unwrap_err();
        assert_eq!(bad, "accounts.csv:2: cluster_id: \"x\" is not a number");
    }

    #[test]
    fn ari_known_values() {
        assert!((adjusted_rand_index(&[0, 0, 1, 1], &[5, 5, 7, 7]) - 1.0).abs() < 1e-12);
        // sklearn: adjusted_rand_score([0,0,1,1],[0,0,1,2]) = 0.5714285714
        assert!((adjusted_rand_index(&[0, 0, 1, 1], &[0, 0, 1, 2]) - 0.571_428_571_4).abs() < 1e-9);
        // adjusted_rand_score([0,0,0,1,1,1],[0,1,2,0,1,2]) = -4/11
        assert!((adjusted_rand_index(&[0, 0, 0, 1, 1, 1], &[0, 1, 2, 0, 1, 2]) + 4.0 / 11.0).abs() < 1e-12);
    }

    #[test]
    fn counts_and_rates() {
        let labels: BTreeMap<String, String> = [
            ("a", "op_repost_ring_0"),
            ("b", "op_repost_ring_0"),
            ("c", "op_copypasta_1"),
            ("d", "fan_0"),
            ("e", "fan_0"),
            ("f", "organic"),
        ]
        .into_iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
        let flagged: BTreeMap<String, u32> =
            [("a", 1), ("b", 1), ("d", 2), ("x", 2)].into_iter().map(|(a, c)| (a.to_string(), c)).collect();
        let r = evaluate(&labels, &flagged, "op_");
        assert_eq!((r.positives, r.flagged, r.true_positives, r.flagged_unlabelled), (3, 4, 2, 1));
        assert!((r.precision - 0.5).abs() < 1e-12 && (r.recall - 2.0 / 3.0).abs() < 1e-12);
        assert_eq!(r.by_kind["fan"], Share { accounts: 2, flagged: 1, rate: 0.5 });
        assert_eq!(r.by_kind["repost_ring"].flagged, 2);
        assert_eq!(r.by_kind["copypasta"].flagged, 0);
        assert_eq!(r.fan_groups["fan_0"].rate, 0.5);
        assert_eq!(kind_of("op_cloned_news_12", "op_"), "cloned_news");
    }

    #[test]
    fn participation_bands_and_ceiling() {
        let labels: BTreeMap<String, String> =
            [("a", "op_x_0"), ("b", "op_x_0"), ("c", "op_x_0"), ("d", "op_x_0"), ("e", "organic")]
                .into_iter()
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .collect();
        let actions: BTreeMap<String, u32> =
            [("a", 1), ("b", 3), ("c", 9), ("e", 50)].into_iter().map(|(a, n)| (a.to_string(), n)).collect();
        let flagged: BTreeMap<String, u32> =
            [("b", 1), ("c", 1)].into_iter().map(|(a, c)| (a.to_string(), c)).collect();
        let mut r = evaluate(&labels, &flagged, "op_");
        add_participation(&mut r, &labels, &actions, &flagged, "op_");
        // a has one event and d none (missing = 0): both in the first band.
        let got: Vec<(u32, u64, u64)> = r.by_participation.iter().map(|b| (b.lo, b.members, b.flagged)).collect();
        assert_eq!(got, [(0, 2, 0), (2, 1, 1), (4, 0, 0), (8, 1, 1)]);
        assert_eq!(r.recall_ceiling, Some(0.5));
        assert_eq!(r.recall_of_visible, Some(1.0));
        assert!((r.recall - 0.5).abs() < 1e-12);
    }
}
