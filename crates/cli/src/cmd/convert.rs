//! `swarmscan convert`: normalised events to Parquet (schema in
//! `swarmscan-parquet` and docs/parquet.md).

use super::{finish, load_args};
use crate::flags::ConvertArgs;
use crate::summary::Summary;
use anyhow::Context;
use std::time::Instant;

pub fn run(args: ConvertArgs, ui: crate::ui::Ui) -> anyhow::Result<u8> {
    let l = load_args(&args.input, ui)?;
    let (n, accounts) = (l.events.len() as u64, l.events.num_accounts() as u64);
    let t = Instant::now();
    // Written beside the destination and renamed when whole.
    let tmp = crate::atomic::TempPath::new(&args.output);
    swarmscan_parquet::write_parquet(l.events, tmp.path())
        .with_context(|| format!("cannot write {}", args.output.display()))
        .context("writing Parquet")?;
    tmp.commit().context("writing Parquet")?;
    let mut s = Summary::new("convert", &l.report, n, accounts);
    s.results.insert("output", args.output.display().to_string().into());
    s.timings_s.insert("read".into(), l.read_s);
    s.timings_s.insert("write".into(), t.elapsed().as_secs_f64());
    finish(&s, args.input.summary_json.as_deref(), ui)
}
