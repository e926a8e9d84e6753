//! The benchmark corpus, shared by `benches/matcher.rs` and `examples/bench_figure.rs`:
//! the builtin outlet list padded with synthetic outlets to 1,000, and 1,000,000 domains,
//! mostly random names plus about 5% mutations of real outlets. Fully deterministic.

use swarmscan_domains::OutletList;

/// Outlets in the padded reference list.
pub const OUTLETS: usize = 1_000;
/// Domains checked per run.
pub const DOMAINS: usize = 1_000_000;

/// SplitMix64: tiny, seeded, good enough for test data.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

const SUFFIXES: &[&str] = &[
    "com",
    "com",
    "com",
    "com",
    "net",
    "org",
    "de",
    "fr",
    "co.uk",
    "it",
    "es",
    "pl",
    "ru",
    "com.ua",
    "nl",
    "info",
    "io",
    "ltd",
    "top",
    "online",
    "site",
    "xyz",
    "co",
    "eu",
    "ch",
    "at",
    "se",
    "blogspot.com",
    "github.io",
    "com.br",
];
const ONSETS: &[&str] = &[
    "b", "c", "d", "f", "g", "h", "k", "l", "m", "n", "p", "r", "s", "t", "v", "w", "z", "br", "st", "tr", "gr", "sch",
    "ch", "sh", "pl", "kr",
];
const VOWELS: &[&str] = &["a", "e", "i", "o", "u", "ie", "ea", "ou", "y"];

/// A pronounceable random label of `min..=max` characters.
pub fn word(rng: &mut Rng, min: usize, max: usize) -> String {
    let target = min + rng.below(max - min + 1);
    let mut s = String::new();
    while s.len() < target {
        s.push_str(rng.pick::<&str>(ONSETS));
        s.push_str(rng.pick::<&str>(VOWELS));
    }
    s.truncate(target);
    s
}

/// The builtin list plus synthetic outlets, `OUTLETS` in all.
pub fn outlets() -> OutletList {
    let mut list = OutletList::builtin();
    let mut rng = Rng::new(1);
    let mut text = String::new();
    let mut i = 0;
    while list.len() + text.lines().count() < OUTLETS {
        let label = word(&mut rng, 6, 14);
        let suffix = rng.pick(&["com", "de", "fr", "co.uk", "it", "es", "pl", "com.ua", "nl", "ru"]);
        text.push_str(&format!("{label}.{suffix}\tSynthetic {i}\tXX\n"));
        i += 1;
    }
    let (extra, _) = OutletList::parse_lenient(&text, "synthetic");
    list.merge(extra);
    list
}

/// `DOMAINS` domains: ~95% random, ~5% mutations of the outlets' labels.
pub fn domains(outlets: &OutletList) -> Vec<String> {
    let labels: Vec<(String, String)> = outlets
        .iter()
        .filter_map(|o| {
            let (label, suffix) = o.canonical_domain().split_once('.')?;
            Some((label.to_owned(), suffix.to_owned()))
        })
        .collect();
    let mut rng = Rng::new(2);
    let mut out = Vec::with_capacity(DOMAINS);
    for _ in 0..DOMAINS {
        let suffix = *rng.pick(SUFFIXES);
        let label = if rng.below(100) < 5 {
            let (label, _) = rng.pick(&labels);
            let mut chars: Vec<char> = label.chars().collect();
            match rng.below(5) {
                0 => {}
                1 => {
                    let i = rng.below(chars.len());
                    chars.remove(i);
                }
                2 => {
                    let i = rng.below(chars.len());
                    chars.insert(i, 'x');
                }
                3 => {
                    let i = 1 + rng.below(chars.len().max(2) - 1);
                    chars.insert(i.min(chars.len()), '-');
                }
                _ => chars.extend("-news".chars()),
            }
            chars.into_iter().collect()
        } else {
            let mut w = word(&mut rng, 4, 16);
            match rng.below(10) {
                0 => w.push_str(&rng.below(100).to_string()),
                1 => {
                    w.push('-');
                    w.push_str(&word(&mut rng, 3, 8));
                }
                _ => {}
            }
            w
        };
        let host = match rng.below(5) {
            0 => format!("www.{label}.{suffix}"),
            _ => format!("{label}.{suffix}"),
        };
        out.push(host);
    }
    out
}
