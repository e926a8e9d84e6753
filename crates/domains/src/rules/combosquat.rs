//! `combosquat`: the outlet's label with other words around it.
//!
//! # What it detects
//! `bild-news.com`, `pravda-ua.com`, `spiegel-online24.de`, `spiegelonline.info`,
//! `the-washingtonpost.com`, `le-monde-fr.info` (the label itself split by a hyphen), the
//! outlet's whole domain written as one label (`spiegelde.com`, `faz-net.com`,
//! `newscomau.net`: the only label form matched for `generic` outlets), and the outlet's
//! whole domain in front of other labels (`dailymail.co.uk.com`, `www.spiegel.de.ltd`,
//! `nytimes.com-article.info`).
//!
//! # Why it indicates coordination
//! Adding "news", "online", "24" or a country code keeps the brand readable while
//! dodging trademark watch lists that only look for exact names and typos.
//!
//! # Evidence emitted
//! Score 0.85 for the outlet's domain in front of other labels; 0.80 for the whole domain
//! as one label; 0.75 when the label stands as hyphenated
//! words among affixes (news words, country codes, web words, numbers: `data/affixes.txt`);
//! 0.70 when joined without a hyphen to affixes; 0.55 when a long distinctive label (seven
//! letters or more) stands among arbitrary hyphenated words (`nytimes-investigations`).
//!
//! # Known false positives
//! CDN host names that carry a customer's domain (`spiegel.de.edgekey.net`), rare in shared
//! links. Words that merely contain a label (`bildung` contains `bild`): the rest must be affixes
//! unless hyphenated, labels under four letters and common words never match, and input
//! labels that are common or dictionary words are never reported.
//!
//! # References
//! Kintis et al., "Hiding in Plain Sight: A Longitudinal Study of Combosquatting Abuse",
//! ACM CCS 2017.

use crate::index::{COMBO_CONCAT_MIN_LEN, COMBO_FREE_MIN_LEN, Index, NOT_LISTED, TAG};
use crate::lexicon::is_commodity_suffix;
use crate::normalize::SuffixKind;
use crate::rule::Rule;
use crate::rules::{Hit, Query, choose};
use crate::text::hash_chars;

pub(crate) const EMBEDDED_SCORE: f32 = 0.85;
pub(crate) const FLAT_SCORE: f32 = 0.80;
pub(crate) const TOKEN_SCORE: f32 = 0.75;
pub(crate) const CONCAT_SCORE: f32 = 0.70;
pub(crate) const FREE_SCORE: f32 = 0.55;

pub(crate) fn find(index: &Index, query: &Query<'_>) -> Option<Hit> {
    let chars = query.chars;
    let prefix = query.prefix;
    let n = prefix.len();
    let lexicon = &index.lexicon;
    let mut candidates: Vec<(u32, f32)> = Vec::new();
    let mut found: Vec<(u32, bool)> = Vec::new();

    // The outlet's whole domain in front of more labels or words: dailymail.co.uk.com.
    let embedded = embedded(index, query);
    candidates.extend(embedded.iter().map(|&(id, _)| (id, EMBEDDED_SCORE)));

    // The whole label is the outlet's domain written as one label: spiegelde, bbc-co-uk.
    lookup(index, prefix.range(0, n), || chars.to_vec(), &mut found);
    candidates.extend(found.drain(..).filter(|&(_, flat)| flat).map(|(id, _)| (id, FLAT_SCORE)));

    // Hyphenated words: a run of whole tokens, as written or without its hyphens, is the
    // outlet's label: bild-news, the-washingtonpost, le-monde-fr.
    if chars.contains(&'-') {
        let mut tokens = Vec::new();
        let mut start = 0;
        for (i, &c) in chars.iter().enumerate() {
            if c == '-' {
                tokens.push((start, i));
                start = i + 1;
            }
        }
        tokens.push((start, n));
        for i in 0..tokens.len() {
            for j in i..tokens.len() {
                let (a, b) = (tokens[i].0, tokens[j].1);
                if a >= b || (a == 0 && b == n) {
                    continue;
                }
                let run = &chars[a..b];
                lookup(index, prefix.range(a, b), || run.to_vec(), &mut found);
                if j > i {
                    let plain = || run.iter().copied().filter(|&c| c != '-');
                    lookup(index, hash_chars(plain()), || plain().collect(), &mut found);
                }
                for (id, flat) in found.drain(..) {
                    let around = (a == 0 || lexicon.is_affix_sequence(chars, prefix, 0, a))
                        && (b == n || lexicon.is_affix_sequence(chars, prefix, b, n));
                    if around {
                        candidates.push((id, if flat { FLAT_SCORE } else { TOKEN_SCORE }));
                    } else if flat || index.brands[id as usize].chars.len() >= COMBO_FREE_MIN_LEN {
                        candidates.push((id, FREE_SCORE));
                    }
                }
            }
        }
    }

    // Joined without a hyphen: the label starts or ends with the outlet's label. Two
    // letters joined after it are too often a word's own ending (`spiegelau`, a glassworks),
    // so under ordinary suffixes a trailing affix needs three characters or a digit
    // (`spiegelonline`, `bild24`; `altingetde.ltd` is fine); a leading one may be short
    // (`mylemonde`).
    let score = |flat: bool| if flat { FLAT_SCORE } else { CONCAT_SCORE };
    let throwaway = || !is_commodity_suffix(query.suffix(), query.host.suffix_kind() == SuffixKind::Private);
    let joinable = |a: usize, b: usize| b - a >= 3 || chars[a..b].iter().any(char::is_ascii_digit) || throwaway();
    for p in COMBO_CONCAT_MIN_LEN..n {
        lookup(index, prefix.range(0, p), || chars[..p].to_vec(), &mut found);
        if !found.is_empty() && joinable(p, n) && lexicon.is_affix_sequence(chars, prefix, p, n) {
            candidates.extend(found.iter().map(|&(id, flat)| (id, score(flat))));
        }
        found.clear();
        let q = n - p;
        lookup(index, prefix.range(q, n), || chars[q..].to_vec(), &mut found);
        if !found.is_empty() && lexicon.is_affix_sequence(chars, prefix, 0, q) {
            candidates.extend(found.iter().map(|&(id, flat)| (id, score(flat))));
        }
        found.clear();
    }

    let (brand, rule, score) = choose(index, query, Rule::Combosquat, candidates)?;
    let is_embedded = embedded.iter().any(|&(id, _)| id == brand) && score == EMBEDDED_SCORE;
    if !is_embedded && index.is_word(query.label()) {
        return None;
    }
    let b = &index.brands[brand as usize];
    let evidence = match embedded.iter().find(|&&(id, _)| id == brand) {
        Some((_, domain)) if is_embedded => {
            format!("host {:?} starts with {domain}, a domain of {}", query.host.host(), b.canonical)
        }
        _ => format!("label {:?} wraps {:?} of {}", query.label_text(), b.label(), b.canonical),
    };
    Some(Hit { brand, rule, score, evidence })
}

/// Collects the outlets stored under `key` whose label (as written or without hyphens) or
/// one-label domain is exactly the run that `run` materialises (only on a hash hit).
fn lookup(index: &Index, key: u64, run: impl FnOnce() -> Vec<char>, out: &mut Vec<(u32, bool)>) {
    let ids = index.combo.get(key);
    if ids.is_empty() {
        return;
    }
    let run = run();
    for &tagged in ids {
        let id = tagged & !TAG;
        let flat = tagged & TAG != 0;
        let brand = &index.brands[id as usize];
        let matches = if flat {
            let joined = |joiner: Option<char>| {
                brand.canonical.chars().filter_map(move |c| if c == '.' { joiner } else { Some(c) })
            };
            joined(None).eq(run.iter().copied()) || joined(Some('-')).eq(run.iter().copied())
        } else {
            *brand.chars == *run || brand.chars.iter().copied().filter(|&c| c != '-').eq(run.iter().copied())
        };
        if matches && !out.contains(&(id, flat)) {
            out.push((id, flat));
        }
    }
}

/// Outlet domains (canonical or sibling) that the host starts a label with, followed by
/// more labels or a hyphen, outside the registrable label: `dailymail.co.uk.com`,
/// `www.spiegel.de.ltd`, `nytimes.com-article.info`. Returns `(id, embedded domain)`.
fn embedded(index: &Index, query: &Query<'_>) -> Vec<(u32, String)> {
    let host = query.host.host();
    let bytes = host.as_bytes();
    let registrable_start = host.len() - query.host.registrable().len();
    let mut out = Vec::new();
    let mut start = 0;
    while start <= registrable_start {
        let mut seen_dot = false;
        for (e, &b) in bytes.iter().enumerate().skip(start) {
            if (b == b'.' || b == b'-') && seen_dot {
                let domain = &host[start..e];
                if let Some(&id) = index.allow.get(domain)
                    && id != NOT_LISTED
                {
                    let first = domain.split('.').next().unwrap_or("");
                    if first != query.label() {
                        out.push((id, domain.to_owned()));
                    }
                }
            }
            seen_dot |= b == b'.';
        }
        match host[start..].find('.') {
            Some(dot) => start += dot + 1,
            None => break,
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::testutil::check;

    #[test]
    fn labels_among_affixes() {
        check("bild-news.com", "bild.de combosquat");
        check("pravda-ua.com", "pravda.com.ua combosquat");
        check("spiegel-online24.de", "spiegel.de combosquat");
        check("the-washingtonpost.com", "washingtonpost.com combosquat");
        check("news-spiegel-24.info", "spiegel.de combosquat");
    }

    #[test]
    fn joined_without_hyphens() {
        check("spiegelonline24.com", "spiegel.de combosquat");
        check("mylemonde.fr", "lemonde.fr combosquat");
        check("nytimesnews.com", "nytimes.com combosquat");
        check("spiegelau.com", "");
    }

    #[test]
    fn whole_domain_as_one_label() {
        check("spiegelde.com", "spiegel.de combosquat");
        check("newscomau.net", "news.com.au combosquat");
        check("bbccouk-news.info", "bbc.co.uk combosquat");
    }

    #[test]
    fn outlet_domain_in_front() {
        check("dailymail.co.uk.com", "dailymail.co.uk combosquat");
        check("www.spiegel.de.ltd", "spiegel.de combosquat");
        check("nytimes.com-article.info", "nytimes.com combosquat");
        check("sz.de.example.com", "sueddeutsche.de combosquat");
        // Not the suffix-swap family in disguise: bbc.com.au is bbc under com.au.
        check("bbc.com.au", "");
    }

    #[test]
    fn hyphenated_label_among_affixes() {
        check("le-monde-fr.info", "lemonde.fr combosquat");
        check("faz-net.com", "faz.net combosquat");
        check("ouest-france-info.com", "ouest-france.fr combosquat");
    }

    #[test]
    fn long_labels_among_any_words() {
        check("nytimes-investigations.com", "nytimes.com combosquat");
    }

    #[test]
    fn leaves_alone() {
        // Words that merely contain a label.
        check("bildung.de", "");
        check("spiegelgruppe.de", "");
        check("lemondeinformatique.fr", "");
        // Short labels and common words are never combosquatted.
        check("bbc-news.com", "");
        check("mirror-news.com", "");
        // A shorter label among arbitrary words is not enough.
        check("bild-hamburg.de", "");
        // Dictionary words.
        check("delfino.it", "");
    }
}
