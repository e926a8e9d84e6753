//! The live-stream formats read back through swarmscan's own readers
//! (`swarmscan_ingest::read_inputs`, formats sniffed): the Jetstream and
//! Mastodon files must give, event by event, what the twarc2 file gives —
//! kind, time, text, language, hashtags, URLs, mentions — and group events
//! and accounts the same way: a repost, reply or quote names its target by
//! the very post id the target has in that format.
//!
//! What differs by platform, and is allowed for here:
//!
//! * Links: twarc2 text holds `https://t.co/…` links (written) that stand for
//!   the expanded URLs; Bluesky text holds the shortened URL a facet covers;
//!   Mastodon content the whole URL. Texts are compared with every written
//!   link replaced by its expanded URL.
//! * Reposts: twarc2 writes `RT @user: <text>` with the original's entities;
//!   a Mastodon boost carries the original whole (its text, lists and
//!   language); a Jetstream repost record has nothing but its subject.
//! * Mentions: Bluesky names an account by its DID (checked to be the DID
//!   that account posts under), Mastodon lists each account once, twarc2 each
//!   occurrence; Mastodon also lists each hashtag once.

use std::collections::HashMap;
use std::path::Path;

use serde_json::Value;
use swarmscan_gen::{Format, GenConfig, generate, preset};
use swarmscan_ingest::{ReadOptions, read_inputs};
use tempfile::TempDir;

/// One event as the reader gives it, strings owned.
#[derive(Debug)]
struct Ev {
    kind: &'static str,
    ts: i64,
    post: String,
    target: Option<String>,
    account: String,
    handle: String,
    text: String,
    lang: String,
    /// `(written, expanded)`.
    urls: Vec<(String, String)>,
    hashtags: Vec<String>,
    mentions: Vec<String>,
}

fn run(formats: &[Format], scenario: &str) -> TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let scenario = preset(scenario).expect("a preset").scenario;
    let cfg = GenConfig { scale: 0.02, seed: 11, formats: formats.to_vec(), scenario, ..GenConfig::default() };
    generate(&cfg, dir.path()).expect("generate");
    dir
}

/// Reads `path` through the readers; it must sniff as `format` and every
/// record must become an event.
fn read(path: &Path, format: &str) -> Vec<Ev> {
    let name = path.to_string_lossy().into_owned();
    let (events, report) = read_inputs(std::slice::from_ref(&name), &ReadOptions::default(), None).expect("read");
    let f = &report.files[0];
    assert_eq!(f.error, None, "{name}");
    assert_eq!(f.format, format, "{name} sniffed as {}", f.format);
    assert!(f.records > 1000, "{name}: only {} records", f.records);
    assert_eq!(f.parsed, f.records, "{name}: skipped {:?}, e.g. {:?}", f.skipped, f.examples);
    (0..events.len())
        .map(|i| {
            let r = events.row(i);
            Ev {
                kind: r.kind.as_str(),
                ts: r.ts_ms,
                post: r.post_id.to_string(),
                target: r.target.map(|t| t.to_string()),
                account: r.account_id.to_string(),
                handle: r.handle.to_string(),
                text: r.text.to_string(),
                lang: r.lang.to_string(),
                urls: r.urls.iter().map(|&(w, x)| (w.to_string(), x.to_string())).collect(),
                hashtags: r.hashtags.iter().map(|h| h.to_string()).collect(),
                mentions: r.mentions.iter().map(|m| m.to_string()).collect(),
            }
        })
        .collect()
}

/// A one-to-one map built pair by pair; a pair that contradicts an earlier
/// one fails the test.
#[derive(Default)]
struct Bijection {
    fwd: HashMap<String, String>,
    bwd: HashMap<String, String>,
}

impl Bijection {
    fn pair(&mut self, a: &str, b: &str, what: &str, at: usize) {
        let fwd = self.fwd.entry(a.to_string()).or_insert_with(|| b.to_string());
        assert_eq!(fwd, b, "event {at}: {what} {a} maps to two values");
        let bwd = self.bwd.entry(b.to_string()).or_insert_with(|| a.to_string());
        assert_eq!(bwd, a, "event {at}: {what} {b} has two preimages");
    }
}

/// Post id → position; post ids are unique.
fn positions(evs: &[Ev]) -> HashMap<&str, usize> {
    let mut pos = HashMap::with_capacity(evs.len());
    for (i, e) in evs.iter().enumerate() {
        assert!(pos.insert(e.post.as_str(), i).is_none(), "post id {} twice", e.post);
    }
    pos
}

/// `text` with each written URL replaced by its expanded URL, in order.
fn expand_links(text: &str, urls: &[(String, String)], at: usize) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    for (written, expanded) in urls {
        let Some(p) = rest.find(written.as_str()) else {
            panic!("event {at}: URL written as {written:?} is not in the text {text:?}");
        };
        out.push_str(&rest[..p]);
        out.push_str(expanded);
        rest = &rest[p + written.len()..];
    }
    out.push_str(rest);
    out
}

/// The first of each group of values that `same` calls equal.
fn dedup_by(v: &[String], same: impl Fn(&str, &str) -> bool) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for x in v {
        if !out.iter().any(|y| same(x, y)) {
            out.push(x.clone());
        }
    }
    out
}

fn expanded(e: &Ev) -> Vec<&str> {
    e.urls.iter().map(|(_, x)| x.as_str()).collect()
}

/// The one entry point: generates a collection of the `scenario` preset in
/// every format and checks the `stream` file against the twarc2 file, event
/// by event.
fn check(stream: Format, scenario: &str) {
    let dir = run(&Format::ALL, scenario);
    let (sniffed, jet) = match stream {
        Format::Jetstream => ("bluesky", true),
        Format::Mastodon => ("mastodon", false),
        other => panic!("{other:?} is not a live-stream format"),
    };
    let tw = read(&dir.path().join(Format::Twarc2.file_name()), "twarc2");
    let st = read(&dir.path().join(stream.file_name()), sniffed);
    assert_eq!(tw.len(), st.len(), "same number of events");
    let (tw_pos, st_pos) = (positions(&tw), positions(&st));

    let (mut accounts, mut targets, mut mentioned) = (Bijection::default(), Bijection::default(), Bijection::default());
    let mut handle_account: HashMap<&str, &str> = HashMap::new();
    let mut kinds: HashMap<&str, usize> = HashMap::new();
    let mut resolved = 0;
    for (i, (a, b)) in tw.iter().zip(&st).enumerate() {
        assert_eq!(a.kind, b.kind, "event {i}: kind ({a:?} / {b:?})");
        assert_eq!(a.ts, b.ts, "event {i}: time");
        *kinds.entry(a.kind).or_default() += 1;
        accounts.pair(&a.account, &b.account, "account", i);
        handle_account.insert(&a.handle, &a.account);
        assert_eq!(b.handle, if jet { "" } else { a.handle.as_str() }, "event {i}: handle");
        if jet {
            assert!(b.post.starts_with(&format!("at://{}/app.bsky.feed.", b.account)), "event {i}: {}", b.post);
        }
        match (&a.target, &b.target) {
            (None, None) => {}
            (Some(x), Some(y)) => {
                targets.pair(x, y, "target", i);
                // The target is the referenced post's own id, in both files.
                assert_eq!(tw_pos.get(x.as_str()), st_pos.get(y.as_str()), "event {i}: target {x} / {y}");
                resolved += usize::from(tw_pos.contains_key(x.as_str()));
            }
            _ => panic!("event {i}: target {:?} / {:?}", a.target, b.target),
        }

        let repost = a.kind == "repost";
        let mut text = expand_links(&a.text, &a.urls, i);
        let mut body_mentions = a.mentions.as_slice();
        if repost {
            let body = text.strip_prefix("RT @").and_then(|t| t.split_once(": ")).map(|(_, t)| t.to_string());
            text = body.unwrap_or_else(|| panic!("event {i}: retweet text {:?}", a.text));
            body_mentions = &a.mentions[1..];
        }
        if jet && repost {
            assert!(b.text.is_empty() && b.lang.is_empty(), "event {i}: a repost record has no text");
            assert!(b.urls.is_empty() && b.hashtags.is_empty() && b.mentions.is_empty(), "event {i}: {b:?}");
            continue;
        }
        assert_eq!(expand_links(&b.text, &b.urls, i), text, "event {i}: text ({:?} / {:?})", a.text, b.text);
        assert_eq!(b.lang, a.lang, "event {i}: language");
        assert_eq!(expanded(b), expanded(a), "event {i}: URLs");
        assert!(!b.text.contains("https://t.co/"), "event {i}: a t.co link in {:?}", b.text);
        if jet {
            // A link is shown shortened: no scheme or `www.`, cut with `…`.
            for (w, x) in &b.urls {
                let shown = x.trim_start_matches("https://").trim_start_matches("http://").trim_start_matches("www.");
                assert!(w != x && shown.starts_with(w.trim_end_matches('…')), "event {i}: {x} shown as {w}");
            }
            assert_eq!(b.hashtags, a.hashtags, "event {i}: hashtags");
            assert_eq!(
                b.mentions.len(),
                body_mentions.len(),
                "event {i}: mentions {:?} / {:?}",
                a.mentions,
                b.mentions
            );
            for (m, did) in body_mentions.iter().zip(&b.mentions) {
                mentioned.pair(m, did, "mention", i);
            }
        } else {
            // Each written URL is the whole URL.
            assert!(b.urls.iter().all(|(w, x)| w == x), "event {i}: {:?}", b.urls);
            let same_tag = |x: &str, y: &str| x.to_lowercase() == y.to_lowercase();
            assert_eq!(b.hashtags, dedup_by(&a.hashtags, same_tag), "event {i}: hashtags");
            let mut want = dedup_by(body_mentions, |x, y| x.eq_ignore_ascii_case(y));
            if a.kind == "reply"
                && let Some(&p) = a.target.as_deref().and_then(|t| tw_pos.get(t))
                && tw[p].account != a.account
                && !want.contains(&tw[p].handle)
            {
                want.push(tw[p].handle.clone());
            }
            assert_eq!(b.mentions, want, "event {i}: mentions");
        }
    }
    for kind in ["post", "repost", "reply", "quote"] {
        assert!(kinds.get(kind).is_some_and(|&n| n > 10), "too few {kind}s: {kinds:?}");
    }
    assert!(resolved * 10 > tw.len(), "only {resolved} targets in the data");
    // A mentioned account's DID is the one it posts under.
    let mut checked = 0;
    for (handle, did) in &mentioned.fwd {
        if let Some(account) = handle_account.get(handle.as_str()) {
            assert_eq!(accounts.fwd.get(*account), Some(did), "@{handle}");
            checked += 1;
        }
    }
    assert!(!jet || checked > 10, "only {checked} mentioned accounts post");

    check_raw_times(dir.path(), stream);
}

/// What the readers do not show: a Jetstream event's `time_us` increases
/// strictly and is its `createdAt` (the twarc2 `created_at`) in µs; a
/// Mastodon status's `id` increases and its `created_at` is twarc2's.
fn check_raw_times(dir: &Path, stream: Format) {
    let read = |f: Format| std::fs::read_to_string(dir.join(f.file_name())).expect("read");
    let (tw, st) = (read(Format::Twarc2), read(stream));
    let mut prev = 0u64;
    for (i, (a, b)) in tw.lines().zip(st.lines()).enumerate() {
        let a: Value = serde_json::from_str(a).expect("twarc2 line");
        let b: Value = serde_json::from_str(b).expect("stream line");
        let created = a["created_at"].as_str().expect("created_at");
        let (time, key) = match stream {
            Format::Jetstream => {
                assert_eq!(b["commit"]["record"]["createdAt"], created, "event {i}");
                let us = b["time_us"].as_u64().expect("time_us");
                let ms: u64 = a["id"]
                    .as_str()
                    .and_then(|id| id.parse::<u64>().ok())
                    .map(|id| (id >> 22) + 1_288_834_974_657)
                    .expect("id");
                assert_eq!(us / 1000, ms, "event {i}: time_us {us} is not {created}");
                (us, "time_us")
            }
            _ => {
                assert_eq!(b["created_at"], created, "event {i}");
                let id = b["id"].as_str().and_then(|id| id.parse::<u64>().ok()).expect("decimal id");
                (id, "id")
            }
        };
        assert!(time > prev, "event {i}: {key} {time} does not increase");
        prev = time;
    }
}

#[test]
fn jetstream_reads_back_as_the_twarc2_events() {
    check(Format::Jetstream, "default");
}

#[test]
fn mastodon_reads_back_as_the_twarc2_events() {
    check(Format::Mastodon, "default");
}

/// A focused collection drops most organic accounts, so many targets are
/// not in the data: they must still group the same way.
#[test]
fn focused_collections_read_back_too() {
    check(Format::Jetstream, "focused");
    check(Format::Mastodon, "focused");
}

#[test]
fn stream_formats_change_no_other_file_and_ignore_thread_count() {
    let files = |dir: &TempDir, formats: &[Format]| -> Vec<(String, Vec<u8>)> {
        let names = formats.iter().map(|f| f.file_name()).chain(["labels.csv", "operations.json"]);
        names.map(|n| (n.to_string(), std::fs::read(dir.path().join(n)).expect("read output"))).collect()
    };
    let base = [Format::Cnt, Format::Twarc2];
    let all = run(&Format::ALL, "default");
    let default = files(&run(&base, "default"), &base);
    assert_eq!(files(&all, &base), default, "writing the stream formats changed another file");
    let pool = rayon::ThreadPoolBuilder::new().num_threads(1).build().expect("pool");
    let one = pool.install(|| run(&Format::ALL, "default"));
    for ((name, x), (_, y)) in files(&all, &Format::ALL).iter().zip(files(&one, &Format::ALL)) {
        assert!(*x == y, "{name} differs with one thread");
    }
    assert_eq!(Format::ALL.map(|f| f.as_str().parse::<Format>()), Format::ALL.map(Ok), "names parse back");
}
