//! Character-level primitives the rules share.
//!
//! * A polynomial hash with prefix sums ([`Prefix`]), so the key of any substring, or of the
//!   label with one or two characters deleted, costs O(1). That is what makes the
//!   symmetric-delete index cheap to query: no deletion variant is ever materialised.
//! * The bounded optimal-string-alignment distance (Damerau–Levenshtein with adjacent
//!   transpositions, each substring edited once) used to verify candidates.
//! * The homoglyph fold: UTS #39 skeletons for Unicode, plus the ASCII look-alikes a
//!   skeleton leaves alone (`rn`→`m`, `vv`→`w`, `cl`→`d`, `0`→`o`, `1`/`i`→`l`).
//! * Transliteration to Latin and the spelling key that forgets `ae`/`ä`, `ss`/`ß` and the like.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// Labels longer than this are never indexed or queried by the hashing paths.
pub(crate) const MAX_CHARS: usize = 64;

const BASE: u64 = 0x2545_f491_4f6c_dd1d;

const fn powers() -> [u64; MAX_CHARS + 2] {
    let mut pow = [1u64; MAX_CHARS + 2];
    let mut i = 1;
    while i < pow.len() {
        pow[i] = pow[i - 1].wrapping_mul(BASE);
        i += 1;
    }
    pow
}

static POW: [u64; MAX_CHARS + 2] = powers();

/// The raw polynomial hash of a character sequence (the same value [`Prefix`] computes).
pub(crate) fn hash_chars(chars: impl IntoIterator<Item = char>) -> u64 {
    chars.into_iter().fold(0u64, |h, c| h.wrapping_mul(BASE).wrapping_add(u64::from(c)))
}

/// Continues a polynomial hash with more characters: `hash_extend(hash_chars(a), b)` is
/// `hash_chars(a ++ b)`.
pub(crate) fn hash_extend(h: u64, chars: impl IntoIterator<Item = char>) -> u64 {
    chars.into_iter().fold(h, |h, c| h.wrapping_mul(BASE).wrapping_add(u64::from(c)))
}

/// A label of at most [`MAX_CHARS`] characters, on the stack.
#[derive(Clone)]
pub(crate) struct Label {
    buf: [char; MAX_CHARS],
    len: usize,
}

impl Label {
    pub(crate) const EMPTY: Label = Label { buf: ['\0'; MAX_CHARS], len: 0 };

    /// Replaces the contents with `chars`; false (and a truncated label) when there are more
    /// than [`MAX_CHARS`].
    pub(crate) fn fill(&mut self, chars: impl IntoIterator<Item = char>) -> bool {
        self.len = 0;
        for c in chars {
            let Some(slot) = self.buf.get_mut(self.len) else {
                return false;
            };
            *slot = c;
            self.len += 1;
        }
        true
    }
}

impl std::ops::Deref for Label {
    type Target = [char];

    fn deref(&self) -> &[char] {
        &self.buf[..self.len]
    }
}

/// Finalises a raw hash into a well-mixed key (murmur3 fmix64).
#[inline]
pub(crate) fn mix(mut h: u64) -> u64 {
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^ (h >> 33)
}

/// Prefix hashes of a label of at most [`MAX_CHARS`] characters.
#[derive(Clone)]
pub(crate) struct Prefix {
    p: [u64; MAX_CHARS + 1],
    n: usize,
}

impl Prefix {
    pub(crate) const EMPTY: Prefix = Prefix { p: [0; MAX_CHARS + 1], n: 0 };

    /// Prefix hashes of `chars`; only the first [`MAX_CHARS`] characters are hashed.
    pub(crate) fn new(chars: &[char]) -> Prefix {
        let mut prefix = Prefix::EMPTY;
        prefix.fill(chars);
        prefix
    }

    /// Replaces the hashes with those of `chars` (the first [`MAX_CHARS`] characters).
    pub(crate) fn fill(&mut self, chars: &[char]) {
        let n = chars.len().min(MAX_CHARS);
        for (i, &c) in chars[..n].iter().enumerate() {
            self.p[i + 1] = self.p[i].wrapping_mul(BASE).wrapping_add(u64::from(c));
        }
        self.n = n;
    }

    pub(crate) fn len(&self) -> usize {
        self.n
    }

    /// Hash of the characters `a..b`.
    #[inline]
    pub(crate) fn range(&self, a: usize, b: usize) -> u64 {
        self.p[b].wrapping_sub(self.p[a].wrapping_mul(POW[b - a]))
    }

    /// Hash of the whole label.
    #[inline]
    pub(crate) fn whole(&self) -> u64 {
        self.p[self.n]
    }

    /// Hash of the label with character `i` deleted.
    #[inline]
    pub(crate) fn delete1(&self, i: usize) -> u64 {
        self.whole().wrapping_add(self.delete_term(i, 1))
    }

    /// Hash of the label with characters `i < j` deleted.
    #[inline]
    pub(crate) fn delete2(&self, i: usize, j: usize) -> u64 {
        self.whole().wrapping_add(self.delete_term(i, 2)).wrapping_add(self.delete_term(j, 1))
    }

    /// What deleting character `i` adds to the whole hash, when `after` deletions (counting
    /// this one) happen at or after `i`: `(p[i] - p[i+1]) · B^(n - after - i)`.
    ///
    /// Deleting `i < j` from `s = X c Y d Z` gives `H(X)·B^(|Y|+|Z|) + H(Y)·B^|Z| + H(Z)`,
    /// which telescopes into `H(s) + term(i, 2) + term(j, 1)`: two additions per variant.
    #[inline]
    pub(crate) fn delete_term(&self, i: usize, after: usize) -> u64 {
        self.p[i].wrapping_sub(self.p[i + 1]).wrapping_mul(POW[self.n - after - i])
    }
}

/// Every distinct deletion key of `chars` with at most `max` deletions (0, 1 or 2), as
/// `(deletions, key)`.
pub(crate) fn deletion_keys(chars: &[char], max: usize) -> Vec<(usize, u64)> {
    let prefix = Prefix::new(chars);
    let n = prefix.len();
    let mut keys = vec![(0, prefix.whole())];
    if max >= 1 {
        keys.extend((0..n).map(|i| (1, prefix.delete1(i))));
    }
    if max >= 2 {
        for i in 0..n {
            keys.extend((i + 1..n).map(|j| (2, prefix.delete2(i, j))));
        }
    }
    keys.sort_unstable();
    keys.dedup();
    keys
}

/// Optimal-string-alignment distance between `a` and `b` if it is at most `max`.
pub(crate) fn osa_within(a: &[char], b: &[char], max: usize) -> Option<usize> {
    let (n, m) = (a.len(), b.len());
    if n.abs_diff(m) > max {
        return None;
    }
    if n == 0 || m == 0 {
        return Some(n.max(m));
    }
    let width = m + 1;
    let mut two_back = vec![0usize; width];
    let mut prev: Vec<usize> = (0..width).collect();
    let mut cur = vec![0usize; width];
    for i in 1..=n {
        cur[0] = i;
        let mut row_min = cur[0];
        for j in 1..=m {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut d = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d = d.min(two_back[j - 2] + 1);
            }
            cur[j] = d;
            row_min = row_min.min(d);
        }
        if row_min > max {
            return None;
        }
        std::mem::swap(&mut two_back, &mut prev);
        std::mem::swap(&mut prev, &mut cur);
    }
    let d = prev[m];
    (d <= max).then_some(d)
}

/// The digits of a label, in order: a typo must not change which number a brand carries
/// (`news18` vs `news12`, `france24` vs `france2` are different brands).
pub(crate) fn digits(chars: &[char]) -> impl Iterator<Item = char> + '_ {
    chars.iter().copied().filter(char::is_ascii_digit)
}

/// The homoglyph fold of a label: two labels that fold equal look alike.
pub(crate) fn fold(chars: &[char]) -> Vec<char> {
    if chars.iter().all(char::is_ascii) {
        return ascii_fold(chars.iter().copied()).collect();
    }
    let text: String = chars.iter().collect();
    let skeleton: Vec<char> = unicode_security::skeleton(&text)
        .flat_map(char::to_lowercase)
        .nfd()
        .filter(|&c| !is_combining_mark(c))
        .collect();
    ascii_fold(skeleton.into_iter()).collect()
}

/// Folds the ASCII look-alikes: `rn`→`m`, `vv`→`w`, `cl`→`d`, `0`→`o`, `1`/`i`/`|`→`l`.
/// Consistent with UTS #39 skeletons, which already map `m`→`rn`, `0`→`O`, `1`→`l`.
pub(crate) fn ascii_fold(chars: impl Iterator<Item = char>) -> impl Iterator<Item = char> {
    let mut chars = chars.peekable();
    std::iter::from_fn(move || {
        let c = chars.next()?;
        let pair = |next: char, to: char, chars: &mut std::iter::Peekable<_>| {
            if chars.peek() == Some(&next) {
                chars.next();
                Some(to)
            } else {
                None
            }
        };
        let folded = match c {
            'r' => pair('n', 'm', &mut chars),
            'v' => pair('v', 'w', &mut chars),
            'c' => pair('l', 'd', &mut chars),
            _ => None,
        };
        Some(folded.unwrap_or(match c {
            '0' => 'o',
            '1' | 'i' | '|' | 'l' => 'l',
            other => other,
        }))
    })
}

/// Transliterates a label to Latin letters: Cyrillic and Greek by common romanisation,
/// German umlauts and `ß` spelled out, other diacritics dropped.
pub(crate) fn latinize(chars: &[char]) -> Vec<char> {
    let mut out = Vec::with_capacity(chars.len() + 4);
    for &c in chars {
        if c.is_ascii() {
            out.push(c);
            continue;
        }
        if let Some(latin) = spelled(c) {
            out.extend(latin.chars());
            continue;
        }
        // Decompose, keep base letters, drop combining marks: é → e, č → c, ő → o.
        for d in std::iter::once(c).nfd() {
            if !is_combining_mark(d) {
                out.push(d);
            }
        }
    }
    out
}

/// Letters with a conventional multi-letter or non-decomposing Latin spelling.
fn spelled(c: char) -> Option<&'static str> {
    Some(match c {
        'ä' => "ae",
        'ö' => "oe",
        'ü' => "ue",
        'ß' => "ss",
        'æ' => "ae",
        'ø' => "oe",
        'å' => "aa",
        'œ' => "oe",
        'ł' => "l",
        'đ' => "d",
        'ı' => "i",
        'þ' => "th",
        'ð' => "d",
        // Cyrillic (Russian, Ukrainian, Belarusian, Bulgarian, Serbian).
        'а' => "a",
        'б' => "b",
        'в' => "v",
        'г' => "g",
        'ґ' => "g",
        'д' => "d",
        'ђ' => "dj",
        'е' => "e",
        'ё' => "e",
        'є' => "ye",
        'ж' => "zh",
        'з' => "z",
        'и' => "i",
        'і' => "i",
        'ї' => "yi",
        'й' => "y",
        'ј' => "j",
        'к' => "k",
        'л' => "l",
        'љ' => "lj",
        'м' => "m",
        'н' => "n",
        'њ' => "nj",
        'о' => "o",
        'п' => "p",
        'р' => "r",
        'с' => "s",
        'т' => "t",
        'ћ' => "c",
        'у' => "u",
        'ў' => "u",
        'ф' => "f",
        'х' => "kh",
        'ц' => "ts",
        'ч' => "ch",
        'џ' => "dz",
        'ш' => "sh",
        'щ' => "shch",
        'ъ' => "",
        'ы' => "y",
        'ь' => "",
        'э' => "e",
        'ю' => "yu",
        'я' => "ya",
        // Greek.
        'α' | 'ά' => "a",
        'β' => "v",
        'γ' => "g",
        'δ' => "d",
        'ε' | 'έ' => "e",
        'ζ' => "z",
        'η' | 'ή' => "i",
        'θ' => "th",
        'ι' | 'ί' | 'ϊ' | 'ΐ' => "i",
        'κ' => "k",
        'λ' => "l",
        'μ' => "m",
        'ν' => "n",
        'ξ' => "x",
        'ο' | 'ό' => "o",
        'π' => "p",
        'ρ' => "r",
        'σ' | 'ς' => "s",
        'τ' => "t",
        'υ' | 'ύ' | 'ϋ' | 'ΰ' => "y",
        'φ' => "f",
        'χ' => "ch",
        'ψ' => "ps",
        'ω' | 'ώ' => "o",
        _ => return None,
    })
}

/// The spelling key: a Latin label with the spelling variants of transliteration collapsed
/// (`ae`→`a`, `oe`→`o`, `ue`→`u`; with `full` also `ss`→`s` and `kh`→`h`), so `boersen`,
/// `børsen` and `borsen` share a key, and so do `sueddeutsche` and `suddeutsche`.
///
/// ASCII input uses the umlaut-only key: an ASCII `tagespiegel` dropped an `s` (a typo), it
/// did not transliterate a `ß`.
pub(crate) fn spelling_key(latin: impl Iterator<Item = char>, full: bool) -> impl Iterator<Item = char> {
    let mut chars = latin.peekable();
    std::iter::from_fn(move || {
        let c = chars.next()?;
        match (c, chars.peek()) {
            ('a' | 'o' | 'u', Some('e')) => {
                chars.next();
            }
            ('s', Some('s')) if full => {
                chars.next();
            }
            ('k', Some('h')) if full => {
                chars.next();
                return Some('h');
            }
            _ => {}
        }
        Some(c)
    })
}

/// Whether an ASCII label contains anything the umlaut-only [`spelling_key`] collapses.
pub(crate) fn has_umlaut_spelling(chars: &[char]) -> bool {
    chars.windows(2).any(|w| matches!((w[0], w[1]), ('a' | 'o' | 'u', 'e')))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chars(s: &str) -> Vec<char> {
        s.chars().collect()
    }

    #[test]
    fn deletion_hashes_match_materialised_strings() {
        let word = chars("washingtonpost");
        let p = Prefix::new(&word);
        for i in 0..word.len() {
            let mut v = word.clone();
            v.remove(i);
            assert_eq!(p.delete1(i), hash_chars(v.iter().copied()));
            for j in i + 1..word.len() {
                let mut v = word.clone();
                v.remove(j);
                v.remove(i);
                assert_eq!(p.delete2(i, j), hash_chars(v.iter().copied()));
            }
        }
        assert_eq!(p.range(2, 5), hash_chars(chars("shi")));
        assert_eq!(p.whole(), hash_chars(word.iter().copied()));
    }

    #[test]
    fn osa() {
        let d = |a: &str, b: &str| osa_within(&chars(a), &chars(b), 3);
        assert_eq!(d("spiegel", "spiegel"), Some(0));
        assert_eq!(d("spiegel", "spigel"), Some(1));
        assert_eq!(d("spiegel", "sipegel"), Some(1));
        assert_eq!(d("20minutes", "20minuts"), Some(1));
        assert_eq!(d("ca", "abc"), Some(3));
        assert_eq!(d("", "abc"), Some(3));
        assert_eq!(d("abcdefg", "a"), None);
        assert_eq!(osa_within(&chars("spiegel"), &chars("spxxgel"), 1), None);
    }

    #[test]
    fn folds() {
        let f = |s: &str| fold(&chars(s)).into_iter().collect::<String>();
        assert_eq!(f("rnirror"), f("mirror"));
        assert_eq!(f("vvelt"), f("welt"));
        assert_eq!(f("2ominutes"), f("20minutes"));
        assert_eq!(f("bi1d"), f("bild"));
        assert_eq!(f("ѕрiеgеl"), f("spiegel"));
        assert_eq!(f("spíegel"), f("spiegel"));
        assert_eq!(f("rnm"), "mm");
        assert_eq!(f("ｍirror"), f("mirror"));
        assert_ne!(f("spiegel"), f("spiegal"));
    }

    #[test]
    fn transliterates() {
        let l = |s: &str| latinize(&chars(s)).into_iter().collect::<String>();
        assert_eq!(l("süddeutsche"), "sueddeutsche");
        assert_eq!(l("правда"), "pravda");
        assert_eq!(l("сегодня"), "segodnya");
        assert_eq!(l("népszava"), "nepszava");
        assert_eq!(l("børsen"), "boersen");
        let k = |s: &str| spelling_key(s.chars(), true).collect::<String>();
        assert_eq!(k("boersen"), k("borsen"));
        assert_eq!(k("sueddeutsche"), k("suddeutsche"));
        assert_eq!(k("kharkiv"), "harkiv");
        assert_eq!(k("tagesspiegel"), "tagespiegel");
        let u = |s: &str| spelling_key(s.chars(), false).collect::<String>();
        assert_eq!(u("tagesspiegel"), "tagesspiegel");
        assert_eq!(u("saarbruecker"), "saarbrucker");
    }
}
