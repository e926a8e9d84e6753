//! `swarmscan demo`: the whole job on generated data, for a first run.
//!
//! Generates a data set with planted operations, reads it back through the
//! real readers (as a user's files would be read), runs `scan` on it into
//! `DIR/scan/`, and scores the result against the generator's labels (what
//! `swarmscan eval` prints).

use super::load;
use crate::flags::DemoArgs;
use swarmscan_ingest::ReadOptions;

pub fn run(args: DemoArgs, ui: crate::ui::Ui) -> anyhow::Result<u8> {
    let formats = vec![swarmscan_gen::Format::Twarc2, swarmscan_gen::Format::Cnt];
    super::generate::generate(&args.out, args.scale, args.seed, formats, ui)?;
    let data = args.out.join("events.jsonl").display().to_string();
    let scan_dir = args.out.join("scan");
    let scan_args = super::scan::ScanArgs::defaults(std::slice::from_ref(&data), &scan_dir)?;
    let params = scan_args.scan.params()?;
    let l = load(&[data], &ReadOptions::default(), ui)?;
    let code = super::scan::run_on(&scan_args, &params, l, ui)?;
    let eval = super::eval::EvalArgs {
        dir: scan_dir,
        labels: args.out.join("labels.csv"),
        positive_prefix: "op_".into(),
        json: None,
    };
    super::eval::run(eval, ui)?;
    Ok(code)
}
