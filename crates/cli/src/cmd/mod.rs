//! One module per subcommand. Each returns the exit code it earned.

mod convert;
mod demo;
mod domains;
pub mod eval;
mod generate;
mod inspect;
pub mod network;
pub mod scan;

use crate::flags::{Cli, Command, InputArgs};
use crate::summary::Summary;
use anyhow::Context;
use std::time::Instant;
use swarmscan_ingest::{IngestReport, ReadOptions};
use swarmscan_model::Events;

pub fn run(cli: Cli) -> anyhow::Result<u8> {
    let quiet = cli.quiet;
    match cli.command {
        Command::Demo(a) => demo::run(a, quiet),
        Command::Gen(a) => generate::run(a, quiet),
        Command::Convert(a) => convert::run(a, quiet),
        Command::Inspect(a) => inspect::run(a, quiet),
        Command::Domains(a) => domains::run(a, quiet),
        Command::Network(a) => network::run(a, quiet),
        Command::Scan(a) => scan::run(a, quiet),
        Command::Eval(a) => eval::run(a, quiet),
    }
}

/// What reading produced, with the time it took.
pub struct Loaded {
    pub events: Events,
    pub report: IngestReport,
    pub read_s: f64,
}

/// Reads inputs with Parquet support wired in.
pub fn load(inputs: &[String], opts: &ReadOptions) -> anyhow::Result<Loaded> {
    let t = Instant::now();
    let parquet = |path: &str, ev: &mut Events, file: &mut swarmscan_ingest::FileReport| {
        let n = swarmscan_parquet::read_parquet(std::path::Path::new(path), ev).map_err(|e| e.to_string())?;
        file.records += n;
        file.parsed += n;
        Ok(())
    };
    let (events, report) = swarmscan_ingest::read_inputs(inputs, opts, Some(&parquet))?;
    Ok(Loaded { events, report, read_s: t.elapsed().as_secs_f64() })
}

/// Reads the inputs named by `args`.
pub fn load_args(args: &InputArgs) -> anyhow::Result<Loaded> {
    load(&args.inputs, &args.read_options())
}

/// Prints the summary (unless quiet), writes its JSON form if asked, and
/// returns the exit code.
pub fn finish(summary: &Summary<'_>, json: Option<&std::path::Path>, quiet: bool) -> anyhow::Result<u8> {
    if !quiet {
        eprint!("{}", summary.render());
    }
    if let Some(p) = json {
        summary.write_json(p).context("writing the JSON summary")?;
    }
    Ok(summary.exit_code())
}
