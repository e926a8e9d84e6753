//! The API's OpenAPI 3.1 document, written by hand (`GET /api/openapi.json`).
//! A test checks that it names every route the router serves.

use serde_json::{Value, json};

fn err(desc: &str) -> Value {
    json!({ "description": desc, "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } })
}

fn ok(desc: &str, schema: Value) -> Value {
    json!({ "description": desc, "content": { "application/json": { "schema": schema } } })
}

fn body(schema: Value) -> Value {
    json!({ "required": true, "content": { "application/json": { "schema": schema } } })
}

fn r(name: &str) -> Value {
    json!({ "$ref": format!("#/components/schemas/{name}") })
}

fn path_param(name: &str, kind: &str) -> Value {
    json!({ "name": name, "in": "path", "required": true, "schema": { "type": kind } })
}

/// The common answers of an authenticated operation, plus its own.
fn op(summary: &str, mut responses: serde_json::Map<String, Value>, extra: Value) -> Value {
    responses.insert("401".into(), err("not signed in"));
    responses.insert("403".into(), err("not allowed (role, or CSRF token missing)"));
    responses.insert("429".into(), err("rate limit exceeded"));
    let mut o = json!({ "summary": summary, "responses": responses });
    if let (Some(o), Some(extra)) = (o.as_object_mut(), extra.as_object()) {
        o.extend(extra.clone());
    }
    o
}

fn resp(pairs: &[(&str, Value)]) -> serde_json::Map<String, Value> {
    pairs.iter().map(|(k, v)| (k.to_string(), v.clone())).collect()
}

/// Every result file name any job kind can have.
fn result_files() -> Vec<String> {
    let mut names: Vec<String> = swarmscan_report::OUTPUTS.iter().map(|(n, _)| n.to_string()).collect();
    names.extend(["summary.json".to_string(), "eval.json".to_string(), crate::watch::ALERTS_FILE.to_string()]);
    names.extend(swarmscan_detect::Network::ALL.iter().map(|n| format!("{}.csv", n.as_str())));
    names.sort();
    names.dedup();
    names
}

/// A watch job's parameters (crate::watch::WatchJob).
fn watch_params() -> Value {
    json!({ "type": "object", "additionalProperties": false, "required": ["duration_s"],
        "description": "at least one of jetstream and mastodon, each a source the server allows \
            (swarmscan serve --watch-source) or a URL under one",
        "properties": {
            "jetstream": { "type": "string", "format": "uri", "description": "ws:// or wss://" },
            "mastodon": { "type": "string", "format": "uri", "description": "http:// or https://" },
            "collections": { "type": "array", "items": { "type": "string" } },
            "duration_s": { "type": "number", "minimum": 1, "maximum": 604800 },
            "horizon_s": { "type": "number", "minimum": 1 },
            "every_s": { "type": "number", "minimum": 1 },
            "lateness_s": { "type": "number", "minimum": 0, "maximum": 86400 } } })
}

/// A running watch's counters (crate::watch::Live).
fn live() -> Value {
    json!({ "type": "object", "description": "a running watch's counters", "properties": {
        "events_kept": { "type": "integer" }, "scans": { "type": "integer" }, "alerts": { "type": "integer" },
        "watermark": { "type": ["string", "null"], "format": "date-time" },
        "horizon_events": { "type": ["integer", "null"] }, "reconnects": { "type": "integer" } } })
}

/// A job as the API shows it (crate::api's job_json).
fn job() -> Value {
    json!({ "type": "object", "properties": {
        "id": { "type": "integer" }, "kind": { "enum": crate::jobs::KINDS },
        "dataset_id": { "type": ["string", "null"], "description": "null for a watch" },
        "params": { "type": "object" },
        "state": { "enum": ["queued", "running", "done", "failed", "cancelled"] },
        "error": { "type": ["string", "null"] }, "stage": { "type": "string" },
        "created_by": { "type": "integer" }, "created_by_name": { "type": ["string", "null"] },
        "created": { "type": "integer" },
        "claimed_at": { "type": ["integer", "null"] }, "finished_at": { "type": ["integer", "null"] },
        "attempts": { "type": "integer" },
        "results": { "type": "array", "items": { "type": "string" },
            "description": "the result files: once done; a watch's also while it runs, those so far" },
        "live": r("Live"),
        "datasets": { "type": "array", "items": { "type": "string" },
            "description": "the datasets a watch made of its events, once it has ended" } } })
}

/// The document.
pub fn document() -> Value {
    let none = json!({});
    let job_id = json!({ "parameters": [path_param("id", "integer")] });
    let ds_id = json!({ "parameters": [path_param("id", "string")] });
    let user_id = json!({ "parameters": [path_param("id", "integer")] });
    let networks: Vec<&str> = swarmscan_detect::Network::ALL.iter().map(|n| n.as_str()).collect();
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "swarmscan server API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Datasets, jobs (scans and the like, live watches) and their results. Authenticate with a session cookie \
                (POST /api/login; unsafe methods then need the X-CSRF-Token header) or an API token \
                (Authorization: Bearer sws_...)."
        },
        "components": {
            "securitySchemes": {
                "token": { "type": "http", "scheme": "bearer" },
                "session": { "type": "apiKey", "in": "cookie", "name": "swarmscan_session" }
            },
            "schemas": {
                "Error": { "type": "object", "required": ["error"], "properties": { "error": { "type": "string" } } },
                "User": { "type": "object", "properties": {
                    "id": { "type": "integer" }, "name": { "type": "string" },
                    "role": { "enum": ["admin", "analyst", "viewer"] } } },
                "Dataset": { "type": "object", "properties": {
                    "id": { "type": "string", "description": "SHA-256 of the uploaded bytes, hex" },
                    "name": { "type": "string" }, "owner": { "type": "integer" },
                    "owner_name": { "type": ["string", "null"] },
                    "bytes": { "type": "integer" }, "format": { "type": "string" },
                    "records": { "type": "integer" }, "parsed": { "type": "integer" },
                    "skipped": { "type": "object", "additionalProperties": { "type": "integer" } },
                    "created": { "type": "integer" }, "parent": { "type": ["string", "null"] },
                    "shared_with": { "type": "array", "items": { "type": "string" } } } },
                "ScanParams": { "type": "object", "additionalProperties": false, "properties": {
                    "fdr": { "type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1 },
                    "min_cluster": { "type": "integer", "minimum": 0 },
                    "signals": { "type": "array", "items": { "type": "string" } },
                    "seed": { "type": "integer", "minimum": 0 } } },
                "NetworkParams": { "type": "object", "additionalProperties": false, "required": ["networks"], "properties": {
                    "networks": { "type": "array", "minItems": 1, "items": { "enum": networks } },
                    "window_s": { "type": "number", "minimum": 0 },
                    "min_weight": { "type": "integer", "minimum": 0 } } },
                "DomainsParams": { "type": "object", "additionalProperties": false },
                "EvalParams": { "type": "object", "additionalProperties": false, "required": ["job", "labels"], "properties": {
                    "job": { "type": "integer", "description": "a finished scan job of the same dataset" },
                    "labels": { "type": "string", "description": "account_id,label[,op_actions] CSV text" },
                    "positive_prefix": { "type": "string" } } },
                "WatchParams": watch_params(),
                "NewJob": { "type": "object", "additionalProperties": false, "properties": {
                    "dataset": { "type": "string", "description": "the dataset the job reads: required, except for a watch, which has none" },
                    "kind": { "enum": crate::jobs::KINDS, "default": "scan" },
                    "params": { "description": "the kind's parameters (ScanParams, NetworkParams, DomainsParams, EvalParams, WatchParams)",
                        "oneOf": [r("ScanParams"), r("NetworkParams"), r("DomainsParams"), r("EvalParams"), r("WatchParams")] } } },
                "Live": live(),
                "Member": { "type": "object", "properties": { "account": { "type": "string" }, "username": { "type": "string" } } },
                "Cluster": { "type": "object", "properties": {
                    "id": { "type": "integer" }, "size": { "type": "integer" }, "score": { "type": "number" },
                    "signals": { "type": "string" }, "why": { "type": "string" },
                    "members": { "type": "array", "items": r("Member") } } },
                "Comparison": { "type": "object", "properties": {
                    "a": r("Job"), "b": r("Job"),
                    "appeared": { "type": "array", "items": r("Cluster") },
                    "vanished": { "type": "array", "items": r("Cluster") },
                    "changed": { "type": "array", "items": { "type": "object", "properties": {
                        "a": r("Cluster"), "b": r("Cluster"), "jaccard": { "type": "number" },
                        "joined": { "type": "array", "items": r("Member") },
                        "left": { "type": "array", "items": r("Member") } } } },
                    "unchanged": { "type": "array", "items": { "type": "object", "properties": {
                        "a": r("Cluster"), "b": r("Cluster") } } } } },
                "Filter": { "type": "object", "additionalProperties": false, "properties": {
                    "name": { "type": "string" },
                    "from": { "type": "string", "format": "date-time" },
                    "to": { "type": "string", "format": "date-time" },
                    "accounts": { "type": "array", "items": { "type": "string" } },
                    "languages": { "type": "array", "items": { "type": "string" } } } },
                "Job": job()
            }
        },
        "security": [{ "token": [] }, { "session": [] }],
        "paths": {
            "/api/openapi.json": { "get": { "summary": "This document", "security": [],
                "responses": { "200": ok("the document", json!({ "type": "object" })) } } },
            "/api/login": { "post": { "summary": "Sign in: sets the session cookie, returns its CSRF token",
                "security": [],
                "requestBody": body(json!({ "type": "object", "required": ["name", "password"],
                    "properties": { "name": { "type": "string" }, "password": { "type": "string" } } })),
                "responses": {
                    "200": ok("signed in", json!({ "type": "object",
                        "properties": { "csrf": { "type": "string" }, "user": r("User") } })),
                    "401": err("wrong name or password"), "413": err("body too large"),
                    "429": err("rate limit exceeded") } } },
            "/api/logout": { "post": op("Sign out", resp(&[("204", json!({ "description": "signed out" }))]), none.clone()) },
            "/api/me": { "get": op("The signed-in user", resp(&[("200", ok("the user", r("User")))]), none.clone()) },
            "/api/users": {
                "get": op("Every user (admin)", resp(&[("200", ok("users", json!({ "type": "array", "items": r("User") })))]), none.clone()),
                "post": op("Add a user (admin)", resp(&[("201", ok("added", r("User"))), ("400", err("bad name, role or password")),
                    ("409", err("the name is taken"))]),
                    json!({ "requestBody": body(json!({ "type": "object", "required": ["name", "role", "password"],
                        "properties": { "name": { "type": "string" }, "role": { "enum": ["admin", "analyst", "viewer"] },
                        "password": { "type": "string", "minLength": 8 } } })) })) },
            "/api/users/{id}": { "delete": op("Delete a user (admin): their sessions and tokens end, what they owned passes to you",
                resp(&[("204", json!({ "description": "deleted" })), ("400", err("you cannot delete yourself")), ("404", err("no such user"))]),
                user_id) },
            "/api/tokens": { "post": op("Create an API token for yourself; it is shown only in this answer",
                resp(&[("201", ok("the token", json!({ "type": "object", "properties": {
                    "id": { "type": "integer" }, "name": { "type": "string" }, "created": { "type": "integer" },
                    "token": { "type": "string" } } }))), ("400", err("a name over 200 bytes or with control characters"))]),
                json!({ "requestBody": body(json!({ "type": "object", "properties": { "name": { "type": "string", "maxLength": 200 } } })) })) },
            "/api/tokens/{id}": { "delete": op("Revoke one of your tokens (an admin: anyone's)",
                resp(&[("204", json!({ "description": "revoked" })), ("404", err("no such token"))]), job_id.clone()) },
            "/api/datasets": {
                "get": op("The datasets you may see", resp(&[("200", ok("datasets", json!({ "type": "array", "items": r("Dataset") })))]), none.clone()),
                "post": op("Upload a dataset: the raw file (any supported format, gzip or zstd or plain) as the body",
                    resp(&[("200", ok("the same bytes were uploaded before", r("Dataset"))), ("201", ok("a new dataset", r("Dataset"))),
                        ("400", err("bad parameters or empty body")), ("413", err("over the server's upload limit")),
                        ("422", err("the file could not be read"))]),
                    json!({ "parameters": [
                        { "name": "name", "in": "query", "schema": { "type": "string" } },
                        { "name": "format", "in": "query", "schema": { "type": "string" },
                          "description": "force a reader instead of sniffing" } ],
                        "requestBody": { "required": true, "content": { "application/octet-stream": {
                            "schema": { "type": "string", "format": "binary" } } } } })) },
            "/api/datasets/register": { "post": op("Register a file on the server (admin): one inside a folder given to --import-dir, copied into the store",
                resp(&[("200", ok("the same bytes are a dataset already", r("Dataset"))), ("201", ok("a new dataset", r("Dataset"))),
                    ("400", err("bad parameters")), ("422", err("the file could not be read"))]),
                json!({ "requestBody": body(json!({ "type": "object", "required": ["path"], "additionalProperties": false,
                    "properties": { "path": { "type": "string" }, "name": { "type": "string" }, "format": { "type": "string" } } })) })) },
            "/api/datasets/{id}": {
                "get": op("One dataset", resp(&[("200", ok("the dataset", r("Dataset"))), ("404", err("no such dataset"))]), ds_id.clone()),
                "delete": op("Delete a dataset with its jobs and results (its owner or an admin)",
                    resp(&[("204", json!({ "description": "deleted" })), ("404", err("no such dataset")),
                        ("409", err("jobs on it are queued or running, or datasets were derived from it"))]), ds_id.clone()) },
            "/api/datasets/{id}/derive": { "post": op("Derive a dataset: the events a filter keeps, as Parquet, pointing to its parent",
                resp(&[("200", ok("the same events were derived before", r("Dataset"))), ("201", ok("the new dataset", r("Dataset"))),
                    ("400", err("no filter, a bad one, or nothing kept")), ("404", err("no such dataset"))]),
                json!({ "parameters": [path_param("id", "string")], "requestBody": body(r("Filter")) })) },
            "/api/datasets/{id}/shares": { "post": op("Share a dataset with a user (its owner or an admin)",
                resp(&[("200", ok("the dataset", r("Dataset"))), ("400", err("no such user")), ("404", err("no such dataset"))]),
                json!({ "parameters": [path_param("id", "string")],
                    "requestBody": body(json!({ "type": "object", "required": ["user"], "properties": { "user": { "type": "string" } } })) })) },
            "/api/jobs": {
                "get": op("The jobs on datasets you may see, and the watches you started (an admin: all)", resp(&[("200", ok("jobs", json!({ "type": "array", "items": r("Job") })))]), none.clone()),
                "post": op("Queue a job: on a dataset, scan (the default), network, domains or eval; or a watch of a live stream",
                    resp(&[("202", ok("queued", json!({ "type": "object", "properties": { "id": { "type": "integer" },
                        "kind": { "type": "string" }, "state": { "type": "string" } } }))),
                        ("400", err("bad kind or parameters, or a watch source the server does not allow")),
                        ("404", err("no such dataset"))]),
                    json!({ "requestBody": body(r("NewJob")) })) },
            "/api/jobs/{id}": { "get": op("One job, with its stage while it runs", resp(&[("200", ok("the job", r("Job"))), ("404", err("no such job"))]), job_id.clone()) },
            "/api/jobs/{id}/cancel": { "post": op("Cancel a queued or running job",
                resp(&[("200", ok("the job", r("Job"))), ("404", err("no such job")), ("409", err("the job has ended"))]), job_id.clone()) },
            "/api/jobs/{id}/results/{file}": { "get": op("One result file of a finished job (of a watch, also while it runs: the latest)",
                resp(&[("200", json!({ "description": "the file" })), ("404", err("no such job or file")), ("409", err("the job is not done"))]),
                json!({ "parameters": [path_param("id", "integer"), { "name": "file", "in": "path", "required": true,
                    "description": "one of the names the job's `results` lists", "schema": { "enum": result_files() } }] })) },
            "/api/compare": { "get": op("Compare two finished scans: clusters that appeared, vanished, changed or stayed",
                resp(&[("200", ok("the comparison", r("Comparison"))), ("400", err("a or b missing, or not a finished scan")),
                    ("404", err("no such job"))]),
                json!({ "parameters": [
                    { "name": "a", "in": "query", "required": true, "schema": { "type": "integer" } },
                    { "name": "b", "in": "query", "required": true, "schema": { "type": "integer" } } ] })) }
        }
    })
}

#[cfg(test)]
mod tests {
    /// The names listed are every name a job of any kind can have.
    #[test]
    fn the_result_files_listed_are_every_kinds() {
        let doc = super::document();
        let listed = &doc["paths"]["/api/jobs/{id}/results/{file}"]["get"]["parameters"][1]["schema"]["enum"];
        let listed: std::collections::BTreeSet<&str> =
            listed.as_array().unwrap().iter().filter_map(|v| v.as_str()).collect();
        let all: Vec<String> = swarmscan_detect::Network::ALL.iter().map(|n| n.as_str().to_string()).collect();
        let labels = "account_id,label\n".to_string();
        let kinds = [
            ("scan", serde_json::json!({})),
            ("network", serde_json::json!({ "networks": all })),
            ("domains", serde_json::json!({})),
            ("eval", serde_json::json!({ "job": 1, "labels": labels })),
            ("watch", serde_json::json!({ "jetstream": "wss://jetstream.example/subscribe", "duration_s": 60 })),
        ];
        let mut want = std::collections::BTreeSet::new();
        for (kind, params) in kinds {
            let spec = crate::jobs::Spec::parse(kind, params).unwrap();
            want.extend(spec.results());
        }
        assert_eq!(listed, want.iter().map(String::as_str).collect());
    }
}
