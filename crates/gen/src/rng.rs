//! Seeded randomness: stream derivation, the few distributions the model needs,
//! and table samplers (alias, Zipf) that stay O(1) / O(log n) per draw.
//!
//! Every random stream is derived from `(seed, stream tag, index)` with
//! SplitMix64, so a time slice or a world component always draws the same
//! numbers no matter which thread runs it or in which order.

use rand::{Rng, SeedableRng};
use rand_distr::{Distribution, Poisson, StandardNormal};
use rand_pcg::Pcg64Mcg;

/// SplitMix64 finaliser: a fast, well-mixed 64-bit bijection.
#[inline]
pub(crate) fn mix64(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Derives a 64-bit seed from a base seed, a stream tag and an index.
#[inline]
pub(crate) fn derive(seed: u64, tag: u64, index: u64) -> u64 {
    mix64(mix64(mix64(seed) ^ tag.wrapping_mul(0xA24B_AED4_963E_E407)) ^ index)
}

/// Stable 64-bit hash of bytes, eight at a time (used for t.co codes and
/// handle de-duplication; must not change between releases or platforms).
pub(crate) fn hash_bytes(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325 ^ bytes.len() as u64;
    let mut chunks = bytes.chunks_exact(8);
    for c in &mut chunks {
        let mut w = [0u8; 8];
        w.copy_from_slice(c);
        h = mix64(h ^ u64::from_le_bytes(w));
    }
    let rest = chunks.remainder();
    if !rest.is_empty() {
        let mut w = [0u8; 8];
        w[..rest.len()].copy_from_slice(rest);
        h = mix64(h ^ u64::from_le_bytes(w) ^ 0xff);
    }
    h
}

/// Stream tags, one per independent consumer of randomness.
pub(crate) mod tag {
    pub(crate) const WORLD: u64 = 1;
    pub(crate) const SLICE: u64 = 2;
    pub(crate) const ARTICLE: u64 = 3;
    pub(crate) const OP: u64 = 4;
    pub(crate) const SCHEDULE: u64 = 5;
    /// Scenario extras (rotating hashtag sets), one stream per operation.
    pub(crate) const SCENARIO: u64 = 6;
    /// The focus sample of organic accounts, one draw per account.
    pub(crate) const FOCUS: u64 = 7;
}

/// The generator's random source: PCG-64 (MCG variant) plus helpers.
pub(crate) struct Rand(Pcg64Mcg);

impl Rand {
    pub(crate) fn new(seed: u64) -> Self {
        Self(Pcg64Mcg::seed_from_u64(seed))
    }

    pub(crate) fn derived(seed: u64, tag: u64, index: u64) -> Self {
        Self::new(derive(seed, tag, index))
    }

    #[inline]
    pub(crate) fn u64(&mut self) -> u64 {
        self.0.next_u64()
    }

    /// Uniform in [0, 1).
    #[inline]
    pub(crate) fn f64(&mut self) -> f64 {
        (self.0.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Uniform in [0, n); `n == 0` gives 0.
    #[inline]
    pub(crate) fn below(&mut self, n: usize) -> usize {
        if n <= 1 {
            return 0;
        }
        // Lemire's multiply-shift; the bias (< n / 2^64) is irrelevant here.
        ((u128::from(self.0.next_u64()) * n as u128) >> 64) as usize
    }

    /// Uniform integer in [lo, hi] (inclusive); returns `lo` if `hi < lo`.
    #[inline]
    pub(crate) fn range(&mut self, lo: u64, hi: u64) -> u64 {
        if hi <= lo {
            return lo;
        }
        lo + self.below((hi - lo + 1) as usize) as u64
    }

    /// Uniform float in [lo, hi).
    #[inline]
    pub(crate) fn uniform(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.f64()
    }

    #[inline]
    pub(crate) fn chance(&mut self, p: f64) -> bool {
        self.f64() < p
    }

    #[inline]
    pub(crate) fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    /// A random word of a list (`""` for an empty list).
    #[inline]
    pub(crate) fn word(&mut self, items: &[&'static str]) -> &'static str {
        if items.is_empty() {
            return "";
        }
        items[self.below(items.len())]
    }

    #[inline]
    pub(crate) fn normal(&mut self) -> f64 {
        StandardNormal.sample(&mut self.0)
    }

    /// Log-normal with the given median and log-space sigma.
    #[inline]
    pub(crate) fn lognormal(&mut self, median: f64, sigma: f64) -> f64 {
        median * (sigma * self.normal()).exp()
    }

    /// Exponential with the given mean.
    #[inline]
    pub(crate) fn exp(&mut self, mean: f64) -> f64 {
        -mean * (1.0 - self.f64()).ln()
    }

    /// Pareto (type I) with scale `xm` and shape `alpha`.
    #[inline]
    pub(crate) fn pareto(&mut self, xm: f64, alpha: f64) -> f64 {
        xm / (1.0 - self.f64()).powf(1.0 / alpha)
    }

    /// Poisson count; non-positive or non-finite means give 0.
    pub(crate) fn poisson(&mut self, lambda: f64) -> u64 {
        if lambda.is_nan() || lambda <= 0.0 || lambda.is_infinite() {
            return 0;
        }
        if lambda < 30.0 {
            let limit = (-lambda).exp();
            let mut k = 0u64;
            let mut p = self.f64();
            while p > limit {
                k += 1;
                p *= self.f64();
            }
            return k;
        }
        match Poisson::new(lambda) {
            Ok(d) => {
                let x: f64 = d.sample(&mut self.0);
                x as u64
            }
            Err(_) => 0,
        }
    }

    /// Fisher–Yates shuffle.
    pub(crate) fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.below(i + 1);
            items.swap(i, j);
        }
    }
}

/// Walker/Vose alias table: O(1) weighted sampling of an index.
#[derive(Debug, Default)]
pub(crate) struct Alias {
    /// Acceptance threshold for slot `i`, scaled to `u32`.
    prob: Vec<u32>,
    alias: Vec<u32>,
}

impl Alias {
    /// Builds a table; zero or non-finite weights are never drawn unless
    /// every weight is zero (then draws are uniform).
    pub(crate) fn new(weights: &[f64]) -> Self {
        let n = weights.len();
        if n == 0 {
            return Self::default();
        }
        let clean = |w: f64| if w.is_finite() && w > 0.0 { w } else { 0.0 };
        let total: f64 = weights.iter().map(|&w| clean(w)).sum();
        let mut scaled: Vec<f64> =
            if total > 0.0 { weights.iter().map(|&w| clean(w) * n as f64 / total).collect() } else { vec![1.0; n] };
        let mut prob = vec![u32::MAX; n];
        let mut alias: Vec<u32> = (0..n as u32).collect();
        let mut small: Vec<u32> = Vec::new();
        let mut large: Vec<u32> = Vec::new();
        for (i, &s) in scaled.iter().enumerate() {
            if s < 1.0 {
                small.push(i as u32);
            } else {
                large.push(i as u32);
            }
        }
        while let (Some(&s), Some(&l)) = (small.last(), large.last()) {
            small.pop();
            let ps = scaled[s as usize];
            prob[s as usize] = (ps * f64::from(u32::MAX)) as u32;
            alias[s as usize] = l;
            let pl = scaled[l as usize] + ps - 1.0;
            scaled[l as usize] = pl;
            if pl < 1.0 {
                large.pop();
                small.push(l);
            }
        }
        // Leftovers (numerical slack) keep probability 1.
        Self { prob, alias }
    }

    /// Acceptance thresholds and aliases, for callers that fuse them with
    /// their own payload.
    pub(crate) fn into_parts(self) -> (Vec<u32>, Vec<u32>) {
        (self.prob, self.alias)
    }

    #[inline]
    pub(crate) fn sample(&self, rng: &mut Rand) -> usize {
        let n = self.prob.len();
        if n == 0 {
            return 0;
        }
        let r = rng.u64();
        let i = ((u128::from(r >> 32) * n as u128) >> 32) as usize;
        if (r as u32) <= self.prob[i] { i } else { self.alias[i] as usize }
    }
}

/// Zipf-like sampler over ranks `0..n` with weight `1 / (rank + 1)^s`.
#[derive(Debug, Default)]
pub(crate) struct Zipf {
    cdf: Vec<f64>,
}

impl Zipf {
    pub(crate) fn new(n: usize, s: f64) -> Self {
        let mut cdf = Vec::with_capacity(n);
        let mut acc = 0.0;
        for r in 0..n {
            acc += 1.0 / ((r + 1) as f64).powf(s);
            cdf.push(acc);
        }
        if acc > 0.0 {
            for c in &mut cdf {
                *c /= acc;
            }
        }
        Self { cdf }
    }

    /// Probability of rank `r`.
    #[cfg(test)]
    pub(crate) fn p(&self, r: usize) -> f64 {
        match r {
            0 => self.cdf.first().copied().unwrap_or(0.0),
            _ if r < self.cdf.len() => self.cdf[r] - self.cdf[r - 1],
            _ => 0.0,
        }
    }

    #[inline]
    pub(crate) fn sample(&self, rng: &mut Rand) -> usize {
        let u = rng.f64();
        self.cdf.partition_point(|&c| c <= u).min(self.cdf.len().saturating_sub(1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alias_follows_weights() {
        let a = Alias::new(&[1.0, 0.0, 3.0]);
        let mut rng = Rand::new(7);
        let mut counts = [0u32; 3];
        for _ in 0..40_000 {
            counts[a.sample(&mut rng)] += 1;
        }
        assert_eq!(counts[1], 0);
        let ratio = f64::from(counts[2]) / f64::from(counts[0]);
        assert!((2.7..3.3).contains(&ratio), "{counts:?}");
    }

    #[test]
    fn zipf_prefers_low_ranks() {
        let z = Zipf::new(100, 1.0);
        let mut rng = Rand::new(1);
        let mut c0 = 0;
        let mut c50 = 0;
        for _ in 0..20_000 {
            match z.sample(&mut rng) {
                0 => c0 += 1,
                50 => c50 += 1,
                _ => {}
            }
        }
        assert!(c0 > 10 * c50.max(1));
        assert!((z.p(0) - 1.0 / 5.187).abs() < 0.01);
    }

    #[test]
    fn poisson_mean() {
        let mut rng = Rand::new(3);
        for lambda in [0.3, 4.0, 80.0] {
            let n = 20_000;
            let s: u64 = (0..n).map(|_| rng.poisson(lambda)).sum();
            let mean = s as f64 / f64::from(n);
            assert!((mean - lambda).abs() < 0.05 * lambda + 0.02, "{lambda} {mean}");
        }
    }

    #[test]
    fn derived_streams_differ() {
        assert_ne!(derive(1, 2, 3), derive(1, 2, 4));
        assert_ne!(derive(1, 2, 3), derive(2, 2, 3));
        assert_eq!(derive(9, 9, 9), derive(9, 9, 9));
    }
}
