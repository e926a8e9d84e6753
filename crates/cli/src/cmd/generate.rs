//! `swarmscan gen`: synthetic activity with planted operations.

use crate::flags::GenArgs;
use crate::summary::num;
use anyhow::Context;
use std::time::Instant;
use swarmscan_gen::{GenConfig, GenSummary};

pub fn run(args: GenArgs, quiet: bool) -> anyhow::Result<u8> {
    let s = generate(&args.out, args.scale, args.seed, quiet)?;
    if !quiet {
        for f in &s.files {
            eprintln!("  wrote {}", f.display());
        }
    }
    Ok(crate::exit::OK)
}

/// Generates into `out` and prints a one-paragraph account unless quiet.
pub fn generate(out: &std::path::Path, scale: f64, seed: u64, quiet: bool) -> anyhow::Result<GenSummary> {
    anyhow::ensure!(scale > 0.0 && scale.is_finite(), "--scale must be a positive number of millions of events");
    let cfg = GenConfig { scale, seed, ..Default::default() };
    let t = Instant::now();
    let s = swarmscan_gen::generate(&cfg, out).with_context(|| format!("generating into {}", out.display()))?;
    if !quiet {
        let members: u64 = s.operations.iter().map(|o| o.members).sum();
        eprintln!(
            "generated {} events by {} accounts in {:.1} s (seed {seed}); planted {} operations with {} members:",
            num(s.events),
            num(s.accounts),
            t.elapsed().as_secs_f64(),
            s.operations.len(),
            num(members)
        );
        for o in &s.operations {
            eprintln!(
                "  {:<22} {:>4} members {:>7} actions {:>7} camouflage posts",
                o.id,
                o.members,
                num(o.events),
                num(o.camouflage_events)
            );
        }
    }
    Ok(s)
}
