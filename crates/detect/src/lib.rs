//! Co-action networks: which accounts act alike, on the same things, at the
//! same time.
//!
//! Seven networks ([`Network`]), each documented in its own module under
//! [`detectors`]: co_repost, co_link, co_reply, co_text, co_similar, co_post
//! and co_hashtag. Two semantics ([`Mode`]):
//!
//! * **Default**: undirected edges between distinct accounts, weighted by
//!   the number of distinct shared keys, with the number of co-action pairs,
//!   the closest and median time difference, and evidence (the shared keys
//!   and the pairs of posts that made the edge).
//! * **Cnt**: coordination-network-toolkit 1.5.2's edge lists row for row
//!   (`shared/peers/cnt/SEMANTICS.md`), quirks included, so results can be
//!   compared with published work.
//!
//! # Pipeline
//!
//! ```text
//!  Events ──detector──▶ KeyedActions ──sort (key, ts)──▶ sorted batch
//!                         (key, ts, account, row)              │
//!             ┌────────────────────────────────────────────────┤
//!             ▼ keyed networks                                 ▼ co_similar
//!   windows: two-pointer sweep per key          prefix-filtered Jaccard join
//!   (lo..hi of every row, ±W inclusive)         in a sliding time window
//!             │                                                │ (CSR of matches)
//!             └──────────────▶ aggregate per account ◀─────────┘
//!                    directed (toolkit) │ undirected + evidence (default)
//!                                       ▼
//!                           edges sorted by account ids ──▶ output (CSV, JSONL)
//! ```
//!
//! The kernels ([`keyed::windows`], [`keyed::sweep_pairs`],
//! [`similar::join`]) take and return plain columnar batches and hold no
//! global state: they run per key partition on all cores with rayon, and
//! can run unchanged in distributed executors (each executor sorting its hash
//! partition of the keys). See [`aggregate`] for the memory model.
//!
//! ```
//! use swarmscan_detect::{Mode, Network, Params, compute, Edges};
//! use swarmscan_model::{Events, Kind, RawEvent};
//!
//! let mut ev = Events::new();
//! for (post, account, s) in [("1", "a", 10), ("2", "b", 20), ("3", "a", 500), ("4", "b", 505)] {
//!     let target = if s < 100 { "X" } else { "Y" };
//!     ev.push(&RawEvent {
//!         post_id: post, account_id: account, ts_ms: s * 1000,
//!         kind: Some(Kind::Repost), target: Some(target), ..Default::default()
//!     });
//! }
//! let out = compute(&ev, Network::CoRepost, &Params::new(Mode::Default)).unwrap();
//! let Edges::Undirected(edges) = out.edges else { unreachable!() };
//! assert_eq!((edges.len(), edges[0].weight, edges[0].pairs), (1, 2, 2));
//! ```
//!
//! Architecture Invariant: this crate knows no input format (it reads
//! [`swarmscan_model::Events`]), prints nothing and reads no clock; the same
//! input and parameters give byte-identical outputs whatever the number of
//! threads.

pub mod aggregate;
pub mod detectors;
mod engine;
mod error;
pub mod keyed;
mod network;
pub mod output;
mod params;
pub mod similar;
mod spill;
pub mod summarize;
pub mod text;
pub mod url_canon;
pub mod wordbreak;
mod wordbreak_table;

pub use aggregate::{DirectedEdge, PartEdges};
pub use engine::{Edges, Output, Prepared, Stats, compute, prepare};
pub use error::Error;
pub use keyed::{Edge, Evidence, KeyedActions, PairBatch};
pub use network::{Network, UnknownNetwork};
pub use params::{Mode, Params};
