//! `swarmscan eval`: a scan's output against labelled accounts.

use anyhow::Context;
use clap::Args;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use swarmscan_scan::eval::{EvalReport, add_participation, evaluate};

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

/// `account_id → label` of a labels file, and `account_id → op_actions`
/// when it has that column; one pass over the file.
#[allow(clippy::type_complexity)]
fn read_labels(path: &Path) -> anyhow::Result<(BTreeMap<String, String>, Option<BTreeMap<String, u32>>)> {
    let has_actions = csv::Reader::from_path(path)
        .with_context(|| format!("cannot read {}", path.display()))?
        .headers()
        .with_context(|| format!("{}: no header", path.display()))?
        .iter()
        .any(|x| x == "op_actions");
    let (mut labels, mut actions) = (BTreeMap::new(), BTreeMap::new());
    let cols: &[&str] = if has_actions { &["account_id", "label", "op_actions"] } else { &["account_id", "label"] };
    for row in read_columns(path, cols)? {
        let mut row = row.into_iter();
        let (id, label) = (row.next().unwrap_or_default(), row.next().unwrap_or_default());
        if let Some(n) = row.next() {
            let n: u32 = n
                .parse()
                .with_context(|| format!("{}: account {id}: op_actions {n:?} is not a number", path.display()))?;
            actions.insert(id.clone(), n);
        }
        labels.insert(id, label);
    }
    Ok((labels, has_actions.then_some(actions)))
}

fn read_pairs(path: &Path, a: &str, b: &str) -> anyhow::Result<Vec<(String, String)>> {
    Ok(read_columns(path, &[a, b])?
        .into_iter()
        .map(|r| {
            let mut r = r.into_iter();
            (r.next().unwrap_or_default(), r.next().unwrap_or_default())
        })
        .collect())
}

/// The named columns of every record of a CSV file with a header, in the
/// order named; errors name the file, the record and the column.
fn read_columns(path: &Path, names: &[&str]) -> anyhow::Result<Vec<Vec<String>>> {
    let mut r = csv::Reader::from_path(path).with_context(|| format!("cannot read {}", path.display()))?;
    let h = r.headers().with_context(|| format!("{}: no header", path.display()))?.clone();
    let idx = names
        .iter()
        .map(|name| {
            h.iter()
                .position(|x| x == *name)
                .with_context(|| format!("{}: no column {name:?} in the header", path.display()))
        })
        .collect::<anyhow::Result<Vec<usize>>>()?;
    let mut out = Vec::new();
    for (i, rec) in r.records().enumerate() {
        let rec = rec.with_context(|| format!("{}: record {}", path.display(), i + 2))?;
        let row = idx
            .iter()
            .zip(names)
            .map(|(&j, name)| {
                rec.get(j)
                    .map(str::to_string)
                    .with_context(|| format!("{}:{}: missing field {name}", path.display(), i + 2))
            })
            .collect::<anyhow::Result<Vec<String>>>()?;
        out.push(row);
    }
    Ok(out)
}

pub fn run(args: EvalArgs, ui: crate::ui::Ui) -> anyhow::Result<u8> {
    let (labels, actions) = read_labels(&args.labels)?;
    let mut flagged = BTreeMap::new();
    let accounts = args.dir.join("accounts.csv");
    for (id, c) in read_pairs(&accounts, "account_id", "cluster_id")? {
        let c: u32 = c.parse().with_context(|| format!("{}: cluster_id {c:?} is not a number", accounts.display()))?;
        flagged.insert(id, c);
    }
    let mut r = evaluate(&labels, &flagged, &args.positive_prefix);
    if let Some(actions) = &actions {
        add_participation(&mut r, &labels, actions, &flagged, &args.positive_prefix);
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
