//! The scenario knobs and presets: each preset is deterministic by seed; the
//! focus filter keeps operation members, fans and their targets with their
//! events unchanged; organic-only plants nothing; and each knob does what it
//! says (ring leaders among the members, faster fans, more operations,
//! rotating hashtag sets, reply waves).
#![allow(clippy::print_stderr)]

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde_json::Value;
use swarmscan_gen::{Format, GenConfig, PRESETS, Scenario, generate, preset};
use tempfile::TempDir;

/// A generated data set read back: CSV records, labels, ground truth.
struct Data {
    _dir: TempDir,
    csv: Vec<u8>,
    rows: Vec<csv::StringRecord>,
    labels: BTreeMap<String, String>,
    ops: Value,
}

fn config(scenario: &Scenario, scale: f64, seed: u64) -> GenConfig {
    GenConfig { scale, seed, formats: vec![Format::Cnt], scenario: scenario.clone(), ..GenConfig::default() }
}

/// The one entry point of these tests: generate, then read the files back.
fn check(scenario: &Scenario, scale: f64, seed: u64) -> Data {
    let dir = tempfile::tempdir().expect("tempdir");
    generate(&config(scenario, scale, seed), dir.path()).expect("generate");
    let csv = std::fs::read(dir.path().join("events.csv")).expect("events.csv");
    let rows = csv::Reader::from_reader(&csv[..]).records().map(|r| r.expect("csv record")).collect();
    let labels = csv::Reader::from_path(dir.path().join("labels.csv"))
        .expect("labels.csv")
        .records()
        .map(|r| {
            let r = r.expect("label row");
            (r[0].to_string(), r[1].to_string())
        })
        .collect();
    let ops = serde_json::from_slice(&std::fs::read(dir.path().join("operations.json")).expect("operations.json"))
        .expect("operations.json parses");
    Data { _dir: dir, csv, rows, labels, ops }
}

fn named(name: &str) -> Scenario {
    preset(name).expect(name).scenario
}

fn authors(d: &Data) -> BTreeSet<&str> {
    d.rows.iter().map(|r| &r[1]).collect()
}

fn ops_of_kind<'a>(d: &'a Data, kind: &str) -> Vec<&'a Value> {
    d.ops["operations"].as_array().expect("operations").iter().filter(|o| o["kind"] == kind).collect()
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array().map(|a| a.iter().filter_map(|x| x.as_str().map(str::to_string)).collect()).unwrap_or_default()
}

#[test]
fn presets_are_deterministic_and_recorded() {
    let default_csv = check(&Scenario::default(), 0.02, 5).csv;
    for name in PRESETS {
        let a = check(&named(name), 0.02, 5);
        let b = check(&named(name), 0.02, 5);
        assert!(a.csv == b.csv && a.labels == b.labels && a.ops == b.ops, "{name} is not deterministic");
        let recorded = &a.ops["generator"]["scenario"];
        // `small` is the default model at a small scale: same files.
        let is_default = matches!(name, "default" | "small");
        assert_eq!(recorded.is_null(), is_default, "{name}: {recorded}");
        if !is_default {
            assert!(a.csv != default_csv, "{name} writes the default data");
        }
        // Every author is labelled and every label appears.
        assert_eq!(authors(&a), a.labels.keys().map(String::as_str).collect(), "{name}");
    }
}

#[test]
fn focus_keeps_members_fans_and_targets_with_their_events_unchanged() {
    let full = check(&Scenario::default(), 0.05, 3);
    let focused = check(&named("focused"), 0.05, 3);
    // Every operation member and fan of the full world is kept, with its label.
    for (id, label) in &full.labels {
        if label != "organic" {
            assert_eq!(focused.labels.get(id), Some(label), "{id} {label}");
        }
    }
    for op in full.ops["operations"].as_array().expect("operations") {
        for a in strings(&op["targets"]["accounts"]) {
            assert!(focused.labels.contains_key(&a), "target {a} of {} dropped", op["id"]);
        }
    }
    for g in full.ops["fan_groups"].as_array().expect("fan groups") {
        let celeb = g["celebrity"].as_str().expect("celebrity");
        assert!(focused.labels.contains_key(celeb), "celebrity {celeb} dropped");
    }
    // About one organic account in ten (plus the targets).
    let organic = |d: &Data| d.labels.values().filter(|l| *l == "organic").count() as f64;
    let share = organic(&focused) / organic(&full);
    assert!((0.07..0.16).contains(&share), "kept {share:.3} of the organic accounts");
    // The kept accounts' events are exactly their events in the full world.
    let kept = authors(&focused);
    let line = |r: &csv::StringRecord| r.iter().collect::<Vec<_>>().join("\u{1f}");
    let want: Vec<String> = full.rows.iter().filter(|r| kept.contains(&r[1])).map(line).collect();
    let got: Vec<String> = focused.rows.iter().map(line).collect();
    assert_eq!(got.len(), want.len());
    assert!(got == want, "focused rows differ from the full world's rows of the kept accounts");
    eprintln!("focused: {} of {} events, {} of {} accounts", got.len(), full.rows.len(), kept.len(), full.labels.len());
}

#[test]
fn organic_only_plants_nothing() {
    let d = check(&named("organic-only"), 0.03, 8);
    assert!(d.ops["operations"].as_array().expect("operations").is_empty());
    assert!(d.labels.values().all(|l| !l.starts_with("op_")));
    assert!(d.labels.values().any(|l| l.starts_with("fan_")), "fan groups stay");
    assert_eq!(d.ops["generator"]["expected_events"]["operations"], 0);
}

#[test]
fn op_share_multiplies_operations() {
    let base = check(&Scenario::default(), 0.1, 4);
    let heavy = check(&named("op-heavy"), 0.1, 4);
    let members = |d: &Data| d.labels.values().filter(|l| l.starts_with("op_")).count() as f64;
    let share = members(&heavy) / heavy.labels.len() as f64;
    assert!(members(&heavy) > 5.0 * members(&base), "{} vs {}", members(&heavy), members(&base));
    assert!((0.10..0.30).contains(&share), "op-heavy members are {share:.3} of the accounts");
}

#[test]
fn quiet_ring_leaders_are_members_nobody_else_reposts() {
    let d = check(&named("quiet-ring"), 0.05, 6);
    let by_id: HashMap<&str, &csv::StringRecord> = d.rows.iter().map(|r| (&r[0], r)).collect();
    for op in ops_of_kind(&d, "repost_ring") {
        let members: BTreeSet<String> = strings(&op["members"]).into_iter().collect();
        let leaders = strings(&op["targets"]["accounts"]);
        assert!(!leaders.is_empty() && leaders.iter().all(|a| members.contains(a)), "{}", op["id"]);
        // Reposts of the leaders' posts come from the ring only.
        let mut reposts = 0;
        for r in &d.rows {
            let Some(parent) = by_id.get(&r[3]) else { continue };
            if leaders.iter().any(|l| l == &parent[1]) {
                reposts += 1;
                assert!(members.contains(&r[1]), "{} reposted leader {} of {}", &r[1], &parent[1], op["id"]);
            }
        }
        assert!(reposts > 0, "{} has no reposts", op["id"]);
        // Participation 15-30 %.
        let n = members.len() as f64;
        let actions = op["actions"].as_f64().expect("actions");
        let per_action = op["events"].as_f64().expect("events") / actions.max(1.0);
        assert!(per_action < 1.0 + 0.35 * n, "{} {per_action:.1} events per action with {n} members", op["id"]);
    }
}

/// Median delay of fan reposts of celebrity posts, seconds.
fn fan_delay(d: &Data) -> i64 {
    let ts: HashMap<&str, (&str, i64)> =
        d.rows.iter().map(|r| (&r[0], (&r[1], r[6].parse::<i64>().expect("timestamp")))).collect();
    let celebs: BTreeSet<&str> =
        d.ops["fan_groups"].as_array().expect("fan groups").iter().filter_map(|g| g["celebrity"].as_str()).collect();
    let mut delays: Vec<i64> = d
        .rows
        .iter()
        .filter(|r| d.labels.get(&r[1]).is_some_and(|l| l.starts_with("fan_")))
        .filter_map(|r| {
            let (author, t0) = ts.get(&r[3])?;
            celebs.contains(author).then(|| r[6].parse::<i64>().expect("timestamp") - t0)
        })
        .collect();
    delays.sort_unstable();
    delays[delays.len() / 2]
}

#[test]
fn fast_fans_react_within_seconds() {
    let slow = fan_delay(&check(&Scenario::default(), 0.05, 2));
    let fast = fan_delay(&check(&named("fast-fans"), 0.05, 2));
    eprintln!("median fan repost delay: default {slow} s, fast-fans {fast} s");
    assert!(fast * 5 < slow && fast <= 30, "default {slow} s, fast {fast} s");
}

#[test]
fn waves_rotate_hashtag_sets_and_repeat_reply_swarms() {
    let base = check(&Scenario::default(), 0.05, 9);
    let d = check(&named("waves"), 0.05, 9);
    for op in ops_of_kind(&d, "hashtag_push") {
        let tags = strings(&op["targets"]["hashtags"]);
        assert!(tags.len() >= 4, "{}: {tags:?}", op["id"]);
        // More than one set is used (operations span at least two days).
        let members: BTreeSet<String> = strings(&op["members"]).into_iter().collect();
        let sets: BTreeSet<Vec<&String>> = d
            .rows
            .iter()
            .filter(|r| members.contains(&r[1]))
            .map(|r| tags.iter().filter(|t| r[5].contains(&format!("#{t}"))).collect::<Vec<_>>())
            .filter(|s| s.len() >= 2)
            .map(|mut s| {
                s.sort();
                s
            })
            .collect();
        assert!(sets.len() >= 2, "{}: sets used {sets:?}", op["id"]);
    }
    for (op, b) in ops_of_kind(&d, "reply_swarm").into_iter().zip(ops_of_kind(&base, "reply_swarm")) {
        let posts = |o: &Value| strings(&o["targets"]["posts"]).len() as f64;
        let actions = |o: &Value| o["actions"].as_f64().expect("actions");
        // Three journalist posts per action instead of one.
        assert!(posts(op) > 2.5 * actions(op), "{}: {} posts, {} actions", op["id"], posts(op), actions(op));
        assert!(posts(b) <= actions(b) + 0.5, "{}", b["id"]);
    }
}
