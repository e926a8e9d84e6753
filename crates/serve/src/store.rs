//! The embedded store: one SQLite file (`DATA/swarmscan.db`, WAL) for every
//! piece of metadata — users, sessions, API tokens, datasets, shares and the
//! job queue. Bulk data never goes in it: datasets and results are files
//! under the data folder, named by content hash and job id.
//!
//! The job queue is the `jobs` table. A worker claims the oldest queued job
//! with one `UPDATE … RETURNING` statement, so two workers can never take the
//! same job. Opening the store fails every job still marked `running`: the
//! process that ran it is gone, and a scan is never resumed half-way.
//!
//! Secrets never reach the file in plaintext: passwords are argon2 hashes,
//! session ids and API tokens are SHA-256 hashes (crate::auth).

use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use std::path::Path;
use std::sync::{Mutex, MutexGuard};

/// The schema this code reads and writes (`schema_version` table).
pub const SCHEMA_VERSION: i64 = 2;

/// Why a running job was failed when the store was opened.
pub const STOPPED_WHILE_RUNNING: &str = "the server stopped while it ran";

/// From version 1 (scan jobs only) to 2: the jobs table allows the other
/// kinds, a job without an input dataset (`watch`) and the datasets a job
/// made. SQLite cannot change a CHECK in place, so the table is copied.
const MIGRATE_1_TO_2: &str = "
CREATE TABLE jobs_v2 (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('scan', 'network', 'domains', 'eval', 'watch')),
    dataset_id TEXT REFERENCES datasets(id) ON DELETE CASCADE,
    params_json TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('queued', 'running', 'done', 'failed', 'cancelled')),
    error TEXT,
    created_by INTEGER NOT NULL REFERENCES users(id),
    created INTEGER NOT NULL,
    claimed_at INTEGER,
    finished_at INTEGER,
    attempts INTEGER NOT NULL DEFAULT 0,
    datasets_json TEXT
);
INSERT INTO jobs_v2 (id, kind, dataset_id, params_json, state, error, created_by, created, claimed_at,
                     finished_at, attempts)
    SELECT id, kind, dataset_id, params_json, state, error, created_by, created, claimed_at, finished_at, attempts
    FROM jobs;
DROP TABLE jobs;
ALTER TABLE jobs_v2 RENAME TO jobs;
CREATE INDEX jobs_state ON jobs(state, id);
UPDATE schema_version SET version = 2;
";

const SCHEMA: &str = "
CREATE TABLE schema_version (version INTEGER NOT NULL);
CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    role TEXT NOT NULL CHECK (role IN ('admin', 'analyst', 'viewer')),
    password_hash TEXT NOT NULL
);
CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    csrf TEXT NOT NULL,
    expires INTEGER NOT NULL
);
CREATE TABLE tokens (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    hash TEXT NOT NULL UNIQUE,
    created INTEGER NOT NULL
);
CREATE TABLE datasets (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    owner INTEGER NOT NULL REFERENCES users(id),
    path TEXT NOT NULL,
    bytes INTEGER NOT NULL,
    format TEXT NOT NULL,
    records INTEGER NOT NULL,
    parsed INTEGER NOT NULL,
    skipped_json TEXT NOT NULL,
    created INTEGER NOT NULL,
    parent TEXT REFERENCES datasets(id)
);
CREATE TABLE shares (
    dataset_id TEXT NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    PRIMARY KEY (dataset_id, user_id)
);
-- dataset_id: the input (NULL for a watch, which reads a stream);
-- datasets_json: the ids of the datasets the job made (a watch's events).
CREATE TABLE jobs (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('scan', 'network', 'domains', 'eval', 'watch')),
    dataset_id TEXT REFERENCES datasets(id) ON DELETE CASCADE,
    params_json TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('queued', 'running', 'done', 'failed', 'cancelled')),
    error TEXT,
    created_by INTEGER NOT NULL REFERENCES users(id),
    created INTEGER NOT NULL,
    claimed_at INTEGER,
    finished_at INTEGER,
    attempts INTEGER NOT NULL DEFAULT 0,
    datasets_json TEXT
);
CREATE INDEX jobs_state ON jobs(state, id);
";

/// A store error: SQLite's, or a file SQLite could not open.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("the store: {0}")]
    Sql(#[from] rusqlite::Error),
    #[error("the store {path} has schema version {found}, this build reads {SCHEMA_VERSION}")]
    Version { path: String, found: i64 },
}

pub type Result<T> = std::result::Result<T, StoreError>;

/// A user's role: what they may do (crate::auth has the rules).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Admin,
    Analyst,
    Viewer,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Analyst => "analyst",
            Role::Viewer => "viewer",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "admin" => Some(Role::Admin),
            "analyst" => Some(Role::Analyst),
            "viewer" => Some(Role::Viewer),
            _ => None,
        }
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct User {
    pub id: i64,
    pub name: String,
    pub role: Role,
}

#[derive(Clone, Debug, Serialize)]
pub struct Dataset {
    /// SHA-256 of the file's bytes as uploaded, lower-case hex.
    pub id: String,
    pub name: String,
    pub owner: i64,
    /// Relative to the data folder.
    #[serde(skip)]
    pub path: String,
    pub bytes: u64,
    pub format: String,
    pub records: u64,
    pub parsed: u64,
    /// Skipped records by reason.
    pub skipped: serde_json::Value,
    pub created: i64,
    pub parent: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Job {
    pub id: i64,
    pub kind: String,
    /// The input; `None` for a job that reads none (`watch`).
    pub dataset_id: Option<String>,
    pub params: serde_json::Value,
    pub state: String,
    pub error: Option<String>,
    pub created_by: i64,
    pub created: i64,
    pub claimed_at: Option<i64>,
    pub finished_at: Option<i64>,
    pub attempts: i64,
    /// The datasets the job made (a watch's events, once it has ended).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub datasets: Option<Vec<String>>,
}

#[derive(Clone, Debug, Serialize)]
pub struct TokenInfo {
    pub id: i64,
    pub name: String,
    pub created: i64,
}

/// Why a dataset cannot be deleted yet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// Jobs on it are queued or running.
    JobsActive(i64),
    /// Datasets derived from it exist.
    Derived(i64),
}

/// The store: one connection behind a mutex. Every statement is short; the
/// slow work (hashing passwords, reading and scanning data) runs outside it.
pub struct Store {
    conn: Mutex<Connection>,
}

/// Seconds since the epoch (the server's clock; the scan itself reads none).
pub fn now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64)
}

const JOB_COLUMNS: &str = "id, kind, dataset_id, params_json, state, error, created_by, created, claimed_at, \
     finished_at, attempts, datasets_json";
const DATASET_COLUMNS: &str = "id, name, owner, path, bytes, format, records, parsed, skipped_json, created, parent";

fn job_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Job> {
    let params: String = r.get(3)?;
    Ok(Job {
        id: r.get(0)?,
        kind: r.get(1)?,
        dataset_id: r.get(2)?,
        params: serde_json::from_str(&params).unwrap_or(serde_json::Value::Null),
        state: r.get(4)?,
        error: r.get(5)?,
        created_by: r.get(6)?,
        created: r.get(7)?,
        claimed_at: r.get(8)?,
        finished_at: r.get(9)?,
        attempts: r.get(10)?,
        datasets: r.get::<_, Option<String>>(11)?.and_then(|d| serde_json::from_str(&d).ok()),
    })
}

fn dataset_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Dataset> {
    let skipped: String = r.get(8)?;
    Ok(Dataset {
        id: r.get(0)?,
        name: r.get(1)?,
        owner: r.get(2)?,
        path: r.get(3)?,
        bytes: r.get::<_, i64>(4)? as u64,
        format: r.get(5)?,
        records: r.get::<_, i64>(6)? as u64,
        parsed: r.get::<_, i64>(7)? as u64,
        skipped: serde_json::from_str(&skipped).unwrap_or(serde_json::Value::Null),
        created: r.get(9)?,
        parent: r.get(10)?,
    })
}

fn user_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<User> {
    let role: String = r.get(2)?;
    Ok(User { id: r.get(0)?, name: r.get(1)?, role: Role::parse(&role).unwrap_or(Role::Viewer) })
}

impl Store {
    /// Opens (or creates) the store at `path`, and fails the jobs that were
    /// running when the last server stopped. Returns how many it failed.
    pub fn open(path: &Path) -> Result<(Store, usize)> {
        let conn = Connection::open(path)?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        let has_version: bool = conn.query_row(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'",
            [],
            |r| r.get::<_, i64>(0).map(|n| n > 0),
        )?;
        if has_version {
            let mut found: i64 = conn.query_row("SELECT version FROM schema_version", [], |r| r.get(0))?;
            if found == 1 {
                conn.execute_batch(&format!("BEGIN; {MIGRATE_1_TO_2} COMMIT;"))?;
                found = 2;
            }
            if found != SCHEMA_VERSION {
                return Err(StoreError::Version { path: path.display().to_string(), found });
            }
        } else {
            conn.execute_batch(&format!(
                "BEGIN; {SCHEMA} INSERT INTO schema_version VALUES ({SCHEMA_VERSION}); COMMIT;"
            ))?;
        }
        let failed = conn.execute(
            "UPDATE jobs SET state = 'failed', error = ?1, finished_at = ?2 WHERE state = 'running'",
            params![STOPPED_WHILE_RUNNING, now()],
        )?;
        Ok((Store { conn: Mutex::new(conn) }, failed))
    }

    fn db(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock leaves SQLite consistent (each
        // statement is atomic), so a poisoned lock is still usable.
        self.conn.lock().unwrap_or_else(|e| e.into_inner())
    }

    // ---- users ----

    pub fn user_count(&self) -> Result<i64> {
        Ok(self.db().query_row("SELECT count(*) FROM users", [], |r| r.get(0))?)
    }

    /// Adds a user; `None` when the name is taken.
    pub fn add_user(&self, name: &str, role: Role, password_hash: &str) -> Result<Option<User>> {
        let db = self.db();
        let n = db.execute(
            "INSERT INTO users (name, role, password_hash) VALUES (?1, ?2, ?3) ON CONFLICT(name) DO NOTHING",
            params![name, role.as_str(), password_hash],
        )?;
        Ok((n == 1).then(|| User { id: db.last_insert_rowid(), name: name.to_string(), role }))
    }

    pub fn users(&self) -> Result<Vec<User>> {
        let db = self.db();
        let mut st = db.prepare("SELECT id, name, role FROM users ORDER BY id")?;
        let rows = st.query_map([], user_row)?.collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    pub fn user_by_name(&self, name: &str) -> Result<Option<(User, String)>> {
        Ok(self
            .db()
            .query_row("SELECT id, name, role, password_hash FROM users WHERE name = ?1", [name], |r| {
                Ok((user_row(r)?, r.get(3)?))
            })
            .optional()?)
    }

    // ---- sessions and tokens ----

    pub fn add_session(&self, id_hash: &str, user_id: i64, csrf: &str, expires: i64) -> Result<()> {
        let db = self.db();
        db.execute("DELETE FROM sessions WHERE expires <= ?1", [now()])?;
        db.execute(
            "INSERT INTO sessions (id, user_id, csrf, expires) VALUES (?1, ?2, ?3, ?4)",
            params![id_hash, user_id, csrf, expires],
        )?;
        Ok(())
    }

    /// The live session's user and CSRF token.
    pub fn session(&self, id_hash: &str) -> Result<Option<(User, String)>> {
        Ok(self
            .db()
            .query_row(
                "SELECT u.id, u.name, u.role, s.csrf FROM sessions s JOIN users u ON u.id = s.user_id
                 WHERE s.id = ?1 AND s.expires > ?2",
                params![id_hash, now()],
                |r| Ok((user_row(r)?, r.get(3)?)),
            )
            .optional()?)
    }

    pub fn delete_session(&self, id_hash: &str) -> Result<()> {
        self.db().execute("DELETE FROM sessions WHERE id = ?1", [id_hash])?;
        Ok(())
    }

    pub fn add_token(&self, user_id: i64, name: &str, hash: &str) -> Result<TokenInfo> {
        let db = self.db();
        let created = now();
        db.execute(
            "INSERT INTO tokens (user_id, name, hash, created) VALUES (?1, ?2, ?3, ?4)",
            params![user_id, name, hash, created],
        )?;
        Ok(TokenInfo { id: db.last_insert_rowid(), name: name.to_string(), created })
    }

    pub fn token_user(&self, hash: &str) -> Result<Option<User>> {
        Ok(self
            .db()
            .query_row(
                "SELECT u.id, u.name, u.role FROM tokens t JOIN users u ON u.id = t.user_id WHERE t.hash = ?1",
                [hash],
                user_row,
            )
            .optional()?)
    }

    /// Deletes a token of `user_id` (any user's when `any`); false when none.
    pub fn delete_token(&self, id: i64, user_id: i64, any: bool) -> Result<bool> {
        let n = self
            .db()
            .execute("DELETE FROM tokens WHERE id = ?1 AND (user_id = ?2 OR ?3)", params![id, user_id, any])?;
        Ok(n == 1)
    }

    // ---- datasets ----

    /// Records a dataset; `false` when one with its id exists already.
    pub fn add_dataset(&self, d: &Dataset) -> Result<bool> {
        let n = self.db().execute(
            &format!(
                "INSERT INTO datasets ({DATASET_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
                 ON CONFLICT(id) DO NOTHING"
            ),
            params![
                d.id,
                d.name,
                d.owner,
                d.path,
                d.bytes as i64,
                d.format,
                d.records as i64,
                d.parsed as i64,
                d.skipped.to_string(),
                d.created,
                d.parent
            ],
        )?;
        Ok(n == 1)
    }

    pub fn dataset(&self, id: &str) -> Result<Option<Dataset>> {
        Ok(self
            .db()
            .query_row(&format!("SELECT {DATASET_COLUMNS} FROM datasets WHERE id = ?1"), [id], dataset_row)
            .optional()?)
    }

    /// Every dataset `user` may see (all of them for an admin), oldest first.
    pub fn visible_datasets(&self, user: &User) -> Result<Vec<Dataset>> {
        let db = self.db();
        let mut st = db.prepare(&format!(
            "SELECT {DATASET_COLUMNS} FROM datasets d WHERE ?1 OR d.owner = ?2
             OR EXISTS (SELECT 1 FROM shares s WHERE s.dataset_id = d.id AND s.user_id = ?2)
             ORDER BY created, id"
        ))?;
        let rows = st
            .query_map(params![user.role == Role::Admin, user.id], dataset_row)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    pub fn is_shared_with(&self, dataset_id: &str, user_id: i64) -> Result<bool> {
        Ok(self.db().query_row(
            "SELECT count(*) FROM shares WHERE dataset_id = ?1 AND user_id = ?2",
            params![dataset_id, user_id],
            |r| r.get::<_, i64>(0).map(|n| n > 0),
        )?)
    }

    pub fn share(&self, dataset_id: &str, user_id: i64) -> Result<()> {
        self.db().execute(
            "INSERT INTO shares (dataset_id, user_id) VALUES (?1, ?2) ON CONFLICT DO NOTHING",
            params![dataset_id, user_id],
        )?;
        Ok(())
    }

    pub fn shares(&self, dataset_id: &str) -> Result<Vec<String>> {
        let db = self.db();
        let mut st = db.prepare(
            "SELECT u.name FROM shares s JOIN users u ON u.id = s.user_id WHERE s.dataset_id = ?1 ORDER BY u.name",
        )?;
        let rows = st.query_map([dataset_id], |r| r.get(0))?.collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    // ---- jobs ----

    /// Queues a job on dataset `dataset_id` (`None`: a job that reads none).
    pub fn add_job(&self, kind: &str, dataset_id: Option<&str>, params_json: &str, created_by: i64) -> Result<i64> {
        let db = self.db();
        db.execute(
            "INSERT INTO jobs (kind, dataset_id, params_json, state, created_by, created)
             VALUES (?1, ?2, ?3, 'queued', ?4, ?5)",
            params![kind, dataset_id, params_json, created_by, now()],
        )?;
        Ok(db.last_insert_rowid())
    }

    pub fn job(&self, id: i64) -> Result<Option<Job>> {
        Ok(self.db().query_row(&format!("SELECT {JOB_COLUMNS} FROM jobs WHERE id = ?1"), [id], job_row).optional()?)
    }

    /// Every job `user` may see, oldest first: those on a dataset they may
    /// see, and those without a dataset that they started (all for an
    /// admin).
    pub fn visible_jobs(&self, user: &User) -> Result<Vec<Job>> {
        let db = self.db();
        let mut st = db.prepare(&format!(
            "SELECT {JOB_COLUMNS} FROM jobs j WHERE ?1
             OR (j.dataset_id IS NULL AND j.created_by = ?2)
             OR EXISTS (SELECT 1 FROM datasets d WHERE d.id = j.dataset_id AND d.owner = ?2)
             OR EXISTS (SELECT 1 FROM shares s WHERE s.dataset_id = j.dataset_id AND s.user_id = ?2)
             ORDER BY id"
        ))?;
        let rows =
            st.query_map(params![user.role == Role::Admin, user.id], job_row)?.collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// Claims the oldest queued job: in one statement, so no two workers
    /// (or processes) can claim the same job.
    pub fn claim_next(&self) -> Result<Option<Job>> {
        Ok(self
            .db()
            .query_row(
                &format!(
                    "UPDATE jobs SET state = 'running', claimed_at = ?1, attempts = attempts + 1
                     WHERE id = (SELECT id FROM jobs WHERE state = 'queued' ORDER BY id LIMIT 1)
                     RETURNING {JOB_COLUMNS}"
                ),
                [now()],
                job_row,
            )
            .optional()?)
    }

    /// Moves a running job to `done` or `failed`; false when it is no longer
    /// running (cancelled meanwhile).
    pub fn finish_job(&self, id: i64, error: Option<&str>) -> Result<bool> {
        let state = if error.is_some() { "failed" } else { "done" };
        let n = self.db().execute(
            "UPDATE jobs SET state = ?2, error = ?3, finished_at = ?4 WHERE id = ?1 AND state = 'running'",
            params![id, state, error, now()],
        )?;
        Ok(n == 1)
    }

    /// Records the datasets job `id` made, whatever its state.
    pub fn set_job_datasets(&self, id: i64, datasets: &[String]) -> Result<()> {
        let json = serde_json::to_string(datasets).unwrap_or_else(|_| "[]".into());
        self.db().execute("UPDATE jobs SET datasets_json = ?2 WHERE id = ?1", params![id, json])?;
        Ok(())
    }

    /// Deletes dataset `id` with its jobs and shares, in one transaction.
    /// Refused while a job on it is queued or running, or while a derived
    /// dataset points to it. On success, the ids of the jobs removed (their
    /// result folders are the caller's to remove).
    pub fn delete_dataset(&self, id: &str) -> Result<std::result::Result<Vec<i64>, Refusal>> {
        let mut db = self.db();
        let tx = db.transaction()?;
        let active: i64 = tx.query_row(
            "SELECT count(*) FROM jobs WHERE dataset_id = ?1 AND state IN ('queued', 'running')",
            [id],
            |r| r.get(0),
        )?;
        if active > 0 {
            return Ok(Err(Refusal::JobsActive(active)));
        }
        let children: i64 = tx.query_row("SELECT count(*) FROM datasets WHERE parent = ?1", [id], |r| r.get(0))?;
        if children > 0 {
            return Ok(Err(Refusal::Derived(children)));
        }
        let jobs = {
            let mut st = tx.prepare("SELECT id FROM jobs WHERE dataset_id = ?1 ORDER BY id")?;
            st.query_map([id], |r| r.get(0))?.collect::<rusqlite::Result<Vec<i64>>>()?
        };
        tx.execute("DELETE FROM jobs WHERE dataset_id = ?1", [id])?;
        tx.execute("DELETE FROM shares WHERE dataset_id = ?1", [id])?;
        tx.execute("DELETE FROM datasets WHERE id = ?1", [id])?;
        tx.commit()?;
        Ok(Ok(jobs))
    }

    /// Whether another dataset row still names `path` (two datasets never
    /// share a file today; this keeps a delete safe if they ever do).
    pub fn path_in_use(&self, path: &str) -> Result<bool> {
        Ok(self.db().query_row("SELECT count(*) FROM datasets WHERE path = ?1", [path], |r| {
            r.get::<_, i64>(0).map(|n| n > 0)
        })?)
    }

    /// Deletes user `id`: their sessions, tokens and shares end, and what
    /// they owned or started passes to `heir` (the admin deleting them), so
    /// no dataset or job is left without an owner. False when no such user.
    pub fn delete_user(&self, id: i64, heir: i64) -> Result<bool> {
        let mut db = self.db();
        let tx = db.transaction()?;
        tx.execute("UPDATE datasets SET owner = ?2 WHERE owner = ?1", params![id, heir])?;
        tx.execute("UPDATE jobs SET created_by = ?2 WHERE created_by = ?1", params![id, heir])?;
        // Sessions, tokens and shares go with the user (ON DELETE CASCADE).
        let n = tx.execute("DELETE FROM users WHERE id = ?1", [id])?;
        tx.commit()?;
        Ok(n == 1)
    }

    pub fn user(&self, id: i64) -> Result<Option<User>> {
        Ok(self.db().query_row("SELECT id, name, role FROM users WHERE id = ?1", [id], user_row).optional()?)
    }

    /// Cancels a queued or running job; false when it had already ended.
    pub fn cancel_job(&self, id: i64) -> Result<bool> {
        let n = self.db().execute(
            "UPDATE jobs SET state = 'cancelled', finished_at = ?2 WHERE id = ?1 AND state IN ('queued', 'running')",
            params![id, now()],
        )?;
        Ok(n == 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Version 1's jobs table, as released.
    const JOBS_V1: &str = "
CREATE TABLE jobs (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('scan')),
    dataset_id TEXT NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
    params_json TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('queued', 'running', 'done', 'failed', 'cancelled')),
    error TEXT,
    created_by INTEGER NOT NULL REFERENCES users(id),
    created INTEGER NOT NULL,
    claimed_at INTEGER,
    finished_at INTEGER,
    attempts INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX jobs_state ON jobs(state, id);
";

    /// A store written by version 1 (scan jobs only) opens as version 2
    /// with its rows, and then takes the other kinds and jobs without a
    /// dataset.
    #[test]
    fn a_version_1_store_is_migrated() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("swarmscan.db");
        {
            let jobs = SCHEMA.find("-- dataset_id: the input").unwrap();
            let v1 = format!("{}{JOBS_V1}", &SCHEMA[..jobs]);
            let conn = Connection::open(&path).unwrap();
            conn.execute_batch(&format!("BEGIN; {v1} INSERT INTO schema_version VALUES (1); COMMIT;")).unwrap();
            conn.execute_batch(
                "INSERT INTO users (name, role, password_hash) VALUES ('a', 'analyst', 'x');
                 INSERT INTO datasets VALUES ('d', 'n', 1, 'datasets/d', 1, 'cnt', 1, 1, '{}', 0, NULL);
                 INSERT INTO jobs (kind, dataset_id, params_json, state, created_by, created)
                     VALUES ('scan', 'd', '{}', 'done', 1, 0);",
            )
            .unwrap();
            assert!(conn.execute("UPDATE jobs SET kind = 'network'", []).is_err(), "version 1 refuses other kinds");
        }
        let (store, failed) = Store::open(&path).unwrap();
        assert_eq!(failed, 0);
        let version: i64 = store.db().query_row("SELECT version FROM schema_version", [], |r| r.get(0)).unwrap();
        assert_eq!(version, SCHEMA_VERSION);
        let old = store.job(1).unwrap().unwrap();
        assert_eq!((old.state.as_str(), old.dataset_id.as_deref(), old.datasets), ("done", Some("d"), None));
        let id = store.add_job("network", Some("d"), "{\"networks\":[\"co_link\"]}", 1).unwrap();
        assert_eq!(store.job(id).unwrap().unwrap().kind, "network");
        let watch = store.add_job("watch", None, "{}", 1).unwrap();
        store.set_job_datasets(watch, &["e".to_string()]).unwrap();
        let w = store.job(watch).unwrap().unwrap();
        assert_eq!((w.dataset_id, w.datasets), (None, Some(vec!["e".to_string()])));
        drop(store);
        // Opening again changes nothing.
        let (store, _) = Store::open(&path).unwrap();
        assert_eq!(store.job(id).unwrap().unwrap().kind, "network");
        assert_eq!(store.job(watch).unwrap().unwrap().kind, "watch");
    }

    /// A job without a dataset is seen by its creator and the admins only.
    #[test]
    fn a_job_without_a_dataset_is_its_creators() {
        let dir = tempfile::tempdir().unwrap();
        let (store, _) = Store::open(&dir.path().join("swarmscan.db")).unwrap();
        let a = store.add_user("a", Role::Analyst, "x").unwrap().unwrap();
        let b = store.add_user("b", Role::Analyst, "x").unwrap().unwrap();
        let admin = store.add_user("r", Role::Admin, "x").unwrap().unwrap();
        let id = store.add_job("watch", None, "{}", a.id).unwrap();
        let ids = |u: &User| store.visible_jobs(u).unwrap().iter().map(|j| j.id).collect::<Vec<_>>();
        assert_eq!((ids(&a), ids(&b), ids(&admin)), (vec![id], vec![], vec![id]));
    }
}
