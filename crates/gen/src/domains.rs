//! Links: article URLs in each outlet's own layout, lookalike ("cloned news")
//! domains derived from real outlets, invented slow-link sites, and the
//! `t.co` short links that stand for URLs inside post text.

use crate::rng::{Rand, hash_bytes};
use crate::time::civil;
use crate::vocab::{
    COMBO_WORDS, KNOWN_LOOKALIKES, LOOKALIKE_TLDS, OUTLETS, Outlet, SLOW_SITE_A, SLOW_SITE_B, SLOW_SITE_TLD,
};

const BASE62: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const MONTHS: [&str; 12] = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];

/// Appends the `t.co` short link that stands for `url` in post text.
pub(crate) fn push_tco(out: &mut String, url: &str) {
    out.push_str("https://t.co/");
    let mut h = hash_bytes(url.as_bytes());
    for _ in 0..10 {
        out.push(char::from(BASE62[(h % 62) as usize]));
        h /= 62;
    }
}

/// Length in bytes (and chars) of a `t.co` link written by [`push_tco`].
#[cfg(test)]
pub(crate) const TCO_LEN: usize = 23;

fn push_num(out: &mut String, n: u64, width: usize) {
    let mut buf = itoa::Buffer::new();
    let s = buf.format(n);
    for _ in s.len()..width {
        out.push('0');
    }
    out.push_str(s);
}

fn push_hex(out: &mut String, mut h: u64, digits: usize) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    for _ in 0..digits {
        out.push(char::from(HEX[(h & 15) as usize]));
        h >>= 4;
    }
}

/// Where and what an article URL points to.
#[derive(Debug, Clone, Copy)]
pub(crate) struct UrlSpec<'a> {
    pub(crate) host: &'a str,
    /// Prefix `www.`.
    pub(crate) www: bool,
    /// URL layout (see [`article_url`]).
    pub(crate) style: u8,
    pub(crate) section: &'a str,
    /// Publication day (UTC midnight, ms).
    pub(crate) day_ms: i64,
    /// Stable per-article hash used for ids.
    pub(crate) key: u64,
    /// ASCII slug of the headline.
    pub(crate) slug: &'a str,
}

/// Writes an article URL in one of eight layouts modelled on real outlets
/// (date paths, section paths, BBC-style ids, Spiegel-style `-a-<uuid>`, …).
pub(crate) fn article_url(out: &mut String, spec: &UrlSpec<'_>) {
    let UrlSpec { host, www, style, section, day_ms, key, slug } = *spec;
    let (y, m, d) = civil(day_ms);
    out.push_str("https://");
    if www {
        out.push_str("www.");
    }
    out.push_str(host);
    out.push('/');
    let y = y as u64;
    let (m, d) = (u64::from(m), u64::from(d));
    match style {
        0 => {
            push_num(out, y, 4);
            out.push('/');
            push_num(out, m, 2);
            out.push('/');
            push_num(out, d, 2);
            out.push('/');
            out.push_str(section);
            out.push('/');
            out.push_str(slug);
            out.push_str(".html");
        }
        1 => {
            out.push_str(section);
            out.push('/');
            push_num(out, y, 4);
            out.push('/');
            push_num(out, m, 2);
            out.push('/');
            push_num(out, d, 2);
            out.push('/');
            out.push_str(slug);
            out.push('/');
        }
        2 => {
            out.push_str(section);
            out.push('/');
            push_num(out, y, 4);
            out.push('/');
            out.push_str(MONTHS[(m as usize).saturating_sub(1) % 12]);
            out.push('/');
            push_num(out, d, 2);
            out.push('/');
            out.push_str(slug);
        }
        3 => {
            out.push_str("news/articles/c");
            let mut h = key;
            for _ in 0..11 {
                out.push(char::from(BASE62[10 + 26 + (h % 26) as usize]));
                h /= 26;
            }
            out.push('o');
        }
        4 => {
            push_num(out, y, 4);
            out.push('/');
            push_num(out, m, 2);
            out.push('/');
            push_num(out, d, 2);
            out.push('/');
            out.push_str(section);
            out.push('/');
            out.push_str(slug);
            out.push_str("/index.html");
        }
        5 => {
            out.push_str(section);
            out.push('/');
            out.push_str(slug);
        }
        6 => {
            out.push_str(section);
            out.push('/');
            out.push_str(slug);
            out.push_str("-a-");
            push_hex(out, key, 8);
            out.push('-');
            push_hex(out, key >> 32, 4);
            out.push('-');
            push_hex(out, key >> 20, 4);
            out.push('-');
            push_hex(out, key >> 8, 4);
            out.push('-');
            push_hex(out, key.rotate_left(17), 12);
        }
        _ => {
            out.push_str(section);
            out.push('/');
            out.push_str(slug);
            out.push('-');
            push_num(out, 100_000_000 + key % 900_000_000, 9);
            out.push_str(".html");
        }
    }
}

/// The registrable stem of an outlet domain and its suffix (`bbc`, `co.uk`).
fn split_domain(domain: &str) -> (&str, &str) {
    for suffix in [".co.uk", ".go.com"] {
        if let Some(stem) = domain.strip_suffix(suffix) {
            let stem = stem.rsplit('.').next().unwrap_or(stem);
            return (stem, &suffix[1..]);
        }
    }
    match domain.rsplit_once('.') {
        Some((stem, tld)) => (stem.rsplit('.').next().unwrap_or(stem), tld),
        None => (domain, "com"),
    }
}

fn is_real_outlet(d: &str) -> bool {
    OUTLETS.iter().any(|o| o.domain == d)
}

const KEY_NEIGHBOURS: &[(u8, &[u8])] = &[
    (b'a', b"qsz"),
    (b'e', b"wrd"),
    (b'i', b"uok"),
    (b'o', b"ipl"),
    (b'n', b"bm"),
    (b's', b"adw"),
    (b't', b"ry"),
    (b'r', b"et"),
    (b'l', b"kp"),
    (b'u', b"yi"),
];

/// One typo of `stem`: omission, repetition, transposition, vowel swap or a
/// neighbouring key. Returns `None` when the stem is too short to mutate.
fn typo(rng: &mut Rand, stem: &str) -> Option<String> {
    let b = stem.as_bytes();
    if b.len() < 4 || !stem.is_ascii() {
        return None;
    }
    let mut v = b.to_vec();
    let i = 1 + rng.below(b.len() - 2);
    match rng.below(5) {
        0 => {
            v.remove(i);
        }
        1 => v.insert(i, b[i]),
        2 => v.swap(i, i + 1),
        3 => {
            const VOWELS: &[u8] = b"aeiou";
            let pos = (1..b.len()).find(|&j| VOWELS.contains(&b[(i + j) % b.len()]))?;
            let j = (i + pos) % b.len();
            let cur = v[j];
            let mut nv = *rng.pick(VOWELS);
            if nv == cur {
                nv = if cur == b'a' { b'e' } else { b'a' };
            }
            v[j] = nv;
        }
        _ => {
            let (_, ns) = KEY_NEIGHBOURS.iter().find(|(c, _)| *c == b[i])?;
            v[i] = *rng.pick(ns);
        }
    }
    if v.first() == Some(&b'-') || v.last() == Some(&b'-') {
        return None;
    }
    String::from_utf8(v).ok()
}

/// Generates one lookalike of `outlet`: a TLD swap, typo, hyphenation or
/// combosquat, sometimes two composed (a typo plus a TLD swap).
pub(crate) fn mutate(rng: &mut Rand, outlet: &Outlet) -> String {
    let (stem, tld) = split_domain(outlet.domain);
    for _ in 0..16 {
        let cand = match rng.below(6) {
            0 | 1 => format!("{stem}.{}", rng.pick(LOOKALIKE_TLDS)),
            2 => match typo(rng, stem) {
                Some(t) => format!("{t}.{tld}"),
                None => continue,
            },
            3 => {
                if stem.len() < 5 || stem.contains('-') {
                    continue;
                }
                let at = 2 + rng.below(stem.len() - 3);
                format!("{}-{}.{}", &stem[..at], &stem[at..], tld)
            }
            4 => {
                let w = rng.pick(COMBO_WORDS);
                let t = if rng.chance(0.5) { tld } else { rng.pick(LOOKALIKE_TLDS) };
                if rng.chance(0.7) { format!("{stem}-{w}.{t}") } else { format!("{w}-{stem}.{t}") }
            }
            _ => match typo(rng, stem) {
                Some(t) => format!("{t}.{}", rng.pick(LOOKALIKE_TLDS)),
                None => continue,
            },
        };
        if cand != outlet.domain && !is_real_outlet(&cand) && cand.is_ascii() {
            return cand;
        }
    }
    format!("{stem}-news.{}", LOOKALIKE_TLDS[0])
}

/// Known lookalikes of the outlet with domain `domain`.
pub(crate) fn known_lookalikes(domain: &str) -> impl Iterator<Item = &'static str> + '_ {
    KNOWN_LOOKALIKES.iter().filter(move |(_, real)| *real == domain).map(|(fake, _)| *fake)
}

/// An invented partisan-looking site for slow-link operations.
pub(crate) fn slow_site(rng: &mut Rand) -> String {
    let a = rng.pick(SLOW_SITE_A);
    let b = rng.pick(SLOW_SITE_B);
    let t = rng.pick(SLOW_SITE_TLD);
    match rng.below(4) {
        0 => format!("{a}-{b}.{t}"),
        1 => format!("the{a}{b}.{t}"),
        2 => format!("{a}{b}{}.{t}", rng.range(1, 99)),
        _ => format!("{a}{b}.{t}"),
    }
}

/// `display_url` as Twitter shows it: no scheme, cut after 24 characters.
pub(crate) fn display_url(url: &str) -> (&str, bool) {
    let s = url.strip_prefix("https://").or_else(|| url.strip_prefix("http://")).unwrap_or(url);
    let s = s.strip_prefix("www.").unwrap_or(s);
    if s.len() > 24 {
        let mut cut = 24;
        while !s.is_char_boundary(cut) {
            cut -= 1;
        }
        (&s[..cut], true)
    } else {
        (s, false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tco_is_stable_and_sized() {
        let mut a = String::new();
        push_tco(&mut a, "https://example.org/a");
        let mut b = String::new();
        push_tco(&mut b, "https://example.org/a");
        assert_eq!(a, b);
        assert_eq!(a.len(), TCO_LEN);
    }

    #[test]
    fn mutations_are_not_real_outlets() {
        let mut rng = Rand::new(5);
        for o in OUTLETS {
            for _ in 0..20 {
                let m = mutate(&mut rng, o);
                assert_ne!(m, o.domain);
                assert!(!is_real_outlet(&m), "{m}");
                assert!(m.contains('.'), "{m}");
            }
        }
    }

    #[test]
    fn stems() {
        assert_eq!(split_domain("bbc.co.uk"), ("bbc", "co.uk"));
        assert_eq!(split_domain("news.sky.com"), ("sky", "com"));
        assert_eq!(split_domain("spiegel.de"), ("spiegel", "de"));
    }

    fn spec<'a>(host: &'a str, style: u8, section: &'a str, day_ms: i64) -> UrlSpec<'a> {
        UrlSpec { host, www: true, style, section, day_ms, key: 7, slug: "a-b" }
    }

    #[test]
    fn url_layouts() {
        let day = 1_722_211_200_000; // 2024-07-29
        let mut s = String::new();
        article_url(&mut s, &spec("nytimes.com", 0, "politics", day));
        assert_eq!(s, "https://www.nytimes.com/2024/07/29/politics/a-b.html");
        s.clear();
        article_url(&mut s, &spec("theguardian.com", 2, "world", day));
        assert_eq!(s, "https://www.theguardian.com/world/2024/jul/29/a-b");
        assert_eq!(display_url("https://www.nytimes.com/x"), ("nytimes.com/x", false));
    }
}
