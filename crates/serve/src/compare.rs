//! Two scan runs side by side: which clusters appeared, vanished, changed
//! or stayed, with their members.
//!
//! Cluster ids are ranks within one run, so clusters are matched by their
//! members: every pair of clusters (one from each run) with a Jaccard
//! overlap of at least [`MATCH`] is a candidate, and candidates are taken
//! best first (ties: lower ids first), each cluster at most once. A matched
//! pair with the same members is unchanged; otherwise it changed, with the
//! members that joined and left. Unmatched clusters of the first run
//! vanished; those of the second appeared. An overlap of at least one half
//! means the two clusters share more members than either has outside the
//! other, so no cluster can match two and a split or merge shows as one
//! change plus an appearance or a vanishing.

use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// The smallest Jaccard overlap that makes two clusters the same cluster.
pub const MATCH: f64 = 0.5;

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Member {
    pub account: String,
    pub username: String,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Cluster {
    pub id: u32,
    pub size: usize,
    pub score: f64,
    pub signals: String,
    pub why: String,
    pub members: Vec<Member>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Changed {
    pub a: Cluster,
    pub b: Cluster,
    pub jaccard: f64,
    pub joined: Vec<Member>,
    pub left: Vec<Member>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Same {
    pub a: Cluster,
    pub b: Cluster,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Comparison {
    pub appeared: Vec<Cluster>,
    pub vanished: Vec<Cluster>,
    pub changed: Vec<Changed>,
    pub unchanged: Vec<Same>,
}

/// The clusters of a scan's results folder (clusters.csv, with members from
/// accounts.csv), by id.
pub fn read_clusters(dir: &Path) -> Result<Vec<Cluster>, String> {
    let open = |f: &str| csv::Reader::from_path(dir.join(f)).map_err(|e| format!("reading the run's {f}: {e}"));
    let col = |h: &csv::StringRecord, f: &str, c: &str| {
        h.iter().position(|x| x == c).ok_or_else(|| format!("the run's {f} has no column {c:?}"))
    };
    let mut members: BTreeMap<u32, Vec<Member>> = BTreeMap::new();
    let mut r = open("accounts.csv")?;
    let h = r.headers().map_err(|e| e.to_string())?.clone();
    let (ia, iu, ic) = (
        col(&h, "accounts.csv", "account_id")?,
        col(&h, "accounts.csv", "username")?,
        col(&h, "accounts.csv", "cluster_id")?,
    );
    for rec in r.records() {
        let rec = rec.map_err(|e| format!("reading the run's accounts.csv: {e}"))?;
        let id: u32 = rec.get(ic).and_then(|c| c.parse().ok()).ok_or("the run's accounts.csv has a bad cluster_id")?;
        let m = Member { account: rec.get(ia).unwrap_or("").into(), username: rec.get(iu).unwrap_or("").into() };
        members.entry(id).or_default().push(m);
    }
    let mut r = open("clusters.csv")?;
    let h = r.headers().map_err(|e| e.to_string())?.clone();
    let f = "clusters.csv";
    let (ii, isc, isg, iw) =
        (col(&h, f, "cluster_id")?, col(&h, f, "score")?, col(&h, f, "signals")?, col(&h, f, "why")?);
    let mut out = Vec::new();
    for rec in r.records() {
        let rec = rec.map_err(|e| format!("reading the run's clusters.csv: {e}"))?;
        let id: u32 = rec.get(ii).and_then(|c| c.parse().ok()).ok_or("the run's clusters.csv has a bad cluster_id")?;
        let members = members.remove(&id).unwrap_or_default();
        out.push(Cluster {
            id,
            size: members.len(),
            score: rec.get(isc).and_then(|s| s.parse().ok()).unwrap_or(0.0),
            signals: rec.get(isg).unwrap_or("").into(),
            why: rec.get(iw).unwrap_or("").into(),
            members,
        });
    }
    Ok(out)
}

fn accounts(c: &Cluster) -> BTreeSet<&str> {
    c.members.iter().map(|m| m.account.as_str()).collect()
}

/// Compares run `a` with run `b` (see the module doc).
pub fn compare(a: &[Cluster], b: &[Cluster]) -> Comparison {
    let sets_a: Vec<BTreeSet<&str>> = a.iter().map(accounts).collect();
    let sets_b: Vec<BTreeSet<&str>> = b.iter().map(accounts).collect();
    let mut candidates = Vec::new();
    for (i, x) in sets_a.iter().enumerate() {
        for (j, y) in sets_b.iter().enumerate() {
            let both = x.intersection(y).count();
            if both == 0 {
                continue;
            }
            let jaccard = both as f64 / (x.len() + y.len() - both) as f64;
            if jaccard >= MATCH {
                candidates.push((jaccard, i, j));
            }
        }
    }
    candidates.sort_by(|p, q| q.0.total_cmp(&p.0).then((p.1, p.2).cmp(&(q.1, q.2))));
    let (mut used_a, mut used_b) = (vec![false; a.len()], vec![false; b.len()]);
    let mut out = Comparison::default();
    for (jaccard, i, j) in candidates {
        if used_a[i] || used_b[j] {
            continue;
        }
        used_a[i] = true;
        used_b[j] = true;
        if sets_a[i] == sets_b[j] {
            out.unchanged.push(Same { a: a[i].clone(), b: b[j].clone() });
        } else {
            let joined = b[j].members.iter().filter(|m| !sets_a[i].contains(m.account.as_str())).cloned().collect();
            let left = a[i].members.iter().filter(|m| !sets_b[j].contains(m.account.as_str())).cloned().collect();
            out.changed.push(Changed { a: a[i].clone(), b: b[j].clone(), jaccard, joined, left });
        }
    }
    out.vanished = a.iter().zip(&used_a).filter(|(_, u)| !**u).map(|(c, _)| c.clone()).collect();
    out.appeared = b.iter().zip(&used_b).filter(|(_, u)| !**u).map(|(c, _)| c.clone()).collect();
    out.changed.sort_by_key(|c| c.a.id);
    out.unchanged.sort_by_key(|c| c.a.id);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cluster(id: u32, members: &[&str]) -> Cluster {
        Cluster {
            id,
            size: members.len(),
            score: 1.0,
            signals: String::new(),
            why: String::new(),
            members: members.iter().map(|m| Member { account: m.to_string(), username: format!("@{m}") }).collect(),
        }
    }

    #[test]
    fn clusters_match_by_members_not_by_id() {
        let a = [cluster(1, &["a", "b", "c"]), cluster(2, &["d", "e", "f", "g"]), cluster(3, &["x", "y"])];
        let b = [cluster(1, &["d", "e", "f", "h"]), cluster(2, &["a", "b", "c"]), cluster(3, &["p", "q", "r"])];
        let c = compare(&a, &b);
        assert_eq!(c.unchanged.len(), 1);
        assert_eq!((c.unchanged[0].a.id, c.unchanged[0].b.id), (1, 2));
        assert_eq!(c.changed.len(), 1);
        let ch = &c.changed[0];
        assert_eq!((ch.a.id, ch.b.id), (2, 1));
        assert_eq!(ch.joined.iter().map(|m| m.account.as_str()).collect::<Vec<_>>(), ["h"]);
        assert_eq!(ch.left.iter().map(|m| m.account.as_str()).collect::<Vec<_>>(), ["g"]);
        assert!((ch.jaccard - 3.0 / 5.0).abs() < 1e-12);
        assert_eq!(c.vanished.iter().map(|c| c.id).collect::<Vec<_>>(), [3]);
        assert_eq!(c.appeared.iter().map(|c| c.id).collect::<Vec<_>>(), [3]);
    }

    /// A split: the larger half keeps the match, the smaller appears.
    #[test]
    fn a_split_is_a_change_and_an_appearance() {
        let a = [cluster(1, &["a", "b", "c", "d", "e", "f"])];
        let b = [cluster(1, &["a", "b", "c", "d"]), cluster(2, &["e", "f"])];
        let c = compare(&a, &b);
        assert_eq!(c.changed.len(), 1);
        assert_eq!(c.changed[0].b.id, 1);
        assert_eq!(c.appeared.iter().map(|c| c.id).collect::<Vec<_>>(), [2]);
        assert!(c.vanished.is_empty() && c.unchanged.is_empty());
    }

    /// Brute force over small random runs: every cluster is accounted for
    /// exactly once, and every match has an overlap of at least MATCH.
    #[test]
    fn every_cluster_is_accounted_for_once() {
        let mut seed = 7u64;
        let mut next = || {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (seed >> 33) as usize
        };
        for _ in 0..200 {
            let (na, nb) = (next() % 5, next() % 5);
            let mut run = |n: usize| -> Vec<Cluster> {
                (0..n)
                    .map(|i| {
                        let k = 2 + next() % 5;
                        let names: Vec<String> = (0..k).map(|_| format!("u{}", next() % 12)).collect();
                        let mut names: Vec<&str> = names.iter().map(String::as_str).collect();
                        names.sort();
                        names.dedup();
                        cluster(i as u32 + 1, &names)
                    })
                    .collect()
            };
            let (a, b) = (run(na), run(nb));
            let c = compare(&a, &b);
            let seen_a = c.vanished.len() + c.changed.len() + c.unchanged.len();
            let seen_b = c.appeared.len() + c.changed.len() + c.unchanged.len();
            assert_eq!((seen_a, seen_b), (a.len(), b.len()));
            for ch in &c.changed {
                assert!(ch.jaccard >= MATCH);
            }
        }
    }
}
