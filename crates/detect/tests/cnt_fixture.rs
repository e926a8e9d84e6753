//! The toolkit's own output on the 17-row semantics fixture
//! (`shared/peers/cnt/fixture.csv`, copied to `tests/data/cnt/`), reproduced
//! row for row in compatibility mode: window 60 s, min weight 1, similarity
//! 0.6, self-loops included.

use swarmscan_detect::{Edges, Mode, Network, Params, compute, prepare};
use swarmscan_ingest::{ReadOptions, read_inputs};
use swarmscan_model::Events;

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/cnt");

fn fixture() -> Events {
    let (ev, report) = read_inputs(&[format!("{DIR}/fixture.csv")], &ReadOptions::default(), None).unwrap();
    assert_eq!(report.problems(), 0);
    assert_eq!(ev.len(), 17);
    ev
}

/// The expected rows of one network, as `user_1,user_2,weight`.
fn expected(cnt_name: &str) -> Vec<String> {
    let text = std::fs::read_to_string(format!("{DIR}/fixture_expected.txt")).unwrap();
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.strip_prefix(cnt_name).and_then(|r| r.strip_prefix(',')))
        .map(str::to_owned)
        .collect()
}

fn check(network: Network) {
    let ev = fixture();
    let mut p = Params::new(Mode::Cnt);
    p.window_ms = 60_000;
    p.min_weight = 1;
    p.similarity = 0.6;
    p.loops = true;
    let prepared = prepare(&ev, network, &p).unwrap();
    let out = prepared.run();
    let Edges::Directed(edges) = out.edges else { panic!("compatibility mode gives directed edges") };
    let got: Vec<String> = edges
        .iter()
        .map(|e| format!("{},{},{}", prepared.account_id(e.source), prepared.account_id(e.target), e.weight))
        .collect();
    let cnt_name = network.cnt_name().unwrap();
    assert_eq!(got, expected(cnt_name), "{cnt_name}");
    // Without loops, exactly the rows with distinct ends remain.
    p.loops = false;
    let Edges::Directed(no_loops) = compute(&ev, network, &p).unwrap().edges else { unreachable!() };
    assert_eq!(no_loops, edges.iter().copied().filter(|e| e.source != e.target).collect::<Vec<_>>());
}

#[test]
fn co_retweet() {
    check(Network::CoRepost);
}

#[test]
fn co_link() {
    check(Network::CoLink);
}

#[test]
fn co_tweet() {
    check(Network::CoText);
}

#[test]
fn co_similar_tweet() {
    check(Network::CoSimilar);
}

#[test]
fn co_post() {
    check(Network::CoPost);
}

#[test]
fn co_reply_is_empty_on_the_fixture() {
    // The fixture has no replies, so the toolkit's co_reply table is empty.
    assert!(expected("co_reply").is_empty());
    check(Network::CoReply);
}

#[test]
fn co_hashtag_has_no_compatibility_mode() {
    let ev = fixture();
    assert!(compute(&ev, Network::CoHashtag, &Params::new(Mode::Cnt)).is_err());
}
