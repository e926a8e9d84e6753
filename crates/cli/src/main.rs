//! The `swarmscan` binary: parses flags, runs one command, prints, and picks
//! the exit code. Only this crate prints or exits.
#![allow(clippy::print_stdout, clippy::print_stderr)] // the binary is where printing belongs

mod atomic;
mod cmd;
mod flags;
mod summary;
mod ui;

use clap::Parser;
use std::process::ExitCode;

/// Documented exit codes (see `swarmscan --help` and README.md).
pub mod exit {
    /// Success, and every input record was parsed or benignly skipped.
    pub const OK: u8 = 0;
    /// An error stopped the run (including a `--strict` stop).
    pub const ERROR: u8 = 1;
    /// Bad usage (clap's own code).
    pub const USAGE: u8 = 2;
    /// Finished, but malformed records were skipped or an input was unreadable.
    pub const PROBLEMS: u8 = 3;
}

fn main() -> ExitCode {
    let cli = match flags::Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { exit::USAGE } else { exit::OK };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    if let Some(n) = cli.threads
        && let Err(e) = rayon::ThreadPoolBuilder::new().num_threads(n).build_global()
    {
        eprintln!("error: cannot set up {n} threads: {e}");
        return ExitCode::from(exit::ERROR);
    }
    match cmd::run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            if is_broken_pipe(&e) {
                return ExitCode::from(exit::OK);
            }
            eprintln!("error: {e:#}");
            ExitCode::from(exit::ERROR)
        }
    }
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| c.downcast_ref::<std::io::Error>().is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe))
}
