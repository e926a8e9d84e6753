//! Helpers shared by readers: timestamps, and entities found in plain text
//! for formats that do not list them.

/// Unix time in seconds, possibly fractional (`1475503620`, `1475503620.25`),
/// to milliseconds.
pub(crate) fn unix_seconds_to_ms(s: &str) -> Option<i64> {
    let s = s.trim();
    if let Ok(n) = s.parse::<i64>() {
        return n.checked_mul(1000);
    }
    let f: f64 = s.parse().ok()?;
    if !f.is_finite() || f.abs() > 1e15 {
        return None;
    }
    Some((f * 1000.0).round() as i64)
}
