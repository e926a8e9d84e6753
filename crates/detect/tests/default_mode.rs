//! The default mode of each detector on small hand-made inputs: one
//! `check` per (network, events) pair, comparing a compact rendering of the
//! edges (`a-b weight pairs min_dt median_dt [keys of the evidence]`).

use swarmscan_detect::{Edges, Mode, Network, Params, compute, prepare};
use swarmscan_model::{Events, Kind, RawEvent, RawUrl};

/// One action: post id, account, seconds, kind, target, text, URLs, hashtags.
type Act<'a> = (&'a str, &'a str, i64, Kind, Option<&'a str>, &'a str, &'a [&'a str], &'a [&'a str]);

fn events(acts: &[Act<'_>]) -> Events {
    let mut ev = Events::new();
    for &(post, account, secs, kind, target, text, urls, tags) in acts {
        let urls: Vec<RawUrl<'_>> = urls.iter().map(|u| RawUrl { written: u, expanded: "" }).collect();
        ev.push(&RawEvent {
            post_id: post,
            account_id: account,
            ts_ms: secs * 1000,
            kind: Some(kind),
            target,
            text,
            urls: &urls,
            hashtags: tags,
            ..Default::default()
        });
    }
    ev
}

fn check(network: Network, acts: &[Act<'_>], min_weight: u32, expect: &[&str]) {
    let ev = events(acts);
    let mut p = Params::new(Mode::Default);
    p.min_weight = min_weight;
    let prepared = prepare(&ev, network, &p).unwrap();
    let Edges::Undirected(edges) = prepared.run().edges else { panic!("default mode gives undirected edges") };
    let got: Vec<String> = edges
        .iter()
        .map(|e| {
            let keys: Vec<String> = e
                .evidence
                .iter()
                .map(|x| {
                    let k = prepared.key(x.key).unwrap_or_else(|| "-".into());
                    let (a, b) =
                        (ev.keys.resolve(ev.post[x.row_a as usize]), ev.keys.resolve(ev.post[x.row_b as usize]));
                    format!("{k}:{a}/{b}")
                })
                .collect();
            format!(
                "{}-{} w{} p{} min{} med{} [{}]",
                prepared.account_id(e.a),
                prepared.account_id(e.b),
                e.weight,
                e.pairs,
                e.min_dt_ms as f64 / 1000.0,
                e.median_dt_ms / 1000.0,
                keys.join(" ")
            )
        })
        .collect();
    assert_eq!(got, expect, "{network}");
}

use Kind::{Like, Post, Reply, Repost};

#[test]
fn co_repost_counts_distinct_posts_and_keeps_the_closest_pairs() {
    let acts: &[Act<'_>] = &[
        ("r1", "a", 100, Repost, Some("X"), "", &[], &[]),
        ("r2", "b", 110, Repost, Some("X"), "", &[], &[]),
        ("r3", "b", 115, Repost, Some("X"), "", &[], &[]),
        ("r4", "c", 170, Repost, Some("X"), "", &[], &[]),
        ("r6", "a", 500, Repost, Some("Y"), "", &[], &[]),
        ("r7", "b", 560, Repost, Some("Y"), "", &[], &[]),
        ("r8", "b", 560, Like, Some("Y"), "", &[], &[]),
        // A repeated record of r7 is dropped.
        ("r7", "b", 560, Repost, Some("Y"), "", &[], &[]),
    ];
    check(Network::CoRepost, acts, 2, &["a-b w2 p3 min10 med35 [X:r1/r2 Y:r6/r7]"]);
    check(Network::CoRepost, acts, 1, &["a-b w2 p3 min10 med35 [X:r1/r2 Y:r6/r7]", "b-c w1 p2 min55 med55 [X:r3/r4]"]);
}

#[test]
fn co_link_canonicalises_and_never_matches_posts_without_urls() {
    let acts: &[Act<'_>] = &[
        ("p1", "a", 0, Post, None, "x", &["HTTPS://WWW.Example.com/a/?utm_source=tw&b=1#top"], &[]),
        ("p2", "b", 5, Post, None, "y", &["https://example.com/a?b=1"], &[]),
        ("p3", "a", 10, Post, None, "no url", &[], &[]),
        ("p4", "b", 11, Post, None, "no url", &[], &[]),
        // A repost carries the original's URL: not a share of its own.
        ("p5", "c", 6, Repost, Some("p1"), "", &["https://example.com/a?b=1"], &[]),
        (
            "p6",
            "c",
            7,
            Reply,
            Some("p1"),
            "",
            &["https://example.com/a/?b=1&fbclid=9", "https://example.com/a?b=1"],
            &[],
        ),
    ];
    check(
        Network::CoLink,
        acts,
        1,
        &[
            "a-b w1 p1 min5 med5 [https://example.com/a?b=1:p1/p2]",
            "a-c w1 p1 min7 med7 [https://example.com/a?b=1:p1/p6]",
            "b-c w1 p1 min2 med2 [https://example.com/a?b=1:p2/p6]",
        ],
    );
}

#[test]
fn co_text_normalises_but_never_matches_empty_text() {
    let acts: &[Act<'_>] = &[
        ("t1", "a", 0, Post, None, "@x Hello   World", &[], &[]),
        ("t2", "b", 30, Reply, Some("t0"), "hello world @y", &[], &[]),
        ("t3", "a", 100, Post, None, "@only", &[], &[]),
        ("t4", "b", 101, Post, None, "@mention", &[], &[]),
        ("t5", "c", 10, Repost, Some("t1"), "@x Hello World", &[], &[]),
    ];
    check(Network::CoText, acts, 1, &["a-b w1 p1 min30 med30 [hello world:t1/t2]"]);
}

#[test]
fn co_hashtag_matches_equal_sets_only() {
    let acts: &[Act<'_>] = &[
        ("h1", "a", 0, Post, None, "", &[], &["Vote", "now"]),
        ("h2", "b", 20, Post, None, "", &[], &["NOW", "vote", "vote"]),
        ("h3", "c", 25, Post, None, "", &[], &["vote"]),
        ("h4", "d", 26, Repost, Some("h1"), "", &[], &["vote", "now"]),
    ];
    check(Network::CoHashtag, acts, 1, &["a-b w1 p1 min20 med20 [#now #vote:h1/h2]"]);
}

#[test]
fn co_post_weighs_pairs() {
    let acts: &[Act<'_>] = &[
        ("1", "a", 0, Post, None, "", &[], &[]),
        ("2", "b", 30, Like, Some("1"), "", &[], &[]),
        ("3", "a", 60, Post, None, "", &[], &[]),
        ("4", "b", 200, Post, None, "", &[], &[]),
    ];
    check(Network::CoPost, acts, 1, &["a-b w2 p2 min30 med30 [-:1/2 -:3/2]"]);
}

#[test]
fn co_similar_matches_near_duplicates_of_other_accounts() {
    let acts: &[Act<'_>] = &[
        ("s1", "a", 0, Post, None, "the cat sat on the mat today", &[], &[]),
        ("s2", "b", 1, Post, None, "The cat sat on the mat", &[], &[]),
        ("s3", "a", 2, Post, None, "the cat sat on the mat", &[], &[]),
        ("s4", "c", 3, Post, None, "something else entirely", &[], &[]),
        ("s5", "c", 4, Repost, Some("s1"), "the cat sat on the mat", &[], &[]),
    ];
    check(Network::CoSimilar, acts, 1, &["a-b w2 p2 min1 med1 [-:s1/s2 -:s3/s2]"]);
    let ev = events(acts);
    let mut p = Params::new(Mode::Default);
    p.min_weight = 1;
    p.similarity = 0.9;
    let prepared = prepare(&ev, Network::CoSimilar, &p).unwrap();
    let Edges::Undirected(edges) = prepared.run().edges else { unreachable!() };
    assert_eq!(edges.len(), 1);
    assert_eq!(edges[0].weight, 1);
    let x = edges[0].evidence[0];
    assert_eq!(prepared.similarity(x.row_a, x.row_b), Some(1.0));
}

#[test]
fn output_does_not_depend_on_the_number_of_threads() {
    let mut acts: Vec<(String, String, i64, Kind, Option<String>, String)> = Vec::new();
    let mut state = 12345u64;
    for i in 0..3000 {
        state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        let r = (state >> 33) as usize;
        acts.push((
            format!("p{i}"),
            format!("u{}", r % 97),
            (r % 5000) as i64,
            if r.is_multiple_of(3) { Post } else { Repost },
            Some(format!("t{}", r % 41)),
            format!("w{} w{} w{}", r % 7, r % 11, r % 13),
        ));
    }
    let mut ev = Events::new();
    for (p, a, s, k, t, x) in &acts {
        ev.push(&RawEvent {
            post_id: p,
            account_id: a,
            ts_ms: s * 1000,
            kind: Some(*k),
            target: t.as_deref(),
            text: x,
            ..Default::default()
        });
    }
    for net in Network::ALL {
        let p = Params::new(Mode::Default);
        let one = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap();
        let four = rayon::ThreadPoolBuilder::new().num_threads(4).build().unwrap();
        let a = one.install(|| compute(&ev, net, &p).unwrap());
        let b = four.install(|| compute(&ev, net, &p).unwrap());
        assert_eq!(a, b, "{net}");
        let mut q = Params::new(Mode::Cnt);
        q.window_ms = 60_000;
        if net.cnt_name().is_some() {
            assert_eq!(one.install(|| compute(&ev, net, &q).unwrap()), four.install(|| compute(&ev, net, &q).unwrap()));
        }
    }
}
