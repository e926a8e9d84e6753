//! The few distributions the tests need, in log space where tails get tiny.

/// `ln(n!)`: exact sums up to 256, Stirling's series beyond (relative error
/// below 1e-15 there).
pub fn ln_factorial(n: u64) -> f64 {
    if n < 2 {
        return 0.0;
    }
    if n <= 256 {
        return small_ln_factorials()[n as usize];
    }
    let x = n as f64;
    x * x.ln() - x + 0.5 * (2.0 * std::f64::consts::PI * x).ln() + 1.0 / (12.0 * x) - 1.0 / (360.0 * x * x * x)
}

/// `ln(n!)` for `n ≤ 256`, each the sum `ln 2 + … + ln n` taken left to
/// right (so equal, bit for bit, to summing it each time; every p-value
/// needs one, hundreds of millions at 30 M events).
fn small_ln_factorials() -> &'static [f64; 257] {
    static TABLE: std::sync::OnceLock<[f64; 257]> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        let mut t = [0.0f64; 257];
        let mut sum = 0.0f64;
        for (k, slot) in t.iter_mut().enumerate().skip(2) {
            sum += (k as f64).ln();
            *slot = sum;
        }
        t
    })
}

/// `ln P(X = k)` for `X ~ Poisson(mu)`, `mu > 0`.
fn ln_pmf(k: u64, mu: f64) -> f64 {
    -mu + k as f64 * mu.ln() - ln_factorial(k)
}

/// `P(X ≥ k)` for `X ~ Poisson(mu)`.
///
/// Above the mean the terms fall off geometrically, so the tail is summed
/// from `k` upwards relative to its first term (no cancellation, exact to a
/// few ulps even at 1e-300); below it the complement is summed.
pub fn poisson_sf(k: u64, mu: f64) -> f64 {
    if k == 0 {
        return 1.0;
    }
    if mu <= 0.0 {
        return 0.0;
    }
    if (k as f64) > mu {
        let first = ln_pmf(k, mu);
        let (mut sum, mut term, mut j) = (1.0f64, 1.0f64, k);
        loop {
            j += 1;
            term *= mu / j as f64;
            sum += term;
            if term < sum * 1e-17 {
                break;
            }
        }
        (first + sum.ln()).exp().min(1.0)
    } else {
        let cdf: f64 = (0..k).map(|j| ln_pmf(j, mu).exp()).sum();
        (1.0 - cdf).clamp(0.0, 1.0)
    }
}

/// The p-value of observing `x ≥ k_min` events given that only outcomes with
/// at least `k_min` are ever tested: `P(X ≥ x) / P(X ≥ k_min)`.
pub fn poisson_sf_given_at_least(x: u64, mu: f64, k_min: u64) -> f64 {
    Tail::new(mu, k_min).p(x)
}

/// [`poisson_sf_given_at_least`] for one `μ` and `k_min` and several `x`:
/// the denominator `P(X ≥ k_min)` computed once (a pair's test and its
/// reach share it). That function is `Tail::new(mu, k_min).p(x)`.
#[derive(Clone, Copy, Debug)]
pub struct Tail {
    mu: f64,
    k_min: u64,
    den: f64,
}

impl Tail {
    /// The tail of Poisson(`mu`) conditioned on at least `k_min`.
    #[inline]
    pub fn new(mu: f64, k_min: u64) -> Tail {
        Tail { mu, k_min, den: poisson_sf(k_min, mu) }
    }

    /// `P(X ≥ x | X ≥ k_min)`.
    #[inline]
    pub fn p(&self, x: u64) -> f64 {
        let (mu, k_min, den) = (self.mu, self.k_min, self.den);
        if den <= 0.0 {
            // μ so small that even k_min has underflowed: compare pmf ratios in logs.
            return (ln_pmf(x, mu.max(f64::MIN_POSITIVE)) - ln_pmf(k_min, mu.max(f64::MIN_POSITIVE))).exp().min(1.0);
        }
        (poisson_sf(x, mu) / den).min(1.0)
    }
}

/// Where `P(X ≥ x | X ≥ k_min) ≤ level` holds, for `X ~ Poisson(μ)`, as a
/// cut-off on `μ` per `x`: the tail is increasing in `μ` (the Poisson family
/// conditioned on `X ≥ k_min` is stochastically increasing in its mean), so
/// it holds exactly for `μ` up to a cut-off `μ*(x)`. Most tests are far from
/// it, and deciding them from `μ` saves two or three tail sums each (the
/// tails, with their exp and log, were 6.9 % of a 10 M-event scan's CPU
/// samples). Within a relative `10⁻⁶` of the
/// cut-off no decision is given and the caller computes the tail, so every
/// decision is the computed tail's (property-tested against it).
///
/// Each `x` up to a fixed bound gets its cut-off the first time it is asked
/// for (a tail sum per step while bracketing it by doubling or halving,
/// then 64 bisection steps on log μ).
pub struct MuCuts {
    level: f64,
    k_min: u64,
    cut: Vec<std::sync::OnceLock<f64>>,
}

/// `x` above this is not decided (the tail is computed).
const MU_CUTS_X: usize = 256;

/// The relative distance from the cut-off within which nothing is decided.
const MU_CUTS_MARGIN: f64 = 1e-6;

impl MuCuts {
    /// The cut-offs of `P(X ≥ x | X ≥ k_min) ≤ level`.
    pub fn new(level: f64, k_min: u64) -> MuCuts {
        MuCuts { level, k_min, cut: (0..=MU_CUTS_X).map(|_| std::sync::OnceLock::new()).collect() }
    }

    /// The cut-offs of the pair tests at `level` (conditioned on two
    /// shared keys) where there is a bound to decide, i.e. `level < 1`.
    pub fn below(level: f64) -> Option<MuCuts> {
        (level < 1.0).then(|| MuCuts::new(level, 2))
    }

    /// Whether `Tail::new(mu, k_min).p(x) ≤ level`, where `μ` alone decides
    /// it; `None` near the cut-off or for `x` past the table.
    #[inline]
    pub fn decide(&self, x: u64, mu: f64) -> Option<bool> {
        let cut = *self.cut.get(x as usize)?.get_or_init(|| self.cut_off(x));
        if mu <= cut * (1.0 - MU_CUTS_MARGIN) {
            Some(true)
        } else if mu >= cut * (1.0 + MU_CUTS_MARGIN) {
            Some(false)
        } else {
            None
        }
    }

    /// `μ*(x)`: `+∞` where every `μ` passes, `−∞` where none does.
    fn cut_off(&self, x: u64) -> f64 {
        let passes = |mu: f64| Tail::new(mu, self.k_min).p(x) <= self.level;
        if self.level >= 1.0 {
            return f64::INFINITY;
        }
        if x <= self.k_min {
            // P(X ≥ x | X ≥ k_min) = 1.
            return f64::NEG_INFINITY;
        }
        // A passing `lo` and a failing `hi`, then bisection on log μ.
        let mut hi = (x as f64).max(1.0);
        while passes(hi) {
            hi *= 2.0;
            if hi > 1e300 {
                return f64::INFINITY;
            }
        }
        let mut lo = hi;
        while !passes(lo) {
            lo /= 2.0;
            if lo < 1e-300 {
                return 0.0;
            }
        }
        for _ in 0..64 {
            let mid = (lo * hi).sqrt();
            if passes(mid) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        lo
    }
}

/// Benjamini–Hochberg: the adjusted p-values (q-values) of `p`, in input
/// order. Ties and order do not matter: the result depends only on the
/// multiset of p-values.
pub fn benjamini_hochberg(p: &[f64]) -> Vec<f64> {
    benjamini_hochberg_top(p, p.len() as u64)
}

/// Benjamini–Hochberg over `m` tests of which only the smallest p-values are
/// given: `p` holds every test with a p-value of `t` or less, for some `t`,
/// and the `m − p.len()` others are above `t`. Then every q-value of `t` or
/// less is exactly that of the full correction (the tests left out rank after
/// those given, and contribute only terms above `t`); a q-value above `t` is
/// at least the full one and above `t` too.
pub fn benjamini_hochberg_top(p: &[f64], m: u64) -> Vec<f64> {
    let n = p.len();
    debug_assert!(m >= n as u64);
    let mut idx: Vec<usize> = (0..n).collect();
    idx.sort_by(|&a, &b| p[a].total_cmp(&p[b]).then(a.cmp(&b)));
    let mut q = vec![1.0; n];
    let mut running = 1.0f64;
    for rank in (0..n).rev() {
        let i = idx[rank];
        let v = (p[i] * m as f64 / (rank + 1) as f64).min(1.0);
        running = running.min(v);
        q[i] = running;
    }
    q
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn ln_factorial_table_equals_the_sum_bit_for_bit() {
        for n in 2..=256u64 {
            let sum: f64 = (2..=n).map(|k| (k as f64).ln()).sum();
            assert_eq!(ln_factorial(n).to_bits(), sum.to_bits(), "n = {n}");
        }
    }

    /// The tail by plain summation of the pmf (the reference).
    /// Term by term: the tail summed directly (no `1 − cdf` cancellation,
    /// which loses the relative accuracy of tails below ~1e-7).
    fn brute_sf(k: u64, mu: f64) -> f64 {
        let mut p = (-mu).exp();
        let mut tail = 0.0;
        for j in 0..k + 400 {
            if j >= k {
                tail += p;
            }
            p *= mu / (j + 1) as f64;
        }
        tail
    }

    #[test]
    fn known_values() {
        assert!((poisson_sf(1, 1.0) - (1.0 - (-1.0f64).exp())).abs() < 1e-15);
        // P(X ≥ 10 | μ = 1) = 1.1142547e-7 (tabulated).
        assert!((poisson_sf(10, 1.0) / 1.114_254_7e-7 - 1.0).abs() < 1e-6);
        // Deep tails stay finite and positive.
        // P(X ≥ 60 | μ = 0.01) ≈ 0.01^60 / 60! = 1.1900177e-202 (summed in Python with lgamma).
        let p = poisson_sf(60, 0.01);
        assert!((p / 1.190_017_7e-202 - 1.0).abs() < 1e-5, "{p:e}");
        assert!((ln_factorial(300) - 1_414.905_849_945_85).abs() < 1e-9);
    }

    /// Far from the cut-off, `μ` decides: a small `μ` passes, a large one
    /// does not, two hits never do (`p = 1`), and a level of 1 always passes.
    #[test]
    fn mu_cuts_decide_far_from_the_cut() {
        let cuts = MuCuts::new(0.01, 2);
        assert_eq!(cuts.decide(3, 1e-4), Some(true));
        assert_eq!(cuts.decide(3, 10.0), Some(false));
        assert_eq!(cuts.decide(2, 1e-12), Some(false));
        assert_eq!(cuts.decide(MU_CUTS_X as u64 + 1, 1e-4), None);
        assert_eq!(MuCuts::new(1.0, 2).decide(2, 1e9), Some(true));
    }

    proptest! {
        /// Every decision of [`MuCuts`] is the computed tail's.
        #[test]
        fn mu_cuts_agree_with_the_tail(
            x in 0u64..300,
            log_mu in -12.0f64..4.0,
            level in prop_oneof![Just(0.001f64), Just(0.01), Just(0.05), Just(0.2), Just(1.0)],
            k_min in 1u64..3,
        ) {
            let cuts = MuCuts::new(level, k_min);
            let mu = 10f64.powf(log_mu);
            let exact = Tail::new(mu, k_min).p(x) <= level;
            if let Some(d) = cuts.decide(x, mu) {
                prop_assert_eq!(d, exact, "x {} mu {} level {}", x, mu, level);
            }
            // Next to the cut-off too, where the margin matters.
            let cut = cuts.cut.get(x as usize).and_then(|c| c.get().copied());
            if let Some(cut) = cut.filter(|c| c.is_finite() && *c > 0.0) {
                for f in [1.0 - 2e-6, 1.0 - 1e-7, 1.0, 1.0 + 1e-7, 1.0 + 2e-6, 0.5, 2.0] {
                    let m = cut * f;
                    if let Some(d) = cuts.decide(x, m) {
                        prop_assert_eq!(d, Tail::new(m, k_min).p(x) <= level, "x {} mu {} level {}", x, m, level);
                    }
                }
            }
        }
    }

    proptest! {
        #[test]
        fn sf_matches_summation(k in 0u64..60, mu in 0.01f64..40.0) {
            let a = poisson_sf(k, mu);
            let b = brute_sf(k, mu);
            // Relative where the brute force is itself accurate.
            prop_assert!((a - b).abs() <= 1e-9 * b.max(1e-6), "k {k} mu {mu}: {a} vs {b}");
        }

        /// One `Tail` serves several `x` (a test and its reach): each is the
        /// conditional tail by summation, capped at 1.
        #[test]
        fn tail_is_the_conditional_tail(k_min in 1u64..4, xs in proptest::collection::vec(0u64..40, 1..6), mu in 0.01f64..30.0) {
            let tail = Tail::new(mu, k_min);
            for x in xs {
                let want = (brute_sf(x, mu) / brute_sf(k_min, mu)).min(1.0);
                let got = tail.p(x);
                prop_assert!((got - want).abs() <= 1e-8 * want.max(1e-6), "x {x} k_min {k_min} mu {mu}: {got} vs {want}");
            }
        }

        #[test]
        fn bh_is_monotone_and_bounded(p in proptest::collection::vec(0.0f64..1.0, 1..50)) {
            let q = benjamini_hochberg(&p);
            for i in 0..p.len() {
                prop_assert!(q[i] >= p[i] * (1.0 - 1e-12) && q[i] <= 1.0);
                for j in 0..p.len() {
                    if p[i] <= p[j] { prop_assert!(q[i] <= q[j]); }
                }
            }
        }

        /// Correcting only the p-values of `t` or less, out of all of them,
        /// gives every q-value of `t` or less exactly, and no other.
        #[test]
        fn bh_of_the_smallest_is_exact_up_to_the_cut(
            p in proptest::collection::vec(prop_oneof![0.0f64..0.02, 0.0f64..1.0], 1..80),
            t in prop_oneof![Just(0.01f64), Just(0.05), 0.0f64..1.0],
        ) {
            let full = benjamini_hochberg(&p);
            let top: Vec<f64> = p.iter().copied().filter(|&x| x <= t).collect();
            let q_top = benjamini_hochberg_top(&top, p.len() as u64);
            let mut j = 0;
            for (i, &x) in p.iter().enumerate() {
                if x <= t {
                    prop_assert_eq!(q_top[j] <= t, full[i] <= t);
                    if full[i] <= t {
                        prop_assert_eq!(q_top[j], full[i]);
                    }
                    j += 1;
                } else {
                    prop_assert!(full[i] > t);
                }
            }
        }
    }
}
