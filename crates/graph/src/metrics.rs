//! Comparing partitions: normalised mutual information.

use crate::Error;
use crate::partition::{canonicalize, renumber_first_seen};

/// Normalised mutual information between two labelings of the same nodes, with the
/// arithmetic-mean normalisation `NMI = I(A; B) / ((H(A) + H(B)) / 2)` (scikit-learn's
/// default). 1 means the same grouping (labels may differ), values near 0 independent
/// groupings. Two trivial labelings (one group each, or no nodes) score 1.
///
/// # Errors
///
/// [`Error::MembershipLength`] if the slices differ in length.
///
/// # Example
///
/// ```
/// use swarmscan_graph::nmi;
///
/// assert_eq!(nmi(&[0, 0, 1, 1], &[7, 7, 3, 3])?, 1.0);
/// assert_eq!(nmi(&[0, 0, 1, 1], &[0, 1, 0, 1])?, 0.0);
/// # Ok::<(), swarmscan_graph::Error>(())
/// ```
pub fn nmi(a: &[u32], b: &[u32]) -> Result<f64, Error> {
    if a.len() != b.len() {
        return Err(Error::MembershipLength { expected: a.len(), found: b.len() });
    }
    let n = a.len();
    if n == 0 {
        return Ok(1.0);
    }
    let (mut la, mut lb) = (canonicalize(a), canonicalize(b));
    let ka = renumber_first_seen(&mut la);
    let kb = renumber_first_seen(&mut lb);
    let mut na = vec![0usize; ka];
    let mut nb = vec![0usize; kb];
    let mut pairs: Vec<u64> = Vec::with_capacity(n);
    for (&x, &y) in la.iter().zip(&lb) {
        na[x as usize] += 1;
        nb[y as usize] += 1;
        pairs.push((u64::from(x) << 32) | u64::from(y));
    }
    pairs.sort_unstable();
    let nf = n as f64;
    let entropy = |counts: &[usize]| -> f64 { counts.iter().map(|&c| c as f64 / nf).map(|p| -p * p.ln()).sum() };
    let (ha, hb) = (entropy(&na), entropy(&nb));
    let mut mutual = 0.0;
    let mut i = 0;
    while i < pairs.len() {
        let mut j = i;
        while j < pairs.len() && pairs[j] == pairs[i] {
            j += 1;
        }
        let nxy = (j - i) as f64;
        let (x, y) = ((pairs[i] >> 32) as usize, (pairs[i] & 0xFFFF_FFFF) as usize);
        mutual += nxy / nf * (nf * nxy / (na[x] as f64 * nb[y] as f64)).ln();
        i = j;
    }
    let mean = (ha + hb) / 2.0;
    if mean <= 0.0 {
        return Ok(1.0);
    }
    Ok((mutual / mean).clamp(0.0, 1.0))
}
