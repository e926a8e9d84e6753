//! The scan's memory limit ([`crate::ScanParams::memory_limit`]): what stays
//! resident between the pair tests and the stages after them, and what is
//! spilled to disk.
//!
//! Two things wait for later stages: each level's tested pairs (sorted pair
//! codes, needed to count the distinct pairs and each pair's signals at
//! fusion) and each level's prepared actions (needed for the evidence and
//! the group test). [`Memory`] keeps them resident, in the order the levels
//! are built, while the event table plus what is kept stays under the limit;
//! the rest goes to unnamed temporary files (in `TMPDIR`; the system removes
//! them when they are closed, however the process ends) and is read back as
//! a stream (pair codes, [`Codes`]) or one level at a time ([`Held`]). A
//! level that cannot be spilled is built again from the event table. Every
//! path gives byte-identical outputs (tests in `crates/report` and the CLI).

use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read, Seek, Write};
use swarmscan_detect::Prepared;
use swarmscan_model::Events;

/// What the memory limit made the scan do (`summary.json → results.memory`).
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize)]
pub struct MemoryStats {
    /// The limit, bytes (`None`: none).
    pub limit_bytes: Option<u64>,
    /// The event table's bytes, counted against the limit first.
    pub events_bytes: u64,
    /// Levels kept resident from their pair test to the group test.
    pub levels_kept: u32,
    /// Levels spilled to disk after their pair test and read back.
    pub levels_spilled: u32,
    /// Levels built again from the event table (where spilling or reading
    /// back failed, e.g. on a full disk).
    pub levels_rebuilt: u32,
    /// Bytes of the actions of the levels not kept resident.
    pub released_bytes: u64,
    /// Levels whose tested pairs were spilled to disk.
    pub tested_pairs_spilled: u32,
    /// Bytes written to disk, levels and tested pairs together.
    pub spilled_bytes: u64,
}

/// Where a level's prepared actions wait from its pair test to the
/// evidence and group-test pass.
#[derive(Debug)]
pub(crate) enum Held<'a> {
    Resident(Box<Prepared<'a>>),
    /// In an unnamed temporary file.
    Spilled(File),
    /// Nowhere: built again from the event table.
    Released,
}

/// A level's tested pairs (sorted, distinct pair codes), resident or in an
/// unnamed temporary file as 8-byte little-endian numbers.
#[derive(Debug)]
pub(crate) enum Codes {
    Resident(Vec<u64>),
    Spilled { file: File, len: u64 },
}

impl Codes {
    /// Number of codes.
    pub(crate) fn len(&self) -> u64 {
        match self {
            Codes::Resident(v) => v.len() as u64,
            Codes::Spilled { len, .. } => *len,
        }
    }

    /// The codes in order, read from the start of the file if spilled.
    pub(crate) fn stream(&self) -> io::Result<CodeStream<'_>> {
        Ok(match self {
            Codes::Resident(v) => CodeStream::Slice(v.iter()),
            Codes::Spilled { file, len } => {
                let mut f: &File = file;
                f.rewind()?;
                CodeStream::File { r: BufReader::with_capacity(1 << 20, f), left: *len, err: None }
            }
        })
    }

    /// For each of `queries` (sorted, distinct), whether it is one of the
    /// codes: binary searches when resident, one merge pass over the file
    /// when spilled.
    pub(crate) fn present(&self, queries: &[u64]) -> io::Result<Vec<bool>> {
        if let Codes::Resident(v) = self {
            return Ok(queries.iter().map(|q| v.binary_search(q).is_ok()).collect());
        }
        let mut out = vec![false; queries.len()];
        let mut stream = self.stream()?;
        let mut qi = 0;
        for c in stream.by_ref() {
            while qi < queries.len() && queries[qi] < c {
                qi += 1;
            }
            if qi == queries.len() {
                break;
            }
            out[qi] = queries[qi] == c;
        }
        stream.finish()?;
        Ok(out)
    }
}

/// [`Codes::stream`]: an iterator that keeps the first read error for
/// [`CodeStream::finish`].
pub(crate) enum CodeStream<'a> {
    Slice(std::slice::Iter<'a, u64>),
    File { r: BufReader<&'a File>, left: u64, err: Option<io::Error> },
}

impl CodeStream<'_> {
    /// The first read error, if any: a stream that met one ended early.
    pub(crate) fn finish(self) -> io::Result<()> {
        match self {
            CodeStream::File { err: Some(e), .. } => Err(e),
            _ => Ok(()),
        }
    }
}

impl Iterator for CodeStream<'_> {
    type Item = u64;

    fn next(&mut self) -> Option<u64> {
        match self {
            CodeStream::Slice(it) => it.next().copied(),
            CodeStream::File { r, left, err } => {
                if *left == 0 || err.is_some() {
                    return None;
                }
                let mut b = [0u8; 8];
                match r.read_exact(&mut b) {
                    Ok(()) => {
                        *left -= 1;
                        Some(u64::from_le_bytes(b))
                    }
                    Err(e) => {
                        *err = Some(e);
                        None
                    }
                }
            }
        }
    }
}

/// The scan's budget: what is resident (the event table, the levels' nulls,
/// the kept tested pairs and levels) against the limit.
pub(crate) struct Memory {
    resident: u64,
    pub(crate) stats: MemoryStats,
}

impl Memory {
    pub(crate) fn new(ev: &Events, limit: Option<u64>) -> Memory {
        let events_bytes = (ev.column_bytes() + ev.interned_bytes()) as u64;
        Memory { resident: events_bytes, stats: MemoryStats { limit_bytes: limit, events_bytes, ..Default::default() } }
    }

    /// Counts `bytes` that stay resident whatever the limit (a level's
    /// fitted null, its pairs with low p-values).
    pub(crate) fn add(&mut self, bytes: usize) {
        self.resident += bytes as u64;
    }

    /// Whether `bytes` more fit under the limit; counts them if so.
    fn fits(&mut self, bytes: u64) -> bool {
        let fits = self.stats.limit_bytes.is_none_or(|l| self.resident + bytes <= l);
        if fits {
            self.resident += bytes;
        }
        fits
    }

    /// Keeps a level's tested pairs resident if they fit, else spills them
    /// (keeping them resident if that fails: they cannot be rebuilt without
    /// testing the level again).
    pub(crate) fn hold_codes(&mut self, codes: Vec<u64>) -> Codes {
        if self.fits(codes.len() as u64 * 8) {
            return Codes::Resident(codes);
        }
        let spill = || -> io::Result<File> {
            let mut file = tempfile::tempfile()?;
            let mut w = BufWriter::with_capacity(1 << 20, &mut file);
            for chunk in codes.chunks(1 << 14) {
                let bytes: Vec<u8> = chunk.iter().flat_map(|c| c.to_le_bytes()).collect();
                w.write_all(&bytes)?;
            }
            w.flush()?;
            drop(w);
            Ok(file)
        };
        match spill() {
            Ok(file) => {
                self.stats.tested_pairs_spilled += 1;
                self.stats.spilled_bytes += codes.len() as u64 * 8;
                Codes::Spilled { file, len: codes.len() as u64 }
            }
            Err(_) => {
                self.resident += codes.len() as u64 * 8;
                Codes::Resident(codes)
            }
        }
    }

    /// Keeps `level` resident if it fits, else spills it (or, failing that,
    /// releases it to be built again).
    pub(crate) fn hold<'a>(&mut self, level: Prepared<'a>) -> Held<'a> {
        let bytes = level.heap_bytes() as u64;
        if self.fits(bytes) {
            self.stats.levels_kept += 1;
            return Held::Resident(Box::new(level));
        }
        self.stats.released_bytes += bytes;
        let spill = || -> io::Result<(File, u64)> {
            let mut file = tempfile::tempfile()?;
            level.spill(&mut file)?;
            let written = file.stream_position()?;
            Ok((file, written))
        };
        match spill() {
            Ok((file, written)) => {
                self.stats.levels_spilled += 1;
                self.stats.spilled_bytes += written;
                Held::Spilled(file)
            }
            Err(_) => {
                self.stats.levels_rebuilt += 1;
                Held::Released
            }
        }
    }

    /// Reads a held level back ([`Held::Released`] and levels that cannot be
    /// read back give `None`: build them again).
    pub(crate) fn take<'a>(
        &mut self,
        held: Held<'a>,
        ev: &'a Events,
        network: swarmscan_detect::Network,
        params: &swarmscan_detect::Params,
    ) -> Option<Prepared<'a>> {
        match held {
            Held::Resident(level) => Some(*level),
            Held::Spilled(mut file) => {
                let back = file.rewind().and_then(|()| Prepared::unspill(ev, network, params, file)).ok();
                if back.is_none() {
                    self.stats.levels_rebuilt += 1;
                }
                back
            }
            Held::Released => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Spilled or resident, codes stream back the same and answer the
        /// same membership queries.
        #[test]
        fn spilled_codes_stream_and_answer_as_resident(
            codes in proptest::collection::btree_set(0u64..5000, 0..3000),
            queries in proptest::collection::btree_set(0u64..5100, 0..400),
        ) {
            let codes: Vec<u64> = codes.into_iter().collect();
            let queries: Vec<u64> = queries.into_iter().collect();
            let ev = Events::new();
            let mut m = Memory::new(&ev, Some(0));
            let spilled = m.hold_codes(codes.clone());
            let is_spilled = matches!(spilled, Codes::Spilled { .. });
            prop_assert!(is_spilled || codes.is_empty());
            let resident = Codes::Resident(codes.clone());
            prop_assert_eq!(spilled.len(), codes.len() as u64);
            for _ in 0..2 {
                let mut s = spilled.stream().unwrap();
                let back: Vec<u64> = s.by_ref().collect();
                s.finish().unwrap();
                prop_assert_eq!(&back, &codes);
            }
            let want: Vec<bool> = queries.iter().map(|q| codes.contains(q)).collect();
            prop_assert_eq!(&spilled.present(&queries).unwrap(), &want);
            prop_assert_eq!(&resident.present(&queries).unwrap(), &want);
        }
    }
}
