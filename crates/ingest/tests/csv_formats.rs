//! The CSV readers on the real samples in `shared/data/real` and on fixtures:
//! exact record counts, kind counts and field values looked up in the files.

mod common;

use common::*;
use std::collections::BTreeMap;
use swarmscan_ingest::{ColumnMap, Error, Format, IngestReport, ReadOptions, SkipReason, read_inputs};
use swarmscan_model::{EventRef, Events, Kind, Platform};

/// The event whose post id is `post` (the first, if several).
fn post<'a>(ev: &'a Events, post: &str) -> EventRef<'a> {
    let i = (0..ev.len()).find(|&i| ev.row(i).post_id == post).unwrap_or_else(|| panic!("no post `{post}`"));
    ev.row(i)
}

fn kinds(ev: &Events) -> BTreeMap<Kind, usize> {
    let mut m = BTreeMap::new();
    for k in (0..ev.len()).map(|r| ev.kind(r)) {
        *m.entry(k).or_default() += 1;
    }
    m
}

fn platforms(ev: &Events) -> BTreeMap<Platform, usize> {
    let mut m = BTreeMap::new();
    for p in (0..ev.len()).map(|r| ev.platform(r)) {
        *m.entry(p).or_default() += 1;
    }
    m
}

/// `(line, field, reason)` of a file's located diagnostics.
fn diags(report: &IngestReport) -> Vec<(u64, Option<&str>, SkipReason)> {
    report.files[0].examples.iter().map(|d| (d.line, d.field.as_deref(), d.reason)).collect()
}

fn mapped(columns: &str) -> ReadOptions {
    ReadOptions { columns: Some(columns.parse::<ColumnMap>().unwrap()), ..Default::default() }
}

// ---- coordination-network-toolkit ----

#[test]
fn cnt_coretweet_fixture_with_bom() {
    let (ev, rep) = read(&real("formats/coordination_network_toolkit/cnt_coretweet_test_input.csv"));
    check_counts(&rep, "cnt", 15, &[]);
    assert_eq!(kinds(&ev), BTreeMap::from([(Kind::Repost, 15)]));
    assert_eq!(platforms(&ev), BTreeMap::from([(Platform::Other, 15)]));
    let first = post(&ev, "0");
    assert_eq!((first.account_id, first.handle, first.ts_ms), ("uid0", "username0", 0));
    assert_eq!(
        (first.kind, first.target.as_deref(), first.text),
        (Kind::Repost, Some("rtid0"), "Example tweet from uid0")
    );
    assert!(first.urls.is_empty(), "the empty urls field gives no URL");
    let last = post(&ev, "14");
    assert_eq!((last.account_id, last.ts_ms, last.target.as_deref()), ("uid0", 1000, Some("rtid0")));
    assert_eq!(post(&ev, "5").ts_ms, 131_000);
    assert_eq!(ev.num_accounts(), 9);
}

#[test]
fn cnt_python_list_urls_and_float_timestamps() {
    let (ev, rep) = read(&real("formats/coordination_network_toolkit/cnt_examples_sample_data_synthetic.csv"));
    check_counts(&rep, "cnt", 100, &[]);
    assert_eq!(kinds(&ev), BTreeMap::from([(Kind::Post, 58), (Kind::Repost, 27), (Kind::Reply, 15)]));
    assert_eq!(ev.list_counts().0, 96);
    assert_eq!(ev.num_accounts(), 10);
    let p = post(&ev, "1");
    assert_eq!((p.account_id, p.handle, p.kind, p.target), ("4", "user_4", Kind::Post, None));
    assert_eq!(p.ts_ms, 1_606_451_170_518);
    assert_eq!(p.urls, [("http://example.com/2", "http://example.com/2")]);
    let r = post(&ev, "2");
    assert_eq!((r.kind, r.target.as_deref(), r.text), (Kind::Repost, Some("1"), "camel"));
    assert_eq!(
        r.urls,
        [("http://example.com/4", "http://example.com/4"), ("http://example.com/6", "http://example.com/6")]
    );
    let reply = post(&ev, "12");
    assert_eq!((reply.kind, reply.target.as_deref(), reply.ts_ms), (Kind::Reply, Some("10"), 1_606_451_170_519));
    assert_eq!(post(&ev, "100").ts_ms, 1_606_451_170_521);
}

const BROKEN_CNT: &[u8] = b"message_id,user_id,username,repost_id,reply_id,message,timestamp,urls\n\
m1,u1,alice,,,Polls open early #vote @bob,1475503620,https://example.org/a  https://example.org/b\n\
m2,u2,bob,m1,,short row,1475503631\n\
m3,u3,carol,,,\"multi\nline message\",yesterday,\n\
m4,u4,dave,,,bad \xff utf8,1475503640,\n\
m5,,erin,,,no user,1475503650,\n\
01,u6,frank, ,,space repost,1475503660.5,\n";

/// The acceptance test: a toolkit CSV with broken lines, with LF and
/// with CRLF line ends (the embedded newline of row m3 included).
#[test]
fn cnt_malformed_rows_are_located_skips() {
    check_broken_cnt(BROKEN_CNT);
    let crlf: Vec<u8> =
        BROKEN_CNT.iter().flat_map(|&b| if b == b'\n' { vec![b'\r', b'\n'] } else { vec![b] }).collect();
    check_broken_cnt(&crlf);
}

fn check_broken_cnt(bytes: &[u8]) {
    let (_dir, path) = temp_file("broken.csv", bytes);
    let (ev, rep) = read(&path);
    check_counts(
        &rep,
        "cnt",
        2,
        &[
            (SkipReason::WrongColumnCount, 1),
            (SkipReason::BadTimestamp, 1),
            (SkipReason::MalformedCsv, 1),
            (SkipReason::MissingField, 1),
        ],
    );
    assert_eq!(
        diags(&rep),
        [
            (3, None, SkipReason::WrongColumnCount),
            (4, Some("timestamp"), SkipReason::BadTimestamp),
            (6, Some("message"), SkipReason::MalformedCsv),
            (7, Some("user_id"), SkipReason::MissingField),
        ]
    );
    assert_eq!(rep.problems(), 4);
    let m1 = post(&ev, "m1");
    assert_eq!(
        (m1.kind, m1.ts_ms, m1.hashtags.as_slice(), m1.mentions.as_slice()),
        (Kind::Post, 1_475_503_620_000, &["vote"][..], &["bob"][..])
    );
    assert_eq!(
        m1.urls,
        [("https://example.org/a", "https://example.org/a"), ("https://example.org/b", "https://example.org/b")]
    );
    // Ids are text, and a blank repost id still makes a repost (as in the toolkit).
    let m6 = post(&ev, "01");
    assert_eq!((m6.kind, m6.target.as_deref(), m6.ts_ms), (Kind::Repost, Some(" "), 1_475_503_660_500));

    let strict = ReadOptions { strict: true, ..Default::default() };
    match read_inputs(std::slice::from_ref(&path), &strict, None) {
        Err(Error::Strict(d)) => {
            assert_eq!((d.line, d.reason, d.file.as_str()), (3, SkipReason::WrongColumnCount, path.as_str()));
            assert!(d.to_string().contains(":3: wrong_column_count: expected 8 columns, found 7"), "{d}");
        }
        other => panic!("expected a strict stop, got {other:?}"),
    }
}

/// Enough rows for many batches of the pipelined CSV driver (tokeniser,
/// parallel conversion, merge): every row is accounted for, events keep the
/// input order, skips keep their lines, and `--strict` stops at the first
/// bad row even when later batches are already tokenised.
#[test]
fn cnt_many_batches_keep_order_and_lines() {
    const ROWS: usize = 300_000;
    let bad = |i: usize| i % 70_001 == 12_345;
    let mut bytes = b"message_id,user_id,username,repost_id,reply_id,message,timestamp,urls\n".to_vec();
    for i in 0..ROWS {
        let ts = if bad(i) { "never".to_string() } else { (1_475_503_620 + i).to_string() };
        bytes.extend_from_slice(format!("m{i},u{},user{},,,text {i},{ts},\n", i % 997, i % 997).as_bytes());
    }
    let (_dir, path) = temp_file("many.csv", &bytes);
    // A batch is 32 Ki rows per thread: two threads make five batches
    // whatever the machine.
    let pool = rayon::ThreadPoolBuilder::new().num_threads(2).build().unwrap();
    let (ev, rep) = pool.install(|| read(&path));
    let bad_rows: Vec<usize> = (0..ROWS).filter(|&i| bad(i)).collect();
    assert_eq!(bad_rows.len(), 5);
    check_counts(&rep, "cnt", (ROWS - bad_rows.len()) as u64, &[(SkipReason::BadTimestamp, bad_rows.len() as u64)]);
    // Row i is on line i + 2 (after the header).
    let lines: Vec<u64> = diags(&rep).iter().map(|d| d.0).collect();
    assert_eq!(lines, bad_rows.iter().map(|&i| i as u64 + 2).collect::<Vec<_>>());
    let good = (0..ROWS).filter(|&i| !bad(i));
    assert_eq!(ev.len(), ROWS - bad_rows.len());
    for (row, i) in good.enumerate().step_by(997) {
        let e = ev.row(row);
        assert_eq!((&*e.post_id, e.ts_ms), (format!("m{i}").as_str(), (1_475_503_620 + i as i64) * 1000));
    }
    assert_eq!(ev.num_accounts(), 997);
    assert_eq!(rep.files[0].bytes, bytes.len() as u64);

    let strict = ReadOptions { strict: true, ..Default::default() };
    match pool.install(|| read_inputs(std::slice::from_ref(&path), &strict, None)) {
        Err(Error::Strict(d)) => assert_eq!((d.line, d.field.as_deref()), (12_347, Some("timestamp"))),
        other => panic!("expected a strict stop, got {other:?}"),
    }
}

// ---- IRA ----

#[test]
fn ira_bet4a_week() {
    let (ev, rep) = read(&real("ira/ira_tweets_by_author_2016-10-01_to_2016-10-07.csv"));
    check_counts(&rep, "ira", 34_429, &[]);
    assert_eq!(kinds(&ev), BTreeMap::from([(Kind::Post, 6_881), (Kind::Repost, 27_412), (Kind::Quote, 136)]));
    assert_eq!(platforms(&ev), BTreeMap::from([(Platform::Twitter, 34_429)]));
    assert_eq!(ev.num_accounts(), 313);

    let first = post(&ev, "ira:BlackNewsOutlet:2");
    assert_eq!(
        (first.account_id, first.handle, first.ts_ms, first.kind),
        ("BlackNewsOutlet", "BlackNewsOutlet", 1_475_280_000_000, Kind::Post)
    );
    assert_eq!((first.lang, first.hashtags.as_slice()), ("English", &["BlackLivesMatter"][..]));
    assert_eq!(first.urls, [("https://t.co/o4nYjvJF5f", "https://t.co/o4nYjvJF5f")]);
    assert_eq!(post(&ev, "ira:BlackToLive:3").urls.len(), 2);

    let rt = post(&ev, "ira:TrayneshaCole:4");
    assert_eq!(rt.kind, Kind::Repost);
    assert_eq!(
        rt.target.as_deref(),
        Some("text:this is a great comeback for all of that “i don’t see race.” bs #racism #blm")
    );
    assert_eq!(rt.hashtags, ["racism", "blm"]);

    // Two accounts retweeting the same tweet share its text key.
    let (a, b) = (post(&ev, "ira:ChrixMorgan:6498"), post(&ev, "ira:DanaGeezus:6504"));
    assert_eq!((a.ts_ms, b.ts_ms), (1_475_678_160_000, 1_475_678_220_000));
    assert_eq!(a.target.as_deref(), Some("text:#ruinadinnerinonephrase \"i prepared this dinner while i bathed.\""));
    assert_eq!(a.target.as_deref(), b.target.as_deref());

    let rt_prefix = post(&ev, "ira:AdamChapmanJR:8696");
    assert!(rt_prefix.target.unwrap().starts_with("text:ty @tm_ce @mktgsciences"), "{:?}", rt_prefix.target);
    assert_eq!(rt_prefix.mentions[0], "ScottClendaniel");

    let q = post(&ev, "ira:anzgri:227");
    assert_eq!((q.kind, q.target, q.lang, q.ts_ms), (Kind::Quote, None, "Russian", 1_475_310_720_000));
}

#[test]
fn ira_fivethirtyeight_excel_mangled() {
    let (ev, rep) = read(&real("ira/IRAhandle_tweets_sample_chudzikr.csv"));
    check_counts(&rep, "ira", 100, &[]);
    assert_eq!(kinds(&ev), BTreeMap::from([(Kind::Post, 66), (Kind::Repost, 33), (Kind::Quote, 1)]));
    assert_eq!(ev.num_accounts(), 1);
    // `tweet_id` is `9.1458E+17`; the id is recovered from `article_url`, so all 100 stay distinct.
    assert_eq!(ev.keys.len(), 100 + 33);
    let p = post(&ev, "914580356430536707");
    assert_eq!((p.account_id, p.ts_ms, p.kind, p.lang), ("10_GOP", 1_506_887_880_000, Kind::Post, "English"));
    assert_eq!(p.urls, [("https://t.co/gh6g0D1oiC", "https://twitter.com/10_gop/status/914580356430536707/video/1")]);
    assert_eq!(p.mentions, ["nedryun"]);
    let q = post(&ev, "915725584461910016");
    assert_eq!((q.kind, q.ts_ms), (Kind::Quote, 1_507_160_940_000));
    assert_eq!(q.urls, [("https://t.co/Ai151xGb65", "https://twitter.com/jk_rowling/status/914961914370850817")]);
    let rt = post(&ev, "914623490375979008");
    assert_eq!(rt.kind, Kind::Repost);
    assert_eq!(
        rt.target.as_deref(),
        Some(
            "text:daughter of fallen navy sailor delivers powerful monologue on anthem protests, burns her nfl packers gear. #boycottnfl"
        )
    );
    assert_eq!(rt.hashtags, ["BoycottNFL"]);
}

#[test]
fn ira_profile_tables_are_not_tweets() {
    for f in ["ira/ira_authors_bet4a.csv", "ira/nbc_ira_users.csv"] {
        let (ev, rep) = read(&real(f));
        assert!(ev.is_empty());
        let err = rep.files[0].error.as_deref().unwrap_or_default();
        assert!(err.starts_with("format not recognised"), "{f}: {err:?}");
    }
}

#[test]
fn ira_synthetic_ids_and_bad_rows() {
    let csv = "author_id,content,region,language,publish_date,harvested_date,following,followers,updates,post_type,retweet\n\
a1,RT @src: Same text https://t.co/x1,US,English,2016-10-01 00:00:00,,1,1,1,R,1\n\
a2,Same   TEXT https://t.co/x2,US,English,2016-10-01 00:01:00,,1,1,1,,1\n\
a3,quoted,US,English,10/1/2016 0:02,,1,1,1,Q,1\n\
a4,odd,US,English,2016-10-01 00:03:00,,1,1,1,X,0\n\
,no author,US,English,2016-10-01 00:04:00,,1,1,1,,0\n\
a6,bad date,US,English,10/32/2016 0:05,,1,1,1,,0\n";
    let (_dir, path) = temp_file("ira.csv", csv.as_bytes());
    let (ev, rep) = read(&path);
    check_counts(
        &rep,
        "ira",
        3,
        &[(SkipReason::BadValue, 1), (SkipReason::MissingField, 1), (SkipReason::BadTimestamp, 1)],
    );
    assert_eq!(
        diags(&rep),
        [
            (5, Some("post_type"), SkipReason::BadValue),
            (6, Some("author_id"), SkipReason::MissingField),
            (7, Some("publish_date"), SkipReason::BadTimestamp)
        ]
    );
    let (a, b) = (post(&ev, "ira:a1:2"), post(&ev, "ira:a2:3"));
    assert_eq!((a.kind, b.kind), (Kind::Repost, Kind::Repost));
    assert_eq!((a.target.as_deref(), b.target.as_deref()), (Some("text:same text"), Some("text:same text")));
    let q = post(&ev, "ira:a3:4");
    assert_eq!((q.kind, q.ts_ms), (Kind::Quote, 1_475_280_120_000));
}

// ---- CooRTweet ----

#[test]
fn coortweet_russian_retweets() {
    let (ev, rep) = read(&real("coordination_benchmarks/cooRtweet_russian_coord_tweets.csv.gz"));
    check_counts(&rep, "coortweet", 35_125, &[]);
    assert_eq!(rep.files[0].compression, "gzip");
    assert_eq!(kinds(&ev), BTreeMap::from([(Kind::Repost, 35_125)]));
    assert_eq!(platforms(&ev), BTreeMap::from([(Platform::Twitter, 35_125)]));
    assert_eq!(ev.num_accounts(), 9_509);
    let r = ev.row(0);
    assert_eq!(r.post_id, "114e22f1b2b648528277b76f0b0224e7");
    assert_eq!(r.account_id, "0fb4232d1b7b37069c13ee17579bd10e");
    assert_eq!(r.target.as_deref(), Some("85d2d12251a735ce05255061f7f231e2"));
    assert_eq!(r.ts_ms, 1_623_881_091_000);
    let last = ev.row(ev.len() - 1);
    assert_eq!(
        (&*last.post_id, last.target.as_deref(), last.ts_ms),
        ("3f7a1afe07e8a2fe75323744c2d48991", Some("29d48e46c24d07986e4ab5720d4cd391"), 1_611_830_282_000)
    );
}

#[test]
fn coortweet_german_elections_multi_platform() {
    let (ev, rep) = read(&real("coordination_benchmarks/cooRtweet_german_elections_2021.csv.gz"));
    check_counts(&rep, "coortweet", 218_971, &[]);
    assert_eq!(platforms(&ev), BTreeMap::from([(Platform::Twitter, 137_402), (Platform::Facebook, 81_569)]));
    assert_eq!(kinds(&ev), BTreeMap::from([(Kind::Post, 218_971)]));
    assert_eq!(ev.num_accounts(), 58_317);
    assert_eq!(ev.list_counts().0, 218_971 - 168_186);
    assert_eq!(ev.list_counts().1, 218_971 - 167_777);
    let r = ev.row(0);
    assert_eq!(
        (r.platform, r.account_id, &*r.post_id, r.ts_ms),
        (Platform::Facebook, "fb_12670", "129235", 1_629_589_836_000)
    );
    assert_eq!(r.urls, [("coortweet:url:23678", "coortweet:url:23678")]);
    assert!(r.hashtags.is_empty());
    let t = ev.row(81_727 - 2);
    assert_eq!(
        (t.platform, t.account_id, &*t.post_id, t.ts_ms),
        (Platform::Twitter, "tw_27960", "29040", 1_632_400_200_000)
    );
    assert_eq!((t.urls[0].0, t.hashtags.as_slice()), ("coortweet:url:2978", &["h11137"][..]));
    // Three rows have no post id (nor anything else): stable synthetic ids.
    let na = post(&ev, "coortweet:fb_45:41002");
    assert_eq!((na.account_id, na.ts_ms), ("fb_45", 1_632_141_427_000));
}

// ---- CrowdTangle ----

#[test]
fn crowdtangle_facebook_fixture() {
    let (ev, rep) = read(&fixture("crowdtangle_facebook.csv"));
    check_counts(&rep, "crowdtangle", 5, &[(SkipReason::BadTimestamp, 1), (SkipReason::MissingField, 1)]);
    assert_eq!(
        diags(&rep),
        [(7, Some("Post Created"), SkipReason::BadTimestamp), (8, Some("URL"), SkipReason::MissingField)]
    );
    assert!(rep.files[0].examples[0].message.contains("unknown time-zone abbreviation `XST`"));
    assert_eq!(platforms(&ev), BTreeMap::from([(Platform::Facebook, 5)]));

    let p = post(&ev, "https://www.facebook.com/100000000000001/posts/200000000000001");
    assert_eq!(
        (p.account_id, p.handle, p.ts_ms, p.kind),
        ("100000000000001", "exampledaily", 1_601_575_380_000, Kind::Post)
    );
    assert_eq!(
        (p.text, p.hashtags.as_slice(), p.mentions.as_slice()),
        ("Must read #Vote2020 via @exampledaily", &["Vote2020"][..], &["exampledaily"][..])
    );
    assert_eq!(p.urls, [("https://bit.ly/xyz", "https://example.org/story")]);
    // CEST 20:03 is the same instant as EDT 14:03; the message spans two lines.
    let de = post(&ev, "https://www.facebook.com/100000000000002/posts/200000000000002");
    assert_eq!(de.ts_ms, 1_601_575_380_000);
    assert_eq!(de.text, "Erste Zeile, mit \"Zitat\"\nZweite Zeile #Wahl2021");
    assert!(de.urls.is_empty());
    let photo = post(&ev, "https://www.facebook.com/100000000000003/posts/200000000000003");
    assert_eq!((photo.account_id, photo.handle, photo.ts_ms), ("100000000000003", "No Handle Page", 1_601_629_200_000));
    let fallback = post(&ev, "https://www.facebook.com/fallbackuser/posts/200000000000004");
    assert_eq!((fallback.account_id, fallback.ts_ms), ("fallbackuser", 1_601_643_600_000));
    let offset = post(&ev, "https://www.facebook.com/100000000000007/posts/200000000000007");
    assert_eq!((offset.ts_ms, offset.text), (1_601_683_200_000, ""));
    assert_eq!(offset.urls, [("https://example.org/final", "https://example.org/final")]);
}

#[test]
fn crowdtangle_instagram_header() {
    let csv = "Account,User Name,Followers at Posting,Post Created,Type,Likes,Comments,Views,URL,Link,Photo,Title,Description\n\
Example Insta,exampleinsta,\"10,000\",2021-05-01 12:00:00 CET,Photo,\"1,000\",10,,https://www.instagram.com/p/abc/,https://www.instagram.com/p/abc/,https://x.org/p.jpg,,Sunny day #sun @friend\n";
    let (_dir, path) = temp_file("insta.csv", csv.as_bytes());
    let (ev, rep) = read(&path);
    check_counts(&rep, "crowdtangle", 1, &[]);
    let r = ev.row(0);
    assert_eq!(
        (r.platform, r.account_id, r.handle, r.ts_ms),
        (Platform::Instagram, "exampleinsta", "exampleinsta", 1_619_866_800_000)
    );
    assert_eq!(
        (r.text, r.hashtags.as_slice(), r.mentions.as_slice()),
        ("Sunny day #sun @friend", &["sun"][..], &["friend"][..])
    );
}

// ---- --columns mapping ----

const POSTS_MAP: &str = "post_id=tweet_id,account_id=user,timestamp=created,text=body,urls=links,hashtags=tags,\
kind=type,target=in_reply_to,lang=lang,platform=network";

#[test]
fn mapped_csv_fixture() {
    let (ev, rep) = read_with(&fixture("mapped_posts.csv"), &mapped(POSTS_MAP));
    check_counts(
        &rep,
        "csv",
        3,
        &[(SkipReason::BadTimestamp, 1), (SkipReason::BadValue, 1), (SkipReason::MissingField, 1)],
    );
    assert_eq!(
        diags(&rep),
        [
            (5, Some("created"), SkipReason::BadTimestamp),
            (6, Some("type"), SkipReason::BadValue),
            (7, Some("user"), SkipReason::MissingField)
        ]
    );
    let a = post(&ev, "1");
    assert_eq!(
        (a.platform, a.account_id, a.ts_ms, a.kind, a.target),
        (Platform::Twitter, "alice", 1_646_128_800_000, Kind::Post, None)
    );
    assert_eq!((a.text, a.lang, a.hashtags.as_slice()), ("Hello world", "en", &["one", "two"][..]));
    assert_eq!(a.urls, [("https://a.org/x", "https://a.org/x"), ("https://b.org/y", "https://b.org/y")]);
    let b = post(&ev, "2");
    assert_eq!(
        (b.platform, b.ts_ms, b.kind, b.target.as_deref()),
        (Platform::Twitter, 1_646_128_800_000, Kind::Repost, Some("1"))
    );
    // No kind but a target: a repost; a 13-digit number is milliseconds.
    let c = post(&ev, "3");
    assert_eq!(
        (c.platform, c.ts_ms, c.kind, c.target.as_deref()),
        (Platform::Mastodon, 1_646_128_800_500, Kind::Repost, Some("1"))
    );
}

#[test]
fn mapped_csv_configuration_errors() {
    let (ev, rep) =
        read_with(&fixture("mapped_posts.csv"), &mapped("post_id=tweet_id,account_id=nope,timestamp=created"));
    assert!(ev.is_empty());
    let err = rep.files[0].error.as_deref().unwrap();
    assert!(err.contains("column `nope` (for `account_id`) is not in the header"), "{err}");
    assert!(err.contains("tweet_id,user,created,body"), "{err}");
    // Header names match ignoring case.
    let (ev, rep) =
        read_with(&fixture("mapped_posts.csv"), &mapped("post_id=TWEET_ID,account_id=User,timestamp=created"));
    check_counts(&rep, "csv", 4, &[(SkipReason::BadTimestamp, 1), (SkipReason::MissingField, 1)]);
    assert_eq!(post(&ev, "5").kind, Kind::Post);
    let no_map = ReadOptions { format: Some(Format::MappedCsv), ..Default::default() };
    assert!(matches!(read_inputs(&[fixture("mapped_posts.csv")], &no_map, None), Err(Error::Config(_))));
}

// ---- arbitrary input never panics ----

mod never_panics {
    use super::*;
    use proptest::prelude::*;

    const HEADERS: [(Format, &str); 6] = [
        (Format::Cnt, "message_id,user_id,username,repost_id,reply_id,message,timestamp,urls\n"),
        (
            Format::Ira,
            "external_author_id,author,content,region,language,publish_date,harvested_date,following,followers,updates,\
             post_type,account_type,retweet,account_category,new_june_2018,alt_external_id,tweet_id,article_url,\
             tco1_step1,tco2_step1,tco3_step1\n",
        ),
        (Format::CrowdTangle, "Page Name,User Name,Facebook Id,Post Created,URL,Message,Link,Final Link\n"),
        (Format::CooRTweet, "object_id,account_id,content_id,timestamp_share\n"),
        (Format::CooRTweet, "account_id,post_id,url_id,hashtag_id,domain_id,phash_id,timestamp\n"),
        (Format::MappedCsv, "id,user,ts,kind,target,urls,tags\n"),
    ];

    fn body() -> impl Strategy<Value = Vec<u8>> {
        let interesting = prop::sample::select(b",\"\n\r #@:/.-+0123456789[]'EDTRQ\xff\xc3".to_vec());
        prop::collection::vec(prop_oneof![any::<u8>(), interesting.clone(), interesting], 0..300)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]
        #[test]
        fn csv_readers(which in 0..HEADERS.len(), with_header in any::<bool>(), body in body()) {
            let (format, header) = HEADERS[which];
            let mut bytes = if with_header { header.as_bytes().to_vec() } else { Vec::new() };
            bytes.extend_from_slice(&body);
            let (_dir, path) = temp_file("x.csv", &bytes);
            let columns = (format == Format::MappedCsv)
                .then(|| "post_id=id,account_id=user,timestamp=ts,kind=kind,target=target,urls=urls,hashtags=tags".parse().unwrap());
            let opts = ReadOptions { format: Some(format), columns, ..Default::default() };
            let (ev, rep) = read_inputs(&[path], &opts, None).unwrap();
            let f = &rep.files[0];
            prop_assert_eq!(f.records, f.parsed + f.skipped_total());
            prop_assert_eq!(ev.len() as u64, f.parsed);
        }
    }
}

/// `ReadOptions::progress` counts every raw (compressed) byte of every
/// input exactly once: what a progress bar over file sizes needs.
#[test]
fn progress_counts_raw_input_bytes() {
    let gz = real("coordination_benchmarks/cooRtweet_russian_coord_tweets.csv.gz");
    let plain = real("ira/IRAhandle_tweets_sample_chudzikr.csv");
    let counter = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
    let opts = ReadOptions { progress: Some(counter.clone()), ..Default::default() };
    let (_, rep) = read_inputs(&[gz.clone(), plain.clone()], &opts, None).unwrap();
    assert!(rep.files.iter().all(|f| f.error.is_none()), "{:?}", rep.files);
    let size = |p: &str| std::fs::metadata(p).unwrap().len();
    assert_eq!(counter.load(std::sync::atomic::Ordering::Relaxed), size(&gz) + size(&plain));
}
