//! From a [`ScanResult`] to what people read: [`ReportData`], with the
//! evidence resolved to posts, times, texts and URLs, and lookalike news
//! domains marked. The CSV/JSON outputs and the HTML report are all written
//! from this one structure, so they cannot disagree.

use crate as r;
use rustc_hash::FxHashMap;
use std::collections::BTreeMap;
use swarmscan_detect::Evidence as RawEvidence;
use swarmscan_domains::url_host;
use swarmscan_model::{Events, Sym, format_rfc3339_ms};
use swarmscan_scan::{Cluster, Lookalikes, Pair, ScanParams, ScanResult, Signal, strength};

/// The parts of a report that come from outside the scan.
#[derive(Clone, Debug, Default)]
pub struct Header {
    pub title: String,
    pub version: String,
    pub generated: String,
    pub inputs: Vec<r::InputRow>,
    pub records: u64,
    pub skipped: u64,
}

impl Header {
    /// The header of a scan of the inputs `read` accounts for, by
    /// swarmscan `version`, generated now ([`generated_now`]).
    pub fn for_inputs(version: &str, read: &swarmscan_ingest::IngestReport) -> Header {
        let inputs = read
            .files
            .iter()
            .map(|f| r::InputRow {
                path: f.file.clone(),
                format: f.format.clone(),
                records: f.records,
                skipped: f.skipped_total(),
            })
            .collect();
        Header {
            title: "swarmscan report".into(),
            version: version.into(),
            generated: generated_now(),
            inputs,
            records: read.records(),
            skipped: read.skipped().values().sum(),
        }
    }
}

/// The generation time written into reports: `SOURCE_DATE_EPOCH` when set
/// (reproducible builds' convention), else now.
pub fn generated_now() -> String {
    let ms = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.trim().parse::<i64>().ok())
        .map(|s| s * 1000)
        .unwrap_or_else(|| {
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis() as i64)
        });
    format_rfc3339_ms(ms)
}

/// The name of the lookalike-domain signal in cluster and account signals.
pub const LOOKALIKE_SIGNAL: &str = "lookalike_domain";

fn shorten(s: &str, n: usize) -> String {
    if s.chars().count() <= n { s.to_string() } else { s.chars().take(n - 1).chain(['…']).collect() }
}

fn action(ev: &Events, row: u32) -> r::Action {
    let e = ev.row(row as usize);
    r::Action {
        post_id: e.post_id.to_string(),
        account_id: e.account_id.to_string(),
        username: e.handle.to_string(),
        time: format_rfc3339_ms(e.ts_ms),
        text: shorten(e.text, 280),
    }
}

/// Why each member of a cluster was flagged (same order as its members):
/// its significant pairs inside the cluster (count, best signal and
/// p-value), or the group test that attached it.
fn member_reasons(res: &ScanResult<'_>, c: &Cluster) -> Vec<String> {
    c.members
        .iter()
        .map(|&m| {
            let mine = c.pairs.iter().map(|&pi| &res.pairs[pi]).filter(|x| x.a == m || x.b == m);
            let (n, best) = mine.fold((0usize, None::<&Pair>), |(n, b), x| {
                (n + 1, if b.is_none_or(|b| x.p < b.p) { Some(x) } else { b })
            });
            if let Some(best) = best {
                let s = &best.signals[0];
                return format!(
                    "pair test: {n} significant pair{} in the cluster; best {} {} shared (expected {:.3}), p={:.2e}",
                    if n == 1 { "" } else { "s" },
                    s.signal,
                    s.weight,
                    s.mu,
                    best.p
                );
            }
            match res.attachments.binary_search_by_key(&m, |t| t.account) {
                Ok(i) => {
                    let t = &res.attachments[i];
                    format!(
                        "group test: {} {} of the cluster's joint actions (expected {:.3}), p={:.2e}, q={:.2e}",
                        t.signal, t.weight, t.mu, t.p, t.q
                    )
                }
                Err(_) => String::new(),
            }
        })
        .collect()
}

/// How a cluster's members were found.
fn cluster_reason(res: &ScanResult<'_>, c: &Cluster) -> String {
    let attached =
        c.members.iter().filter(|&&m| res.attachments.binary_search_by_key(&m, |t| t.account).is_ok()).count();
    let best = c.pairs.iter().map(|&pi| res.pairs[pi].p).fold(f64::INFINITY, f64::min);
    let mut out = format!(
        "{} accounts in {} significant pairs (best p={:.2e})",
        c.members.len() - attached,
        c.pairs.len(),
        if best.is_finite() { best } else { 1.0 }
    );
    if attached > 0 {
        out.push_str(&format!("; {attached} added by the group test"));
    }
    out
}

/// Describes a scan for people: nodes, edges with evidence, clusters with
/// their signals, targets, domains and timelines, and lookalike domains.
pub fn explain(res: &ScanResult<'_>, params: &ScanParams, looks: &Lookalikes, header: Header) -> r::ReportData {
    let ev = res.events;
    let ev_item = |level: usize, e: &RawEvidence| -> r::Evidence {
        let target = res.key(level, e.key);
        let mut lookalike = url_host(&target).is_some_and(|h| looks.by_host.contains_key(&h));
        lookalike |= !looks.hosts_of_row(ev, e.row_a as usize).is_empty();
        lookalike |= !looks.hosts_of_row(ev, e.row_b as usize).is_empty();
        r::Evidence { target, a: action(ev, e.row_a), b: action(ev, e.row_b), dt_s: e.dt_ms as f64 / 1000.0, lookalike }
    };
    // Nodes: members of reported clusters, in cluster order then strength.
    let mut nodes: Vec<r::Node> = Vec::new();
    let mut node_of: FxHashMap<u32, u32> = FxHashMap::default();
    let mut node_sym: Vec<Sym> = Vec::new();
    for c in &res.clusters {
        let why = member_reasons(res, c);
        for ((&m, &score), why) in c.members.iter().zip(&c.member_scores).zip(why) {
            node_of.insert(m, nodes.len() as u32);
            let sym = res.account_sym(m);
            node_sym.push(sym);
            nodes.push(r::Node {
                index: nodes.len() as u32,
                account_id: res.account_id(m).to_string(),
                username: ev.handle(sym).to_string(),
                cluster: c.id,
                score,
                signals: Vec::new(),
                why,
            });
        }
    }
    // Evidence of every signal of every significant pair between reported
    // accounts, resolved once: clusters read it, then edges take it.
    let mut evidence: FxHashMap<(usize, usize), Vec<r::Evidence>> = FxHashMap::default();
    for (pi, pair) in res.pairs.iter().enumerate() {
        if node_of.contains_key(&pair.a) && node_of.contains_key(&pair.b) {
            for (si, s) in pair.signals.iter().enumerate() {
                evidence.insert((pi, si), s.evidence.iter().map(|e| ev_item(s.level, e)).collect());
            }
        }
    }
    // Clusters.
    let mut clusters = Vec::new();
    let mut domain_clusters: BTreeMap<String, Vec<u32>> = BTreeMap::new();
    for c in &res.clusters {
        let mut by_signal: BTreeMap<Signal, f64> = BTreeMap::new();
        let mut targets: BTreeMap<(String, Signal), u32> = BTreeMap::new();
        let mut domains: BTreeMap<String, u32> = BTreeMap::new();
        let mut hours: BTreeMap<i64, u32> = BTreeMap::new();
        let mut best: Vec<(f64, i64, r::Evidence)> = Vec::new();
        for &pi in &c.pairs {
            for (si, s) in res.pairs[pi].signals.iter().enumerate() {
                if s.p <= res.p_threshold {
                    *by_signal.entry(s.signal).or_default() += strength(s.p);
                }
                for (e, item) in s.evidence.iter().zip(&evidence[&(pi, si)]) {
                    *targets.entry((item.target.clone(), s.signal)).or_default() += 1;
                    for row in [e.row_a, e.row_b] {
                        let t = ev.ts_ms[row as usize];
                        *hours.entry(t.div_euclid(3_600_000) * 3_600_000).or_default() += 1;
                        for u in ev.urls_expanded(row as usize) {
                            if let Some(h) = url_host(ev.strings.resolve(*u)) {
                                *domains.entry(h).or_default() += 1;
                            }
                        }
                    }
                    best.push((s.p, e.dt_ms, item.clone()));
                }
            }
        }
        let total: f64 = by_signal.values().sum();
        let mut signals: Vec<(String, f64)> = by_signal
            .into_iter()
            .map(|(s, v)| (s.as_str().to_string(), if total > 0.0 { v / total } else { 0.0 }))
            .collect();
        signals.sort_by(|x, y| y.1.total_cmp(&x.1).then(x.0.cmp(&y.0)));
        let pushers = c.members.iter().filter(|&&m| looks.posted_by(res.account_sym(m))).count();
        if pushers > 0 {
            signals.push((LOOKALIKE_SIGNAL.into(), pushers as f64 / c.members.len() as f64));
        }
        let mut top: Vec<(String, String, u32)> =
            targets.into_iter().map(|((t, s), n)| (t, s.as_str().to_string(), n)).collect();
        top.sort_by(|x, y| y.2.cmp(&x.2).then(x.0.cmp(&y.0)).then(x.1.cmp(&y.1)));
        top.truncate(10);
        let mut drows: Vec<r::DomainRow> = domains
            .into_iter()
            .map(|(d, n)| r::DomainRow { imitates: looks.imitates(&d).map(str::to_string), domain: d, count: n })
            .collect();
        drows.sort_by(|x, y| {
            y.imitates.is_some().cmp(&x.imitates.is_some()).then(y.count.cmp(&x.count)).then(x.domain.cmp(&y.domain))
        });
        for d in drows.iter().filter(|d| d.imitates.is_some()) {
            domain_clusters.entry(d.domain.clone()).or_default().push(c.id);
        }
        drows.truncate(20);
        best.sort_by(|x, y| x.0.total_cmp(&y.0).then(x.1.cmp(&y.1)).then(x.2.a.post_id.cmp(&y.2.a.post_id)));
        best.truncate(20);
        clusters.push(r::Cluster {
            cluster_id: c.id,
            size: c.members.len() as u32,
            score: c.score,
            signals,
            members: c.members.iter().map(|m| node_of[m]).collect(),
            top_targets: top,
            domains: drows,
            timeline: hours.into_iter().map(|(h, n)| (format_rfc3339_ms(h), n)).collect(),
            evidence: best.into_iter().map(|x| x.2).collect(),
            why: cluster_reason(res, c),
        });
    }
    // Edges: every signal of every significant pair between reported accounts.
    let mut edges = Vec::new();
    let mut node_signals: Vec<Vec<Signal>> = vec![Vec::new(); nodes.len()];
    for (pi, pair) in res.pairs.iter().enumerate() {
        let (Some(&na), Some(&nb)) = (node_of.get(&pair.a), node_of.get(&pair.b)) else { continue };
        for (si, s) in pair.signals.iter().enumerate() {
            if s.p <= res.p_threshold {
                node_signals[na as usize].push(s.signal);
                node_signals[nb as usize].push(s.signal);
            }
            let (source, target) = if na < nb { (na, nb) } else { (nb, na) };
            edges.push(r::EdgeRow {
                source,
                target,
                signal: s.signal.as_str().into(),
                weight: s.weight,
                p_value: s.p,
                evidence: evidence.remove(&(pi, si)).unwrap_or_default(),
            });
        }
    }
    edges.sort_by(|x, y| (x.source, x.target, &x.signal).cmp(&(y.source, y.target, &y.signal)));
    // Accounts added by the group test carry the signal that added them.
    for t in &res.attachments {
        if let Some(&n) = node_of.get(&t.account) {
            node_signals[n as usize].push(t.signal);
        }
    }
    for (n, mut sigs) in nodes.iter_mut().zip(node_signals) {
        sigs.sort_unstable();
        sigs.dedup();
        n.signals = sigs.iter().map(|s| s.as_str().to_string()).collect();
        if looks.posted_by(node_sym[n.index as usize]) {
            n.signals.push(LOOKALIKE_SIGNAL.into());
        }
    }
    let lookalikes = looks
        .by_host
        .values()
        .map(|f| r::Lookalike {
            domain: f.domain.clone(),
            imitates: f.imitates.clone(),
            rule: f.rule.to_string(),
            score: f64::from(f.score),
            posts: looks.posts(&f.domain),
            clusters: domain_clusters.get(&f.domain).cloned().unwrap_or_default(),
        })
        .collect();
    let signals = res
        .signals
        .iter()
        .map(|s| r::SignalRow { signal: s.signal.clone(), tested: s.tested, significant: s.significant })
        .collect();
    let mut parameters = vec![
        r::Param {
            name: "fdr".into(),
            value: params.fdr.to_string(),
            why: "false discovery rate of reported account pairs (Benjamini–Hochberg): about 1 in 100 reported pairs may be chance".into(),
        },
        r::Param {
            name: "min_cluster".into(),
            value: params.min_cluster.to_string(),
            why: "a network needs at least three accounts; pairs alone are too easily coincidence or one person's two accounts".into(),
        },
        r::Param {
            name: "similarity".into(),
            value: params.similarity.to_string(),
            why: "Jaccard similarity of word sets for near-duplicate texts; variants of one script reach 0.6 while the null model discounts common phrasings".into(),
        },
        r::Param { name: "seed".into(), value: params.seed.to_string(), why: "seed of the Leiden clustering (results are deterministic)".into() },
    ];
    for s in &params.signals {
        let (default, why) = s.default_window();
        let window = params.window(*s);
        let why = if params.auto_windows.contains(s) {
            format!(
                "estimated from this data (--window {s}=auto): among the 10 % of keys whose second account came fastest, the median time to more than half of their accounts (CooRnet's quickest shares; default {} s)",
                default / 1000
            )
        } else if window == default {
            why.to_string()
        } else {
            format!("set by the user (default {} s)", default / 1000)
        };
        parameters.push(r::Param { name: format!("window.{s}"), value: format!("{} s", window as f64 / 1000.0), why });
    }
    r::ReportData {
        title: header.title,
        version: header.version,
        generated: header.generated,
        inputs: header.inputs,
        totals: r::Totals {
            records: header.records,
            skipped: header.skipped,
            events: ev.len() as u64,
            accounts: ev.num_accounts() as u64,
            clusters: clusters.len() as u64,
            flagged_accounts: nodes.len() as u64,
        },
        parameters,
        signals,
        nodes,
        edges,
        clusters,
        lookalikes,
        refresh_s: None,
    }
}
