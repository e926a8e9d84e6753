//! The server end to end: real HTTP on 127.0.0.1, a blocking client, one
//! server (its own data folder) per test.

use serde_json::{Value, json};
use std::path::Path;
use swarmscan_serve::{Config, Handle, RateLimit};

/// Who sends a request.
#[derive(Clone, Debug)]
enum Who {
    Anon,
    Token(String),
    /// A session cookie and, unless `None`, its CSRF token.
    Session(String, Option<String>),
}

struct Srv {
    handle: Option<Handle>,
    base: String,
    admin_password: Option<String>,
    agent: ureq::Agent,
}

/// A client that sees 4xx and 5xx as answers, and opens a connection per
/// request: a server that refuses a request before reading its body closes
/// the connection, and a pooled one would race that close.
fn agent() -> ureq::Agent {
    ureq::Agent::config_builder().http_status_as_error(false).max_idle_connections(0).build().into()
}

fn config(data: &Path, max_jobs: usize) -> Config {
    Config { listen: "127.0.0.1:0".parse().unwrap(), max_jobs, rate_limit: None, ..Config::new(data.to_path_buf()) }
}

fn start(cfg: Config) -> Srv {
    let handle = swarmscan_serve::spawn(cfg, false).expect("server starts");
    let s = handle.started().clone();
    assert!(s.warning.is_none(), "loopback needs no warning");
    Srv {
        base: format!("http://{}", s.addr),
        admin_password: s.bootstrap.map(|b| b.password),
        handle: Some(handle),
        agent: agent(),
    }
}

impl Srv {
    fn stop(mut self) {
        self.handle.take().unwrap().stop();
    }

    /// Sends a request; the answer's status, JSON (or text as a string) and
    /// headers.
    fn send(
        &self,
        method: &str,
        path: &str,
        who: &Who,
        body: Option<Vec<u8>>,
        ctype: &str,
    ) -> (u16, Value, ureq::http::HeaderMap) {
        let mut req = ureq::http::Request::builder().method(method).uri(format!("{}{path}", self.base));
        match who {
            Who::Anon => {}
            Who::Token(t) => req = req.header("Authorization", format!("Bearer {t}")),
            Who::Session(cookie, csrf) => {
                req = req.header("Cookie", format!("swarmscan_session={cookie}"));
                if let Some(c) = csrf {
                    req = req.header("X-CSRF-Token", c);
                }
            }
        }
        if body.is_some() {
            req = req.header("Content-Type", ctype);
        }
        let req = req.body(body.unwrap_or_default()).unwrap();
        let mut resp = self.agent.run(req).expect("an HTTP answer");
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let text = resp.body_mut().with_config().limit(64 << 20).read_to_string().unwrap_or_default();
        let v = serde_json::from_str(&text).unwrap_or(Value::String(text));
        (status, v, headers)
    }

    fn json(&self, method: &str, path: &str, who: &Who, body: Value) -> (u16, Value) {
        let (s, v, _) = self.send(method, path, who, Some(body.to_string().into_bytes()), "application/json");
        (s, v)
    }

    fn get(&self, path: &str, who: &Who) -> (u16, Value) {
        let (s, v, _) = self.send("GET", path, who, None, "");
        (s, v)
    }

    fn upload(&self, who: &Who, name: &str, bytes: &[u8]) -> (u16, Value) {
        let (s, v, _) = self.send(
            "POST",
            &format!("/api/datasets?name={name}"),
            who,
            Some(bytes.to_vec()),
            "application/octet-stream",
        );
        (s, v)
    }

    /// Signs in: (cookie, csrf).
    fn login(&self, name: &str, password: &str) -> (String, String) {
        let (s, v, h) = self.send(
            "POST",
            "/api/login",
            &Who::Anon,
            Some(json!({ "name": name, "password": password }).to_string().into_bytes()),
            "application/json",
        );
        assert_eq!(s, 200, "{v}");
        let cookie = h.get("set-cookie").unwrap().to_str().unwrap().to_string();
        assert!(
            cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict") && cookie.contains("Path=/"),
            "{cookie}"
        );
        let value = cookie.split(';').next().unwrap().strip_prefix("swarmscan_session=").unwrap().to_string();
        (value, v["csrf"].as_str().unwrap().to_string())
    }

    fn admin(&self) -> Who {
        let (c, t) = self.login("admin", self.admin_password.as_deref().unwrap());
        Who::Session(c, Some(t))
    }

    /// Adds a user (as `admin`) and returns an API token of theirs.
    fn user(&self, admin: &Who, name: &str, role: &str) -> Who {
        let pw = format!("{name}-password");
        let (s, v) = self.json("POST", "/api/users", admin, json!({ "name": name, "role": role, "password": pw }));
        assert_eq!(s, 201, "{v}");
        let (c, t) = self.login(name, &pw);
        let (s, v) = self.json("POST", "/api/tokens", &Who::Session(c, Some(t)), json!({ "name": "test" }));
        assert_eq!(s, 201, "{v}");
        Who::Token(v["token"].as_str().unwrap().to_string())
    }

    fn wait_job(&self, who: &Who, id: i64) -> Value {
        let t = std::time::Instant::now();
        loop {
            let (s, v) = self.get(&format!("/api/jobs/{id}"), who);
            assert_eq!(s, 200, "{v}");
            if !matches!(v["state"].as_str(), Some("queued" | "running")) {
                return v;
            }
            assert!(t.elapsed().as_secs() < 60, "job {id} did not end: {v}");
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
    }
}

/// A small toolkit CSV in which three accounts repost together; `tag`
/// makes the bytes (and so the dataset) differ.
fn tiny_csv(tag: &str) -> Vec<u8> {
    let mut s = String::from("message_id,user_id,username,repost_id,reply_id,message,timestamp,urls\n");
    for k in 0..6 {
        for (i, u) in ["a", "b", "c"].iter().enumerate() {
            s += &format!("{tag}{k}{u},{u},{u},X{k},,rt,{},\n", 1000 * k + 5 * i as i64);
        }
    }
    s.into_bytes()
}

#[test]
fn every_endpoint_checks_who_asks() {
    let dir = tempfile::tempdir().unwrap();
    let srv = start(config(dir.path(), 1));
    let admin = srv.admin();
    let a1 = srv.user(&admin, "a1", "analyst");
    let a2 = srv.user(&admin, "a2", "analyst");
    let viewer = srv.user(&admin, "v", "viewer");

    // a1 owns a dataset shared with the viewer, and has a finished job on it.
    let (s, d1) = srv.upload(&a1, "mine", &tiny_csv("p"));
    assert_eq!(s, 201, "{d1}");
    assert_eq!((d1["records"].as_u64(), d1["parsed"].as_u64()), (Some(18), Some(18)), "{d1}");
    let ds1 = d1["id"].as_str().unwrap().to_string();
    let (s, v) = srv.json("POST", &format!("/api/datasets/{ds1}/shares"), &a1, json!({ "user": "v" }));
    assert_eq!(s, 200, "{v}");
    let (s, j) = srv.json("POST", "/api/jobs", &a1, json!({ "dataset": ds1 }));
    assert_eq!(s, 202, "{j}");
    let job1 = j["id"].as_i64().unwrap();
    assert_eq!(srv.wait_job(&a1, job1)["state"], "done");
    // a2 has a dataset of their own, unshared.
    let (s, d2) = srv.upload(&a2, "theirs", &tiny_csv("q"));
    assert_eq!(s, 201, "{d2}");
    let ds2 = d2["id"].as_str().unwrap().to_string();

    let up = tiny_csv("new").to_vec();
    // (method, path, body, expected status for anonymous, admin, a1 (owner), a2 (stranger), viewer (shared))
    type Row<'a> = (&'a str, String, Option<Value>, [u16; 5]);
    let rows: Vec<Row> = vec![
        ("GET", "/api/me".into(), None, [401, 200, 200, 200, 200]),
        ("GET", "/api/users".into(), None, [401, 200, 403, 403, 403]),
        (
            "POST",
            "/api/users".into(),
            Some(json!({"name": "x", "role": "viewer", "password": "12345678"})),
            [401, 201, 403, 403, 403],
        ),
        ("POST", "/api/tokens".into(), Some(json!({"name": "t"})), [401, 201, 201, 201, 201]),
        ("DELETE", "/api/tokens/999".into(), None, [401, 404, 404, 404, 404]),
        ("GET", "/api/datasets".into(), None, [401, 200, 200, 200, 200]),
        ("POST", "/api/datasets?name=u".into(), None, [401, 201, 200, 200, 403]),
        ("GET", format!("/api/datasets/{ds1}"), None, [401, 200, 200, 404, 200]),
        ("GET", format!("/api/datasets/{ds2}"), None, [401, 200, 404, 200, 404]),
        ("POST", format!("/api/datasets/{ds1}/shares"), Some(json!({"user": "a1"})), [401, 200, 200, 404, 403]),
        ("POST", "/api/jobs".into(), Some(json!({"dataset": ds1})), [401, 202, 202, 404, 403]),
        ("GET", "/api/jobs".into(), None, [401, 200, 200, 200, 200]),
        ("GET", format!("/api/jobs/{job1}"), None, [401, 200, 200, 404, 200]),
        ("GET", format!("/api/jobs/{job1}/results/clusters.csv"), None, [401, 200, 200, 404, 200]),
        ("POST", format!("/api/jobs/{job1}/cancel"), None, [401, 409, 409, 404, 403]),
        ("POST", "/api/logout".into(), None, [401, 204, 204, 204, 204]),
        ("GET", "/api/openapi.json".into(), None, [200, 200, 200, 200, 200]),
        ("GET", "/api/nothing".into(), None, [404, 404, 404, 404, 404]),
    ];
    // Logging out with a token ends nothing; with a session it would.
    let whos = [Who::Anon, Who::Token(String::new()), a1.clone(), a2.clone(), viewer.clone()];
    let (s, t) = srv.json("POST", "/api/tokens", &admin, json!({}));
    assert_eq!(s, 201, "{t}");
    let admin_token = Who::Token(t["token"].as_str().unwrap().to_string());
    for (method, path, body, want) in &rows {
        for (i, who) in whos.iter().enumerate() {
            let who = if i == 1 { &admin_token } else { who };
            let (s, v) = if path.starts_with("/api/datasets?") {
                srv.upload(who, "u", &up)
            } else {
                let b = body.as_ref().map(|b| b.to_string().into_bytes());
                let (s, v, _) = srv.send(method, path, who, b, "application/json");
                (s, v)
            };
            assert_eq!(s, want[i], "{method} {path} as {}: {v}", ["anonymous", "admin", "a1", "a2", "viewer"][i]);
            if s >= 400 {
                assert!(v["error"].is_string(), "{method} {path}: errors are JSON: {v}");
            }
        }
    }
    // What each sees in the lists.
    let ids = |who: &Who, path: &str| -> Vec<Value> {
        let (_, v) = srv.get(path, who);
        v.as_array().unwrap().iter().map(|d| d["id"].clone()).collect()
    };
    assert!(!ids(&a2, "/api/datasets").contains(&json!(ds1)));
    assert!(ids(&viewer, "/api/datasets").contains(&json!(ds1)));
    assert!(!ids(&viewer, "/api/datasets").contains(&json!(ds2)));
    assert!(!ids(&a2, "/api/jobs").contains(&json!(job1)));
    assert!(ids(&admin_token, "/api/jobs").contains(&json!(job1)));
    srv.stop();
}

#[test]
fn a_cookie_session_needs_its_csrf_token() {
    let dir = tempfile::tempdir().unwrap();
    let srv = start(config(dir.path(), 0));
    let (cookie, csrf) = srv.login("admin", srv.admin_password.as_deref().unwrap());
    let body = json!({ "name": "t" });
    let (s, v) = srv.json("POST", "/api/tokens", &Who::Session(cookie.clone(), None), body.clone());
    assert_eq!(s, 403, "{v}");
    let (s, v) = srv.json("POST", "/api/tokens", &Who::Session(cookie.clone(), Some("wrong".into())), body.clone());
    assert_eq!(s, 403, "{v}");
    // Reading needs none.
    assert_eq!(srv.get("/api/me", &Who::Session(cookie.clone(), None)).0, 200);
    let (s, v) = srv.json("POST", "/api/tokens", &Who::Session(cookie.clone(), Some(csrf.clone())), body);
    assert_eq!(s, 201, "{v}");
    // Signed out, the cookie is worth nothing.
    let (s, _, _) = srv.send("POST", "/api/logout", &Who::Session(cookie.clone(), Some(csrf.clone())), None, "");
    assert_eq!(s, 204);
    assert_eq!(srv.get("/api/me", &Who::Session(cookie, None)).0, 401);
    // Wrong passwords and unknown users are refused alike.
    let (s, _) = srv.json("POST", "/api/login", &Who::Anon, json!({ "name": "admin", "password": "nope" }));
    assert_eq!(s, 401);
    let (s, _) = srv.json("POST", "/api/login", &Who::Anon, json!({ "name": "nobody", "password": "nope" }));
    assert_eq!(s, 401);
    srv.stop();
}

#[test]
fn secrets_are_stored_only_as_hashes() {
    let dir = tempfile::tempdir().unwrap();
    let srv = start(config(dir.path(), 0));
    let admin_pw = srv.admin_password.clone().unwrap();
    let admin = srv.admin();
    let Who::Session(cookie, _) = &admin else { unreachable!() };
    let token = srv.user(&admin, "ann", "analyst");
    let Who::Token(t) = &token else { unreachable!() };
    // The token works as shown, and a revoked one does not.
    let (s, me) = srv.get("/api/me", &token);
    assert_eq!((s, me["name"].as_str()), (200, Some("ann")));
    assert_eq!(srv.get("/api/me", &Who::Token(format!("{t}0"))).0, 401);
    let (s, made) = srv.json("POST", "/api/tokens", &token, json!({ "name": "short-lived" }));
    assert_eq!(s, 201);
    let short = Who::Token(made["token"].as_str().unwrap().to_string());
    assert_eq!(srv.get("/api/me", &short).0, 200);
    let (s, _, _) = srv.send("DELETE", &format!("/api/tokens/{}", made["id"]), &token, None, "");
    assert_eq!(s, 204);
    assert_eq!(srv.get("/api/me", &short).0, 401);
    // A token's name is short and printable, like a dataset's.
    let (s, v) = srv.json("POST", "/api/tokens", &token, json!({ "name": "x".repeat(201) }));
    assert_eq!((s, v["error"].as_str()), (400, Some("a token name is at most 200 printable characters")));
    srv.stop();

    // No secret in plaintext anywhere in the store's files.
    let mut bytes = Vec::new();
    for e in std::fs::read_dir(dir.path()).unwrap().flatten() {
        if e.file_name().to_string_lossy().starts_with("swarmscan.db") && e.path().is_file() {
            bytes.extend(std::fs::read(e.path()).unwrap());
        }
    }
    assert!(!bytes.is_empty());
    let has = |s: &str| bytes.windows(s.len()).any(|w| w == s.as_bytes());
    for secret in [admin_pw.as_str(), "ann-password", t.as_str(), &t[4..], cookie.as_str()] {
        assert!(!has(secret), "{secret:?} is stored in plaintext");
    }
    assert!(has("$argon2id$"), "passwords are argon2 hashes");
    assert!(has(&swarmscan_serve::auth::sha256_hex(t)), "tokens are SHA-256 hashes");
}

#[test]
fn uploads_are_limited_deduplicated_and_stay_inside_data() {
    let dir = tempfile::tempdir().unwrap();
    // A small JSON limit, so that the client has sent the whole body when
    // the server refuses it (1 MiB by default).
    assert_eq!(Config::new(dir.path().into()).max_json, 1 << 20);
    let srv = start(Config { max_upload: 600, max_json: 2000, ..config(dir.path(), 0) });
    let admin = srv.admin();
    let body = tiny_csv("z");
    assert!(body.len() < 600);
    let (s, a) = srv.upload(&admin, "first", &body);
    assert_eq!(s, 201, "{a}");
    let (s, b) = srv.upload(&admin, "again", &body);
    assert_eq!(s, 200, "{b}");
    assert_eq!(a["id"], b["id"]);
    assert_eq!(b["name"], "first", "the dataset is immutable");
    assert_eq!(std::fs::read(dir.path().join("datasets").join(a["id"].as_str().unwrap())).unwrap(), body);

    // Over the limit: 413, with a declared length and without one (chunked).
    let big = vec![b'x'; 700];
    let (s, v) = srv.upload(&admin, "big", &big);
    assert_eq!(s, 413, "{v}");
    let mut reader = &big[..];
    let chunked = ureq::http::Request::builder()
        .method("POST")
        .uri(format!("{}/api/datasets", srv.base))
        .header(
            "Authorization",
            format!("Bearer {}", {
                let (_, t) = srv.json("POST", "/api/tokens", &admin, json!({}));
                t["token"].as_str().unwrap().to_string()
            }),
        )
        .body(ureq::SendBody::from_reader(&mut reader))
        .unwrap();
    let resp = srv.agent.run(chunked);
    // The server may answer before reading the whole body and close.
    if let Ok(r) = resp {
        assert_eq!(r.status().as_u16(), 413);
    }
    // A JSON body over the limit: 413 too.
    let (s, v) = srv.json("POST", "/api/tokens", &admin, json!({ "name": "x".repeat(3000) }));
    assert_eq!(s, 413, "{v}");
    // A name from the client never becomes a path.
    let (s, v) = srv.upload(&admin, "..%2F..%2Fescape", &tiny_csv("w"));
    assert_eq!(s, 201, "{v}");
    assert!(!dir.path().parent().unwrap().join("escape").exists());
    assert!(std::fs::read_dir(dir.path().join("uploads")).unwrap().next().is_none(), "no partial upload is left");
    let files: Vec<_> =
        std::fs::read_dir(dir.path().join("datasets")).unwrap().flatten().map(|e| e.file_name()).collect();
    assert_eq!(files.len(), 2, "{files:?}");
    srv.stop();
}

#[test]
fn a_scan_job_gives_what_the_library_gives() {
    let dir = tempfile::tempdir().unwrap();
    let gen_dir = tempfile::tempdir().unwrap();
    let cfg = swarmscan_gen::GenConfig { scale: 0.01, formats: vec![swarmscan_gen::Format::Cnt], ..Default::default() };
    swarmscan_gen::generate(&cfg, gen_dir.path()).unwrap();
    let input = gen_dir.path().join("events.csv");
    let srv = start(config(dir.path(), 1));
    let admin = srv.admin();
    let (s, d) = srv.upload(&admin, "gen", &std::fs::read(&input).unwrap());
    assert_eq!(s, 201, "{d}");
    assert_eq!(d["format"], "cnt");
    let params = json!({ "fdr": 0.05, "seed": 7 });
    let (s, j) = srv.json("POST", "/api/jobs", &admin, json!({ "dataset": d["id"], "params": params }));
    assert_eq!(s, 202, "{j}");
    let job = srv.wait_job(&admin, j["id"].as_i64().unwrap());
    assert_eq!(job["state"], "done", "{job}");
    let (s, served, _) = srv.send("GET", &format!("/api/jobs/{}/results/clusters.csv", job["id"]), &admin, None, "");
    assert_eq!(s, 200);
    let (s, summary) = srv.get(&format!("/api/jobs/{}/results/summary.json", job["id"]), &admin);
    assert_eq!(s, 200);
    assert!(summary["results"]["clusters"].as_u64().unwrap() > 0, "{summary}");

    // The same file through the library, with the same parameters.
    let p: swarmscan_serve::jobs::ScanJob = serde_json::from_value(params).unwrap();
    let (events, _) = swarmscan_serve::jobs::read_dataset(&input, None).unwrap();
    let run =
        swarmscan_scan::run(&events, &p.scan_params().unwrap(), &swarmscan_domains::OutletList::builtin(), &|_| {})
            .unwrap();
    let header = swarmscan_report::Header::for_inputs("x", &swarmscan_ingest::IngestReport::default());
    let data = swarmscan_report::explain(&run.result, &run.params, &run.lookalikes, header);
    let mut plain = Vec::new();
    swarmscan_report::tables::write_clusters(&data, &mut plain).unwrap();
    let direct = String::from_utf8(plain).unwrap();
    assert_eq!(served, Value::String(direct));

    // Result names outside the list, or climbing out, are 404.
    for bad in
        ["..%2F..%2Fswarmscan.db", "..", "%2E%2E", "swarmscan.db", "clusters.csv%00", "CLUSTERS.CSV", "../summary.json"]
    {
        let (s, v) = srv.get(&format!("/api/jobs/{}/results/{bad}", job["id"]), &admin);
        assert_eq!(s, 404, "{bad}: {v}");
    }
    srv.stop();
}

#[test]
fn queued_jobs_survive_a_restart_and_running_ones_fail() {
    let dir = tempfile::tempdir().unwrap();
    // No workers: the job waits in the queue.
    let srv = start(config(dir.path(), 0));
    let admin = srv.admin();
    let (_, d) = srv.upload(&admin, "tiny", &tiny_csv("r"));
    let (s, j) = srv.json("POST", "/api/jobs", &admin, json!({ "dataset": d["id"] }));
    assert_eq!(s, 202);
    let (s, j2) = srv.json("POST", "/api/jobs", &admin, json!({ "dataset": d["id"] }));
    assert_eq!(s, 202);
    let (s, j3) = srv.json("POST", "/api/jobs", &admin, json!({ "dataset": d["id"] }));
    assert_eq!(s, 202);
    // Cancelled while queued: at once.
    let (s, c) = srv.json("POST", &format!("/api/jobs/{}/cancel", j3["id"]), &admin, json!({}));
    assert_eq!((s, c["state"].as_str()), (200, Some("cancelled")));
    let password = srv.admin_password.clone();
    srv.stop();

    // As if a server had claimed the first job and died.
    {
        let (store, failed) = swarmscan_serve::store::Store::open(&dir.path().join("swarmscan.db")).unwrap();
        assert_eq!(failed, 0);
        let claimed = store.claim_next().unwrap().unwrap();
        assert_eq!(claimed.id, j["id"].as_i64().unwrap());
    }
    let mut srv = start(config(dir.path(), 1));
    assert!(srv.admin_password.is_none(), "the admin is created once");
    srv.admin_password = password;
    let admin = srv.admin();
    let first = srv.wait_job(&admin, j["id"].as_i64().unwrap());
    assert_eq!(first["state"], "failed");
    assert_eq!(first["error"], swarmscan_serve::store::STOPPED_WHILE_RUNNING);
    let second = srv.wait_job(&admin, j2["id"].as_i64().unwrap());
    assert_eq!(second["state"], "done", "{second}");
    assert_eq!(srv.wait_job(&admin, j3["id"].as_i64().unwrap())["state"], "cancelled");
    srv.stop();
}

#[test]
fn the_rate_limit_answers_429() {
    let dir = tempfile::tempdir().unwrap();
    let srv = start(Config { rate_limit: Some(RateLimit { per_second: 1.0, burst: 5.0 }), ..config(dir.path(), 0) });
    let codes: Vec<u16> = (0..10).map(|_| srv.get("/api/openapi.json", &Who::Anon).0).collect();
    assert_eq!(&codes[..5], &[200; 5]);
    assert!(codes[5..].contains(&429), "{codes:?}");
    srv.stop();
}

#[test]
fn the_openapi_document_names_every_route() {
    let doc = swarmscan_serve::openapi_document();
    let paths = doc["paths"].as_object().unwrap();
    for route in [
        "/api/openapi.json",
        "/api/login",
        "/api/logout",
        "/api/me",
        "/api/users",
        "/api/users/{id}",
        "/api/tokens",
        "/api/tokens/{id}",
        "/api/datasets",
        "/api/datasets/{id}",
        "/api/datasets/register",
        "/api/datasets/{id}/shares",
        "/api/datasets/{id}/derive",
        "/api/jobs",
        "/api/jobs/{id}",
        "/api/jobs/{id}/cancel",
        "/api/jobs/{id}/results/{file}",
        "/api/compare",
    ] {
        assert!(paths.contains_key(route), "{route}");
    }
    assert_eq!(paths.len(), 18);
    assert_eq!(doc["openapi"], "3.1.0");
}

/// A generated collection (toolkit CSV) and its labels, written once per test.
fn generated(scale: f64) -> (tempfile::TempDir, std::path::PathBuf, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let cfg = swarmscan_gen::GenConfig { scale, formats: vec![swarmscan_gen::Format::Cnt], ..Default::default() };
    swarmscan_gen::generate(&cfg, dir.path()).unwrap();
    let (events, labels) = (dir.path().join("events.csv"), dir.path().join("labels.csv"));
    (dir, events, labels)
}

#[test]
fn network_domains_and_eval_jobs_give_what_the_library_gives() {
    let dir = tempfile::tempdir().unwrap();
    let (_g, input, labels) = generated(0.01);
    let srv = start(config(dir.path(), 1));
    let admin = srv.admin();
    let (s, d) = srv.upload(&admin, "gen", &std::fs::read(&input).unwrap());
    assert_eq!(s, 201, "{d}");
    let ds = d["id"].as_str().unwrap().to_string();
    let run = |kind: &str, params: Value| {
        let (s, j) = srv.json("POST", "/api/jobs", &admin, json!({ "dataset": ds, "kind": kind, "params": params }));
        assert_eq!(s, 202, "{kind}: {j}");
        assert_eq!(j["kind"], kind);
        let job = srv.wait_job(&admin, j["id"].as_i64().unwrap());
        assert_eq!(job["state"], "done", "{job}");
        job
    };

    // network: one CSV per network, each what `swarmscan_detect` writes.
    let job = run("network", json!({ "networks": ["co_link", "co_retweet", "co_link"] }));
    // (co_retweet is the toolkit's name of co_repost; files carry ours.)
    assert_eq!(job["results"], json!(["co_link.csv", "co_repost.csv", "summary.json"]));
    let (events, _) = swarmscan_serve::jobs::read_dataset(&input, None).unwrap();
    for n in ["co_link", "co_repost"] {
        let (s, served, _) = srv.send("GET", &format!("/api/jobs/{}/results/{n}.csv", job["id"]), &admin, None, "");
        assert_eq!(s, 200);
        let params = swarmscan_detect::Params::new(swarmscan_detect::Mode::Default);
        let prepared = swarmscan_detect::prepare(&events, n.parse().unwrap(), &params).unwrap();
        let mut direct = Vec::new();
        swarmscan_detect::output::write_edges(&mut direct, &prepared, swarmscan_detect::output::Format::Csv).unwrap();
        assert_eq!(served, Value::String(String::from_utf8(direct).unwrap()), "{n}");
    }
    let (s, v) = srv.get(&format!("/api/jobs/{}/results/clusters.csv", job["id"]), &admin);
    assert_eq!(s, 404, "a network job has no clusters.csv: {v}");

    // domains: the lookalike findings among the shared URLs.
    let job = run("domains", json!({}));
    assert_eq!(job["results"], json!(["domains.csv", "summary.json"]));
    let (_, summary) = srv.get(&format!("/api/jobs/{}/results/summary.json", job["id"]), &admin);
    assert!(
        summary["results"]["lookalike_domains"].as_u64().unwrap() > 0,
        "the generator plants lookalikes: {summary}"
    );

    // eval: a finished scan against the generator's labels, as `swarmscan eval` scores it.
    let scan = run("scan", json!({}));
    let text = std::fs::read_to_string(&labels).unwrap();
    let job = run("eval", json!({ "job": scan["id"], "labels": text }));
    assert_eq!(job["params"]["labels"], json!({ "bytes": text.len() }), "labels are not echoed back");
    let (s, eval) = srv.get(&format!("/api/jobs/{}/results/eval.json", job["id"]), &admin);
    assert_eq!(s, 200);
    let (_, accounts, _) = srv.send("GET", &format!("/api/jobs/{}/results/accounts.csv", scan["id"]), &admin, None, "");
    let flagged = swarmscan_scan::eval::read_flagged(accounts.as_str().unwrap().as_bytes(), "accounts.csv").unwrap();
    let l = swarmscan_scan::eval::read_labels(text.as_bytes(), "labels").unwrap();
    let mut want = swarmscan_scan::eval::evaluate(&l.labels, &flagged, "op_");
    swarmscan_scan::eval::add_participation(&mut want, &l.labels, l.actions.as_ref().unwrap(), &flagged, "op_");
    // Both sides through the same text parser (serde_json's default one
    // may round a float's last digit).
    let want: Value = serde_json::from_str(&serde_json::to_string(&want).unwrap()).unwrap();
    assert_eq!(eval, want);
    assert!(eval["recall"].as_f64().unwrap() > 0.0, "{eval}");

    // Refused before anything is queued.
    for (kind, params, why) in [
        ("nope", json!({}), "unknown job kind"),
        ("network", json!({}), "networks"),
        ("network", json!({ "networks": ["co_nothing"] }), "co_nothing"),
        ("scan", json!({ "fdr": 2 }), "fdr"),
        ("domains", json!({ "x": 1 }), "unknown field"),
        ("eval", json!({ "job": job["id"], "labels": text }), "not a finished scan"),
        ("eval", json!({ "job": scan["id"], "labels": "who,what\n" }), "account_id"),
    ] {
        let (s, v) = srv.json("POST", "/api/jobs", &admin, json!({ "dataset": ds, "kind": kind, "params": params }));
        assert_eq!(s, 400, "{kind} {params}: {v}");
        assert!(v["error"].as_str().unwrap().contains(why), "{kind}: {v}");
    }
    // A watch reads a stream, the others a dataset; this server allows no
    // stream (tests/watch_job.rs has one that does).
    let watch = json!({ "jetstream": "wss://jetstream.example/subscribe", "duration_s": 60 });
    for (body, why) in [
        (json!({ "kind": "watch", "params": watch }), "--watch-source"),
        (json!({ "dataset": ds, "kind": "watch", "params": watch }), "leave `dataset` out"),
        (json!({ "kind": "domains" }), "give `dataset`"),
    ] {
        let (s, v) = srv.json("POST", "/api/jobs", &admin, body.clone());
        assert_eq!(s, 400, "{body}: {v}");
        assert!(v["error"].as_str().unwrap().contains(why), "{body}: {v}");
    }
    srv.stop();
}

#[test]
fn a_cancelled_running_scan_stops_and_leaves_no_results() {
    let dir = tempfile::tempdir().unwrap();
    let (_g, input, _) = generated(0.1);
    let srv = start(config(dir.path(), 1));
    let admin = srv.admin();
    let (s, d) = srv.upload(&admin, "gen", &std::fs::read(&input).unwrap());
    assert_eq!(s, 201, "{d}");
    let (_, j) = srv.json("POST", "/api/jobs", &admin, json!({ "dataset": d["id"] }));
    let id = j["id"].as_i64().unwrap();
    let (_, next) = srv.json("POST", "/api/jobs", &admin, json!({ "dataset": d["id"], "kind": "domains" }));
    loop {
        let (_, v) = srv.get(&format!("/api/jobs/{id}"), &admin);
        if v["state"] == "running" {
            break;
        }
        assert_eq!(v["state"], "queued", "{v}");
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    let (s, v) = srv.json("POST", &format!("/api/jobs/{id}/cancel"), &admin, json!({}));
    assert_eq!((s, v["state"].as_str()), (200, Some("cancelled")), "{v}");
    // The worker is free again: the next job runs to its end.
    assert_eq!(srv.wait_job(&admin, next["id"].as_i64().unwrap())["state"], "done");
    assert_eq!(srv.get(&format!("/api/jobs/{id}"), &admin).1["state"], "cancelled");
    let results = dir.path().join("results");
    let left: Vec<String> =
        std::fs::read_dir(&results).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    assert_eq!(left, [next["id"].to_string()], "only the finished job has results");
    let (s, v) = srv.get(&format!("/api/jobs/{id}/results/summary.json"), &admin);
    assert_eq!(s, 409, "{v}");
    srv.stop();
}

#[test]
fn two_runs_compare_cluster_by_cluster() {
    let dir = tempfile::tempdir().unwrap();
    let (_g, input, _) = generated(0.02);
    let srv = start(config(dir.path(), 1));
    let admin = srv.admin();
    let viewer = srv.user(&admin, "v", "viewer");
    let (_, d) = srv.upload(&admin, "gen", &std::fs::read(&input).unwrap());
    let mut jobs = Vec::new();
    for params in [json!({}), json!({ "fdr": 0.0001, "min_cluster": 5 })] {
        let (_, j) = srv.json("POST", "/api/jobs", &admin, json!({ "dataset": d["id"], "params": params }));
        jobs.push(srv.wait_job(&admin, j["id"].as_i64().unwrap()));
    }
    let clusters = |job: &Value| {
        let (_, text, _) = srv.send("GET", &format!("/api/jobs/{}/results/clusters.csv", job["id"]), &admin, None, "");
        text.as_str().unwrap().lines().count() - 1
    };
    let (na, nb) = (clusters(&jobs[0]), clusters(&jobs[1]));
    let (s, c) = srv.get(&format!("/api/compare?a={}&b={}", jobs[0]["id"], jobs[1]["id"]), &admin);
    assert_eq!(s, 200, "{c}");
    let n = |k: &str| c[k].as_array().unwrap().len();
    assert_eq!(n("vanished") + n("changed") + n("unchanged"), na, "{c}");
    assert_eq!(n("appeared") + n("changed") + n("unchanged"), nb, "{c}");
    assert!(na > 0 && n("vanished") + n("changed") > 0, "a stricter run loses or shrinks clusters: {c}");
    for ch in c["changed"].as_array().unwrap() {
        assert!(ch["jaccard"].as_f64().unwrap() >= 0.5);
        let size = |x: &Value| x["members"].as_array().unwrap().len() as i64;
        let moved = |k: &str| ch[k].as_array().unwrap().len() as i64;
        assert_eq!(size(&ch["a"]) + moved("joined") - moved("left"), size(&ch["b"]), "{ch}");
    }
    // The same run against itself: all unchanged.
    let (_, same) = srv.get(&format!("/api/compare?a={0}&b={0}", jobs[0]["id"]), &admin);
    assert_eq!(same["unchanged"].as_array().unwrap().len(), na);
    // Refusals: a missing side, a job that is not a scan, a job not visible.
    let (s, _) = srv.get(&format!("/api/compare?a={}", jobs[0]["id"]), &admin);
    assert_eq!(s, 400);
    let (_, dj) = srv.json("POST", "/api/jobs", &admin, json!({ "dataset": d["id"], "kind": "domains" }));
    srv.wait_job(&admin, dj["id"].as_i64().unwrap());
    let (s, _) = srv.get(&format!("/api/compare?a={}&b={}", jobs[0]["id"], dj["id"]), &admin);
    assert_eq!(s, 400);
    let (s, _) = srv.get(&format!("/api/compare?a={}&b={}", jobs[0]["id"], jobs[1]["id"]), &viewer);
    assert_eq!(s, 404, "the viewer was not given the dataset");
    srv.stop();
}

#[test]
fn derived_registered_and_deleted_datasets() {
    let dir = tempfile::tempdir().unwrap();
    let import = tempfile::tempdir().unwrap();
    let srv = start(Config { import_dirs: vec![import.path().to_path_buf()], ..config(dir.path(), 1) });
    let admin = srv.admin();
    let analyst = srv.user(&admin, "a", "analyst");
    let viewer = srv.user(&admin, "v", "viewer");
    let (s, parent) = srv.upload(&analyst, "parent", &tiny_csv("p"));
    assert_eq!(s, 201, "{parent}");
    let pid = parent["id"].as_str().unwrap().to_string();
    let (_, v) = srv.json("POST", &format!("/api/datasets/{pid}/shares"), &analyst, json!({ "user": "v" }));
    assert_eq!(v["shared_with"], json!(["v"]));

    // Derived: the events of two of the three accounts, as Parquet, pointing to the parent.
    let filter = json!({ "accounts": ["a", "b"], "name": "two accounts" });
    let (s, child) = srv.json("POST", &format!("/api/datasets/{pid}/derive"), &analyst, filter.clone());
    assert_eq!(s, 201, "{child}");
    assert_eq!((child["parent"].as_str(), child["format"].as_str()), (Some(pid.as_str()), Some("parquet")));
    assert_eq!((child["records"].as_u64(), child["name"].as_str()), (Some(12), Some("two accounts")));
    let (s, again) = srv.json("POST", &format!("/api/datasets/{pid}/derive"), &analyst, filter);
    assert_eq!((s, &again["id"]), (200, &child["id"]), "the same filter gives the same dataset");
    let (_, j) = srv.json("POST", "/api/jobs", &analyst, json!({ "dataset": child["id"] }));
    let job = srv.wait_job(&analyst, j["id"].as_i64().unwrap());
    assert_eq!(job["state"], "done", "a derived dataset scans: {job}");
    let (_, summary) = srv.get(&format!("/api/jobs/{}/results/summary.json", job["id"]), &analyst);
    assert_eq!(summary["accounts"], 2);
    for (who, body, status) in [
        (&viewer, json!({ "accounts": ["a"] }), 403),
        (&analyst, json!({}), 400),
        (&analyst, json!({ "languages": ["xx"] }), 400),
        (&analyst, json!({ "from": "soon" }), 400),
        (&analyst, json!({ "accounts": ["a"], "extra": 1 }), 422),
    ] {
        let (s, v) = srv.json("POST", &format!("/api/datasets/{pid}/derive"), who, body.clone());
        assert_eq!(s, status, "{body}: {v}");
    }

    // Registered: admins only, files inside --import-dir only; copied in.
    let file = import.path().join("collection.csv");
    std::fs::write(&file, tiny_csv("r")).unwrap();
    let outside = dir.path().join("swarmscan.db").display().to_string();
    for (who, path, status) in [
        (&analyst, file.display().to_string(), 403),
        (&admin, outside, 403),
        (&admin, import.path().join("../x").display().to_string(), 403),
        (&admin, file.display().to_string(), 201),
    ] {
        let (s, v) = srv.json("POST", "/api/datasets/register", who, json!({ "path": path }));
        assert_eq!(s, status, "{path}: {v}");
        if s == 201 {
            assert_eq!((v["name"].as_str(), v["records"].as_u64()), (Some("collection.csv"), Some(18)), "{v}");
        }
    }
    std::fs::remove_file(&file).unwrap();

    // Deleted: not while a derived dataset points to it; then with its jobs and files.
    let (s, v, _) = srv.send("DELETE", &format!("/api/datasets/{pid}"), &analyst, None, "");
    assert_eq!(s, 409, "{v}");
    let (s, _, _) = srv.send("DELETE", &format!("/api/datasets/{pid}"), &viewer, None, "");
    assert_eq!(s, 403);
    let cid = child["id"].as_str().unwrap();
    let (s, _, _) = srv.send("DELETE", &format!("/api/datasets/{cid}"), &analyst, None, "");
    assert_eq!(s, 204);
    assert!(!dir.path().join("datasets").join(cid).exists());
    assert!(!dir.path().join("results").join(job["id"].to_string()).exists(), "its jobs' results go with it");
    assert_eq!(srv.get(&format!("/api/jobs/{}", job["id"]), &analyst).0, 404);
    let (s, _, _) = srv.send("DELETE", &format!("/api/datasets/{pid}"), &analyst, None, "");
    assert_eq!(s, 204);
    assert_eq!(srv.get(&format!("/api/datasets/{pid}"), &admin).0, 404);

    // Deleting a user: their token ends, what they owned passes to the admin.
    let (_, mine) = srv.upload(&analyst, "kept", &tiny_csv("k"));
    let (_, users) = srv.get("/api/users", &admin);
    let uid = users.as_array().unwrap().iter().find(|u| u["name"] == "a").unwrap()["id"].as_i64().unwrap();
    let (_, me) = srv.get("/api/me", &admin);
    assert_eq!(srv.send("DELETE", &format!("/api/users/{}", me["id"]), &admin, None, "").0, 400);
    assert_eq!(srv.send("DELETE", &format!("/api/users/{uid}"), &viewer, None, "").0, 403);
    assert_eq!(srv.send("DELETE", &format!("/api/users/{uid}"), &admin, None, "").0, 204);
    assert_eq!(srv.get("/api/me", &analyst).0, 401);
    let (_, kept) = srv.get(&format!("/api/datasets/{}", mine["id"].as_str().unwrap()), &admin);
    assert_eq!(kept["owner"], me["id"]);
    assert_eq!(srv.send("DELETE", &format!("/api/users/{uid}"), &admin, None, "").0, 404);
    srv.stop();
}

/// A scan job runs under the server's memory limit per job: a tiny one
/// spills every level and gives the same clusters as no limit.
#[test]
fn scan_jobs_run_under_the_job_memory_limit() {
    let (_g, input, _) = generated(0.01);
    let bytes = std::fs::read(&input).unwrap();
    let mut outputs = Vec::new();
    for limit in [Some(1u64 << 20), Some(u64::MAX)] {
        let dir = tempfile::tempdir().unwrap();
        let srv = start(Config { job_memory: limit, ..config(dir.path(), 1) });
        let admin = srv.admin();
        let (_, d) = srv.upload(&admin, "gen", &bytes);
        let (_, j) = srv.json("POST", "/api/jobs", &admin, json!({ "dataset": d["id"] }));
        let job = srv.wait_job(&admin, j["id"].as_i64().unwrap());
        let (_, summary) = srv.get(&format!("/api/jobs/{}/results/summary.json", job["id"]), &admin);
        let memory = &summary["results"]["memory"];
        assert_eq!(memory["limit_bytes"].as_u64(), limit, "{memory}");
        let (_, clusters, _) =
            srv.send("GET", &format!("/api/jobs/{}/results/clusters.csv", job["id"]), &admin, None, "");
        outputs.push((clusters, memory["levels_spilled"].as_u64().unwrap()));
        srv.stop();
    }
    assert!(outputs[0].1 > 0 && outputs[1].1 == 0, "{:?}", outputs.iter().map(|o| o.1).collect::<Vec<_>>());
    assert_eq!(outputs[0].0, outputs[1].0);
}
