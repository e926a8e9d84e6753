//! `swarmscan remote` as a user drives it: the real binary against a real
//! `swarmscan serve` child process on 127.0.0.1 (its own data folder, no
//! rate limit). Sign in from a piped password, add an analyst, upload a
//! generated data set, scan it on the server and fetch the results, which
//! must be those of a local `swarmscan scan` of the same file; then the
//! errors a user meets: a wrong token, a folder that is not empty, no
//! server, a cancelled job; and a live watch of a Jetstream replay server
//! the server was told it may follow.

#[path = "../../watch/tests/support/replay.rs"]
mod replay;

use serde_json::Value;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_swarmscan");

/// A `swarmscan serve` child, killed when dropped (also when a test panics).
struct Server {
    child: Child,
    url: String,
    admin_password: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `swarmscan serve` on a free port with its data in `data` and
/// reads its URL and the first admin's password from its stdout.
fn serve(data: &Path, extra: &[&str]) -> Server {
    let log = std::fs::File::create(data.with_extension("log")).unwrap();
    let child = Command::new(BIN)
        .args(["serve", "--listen", "127.0.0.1:0", "--rate-limit", "0", "--data"])
        .arg(data)
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(log)
        .spawn()
        .unwrap();
    let mut server = Server { child, url: String::new(), admin_password: String::new() };
    let mut lines = BufReader::new(server.child.stdout.take().unwrap()).lines();
    for line in lines.by_ref() {
        let line = line.unwrap();
        if let Some(rest) = line.strip_prefix("swarmscan serve: listening on ") {
            server.url = rest.split_whitespace().next().unwrap().to_string();
        }
        if let Some(rest) = line.strip_prefix("first start: created user \"admin\" with password ") {
            server.admin_password = rest.trim().to_string();
            break;
        }
    }
    assert!(server.url.starts_with("http://127.0.0.1:"), "no URL from serve (see {})", data.display());
    assert!(!server.admin_password.is_empty(), "no password from serve");
    // Keep draining stdout so the server never blocks on a full pipe.
    std::thread::spawn(move || lines.for_each(drop));
    server
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

/// Runs `swarmscan remote ARGS` against `server` with `token` (none: no
/// token at all) and `stdin` piped in.
fn remote(server: &str, token: Option<&str>, args: &[&str], stdin: &str) -> Run {
    let mut cmd = Command::new(BIN);
    cmd.arg("remote").args(args).env("SWARMSCAN_SERVER", server).env("NO_COLOR", "1").env_remove("SWARMSCAN_TOKEN");
    if let Some(t) = token {
        cmd.env("SWARMSCAN_TOKEN", t);
    }
    let mut child = cmd.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    let o = child.wait_with_output().unwrap();
    Run {
        code: o.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&o.stdout).into(),
        stderr: String::from_utf8_lossy(&o.stderr).into(),
    }
}

/// Runs `swarmscan remote ARGS` and expects it to succeed.
fn ok(server: &str, token: Option<&str>, args: &[&str], stdin: &str) -> Run {
    let r = remote(server, token, args, stdin);
    assert_eq!(r.code, 0, "remote {args:?}\nstdout: {}\nstderr: {}", r.stdout, r.stderr);
    r
}

/// Runs `swarmscan remote ARGS`, expects exit code 1 and a message
/// containing every one of `expect` on stderr.
fn fails(server: &str, token: Option<&str>, args: &[&str], expect: &[&str]) -> Run {
    let r = remote(server, token, args, "");
    assert_eq!(r.code, 1, "remote {args:?} should fail\nstdout: {}\nstderr: {}", r.stdout, r.stderr);
    for e in expect {
        assert!(r.stderr.contains(e), "remote {args:?}: {e:?} not in stderr:\n{}", r.stderr);
    }
    r
}

/// Signs in as `name` with `password` and returns the printed token.
fn login(server: &str, name: &str, password: &str) -> String {
    let r = ok(server, None, &["login", "--name", name, "--password-stdin"], &format!("{password}\n"));
    let token = r.stdout.trim().strip_prefix("export SWARMSCAN_TOKEN=").expect(&r.stdout).to_string();
    assert!(token.starts_with("sws_"), "{token}");
    assert!(r.stderr.contains("shown only now"), "{}", r.stderr);
    token
}

fn json(r: &Run) -> Value {
    serde_json::from_str(&r.stdout).unwrap_or_else(|e| panic!("{e}: {}", r.stdout))
}

/// `job N done: …` → N.
fn job_id(stdout: &str) -> String {
    stdout.strip_prefix("job ").and_then(|s| s.split_whitespace().next()).expect(stdout).to_string()
}

fn local(args: &[&str]) {
    let o = Command::new(BIN).args(args).env("NO_COLOR", "1").output().unwrap();
    assert!(o.status.success(), "swarmscan {args:?}: {}", String::from_utf8_lossy(&o.stderr));
}

fn read_json(p: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(p).unwrap()).unwrap()
}

#[test]
fn remote_scans_on_a_server_as_a_local_scan_would() {
    let tmp = tempfile::tempdir().unwrap();
    let t = tmp.path();
    // About 20,000 events with planted operations: a debug-build scan
    // takes a second or two.
    let gen_dir = t.join("gen");
    local(&["gen", "--out", gen_dir.to_str().unwrap(), "--scale", "0.02", "--seed", "1", "--formats", "cnt"]);
    let events = gen_dir.join("events.csv");
    let events = events.to_str().unwrap();

    let server = serve(&t.join("data"), &[]);
    let url = server.url.as_str();

    // Sign in from a piped password; the admin adds an analyst, who works.
    let admin = login(url, "admin", &server.admin_password);
    let r = ok(url, Some(&admin), &["add-user", "ann", "--role", "analyst", "--password-stdin"], "ann-password\n");
    assert_eq!(r.stdout, "added ann (analyst, id 2)\n");
    let users = json(&ok(url, Some(&admin), &["users", "--json"], ""));
    let names: Vec<&str> = users.as_array().unwrap().iter().filter_map(|u| u["name"].as_str()).collect();
    assert_eq!(names, ["admin", "ann"]);
    let ann = login(url, "ann", "ann-password");
    let r = ok(url, Some(&ann), &["whoami"], "");
    assert_eq!(r.stdout, "ann (analyst, id 2)\n");

    // Upload (streamed; named after the file) and find it by a prefix.
    let r = ok(url, Some(&ann), &["upload", events], "");
    assert!(r.stdout.starts_with("dataset ") && r.stdout.contains("  events.csv: "), "{}", r.stdout);
    let datasets = json(&ok(url, Some(&ann), &["--json", "datasets"], ""));
    let d = &datasets[0];
    let id = d["id"].as_str().unwrap();
    assert_eq!((d["name"].as_str(), d["format"].as_str()), (Some("events.csv"), Some("cnt")));
    assert!(d["records"].as_u64().unwrap() > 10_000 && d["records"] == d["parsed"], "{d}");
    let shown = ok(url, Some(&ann), &["dataset", &id[..8]], "").stdout;
    assert!(shown.starts_with(&format!("id:           {id}\n")), "{shown}");

    // Scan on the server and fetch every result file.
    let opts = ["--fdr", "0.02", "--min-cluster", "4", "--seed", "7"];
    let r = ok(url, Some(&ann), &[&["scan", &id[..8], "--wait"][..], &opts].concat(), "");
    assert!(r.stdout.contains(" done: 8 result files"), "{}", r.stdout);
    let job = job_id(&r.stdout);
    // Polled once a second: a quick scan may end before a stage is seen.
    assert!(r.stderr.contains(&format!("job {job}: done")), "{}", r.stderr);
    let fetched = t.join("fetched");
    ok(url, Some(&ann), &["fetch", &job, "--out", fetched.to_str().unwrap()], "");
    let j = json(&ok(url, Some(&ann), &["job", &job, "--json"], ""));
    let results: Vec<&str> = j["results"].as_array().unwrap().iter().map(|f| f.as_str().unwrap()).collect();
    let mut on_disk: Vec<String> =
        std::fs::read_dir(&fetched).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    on_disk.sort();
    let mut listed: Vec<String> = results.iter().map(|s| s.to_string()).collect();
    listed.sort();
    assert_eq!(on_disk, listed, "exactly the listed files, no temporary ones");
    let leftovers: Vec<_> = std::fs::read_dir(t).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert!(!leftovers.iter().any(|n| n.to_string_lossy().starts_with(".fetched")), "{leftovers:?}");

    // The same scan here: the same findings. The tables and graph files are
    // byte for byte those of the local run. report.html is not (it names
    // the input as the dataset's name and carries its generation time), and
    // summary.json is the server's own (no timings, no local paths): its
    // `results` must equal the local ones but for `out`, the local folder.
    let mine = t.join("local");
    local(&[&["scan", events, "--out", mine.to_str().unwrap()][..], &opts].concat());
    for f in &results {
        assert!(mine.join(f).exists(), "{f} is not a file a local scan writes");
        if !matches!(*f, "report.html" | "summary.json") {
            assert!(std::fs::read(fetched.join(f)).unwrap() == std::fs::read(mine.join(f)).unwrap(), "{f} differs");
        }
    }
    let mut expected = read_json(&mine.join("summary.json"))["results"].clone();
    expected.as_object_mut().unwrap().remove("out");
    assert_eq!(read_json(&fetched.join("summary.json"))["results"], expected);
    assert!(expected["clusters"].as_u64().unwrap() > 0, "the planted operations are found");

    // `jobs` lists it; a second scan compares with it.
    let r = ok(url, Some(&ann), &["jobs"], "");
    assert!(r.stdout.starts_with("ID  KIND  STATE"), "{}", r.stdout);
    assert!(r.stdout.lines().any(|l| l.starts_with(&format!("{job}  ")) && l.contains(" done ")), "{}", r.stdout);
    let r = ok(url, Some(&ann), &["scan", "events.csv", "--fdr", "0.05", "--wait"], "");
    let second = job_id(&r.stdout);
    let r = ok(url, Some(&ann), &["compare", &job, &second], "");
    assert!(r.stdout.starts_with(&format!("job {job} → job {second}: ")), "{}", r.stdout);
    let cmp = json(&ok(url, Some(&ann), &["--json", "compare", &job, &second], ""));
    let total: usize = ["appeared", "changed", "unchanged"].iter().map(|k| cmp[k].as_array().unwrap().len()).sum();
    assert!(total > 0, "{cmp}");

    // Errors a user meets.
    fails(
        url,
        Some("sws_wrong"),
        &["jobs"],
        &["GET /api/jobs: 401", "unknown or revoked API token", "SWARMSCAN_TOKEN"],
    );
    fails(url, None, &["datasets"], &["GET /api/datasets: 401", "no token"]);
    fails(url, None, &["login", "--name", "admin"], &["no password on standard input"]);
    fails(url, Some(&ann), &["users"], &["GET /api/users: 403", "only an admin"]);
    fails(url, Some(&ann), &["job", "999"], &["GET /api/jobs/999: 404"]);
    fails(url, Some(&ann), &["scan", "no-such-data"], &["no dataset you can see"]);
    let before = std::fs::read(fetched.join("clusters.csv")).unwrap();
    fails(url, Some(&ann), &["fetch", &job, "--out", fetched.to_str().unwrap()], &["is not empty", "--force"]);
    assert_eq!(std::fs::read(fetched.join("clusters.csv")).unwrap(), before, "left alone");
    ok(url, Some(&ann), &["fetch", &second, "--out", fetched.to_str().unwrap(), "--force"], "");
    let s = read_json(&fetched.join("summary.json"));
    assert_eq!(s["results"]["parameters"][0]["value"], "0.05", "replaced by the second job's results");
    // A port that was free a moment ago: nothing listens there.
    let gone = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    let expect = format!("cannot reach the server at http://{gone}");
    fails(&gone.to_string(), Some(&ann), &["jobs"], &[&expect, "is `swarmscan serve` running"]);
}

#[test]
fn a_refused_upload_and_a_cancelled_job_fail_clearly() {
    let tmp = tempfile::tempdir().unwrap();
    // With --max-jobs 0 nothing runs, so the job is surely still queued
    // when it is cancelled.
    let server = serve(&tmp.path().join("data"), &["--max-jobs", "0", "--max-upload", "1M"]);
    let url = server.url.as_str();
    let admin = login(url, "admin", &server.admin_password);

    // Refused on its declared length before it is sent (`Expect:
    // 100-continue`), so the server's answer reaches the user.
    let big = tmp.path().join("big.csv");
    std::fs::write(&big, vec![b'x'; 2 << 20]).unwrap();
    fails(
        url,
        Some(&admin),
        &["upload", big.to_str().unwrap()],
        &["POST /api/datasets: 413", "limit of 1048576 bytes"],
    );

    let gen_dir = tmp.path().join("gen");
    local(&["gen", "--out", gen_dir.to_str().unwrap(), "--scale", "0.001", "--seed", "2", "--formats", "cnt"]);
    let file = gen_dir.join("events.csv");
    ok(url, Some(&admin), &["upload", file.to_str().unwrap(), "--name", "tiny"], "");
    let r = ok(url, Some(&admin), &["scan", "tiny"], "");
    assert!(r.stdout.ends_with(" queued\n"), "{}", r.stdout);
    let job = job_id(&r.stdout);
    let out = tmp.path().join("out");
    fails(url, Some(&admin), &["fetch", &job, "--out", out.to_str().unwrap()], &["is queued"]);
    let r = ok(url, Some(&admin), &["cancel", &job], "");
    assert_eq!(r.stdout, format!("job {job} cancelled\n"));
    fails(url, Some(&admin), &["wait", &job], &[&format!("job {job} was cancelled")]);
    fails(url, Some(&admin), &["cancel", &job], &[&format!("POST /api/jobs/{job}/cancel: 409")]);
    assert!(!out.exists());
}

#[test]
fn a_watch_runs_on_the_server_and_leaves_its_events_as_a_dataset() {
    let tmp = tempfile::tempdir().unwrap();
    let cfg = swarmscan_gen::GenConfig {
        scale: 0.005,
        seed: 6,
        formats: vec![swarmscan_gen::Format::Jetstream],
        ..Default::default()
    };
    swarmscan_gen::generate(&cfg, tmp.path()).unwrap();
    let text = std::fs::read_to_string(tmp.path().join("events.jetstream.jsonl")).unwrap();
    let lines: Vec<String> = text.lines().map(str::to_string).collect();
    let n = lines.len() as u64;
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
    let replay = rt.block_on(replay::ReplayServer::start(replay::Config { jetstream: lines, ..Default::default() }));
    let replay = replay.unwrap();
    let source = replay.jetstream_url();
    let server = serve(&tmp.path().join("data"), &["--watch-source", &source]);
    let url = server.url.as_str();
    let admin = login(url, "admin", &server.admin_password);

    let port = replay.addr().port();
    let elsewhere = format!("ws://127.0.0.1:{port}/other");
    fails(url, Some(&admin), &["watch", "--jetstream", &elsewhere, "--duration", "2s"], &["400", "--watch-source"]);
    let r =
        ok(url, Some(&admin), &["watch", "--jetstream", &source, "--duration", "3s", "--every", "1d", "--wait"], "");
    let job = job_id(&r.stdout);
    assert!(r.stdout.contains("result files; its events are dataset "), "{}", r.stdout);
    assert!(r.stderr.contains("running: watching (jetstream)"), "{}", r.stderr);
    let j = json(&ok(url, Some(&admin), &["--json", "job", &job], ""));
    assert_eq!((j["kind"].as_str(), j["state"].as_str()), (Some("watch"), Some("done")), "{j}");
    let ds = j["datasets"][0].as_str().unwrap();
    let d = json(&ok(url, Some(&admin), &["--json", "dataset", ds], ""));
    assert_eq!(d["records"].as_u64(), Some(n), "every event streamed: {d}");
    let out = tmp.path().join("watched");
    ok(url, Some(&admin), &["fetch", &job, "--out", out.to_str().unwrap()], "");
    assert!(out.join("clusters.csv").is_file() && out.join("alerts.jsonl").is_file());
    let details = ok(url, Some(&admin), &["job", &job], "").stdout;
    assert!(details.contains("none (a watch reads a stream)") && details.contains(ds), "{details}");
    rt.block_on(replay.shutdown());
}
