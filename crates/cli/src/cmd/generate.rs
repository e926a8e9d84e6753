//! `swarmscan gen`: synthetic activity with planted operations.

use crate::flags::GenArgs;
use crate::summary::num;
use anyhow::Context;
use std::time::Instant;
use swarmscan_gen::{GenConfig, GenSummary};

pub fn run(args: GenArgs, ui: crate::ui::Ui) -> anyhow::Result<u8> {
    let cfg = match args.config() {
        Ok(c) => c,
        Err(e) => {
            // A knob out of range is bad usage, like a flag clap rejects.
            eprintln!("error: {e}");
            return Ok(crate::exit::USAGE);
        }
    };
    let s = generate_config(&args.out, &cfg, &args.scenario, ui)?;
    if !ui.quiet {
        for f in &s.files {
            eprintln!("  wrote {}", f.display());
        }
    }
    Ok(crate::exit::OK)
}

/// Generates into `out` and prints a one-paragraph account unless quiet.
pub fn generate(
    out: &std::path::Path,
    scale: f64,
    seed: u64,
    formats: Vec<swarmscan_gen::Format>,
    ui: crate::ui::Ui,
) -> anyhow::Result<GenSummary> {
    anyhow::ensure!(scale > 0.0 && scale.is_finite(), "--scale must be a positive number of millions of events");
    let cfg = GenConfig { scale, seed, formats, ..Default::default() };
    generate_config(out, &cfg, "default", ui)
}

/// Generates `cfg` into `out`; `scenario` names the preset in the account.
pub fn generate_config(
    out: &std::path::Path,
    cfg: &GenConfig,
    scenario: &str,
    ui: crate::ui::Ui,
) -> anyhow::Result<GenSummary> {
    let seed = cfg.seed;
    let t = Instant::now();
    let mut bar: Option<indicatif::ProgressBar> = None;
    let mut progress = |p: swarmscan_gen::Progress| {
        let b = bar.get_or_insert_with(|| ui.steps("generating", u64::from(p.slices_total)));
        b.set_position(u64::from(p.slices_done));
    };
    let s = swarmscan_gen::generate_with_progress(cfg, out, &mut progress)
        .with_context(|| format!("generating into {}", out.display()))?;
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    if !ui.quiet {
        let members: u64 = s.operations.iter().map(|o| o.members).sum();
        let scenario = if cfg.scenario == swarmscan_gen::preset(scenario).map(|p| p.scenario).unwrap_or_default() {
            scenario.to_string()
        } else {
            format!("{scenario} with changed knobs")
        };
        eprintln!(
            "generated {} events by {} accounts in {:.1} s (seed {seed}, scenario {scenario}); planted {} operations with {} members:",
            num(s.events),
            num(s.accounts),
            t.elapsed().as_secs_f64(),
            s.operations.len(),
            num(members)
        );
        // One line per kind: at large scales there are thousands of operations.
        let mut by_kind: std::collections::BTreeMap<&str, [u64; 4]> = Default::default();
        for o in &s.operations {
            let k = by_kind.entry(o.kind.as_str()).or_default();
            k[0] += 1;
            k[1] += o.members;
            k[2] += o.events;
            k[3] += o.camouflage_events;
        }
        for (kind, [ops, members, actions, camouflage]) in by_kind {
            eprintln!(
                "  {kind:<13} {ops:>4} ops {:>6} members {:>9} actions {:>9} camouflage posts",
                num(members),
                num(actions),
                num(camouflage)
            );
        }
    }
    Ok(s)
}
