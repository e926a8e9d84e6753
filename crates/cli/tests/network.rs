//! `swarmscan network` end to end: the real binary on the toolkit's
//! semantics fixture (`crates/detect/tests/data/cnt/`) in compatibility
//! mode, and the default mode's CSV on the same file.

use std::process::Command;

const FIXTURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../detect/tests/data/cnt/fixture.csv");
const EXPECTED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../detect/tests/data/cnt/fixture_expected.txt");

/// Runs the binary; returns (exit code, stdout, stderr).
fn swarmscan(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_swarmscan")).args(args).output().expect("run swarmscan");
    (out.status.code().unwrap_or(-1), String::from_utf8(out.stdout).unwrap(), String::from_utf8(out.stderr).unwrap())
}

/// The toolkit's gephi CSV for one network of the fixture, built from the
/// expected rows.
fn expected_csv(cnt_name: &str) -> String {
    let mut s = String::from("\"source\",\"target\",\"weight\",\"edge_type\"\r\n");
    for line in std::fs::read_to_string(EXPECTED).unwrap().lines().filter(|l| !l.starts_with('#')) {
        let f: Vec<&str> = line.split(',').collect();
        if f[0] == cnt_name {
            s += &format!("\"{}\",\"{}\",\"{}\",\"{}\"\r\n", f[1], f[2], f[3], cnt_name);
        }
    }
    s
}

fn check(kind: &str, cnt_name: &str) {
    let (code, stdout, stderr) = swarmscan(&[
        "-q",
        "network",
        kind,
        "--compat",
        "cnt",
        "--window",
        "60",
        "--min-weight",
        "1",
        "--similarity",
        "0.6",
        "--loops",
        FIXTURE,
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(stdout, expected_csv(cnt_name), "{kind}");
}

#[test]
fn compat_cnt_reproduces_the_fixture() {
    for (kind, cnt) in [
        ("co_retweet", "co_retweet"),
        ("co_repost", "co_retweet"),
        ("co_link", "co_link"),
        ("co_tweet", "co_tweet"),
        ("co_similar_tweet", "co_similar_tweet"),
        ("co_post", "co_post"),
        ("co_reply", "co_reply"),
    ] {
        check(kind, cnt);
    }
}

#[test]
fn default_mode_writes_evidence() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("edges.csv");
    let summary = dir.path().join("summary.json");
    let (code, _, stderr) = swarmscan(&[
        "-q",
        "network",
        "co_repost",
        "--min-weight",
        "1",
        FIXTURE,
        "-o",
        out.to_str().unwrap(),
        "--summary-json",
        summary.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{stderr}");
    let csv = std::fs::read_to_string(&out).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], "source,target,network,weight,pairs,min_dt_s,median_dt_s,evidence");
    // a and b co-reposted X (100 vs 110 and 115) and Y (500 vs 560).
    assert!(lines[1].starts_with("a,b,co_repost,2,3,10,35,"), "{}", lines[1]);
    assert!(lines[1].contains(r#"""key"":""X"""#), "{}", lines[1]);
    assert!(lines.iter().all(|l| !l.starts_with("a,a,")), "no self-pairs in the default mode");
    let s: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&summary).unwrap()).unwrap();
    assert_eq!(s["command"], "network");
    assert_eq!(s["results"]["co_repost"]["edges_written"], lines.len() as u64 - 1);
}

#[test]
fn bad_usage_is_reported() {
    let (code, _, stderr) = swarmscan(&["network", "co_hashtag", "--compat", "cnt", FIXTURE]);
    assert_eq!(code, 1);
    assert!(stderr.contains("no coordination-network-toolkit counterpart"), "{stderr}");
    let (code, _, _) = swarmscan(&["network", "co_nothing", FIXTURE]);
    assert_eq!(code, 2);
    let (code, _, stderr) = swarmscan(&["network", "co_repost", "--loops", FIXTURE]);
    assert_eq!(code, 1);
    assert!(stderr.contains("--loops needs --compat cnt"), "{stderr}");
}

#[test]
fn several_networks_share_one_read() {
    let dir = tempfile::tempdir().unwrap();
    let template = dir.path().join("{network}.csv");
    let (code, _, stderr) = swarmscan(&[
        "-q",
        "network",
        "co_retweet,co_link",
        "--compat",
        "cnt",
        "--window",
        "60",
        "--min-weight",
        "1",
        "--loops",
        FIXTURE,
        "-o",
        template.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{stderr}");
    let read = |name: &str| std::fs::read_to_string(dir.path().join(name)).unwrap();
    assert_eq!(read("co_repost.csv"), expected_csv("co_retweet"));
    assert_eq!(read("co_link.csv"), expected_csv("co_link"));
    // Several networks need a file name template.
    let (code, _, stderr) = swarmscan(&["network", "co_retweet,co_link", "--compat", "cnt", FIXTURE]);
    assert_eq!(code, 1);
    assert!(stderr.contains("{network}"), "{stderr}");
}

/// `--top N` and `--histogram` on co_post (the null model, whose full list
/// is quadratic), against the full edge list of the same run: the top-N
/// rows are full rows, every account's N heaviest full edges are among them
/// and nothing else is, and the histogram counts the full list.
#[test]
fn top_edges_and_histogram_summarise_the_full_list() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let (code, _, stderr) = swarmscan(&[
        "-q",
        "gen",
        "--scale",
        "0.005",
        "--seed",
        "3",
        "--formats",
        "cnt",
        "--out",
        data.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{stderr}");
    let input = data.join("events.csv");
    let input = input.to_str().unwrap();
    let run = |extra: &[&str]| {
        let mut args = vec!["-q", "network", "co_post", "--window", "300", "--min-weight", "1", input];
        args.extend_from_slice(extra);
        let (code, stdout, stderr) = swarmscan(&args);
        assert_eq!(code, 0, "{stderr}");
        stdout
    };
    let full = run(&[]);
    let top = run(&["--top", "2"]);
    let hist = run(&["--histogram"]);
    // (source, target, weight, pairs) of each row; ids are numeric, so the
    // first fields hold no commas.
    let rows = |s: &str| -> Vec<(String, String, u32, u64)> {
        s.lines()
            .skip(1)
            .map(|l| {
                let f: Vec<&str> = l.splitn(6, ',').collect();
                (f[0].into(), f[1].into(), f[3].parse().unwrap(), f[4].parse().unwrap())
            })
            .collect()
    };
    let (full_rows, top_rows) = (rows(&full), rows(&top));
    assert!(full_rows.len() > 1000, "the fixture should be busy: {} edges", full_rows.len());
    assert!(top_rows.len() < full_rows.len() / 4, "{} of {} kept", top_rows.len(), full_rows.len());
    let full_lines: std::collections::HashSet<&str> = full.lines().collect();
    assert!(top.lines().skip(1).all(|l| full_lines.contains(l)), "a top row is not a full row");
    // Brute force: each account's two heaviest full edges.
    let mut by_account: std::collections::BTreeMap<&str, Vec<(u32, u64, &str, usize)>> = Default::default();
    for (i, (a, b, w, p)) in full_rows.iter().enumerate() {
        by_account.entry(a).or_default().push((*w, *p, b, i));
        by_account.entry(b).or_default().push((*w, *p, a, i));
    }
    // An edge strictly heavier than an account's second heaviest, or one of
    // an account with at most two edges, must be kept (ties at the second
    // place are broken by the partner's rank, not checked here).
    let mut want = std::collections::BTreeSet::new();
    for mine in by_account.values_mut() {
        mine.sort_by(|x, y| y.0.cmp(&x.0).then(y.1.cmp(&x.1)));
        let second = mine.get(1).map(|x| (x.0, x.1));
        for x in mine.iter() {
            if mine.len() <= 2 || Some((x.0, x.1)) > second {
                want.insert(x.3);
            }
        }
    }
    let kept: std::collections::BTreeSet<(String, String)> =
        top_rows.iter().map(|(a, b, _, _)| (a.clone(), b.clone())).collect();
    for &i in &want {
        let (a, b, _, _) = &full_rows[i];
        assert!(kept.contains(&(a.clone(), b.clone())), "{a}-{b} is among the two heaviest of an account");
    }
    // Nothing lighter than an account's second edge is kept for it.
    for (a, b, w, p) in &top_rows {
        let second = |x: &str| by_account[x].get(1).map_or((0, 0), |e| (e.0, e.1));
        assert!((*w, *p) >= second(a) || (*w, *p) >= second(b), "{a}-{b} ({w}, {p}) is in neither top two");
    }
    // The histogram counts every full edge by weight.
    let mut counted = std::collections::BTreeMap::new();
    for (_, _, w, _) in &full_rows {
        *counted.entry(*w).or_insert(0u64) += 1;
    }
    let mut lines = hist.lines();
    assert_eq!(lines.next(), Some("weight,edges"));
    let got: std::collections::BTreeMap<u32, u64> = lines
        .map(|l| {
            let (w, n) = l.split_once(',').unwrap();
            (w.parse().unwrap(), n.parse().unwrap())
        })
        .collect();
    assert_eq!(got, counted);
    // Both summarise the default mode only.
    let (code, _, stderr) = swarmscan(&["network", "co_post", "--compat", "cnt", "--top", "2", input]);
    assert_eq!(code, 1);
    assert!(stderr.contains("--top and --histogram"), "{stderr}");
}
