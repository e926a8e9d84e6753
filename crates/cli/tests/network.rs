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
