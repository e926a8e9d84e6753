//! `swarmscan domains`: which shared domains imitate a real news outlet.
//!
//! Domains come from the URLs of any readable data set (expanded URL where
//! the source gives one) and/or a file with one domain or URL per line; each
//! distinct host is checked once against the reference outlets.

use super::{finish, load};
use crate::flags::DomainsArgs;
use crate::summary::Summary;
use anyhow::Context;
use std::collections::{BTreeMap, BTreeSet};
use std::time::Instant;
use swarmscan_domains::{Blocklist, Matcher, OutletList};
use swarmscan_ingest::{IngestReport, ReadOptions};

pub use swarmscan_domains::url_host;

fn read_list(path: &std::path::Path) -> anyhow::Result<String> {
    std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))
}

/// Reads a user's outlet list in any shape the domains crate accepts (a plain list of
/// domains, TSV, CSV with a header, `gov.pl`-style suffixes). Bad lines are skipped and kept
/// in the list's `skipped()`; with `strict` the first list with a bad line stops the run.
fn user_outlets(text: &str, name: &str, strict: bool) -> anyhow::Result<OutletList> {
    let list = if strict { OutletList::parse_strict(text, name)? } else { OutletList::parse(text, name)? };
    Ok(list)
}

/// At most this many skipped outlet lines are shown; the rest are counted.
const SHOWN_SKIPS: usize = 10;

/// One `file:line: field: reason` line per skipped outlet line (the first few), then a count.
fn skipped_lines(list: &OutletList) -> Vec<String> {
    let skipped = list.skipped();
    let mut out: Vec<String> = skipped.iter().take(SHOWN_SKIPS).map(|d| format!("skipped outlet line {d}")).collect();
    if skipped.len() > SHOWN_SKIPS {
        out.push(format!("… and {} more skipped outlet lines", skipped.len() - SHOWN_SKIPS));
    }
    out
}

/// The built-in outlets merged with the user's `--outlets` file, if any;
/// skipped lines of that file are shown (first few) and counted.
pub(crate) fn outlets(
    path: Option<&std::path::Path>,
    strict: bool,
    ui: crate::ui::Ui,
) -> anyhow::Result<(OutletList, u64)> {
    let mut outlets = OutletList::builtin();
    let mut skipped = 0u64;
    if let Some(p) = path {
        let user = user_outlets(&read_list(p)?, &p.display().to_string(), strict)?;
        skipped = user.skipped().len() as u64;
        if !ui.quiet {
            for line in skipped_lines(&user) {
                eprintln!("{}", ui.warn(&line));
            }
        }
        outlets.merge(user);
    }
    Ok((outlets, skipped))
}

pub fn run(args: DomainsArgs, ui: crate::ui::Ui) -> anyhow::Result<u8> {
    anyhow::ensure!(!args.inputs.is_empty() || args.domains.is_some(), "give data INPUTs, --domains FILE, or both");
    let (outlets, outlet_lines_skipped) = outlets(args.outlets.as_deref(), args.strict, ui)?;
    let mut matcher = Matcher::new(&outlets);
    if let Some(p) = &args.blocklist {
        matcher = matcher.with_blocklist(Blocklist::parse(&read_list(p)?, &p.display().to_string())?);
    }

    // Distinct hosts, with how many URL occurrences mention each.
    let mut hosts: BTreeMap<String, u64> = BTreeMap::new();
    let (report, read_s, events, accounts) = if args.inputs.is_empty() {
        (IngestReport::default(), 0.0, 0, 0)
    } else {
        let opts = ReadOptions { format: args.format, strict: args.strict, ..Default::default() };
        let l = load(&args.inputs, &opts, ui)?;
        let ev = &l.events;
        hosts = swarmscan_scan::url_hosts(ev);
        (l.report, l.read_s, ev.len() as u64, ev.num_accounts() as u64)
    };
    if let Some(p) = &args.domains {
        for line in read_list(p)?.lines() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            if let Some(h) = url_host(line) {
                hosts.entry(h).or_default();
            }
        }
    }

    let t = Instant::now();
    let list: Vec<&str> = hosts.keys().map(String::as_str).collect();
    let findings = matcher.check_many(&list);
    let match_s = t.elapsed().as_secs_f64();

    // Written beside the destination and renamed when whole (`-`: stdout).
    crate::atomic::write_output(&args.output, |out| Ok(swarmscan_report::tables::write_findings(&findings, out)?))?;

    let mut s = Summary::new("domains", &report, events, accounts);
    s.totals.problems += outlet_lines_skipped;
    s.results.insert("outlet_lines_skipped", outlet_lines_skipped.into());
    let mut by_rule: BTreeMap<String, u64> = BTreeMap::new();
    for f in &findings {
        *by_rule.entry(f.rule.to_string()).or_default() += 1;
    }
    let imitated: BTreeSet<&str> = findings.iter().map(|f| f.imitates.as_str()).collect();
    s.results.insert("distinct_domains_checked", hosts.len().into());
    s.results.insert("reference_outlets", outlets.len().into());
    s.results.insert("lookalike_domains", findings.len().into());
    s.results.insert("outlets_imitated", imitated.len().into());
    s.results.insert("findings_by_rule", serde_json::to_value(&by_rule)?);
    s.timings_s.insert("read".into(), read_s);
    s.timings_s.insert("match".into(), match_s);
    finish(&s, None, ui)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_lists_load_and_bad_lines_are_reported_with_file_and_line() {
        let text = "spiegel.de\ngov.pl\nnot a domain\nhttps://www.lemonde.fr/\n";
        let list = user_outlets(text, "mine.txt", false).unwrap();
        assert!(list.get("gov.pl").is_some_and(|o| o.is_suffix()));
        assert!(list.get("lemonde.fr").is_some());
        assert_eq!(
            skipped_lines(&list),
            ["skipped outlet line mine.txt:3: canonical_domain: \"not\" is not a domain under a known public suffix"]
        );
        let err = user_outlets(text, "mine.txt", true).unwrap_err().to_string();
        assert!(err.starts_with("mine.txt:3: canonical_domain:"), "{err}");
    }

    #[test]
    fn many_skipped_lines_are_counted() {
        let text: String = (0..15).map(|i| format!("bad{i}\n")).chain(["faz.net\n".to_owned()]).collect();
        let lines = skipped_lines(&user_outlets(&text, "f", false).unwrap());
        assert_eq!(lines.len(), SHOWN_SKIPS + 1);
        assert_eq!(lines.last().unwrap(), "… and 5 more skipped outlet lines");
    }
}
