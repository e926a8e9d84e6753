//! The streaming loop: generate slices in parallel batches, bucket their
//! events by the slice they fall in, and once a slice can receive nothing
//! more, sort it, format it into every requested file (slices in parallel)
//! and hand it to a writer thread that appends to the files while the next
//! batch is generated.
//!
//! Memory stays bounded: a batch of slices, the forward spill of follow-ups
//! (at most [`crate::world::MAX_DELAY_MS`] ahead, mostly minutes), and at
//! most two formatted batches queued for the writer.

use std::collections::{BTreeSet, VecDeque};
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::mpsc::sync_channel;

use rayon::prelude::*;

use crate::event::{Event, ORGANIC, untag};
use crate::slice::{SliceOut, Target, generate_slice};
use crate::stream::{Handles, format_jetstream, format_mastodon};
use crate::world::{Group, World};
use crate::write::{CSV_HEADER, JsonScratch, format_csv, format_jsonl, twarc_member};
use crate::{Format, GenError, Progress};

/// A buffered output file that names itself in errors. It is written to a
/// temporary file beside its destination (`.NAME.tmp-PID`); [`Sink::finish`]
/// flushes and syncs it, and [`Written::commit`] renames it into place, so a
/// run that fails leaves every earlier file as it was and no partial file.
pub(crate) struct Sink {
    file: BufWriter<File>,
    out: Written,
}

impl Sink {
    pub(crate) fn create(path: PathBuf) -> Result<Self, GenError> {
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let tmp = path.with_file_name(format!(".{name}.tmp-{}", std::process::id()));
        let file = File::create(&tmp).map_err(|source| GenError::Io { path: tmp.clone(), source })?;
        Ok(Self { file: BufWriter::with_capacity(1 << 20, file), out: Written { tmp, path, committed: false } })
    }

    pub(crate) fn write(&mut self, bytes: &[u8]) -> Result<(), GenError> {
        self.file.write_all(bytes).map_err(|source| GenError::Io { path: self.out.path.clone(), source })
    }

    /// Flushes and syncs the file; it takes its name at [`Written::commit`].
    pub(crate) fn finish(mut self) -> Result<Written, GenError> {
        let io = |source| GenError::Io { path: self.out.path.clone(), source };
        self.file.flush().map_err(io)?;
        self.file.get_ref().sync_all().map_err(io)?;
        Ok(self.out)
    }
}

/// A finished output file waiting to take its name; removed unless
/// committed.
#[derive(Debug)]
pub(crate) struct Written {
    tmp: PathBuf,
    path: PathBuf,
    committed: bool,
}

impl Written {
    /// Renames the file into place; returns its path.
    pub(crate) fn commit(mut self) -> Result<PathBuf, GenError> {
        std::fs::rename(&self.tmp, &self.path).map_err(|source| GenError::Io { path: self.path.clone(), source })?;
        self.committed = true;
        Ok(std::mem::take(&mut self.path))
    }
}

impl Drop for Written {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}

/// Per-operation counters gathered while writing.
#[derive(Debug, Clone, Copy)]
pub(crate) struct OpStat {
    /// The operation's own actions.
    pub(crate) events: u64,
    /// Other events by its members.
    pub(crate) camouflage: u64,
    pub(crate) first: i64,
    pub(crate) last: i64,
}

/// What the loop learned, for the ground-truth files.
#[derive(Debug)]
pub(crate) struct Stats {
    pub(crate) events: u64,
    /// Bitset of accounts that appear in the events.
    seen: Vec<u64>,
    pub(crate) ops: Vec<OpStat>,
    pub(crate) op_urls: Vec<BTreeSet<String>>,
    pub(crate) op_posts: Vec<BTreeSet<u64>>,
    /// Per account, the events of its operation it posted (0 outside
    /// operations): how much a detector can see of each member.
    pub(crate) op_actions: Vec<u32>,
    /// Event files written (not yet in place), in format order.
    pub(crate) files: Vec<Written>,
}

impl Stats {
    pub(crate) fn seen(&self, a: u32) -> bool {
        self.seen.get(a as usize / 64).is_some_and(|w| w & (1 << (a % 64)) != 0)
    }
}

/// Per slice, one buffer per event file (in format order).
type Formatted = Vec<Vec<Vec<u8>>>;

/// Bytes an event takes in `f`, about (a capacity hint).
fn bytes_per_event(f: Format) -> usize {
    match f {
        Format::Cnt => 150,
        Format::Twarc2 => 600,
        Format::Jetstream => 600,
        Format::Mastodon => 1200,
    }
}

/// Output buffers handed back by the writer for reuse, so that large
/// allocations are not made and freed once per slice.
#[derive(Default)]
struct Buffers(Mutex<Vec<Vec<u8>>>);

impl Buffers {
    fn take(&self, capacity: usize) -> Vec<u8> {
        let mut buf = self.0.lock().ok().and_then(|mut v| v.pop()).unwrap_or_default();
        buf.clear();
        buf.reserve(capacity);
        buf
    }

    fn give(&self, buf: Vec<u8>) {
        if buf.capacity() > 0
            && let Ok(mut v) = self.0.lock()
            && v.len() < 256
        {
            v.push(buf);
        }
    }
}

/// Generates every slice of `world` and writes the event files.
pub(crate) fn run(
    world: &World,
    out_dir: &Path,
    formats: &[Format],
    progress: &mut dyn FnMut(Progress),
) -> Result<Stats, GenError> {
    let mut sinks = Vec::with_capacity(formats.len());
    for &f in formats {
        let mut sink = Sink::create(out_dir.join(f.file_name()))?;
        if f == Format::Cnt {
            sink.write(CSV_HEADER)?;
        }
        sinks.push(sink);
    }
    let twarc = twarc_member(world);
    let handles = if formats.iter().any(|f| matches!(f, Format::Jetstream | Format::Mastodon)) {
        Handles::new(world)
    } else {
        Handles::empty()
    };

    let n = world.n_slices as usize;
    let n_ops = world.ops.len();
    let words = world.accounts.len().div_ceil(64);
    // Op members, so the per-event camouflage check rarely touches `accounts`.
    let mut op_member = vec![0u64; words];
    for op in &world.ops {
        for &a in &op.members {
            op_member[a as usize / 64] |= 1 << (a % 64);
        }
    }
    let mut stats = Stats {
        events: 0,
        seen: vec![0u64; words],
        ops: vec![OpStat { events: 0, camouflage: 0, first: i64::MAX, last: i64::MIN }; n_ops],
        op_urls: vec![BTreeSet::new(); n_ops],
        op_posts: vec![BTreeSet::new(); n_ops],
        op_actions: vec![0; world.accounts.len()],
        files: Vec::new(),
    };

    let batch = (rayon::current_num_threads() * 4).clamp(4, 64);
    let (tx, rx) = sync_channel::<Formatted>(2);
    let buffers = Buffers::default();
    let buffers = &buffers;
    std::thread::scope(|scope| -> Result<(), GenError> {
        let writer = scope.spawn(move || -> Result<Vec<Written>, GenError> {
            for formatted in rx {
                for bufs in formatted {
                    for (sink, buf) in sinks.iter_mut().zip(bufs) {
                        sink.write(&buf)?;
                        buffers.give(buf);
                    }
                }
            }
            sinks.into_iter().map(Sink::finish).collect()
        });

        let mut pending: VecDeque<Vec<Event>> = VecDeque::new();
        let mut next = 0usize;
        while next < n {
            let hi = (next + batch).min(n);
            let outs: Vec<SliceOut> = (next..hi).into_par_iter().map(|k| generate_slice(world, k as u32)).collect();
            for out in outs {
                for ev in out.events {
                    let s = (((ev.ts - world.start_ms) / world.slice_ms) as usize).min(n - 1);
                    let off = s.saturating_sub(next);
                    while pending.len() <= off {
                        pending.push_back(Vec::new());
                    }
                    pending[off].push(ev);
                }
                for (o, t) in out.targets {
                    match t {
                        Target::Url(u) => {
                            stats.op_urls[o as usize].insert(u);
                        }
                        Target::Post(id) => {
                            stats.op_posts[o as usize].insert(id);
                        }
                    }
                }
            }
            // Slices next..hi can receive nothing more: every generator up to hi ran.
            let ready: Vec<Vec<Event>> = (next..hi).map(|_| pending.pop_front().unwrap_or_default()).collect();
            for evs in &ready {
                count(world, &op_member, &mut stats, evs);
            }
            let formatted: Formatted = ready
                .into_par_iter()
                .map(|mut evs| {
                    evs.sort_unstable_by_key(|e| e.id);
                    let mut scratch = JsonScratch::default();
                    formats
                        .iter()
                        .map(|&f| {
                            let mut out = buffers.take(evs.len() * bytes_per_event(f));
                            match f {
                                Format::Cnt => format_csv(world, &evs, &mut out),
                                Format::Twarc2 => format_jsonl(world, &evs, &twarc, &mut scratch, &mut out),
                                Format::Jetstream => format_jetstream(world, &handles, &evs, &mut scratch, &mut out),
                                Format::Mastodon => format_mastodon(world, &handles, &evs, &mut scratch, &mut out),
                            }
                            out
                        })
                        .collect()
                })
                .collect();
            if tx.send(formatted).is_err() {
                // The writer stopped on an error; joining below reports it.
                break;
            }
            next = hi;
            progress(Progress { events: stats.events, slices_done: next as u32, slices_total: n as u32 });
        }
        drop(tx);
        stats.files = writer.join().map_err(|_| GenError::Internal("the writer thread panicked".to_string()))??;
        Ok(())
    })?;
    Ok(stats)
}

/// Updates the counters with one slice's events.
fn count(world: &World, op_member: &[u64], stats: &mut Stats, evs: &[Event]) {
    for e in evs {
        let a = e.author as usize;
        stats.seen[a / 64] |= 1 << (a % 64);
        match untag(e.tag) {
            Some((o, false)) => {
                if world.accounts[a].group == Group::Op(o) {
                    stats.op_actions[a] += 1;
                }
                let st = &mut stats.ops[o as usize];
                st.events += 1;
                st.first = st.first.min(e.ts);
                st.last = st.last.max(e.ts);
            }
            Some((_, true)) => {}
            None => {
                if e.tag == ORGANIC
                    && op_member[a / 64] & (1 << (a % 64)) != 0
                    && let Group::Op(o) = world.accounts[a].group
                {
                    stats.ops[o as usize].camouflage += 1;
                }
            }
        }
    }
    stats.events += evs.len() as u64;
}
