//! `swarmscan inspect`: read inputs and account for every record.

use super::{finish, load_args};
use crate::flags::InspectArgs;
use crate::summary::Summary;
use std::collections::BTreeMap;

pub fn run(args: InspectArgs, ui: crate::ui::Ui) -> anyhow::Result<u8> {
    let l = load_args(&args.input, ui)?;
    let ev = &l.events;
    let mut s = Summary::new("inspect", &l.report, ev.len() as u64, ev.num_accounts() as u64);
    let mut kinds: BTreeMap<&str, u64> = BTreeMap::new();
    for k in (0..ev.len()).map(|r| ev.kind(r)) {
        *kinds.entry(k.as_str()).or_default() += 1;
    }
    s.results.insert("events_by_kind", serde_json::to_value(&kinds)?);
    if let (Some(lo), Some(hi)) = (ev.ts_ms.iter().min(), ev.ts_ms.iter().max()) {
        let span = [swarmscan_model::format_rfc3339_ms(*lo), swarmscan_model::format_rfc3339_ms(*hi)];
        s.results.insert("time_span", serde_json::to_value(span)?);
    }
    let (urls, hashtags, _) = ev.list_counts();
    s.results.insert("urls", urls.into());
    s.results.insert("hashtags", hashtags.into());
    s.timings_s.insert("read".into(), l.read_s);
    finish(&s, args.input.summary_json.as_deref(), ui)
}
