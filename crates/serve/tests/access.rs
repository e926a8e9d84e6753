//! Who may do what, endpoint by endpoint, and the limits around it.
//!
//! One table names, for every operation of `/api/openapi.json` (method and
//! path template), the status each kind of caller gets: anonymous, a
//! garbage bearer token, a session without its CSRF header, a viewer the
//! dataset was not shared with, a viewer it was shared with, an analyst who
//! does not own it, the owning analyst, and an admin. The test fails when
//! the document lists an operation the table lacks (so a new endpoint
//! cannot go untested) and when a row names an operation the document does
//! not list. Every cell is run and every mismatch listed.
//!
//! Beside the table: uploads, result names and registered paths cannot
//! reach outside the data folder (the tree is compared before and after),
//! bodies over the limits answer 413, the rate limit answers 429, and
//! deleting users and datasets does what the contract says.

use serde_json::{Value, json};
use std::cell::Cell;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use swarmscan_serve::{Config, Handle, RateLimit};

// ---- a client ----

/// Who sends a request.
#[derive(Clone, Debug)]
enum Who {
    Anon,
    Token(String),
    /// A session cookie and, unless `None`, its CSRF token.
    Session(String, Option<String>),
}

/// A request body.
#[derive(Clone, Debug)]
enum Body {
    None,
    Json(Value),
    Raw(Vec<u8>, &'static str),
}

/// An answer: status, JSON (or the text as a JSON string), headers, bytes.
struct Answer {
    status: u16,
    json: Value,
    bytes: Vec<u8>,
    headers: ureq::http::HeaderMap,
}

/// A client that sees 4xx and 5xx as answers, and opens a connection per
/// request (a server that refuses a request before reading its body closes
/// the connection, and a pooled one would race that close).
fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_idle_connections(0)
        .timeout_global(Some(Duration::from_secs(120)))
        .build()
        .into()
}

fn send(agent: &ureq::Agent, base: &str, method: &str, path: &str, who: &Who, body: &Body) -> Result<Answer, String> {
    let mut req = ureq::http::Request::builder().method(method).uri(format!("{base}{path}"));
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
    let bytes = match body {
        Body::None => Vec::new(),
        Body::Json(v) => {
            req = req.header("Content-Type", "application/json");
            v.to_string().into_bytes()
        }
        Body::Raw(b, ctype) => {
            req = req.header("Content-Type", *ctype);
            b.clone()
        }
    };
    let req = req.body(bytes).map_err(|e| e.to_string())?;
    let mut resp = agent.run(req).map_err(|e| format!("{method} {path}: {e}"))?;
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let bytes = resp.body_mut().with_config().limit(64 << 20).read_to_vec().map_err(|e| e.to_string())?;
    let text = String::from_utf8_lossy(&bytes);
    let json = serde_json::from_str(&text).unwrap_or_else(|_| Value::String(text.into_owned()));
    Ok(Answer { status, json, bytes, headers })
}

struct Srv {
    handle: Option<Handle>,
    base: String,
    agent: ureq::Agent,
}

impl Srv {
    fn start(cfg: Config) -> (Srv, Option<String>) {
        let handle = swarmscan_serve::spawn(cfg, false).expect("the server starts");
        let s = handle.started().clone();
        let srv = Srv { base: format!("http://{}", s.addr), handle: Some(handle), agent: agent() };
        (srv, s.bootstrap.map(|b| b.password))
    }

    fn stop(mut self) {
        if let Some(h) = self.handle.take() {
            h.stop();
        }
    }

    fn send(&self, method: &str, path: &str, who: &Who, body: &Body) -> Answer {
        send(&self.agent, &self.base, method, path, who, body).unwrap_or_else(|e| panic!("no answer: {e}"))
    }

    fn json(&self, method: &str, path: &str, who: &Who, body: Value) -> (u16, Value) {
        let a = self.send(method, path, who, &Body::Json(body));
        (a.status, a.json)
    }

    fn get(&self, path: &str, who: &Who) -> (u16, Value) {
        let a = self.send("GET", path, who, &Body::None);
        (a.status, a.json)
    }

    /// Uploads `bytes` as the dataset `name`; the dataset's JSON.
    fn upload(&self, who: &Who, name: &str, bytes: &[u8]) -> Value {
        let a = self.send(
            "POST",
            &format!("/api/datasets?name={name}"),
            who,
            &Body::Raw(bytes.to_vec(), "application/octet-stream"),
        );
        assert!(a.status == 201 || a.status == 200, "upload {name}: {} {}", a.status, a.json);
        a.json
    }

    /// Signs in: (cookie, csrf).
    fn login(&self, name: &str, password: &str) -> (String, String) {
        let a = self.send("POST", "/api/login", &Who::Anon, &Body::Json(json!({ "name": name, "password": password })));
        assert_eq!(a.status, 200, "login {name}: {}", a.json);
        let cookie = a.headers.get("set-cookie").expect("a session cookie").to_str().unwrap();
        let value = cookie.split(';').next().unwrap().strip_prefix("swarmscan_session=").unwrap().to_string();
        (value, a.json["csrf"].as_str().unwrap().to_string())
    }

    /// A new API token of the signed-in `name`.
    fn token(&self, name: &str, password: &str) -> String {
        let (c, t) = self.login(name, password);
        let (s, v) = self.json("POST", "/api/tokens", &Who::Session(c, Some(t)), json!({ "name": "test" }));
        assert_eq!(s, 201, "{v}");
        v["token"].as_str().unwrap().to_string()
    }

    /// Adds a user as `admin`; their id.
    fn add_user(&self, admin: &Who, name: &str, role: &str) -> i64 {
        let (s, v) =
            self.json("POST", "/api/users", admin, json!({ "name": name, "role": role, "password": pw(name) }));
        assert_eq!(s, 201, "add user {name}: {v}");
        v["id"].as_i64().unwrap()
    }

    fn add_job(&self, who: &Who, body: Value) -> i64 {
        let (s, j) = self.json("POST", "/api/jobs", who, body);
        assert_eq!(s, 202, "{j}");
        j["id"].as_i64().unwrap()
    }

    fn wait_job(&self, who: &Who, id: i64) -> Value {
        let t = Instant::now();
        loop {
            let (s, v) = self.get(&format!("/api/jobs/{id}"), who);
            assert_eq!(s, 200, "{v}");
            if !matches!(v["state"].as_str(), Some("queued" | "running")) {
                return v;
            }
            assert!(t.elapsed() < Duration::from_secs(120), "job {id} did not end: {v}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Srv {
    fn drop(&mut self) {
        if let Some(h) = self.handle.take() {
            h.stop();
        }
    }
}

fn pw(name: &str) -> String {
    format!("{name}-password")
}

fn config(data: &Path, max_jobs: usize) -> Config {
    Config { listen: "127.0.0.1:0".parse().unwrap(), max_jobs, rate_limit: None, ..Config::new(data.to_path_buf()) }
}

/// A small toolkit CSV in which three accounts (a, b, c) repost together;
/// `tag` makes the bytes (and so the dataset) differ.
fn tiny_csv(tag: &str) -> Vec<u8> {
    let mut s = String::from("message_id,user_id,username,repost_id,reply_id,message,timestamp,urls\n");
    for k in 0..6 {
        for (i, u) in ["a", "b", "c"].iter().enumerate() {
            s += &format!("{tag}{k}{u},{u},{u},X{k},,rt,{},\n", 1_700_000_000 + 1000 * k + 5 * i as i64);
        }
    }
    s.into_bytes()
}

/// Every file and folder under `root`, relative, sorted.
fn tree(root: &Path) -> BTreeSet<PathBuf> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeSet<PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap().flatten() {
            let p = e.path();
            out.insert(p.strip_prefix(root).unwrap().to_path_buf());
            if e.file_type().unwrap().is_dir() {
                walk(root, &p, out);
            }
        }
    }
    let mut out = BTreeSet::new();
    walk(root, root, &mut out);
    out
}

// ---- the access matrix ----

/// The callers, in the order of the table's columns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Caller {
    Anon,
    BadToken,
    /// The admin's session, without the X-CSRF-Token header.
    NoCsrf,
    ViewerUnshared,
    ViewerShared,
    OtherAnalyst,
    Owner,
    Admin,
}

const CALLERS: [Caller; 8] = [
    Caller::Anon,
    Caller::BadToken,
    Caller::NoCsrf,
    Caller::ViewerUnshared,
    Caller::ViewerShared,
    Caller::OtherAnalyst,
    Caller::Owner,
    Caller::Admin,
];

/// What the matrix's requests act on.
struct Fx {
    srv: Srv,
    /// Dropped after the server.
    _root: tempfile::TempDir,
    import: PathBuf,
    whos: Vec<Who>,
    /// The owner's dataset, shared with the shared viewer.
    ds: String,
    /// Two done scan jobs on it.
    job: i64,
    job2: i64,
    n: Cell<u32>,
}

impl Fx {
    fn who(&self, c: Caller) -> &Who {
        &self.whos[CALLERS.iter().position(|x| *x == c).unwrap()]
    }

    /// A number not used before (for unique names and bytes).
    fn next(&self) -> u32 {
        self.n.set(self.n.get() + 1);
        self.n.get()
    }

    /// A new token of the owner: its id.
    fn owner_token(&self) -> i64 {
        let (s, v) = self.srv.json("POST", "/api/tokens", self.who(Caller::Owner), json!({ "name": "doomed" }));
        assert_eq!(s, 201, "{v}");
        v["id"].as_i64().unwrap()
    }

    /// A new dataset of the owner, shared with the shared viewer.
    fn owner_dataset(&self) -> String {
        let d = self.srv.upload(self.who(Caller::Owner), "doomed", &tiny_csv(&format!("d{}x", self.next())));
        let id = d["id"].as_str().unwrap().to_string();
        let (s, v) = self.srv.json(
            "POST",
            &format!("/api/datasets/{id}/shares"),
            self.who(Caller::Owner),
            json!({ "user": "vshared" }),
        );
        assert_eq!(s, 200, "{v}");
        id
    }

    /// A new queued job of the owner on the dataset (no workers run).
    fn owner_job(&self) -> i64 {
        self.srv.add_job(self.who(Caller::Owner), json!({ "dataset": self.ds }))
    }

    /// A new user (a viewer): its id.
    fn user(&self) -> i64 {
        self.srv.add_user(self.who(Caller::Admin), &format!("doomed{}", self.next()), "viewer")
    }

    /// A new file in the import folder: its path.
    fn import_file(&self) -> String {
        let p = self.import.join(format!("file{}.csv", self.next()));
        std::fs::write(&p, tiny_csv(&format!("i{}x", self.n.get()))).unwrap();
        p.display().to_string()
    }
}

/// One request of a row, made for one caller.
struct Req {
    path: String,
    body: Body,
}

fn req(path: impl Into<String>) -> Req {
    Req { path: path.into(), body: Body::None }
}

fn req_json(path: impl Into<String>, body: Value) -> Req {
    Req { path: path.into(), body: Body::Json(body) }
}

/// How a row makes its request for a caller.
type Make = Box<dyn Fn(&Fx, Caller) -> Req>;

/// A row: an operation as the OpenAPI document names it, the status for
/// each caller (the order of [`CALLERS`]), and how to make its request.
struct Row {
    method: &'static str,
    template: &'static str,
    want: [u16; 8],
    make: Make,
}

fn row(
    method: &'static str,
    template: &'static str,
    want: [u16; 8],
    make: impl Fn(&Fx, Caller) -> Req + 'static,
) -> Row {
    Row { method, template, want, make: Box::new(make) }
}

/// The table. Columns: anonymous, garbage token, session without CSRF (the
/// admin's), viewer not shared with, viewer shared with, another analyst,
/// the owning analyst, admin.
fn table() -> Vec<Row> {
    vec![
        row("GET", "/api/openapi.json", [200, 200, 200, 200, 200, 200, 200, 200], |_, _| req("/api/openapi.json")),
        // Signing in needs no credentials and ignores any sent.
        row("POST", "/api/login", [200, 200, 200, 200, 200, 200, 200, 200], |_, _| {
            req_json("/api/login", json!({ "name": "bystander", "password": pw("bystander") }))
        }),
        row("POST", "/api/logout", [401, 401, 403, 204, 204, 204, 204, 204], |_, _| req("/api/logout")),
        row("GET", "/api/me", [401, 401, 200, 200, 200, 200, 200, 200], |_, _| req("/api/me")),
        row("GET", "/api/users", [401, 401, 200, 403, 403, 403, 403, 200], |_, _| req("/api/users")),
        row("POST", "/api/users", [401, 401, 403, 403, 403, 403, 403, 201], |fx, _| {
            let name = format!("new{}", fx.next());
            req_json("/api/users", json!({ "name": name, "role": "viewer", "password": pw(&name) }))
        }),
        row("DELETE", "/api/users/{id}", [401, 401, 403, 403, 403, 403, 403, 204], |fx, _| {
            req(format!("/api/users/{}", fx.user()))
        }),
        row("POST", "/api/tokens", [401, 401, 403, 201, 201, 201, 201, 201], |_, _| {
            req_json("/api/tokens", json!({ "name": "t" }))
        }),
        // Someone else's token is not there for you; an admin revokes any.
        row("DELETE", "/api/tokens/{id}", [401, 401, 403, 404, 404, 404, 204, 204], |fx, _| {
            req(format!("/api/tokens/{}", fx.owner_token()))
        }),
        row("GET", "/api/datasets", [401, 401, 200, 200, 200, 200, 200, 200], |_, _| req("/api/datasets")),
        row("POST", "/api/datasets", [401, 401, 403, 403, 403, 201, 201, 201], |fx, _| Req {
            path: format!("/api/datasets?name=up{}", fx.next()),
            body: Body::Raw(tiny_csv(&format!("u{}x", fx.n.get())), "application/octet-stream"),
        }),
        row("POST", "/api/datasets/register", [401, 401, 403, 403, 403, 403, 403, 201], |fx, _| {
            req_json("/api/datasets/register", json!({ "path": fx.import_file(), "name": "registered" }))
        }),
        row("GET", "/api/datasets/{id}", [401, 401, 200, 404, 200, 404, 200, 200], |fx, _| {
            req(format!("/api/datasets/{}", fx.ds))
        }),
        row("DELETE", "/api/datasets/{id}", [401, 401, 403, 404, 403, 404, 204, 204], |fx, _| {
            req(format!("/api/datasets/{}", fx.owner_dataset()))
        }),
        row("POST", "/api/datasets/{id}/shares", [401, 401, 403, 404, 403, 404, 200, 200], |fx, _| {
            req_json(format!("/api/datasets/{}/shares", fx.ds), json!({ "user": "bystander" }))
        }),
        // Each caller keeps a different account, so each derived dataset is new.
        row("POST", "/api/datasets/{id}/derive", [401, 401, 403, 404, 403, 404, 201, 201], |fx, c| {
            let account = if c == Caller::Owner { "a" } else { "b" };
            req_json(format!("/api/datasets/{}/derive", fx.ds), json!({ "name": "sub", "accounts": [account] }))
        }),
        row("GET", "/api/jobs", [401, 401, 200, 200, 200, 200, 200, 200], |_, _| req("/api/jobs")),
        // Viewers may not run anything, seen or not: the role is checked first.
        row("POST", "/api/jobs", [401, 401, 403, 403, 403, 404, 202, 202], |fx, _| {
            req_json("/api/jobs", json!({ "dataset": fx.ds }))
        }),
        row("GET", "/api/jobs/{id}", [401, 401, 200, 404, 200, 404, 200, 200], |fx, _| {
            req(format!("/api/jobs/{}", fx.job))
        }),
        row("POST", "/api/jobs/{id}/cancel", [401, 401, 403, 404, 403, 404, 200, 200], |fx, _| {
            req(format!("/api/jobs/{}/cancel", fx.owner_job()))
        }),
        row("GET", "/api/jobs/{id}/results/{file}", [401, 401, 200, 404, 200, 404, 200, 200], |fx, _| {
            req(format!("/api/jobs/{}/results/clusters.csv", fx.job))
        }),
        row("GET", "/api/compare", [401, 401, 200, 404, 200, 404, 200, 200], |fx, _| {
            req(format!("/api/compare?a={}&b={}", fx.job, fx.job2))
        }),
    ]
}

/// The operations of the OpenAPI document, as (METHOD, template).
fn operations(doc: &Value) -> BTreeSet<(String, String)> {
    let mut ops = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for method in item.as_object().unwrap().keys() {
            if ["get", "post", "put", "patch", "delete", "head", "options"].contains(&method.as_str()) {
                ops.insert((method.to_uppercase(), path.clone()));
            }
        }
    }
    ops
}

/// The server of the matrix: users of every role, a dataset of `owner`
/// shared with `vshared`, two done scans of it; then started again without
/// workers, so jobs queued by the table stay queued.
fn matrix_fixture() -> Fx {
    let root = tempfile::tempdir().unwrap();
    let data = root.path().join("data");
    let import = root.path().join("import");
    std::fs::create_dir_all(&import).unwrap();
    let cfg = |jobs| Config { import_dirs: vec![import.clone()], ..config(&data, jobs) };
    let (srv, password) = Srv::start(cfg(1));
    let admin_pw = password.expect("a first start creates the admin");
    let admin_token = srv.token("admin", &admin_pw);
    let admin = Who::Token(admin_token.clone());
    for (name, role) in [
        ("owner", "analyst"),
        ("other", "analyst"),
        ("vshared", "viewer"),
        ("vnone", "viewer"),
        ("bystander", "viewer"),
    ] {
        srv.add_user(&admin, name, role);
    }
    let tok = |name: &str| Who::Token(srv.token(name, &pw(name)));
    let owner = tok("owner");
    let d = srv.upload(&owner, "fixture", &tiny_csv("fx"));
    let ds = d["id"].as_str().unwrap().to_string();
    let (s, v) = srv.json("POST", &format!("/api/datasets/{ds}/shares"), &owner, json!({ "user": "vshared" }));
    assert_eq!(s, 200, "{v}");
    let job = srv.add_job(&owner, json!({ "dataset": ds }));
    let job2 = srv.add_job(&owner, json!({ "dataset": ds, "params": { "seed": 7 } }));
    for id in [job, job2] {
        let j = srv.wait_job(&owner, id);
        assert_eq!(j["state"], "done", "{j}");
    }
    let (cookie, _) = srv.login("admin", &admin_pw);
    let whos = vec![
        Who::Anon,
        Who::Token("sws_0000000000000000000000000000000000000000000000000000000000000000".into()),
        Who::Session(cookie, None),
        tok("vnone"),
        tok("vshared"),
        tok("other"),
        owner,
        admin,
    ];
    srv.stop();
    let (srv, again) = Srv::start(cfg(0));
    assert!(again.is_none(), "the admin is created once");
    Fx { srv, _root: root, import, whos, ds, job, job2, n: Cell::new(0) }
}

#[test]
fn every_operation_checks_who_asks() {
    let fx = matrix_fixture();
    let rows = table();

    // The table and the document name the same operations.
    let (s, doc) = fx.srv.get("/api/openapi.json", &Who::Anon);
    assert_eq!(s, 200);
    let documented = operations(&doc);
    let tabled: BTreeSet<(String, String)> =
        rows.iter().map(|r| (r.method.to_string(), r.template.to_string())).collect();
    assert_eq!(tabled.len(), rows.len(), "an operation has two rows");
    let untested: Vec<_> = documented.difference(&tabled).collect();
    let undocumented: Vec<_> = tabled.difference(&documented).collect();
    assert!(untested.is_empty(), "operations of /api/openapi.json without a row in the access table: {untested:?}");
    assert!(undocumented.is_empty(), "rows for operations /api/openapi.json does not list: {undocumented:?}");

    let mut mismatches = Vec::new();
    let mut cells = 0;
    for r in &rows {
        for (i, c) in CALLERS.iter().enumerate() {
            let q = (r.make)(&fx, *c);
            let a = fx.srv.send(r.method, &q.path, fx.who(*c), &q.body);
            cells += 1;
            if a.status != r.want[i] {
                mismatches.push(format!(
                    "{} {} as {c:?}: want {}, got {}: {}",
                    r.method,
                    q.path,
                    r.want[i],
                    a.status,
                    a.json.to_string().chars().take(200).collect::<String>()
                ));
            } else if a.status >= 400 && !a.json["error"].is_string() {
                mismatches
                    .push(format!("{} {} as {c:?}: {} without a JSON error: {}", r.method, q.path, a.status, a.json));
            }
        }
    }
    assert!(mismatches.is_empty(), "{} of {cells} cells differ:\n{}", mismatches.len(), mismatches.join("\n"));
    assert_eq!(cells, rows.len() * CALLERS.len());

    // What each sees in the lists.
    let ids = |c: Caller, path: &str| -> Vec<Value> {
        let (s, v) = fx.srv.get(path, fx.who(c));
        assert_eq!(s, 200, "{v}");
        v.as_array().unwrap().iter().map(|d| d["id"].clone()).collect()
    };
    for (c, sees) in [
        (Caller::ViewerUnshared, false),
        (Caller::ViewerShared, true),
        (Caller::OtherAnalyst, false),
        (Caller::Owner, true),
        (Caller::Admin, true),
    ] {
        assert_eq!(ids(c, "/api/datasets").contains(&json!(fx.ds)), sees, "{c:?} lists the dataset");
        assert_eq!(ids(c, "/api/jobs").contains(&json!(fx.job)), sees, "{c:?} lists the job");
    }
    // Only the owner and admins learn whom a dataset is shared with.
    for (c, shown) in [(Caller::ViewerShared, false), (Caller::Owner, true), (Caller::Admin, true)] {
        let (_, d) = fx.srv.get(&format!("/api/datasets/{}", fx.ds), fx.who(c));
        assert_eq!(d.get("shared_with").is_some(), shown, "{c:?}: {d}");
    }
    // A job that has ended cannot be cancelled.
    let (s, v) = fx.srv.json("POST", &format!("/api/jobs/{}/cancel", fx.job), fx.who(Caller::Owner), json!({}));
    assert_eq!(s, 409, "{v}");
}

// ---- paths ----

/// Result names that climb, are absolute, or are not in the list.
const BAD_RESULT_NAMES: &[&str] = &[
    "..%2F..%2Fswarmscan.db",
    "..%2Fswarmscan.db",
    "%2e%2e",
    "%2E%2E%2F%2E%2E%2Fswarmscan.db",
    "%252e%252e%252fswarmscan.db",
    "..%5C..%5Cswarmscan.db",
    "....%2F%2Fswarmscan.db",
    "%2Fetc%2Fpasswd",
    "%2F..%2Fswarmscan.db",
    "clusters.csv%00",
    "clusters.csv%2F..%2F..%2F..%2Fswarmscan.db",
    "swarmscan.db",
    "secret.txt",
    "CLUSTERS.CSV",
    "..",
    ".",
    "%20clusters.csv",
];

#[test]
fn nothing_reaches_outside_the_data_folder() {
    let root = tempfile::tempdir().unwrap();
    let (data, import, outside) = (root.path().join("data"), root.path().join("import"), root.path().join("outside"));
    for d in [&import.join("sub"), &outside] {
        std::fs::create_dir_all(d).unwrap();
    }
    let secret = outside.join("secret.csv");
    std::fs::write(&secret, tiny_csv("secret")).unwrap();
    std::os::unix::fs::symlink(&secret, import.join("link.csv")).unwrap();
    std::os::unix::fs::symlink(&outside, import.join("linkdir")).unwrap();
    std::fs::write(import.join("sub/inside.csv"), tiny_csv("inside")).unwrap();

    let (srv, password) = Srv::start(Config { import_dirs: vec![import.clone()], ..config(&data, 1) });
    let admin = Who::Token(srv.token("admin", &password.unwrap()));
    let d = srv.upload(&admin, "base", &tiny_csv("base"));
    let job = srv.add_job(&admin, json!({ "dataset": d["id"] }));
    let j = srv.wait_job(&admin, job);
    assert_eq!(j["state"], "done", "{j}");
    // A file in the job's results folder that is not a result.
    std::fs::write(data.join(format!("results/{job}/secret.txt")), "not for you").unwrap();
    let before = tree(root.path());
    let db = std::fs::read(data.join("swarmscan.db")).unwrap();
    let mut problems = Vec::new();

    // Upload names are labels, never paths; a format is a reader's name.
    for (k, (query, want)) in [
        ("name=../../x", 201),
        ("name=..%2F..%2Fx", 201),
        ("name=%2Ftmp%2Fswarmscan-escape", 201),
        ("name=..%5C..%5Cx", 201),
        ("format=../x", 400),
        ("format=..%2F..%2Fx", 400),
        ("format=%2Fetc%2Fpasswd", 400),
    ]
    .into_iter()
    .enumerate()
    {
        let body = Body::Raw(tiny_csv(&format!("p{k}x")), "application/octet-stream");
        let a = srv.send("POST", &format!("/api/datasets?{query}"), &admin, &body);
        if a.status != want {
            problems.push(format!("upload ?{query}: want {want}, got {} {}", a.status, a.json));
        }
    }
    // Only the names of the job's `results` are served, each of them.
    let listed: Vec<String> =
        j["results"].as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_string()).collect();
    assert!(listed.contains(&"summary.json".to_string()), "{listed:?}");
    for name in &listed {
        let a = srv.send("GET", &format!("/api/jobs/{job}/results/{name}"), &admin, &Body::None);
        if a.status != 200 {
            problems.push(format!("result {name}: {} {}", a.status, a.json));
        }
    }
    let leaks = |b: &[u8]| {
        [&b"SQLite format 3"[..], b"not for you", b"secret", &db[..64]]
            .iter()
            .any(|needle| b.windows(needle.len()).any(|w| w == *needle))
    };
    for bad in BAD_RESULT_NAMES {
        let a = srv.send("GET", &format!("/api/jobs/{job}/results/{bad}"), &admin, &Body::None);
        if a.status != 404 || leaks(&a.bytes) {
            problems.push(format!("result {bad}: {} {}", a.status, String::from_utf8_lossy(&a.bytes)));
        }
    }
    for path in [
        format!("/api/jobs/{job}/results/../../../swarmscan.db"),
        format!("/api/jobs/{job}/results/%2e%2e/%2e%2e/swarmscan.db"),
        format!("/api/jobs/..%2F{job}/results/clusters.csv"),
        format!("/api/jobs/{job}%2F..%2F..%2F/results/clusters.csv"),
        "/api/../../swarmscan.db".to_string(),
        "/api/datasets/..%2F..%2Fswarmscan.db".to_string(),
        format!("/api/datasets/..%2Fdatasets%2F{}", d["id"].as_str().unwrap()),
    ] {
        let a = srv.send("GET", &path, &admin, &Body::None);
        if a.status != 404 || leaks(&a.bytes) {
            problems.push(format!("GET {path}: {} {}", a.status, String::from_utf8_lossy(&a.bytes)));
        }
    }
    // Registering: only what lies inside the import folder, symlinks resolved.
    let inside = import.join("sub/inside.csv");
    let escapes = [
        secret.display().to_string(),
        format!("{}/../outside/secret.csv", import.display()),
        format!("{}/sub/../../outside/secret.csv", import.display()),
        import.join("link.csv").display().to_string(),
        import.join("linkdir/secret.csv").display().to_string(),
        data.join("swarmscan.db").display().to_string(),
        "../outside/secret.csv".to_string(),
        "/etc/passwd".to_string(),
    ];
    for path in &escapes {
        let (s, v) = srv.json("POST", "/api/datasets/register", &admin, json!({ "path": path }));
        if s != 403 {
            problems.push(format!("register {path}: want 403, got {s} {v}"));
        }
    }
    let (s, v) = srv.json("POST", "/api/datasets/register", &admin, json!({ "path": inside, "name": "../../x" }));
    if s != 201 {
        problems.push(format!("register {}: want 201, got {s} {v}", inside.display()));
    }
    let (s, v) = srv.get("/api/datasets", &admin);
    assert_eq!(s, 200);
    let secret_id = swarmscan_serve::auth::sha256_hex(&std::fs::read_to_string(&secret).unwrap());
    if v.as_array().unwrap().iter().any(|d| d["id"] == secret_id.as_str()) {
        problems.push("the file outside the import folder became a dataset".into());
    }
    srv.stop();

    // Outside DATA nothing changed; inside, only datasets and the store's files are new.
    let after = tree(root.path());
    for p in after.symmetric_difference(&before) {
        let s = p.to_string_lossy();
        // SQLite's -wal and -shm files come and go with the server.
        let allowed = s.starts_with("data/swarmscan.db")
            || (after.contains(p) && s.starts_with("data/datasets/") && !s.contains(".."));
        if !allowed {
            problems.push(format!("{} {s}", if after.contains(p) { "created" } else { "removed" }));
        }
    }
    assert!(std::fs::read_dir(data.join("uploads")).unwrap().next().is_none(), "an upload was left behind");
    assert!(problems.is_empty(), "{} problems:\n{}", problems.len(), problems.join("\n"));
}

// ---- limits ----

#[test]
fn bodies_over_the_limits_answer_413() {
    let dir = tempfile::tempdir().unwrap();
    let max_upload = 64 << 10;
    let cfg = Config { max_upload, ..config(dir.path(), 0) };
    assert_eq!(cfg.max_json, 1 << 20, "the documented JSON limit");
    let (srv, password) = Srv::start(cfg);
    let token = srv.token("admin", &password.unwrap());
    let admin = Who::Token(token.clone());
    let mut problems = Vec::new();

    // Within the limit: accepted.
    srv.upload(&admin, "small", &tiny_csv("small"));
    // One byte over, with its length declared: 413 before the body is read.
    let mut big = tiny_csv("big");
    big.resize(max_upload as usize + 1, b'\n');
    let a = srv.send("POST", "/api/datasets?name=big", &admin, &Body::Raw(big.clone(), "application/octet-stream"));
    if a.status != 413 || !a.json["error"].is_string() {
        problems.push(format!("upload of {} bytes: {} {}", big.len(), a.status, a.json));
    }
    // Chunked, without a length: refused once the limit is passed. The
    // server may answer before it has read everything and close, so a
    // broken connection is an answer too; what matters is what is left.
    big.resize(4 * max_upload as usize, b'\n');
    let chunked = ureq::http::Request::builder()
        .method("POST")
        .uri(format!("{}/api/datasets?name=chunked", srv.base))
        .header("Authorization", format!("Bearer {token}"))
        .body(ureq::SendBody::from_owned_reader(std::io::Cursor::new(big)))
        .unwrap();
    if let Ok(r) = srv.agent.run(chunked)
        && r.status().as_u16() != 413
    {
        problems.push(format!("chunked upload: {}", r.status()));
    }
    // A JSON body one byte over 1 MiB, on every kind of JSON endpoint.
    for path in ["/api/login", "/api/tokens", "/api/users", "/api/jobs"] {
        let mut body = br#"{"name": ""#.to_vec();
        body.resize((1 << 20) - 1, b'x');
        body.extend_from_slice(br#""}"#);
        assert_eq!(body.len(), (1 << 20) + 1);
        let a = srv.send("POST", path, &admin, &Body::Raw(body, "application/json"));
        if a.status != 413 || !a.json["error"].is_string() {
            problems.push(format!("{path} with a JSON body of 1 MiB + 1: {} {}", a.status, a.json));
        }
    }
    // Just under it, the body is read (and refused for what it says, not its size).
    let mut body = br#"{"name": ""#.to_vec();
    body.resize((1 << 20) - 100, b'x');
    body.extend_from_slice(br#"", "extra": 1}"#);
    let a = srv.send("POST", "/api/tokens", &admin, &Body::Raw(body, "application/json"));
    if a.status == 413 || a.status >= 500 {
        problems.push(format!("a JSON body under 1 MiB: {} {}", a.status, a.json));
    }
    srv.stop();
    assert!(std::fs::read_dir(dir.path().join("uploads")).unwrap().next().is_none(), "an upload was left behind");
    assert_eq!(std::fs::read_dir(dir.path().join("datasets")).unwrap().count(), 1, "only the small upload is kept");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_rate_limit_answers_429() {
    let dir = tempfile::tempdir().unwrap();
    // The limit is per client address: start without it to make a token, then with it.
    let (srv, password) = Srv::start(config(dir.path(), 0));
    let admin = Who::Token(srv.token("admin", &password.unwrap()));
    srv.stop();
    let limit = RateLimit { per_second: 2.0, burst: 4.0 };
    let (srv, _) = Srv::start(Config { rate_limit: Some(limit), ..config(dir.path(), 0) });
    let answers: Vec<Answer> = (0..10).map(|_| srv.send("GET", "/api/me", &admin, &Body::None)).collect();
    let codes: Vec<u16> = answers.iter().map(|a| a.status).collect();
    assert_eq!(&codes[..4], &[200; 4], "the burst passes: {codes:?}");
    assert!(codes[4..].iter().all(|c| *c == 429 || *c == 200), "{codes:?}");
    assert!(codes[4..].iter().filter(|c| **c == 429).count() >= 4, "{codes:?}");
    let refused = answers.iter().find(|a| a.status == 429).unwrap();
    assert!(refused.json["error"].is_string(), "{}", refused.json);
    assert_eq!(refused.headers.get("retry-after").map(|v| v.to_str().unwrap()), Some("1"));
    // Anonymous requests and sign-ins draw on the same bucket (before any password is hashed).
    let a = srv.send("POST", "/api/login", &Who::Anon, &Body::Json(json!({ "name": "admin", "password": "x" })));
    assert_eq!(a.status, 429, "{}", a.json);
    assert_eq!(srv.send("GET", "/api/openapi.json", &Who::Anon, &Body::None).status, 429);
    // The bucket refills.
    std::thread::sleep(Duration::from_millis(1600));
    assert_eq!(srv.send("GET", "/api/me", &admin, &Body::None).status, 200);
    srv.stop();
}

// ---- deleting ----

#[test]
fn deleting_users_and_datasets() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    let (srv, password) = Srv::start(config(data, 1));
    let admin_pw = password.unwrap();
    let admin = Who::Token(srv.token("admin", &admin_pw));
    let (_, me) = srv.get("/api/me", &admin);
    let admin_id = me["id"].as_i64().unwrap();
    let gone_id = srv.add_user(&admin, "gone", "analyst");
    let gone = Who::Token(srv.token("gone", &pw("gone")));
    let (cookie, csrf) = srv.login("gone", &pw("gone"));
    let gone_session = Who::Session(cookie, Some(csrf));
    let d = srv.upload(&gone, "theirs", &tiny_csv("gone"));
    let ds = d["id"].as_str().unwrap().to_string();
    let job = srv.add_job(&gone, json!({ "dataset": ds }));
    assert_eq!(srv.wait_job(&gone, job)["state"], "done");
    assert!(data.join(format!("results/{job}")).is_dir());
    srv.stop();
    // No workers from here on: a queued job stays queued.
    let (srv, _) = Srv::start(config(data, 0));

    // Users: not oneself, not what is not there; the rest lose every way in.
    let a = srv.send("DELETE", &format!("/api/users/{admin_id}"), &admin, &Body::None);
    assert_eq!(a.status, 400, "deleting oneself: {}", a.json);
    assert_eq!(srv.send("DELETE", "/api/users/999999", &admin, &Body::None).status, 404);
    assert_eq!(srv.send("DELETE", &format!("/api/users/{gone_id}"), &gone, &Body::None).status, 403);
    assert_eq!(srv.send("DELETE", &format!("/api/users/{gone_id}"), &admin, &Body::None).status, 204);
    assert_eq!(srv.get("/api/me", &gone).0, 401, "their token ends");
    assert_eq!(srv.get("/api/me", &gone_session).0, 401, "their session ends");
    let a = srv.send("POST", "/api/login", &Who::Anon, &Body::Json(json!({ "name": "gone", "password": pw("gone") })));
    assert_eq!(a.status, 401);
    let (s, d) = srv.get(&format!("/api/datasets/{ds}"), &admin);
    assert_eq!((s, d["owner"].as_i64()), (200, Some(admin_id)), "their datasets pass to the admin: {d}");
    assert_eq!(srv.send("DELETE", &format!("/api/users/{gone_id}"), &admin, &Body::None).status, 404);

    // Datasets: not while a job waits on it or a derived one points to it.
    let queued = srv.add_job(&admin, json!({ "dataset": ds }));
    assert_eq!(srv.send("DELETE", &format!("/api/datasets/{ds}"), &admin, &Body::None).status, 409);
    let (s, v) = srv.json("POST", &format!("/api/jobs/{queued}/cancel"), &admin, json!({}));
    assert_eq!(s, 200, "{v}");
    let (s, child) = srv.json("POST", &format!("/api/datasets/{ds}/derive"), &admin, json!({ "accounts": ["a", "b"] }));
    assert_eq!(s, 201, "{child}");
    assert_eq!(child["parent"], ds.as_str());
    let child_id = child["id"].as_str().unwrap().to_string();
    assert_eq!(srv.send("DELETE", &format!("/api/datasets/{ds}"), &admin, &Body::None).status, 409);
    assert_eq!(srv.send("DELETE", &format!("/api/datasets/{child_id}"), &admin, &Body::None).status, 204);
    assert_eq!(srv.send("DELETE", &format!("/api/datasets/{ds}"), &admin, &Body::None).status, 204);
    // Gone with its file, its jobs and their results.
    assert_eq!(srv.get(&format!("/api/datasets/{ds}"), &admin).0, 404);
    assert_eq!(srv.get(&format!("/api/jobs/{job}"), &admin).0, 404);
    assert_eq!(srv.get(&format!("/api/jobs/{job}/results/summary.json"), &admin).0, 404);
    assert_eq!(srv.send("DELETE", &format!("/api/datasets/{ds}"), &admin, &Body::None).status, 404);
    srv.stop();
    assert!(!data.join(format!("datasets/{ds}")).exists(), "the dataset's file is removed");
    assert!(!data.join(format!("datasets/{child_id}")).exists(), "the derived dataset's file is removed");
    assert!(!data.join(format!("results/{job}")).exists(), "the job's results are removed");
}
