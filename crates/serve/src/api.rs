//! The JSON API under `/api/`: routes, the authentication extractor, the
//! per-client rate limit and body limits. Every handler but `login` and
//! `openapi.json` starts by authenticating ([`Auth`]) and then checks the
//! role and the dataset's visibility (crate::auth). A dataset or job the
//! user may not see is answered 404, as if it did not exist.

use crate::auth::{self, CSRF_HEADER, SESSION_COOKIE, Via};
use crate::jobs::JobParams;
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
        Ok(Auth { user, via: Via::Session(hash) })
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
        .route("/api/tokens", post(add_token))
        .route("/api/tokens/{id}", delete(delete_token))
        // Uploads stream to disk under their own limit (--max-upload).
        .route("/api/datasets", post(upload).layer(DefaultBodyLimit::disable()).get(list_datasets))
        .route("/api/datasets/{id}", get(get_dataset))
        .route("/api/datasets/{id}/shares", post(share))
        .route("/api/jobs", post(add_job).get(list_jobs))
        .route("/api/jobs/{id}", get(get_job))
        .route("/api/jobs/{id}/cancel", post(cancel_job))
        .route("/api/jobs/{id}/results/{file}", get(result_file))
        .fallback(|| async { ApiError::not_found("endpoint") })
        .layer(json_limit)
        .layer(axum::middleware::from_fn_with_state(shared.clone(), rate_limit))
        .with_state(shared)
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
    if let Via::Session(hash) = &a.via {
        st.store.delete_session(hash)?;
    }
    let cookie = format!("{SESSION_COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0");
    let mut r = StatusCode::NO_CONTENT.into_response();
    r.headers_mut().insert(header::SET_COOKIE, HeaderValue::from_str(&cookie).expect("ASCII cookie"));
    Ok(r)
}

async fn me(a: Auth) -> Json<User> {
    Json(a.user)
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
    let (token, hash) = auth::new_token();
    let info = st.store.add_token(a.user.id, &n.name, &hash)?;
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
    let name = q.name.clone().unwrap_or_else(|| "upload".into());
    if name.len() > 200 || name.chars().any(|c| c.is_control()) {
        return Err(ApiError::bad("a dataset name is at most 200 printable characters"));
    }
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
    let d = Dataset {
        id: id.clone(),
        name,
        owner: a.user.id,
        path: rel,
        bytes: total,
        format: f.format.clone(),
        records: f.records,
        parsed: f.parsed,
        skipped: serde_json::to_value(&f.skipped).unwrap_or_default(),
        created: crate::store::now(),
        parent: None,
    };
    if !st.store.add_dataset(&d)? {
        // Another upload of the same bytes won the race: keep its file.
        guard.0 = None;
        let d = st.store.dataset(&id)?.ok_or_else(|| ApiError::not_found("dataset"))?;
        return Ok((StatusCode::OK, Json(dataset_json(&st, &a.user, &d)?)).into_response());
    }
    guard.0 = None;
    Ok((StatusCode::CREATED, Json(dataset_json(&st, &a.user, &d)?)).into_response())
}

fn dataset_json(st: &Shared, user: &User, d: &Dataset) -> ApiResult<Value> {
    let mut v = serde_json::to_value(d).unwrap_or_default();
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
    dataset: String,
    #[serde(default)]
    params: JobParams,
}

fn job_json(st: &Shared, j: &Job) -> Value {
    let mut v = serde_json::to_value(j).unwrap_or_default();
    if let Some(stage) = st.stage(j.id) {
        v["stage"] = json!(stage);
    }
    if j.state == "done" {
        let files: Vec<&str> = result_names().collect();
        v["results"] = json!(files);
    }
    v
}

async fn add_job(State(st): St, a: Auth, body: Result<Json<NewJob>, JsonRejection>) -> ApiResult {
    if !auth::can_run(&a.user) {
        return Err(ApiError::forbidden("a viewer cannot run jobs"));
    }
    let Json(n) = body?;
    let d = visible_dataset(&st, &a.user, &n.dataset)?;
    n.params.scan_params().map_err(ApiError::bad)?;
    let params = serde_json::to_string(&n.params).unwrap_or_else(|_| "{}".into());
    let id = st.store.add_job(&d.id, &params, a.user.id)?;
    st.wake.notify_one();
    Ok((StatusCode::ACCEPTED, Json(json!({ "id": id, "state": "queued" }))).into_response())
}

/// The job `id` if `user` may see its dataset; 404 otherwise.
fn visible_job(st: &Shared, user: &User, id: &str) -> ApiResult<(Job, Dataset)> {
    let id = path_id(id, "job")?;
    let job = st.store.job(id)?.ok_or_else(|| ApiError::not_found("job"))?;
    let d = visible_dataset(st, user, &job.dataset_id).map_err(|_| ApiError::not_found("job"))?;
    Ok((job, d))
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
    let allowed = a.user.role == Role::Admin
        || (a.user.role == Role::Analyst && (job.created_by == a.user.id || d.owner == a.user.id));
    if !allowed {
        return Err(ApiError::forbidden("only the job's creator, the dataset's owner or an admin cancels it"));
    }
    if !st.store.cancel_job(job.id)? {
        return Err(ApiError::new(StatusCode::CONFLICT, format!("the job has already ended ({})", job.state)));
    }
    let job = st.store.job(job.id)?.ok_or_else(|| ApiError::not_found("job"))?;
    Ok(Json(job_json(&st, &job)))
}

/// The files a finished job has: the output contract and summary.json.
fn result_names() -> impl Iterator<Item = &'static str> {
    swarmscan_report::OUTPUTS.iter().map(|(n, _)| *n).chain(["summary.json"])
}

async fn result_file(State(st): St, a: Auth, Path((id, file)): Path<(String, String)>) -> ApiResult {
    let (job, _) = visible_job(&st, &a.user, &id)?;
    // Only a name from the fixed list is ever joined to a path.
    let Some(name) = result_names().find(|n| *n == file) else {
        return Err(ApiError::not_found("result file"));
    };
    if job.state != "done" {
        return Err(ApiError::new(StatusCode::CONFLICT, format!("the job is {}, not done", job.state)));
    }
    let path = crate::jobs::results_dir(&st.data, job.id).join(name);
    let bytes = tokio::fs::read(&path).await.map_err(|_| ApiError::not_found("result file"))?;
    let kind = match name.rsplit('.').next() {
        Some("csv") => "text/csv; charset=utf-8",
        Some("json") => "application/json",
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
