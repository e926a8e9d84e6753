//! The lookup structures a [`crate::Matcher`] is made of.
//!
//! Checking millions of domains against a thousand outlets must never compare all pairs.
//! Every rule instead asks a [`KeyMap`]: a hash map from a 64-bit polynomial hash of some
//! form of a label (the label itself, its homoglyph fold, its spelling key, its deletion
//! variants) to the outlets that have that form, fronted by a bitset that answers most
//! misses from L1/L2 cache without touching the map. Every hit is verified on the real
//! characters, so hash collisions cost time, never correctness.
//!
//! The typo index is a symmetric-delete (SymSpell) index: each eligible outlet label is
//! stored under every string reachable by deleting up to `d` characters; a query probes its
//! own deletion variants. Two strings within optimal-string-alignment distance `d` always
//! share such a variant, so the probe finds every candidate, and the exact distance decides.

use rustc_hash::{FxHashMap, FxHashSet};

use crate::lexicon::Lexicon;
use crate::normalize;
use crate::outlets::OutletList;
use crate::text::{self, MAX_CHARS, hash_chars};

/// Labels at least this long may be matched at edit distance 1.
pub(crate) const TYPO1_MIN_LEN: usize = 6;
/// Labels at least this long may be matched at edit distance 2.
pub(crate) const TYPO2_MIN_LEN: usize = 10;
/// Shortest label that a combosquat may wrap when the rest is all affixes and hyphens.
pub(crate) const COMBO_TOKEN_MIN_LEN: usize = 4;
/// Shortest label that a combosquat may wrap without a hyphen (`spiegelonline`).
pub(crate) const COMBO_CONCAT_MIN_LEN: usize = 5;
/// Shortest label that a combosquat may wrap among arbitrary hyphenated words.
pub(crate) const COMBO_FREE_MIN_LEN: usize = 7;
/// Shortest whole-domain-as-one-label form (`faznet`, `newscomau`) that is matched,
/// counting letters and digits only.
pub(crate) const FLAT_MIN_LEN: usize = 6;
/// Shortest label (without hyphens) for hyphenation.
pub(crate) const RESHAPE_MIN_LEN: usize = 5;
/// Shortest label for transliteration.
pub(crate) const TRANSLIT_MIN_LEN: usize = 4;
/// Shortest label for an ASCII homoglyph (IDN homographs match any length).
pub(crate) const ASCII_HOMOGLYPH_MIN_LEN: usize = 4;

/// Second-level labels of government suffixes (`gov.pl`, `gouv.fr`, `gob.es`, `govt.nz`)
/// whose children are institutions an operation may clone.
pub(crate) const GOV_WORDS: &[&str] = &["gov", "gouv", "gob", "govt", "gv", "gub"];

/// The id in `Index::allow` of a domain that is real (a builtin outlet's) but not an outlet
/// of this list: never reported, never imitated.
pub(crate) const NOT_LISTED: u32 = u32::MAX;

/// High bit of an id in a [`KeyMap`]: a tag whose meaning depends on the map.
pub(crate) const TAG: u32 = 1 << 31;

/// How much fuzziness an outlet label tolerates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Strength {
    /// Flagged `generic` in the list: only the whole domain written as one label matches.
    Generic,
    /// Three characters or fewer (`faz`, `sz`, `rt`, `bbc`): exact suffix swaps and IDN
    /// homographs only.
    Short,
    /// An ordinary word (`mirror`, `elpais`): suffix swaps onto non-commodity suffixes and
    /// homoglyphs only.
    Common,
    /// Everything else: every rule applies.
    Distinctive,
}

/// One reference outlet as the rules see it.
#[derive(Debug)]
pub(crate) struct Brand {
    pub(crate) canonical: Box<str>,
    pub(crate) suffix: Box<str>,
    pub(crate) chars: Box<[char]>,
    pub(crate) fold: Box<[char]>,
    pub(crate) strength: Strength,
    /// Largest edit distance a typo of this label may have (0: no typos).
    pub(crate) max_typo: usize,
}

impl Brand {
    pub(crate) fn label(&self) -> String {
        self.chars.iter().collect()
    }
}

/// Hash keys to outlet ids, behind a blocked Bloom filter.
///
/// Most probes miss, so the filter is what a probe usually costs: one 64-bit word, two bits
/// in it, about 32 bits per key (false-positive rate well under 1%), small enough to stay
/// in L2 cache for a thousand outlets' typo variants.
#[derive(Debug, Default)]
pub(crate) struct KeyMap {
    words: Vec<u64>,
    shift: u32,
    slots: FxHashMap<u64, (u32, u32)>,
    ids: Vec<u32>,
}

impl KeyMap {
    /// Builds the map from `(hash, id)` pairs.
    pub(crate) fn build(pairs: impl IntoIterator<Item = (u64, u32)>) -> KeyMap {
        let mut pairs: Vec<(u64, u32)> = pairs.into_iter().collect();
        pairs.sort_unstable();
        pairs.dedup();
        let keys = pairs.chunk_by(|a, b| a.0 == b.0).count();
        let word_count = (keys / 2).next_power_of_two().max(1);
        let mut map = KeyMap {
            words: vec![0; word_count],
            shift: 64 - word_count.trailing_zeros(),
            slots: FxHashMap::default(),
            ids: Vec::with_capacity(pairs.len()),
        };
        map.slots.reserve(keys);
        for group in pairs.chunk_by(|a, b| a.0 == b.0) {
            let key = group[0].0;
            let (word, mask) = map.filter(key);
            map.words[word] |= mask;
            let start = map.ids.len() as u32;
            map.ids.extend(group.iter().map(|&(_, id)| id));
            map.slots.insert(key, (start, group.len() as u32));
        }
        map
    }

    /// The filter word and the two bits of a key, from a multiplicative hash whose top bits
    /// depend on every bit of the (polynomial, so weak in its low bits) key.
    #[inline]
    fn filter(&self, key: u64) -> (usize, u64) {
        let h = key.wrapping_mul(0x9e37_79b9_7f4a_7c15);
        let word = if self.shift >= 64 { 0 } else { (h >> self.shift) as usize };
        let mask = (1u64 << (h & 63)) | (1u64 << ((h >> 6) & 63));
        (word, mask)
    }

    /// The ids stored under a hash (possibly tagged with [`TAG`]).
    #[inline]
    pub(crate) fn get(&self, key: u64) -> &[u32] {
        let (word, mask) = self.filter(key);
        if self.words[word] & mask != mask {
            return &[];
        }
        match self.slots.get(&key) {
            Some(&(start, len)) => &self.ids[start as usize..(start + len) as usize],
            None => &[],
        }
    }

    pub(crate) fn key_count(&self) -> usize {
        self.slots.len()
    }
}

/// A government suffix outlet (`gov.pl`) or an outlet under one (`diplomatie.gouv.fr`).
#[derive(Debug)]
pub(crate) struct Institution {
    /// The government word: `gov`, `gouv`.
    pub(crate) word: Box<str>,
    /// The rest of the suffix: `pl`, `fr`.
    pub(crate) rest: Box<str>,
    pub(crate) id: u32,
    /// The outlet's own label under the suffix (`diplomatie`); `None` for the suffix itself.
    pub(crate) child: Option<Box<str>>,
}

/// Everything the rules look things up in.
pub(crate) struct Index {
    pub(crate) brands: Vec<Brand>,
    /// Every canonical and sibling domain (never reported), with its outlet's id, or
    /// [`NOT_LISTED`] for a builtin outlet's domain that the list does not hold.
    pub(crate) allow: FxHashMap<Box<str>, u32>,
    /// Outlets that are public suffixes (`gov.pl`): no site under them is reported.
    pub(crate) allow_suffix: FxHashSet<Box<str>>,
    /// Institutional outlets for `rules::institution`: `(gov word, rest of the suffix, id,
    /// child label)`, e.g. `("gov", "pl", gov.pl, None)`, `("gouv", "fr", diplomatie.gouv.fr,
    /// Some("diplomatie"))`. A few dozen entries, scanned linearly.
    pub(crate) institution: Vec<Institution>,
    /// The distinct government words of `institution` (`gov`, `gouv`, `nhs`), checked first.
    pub(crate) institution_words: Vec<Box<str>>,
    /// Exact label → non-generic outlets.
    pub(crate) exact: KeyMap,
    /// De-hyphenated label → distinctive outlets whose label has a hyphen.
    pub(crate) dehyphenated: KeyMap,
    /// Homoglyph fold → non-generic outlets.
    pub(crate) fold: KeyMap,
    /// Full spelling key (for transliterated Unicode input) → distinctive outlets.
    pub(crate) spelling: KeyMap,
    /// Umlaut-only spelling key (for ASCII input) → distinctive outlets.
    pub(crate) umlaut: KeyMap,
    /// Deletion variants → outlets with typo tolerance, one map per variant length (so the
    /// filter a query's variants probe is small and stays in L1); tagged ids tolerate
    /// distance 2.
    pub(crate) deletes: Vec<KeyMap>,
    /// Labels and one-label domains that combosquats wrap; tagged ids are one-label domains.
    pub(crate) combo: KeyMap,
    pub(crate) lexicon: Lexicon,
    pub(crate) dictionary_guard: bool,
}

impl Index {
    pub(crate) fn new(list: &OutletList, dictionary_guard: bool) -> Index {
        let lexicon = Lexicon::builtin();
        let mut brands = Vec::with_capacity(list.len());
        let mut allow = FxHashMap::default();
        let mut allow_suffix = FxHashSet::default();
        let mut institution = Vec::new();
        for outlet in list.iter() {
            let id = brands.len() as u32;
            allow.extend(outlet.domains().map(|d| (Box::from(d), id)));
            let canonical = outlet.canonical_domain();
            if outlet.is_suffix() {
                // `gov.pl`: every site under it is the outlet's own; `rules::institution`
                // matches `qov.pl`, `govv.pl`. No label rule applies to `gov` itself.
                let (word, rest) = canonical.split_once('.').unwrap_or((canonical, ""));
                allow_suffix.insert(Box::from(canonical));
                institution.push(Institution { word: word.into(), rest: rest.into(), id, child: None });
                brands.push(Brand {
                    canonical: canonical.into(),
                    suffix: rest.into(),
                    chars: word.chars().collect(),
                    fold: Box::default(),
                    strength: Strength::Generic,
                    max_typo: 0,
                });
                continue;
            }
            let Some(host) = normalize::host(canonical) else {
                // Unreachable: the list parser only admits registrable domains. Keep ids
                // aligned with `allow` all the same.
                brands.push(Brand {
                    canonical: canonical.into(),
                    suffix: "".into(),
                    chars: Box::default(),
                    fold: Box::default(),
                    strength: Strength::Generic,
                    max_typo: 0,
                });
                continue;
            };
            if let Some((word, rest)) = host.suffix().split_once('.')
                && GOV_WORDS.contains(&word)
            {
                // `diplomatie.gouv.fr`: imitated as `diplomatie.gouv.fm`.
                institution.push(Institution {
                    word: word.into(),
                    rest: rest.into(),
                    id,
                    child: Some(host.label().into()),
                });
            }
            let chars = normalize::label_chars(host.label());
            let strength = if outlet.is_generic() {
                Strength::Generic
            } else if chars.len() <= 3 {
                Strength::Short
            } else if lexicon.is_common_brand(host.label()) {
                Strength::Common
            } else {
                Strength::Distinctive
            };
            let max_typo = match (strength, chars.len()) {
                (Strength::Distinctive, n) if n >= TYPO2_MIN_LEN => 2,
                (Strength::Distinctive, n) if n >= TYPO1_MIN_LEN => 1,
                _ => 0,
            };
            brands.push(Brand {
                canonical: canonical.into(),
                suffix: host.suffix().into(),
                fold: text::fold(&chars).into(),
                chars: chars.into(),
                strength,
                max_typo,
            });
        }

        // Ownership the builtin list knows: an outlet a user lists without its editions
        // (`theguardian.com` alone) still owns `theguardian.co.uk`, so that is never reported;
        // and no builtin outlet's own domain is ever a lookalike, whatever the list
        // (`epravda.com.ua` beside a user's `pravda.com.ua`).
        let mut real = Vec::new();
        for known in OutletList::builtin_shared().iter() {
            match known.domains().find_map(|d| allow.get(d).copied()) {
                Some(id) => real.extend(known.domains().map(|d| (d, id))),
                None => real.extend(known.domains().map(|d| (d, NOT_LISTED))),
            }
        }
        for (d, id) in real {
            allow.entry(Box::from(d)).or_insert(id);
        }

        let mut exact = Vec::new();
        let mut dehyphenated = Vec::new();
        let mut fold = Vec::new();
        let mut spelling = Vec::new();
        let mut umlaut = Vec::new();
        let mut deletes = Vec::new();
        let mut combo = Vec::new();
        for (id, brand) in brands.iter().enumerate() {
            let id = id as u32;
            let chars = &brand.chars;
            if chars.is_empty() || chars.len() > MAX_CHARS {
                continue;
            }
            // The whole domain as one label: `spiegelde`, `spiegel-de`, `bbc-co-uk`.
            let flat_len = brand.canonical.chars().filter(|&c| c != '.').count();
            if flat_len >= FLAT_MIN_LEN {
                for joiner in [None, Some('-')] {
                    let flat: Vec<char> =
                        brand.canonical.chars().filter_map(|c| if c == '.' { joiner } else { Some(c) }).collect();
                    if flat.len() <= MAX_CHARS {
                        combo.push((hash_chars(flat), id | TAG));
                    }
                }
            }
            if brand.strength == Strength::Generic {
                continue;
            }
            exact.push((hash_chars(chars.iter().copied()), id));
            fold.push((hash_chars(brand.fold.iter().copied()), id));
            if brand.strength != Strength::Distinctive {
                continue;
            }
            if chars.contains(&'-') {
                let plain: Vec<char> = chars.iter().copied().filter(|&c| c != '-').collect();
                if plain.len() >= RESHAPE_MIN_LEN {
                    dehyphenated.push((hash_chars(plain), id));
                }
            }
            if chars.len() >= TRANSLIT_MIN_LEN {
                let latin = text::latinize(chars);
                spelling.push((hash_chars(text::spelling_key(latin.iter().copied(), true)), id));
                umlaut.push((hash_chars(text::spelling_key(latin.into_iter(), false)), id));
            }
            if brand.max_typo > 0 {
                let tag = if brand.max_typo >= 2 { TAG } else { 0 };
                for (deleted, key) in text::deletion_keys(chars, brand.max_typo) {
                    deletes.push((chars.len() - deleted, key, id | tag));
                }
            }
            if chars.len() >= COMBO_TOKEN_MIN_LEN {
                combo.push((hash_chars(chars.iter().copied()), id));
                if chars.contains(&'-') {
                    combo.push((hash_chars(chars.iter().copied().filter(|&c| c != '-')), id));
                }
            }
        }
        let mut institution_words: Vec<Box<str>> = institution.iter().map(|i| i.word.clone()).collect();
        institution_words.sort();
        institution_words.dedup();
        Index {
            brands,
            allow,
            allow_suffix,
            institution,
            institution_words,
            exact: KeyMap::build(exact),
            dehyphenated: KeyMap::build(dehyphenated),
            fold: KeyMap::build(fold),
            spelling: KeyMap::build(spelling),
            umlaut: KeyMap::build(umlaut),
            deletes: (0..=MAX_CHARS)
                .map(|len| KeyMap::build(deletes.iter().filter(|d| d.0 == len).map(|&(_, key, id)| (key, id))))
                .collect(),
            combo: KeyMap::build(combo),
            lexicon,
            dictionary_guard,
        }
    }

    /// The typo variants of length `len`.
    #[inline]
    pub(crate) fn deletes(&self, len: usize) -> &KeyMap {
        &self.deletes[len]
    }

    /// Whether an input label is a word the fuzzy rules must leave alone.
    pub(crate) fn is_word(&self, label: &str) -> bool {
        self.lexicon.is_word(label, self.dictionary_guard)
    }
}
