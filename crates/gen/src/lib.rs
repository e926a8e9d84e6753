//! Synthetic social-media activity with planted coordinated operations and
//! ground-truth labels, for swarmscan's development, tests, demos and
//! benchmarks (`swarmscan gen`).
//!
//! ```text
//!  GenConfig ──► World::build ──► (accounts, fan groups, operations, schedule)
//!                                   │ read-only, shared
//!            ┌──────────────────────┴──────────────────────┐
//!            ▼ rayon, one RNG per (seed, slice)            ▼
//!     slice k: organic posts + scheduled actions + follow-ups (may spill forward)
//!            │ events bucketed by the slice they fall in
//!            ▼ a slice is complete once every earlier generator ran
//!     sort by id ─► format each file (rayon) ─► append in slice order
//!            ▼ at the end
//!     labels.csv (accounts that appear) + operations.json (ground truth)
//! ```
//!
//! Output is byte-identical for the same [`GenConfig`], whatever the number
//! of threads: every slice draws from its own stream derived from
//! `(seed, slice index)`, ids are unique snowflakes, and everything written
//! is ordered by id. Memory is bounded by the world (`O(accounts)`) plus a
//! few slices of events, so `scale` can go to 100+ (10⁸ events).
//!
//! See `crates/gen/README.md` for the model, its parameters and why the data
//! is hard for fixed-threshold detectors.
//!
//! Event files: toolkit CSV, flattened twarc2, Bluesky Jetstream and
//! Mastodon statuses ([`Format`]), all holding the same events.
//!
//! Architecture Invariant: this crate knows only the formats it writes; it
//! depends on no other swarmscan crate, and never reads input.
//!
//! ```no_run
//! use swarmscan_gen::{GenConfig, generate};
//! let cfg = GenConfig { scale: 0.1, seed: 7, ..GenConfig::default() };
//! let summary = generate(&cfg, std::path::Path::new("out")).expect("generate");
//! assert!(summary.events > 0);
//! ```

mod domains;
mod event;
mod pipeline;
mod rng;
mod scenario;
mod slice;
mod stream;
mod text;
mod time;
mod truth;
mod vocab;
mod world;
mod write;

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

pub use crate::scenario::{PRESETS, Preset, Scenario, preset};
use crate::world::World;

/// 2024-07-29T00:00:00Z (a Monday), the default start of the period.
pub const DEFAULT_START_MS: i64 = 1_722_211_200_000;

/// An event file format the generator can write. Every event file holds the
/// same events in the same (time) order; `--formats` names them by
/// [`Format::as_str`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    /// coordination-network-toolkit 8-column CSV: `events.csv`.
    Cnt,
    /// twarc2 flattened JSONL, one tweet per line: `events.jsonl`.
    Twarc2,
    /// Bluesky Jetstream v1 commit events, one per line, as the Jetstream
    /// websocket sends them: `events.jetstream.jsonl`.
    Jetstream,
    /// Mastodon API `Status` objects, one per line (the `payload` of the
    /// streaming API's `update` events): `events.mastodon.jsonl`.
    Mastodon,
}

impl Format {
    /// Every format, in the order files are written.
    pub const ALL: [Format; 4] = [Format::Cnt, Format::Twarc2, Format::Jetstream, Format::Mastodon];

    /// File name written for this format.
    pub fn file_name(self) -> &'static str {
        match self {
            Format::Cnt => "events.csv",
            Format::Twarc2 => "events.jsonl",
            Format::Jetstream => "events.jetstream.jsonl",
            Format::Mastodon => "events.mastodon.jsonl",
        }
    }

    /// The format's name (`cnt`, `twarc2`, `jetstream`, `mastodon`; also
    /// its serde name).
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Cnt => "cnt",
            Format::Twarc2 => "twarc2",
            Format::Jetstream => "jetstream",
            Format::Mastodon => "mastodon",
        }
    }
}

impl std::str::FromStr for Format {
    type Err = String;

    /// Parses a name of [`Format::as_str`].
    fn from_str(s: &str) -> Result<Self, String> {
        Format::ALL.into_iter().find(|f| f.as_str() == s).ok_or_else(|| {
            let names: Vec<&str> = Format::ALL.iter().map(|f| f.as_str()).collect();
            format!("unknown generator format `{s}`; use one of {}", names.join(", "))
        })
    }
}

/// Kinds of planted operations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OpKind {
    /// Links to lookalike domains of real outlets, pushed by several members
    /// within minutes.
    ClonedNews,
    /// Members repost each other's and amplified accounts' posts within 1–2 min.
    RepostRing,
    /// Near-duplicate texts from a template with per-member edits.
    Copypasta,
    /// Members reply to the same target posts (journalists) within minutes.
    ReplySwarm,
    /// Members share the same URLs spread over hours.
    SlowLink,
    /// Members post the same hashtag set within minutes.
    HashtagPush,
}

impl OpKind {
    /// Every kind, in label order.
    pub const ALL: [OpKind; 6] = [
        OpKind::ClonedNews,
        OpKind::RepostRing,
        OpKind::Copypasta,
        OpKind::ReplySwarm,
        OpKind::SlowLink,
        OpKind::HashtagPush,
    ];

    /// The kind as written in labels (`cloned_news`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            OpKind::ClonedNews => "cloned_news",
            OpKind::RepostRing => "repost_ring",
            OpKind::Copypasta => "copypasta",
            OpKind::ReplySwarm => "reply_swarm",
            OpKind::SlowLink => "slow_link",
            OpKind::HashtagPush => "hashtag_push",
        }
    }

    pub(crate) fn description(self) -> &'static str {
        match self {
            OpKind::ClonedNews => {
                "links to lookalike domains of real outlets, each article pushed by 3-8 members within 5 minutes"
            }
            OpKind::RepostRing => {
                "members repost seed posts (by amplified accounts or members) within 5-150 s, 30-55% of members per post"
            }
            OpKind::Copypasta => {
                "near-duplicate texts from 2-3 templates with per-member edits, posted within 7 minutes"
            }
            OpKind::ReplySwarm => "3-12 members reply to a journalist's post within about 2-30 minutes",
            OpKind::SlowLink => "3-8 members share the same URL on an invented site spread over 20 minutes to 10 hours",
            OpKind::HashtagPush => "30-60% of members post the same hashtag set within 5 minutes",
        }
    }
}

/// Generator settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GenConfig {
    /// Millions of events, approximately (0.1 ≈ 100k events).
    pub scale: f64,
    /// Seed of every random choice; same seed and scale → identical files.
    pub seed: u64,
    /// Event files to write (duplicates are ignored). `labels.csv` and
    /// `operations.json` are always written.
    pub formats: Vec<Format>,
    /// Start of the seven generated days, Unix ms.
    pub start_ms: i64,
    /// The kind of collection (focus, operation share, participation, …);
    /// the default is the original model.
    #[serde(default)]
    pub scenario: Scenario,
}

impl Default for GenConfig {
    fn default() -> Self {
        Self {
            scale: 0.1,
            seed: 42,
            formats: vec![Format::Cnt, Format::Twarc2],
            start_ms: DEFAULT_START_MS,
            scenario: Scenario::default(),
        }
    }
}

/// Per-operation summary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OpSummary {
    /// Label of its members, e.g. `op_cloned_news_0`.
    pub id: String,
    /// What kind of operation it is.
    pub kind: OpKind,
    /// Members that appear in the events.
    pub members: u64,
    /// Events that are the operation's own actions.
    pub events: u64,
    /// Other (organic-looking) events by its members.
    pub camouflage_events: u64,
    /// Distinct targets (URLs, posts, hashtags, texts).
    pub targets: u64,
    /// First operation action, Unix ms (the scheduled start if none was written).
    pub start_ms: i64,
    /// Last operation action, Unix ms (the scheduled end if none was written).
    pub end_ms: i64,
}

/// What [`generate`] wrote.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GenSummary {
    /// Events written (per format; every event file holds the same events).
    pub events: u64,
    /// Accounts that appear in the events (= rows of `labels.csv`).
    pub accounts: u64,
    /// One entry per planted operation, in label order.
    pub operations: Vec<OpSummary>,
    /// Files written, in a fixed order.
    pub files: Vec<PathBuf>,
}

/// Progress report passed to [`generate_with_progress`] after each batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    /// Events written so far.
    pub events: u64,
    /// Time slices written so far.
    pub slices_done: u32,
    /// Time slices in the period.
    pub slices_total: u32,
}

/// Errors of the generator.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum GenError {
    /// The configuration cannot be generated.
    #[error("invalid generator configuration: {0}")]
    InvalidConfig(String),
    /// Creating or writing an output file failed.
    #[error("cannot write {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// Serialising `operations.json` failed (a bug).
    #[error("internal error (a bug) serialising {path}: {source}")]
    Json {
        path: PathBuf,
        #[source]
        source: serde_json::Error,
    },
    /// Something that cannot happen did (a bug).
    #[error("internal error (a bug): {0}")]
    Internal(String),
}

/// Generates the data set described by `cfg` into `out_dir` (created if
/// missing; existing files of the same names are replaced, only once every
/// new file is written whole).
pub fn generate(cfg: &GenConfig, out_dir: &Path) -> Result<GenSummary, GenError> {
    generate_with_progress(cfg, out_dir, &mut |_| {})
}

/// Like [`generate`], calling `progress` after every batch of slices.
pub fn generate_with_progress(
    cfg: &GenConfig,
    out_dir: &Path,
    progress: &mut dyn FnMut(Progress),
) -> Result<GenSummary, GenError> {
    let world = World::build(cfg)?;
    std::fs::create_dir_all(out_dir).map_err(|source| GenError::Io { path: out_dir.to_path_buf(), source })?;
    let mut formats: Vec<Format> = cfg.formats.clone();
    formats.sort();
    formats.dedup();
    let mut stats = pipeline::run(&world, out_dir, &formats, progress)?;
    // Every file is written whole before any takes its name: a failed run
    // leaves the directory as it was.
    let mut written = std::mem::take(&mut stats.files);
    let (labels, accounts) = truth::write_labels(&world, &stats, out_dir)?;
    written.push(labels);
    let (ops, operations) = truth::write_operations(cfg, &world, &stats, accounts, out_dir)?;
    written.push(ops);
    let files = written.into_iter().map(pipeline::Written::commit).collect::<Result<Vec<_>, _>>()?;
    Ok(GenSummary { events: stats.events, accounts, operations, files })
}
