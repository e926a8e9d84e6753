//! The JSON API under `/api/`: routes, the authentication extractor, the
//! per-client rate limit and body limits. Every handler but `login` and
//! `openapi.json` starts by authenticating ([`Auth`]) and then checks the
//! role and the dataset's visibility (crate::auth). A dataset or job the
//! user may not see is answered 404, as if it did not exist.

use crate::auth::{self, CSRF_HEADER, SESSION_COOKIE, Via};
use crate::jobs::Spec;
use crate::store::{Dataset, Job, Role, StoreError, User};
use crate::{Shared, openapi};
use axum::body::Body;
use axum::extract::rejection::JsonRejection;
use axum::extract::{ConnectInfo, DefaultBodyLimit, FromRequestParts, Path, Query, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header, request::Parts};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use futures_util::StreamExt;
use serde::Deserialize;
use serde_json::{Value, json};
use sha2::Digest;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;
use tokio::io::AsyncWriteExt;

/// An error answered as `{"error": "..."}` with its status.
#[derive(Debug)]
pub struct ApiError(pub StatusCode, pub String);

impl ApiError {
    fn new(status: StatusCode, msg: impl Into<String>) -> ApiError {
        ApiError(status, msg.into())
    }
    fn not_found(what: &str) -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, format!("no such {what}"))
    }
    fn forbidden(msg: &str) -> ApiError {
        ApiError::new(StatusCode::FORBIDDEN, msg)
    }
    fn bad(msg: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, msg)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.0, Json(json!({ "error": self.1 }))).into_response()
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> ApiError {
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string())
    }
}

impl From<JsonRejection> for ApiError {
    fn from(e: JsonRejection) -> ApiError {
        // Keeps axum's status: 413 past the body limit, 415 without a JSON
        // content type, 400/422 for bad JSON.
        ApiError::new(e.status(), e.body_text())
    }
}

type ApiResult<T = Response> = Result<T, ApiError>;
type St = State<Arc<Shared>>;

/// The authenticated user of a request.
pub struct Auth {
    pub user: User,
    pub via: Via,
}

fn cookie_value<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// Equal without an early exit (CSRF tokens are compared through hashes).
fn same_secret(a: &str, b: &str) -> bool {
    sha2::Sha256::digest(a.as_bytes()) == sha2::Sha256::digest(b.as_bytes())
}

impl FromRequestParts<Arc<Shared>> for Auth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, st: &Arc<Shared>) -> Result<Auth, ApiError> {
        let unauthorized = |m: &str| ApiError::new(StatusCode::UNAUTHORIZED, m);
        if let Some(h) = parts.headers.get(header::AUTHORIZATION) {
            let token = h.to_str().ok().and_then(|v| v.strip_prefix("Bearer ")).map(str::trim);
            let token = token.ok_or_else(|| unauthorized("expected `Authorization: Bearer sws_…`"))?;
            return match st.store.token_user(&auth::sha256_hex(token))? {
                Some(user) => Ok(Auth { user, via: Via::Token }),
                None => Err(unauthorized("unknown or revoked API token")),
            };
        }
        let Some(sid) = cookie_value(&parts.headers, SESSION_COOKIE) else {
            return Err(unauthorized("sign in (POST /api/login) or send an API token"));
        };
        let hash = auth::sha256_hex(sid);
        let Some((user, csrf)) = st.store.session(&hash)? else {
            return Err(unauthorized("the session has expired: sign in again"));
        };
        let safe = matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS);
        if !safe {
            let sent = parts.headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok());
            if !sent.is_some_and(|s| same_secret(s, &csrf)) {
                return Err(ApiError::forbidden("missing or wrong X-CSRF-Token header (see POST /api/login)"));
            }
        }
        Ok(Auth { user, via: Via::Session(hash, csrf) })
    }
}

/// The router with every route, the body limit and the rate limit.
pub(crate) fn router(shared: Arc<Shared>) -> Router {
    let json_limit = DefaultBodyLimit::max(shared.config.max_json);
    Router::new()
        .route("/api/openapi.json", get(openapi_doc))
        .route("/api/login", post(login))
        .route("/api/logout", post(logout))
        .route("/api/me", get(me))
        .route("/api/users", post(add_user).get(list_users))
        .route("/api/users/{id}", delete(delete_user))
        .route("/api/tokens", post(add_token))
        .route("/api/tokens/{id}", delete(delete_token))
        // Uploads stream to disk under their own limit (--max-upload).
        .route("/api/datasets", post(upload).layer(DefaultBodyLimit::disable()).get(list_datasets))
        .route("/api/datasets/register", post(register))
        .route("/api/datasets/{id}", get(get_dataset).delete(delete_dataset))
        .route("/api/datasets/{id}/shares", post(share))
        .route("/api/datasets/{id}/derive", post(derive))
        .route("/api/jobs", post(add_job).get(list_jobs))
        .route("/api/jobs/{id}", get(get_job))
        .route("/api/jobs/{id}/cancel", post(cancel_job))
        .route("/api/jobs/{id}/results/{file}", get(result_file))
        .route("/api/compare", get(compare))
        .merge(crate::ui::routes())
        .fallback(|| async { ApiError::not_found("endpoint") })
        .layer(json_limit)
        .layer(axum::middleware::from_fn_with_state(shared.clone(), rate_limit))
        .layer(axum::middleware::from_fn(json_errors))
        .with_state(shared)
}

/// Makes every error under `/api/` a JSON error, as the handlers' are:
/// those axum answers before a handler runs (405 with an empty body, a
/// path or query its extractors cannot parse, answered 400 in plain text)
/// keep their status and headers (`Allow`) and get `{"error": ...}` with
/// their text, or the status's name where they had none.
async fn json_errors(req: Request, next: Next) -> Response {
    let api = req.uri().path().starts_with("/api/");
    let res = next.run(req).await;
    let status = res.status();
    let is_json =
        res.headers().get(header::CONTENT_TYPE).is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    if !api || is_json || !(status.is_client_error() || status.is_server_error()) {
        return res;
    }
    let (parts, body) = res.into_parts();
    // Such answers are short texts; a longer one is cut, not kept whole.
    let text = axum::body::to_bytes(body, 4096).await.unwrap_or_default();
    let text = String::from_utf8_lossy(&text).trim().to_string();
    let msg = match text.is_empty() {
        true => status.canonical_reason().unwrap_or("error").to_lowercase(),
        false => text,
    };
    let mut out = ApiError(status, msg).into_response();
    for (k, v) in &parts.headers {
        if k != header::CONTENT_TYPE && k != header::CONTENT_LENGTH {
            out.headers_mut().insert(k.clone(), v.clone());
        }
    }
    out
}

// ---- rate limit ----

/// A token bucket per client address.
pub(crate) struct Bucket {
    tokens: f64,
    last: Instant,
}

/// Per-client-IP token buckets: `rate` requests a second on average, up to
/// `burst` at once; beyond, 429.
async fn rate_limit(State(st): St, req: Request, next: Next) -> Response {
    let ip = req.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
    if let (Some(ip), Some(limit)) = (ip, st.config.rate_limit) {
        let now = Instant::now();
        let allowed = {
            let mut buckets = st.buckets.lock().unwrap_or_else(|e| e.into_inner());
            if buckets.len() > 10_000 {
                // Forget clients whose bucket has refilled.
                buckets.retain(|_, b| {
                    b.tokens + now.duration_since(b.last).as_secs_f64() * limit.per_second < limit.burst
                });
            }
            let b = buckets.entry(ip).or_insert(Bucket { tokens: limit.burst, last: now });
            b.tokens = (b.tokens + now.duration_since(b.last).as_secs_f64() * limit.per_second).min(limit.burst);
            b.last = now;
            if b.tokens >= 1.0 {
                b.tokens -= 1.0;
                true
            } else {
                false
            }
        };
        if !allowed {
            let mut r = ApiError::new(StatusCode::TOO_MANY_REQUESTS, "too many requests: slow down").into_response();
            r.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
            return r;
        }
    }
    next.run(req).await
}

// ---- session and users ----

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Login {
    name: String,
    password: String,
}

async fn openapi_doc() -> Json<Value> {
    Json(openapi::document())
}

async fn login(State(st): St, body: Result<Json<Login>, JsonRejection>) -> ApiResult {
    let Json(l) = body?;
    let found = st.store.user_by_name(&l.name)?;
    let (user, ok) = tokio::task::spawn_blocking(move || match found {
        Some((user, hash)) => {
            let ok = auth::verify_password(&l.password, &hash);
            (Some(user), ok)
        }
        None => {
            // As slow as a wrong password, so names cannot be probed by time.
            let _ = auth::hash_password(&l.password);
            (None, false)
        }
    })
    .await
    .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?;
    let Some(user) = user.filter(|_| ok) else {
        return Err(ApiError::new(StatusCode::UNAUTHORIZED, "wrong name or password"));
    };
    let sid = auth::random_hex(32);
    let csrf = auth::random_hex(16);
    st.store.add_session(&auth::sha256_hex(&sid), user.id, &csrf, crate::store::now() + auth::SESSION_SECONDS)?;
    let secure = if st.config.secure_cookies { "; Secure" } else { "" };
    let cookie =
        format!("{SESSION_COOKIE}={sid}; HttpOnly; SameSite=Strict; Path=/; Max-Age={}{secure}", auth::SESSION_SECONDS);
    let mut r = Json(json!({ "csrf": csrf, "user": user })).into_response();
    r.headers_mut().insert(header::SET_COOKIE, HeaderValue::from_str(&cookie).expect("ASCII cookie"));
    Ok(r)
}

async fn logout(State(st): St, a: Auth) -> ApiResult {
    if let Via::Session(hash, _) = &a.via {
        st.store.delete_session(hash)?;
    }
    let cookie = format!("{SESSION_COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0");
    let mut r = StatusCode::NO_CONTENT.into_response();
    r.headers_mut().insert(header::SET_COOKIE, HeaderValue::from_str(&cookie).expect("ASCII cookie"));
    Ok(r)
}

/// The caller; over a session also its CSRF token, so a page reloaded
/// after sign-in can send it again (same-origin reads only: no CORS).
async fn me(a: Auth) -> Json<Value> {
    let mut v = serde_json::to_value(&a.user).unwrap_or_default();
    if let Via::Session(_, csrf) = &a.via {
        v["csrf"] = json!(csrf);
    }
    Json(v)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewUser {
    name: String,
    role: String,
    password: String,
}

async fn add_user(State(st): St, a: Auth, body: Result<Json<NewUser>, JsonRejection>) -> ApiResult {
    if a.user.role != Role::Admin {
        return Err(ApiError::forbidden("only an admin manages users"));
    }
    let Json(n) = body?;
    let role = Role::parse(&n.role).ok_or_else(|| ApiError::bad("role must be admin, analyst or viewer"))?;
    let name = n.name.trim().to_string();
    if name.is_empty() || name.len() > 64 || name.chars().any(|c| c.is_control()) {
        return Err(ApiError::bad("a user name is 1 to 64 printable characters"));
    }
    if n.password.chars().count() < 8 {
        return Err(ApiError::bad("a password has at least 8 characters"));
    }
    let hash = tokio::task::spawn_blocking(move || auth::hash_password(&n.password))
        .await
        .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?;
    match st.store.add_user(&name, role, &hash)? {
        Some(u) => Ok((StatusCode::CREATED, Json(u)).into_response()),
        None => Err(ApiError::new(StatusCode::CONFLICT, format!("a user named {name:?} exists"))),
    }
}

async fn list_users(State(st): St, a: Auth) -> ApiResult<Json<Vec<User>>> {
    if a.user.role != Role::Admin {
        return Err(ApiError::forbidden("only an admin manages users"));
    }
    Ok(Json(st.store.users()?))
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct NewToken {
    #[serde(default)]
    name: String,
}

async fn add_token(State(st): St, a: Auth, body: Result<Json<NewToken>, JsonRejection>) -> ApiResult {
    let Json(n) = body?;
    let name = checked_name(Some(n.name), "token".into(), "token")?;
    let (token, hash) = auth::new_token();
    let info = st.store.add_token(a.user.id, &name, &hash)?;
    Ok((
        StatusCode::CREATED,
        Json(json!({ "id": info.id, "name": info.name, "created": info.created, "token": token })),
    )
        .into_response())
}

/// A numeric id from the path; anything else names nothing (404).
fn path_id(s: &str, what: &str) -> ApiResult<i64> {
    s.parse().map_err(|_| ApiError::not_found(what))
}

async fn delete_token(State(st): St, a: Auth, Path(id): Path<String>) -> ApiResult {
    let id = path_id(&id, "token")?;
    if st.store.delete_token(id, a.user.id, a.user.role == Role::Admin)? {
        Ok(StatusCode::NO_CONTENT.into_response())
    } else {
        Err(ApiError::not_found("token"))
    }
}

// ---- datasets ----

#[derive(Deserialize)]
struct UploadQuery {
    name: Option<String>,
    format: Option<String>,
}

/// Removes a file when dropped, unless disarmed: no partial upload is left
/// behind, whatever path the handler leaves by (including the client going
/// away mid-upload, which drops the handler's future).
struct TempFile(Option<std::path::PathBuf>);

impl Drop for TempFile {
    fn drop(&mut self) {
        if let Some(p) = self.0.take() {
            let _ = std::fs::remove_file(p);
        }
    }
}

fn too_large(max: u64) -> ApiError {
    ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, format!("the upload is larger than the server's limit of {max} bytes"))
}

async fn upload(State(st): St, a: Auth, q: Query<UploadQuery>, headers: HeaderMap, body: Body) -> ApiResult {
    if !auth::can_upload(&a.user) {
        return Err(ApiError::forbidden("a viewer cannot upload datasets"));
    }
    let format = match q.format.as_deref().filter(|f| !f.is_empty()) {
        None => None,
        Some("csv") => return Err(ApiError::bad("format csv needs a column mapping, which uploads cannot give yet")),
        Some(f) => Some(f.parse::<swarmscan_ingest::Format>().map_err(ApiError::bad)?),
    };
    let name = checked_name(q.name.clone(), "upload".into(), "dataset")?;
    let max = st.config.max_upload;
    let declared = headers.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
    if declared.is_some_and(|n| n > max) {
        return Err(too_large(max));
    }

    // Stream to DATA/uploads/<random>.part, hashing as it comes. The name
    // is ours, never the client's, so nothing can land outside DATA.
    let part = st.data.join("uploads").join(format!("{}.part", auth::random_hex(16)));
    let mut guard = TempFile(Some(part.clone()));
    let io = |e: std::io::Error| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, format!("storing the upload: {e}"));
    let mut file = tokio::fs::File::create(&part).await.map_err(io)?;
    let mut hasher = sha2::Sha256::new();
    let mut total = 0u64;
    let mut stream = body.into_data_stream();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| ApiError::bad(format!("reading the upload: {e}")))?;
        total += chunk.len() as u64;
        if total > max {
            return Err(too_large(max));
        }
        hasher.update(&chunk);
        file.write_all(&chunk).await.map_err(io)?;
    }
    file.sync_all().await.map_err(io)?;
    drop(file);
    if total == 0 {
        return Err(ApiError::bad("the upload is empty"));
    }
    let id = auth::hex(&hasher.finalize());

    // The same content is the same dataset.
    if let Some(d) = st.store.dataset(&id)? {
        if !auth::can_read(&st.store, &a.user, &d)? {
            // Whoever holds the bytes may read their accounting.
            st.store.share(&d.id, a.user.id)?;
        }
        return Ok((StatusCode::OK, Json(dataset_json(&st, &a.user, &d)?)).into_response());
    }
    let rel = format!("datasets/{id}");
    let dest = st.data.join(&rel);
    std::fs::rename(&part, &dest).map_err(io)?;
    guard.0 = Some(dest.clone());

    // Account for every record (reading can take long: off the async threads).
    let read = tokio::task::spawn_blocking(move || crate::jobs::read_dataset(&dest, format))
        .await
        .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?;
    let (_, report) = read.map_err(|e| ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, e.to_string()))?;
    let f = report.files.first().ok_or_else(|| ApiError::bad("nothing was read"))?;
    if let Some(e) = &f.error {
        return Err(ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, format!("the upload could not be read: {e}")));
    }
    let d = crate::datasets::Stored { id: id.clone(), path: rel, bytes: total }.dataset(name, a.user.id, f);
    if !st.store.add_dataset(&d)? {
        // Another upload of the same bytes won the race: keep its file.
        guard.0 = None;
        let d = st.store.dataset(&id)?.ok_or_else(|| ApiError::not_found("dataset"))?;
        return Ok((StatusCode::OK, Json(dataset_json(&st, &a.user, &d)?)).into_response());
    }
    guard.0 = None;
    Ok((StatusCode::CREATED, Json(dataset_json(&st, &a.user, &d)?)).into_response())
}

/// A user's name for display (`None` for a user deleted since).
fn user_name(st: &Shared, id: i64) -> ApiResult<Option<String>> {
    Ok(st.store.user(id)?.map(|u| u.name))
}

fn dataset_json(st: &Shared, user: &User, d: &Dataset) -> ApiResult<Value> {
    let mut v = serde_json::to_value(d).unwrap_or_default();
    v["owner_name"] = json!(user_name(st, d.owner)?);
    if user.role == Role::Admin || d.owner == user.id {
        v["shared_with"] = json!(st.store.shares(&d.id)?);
    }
    Ok(v)
}

/// The dataset `id` if `user` may see it; 404 otherwise (also when it
/// exists: its existence is not for them to learn).
fn visible_dataset(st: &Shared, user: &User, id: &str) -> ApiResult<Dataset> {
    match st.store.dataset(id)? {
        Some(d) if auth::can_read(&st.store, user, &d)? => Ok(d),
        _ => Err(ApiError::not_found("dataset")),
    }
}

async fn list_datasets(State(st): St, a: Auth) -> ApiResult<Json<Vec<Value>>> {
    let ds = st.store.visible_datasets(&a.user)?;
    Ok(Json(ds.iter().map(|d| dataset_json(&st, &a.user, d)).collect::<ApiResult<_>>()?))
}

async fn get_dataset(State(st): St, a: Auth, Path(id): Path<String>) -> ApiResult<Json<Value>> {
    let d = visible_dataset(&st, &a.user, &id)?;
    Ok(Json(dataset_json(&st, &a.user, &d)?))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ShareWith {
    user: String,
}

async fn share(
    State(st): St,
    a: Auth,
    Path(id): Path<String>,
    body: Result<Json<ShareWith>, JsonRejection>,
) -> ApiResult<Json<Value>> {
    let d = visible_dataset(&st, &a.user, &id)?;
    if !auth::can_share(&a.user, &d) {
        return Err(ApiError::forbidden("only the dataset's owner (an analyst) or an admin shares it"));
    }
    let Json(s) = body?;
    let (target, _) = st.store.user_by_name(&s.user)?.ok_or_else(|| ApiError::bad(format!("no user {:?}", s.user)))?;
    st.store.share(&d.id, target.id)?;
    Ok(Json(dataset_json(&st, &a.user, &d)?))
}

// ---- jobs ----

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewJob {
    /// The input (none for a `watch`, which reads a stream).
    #[serde(default)]
    dataset: Option<String>,
    #[serde(default)]
    kind: Option<String>,
    #[serde(default)]
    params: Value,
}

/// A job as the API shows it: who queued it by name, an eval job's labels
/// by their size only, the stage while it runs, its result files once done
/// (a watch's also while it runs, with its live counters).
fn job_json(st: &Shared, j: &Job) -> Value {
    let mut v = serde_json::to_value(j).unwrap_or_default();
    v["created_by_name"] = json!(user_name(st, j.created_by).ok().flatten());
    if let Some(labels) = v["params"].get("labels").and_then(Value::as_str) {
        v["params"]["labels"] = json!({ "bytes": labels.len() });
    }
    if let Some(stage) = st.stage(j.id) {
        v["stage"] = json!(stage);
    }
    if j.kind == "watch" {
        if let Some(live) = st.live(j.id) {
            v["live"] = json!(live);
        }
        if matches!(j.state.as_str(), "running" | "done") {
            v["results"] = json!(crate::watch::results(&st.data, j));
        }
    } else if j.state == "done" {
        v["results"] = json!(job_results(j));
    }
    v
}

/// The files job `j` has when done: the only names served for it.
fn job_results(j: &Job) -> Vec<String> {
    Spec::parse(&j.kind, j.params.clone()).map(|s| s.results()).unwrap_or_default()
}

async fn add_job(State(st): St, a: Auth, body: Result<Json<NewJob>, JsonRejection>) -> ApiResult {
    if !auth::can_run(&a.user) {
        return Err(ApiError::forbidden("a viewer cannot run jobs"));
    }
    let Json(n) = body?;
    let d = n.dataset.as_deref().map(|id| visible_dataset(&st, &a.user, id)).transpose()?;
    let spec = Spec::parse(n.kind.as_deref().unwrap_or("scan"), n.params).map_err(ApiError::bad)?;
    match (&spec, &d) {
        (Spec::Watch(w), None) => {
            // Before anything connects: only the sources the admin allowed.
            let allowed = crate::watch::parse_sources(&st.config.watch_sources).map_err(internal)?;
            w.allowed(&allowed).map_err(ApiError::bad)?;
        }
        (Spec::Watch(_), Some(_)) => {
            return Err(ApiError::bad("a watch job reads a live stream, not a dataset: leave `dataset` out"));
        }
        (_, None) => return Err(ApiError::bad(format!("give `dataset`: the dataset a {} job reads", spec.kind()))),
        (Spec::Eval(e), Some(d)) => {
            crate::jobs::scan_results_of(&st, e.job, &d.id).map(|_| ()).map_err(ApiError::bad)?
        }
        (_, Some(_)) => {}
    }
    let params = spec.params().to_string();
    let id = st.store.add_job(spec.kind(), d.as_ref().map(|d| d.id.as_str()), &params, a.user.id)?;
    st.wake.notify_one();
    Ok((StatusCode::ACCEPTED, Json(json!({ "id": id, "kind": spec.kind(), "state": "queued" }))).into_response())
}

/// The job `id` with its dataset if `user` may see that dataset, or, for a
/// job without one (a watch), if they started it or are an admin; 404
/// otherwise.
fn visible_job(st: &Shared, user: &User, id: &str) -> ApiResult<(Job, Option<Dataset>)> {
    let id = path_id(id, "job")?;
    let job = st.store.job(id)?.ok_or_else(|| ApiError::not_found("job"))?;
    match &job.dataset_id {
        Some(ds) => {
            let d = visible_dataset(st, user, ds).map_err(|_| ApiError::not_found("job"))?;
            Ok((job, Some(d)))
        }
        None if user.role == Role::Admin || job.created_by == user.id => Ok((job, None)),
        None => Err(ApiError::not_found("job")),
    }
}

async fn list_jobs(State(st): St, a: Auth) -> ApiResult<Json<Vec<Value>>> {
    Ok(Json(st.store.visible_jobs(&a.user)?.iter().map(|j| job_json(&st, j)).collect()))
}

async fn get_job(State(st): St, a: Auth, Path(id): Path<String>) -> ApiResult<Json<Value>> {
    let (job, _) = visible_job(&st, &a.user, &id)?;
    Ok(Json(job_json(&st, &job)))
}

async fn cancel_job(State(st): St, a: Auth, Path(id): Path<String>) -> ApiResult<Json<Value>> {
    let (job, d) = visible_job(&st, &a.user, &id)?;
    let owner = d.is_some_and(|d| d.owner == a.user.id);
    let allowed =
        a.user.role == Role::Admin || (a.user.role == Role::Analyst && (job.created_by == a.user.id || owner));
    if !allowed {
        return Err(ApiError::forbidden("only the job's creator, the dataset's owner or an admin cancels it"));
    }
    if !st.store.cancel_job(job.id)? {
        return Err(ApiError::new(StatusCode::CONFLICT, format!("the job has already ended ({})", job.state)));
    }
    // A running job stops at its next step.
    st.stop_jobs(Some(job.id));
    let job = st.store.job(job.id)?.ok_or_else(|| ApiError::not_found("job"))?;
    Ok(Json(job_json(&st, &job)))
}

async fn result_file(State(st): St, a: Auth, Path((id, file)): Path<(String, String)>) -> ApiResult {
    let (job, _) = visible_job(&st, &a.user, &id)?;
    // Only a name from the fixed list is ever joined to a path.
    let Some(name) = job_results(&job).into_iter().find(|n| *n == file) else {
        return Err(ApiError::not_found("result file"));
    };
    let done = crate::jobs::results_dir(&st.data, job.id).join(&name);
    let path = match job.state.as_str() {
        "done" => done,
        // A watch's latest results while it runs (and, in the moment it
        // ends, where they are moved to).
        "running" if job.kind == "watch" => {
            let live = crate::watch::live_dir(&st.data, job.id).join(swarmscan_watch::RESULTS_DIR).join(&name);
            if tokio::fs::try_exists(&live).await.unwrap_or(false) { live } else { done }
        }
        state => return Err(ApiError::new(StatusCode::CONFLICT, format!("the job is {state}, not done"))),
    };
    let bytes = tokio::fs::read(&path).await.map_err(|_| ApiError::not_found("result file"))?;
    let kind = match name.rsplit('.').next() {
        Some("csv") => "text/csv; charset=utf-8",
        Some("json") => "application/json",
        Some("jsonl") => "application/x-ndjson",
        Some("html") => "text/html; charset=utf-8",
        _ => "application/xml",
    };
    let mut r = bytes.into_response();
    r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(kind));
    // The report is a whole page; a browser should not run it as part of
    // the API's origin with the user's cookie.
    r.headers_mut().insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static("sandbox allow-scripts"));
    r.headers_mut().insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    Ok(r)
}

// ---- comparing runs ----

#[derive(Deserialize)]
struct CompareQuery {
    a: Option<String>,
    b: Option<String>,
}

/// A done scan job the caller may see, for a comparison.
fn comparable(st: &Shared, user: &User, id: Option<&str>, which: &str) -> ApiResult<Job> {
    let id = id.ok_or_else(|| ApiError::bad(format!("give `{which}`, a scan job's id")))?;
    let (job, _) = visible_job(st, user, id)?;
    if job.kind != "scan" || job.state != "done" {
        return Err(ApiError::bad(format!("job {} is not a finished scan ({} {})", job.id, job.kind, job.state)));
    }
    Ok(job)
}

async fn compare(State(st): St, a: Auth, q: Query<CompareQuery>) -> ApiResult<Json<Value>> {
    let ja = comparable(&st, &a.user, q.a.as_deref(), "a")?;
    let jb = comparable(&st, &a.user, q.b.as_deref(), "b")?;
    let (da, db) = (crate::jobs::results_dir(&st.data, ja.id), crate::jobs::results_dir(&st.data, jb.id));
    let read = tokio::task::spawn_blocking(move || -> Result<_, String> {
        Ok(crate::compare::compare(&crate::compare::read_clusters(&da)?, &crate::compare::read_clusters(&db)?))
    })
    .await
    .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?;
    let c = read.map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, e))?;
    let mut v = serde_json::to_value(c).unwrap_or_default();
    v["a"] = job_json(&st, &ja);
    v["b"] = job_json(&st, &jb);
    Ok(Json(v))
}

// ---- datasets made on the server, and deleting ----

fn internal(e: impl std::fmt::Display) -> ApiError {
    ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string())
}

/// A dataset's or token's name, trimmed (`default` when empty): at most
/// 200 bytes, no control characters.
fn checked_name(name: Option<String>, default: String, what: &str) -> ApiResult<String> {
    let name = name.map(|n| n.trim().to_string()).filter(|n| !n.is_empty()).unwrap_or(default);
    if name.len() > 200 || name.chars().any(|c| c.is_control()) {
        return Err(ApiError::bad(format!("a {what} name is at most 200 printable characters")));
    }
    Ok(name)
}

/// Records a dataset the server wrote (derived or registered); an existing
/// dataset with the same bytes is answered instead, shared with the caller.
fn record_dataset(st: &Shared, user: &User, d: Dataset) -> ApiResult {
    if st.store.add_dataset(&d)? {
        return Ok((StatusCode::CREATED, Json(dataset_json(st, user, &d)?)).into_response());
    }
    let existing = st.store.dataset(&d.id)?.ok_or_else(|| ApiError::not_found("dataset"))?;
    if !auth::can_read(&st.store, user, &existing)? {
        st.store.share(&existing.id, user.id)?;
    }
    Ok((StatusCode::OK, Json(dataset_json(st, user, &existing)?)).into_response())
}

async fn derive(
    State(st): St,
    a: Auth,
    Path(id): Path<String>,
    body: Result<Json<crate::datasets::Filter>, JsonRejection>,
) -> ApiResult {
    let parent = visible_dataset(&st, &a.user, &id)?;
    if !auth::can_upload(&a.user) {
        return Err(ApiError::forbidden("a viewer cannot derive datasets"));
    }
    let Json(filter) = body?;
    filter.check().map_err(ApiError::bad)?;
    let name = checked_name(filter.name.clone(), format!("{} (derived)", parent.name), "dataset")?;
    let (data, input) = (st.data.clone(), st.data.join(&parent.path));
    let format = parent.format.parse().ok().filter(|f| *f != swarmscan_ingest::Format::MappedCsv);
    let made = tokio::task::spawn_blocking(move || crate::datasets::derive(&data, &input, format, &filter))
        .await
        .map_err(internal)?
        .map_err(|e| ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, e))?;
    let Some((stored, kept)) = made else {
        return Err(ApiError::bad("the filter keeps no event"));
    };
    let d = Dataset {
        id: stored.id,
        name,
        owner: a.user.id,
        path: stored.path,
        bytes: stored.bytes,
        format: "parquet".into(),
        records: kept,
        parsed: kept,
        skipped: json!({}),
        created: crate::store::now(),
        parent: Some(parent.id),
    };
    record_dataset(&st, &a.user, d)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Register {
    path: String,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    format: Option<String>,
}

async fn register(State(st): St, a: Auth, body: Result<Json<Register>, JsonRejection>) -> ApiResult {
    if a.user.role != Role::Admin {
        return Err(ApiError::forbidden("only an admin registers server-side files"));
    }
    let Json(r) = body?;
    let format = match r.format.as_deref().filter(|f| !f.is_empty()) {
        None => None,
        Some("csv") => {
            return Err(ApiError::bad("format csv needs a column mapping, which the server cannot take yet"));
        }
        Some(f) => Some(f.parse::<swarmscan_ingest::Format>().map_err(ApiError::bad)?),
    };
    let default_name = std::path::Path::new(&r.path).file_name().map(|n| n.to_string_lossy().into_owned());
    let name = checked_name(r.name, default_name.unwrap_or_else(|| "registered".into()), "dataset")?;
    let (data, roots, path) = (st.data.clone(), st.config.import_dirs.clone(), r.path);
    let stored = tokio::task::spawn_blocking(move || crate::datasets::register(&data, &roots, &path))
        .await
        .map_err(internal)?
        .map_err(|e| match e {
            crate::datasets::RegisterError::Refused => {
                ApiError::forbidden("not a file inside a folder the server was started with (--import-dir)")
            }
            crate::datasets::RegisterError::Io(e) => internal(e),
        })?;
    if let Some(d) = st.store.dataset(&stored.id)? {
        // The same bytes as a dataset already there, whose file the copy
        // replaced byte for byte: that dataset is the answer.
        return record_dataset(&st, &a.user, d);
    }
    let dest = st.data.join(&stored.path);
    let read = tokio::task::spawn_blocking(move || crate::jobs::read_dataset(&dest, format)).await.map_err(internal)?;
    let unreadable = |e: String| {
        let _ = std::fs::remove_file(st.data.join(&stored.path));
        ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, format!("the file could not be read: {e}"))
    };
    let (_, report) = read.map_err(|e| unreadable(e.to_string()))?;
    let Some(f) = report.files.first() else { return Err(unreadable("nothing was read".into())) };
    if let Some(e) = &f.error {
        return Err(unreadable(e.to_string()));
    }
    let d = stored.dataset(name, a.user.id, f);
    record_dataset(&st, &a.user, d)
}

async fn delete_dataset(State(st): St, a: Auth, Path(id): Path<String>) -> ApiResult {
    let d = visible_dataset(&st, &a.user, &id)?;
    if !auth::can_share(&a.user, &d) {
        return Err(ApiError::forbidden("only the dataset's owner (an analyst) or an admin deletes it"));
    }
    let jobs = match st.store.delete_dataset(&d.id)? {
        Ok(jobs) => jobs,
        Err(crate::store::Refusal::JobsActive(n)) => {
            return Err(ApiError::new(StatusCode::CONFLICT, format!("{n} job(s) on it are queued or running")));
        }
        Err(crate::store::Refusal::Derived(n)) => {
            return Err(ApiError::new(StatusCode::CONFLICT, format!("{n} dataset(s) were derived from it")));
        }
    };
    for j in jobs {
        let _ = std::fs::remove_dir_all(crate::jobs::results_dir(&st.data, j));
    }
    if !st.store.path_in_use(&d.path)? {
        let _ = std::fs::remove_file(st.data.join(&d.path));
    }
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn delete_user(State(st): St, a: Auth, Path(id): Path<String>) -> ApiResult {
    if a.user.role != Role::Admin {
        return Err(ApiError::forbidden("only an admin manages users"));
    }
    let id = path_id(&id, "user")?;
    if id == a.user.id {
        return Err(ApiError::bad("an admin cannot delete themselves"));
    }
    if st.store.delete_user(id, a.user.id)? {
        Ok(StatusCode::NO_CONTENT.into_response())
    } else {
        Err(ApiError::not_found("user"))
    }
}
