//! `swarmscan demo`: the whole job on generated data, for a first run.
//!
//! Generates a data set with planted operations, reads it back through the
//! real readers (as a user's files would be read), and reports.

use super::{finish, load};
use crate::flags::DemoArgs;
use crate::summary::Summary;
use swarmscan_ingest::ReadOptions;

pub fn run(args: DemoArgs, quiet: bool) -> anyhow::Result<u8> {
    let g = super::generate::generate(
        &args.out,
        args.scale,
        args.seed,
        vec![swarmscan_gen::Format::Twarc2, swarmscan_gen::Format::Cnt],
        quiet,
    )?;
    let data = args.out.join("events.jsonl").display().to_string();
    let l = load(&[data], &ReadOptions::default())?;
    let mut s = Summary::new("demo", &l.report, l.events.len() as u64, l.events.num_accounts() as u64);
    s.results.insert("planted_operations", g.operations.len().into());
    s.results.insert("labels", args.out.join("labels.csv").display().to_string().into());
    s.timings_s.insert("read", l.read_s);
    finish(&s, None, quiet)
}
