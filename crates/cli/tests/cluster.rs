//! `swarmscan network --cluster` and `scan --cluster` as a user runs them
//! (issue #18): three processes on 127.0.0.1 — `swarmscan cluster
//! scheduler` and two `swarmscan cluster executor`s — and the client writes
//! the same edge lists, byte for byte, as the local run, for every network
//! the cluster computes, and the same scan outputs. Without
//! the `cluster` feature, the commands say how to get it.
//!
//! The in-process cluster tests (every network at two scales, parameters,
//! partition counts, the plan's shuffles) are `crates/distributed/tests/`.

use std::process::{Command, Output};
#[cfg(feature = "cluster")]
use std::{path::Path, process::Child};

fn swarmscan() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_swarmscan"));
    c.env("NO_COLOR", "1");
    c
}

fn text(o: &Output) -> String {
    format!(
        "status {:?}\nstdout:\n{}\nstderr:\n{}",
        o.status,
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[cfg(not(feature = "cluster"))]
#[test]
fn without_the_feature_the_commands_say_how_to_get_it() {
    let o = swarmscan().args(["cluster", "scheduler"]).output().unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--features cluster"), "{}", text(&o));
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("e.csv");
    std::fs::write(&input, "").unwrap();
    let o = swarmscan().args(["network", "co_link", "--cluster", "127.0.0.1:1"]).arg(&input).output().unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--features cluster"), "{}", text(&o));
    let out = tmp.path().join("out");
    let o = swarmscan().args(["scan", "--cluster", "127.0.0.1:1", "--out"]).arg(&out).arg(&input).output().unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--features cluster"), "{}", text(&o));
    assert!(!out.exists(), "nothing is written when the scan cannot start");
}

/// Kills the servers when the test ends, passed or not.
#[cfg(feature = "cluster")]
struct Servers(Vec<Child>);

#[cfg(feature = "cluster")]
impl Drop for Servers {
    fn drop(&mut self) {
        for c in &mut self.0 {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

#[cfg(feature = "cluster")]
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// Waits until something listens on `port`, failing if `child` exits.
#[cfg(feature = "cluster")]
fn wait_listening(port: u16, child: &mut Child, what: &str) {
    let t = std::time::Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(child.try_wait().unwrap().is_none(), "{what} exited before listening");
        assert!(t.elapsed().as_secs() < 60, "{what} not listening on {port} after 60 s");
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
}

#[cfg(feature = "cluster")]
fn files_in(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> =
        std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    v.sort();
    v
}

#[cfg(feature = "cluster")]
#[test]
fn three_processes_give_the_local_edge_lists() {
    let tmp = tempfile::tempdir().unwrap();
    let cfg = swarmscan_gen::GenConfig {
        scale: 0.05,
        seed: 3,
        formats: vec![swarmscan_gen::Format::Twarc2],
        ..Default::default()
    };
    swarmscan_gen::generate(&cfg, tmp.path()).unwrap();
    let input = tmp.path().join("events.jsonl");

    let sched = free_port();
    let mut servers = Servers(Vec::new());
    let scheduler = swarmscan()
        .args(["cluster", "scheduler", "--listen", &format!("127.0.0.1:{sched}")])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    servers.0.push(scheduler);
    wait_listening(sched, &mut servers.0[0], "the scheduler");
    for i in 0..2 {
        let (flight, grpc) = (free_port(), free_port());
        let work = tmp.path().join(format!("work{i}"));
        std::fs::create_dir_all(&work).unwrap();
        let child = swarmscan()
            .args(["cluster", "executor", "--scheduler", &format!("127.0.0.1:{sched}"), "--vcores", "2"])
            .args(["--external-host", "127.0.0.1", "--port", &flight.to_string(), "--grpc-port", &grpc.to_string()])
            .arg("--work-dir")
            .arg(&work)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        servers.0.push(child);
        let n = servers.0.len() - 1;
        wait_listening(flight, &mut servers.0[n], "an executor");
    }

    let networks = "co_repost,co_link,co_reply,co_text,co_post,co_hashtag";
    let (local, remote, staging) = (tmp.path().join("local"), tmp.path().join("cluster"), tmp.path().join("staging"));
    for d in [&local, &remote, &staging] {
        std::fs::create_dir_all(d).unwrap();
    }
    let o = swarmscan()
        .args(["-q", "network", networks, "--min-weight", "1", "-o"])
        .arg(local.join("{network}.csv"))
        .arg(&input)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", text(&o));
    let summary = tmp.path().join("summary.json");
    let o = swarmscan()
        .args(["-q", "network", networks, "--min-weight", "1", "-o"])
        .arg(remote.join("{network}.csv"))
        .args(["--cluster", &format!("127.0.0.1:{sched}"), "--partitions", "5", "--staging-dir"])
        .arg(&staging)
        .arg("--summary-json")
        .arg(&summary)
        .arg(&input)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", text(&o));

    assert_eq!(files_in(&local), files_in(&remote));
    assert_eq!(files_in(&local).len(), 6);
    for name in files_in(&local) {
        let (a, b) = (std::fs::read(local.join(&name)).unwrap(), std::fs::read(remote.join(&name)).unwrap());
        assert!(a.iter().filter(|&&c| c == b'\n').count() > 1, "{name}: no edges to compare");
        assert!(a == b, "{name}: the cluster's edge list differs from the local one");
    }
    let s: serde_json::Value = serde_json::from_slice(&std::fs::read(&summary).unwrap()).unwrap();
    let link = &s["results"]["co_link"];
    assert_eq!(link["cluster"]["partitions"], 5, "{s}");
    // Counts only the executors know are left out, not reported as zero.
    assert!(link.get("keys").is_none() && link.get("window_pairs").is_none(), "{s}");
    assert!(link["edges"].as_u64().unwrap() > 0, "{s}");
    assert!(files_in(&staging).is_empty(), "staged actions left behind: {:?}", files_in(&staging));

    // `scan --cluster`: the pair tests sweep on the executors, and every
    // output is the local scan's (the report's time of writing pinned).
    let (local, remote) = (tmp.path().join("scan-local"), tmp.path().join("scan-cluster"));
    let o = swarmscan().env("SOURCE_DATE_EPOCH", "0").args(["-q", "scan", "--out"]).arg(&local).arg(&input).output();
    let o = o.unwrap();
    assert!(o.status.success(), "{}", text(&o));
    let o = swarmscan()
        .env("SOURCE_DATE_EPOCH", "0")
        .args(["-q", "scan", "--out"])
        .arg(&remote)
        .args(["--cluster", &format!("127.0.0.1:{sched}"), "--partitions", "3", "--staging-dir"])
        .arg(&staging)
        .arg(&input)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", text(&o));
    let clusters = std::fs::read(local.join("clusters.csv")).unwrap();
    assert!(clusters.iter().filter(|&&c| c == b'\n').count() > 1, "the local scan found no cluster to compare");
    for name in
        ["accounts.csv", "clusters.csv", "edges.csv", "domains.csv", "report.html", "network.gexf", "network.graphml"]
    {
        let (a, b) = (std::fs::read(local.join(name)).unwrap(), std::fs::read(remote.join(name)).unwrap());
        assert!(a == b, "scan's {name}: the cluster's differs from the local one");
    }
    let s: serde_json::Value = serde_json::from_slice(&std::fs::read(remote.join("summary.json")).unwrap()).unwrap();
    assert_eq!(s["results"]["cluster"]["partitions"], 3, "{s}");
    assert!(files_in(&staging).is_empty(), "staged actions left behind: {:?}", files_in(&staging));
    // The flag is used, not just recorded: with no scheduler behind it the
    // scan fails (and writes no summary) instead of quietly running here.
    let gone = tmp.path().join("scan-nowhere");
    let o = swarmscan()
        .args(["-q", "scan", "--out"])
        .arg(&gone)
        .args(["--cluster", &format!("127.0.0.1:{}", free_port()), "--staging-dir"])
        .arg(&staging)
        .arg(&input)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(String::from_utf8_lossy(&o.stderr).contains("cluster"), "{}", text(&o));
    assert!(!gone.join("summary.json").exists(), "a failed scan wrote its summary");
    assert!(files_in(&staging).is_empty(), "staged actions left behind: {:?}", files_in(&staging));

    // What runs locally only is refused before any reading.
    let o = swarmscan()
        .args(["network", "co_similar", "--cluster", &format!("127.0.0.1:{sched}")])
        .arg(&input)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(String::from_utf8_lossy(&o.stderr).contains("runs locally"), "{}", text(&o));
}
