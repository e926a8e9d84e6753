//! The archive and the resume state, both in the output directory.
//!
//! Every event kept (deduplicated, in arrival order) is appended to
//! `archive/<source>-NNNNNN.jsonl.zst`: one zstd frame per flushed chunk,
//! synced before the state names it, and a new file every
//! `rotate_bytes`. The files are what `swarmscan scan` reads (the same
//! lines in the same order give the same table as the live horizon).
//!
//! `state.json` (written whole: temporary file, sync, rename) holds each
//! source's position and each archive file's synced length and newest event
//! time. On restart, a file is cut back to its synced length (a crash can
//! leave a torn frame after it), the files that reach into the horizon are
//! read back to rebuild the horizon and the identities seen, and the
//! sources resume from the saved positions: nothing is lost (an event not
//! yet synced is after the saved position and comes again) and nothing is
//! counted twice (what comes again is a duplicate).

use crate::frame::SourceKind;
use serde::{Deserialize, Serialize};
use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

/// One archive file as the state knows it.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub(crate) struct FileState {
    pub file: String,
    pub source: String,
    /// Synced bytes.
    pub bytes: u64,
    pub events: u64,
    /// The newest server time in the file (ms), if any event has one.
    pub newest_ms: Option<i64>,
}

/// What a restart needs.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
pub(crate) struct State {
    pub version: u32,
    /// Jetstream's cursor (µs) of the newest event synced.
    pub jetstream_cursor_us: Option<i64>,
    /// The newest Mastodon status id synced.
    pub mastodon_last_id: Option<String>,
    /// The newest server time synced (ms).
    pub newest_ms: Option<i64>,
    pub archive: Vec<FileState>,
}

pub(crate) const STATE_FILE: &str = "state.json";
pub(crate) const ARCHIVE_DIR: &str = "archive";

impl State {
    /// The saved state, or an empty one when there is none.
    pub(crate) fn load(dir: &Path) -> io::Result<State> {
        match fs::read(dir.join(STATE_FILE)) {
            Ok(b) => serde_json::from_slice(&b).map_err(|e| {
                io::Error::new(io::ErrorKind::InvalidData, format!("{}: {e}", dir.join(STATE_FILE).display()))
            }),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(State { version: 1, ..State::default() }),
            Err(e) => Err(e),
        }
    }

    /// Writes the state whole and durably.
    pub(crate) fn save(&self, dir: &Path) -> io::Result<()> {
        let json = serde_json::to_vec_pretty(self).map_err(io::Error::other)?;
        write_durably(dir, STATE_FILE, &json)
    }
}

/// Writes `dir/name` as a whole: a temporary file beside it, synced, then
/// renamed over it and the directory synced.
pub(crate) fn write_durably(dir: &Path, name: &str, bytes: &[u8]) -> io::Result<()> {
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_data()?;
    tmp.persist(dir.join(name)).map_err(|e| e.error)?;
    sync_dir(dir)
}

fn sync_dir(dir: &Path) -> io::Result<()> {
    // Directories cannot be opened for syncing everywhere; where they can,
    // this makes the rename durable.
    match File::open(dir) {
        Ok(d) => d.sync_all().or(Ok(())),
        Err(_) => Ok(()),
    }
}

/// The file being appended to, per source.
struct Current {
    index: usize,
    file: File,
}

/// Appends chunks to rotating zstd files and keeps their state.
pub(crate) struct Archive {
    dir: PathBuf,
    rotate_bytes: u64,
    current: [Option<Current>; 2],
}

impl Archive {
    /// Opens the archive in `out/archive`, cutting files back to the synced
    /// lengths `state` records.
    pub(crate) fn open(out: &Path, rotate_bytes: u64, state: &State) -> io::Result<Archive> {
        let dir = out.join(ARCHIVE_DIR);
        fs::create_dir_all(&dir)?;
        for f in &state.archive {
            let path = dir.join(&f.file);
            if let Ok(meta) = fs::metadata(&path)
                && meta.len() > f.bytes
            {
                OpenOptions::new().write(true).open(&path)?.set_len(f.bytes)?;
            }
        }
        Ok(Archive { dir, rotate_bytes: rotate_bytes.max(1), current: [None, None] })
    }

    /// Appends `lines` (newline-terminated) as one zstd frame to `source`'s
    /// current file, synced, and records it in `state`.
    pub(crate) fn append(
        &mut self,
        source: SourceKind,
        lines: &[u8],
        events: u64,
        newest_ms: Option<i64>,
        state: &mut State,
    ) -> io::Result<()> {
        let frame = zstd::bulk::compress(lines, 3)?;
        let slot = &mut self.current[source.index()];
        let full = match slot {
            Some(c) => state.archive[c.index].bytes >= self.rotate_bytes,
            None => true,
        };
        if full {
            // The next file after the newest one of this source.
            let n = state.archive.iter().filter(|f| f.source == source.as_str()).count() + 1;
            let name = format!("{}-{n:06}.jsonl.zst", source.as_str());
            let file = OpenOptions::new().create(true).append(true).open(self.dir.join(&name))?;
            state.archive.push(FileState {
                file: name,
                source: source.as_str().into(),
                bytes: 0,
                events: 0,
                newest_ms: None,
            });
            *slot = Some(Current { index: state.archive.len() - 1, file });
            sync_dir(&self.dir)?;
        }
        let c = slot.as_mut().expect("opened above");
        c.file.write_all(&frame)?;
        c.file.sync_data()?;
        let f = &mut state.archive[c.index];
        f.bytes += frame.len() as u64;
        f.events += events;
        f.newest_ms = f.newest_ms.max(newest_ms);
        Ok(())
    }
}

/// The lines of the archive files that reach `oldest_ms` or later, in
/// writing order, per source, read back for a restart.
pub(crate) fn read_back(out: &Path, state: &State, oldest_ms: i64) -> io::Result<Vec<(SourceKind, Vec<u8>)>> {
    let dir = out.join(ARCHIVE_DIR);
    let mut back = Vec::new();
    for f in &state.archive {
        if f.newest_ms.is_some_and(|n| n < oldest_ms) || f.bytes == 0 {
            continue;
        }
        let Some(source) = SourceKind::ALL.into_iter().find(|s| s.as_str() == f.source) else { continue };
        let file = File::open(dir.join(&f.file))?.take(f.bytes);
        let mut lines = Vec::new();
        zstd::stream::read::Decoder::new(file)?
            .read_to_end(&mut lines)
            .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", dir.join(&f.file).display())))?;
        back.push((source, lines));
    }
    Ok(back)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_torn_tail_is_cut_back_and_the_synced_lines_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let mut state = State::load(dir.path()).unwrap();
        let mut a = Archive::open(dir.path(), 1 << 20, &state).unwrap();
        a.append(SourceKind::Jetstream, b"{\"a\":1}\n", 1, Some(10), &mut state).unwrap();
        a.append(SourceKind::Mastodon, b"{\"m\":1}\n", 1, Some(5), &mut state).unwrap();
        a.append(SourceKind::Jetstream, b"{\"a\":2}\n", 1, Some(20), &mut state).unwrap();
        state.save(dir.path()).unwrap();
        // A crash in the middle of a later append.
        let path = dir.path().join(ARCHIVE_DIR).join("jetstream-000001.jsonl.zst");
        OpenOptions::new().append(true).open(&path).unwrap().write_all(&[0x28, 0xb5, 0x2f, 0xfd, 7]).unwrap();

        let state = State::load(dir.path()).unwrap();
        assert_eq!(state.archive.len(), 2);
        assert_eq!(state.archive[0].events, 2);
        let _ = Archive::open(dir.path(), 1 << 20, &state).unwrap();
        assert_eq!(fs::metadata(&path).unwrap().len(), state.archive[0].bytes);
        let back = read_back(dir.path(), &state, 0).unwrap();
        assert_eq!(
            back,
            [
                (SourceKind::Jetstream, b"{\"a\":1}\n{\"a\":2}\n".to_vec()),
                (SourceKind::Mastodon, b"{\"m\":1}\n".to_vec())
            ]
        );
        assert_eq!(read_back(dir.path(), &state, 6).unwrap().len(), 1, "the Mastodon file is older");
    }

    #[test]
    fn files_rotate_at_the_size_given() {
        let dir = tempfile::tempdir().unwrap();
        let mut state = State::default();
        let mut a = Archive::open(dir.path(), 10, &state).unwrap();
        for i in 0..3 {
            a.append(SourceKind::Jetstream, format!("{{\"n\":{i}}}\n").as_bytes(), 1, Some(i), &mut state).unwrap();
        }
        let names: Vec<&str> = state.archive.iter().map(|f| f.file.as_str()).collect();
        assert_eq!(names, ["jetstream-000001.jsonl.zst", "jetstream-000002.jsonl.zst", "jetstream-000003.jsonl.zst"]);
    }
}
