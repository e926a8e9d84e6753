//! The Telegram Desktop export reader on pretty-printed fixtures: a single
//! channel, a full-account export, and broken documents.

mod common;

use common::*;
use swarmscan_ingest::{Format, ReadOptions, SkipReason, read_inputs};
use swarmscan_model::{EventRef, Events, Kind, Platform};

fn post<'a>(ev: &'a Events, post: &str) -> EventRef<'a> {
    let i = (0..ev.len()).find(|&i| ev.row(i).post_id == post).unwrap_or_else(|| panic!("no post `{post}`"));
    ev.row(i)
}

#[test]
fn single_channel() {
    let (ev, rep) = read(&fixture("telegram_channel.json"));
    check_counts(&rep, "telegram", 7, &[(SkipReason::NotAnAction, 1), (SkipReason::BadTimestamp, 1)]);
    let d: Vec<_> = rep.files[0].examples.iter().map(|d| (d.line, d.field.as_deref(), d.reason)).collect();
    assert_eq!(d, [(6, Some("type"), SkipReason::NotAnAction), (174, Some("date"), SkipReason::BadTimestamp)]);
    assert!((0..ev.len()).all(|r| ev.platform(r) == Platform::Telegram));

    let plain = post(&ev, "1000000001/2");
    assert_eq!(
        (plain.account_id, plain.handle, plain.ts_ms, plain.kind),
        ("channel1000000001", "Example News", 1_645_682_940_000, Kind::Post)
    );
    assert_eq!(plain.text, "Good morning, readers.\nSecond line “quoted”");

    let rich = post(&ev, "1000000001/3");
    assert_eq!(rich.text, "Breaking: full story and https://example.com/a #news @otherchan!");
    assert_eq!(
        rich.urls,
        [("https://example.org/s/1", "https://example.org/s/1"), ("https://example.com/a", "https://example.com/a")]
    );
    assert_eq!((rich.hashtags.as_slice(), rich.mentions.as_slice()), (&["news"][..], &["otherchan"][..]));

    let fwd = post(&ev, "1000000001/4");
    assert_eq!((fwd.kind, fwd.target.as_deref()), (Kind::Forward, Some("forwarded:Other Channel")));
    let reply = post(&ev, "1000000001/5");
    assert_eq!((reply.kind, reply.target.as_deref()), (Kind::Reply, Some("1000000001/3")));
    // No date_unixtime: the zone-less local `date`, read as UTC.
    assert_eq!(post(&ev, "1000000001/6").ts_ms, 1_645_689_600_000);
    let hidden = post(&ev, "1000000001/7");
    assert_eq!((hidden.kind, hidden.target, hidden.text), (Kind::Forward, None, ""));
    // A channel post without from_id belongs to the channel.
    let anon = post(&ev, "1000000001/8");
    assert_eq!((anon.account_id, anon.handle), ("channel1000000001", "Example News"));
    assert_eq!(ev.num_accounts(), 1);
}

#[test]
fn full_account_export() {
    let (ev, rep) = read(&fixture("telegram_account.json"));
    check_counts(&rep, "telegram", 4, &[(SkipReason::NotAnAction, 1)]);
    assert_eq!(rep.files[0].examples[0].line, 53);
    let ids: Vec<String> = (0..ev.len()).map(|i| ev.row(i).post_id.to_string()).collect();
    assert_eq!(ids, ["5000/10", "5000/11", "6000/2", "7000/1"]);
    let reply = post(&ev, "5000/11");
    assert_eq!(
        (reply.account_id, reply.handle, reply.kind, reply.target.as_deref()),
        ("user42", "Ana", Kind::Reply, Some("5000/10"))
    );
    assert_eq!((reply.text, reply.urls.len()), ("Yes https://example.org/x", 1));
    let fwd = post(&ev, "6000/2");
    assert_eq!(
        (fwd.account_id, fwd.kind, fwd.target.as_deref(), fwd.ts_ms),
        ("user5000", Kind::Forward, Some("forwarded:Example News"), 1_680_426_060_000)
    );
    assert_eq!(fwd.hashtags, ["news"]);
    let left = post(&ev, "7000/1");
    assert_eq!((left.account_id, left.ts_ms), ("channel7000", 1_609_459_200_000));
}

#[test]
fn truncated_document_is_one_malformed_record() {
    let doc = std::fs::read(fixture("telegram_channel.json")).unwrap();
    let cut = &doc[..doc.len() / 2];
    let (_dir, path) = temp_file("result.json", cut);
    let (ev, rep) = read(&path);
    check_counts(&rep, "telegram", 0, &[(SkipReason::MalformedJson, 1)]);
    assert!(ev.is_empty());
    let lines = cut.iter().filter(|&&b| b == b'\n').count() as u64 + 1;
    assert_eq!(rep.files[0].examples[0].line, lines);
}

#[test]
fn bad_message_costs_only_itself() {
    let doc = br#"{"name":"c","type":"private_group","id":1,"messages":[
{"id":1,"type":"message","date_unixtime":"10","from_id":"user1","text":"ok"},
{"id":"x","type":"message","date_unixtime":"10","from_id":"user1","text":{"not":"text"}},
{"type":"message","date_unixtime":"10","from_id":"user1","text":"no id"},
{"id":4,"type":"message","date_unixtime":"ten","from_id":"user1","text":"bad time"},
{"id":5,"type":"message","date_unixtime":"10","text":"no sender in a group"}
]}"#;
    let (_dir, path) = temp_file("result.json", doc);
    let (ev, rep) = read_with(&path, &ReadOptions { format: Some(Format::Telegram), ..Default::default() });
    check_counts(
        &rep,
        "telegram",
        1,
        &[(SkipReason::BadValue, 1), (SkipReason::MissingField, 2), (SkipReason::BadTimestamp, 1)],
    );
    let d: Vec<_> = rep.files[0].examples.iter().map(|d| (d.line, d.field.as_deref(), d.reason)).collect();
    assert_eq!(
        d,
        [
            (3, Some("text"), SkipReason::BadValue),
            (4, None, SkipReason::MissingField),
            (5, Some("date_unixtime"), SkipReason::BadTimestamp),
            (6, Some("from_id"), SkipReason::MissingField),
        ]
    );
    assert_eq!(ev.row(0).ts_ms, 10_000);
}

#[test]
fn not_a_telegram_document() {
    let (_dir, path) = temp_file("x.json", b"{\"personal_information\":{\"user_id\":1}}");
    let (_, rep) = read(&path);
    check_counts(&rep, "telegram", 0, &[(SkipReason::MissingField, 1)]);
}

mod never_panics {
    use super::*;
    use proptest::prelude::*;

    fn opts() -> ReadOptions {
        ReadOptions { format: Some(Format::Telegram), ..Default::default() }
    }

    fn check(bytes: &[u8]) -> Result<(), TestCaseError> {
        let (_dir, path) = temp_file("result.json", bytes);
        let (ev, rep) = read_inputs(&[path], &opts(), None).unwrap();
        let f = &rep.files[0];
        prop_assert_eq!(f.records, f.parsed + f.skipped_total());
        prop_assert_eq!(ev.len() as u64, f.parsed);
        Ok(())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        #[test]
        fn arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
            check(&bytes)?;
        }

        #[test]
        fn mutated_fixture(at in any::<prop::sample::Index>(), byte in any::<u8>(), cut in any::<bool>()) {
            let mut doc = std::fs::read(fixture("telegram_channel.json")).unwrap();
            let i = at.index(doc.len());
            if cut { doc.truncate(i) } else { doc[i] = byte }
            check(&doc)?;
        }
    }
}
