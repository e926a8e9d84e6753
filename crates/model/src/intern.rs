//! String interning into one contiguous arena.
//!
//! Why not `HashMap<String, u32>`: one heap allocation per distinct string and
//! no cheap path to Arrow. Here the strings live back to back in `bytes`, with
//! `offsets[i]..offsets[i+1]` delimiting string `i` — exactly Arrow's
//! `LargeStringArray` layout — and the hash table stores only `u32` indices.

use hashbrown::HashTable;
use std::hash::BuildHasher;

/// An interned string: an index into one [`Interner`].
///
/// `Sym::NONE` marks an absent value (no target, no text, no language).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Default, bytemuck::Pod, bytemuck::Zeroable)]
#[repr(transparent)]
pub struct Sym(pub u32);

impl Sym {
    /// The absent value.
    pub const NONE: Sym = Sym(u32::MAX);

    /// Whether this is [`Sym::NONE`].
    #[inline]
    pub fn is_none(self) -> bool {
        self == Sym::NONE
    }

    /// `None` for [`Sym::NONE`], else `Some(self)`.
    #[inline]
    pub fn get(self) -> Option<Sym> {
        if self.is_none() { None } else { Some(self) }
    }

    /// The index as `usize`, for slicing columns.
    #[inline]
    pub fn idx(self) -> usize {
        self.0 as usize
    }
}

/// A set of distinct strings, each numbered in first-seen order.
///
/// Numbering in first-seen order keeps everything deterministic: the same
/// input read in the same order always yields the same `Sym`s.
#[derive(Clone, Default)]
pub struct Interner {
    /// The strings back to back: a `String`, so that resolving a string is
    /// a slice at checked boundaries, not a UTF-8 validation.
    bytes: String,
    offsets: Vec<i64>,
    table: HashTable<u32>,
    hasher: foldhash::fast::FixedState,
    /// Each string's hash, kept only by interners made to be absorbed
    /// ([`Interner::keeping_hashes`]): the hash is computed where the string
    /// is read, in parallel, and not again by the sequential merge.
    hashes: Option<Vec<u64>>,
}

impl std::fmt::Debug for Interner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Interner").field("len", &self.len()).field("bytes", &self.bytes.len()).finish()
    }
}

impl Interner {
    /// An empty interner.
    pub fn new() -> Self {
        Interner {
            bytes: String::new(),
            offsets: vec![0],
            table: HashTable::new(),
            hasher: Default::default(),
            hashes: None,
        }
    }

    /// An empty interner that keeps each string's hash for
    /// [`Interner::absorb`] into another (8 bytes a string, until
    /// [`Interner::drop_hashes`]).
    pub fn keeping_hashes() -> Self {
        Interner { hashes: Some(Vec::new()), ..Interner::new() }
    }

    /// Stops keeping hashes and frees them.
    pub fn drop_hashes(&mut self) {
        self.hashes = None;
    }

    /// Number of distinct strings.
    #[inline]
    pub fn len(&self) -> usize {
        self.offsets.len() - 1
    }

    /// Whether no string has been interned.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    #[inline]
    fn slice<'a>(bytes: &'a str, offsets: &[i64], i: u32) -> &'a str {
        let i = i as usize;
        &bytes[offsets[i] as usize..offsets[i + 1] as usize]
    }

    /// The number of `s`, adding it if new.
    #[inline]
    pub fn intern(&mut self, s: &str) -> Sym {
        self.unseal();
        self.intern_str(s)
    }

    /// Frees what only adding strings needs once loading is done: the hash
    /// table (5 bytes a slot, up to twice the strings) and the arena's and
    /// offsets' spare capacity. Resolving is unchanged; adding a string
    /// afterwards builds the table again first, and [`Interner::get`] falls
    /// back to a scan, so sealing never changes an answer.
    pub fn seal(&mut self) {
        self.table = HashTable::new();
        self.bytes.shrink_to_fit();
        self.offsets.shrink_to_fit();
    }

    /// Whether [`Interner::seal`] freed the table (it indexes every string
    /// otherwise).
    #[inline]
    fn sealed(&self) -> bool {
        self.table.len() < self.len()
    }

    /// Builds the table again after [`Interner::seal`].
    fn unseal(&mut self) {
        if !self.sealed() {
            return;
        }
        let (bytes, offsets, hasher) = (&self.bytes, &self.offsets, &self.hasher);
        let mut table = HashTable::with_capacity(self.len());
        for i in 0..self.len() as u32 {
            let hash = hash_str(hasher, Self::slice(bytes, offsets, i));
            table.insert_unique(hash, i, |&j| hash_str(hasher, Self::slice(bytes, offsets, j)));
        }
        self.table = table;
    }

    /// Interns `s` (from a caller or from another interner's arena).
    fn intern_str(&mut self, s: &str) -> Sym {
        let hash = hash_str(&self.hasher, s);
        self.intern_hashed(s, hash)
    }

    /// Interns `s`, whose hash under this interner's hasher is `hash`.
    fn intern_hashed(&mut self, s: &str, hash: u64) -> Sym {
        let (bytes, offsets) = (&self.bytes, &self.offsets);
        if let Some(&i) = self.table.find(hash, |&i| Self::slice(bytes, offsets, i) == s) {
            return Sym(i);
        }
        let i = u32::try_from(self.len())
            .ok()
            .filter(|&i| i != u32::MAX)
            .expect("more than 2^32-1 distinct strings in one interner");
        self.bytes.push_str(s);
        self.offsets.push(self.bytes.len() as i64);
        let (bytes, offsets, hasher) = (&self.bytes, &self.offsets, &self.hasher);
        match &mut self.hashes {
            // Growing the table rehashes every string: from the kept hashes
            // when there are any, without touching the arena.
            Some(h) => {
                h.push(hash);
                self.table.insert_unique(hash, i, |&j| h[j as usize]);
            }
            None => {
                self.table.insert_unique(hash, i, |&j| hash_str(hasher, Self::slice(bytes, offsets, j)));
            }
        }
        Sym(i)
    }

    /// The number of `s` if it was interned.
    pub fn get(&self, s: &str) -> Option<Sym> {
        if self.sealed() {
            let (bytes, offsets) = (&self.bytes, &self.offsets);
            return (0..self.len() as u32).find(|&i| Self::slice(bytes, offsets, i) == s).map(Sym);
        }
        let hash = hash_str(&self.hasher, s);
        self.table.find(hash, |&i| Self::slice(&self.bytes, &self.offsets, i) == s).map(|&i| Sym(i))
    }

    /// The string numbered `sym`. Panics on [`Sym::NONE`] or a foreign `Sym`.
    #[inline]
    pub fn resolve(&self, sym: Sym) -> &str {
        // The arena only ever receives whole `&str`s, so its offsets are
        // character boundaries (checked by the slice, in constant time).
        Self::slice(&self.bytes, &self.offsets, sym.0)
    }

    /// Like [`Interner::resolve`], but `""` for [`Sym::NONE`].
    #[inline]
    pub fn resolve_or_empty(&self, sym: Sym) -> &str {
        if sym.is_none() { "" } else { self.resolve(sym) }
    }

    /// All strings in number order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = &str> + '_ {
        (0..self.len() as u32).map(|i| self.resolve(Sym(i)))
    }

    /// The arena and offsets, in Arrow `LargeStringArray` layout.
    pub fn raw_parts(&self) -> (&[u8], &[i64]) {
        (self.bytes.as_bytes(), &self.offsets)
    }

    /// Takes the arena and offsets out (for a zero-copy Arrow export).
    pub fn into_raw_parts(self) -> (Vec<u8>, Vec<i64>) {
        (self.bytes.into_bytes(), self.offsets)
    }

    /// Heap bytes held (arena, offsets, table).
    pub fn heap_bytes(&self) -> usize {
        self.bytes.capacity()
            + self.offsets.capacity() * 8
            + self.table.capacity() * 5
            + self.hashes.as_ref().map_or(0, |h| h.capacity() * 8)
    }

    /// Builds the `old → new` map that re-interns every string of `other` here.
    pub fn absorb(&mut self, other: &Interner) -> Vec<Sym> {
        self.unseal();
        self.bytes.reserve(other.bytes.len());
        self.offsets.reserve(other.len());
        let (bytes, offsets, hasher) = (&self.bytes, &self.offsets, &self.hasher);
        self.table.reserve(other.len(), |&j| hash_str(hasher, Self::slice(bytes, offsets, j)));
        // Both use the same fixed hasher, so `other`'s kept hashes are ours.
        (0..other.len() as u32)
            .map(|i| {
                let s = Self::slice(&other.bytes, &other.offsets, i);
                match &other.hashes {
                    Some(h) => self.intern_hashed(s, h[i as usize]),
                    None => self.intern_str(s),
                }
            })
            .collect()
    }
}

/// A string's hash in an interner's table: the hash of its bytes, as
/// readers compute it for kept hashes ([`Interner::keeping_hashes`]).
#[inline]
fn hash_str(hasher: &foldhash::fast::FixedState, s: &str) -> u64 {
    hasher.hash_one(s.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn intern_round_trips(words in proptest::collection::vec(".{0,12}", 0..60)) {
            let mut i = Interner::new();
            let syms: Vec<Sym> = words.iter().map(|w| i.intern(w)).collect();
            let distinct: std::collections::BTreeSet<&String> = words.iter().collect();
            prop_assert_eq!(i.len(), distinct.len());
            for (w, s) in words.iter().zip(&syms) {
                prop_assert_eq!(i.resolve(*s), w.as_str());
                prop_assert_eq!(i.get(w), Some(*s));
            }
        }
    }

    proptest! {
        /// Absorbing an interner that kept its hashes equals absorbing one
        /// that did not, and the hashes are those the interner computes.
        #[test]
        fn kept_hashes_absorb_alike(a in proptest::collection::vec("[a-c]{0,3}", 0..30), b in proptest::collection::vec("[a-c]{0,3}", 0..30)) {
            let (mut plain, mut kept) = (Interner::new(), Interner::keeping_hashes());
            for w in &b {
                plain.intern(w);
                kept.intern(w);
            }
            let h = kept.hashes.as_ref().unwrap();
            prop_assert_eq!(h.len(), kept.len());
            for (i, w) in kept.iter().enumerate() {
                prop_assert_eq!(h[i], kept.hasher.hash_one(w.as_bytes()));
            }
            let (mut x, mut y) = (Interner::new(), Interner::new());
            for w in &a {
                x.intern(w);
                y.intern(w);
            }
            prop_assert_eq!(x.absorb(&plain), y.absorb(&kept));
            prop_assert_eq!(x.iter().collect::<Vec<_>>(), y.iter().collect::<Vec<_>>());
            for w in a.iter().chain(&b) {
                prop_assert_eq!(x.get(w), y.get(w));
            }
        }
    }

    proptest! {
        /// Sealing anywhere (and absorbing into a sealed interner) changes no
        /// number, string or lookup, and frees the table.
        #[test]
        fn sealing_changes_no_answer(a in proptest::collection::vec("[a-c]{0,3}", 0..30), b in proptest::collection::vec("[a-c]{0,3}", 0..30), absorb: bool) {
            let (mut x, mut y) = (Interner::new(), Interner::new());
            for w in &a {
                x.intern(w);
                y.intern(w);
            }
            x.seal();
            prop_assert_eq!(x.table.len(), 0);
            prop_assert_eq!(x.bytes.capacity(), x.bytes.len());
            for w in a.iter().chain(&b) {
                prop_assert_eq!(x.get(w), y.get(w));
            }
            if absorb {
                let mut other = Interner::new();
                for w in &b {
                    other.intern(w);
                }
                prop_assert_eq!(x.absorb(&other), y.absorb(&other));
            } else {
                for w in &b {
                    prop_assert_eq!(x.intern(w), y.intern(w));
                }
            }
            prop_assert_eq!(x.iter().collect::<Vec<_>>(), y.iter().collect::<Vec<_>>());
            for w in a.iter().chain(&b) {
                prop_assert_eq!(x.get(w), y.get(w));
            }
        }
    }

    #[test]
    fn absorb_maps_every_string() {
        let mut a = Interner::new();
        a.intern("x");
        let mut b = Interner::new();
        b.intern("y");
        b.intern("x");
        let map = a.absorb(&b);
        assert_eq!(map, vec![Sym(1), Sym(0)]);
        assert_eq!(a.resolve(Sym(1)), "y");
    }
}
