//! The JSON readers (twarc2, Twitter v1.1, Bluesky Jetstream, Mastodon) on
//! real samples and on fixtures written for them: exact record accounting,
//! exact field values of chosen records, located diagnostics for broken
//! input, and no panics on arbitrary bytes.

mod common;
use common::*;
use proptest::prelude::*;
use swarmscan_ingest::{Format, ReadOptions, SkipReason};
use swarmscan_model::{EventRef, Events, Kind, Platform};

/// Asserts, for each of `want`, that the row with its post id equals it.
fn expect(ev: &Events, want: &[EventRef<'_>]) {
    for w in want {
        let i = (0..ev.len())
            .find(|&i| ev.row(i).post_id == w.post_id)
            .unwrap_or_else(|| panic!("no event with post id {}", w.post_id));
        assert_eq!(&ev.row(i), w);
    }
}

/// Asserts `(post_id, kind, target)` of every row, in order.
fn expect_kinds(ev: &Events, want: &[(&str, Kind, Option<&str>)]) {
    let got: Vec<(String, Kind, Option<String>)> = (0..ev.len())
        .map(|i| {
            let r = ev.row(i);
            (r.post_id.to_string(), r.kind, r.target.map(|t| t.to_string()))
        })
        .collect();
    let want: Vec<(String, Kind, Option<String>)> =
        want.iter().map(|&(p, k, t)| (p.to_string(), k, t.map(str::to_string))).collect();
    assert_eq!(got, want);
}

fn twarc2(name: &str) -> (Events, swarmscan_ingest::IngestReport) {
    read(&real(&format!("formats/twarc2/twarc_csv_test_{name}.jsonl")))
}

fn kinds(ev: &Events) -> [usize; 6] {
    let mut n = [0; 6];
    for k in (0..ev.len()).map(|r| ev.kind(r)) {
        n[k as usize] += 1;
    }
    n
}

// ---- twarc2: real samples ------------------------------------------------------------------

#[test]
fn twarc2_noflat_page() {
    let (ev, report) = twarc2("noflat");
    // 100 tweets; errors[] holds one entry (a suspended user).
    check_counts(&report, "twarc2", 100, &[(SkipReason::ApiError, 1)]);
    let d = &report.files[0].examples[0];
    assert_eq!((d.line, d.field.as_deref(), d.reason), (1, Some("errors[0]"), SkipReason::ApiError));
    assert!(d.message.contains("User has been suspended: [gatewaypundit]"), "{}", d.message);
    // post, repost, reply, quote, forward, like
    assert_eq!(kinds(&ev), [14, 47, 31, 8, 0, 0]);
    // Handles come from includes.users; the second retweet's URL comes from
    // the retweeted tweet in includes.tweets (its own entities have none);
    // the third tweet's URL is unwound.
    expect(
        &ev,
        &[
            EventRef {
                platform: Platform::Twitter,
                post_id: "1380242611781386245".into(),
                account_id: "1352661060663336960",
                handle: "Alexandravm12",
                ts_ms: 1617910456000, // 2021-04-08T19:34:16Z
                kind: Kind::Repost,
                target: Some("1380175475545362437".into()),
                text: "RT @williamserafino: De manera simultánea, vuelven a asediar la frontera oeste de Rusia a través de Ucrania y la de Venezuela mediante Colo…",
                lang: "es",
                urls: vec![],
                hashtags: vec![],
                mentions: vec!["williamserafino"],
            },
            EventRef {
                platform: Platform::Twitter,
                post_id: "1380242566176727042".into(),
                account_id: "1262871705908916224",
                handle: "Twana07110801",
                ts_ms: 1617910446000, // 2021-04-08T19:34:06Z
                kind: Kind::Repost,
                target: Some("1380226330034372610".into()),
                text: "RT @Breaking911: PSAKI: Pres. Biden and fmr. Pres. Obama \"talk regularly about a range of issues, from policy issues to bouncing ideas off…",
                lang: "en",
                urls: vec![(
                    "https://t.co/v8iK4eopCJ",
                    "https://twitter.com/Breaking911/status/1380226330034372610/video/1",
                )],
                hashtags: vec![],
                mentions: vec!["Breaking911"],
            },
            EventRef {
                platform: Platform::Twitter,
                post_id: "1380242515543126027".into(),
                account_id: "30701862",
                handle: "shehzadyounis",
                ts_ms: 1617910434000, // 2021-04-08T19:33:54Z
                kind: Kind::Post,
                target: None,
                text: "The Iran nuclear deal, known officially as the Joint Comprehensive Plan of Action, or JCPOA, was signed in 2015 after years of negotiations between the Obama administration, Iranian leaders and representatives from other world powers.  https://t.co/OfYWeDcs4Z",
                lang: "en",
                urls: vec![(
                    "https://t.co/OfYWeDcs4Z",
                    "https://news.yahoo.com/should-the-us-rejoin-the-iran-nuclear-deal-171039415.html?ncid=twitter_yahoonewst_sjwumo1bpf4",
                )],
                hashtags: vec![],
                mentions: vec![],
            },
            EventRef {
                platform: Platform::Twitter,
                post_id: "1380242403009966082".into(),
                account_id: "942248349213904896",
                handle: "JenATweeter",
                ts_ms: 1617910407000, // 2021-04-08T19:33:27Z
                kind: Kind::Quote,
                target: Some("1380226330034372610".into()),
                text: "Obama's third term is going great!🙄🙄🙄🙄🙄🙄🙄🙄🙄🙄🙄🙄🙄🙄🙄🙄🙄🙄 https://t.co/rZcmOe4aN0",
                lang: "en",
                urls: vec![("https://t.co/rZcmOe4aN0", "https://twitter.com/Breaking911/status/1380226330034372610")],
                hashtags: vec![],
                mentions: vec![],
            },
        ],
    );
}

#[test]
fn twarc2_flat_equals_noflat() {
    let (flat, report) = twarc2("flat");
    check_counts(&report, "twarc2", 100, &[]);
    // The same 100 tweets flattened: every event is the same, field for field.
    let (page, _) = twarc2("noflat");
    assert_eq!(flat.len(), page.len());
    for i in 0..flat.len() {
        assert_eq!(flat.row(i), page.row(i), "row {i}");
    }
}

#[test]
fn twarc2_brexit_page() {
    let (ev, report) = twarc2("brexit");
    check_counts(&report, "twarc2", 100, &[]);
    assert_eq!(kinds(&ev), [12, 67, 10, 11, 0, 0]);
    // A retweet's hashtags come from the original (its own text is cut);
    // `&amp;` in the text is decoded.
    expect(
        &ev,
        &[
            EventRef {
                platform: Platform::Twitter,
                post_id: "1440716856763977732".into(),
                account_id: "4100727022",
                handle: "jacquip537",
                ts_ms: 1632328640000, // 2021-09-22T16:37:20Z
                kind: Kind::Repost,
                target: Some("1440713161355583489".into()),
                text: "RT @carolJhedges: . #BorisJohnson has revealed his favourite bottle of wine, Tignanello costs £180 \nHe's happy to see the £20 taken from yo…",
                lang: "en",
                urls: vec![(
                    "https://t.co/IeqDhr3WET",
                    "https://twitter.com/carolJhedges/status/1440713161355583489/photo/1",
                )],
                hashtags: vec!["BorisJohnson", "UniversalCredit", "Brexit", "brexit", "JohnsonOut", "BorisTheLiar"],
                mentions: vec!["carolJhedges"],
            },
            EventRef {
                platform: Platform::Twitter,
                post_id: "1440715975020584960".into(),
                account_id: "102658803",
                handle: "Munku1",
                ts_ms: 1632328430000, // 2021-09-22T16:33:50Z
                kind: Kind::Quote,
                target: Some("1440660748275834882".into()),
                text: "And @AngelaRayner & #NicolaSturgeon blame #Brexit..🤣🤣🤣! https://t.co/XVlaGrnmko",
                lang: "en",
                urls: vec![(
                    "https://t.co/XVlaGrnmko",
                    "https://twitter.com/paulafr68963440/status/1440660748275834882",
                )],
                hashtags: vec!["NicolaSturgeon", "Brexit"],
                mentions: vec!["AngelaRayner"],
            },
        ],
    );
}

#[test]
fn twarc2_kpop_page() {
    let (ev, report) = twarc2("kpop");
    check_counts(&report, "twarc2", 100, &[(SkipReason::ApiError, 1)]);
    assert_eq!(kinds(&ev), [22, 78, 0, 0, 0, 0]);
    expect(
        &ev,
        &[EventRef {
            platform: Platform::Twitter,
            post_id: "1440717170493689866".into(),
            account_id: "1433267766912557062",
            handle: "ximerios12_",
            ts_ms: 1632328715000, // 2021-09-22T16:38:35Z
            kind: Kind::Repost,
            target: Some("1440691114135080963".into()),
            text: "RT @ChartsEcuador: #TopKPopEcuador\n@BTS_twt se mantiene en el #1 con #Butter, #Lisa debuta en el #2 \nhttps://t.co/pQMACSzDmd\n#charts #kpop…",
            lang: "es",
            urls: vec![
                ("https://t.co/pQMACSzDmd", "https://www.chartsecuador.biz/"),
                ("https://t.co/isLejPBxdt", "https://twitter.com/ChartsEcuador/status/1440691114135080963/photo/1"),
            ],
            hashtags: vec!["TopKPopEcuador", "Butter", "Lisa", "charts", "kpop", "bts", "blackpink", "straykids"],
            mentions: vec!["ChartsEcuador", "BTS_twt"],
        }],
    );
}

#[test]
fn twarc2_entities_test_page() {
    let (ev, report) = twarc2("entities_test");
    // 474 tweets; errors[] has 11 entries (deleted referenced tweets,
    // suspended mentioned users).
    check_counts(&report, "twarc2", 474, &[(SkipReason::ApiError, 11)]);
    // Two tweets both quote and reply: they count as replies.
    assert_eq!(kinds(&ev), [66, 314, 84, 10, 0, 0]);
    expect(
        &ev,
        &[
            EventRef {
                platform: Platform::Twitter,
                post_id: "1574186974382116870".into(),
                account_id: "1450853940615127043",
                handle: "carolpantanifi",
                ts_ms: 1664150396000, // 2022-09-25T23:59:56Z
                kind: Kind::Repost,
                target: Some("1574181351913316354".into()),
                text: "RT @QRepubblica: “Non può passare sotto silenzio la Conferenza stampa della @serracchiani che parla della discesa di Salvini quando il loro…",
                lang: "",
                urls: vec![(
                    "https://t.co/j4gEcH43ET",
                    "https://twitter.com/QRepubblica/status/1574181351913316354/photo/1",
                )],
                hashtags: vec!["quartarepubblica"],
                mentions: vec!["QRepubblica", "serracchiani"],
            },
            EventRef {
                platform: Platform::Twitter,
                post_id: "1574186386927882240".into(),
                account_id: "1029687140",
                handle: "andres_goe",
                ts_ms: 1664150256000, // 2022-09-25T23:57:36Z
                kind: Kind::Reply,
                target: Some("1574174417520820224".into()),
                text: "@jschaulsohn Si hubiera ganado Berlusconi o Salvini, podría ser, pero el partido de Giorgia Meloni fue uno de los más entusiastas en el apoyo a enviar armas a Ucrania y en defender a la OTAN https://t.co/UUekNeiSat",
                lang: "",
                urls: vec![("https://t.co/UUekNeiSat", "https://twitter.com/jschaulsohn/status/1574174417520820224")],
                hashtags: vec![],
                mentions: vec!["jschaulsohn"],
            },
        ],
    );
}

#[test]
fn twarc2_single_tweet_pages() {
    let (ev, report) = twarc2("many_urls");
    check_counts(&report, "twarc2", 1, &[]);
    expect(
        &ev,
        &[EventRef {
            platform: Platform::Twitter,
            post_id: "1610692575752601600".into(),
            account_id: "1328271312628936705",
            handle: "uiuxadrian",
            ts_ms: 1672854009000, // 2023-01-04T17:40:09Z
            kind: Kind::Reply,
            target: Some("1610623087061471232".into()),
            text: "P.S. If you're interested in learning web design - check out my latest web design ebook\n\n🎁 340+ pages, UI kits, Practice files, freelance documents, design framework, and much more! 🎁\n\nGrab it 35% OFF this week only👇\nhttps://t.co/C73mC2F5nY",
            lang: "en",
            urls: vec![(
                "https://t.co/C73mC2F5nY",
                "https://uiadrian.gumroad.com/l/web-design-guide/?offer_code=twk0uc9f7",
            )],
            hashtags: vec![],
            mentions: vec![],
        }],
    );
    let (ev, report) = twarc2("cotweet");
    check_counts(&report, "twarc2", 1, &[]);
    expect(
        &ev,
        &[EventRef {
            platform: Platform::Twitter,
            post_id: "1577318900085186562".into(),
            account_id: "18591618",
            handle: "staringispolite",
            ts_ms: 1664897105000, // 2022-10-04T15:25:05Z
            kind: Kind::Post,
            target: None,
            text: "who need they cotwussy tested",
            lang: "en",
            urls: vec![],
            hashtags: vec![],
            mentions: vec![],
        }],
    );
    // A reply that quotes an edited tweet: a Reply to the replied-to id.
    let (ev, report) = twarc2("quoted_edit");
    check_counts(&report, "twarc2", 1, &[]);
    expect(
        &ev,
        &[EventRef {
            platform: Platform::Twitter,
            post_id: "1576995594388000768".into(),
            account_id: "1494167419413094401",
            handle: "dappdavid99",
            ts_ms: 1664820023000, // 2022-10-03T18:00:23Z
            kind: Kind::Reply,
            target: Some("1576994789110992896".into()),
            text: "@wongmjane Test \nhttps://t.co/rBFwqjVr6B",
            lang: "en",
            urls: vec![("https://t.co/rBFwqjVr6B", "https://twitter.com/wongmjane/status/1576994746135764992")],
            hashtags: vec![],
            mentions: vec!["wongmjane"],
        }],
    );
}

#[test]
fn twarc2_stream_output_with_a_broken_line() {
    let (ev, report) = twarc2("streaming_output_with_error");
    // Seven stream lines (`data` is one tweet, with `matching_rules`); the
    // eighth is a JSON object cut off after its first key, where the file
    // ends: the input is truncated (issue #16).
    check_counts(&report, "twarc2", 7, &[(SkipReason::TruncatedInput, 1)]);
    let d = &report.files[0].examples[0];
    assert_eq!((d.line, d.reason), (8, SkipReason::TruncatedInput));
    assert!(d.message.contains("byte 30091"), "{}", d.message);
    assert!(d.file.ends_with("twarc_csv_test_streaming_output_with_error.jsonl"));
    assert_eq!(kinds(&ev), [3, 0, 3, 1, 0, 0]);
    expect(
        &ev,
        &[EventRef {
            platform: Platform::Twitter,
            post_id: "1377650090978992134".into(),
            account_id: "4602771083",
            handle: "blackheart_265",
            ts_ms: 1617292351000, // 2021-04-01T15:52:31Z
            kind: Kind::Quote,
            target: Some("1377640162566496258".into()),
            text: "Fury https://t.co/YbMgHU5xRX https://t.co/tXgDG9jrKX",
            lang: "en",
            urls: vec![
                ("https://t.co/YbMgHU5xRX", "https://twitter.com/blackheart_265/status/1377650090978992134/photo/1"),
                ("https://t.co/tXgDG9jrKX", "https://twitter.com/Manie_DS/status/1377640162566496258"),
            ],
            hashtags: vec![],
            mentions: vec![],
        }],
    );
}

#[test]
fn compressed_real_files_read_to_identical_events() {
    use std::io::Write;
    let files: Vec<String> = [
        "noflat",
        "flat",
        "brexit",
        "kpop",
        "entities_test",
        "many_urls",
        "cotweet",
        "quoted_edit",
        "streaming_output_with_error",
    ]
    .iter()
    .map(|f| format!("formats/twarc2/twarc_csv_test_{f}.jsonl"))
    .chain([V1.to_string()])
    .collect();
    let mut events = 0;
    for rel in files {
        let path = real(&rel);
        let plain = std::fs::read(&path).unwrap();
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(&plain).unwrap();
        let gz = gz.finish().unwrap();
        let zst = zstd::encode_all(&plain[..], 3).unwrap();
        let (want, want_report) = read(&path);
        let w = &want_report.files[0];
        for (name, bytes, compression) in [("in.gz", gz, "gzip"), ("in.zst", zst, "zstd")] {
            let (_dir, p) = temp_file(name, &bytes);
            let (got, report) = read(&p);
            let f = &report.files[0];
            assert_eq!(f.compression, compression);
            assert_eq!((&f.format, f.bytes, f.parsed, &f.skipped), (&w.format, w.bytes, w.parsed, &w.skipped), "{rel}");
            assert_eq!(got.len(), want.len(), "{rel}");
            for i in 0..want.len() {
                assert_eq!(got.row(i), want.row(i), "{rel} ({compression}), row {i}");
            }
        }
        events += want.len();
    }
    assert_eq!(events, 100 + 100 + 100 + 100 + 474 + 1 + 1 + 1 + 7 + 10);
}

// ---- twarc2: broken input --------------------------------------------------------------------

const GOOD: &str = r#"{"id":"1","author_id":"9","author":{"id":"9","username":"nine"},"created_at":"2022-03-01T10:00:00.000Z","text":"ok"}"#;

#[test]
fn twarc2_broken_lines_are_located_skips() {
    let lines = [
        GOOD,
        r#"{"id":"2","author_id":"9","created_at":"2022-03-01T10:0"#,
        r#"{"id":"3","author_id":5,"created_at":"2022-03-01T10:00:00.000Z","text":"wrong type"}"#,
        r#"{"id":"4","author_id":"9","text":"no date"}"#,
        r#"{"id":"5","author_id":"9","created_at":"2022-13-45T99:00:00Z"}"#,
        r#"{"data":[{"id":"6","author_id":"9","created_at":"2022-03-01T10:00:00Z"},{"author_id":"9","created_at":"2022-03-01T10:00:00Z"}],"errors":[{"title":"Not Found Error","detail":"gone"}]}"#,
        "",
        r#"{"errors":[{"title":"operational-disconnect","detail":"This stream has been disconnected upstream for operational reasons."}]}"#,
        r#"{"meta":{"result_count":0},"__twarc":{"version":"2.13.0"}}"#,
        r#"{"data":{"id":"7","author_id":"9","created_at":"yesterday"},"matching_rules":[{"id":"1","tag":null}]}"#,
    ];
    let (_dir, path) = temp_file("broken.jsonl", lines.join("\n").as_bytes());
    let (ev, report) = read(&path);
    check_counts(
        &report,
        "twarc2",
        2,
        &[
            (SkipReason::MalformedJson, 1),
            (SkipReason::MissingField, 2),
            (SkipReason::BadValue, 1),
            (SkipReason::BadTimestamp, 2),
            (SkipReason::ApiError, 2),
            (SkipReason::NotAnAction, 1),
        ],
    );
    assert_eq!(ev.row(0).post_id, "1");
    assert_eq!(ev.row(0).handle, "nine");
    assert_eq!(ev.row(1).post_id, "6");
    let got: Vec<(u64, Option<&str>, SkipReason)> =
        report.files[0].examples.iter().map(|d| (d.line, d.field.as_deref(), d.reason)).collect();
    assert_eq!(
        got,
        [
            // The line ends inside `created_at`.
            (2, Some("created_at"), SkipReason::MalformedJson),
            (3, Some("author_id"), SkipReason::BadValue),
            (4, Some("created_at"), SkipReason::MissingField),
            (5, Some("created_at"), SkipReason::BadTimestamp),
            (6, Some("data[1].id"), SkipReason::MissingField),
        ]
    );
    assert!(report.files[0].examples.iter().all(|d| d.file == path));
    // Malformed records, not API errors or non-actions.
    assert_eq!(report.problems(), 6);
}

#[test]
fn twarc2_a_bad_tweet_in_a_page_costs_one_skip() {
    // `author_id` of the second tweet has the wrong type: the page cannot be
    // decoded whole, so it is re-read tweet by tweet.
    let page = r#"{"data":[{"id":"1","author_id":"9","created_at":"2022-03-01T10:00:00Z"},{"id":"2","author_id":5,"created_at":"2022-03-01T10:00:00Z"},{"id":"3","author_id":"8","created_at":"2022-03-01T10:00:01Z"}],"includes":{"users":[{"id":"9","username":"nine"},{"id":"8","username":"eight"}]},"errors":[{"title":"x"}]}"#;
    let (_dir, path) = temp_file("page.jsonl", format!("{page}\n").as_bytes());
    let (ev, report) = read(&path);
    check_counts(&report, "twarc2", 2, &[(SkipReason::BadValue, 1), (SkipReason::ApiError, 1)]);
    let d = &report.files[0].examples[0];
    assert_eq!((d.line, d.field.as_deref(), d.reason), (1, Some("data[1].author_id"), SkipReason::BadValue));
    assert_eq!((ev.row(0).handle, ev.row(1).handle), ("nine", "eight"));
}

#[test]
fn twarc2_pages_longer_than_the_sniffing_head() {
    // Real search output: many ~400 KB pages, one per line. The first line
    // is longer than the head the format is sniffed from.
    let page = std::fs::read(real("formats/twarc2/twarc_csv_test_noflat.jsonl")).unwrap();
    let mut two = page.clone();
    two.extend_from_slice(&page);
    let (_dir, path) = temp_file("two_pages.jsonl", &two);
    let (ev, report) = read(&path);
    check_counts(&report, "twarc2", 200, &[(SkipReason::ApiError, 2)]);
    assert_eq!(ev.row(100), ev.row(0));
}

// ---- Twitter v1.1 ------------------------------------------------------------------------------

const V1: &str = "formats/twitter_v1/bigdatasamples_sample_twitter_data_2012.json";

#[test]
fn twitter_v1_sample() {
    let (ev, report) = read(&real(V1));
    check_counts(&report, "twitter-v1", 10, &[]);
    assert_eq!(kinds(&ev), [7, 2, 1, 0, 0, 0]);
    // A retweet without URLs, one whose URL comes from retweeted_status, a
    // photo (entities.media) and a reply.
    expect(
        &ev,
        &[
            EventRef {
                platform: Platform::Twitter,
                post_id: "210621130703245313".into(),
                account_id: "37200018",
                handle: "yoursweetiethea",
                ts_ms: 1339050965000, // 2012-06-07T06:36:05Z
                kind: Kind::Repost,
                target: Some("210619512855343105".into()),
                text: "RT @mikalabrags: Bipolar weather ☁ ☀",
                lang: "",
                urls: vec![],
                hashtags: vec![],
                mentions: vec!["mikalabrags"],
            },
            EventRef {
                platform: Platform::Twitter,
                post_id: "210621132439687168".into(),
                account_id: "424091208",
                handle: "maeta_tw",
                ts_ms: 1339050965000, // 2012-06-07T06:36:05Z
                kind: Kind::Repost,
                target: Some("210615454006394880".into()),
                text: "RT @hatena_sugoi: ［速報］Windows AzureがついにIaaS機能を発表。Hyper-V仮想マシンがそのまま稼働、仮想プライベートクラウドも実現 － Publickey http://t.co/9exyeKeN",
                lang: "",
                urls: vec![("http://t.co/9exyeKeN", "http://bit.ly/MJgpVB")],
                hashtags: vec![],
                mentions: vec!["hatena_sugoi"],
            },
            EventRef {
                platform: Platform::Twitter,
                post_id: "210621133840592896".into(),
                account_id: "160474696",
                handle: "EmusGifts",
                ts_ms: 1339050966000, // 2012-06-07T06:36:06Z
                kind: Kind::Post,
                target: None,
                text: "We're has the summer gone? Woken up to rain and strong winds. What's the weather like you are waking up too? http://t.co/ONuNC8nP",
                lang: "",
                urls: vec![("http://t.co/ONuNC8nP", "http://twitter.com/EmusGifts/status/210621133840592896/photo/1")],
                hashtags: vec![],
                mentions: vec![],
            },
            EventRef {
                platform: Platform::Twitter,
                post_id: "210621141222559744".into(),
                account_id: "277523269",
                handle: "plantsgrow",
                ts_ms: 1339050967000, // 2012-06-07T06:36:07Z
                kind: Kind::Reply,
                target: Some("210619253001420800".into()),
                text: "@KSatayBoy weather fucking dog sia",
                lang: "",
                urls: vec![],
                hashtags: vec![],
                mentions: vec!["KSatayBoy"],
            },
        ],
    );
}

#[test]
fn twitter_v1_array_like_variants() {
    let text = std::fs::read_to_string(real(V1)).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    // `[` on its own line, `,` ending lines, `]` on its own line.
    let spaced = format!("[\n{}\n]\n", lines.join(",\n"));
    // `[` opening the first record, `]` closing the last.
    let tight = format!("[{}]\n", lines.join(",\n"));
    let (want, _) = read(&real(V1));
    for (name, content) in [("spaced.json", spaced), ("tight.json", tight)] {
        let (_dir, path) = temp_file(name, content.as_bytes());
        let (ev, report) = read(&path);
        check_counts(&report, "twitter-v1", 10, &[]);
        for i in 0..10 {
            assert_eq!(ev.row(i), want.row(i), "{name} row {i}");
        }
    }
}

#[test]
fn twitter_v1_control_messages_and_broken_tweets() {
    let lines = [
        r#"{"id_str":"1","created_at":"Wed Oct 05 14:03:11 +0000 2016","text":"ok","user":{"id_str":"9","screen_name":"nine"}}"#,
        r#"{"delete":{"status":{"id":1,"id_str":"1","user_id":9,"user_id_str":"9"},"timestamp_ms":"1475676191000"}}"#,
        r#"{"limit":{"track":12,"timestamp_ms":"1475676191000"}}"#,
        r#"{"id_str":"2","created_at":"Wed Oct 05 14:03:11 +0000 2016","text":"no user"}"#,
        r#"{"id_str":"3","created_at":"2016-10-05 14:03:11","user":{"id_str":"9"}}"#,
        r#"{"id_str":"4","created_at":"Wed Oct 05 14:03:11 +0000 2016","user":{"id_str":9}}"#,
    ];
    let (_dir, path) = temp_file("v1.jsonl", lines.join("\n").as_bytes());
    let (ev, report) = read_with(&path, &ReadOptions { format: Some(Format::TwitterV1), ..Default::default() });
    check_counts(
        &report,
        "twitter-v1",
        1,
        &[
            (SkipReason::NotAnAction, 2),
            (SkipReason::MissingField, 1),
            (SkipReason::BadTimestamp, 1),
            (SkipReason::BadValue, 1),
        ],
    );
    assert_eq!(ev.row(0).ts_ms, 1_475_676_191_000);
    let got: Vec<(u64, Option<&str>, SkipReason)> =
        report.files[0].examples.iter().map(|d| (d.line, d.field.as_deref(), d.reason)).collect();
    assert_eq!(
        got,
        [
            (2, Some("delete"), SkipReason::NotAnAction),
            (3, Some("limit"), SkipReason::NotAnAction),
            (4, Some("user"), SkipReason::MissingField),
            (5, Some("created_at"), SkipReason::BadTimestamp),
            (6, Some("user.id_str"), SkipReason::BadValue),
        ]
    );
}

// ---- Bluesky Jetstream -----------------------------------------------------------------------

const ALICE_POST: &str = "at://did:plc:alice4example2bsky/app.bsky.feed.post/3l3qo2vuowo2b";

#[test]
fn bluesky_jetstream_fixture() {
    let (ev, report) = read(&fixture("bluesky_jetstream.jsonl"));
    // 14 events: 7 posts (one reply, two quotes, one with only time_us, one
    // embedding a list), a repost and a like; an identity and an account
    // event, a delete, a follow and a profile update are not actions.
    check_counts(&report, "bluesky", 9, &[(SkipReason::NotAnAction, 5)]);
    let lines: Vec<(u64, Option<&str>)> =
        report.files[0].examples.iter().map(|d| (d.line, d.field.as_deref())).collect();
    assert_eq!(
        lines,
        [
            (8, Some("kind")),
            (9, Some("kind")),
            (10, Some("commit.operation")),
            (11, Some("commit.collection")),
            (12, Some("commit.operation")),
        ]
    );
    expect_kinds(
        &ev,
        &[
            (ALICE_POST, Kind::Post, None),
            ("at://did:plc:bob5example3bsky/app.bsky.feed.post/3l3qo3aaaaa2b", Kind::Post, None),
            ("at://did:plc:carol6example4bsky/app.bsky.feed.post/3l3qo4bbbbb2b", Kind::Reply, Some(ALICE_POST)),
            ("at://did:plc:bob5example3bsky/app.bsky.feed.post/3l3qo5ccccc2b", Kind::Quote, Some(ALICE_POST)),
            ("at://did:plc:carol6example4bsky/app.bsky.feed.post/3l3qo6ddddd2b", Kind::Quote, Some(ALICE_POST)),
            ("at://did:plc:bob5example3bsky/app.bsky.feed.repost/3l3qo7eeeee2b", Kind::Repost, Some(ALICE_POST)),
            ("at://did:plc:carol6example4bsky/app.bsky.feed.like/3l3qo8fffff2b", Kind::Like, Some(ALICE_POST)),
            ("at://did:plc:alice4example2bsky/app.bsky.feed.post/3l3qoahhhhh2b", Kind::Post, None),
            ("at://did:plc:bob5example3bsky/app.bsky.feed.post/3l3qobiiiii2b", Kind::Post, None),
        ],
    );
    // The link facet's byte offsets (46..65) point past multi-byte
    // characters; the external embed repeats the facet's URI and is not
    // listed twice. Times are the relay's time_us, not the client's createdAt.
    expect(
        &ev,
        &[
            EventRef {
                platform: Platform::Bluesky,
                post_id: "at://did:plc:alice4example2bsky/app.bsky.feed.post/3l3qo2vuowo2b".into(),
                account_id: "did:plc:alice4example2bsky",
                handle: "",
                ts_ms: 1730000000123, // time_us; createdAt says 2024-10-27T03:33:20Z
                kind: Kind::Post,
                target: None,
                text: "Über die Wahl — „Fakten“ 🗳️ hier: example.org/wahl… #Wahl2025 @bob.bsky.social",
                lang: "de",
                urls: vec![("example.org/wahl…", "https://example.org/wahl-2025/fakten")],
                hashtags: vec!["Wahl2025"],
                mentions: vec!["did:plc:bob5example3bsky"],
            },
            EventRef {
                platform: Platform::Bluesky,
                post_id: "at://did:plc:bob5example3bsky/app.bsky.feed.post/3l3qo3aaaaa2b".into(),
                account_id: "did:plc:bob5example3bsky",
                handle: "",
                ts_ms: 1730000001000, // time_us; createdAt says 03:33:21.500Z
                kind: Kind::Post,
                target: None,
                text: "Worth reading",
                lang: "en",
                urls: vec![("https://news.example.com/story?id=7", "https://news.example.com/story?id=7")],
                hashtags: vec!["news"],
                mentions: vec![],
            },
            EventRef {
                platform: Platform::Bluesky,
                post_id: "at://did:plc:alice4example2bsky/app.bsky.feed.post/3l3qoahhhhh2b".into(),
                account_id: "did:plc:alice4example2bsky",
                handle: "",
                ts_ms: 1730000012345, // 2024-10-27T03:33:32.345000Z
                kind: Kind::Post,
                target: None,
                text: "no date",
                lang: "",
                urls: vec![],
                hashtags: vec![],
                mentions: vec![],
            },
        ],
    );
    // Without time_us, createdAt is used; with an offset it is converted to UTC.
    assert_eq!(ev.ts_ms[8], 1_729_993_320_000);
}

#[test]
fn bluesky_broken_events() {
    let lines = [
        r#"{"time_us":1,"kind":"commit","commit":{"operation":"create","collection":"app.bsky.feed.post","rkey":"r","record":{"text":"no did","createdAt":"2024-10-27T03:33:20Z"}}}"#,
        r#"{"did":"did:plc:a","kind":"commit","commit":{"operation":"create","collection":"app.bsky.feed.post","rkey":"r","record":{"text":"bad date","createdAt":"soon"}}}"#,
        r#"{"did":"did:plc:a","time_us":1,"kind":"commit","commit":{"operation":"create","collection":"app.bsky.feed.like","rkey":"r","record":{"createdAt":"2024-10-27T03:33:20Z"}}}"#,
        r#"{"did":"did:plc:a","time_us":1,"kind":"commit","commit":{"operation":"create","collection":"app.bsky.feed.post","rkey":"r","record":{"text":5}}}"#,
        r#"{"did":"did:plc:a","time_us":"#,
    ];
    let (_dir, path) = temp_file("bsky.jsonl", lines.join("\n").as_bytes());
    let (_, report) = read_with(&path, &ReadOptions { format: Some(Format::Bluesky), ..Default::default() });
    let got: Vec<(u64, Option<&str>, SkipReason)> =
        report.files[0].examples.iter().map(|d| (d.line, d.field.as_deref(), d.reason)).collect();
    assert_eq!(
        got,
        [
            (1, Some("did"), SkipReason::MissingField),
            (2, Some("commit.record.createdAt"), SkipReason::BadTimestamp),
            (3, Some("commit.record.subject.uri"), SkipReason::MissingField),
            (4, Some("commit.record.text"), SkipReason::BadValue),
            // A last line cut off mid-record (no line end) is the input's truncation.
            (5, None, SkipReason::TruncatedInput),
        ]
    );
    check_counts(
        &report,
        "bluesky",
        0,
        &[
            (SkipReason::TruncatedInput, 1),
            (SkipReason::MissingField, 2),
            (SkipReason::BadValue, 1),
            (SkipReason::BadTimestamp, 1),
        ],
    );
}

// ---- Mastodon ----------------------------------------------------------------------------------

const DAVE_1: &str = "https://social.example/users/dave/statuses/111000000000000001";
const ERIN_2: &str = "https://other.example/users/erin/statuses/111000000000000002";

#[test]
fn mastodon_statuses_fixture() {
    let (ev, report) = read(&fixture("mastodon_statuses.jsonl"));
    // Eight statuses one per line, then an API page of two on one line.
    check_counts(&report, "mastodon", 10, &[]);
    expect_kinds(
        &ev,
        &[
            (DAVE_1, Kind::Post, None),
            (ERIN_2, Kind::Post, None),
            ("https://social.example/users/dave/statuses/111000000000000003/activity", Kind::Repost, Some(ERIN_2)),
            // A self-reply: the parent's URI is rebuilt, and it is DAVE_1's post id.
            ("https://social.example/users/dave/statuses/111000000000000004", Kind::Reply, Some(DAVE_1)),
            // The parent is remote to the serving instance: keyed by its local id.
            (
                "https://social.example/users/gina/statuses/111000000000000005",
                Kind::Reply,
                Some("mastodon-status-id:111000000000000002"),
            ),
            ("https://social.example/users/frank/statuses/111000000000000006", Kind::Post, None),
            ("https://social.example/users/gina/statuses/111000000000000007", Kind::Quote, Some(DAVE_1)),
            // A quote whose quoted status was deleted: no target, so a post.
            ("https://social.example/users/gina/statuses/111000000000000008", Kind::Post, None),
            ("https://other.example/users/erin/statuses/111000000000000009", Kind::Post, None),
            ("https://social.example/users/gina/statuses/111000000000000010", Kind::Post, None),
        ],
    );
    // HTML to text with entities; the mention and hashtag links are not
    // URLs, the card repeats the link; a boost takes the boosted status's
    // text, URLs (a medium.com/@… link is a link), hashtags and language; an
    // account without url is acct@host; the quote's `RE:` fallback is dropped.
    expect(
        &ev,
        &[
            EventRef {
                platform: Platform::Mastodon,
                post_id: "https://social.example/users/dave/statuses/111000000000000001".into(),
                account_id: "https://social.example/@dave",
                handle: "dave",
                ts_ms: 1693555200000, // 2023-09-01T08:00:00Z
                kind: Kind::Post,
                target: None,
                text: "Polls open early & late, @gina! https://example.org/vote?a=1&b=2 #vote\n\nDon't wait\n<3 — Dave",
                lang: "en",
                urls: vec![("https://example.org/vote?a=1&b=2", "https://example.org/vote?a=1&b=2")],
                hashtags: vec!["vote"],
                mentions: vec!["gina"],
            },
            EventRef {
                platform: Platform::Mastodon,
                post_id: "https://social.example/users/dave/statuses/111000000000000003/activity".into(),
                account_id: "https://social.example/@dave",
                handle: "dave",
                ts_ms: 1693555500000, // 2023-09-01T08:05:00Z
                kind: Kind::Repost,
                target: Some("https://other.example/users/erin/statuses/111000000000000002".into()),
                text: "Why it matters: https://medium.com/@erin/why-it-matters-123 #Wahl",
                lang: "de",
                urls: vec![
                    ("https://medium.com/@erin/why-it-matters-123", "https://medium.com/@erin/why-it-matters-123"),
                    ("https://news.example.com/story", "https://news.example.com/story"),
                ],
                hashtags: vec!["wahl"],
                mentions: vec![],
            },
            EventRef {
                platform: Platform::Mastodon,
                post_id: "https://social.example/users/frank/statuses/111000000000000006".into(),
                account_id: "frank@social.example",
                handle: "frank",
                ts_ms: 1693551600000, // 2023-09-01T07:00:00Z
                kind: Kind::Post,
                target: None,
                text: "plain text, no links",
                lang: "en",
                urls: vec![],
                hashtags: vec![],
                mentions: vec![],
            },
            EventRef {
                platform: Platform::Mastodon,
                post_id: "https://social.example/users/gina/statuses/111000000000000007".into(),
                account_id: "https://social.example/@gina",
                handle: "gina",
                ts_ms: 1693556400000, // 2023-09-01T08:20:00Z
                kind: Kind::Quote,
                target: Some("https://social.example/users/dave/statuses/111000000000000001".into()),
                text: "This!",
                lang: "en",
                urls: vec![],
                hashtags: vec![],
                mentions: vec![],
            },
        ],
    );
}

#[test]
fn mastodon_pretty_printed_page() {
    let (ev, report) = read(&fixture("mastodon_page.json"));
    check_counts(&report, "mastodon", 3, &[]);
    expect_kinds(
        &ev,
        &[
            ("https://other.example/users/erin/statuses/112000000000000001", Kind::Post, None),
            (
                "https://social.example/users/dave/statuses/112000000000000002/activity",
                Kind::Repost,
                Some("https://other.example/users/erin/statuses/112000000000000001"),
            ),
            // The parent's author is a local account mentioned in the reply.
            ("https://social.example/users/gina/statuses/112000000000000003", Kind::Reply, Some(DAVE_1)),
        ],
    );
    let boost = ev.row(1);
    assert_eq!((boost.account_id, boost.handle), ("https://social.example/@dave", "dave"));
    assert_eq!(boost.text, "Big news news.example.com/big");
    assert_eq!(boost.urls, [("https://news.example.com/big", "https://news.example.com/big")]);
    // Each status is located on the line where it starts.
    let (_dir, path) = temp_file(
        "page.json",
        br#"[
  {"uri": "https://h.example/users/a/statuses/1", "account": {"acct": "a"}, "content": "<p>x</p>",
   "created_at": "2023-01-01T00:00:00Z"},
  {"uri": "https://h.example/users/a/statuses/2", "account": {"acct": "a"}, "content": "",
   "created_at": "not a date"}
]"#,
    );
    let (ev, report) = read(&path);
    check_counts(&report, "mastodon", 1, &[(SkipReason::BadTimestamp, 1)]);
    assert_eq!(ev.row(0).account_id, "a@h.example");
    let d = &report.files[0].examples[0];
    assert_eq!((d.line, d.field.as_deref()), (4, Some("created_at")));
}

#[test]
fn mastodon_broken_statuses() {
    let lines = [
        r#"{"id":"1","created_at":"2023-01-01T00:00:00Z","account":{"acct":"a"},"content":"no uri"}"#,
        r#"{"uri":"https://h.example/s/2","created_at":"2023-01-01T00:00:00Z","content":"no account"}"#,
        r#"{"uri":"https://h.example/s/3","account":{"acct":"a"},"content":"no date"}"#,
        r#"{"uri":"https://h.example/s/4","created_at":"2023-01-01T00:00:00Z","account":{"acct":"a"},"reblog":{"content":"boosted, no uri"}}"#,
        r#"{"uri":"https://h.example/s/5","created_at":"2023-01-01T00:00:00Z","account":{"acct":"a"},"tags":"vote"}"#,
        r#"{"uri":"https://h.example/s/6","created_at":"2023-01-01T00:00:00Z","account":{"acct":"a"},"content":"<p>fine</p>"}"#,
    ];
    let (_dir, path) = temp_file("m.jsonl", lines.join("\n").as_bytes());
    let (ev, report) = read_with(&path, &ReadOptions { format: Some(Format::Mastodon), ..Default::default() });
    check_counts(&report, "mastodon", 1, &[(SkipReason::MissingField, 4), (SkipReason::BadValue, 1)]);
    assert_eq!((ev.row(0).text, ev.row(0).account_id), ("fine", "a@h.example"));
    let got: Vec<(u64, Option<&str>, SkipReason)> =
        report.files[0].examples.iter().map(|d| (d.line, d.field.as_deref(), d.reason)).collect();
    assert_eq!(
        got,
        [
            (1, Some("uri"), SkipReason::MissingField),
            (2, Some("account"), SkipReason::MissingField),
            (3, Some("created_at"), SkipReason::MissingField),
            (4, Some("reblog.uri"), SkipReason::MissingField),
            (5, Some("tags"), SkipReason::BadValue),
        ]
    );
}

// ---- Never panic ---------------------------------------------------------------------------------

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Arbitrary lines (bytes, or JSON-ish text around real keys) through
    /// each reader: no panic, and every record is accounted for.
    #[test]
    fn arbitrary_lines_never_panic(
        lines in proptest::collection::vec(
            prop_oneof![
                proptest::collection::vec(any::<u8>(), 0..120),
                r#"[\[{]?("(id|data|errors|author_id|created_at|did|kind|commit|record|uri|account|reblog|id_str|user|content)":([\[{]|"[^"\\]{0,10}"|-?[0-9]{1,20}|null|true)[,}\]]{0,3}){0,6}"#
                    .prop_map(String::into_bytes),
            ],
            0..12,
        ),
        format in prop::sample::select(vec![Format::Twarc2, Format::TwitterV1, Format::Bluesky, Format::Mastodon]),
    ) {
        let content: Vec<u8> = lines.join(&b'\n');
        let (_dir, path) = temp_file("fuzz.jsonl", &content);
        let (ev, report) = read_with(&path, &ReadOptions { format: Some(format), ..Default::default() });
        let f = &report.files[0];
        prop_assert_eq!(f.records, f.parsed + f.skipped_total());
        prop_assert_eq!(ev.len() as u64, f.parsed);
    }
}
