//! One module per subcommand. Each returns the exit code it earned.

pub mod cluster;
mod convert;
mod demo;
mod domains;
pub mod eval;
mod generate;
mod inspect;
pub mod network;
pub mod remote;
pub mod scan;
pub mod serve;
pub mod watch;

use crate::flags::{Cli, Command, InputArgs};
use crate::summary::{Summary, num};
use crate::ui::Ui;
use anyhow::Context;
use std::time::Instant;
use swarmscan_ingest::{IngestReport, ReadOptions};
use swarmscan_model::Events;

pub fn run(cli: Cli) -> anyhow::Result<u8> {
    let ui = Ui::new(cli.quiet);
    match cli.command {
        Command::Demo(a) => demo::run(a, ui),
        Command::Gen(a) => generate::run(a, ui),
        Command::Convert(a) => convert::run(a, ui),
        Command::Inspect(a) => inspect::run(a, ui),
        Command::Domains(a) => domains::run(a, ui),
        Command::Network(a) => network::run(a, ui),
        Command::Scan(a) => scan::run(a, ui),
        Command::Eval(a) => eval::run(a, ui),
        Command::Watch(a) => watch::run(a, ui),
        Command::Serve(a) => serve::run(a, ui),
        Command::Remote(a) => remote::run(a, ui),
        Command::Cluster(a) => cluster::run(a, ui),
    }
}

/// What reading produced, with the time it took.
pub struct Loaded {
    pub events: Events,
    pub report: IngestReport,
    pub read_s: f64,
    /// One line on what was read, for the stage line.
    pub detail: String,
}

/// Reads inputs with Parquet support wired in, with a progress bar over
/// the inputs' sizes.
pub fn load(inputs: &[String], opts: &ReadOptions, ui: Ui) -> anyhow::Result<Loaded> {
    let t = Instant::now();
    let counter = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
    let opts = ReadOptions { progress: Some(counter.clone()), ..opts.clone() };
    let sizes: Option<u64> =
        inputs.iter().map(|p| if p == "-" { None } else { std::fs::metadata(p).ok().map(|m| m.len()) }).sum();
    let parquet = |path: &str, ev: &mut Events, file: &mut swarmscan_ingest::FileReport| {
        let n = swarmscan_parquet::read_parquet(std::path::Path::new(path), ev).map_err(|e| e.to_string())?;
        file.records += n;
        file.parsed += n;
        Ok(())
    };
    let (events, report) =
        ui.bytes("reading", sizes, &counter, || swarmscan_ingest::read_inputs(inputs, &opts, Some(&parquet)))?;
    let detail = format!(
        "{} records → {} events from {} accounts ({} skipped)",
        num(report.records()),
        num(events.len() as u64),
        num(events.num_accounts() as u64),
        num(report.skipped().values().sum())
    );
    let read_s = t.elapsed().as_secs_f64();
    Ok(Loaded { events, report, read_s, detail })
}

/// Reads the inputs named by `args`.
pub fn load_args(args: &InputArgs, ui: Ui) -> anyhow::Result<Loaded> {
    load(&args.inputs, &args.read_options(), ui)
}

/// Prints the summary (unless quiet), writes its JSON form if asked, and
/// returns the exit code.
pub fn finish(summary: &Summary<'_>, json: Option<&std::path::Path>, ui: Ui) -> anyhow::Result<u8> {
    if !ui.quiet {
        eprint!("{}", summary.render());
    }
    if let Some(p) = json {
        summary.write_json(p).context("writing the JSON summary")?;
    }
    Ok(summary.exit_code())
}
