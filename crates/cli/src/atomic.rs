//! Output files appear whole or not at all.
//!
//! Every output is written to `.NAME.tmp-PID` in its own directory, flushed,
//! fsynced and renamed over `NAME` only once complete, so a run that is
//! killed, runs out of disk or hits a permission error never leaves a
//! half-written file that looks like a result (nor replaces an earlier whole
//! one). On error the temporary file is removed and the error names the path
//! and the reason.
//!
//! [`OutputDir`] is the same for a directory of outputs whose last file (a
//! `summary.json`) says the run finished: [`OutputDir::begin`] removes an
//! earlier marker first, [`OutputDir::finish`] writes it last.

use anyhow::Context;
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

/// Test hook: with `SWARMSCAN_FAIL_WRITES_AFTER=N` in the environment every
/// output fails with "No space left on device" once N bytes are written, so
/// tests can inject a full disk into a real run.
const FAIL_AFTER_VAR: &str = "SWARMSCAN_FAIL_WRITES_AFTER";

/// The temporary name `.NAME.tmp-PID` beside `path`.
fn temp_path(path: &Path) -> PathBuf {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "output".into());
    path.with_file_name(format!(".{name}.tmp-{}", std::process::id()))
}

/// A path to write through another library's writer (one that takes a path,
/// such as the Parquet writer): write to [`TempPath::path`], then
/// [`TempPath::commit`]. Dropped uncommitted, the temporary file is removed.
#[derive(Debug)]
pub struct TempPath {
    tmp: PathBuf,
    dest: PathBuf,
    committed: bool,
}

impl TempPath {
    /// A temporary path beside `dest`.
    pub fn new(dest: &Path) -> TempPath {
        TempPath { tmp: temp_path(dest), dest: dest.to_path_buf(), committed: false }
    }

    /// Where to write.
    pub fn path(&self) -> &Path {
        &self.tmp
    }

    /// Fsyncs the written file and renames it to its destination.
    pub fn commit(mut self) -> anyhow::Result<()> {
        let done =
            File::open(&self.tmp).and_then(|f| f.sync_all()).and_then(|()| std::fs::rename(&self.tmp, &self.dest));
        done.with_context(|| format!("cannot write {}", self.dest.display()))?;
        self.committed = true;
        sync_dir(&self.dest);
        Ok(())
    }
}

impl Drop for TempPath {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}

/// Makes a rename durable (best effort: not every platform or file system
/// can open a directory).
fn sync_dir(path: &Path) {
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
}

/// Counts bytes and fails like a full disk past the test hook's limit.
struct Guard<W> {
    inner: W,
    written: u64,
    fail_after: Option<u64>,
}

impl<W: Write> Write for Guard<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if let Some(limit) = self.fail_after {
            let room = limit.saturating_sub(self.written);
            if room == 0 {
                return Err(io::Error::from_raw_os_error(28)); // ENOSPC
            }
            let n = self.inner.write(&buf[..buf.len().min(room as usize)])?;
            self.written += n as u64;
            return Ok(n);
        }
        let n = self.inner.write(buf)?;
        self.written += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// Writes `path` atomically: `write` fills a buffered temporary file beside
/// it, which is flushed, fsynced and renamed to `path` once `write` returns
/// `Ok`. On any error, nothing is left behind and the error reads
/// `cannot write PATH: REASON`.
///
/// ```ignore
/// # use std::io::Write;
/// # fn main() -> anyhow::Result<()> {
/// crate::atomic::write_atomically("out/edges.csv".as_ref(), |w| {
///     writeln!(w, "source,target,weight")?;
///     Ok(())
/// })?;
/// # Ok(()) }
/// ```
pub fn write_atomically<T>(
    path: &Path,
    write: impl FnOnce(&mut (dyn Write + Send)) -> anyhow::Result<T>,
) -> anyhow::Result<T> {
    let fail_after = std::env::var(FAIL_AFTER_VAR).ok().and_then(|v| v.parse().ok());
    let tmp = TempPath::new(path);
    let result = (|| -> anyhow::Result<T> {
        let file = File::create(tmp.path())?;
        let mut w = Guard { inner: BufWriter::with_capacity(1 << 20, file), written: 0, fail_after };
        let value = write(&mut w)?;
        w.flush()?;
        let file = w.inner.into_inner().map_err(|e| e.into_error())?;
        file.sync_all()?;
        std::fs::rename(tmp.path(), path)?;
        Ok(value)
    })();
    match result {
        Ok(v) => {
            // Renamed: nothing left to remove.
            std::mem::forget(tmp);
            sync_dir(path);
            Ok(v)
        }
        // `tmp` is dropped here, removing the partial file.
        Err(e) => Err(e.context(format!("cannot write {}", path.display()))),
    }
}

/// Writes `path`, or standard output for `-`, atomically in the first case.
pub fn write_output<T>(
    path: &Path,
    write: impl FnOnce(&mut (dyn Write + Send)) -> anyhow::Result<T>,
) -> anyhow::Result<T> {
    if path.as_os_str() == "-" {
        let mut out = BufWriter::with_capacity(1 << 20, io::stdout());
        let v = write(&mut out)?;
        out.flush()?;
        Ok(v)
    } else {
        write_atomically(path, write)
    }
}

/// A directory of outputs whose marker file, written last, means the run
/// that wrote them finished.
///
/// ```ignore
/// # use std::io::Write;
/// # fn main() -> anyhow::Result<()> {
/// use crate::atomic::OutputDir;
/// let out = OutputDir::begin("scan-out".as_ref(), "summary.json")?; // removes an old summary.json
/// out.write("edges.csv", |w| Ok(writeln!(w, "a,b")?))?;
/// out.finish(|w| Ok(w.write_all(b"{}")?))?; // summary.json, last
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct OutputDir {
    dir: PathBuf,
    marker: String,
}

impl OutputDir {
    /// Creates `dir` if needed and removes an earlier run's `marker`, so that
    /// until [`OutputDir::finish`] the directory does not claim to be a
    /// finished run (whole files of an earlier run may still be beside it).
    pub fn begin(dir: &Path, marker: &str) -> anyhow::Result<OutputDir> {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
        let m = dir.join(marker);
        match std::fs::remove_file(&m) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(e).with_context(|| format!("cannot remove the earlier {}", m.display())),
        }
        Ok(OutputDir { dir: dir.to_path_buf(), marker: marker.to_string() })
    }

    /// Writes `name` in the directory atomically.
    pub fn write<T>(
        &self,
        name: &str,
        write: impl FnOnce(&mut (dyn Write + Send)) -> anyhow::Result<T>,
    ) -> anyhow::Result<T> {
        write_atomically(&self.dir.join(name), write)
    }

    /// Writes the marker file, last.
    pub fn finish<T>(self, write: impl FnOnce(&mut (dyn Write + Send)) -> anyhow::Result<T>) -> anyhow::Result<T> {
        write_atomically(&self.dir.join(&self.marker), write)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The names in `dir`, sorted.
    fn listing(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> =
            std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
        v.sort();
        v
    }

    #[test]
    fn a_whole_write_is_renamed_into_place() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("out.csv");
        let n = write_atomically(&p, |w| {
            w.write_all(b"a,b\n")?;
            Ok(4)
        })
        .unwrap();
        assert_eq!(n, 4);
        assert_eq!(std::fs::read(&p).unwrap(), b"a,b\n");
        assert_eq!(listing(d.path()), ["out.csv"]);
    }

    #[test]
    fn a_failed_write_leaves_nothing_and_keeps_the_earlier_file() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("out.csv");
        std::fs::write(&p, b"earlier, whole\n").unwrap();
        // A writer that fails after some bytes (the closure's error).
        let e = write_atomically(&p, |w| -> anyhow::Result<()> {
            w.write_all(&[b'x'; 5000])?;
            anyhow::bail!("disk full (simulated)")
        })
        .unwrap_err();
        let msg = format!("{e:#}");
        assert!(msg.contains(&format!("cannot write {}", p.display())) && msg.contains("simulated"), "{msg}");
        assert_eq!(std::fs::read(&p).unwrap(), b"earlier, whole\n");
        assert_eq!(listing(d.path()), ["out.csv"]);
    }

    #[test]
    fn an_io_error_after_n_bytes_names_the_path_and_the_reason() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("big.csv");
        let tmp = TempPath::new(&p);
        let file = File::create(tmp.path()).unwrap();
        let mut g = Guard { inner: file, written: 0, fail_after: Some(10) };
        assert_eq!(g.write(&[0; 64]).unwrap(), 10);
        assert_eq!(g.write(&[0; 64]).unwrap_err().raw_os_error(), Some(28));
        drop(g);
        drop(tmp);
        assert!(listing(d.path()).is_empty(), "the temporary file is removed on drop");
    }

    #[test]
    fn an_unwritable_place_is_an_error_naming_the_path() {
        let d = tempfile::tempdir().unwrap();
        // A "directory" that is a file: creating anything in it fails, even as root.
        let blocker = d.path().join("not-a-dir");
        std::fs::write(&blocker, b"").unwrap();
        let p = blocker.join("out.csv");
        let e = write_atomically(&p, |w| Ok(w.write_all(b"x")?)).unwrap_err();
        let msg = format!("{e:#}");
        assert!(msg.starts_with(&format!("cannot write {}: ", p.display())), "{msg}");
        assert_eq!(listing(d.path()), ["not-a-dir"]);
    }

    #[test]
    fn an_output_dir_removes_the_old_marker_first_and_writes_it_last() {
        let d = tempfile::tempdir().unwrap();
        std::fs::write(d.path().join("summary.json"), b"{\"old\":1}").unwrap();
        let out = OutputDir::begin(d.path(), "summary.json").unwrap();
        assert!(!d.path().join("summary.json").exists(), "no marker while the run is unfinished");
        out.write("edges.csv", |w| Ok(w.write_all(b"a,b\n")?)).unwrap();
        let e = out.write("accounts.csv", |_| -> anyhow::Result<()> { anyhow::bail!("killed") });
        assert!(e.is_err());
        assert_eq!(listing(d.path()), ["edges.csv"], "a failed run has no marker and no partial file");
        let t = TempPath::new(&d.path().join("events.parquet"));
        std::fs::write(t.path(), b"PAR1").unwrap();
        t.commit().unwrap();
        out.finish(|w| Ok(w.write_all(b"{}")?)).unwrap();
        assert_eq!(listing(d.path()), ["edges.csv", "events.parquet", "summary.json"]);
    }
}
