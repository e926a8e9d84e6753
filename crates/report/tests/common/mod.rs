//! Report fixtures built in code: a small realistic report for the tests and
//! a large one (10,000 accounts, ~50,000 edges) for the scale check.
//! Deterministic: a fixed seed drives a PCG generator.

#![allow(dead_code)]

use std::collections::BTreeMap;

use swarmscan_report::{
    Action, Cluster, DomainRow, EdgeRow, Evidence, InputRow, Lookalike, Node, Param, ReportData, SignalRow, Totals,
};

/// The fixtures' random source: seeded PCG (the workspace's `rand_pcg`).
pub struct Rng(rand_pcg::Pcg64Mcg);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(rand::SeedableRng::seed_from_u64(seed))
    }
    pub fn below(&mut self, n: u64) -> u64 {
        rand::Rng::next_u64(&mut self.0) % n.max(1)
    }
    pub fn unit(&mut self) -> f64 {
        (rand::Rng::next_u64(&mut self.0) >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// RFC 3339 (UTC) for seconds since the Unix epoch.
pub fn rfc3339(secs: i64) -> String {
    swarmscan_model::format_rfc3339_ms(secs * 1000)
}

/// 2024-05-01T00:00:00Z
pub const T0: i64 = 1_714_521_600;

pub struct ClusterSpec {
    pub cluster_id: u32,
    pub size: usize,
    /// Signals of its edges, used in turn.
    pub signals: Vec<&'static str>,
    /// Distinct shared targets.
    pub targets: usize,
    /// A lookalike domain the cluster pushes: (domain, imitated outlet).
    pub lookalike: Option<(&'static str, &'static str)>,
}

pub struct Spec {
    pub seed: u64,
    pub clusters: Vec<ClusterSpec>,
    /// Each member links to the next `degree` members of its cluster (ring).
    pub degree: usize,
    /// Every `extra_signal_every`-th pair also gets a second signal (a
    /// parallel edge row); 0 = never.
    pub extra_signal_every: usize,
    pub evidence_per_edge: usize,
    pub title: &'static str,
}

const WORDS: &[&str] = &[
    "breaking",
    "leaked",
    "documents",
    "show",
    "minister",
    "lied",
    "about",
    "the",
    "vaccine",
    "deal",
    "share",
    "before",
    "they",
    "delete",
    "this",
    "election",
    "fraud",
    "confirmed",
    "by",
    "insiders",
    "wake",
    "up",
    "truth",
    "media",
    "silent",
    "on",
    "shocking",
    "report",
    "sources",
    "say",
    "massive",
    "cover-up",
    "exposed",
    "today",
];

fn sentence(rng: &mut Rng, words: usize) -> String {
    let mut s = String::new();
    for i in 0..words {
        if i > 0 {
            s.push(' ');
        }
        s.push_str(WORDS[rng.below(WORDS.len() as u64) as usize]);
    }
    s
}

struct Target {
    text: String,
    url: Option<String>,
    lookalike: bool,
    signal: &'static str,
    post_text: String,
}

/// Builds a report whose parts agree with each other: nodes, the edges of
/// each cluster with evidence from the members' posts, per-cluster summaries
/// (timeline, top targets, domains) and the lookalike table.
pub fn build(spec: &Spec) -> ReportData {
    let mut rng = Rng::new(spec.seed);
    let mut nodes = Vec::new();
    let mut edges = Vec::new();
    let mut clusters = Vec::new();
    let mut lookalikes: BTreeMap<&str, Lookalike> = BTreeMap::new();
    let outlets = ["reuters.com", "bbc.co.uk", "apnews.com", "lemonde.fr", "spiegel.de", "nytimes.com"];

    for (rank, cs) in spec.clusters.iter().enumerate() {
        let first = nodes.len() as u32;
        let members: Vec<u32> = (0..cs.size as u32).map(|k| first + k).collect();
        for k in 0..cs.size {
            let i = nodes.len() as u32;
            nodes.push(Node {
                index: i,
                account_id: format!("{}", 1_000_000 + u64::from(i) * 7919 % 9_000_000),
                username: format!(
                    "{}_{}{}",
                    ["patriot", "newsflash", "truthseeker", "daily", "citizen"][k % 5],
                    rank,
                    k
                ),
                cluster: cs.cluster_id,
                why: format!(
                    "pair test: {} significant pairs in the cluster; best {} {} shared (expected {:.3}), p={:.2e}",
                    spec.degree.min(cs.size - 1) * 2,
                    cs.signals[k % cs.signals.len()],
                    cs.targets,
                    0.01 * (k + 1) as f64,
                    1e-9 * (k + 1) as f64
                ),
                score: 10.0 - (k as f64) * 0.01 - rank as f64 * 0.001,
                signals: {
                    let mut s: Vec<String> = cs.signals.iter().map(|s| s.to_string()).collect();
                    s.sort();
                    s.dedup();
                    s
                },
            });
        }

        // The cluster's targets: what its members shared.
        let targets: Vec<Target> = (0..cs.targets)
            .map(|t| {
                let signal = cs.signals[t % cs.signals.len()];
                let lookalike = cs.lookalike.is_some() && t % 3 == 0;
                let url = if lookalike {
                    Some(format!(
                        "https://{}/2024/05/{}",
                        cs.lookalike.unwrap().0,
                        sentence(&mut rng, 3).replace(' ', "-")
                    ))
                } else if signal == "co_link" {
                    Some(format!("https://{}/news/{}", outlets[t % outlets.len()], 40_000 + t))
                } else {
                    None
                };
                let text = match (&url, signal) {
                    (Some(u), _) => u.clone(),
                    (None, "co_hashtag") => format!("#{}{}", WORDS[t % WORDS.len()], rank),
                    (None, "co_repost") => format!("{}", 8_000_000_000_000_000_000u64 + (rank * 1000 + t) as u64),
                    _ => sentence(&mut rng, 6),
                };
                let words = 8 + rng.below(20) as usize;
                let mut post_text = sentence(&mut rng, words);
                if let Some(u) = &url {
                    post_text.push(' ');
                    post_text.push_str(u);
                }
                Target { text, url, lookalike, signal, post_text }
            })
            .collect();

        // Each member posted each target once, a burst per target.
        let burst0 = T0 + (rank as i64 % 48) * 3600;
        let post_time = |m: usize, t: usize| burst0 + (t as i64) * 5400 + (m as i64 * 37) % 900;
        let action = |m: usize, t: usize| {
            let node = &nodes[members[m] as usize];
            Action {
                post_id: format!("{}", 9_000_000_000_000_000_000u64 + (u64::from(members[m]) << 8) + t as u64),
                account_id: node.account_id.clone(),
                username: node.username.clone(),
                time: rfc3339(post_time(m, t)),
                text: targets[t].post_text.clone(),
            }
        };

        let n = cs.size;
        let mut pair_no = 0usize;
        let mut cluster_evidence = Vec::new();
        for a in 0..n {
            for step in 1..=spec.degree.min(n.saturating_sub(1) / 2).max(usize::from(n == 2)) {
                let b = (a + step) % n;
                if n == 2 && a == 1 {
                    continue;
                }
                pair_no += 1;
                let (lo, hi) = if a < b { (a, b) } else { (b, a) };
                let mut sigs = vec![cs.signals[pair_no % cs.signals.len()]];
                if spec.extra_signal_every > 0
                    && pair_no.is_multiple_of(spec.extra_signal_every)
                    && cs.signals.len() > 1
                {
                    sigs.push(cs.signals[(pair_no + 1) % cs.signals.len()]);
                }
                for signal in sigs {
                    let shared: Vec<usize> = (0..targets.len()).filter(|&t| targets[t].signal == signal).collect();
                    let mut evidence = Vec::new();
                    for k in 0..spec.evidence_per_edge.min(shared.len()) {
                        let t = shared[(k + pair_no) % shared.len()];
                        let ev = Evidence {
                            target: targets[t].text.clone(),
                            a: action(lo, t),
                            b: action(hi, t),
                            dt_s: (post_time(hi, t) - post_time(lo, t)).abs() as f64,
                            lookalike: targets[t].lookalike,
                        };
                        if cluster_evidence.len() < 30 {
                            cluster_evidence.push(ev.clone());
                        }
                        evidence.push(ev);
                    }
                    edges.push(EdgeRow {
                        source: members[lo],
                        target: members[hi],
                        signal: signal.to_owned(),
                        weight: shared.len() as u32,
                        p_value: 1e-6 * rng.unit() / (1.0 + rank as f64),
                        evidence,
                    });
                }
            }
        }

        // Summaries.
        let mut hours: BTreeMap<i64, u32> = BTreeMap::new();
        for t in 0..targets.len() {
            for m in 0..n {
                *hours.entry(post_time(m, t) / 3600 * 3600).or_default() += 1;
            }
        }
        let mut domains: BTreeMap<String, (u32, Option<String>)> = BTreeMap::new();
        for t in &targets {
            if let Some(u) = &t.url {
                let host = u.trim_start_matches("https://").split('/').next().unwrap().to_owned();
                let imitates = t.lookalike.then(|| cs.lookalike.unwrap().1.to_owned());
                domains.entry(host).or_insert((0, imitates)).0 += n as u32;
            }
        }
        let mut signal_share: BTreeMap<&str, f64> = BTreeMap::new();
        for e in edges.iter().filter(|e| members.contains(&e.source)) {
            *signal_share.entry(cs.signals.iter().find(|s| **s == e.signal).unwrap()).or_default() += 1.0;
        }
        let total: f64 = signal_share.values().sum();
        let mut signals: Vec<(String, f64)> =
            signal_share.into_iter().map(|(s, v)| (s.to_owned(), if total > 0.0 { v / total } else { 0.0 })).collect();
        signals.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        if let Some((domain, imitates)) = cs.lookalike {
            let l = lookalikes.entry(domain).or_insert_with(|| Lookalike {
                domain: domain.to_owned(),
                imitates: imitates.to_owned(),
                rule: "homoglyph+tld".to_owned(),
                score: 0.93,
                posts: 0,
                clusters: Vec::new(),
            });
            l.posts += (n * targets.iter().filter(|t| t.lookalike).count()) as u64;
            l.clusters.push(cs.cluster_id);
        }
        clusters.push(Cluster {
            cluster_id: cs.cluster_id,
            size: n as u32,
            score: 50.0 - rank as f64 * 0.1,
            signals,
            members: members.clone(),
            top_targets: targets.iter().take(10).map(|t| (t.text.clone(), t.signal.to_owned(), n as u32)).collect(),
            domains: domains
                .into_iter()
                .map(|(domain, (count, imitates))| DomainRow { domain, count, imitates })
                .collect(),
            timeline: hours.into_iter().map(|(h, c)| (rfc3339(h), c)).collect(),
            evidence: cluster_evidence,
            why: format!("{n} accounts in {pair_no} significant pairs (best p={:.2e})", 1e-9 / (1.0 + rank as f64)),
        });
    }

    // One lookalike nobody in a cluster used.
    lookalikes.insert(
        "apnews-world.info",
        Lookalike {
            domain: "apnews-world.info".into(),
            imitates: "apnews.com".into(),
            rule: "brand+keyword".into(),
            score: 0.71,
            posts: 3,
            clusters: vec![],
        },
    );

    let mut signal_rows: BTreeMap<&str, (u64, u64)> = BTreeMap::new();
    for e in &edges {
        let r = signal_rows.entry(e.signal.as_str()).or_default();
        r.1 += 1;
    }
    for (name, r) in signal_rows.iter_mut() {
        r.0 = r.1 * 40 + name.len() as u64 * 1000;
    }
    let records: u64 = nodes.len() as u64 * 57 + 120_000;
    ReportData {
        title: spec.title.to_owned(),
        version: "0.1.0".into(),
        generated: "2024-05-03T12:00:00Z".into(),
        inputs: vec![
            InputRow {
                path: "data/tweets-2024-05.jsonl.zst".into(),
                format: "twitter-v2".into(),
                records: records - 20_000,
                skipped: 412,
            },
            InputRow { path: "data/telegram.csv".into(), format: "telegram-csv".into(), records: 20_000, skipped: 7 },
        ],
        totals: Totals {
            records,
            skipped: 419,
            events: records - 1_000,
            accounts: nodes.len() as u64 * 30,
            clusters: clusters.len() as u64,
            flagged_accounts: nodes.len() as u64,
        },
        parameters: vec![
            Param {
                name: "window".into(),
                value: "10m".into(),
                why: "co-actions closer than this count as coordinated".into(),
            },
            Param {
                name: "alpha".into(),
                value: "0.001".into(),
                why: "false-discovery rate across all tested pairs".into(),
            },
            Param { name: "min_cluster".into(), value: "3".into(), why: "smaller groups are too easily chance".into() },
        ],
        signals: signal_rows
            .into_iter()
            .map(|(signal, (tested, significant))| SignalRow { signal: signal.to_owned(), tested, significant })
            .collect(),
        nodes,
        edges,
        clusters,
        lookalikes: lookalikes.into_values().collect(),
        refresh_s: None,
    }
}

/// A small report: three clusters (one pushing a lookalike of bbc.co.uk),
/// parallel edges of different signals, and text that must be escaped.
pub fn small() -> ReportData {
    let mut data = build(&Spec {
        seed: 7,
        clusters: vec![
            ClusterSpec {
                cluster_id: 1,
                size: 8,
                signals: vec!["co_link", "co_repost"],
                targets: 9,
                lookalike: Some(("bbc-news24.co", "bbc.co.uk")),
            },
            ClusterSpec { cluster_id: 2, size: 6, signals: vec!["co_hashtag", "co_text"], targets: 6, lookalike: None },
            ClusterSpec { cluster_id: 5, size: 4, signals: vec!["co_repost"], targets: 4, lookalike: None },
        ],
        degree: 2,
        extra_signal_every: 3,
        evidence_per_edge: 3,
        title: "swarmscan report: fixture",
    });
    // Text that tests escaping on every path: markup, a control character,
    // quotes, non-Latin script.
    data.nodes[3].username = "<b>\"nasty\" & 'odd'</b>\u{1}".into();
    data.edges[0].evidence[0].a.text = "</script><!-- \u{7} ünïcödé Ελληνικά 中文 & more".into();
    // The page must show why lines as text, markup included.
    data.clusters[0].why.push_str("; <b>1</b> added by the group test & kept");
    data.nodes[2].why.push_str(" <i>not markup</i>");
    data
}

/// The scale check: `nodes` accounts in `clusters` clusters, about
/// `nodes * degree` edges.
pub fn big(nodes: usize, clusters: usize, degree: usize) -> ReportData {
    let mut rng = Rng::new(42);
    let mut specs = Vec::new();
    let mut left = nodes;
    let fakes =
        [("bbc-news24.co", "bbc.co.uk"), ("reuters-daily.net", "reuters.com"), ("lemonde-info.fr", "lemonde.fr")];
    let signal_sets: [&[&'static str]; 4] =
        [&["co_link", "co_repost"], &["co_hashtag", "co_text"], &["co_repost"], &["co_link", "co_text", "co_repost"]];
    for c in 0..clusters {
        let remaining = clusters - c;
        // Sizes vary around the mean, some clusters large.
        let mean = left / remaining;
        let size = if remaining == 1 {
            left
        } else {
            let s = (mean as f64 * (0.3 + 1.4 * rng.unit()) * if c % 25 == 0 { 3.0 } else { 1.0 }) as usize;
            s.clamp(3, left - 3 * (remaining - 1))
        };
        left -= size;
        specs.push(ClusterSpec {
            cluster_id: 100 + c as u32,
            size,
            signals: signal_sets[c % signal_sets.len()].to_vec(),
            targets: 6 + c % 7,
            lookalike: (c % 10 == 3).then(|| fakes[c % fakes.len()]),
        });
    }
    build(&Spec {
        seed: 11,
        clusters: specs,
        degree,
        extra_signal_every: 0,
        evidence_per_edge: 3,
        title: "swarmscan report: scale check",
    })
}
