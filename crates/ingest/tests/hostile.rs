//! Hostile input (issue #16): garbage, empty and header-only files, invalid
//! UTF-8 in every field, embedded newlines and NULs, deeply nested JSON,
//! numbers out of range, timestamps far from now, duplicate ids, reposts of
//! posts not in the data. Each must end as counted skips or documented
//! behaviour — never a panic or a hang — with `records == parsed + skipped`.

mod common;

use common::*;
use std::time::{Duration, Instant};
use swarmscan_ingest::{ColumnMap, FileReport, Format, ReadOptions, SkipReason};
use swarmscan_model::Events;

/// Every reader: every format but Parquet, which is read through the binary's callback.
fn all_readers() -> impl Iterator<Item = Format> {
    Format::ALL.into_iter().filter(|&f| f != Format::Parquet)
}

fn opts(format: Option<Format>) -> ReadOptions {
    let columns = (format == Some(Format::MappedCsv))
        .then(|| "post_id=id,account_id=user,timestamp=time,target=target,text=text".parse::<ColumnMap>().unwrap());
    ReadOptions { format, columns, ..Default::default() }
}

/// Reads `content` (sniffed, or as `format`) and checks that nothing panicked
/// or hung and the accounting adds up. Returns the events and the file's
/// report (`error` set when the input could not be read at all).
fn check(name: &str, content: &[u8], format: Option<Format>) -> (Events, FileReport) {
    let (_dir, path) = temp_file(name, content);
    let t = Instant::now();
    let (ev, report) = read_with(&path, &opts(format));
    assert!(t.elapsed() < Duration::from_secs(20), "{name} as {format:?}: took {:?}", t.elapsed());
    let f = report.files.into_iter().next().unwrap();
    assert_eq!(f.records, f.parsed + f.skipped_total(), "{name} as {format:?}: {:?}", f.skipped);
    assert_eq!(ev.len() as u64, f.parsed, "{name} as {format:?}");
    (ev, f)
}

/// Deterministic pseudo-random bytes.
fn garbage(seed: u64, n: usize) -> Vec<u8> {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

#[test]
fn binary_garbage_in_every_reader() {
    for seed in 0..4u64 {
        let g = garbage(seed, 300_000);
        let (_, f) = check("garbage.bin", &g, None);
        assert!(f.error.is_some(), "garbage is not recognised as a format");
        for format in all_readers() {
            check("garbage.bin", &g, Some(format));
            // Garbage with line ends and quotes sprinkled in.
            let mut g2 = g.clone();
            for (i, b) in g2.iter_mut().enumerate() {
                if i % 97 == 0 {
                    *b = b'\n';
                } else if i % 89 == 0 {
                    *b = b'"';
                }
            }
            check("garbage.txt", &g2, Some(format));
            // Gzip magic followed by garbage: a broken stream from byte 0.
            let mut gz = vec![0x1f, 0x8b, 8, 0];
            gz.extend_from_slice(&g[..1000]);
            check("garbage.gz", &gz, Some(format));
        }
    }
}

#[test]
fn empty_and_header_only_files() {
    for format in all_readers() {
        let (_, f) = check("empty", b"", Some(format));
        assert_eq!(f.parsed, 0);
        let (_, f) = check("blank", b"\n\n\r\n  \n", Some(format));
        assert_eq!(f.parsed, 0);
    }
    let (_, f) = check("empty", b"", None);
    assert!(f.error.is_some(), "an empty file has no recognisable format");
    for header in [
        "message_id,user_id,username,repost_id,reply_id,message,timestamp,urls\n",
        "object_id,account_id,content_id,timestamp_share\n",
        "Page Name,User Name,Facebook Id,Page Category,Post Created,Post Created Date,Post Created Time,Type,Total Interactions,Likes,Comments,Shares,URL,Message,Link,Final Link\n",
        "external_author_id,author,content,region,language,publish_date,harvested_date,following,followers,updates,post_type,account_type,retweet,account_category,new_june_2018,alt_external_id,tweet_id,article_url,tco1_step1,tco2_step1,tco3_step1\n",
    ] {
        let (_, f) = check("header.csv", header.as_bytes(), None);
        assert_eq!((f.error.as_deref(), f.records), (None, 0), "{header}");
        // Without its line end as well.
        let (_, f) = check("header.csv", header.trim_end().as_bytes(), None);
        assert_eq!((f.error.as_deref(), f.records), (None, 0), "{header}");
    }
}

#[test]
fn invalid_utf8_in_every_field() {
    // CSV: each field of a good cnt row in turn replaced by invalid UTF-8.
    let header = "message_id,user_id,username,repost_id,reply_id,message,timestamp,urls\n";
    let good = ["1", "u1", "name", "", "", "hello", "1600000000", "https://example.org/a"];
    for i in 0..good.len() {
        let mut row: Vec<Vec<u8>> = good.iter().map(|s| s.as_bytes().to_vec()).collect();
        row[i] = b"bad\xff\xfe\xc3(".to_vec();
        let mut csv = header.as_bytes().to_vec();
        csv.extend_from_slice(&row.join(&b","[..]));
        csv.push(b'\n');
        let (_, f) = check("bad-utf8.csv", &csv, None);
        assert_eq!(f.records, 1, "field {i}");
    }
    // JSON: each string value of a flattened tweet in turn.
    let line = r#"{"id":"1","text":"hello","author_id":"7","author":{"id":"7","username":"a"},"created_at":"2022-03-01T10:00:00.000Z","conversation_id":"1","lang":"en"}"#;
    let mut starts = Vec::new();
    let b = line.as_bytes();
    for (i, w) in b.windows(3).enumerate() {
        if w == b":\"\"" || (w[0] == b':' && w[1] == b'"') {
            starts.push(i + 2);
        }
    }
    for s in starts {
        let mut v = b.to_vec();
        v.splice(s..s, b"\xff\xc0".iter().copied());
        v.push(b'\n');
        let (_, f) = check("bad-utf8.jsonl", &v, Some(Format::Twarc2));
        assert_eq!(f.records, 1);
        for format in [Format::TwitterV1, Format::Mastodon, Format::Bluesky] {
            check("bad-utf8.jsonl", &v, Some(format));
        }
    }
}

#[test]
fn embedded_newlines_and_nuls() {
    // A quoted CSV field spanning lines is one record; NULs are data.
    let csv = b"message_id,user_id,username,repost_id,reply_id,message,timestamp,urls\n\
        1,u1,n,,,\"line one\nline two\r\nthree\",1600000000,\n\
        2,u2,n\x00ul,,,\"nul \x00 inside\",1600000001,\n\
        3,u3,n,,,plain,1600000002,\n";
    let (_, f) = check("newlines.csv", csv, None);
    assert_eq!((f.records, f.parsed), (3, 3));
    // JSON: an escaped NUL is text; a raw NUL or raw newline inside a string is malformed.
    let jsonl = concat!(
        r#"{"id":"1","text":"nul \u0000 here","author_id":"7","created_at":"2022-03-01T10:00:00.000Z"}"#,
        "\n",
        "{\"id\":\"2\",\"text\":\"raw \0 nul\",\"author_id\":\"7\",\"created_at\":\"2022-03-01T10:00:00.000Z\"}\n",
        "{\"id\":\"3\",\"text\":\"split\n",
        "line\",\"author_id\":\"7\",\"created_at\":\"2022-03-01T10:00:00.000Z\"}\n",
    );
    let (_, f) = check("nul.jsonl", jsonl.as_bytes(), Some(Format::Twarc2));
    assert_eq!(f.parsed, 1);
    assert_eq!(f.skipped.get(&SkipReason::MalformedJson), Some(&3), "{:?}", f.skipped);
}

#[test]
fn deeply_nested_json() {
    for depth in [200usize, 100_000] {
        let arrays = format!("{}{}\n", "[".repeat(depth), "]".repeat(depth));
        let objects = format!("{}1{}\n", r#"{"a":"#.repeat(depth), "}".repeat(depth));
        let in_field = format!(
            "{{\"id\":\"1\",\"author_id\":\"7\",\"created_at\":\"2022-03-01T10:00:00.000Z\",\"entities\":{}{}}}\n",
            "[".repeat(depth),
            "]".repeat(depth)
        );
        for doc in [&arrays, &objects, &in_field] {
            for format in [Format::Twarc2, Format::TwitterV1, Format::Telegram, Format::Bluesky, Format::Mastodon] {
                let (_, f) = check("nested.json", doc.as_bytes(), Some(format));
                assert_eq!(f.parsed, 0, "{format}");
            }
            check("nested.json", doc.as_bytes(), None);
        }
    }
}

#[test]
fn numbers_out_of_range() {
    let jsonl = concat!(
        r#"{"id":1e400,"text":"x","author_id":"7","created_at":"2022-03-01T10:00:00.000Z"}"#,
        "\n",
        r#"{"id":"2","text":"x","author_id":99999999999999999999999999999,"created_at":"2022-03-01T10:00:00.000Z"}"#,
        "\n",
        r#"{"id":"3","text":"x","author_id":"7","created_at":-1e308}"#,
        "\n",
    );
    let (_, f) = check("numbers.jsonl", jsonl.as_bytes(), Some(Format::Twarc2));
    assert_eq!(f.parsed, 0);
    let bsky = r#"{"did":"did:plc:a","time_us":1e30,"kind":"commit","commit":{"operation":"create","collection":"app.bsky.feed.post","rkey":"r","record":{"text":"x","createdAt":"2024-10-27T03:33:20Z"}}}"#;
    check("numbers.jsonl", bsky.as_bytes(), Some(Format::Bluesky));
    let csv = b"message_id,user_id,username,repost_id,reply_id,message,timestamp,urls\n\
        1,u,n,,,x,1e300,\n2,u,n,,,x,-1e300,\n3,u,n,,,x,99999999999999999999999,\n4,u,n,,,x,NaN,\n5,u,n,,,x,inf,\n";
    let (_, f) = check("numbers.csv", csv, None);
    assert_eq!(f.parsed, 0, "timestamps out of the representable range are bad_timestamp");
    assert_eq!(f.skipped.get(&SkipReason::BadTimestamp), Some(&5), "{:?}", f.skipped);
}

#[test]
fn timestamps_before_1970_and_after_2100_are_kept_as_given() {
    // Documented: swarmscan does not judge plausible dates; they are read as written.
    let csv = b"message_id,user_id,username,repost_id,reply_id,message,timestamp,urls\n\
        1,u,n,,,x,-86400,\n2,u,n,,,x,4102444800,\n3,u,n,,,x,253402300799,\n";
    let (ev, f) = check("dates.csv", csv, None);
    assert_eq!(f.parsed, 3);
    assert_eq!(ev.ts_ms, [-86_400_000, 4_102_444_800_000, 253_402_300_799_000]);
    let jsonl = concat!(
        r#"{"id":"1","text":"x","author_id":"7","created_at":"1969-12-31T23:59:59.000Z"}"#,
        "\n",
        r#"{"id":"2","text":"x","author_id":"7","created_at":"2150-06-01T00:00:00Z"}"#,
        "\n",
        r#"{"id":"3","text":"x","author_id":"7","created_at":"0001-01-01T00:00:00Z"}"#,
        "\n",
        r#"{"id":"4","text":"x","author_id":"7","created_at":"9999-12-31T23:59:59.999Z"}"#,
        "\n",
    );
    let (ev, f) = check("dates.jsonl", jsonl.as_bytes(), Some(Format::Twarc2));
    assert_eq!(f.parsed, 4, "{:?}", f.examples);
    assert_eq!(ev.ts_ms[0], -1000);
    assert_eq!(ev.ts_ms[1], 5_693_328_000_000);
    assert_eq!(ev.ts_ms[2], -62_135_596_800_000);
    assert_eq!(ev.ts_ms[3], 253_402_300_799_999);
}

#[test]
fn duplicate_ids_and_reposts_of_unknown_posts_are_kept() {
    // Documented: readers do not deduplicate (a repeated record is two events)
    // and a repost's target need not be in the data (it is a key like any other).
    let row = "1,u1,n,,,same id,1600000000,\n";
    let csv = format!(
        "message_id,user_id,username,repost_id,reply_id,message,timestamp,urls\n{row}{row}2,u2,n,999999,,repost of a post not in the data,1600000001,\n"
    );
    let (ev, f) = check("dups.csv", csv.as_bytes(), None);
    assert_eq!(f.parsed, 3);
    assert_eq!(ev.len(), 3);
}

#[test]
fn every_sample_cut_at_every_kind_of_place() {
    // Real samples cut at many offsets, plain: the last record may be cut,
    // nothing may panic, counts add up.
    for rel in [
        "formats/twarc2/twarc_csv_test_streaming_output_with_error.jsonl",
        "formats/coordination_network_toolkit/cnt_examples_sample_data_synthetic.csv",
        "ira/IRAhandle_tweets_sample_chudzikr.csv",
    ] {
        let data = std::fs::read(real(rel)).unwrap();
        let data = &data[..data.len().min(40_000)];
        for k in 1..40 {
            let cut = &data[..data.len() * k / 40];
            check("cut", cut, None);
        }
    }
    for rel in ["telegram_channel.json", "mastodon_page.json", "bluesky_jetstream.jsonl"] {
        let data = std::fs::read(fixture(rel)).unwrap();
        for k in 1..30 {
            let cut = &data[..data.len() * k / 30];
            let (_, f) = check("cut.json", cut, None);
            if f.error.is_none() && f.records > 0 {
                assert!(f.skipped.contains_key(&SkipReason::TruncatedInput) || f.malformed() > 0 || f.parsed > 0);
            }
        }
    }
}
