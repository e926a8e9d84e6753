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

/// The document.
pub fn document() -> Value {
    let none = json!({});
    let job_id = json!({ "parameters": [path_param("id", "integer")] });
    let ds_id = json!({ "parameters": [path_param("id", "string")] });
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "swarmscan server API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Datasets, scan jobs and their results. Authenticate with a session cookie \
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
                    "bytes": { "type": "integer" }, "format": { "type": "string" },
                    "records": { "type": "integer" }, "parsed": { "type": "integer" },
                    "skipped": { "type": "object", "additionalProperties": { "type": "integer" } },
                    "created": { "type": "integer" }, "parent": { "type": ["string", "null"] },
                    "shared_with": { "type": "array", "items": { "type": "string" } } } },
                "JobParams": { "type": "object", "additionalProperties": false, "properties": {
                    "fdr": { "type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1 },
                    "min_cluster": { "type": "integer", "minimum": 0 },
                    "signals": { "type": "array", "items": { "type": "string" } },
                    "seed": { "type": "integer", "minimum": 0 } } },
                "Job": { "type": "object", "properties": {
                    "id": { "type": "integer" }, "kind": { "const": "scan" },
                    "dataset_id": { "type": "string" }, "params": r("JobParams"),
                    "state": { "enum": ["queued", "running", "done", "failed", "cancelled"] },
                    "error": { "type": ["string", "null"] }, "stage": { "type": "string" },
                    "created_by": { "type": "integer" }, "created": { "type": "integer" },
                    "claimed_at": { "type": ["integer", "null"] }, "finished_at": { "type": ["integer", "null"] },
                    "attempts": { "type": "integer" },
                    "results": { "type": "array", "items": { "type": "string" } } } }
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
            "/api/tokens": { "post": op("Create an API token for yourself; it is shown only in this answer",
                resp(&[("201", ok("the token", json!({ "type": "object", "properties": {
                    "id": { "type": "integer" }, "name": { "type": "string" }, "created": { "type": "integer" },
                    "token": { "type": "string" } } })))]),
                json!({ "requestBody": body(json!({ "type": "object", "properties": { "name": { "type": "string" } } })) })) },
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
            "/api/datasets/{id}": { "get": op("One dataset", resp(&[("200", ok("the dataset", r("Dataset"))), ("404", err("no such dataset"))]), ds_id.clone()) },
            "/api/datasets/{id}/shares": { "post": op("Share a dataset with a user (its owner or an admin)",
                resp(&[("200", ok("the dataset", r("Dataset"))), ("400", err("no such user")), ("404", err("no such dataset"))]),
                json!({ "parameters": [path_param("id", "string")],
                    "requestBody": body(json!({ "type": "object", "required": ["user"], "properties": { "user": { "type": "string" } } })) })) },
            "/api/jobs": {
                "get": op("The jobs on datasets you may see", resp(&[("200", ok("jobs", json!({ "type": "array", "items": r("Job") })))]), none.clone()),
                "post": op("Queue a scan of a dataset",
                    resp(&[("202", ok("queued", json!({ "type": "object", "properties": { "id": { "type": "integer" }, "state": { "type": "string" } } }))),
                        ("400", err("bad parameters")), ("404", err("no such dataset"))]),
                    json!({ "requestBody": body(json!({ "type": "object", "required": ["dataset"],
                        "properties": { "dataset": { "type": "string" }, "params": r("JobParams") } })) })) },
            "/api/jobs/{id}": { "get": op("One job, with its stage while it runs", resp(&[("200", ok("the job", r("Job"))), ("404", err("no such job"))]), job_id.clone()) },
            "/api/jobs/{id}/cancel": { "post": op("Cancel a queued or running job",
                resp(&[("200", ok("the job", r("Job"))), ("404", err("no such job")), ("409", err("the job has ended"))]), job_id.clone()) },
            "/api/jobs/{id}/results/{file}": { "get": op("One result file of a finished job",
                resp(&[("200", json!({ "description": "the file" })), ("404", err("no such job or file")), ("409", err("the job is not done"))]),
                json!({ "parameters": [path_param("id", "integer"), { "name": "file", "in": "path", "required": true,
                    "schema": { "enum": ["accounts.csv", "clusters.csv", "edges.csv", "domains.csv", "report.html",
                        "network.gexf", "network.graphml", "summary.json"] } }] })) }
        }
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_result_files_listed_are_the_contract() {
        let doc = super::document();
        let listed = &doc["paths"]["/api/jobs/{id}/results/{file}"]["get"]["parameters"][1]["schema"]["enum"];
        let want: Vec<&str> = swarmscan_report::OUTPUTS.iter().map(|(n, _)| *n).chain(["summary.json"]).collect();
        assert_eq!(listed, &serde_json::json!(want));
    }
}
