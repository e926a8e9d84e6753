//! A fuzz of the API from its own description, in the manner of
//! schemathesis: `/api/openapi.json` is read, and for every operation
//! requests are made from its declared parameters and request-body schemas
//! (`$ref`s followed into `components`): values that fit the schema, drawn
//! from what the server holds (real dataset and job ids, user names, files
//! in the import folder), and mutations of them — wrong types, missing
//! required fields, unknown fields, huge strings, deeply nested JSON,
//! invalid UTF-8 and invalid JSON, empty bodies, wrong content types, odd
//! path and query values (`-1`, `99999999999999999999`, `%00`, `../`,
//! unicode, invalid percent-encoding), and methods the path does not take.
//! Each request is sent with the admin's API token, and one in four again
//! without credentials.
//!
//! Every answer must be below 500; an error must be JSON `{"error": "…"}`;
//! a 2xx must be a status the operation documents, with a body of the
//! documented shape; and the server must still answer `GET /api/me` at the
//! end. The rate limit is off; no worker runs while fuzzing (queued jobs
//! stay queued), so the fuzz measures the API, not scans.
//!
//! Deterministic: one seed (printed) makes every case; each case has its own
//! generator, so a failure names the seed, operation and case to replay.
//! `SWARMSCAN_FUZZ_SEED` and `SWARMSCAN_FUZZ_CASES` (cases per operation)
//! override the defaults; `SWARMSCAN_FUZZ_ONLY="POST /api/jobs"` runs one
//! operation.

#![allow(clippy::print_stderr)] // the seed and the per-operation tally, shown with --nocapture

use rand::{RngExt, SeedableRng};
use rand_pcg::Pcg64Mcg;
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, Instant};
use swarmscan_serve::Config;

const DEFAULT_SEED: u64 = 0x5eed_cafe;
const DEFAULT_CASES: usize = 300;

// ---- the server and a client ----

/// A request as sent: everything needed to replay it.
#[derive(Clone, Debug)]
struct Request {
    method: String,
    /// Path and query, already percent-encoded.
    target: String,
    content_type: Option<String>,
    body: Option<Vec<u8>>,
}

fn request(method: &str, target: &str, content_type: Option<&str>, body: Option<Vec<u8>>) -> Request {
    Request { method: method.into(), target: target.into(), content_type: content_type.map(str::to_string), body }
}

impl Request {
    fn describe(&self) -> String {
        let body = self.body.as_ref().map_or(String::new(), |b| {
            let s = String::from_utf8_lossy(b);
            let cut: String = s.chars().take(300).collect();
            format!(" body ({} bytes, {:?}): {cut}", b.len(), self.content_type)
        });
        format!("{} {}{body}", self.method, self.target.chars().take(300).collect::<String>())
    }
}

struct Answer {
    status: u16,
    content_type: String,
    set_cookie: Option<String>,
    bytes: Vec<u8>,
}

/// Sends `r` over a connection of its own, by hand: the request is
/// written whole even if the server stops reading (it may answer 401 or
/// 413 before reading a body, and close), then the answer is read.
/// (`ureq` gives up at the failed write and never reads that answer.)
fn send(base: &str, r: &Request, token: Option<&str>) -> Result<Answer, String> {
    send_with(base, r, token, &[])
}

fn send_with(base: &str, r: &Request, token: Option<&str>, headers: &[(&str, &str)]) -> Result<Answer, String> {
    use std::io::{Read, Write};
    let addr = base.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(addr).map_err(|e| format!("connecting: {e}"))?;
    stream.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    let mut head = format!("{} {} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n", r.method, r.target);
    if let Some(t) = token {
        head += &format!("Authorization: Bearer {t}\r\n");
    }
    if let Some(c) = &r.content_type {
        head += &format!("Content-Type: {c}\r\n");
    }
    for (k, v) in headers {
        head += &format!("{k}: {v}\r\n");
    }
    if let Some(b) = &r.body {
        head += &format!("Content-Length: {}\r\n", b.len());
    }
    head += "\r\n";
    let mut out = head.into_bytes();
    out.extend_from_slice(r.body.as_deref().unwrap_or_default());
    // A write cut short by the server closing is fine: its answer is read below.
    let _ = stream.write_all(&out);
    let mut raw = Vec::new();
    let read = stream.read_to_end(&mut raw);
    let Some(split) = raw.windows(4).position(|w| w == b"\r\n\r\n") else {
        return Err(format!("no answer ({} bytes read, {read:?})", raw.len()));
    };
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let mut body = raw[split + 4..].to_vec();
    let mut lines = head.lines();
    let status: u16 = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| format!("a bad status line: {head:?}"))?;
    let mut content_type = String::new();
    let mut set_cookie = None;
    let mut chunked = false;
    let mut length = None;
    for l in lines {
        let Some((k, v)) = l.split_once(':') else { continue };
        let (k, v) = (k.trim().to_ascii_lowercase(), v.trim());
        match k.as_str() {
            "content-type" => content_type = v.to_string(),
            "set-cookie" => set_cookie = Some(v.to_string()),
            "transfer-encoding" => chunked = v.eq_ignore_ascii_case("chunked"),
            "content-length" => length = v.parse::<usize>().ok(),
            _ => {}
        }
    }
    if chunked {
        let mut plain = Vec::new();
        let mut rest = &body[..];
        loop {
            let Some(eol) = rest.windows(2).position(|w| w == b"\r\n") else { return Err("a cut chunk".into()) };
            let size = usize::from_str_radix(String::from_utf8_lossy(&rest[..eol]).trim(), 16)
                .map_err(|e| format!("a bad chunk size: {e}"))?;
            if size == 0 {
                break;
            }
            let start = eol + 2;
            if rest.len() < start + size {
                return Err("a cut chunk".into());
            }
            plain.extend_from_slice(&rest[start..start + size]);
            rest = &rest[(start + size + 2).min(rest.len())..];
        }
        body = plain;
    } else if let Some(n) = length {
        if body.len() < n {
            return Err(format!("the answer was cut: {} of {n} bytes ({read:?})", body.len()));
        }
        body.truncate(n);
    }
    Ok(Answer { status, content_type, set_cookie, bytes: body })
}

fn call(base: &str, token: &str, method: &str, target: &str, body: Option<Value>) -> (u16, Value) {
    let r =
        request(method, target, body.as_ref().map(|_| "application/json"), body.map(|b| b.to_string().into_bytes()));
    let a = send(base, &r, Some(token)).unwrap_or_else(|e| panic!("{method} {target}: {e}"));
    (a.status, serde_json::from_slice(&a.bytes).unwrap_or(Value::Null))
}

/// Signs in and creates a token.
fn mint_token(base: &str, name: &str, password: &str) -> String {
    let body = json!({ "name": name, "password": password }).to_string().into_bytes();
    let a = send(base, &request("POST", "/api/login", Some("application/json"), Some(body)), None).unwrap();
    assert_eq!(a.status, 200, "login {name}");
    let cookie = a.set_cookie.unwrap().split(';').next().unwrap().to_string();
    let v: Value = serde_json::from_slice(&a.bytes).unwrap();
    let csrf = v["csrf"].as_str().unwrap();
    let r = request("POST", "/api/tokens", Some("application/json"), Some(br#"{"name":"fuzz"}"#.to_vec()));
    let a = send_with(base, &r, None, &[("Cookie", &cookie), ("X-CSRF-Token", csrf)]).unwrap();
    assert_eq!(a.status, 201);
    let v: Value = serde_json::from_slice(&a.bytes).unwrap();
    v["token"].as_str().unwrap().to_string()
}

fn tiny_csv(tag: &str) -> Vec<u8> {
    let mut s = String::from("message_id,user_id,username,repost_id,reply_id,message,timestamp,urls\n");
    for k in 0..6 {
        for (i, u) in ["a", "b", "c"].iter().enumerate() {
            s += &format!(
                "{tag}{k}{u},{u},{u},X{k},,rt #tag https://example.com/{k},{},\n",
                1_700_000_000 + 1000 * k + 5 * i
            );
        }
    }
    s.into_bytes()
}

/// What generated values are drawn from: what the server holds.
struct Pools {
    datasets: Vec<String>,
    jobs: Vec<i64>,
    tokens: Vec<i64>,
    users: Vec<i64>,
    user_names: Vec<String>,
    import_files: Vec<String>,
    escaping_paths: Vec<String>,
    signals: Vec<String>,
}

// ---- values from schemas ----

/// Follows `$ref`s (`#/components/...`).
fn resolve<'a>(doc: &'a Value, mut s: &'a Value) -> &'a Value {
    for _ in 0..32 {
        let Some(r) = s.get("$ref").and_then(Value::as_str) else { return s };
        s = doc.pointer(r.trim_start_matches('#')).unwrap_or_else(|| panic!("dangling $ref {r}"));
    }
    panic!("a $ref cycle")
}

const WEIRD_STRINGS: &[&str] = &[
    "",
    " ",
    "\u{0}",
    "a\u{0}b",
    "../../etc/passwd",
    "..\\..\\x",
    "/",
    "%00",
    "%2e%2e%2f",
    "'; DROP TABLE users; --",
    "\" OR 1=1 --",
    "<script>alert(1)</script>",
    "☃",
    "𝕊𝕨𝕒𝕣𝕞",
    "\u{202e}gnp.exe",
    "\u{feff}",
    "e\u{301}",
    "\n\r\t",
    "null",
    "true",
    "-1",
    "1e999",
    "NaN",
    "sws_",
];

const ODD_IDS: &[&str] = &[
    "-1",
    "0",
    "99999999999999999999",
    "9223372036854775807",
    "-9223372036854775808",
    "1.5",
    "1e3",
    "0x10",
    "%00",
    "..%2F..",
    "%2e%2e",
    "..",
    "%20",
    "%E2%98%83",
    "%F0%9F%92%A5",
    "%FF",
    "%C3%28",
    "null",
    "%5B%5D",
    "%27%3B--",
    "a%2Fb",
    "%0A",
];

fn pct(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out += &format!("%{b:02X}");
        }
    }
    out
}

fn pick<'a, T>(rng: &mut Pcg64Mcg, v: &'a [T]) -> &'a T {
    &v[rng.random_range(0..v.len())]
}

fn random_text(rng: &mut Pcg64Mcg, max: usize) -> String {
    let n = rng.random_range(0..=max);
    let alphabet: Vec<char> = "abcxyz019 _-./\\:%&?=#ñé☃😀\u{0}\u{7f}\"'{}[]<>".chars().collect();
    (0..n).map(|_| *pick(rng, &alphabet)).collect()
}

fn rfc3339(rng: &mut Pcg64Mcg) -> String {
    let valid = ["2023-11-14T22:13:20Z", "2023-11-14T22:30:00+01:00", "1970-01-01T00:00:00Z", "2100-01-01T00:00:00Z"];
    let invalid =
        ["2023-13-45T99:99:99Z", "yesterday", "2023-11-14", "", "-271821-04-20T00:00:00Z", "+275760-09-13T00:00:00Z"];
    if rng.random_bool(0.8) { pick(rng, &valid).to_string() } else { pick(rng, &invalid).to_string() }
}

/// A value that fits `schema`, drawn from the pools where the name says
/// what it is.
fn fitting(doc: &Value, schema: &Value, name: &str, p: &Pools, rng: &mut Pcg64Mcg, depth: usize) -> Value {
    let s = resolve(doc, schema);
    for key in ["oneOf", "anyOf"] {
        if let Some(alts) = s.get(key).and_then(Value::as_array) {
            return fitting(doc, pick(rng, alts), name, p, rng, depth + 1);
        }
    }
    if let Some(v) = s.get("const") {
        return v.clone();
    }
    if let Some(e) = s.get("enum").and_then(Value::as_array) {
        return pick(rng, e).clone();
    }
    let ty = match s.get("type") {
        Some(Value::String(t)) => t.clone(),
        Some(Value::Array(ts)) => pick(rng, ts).as_str().unwrap_or("null").to_string(),
        _ if s.get("properties").is_some() => "object".into(),
        _ => return any_json(rng, depth),
    };
    match ty.as_str() {
        "null" => Value::Null,
        "boolean" => json!(rng.random_bool(0.5)),
        "integer" => {
            let min = s.get("minimum").and_then(Value::as_i64);
            let v: i64 = match name {
                "job" | "a" | "b" if rng.random_bool(0.8) => *pick(rng, &p.jobs),
                "seed" => rng.random_range(0..u32::MAX as i64),
                _ => rng.random_range(min.unwrap_or(0)..min.unwrap_or(0) + 20),
            };
            json!(v)
        }
        "number" => {
            let lo = s.get("exclusiveMinimum").or(s.get("minimum")).and_then(Value::as_f64).unwrap_or(0.0);
            let hi = s.get("exclusiveMaximum").or(s.get("maximum")).and_then(Value::as_f64).unwrap_or(lo + 3600.0);
            json!(lo + (hi - lo) * rng.random_range(0.01..0.99))
        }
        "string" => {
            if s.get("format").and_then(Value::as_str) == Some("date-time") {
                return json!(rfc3339(rng));
            }
            let min_len = s.get("minLength").and_then(Value::as_u64).unwrap_or(0) as usize;
            let v = match name {
                "dataset" if rng.random_bool(0.9) => pick(rng, &p.datasets).clone(),
                "user" if rng.random_bool(0.9) => pick(rng, &p.user_names).clone(),
                "path" if rng.random_bool(0.6) => pick(rng, &p.import_files).clone(),
                "path" => pick(rng, &p.escaping_paths).clone(),
                "labels" => {
                    let mut l = "account_id,label\n".to_string();
                    for a in ["a", "b", "c", "d"] {
                        if rng.random_bool(0.7) {
                            l += &format!("{a},{}\n", rng.random_range(0..2));
                        }
                    }
                    l
                }
                "format" => pick(rng, &["cnt", "twarc2", "parquet", "jetstream", "csv", "", "nope"]).to_string(),
                "signals" => pick(rng, &p.signals).clone(),
                "accounts" => pick(rng, &["a", "b", "c", "zz"]).to_string(),
                "languages" => pick(rng, &["en", "fr", "und", ""]).to_string(),
                _ if rng.random_bool(0.2) => pick(rng, WEIRD_STRINGS).to_string(),
                _ => format!("fz{}", random_text(rng, 12)),
            };
            let pad = min_len.saturating_sub(v.chars().count());
            json!(format!("{v}{}", "x".repeat(pad)))
        }
        "array" => {
            let min = s.get("minItems").and_then(Value::as_u64).unwrap_or(0) as usize;
            let n = rng.random_range(min..=min + 3);
            let items = s.get("items").cloned().unwrap_or(json!({}));
            Value::Array((0..n).map(|_| fitting(doc, &items, name, p, rng, depth + 1)).collect())
        }
        "object" => {
            let mut m = Map::new();
            let required: Vec<&str> = s
                .get("required")
                .and_then(Value::as_array)
                .map_or(vec![], |r| r.iter().filter_map(Value::as_str).collect());
            if let Some(props) = s.get("properties").and_then(Value::as_object) {
                for (k, ps) in props {
                    if required.contains(&k.as_str()) || rng.random_bool(0.5) {
                        m.insert(k.clone(), fitting(doc, ps, k, p, rng, depth + 1));
                    }
                }
            }
            if let Some(extra) = s.get("additionalProperties").filter(|v| v.is_object())
                && rng.random_bool(0.5)
            {
                m.insert(format!("k{}", rng.random_range(0..9)), fitting(doc, extra, "", p, rng, depth + 1));
            }
            Value::Object(m)
        }
        _ => any_json(rng, depth),
    }
}

/// Any JSON value, small.
fn any_json(rng: &mut Pcg64Mcg, depth: usize) -> Value {
    match rng.random_range(0..if depth > 3 { 5 } else { 7 }) {
        0 => Value::Null,
        1 => json!(rng.random_bool(0.5)),
        2 => json!(rng.random_range(-1000..1000)),
        3 => json!(rng.random_range(-1e6..1e6)),
        4 => json!(random_text(rng, 10)),
        5 => Value::Array((0..rng.random_range(0..3)).map(|_| any_json(rng, depth + 1)).collect()),
        _ => Value::Object((0..rng.random_range(0..3)).map(|i| (format!("k{i}"), any_json(rng, depth + 1))).collect()),
    }
}

/// A value of another JSON type than `v`.
fn wrong_type(v: &Value, rng: &mut Pcg64Mcg) -> Value {
    let options = [
        json!(null),
        json!(true),
        json!(-1),
        json!(1.5),
        json!("x"),
        json!([]),
        json!({}),
        json!(18446744073709551615u64),
        json!(-9223372036854775808i64),
        json!([1, "two", null]),
        json!({ "nested": { "deeper": [] } }),
    ];
    loop {
        let c = pick(rng, &options).clone();
        let same =
            std::mem::discriminant(&c) == std::mem::discriminant(v) && !(v.is_number() && c.is_number() && c != *v);
        if !same {
            return c;
        }
    }
}

fn nested(depth: usize) -> String {
    format!("{}{}", "[".repeat(depth), "]".repeat(depth))
}

// ---- requests from operations ----

struct Param {
    name: String,
    location: String,
    required: bool,
    schema: Value,
}

struct Op {
    method: String,
    template: String,
    params: Vec<Param>,
    /// Content type and schema of the request body.
    body: Option<(String, Value)>,
    /// Methods the path does not take.
    not_taken: Vec<String>,
    responses: Map<String, Value>,
}

fn operations(doc: &Value) -> Vec<Op> {
    let mut ops = Vec::new();
    for (template, item) in doc["paths"].as_object().unwrap() {
        for (method, o) in item.as_object().unwrap() {
            let params = o["parameters"]
                .as_array()
                .map(|ps| {
                    ps.iter()
                        .map(|p| {
                            let p = resolve(doc, p);
                            Param {
                                name: p["name"].as_str().unwrap().into(),
                                location: p["in"].as_str().unwrap().into(),
                                required: p["required"].as_bool().unwrap_or(false),
                                schema: p["schema"].clone(),
                            }
                        })
                        .collect()
                })
                .unwrap_or_default();
            let body = o["requestBody"]["content"]
                .as_object()
                .and_then(|c| c.iter().next())
                .map(|(ctype, c)| (ctype.clone(), c["schema"].clone()));
            let responses = o["responses"].as_object().cloned().unwrap_or_default();
            let not_taken = ["GET", "POST", "PUT", "PATCH", "DELETE"]
                .iter()
                .filter(|m| !item.as_object().unwrap().contains_key(&m.to_lowercase()))
                .map(|m| m.to_string())
                .collect();
            ops.push(Op {
                method: method.to_uppercase(),
                template: template.clone(),
                params,
                body,
                not_taken,
                responses,
            });
        }
    }
    // Deleting last, so what the other operations act on is there for them.
    ops.sort_by_key(|o| o.method == "DELETE");
    ops
}

/// A value for a path parameter: mostly a real id of what the path names.
fn path_value(op: &Op, param: &Param, doc: &Value, p: &Pools, rng: &mut Pcg64Mcg) -> String {
    if rng.random_bool(0.25) {
        return pick(rng, ODD_IDS).to_string();
    }
    if rng.random_bool(0.05) {
        return "9".repeat(rng.random_range(1..3000));
    }
    let real = match (op.template.as_str(), param.name.as_str()) {
        (t, "id") if t.starts_with("/api/jobs") => Some(pick(rng, &p.jobs).to_string()),
        (t, "id") if t.starts_with("/api/datasets") => Some(pick(rng, &p.datasets).clone()),
        (t, "id") if t.starts_with("/api/tokens") => Some(pick(rng, &p.tokens).to_string()),
        (t, "id") if t.starts_with("/api/users") => Some(pick(rng, &p.users).to_string()),
        _ => None,
    };
    match real {
        Some(v) if rng.random_bool(0.85) => v,
        _ => match fitting(doc, &param.schema, &param.name, p, rng, 0) {
            Value::String(s) => pct(&s),
            v => pct(&v.to_string()),
        },
    }
}

/// Bytes for an upload.
fn upload_body(rng: &mut Pcg64Mcg, case: usize) -> Vec<u8> {
    let mut random = |n: usize| -> Vec<u8> { (0..n).map(|_| rng.random_range(0..=255u8)).collect() };
    match case % 12 {
        0 | 1 => tiny_csv(&format!("f{case}x")),
        2 => random(64),
        3 => [&[0x1f, 0x8b, 0x08, 0x00][..], &random(100)].concat(),
        4 => [&[0x28, 0xb5, 0x2f, 0xfd][..], &random(100)].concat(),
        5 => [&b"PAR1"[..], &random(200), b"PAR1"].concat(),
        6 => b"{\"data\": {\"id\": 1, \"text\": \"\xff\xfe\"}}\n{not json\n".to_vec(),
        7 => b"message_id,user_id\n".to_vec(),
        8 => [&b"message_id,user_id,username,repost_id,reply_id,message,timestamp,urls\n"[..], &random(300)].concat(),
        9 => vec![0; 1000],
        10 => format!("{}\n", "a,".repeat(20_000)).into_bytes(),
        _ => [&b"message_id,user_id,username,repost_id,reply_id,message,timestamp,urls\n1,2,3,,,\"unterminated"[..]]
            .concat(),
    }
}

/// One case of `op`: a request, and whether it is meant to fit the schema.
fn make(op: &Op, doc: &Value, p: &Pools, rng: &mut Pcg64Mcg, case: usize) -> Request {
    let mut method = op.method.clone();
    if rng.random_bool(0.03) {
        method = pick(rng, &op.not_taken).clone();
    }
    // The path.
    let mut target = op.template.clone();
    for param in op.params.iter().filter(|x| x.location == "path") {
        let v = path_value(op, param, doc, p, rng);
        target = target.replace(&format!("{{{}}}", param.name), &v);
    }
    // The query.
    let mut query = Vec::new();
    for param in op.params.iter().filter(|x| x.location == "query") {
        if !param.required && rng.random_bool(0.3) || param.required && rng.random_bool(0.05) {
            continue;
        }
        let v = match rng.random_range(0..10) {
            0 => pick(rng, ODD_IDS).to_string(),
            1 => format!("{}&{}=2", pct("1"), param.name),
            2 => "%zz".to_string(),
            3 => {
                let w: &&str = pick(rng, WEIRD_STRINGS);
                pct(w)
            }
            _ => match fitting(doc, &param.schema, &param.name, p, rng, 0) {
                Value::String(s) => pct(&s),
                v => pct(&v.to_string()),
            },
        };
        query.push(format!("{}={v}", param.name));
    }
    if rng.random_bool(0.05) {
        query.push(pick(rng, &["unknown=1", "=", "&&", "a", "%FF=%FF"]).to_string());
    }
    if !query.is_empty() {
        target = format!("{target}?{}", query.join("&"));
    }
    // The body.
    let Some((ctype, schema)) = &op.body else {
        let body = rng.random_bool(0.05).then(|| b"{\"unexpected\": true}".to_vec());
        return Request { method, target, content_type: body.as_ref().map(|_| "application/json".into()), body };
    };
    if ctype != "application/json" {
        let body = if rng.random_bool(0.05) { Vec::new() } else { upload_body(rng, case) };
        let content_type = Some(
            pick(rng, &[ctype.as_str(), ctype.as_str(), "text/csv", "application/json", "multipart/form-data"])
                .to_string(),
        );
        return Request { method, target, content_type, body: Some(body) };
    }
    let mut value = fitting(doc, schema, "", p, rng, 0);
    // A job's parameters are one schema per kind: mostly the kind's own.
    if let Some(kind) = value.get("kind").and_then(Value::as_str).map(str::to_string)
        && rng.random_bool(0.7)
    {
        let name = format!("{}{}Params", kind[..1].to_uppercase(), &kind[1..]);
        if let Some(ps) = doc["components"]["schemas"].get(&name) {
            value["params"] = fitting(doc, ps, "", p, rng, 0);
        }
    }
    let mut content_type = Some("application/json".to_string());
    let bytes = match rng.random_range(0..20) {
        // What fits, most often.
        0..=6 => value.to_string().into_bytes(),
        7 => {
            // A required field missing.
            let required = resolve(doc, schema)["required"].as_array().cloned().unwrap_or_default();
            if let (Some(obj), false) = (value.as_object_mut(), required.is_empty()) {
                obj.remove(pick(rng, &required).as_str().unwrap());
            }
            value.to_string().into_bytes()
        }
        8 => {
            // A field of the wrong type.
            if let Some(obj) = value.as_object_mut().filter(|o| !o.is_empty()) {
                let k = pick(rng, &obj.keys().cloned().collect::<Vec<_>>()).clone();
                let w = wrong_type(&obj[&k], rng);
                obj.insert(k, w);
            } else {
                value = wrong_type(&value, rng);
            }
            value.to_string().into_bytes()
        }
        9 => {
            if let Some(obj) = value.as_object_mut() {
                obj.insert(pick(rng, &["extra", "__proto__", "admin", "role", ""]).to_string(), json!(1));
            }
            value.to_string().into_bytes()
        }
        10 => {
            // A huge string in every string field.
            let huge = "x".repeat(rng.random_range(10_000..400_000));
            if let Some(obj) = value.as_object_mut() {
                for v in obj.values_mut().filter(|v| v.is_string()) {
                    *v = json!(huge);
                }
                obj.insert("name".into(), json!(huge));
            }
            value.to_string().into_bytes()
        }
        11 => {
            // Deeply nested JSON, in a field or as the body.
            let depth = *pick(rng, &[64, 127, 128, 129, 1000, 100_000]);
            if rng.random_bool(0.5) {
                nested(depth).into_bytes()
            } else {
                let mut s = value.to_string();
                if s.ends_with('}') && s.len() > 2 {
                    s.pop();
                    s += &format!(",\"deep\":{}}}", nested(depth));
                }
                s.into_bytes()
            }
        }
        12 => {
            // Invalid UTF-8 inside a string.
            let s = value.to_string();
            match s.find("\"") {
                Some(i) => [&s.as_bytes()[..=i], &[0xff, 0xfe, 0xc3, 0x28], &s.as_bytes()[i + 1..]].concat(),
                None => vec![0xff, 0xfe],
            }
        }
        13 => {
            // Invalid JSON: cut short.
            let s = value.to_string();
            let cut = rng.random_range(0..s.len().max(1));
            s.as_bytes()[..cut].to_vec()
        }
        14 => Vec::new(),
        15 => {
            // Valid JSON under another content type, or none.
            content_type = pick(
                rng,
                &[
                    None,
                    Some("text/plain"),
                    Some("application/x-www-form-urlencoded"),
                    Some("application/jsonx"),
                    Some("application/json; charset=utf-16"),
                ],
            )
            .map(str::to_string);
            value.to_string().into_bytes()
        }
        16 => pick(rng, &["[]", "\"\"", "0", "null", "true", "[{}]", "{}"]).as_bytes().to_vec(),
        17 => {
            // Numbers JSON can write but no integer holds.
            let s = value.to_string();
            let n = pick(
                rng,
                &["1e400", "-1", "18446744073709551616", "1.0", "-0", "1E2", "123456789012345678901234567890"],
            );
            let mut obj = value.as_object().cloned().unwrap_or_default();
            if let Some(k) = obj.keys().next().cloned() {
                obj.remove(&k);
                let rest = Value::Object(obj).to_string();
                format!("{{\"{k}\":{n}{}", if rest == "{}" { "}".to_string() } else { format!(",{}", &rest[1..]) })
                    .into_bytes()
            } else {
                s.into_bytes()
            }
        }
        18 => {
            // Duplicate keys, NUL characters.
            let s = value.to_string();
            if s.starts_with('{') && s.len() > 2 {
                format!("{{\"name\":\"a\\u0000b\",\"name\":\"c\",{}", &s[1..]).into_bytes()
            } else {
                s.into_bytes()
            }
        }
        _ => (0..rng.random_range(1..200)).map(|_| rng.random_range(0..=255u8)).collect(),
    };
    Request { method, target, content_type, body: Some(bytes) }
}

// ---- what an answer must be ----

/// Whether `v` has the shape `schema` says: types, enums, required and
/// known properties, items (lightly: formats and bounds are not checked).
fn conforms(doc: &Value, schema: &Value, v: &Value, at: &str) -> Result<(), String> {
    let s = resolve(doc, schema);
    for key in ["oneOf", "anyOf"] {
        if let Some(alts) = s.get(key).and_then(Value::as_array) {
            return if alts.iter().any(|a| conforms(doc, a, v, at).is_ok()) {
                Ok(())
            } else {
                Err(format!("{at}: {v} fits none of {key}"))
            };
        }
    }
    if let Some(c) = s.get("const")
        && c != v
    {
        return Err(format!("{at}: {v} is not {c}"));
    }
    if let Some(e) = s.get("enum").and_then(Value::as_array)
        && !e.contains(v)
    {
        return Err(format!("{at}: {v} is not one of {}", Value::Array(e.clone())));
    }
    let types: Vec<&str> = match s.get("type") {
        Some(Value::String(t)) => vec![t.as_str()],
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
        _ => vec![],
    };
    let is = |t: &str| match t {
        "null" => v.is_null(),
        "boolean" => v.is_boolean(),
        "integer" => v.is_i64() || v.is_u64(),
        "number" => v.is_number(),
        "string" => v.is_string(),
        "array" => v.is_array(),
        "object" => v.is_object(),
        _ => true,
    };
    if !types.is_empty() && !types.iter().any(|t| is(t)) {
        return Err(format!("{at}: {} is not {}", truncate(&v.to_string()), types.join(" or ")));
    }
    if let Some(obj) = v.as_object() {
        for r in s.get("required").and_then(Value::as_array).into_iter().flatten() {
            let r = r.as_str().unwrap_or_default();
            if !obj.contains_key(r) {
                return Err(format!("{at}: the required {r:?} is missing"));
            }
        }
        let props = s.get("properties").and_then(Value::as_object);
        for (k, x) in obj {
            match props.and_then(|p| p.get(k)) {
                Some(ps) => conforms(doc, ps, x, &format!("{at}.{k}"))?,
                None => match s.get("additionalProperties") {
                    Some(Value::Bool(false)) => return Err(format!("{at}: {k:?} is not a documented property")),
                    Some(a @ Value::Object(_)) => conforms(doc, a, x, &format!("{at}.{k}"))?,
                    _ => {}
                },
            }
        }
    }
    if let (Some(items), Some(arr)) = (s.get("items"), v.as_array()) {
        for (i, x) in arr.iter().enumerate() {
            conforms(doc, items, x, &format!("{at}[{i}]"))?;
        }
    }
    Ok(())
}

fn truncate(s: &str) -> String {
    s.chars().take(200).collect()
}

/// What is wrong with an answer to `op`, if anything.
fn check(doc: &Value, op: &Op, sent_method: &str, a: &Answer) -> Option<String> {
    if a.status >= 500 {
        return Some(format!("a server error {}: {}", a.status, truncate(&String::from_utf8_lossy(&a.bytes))));
    }
    if a.status >= 400 {
        let v: Value = serde_json::from_slice(&a.bytes).unwrap_or(Value::Null);
        if !v["error"].is_string() {
            return Some(format!(
                "{} without a JSON error (content-type {:?}): {:?}",
                a.status,
                a.content_type,
                truncate(&String::from_utf8_lossy(&a.bytes))
            ));
        }
        return None;
    }
    if sent_method != op.method {
        return Some(format!("{sent_method} on {} answered {}", op.template, a.status));
    }
    let Some(doc_resp) = op.responses.get(&a.status.to_string()) else {
        return Some(format!("{} is not a status the operation documents", a.status));
    };
    let Some(schema) = doc_resp["content"]["application/json"].get("schema") else {
        if doc_resp.get("content").is_none() && a.status == 204 && !a.bytes.is_empty() {
            return Some("a 204 with a body".into());
        }
        return None;
    };
    let v: Value = match serde_json::from_slice(&a.bytes) {
        Ok(v) => v,
        Err(e) => return Some(format!("{}: not JSON ({e})", a.status)),
    };
    conforms(doc, schema, &v, "$").err().map(|e| format!("{}: not the documented shape: {e}", a.status))
}

// ---- the run ----

/// SplitMix64's finaliser: nearby inputs give unrelated outputs.
fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// The seed of one case: each case can be replayed alone.
fn case_seed(seed: u64, op: usize, case: usize) -> u64 {
    mix(seed ^ mix(((op as u64) << 32) | case as u64))
}

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn config(data: &Path, import: &Path, max_jobs: usize) -> Config {
    Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        max_jobs,
        rate_limit: None,
        import_dirs: vec![import.to_path_buf()],
        ..Config::new(data.to_path_buf())
    }
}

#[test]
fn the_api_answers_whatever_it_is_sent_without_a_server_error() {
    let seed: u64 = env_or("SWARMSCAN_FUZZ_SEED", DEFAULT_SEED);
    let cases: usize = env_or("SWARMSCAN_FUZZ_CASES", DEFAULT_CASES);
    let only = std::env::var("SWARMSCAN_FUZZ_ONLY").ok();
    eprintln!("fuzz: seed {seed}, {cases} cases per operation (SWARMSCAN_FUZZ_SEED, SWARMSCAN_FUZZ_CASES)");
    let t0 = Instant::now();
    let dir = tempfile::tempdir().unwrap();
    let (data, import) = (dir.path().join("data"), dir.path().join("import"));
    std::fs::create_dir_all(import.join("sub")).unwrap();
    let outside = dir.path().join("outside.csv");
    std::fs::write(&outside, tiny_csv("outside")).unwrap();
    std::os::unix::fs::symlink(&outside, import.join("link.csv")).unwrap();
    let mut import_files = Vec::new();
    for (i, name) in ["a.csv", "sub/b.csv", "empty.csv", "junk.bin"].iter().enumerate() {
        let path = import.join(name);
        let bytes = match i {
            2 => Vec::new(),
            3 => vec![0xff; 100],
            _ => tiny_csv(&format!("imp{i}x")),
        };
        std::fs::write(&path, bytes).unwrap();
        import_files.push(path.display().to_string());
    }
    import_files.push(import.display().to_string());
    let escaping_paths = vec![
        outside.display().to_string(),
        import.join("link.csv").display().to_string(),
        format!("{}/../outside.csv", import.display()),
        data.join("swarmscan.db").display().to_string(),
        "/etc/passwd".into(),
        "relative.csv".into(),
        "".into(),
        "/dev/zero".into(),
        "/proc/self/environ".into(),
    ];

    // Fixtures, with a worker: datasets, done scans, users and tokens.
    let handle = swarmscan_serve::spawn(config(&data, &import, 1), false).unwrap();
    let password = handle.started().bootstrap.clone().unwrap().password;
    let base = format!("http://{}", handle.started().addr);
    let mut token = mint_token(&base, "admin", &password);
    let mut datasets = Vec::new();
    for tag in ["one", "two"] {
        let r = request(
            "POST",
            &format!("/api/datasets?name={tag}"),
            Some("application/octet-stream"),
            Some(tiny_csv(tag)),
        );
        let a = send(&base, &r, Some(&token)).unwrap();
        assert_eq!(a.status, 201);
        let v: Value = serde_json::from_slice(&a.bytes).unwrap();
        datasets.push(v["id"].as_str().unwrap().to_string());
    }
    let mut jobs = Vec::new();
    for params in [json!({}), json!({ "seed": 3 })] {
        let (s, j) =
            call(&base, &token, "POST", "/api/jobs", Some(json!({ "dataset": datasets[0], "params": params })));
        assert_eq!(s, 202, "{j}");
        jobs.push(j["id"].as_i64().unwrap());
    }
    let t = Instant::now();
    while jobs.iter().any(|j| {
        let (_, v) = call(&base, &token, "GET", &format!("/api/jobs/{j}"), None);
        v["state"] != "done"
    }) {
        assert!(t.elapsed() < Duration::from_secs(120), "the fixture scans did not finish");
        std::thread::sleep(Duration::from_millis(50));
    }
    let mut users = Vec::new();
    let mut user_names = vec!["admin".to_string(), "nobody".to_string()];
    for (name, role) in [("fz-analyst", "analyst"), ("fz-viewer", "viewer")] {
        let (s, u) = call(
            &base,
            &token,
            "POST",
            "/api/users",
            Some(json!({ "name": name, "role": role, "password": "fuzz-password" })),
        );
        assert_eq!(s, 201, "{u}");
        users.push(u["id"].as_i64().unwrap());
        user_names.push(name.to_string());
    }
    let mut tokens = Vec::new();
    for _ in 0..3 {
        let (s, t) = call(&base, &token, "POST", "/api/tokens", Some(json!({ "name": "spare" })));
        assert_eq!(s, 201);
        tokens.push(t["id"].as_i64().unwrap());
    }
    handle.stop();
    // The fuzz itself, without workers: queued jobs stay queued.
    let handle = swarmscan_serve::spawn(config(&data, &import, 0), false).unwrap();
    let base = format!("http://{}", handle.started().addr);
    jobs.extend([999_999, 0]);
    let pools = Pools {
        datasets,
        jobs,
        tokens,
        users,
        user_names,
        import_files,
        escaping_paths,
        signals: swarmscan_scan::Signal::ALL.iter().map(|s| s.as_str().to_string()).chain(["nope".into()]).collect(),
    };
    let doc_answer = send(&base, &request("GET", "/api/openapi.json", None, None), None).unwrap();
    let doc: Value = serde_json::from_slice(&doc_answer.bytes).unwrap();
    let ops = operations(&doc);
    assert!(ops.len() >= 20, "{} operations", ops.len());

    let mut failures: Vec<String> = Vec::new();
    let mut tally: BTreeMap<String, BTreeMap<u16, usize>> = BTreeMap::new();
    let mut sent = 0;
    for (oi, op) in ops.iter().enumerate() {
        let label = format!("{} {}", op.method, op.template);
        if only.as_ref().is_some_and(|o| *o != label) {
            continue;
        }
        // Sign-ins and new users hash a password (argon2, slow on purpose): fewer cases.
        let n = if op.template == "/api/login" || (op.template == "/api/users" && op.method == "POST") {
            cases.div_ceil(8)
        } else {
            cases
        };
        let counts = tally.entry(label.clone()).or_default();
        for case in 0..n {
            let mut rng = Pcg64Mcg::seed_from_u64(case_seed(seed, oi, case));
            let req = make(op, &doc, &pools, &mut rng, case);
            let anonymous_too = rng.random_bool(0.25);
            for who in [Some(token.as_str()), None].into_iter().take(if anonymous_too { 2 } else { 1 }) {
                sent += 1;
                let caller = if who.is_some() { "admin" } else { "anonymous" };
                match send(&base, &req, who) {
                    Ok(a) => {
                        *counts.entry(a.status).or_default() += 1;
                        if let Some(problem) = check(&doc, op, &req.method, &a) {
                            failures.push(format!(
                                "{label} case {case} as {caller}: {problem}\n    request: {}",
                                req.describe()
                            ));
                        }
                    }
                    Err(e) => failures.push(format!(
                        "{label} case {case} as {caller}: no answer ({e})\n    request: {}",
                        req.describe()
                    )),
                }
            }
            // A deleted token may have been the one in use (or a logout ended it).
            if req.method == "DELETE" || op.template == "/api/logout" {
                let (s, _) = call(&base, &token, "GET", "/api/me", None);
                if s == 401 {
                    token = mint_token(&base, "admin", &password);
                }
            }
        }
    }
    // Still there.
    let (s, me) = call(&base, &token, "GET", "/api/me", None);
    assert_eq!((s, me["name"].as_str()), (200, Some("admin")), "the server answers after the fuzz");
    handle.stop();

    // The jobs the fuzz queued run, with workers: each ends done, failed
    // with a reason that is not a bug, or cancelled, and a done job's
    // results can all be fetched.
    let handle = swarmscan_serve::spawn(config(&data, &import, 2), false).unwrap();
    let base = format!("http://{}", handle.started().addr);
    let t = Instant::now();
    let jobs = loop {
        let (s, jobs) = call(&base, &token, "GET", "/api/jobs", None);
        assert_eq!(s, 200);
        let jobs = jobs.as_array().unwrap().clone();
        if jobs.iter().all(|j| !matches!(j["state"].as_str(), Some("queued" | "running"))) {
            break jobs;
        }
        assert!(t.elapsed() < Duration::from_secs(300), "the fuzzed jobs did not finish");
        std::thread::sleep(Duration::from_millis(100));
    };
    let mut states: BTreeMap<String, usize> = BTreeMap::new();
    for j in &jobs {
        let state = j["state"].as_str().unwrap_or_default();
        *states.entry(format!("{} {state}", j["kind"].as_str().unwrap_or("?"))).or_default() += 1;
        let error = j["error"].as_str().unwrap_or_default();
        if error.contains("a bug") || error.contains("panicked") {
            failures.push(format!("job {} ({} {}) failed with a bug: {error}", j["id"], j["kind"], j["params"]));
        }
        if state == "done" {
            for name in j["results"].as_array().into_iter().flatten() {
                let target = format!("/api/jobs/{}/results/{}", j["id"], name.as_str().unwrap_or_default());
                let a = send(&base, &request("GET", &target, None, None), Some(&token));
                if !matches!(a, Ok(Answer { status: 200, .. })) {
                    failures.push(format!("job {} lists {name} but it cannot be fetched", j["id"]));
                }
            }
        }
    }
    handle.stop();
    eprintln!("fuzz: the {} jobs then ran: {states:?}", jobs.len());

    eprintln!(
        "fuzz: {sent} requests in {:.1} s; statuses by operation (* not among the operation's documented responses):",
        t0.elapsed().as_secs_f64()
    );
    for (label, counts) in &tally {
        let op = ops.iter().find(|o| format!("{} {}", o.method, o.template) == *label);
        let documented = |s: &u16| op.is_some_and(|o| o.responses.contains_key(&s.to_string()));
        let c: Vec<String> =
            counts.iter().map(|(s, n)| format!("{s}{}×{n}", if documented(s) { "" } else { "*" })).collect();
        eprintln!("  {label:40} {}", c.join(" "));
    }
    // One line per kind of failure, then the first few in full.
    let mut kinds: BTreeMap<String, usize> = BTreeMap::new();
    for f in &failures {
        let head = f.lines().next().unwrap_or_default();
        let key = head.split(": ").skip(1).collect::<Vec<_>>().join(": ");
        let op = head.split(" case ").next().unwrap_or_default();
        *kinds.entry(format!("{op}: {}", key.chars().take(120).collect::<String>())).or_default() += 1;
    }
    assert!(
        failures.is_empty(),
        "seed {seed}: {} of {sent} answers are wrong.\nBy kind:\n{}\nFirst ones:\n{}",
        failures.len(),
        kinds.iter().map(|(k, n)| format!("  {n:5} {k}")).collect::<Vec<_>>().join("\n"),
        failures.iter().take(15).cloned().collect::<Vec<_>>().join("\n")
    );
}

/// Errors answered before a handler runs are JSON too, as the contract
/// says of every error: a method a path does not take, a path parameter
/// that is not UTF-8, a query parameter given twice.
#[test]
fn errors_from_outside_the_handlers_are_json() {
    let dir = tempfile::tempdir().unwrap();
    let import = dir.path().join("import");
    let handle = swarmscan_serve::spawn(config(&dir.path().join("data"), &import, 0), false).unwrap();
    let base = format!("http://{}", handle.started().addr);
    let password = handle.started().bootstrap.clone().unwrap().password;
    let token = mint_token(&base, "admin", &password);
    let mut wrong = Vec::new();
    for (method, target) in [
        ("PUT", "/api/me"),
        ("DELETE", "/api/jobs"),
        ("GET", "/api/jobs/%FF"),
        ("GET", "/api/jobs/1/results/%FF"),
        ("DELETE", "/api/datasets/%C3%28"),
        ("GET", "/api/compare?a=1&a=2&b=3"),
        ("POST", "/api/datasets?name=a&name=b"),
    ] {
        let a = send(&base, &request(method, target, None, Some(Vec::new())), Some(&token)).unwrap();
        let v: Value = serde_json::from_slice(&a.bytes).unwrap_or(Value::Null);
        if !(400..500).contains(&a.status) || !v["error"].is_string() {
            wrong.push(format!(
                "{method} {target}: {} {:?} {:?}",
                a.status,
                a.content_type,
                String::from_utf8_lossy(&a.bytes)
            ));
        }
    }
    handle.stop();
    assert!(wrong.is_empty(), "errors that are not JSON:\n{}", wrong.join("\n"));
}
