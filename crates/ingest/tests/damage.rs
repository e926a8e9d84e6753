//! Damaged input (issue #16): truncated or corrupt gzip/zstd streams and files
//! cut mid-record keep every complete record before the damage and end with
//! one `truncated_input` skip; records over the limit are `record_too_large`,
//! skipped without being held whole.

mod common;

use common::*;
use std::io::{Read, Write};
use swarmscan_ingest::{Format, IngestReport, ReadOptions, SkipReason};

/// A line-delimited twarc2 input of `copies` × the real flattened sample
/// (100 tweets per copy, one per line).
fn flat_lines(copies: usize) -> Vec<u8> {
    let one = std::fs::read(real("formats/twarc2/twarc_csv_test_flat.jsonl")).unwrap();
    let mut v = Vec::with_capacity(one.len() * copies);
    for _ in 0..copies {
        v.extend_from_slice(&one);
        if !one.ends_with(b"\n") {
            v.push(b'\n');
        }
    }
    v
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

/// What `zcat` recovers: the decompressed bytes up to the first error.
fn recover(mut r: impl Read) -> Vec<u8> {
    let mut out = Vec::new();
    let mut buf = [0u8; 8192];
    loop {
        match r.read(&mut buf) {
            Ok(0) | Err(_) => return out,
            Ok(n) => out.extend_from_slice(&buf[..n]),
        }
    }
}

fn complete_lines(b: &[u8]) -> u64 {
    memchr_count(b'\n', b)
}

fn memchr_count(c: u8, b: &[u8]) -> u64 {
    b.iter().filter(|&&x| x == c).count() as u64
}

/// The one-file report, checked to add up.
fn file(report: &IngestReport) -> &swarmscan_ingest::FileReport {
    let f = &report.files[0];
    assert_eq!(f.error, None);
    assert_eq!(f.records, f.parsed + f.skipped_total(), "{:?}", f.skipped);
    f
}

#[test]
fn a_truncated_gzip_keeps_every_complete_line_before_the_cut() {
    let plain = flat_lines(10);
    let gz = gzip(&plain);
    for frac in [0.05, 0.3, 0.5, 0.97] {
        let cut = &gz[..(gz.len() as f64 * frac) as usize];
        let lines = complete_lines(&recover(flate2::read::MultiGzDecoder::new(cut)));
        let (_dir, path) = temp_file("cut.jsonl.gz", cut);
        let (_, report) = read(&path);
        let f = file(&report);
        assert_eq!((f.format.as_str(), f.compression.as_str()), ("twarc2", "gzip"));
        assert_eq!(f.parsed, lines, "cut at {frac}: all {lines} complete lines zcat recovers");
        assert_eq!(f.skipped.get(&SkipReason::TruncatedInput), Some(&1), "{:?}", f.skipped);
        assert_eq!(f.skipped_total(), 1);
        let d = &f.examples[0];
        assert_eq!((d.line, d.reason), (lines + 1, SkipReason::TruncatedInput));
        assert!(d.message.contains("breaks off at byte"), "{}", d.message);
        assert!(report.problems() > 0, "exit code 3");
    }
}

#[test]
fn a_truncated_zstd_keeps_every_complete_line_before_the_cut() {
    let plain = flat_lines(10);
    let zst = zstd::encode_all(&plain[..], 3).unwrap();
    for frac in [0.3, 0.6, 0.99] {
        let cut = &zst[..(zst.len() as f64 * frac) as usize];
        let lines = complete_lines(&recover(zstd::stream::read::Decoder::new(cut).unwrap()));
        let (_dir, path) = temp_file("cut.jsonl.zst", cut);
        let (_, report) = read(&path);
        let f = file(&report);
        assert_eq!(f.compression, "zstd");
        assert_eq!(f.parsed, lines, "cut at {frac}");
        assert_eq!(f.skipped.get(&SkipReason::TruncatedInput), Some(&1), "{:?}", f.skipped);
        assert_eq!(f.skipped_total(), 1);
    }
}

#[test]
fn a_gzip_cut_inside_its_first_256_kib_is_still_read() {
    // The head peeked for sniffing is itself cut short.
    let plain = flat_lines(1);
    let gz = gzip(&plain);
    let cut = &gz[..gz.len() / 3];
    let lines = complete_lines(&recover(flate2::read::MultiGzDecoder::new(cut)));
    assert!(lines > 0);
    let (_dir, path) = temp_file("cut.gz", cut);
    let (_, report) = read(&path);
    let f = file(&report);
    assert_eq!(f.parsed, lines);
    assert_eq!(f.skipped_total(), 1);
}

#[test]
fn a_corrupt_gzip_is_read_up_to_the_damage() {
    let plain = flat_lines(4);
    let mut gz = gzip(&plain);
    let mid = gz.len() / 2;
    for b in &mut gz[mid..mid + 64] {
        *b ^= 0x5a;
    }
    let (_dir, path) = temp_file("corrupt.jsonl.gz", &gz);
    let (_, report) = read(&path);
    let f = file(&report);
    assert!(f.parsed >= 100, "the lines before the damage: {}", f.parsed);
    assert_eq!(f.skipped.get(&SkipReason::TruncatedInput), Some(&1), "{:?}", f.skipped);
}

#[test]
fn a_gzip_whose_stream_ends_between_lines_still_says_so() {
    // Cut the compressed stream right after a sync-flushed line end: every
    // line is whole, but the trailer (and whatever followed) is missing.
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    let plain = flat_lines(1);
    e.write_all(&plain).unwrap();
    e.flush().unwrap();
    let gz = e.get_ref().clone();
    let (_dir, path) = temp_file("flushed.gz", &gz);
    let (_, report) = read(&path);
    let f = file(&report);
    assert_eq!(f.parsed, 100);
    assert_eq!(f.skipped.get(&SkipReason::TruncatedInput), Some(&1), "{:?}", f.skipped);
    assert_eq!(f.examples[0].line, 101);
}

#[test]
fn a_csv_cut_mid_row_ends_with_truncated_input() {
    let csv =
        std::fs::read(real("formats/coordination_network_toolkit/cnt_examples_sample_data_synthetic.csv")).unwrap();
    let rows = complete_lines(&csv) - 1;
    // Plain, cut inside the last row's quoted message.
    let last_quote = csv.iter().rposition(|&b| b == b'"').unwrap();
    let cut = &csv[..last_quote - 3];
    let (_dir, path) = temp_file("cut.csv", cut);
    let (_, report) = read(&path);
    let f = file(&report);
    assert_eq!(f.format, "cnt");
    assert_eq!(f.parsed, rows - 1);
    assert_eq!(f.skipped.get(&SkipReason::TruncatedInput), Some(&1), "{:?}", f.skipped);
    // Gzipped and cut.
    let gz = gzip(&csv);
    let cut = &gz[..gz.len() * 2 / 3];
    let recovered = recover(flate2::read::MultiGzDecoder::new(cut));
    let (_dir, path) = temp_file("cut.csv.gz", cut);
    let (_, report) = read(&path);
    let f = file(&report);
    assert_eq!(f.parsed, complete_lines(&recovered) - 1);
    assert_eq!(f.skipped.get(&SkipReason::TruncatedInput), Some(&1), "{:?}", f.skipped);
}

#[test]
fn a_whole_last_line_without_a_line_end_is_read() {
    let mut plain = flat_lines(1);
    plain.pop();
    let (_dir, path) = temp_file("nolf.jsonl", &plain);
    let (_, report) = read(&path);
    check_counts(&report, "twarc2", 100, &[]);
    let csv = b"message_id,user_id,username,repost_id,reply_id,message,timestamp,urls\n1,u1,n1,,,hi,5,";
    let (_dir, path) = temp_file("nolf.csv", csv);
    let (_, report) = read(&path);
    check_counts(&report, "cnt", 1, &[]);
}

#[test]
fn a_line_over_the_limit_is_skipped_and_the_rest_read() {
    let plain = flat_lines(1);
    let lines: Vec<&[u8]> = plain.split(|&b| b == b'\n').filter(|l| !l.is_empty()).collect();
    // A 6 MiB line (longer than a 4 MiB chunk) between real lines.
    let mut input = Vec::new();
    input.extend_from_slice(lines[0]);
    input.extend_from_slice(b"\n{\"data\":\"");
    input.resize(input.len() + (6 << 20), b'x');
    input.extend_from_slice(b"\"}\n");
    for l in &lines[1..] {
        input.extend_from_slice(l);
        input.push(b'\n');
    }
    let (_dir, path) = temp_file("long.jsonl", &input);
    let opts = ReadOptions { format: Some(Format::Twarc2), max_record_bytes: 1 << 20, ..Default::default() };
    let (_, report) = read_with(&path, &opts);
    check_counts(&report, "twarc2", 100, &[(SkipReason::RecordTooLarge, 1)]);
    let d = &report.files[0].examples[0];
    assert_eq!((d.line, d.reason), (2, SkipReason::RecordTooLarge));
    assert_eq!(report.files[0].bytes, input.len() as u64);
    // Lines over the limit that fit in a chunk are caught too.
    let opts = ReadOptions { max_record_bytes: 4000, ..Default::default() };
    let (_, report) = read_with(&path, &opts);
    let f = file(&report);
    assert_eq!(f.parsed + f.skipped[&SkipReason::RecordTooLarge], 101);
    assert!(f.skipped[&SkipReason::RecordTooLarge] > 1);
    // The default limit keeps the 6 MiB line (it is malformed twarc2, not too large).
    let (_, report) = read_with(&path, &ReadOptions { format: Some(Format::Twarc2), ..Default::default() });
    assert_eq!(report.files[0].skipped.get(&SkipReason::RecordTooLarge), None);
}

#[test]
fn a_last_line_over_the_limit_is_skipped() {
    let mut input = b"{\"data\":\"".to_vec();
    input.resize(5 << 20, b'y');
    let (_dir, path) = temp_file("one-long-line.jsonl", &input);
    let opts = ReadOptions { format: Some(Format::Twarc2), max_record_bytes: 1 << 20, ..Default::default() };
    let (_, report) = read_with(&path, &opts);
    check_counts(&report, "twarc2", 0, &[(SkipReason::RecordTooLarge, 1)]);
}

#[test]
fn a_csv_row_over_the_limit_is_skipped() {
    // An unclosed quote swallows the rest of the file into one row.
    let mut csv = b"message_id,user_id,username,repost_id,reply_id,message,timestamp,urls\n".to_vec();
    csv.extend_from_slice(b"1,u1,n1,,,hi,5,\n");
    csv.extend_from_slice(b"2,u2,n2,,,\"unclosed,6,\n");
    for i in 0..5000 {
        csv.extend_from_slice(format!("{i},u,n,,,text,7,\n").as_bytes());
    }
    let (_dir, path) = temp_file("unclosed.csv", &csv);
    let opts = ReadOptions { max_record_bytes: 1000, ..Default::default() };
    let (_, report) = read_with(&path, &opts);
    check_counts(&report, "cnt", 1, &[(SkipReason::RecordTooLarge, 1)]);
    assert_eq!(report.files[0].examples[0].line, 3);
    // A long row in the middle, then normal rows.
    let mut csv = b"message_id,user_id,username,repost_id,reply_id,message,timestamp,urls\n".to_vec();
    csv.extend_from_slice(b"1,u1,n1,,,hi,5,\n2,u2,n2,,,");
    csv.resize(csv.len() + 5000, b'z');
    csv.extend_from_slice(b",6,\n3,u3,n3,,,bye,7,\n");
    let (_dir, path) = temp_file("long.csv", &csv);
    let (_, report) = read_with(&path, &opts);
    check_counts(&report, "cnt", 2, &[(SkipReason::RecordTooLarge, 1)]);
    assert_eq!(report.files[0].examples[0].line, 3);
}

#[test]
fn lines_after_a_dropped_line_are_kept_whatever_follows() {
    // Over-long, short, over-long (longer than a chunk, so the bytes after the
    // first dropped line are followed by a read without any line end), short.
    let plain = flat_lines(1);
    let short: Vec<&[u8]> = plain.split(|&b| b == b'\n').filter(|l| !l.is_empty()).take(3).collect();
    let long = |n: usize| {
        let mut v = b"{\"data\":\"".to_vec();
        v.resize(n, b'x');
        v.extend_from_slice(b"\"}\n");
        v
    };
    let mut input = long(2 << 20);
    input.extend_from_slice(short[0]);
    input.push(b'\n');
    input.extend_from_slice(short[1]);
    input.push(b'\n');
    input.extend_from_slice(&long(9 << 20));
    input.extend_from_slice(short[2]);
    input.push(b'\n');
    let (_dir, path) = temp_file("mixed.jsonl", &input);
    let opts = ReadOptions { format: Some(Format::Twarc2), max_record_bytes: 1 << 20, ..Default::default() };
    let (_, report) = read_with(&path, &opts);
    check_counts(&report, "twarc2", 3, &[(SkipReason::RecordTooLarge, 2)]);
    let lines: Vec<u64> = report.files[0].examples.iter().map(|d| d.line).collect();
    assert_eq!(lines, [1, 4]);
}
