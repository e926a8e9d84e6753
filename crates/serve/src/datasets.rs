//! Datasets made on the server rather than uploaded: derived from another
//! dataset by a filter ([`derive`]), registered from a server-side path
//! ([`register`]), or a watch job's archive of one source
//! ([`concatenate`]). All end as uploads do — a file under
//! `DATA/datasets/<sha256>` that is never rewritten — and all are written
//! under `DATA/uploads/` first and renamed when whole.

use crate::auth;
use sha2::Digest;
use std::collections::HashSet;
use std::io::Read;
use std::path::{Path, PathBuf};

/// A filter over a parent dataset's events; every part given must hold.
#[derive(Clone, Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Filter {
    #[serde(default)]
    pub name: Option<String>,
    /// Keep events at or after this instant (RFC 3339).
    #[serde(default)]
    pub from: Option<String>,
    /// Keep events before this instant (RFC 3339).
    #[serde(default)]
    pub to: Option<String>,
    /// Keep events of these accounts (ids or handles).
    #[serde(default)]
    pub accounts: Option<Vec<String>>,
    /// Keep events in these languages (as the data gives them, e.g. `en`).
    #[serde(default)]
    pub languages: Option<Vec<String>>,
}

/// The filter's parts resolved: milliseconds and sets.
struct Resolved {
    from: Option<i64>,
    to: Option<i64>,
    accounts: Option<HashSet<String>>,
    languages: Option<HashSet<String>>,
}

fn instant(s: &str, what: &str) -> Result<i64, String> {
    let t: jiff::Timestamp = s
        .trim()
        .parse()
        .map_err(|e| format!("{what}: {s:?} is not an RFC 3339 instant like 2024-08-01T00:00:00Z ({e})"))?;
    Ok(t.as_millisecond())
}

impl Filter {
    fn resolve(&self) -> Result<Resolved, String> {
        let set = |v: &Option<Vec<String>>| {
            v.as_ref().map(|v| v.iter().map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect::<HashSet<_>>())
        };
        let r = Resolved {
            from: self.from.as_deref().map(|s| instant(s, "from")).transpose()?,
            to: self.to.as_deref().map(|s| instant(s, "to")).transpose()?,
            accounts: set(&self.accounts),
            languages: set(&self.languages),
        };
        if r.from.is_none() && r.to.is_none() && r.accounts.is_none() && r.languages.is_none() {
            return Err("give at least one of from, to, accounts, languages".into());
        }
        if let (Some(a), Some(b)) = (r.from, r.to)
            && a >= b
        {
            return Err("from must be before to".into());
        }
        Ok(r)
    }

    /// Checks the filter without reading anything.
    pub fn check(&self) -> Result<(), String> {
        self.resolve().map(|_| ())
    }

    /// The events of `ev` the filter keeps.
    pub fn apply(&self, ev: &swarmscan_model::Events) -> Result<swarmscan_model::Events, String> {
        let r = self.resolve()?;
        Ok(ev.filtered(|i| {
            let ts = ev.ts_ms[i];
            r.from.is_none_or(|f| ts >= f)
                && r.to.is_none_or(|t| ts < t)
                && r.accounts.as_ref().is_none_or(|set| {
                    let row = ev.row(i);
                    set.contains(row.account_id) || set.contains(row.handle)
                })
                && r.languages.as_ref().is_none_or(|set| set.contains(ev.row(i).lang))
        }))
    }
}

/// A file written under `DATA/uploads/` and moved into `DATA/datasets/`.
pub struct Stored {
    /// SHA-256 of the bytes, lower-case hex: the dataset's id.
    pub id: String,
    /// Relative to the data folder.
    pub path: String,
    pub bytes: u64,
}

impl Stored {
    /// Its dataset record, owned by `owner`, with no parent: its format
    /// and record accounting are those of `read`, the file read once.
    pub fn dataset(self, name: String, owner: i64, read: &swarmscan_ingest::FileReport) -> crate::store::Dataset {
        crate::store::Dataset {
            id: self.id,
            name,
            owner,
            path: self.path,
            bytes: self.bytes,
            format: read.format.clone(),
            records: read.records,
            parsed: read.parsed,
            skipped: serde_json::to_value(&read.skipped).unwrap_or_default(),
            created: crate::store::now(),
            parent: None,
        }
    }
}

/// Moves a finished file under `DATA/uploads/` to `DATA/datasets/<id>`
/// (hashing it first); the upload file is gone either way.
fn store_file(data: &Path, part: &Path) -> Result<Stored, String> {
    let hashed = (|| -> std::io::Result<(String, u64)> {
        let mut f = std::fs::File::open(part)?;
        let mut h = sha2::Sha256::new();
        let mut buf = vec![0u8; 1 << 16];
        let mut n = 0u64;
        loop {
            let k = f.read(&mut buf)?;
            if k == 0 {
                break;
            }
            h.update(&buf[..k]);
            n += k as u64;
        }
        Ok((auth::hex(&h.finalize()), n))
    })();
    let (id, bytes) = match hashed {
        Ok(x) => x,
        Err(e) => {
            let _ = std::fs::remove_file(part);
            return Err(format!("hashing the new dataset: {e}"));
        }
    };
    let path = format!("datasets/{id}");
    if let Err(e) = std::fs::rename(part, data.join(&path)) {
        let _ = std::fs::remove_file(part);
        return Err(format!("storing the new dataset: {e}"));
    }
    Ok(Stored { id, path, bytes })
}

fn upload_path(data: &Path, ext: &str) -> PathBuf {
    data.join("uploads").join(format!("{}.{ext}", auth::random_hex(16)))
}

/// Writes the events `filter` keeps of `parent` (read as `format`) as
/// Parquet into the store. `Ok(None)` when it keeps nothing.
pub fn derive(
    data: &Path,
    parent: &Path,
    format: Option<swarmscan_ingest::Format>,
    filter: &Filter,
) -> Result<Option<(Stored, u64)>, String> {
    let (ev, report) = crate::jobs::read_dataset(parent, format).map_err(|e| format!("reading the parent: {e}"))?;
    if let Some(e) = report.files.iter().find_map(|f| f.error.as_ref()) {
        return Err(format!("reading the parent: {e}"));
    }
    let kept = filter.apply(&ev)?;
    drop(ev);
    if kept.is_empty() {
        return Ok(None);
    }
    let n = kept.len() as u64;
    let part = upload_path(data, "part");
    if let Err(e) = swarmscan_parquet::write_parquet(kept, &part) {
        let _ = std::fs::remove_file(&part);
        return Err(format!("writing the derived dataset: {e}"));
    }
    store_file(data, &part).map(|s| Some((s, n)))
}

/// Writes the first `bytes` of each of `parts`, in order, as one file into
/// the store. A watch's archive files are whole zstd frames up to their
/// synced length, and zstd frames concatenate into one valid stream.
pub fn concatenate(data: &Path, parts: &[(PathBuf, u64)]) -> Result<Stored, String> {
    let part = upload_path(data, "part");
    let written = (|| -> std::io::Result<()> {
        let mut out = std::io::BufWriter::new(std::fs::File::create(&part)?);
        for (path, bytes) in parts {
            let mut f = std::fs::File::open(path)?.take(*bytes);
            let n = std::io::copy(&mut f, &mut out)?;
            if n != *bytes {
                let name = path.file_name().unwrap_or_default().to_string_lossy();
                let why = format!("{name} holds {n} bytes, the watch's state says {bytes}");
                return Err(std::io::Error::new(std::io::ErrorKind::UnexpectedEof, why));
            }
        }
        out.into_inner().map_err(|e| e.into_error())?.sync_all()
    })();
    if let Err(e) = written {
        let _ = std::fs::remove_file(&part);
        return Err(format!("writing the archive as a dataset: {e}"));
    }
    store_file(data, &part)
}

/// Why a path cannot be registered.
#[derive(Debug)]
pub enum RegisterError {
    /// Outside every `--import-dir` (or no such file): 403, with the same
    /// words either way so the server's files cannot be probed.
    Refused,
    Io(String),
}

/// Copies `path` into the store if it lies, after resolving `..` and
/// symbolic links, inside one of `roots`.
pub fn register(data: &Path, roots: &[PathBuf], path: &str) -> Result<Stored, RegisterError> {
    let real = std::fs::canonicalize(path).map_err(|_| RegisterError::Refused)?;
    let inside = roots.iter().filter_map(|r| std::fs::canonicalize(r).ok()).any(|r| real.starts_with(&r));
    if !inside || !real.is_file() {
        return Err(RegisterError::Refused);
    }
    let part = upload_path(data, "part");
    if let Err(e) = std::fs::copy(&real, &part) {
        let _ = std::fs::remove_file(&part);
        return Err(RegisterError::Io(format!("copying the file: {e}")));
    }
    store_file(data, &part).map_err(RegisterError::Io)
}

#[cfg(test)]
mod tests {
    use super::*;
    use swarmscan_model::{Events, RawEvent};

    fn events() -> Events {
        let mut ev = Events::new();
        for (i, (acct, ts, lang)) in [("a", 1_000, "en"), ("b", 2_000, "de"), ("a", 3_000, "de")].iter().enumerate() {
            let id = i.to_string();
            ev.push(&RawEvent { post_id: &id, account_id: acct, handle: acct, ts_ms: *ts, lang, ..Default::default() });
        }
        ev
    }

    #[test]
    fn every_part_of_a_filter_holds() {
        let ev = events();
        let f = |json: &str| serde_json::from_str::<Filter>(json).unwrap().apply(&ev).map(|e| e.len());
        assert_eq!(f(r#"{"accounts":["a"]}"#), Ok(2));
        assert_eq!(f(r#"{"languages":["de"]}"#), Ok(2));
        assert_eq!(f(r#"{"accounts":["a"],"languages":["de"]}"#), Ok(1));
        assert_eq!(f(r#"{"from":"1970-01-01T00:00:02Z"}"#), Ok(2));
        assert_eq!(f(r#"{"to":"1970-01-01T00:00:02Z"}"#), Ok(1));
        assert!(f("{}").unwrap_err().contains("at least one"));
        assert!(f(r#"{"from":"yesterday"}"#).unwrap_err().contains("RFC 3339"));
        assert!(f(r#"{"from":"1970-01-01T00:00:03Z","to":"1970-01-01T00:00:02Z"}"#).unwrap_err().contains("before"));
    }

    #[test]
    fn registering_stays_inside_the_import_folders() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        let import = dir.path().join("import");
        std::fs::create_dir_all(data.join("uploads")).unwrap();
        std::fs::create_dir_all(data.join("datasets")).unwrap();
        std::fs::create_dir_all(&import).unwrap();
        std::fs::write(import.join("ok.csv"), "x").unwrap();
        std::fs::write(dir.path().join("secret"), "s").unwrap();
        let roots = [import.clone()];
        let ok = register(&data, &roots, import.join("ok.csv").to_str().unwrap()).unwrap();
        assert_eq!(std::fs::read(data.join(&ok.path)).unwrap(), b"x");
        for bad in [
            import.join("../secret").display().to_string(),
            dir.path().join("secret").display().to_string(),
            import.display().to_string(),
            import.join("missing").display().to_string(),
        ] {
            assert!(matches!(register(&data, &roots, &bad), Err(RegisterError::Refused)), "{bad}");
        }
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(dir.path().join("secret"), import.join("link")).unwrap();
            let link = import.join("link").display().to_string();
            assert!(matches!(register(&data, &roots, &link), Err(RegisterError::Refused)));
        }
        assert!(matches!(register(&data, &[], import.join("ok.csv").to_str().unwrap()), Err(RegisterError::Refused)));
        assert_eq!(std::fs::read_dir(data.join("uploads")).unwrap().count(), 0);
    }
}
