//! One module per network: which actions take part and what their key is.
//!
//! A detector turns an [`Events`] table into [`KeyedActions`] (plus, for
//! co_similar, token sets); everything after that — sorting, the window
//! sweep, the aggregation — is shared and lives in [`crate::keyed`],
//! [`crate::similar`] and [`crate::aggregate`]. Each module's documentation
//! (what it detects, why it indicates coordination, evidence emitted, known
//! false positives, references) is also the user documentation of the
//! network.
//!
//! Both modes are described in each module: the default mode, and the
//! coordination-network-toolkit 1.5.2 compatibility mode ([`Mode::Cnt`]).
//! Rules shared by all detectors:
//!
//! * **Which rows.** In compatibility mode only the first record of each
//!   message id takes part (the toolkit's `INSERT OR IGNORE`), except in
//!   co_link (see there). In the default mode a row repeating an earlier
//!   row's (message id, account) is dropped; nothing else is.
//! * **Kinds.** The toolkit knows reposts (`repost_id` set) and replies.
//!   Compatibility mode treats `repost`, `forward` and `like` as reposts
//!   (the toolkit's own likes importer turns likes into reposts) and every
//!   other kind as a message of its own. The default mode counts `repost`
//!   and `forward` as reshares (co_repost), `post`, `reply` and `quote` as
//!   own content (co_link, co_text, co_similar, co_hashtag), and every kind in
//!   co_post.
//!
//! # Compatibility mode: known deviations from the toolkit
//!
//! Checked by `scripts/cnt_differential.sh` (identical CSVs on generated
//! data with corner cases) and by the 17-row semantics fixture. What it
//! does not reproduce, all outside ordinary data:
//!
//! * **Empty URL pieces.** The toolkit splits `urls` on single spaces, so a
//!   double, leading or trailing space adds a `""` URL to a message that has
//!   other URLs; swarmscan's reader drops empty pieces (an empty field does
//!   get the `""` URL here too). The reader also reads a Python list literal
//!   (`['http://a', 'http://b']`) as its URLs, where the toolkit splits it on
//!   spaces.
//! * **Time.** The toolkit compares seconds as doubles, swarmscan integer
//!   milliseconds (the reader rounds). The results agree for timestamps with
//!   at most three decimals whose window ends stay within one power of two
//!   (all Unix times from 2004 to 2038); finer timestamps are rounded.
//! * **Unicode versions.** Lowercasing follows Rust's Unicode (17.0), the
//!   toolkit its Python's (3.11: 14.0), so characters encoded in between
//!   (Garay, …) and final-sigma contexts next to them can differ. Word
//!   boundaries come from the toolkit's own `regex` module tables
//!   ([`crate::wordbreak`]), so they agree.
//! * **Errors.** Rows with other than 8 fields, or `nan`/`inf` timestamps,
//!   are skipped and reported (the toolkit aborts, or accepts `nan`). With
//!   `--min-doc-tokens 0`, two empty token sets have no similarity here; the
//!   toolkit raises `ZeroDivisionError`.
//! * **Other inputs.** Compatibility mode reproduces the toolkit's CSV
//!   semantics on events from any reader; the quirks of its JSON importers
//!   (the lost first tweet of each v1.1 file) are not reproduced.

pub mod co_hashtag;
pub mod co_link;
pub mod co_post;
pub mod co_reply;
pub mod co_repost;
pub mod co_similar;
pub mod co_text;

use crate::keyed::KeyedActions;
use crate::params::{Mode, Params};
use crate::similar::TokenSets;
use rayon::prelude::*;
use rustc_hash::FxHashMap;
use swarmscan_model::{Events, Interner, Kind, Sym};

/// What the keys of a network's [`KeyedActions`] name.
#[derive(Clone, Debug)]
pub enum KeySpace {
    /// No keys (co_post, co_similar).
    None,
    /// Post ids in [`Events::keys`] (co_repost, co_reply).
    Posts,
    /// Strings in [`Events::strings`], with [`EMPTY_URL_KEY`] for the
    /// toolkit's `""` URL (co_link in compatibility mode).
    Strings,
    /// Keys made by the detector (canonical URLs, hashtag sets).
    Local(Interner),
    /// co_text's normalised texts, each held as the [`text_index`] of the
    /// first text that normalises to it and normalised again when its name
    /// is asked for ([`co_text::name`]), so the normalised texts are never
    /// all in memory (4 bytes a key instead of the text and its table).
    Texts(Vec<u32>),
}

/// The key of the toolkit's empty URL in [`KeySpace::Strings`].
pub const EMPTY_URL_KEY: u32 = u32::MAX - 1;

/// Per-row facts every detector needs.
#[derive(Clone, Debug)]
pub(crate) struct Rows {
    /// Whether the row is the first record of its message id.
    pub first_post: Vec<bool>,
    /// The first row with the same (message id, account).
    pub canon: Vec<u32>,
}

impl Rows {
    pub fn new(ev: &Events) -> Rows {
        let n = ev.len();
        let mut first_row = vec![u32::MAX; ev.keys.len()];
        let mut dups: FxHashMap<(u32, u32), u32> = FxHashMap::default();
        let mut first_post = vec![false; n];
        let mut canon = vec![0u32; n];
        for r in 0..n {
            let p = ev.post[r].idx();
            let a = ev.account[r];
            let f = first_row[p];
            if f == u32::MAX {
                first_row[p] = r as u32;
                first_post[r] = true;
                canon[r] = r as u32;
            } else if ev.account[f as usize] == a {
                canon[r] = f;
            } else {
                canon[r] = *dups.entry((p as u32, a.0)).or_insert(r as u32);
            }
        }
        Rows { first_post, canon }
    }
}

/// What a detector sees.
pub(crate) struct Ctx<'a> {
    pub ev: &'a Events,
    pub params: &'a Params,
    /// Account sym → rank (byte order of account ids).
    pub rank: &'a [u32],
    pub rows: &'a Rows,
}

impl Ctx<'_> {
    pub fn compat(&self) -> bool {
        self.params.mode == Mode::Cnt
    }

    /// Whether row `r` takes part at all (see the module docs).
    #[inline]
    pub fn selected(&self, r: usize) -> bool {
        if self.compat() { self.rows.first_post[r] } else { self.rows.canon[r] as usize == r }
    }

    /// Whether row `r` is a reshare of another post in this mode.
    #[inline]
    pub fn is_reshare(&self, r: usize) -> bool {
        let k = self.ev.kind(r);
        if self.compat() {
            matches!(k, Kind::Repost | Kind::Forward | Kind::Like)
        } else {
            matches!(k, Kind::Repost | Kind::Forward)
        }
    }

    /// Whether row `r` carries content of its own (text, URLs, hashtags).
    #[inline]
    pub fn own_content(&self, r: usize) -> bool {
        if self.compat() {
            !self.is_reshare(r)
        } else {
            matches!(self.ev.kind(r), Kind::Post | Kind::Reply | Kind::Quote)
        }
    }

    /// Appends row `r` with `key`.
    #[inline]
    pub fn push(&self, ka: &mut KeyedActions, key: u32, r: usize) {
        ka.push(key, self.ev.ts_ms[r], self.rank[self.ev.account[r].idx()], self.rows.canon[r]);
    }

    /// The actions of `rows` (in that order) that `key` gives a key, built
    /// in parallel: what pushing each row with [`Ctx::push`] gives.
    pub fn keyed(&self, rows: &[usize], key: impl Fn(usize) -> Option<u32> + Sync) -> KeyedActions {
        let kept: Vec<(u32, u32)> = rows.par_iter().filter_map(|&r| key(r).map(|k| (k, r as u32))).collect();
        let ev = self.ev;
        KeyedActions {
            key: kept.par_iter().map(|x| x.0).collect(),
            ts_ms: kept.par_iter().map(|x| ev.ts_ms[x.1 as usize]).collect(),
            account: kept.par_iter().map(|x| self.rank[ev.account[x.1 as usize].idx()]).collect(),
            row: kept.par_iter().map(|x| self.rows.canon[x.1 as usize]).collect(),
        }
    }

    /// Rows that take part and satisfy `keep`, in row order.
    pub fn rows_where(&self, keep: impl Fn(usize) -> bool + Sync) -> Vec<usize> {
        (0..self.ev.len()).into_par_iter().filter(|&r| self.selected(r) && keep(r)).collect()
    }
}

/// A detector's output.
pub(crate) struct Extracted {
    pub ka: KeyedActions,
    pub keys: KeySpace,
    /// Whether one message may have several rows (co_link).
    pub multi: bool,
    /// co_similar: the token sets, and the set of each event row's text
    /// (`u32::MAX` where unused).
    pub docs: Option<(TokenSets, Vec<u32>)>,
}

/// The index of a text sym in per-text tables: `Sym::NONE` (no text) is
/// `texts.len()`.
#[inline]
pub(crate) fn text_index(ev: &Events, s: Sym) -> usize {
    if s.is_none() { ev.texts.len() } else { s.idx() }
}
