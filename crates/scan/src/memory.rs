//! The scan's memory limit ([`crate::ScanParams::memory_limit`]): what stays
//! resident while a level is tested and between the pair tests and the
//! stages after them, and what is spilled to disk.
//!
//! While a level is tested, its pair tests come as one sorted run per
//! popularity stratum ([`Runs`]), and their k-way merge makes the level's
//! tested pairs ([`Memory::merge`]). Two things then wait for later stages:
//! each level's tested pairs (sorted pair codes, needed to count the
//! distinct pairs and each pair's signals at fusion) and each level's
//! prepared actions (needed for the evidence and the group test). [`Memory`]
//! keeps all of these resident, in the order they are made, while the event
//! table plus what is kept stays under the limit; the rest goes to unnamed
//! temporary files (in `TMPDIR`; the system removes them when they are
//! closed, however the process ends) and is read back as a stream (pair
//! tests and pair codes, [`Spool`]) or one level at a time ([`Held`]). Where
//! the disk fails, tests and codes stay resident and a level is built again
//! from the event table. Every path gives byte-identical outputs (tests
//! here, in `crates/report` and in the CLI).

use crate::null::{self, PairP, StratumTest, TestRuns};
use std::fs::File;
use std::io::{self, BufReader, Read, Seek, SeekFrom, Write};
use swarmscan_detect::Prepared;
use swarmscan_model::Events;

/// The share of the machine's memory a scan may hold by default: the rest
/// is for the transient working memory of one signal's test, the outputs
/// and the rest of the system.
pub const DEFAULT_SHARE: f64 = 0.75;

/// This machine's physical memory, bytes (Linux's `/proc/meminfo`; `None`
/// elsewhere or when unreadable).
pub fn machine_memory() -> Option<u64> {
    let info = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = info.lines().find(|l| l.starts_with("MemTotal:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

/// The default memory limit: [`DEFAULT_SHARE`] of [`machine_memory`].
pub fn default_limit() -> Option<u64> {
    machine_memory().map(|m| (m as f64 * DEFAULT_SHARE) as u64)
}

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
    /// Runs of pair tests (one per level and stratum) written to disk while
    /// their level was tested, and merged back from it.
    pub test_runs_spilled: u32,
    /// Batches of the group test's hits, over all levels: one per level
    /// with clusters to test against, more where a level's hits do not fit
    /// in what the limit leaves (each batch is a pass over the level's
    /// keys).
    pub group_test_batches: u64,
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

/// A record a [`Spool`] can write: fixed width, little-endian.
pub(crate) trait Record: Copy {
    const BYTES: usize;
    fn put(self, out: &mut Vec<u8>);
    fn get(b: &[u8]) -> Self;
}

/// A pair code ([`crate::null::pair_code`]).
impl Record for u64 {
    const BYTES: usize = 8;
    fn put(self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.to_le_bytes());
    }
    fn get(b: &[u8]) -> u64 {
        u64::from_le_bytes(b[..8].try_into().expect("8 bytes"))
    }
}

/// One pair's test in one stratum: the two ranks and the p-value's bits.
impl Record for StratumTest {
    const BYTES: usize = 16;
    fn put(self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.0.to_le_bytes());
        out.extend_from_slice(&self.1.to_le_bytes());
        out.extend_from_slice(&self.2.to_bits().to_le_bytes());
    }
    fn get(b: &[u8]) -> StratumTest {
        let u = |i: usize| u32::from_le_bytes(b[i..i + 4].try_into().expect("4 bytes"));
        (u(0), u(4), f64::from_bits(u64::from_le_bytes(b[8..16].try_into().expect("8 bytes"))))
    }
}

/// Records in the order they were appended: the first `on_disk` in an
/// unnamed temporary file, the rest resident. A level's tested pairs
/// (sorted, distinct pair codes) and each stratum's run of pair tests are
/// spools.
#[derive(Debug)]
pub(crate) struct Spool<T> {
    file: Option<File>,
    on_disk: u64,
    tail: Vec<T>,
}

impl<T> Default for Spool<T> {
    fn default() -> Self {
        Spool { file: None, on_disk: 0, tail: Vec::new() }
    }
}

impl<T: Record> Spool<T> {
    /// Number of records.
    pub(crate) fn len(&self) -> u64 {
        self.on_disk + self.tail.len() as u64
    }

    /// Whether some records are on disk.
    pub(crate) fn is_spilled(&self) -> bool {
        self.on_disk > 0
    }

    /// The resident records (all of them unless [`Spool::is_spilled`]).
    #[cfg(test)]
    pub(crate) fn resident(&self) -> &[T] {
        &self.tail
    }

    /// Bytes of the resident records.
    pub(crate) fn resident_bytes(&self) -> u64 {
        (self.tail.len() * std::mem::size_of::<T>()) as u64
    }

    /// Appends the resident records to the file (made on first use). False,
    /// keeping them resident, where the disk fails: records already on disk
    /// stay valid, whatever a failed write left after them.
    fn spill(&mut self) -> bool {
        if self.tail.is_empty() {
            return true;
        }
        let (on_disk, tail) = (self.on_disk, &self.tail);
        let write = |file: &mut Option<File>| -> io::Result<()> {
            if file.is_none() {
                *file = Some(tempfile::tempfile()?);
            }
            let f = file.as_mut().expect("made above");
            f.seek(SeekFrom::Start(on_disk * T::BYTES as u64))?;
            let mut buf = Vec::with_capacity(tail.len().min(1 << 16) * T::BYTES);
            for chunk in tail.chunks(1 << 16) {
                buf.clear();
                chunk.iter().for_each(|&x| x.put(&mut buf));
                f.write_all(&buf)?;
            }
            Ok(())
        };
        if write(&mut self.file).is_err() {
            return false;
        }
        self.on_disk += self.tail.len() as u64;
        self.tail = Vec::new();
        true
    }

    /// The records in order, those on disk read from the file's start.
    pub(crate) fn stream(&self) -> io::Result<SpoolStream<'_, T>> {
        let file = match &self.file {
            Some(f) if self.on_disk > 0 => {
                let mut f: &File = f;
                f.rewind()?;
                Some(BufReader::with_capacity(1 << 20, f))
            }
            _ => None,
        };
        Ok(SpoolStream { file, left: self.on_disk, tail: self.tail.iter(), err: None })
    }
}

impl Spool<u64> {
    /// For each of `queries` (sorted, distinct), whether it is one of the
    /// codes (sorted, distinct): binary searches when resident, one merge
    /// pass when spilled.
    pub(crate) fn present(&self, queries: &[u64]) -> io::Result<Vec<bool>> {
        if !self.is_spilled() {
            return Ok(queries.iter().map(|q| self.tail.binary_search(q).is_ok()).collect());
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

/// [`Spool::stream`]: an iterator that keeps the first read error for
/// [`SpoolStream::finish`] (and ends there).
pub(crate) struct SpoolStream<'a, T> {
    file: Option<BufReader<&'a File>>,
    left: u64,
    tail: std::slice::Iter<'a, T>,
    err: Option<io::Error>,
}

impl<T> SpoolStream<'_, T> {
    /// The first read error, if any: a stream that met one ended early.
    pub(crate) fn finish(self) -> io::Result<()> {
        self.err.map_or(Ok(()), Err)
    }
}

impl<T: Record> Iterator for SpoolStream<'_, T> {
    type Item = T;

    #[inline]
    fn next(&mut self) -> Option<T> {
        if self.err.is_some() {
            return None;
        }
        if self.left > 0 {
            let r = self.file.as_mut().expect("records on disk have a file");
            const { assert!(T::BYTES <= 16) };
            let mut b = [0u8; 16];
            return match r.read_exact(&mut b[..T::BYTES]) {
                Ok(()) => {
                    self.left -= 1;
                    Some(T::get(&b))
                }
                Err(e) => {
                    self.err = Some(e);
                    None
                }
            };
        }
        self.tail.next().copied()
    }
}

/// A level's pair tests while it is tested ([`null::test_level_into`]),
/// one [`Spool`] per stratum: resident while the limit leaves room for
/// them, and appended to disk as they come beyond it.
pub(crate) struct Runs {
    /// What the limit leaves beside what the scan holds resident.
    room: Option<u64>,
    /// Bytes of the level being tested and of the runs' resident records.
    held: u64,
    runs: Vec<Spool<StratumTest>>,
    disk: bool,
}

impl TestRuns for Runs {
    fn push(&mut self, tests: Vec<StratumTest>) {
        if self.runs.is_empty() {
            self.runs.push(Spool::default());
        }
        let run = self.runs.last_mut().expect("pushed above");
        self.held += (tests.len() * std::mem::size_of::<StratumTest>()) as u64;
        run.tail.extend(tests);
        if self.disk && self.room.is_some_and(|r| self.held > r) {
            let bytes = run.resident_bytes();
            if run.spill() {
                self.held -= bytes;
            } else {
                self.disk = false;
            }
        }
    }

    fn end_run(&mut self) {
        if self.runs.last().is_none_or(|r| r.len() > 0) {
            self.runs.push(Spool::default());
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

    /// Uncounts `bytes` no longer resident (a level's codes after fusion).
    pub(crate) fn release(&mut self, bytes: u64) {
        self.resident = self.resident.saturating_sub(bytes);
    }

    /// What the limit leaves beside what is resident (`None`: no limit).
    pub(crate) fn room(&self) -> Option<u64> {
        self.stats.limit_bytes.map(|l| l.saturating_sub(self.resident))
    }

    /// Whether `bytes` more fit under the limit; counts them if so.
    fn fits(&mut self, bytes: u64) -> bool {
        let fits = self.stats.limit_bytes.is_none_or(|l| self.resident + bytes <= l);
        if fits {
            self.resident += bytes;
        }
        fits
    }

    /// Where a level of `level_bytes` puts its pair tests: resident while
    /// they and the level fit under the limit beside what is resident.
    pub(crate) fn runs(&self, level_bytes: u64) -> Runs {
        Runs { room: self.room(), held: level_bytes, runs: Vec::new(), disk: true }
    }

    /// Merges a level's runs ([`null::merge_runs`], streamed from disk where
    /// spilled) into its tested pairs — codes kept resident while they fit
    /// beside the runs, else appended to disk as they come — and the pairs
    /// with `p ≤ keep_p`. A read error is the scan's error: spilled tests
    /// cannot be made again without testing the level again.
    pub(crate) fn merge(&mut self, runs: Runs, keep_p: f64) -> io::Result<(Spool<u64>, Vec<PairP>)> {
        let spilled_runs: Vec<u64> = runs.runs.iter().filter(|r| r.is_spilled()).map(|r| r.on_disk).collect();
        self.stats.test_runs_spilled += spilled_runs.len() as u32;
        self.stats.spilled_bytes += spilled_runs.iter().sum::<u64>() * StratumTest::BYTES as u64;
        let room = self.stats.limit_bytes.map(|l| l.saturating_sub(self.resident + runs.held));
        let mut disk = runs.disk;
        let mut streams = runs.runs.iter().map(Spool::stream).collect::<io::Result<Vec<_>>>()?;
        let mut codes: Spool<u64> = Spool::default();
        let mut low = Vec::new();
        for x in null::merge_runs(streams.iter_mut().collect()) {
            codes.tail.push(null::pair_code(x.a, x.b));
            if x.p <= keep_p {
                low.push(x);
            }
            if disk && codes.tail.len().is_multiple_of(1 << 16) && room.is_some_and(|r| codes.resident_bytes() > r) {
                disk = codes.spill();
            }
        }
        for s in streams {
            s.finish()?;
        }
        if disk && (codes.is_spilled() || room.is_some_and(|r| codes.resident_bytes() > r)) {
            codes.spill();
        }
        if codes.is_spilled() {
            self.stats.tested_pairs_spilled += 1;
            self.stats.spilled_bytes += codes.on_disk * 8;
        }
        self.resident += codes.resident_bytes();
        Ok((codes, low))
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
            cut in 0usize..3000,
        ) {
            let codes: Vec<u64> = codes.into_iter().collect();
            let queries: Vec<u64> = queries.into_iter().collect();
            // Spilled in two appends, then some left resident.
            let cut = cut.min(codes.len());
            let mut spilled: Spool<u64> = Spool::default();
            spilled.tail.extend_from_slice(&codes[..cut / 2]);
            prop_assert!(spilled.spill());
            spilled.tail.extend_from_slice(&codes[cut / 2..cut]);
            prop_assert!(spilled.spill());
            spilled.tail.extend_from_slice(&codes[cut..]);
            prop_assert_eq!(spilled.is_spilled(), cut > 0);
            let resident = Spool { file: None, on_disk: 0, tail: codes.clone() };
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

        /// Runs of pair tests spilled as they come (no room at all, or room
        /// for some) merge into the same tested pairs and low p-values as
        /// runs held in memory, and the codes spill when they do not fit.
        #[test]
        fn spilled_runs_merge_as_resident(
            runs in proptest::collection::vec(
                proptest::collection::btree_map((0u32..40, 0u32..40), 0u8..=20, 0..120), 0..7),
            room in prop_oneof![Just(0u64), Just(700), Just(u64::MAX)],
            parts in 1usize..5,
            keep_p in prop_oneof![Just(0.0f64), Just(0.3), Just(1.0)],
        ) {
            let runs: Vec<Vec<StratumTest>> = runs
                .iter()
                .map(|r| r.iter().map(|(&(a, b), &p)| (a, b, f64::from(p) / 20.0)).collect())
                .collect();
            let want: Vec<PairP> = null::merge_runs(runs.iter().map(|r| r.iter().copied()).collect()).collect();
            let ev = Events::new();
            let mut m = Memory::new(&ev, Some(room));
            let mut sink = m.runs(0);
            for r in &runs {
                let size = r.len().div_ceil(parts).max(1);
                for part in r.chunks(size) {
                    sink.push(part.to_vec());
                }
                sink.end_run();
            }
            let (codes, low) = m.merge(sink, keep_p).unwrap();
            let mut s = codes.stream().unwrap();
            let back: Vec<u64> = s.by_ref().collect();
            s.finish().unwrap();
            prop_assert_eq!(back, want.iter().map(|x| null::pair_code(x.a, x.b)).collect::<Vec<_>>());
            prop_assert_eq!(low, want.iter().copied().filter(|x| x.p <= keep_p).collect::<Vec<_>>());
            let some = runs.iter().any(|r| !r.is_empty());
            if room == 0 {
                prop_assert_eq!(m.stats.test_runs_spilled > 0, some);
                prop_assert_eq!(codes.is_spilled(), some);
            }
            if room == u64::MAX {
                prop_assert_eq!(m.stats.test_runs_spilled + m.stats.tested_pairs_spilled, 0);
            }
        }
    }
}
