//! Post ids, stored as numbers where they are numbers.
//!
//! Nearly every platform numbers its posts with decimal integers (X/Twitter
//! snowflakes, Telegram message ids, Mastodon status ids, CrowdTangle ids),
//! and nearly every post id occurs once or twice: as the post, and as the
//! target of a repost or reply. Interned as text, a 19-digit snowflake costs
//! its 19 bytes, an 8-byte offset and its hash-table slot; held as the number
//! it is, 8 bytes and the slot. At 10 M events that is about 190 MB less.
//!
//! A key is stored as a number only when the number prints back to exactly the
//! same text (no sign, no leading zero, below 2⁶³), so nothing about the ids
//! changes: [`Keys::resolve`] gives back the text that was interned, and
//! [`Sym`]s are numbered in first-seen order across numbers and texts, exactly
//! as an [`Interner`] would number them (tested against one).

use crate::intern::{Interner, Sym};
use hashbrown::HashTable;
use std::hash::BuildHasher;

/// The tag of a [`Keys::code`] entry that indexes `text` instead of being the
/// number itself; numbers are kept below it.
const TEXT: u64 = 1 << 63;

/// The post and target ids of a table: numbers kept as numbers, the rest
/// interned as text. Same numbering and same strings as an [`Interner`].
#[derive(Clone, Default)]
pub struct Keys {
    /// Per key: the number, or `TEXT | i` for `text`'s string `i`.
    code: Vec<u64>,
    /// Keys that are not canonical decimal numbers.
    text: Interner,
    /// Per string of `text`: its key.
    text_sym: Vec<u32>,
    /// The numeric keys, by value.
    table: HashTable<u32>,
    hasher: foldhash::fast::FixedState,
}

impl std::fmt::Debug for Keys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Keys").field("len", &self.len()).field("text", &self.text.len()).finish()
    }
}

/// `s` as a number if it is one written canonically (digits only, no leading
/// zero, below 2⁶³), so that printing the number gives `s` back.
fn canonical(s: &[u8]) -> Option<u64> {
    if s.is_empty() || s.len() > 19 || (s[0] == b'0' && s.len() > 1) {
        return None;
    }
    let mut n = 0u64;
    for &b in s {
        let d = b.wrapping_sub(b'0');
        if d > 9 {
            return None;
        }
        // 19 digits stay below u64::MAX.
        n = n * 10 + u64::from(d);
    }
    (n < TEXT).then_some(n)
}

impl Keys {
    /// No keys.
    pub fn new() -> Self {
        Keys { text: Interner::new(), ..Keys::default() }
    }

    /// No keys, for a table that will be [`Keys::absorb`]ed into another:
    /// the text part keeps its hashes (see [`Interner::keeping_hashes`]).
    pub fn keeping_hashes() -> Self {
        Keys { text: Interner::keeping_hashes(), ..Keys::default() }
    }

    /// Stops keeping hashes and frees them.
    pub fn drop_hashes(&mut self) {
        self.text.drop_hashes();
    }

    /// Number of distinct keys.
    #[inline]
    pub fn len(&self) -> usize {
        self.code.len()
    }

    /// Whether no key has been interned.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.code.is_empty()
    }

    fn next_sym(&self) -> u32 {
        u32::try_from(self.len()).ok().filter(|&i| i != u32::MAX).expect("more than 2^32-1 distinct keys")
    }

    fn intern_number(&mut self, n: u64) -> Sym {
        let hash = self.hasher.hash_one(n);
        let code = &self.code;
        if let Some(&i) = self.table.find(hash, |&i| code[i as usize] == n) {
            return Sym(i);
        }
        let i = self.next_sym();
        self.code.push(n);
        let (code, hasher) = (&self.code, &self.hasher);
        self.table.insert_unique(hash, i, |&j| hasher.hash_one(code[j as usize]));
        Sym(i)
    }

    /// The key of text string `j` of `self.text`, numbering it if new.
    fn text_key(&mut self, j: Sym) -> Sym {
        if j.idx() < self.text_sym.len() {
            return Sym(self.text_sym[j.idx()]);
        }
        debug_assert_eq!(j.idx(), self.text_sym.len(), "text strings are numbered in order");
        let i = self.next_sym();
        self.code.push(TEXT | u64::from(j.0));
        self.text_sym.push(i);
        Sym(i)
    }

    /// The number of key `s`, adding it if new.
    #[inline]
    pub fn intern(&mut self, s: &str) -> Sym {
        self.unseal();
        match canonical(s.as_bytes()) {
            Some(n) => self.intern_number(n),
            None => {
                let j = self.text.intern(s);
                self.text_key(j)
            }
        }
    }

    /// Frees what only adding keys needs once loading is done: the numbers'
    /// hash table, the text part's ([`Interner::seal`]) and spare capacity.
    /// Adding a key afterwards builds the tables again first, and
    /// [`Keys::get`] falls back to a scan.
    pub fn seal(&mut self) {
        self.table = HashTable::new();
        self.text.seal();
        self.code.shrink_to_fit();
        self.text_sym.shrink_to_fit();
    }

    /// Whether [`Keys::seal`] freed the numbers' table.
    #[inline]
    fn sealed(&self) -> bool {
        self.table.len() < self.code.len() - self.text_sym.len()
    }

    /// Builds the numbers' table again after [`Keys::seal`] (the text part
    /// builds its own when next used).
    fn unseal(&mut self) {
        if !self.sealed() {
            return;
        }
        let (code, hasher) = (&self.code, &self.hasher);
        let mut table = HashTable::with_capacity(code.len() - self.text_sym.len());
        for (i, &c) in code.iter().enumerate().filter(|(_, c)| **c & TEXT == 0) {
            table.insert_unique(hasher.hash_one(c), i as u32, |&j| hasher.hash_one(code[j as usize]));
        }
        self.table = table;
    }

    /// The number of key `s` if it was interned.
    pub fn get(&self, s: &str) -> Option<Sym> {
        match canonical(s.as_bytes()) {
            Some(n) if self.sealed() => self.code.iter().position(|&c| c == n).map(|i| Sym(i as u32)),
            Some(n) => self.table.find(self.hasher.hash_one(n), |&i| self.code[i as usize] == n).map(|&i| Sym(i)),
            None => self.text.get(s).map(|j| Sym(self.text_sym[j.idx()])),
        }
    }

    /// The text of key `sym`. Panics on [`Sym::NONE`] or a foreign `Sym`.
    #[inline]
    pub fn resolve(&self, sym: Sym) -> KeyStr<'_> {
        let c = self.code[sym.idx()];
        if c & TEXT != 0 { KeyStr(Repr::Text(self.text.resolve(Sym((c & !TEXT) as u32)))) } else { KeyStr::number(c) }
    }

    /// All keys in number order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = KeyStr<'_>> + '_ {
        (0..self.len() as u32).map(|i| self.resolve(Sym(i)))
    }

    /// Heap bytes held (numbers, text keys, tables).
    pub fn heap_bytes(&self) -> usize {
        self.code.capacity() * 8 + self.text.heap_bytes() + self.text_sym.capacity() * 4 + self.table.capacity() * 5
    }

    /// Builds the `old → new` map that re-interns every key of `other` here,
    /// numbering new keys in `other`'s order.
    pub fn absorb(&mut self, other: &Keys) -> Vec<Sym> {
        self.unseal();
        // `other`'s texts first (with their kept hashes): new ones are
        // appended to `self.text` in `other`'s order, which is the order in
        // which the walk below meets them.
        let text_map = self.text.absorb(&other.text);
        self.code.reserve(other.len());
        let (code, hasher) = (&self.code, &self.hasher);
        self.table.reserve(other.len() - other.text.len(), |&j| hasher.hash_one(code[j as usize]));
        other
            .code
            .iter()
            .map(|&c| if c & TEXT != 0 { self.text_key(text_map[(c & !TEXT) as usize]) } else { self.intern_number(c) })
            .collect()
    }
}

/// The text of a key: borrowed from the table, or printed from its number.
/// Dereferences to `&str`.
#[derive(Clone, Copy)]
pub struct KeyStr<'a>(Repr<'a>);

#[derive(Clone, Copy)]
enum Repr<'a> {
    Text(&'a str),
    /// Decimal digits right-aligned in the buffer, and how many.
    Digits([u8; 20], u8),
}

impl<'a> KeyStr<'a> {
    fn number(mut n: u64) -> Self {
        let mut buf = [0u8; 20];
        let mut at = buf.len();
        loop {
            at -= 1;
            buf[at] = b'0' + (n % 10) as u8;
            n /= 10;
            if n == 0 {
                break;
            }
        }
        KeyStr(Repr::Digits(buf, (buf.len() - at) as u8))
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        match &self.0 {
            Repr::Text(s) => s,
            Repr::Digits(buf, len) => {
                // Only ASCII digits are ever written there.
                std::str::from_utf8(&buf[buf.len() - usize::from(*len)..]).unwrap_or_default()
            }
        }
    }
}

impl<'a> From<KeyStr<'a>> for std::borrow::Cow<'a, str> {
    /// Borrowed for a text key, owned for a number printed.
    fn from(k: KeyStr<'a>) -> Self {
        match k.0 {
            Repr::Text(s) => std::borrow::Cow::Borrowed(s),
            Repr::Digits(..) => std::borrow::Cow::Owned(k.as_str().to_owned()),
        }
    }
}

impl<'a> From<&'a str> for KeyStr<'a> {
    fn from(s: &'a str) -> Self {
        KeyStr(Repr::Text(s))
    }
}

impl Default for KeyStr<'_> {
    fn default() -> Self {
        KeyStr(Repr::Text(""))
    }
}

impl std::ops::Deref for KeyStr<'_> {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl PartialEq for KeyStr<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for KeyStr<'_> {}

impl PartialEq<str> for KeyStr<'_> {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for KeyStr<'_> {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl std::fmt::Debug for KeyStr<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self.as_str(), f)
    }
}

impl std::fmt::Display for KeyStr<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl serde::Serialize for KeyStr<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Keys shaped like real ids and their near misses.
    fn key() -> impl Strategy<Value = String> {
        prop_oneof![
            (0u64..40).prop_map(|n| n.to_string()),
            (0u64..u64::MAX).prop_map(|n| n.to_string()),
            Just("9223372036854775807".to_string()),
            Just("9223372036854775808".to_string()),
            Just("18446744073709551615".to_string()),
            Just("99999999999999999999".to_string()),
            "0[0-9]{1,3}",
            "-[0-9]{1,3}",
            "\\+?[0-9]{0,3}[a-z ]?",
            "at://did:plc:[a-z]{2}/app.bsky.feed.post/[a-z0-9]{2}",
            ".{0,6}",
        ]
    }

    proptest! {
        /// The same numbering and the same texts as an `Interner`.
        #[test]
        fn numbers_like_an_interner(words in proptest::collection::vec(key(), 0..80)) {
            let (mut keys, mut plain) = (Keys::new(), Interner::new());
            for w in &words {
                prop_assert_eq!(keys.intern(w), plain.intern(w));
            }
            prop_assert_eq!(keys.len(), plain.len());
            for (i, w) in plain.iter().enumerate() {
                let k = keys.resolve(Sym(i as u32));
                prop_assert_eq!(k.as_str(), w);
                prop_assert_eq!(keys.get(w), Some(Sym(i as u32)));
            }
            prop_assert_eq!(keys.get("not interned"), None);
            prop_assert_eq!(keys.get("123456789012345678"), plain.get("123456789012345678"));
        }

        /// Absorbing (with or without kept hashes) numbers like an
        /// interner's absorb.
        #[test]
        fn absorbs_like_an_interner(a in proptest::collection::vec(key(), 0..40), b in proptest::collection::vec(key(), 0..40), kept: bool) {
            let (mut keys, mut plain) = (Keys::new(), Interner::new());
            for w in &a {
                keys.intern(w);
                plain.intern(w);
            }
            let (mut other_keys, mut other_plain) =
                (if kept { Keys::keeping_hashes() } else { Keys::new() }, Interner::new());
            for w in &b {
                other_keys.intern(w);
                other_plain.intern(w);
            }
            prop_assert_eq!(keys.absorb(&other_keys), plain.absorb(&other_plain));
            prop_assert_eq!(keys.iter().map(|k| k.to_string()).collect::<Vec<_>>(), plain.iter().collect::<Vec<_>>());
            for w in a.iter().chain(&b) {
                prop_assert_eq!(keys.get(w), plain.get(w));
            }
        }
    }

    proptest! {
        /// Sealing anywhere (and absorbing into a sealed table) changes no
        /// number, string or lookup, and frees the tables.
        #[test]
        fn sealing_changes_no_answer(a in proptest::collection::vec(key(), 0..40), b in proptest::collection::vec(key(), 0..40), absorb: bool) {
            let (mut keys, mut plain) = (Keys::new(), Keys::new());
            for w in &a {
                keys.intern(w);
                plain.intern(w);
            }
            keys.seal();
            prop_assert!(keys.table.is_empty());
            for w in &a {
                prop_assert_eq!(keys.get(w), plain.get(w));
            }
            if absorb {
                let mut other = Keys::new();
                for w in &b {
                    other.intern(w);
                }
                prop_assert_eq!(keys.absorb(&other), plain.absorb(&other));
            } else {
                for w in &b {
                    prop_assert_eq!(keys.intern(w), plain.intern(w));
                }
            }
            prop_assert_eq!(keys.iter().map(|k| k.to_string()).collect::<Vec<_>>(), plain.iter().map(|k| k.to_string()).collect::<Vec<_>>());
            for w in a.iter().chain(&b) {
                prop_assert_eq!(keys.get(w), plain.get(w));
            }
        }
    }

    #[test]
    fn only_canonical_numbers_are_numbers() {
        assert_eq!(canonical(b"0"), Some(0));
        assert_eq!(canonical(b"1818184320465104896"), Some(1_818_184_320_465_104_896));
        assert_eq!(canonical(b"9223372036854775807"), Some(i64::MAX as u64));
        for s in ["", "00", "01", "-1", "+1", "1 ", "9223372036854775808", "99999999999999999999", "1a"] {
            assert_eq!(canonical(s.as_bytes()), None, "{s:?}");
        }
        let mut k = Keys::new();
        // Numbers are held as numbers: nothing reaches the text interner.
        k.intern("1818184320465104896");
        k.intern("0");
        assert_eq!((k.len(), k.text.len()), (2, 0));
        let s = k.intern("0042");
        assert_eq!(k.resolve(s), "0042");
        let n = k.intern("42");
        assert_eq!(k.resolve(n), "42");
        assert_ne!(k.intern("42"), s);
    }
}
