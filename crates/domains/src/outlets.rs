//! The reference list: which outlets lookalikes imitate, and which of their domains are real.
//!
//! The default list ships inside the crate (`data/outlets.tsv`, embedded with
//! `include_str!`) so the matcher works offline with no setup. Analysts add their own lists
//! in whatever shape they have and [`OutletList::merge`] them in:
//!
//! * a **plain list**, one domain (or URL) per line, optionally followed by a name and a
//!   two-letter country code: `spiegel.de`, `https://www.lemonde.fr/ Le Monde FR`;
//! * **TSV** in the version-1 column order (below), where only the domain is required;
//! * **CSV or TSV with a header** naming its columns (`domain`/`url`/`website`, `name`,
//!   `country`, `siblings`, `flags`, `source`, in any order, extra columns ignored).
//!
//! A public suffix with registrable children (`gov.pl`, `gouv.fr`, `gov.ua`) is an outlet
//! too: it stands for the sites under it (`mswia.gov.pl`) and is imitated by `qov.pl`,
//! `govv.pl` or `diplomatie.gouv.fm` (see `rules/institution.rs`). Hosts are cut to their
//! registrable domain (`www.spiegel.de/politik` is `spiegel.de`).
//!
//! [`OutletList::parse`] skips bad lines and keeps a [`Diagnostic`] (file, line, field,
//! reason) for each in [`OutletList::skipped`], so one odd line never stops a run;
//! [`OutletList::parse_strict`] refuses the whole list instead.
//!
//! # Format (version 1)
//!
//! ```text
//! # swarmscan-outlets v1
//! # source: Wikipedia, List of newspapers in Germany
//! canonical_domain<TAB>name<TAB>country<TAB>siblings<TAB>flags<TAB>source
//! spiegel.de<TAB>Der Spiegel<TAB>DE<TAB>spon.de
//! news.com.au<TAB>news.com.au<TAB>AU<TAB><TAB>generic
//! ```
//!
//! `country` is an ISO 3166-1 alpha-2 code, `siblings` a comma-separated allowlist of the
//! outlet's other registrable domains (other-country editions, second domains, redirects),
//! `flags` optional (`generic`: the label is an ordinary word and only the whole domain
//! written as one label is matched), `source` optional: where the entry comes from. A
//! `# source: TEXT` comment gives the source of every following entry without its own.
//! Lines starting with `#` and blank lines are ignored; a `# swarmscan-outlets vN` header,
//! when present, must name a version this build reads.

use std::collections::BTreeMap;

use crate::error::{Diagnostic, Error};
use crate::normalize;

/// The format version this build reads and writes.
pub const OUTLETS_FORMAT_VERSION: u32 = 1;

const HEADER_PREFIX: &str = "# swarmscan-outlets v";
const SOURCE_PREFIX: &str = "# source:";
const BUILTIN: &str = include_str!("../data/outlets.tsv");

/// One reference outlet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outlet {
    canonical_domain: String,
    name: String,
    country: String,
    siblings: Vec<String>,
    generic: bool,
    suffix: bool,
    source: String,
}

impl Outlet {
    /// The outlet's main registrable domain, lowercase ASCII (`spiegel.de`), or a public
    /// suffix standing for the sites under it (`gov.pl`, see [`Outlet::is_suffix`]).
    pub fn canonical_domain(&self) -> &str {
        &self.canonical_domain
    }

    /// Human-readable name (`Der Spiegel`); the domain when the list gave none.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// ISO 3166-1 alpha-2 country code, upper case (`DE`); empty when the list gave none.
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

    /// Whether the canonical domain is a public suffix (`gov.pl`, `gouv.fr`): the outlet is
    /// every site registered under it, and none of them is ever reported.
    pub fn is_suffix(&self) -> bool {
        self.suffix
    }

    /// Where the entry comes from (`Wikipedia, List of newspapers in Germany`); empty when
    /// the list does not say.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// The canonical domain and the siblings.
    pub fn domains(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.canonical_domain.as_str()).chain(self.siblings.iter().map(String::as_str))
    }
}

/// The shape a list was written in, as recognised from its first data line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListFormat {
    /// One domain per line, optionally followed by a name and a country code.
    Plain,
    /// TAB-separated, version-1 column order or a header line.
    Tsv,
    /// Comma-separated, version-1 column order or a header line.
    Csv,
}

/// A set of reference outlets, keyed and ordered by canonical domain, with the lines that
/// were skipped while reading it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OutletList {
    outlets: BTreeMap<String, Outlet>,
    skipped: Vec<Diagnostic>,
}

impl OutletList {
    /// The list shipped with the crate (`data/outlets.tsv`).
    pub fn builtin() -> OutletList {
        let list = OutletList::read(BUILTIN, "data/outlets.tsv");
        debug_assert!(list.skipped.is_empty(), "builtin outlet list: {:?}", list.skipped);
        list
    }

    /// The builtin list, parsed once per process.
    pub(crate) fn builtin_shared() -> &'static OutletList {
        static LIST: std::sync::OnceLock<OutletList> = std::sync::OnceLock::new();
        LIST.get_or_init(OutletList::builtin)
    }

    /// The text of the builtin list, as compiled in.
    pub fn builtin_text() -> &'static str {
        BUILTIN
    }

    /// Parses a list in any of the accepted shapes (plain, TSV, CSV with or without a
    /// header). Bad lines are skipped and kept in [`OutletList::skipped`]; the result is
    /// an error only when the header names a version this build cannot read, or when no
    /// line at all could be read from a list that had bad lines (probably not a list).
    pub fn parse(text: &str, source_name: &str) -> Result<OutletList, Error> {
        let list = OutletList::read(text, source_name);
        let fatal = list.skipped.iter().any(|d| d.field == "header");
        if fatal || (list.is_empty() && !list.skipped.is_empty()) {
            return Err(Error::Invalid { diagnostics: list.skipped });
        }
        Ok(list)
    }

    /// Parses a list; any bad line makes it an [`Error::Invalid`] naming every bad line.
    pub fn parse_strict(text: &str, source_name: &str) -> Result<OutletList, Error> {
        let list = OutletList::read(text, source_name);
        if list.skipped.is_empty() { Ok(list) } else { Err(Error::Invalid { diagnostics: list.skipped }) }
    }

    /// Parses a list, skipping bad lines and returning a diagnostic for each.
    pub fn parse_lenient(text: &str, source_name: &str) -> (OutletList, Vec<Diagnostic>) {
        let list = OutletList::read(text, source_name);
        let skipped = list.skipped.clone();
        (list, skipped)
    }

    /// The shape [`OutletList::parse`] recognises `text` as.
    pub fn detect_format(text: &str) -> ListFormat {
        match data_lines(text).next() {
            Some((_, line)) if line.contains('\t') => ListFormat::Tsv,
            Some((_, line)) if line.contains(',') => ListFormat::Csv,
            _ => ListFormat::Plain,
        }
    }

    fn read(text: &str, source_name: &str) -> OutletList {
        let mut list = OutletList::default();
        let diag = |line: usize, field: &'static str, reason: String| Diagnostic {
            source_name: source_name.to_owned(),
            line,
            field,
            reason,
        };
        // Headers, comments and the running `# source:`.
        let mut sources: Vec<(usize, String)> = Vec::new();
        for (index, raw) in text.lines().enumerate() {
            let trimmed = raw.trim();
            if let Some(version) = trimmed.strip_prefix(HEADER_PREFIX) {
                if version.trim() != OUTLETS_FORMAT_VERSION.to_string() {
                    list.skipped.push(diag(
                        index + 1,
                        "header",
                        format!(
                            "unsupported format version v{} (this build reads v{OUTLETS_FORMAT_VERSION})",
                            version.trim()
                        ),
                    ));
                    return list;
                }
            } else if let Some(source) = trimmed.strip_prefix(SOURCE_PREFIX) {
                sources.push((index + 1, source.trim().to_owned()));
            }
        }
        let source_at = |line: usize| -> &str {
            match sources.partition_point(|(l, _)| *l < line) {
                0 => "",
                i => &sources[i - 1].1,
            }
        };
        let format = OutletList::detect_format(text);
        let mut columns: Option<Columns> = None;
        for (line, raw) in data_lines(text) {
            let fields = match format {
                ListFormat::Plain => plain_fields(raw),
                ListFormat::Tsv => raw.split('\t').map(|f| f.trim().to_owned()).collect(),
                ListFormat::Csv => match csv_fields(raw) {
                    Ok(fields) => fields,
                    Err(reason) => {
                        list.skipped.push(diag(line, "line", reason));
                        continue;
                    }
                },
            };
            if columns.is_none() {
                if let Some(header) = Columns::from_header(&fields) {
                    columns = Some(header);
                    continue;
                }
                columns = Some(Columns::POSITIONAL);
            }
            let Some(cols) = &columns else { continue };
            match cols.outlet(&fields, source_at(line)) {
                Ok(outlet) => {
                    if list.outlets.contains_key(&outlet.canonical_domain) {
                        list.skipped.push(diag(
                            line,
                            "canonical_domain",
                            format!("duplicate outlet {:?}", outlet.canonical_domain),
                        ));
                    } else {
                        list.outlets.insert(outlet.canonical_domain.clone(), outlet);
                    }
                }
                Err((field, reason)) => list.skipped.push(diag(line, field, reason)),
            }
        }
        list
    }

    /// Adds `other`'s outlets and skipped lines. An outlet of `other` with the canonical
    /// domain of one already here updates it: a name, country, source or `generic` flag it
    /// gives replaces this one's, and the siblings of both are kept (a user's plain list
    /// naming `lemonde.fr` keeps the builtin entry's editions allowlisted).
    pub fn merge(&mut self, other: OutletList) {
        self.skipped.extend(other.skipped);
        for (key, new) in other.outlets {
            match self.outlets.get_mut(&key) {
                None => {
                    self.outlets.insert(key, new);
                }
                Some(old) => {
                    if new.name != new.canonical_domain {
                        old.name = new.name;
                    }
                    if !new.country.is_empty() {
                        old.country = new.country;
                    }
                    if !new.source.is_empty() {
                        old.source = new.source;
                    }
                    old.generic |= new.generic;
                    old.siblings.extend(new.siblings);
                    old.siblings.sort();
                    old.siblings.dedup();
                }
            }
        }
    }

    /// The lines skipped while parsing (and merging), in order.
    pub fn skipped(&self) -> &[Diagnostic] {
        &self.skipped
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
            let mut fields = vec![
                o.canonical_domain.clone(),
                o.name.clone(),
                o.country.clone(),
                o.siblings.join(","),
                if o.generic { "generic".to_owned() } else { String::new() },
                o.source.clone(),
            ];
            while fields.len() > 3 && fields.last().is_some_and(String::is_empty) {
                fields.pop();
            }
            // A field cannot hold a TAB or line end in TSV (a `# source:` comment
            // may carry one; found by fuzzing): written as a space.
            for f in &mut fields {
                if f.contains(['\t', '\n', '\r']) {
                    *f = f.replace(['\t', '\n', '\r'], " ");
                }
            }
            out.push_str(&fields.join("\t"));
            out.push('\n');
        }
        out
    }
}

/// Non-blank, non-comment lines with their 1-based numbers.
fn data_lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim_start_matches('\u{feff}')))
        .filter(|(_, l)| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
}

/// A plain line: the domain, then optionally a name and a trailing two-letter country.
fn plain_fields(raw: &str) -> Vec<String> {
    let mut words: Vec<&str> = raw.split_whitespace().collect();
    let domain = if words.is_empty() { String::new() } else { words.remove(0).to_owned() };
    let country = match words.last() {
        Some(w) if w.len() == 2 && w.bytes().all(|b| b.is_ascii_uppercase()) => words.pop().unwrap_or("").to_owned(),
        _ => String::new(),
    };
    vec![domain, words.join(" "), country]
}

/// One CSV line's fields (RFC 4180 quoting; a quoted field may not span lines here).
fn csv_fields(raw: &str) -> Result<Vec<String>, String> {
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut chars = raw.chars().peekable();
    let mut quoted = false;
    let mut was_quoted = false;
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') if field.trim().is_empty() && !was_quoted => {
                field.clear();
                quoted = true;
                was_quoted = true;
            }
            (false, ',') => {
                fields.push(std::mem::take(&mut field).trim().to_owned());
                was_quoted = false;
            }
            (false, c) => field.push(c),
        }
    }
    if quoted {
        return Err("unterminated quoted field".to_owned());
    }
    fields.push(field.trim().to_owned());
    Ok(fields)
}

/// Which field holds what.
#[derive(Debug, Clone, Copy)]
struct Columns {
    domain: usize,
    name: Option<usize>,
    country: Option<usize>,
    siblings: Option<usize>,
    flags: Option<usize>,
    source: Option<usize>,
    /// Positional lines have at most this many fields.
    max_fields: Option<usize>,
}

impl Columns {
    /// Version 1: domain, name, country, siblings, flags, source.
    const POSITIONAL: Columns = Columns {
        domain: 0,
        name: Some(1),
        country: Some(2),
        siblings: Some(3),
        flags: Some(4),
        source: Some(5),
        max_fields: Some(6),
    };

    /// A header line names a domain column; `None` when the line is data.
    fn from_header(fields: &[String]) -> Option<Columns> {
        // Column names hold no dots: a line with a domain in it is data, even when an
        // outlet is called "Website" or "Media" (found by fuzzing).
        if fields.iter().any(|f| f.contains('.')) {
            return None;
        }
        let find = |names: &[&str]| {
            fields.iter().position(|f| {
                let f = f.trim().trim_matches('"').to_ascii_lowercase().replace([' ', '-'], "_");
                names.contains(&f.as_str())
            })
        };
        let domain = find(&[
            "domain",
            "canonical_domain",
            "domains",
            "url",
            "website",
            "site",
            "host",
            "hostname",
            "outlet_domain",
            "homepage",
            "web",
        ])?;
        Some(Columns {
            domain,
            name: find(&["name", "outlet", "outlet_name", "title", "brand", "publication", "media"]),
            country: find(&["country", "country_code", "cc", "iso", "iso2"]),
            siblings: find(&["siblings", "aliases", "other_domains", "mirrors", "alternate_domains", "editions"]),
            flags: find(&["flags"]),
            source: find(&["source", "sources", "reference", "references", "ref"]),
            max_fields: None,
        })
    }

    fn outlet(&self, fields: &[String], default_source: &str) -> Result<Outlet, (&'static str, String)> {
        if let Some(max) = self.max_fields
            && fields.len() > max
        {
            return Err(("line", format!("expected at most {max} fields, found {}", fields.len())));
        }
        let get = |i: Option<usize>| i.and_then(|i| fields.get(i)).map_or("", |f| f.trim());
        let raw_domain = get(Some(self.domain));
        if raw_domain.is_empty() {
            return Err(("canonical_domain", "empty domain".to_owned()));
        }
        let (canonical_domain, suffix) = normalize::list_domain(raw_domain).map_err(|r| ("canonical_domain", r))?;
        let name = match get(self.name) {
            "" => canonical_domain.clone(),
            name => name.to_owned(),
        };
        let country = get(self.country);
        if !country.is_empty() && (country.len() != 2 || !country.bytes().all(|b| b.is_ascii_alphabetic())) {
            return Err(("country", format!("{country:?} is not an ISO 3166-1 alpha-2 code")));
        }
        let mut siblings = Vec::new();
        for sibling in get(self.siblings).split([',', ' ', ';']).map(str::trim) {
            if sibling.is_empty() {
                continue;
            }
            let (sibling, _) = normalize::list_domain(sibling).map_err(|reason| ("siblings", reason))?;
            if sibling != canonical_domain {
                siblings.push(sibling);
            }
        }
        siblings.sort();
        siblings.dedup();
        let mut generic = false;
        for flag in get(self.flags).split(',').map(str::trim) {
            match flag {
                "" => {}
                "generic" => generic = true,
                other => return Err(("flags", format!("unknown flag {other:?} (known: generic)"))),
            }
        }
        let source = match get(self.source) {
            "" => default_source,
            s => s,
        };
        Ok(Outlet {
            canonical_domain,
            name,
            country: country.to_ascii_uppercase(),
            siblings,
            generic,
            suffix,
            source: source.to_owned(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Parses `text` leniently and compares a compact rendering of the result: the list as
    /// TSV, then one `skipped: file:line: field: reason` line per skipped line (or the error).
    fn check(text: &str, expect: &str) {
        let got = match OutletList::parse(text, "test.txt") {
            Ok(list) => {
                let mut out = list.to_tsv();
                for d in list.skipped() {
                    out.push_str(&format!("skipped: {d}\n"));
                }
                out
            }
            Err(e) => format!("error: {e}"),
        };
        assert_eq!(got.trim_end(), expect.trim_end(), "input:\n{text}");
    }

    #[test]
    fn parses_and_normalises_tsv() {
        check(
            "# swarmscan-outlets v1\nSpiegel.DE\tDer Spiegel\tde\tspon.de, SPIEGEL.de\n\n# c\nnews.com.au\tnews\tAU\t\tgeneric\n",
            "# swarmscan-outlets v1\nnews.com.au\tnews\tAU\t\tgeneric\nspiegel.de\tDer Spiegel\tDE\tspon.de",
        );
        // Only the domain is required; hosts and URLs are cut to the registrable domain.
        check("news.sky.com\tSky\tGB", "# swarmscan-outlets v1\nsky.com\tSky\tGB");
        check("spiegel.de\tSpiegel", "# swarmscan-outlets v1\nspiegel.de\tSpiegel\t");
    }

    #[test]
    fn plain_lists() {
        check(
            "spiegel.de\nhttps://www.lemonde.fr/international/\n\nwww.welt.de Die Welt DE\n# comment\nfaz.net\n",
            "# swarmscan-outlets v1\nfaz.net\tfaz.net\t\nlemonde.fr\tlemonde.fr\t\nspiegel.de\tspiegel.de\t\nwelt.de\tDie Welt\tDE",
        );
        assert_eq!(OutletList::detect_format("a.de\nb.de"), ListFormat::Plain);
    }

    #[test]
    fn csv_with_a_header() {
        let text =
            "Website,Name,Country,Notes\n\"https://www.spiegel.de\",\"Der Spiegel, Hamburg\",DE,x\nbild.de,Bild,DE,\n";
        assert_eq!(OutletList::detect_format(text), ListFormat::Csv);
        check(text, "# swarmscan-outlets v1\nbild.de\tBild\tDE\nspiegel.de\tDer Spiegel, Hamburg\tDE");
        // Columns in any order, siblings and a source column.
        check(
            "name,domain,siblings,source\nLe Monde,lemonde.fr,\"lemonde.be, lemonde.ch\",own site\n",
            "# swarmscan-outlets v1\nlemonde.fr\tLe Monde\t\tlemonde.be,lemonde.ch\t\town site",
        );
        // TSV with a header.
        check("domain\tcountry\nfaz.net\tDE\n", "# swarmscan-outlets v1\nfaz.net\tfaz.net\tDE");
    }

    #[test]
    fn public_suffix_outlets() {
        let list = OutletList::parse("gov.pl\tGovernment of Poland\tPL\nmswia.gov.pl\tMSWiA\tPL\n", "t").unwrap();
        assert!(list.skipped().is_empty());
        assert!(list.get("gov.pl").unwrap().is_suffix());
        assert!(!list.get("mswia.gov.pl").unwrap().is_suffix());
        check(
            "gouv.fr\ncom\n",
            "# swarmscan-outlets v1\ngouv.fr\tgouv.fr\t\nskipped: test.txt:2: canonical_domain: \"com\" is a top-level domain, not an outlet",
        );
    }

    #[test]
    fn bad_lines_are_skipped_with_file_and_line() {
        check(
            "spiegel.de\tSpiegel\tGER\nbild.de\tBild\tDE\n",
            "# swarmscan-outlets v1\nbild.de\tBild\tDE\nskipped: test.txt:1: country: \"GER\" is not an ISO 3166-1 alpha-2 code",
        );
        check(
            "a.de\tA\tDE\n\na.de\tA\tDE",
            "# swarmscan-outlets v1\na.de\tA\tDE\nskipped: test.txt:3: canonical_domain: duplicate outlet \"a.de\"",
        );
        check(
            "a.de\tA\tDE\tlocalhost\nb.de",
            "# swarmscan-outlets v1\nb.de\tb.de\t\nskipped: test.txt:1: siblings: \"localhost\" is not a domain under a known public suffix",
        );
        check(
            "a.de\tA\tDE\t\tloud\nb.de",
            "# swarmscan-outlets v1\nb.de\tb.de\t\nskipped: test.txt:1: flags: unknown flag \"loud\" (known: generic)",
        );
        check(
            "a.de,\"unterminated\nb.de,B",
            "# swarmscan-outlets v1\nb.de\tB\t\nskipped: test.txt:1: line: unterminated quoted field",
        );
        check(
            "a.de\t1\t\t\t\t\tx\nb.de",
            "# swarmscan-outlets v1\nb.de\tb.de\t\nskipped: test.txt:1: line: expected at most 6 fields, found 7",
        );
    }

    #[test]
    fn fatal_errors() {
        check(
            "# swarmscan-outlets v2\n",
            "error: test.txt:1: header: unsupported format version v2 (this build reads v1)",
        );
        check(
            "x\ny",
            "error: test.txt:1: canonical_domain: \"x\" is not a domain under a known public suffix (and 1 more bad lines)",
        );
        let strict = OutletList::parse_strict("gov.pl\nnot a domain\n", "s.txt").unwrap_err();
        assert_eq!(
            strict.to_string(),
            "s.txt:2: canonical_domain: \"not\" is not a domain under a known public suffix"
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
    fn merge_keeps_siblings_and_overrides_given_fields() {
        let mut list = OutletList::parse("a.de\tA\tDE\nb.de\tB\tDE\tb.at", "one").unwrap();
        list.merge(OutletList::parse("b.de\tBee\tAT\tb.ch", "two").unwrap());
        list.merge(OutletList::parse("a.de\n", "three").unwrap());
        assert_eq!(list.len(), 2);
        let b = list.get("b.de").unwrap();
        assert_eq!((b.name(), b.country(), b.siblings()), ("Bee", "AT", &["b.at".to_owned(), "b.ch".to_owned()][..]));
        let a = list.get("a.de").unwrap();
        assert_eq!((a.name(), a.country()), ("A", "DE"));
    }

    #[test]
    fn sources_from_comments_and_columns() {
        let list = OutletList::parse(
            "a.de\tA\tDE\n# source: Wikipedia, List of newspapers in Germany\nb.de\tB\tDE\nc.de\tC\tDE\t\t\town site\n",
            "t",
        )
        .unwrap();
        let sources: Vec<&str> = list.iter().map(Outlet::source).collect();
        assert_eq!(sources, ["", "Wikipedia, List of newspapers in Germany", "own site"]);
    }

    #[test]
    fn builtin_list_is_valid_and_broad() {
        let list = OutletList::parse_strict(BUILTIN, "data/outlets.tsv").unwrap();
        assert!(BUILTIN.starts_with("# swarmscan-outlets v1\n"));
        assert!(list.len() >= 300, "{} outlets", list.len());
        let countries: std::collections::BTreeSet<&str> = list.iter().map(Outlet::country).collect();
        assert!(countries.len() >= 25, "{} countries", countries.len());
        for o in list.iter() {
            assert!(!o.source().is_empty(), "{} has no source", o.canonical_domain());
            assert_eq!(o.country().len(), 2, "{} has no country", o.canonical_domain());
        }
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

    #[test]
    fn a_source_with_a_tab_survives_the_tsv_round_trip() {
        // Fuzz regression (issue #16): a TAB in a `# source:` comment made to_tsv
        // write a seventh field, and the outlet was lost on reading it back.
        let text = "# source: a\tb\nkrone.at\tKronen Zeitung\tAT\t\nkurier.at\tKurier\tAT\n";
        let list = OutletList::parse(text, "t").unwrap();
        let again = OutletList::parse_strict(&list.to_tsv(), "t2").unwrap();
        assert_eq!(again.len(), list.len());
        assert_eq!(again.get("krone.at").unwrap().source(), "a b");
    }

    #[test]
    fn a_first_outlet_named_like_a_column_is_data() {
        // Fuzz regression (issue #16): "website" made the first line a header, and
        // every later line's name was read as its domain.
        let text = "# swarmscan-outlets v1\naambito.com\twebsite\tAR\nambito.com\tÁmbito\tAR\n";
        let list = OutletList::parse_strict(text, "t").unwrap();
        assert_eq!(list.len(), 2);
        assert_eq!(list.get("aambito.com").unwrap().name(), "website");
        let again = OutletList::parse_strict(&list.to_tsv(), "t2").unwrap();
        assert_eq!(again, list);
    }
}
