//! The reference list: which outlets lookalikes imitate, and which of their domains are real.
//!
//! The default list ships inside the crate (`data/outlets.tsv`, embedded with
//! `include_str!`) so the matcher works offline with no setup. Analysts extend it with their
//! own lists in the same format and [`OutletList::merge`] them in. Parsing is strict by
//! default and names file, line and field for every bad line; [`OutletList::parse_lenient`]
//! keeps the good lines instead and returns the diagnostics beside them.
//!
//! # Format (version 1)
//!
//! ```text
//! # swarmscan-outlets v1
//! canonical_domain<TAB>name<TAB>country<TAB>siblings<TAB>flags
//! spiegel.de<TAB>Der Spiegel<TAB>DE<TAB>spon.de
//! news.com.au<TAB>news.com.au<TAB>AU<TAB><TAB>generic
//! ```
//!
//! `country` is an ISO 3166-1 alpha-2 code, `siblings` a comma-separated allowlist of the
//! outlet's other registrable domains, `flags` optional (`generic`: the label is an ordinary
//! word and only the whole domain written as one label is matched). Lines starting with `#`
//! and blank lines are ignored; a `# swarmscan-outlets vN` header, when present, must name a
//! version this build reads.

use std::collections::BTreeMap;

use crate::error::{Diagnostic, Error};
use crate::normalize;

/// The format version this build reads and writes.
pub const OUTLETS_FORMAT_VERSION: u32 = 1;

const HEADER_PREFIX: &str = "# swarmscan-outlets v";
const BUILTIN: &str = include_str!("../data/outlets.tsv");

/// One reference outlet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outlet {
    canonical_domain: String,
    name: String,
    country: String,
    siblings: Vec<String>,
    generic: bool,
}

impl Outlet {
    /// The outlet's main registrable domain, lowercase ASCII (`spiegel.de`).
    pub fn canonical_domain(&self) -> &str {
        &self.canonical_domain
    }

    /// Human-readable name (`Der Spiegel`).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// ISO 3166-1 alpha-2 country code, upper case (`DE`).
    pub fn country(&self) -> &str {
        &self.country
    }

    /// Other legitimate registrable domains of the outlet, sorted; never reported.
    pub fn siblings(&self) -> &[String] {
        &self.siblings
    }

    /// Whether the label is flagged `generic` (only the whole domain as one label matches).
    pub fn is_generic(&self) -> bool {
        self.generic
    }

    /// The canonical domain and the siblings.
    pub fn domains(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.canonical_domain.as_str()).chain(self.siblings.iter().map(String::as_str))
    }
}

/// A set of reference outlets, keyed and ordered by canonical domain.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OutletList {
    outlets: BTreeMap<String, Outlet>,
}

impl OutletList {
    /// The list shipped with the crate (`data/outlets.tsv`).
    pub fn builtin() -> OutletList {
        let (list, diagnostics) = OutletList::parse_lenient(BUILTIN, "data/outlets.tsv");
        debug_assert!(diagnostics.is_empty(), "builtin outlet list: {diagnostics:?}");
        list
    }

    /// Parses a list; any bad line makes it an [`Error::Invalid`] naming every bad line.
    pub fn parse(text: &str, source_name: &str) -> Result<OutletList, Error> {
        let (list, diagnostics) = OutletList::parse_lenient(text, source_name);
        if diagnostics.is_empty() { Ok(list) } else { Err(Error::Invalid { diagnostics }) }
    }

    /// Parses a list, skipping bad lines and returning a diagnostic for each.
    pub fn parse_lenient(text: &str, source_name: &str) -> (OutletList, Vec<Diagnostic>) {
        let mut list = OutletList::default();
        let mut diagnostics = Vec::new();
        for (index, raw) in text.lines().enumerate() {
            let line = index + 1;
            let diag = |field: &'static str, reason: String| Diagnostic {
                source_name: source_name.to_owned(),
                line,
                field,
                reason,
            };
            if let Some(version) = raw.trim().strip_prefix(HEADER_PREFIX) {
                if version.trim() != OUTLETS_FORMAT_VERSION.to_string() {
                    diagnostics.push(diag(
                        "header",
                        format!(
                            "unsupported format version v{} (this build reads v{OUTLETS_FORMAT_VERSION})",
                            version.trim()
                        ),
                    ));
                }
                continue;
            }
            if raw.trim().is_empty() || raw.trim_start().starts_with('#') {
                continue;
            }
            match parse_line(raw) {
                Ok(outlet) => {
                    if list.outlets.contains_key(&outlet.canonical_domain) {
                        diagnostics
                            .push(diag("canonical_domain", format!("duplicate outlet {:?}", outlet.canonical_domain)));
                    } else {
                        list.outlets.insert(outlet.canonical_domain.clone(), outlet);
                    }
                }
                Err((field, reason)) => diagnostics.push(diag(field, reason)),
            }
        }
        (list, diagnostics)
    }

    /// Adds `other`'s outlets; an outlet of `other` replaces one with the same canonical
    /// domain (a user list overrides the builtin entry).
    pub fn merge(&mut self, other: OutletList) {
        self.outlets.extend(other.outlets);
    }

    /// Number of outlets.
    pub fn len(&self) -> usize {
        self.outlets.len()
    }

    /// Whether the list has no outlets.
    pub fn is_empty(&self) -> bool {
        self.outlets.is_empty()
    }

    /// The outlets, ordered by canonical domain.
    pub fn iter(&self) -> impl Iterator<Item = &Outlet> {
        self.outlets.values()
    }

    /// The outlet with this canonical domain.
    pub fn get(&self, canonical_domain: &str) -> Option<&Outlet> {
        self.outlets.get(canonical_domain)
    }

    /// Writes the list in the current format, one outlet per line, sorted.
    pub fn to_tsv(&self) -> String {
        let mut out = format!("{HEADER_PREFIX}{OUTLETS_FORMAT_VERSION}\n");
        for o in self.iter() {
            out.push_str(&format!(
                "{}\t{}\t{}\t{}{}\n",
                o.canonical_domain,
                o.name,
                o.country,
                o.siblings.join(","),
                if o.generic { "\tgeneric" } else { "" }
            ));
        }
        out
    }
}

fn parse_line(raw: &str) -> Result<Outlet, (&'static str, String)> {
    let fields: Vec<&str> = raw.split('\t').map(str::trim).collect();
    if fields.len() < 3 {
        return Err((
            "line",
            format!(
                "expected at least 3 TAB-separated fields (canonical_domain, name, country), found {}",
                fields.len()
            ),
        ));
    }
    if fields.len() > 5 {
        return Err(("line", format!("expected at most 5 fields, found {}", fields.len())));
    }
    let canonical_domain = normalize::registrable_domain(fields[0]).map_err(|reason| ("canonical_domain", reason))?;
    let name = fields[1];
    if name.is_empty() {
        return Err(("name", "empty name".to_owned()));
    }
    let country = fields[2];
    if country.len() != 2 || !country.bytes().all(|b| b.is_ascii_alphabetic()) {
        return Err(("country", format!("{country:?} is not an ISO 3166-1 alpha-2 code")));
    }
    let mut siblings = Vec::new();
    for sibling in fields.get(3).unwrap_or(&"").split(',').map(str::trim) {
        if sibling.is_empty() {
            continue;
        }
        let sibling = normalize::registrable_domain(sibling).map_err(|reason| ("siblings", reason))?;
        if sibling != canonical_domain {
            siblings.push(sibling);
        }
    }
    siblings.sort();
    siblings.dedup();
    let mut generic = false;
    for flag in fields.get(4).unwrap_or(&"").split(',').map(str::trim) {
        match flag {
            "" => {}
            "generic" => generic = true,
            other => return Err(("flags", format!("unknown flag {other:?} (known: generic)"))),
        }
    }
    Ok(Outlet { canonical_domain, name: name.to_owned(), country: country.to_ascii_uppercase(), siblings, generic })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Parses `text` and compares a compact rendering of the result (or of the error).
    fn check(text: &str, expect: &str) {
        let got = match OutletList::parse(text, "test.tsv") {
            Ok(list) => list.to_tsv(),
            Err(e) => format!("error: {e}"),
        };
        assert_eq!(got.trim_end(), expect.trim_end(), "input:\n{text}");
    }

    #[test]
    fn parses_and_normalises() {
        check(
            "# swarmscan-outlets v1\nSpiegel.DE\tDer Spiegel\tde\tspon.de, SPIEGEL.de\n\n# c\nnews.com.au\tnews\tAU\t\tgeneric\n",
            "# swarmscan-outlets v1\nnews.com.au\tnews\tAU\t\tgeneric\nspiegel.de\tDer Spiegel\tDE\tspon.de",
        );
    }

    #[test]
    fn reports_bad_lines() {
        check(
            "news.sky.com\tSky\tGB",
            "error: test.tsv:1: canonical_domain: \"news.sky.com\" is not a registrable domain (its registrable domain is \"sky.com\")",
        );
        check(
            "spiegel.de\tSpiegel",
            "error: test.tsv:1: line: expected at least 3 TAB-separated fields (canonical_domain, name, country), found 2",
        );
        check("spiegel.de\tSpiegel\tGER", "error: test.tsv:1: country: \"GER\" is not an ISO 3166-1 alpha-2 code");
        check("a.de\tA\tDE\n\na.de\tA\tDE", "error: test.tsv:3: canonical_domain: duplicate outlet \"a.de\"");
        check(
            "a.de\tA\tDE\tlocalhost",
            "error: test.tsv:1: siblings: \"localhost\" is not a domain under a known public suffix",
        );
        check("a.de\tA\tDE\t\tloud", "error: test.tsv:1: flags: unknown flag \"loud\" (known: generic)");
        check(
            "# swarmscan-outlets v2\n",
            "error: test.tsv:1: header: unsupported format version v2 (this build reads v1)",
        );
        check(
            "x\ty\tDE\nz\tw\tDE",
            "error: test.tsv:1: canonical_domain: \"x\" is not a domain under a known public suffix (and 1 more bad lines)",
        );
    }

    #[test]
    fn lenient_keeps_good_lines() {
        let (list, diags) = OutletList::parse_lenient("bad\nspiegel.de\tSpiegel\tDE\n", "t");
        assert_eq!(list.len(), 1);
        assert_eq!(diags.len(), 1);
        assert_eq!(diags[0].line, 1);
    }

    #[test]
    fn merge_overrides() {
        let mut list = OutletList::parse("a.de\tA\tDE\nb.de\tB\tDE", "one").unwrap();
        list.merge(OutletList::parse("b.de\tBee\tAT\tb.at", "two").unwrap());
        assert_eq!(list.len(), 2);
        let b = list.get("b.de").unwrap();
        assert_eq!((b.name(), b.country(), b.siblings()), ("Bee", "AT", &["b.at".to_owned()][..]));
    }

    #[test]
    fn builtin_list_is_valid_and_broad() {
        let (list, diags) = OutletList::parse_lenient(BUILTIN, "data/outlets.tsv");
        assert_eq!(diags, vec![]);
        assert!(BUILTIN.starts_with("# swarmscan-outlets v1\n"));
        assert!(list.len() >= 300, "{} outlets", list.len());
        let countries: std::collections::BTreeSet<&str> = list.iter().map(Outlet::country).collect();
        assert!(countries.len() >= 25, "{} countries", countries.len());
        // No domain is listed twice across outlets.
        let mut seen = std::collections::BTreeMap::new();
        for o in list.iter() {
            for d in o.domains() {
                if let Some(prev) = seen.insert(d.to_owned(), o.canonical_domain()) {
                    panic!("{d} listed by both {prev} and {}", o.canonical_domain());
                }
            }
        }
    }
}
