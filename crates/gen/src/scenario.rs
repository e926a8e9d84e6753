//! Scenario knobs: the kinds of collection a detector must handle (small,
//! focused, operation-heavy, fast fans, quiet rings, slow links, rotating
//! campaigns, organic only), as settings of one world model.
//!
//! [`Scenario::default`] is the model as it always was: a default scenario
//! draws exactly the same random numbers, so its files are byte-identical to
//! those written before scenarios existed. Every knob that needs randomness
//! of its own (extra hashtag sets, the focus sample) draws from its own
//! derived stream, so changing one knob changes only what it must: the same
//! seed keeps the same accounts, operations and members wherever it can.

use serde::{Deserialize, Serialize};

/// Largest delay of a slow-link share (the model's bound on follow-ups).
pub(crate) const MAX_SPREAD_S: f64 = 11.0 * 3600.0;

/// Settings that shape a generated collection. The default reproduces the
/// original model exactly.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Scenario {
    /// Share of the *other* organic accounts kept in the files, in (0, 1]:
    /// every operation member, every fan, and every account that an
    /// operation or fan group acts on (celebrities, ring leaders,
    /// journalists) is always kept. A filter on authors at writing time:
    /// kept accounts' events are unchanged (a kept account's repost of a
    /// dropped account's post stays, its original does not), so `focus 0.1`
    /// is a keyword or account-list collection cut out of the full world.
    /// `1.0` keeps everything.
    pub focus: f64,
    /// Multiplier on the number of operations of every kind (`1.0`: about
    /// 1.5 % of accounts are members at scale ≥ 1; `10`: about 15 %). At least
    /// one operation of each kind is planted unless this is 0.
    pub op_share: f64,
    /// Per-member participation probability range `[lo, hi)` of repost
    /// rings, copypasta and hashtag pushes (one value drawn per operation),
    /// overriding the kinds' own ranges (0.30–0.55, 0.30–0.70, 0.30–0.60).
    pub participation: Option<(f64, f64)>,
    /// Whether repost rings amplify leaders with an organic audience
    /// (`true`: hyper-partisan "amplified" accounts that ordinary users also
    /// repost, 60 % of seed posts, the rest by members) or leaders nobody
    /// else reposts (`false`: one or two of the ring's own members, whose
    /// reach is zero, post every seed; they are labelled as members).
    pub leader_audience: bool,
    /// Speed-up of fan reactions: every fan's median repost delay is divided
    /// by it (`1`: super fans 8–45 s, other fans 1–15 min; `10`: 1–5 s and
    /// 6–90 s).
    pub fan_speed: f64,
    /// Spread of slow-link shares after the action, seconds `[lo, hi)`
    /// (default 20 min – 10 h; at most 11 h).
    pub slow_link_spread_s: (f64, f64),
    /// Number of hashtag sets a hashtag push rotates through, one set per
    /// day of its campaign (`1`: one fixed set).
    pub rotating_hashtags: u32,
    /// Reply swarms hit the same journalist in waves: each action becomes
    /// this many posts of the journalist within about an hour, each swarmed
    /// by the next members of the rotation (`1`: one post per action).
    pub reply_waves: u32,
    /// No operations at all: organic accounts and fan groups only, for
    /// calibrating false positives.
    pub organic_only: bool,
}

impl Default for Scenario {
    fn default() -> Self {
        Self {
            focus: 1.0,
            op_share: 1.0,
            participation: None,
            leader_audience: true,
            fan_speed: 1.0,
            slow_link_spread_s: (1200.0, 36_000.0),
            rotating_hashtags: 1,
            reply_waves: 1,
            organic_only: false,
        }
    }
}

impl Scenario {
    /// Whether this is the original model (nothing to record).
    pub fn is_default(&self) -> bool {
        *self == Self::default()
    }

    /// Checks the ranges; the message names the knob.
    pub fn validate(&self) -> Result<(), String> {
        let s = self;
        if !(s.focus > 0.0 && s.focus <= 1.0) {
            return Err(format!("focus must be in (0, 1], got {}", s.focus));
        }
        if !(s.op_share.is_finite() && (0.0..=100.0).contains(&s.op_share)) {
            return Err(format!("op_share must be in [0, 100], got {}", s.op_share));
        }
        if let Some((lo, hi)) = s.participation
            && !(lo > 0.0 && lo <= hi && hi <= 1.0)
        {
            return Err(format!("participation must be 0 < lo <= hi <= 1, got {lo}-{hi}"));
        }
        if !(s.fan_speed.is_finite() && (0.01..=1000.0).contains(&s.fan_speed)) {
            return Err(format!("fan_speed must be in [0.01, 1000], got {}", s.fan_speed));
        }
        let (lo, hi) = s.slow_link_spread_s;
        if !(lo >= 1.0 && lo <= hi && hi <= MAX_SPREAD_S) {
            return Err(format!("slow_link_spread must be 1 s <= lo <= hi <= 11 h, got {lo}-{hi} s"));
        }
        if !(1..=16).contains(&s.rotating_hashtags) {
            return Err(format!("rotating_hashtags must be 1 to 16, got {}", s.rotating_hashtags));
        }
        if !(1..=10).contains(&s.reply_waves) {
            return Err(format!("reply_waves must be 1 to 10, got {}", s.reply_waves));
        }
        Ok(())
    }

    /// Operations are planted (not organic-only and a positive share).
    pub(crate) fn has_ops(&self) -> bool {
        !self.organic_only && self.op_share > 0.0
    }
}

/// A named scenario with the scale it is meant for.
#[derive(Debug, Clone, PartialEq)]
pub struct Preset {
    /// Name as given to `swarmscan gen --scenario`.
    pub name: &'static str,
    /// One line on what it makes.
    pub about: &'static str,
    /// Scale used when none is given.
    pub scale: f64,
    /// The knobs.
    pub scenario: Scenario,
}

/// Names of the presets, in the order `--help` and the quality matrix list them.
pub const PRESETS: [&str; 9] =
    ["default", "small", "focused", "op-heavy", "fast-fans", "quiet-ring", "slow-links", "waves", "organic-only"];

/// The named preset, or `None` for an unknown name.
pub fn preset(name: &str) -> Option<Preset> {
    let d = Scenario::default();
    let (about, scale, scenario) = match name {
        "default" => ("the original model: operations are about 1.5 % of accounts", 1.0, d),
        "small" => ("the original model on a small collection (about 40k events)", 0.04, d),
        "focused" => (
            "a focused collection: every operation member, fan and target, and one other organic account in ten",
            0.3,
            Scenario { focus: 0.1, ..d },
        ),
        "op-heavy" => {
            ("ten times as many operations (about 15 % of accounts are members)", 1.0, Scenario { op_share: 10.0, ..d })
        }
        "fast-fans" => {
            ("fans react ten times faster (super fans within 1-5 s)", 1.0, Scenario { fan_speed: 10.0, ..d })
        }
        "quiet-ring" => (
            "low participation (15-30 % of members per action) and ring leaders without an organic audience",
            1.0,
            Scenario { participation: Some((0.15, 0.30)), leader_audience: false, ..d },
        ),
        "slow-links" => (
            "twice the operations, slow-link shares spread over 1-10 h",
            1.0,
            Scenario { op_share: 2.0, slow_link_spread_s: (3600.0, 36_000.0), ..d },
        ),
        "waves" => (
            "hashtag pushes rotate among 3 tag sets, reply swarms come in waves of 3 posts",
            1.0,
            Scenario { rotating_hashtags: 3, reply_waves: 3, ..d },
        ),
        "organic-only" => {
            ("no operations: organic accounts and fan groups only", 1.0, Scenario { organic_only: true, ..d })
        }
        _ => return None,
    };
    let name = PRESETS.iter().copied().find(|&p| p == name)?;
    Some(Preset { name, about, scale, scenario })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presets_are_valid_and_listed() {
        for name in PRESETS {
            let p = preset(name).expect(name);
            assert_eq!(p.name, name);
            assert!(p.scenario.validate().is_ok(), "{name}");
        }
        assert!(preset("default").expect("default").scenario.is_default());
        assert!(preset("nope").is_none());
    }

    #[test]
    fn bad_knobs_are_named() {
        let d = Scenario::default;
        for (s, word) in [
            (Scenario { focus: 0.0, ..d() }, "focus"),
            (Scenario { op_share: -1.0, ..d() }, "op_share"),
            (Scenario { participation: Some((0.5, 0.4)), ..d() }, "participation"),
            (Scenario { fan_speed: f64::NAN, ..d() }, "fan_speed"),
            (Scenario { slow_link_spread_s: (10.0, 50_000.0), ..d() }, "slow_link_spread"),
            (Scenario { rotating_hashtags: 0, ..d() }, "rotating_hashtags"),
            (Scenario { reply_waves: 11, ..d() }, "reply_waves"),
        ] {
            let e = s.validate().expect_err(word);
            assert!(e.contains(word), "{e}");
        }
    }
}
