//! The ground-truth files: `labels.csv` (one label per account that appears
//! in the events) and `operations.json` (every planted operation with its
//! members, targets and time span, plus the organic fan groups that a
//! detector must not flag).

use std::path::Path;

use serde::Serialize;

use crate::pipeline::{Sink, Stats, Written};
use crate::rng::Rand;
use crate::text;
use crate::time::iso_ms;
use crate::vocab::OUTLETS;
use crate::world::{Group, World};
use crate::{GenConfig, GenError, OpKind, OpSummary};

/// Writes `labels.csv` in account order; returns it (to commit) and its row
/// count.
pub(crate) fn write_labels(world: &World, stats: &Stats, out_dir: &Path) -> Result<(Written, u64), GenError> {
    let mut sink = Sink::create(out_dir.join("labels.csv"))?;
    let mut buf = Vec::with_capacity(1 << 20);
    buf.extend_from_slice(b"account_id,label,op_actions\n");
    let mut rows = 0u64;
    for (i, acc) in world.accounts.iter().enumerate() {
        let a = i as u32;
        if !stats.seen(a) {
            continue;
        }
        rows += 1;
        buf.extend_from_slice(itoa::Buffer::new().format(world.uid(a)).as_bytes());
        buf.push(b',');
        match acc.group {
            Group::Organic => buf.extend_from_slice(b"organic"),
            Group::Fan(g) => {
                buf.extend_from_slice(b"fan_");
                buf.extend_from_slice(itoa::Buffer::new().format(g).as_bytes());
            }
            Group::Op(o) => buf.extend_from_slice(world.ops[o as usize].label().as_bytes()),
        }
        buf.push(b',');
        buf.extend_from_slice(itoa::Buffer::new().format(stats.op_actions[i]).as_bytes());
        buf.push(b'\n');
        if buf.len() > 1 << 20 {
            sink.write(&buf)?;
            buf.clear();
        }
    }
    sink.write(&buf)?;
    Ok((sink.finish()?, rows))
}

/// Writes `operations.json`; returns it (to commit) and the per-operation
/// summary.
pub(crate) fn write_operations(
    cfg: &GenConfig,
    world: &World,
    stats: &Stats,
    accounts: u64,
    out_dir: &Path,
) -> Result<(Written, Vec<OpSummary>), GenError> {
    let uid = |a: u32| world.uid(a).to_string();
    let mut summaries = Vec::with_capacity(world.ops.len());
    let mut truths = Vec::with_capacity(world.ops.len());
    for (o, op) in world.ops.iter().enumerate() {
        let st = stats.ops[o];
        let members: Vec<u32> = op.members.iter().copied().filter(|&a| stats.seen(a)).collect();
        let mut domains: Vec<DomainTruth> = op
            .domains
            .iter()
            .map(|(d, oi)| DomainTruth { domain: d.clone(), imitates: OUTLETS[usize::from(*oi)].domain })
            .collect();
        domains.extend(op.sites.iter().map(|d| DomainTruth { domain: d.clone(), imitates: "" }));
        let mut base = Rand::new(0);
        let texts = op
            .templates
            .iter()
            .filter(|_| op.kind == OpKind::Copypasta)
            .map(|t| {
                let mut s = String::new();
                text::expand(&mut s, &mut base, t, true);
                s
            })
            .collect();
        let targets = TargetsTruth {
            urls: stats.op_urls[o].iter().cloned().collect(),
            domains,
            posts: stats.op_posts[o].iter().map(u64::to_string).collect(),
            accounts: op.targets.iter().map(|&a| uid(a)).collect(),
            hashtags: {
                // Every set a rotating push used, in rotation order.
                let mut tags = op.tags.clone();
                for t in op.tag_sets.iter().flatten() {
                    if !tags.contains(t) {
                        tags.push(t.clone());
                    }
                }
                tags
            },
            texts,
        };
        let n_targets = targets.urls.len() + targets.posts.len() + targets.hashtags.len() + targets.texts.len();
        let (start_ms, end_ms) = if st.events > 0 { (st.first, st.last) } else { (op.start_ms, op.end_ms) };
        summaries.push(OpSummary {
            id: op.label(),
            kind: op.kind,
            members: members.len() as u64,
            events: st.events,
            camouflage_events: st.camouflage,
            targets: n_targets as u64,
            start_ms,
            end_ms,
        });
        truths.push(OpTruth {
            id: op.label(),
            kind: op.kind,
            description: op.kind.description(),
            language: op.lang.code(),
            members: members.iter().map(|&a| uid(a)).collect(),
            member_usernames: members.iter().map(|&a| world.username(a).to_string()).collect(),
            targets,
            start: iso_ms(start_ms),
            end: iso_ms(end_ms),
            start_ms,
            end_ms,
            utc_offset_h: op.tz_h,
            shift_start_h: op.work_start_h,
            shift_hours: op.work_len_h,
            actions: op.n_actions,
            events: st.events,
            camouflage_events: st.camouflage,
        });
    }
    let fan_groups = world
        .fans
        .iter()
        .enumerate()
        .map(|(g, grp)| FanTruth {
            id: format!("fan_{g}"),
            celebrity: uid(grp.celeb),
            celebrity_username: world.username(grp.celeb).to_string(),
            members: grp.fans.iter().filter(|f| stats.seen(f.acct)).map(|f| uid(f.acct)).collect(),
            posts: grp.posts,
        })
        .collect();
    let file = OpsFile {
        generator: GeneratorInfo {
            name: "swarmscan-gen",
            version: env!("CARGO_PKG_VERSION"),
            seed: cfg.seed,
            scale: cfg.scale,
            start: iso_ms(world.start_ms),
            end: iso_ms(world.end_ms),
            start_ms: world.start_ms,
            end_ms: world.end_ms,
            events: stats.events,
            accounts,
            expected_events: ExpectedEvents {
                organic: world.expected.organic.round() as u64,
                fan_groups: world.expected.fans.round() as u64,
                operations: world.expected.ops.round() as u64,
            },
            scenario: (!cfg.scenario.is_default()).then(|| cfg.scenario.clone()),
        },
        operations: truths,
        fan_groups,
    };
    let path = out_dir.join("operations.json");
    let json = serde_json::to_vec_pretty(&file).map_err(|source| GenError::Json { path: path.clone(), source })?;
    let mut sink = Sink::create(path)?;
    sink.write(&json)?;
    sink.write(b"\n")?;
    Ok((sink.finish()?, summaries))
}

/// `operations.json`: the ground truth.
#[derive(Debug, Serialize)]
struct OpsFile {
    generator: GeneratorInfo,
    operations: Vec<OpTruth>,
    fan_groups: Vec<FanTruth>,
}

#[derive(Debug, Serialize)]
struct GeneratorInfo {
    name: &'static str,
    version: &'static str,
    seed: u64,
    scale: f64,
    start: String,
    end: String,
    start_ms: i64,
    end_ms: i64,
    events: u64,
    accounts: u64,
    /// The calibration's expected event counts by source.
    expected_events: ExpectedEvents,
    /// The scenario knobs, when not the default (absent: the original model).
    #[serde(skip_serializing_if = "Option::is_none")]
    scenario: Option<crate::Scenario>,
}

#[derive(Debug, Serialize)]
struct ExpectedEvents {
    organic: u64,
    fan_groups: u64,
    operations: u64,
}

#[derive(Debug, Serialize)]
struct OpTruth {
    id: String,
    kind: crate::OpKind,
    description: &'static str,
    language: &'static str,
    members: Vec<String>,
    member_usernames: Vec<String>,
    targets: TargetsTruth,
    start: String,
    end: String,
    start_ms: i64,
    end_ms: i64,
    /// Working hours of the operators: UTC offset and local shift.
    utc_offset_h: i64,
    shift_start_h: i64,
    shift_hours: i64,
    actions: u32,
    events: u64,
    camouflage_events: u64,
}

#[derive(Debug, Default, Serialize)]
struct TargetsTruth {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    urls: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    domains: Vec<DomainTruth>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    posts: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    accounts: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    hashtags: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    texts: Vec<String>,
}

#[derive(Debug, Serialize)]
struct DomainTruth {
    domain: String,
    imitates: &'static str,
}

#[derive(Debug, Serialize)]
struct FanTruth {
    id: String,
    celebrity: String,
    celebrity_username: String,
    members: Vec<String>,
    posts: u32,
}
