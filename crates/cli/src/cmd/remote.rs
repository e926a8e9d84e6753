//! `swarmscan remote`: the command line as a client of `swarmscan serve`.
//!
//! Every subcommand is one or a few calls of the JSON API (the contract:
//! `GET /api/openapi.json`); this module knows no scan, no store and no
//! format, only HTTP, and shows the answers as short tables on stdout
//! (`--json`: the server's JSON as it came, pretty-printed). Notes and
//! progress go to stderr through [`Ui`].
//!
//! Authentication is an API token (`--token` or `SWARMSCAN_TOKEN`), sent
//! as `Authorization: Bearer …`; `login` makes one from a name and password
//! over a short session (cookie plus CSRF header) that it ends at once.
//!
//! An answer other than 2xx becomes an error naming the method, the path,
//! the status and the server's `{"error"}` message; a server that cannot be
//! reached is named with its URL. Downloads (`fetch`) land in a temporary
//! sibling folder that is renamed into place only when every file is whole,
//! and only names the server lists as plain file names are written.

use crate::summary::num;
use crate::ui::Ui;
use anyhow::{Context, anyhow, bail};
use clap::{Args, Subcommand, ValueEnum};
use serde_json::{Map, Value, json};
use std::io::{BufRead, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};
use ureq::http::{Request, Response};

const REMOTE_EXAMPLES: &str = "\
Examples:
  swarmscan serve --data team-data            # the server; prints the admin's password once
  eval \"$(swarmscan remote login --name alice < password.txt)\"   # sets SWARMSCAN_TOKEN
  swarmscan remote upload tweets.jsonl.gz     # prints the dataset's id
  swarmscan remote scan 3fa4c1 --wait         # a unique id prefix, or a unique name
  swarmscan remote fetch 7 --out findings     # every result file of job 7
  swarmscan remote compare 7 9                # clusters that appeared, vanished, changed
  swarmscan remote watch --jetstream wss://jetstream2.us-east.bsky.network/subscribe --duration 1h
  swarmscan remote --json jobs | jq '.[].state'

The server is --server URL, else SWARMSCAN_SERVER, else http://127.0.0.1:8080.
Exit codes: 0 success; 1 an error, an answer other than 2xx, or a job that
failed or was cancelled (wait, --wait); 2 bad usage.";

/// `swarmscan remote`: flags shared by every subcommand.
#[derive(Args, Debug)]
#[command(after_long_help = REMOTE_EXAMPLES)]
pub struct RemoteArgs {
    /// The server: `http://HOST:PORT` (a missing `http://` and a trailing
    /// `/api/` are fine).
    #[arg(long, global = true, value_name = "URL", env = "SWARMSCAN_SERVER", default_value = "http://127.0.0.1:8080")]
    pub server: String,
    /// API token (`sws_…`; `swarmscan remote login` makes one).
    #[arg(long, global = true, value_name = "TOKEN", env = "SWARMSCAN_TOKEN", hide_env_values = true)]
    pub token: Option<String>,
    /// Print the server's JSON answer as it is (pretty-printed) instead of
    /// a table.
    #[arg(long, global = true)]
    pub json: bool,
    #[command(subcommand)]
    pub command: RemoteCommand,
}

#[derive(Subcommand, Debug)]
pub enum RemoteCommand {
    /// Sign in with a name and password (one line on stdin) and print a new
    /// API token as `export SWARMSCAN_TOKEN=…` (shown only once).
    Login {
        /// The user's name.
        #[arg(long)]
        name: String,
        /// Read the password from stdin even when it is a terminal (it is
        /// read from stdin anyway when stdin is a pipe or a file).
        #[arg(long)]
        password_stdin: bool,
        /// A label for the token, to tell tokens apart later.
        #[arg(long, value_name = "LABEL", default_value = "swarmscan remote")]
        token_name: String,
    },
    /// Who the token belongs to.
    Whoami,
    /// List the users (admin only).
    Users,
    /// Add a user (admin only); the password (8 characters or more) is one
    /// line on stdin.
    AddUser {
        /// The new user's name.
        name: String,
        #[arg(long, value_enum)]
        role: Role,
        /// Read the password from stdin even when it is a terminal.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Delete a user (admin only): their sessions and tokens end, their
    /// datasets pass to you.
    DeleteUser {
        /// The user's name (or numeric id).
        user: String,
    },
    /// List the datasets you can see.
    Datasets,
    /// Show one dataset: size, records read and skipped, sharing.
    Dataset {
        /// Dataset id, a unique prefix of one, or a unique name.
        dataset: String,
    },
    /// Upload a file (any readable format, plain, .gz or .zst) as a dataset.
    /// The file is streamed from disk, not read into memory.
    Upload {
        /// The file to upload.
        file: PathBuf,
        /// The dataset's name (default: the file's name).
        #[arg(long)]
        name: Option<String>,
        /// Read it as this format instead of sniffing (twarc2, twitter-v1,
        /// cnt, ira, telegram, bluesky, mastodon, crowdtangle, coortweet,
        /// parquet).
        #[arg(long)]
        format: Option<String>,
    },
    /// Add a file from a folder the server imports from (`swarmscan serve
    /// --import-dir`) as a dataset, without uploading it (admin only).
    Register {
        /// The path on the server.
        path: String,
        /// The dataset's name (default: the file's name).
        #[arg(long)]
        name: Option<String>,
        /// Read it as this format instead of sniffing.
        #[arg(long)]
        format: Option<String>,
    },
    /// Let another user read a dataset of yours.
    Share {
        /// Dataset id, a unique prefix of one, or a unique name.
        dataset: String,
        /// The user's name.
        user: String,
    },
    /// Make a dataset of the events of another that match filters (kept as
    /// Parquet, its parent recorded).
    Derive {
        /// Dataset id, a unique prefix of one, or a unique name.
        dataset: String,
        /// Keep events at or after this time (RFC 3339, e.g. 2024-08-01T00:00:00Z).
        #[arg(long, value_name = "TIME")]
        from: Option<String>,
        /// Keep events before this time (RFC 3339).
        #[arg(long, value_name = "TIME")]
        to: Option<String>,
        /// Keep these accounts' events (ids or usernames, comma-separated).
        #[arg(long, value_delimiter = ',', value_name = "ACCOUNT,...")]
        accounts: Vec<String>,
        /// Keep events in these languages (comma-separated, e.g. en,de).
        #[arg(long, value_delimiter = ',', value_name = "LANG,...")]
        languages: Vec<String>,
        /// The new dataset's name.
        #[arg(long)]
        name: Option<String>,
    },
    /// Delete a dataset with its jobs and their results (owner or admin).
    DeleteDataset {
        /// Dataset id, a unique prefix of one, or a unique name.
        dataset: String,
    },
    /// Queue a scan of a dataset (the options are `swarmscan scan`'s).
    Scan {
        /// Dataset id, a unique prefix of one, or a unique name.
        dataset: String,
        /// False discovery rate of the reported account pairs.
        #[arg(long)]
        fdr: Option<f64>,
        /// Smallest cluster reported.
        #[arg(long, value_name = "N")]
        min_cluster: Option<usize>,
        /// Signals to compute, comma-separated (default: all).
        #[arg(long, value_delimiter = ',', value_name = "SIGNAL,...")]
        signals: Vec<String>,
        /// Seed of the clustering.
        #[arg(long)]
        seed: Option<u64>,
        /// Wait for the job to end (see `wait`).
        #[arg(long)]
        wait: bool,
    },
    /// Queue co-action networks of a dataset as edge lists (`swarmscan network`).
    Network {
        /// Dataset id, a unique prefix of one, or a unique name.
        dataset: String,
        /// Networks, comma-separated: co_repost, co_link, co_reply, co_text,
        /// co_similar, co_post, co_hashtag (co_retweet, co_tweet accepted).
        #[arg(long, value_delimiter = ',', required = true, value_name = "NETWORK,...")]
        networks: Vec<String>,
        /// Time window in seconds.
        #[arg(long, value_name = "SECONDS")]
        window: Option<f64>,
        /// Minimum edge weight.
        #[arg(long, value_name = "N")]
        min_weight: Option<u32>,
        /// Wait for the job to end.
        #[arg(long)]
        wait: bool,
    },
    /// Queue a search for lookalike news domains in a dataset's URLs.
    Domains {
        /// Dataset id, a unique prefix of one, or a unique name.
        dataset: String,
        /// Wait for the job to end.
        #[arg(long)]
        wait: bool,
    },
    /// Queue a scoring of a finished scan job against labelled accounts.
    Eval {
        /// The scan job.
        job: u64,
        /// `account_id,label` CSV (as `swarmscan eval --labels`).
        #[arg(long, value_name = "FILE")]
        labels: PathBuf,
        /// Wait for the job to end.
        #[arg(long)]
        wait: bool,
    },
    /// Queue a live watch on the server (`swarmscan watch` as a job) of a
    /// Jetstream and/or Mastodon source the server allows (`swarmscan serve
    /// --watch-source`); when it ends, its events become datasets of yours.
    Watch {
        /// A Jetstream endpoint, e.g. wss://jetstream2.us-east.bsky.network/subscribe.
        #[arg(long, value_name = "URL", required_unless_present = "mastodon")]
        jetstream: Option<String>,
        /// A Mastodon server, e.g. https://mastodon.social.
        #[arg(long, value_name = "URL")]
        mastodon: Option<String>,
        /// Jetstream collections to ask for (default: posts and reposts).
        #[arg(long, value_delimiter = ',', value_name = "NSID,...")]
        collections: Vec<String>,
        /// How long to watch (e.g. 90s, 20m, 1h; at most 7 days).
        #[arg(long, value_parser = crate::flags::parse_seconds)]
        duration: f64,
        /// How far back each scan looks, in stream time (default 24h).
        #[arg(long, value_parser = crate::flags::parse_seconds)]
        horizon: Option<f64>,
        /// Stream time between scans (default 5m).
        #[arg(long, value_parser = crate::flags::parse_seconds)]
        every: Option<f64>,
        /// How late an event may arrive and still be in the scan of its
        /// time (default 10s).
        #[arg(long, value_parser = crate::flags::parse_seconds)]
        lateness: Option<f64>,
        /// Wait for the watch to end (see `wait`).
        #[arg(long)]
        wait: bool,
    },
    /// List the jobs you can see.
    Jobs,
    /// Show one job.
    Job {
        /// The job's id.
        job: u64,
    },
    /// Wait for a job to end, printing its stages to stderr; fails when the
    /// job failed or was cancelled.
    Wait {
        /// The job's id.
        job: u64,
    },
    /// Cancel a queued or running job.
    Cancel {
        /// The job's id.
        job: u64,
    },
    /// Download every result file of a finished job into a folder, which
    /// appears whole or not at all.
    Fetch {
        /// The job's id.
        job: u64,
        /// The folder to create.
        #[arg(long, short, value_name = "DIR")]
        out: PathBuf,
        /// Replace DIR even when it exists and is not empty.
        #[arg(long)]
        force: bool,
    },
    /// Compare two finished scan jobs: the clusters that appeared, vanished
    /// or changed, with their members.
    Compare {
        /// The earlier scan job.
        a: u64,
        /// The later scan job.
        b: u64,
    },
}

/// A user's role.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum Role {
    /// Sees everything, manages users.
    Admin,
    /// Uploads, runs jobs, shares own datasets.
    Analyst,
    /// Reads what was shared with them.
    Viewer,
}

impl Role {
    fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Analyst => "analyst",
            Role::Viewer => "viewer",
        }
    }
}

pub fn run(args: RemoteArgs, ui: Ui) -> anyhow::Result<u8> {
    let mut c = Client::new(&args.server, args.token.as_deref())?;
    let out = Out { json: args.json, ui };
    use RemoteCommand as C;
    match args.command {
        C::Login { name, password_stdin, token_name } => {
            c.credential = None;
            login(&mut c, &out, &name, password_stdin, &token_name)?
        }
        C::Whoami => {
            let me = c.call("GET", "/api/me", Body::None)?;
            out.show(&me, || user_line(&me))?;
        }
        C::Users => {
            let users = c.call("GET", "/api/users", Body::None)?;
            out.show(&users, || users_table(&users))?;
        }
        C::AddUser { name, role, password_stdin } => {
            let password = read_password(password_stdin, "add-user")?;
            let body = json!({ "name": name, "role": role.as_str(), "password": password });
            let u = c.call("POST", "/api/users", Body::Json(body))?;
            out.show(&u, || format!("added {}\n", user_line(&u).trim_end()))?;
        }
        C::DeleteUser { user } => {
            let users = c.call("GET", "/api/users", Body::None)?;
            let list = users.as_array().map(Vec::as_slice).unwrap_or_default();
            let found = list.iter().find(|u| u["name"] == user.as_str()).or_else(|| {
                let id: i64 = user.parse().ok()?;
                list.iter().find(|u| u["id"].as_i64() == Some(id))
            });
            let u = found.ok_or_else(|| anyhow!("no user named {user:?}"))?;
            c.call("DELETE", &format!("/api/users/{}", u["id"]), Body::None)?;
            out.ui.note(&format!("deleted user {}", text(&u["name"])));
        }
        C::Datasets => {
            let ds = c.call("GET", "/api/datasets", Body::None)?;
            out.show(&ds, || datasets_table(&ds))?;
        }
        C::Dataset { dataset } => {
            let id = c.dataset_id(&dataset)?;
            let d = c.call("GET", &format!("/api/datasets/{id}"), Body::None)?;
            out.show(&d, || dataset_details(&d))?;
        }
        C::Upload { file, name, format } => upload(&c, &out, &file, name, format)?,
        C::Register { path, name, format } => {
            let mut body = Map::new();
            body.insert("path".into(), path.into());
            put(&mut body, "name", name);
            put(&mut body, "format", format);
            let d = c.call("POST", "/api/datasets/register", Body::Json(body.into()))?;
            out.show(&d, || dataset_line(&d))?;
        }
        C::Share { dataset, user } => {
            let id = c.dataset_id(&dataset)?;
            let d = c.call("POST", &format!("/api/datasets/{id}/shares"), Body::Json(json!({ "user": user })))?;
            out.show(&d, || format!("{} is shared with: {}\n", text(&d["name"]), names(&d["shared_with"])))?;
        }
        C::Derive { dataset, from, to, accounts, languages, name } => {
            let id = c.dataset_id(&dataset)?;
            for (flag, t) in [("--from", &from), ("--to", &to)] {
                if let Some(t) = t
                    && swarmscan_model::parse_rfc3339_ms(t).is_none()
                {
                    bail!("{flag} {t:?}: expected an RFC 3339 time such as 2024-08-01T00:00:00Z");
                }
            }
            let mut body = Map::new();
            put(&mut body, "name", name);
            put(&mut body, "from", from);
            put(&mut body, "to", to);
            if !accounts.is_empty() {
                body.insert("accounts".into(), json!(accounts));
            }
            if !languages.is_empty() {
                body.insert("languages".into(), json!(languages));
            }
            let d = c.call("POST", &format!("/api/datasets/{id}/derive"), Body::Json(body.into()))?;
            out.show(&d, || dataset_line(&d))?;
        }
        C::DeleteDataset { dataset } => {
            let id = c.dataset_id(&dataset)?;
            c.call("DELETE", &format!("/api/datasets/{id}"), Body::None)?;
            out.ui.note(&format!("deleted dataset {id}"));
        }
        C::Scan { dataset, fdr, min_cluster, signals, seed, wait } => {
            let mut params = Map::new();
            put(&mut params, "fdr", fdr);
            put(&mut params, "min_cluster", min_cluster);
            if !signals.is_empty() {
                params.insert("signals".into(), json!(signals));
            }
            put(&mut params, "seed", seed);
            // No `kind`: a scan is the default, also for servers from before kinds.
            submit(&c, &out, Some(&dataset), None, params, wait)?
        }
        C::Network { dataset, networks, window, min_weight, wait } => {
            let mut params = Map::new();
            params.insert("networks".into(), json!(networks));
            put(&mut params, "window_s", window);
            put(&mut params, "min_weight", min_weight);
            submit(&c, &out, Some(&dataset), Some("network"), params, wait)?
        }
        C::Domains { dataset, wait } => submit(&c, &out, Some(&dataset), Some("domains"), Map::new(), wait)?,
        C::Watch { jetstream, mastodon, collections, duration, horizon, every, lateness, wait } => {
            let mut params = Map::new();
            put(&mut params, "jetstream", jetstream);
            put(&mut params, "mastodon", mastodon);
            if !collections.is_empty() {
                params.insert("collections".into(), json!(collections));
            }
            params.insert("duration_s".into(), duration.into());
            put(&mut params, "horizon_s", horizon);
            put(&mut params, "every_s", every);
            put(&mut params, "lateness_s", lateness);
            // A watch reads a stream: no dataset.
            submit(&c, &out, None, Some("watch"), params, wait)?
        }
        C::Eval { job, labels, wait } => {
            let scan = c.call("GET", &format!("/api/jobs/{job}"), Body::None)?;
            let dataset = text(&scan["dataset_id"]);
            let csv = std::fs::read_to_string(&labels).with_context(|| format!("cannot read {}", labels.display()))?;
            let mut params = Map::new();
            params.insert("job".into(), job.into());
            params.insert("labels".into(), csv.into());
            submit(&c, &out, Some(&dataset), Some("eval"), params, wait)?
        }
        C::Jobs => {
            let jobs = c.call("GET", "/api/jobs", Body::None)?;
            out.show(&jobs, || jobs_table(&jobs))?;
        }
        C::Job { job } => {
            let j = c.call("GET", &format!("/api/jobs/{job}"), Body::None)?;
            out.show(&j, || job_details(&j))?;
        }
        C::Wait { job } => {
            let j = wait(&c, job, out.ui)?;
            out.show(&j, || job_line(&j))?;
        }
        C::Cancel { job } => {
            let j = c.call("POST", &format!("/api/jobs/{job}/cancel"), Body::None)?;
            out.show(&j, || job_line(&j))?;
        }
        C::Fetch { job, out: dir, force } => fetch(&c, &out, job, &dir, force)?,
        C::Compare { a, b } => {
            let v = c.call("GET", &format!("/api/compare?a={a}&b={b}"), Body::None)?;
            out.show(&v, || comparison(&v))?;
        }
    }
    Ok(crate::exit::OK)
}

// ---- HTTP ----

/// How requests are signed.
enum Credential {
    Token(String),
    /// A session's cookie value and CSRF token (only inside `login`).
    Session {
        cookie: String,
        csrf: String,
    },
}

/// A request body.
enum Body {
    None,
    Json(Value),
}

struct Client {
    /// `http://host:port`, without a trailing slash.
    base: String,
    credential: Option<Credential>,
    agent: ureq::Agent,
}

impl Client {
    fn new(server: &str, token: Option<&str>) -> anyhow::Result<Client> {
        let mut base = server.trim().to_string();
        if !base.contains("://") {
            base = format!("http://{base}");
        }
        let mut base = base.trim_end_matches('/');
        // `serve` prints its URL as `http://ADDR/api/`; that means the server.
        if let Some(b) = base.strip_suffix("/api").filter(|b| b.split_once("://").is_some_and(|(_, h)| !h.is_empty())) {
            base = b.trim_end_matches('/');
        }
        let base = base.to_string();
        base.parse::<ureq::http::Uri>().map_err(|e| anyhow!("--server {server:?} is not a URL: {e}"))?;
        // 4xx and 5xx are answers to read (their `{"error"}`), not transport
        // errors. A connection per request: a server that refuses a request
        // before reading its body closes the connection, which a pooled
        // connection would race.
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_idle_connections(0)
            .timeout_connect(Some(Duration::from_secs(15)))
            .user_agent(format!("swarmscan/{}", env!("CARGO_PKG_VERSION")))
            .build()
            .into();
        let credential = token.map(str::trim).filter(|t| !t.is_empty()).map(|t| Credential::Token(t.to_string()));
        Ok(Client { base, credential, agent })
    }

    /// A request to `path` (with its query) carrying the credential.
    fn request(&self, method: &str, path: &str) -> ureq::http::request::Builder {
        let mut req = Request::builder().method(method).uri(format!("{}{path}", self.base));
        match &self.credential {
            None => {}
            Some(Credential::Token(t)) => req = req.header("Authorization", format!("Bearer {t}")),
            Some(Credential::Session { cookie, csrf }) => {
                req = req.header("Cookie", format!("swarmscan_session={cookie}")).header("X-CSRF-Token", csrf.as_str());
            }
        }
        req
    }

    /// Sends a request; a 2xx answer, or an error that names the request,
    /// the status and the server's message.
    fn send(
        &self,
        method: &str,
        path: &str,
        req: Request<impl ureq::AsSendBody>,
    ) -> anyhow::Result<Response<ureq::Body>> {
        let shown = path.split('?').next().unwrap_or(path);
        let mut resp = self.agent.run(req).map_err(|e| match e {
            ureq::Error::Io(_)
            | ureq::Error::ConnectionFailed
            | ureq::Error::HostNotFound
            | ureq::Error::Timeout(_) => {
                anyhow!(
                    "cannot reach the server at {} ({e}): is `swarmscan serve` running there? \
                     (--server URL or SWARMSCAN_SERVER names another)",
                    self.base
                )
            }
            e => anyhow!("{method} {shown}: {e}"),
        })?;
        let status = resp.status();
        if status.is_success() {
            return Ok(resp);
        }
        let body = resp.body_mut().with_config().limit(1 << 20).read_to_string().unwrap_or_default();
        let msg = serde_json::from_str::<Value>(&body)
            .ok()
            .and_then(|v| v["error"].as_str().map(str::to_string))
            .unwrap_or_else(|| body.trim().chars().take(300).collect());
        let hint = match status.as_u16() {
            401 if shown == "/api/login" || matches!(self.credential, Some(Credential::Session { .. })) => "",
            401 if self.credential.is_none() => {
                " (no token: set SWARMSCAN_TOKEN or --token; `swarmscan remote login` makes one)"
            }
            401 => " (check SWARMSCAN_TOKEN or --token; `swarmscan remote login` makes a new one)",
            _ => "",
        };
        Err(anyhow!("{method} {shown}: {status}: {msg}{hint}"))
    }

    /// A JSON call: the answer's JSON (`null` for an empty answer).
    fn call(&self, method: &str, path: &str, body: Body) -> anyhow::Result<Value> {
        let mut resp = self.call_raw(method, path, body)?;
        read_json(method, path, &mut resp)
    }

    fn call_raw(&self, method: &str, path: &str, body: Body) -> anyhow::Result<Response<ureq::Body>> {
        let req = self.request(method, path);
        match body {
            Body::None => self.send(method, path, req.body(())?),
            Body::Json(v) => {
                let req = req.header("Content-Type", "application/json").body(v.to_string().into_bytes())?;
                self.send(method, path, req)
            }
        }
    }

    /// The full id of the dataset `arg` names: a whole id, a unique prefix
    /// of one, or a unique name among the datasets the caller can see.
    fn dataset_id(&self, arg: &str) -> anyhow::Result<String> {
        let hex = !arg.is_empty() && arg.chars().all(|c| c.is_ascii_hexdigit());
        if hex && arg.len() == 64 {
            return Ok(arg.to_ascii_lowercase());
        }
        let all = self.call("GET", "/api/datasets", Body::None)?;
        let all = all.as_array().map(Vec::as_slice).unwrap_or_default();
        let prefix = arg.to_ascii_lowercase();
        let hits: Vec<&Value> = all
            .iter()
            .filter(|d| (hex && text(&d["id"]).starts_with(&prefix)) || d["name"].as_str() == Some(arg))
            .collect();
        match hits.as_slice() {
            [d] => Ok(text(&d["id"])),
            [] => bail!("no dataset you can see has the id or name {arg:?} (`swarmscan remote datasets` lists them)"),
            many => {
                let list: Vec<String> =
                    many.iter().map(|d| format!("{} ({})", short(&text(&d["id"])), text(&d["name"]))).collect();
                bail!("{arg:?} names {} datasets: {}; give more of the id", many.len(), list.join(", "))
            }
        }
    }
}

fn read_json(method: &str, path: &str, resp: &mut Response<ureq::Body>) -> anyhow::Result<Value> {
    let shown = path.split('?').next().unwrap_or(path);
    let text = resp
        .body_mut()
        .with_config()
        .limit(256 << 20)
        .read_to_string()
        .with_context(|| format!("{method} {shown}: reading the answer"))?;
    if text.trim().is_empty() {
        return Ok(Value::Null);
    }
    serde_json::from_str(&text).with_context(|| format!("{method} {shown}: the answer is not JSON"))
}

/// Adds `key: value` to a JSON object when the value is given.
fn put(map: &mut Map<String, Value>, key: &str, value: Option<impl Into<Value>>) {
    if let Some(v) = value {
        map.insert(key.into(), v.into());
    }
}

/// Percent-encodes a query value or a path segment.
fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

// ---- commands ----

/// One line of stdin, without its line ending.
fn read_password(flag: bool, cmd: &str) -> anyhow::Result<String> {
    let stdin = std::io::stdin();
    if !flag && stdin.is_terminal() {
        bail!(
            "{cmd} reads the password from standard input: pipe it in, or pass --password-stdin and type it \
             (it will be visible)"
        );
    }
    let mut line = String::new();
    stdin.lock().read_line(&mut line).context("reading the password from standard input")?;
    let pw = line.strip_suffix('\n').unwrap_or(&line);
    let pw = pw.strip_suffix('\r').unwrap_or(pw);
    if pw.is_empty() {
        bail!("no password on standard input");
    }
    Ok(pw.to_string())
}

fn login(c: &mut Client, out: &Out, name: &str, password_stdin: bool, label: &str) -> anyhow::Result<()> {
    let password = read_password(password_stdin, "login")?;
    let mut resp = c.call_raw("POST", "/api/login", Body::Json(json!({ "name": name, "password": password })))?;
    let cookie = resp
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|v| v.split(';').next()?.trim().strip_prefix("swarmscan_session="))
        .next()
        .map(str::to_string);
    let answer = read_json("POST", "/api/login", &mut resp)?;
    let cookie = cookie.ok_or_else(|| anyhow!("POST /api/login: the answer set no session cookie"))?;
    let csrf = answer["csrf"].as_str().ok_or_else(|| anyhow!("POST /api/login: the answer has no csrf"))?;
    c.credential = Some(Credential::Session { cookie, csrf: csrf.to_string() });
    let token = c.call("POST", "/api/tokens", Body::Json(json!({ "name": label })));
    // End the session whatever happened: the token is what stays.
    let logout = c.call("POST", "/api/logout", Body::None);
    let token = token?;
    if let Err(e) = logout {
        out.ui.note(&format!("warning: the sign-in session could not be ended: {e:#}"));
    }
    let secret = token["token"].as_str().ok_or_else(|| anyhow!("POST /api/tokens: the answer has no token"))?;
    out.show(&token, || format!("export SWARMSCAN_TOKEN={secret}\n"))?;
    out.ui.note(&format!(
        "signed in as {name} ({}); API token {:?} created, shown only now (the server keeps only its hash)",
        text(&answer["user"]["role"]),
        label
    ));
    Ok(())
}

/// Counts the bytes read through it (for the upload's progress bar).
struct Counting<R> {
    inner: R,
    n: Arc<AtomicU64>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let k = self.inner.read(buf)?;
        self.n.fetch_add(k as u64, Ordering::Relaxed);
        Ok(k)
    }
}

fn upload(c: &Client, out: &Out, file: &Path, name: Option<String>, format: Option<String>) -> anyhow::Result<()> {
    let f = std::fs::File::open(file).with_context(|| format!("cannot open {}", file.display()))?;
    let bytes = f.metadata().with_context(|| format!("cannot read {}", file.display()))?.len();
    let name = name.unwrap_or_else(|| {
        file.file_name().map_or_else(|| file.display().to_string(), |n| n.to_string_lossy().into_owned())
    });
    let mut path = format!("/api/datasets?name={}", encode(&name));
    if let Some(f) = &format {
        path.push_str(&format!("&format={}", encode(f)));
    }
    let counter = Arc::new(AtomicU64::new(0));
    // Streamed from disk with its length declared, after the server said
    // `100 Continue`: a file it refuses (too large, no right to upload) is
    // answered before it is sent, and the answer can be read.
    let body = ureq::SendBody::from_owned_reader(Counting { inner: f, n: counter.clone() });
    let req = c
        .request("POST", &path)
        .header("Content-Type", "application/octet-stream")
        .header("Content-Length", bytes.to_string())
        .header("Expect", "100-continue")
        .body(body)?;
    let t = Instant::now();
    let mut resp = out.ui.bytes("uploading", Some(bytes), &counter, || c.send("POST", &path, req))?;
    let existed = resp.status().as_u16() == 200;
    let d = read_json("POST", &path, &mut resp)?;
    out.ui.line("uploading", t.elapsed().as_secs_f64(), &size(bytes));
    if existed {
        out.ui.note("the server already had these bytes: this is the dataset they make");
    }
    out.show(&d, || dataset_line(&d))?;
    if let Some(skipped) = d["skipped"].as_object().filter(|s| !s.is_empty()) {
        let list: Vec<String> = skipped.iter().map(|(k, v)| format!("{k} {v}")).collect();
        out.ui.note(&format!("skipped records: {}", list.join(", ")));
    }
    Ok(())
}

/// Queues a job on `dataset` (none for a watch); with `wait`, waits for it
/// and shows how it ended.
fn submit(
    c: &Client,
    out: &Out,
    dataset: Option<&str>,
    kind: Option<&str>,
    params: Map<String, Value>,
    wait_for_it: bool,
) -> anyhow::Result<()> {
    let mut body = json!({ "params": params });
    if let Some(d) = dataset {
        body["dataset"] = c.dataset_id(d)?.into();
    }
    if let Some(k) = kind {
        body["kind"] = k.into();
    }
    let queued = c.call("POST", "/api/jobs", Body::Json(body))?;
    let job = queued["id"].as_u64().ok_or_else(|| anyhow!("POST /api/jobs: the answer has no job id"))?;
    if !wait_for_it {
        out.show(&queued, || format!("job {job} {}\n", text(&queued["state"])))?;
        out.ui.note(&format!(
            "`swarmscan remote wait {job}` follows it; `swarmscan remote fetch {job} --out DIR` downloads its results"
        ));
        return Ok(());
    }
    out.ui.note(&format!("job {job} queued"));
    let j = wait(c, job, out.ui)?;
    out.show(&j, || job_line(&j))
}

/// Polls job `id` every second until it ends; prints each change of state
/// or stage to stderr. A job that failed or was cancelled is an error.
fn wait(c: &Client, id: u64, ui: Ui) -> anyhow::Result<Value> {
    let t = Instant::now();
    let mut last = String::new();
    loop {
        let j = c.call("GET", &format!("/api/jobs/{id}"), Body::None)?;
        let state = text(&j["state"]);
        let now = match j["stage"].as_str() {
            Some(stage) if state == "running" => format!("running: {stage}{}", live_counts(&j["live"])),
            _ => state.clone(),
        };
        if now != last {
            ui.note(&format!("job {id}: {now}  ({:.0} s)", t.elapsed().as_secs_f64()));
            last = now;
        }
        match state.as_str() {
            "done" => return Ok(j),
            "failed" => {
                bail!("job {id} failed: {}{}", j["error"].as_str().unwrap_or("no reason given"), kept(&j["datasets"]))
            }
            "cancelled" => bail!("job {id} was cancelled{}", kept(&j["datasets"])),
            _ => std::thread::sleep(Duration::from_secs(1)),
        }
    }
}

/// A result name the server listed, if it is safe to write into a folder:
/// one plain file name, no path.
fn safe_name(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with('.')
        && !name.contains(['/', '\\', ':', '\0'])
        && Path::new(name).file_name().is_some_and(|n| n == name)
}

fn fetch(c: &Client, out: &Out, id: u64, dir: &Path, force: bool) -> anyhow::Result<()> {
    let job = c.call("GET", &format!("/api/jobs/{id}"), Body::None)?;
    let state = text(&job["state"]);
    if state != "done" {
        bail!("job {id} is {state}, not done: nothing to fetch (`swarmscan remote wait {id}` waits for it)");
    }
    let files: Vec<String> = job["results"].as_array().into_iter().flatten().map(text).collect();
    if let Some(bad) = files.iter().find(|f| !safe_name(f)) {
        bail!("the server lists a result file named {bad:?}, which is not a plain file name: refusing to write it");
    }
    let replaces = match std::fs::read_dir(dir) {
        Ok(mut entries) => {
            let empty = entries.next().is_none();
            if !empty && !force {
                bail!("{} exists and is not empty; --force replaces it", dir.display());
            }
            Some(empty)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(e).with_context(|| format!("{} is not a folder to fetch into", dir.display())),
    };
    let dir_name = dir.file_name().ok_or_else(|| anyhow!("{} is not a folder name", dir.display()))?;
    let parent = dir.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent).with_context(|| format!("cannot create {}", parent.display()))?;
    let sibling = |what: &str| parent.join(format!(".{}.{what}-{}", dir_name.to_string_lossy(), std::process::id()));
    let tmp = TempDir(Some(sibling("tmp")));
    let tmp_path = tmp.path();
    let _ = std::fs::remove_dir_all(tmp_path);
    std::fs::create_dir(tmp_path).with_context(|| format!("cannot create {}", tmp_path.display()))?;

    let t = Instant::now();
    let mut total = 0u64;
    for f in &files {
        let path = format!("/api/jobs/{id}/results/{}", encode(f));
        let mut resp = c.call_raw("GET", &path, Body::None)?;
        let dest = tmp_path.join(f);
        let mut w = std::fs::File::create(&dest).with_context(|| format!("cannot create {}", dest.display()))?;
        total += std::io::copy(&mut resp.body_mut().as_reader(), &mut w)
            .with_context(|| format!("downloading {f} into {}", dest.display()))?;
        w.sync_all().with_context(|| format!("cannot write {}", dest.display()))?;
    }

    // Into place: an empty folder is replaced; with --force a full one is
    // moved aside first and removed once the new one is there.
    let into_place = |what: &str| format!("cannot move the results into {} ({what})", dir.display());
    match replaces {
        None => std::fs::rename(tmp_path, dir).with_context(|| into_place("renaming"))?,
        Some(true) => {
            std::fs::remove_dir(dir).with_context(|| into_place("removing the empty folder"))?;
            std::fs::rename(tmp_path, dir).with_context(|| into_place("renaming"))?;
        }
        Some(false) => {
            let old = sibling("old");
            let _ = std::fs::remove_dir_all(&old);
            std::fs::rename(dir, &old).with_context(|| into_place("moving the old folder aside"))?;
            if let Err(e) = std::fs::rename(tmp_path, dir) {
                let _ = std::fs::rename(&old, dir);
                return Err(e).with_context(|| into_place("renaming"));
            }
            let _ = std::fs::remove_dir_all(&old);
        }
    }
    tmp.keep();
    out.ui.line("fetching", t.elapsed().as_secs_f64(), &format!("{}, {}", plural(files.len(), "file"), size(total)));
    out.show(&job, || format!("job {id}: {} into {}\n", plural(files.len(), "file"), dir.display()))
}

/// A temporary folder removed when dropped, unless kept.
struct TempDir(Option<PathBuf>);

impl TempDir {
    fn path(&self) -> &Path {
        self.0.as_deref().expect("not yet kept")
    }
    fn keep(mut self) {
        self.0 = None;
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        if let Some(p) = self.0.take() {
            let _ = std::fs::remove_dir_all(p);
        }
    }
}

// ---- output ----

/// Where answers go: the JSON as it came, or lines for people.
struct Out {
    json: bool,
    ui: Ui,
}

impl Out {
    /// Writes `v` pretty-printed with `--json`, else what `human` makes.
    fn show(&self, v: &Value, human: impl FnOnce() -> String) -> anyhow::Result<()> {
        let s = if self.json { format!("{}\n", serde_json::to_string_pretty(v)?) } else { human() };
        let mut w = std::io::stdout().lock();
        w.write_all(s.as_bytes())?;
        w.flush()?;
        Ok(())
    }
}

/// A JSON value as text: strings bare, null empty.
/// A user's name when the server gave it, else their id.
fn named(name: &Value, id: &Value) -> String {
    if name.is_string() { text(name) } else { text(id) }
}

fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        v => v.to_string(),
    }
}

/// The first 12 characters of a dataset id.
fn short(id: &str) -> String {
    id.chars().take(12).collect()
}

/// Seconds since the epoch as `YYYY-MM-DD HH:MM` (UTC).
fn time(v: &Value) -> String {
    match v.as_i64() {
        Some(s) => swarmscan_model::format_rfc3339_ms(s * 1000)[..16].replace('T', " "),
        None => text(v),
    }
}

fn names(v: &Value) -> String {
    let list: Vec<String> = v.as_array().into_iter().flatten().map(text).collect();
    if list.is_empty() { "nobody".into() } else { list.join(", ") }
}

/// Rows under a header, columns padded to their widest cell.
fn table(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for r in rows {
        for (w, cell) in widths.iter_mut().zip(r) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    let header: Vec<String> = header.iter().map(|h| h.to_string()).collect();
    for r in std::iter::once(&header).chain(rows) {
        let mut line = String::new();
        for (i, (cell, w)) in r.iter().zip(&widths).enumerate() {
            if i + 1 < r.len() {
                line.push_str(&format!("{cell:<w$}  "));
            } else {
                line.push_str(cell);
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

fn user_line(u: &Value) -> String {
    format!("{} ({}, id {})\n", text(&u["name"]), text(&u["role"]), text(&u["id"]))
}

fn users_table(users: &Value) -> String {
    let list = users.as_array().map(Vec::as_slice).unwrap_or_default();
    // `created` where the server gives it.
    let created = list.iter().any(|u| !u["created"].is_null());
    let rows: Vec<Vec<String>> = list
        .iter()
        .map(|u| {
            let mut row = vec![text(&u["id"]), text(&u["name"]), text(&u["role"])];
            row.extend(created.then(|| time(&u["created"])));
            row
        })
        .collect();
    table(if created { &["ID", "NAME", "ROLE", "CREATED"] } else { &["ID", "NAME", "ROLE"] }, &rows)
}

/// `n thing` or `n things`.
fn plural(n: usize, thing: &str) -> String {
    format!("{n} {thing}{}", if n == 1 { "" } else { "s" })
}

/// Bytes as people read them, one decimal.
fn size(b: u64) -> String {
    let f = b as f64;
    match b {
        _ if b >= 1 << 30 => format!("{:.1} GiB", f / (1u64 << 30) as f64),
        _ if b >= 1 << 20 => format!("{:.1} MiB", f / (1u64 << 20) as f64),
        _ if b >= 1 << 10 => format!("{:.1} KiB", f / (1u64 << 10) as f64),
        _ => format!("{b} B"),
    }
}

fn skipped_count(d: &Value) -> u64 {
    d["skipped"].as_object().map_or(0, |m| m.values().filter_map(Value::as_u64).sum())
}

fn dataset_line(d: &Value) -> String {
    format!(
        "dataset {}  {}: {} records ({} skipped), {}\n",
        short(&text(&d["id"])),
        text(&d["name"]),
        num(d["records"].as_u64().unwrap_or(0)),
        num(skipped_count(d)),
        text(&d["format"])
    )
}

fn datasets_table(ds: &Value) -> String {
    let rows: Vec<Vec<String>> = ds
        .as_array()
        .into_iter()
        .flatten()
        .map(|d| {
            vec![
                short(&text(&d["id"])),
                text(&d["name"]),
                text(&d["format"]),
                num(d["records"].as_u64().unwrap_or(0)),
                num(skipped_count(d)),
                size(d["bytes"].as_u64().unwrap_or(0)),
                time(&d["created"]),
                d["parent"].as_str().map(short).unwrap_or_default(),
            ]
        })
        .collect();
    table(&["ID", "NAME", "FORMAT", "RECORDS", "SKIPPED", "SIZE", "CREATED", "PARENT"], &rows)
}

fn dataset_details(d: &Value) -> String {
    let skipped: Vec<String> =
        d["skipped"].as_object().into_iter().flatten().map(|(k, v)| format!("{k} {}", text(v))).collect();
    let mut rows = vec![
        ("id", text(&d["id"])),
        ("name", text(&d["name"])),
        ("owner", named(&d["owner_name"], &d["owner"])),
        ("format", text(&d["format"])),
        ("size", format!("{} bytes", num(d["bytes"].as_u64().unwrap_or(0)))),
        ("records", num(d["records"].as_u64().unwrap_or(0))),
        ("parsed", num(d["parsed"].as_u64().unwrap_or(0))),
        ("skipped", if skipped.is_empty() { "none".into() } else { skipped.join(", ") }),
        ("created", time(&d["created"])),
    ];
    if let Some(p) = d["parent"].as_str() {
        rows.push(("derived from", p.to_string()));
    }
    if !d["shared_with"].is_null() {
        rows.push(("shared with", names(&d["shared_with"])));
    }
    rows.iter().map(|(k, v)| format!("{:<13} {v}\n", format!("{k}:"))).collect()
}

/// A watch's live counters, as `, 1,234 events, 3 scans, 1 alert` (empty
/// for other jobs).
fn live_counts(live: &Value) -> String {
    if !live.is_object() {
        return String::new();
    }
    let n = |k: &str| live[k].as_u64().unwrap_or(0);
    format!(
        ", {} events, {}, {}",
        num(n("events_kept")),
        plural(n("scans") as usize, "scan"),
        plural(n("alerts") as usize, "alert")
    )
}

/// The datasets a watch kept its events as, as `; events kept as dataset
/// 3fa4c1…` (empty when none).
fn kept(datasets: &Value) -> String {
    let ids: Vec<String> = datasets.as_array().into_iter().flatten().map(|d| short(&text(d))).collect();
    match ids.len() {
        0 => String::new(),
        1 => format!("; its events are dataset {}", ids[0]),
        _ => format!("; its events are datasets {}", ids.join(", ")),
    }
}

fn job_line(j: &Value) -> String {
    let id = text(&j["id"]);
    let state = text(&j["state"]);
    let kept = kept(&j["datasets"]);
    match state.as_str() {
        "done" => {
            let n = j["results"].as_array().map_or(0, Vec::len);
            format!("job {id} done: {}{kept} (`swarmscan remote fetch {id} --out DIR`)\n", plural(n, "result file"))
        }
        "failed" => format!("job {id} failed: {}{kept}\n", text(&j["error"])),
        "running" => format!("job {id} running: {}{}\n", text(&j["stage"]), live_counts(&j["live"])),
        s => format!("job {id} {s}{kept}\n"),
    }
}

fn jobs_table(jobs: &Value) -> String {
    let rows: Vec<Vec<String>> = jobs
        .as_array()
        .into_iter()
        .flatten()
        .map(|j| {
            let detail = match j["state"].as_str() {
                Some("running") => text(&j["stage"]),
                Some("failed") => text(&j["error"]),
                Some("done") => plural(j["results"].as_array().map_or(0, Vec::len), "file"),
                _ => String::new(),
            };
            vec![
                text(&j["id"]),
                j["kind"].as_str().unwrap_or("scan").to_string(),
                text(&j["state"]),
                short(&text(&j["dataset_id"])),
                time(&j["created"]),
                detail,
            ]
        })
        .collect();
    table(&["ID", "KIND", "STATE", "DATASET", "CREATED", "DETAIL"], &rows)
}

fn job_details(j: &Value) -> String {
    let mut rows = vec![
        ("id", text(&j["id"])),
        ("kind", j["kind"].as_str().unwrap_or("scan").to_string()),
        ("state", text(&j["state"])),
        (
            "dataset",
            if j["dataset_id"].is_null() { "none (a watch reads a stream)".into() } else { text(&j["dataset_id"]) },
        ),
        ("params", j["params"].to_string()),
        ("created by", named(&j["created_by_name"], &j["created_by"])),
        ("created", time(&j["created"])),
    ];
    // `claimed_at` and `finished_at` are the store's names for them.
    for (keys, label) in [(["started", "claimed_at"], "started"), (["finished", "finished_at"], "finished")] {
        if let Some(t) = keys.iter().map(|k| &j[k]).find(|t| !t.is_null()) {
            rows.push((label, time(t)));
        }
    }
    if let Some(s) = j["stage"].as_str() {
        rows.push(("stage", s.to_string()));
    }
    if let Some(e) = j["error"].as_str() {
        rows.push(("error", e.to_string()));
    }
    if let Some(r) = j["results"].as_array() {
        rows.push(("results", r.iter().map(text).collect::<Vec<_>>().join(", ")));
    }
    if j["live"].is_object() {
        rows.push(("live", live_counts(&j["live"]).trim_start_matches(", ").to_string()));
    }
    if let Some(d) = j["datasets"].as_array() {
        rows.push((
            "datasets",
            if d.is_empty() { "none".into() } else { d.iter().map(text).collect::<Vec<_>>().join(", ") },
        ));
    }
    rows.iter().map(|(k, v)| format!("{:<11} {v}\n", format!("{k}:"))).collect()
}

/// A cluster's signals, whatever their JSON shape: a string, a list of
/// names, of `[name, share]` pairs, or an object of shares.
fn signals_text(v: &Value) -> String {
    let share = |name: &str, s: &Value| match s.as_f64() {
        Some(f) => format!("{name} {:.0}%", f * 100.0),
        None => name.to_string(),
    };
    match v {
        Value::Array(items) => items
            .iter()
            .map(|i| match i {
                Value::Array(p) if p.len() == 2 => share(&text(&p[0]), &p[1]),
                i => text(i),
            })
            .collect::<Vec<_>>()
            .join(", "),
        Value::Object(m) => m.iter().map(|(k, s)| share(k, s)).collect::<Vec<_>>().join(", "),
        // clusters.csv's `co_link:0.573;co_similar:0.427`.
        Value::String(s) => s
            .split(';')
            .filter(|p| !p.is_empty())
            .map(|p| match p.split_once(':') {
                Some((name, f)) => share(name, &f.parse::<f64>().map_or(Value::Null, Value::from)),
                None => p.to_string(),
            })
            .collect::<Vec<_>>()
            .join(", "),
        v => text(v),
    }
}

/// `username` when there is one, else the account id.
fn members(v: &Value) -> String {
    let list: Vec<String> = v
        .as_array()
        .into_iter()
        .flatten()
        .map(|m| match m["username"].as_str().filter(|u| !u.is_empty()) {
            Some(u) => u.to_string(),
            None => text(&m["account"]),
        })
        .collect();
    if list.is_empty() { "-".into() } else { list.join(", ") }
}

fn cluster_line(c: &Value) -> String {
    let score = c["score"].as_f64().map_or_else(|| text(&c["score"]), |s| format!("{s:.2}"));
    format!(
        "  cluster {}: {} accounts, score {score}, {}\n    why: {}\n    members: {}\n",
        text(&c["id"]),
        text(&c["size"]),
        signals_text(&c["signals"]),
        text(&c["why"]),
        members(&c["members"])
    )
}

fn comparison(v: &Value) -> String {
    let list = |k: &str| v[k].as_array().map(Vec::as_slice).unwrap_or_default();
    let (a, b) = (text(&v["a"]["id"]), text(&v["b"]["id"]));
    let mut out = format!(
        "job {a} → job {b}: {} appeared, {} vanished, {} changed, {} unchanged\n",
        list("appeared").len(),
        list("vanished").len(),
        list("changed").len(),
        list("unchanged").len()
    );
    if !list("appeared").is_empty() {
        out.push_str(&format!("appeared (in job {b}):\n"));
        out.extend(list("appeared").iter().map(cluster_line));
    }
    if !list("vanished").is_empty() {
        out.push_str(&format!("vanished (from job {a}):\n"));
        out.extend(list("vanished").iter().map(cluster_line));
    }
    if !list("changed").is_empty() {
        out.push_str("changed:\n");
        for ch in list("changed") {
            let jaccard = ch["jaccard"].as_f64().map_or_else(|| text(&ch["jaccard"]), |j| format!("{j:.2}"));
            out.push_str(&format!(
                "  cluster {} → {}: {} → {} accounts, overlap {jaccard}\n    joined: {}\n    left:   {}\n",
                text(&ch["a"]["id"]),
                text(&ch["b"]["id"]),
                text(&ch["a"]["size"]),
                text(&ch["b"]["size"]),
                members(&ch["joined"]),
                members(&ch["left"])
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_urls_are_normalised() {
        for (given, base) in [
            ("127.0.0.1:8080", "http://127.0.0.1:8080"),
            ("http://127.0.0.1:8080/", "http://127.0.0.1:8080"),
            ("http://127.0.0.1:8080/api/", "http://127.0.0.1:8080"),
            ("https://scan.example.org/team", "https://scan.example.org/team"),
            ("http://api", "http://api"),
            ("http://api/api", "http://api"),
        ] {
            assert_eq!(Client::new(given, None).unwrap().base, base, "{given}");
        }
    }

    #[test]
    fn only_plain_names_are_written() {
        for ok in ["clusters.csv", "summary.json", "co_link.csv"] {
            assert!(safe_name(ok), "{ok}");
        }
        for bad in ["", ".", "..", "../x", "a/b", "/etc/passwd", ".hidden", "a\\b", "c:x"] {
            assert!(!safe_name(bad), "{bad}");
        }
    }

    #[test]
    fn tables_align_and_queries_encode() {
        let t = table(&["ID", "NAME"], &[vec!["1".into(), "a b".into()], vec!["10".into(), "c".into()]]);
        assert_eq!(t, "ID  NAME\n1   a b\n10  c\n");
        assert_eq!(encode("a b&c=d/é"), "a%20b%26c%3Dd%2F%C3%A9");
        assert_eq!(signals_text(&json!("co_link:0.573;co_similar:0.427")), "co_link 57%, co_similar 43%");
        assert_eq!(signals_text(&json!([["co_link", 0.5], "co_text"])), "co_link 50%, co_text");
    }
}
