//! Reads domains (one per line; `#` comments and blank lines skipped) from a file, or from
//! standard input when the path is `-`, and prints findings as CSV on standard output:
//! `domain,registrable_domain,imitates,rule,score`.
//!
//! ```text
//! cargo run -p swarmscan-domains --release --example check_list -- domains.txt
//! cargo run -p swarmscan-domains --release --example check_list -- --evidence domains.txt
//! ```
//! Lines may carry more TAB-separated columns (as `tests/data/lookalikes.txt` does); only
//! the first is read.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::io::{self, BufWriter, Read, Write};
use std::process::ExitCode;

use swarmscan_domains::{Matcher, OutletList};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let evidence = args.iter().any(|a| a == "--evidence");
    let Some(path) = args.iter().find(|a| !a.starts_with("--")) else {
        eprintln!("usage: check_list [--evidence] FILE|-");
        return ExitCode::from(2);
    };
    let mut text = String::new();
    let read = if path == "-" {
        io::stdin().read_to_string(&mut text).map(|_| ())
    } else {
        std::fs::read_to_string(path).map(|t| text = t)
    };
    if let Err(e) = read {
        eprintln!("check_list: {path}: {e}");
        return ExitCode::from(1);
    }
    let domains: Vec<&str> = text
        .lines()
        .map(|l| l.split('\t').next().unwrap_or("").trim())
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect();
    let matcher = Matcher::new(&OutletList::builtin());
    let findings = matcher.check_many(&domains);
    let mut out = BufWriter::new(io::stdout().lock());
    let header = if evidence {
        "domain,registrable_domain,imitates,rule,score,evidence"
    } else {
        "domain,registrable_domain,imitates,rule,score"
    };
    let mut write = || -> io::Result<()> {
        writeln!(out, "{header}")?;
        for f in &findings {
            write!(out, "{},{},{},{},{:.2}", f.domain, f.registrable_domain, f.imitates, f.rule, f.score)?;
            if evidence {
                write!(out, ",\"{}\"", f.evidence.replace('"', "\"\""))?;
            }
            writeln!(out)?;
        }
        out.flush()
    };
    match write() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("check_list: {e}");
            ExitCode::from(1)
        }
    }
}
