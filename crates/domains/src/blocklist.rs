//! Known indicators, reported as such and kept apart from lookalike reasoning.
//!
//! # What it detects
//! Domains that a published investigation already attributed to an operation (for
//! Doppelganger: EU DisinfoLab, Meta, the French VIGINUM reports, the US DOJ seizure
//! lists). A host matches when it, or one of its parent domains down to the registrable
//! domain, is listed.
//!
//! # Why it indicates coordination
//! A link to infrastructure already attributed to an operation is direct evidence, not
//! inference; it needs no lookalike reasoning at all.
//!
//! # Evidence emitted
//! Rule `blocklist`, score 1.0, `imitates` from the list's second column (empty when the
//! list does not say), the matched entry in the evidence text.
//!
//! # Known false positives
//! Whatever the list gets wrong. Entries are never fed into the lookalike index (a listed
//! domain does not become a "brand" whose typos get reported), so a bad entry stays one
//! bad finding.
//!
//! # Format (version 1)
//! ```text
//! # swarmscan-blocklist v1
//! domain<TAB>imitates<TAB>note
//! spiegel.ltd<TAB>spiegel.de<TAB>VIGINUM 2023
//! ```
//! `imitates` and `note` are optional.

use rustc_hash::FxHashMap;

use crate::error::{Diagnostic, Error};
use crate::normalize::{self, Host};

/// The format version this build reads.
pub const BLOCKLIST_FORMAT_VERSION: u32 = 1;

const HEADER_PREFIX: &str = "# swarmscan-blocklist v";

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Entry {
    pub(crate) imitates: String,
    pub(crate) note: String,
}

/// A list of known-bad domains.
#[derive(Debug, Clone, Default)]
pub struct Blocklist {
    entries: FxHashMap<String, Entry>,
}

impl Blocklist {
    /// Parses a list; any bad line makes it an [`Error::Invalid`] naming every bad line.
    pub fn parse(text: &str, source_name: &str) -> Result<Blocklist, Error> {
        let (list, diagnostics) = Blocklist::parse_lenient(text, source_name);
        if diagnostics.is_empty() { Ok(list) } else { Err(Error::Invalid { diagnostics }) }
    }

    /// Parses a list, skipping bad lines and returning a diagnostic for each.
    pub fn parse_lenient(text: &str, source_name: &str) -> (Blocklist, Vec<Diagnostic>) {
        let mut list = Blocklist::default();
        let mut diagnostics = Vec::new();
        for (index, raw) in text.lines().enumerate() {
            let diag = |field: &'static str, reason: String| Diagnostic {
                source_name: source_name.to_owned(),
                line: index + 1,
                field,
                reason,
            };
            let trimmed = raw.trim();
            if let Some(version) = trimmed.strip_prefix(HEADER_PREFIX) {
                if version.trim() != BLOCKLIST_FORMAT_VERSION.to_string() {
                    diagnostics.push(diag(
                        "header",
                        format!(
                            "unsupported format version v{} (this build reads v{BLOCKLIST_FORMAT_VERSION})",
                            version.trim()
                        ),
                    ));
                }
                continue;
            }
            if trimmed.is_empty() || trimmed.starts_with('#') {
                continue;
            }
            let mut fields = raw.split('\t').map(str::trim);
            let domain = fields.next().unwrap_or("");
            let Some(host) = normalize::host(domain) else {
                diagnostics.push(diag("domain", format!("{domain:?} is not a domain under a known public suffix")));
                continue;
            };
            let imitates = match fields.next().unwrap_or("") {
                "" => String::new(),
                text => match normalize::registrable_domain(text) {
                    Ok(d) => d,
                    Err(reason) => {
                        diagnostics.push(diag("imitates", reason));
                        continue;
                    }
                },
            };
            let note = fields.next().unwrap_or("").to_owned();
            list.entries.insert(host.host().to_owned(), Entry { imitates, note });
        }
        (list, diagnostics)
    }

    /// Number of listed domains.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether nothing is listed.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The most specific listed domain that `host` is, or is under, with its entry.
    pub(crate) fn lookup<'h>(&self, host: &'h Host<'_>) -> Option<(&'h str, &Entry)> {
        let full = host.host();
        let stop = full.len() - host.registrable().len();
        let mut start = 0;
        loop {
            let candidate = &full[start..];
            if let Some(entry) = self.entries.get(candidate) {
                return Some((candidate, entry));
            }
            if start >= stop {
                return None;
            }
            start += full[start..].find('.')? + 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::check_in;
    use crate::{Matcher, OutletList};

    const LIST: &str = "# swarmscan-blocklist v1\n\
        spiegel.ltd\tspiegel.de\tVIGINUM 2023\n\
        rrn.media\n\
        news.example-cdn.com\tbild.de\n";

    #[test]
    fn listed_domains_and_their_subdomains() {
        let matcher =
            Matcher::new(&OutletList::builtin()).with_blocklist(Blocklist::parse(LIST, "indicators.tsv").unwrap());
        check_in(&matcher, "spiegel.ltd", "spiegel.de blocklist");
        check_in(&matcher, "www.spiegel.ltd", "spiegel.de blocklist");
        check_in(&matcher, "rrn.media", " blocklist");
        check_in(&matcher, "a.b.news.example-cdn.com", "bild.de blocklist");
        // Only the listed subdomain, not its siblings; and the lookalike rules still run.
        check_in(&matcher, "example-cdn.com", "");
        check_in(&matcher, "welt.ltd", "welt.de suffix_swap");
        // A listed domain is reported even if an outlet's sibling would hide it.
        let evidence = matcher.check("spiegel.ltd").unwrap().evidence;
        assert_eq!(evidence, "listed as spiegel.ltd: VIGINUM 2023");
    }

    #[test]
    fn entries_never_become_brands() {
        let matcher = Matcher::new(&OutletList::default())
            .with_blocklist(Blocklist::parse("spiegel.ltd\tspiegel.de\n", "b").unwrap());
        check_in(&matcher, "spiegel.top", "");
        check_in(&matcher, "spiegl.ltd", "");
    }

    #[test]
    fn bad_lines() {
        let err = Blocklist::parse("localhost\nok.ltd\tnot a domain\n", "b.tsv").unwrap_err();
        assert_eq!(
            err.to_string(),
            "b.tsv:1: domain: \"localhost\" is not a domain under a known public suffix (and 1 more bad lines)"
        );
        let (list, diags) = Blocklist::parse_lenient("localhost\nok.ltd\n", "b.tsv");
        assert_eq!((list.len(), diags.len()), (1, 1));
    }
}
