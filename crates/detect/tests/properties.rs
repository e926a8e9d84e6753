//! The fast paths against plain ones, on random small inputs: the window
//! sweep and both aggregations against brute-force pair enumeration, the
//! pair-batch path against the fused one, the indexed similarity join (its
//! pairs and its connected components)
//! against scoring every pair, and the whole compatibility mode against a
//! literal reading of the toolkit's semantics.
//!
//! Inputs are drawn to hit the corners: few distinct times (equal
//! timestamps, pairs exactly at the window edge), few accounts (self
//! pairs), messages with several keys, duplicate message ids, and windows
//! of 0.

use proptest::prelude::*;
use std::collections::{BTreeMap, BTreeSet};
use swarmscan_detect::aggregate::{self, DirectedEdge};
use swarmscan_detect::keyed::{self, Edge, Evidence, KeyedActions, PairAggregate};
use swarmscan_detect::similar::{self, JoinInput, TokenSets};
use swarmscan_detect::text::{cnt_normalise, cnt_tokens};
use swarmscan_detect::{Edges, Mode, Network, Params, compute};
use swarmscan_model::{Events, Kind, RawEvent, RawUrl};

// ---- Kernels -------------------------------------------------------------

/// Random keyed actions: each message (row) belongs to one account and may
/// carry several keys.
fn keyed_actions() -> impl Strategy<Value = (KeyedActions, usize)> {
    let msg = (0u32..6, 0i64..40, proptest::collection::btree_set(0u32..4, 1..3));
    proptest::collection::vec(msg, 0..28).prop_map(|msgs| {
        let mut ka = KeyedActions::default();
        for (row, (acc, ts, keys)) in msgs.into_iter().enumerate() {
            for k in keys {
                ka.push(k, ts, acc, row as u32);
            }
        }
        ka.sort();
        (ka, 6)
    })
}

fn brute_directed(ka: &KeyedActions, w: i64, min_weight: u32, loops: bool) -> Vec<DirectedEdge> {
    let mut hits: BTreeSet<(u32, u32, u32)> = BTreeSet::new();
    for i in 0..ka.len() {
        for j in 0..ka.len() {
            if ka.key[i] == ka.key[j] && (ka.ts_ms[i] - ka.ts_ms[j]).abs() <= w {
                hits.insert((ka.account[i], ka.account[j], ka.row[i]));
            }
        }
    }
    let mut w8: BTreeMap<(u32, u32), u32> = BTreeMap::new();
    for (u, v, _) in hits {
        *w8.entry((u, v)).or_default() += 1;
    }
    w8.into_iter()
        .filter(|&((u, v), n)| n >= min_weight && (loops || u != v))
        .map(|((source, target), weight)| DirectedEdge { source, target, weight })
        .collect()
}

fn brute_undirected(ka: &KeyedActions, w: i64, keyed: bool, min_weight: u32, evidence: usize) -> Vec<Edge> {
    let mut per: BTreeMap<(u32, u32), (u64, BTreeMap<u64, Evidence>)> = BTreeMap::new();
    let mut seq = 0u64;
    for i in 0..ka.len() {
        for j in i + 1..ka.len() {
            let (ai, aj) = (ka.account[i], ka.account[j]);
            if ka.key[i] != ka.key[j] || ai == aj || (ka.ts_ms[i] - ka.ts_ms[j]).abs() > w {
                continue;
            }
            let (a, b, ra, rb) = if ai < aj { (ai, aj, ka.row[i], ka.row[j]) } else { (aj, ai, ka.row[j], ka.row[i]) };
            let ev = Evidence {
                dt_ms: (ka.ts_ms[i] - ka.ts_ms[j]).abs(),
                ts_ms: ka.ts_ms[i].min(ka.ts_ms[j]),
                key: if keyed { ka.key[i] } else { 0 },
                row_a: ra,
                row_b: rb,
            };
            let slot = if keyed {
                u64::from(ka.key[i])
            } else {
                seq += 1;
                seq
            };
            let e = per.entry((a, b)).or_default();
            e.0 += 1;
            let best = e.1.entry(slot).or_insert(ev);
            if ev < *best {
                *best = ev;
            }
        }
    }
    per.into_iter()
        .filter(|(_, (_, k))| k.len() >= min_weight.max(1) as usize)
        .map(|((a, b), (n, k))| {
            let mut recs: Vec<Evidence> = k.into_values().collect();
            recs.sort();
            let m = recs.len();
            let median = if m % 2 == 1 {
                recs[m / 2].dt_ms as f64
            } else {
                (recs[m / 2 - 1].dt_ms + recs[m / 2].dt_ms) as f64 / 2.0
            };
            Edge {
                a,
                b,
                weight: m as u32,
                pairs: n,
                min_dt_ms: recs[0].dt_ms,
                median_dt_ms: median,
                evidence: recs.into_iter().take(evidence).collect(),
            }
        })
        .collect()
}

proptest! {
    #[test]
    fn directed_weights_equal_brute_force(
        (ka, n) in keyed_actions(), w in 0i64..12, min_weight in 0u32..3, loops: bool,
    ) {
        let (win, _) = keyed::windows(&ka, w, None);
        let fast = aggregate::directed(&ka, &win, n, min_weight, loops, true);
        prop_assert_eq!(fast, brute_directed(&ka, w, min_weight, loops));
    }

    #[test]
    fn undirected_edges_equal_brute_force_and_the_batch_path(
        (ka, n) in keyed_actions(), w in 0i64..12, min_weight in 0u32..4, keyed: bool, evidence in 0usize..4,
        batch in 1usize..7,
    ) {
        let (win, _) = keyed::windows(&ka, w, None);
        let fused = aggregate::undirected(&ka, &win, n, keyed, min_weight, evidence);
        let brute = brute_undirected(&ka, w, keyed, min_weight, evidence);
        prop_assert_eq!(&fused, &brute);
        // Weights only: the same pairs, weights and pair counts, nothing else.
        let weights = aggregate::undirected_weights(&ka, &win, n, keyed, min_weight);
        let strip = |e: &Edge| Edge { min_dt_ms: 0, median_dt_ms: 0.0, evidence: Vec::new(), ..e.clone() };
        prop_assert_eq!(weights, brute.iter().map(strip).collect::<Vec<_>>());
        // Pair batches from two key partitions, aggregated and merged.
        let parts = ka.split(2);
        let mut total = PairAggregate::new(keyed);
        for r in parts {
            let mut agg = PairAggregate::new(keyed);
            keyed::sweep_pairs(&ka, r, w, None, batch, &mut |b| agg.add(b));
            total.merge(agg);
        }
        prop_assert_eq!(total.finish(min_weight, evidence), brute);
    }

    #[test]
    fn hash_partitions_sweep_to_the_same_edges(
        (ka, n) in keyed_actions(), w in 0i64..12, parts in 1usize..5, keyed: bool,
    ) {
        // The distributed plan: shuffle by key hash, sweep each partition,
        // merge the partial aggregates.
        let mut total = PairAggregate::new(keyed);
        for part in ka.hash_partition(parts) {
            prop_assert!(part.is_sorted());
            let mut agg = PairAggregate::new(keyed);
            keyed::sweep_pairs(&part, 0..part.len(), w, None, 4, &mut |b| agg.add(b));
            total.merge(agg);
        }
        let (win, _) = keyed::windows(&ka, w, None);
        prop_assert_eq!(total.finish(1, 3), aggregate::undirected(&ka, &win, n, keyed, 1, 3));
    }

    /// Salting: hot keys cut into time buckets with ghosts, each group
    /// swept on its own (as on a cluster), give the edges of the whole
    /// sweep, for any group size (1: every key with two rows or more is cut),
    /// window and key cap.
    #[test]
    fn sweep_groups_sweep_to_the_same_edges(
        (ka, _) in keyed_actions(), w in 0i64..12, max_group in 1usize..8, keyed: bool,
        cap in proptest::option::of(1usize..4), batch in 1usize..5,
    ) {
        let groups = keyed::sweep_groups(&ka, w, cap, max_group);
        // Every row is its own in one group (unless its key is over the cap),
        // and a ghost in at most one more.
        let mut own = vec![0usize; ka.len()];
        let mut ghost = vec![0usize; ka.len()];
        for i in 0..groups.len() {
            prop_assert_eq!(groups.group[i] >> 32, u64::from(ka.key[groups.source[i]]));
            if groups.ghost[i] { ghost[groups.source[i]] += 1 } else { own[groups.source[i]] += 1 }
        }
        prop_assert!(ghost.iter().all(|&g| g <= 1));
        // The rows of each group, sorted as the shuffle and sort leave them:
        // by (ts, account, row), ghosts last.
        let mut order: Vec<usize> = (0..groups.len()).collect();
        order.sort_by_key(|&i| {
            let s = groups.source[i];
            (groups.group[i], ka.ts_ms[s], ka.account[s], ka.row[s])
        });
        for run in order.chunk_by(|&x, &y| groups.group[x] == groups.group[y]) {
            let natives = run.iter().take_while(|&&i| !groups.ghost[i]).count();
            prop_assert!(run[natives..].iter().all(|&i| groups.ghost[i]), "ghosts sort last");
        }
        // All groups in that order, swept in one call as a sweep partition is.
        let mut part = KeyedActions::default();
        for &i in &order {
            let s = groups.source[i];
            part.push(ka.key[s], ka.ts_ms[s], ka.account[s], ka.row[s]);
        }
        let group: Vec<u64> = order.iter().map(|&i| groups.group[i]).collect();
        let ghosts: Vec<bool> = order.iter().map(|&i| groups.ghost[i]).collect();
        let mut total = PairAggregate::new(keyed);
        prop_assert!(keyed::sweep_group_pairs(&part, &group, &ghosts, w, batch, &mut |b| total.add(b)).is_ok());
        let mut whole = PairAggregate::new(keyed);
        keyed::sweep_pairs(&ka, 0..ka.len(), w, cap, 3, &mut |b| whole.add(b));
        prop_assert_eq!(total.finish(1, 3), whole.finish(1, 3));
        // Keys over the cap are left out whole; every other row is its own once.
        let over = |i: usize| cap.is_some_and(|c| {
            (0..ka.len()).filter(|&j| ka.key[j] == ka.key[i]).map(|j| ka.account[j]).collect::<BTreeSet<_>>().len() > c
        });
        for (i, &o) in own.iter().enumerate() {
            prop_assert_eq!(o, usize::from(!over(i)));
        }
    }

    #[test]
    fn hot_keys_are_skipped_consistently((ka, n) in keyed_actions(), w in 0i64..12, cap in 1usize..4) {
        let (win, st) = keyed::windows(&ka, w, Some(cap));
        let mut kept = KeyedActions::default();
        for i in 0..ka.len() {
            let actors: BTreeSet<u32> = (0..ka.len()).filter(|&j| ka.key[j] == ka.key[i]).map(|j| ka.account[j]).collect();
            if actors.len() <= cap {
                kept.push(ka.key[i], ka.ts_ms[i], ka.account[i], ka.row[i]);
            }
        }
        prop_assert_eq!(st.hot_rows_skipped as usize, ka.len() - kept.len());
        prop_assert_eq!(aggregate::directed(&ka, &win, n, 1, true, true), brute_directed(&kept, w, 1, true));
        let mut batched = PairAggregate::new(true);
        keyed::sweep_pairs(&ka, 0..ka.len(), w, Some(cap), 3, &mut |b| batched.add(b));
        prop_assert_eq!(batched.finish(1, 2), brute_undirected(&kept, w, true, 1, 2));
    }

    #[test]
    fn similarity_join_equals_brute_force(
        docs in proptest::collection::vec(proptest::collection::btree_set(0u32..10, 0..7), 1..8),
        recs in proptest::collection::vec((0i64..30, 0usize..8), 0..40),
        w in 0i64..10,
        t in prop_oneof![Just(0.0), Just(0.2), Just(0.5), Just(0.6), Just(0.8), Just(1.0), Just(1.5), 0.0f64..1.0],
        min_doc in 0usize..3,
    ) {
        join_equals_brute_force(&docs, recs, w, t, min_doc)?;
    }
}

proptest! {
    /// Longer sets over a larger vocabulary, where the positional filter
    /// prunes candidates (tokens deep in the prefixes, unequal lengths).
    #[test]
    fn similarity_join_with_long_sets_equals_brute_force(
        docs in proptest::collection::vec(proptest::collection::btree_set(0u32..40, 0..30), 1..12),
        recs in proptest::collection::vec((0i64..30, 0usize..12), 0..60),
        w in 0i64..10,
        t in prop_oneof![Just(0.5), Just(0.6), Just(0.7), Just(0.9), 0.05f64..1.0],
    ) {
        join_equals_brute_force(&docs, recs, w, t, 1)?;
    }
}

/// The indexed join of records `(time, document)` equals brute force.
fn join_equals_brute_force(
    docs: &[BTreeSet<u32>],
    mut recs: Vec<(i64, usize)>,
    w: i64,
    t: f64,
    min_doc: usize,
) -> Result<(), TestCaseError> {
    let lists: Vec<Vec<u32>> = docs.iter().map(|d| d.iter().copied().collect()).collect();
    let mut sets = TokenSets::from_lists(&lists);
    recs.sort();
    let ts: Vec<i64> = recs.iter().map(|r| r.0).collect();
    let doc: Vec<u32> = recs.iter().map(|r| (r.1 % lists.len()) as u32).collect();
    sets.rank_by_frequency(&doc);
    let inp = JoinInput { ts_ms: &ts, doc: &doc, sets: &sets, window_ms: w, threshold: t, min_doc };
    let (mut fast, _) = similar::join(&inp);
    fast.sort_unstable();
    let mut brute = similar::join_brute_force(&inp);
    brute.sort_unstable();
    prop_assert_eq!(similar::join_components(&inp).0, components_of(ts.len(), &brute));
    prop_assert_eq!(fast, brute);
    Ok(())
}

/// Each record's connected component under `pairs` as its smallest record,
/// `u32::MAX` for records in no pair: what [`similar::join_components`]
/// returns, computed plainly.
fn components_of(n: usize, pairs: &[(u32, u32)]) -> Vec<u32> {
    let mut comp: Vec<u32> = (0..n as u32).collect();
    // Relax to the least label over the pairs until nothing changes.
    let mut changed = true;
    while changed {
        changed = false;
        for &(x, y) in pairs {
            let m = comp[x as usize].min(comp[y as usize]);
            for v in [x, y] {
                if comp[v as usize] != m {
                    comp[v as usize] = m;
                    changed = true;
                }
            }
        }
    }
    let mut paired = vec![false; n];
    for &(x, y) in pairs {
        paired[x as usize] = true;
        paired[y as usize] = true;
    }
    (0..n).map(|i| if paired[i] { comp[i] } else { u32::MAX }).collect()
}

/// Enough records for the join to split into parallel parts with halos.
#[test]
fn similarity_join_in_parallel_parts_equals_brute_force() {
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let lists: Vec<Vec<u32>> = (0..400).map(|_| (0..(next() % 9)).map(|_| (next() % 40) as u32).collect()).collect();
    let mut sets = TokenSets::from_lists(&lists);
    let mut ts: Vec<i64> = (0..20_000).map(|_| (next() % 200_000) as i64).collect();
    ts.sort_unstable();
    let doc: Vec<u32> = (0..ts.len()).map(|_| (next() % 400) as u32).collect();
    sets.rank_by_frequency(&doc);
    for (w, t) in [(30, 0.6), (100, 0.8), (0, 0.5)] {
        let inp = JoinInput { ts_ms: &ts, doc: &doc, sets: &sets, window_ms: w, threshold: t, min_doc: 1 };
        let (fast, st) = similar::join(&inp);
        let mut brute = similar::join_brute_force(&inp);
        brute.sort_unstable();
        assert_eq!(fast.len() as u64, st.matches);
        assert_eq!(similar::join_components(&inp).0, components_of(ts.len(), &brute), "w {w} t {t}");
        assert_eq!(fast, brute, "w {w} t {t}");
    }
}

// ---- Compatibility mode end to end ---------------------------------------

/// One toolkit CSV row.
#[derive(Clone, Debug)]
struct Row {
    mid: String,
    uid: String,
    repost: String,
    reply: String,
    text: String,
    ts_ms: i64,
    urls: Vec<String>,
}

fn rows() -> impl Strategy<Value = Vec<Row>> {
    let words = prop_oneof!["Hello", "hello", "world", "@bob", "a@b.c", "#tag", "it's", "x.co/1", "ok!", "  "];
    let row = (
        0u8..12,
        0u8..5,
        prop_oneof![3 => Just(String::new()), 1 => "[XY]"],
        prop_oneof![3 => Just(String::new()), 1 => "[PQ]"],
        proptest::collection::vec(words, 0..5),
        0i64..30,
        proptest::collection::vec(prop_oneof!["http://u/1", "http://u/2", "http://U/1"], 0..3),
    );
    proptest::collection::vec(row, 0..24).prop_map(|rs| {
        rs.into_iter()
            .map(|(m, u, repost, reply, words, ts, urls)| Row {
                mid: format!("m{m}"),
                uid: format!("u{u}"),
                repost,
                reply,
                text: words.join(" "),
                ts_ms: ts * 500,
                urls: urls.into_iter().collect(),
            })
            .collect()
    })
}

/// The events swarmscan's toolkit-CSV reader makes of the rows.
fn events(rows: &[Row]) -> Events {
    let mut ev = Events::new();
    for r in rows {
        let (kind, target) = if !r.repost.is_empty() {
            (Kind::Repost, Some(r.repost.as_str()))
        } else if !r.reply.is_empty() {
            (Kind::Reply, Some(r.reply.as_str()))
        } else {
            (Kind::Post, None)
        };
        let urls: Vec<RawUrl<'_>> = r.urls.iter().map(|u| RawUrl { written: u, expanded: "" }).collect();
        ev.push(&RawEvent {
            post_id: &r.mid,
            account_id: &r.uid,
            handle: &r.uid,
            ts_ms: r.ts_ms,
            kind: Some(kind),
            target,
            text: &r.text,
            urls: &urls,
            ..Default::default()
        });
    }
    ev
}

/// SEMANTICS.md §5 and §14, read literally: the `edge` table keeps the first
/// row of each message id, `message_url` every non-repost row's URLs (`""`
/// for none) deduplicated on (message id, URL), and `w(u→v)` counts the
/// distinct message ids of `u` with a match from `v` within ±W.
fn toolkit(rows: &[Row], net: Network, w: i64, min_weight: u32, t: f64, min_doc: usize) -> Vec<(String, String, u32)> {
    let mut first: Vec<&Row> = Vec::new();
    for r in rows {
        if !first.iter().any(|f| f.mid == r.mid) {
            first.push(r);
        }
    }
    // (message id, user, time, key)
    let mut items: Vec<(String, String, i64, String)> = Vec::new();
    let eligible = |r: &Row| match net {
        Network::CoRepost => !r.repost.is_empty(),
        Network::CoReply => r.repost.is_empty() && !r.reply.is_empty(),
        Network::CoText | Network::CoSimilar => r.repost.is_empty(),
        _ => true,
    };
    if net == Network::CoLink {
        let mut seen: BTreeSet<(String, String)> = BTreeSet::new();
        for r in rows.iter().filter(|r| r.repost.is_empty()) {
            let urls = if r.urls.is_empty() { vec![String::new()] } else { r.urls.clone() };
            for u in urls {
                if seen.insert((r.mid.clone(), u.clone())) {
                    items.push((r.mid.clone(), r.uid.clone(), r.ts_ms, u));
                }
            }
        }
    } else {
        for r in first.iter().filter(|r| eligible(r)) {
            let key = match net {
                Network::CoRepost => r.repost.clone(),
                Network::CoReply => r.reply.clone(),
                Network::CoText => {
                    let (mut a, mut b) = (String::new(), String::new());
                    cnt_normalise(&r.text, &mut a, &mut b);
                    b
                }
                Network::CoSimilar => r.text.clone(),
                _ => String::new(),
            };
            items.push((r.mid.clone(), r.uid.clone(), r.ts_ms, key));
        }
    }
    let matches = |a: &str, b: &str| {
        if net != Network::CoSimilar {
            return a == b;
        }
        let (x, y): (BTreeSet<String>, BTreeSet<String>) =
            (cnt_tokens(a).into_iter().collect(), cnt_tokens(b).into_iter().collect());
        let sim = if min_doc > 0 && (x.len() < min_doc || y.len() < min_doc) {
            0.0
        } else {
            x.intersection(&y).count() as f64 / x.union(&y).count() as f64
        };
        sim >= t
    };
    let mut hit: BTreeSet<(String, String, String)> = BTreeSet::new();
    for m in &items {
        for m2 in &items {
            if (m2.2 - m.2).abs() <= w && matches(&m.3, &m2.3) {
                hit.insert((m.1.clone(), m2.1.clone(), m.0.clone()));
            }
        }
    }
    let mut weights: BTreeMap<(String, String), u32> = BTreeMap::new();
    for (u, v, _) in hit {
        *weights.entry((u, v)).or_default() += 1;
    }
    weights.into_iter().filter(|&(_, n)| n >= min_weight).map(|((u, v), n)| (u, v, n)).collect()
}

proptest! {
    #[test]
    fn compatibility_mode_equals_the_toolkit_semantics(
        rows in rows(),
        net in prop_oneof![
            Just(Network::CoRepost), Just(Network::CoReply), Just(Network::CoLink),
            Just(Network::CoText), Just(Network::CoSimilar), Just(Network::CoPost),
        ],
        w in prop_oneof![Just(0i64), Just(500), Just(1000), Just(2500)],
        min_weight in 0u32..3,
        t in prop_oneof![Just(0.5), Just(0.6), Just(0.8), Just(1.0)],
        min_doc in 1usize..3,
    ) {
        let ev = events(&rows);
        let mut p = Params::new(Mode::Cnt);
        p.window_ms = w;
        p.min_weight = min_weight;
        p.similarity = t;
        p.min_doc_tokens = min_doc;
        p.loops = true;
        let prepared = swarmscan_detect::prepare(&ev, net, &p).unwrap();
        let Edges::Directed(edges) = prepared.run().edges else { unreachable!() };
        let got: Vec<(String, String, u32)> = edges
            .iter()
            .map(|e| (prepared.account_id(e.source).to_owned(), prepared.account_id(e.target).to_owned(), e.weight))
            .collect();
        prop_assert_eq!(got, toolkit(&rows, net, w, min_weight, t, min_doc));
    }

    #[test]
    fn default_mode_never_pairs_an_account_with_itself(rows in rows(), w in 0i64..3000) {
        let ev = events(&rows);
        for net in Network::ALL {
            let mut p = Params::new(Mode::Default);
            p.window_ms = w;
            p.min_weight = 1;
            let Edges::Undirected(edges) = compute(&ev, net, &p).unwrap().edges else { unreachable!() };
            for e in &edges {
                prop_assert!(e.a < e.b);
                prop_assert!(e.weight >= 1 && e.pairs >= u64::from(e.weight));
                prop_assert!(e.min_dt_ms <= w);
                for x in &e.evidence {
                    prop_assert!(x.row_a != x.row_b);
                    prop_assert!(ev.post[x.row_a as usize] != ev.post[x.row_b as usize] || ev.account[x.row_a as usize] != ev.account[x.row_b as usize]);
                }
            }
        }
    }
}
