//! What a network run is asked for: the mode and its parameters.

/// Which semantics to compute.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Mode {
    /// swarmscan's networks: undirected, no self-pairs, canonical URLs,
    /// weights counting distinct shared keys, with evidence.
    #[default]
    Default,
    /// coordination-network-toolkit 1.5.2, row for row: directed weights
    /// counting messages, self-matches, raw URLs, the toolkit's quirks
    /// (`shared/peers/cnt/SEMANTICS.md`).
    Cnt,
}

/// Parameters of one network run. [`Params::new`] gives each mode's
/// defaults.
#[derive(Clone, Debug, PartialEq)]
pub struct Params {
    pub mode: Mode,
    /// Two actions co-occur when their times differ by at most this
    /// (inclusive), in milliseconds.
    pub window_ms: i64,
    /// Edges lighter than this are not reported (per direction in
    /// compatibility mode).
    pub min_weight: u32,
    /// co_similar: pairs with Jaccard similarity `≥` this match.
    pub similarity: f64,
    /// co_similar: token sets smaller than this have similarity 0 (the
    /// toolkit's `--min_document_size_similarity`).
    pub min_doc_tokens: usize,
    /// Default mode: evidence items per edge.
    pub evidence: usize,
    /// Compatibility mode: also report self-loops `u → u`.
    pub loops: bool,
    /// Skip keys with more distinct accounts than this (off by default).
    pub max_key_actors: Option<usize>,
    /// Default mode: compute only each edge's `weight` and `pairs` (its
    /// times and evidence are left zero and empty). A scan's tests need no
    /// more, and skip keeping each shared key's best pair.
    pub weights_only: bool,
}

impl Params {
    /// The defaults of a mode. Compatibility mode takes the toolkit
    /// command line's defaults (`compute_networks … compute`): window 1 s,
    /// min weight 2, similarity 0.8, min document size 1. (The toolkit's
    /// README says the window defaults to 60 s; its CLI uses 1 s.) The
    /// default mode uses a 60 s window and min weight 2.
    pub fn new(mode: Mode) -> Params {
        Params {
            mode,
            window_ms: match mode {
                Mode::Default => 60_000,
                Mode::Cnt => 1_000,
            },
            min_weight: 2,
            similarity: 0.8,
            min_doc_tokens: 1,
            evidence: 5,
            loops: false,
            max_key_actors: None,
            weights_only: false,
        }
    }
}
