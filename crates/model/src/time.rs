//! UTC timestamps as `i64` milliseconds since the Unix epoch.
//!
//! The hot readers see one ISO 8601 timestamp per record, so the common shape
//! (`YYYY-MM-DD[T ]HH:MM:SS[.fff…][Z|±HH[:]MM]`) is parsed by hand here in a
//! few nanoseconds instead of through a general date library; the rarer
//! layouts (v1.1's `Wed Oct 05 14:03:11 +0000 2016`, IRA's `M/D/YYYY H:MM`)
//! live with their readers and reuse [`days_from_civil`].

/// Days from 1970-01-01 to the given proleptic Gregorian date.
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    // Howard Hinnant's algorithm.
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let m = m as i64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146097 + doe - 719468
}

/// Milliseconds since the epoch for a civil UTC date and time, or `None` if a
/// field is out of range.
pub fn civil_to_ms(y: i64, mo: u32, d: u32, h: u32, mi: u32, s: u32, ms: u32) -> Option<i64> {
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || s > 60 || ms > 999 {
        return None;
    }
    let days = days_from_civil(y, mo, d);
    Some(((days * 24 + h as i64) * 60 + mi as i64) * 60_000 + s as i64 * 1000 + ms as i64)
}

fn num(b: &[u8]) -> Option<u32> {
    if b.is_empty() {
        return None;
    }
    let mut n = 0u32;
    for &c in b {
        if !c.is_ascii_digit() {
            return None;
        }
        n = n * 10 + (c - b'0') as u32;
    }
    Some(n)
}

/// Parses `YYYY-MM-DD`, optionally followed by `T` or a space and
/// `HH:MM[:SS[.fraction]]`, optionally followed by `Z`, `+HH:MM`, `+HHMM` or
/// `+HH`. A missing zone means UTC. Fractions beyond milliseconds are
/// truncated.
pub fn parse_rfc3339_ms(s: &str) -> Option<i64> {
    let b = s.trim().as_bytes();
    if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let (y, mo, d) = (num(&b[0..4])? as i64, num(&b[5..7])?, num(&b[8..10])?);
    let mut rest = &b[10..];
    let (mut h, mut mi, mut sec, mut ms) = (0, 0, 0, 0);
    if !rest.is_empty() && (rest[0] == b'T' || rest[0] == b' ' || rest[0] == b't') {
        let t = &rest[1..];
        if t.len() < 5 || t[2] != b':' {
            return None;
        }
        h = num(&t[0..2])?;
        mi = num(&t[3..5])?;
        rest = &t[5..];
        if rest.len() >= 3 && rest[0] == b':' {
            sec = num(&rest[1..3])?;
            rest = &rest[3..];
            if !rest.is_empty() && (rest[0] == b'.' || rest[0] == b',') {
                let digits = rest[1..].iter().take_while(|c| c.is_ascii_digit()).count();
                if digits == 0 {
                    return None;
                }
                let frac = &rest[1..1 + digits];
                let mut v = 0;
                for i in 0..3 {
                    v = v * 10 + frac.get(i).map_or(0, |c| (c - b'0') as u32);
                }
                ms = v;
                rest = &rest[1 + digits..];
            }
        }
    }
    let offset_min: i64 = match rest {
        [] | [b'Z'] | [b'z'] => 0,
        [sign @ (b'+' | b'-'), tz @ ..] => {
            let (hh, mm) = match tz {
                [a, b] => (num(&[*a, *b])?, 0),
                [a, b, b':', c, d] | [a, b, c, d] => (num(&[*a, *b])?, num(&[*c, *d])?),
                _ => return None,
            };
            let m = (hh * 60 + mm) as i64;
            if *sign == b'+' { m } else { -m }
        }
        _ => return None,
    };
    Some(civil_to_ms(y, mo, d, h, mi, sec, ms)? - offset_min * 60_000)
}

/// Formats milliseconds since the epoch as `YYYY-MM-DDTHH:MM:SS.mmmZ`.
pub fn format_rfc3339_ms(ms: i64) -> String {
    let days = ms.div_euclid(86_400_000);
    let rem = ms.rem_euclid(86_400_000);
    // Inverse of days_from_civil (Hinnant).
    let z = days + 719468;
    let era = if z >= 0 { z } else { z - 146096 } / 146097;
    let doe = z - era * 146097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + if m <= 2 { 1 } else { 0 };
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{:03}Z",
        rem / 3_600_000,
        rem / 60_000 % 60,
        rem / 1000 % 60,
        rem % 1000
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn check(s: &str, expect: Option<&str>) {
        assert_eq!(parse_rfc3339_ms(s).map(format_rfc3339_ms).as_deref(), expect, "{s}");
    }

    #[test]
    fn parses_common_shapes() {
        check("2022-03-01T10:00:00.000Z", Some("2022-03-01T10:00:00.000Z"));
        check("2022-03-01T10:00:00.1234567Z", Some("2022-03-01T10:00:00.123Z"));
        check("2021-09-07T12:00:00+02:00", Some("2021-09-07T10:00:00.000Z"));
        check("2021-09-07 12:00:00-0130", Some("2021-09-07T13:30:00.000Z"));
        check("2016-10-01 00:05", Some("2016-10-01T00:05:00.000Z"));
        check("2016-10-01", Some("2016-10-01T00:00:00.000Z"));
        check("1969-12-31T23:59:59.999Z", Some("1969-12-31T23:59:59.999Z"));
        check("2016-13-01", None);
        check("2016-10-01T", None);
        check("yesterday", None);
        check("2016-10-01T00:00:00Q", None);
    }

    proptest! {
        #[test]
        fn format_then_parse_is_identity(ms in -5_000_000_000_000i64..5_000_000_000_000) {
            prop_assert_eq!(parse_rfc3339_ms(&format_rfc3339_ms(ms)), Some(ms));
        }
    }
}
