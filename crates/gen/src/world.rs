//! The static world: accounts with their activity parameters, fan groups,
//! planted operations, and the schedule of scheduled actions (celebrity
//! posts and operation actions).
//!
//! The world is built once, sequentially, from the seed and the scale; the
//! time slices then read it concurrently. It holds `O(accounts)` state
//! (about 70 bytes per account) and nothing per event.

use rustc_hash::FxHashSet;

use crate::rng::{Alias, Rand, Zipf, derive, hash_bytes, tag};
use crate::time::{DAY_MS, HOUR_MS, MINUTE_MS, weekday};
use crate::vocab::{HANDLE_ADJ, HANDLE_NOUN, Lang, OUTLETS, STAGE_FIRST, STAGE_LAST, fold_into};
use crate::{GenConfig, GenError, OpKind, Scenario, domains};

/// Length of the generated period.
pub(crate) const DAYS: i64 = 7;
/// Target events per account (accounts = events / this).
pub(crate) const EVENTS_PER_ACCOUNT: f64 = 30.0;
/// No follow-up (repost, reply, delayed share) comes later than this after
/// the action that caused it; bounds how far a slice spills forward.
pub(crate) const MAX_DELAY_MS: i64 = 11 * HOUR_MS;
/// Twitter's snowflake epoch (2010-11-04T01:42:54.657Z).
pub(crate) const TWEPOCH: i64 = 1_288_834_974_657;
/// Events a slice should hold on average (sets the slice length).
const EVENTS_PER_SLICE: f64 = 20_000.0;

/// Share of accounts in fan groups.
const FAN_SHARE: f64 = 0.06;
/// Share of accounts in operations of each kind (six kinds).
const OP_SHARE_PER_KIND: f64 = 0.0025;

/// A region: language, UTC offset (summer time) and share of accounts.
#[derive(Debug)]
pub(crate) struct Region {
    pub(crate) lang: Lang,
    pub(crate) tz_h: i64,
    pub(crate) share: f64,
}

pub(crate) const REGIONS: [Region; 6] = [
    Region { lang: Lang::En, tz_h: -4, share: 0.40 },
    Region { lang: Lang::En, tz_h: 1, share: 0.12 },
    Region { lang: Lang::De, tz_h: 2, share: 0.18 },
    Region { lang: Lang::Fr, tz_h: 2, share: 0.14 },
    Region { lang: Lang::Es, tz_h: 2, share: 0.10 },
    Region { lang: Lang::Es, tz_h: -3, share: 0.06 },
];
pub(crate) const N_REGIONS: usize = REGIONS.len();

/// What an account is in the world (independent of its label).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    Regular,
    Outlet,
    Celebrity,
    Journalist,
    Amplified,
}

/// Ground-truth group of an account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Group {
    Organic,
    Fan(u32),
    Op(u32),
}

/// What the writers need of an account, packed in 32 bytes so that one
/// cache line fetch serves a whole row.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Card {
    pub(crate) uid: u64,
    len: u8,
    name: [u8; MAX_HANDLE],
}

/// Longest handle stored (Twitter allows 15; de-duplication may add digits).
pub(crate) const MAX_HANDLE: usize = 23;

impl Card {
    pub(crate) const EMPTY: Card = Card { uid: 0, len: 0, name: [0; MAX_HANDLE] };

    /// The handle as bytes (ASCII letters, digits, `_`).
    #[inline]
    pub(crate) fn name(&self) -> &[u8] {
        &self.name[..usize::from(self.len).min(MAX_HANDLE)]
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Account {
    /// Weight for authoring original posts.
    pub(crate) act: f32,
    /// Weight for reposting and replying.
    pub(crate) eng: f32,
    /// Expected ordinary reposts per original post.
    pub(crate) infl: f32,
    /// Probability that an original post goes viral.
    pub(crate) viral: f32,
    pub(crate) outlet: u16,
    pub(crate) region: u8,
    pub(crate) role: Role,
    pub(crate) group: Group,
}

/// A fan of a celebrity: how often and how fast they repost.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Fan {
    pub(crate) acct: u32,
    pub(crate) p: f32,
    pub(crate) delay_s: f32,
}

#[derive(Debug)]
pub(crate) struct FanGroup {
    pub(crate) celeb: u32,
    pub(crate) fans: Vec<Fan>,
    pub(crate) posts: u32,
}

/// A planted operation.
#[derive(Debug)]
pub(crate) struct Op {
    pub(crate) kind: OpKind,
    /// Index within its kind (`op_<kind>_<n>`).
    pub(crate) n: u32,
    pub(crate) lang: Lang,
    /// Members in rotation order.
    pub(crate) members: Vec<u32>,
    pub(crate) start_ms: i64,
    pub(crate) end_ms: i64,
    pub(crate) tz_h: i64,
    pub(crate) work_start_h: i64,
    pub(crate) work_len_h: i64,
    /// Actions per working hour.
    pub(crate) rate: f64,
    /// Per-member participation probability (ring, copypasta, hashtag).
    pub(crate) part: f64,
    /// Participants per action (cloned news, reply swarm, slow link).
    pub(crate) k_lo: usize,
    pub(crate) k_hi: usize,
    /// Lookalike domains and the outlet (index into `OUTLETS`) each imitates.
    pub(crate) domains: Vec<(String, u16)>,
    /// Slow-link sites.
    pub(crate) sites: Vec<String>,
    pub(crate) tags: Vec<String>,
    pub(crate) templates: Vec<&'static str>,
    /// Amplified accounts (ring) or journalists (reply swarm); ring leaders
    /// among the members when leaders have no audience.
    pub(crate) targets: Vec<u32>,
    /// Probability that a ring's seed post is by one of `targets`.
    pub(crate) leader_p: f64,
    /// Hashtag sets a hashtag push rotates through, one per day (empty: `tags`
    /// all the time).
    pub(crate) tag_sets: Vec<Vec<String>>,
    pub(crate) n_actions: u32,
}

impl Op {
    pub(crate) fn label(&self) -> String {
        format!("op_{}_{}", self.kind.as_str(), self.n)
    }
}

#[derive(Debug, Clone, Copy)]
pub(crate) enum ActionKind {
    CelebPost { group: u32 },
    Op { op: u32, j: u32 },
}

/// A scheduled action (celebrity post or operation action).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Action {
    pub(crate) ts: i64,
    pub(crate) what: ActionKind,
}

#[derive(Debug, Clone, Copy)]
struct Slot {
    prob: u32,
    here: u32,
    other: u32,
}

/// Accounts of one region with an alias table over a weight, fused so that
/// one draw touches one 12-byte slot (one cache line) instead of three arrays.
#[derive(Debug, Default)]
pub(crate) struct Pool {
    slots: Vec<Slot>,
}

impl Pool {
    fn new(members: &[u32], weights: &[f64]) -> Self {
        let (prob, alias) = Alias::new(weights).into_parts();
        let slots = prob
            .iter()
            .zip(&alias)
            .zip(members)
            .map(|((&prob, &other), &here)| Slot {
                prob,
                here,
                other: members.get(other as usize).copied().unwrap_or(here),
            })
            .collect();
        Self { slots }
    }

    /// Draws an account; `None` for an empty pool.
    #[inline]
    pub(crate) fn sample(&self, rng: &mut Rand) -> Option<u32> {
        let n = self.slots.len();
        if n == 0 {
            return None;
        }
        let r = rng.u64();
        let i = ((u128::from(r >> 32) * n as u128) >> 32) as usize;
        let s = self.slots.get(i)?;
        Some(if (r as u32) <= s.prob { s.here } else { s.other })
    }
}

/// Expected event counts by source, used to calibrate the organic rate.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Expected {
    pub(crate) fans: f64,
    pub(crate) ops: f64,
    pub(crate) organic: f64,
}

/// Model constants for cascades, shared by the calibration and the slices.
pub(crate) mod model {
    /// Pareto scale and shape of viral cascade sizes.
    pub(crate) const VIRAL_XM: f64 = 30.0;
    pub(crate) const VIRAL_ALPHA: f64 = 1.3;
    /// Breaking-news link shares per viral repost of an outlet post.
    pub(crate) const BURST_SHARE: f64 = 0.3;
    /// Probability a fan reply accompanies a fan repost.
    pub(crate) const FAN_REPLY_P: f64 = 0.08;
    /// Probability a cloned-news push also gets member reposts, and how many.
    pub(crate) const CLONE_RESHARE_P: f64 = 0.3;
    pub(crate) const CLONE_RESHARES: f64 = 2.0;

    pub(crate) fn replies_mean(infl: f64) -> f64 {
        0.06 + 0.2 * infl
    }

    pub(crate) fn quotes_mean(infl: f64) -> f64 {
        0.01 + 0.03 * infl
    }
}

#[derive(Debug)]
pub(crate) struct World {
    pub(crate) seed: u64,
    pub(crate) start_ms: i64,
    pub(crate) end_ms: i64,
    pub(crate) slice_ms: i64,
    pub(crate) n_slices: u32,
    pub(crate) accounts: Vec<Account>,
    pub(crate) cards: Vec<Card>,
    pub(crate) act_pools: Vec<Pool>,
    pub(crate) eng_pools: Vec<Pool>,
    pub(crate) act_share: [f64; N_REGIONS],
    pub(crate) eng_sum: [f64; N_REGIONS],
    /// Outlets (indices into `OUTLETS`) per language, in popularity order.
    pub(crate) outlets_by_lang: [Vec<u16>; 4],
    pub(crate) outlet_zipf: [Zipf; 4],
    pub(crate) rank_zipf: Zipf,
    pub(crate) tag_zipf: [Zipf; 4],
    /// Accounts worth mentioning (outlets, celebrities, journalists).
    pub(crate) notable: Vec<u32>,
    pub(crate) fans: Vec<FanGroup>,
    pub(crate) ops: Vec<Op>,
    pub(crate) actions: Vec<Action>,
    /// Organic original posts per ms before the diurnal and weekly factors.
    pub(crate) orig_rate: f64,
    diurnal: Vec<f64>,
    pub(crate) viral_cap: f64,
    pub(crate) expected: Expected,
    /// Expected events per slice (a capacity hint).
    pub(crate) events_per_slice: usize,
    /// Accounts whose events are written (`None`: all), a bitset.
    keep: Option<Vec<u64>>,
    /// Divisor of fan repost delays.
    pub(crate) fan_speed: f64,
    /// Spread of slow-link shares, seconds.
    pub(crate) slow_spread_s: (f64, f64),
    /// Journalist posts per reply-swarm action.
    pub(crate) reply_waves: u32,
}

fn diurnal_table() -> Vec<f64> {
    let bump = |h: f64, mu: f64, sigma: f64| {
        let mut d = (h - mu).abs();
        if d > 12.0 {
            d = 24.0 - d;
        }
        (-(d * d) / (2.0 * sigma * sigma)).exp()
    };
    let mut t: Vec<f64> = (0..1440)
        .map(|m| {
            let h = f64::from(m) / 60.0;
            0.12 + 0.35 * bump(h, 8.5, 1.5) + 0.55 * bump(h, 13.0, 3.0) + 0.9 * bump(h, 20.5, 2.2)
        })
        .collect();
    let mean = t.iter().sum::<f64>() / t.len() as f64;
    for v in &mut t {
        *v /= mean;
    }
    t
}

/// A multiplicative bijection-based permutation of `u32` (for legacy ids).
fn perm32(mut x: u32) -> u32 {
    x = x.wrapping_mul(0x9E37_79B1);
    x ^= x >> 15;
    x = x.wrapping_mul(0x85EB_CA77);
    x ^= x >> 13;
    x
}

/// Expected value of `min(Pareto(xm, alpha), cap)`.
fn capped_pareto_mean(xm: f64, alpha: f64, cap: f64) -> f64 {
    if cap <= xm {
        return cap;
    }
    xm + xm.powf(alpha) * (cap.powf(1.0 - alpha) - xm.powf(1.0 - alpha)) / (1.0 - alpha)
}

impl World {
    pub(crate) fn build(cfg: &GenConfig) -> Result<World, GenError> {
        if !cfg.scale.is_finite() || cfg.scale <= 0.0 {
            return Err(GenError::InvalidConfig(format!("scale must be a positive number, got {}", cfg.scale)));
        }
        if cfg.scale > 100_000.0 {
            return Err(GenError::InvalidConfig(format!(
                "scale {} is too large (at most 100000, i.e. 1e11 events)",
                cfg.scale
            )));
        }
        let latest = TWEPOCH + (1i64 << 41) - DAYS * DAY_MS - 2 * MAX_DELAY_MS;
        if cfg.start_ms < TWEPOCH || cfg.start_ms > latest {
            return Err(GenError::InvalidConfig(format!(
                "start_ms {} is outside the snowflake-id range (2010-11-04 to 2080)",
                cfg.start_ms
            )));
        }
        cfg.scenario.validate().map_err(GenError::InvalidConfig)?;
        let sc = &cfg.scenario;
        let target = cfg.scale * 1e6;
        let n_acc = (target / EVENTS_PER_ACCOUNT).round().max(400.0) as usize;
        let start_ms = cfg.start_ms;
        let total_ms = DAYS * DAY_MS;
        let end_ms = start_ms + total_ms;
        let slice_ms = {
            let ms = total_ms as f64 * EVENTS_PER_SLICE / target;
            let minutes = (ms / MINUTE_MS as f64).floor() as i64;
            (minutes * MINUTE_MS).clamp(MINUTE_MS, HOUR_MS)
        };
        let n_slices = ((total_ms + slice_ms - 1) / slice_ms) as u32;

        let mut rng = Rand::derived(cfg.seed, tag::WORLD, 0);
        let region_alias = Alias::new(&REGIONS.map(|r| r.share));

        // 1. Ordinary accounts.
        let mut accounts: Vec<Account> = (0..n_acc)
            .map(|_| {
                let act = rng.lognormal(1.0, 1.3).min(150.0);
                let eng = (act.powf(0.6) * rng.lognormal(1.0, 0.9)).min(150.0);
                Account {
                    act: act as f32,
                    eng: eng as f32,
                    infl: rng.lognormal(0.12, 1.6).min(40.0) as f32,
                    viral: 0.0008,
                    outlet: 0,
                    region: region_alias.sample(&mut rng) as u8,
                    role: Role::Regular,
                    group: Group::Organic,
                }
            })
            .collect();
        let mut by_region: Vec<Vec<u32>> = vec![Vec::new(); N_REGIONS];
        for (i, a) in accounts.iter().enumerate() {
            by_region[usize::from(a.region)].push(i as u32);
        }
        for v in &mut by_region {
            rng.shuffle(v);
        }
        // Draws an unassigned regular account, preferring `region`.
        let mut cursor = [0usize; N_REGIONS];
        let mut take = |rng: &mut Rand, accounts: &[Account], region: Option<usize>| -> Option<u32> {
            let order: Vec<usize> = match region {
                Some(r) => std::iter::once(r).chain((0..N_REGIONS).filter(|&x| x != r)).collect(),
                None => {
                    let r = region_alias.sample(rng);
                    std::iter::once(r).chain((0..N_REGIONS).filter(|&x| x != r)).collect()
                }
            };
            for r in order {
                while cursor[r] < by_region[r].len() {
                    let a = by_region[r][cursor[r]];
                    cursor[r] += 1;
                    let acc = &accounts[a as usize];
                    if acc.role == Role::Regular && acc.group == Group::Organic {
                        return Some(a);
                    }
                }
            }
            None
        };
        let region_of_lang = |rng: &mut Rand, lang: Lang| -> usize {
            let cands: Vec<usize> = (0..N_REGIONS).filter(|&r| REGIONS[r].lang == lang).collect();
            let w: Vec<f64> = cands.iter().map(|&r| REGIONS[r].share).collect();
            cands[Alias::new(&w).sample(rng)]
        };

        // 2. Outlets, a language-proportional selection of the catalogue.
        let n_out = (n_acc / 60).clamp(8, OUTLETS.len());
        let lang_share = [0.5, 0.2, 0.15, 0.15];
        let mut outlet_accounts: Vec<u32> = Vec::new();
        let mut outlets_by_lang: [Vec<u16>; 4] = Default::default();
        for (i, o) in OUTLETS.iter().enumerate() {
            outlets_by_lang[o.lang.index()].push(i as u16);
        }
        for lang in Lang::ALL {
            let want = ((n_out as f64 * lang_share[lang.index()]).round() as usize).max(1);
            for &oi in outlets_by_lang[lang.index()].iter().take(want) {
                let o = &OUTLETS[usize::from(oi)];
                let region = if o.domain.ends_with(".co.uk") || o.domain == "news.sky.com" {
                    1
                } else if o.domain == "clarin.com" || o.domain == "infobae.com" {
                    5
                } else {
                    region_of_lang(&mut rng, o.lang)
                };
                let Some(a) = take(&mut rng, &accounts, Some(region)) else {
                    continue;
                };
                let acc = &mut accounts[a as usize];
                acc.region = region as u8;
                acc.role = Role::Outlet;
                acc.outlet = oi;
                acc.infl = rng.lognormal(6.0, 0.6) as f32;
                acc.viral = 0.012;
                acc.eng = 0.0;
                outlet_accounts.push(a);
            }
        }

        // 3. Journalists and amplified (hyper-partisan) accounts.
        let mut journalists = Vec::new();
        for _ in 0..(n_acc / 500).max(3) {
            if let Some(a) = take(&mut rng, &accounts, None) {
                let acc = &mut accounts[a as usize];
                acc.role = Role::Journalist;
                acc.infl = rng.lognormal(2.5, 0.6) as f32;
                acc.viral = 0.005;
                acc.act = acc.act.max(2.0);
                journalists.push(a);
            }
        }
        let mut amplified = Vec::new();
        for _ in 0..(n_acc / 700).max(3) {
            if let Some(a) = take(&mut rng, &accounts, None) {
                let acc = &mut accounts[a as usize];
                acc.role = Role::Amplified;
                acc.infl = rng.lognormal(3.0, 0.6) as f32;
                acc.viral = 0.003;
                acc.act = acc.act.max(2.0);
                amplified.push(a);
            }
        }

        // 4. Fan groups around celebrities.
        let mut fans_left = (n_acc as f64 * FAN_SHARE).round() as usize;
        let mut fan_groups: Vec<FanGroup> = Vec::new();
        while fans_left >= 20 {
            let mut size = rng.lognormal(150.0, 0.6).clamp(40.0, 600.0) as usize;
            if size > fans_left || fans_left - size < 30 {
                size = fans_left;
            }
            fans_left -= size;
            let g = fan_groups.len() as u32;
            let Some(celeb) = take(&mut rng, &accounts, None) else {
                break;
            };
            let c_region = usize::from(accounts[celeb as usize].region);
            {
                let acc = &mut accounts[celeb as usize];
                acc.role = Role::Celebrity;
                acc.infl = rng.lognormal(12.0, 0.5) as f32;
                acc.viral = 0.02;
            }
            let mut fans = Vec::with_capacity(size);
            for _ in 0..size {
                let region = if rng.chance(0.8) { Some(c_region) } else { None };
                let Some(a) = take(&mut rng, &accounts, region) else {
                    break;
                };
                accounts[a as usize].group = Group::Fan(g);
                let (p, delay_s) = if rng.chance(0.25) {
                    (rng.uniform(0.55, 0.95), rng.uniform(8.0, 45.0) / sc.fan_speed)
                } else {
                    (rng.uniform(0.05, 0.5), rng.uniform(60.0, 900.0) / sc.fan_speed)
                };
                fans.push(Fan { acct: a, p: p as f32, delay_s: delay_s as f32 });
            }
            fan_groups.push(FanGroup { celeb, fans, posts: 0 });
        }

        // 5. Operations.
        let mut ops: Vec<Op> = Vec::new();
        let size_hi = (n_acc as f64 * 0.006).clamp(10.0, 60.0);
        let mut used_domains: FxHashSet<String> = FxHashSet::default();
        for kind in OpKind::ALL {
            let mean_size = (8.0 * size_hi).sqrt();
            let n_ops = if sc.has_ops() {
                ((n_acc as f64 * OP_SHARE_PER_KIND * sc.op_share / mean_size).round() as usize).max(1)
            } else {
                0
            };
            for n in 0..n_ops {
                let mut orng = Rand::derived(cfg.seed, tag::OP, ops.len() as u64);
                let (mut op, size) = build_op(
                    &mut orng,
                    kind,
                    n as u32,
                    size_hi,
                    start_ms,
                    &mut used_domains,
                    &journalists,
                    &amplified,
                    &accounts,
                    sc,
                );
                let region = region_of_lang(&mut orng, op.lang);
                let o = ops.len() as u32;
                for _ in 0..size {
                    let Some(a) = take(&mut orng, &accounts, Some(region)) else {
                        break;
                    };
                    let acc = &mut accounts[a as usize];
                    acc.group = Group::Op(o);
                    // Camouflage: members are ordinary, moderately active users.
                    acc.act = acc.act.clamp(0.8, 6.0);
                    acc.eng = acc.eng.max(0.8);
                    op.members.push(a);
                }
                scenario_extras(cfg.seed, sc, ops.len(), &mut op, &mut accounts);
                ops.push(op);
            }
        }

        // 6. Outlet activity: about 5% of originals, at most ~48 posts a day each.
        let n_outlets = outlet_accounts.len().max(1) as f64;
        let q = (48.0 * DAYS as f64 * n_outlets / (target * 0.5)).min(0.05);
        let others: f64 = accounts.iter().filter(|a| a.role != Role::Outlet).map(|a| f64::from(a.act)).sum();
        let outlet_act = (q * others / (n_outlets * (1.0 - q))) as f32;
        for &a in &outlet_accounts {
            accounts[a as usize].act = outlet_act;
        }

        // 7. Names and ids.
        let mut cards = Vec::with_capacity(n_acc);
        let mut seen: FxHashSet<u64> = FxHashSet::with_capacity_and_hasher(n_acc, Default::default());
        let created_lo: i64 = 1_388_534_400_000; // 2014-01-01
        let step = ((start_ms - DAY_MS - created_lo) / n_acc as i64).max(1);
        let mut buf = String::new();
        for (i, acc) in accounts.iter().enumerate() {
            buf.clear();
            handle(&mut rng, &mut buf, acc);
            let uid = if rng.chance(0.55) {
                10_000_000 + u64::from(perm32(i as u32 ^ 0x5BD1_E995))
            } else {
                let created = created_lo + i as i64 * step + (rng.u64() % step as u64) as i64;
                (((created - TWEPOCH) as u64) << 22) | (rng.u64() & 0x3F_FFFF)
            };
            let mut lower = buf.to_ascii_lowercase();
            while !seen.insert(hash_bytes(lower.as_bytes())) {
                if buf.len() >= MAX_HANDLE {
                    // Unique by construction: ids are unique.
                    buf.clear();
                    buf.push('u');
                    buf.push_str(itoa::Buffer::new().format(uid));
                    buf.truncate(MAX_HANDLE);
                } else {
                    buf.push_str(itoa::Buffer::new().format(rng.range(0, 9)));
                }
                lower = buf.to_ascii_lowercase();
            }
            let mut name = [0u8; MAX_HANDLE];
            let n = buf.len().min(MAX_HANDLE);
            name[..n].copy_from_slice(&buf.as_bytes()[..n]);
            cards.push(Card { uid, len: n as u8, name });
        }

        // 8. Sampling pools.
        let mut act_pools = Vec::with_capacity(N_REGIONS);
        let mut eng_pools = Vec::with_capacity(N_REGIONS);
        let mut act_sum = [0.0; N_REGIONS];
        let mut eng_sum = [0.0; N_REGIONS];
        for (r, members) in by_region.iter_mut().enumerate() {
            // Regions may have gained outlets: rebuild membership from `region`.
            members.clear();
            members
                .extend(accounts.iter().enumerate().filter(|(_, a)| usize::from(a.region) == r).map(|(i, _)| i as u32));
            let aw: Vec<f64> = members.iter().map(|&a| f64::from(accounts[a as usize].act)).collect();
            let ew: Vec<f64> = members.iter().map(|&a| f64::from(accounts[a as usize].eng)).collect();
            act_sum[r] = aw.iter().sum();
            eng_sum[r] = ew.iter().sum();
            act_pools.push(Pool::new(members, &aw));
            eng_pools.push(Pool::new(members, &ew));
        }
        let total_act: f64 = act_sum.iter().sum::<f64>().max(f64::MIN_POSITIVE);
        let act_share = act_sum.map(|s| s / total_act);

        let outlet_zipf = [0, 1, 2, 3].map(|l| Zipf::new(outlets_by_lang[l].len(), 1.1));
        let tag_zipf = Lang::ALL.map(|l| Zipf::new(l.vocab().tags.len(), 1.0));
        let viral_cap = (n_acc as f64 / 10.0).clamp(model::VIRAL_XM, 3000.0);
        let mut notable: Vec<u32> = outlet_accounts.clone();
        notable.extend(fan_groups.iter().map(|g| g.celeb));
        notable.extend(&journalists);
        notable.extend(&amplified);

        let keep = (sc.focus < 1.0).then(|| focus_keep(cfg.seed, sc.focus, &accounts, &fan_groups, &ops));

        let mut world = World {
            seed: cfg.seed,
            start_ms,
            end_ms,
            slice_ms,
            n_slices,
            accounts,
            cards,
            act_pools,
            eng_pools,
            act_share,
            eng_sum,
            outlets_by_lang,
            outlet_zipf,
            rank_zipf: Zipf::new(300, 1.0),
            tag_zipf,
            notable,
            fans: fan_groups,
            ops,
            actions: Vec::new(),
            orig_rate: 0.0,
            diurnal: diurnal_table(),
            viral_cap,
            expected: Expected::default(),
            events_per_slice: 0,
            keep,
            fan_speed: sc.fan_speed,
            slow_spread_s: sc.slow_link_spread_s,
            reply_waves: sc.reply_waves,
        };
        world.schedule(cfg.seed);
        world.calibrate(target);
        Ok(world)
    }

    /// Whether account `a`'s events are written (the focus filter).
    #[inline]
    pub(crate) fn kept(&self, a: u32) -> bool {
        self.keep.as_ref().is_none_or(|k| k.get(a as usize / 64).is_some_and(|w| w & (1 << (a % 64)) != 0))
    }

    pub(crate) fn username(&self, a: u32) -> &str {
        self.cards.get(a as usize).and_then(|c| std::str::from_utf8(c.name()).ok()).unwrap_or("")
    }

    pub(crate) fn uid(&self, a: u32) -> u64 {
        self.cards.get(a as usize).map_or(0, |c| c.uid)
    }

    pub(crate) fn lang_of(&self, a: u32) -> Lang {
        REGIONS[usize::from(self.accounts[a as usize].region)].lang
    }

    /// Diurnal × weekly activity factor for `region` at UTC time `ms` (mean 1).
    pub(crate) fn rhythm(&self, region: usize, ms: i64) -> f64 {
        let local = ms + REGIONS[region].tz_h * HOUR_MS;
        let minute = (local.rem_euclid(DAY_MS) / MINUTE_MS) as usize;
        let week = if weekday(local) >= 5 { 0.9 } else { 1.04 };
        self.diurnal[minute.min(1439)] * week
    }

    /// Expected follow-ups (reposts, replies, quotes, bursts) of an original
    /// post by account `a`.
    pub(crate) fn children_mean(&self, a: u32) -> f64 {
        let acc = &self.accounts[a as usize];
        let infl = f64::from(acc.infl);
        let viral = capped_pareto_mean(model::VIRAL_XM, model::VIRAL_ALPHA, self.viral_cap);
        let burst = if acc.role == Role::Outlet { 1.0 + model::BURST_SHARE } else { 1.0 };
        infl + f64::from(acc.viral) * viral * burst + model::replies_mean(infl) + model::quotes_mean(infl)
    }

    /// Places celebrity posts and operation actions on the timeline.
    fn schedule(&mut self, seed: u64) {
        let hours = (self.end_ms - self.start_ms) / HOUR_MS;
        let mut actions = Vec::new();
        for (g, group) in self.fans.iter_mut().enumerate() {
            let mut rng = Rand::derived(seed, tag::SCHEDULE, g as u64);
            let per_day = rng.uniform(2.0, 6.0);
            let region = usize::from(self.accounts[group.celeb as usize].region);
            for h in 0..hours {
                let t = self.start_ms + h * HOUR_MS;
                let local = t + REGIONS[region].tz_h * HOUR_MS;
                let minute = (local.rem_euclid(DAY_MS) / MINUTE_MS) as usize;
                let lambda = per_day / 24.0 * self.diurnal[minute.min(1439)];
                for _ in 0..rng.poisson(lambda) {
                    let ts = t + (rng.u64() % HOUR_MS as u64) as i64;
                    actions.push(Action { ts, what: ActionKind::CelebPost { group: g as u32 } });
                    group.posts += 1;
                }
            }
        }
        for (o, op) in self.ops.iter_mut().enumerate() {
            let mut rng = Rand::derived(seed, tag::SCHEDULE, (1 << 40) + o as u64);
            let mut j = 0u32;
            let first = (op.start_ms - self.start_ms).max(0) / HOUR_MS;
            let last = ((op.end_ms - self.start_ms) / HOUR_MS).min(hours);
            for h in first..last {
                let t = self.start_ms + h * HOUR_MS;
                let local = t + op.tz_h * HOUR_MS;
                let hour = local.rem_euclid(DAY_MS) / HOUR_MS;
                let in_shift = (hour - op.work_start_h).rem_euclid(24) < op.work_len_h;
                if !in_shift {
                    continue;
                }
                let lambda = if weekday(local) >= 5 { op.rate * 0.3 } else { op.rate };
                for _ in 0..rng.poisson(lambda) {
                    let ts = t + (rng.u64() % HOUR_MS as u64) as i64;
                    actions.push(Action { ts, what: ActionKind::Op { op: o as u32, j } });
                    j += 1;
                }
            }
            op.n_actions = j;
        }
        actions.sort_by_key(|a| {
            (
                a.ts,
                match a.what {
                    ActionKind::CelebPost { group } => u64::from(group),
                    ActionKind::Op { op, j } => (1 << 40) | (u64::from(op) << 20) | u64::from(j),
                },
            )
        });
        self.actions = actions;
    }

    /// Sets the organic post rate so the expected total is the target.
    fn calibrate(&mut self, target: f64) {
        let mut fans = 0.0;
        for g in &self.fans {
            let per_post: f64 = 1.0
                + self.children_mean(g.celeb)
                + g.fans.iter().map(|f| f64::from(f.p) * (1.0 + model::FAN_REPLY_P)).sum::<f64>();
            fans += per_post * f64::from(g.posts);
        }
        let mut ops = 0.0;
        for op in &self.ops {
            let m = op.members.len() as f64;
            if m == 0.0 {
                continue;
            }
            let c_members = op.members.iter().map(|&a| self.children_mean(a)).sum::<f64>() / m;
            let c_targets = if op.targets.is_empty() {
                c_members
            } else {
                op.targets.iter().map(|&a| self.children_mean(a)).sum::<f64>() / op.targets.len() as f64
            };
            let k = (op.k_lo + op.k_hi.max(op.k_lo)) as f64 / 2.0;
            let per_action = match op.kind {
                OpKind::ClonedNews => k * (1.0 + c_members) + model::CLONE_RESHARE_P * model::CLONE_RESHARES,
                OpKind::RepostRing => {
                    op.leader_p * (1.0 + c_targets) + (1.0 - op.leader_p) * (1.0 + c_members) + op.part * (m - 1.0)
                }
                OpKind::Copypasta | OpKind::HashtagPush => op.part * m * (1.0 + c_members),
                OpKind::ReplySwarm => (1.0 + c_targets + k) * f64::from(self.reply_waves),
                OpKind::SlowLink => k * (1.0 + c_members),
            };
            ops += per_action * f64::from(op.n_actions);
        }
        let organic = (target - fans - ops).max(0.25 * target);
        let total_act: f64 = self.accounts.iter().map(|a| f64::from(a.act)).sum();
        let c_bar: f64 =
            self.accounts.iter().enumerate().map(|(i, a)| f64::from(a.act) * self.children_mean(i as u32)).sum::<f64>()
                / total_act.max(f64::MIN_POSITIVE);
        self.orig_rate = organic / (1.0 + c_bar) / (self.end_ms - self.start_ms) as f64;
        self.expected = Expected { fans, ops, organic };
        let per_slice = (organic + fans + ops) / f64::from(self.n_slices.max(1));
        self.events_per_slice = (per_slice * 1.25).clamp(16.0, 1e6) as usize;
    }
}

#[allow(clippy::too_many_arguments)]
fn build_op(
    rng: &mut Rand,
    kind: OpKind,
    n: u32,
    size_hi: f64,
    start_ms: i64,
    used_domains: &mut FxHashSet<String>,
    journalists: &[u32],
    amplified: &[u32],
    accounts: &[Account],
    sc: &Scenario,
) -> (Op, usize) {
    let size = (8.0 * (size_hi / 8.0).powf(rng.f64())).round() as usize;
    let lang = match rng.below(20) {
        0..=9 => Lang::En,
        10..=14 => Lang::De,
        15..=17 => Lang::Fr,
        _ => Lang::Es,
    };
    let span_days = rng.uniform(2.0, DAYS as f64);
    let start_off = rng.uniform(0.0, DAYS as f64 - span_days);
    let op_start = start_ms + ((start_off * 24.0).floor() as i64) * HOUR_MS;
    let op_end = (op_start + (span_days * 24.0).ceil() as i64 * HOUR_MS).min(start_ms + DAYS * DAY_MS);
    let tz_h = match rng.below(10) {
        0..=5 => 3,
        6 => 8,
        _ => REGIONS.iter().find(|r| r.lang == lang).map_or(0, |r| r.tz_h),
    };
    let v = lang.vocab();
    let mut op = Op {
        kind,
        n,
        lang,
        members: Vec::new(),
        start_ms: op_start,
        end_ms: op_end,
        tz_h,
        work_start_h: rng.range(8, 10) as i64,
        work_len_h: rng.range(8, 11) as i64,
        rate: 0.0,
        part: 0.0,
        k_lo: 3,
        k_hi: 3,
        domains: Vec::new(),
        sites: Vec::new(),
        tags: Vec::new(),
        templates: Vec::new(),
        targets: Vec::new(),
        leader_p: 0.6,
        tag_sets: Vec::new(),
        n_actions: 0,
    };
    let (lo, hi) = sc.participation.unwrap_or(match kind {
        OpKind::RepostRing => (0.3, 0.55),
        OpKind::Copypasta => (0.3, 0.7),
        _ => (0.3, 0.6),
    });
    let k_hi = |cap: usize| cap.min(size).max(3);
    match kind {
        OpKind::ClonedNews => {
            op.rate = 0.7;
            op.k_hi = k_hi(8);
            let outlets: Vec<usize> =
                OUTLETS.iter().enumerate().filter(|(_, o)| o.lang == lang).map(|(i, _)| i).take(12).collect();
            let n_dom = rng.range(1, 3) as usize;
            for _ in 0..n_dom * 4 {
                if op.domains.len() >= n_dom {
                    break;
                }
                let oi = *rng.pick(&outlets);
                let o = &OUTLETS[oi];
                let known: Vec<&str> =
                    domains::known_lookalikes(o.domain).filter(|d| !used_domains.contains(*d)).collect();
                let d =
                    if !known.is_empty() && rng.chance(0.6) { known[0].to_string() } else { domains::mutate(rng, o) };
                if used_domains.insert(d.clone()) {
                    op.domains.push((d, oi as u16));
                }
            }
        }
        OpKind::RepostRing => {
            op.rate = 0.6;
            op.part = rng.uniform(lo, hi);
            let want = rng.range(1, 2) as usize;
            let cands: Vec<u32> = amplified
                .iter()
                .copied()
                .filter(|&a| REGIONS[usize::from(accounts[a as usize].region)].lang == lang)
                .collect();
            let pool = if cands.is_empty() { amplified.to_vec() } else { cands };
            for _ in 0..want {
                if !pool.is_empty() {
                    let a = *rng.pick(&pool);
                    if !op.targets.contains(&a) {
                        op.targets.push(a);
                    }
                }
            }
            if rng.chance(0.5) {
                op.tags.push(campaign_tag(rng, lang));
            }
        }
        OpKind::Copypasta => {
            op.rate = 0.35;
            op.part = rng.uniform(lo, hi);
            let mut idx: Vec<usize> = (0..v.pasta.len()).collect();
            rng.shuffle(&mut idx);
            for &i in idx.iter().take(rng.range(2, 3) as usize) {
                op.templates.push(v.pasta[i]);
            }
            op.tags.push(campaign_tag(rng, lang));
        }
        OpKind::ReplySwarm => {
            op.rate = 0.4;
            op.k_hi = k_hi(12);
            let cands: Vec<u32> = journalists
                .iter()
                .copied()
                .filter(|&a| REGIONS[usize::from(accounts[a as usize].region)].lang == lang)
                .collect();
            let pool = if cands.is_empty() { journalists.to_vec() } else { cands };
            for _ in 0..rng.range(1, 3) {
                if !pool.is_empty() {
                    let a = *rng.pick(&pool);
                    if !op.targets.contains(&a) {
                        op.targets.push(a);
                    }
                }
            }
            op.templates.extend(v.hostile.iter().copied());
        }
        OpKind::SlowLink => {
            op.rate = 0.3;
            op.k_hi = k_hi(8);
            for _ in 0..rng.range(1, 3) {
                for _ in 0..8 {
                    let s = domains::slow_site(rng);
                    if used_domains.insert(s.clone()) {
                        op.sites.push(s);
                        break;
                    }
                }
            }
        }
        OpKind::HashtagPush => {
            op.rate = 0.45;
            op.part = rng.uniform(lo, hi);
            for _ in 0..rng.range(2, 3) {
                let t = campaign_tag(rng, lang);
                if !op.tags.contains(&t) {
                    op.tags.push(t);
                }
            }
        }
    }
    (op, size)
}

/// The scenario's changes to a freshly built operation `o` (with its
/// members): ring leaders without an audience, rotating hashtag sets. Draws
/// only from the operation's own scenario stream, so the default scenario
/// draws nothing here.
fn scenario_extras(seed: u64, sc: &Scenario, o: usize, op: &mut Op, accounts: &mut [Account]) {
    match op.kind {
        OpKind::RepostRing if !sc.leader_audience && !op.members.is_empty() => {
            // One or two of the ring's own members lead; nobody else follows them.
            let n = op.targets.len().clamp(1, 2).min(op.members.len());
            op.targets = op.members[..n].to_vec();
            op.leader_p = 1.0;
            for &a in &op.targets {
                let acc = &mut accounts[a as usize];
                acc.infl = 0.0;
                acc.viral = 0.0;
            }
        }
        OpKind::HashtagPush if sc.rotating_hashtags > 1 => {
            let mut rng = Rand::derived(seed, tag::SCENARIO, o as u64);
            let mut sets = vec![op.tags.clone()];
            let mut used: Vec<String> = op.tags.clone();
            for _ in 1..sc.rotating_hashtags {
                let mut set = Vec::new();
                for _ in 0..rng.range(2, 3) {
                    for _ in 0..8 {
                        let t = campaign_tag(&mut rng, op.lang);
                        if !used.contains(&t) {
                            used.push(t.clone());
                            set.push(t);
                            break;
                        }
                    }
                }
                if !set.is_empty() {
                    sets.push(set);
                }
            }
            op.tag_sets = sets;
        }
        _ => {}
    }
}

/// The focus filter: operation members, fans, and every account they act on
/// (celebrities, ring leaders, journalists), plus each other account with
/// probability `focus`, drawn from its own hash so the sample does not move
/// when anything else changes.
fn focus_keep(seed: u64, focus: f64, accounts: &[Account], fans: &[FanGroup], ops: &[Op]) -> Vec<u64> {
    let mut keep = vec![0u64; accounts.len().div_ceil(64)];
    let mut set = |a: u32| keep[a as usize / 64] |= 1 << (a % 64);
    for (i, acc) in accounts.iter().enumerate() {
        let u = (derive(seed, tag::FOCUS, i as u64) >> 11) as f64 * (1.0 / (1u64 << 53) as f64);
        if acc.group != Group::Organic || u < focus {
            set(i as u32);
        }
    }
    for g in fans {
        set(g.celeb);
    }
    for op in ops {
        op.members.iter().chain(&op.targets).for_each(|&a| set(a));
    }
    keep
}

/// An invented campaign hashtag (`StopOurBorders24`).
fn campaign_tag(rng: &mut Rand, lang: Lang) -> String {
    let v = lang.vocab();
    let mut s = String::new();
    s.push_str(rng.word(v.camp_a));
    s.push_str(rng.word(v.camp_b));
    if rng.chance(0.3) {
        s.push_str(rng.word(&["24", "2024", "Now", "NOW"]));
    }
    s.retain(|c| c.is_alphanumeric() || c == '_');
    s
}

fn push_capital(out: &mut String, s: &str) {
    let mut cs = s.chars();
    if let Some(c) = cs.next() {
        out.extend(c.to_uppercase());
        out.push_str(cs.as_str());
    }
}

/// A plausible handle for an account (before de-duplication), at most 15
/// characters.
fn handle(rng: &mut Rand, out: &mut String, acc: &Account) {
    handle_raw(rng, out, acc);
    out.retain(|c| c.is_ascii_alphanumeric() || c == '_');
    out.truncate(15);
    while out.ends_with('_') {
        out.pop();
    }
    if out.is_empty() {
        out.push_str("user");
    }
}

fn handle_raw(rng: &mut Rand, out: &mut String, acc: &Account) {
    let lang = REGIONS[usize::from(acc.region)].lang;
    let v = lang.vocab();
    let first = *rng.pick(v.first);
    let last = *rng.pick(v.last);
    match acc.role {
        Role::Outlet => {
            out.push_str(OUTLETS[usize::from(acc.outlet)].handle);
            return;
        }
        Role::Celebrity => {
            out.push_str(rng.word(STAGE_FIRST));
            out.push_str(rng.word(STAGE_LAST));
            if rng.chance(0.3) {
                out.push_str(rng.word(&["Music", "Official", "HQ"]));
            }
            return;
        }
        Role::Journalist => {
            let mut s = String::new();
            fold_into(&mut s, first);
            let mut l = String::new();
            fold_into(&mut l, last);
            push_capital(out, &s);
            push_capital(out, &l);
            if rng.chance(0.4) {
                out.push_str(rng.word(&["_news", "Reports", "_journo", "Writes"]));
            }
            return;
        }
        Role::Amplified => {
            out.push_str(rng.word(&["Real", "Patriot", "Truth", "Voice", "Free"]));
            let mut s = String::new();
            fold_into(&mut s, first);
            push_capital(out, &s);
            out.push_str(itoa::Buffer::new().format(rng.range(1, 99)));
            return;
        }
        Role::Regular => {}
    }
    let mut f = String::new();
    fold_into(&mut f, first);
    let mut l = String::new();
    fold_into(&mut l, last);
    match rng.below(12) {
        0 => {
            out.push_str(&f);
            out.push_str(&l);
        }
        1 => {
            out.push_str(&f);
            out.push('_');
            out.push_str(&l);
        }
        2 => {
            out.push_str(&f);
            out.push_str(&l);
            out.push_str(itoa::Buffer::new().format(rng.range(10, 99)));
        }
        3 => {
            out.push_str(&f[..1.min(f.len())]);
            out.push_str(&l);
        }
        4 => {
            out.push_str(&f);
            out.push_str(itoa::Buffer::new().format(rng.range(1965, 2006)));
        }
        5 => {
            push_capital(out, &f);
            push_capital(out, &l);
        }
        6 => {
            out.push_str(rng.word(HANDLE_ADJ));
            out.push_str(rng.word(HANDLE_NOUN));
            out.push_str(itoa::Buffer::new().format(rng.range(1, 99)));
        }
        7 => {
            out.push_str(rng.word(HANDLE_NOUN));
            out.push('_');
            out.push_str(&f);
        }
        8 => {
            out.push_str("the");
            out.push_str(rng.word(HANDLE_ADJ));
            out.push_str(rng.word(HANDLE_NOUN));
        }
        9 => {
            // Default-style handle: name plus eight digits.
            push_capital(out, &f);
            out.truncate(7);
            out.push_str(itoa::Buffer::new().format(rng.range(10_000_000, 99_999_999)));
        }
        10 => {
            out.push_str(&l);
            out.push('_');
            out.push_str(&f);
        }
        _ => {
            out.push_str(&f);
            out.push('_');
            out.push_str(rng.word(HANDLE_NOUN));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn world(scale: f64) -> World {
        let cfg = GenConfig { scale, ..GenConfig::default() };
        World::build(&cfg).expect("world")
    }

    #[test]
    fn diurnal_mean_is_one() {
        let t = diurnal_table();
        let mean = t.iter().sum::<f64>() / t.len() as f64;
        assert!((mean - 1.0).abs() < 1e-9);
        // Night is quieter than evening.
        assert!(t[4 * 60] * 3.0 < t[20 * 60 + 30]);
    }

    #[test]
    fn handles_unique_and_ids_unique() {
        let w = world(0.05);
        let mut names = FxHashSet::default();
        let mut ids = FxHashSet::default();
        for i in 0..w.accounts.len() as u32 {
            let n = w.username(i);
            assert!(!n.is_empty());
            assert!(n.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'), "{n}");
            assert!(names.insert(n.to_ascii_lowercase()), "dup {n}");
            assert!(n.len() <= MAX_HANDLE);
            assert!(ids.insert(w.uid(i)));
        }
    }

    #[test]
    fn ops_and_fans_exist_at_small_scale() {
        let w = world(0.05);
        for kind in OpKind::ALL {
            let ops: Vec<&Op> = w.ops.iter().filter(|o| o.kind == kind).collect();
            assert!(!ops.is_empty(), "{kind:?}");
            for op in ops {
                assert!(op.members.len() >= 8, "{kind:?} {}", op.members.len());
                assert!(op.n_actions > 0, "{kind:?}");
            }
        }
        assert!(!w.fans.is_empty());
        let op_members: usize = w.ops.iter().map(|o| o.members.len()).sum();
        let share = op_members as f64 / w.accounts.len() as f64;
        assert!(share < 0.05, "{share}");
    }

    #[test]
    fn pareto_mean() {
        let m = capped_pareto_mean(30.0, 1.3, 1e12);
        assert!((m - 30.0 * 1.3 / 0.3).abs() < 1.0, "{m}");
        assert_eq!(capped_pareto_mean(30.0, 1.3, 10.0), 10.0);
    }
}
