//! Precision and recall on the committed lists: `tests/data/lookalikes.txt` (must be found,
//! attributed to the right outlet) and `tests/data/legitimate.txt` (must not be reported).
#![allow(clippy::print_stderr)]

use std::collections::BTreeMap;

use swarmscan_domains::{Finding, Matcher, OutletList, Rule};

fn lines(text: &str) -> impl Iterator<Item = &str> {
    text.lines().map(|l| l.split('#').next().unwrap_or("").trim()).filter(|l| !l.is_empty())
}

/// The label of a canonical domain, to accept either of two outlets that share a name
/// (`pravda.ru` / `pravda.sk`): which one a bare name imitates is not decidable.
fn label(domain: &str) -> &str {
    domain.split('.').next().unwrap_or(domain)
}

#[test]
fn recall_on_lookalikes() {
    let matcher = Matcher::new(&OutletList::builtin());
    let text = include_str!("data/lookalikes.txt");
    let (mut total, mut found, mut attributed, mut same_rule) = (0, 0, 0, 0);
    let mut per_rule: BTreeMap<Rule, (usize, usize)> = BTreeMap::new();
    let mut misses = Vec::new();
    for line in lines(text) {
        let fields: Vec<&str> = line.split('\t').collect();
        let [domain, imitates, rule] = fields[..] else {
            panic!("lookalikes.txt: bad line {line:?}");
        };
        let rule: Rule = rule.parse().unwrap();
        total += 1;
        let entry = per_rule.entry(rule).or_default();
        entry.0 += 1;
        match matcher.check(domain) {
            Some(Finding { imitates: got, rule: got_rule, .. }) => {
                found += 1;
                if got == imitates || label(&got) == label(imitates) {
                    attributed += 1;
                    entry.1 += 1;
                } else {
                    misses.push(format!("{domain}: {got} instead of {imitates}"));
                }
                same_rule += usize::from(got_rule == rule);
            }
            None => misses.push(format!("{domain}: not found ({imitates} {rule})")),
        }
    }
    let recall = attributed as f64 / total as f64;
    eprintln!(
        "lookalikes: {total}, reported {found}, attributed {attributed} (recall {recall:.3}), same rule {same_rule}"
    );
    for (rule, (n, ok)) in &per_rule {
        eprintln!("  {rule:<28} {ok:>4}/{n:<4}");
    }
    for miss in &misses {
        eprintln!("  miss: {miss}");
    }
    assert!(total >= 300, "only {total} lookalikes");
    assert!(per_rule.len() >= 10, "rules covered: {per_rule:?}");
    assert!(recall >= 0.95, "recall {recall:.3}");
    assert!(same_rule as f64 >= 0.9 * total as f64, "same rule for only {same_rule}/{total}");
}

#[test]
fn false_positives_on_legitimate_domains() {
    let matcher = Matcher::new(&OutletList::builtin());
    let text = include_str!("data/legitimate.txt");
    let domains: Vec<&str> = lines(text).collect();
    let findings = matcher.check_many(&domains);
    let rate = findings.len() as f64 / domains.len() as f64;
    eprintln!("legitimate: {}, reported {} (false-positive rate {:.4})", domains.len(), findings.len(), rate);
    for f in &findings {
        eprintln!("  false positive: {} -> {} {} ({})", f.domain, f.imitates, f.rule, f.evidence);
    }
    assert!(domains.len() >= 300, "only {} legitimate domains", domains.len());
    assert!(rate <= 0.01, "false-positive rate {rate:.4}");
}

#[test]
fn every_outlet_domain_is_allowed() {
    let list = OutletList::builtin();
    let matcher = Matcher::new(&list);
    let domains: Vec<&str> = list.iter().flat_map(|o| o.domains()).collect();
    assert_eq!(matcher.check_many(&domains), vec![]);
}
