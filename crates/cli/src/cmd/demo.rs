//! `swarmscan demo`: the whole job on generated data, for a first run.
//!
//! Generates a data set with planted operations, reads it back through the
//! real readers (as a user's files would be read), computes every co-action
//! network (default mode, with evidence) and checks the shared domains
//! against the reference outlets. Statistical scoring and clustering (`scan`)
//! will replace the raw networks here once they exist.

use super::{finish, load};
use crate::flags::DemoArgs;
use crate::summary::Summary;
use anyhow::Context;
use std::collections::BTreeSet;
use std::io::Write;
use swarmscan_detect::{Mode, Network, Params, output::Format};
use swarmscan_ingest::ReadOptions;

pub fn run(args: DemoArgs, quiet: bool) -> anyhow::Result<u8> {
    let formats = vec![swarmscan_gen::Format::Twarc2, swarmscan_gen::Format::Cnt];
    let g = super::generate::generate(&args.out, args.scale, args.seed, formats, quiet)?;
    let data = args.out.join("events.jsonl").display().to_string();
    let l = load(&[data], &ReadOptions::default())?;
    let ev = &l.events;
    let mut s = Summary::new("demo", &l.report, ev.len() as u64, ev.num_accounts() as u64);
    s.results.insert("planted_operations", g.operations.len().into());
    s.timings_s.insert("read", l.read_s);

    let dir = args.out.join("networks");
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let params = Params::new(Mode::Default);
    let mut edges = serde_json::Map::new();
    for net in Network::ALL.into_iter().filter(|n| *n != Network::CoPost) {
        let t = std::time::Instant::now();
        let path = dir.join(format!("{}.csv", net.as_str()));
        let file = std::fs::File::create(&path).with_context(|| format!("cannot create {}", path.display()))?;
        let mut w = std::io::BufWriter::new(file);
        let prepared = swarmscan_detect::prepare(ev, net, &params)?;
        let stats = swarmscan_detect::output::write_edges(&mut w, &prepared, Format::Csv)?;
        w.flush()?;
        edges.insert(net.as_str().into(), stats.edges.into());
        s.timings_s.insert(net.as_str(), t.elapsed().as_secs_f64());
    }
    s.results.insert("edges_per_network", edges.into());
    s.results.insert("networks", dir.display().to_string().into());

    // Lookalike news domains among the shared URLs.
    let matcher = swarmscan_domains::Matcher::new(&swarmscan_domains::OutletList::builtin());
    let hosts: BTreeSet<String> = ev
        .url_expanded
        .iter()
        .collect::<BTreeSet<_>>()
        .into_iter()
        .filter_map(|&u| super::domains::url_host(ev.strings.resolve(u)))
        .collect();
    let hosts: Vec<String> = hosts.into_iter().collect();
    let findings = matcher.check_many(&hosts);
    let mut found: Vec<String> =
        findings.iter().map(|f| format!("{} ({}, imitates {})", f.domain, f.rule, f.imitates)).collect();
    found.truncate(10);
    s.results.insert("lookalike_domains", findings.len().into());
    s.results.insert("lookalike_examples", found.into());
    s.results.insert("labels", args.out.join("labels.csv").display().to_string().into());
    finish(&s, None, quiet)
}
