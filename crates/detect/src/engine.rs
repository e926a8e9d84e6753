//! Runs one network over an [`Events`] table: extract → sort → sweep or
//! join → aggregate.
//!
//! Split in two steps so callers can time them and inspect what was
//! extracted: [`prepare`] (the detector's extraction, tokenisation and the
//! sort by `(key, time)`) and [`Prepared::run`] (windows or similarity join,
//! then aggregation per account). Nothing here reads a clock or prints.

use crate::aggregate::{self, Aggregation, ByAccount, Csr, DirectedEdge, Neighbours, PartEdges, Scratch};
use crate::detectors::{self, Ctx, EMPTY_URL_KEY, Extracted, KeySpace, Rows, text_index};
use crate::error::Error;
use crate::keyed::{self, Edge, KeyedActions};
use crate::network::Network;
use crate::params::{Mode, Params};
use crate::similar::{JoinInput, TokenSets};
use rayon::prelude::*;
use std::borrow::Cow;
use std::sync::Mutex;
use swarmscan_model::{Events, Interner, Sym};

/// Accounts numbered by the byte order of their ids.
#[derive(Clone, Debug)]
pub(crate) struct Ranks {
    pub(crate) rank_of: Vec<u32>,
    pub(crate) sym_of: Vec<Sym>,
}

impl Ranks {
    fn new(ev: &Events) -> Ranks {
        let mut sym_of: Vec<Sym> = (0..ev.account_ids.len() as u32).map(Sym).collect();
        sym_of.par_sort_unstable_by(|a, b| ev.account_ids.resolve(*a).cmp(ev.account_ids.resolve(*b)));
        let mut rank_of = vec![0u32; sym_of.len()];
        for (r, s) in sym_of.iter().enumerate() {
            rank_of[s.idx()] = r as u32;
        }
        Ranks { rank_of, sym_of }
    }
}

/// co_similar's records: the token sets and each sorted row's set.
#[derive(Clone, Debug)]
pub(crate) struct Similar {
    sets: TokenSets,
    doc: Vec<u32>,
    doc_of_text: Vec<u32>,
}

/// A network extracted and sorted, ready to [`run`](Prepared::run).
#[derive(Debug)]
pub struct Prepared<'a> {
    pub(crate) events: &'a Events,
    pub(crate) network: Network,
    pub(crate) params: Params,
    pub(crate) ka: KeyedActions,
    pub(crate) keys: KeySpace,
    pub(crate) multi: bool,
    pub(crate) similar: Option<Similar>,
    pub(crate) ranks: Ranks,
    /// Whether edges count distinct keys (false: every pair of actions).
    pub(crate) keyed: bool,
}

/// The edges of a run.
#[derive(Clone, Debug, PartialEq)]
pub enum Edges {
    /// Compatibility mode: the toolkit's directed edges, sorted by
    /// `(source, target)` in byte order of the account ids.
    Directed(Vec<DirectedEdge>),
    /// Default mode: undirected edges, sorted by `(a, b)` in byte order of
    /// the account ids.
    Undirected(Vec<Edge>),
}

impl Edges {
    /// Number of edges.
    pub fn len(&self) -> usize {
        match self {
            Edges::Directed(v) => v.len(),
            Edges::Undirected(v) => v.len(),
        }
    }

    /// Whether there are no edges.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Counts describing a run (all deterministic).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Stats {
    /// Rows of the network's keyed actions (an action with three URLs is
    /// three rows of co_link).
    pub keyed_actions: u64,
    /// Distinct keys.
    pub keys: u64,
    /// Keys skipped by `max_key_actors`, and their rows.
    pub hot_keys_skipped: u64,
    pub hot_actions_skipped: u64,
    /// Ordered pairs of rows inside the window (self pairs included): the
    /// aggregation's work.
    pub window_pairs: u64,
    /// co_similar: candidate pairs verified, and matches.
    pub similarity_candidates: u64,
    pub similarity_matches: u64,
    /// Edges reported.
    pub edges: u64,
}

/// The result of a run.
#[derive(Clone, Debug, PartialEq)]
pub struct Output {
    pub edges: Edges,
    pub stats: Stats,
}

fn check(network: Network, p: &Params) -> Result<(), Error> {
    if p.mode == Mode::Cnt && network.cnt_name().is_none() {
        return Err(Error::NoToolkitNetwork(network));
    }
    if p.window_ms < 0 {
        return Err(Error::Param(format!("the window must not be negative (got {} ms)", p.window_ms)));
    }
    if p.max_key_actors == Some(0) {
        return Err(Error::Param("--max-key-actors must be at least 1".into()));
    }
    Ok(())
}

/// Extracts the actions of `network` from `events` and sorts them.
pub fn prepare<'a>(events: &'a Events, network: Network, params: &Params) -> Result<Prepared<'a>, Error> {
    check(network, params)?;
    if events.len() >= (u32::MAX - 1) as usize {
        return Err(Error::TooManyRows(events.len()));
    }
    let ranks = Ranks::new(events);
    let rows = Rows::new(events);
    let cx = Ctx { ev: events, params, rank: &ranks.rank_of, rows: &rows };
    let Extracted { mut ka, keys, multi, docs } = match network {
        Network::CoRepost => detectors::co_repost::extract(&cx),
        Network::CoLink => detectors::co_link::extract(&cx),
        Network::CoReply => detectors::co_reply::extract(&cx),
        Network::CoText => detectors::co_text::extract(&cx),
        Network::CoSimilar => detectors::co_similar::extract(&cx),
        Network::CoPost => detectors::co_post::extract(&cx),
        Network::CoHashtag => detectors::co_hashtag::extract(&cx),
    };
    ka.sort();
    let similar = docs.map(|(mut sets, doc_of_text)| {
        let doc: Vec<u32> = ka.row.iter().map(|&r| doc_of_text[text_index(events, events.text[r as usize])]).collect();
        sets.rank_by_frequency(&doc);
        Similar { sets, doc, doc_of_text }
    });
    Ok(Prepared { events, network, params: params.clone(), ka, keys, multi, similar, ranks, keyed: network.is_keyed() })
}

impl<'a> Prepared<'a> {
    /// The events this run reads.
    pub fn events(&self) -> &'a Events {
        self.events
    }

    /// The network.
    pub fn network(&self) -> Network {
        self.network
    }

    /// The parameters.
    pub fn params(&self) -> &Params {
        &self.params
    }

    /// The extracted actions, sorted.
    pub fn keyed_actions(&self) -> &KeyedActions {
        &self.ka
    }

    /// Number of accounts (ranks are `0..accounts()`).
    pub fn accounts(&self) -> usize {
        self.ranks.sym_of.len()
    }

    /// The account id of an account rank.
    pub fn account_id(&self, rank: u32) -> &'a str {
        self.events.account_ids.resolve(self.account_sym(rank))
    }

    /// The account symbol of an account rank.
    pub fn account_sym(&self, rank: u32) -> Sym {
        self.ranks.sym_of[rank as usize]
    }

    /// Every account's symbol, by rank (the same for every network of an
    /// [`Events`]).
    pub fn account_syms(&self) -> &[Sym] {
        &self.ranks.sym_of
    }

    /// Heap bytes held (actions, ranks, the level's own keys and co_similar's
    /// token sets), for memory budgets.
    pub fn heap_bytes(&self) -> usize {
        let keys = match &self.keys {
            KeySpace::Local(i) => i.heap_bytes(),
            KeySpace::Texts(rep) => rep.capacity() * 4,
            _ => 0,
        };
        let similar = self
            .similar
            .as_ref()
            .map_or(0, |s| s.sets.heap_bytes() + (s.doc.capacity() + s.doc_of_text.capacity()) * 4);
        self.ka.heap_bytes() + (self.ranks.rank_of.capacity() + self.ranks.sym_of.capacity()) * 4 + keys + similar
    }

    /// The text of a key, or `None` for networks without keys.
    pub fn key(&self, key: u32) -> Option<Cow<'_, str>> {
        Some(match &self.keys {
            KeySpace::None => return None,
            KeySpace::Posts => self.events.keys.resolve(Sym(key)).into(),
            KeySpace::Strings if key == EMPTY_URL_KEY => Cow::Borrowed(""),
            KeySpace::Strings => Cow::Borrowed(self.events.strings.resolve(Sym(key))),
            KeySpace::Local(i) => Cow::Borrowed(i.resolve(Sym(key))),
            KeySpace::Texts(rep) => Cow::Owned(detectors::co_text::name(self.events, rep[key as usize])),
        })
    }

    /// co_similar: the similarity of two event rows' texts (`None` for other
    /// networks or rows that did not take part).
    pub fn similarity(&self, row_a: u32, row_b: u32) -> Option<f64> {
        let s = self.similar.as_ref()?;
        let doc = |r: u32| {
            let text = self.events.text.get(r as usize)?;
            let d = s.doc_of_text[text_index(self.events, *text)];
            (d != u32::MAX).then(|| s.sets.get(d as usize))
        };
        Some(crate::similar::cnt_similarity(doc(row_a)?, doc(row_b)?, self.params.min_doc_tokens))
    }

    /// The same actions under other keys: `key[i]` is the new key of sorted
    /// row `i` of [`Prepared::keyed_actions`] and `names` resolves the new
    /// keys (`None`: keys have no names, [`Prepared::key`] is `None`); rows whose new key is `u32::MAX` are left out. The result is re-sorted and always keyed (edges count distinct
    /// shared keys), so a caller can regroup actions — posts by their
    /// author, texts by their near-duplicate cluster — and reuse the sweep.
    /// Only the default mode can be rekeyed.
    pub fn rekey(&self, key: &[u32], names: Option<Interner>, params: &Params) -> Result<Prepared<'a>, Error> {
        if params.mode != Mode::Default {
            return Err(Error::Param("only the default mode can be rekeyed".into()));
        }
        check(self.network, params)?;
        assert_eq!(key.len(), self.ka.len(), "one new key per sorted row");
        let mut ka = KeyedActions::default();
        for (i, &k) in key.iter().enumerate() {
            if k != u32::MAX {
                ka.push(k, self.ka.ts_ms[i], self.ka.account[i], self.ka.row[i]);
            }
        }
        ka.sort();
        Ok(Prepared {
            events: self.events,
            network: self.network,
            params: params.clone(),
            ka,
            keys: names.map_or(KeySpace::None, KeySpace::Local),
            multi: self.multi,
            similar: None,
            ranks: self.ranks.clone(),
            keyed: true,
        })
    }

    /// co_similar: the connected components of the pairs of sorted rows
    /// within the window whose similarity reaches the threshold, without
    /// listing them ([`crate::similar::join_components`]): each sorted row's
    /// component as its smallest row, `u32::MAX` for rows that match nothing
    /// (`None` for other networks).
    pub fn similar_components(&self) -> Option<Vec<u32>> {
        Some(crate::similar::join_components(&self.join_input()?).0)
    }

    /// The similarity join's input (co_similar only).
    fn join_input(&self) -> Option<JoinInput<'_>> {
        let sim = self.similar.as_ref()?;
        let p = &self.params;
        Some(JoinInput {
            ts_ms: &self.ka.ts_ms,
            doc: &sim.doc,
            sets: &sim.sets,
            window_ms: p.window_ms,
            threshold: p.similarity,
            min_doc: p.min_doc_tokens,
        })
    }

    /// The account rank of an account id's symbol.
    pub fn rank_of(&self, account: Sym) -> u32 {
        self.ranks.rank_of[account.idx()]
    }

    /// Computes the network.
    pub fn run(&self) -> Output {
        let mut directed = Vec::new();
        let mut undirected = Vec::new();
        let stats = self.run_streaming(
            |part| part.clone(),
            |part| match part {
                PartEdges::Directed(v) => directed.extend(v),
                PartEdges::Undirected(v) => undirected.extend(v),
            },
        );
        let edges = match self.params.mode {
            Mode::Cnt => Edges::Directed(directed),
            Mode::Default => Edges::Undirected(undirected),
        };
        Output { edges, stats }
    }

    /// Computes the network and hands its edges to `sink` part by part, in
    /// output order. `per_part` runs on the parts in parallel (to format
    /// them, say); only a few parts per thread are held at a time, so memory
    /// does not grow with the number of edges.
    pub fn run_streaming<T: Send>(&self, per_part: impl Fn(&PartEdges) -> T + Sync, mut sink: impl FnMut(T)) -> Stats {
        let p = &self.params;
        let mut stats = Stats { keyed_actions: self.ka.len() as u64, ..Stats::default() };
        match self.join_input() {
            Some(inp) => {
                let (pairs, js) = crate::similar::join(&inp);
                stats.similarity_candidates = js.candidates;
                stats.similarity_matches = js.matches;
                let mut directed: Vec<(u32, u32)> = Vec::with_capacity(pairs.len() * 2);
                for &(x, y) in &pairs {
                    directed.push((x, y));
                    directed.push((y, x));
                }
                drop(pairs);
                if p.mode == Mode::Cnt {
                    for x in 0..self.ka.len() {
                        if inp.similarity(x, x) >= p.similarity {
                            directed.push((x as u32, x as u32));
                        }
                    }
                }
                let csr = Csr::from_pairs(self.ka.len(), &directed);
                drop(directed);
                stats.window_pairs = csr.targets.len() as u64;
                stats.edges = self.stream(&csr, &per_part, &mut sink);
            }
            None => {
                let (w, ws) = keyed::windows(&self.ka, p.window_ms, p.max_key_actors);
                stats.keys = ws.keys;
                stats.hot_keys_skipped = ws.hot_keys_skipped;
                stats.hot_actions_skipped = ws.hot_rows_skipped;
                stats.window_pairs = ws.window_pairs;
                stats.edges = self.stream(&w, &per_part, &mut sink);
            }
        }
        stats
    }

    fn aggregation(&self) -> Aggregation {
        let p = &self.params;
        match p.mode {
            Mode::Cnt => Aggregation::Directed { min_weight: p.min_weight, loops: p.loops, multi: self.multi },
            Mode::Default => Aggregation::Undirected {
                keyed: self.keyed,
                min_weight: p.min_weight,
                evidence: p.evidence,
                weights_only: p.weights_only,
            },
        }
    }

    /// Aggregates in waves of parts: each wave runs in parallel, then its
    /// results go to `sink` in order. Returns the number of edges.
    fn stream<T: Send>(
        &self,
        nb: &impl Neighbours,
        per_part: &(impl Fn(&PartEdges) -> T + Sync),
        sink: &mut impl FnMut(T),
    ) -> u64 {
        let n_accounts = self.ranks.sym_of.len();
        let threads = rayon::current_num_threads();
        let by = ByAccount::new(&self.ka, n_accounts);
        let parts = by.parts(nb, threads * 256);
        let how = self.aggregation();
        // One scratch per worker, reused across waves.
        let pool: Vec<Mutex<Option<Scratch>>> = (0..threads).map(|_| Mutex::new(None)).collect();
        let mut edges = 0u64;
        for wave in parts.chunks(threads * 2) {
            let out: Vec<(usize, T)> = wave
                .par_iter()
                .map(|r| {
                    let mut slot = pool.iter().find_map(|m| m.try_lock().ok());
                    let mut own = None;
                    let s = match slot.as_deref_mut() {
                        Some(s) => s.get_or_insert_with(|| Scratch::new(n_accounts)),
                        None => own.insert(Scratch::new(n_accounts)),
                    };
                    let e = aggregate::aggregate_part(&self.ka, nb, &by, r.clone(), how, s);
                    (e.len(), per_part(&e))
                })
                .collect();
            for (n, t) in out {
                edges += n as u64;
                sink(t);
            }
        }
        edges
    }
}

/// [`prepare`] and [`Prepared::run`] in one call.
pub fn compute(events: &Events, network: Network, params: &Params) -> Result<Output, Error> {
    Ok(prepare(events, network, params)?.run())
}
