//! The platform-neutral event model every other swarmscan crate speaks.
//!
//! A data set is an [`Events`] table: one row per action (post, repost, reply,
//! quote, forward, like) stored column by column, with every repeated string
//! (post ids, account ids, handles, URLs, hashtags, texts) interned once in an
//! [`Interner`] (post ids in [`Keys`], which holds numeric ids as numbers) and
//! referenced by a [`Sym`]. The layout is chosen so that
//!
//! * sorting by `(key, time)` is a sort of small fixed-size tuples
//!   (`u32` key, `i64` milliseconds, `u32` row), never of strings;
//! * an interner *is* an Arrow string array (a byte arena plus `i64` offsets),
//!   so exporting to Arrow/Parquet hands over its buffers instead of
//!   reshaping (the packed row columns — kind, platform, language, lists —
//!   are unpacked once on export);
//! * two tables read in parallel merge by re-interning each distinct string once
//!   ([`Events::append`]), so readers need no shared mutable state.
//!
//! Architecture Invariant: this crate knows no input format and no output
//! format, and depends on nothing heavier than a hash table.

mod events;
mod intern;
mod keys;
mod time;

pub use events::{Account, EventRef, Events, Kind, Platform, RawEvent, RawUrl};
pub use intern::{Interner, Sym};
pub use keys::{KeyStr, Keys};
pub use time::{format_rfc3339_ms, parse_rfc3339_ms};
