//! End-to-end checks of the generated files: determinism (also across thread
//! counts), the CSV and JSONL layouts, label coverage, the ground truth,
//! camouflage, time order, and that a naive fixed-threshold co-action count
//! cannot separate operations from organic fan groups.
#![allow(clippy::print_stderr)]

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

use serde_json::Value;
use swarmscan_gen::{Format, GenConfig, GenSummary, OpKind, generate};
use tempfile::TempDir;

/// One row of `events.csv`.
#[derive(Debug, Clone)]
struct Row {
    id: String,
    user: String,
    username: String,
    repost: String,
    reply: String,
    text: String,
    ts: i64,
    urls: String,
}

struct Data {
    dir: TempDir,
    summary: GenSummary,
    rows: Vec<Row>,
    labels: BTreeMap<String, String>,
    /// `op_actions` of labels.csv.
    actions: BTreeMap<String, u64>,
    ops: Value,
}

fn config(scale: f64, seed: u64) -> GenConfig {
    GenConfig { scale, seed, formats: vec![Format::Cnt, Format::Twarc2], ..GenConfig::default() }
}

fn run(cfg: &GenConfig) -> (TempDir, GenSummary) {
    let dir = tempfile::tempdir().expect("tempdir");
    let summary = generate(cfg, dir.path()).expect("generate");
    (dir, summary)
}

/// The one entry point of these tests: generate, then read every file back.
fn check(scale: f64, seed: u64) -> Data {
    let (dir, summary) = run(&config(scale, seed));
    let rows = read_csv(&dir.path().join("events.csv"));
    let (mut labels, mut actions) = (BTreeMap::new(), BTreeMap::new());
    let mut rdr = csv::Reader::from_path(dir.path().join("labels.csv")).expect("labels");
    assert_eq!(rdr.headers().expect("header").iter().collect::<Vec<_>>(), ["account_id", "label", "op_actions"]);
    for rec in rdr.records() {
        let rec = rec.expect("label row");
        assert_eq!(rec.len(), 3);
        assert!(labels.insert(rec[0].to_string(), rec[1].to_string()).is_none(), "duplicate label row {}", &rec[0]);
        actions.insert(rec[0].to_string(), rec[2].parse::<u64>().expect("op_actions is a count"));
    }
    let ops: Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("operations.json")).expect("operations.json"))
            .expect("operations.json parses");
    Data { dir, summary, rows, labels, actions, ops }
}

fn read_csv(path: &Path) -> Vec<Row> {
    let mut rdr = csv::ReaderBuilder::new().flexible(true).from_path(path).expect("events.csv");
    assert_eq!(
        rdr.headers().expect("header").iter().collect::<Vec<_>>(),
        ["message_id", "user_id", "username", "repost_id", "reply_id", "message", "timestamp", "urls"]
    );
    rdr.records()
        .map(|r| {
            let r = r.expect("csv record");
            assert_eq!(r.len(), 8, "row with {} columns: {r:?}", r.len());
            Row {
                id: r[0].to_string(),
                user: r[1].to_string(),
                username: r[2].to_string(),
                repost: r[3].to_string(),
                reply: r[4].to_string(),
                text: r[5].to_string(),
                ts: r[6].parse().expect("integer timestamp"),
                urls: r[7].to_string(),
            }
        })
        .collect()
}

fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    ["events.csv", "events.jsonl", "labels.csv", "operations.json"]
        .iter()
        .map(|f| (f.to_string(), std::fs::read(dir.join(f)).expect("read output")))
        .collect()
}

fn kind_of(label: &str) -> Option<&str> {
    let rest = label.strip_prefix("op_")?;
    let (kind, _) = rest.rsplit_once('_')?;
    Some(kind)
}

#[test]
fn same_seed_same_bytes_any_thread_count() {
    let cfg = config(0.01, 5);
    let (a, sa) = run(&cfg);
    let pool = rayon::ThreadPoolBuilder::new().num_threads(1).build().expect("pool");
    let (b, sb) = pool.install(|| run(&cfg));
    let fa = files(a.path());
    let fb = files(b.path());
    for ((name, x), (_, y)) in fa.iter().zip(&fb) {
        assert!(x == y, "{name} differs between runs with the same seed");
    }
    assert_eq!(sa.events, sb.events);
    assert_eq!(sa.operations, sb.operations);

    let (c, _) = run(&config(0.01, 6));
    let fc = files(c.path());
    assert_ne!(fa[0].1, fc[0].1, "a different seed gives different events");
}

#[test]
fn csv_rows_are_well_formed_and_time_ordered() {
    let d = check(0.02, 11);
    assert_eq!(d.rows.len() as u64, d.summary.events);
    assert!(d.summary.events > 10_000, "{}", d.summary.events);
    let mut ids = BTreeSet::new();
    let mut prev_id = 0u64;
    let mut prev_ts = i64::MIN;
    let mut handles: HashMap<&str, &str> = HashMap::new();
    let (mut reposts, mut replies, mut with_urls) = (0, 0, 0);
    for r in &d.rows {
        let id: u64 = r.id.parse().expect("numeric message id");
        assert!(id > prev_id, "ids strictly increase with time");
        prev_id = id;
        assert!(r.ts >= prev_ts, "timestamps never go back");
        prev_ts = r.ts;
        ids.insert(r.id.clone());
        r.user.parse::<u64>().expect("numeric user id");
        assert!(
            !r.username.is_empty()
                && r.username.len() <= 23
                && r.username.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'),
            "handle {:?}",
            r.username
        );
        let prev = handles.insert(&r.user, &r.username);
        assert!(prev.is_none_or(|p| p == r.username), "one handle per account");
        assert!(r.repost.is_empty() || r.reply.is_empty());
        for parent in [&r.repost, &r.reply] {
            if !parent.is_empty() {
                assert!(ids.contains(parent), "reference to an earlier message");
            }
        }
        reposts += usize::from(!r.repost.is_empty());
        replies += usize::from(!r.reply.is_empty());
        with_urls += usize::from(!r.urls.is_empty());
        assert!(!r.text.is_empty());
        for u in r.urls.split(' ').filter(|u| !u.is_empty()) {
            assert!(u.starts_with("https://"), "{u}");
        }
    }
    let n = d.rows.len();
    assert!(reposts * 4 > n, "reposts are a large share: {reposts}/{n}");
    assert!(replies * 20 > n, "replies exist: {replies}/{n}");
    assert!(with_urls * 10 > n, "links are common: {with_urls}/{n}");
    let span = d.rows.last().map_or(0, |r| r.ts) - d.rows.first().map_or(0, |r| r.ts);
    assert!(span > 6 * 86_400, "covers the week: {span}");
}

#[test]
fn jsonl_matches_csv_line_by_line() {
    let d = check(0.01, 3);
    let text = std::fs::read_to_string(d.dir.path().join("events.jsonl")).expect("jsonl");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), d.rows.len());
    let mut prev = String::new();
    for (line, row) in lines.iter().zip(&d.rows) {
        let v: Value = serde_json::from_str(line).expect("valid JSON line");
        for key in ["id", "text", "author_id", "author", "created_at", "lang", "__twarc"] {
            assert!(v.get(key).is_some(), "missing {key}: {line}");
        }
        assert_eq!(v["id"], row.id.as_str());
        assert_eq!(v["author_id"], row.user.as_str());
        assert_eq!(v["author"]["id"], row.user.as_str());
        assert_eq!(v["author"]["username"], row.username.as_str());
        let created = v["created_at"].as_str().expect("created_at");
        assert!(created.len() == 24 && created.ends_with('Z') && &created[19..20] == ".", "{created}");
        assert!(created >= prev.as_str(), "time order");
        prev = created.to_string();
        let refs = v.get("referenced_tweets").and_then(Value::as_array);
        if !row.repost.is_empty() {
            let r = &refs.expect("retweet has a reference")[0];
            assert_eq!(r["type"], "retweeted");
            assert_eq!(r["id"], row.repost.as_str());
            assert!(v["text"].as_str().is_some_and(|t| t.starts_with("RT @")));
        } else if !row.reply.is_empty() {
            let r = &refs.expect("reply has a reference")[0];
            assert_eq!(r["type"], "replied_to");
            assert_eq!(r["id"], row.reply.as_str());
            assert!(v.get("in_reply_to_user_id").is_some());
        } else {
            assert_eq!(v["text"], row.text.as_str());
            if let Some(r) = refs {
                assert_eq!(r[0]["type"], "quoted");
            }
        }
        let expanded: Vec<&str> = v["entities"]["urls"]
            .as_array()
            .map(|a| a.iter().filter_map(|u| u["expanded_url"].as_str()).collect())
            .unwrap_or_default();
        let csv_urls: Vec<&str> = row.urls.split(' ').filter(|u| !u.is_empty()).collect();
        assert_eq!(expanded, csv_urls, "entities.urls match the CSV urls");
        if let Some(tags) = v["entities"]["hashtags"].as_array() {
            for t in tags {
                let tag = t["tag"].as_str().expect("tag");
                assert!(v["text"].as_str().is_some_and(|x| x.contains(&format!("#{tag}"))));
            }
        }
    }
}

#[test]
fn every_account_labelled_and_every_label_used() {
    let d = check(0.02, 8);
    let users: BTreeSet<&str> = d.rows.iter().map(|r| r.user.as_str()).collect();
    let labelled: BTreeSet<&str> = d.labels.keys().map(String::as_str).collect();
    assert_eq!(users, labelled);
    assert_eq!(d.summary.accounts as usize, labelled.len());
    let mut kinds = BTreeSet::new();
    let mut fans = 0;
    for label in d.labels.values() {
        if label == "organic" {
            continue;
        }
        if let Some(n) = label.strip_prefix("fan_") {
            n.parse::<u32>().expect("fan_<n>");
            fans += 1;
            continue;
        }
        let kind = kind_of(label).expect("op_<kind>_<n>");
        label.rsplit('_').next().and_then(|n| n.parse::<u32>().ok()).expect("op number");
        kinds.insert(kind.to_string());
    }
    let all: BTreeSet<String> = OpKind::ALL.iter().map(|k| k.as_str().to_string()).collect();
    assert_eq!(kinds, all, "every kind of operation is planted");
    let ops = d.labels.values().filter(|l| l.starts_with("op_")).count();
    let share = ops as f64 / d.labels.len() as f64;
    // Six kinds of at least eight members: at this tiny scale (about 700
    // accounts) that is ~8%; at scale >= 0.05 it is at most ~3%.
    assert!(share < 0.10, "operations are a small share of accounts: {share}");
    assert!(fans >= 20, "{fans}");
}

#[test]
fn ground_truth_matches_labels_and_ops_have_camouflage() {
    let d = check(0.02, 21);
    let ops = d.ops["operations"].as_array().expect("operations");
    assert_eq!(ops.len(), d.summary.operations.len());
    let by_user: HashMap<&str, Vec<&Row>> = d.rows.iter().fold(HashMap::new(), |mut m, r| {
        m.entry(r.user.as_str()).or_default().push(r);
        m
    });
    for (op, sum) in ops.iter().zip(&d.summary.operations) {
        let id = op["id"].as_str().expect("id");
        assert_eq!(id, sum.id);
        assert_eq!(op["kind"], sum.kind.as_str());
        let members: Vec<&str> = op["members"].as_array().expect("members").iter().filter_map(Value::as_str).collect();
        assert!(members.len() >= 8, "{id}: {} members", members.len());
        for m in &members {
            assert_eq!(d.labels.get(*m).map(String::as_str), Some(id), "{id} member label");
        }
        let labelled = d.labels.values().filter(|l| l.as_str() == id).count();
        assert_eq!(labelled, members.len(), "{id}: labels and members agree");
        // op_actions: the operation's own events, each by one of its members.
        let acted: u64 = members.iter().map(|m| d.actions[*m]).sum();
        assert!(acted > 0 && acted <= sum.events, "{id}: members posted {acted} of its {} events", sum.events);
        assert!(op["start_ms"].as_i64() <= op["end_ms"].as_i64());
        assert!(sum.events > 0, "{id} acted");
        assert!(sum.camouflage_events > 0, "{id} has camouflage");

        // Camouflage seen from the files: member rows that touch none of the
        // operation's targets.
        let t = &op["targets"];
        let set = |k: &str| -> BTreeSet<String> {
            t[k].as_array().map(|a| a.iter().filter_map(|x| x.as_str().map(String::from)).collect()).unwrap_or_default()
        };
        let (urls, posts, tags) = (set("urls"), set("posts"), set("hashtags"));
        let texts = set("texts");
        assert!(!(urls.is_empty() && posts.is_empty() && tags.is_empty() && texts.is_empty()), "{id} has targets");
        let member_rows: Vec<&Row> =
            members.iter().flat_map(|m| by_user.get(m).into_iter().flatten().copied()).collect();
        let linked = |r: &Row| {
            urls.iter().any(|u| r.urls.contains(u.as_str()))
                || posts.contains(&r.repost)
                || posts.contains(&r.reply)
                || tags.iter().any(|h| r.text.contains(&format!("#{h}")))
                || posts.contains(&r.id)
        };
        let camo = member_rows.iter().filter(|r| !linked(r)).count();
        assert!(camo * 5 > member_rows.len(), "{id}: {camo} of {} rows are camouflage", member_rows.len());
    }
    for (id, label) in &d.labels {
        assert!(label.starts_with("op_") || d.actions[id] == 0, "{id} ({label}) has operation events");
    }
    let fans = d.ops["fan_groups"].as_array().expect("fan groups");
    assert!(!fans.is_empty());
    for g in fans {
        let id = g["id"].as_str().expect("fan id");
        for m in g["members"].as_array().expect("members") {
            assert_eq!(d.labels.get(m.as_str().unwrap_or("")).map(String::as_str), Some(id));
        }
        // The celebrity is organic.
        assert_eq!(d.labels.get(g["celebrity"].as_str().unwrap_or("")).map(String::as_str), Some("organic"));
    }
}

#[test]
fn cloned_news_uses_lookalike_domains_and_copypasta_is_not_exact() {
    let d = check(0.02, 4);
    let ops = d.ops["operations"].as_array().expect("operations");
    for op in ops {
        match op["kind"].as_str() {
            Some("cloned_news") => {
                let domains: Vec<(&str, &str)> = op["targets"]["domains"]
                    .as_array()
                    .expect("domains")
                    .iter()
                    .filter_map(|d| Some((d["domain"].as_str()?, d["imitates"].as_str()?)))
                    .collect();
                assert!(!domains.is_empty());
                for (fake, real) in &domains {
                    assert_ne!(fake, real);
                }
                for u in op["targets"]["urls"].as_array().expect("urls") {
                    let u = u.as_str().unwrap_or("");
                    assert!(domains.iter().any(|(f, _)| u.contains(f)), "{u}");
                }
            }
            Some("copypasta") => {
                let members: BTreeSet<&str> =
                    op["members"].as_array().expect("members").iter().filter_map(Value::as_str).collect();
                let texts: Vec<&str> = d
                    .rows
                    .iter()
                    .filter(|r| members.contains(r.user.as_str()) && r.repost.is_empty())
                    .map(|r| r.text.as_str())
                    .collect();
                let distinct: BTreeSet<&str> = texts.iter().copied().collect();
                assert!(distinct.len() * 10 > texts.len() * 6, "variants, not copies");
            }
            _ => {}
        }
    }
}

/// Brute-force co-repost + co-link weights: for every pair of accounts, the
/// number of times they reposted the same post, or posted the same URL
/// (reposts excluded, as the toolkit does), within `window` seconds of each
/// other. Accounts are numbered in order of first appearance in `rows`.
fn naive_weights(rows: &[Row], window: i64) -> HashMap<(usize, usize), u32> {
    let mut user_ix: HashMap<&str, usize> = HashMap::new();
    let mut targets: HashMap<String, Vec<(i64, usize)>> = HashMap::new();
    for r in rows {
        let n = user_ix.len();
        let u = *user_ix.entry(r.user.as_str()).or_insert(n);
        if !r.repost.is_empty() {
            targets.entry(format!("rt:{}", r.repost)).or_default().push((r.ts, u));
        } else {
            for url in r.urls.split(' ').filter(|x| !x.is_empty()) {
                targets.entry(format!("url:{url}")).or_default().push((r.ts, u));
            }
        }
    }
    let mut w: HashMap<(usize, usize), u32> = HashMap::new();
    for list in targets.values_mut() {
        list.sort_unstable();
        for i in 0..list.len() {
            for j in i + 1..list.len() {
                if list[j].0 - list[i].0 > window {
                    break;
                }
                let (a, b) = (list[i].1, list[j].1);
                if a != b {
                    *w.entry((a.min(b), a.max(b))).or_default() += 1;
                }
            }
        }
    }
    w
}

#[test]
fn fixed_threshold_co_action_cannot_separate_ops_from_fans() {
    let d = check(0.05, 2024);
    let mut order: Vec<&str> = Vec::new();
    let mut seen = BTreeSet::new();
    for r in &d.rows {
        if seen.insert(r.user.as_str()) {
            order.push(r.user.as_str());
        }
    }
    let w = naive_weights(&d.rows, 60);
    let mut max_edge = vec![0u32; order.len()];
    for (&(a, b), &c) in &w {
        max_edge[a] = max_edge[a].max(c);
        max_edge[b] = max_edge[b].max(c);
    }
    let label = |i: usize| d.labels.get(order[i]).map_or("", String::as_str);
    let ops: Vec<usize> = (0..order.len()).filter(|&i| label(i).starts_with("op_")).collect();
    let fans: Vec<usize> = (0..order.len()).filter(|&i| label(i).starts_with("fan_")).collect();
    let visible: Vec<usize> =
        ops.iter().copied().filter(|&i| matches!(kind_of(label(i)), Some("repost_ring" | "cloned_news"))).collect();
    assert!(ops.len() >= 40 && fans.len() >= 50 && visible.len() >= 16);
    let share = ops.len() as f64 / order.len() as f64;
    assert!(share < 0.04, "operations are a small share of accounts: {share}");
    let top = max_edge.iter().copied().max().unwrap_or(0);
    let rate = |set: &[usize], t: u32| set.iter().filter(|&&i| max_edge[i] >= t).count() as f64 / set.len() as f64;
    for (name, positives) in [("all operations", &ops), ("repost_ring + cloned_news", &visible)] {
        let mut best_recall = 0.0f64;
        let mut best_fp_at_recall: Option<(u32, f64, f64)> = None;
        for t in 1..=top + 1 {
            let recall = rate(positives, t);
            let fan_fp = rate(&fans, t);
            assert!(
                !(recall >= 0.9 && fan_fp <= 0.05),
                "{name}: threshold {t} separates ops (recall {recall:.2}) from fans ({fan_fp:.2})"
            );
            if fan_fp <= 0.05 {
                best_recall = best_recall.max(recall);
            }
            if recall >= 0.9 && best_fp_at_recall.is_none_or(|(_, _, f)| fan_fp < f) {
                best_fp_at_recall = Some((t, recall, fan_fp));
            }
        }
        eprintln!(
            "{name}: best recall with <=5% fans flagged = {best_recall:.2}; \
             lowest fan FP with >=90% recall = {best_fp_at_recall:?} (threshold, recall, fan FP)"
        );
    }
    let max_fan = fans.iter().map(|&i| max_edge[i]).max().unwrap_or(0);
    let max_op = ops.iter().map(|&i| max_edge[i]).max().unwrap_or(0);
    eprintln!("max pair weight: fans {max_fan}, operations {max_op}");
    assert!(2 * max_fan > 3 * max_op, "fans out-coordinate ops on raw counts: {max_fan} vs {max_op}");

    // The quiet kinds stay quiet: slow_link and copypasta members rarely reach
    // even a weight of 3 from their operation.
    let quiet: Vec<usize> = ops
        .iter()
        .copied()
        .filter(|&i| matches!(kind_of(label(i)), Some("slow_link" | "copypasta" | "hashtag_push")))
        .collect();
    assert!(rate(&quiet, 4) < 0.5, "quiet kinds: {}", rate(&quiet, 4));
}

#[test]
fn bad_configs_are_errors_not_panics() {
    let dir = tempfile::tempdir().expect("tempdir");
    for cfg in [
        GenConfig { scale: 0.0, ..GenConfig::default() },
        GenConfig { scale: f64::NAN, ..GenConfig::default() },
        GenConfig { scale: -1.0, ..GenConfig::default() },
        GenConfig { scale: 1e9, ..GenConfig::default() },
        GenConfig { start_ms: 0, ..GenConfig::default() },
    ] {
        let err = generate(&cfg, dir.path()).expect_err("invalid config");
        assert!(matches!(err, swarmscan_gen::GenError::InvalidConfig(_)), "{err}");
    }
    // A file where the directory should be: an I/O error naming the path.
    let file = dir.path().join("not-a-dir");
    std::fs::write(&file, b"x").expect("write");
    let err = generate(&config(0.001, 1), &file).expect_err("not a directory");
    assert!(err.to_string().contains("not-a-dir"), "{err}");
}

#[test]
fn ground_truth_only_and_progress() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cfg = GenConfig { scale: 0.005, formats: vec![], ..GenConfig::default() };
    let mut last = None;
    let summary = swarmscan_gen::generate_with_progress(&cfg, dir.path(), &mut |p| last = Some(p)).expect("generate");
    let names: Vec<String> = summary.files.iter().filter_map(|p| p.file_name()?.to_str().map(String::from)).collect();
    assert_eq!(names, ["labels.csv", "operations.json"]);
    let p = last.expect("progress was reported");
    assert_eq!(p.slices_done, p.slices_total);
    assert_eq!(p.events, summary.events);
    assert!(summary.events > 1000);
}

/// Files take their names only once every file is written whole: a run that
/// fails (here: `labels.csv`'s temporary name is taken by a directory)
/// leaves the earlier files as they were and no temporary file behind, and a
/// run that succeeds leaves only the finished files.
#[test]
fn a_failed_run_leaves_the_directory_as_it_was() {
    let dir = tempfile::tempdir().expect("tempdir");
    let listing = |d: &Path| {
        let mut names: Vec<String> = std::fs::read_dir(d)
            .expect("read_dir")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    };
    std::fs::write(dir.path().join("events.csv"), b"old events\n").expect("write");
    std::fs::write(dir.path().join("labels.csv"), b"old labels\n").expect("write");
    let blocker = dir.path().join(format!(".labels.csv.tmp-{}", std::process::id()));
    std::fs::create_dir(&blocker).expect("mkdir");
    let cfg = GenConfig { scale: 0.002, formats: vec![Format::Cnt], ..GenConfig::default() };
    let err = generate(&cfg, dir.path()).expect_err("labels.csv cannot be written");
    assert!(err.to_string().contains("labels.csv"), "{err}");
    assert_eq!(std::fs::read(dir.path().join("events.csv")).expect("events.csv"), b"old events\n");
    assert_eq!(std::fs::read(dir.path().join("labels.csv")).expect("labels.csv"), b"old labels\n");
    let blocker_name = blocker.file_name().expect("name").to_string_lossy().into_owned();
    assert_eq!(listing(dir.path()), [blocker_name, "events.csv".to_string(), "labels.csv".to_string()]);
    std::fs::remove_dir(&blocker).expect("rmdir");
    let summary = generate(&cfg, dir.path()).expect("generate");
    assert_eq!(listing(dir.path()), ["events.csv", "labels.csv", "operations.json"]);
    assert_eq!(summary.files.len(), 3);
    assert!(std::fs::read_to_string(dir.path().join("labels.csv")).expect("labels").starts_with("account_id,label"));
}
