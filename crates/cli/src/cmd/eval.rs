//! `swarmscan eval`: a scan's output against labelled accounts.

use anyhow::Context;
use clap::Args;
use std::path::{Path, PathBuf};
use swarmscan_scan::eval::{EvalReport, add_participation, evaluate, read_flagged, read_labels};

#[derive(Args, Debug)]
pub struct EvalArgs {
    /// The output directory of `swarmscan scan` (reads its accounts.csv).
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,
    /// `account_id,label` CSV (as `swarmscan gen` writes): labels starting
    /// with the positive prefix are operation members; `fan_<n>` and
    /// anything else are organic. An optional `op_actions` column (how many
    /// of its operation's events each member posted) adds recall by
    /// participation.
    #[arg(long, value_name = "FILE")]
    pub labels: PathBuf,
    /// Prefix of positive labels.
    #[arg(long, default_value = "op_")]
    pub positive_prefix: String,
    /// Also write the metrics as JSON to this file (`-` for stdout).
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
}

pub fn run(args: EvalArgs, ui: crate::ui::Ui) -> anyhow::Result<u8> {
    let open = |p: &Path| std::fs::File::open(p).with_context(|| format!("cannot read {}", p.display()));
    let labels = read_labels(open(&args.labels)?, &args.labels.display().to_string()).map_err(anyhow::Error::msg)?;
    let accounts = args.dir.join("accounts.csv");
    let flagged = read_flagged(open(&accounts)?, &accounts.display().to_string()).map_err(anyhow::Error::msg)?;
    let mut r = evaluate(&labels.labels, &flagged, &args.positive_prefix);
    if let Some(actions) = &labels.actions {
        add_participation(&mut r, &labels.labels, actions, &flagged, &args.positive_prefix);
    }
    if !ui.quiet {
        eprint!("{}", render(&r));
    }
    if let Some(p) = &args.json {
        let mut text = serde_json::to_string_pretty(&r)?;
        text.push('\n');
        crate::atomic::write_output(p, |w| Ok(w.write_all(text.as_bytes())?))?;
    }
    Ok(crate::exit::OK)
}

fn render(r: &EvalReport) -> String {
    let mut s = format!(
        "{} labelled accounts, {} positive; {} flagged ({} unlabelled)\n\
         precision {:.3}  recall {:.3}  F1 {:.3}  ARI {:.3}  purity {:.3}\n",
        r.labelled,
        r.positives,
        r.flagged,
        r.flagged_unlabelled,
        r.precision,
        r.recall,
        r.f1,
        r.adjusted_rand_index,
        r.purity
    );
    s += "flagged by group kind:\n";
    for (k, v) in &r.by_kind {
        s += &format!("  {k:<14} {:>6} / {:<6} {:>6.2}%\n", v.flagged, v.accounts, 100.0 * v.rate);
    }
    if let (Some(ceiling), Some(visible)) = (r.recall_ceiling, r.recall_of_visible) {
        s += "operation members by events of their operation they posted:\n";
        for b in &r.by_participation {
            let band = if b.hi == u32::MAX { format!("{}+", b.lo) } else { format!("{}-{}", b.lo, b.hi) };
            s += &format!("  {band:<14} {:>6} / {:<6} {:>6.2}%\n", b.flagged, b.members, 100.0 * b.rate);
        }
        s += &format!(
            "members with two or more: {:.3} of all (the most any co-action test can find); recall among them {visible:.3}\n",
            ceiling
        );
    }
    s
}
